//! Team rows: the audit log (append-only) and publish requests (review before publish).
//!
//! The audit log has no method that changes or removes a row, and both backends refuse
//! `UPDATE` and `DELETE` on its table with a trigger, so a row once written stays as it
//! was. Rows are numbered by the store in the order they were appended.
//!
//! # The audit row of an operation
//!
//! A change and its audit row commit together: the service sets the operation's row as
//! *pending* for the time the operation runs ([`with_pending_audit`]), and the backends'
//! write helpers insert it just before the `COMMIT` of the first write transaction that
//! sees it ([`take_pending_audit`]), giving it back ([`restore_pending_audit`]) if that
//! transaction does not commit. The row is kept in a thread-local, set only while
//! synchronous code runs: [`with_pending_audit`] scopes a closure and [`PendingAudit`]
//! scopes each poll of a future, so code of another task that runs on the same thread
//! between two polls never sees it. A write the operation hands to another thread does
//! not see it either; the row is then appended on its own after the operation, as for
//! an operation that wrote nothing.

use std::cell::RefCell;
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};

use crate::StoreResult;

thread_local! {
    static PENDING: RefCell<Option<AuditRow>> = const { RefCell::new(None) };
}

/// Puts the previous pending row back when a scope ends, also when it unwinds.
struct Scope(Option<Option<AuditRow>>);

impl Scope {
    fn enter(row: Option<AuditRow>) -> Self {
        Scope(Some(PENDING.replace(row)))
    }

    /// Ends the scope: the row still pending (no write took it).
    fn leave(mut self) -> Option<AuditRow> {
        PENDING.replace(self.0.take().flatten())
    }
}

impl Drop for Scope {
    fn drop(&mut self) {
        if let Some(previous) = self.0.take() {
            PENDING.set(previous);
        }
    }
}

/// Runs `run` with `row` pending: the first write transaction it commits on this thread
/// carries the row. Returns `run`'s value and the row if no write took it.
pub fn with_pending_audit<T>(row: AuditRow, run: impl FnOnce() -> T) -> (T, Option<AuditRow>) {
    let scope = Scope::enter(Some(row));
    let value = run();
    (value, scope.leave())
}

/// Whether a row is pending: a backend runs a lone statement that changes something in
/// a transaction of its own then, so the row can go with it.
pub fn audit_pending() -> bool {
    PENDING.with_borrow(Option::is_some)
}

/// For a backend's write helper, just before `COMMIT`: the pending row, if any (it is
/// no longer pending). Give it back with [`restore_pending_audit`] if the commit fails.
pub fn take_pending_audit() -> Option<AuditRow> {
    PENDING.take()
}

/// Makes `row` pending again: its transaction did not commit.
pub fn restore_pending_audit(row: AuditRow) {
    PENDING.set(Some(row));
}

/// A future polled with a row pending (see [`with_pending_audit`]): the row is set for
/// each poll and taken back after it, so other tasks on the thread never see it. Its
/// output is the future's and the row if no write took it.
pub struct PendingAudit<F: Future> {
    row: Option<AuditRow>,
    future: Pin<Box<F>>,
}

impl<F: Future> PendingAudit<F> {
    pub fn new(row: Option<AuditRow>, future: F) -> Self {
        Self {
            row,
            future: Box::pin(future),
        }
    }
}

impl<F: Future> Future for PendingAudit<F> {
    type Output = (F::Output, Option<AuditRow>);

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let this = self.get_mut();
        let scope = Scope::enter(this.row.take());
        let poll = this.future.as_mut().poll(cx);
        this.row = scope.leave();
        poll.map(|output| (output, this.row.take()))
    }
}

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
    /// Appends a row on its own and returns its sequence number (a pending row, if any,
    /// goes into the same transaction, before it).
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

#[cfg(test)]
mod tests {
    use super::*;

    fn row(actor: &str) -> AuditRow {
        AuditRow {
            seq: 0,
            at: 1,
            actor: actor.into(),
            token_id: None,
            role: "admin".into(),
            surface: "cli".into(),
            operation: "set_secret".into(),
            target: String::new(),
        }
    }

    #[test]
    fn a_scope_sets_the_row_and_puts_the_previous_one_back() {
        let ((), left) = with_pending_audit(row("outer"), || {
            let ((), inner) = with_pending_audit(row("inner"), || {
                assert_eq!(take_pending_audit().unwrap().actor, "inner");
            });
            assert_eq!(inner, None, "taken");
            assert!(audit_pending(), "the outer row is back");
        });
        assert_eq!(left.unwrap().actor, "outer");
        assert!(!audit_pending());
        // unwinding out of a scope leaves nothing pending either
        let unwound = std::panic::catch_unwind(|| with_pending_audit(row("x"), || panic!()));
        assert!(unwound.is_err());
        assert!(!audit_pending());
    }

    /// Yields once, and takes the pending row on its second poll.
    struct TakesOnSecondPoll(bool);

    impl Future for TakesOnSecondPoll {
        type Output = Option<AuditRow>;

        fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
            if self.0 {
                return Poll::Ready(take_pending_audit());
            }
            self.0 = true;
            cx.waker().wake_by_ref();
            Poll::Pending
        }
    }

    #[test]
    fn a_future_sees_the_row_only_while_it_is_polled() {
        let mut cx = Context::from_waker(std::task::Waker::noop());
        let mut future = std::pin::pin!(PendingAudit::new(
            Some(row("task")),
            TakesOnSecondPoll(false)
        ));
        assert!(future.as_mut().poll(&mut cx).is_pending());
        // what runs on the thread between two polls (another task) sees no row
        assert!(!audit_pending());
        let Poll::Ready((taken, left)) = future.as_mut().poll(&mut cx) else {
            panic!("ready on the second poll");
        };
        assert_eq!(taken.unwrap().actor, "task");
        assert_eq!(left, None);

        let mut untouched = std::pin::pin!(PendingAudit::new(Some(row("idle")), async { 7 }));
        let Poll::Ready((7, Some(left))) = untouched.as_mut().poll(&mut cx) else {
            panic!("ready with the row left over");
        };
        assert_eq!(left.actor, "idle");
    }
}
