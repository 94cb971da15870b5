//! Drafts: persistent working copies of an entry in one site (or of a new entry, "from
//! scratch"). A draft records the head revision it was forked from; applying it when
//! the entry moved on is a three-way merge per attribute and field, and a field changed
//! differently on both sides is a conflict reported by name, with nothing written.
//!
//! `update_draft` of a stale draft takes in the entry's other changes (a rebase), with
//! the fields it sets winning: that is how a conflict is resolved.

use imprint_content::Content;
use imprint_content::entry::{Merge, merge};
use imprint_engine::timestamp;
use imprint_store::StoreError;
use imprint_store::content::{DraftFilter, EntryDraftRow, EntryDraftUpdate};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value, json};

use super::entries::{
    EntryView, LiveWrite, busy, check_enabled_for_site, document, row_content, trashed,
};
use super::{Schema, clamp_limit};
use crate::api::{Flag, Id, JsonObject};
use crate::error::{ServiceError, ServiceResult};
use crate::next::{Hint, NextStep, ToolWords};
use crate::revisions::MAX_RETRIES;
use crate::{Service, now_millis};

/// `create_draft`: of an existing entry (`canonicalId`) or of a new one (`sectionId` +
/// `entryTypeId`). Both shapes are optional here because either may be given; the
/// operation checks that exactly one is.
#[derive(Debug, Clone, Default, Deserialize, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct CreateDraft {
    /// For a draft of a new entry ("from scratch"): its section. Give sectionId (+ entryTypeId), or canonicalId, not both.
    pub section_id: Option<Id>,
    /// For a draft of a new entry: its entry type (default: the section's first).
    pub entry_type_id: Option<Id>,
    /// For a draft of an existing entry: that entry's id. Give canonicalId, or sectionId (+ entryTypeId), not both.
    pub canonical_id: Option<Id>,
    /// Name of the draft (default "Draft N").
    pub draft_name: Option<String>,
    /// Notes about what the draft changes.
    pub draft_notes: Option<String>,
    /// A provisional (auto-save) draft: at most one per entry and creator. Default false (a regular draft).
    pub provisional: Option<Flag>,
    /// The site (default: the primary site).
    pub site_id: Option<Id>,
    /// Initial content, overlaid on the entry's current content: native attributes and field handles, flat.
    pub attribute_and_field_data: Option<JsonObject>,
}

/// `update_draft`: PATCH a draft.
#[derive(Debug, Clone, Deserialize, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct UpdateDraft {
    /// The draft to change (regular or provisional; create_draft returned it, list_drafts lists them).
    pub draft_id: Id,
    /// Only the keys given change (null clears one): native attributes and field handles, flat.
    pub attribute_and_field_data: Option<JsonObject>,
    /// New name of the draft.
    pub draft_name: Option<String>,
    /// New notes of the draft.
    pub draft_notes: Option<String>,
    /// Change the draft only if it is still at this draftVersion (else a conflict); omit to skip the check.
    pub expected_version: Option<i64>,
}

/// `apply_draft`: make a draft live.
#[derive(Debug, Clone, Deserialize, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ApplyDraft {
    /// The draft to apply (list_drafts lists them).
    pub draft_id: Id,
    /// Apply only if the draft is still at this draftVersion (else a conflict); omit to skip the check.
    pub expected_version: Option<i64>,
}

/// `delete_draft`.
#[derive(Debug, Clone, Deserialize, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct DeleteDraft {
    /// The draft to delete (list_drafts lists them).
    pub draft_id: Id,
    /// Delete only if the draft is still at this draftVersion (else a conflict); omit to skip the check.
    pub expected_version: Option<i64>,
}

/// The answer of `delete_draft`.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct DraftDeleted {
    pub draft_id: i64,
    /// The entry it was a draft of (`null` for a draft from scratch).
    pub canonical_id: Option<i64>,
    pub deleted: bool,
    pub message: String,
}

