//! Browser safety, applied to every request before routing: `Host` checks against DNS
//! rebinding, `Origin` checks, CORS from an explicit allow-list, and security headers.
//!
//! - **Host**: when the server is bound to loopback, only loopback names and the public
//!   URL's host are served. A DNS-rebinding page (evil.example resolving to 127.0.0.1)
//!   arrives with `Host: evil.example` and gets 403.
//! - **Origin on `/mcp`**: any request carrying a foreign `Origin` gets 403, as the MCP
//!   transport specification requires. Non-browser clients send no `Origin` and pass.
//! - **Origin on `/v1`**: state-changing methods with a foreign `Origin` get 403 (safe
//!   methods are left to CORS: the browser will not let the page read the answer).
//! - **Origin on `/cp`**: forms may only be posted from the control panel itself; the
//!   CSRF token and the SameSite=Strict cookie are the other two locks.
//! - **CORS**: origins given with `--cors-origin` may call `/v1` and `/mcp` from pages;
//!   none by default. Credentials are headers (no cookies), so no
//!   `Access-Control-Allow-Credentials`.
//!
//! "Foreign" means neither the server's own origin (`http://{Host}` or the public URL's
//! origin) nor on the CORS allow-list.

use axum::extract::{Request, State};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use crate::HttpConfig;
use crate::error::ApiError;
use crate::state::AppState;

/// Which part of the server a path belongs to; each has its own origin rules.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Area {
    Api,
    Mcp,
    Panel,
    Other,
}

impl Area {
    fn of(path: &str) -> Self {
        let under = |prefix: &str| {
            path == prefix
                || path
                    .strip_prefix(prefix)
                    .is_some_and(|rest| rest.starts_with('/'))
        };
        if under("/v1") || path == "/openapi.json" {
            Area::Api
        } else if under("/mcp") || under("/sse") || under("/message") {
            // `/sse` + `/message`: MCP's older HTTP+SSE transport, the same rules.
            Area::Mcp
        } else if under("/cp") {
            Area::Panel
        } else {
            Area::Other
        }
    }
}

/// The allow-lists, normalized once at start-up.
pub(crate) struct OriginPolicy {
    public_origin: Option<String>,
    cors: Vec<String>,
    allowed_hosts: Option<Vec<String>>,
}

impl OriginPolicy {
    pub(crate) fn new(config: &HttpConfig) -> Self {
        let public_origin = normalize_origin(&config.public_url);
        let cors = config
            .cors_origins
            .iter()
            .filter_map(|origin| normalize_origin(origin))
            .collect();
        let allowed_hosts = config.allowed_hosts.as_ref().map(|hosts| {
            let mut hosts: Vec<String> = hosts.iter().map(|h| h.to_ascii_lowercase()).collect();
            if let Some(public) = &public_origin
                && let Some((_, authority)) = public.split_once("://")
            {
                hosts.push(hostname(authority).to_string());
            }
            hosts
        });
        Self {
            public_origin,
            cors,
            allowed_hosts,
        }
    }

    fn host_allowed(&self, host: Option<&str>) -> bool {
        let Some(allowed) = &self.allowed_hosts else {
            return true;
        };
        let Some(host) = host else {
            return false;
        };
        let name = hostname(host).to_ascii_lowercase();
        allowed.contains(&name)
    }

    /// The page was served by this server (same scheme, host and port).
    fn is_own(&self, origin: &str, host: Option<&str>) -> bool {
        let Some(origin) = normalize_origin(origin) else {
            return false;
        };
        if self.public_origin.as_deref() == Some(origin.as_str()) {
            return true;
        }
        host.and_then(|host| normalize_origin(&format!("http://{host}")))
            .is_some_and(|own| own == origin)
    }

    fn is_cors_allowed(&self, origin: &str) -> bool {
        normalize_origin(origin).is_some_and(|origin| self.cors.contains(&origin))
    }
}

/// `scheme://host[:port]`, lowercased, default port dropped; `None` for anything else
/// (including the opaque origin `null`).
pub(crate) fn normalize_origin(text: &str) -> Option<String> {
    let text = text.trim().trim_end_matches('/');
    let (scheme, authority) = text.split_once("://")?;
    let scheme = scheme.to_ascii_lowercase();
    if !matches!(scheme.as_str(), "http" | "https")
        || authority.is_empty()
        || authority.contains(['/', '?', '#', '@', ' '])
    {
        return None;
    }
    let authority = authority.to_ascii_lowercase();
    let default_port = if scheme == "https" { ":443" } else { ":80" };
    let authority = authority
        .strip_suffix(default_port)
        .unwrap_or(&authority)
        .to_string();
    Some(format!("{scheme}://{authority}"))
}

