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
    if psql_in(
        &schema,
        "INSERT INTO schema_migrations (version) VALUES (999)",
    )
    .is_none()
    {
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

/// `sql` run by psql in the schema; its output, or `None` when psql is not available.
fn psql_in(schema: &Schema, sql: &str) -> Option<String> {
    let output = std::process::Command::new("psql")
        .args([
            schema.url.as_str(),
            "-v",
            "ON_ERROR_STOP=1",
            "-qAtc",
            &format!("SET search_path TO {}; {sql}", schema.name),
        ])
        .output()
        .ok()?;
    assert!(
        output.status.success(),
        "psql: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    Some(String::from_utf8(output.stdout).unwrap().trim().to_string())
}

/// Migration 0013 covers a window's range by the fewest recency blocks of three sizes
/// (4,096, 32,768 and 262,144 row ids): over ranges from empty to 700,000 row ids, at
/// every alignment, the cover names each block of the range exactly once and nothing else.
#[test]
fn a_range_is_covered_by_each_of_its_blocks_exactly_once() {
    let Some(schema) = fresh() else { return };
    drop(schema.open());
    let Some(wrong) = psql_in(
        &schema,
        "SELECT count(*) FROM (
             SELECT lower, lower + width AS top
             FROM generate_series(0, 1200000, 9973) lower,
                  unnest('{0,1,4095,4096,30000,32768,40000,262143,300000,700000}'::BIGINT[]) width) r
         WHERE (SELECT array_agg(b ORDER BY b) FROM (
                    SELECT generate_series(m[2]::BIGINT * size, m[2]::BIGINT * size + size - 1) b
                    FROM regexp_matches(entry_search_range(lower, top), '''~([rst])(\\d+)''', 'g') m,
                         LATERAL (SELECT CASE m[1] WHEN 't' THEN 64 WHEN 's' THEN 8 ELSE 1 END AS size) s) c)
               IS DISTINCT FROM (SELECT array_agg(b) FROM generate_series(lower / 4096, top / 4096) b)",
    ) else {
        eprintln!("psql is not available: skipping the range cover check");
        return;
    };
    assert_eq!(wrong, "0", "ranges whose cover is not exactly their blocks");
}

/// The window stories again, with row ids 211 apart from 200,000 on: their ranges then
/// span the coarse blocks of migration 0013, which a few thousand consecutive row ids never
/// fill; every row written or updated must hold its blocks' lexemes.
#[test]
fn the_window_is_the_same_when_ranges_span_coarse_blocks() {
    use imprint_test_support::conformance::content;
    let stories: [fn(&dyn Database); 3] = [
        content::the_window_is_the_newest_matches_at_any_density,
        content::the_window_is_the_newest_matches_when_density_drifts,
        content::a_prefix_or_several_terms_take_the_window_of_the_newest_matches,
    ];
    for story in stories {
        let Some(schema) = fresh() else { return };
        drop(schema.open());
        let spread =
            "ALTER TABLE entries ALTER COLUMN row_id SET INCREMENT BY 211 RESTART WITH 200000";
        if psql_in(&schema, spread).is_none() {
            eprintln!("psql is not available: skipping the coarse-block stories");
            return;
        }
        story(&schema);
        // Rows updated in place are copied again (an upsert): they keep their lexemes.
        psql_in(
            &schema,
            "UPDATE entries SET enabled = NOT enabled WHERE row_id % 3 = 0",
        )
        .unwrap();
        let rows = psql_in(
            &schema,
            "SELECT count(*), count(*) FILTER (WHERE NOT search @@ format('''~r%s'' & ''~s%s'' & ''~t%s''',
                 row_id / 4096, row_id / 32768, row_id / 262144)::tsquery), max(row_id)
             FROM entry_search",
        )
        .unwrap();
        let [count, without, top]: [i64; 3] = rows
            .split('|')
            .map(|n| n.parse().unwrap())
            .collect::<Vec<_>>()
            .try_into()
            .unwrap();
        assert!(count >= 400, "{rows}");
        assert_eq!(without, 0, "rows without their blocks' lexemes: {rows}");
        assert!(
            top > 262_144,
            "the rows reach a second 262,144 block: {rows}"
        );
    }
}

/// Migration 0014 keeps a fifth of each search-table page free: a row rewritten by an edit
/// (its vector changes, so never a HOT update) stays on its page, and the newest rows stay
/// together instead of moving into holes all over the table.
#[test]
fn an_edited_search_row_stays_on_its_page() {
    let Some(schema) = fresh() else { return };
    drop(schema.open());
    // 120 rows of about 500 bytes each: the first page is as full as the table lets it be.
    let seed = "INSERT INTO entry_search (row_id, entry_id, site_id, section_id, enabled, search)
                SELECT g, g, 1, 1, TRUE, array_to_tsvector(ARRAY(
                    SELECT format('w%s_%s', g, i) FROM generate_series(1, 40) i))
                FROM generate_series(1, 120) g";
    if psql_in(&schema, seed).is_none() {
        eprintln!("psql is not available: skipping the page reserve check");
        return;
    }
    let pages = "SELECT string_agg(((ctid::text::point)[0])::text, ',' ORDER BY row_id)
                 FROM entry_search WHERE row_id IN (1, 2)";
    let before = psql_in(&schema, pages).unwrap();
    assert_eq!(before, "0,0", "the first rows start on the first page");
    for row in [1, 2] {
        psql_in(
            &schema,
            &format!(
                "UPDATE entry_search SET search = search || 'edited'::tsvector WHERE row_id = {row}"
            ),
        )
        .unwrap();
    }
    assert_eq!(
        psql_in(&schema, pages).unwrap(),
        before,
        "edited rows moved off their page"
    );
}

/// Migration 0015 indexes the search table's filter columns: a common word searched in a
/// status none of its matches has (the window holds no hit, so the search looks further
/// back) starts from the disabled rows' index instead of every match of the word.
#[test]
fn a_filtered_search_past_its_window_starts_from_the_filters_index() {
    let Some(schema) = fresh() else { return };
    drop(schema.open());
    let seed = "INSERT INTO entry_search (row_id, entry_id, site_id, section_id, enabled, post_date, search)
                SELECT g, g, 1, 1, TRUE, 0, 'common'::tsvector FROM generate_series(1, 20000) g;
                ANALYZE entry_search";
    if psql_in(&schema, seed).is_none() {
        eprintln!("psql is not available: skipping the filter index check");
        return;
    }
    // Each psql is its own session: its statistics are flushed when it ends.
    let hits = psql_in(
        &schema,
        "SELECT count(*) FROM entry_search_hits('''common''', '''common'':A', '{}', 100, 10,
                                                NULL, NULL, 'disabled', 1000)",
    )
    .unwrap();
    assert_eq!(hits, "0", "no entry is disabled");
    let scans = psql_in(
        &schema,
        "SELECT coalesce(sum(idx_scan), -1) FROM pg_stat_user_indexes
         WHERE relid = 'entry_search'::regclass AND indexrelname = 'entry_search_disabled'",
    )
    .unwrap();
    assert!(
        scans.parse::<i64>().unwrap() > 0,
        "the disabled rows' index was not used (scans: {scans})"
    );
}
