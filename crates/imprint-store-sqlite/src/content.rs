//! The content family's tables in SQLite (see `migrations/0002_content.sql`).
//!
//! Entry writes touch four places — the entry row, its revision, its full-text row and
//! (when applying) the draft — and always in one `BEGIN IMMEDIATE` transaction, so a
//! failed check or a crash leaves none of them changed. Every lookup is by an index:
//! entries by `(entry_id, site_id)`, slugs by `(section_id, site_id, slug)`, search by
//! FTS5 `MATCH … ORDER BY rank LIMIT n`.

use imprint_store::content::{
    BuildEntry, BuildEntrySites, DraftFilter, EntryDraftRow, EntryDraftUpdate, EntryRow,
    EntryTypeRow, EntryWrite, FieldLayoutRow, FieldRow, Impact, Scope, SearchHit, SearchQuery,
    SectionRow, SiteRow, WriteCheck,
};
use imprint_store::{ContentStore, StoreError, StoreResult};
use rusqlite::types::Value as SqlValue;
use rusqlite::{OptionalExtension, Row, Transaction, params, params_from_iter};

use crate::{SqliteStore, from_text, map_error, to_text};

pub(crate) const SITE_COLUMNS: &str =
    "id, name, handle, language, base_url, is_primary, created_at, updated_at, site_group";

pub(crate) fn site_from_row(row: &Row<'_>) -> rusqlite::Result<SiteRow> {
    Ok(SiteRow {
        id: row.get(0)?,
        name: row.get(1)?,
        handle: row.get(2)?,
        language: row.get(3)?,
        base_url: row.get(4)?,
        primary: row.get(5)?,
        created_at: row.get(6)?,
        updated_at: row.get(7)?,
        group: row.get(8)?,
    })
}

pub(crate) const SECTION_COLUMNS: &str = "id, name, handle, type, settings, created_at, updated_at";

pub(crate) fn section_from_row(row: &Row<'_>) -> rusqlite::Result<SectionRow> {
    Ok(SectionRow {
        id: row.get(0)?,
        name: row.get(1)?,
        handle: row.get(2)?,
        kind: row.get(3)?,
        settings: from_text(row.get(4)?)?,
        entry_type_ids: Vec::new(),
        created_at: row.get(5)?,
        updated_at: row.get(6)?,
    })
}

pub(crate) const ENTRY_TYPE_COLUMNS: &str = "id, name, handle, field_layout_id, has_title_field, title_format, settings, created_at, updated_at";

pub(crate) fn entry_type_from_row(row: &Row<'_>) -> rusqlite::Result<EntryTypeRow> {
    Ok(EntryTypeRow {
        id: row.get(0)?,
        name: row.get(1)?,
        handle: row.get(2)?,
        field_layout_id: row.get(3)?,
        has_title_field: row.get(4)?,
        title_format: row.get(5)?,
        settings: from_text(row.get(6)?)?,
        created_at: row.get(7)?,
        updated_at: row.get(8)?,
    })
}

pub(crate) const FIELD_COLUMNS: &str =
    "id, name, handle, type, instructions, searchable, settings, created_at, updated_at";

pub(crate) fn field_from_row(row: &Row<'_>) -> rusqlite::Result<FieldRow> {
    Ok(FieldRow {
        id: row.get(0)?,
        name: row.get(1)?,
        handle: row.get(2)?,
        field_type: row.get(3)?,
        instructions: row.get(4)?,
        searchable: row.get(5)?,
        settings: from_text(row.get(6)?)?,
        created_at: row.get(7)?,
        updated_at: row.get(8)?,
    })
}

pub(crate) const LAYOUT_COLUMNS: &str = "id, type, tabs, created_at, updated_at";

pub(crate) fn layout_from_row(row: &Row<'_>) -> rusqlite::Result<FieldLayoutRow> {
    Ok(FieldLayoutRow {
        id: row.get(0)?,
        kind: row.get(1)?,
        tabs: from_text(row.get(2)?)?,
        created_at: row.get(3)?,
        updated_at: row.get(4)?,
    })
}

pub(crate) const ENTRY_COLUMNS: &str = "e.entry_id, e.site_id, e.section_id, e.entry_type_id, e.author, e.title, e.slug, e.uri, \
     e.post_date, e.expiry_date, e.enabled, e.fields, e.head_seq, e.created_at, e.updated_at, e.deleted_at";

