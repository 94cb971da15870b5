//! Arguments of the content tools. Names are the Craft CMS MCP plugin's, camelCase
//! included, so prompts written for it work unchanged. Doc comments become the
//! descriptions a model reads.
//!
//! Every field is optional at the schema level and ids are taken as JSON values (an
//! integer, or a string holding one, as models send both): the service reports a missing
//! or malformed value as a tool error naming the parameter and the fix.

use schemars::JsonSchema;
use serde::Deserialize;
use serde_json::Value;

pub(crate) use crate::params::object_or_string;

pub(crate) fn id_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
    schemars::json_schema!({"type": "integer"})
}

pub(crate) fn ids_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
    schemars::json_schema!({"type": "array", "items": {"type": "integer"}})
}

pub(crate) fn objects_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
    schemars::json_schema!({"type": "array", "items": {"type": "object", "additionalProperties": true}})
}

#[derive(Debug, Deserialize, JsonSchema, Default)]
#[serde(rename_all = "camelCase")]
pub struct SiteArgs {
    /// The site to change (update_site only; get_sites lists them).
    #[schemars(schema_with = "id_schema")]
    pub site_id: Option<Value>,
    /// Display name, e.g. "French".
    pub name: Option<String>,
    /// Handle: a letter, then letters, digits or '_' (default: derived from the name).
    pub handle: Option<String>,
    /// Language tag, e.g. "fr-FR" (default "en-US").
    pub language: Option<String>,
    /// The site's base URL, e.g. "https://example.com/fr/" (empty string clears it).
    pub base_url: Option<String>,
    /// Make this the primary site (exactly one site is primary; the previous one stops being it).
    pub primary: Option<bool>,
}

#[derive(Debug, Deserialize, JsonSchema, Default)]
#[serde(rename_all = "camelCase")]
pub struct SectionIdsArgs {
    /// Only these sections (default: all).
    #[schemars(schema_with = "ids_schema")]
    pub section_ids: Option<Value>,
}

#[derive(Debug, Deserialize, JsonSchema, Default)]
#[serde(rename_all = "camelCase")]
pub struct SectionArgs {
    /// The section to change (update_section only).
    #[schemars(schema_with = "id_schema")]
    pub section_id: Option<Value>,
    /// Display name, e.g. "Blog".
    pub name: Option<String>,
    /// "single" (one entry, e.g. a home page), "channel" (a stream of entries, the default) or "structure" (ordered entries).
    #[serde(rename = "type")]
    pub kind: Option<String>,
    /// Entry types entries of this section may use (at least one; get_entry_types lists them). The first is the default.
    #[schemars(schema_with = "ids_schema")]
    pub entry_type_ids: Option<Value>,
    /// Handle (default: derived from the name).
    pub handle: Option<String>,
    /// Per-site settings: [{"siteId": 1, "enabledByDefault": true, "hasUrls": true, "uriFormat": "blog/{slug}", "template": "blog/_entry"}]. URI formats default to "{handle}" for singles and "{handle}/{slug}" otherwise; tokens: {slug}, {id}, {section.handle}, {type.handle}, {postDate|date('Y')}, {postDate|date('m')}, {postDate|date('d')}.
    #[schemars(schema_with = "objects_schema")]
    pub site_settings: Option<Value>,
    /// Structure sections: the deepest nesting level (0 or omitted: unlimited).
    pub max_levels: Option<i64>,
    /// Keep revisions (default true; Imprint signs a revision for every write regardless).
    pub enable_versioning: Option<bool>,
}

#[derive(Debug, Deserialize, JsonSchema, Default)]
#[serde(rename_all = "camelCase")]
pub struct DeleteSectionArgs {
    #[schemars(schema_with = "id_schema")]
    pub section_id: Option<Value>,
    /// Delete even though entries, drafts and revisions would be deleted with it (the error without it reports how many).
    pub force: Option<bool>,
}

#[derive(Debug, Deserialize, JsonSchema, Default)]
#[serde(rename_all = "camelCase")]
pub struct EntryTypeIdsArgs {
    /// Only these entry types (default: all).
    #[schemars(schema_with = "ids_schema")]
    pub entry_type_ids: Option<Value>,
}

