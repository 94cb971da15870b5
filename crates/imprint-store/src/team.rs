//! Team rows: the audit log (append-only) and publish requests (review before publish).
//!
//! The audit log has no method that changes or removes a row, and both backends refuse
//! `UPDATE` and `DELETE` on its table with a trigger, so a row once written stays as it
//! was. Rows are numbered by the store in the order they were appended.

use crate::StoreResult;

/// One change, as recorded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditRow {
    /// Assigned by the store on append, increasing; ignored on append.
    pub seq: i64,
    /// Unix milliseconds.
    pub at: i64,
    /// Who: the token's name, or the machine's owner.
    pub actor: String,
    /// Which token (`None` for the local owner or a launch token).
    pub token_id: Option<String>,
    /// The caller's role when it acted.
    pub role: String,
    /// `mcp-stdio`, `mcp-http`, `rest`, `panel` or `cli`.
    pub surface: String,
    /// The operation (`publish_config`, …).
    pub operation: String,
    /// What it was applied to (`cursor/dev`, a draft id, a request path).
    pub target: String,
}

/// A request to publish a draft (or apply a content draft) at one frozen version.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RequestRow {
    pub id: String,
    /// `config` or `content`.
    pub kind: String,
    /// `client/profile` for config, the content draft id for content.
    pub target: String,
    /// The config draft's name (config only).
    pub draft_name: Option<String>,
    /// The draft version asked for: approval publishes exactly this one.
    pub draft_version: i64,
    pub changelog: Option<String>,
    pub requested_by: String,
    pub requested_at: i64,
    /// `open`, `approved` or `rejected`.
    pub status: String,
    pub decided_by: Option<String>,
    pub decided_at: Option<i64>,
    /// Why it was rejected.
    pub reason: Option<String>,
    /// What approval published.
    pub artifact_id: Option<String>,
}

/// The decision on an open request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Decision<'a> {
    pub status: &'a str,
    pub decided_by: &'a str,
    pub decided_at: i64,
    pub reason: Option<&'a str>,
    pub artifact_id: Option<&'a str>,
}

/// The audit log and publish requests. Every method is one transaction.
pub trait TeamStore: Send + Sync {
    /// Appends a row and returns its sequence number.
    fn append_audit(&self, row: &AuditRow) -> StoreResult<i64>;
    /// The newest `limit` rows, newest first.
    fn audit_log(&self, limit: usize) -> StoreResult<Vec<AuditRow>>;

    fn create_request(&self, row: &RequestRow) -> StoreResult<()>;
    fn request(&self, id: &str) -> StoreResult<Option<RequestRow>>;
    /// Requests with this status (every status when `None`), oldest first.
    fn list_requests(&self, status: Option<&str>) -> StoreResult<Vec<RequestRow>>;
    /// Records the decision if the request is still open; `false` if it was not.
    fn decide_request(&self, id: &str, decision: &Decision<'_>) -> StoreResult<bool>;
}
