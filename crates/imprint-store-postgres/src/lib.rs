//! The PostgreSQL store: team mode, several Imprint servers on one database.
//!
//! Same rows and same behaviour as the SQLite backend (the shared conformance suite in
//! `imprint-test-support` runs on both). Concurrency control is the database's: every
//! check-then-write runs in one transaction that first locks the row it checks
//! (`SELECT … FOR UPDATE`), and unique keys (revision `(document, seq)`, draft names,
//! slugs) turn a lost race into `Conflict`. Sessions run with `synchronous_commit = on`,
//! so a write is durable when it is acknowledged.
//!
//! # Sync over async, safe from any caller
//!
//! The store traits are synchronous and are called both from plain threads (the CLI)
//! and from inside tokio runtimes (the MCP and HTTP surfaces, current-thread or
//! multi-thread). The connections and their I/O tasks live on a small runtime this store
//! owns; a caller's thread only waits on channel futures with `futures_executor::block_on`,
//! which never blocks inside a tokio runtime's own `block_on`, so nothing here can hit
//! tokio's "runtime within a runtime" panic. Taking a pooled connection enters the store
//! runtime's context on the caller's thread (a context, not a `block_on`), so the pool's
//! timers and a new connection's task land on the store's runtime.
//!
//! Migrations are numbered files in `migrations/`, append-only, applied at connect under
//! a transaction-level advisory lock, so replicas starting together apply them once.

#![forbid(unsafe_code)]

use std::future::Future;
use std::time::Duration;

use deadpool_postgres::{Manager, ManagerConfig, Object, Pool, RecyclingMethod};
use imprint_store::team::{audit_pending, restore_pending_audit, take_pending_audit};
use imprint_store::{
    CatalogRow, ContentStore, DeploymentRow, DraftRow, DraftUpdate, ItemAdded, RevisionRow,
    SecretRow, Store, StoreError, StoreResult, TokenStore,
};
use serde_json::Value;
use tokio_postgres::types::ToSql;
use tokio_postgres::{NoTls, Row};

mod content;
mod search;
mod team;
mod tokens;
mod transfer;

/// Numbered migrations, applied in order. Append only.
const MIGRATIONS: &[&str] = &[
    include_str!("../migrations/0001_initial.sql"),
    include_str!("../migrations/0002_keyring.sql"),
    include_str!("../migrations/0003_pending_deployments.sql"),
    include_str!("../migrations/0004_site_groups.sql"),
    include_str!("../migrations/0005_roles_requests_audit.sql"),
    include_str!("../migrations/0006_key_retirements.sql"),
    include_str!("../migrations/0007_search_recency.sql"),
    include_str!("../migrations/0008_search_table.sql"),
    include_str!("../migrations/0009_search_function.sql"),
    include_str!("../migrations/0010_search_range_key.sql"),
    include_str!("../migrations/0011_search_words_and_ranges.sql"),
    include_str!("../migrations/0012_search_range_steps.sql"),
    include_str!("../migrations/0013_search_coarse_blocks.sql"),
    include_str!("../migrations/0014_search_rows_keep_their_pages.sql"),
    include_str!("../migrations/0015_search_filter_indexes.sql"),
];

/// The advisory lock migrations take (any constant; "imprint" in ASCII).
const MIGRATION_LOCK: i64 = 0x0069_6d70_7269_6e74;

/// How long a request waits for a connection (or to open one) before failing: short,
/// so requests fail fast while the database is down instead of piling up.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(5);