/// `list_drafts`: drafts under the filters given, oldest first.
#[derive(Debug, Clone, Default, Deserialize, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ListDrafts {
    /// Drafts of this entry.
    pub canonical_id: Option<Id>,
    /// Drafts in this site.
    pub site_id: Option<Id>,
    /// Drafts in this section.
    pub section_id: Option<Id>,
    /// Only provisional (true) or only regular (false) drafts.
    pub provisional: Option<Flag>,
    /// Only drafts made by this creator.
    pub creator: Option<String>,
    /// Only drafts of new entries (from scratch).
    pub from_scratch: Option<Flag>,
    /// At most this many, oldest first (default 50, at most 100).
    pub limit: Option<u32>,
}

fn draft_content(draft: &EntryDraftRow) -> ServiceResult<Content> {
    Ok(Content::from_json(&draft.content)?)
}

/// Sets, in `theirs`, the attributes and fields `data` names to their values in `ours`:
/// the caller's explicit choice wins a conflict.
fn take_ours(theirs: &mut Content, ours: &Content, data: &Map<String, Value>, schema: &Schema) {
    for key in data.keys() {
        match key.as_str() {
            "title" => theirs.title = ours.title.clone(),
            "slug" => theirs.slug = ours.slug.clone(),
            "postDate" => theirs.post_date = ours.post_date,
            "expiryDate" => theirs.expiry_date = ours.expiry_date,
            "enabled" => theirs.enabled = ours.enabled,
            handle => {
                if let Some(field) = schema.fields.iter().find(|f| f.handle == handle) {
                    match ours.fields.get(&field.id) {
                        Some(value) => {
                            theirs.fields.insert(field.id, value.clone());
                        }
                        None => {
                            theirs.fields.remove(&field.id);
                        }
                    }
                }
            }
        }
    }
}

/// A draft as `get_entry` and the draft operations show it.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct DraftView {
    pub draft_id: i64,
    pub id: i64,
    /// Always true here (an [`EntryView`](super::EntryView) says false).
    pub is_draft: bool,
    /// The entry it drafts changes to; null for a draft from scratch.
    pub canonical_id: Option<i64>,
    /// The same as `canonicalId`, under the name the entry view uses.
    pub entry_id: Option<i64>,
    pub site_id: i64,
    pub section_id: i64,
    pub entry_type_id: i64,
    pub draft_name: String,
    pub draft_notes: Option<String>,
    pub provisional: bool,
    pub creator: Option<String>,
    /// The entry's revision the draft was forked from (the merge base).
    pub base_revision: Option<i64>,
    /// Changes with every update; HTTP sends it as the `ETag`.
    pub draft_version: i64,
    /// Always "draft".
    pub status: String,
    pub date_created: String,
    pub date_updated: String,
    /// `title`, `slug`, `postDate`, `expiryDate`, `enabled`, then the custom fields of the
    /// entry type's layout by handle (free-form values).
    #[serde(flatten)]
    pub attributes: Map<String, Value>,
    pub url: String,
}

/// The answer of `create_draft`.
#[derive(Debug, Clone, Serialize)]
pub struct DraftCreated {
    #[serde(flatten)]
    pub draft: DraftView,
    pub message: String,
    /// What can follow, as data (`message` says it in words).
    pub next: Hint,
}

/// The answer of `update_draft`.
#[derive(Debug, Clone, Serialize)]
pub struct DraftUpdated {
    #[serde(flatten)]
    pub draft: DraftView,
    /// Whether the draft took in changes made to its entry since it was forked.
    pub rebased: bool,
    pub message: String,
    /// What can follow, as data (`message` says it in words).
    pub next: Hint,
}

/// The answer of `apply_draft`: the live entry as written, then the draft applied.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct DraftApplied {
    #[serde(flatten)]
    pub entry: EntryView,
    pub draft_id: i64,
    pub applied: bool,
    /// Whether the draft was merged with changes made to the entry meanwhile.
    pub merged: bool,
    pub artifact_id: String,
    pub message: String,
}

