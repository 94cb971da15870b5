//! The audit log (append-only, ordered) and publish requests (decided once).

use imprint_store::team::{AuditRow, Decision, RequestRow, with_pending_audit};
use imprint_store::{ItemAdded, StoreError};
use serde_json::json;

use super::Database;

fn event(at: i64, actor: &str, operation: &str) -> AuditRow {
    AuditRow {
        seq: 0,
        at,
        actor: actor.into(),
        token_id: Some(format!("tok-{actor}")),
        role: "editor".into(),
        surface: "rest".into(),
        operation: operation.into(),
        target: "cursor/dev".into(),
    }
}

pub fn the_audit_log_is_append_only_and_ordered(db: &dyn Database) {
    let store = db.open();
    let team = store.team();
    assert!(team.audit_log(10).unwrap().is_empty());
    // Appended out of clock order: the log's order is the order of appends.
    let first = team
        .append_audit(&event(30, "alice", "add_server_to_config"))
        .unwrap();
    let second = team
        .append_audit(&event(10, "bob", "publish_config"))
        .unwrap();
    let third = team
        .append_audit(&event(20, "carol", "approve_request"))
        .unwrap();
    assert!(first < second && second < third, "{first} {second} {third}");

    let log = team.audit_log(10).unwrap();
    let actors: Vec<&str> = log.iter().map(|row| row.actor.as_str()).collect();
    assert_eq!(actors, ["carol", "bob", "alice"], "newest first");
    assert_eq!(
        log[2],
        AuditRow {
            seq: first,
            ..event(30, "alice", "add_server_to_config")
        }
    );
    assert_eq!(team.audit_log(2).unwrap().len(), 2, "the limit holds");

    // Another handle sees the same rows; appending more never changes old ones.
    let again = db.open();
    again
        .team()
        .append_audit(&event(40, "dave", "reject_request"))
        .unwrap();
    let log = again.team().audit_log(10).unwrap();
    assert_eq!(log.len(), 4);
    assert_eq!(log[3].actor, "alice");
    assert_eq!(log[3].seq, first);
}

/// An operation's audit row commits with the first write transaction of the operation
/// (see `imprint_store::team`): both or neither.
pub fn an_audit_row_commits_with_its_change_or_not_at_all(db: &dyn Database) {
    let store = db.open();
    let team = store.team();
    let draft = super::store::draft("d1", "config/cursor/dev", "default");

    // The first write takes the row: one transaction holds the change and its row.
    let alice = event(1, "alice", "add_server_to_config");
    let (created, left_over) = with_pending_audit(alice.clone(), || {
        store.create_draft(&draft, &[])?;
        // a second write of the same operation carries nothing more
        store.add_draft_item("d1", 1, "github", &json!({"command": "gh"}), 2)
    });
    assert!(
        matches!(created, Ok(ItemAdded::Added { version: 2, .. })),
        "{created:?}"
    );
    assert_eq!(left_over, None, "the write took the row");
    let log = team.audit_log(10).unwrap();
    assert_eq!(log.len(), 1, "{log:?}");
    assert_eq!(
        log[0],
        AuditRow {
            seq: log[0].seq,
            ..alice
        }
    );

    // A write that fails (a stale version) writes neither its change nor the row, and
    // gives the row back.
    let bob = event(2, "bob", "add_server_to_config");
    let (stale, left_over) = with_pending_audit(bob.clone(), || {
        store.add_draft_item("d1", 1, "slack", &json!({"command": "slack"}), 3)
    });
    assert!(matches!(stale, Err(StoreError::Conflict(_))), "{stale:?}");
    assert_eq!(left_over, Some(bob), "no row without the change");
    assert_eq!(team.audit_log(10).unwrap().len(), 1);
    assert_eq!(store.draft_item("d1", "slack").unwrap(), None);

    // A read takes nothing; a lone statement that changes something carries the row.
    let carol = event(3, "carol", "clear_draft_config");
    let (found, left_over) = with_pending_audit(carol.clone(), || store.draft("d1"));
    assert!(found.unwrap().is_some());
    assert_eq!(left_over.as_ref(), Some(&carol), "a read takes no row");
    let (deleted, left_over) = with_pending_audit(carol.clone(), || store.delete_draft("d1"));
    assert!(deleted.unwrap());
    assert_eq!(left_over, None);

    // Another handle sees both rows, in commit order.
    let log = db.open().team().audit_log(10).unwrap();
    let actors: Vec<&str> = log.iter().map(|row| row.actor.as_str()).collect();
    assert_eq!(actors, ["carol", "alice"], "newest first");
    assert!(log[0].seq > log[1].seq);
    assert_eq!(db.open().draft("d1").unwrap(), None);
}

fn request(id: &str, at: i64) -> RequestRow {
    RequestRow {
        id: id.into(),
        kind: "config".into(),
        target: "cursor/dev".into(),
        draft_name: Some("default".into()),
        draft_version: 3,
        changelog: Some("add github".into()),
        requested_by: "ed".into(),
        requested_at: at,
        status: "open".into(),
        decided_by: None,
        decided_at: None,
        reason: None,
        artifact_id: None,
    }
}