/// Parameters of a query.
pub(crate) type Params<'a> = &'a [&'a (dyn ToSql + Sync)];

pub struct PostgresStore {
    pool: Pool,
    runtime: Runtime,
    /// Host and database, for messages (never the password).
    target: String,
}

/// The store's own runtime. Dropped in the background: a store may be dropped inside
/// an async context, where dropping a runtime the ordinary way panics.
struct Runtime(Option<tokio::runtime::Runtime>);

impl Drop for Runtime {
    fn drop(&mut self) {
        if let Some(runtime) = self.0.take() {
            runtime.shutdown_background();
        }
    }
}

impl PostgresStore {
    /// Connects to `url` (`postgres://user:password@host:port/database`) and brings the
    /// schema up to date.
    pub fn connect(url: &str) -> StoreResult<Self> {
        Self::connect_with(url, None)
    }

    /// Like [`PostgresStore::connect`], with every table in `schema` (created if needed):
    /// the conformance suite gives each test its own.
    pub fn connect_in_schema(url: &str, schema: &str) -> StoreResult<Self> {
        Self::connect_with(url, Some(schema))
    }

    fn connect_with(url: &str, schema: Option<&str>) -> StoreResult<Self> {
        let mut config: tokio_postgres::Config = url.parse().map_err(|e| {
            StoreError::Other(format!(
                "the database URL is not a PostgreSQL URL ({e}): give postgres://user@host:port/database"
            ))
        })?;
        let target = describe(&config);
        let mut options = String::from("-c synchronous_commit=on");
        if let Some(schema) = schema {
            if !schema
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '_')
            {
                return Err(StoreError::Other(format!(
                    "schema name '{schema}' must be letters, digits and underscores"
                )));
            }
            options.push_str(&format!(" -c search_path={schema}"));
        }
        if let Some(existing) = config.get_options() {
            options = format!("{existing} {options}");
        }
        config.options(&options);
        if config.get_connect_timeout().is_none() {
            config.connect_timeout(CONNECT_TIMEOUT);
        }
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .thread_name("imprint-postgres")
            .enable_all()
            .build()
            .map_err(|e| StoreError::Other(format!("cannot start the database runtime: {e}")))?;
        let manager = Manager::from_config(
            config,
            NoTls,
            ManagerConfig {
                recycling_method: RecyclingMethod::Fast,
            },
        );
        let pool = {
            // Pool timeouts need the runtime's timer, so the pool is built inside it.
            let _guard = runtime.enter();
            Pool::builder(manager)
                .max_size(16)
                .runtime(deadpool_postgres::Runtime::Tokio1)
                .wait_timeout(Some(CONNECT_TIMEOUT))
                .create_timeout(Some(CONNECT_TIMEOUT))
                .recycle_timeout(Some(CONNECT_TIMEOUT))
                .build()
                .map_err(|e| StoreError::Other(format!("cannot build the connection pool: {e}")))?
        };
        let store = Self {
            pool,
            runtime: Runtime(Some(runtime)),
            target,
        };
        if let Some(schema) = schema {
            // Under the migration lock: `IF NOT EXISTS` alone still races.
            store.write(|c| {
                c.exec("SELECT pg_advisory_xact_lock($1)", &[&MIGRATION_LOCK])?;
                c.batch(&format!("CREATE SCHEMA IF NOT EXISTS {schema}"))
            })?;
        }
        store.migrate()?;
        Ok(store)
    }

    /// Drops `schema` and everything in it (the conformance suite's cleanup).
    pub fn drop_schema(url: &str, schema: &str) -> StoreResult<()> {
        let store = Self::connect_with(url, None)?;
        if !schema
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_')
        {
            return Err(StoreError::Other(format!("bad schema name '{schema}'")));
        }
        store.read(|c| c.batch(&format!("DROP SCHEMA IF EXISTS {schema} CASCADE")))
    }

    /// Takes a connection from the pool, opening one on the store's runtime if needed.
    fn connection(&self) -> StoreResult<Conn> {
        let runtime = self
            .runtime
            .0
            .as_ref()
            .expect("runtime lives as long as the store");
        // Taken on the caller's thread, in the store runtime's context (its timer for the
        // pool's timeouts; its workers for a new connection's I/O task): sending the take
        // to the runtime and waiting for the answer cost two thread wake-ups per call.
        let _context = runtime.enter();
        let object = futures_executor::block_on(self.pool.get()).map_err(|e| {
            StoreError::Unavailable(format!(
                "cannot reach the PostgreSQL database at {} ({e})",
                self.target
            ))
        })?;
        Ok(Conn {
            object: Some(object),
        })
    }

    /// Runs `f` on a connection, each statement committing on its own.
    pub(crate) fn read<T>(&self, f: impl FnOnce(&mut Conn) -> StoreResult<T>) -> StoreResult<T> {
        let mut connection = self.connection()?;
        f(&mut connection)
    }

    /// Runs one statement that changes something: on its own (autocommit), or in one
    /// transaction when an operation's audit row is pending, so the row commits with it.
    pub(crate) fn change<T>(&self, f: impl FnOnce(&mut Conn) -> StoreResult<T>) -> StoreResult<T> {
        if audit_pending() {
            self.write(f)
        } else {
            self.read(f)
        }
    }

    /// Runs `f` in one transaction: committed when it returns `Ok`, rolled back otherwise.
    pub(crate) fn write<T>(&self, f: impl FnOnce(&mut Conn) -> StoreResult<T>) -> StoreResult<T> {
        let mut connection = self.connection()?;
        connection.batch("BEGIN")?;
        match f(&mut connection) {
            Ok(value) => {
                // The operation's audit row, if pending, commits with its change (see
                // imprint_store::team); it is pending again if the commit fails.
                let audit = take_pending_audit();
                if let Some(row) = &audit
                    && let Err(error) = team::insert_audit(&mut connection, row)
                {
                    if connection.batch("ROLLBACK").is_err() {
                        connection.discard();
                    }
                    audit.into_iter().for_each(restore_pending_audit);
                    return Err(error);
                }
                if let Err(error) = connection.batch("COMMIT") {
                    connection.discard();
                    audit.into_iter().for_each(restore_pending_audit);
                    return Err(error);
                }
                Ok(value)
            }
            Err(error) => {
                if connection.batch("ROLLBACK").is_err() {
                    // A connection in an unknown transaction state never goes back to the pool.
                    connection.discard();
                }
                Err(error)
            }
        }
    }

    fn migrate(&self) -> StoreResult<()> {
        self.write(|c| {
            // Held to the end of this transaction: a second replica waits here, then
            // finds the schema current.
            c.exec("SELECT pg_advisory_xact_lock($1)", &[&MIGRATION_LOCK])?;
            c.batch(
                "CREATE TABLE IF NOT EXISTS schema_migrations (
                     version BIGINT PRIMARY KEY,
                     applied_at TIMESTAMPTZ NOT NULL DEFAULT now())",
            )?;
            let current: i64 = get(
                &c.one(
                    "SELECT COALESCE(MAX(version), 0) FROM schema_migrations",
                    &[],
                )?,
                0,
            )?;
            let known = MIGRATIONS.len() as i64;
            if current > known {
                return Err(StoreError::Other(format!(
                    "the database schema is version {current} but this imprint knows only {known}: upgrade imprint"
                )));
            }
            for (index, sql) in MIGRATIONS.iter().enumerate().skip(current as usize) {
                c.batch(sql)?;
                c.exec(
                    "INSERT INTO schema_migrations (version) VALUES ($1)",
                    &[&(index as i64 + 1)],
                )?;
            }
            Ok(())
        })
    }
}

