//! The store story: what every backend must do with drafts, revisions, deployments,
//! the catalog and secrets; every backend runs these against a real database.

use std::sync::Arc;

use imprint_store::{
    CatalogRow, DeploymentRow, DraftRow, DraftUpdate, ItemAdded, RevisionRow, Store, StoreError,
};
use serde_json::json;

use super::Database;

pub(super) fn draft(id: &str, document: &str, name: &str) -> DraftRow {
    DraftRow {
        id: id.into(),
        document: document.into(),
        name: name.into(),
        notes: None,
        creator: Some("tester".into()),
        provisional: false,
        base_seq: None,
        meta: json!({}),
        version: 1,
        created_at: 1,
        updated_at: 1,
    }
}

fn revision(document: &str, seq: i64, artifact: &str) -> RevisionRow {
    RevisionRow {
        document: document.into(),
        seq,
        artifact_id: artifact.into(),
        envelope: json!({"artifact_id": artifact, "seq": seq}),
        created_at: seq,
    }
}

/// Several documents' heads in one call are each document's `head`, in the order asked,
/// `None` for a document without revisions (search checks its hits against them).
pub fn heads_are_each_documents_newest_revision_in_order(db: &dyn Database) {
    let store = db.open();
    store
        .append_revision(&revision("entry/1/1", 1, "a1"))
        .unwrap();
    store
        .append_revision(&revision("entry/1/1", 2, "a2"))
        .unwrap();
    store
        .append_revision(&revision("entry/2/1", 1, "b1"))
        .unwrap();
    let asked: Vec<String> = ["entry/2/1", "entry/9/1", "entry/1/1", "entry/2/1"]
        .into_iter()
        .map(String::from)
        .collect();
    let heads = store.heads(&asked).unwrap();
    let expected: Vec<Option<RevisionRow>> = asked
        .iter()
        .map(|document| store.head(document).unwrap())
        .collect();
    assert_eq!(heads, expected);
    let artifacts: Vec<Option<String>> = heads
        .into_iter()
        .map(|head| head.map(|head| head.artifact_id))
        .collect();
    assert_eq!(
        artifacts,
        [
            Some("b1".into()),
            None,
            Some("a2".into()),
            Some("b1".into())
        ]
    );
    assert!(store.heads(&[]).unwrap().is_empty());
}

/// Several revisions' artifact ids in one call, in the order asked, `None` for a
/// revision that does not exist (search checks its hits' heads against their parents).
pub fn artifact_ids_are_each_revisions_in_order(db: &dyn Database) {
    let store = db.open();
    for (document, seq, artifact) in [
        ("entry/1/1", 1, "a1"),
        ("entry/1/1", 2, "a2"),
        ("entry/2/1", 1, "b1"),
    ] {
        store
            .append_revision(&revision(document, seq, artifact))
            .unwrap();
    }
    let asked: Vec<(String, i64)> = [
        ("entry/1/1", 2),
        ("entry/2/1", 1),
        ("entry/1/1", 3),
        ("entry/9/1", 1),
        ("entry/1/1", 1),
        ("entry/2/1", 1),
    ]
    .into_iter()
    .map(|(document, seq)| (document.to_string(), seq))
    .collect();
    assert_eq!(
        store.artifact_ids(&asked).unwrap(),
        [
            Some("a2".to_string()),
            Some("b1".into()),
            None,
            None,
            Some("a1".into()),
            Some("b1".into())
        ]
    );
    assert!(store.artifact_ids(&[]).unwrap().is_empty());
}

pub fn drafts_round_trip_and_reject_duplicate_names(db: &dyn Database) {
    let store = db.open();
    store
        .create_draft(
            &draft("d1", "config/a/default", "default"),
            &[("fs".into(), json!({"command": "npx"}))],
        )
        .unwrap();
    let found = store
        .find_draft("config/a/default", "default")
        .unwrap()
        .unwrap();
    assert_eq!(found, draft("d1", "config/a/default", "default"));
    assert_eq!(
        store.draft_items("d1").unwrap(),
        vec![("fs".to_string(), json!({"command": "npx"}))]
    );
    let duplicate = store.create_draft(&draft("d2", "config/a/default", "default"), &[]);
    assert!(matches!(duplicate, Err(StoreError::Conflict(_))));
}

