//! The content family's tables in PostgreSQL (`migrations/0001_initial.sql`), with the
//! same transactions as the SQLite backend: an entry write checks, writes the row and its
//! search vector, appends the revision and deletes the applied draft, all or nothing.
//! The checked rows are locked first (`FOR UPDATE`), so a racing replica waits and then
//! sees the outcome instead of overwriting it.

use imprint_store::content::{
    BuildEntry, BuildEntrySites, DraftFilter, EntryDraftRow, EntryDraftUpdate, EntryRow,
    EntryTypeRow, EntryWrite, FieldLayoutRow, FieldRow, Impact, Scope, SearchHit, SearchQuery,
    SectionRow, SiteRow, WriteCheck,
};
use imprint_store::{ContentStore, StoreError, StoreResult};
use tokio_postgres::Row;
use tokio_postgres::types::ToSql;

use crate::search::{document_text, search_within_limit};
use crate::{Conn, PostgresStore, all, get, json, to_text};

pub(crate) const SITE_COLUMNS: &str =
    "id, name, handle, language, base_url, is_primary, created_at, updated_at, site_group";

pub(crate) fn site_from_row(row: &Row) -> StoreResult<SiteRow> {
    Ok(SiteRow {
        id: get(row, 0)?,
        name: get(row, 1)?,
        handle: get(row, 2)?,
        language: get(row, 3)?,
        base_url: get(row, 4)?,
        primary: get(row, 5)?,
        created_at: get(row, 6)?,
        updated_at: get(row, 7)?,
        group: get(row, 8)?,
    })
}

pub(crate) const SECTION_COLUMNS: &str = "id, name, handle, type, settings, created_at, updated_at";

pub(crate) fn section_from_row(row: &Row) -> StoreResult<SectionRow> {
    Ok(SectionRow {
        id: get(row, 0)?,
        name: get(row, 1)?,
        handle: get(row, 2)?,
        kind: get(row, 3)?,
        settings: json(row, 4)?,
        entry_type_ids: Vec::new(),
        created_at: get(row, 5)?,
        updated_at: get(row, 6)?,
    })
}

pub(crate) const ENTRY_TYPE_COLUMNS: &str = "id, name, handle, field_layout_id, has_title_field, title_format, settings, created_at, updated_at";

pub(crate) fn entry_type_from_row(row: &Row) -> StoreResult<EntryTypeRow> {
    Ok(EntryTypeRow {
        id: get(row, 0)?,
        name: get(row, 1)?,
        handle: get(row, 2)?,
        field_layout_id: get(row, 3)?,
        has_title_field: get(row, 4)?,
        title_format: get(row, 5)?,
        settings: json(row, 6)?,
        created_at: get(row, 7)?,
        updated_at: get(row, 8)?,
    })
}

pub(crate) const FIELD_COLUMNS: &str =
    "id, name, handle, type, instructions, searchable, settings, created_at, updated_at";

pub(crate) fn field_from_row(row: &Row) -> StoreResult<FieldRow> {
    Ok(FieldRow {
        id: get(row, 0)?,
        name: get(row, 1)?,
        handle: get(row, 2)?,
        field_type: get(row, 3)?,
        instructions: get(row, 4)?,
        searchable: get(row, 5)?,
        settings: json(row, 6)?,
        created_at: get(row, 7)?,
        updated_at: get(row, 8)?,
    })
}

pub(crate) const LAYOUT_COLUMNS: &str = "id, type, tabs, created_at, updated_at";

pub(crate) fn layout_from_row(row: &Row) -> StoreResult<FieldLayoutRow> {
    Ok(FieldLayoutRow {
        id: get(row, 0)?,
        kind: get(row, 1)?,
        tabs: json(row, 2)?,
        created_at: get(row, 3)?,
        updated_at: get(row, 4)?,
    })
}

pub(crate) const ENTRY_COLUMNS: &str = "e.entry_id, e.site_id, e.section_id, e.entry_type_id, e.author, e.title, e.slug, e.uri, \
     e.post_date, e.expiry_date, e.enabled, e.fields, e.head_seq, e.created_at, e.updated_at, e.deleted_at";

pub(crate) fn entry_from_row(row: &Row) -> StoreResult<EntryRow> {
    Ok(EntryRow {
        entry_id: get(row, 0)?,
        site_id: get(row, 1)?,
        section_id: get(row, 2)?,
        entry_type_id: get(row, 3)?,
        author: get(row, 4)?,
        title: get(row, 5)?,
        slug: get(row, 6)?,
        uri: get(row, 7)?,
        post_date: get(row, 8)?,
        expiry_date: get(row, 9)?,
        enabled: get(row, 10)?,
        fields: json(row, 11)?,
        head_seq: get(row, 12)?,
        created_at: get(row, 13)?,
        updated_at: get(row, 14)?,
        deleted_at: get(row, 15)?,
    })
}

pub(crate) const DRAFT_COLUMNS: &str = "id, canonical_id, site_id, section_id, entry_type_id, name, notes, creator, provisional, \
     base_seq, content, version, created_at, updated_at";