/// `host:port/database` of a config, for messages.
fn describe(config: &tokio_postgres::Config) -> String {
    let host = config
        .get_hosts()
        .first()
        .map(|host| match host {
            tokio_postgres::config::Host::Tcp(name) => name.clone(),
            tokio_postgres::config::Host::Unix(path) => path.display().to_string(),
        })
        .unwrap_or_else(|| "localhost".into());
    let port = config.get_ports().first().copied().unwrap_or(5432);
    let database = config.get_dbname().unwrap_or("(default)");
    format!("{host}:{port}/{database}")
}

/// One pooled connection, used synchronously.
pub(crate) struct Conn {
    object: Option<Object>,
}

impl Conn {
    fn client(&self) -> &Object {
        self.object
            .as_ref()
            .expect("a discarded connection is not used")
    }

    /// Drops the connection instead of returning it to the pool.
    fn discard(&mut self) {
        if let Some(object) = self.object.take() {
            drop(Object::take(object));
        }
    }

    fn statement(&mut self, sql: &str) -> StoreResult<tokio_postgres::Statement> {
        wait(self.client().prepare_cached(sql))
    }

    pub(crate) fn query(&mut self, sql: &str, params: Params<'_>) -> StoreResult<Vec<Row>> {
        let statement = self.statement(sql)?;
        wait(self.client().query(&statement, params))
    }

    pub(crate) fn opt(&mut self, sql: &str, params: Params<'_>) -> StoreResult<Option<Row>> {
        Ok(self.query(sql, params)?.into_iter().next())
    }

    pub(crate) fn one(&mut self, sql: &str, params: Params<'_>) -> StoreResult<Row> {
        self.opt(sql, params)?.ok_or(StoreError::NotFound)
    }

    pub(crate) fn exec(&mut self, sql: &str, params: Params<'_>) -> StoreResult<u64> {
        let statement = self.statement(sql)?;
        wait(self.client().execute(&statement, params))
    }

    /// Runs SQL text without parameters (transaction control, migrations).
    pub(crate) fn batch(&mut self, sql: &str) -> StoreResult<()> {
        wait(self.client().batch_execute(sql))
    }

    /// `begin` (SQL text), then `sql`, then `end`, sent together: one round trip where
    /// three sequential calls cost three (each a wake-up of the store's runtime, the
    /// server and this thread). The server runs them in order; a statement that fails
    /// inside a transaction leaves it aborted, and `COMMIT` then rolls it back. The first
    /// error is returned; a connection whose `end` failed is discarded (its transaction
    /// state is unknown).
    pub(crate) fn query_between(
        &mut self,
        begin: &str,
        sql: &str,
        params: Params<'_>,
        end: &str,
    ) -> StoreResult<Vec<Row>> {
        let statement = self.statement(sql)?;
        let client = self.client();
        let (began, rows, ended) = futures_executor::block_on(futures_util::future::join3(
            client.batch_execute(begin),
            client.query(&statement, params),
            client.batch_execute(end),
        ));
        if ended.is_err() {
            self.discard();
        }
        began.map_err(map_error)?;
        let rows = rows.map_err(map_error)?;
        ended.map_err(map_error)?;
        Ok(rows)
    }
}

/// Waits for a client future on the caller's thread. The future only talks to the
/// connection task over channels, so no tokio context is needed (or entered) here.
fn wait<T>(future: impl Future<Output = Result<T, tokio_postgres::Error>>) -> StoreResult<T> {
    futures_executor::block_on(future).map_err(map_error)
}

/// The one place a PostgreSQL error becomes a store error.
pub(crate) fn map_error(error: tokio_postgres::Error) -> StoreError {
    use tokio_postgres::error::SqlState;
    if let Some(db) = error.as_db_error() {
        let code = db.code();
        if *code == SqlState::UNIQUE_VIOLATION {
            return StoreError::Conflict(match db.constraint() {
                Some(constraint) => {
                    format!("another write created a row with the same {constraint} first")
                }
                None => "another write changed the same rows first".into(),
            });
        }
        if *code == SqlState::T_R_SERIALIZATION_FAILURE || *code == SqlState::T_R_DEADLOCK_DETECTED
        {
            return StoreError::Conflict("another write changed the same rows first".into());
        }
        if *code == SqlState::FOREIGN_KEY_VIOLATION || *code == SqlState::CHECK_VIOLATION {
            return StoreError::Conflict("another write changed the same rows first".into());
        }
        if *code == SqlState::QUERY_CANCELED {
            // `statement_timeout` (a search past its time limit) or a cancel request.
            return StoreError::TimedOut(format!("the statement was stopped ({db})"));
        }
        if code.code().starts_with("57P") || code.code().starts_with("08") {
            // admin shutdown, crash shutdown, cannot connect now, connection failures
            return StoreError::Unavailable(format!("the PostgreSQL database went away ({db})"));
        }
        return StoreError::backend(error);
    }
    if error.is_closed()
        || std::error::Error::source(&error).is_some_and(|s| s.is::<std::io::Error>())
    {
        return StoreError::Unavailable(format!(
            "the connection to the PostgreSQL database was lost ({error})"
        ));
    }
    StoreError::backend(error)
}