pub fn stale_draft_version_is_a_conflict_and_changes_nothing(db: &dyn Database) {
    let store = db.open();
    store
        .create_draft(&draft("d1", "doc", "default"), &[])
        .unwrap();
    let update = |version, key: &str| DraftUpdate {
        expected_version: version,
        items: vec![(key.into(), Some(json!(1)))],
        now: 5,
        ..Default::default()
    };
    assert_eq!(store.update_draft("d1", &update(1, "a")).unwrap(), 2);
    assert!(matches!(
        store.update_draft("d1", &update(1, "b")),
        Err(StoreError::Conflict(_))
    ));
    assert_eq!(
        store.draft_items("d1").unwrap(),
        vec![("a".to_string(), json!(1))]
    );
    assert!(matches!(
        store.update_draft("missing", &update(1, "b")),
        Err(StoreError::NotFound)
    ));
}

pub fn update_removes_clears_and_renames(db: &dyn Database) {
    let store = db.open();
    store
        .create_draft(
            &draft("d1", "doc", "default"),
            &[("a".into(), json!(1)), ("b".into(), json!(2))],
        )
        .unwrap();
    let version = store
        .update_draft(
            "d1",
            &DraftUpdate {
                expected_version: 1,
                items: vec![("a".into(), None)],
                notes: Some(Some("n".into())),
                now: 2,
                ..Default::default()
            },
        )
        .unwrap();
    assert_eq!(
        store.draft_items("d1").unwrap(),
        vec![("b".to_string(), json!(2))]
    );
    store
        .update_draft(
            "d1",
            &DraftUpdate {
                expected_version: version,
                clear_items: true,
                name: Some("renamed".into()),
                now: 3,
                ..Default::default()
            },
        )
        .unwrap();
    assert_eq!(store.draft_item_count("d1").unwrap(), 0);
    let row = store.draft("d1").unwrap().unwrap();
    assert_eq!(
        (
            row.name.as_str(),
            row.notes.as_deref(),
            row.version,
            row.updated_at
        ),
        ("renamed", Some("n"), 3, 3)
    );
    assert!(store.delete_draft("d1").unwrap());
    assert!(store.draft("d1").unwrap().is_none());
}

/// One publish for every client linked to a profile: each document's next revision lands,
/// or, when any of them is not its head + 1, none does.
pub fn several_revisions_append_together_or_not_at_all(db: &dyn Database) {
    let store = db.open();
    store
        .append_revisions(&[
            revision("config/cursor/p", 1, "aa"),
            revision("config/vscode/p", 1, "bb"),
            revision("config/all/p", 1, "cc"),
        ])
        .unwrap();
    for (document, artifact) in [
        ("config/cursor/p", "aa"),
        ("config/vscode/p", "bb"),
        ("config/all/p", "cc"),
    ] {
        assert_eq!(store.head(document).unwrap().unwrap().artifact_id, artifact);
    }
    // the last one is stale: the first two must not land either
    assert!(matches!(
        store.append_revisions(&[
            revision("config/cursor/p", 2, "dd"),
            revision("config/vscode/p", 2, "dd"),
            revision("config/all/p", 1, "dd"),
        ]),
        Err(StoreError::Conflict(_))
    ));
    assert_eq!(store.head("config/cursor/p").unwrap().unwrap().seq, 1);
    assert_eq!(store.head("config/vscode/p").unwrap().unwrap().seq, 1);
    assert_eq!(
        store.head("config/all/p").unwrap().unwrap().artifact_id,
        "cc"
    );
    store.append_revisions(&[]).unwrap();
}

