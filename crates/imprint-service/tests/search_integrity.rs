//! Search checks every hit against its head revision, reading the heads of the hits it has
//! not verified before in one call (`Store::heads`), and the revisions before those heads
//! in one more (`Store::artifact_ids`): a hit whose document moved past its row, or whose
//! head's parent is not the one it was signed after, is still refused, and sound hits still
//! answer. A fresh service (an empty cache of verified heads, as after a restart) over the
//! same SQLite store reads them.

use std::sync::Arc;

use imprint_service::api::{Id, IdList, JsonObject};
use imprint_service::content::{
    CreateEntry, CreateEntryType, CreateSection, SearchContent, UpdateEntry,
};
use imprint_service::{ErrorKind, Service, ServiceOptions};
use imprint_store::{RevisionRow, Store};
use imprint_store_sqlite::SqliteStore;
use serde_json::json;

fn search(service: &Service, query: &str) -> Result<Vec<i64>, imprint_service::ServiceError> {
    service
        .search_content(SearchContent {
            query: Some(query.into()),
            limit: Some(10),
            ..Default::default()
        })
        .map(|found| {
            // Equal ranks: compare the entries found, not their order.
            let mut ids: Vec<i64> = found.results.iter().map(|hit| hit.entry_id).collect();
            ids.sort_unstable();
            ids
        })
}

/// A SQLite store with a "Blog" section of articles, and services over it.
struct Blog {
    dir: tempfile::TempDir,
    store: Arc<SqliteStore>,
    section_id: i64,
}

impl Blog {
    fn new() -> Self {
        let dir = tempfile::tempdir().unwrap();
        let store = Arc::new(SqliteStore::open_in_data_dir(&dir.path().join("data")).unwrap());
        let mut blog = Self {
            dir,
            store,
            section_id: 0,
        };
        let writer = blog.service();
        let entry_type = writer
            .create_entry_type(CreateEntryType {
                name: "Article".into(),
                ..Default::default()
            })
            .unwrap()
            .entry_type;
        blog.section_id = writer
            .create_section(CreateSection {
                name: "Blog".into(),
                entry_type_ids: IdList(vec![Id(entry_type.entry_type_id)]),
                ..Default::default()
            })
            .unwrap()
            .section
            .section_id;
        blog
    }

    fn data(&self) -> std::path::PathBuf {
        self.dir.path().join("data")
    }

    /// A fresh service: an empty cache of verified heads, as after a restart.
    fn service(&self) -> Service {
        Service::new(
            ServiceOptions::new(self.data(), self.dir.path().to_path_buf()),
            self.store.clone(),
        )
    }

    fn create(&self, writer: &Service, title: &str) -> i64 {
        writer
            .create_entry(CreateEntry {
                section_id: Id(self.section_id),
                entry_type_id: None,
                site_id: None,
                attribute_and_field_data: Some(object(json!({"title": title}))),
                site_ids: None,
            })
            .unwrap()
            .entry
            .entry_id
    }
}

fn object(value: serde_json::Value) -> JsonObject {
    JsonObject(value.as_object().cloned().unwrap())
}

#[test]
fn hits_are_checked_against_heads_read_together() {
    let blog = Blog::new();
    let writer = blog.service();
    let create = |title: &str| blog.create(&writer, title);
    let first = create("Heron marsh");
    let second = create("Heron reed");
    let third = create("Heron pond marsh");

    // A fresh service has verified no head: three hits, their heads read together.
    let reader = blog.service();
    assert_eq!(search(&reader, "heron").unwrap(), [first, second, third]);

    // A revision the row never took (written around Imprint) makes that hit refused.
    let head = blog
        .store
        .head(&format!("entry/{second}/1"))
        .unwrap()
        .expect("a head");
    blog.store
        .append_revision(&RevisionRow {
            seq: head.seq + 1,
            artifact_id: "forged".into(),
            ..head
        })
        .unwrap();
    let reader = blog.service();
    let refused = search(&reader, "heron").unwrap_err();
    assert_eq!(refused.kind(), ErrorKind::Integrity, "{refused:?}");
    assert!(
        refused.message().contains(&format!(
            "entry {second} in site 1 was changed outside Imprint"
        )),
        "{}",
        refused.message()
    );
    // The sound hits still answer, two at once.
    let reader = blog.service();
    assert_eq!(search(&reader, "marsh").unwrap(), [first, third]);
    assert_eq!(
        search(&reader, "heron").map_err(|e| e.kind()),
        Err(ErrorKind::Integrity)
    );
}

#[test]
fn hits_past_their_first_revision_are_checked_against_parents_read_together() {
    let blog = Blog::new();
    let writer = blog.service();
    // Three entries at their second revision, one at its first; all but the second in a marsh.
    let mut ids = Vec::new();
    for (title, edited) in [
        ("Heron one marsh", true),
        ("Heron two", true),
        ("Heron three marsh", true),
        ("Heron four marsh", false),
    ] {
        let id = blog.create(&writer, title);
        if edited {
            writer
                .update_entry(UpdateEntry {
                    entry_id: Id(id),
                    attribute_and_field_data: object(json!({"title": format!("{title} heron")})),
                    site_id: None,
                    site_ids: None,
                })
                .unwrap();
        }
        ids.push(id);
    }
    let reader = blog.service();
    assert_eq!(search(&reader, "heron").unwrap(), ids);

    // The first revision of the second entry changed in the database: its head's signed
    // parent is no longer the revision before it.
    let db = rusqlite::Connection::open(blog.data().join("imprint.db")).unwrap();
    let changed = db
        .execute(
            "UPDATE revisions SET artifact_id = 'forged' WHERE document = ?1 AND seq = 1",
            [format!("entry/{}/1", ids[1])],
        )
        .unwrap();
    assert_eq!(changed, 1);
    let reader = blog.service();
    let refused = search(&reader, "heron").unwrap_err();
    assert_eq!(refused.kind(), ErrorKind::Integrity, "{refused:?}");
    assert!(
        refused.message().contains("copied or moved"),
        "{}",
        refused.message()
    );
    // The other hits, two of them at their second revision, still answer: their heads and
    // parents read together.
    let reader = blog.service();
    assert_eq!(search(&reader, "marsh").unwrap(), [ids[0], ids[2], ids[3]]);
}
