//! Whole-store export and import (`imprint store copy`): every row, ids and bytes kept.
//!
//! Export reads inside one read transaction (a WAL snapshot), streaming row by row; import
//! writes inside one `BEGIN IMMEDIATE` transaction, so a failed copy leaves the target as it
//! was. The keyring is not a table here (public keys sit beside the database in `keys/`), so
//! imported public keys are skipped; the copier writes them to the data directory instead.

use imprint_store::transfer::{self, ImportMode, Record, RecordCounts, RecordKind};
use imprint_store::{CatalogRow, KeyRetirementRow, StoreError, StoreResult};
use rusqlite::{Connection, params};

use crate::content::{
    DRAFT_COLUMNS as ENTRY_DRAFT_COLUMNS, ENTRY_COLUMNS, ENTRY_TYPE_COLUMNS, FIELD_COLUMNS,
    LAYOUT_COLUMNS, SECTION_COLUMNS, SITE_COLUMNS, draft_from_row as entry_draft_from_row,
    entry_from_row, entry_type_from_row, field_from_row, layout_from_row, save_entry,
    save_section_entry_types, section_from_row, site_from_row,
};
use crate::team::{
    AUDIT_COLUMNS, REQUEST_COLUMNS, audit_from_row, insert_request, request_from_row,
};
use crate::tokens::{TOKEN_COLUMNS, token_from_row};
use crate::{
    DEPLOYMENT_COLUMNS, DRAFT_COLUMNS, REVISION_COLUMNS, SqliteStore, deployment_from_row,
    draft_from_row, from_text, map_error, revision_from_row, secret_from_row, to_text,
};

/// The table each kind counts (the keyring has none here).
fn table(kind: RecordKind) -> Option<&'static str> {
    // public keys live as files beside a SQLite store, not in it
    (kind != RecordKind::PublicKeys).then(|| kind.table())
}

fn count_in(c: &Connection) -> StoreResult<RecordCounts> {
    let mut counts = RecordCounts::new();
    for kind in RecordKind::ALL {
        let count: i64 = match table(kind) {
            Some(table) => c
                .query_row(&format!("SELECT COUNT(*) FROM {table}"), [], |row| {
                    row.get(0)
                })
                .map_err(map_error)?,
            None => 0,
        };
        counts.insert(kind, u64::try_from(count).unwrap_or(0));
    }
    Ok(counts)
}

