//! Read connections beside the one write connection.
//!
//! Writers are serialized by SQLite anyway, so every write (and every read inside a
//! write) keeps to the store's one write connection. Plain reads and searches get
//! connections of their own: in WAL mode readers never wait for the writer nor for each
//! other, so a slow search no longer holds the connection every other request needs.
//! Searches have a pool apart from the other reads, so even a burst of expensive
//! searches leaves `get_entry`, `get_sites` and the rest their connections.
//!
//! Connections are opened on first use (a CLI command that reads once opens one).

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Mutex, MutexGuard};
use std::time::{Duration, Instant};

use imprint_store::{StoreError, StoreResult};
use rusqlite::Connection;

/// How many connections serve plain reads.
pub(crate) const READERS: usize = 3;
/// How many searches run at once; more wait for one of these.
pub(crate) const SEARCHERS: usize = 2;

/// Pages a read connection may keep cached (negative: KiB). Smaller than the write
/// connection's: there are several, and each only needs its working set.
const READER_CACHE_KIB: i64 = -16_384;

/// A few read-only connections to one database file.
pub(crate) struct ReadPool {
    path: PathBuf,
    slots: Vec<Mutex<Option<Connection>>>,
    next: AtomicUsize,
}

impl ReadPool {
    pub(crate) fn new(path: &Path, size: usize) -> Self {
        Self {
            path: path.to_path_buf(),
            slots: (0..size.max(1)).map(|_| Mutex::new(None)).collect(),
            next: AtomicUsize::new(0),
        }
    }

    /// Runs `f` on a free connection (opening it if needed), or waits for one.
    pub(crate) fn with<T>(
        &self,
        f: impl FnOnce(&mut Connection) -> StoreResult<T>,
    ) -> StoreResult<T> {
        let mut slot = self.take();
        if slot.is_none() {
            *slot = Some(self.open()?);
        }
        match slot.as_mut() {
            Some(connection) => f(connection),
            None => Err(StoreError::Other("a read connection was not opened".into())),
        }
    }

    /// The first free slot (low ones first, so few connections are opened), else the
    /// next one in turn, waited for.
    fn take(&self) -> MutexGuard<'_, Option<Connection>> {
        for slot in &self.slots {
            if let Ok(guard) = slot.try_lock() {
                return guard;
            }
        }
        let index = self.next.fetch_add(1, Ordering::Relaxed) % self.slots.len();
        self.slots[index]
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    fn open(&self) -> StoreResult<Connection> {
        let connection = Connection::open(&self.path).map_err(crate::other)?;
        connection
            .busy_timeout(Duration::from_secs(10))
            .map_err(crate::other)?;
        connection
            .pragma_update(None, "query_only", "ON")
            .map_err(crate::other)?;
        connection
            .pragma_update(None, "cache_size", READER_CACHE_KIB)
            .map_err(crate::other)?;
        Ok(connection)
    }
}

/// Runs `f` with SQLite stopping any statement still running at `deadline` (its progress
/// handler, checked every few thousand virtual-machine steps); the handler is removed
/// afterwards, whatever `f` returns. An interrupted statement is [`StoreError::TimedOut`].
pub(crate) fn with_deadline<T>(
    connection: &mut Connection,
    deadline: Option<Instant>,
    f: impl FnOnce(&Connection) -> StoreResult<T>,
) -> StoreResult<T> {
    let Some(deadline) = deadline else {
        return f(connection);
    };
    connection
        .progress_handler(4_000, Some(move || Instant::now() >= deadline))
        .map_err(crate::other)?;
    let result = f(connection);
    let cleared = connection.progress_handler(0, None::<fn() -> bool>);
    match result {
        Err(StoreError::Backend(source)) if interrupted(source.as_ref()) => Err(timed_out()),
        Err(e) => Err(e),
        Ok(value) => cleared.map(|()| value).map_err(crate::other),
    }
}

/// Refuses to start another statement once `deadline` has passed.
pub(crate) fn before(deadline: Option<Instant>) -> StoreResult<()> {
    match deadline {
        Some(deadline) if Instant::now() >= deadline => Err(timed_out()),
        _ => Ok(()),
    }
}

fn timed_out() -> StoreError {
    StoreError::TimedOut("the search ran past its time limit and was stopped".into())
}

fn interrupted(source: &(dyn std::error::Error + Send + Sync + 'static)) -> bool {
    matches!(
        source.downcast_ref::<rusqlite::Error>(),
        Some(rusqlite::Error::SqliteFailure(failure, _))
            if failure.code == rusqlite::ErrorCode::OperationInterrupted
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_statement_past_its_deadline_is_stopped_as_timed_out() {
        let mut connection = Connection::open_in_memory().unwrap();
        // Counts forever unless SQLite stops it.
        let endless = "WITH RECURSIVE n(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM n) SELECT count(*) FROM n";
        let deadline = Some(Instant::now() + Duration::from_millis(50));
        let result = with_deadline(&mut connection, deadline, |c| {
            c.query_row(endless, [], |row| row.get::<_, i64>(0))
                .map_err(crate::map_error)
        });
        assert!(matches!(result, Err(StoreError::TimedOut(_))), "{result:?}");
        // The handler is gone: the connection works without a deadline again.
        let one: i64 = connection.query_row("SELECT 1", [], |r| r.get(0)).unwrap();
        assert_eq!(one, 1);
    }

    #[test]
    fn nothing_starts_after_the_deadline() {
        assert!(before(None).is_ok());
        assert!(before(Some(Instant::now() + Duration::from_secs(60))).is_ok());
        assert!(matches!(
            before(Some(Instant::now())),
            Err(StoreError::TimedOut(_))
        ));
    }

    #[test]
    fn a_busy_reader_does_not_block_another() {
        let dir = std::env::temp_dir().join(format!("imprint-pool-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("pool.db");
        let writer = Connection::open(&path).unwrap();
        writer
            .execute_batch("PRAGMA journal_mode=WAL; CREATE TABLE IF NOT EXISTS t (x INTEGER)")
            .unwrap();
        let pool = ReadPool::new(&path, 2);
        // While one reader is held (inside `with`), the pool hands out the other.
        let count = pool
            .with(|_held| {
                pool.with(|other| {
                    other
                        .query_row("SELECT count(*) FROM t", [], |r| r.get::<_, i64>(0))
                        .map_err(crate::map_error)
                })
            })
            .unwrap();
        assert_eq!(count, 0);
        let refused = pool.with(|c| {
            c.execute("INSERT INTO t VALUES (1)", [])
                .map_err(crate::map_error)
        });
        assert!(refused.is_err(), "read connections are query-only");
        std::fs::remove_dir_all(&dir).ok();
    }
}
