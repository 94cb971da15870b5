//! Content family operations: sites, sections, entry types, fields, field layouts,
//! entries, drafts, revisions and search.
//!
//! Tool and parameter names follow the Craft CMS MCP plugin (camelCase included) so
//! prompts written for it work unchanged; what it got wrong is fixed here: drafts
//! persist and a draft from scratch stays unpublished until applied, provisional drafts
//! are found by `update_draft`/`apply_draft` like any other, drafts can be listed and
//! deleted, and every write to a live entry is a signed revision (history, revert).
//!
//! Every operation takes one request type, defined next to it (`CreateDraft`,
//! `GetSections`, …): its fields are the tool's parameters, documented for a model, and
//! a field is required exactly when the operation cannot run without it ("canonicalId,
//! or sectionId + entryTypeId" is checked by the operation, not by the schema). The MCP
//! tools, the REST handlers, the CLI and the control panel all build these types.
//!
//! ```
//! use imprint_service::api::{Id, parse};
//! use imprint_service::content::CreateDraft;
//!
//! let request: CreateDraft = parse(serde_json::json!({"canonicalId": "12"})).unwrap();
//! assert_eq!(request.canonical_id, Some(Id(12)));
//! let error = parse::<CreateDraft>(serde_json::json!({"entryId": 12})).unwrap_err();
//! assert!(error.to_string().contains("canonicalId"));
//! ```
//!
//! # Layout
//! - `sites`, `sections`, `entry_types`, `fields`, `layouts`: the content model.
//! - `entries`: create, read, update, delete, restore; the one write path.
//! - `search`: `search_content`.
//! - `drafts`: create, update, apply (three-way merge), list, delete.
//! - `history`: list, read (verified) and revert revisions.
//! - `integrity`: live rows checked against their head revision before use.

mod bulk;
mod drafts;
pub(crate) mod entries;
mod entry_types;
mod fields;
mod history;
pub(crate) mod integrity;
mod layouts;
mod propagation;
mod search;
mod sections;
mod sites;

use imprint_content::layout::Layout;
use imprint_content::{ContentError, FieldDef, FieldType};
use std::borrow::Cow;

use imprint_store::StoreError;
use imprint_store::content::{EntryTypeRow, FieldRow, Impact, SectionRow, SiteRow};
use schemars::{JsonSchema, SchemaGenerator, json_schema};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use crate::Service;
use crate::error::{ServiceError, ServiceResult};
use crate::next::{Hint, NextStep};

pub use drafts::{
    ApplyDraft, CreateDraft, DeleteDraft, DraftApplied, DraftCreated, DraftDeleted, DraftList,
    DraftSummary, DraftUpdated, DraftView, ListDrafts, UpdateDraft,
};
pub use entries::{
    CreateEntry, DeleteEntry, EntryDeleted, EntryOrDraft, EntryRestored, EntryView, EntryWritten,
    GetEntry, RestoreEntry, SeedEntry, UpdateEntry,
};
pub use entry_types::{
    CreateEntryType, DeleteEntryType, EntryTypeDeleted, EntryTypeList, EntryTypeSaved,
    EntryTypeView, GetEntryTypes, PlacedField, UpdateEntryType,
};
pub use fields::{
    CreateField, DeleteField, FieldDeleted, FieldImpact, FieldList, FieldSaved, FieldTypeList,
    FieldView, GetFieldTypes, GetFields, UpdateField,
};
pub use history::{
    EntryReverted, GetRevision, ListRevisions, RevertEntry, RevisionList, RevisionSummary,
    RevisionView,
};
pub use layouts::{
    CreateFieldLayout, FieldLayoutBody, FieldLayoutSaved, FieldLayoutView, GetFieldLayout,
    UpdateFieldLayout,
};
pub use search::{
    MAX_QUERY_BYTES, MAX_QUERY_WORDS, SEARCH_TIME_LIMIT, SearchContent, SearchHitView,
    SearchResults,
};
pub use sections::{
    CreateSection, DeleteSection, GetSections, SectionCreated, SectionDeleted, SectionEntryType,
    SectionList, SectionUpdated, SectionView, UpdateSection,
};
pub use sites::{CreateSite, GetSites, SiteList, SiteSaved, SiteView, UpdateSite};

