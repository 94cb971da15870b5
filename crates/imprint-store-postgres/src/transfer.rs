//! Whole-store export and import (`imprint store copy`): every row, ids and bytes kept.
//!
//! Export reads in one `REPEATABLE READ` read-only transaction (one snapshot for every table);
//! the two tables that grow without bound (revisions, entries) are read in pages by key, so
//! they are never held in memory whole. Import writes in one
//! transaction that first locks every table, so no replica writes in between and a failed
//! copy leaves the target as it was; identity sequences then continue after the highest id.

use imprint_store::transfer::{self, ImportMode, Record, RecordCounts, RecordKind};
use imprint_store::{KeyRetirementRow, StoreError, StoreResult};
use tokio_postgres::Row;
use tokio_postgres::types::ToSql;

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
    Conn, DEPLOYMENT_COLUMNS, DRAFT_COLUMNS, PostgresStore, REVISION_COLUMNS, all,
    catalog_from_row, deployment_from_row, draft_from_row, from_text, get, revision_from_row,
    secret_from_row, to_text,
};

/// Rows read at a time from the tables read in pages.
const PAGE: i64 = 1000;

/// Every table, for the lock and the wipe of an import. `TRUNCATE` fires no row trigger, so
/// the audit log's append-only trigger stays in place and refuses edits after, as before.
const TABLES: &str = "public_keys, catalog, secrets, tokens, draft_items, drafts, revisions, \
     deployments, pending_deployments, section_entry_types, sections, entry_types, fields, field_layouts, sites, \
     entries, entry_drafts, content_sequence, key_retirements, publish_requests, audit_log";

/// Tables whose ids are kept: their identity continues after the highest one imported.
const KEPT_IDS: [&str; 5] = [
    "sites",
    "field_layouts",
    "fields",
    "entry_types",
    "sections",
];

fn count_in(c: &mut Conn) -> StoreResult<RecordCounts> {
    let mut counts = RecordCounts::new();
    for kind in RecordKind::ALL {
        let row = c.one(&format!("SELECT COUNT(*) FROM {}", kind.table()), &[])?;
        let count: i64 = get(&row, 0)?;
        counts.insert(kind, u64::try_from(count).unwrap_or(0));
    }
    Ok(counts)
}

/// Runs `sql` and hands each mapped row to `visit`.
fn each<T>(
    c: &mut Conn,
    sql: &str,
    map: impl Fn(&Row) -> StoreResult<T>,
    mut visit: impl FnMut(&mut Conn, T) -> StoreResult<()>,
) -> StoreResult<()> {
    let rows = c.query(sql, &[])?;
    for row in &rows {
        visit(c, map(row)?)?;
    }
    Ok(())
}

impl PostgresStore {
    pub(crate) fn count_records_impl(&self) -> StoreResult<RecordCounts> {
        self.read(count_in)
    }

    pub(crate) fn public_keys_impl(&self) -> StoreResult<Vec<(String, String)>> {
        self.read(|c| {
            all(
                c.query(
                    "SELECT key_id, spki_pem FROM public_keys ORDER BY key_id",
                    &[],
                )?,
                |row| Ok((get(row, 0)?, get(row, 1)?)),
            )
        })
    }

