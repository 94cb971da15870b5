//! The embedded SQLite store, Imprint's default.
//!
//! WAL mode with `synchronous=FULL`, so a commit is on disk when it returns (an
//! acknowledged publish survives `kill -9` and power loss). Writers start with
//! `BEGIN IMMEDIATE` and wait on a busy timeout, so several processes (a stdio server,
//! the CLI, an HTTP server) can share one data directory safely. Migrations are
//! numbered files in `migrations/`, embedded, applied in order at open and tracked in
//! `PRAGMA user_version`.
//!
//! # Example
//!
//! ```
//! use imprint_store::Store;
//! use imprint_store_sqlite::SqliteStore;
//!
//! let store = SqliteStore::open_in_memory().unwrap();
//! assert!(store.head("config/claude-desktop/default").unwrap().is_none());
//! ```

#![forbid(unsafe_code)]

use std::path::Path;
use std::sync::Mutex;
use std::time::Duration;

mod connections;
mod content;
mod search;
mod team;
mod tokens;
mod transfer;

use imprint_store::team::{audit_pending, restore_pending_audit, take_pending_audit};
use imprint_store::{
    CatalogRow, ContentStore, DeploymentRow, DraftRow, DraftUpdate, ItemAdded, RevisionRow,
    SecretRow, Store, StoreError, StoreResult, TokenStore,
};
use rusqlite::{Connection, OptionalExtension, Row, TransactionBehavior, params};
use serde_json::Value;

/// Numbered migrations, applied in order. Append only.
const MIGRATIONS: &[Migration] = &[
    Migration::all(include_str!("../migrations/0001_initial.sql")),
    Migration::all(include_str!("../migrations/0002_content.sql")),
    Migration::all(include_str!("../migrations/0003_tokens.sql")),
    Migration::all(include_str!("../migrations/0004_secrets.sql")),
    Migration::all(include_str!("../migrations/0005_draft_item_count.sql")),
    Migration::all(include_str!("../migrations/0006_pending_deployments.sql")),
    Migration::all(include_str!("../migrations/0007_site_groups.sql")),
    Migration::all(include_str!("../migrations/0008_roles_requests_audit.sql")),
    Migration::all(include_str!("../migrations/0009_key_retirements.sql")),
    // The layout of stores created with 4 KiB pages (from this version on). Stores created
    // with 16 KiB pages (all before it) keep the layout they have: their envelopes already
    // stay in their rows, and rebuilding the tables of a large store would rewrite all of
    // it at upgrade.
    Migration::pages_below(
        include_str!("../migrations/0010_revisions_rowid.sql"),
        8_192,
    ),
    Migration::pages_below(
        include_str!("../migrations/0011_audit_log_rowid.sql"),
        8_192,
    ),
];

/// The page size of stores created from now on. A WAL commit writes each changed page
/// whole, so a small page is a cheaper commit (the MCP hot path writes three pages per
/// add: the item's, the draft row's, the audit row's); revision envelopes (~1 KB) stay in
/// their rows by migration 0010.
const NEW_STORE_PAGE_SIZE: i64 = 4_096;

/// One numbered migration and the stores it changes.
struct Migration {
    sql: &'static str,
    /// Applied only where the page size is below this many bytes; elsewhere the number is
    /// taken without a change.
    pages_below: Option<i64>,
}

impl Migration {
    const fn all(sql: &'static str) -> Self {
        Self {
            sql,
            pages_below: None,
        }
    }

    const fn pages_below(sql: &'static str, bytes: i64) -> Self {
        Self {
            sql,
            pages_below: Some(bytes),
        }
    }

    fn applies(&self, page_size: i64) -> bool {
        self.pages_below.is_none_or(|limit| page_size < limit)
    }
}

pub struct SqliteStore {
    // One write connection: SQLite serializes writers anyway, and every write is short.
    connection: Mutex<Connection>,
    /// Plain reads (`all`, `optional`); `None` in memory, where only one connection sees
    /// the database.
    readers: Option<connections::ReadPool>,
    /// Searches, apart from other reads so that slow ones cannot take every connection.
    searchers: Option<connections::ReadPool>,
}

/// The database's file name in a data directory.
pub const DATABASE_FILE: &str = "imprint.db";

