//! The content store story: what every backend must do for the content family, run
//! by every backend against a real database. Rows in, rows out; the checks that need a transaction
//! (heads, slugs, draft versions, one provisional draft) hold; a failed check writes
//! nothing.

use imprint_store::content::{
    DraftFilter, EntryDraftRow, EntryDraftUpdate, EntryRow, EntryTypeRow, EntryWrite,
    FieldLayoutRow, FieldRow, Impact, Scope, SearchQuery, SearchTerm, SectionRow, SiteRow,
    WriteCheck,
};
use imprint_store::{ContentStore, RevisionRow, Store, StoreError};
use serde_json::json;

use super::Database;

fn layout(id: i64) -> FieldLayoutRow {
    FieldLayoutRow {
        id,
        kind: "craft\\elements\\Entry".into(),
        tabs: json!([{"uid": "t", "name": "Content", "elements": [{"uid": "e", "type": "title", "fieldId": 1}]}]),
        created_at: 1,
        updated_at: 1,
    }
}

fn entry_type(handle: &str) -> EntryTypeRow {
    EntryTypeRow {
        id: 0,
        name: handle.into(),
        handle: handle.into(),
        field_layout_id: 0,
        has_title_field: true,
        title_format: None,
        settings: json!({}),
        created_at: 1,
        updated_at: 1,
    }
}

fn section(handle: &str, entry_type_ids: Vec<i64>) -> SectionRow {
    SectionRow {
        id: 0,
        name: handle.into(),
        handle: handle.into(),
        kind: "channel".into(),
        settings: json!({"siteSettings": {}}),
        entry_type_ids,
        created_at: 1,
        updated_at: 1,
    }
}

/// A store with one entry type (id 1, layout 1) in one section (id 1).
fn with_structure(db: &dyn Database) -> Box<dyn Store> {
    let store = db.open();
    let content = store.content();
    let (type_id, layout_id) = content
        .insert_entry_type(&entry_type("article"), Some(&layout(0)))
        .unwrap();
    assert_eq!((type_id, layout_id), (1, 1));
    assert_eq!(
        content.insert_section(&section("blog", vec![1])).unwrap(),
        1
    );
    store
}

fn write(entry_id: i64, site_id: i64, slug: &str, seq: i64, title: &str, body: &str) -> EntryWrite {
    let document = format!("entry/{entry_id}/{site_id}");
    EntryWrite {
        row: EntryRow {
            entry_id,
            site_id,
            section_id: 1,
            entry_type_id: 1,
            author: Some("tester".into()),
            title: Some(title.into()),
            slug: slug.into(),
            uri: Some(format!("blog/{slug}")),
            post_date: Some(100),
            expiry_date: None,
            enabled: true,
            fields: json!({"1": body}),
            head_seq: seq,
            created_at: 1,
            updated_at: seq,
            deleted_at: None,
        },
        revision: RevisionRow {
            document,
            seq,
            artifact_id: format!("a{entry_id}-{seq}"),
            envelope: json!({"seq": seq, "title": title}),
            created_at: seq,
        },
        search_title: title.into(),
        search_body: body.into(),
    }
}

fn create(store: &dyn Store, slug: &str, title: &str, body: &str) -> i64 {
    let written = store
        .content()
        .write_entry(
            WriteCheck {
                entry_id: None,
                site_id: 1,
                expected_head: None,
                draft: None,
            },
            &mut |id| Ok(write(id, 1, slug, 1, title, body)),
        )
        .unwrap();
    written.row.entry_id
}

/// Titles found for one plain term (`word`, or `pre*` for a prefix).
fn search(store: &dyn Store, term: &str, status: &str) -> Vec<String> {
    store
        .content()
        .search(&SearchQuery {
            terms: search_terms(term),
            status: status.into(),
            now: 1_000,
            limit: 10,
            ..Default::default()
        })
        .unwrap()
        .into_iter()
        .map(|hit| hit.row.title.unwrap_or_default())
        .collect()
}

fn draft(canonical_id: Option<i64>, creator: &str, provisional: bool) -> EntryDraftRow {
    EntryDraftRow {
        id: 0,
        canonical_id,
        site_id: 1,
        section_id: 1,
        entry_type_id: 1,
        name: "Draft 1".into(),
        notes: None,
        creator: Some(creator.into()),
        provisional,
        base_seq: Some(1),
        content: json!({"title": "d"}),
        version: 1,
        created_at: 5,
        updated_at: 5,
    }
}

pub fn a_fresh_store_has_one_primary_site_and_sites_keep_one_primary(db: &dyn Database) {
    let store = db.open();
    let content = store.content();
    let sites = content.sites().unwrap();
    assert_eq!(sites.len(), 1);
    assert_eq!(
        (
            sites[0].id,
            sites[0].handle.as_str(),
            sites[0].language.as_str(),
            sites[0].primary
        ),
        (1, "default", "en-US", true)
    );
    let french = SiteRow {
        id: 0,
        name: "French".into(),
        handle: "fr".into(),
        language: "fr-FR".into(),
        base_url: Some("https://example.com/fr/".into()),
        primary: true,
        created_at: 2,
        updated_at: 2,
        group: "europe".into(),
    };
    let id = content.insert_site(&french).unwrap();
    let sites = content.sites().unwrap();
    assert_eq!(
        sites
            .iter()
            .filter(|s| s.primary)
            .map(|s| s.id)
            .collect::<Vec<_>>(),
        vec![id]
    );
    assert_eq!(
        content.site(id).unwrap().unwrap().base_url.as_deref(),
        Some("https://example.com/fr/")
    );
    assert_eq!(content.site(id).unwrap().unwrap().group, "europe");
    assert_eq!(content.site(1).unwrap().unwrap().group, "default");
    let mut first = content.site(1).unwrap().unwrap();
    first.primary = true;
    content.update_site(&first).unwrap();
    assert_eq!(
        content
            .sites()
            .unwrap()
            .iter()
            .filter(|s| s.primary)
            .count(),
        1
    );
    assert!(matches!(
        content.insert_site(&SiteRow {
            handle: "fr".into(),
            primary: false,
            ..french.clone()
        }),
        Err(StoreError::Conflict(_))
    ));
    assert!(matches!(
        content.update_site(&SiteRow { id: 99, ..french }),
        Err(StoreError::NotFound)
    ));
}

