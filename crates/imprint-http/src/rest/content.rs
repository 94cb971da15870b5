//! The content family under `/v1/content/…`: sites, sections, entry types, fields,
//! field layouts, entries (with search, trash and restore), drafts with apply, and
//! revisions with revert.
//!
//! Bodies use the content tools' parameter names (camelCase, as in the Craft plugin:
//! `sectionId`, `attributeAndFieldData`, …), so a request reads like the tool call it
//! is. Ids may be numbers or strings holding numbers, as the tools accept. A draft's
//! `draftVersion` is its `ETag`; `If-Match` on update and apply answers 409 when stale.

use axum::Json;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use imprint_service::content::{
    DraftInput, DraftListInput, EntryTypeInput, FieldInput, SectionInput, SiteInput, bool_arg,
    id_arg, ids_arg,
};
use imprint_service::{Service, ServiceError, ServiceResult};
use serde::{Deserialize, Deserializer};
use serde_json::{Value, json};

use super::openapi::Operation;
use super::{Expected, if_match, with_draft_etag};
use crate::auth::Caller;
use crate::error::ApiResult;
use crate::extract::{JsonBody, PathParams, QueryParams};
use crate::state::AppState;

pub(crate) fn routes() -> axum::Router<AppState> {
    axum::Router::new()
        .route("/v1/content/sites", get(get_sites).post(create_site))
        .route(
            "/v1/content/sites/{site_id}",
            axum::routing::patch(update_site),
        )
        .route(
            "/v1/content/sections",
            get(get_sections).post(create_section),
        )
        .route(
            "/v1/content/sections/{section_id}",
            get(get_section)
                .patch(update_section)
                .delete(delete_section),
        )
        .route(
            "/v1/content/entry-types",
            get(get_entry_types).post(create_entry_type),
        )
        .route(
            "/v1/content/entry-types/{entry_type_id}",
            get(get_entry_type)
                .patch(update_entry_type)
                .delete(delete_entry_type),
        )
        .route("/v1/content/field-types", get(get_field_types))
        .route("/v1/content/fields", get(get_fields).post(create_field))
        .route(
            "/v1/content/fields/{field_id}",
            axum::routing::patch(update_field).delete(delete_field),
        )
        .route("/v1/content/field-layouts", post(create_field_layout))
        .route(
            "/v1/content/field-layouts/{layout_id}",
            get(get_field_layout).put(update_field_layout),
        )
        .route("/v1/content/search", get(search))
        .route("/v1/content/entries", post(create_entry))
        .route(
            "/v1/content/entries/{entry_id}",
            get(get_entry).patch(update_entry).delete(delete_entry),
        )
        .route(
            "/v1/content/entries/{entry_id}/restore",
            post(restore_entry),
        )
        .route(
            "/v1/content/entries/{entry_id}/revisions",
            get(list_revisions),
        )
        .route(
            "/v1/content/entries/{entry_id}/revisions/{revision}",
            get(get_revision),
        )
        .route("/v1/content/entries/{entry_id}/revert", post(revert_entry))
        .route("/v1/content/drafts", get(list_drafts).post(create_draft))
        .route(
            "/v1/content/drafts/{draft_id}",
            get(get_draft).patch(update_draft).delete(delete_draft),
        )
        .route("/v1/content/drafts/{draft_id}/apply", post(apply_draft))
}

/// `Some(None)` for an explicit `null`, `None` when the key is absent.
fn double_option<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Option<String>>, D::Error> {
    Option::<String>::deserialize(d).map(Some)
}

/// `1,2,3` (or one id) from a query parameter.
fn id_list(name: &str, text: Option<&str>) -> ServiceResult<Option<Vec<i64>>> {
    match text.map(str::trim).filter(|t| !t.is_empty()) {
        None => Ok(None),
        Some(text) => text
            .split(',')
            .map(|part| {
                part.trim()
                    .parse::<i64>()
                    .ok()
                    .filter(|id| *id > 0)
                    .ok_or_else(|| {
                        ServiceError::invalid(format!(
                            "{name} must be ids separated by commas, like 1,2 (got '{text}')"
                        ))
                    })
            })
            .collect::<ServiceResult<Vec<_>>>()
            .map(Some),
    }
}