/// One draft as `list_drafts` shows it.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct DraftSummary {
    pub draft_id: i64,
    pub canonical_id: Option<i64>,
    pub site_id: i64,
    pub section_id: i64,
    pub entry_type_id: i64,
    pub draft_name: String,
    pub draft_notes: Option<String>,
    pub provisional: bool,
    pub creator: Option<String>,
    /// As stored in the draft's content (null when it has none).
    pub title: Option<Value>,
    pub base_revision: Option<i64>,
    pub date_created: String,
    pub date_updated: String,
    pub url: String,
}

/// The answer of `list_drafts`.
#[derive(Debug, Clone, Serialize)]
pub struct DraftList {
    pub drafts: Vec<DraftSummary>,
    pub count: usize,
}

impl Service {
    /// How `get_entry` and the draft tools show a draft.
    pub(crate) fn draft_view(&self, draft: &EntryDraftRow) -> ServiceResult<DraftView> {
        let schema = self.schema(draft.entry_type_id)?;
        let content = draft_content(draft)?;
        Ok(DraftView {
            draft_id: draft.id,
            id: draft.id,
            is_draft: true,
            canonical_id: draft.canonical_id,
            entry_id: draft.canonical_id,
            site_id: draft.site_id,
            section_id: draft.section_id,
            entry_type_id: draft.entry_type_id,
            draft_name: draft.name.clone(),
            draft_notes: draft.notes.clone(),
            provisional: draft.provisional,
            creator: draft.creator.clone(),
            base_revision: draft.base_seq,
            draft_version: draft.version,
            status: "draft".into(),
            date_created: timestamp::rfc3339_millis(draft.created_at),
            date_updated: timestamp::rfc3339_millis(draft.updated_at),
            attributes: content.attributes(&schema.fields),
            url: self.draft_url(draft.canonical_id, draft.id),
        })
    }

    /// The draft with `id`, or an error saying what the id is instead.
    /// A draft's row; an id that is a live entry's is refused naming `for_entries`, the step
    /// that does the same to an entry, or drafting it.
    fn draft_row(&self, draft_id: i64, for_entries: NextStep) -> ServiceResult<EntryDraftRow> {
        if let Some(draft) = self.store().content().entry_draft(draft_id)? {
            return Ok(draft);
        }
        if !self.store().content().entry_sites(draft_id)?.is_empty() {
            let as_tools = format!(
                "{} with entryId {draft_id}",
                crate::next::tool_name(&for_entries)
            );
            return Err(
                ServiceError::invalid(format!("{draft_id} is a live entry, not a draft"))
                    .with_hint(
                        Hint::text(": use ")
                            .either(&as_tools, Hint::default().step(for_entries))
                            .then(", or ")
                            .either(
                                &format!("create_draft with canonicalId {draft_id}"),
                                Hint::default().step(NextStep::CreateDraft {
                                    canonical_id: Some(draft_id),
                                }),
                            )
                            .then(" to draft changes"),
                    ),
            );
        }
        Err(ServiceError::not_found(format!(
            "draftId {draft_id} does not exist (applied or deleted?)"
        ))
        .with_hint(
            Hint::text(": ")
                .step(NextStep::ListDrafts)
                .then(" shows the drafts"),
        ))
    }