/// Reads column `index` of a row.
pub(crate) fn get<'a, T: tokio_postgres::types::FromSql<'a>>(
    row: &'a Row,
    index: usize,
) -> StoreResult<T> {
    row.try_get(index).map_err(StoreError::backend)
}

pub(crate) fn to_text(value: &Value) -> String {
    value.to_string()
}

pub(crate) fn from_text(text: &str) -> StoreResult<Value> {
    serde_json::from_str(text)
        .map_err(|e| StoreError::Corrupt(format!("a stored JSON value does not parse: {e}")))
}

fn json(row: &Row, index: usize) -> StoreResult<Value> {
    from_text(&get::<String>(row, index)?)
}

pub(crate) const DRAFT_COLUMNS: &str = "id, document, name, notes, creator, provisional, base_seq, meta, version, created_at, updated_at";

pub(crate) fn draft_from_row(row: &Row) -> StoreResult<DraftRow> {
    Ok(DraftRow {
        id: get(row, 0)?,
        document: get(row, 1)?,
        name: get(row, 2)?,
        notes: get(row, 3)?,
        creator: get(row, 4)?,
        provisional: get(row, 5)?,
        base_seq: get(row, 6)?,
        meta: json(row, 7)?,
        version: get(row, 8)?,
        created_at: get(row, 9)?,
        updated_at: get(row, 10)?,
    })
}

pub(crate) const REVISION_COLUMNS: &str = "document, seq, artifact_id, envelope, created_at";

pub(crate) fn revision_from_row(row: &Row) -> StoreResult<RevisionRow> {
    Ok(RevisionRow {
        document: get(row, 0)?,
        seq: get(row, 1)?,
        artifact_id: get(row, 2)?,
        envelope: json(row, 3)?,
        created_at: get(row, 4)?,
    })
}

pub(crate) const DEPLOYMENT_COLUMNS: &str =
    "document, path, artifact_id, file_sha256, section, backup_path, deployed_at";

pub(crate) fn deployment_from_row(row: &Row) -> StoreResult<DeploymentRow> {
    Ok(DeploymentRow {
        document: get(row, 0)?,
        path: get(row, 1)?,
        artifact_id: get(row, 2)?,
        file_sha256: get(row, 3)?,
        section: json(row, 4)?,
        backup_path: get(row, 5)?,
        deployed_at: get(row, 6)?,
    })
}

pub(crate) fn catalog_from_row(row: &Row) -> StoreResult<CatalogRow> {
    Ok(CatalogRow {
        server_id: get(row, 0)?,
        definition: json(row, 1)?,
        created_at: get(row, 2)?,
        updated_at: get(row, 3)?,
    })
}

pub(crate) fn secret_from_row(row: &Row) -> StoreResult<SecretRow> {
    Ok(SecretRow {
        name: get(row, 0)?,
        nonce: get(row, 1)?,
        ciphertext: get(row, 2)?,
        created_at: get(row, 3)?,
        updated_at: get(row, 4)?,
    })
}

pub(crate) fn all<T>(rows: Vec<Row>, map: impl Fn(&Row) -> StoreResult<T>) -> StoreResult<Vec<T>> {
    rows.iter().map(map).collect()
}

/// `document >= prefix AND document < prefix + U+10FFFF` in bytewise ("C") order, as SQLite
/// compares: a prefix match that uses the index.
fn prefix_upper_bound(prefix: &str) -> String {
    format!("{prefix}\u{10FFFF}")
}

/// Locks the draft row and checks its version: `NotFound` if gone, `Conflict` if moved.
fn lock_draft_version(c: &mut Conn, id: &str, expected: i64) -> StoreResult<i64> {
    let row = c.opt(
        "SELECT version FROM drafts WHERE id = $1 FOR UPDATE",
        &[&id],
    )?;
    let Some(row) = row else {
        return Err(StoreError::NotFound);
    };
    let version: i64 = get(&row, 0)?;
    if version != expected {
        return Err(StoreError::Conflict(format!(
            "draft is at version {version}, not {expected}"
        )));
    }
    Ok(version)
}

impl Store for PostgresStore {
    fn create_draft(&self, draft: &DraftRow, items: &[(String, Value)]) -> StoreResult<()> {
        self.write(|c| {
            c.exec(
                &format!("INSERT INTO drafts ({DRAFT_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)"),
                &[
                    &draft.id,
                    &draft.document,
                    &draft.name,
                    &draft.notes,
                    &draft.creator,
                    &draft.provisional,
                    &draft.base_seq,
                    &to_text(&draft.meta),
                    &draft.version,
                    &draft.created_at,
                    &draft.updated_at,
                ],
            )?;
            for (key, value) in items {
                c.exec(
                    "INSERT INTO draft_items (draft_id, key, value) VALUES ($1, $2, $3)",
                    &[&draft.id, key, &to_text(value)],
                )?;
            }
            Ok(())
        })
    }

