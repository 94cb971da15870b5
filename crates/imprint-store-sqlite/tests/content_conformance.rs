//! What only the SQLite content tables promise: their lookups use indexes. (Everything
//! both backends share is in the conformance suite, tests/conformance.rs.)

use imprint_store_sqlite::SqliteStore;

#[test]
fn lookups_that_scale_use_indexes() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("imprint.db");
    drop(SqliteStore::open(&path).unwrap());
    let connection = rusqlite::Connection::open(&path).unwrap();
    let plan = |sql: &str| -> String {
        let mut statement = connection
            .prepare(&format!("EXPLAIN QUERY PLAN {sql}"))
            .unwrap();
        let rows: Vec<String> = statement
            .query_map([], |row| row.get::<_, String>(3))
            .unwrap()
            .map(Result::unwrap)
            .collect();
        rows.join(" | ")
    };
    let slug =
        plan("SELECT entry_id FROM entries WHERE section_id = 1 AND site_id = 1 AND slug = 'x'");
    assert!(
        slug.contains("USING COVERING INDEX entries_by_slug")
            || slug.contains("USING INDEX entries_by_slug"),
        "{slug}"
    );
    let by_id = plan("SELECT * FROM entries WHERE entry_id = 1 AND site_id = 1");
    assert!(by_id.contains("entries_by_entry"), "{by_id}");
    let search = plan(
        "SELECT e.entry_id FROM entries_search s JOIN entries e ON e.row_id = s.rowid WHERE entries_search MATCH 'x' AND e.deleted_at IS NULL ORDER BY s.rank LIMIT 10",
    );
    assert!(
        search.contains("VIRTUAL TABLE INDEX") && search.contains("INTEGER PRIMARY KEY"),
        "{search}"
    );
    let drafts = plan("SELECT id FROM entry_drafts WHERE canonical_id = 1");
    assert!(
        drafts.contains("entry_drafts_by_canonical")
            || drafts.contains("entry_drafts_one_provisional"),
        "{drafts}"
    );
    let by_type = plan("SELECT COUNT(*) FROM entries WHERE entry_type_id = 1");
    assert!(by_type.contains("entries_by_type"), "{by_type}");
}
