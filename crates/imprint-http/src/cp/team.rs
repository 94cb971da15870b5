//! The control panel's review and audit pages: open publish requests with their diff and
//! Approve / Reject buttons (`/cp/requests`), and the audit log (`/cp/audit`, admins only).

use axum::response::Response;
use axum::routing::{get, post};
use imprint_service::requests::{ApproveRequest, GetAuditLog, ListRequests, RejectRequest};
use serde::Deserialize;

use super::html::{action_button, attr, csrf_field, esc, table};
use super::{Panel, PanelForm};
use crate::extract::PathParams;
use crate::state::AppState;

pub(crate) fn routes() -> axum::Router<AppState> {
    axum::Router::new()
        .route("/cp/requests", get(requests_page))
        .route("/cp/requests/{request_id}/approve", post(approve))
        .route("/cp/requests/{request_id}/reject", post(reject))
        .route("/cp/audit", get(audit_page))
}

/// A request's diff as lines, old → new: `+` added, `-` removed, `~` changed (a config
/// publish against the latest artifact, a content apply against the live entry).
fn diff_html(diff: &serde_json::Value) -> String {
    let shown = |value: Option<&serde_json::Value>| match value {
        Some(serde_json::Value::String(text)) => text.clone(),
        Some(other) => other.to_string(),
        None => String::new(),
    };
    let lines: Vec<String> = diff
        .get("changes")
        .and_then(serde_json::Value::as_array)
        .into_iter()
        .flatten()
        .map(|change| {
            let path = change.get("path").and_then(|p| p.as_str()).unwrap_or("");
            let before = change.get("before").filter(|v| !v.is_null());
            let after = change.get("after").filter(|v| !v.is_null());
            match (before, after) {
                (None, _) => format!("+ {path}: {}", shown(after)),
                (_, None) => format!("- {path}: {}", shown(before)),
                _ => format!("~ {path}: {} → {}", shown(before), shown(after)),
            }
        })
        .collect();
    if diff.is_null() {
        return "<pre>(the draft is gone)</pre>".into();
    }
    if lines.is_empty() {
        return "<pre>no change</pre>".into();
    }
    format!("<pre>{}</pre>", esc(&lines.join("\n")))
}

async fn requests_page(panel: Panel) -> Response {
    let listed = panel
        .run(|s| {
            s.authorize("list_requests")?;
            s.list_requests(ListRequests::default())
        })
        .await;
    let list = match listed {
        Ok(list) => list,
        Err(error) => return panel.error_page(error),
    };
    let csrf = panel.session.csrf.clone();
    let rows: Vec<Vec<String>> = list
        .requests
        .iter()
        .map(|item| {
            let r = &item.request;
            let what = match (&r.client_id, &r.profile_id, r.draft_id) {
                (Some(client), Some(profile), _) => format!(
                    "publish <a href=\"/cp/configs/{client}/{profile}\">{}/{}</a> draft '{}'",
                    esc(client),
                    esc(profile),
                    esc(r.draft_name.as_deref().unwrap_or("default"))
                ),
                (_, _, Some(id)) => {
                    format!("apply <a href=\"/cp/entries/{id}?draftId={id}\">draft {id}</a>")
                }
                _ => String::new(),
            };
            let stale = item.current_version != Some(r.draft_version);
            let version = if stale {
                format!(
                    "{} <span class=\"error\">(draft now at {})</span>",
                    r.draft_version,
                    item.current_version
                        .map_or("none".into(), |v| v.to_string())
                )
            } else {
                r.draft_version.to_string()
            };
            let approve = action_button(
                &format!("/cp/requests/{}/approve", r.request_id),
                &csrf,
                &[],
                "Approve",
                "primary",
            );
            let reject = format!(
                "<form method=\"post\" action=\"/cp/requests/{}/reject\" class=\"inline\">{}\
                 <input name=\"reason\" required placeholder=\"reason\" aria-label=\"reason\">\
                 <button>Reject</button></form>",
                attr(&r.request_id),
                csrf_field(&csrf)
            );
            vec![
                esc(&r.request_id),
                what,
                version,
                esc(&r.requested_by),
                esc(r.changelog.as_deref().unwrap_or("")),
                diff_html(&item.diff),
                format!("{approve} {reject}"),
            ]
        })
        .collect();
    let body = table(
        &[
            "request",
            "what",
            "version",
            "asked by",
            "changelog",
            "diff against the latest",
            "",
        ],
        &rows,
        "no open requests",
    );
    panel.page("Publish requests", &body)
}

async fn approve(
    PathParams(request_id): PathParams<String>,
    PanelForm { panel, .. }: PanelForm<super::Empty>,
) -> Response {
    let result = panel
        .run(move |s| {
            let approved = s.approve_request(ApproveRequest { request_id })?;
            Ok(approved.message)
        })
        .await;
    panel.done(result, "/cp/requests")
}

#[derive(Debug, Deserialize)]
struct RejectForm {
    reason: String,
}

async fn reject(
    PathParams(request_id): PathParams<String>,
    PanelForm { panel, form }: PanelForm<RejectForm>,
) -> Response {
    let result = panel
        .run(move |s| {
            let rejected = s.reject_request(RejectRequest {
                request_id,
                reason: form.reason,
            })?;
            Ok(rejected.message)
        })
        .await;
    panel.done(result, "/cp/requests")
}

async fn audit_page(panel: Panel) -> Response {
    let log = panel
        .run(|s| {
            s.authorize("get_audit_log")?;
            s.get_audit_log(GetAuditLog { limit: Some(500) })
        })
        .await;
    let log = match log {
        Ok(log) => log,
        Err(error) => return panel.error_page(error),
    };
    let rows: Vec<Vec<String>> = log
        .entries
        .iter()
        .map(|e| {
            vec![
                esc(&e.at),
                esc(&e.actor),
                esc(e.token_id.as_deref().unwrap_or("")),
                esc(&e.role),
                esc(&e.surface),
                esc(&e.operation),
                esc(&e.target),
            ]
        })
        .collect();
    let body = table(
        &["when", "who", "token", "role", "surface", "what", "on"],
        &rows,
        "nothing recorded yet",
    );
    panel.page("Audit log", &body)
}