pub(crate) fn entry_from_row(row: &Row<'_>) -> rusqlite::Result<EntryRow> {
    Ok(EntryRow {
        entry_id: row.get(0)?,
        site_id: row.get(1)?,
        section_id: row.get(2)?,
        entry_type_id: row.get(3)?,
        author: row.get(4)?,
        title: row.get(5)?,
        slug: row.get(6)?,
        uri: row.get(7)?,
        post_date: row.get(8)?,
        expiry_date: row.get(9)?,
        enabled: row.get(10)?,
        fields: from_text(row.get(11)?)?,
        head_seq: row.get(12)?,
        created_at: row.get(13)?,
        updated_at: row.get(14)?,
        deleted_at: row.get(15)?,
    })
}

pub(crate) const DRAFT_COLUMNS: &str = "id, canonical_id, site_id, section_id, entry_type_id, name, notes, creator, provisional, \
     base_seq, content, version, created_at, updated_at";

pub(crate) fn draft_from_row(row: &Row<'_>) -> rusqlite::Result<EntryDraftRow> {
    Ok(EntryDraftRow {
        id: row.get(0)?,
        canonical_id: row.get(1)?,
        site_id: row.get(2)?,
        section_id: row.get(3)?,
        entry_type_id: row.get(4)?,
        name: row.get(5)?,
        notes: row.get(6)?,
        creator: row.get(7)?,
        provisional: row.get(8)?,
        base_seq: row.get(9)?,
        content: from_text(row.get(10)?)?,
        version: row.get(11)?,
        created_at: row.get(12)?,
        updated_at: row.get(13)?,
    })
}

/// Takes `count` ids from the shared entry/draft sequence; returns the first.
fn allocate_ids(tx: &Transaction<'_>, count: usize) -> StoreResult<i64> {
    let count = i64::try_from(count).map_err(|_| StoreError::Other("too many ids".into()))?;
    let last: i64 = tx
        .prepare_cached(
            "UPDATE content_sequence SET value = value + ?1 WHERE name = 'element' RETURNING value",
        )
        .and_then(|mut s| s.query_row([count], |row| row.get(0)))
        .map_err(map_error)?;
    Ok(last - count + 1)
}

fn unmark_primary(tx: &Transaction<'_>, except: i64) -> StoreResult<()> {
    tx.execute(
        "UPDATE sites SET is_primary = 0 WHERE is_primary = 1 AND id <> ?1",
        [except],
    )
    .map_err(map_error)?;
    Ok(())
}

pub(crate) fn save_section_entry_types(
    tx: &Transaction<'_>,
    row: &SectionRow,
    section_id: i64,
) -> StoreResult<()> {
    tx.execute(
        "DELETE FROM section_entry_types WHERE section_id = ?1",
        [section_id],
    )
    .map_err(map_error)?;
    let mut insert = tx
        .prepare_cached(
            "INSERT INTO section_entry_types (section_id, entry_type_id, position) VALUES (?1, ?2, ?3)",
        )
        .map_err(map_error)?;
    for (position, entry_type_id) in row.entry_type_ids.iter().enumerate() {
        insert
            .execute(params![section_id, entry_type_id, position as i64])
            .map_err(map_error)?;
    }
    Ok(())
}

fn insert_layout(tx: &Transaction<'_>, row: &FieldLayoutRow) -> StoreResult<i64> {
    tx.execute(
        "INSERT INTO field_layouts (type, tabs, created_at, updated_at) VALUES (?1, ?2, ?3, ?4)",
        params![row.kind, to_text(&row.tabs), row.created_at, row.updated_at],
    )
    .map_err(map_error)?;
    Ok(tx.last_insert_rowid())
}

fn update_layout(tx: &Transaction<'_>, row: &FieldLayoutRow) -> StoreResult<()> {
    let changed = tx
        .execute(
            "UPDATE field_layouts SET type = ?2, tabs = ?3, updated_at = ?4 WHERE id = ?1",
            params![row.id, row.kind, to_text(&row.tabs), row.updated_at],
        )
        .map_err(map_error)?;
    if changed == 0 {
        return Err(StoreError::NotFound);
    }
    Ok(())
}

/// The `WHERE` clause (over `entries`) and the drafts' clause for a scope.
fn scope_clauses(scope: Scope) -> (&'static str, &'static str, i64) {
    match scope {
        Scope::Section(id) => ("section_id = ?1", "section_id = ?1", id),
        Scope::EntryType(id) => ("entry_type_id = ?1", "entry_type_id = ?1", id),
        Scope::Entry(id) => ("entry_id = ?1", "canonical_id = ?1", id),
    }
}