pub fn structure_rows_round_trip_and_handles_are_unique(db: &dyn Database) {
    let store = with_structure(db);
    let content = store.content();
    let (video, video_layout) = content
        .insert_entry_type(&entry_type("video"), Some(&layout(0)))
        .unwrap();
    let mut blog = content.section(1).unwrap().unwrap();
    blog.entry_type_ids = vec![video, 1];
    blog.settings = json!({"siteSettings": {"1": {"uriFormat": "news/{slug}"}}});
    content.update_section(&blog).unwrap();
    let read = content.section(1).unwrap().unwrap();
    assert_eq!(
        read.entry_type_ids,
        vec![video, 1],
        "entry type order is kept"
    );
    assert_eq!(
        read.settings["siteSettings"]["1"]["uriFormat"],
        "news/{slug}"
    );
    assert_eq!(
        content.sections().unwrap()[0].entry_type_ids,
        vec![video, 1]
    );
    assert!(matches!(
        content.insert_section(&section("blog", vec![1])),
        Err(StoreError::Conflict(_))
    ));
    assert!(matches!(
        content.insert_entry_type(&entry_type("video"), Some(&layout(0))),
        Err(StoreError::Conflict(_))
    ));

    let field = FieldRow {
        id: 0,
        name: "Body".into(),
        handle: "body".into(),
        field_type: "craft\\fields\\PlainText".into(),
        instructions: Some("write".into()),
        searchable: true,
        settings: json!({"charLimit": 10}),
        created_at: 1,
        updated_at: 1,
    };
    let field_id = content.insert_field(&field).unwrap();
    assert_eq!(
        content.field(field_id).unwrap().unwrap(),
        FieldRow {
            id: field_id,
            ..field.clone()
        }
    );
    assert!(matches!(
        content.insert_field(&field),
        Err(StoreError::Conflict(_))
    ));
    let mut renamed = content.field(field_id).unwrap().unwrap();
    renamed.handle = "text".into();
    content.update_field(&renamed).unwrap();
    assert_eq!(content.fields().unwrap()[0].handle, "text");

    // Deleting a field saves the layouts that held it, in the same transaction.
    let emptied = FieldLayoutRow {
        tabs: json!([]),
        updated_at: 9,
        ..content.field_layout(video_layout).unwrap().unwrap()
    };
    assert!(
        content
            .delete_field(field_id, std::slice::from_ref(&emptied))
            .unwrap()
    );
    assert!(content.field(field_id).unwrap().is_none());
    assert_eq!(
        content.field_layout(video_layout).unwrap().unwrap().tabs,
        json!([])
    );
    assert!(!content.delete_field(field_id, &[]).unwrap());

    let standalone = content.insert_field_layout(&layout(0)).unwrap();
    let mut row = content.field_layout(standalone).unwrap().unwrap();
    row.tabs = json!([{"uid": "x", "name": "Other", "elements": []}]);
    content.update_field_layout(&row).unwrap();
    assert_eq!(content.field_layout(standalone).unwrap().unwrap(), row);
    assert_eq!(content.field_layouts().unwrap().len(), 3);
    assert!(matches!(
        content.update_field_layout(&FieldLayoutRow { id: 99, ..row }),
        Err(StoreError::NotFound)
    ));
}

pub fn writing_an_entry_stores_the_row_its_revision_and_its_search_text(db: &dyn Database) {
    let store = with_structure(db);
    let id = create(&*store, "hello", "Hello world", "first words");
    let row = store.content().entry(id, 1).unwrap().unwrap();
    assert_eq!(row.head_seq, 1);
    assert_eq!(row.fields, json!({"1": "first words"}));
    assert_eq!(
        store
            .head(&format!("entry/{id}/1"))
            .unwrap()
            .unwrap()
            .artifact_id,
        format!("a{id}-1")
    );
    assert_eq!(search(&*store, "words", "live"), ["Hello world"]);

    // An update replaces the search row and appends revision 2.
    store
        .content()
        .write_entry(
            WriteCheck {
                entry_id: Some(id),
                site_id: 1,
                expected_head: Some(1),
                draft: None,
            },
            &mut |id| Ok(write(id, 1, "hello", 2, "Hello again", "second text")),
        )
        .unwrap();
    assert!(search(&*store, "words", "live").is_empty());
    assert_eq!(search(&*store, "second", "live"), ["Hello again"]);
    assert_eq!(
        store.history(&format!("entry/{id}/1"), 10).unwrap().len(),
        2
    );
    assert_eq!(store.content().entry_sites(id).unwrap().len(), 1);
}

pub fn a_stale_head_a_taken_slug_or_a_moved_draft_writes_nothing(db: &dyn Database) {
    let store = with_structure(db);
    let content = store.content();
    let id = create(&*store, "taken", "Taken", "a");
    let other = create(&*store, "other", "Other", "b");
    let draft_id = content
        .insert_entry_draft(&draft(Some(id), "tester", false))
        .unwrap();

    let stale = content.write_entry(
        WriteCheck {
            entry_id: Some(id),
            site_id: 1,
            expected_head: Some(7),
            draft: None,
        },
        &mut |id| Ok(write(id, 1, "taken", 8, "Stale", "x")),
    );
    assert!(matches!(stale, Err(StoreError::Conflict(_))));
    let slug = content.write_entry(
        WriteCheck {
            entry_id: Some(other),
            site_id: 1,
            expected_head: Some(1),
            draft: None,
        },
        &mut |id| Ok(write(id, 1, "taken", 2, "Thief", "x")),
    );
    assert!(matches!(slug, Err(StoreError::Conflict(_))));
    let moved = content.write_entry(
        WriteCheck {
            entry_id: Some(id),
            site_id: 1,
            expected_head: Some(1),
            draft: Some((draft_id, 5)),
        },
        &mut |id| Ok(write(id, 1, "taken", 2, "From draft", "x")),
    );
    assert!(matches!(moved, Err(StoreError::Conflict(_))));
    let gone = content.write_entry(
        WriteCheck {
            entry_id: Some(id),
            site_id: 1,
            expected_head: Some(1),
            draft: Some((9999, 1)),
        },
        &mut |id| Ok(write(id, 1, "taken", 2, "From draft", "x")),
    );
    assert!(matches!(gone, Err(StoreError::NotFound)));
    let failed_build = content.write_entry(
        WriteCheck {
            entry_id: Some(id),
            site_id: 1,
            expected_head: Some(1),
            draft: Some((draft_id, 1)),
        },
        &mut |_| Err(StoreError::Other("signing failed".into())),
    );
    assert!(matches!(failed_build, Err(StoreError::Other(_))));

    assert_eq!(
        content.entry(id, 1).unwrap().unwrap().title.as_deref(),
        Some("Taken")
    );
    assert_eq!(content.entry(other, 1).unwrap().unwrap().slug, "other");
    assert_eq!(
        store.history(&format!("entry/{id}/1"), 10).unwrap().len(),
        1
    );
    assert!(content.entry_draft(draft_id).unwrap().is_some());
    assert_eq!(search(&*store, "taken", "live"), ["Taken"]);

    // Applying the draft at its version: entry, revision and draft deletion together.
    content
        .write_entry(
            WriteCheck {
                entry_id: Some(id),
                site_id: 1,
                expected_head: Some(1),
                draft: Some((draft_id, 1)),
            },
            &mut |id| Ok(write(id, 1, "taken", 2, "From draft", "x")),
        )
        .unwrap();
    assert!(content.entry_draft(draft_id).unwrap().is_none());
    assert_eq!(content.entry(id, 1).unwrap().unwrap().head_seq, 2);
}