impl SqliteStore {
    /// Opens `imprint.db` in a data directory, creating the directory (mode 0700) if needed.
    pub fn open_in_data_dir(dir: &Path) -> StoreResult<Self> {
        if !dir.is_dir() {
            std::fs::create_dir_all(dir).map_err(|e| {
                StoreError::Other(format!(
                    "cannot create the data directory {}: {e}",
                    dir.display()
                ))
            })?;
            #[cfg(unix)]
            {
                use std::os::unix::fs::PermissionsExt;
                let _ = std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o700));
            }
        }
        let path = dir.join(DATABASE_FILE);
        refuse_lost_database(dir, &path)?;
        Self::open(&path).map_err(|e| match e {
            StoreError::Other(message) => StoreError::Other(format!(
                "cannot open the database in {}: {message}",
                dir.display()
            )),
            StoreError::Backend(source) => StoreError::Other(format!(
                "cannot open the database in {}: {source}",
                dir.display()
            )),
            StoreError::Corrupt(message) => StoreError::Corrupt(format!(
                "the database {} is damaged: {message}; restore it from a backup",
                path.display()
            )),
            other => other,
        })
    }

    /// Opens (creating if needed) the database at `path` and brings its schema up to date.
    pub fn open(path: &Path) -> StoreResult<Self> {
        let connection = Connection::open(path).map_err(other)?;
        let mut store = Self::configure(connection, true)?;
        keep_private(path);
        store.readers = Some(connections::ReadPool::new(path, connections::READERS));
        store.searchers = Some(connections::ReadPool::new(path, connections::SEARCHERS));
        Ok(store)
    }

    pub fn open_in_memory() -> StoreResult<Self> {
        Self::configure(Connection::open_in_memory().map_err(other)?, false)
    }

    fn configure(mut connection: Connection, wal: bool) -> StoreResult<Self> {
        connection
            .busy_timeout(Duration::from_secs(10))
            .map_err(other)?;
        // Page size only takes effect on a new database (existing stores keep theirs); the
        // cache is a ceiling, used only as pages are read.
        connection
            .pragma_update(None, "page_size", NEW_STORE_PAGE_SIZE)
            .map_err(other)?;
        connection
            .pragma_update(None, "cache_size", -65_536)
            .map_err(other)?;
        if wal {
            switch_to_wal(&connection)?;
        }
        connection
            .pragma_update(None, "synchronous", "FULL")
            .map_err(other)?;
        connection
            .pragma_update(None, "foreign_keys", "ON")
            .map_err(other)?;
        migrate(&mut connection)?;
        Ok(Self {
            connection: Mutex::new(connection),
            readers: None,
            searchers: None,
        })
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Connection> {
        self.connection
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    fn with<T>(&self, f: impl FnOnce(&mut Connection) -> rusqlite::Result<T>) -> StoreResult<T> {
        f(&mut self.lock()).map_err(map_error)
    }

    /// Runs one statement that changes something: on its own (autocommit), or in a write
    /// transaction when an operation's audit row is pending, so the row commits with it.
    fn change<T>(&self, f: impl FnOnce(&Connection) -> rusqlite::Result<T>) -> StoreResult<T> {
        if audit_pending() {
            self.write_hot(|c| f(c).map_err(map_error))
        } else {
            self.with(|c| f(c))
        }
    }

    /// Runs `f` on a read connection (the write connection in memory).
    fn read<T>(&self, f: impl FnOnce(&mut Connection) -> rusqlite::Result<T>) -> StoreResult<T> {
        match &self.readers {
            Some(pool) => pool.with(|c| f(c).map_err(map_error)),
            None => self.with(f),
        }
    }

    /// Runs `f` on a search connection (the write connection in memory).
    pub(crate) fn search_with<T>(
        &self,
        f: impl FnOnce(&mut Connection) -> StoreResult<T>,
    ) -> StoreResult<T> {
        match &self.searchers {
            Some(pool) => pool.with(f),
            None => {
                let mut connection = self
                    .connection
                    .lock()
                    .unwrap_or_else(|poisoned| poisoned.into_inner());
                f(&mut connection)
            }
        }
    }

    /// Runs a read query and maps every row.
    pub(crate) fn all<T>(
        &self,
        sql: &str,
        params: impl rusqlite::Params,
        map: impl FnMut(&Row<'_>) -> rusqlite::Result<T>,
    ) -> StoreResult<Vec<T>> {
        self.read(|c| c.prepare_cached(sql)?.query_map(params, map)?.collect())
    }

    /// Runs a read query that returns at most one row.
    pub(crate) fn optional<T>(
        &self,
        sql: &str,
        params: impl rusqlite::Params,
        map: impl FnOnce(&Row<'_>) -> rusqlite::Result<T>,
    ) -> StoreResult<Option<T>> {
        self.read(|c| c.prepare_cached(sql)?.query_row(params, map).optional())
    }

    /// Runs `f` in a write transaction taken up front, so concurrent writers queue
    /// instead of failing mid-way.
    fn write<T>(
        &self,
        f: impl FnOnce(&rusqlite::Transaction<'_>) -> StoreResult<T>,
    ) -> StoreResult<T> {
        let mut connection = self
            .connection
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        let transaction = connection
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(map_error)?;
        let value = f(&transaction)?;
        // The operation's audit row, if pending, commits with its change (see
        // imprint_store::team); it is pending again if the commit fails.
        let audit = take_pending_audit();
        let committed = audit
            .as_ref()
            .map_or(Ok(()), |row| team::insert_audit(&transaction, row))
            .and_then(|()| transaction.commit().map_err(map_error));
        if let Err(error) = committed {
            audit.into_iter().for_each(restore_pending_audit);
            return Err(error);
        }
        Ok(value)
    }

    /// [`Self::write`] for the hot path: `BEGIN IMMEDIATE` and `COMMIT` are cached
    /// statements instead of being parsed on every call (rusqlite's `Transaction` parses
    /// them each time, which cost about as much as the rest of the statements together).
    fn write_hot<T>(&self, f: impl FnOnce(&Connection) -> StoreResult<T>) -> StoreResult<T> {
        let connection = self
            .connection
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        let execute = |sql: &str| {
            connection
                .prepare_cached(sql)
                .and_then(|mut statement| statement.execute([]))
                .map_err(map_error)
        };
        execute("BEGIN IMMEDIATE")?;
        // Rolls back unless committed, also when `f` panics, so the connection never stays
        // inside a transaction.
        let open = OpenTransaction(&connection);
        let value = f(&connection)?;
        let audit = take_pending_audit();
        let committed = audit
            .as_ref()
            .map_or(Ok(()), |row| team::insert_audit(&connection, row))
            .and_then(|()| execute("COMMIT").map(drop));
        if let Err(error) = committed {
            audit.into_iter().for_each(restore_pending_audit);
            return Err(error);
        }
        std::mem::forget(open);
        Ok(value)
    }
}

/// Adds `key` to draft `id` at `expected_version` inside the caller's write transaction.
/// `count_before`: the draft's item count if the caller read it in this transaction.
fn add_item_in(
    tx: &Connection,
    id: &str,
    expected_version: i64,
    count_before: Option<i64>,
    key: &str,
    value: &Value,
    now: i64,
) -> StoreResult<ItemAdded> {
    // The happy path is two statements: the insert, and the version bump that checks the
    // expected version and counts the item; the count is read back only when the caller
    // did not read it (a `RETURNING` clause would cost SQLite an ephemeral table and a
    // statement journal on every add). The failure paths read the version to say which
    // failure it was.
    let current_version = || -> StoreResult<Option<i64>> {
        tx.prepare_cached("SELECT version FROM drafts WHERE id = ?1")
            .and_then(|mut s| s.query_row([id], |row| row.get(0)).optional())
            .map_err(map_error)
    };
    let moved = |version: Option<i64>| match version {
        None => StoreError::NotFound,
        Some(version) => StoreError::Conflict(format!(
            "draft is at version {version}, not {expected_version}"
        )),
    };
    let inserted = tx
        .prepare_cached(
            "INSERT INTO draft_items (draft_id, key, value) VALUES (?1, ?2, ?3)
                 ON CONFLICT (draft_id, key) DO NOTHING",
        )
        .and_then(|mut s| s.execute(params![id, key, to_text(value)]));
    match inserted {
        Ok(0) => {
            return match current_version()? {
                Some(version) if version == expected_version => Ok(ItemAdded::KeyTaken),
                other => Err(moved(other)),
            };
        }
        Ok(_) => {}
        // The draft is gone: the item's foreign key has nothing to point at.
        Err(rusqlite::Error::SqliteFailure(failure, _))
            if failure.extended_code == rusqlite::ffi::SQLITE_CONSTRAINT_FOREIGNKEY =>
        {
            return Err(StoreError::NotFound);
        }
        Err(e) => return Err(map_error(e)),
    }
    let bumped = tx
        .prepare_cached(
            "UPDATE drafts SET version = version + 1, updated_at = ?3, item_count = item_count + 1
                 WHERE id = ?1 AND version = ?2",
        )
        .and_then(|mut s| s.execute(params![id, expected_version, now]))
        .map_err(map_error)?;
    if bumped == 0 {
        // an error rolls the insert back with the transaction
        return Err(moved(current_version()?));
    }
    // The write transaction holds the lock: nothing changed the count since it was read.
    let count = match count_before {
        Some(before) => before + 1,
        None => tx
            .prepare_cached("SELECT item_count FROM drafts WHERE id = ?1")
            .and_then(|mut s| s.query_row([id], |row| row.get(0)))
            .map_err(map_error)?,
    };
    Ok(ItemAdded::Added {
        version: expected_version + 1,
        item_count: usize::try_from(count).unwrap_or(0),
    })
}

struct OpenTransaction<'c>(&'c Connection);

impl Drop for OpenTransaction<'_> {
    fn drop(&mut self) {
        if !self.0.is_autocommit() {
            let _ = self.0.execute_batch("ROLLBACK");
        }
    }
}

/// Sets a draft's stored item count from its items; for the writes that change several
/// items at once (the hot path adds one and counts it in the same statement).
fn recount_items(connection: &Connection, draft_id: &str) -> StoreResult<()> {
    connection
        .prepare_cached(
            "UPDATE drafts SET item_count = (SELECT COUNT(*) FROM draft_items WHERE draft_id = ?1)
             WHERE id = ?1",
        )
        .and_then(|mut statement| statement.execute([draft_id]))
        .map(drop)
        .map_err(map_error)
}

/// Makes the database and its WAL files readable by their owner only. SQLite creates them
/// with the process umask (0644 when the data directory already existed 0755), and they hold
/// secret references, token hashes and every draft; the WAL files take the database's mode.
fn keep_private(path: &Path) {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mut wal = path.as_os_str().to_owned();
        wal.push("-wal");
        let mut shm = path.as_os_str().to_owned();
        shm.push("-shm");
        for file in [path.as_os_str().to_owned(), wal, shm] {
            if let Ok(metadata) = std::fs::metadata(&file)
                && metadata.permissions().mode() & 0o077 != 0
            {
                // best effort: a file we cannot chmod is one we do not own, and refusing to
                // open would lock its owner out of their store
                let mode = metadata.permissions().mode() & 0o700;
                let _ = std::fs::set_permissions(&file, std::fs::Permissions::from_mode(mode));
            }
        }
    }
}

/// Switches a database to WAL. Changing the journal mode needs the database to itself and
/// SQLite answers "database is locked" at once instead of waiting on the busy timeout, which
/// processes opening a new database at the same moment hit; so this waits, bounded, itself.
fn switch_to_wal(connection: &Connection) -> StoreResult<()> {
    let deadline = std::time::Instant::now() + Duration::from_secs(10);
    loop {
        match connection.pragma_update(None, "journal_mode", "WAL") {
            Ok(()) => return Ok(()),
            Err(rusqlite::Error::SqliteFailure(failure, _))
                if failure.code == rusqlite::ErrorCode::DatabaseBusy
                    && std::time::Instant::now() < deadline =>
            {
                std::thread::sleep(Duration::from_millis(5));
            }
            Err(e) => return Err(other(e)),
        }
    }
}

fn migrate(connection: &mut Connection) -> StoreResult<()> {
    let transaction = connection
        .transaction_with_behavior(TransactionBehavior::Immediate)
        .map_err(other)?;
    let current: usize = transaction
        .pragma_query_value(None, "user_version", |row| row.get::<_, i64>(0))
        .map_err(other)?
        .try_into()
        .unwrap_or(0);
    if current > MIGRATIONS.len() {
        return Err(StoreError::Other(format!(
            "the database schema is version {current} but this imprint knows only {}: upgrade imprint",
            MIGRATIONS.len()
        )));
    }
    let page_size: i64 = transaction
        .pragma_query_value(None, "page_size", |row| row.get(0))
        .map_err(other)?;
    for (index, migration) in MIGRATIONS.iter().enumerate().skip(current) {
        if migration.applies(page_size) {
            transaction.execute_batch(migration.sql).map_err(other)?;
        }
        transaction
            .pragma_update(
                None,
                "user_version",
                i64::try_from(index + 1).unwrap_or(i64::MAX),
            )
            .map_err(other)?;
    }
    transaction.commit().map_err(other)
}

pub(crate) fn other(error: rusqlite::Error) -> StoreError {
    match &error {
        rusqlite::Error::SqliteFailure(failure, _)
            if matches!(
                failure.code,
                rusqlite::ErrorCode::NotADatabase | rusqlite::ErrorCode::DatabaseCorrupt
            ) =>
        {
            StoreError::Corrupt(error.to_string())
        }
        _ => StoreError::backend(error),
    }
}

/// The directory `imprint-service` keeps signing keys in, next to the database.
const KEYS_DIR: &str = "keys";

/// SQLite takes an empty file for a new database. Next to signing keys an empty database
/// means revisions were signed here and then lost (the file was truncated or replaced), so
/// starting afresh would silently drop them.
fn refuse_lost_database(dir: &Path, path: &Path) -> StoreResult<()> {
    let empty = std::fs::metadata(path).is_ok_and(|meta| meta.is_file() && meta.len() == 0);
    if empty && dir.join(KEYS_DIR).is_dir() {
        return Err(StoreError::Corrupt(format!(
            "the database {} is empty but this data directory has signing keys ({}): data was \
lost or the file was truncated. Restore {DATABASE_FILE} from a backup, or move {KEYS_DIR}/ away \
to start afresh",
            path.display(),
            dir.join(KEYS_DIR).display()
        )));
    }
    Ok(())
}

/// The one place a SQLite error becomes a store error.
pub(crate) fn map_error(error: rusqlite::Error) -> StoreError {
    match &error {
        rusqlite::Error::QueryReturnedNoRows => StoreError::NotFound,
        rusqlite::Error::SqliteFailure(failure, message)
            if failure.code == rusqlite::ErrorCode::ConstraintViolation =>
        {
            StoreError::Conflict(constraint_words(message.as_deref()))
        }
        _ => other(error),
    }
}

/// People's words for a constraint SQLite reports as "UNIQUE constraint failed: t.a, t.b".
fn constraint_words(message: Option<&str>) -> String {
    match message.and_then(|m| m.strip_prefix("UNIQUE constraint failed: ")) {
        Some(columns) => format!("another write created a row with the same {columns} first"),
        None => "another write changed the same rows first".into(),
    }
}

fn to_text(value: &Value) -> String {
    value.to_string()
}

fn from_text(text: String) -> rusqlite::Result<Value> {
    serde_json::from_str(&text).map_err(|e| {
        rusqlite::Error::FromSqlConversionFailure(0, rusqlite::types::Type::Text, Box::new(e))
    })
}

pub(crate) const DRAFT_COLUMNS: &str = "id, document, name, notes, creator, provisional, base_seq, meta, version, created_at, updated_at";

pub(crate) fn draft_from_row(row: &Row<'_>) -> rusqlite::Result<DraftRow> {
    Ok(DraftRow {
        id: row.get(0)?,
        document: row.get(1)?,
        name: row.get(2)?,
        notes: row.get(3)?,
        creator: row.get(4)?,
        provisional: row.get(5)?,
        base_seq: row.get(6)?,
        meta: from_text(row.get(7)?)?,
        version: row.get(8)?,
        created_at: row.get(9)?,
        updated_at: row.get(10)?,
    })
}

pub(crate) const REVISION_COLUMNS: &str = "document, seq, artifact_id, envelope, created_at";

pub(crate) fn revision_from_row(row: &Row<'_>) -> rusqlite::Result<RevisionRow> {
    Ok(RevisionRow {
        document: row.get(0)?,
        seq: row.get(1)?,
        artifact_id: row.get(2)?,
        envelope: from_text(row.get(3)?)?,
        created_at: row.get(4)?,
    })
}

pub(crate) const DEPLOYMENT_COLUMNS: &str =
    "document, path, artifact_id, file_sha256, section, backup_path, deployed_at";

pub(crate) fn deployment_from_row(row: &Row<'_>) -> rusqlite::Result<DeploymentRow> {
    Ok(DeploymentRow {
        document: row.get(0)?,
        path: row.get(1)?,
        artifact_id: row.get(2)?,
        file_sha256: row.get(3)?,
        section: from_text(row.get(4)?)?,
        backup_path: row.get(5)?,
        deployed_at: row.get(6)?,
    })
}

pub(crate) fn secret_from_row(row: &Row<'_>) -> rusqlite::Result<SecretRow> {
    Ok(SecretRow {
        name: row.get(0)?,
        nonce: row.get(1)?,
        ciphertext: row.get(2)?,
        created_at: row.get(3)?,
        updated_at: row.get(4)?,
    })
}

/// `document >= prefix AND document < prefix + U+10FFFF`: a prefix match that uses the index.
fn prefix_upper_bound(prefix: &str) -> String {
    format!("{prefix}\u{10FFFF}")
}

impl Store for SqliteStore {
    fn create_draft(&self, draft: &DraftRow, items: &[(String, Value)]) -> StoreResult<()> {
        self.write(|tx| {
            tx.execute(
                &format!("INSERT INTO drafts ({DRAFT_COLUMNS}) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)"),
                params![
                    draft.id,
                    draft.document,
                    draft.name,
                    draft.notes,
                    draft.creator,
                    draft.provisional,
                    draft.base_seq,
                    to_text(&draft.meta),
                    draft.version,
                    draft.created_at,
                    draft.updated_at
                ],
            )
            .map_err(map_error)?;
            let mut insert = tx
                .prepare_cached("INSERT INTO draft_items (draft_id, key, value) VALUES (?1, ?2, ?3)")
                .map_err(map_error)?;
            for (key, value) in items {
                insert.execute(params![draft.id, key, to_text(value)]).map_err(map_error)?;
            }
            recount_items(tx, &draft.id)
        })
    }

    fn draft(&self, id: &str) -> StoreResult<Option<DraftRow>> {
        self.optional(
            &format!("SELECT {DRAFT_COLUMNS} FROM drafts WHERE id = ?1"),
            [id],
            draft_from_row,
        )
    }

    fn find_draft(&self, document: &str, name: &str) -> StoreResult<Option<DraftRow>> {
        self.optional(
            &format!("SELECT {DRAFT_COLUMNS} FROM drafts WHERE document = ?1 AND name = ?2"),
            [document, name],
            draft_from_row,
        )
    }

    fn list_drafts(&self, document_prefix: &str) -> StoreResult<Vec<DraftRow>> {
        self.all(&format!(
                "SELECT {DRAFT_COLUMNS} FROM drafts WHERE document >= ?1 AND document < ?2 ORDER BY created_at, id"
            ), params![document_prefix, prefix_upper_bound(document_prefix)], draft_from_row)
    }

    fn draft_items(&self, id: &str) -> StoreResult<Vec<(String, Value)>> {
        self.with(|c| {
            c.prepare_cached("SELECT key, value FROM draft_items WHERE draft_id = ?1 ORDER BY key")?
                .query_map([id], |row| Ok((row.get(0)?, from_text(row.get(1)?)?)))?
                .collect()
        })
    }

    fn draft_item(&self, id: &str, key: &str) -> StoreResult<Option<Value>> {
        self.with(|c| {
            c.prepare_cached("SELECT value FROM draft_items WHERE draft_id = ?1 AND key = ?2")?
                .query_row([id, key], |row| from_text(row.get(0)?))
                .optional()
        })
    }

    fn draft_item_count(&self, id: &str) -> StoreResult<usize> {
        self.with(|c| {
            c.prepare_cached("SELECT item_count FROM drafts WHERE id = ?1")?
                .query_row([id], |row| row.get::<_, i64>(0))
                .optional()
                .map(Option::unwrap_or_default)
        })
        .map(|count| usize::try_from(count).unwrap_or(0))
    }

    fn update_draft(&self, id: &str, update: &DraftUpdate) -> StoreResult<i64> {
        self.write(|tx| {
            let version: Option<i64> = tx
                .prepare_cached("SELECT version FROM drafts WHERE id = ?1")
                .map_err(map_error)?
                .query_row([id], |row| row.get(0))
                .optional()
                .map_err(map_error)?;
            let Some(version) = version else {
                return Err(StoreError::NotFound);
            };
            if version != update.expected_version {
                return Err(StoreError::Conflict(format!(
                    "draft is at version {version}, not {}",
                    update.expected_version
                )));
            }
            if update.clear_items {
                tx.execute("DELETE FROM draft_items WHERE draft_id = ?1", [id])
                    .map_err(map_error)?;
            }
            for (key, value) in &update.items {
                match value {
                    Some(value) => tx
                        .prepare_cached(
                            "INSERT INTO draft_items (draft_id, key, value) VALUES (?1, ?2, ?3)
                             ON CONFLICT (draft_id, key) DO UPDATE SET value = excluded.value",
                        )
                        .and_then(|mut s| s.execute(params![id, key, to_text(value)])),
                    None => tx
                        .prepare_cached("DELETE FROM draft_items WHERE draft_id = ?1 AND key = ?2")
                        .and_then(|mut s| s.execute(params![id, key])),
                }
                .map_err(map_error)?;
            }
            if let Some(name) = &update.name {
                tx.execute(
                    "UPDATE drafts SET name = ?2 WHERE id = ?1",
                    params![id, name],
                )
                .map_err(map_error)?;
            }
            if let Some(notes) = &update.notes {
                tx.execute(
                    "UPDATE drafts SET notes = ?2 WHERE id = ?1",
                    params![id, notes],
                )
                .map_err(map_error)?;
            }
            if let Some(meta) = &update.meta {
                tx.execute(
                    "UPDATE drafts SET meta = ?2 WHERE id = ?1",
                    params![id, to_text(meta)],
                )
                .map_err(map_error)?;
            }
            if let Some(base_seq) = &update.base_seq {
                tx.execute(
                    "UPDATE drafts SET base_seq = ?2 WHERE id = ?1",
                    params![id, base_seq],
                )
                .map_err(map_error)?;
            }
            tx.prepare_cached(
                "UPDATE drafts SET version = version + 1, updated_at = ?2 WHERE id = ?1",
            )
            .and_then(|mut s| s.execute(params![id, update.now]))
            .map_err(map_error)?;
            recount_items(tx, id)?;
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
        self.write_hot(|tx| add_item_in(tx, id, expected_version, None, key, value, now))
    }

    fn add_item_to_named_draft(
        &self,
        document: &str,
        name: &str,
        expected_version: Option<i64>,
        key: &str,
        value: &Value,
        now: i64,
    ) -> StoreResult<ItemAdded> {
        self.write_hot(|tx| {
            // Read inside the write transaction: a separate read would cost SQLite a
            // transaction (and its lock calls) of its own.
            let found: Option<(String, i64, i64)> = tx
                .prepare_cached(
                    "SELECT id, version, item_count FROM drafts WHERE document = ?1 AND name = ?2",
                )
                .and_then(|mut s| {
                    s.query_row([document, name], |row| {
                        Ok((row.get(0)?, row.get(1)?, row.get(2)?))
                    })
                    .optional()
                })
                .map_err(map_error)?;
            let (id, version, count) = found.ok_or(StoreError::NotFound)?;
            imprint_store::check_draft_version(version, expected_version)?;
            add_item_in(tx, &id, version, Some(count), key, value, now)
        })
    }

    fn delete_draft(&self, id: &str) -> StoreResult<bool> {
        self.change(|c| c.execute("DELETE FROM drafts WHERE id = ?1", [id]))
            .map(|n| n > 0)
    }

    fn head(&self, document: &str) -> StoreResult<Option<RevisionRow>> {
        self.optional(&format!(
                "SELECT {REVISION_COLUMNS} FROM revisions WHERE document = ?1 ORDER BY seq DESC LIMIT 1"
            ), [document], revision_from_row)
    }

    fn append_revision(&self, revision: &RevisionRow) -> StoreResult<()> {
        self.write(|tx| insert_revision(tx, revision))
    }

    fn append_revisions(&self, revisions: &[RevisionRow]) -> StoreResult<()> {
        self.write(|tx| {
            revisions
                .iter()
                .try_for_each(|revision| insert_revision(tx, revision))
        })
    }

    fn revision(&self, document: &str, seq: i64) -> StoreResult<Option<RevisionRow>> {
        self.optional(
            &format!("SELECT {REVISION_COLUMNS} FROM revisions WHERE document = ?1 AND seq = ?2"),
            params![document, seq],
            revision_from_row,
        )
    }

    fn revision_by_artifact(
        &self,
        document: &str,
        artifact_id: &str,
    ) -> StoreResult<Option<RevisionRow>> {
        self.optional(
            &format!(
                "SELECT {REVISION_COLUMNS} FROM revisions WHERE document = ?1 AND artifact_id = ?2
                 ORDER BY seq DESC LIMIT 1"
            ),
            [document, artifact_id],
            revision_from_row,
        )
    }

    fn history(&self, document: &str, limit: usize) -> StoreResult<Vec<RevisionRow>> {
        let limit = i64::try_from(limit).unwrap_or(i64::MAX);
        self.all(&format!(
                "SELECT {REVISION_COLUMNS} FROM revisions WHERE document = ?1 ORDER BY seq DESC LIMIT ?2"
            ), params![document, limit], revision_from_row)
    }

    fn documents(&self, prefix: &str) -> StoreResult<Vec<String>> {
        self.with(|c| {
            c.prepare_cached(
                "SELECT document FROM drafts WHERE document >= ?1 AND document < ?2
                 UNION SELECT DISTINCT document FROM revisions WHERE document >= ?1 AND document < ?2
                 ORDER BY 1",
            )?
            .query_map(params![prefix, prefix_upper_bound(prefix)], |row| row.get(0))?
            .collect()
        })
    }

    fn record_deployment(&self, deployment: &DeploymentRow) -> StoreResult<()> {
        self.change(|c| {
            c.execute(
                &format!("INSERT INTO deployments ({DEPLOYMENT_COLUMNS}) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)"),
                params![
                    deployment.document,
                    deployment.path,
                    deployment.artifact_id,
                    deployment.file_sha256,
                    to_text(&deployment.section),
                    deployment.backup_path,
                    deployment.deployed_at
                ],
            )
        })
        .map(|_| ())
    }

    fn last_deployment(&self, document: &str) -> StoreResult<Option<DeploymentRow>> {
        self.optional(&format!(
                "SELECT {DEPLOYMENT_COLUMNS} FROM deployments WHERE document = ?1 ORDER BY id DESC LIMIT 1"
            ), [document], deployment_from_row)
    }

    fn last_deployment_to(&self, path: &str) -> StoreResult<Option<DeploymentRow>> {
        self.optional(&format!(
                "SELECT {DEPLOYMENT_COLUMNS} FROM deployments WHERE path = ?1 ORDER BY id DESC LIMIT 1"
            ), [path], deployment_from_row)
    }

    fn record_pending_deployment(&self, deployment: &DeploymentRow) -> StoreResult<()> {
        self.change(|c| {
            c.execute(
                &format!(
                    "INSERT INTO pending_deployments ({DEPLOYMENT_COLUMNS}) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)
                     ON CONFLICT (path) DO UPDATE SET document = excluded.document,
                       artifact_id = excluded.artifact_id, file_sha256 = excluded.file_sha256,
                       section = excluded.section, backup_path = excluded.backup_path,
                       deployed_at = excluded.deployed_at"
                ),
                params![
                    deployment.document,
                    deployment.path,
                    deployment.artifact_id,
                    deployment.file_sha256,
                    to_text(&deployment.section),
                    deployment.backup_path,
                    deployment.deployed_at
                ],
            )
        })
        .map(|_| ())
    }

    fn pending_deployments(&self) -> StoreResult<Vec<DeploymentRow>> {
        self.all(
            &format!("SELECT {DEPLOYMENT_COLUMNS} FROM pending_deployments ORDER BY path"),
            [],
            deployment_from_row,
        )
    }

    fn confirm_deployment(&self, deployment: &DeploymentRow) -> StoreResult<()> {
        self.write(|tx| {
            tx.execute(
                &format!("INSERT INTO deployments ({DEPLOYMENT_COLUMNS}) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)"),
                params![
                    deployment.document,
                    deployment.path,
                    deployment.artifact_id,
                    deployment.file_sha256,
                    to_text(&deployment.section),
                    deployment.backup_path,
                    deployment.deployed_at
                ],
            )
            .map_err(map_error)?;
            tx.execute(
                "DELETE FROM pending_deployments WHERE path = ?1",
                [&deployment.path],
            )
            .map_err(map_error)?;
            Ok(())
        })
    }

    fn discard_pending_deployment(&self, path: &str, file_sha256: &str) -> StoreResult<bool> {
        self.change(|c| {
            c.execute(
                "DELETE FROM pending_deployments WHERE path = ?1 AND file_sha256 = ?2",
                [path, file_sha256],
            )
        })
        .map(|n| n > 0)
    }

    fn put_catalog_entry(&self, entry: &CatalogRow) -> StoreResult<()> {
        self.change(|c| {
            c.execute(
                "INSERT INTO catalog (server_id, definition, created_at, updated_at) VALUES (?1, ?2, ?3, ?4)
                 ON CONFLICT (server_id) DO UPDATE SET definition = excluded.definition, updated_at = excluded.updated_at",
                params![entry.server_id, to_text(&entry.definition), entry.created_at, entry.updated_at],
            )
        })
        .map(|_| ())
    }

    fn catalog_entries(&self) -> StoreResult<Vec<CatalogRow>> {
        self.with(|c| {
            c.prepare_cached("SELECT server_id, definition, created_at, updated_at FROM catalog ORDER BY server_id")?
                .query_map([], |row| {
                    Ok(CatalogRow {
                        server_id: row.get(0)?,
                        definition: from_text(row.get(1)?)?,
                        created_at: row.get(2)?,
                        updated_at: row.get(3)?,
                    })
                })?
                .collect()
        })
    }

    fn catalog_entry(&self, server_id: &str) -> StoreResult<Option<CatalogRow>> {
        // On the write connection, not a read connection: every add_server_to_config reads
        // this right before it writes, and the write connection's page cache survives its
        // own commits, while a read connection drops its cache after any commit elsewhere
        // and reads the pages again from the files.
        self.with(|c| {
            c.prepare_cached(
                "SELECT server_id, definition, created_at, updated_at FROM catalog WHERE server_id = ?1",
            )?
            .query_row([server_id], |row| {
                Ok(CatalogRow {
                    server_id: row.get(0)?,
                    definition: from_text(row.get(1)?)?,
                    created_at: row.get(2)?,
                    updated_at: row.get(3)?,
                })
            })
            .optional()
        })
    }

    fn delete_catalog_entry(&self, server_id: &str) -> StoreResult<bool> {
        self.change(|c| c.execute("DELETE FROM catalog WHERE server_id = ?1", [server_id]))
            .map(|n| n > 0)
    }

    fn deployment_paths(&self) -> StoreResult<Vec<String>> {
        self.with(|c| {
            c.prepare_cached("SELECT DISTINCT path FROM deployments ORDER BY path")?
                .query_map([], |row| row.get(0))?
                .collect()
        })
    }

    fn put_secret(&self, secret: &SecretRow) -> StoreResult<()> {
        self.change(|c| {
            c.execute(
                "INSERT INTO secrets (name, nonce, ciphertext, created_at, updated_at) VALUES (?1, ?2, ?3, ?4, ?5)
                 ON CONFLICT (name) DO UPDATE SET nonce = excluded.nonce, ciphertext = excluded.ciphertext, updated_at = excluded.updated_at",
                params![secret.name, secret.nonce, secret.ciphertext, secret.created_at, secret.updated_at],
            )
        })
        .map(|_| ())
    }

    fn secret(&self, name: &str) -> StoreResult<Option<SecretRow>> {
        self.optional(
            "SELECT name, nonce, ciphertext, created_at, updated_at FROM secrets WHERE name = ?1",
            [name],
            secret_from_row,
        )
    }

    fn secrets(&self) -> StoreResult<Vec<SecretRow>> {
        self.all(
            "SELECT name, nonce, ciphertext, created_at, updated_at FROM secrets ORDER BY name",
            [],
            secret_from_row,
        )
    }

    fn delete_secret(&self, name: &str) -> StoreResult<bool> {
        self.change(|c| c.execute("DELETE FROM secrets WHERE name = ?1", [name]))
            .map(|n| n > 0)
    }

    fn put_key_retirement(&self, retirement: &imprint_store::KeyRetirementRow) -> StoreResult<()> {
        self.change(|c| {
            c.execute(
                "INSERT INTO key_retirements (key_id, retired_at, endorsement) VALUES (?1, ?2, ?3)
                 ON CONFLICT (key_id) DO NOTHING",
                params![
                    retirement.key_id,
                    retirement.retired_at,
                    retirement.endorsement
                ],
            )
        })
        .map(|_| ())
    }

    fn record_key_rotation(
        &self,
        _successor_key_id: &str,
        _successor_pem: &str,
        retirement: &imprint_store::KeyRetirementRow,
    ) -> StoreResult<()> {
        // The keyring is the key files beside the database: only the retirement is a row.
        self.write(|tx| {
            let recorded: Option<String> = tx
                .query_row(
                    "SELECT endorsement FROM key_retirements WHERE key_id = ?1",
                    [&retirement.key_id],
                    |row| row.get(0),
                )
                .optional()
                .map_err(map_error)?;
            match recorded {
                Some(endorsement) if endorsement == retirement.endorsement => Ok(()),
                Some(_) => Err(StoreError::Conflict(format!(
                    "the key {} was retired already, endorsing another key",
                    retirement.key_id
                ))),
                None => tx
                    .execute(
                        "INSERT INTO key_retirements (key_id, retired_at, endorsement) VALUES (?1, ?2, ?3)",
                        params![
                            retirement.key_id,
                            retirement.retired_at,
                            retirement.endorsement
                        ],
                    )
                    .map(drop)
                    .map_err(map_error),
            }
        })
    }

    fn key_retirements(&self) -> StoreResult<Vec<imprint_store::KeyRetirementRow>> {
        self.all(
            "SELECT key_id, retired_at, endorsement FROM key_retirements ORDER BY retired_at, key_id",
            [],
            |row| {
                Ok(imprint_store::KeyRetirementRow {
                    key_id: row.get(0)?,
                    retired_at: row.get(1)?,
                    endorsement: row.get(2)?,
                })
            },
        )
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
fn insert_revision(tx: &rusqlite::Transaction<'_>, revision: &RevisionRow) -> StoreResult<()> {
    let head: i64 = tx
        .prepare_cached("SELECT COALESCE(MAX(seq), 0) FROM revisions WHERE document = ?1")
        .and_then(|mut s| s.query_row([&revision.document], |row| row.get(0)))
        .map_err(map_error)?;
    if revision.seq != head + 1 {
        return Err(StoreError::Conflict(format!(
            "{} moved to revision {head} meanwhile",
            revision.document
        )));
    }
    tx.prepare_cached(&format!(
        "INSERT INTO revisions ({REVISION_COLUMNS}) VALUES (?1, ?2, ?3, ?4, ?5)"
    ))
    .and_then(|mut s| {
        s.execute(params![
            revision.document,
            revision.seq,
            revision.artifact_id,
            to_text(&revision.envelope),
            revision.created_at
        ])
    })
    .map_err(map_error)?;
    Ok(())
}

#[cfg(test)]
mod error_tests {
    use super::*;

    #[test]
    fn a_unique_violation_is_a_conflict_in_peoples_words() {
        let store = SqliteStore::open_in_memory().unwrap();
        let error = store
            .with(|c| {
                c.execute_batch(
                    "CREATE TABLE t (a TEXT UNIQUE); INSERT INTO t VALUES ('x'); INSERT INTO t VALUES ('x');",
                )
            })
            .unwrap_err();
        match error {
            StoreError::Conflict(message) => {
                assert_eq!(
                    message,
                    "another write created a row with the same t.a first"
                );
            }
            other => panic!("expected a conflict, got {other:?}"),
        }
    }

    #[test]
    fn other_backend_failures_keep_sqlites_error_as_the_source() {
        let store = SqliteStore::open_in_memory().unwrap();
        let error = store
            .with(|c| c.execute_batch("SELECT * FROM no_such_table"))
            .unwrap_err();
        let StoreError::Backend(source) = &error else {
            panic!("expected a backend failure, got {error:?}");
        };
        assert!(source.to_string().contains("no_such_table"));
        assert_eq!(error.to_string(), "the database failed");
    }
}