fn impact_in(tx: &rusqlite::Connection, scope: Scope) -> rusqlite::Result<Impact> {
    let (entries, drafts, id) = scope_clauses(scope);
    // Revisions of an entry are numbered 1..=head_seq, so their count is the sum of heads.
    let (entry_count, revisions): (i64, i64) = tx.query_row(
        &format!("SELECT COUNT(*), COALESCE(SUM(head_seq), 0) FROM entries WHERE {entries}"),
        [id],
        |row| Ok((row.get(0)?, row.get(1)?)),
    )?;
    let draft_count: i64 = tx.query_row(
        &format!("SELECT COUNT(*) FROM entry_drafts WHERE {drafts}"),
        [id],
        |row| row.get(0),
    )?;
    Ok(Impact {
        entries: entry_count,
        drafts: draft_count,
        revisions,
    })
}

fn delete_entries_in(tx: &Transaction<'_>, scope: Scope) -> StoreResult<()> {
    let (entries, drafts, id) = scope_clauses(scope);
    let statements = [
        format!(
            "DELETE FROM revisions WHERE document IN
             (SELECT 'entry/' || entry_id || '/' || site_id FROM entries WHERE {entries})"
        ),
        format!(
            "DELETE FROM entries_search WHERE rowid IN (SELECT row_id FROM entries WHERE {entries})"
        ),
        format!("DELETE FROM entries WHERE {entries}"),
        format!("DELETE FROM entry_drafts WHERE {drafts}"),
    ];
    for sql in statements {
        tx.execute(&sql, [id]).map_err(map_error)?;
    }
    Ok(())
}

fn insert_revision(tx: &Transaction<'_>, write: &EntryWrite) -> StoreResult<()> {
    let revision = &write.revision;
    tx.prepare_cached(
        "INSERT INTO revisions (document, seq, artifact_id, envelope, created_at) VALUES (?1, ?2, ?3, ?4, ?5)",
    )
    .and_then(|mut s| {
        s.execute(params![
            revision.document,
            revision.seq,
            revision.artifact_id,
            to_text(&revision.envelope),
            revision.created_at
        ])
    })
    .map_err(|e| match map_error(e) {
        StoreError::Conflict(_) => StoreError::Conflict(format!(
            "{} already has revision {}",
            revision.document, revision.seq
        )),
        other => other,
    })?;
    Ok(())
}

/// Inserts or updates the entry row and its search row. `existing` is the row id.
pub(crate) fn save_entry(
    tx: &Transaction<'_>,
    row: &EntryRow,
    search_title: &str,
    search_body: &str,
    existing: Option<i64>,
) -> StoreResult<()> {
    let row_id = match existing {
        Some(row_id) => {
            tx.prepare_cached(
                "UPDATE entries SET section_id = ?2, entry_type_id = ?3, author = ?4, title = ?5, slug = ?6,
                 uri = ?7, post_date = ?8, expiry_date = ?9, enabled = ?10, fields = ?11, head_seq = ?12,
                 updated_at = ?13, deleted_at = ?14 WHERE row_id = ?1",
            )
            .and_then(|mut s| {
                s.execute(params![
                    row_id,
                    row.section_id,
                    row.entry_type_id,
                    row.author,
                    row.title,
                    row.slug,
                    row.uri,
                    row.post_date,
                    row.expiry_date,
                    row.enabled,
                    to_text(&row.fields),
                    row.head_seq,
                    row.updated_at,
                    row.deleted_at
                ])
            })
            .map_err(map_error)?;
            tx.prepare_cached("DELETE FROM entries_search WHERE rowid = ?1")
                .and_then(|mut s| s.execute([row_id]))
                .map_err(map_error)?;
            row_id
        }
        None => {
            tx.prepare_cached(
                "INSERT INTO entries (entry_id, site_id, section_id, entry_type_id, author, title, slug, uri,
                 post_date, expiry_date, enabled, fields, head_seq, created_at, updated_at, deleted_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16)",
            )
            .and_then(|mut s| {
                s.execute(params![
                    row.entry_id,
                    row.site_id,
                    row.section_id,
                    row.entry_type_id,
                    row.author,
                    row.title,
                    row.slug,
                    row.uri,
                    row.post_date,
                    row.expiry_date,
                    row.enabled,
                    to_text(&row.fields),
                    row.head_seq,
                    row.created_at,
                    row.updated_at,
                    row.deleted_at
                ])
            })
            .map_err(|e| match map_error(e) {
                StoreError::Conflict(_) => StoreError::Conflict(format!(
                    "slug '{}' or entry {} in site {} exists already",
                    row.slug, row.entry_id, row.site_id
                )),
                other => other,
            })?;
            tx.last_insert_rowid()
        }
    };
    tx.prepare_cached("INSERT INTO entries_search (rowid, title, body) VALUES (?1, ?2, ?3)")
        .and_then(|mut s| s.execute(params![row_id, search_title, search_body]))
        .map_err(map_error)?;
    Ok(())
}

