//! The content family under `/v1/content/…`: sites, sections, entry types, fields,
//! field layouts, entries (with search, trash and restore), drafts with apply, and
//! revisions with revert.
//!
//! Bodies use the content tools' parameter names (camelCase, as in the Craft plugin:
//! `sectionId`, `attributeAndFieldData`, …), so a request reads like the tool call it
//! is: each handler takes the operation's request type (the one the tool takes), with the
//! ids from the path set into it. A draft's `draftVersion` is its `ETag`; `If-Match` on
//! update, apply and delete becomes the request's `expectedVersion`, checked atomically by
//! the store, and answers 409 when stale.

use axum::Json;
use axum::extract::Query;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use imprint_service::api::{self, Id, IdList};
use imprint_service::content::*;
use imprint_service::{Service, ServiceError, ServiceResult};
use serde::de::DeserializeOwned;
use serde_json::{Map, Value, json};

use super::openapi::{Operation, op};
use super::{Expected, if_match, with_version_etag};
use crate::auth::Caller;
use crate::error::{ApiError, ApiResult};
use crate::extract::{JsonBody, PathParams, QueryParams};
use crate::state::AppState;
use imprint_service::api::schema_of;

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
            "/v1/content/field-layouts/{field_layout_id}",
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

fn created<T: serde::Serialize>(value: T) -> Response {
    (StatusCode::CREATED, Json(value)).into_response()
}

// ----- requests from bodies, queries and paths ------------------------------------------

/// The operation's request from a JSON body, with the ids from the path set (the path
/// wins over the body). A body that does not fit the request is a 400 naming the field;
/// a missing required value is the operation refusing a well-formed request (422), the
/// same answer it gave when the service checked it.
fn request<T: DeserializeOwned>(
    mut body: Map<String, Value>,
    path: &[(&str, i64)],
) -> Result<T, ApiError> {
    for (name, id) in path {
        body.insert((*name).to_string(), json!(id));
    }
    api::parse(Value::Object(body)).map_err(|error| {
        if error.message().ends_with(" is required") {
            ApiError::from(error)
        } else {
            ApiError::bad_request(error.message().to_string())
        }
    })
}

/// The operation's request from query parameters, with the ids from the path set. Id
/// lists may also be given comma separated (`sectionIds=1,2`).
fn query_request<T: DeserializeOwned>(
    pairs: Vec<(String, String)>,
    path: &[(&str, i64)],
) -> Result<T, ApiError> {
    let mut query = String::new();
    let given = pairs
        .into_iter()
        .filter(|(name, _)| !path.iter().any(|(key, _)| key == name));
    let from_path = path
        .iter()
        .map(|(name, id)| (name.to_string(), id.to_string()));
    for (name, value) in given.chain(from_path) {
        let value = if name.ends_with("Ids") && !value.trim_start().starts_with('[') {
            format!("[{value}]")
        } else {
            value
        };
        if !query.is_empty() {
            query.push('&');
        }
        query.push_str(&url_encode(&name));
        query.push('=');
        query.push_str(&url_encode(&value));
    }
    let uri: axum::http::Uri = format!("/?{query}")
        .parse()
        .map_err(|_| ApiError::bad_request("the query string is not valid"))?;
    Query::<T>::try_from_uri(&uri)
        .map(|Query(request)| request)
        .map_err(|e| ApiError::bad_request(e.body_text()))
}