#[derive(Debug, Deserialize, JsonSchema, Default)]
#[serde(rename_all = "camelCase")]
pub struct EntryTypeArgs {
    /// The entry type to change (update_entry_type only).
    #[schemars(schema_with = "id_schema")]
    pub entry_type_id: Option<Value>,
    /// Display name, e.g. "Article".
    pub name: Option<String>,
    /// Handle (default: derived from the name).
    pub handle: Option<String>,
    /// Whether entries have an editable title (default true). Without one, titleFormat builds it.
    pub has_title_field: Option<bool>,
    /// Title built from fields when hasTitleField is false, e.g. "{headline} – {city}".
    pub title_format: Option<String>,
    /// Icon name, e.g. "newspaper".
    pub icon: Option<String>,
    /// Color name, e.g. "blue".
    pub color: Option<String>,
    /// What this entry type is for.
    pub description: Option<String>,
    /// Use this existing field layout (default: a new layout holding the title).
    #[schemars(schema_with = "id_schema")]
    pub field_layout_id: Option<Value>,
}

#[derive(Debug, Deserialize, JsonSchema, Default)]
#[serde(rename_all = "camelCase")]
pub struct DeleteEntryTypeArgs {
    #[schemars(schema_with = "id_schema")]
    pub entry_type_id: Option<Value>,
    /// Delete even though entries, drafts and revisions of this type would be deleted with it.
    pub force: Option<bool>,
}

#[derive(Debug, Deserialize, JsonSchema, Default)]
#[serde(rename_all = "camelCase")]
pub struct FieldsArgs {
    /// Only the fields placed in this layout, in layout order (default: every field).
    #[schemars(schema_with = "id_schema")]
    pub field_layout_id: Option<Value>,
}

#[derive(Debug, Deserialize, JsonSchema, Default)]
#[serde(rename_all = "camelCase")]
pub struct FieldArgs {
    /// The field to change (update_field only).
    #[schemars(schema_with = "id_schema")]
    pub field_id: Option<Value>,
    /// Field type: a short name ("PlainText", "RichText", "Number", "Lightswitch", "Date", "Dropdown", "RadioButtons", "Checkboxes", "MultiSelect", "Email", "Url", "Color", "Entries") or a Craft class name ("craft\\fields\\PlainText"). get_field_types lists them with their settings.
    #[serde(rename = "type")]
    pub field_type: Option<String>,
    /// Display name, e.g. "Body".
    pub name: Option<String>,
    /// Handle used in attributeAndFieldData and get_entry (default: derived from the name); native attribute names are reserved.
    pub handle: Option<String>,
    /// Help text for editors.
    pub instructions: Option<String>,
    /// Type-specific settings, e.g. {"options": [{"label": "Red", "value": "red"}]} or {"min": 0, "decimals": 2}. On update, the keys given change (null removes one).
    #[schemars(schema_with = "object_or_string")]
    pub settings: Option<Value>,
    /// Index this field's values for search_content (default true for text types).
    pub searchable: Option<bool>,
}

#[derive(Debug, Deserialize, JsonSchema, Default)]
#[serde(rename_all = "camelCase")]
pub struct DeleteFieldArgs {
    #[schemars(schema_with = "id_schema")]
    pub field_id: Option<Value>,
    /// Delete even though entry types with entries place it (their values stop being shown; revisions keep them).
    pub force: Option<bool>,
}

#[derive(Debug, Deserialize, JsonSchema, Default)]
#[serde(rename_all = "camelCase")]
pub struct CreateFieldLayoutArgs {
    /// The element type laid out: "craft\\elements\\Entry" (the default and only one).
    #[serde(rename = "type")]
    pub kind: Option<String>,
}

#[derive(Debug, Deserialize, JsonSchema, Default)]
#[serde(rename_all = "camelCase")]
pub struct FieldLayoutArgs {
    #[schemars(schema_with = "id_schema")]
    pub field_layout_id: Option<Value>,
}