pub fn entries_and_drafts_share_one_id_sequence_that_survives_reopening(db: &dyn Database) {
    let (entry_id, draft_id) = {
        let store = db.open();
        let content = store.content();
        content
            .insert_entry_type(&entry_type("article"), Some(&layout(0)))
            .unwrap();
        content.insert_section(&section("blog", vec![1])).unwrap();
        let entry_id = create(&*store, "one", "One", "x");
        let draft_id = content
            .insert_entry_draft(&draft(Some(entry_id), "tester", false))
            .unwrap();
        (entry_id, draft_id)
    };
    assert_ne!(entry_id, draft_id);
    let store = db.open();
    assert!(store.content().entry_draft(draft_id).unwrap().is_some());
    assert!(store.content().entry_sites(draft_id).unwrap().is_empty());
    let next = create(&*store, "two", "Two", "y");
    assert!(next > draft_id);
    let bulk = store
        .content()
        .insert_entries(3, &mut |index, id| {
            Ok(write(id, 1, &format!("bulk-{index}"), 1, "Bulk", "z"))
        })
        .unwrap();
    assert_eq!(bulk, vec![next + 1, next + 2, next + 3]);
    assert_eq!(store.content().count_entries(1, Some(1)).unwrap(), 5);
}

pub fn a_failed_bulk_insert_writes_nothing(db: &dyn Database) {
    let store = with_structure(db);
    let result = store.content().insert_entries(3, &mut |index, id| {
        Ok(write(
            id,
            1,
            if index == 0 { "a" } else { "dup" },
            1,
            "t",
            "b",
        ))
    });
    assert!(matches!(result, Err(StoreError::Conflict(_))));
    assert_eq!(store.content().count_entries(1, None).unwrap(), 0);
    assert!(search(&*store, "t", "all").is_empty());
}

/// A bulk insert (the seeding and import path) stores exactly what one write per entry
/// stores: the same row, revision and search text (same hits, same rank), ids in the
/// batch's order, across however many statements a backend splits a large batch into.
pub fn a_bulk_insert_stores_what_one_write_per_entry_stores(db: &dyn Database) {
    let store = with_structure(db);
    let content = store.content();
    let entry = |id: i64, index: usize, slug: &str| {
        let title = format!("Heron w{index:04} été");
        let body = format!("marsh reed{} crème brûlée", index % 7);
        let mut w = write(id, 1, slug, 1, &title, &body);
        w.row.uri = Some(format!("blog/{index}"));
        if index.is_multiple_of(3) {
            w.row.author = None;
            w.row.uri = None;
        }
        if index.is_multiple_of(5) {
            w.row.post_date = None;
            w.row.enabled = false;
        }
        if index % 4 == 1 {
            w.row.expiry_date = Some(50);
            w.row.title = None;
        }
        w.revision.envelope = json!({"index": index, "title": title});
        w
    };
    // More rows than one statement of a backend's bulk path takes (PostgreSQL: 1,000).
    let count = 1_203;
    let ids = content
        .insert_entries(count, &mut |index, id| {
            Ok(entry(id, index, &format!("bulk-{index}")))
        })
        .unwrap();
    assert_eq!(ids.len(), count);
    assert!(ids.windows(2).all(|pair| pair[1] == pair[0] + 1));
    let newest: Vec<i64> = content
        .search(&SearchQuery {
            status: "all".into(),
            now: 1_000,
            limit: 3,
            ..Default::default()
        })
        .unwrap()
        .into_iter()
        .map(|hit| hit.row.entry_id)
        .collect();
    assert_eq!(newest, [ids[count - 1], ids[count - 2], ids[count - 3]]);
    for index in [0, 1, 4, 5, 999, 1_000, 1_202] {
        let single = content
            .write_entry(
                WriteCheck {
                    entry_id: None,
                    site_id: 1,
                    expected_head: None,
                    draft: None,
                },
                &mut |id| Ok(entry(id, index, &format!("one-{index}"))),
            )
            .unwrap();
        let single_id = single.row.entry_id;
        let bulk_id = ids[index];
        let mut bulk_row = content.entry(bulk_id, 1).unwrap().unwrap();
        let single_row = content.entry(single_id, 1).unwrap().unwrap();
        assert_eq!(
            bulk_row,
            entry(bulk_id, index, &format!("bulk-{index}")).row
        );
        bulk_row.entry_id = single_id;
        bulk_row.slug = single_row.slug.clone();
        assert_eq!(bulk_row, single_row, "entry {index}");
        let bulk_revision = store.head(&format!("entry/{bulk_id}/1")).unwrap().unwrap();
        let single_revision = store
            .head(&format!("entry/{single_id}/1"))
            .unwrap()
            .unwrap();
        assert_eq!(
            bulk_revision,
            entry(bulk_id, index, "x").revision,
            "entry {index}"
        );
        assert_eq!(bulk_revision.envelope, single_revision.envelope);
        // The same search text: found by the same terms, at the same rank.
        for terms in [
            vec![SearchTerm::word(format!("w{index:04}"))],
            vec![
                SearchTerm::word(format!("w{index:04}")),
                SearchTerm::word("creme"),
            ],
            vec![
                SearchTerm::word("ete"),
                SearchTerm::prefix(format!("w{:03}", index / 10)),
            ],
        ] {
            let hits = content
                .search(&SearchQuery {
                    terms: terms.clone(),
                    status: "all".into(),
                    now: 1_000,
                    limit: 100,
                    ..Default::default()
                })
                .unwrap();
            let rank_of = |id: i64| {
                hits.iter()
                    .find(|hit| hit.row.entry_id == id)
                    .unwrap_or_else(|| panic!("entry {id} not found by {terms:?}"))
                    .rank
            };
            assert!(rank_of(bulk_id).is_some());
            assert_eq!(rank_of(bulk_id), rank_of(single_id), "{terms:?}");
        }
    }
}