    fn draft(&self, id: &str) -> StoreResult<Option<DraftRow>> {
        self.read(|c| {
            c.opt(
                &format!("SELECT {DRAFT_COLUMNS} FROM drafts WHERE id = $1"),
                &[&id],
            )?
            .as_ref()
            .map(draft_from_row)
            .transpose()
        })
    }

    fn find_draft(&self, document: &str, name: &str) -> StoreResult<Option<DraftRow>> {
        self.read(|c| {
            c.opt(
                &format!("SELECT {DRAFT_COLUMNS} FROM drafts WHERE document = $1 AND name = $2"),
                &[&document, &name],
            )?
            .as_ref()
            .map(draft_from_row)
            .transpose()
        })
    }

    fn list_drafts(&self, document_prefix: &str) -> StoreResult<Vec<DraftRow>> {
        let upper = prefix_upper_bound(document_prefix);
        self.read(|c| {
            all(
                c.query(
                    &format!(
                        "SELECT {DRAFT_COLUMNS} FROM drafts
                         WHERE document COLLATE \"C\" >= $1 AND document COLLATE \"C\" < $2
                         ORDER BY created_at, id COLLATE \"C\""
                    ),
                    &[&document_prefix, &upper],
                )?,
                draft_from_row,
            )
        })
    }

    fn draft_items(&self, id: &str) -> StoreResult<Vec<(String, Value)>> {
        self.read(|c| {
            all(
                c.query(
                    "SELECT key, value FROM draft_items WHERE draft_id = $1 ORDER BY key COLLATE \"C\"",
                    &[&id],
                )?,
                |row| Ok((get(row, 0)?, json(row, 1)?)),
            )
        })
    }

    fn draft_item(&self, id: &str, key: &str) -> StoreResult<Option<Value>> {
        self.read(|c| {
            c.opt(
                "SELECT value FROM draft_items WHERE draft_id = $1 AND key = $2",
                &[&id, &key],
            )?
            .map(|row| json(&row, 0))
            .transpose()
        })
    }

    fn draft_item_count(&self, id: &str) -> StoreResult<usize> {
        self.read(|c| {
            let count: i64 = get(
                &c.one(
                    "SELECT COUNT(*) FROM draft_items WHERE draft_id = $1",
                    &[&id],
                )?,
                0,
            )?;
            Ok(usize::try_from(count).unwrap_or(0))
        })
    }

    fn update_draft(&self, id: &str, update: &DraftUpdate) -> StoreResult<i64> {
        self.write(|c| {
            let version = lock_draft_version(c, id, update.expected_version)?;
            if update.clear_items {
                c.exec("DELETE FROM draft_items WHERE draft_id = $1", &[&id])?;
            }
            for (key, value) in &update.items {
                match value {
                    Some(value) => c.exec(
                        "INSERT INTO draft_items (draft_id, key, value) VALUES ($1, $2, $3)
                         ON CONFLICT (draft_id, key) DO UPDATE SET value = excluded.value",
                        &[&id, key, &to_text(value)],
                    )?,
                    None => c.exec(
                        "DELETE FROM draft_items WHERE draft_id = $1 AND key = $2",
                        &[&id, key],
                    )?,
                };
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
                "UPDATE drafts SET name = COALESCE($2, name),
                 notes = CASE WHEN $3 THEN $4 ELSE notes END,
                 meta = COALESCE($5, meta),
                 base_seq = CASE WHEN $6 THEN $7 ELSE base_seq END,
                 version = version + 1, updated_at = $8 WHERE id = $1",
                &[
                    &id,
                    &update.name,
                    &set_notes,
                    &notes,
                    &update.meta.as_ref().map(to_text),
                    &set_base,
                    &base,
                    &update.now,
                ],
            )?;
            Ok(version + 1)
        })
    }

    fn add_draft_item(
        &self,
        id: &str,
        expected_version: i64,
        key: &str,
        value: &Value,
        now: i64,
    ) -> StoreResult<ItemAdded> {
        self.write(|c| {
            let version = lock_draft_version(c, id, expected_version)?;
            let inserted = c.exec(
                "INSERT INTO draft_items (draft_id, key, value) VALUES ($1, $2, $3)
                 ON CONFLICT (draft_id, key) DO NOTHING",
                &[&id, &key, &to_text(value)],
            )?;
            if inserted == 0 {
                return Ok(ItemAdded::KeyTaken);
            }
            c.exec(
                "UPDATE drafts SET version = version + 1, updated_at = $2 WHERE id = $1",
                &[&id, &now],
            )?;
            let count: i64 = get(
                &c.one(
                    "SELECT COUNT(*) FROM draft_items WHERE draft_id = $1",
                    &[&id],
                )?,
                0,
            )?;
            Ok(ItemAdded::Added {
                version: version + 1,
                item_count: usize::try_from(count).unwrap_or(0),
            })
        })
    }

    fn delete_draft(&self, id: &str) -> StoreResult<bool> {
        self.change(|c| c.exec("DELETE FROM drafts WHERE id = $1", &[&id]))
            .map(|n| n > 0)
    }

    fn head(&self, document: &str) -> StoreResult<Option<RevisionRow>> {
        self.read(|c| {
            c.opt(
                &format!("SELECT {REVISION_COLUMNS} FROM revisions WHERE document = $1 ORDER BY seq DESC LIMIT 1"),
                &[&document],
            )?
            .as_ref()
            .map(revision_from_row)
            .transpose()
        })
    }