/// Runs `sql` and hands each mapped row to `visit`, streaming.
fn each<T>(
    c: &Connection,
    sql: &str,
    map: impl FnMut(&rusqlite::Row<'_>) -> rusqlite::Result<T>,
    mut visit: impl FnMut(T) -> StoreResult<()>,
) -> StoreResult<()> {
    let mut statement = c.prepare(sql).map_err(map_error)?;
    let rows = statement.query_map([], map).map_err(map_error)?;
    for row in rows {
        visit(row.map_err(map_error)?)?;
    }
    Ok(())
}

/// Everything a store holds, deleted (in an order foreign keys accept). The audit log's
/// delete trigger is lifted for this one statement and put back (the same text as its
/// migration) in the same transaction: a replace swaps the whole log, never edits it.
const WIPE: &str = "
    DELETE FROM draft_items; DELETE FROM drafts; DELETE FROM revisions; DELETE FROM deployments; DELETE FROM pending_deployments;
    DELETE FROM catalog; DELETE FROM secrets; DELETE FROM tokens;
    INSERT INTO entries_search (entries_search) VALUES ('delete-all');
    DELETE FROM entries; DELETE FROM entry_drafts; DELETE FROM section_entry_types;
    DELETE FROM sections; DELETE FROM entry_types; DELETE FROM fields; DELETE FROM field_layouts;
    DELETE FROM sites; UPDATE content_sequence SET value = 0 WHERE name = 'element';
    DELETE FROM key_retirements; DELETE FROM publish_requests;
    DROP TRIGGER audit_log_no_delete;
    DELETE FROM audit_log; DELETE FROM sqlite_sequence WHERE name = 'audit_log';
    CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
    BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;";

impl SqliteStore {
    pub(crate) fn count_records_impl(&self) -> StoreResult<RecordCounts> {
        let connection = self.lock();
        count_in(&connection)
    }

    pub(crate) fn export_records_impl(
        &self,
        visit: &mut dyn FnMut(Record) -> StoreResult<()>,
    ) -> StoreResult<()> {
        let mut connection = self.lock();
        // A deferred transaction: one snapshot for every table, writers of other
        // processes are not blocked (WAL).
        let tx = connection.transaction().map_err(map_error)?;
        let c: &Connection = &tx;
        each(
            c,
            "SELECT server_id, definition, created_at, updated_at FROM catalog ORDER BY server_id",
            |row| {
                Ok(CatalogRow {
                    server_id: row.get(0)?,
                    definition: from_text(row.get(1)?)?,
                    created_at: row.get(2)?,
                    updated_at: row.get(3)?,
                })
            },
            |row| visit(Record::Catalog(row)),
        )?;
        each(
            c,
            "SELECT name, nonce, ciphertext, created_at, updated_at FROM secrets ORDER BY name",
            secret_from_row,
            |row| visit(Record::Secret(row)),
        )?;
        each(
            c,
            &format!("SELECT {TOKEN_COLUMNS} FROM tokens ORDER BY created_at, id"),
            token_from_row,
            |row| visit(Record::Token(row)),
        )?;
        let mut items = c
            .prepare("SELECT key, value FROM draft_items WHERE draft_id = ?1 ORDER BY key")
            .map_err(map_error)?;
        each(
            c,
            &format!("SELECT {DRAFT_COLUMNS} FROM drafts ORDER BY created_at, id"),
            draft_from_row,
            |row| {
                let items = items
                    .query_map([&row.id], |item| {
                        Ok((item.get::<_, String>(0)?, from_text(item.get(1)?)?))
                    })
                    .and_then(|rows| rows.collect::<rusqlite::Result<Vec<_>>>())
                    .map_err(map_error)?;
                visit(Record::Draft { row, items })
            },
        )?;
        each(
            c,
            &format!("SELECT {REVISION_COLUMNS} FROM revisions ORDER BY document, seq"),
            revision_from_row,
            |row| visit(Record::Revision(row)),
        )?;
        each(
            c,
            &format!("SELECT {DEPLOYMENT_COLUMNS} FROM deployments ORDER BY id"),
            deployment_from_row,
            |row| visit(Record::Deployment(row)),
        )?;
        each(
            c,
            &format!("SELECT {SITE_COLUMNS} FROM sites ORDER BY id"),
            site_from_row,
            |row| visit(Record::Site(row)),
        )?;
        each(
            c,
            &format!("SELECT {LAYOUT_COLUMNS} FROM field_layouts ORDER BY id"),
            layout_from_row,
            |row| visit(Record::FieldLayout(row)),
        )?;
        each(
            c,
            &format!("SELECT {FIELD_COLUMNS} FROM fields ORDER BY id"),
            field_from_row,
            |row| visit(Record::Field(row)),
        )?;
        each(
            c,
            &format!("SELECT {ENTRY_TYPE_COLUMNS} FROM entry_types ORDER BY id"),
            entry_type_from_row,
            |row| visit(Record::EntryType(row)),
        )?;
        let mut links = c
            .prepare(
                "SELECT entry_type_id FROM section_entry_types WHERE section_id = ?1 ORDER BY position",
            )
            .map_err(map_error)?;
        each(
            c,
            &format!("SELECT {SECTION_COLUMNS} FROM sections ORDER BY id"),
            section_from_row,
            |mut row| {
                row.entry_type_ids = links
                    .query_map([row.id], |link| link.get(0))
                    .and_then(|rows| rows.collect::<rusqlite::Result<Vec<i64>>>())
                    .map_err(map_error)?;
                visit(Record::Section(row))
            },
        )?;
        each(
            c,
            &format!("SELECT {ENTRY_COLUMNS} FROM entries e ORDER BY e.entry_id, e.site_id"),
            entry_from_row,
            |row| {
                visit(Record::Entry {
                    row,
                    search_title: String::new(),
                    search_body: String::new(),
                })
            },
        )?;
        each(
            c,
            &format!("SELECT {ENTRY_DRAFT_COLUMNS} FROM entry_drafts ORDER BY id"),
            entry_draft_from_row,
            |row| visit(Record::EntryDraft(row)),
        )?;
        each(
            c,
            "SELECT key_id, retired_at, endorsement FROM key_retirements ORDER BY retired_at, key_id",
            |row| {
                Ok(KeyRetirementRow {
                    key_id: row.get(0)?,
                    retired_at: row.get(1)?,
                    endorsement: row.get(2)?,
                })
            },
            |row| visit(Record::KeyRetirement(row)),
        )?;
        each(
            c,
            &format!("SELECT {REQUEST_COLUMNS} FROM publish_requests ORDER BY requested_at, id"),
            request_from_row,
            |row| visit(Record::Request(row)),
        )?;
        each(
            c,
            &format!("SELECT {AUDIT_COLUMNS} FROM audit_log ORDER BY seq"),
            audit_from_row,
            |row| visit(Record::Audit(row)),
        )?;
        let sequence: i64 = c
            .query_row(
                "SELECT value FROM content_sequence WHERE name = 'element'",
                [],
                |row| row.get(0),
            )
            .map_err(map_error)?;
        visit(Record::ElementSequence(sequence))
    }

    pub(crate) fn import_records_impl(
        &self,
        mode: ImportMode,
        next: &mut dyn FnMut() -> StoreResult<Option<Record>>,
    ) -> StoreResult<()> {
        self.write(|tx| {
            let counts = count_in(tx)?;
            if mode == ImportMode::EmptyOnly && !transfer::is_empty(&counts) {
                return Err(StoreError::Conflict(format!(
                    "the target database is not empty (it holds {})",
                    transfer::describe(&counts)
                )));
            }
            tx.execute_batch(WIPE).map_err(map_error)?;
            while let Some(record) = next()? {
                import_one(tx, record)?;
            }
            Ok(())
        })
    }
}

fn import_one(tx: &rusqlite::Transaction<'_>, record: Record) -> StoreResult<()> {
    let run = |sql: &str, params: &[&dyn rusqlite::ToSql]| {
        tx.prepare_cached(sql)
            .and_then(|mut statement| statement.execute(params))
            .map(drop)
            .map_err(map_error)
    };
    match record {
        // No keyring table: keys live in the data directory beside the database.
        Record::PublicKey { .. } => Ok(()),
        Record::Catalog(row) => run(
            "INSERT INTO catalog (server_id, definition, created_at, updated_at) VALUES (?1, ?2, ?3, ?4)",
            params![
                row.server_id,
                to_text(&row.definition),
                row.created_at,
                row.updated_at
            ],
        ),
        Record::Secret(row) => run(
            "INSERT INTO secrets (name, nonce, ciphertext, created_at, updated_at) VALUES (?1, ?2, ?3, ?4, ?5)",
            params![
                row.name,
                row.nonce,
                row.ciphertext,
                row.created_at,
                row.updated_at
            ],
        ),
        Record::Token(row) => run(
            &format!(
                "INSERT INTO tokens ({TOKEN_COLUMNS}) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)"
            ),
            params![
                row.id,
                row.name,
                row.secret_sha256,
                row.created_at,
                row.expires_at,
                row.last_used_at,
                row.revoked_at,
                row.creator,
                row.role
            ],
        ),
        Record::Draft { row, items } => {
            run(
                &format!(
                    "INSERT INTO drafts ({DRAFT_COLUMNS}, item_count) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)"
                ),
                params![
                    row.id,
                    row.document,
                    row.name,
                    row.notes,
                    row.creator,
                    row.provisional,
                    row.base_seq,
                    to_text(&row.meta),
                    row.version,
                    row.created_at,
                    row.updated_at,
                    items.len() as i64
                ],
            )?;
            for (key, value) in &items {
                run(
                    "INSERT INTO draft_items (draft_id, key, value) VALUES (?1, ?2, ?3)",
                    params![row.id, key, to_text(value)],
                )?;
            }
            Ok(())
        }
        Record::Revision(row) => run(
            &format!("INSERT INTO revisions ({REVISION_COLUMNS}) VALUES (?1, ?2, ?3, ?4, ?5)"),
            params![
                row.document,
                row.seq,
                row.artifact_id,
                to_text(&row.envelope),
                row.created_at
            ],
        ),
        Record::Deployment(row) => run(
            &format!(
                "INSERT INTO deployments ({DEPLOYMENT_COLUMNS}) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)"
            ),
            params![
                row.document,
                row.path,
                row.artifact_id,
                row.file_sha256,
                to_text(&row.section),
                row.backup_path,
                row.deployed_at
            ],
        ),
        Record::Site(row) => run(
            &format!(
                "INSERT INTO sites ({SITE_COLUMNS}) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)"
            ),
            params![
                row.id,
                row.name,
                row.handle,
                row.language,
                row.base_url,
                row.primary,
                row.created_at,
                row.updated_at,
                row.group
            ],
        ),
        Record::FieldLayout(row) => run(
            &format!("INSERT INTO field_layouts ({LAYOUT_COLUMNS}) VALUES (?1, ?2, ?3, ?4, ?5)"),
            params![
                row.id,
                row.kind,
                to_text(&row.tabs),
                row.created_at,
                row.updated_at
            ],
        ),
        Record::Field(row) => run(
            &format!(
                "INSERT INTO fields ({FIELD_COLUMNS}) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)"
            ),
            params![
                row.id,
                row.name,
                row.handle,
                row.field_type,
                row.instructions,
                row.searchable,
                to_text(&row.settings),
                row.created_at,
                row.updated_at
            ],
        ),
        Record::EntryType(row) => run(
            &format!(
                "INSERT INTO entry_types ({ENTRY_TYPE_COLUMNS}) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)"
            ),
            params![
                row.id,
                row.name,
                row.handle,
                row.field_layout_id,
                row.has_title_field,
                row.title_format,
                to_text(&row.settings),
                row.created_at,
                row.updated_at
            ],
        ),
        Record::Section(row) => {
            run(
                &format!(
                    "INSERT INTO sections ({SECTION_COLUMNS}) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)"
                ),
                params![
                    row.id,
                    row.name,
                    row.handle,
                    row.kind,
                    to_text(&row.settings),
                    row.created_at,
                    row.updated_at
                ],
            )?;
            save_section_entry_types(tx, &row, row.id)
        }
        Record::Entry {
            row,
            search_title,
            search_body,
        } => save_entry(tx, &row, &search_title, &search_body, None),
        Record::EntryDraft(row) => run(
            &format!(
                "INSERT INTO entry_drafts ({ENTRY_DRAFT_COLUMNS}) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14)"
            ),
            params![
                row.id,
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
            ],
        ),
        Record::KeyRetirement(row) => run(
            "INSERT INTO key_retirements (key_id, retired_at, endorsement) VALUES (?1, ?2, ?3)",
            params![row.key_id, row.retired_at, row.endorsement],
        ),
        Record::Request(row) => insert_request(tx, &row),
        // The seq is kept (new rows continue after the highest one).
        Record::Audit(row) => run(
            &format!(
                "INSERT INTO audit_log ({AUDIT_COLUMNS}) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)"
            ),
            params![
                row.seq,
                row.at,
                row.actor,
                row.token_id,
                row.role,
                row.surface,
                row.operation,
                row.target
            ],
        ),
        Record::ElementSequence(value) => run(
            "UPDATE content_sequence SET value = ?1 WHERE name = 'element'",
            params![value],
        ),
    }
}
