//! `/mcp`: MCP over Streamable HTTP, served by rmcp's `StreamableHttpService`.
//!
//! Stateless, with JSON responses: every POST is answered on its own, no session id is
//! issued, so a client that does not re-initialize after the server restarts keeps
//! working, and any number of server replicas can answer. The tools are the same
//! [`ImprintMcp`] as over stdio; each request's service acts as its token's name, so
//! what a tool publishes records that name as author.
//!
//! Before rmcp sees a POST, its body is read (up to [`MAX_BODY_BYTES`]) and checked by
//! [`imprint_mcp::frames`]: a body that is not JSON is -32700, an invalid message -32600
//! (both with `"id": null` and status 400), a body too large 413, all with JSON-RPC error
//! bodies; batches are split into single requests for rmcp and answered as one array when
//! the request's `MCP-Protocol-Version` is 2025-03-26 or earlier (or absent, which means
//! 2025-03-26). rmcp's other refusals (406, 415, …) get a JSON-RPC body too.
//!
//! `Origin` and `Host` are checked by [`crate::guard`] before this runs (with JSON error
//! bodies like the rest of the API), so rmcp's own checks are switched off here rather
//! than configured twice.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{HeaderValue, Method, StatusCode, header};
use axum::response::{IntoResponse, Response};
use imprint_mcp::frames::{self, Frame};
use imprint_mcp::{ImprintMcp, Toolsets};
use rmcp::transport::streamable_http_server::session::never::NeverSessionManager;
use rmcp::transport::{StreamableHttpServerConfig, StreamableHttpService};
use serde_json::Value;

use crate::state::AppState;

/// rmcp's configuration, built once, and a handler per caller.
pub(crate) struct McpMount {
    config: StreamableHttpServerConfig,
    sessions: Arc<NeverSessionManager>,
    /// Building an [`ImprintMcp`] builds its tool router (about 60 tools, a quarter of
    /// a millisecond); cloning one is two pointer copies and a map clone. Stateless
    /// mode needs a handler per request, so each caller's is built once and cloned.
    handlers: Mutex<HashMap<String, ImprintMcp>>,
    toolsets: Toolsets,
}

/// The largest `/mcp` request body read.
pub(crate) const MAX_BODY_BYTES: usize = 4 * 1024 * 1024;

/// More distinct callers than this and the cache starts over (a bound, not an LRU:
/// a server has a handful of token names).
const MAX_HANDLERS: usize = 256;

impl McpMount {
    pub(crate) fn new(toolsets: Toolsets) -> Self {
        let config = StreamableHttpServerConfig::default()
            .with_legacy_session_mode(false)
            .with_json_response(true)
            .disable_allowed_hosts()
            .disable_allowed_origins();
        Self {
            config,
            sessions: Arc::new(NeverSessionManager::default()),
            handlers: Mutex::new(HashMap::new()),
            toolsets,
        }
    }

    /// The handler acting as `principal` (its name, role and token).
    fn handler(
        &self,
        service: &imprint_service::Service,
        principal: &imprint_service::auth::Principal,
    ) -> ImprintMcp {
        let key = format!(
            "{}\u{0}{}\u{0}{}",
            principal.name,
            principal.role,
            principal.token_id.as_deref().unwrap_or_default()
        );
        let mut handlers = self
            .handlers
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        if let Some(handler) = handlers.get(&key) {
            return handler.clone();
        }
        if handlers.len() >= MAX_HANDLERS {
            handlers.clear();
        }
        let service = service.acting_for(principal, imprint_service::roles::Surface::McpHttp);
        let handler = ImprintMcp::new(service).with_toolsets(self.toolsets);
        handlers.insert(key, handler.clone());
        handler
    }
}