pub(crate) fn draft_from_row(row: &Row) -> StoreResult<EntryDraftRow> {
    Ok(EntryDraftRow {
        id: get(row, 0)?,
        canonical_id: get(row, 1)?,
        site_id: get(row, 2)?,
        section_id: get(row, 3)?,
        entry_type_id: get(row, 4)?,
        name: get(row, 5)?,
        notes: get(row, 6)?,
        creator: get(row, 7)?,
        provisional: get(row, 8)?,
        base_seq: get(row, 9)?,
        content: json(row, 10)?,
        version: get(row, 11)?,
        created_at: get(row, 12)?,
        updated_at: get(row, 13)?,
    })
}

/// Takes `count` ids from the shared entry/draft sequence (its row stays locked until
/// the transaction ends, so ids are never handed out twice); returns the first.
fn allocate_ids(c: &mut Conn, count: usize) -> StoreResult<i64> {
    let count = i64::try_from(count).map_err(|_| StoreError::Other("too many ids".into()))?;
    let last: i64 = get(
        &c.one(
            "UPDATE content_sequence SET value = value + $1 WHERE name = 'element' RETURNING value",
            &[&count],
        )?,
        0,
    )?;
    Ok(last - count + 1)
}

fn unmark_primary(c: &mut Conn, except: i64) -> StoreResult<()> {
    c.exec(
        "UPDATE sites SET is_primary = FALSE WHERE is_primary AND id <> $1",
        &[&except],
    )?;
    Ok(())
}

pub(crate) fn save_section_entry_types(
    c: &mut Conn,
    row: &SectionRow,
    section_id: i64,
) -> StoreResult<()> {
    c.exec(
        "DELETE FROM section_entry_types WHERE section_id = $1",
        &[&section_id],
    )?;
    for (position, entry_type_id) in row.entry_type_ids.iter().enumerate() {
        c.exec(
            "INSERT INTO section_entry_types (section_id, entry_type_id, position) VALUES ($1, $2, $3)",
            &[&section_id, entry_type_id, &(position as i64)],
        )?;
    }
    Ok(())
}

fn insert_layout(c: &mut Conn, row: &FieldLayoutRow) -> StoreResult<i64> {
    get(
        &c.one(
            "INSERT INTO field_layouts (type, tabs, created_at, updated_at) VALUES ($1, $2, $3, $4) RETURNING id",
            &[&row.kind, &to_text(&row.tabs), &row.created_at, &row.updated_at],
        )?,
        0,
    )
}

fn update_layout(c: &mut Conn, row: &FieldLayoutRow) -> StoreResult<()> {
    let changed = c.exec(
        "UPDATE field_layouts SET type = $2, tabs = $3, updated_at = $4 WHERE id = $1",
        &[&row.id, &row.kind, &to_text(&row.tabs), &row.updated_at],
    )?;
    if changed == 0 {
        return Err(StoreError::NotFound);
    }
    Ok(())
}

/// The `WHERE` clause (over `entries`) and the drafts' clause for a scope.
fn scope_clauses(scope: Scope) -> (&'static str, &'static str, i64) {
    match scope {
        Scope::Section(id) => ("section_id = $1", "section_id = $1", id),
        Scope::EntryType(id) => ("entry_type_id = $1", "entry_type_id = $1", id),
        Scope::Entry(id) => ("entry_id = $1", "canonical_id = $1", id),
    }
}

fn impact_in(c: &mut Conn, scope: Scope) -> StoreResult<Impact> {
    let (entries, drafts, id) = scope_clauses(scope);
    // Revisions of an entry are numbered 1..=head_seq, so their count is the sum of heads.
    let row = c.one(
        &format!(
            "SELECT COUNT(*), COALESCE(SUM(head_seq), 0)::BIGINT FROM entries WHERE {entries}"
        ),
        &[&id],
    )?;
    let draft_row = c.one(
        &format!("SELECT COUNT(*) FROM entry_drafts WHERE {drafts}"),
        &[&id],
    )?;
    Ok(Impact {
        entries: get(&row, 0)?,
        drafts: get(&draft_row, 0)?,
        revisions: get(&row, 1)?,
    })
}

fn delete_entries_in(c: &mut Conn, scope: Scope) -> StoreResult<()> {
    let (entries, drafts, id) = scope_clauses(scope);
    let statements = [
        format!(
            "DELETE FROM revisions WHERE document IN
             (SELECT 'entry/' || entry_id || '/' || site_id FROM entries WHERE {entries})"
        ),
        format!("DELETE FROM entries WHERE {entries}"),
        format!("DELETE FROM entry_drafts WHERE {drafts}"),
    ];
    for sql in statements {
        c.exec(&sql, &[&id])?;
    }
    Ok(())
}

fn insert_revision(c: &mut Conn, write: &EntryWrite) -> StoreResult<()> {
    let revision = &write.revision;
    c.exec(
        "INSERT INTO revisions (document, seq, artifact_id, envelope, created_at) VALUES ($1, $2, $3, $4, $5)",
        &[
            &revision.document,
            &revision.seq,
            &revision.artifact_id,
            &to_text(&revision.envelope),
            &revision.created_at,
        ],
    )
    .map_err(|e| match e {
        StoreError::Conflict(_) => StoreError::Conflict(format!(
            "{} already has revision {}",
            revision.document, revision.seq
        )),
        other => other,
    })?;
    Ok(())
}