fn id(name: &str, value: Option<&Value>) -> ServiceResult<Option<i64>> {
    id_arg(name, value)
}

fn created(value: Value) -> Response {
    (StatusCode::CREATED, Json(value)).into_response()
}

// ----- bodies and queries -------------------------------------------------------------

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub(crate) struct SiteBody {
    name: Option<String>,
    handle: Option<String>,
    language: Option<String>,
    #[serde(default, deserialize_with = "double_option")]
    base_url: Option<Option<String>>,
    primary: Option<bool>,
}

impl From<SiteBody> for SiteInput {
    fn from(body: SiteBody) -> Self {
        SiteInput {
            name: body.name,
            handle: body.handle,
            language: body.language,
            base_url: body.base_url,
            primary: body.primary,
        }
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub(crate) struct SectionBody {
    name: Option<String>,
    handle: Option<String>,
    #[serde(alias = "kind")]
    r#type: Option<String>,
    entry_type_ids: Option<Value>,
    site_settings: Option<Value>,
    max_levels: Option<i64>,
    enable_versioning: Option<bool>,
}

impl SectionBody {
    fn input(self) -> ServiceResult<SectionInput> {
        Ok(SectionInput {
            name: self.name,
            handle: self.handle,
            kind: self.r#type,
            entry_type_ids: ids_arg("entryTypeIds", self.entry_type_ids.as_ref())?,
            site_settings: self.site_settings,
            max_levels: self.max_levels,
            enable_versioning: self.enable_versioning,
        })
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub(crate) struct EntryTypeBody {
    name: Option<String>,
    handle: Option<String>,
    has_title_field: Option<bool>,
    title_format: Option<String>,
    icon: Option<String>,
    color: Option<String>,
    description: Option<String>,
    field_layout_id: Option<Value>,
}

impl EntryTypeBody {
    fn input(self) -> ServiceResult<EntryTypeInput> {
        Ok(EntryTypeInput {
            name: self.name,
            handle: self.handle,
            has_title_field: self.has_title_field,
            title_format: self.title_format,
            icon: self.icon,
            color: self.color,
            description: self.description,
            field_layout_id: id("fieldLayoutId", self.field_layout_id.as_ref())?,
        })
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub(crate) struct FieldBody {
    #[serde(alias = "fieldType")]
    r#type: Option<String>,
    name: Option<String>,
    handle: Option<String>,
    instructions: Option<String>,
    settings: Option<Value>,
    searchable: Option<bool>,
}

impl From<FieldBody> for FieldInput {
    fn from(body: FieldBody) -> Self {
        FieldInput {
            field_type: body.r#type,
            name: body.name,
            handle: body.handle,
            instructions: body.instructions,
            settings: body.settings,
            searchable: body.searchable,
        }
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub(crate) struct ForceQuery {
    force: Option<bool>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub(crate) struct SectionsQuery {
    section_ids: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub(crate) struct EntryTypesQuery {
    entry_type_ids: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub(crate) struct FieldsQuery {
    field_layout_id: Option<i64>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub(crate) struct LayoutBody {
    kind: Option<String>,
    tabs: Option<Value>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub(crate) struct SearchQuery {
    query: Option<String>,
    limit: Option<usize>,
    status: Option<String>,
    section_ids: Option<String>,
    site_id: Option<i64>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub(crate) struct EntryBody {
    section_id: Option<Value>,
    entry_type_id: Option<Value>,
    site_id: Option<Value>,
    attribute_and_field_data: Option<Value>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub(crate) struct SiteQuery {
    site_id: Option<i64>,
    limit: Option<usize>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub(crate) struct DeleteEntryQuery {
    #[serde(alias = "permanentlyDelete")]
    permanently: Option<bool>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub(crate) struct RevertBody {
    revision: Option<Value>,
    site_id: Option<Value>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub(crate) struct DraftsQuery {
    canonical_id: Option<i64>,
    site_id: Option<i64>,
    section_id: Option<i64>,
    provisional: Option<bool>,
    creator: Option<String>,
    from_scratch: Option<bool>,
    limit: Option<usize>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub(crate) struct DraftBody {
    section_id: Option<Value>,
    entry_type_id: Option<Value>,
    canonical_id: Option<Value>,
    draft_name: Option<String>,
    draft_notes: Option<String>,
    provisional: Option<Value>,
    site_id: Option<Value>,
    attribute_and_field_data: Option<Value>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub(crate) struct DraftUpdateBody {
    attribute_and_field_data: Option<Value>,
    draft_name: Option<String>,
    draft_notes: Option<String>,
}

// ----- drafts: versions ----------------------------------------------------------------

/// The draft with this id (not a live entry with it).
pub(crate) fn view_draft(service: &Service, draft_id: i64) -> ServiceResult<Value> {
    let view = service.get_entry(Some(draft_id), None)?;
    if view["isDraft"].as_bool() != Some(true) {
        return Err(ServiceError::not_found(format!(
            "{draft_id} is a live entry, not a draft: GET /v1/content/entries/{draft_id}"
        )));
    }
    Ok(view)
}

/// Refuses with 409 when a content draft is not at the expected version. Like the
/// config check, the read and the write are two store calls.
pub(crate) fn check_content_draft(
    service: &Service,
    draft_id: i64,
    expected: Option<Expected>,
) -> ServiceResult<()> {
    let Some(expected) = expected else {
        return Ok(());
    };
    let current = view_draft(service, draft_id)?["draftVersion"].as_i64();
    match expected {
        Expected::Any => Ok(()),
        Expected::Version(version) if current == Some(version) => Ok(()),
        Expected::Version(version) => Err(ServiceError::conflict(format!(
            "draft {draft_id} is at version {}, not {version} (If-Match): GET it again, review, and retry with its ETag",
            current.map_or_else(|| "?".to_string(), |v| v.to_string())
        ))
        .with_details(json!({"expected_version": version, "current_version": current}))),
    }
}

// ----- handlers -------------------------------------------------------------------------

async fn get_sites(caller: Caller) -> ApiResult {
    caller.run(|s| s.get_sites()).await.map(Json)
}

async fn create_site(caller: Caller, JsonBody(body): JsonBody<SiteBody>) -> ApiResult<Response> {
    caller
        .run(move |s| s.create_site(body.into()))
        .await
        .map(created)
}

async fn update_site(
    caller: Caller,
    PathParams(site_id): PathParams<i64>,
    JsonBody(body): JsonBody<SiteBody>,
) -> ApiResult {
    caller
        .run(move |s| s.update_site(site_id, body.into()))
        .await
        .map(Json)
}

async fn get_sections(caller: Caller, QueryParams(q): QueryParams<SectionsQuery>) -> ApiResult {
    caller
        .run(move |s| s.get_sections(id_list("sectionIds", q.section_ids.as_deref())?))
        .await
        .map(Json)
}

/// The first element of a listing, or 404.
fn first(value: Value, key: &str, what: &str, id: i64) -> ServiceResult<Value> {
    value[key]
        .as_array()
        .and_then(|items| items.first().cloned())
        .ok_or_else(|| ServiceError::not_found(format!("{what} {id} does not exist")))
}

async fn get_section(caller: Caller, PathParams(section_id): PathParams<i64>) -> ApiResult {
    caller
        .run(move |s| {
            first(
                s.get_sections(Some(vec![section_id]))?,
                "sections",
                "section",
                section_id,
            )
        })
        .await
        .map(Json)
}

async fn create_section(
    caller: Caller,
    JsonBody(body): JsonBody<SectionBody>,
) -> ApiResult<Response> {
    caller
        .run(move |s| s.create_section(body.input()?))
        .await
        .map(created)
}

async fn update_section(
    caller: Caller,
    PathParams(section_id): PathParams<i64>,
    JsonBody(body): JsonBody<SectionBody>,
) -> ApiResult {
    caller
        .run(move |s| s.update_section(section_id, body.input()?))
        .await
        .map(Json)
}

async fn delete_section(
    caller: Caller,
    PathParams(section_id): PathParams<i64>,
    QueryParams(q): QueryParams<ForceQuery>,
) -> ApiResult {
    caller
        .run(move |s| s.delete_section(section_id, q.force.unwrap_or(false)))
        .await
        .map(Json)
}

async fn get_entry_types(
    caller: Caller,
    QueryParams(q): QueryParams<EntryTypesQuery>,
) -> ApiResult {
    caller
        .run(move |s| s.get_entry_types(id_list("entryTypeIds", q.entry_type_ids.as_deref())?))
        .await
        .map(Json)
}

async fn get_entry_type(caller: Caller, PathParams(type_id): PathParams<i64>) -> ApiResult {
    caller
        .run(move |s| {
            first(
                s.get_entry_types(Some(vec![type_id]))?,
                "entryTypes",
                "entry type",
                type_id,
            )
        })
        .await
        .map(Json)
}

async fn create_entry_type(
    caller: Caller,
    JsonBody(body): JsonBody<EntryTypeBody>,
) -> ApiResult<Response> {
    caller
        .run(move |s| s.create_entry_type(body.input()?))
        .await
        .map(created)
}

async fn update_entry_type(
    caller: Caller,
    PathParams(type_id): PathParams<i64>,
    JsonBody(body): JsonBody<EntryTypeBody>,
) -> ApiResult {
    caller
        .run(move |s| s.update_entry_type(type_id, body.input()?))
        .await
        .map(Json)
}

async fn delete_entry_type(
    caller: Caller,
    PathParams(type_id): PathParams<i64>,
    QueryParams(q): QueryParams<ForceQuery>,
) -> ApiResult {
    caller
        .run(move |s| s.delete_entry_type(type_id, q.force.unwrap_or(false)))
        .await
        .map(Json)
}

async fn get_field_types(caller: Caller) -> ApiResult {
    caller.run(|s| Ok(s.get_field_types())).await.map(Json)
}

async fn get_fields(caller: Caller, QueryParams(q): QueryParams<FieldsQuery>) -> ApiResult {
    caller
        .run(move |s| s.get_fields(q.field_layout_id))
        .await
        .map(Json)
}

async fn create_field(caller: Caller, JsonBody(body): JsonBody<FieldBody>) -> ApiResult<Response> {
    caller
        .run(move |s| s.create_field(body.into()))
        .await
        .map(created)
}

async fn update_field(
    caller: Caller,
    PathParams(field_id): PathParams<i64>,
    JsonBody(body): JsonBody<FieldBody>,
) -> ApiResult {
    caller
        .run(move |s| s.update_field(field_id, body.into()))
        .await
        .map(Json)
}

async fn delete_field(
    caller: Caller,
    PathParams(field_id): PathParams<i64>,
    QueryParams(q): QueryParams<ForceQuery>,
) -> ApiResult {
    caller
        .run(move |s| s.delete_field(field_id, q.force.unwrap_or(false)))
        .await
        .map(Json)
}

async fn create_field_layout(
    caller: Caller,
    JsonBody(body): JsonBody<LayoutBody>,
) -> ApiResult<Response> {
    caller
        .run(move |s| s.create_field_layout(body.kind.as_deref()))
        .await
        .map(created)
}

async fn get_field_layout(caller: Caller, PathParams(layout_id): PathParams<i64>) -> ApiResult {
    caller
        .run(move |s| s.get_field_layout(layout_id))
        .await
        .map(Json)
}

async fn update_field_layout(
    caller: Caller,
    PathParams(layout_id): PathParams<i64>,
    JsonBody(body): JsonBody<LayoutBody>,
) -> ApiResult {
    caller
        .run(move |s| s.update_field_layout(layout_id, body.tabs))
        .await
        .map(Json)
}

async fn search(caller: Caller, QueryParams(q): QueryParams<SearchQuery>) -> ApiResult {
    caller
        .run(move |s| {
            s.search_content(
                q.query.as_deref(),
                q.limit,
                q.status.as_deref(),
                id_list("sectionIds", q.section_ids.as_deref())?,
                q.site_id,
            )
        })
        .await
        .map(Json)
}

async fn create_entry(caller: Caller, JsonBody(body): JsonBody<EntryBody>) -> ApiResult<Response> {
    caller
        .run(move |s| {
            s.create_entry(
                id("sectionId", body.section_id.as_ref())?,
                id("entryTypeId", body.entry_type_id.as_ref())?,
                id("siteId", body.site_id.as_ref())?,
                body.attribute_and_field_data,
            )
        })
        .await
        .map(created)
}

async fn get_entry(
    caller: Caller,
    PathParams(entry_id): PathParams<i64>,
    QueryParams(q): QueryParams<SiteQuery>,
) -> ApiResult {
    caller
        .run(move |s| s.get_entry(Some(entry_id), q.site_id))
        .await
        .map(Json)
}

async fn update_entry(
    caller: Caller,
    PathParams(entry_id): PathParams<i64>,
    JsonBody(body): JsonBody<EntryBody>,
) -> ApiResult {
    caller
        .run(move |s| {
            s.update_entry(
                Some(entry_id),
                id("siteId", body.site_id.as_ref())?,
                body.attribute_and_field_data,
            )
        })
        .await
        .map(Json)
}

async fn delete_entry(
    caller: Caller,
    PathParams(entry_id): PathParams<i64>,
    QueryParams(q): QueryParams<DeleteEntryQuery>,
) -> ApiResult {
    caller
        .run(move |s| s.delete_entry(Some(entry_id), q.permanently.unwrap_or(false)))
        .await
        .map(Json)
}

async fn restore_entry(caller: Caller, PathParams(entry_id): PathParams<i64>) -> ApiResult {
    caller
        .run(move |s| s.restore_entry(Some(entry_id)))
        .await
        .map(Json)
}

async fn list_revisions(
    caller: Caller,
    PathParams(entry_id): PathParams<i64>,
    QueryParams(q): QueryParams<SiteQuery>,
) -> ApiResult {
    caller
        .run(move |s| s.list_revisions(Some(entry_id), q.site_id, q.limit))
        .await
        .map(Json)
}

async fn get_revision(
    caller: Caller,
    PathParams((entry_id, revision)): PathParams<(i64, i64)>,
    QueryParams(q): QueryParams<SiteQuery>,
) -> ApiResult {
    caller
        .run(move |s| s.get_revision(Some(entry_id), Some(revision), q.site_id))
        .await
        .map(Json)
}

async fn revert_entry(
    caller: Caller,
    PathParams(entry_id): PathParams<i64>,
    JsonBody(body): JsonBody<RevertBody>,
) -> ApiResult {
    caller
        .run(move |s| {
            s.revert_entry(
                Some(entry_id),
                id("revision", body.revision.as_ref())?,
                id("siteId", body.site_id.as_ref())?,
            )
        })
        .await
        .map(Json)
}

async fn list_drafts(caller: Caller, QueryParams(q): QueryParams<DraftsQuery>) -> ApiResult {
    caller
        .run(move |s| {
            s.list_entry_drafts(DraftListInput {
                canonical_id: q.canonical_id,
                site_id: q.site_id,
                section_id: q.section_id,
                provisional: q.provisional,
                creator: q.creator,
                from_scratch: q.from_scratch.unwrap_or(false),
                limit: q.limit,
            })
        })
        .await
        .map(Json)
}

async fn create_draft(caller: Caller, JsonBody(body): JsonBody<DraftBody>) -> ApiResult<Response> {
    caller
        .run(move |s| {
            s.create_draft(DraftInput {
                section_id: id("sectionId", body.section_id.as_ref())?,
                entry_type_id: id("entryTypeId", body.entry_type_id.as_ref())?,
                canonical_id: id("canonicalId", body.canonical_id.as_ref())?,
                draft_name: body.draft_name,
                draft_notes: body.draft_notes,
                provisional: bool_arg("provisional", body.provisional.as_ref())?,
                site_id: id("siteId", body.site_id.as_ref())?,
                data: body.attribute_and_field_data,
            })
        })
        .await
        .map(|value| {
            let mut response = with_draft_etag(value);
            *response.status_mut() = StatusCode::CREATED;
            response
        })
}

async fn get_draft(caller: Caller, PathParams(draft_id): PathParams<i64>) -> ApiResult<Response> {
    caller
        .run(move |s| view_draft(s, draft_id))
        .await
        .map(with_draft_etag)
}

async fn update_draft(
    caller: Caller,
    PathParams(draft_id): PathParams<i64>,
    headers: HeaderMap,
    JsonBody(body): JsonBody<DraftUpdateBody>,
) -> ApiResult<Response> {
    let expected = if_match(&headers)?;
    caller
        .run(move |s| {
            check_content_draft(s, draft_id, expected)?;
            s.update_draft_at(
                Some(draft_id),
                expected.and_then(Expected::version),
                body.attribute_and_field_data,
                body.draft_name,
                body.draft_notes,
            )
        })
        .await
        .map(with_draft_etag)
}

async fn delete_draft(
    caller: Caller,
    PathParams(draft_id): PathParams<i64>,
    headers: HeaderMap,
) -> ApiResult {
    let expected = if_match(&headers)?;
    caller
        .run(move |s| {
            check_content_draft(s, draft_id, expected)?;
            s.delete_draft_at(Some(draft_id), expected.and_then(Expected::version))
        })
        .await
        .map(Json)
}

async fn apply_draft(
    caller: Caller,
    PathParams(draft_id): PathParams<i64>,
    headers: HeaderMap,
) -> ApiResult {
    let expected = if_match(&headers)?;
    caller
        .run(move |s| {
            check_content_draft(s, draft_id, expected)?;
            s.apply_draft_at(Some(draft_id), expected.and_then(Expected::version))
        })
        .await
        .map(Json)
}

// ----- the OpenAPI table ----------------------------------------------------------------

fn body_of(properties: Value, required: &[&str]) -> Value {
    json!({"type": "object", "properties": properties, "required": required})
}

fn site_body() -> Value {
    body_of(
        json!({"name": {"type": "string"}, "handle": {"type": "string"}, "language": {"type": "string"},
               "baseUrl": {"type": ["string", "null"]}, "primary": {"type": "boolean"}}),
        &[],
    )
}

fn section_body() -> Value {
    body_of(
        json!({"name": {"type": "string"}, "handle": {"type": "string"},
               "type": {"enum": ["single", "channel", "structure"]},
               "entryTypeIds": {"type": "array", "items": {"type": "integer"}},
               "siteSettings": {"type": "array"}, "maxLevels": {"type": "integer"},
               "enableVersioning": {"type": "boolean"}}),
        &[],
    )
}

fn entry_type_body() -> Value {
    body_of(
        json!({"name": {"type": "string"}, "handle": {"type": "string"}, "hasTitleField": {"type": "boolean"},
               "titleFormat": {"type": "string"}, "icon": {"type": "string"}, "color": {"type": "string"},
               "description": {"type": "string"}, "fieldLayoutId": {"type": "integer"}}),
        &[],
    )
}

fn field_body() -> Value {
    body_of(
        json!({"type": {"type": "string", "description": "short name (PlainText) or Craft class name"},
               "name": {"type": "string"}, "handle": {"type": "string"}, "instructions": {"type": "string"},
               "settings": {"type": "object"}, "searchable": {"type": "boolean"}}),
        &[],
    )
}

fn layout_body() -> Value {
    body_of(
        json!({"kind": {"type": "string"}, "tabs": {"type": "array", "description": "tabs with their field ids"}}),
        &[],
    )
}

fn entry_body() -> Value {
    body_of(
        json!({"sectionId": {"type": "integer"}, "entryTypeId": {"type": "integer"}, "siteId": {"type": "integer"},
               "attributeAndFieldData": {"type": "object", "description": "title, slug, postDate, expiryDate, enabled and field handles"}}),
        &[],
    )
}

fn revert_body() -> Value {
    body_of(
        json!({"revision": {"type": "integer"}, "siteId": {"type": "integer"}}),
        &["revision"],
    )
}

fn draft_body() -> Value {
    body_of(
        json!({"canonicalId": {"type": "integer", "description": "the entry to draft (omit for a draft from scratch)"},
               "sectionId": {"type": "integer"}, "entryTypeId": {"type": "integer"}, "siteId": {"type": "integer"},
               "draftName": {"type": "string"}, "draftNotes": {"type": "string"}, "provisional": {"type": "boolean"},
               "attributeAndFieldData": {"type": "object"}}),
        &[],
    )
}

fn draft_update_body() -> Value {
    body_of(
        json!({"attributeAndFieldData": {"type": "object", "description": "PATCH: only given keys change; null clears"},
               "draftName": {"type": "string"}, "draftNotes": {"type": "string"}}),
        &[],
    )
}

const fn op(
    method: &'static str,
    path: &'static str,
    id: &'static str,
    summary: &'static str,
) -> Operation {
    Operation {
        method,
        path,
        id,
        tag: "content",
        summary,
        query: &[],
        body: None,
        if_match: false,
        status: 200,
    }
}

const SITE_ID: (&str, &str, &str) = ("siteId", "integer", "site (default: the primary site)");
const FORCE: (&str, &str, &str) = ("force", "boolean", "delete even when content uses it");

/// The content operations, for the OpenAPI document. Frozen: paths are a public contract.
pub(crate) static OPERATIONS: &[Operation] = &[
    op(
        "get",
        "/v1/content/sites",
        "getSites",
        "sites (id, name, handle, url, primary, language)",
    ),
    Operation {
        body: Some(site_body),
        status: 201,
        ..op("post", "/v1/content/sites", "createSite", "create a site")
    },
    Operation {
        body: Some(site_body),
        ..op(
            "patch",
            "/v1/content/sites/{site_id}",
            "updateSite",
            "update a site",
        )
    },
    Operation {
        query: &[("sectionIds", "string", "ids, comma separated")],
        ..op(
            "get",
            "/v1/content/sections",
            "getSections",
            "sections with their entry types and site settings",
        )
    },
    Operation {
        body: Some(section_body),
        status: 201,
        ..op(
            "post",
            "/v1/content/sections",
            "createSection",
            "create a section",
        )
    },
    op(
        "get",
        "/v1/content/sections/{section_id}",
        "getSection",
        "one section",
    ),
    Operation {
        body: Some(section_body),
        ..op(
            "patch",
            "/v1/content/sections/{section_id}",
            "updateSection",
            "update a section",
        )
    },
    Operation {
        query: &[FORCE],
        ..op(
            "delete",
            "/v1/content/sections/{section_id}",
            "deleteSection",
            "delete a section (reports the impact; force when it holds content)",
        )
    },
    Operation {
        query: &[("entryTypeIds", "string", "ids, comma separated")],
        ..op(
            "get",
            "/v1/content/entry-types",
            "getEntryTypes",
            "entry types with their fields",
        )
    },
    Operation {
        body: Some(entry_type_body),
        status: 201,
        ..op(
            "post",
            "/v1/content/entry-types",
            "createEntryType",
            "create an entry type",
        )
    },
    op(
        "get",
        "/v1/content/entry-types/{entry_type_id}",
        "getEntryType",
        "one entry type",
    ),
    Operation {
        body: Some(entry_type_body),
        ..op(
            "patch",
            "/v1/content/entry-types/{entry_type_id}",
            "updateEntryType",
            "update an entry type",
        )
    },
    Operation {
        query: &[FORCE],
        ..op(
            "delete",
            "/v1/content/entry-types/{entry_type_id}",
            "deleteEntryType",
            "delete an entry type",
        )
    },
    op(
        "get",
        "/v1/content/field-types",
        "getFieldTypes",
        "field types and their settings",
    ),
    Operation {
        query: &[("fieldLayoutId", "integer", "only the fields of this layout")],
        ..op("get", "/v1/content/fields", "getFields", "fields")
    },
    Operation {
        body: Some(field_body),
        status: 201,
        ..op(
            "post",
            "/v1/content/fields",
            "createField",
            "create a field",
        )
    },
    Operation {
        body: Some(field_body),
        ..op(
            "patch",
            "/v1/content/fields/{field_id}",
            "updateField",
            "update a field",
        )
    },
    Operation {
        query: &[FORCE],
        ..op(
            "delete",
            "/v1/content/fields/{field_id}",
            "deleteField",
            "delete a field",
        )
    },
    Operation {
        body: Some(layout_body),
        status: 201,
        ..op(
            "post",
            "/v1/content/field-layouts",
            "createFieldLayout",
            "create a field layout",
        )
    },
    op(
        "get",
        "/v1/content/field-layouts/{layout_id}",
        "getFieldLayout",
        "a field layout",
    ),
    Operation {
        body: Some(layout_body),
        ..op(
            "put",
            "/v1/content/field-layouts/{layout_id}",
            "updateFieldLayout",
            "replace a field layout's tabs",
        )
    },
    Operation {
        query: &[
            ("query", "string", "words to find; word* is a prefix"),
            ("limit", "integer", "at most this many"),
            (
                "status",
                "string",
                "live (default), pending, expired, disabled, all",
            ),
            ("sectionIds", "string", "ids, comma separated"),
            SITE_ID,
        ],
        ..op(
            "get",
            "/v1/content/search",
            "searchContent",
            "full-text search over entries",
        )
    },
    Operation {
        body: Some(entry_body),
        status: 201,
        ..op(
            "post",
            "/v1/content/entries",
            "createEntry",
            "create a live entry (a signed revision)",
        )
    },
    Operation {
        query: &[SITE_ID],
        ..op(
            "get",
            "/v1/content/entries/{entry_id}",
            "getEntry",
            "an entry with its fields",
        )
    },
    Operation {
        body: Some(entry_body),
        ..op(
            "patch",
            "/v1/content/entries/{entry_id}",
            "updateEntry",
            "change a live entry directly (PATCH semantics)",
        )
    },
    Operation {
        query: &[(
            "permanently",
            "boolean",
            "delete for good instead of trashing",
        )],
        ..op(
            "delete",
            "/v1/content/entries/{entry_id}",
            "deleteEntry",
            "trash (or permanently delete) an entry",
        )
    },
    op(
        "post",
        "/v1/content/entries/{entry_id}/restore",
        "restoreEntry",
        "restore an entry from the trash",
    ),
    Operation {
        query: &[SITE_ID, ("limit", "integer", "at most this many")],
        ..op(
            "get",
            "/v1/content/entries/{entry_id}/revisions",
            "listRevisions",
            "an entry's revisions, newest first",
        )
    },
    Operation {
        query: &[SITE_ID],
        ..op(
            "get",
            "/v1/content/entries/{entry_id}/revisions/{revision}",
            "getRevision",
            "one revision, verified",
        )
    },
    Operation {
        body: Some(revert_body),
        ..op(
            "post",
            "/v1/content/entries/{entry_id}/revert",
            "revertEntry",
            "make an old revision current again (as a new revision)",
        )
    },
    Operation {
        query: &[
            ("canonicalId", "integer", "drafts of this entry"),
            SITE_ID,
            ("sectionId", "integer", ""),
            ("provisional", "boolean", ""),
            ("creator", "string", ""),
            ("fromScratch", "boolean", "only drafts of new entries"),
            ("limit", "integer", ""),
        ],
        ..op("get", "/v1/content/drafts", "listDrafts", "drafts")
    },
    Operation {
        body: Some(draft_body),
        status: 201,
        ..op(
            "post",
            "/v1/content/drafts",
            "createDraft",
            "create a draft of an entry, or from scratch",
        )
    },
    op(
        "get",
        "/v1/content/drafts/{draft_id}",
        "getDraft",
        "a draft (ETag: its draftVersion)",
    ),
    Operation {
        body: Some(draft_update_body),
        if_match: true,
        ..op(
            "patch",
            "/v1/content/drafts/{draft_id}",
            "updateDraft",
            "change a draft (PATCH semantics)",
        )
    },
    Operation {
        if_match: true,
        ..op(
            "delete",
            "/v1/content/drafts/{draft_id}",
            "deleteDraft",
            "delete a draft; the live entry is unchanged",
        )
    },
    Operation {
        if_match: true,
        ..op(
            "post",
            "/v1/content/drafts/{draft_id}/apply",
            "applyDraft",
            "make the draft live (three-way merge; conflicts by field)",
        )
    },
];