    pub(crate) fn export_records_impl(
        &self,
        visit: &mut dyn FnMut(Record) -> StoreResult<()>,
    ) -> StoreResult<()> {
        self.write(|c| {
            c.batch("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")?;
            each(
                c,
                "SELECT key_id, spki_pem, created_at FROM public_keys ORDER BY key_id",
                |row| {
                    Ok(Record::PublicKey {
                        key_id: get(row, 0)?,
                        spki_pem: get(row, 1)?,
                        created_at: get(row, 2)?,
                    })
                },
                |_, record| visit(record),
            )?;
            each(
                c,
                "SELECT server_id, definition, created_at, updated_at FROM catalog ORDER BY server_id",
                catalog_from_row,
                |_, row| visit(Record::Catalog(row)),
            )?;
            each(
                c,
                "SELECT name, nonce, ciphertext, created_at, updated_at FROM secrets ORDER BY name",
                secret_from_row,
                |_, row| visit(Record::Secret(row)),
            )?;
            each(
                c,
                &format!("SELECT {TOKEN_COLUMNS} FROM tokens ORDER BY created_at, id"),
                token_from_row,
                |_, row| visit(Record::Token(row)),
            )?;
            each(
                c,
                &format!("SELECT {DRAFT_COLUMNS} FROM drafts ORDER BY created_at, id"),
                draft_from_row,
                |c, row| {
                    let items = all(
                        c.query(
                            "SELECT key, value FROM draft_items WHERE draft_id = $1 ORDER BY key COLLATE \"C\"",
                            &[&row.id],
                        )?,
                        |item| Ok((get::<String>(item, 0)?, from_text(&get::<String>(item, 1)?)?)),
                    )?;
                    visit(Record::Draft { row, items })
                },
            )?;
            // In pages by (document, seq), the primary key.
            let mut after: (String, i64) = (String::new(), 0);
            loop {
                let rows = c.query(
                    &format!(
                        "SELECT {REVISION_COLUMNS} FROM revisions
                         WHERE (document COLLATE \"C\", seq) > ($1 COLLATE \"C\", $2)
                         ORDER BY document COLLATE \"C\", seq LIMIT $3"
                    ),
                    &[&after.0, &after.1, &PAGE],
                )?;
                for row in &rows {
                    let revision = revision_from_row(row)?;
                    after = (revision.document.clone(), revision.seq);
                    visit(Record::Revision(revision))?;
                }
                if (rows.len() as i64) < PAGE {
                    break;
                }
            }
            each(
                c,
                &format!("SELECT {DEPLOYMENT_COLUMNS} FROM deployments ORDER BY id"),
                deployment_from_row,
                |_, row| visit(Record::Deployment(row)),
            )?;
            each(
                c,
                &format!("SELECT {SITE_COLUMNS} FROM sites ORDER BY id"),
                site_from_row,
                |_, row| visit(Record::Site(row)),
            )?;
            each(
                c,
                &format!("SELECT {LAYOUT_COLUMNS} FROM field_layouts ORDER BY id"),
                layout_from_row,
                |_, row| visit(Record::FieldLayout(row)),
            )?;
            each(
                c,
                &format!("SELECT {FIELD_COLUMNS} FROM fields ORDER BY id"),
                field_from_row,
                |_, row| visit(Record::Field(row)),
            )?;
            each(
                c,
                &format!("SELECT {ENTRY_TYPE_COLUMNS} FROM entry_types ORDER BY id"),
                entry_type_from_row,
                |_, row| visit(Record::EntryType(row)),
            )?;
            each(
                c,
                &format!("SELECT {SECTION_COLUMNS} FROM sections ORDER BY id"),
                section_from_row,
                |c, mut row| {
                    row.entry_type_ids = all(
                        c.query(
                            "SELECT entry_type_id FROM section_entry_types WHERE section_id = $1 ORDER BY position",
                            &[&row.id],
                        )?,
                        |link| get(link, 0),
                    )?;
                    visit(Record::Section(row))
                },
            )?;
            // In pages by (entry_id, site_id), a unique key.
            let mut after: (i64, i64) = (i64::MIN, i64::MIN);
            loop {
                let rows = c.query(
                    &format!(
                        "SELECT {ENTRY_COLUMNS} FROM entries e WHERE (e.entry_id, e.site_id) > ($1, $2)
                         ORDER BY e.entry_id, e.site_id LIMIT $3"
                    ),
                    &[&after.0, &after.1, &PAGE],
                )?;
                for row in &rows {
                    let row = entry_from_row(row)?;
                    after = (row.entry_id, row.site_id);
                    visit(Record::Entry {
                        row,
                        search_title: String::new(),
                        search_body: String::new(),
                    })?;
                }
                if (rows.len() as i64) < PAGE {
                    break;
                }
            }
            each(
                c,
                &format!("SELECT {ENTRY_DRAFT_COLUMNS} FROM entry_drafts ORDER BY id"),
                entry_draft_from_row,
                |_, row| visit(Record::EntryDraft(row)),
            )?;
            each(
                c,
                "SELECT key_id, retired_at, endorsement FROM key_retirements ORDER BY retired_at, key_id COLLATE \"C\"",
                |row| {
                    Ok(KeyRetirementRow {
                        key_id: get(row, 0)?,
                        retired_at: get(row, 1)?,
                        endorsement: get(row, 2)?,
                    })
                },
                |_, row| visit(Record::KeyRetirement(row)),
            )?;
            each(
                c,
                &format!(
                    "SELECT {REQUEST_COLUMNS} FROM publish_requests ORDER BY requested_at, id COLLATE \"C\""
                ),
                request_from_row,
                |_, row| visit(Record::Request(row)),
            )?;
            // In pages by seq: the log grows without bound.
            let mut after: i64 = i64::MIN;
            loop {
                let rows = c.query(
                    &format!(
                        "SELECT {AUDIT_COLUMNS} FROM audit_log WHERE seq > $1 ORDER BY seq LIMIT $2"
                    ),
                    &[&after, &PAGE],
                )?;
                for row in &rows {
                    let row = audit_from_row(row)?;
                    after = row.seq;
                    visit(Record::Audit(row))?;
                }
                if (rows.len() as i64) < PAGE {
                    break;
                }
            }
            let row = c.one(
                "SELECT value FROM content_sequence WHERE name = 'element'",
                &[],
            )?;
            visit(Record::ElementSequence(get(&row, 0)?))
        })
    }

    pub(crate) fn import_records_impl(
        &self,
        mode: ImportMode,
        next: &mut dyn FnMut() -> StoreResult<Option<Record>>,
    ) -> StoreResult<()> {
        self.write(|c| {
            // Replicas running against the target wait until the copy is committed.
            c.batch(&format!("LOCK TABLE {TABLES} IN ACCESS EXCLUSIVE MODE"))?;
            let counts = count_in(c)?;
            if mode == ImportMode::EmptyOnly && !transfer::is_empty(&counts) {
                return Err(StoreError::Conflict(format!(
                    "the target database is not empty (it holds {})",
                    transfer::describe(&counts)
                )));
            }
            c.batch(&format!("TRUNCATE {TABLES} RESTART IDENTITY"))?;
            c.batch("INSERT INTO content_sequence (name, value) VALUES ('element', 0)")?;
            while let Some(record) = next()? {
                import_one(c, record)?;
            }
            c.batch(
                "SELECT setval(pg_get_serial_sequence('audit_log', 'seq'), COALESCE(MAX(seq), 1), MAX(seq) IS NOT NULL) FROM audit_log",
            )?;
            for table in KEPT_IDS {
                c.batch(&format!(
                    "SELECT setval(pg_get_serial_sequence('{table}', 'id'), COALESCE(MAX(id), 1), MAX(id) IS NOT NULL) FROM {table}"
                ))?;
            }
            Ok(())
        })
    }
}

fn import_one(c: &mut Conn, record: Record) -> StoreResult<()> {
    let mut run = |sql: &str, params: &[&(dyn ToSql + Sync)]| c.exec(sql, params).map(drop);
    match record {
        Record::PublicKey {
            key_id,
            spki_pem,
            created_at,
        } => run(
            "INSERT INTO public_keys (key_id, spki_pem, created_at) VALUES ($1, $2, $3)
             ON CONFLICT (key_id) DO NOTHING",
            &[&key_id, &spki_pem, &created_at],
        ),
        Record::Catalog(row) => run(
            "INSERT INTO catalog (server_id, definition, created_at, updated_at) VALUES ($1, $2, $3, $4)",
            &[
                &row.server_id,
                &to_text(&row.definition),
                &row.created_at,
                &row.updated_at,
            ],
        ),
        Record::Secret(row) => run(
            "INSERT INTO secrets (name, nonce, ciphertext, created_at, updated_at) VALUES ($1, $2, $3, $4, $5)",
            &[
                &row.name,
                &row.nonce,
                &row.ciphertext,
                &row.created_at,
                &row.updated_at,
            ],
        ),
        Record::Token(row) => run(
            &format!(
                "INSERT INTO tokens ({TOKEN_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)"
            ),
            &[
                &row.id,
                &row.name,
                &row.secret_sha256,
                &row.created_at,
                &row.expires_at,
                &row.last_used_at,
                &row.revoked_at,
                &row.creator,
                &row.role,
            ],
        ),
        Record::Draft { row, items } => {
            run(
                &format!(
                    "INSERT INTO drafts ({DRAFT_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)"
                ),
                &[
                    &row.id,
                    &row.document,
                    &row.name,
                    &row.notes,
                    &row.creator,
                    &row.provisional,
                    &row.base_seq,
                    &to_text(&row.meta),
                    &row.version,
                    &row.created_at,
                    &row.updated_at,
                ],
            )?;
            for (key, value) in &items {
                run(
                    "INSERT INTO draft_items (draft_id, key, value) VALUES ($1, $2, $3)",
                    &[&row.id, key, &to_text(value)],
                )?;
            }
            Ok(())
        }
        Record::Revision(row) => run(
            &format!("INSERT INTO revisions ({REVISION_COLUMNS}) VALUES ($1, $2, $3, $4, $5)"),
            &[
                &row.document,
                &row.seq,
                &row.artifact_id,
                &to_text(&row.envelope),
                &row.created_at,
            ],
        ),
        Record::Deployment(row) => run(
            &format!(
                "INSERT INTO deployments ({DEPLOYMENT_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7)"
            ),
            &[
                &row.document,
                &row.path,
                &row.artifact_id,
                &row.file_sha256,
                &to_text(&row.section),
                &row.backup_path,
                &row.deployed_at,
            ],
        ),
        Record::Site(row) => run(
            &format!(
                "INSERT INTO sites ({SITE_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)"
            ),
            &[
                &row.id,
                &row.name,
                &row.handle,
                &row.language,
                &row.base_url,
                &row.primary,
                &row.created_at,
                &row.updated_at,
                &row.group,
            ],
        ),
        Record::FieldLayout(row) => run(
            &format!("INSERT INTO field_layouts ({LAYOUT_COLUMNS}) VALUES ($1, $2, $3, $4, $5)"),
            &[
                &row.id,
                &row.kind,
                &to_text(&row.tabs),
                &row.created_at,
                &row.updated_at,
            ],
        ),
        Record::Field(row) => run(
            &format!(
                "INSERT INTO fields ({FIELD_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)"
            ),
            &[
                &row.id,
                &row.name,
                &row.handle,
                &row.field_type,
                &row.instructions,
                &row.searchable,
                &to_text(&row.settings),
                &row.created_at,
                &row.updated_at,
            ],
        ),
        Record::EntryType(row) => run(
            &format!(
                "INSERT INTO entry_types ({ENTRY_TYPE_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)"
            ),
            &[
                &row.id,
                &row.name,
                &row.handle,
                &row.field_layout_id,
                &row.has_title_field,
                &row.title_format,
                &to_text(&row.settings),
                &row.created_at,
                &row.updated_at,
            ],
        ),
        Record::Section(row) => {
            run(
                &format!(
                    "INSERT INTO sections ({SECTION_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7)"
                ),
                &[
                    &row.id,
                    &row.name,
                    &row.handle,
                    &row.kind,
                    &to_text(&row.settings),
                    &row.created_at,
                    &row.updated_at,
                ],
            )?;
            save_section_entry_types(c, &row, row.id)
        }
        Record::Entry {
            row,
            search_title,
            search_body,
        } => save_entry(c, &row, &search_title, &search_body, None),
        Record::EntryDraft(row) => run(
            &format!(
                "INSERT INTO entry_drafts ({ENTRY_DRAFT_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)"
            ),
            &[
                &row.id,
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
        ),
        Record::KeyRetirement(row) => run(
            "INSERT INTO key_retirements (key_id, retired_at, endorsement) VALUES ($1, $2, $3)",
            &[&row.key_id, &row.retired_at, &row.endorsement],
        ),
        Record::Request(row) => insert_request(c, &row),
        // The seq is kept; the sequence continues after the highest one once all are in.
        Record::Audit(row) => run(
            &format!(
                "INSERT INTO audit_log ({AUDIT_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)"
            ),
            &[
                &row.seq,
                &row.at,
                &row.actor,
                &row.token_id,
                &row.role,
                &row.surface,
                &row.operation,
                &row.target,
            ],
        ),
        Record::ElementSequence(value) => run(
            "UPDATE content_sequence SET value = $1 WHERE name = 'element'",
            &[&value],
        ),
    }
}
