//! The routes of client id `all`'s profiles: which clients a profile is linked to, and which
//! of them hold its latest publish. (Its draft, publish, deploy and import are the config
//! routes with `all` as the client.)

use axum::Json;
use axum::routing::{get, post};
use imprint_service::config::{
    ClientsLinked, GetProfileStatus, LinkClients, ProfileStatus, UnlinkClients,
};

use crate::auth::Caller;
use crate::error::ApiResult;
use crate::extract::{JsonBody, PathParams};
use crate::state::AppState;

pub(crate) fn routes() -> axum::Router<AppState> {
    axum::Router::new()
        .route("/v1/profiles/{profile_id}/link", post(link))
        .route("/v1/profiles/{profile_id}/unlink", post(unlink))
        .route("/v1/profiles/{profile_id}/status", get(status))
}

async fn link(
    caller: Caller,
    PathParams(profile): PathParams<String>,
    JsonBody(mut request): JsonBody<LinkClients>,
) -> ApiResult<Json<ClientsLinked>> {
    request.profile_id = Some(profile);
    caller.run(move |s| s.link_clients(request)).await.map(Json)
}

async fn unlink(
    caller: Caller,
    PathParams(profile): PathParams<String>,
    JsonBody(mut request): JsonBody<UnlinkClients>,
) -> ApiResult<Json<ClientsLinked>> {
    request.profile_id = Some(profile);
    caller
        .run(move |s| s.unlink_clients(request))
        .await
        .map(Json)
}

async fn status(
    caller: Caller,
    PathParams(profile): PathParams<String>,
) -> ApiResult<Json<ProfileStatus>> {
    let request = GetProfileStatus {
        profile_id: Some(profile),
    };
    caller
        .run(move |s| s.profile_status(request))
        .await
        .map(Json)
}
