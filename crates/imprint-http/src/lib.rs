//! The HTTP surface: MCP over Streamable HTTP at `/mcp`, the REST API at `/v1` (with an
//! OpenAPI document at `/openapi.json`), the control panel at `/cp`, and `/healthz`.
//!
//! This is the only crate that knows axum. Like the MCP and CLI surfaces it is a thin
//! adapter over [`imprint_service::Service`]: handlers parse, call one operation, and
//! map a failure in one place ([`error`]). What a person does over HTTP is the same
//! operation, on the same store, as over stdio or the CLI.
//!
//! # Layout
//! - [`HttpConfig`]: auth, public URL, CORS allow-list, accepted `Host` names.
//! - [`router`]: every route, for tests (`tower::ServiceExt::oneshot`) and [`serve`].
//! - `listen`: [`serve`], the accept loop with its [`ConnectionLimits`] (header timeout,
//!   connection cap).
//! - `guard`: Host and Origin checks, CORS, security headers (one middleware).
//! - `auth`: bearer / `X-API-Key` tokens and the per-process [`LaunchToken`].
//! - `mcp`: rmcp's Streamable HTTP service, stateless with JSON responses.
//! - `rest`: `/v1` handlers and the OpenAPI document.
//! - `cp`: the control panel (server-rendered HTML, sessions, CSRF).
//!
//! # Invariants
//! - Service calls run on tokio's blocking pool (`state::blocking`), never on the async
//!   workers (the MCP tools are the exception: rmcp calls them inline; they are short).
//! - REST and MCP accept header credentials only; cookies authenticate `/cp` alone.
//! - Errors leave as `{"error":{"code","message","details"}}`; internals are logged,
//!   never sent.
//!
//! # Example
//!
//! ```no_run
//! use imprint_http::{HttpConfig, LaunchToken};
//! use imprint_service::{Service, ServiceOptions};
//!
//! # async fn run() -> std::io::Result<()> {
//! let store = imprint_store_sqlite::SqliteStore::open_in_data_dir("/tmp/imprint".as_ref()).unwrap();
//! let service = Service::new(
//!     ServiceOptions::new("/tmp/imprint".into(), "/tmp".into()),
//!     std::sync::Arc::new(store),
//! );
//! let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
//! let mut config = HttpConfig::for_address(listener.local_addr()?);
//! let (launch, secret) = LaunchToken::generate(service.actor()).unwrap();
//! config.launch_token = Some(launch);
//! imprint_http::check_exposure(listener.local_addr()?, &config).unwrap();
//! println!("login: {}/cp/login?token={secret}", config.public_url);
//! let limits = config.limits.clone();
//! imprint_http::serve(listener, imprint_http::router(service, config), limits, std::future::pending()).await
//! # }
//! ```

#![forbid(unsafe_code)]

mod auth;
mod cp;
mod error;
mod extract;
mod guard;
mod listen;
mod mcp;
mod rest;
mod sse;
mod state;
mod words;

use std::net::{IpAddr, SocketAddr};

use axum::Router;
use axum::http::StatusCode;
use axum::middleware::from_fn_with_state;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{any, get};
use imprint_service::Service;

pub use auth::LaunchToken;
pub use listen::{ConnectionLimits, serve};

use crate::error::ApiError;
use crate::state::AppState;

/// Host names a loopback-bound server answers to.
pub const LOOPBACK_HOSTS: &[&str] = &["localhost", "127.0.0.1", "::1"];

/// How the HTTP surface behaves. Build it with [`HttpConfig::for_address`].
#[derive(Debug, Clone)]
pub struct HttpConfig {
    /// Tokens are required on `/v1` and `/mcp`, and a login on `/cp`. Turned off only by
    /// `--no-auth`, which [`check_exposure`] allows on loopback alone.
    pub require_auth: bool,
    /// A credential for the life of this process (the printed login URL).
    pub launch_token: Option<LaunchToken>,
    /// Where people and tools reach the server (no trailing slash); edit URLs use it.
    pub public_url: String,
    /// Origins whose pages may call `/v1` and `/mcp` (CORS). Empty by default.
    pub cors_origins: Vec<String>,
    /// `Host` names served (DNS-rebinding protection); the public URL's host is always
    /// added. `None` serves any `Host`.
    pub allowed_hosts: Option<Vec<String>>,
    /// Connection cap and timeouts, applied by [`serve`].
    pub limits: ConnectionLimits,
    /// The MCP toolsets `/mcp` serves (all by default).
    pub toolsets: imprint_mcp::Toolsets,
}

impl HttpConfig {
    /// Defaults for a server bound to `bound`: auth on, the public URL derived from the
    /// address, and, on loopback, only loopback host names served.
    pub fn for_address(bound: SocketAddr) -> Self {
        let loopback = bound.ip().is_loopback();
        Self {
            require_auth: true,
            launch_token: None,
            public_url: default_public_url(bound),
            cors_origins: Vec::new(),
            allowed_hosts: loopback.then(|| LOOPBACK_HOSTS.iter().map(|h| h.to_string()).collect()),
            limits: ConnectionLimits::default(),
            toolsets: imprint_mcp::Toolsets::all(),
        }
    }

    /// Sets the public URL: `http(s)://host[:port]`, no path.
    pub fn with_public_url(mut self, url: &str) -> Result<Self, String> {
        let url = url.trim().trim_end_matches('/');
        if guard::normalize_origin(url).is_none() {
            return Err(format!(
                "--public-url '{url}' must look like http://host:port or https://host (no path)"
            ));
        }
        self.public_url = url.to_string();
        Ok(self)
    }

