//! `/v1/requests` (review before publish) and `/v1/audit` (the audit log, admins only).

use axum::Json;
use axum::routing::{get, post};
use imprint_service::requests::{
    ApproveRequest, AuditLog, GetAuditLog, ListRequests, RejectRequest, RequestAnswer,
    RequestApply, RequestApproved, RequestList, RequestPublish,
};

use crate::auth::Caller;
use crate::error::ApiResult;
use crate::extract::{JsonBody, PathParams, QueryParams};
use crate::state::AppState;

pub(crate) fn routes() -> axum::Router<AppState> {
    axum::Router::new()
        .route("/v1/requests", get(list_requests))
        .route("/v1/requests/publish", post(request_publish))
        .route("/v1/requests/apply", post(request_apply))
        .route("/v1/requests/{request_id}/approve", post(approve_request))
        .route("/v1/requests/{request_id}/reject", post(reject_request))
        .route("/v1/audit", get(audit_log))
}

async fn list_requests(
    caller: Caller,
    QueryParams(request): QueryParams<ListRequests>,
) -> ApiResult<Json<RequestList>> {
    caller
        .run(move |s| s.list_requests(request))
        .await
        .map(Json)
}

async fn request_publish(
    caller: Caller,
    JsonBody(request): JsonBody<RequestPublish>,
) -> ApiResult<Json<RequestAnswer>> {
    caller
        .run(move |s| s.request_publish(request).map(super::said))
        .await
        .map(Json)
}

async fn request_apply(
    caller: Caller,
    JsonBody(request): JsonBody<RequestApply>,
) -> ApiResult<Json<RequestAnswer>> {
    caller
        .run(move |s| s.request_apply(request).map(super::said))
        .await
        .map(Json)
}

async fn approve_request(
    caller: Caller,
    PathParams(request_id): PathParams<String>,
) -> ApiResult<Json<RequestApproved>> {
    caller
        .run(move |s| s.approve_request(ApproveRequest { request_id }))
        .await
        .map(Json)
}

async fn reject_request(
    caller: Caller,
    PathParams(request_id): PathParams<String>,
    JsonBody(mut body): JsonBody<serde_json::Map<String, serde_json::Value>>,
) -> ApiResult<Json<RequestAnswer>> {
    // The id travels in the path; the body holds the reason.
    body.insert("request_id".into(), request_id.into());
    let request: RejectRequest = imprint_service::api::parse(serde_json::Value::Object(body))?;
    caller
        .run(move |s| s.reject_request(request))
        .await
        .map(Json)
}

async fn audit_log(
    caller: Caller,
    QueryParams(request): QueryParams<GetAuditLog>,
) -> ApiResult<Json<AuditLog>> {
    caller
        .run(move |s| s.get_audit_log(request))
        .await
        .map(Json)
}
