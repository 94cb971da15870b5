//! `If-Match` semantics at the service: a write that names a draft version happens only if
//! the draft is still at that version, and is never silently retried onto a newer one.

use imprint_service::config::{
    AddServerToConfig, ClearDraftConfig, GetConfigHistory, PublishConfig, Target, ViewDraftConfig,
};

use imprint_service::{ErrorKind, Service};

fn service() -> (tempfile::TempDir, Service) {
    imprint_test_support::service()
}

fn add(name: &str, expected_version: Option<i64>) -> AddServerToConfig {
    AddServerToConfig {
        server_id: "memory".into(),
        server_name: Some(name.into()),
        expected_version,
        ..Default::default()
    }
}

fn clear(expected_version: Option<i64>) -> ClearDraftConfig {
    ClearDraftConfig {
        expected_version,
        ..Default::default()
    }
}

#[test]
fn write_at_the_expected_version_succeeds_and_a_stale_one_conflicts() {
    let (_dir, service) = service();
    let target = Target::new(None, None, None).unwrap();
    let first = service.add_server_to_config(add("a", None)).unwrap();
    let version = first.draft_version;

    let at_version = Some(version);
    let second = service.add_server_to_config(add("b", at_version)).unwrap();
    assert_eq!(second.draft_version, version + 1);

    // The same expectation again is now stale: conflict, current version named, nothing written.
    let error = service
        .add_server_to_config(add("c", at_version))
        .unwrap_err();
    assert_eq!(error.kind(), ErrorKind::Conflict);
    assert_eq!(error.details().unwrap()["current_version"], version + 1);
    let draft = service
        .view_draft_config(ViewDraftConfig::default())
        .unwrap();
    assert_eq!(draft.server_names, ["a", "b"]);

    let error = service.clear_draft_config(clear(at_version)).unwrap_err();
    assert_eq!(error.kind(), ErrorKind::Conflict);
    assert_eq!(
        service
            .view_draft_config(ViewDraftConfig::default())
            .unwrap()
            .server_count,
        2
    );
    let cleared = service
        .clear_draft_config(clear(Some(version + 1)))
        .unwrap();
    assert_eq!(cleared.servers_removed, 2);

    // Publishing under an expectation publishes only the reviewed version of the draft.
    let current = service.draft_version(&target).unwrap().unwrap();
    let error = service
        .publish_config(PublishConfig {
            expected_version: Some(current - 1),
            ..Default::default()
        })
        .unwrap_err();
    assert_eq!(error.kind(), ErrorKind::Conflict);
    assert!(
        service
            .get_config_history(GetConfigHistory::default())
            .unwrap()
            .count
            == 0
    );
}