pub fn search_ranks_titles_filters_and_limits(db: &dyn Database) {
    let store = with_structure(db);
    let content = store.content();
    create(&*store, "body-only", "Plain", "otter otter otter");
    create(&*store, "title", "Otter", "nothing");
    let mut pending = write(0, 1, "pending", 1, "Otter pending", "");
    pending.row.post_date = Some(5_000);
    let mut expired = write(0, 1, "expired", 1, "Otter expired", "");
    expired.row.expiry_date = Some(500);
    let mut disabled = write(0, 1, "disabled", 1, "Otter disabled", "");
    disabled.row.enabled = false;
    for template in [pending, expired, disabled] {
        content
            .write_entry(
                WriteCheck {
                    entry_id: None,
                    site_id: 1,
                    expected_head: None,
                    draft: None,
                },
                &mut |id| {
                    let mut w = template.clone();
                    w.row.entry_id = id;
                    w.revision.document = format!("entry/{id}/1");
                    Ok(w)
                },
            )
            .unwrap();
    }
    assert_eq!(
        search(&*store, "otter", "live"),
        ["Otter", "Plain"],
        "a title match ranks first"
    );
    assert_eq!(search(&*store, "otter", "pending"), ["Otter pending"]);
    assert_eq!(search(&*store, "otter", "expired"), ["Otter expired"]);
    assert_eq!(search(&*store, "otter", "disabled"), ["Otter disabled"]);
    assert_eq!(search(&*store, "otter", "all").len(), 5);
    assert_eq!(search(&*store, "ott*", "live").len(), 2);
    let limited = content
        .search(&SearchQuery {
            terms: vec![SearchTerm::word("otter")],
            status: "all".into(),
            now: 1_000,
            limit: 2,
            ..Default::default()
        })
        .unwrap();
    assert_eq!(limited.len(), 2);
    let other_section = content
        .search(&SearchQuery {
            terms: vec![SearchTerm::word("otter")],
            status: "all".into(),
            now: 1_000,
            limit: 10,
            section_ids: vec![2],
            ..Default::default()
        })
        .unwrap();
    assert!(other_section.is_empty());
    let other_site = content
        .search(&SearchQuery {
            terms: vec![SearchTerm::word("otter")],
            status: "all".into(),
            now: 1_000,
            limit: 10,
            site_id: Some(2),
            ..Default::default()
        })
        .unwrap();
    assert!(other_site.is_empty());

    let title_id = content.slug_owner(1, 1, "title").unwrap().unwrap();
    assert_eq!(content.set_trashed(title_id, Some(9)).unwrap(), 1);
    assert_eq!(
        search(&*store, "otter", "live"),
        ["Plain"],
        "trashed entries never match"
    );
    assert_eq!(
        content.slug_owner(1, 1, "title").unwrap(),
        Some(title_id),
        "a trashed entry keeps its slug"
    );
    content.set_trashed(title_id, None).unwrap();
    assert_eq!(search(&*store, "otter", "live").len(), 2);
}

pub fn impact_and_delete_scope_remove_entries_revisions_search_rows_and_drafts(db: &dyn Database) {
    let store = with_structure(db);
    let content = store.content();
    let id = create(&*store, "one", "Gone soon", "x");
    content
        .write_entry(
            WriteCheck {
                entry_id: Some(id),
                site_id: 1,
                expected_head: Some(1),
                draft: None,
            },
            &mut |id| Ok(write(id, 1, "one", 2, "Gone soon", "y")),
        )
        .unwrap();
    let keep = create(&*store, "two", "Stays", "x");
    content
        .insert_entry_draft(&draft(Some(id), "tester", false))
        .unwrap();
    assert_eq!(
        content.impact(Scope::Entry(id)).unwrap(),
        Impact {
            entries: 1,
            drafts: 1,
            revisions: 2
        }
    );
    assert_eq!(
        content.impact(Scope::Section(1)).unwrap(),
        Impact {
            entries: 2,
            drafts: 1,
            revisions: 3
        }
    );
    assert_eq!(
        content.delete_scope(Scope::Entry(id)).unwrap(),
        Impact {
            entries: 1,
            drafts: 1,
            revisions: 2
        }
    );
    assert!(content.entry_sites(id).unwrap().is_empty());
    assert!(store.head(&format!("entry/{id}/1")).unwrap().is_none());
    assert!(search(&*store, "gone", "all").is_empty());
    assert!(content.entry(keep, 1).unwrap().is_some());

    assert_eq!(content.delete_scope(Scope::Section(1)).unwrap().entries, 1);
    assert!(content.section(1).unwrap().is_none());
    assert_eq!(
        content.delete_scope(Scope::EntryType(1)).unwrap(),
        Impact::default()
    );
    assert!(content.entry_type(1).unwrap().is_none());
    assert!(
        content.field_layout(1).unwrap().is_none(),
        "an entry type's own layout goes with it"
    );
}

pub fn drafts_round_trip_update_by_version_and_one_provisional_per_entry_and_creator(
    db: &dyn Database,
) {
    let store = with_structure(db);
    let content = store.content();
    let id = create(&*store, "one", "One", "x");
    let regular = content
        .insert_entry_draft(&draft(Some(id), "tester", false))
        .unwrap();
    let provisional = content
        .insert_entry_draft(&draft(Some(id), "tester", true))
        .unwrap();
    assert!(matches!(
        content.insert_entry_draft(&draft(Some(id), "tester", true)),
        Err(StoreError::Conflict(_))
    ));
    content
        .insert_entry_draft(&draft(Some(id), "someone-else", true))
        .unwrap();
    content
        .insert_entry_draft(&draft(None, "tester", true))
        .unwrap();
    content
        .insert_entry_draft(&draft(None, "tester", true))
        .unwrap();
    assert_eq!(content.count_entry_drafts(Some(id)).unwrap(), 3);
    assert_eq!(content.count_entry_drafts(None).unwrap(), 2);

    let read = content.entry_draft(regular).unwrap().unwrap();
    assert_eq!(
        read,
        EntryDraftRow {
            id: regular,
            ..draft(Some(id), "tester", false)
        }
    );
    let update = EntryDraftUpdate {
        expected_version: 1,
        content: Some(json!({"title": "changed"})),
        name: Some("Renamed".into()),
        notes: Some(Some("why".into())),
        base_seq: Some(Some(4)),
        now: 9,
    };
    assert_eq!(content.update_entry_draft(regular, &update).unwrap(), 2);
    assert!(matches!(
        content.update_entry_draft(regular, &update),
        Err(StoreError::Conflict(_))
    ));
    assert!(matches!(
        content.update_entry_draft(4040, &update),
        Err(StoreError::NotFound)
    ));
    let read = content.entry_draft(regular).unwrap().unwrap();
    assert_eq!(
        (
            read.name.as_str(),
            read.notes.as_deref(),
            read.base_seq,
            read.version,
            read.updated_at
        ),
        ("Renamed", Some("why"), Some(4), 2, 9)
    );
    assert_eq!(read.content, json!({"title": "changed"}));
    // Only what is given changes.
    content
        .update_entry_draft(
            regular,
            &EntryDraftUpdate {
                expected_version: 2,
                now: 10,
                ..Default::default()
            },
        )
        .unwrap();
    let read = content.entry_draft(regular).unwrap().unwrap();
    assert_eq!(
        (read.name.as_str(), read.notes.as_deref(), read.base_seq),
        ("Renamed", Some("why"), Some(4))
    );

    let listed = content
        .entry_drafts(&DraftFilter {
            canonical_id: Some(id),
            provisional: Some(true),
            limit: 10,
            ..Default::default()
        })
        .unwrap();
    assert_eq!(listed.len(), 2);
    let mine = content
        .entry_drafts(&DraftFilter {
            creator: Some("tester".into()),
            from_scratch: true,
            limit: 10,
            ..Default::default()
        })
        .unwrap();
    assert_eq!(mine.len(), 2);
    assert_eq!(
        content
            .entry_drafts(&DraftFilter {
                limit: 1,
                ..Default::default()
            })
            .unwrap()
            .len(),
        1
    );
    let version = content.entry_draft(provisional).unwrap().unwrap().version;
    assert!(
        !content
            .delete_entry_draft_at(provisional, version + 1)
            .unwrap(),
        "a stale version deletes nothing"
    );
    assert!(content.entry_draft(provisional).unwrap().is_some());
    assert!(content.delete_entry_draft_at(provisional, version).unwrap());
    assert!(!content.delete_entry_draft(provisional).unwrap());
    content
        .insert_entry_draft(&draft(Some(id), "tester", true))
        .unwrap();
}