fn slug_owner_in(
    connection: &rusqlite::Connection,
    section_id: i64,
    site_id: i64,
    slug: &str,
) -> rusqlite::Result<Option<i64>> {
    connection
        .prepare_cached(
            "SELECT entry_id FROM entries WHERE section_id = ?1 AND site_id = ?2 AND slug = ?3",
        )?
        .query_row(params![section_id, site_id, slug], |row| row.get(0))
        .optional()
}

/// One checked entry write inside the caller's transaction (see `ContentStore::write_entry`).
fn write_one(
    tx: &Transaction<'_>,
    check: WriteCheck,
    build: BuildEntry<'_>,
) -> StoreResult<EntryWrite> {
    if let Some((draft_id, version)) = check.draft {
        let current: Option<i64> = tx
            .prepare_cached("SELECT version FROM entry_drafts WHERE id = ?1")
            .and_then(|mut s| s.query_row([draft_id], |row| row.get(0)).optional())
            .map_err(map_error)?;
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
            let existing: Option<(i64, i64)> = tx
                .prepare_cached(
                    "SELECT row_id, head_seq FROM entries WHERE entry_id = ?1 AND site_id = ?2",
                )
                .and_then(|mut s| {
                    s.query_row([entry_id, check.site_id], |row| {
                        Ok((row.get(0)?, row.get(1)?))
                    })
                    .optional()
                })
                .map_err(map_error)?;
            if existing.map(|(_, head)| head) != check.expected_head {
                return Err(StoreError::Conflict(format!(
                    "entry {entry_id} in site {} changed meanwhile",
                    check.site_id
                )));
            }
            (entry_id, existing.map(|(row_id, _)| row_id))
        }
        None => (allocate_ids(tx, 1)?, None),
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
    let owner = slug_owner_in(tx, row.section_id, row.site_id, &row.slug).map_err(map_error)?;
    if let Some(owner) = owner.filter(|owner| *owner != entry_id) {
        return Err(StoreError::Conflict(format!(
            "slug '{}' was taken by entry {owner} meanwhile",
            row.slug
        )));
    }
    insert_revision(tx, &write)?;
    save_entry(
        tx,
        &write.row,
        &write.search_title,
        &write.search_body,
        existing,
    )?;
    if let Some((draft_id, _)) = check.draft {
        tx.prepare_cached("DELETE FROM entry_drafts WHERE id = ?1")
            .and_then(|mut s| s.execute([draft_id]))
            .map_err(map_error)?;
    }
    Ok(write)
}

impl ContentStore for SqliteStore {
    fn sites(&self) -> StoreResult<Vec<SiteRow>> {
        self.all(
            &format!("SELECT {SITE_COLUMNS} FROM sites ORDER BY id"),
            [],
            site_from_row,
        )
    }

    fn site(&self, id: i64) -> StoreResult<Option<SiteRow>> {
        self.optional(
            &format!("SELECT {SITE_COLUMNS} FROM sites WHERE id = ?1"),
            [id],
            site_from_row,
        )
    }

    fn insert_site(&self, row: &SiteRow) -> StoreResult<i64> {
        self.write(|tx| {
            if row.primary {
                unmark_primary(tx, -1)?;
            }
            tx.execute(
                "INSERT INTO sites (name, handle, language, base_url, is_primary, created_at, updated_at, site_group)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
                params![row.name, row.handle, row.language, row.base_url, row.primary, row.created_at, row.updated_at, row.group],
            )
            .map_err(map_error)?;
            Ok(tx.last_insert_rowid())
        })
    }