    fn heads(&self, documents: &[String]) -> StoreResult<Vec<Option<RevisionRow>>> {
        // One statement for all: each document's newest revision, as `head` reads it.
        self.read(|c| {
            let rows = c.query(
                &format!(
                    "SELECT r.* FROM unnest($1::TEXT[]) WITH ORDINALITY d(document, n)
                     CROSS JOIN LATERAL (SELECT {REVISION_COLUMNS} FROM revisions
                                         WHERE document = d.document
                                         ORDER BY seq DESC LIMIT 1) r
                     ORDER BY d.n"
                ),
                &[&documents],
            )?;
            // In the documents' order; a document without revisions has no row.
            let mut found = rows
                .iter()
                .map(revision_from_row)
                .collect::<StoreResult<Vec<_>>>()?
                .into_iter()
                .peekable();
            Ok(documents
                .iter()
                .map(|document| found.next_if(|head| head.document == *document))
                .collect())
        })
    }

    fn artifact_ids(&self, revisions: &[(String, i64)]) -> StoreResult<Vec<Option<String>>> {
        let (documents, seqs): (Vec<&str>, Vec<i64>) = revisions
            .iter()
            .map(|(document, seq)| (document.as_str(), *seq))
            .unzip();
        // One statement for all, one row per revision asked, in its order.
        self.read(|c| {
            c.query(
                "SELECT r.artifact_id FROM unnest($1::TEXT[], $2::BIGINT[]) WITH ORDINALITY w(document, seq, n)
                 LEFT JOIN revisions r ON r.document = w.document AND r.seq = w.seq
                 ORDER BY w.n",
                &[&documents, &seqs],
            )?
            .iter()
            .map(|row| get(row, 0))
            .collect()
        })
    }

    fn append_revision(&self, revision: &RevisionRow) -> StoreResult<()> {
        self.write(|c| insert_revision(c, revision))
    }

    fn append_revisions(&self, revisions: &[RevisionRow]) -> StoreResult<()> {
        self.write(|c| {
            revisions
                .iter()
                .try_for_each(|revision| insert_revision(c, revision))
        })
    }

    fn revision(&self, document: &str, seq: i64) -> StoreResult<Option<RevisionRow>> {
        self.read(|c| {
            c.opt(
                &format!(
                    "SELECT {REVISION_COLUMNS} FROM revisions WHERE document = $1 AND seq = $2"
                ),
                &[&document, &seq],
            )?
            .as_ref()
            .map(revision_from_row)
            .transpose()
        })
    }

    fn revision_by_artifact(
        &self,
        document: &str,
        artifact_id: &str,
    ) -> StoreResult<Option<RevisionRow>> {
        self.read(|c| {
            c.opt(
                &format!(
                    "SELECT {REVISION_COLUMNS} FROM revisions WHERE document = $1 AND artifact_id = $2
                     ORDER BY seq DESC LIMIT 1"
                ),
                &[&document, &artifact_id],
            )?
            .as_ref()
            .map(revision_from_row)
            .transpose()
        })
    }

    fn history(&self, document: &str, limit: usize) -> StoreResult<Vec<RevisionRow>> {
        let limit = i64::try_from(limit).unwrap_or(i64::MAX);
        self.read(|c| {
            all(
                c.query(
                    &format!("SELECT {REVISION_COLUMNS} FROM revisions WHERE document = $1 ORDER BY seq DESC LIMIT $2"),
                    &[&document, &limit],
                )?,
                revision_from_row,
            )
        })
    }

    fn documents(&self, prefix: &str) -> StoreResult<Vec<String>> {
        let upper = prefix_upper_bound(prefix);
        self.read(|c| {
            all(
                c.query(
                    "SELECT document COLLATE \"C\" FROM drafts
                     WHERE document COLLATE \"C\" >= $1 AND document COLLATE \"C\" < $2
                     UNION SELECT DISTINCT document COLLATE \"C\" FROM revisions
                     WHERE document COLLATE \"C\" >= $1 AND document COLLATE \"C\" < $2
                     ORDER BY 1",
                    &[&prefix, &upper],
                )?,
                |row| get(row, 0),
            )
        })
    }

    fn record_deployment(&self, deployment: &DeploymentRow) -> StoreResult<()> {
        self.change(|c| {
            c.exec(
                &format!("INSERT INTO deployments ({DEPLOYMENT_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7)"),
                &[
                    &deployment.document,
                    &deployment.path,
                    &deployment.artifact_id,
                    &deployment.file_sha256,
                    &to_text(&deployment.section),
                    &deployment.backup_path,
                    &deployment.deployed_at,
                ],
            )
        })
        .map(|_| ())
    }

    fn last_deployment(&self, document: &str) -> StoreResult<Option<DeploymentRow>> {
        self.read(|c| {
            c.opt(
                &format!("SELECT {DEPLOYMENT_COLUMNS} FROM deployments WHERE document = $1 ORDER BY id DESC LIMIT 1"),
                &[&document],
            )?
            .as_ref()
            .map(deployment_from_row)
            .transpose()
        })
    }