pub fn a_term_in_more_entries_than_the_window_is_served_newest_first_with_title_matches_first(
    db: &dyn Database,
) {
    let store = with_structure(db);
    let content = store.content();
    create(&*store, "old-title", "Heron", "marsh");
    create(&*store, "body-a", "Plain one", "heron marsh");
    create(&*store, "body-b", "Plain two", "heron marsh");
    create(&*store, "new-title", "Heron again", "marsh");
    create(&*store, "newest-body", "Plain three", "heron");
    let query = |terms: Vec<&str>, window: usize, limit: usize| {
        content
            .search(&SearchQuery {
                terms: terms.into_iter().map(SearchTerm::word).collect(),
                status: "live".into(),
                now: 1_000,
                limit,
                window,
                ..Default::default()
            })
            .unwrap()
    };
    let ranked = query(vec!["heron"], 0, 10);
    assert!(ranked.iter().all(|h| h.rank.is_some()));
    assert_eq!(ranked.len(), 5);
    let windowed = query(vec!["heron"], 3, 4);
    assert!(
        windowed.iter().all(|h| h.rank.is_none()),
        "a common term is not ranked by bm25"
    );
    let titles: Vec<String> = windowed
        .iter()
        .map(|h| h.row.title.clone().unwrap())
        .collect();
    assert_eq!(
        titles,
        ["Heron again", "Plain three", "Plain two", "Plain one"],
        "title matches of the newest window first, then newest"
    );
    // Too few in the window after the filters: older matches fill up.
    assert_eq!(query(vec!["heron"], 2, 10).len(), 5);
    // Several terms: all must match, in either column.
    let both = query(vec!["heron", "marsh"], 2, 10);
    assert_eq!(both.len(), 4);
    // Rare terms keep relevance ranking even with a window.
    assert!(query(vec!["three"], 3, 10).iter().all(|h| h.rank.is_some()));
}

/// A query's terms as a user writes them: words, `word*` a prefix.
fn search_terms(text: &str) -> Vec<SearchTerm> {
    text.split(' ')
        .map(|word| match word.strip_suffix('*') {
            Some(prefix) => SearchTerm::prefix(prefix),
            None => SearchTerm::word(word),
        })
        .collect()
}

/// The entry ids a search for `terms` returns (the window stories below).
fn window_hits(
    content: &dyn ContentStore,
    terms: &[SearchTerm],
    window: usize,
    limit: usize,
    status: &str,
) -> Vec<i64> {
    content
        .search(&SearchQuery {
            terms: terms.to_vec(),
            status: status.into(),
            now: 1_000,
            limit,
            window,
            ..Default::default()
        })
        .unwrap()
        .into_iter()
        .map(|hit| hit.row.entry_id)
        .collect()
}

/// What a search must return when a term is in more entries than `window` (or all its
/// matches are in it): of `matches` (indexes, newest first), the window's title matches,
/// then its other matches, then older matches, each kept by the status (the window stories
/// enable the even indexes), at most `limit`; as entry ids.
fn window_expected(
    ids: &[i64],
    matches: &[usize],
    window: usize,
    limit: usize,
    status: &str,
    in_title: impl Fn(usize) -> bool,
) -> Vec<i64> {
    let kept = |i: &&usize| status == "all" || (**i).is_multiple_of(2);
    let newest = &matches[..window.min(matches.len())];
    let mut expected: Vec<usize> = newest
        .iter()
        .filter(|i| in_title(**i))
        .filter(kept)
        .copied()
        .collect();
    expected.extend(newest.iter().filter(|i| !in_title(**i)).filter(kept));
    expected.extend(matches[newest.len()..].iter().filter(kept));
    expected.truncate(limit);
    expected.into_iter().map(|i| ids[i]).collect()
}

/// The window's floor is the same however a backend finds it (PostgreSQL looks in growing
/// ranges of the newest rows): over 400 entries where one in 13 mentions the term and one
/// in 39 has it in its title, the results are the window's title matches newest first,
/// then its other matches newest first, then older matches when the filters leave too few.
pub fn the_window_is_the_newest_matches_at_any_density(db: &dyn Database) {
    let store = with_structure(db);
    let content = store.content();
    let ids = content
        .insert_entries(400, &mut |index, id| {
            let title = if index % 39 == 0 { "Heron" } else { "Plain" };
            let body = if index % 13 == 0 { "heron" } else { "reed" };
            let mut w = write(id, 1, &format!("e{index}"), 1, title, body);
            w.row.enabled = index % 2 == 0;
            Ok(w)
        })
        .unwrap();
    let matches: Vec<usize> = (0..400).rev().filter(|i| i % 13 == 0).collect();
    for (window, limit, status) in [
        (5, 4, "all"),
        (10, 5, "all"),
        (10, 8, "live"),
        (25, 30, "all"),
    ] {
        assert_eq!(
            window_hits(content, &[SearchTerm::word("heron")], window, limit, status),
            window_expected(&ids, &matches, window, limit, status, |i| i
                .is_multiple_of(39)),
            "window {window}, limit {limit}, {status}"
        );
    }
}

