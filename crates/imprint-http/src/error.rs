//! The one place a failure becomes an HTTP response: `{"error":{"code","message","details"}}`.
//!
//! | service kind | status |
//! |---|---|
//! | malformed request (body, query, header) | 400 `bad_request` |
//! | `InvalidInput` (well-formed, but the operation refuses it) | 422 `invalid_input` |
//! | `NotFound` | 404 |
//! | `Conflict` (stale `If-Match`, drift, merge conflict, duplicate) | 409 |
//! | `Unauthorized` | 401 with `WWW-Authenticate` |
//! | `Forbidden` | 403 |
//! | `Integrity`, `Io` | 500 with the (safe) message, logged |
//! | `Internal` | 500 with a generic message, logged once here |

use std::borrow::Cow;

use axum::Json;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use imprint_service::{ErrorKind, ServiceError};
use serde_json::{Value, json};

use crate::words::{PanelWords, RestWords};

/// A failed request, ready to be rendered. Boxed: it travels in every handler's
/// `Result`, and the happy path should not pay for its size.
#[derive(Debug)]
pub(crate) struct ApiError(Box<Failure>);

#[derive(Debug)]
struct Failure {
    status: StatusCode,
    code: Cow<'static, str>,
    /// For REST: what to do next names routes.
    message: String,
    /// The same for the control panel: what to do next names its buttons.
    panel_message: Option<String>,
    details: Option<Value>,
    /// `WWW-Authenticate` for 401s.
    challenge: Option<String>,
}

/// Result type of the REST handlers.
pub(crate) type ApiResult<T = Json<Value>> = Result<T, ApiError>;

impl ApiError {
    pub(crate) fn new(status: StatusCode, code: &'static str, message: impl Into<String>) -> Self {
        Self(Box::new(Failure {
            status,
            code: Cow::Borrowed(code),
            message: message.into(),
            panel_message: None,
            details: None,
            challenge: None,
        }))
    }

    pub(crate) fn bad_request(message: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, "bad_request", message)
    }

    pub(crate) fn forbidden(message: impl Into<String>) -> Self {
        Self::new(StatusCode::FORBIDDEN, "forbidden", message)
    }

    pub(crate) fn not_found(message: impl Into<String>) -> Self {
        Self::new(StatusCode::NOT_FOUND, "not_found", message)
    }

    /// A bug or a broken dependency: the caller sees a generic message, the log the cause.
    pub(crate) fn internal(cause: impl std::fmt::Display) -> Self {
        tracing::error!(error = %cause, "internal error while serving a request");
        Self::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "internal",
            "internal error; see the imprint server log",
        )
    }

    /// 401 with the challenge that tells clients which scheme to use.
    pub(crate) fn unauthorized(message: impl Into<String>, token_was_sent: bool) -> Self {
        let mut error = Self::new(StatusCode::UNAUTHORIZED, "unauthorized", message);
        error.0.challenge = Some(if token_was_sent {
            r#"Bearer realm="imprint", error="invalid_token""#.to_string()
        } else {
            r#"Bearer realm="imprint""#.to_string()
        });
        error
    }

    pub(crate) fn status(&self) -> StatusCode {
        self.0.status
    }

    pub(crate) fn message(&self) -> &str {
        &self.0.message
    }

    /// The message as the control panel shows it (its buttons named, not routes).
    pub(crate) fn panel_message(&self) -> &str {
        self.0.panel_message.as_deref().unwrap_or(&self.0.message)
    }

    pub(crate) fn body(&self) -> Value {
        json!({"error": {
            "code": self.0.code,
            "message": self.0.message,
            "details": self.0.details,
        }})
    }
}

impl From<ServiceError> for ApiError {
    fn from(error: ServiceError) -> Self {
        let kind = error.kind();
        let status = match kind {
            ErrorKind::InvalidInput => StatusCode::UNPROCESSABLE_ENTITY,
            ErrorKind::NotFound => StatusCode::NOT_FOUND,
            ErrorKind::Conflict => StatusCode::CONFLICT,
            ErrorKind::Unauthorized => StatusCode::UNAUTHORIZED,
            ErrorKind::Forbidden => StatusCode::FORBIDDEN,
            ErrorKind::Integrity | ErrorKind::Io => StatusCode::INTERNAL_SERVER_ERROR,
            ErrorKind::Unavailable => StatusCode::SERVICE_UNAVAILABLE,
            ErrorKind::Internal => return ApiError::internal(error.chain()),
        };
        if status.is_server_error() {
            tracing::error!(code = kind.code(), error = %error.chain(), "operation failed");
        }
        let mut api = ApiError(Box::new(Failure {
            status,
            code: Cow::Borrowed(kind.code()),
            message: error.worded(&RestWords),
            panel_message: error.hint().map(|_| error.worded(&PanelWords)),
            details: error.worded_details(&RestWords),
            challenge: None,
        }));
        if kind == ErrorKind::Unauthorized {
            api.0.challenge = Some(r#"Bearer realm="imprint", error="invalid_token""#.to_string());
        }
        api
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let mut response = (self.0.status, Json(self.body())).into_response();
        if let Some(challenge) = self
            .0
            .challenge
            .as_deref()
            .and_then(|c| HeaderValue::from_str(c).ok())
        {
            response
                .headers_mut()
                .insert(header::WWW_AUTHENTICATE, challenge);
        }
        response
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn service_kinds_map_to_statuses_once() {
        let cases = [
            (ServiceError::invalid("x"), 422),
            (ServiceError::not_found("x"), 404),
            (ServiceError::conflict("x"), 409),
            (ServiceError::new(ErrorKind::Unauthorized, "x"), 401),
            (ServiceError::new(ErrorKind::Forbidden, "x"), 403),
            (ServiceError::new(ErrorKind::Integrity, "x"), 500),
            (ServiceError::internal("secret detail"), 500),
        ];
        for (error, status) in cases {
            assert_eq!(ApiError::from(error).status().as_u16(), status);
        }
    }

    #[test]
    fn internal_errors_hide_their_cause() {
        let api = ApiError::from(ServiceError::internal("disk /var/x exploded"));
        assert!(!api.body().to_string().contains("exploded"));
        assert_eq!(api.body()["error"]["code"], "internal");
    }

    #[test]
    fn details_are_kept_and_always_present() {
        let api = ApiError::from(ServiceError::conflict("stale").with_details(json!({"a": 1})));
        assert_eq!(api.body()["error"]["details"]["a"], 1);
        let plain = ApiError::not_found("nope");
        assert!(plain.body()["error"].get("details").is_some());
    }

    #[test]
    fn unauthorized_carries_a_challenge() {
        let response = ApiError::unauthorized("no token", false).into_response();
        assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
        assert_eq!(
            response.headers()[header::WWW_AUTHENTICATE],
            r#"Bearer realm="imprint""#
        );
    }
}
