//! The store conformance suite (crates/imprint-test-support/src/conformance) on
//! PostgreSQL, each test in a fresh schema of the database `IMPRINT_TEST_DATABASE_URL`
//! names (`scripts/dev-postgres start` makes one; CI sets it). Without it, every test
//! prints a note and passes vacuously. Then what only this backend has: migrations
//! racing under the advisory lock, and sync calls from inside tokio runtimes.

use std::sync::atomic::{AtomicUsize, Ordering};

use imprint_store::{RevisionRow, Store};
use imprint_store_postgres::PostgresStore;
use imprint_test_support::conformance::Database;
use serde_json::json;

/// A fresh schema, dropped at the end of the test.
struct Schema {
    url: String,
    name: String,
}

impl Database for Schema {
    fn open(&self) -> Box<dyn Store> {
        Box::new(
            PostgresStore::connect_in_schema(&self.url, &self.name).expect("a PostgreSQL store"),
        )
    }
}

impl Drop for Schema {
    fn drop(&mut self) {
        let _ = PostgresStore::drop_schema(&self.url, &self.name);
    }
}

fn fresh() -> Option<Schema> {
    static NEXT: AtomicUsize = AtomicUsize::new(0);
    let Ok(url) = std::env::var("IMPRINT_TEST_DATABASE_URL") else {
        eprintln!(
            "IMPRINT_TEST_DATABASE_URL is not set: skipping this PostgreSQL test (scripts/dev-postgres start gives one)"
        );
        return None;
    };
    let name = format!(
        "conformance_{}_{}",
        std::process::id(),
        NEXT.fetch_add(1, Ordering::Relaxed)
    );
    Some(Schema { url, name })
}

imprint_test_support::store_conformance!(fresh);

fn revision(seq: i64) -> RevisionRow {
    RevisionRow {
        document: "doc".into(),
        seq,
        artifact_id: format!("a{seq}"),
        envelope: json!({"seq": seq}),
        created_at: seq,
    }
}

#[test]
fn replicas_starting_together_migrate_once() {
    let Some(schema) = fresh() else { return };
    let stores: Vec<Box<dyn Store>> = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..4).map(|_| scope.spawn(|| schema.open())).collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });
    stores[0].append_revision(&revision(1)).unwrap();
    assert_eq!(stores[3].head("doc").unwrap().unwrap().seq, 1);
}

#[test]
fn sync_calls_work_inside_current_thread_and_multi_thread_runtimes() {
    let Some(schema) = fresh() else { return };
    let store = schema.open();
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
        .block_on(async {
            store.append_revision(&revision(1)).unwrap();
        });
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap()
        .block_on(async {
            store.append_revision(&revision(2)).unwrap();
            // and from a spawned task, dropping a store inside the runtime too
            let other = schema.open();
            tokio::spawn(async move { other.head("doc").unwrap().unwrap().seq })
                .await
                .unwrap()
        });
    assert_eq!(store.head("doc").unwrap().unwrap().seq, 2);
}

#[test]
fn a_newer_schema_is_refused_with_advice() {
    let Some(schema) = fresh() else { return };
    drop(schema.open());
    let url = format!(
        "{}{}options=-c%20search_path%3D{}",
        schema.url,
        if schema.url.contains('?') { "&" } else { "?" },
        schema.name
    );
    let store = PostgresStore::connect(&url).unwrap();
    drop(store);
    // Record a migration this build does not know, through a plain connection.
    let status = std::process::Command::new("psql")
        .args([
            schema.url.as_str(),
            "-qc",
            &format!(
                "INSERT INTO {}.schema_migrations (version) VALUES (999)",
                schema.name
            ),
        ])
        .status();
    if !status.is_ok_and(|s| s.success()) {
        eprintln!("psql is not available: skipping the newer-schema check");
        return;
    }
    let error = PostgresStore::connect_in_schema(&schema.url, &schema.name)
        .err()
        .unwrap()
        .to_string();
    assert!(error.contains("upgrade imprint"), "{error}");
}

#[test]
fn an_unreachable_database_is_unavailable_and_says_where() {
    // Port 1 on loopback: nothing listens, the connection is refused at once.
    let error = PostgresStore::connect("postgres://imprint@127.0.0.1:1/imprint")
        .err()
        .unwrap();
    assert!(
        matches!(error, imprint_store::StoreError::Unavailable(_)),
        "{error:?}"
    );
    assert!(error.to_string().contains("127.0.0.1:1/imprint"), "{error}");
}