    pub fn create_draft(&self, input: CreateDraft) -> ServiceResult<DraftCreated> {
        let data = input
            .attribute_and_field_data
            .unwrap_or_default()
            .into_inner();
        let provisional = input.provisional.is_some_and(|f| f.0);
        let creator = self.actor().to_string();
        let now = now_millis();
        let site_id = input.site_id.map(Id::get);
        let section_id = input.section_id.map(Id::get);
        let entry_type_id = input.entry_type_id.map(Id::get);
        let (mut row, schema) = match (
            input.canonical_id.map(Id::get),
            section_id.or(entry_type_id),
        ) {
            (Some(_), Some(_)) => {
                return Err(ServiceError::invalid(
                    "pass either canonicalId (to draft changes to an existing entry) or sectionId + entryTypeId (to draft a new entry), not both",
                ));
            }
            (None, None) => {
                return Err(ServiceError::invalid(
                    "pass canonicalId (the entry to draft changes to) or sectionId + entryTypeId (to draft a new entry from scratch)",
                ));
            }
            (Some(canonical_id), None) => {
                let rows = self.entry_rows(
                    canonical_id,
                    NextStep::UpdateDraft {
                        draft_id: canonical_id,
                    },
                )?;
                if rows.iter().all(|r| r.deleted_at.is_some()) {
                    return Err(trashed(canonical_id));
                }
                let site = self.site_or_primary(site_id)?;
                let (source, base_seq) = match rows.iter().find(|r| r.site_id == site.id) {
                    Some(row) => (row.clone(), Some(row.head_seq)),
                    // Not in this site yet: start from the entry's content elsewhere; the
                    // draft adds the site when applied.
                    None => {
                        let section = self.section_row(rows[0].section_id)?;
                        check_enabled_for_site(&section, &site)?;
                        (self.pick_site_row(canonical_id, rows, None)?, None)
                    }
                };
                if provisional {
                    let existing = self.store().content().entry_drafts(&DraftFilter {
                        canonical_id: Some(canonical_id),
                        creator: Some(creator.clone()),
                        provisional: Some(true),
                        limit: 1,
                        ..Default::default()
                    })?;
                    if let Some(existing) = existing.first() {
                        return Err(provisional_exists(canonical_id, &creator, existing.id));
                    }
                }
                self.check_live_row(&source)?;
                let schema = self.schema(source.entry_type_id)?;
                let mut content = row_content(&source)?;
                content.apply_input(&data, &schema.fields)?;
                let row = EntryDraftRow {
                    id: 0,
                    canonical_id: Some(canonical_id),
                    site_id: site.id,
                    section_id: source.section_id,
                    entry_type_id: source.entry_type_id,
                    name: String::new(),
                    notes: None,
                    creator: Some(creator.clone()),
                    provisional,
                    base_seq,
                    content: content.to_json(),
                    version: 1,
                    created_at: now,
                    updated_at: now,
                };
                (row, schema)
            }
            (None, Some(_)) => {
                let section_id = section_id.ok_or_else(|| {
                    ServiceError::invalid(
                        "sectionId is required with entryTypeId for a draft from scratch",
                    )
                })?;
                let (section, schema, site) =
                    self.new_entry_context(section_id, entry_type_id, site_id)?;
                if section.kind == "single" {
                    let existing = self.store().content().first_entry_id(section.id, site.id)?;
                    return Err(ServiceError::invalid(format!(
                        "section '{}' is a single: it has one entry; draft changes to it with canonicalId{}",
                        section.handle,
                        existing.map(|id| format!(" {id}")).unwrap_or_default()
                    )));
                }
                let content = self.new_content(&section, &site, &schema, &data)?;
                let row = EntryDraftRow {
                    id: 0,
                    canonical_id: None,
                    site_id: site.id,
                    section_id: section.id,
                    entry_type_id: schema.entry_type.id,
                    name: String::new(),
                    notes: None,
                    creator: Some(creator.clone()),
                    provisional,
                    base_seq: None,
                    content: content.to_json(),
                    version: 1,
                    created_at: now,
                    updated_at: now,
                };
                (row, schema)
            }
        };
        row.notes = input.draft_notes.filter(|n| !n.is_empty());
        row.name = match input
            .draft_name
            .map(|n| n.trim().to_string())
            .filter(|n| !n.is_empty())
        {
            Some(name) => name,
            None => format!(
                "Draft {}",
                self.store()
                    .content()
                    .count_entry_drafts(row.canonical_id)?
                    + 1
            ),
        };
        row.id = match self.store().content().insert_entry_draft(&row) {
            Ok(id) => id,
            Err(StoreError::Conflict(_)) if provisional => {
                let canonical_id = row.canonical_id.unwrap_or_default();
                let existing = self.store().content().entry_drafts(&DraftFilter {
                    canonical_id: row.canonical_id,
                    creator: Some(creator.clone()),
                    provisional: Some(true),
                    limit: 1,
                    ..Default::default()
                })?;
                return Err(provisional_exists(
                    canonical_id,
                    &creator,
                    existing.first().map_or(0, |d| d.id),
                ));
            }
            Err(e) => return Err(e.into()),
        };
        let _ = &schema;
        // a new entry's note names applying without a step of its own (the step follows)
        let of = match row.canonical_id {
            Some(id) => Hint::text(&format!(" of entry {id}")),
            None => Hint::text(
                " of a new entry (from scratch: not live, not searchable; canonicalId stays null until ",
            )
            .either("apply_draft", Hint::text("applying the draft"))
            .then(
                " creates the entry, unlike the Craft plugin, which published such drafts at once)",
            ),
        };
        let next = of
            .then("; nothing is live until ")
            .step(NextStep::ApplyDraft { draft_id: row.id })
            .then(". Change it with ")
            .step(NextStep::UpdateDraft { draft_id: row.id });
        Ok(DraftCreated {
            draft: self.draft_view(&row)?,
            message: format!(
                "created {}draft {} ('{}'){}; show the user {}",
                if provisional { "provisional " } else { "" },
                row.id,
                row.name,
                next.word(&ToolWords),
                self.draft_url(row.canonical_id, row.id)
            ),
            next,
        })
    }

