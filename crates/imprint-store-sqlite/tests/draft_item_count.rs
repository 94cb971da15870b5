//! A draft's item count is stored (so adding to a large draft does not count it) and must
//! agree with its items after every kind of write, including the ones that fail.

use imprint_store::{DraftRow, DraftUpdate, ItemAdded, Store, StoreError};
use imprint_store_sqlite::SqliteStore;
use serde_json::json;

fn draft(id: &str) -> DraftRow {
    DraftRow {
        id: id.into(),
        document: "config/cursor/default".into(),
        name: "default".into(),
        notes: None,
        creator: None,
        provisional: false,
        base_seq: None,
        meta: json!({}),
        version: 1,
        created_at: 1,
        updated_at: 1,
    }
}

fn assert_count_matches(store: &SqliteStore, id: &str, expected: usize) {
    assert_eq!(store.draft_items(id).unwrap().len(), expected, "items");
    assert_eq!(
        store.draft_item_count(id).unwrap(),
        expected,
        "stored count"
    );
}

#[test]
fn stored_count_follows_every_write_path() {
    let dir = tempfile::tempdir().unwrap();
    let store = SqliteStore::open(&dir.path().join("imprint.db")).unwrap();
    store
        .create_draft(
            &draft("d"),
            &[("a".into(), json!(1)), ("b".into(), json!(2))],
        )
        .unwrap();
    assert_count_matches(&store, "d", 2);

    // an overwrite is an upsert's update: not a second item
    let version = store
        .update_draft(
            "d",
            &DraftUpdate {
                expected_version: 1,
                items: vec![("a".into(), Some(json!(10))), ("c".into(), Some(json!(3)))],
                now: 2,
                ..Default::default()
            },
        )
        .unwrap();
    assert_count_matches(&store, "d", 3);

    let added = store
        .add_draft_item("d", version, "e", &json!(5), 3)
        .unwrap();
    assert_eq!(
        added,
        ItemAdded::Added {
            version: version + 1,
            item_count: 4
        }
    );
    assert_count_matches(&store, "d", 4);

    // a taken key, a stale version and a missing draft change nothing
    assert_eq!(
        store
            .add_draft_item("d", version + 1, "e", &json!(6), 4)
            .unwrap(),
        ItemAdded::KeyTaken
    );
    assert!(matches!(
        store.add_draft_item("d", version, "f", &json!(6), 4),
        Err(StoreError::Conflict(_))
    ));
    assert!(matches!(
        store.add_draft_item("gone", 1, "f", &json!(6), 4),
        Err(StoreError::NotFound)
    ));
    assert_count_matches(&store, "d", 4);
    assert_eq!(store.draft_item("d", "f").unwrap(), None);
    assert_eq!(store.draft("d").unwrap().unwrap().version, version + 1);

    let version = store
        .update_draft(
            "d",
            &DraftUpdate {
                expected_version: version + 1,
                items: vec![("a".into(), None), ("missing".into(), None)],
                now: 5,
                ..Default::default()
            },
        )
        .unwrap();
    assert_count_matches(&store, "d", 3);

    store
        .update_draft(
            "d",
            &DraftUpdate {
                expected_version: version,
                clear_items: true,
                items: vec![("z".into(), Some(json!(0)))],
                now: 6,
                ..Default::default()
            },
        )
        .unwrap();
    assert_count_matches(&store, "d", 1);

    assert!(store.delete_draft("d").unwrap());
    assert_eq!(store.draft_item_count("d").unwrap(), 0);
}

#[test]
fn count_is_backfilled_for_drafts_written_before_it_was_stored() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("imprint.db");
    {
        let store = SqliteStore::open(&path).unwrap();
        store
            .create_draft(
                &draft("d"),
                &[("a".into(), json!(1)), ("b".into(), json!(2))],
            )
            .unwrap();
    }
    // Roll the file back to before the count existed, as an older Imprint left it.
    let connection = rusqlite::Connection::open(&path).unwrap();
    connection
        .execute_batch(
            "ALTER TABLE drafts DROP COLUMN item_count;
             DROP TABLE pending_deployments;
             ALTER TABLE sites DROP COLUMN site_group;
             DROP TABLE key_retirements;
             DROP TABLE audit_log;
             DROP TABLE publish_requests;
             ALTER TABLE tokens DROP COLUMN role;
             PRAGMA user_version = 4;",
        )
        .unwrap();
    drop(connection);
    let store = SqliteStore::open(&path).unwrap();
    assert_count_matches(&store, "d", 2);
}