/// Percent-encodes everything but unreserved characters.
fn url_encode(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for byte in text.bytes() {
        if byte.is_ascii_alphanumeric() || b"-._~".contains(&byte) {
            out.push(byte as char);
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}

type Body = JsonBody<Map<String, Value>>;
type Pairs = QueryParams<Vec<(String, String)>>;

// ----- drafts: versions ----------------------------------------------------------------

/// The draft with this id (not a live entry with it).
pub(crate) fn view_draft(service: &Service, draft_id: i64) -> ServiceResult<DraftView> {
    match service.get_entry(GetEntry {
        entry_id: Id(draft_id),
        site_id: None,
    })? {
        EntryOrDraft::Draft(draft) => Ok(draft),
        EntryOrDraft::Entry(_) => Err(ServiceError::not_found(format!(
            "{draft_id} is a live entry, not a draft: GET /v1/content/entries/{draft_id}"
        ))),
    }
}

/// `If-Match` as the request's `expectedVersion` (`*` asks only that the draft exists,
/// which every draft operation checks anyway).
fn expected_version(headers: &HeaderMap) -> Result<Option<i64>, ApiError> {
    Ok(if_match(headers)?.and_then(Expected::version))
}

// ----- handlers -------------------------------------------------------------------------

async fn get_sites(caller: Caller) -> ApiResult<Json<SiteList>> {
    caller.run(|s| s.get_sites(GetSites {})).await.map(Json)
}

async fn create_site(caller: Caller, JsonBody(body): Body) -> ApiResult<Response> {
    let request: CreateSite = request(body, &[])?;
    caller
        .run(move |s| s.create_site(request).map(super::said))
        .await
        .map(created)
}

async fn update_site(
    caller: Caller,
    PathParams(site_id): PathParams<i64>,
    JsonBody(body): Body,
) -> ApiResult<Json<SiteSaved>> {
    let request: UpdateSite = request(body, &[("siteId", site_id)])?;
    caller
        .run(move |s| s.update_site(request).map(super::said))
        .await
        .map(Json)
}

async fn get_sections(caller: Caller, QueryParams(q): Pairs) -> ApiResult<Json<SectionList>> {
    let request: GetSections = query_request(q, &[])?;
    caller.run(move |s| s.get_sections(request)).await.map(Json)
}

/// The first element of a listing, or 404.
fn first<T>(items: Vec<T>, what: &str, id: i64) -> ServiceResult<T> {
    items
        .into_iter()
        .next()
        .ok_or_else(|| ServiceError::not_found(format!("{what} {id} does not exist")))
}

async fn get_section(
    caller: Caller,
    PathParams(section_id): PathParams<i64>,
) -> ApiResult<Json<SectionView>> {
    caller
        .run(move |s| {
            let request = GetSections {
                section_ids: Some(IdList(vec![Id(section_id)])),
            };
            first(s.get_sections(request)?.sections, "section", section_id)
        })
        .await
        .map(Json)
}

async fn create_section(caller: Caller, JsonBody(body): Body) -> ApiResult<Response> {
    let request: CreateSection = request(body, &[])?;
    caller
        .run(move |s| s.create_section(request).map(super::said))
        .await
        .map(created)
}

async fn update_section(
    caller: Caller,
    PathParams(section_id): PathParams<i64>,
    JsonBody(body): Body,
) -> ApiResult<Json<SectionUpdated>> {
    let request: UpdateSection = request(body, &[("sectionId", section_id)])?;
    caller
        .run(move |s| s.update_section(request))
        .await
        .map(Json)
}

async fn delete_section(
    caller: Caller,
    PathParams(section_id): PathParams<i64>,
    QueryParams(q): Pairs,
) -> ApiResult<Json<SectionDeleted>> {
    let request: DeleteSection = query_request(q, &[("sectionId", section_id)])?;
    caller
        .run(move |s| s.delete_section(request))
        .await
        .map(Json)
}

async fn get_entry_types(caller: Caller, QueryParams(q): Pairs) -> ApiResult<Json<EntryTypeList>> {
    let request: GetEntryTypes = query_request(q, &[])?;
    caller
        .run(move |s| s.get_entry_types(request))
        .await
        .map(Json)
}

async fn get_entry_type(
    caller: Caller,
    PathParams(type_id): PathParams<i64>,
) -> ApiResult<Json<EntryTypeView>> {
    caller
        .run(move |s| {
            let request = GetEntryTypes {
                entry_type_ids: Some(IdList(vec![Id(type_id)])),
            };
            first(
                s.get_entry_types(request)?.entry_types,
                "entry type",
                type_id,
            )
        })
        .await
        .map(Json)
}

async fn create_entry_type(caller: Caller, JsonBody(body): Body) -> ApiResult<Response> {
    let request: CreateEntryType = request(body, &[])?;
    caller
        .run(move |s| s.create_entry_type(request).map(super::said))
        .await
        .map(created)
}

async fn update_entry_type(
    caller: Caller,
    PathParams(type_id): PathParams<i64>,
    JsonBody(body): Body,
) -> ApiResult<Json<EntryTypeSaved>> {
    let request: UpdateEntryType = request(body, &[("entryTypeId", type_id)])?;
    caller
        .run(move |s| s.update_entry_type(request).map(super::said))
        .await
        .map(Json)
}

async fn delete_entry_type(
    caller: Caller,
    PathParams(type_id): PathParams<i64>,
    QueryParams(q): Pairs,
) -> ApiResult<Json<EntryTypeDeleted>> {
    let request: DeleteEntryType = query_request(q, &[("entryTypeId", type_id)])?;
    caller
        .run(move |s| s.delete_entry_type(request))
        .await
        .map(Json)
}

async fn get_field_types(caller: Caller) -> ApiResult<Json<FieldTypeList>> {
    caller
        .run(|s| s.get_field_types(GetFieldTypes {}).map(super::said))
        .await
        .map(Json)
}

async fn get_fields(caller: Caller, QueryParams(q): Pairs) -> ApiResult<Json<FieldList>> {
    let request: GetFields = query_request(q, &[])?;
    caller.run(move |s| s.get_fields(request)).await.map(Json)
}

async fn create_field(caller: Caller, JsonBody(body): Body) -> ApiResult<Response> {
    let request: CreateField = request(body, &[])?;
    caller
        .run(move |s| s.create_field(request).map(super::said))
        .await
        .map(created)
}

async fn update_field(
    caller: Caller,
    PathParams(field_id): PathParams<i64>,
    JsonBody(body): Body,
) -> ApiResult<Json<FieldSaved>> {
    let request: UpdateField = request(body, &[("fieldId", field_id)])?;
    caller
        .run(move |s| s.update_field(request).map(super::said))
        .await
        .map(Json)
}

async fn delete_field(
    caller: Caller,
    PathParams(field_id): PathParams<i64>,
    QueryParams(q): Pairs,
) -> ApiResult<Json<FieldDeleted>> {
    let request: DeleteField = query_request(q, &[("fieldId", field_id)])?;
    caller.run(move |s| s.delete_field(request)).await.map(Json)
}

async fn create_field_layout(caller: Caller, JsonBody(body): Body) -> ApiResult<Response> {
    let request: CreateFieldLayout = request(body, &[])?;
    caller
        .run(move |s| s.create_field_layout(request).map(super::said))
        .await
        .map(created)
}

async fn get_field_layout(
    caller: Caller,
    PathParams(layout_id): PathParams<i64>,
) -> ApiResult<Json<FieldLayoutView>> {
    let request = GetFieldLayout {
        field_layout_id: Id(layout_id),
    };
    caller
        .run(move |s| s.get_field_layout(request))
        .await
        .map(Json)
}

async fn update_field_layout(
    caller: Caller,
    PathParams(layout_id): PathParams<i64>,
    JsonBody(body): Body,
) -> ApiResult<Json<FieldLayoutSaved>> {
    let request: UpdateFieldLayout = request(body, &[("fieldLayoutId", layout_id)])?;
    caller
        .run(move |s| s.update_field_layout(request))
        .await
        .map(Json)
}

async fn search(caller: Caller, QueryParams(q): Pairs) -> ApiResult<Json<SearchResults>> {
    let request: SearchContent = query_request(q, &[])?;
    caller
        .run(move |s| s.search_content(request).map(super::said))
        .await
        .map(Json)
}

async fn create_entry(caller: Caller, JsonBody(body): Body) -> ApiResult<Response> {
    let request: CreateEntry = request(body, &[])?;
    caller
        .run(move |s| s.create_entry(request))
        .await
        .map(created)
}

async fn get_entry(
    caller: Caller,
    PathParams(entry_id): PathParams<i64>,
    QueryParams(q): Pairs,
) -> ApiResult<Json<EntryOrDraft>> {
    let request: GetEntry = query_request(q, &[("entryId", entry_id)])?;
    caller.run(move |s| s.get_entry(request)).await.map(Json)
}

async fn update_entry(
    caller: Caller,
    PathParams(entry_id): PathParams<i64>,
    JsonBody(body): Body,
) -> ApiResult<Json<EntryWritten>> {
    let request: UpdateEntry = request(body, &[("entryId", entry_id)])?;
    caller.run(move |s| s.update_entry(request)).await.map(Json)
}

async fn delete_entry(
    caller: Caller,
    PathParams(entry_id): PathParams<i64>,
    QueryParams(q): Pairs,
) -> ApiResult<Json<EntryDeleted>> {
    let request: DeleteEntry = query_request(q, &[("entryId", entry_id)])?;
    caller
        .run(move |s| s.delete_entry(request).map(super::said))
        .await
        .map(Json)
}

async fn restore_entry(
    caller: Caller,
    PathParams(entry_id): PathParams<i64>,
) -> ApiResult<Json<EntryRestored>> {
    let request = RestoreEntry {
        entry_id: Id(entry_id),
    };
    caller
        .run(move |s| s.restore_entry(request))
        .await
        .map(Json)
}

async fn list_revisions(
    caller: Caller,
    PathParams(entry_id): PathParams<i64>,
    QueryParams(q): Pairs,
) -> ApiResult<Json<RevisionList>> {
    let request: ListRevisions = query_request(q, &[("entryId", entry_id)])?;
    caller
        .run(move |s| s.list_revisions(request).map(super::said))
        .await
        .map(Json)
}

async fn get_revision(
    caller: Caller,
    PathParams((entry_id, revision)): PathParams<(i64, i64)>,
    QueryParams(q): Pairs,
) -> ApiResult<Json<RevisionView>> {
    let request: GetRevision = query_request(q, &[("entryId", entry_id), ("revision", revision)])?;
    caller.run(move |s| s.get_revision(request)).await.map(Json)
}

async fn revert_entry(
    caller: Caller,
    PathParams(entry_id): PathParams<i64>,
    JsonBody(body): Body,
) -> ApiResult<Json<EntryReverted>> {
    let request: RevertEntry = request(body, &[("entryId", entry_id)])?;
    caller.run(move |s| s.revert_entry(request)).await.map(Json)
}

async fn list_drafts(caller: Caller, QueryParams(q): Pairs) -> ApiResult<Json<DraftList>> {
    let request: ListDrafts = query_request(q, &[])?;
    caller
        .run(move |s| s.list_entry_drafts(request))
        .await
        .map(Json)
}

async fn create_draft(caller: Caller, JsonBody(body): Body) -> ApiResult<Response> {
    let request: CreateDraft = request(body, &[])?;
    caller
        .run(move |s| s.create_draft(request).map(super::said))
        .await
        .map(|created| {
            let version = created.draft.draft_version;
            let mut response = with_version_etag(created, Some(version));
            *response.status_mut() = StatusCode::CREATED;
            response
        })
}

async fn get_draft(caller: Caller, PathParams(draft_id): PathParams<i64>) -> ApiResult<Response> {
    caller
        .run(move |s| view_draft(s, draft_id))
        .await
        .map(|draft| {
            let version = draft.draft_version;
            with_version_etag(draft, Some(version))
        })
}

async fn update_draft(
    caller: Caller,
    PathParams(draft_id): PathParams<i64>,
    headers: HeaderMap,
    JsonBody(body): Body,
) -> ApiResult<Response> {
    let mut request: UpdateDraft = request(body, &[("draftId", draft_id)])?;
    if let Some(version) = expected_version(&headers)? {
        request.expected_version = Some(version);
    }
    caller
        .run(move |s| s.update_draft(request).map(super::said))
        .await
        .map(|updated| {
            let version = updated.draft.draft_version;
            with_version_etag(updated, Some(version))
        })
}

async fn delete_draft(
    caller: Caller,
    PathParams(draft_id): PathParams<i64>,
    headers: HeaderMap,
) -> ApiResult<Json<DraftDeleted>> {
    let request = DeleteDraft {
        draft_id: Id(draft_id),
        expected_version: expected_version(&headers)?,
    };
    caller.run(move |s| s.delete_draft(request)).await.map(Json)
}

async fn apply_draft(
    caller: Caller,
    PathParams(draft_id): PathParams<i64>,
    headers: HeaderMap,
) -> ApiResult<Json<DraftApplied>> {
    let request = ApplyDraft {
        draft_id: Id(draft_id),
        expected_version: expected_version(&headers)?,
    };
    caller.run(move |s| s.apply_draft(request)).await.map(Json)
}

// ----- the OpenAPI table ----------------------------------------------------------------

/// Every content REST operation and the request type behind it. Frozen: paths are a public contract.
pub(crate) static OPERATIONS: &[Operation] = &[
    op(
        "get",
        "/v1/content/sites",
        "getSites",
        "content",
        "sites (id, name, handle, url, primary, language)",
    )
    .query(schema_of::<GetSites>),
    op(
        "post",
        "/v1/content/sites",
        "createSite",
        "content",
        "create a site",
    )
    .body(schema_of::<CreateSite>)
    .created(),
    op(
        "patch",
        "/v1/content/sites/{site_id}",
        "updateSite",
        "content",
        "update a site",
    )
    .body(schema_of::<UpdateSite>),
    op(
        "get",
        "/v1/content/sections",
        "getSections",
        "content",
        "sections with their entry types and site settings",
    )
    .query(schema_of::<GetSections>),
    op(
        "post",
        "/v1/content/sections",
        "createSection",
        "content",
        "create a section",
    )
    .body(schema_of::<CreateSection>)
    .created(),
    op(
        "get",
        "/v1/content/sections/{section_id}",
        "getSection",
        "content",
        "one section",
    ),
    op(
        "patch",
        "/v1/content/sections/{section_id}",
        "updateSection",
        "content",
        "update a section",
    )
    .body(schema_of::<UpdateSection>),
    op(
        "delete",
        "/v1/content/sections/{section_id}",
        "deleteSection",
        "content",
        "delete a section (reports the impact; force when it holds content)",
    )
    .query(schema_of::<DeleteSection>),
    op(
        "get",
        "/v1/content/entry-types",
        "getEntryTypes",
        "content",
        "entry types with their fields",
    )
    .query(schema_of::<GetEntryTypes>),
    op(
        "post",
        "/v1/content/entry-types",
        "createEntryType",
        "content",
        "create an entry type",
    )
    .body(schema_of::<CreateEntryType>)
    .created(),
    op(
        "get",
        "/v1/content/entry-types/{entry_type_id}",
        "getEntryType",
        "content",
        "one entry type",
    ),
    op(
        "patch",
        "/v1/content/entry-types/{entry_type_id}",
        "updateEntryType",
        "content",
        "update an entry type",
    )
    .body(schema_of::<UpdateEntryType>),
    op(
        "delete",
        "/v1/content/entry-types/{entry_type_id}",
        "deleteEntryType",
        "content",
        "delete an entry type",
    )
    .query(schema_of::<DeleteEntryType>),
    op(
        "get",
        "/v1/content/field-types",
        "getFieldTypes",
        "content",
        "field types and their settings",
    ),
    op(
        "get",
        "/v1/content/fields",
        "getFields",
        "content",
        "fields",
    )
    .query(schema_of::<GetFields>),
    op(
        "post",
        "/v1/content/fields",
        "createField",
        "content",
        "create a field",
    )
    .body(schema_of::<CreateField>)
    .created(),
    op(
        "patch",
        "/v1/content/fields/{field_id}",
        "updateField",
        "content",
        "update a field",
    )
    .body(schema_of::<UpdateField>),
    op(
        "delete",
        "/v1/content/fields/{field_id}",
        "deleteField",
        "content",
        "delete a field",
    )
    .query(schema_of::<DeleteField>),
    op(
        "post",
        "/v1/content/field-layouts",
        "createFieldLayout",
        "content",
        "create a field layout",
    )
    .body(schema_of::<CreateFieldLayout>)
    .created(),
    op(
        "get",
        "/v1/content/field-layouts/{field_layout_id}",
        "getFieldLayout",
        "content",
        "a field layout",
    )
    .query(schema_of::<GetFieldLayout>),
    op(
        "put",
        "/v1/content/field-layouts/{field_layout_id}",
        "updateFieldLayout",
        "content",
        "replace a field layout's tabs",
    )
    .body(schema_of::<UpdateFieldLayout>),
    op(
        "get",
        "/v1/content/search",
        "searchContent",
        "content",
        "full-text search over entries",
    )
    .query(schema_of::<SearchContent>),
    op(
        "post",
        "/v1/content/entries",
        "createEntry",
        "content",
        "create a live entry (a signed revision)",
    )
    .body(schema_of::<CreateEntry>)
    .created(),
    op(
        "get",
        "/v1/content/entries/{entry_id}",
        "getEntry",
        "content",
        "an entry with its fields",
    )
    .query(schema_of::<GetEntry>),
    op(
        "patch",
        "/v1/content/entries/{entry_id}",
        "updateEntry",
        "content",
        "change a live entry directly (PATCH semantics)",
    )
    .body(schema_of::<UpdateEntry>),
    op(
        "delete",
        "/v1/content/entries/{entry_id}",
        "deleteEntry",
        "content",
        "trash (or permanently delete) an entry",
    )
    .query(schema_of::<DeleteEntry>),
    op(
        "post",
        "/v1/content/entries/{entry_id}/restore",
        "restoreEntry",
        "content",
        "restore an entry from the trash",
    ),
    op(
        "get",
        "/v1/content/entries/{entry_id}/revisions",
        "listRevisions",
        "content",
        "an entry's revisions, newest first",
    )
    .query(schema_of::<ListRevisions>),
    op(
        "get",
        "/v1/content/entries/{entry_id}/revisions/{revision}",
        "getRevision",
        "content",
        "one revision, verified",
    )
    .query(schema_of::<GetRevision>),
    op(
        "post",
        "/v1/content/entries/{entry_id}/revert",
        "revertEntry",
        "content",
        "make an old revision current again (as a new revision)",
    )
    .body(schema_of::<RevertEntry>),
    op(
        "get",
        "/v1/content/drafts",
        "listDrafts",
        "content",
        "drafts",
    )
    .query(schema_of::<ListDrafts>),
    op(
        "post",
        "/v1/content/drafts",
        "createDraft",
        "content",
        "create a draft of an entry, or from scratch",
    )
    .body(schema_of::<CreateDraft>)
    .created(),
    op(
        "get",
        "/v1/content/drafts/{draft_id}",
        "getDraft",
        "content",
        "a draft (ETag: its draftVersion)",
    ),
    op(
        "patch",
        "/v1/content/drafts/{draft_id}",
        "updateDraft",
        "content",
        "change a draft (PATCH semantics)",
    )
    .body(schema_of::<UpdateDraft>)
    .if_match(),
    op(
        "delete",
        "/v1/content/drafts/{draft_id}",
        "deleteDraft",
        "content",
        "delete a draft; the live entry is unchanged",
    )
    .query(schema_of::<DeleteDraft>)
    .if_match(),
    op(
        "post",
        "/v1/content/drafts/{draft_id}/apply",
        "applyDraft",
        "content",
        "make the draft live (three-way merge; conflicts by field)",
    )
    .body(schema_of::<ApplyDraft>)
    .if_match(),
];

#[cfg(test)]
mod tests {
    use super::*;

    fn pairs(items: &[(&str, &str)]) -> Vec<(String, String)> {
        items
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn query_id_lists_may_be_comma_separated() {
        let request: GetSections = query_request(pairs(&[("sectionIds", "1,2")]), &[]).unwrap();
        assert_eq!(request.section_ids.unwrap().ids(), vec![1, 2]);
        let request: SearchContent =
            query_request(pairs(&[("query", "a,b"), ("limit", "5")]), &[]).unwrap();
        assert_eq!(request.query.as_deref(), Some("a,b"));
        assert_eq!(request.limit, Some(5));
        let error = query_request::<GetEntry>(pairs(&[("siteId", "abc")]), &[("entryId", 1)])
            .err()
            .unwrap();
        assert_eq!(error.status(), StatusCode::BAD_REQUEST);
        assert!(error.message().contains("siteId"), "{}", error.message());
    }

    #[test]
    fn path_ids_win_over_the_query_and_the_body() {
        let from_query: GetEntry = query_request(
            pairs(&[("entryId", "9"), ("siteId", "2")]),
            &[("entryId", 4)],
        )
        .unwrap();
        assert_eq!(
            (from_query.entry_id.get(), from_query.site_id.map(Id::get)),
            (4, Some(2))
        );
        let body = json!({"entryId": 9, "attributeAndFieldData": {"title": "x"}});
        let request: UpdateEntry =
            request(body.as_object().cloned().unwrap(), &[("entryId", 4)]).unwrap();
        assert_eq!(request.entry_id.get(), 4);
    }

    #[test]
    fn a_missing_required_value_is_422_and_a_misfit_400() {
        let missing = request::<CreateEntry>(Map::new(), &[]).err().unwrap();
        assert_eq!(missing.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let body = json!({"section": 1}).as_object().cloned().unwrap();
        let unknown = request::<CreateEntry>(body, &[]).err().unwrap();
        assert_eq!(unknown.status(), StatusCode::BAD_REQUEST);
    }
}