    fn update_site(&self, row: &SiteRow) -> StoreResult<()> {
        self.write(|tx| {
            if row.primary {
                unmark_primary(tx, row.id)?;
            }
            let changed = tx
                .execute(
                    "UPDATE sites SET name = ?2, handle = ?3, language = ?4, base_url = ?5, is_primary = ?6,
                     updated_at = ?7, site_group = ?8 WHERE id = ?1",
                    params![row.id, row.name, row.handle, row.language, row.base_url, row.primary, row.updated_at, row.group],
                )
                .map_err(map_error)?;
            if changed == 0 {
                return Err(StoreError::NotFound);
            }
            Ok(())
        })
    }

    fn sections(&self) -> StoreResult<Vec<SectionRow>> {
        self.with(|c| {
            let mut sections: Vec<SectionRow> = c
                .prepare_cached(&format!("SELECT {SECTION_COLUMNS} FROM sections ORDER BY id"))?
                .query_map([], section_from_row)?
                .collect::<rusqlite::Result<_>>()?;
            let links: Vec<(i64, i64)> = c
                .prepare_cached(
                    "SELECT section_id, entry_type_id FROM section_entry_types ORDER BY section_id, position",
                )?
                .query_map([], |row| Ok((row.get(0)?, row.get(1)?)))?
                .collect::<rusqlite::Result<_>>()?;
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
        self.with(|c| {
            let Some(mut section) = c
                .prepare_cached(&format!("SELECT {SECTION_COLUMNS} FROM sections WHERE id = ?1"))?
                .query_row([id], section_from_row)
                .optional()?
            else {
                return Ok(None);
            };
            section.entry_type_ids = c
                .prepare_cached(
                    "SELECT entry_type_id FROM section_entry_types WHERE section_id = ?1 ORDER BY position",
                )?
                .query_map([id], |row| row.get(0))?
                .collect::<rusqlite::Result<_>>()?;
            Ok(Some(section))
        })
    }

    fn insert_section(&self, row: &SectionRow) -> StoreResult<i64> {
        self.write(|tx| {
            tx.execute(
                "INSERT INTO sections (name, handle, type, settings, created_at, updated_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                params![row.name, row.handle, row.kind, to_text(&row.settings), row.created_at, row.updated_at],
            )
            .map_err(map_error)?;
            let id = tx.last_insert_rowid();
            save_section_entry_types(tx, row, id)?;
            Ok(id)
        })
    }

    fn update_section(&self, row: &SectionRow) -> StoreResult<()> {
        self.write(|tx| {
            let changed = tx
                .execute(
                    "UPDATE sections SET name = ?2, handle = ?3, type = ?4, settings = ?5, updated_at = ?6 WHERE id = ?1",
                    params![row.id, row.name, row.handle, row.kind, to_text(&row.settings), row.updated_at],
                )
                .map_err(map_error)?;
            if changed == 0 {
                return Err(StoreError::NotFound);
            }
            save_section_entry_types(tx, row, row.id)
        })
    }

    fn entry_types(&self) -> StoreResult<Vec<EntryTypeRow>> {
        self.all(
            &format!("SELECT {ENTRY_TYPE_COLUMNS} FROM entry_types ORDER BY id"),
            [],
            entry_type_from_row,
        )
    }

    fn entry_type(&self, id: i64) -> StoreResult<Option<EntryTypeRow>> {
        self.optional(
            &format!("SELECT {ENTRY_TYPE_COLUMNS} FROM entry_types WHERE id = ?1"),
            [id],
            entry_type_from_row,
        )
    }

    fn insert_entry_type(
        &self,
        row: &EntryTypeRow,
        layout: Option<&FieldLayoutRow>,
    ) -> StoreResult<(i64, i64)> {
        self.write(|tx| {
            let layout_id = match layout {
                Some(layout) => insert_layout(tx, layout)?,
                None => row.field_layout_id,
            };
            tx.execute(
                "INSERT INTO entry_types (name, handle, field_layout_id, has_title_field, title_format, settings, created_at, updated_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
                params![
                    row.name,
                    row.handle,
                    layout_id,
                    row.has_title_field,
                    row.title_format,
                    to_text(&row.settings),
                    row.created_at,
                    row.updated_at
                ],
            )
            .map_err(map_error)?;
            Ok((tx.last_insert_rowid(), layout_id))
        })
    }

    fn update_entry_type(&self, row: &EntryTypeRow) -> StoreResult<()> {
        self.write(|tx| {
            let changed = tx
                .execute(
                    "UPDATE entry_types SET name = ?2, handle = ?3, field_layout_id = ?4, has_title_field = ?5,
                     title_format = ?6, settings = ?7, updated_at = ?8 WHERE id = ?1",
                    params![
                        row.id,
                        row.name,
                        row.handle,
                        row.field_layout_id,
                        row.has_title_field,
                        row.title_format,
                        to_text(&row.settings),
                        row.updated_at
                    ],
                )
                .map_err(map_error)?;
            if changed == 0 {
                return Err(StoreError::NotFound);
            }
            Ok(())
        })
    }

    fn fields(&self) -> StoreResult<Vec<FieldRow>> {
        self.all(
            &format!("SELECT {FIELD_COLUMNS} FROM fields ORDER BY id"),
            [],
            field_from_row,
        )
    }

    fn field(&self, id: i64) -> StoreResult<Option<FieldRow>> {
        self.optional(
            &format!("SELECT {FIELD_COLUMNS} FROM fields WHERE id = ?1"),
            [id],
            field_from_row,
        )
    }

    fn insert_field(&self, row: &FieldRow) -> StoreResult<i64> {
        self.write(|tx| {
            tx.execute(
                "INSERT INTO fields (name, handle, type, instructions, searchable, settings, created_at, updated_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
                params![
                    row.name,
                    row.handle,
                    row.field_type,
                    row.instructions,
                    row.searchable,
                    to_text(&row.settings),
                    row.created_at,
                    row.updated_at
                ],
            )
            .map_err(map_error)?;
            Ok(tx.last_insert_rowid())
        })
    }

    fn update_field(&self, row: &FieldRow) -> StoreResult<()> {
        self.write(|tx| {
            let changed = tx
                .execute(
                    "UPDATE fields SET name = ?2, handle = ?3, type = ?4, instructions = ?5, searchable = ?6,
                     settings = ?7, updated_at = ?8 WHERE id = ?1",
                    params![
                        row.id,
                        row.name,
                        row.handle,
                        row.field_type,
                        row.instructions,
                        row.searchable,
                        to_text(&row.settings),
                        row.updated_at
                    ],
                )
                .map_err(map_error)?;
            if changed == 0 {
                return Err(StoreError::NotFound);
            }
            Ok(())
        })
    }

    fn delete_field(&self, id: i64, layouts: &[FieldLayoutRow]) -> StoreResult<bool> {
        self.write(|tx| {
            for layout in layouts {
                update_layout(tx, layout)?;
            }
            let deleted = tx
                .execute("DELETE FROM fields WHERE id = ?1", [id])
                .map_err(map_error)?;
            Ok(deleted > 0)
        })
    }

    fn field_layouts(&self) -> StoreResult<Vec<FieldLayoutRow>> {
        self.all(
            &format!("SELECT {LAYOUT_COLUMNS} FROM field_layouts ORDER BY id"),
            [],
            layout_from_row,
        )
    }

    fn field_layout(&self, id: i64) -> StoreResult<Option<FieldLayoutRow>> {
        self.optional(
            &format!("SELECT {LAYOUT_COLUMNS} FROM field_layouts WHERE id = ?1"),
            [id],
            layout_from_row,
        )
    }

    fn insert_field_layout(&self, row: &FieldLayoutRow) -> StoreResult<i64> {
        self.write(|tx| insert_layout(tx, row))
    }

    fn update_field_layout(&self, row: &FieldLayoutRow) -> StoreResult<()> {
        self.write(|tx| update_layout(tx, row))
    }

    fn impact(&self, scope: Scope) -> StoreResult<Impact> {
        self.with(|c| impact_in(c, scope))
    }

    fn delete_scope(&self, scope: Scope) -> StoreResult<Impact> {
        self.write(|tx| {
            let impact = impact_in(tx, scope).map_err(map_error)?;
            delete_entries_in(tx, scope)?;
            match scope {
                Scope::Section(id) => {
                    tx.execute("DELETE FROM sections WHERE id = ?1", [id])
                        .map_err(map_error)?;
                }
                Scope::EntryType(id) => {
                    let layout_id: Option<i64> = tx
                        .query_row(
                            "SELECT field_layout_id FROM entry_types WHERE id = ?1",
                            [id],
                            |row| row.get(0),
                        )
                        .optional()
                        .map_err(map_error)?;
                    tx.execute(
                        "DELETE FROM section_entry_types WHERE entry_type_id = ?1",
                        [id],
                    )
                    .map_err(map_error)?;
                    tx.execute("DELETE FROM entry_types WHERE id = ?1", [id])
                        .map_err(map_error)?;
                    // The layout goes with its entry type unless another one shares it.
                    if let Some(layout_id) = layout_id {
                        tx.execute(
                            "DELETE FROM field_layouts WHERE id = ?1
                             AND NOT EXISTS (SELECT 1 FROM entry_types WHERE field_layout_id = ?1)",
                            [layout_id],
                        )
                        .map_err(map_error)?;
                    }
                }
                Scope::Entry(_) => {}
            }
            Ok(impact)
        })
    }

    fn entry(&self, entry_id: i64, site_id: i64) -> StoreResult<Option<EntryRow>> {
        self.optional(
            &format!(
                "SELECT {ENTRY_COLUMNS} FROM entries e WHERE e.entry_id = ?1 AND e.site_id = ?2"
            ),
            [entry_id, site_id],
            entry_from_row,
        )
    }

    fn entry_sites(&self, entry_id: i64) -> StoreResult<Vec<EntryRow>> {
        self.all(
            &format!(
                "SELECT {ENTRY_COLUMNS} FROM entries e WHERE e.entry_id = ?1 ORDER BY e.site_id"
            ),
            [entry_id],
            entry_from_row,
        )
    }

    fn slug_owner(&self, section_id: i64, site_id: i64, slug: &str) -> StoreResult<Option<i64>> {
        self.with(|c| slug_owner_in(c, section_id, site_id, slug))
    }

    fn write_entry(&self, check: WriteCheck, build: BuildEntry<'_>) -> StoreResult<EntryWrite> {
        self.write(|tx| write_one(tx, check, build))
    }

    fn write_entry_sites(
        &self,
        checks: &[WriteCheck],
        build: BuildEntrySites<'_>,
    ) -> StoreResult<Vec<EntryWrite>> {
        WriteCheck::check_sites(checks)?;
        self.write(|tx| {
            let mut entry_id = None;
            let mut writes = Vec::with_capacity(checks.len());
            for (index, check) in checks.iter().enumerate() {
                // The save allocates the id (a new entry); its copies name it.
                let check = WriteCheck {
                    entry_id: check.entry_id.or(entry_id),
                    ..*check
                };
                let write = write_one(tx, check, &mut |id| build(index, id))?;
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
        self.write(|tx| {
            let first = allocate_ids(tx, count)?;
            let mut ids = Vec::with_capacity(count);
            for index in 0..count {
                let entry_id = first + index as i64;
                let write = build(index, entry_id)?;
                write.check_first_of(entry_id)?;
                insert_revision(tx, &write)?;
                save_entry(
                    tx,
                    &write.row,
                    &write.search_title,
                    &write.search_body,
                    None,
                )?;
                ids.push(entry_id);
            }
            Ok(ids)
        })
    }

    fn set_trashed(&self, entry_id: i64, deleted_at: Option<i64>) -> StoreResult<usize> {
        self.change(|c| {
            c.execute(
                "UPDATE entries SET deleted_at = ?2 WHERE entry_id = ?1",
                params![entry_id, deleted_at],
            )
        })
    }

    fn search(&self, query: &SearchQuery) -> StoreResult<Vec<SearchHit>> {
        self.search_with(|connection| {
            // The time limit counts from when a search connection is free: waiting for
            // one is bounded by the searches ahead, each bounded in turn.
            let deadline = query
                .time_limit
                .map(|limit| std::time::Instant::now() + limit);
            crate::connections::with_deadline(connection, deadline, |connection| {
                crate::search::test_knob_slow_search();
                crate::search::Searcher {
                    connection,
                    deadline,
                }
                .search(query)
            })
        })
    }
    fn count_entries(&self, section_id: i64, site_id: Option<i64>) -> StoreResult<i64> {
        self.with(|c| {
            c.prepare_cached(
                "SELECT COUNT(*) FROM entries WHERE section_id = ?1 AND (?2 IS NULL OR site_id = ?2)
                 AND deleted_at IS NULL",
            )?
            .query_row(params![section_id, site_id], |row| row.get(0))
        })
    }

    fn first_entry_id(&self, section_id: i64, site_id: i64) -> StoreResult<Option<i64>> {
        self.with(|c| {
            c.prepare_cached(
                "SELECT entry_id FROM entries WHERE section_id = ?1 AND site_id = ?2 LIMIT 1",
            )?
            .query_row([section_id, site_id], |row| row.get(0))
            .optional()
        })
    }

    fn insert_entry_draft(&self, row: &EntryDraftRow) -> StoreResult<i64> {
        self.write(|tx| {
            let id = allocate_ids(tx, 1)?;
            tx.prepare_cached(&format!(
                "INSERT INTO entry_drafts ({DRAFT_COLUMNS}) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14)"
            ))
            .and_then(|mut s| {
                s.execute(params![
                    id,
                    row.canonical_id,
                    row.site_id,
                    row.section_id,
                    row.entry_type_id,
                    row.name,
                    row.notes,
                    row.creator,
                    row.provisional,
                    row.base_seq,
                    to_text(&row.content),
                    row.version,
                    row.created_at,
                    row.updated_at
                ])
            })
            .map_err(map_error)?;
            Ok(id)
        })
    }

    fn entry_draft(&self, id: i64) -> StoreResult<Option<EntryDraftRow>> {
        self.optional(
            &format!("SELECT {DRAFT_COLUMNS} FROM entry_drafts WHERE id = ?1"),
            [id],
            draft_from_row,
        )
    }

    fn update_entry_draft(&self, id: i64, update: &EntryDraftUpdate) -> StoreResult<i64> {
        self.write(|tx| {
            let version: Option<i64> = tx
                .prepare_cached("SELECT version FROM entry_drafts WHERE id = ?1")
                .and_then(|mut s| s.query_row([id], |row| row.get(0)).optional())
                .map_err(map_error)?;
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
            tx.prepare_cached(
                "UPDATE entry_drafts SET content = COALESCE(?2, content), name = COALESCE(?3, name),
                 notes = CASE WHEN ?4 THEN ?5 ELSE notes END, base_seq = CASE WHEN ?7 THEN ?8 ELSE base_seq END,
                 version = version + 1, updated_at = ?6
                 WHERE id = ?1",
            )
            .and_then(|mut s| {
                s.execute(params![
                    id,
                    update.content.as_ref().map(to_text),
                    update.name,
                    set_notes,
                    notes,
                    update.now,
                    set_base,
                    base
                ])
            })
            .map_err(map_error)?;
            Ok(version + 1)
        })
    }

    fn delete_entry_draft(&self, id: i64) -> StoreResult<bool> {
        self.change(|c| c.execute("DELETE FROM entry_drafts WHERE id = ?1", [id]))
            .map(|n| n > 0)
    }

    fn delete_entry_draft_at(&self, id: i64, version: i64) -> StoreResult<bool> {
        self.change(|c| {
            c.execute(
                "DELETE FROM entry_drafts WHERE id = ?1 AND version = ?2",
                [id, version],
            )
        })
        .map(|n| n > 0)
    }

    fn entry_drafts(&self, filter: &DraftFilter) -> StoreResult<Vec<EntryDraftRow>> {
        let mut sql = format!("SELECT {DRAFT_COLUMNS} FROM entry_drafts WHERE 1 = 1");
        let mut values: Vec<SqlValue> = Vec::new();
        let mut add = |clause: &str, value: SqlValue, sql: &mut String| {
            values.push(value);
            sql.push_str(&format!(" AND {clause} ?{}", values.len()));
        };
        if let Some(canonical_id) = filter.canonical_id {
            add("canonical_id =", SqlValue::Integer(canonical_id), &mut sql);
        }
        if let Some(site_id) = filter.site_id {
            add("site_id =", SqlValue::Integer(site_id), &mut sql);
        }
        if let Some(section_id) = filter.section_id {
            add("section_id =", SqlValue::Integer(section_id), &mut sql);
        }
        if let Some(creator) = &filter.creator {
            add("creator =", SqlValue::Text(creator.clone()), &mut sql);
        }
        if let Some(provisional) = filter.provisional {
            add(
                "provisional =",
                SqlValue::Integer(i64::from(provisional)),
                &mut sql,
            );
        }
        if filter.from_scratch {
            sql.push_str(" AND canonical_id IS NULL");
        }
        add(
            "1 = 1 ORDER BY created_at, id LIMIT",
            SqlValue::Integer(i64::try_from(filter.limit).unwrap_or(i64::MAX)),
            &mut sql,
        );
        self.all(&sql, params_from_iter(values.iter()), draft_from_row)
    }

    fn count_entry_drafts(&self, canonical_id: Option<i64>) -> StoreResult<i64> {
        self.with(|c| {
            c.prepare_cached("SELECT COUNT(*) FROM entry_drafts WHERE canonical_id IS ?1")?
                .query_row([canonical_id], |row| row.get(0))
        })
    }
}