pub fn revisions_append_only_in_sequence(db: &dyn Database) {
    let store = db.open();
    store.append_revision(&revision("doc", 1, "aa")).unwrap();
    assert!(matches!(
        store.append_revision(&revision("doc", 1, "bb")),
        Err(StoreError::Conflict(_))
    ));
    assert!(matches!(
        store.append_revision(&revision("doc", 3, "bb")),
        Err(StoreError::Conflict(_))
    ));
    store.append_revision(&revision("doc", 2, "bb")).unwrap();
    store.append_revision(&revision("doc", 3, "aa")).unwrap();
    assert_eq!(store.head("doc").unwrap().unwrap().seq, 3);
    assert_eq!(
        store
            .revision_by_artifact("doc", "aa")
            .unwrap()
            .unwrap()
            .seq,
        3
    );
    assert_eq!(store.revision("doc", 2).unwrap().unwrap().artifact_id, "bb");
    let history: Vec<i64> = store
        .history("doc", 2)
        .unwrap()
        .iter()
        .map(|r| r.seq)
        .collect();
    assert_eq!(history, vec![3, 2]);
    assert!(store.head("other").unwrap().is_none());
}

pub fn documents_by_prefix_include_drafts_and_revisions(db: &dyn Database) {
    let store = db.open();
    store
        .create_draft(&draft("d1", "config/a/dev", "default"), &[])
        .unwrap();
    store
        .append_revision(&revision("config/a/default", 1, "aa"))
        .unwrap();
    store
        .append_revision(&revision("config/b/default", 1, "aa"))
        .unwrap();
    assert_eq!(
        store.documents("config/a/").unwrap(),
        vec!["config/a/default", "config/a/dev"]
    );
}

pub fn add_draft_item_adds_only_a_new_key_at_the_expected_version(db: &dyn Database) {
    let store = db.open();
    store
        .create_draft(
            &draft("d1", "config/a/default", "default"),
            &[("fs".into(), json!({"command": "npx"}))],
        )
        .unwrap();
    assert_eq!(
        store
            .add_draft_item("d1", 1, "gh", &json!({"command": "gh"}), 5)
            .unwrap(),
        ItemAdded::Added {
            version: 2,
            item_count: 2
        }
    );
    assert_eq!(store.draft("d1").unwrap().unwrap().updated_at, 5);
    assert_eq!(
        store.draft_item("d1", "gh").unwrap(),
        Some(json!({"command": "gh"}))
    );
    // a taken key writes nothing, the version stays
    assert_eq!(
        store
            .add_draft_item("d1", 2, "fs", &json!({"command": "other"}), 6)
            .unwrap(),
        ItemAdded::KeyTaken
    );
    assert_eq!(
        store.draft_item("d1", "fs").unwrap(),
        Some(json!({"command": "npx"}))
    );
    assert_eq!(store.draft("d1").unwrap().unwrap().version, 2);
    assert!(matches!(
        store.add_draft_item("d1", 1, "x", &json!({}), 7),
        Err(StoreError::Conflict(_))
    ));
    assert!(matches!(
        store.add_draft_item("gone", 1, "x", &json!({}), 7),
        Err(StoreError::NotFound)
    ));
    assert_eq!(store.draft_item_count("d1").unwrap(), 2);
}

pub fn add_item_to_named_draft_finds_checks_and_adds_in_one_call(db: &dyn Database) {
    let store = db.open();
    let add = |expected: Option<i64>, key: &str| {
        store.add_item_to_named_draft(
            "config/a/default",
            "default",
            expected,
            key,
            &json!({"k": key}),
            9,
        )
    };
    assert!(matches!(add(None, "fs"), Err(StoreError::NotFound)));
    store
        .create_draft(&draft("d1", "config/a/default", "default"), &[])
        .unwrap();
    assert_eq!(
        add(None, "fs").unwrap(),
        ItemAdded::Added {
            version: 2,
            item_count: 1
        }
    );
    assert_eq!(
        add(Some(2), "gh").unwrap(),
        ItemAdded::Added {
            version: 3,
            item_count: 2
        }
    );
    // an expected version the draft moved past writes nothing
    assert!(matches!(add(Some(2), "x"), Err(StoreError::Conflict(_))));
    assert_eq!(store.draft_item("d1", "x").unwrap(), None);
    assert_eq!(add(Some(3), "fs").unwrap(), ItemAdded::KeyTaken);
    let row = store.draft("d1").unwrap().unwrap();
    assert_eq!((row.version, row.updated_at), (3, 9));
    assert_eq!(
        store.draft_item("d1", "gh").unwrap(),
        Some(json!({"k": "gh"}))
    );
    assert_eq!(store.draft_item_count("d1").unwrap(), 2);
}