    fn last_deployment_to(&self, path: &str) -> StoreResult<Option<DeploymentRow>> {
        self.read(|c| {
            c.opt(
                &format!("SELECT {DEPLOYMENT_COLUMNS} FROM deployments WHERE path = $1 ORDER BY id DESC LIMIT 1"),
                &[&path],
            )?
            .as_ref()
            .map(deployment_from_row)
            .transpose()
        })
    }

    fn record_pending_deployment(&self, deployment: &DeploymentRow) -> StoreResult<()> {
        self.change(|c| {
            c.exec(
                &format!(
                    "INSERT INTO pending_deployments ({DEPLOYMENT_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7)
                     ON CONFLICT (path) DO UPDATE SET document = excluded.document,
                       artifact_id = excluded.artifact_id, file_sha256 = excluded.file_sha256,
                       section = excluded.section, backup_path = excluded.backup_path,
                       deployed_at = excluded.deployed_at"
                ),
                &[
                    &deployment.document,
                    &deployment.path,
                    &deployment.artifact_id,
                    &deployment.file_sha256,
                    &to_text(&deployment.section),
                    &deployment.backup_path,
                    &deployment.deployed_at,
                ],
            )
        })
        .map(|_| ())
    }

    fn pending_deployments(&self) -> StoreResult<Vec<DeploymentRow>> {
        self.read(|c| {
            let rows = c.query(
                &format!("SELECT {DEPLOYMENT_COLUMNS} FROM pending_deployments ORDER BY path"),
                &[],
            )?;
            all(rows, deployment_from_row)
        })
    }

    fn confirm_deployment(&self, deployment: &DeploymentRow) -> StoreResult<()> {
        self.write(|c| {
            c.exec(
                &format!("INSERT INTO deployments ({DEPLOYMENT_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7)"),
                &[
                    &deployment.document,
                    &deployment.path,
                    &deployment.artifact_id,
                    &deployment.file_sha256,
                    &to_text(&deployment.section),
                    &deployment.backup_path,
                    &deployment.deployed_at,
                ],
            )?;
            c.exec(
                "DELETE FROM pending_deployments WHERE path = $1",
                &[&deployment.path],
            )?;
            Ok(())
        })
    }

    fn discard_pending_deployment(&self, path: &str, file_sha256: &str) -> StoreResult<bool> {
        self.change(|c| {
            c.exec(
                "DELETE FROM pending_deployments WHERE path = $1 AND file_sha256 = $2",
                &[&path, &file_sha256],
            )
        })
        .map(|n| n > 0)
    }

    fn put_catalog_entry(&self, entry: &CatalogRow) -> StoreResult<()> {
        self.change(|c| {
            c.exec(
                "INSERT INTO catalog (server_id, definition, created_at, updated_at) VALUES ($1, $2, $3, $4)
                 ON CONFLICT (server_id) DO UPDATE SET definition = excluded.definition, updated_at = excluded.updated_at",
                &[&entry.server_id, &to_text(&entry.definition), &entry.created_at, &entry.updated_at],
            )
        })
        .map(|_| ())
    }

    fn catalog_entries(&self) -> StoreResult<Vec<CatalogRow>> {
        self.read(|c| {
            all(
                c.query(
                    "SELECT server_id, definition, created_at, updated_at FROM catalog ORDER BY server_id COLLATE \"C\"",
                    &[],
                )?,
                catalog_from_row,
            )
        })
    }

    fn catalog_entry(&self, server_id: &str) -> StoreResult<Option<CatalogRow>> {
        self.read(|c| {
            c.opt(
                "SELECT server_id, definition, created_at, updated_at FROM catalog WHERE server_id = $1",
                &[&server_id],
            )?
            .as_ref()
            .map(catalog_from_row)
            .transpose()
        })
    }

    fn delete_catalog_entry(&self, server_id: &str) -> StoreResult<bool> {
        self.change(|c| c.exec("DELETE FROM catalog WHERE server_id = $1", &[&server_id]))
            .map(|n| n > 0)
    }

    fn deployment_paths(&self) -> StoreResult<Vec<String>> {
        self.read(|c| {
            all(
                c.query(
                    "SELECT DISTINCT path COLLATE \"C\" FROM deployments ORDER BY 1",
                    &[],
                )?,
                |row| get(row, 0),
            )
        })
    }

    fn put_secret(&self, secret: &SecretRow) -> StoreResult<()> {
        self.change(|c| {
            c.exec(
                "INSERT INTO secrets (name, nonce, ciphertext, created_at, updated_at) VALUES ($1, $2, $3, $4, $5)
                 ON CONFLICT (name) DO UPDATE SET nonce = excluded.nonce, ciphertext = excluded.ciphertext, updated_at = excluded.updated_at",
                &[&secret.name, &secret.nonce, &secret.ciphertext, &secret.created_at, &secret.updated_at],
            )
        })
        .map(|_| ())
    }

    fn secret(&self, name: &str) -> StoreResult<Option<SecretRow>> {
        self.read(|c| {
            c.opt(
                "SELECT name, nonce, ciphertext, created_at, updated_at FROM secrets WHERE name = $1",
                &[&name],
            )?
            .as_ref()
            .map(secret_from_row)
            .transpose()
        })
    }

    fn secrets(&self) -> StoreResult<Vec<SecretRow>> {
        self.read(|c| {
            all(
                c.query(
                    "SELECT name, nonce, ciphertext, created_at, updated_at FROM secrets ORDER BY name COLLATE \"C\"",
                    &[],
                )?,
                secret_from_row,
            )
        })
    }