/// The search vector of a write: title words weigh A, body words B (see `search.rs`).
const SEARCH_VECTOR: &str =
    "setweight(to_tsvector('simple', $TITLE), 'A') || setweight(to_tsvector('simple', $BODY), 'B')";

/// Rows per statement of a bulk insert: one round trip writes this many entries (and as
/// many revisions), while the arrays sent stay a few MiB.
const BULK_ROWS: usize = 1_000;

/// Inserts new entries and their first revisions with one statement per table: the rows go
/// as arrays, unnested in order (so row ids follow the batch's order, as one insert per entry
/// would give them), and each search vector is computed by the same `SEARCH_VECTOR` as a
/// single write's. A slug or id taken by another writer is a `Conflict`; the caller's
/// transaction then writes nothing.
fn insert_bulk(c: &mut Conn, writes: &[EntryWrite]) -> StoreResult<()> {
    let revisions = writes.iter().map(|w| &w.revision);
    let documents: Vec<&str> = revisions.clone().map(|r| r.document.as_str()).collect();
    let seqs: Vec<i64> = revisions.clone().map(|r| r.seq).collect();
    let artifacts: Vec<&str> = revisions.clone().map(|r| r.artifact_id.as_str()).collect();
    let envelopes: Vec<String> = revisions.clone().map(|r| to_text(&r.envelope)).collect();
    let created: Vec<i64> = revisions.map(|r| r.created_at).collect();
    c.exec(
        "INSERT INTO revisions (document, seq, artifact_id, envelope, created_at)
         SELECT d, s, a, e, t FROM unnest($1::TEXT[], $2::BIGINT[], $3::TEXT[], $4::TEXT[], $5::BIGINT[])
              WITH ORDINALITY AS r(d, s, a, e, t, n) ORDER BY n",
        &[&documents, &seqs, &artifacts, &envelopes, &created],
    )
    .map_err(|e| bulk_conflict(e, "a revision of this batch exists already"))?;
    let rows: Vec<&EntryRow> = writes.iter().map(|w| &w.row).collect();
    let column = |f: fn(&EntryRow) -> i64| rows.iter().map(|r| f(r)).collect::<Vec<i64>>();
    let entry_ids = column(|r| r.entry_id);
    let site_ids = column(|r| r.site_id);
    let section_ids = column(|r| r.section_id);
    let type_ids = column(|r| r.entry_type_id);
    let heads = column(|r| r.head_seq);
    let created = column(|r| r.created_at);
    let updated = column(|r| r.updated_at);
    let authors: Vec<Option<&str>> = rows.iter().map(|r| r.author.as_deref()).collect();
    let titles: Vec<Option<&str>> = rows.iter().map(|r| r.title.as_deref()).collect();
    let slugs: Vec<&str> = rows.iter().map(|r| r.slug.as_str()).collect();
    let uris: Vec<Option<&str>> = rows.iter().map(|r| r.uri.as_deref()).collect();
    let posts: Vec<Option<i64>> = rows.iter().map(|r| r.post_date).collect();
    let expiries: Vec<Option<i64>> = rows.iter().map(|r| r.expiry_date).collect();
    let enabled: Vec<bool> = rows.iter().map(|r| r.enabled).collect();
    let fields: Vec<String> = rows.iter().map(|r| to_text(&r.fields)).collect();
    let deleted: Vec<Option<i64>> = rows.iter().map(|r| r.deleted_at).collect();
    let search_titles: Vec<String> = writes
        .iter()
        .map(|w| document_text(&w.search_title))
        .collect();
    let search_bodies: Vec<String> = writes
        .iter()
        .map(|w| document_text(&w.search_body))
        .collect();
    let vector = SEARCH_VECTOR
        .replace("$TITLE", "v.st")
        .replace("$BODY", "v.sb");
    let params: [&(dyn ToSql + Sync); 18] = [
        &entry_ids,
        &site_ids,
        &section_ids,
        &type_ids,
        &authors,
        &titles,
        &slugs,
        &uris,
        &posts,
        &expiries,
        &enabled,
        &fields,
        &heads,
        &created,
        &updated,
        &deleted,
        &search_titles,
        &search_bodies,
    ];
    c.exec(
        &format!(
            "INSERT INTO entries (entry_id, site_id, section_id, entry_type_id, author, title, slug, uri,
             post_date, expiry_date, enabled, fields, head_seq, created_at, updated_at, deleted_at, search)
             SELECT v.id, v.site, v.section, v.type, v.author, v.title, v.slug, v.uri, v.post, v.expiry,
                    v.enabled, v.fields, v.head, v.created, v.updated, v.deleted, {vector}
             FROM unnest($1::BIGINT[], $2::BIGINT[], $3::BIGINT[], $4::BIGINT[], $5::TEXT[], $6::TEXT[],
                         $7::TEXT[], $8::TEXT[], $9::BIGINT[], $10::BIGINT[], $11::BOOLEAN[], $12::TEXT[],
                         $13::BIGINT[], $14::BIGINT[], $15::BIGINT[], $16::BIGINT[], $17::TEXT[], $18::TEXT[])
                  WITH ORDINALITY AS v(id, site, section, type, author, title, slug, uri, post, expiry,
                                       enabled, fields, head, created, updated, deleted, st, sb, n)
             ORDER BY v.n"
        ),
        &params,
    )
    .map_err(|e| bulk_conflict(e, "a slug or an entry id of this batch is taken"))?;
    Ok(())
}