pub fn a_publish_request_is_decided_once(db: &dyn Database) {
    let store = db.open();
    let team = store.team();
    team.create_request(&request("r1", 1)).unwrap();
    team.create_request(&request("r2", 2)).unwrap();
    assert!(
        team.create_request(&request("r1", 3)).is_err(),
        "ids are unique"
    );
    assert_eq!(team.request("r1").unwrap().unwrap(), request("r1", 1));
    assert!(team.request("nope").unwrap().is_none());

    let approve = Decision {
        status: "approved",
        decided_by: "pat",
        decided_at: 5,
        reason: None,
        artifact_id: Some("ab12"),
    };
    assert!(team.decide_request("r1", &approve).unwrap());
    let reject = Decision {
        status: "rejected",
        decided_by: "pat",
        decided_at: 6,
        reason: Some("too late"),
        artifact_id: None,
    };
    assert!(!team.decide_request("r1", &reject).unwrap(), "decided once");
    let decided = team.request("r1").unwrap().unwrap();
    assert_eq!(decided.status, "approved");
    assert_eq!(decided.decided_by.as_deref(), Some("pat"));
    assert_eq!(decided.artifact_id.as_deref(), Some("ab12"));

    let open: Vec<String> = team
        .list_requests(Some("open"))
        .unwrap()
        .into_iter()
        .map(|r| r.id)
        .collect();
    assert_eq!(open, ["r2"]);
    let every: Vec<String> = team
        .list_requests(None)
        .unwrap()
        .into_iter()
        .map(|r| r.id)
        .collect();
    assert_eq!(every, ["r1", "r2"]);
}

/// Every record a store exports, in order.
fn exported(store: &dyn imprint_store::Store) -> Vec<imprint_store::Record> {
    let mut records = Vec::new();
    store
        .export_records(&mut |record| {
            records.push(record);
            Ok(())
        })
        .unwrap();
    records
}

pub fn export_and_import_carry_the_audit_log_requests_and_key_retirements(db: &dyn Database) {
    use imprint_store::transfer::{ImportMode, RecordKind};
    use imprint_store::{KeyRetirementRow, Record};

    let store = db.open();
    let team = store.team();
    let seqs: Vec<i64> = [
        event(30, "alice", "add_server_to_config"),
        event(10, "bob", "publish_config"),
        event(20, "carol", "approve_request"),
    ]
    .iter()
    .map(|row| team.append_audit(row).unwrap())
    .collect();
    team.create_request(&request("r1", 1)).unwrap();
    team.create_request(&request("r2", 2)).unwrap();
    let approve = Decision {
        status: "approved",
        decided_by: "pat",
        decided_at: 5,
        reason: None,
        artifact_id: Some("ab12"),
    };
    assert!(team.decide_request("r1", &approve).unwrap());
    let retirement = KeyRetirementRow {
        key_id: "old-key".into(),
        retired_at: 7,
        endorsement: r#"{"signed":"by old-key"}"#.into(),
    };
    store.put_key_retirement(&retirement).unwrap();

    let counts = store.count_records().unwrap();
    assert_eq!(counts[&RecordKind::AuditLog], 3);
    assert_eq!(counts[&RecordKind::Requests], 2);
    assert_eq!(counts[&RecordKind::KeyRetirements], 1);
    let before = exported(store.as_ref());
    let audit: Vec<i64> = before
        .iter()
        .filter_map(|record| match record {
            Record::Audit(row) => Some(row.seq),
            _ => None,
        })
        .collect();
    assert_eq!(audit, seqs, "exported in seq order, seqs kept");
    assert!(before.contains(&Record::KeyRetirement(retirement.clone())));
    assert!(
        before
            .iter()
            .any(|record| matches!(record, Record::Request(row) if row.id == "r1" && row.status == "approved"))
    );

    // A target holding only an audit log is not empty: its log is not silently dropped.
    let mut again = before.clone().into_iter();
    let refused = store.import_records(ImportMode::EmptyOnly, &mut || Ok(again.next()));
    assert!(
        matches!(&refused, Err(imprint_store::StoreError::Conflict(m)) if m.contains("3 audit_log")),
        "{refused:?}"
    );

    // Replaced by the same rows (another handle: as a second process would): every row and
    // seq comes back, the log reads the same, and appends continue after the last seq.
    let other = db.open();
    let mut rows = before.clone().into_iter();
    other
        .import_records(ImportMode::Replace, &mut || Ok(rows.next()))
        .unwrap();
    assert_eq!(exported(store.as_ref()), before);
    let log = store.team().audit_log(10).unwrap();
    let actors: Vec<&str> = log.iter().map(|row| row.actor.as_str()).collect();
    assert_eq!(actors, ["carol", "bob", "alice"]);
    assert_eq!(
        store
            .team()
            .request("r1")
            .unwrap()
            .unwrap()
            .artifact_id
            .as_deref(),
        Some("ab12")
    );
    assert_eq!(store.key_retirements().unwrap(), vec![retirement]);
    let next = store
        .team()
        .append_audit(&event(40, "dave", "reject_request"))
        .unwrap();
    assert!(next > seqs[2], "{next} continues after {}", seqs[2]);

    // An import of a shorter log replaces the longer one; the seqs are the source's.
    let mut short = before
        .iter()
        .filter(|record| !matches!(record, Record::Audit(row) if row.seq != seqs[0]))
        .cloned()
        .collect::<Vec<_>>()
        .into_iter();
    store
        .import_records(ImportMode::Replace, &mut || Ok(short.next()))
        .unwrap();
    let log = store.team().audit_log(10).unwrap();
    assert_eq!(log.len(), 1);
    assert_eq!(log[0].seq, seqs[0]);
}
