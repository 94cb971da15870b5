//! `/v1`: the REST API. Every handler is the same shape: authenticate ([`Caller`]),
//! parse, call one service method off the async workers, answer its JSON.
//!
//! Frozen: the paths and their parameters are a public contract (the old Python
//! system's paths, kept so its clients work); add routes, do not rename them.
//! [`openapi`] describes every route; a test checks the two agree.
//!
//! [`Caller`]: crate::auth::Caller

pub(crate) mod config;
pub(crate) mod content;
pub(crate) mod openapi;

use axum::Json;
use axum::http::{HeaderMap, HeaderValue, header};
use axum::response::{IntoResponse, Response};
use imprint_service::config::Target;
use imprint_service::{Service, ServiceError, ServiceResult};
use serde_json::{Value, json};

use crate::error::ApiError;
use crate::state::AppState;

pub(crate) fn routes() -> axum::Router<AppState> {
    config::routes().merge(content::routes())
}

/// What an `If-Match` header asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Expected {
    /// `*`: the draft must exist.
    Any,
    /// The draft must be at this version.
    Version(i64),
}

impl Expected {
    /// The version the service must find when it writes (closing the gap between this
    /// layer's check and the write).
    pub(crate) fn version(self) -> Option<i64> {
        match self {
            Expected::Any => None,
            Expected::Version(version) => Some(version),
        }
    }
}

/// Parses `If-Match: "4"` (also `W/"4"`, `4` and `*`).
pub(crate) fn if_match(headers: &HeaderMap) -> Result<Option<Expected>, ApiError> {
    let Some(value) = headers.get(header::IF_MATCH) else {
        return Ok(None);
    };
    let text = value.to_str().unwrap_or_default().trim();
    if text == "*" {
        return Ok(Some(Expected::Any));
    }
    let unquoted = text.trim_start_matches("W/").trim_matches('"');
    unquoted
        .parse::<i64>()
        .map(|v| Some(Expected::Version(v)))
        .map_err(|_| {
            ApiError::bad_request(format!(
                "If-Match '{text}' is not a draft version: send the ETag of GET …/draft, like \"4\""
            ))
        })
}

/// Applies `If-Match` to a config draft target: refuses with 409 (worded for HTTP) when
/// the draft is not at the expected version, and returns the target carrying that version
/// so the service's write re-checks it atomically.
pub(crate) fn expect_draft_version(
    service: &Service,
    target: Target,
    expected: Option<Expected>,
) -> ServiceResult<Target> {
    let Some(expected) = expected else {
        return Ok(target);
    };
    let current = service.draft_version(&target)?;
    let ok = match expected {
        Expected::Any => current.is_some(),
        Expected::Version(version) => current == Some(version),
    };
    if ok {
        return Ok(target.expecting(expected.version()));
    }
    let wanted = match expected {
        Expected::Any => "any version".to_string(),
        Expected::Version(v) => format!("version {v}"),
    };
    let now = current.map_or_else(
        || "does not exist".to_string(),
        |v| format!("is at version {v}"),
    );
    Err(ServiceError::conflict(format!(
        "draft '{}' of {}/{} {now}, not {wanted} (If-Match): GET it again, review, and retry with its ETag",
        target.draft_name, target.client_id, target.profile_id
    ))
    .with_details(json!({"expected_version": match expected {
        Expected::Any => Value::String("*".into()),
        Expected::Version(v) => json!(v),
    }, "current_version": current})))
}

/// A JSON answer that carries the draft's version (`draft_version` of a config draft,
/// `draftVersion` of a content draft) as its `ETag`, when it has one.
pub(crate) fn with_draft_etag(value: Value) -> Response {
    let etag = value["draft_version"]
        .as_i64()
        .or_else(|| value["draftVersion"].as_i64())
        .and_then(|v| HeaderValue::from_str(&format!("\"{v}\"")).ok());
    let mut response = Json(value).into_response();
    if let Some(etag) = etag {
        response.headers_mut().insert(header::ETAG, etag);
    }
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn if_match_accepts_etags_and_star() {
        let mut headers = HeaderMap::new();
        assert_eq!(if_match(&headers).unwrap(), None);
        for (text, expected) in [
            ("\"4\"", Expected::Version(4)),
            ("W/\"4\"", Expected::Version(4)),
            ("4", Expected::Version(4)),
            ("*", Expected::Any),
        ] {
            headers.insert(header::IF_MATCH, HeaderValue::from_static(text));
            assert_eq!(if_match(&headers).unwrap(), Some(expected), "{text}");
        }
        headers.insert(header::IF_MATCH, HeaderValue::from_static("\"abc\""));
        assert!(if_match(&headers).is_err());
    }
}