    /// With `expectedVersion` (HTTP `If-Match`, the panel's form) the store checks the
    /// version atomically and a stale one is a conflict, never retried onto newer content.
    pub fn update_draft(&self, request: UpdateDraft) -> ServiceResult<DraftUpdated> {
        let UpdateDraft {
            draft_id,
            attribute_and_field_data,
            draft_name,
            draft_notes,
            expected_version,
        } = request;
        let draft_id = draft_id.get();
        let stale = |current: i64| stale_draft(draft_id, expected_version, current);
        let data = attribute_and_field_data.unwrap_or_default().into_inner();
        self.draft_row(draft_id, NextStep::UpdateEntry { entry_id: draft_id })?;
        if data.is_empty() && draft_name.is_none() && draft_notes.is_none() {
            return Err(ServiceError::invalid(
                "nothing to change: pass attributeAndFieldData, draftName or draftNotes",
            ));
        }
        let name = match draft_name.map(|n| n.trim().to_string()) {
            Some(name) if name.is_empty() => {
                return Err(ServiceError::invalid("draftName cannot be empty"));
            }
            other => other,
        };
        for _ in 0..MAX_RETRIES {
            let draft = self.draft_row(draft_id, NextStep::UpdateEntry { entry_id: draft_id })?;
            if expected_version.is_some_and(|v| v != draft.version) {
                return Err(stale(draft.version));
            }
            let schema = self.schema(draft.entry_type_id)?;
            let mut content = draft_content(&draft)?;
            content.apply_input(&data, &schema.fields)?;
            let (content, base_seq, rebased) = self.rebase(&draft, content, &data, &schema)?;
            let update = EntryDraftUpdate {
                expected_version: draft.version,
                content: (!data.is_empty() || rebased).then(|| content.to_json()),
                name: name.clone(),
                notes: draft_notes
                    .clone()
                    .map(|n| Some(n).filter(|n| !n.is_empty())),
                base_seq: rebased.then_some(base_seq),
                now: now_millis(),
            };
            match self.store().content().update_entry_draft(draft_id, &update) {
                Ok(_) => {
                    let draft =
                        self.draft_row(draft_id, NextStep::UpdateEntry { entry_id: draft_id })?;
                    let next = Hint::text("; ")
                        .step(NextStep::ApplyDraft { draft_id })
                        .then(" makes it live");
                    return Ok(DraftUpdated {
                        draft: self.draft_view(&draft)?,
                        rebased,
                        message: format!(
                            "updated draft {draft_id}{}{}; show the user {}",
                            if rebased {
                                " and took in the entry's newer changes"
                            } else {
                                ""
                            },
                            next.word(&ToolWords),
                            self.draft_url(draft.canonical_id, draft_id)
                        ),
                        next,
                    });
                }
                Err(StoreError::Conflict(_)) if expected_version.is_some() => {
                    let current = self
                        .draft_row(draft_id, NextStep::UpdateEntry { entry_id: draft_id })?
                        .version;
                    return Err(stale(current));
                }
                Err(StoreError::Conflict(_)) => continue,
                Err(StoreError::NotFound) => {
                    return Err(ServiceError::not_found(format!(
                        "draft {draft_id} was applied or deleted meanwhile"
                    )));
                }
                Err(e) => return Err(e.into()),
            }
        }
        Err(busy())
    }