/// A unique key hit by a bulk insert, worded for the batch (the single-row path names the row).
fn bulk_conflict(error: StoreError, what: &str) -> StoreError {
    match error {
        StoreError::Conflict(detail) => StoreError::Conflict(format!("{what} ({detail})")),
        other => other,
    }
}

/// Inserts or updates the entry row with its search vector. `existing` is the row id.
pub(crate) fn save_entry(
    c: &mut Conn,
    row: &EntryRow,
    search_title: &str,
    search_body: &str,
    existing: Option<i64>,
) -> StoreResult<()> {
    let fields = to_text(&row.fields);
    let title = document_text(search_title);
    let body = document_text(search_body);
    match existing {
        Some(row_id) => {
            let vector = SEARCH_VECTOR
                .replace("$TITLE", "$15")
                .replace("$BODY", "$16");
            let params: [&(dyn ToSql + Sync); 16] = [
                &row_id,
                &row.section_id,
                &row.entry_type_id,
                &row.author,
                &row.title,
                &row.slug,
                &row.uri,
                &row.post_date,
                &row.expiry_date,
                &row.enabled,
                &fields,
                &row.head_seq,
                &row.updated_at,
                &row.deleted_at,
                &title,
                &body,
            ];
            c.exec(
                &format!(
                    "UPDATE entries SET section_id = $2, entry_type_id = $3, author = $4, title = $5, slug = $6,
                     uri = $7, post_date = $8, expiry_date = $9, enabled = $10, fields = $11, head_seq = $12,
                     updated_at = $13, deleted_at = $14, search = {vector} WHERE row_id = $1"
                ),
                &params,
            )?;
        }
        None => {
            let vector = SEARCH_VECTOR
                .replace("$TITLE", "$17")
                .replace("$BODY", "$18");
            let params: [&(dyn ToSql + Sync); 18] = [
                &row.entry_id,
                &row.site_id,
                &row.section_id,
                &row.entry_type_id,
                &row.author,
                &row.title,
                &row.slug,
                &row.uri,
                &row.post_date,
                &row.expiry_date,
                &row.enabled,
                &fields,
                &row.head_seq,
                &row.created_at,
                &row.updated_at,
                &row.deleted_at,
                &title,
                &body,
            ];
            c.exec(
                &format!(
                    "INSERT INTO entries (entry_id, site_id, section_id, entry_type_id, author, title, slug, uri,
                     post_date, expiry_date, enabled, fields, head_seq, created_at, updated_at, deleted_at, search)
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, {vector})"
                ),
                &params,
            )
            .map_err(|e| match e {
                StoreError::Conflict(_) => StoreError::Conflict(format!(
                    "slug '{}' or entry {} in site {} exists already",
                    row.slug, row.entry_id, row.site_id
                )),
                other => other,
            })?;
        }
    }
    Ok(())
}

fn slug_owner_in(
    c: &mut Conn,
    section_id: i64,
    site_id: i64,
    slug: &str,
) -> StoreResult<Option<i64>> {
    c.opt(
        "SELECT entry_id FROM entries WHERE section_id = $1 AND site_id = $2 AND slug = $3",
        &[&section_id, &site_id, &slug],
    )?
    .map(|row| get(&row, 0))
    .transpose()
}

fn one_or_none<T>(
    c: &mut Conn,
    sql: &str,
    params: &[&(dyn ToSql + Sync)],
    map: impl Fn(&Row) -> StoreResult<T>,
) -> StoreResult<Option<T>> {
    c.opt(sql, params)?.as_ref().map(map).transpose()
}

fn changed_or_missing(changed: u64) -> StoreResult<()> {
    if changed == 0 {
        Err(StoreError::NotFound)
    } else {
        Ok(())
    }
}

