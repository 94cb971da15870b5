//! New stores get 4 KiB pages (a cheaper durable commit) with revision envelopes kept in
//! their rows (migration 0010) and an audit log without AUTOINCREMENT (0011: one page
//! fewer per audited commit); stores created with 16 KiB pages keep their page size and
//! their layout.

use std::path::Path;

use imprint_store::team::{AuditRow, TeamStore};
use imprint_store::{RevisionRow, Store};
use imprint_store_sqlite::SqliteStore;
use serde_json::json;

/// A revision of about the size a signed config or entry envelope has (~1.1 KB).
fn revision(document: &str, seq: i64) -> RevisionRow {
    RevisionRow {
        document: document.into(),
        seq,
        artifact_id: format!("{seq:064x}"),
        envelope: json!({"payload": "x".repeat(1_000), "seq": seq, "signature": "s".repeat(88)}),
        created_at: seq,
    }
}

fn connection(path: &Path) -> rusqlite::Connection {
    rusqlite::Connection::open(path).unwrap()
}

fn page_size(path: &Path) -> i64 {
    connection(path)
        .pragma_query_value(None, "page_size", |row| row.get(0))
        .unwrap()
}

fn table_sql(path: &Path, table: &str) -> String {
    connection(path)
        .query_row(
            "SELECT sql FROM sqlite_schema WHERE type = 'table' AND name = ?1",
            [table],
            |row| row.get(0),
        )
        .unwrap()
}

fn revisions_sql(path: &Path) -> String {
    table_sql(path, "revisions")
}

fn audit(operation: &str) -> AuditRow {
    AuditRow {
        seq: 0,
        at: 1,
        actor: "me".into(),
        token_id: None,
        role: "admin".into(),
        surface: "cli".into(),
        operation: operation.into(),
        target: String::new(),
    }
}

/// Appends three audit rows and checks their seqs count on from `after`, and that the log
/// still refuses changes.
fn audit_appends_in_order(store: &SqliteStore, path: &Path, after: i64) {
    for (n, operation) in ["a", "b", "c"].into_iter().enumerate() {
        let seq = store.append_audit(&audit(operation)).unwrap();
        assert_eq!(seq, after + 1 + i64::try_from(n).unwrap());
    }
    let log = store.audit_log(10).unwrap();
    assert_eq!(log[0].seq, after + 3);
    assert_eq!(log[0].operation, "c");
    let refused = connection(path).execute("DELETE FROM audit_log WHERE seq = ?1", [after + 3]);
    assert!(refused.is_err(), "the audit log must stay append-only");
}

/// Overflow pages under the revisions table and its key, from SQLite's own page walk.
fn revision_overflow_pages(path: &Path) -> i64 {
    connection(path)
        .query_row(
            "SELECT count(*) FROM dbstat
             WHERE pagetype = 'overflow' AND (name = 'revisions' OR name LIKE 'sqlite_autoindex_revisions%')",
            [],
            |row| row.get(0),
        )
        .unwrap()
}

fn append_and_read_back(store: &SqliteStore, count: i64) {
    for seq in 1..=count {
        store
            .append_revision(&revision("config/cursor/default", seq))
            .unwrap();
    }
    assert_eq!(
        store.head("config/cursor/default").unwrap().unwrap(),
        revision("config/cursor/default", count)
    );
    let seven = revision("config/cursor/default", 7);
    assert_eq!(
        store.revision("config/cursor/default", 7).unwrap().unwrap(),
        seven
    );
    assert_eq!(
        store
            .revision_by_artifact("config/cursor/default", &seven.artifact_id)
            .unwrap()
            .unwrap(),
        seven
    );
}

#[test]
fn a_new_store_has_4_kib_pages_and_keeps_envelopes_in_their_rows() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("imprint.db");
    let store = SqliteStore::open(&path).unwrap();
    append_and_read_back(&store, 100);
    audit_appends_in_order(&store, &path, 0);
    // the same (document, seq) twice is still refused
    assert!(
        store
            .append_revision(&revision("config/cursor/default", 100))
            .is_err()
    );
    drop(store);
    assert_eq!(page_size(&path), 4_096);
    assert!(!revisions_sql(&path).contains("WITHOUT ROWID"));
    assert!(!table_sql(&path, "audit_log").contains("AUTOINCREMENT"));
    assert_eq!(revision_overflow_pages(&path), 0);
}