    /// For a draft whose entry moved on: merges the entry's changes into the draft (the
    /// fields in `data` win) and moves its base to the head. Leaves the draft as it is
    /// if other fields conflict (apply_draft then reports them).
    fn rebase(
        &self,
        draft: &EntryDraftRow,
        ours: Content,
        data: &Map<String, Value>,
        schema: &Schema,
    ) -> ServiceResult<(Content, Option<i64>, bool)> {
        let Some(canonical_id) = draft.canonical_id else {
            return Ok((ours, draft.base_seq, false));
        };
        let Some(head) = self.store().content().entry(canonical_id, draft.site_id)? else {
            return Ok((ours, draft.base_seq, false));
        };
        if draft.base_seq == Some(head.head_seq) || data.is_empty() {
            return Ok((ours, draft.base_seq, false));
        }
        self.check_live_row(&head)?;
        let base = self.base_content(canonical_id, draft)?;
        let mut theirs = row_content(&head)?;
        take_ours(&mut theirs, &ours, data, schema);
        match merge(&base, &ours, &theirs, &schema.fields)? {
            Merge::Merged(merged) => Ok((merged, Some(head.head_seq), true)),
            Merge::Conflicts(_) => Ok((ours, draft.base_seq, false)),
        }
    }

    /// The content the draft was forked from (its base revision, verified).
    fn base_content(&self, canonical_id: i64, draft: &EntryDraftRow) -> ServiceResult<Content> {
        let Some(base_seq) = draft.base_seq else {
            return Ok(Content::default());
        };
        let revision = self
            .store()
            .revision(&document(canonical_id, draft.site_id), base_seq)?
            .ok_or_else(|| {
                ServiceError::internal(format!(
                    "revision {base_seq} of entry {canonical_id}, the base of draft {}, is missing",
                    draft.id
                ))
            })?;
        self.verify_revision(&revision)?;
        let content = revision
            .envelope
            .pointer("/payload/content")
            .cloned()
            .unwrap_or(Value::Null);
        Ok(Content::from_json(&content)?)
    }

    /// With `expectedVersion` (HTTP `If-Match`, the panel's form) the store checks the
    /// draft's version in the applying transaction; a stale one is a conflict, never retried.
    pub fn apply_draft(&self, request: ApplyDraft) -> ServiceResult<DraftApplied> {
        self.apply_draft_with(request, &Map::new())
    }

