//! Extractors whose rejections are the API's JSON errors, not axum's plain text.

use axum::body::Bytes;
use axum::extract::{FromRequest, FromRequestParts, Path, Query, Request};
use axum::http::request::Parts;
use axum::http::{StatusCode, header};
use serde::de::DeserializeOwned;

use crate::error::ApiError;

/// A JSON request body. An empty body reads as `{}` so bodies whose fields are all
/// optional may be left out. A non-empty body must say `Content-Type: application/json`:
/// besides being honest, that forces a CORS preflight on cross-origin pages, so a plain
/// HTML form on another site can never reach an operation.
pub(crate) struct JsonBody<T>(pub(crate) T);

impl<T, S> FromRequest<S> for JsonBody<T>
where
    T: DeserializeOwned,
    S: Send + Sync,
{
    type Rejection = ApiError;

    async fn from_request(request: Request, state: &S) -> Result<Self, ApiError> {
        let content_type = request
            .headers()
            .get(header::CONTENT_TYPE)
            .map(|v| v.to_str().unwrap_or_default().to_ascii_lowercase());
        let is_json = content_type.as_deref().is_some_and(|ct| {
            let essence = ct.split(';').next().unwrap_or_default().trim();
            essence == "application/json" || essence.ends_with("+json")
        });
        let bytes = Bytes::from_request(request, state).await.map_err(|e| {
            let status = e.status();
            if status == StatusCode::PAYLOAD_TOO_LARGE {
                ApiError::new(status, "payload_too_large", "the request body is too large")
            } else {
                ApiError::bad_request(format!("cannot read the request body: {}", e.body_text()))
            }
        })?;
        let empty = bytes.iter().all(u8::is_ascii_whitespace);
        if content_type.is_some() && !is_json {
            return Err(unsupported_media_type());
        }
        if empty {
            return parse_body(serde_json::Value::Object(serde_json::Map::new()));
        }
        if !is_json {
            return Err(unsupported_media_type());
        }
        let value = serde_json::from_slice(&bytes)
            .map_err(|e| ApiError::bad_request(format!("the JSON body is not valid: {e}")))?;
        parse_body(value)
    }
}

/// The body as the operation's request type; an error names the field at fault, in the same
/// words every surface uses.
fn parse_body<T: DeserializeOwned>(value: serde_json::Value) -> Result<JsonBody<T>, ApiError> {
    imprint_service::api::parse(value)
        .map(JsonBody)
        .map_err(|e| ApiError::bad_request(e.message().to_string()))
}

fn unsupported_media_type() -> ApiError {
    ApiError::new(
        StatusCode::UNSUPPORTED_MEDIA_TYPE,
        "unsupported_media_type",
        "send the body as JSON with 'Content-Type: application/json'",
    )
}

/// Path parameters.
pub(crate) struct PathParams<T>(pub(crate) T);

impl<T, S> FromRequestParts<S> for PathParams<T>
where
    T: DeserializeOwned + Send,
    S: Send + Sync,
{
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, ApiError> {
        match Path::<T>::from_request_parts(parts, state).await {
            Ok(Path(value)) => Ok(PathParams(value)),
            Err(e) => Err(ApiError::bad_request(e.body_text())),
        }
    }
}

/// Query parameters.
pub(crate) struct QueryParams<T>(pub(crate) T);

impl<T, S> FromRequestParts<S> for QueryParams<T>
where
    T: DeserializeOwned + Send,
    S: Send + Sync,
{
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, ApiError> {
        match Query::<T>::from_request_parts(parts, state).await {
            Ok(Query(value)) => Ok(QueryParams(value)),
            Err(e) => Err(ApiError::bad_request(e.body_text())),
        }
    }
}