/// One checked entry write inside the caller's transaction (see `ContentStore::write_entry`).
fn write_one(c: &mut Conn, check: WriteCheck, build: BuildEntry<'_>) -> StoreResult<EntryWrite> {
    if let Some((draft_id, version)) = check.draft {
        // Locked: a racing apply of the same draft waits here, then finds it gone.
        let current: Option<i64> = c
            .opt(
                "SELECT version FROM entry_drafts WHERE id = $1 FOR UPDATE",
                &[&draft_id],
            )?
            .map(|row| get(&row, 0))
            .transpose()?;
        match current {
            None => return Err(StoreError::NotFound),
            Some(current) if current != version => {
                return Err(StoreError::Conflict(format!(
                    "draft {draft_id} changed meanwhile (version {current}, not {version})"
                )));
            }
            Some(_) => {}
        }
    }
    let (entry_id, existing) = match check.entry_id {
        Some(entry_id) => {
            let existing: Option<(i64, i64)> = c
                .opt(
                    "SELECT row_id, head_seq FROM entries WHERE entry_id = $1 AND site_id = $2 FOR UPDATE",
                    &[&entry_id, &check.site_id],
                )?
                .map(|row| Ok::<_, StoreError>((get(&row, 0)?, get(&row, 1)?)))
                .transpose()?;
            if existing.map(|(_, head)| head) != check.expected_head {
                return Err(StoreError::Conflict(format!(
                    "entry {entry_id} in site {} changed meanwhile",
                    check.site_id
                )));
            }
            (entry_id, existing.map(|(row_id, _)| row_id))
        }
        None => (allocate_ids(c, 1)?, None),
    };
    let write = build(entry_id)?;
    let row = &write.row;
    if row.entry_id != entry_id
        || row.site_id != check.site_id
        || row.head_seq != write.revision.seq
        || write.revision.seq != check.expected_head.unwrap_or(0) + 1
    {
        return Err(StoreError::Other(format!(
            "inconsistent write for entry {entry_id}: the row, the revision and the check disagree"
        )));
    }
    let owner = slug_owner_in(c, row.section_id, row.site_id, &row.slug)?;
    if let Some(owner) = owner.filter(|owner| *owner != entry_id) {
        return Err(StoreError::Conflict(format!(
            "slug '{}' was taken by entry {owner} meanwhile",
            row.slug
        )));
    }
    insert_revision(c, &write)?;
    save_entry(
        c,
        &write.row,
        &write.search_title,
        &write.search_body,
        existing,
    )?;
    if let Some((draft_id, _)) = check.draft {
        c.exec("DELETE FROM entry_drafts WHERE id = $1", &[&draft_id])?;
    }
    Ok(write)
}

impl ContentStore for PostgresStore {
    fn sites(&self) -> StoreResult<Vec<SiteRow>> {
        self.read(|c| {
            all(
                c.query(
                    &format!("SELECT {SITE_COLUMNS} FROM sites ORDER BY id"),
                    &[],
                )?,
                site_from_row,
            )
        })
    }

    fn site(&self, id: i64) -> StoreResult<Option<SiteRow>> {
        self.read(|c| {
            one_or_none(
                c,
                &format!("SELECT {SITE_COLUMNS} FROM sites WHERE id = $1"),
                &[&id],
                site_from_row,
            )
        })
    }

    fn insert_site(&self, row: &SiteRow) -> StoreResult<i64> {
        self.write(|c| {
            if row.primary {
                unmark_primary(c, -1)?;
            }
            get(
                &c.one(
                    "INSERT INTO sites (name, handle, language, base_url, is_primary, created_at, updated_at, site_group)
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id",
                    &[&row.name, &row.handle, &row.language, &row.base_url, &row.primary, &row.created_at, &row.updated_at, &row.group],
                )?,
                0,
            )
        })
    }

    fn update_site(&self, row: &SiteRow) -> StoreResult<()> {
        self.write(|c| {
            if row.primary {
                unmark_primary(c, row.id)?;
            }
            changed_or_missing(c.exec(
                "UPDATE sites SET name = $2, handle = $3, language = $4, base_url = $5, is_primary = $6,
                 updated_at = $7, site_group = $8 WHERE id = $1",
                &[&row.id, &row.name, &row.handle, &row.language, &row.base_url, &row.primary, &row.updated_at, &row.group],
            )?)
        })
    }

    fn sections(&self) -> StoreResult<Vec<SectionRow>> {
        self.read(|c| {
            let mut sections = all(
                c.query(
                    &format!("SELECT {SECTION_COLUMNS} FROM sections ORDER BY id"),
                    &[],
                )?,
                section_from_row,
            )?;
            let links: Vec<(i64, i64)> = all(
                c.query(
                    "SELECT section_id, entry_type_id FROM section_entry_types ORDER BY section_id, position",
                    &[],
                )?,
                |row| Ok((get(row, 0)?, get(row, 1)?)),
            )?;
            for section in &mut sections {
                section.entry_type_ids = links
                    .iter()
                    .filter(|(s, _)| *s == section.id)
                    .map(|(_, t)| *t)
                    .collect();
            }
            Ok(sections)
        })
    }

    fn section(&self, id: i64) -> StoreResult<Option<SectionRow>> {
        self.read(|c| {
            let Some(mut section) = one_or_none(
                c,
                &format!("SELECT {SECTION_COLUMNS} FROM sections WHERE id = $1"),
                &[&id],
                section_from_row,
            )?
            else {
                return Ok(None);
            };
            section.entry_type_ids = all(
                c.query(
                    "SELECT entry_type_id FROM section_entry_types WHERE section_id = $1 ORDER BY position",
                    &[&id],
                )?,
                |row| get(row, 0),
            )?;
            Ok(Some(section))
        })
    }

    fn insert_section(&self, row: &SectionRow) -> StoreResult<i64> {
        self.write(|c| {
            let id: i64 = get(
                &c.one(
                    "INSERT INTO sections (name, handle, type, settings, created_at, updated_at)
                     VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
                    &[
                        &row.name,
                        &row.handle,
                        &row.kind,
                        &to_text(&row.settings),
                        &row.created_at,
                        &row.updated_at,
                    ],
                )?,
                0,
            )?;
            save_section_entry_types(c, row, id)?;
            Ok(id)
        })
    }