/// Authenticates, then hands the request to rmcp with a handler acting as the caller.
pub(crate) async fn handle(State(state): State<AppState>, request: Request) -> Response {
    let principal = match state.principal(request.headers()).await {
        Ok(principal) => principal,
        Err(error) => return error.into_response(),
    };
    let handler = state.mcp.handler(&state.service, &principal);
    // The wrapper is cheap (two `Arc`s and the config); building it per request is what
    // lets the handler carry this request's identity.
    let mcp = StreamableHttpService::new(
        move || Ok(handler.clone()),
        Arc::clone(&state.mcp.sessions),
        state.mcp.config.clone(),
    );
    if request.method() != Method::POST {
        return json_errors(mcp.handle(request).await.map(Body::new)).await;
    }
    let (parts, body) = request.into_parts();
    let too_large = || {
        rpc_error(
            StatusCode::PAYLOAD_TOO_LARGE,
            frames::error(
                Value::Null,
                frames::INVALID_REQUEST,
                format!("invalid request: the body is larger than {MAX_BODY_BYTES} bytes"),
            ),
        )
    };
    let declared = parts
        .headers
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok()?.parse::<usize>().ok());
    if declared.is_some_and(|length| length > MAX_BODY_BYTES) {
        return too_large();
    }
    let Ok(bytes) = axum::body::to_bytes(body, MAX_BODY_BYTES).await else {
        return too_large();
    };
    let frame = match frames::parse(&bytes) {
        Ok(frame) => frame,
        Err(answer) => return rpc_error(StatusCode::BAD_REQUEST, answer),
    };
    let is_json = parts
        .headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| {
            v.trim_start()
                .to_ascii_lowercase()
                .starts_with("application/json")
        });
    if !is_json {
        return rpc_error(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            frames::error(
                Value::Null,
                frames::INVALID_REQUEST,
                "invalid request: Content-Type must be application/json",
            ),
        );
    }
    let forward = |message: axum::body::Bytes| {
        let mut request = Request::new(Body::from(message));
        *request.method_mut() = parts.method.clone();
        *request.uri_mut() = parts.uri.clone();
        *request.version_mut() = parts.version;
        *request.headers_mut() = parts.headers.clone();
        request.headers_mut().remove(header::CONTENT_LENGTH);
        request
    };
    match frame {
        Frame::Single(message) => {
            if let Err(answer) = frames::check(&message) {
                return rpc_error(status_of(&answer), answer);
            }
            json_errors(mcp.handle(forward(bytes)).await.map(Body::new)).await
        }
        Frame::Batch(items) => {
            // MCP-Protocol-Version absent means 2025-03-26 (Streamable HTTP, "Protocol Version Header")
            let version = parts
                .headers
                .get("mcp-protocol-version")
                .and_then(|v| v.to_str().ok())
                .unwrap_or("2025-03-26");
            if !frames::batches_allowed(version) {
                let answer = frames::error(
                    Value::Null,
                    frames::INVALID_REQUEST,
                    format!(
                        "invalid request: JSON-RPC batches are accepted only at protocol \
                         version 2025-03-26 or earlier, and this request's MCP-Protocol-Version \
                         is {version}; send each message in its own POST"
                    ),
                );
                return rpc_error(StatusCode::BAD_REQUEST, answer);
            }
            let mut answers = Vec::new();
            for item in items {
                if let Err(answer) = frames::check(&item) {
                    answers.push(answer);
                    continue;
                }
                let body = axum::body::Bytes::from(item.to_string());
                let response = mcp.handle(forward(body)).await;
                let bytes = axum::body::to_bytes(Body::new(response.into_body()), MAX_BODY_BYTES)
                    .await
                    .unwrap_or_default();
                if let Ok(answer) = serde_json::from_slice::<Value>(&bytes) {
                    answers.push(answer);
                }
            }
            if answers.is_empty() {
                return StatusCode::ACCEPTED.into_response();
            }
            json_response(StatusCode::OK, &Value::Array(answers))
        }
    }
}

/// 400 for an error without an id (the request could not be read); 200 for an error
/// answering a request, as rmcp answers its own.
fn status_of(answer: &Value) -> StatusCode {
    if answer["id"].is_null() {
        StatusCode::BAD_REQUEST
    } else {
        StatusCode::OK
    }
}

fn rpc_error(status: StatusCode, answer: Value) -> Response {
    json_response(status, &answer)
}

fn json_response(status: StatusCode, body: &Value) -> Response {
    let mut response = (status, body.to_string()).into_response();
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    response
}

/// rmcp's refusals are plain text; a client reading JSON-RPC gets them as an error body.
async fn json_errors(response: Response) -> Response {
    let status = response.status();
    let is_json = response
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.contains("json") || v.contains("event-stream"));
    if !(status.is_client_error() || status.is_server_error()) || is_json {
        return response;
    }
    let (parts, body) = response.into_parts();
    let text = axum::body::to_bytes(body, 64 * 1024)
        .await
        .unwrap_or_default();
    let message = String::from_utf8_lossy(&text).trim().to_string();
    let mut answer = rpc_error(
        status,
        frames::error(Value::Null, frames::INVALID_REQUEST, message),
    );
    for (name, value) in &parts.headers {
        if name != header::CONTENT_TYPE && name != header::CONTENT_LENGTH {
            answer.headers_mut().insert(name.clone(), value.clone());
        }
    }
    answer
}
