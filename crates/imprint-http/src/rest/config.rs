//! The MCP client configuration routes: clients, the catalog, drafts, validate,
//! publish, history, rollback, verify, import, deploy and keys.

use axum::Json;
use axum::http::HeaderMap;
use axum::response::Response;
use axum::routing::{get, post};
use imprint_service::config::{AddServer, DescribeServer, Target};
use serde::Deserialize;
use serde_json::Value;

use super::{expect_draft_version, if_match, with_draft_etag};
use crate::auth::Caller;
use crate::error::ApiResult;
use crate::extract::{JsonBody, PathParams, QueryParams};
use crate::state::AppState;

pub(crate) fn routes() -> axum::Router<AppState> {
    axum::Router::new()
        .route("/v1/clients", get(list_clients))
        .route("/v1/clients/{client_id}/profiles", get(list_profiles))
        .route("/v1/servers", get(list_servers).post(register_server))
        .route("/v1/servers/import-registry", post(import_registry_server))
        .route("/v1/servers/{server_id}", get(describe_server))
        .route("/v1/keys/initialize", post(initialize_keys))
        .route("/v1/config/diff", post(diff_config))
        .route("/v1/config/{client_id}/{profile_id}", get(get_config))
        .route(
            "/v1/config/{client_id}/{profile_id}/draft",
            get(view_draft).delete(clear_draft),
        )
        .route(
            "/v1/config/{client_id}/{profile_id}/draft/add",
            post(add_server),
        )
        .route(
            "/v1/config/{client_id}/{profile_id}/draft/remove",
            post(remove_server),
        )
        .route(
            "/v1/config/{client_id}/{profile_id}/drafts",
            get(list_drafts),
        )
        .route(
            "/v1/config/{client_id}/{profile_id}/validate",
            post(validate),
        )
        .route("/v1/config/{client_id}/{profile_id}/publish", post(publish))
        .route("/v1/config/{client_id}/{profile_id}/deploy", post(deploy))
        .route(
            "/v1/config/{client_id}/{profile_id}/deployed",
            get(deployed),
        )
        .route("/v1/config/{client_id}/{profile_id}/history", get(history))
        .route(
            "/v1/config/{client_id}/{profile_id}/rollback",
            post(rollback),
        )
        .route("/v1/config/{client_id}/{profile_id}/verify", get(verify))
        .route("/v1/config/{client_id}/{profile_id}/import", post(import))
}