#[derive(Debug, Deserialize, JsonSchema, Default)]
#[serde(rename_all = "camelCase")]
pub struct UpdateFieldLayoutArgs {
    #[schemars(schema_with = "id_schema")]
    pub field_layout_id: Option<Value>,
    /// The whole layout (replaces it): [{"name": "Content", "elements": [{"type": "title"}, {"type": "CustomField", "fieldId": 3, "required": true}, {"type": "Heading", "heading": "SEO"}]}]. Elements (and tabs) given with a "uid" from get_field_layout are kept as they were, with the keys given overlaid; elements without uid are new. Element types: title, CustomField (fieldId), Heading (heading), Tip (tip, style), HorizontalRule, LineBreak, Markdown (content).
    #[schemars(schema_with = "objects_schema")]
    pub tabs: Option<Value>,
}

#[derive(Debug, Deserialize, JsonSchema, Default)]
#[serde(rename_all = "camelCase")]
pub struct CreateEntryArgs {
    /// The section of the new entry (get_sections lists them).
    #[schemars(schema_with = "id_schema")]
    pub section_id: Option<Value>,
    /// Its entry type (default: the section's first; get_sections shows each section's entryTypes).
    #[schemars(schema_with = "id_schema")]
    pub entry_type_id: Option<Value>,
    /// The site (default: the primary site; get_sites lists them).
    #[schemars(schema_with = "id_schema")]
    pub site_id: Option<Value>,
    /// Native attributes (title, slug, postDate, expiryDate, enabled) and custom fields by handle, flat: {"title": "Hello", "body": "<p>Hi</p>", "price": 12.5}. The slug is derived from the title when omitted and made unique.
    #[schemars(schema_with = "object_or_string")]
    pub attribute_and_field_data: Option<Value>,
}

#[derive(Debug, Deserialize, JsonSchema, Default)]
#[serde(rename_all = "camelCase")]
pub struct GetEntryArgs {
    /// An entry id, or a draft id (the draft is shown with its draft metadata).
    #[schemars(schema_with = "id_schema")]
    pub entry_id: Option<Value>,
    /// Which site's content (default: the primary site when the entry exists there).
    #[schemars(schema_with = "id_schema")]
    pub site_id: Option<Value>,
}

#[derive(Debug, Deserialize, JsonSchema, Default)]
#[serde(rename_all = "camelCase")]
pub struct UpdateEntryArgs {
    /// The live entry to change (for a draft, use update_draft).
    #[schemars(schema_with = "id_schema")]
    pub entry_id: Option<Value>,
    /// Only the keys given change (null clears one): native attributes and field handles, flat.
    #[schemars(schema_with = "object_or_string")]
    pub attribute_and_field_data: Option<Value>,
    /// Which site's content (default: the primary site when the entry exists there).
    #[schemars(schema_with = "id_schema")]
    pub site_id: Option<Value>,
}

#[derive(Debug, Deserialize, JsonSchema, Default)]
#[serde(rename_all = "camelCase")]
pub struct DeleteEntryArgs {
    #[schemars(schema_with = "id_schema")]
    pub entry_id: Option<Value>,
    /// Delete for good, with its drafts and revisions (default false: move it to the trash, restorable with restore_entry).
    pub permanently_delete: Option<bool>,
}

#[derive(Debug, Deserialize, JsonSchema, Default)]
#[serde(rename_all = "camelCase")]
pub struct EntryIdArgs {
    #[schemars(schema_with = "id_schema")]
    pub entry_id: Option<Value>,
}

#[derive(Debug, Deserialize, JsonSchema, Default)]
#[serde(rename_all = "camelCase")]
pub struct SearchArgs {
    /// Words to find in titles and searchable fields; all must match; "word*" matches a prefix. Empty: list the newest entries under the filters.
    pub query: Option<String>,
    /// How many results, best first (default 10, at most 100).
    pub limit: Option<u32>,
    /// "live" (default), "pending" (post date in the future), "expired", "disabled" or "all".
    pub status: Option<String>,
    /// Only entries of these sections.
    #[schemars(schema_with = "ids_schema")]
    pub section_ids: Option<Value>,
    /// Only entries of this site (default: every site).
    #[schemars(schema_with = "id_schema")]
    pub site_id: Option<Value>,
}