    /// [`Self::apply_draft`] with more signed metadata (who asked and who approved).
    pub(crate) fn apply_draft_with(
        &self,
        request: ApplyDraft,
        review: &Map<String, Value>,
    ) -> ServiceResult<DraftApplied> {
        let (draft_id, expected_version) = (request.draft_id.get(), request.expected_version);
        for _ in 0..MAX_RETRIES {
            let draft = self.draft_row(draft_id, NextStep::UpdateEntry { entry_id: draft_id })?;
            if expected_version.is_some_and(|v| v != draft.version) {
                return Err(stale_draft(draft_id, expected_version, draft.version));
            }
            let schema = self.schema(draft.entry_type_id)?;
            let section = self.section_row(draft.section_id)?;
            let site = self.site_or_primary(Some(draft.site_id))?;
            let ours = draft_content(&draft)?;
            let mut extra = Map::new();
            extra.insert("draft_id".into(), json!(draft.id));
            extra.insert("draft_name".into(), json!(draft.name));
            extra.extend(review.clone());
            let (previous, content, merged) = match draft.canonical_id {
                None => (None, ours, false),
                Some(canonical_id) => {
                    let rows = self.store().content().entry_sites(canonical_id)?;
                    if rows.is_empty() {
                        return Err(ServiceError::not_found(format!(
                            "entry {canonical_id}, the canonical of draft {draft_id}, was deleted"
                        ))
                        .with_hint(
                            Hint::text(": ")
                                .step(NextStep::DeleteDraft { draft_id })
                                .then(" removes the draft"),
                        ));
                    }
                    if rows.iter().all(|r| r.deleted_at.is_some()) {
                        return Err(trashed(canonical_id));
                    }
                    let head = rows.into_iter().find(|r| r.site_id == draft.site_id);
                    if let Some(row) = &head {
                        self.check_live_row(row)?;
                    }
                    match &head {
                        Some(row) if draft.base_seq != Some(row.head_seq) => {
                            let base = self.base_content(canonical_id, &draft)?;
                            let theirs = row_content(row)?;
                            match merge(&base, &ours, &theirs, &schema.fields)? {
                                Merge::Merged(content) => (head, content, true),
                                Merge::Conflicts(names) => {
                                    return Err(ServiceError::conflict(format!(
                                        "draft {draft_id} conflicts with changes made to entry {canonical_id} since the draft was created (revision {} → {}): {} changed on both sides; nothing was written.",
                                        draft.base_seq.map_or_else(|| "none".into(), |b| b.to_string()),
                                        row.head_seq,
                                        names.join(", ")
                                    ))
                                    .with_hint(
                                        Hint::text(" ")
                                            .either(
                                                &format!("get_entry {canonical_id}"),
                                                Hint::default().step(NextStep::GetEntry {
                                                    entry_id: canonical_id,
                                                }),
                                            )
                                            .then(" shows the live values; ")
                                            .either(
                                                "update_draft the conflicting fields",
                                                Hint::default()
                                                    .step(NextStep::UpdateDraft { draft_id })
                                                    .then(" with the conflicting fields"),
                                            )
                                            .then(" to the values you want, then ")
                                            .step(NextStep::ApplyDraft { draft_id })
                                            .then(" again"),
                                    )
                                    .with_details(json!({
                                        "conflicts": names,
                                        "baseRevision": draft.base_seq,
                                        "headRevision": row.head_seq,
                                    })));
                                }
                            }
                        }
                        _ => (head, ours, false),
                    }
                }
            };
            let write = LiveWrite {
                entry_id: draft.canonical_id,
                site: &site,
                section: &section,
                schema: &schema,
                content,
                previous: previous.as_ref(),
                draft: Some((draft.id, draft.version)),
                action: "apply_draft",
                extra,
                check_required: true,
                author: None,
            };
            if let Some(saved) = self.write_propagated(write, &[])? {
                let (written, propagated) = (saved.written, saved.sites);
                let entry_id = written.row.entry_id;
                let message = format!(
                    "applied draft {draft_id}: {} entry {entry_id} (revision {}){}{}; the draft is gone. Show the user {}",
                    if draft.canonical_id.is_some() {
                        "updated"
                    } else {
                        "created"
                    },
                    written.row.head_seq,
                    if merged {
                        ", merged with changes made to the entry meanwhile"
                    } else {
                        ""
                    },
                    super::entries::propagated_note(&propagated, &section),
                    self.entry_url(entry_id)
                );
                return Ok(DraftApplied {
                    entry: self.written_view(&written, &schema)?,
                    draft_id,
                    applied: true,
                    merged,
                    artifact_id: written.revision.artifact_id.clone(),
                    message,
                });
            }
            // Lost a race: if it was the draft that moved, the expectation is stale; if only
            // the entry moved, the next round merges again.
            if expected_version.is_some() {
                let current = self
                    .draft_row(draft_id, NextStep::UpdateEntry { entry_id: draft_id })?
                    .version;
                if Some(current) != expected_version {
                    return Err(stale_draft(draft_id, expected_version, current));
                }
            }
        }
        Err(busy())
    }