/// The window's floor is the same when a term's density changes over time: PostgreSQL
/// sizes each range from the matches seen so far, so a term rare among the newest rows
/// and common in older ones is read in several steps of different sizes, the last sized
/// for the matches still missing. Over 3,000 entries, `kite` is in one entry in 60 of
/// the newest 600 and one in 3 of the older ones (a title in 1 in 97); `kite reed` pairs it
/// with a word in every entry. Each search's results are the window's title matches newest
/// first, then its other matches, then older matches.
pub fn the_window_is_the_newest_matches_when_density_drifts(db: &dyn Database) {
    let store = with_structure(db);
    let content = store.content();
    let has_kite = |index: usize| {
        if index >= 2_400 {
            index.is_multiple_of(60)
        } else {
            index.is_multiple_of(3)
        }
    };
    let ids = content
        .insert_entries(3_000, &mut |index, id| {
            let title = if index.is_multiple_of(97) {
                "Kite"
            } else {
                "Plain"
            };
            let body = if has_kite(index) { "reed kite" } else { "reed" };
            let mut w = write(id, 1, &format!("e{index}"), 1, title, body);
            w.row.enabled = index.is_multiple_of(2);
            Ok(w)
        })
        .unwrap();
    let matching = |i: usize| has_kite(i) || i.is_multiple_of(97);
    let matches: Vec<usize> = (0..3_000).rev().filter(|i| matching(*i)).collect();
    // A title match needs every word in the title: "reed" never is.
    for (text, titles_match) in [("kite", true), ("kite reed", false)] {
        let in_title = |i: usize| titles_match && i.is_multiple_of(97);
        let terms: Vec<SearchTerm> = text.split(' ').map(SearchTerm::word).collect();
        for (window, limit, status) in [(40, 10, "all"), (100, 20, "live"), (400, 30, "all")] {
            assert_eq!(
                window_hits(content, &terms, window, limit, status),
                window_expected(&ids, &matches, window, limit, status, in_title),
                "{text}: window {window}, limit {limit}, {status}"
            );
        }
    }
}

