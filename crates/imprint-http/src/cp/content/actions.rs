//! The form posts. Each reads its form into the operation's request and calls it; draft
//! forms carry the version they were rendered from as `expectedVersion`, so the store
//! refuses a stale form atomically.

use axum::response::Response;
use imprint_service::api::{Id, JsonObject};
use imprint_service::content::{
    ApplyDraft, CreateDraft, CreateEntry, DeleteDraft, GetEntry, RevertEntry, UpdateDraft,
    UpdateEntry,
};
use serde_json::{Map, Value};

use super::forms::*;
use super::pages::read_draft;
use super::*;
use crate::cp::PanelForm;
use crate::cp::html::text_of;
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
                let draft = s.create_draft(CreateDraft {
                    section_id: section_id.map(Id),
                    entry_type_id: entry_type_id.map(Id),
                    site_id: site_id.map(Id),
                    attribute_and_field_data: Some(data),
                    ..Default::default()
                })?;
                Ok((text_of(&draft["message"]), local(&text_of(&draft["url"]))))
            } else {
                let section_id =
                    section_id.ok_or_else(|| ServiceError::invalid("sectionId is missing"))?;
                let entry = s.create_entry(CreateEntry {
                    section_id: Id(section_id),
                    entry_type_id: entry_type_id.map(Id),
                    site_id: site_id.map(Id),
                    attribute_and_field_data: Some(data),
                })?;
                Ok((text_of(&entry["message"]), local(&text_of(&entry["url"]))))
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
            let entry = s.get_entry(GetEntry {
                entry_id: Id(entry_id),
                site_id: site_id.map(Id),
            })?;
            let spec = type_spec(s, entry["entryTypeId"].as_i64().unwrap_or_default())?;
            let data = form_data(&spec, &form, Some(&entry));
            if data.is_empty() {
                return Ok("nothing changed".to_string());
            }
            let updated = s.update_entry(UpdateEntry {
                entry_id: Id(entry_id),
                attribute_and_field_data: JsonObject(data),
                site_id: site_id.map(Id),
            })?;
            Ok(text_of(&updated["message"]))
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
            let draft = s.create_draft(request)?;
            Ok((text_of(&draft["message"]), local(&text_of(&draft["url"]))))
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
            let back = draft_path(view.draft["canonicalId"].as_i64(), draft_id);
            let data = form_data(&view.spec, &form, Some(&view.draft));
            let name = form
                .get("draftName")
                .map(shown)
                .filter(|n| !n.trim().is_empty() && *n != text_of(&view.draft["draftName"]));
            let notes = form
                .get("draftNotes")
                .map(shown)
                .filter(|n| *n != shown(&view.draft["draftNotes"]));
            if data.is_empty() && name.is_none() && notes.is_none() {
                return Ok(("nothing changed".to_string(), back));
            }
            let updated = s.update_draft(UpdateDraft {
                draft_id: Id(draft_id),
                attribute_and_field_data: (!data.is_empty()).then_some(JsonObject(data)),
                draft_name: name,
                draft_notes: notes,
                expected_version: expected(&form),
            })?;
            Ok((text_of(&updated["message"]), back))
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
            let path = applied["entryId"]
                .as_i64()
                .map(entry_path)
                .or_else(|| applied["url"].as_str().map(local))
                .unwrap_or_else(|| "/cp/entries".to_string());
            Ok((text_of(&applied["message"]), path))
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
            Ok(text_of(&reverted["message"]))
        })
        .await;
    panel.done(result, &entry_path(entry_id))
}