/// Envelope format of entry revisions, recorded in their metadata.
///
/// Frozen format: an entry revision is an engine envelope (`imprint_engine::envelope`)
/// stored under the document `entry/{entryId}/{siteId}`:
/// `{"artifact_id", "document", "created_at", "signing_key_id", "signature",
/// "payload": {"entryId", "siteId", "sectionId", "entryTypeId", "content"},
/// "metadata": {"format", "generator", "author", "sequence", "action",
/// "parent_artifact_id", "draft_id"?, "draft_name"?, "reverted_to"?}}`, where `content`
/// is `imprint_content::Content::to_json` (custom fields keyed by field id) and
/// `artifact_id` is the SHA-256 of the JCS bytes of `payload`. Changing it is a new
/// format version.
pub const ENTRY_REVISION_FORMAT: &str = "imprint.entry.v1";

/// Default and largest page sizes of listings and search.
const DEFAULT_LIMIT: usize = 10;
const MAX_LIMIT: usize = 100;

impl From<ContentError> for ServiceError {
    fn from(error: ContentError) -> Self {
        match error.1 {
            Some(step) => ServiceError::invalid(error.0).with_hint_inside(
                crate::next::Hint::default().step(crate::next::content_step(step)),
            ),
            None => ServiceError::invalid(error.0),
        }
    }
}

/// A list of JSON objects (`siteSettings`, `tabs`), also accepted as a JSON string of one.
/// Kept as JSON: the operation checks each item and names the key at fault.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct ObjectList(pub Value);

impl JsonSchema for ObjectList {
    fn schema_name() -> Cow<'static, str> {
        "ObjectList".into()
    }

    fn inline_schema() -> bool {
        true
    }

    fn json_schema(_: &mut SchemaGenerator) -> schemars::Schema {
        json_schema!({"type": "array", "items": {"type": "object", "additionalProperties": true}})
    }
}

/// The schema of an operation without parameters: derived, an empty struct's schema has no
/// `properties`, which some clients require.
fn no_parameters() -> schemars::Schema {
    json_schema!({"type": "object", "properties": {}, "additionalProperties": false})
}

pub(crate) fn required_text(
    name: &str,
    value: Option<&str>,
    example: &str,
) -> ServiceResult<String> {
    value
        .map(str::trim)
        .filter(|v| !v.is_empty())
        .map(str::to_string)
        .ok_or_else(|| ServiceError::invalid(format!("{name} is required, e.g. {example}")))
}

/// The way past a delete refused over what it would remove: MCP's old "pass force: true",
/// every other surface the same delete with force, in its words.
pub(crate) fn force_hint(forced: crate::next::NextStep) -> crate::next::Hint {
    use crate::next::Hint;
    Hint::text(": ")
        .either(
            "pass force: true",
            Hint::default().verb().then(" ").step(forced),
        )
        .then(" to go ahead")
}

/// What a delete removed (or, refused, would remove), in rows: an entry in two sites
/// counts twice.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct Removed {
    pub entries: i64,
    pub drafts: i64,
    pub revisions: i64,
}

impl From<Impact> for Removed {
    fn from(impact: Impact) -> Self {
        Removed {
            entries: impact.entries,
            drafts: impact.drafts,
            revisions: impact.revisions,
        }
    }
}

pub(crate) fn impact_json(impact: &Impact) -> Value {
    json!(Removed::from(*impact))
}

pub(crate) fn handle_taken(what: &str, handle: &str, id: i64, list: NextStep) -> ServiceError {
    ServiceError::conflict(format!(
        "handle '{handle}' is taken by {what} {id}: choose another handle"
    ))
    .with_hint(Hint::text(" (").step(list).then(" lists them)"))
}

/// `"{what} does not exist"` with the step that lists what does (`: get_sections lists the
/// sections` in the operations' words).
pub(crate) fn does_not_exist(what: &str, list: NextStep, lists: &str) -> ServiceError {
    ServiceError::not_found(format!("{what} does not exist"))
        .with_hint(Hint::text(": ").step(list).then(lists))
}

/// Store conflicts on structure rows are unique handles (checked first for a good message;
/// this covers a concurrent writer).
pub(crate) fn structure_conflict(error: StoreError, what: &str, handle: &str) -> ServiceError {
    match error {
        StoreError::Conflict(_) => ServiceError::conflict(format!(
            "handle '{handle}' is already used by another {what}: choose another handle"
        )),
        other => other.into(),
    }
}

