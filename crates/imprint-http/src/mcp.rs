//! `/mcp`: MCP over Streamable HTTP, served by rmcp's `StreamableHttpService`.
//!
//! Stateless, with JSON responses: every POST is answered on its own, no session id is
//! issued, so a client that does not re-initialize after the server restarts keeps
//! working, and any number of server replicas can answer. The tools are the same
//! [`ImprintMcp`] as over stdio; each request's service acts as its token's name, so
//! what a tool publishes records that name as author.
//!
//! `Origin` and `Host` are checked by [`crate::guard`] before this runs (with JSON error
//! bodies like the rest of the API), so rmcp's own checks are switched off here rather
//! than configured twice.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use axum::body::Body;
use axum::extract::{Request, State};
use axum::response::{IntoResponse, Response};
use imprint_mcp::ImprintMcp;
use rmcp::transport::streamable_http_server::session::never::NeverSessionManager;
use rmcp::transport::{StreamableHttpServerConfig, StreamableHttpService};

use crate::state::AppState;

/// rmcp's configuration, built once, and a handler per caller.
pub(crate) struct McpMount {
    config: StreamableHttpServerConfig,
    sessions: Arc<NeverSessionManager>,
    /// Building an [`ImprintMcp`] builds its tool router (about 60 tools, a quarter of
    /// a millisecond); cloning one is two pointer copies and a map clone. Stateless
    /// mode needs a handler per request, so each caller's is built once and cloned.
    handlers: Mutex<HashMap<String, ImprintMcp>>,
}

/// More distinct callers than this and the cache starts over (a bound, not an LRU:
/// a server has a handful of token names).
const MAX_HANDLERS: usize = 256;

impl McpMount {
    pub(crate) fn new() -> Self {
        let config = StreamableHttpServerConfig::default()
            .with_legacy_session_mode(false)
            .with_json_response(true)
            .disable_allowed_hosts()
            .disable_allowed_origins();
        Self {
            config,
            sessions: Arc::new(NeverSessionManager::default()),
            handlers: Mutex::new(HashMap::new()),
        }
    }

    /// The handler acting as `actor`.
    fn handler(&self, service: &imprint_service::Service, actor: &str) -> ImprintMcp {
        let mut handlers = self
            .handlers
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        if let Some(handler) = handlers.get(actor) {
            return handler.clone();
        }
        if handlers.len() >= MAX_HANDLERS {
            handlers.clear();
        }
        let handler = ImprintMcp::new(service.acting_as(actor));
        handlers.insert(actor.to_string(), handler.clone());
        handler
    }
}

/// Authenticates, then hands the request to rmcp with a handler acting as the caller.
pub(crate) async fn handle(State(state): State<AppState>, request: Request) -> Response {
    let principal = match state.principal(request.headers()).await {
        Ok(principal) => principal,
        Err(error) => return error.into_response(),
    };
    let handler = state.mcp.handler(&state.service, &principal.name);
    // The wrapper is cheap (two `Arc`s and the config); building it per request is what
    // lets the handler carry this request's identity.
    let mcp = StreamableHttpService::new(
        move || Ok(handler.clone()),
        Arc::clone(&state.mcp.sessions),
        state.mcp.config.clone(),
    );
    mcp.handle(request).await.map(Body::new)
}
