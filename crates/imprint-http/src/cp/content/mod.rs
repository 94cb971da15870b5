//! Content pages: entries by section and site with search, an entry with its fields,
//! revisions (with a diff against the current content) and drafts, a draft with a
//! field-by-field comparison against its entry and an Apply button, and forms to
//! create and edit entries and drafts.
//!
//! Every `url` the content tools return lands here: `/cp/entries/{id}` for an entry,
//! `/cp/entries/{id}?draftId=…` for a draft of it, `/cp/entries/new?draftId=…` for a
//! draft from scratch.
//!
//! Edit forms send every field, but only what differs from the stored value goes to the
//! service: a draft or entry changed elsewhere keeps those changes (drafts also carry
//! their version, so a stale form is refused rather than applied).
//!
//! # Layout
//! - `forms`: an entry type as the forms see it, form values to `attributeAndFieldData`,
//!   and the inputs for each field type.
//! - `pages`: the index, an entry, a draft, a revision, a new entry.
//! - `actions`: the form posts; each builds the operation's request and calls it.

mod actions;
mod forms;
mod pages;
mod structure;

use axum::routing::{get, post};
use imprint_service::ServiceError;
use imprint_service::ServiceResult;

use super::html::esc;
use crate::state::AppState;
use actions::*;
use pages::*;
use structure::*;

pub(crate) fn routes() -> axum::Router<AppState> {
    axum::Router::new()
        .route("/cp/entries", get(index))
        .route("/cp/entries/new", get(new_entry).post(create))
        .route("/cp/entries/{entry_id}", get(entry_page))
        .route("/cp/entries/{entry_id}/edit", post(edit_entry))
        .route("/cp/entries/{entry_id}/drafts", post(new_draft))
        .route(
            "/cp/entries/{entry_id}/revisions/{revision}",
            get(revision_page),
        )
        .route("/cp/entries/{entry_id}/revert", post(revert))
        .route("/cp/entries/{entry_id}/restore", post(restore))
        .route("/cp/drafts/{draft_id}/edit", post(edit_draft))
        .route("/cp/drafts/{draft_id}/apply", post(apply))
        .route("/cp/drafts/{draft_id}/delete", post(delete_draft))
        .route("/cp/sections/{section_id}", get(section_page))
        .route("/cp/entry-types/{entry_type_id}", get(entry_type_page))
        .route("/cp/fields/{field_id}", get(field_page))
}

pub(super) fn first_of<T>(items: Vec<T>, what: &str) -> ServiceResult<T> {
    items
        .into_iter()
        .next()
        .ok_or_else(|| ServiceError::not_found(format!("{what} does not exist")))
}

/// Text the page shows, "-" when there is none (as `text_of` shows null).
pub(super) fn or_dash(text: Option<&str>) -> String {
    text.unwrap_or("-").to_string()
}

/// The path of an absolute control panel URL (`{public_url}/cp/…` → `/cp/…`).
pub(super) fn local(url: &str) -> String {
    url.find("/cp/")
        .map(|index| url[index..].to_string())
        .unwrap_or_else(|| "/cp/entries".to_string())
}

pub(super) fn entry_path(entry_id: i64) -> String {
    format!("/cp/entries/{entry_id}")
}

pub(super) fn draft_path(canonical_id: Option<i64>, draft_id: i64) -> String {
    match canonical_id {
        Some(id) => format!("/cp/entries/{id}?draftId={draft_id}"),
        None => format!("/cp/entries/new?draftId={draft_id}"),
    }
}

pub(super) fn status_badge(status: &str) -> String {
    let class = match status {
        "live" => "ok",
        "disabled" | "expired" | "trashed" => "bad",
        _ => "",
    };
    format!("<span class=\"badge {class}\">{}</span>", esc(status))
}

pub(super) fn positive(text: Option<&str>) -> Option<i64> {
    text.and_then(|t| t.trim().parse().ok())
        .filter(|id: &i64| *id > 0)
}