type Doc = PathParams<(String, String)>;

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct DraftQuery {
    draft_name: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct ArtifactQuery {
    artifact_id: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct HistoryQuery {
    limit: Option<usize>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct ServersQuery {
    transport: Option<String>,
    search: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct AddBody {
    server_id: String,
    params: Option<Value>,
    env_vars: Option<Value>,
    server_name: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RemoveBody {
    server_name: String,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct PublishBody {
    changelog: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct DeployBody {
    artifact_id: Option<String>,
    #[serde(default)]
    force: bool,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RollbackBody {
    artifact_id: String,
    changelog: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct DiffBody {
    client_id: Option<String>,
    profile_id: Option<String>,
    local_artifact_id: Option<String>,
    local_payload: Option<Value>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct KeysBody {
    #[serde(default)]
    regenerate: bool,
}

fn target(
    client: &str,
    profile: &str,
    draft: Option<&str>,
) -> imprint_service::ServiceResult<Target> {
    Target::new(Some(client), Some(profile), draft)
}

async fn list_clients(caller: Caller) -> ApiResult {
    caller.run(|s| Ok(s.list_clients())).await.map(Json)
}

async fn list_profiles(caller: Caller, PathParams(client): PathParams<String>) -> ApiResult {
    caller
        .run(move |s| s.list_profiles(Some(&client)))
        .await
        .map(Json)
}

async fn list_servers(caller: Caller, QueryParams(q): QueryParams<ServersQuery>) -> ApiResult {
    caller
        .run(move |s| s.list_available_servers(q.transport.as_deref(), q.search.as_deref()))
        .await
        .map(Json)
}

async fn describe_server(caller: Caller, PathParams(server_id): PathParams<String>) -> ApiResult {
    caller
        .run(move |s| s.describe_server(DescribeServer { server_id }))
        .await
        .map(Json)
}

async fn register_server(caller: Caller, JsonBody(definition): JsonBody<Value>) -> ApiResult {
    caller
        .run(move |s| s.register_server(definition))
        .await
        .map(Json)
}

async fn import_registry_server(caller: Caller, JsonBody(server): JsonBody<Value>) -> ApiResult {
    caller
        .run(move |s| s.import_registry_server(server))
        .await
        .map(Json)
}

async fn initialize_keys(caller: Caller, JsonBody(body): JsonBody<KeysBody>) -> ApiResult {
    caller
        .run(move |s| s.initialize_keys(body.regenerate))
        .await
        .map(Json)
}

async fn diff_config(caller: Caller, JsonBody(body): JsonBody<DiffBody>) -> ApiResult {
    caller
        .run(move |s| {
            let t = Target::new(body.client_id.as_deref(), body.profile_id.as_deref(), None)?;
            s.diff_config(&t, body.local_artifact_id.as_deref(), body.local_payload)
        })
        .await
        .map(Json)
}

async fn get_config(
    caller: Caller,
    PathParams((client, profile)): Doc,
    QueryParams(q): QueryParams<ArtifactQuery>,
) -> ApiResult {
    caller
        .run(move |s| s.get_config(&target(&client, &profile, None)?, q.artifact_id.as_deref()))
        .await
        .map(Json)
}

async fn view_draft(
    caller: Caller,
    PathParams((client, profile)): Doc,
    QueryParams(q): QueryParams<DraftQuery>,
) -> ApiResult<Response> {
    caller
        .run(move |s| s.view_draft_config(&target(&client, &profile, q.draft_name.as_deref())?))
        .await
        .map(with_draft_etag)
}

async fn clear_draft(
    caller: Caller,
    PathParams((client, profile)): Doc,
    QueryParams(q): QueryParams<DraftQuery>,
    headers: HeaderMap,
) -> ApiResult<Response> {
    let expected = if_match(&headers)?;
    caller
        .run(move |s| {
            let t = expect_draft_version(
                s,
                target(&client, &profile, q.draft_name.as_deref())?,
                expected,
            )?;
            s.clear_draft_config(&t)
        })
        .await
        .map(with_draft_etag)
}

async fn add_server(
    caller: Caller,
    PathParams((client, profile)): Doc,
    QueryParams(q): QueryParams<DraftQuery>,
    headers: HeaderMap,
    JsonBody(body): JsonBody<AddBody>,
) -> ApiResult<Response> {
    let expected = if_match(&headers)?;
    caller
        .run(move |s| {
            let t = expect_draft_version(
                s,
                target(&client, &profile, q.draft_name.as_deref())?,
                expected,
            )?;
            s.add_server_to_config(
                &t,
                AddServer {
                    server_id: body.server_id,
                    params: body.params,
                    env_vars: body.env_vars,
                    server_name: body.server_name,
                },
            )
        })
        .await
        .map(with_draft_etag)
}

async fn remove_server(
    caller: Caller,
    PathParams((client, profile)): Doc,
    QueryParams(q): QueryParams<DraftQuery>,
    headers: HeaderMap,
    JsonBody(body): JsonBody<RemoveBody>,
) -> ApiResult<Response> {
    let expected = if_match(&headers)?;
    caller
        .run(move |s| {
            let t = expect_draft_version(
                s,
                target(&client, &profile, q.draft_name.as_deref())?,
                expected,
            )?;
            s.remove_server_from_config(&t, &body.server_name)
        })
        .await
        .map(with_draft_etag)
}

async fn list_drafts(caller: Caller, PathParams((client, profile)): Doc) -> ApiResult {
    caller
        .run(move |s| s.list_drafts(Some(&client), Some(&profile)))
        .await
        .map(Json)
}

async fn validate(
    caller: Caller,
    PathParams((client, profile)): Doc,
    QueryParams(q): QueryParams<DraftQuery>,
) -> ApiResult {
    caller
        .run(move |s| s.validate_config(&target(&client, &profile, q.draft_name.as_deref())?))
        .await
        .map(Json)
}

async fn publish(
    caller: Caller,
    PathParams((client, profile)): Doc,
    QueryParams(q): QueryParams<DraftQuery>,
    headers: HeaderMap,
    JsonBody(body): JsonBody<PublishBody>,
) -> ApiResult {
    let expected = if_match(&headers)?;
    caller
        .run(move |s| {
            let t = expect_draft_version(
                s,
                target(&client, &profile, q.draft_name.as_deref())?,
                expected,
            )?;
            s.publish_config(&t, body.changelog.as_deref())
        })
        .await
        .map(Json)
}

async fn deploy(
    caller: Caller,
    PathParams((client, profile)): Doc,
    JsonBody(body): JsonBody<DeployBody>,
) -> ApiResult {
    caller
        .run(move |s| {
            s.deploy_config(
                &target(&client, &profile, None)?,
                body.artifact_id.as_deref(),
                body.force,
            )
        })
        .await
        .map(Json)
}

async fn deployed(caller: Caller, PathParams((client, profile)): Doc) -> ApiResult {
    caller
        .run(move |s| s.deployed_config(&target(&client, &profile, None)?))
        .await
        .map(Json)
}

async fn history(
    caller: Caller,
    PathParams((client, profile)): Doc,
    QueryParams(q): QueryParams<HistoryQuery>,
) -> ApiResult {
    caller
        .run(move |s| s.get_config_history(&target(&client, &profile, None)?, q.limit))
        .await
        .map(Json)
}

async fn rollback(
    caller: Caller,
    PathParams((client, profile)): Doc,
    JsonBody(body): JsonBody<RollbackBody>,
) -> ApiResult {
    caller
        .run(move |s| {
            s.rollback_config(
                &target(&client, &profile, None)?,
                &body.artifact_id,
                body.changelog.as_deref(),
            )
        })
        .await
        .map(Json)
}

async fn verify(
    caller: Caller,
    PathParams((client, profile)): Doc,
    QueryParams(q): QueryParams<ArtifactQuery>,
) -> ApiResult {
    caller
        .run(move |s| s.verify_config(&target(&client, &profile, None)?, q.artifact_id.as_deref()))
        .await
        .map(Json)
}

async fn import(
    caller: Caller,
    PathParams((client, profile)): Doc,
    QueryParams(q): QueryParams<DraftQuery>,
    headers: HeaderMap,
) -> ApiResult<Response> {
    let expected = if_match(&headers)?;
    caller
        .run(move |s| {
            let t = expect_draft_version(
                s,
                target(&client, &profile, q.draft_name.as_deref())?,
                expected,
            )?;
            s.import_config(&t)
        })
        .await
        .map(with_draft_etag)
}
