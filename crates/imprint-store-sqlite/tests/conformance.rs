//! The store conformance suite (crates/imprint-test-support/src/conformance) on SQLite,
//! each test on a fresh database file; then what only SQLite has (its schema version).

use imprint_store::Store;
use imprint_store_sqlite::SqliteStore;
use imprint_test_support::conformance::Database;

/// A fresh database file in a temporary directory.
struct SqliteFile(tempfile::TempDir);

impl Database for SqliteFile {
    fn open(&self) -> Box<dyn Store> {
        Box::new(SqliteStore::open(&self.0.path().join("imprint.db")).expect("a SQLite store"))
    }
}

fn fresh() -> Option<SqliteFile> {
    Some(SqliteFile(
        tempfile::tempdir().expect("a temporary directory"),
    ))
}

imprint_test_support::store_conformance!(fresh);

#[test]
fn newer_schema_is_refused_with_advice() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("imprint.db");
    drop(SqliteStore::open(&path).unwrap());
    rusqlite::Connection::open(&path)
        .unwrap()
        .pragma_update(None, "user_version", 99)
        .unwrap();
    let error = SqliteStore::open(&path).err().unwrap().to_string();
    assert!(error.contains("upgrade imprint"), "{error}");
}