    fn delete_secret(&self, name: &str) -> StoreResult<bool> {
        self.change(|c| c.exec("DELETE FROM secrets WHERE name = $1", &[&name]))
            .map(|n| n > 0)
    }

    fn put_public_key(&self, key_id: &str, spki_pem: &str, now: i64) -> StoreResult<()> {
        self.change(|c| {
            c.exec(
                "INSERT INTO public_keys (key_id, spki_pem, created_at) VALUES ($1, $2, $3)
                 ON CONFLICT (key_id) DO NOTHING",
                &[&key_id, &spki_pem, &now],
            )
        })
        .map(|_| ())
    }

    fn public_key(&self, key_id: &str) -> StoreResult<Option<String>> {
        self.read(|c| {
            c.opt(
                "SELECT spki_pem FROM public_keys WHERE key_id = $1",
                &[&key_id],
            )?
            .map(|row| get(&row, 0))
            .transpose()
        })
    }

    fn public_keys(&self) -> StoreResult<Vec<(String, String)>> {
        self.public_keys_impl()
    }

    fn put_key_retirement(&self, retirement: &imprint_store::KeyRetirementRow) -> StoreResult<()> {
        self.change(|c| {
            c.exec(
                "INSERT INTO key_retirements (key_id, retired_at, endorsement) VALUES ($1, $2, $3)
                 ON CONFLICT (key_id) DO NOTHING",
                &[
                    &retirement.key_id,
                    &retirement.retired_at,
                    &retirement.endorsement,
                ],
            )
        })
        .map(|_| ())
    }

    fn record_key_rotation(
        &self,
        successor_key_id: &str,
        successor_pem: &str,
        retirement: &imprint_store::KeyRetirementRow,
    ) -> StoreResult<()> {
        self.write(|c| {
            let inserted = c.exec(
                "INSERT INTO key_retirements (key_id, retired_at, endorsement) VALUES ($1, $2, $3)
                 ON CONFLICT (key_id) DO NOTHING",
                &[
                    &retirement.key_id,
                    &retirement.retired_at,
                    &retirement.endorsement,
                ],
            )?;
            if inserted == 0 {
                let row = c.one(
                    "SELECT endorsement FROM key_retirements WHERE key_id = $1",
                    &[&retirement.key_id],
                )?;
                let recorded: String = get(&row, 0)?;
                if recorded != retirement.endorsement {
                    return Err(StoreError::Conflict(format!(
                        "the key {} was retired already, endorsing another key",
                        retirement.key_id
                    )));
                }
            }
            c.exec(
                "INSERT INTO public_keys (key_id, spki_pem, created_at) VALUES ($1, $2, $3)
                 ON CONFLICT (key_id) DO NOTHING",
                &[&successor_key_id, &successor_pem, &retirement.retired_at],
            )?;
            Ok(())
        })
    }

    fn key_retirements(&self) -> StoreResult<Vec<imprint_store::KeyRetirementRow>> {
        self.read(|c| {
            all(
                c.query(
                    "SELECT key_id, retired_at, endorsement FROM key_retirements ORDER BY retired_at, key_id COLLATE \"C\"",
                    &[],
                )?,
                |row| {
                    Ok(imprint_store::KeyRetirementRow {
                        key_id: get(row, 0)?,
                        retired_at: get(row, 1)?,
                        endorsement: get(row, 2)?,
                    })
                },
            )
        })
    }

    fn count_records(&self) -> StoreResult<imprint_store::RecordCounts> {
        self.count_records_impl()
    }

    fn export_records(
        &self,
        visit: &mut dyn FnMut(imprint_store::Record) -> StoreResult<()>,
    ) -> StoreResult<()> {
        self.export_records_impl(visit)
    }

    fn import_records(
        &self,
        mode: imprint_store::ImportMode,
        next: &mut dyn FnMut() -> StoreResult<Option<imprint_store::Record>>,
    ) -> StoreResult<()> {
        self.import_records_impl(mode, next)
    }

    fn ping(&self) -> StoreResult<()> {
        self.read(|c| c.batch("SELECT 1"))
    }

    fn content(&self) -> &dyn ContentStore {
        self
    }

    fn tokens(&self) -> &dyn TokenStore {
        self
    }

    fn team(&self) -> &dyn imprint_store::TeamStore {
        self
    }
}

/// One revision appended as its document's head + 1, inside the caller's transaction.
fn insert_revision(c: &mut Conn, revision: &RevisionRow) -> StoreResult<()> {
    let head: i64 = get(
        &c.one(
            "SELECT COALESCE(MAX(seq), 0)::BIGINT FROM revisions WHERE document = $1",
            &[&revision.document],
        )?,
        0,
    )?;
    if revision.seq != head + 1 {
        return Err(StoreError::Conflict(format!(
            "{} moved to revision {head} meanwhile",
            revision.document
        )));
    }
    // A concurrent writer of the same seq waits on the primary key and then fails
    // here: at most one revision per number, whatever the isolation level.
    c.exec(
        &format!("INSERT INTO revisions ({REVISION_COLUMNS}) VALUES ($1, $2, $3, $4, $5)"),
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
            "{} moved to revision {} meanwhile",
            revision.document, revision.seq
        )),
        other => other,
    })?;
    Ok(())
}