/// A deploy's intended write: one per path (a newer intent replaces it), kept across a
/// reopen (the crash it exists for), turned into a deployment by `confirm_deployment`, and
/// discarded only while it still names the bytes the caller saw.
pub fn a_pending_deployment_is_confirmed_or_discarded_and_survives_reopen(db: &dyn Database) {
    let store = db.open();
    let intent = |path: &str, sha: &str, at: i64| DeploymentRow {
        document: "config/a/default".into(),
        path: path.into(),
        artifact_id: format!("art-{sha}"),
        file_sha256: sha.into(),
        section: json!({"fs": {"command": "x"}}),
        backup_path: Some("/tmp/b".into()),
        deployed_at: at,
    };
    assert_eq!(store.pending_deployments().unwrap(), Vec::new());
    store
        .record_pending_deployment(&intent("/tmp/b.json", "11", 1))
        .unwrap();
    store
        .record_pending_deployment(&intent("/tmp/a.json", "22", 2))
        .unwrap();
    // a retried edit of the same file replaces the intent
    store
        .record_pending_deployment(&intent("/tmp/a.json", "33", 3))
        .unwrap();
    drop(store);

    let store = db.open();
    assert_eq!(
        store.pending_deployments().unwrap(),
        vec![
            intent("/tmp/a.json", "33", 3),
            intent("/tmp/b.json", "11", 1)
        ]
    );
    // an intent for other bytes is not discarded
    assert!(
        !store
            .discard_pending_deployment("/tmp/a.json", "22")
            .unwrap()
    );
    assert!(
        store
            .discard_pending_deployment("/tmp/b.json", "11")
            .unwrap()
    );
    assert_eq!(store.last_deployment_to("/tmp/a.json").unwrap(), None);
    store
        .confirm_deployment(&intent("/tmp/a.json", "33", 3))
        .unwrap();
    assert_eq!(store.pending_deployments().unwrap(), Vec::new());
    assert_eq!(
        store.last_deployment_to("/tmp/a.json").unwrap(),
        Some(intent("/tmp/a.json", "33", 3))
    );
    // confirming without an intent (someone else settled it) still records the deployment
    store
        .confirm_deployment(&intent("/tmp/a.json", "44", 4))
        .unwrap();
    assert_eq!(
        store.last_deployment("config/a/default").unwrap(),
        Some(intent("/tmp/a.json", "44", 4))
    );
}

pub fn deployments_and_catalog_persist(db: &dyn Database) {
    let store = db.open();
    let deployment = DeploymentRow {
        document: "config/a/default".into(),
        path: "/tmp/x.json".into(),
        artifact_id: "aa".into(),
        file_sha256: "ff".into(),
        section: json!({"fs": {}}),
        backup_path: None,
        deployed_at: 9,
    };
    store.record_deployment(&deployment).unwrap();
    assert_eq!(
        store.last_deployment("config/a/default").unwrap(),
        Some(deployment.clone())
    );
    assert_eq!(
        store.last_deployment_to("/tmp/x.json").unwrap(),
        Some(deployment)
    );
    let entry = CatalogRow {
        server_id: "mine".into(),
        definition: json!({"a": 1}),
        created_at: 1,
        updated_at: 1,
    };
    store.put_catalog_entry(&entry).unwrap();
    store
        .put_catalog_entry(&CatalogRow {
            definition: json!({"a": 2}),
            updated_at: 2,
            ..entry
        })
        .unwrap();
    let entries = store.catalog_entries().unwrap();
    assert_eq!(entries.len(), 1);
    assert_eq!(entries[0].definition, json!({"a": 2}));
    assert_eq!(entries[0].created_at, 1);
    assert_eq!(
        store.catalog_entry("mine").unwrap(),
        Some(entries[0].clone())
    );
    assert_eq!(store.catalog_entry("other").unwrap(), None);
}

