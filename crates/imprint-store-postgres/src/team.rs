//! The audit log and publish requests in PostgreSQL (`migrations/0005_roles_requests_audit.sql`).

use imprint_store::team::{AuditRow, Decision, RequestRow};
use imprint_store::{StoreResult, TeamStore};
use tokio_postgres::Row;

use crate::{Conn, PostgresStore, all, get};

pub(crate) const AUDIT_COLUMNS: &str = "seq, at, actor, token_id, role, surface, operation, target";
pub(crate) const REQUEST_COLUMNS: &str = "id, kind, target, draft_name, draft_version, changelog, requested_by, requested_at, status, decided_by, decided_at, reason, artifact_id";

pub(crate) fn audit_from_row(row: &Row) -> StoreResult<AuditRow> {
    Ok(AuditRow {
        seq: get(row, 0)?,
        at: get(row, 1)?,
        actor: get(row, 2)?,
        token_id: get(row, 3)?,
        role: get(row, 4)?,
        surface: get(row, 5)?,
        operation: get(row, 6)?,
        target: get(row, 7)?,
    })
}

pub(crate) fn request_from_row(row: &Row) -> StoreResult<RequestRow> {
    Ok(RequestRow {
        id: get(row, 0)?,
        kind: get(row, 1)?,
        target: get(row, 2)?,
        draft_name: get(row, 3)?,
        draft_version: get(row, 4)?,
        changelog: get(row, 5)?,
        requested_by: get(row, 6)?,
        requested_at: get(row, 7)?,
        status: get(row, 8)?,
        decided_by: get(row, 9)?,
        decided_at: get(row, 10)?,
        reason: get(row, 11)?,
        artifact_id: get(row, 12)?,
    })
}

/// Serializes audit appends from the first one to its transaction's commit, so `seq` (a
/// sequence, handed out at insert) increases in commit order: a reader never sees a row
/// whose predecessor is still uncommitted. Held only from the insert, the transaction's
/// last statement, to its `COMMIT`.
const AUDIT_LOCK: i64 = 0x696d_7072_6175_6474; // "impraudt"

/// Inserts an audit row inside the caller's transaction; returns its `seq`.
pub(crate) fn insert_audit(c: &mut Conn, row: &AuditRow) -> StoreResult<i64> {
    c.exec("SELECT pg_advisory_xact_lock($1)", &[&AUDIT_LOCK])?;
    let inserted = c.one(
        "INSERT INTO audit_log (at, actor, token_id, role, surface, operation, target) \
         VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING seq",
        &[
            &row.at,
            &row.actor,
            &row.token_id,
            &row.role,
            &row.surface,
            &row.operation,
            &row.target,
        ],
    )?;
    get(&inserted, 0)
}

/// One publish request as it is, id and decision included (a new request, or a copied one).
pub(crate) fn insert_request(c: &mut Conn, row: &RequestRow) -> StoreResult<()> {
    c.exec(
        &format!(
            "INSERT INTO publish_requests ({REQUEST_COLUMNS}) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)"
        ),
        &[
            &row.id,
            &row.kind,
            &row.target,
            &row.draft_name,
            &row.draft_version,
            &row.changelog,
            &row.requested_by,
            &row.requested_at,
            &row.status,
            &row.decided_by,
            &row.decided_at,
            &row.reason,
            &row.artifact_id,
        ],
    )
    .map(drop)
}

impl TeamStore for PostgresStore {
    fn append_audit(&self, row: &AuditRow) -> StoreResult<i64> {
        self.write(|c| insert_audit(c, row))
    }

    fn audit_log(&self, limit: usize) -> StoreResult<Vec<AuditRow>> {
        let limit = i64::try_from(limit).unwrap_or(i64::MAX);
        self.read(|c| {
            all(
                c.query(
                    &format!("SELECT {AUDIT_COLUMNS} FROM audit_log ORDER BY seq DESC LIMIT $1"),
                    &[&limit],
                )?,
                audit_from_row,
            )
        })
    }

    fn create_request(&self, row: &RequestRow) -> StoreResult<()> {
        self.write(|c| insert_request(c, row))
    }

    fn request(&self, id: &str) -> StoreResult<Option<RequestRow>> {
        self.read(|c| {
            c.opt(
                &format!("SELECT {REQUEST_COLUMNS} FROM publish_requests WHERE id = $1"),
                &[&id],
            )?
            .as_ref()
            .map(request_from_row)
            .transpose()
        })
    }

    fn list_requests(&self, status: Option<&str>) -> StoreResult<Vec<RequestRow>> {
        self.read(|c| {
            all(
                c.query(
                    &format!(
                        "SELECT {REQUEST_COLUMNS} FROM publish_requests \
                         WHERE $1::TEXT IS NULL OR status = $1 ORDER BY requested_at, id COLLATE \"C\""
                    ),
                    &[&status],
                )?,
                request_from_row,
            )
        })
    }

    fn decide_request(&self, id: &str, decision: &Decision<'_>) -> StoreResult<bool> {
        self.write(|c| {
            c.exec(
                "UPDATE publish_requests SET status = $2, decided_by = $3, decided_at = $4, \
                 reason = $5, artifact_id = $6 WHERE id = $1 AND status = 'open'",
                &[
                    &id,
                    &decision.status,
                    &decision.decided_by,
                    &decision.decided_at,
                    &decision.reason,
                    &decision.artifact_id,
                ],
            )
            .map(|n| n > 0)
        })
    }
}
