//! The form posts. Each reads its form into the operation's request and calls it; draft
//! forms carry the version they were rendered from as `expectedVersion`, so the store
//! refuses a stale form atomically.

use crate::words::PanelWords;
use axum::response::Response;
use imprint_service::api::{Id, JsonObject};
use imprint_service::content::{
    ApplyDraft, CreateDraft, CreateEntry, DeleteDraft, EntryOrDraft, GetEntry, RestoreEntry,
    RevertEntry, UpdateDraft, UpdateEntry,
};
use imprint_service::next::Worded as _;
use serde_json::{Map, Value};

use super::forms::*;
use super::pages::read_draft;
use super::*;
use crate::cp::PanelForm;
use crate::extract::PathParams;

pub(super) async fn create(PanelForm { panel, form }: PanelForm<Map<String, Value>>) -> Response {
    let result = panel
        .run(move |s| {
            let section_id = form_id(&form, "sectionId");
            let entry_type_id = form_id(&form, "entryTypeId");
            let site_id = form_id(&form, "siteId");
            let spec = type_spec(
                s,
                entry_type_id.ok_or_else(|| ServiceError::invalid("entryTypeId is missing"))?,
            )?;
            let data = JsonObject(form_data(&spec, &form, None));
            if form.get("action").map(shown).as_deref() == Some("draft") {
                let mut draft = s.create_draft(CreateDraft {
                    section_id: section_id.map(Id),
                    entry_type_id: entry_type_id.map(Id),
                    site_id: site_id.map(Id),
                    attribute_and_field_data: Some(data),
                    ..Default::default()
                })?;
                draft.reword(&PanelWords);
                Ok((draft.message, local(&draft.draft.url)))
            } else {
                let section_id =
                    section_id.ok_or_else(|| ServiceError::invalid("sectionId is missing"))?;
                let entry = s.create_entry(CreateEntry {
                    section_id: Id(section_id),
                    entry_type_id: entry_type_id.map(Id),
                    site_id: site_id.map(Id),
                    attribute_and_field_data: Some(data),
                    site_ids: None,
                })?;
                Ok((entry.message, local(&entry.entry.url)))
            }
        })
        .await;
    match result {
        Ok((message, path)) => panel.done(Ok(message), &path),
        Err(error) => panel.done(Err(error), "/cp/entries"),
    }
}

// ----- forms on entries and drafts ----------------------------------------------------

pub(super) async fn edit_entry(
    PathParams(entry_id): PathParams<i64>,
    PanelForm { panel, form }: PanelForm<Map<String, Value>>,
) -> Response {
    let result = panel
        .run(move |s| {
            let site_id = form_id(&form, "siteId");
            // A draft id here gets its draft's values; update_entry then says it is a draft.
            let (entry_type_id, values) = match s.get_entry(GetEntry {
                entry_id: Id(entry_id),
                site_id: site_id.map(Id),
            })? {
                EntryOrDraft::Entry(entry) => (entry.entry_type_id, entry.attributes),
                EntryOrDraft::Draft(draft) => (draft.entry_type_id, draft.attributes),
            };
            let spec = type_spec(s, entry_type_id)?;
            let data = form_data(&spec, &form, Some(&Value::Object(values)));
            if data.is_empty() {
                return Ok("nothing changed".to_string());
            }
            let updated = s.update_entry(UpdateEntry {
                entry_id: Id(entry_id),
                attribute_and_field_data: JsonObject(data),
                site_id: site_id.map(Id),
                site_ids: None,
            })?;
            Ok(updated.message)
        })
        .await;
    panel.done(result, &entry_path(entry_id))
}

pub(super) async fn new_draft(
    PathParams(entry_id): PathParams<i64>,
    PanelForm { panel, form }: PanelForm<Map<String, Value>>,
) -> Response {
    let result = panel
        .run(move |s| {
            let request: CreateDraft = bind(&form, &[("canonicalId", entry_id)])?;
            let mut draft = s.create_draft(request)?;
            draft.reword(&PanelWords);
            Ok((draft.message, local(&draft.draft.url)))
        })
        .await;
    match result {
        Ok((message, path)) => panel.done(Ok(message), &path),
        Err(error) => panel.done(Err(error), &entry_path(entry_id)),
    }
}