pub fn data_survives_reopen(db: &dyn Database) {
    {
        let store = db.open();
        store
            .create_draft(&draft("d1", "doc", "default"), &[("k".into(), json!("v"))])
            .unwrap();
        store.append_revision(&revision("doc", 1, "aa")).unwrap();
    }
    let store = db.open();
    assert_eq!(
        store.draft_items("d1").unwrap(),
        vec![("k".to_string(), json!("v"))]
    );
    assert_eq!(store.head("doc").unwrap().unwrap().artifact_id, "aa");
}

pub fn concurrent_writers_from_two_connections_never_lose_an_append(db: &dyn Database) {
    let stores: Vec<Arc<dyn Store>> = (0..2).map(|_| Arc::from(db.open())).collect();
    let threads: Vec<_> = stores
        .into_iter()
        .map(|store| {
            std::thread::spawn(move || {
                let mut appended = 0;
                while appended < 20 {
                    let next = store.head("doc").unwrap().map_or(1, |r| r.seq + 1);
                    match store.append_revision(&revision("doc", next, "x")) {
                        Ok(()) => appended += 1,
                        Err(StoreError::Conflict(_)) => continue,
                        Err(e) => panic!("{e}"),
                    }
                }
            })
        })
        .collect();
    for thread in threads {
        thread.join().unwrap();
    }
    let store = db.open();
    assert_eq!(store.head("doc").unwrap().unwrap().seq, 40);
}

/// A key retires once: the first record stands, a second is ignored, and both survive a
/// reopen, oldest first.
pub fn a_key_retirement_is_recorded_once_and_listed_oldest_first(db: &dyn Database) {
    let store = db.open();
    assert!(store.key_retirements().unwrap().is_empty());
    let later = imprint_store::KeyRetirementRow {
        key_id: "ed25519:bbbb".into(),
        retired_at: 20,
        endorsement: r#"{"key_id":"ed25519:cccc"}"#.into(),
    };
    let first = imprint_store::KeyRetirementRow {
        key_id: "ed25519:aaaa".into(),
        retired_at: 10,
        endorsement: r#"{"key_id":"ed25519:bbbb"}"#.into(),
    };
    store.put_key_retirement(&later).unwrap();
    store.put_key_retirement(&first).unwrap();
    store
        .put_key_retirement(&imprint_store::KeyRetirementRow {
            retired_at: 99,
            endorsement: "{}".into(),
            ..first.clone()
        })
        .unwrap();
    drop(store);
    let reopened = db.open();
    assert_eq!(reopened.key_retirements().unwrap(), vec![first, later]);
}

/// A rotation's record is one transaction: the retirement and (in a store that keeps a
/// keyring) the successor's key land together; the same record again is a no-op; another
/// successor for a retired key is a conflict that writes nothing.
pub fn a_key_rotation_records_the_retirement_and_the_successor_together(db: &dyn Database) {
    let store = db.open();
    let retirement = imprint_store::KeyRetirementRow {
        key_id: "ed25519:aaaa".into(),
        retired_at: 10,
        endorsement: r#"{"key_id":"ed25519:bbbb"}"#.into(),
    };
    store
        .record_key_rotation("ed25519:bbbb", "PEM-B", &retirement)
        .unwrap();
    store
        .record_key_rotation("ed25519:bbbb", "PEM-B", &retirement)
        .unwrap();
    let other = imprint_store::KeyRetirementRow {
        endorsement: r#"{"key_id":"ed25519:cccc"}"#.into(),
        ..retirement.clone()
    };
    let refused = store.record_key_rotation("ed25519:cccc", "PEM-C", &other);
    assert!(
        matches!(&refused, Err(StoreError::Conflict(m)) if m.contains("ed25519:aaaa")),
        "{refused:?}"
    );
    drop(store);
    let reopened = db.open();
    assert_eq!(reopened.key_retirements().unwrap(), vec![retirement]);
    // An embedded store keeps no keyring (its keys are files); a shared one has the
    // successor, and never the refused one.
    let kept = reopened.public_key("ed25519:bbbb").unwrap();
    assert!(
        kept.is_none() || kept.as_deref() == Some("PEM-B"),
        "{kept:?}"
    );
    assert_eq!(
        kept.is_some(),
        !reopened.public_keys().unwrap().is_empty(),
        "the keyring lists what it keeps"
    );
    assert_eq!(reopened.public_key("ed25519:cccc").unwrap(), None);
}