#[test]
fn a_store_created_with_16_kib_pages_keeps_them_and_its_table() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("imprint.db");
    {
        // as an earlier Imprint created it: the page size is fixed when the file is made
        let connection = connection(&path);
        connection.pragma_update(None, "page_size", 16_384).unwrap();
        connection
            .pragma_update(None, "journal_mode", "WAL")
            .unwrap();
    }
    let store = SqliteStore::open(&path).unwrap();
    append_and_read_back(&store, 100);
    audit_appends_in_order(&store, &path, 0);
    drop(store);
    assert_eq!(page_size(&path), 16_384);
    assert!(revisions_sql(&path).contains("WITHOUT ROWID"));
    assert!(table_sql(&path, "audit_log").contains("AUTOINCREMENT"));
    assert_eq!(revision_overflow_pages(&path), 0);
}

#[test]
fn an_older_4_kib_store_gets_the_rowid_table_with_its_revisions() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("imprint.db");
    {
        let store = SqliteStore::open(&path).unwrap();
        for seq in 1..=50 {
            store
                .append_revision(&revision("config/cursor/default", seq))
                .unwrap();
        }
    }
    // Roll the table back to the layout before migration 0010, as an older Imprint left a
    // store it created with 4 KiB pages: the envelopes then spill to overflow pages.
    connection(&path)
        .execute_batch(
            "CREATE TABLE revisions_old (
                 document TEXT NOT NULL, seq INTEGER NOT NULL, artifact_id TEXT NOT NULL,
                 envelope TEXT NOT NULL, created_at INTEGER NOT NULL,
                 PRIMARY KEY (document, seq)
             ) WITHOUT ROWID;
             INSERT INTO revisions_old SELECT document, seq, artifact_id, envelope, created_at FROM revisions;
             DROP TABLE revisions;
             ALTER TABLE revisions_old RENAME TO revisions;
             CREATE INDEX revisions_by_artifact ON revisions (document, artifact_id, seq);
             DROP TABLE audit_log;
             CREATE TABLE audit_log (
                 seq INTEGER PRIMARY KEY AUTOINCREMENT, at INTEGER NOT NULL,
                 actor TEXT NOT NULL, token_id TEXT, role TEXT NOT NULL, surface TEXT NOT NULL,
                 operation TEXT NOT NULL, target TEXT NOT NULL
             );
             INSERT INTO audit_log (at, actor, role, surface, operation, target)
                 VALUES (1, 'me', 'admin', 'cli', 'x', ''), (1, 'me', 'admin', 'cli', 'y', '');
             CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
             BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
             CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
             BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
             PRAGMA user_version = 9;",
        )
        .unwrap();
    assert!(revision_overflow_pages(&path) > 0);
    let store = SqliteStore::open(&path).unwrap();
    let history = store.history("config/cursor/default", 1_000).unwrap();
    assert_eq!(history.len(), 50);
    assert_eq!(history[0], revision("config/cursor/default", 50));
    assert_eq!(history[49], revision("config/cursor/default", 1));
    let seven = revision("config/cursor/default", 7);
    assert_eq!(
        store
            .revision_by_artifact("config/cursor/default", &seven.artifact_id)
            .unwrap()
            .unwrap(),
        seven
    );
    store
        .append_revision(&revision("config/cursor/default", 51))
        .unwrap();
    assert!(
        store
            .append_revision(&revision("config/cursor/default", 51))
            .is_err()
    );
    // the log kept its rows and counts on after them
    assert_eq!(store.audit_log(10).unwrap().len(), 2);
    audit_appends_in_order(&store, &path, 2);
    drop(store);
    assert!(!revisions_sql(&path).contains("WITHOUT ROWID"));
    assert!(!table_sql(&path, "audit_log").contains("AUTOINCREMENT"));
    assert_eq!(revision_overflow_pages(&path), 0);
    let user_version: i64 = connection(&path)
        .pragma_query_value(None, "user_version", |row| row.get(0))
        .unwrap();
    assert_eq!(user_version, 11);
}