/// The window of a prefix or of several terms is the same however a backend finds it
/// (PostgreSQL walks the newest rows by key for a prefix, then reads further ranges
/// through its index, and drives several terms by their rarest word): over 600 entries,
/// `re*` matches every entry (its first range holds more than the window), `her*` matches one entry in 13 throughout plus old ones, `hera*` matches only entries
/// older than any first range (and titles), `rare reed` pairs a word in 7 entries with one
/// in all, and `heron reed` a word in one entry in 13 with one in all. Each search's results are the
/// window's title matches newest first, then its other matches, then older matches.
pub fn a_prefix_or_several_terms_take_the_window_of_the_newest_matches(db: &dyn Database) {
    let store = with_structure(db);
    let content = store.content();
    let ids = content
        .insert_entries(600, &mut |index, id| {
            let title = if index % 41 == 0 {
                "Herald heron"
            } else {
                "Plain"
            };
            let mut body = vec!["reed"];
            if index % 13 == 0 {
                body.push("heron");
            }
            if index < 60 && index % 3 == 0 {
                body.push("herald");
            }
            if index % 97 == 0 {
                body.push("rare");
            }
            let mut w = write(id, 1, &format!("e{index}"), 1, title, &body.join(" "));
            w.row.enabled = index % 2 == 0;
            Ok(w)
        })
        .unwrap();
    type Case = (&'static str, fn(usize) -> bool, fn(usize) -> bool);
    let cases: [Case; 5] = [
        ("re*", |_| true, |_| false),
        (
            "her*",
            |i| i % 13 == 0 || (i < 60 && i % 3 == 0) || i % 41 == 0,
            |i| i % 41 == 0,
        ),
        (
            "hera*",
            |i| (i < 60 && i % 3 == 0) || i % 41 == 0,
            |i| i % 41 == 0,
        ),
        ("rare reed", |i| i % 97 == 0, |_| false),
        // A title's "heron" counts too: "reed" is in every body.
        ("heron reed", |i| i % 13 == 0 || i % 41 == 0, |_| false),
    ];
    for (text, matching, in_title) in cases {
        let terms = search_terms(text);
        let matches: Vec<usize> = (0..600).rev().filter(|i| matching(*i)).collect();
        for (window, limit, status) in [
            (5, 4, "all"),
            (10, 12, "all"),
            (10, 8, "live"),
            (25, 30, "all"),
        ] {
            // Every case has a term in more than `window` entries ("reed" is in all), so
            // none is ranked; a query with fewer matches than that has them all in its window.
            assert_eq!(
                window_hits(content, &terms, window, limit, status),
                window_expected(&ids, &matches, window, limit, status, in_title),
                "{text}: window {window}, limit {limit}, {status}"
            );
        }
    }
}

/// A prefix finds every word that starts with it whenever the word was written: a word
/// first written after the others (PostgreSQL turns a prefix into the words in use, kept as
/// entries are written), a word removed from every entry (it matches nothing, though
/// PostgreSQL's list of words keeps it) and written again; the same prefix when it is in
/// more entries than the window (title matches first) and when it is rare (ranked), and
/// beside a word in every entry. Fails if a backend misses a word written later or still
/// finds one no entry holds.
pub fn a_prefix_finds_words_written_after_it_and_not_words_gone(db: &dyn Database) {
    let store = with_structure(db);
    let content = store.content();
    let ids = content
        .insert_entries(30, &mut |index, id| {
            let body = if index % 5 == 0 { "reed marsh" } else { "reed" };
            Ok(write(id, 1, &format!("e{index}"), 1, "Plain", body))
        })
        .unwrap();
    let find = |text: &str, window: usize, limit: usize| -> Vec<i64> {
        let terms = search_terms(text);
        window_hits(content, &terms, window, limit, "all")
    };
    let sorted = |mut found: Vec<i64>| {
        found.sort_unstable();
        found
    };
    let marsh: Vec<i64> = (0..30).filter(|i| i % 5 == 0).map(|i| ids[i]).collect();
    assert_eq!(sorted(find("mar*", 50, 100)), marsh);

    // A word first written now, in a title: found by the prefix at once.
    let maram = create(&*store, "maram", "Maram", "reed maram");
    let mut with_maram = marsh.clone();
    with_maram.push(maram);
    assert_eq!(sorted(find("mar*", 50, 100)), with_maram);
    assert_eq!(find("maram", 50, 100), [maram]);
    // In more entries than a window of 3: its 3 newest matches, the title match first.
    let newest: Vec<i64> = marsh.iter().rev().take(2).copied().collect();
    let mut expected = vec![maram];
    expected.extend(&newest);
    assert_eq!(find("mar*", 3, 3), expected);
    assert_eq!(find("mar* reed", 3, 3), expected);
    assert_eq!(sorted(find("reed mar*", 50, 100)), with_maram);

    // "marsh" leaves every entry: the prefix finds only "maram", and "marsh" nothing.
    for (seq, id) in marsh.iter().enumerate() {
        let index = ids.iter().position(|i| i == id).unwrap();
        content
            .write_entry(
                WriteCheck {
                    entry_id: Some(*id),
                    site_id: 1,
                    expected_head: Some(1),
                    draft: None,
                },
                &mut |id| Ok(write(id, 1, &format!("e{index}"), 2, "Plain", "reed")),
            )
            .unwrap_or_else(|error| panic!("rewrite {seq}: {error}"));
    }
    assert_eq!(find("mar*", 50, 100), [maram]);
    assert_eq!(find("mar*", 3, 3), [maram]);
    assert!(find("marsh", 50, 100).is_empty());
    assert!(find("mars*", 50, 100).is_empty());
    assert!(find("mars* reed", 3, 3).is_empty());

    // Written again into one entry: found again.
    let back = create(&*store, "back", "Plain", "marsh reed");
    assert_eq!(sorted(find("mars*", 50, 100)), [back]);
    assert_eq!(sorted(find("mar*", 50, 100)), [maram, back]);
}

/// A search is bounded in time: out of time it stops with `TimedOut` and leaves the store
/// (and the connection it ran on) working; within its time it answers as without a limit.
pub fn a_search_out_of_time_is_stopped_and_the_store_keeps_working(db: &dyn Database) {
    let store = with_structure(db);
    create(&*store, "heron", "Heron", "marsh");
    let query = |time_limit: std::time::Duration| SearchQuery {
        terms: vec![SearchTerm::word("heron")],
        status: "live".into(),
        now: 1_000,
        limit: 10,
        time_limit: Some(time_limit),
        ..Default::default()
    };
    let stopped = store.content().search(&query(std::time::Duration::ZERO));
    assert!(
        matches!(stopped, Err(imprint_store::StoreError::TimedOut(_))),
        "{stopped:?}"
    );
    // More searches than any backend keeps connections for: none was left interrupted.
    for _ in 0..6 {
        let hits = store
            .content()
            .search(&query(std::time::Duration::from_secs(60)))
            .unwrap();
        assert_eq!(hits.len(), 1);
    }
    assert_eq!(search(&*store, "heron", "live"), ["Heron"]);
    create(&*store, "heron-two", "Heron two", "marsh");
    assert_eq!(
        search(&*store, "heron", "live").len(),
        2,
        "a read after a write sees it"
    );
}

fn site(handle: &str, group: &str) -> SiteRow {
    SiteRow {
        id: 0,
        name: handle.into(),
        handle: handle.into(),
        language: "fr-FR".into(),
        base_url: None,
        primary: false,
        created_at: 1,
        updated_at: 1,
        group: group.into(),
    }
}

fn site_check(entry_id: Option<i64>, site_id: i64, expected_head: Option<i64>) -> WriteCheck {
    WriteCheck {
        entry_id,
        site_id,
        expected_head,
        draft: None,
    }
}

pub fn a_save_and_its_copies_in_other_sites_are_written_together(db: &dyn Database) {
    let store = with_structure(db);
    let content = store.content();
    let fr = content.insert_site(&site("fr", "europe")).unwrap();
    let de = content.insert_site(&site("de", "europe")).unwrap();
    let draft_id = content
        .insert_entry_draft(&EntryDraftRow {
            canonical_id: None,
            base_seq: None,
            ..draft(None, "tester", false)
        })
        .unwrap();
    // A new entry: the save allocates the id, its copies take it.
    let writes = content
        .write_entry_sites(
            &[
                WriteCheck {
                    draft: Some((draft_id, 1)),
                    ..site_check(None, 1, None)
                },
                site_check(None, fr, None),
                site_check(None, de, None),
            ],
            &mut |index, id| {
                let site_id = [1, fr, de][index];
                Ok(write(
                    id,
                    site_id,
                    "hello",
                    1,
                    &format!("Hello {site_id}"),
                    "x",
                ))
            },
        )
        .unwrap();
    let id = writes[0].row.entry_id;
    assert!(writes.iter().all(|w| w.row.entry_id == id));
    assert_eq!(
        content
            .entry_sites(id)
            .unwrap()
            .iter()
            .map(|r| r.site_id)
            .collect::<Vec<_>>(),
        vec![1, fr, de]
    );
    for site_id in [1, fr, de] {
        assert_eq!(
            store
                .history(&format!("entry/{id}/{site_id}"), 10)
                .unwrap()
                .len(),
            1
        );
    }
    assert!(content.entry_draft(draft_id).unwrap().is_none());
    // A later save names each site's head.
    content
        .write_entry_sites(
            &[
                site_check(Some(id), fr, Some(1)),
                site_check(Some(id), 1, Some(1)),
            ],
            &mut |index, id| {
                let site_id = [fr, 1][index];
                Ok(write(id, site_id, "hello", 2, "Bonjour", "y"))
            },
        )
        .unwrap();
    assert_eq!(content.entry(id, 1).unwrap().unwrap().head_seq, 2);
    assert_eq!(
        content.entry(id, fr).unwrap().unwrap().title.as_deref(),
        Some("Bonjour")
    );
    assert_eq!(content.entry(id, de).unwrap().unwrap().head_seq, 1);
    // The shape is checked before anything is written.
    for bad in [
        vec![],
        vec![
            site_check(Some(id), 1, Some(2)),
            site_check(Some(id), 1, Some(2)),
        ],
        vec![
            site_check(Some(id), 1, Some(2)),
            site_check(Some(999), fr, Some(2)),
        ],
    ] {
        let result =
            content.write_entry_sites(&bad, &mut |_, id| Ok(write(id, 1, "hello", 3, "No", "z")));
        assert!(matches!(result, Err(StoreError::Other(_))), "{bad:?}");
    }
    assert_eq!(content.entry(id, 1).unwrap().unwrap().head_seq, 2);
}

pub fn a_failed_copy_writes_nothing_of_the_save(db: &dyn Database) {
    let store = with_structure(db);
    let content = store.content();
    let fr = content.insert_site(&site("fr", "europe")).unwrap();
    // Another entry holds slug "taken" in the second site.
    let holder = content
        .write_entry(site_check(None, fr, None), &mut |id| {
            Ok(write(id, fr, "taken", 1, "Holder", "h"))
        })
        .unwrap()
        .row
        .entry_id;
    let before = store.content().count_entries(1, None).unwrap();
    // A new entry whose copy clashes: not even the save's id is used.
    let clash = content.write_entry_sites(
        &[site_check(None, 1, None), site_check(None, fr, None)],
        &mut |index, id| {
            Ok(write(
                id,
                [1, fr][index],
                ["fresh", "taken"][index],
                1,
                "New",
                "n",
            ))
        },
    );
    assert!(matches!(clash, Err(StoreError::Conflict(_))), "{clash:?}");
    assert_eq!(content.count_entries(1, None).unwrap(), before);
    assert_eq!(content.slug_owner(1, 1, "fresh").unwrap(), None);
    assert_eq!(search(&*store, "new", "all"), Vec::<String>::new());

    // An existing entry in both sites: a copy that fails (a stale head, a clash, a failed
    // build) leaves the save's site at its old head too.
    let id = content
        .write_entry_sites(
            &[site_check(None, 1, None), site_check(None, fr, None)],
            &mut |index, id| Ok(write(id, [1, fr][index], "both", 1, "Both", "b")),
        )
        .unwrap()[0]
        .row
        .entry_id;
    let stale = content.write_entry_sites(
        &[
            site_check(Some(id), 1, Some(1)),
            site_check(Some(id), fr, Some(5)),
        ],
        &mut |index, id| Ok(write(id, [1, fr][index], "both", 2, "Changed", "c")),
    );
    assert!(matches!(stale, Err(StoreError::Conflict(_))), "{stale:?}");
    let taken = content.write_entry_sites(
        &[
            site_check(Some(id), 1, Some(1)),
            site_check(Some(id), fr, Some(1)),
        ],
        &mut |index, id| {
            Ok(write(
                id,
                [1, fr][index],
                ["both", "taken"][index],
                2,
                "Changed",
                "c",
            ))
        },
    );
    assert!(matches!(taken, Err(StoreError::Conflict(_))), "{taken:?}");
    let failed = content.write_entry_sites(
        &[
            site_check(Some(id), 1, Some(1)),
            site_check(Some(id), fr, Some(1)),
        ],
        &mut |index, id| match index {
            0 => Ok(write(id, 1, "both", 2, "Changed", "c")),
            _ => Err(StoreError::Other("signing failed".into())),
        },
    );
    assert!(matches!(failed, Err(StoreError::Other(_))), "{failed:?}");
    for site_id in [1, fr] {
        let row = content.entry(id, site_id).unwrap().unwrap();
        assert_eq!((row.head_seq, row.title.as_deref()), (1, Some("Both")));
        assert_eq!(
            store
                .history(&format!("entry/{id}/{site_id}"), 10)
                .unwrap()
                .len(),
            1
        );
    }
    assert_eq!(search(&*store, "changed", "all"), Vec::<String>::new());
    assert_eq!(content.entry(holder, fr).unwrap().unwrap().slug, "taken");
}

/// Every row a store exports, with the search text the copier would add back.
fn exported(store: &dyn Store) -> Vec<imprint_store::Record> {
    let mut records = Vec::new();
    store
        .export_records(&mut |mut record| {
            if let imprint_store::Record::Entry {
                row,
                search_title,
                search_body,
            } = &mut record
            {
                assert!(search_title.is_empty() && search_body.is_empty());
                *search_title = row.title.clone().unwrap_or_default();
                *search_body = row.fields["1"].as_str().unwrap_or_default().to_string();
            }
            records.push(record);
            Ok(())
        })
        .unwrap();
    records
}

pub fn export_and_import_keep_every_row_in_one_transaction(db: &dyn Database) {
    use imprint_store::transfer::{self, ImportMode, RecordKind};
    use imprint_store::{Record, SecretRow, tokens::TokenRow};

    let store = with_structure(db);
    let entry = create(store.as_ref(), "otter", "Otter news", "rivers and fish");
    store
        .content()
        .insert_entry_draft(&draft(Some(entry), "alice", false))
        .unwrap();
    store
        .create_draft(
            &config_draft("d1"),
            &[("fs".into(), json!({"command": "npx"}))],
        )
        .unwrap();
    store
        .append_revision(&RevisionRow {
            document: "config/cursor/default".into(),
            seq: 1,
            artifact_id: "c1".into(),
            envelope: json!({"b": 1, "a": [1.5, "x"]}),
            created_at: 5,
        })
        .unwrap();
    store
        .put_secret(&SecretRow {
            name: "KEY".into(),
            nonce: vec![1, 2, 3],
            ciphertext: vec![0, 255, 7],
            created_at: 1,
            updated_at: 2,
        })
        .unwrap();
    store
        .tokens()
        .create_token(&TokenRow {
            id: "t1".into(),
            name: "bot".into(),
            secret_sha256: "ab".repeat(32),
            created_at: 1,
            expires_at: None,
            last_used_at: None,
            revoked_at: None,
            creator: Some("tester".into()),
            role: "publisher".into(),
        })
        .unwrap();
    let before = exported(store.as_ref());
    assert!(matches!(before.last(), Some(Record::ElementSequence(2))));
    let counts = store.count_records().unwrap();
    assert_eq!(counts[&RecordKind::Entries], 1);
    assert_eq!(counts[&RecordKind::DraftItems], 1);
    assert_eq!(counts[&RecordKind::Revisions], 2);
    assert!(!transfer::is_empty(&counts));

    // A store that holds rows is refused, naming what it holds; nothing changes.
    let mut again = before.clone().into_iter();
    let refused = store.import_records(ImportMode::EmptyOnly, &mut || Ok(again.next()));
    match refused {
        Err(StoreError::Conflict(message)) => assert!(message.contains("2 revisions"), "{message}"),
        other => panic!("expected a conflict, got {other:?}"),
    }
    // An import that fails half-way writes nothing: the old rows are all still there.
    let mut failing = before.clone().into_iter().take(4);
    let failed = store.import_records(ImportMode::Replace, &mut || {
        failing
            .next()
            .map(Some)
            .ok_or_else(|| StoreError::Other("the source went away".into()))
    });
    assert!(failed.is_err());
    assert_eq!(exported(store.as_ref()), before);

    // Replaced by the same rows: every row, id and byte comes back, and the id sequences
    // continue after the imported ids.
    let mut rows = before.clone().into_iter();
    store
        .import_records(ImportMode::Replace, &mut || Ok(rows.next()))
        .unwrap();
    assert_eq!(exported(store.as_ref()), before);
    assert_eq!(search(store.as_ref(), "rivers", "all"), ["Otter news"]);
    let next = create(store.as_ref(), "beaver", "Beaver", "dams");
    assert_eq!(next, 3, "after entry 1 and draft 2");
    let (type_id, _) = store
        .content()
        .insert_entry_type(&entry_type("page"), Some(&layout(0)))
        .unwrap();
    assert_eq!(type_id, 2);
}

/// A config draft row for the transfer test.
fn config_draft(id: &str) -> imprint_store::DraftRow {
    imprint_store::DraftRow {
        id: id.into(),
        document: "config/cursor/default".into(),
        name: "default".into(),
        notes: Some("n".into()),
        creator: Some("tester".into()),
        provisional: false,
        base_seq: None,
        meta: json!({}),
        version: 3,
        created_at: 1,
        updated_at: 2,
    }
}
