//! The MCP client configuration routes: clients, the catalog, drafts, validate,
//! publish, history, rollback, verify, import, deploy and keys.
//!
//! Each handler binds the operation's request type from `imprint_service::config` (the JSON
//! body, or the query of a GET) and fills in what the URL says: the path's client and
//! profile, the `draft_name` query of a POST, and `If-Match` as `expected_version`.

use super::said;
use axum::Json;
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use imprint_service::api::JsonObject;
use imprint_service::config::addresses_all;
use imprint_service::config::{
    AddServerToConfig, ClearDraftConfig, DeployConfig, DeployedConfig, DescribeServer, DiffConfig,
    GetConfig, GetConfigHistory, ImportConfig, ImportRegistryServer, InitializeKeys,
    ListAvailableServers, ListClients, ListConfigDrafts, ListProfiles, PublishConfig,
    RegisterServer, RemoveServerFromConfig, RollbackConfig, ValidateConfig, VerifyConfig,
    ViewDraftConfig,
};
use imprint_service::config::{
    AvailableServers, ClientList, ConfigArtifact, ConfigDeployed, ConfigDiff, ConfigDrafts,
    ConfigHistory, ConfigPublished, ConfigRolledBack, ConfigValidation, ConfigVerification,
    DeployedState, KeysInitialized, ProfileList, RegistryServerImported, ServerDescription,
    ServerRegistered,
};
use imprint_service::config::{
    CheckServerInstallation, InstallServer, InstalledServers, ListInstalledServers,
    ServerInstallation, ServerInstalled,
};
use serde::Deserialize;

use super::{if_match, with_version_etag};
use crate::auth::Caller;
use crate::error::ApiError;
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
        .route("/v1/servers/installed", get(list_installed_servers))
        .route(
            "/v1/servers/{server_id}/installation",
            get(check_server_installation),
        )
        .route("/v1/servers/{server_id}/install", post(install_server))
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

/// Which draft a POST addresses: the `draft_name` query (its body is the operation's request).
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct DraftName {
    draft_name: Option<String>,
}

/// The version an `If-Match` header names (`*` names none: any version will do).
fn expected_version(headers: &HeaderMap) -> Result<Option<i64>, ApiError> {
    Ok(if_match(headers)?.and_then(|expected| expected.version()))
}

async fn list_clients(caller: Caller) -> ApiResult<Json<ClientList>> {
    caller
        .run(|s| Ok(s.list_clients(ListClients {})))
        .await
        .map(Json)
}

async fn list_profiles(
    caller: Caller,
    PathParams(client): PathParams<String>,
) -> ApiResult<Json<ProfileList>> {
    let request = ListProfiles {
        client_id: Some(client),
    };
    caller
        .run(move |s| s.list_profiles(request))
        .await
        .map(Json)
}

async fn list_servers(
    caller: Caller,
    QueryParams(request): QueryParams<ListAvailableServers>,
) -> ApiResult<Json<AvailableServers>> {
    caller
        .run(move |s| s.list_available_servers(request))
        .await
        .map(Json)
}

async fn describe_server(
    caller: Caller,
    PathParams(server_id): PathParams<String>,
) -> ApiResult<Json<ServerDescription>> {
    caller
        .run(move |s| s.describe_server(DescribeServer { server_id }))
        .await
        .map(Json)
}

async fn check_server_installation(
    caller: Caller,
    PathParams(server_id): PathParams<String>,
) -> ApiResult<Json<ServerInstallation>> {
    caller
        .run(move |s| s.check_server_installation(CheckServerInstallation { server_id }))
        .await
        .map(Json)
}

async fn list_installed_servers(caller: Caller) -> ApiResult<Json<InstalledServers>> {
    caller
        .run(|s| s.list_installed_servers(ListInstalledServers {}))
        .await
        .map(Json)
}

/// Runs the package manager: a POST, never a side effect of a GET.
async fn install_server(
    caller: Caller,
    PathParams(server_id): PathParams<String>,
) -> ApiResult<Json<ServerInstalled>> {
    caller
        .run(move |s| s.install_server(InstallServer { server_id }))
        .await
        .map(Json)
}