    fn update_section(&self, row: &SectionRow) -> StoreResult<()> {
        self.write(|c| {
            changed_or_missing(c.exec(
                "UPDATE sections SET name = $2, handle = $3, type = $4, settings = $5, updated_at = $6 WHERE id = $1",
                &[&row.id, &row.name, &row.handle, &row.kind, &to_text(&row.settings), &row.updated_at],
            )?)?;
            save_section_entry_types(c, row, row.id)
        })
    }

    fn entry_types(&self) -> StoreResult<Vec<EntryTypeRow>> {
        self.read(|c| {
            all(
                c.query(
                    &format!("SELECT {ENTRY_TYPE_COLUMNS} FROM entry_types ORDER BY id"),
                    &[],
                )?,
                entry_type_from_row,
            )
        })
    }

    fn entry_type(&self, id: i64) -> StoreResult<Option<EntryTypeRow>> {
        self.read(|c| {
            one_or_none(
                c,
                &format!("SELECT {ENTRY_TYPE_COLUMNS} FROM entry_types WHERE id = $1"),
                &[&id],
                entry_type_from_row,
            )
        })
    }

    fn insert_entry_type(
        &self,
        row: &EntryTypeRow,
        layout: Option<&FieldLayoutRow>,
    ) -> StoreResult<(i64, i64)> {
        self.write(|c| {
            let layout_id = match layout {
                Some(layout) => insert_layout(c, layout)?,
                None => row.field_layout_id,
            };
            let id: i64 = get(
                &c.one(
                    "INSERT INTO entry_types (name, handle, field_layout_id, has_title_field, title_format, settings, created_at, updated_at)
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id",
                    &[
                        &row.name,
                        &row.handle,
                        &layout_id,
                        &row.has_title_field,
                        &row.title_format,
                        &to_text(&row.settings),
                        &row.created_at,
                        &row.updated_at,
                    ],
                )?,
                0,
            )?;
            Ok((id, layout_id))
        })
    }

    fn update_entry_type(&self, row: &EntryTypeRow) -> StoreResult<()> {
        self.write(|c| {
            changed_or_missing(c.exec(
                "UPDATE entry_types SET name = $2, handle = $3, field_layout_id = $4, has_title_field = $5,
                 title_format = $6, settings = $7, updated_at = $8 WHERE id = $1",
                &[
                    &row.id,
                    &row.name,
                    &row.handle,
                    &row.field_layout_id,
                    &row.has_title_field,
                    &row.title_format,
                    &to_text(&row.settings),
                    &row.updated_at,
                ],
            )?)
        })
    }

    fn fields(&self) -> StoreResult<Vec<FieldRow>> {
        self.read(|c| {
            all(
                c.query(
                    &format!("SELECT {FIELD_COLUMNS} FROM fields ORDER BY id"),
                    &[],
                )?,
                field_from_row,
            )
        })
    }

    fn field(&self, id: i64) -> StoreResult<Option<FieldRow>> {
        self.read(|c| {
            one_or_none(
                c,
                &format!("SELECT {FIELD_COLUMNS} FROM fields WHERE id = $1"),
                &[&id],
                field_from_row,
            )
        })
    }

    fn insert_field(&self, row: &FieldRow) -> StoreResult<i64> {
        self.write(|c| {
            get(
                &c.one(
                    "INSERT INTO fields (name, handle, type, instructions, searchable, settings, created_at, updated_at)
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id",
                    &[
                        &row.name,
                        &row.handle,
                        &row.field_type,
                        &row.instructions,
                        &row.searchable,
                        &to_text(&row.settings),
                        &row.created_at,
                        &row.updated_at,
                    ],
                )?,
                0,
            )
        })
    }

    fn update_field(&self, row: &FieldRow) -> StoreResult<()> {
        self.write(|c| {
            changed_or_missing(c.exec(
                "UPDATE fields SET name = $2, handle = $3, type = $4, instructions = $5, searchable = $6,
                 settings = $7, updated_at = $8 WHERE id = $1",
                &[
                    &row.id,
                    &row.name,
                    &row.handle,
                    &row.field_type,
                    &row.instructions,
                    &row.searchable,
                    &to_text(&row.settings),
                    &row.updated_at,
                ],
            )?)
        })
    }

    fn delete_field(&self, id: i64, layouts: &[FieldLayoutRow]) -> StoreResult<bool> {
        self.write(|c| {
            for layout in layouts {
                update_layout(c, layout)?;
            }
            Ok(c.exec("DELETE FROM fields WHERE id = $1", &[&id])? > 0)
        })
    }

    fn field_layouts(&self) -> StoreResult<Vec<FieldLayoutRow>> {
        self.read(|c| {
            all(
                c.query(
                    &format!("SELECT {LAYOUT_COLUMNS} FROM field_layouts ORDER BY id"),
                    &[],
                )?,
                layout_from_row,
            )
        })
    }

    fn field_layout(&self, id: i64) -> StoreResult<Option<FieldLayoutRow>> {
        self.read(|c| {
            one_or_none(
                c,
                &format!("SELECT {LAYOUT_COLUMNS} FROM field_layouts WHERE id = $1"),
                &[&id],
                layout_from_row,
            )
        })
    }