pub(super) async fn edit_draft(
    PathParams(draft_id): PathParams<i64>,
    PanelForm { panel, form }: PanelForm<Map<String, Value>>,
) -> Response {
    let result = panel
        .run(move |s| {
            let view = read_draft(s, draft_id)?;
            let back = draft_path(view.draft.canonical_id, draft_id);
            let data = form_data(&view.spec, &form, Some(&view.values));
            let name = form
                .get("draftName")
                .map(shown)
                .filter(|n| !n.trim().is_empty() && *n != view.draft.draft_name);
            let notes = form
                .get("draftNotes")
                .map(shown)
                .filter(|n| n.as_str() != view.draft.draft_notes.as_deref().unwrap_or_default());
            if data.is_empty() && name.is_none() && notes.is_none() {
                return Ok(("nothing changed".to_string(), back));
            }
            let mut updated = s.update_draft(UpdateDraft {
                draft_id: Id(draft_id),
                attribute_and_field_data: (!data.is_empty()).then_some(JsonObject(data)),
                draft_name: name,
                draft_notes: notes,
                expected_version: expected(&form),
            })?;
            updated.reword(&PanelWords);
            Ok((updated.message, back))
        })
        .await;
    match result {
        Ok((message, back)) => panel.done(Ok(message), &back),
        Err(error) => {
            let back = format!("/cp/entries/new?draftId={draft_id}");
            panel.done(Err(error), &back)
        }
    }
}

pub(super) async fn apply(
    PathParams(draft_id): PathParams<i64>,
    PanelForm { panel, form }: PanelForm<Map<String, Value>>,
) -> Response {
    let result = panel
        .run(move |s| {
            let applied = s.apply_draft(ApplyDraft {
                draft_id: Id(draft_id),
                expected_version: expected(&form),
            })?;
            Ok((applied.message, entry_path(applied.entry.entry_id)))
        })
        .await;
    match result {
        Ok((message, path)) => panel.done(Ok(message), &path),
        Err(error) => panel.done(Err(error), &format!("/cp/entries/new?draftId={draft_id}")),
    }
}

pub(super) async fn delete_draft(
    PathParams(draft_id): PathParams<i64>,
    PanelForm { panel, form }: PanelForm<Map<String, Value>>,
) -> Response {
    let result = panel
        .run(move |s| {
            let deleted = s.delete_draft(DeleteDraft {
                draft_id: Id(draft_id),
                expected_version: expected(&form),
            })?;
            let path = deleted
                .canonical_id
                .map(entry_path)
                .unwrap_or_else(|| "/cp/entries".to_string());
            Ok((deleted.message, path))
        })
        .await;
    match result {
        Ok((message, path)) => panel.done(Ok(message), &path),
        Err(error) => panel.done(Err(error), &format!("/cp/entries/new?draftId={draft_id}")),
    }
}

pub(super) async fn revert(
    PathParams(entry_id): PathParams<i64>,
    PanelForm { panel, form }: PanelForm<Map<String, Value>>,
) -> Response {
    let result = panel
        .run(move |s| {
            let request: RevertEntry = bind(&form, &[("entryId", entry_id)])?;
            let reverted = s.revert_entry(request)?;
            Ok(reverted.message)
        })
        .await;
    panel.done(result, &entry_path(entry_id))
}

/// The Restore button of a trashed entry's page (the `restoreUrl` of `delete_entry`): the
/// same `restore_entry` as MCP and REST.
pub(super) async fn restore(
    PathParams(entry_id): PathParams<i64>,
    PanelForm { panel, form: _ }: PanelForm<Map<String, Value>>,
) -> Response {
    let result = panel
        .run(move |s| {
            let restored = s.restore_entry(RestoreEntry {
                entry_id: Id(entry_id),
            })?;
            Ok(restored.message)
        })
        .await;
    panel.done(result, &entry_path(entry_id))
}