/// An entry type with its layout and the fields that layout places, ready to validate
/// content against.
#[derive(Debug, Clone)]
pub(crate) struct Schema {
    pub entry_type: EntryTypeRow,
    pub fields: Vec<FieldDef>,
}

impl Schema {
    pub fn needs_title(&self) -> bool {
        self.entry_type.has_title_field
    }
}

pub(crate) fn field_def(row: &FieldRow, required: bool) -> ServiceResult<FieldDef> {
    let field_type = FieldType::parse(&row.field_type).map_err(|e| {
        ServiceError::internal(format!("stored field {} has a bad type: {e}", row.id))
    })?;
    Ok(FieldDef {
        id: row.id,
        handle: row.handle.clone(),
        field_type,
        settings: row.settings.as_object().cloned().unwrap_or_default(),
        required,
        searchable: row.searchable,
    })
}

impl Service {
    pub(crate) fn site_or_primary(&self, site_id: Option<i64>) -> ServiceResult<SiteRow> {
        let sites = self.store().content().sites()?;
        match site_id {
            Some(id) => sites
                .into_iter()
                .find(|s| s.id == id)
                .ok_or_else(|| unknown_site(id)),
            None => sites
                .into_iter()
                .find(|s| s.primary)
                .ok_or_else(|| ServiceError::internal("the store has no primary site")),
        }
    }

    pub(crate) fn section_row(&self, section_id: i64) -> ServiceResult<SectionRow> {
        self.store().content().section(section_id)?.ok_or_else(|| {
            does_not_exist(
                &format!("sectionId {section_id}"),
                NextStep::ListSections,
                " lists the sections",
            )
        })
    }

    pub(crate) fn entry_type_row(&self, entry_type_id: i64) -> ServiceResult<EntryTypeRow> {
        self.store()
            .content()
            .entry_type(entry_type_id)?
            .ok_or_else(|| {
                does_not_exist(
                    &format!("entryTypeId {entry_type_id}"),
                    NextStep::ListEntryTypes,
                    " lists the entry types",
                )
            })
    }

    pub(crate) fn layout_of(&self, layout_id: i64) -> ServiceResult<Layout> {
        let row = self
            .store()
            .content()
            .field_layout(layout_id)?
            .ok_or_else(|| {
                does_not_exist(
                    &format!("fieldLayoutId {layout_id}"),
                    NextStep::ListEntryTypes,
                    " shows each entry type's fieldLayoutId",
                )
            })?;
        serde_json::from_value(Value::Object(
            [("tabs".to_string(), row.tabs)].into_iter().collect(),
        ))
        .map_err(|e| {
            ServiceError::internal(format!(
                "stored field layout {layout_id} is unreadable: {e}"
            ))
        })
    }

    pub(crate) fn schema(&self, entry_type_id: i64) -> ServiceResult<Schema> {
        let entry_type = self.entry_type_row(entry_type_id)?;
        let layout = self.layout_of(entry_type.field_layout_id)?;
        let all = self.store().content().fields()?;
        let mut fields = Vec::new();
        for field_id in layout.field_ids() {
            if let Some(row) = all.iter().find(|f| f.id == field_id) {
                fields.push(field_def(row, layout.is_required(field_id))?);
            }
        }
        Ok(Schema { entry_type, fields })
    }

    /// The control panel page of an entry.
    pub(crate) fn entry_url(&self, entry_id: i64) -> String {
        format!("{}/cp/entries/{entry_id}", self.public_url())
    }

    /// The control panel page of a draft; a draft from scratch has no entry yet, so its
    /// page is `/cp/entries/new?draftId=…`.
    pub(crate) fn draft_url(&self, canonical_id: Option<i64>, draft_id: i64) -> String {
        match canonical_id {
            Some(entry_id) => format!(
                "{}/cp/entries/{entry_id}?draftId={draft_id}",
                self.public_url()
            ),
            None => format!("{}/cp/entries/new?draftId={draft_id}", self.public_url()),
        }
    }
}

pub(crate) fn unknown_site(id: i64) -> ServiceError {
    does_not_exist(
        &format!("siteId {id}"),
        NextStep::ListSites,
        " lists the sites",
    )
}

fn clamp_limit(limit: Option<u32>) -> usize {
    limit
        .map_or(DEFAULT_LIMIT, |n| usize::try_from(n).unwrap_or(MAX_LIMIT))
        .clamp(1, MAX_LIMIT)
}