    fn insert_field_layout(&self, row: &FieldLayoutRow) -> StoreResult<i64> {
        self.write(|c| insert_layout(c, row))
    }

    fn update_field_layout(&self, row: &FieldLayoutRow) -> StoreResult<()> {
        self.write(|c| update_layout(c, row))
    }

    fn impact(&self, scope: Scope) -> StoreResult<Impact> {
        self.read(|c| impact_in(c, scope))
    }

    fn delete_scope(&self, scope: Scope) -> StoreResult<Impact> {
        self.write(|c| {
            let impact = impact_in(c, scope)?;
            delete_entries_in(c, scope)?;
            match scope {
                Scope::Section(id) => {
                    c.exec("DELETE FROM sections WHERE id = $1", &[&id])?;
                }
                Scope::EntryType(id) => {
                    let layout_id: Option<i64> = c
                        .opt(
                            "SELECT field_layout_id FROM entry_types WHERE id = $1",
                            &[&id],
                        )?
                        .map(|row| get(&row, 0))
                        .transpose()?;
                    c.exec(
                        "DELETE FROM section_entry_types WHERE entry_type_id = $1",
                        &[&id],
                    )?;
                    c.exec("DELETE FROM entry_types WHERE id = $1", &[&id])?;
                    // The layout goes with its entry type unless another one shares it.
                    if let Some(layout_id) = layout_id {
                        c.exec(
                            "DELETE FROM field_layouts WHERE id = $1
                             AND NOT EXISTS (SELECT 1 FROM entry_types WHERE field_layout_id = $1)",
                            &[&layout_id],
                        )?;
                    }
                }
                Scope::Entry(_) => {}
            }
            Ok(impact)
        })
    }

    fn entry(&self, entry_id: i64, site_id: i64) -> StoreResult<Option<EntryRow>> {
        self.read(|c| {
            one_or_none(
                c,
                &format!(
                    "SELECT {ENTRY_COLUMNS} FROM entries e WHERE e.entry_id = $1 AND e.site_id = $2"
                ),
                &[&entry_id, &site_id],
                entry_from_row,
            )
        })
    }

    fn entry_sites(&self, entry_id: i64) -> StoreResult<Vec<EntryRow>> {
        self.read(|c| {
            all(
                c.query(
                    &format!(
                        "SELECT {ENTRY_COLUMNS} FROM entries e WHERE e.entry_id = $1 ORDER BY e.site_id"
                    ),
                    &[&entry_id],
                )?,
                entry_from_row,
            )
        })
    }

    fn slug_owner(&self, section_id: i64, site_id: i64, slug: &str) -> StoreResult<Option<i64>> {
        self.read(|c| slug_owner_in(c, section_id, site_id, slug))
    }

    fn write_entry(&self, check: WriteCheck, build: BuildEntry<'_>) -> StoreResult<EntryWrite> {
        self.write(|c| write_one(c, check, build))
    }

    fn write_entry_sites(
        &self,
        checks: &[WriteCheck],
        build: BuildEntrySites<'_>,
    ) -> StoreResult<Vec<EntryWrite>> {
        WriteCheck::check_sites(checks)?;
        self.write(|c| {
            let mut entry_id = None;
            let mut writes = Vec::with_capacity(checks.len());
            for (index, check) in checks.iter().enumerate() {
                // The save allocates the id (a new entry); its copies name it.
                let check = WriteCheck {
                    entry_id: check.entry_id.or(entry_id),
                    ..*check
                };
                let write = write_one(c, check, &mut |id| build(index, id))?;
                entry_id = Some(write.row.entry_id);
                writes.push(write);
            }
            Ok(writes)
        })
    }

    fn insert_entries(
        &self,
        count: usize,
        build: &mut dyn FnMut(usize, i64) -> StoreResult<EntryWrite>,
    ) -> StoreResult<Vec<i64>> {
        self.write(|c| {
            let first = allocate_ids(c, count)?;
            let mut ids = Vec::with_capacity(count);
            let mut chunk = Vec::with_capacity(count.min(BULK_ROWS));
            for index in 0..count {
                let entry_id = first + index as i64;
                let write = build(index, entry_id)?;
                write.check_first_of(entry_id)?;
                chunk.push(write);
                if chunk.len() == BULK_ROWS {
                    insert_bulk(c, &chunk)?;
                    chunk.clear();
                }
                ids.push(entry_id);
            }
            if !chunk.is_empty() {
                insert_bulk(c, &chunk)?;
            }
            Ok(ids)
        })
    }

    fn set_trashed(&self, entry_id: i64, deleted_at: Option<i64>) -> StoreResult<usize> {
        self.change(|c| {
            c.exec(
                "UPDATE entries SET deleted_at = $2 WHERE entry_id = $1",
                &[&entry_id, &deleted_at],
            )
        })
        .map(|n| usize::try_from(n).unwrap_or(usize::MAX))
    }

    fn search(&self, query: &SearchQuery) -> StoreResult<Vec<SearchHit>> {
        self.read(|c| search_within_limit(c, query))
    }