    /// Adds CORS origins (`https://app.example`, `http://localhost:3000`).
    pub fn with_cors_origins(mut self, origins: &[String]) -> Result<Self, String> {
        for origin in origins {
            if guard::normalize_origin(origin).is_none() {
                return Err(format!(
                    "--cors-origin '{origin}' must be an origin like https://app.example or http://localhost:3000"
                ));
            }
            self.cors_origins.push(origin.clone());
        }
        Ok(self)
    }

    /// Also serves these `Host` names (behind a proxy, or on a LAN name).
    pub fn with_allowed_hosts(mut self, hosts: &[String]) -> Self {
        if !hosts.is_empty() {
            let list = self
                .allowed_hosts
                .get_or_insert_with(|| LOOPBACK_HOSTS.iter().map(|h| h.to_string()).collect());
            list.extend(hosts.iter().map(|h| h.to_ascii_lowercase()));
        }
        self
    }
}

/// `http://ADDR`, with an unspecified address (`0.0.0.0`, `::`) shown as loopback:
/// that is where a browser on this machine reaches it.
fn default_public_url(bound: SocketAddr) -> String {
    let ip = match bound.ip() {
        IpAddr::V4(ip) if ip.is_unspecified() => IpAddr::V4(std::net::Ipv4Addr::LOCALHOST),
        IpAddr::V6(ip) if ip.is_unspecified() => IpAddr::V6(std::net::Ipv6Addr::LOCALHOST),
        ip => ip,
    };
    format!("http://{}", SocketAddr::new(ip, bound.port()))
}

/// Refuses to expose an unauthenticated server beyond this machine.
pub fn check_exposure(bound: SocketAddr, config: &HttpConfig) -> Result<(), String> {
    if config.require_auth || bound.ip().is_loopback() {
        return Ok(());
    }
    Err(format!(
        "refusing to serve {bound} without authentication: anyone who can reach that address could \
change, publish and deploy configurations. Drop --no-auth (clients then send a token from \
`imprint token create`), or bind a loopback address such as 127.0.0.1"
    ))
}

/// Every route of the HTTP surface.
pub fn router(service: Service, config: HttpConfig) -> Router {
    let state = AppState::new(service, config);
    Router::new()
        .route("/healthz", get(healthz))
        .route("/", get(|| async { Redirect::to("/cp") }))
        .route("/favicon.ico", get(|| async { StatusCode::NO_CONTENT }))
        .route("/mcp", any(mcp::handle))
        .merge(sse::routes())
        .route("/openapi.json", get(rest::openapi::serve))
        .merge(rest::routes())
        .merge(cp::routes())
        .fallback(not_found)
        .method_not_allowed_fallback(method_not_allowed)
        .layer(from_fn_with_state(state.clone(), guard::guard))
        .with_state(state)
}

/// Liveness and the database: 200 while the database answers, 503 with the reason while
/// it does not (a load balancer then routes around this replica until it recovers).
async fn healthz(axum::extract::State(state): axum::extract::State<AppState>) -> Response {
    let service = state.service.clone();
    let database = match tokio::task::spawn_blocking(move || service.database_health()).await {
        Ok(Ok(())) => Ok(()),
        Ok(Err(error)) => Err(error.message().to_string()),
        Err(join) => Err(format!("the database check did not finish: {join}")),
    };
    let (status, body) = match database {
        Ok(()) => (
            StatusCode::OK,
            serde_json::json!({"status": "ok", "database": "ok", "version": env!("CARGO_PKG_VERSION")}),
        ),
        Err(message) => (
            StatusCode::SERVICE_UNAVAILABLE,
            serde_json::json!({"status": "unavailable", "database": "unreachable", "error": message,
                "version": env!("CARGO_PKG_VERSION")}),
        ),
    };
    (
        status,
        [(axum::http::header::CACHE_CONTROL, "no-store")],
        axum::Json(body),
    )
        .into_response()
}

async fn not_found(uri: axum::http::Uri) -> ApiError {
    ApiError::not_found(format!(
        "no route for {}: /openapi.json lists the API",
        uri.path()
    ))
}

async fn method_not_allowed(method: axum::http::Method, uri: axum::http::Uri) -> ApiError {
    ApiError::new(
        StatusCode::METHOD_NOT_ALLOWED,
        "method_not_allowed",
        format!("{method} is not allowed on {}", uri.path()),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn non_loopback_without_auth_is_refused() {
        let public: SocketAddr = "0.0.0.0:7410".parse().unwrap();
        let loopback: SocketAddr = "127.0.0.1:7410".parse().unwrap();
        let mut config = HttpConfig::for_address(public);
        assert!(check_exposure(public, &config).is_ok());
        config.require_auth = false;
        let refusal = check_exposure(public, &config).unwrap_err();
        assert!(refusal.contains("--no-auth"), "{refusal}");
        assert!(check_exposure(loopback, &config).is_ok());
    }

    #[test]
    fn public_urls_default_to_a_reachable_address() {
        let config = HttpConfig::for_address("0.0.0.0:9000".parse().unwrap());
        assert_eq!(config.public_url, "http://127.0.0.1:9000");
        assert!(config.allowed_hosts.is_none());
        let config = HttpConfig::for_address("[::1]:9000".parse().unwrap());
        assert_eq!(config.public_url, "http://[::1]:9000");
        assert!(config.allowed_hosts.is_some());
        assert!(
            config
                .clone()
                .with_public_url("https://imprint.example/")
                .is_ok()
        );
        assert!(config.with_public_url("imprint.example/x").is_err());
    }
}