#[derive(Debug, Deserialize, JsonSchema, Default)]
#[serde(rename_all = "camelCase")]
pub struct CreateDraftArgs {
    /// For a draft of a new entry ("from scratch"): its section. Give sectionId + entryTypeId, or canonicalId, not both.
    #[schemars(schema_with = "id_schema")]
    pub section_id: Option<Value>,
    /// For a draft of a new entry: its entry type (default: the section's first).
    #[schemars(schema_with = "id_schema")]
    pub entry_type_id: Option<Value>,
    /// For a draft of an existing entry: that entry's id.
    #[schemars(schema_with = "id_schema")]
    pub canonical_id: Option<Value>,
    /// Name of the draft (default "Draft N").
    pub draft_name: Option<String>,
    /// Notes about what the draft changes.
    pub draft_notes: Option<String>,
    /// A provisional (auto-save) draft: at most one per entry and creator. Default false (a regular draft).
    pub provisional: Option<bool>,
    /// The site (default: the primary site).
    #[schemars(schema_with = "id_schema")]
    pub site_id: Option<Value>,
    /// Initial content, overlaid on the entry's current content: native attributes and field handles, flat.
    #[schemars(schema_with = "object_or_string")]
    pub attribute_and_field_data: Option<Value>,
}

#[derive(Debug, Deserialize, JsonSchema, Default)]
#[serde(rename_all = "camelCase")]
pub struct UpdateDraftArgs {
    /// The draft to change (regular or provisional; create_draft returned it, list_drafts lists them).
    #[schemars(schema_with = "id_schema")]
    pub draft_id: Option<Value>,
    /// Only the keys given change (null clears one): native attributes and field handles, flat.
    #[schemars(schema_with = "object_or_string")]
    pub attribute_and_field_data: Option<Value>,
    /// New name of the draft.
    pub draft_name: Option<String>,
    /// New notes of the draft.
    pub draft_notes: Option<String>,
}

#[derive(Debug, Deserialize, JsonSchema, Default)]
#[serde(rename_all = "camelCase")]
pub struct DraftIdArgs {
    #[schemars(schema_with = "id_schema")]
    pub draft_id: Option<Value>,
}

#[derive(Debug, Deserialize, JsonSchema, Default)]
#[serde(rename_all = "camelCase")]
pub struct ListDraftsArgs {
    /// Drafts of this entry.
    #[schemars(schema_with = "id_schema")]
    pub canonical_id: Option<Value>,
    /// Drafts in this site.
    #[schemars(schema_with = "id_schema")]
    pub site_id: Option<Value>,
    /// Drafts in this section.
    #[schemars(schema_with = "id_schema")]
    pub section_id: Option<Value>,
    /// Only provisional (true) or only regular (false) drafts.
    pub provisional: Option<bool>,
    /// Only drafts made by this creator.
    pub creator: Option<String>,
    /// Only drafts of new entries (from scratch).
    pub from_scratch: Option<bool>,
    /// At most this many, oldest first (default 50, at most 100).
    pub limit: Option<u32>,
}

#[derive(Debug, Deserialize, JsonSchema, Default)]
#[serde(rename_all = "camelCase")]
pub struct ListRevisionsArgs {
    #[schemars(schema_with = "id_schema")]
    pub entry_id: Option<Value>,
    /// Which site's history (default: the primary site when the entry exists there).
    #[schemars(schema_with = "id_schema")]
    pub site_id: Option<Value>,
    /// How many, newest first (default 20, at most 100).
    pub limit: Option<u32>,
}

#[derive(Debug, Deserialize, JsonSchema, Default)]
#[serde(rename_all = "camelCase")]
pub struct RevisionArgs {
    #[schemars(schema_with = "id_schema")]
    pub entry_id: Option<Value>,
    /// The revision number (list_revisions lists them).
    #[schemars(schema_with = "id_schema")]
    pub revision: Option<Value>,
    /// Which site (default: the primary site when the entry exists there).
    #[schemars(schema_with = "id_schema")]
    pub site_id: Option<Value>,
}