/// The host name of a `Host` header or authority, without port or IPv6 brackets.
fn hostname(authority: &str) -> &str {
    if let Some(rest) = authority.strip_prefix('[') {
        return rest.split(']').next().unwrap_or(rest);
    }
    match authority.rsplit_once(':') {
        Some((name, port)) if port.bytes().all(|b| b.is_ascii_digit()) => name,
        _ => authority,
    }
}

fn is_safe(method: &Method) -> bool {
    matches!(*method, Method::GET | Method::HEAD | Method::OPTIONS)
}

const ALLOWED_METHODS: &str = "GET, POST, PUT, PATCH, DELETE, OPTIONS";
const ALLOWED_HEADERS: &str = "authorization, x-api-key, content-type, if-match, mcp-protocol-version, mcp-session-id, mcp-method, last-event-id";
const EXPOSED_HEADERS: &str = "etag, www-authenticate, mcp-session-id, mcp-protocol-version";

/// The middleware: refuses what the rules above refuse, answers CORS preflights, and
/// adds security headers to every response.
pub(crate) async fn guard(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let headers = request.headers();
    let host = headers
        .get(header::HOST)
        .and_then(|v| v.to_str().ok())
        .map(str::to_string);
    if !state.origins.host_allowed(host.as_deref()) {
        tracing::warn!(host = ?host, "refused a request for a foreign Host (possible DNS rebinding)");
        return ApiError::forbidden(format!(
            "this server does not answer for host '{}': use the address it printed, or start it with --allow-host",
            host.as_deref().unwrap_or("")
        ))
        .into_response();
    }
    let area = Area::of(request.uri().path());
    let method = request.method().clone();
    let origin = headers
        .get(header::ORIGIN)
        .map(|value| value.to_str().unwrap_or("<not text>").to_string());
    let own = origin
        .as_deref()
        .is_some_and(|o| state.origins.is_own(o, host.as_deref()));
    let cors = !own
        && origin
            .as_deref()
            .is_some_and(|o| state.origins.is_cors_allowed(o));

    if let Some(origin) = origin.as_deref() {
        match area {
            Area::Api | Area::Mcp => {
                let preflight = method == Method::OPTIONS
                    && headers.contains_key(header::ACCESS_CONTROL_REQUEST_METHOD);
                if preflight {
                    return if own || cors {
                        preflight_response(origin)
                    } else {
                        foreign_origin(origin, area)
                    };
                }
                if (area == Area::Mcp || !is_safe(&method)) && !own && !cors {
                    tracing::warn!(origin, path = %request.uri().path(), "refused a request from a foreign Origin");
                    return foreign_origin(origin, area);
                }
            }
            Area::Panel if !is_safe(&method) && !own => {
                tracing::warn!(
                    origin,
                    "refused a control panel form posted from another origin"
                );
                return ApiError::forbidden(
                    "control panel forms can only be sent from the control panel itself",
                )
                .into_response();
            }
            _ => {}
        }
    }

    let mut response = next.run(request).await;
    let headers = response.headers_mut();
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    match area {
        Area::Api | Area::Mcp => {
            headers.append(header::VARY, HeaderValue::from_static("origin"));
            if cors && let Some(origin) = origin.as_deref() {
                allow_origin(headers, origin);
                headers.insert(
                    header::ACCESS_CONTROL_EXPOSE_HEADERS,
                    HeaderValue::from_static(EXPOSED_HEADERS),
                );
            }
            headers
                .entry(header::CACHE_CONTROL)
                .or_insert(HeaderValue::from_static("no-store"));
            headers.insert(
                header::REFERRER_POLICY,
                HeaderValue::from_static("no-referrer"),
            );
        }
        Area::Panel => {
            // Not `no-referrer`: with it, browsers send `Origin: null` on the panel's
            // own form posts, which the origin check above would refuse.
            headers.insert(
                header::REFERRER_POLICY,
                HeaderValue::from_static("same-origin"),
            );
            // No inline script anywhere, so the policy can forbid all script; framing
            // is forbidden so the buttons cannot be clickjacked.
            headers.insert(
                header::CONTENT_SECURITY_POLICY,
                HeaderValue::from_static(
                    "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
                ),
            );
            headers.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
            headers
                .entry(header::CACHE_CONTROL)
                .or_insert(HeaderValue::from_static("no-store"));
        }
        Area::Other => {}
    }
    response
}

