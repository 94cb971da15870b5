//! The audit log and publish requests in SQLite (`migrations/0008_roles_requests_audit.sql`).

use imprint_store::team::{AuditRow, Decision, RequestRow};
use imprint_store::{StoreResult, TeamStore};
use rusqlite::{Connection, Row, params};

use crate::{SqliteStore, map_error};

pub(crate) const AUDIT_COLUMNS: &str = "seq, at, actor, token_id, role, surface, operation, target";
pub(crate) const REQUEST_COLUMNS: &str = "id, kind, target, draft_name, draft_version, changelog, requested_by, requested_at, status, decided_by, decided_at, reason, artifact_id";

pub(crate) fn audit_from_row(row: &Row<'_>) -> rusqlite::Result<AuditRow> {
    Ok(AuditRow {
        seq: row.get(0)?,
        at: row.get(1)?,
        actor: row.get(2)?,
        token_id: row.get(3)?,
        role: row.get(4)?,
        surface: row.get(5)?,
        operation: row.get(6)?,
        target: row.get(7)?,
    })
}

pub(crate) fn request_from_row(row: &Row<'_>) -> rusqlite::Result<RequestRow> {
    Ok(RequestRow {
        id: row.get(0)?,
        kind: row.get(1)?,
        target: row.get(2)?,
        draft_name: row.get(3)?,
        draft_version: row.get(4)?,
        changelog: row.get(5)?,
        requested_by: row.get(6)?,
        requested_at: row.get(7)?,
        status: row.get(8)?,
        decided_by: row.get(9)?,
        decided_at: row.get(10)?,
        reason: row.get(11)?,
        artifact_id: row.get(12)?,
    })
}

/// Inserts an audit row inside the caller's write transaction. SQLite has one writer at
/// a time, so `seq` (the rowid) increases in commit order.
pub(crate) fn insert_audit(tx: &Connection, row: &AuditRow) -> StoreResult<()> {
    tx.prepare_cached(
        "INSERT INTO audit_log (at, actor, token_id, role, surface, operation, target) \
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
    )
    .and_then(|mut statement| {
        statement.execute(params![
            row.at,
            row.actor,
            row.token_id,
            row.role,
            row.surface,
            row.operation,
            row.target
        ])
    })
    .map(drop)
    .map_err(map_error)
}

/// One publish request as it is, id and decision included (a new request, or a copied one).
pub(crate) fn insert_request(tx: &Connection, row: &RequestRow) -> StoreResult<()> {
    tx.prepare_cached(&format!(
        "INSERT INTO publish_requests ({REQUEST_COLUMNS}) \
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)"
    ))
    .and_then(|mut statement| {
        statement.execute(params![
            row.id,
            row.kind,
            row.target,
            row.draft_name,
            row.draft_version,
            row.changelog,
            row.requested_by,
            row.requested_at,
            row.status,
            row.decided_by,
            row.decided_at,
            row.reason,
            row.artifact_id
        ])
    })
    .map(drop)
    .map_err(map_error)
}

impl TeamStore for SqliteStore {
    fn append_audit(&self, row: &AuditRow) -> StoreResult<i64> {
        self.write(|tx| {
            insert_audit(tx, row)?;
            Ok(tx.last_insert_rowid())
        })
    }

    fn audit_log(&self, limit: usize) -> StoreResult<Vec<AuditRow>> {
        let limit = i64::try_from(limit).unwrap_or(i64::MAX);
        self.all(
            &format!("SELECT {AUDIT_COLUMNS} FROM audit_log ORDER BY seq DESC LIMIT ?1"),
            [limit],
            audit_from_row,
        )
    }

    fn create_request(&self, row: &RequestRow) -> StoreResult<()> {
        self.write(|tx| insert_request(tx, row))
    }

    fn request(&self, id: &str) -> StoreResult<Option<RequestRow>> {
        self.optional(
            &format!("SELECT {REQUEST_COLUMNS} FROM publish_requests WHERE id = ?1"),
            [id],
            request_from_row,
        )
    }

    fn list_requests(&self, status: Option<&str>) -> StoreResult<Vec<RequestRow>> {
        self.all(
            &format!(
                "SELECT {REQUEST_COLUMNS} FROM publish_requests \
                 WHERE ?1 IS NULL OR status = ?1 ORDER BY requested_at, id"
            ),
            [status],
            request_from_row,
        )
    }

    fn decide_request(&self, id: &str, decision: &Decision<'_>) -> StoreResult<bool> {
        self.write(|tx| {
            tx.execute(
                "UPDATE publish_requests SET status = ?2, decided_by = ?3, decided_at = ?4, \
                 reason = ?5, artifact_id = ?6 WHERE id = ?1 AND status = 'open'",
                params![
                    id,
                    decision.status,
                    decision.decided_by,
                    decision.decided_at,
                    decision.reason,
                    decision.artifact_id
                ],
            )
            .map(|n| n > 0)
            .map_err(map_error)
        })
    }
}

#[cfg(test)]
mod tests {
    use imprint_store::Store;

    use super::*;

    #[test]
    fn the_audit_table_refuses_updates_and_deletes() {
        let store = SqliteStore::open_in_memory().unwrap();
        let row = AuditRow {
            seq: 0,
            at: 1,
            actor: "alice".into(),
            token_id: None,
            role: "admin".into(),
            surface: "cli".into(),
            operation: "publish_config".into(),
            target: "cursor/dev".into(),
        };
        store.team().append_audit(&row).unwrap();
        let update = store.with(|c| c.execute("UPDATE audit_log SET actor = 'mallory'", []));
        assert!(update.is_err(), "{update:?}");
        let delete = store.with(|c| c.execute("DELETE FROM audit_log", []));
        assert!(delete.is_err(), "{delete:?}");
        assert_eq!(store.team().audit_log(10).unwrap()[0].actor, "alice");
    }

    #[test]
    fn a_replacing_import_keeps_the_audit_table_append_only() {
        use imprint_store::transfer::ImportMode;

        let store = SqliteStore::open_in_memory().unwrap();
        let row = AuditRow {
            seq: 0,
            at: 1,
            actor: "alice".into(),
            token_id: None,
            role: "admin".into(),
            surface: "cli".into(),
            operation: "publish_config".into(),
            target: "cursor/dev".into(),
        };
        store.team().append_audit(&row).unwrap();
        let mut records = Vec::new();
        store
            .export_records(&mut |record| {
                records.push(record);
                Ok(())
            })
            .unwrap();
        let mut rows = records.into_iter();
        store
            .import_records(ImportMode::Replace, &mut || Ok(rows.next()))
            .unwrap();
        let delete = store.with(|c| c.execute("DELETE FROM audit_log", []));
        assert!(delete.is_err(), "{delete:?}");
        let update = store.with(|c| c.execute("UPDATE audit_log SET actor = 'mallory'", []));
        assert!(update.is_err(), "{update:?}");
        assert_eq!(store.team().audit_log(10).unwrap()[0].actor, "alice");
    }
}