async fn register_server(
    caller: Caller,
    JsonBody(request): JsonBody<RegisterServer>,
) -> ApiResult<Json<ServerRegistered>> {
    caller
        .run(move |s| s.register_server(request))
        .await
        .map(Json)
}

/// The body is the `server.json` document itself (the route's frozen contract).
async fn import_registry_server(
    caller: Caller,
    JsonBody(server_json): JsonBody<JsonObject>,
) -> ApiResult<Json<RegistryServerImported>> {
    caller
        .run(move |s| s.import_registry_server(ImportRegistryServer { server_json }))
        .await
        .map(Json)
}

async fn initialize_keys(
    caller: Caller,
    JsonBody(request): JsonBody<InitializeKeys>,
) -> ApiResult<Json<KeysInitialized>> {
    caller
        .run(move |s| s.initialize_keys(request))
        .await
        .map(Json)
}

async fn diff_config(
    caller: Caller,
    JsonBody(request): JsonBody<DiffConfig>,
) -> ApiResult<Json<ConfigDiff>> {
    caller
        .run(move |s| s.diff_config(request).map(said))
        .await
        .map(Json)
}

async fn get_config(
    caller: Caller,
    PathParams((client, profile)): Doc,
    QueryParams(mut request): QueryParams<GetConfig>,
) -> ApiResult<Json<ConfigArtifact>> {
    request.client_id = Some(client);
    request.profile_id = Some(profile);
    caller.run(move |s| s.get_config(request)).await.map(Json)
}

async fn view_draft(
    caller: Caller,
    PathParams((client, profile)): Doc,
    QueryParams(mut request): QueryParams<ViewDraftConfig>,
) -> ApiResult<Response> {
    request.client_id = Some(client);
    request.profile_id = Some(profile);
    caller
        .run(move |s| s.view_draft_config(request))
        .await
        .map(|answer| {
            let version = answer.draft_version;
            with_version_etag(answer, version)
        })
}

async fn clear_draft(
    caller: Caller,
    PathParams((client, profile)): Doc,
    headers: HeaderMap,
    QueryParams(mut request): QueryParams<ClearDraftConfig>,
) -> ApiResult<Response> {
    request.client_id = Some(client);
    request.profile_id = Some(profile);
    if let Some(version) = expected_version(&headers)? {
        request.expected_version = Some(version);
    }
    caller
        .run(move |s| s.clear_draft_config(request))
        .await
        .map(|answer| {
            let version = answer.draft_version;
            with_version_etag(answer, version)
        })
}

async fn add_server(
    caller: Caller,
    PathParams((client, profile)): Doc,
    QueryParams(q): QueryParams<DraftName>,
    headers: HeaderMap,
    JsonBody(mut request): JsonBody<AddServerToConfig>,
) -> ApiResult<Response> {
    request.client_id = Some(client);
    request.profile_id = Some(profile);
    request.draft_name = q.draft_name.or(request.draft_name);
    if let Some(version) = expected_version(&headers)? {
        request.expected_version = Some(version);
    }
    caller
        .run(move |s| s.add_server_to_config(request).map(said))
        .await
        .map(|answer| {
            let version = Some(answer.draft_version);
            with_version_etag(answer, version)
        })
}

async fn remove_server(
    caller: Caller,
    PathParams((client, profile)): Doc,
    QueryParams(q): QueryParams<DraftName>,
    headers: HeaderMap,
    JsonBody(mut request): JsonBody<RemoveServerFromConfig>,
) -> ApiResult<Response> {
    request.client_id = Some(client);
    request.profile_id = Some(profile);
    request.draft_name = q.draft_name.or(request.draft_name);
    if let Some(version) = expected_version(&headers)? {
        request.expected_version = Some(version);
    }
    caller
        .run(move |s| s.remove_server_from_config(request))
        .await
        .map(|answer| {
            let version = Some(answer.draft_version);
            with_version_etag(answer, version)
        })
}

async fn list_drafts(
    caller: Caller,
    PathParams((client, profile)): Doc,
) -> ApiResult<Json<ConfigDrafts>> {
    let request = ListConfigDrafts {
        client_id: Some(client),
        profile_id: Some(profile),
    };
    caller
        .run(move |s| s.list_config_drafts(request))
        .await
        .map(Json)
}