fn allow_origin(headers: &mut HeaderMap, origin: &str) {
    if let Ok(value) = HeaderValue::from_str(origin) {
        headers.insert(header::ACCESS_CONTROL_ALLOW_ORIGIN, value);
    }
}

fn preflight_response(origin: &str) -> Response {
    let mut response = StatusCode::NO_CONTENT.into_response();
    let headers = response.headers_mut();
    allow_origin(headers, origin);
    headers.insert(
        header::ACCESS_CONTROL_ALLOW_METHODS,
        HeaderValue::from_static(ALLOWED_METHODS),
    );
    headers.insert(
        header::ACCESS_CONTROL_ALLOW_HEADERS,
        HeaderValue::from_static(ALLOWED_HEADERS),
    );
    headers.insert(
        header::ACCESS_CONTROL_MAX_AGE,
        HeaderValue::from_static("600"),
    );
    headers.insert(header::VARY, HeaderValue::from_static("origin"));
    response
}

fn foreign_origin(origin: &str, area: Area) -> Response {
    let what = if area == Area::Mcp { "/mcp" } else { "the API" };
    ApiError::forbidden(format!(
        "origin '{origin}' may not use {what}: start the server with --cors-origin {origin} to allow pages from it"
    ))
    .into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn policy(cors: &[&str], hosts: Option<&[&str]>) -> OriginPolicy {
        OriginPolicy::new(&HttpConfig {
            require_auth: true,
            launch_token: None,
            public_url: "http://127.0.0.1:7410".into(),
            cors_origins: cors.iter().map(|s| s.to_string()).collect(),
            allowed_hosts: hosts.map(|h| h.iter().map(|s| s.to_string()).collect()),
            limits: Default::default(),
            toolsets: Default::default(),
        })
    }

    #[test]
    fn origins_normalize_scheme_case_and_default_ports() {
        assert_eq!(
            normalize_origin("HTTP://Example.COM:80").as_deref(),
            Some("http://example.com")
        );
        assert_eq!(
            normalize_origin("https://a.example:443/").as_deref(),
            Some("https://a.example")
        );
        assert_eq!(
            normalize_origin("http://a.example:8080").as_deref(),
            Some("http://a.example:8080")
        );
        for bad in ["null", "file:///x", "http://", "http://a/b", "javascript:x"] {
            assert_eq!(normalize_origin(bad), None, "{bad}");
        }
    }

    #[test]
    fn own_origin_is_the_host_or_the_public_url() {
        let policy = policy(&[], None);
        assert!(policy.is_own("http://localhost:9000", Some("localhost:9000")));
        assert!(policy.is_own("http://127.0.0.1:7410", Some("other:1")));
        assert!(!policy.is_own("http://localhost:9001", Some("localhost:9000")));
        assert!(!policy.is_own("https://evil.example", Some("localhost:9000")));
        assert!(!policy.is_own("null", Some("localhost:9000")));
    }

    #[test]
    fn cors_is_an_explicit_list() {
        let policy = policy(&["https://app.example"], None);
        assert!(policy.is_cors_allowed("https://app.example:443"));
        assert!(!policy.is_cors_allowed("https://other.example"));
        assert!(!policy.is_cors_allowed("http://app.example"));
    }

    #[test]
    fn hosts_are_checked_by_name_when_a_list_is_set() {
        let open = policy(&[], None);
        assert!(open.host_allowed(Some("anything.example")));
        let loopback = policy(&[], Some(&["localhost", "127.0.0.1", "::1"]));
        assert!(loopback.host_allowed(Some("localhost:7410")));
        assert!(loopback.host_allowed(Some("[::1]:7410")));
        assert!(loopback.host_allowed(Some("127.0.0.1")));
        assert!(!loopback.host_allowed(Some("evil.example:7410")));
        assert!(!loopback.host_allowed(None));
    }

    #[test]
    fn paths_fall_into_areas() {
        assert_eq!(Area::of("/v1/clients"), Area::Api);
        assert_eq!(Area::of("/openapi.json"), Area::Api);
        assert_eq!(Area::of("/mcp"), Area::Mcp);
        assert_eq!(Area::of("/mcpx"), Area::Other);
        assert_eq!(Area::of("/cp/entries/1"), Area::Panel);
        assert_eq!(Area::of("/healthz"), Area::Other);
    }
}