    fn count_entries(&self, section_id: i64, site_id: Option<i64>) -> StoreResult<i64> {
        self.read(|c| {
            get(
                &c.one(
                    "SELECT COUNT(*) FROM entries WHERE section_id = $1
                     AND ($2::BIGINT IS NULL OR site_id = $2) AND deleted_at IS NULL",
                    &[&section_id, &site_id],
                )?,
                0,
            )
        })
    }

    fn first_entry_id(&self, section_id: i64, site_id: i64) -> StoreResult<Option<i64>> {
        self.read(|c| {
            c.opt(
                "SELECT entry_id FROM entries WHERE section_id = $1 AND site_id = $2 ORDER BY row_id LIMIT 1",
                &[&section_id, &site_id],
            )?
            .map(|row| get(&row, 0))
            .transpose()
        })
    }

    fn insert_entry_draft(&self, row: &EntryDraftRow) -> StoreResult<i64> {
        self.write(|c| {
            let id = allocate_ids(c, 1)?;
            c.exec(
                &format!(
                    "INSERT INTO entry_drafts ({DRAFT_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)"
                ),
                &[
                    &id,
                    &row.canonical_id,
                    &row.site_id,
                    &row.section_id,
                    &row.entry_type_id,
                    &row.name,
                    &row.notes,
                    &row.creator,
                    &row.provisional,
                    &row.base_seq,
                    &to_text(&row.content),
                    &row.version,
                    &row.created_at,
                    &row.updated_at,
                ],
            )?;
            Ok(id)
        })
    }

    fn entry_draft(&self, id: i64) -> StoreResult<Option<EntryDraftRow>> {
        self.read(|c| {
            one_or_none(
                c,
                &format!("SELECT {DRAFT_COLUMNS} FROM entry_drafts WHERE id = $1"),
                &[&id],
                draft_from_row,
            )
        })
    }

    fn update_entry_draft(&self, id: i64, update: &EntryDraftUpdate) -> StoreResult<i64> {
        self.write(|c| {
            let version: Option<i64> = c
                .opt(
                    "SELECT version FROM entry_drafts WHERE id = $1 FOR UPDATE",
                    &[&id],
                )?
                .map(|row| get(&row, 0))
                .transpose()?;
            let Some(version) = version else {
                return Err(StoreError::NotFound);
            };
            if version != update.expected_version {
                return Err(StoreError::Conflict(format!(
                    "draft {id} is at version {version}, not {}",
                    update.expected_version
                )));
            }
            let (set_notes, notes) = match &update.notes {
                Some(notes) => (true, notes.clone()),
                None => (false, None),
            };
            let (set_base, base) = match update.base_seq {
                Some(base) => (true, base),
                None => (false, None),
            };
            c.exec(
                "UPDATE entry_drafts SET content = COALESCE($2, content), name = COALESCE($3, name),
                 notes = CASE WHEN $4 THEN $5 ELSE notes END, base_seq = CASE WHEN $7 THEN $8 ELSE base_seq END,
                 version = version + 1, updated_at = $6
                 WHERE id = $1",
                &[
                    &id,
                    &update.content.as_ref().map(to_text),
                    &update.name,
                    &set_notes,
                    &notes,
                    &update.now,
                    &set_base,
                    &base,
                ],
            )?;
            Ok(version + 1)
        })
    }

    fn delete_entry_draft(&self, id: i64) -> StoreResult<bool> {
        self.change(|c| c.exec("DELETE FROM entry_drafts WHERE id = $1", &[&id]))
            .map(|n| n > 0)
    }

    fn delete_entry_draft_at(&self, id: i64, version: i64) -> StoreResult<bool> {
        self.change(|c| {
            c.exec(
                "DELETE FROM entry_drafts WHERE id = $1 AND version = $2",
                &[&id, &version],
            )
        })
        .map(|n| n > 0)
    }

    fn entry_drafts(&self, filter: &DraftFilter) -> StoreResult<Vec<EntryDraftRow>> {
        let limit = i64::try_from(filter.limit).unwrap_or(i64::MAX);
        self.read(|c| {
            all(
                c.query(
                    &format!(
                        "SELECT {DRAFT_COLUMNS} FROM entry_drafts
                         WHERE ($1::BIGINT IS NULL OR canonical_id = $1)
                         AND ($2::BIGINT IS NULL OR site_id = $2)
                         AND ($3::BIGINT IS NULL OR section_id = $3)
                         AND ($4::TEXT IS NULL OR creator = $4)
                         AND ($5::BOOLEAN IS NULL OR provisional = $5)
                         AND (NOT $6 OR canonical_id IS NULL)
                         ORDER BY created_at, id LIMIT $7"
                    ),
                    &[
                        &filter.canonical_id,
                        &filter.site_id,
                        &filter.section_id,
                        &filter.creator,
                        &filter.provisional,
                        &filter.from_scratch,
                        &limit,
                    ],
                )?,
                draft_from_row,
            )
        })
    }

    fn count_entry_drafts(&self, canonical_id: Option<i64>) -> StoreResult<i64> {
        self.read(|c| {
            get(
                &c.one(
                    "SELECT COUNT(*) FROM entry_drafts WHERE canonical_id IS NOT DISTINCT FROM $1",
                    &[&canonical_id],
                )?,
                0,
            )
        })
    }
}