async fn validate(
    caller: Caller,
    PathParams((client, profile)): Doc,
    QueryParams(mut request): QueryParams<ValidateConfig>,
) -> ApiResult<Json<ConfigValidation>> {
    request.client_id = Some(client);
    request.profile_id = Some(profile);
    caller
        .run(move |s| s.validate_config(request).map(said))
        .await
        .map(Json)
}

async fn publish(
    caller: Caller,
    PathParams((client, profile)): Doc,
    QueryParams(q): QueryParams<DraftName>,
    headers: HeaderMap,
    JsonBody(mut request): JsonBody<PublishConfig>,
) -> ApiResult<Json<ConfigPublished>> {
    request.client_id = Some(client);
    request.profile_id = Some(profile);
    request.draft_name = q.draft_name.or(request.draft_name);
    if let Some(version) = expected_version(&headers)? {
        request.expected_version = Some(version);
    }
    caller
        .run(move |s| s.publish_config(request).map(said))
        .await
        .map(Json)
}

async fn deploy(
    caller: Caller,
    PathParams((client, profile)): Doc,
    JsonBody(mut request): JsonBody<DeployConfig>,
) -> ApiResult<Response> {
    request.client_id = Some(client);
    request.profile_id = Some(profile);
    if addresses_all(request.client_id.as_deref()) {
        return caller
            .run(move |s| s.deploy_all(request).map(said))
            .await
            .map(|answer| Json(answer).into_response());
    }
    caller
        .run(move |s| s.deploy_config(request))
        .await
        .map(|answer: ConfigDeployed| Json(answer).into_response())
}

async fn deployed(caller: Caller, PathParams((client, profile)): Doc) -> ApiResult<Response> {
    let request = DeployedConfig {
        client_id: Some(client),
        profile_id: Some(profile),
    };
    if addresses_all(request.client_id.as_deref()) {
        // each linked client's last deploy, as this route answers for it alone
        return caller
            .run(move |s| s.deployed_all(request))
            .await
            .map(|answer| Json(answer).into_response());
    }
    caller
        .run(move |s| s.deployed_config(request).map(super::said))
        .await
        .map(|answer: DeployedState| Json(answer).into_response())
}

async fn history(
    caller: Caller,
    PathParams((client, profile)): Doc,
    QueryParams(mut request): QueryParams<GetConfigHistory>,
) -> ApiResult<Json<ConfigHistory>> {
    request.client_id = Some(client);
    request.profile_id = Some(profile);
    caller
        .run(move |s| s.get_config_history(request))
        .await
        .map(Json)
}

async fn rollback(
    caller: Caller,
    PathParams((client, profile)): Doc,
    JsonBody(mut request): JsonBody<RollbackConfig>,
) -> ApiResult<Json<ConfigRolledBack>> {
    request.client_id = Some(client);
    request.profile_id = Some(profile);
    caller
        .run(move |s| s.rollback_config(request))
        .await
        .map(Json)
}

async fn verify(
    caller: Caller,
    PathParams((client, profile)): Doc,
    QueryParams(mut request): QueryParams<VerifyConfig>,
) -> ApiResult<Json<ConfigVerification>> {
    request.client_id = Some(client);
    request.profile_id = Some(profile);
    caller
        .run(move |s| s.verify_config(request))
        .await
        .map(Json)
}

/// Takes no body (the route never did, so a bare POST keeps working): the request is the query.
async fn import(
    caller: Caller,
    PathParams((client, profile)): Doc,
    headers: HeaderMap,
    QueryParams(mut request): QueryParams<ImportConfig>,
) -> ApiResult<Response> {
    request.client_id = Some(client);
    request.profile_id = Some(profile);
    if let Some(version) = expected_version(&headers)? {
        request.expected_version = Some(version);
    }
    if addresses_all(request.client_id.as_deref()) {
        return caller
            .run(move |s| s.import_all(request).map(said))
            .await
            .map(|answer| {
                let version = answer.draft_version;
                with_version_etag(answer, version)
            });
    }
    caller
        .run(move |s| s.import_config(request).map(said))
        .await
        .map(|answer| {
            let version = Some(answer.draft_version);
            with_version_etag(answer, version)
        })
}
