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
pub(crate) mod profiles;
pub(crate) mod review;
pub(crate) mod team;

use axum::Json;
use axum::http::{HeaderMap, HeaderValue, header};
use axum::response::{IntoResponse, Response};

use crate::error::ApiError;
use crate::state::AppState;

pub(crate) fn routes() -> axum::Router<AppState> {
    config::routes()
        .merge(content::routes())
        .merge(profiles::routes())
        .merge(review::routes())
        .merge(team::routes())
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

/// A typed answer with the draft's version, when it has one, as its `ETag`.
pub(crate) fn with_version_etag<T: serde::Serialize>(answer: T, version: Option<i64>) -> Response {
    let mut response = Json(answer).into_response();
    if let Some(etag) = version.and_then(|v| HeaderValue::from_str(&format!("\"{v}\"")).ok()) {
        response.headers_mut().insert(header::ETAG, etag);
    }
    response
}

/// An answer whose message names its next steps, worded as this API's routes.
pub(crate) fn said<T: imprint_service::next::Worded>(mut answer: T) -> T {
    answer.reword(&crate::words::RestWords);
    answer
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