    pub fn list_entry_drafts(&self, input: ListDrafts) -> ServiceResult<DraftList> {
        let canonical_id = input.canonical_id.map(Id::get);
        let site_id = input.site_id.map(Id::get);
        if let Some(canonical_id) = canonical_id {
            self.entry_rows(
                canonical_id,
                NextStep::GetEntry {
                    entry_id: canonical_id,
                },
            )?;
        }
        if let Some(site_id) = site_id {
            self.site_or_primary(Some(site_id))?;
        }
        let drafts = self.store().content().entry_drafts(&DraftFilter {
            canonical_id,
            from_scratch: input.from_scratch.is_some_and(|f| f.0),
            site_id,
            section_id: input.section_id.map(Id::get),
            creator: input.creator.filter(|c| !c.is_empty()),
            provisional: input.provisional.map(|f| f.0),
            limit: clamp_limit(input.limit.or(Some(50))),
        })?;
        let listed: Vec<DraftSummary> = drafts
            .iter()
            .map(|d| DraftSummary {
                draft_id: d.id,
                canonical_id: d.canonical_id,
                site_id: d.site_id,
                section_id: d.section_id,
                entry_type_id: d.entry_type_id,
                draft_name: d.name.clone(),
                draft_notes: d.notes.clone(),
                provisional: d.provisional,
                creator: d.creator.clone(),
                title: d.content.get("title").cloned(),
                base_revision: d.base_seq,
                date_created: timestamp::rfc3339_millis(d.created_at),
                date_updated: timestamp::rfc3339_millis(d.updated_at),
                url: self.draft_url(d.canonical_id, d.id),
            })
            .collect();
        Ok(DraftList {
            count: listed.len(),
            drafts: listed,
        })
    }

    /// With `expectedVersion` (HTTP `If-Match`, the panel's form) the deleting statement
    /// itself checks the version.
    pub fn delete_draft(&self, request: DeleteDraft) -> ServiceResult<DraftDeleted> {
        let (draft_id, expected_version) = (request.draft_id.get(), request.expected_version);
        let draft = self.draft_row(draft_id, NextStep::DeleteEntry { entry_id: draft_id })?;
        match expected_version {
            Some(version) => {
                if !self
                    .store()
                    .content()
                    .delete_entry_draft_at(draft_id, version)?
                {
                    let current = self
                        .draft_row(draft_id, NextStep::DeleteEntry { entry_id: draft_id })?
                        .version;
                    return Err(stale_draft(draft_id, expected_version, current));
                }
            }
            None => {
                self.store().content().delete_entry_draft(draft_id)?;
            }
        }
        Ok(DraftDeleted {
            draft_id,
            canonical_id: draft.canonical_id,
            deleted: true,
            message: format!(
                "deleted draft {draft_id} ('{}'); the live entry is unchanged",
                draft.name
            ),
        })
    }
}

fn provisional_exists(canonical_id: i64, creator: &str, draft_id: i64) -> ServiceError {
    ServiceError::conflict(format!(
        "entry {canonical_id} already has a provisional draft by {creator} (draftId {draft_id})"
    ))
    .with_hint(
        Hint::text(": change it with ")
            .step(NextStep::UpdateDraft { draft_id })
            .then(", or create a regular draft (provisional: false)"),
    )
    .with_details(json!({"draftId": draft_id}))
}

/// A draft write that named a version the draft has moved past.
fn stale_draft(draft_id: i64, expected_version: Option<i64>, current: i64) -> ServiceError {
    ServiceError::conflict(format!(
        "draft {draft_id} is at version {current}, not {}: read it again, review, and retry with its current version",
        expected_version.unwrap_or_default()
    ))
    .with_details(json!({"expected_version": expected_version, "current_version": current}))
}

crate::next::worded!(DraftCreated, DraftUpdated);
