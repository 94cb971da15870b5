//! `/cp`: the control panel. Server-rendered pages, no client-side script.
//!
//! Signing in: `GET /cp/login?token=…` with a valid token (or the server's launch
//! token, printed as a ready URL) opens a session and redirects into `/cp` (or to the
//! page that sent the visitor to log in). Without a session every page redirects to
//! the login page. Every form carries the session's CSRF token, checked by
//! [`PanelForm`]; the cookie is SameSite=Strict and [`crate::guard`] refuses forms
//! from other origins, so a forged post needs to beat three independent locks.
//!
//! # Layout
//! - [`session`]: sessions, cookies, flash messages.
//! - [`html`]: escaping, the layout, components, the line diff.
//! - [`configs`]: dashboard and MCP config pages (draft, history, diff, deploy).
//! - [`content`]: entries, drafts, revisions.

pub(crate) mod all;
pub(crate) mod configs;
pub(crate) mod content;
pub(crate) mod html;
pub(crate) mod session;
mod team;

use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::request::Parts;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Form, Router};
use imprint_service::{Service, ServiceResult};
use serde::Deserialize;
use serde::de::DeserializeOwned;
use serde_json::{Map, Value};

use crate::auth::constant_time_eq;
use crate::error::ApiError;
use crate::extract::QueryParams;
use crate::state::{AppState, blocking};
use html::{Chrome, esc, url_encode};
use session::Session;

pub(crate) fn routes() -> Router<AppState> {
    Router::new()
        .route("/cp/login", get(login_page).post(login_form))
        .route("/cp/logout", post(logout))
        .route("/cp/assets/app.css", get(stylesheet))
        .merge(configs::routes())
        .merge(content::routes())
        .merge(team::routes())
}

/// A signed-in visitor: the session, and the service acting as them.
pub(crate) struct Panel {
    /// The action a posted form runs and its path: checked against the role table before
    /// it runs, and run through the service's one entry point (see [`Panel::run`]).
    pub(crate) action: Option<(&'static str, String)>,
    pub(crate) session_id: String,
    pub(crate) session: Session,
    pub(crate) flash: Option<(bool, String)>,
    pub(crate) service: Service,
    pub(crate) state: AppState,
}

impl Panel {
    pub(crate) fn chrome(&self) -> Chrome<'_> {
        Chrome {
            user: &self.session.principal.name,
            csrf: &self.session.csrf,
            flash: self.flash.clone(),
        }
    }

    /// A page in the layout.
    pub(crate) fn page(&self, title: &str, body: &str) -> Response {
        Html(html::layout(title, &self.chrome(), body)).into_response()
    }

    /// Runs service calls off the async workers; a posted form's action through the
    /// service's one entry point (role check, and its audit row written with its change).
    pub(crate) async fn run<T, F>(&self, operation: F) -> Result<T, ApiError>
    where
        T: Send + 'static,
        F: FnOnce(&Service) -> ServiceResult<T> + Send + 'static,
    {
        let service = self.service.clone();
        let action = self.action.clone();
        blocking(move || match action {
            Some((name, target)) => service.perform(name, &target, operation),
            None => operation(&service),
        })
        .await
    }

    /// After a form: a message for the next page, and a redirect to it.
    pub(crate) fn done(&self, result: Result<String, ApiError>, back: &str) -> Response {
        match result {
            Ok(message) => self.state.sessions.flash(&self.session_id, true, message),
            Err(error) => self.state.sessions.flash(
                &self.session_id,
                false,
                error.panel_message().to_string(),
            ),
        }
        Redirect::to(back).into_response()
    }

    /// An error as a page in the layout, with the API's status.
    pub(crate) fn error_page(&self, error: ApiError) -> Response {
        let status = error.status();
        let body = format!(
            "<p class=\"flash error\" role=\"alert\">{}</p><p><a href=\"/cp\">Back to the dashboard</a></p>",
            esc(error.panel_message())
        );
        let mut response = self.page(status.canonical_reason().unwrap_or("Error"), &body);
        *response.status_mut() = status;
        response
    }
}

fn to_login(parts: &Parts) -> Response {
    let next = parts
        .uri
        .path_and_query()
        .map(|pq| pq.as_str().to_string())
        .unwrap_or_else(|| "/cp".to_string());
    Redirect::to(&format!("/cp/login?next={}", url_encode(&next))).into_response()
}

impl FromRequestParts<AppState> for Panel {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Response> {
        let Some(id) = state.sessions.id_from(&parts.headers) else {
            return Err(to_login(parts));
        };
        let Some((session, flash)) = state.sessions.open(&id) else {
            return Err(to_login(parts));
        };
        if let Err(error) = state.recheck(&session.principal).await {
            tracing::info!(user = %session.principal.name, error = %error, "ending a session whose token no longer works");
            state.sessions.remove(&id);
            return Err(to_login(parts));
        }
        Ok(Panel {
            action: None,
            service: state
                .service
                .acting_for(&session.principal, imprint_service::roles::Surface::Panel),
            session_id: id,
            session,
            flash,
            state: state.clone(),
        })
    }
}

/// A form posted by a signed-in visitor, with its CSRF token checked. Handlers that
/// change anything take this, so none can forget the check.
pub(crate) struct PanelForm<T> {
    pub(crate) panel: Panel,
    pub(crate) form: T,
}

impl<T: DeserializeOwned> FromRequest<AppState> for PanelForm<T> {
    type Rejection = Response;

    async fn from_request(request: Request, state: &AppState) -> Result<Self, Response> {
        let (mut parts, body) = request.into_parts();
        let mut panel = Panel::from_request_parts(&mut parts, state).await?;
        let path = parts.uri.path().to_string();
        match panel_action(&path) {
            Some(PanelAction::Session) => {}
            Some(PanelAction::Runs(operation)) => {
                if let Err(refused) = panel.service.authorize(operation) {
                    return Err(panel.error_page(ApiError::from(refused)));
                }
                panel.action = Some((operation, path));
            }
            None => {
                return Err(panel.error_page(ApiError::forbidden(format!(
                    "the form {path} has no role in the role table"
                ))));
            }
        }
        let request = Request::from_parts(parts, body);
        let Form(fields) = Form::<Vec<(String, String)>>::from_request(request, state)
            .await
            .map_err(|e| panel.error_page(ApiError::bad_request(e.body_text())))?;
        let csrf = fields
            .iter()
            .find(|(name, _)| name == "_csrf")
            .map(|(_, value)| value.as_str())
            .unwrap_or_default();
        if !constant_time_eq(csrf.as_bytes(), panel.session.csrf.as_bytes()) {
            tracing::warn!(user = %panel.session.principal.name, "refused a form without a valid CSRF token");
            return Err(panel.error_page(ApiError::forbidden(
                "this form is not valid any more (it came from another page or an old session): reload the page and try again",
            )));
        }
        // A repeated name (a group of checkboxes) becomes an array of its values.
        let mut map: Map<String, Value> = Map::new();
        for (name, value) in fields.into_iter().filter(|(name, _)| name != "_csrf") {
            match map.get_mut(&name) {
                None => {
                    map.insert(name, Value::String(value));
                }
                Some(Value::Array(items)) => items.push(Value::String(value)),
                Some(existing) => {
                    let first = existing.take();
                    *existing = Value::Array(vec![first, Value::String(value)]);
                }
            }
        }
        let form = serde_json::from_value(Value::Object(map)).map_err(|e| {
            panel.error_page(ApiError::bad_request(format!(
                "the form is incomplete: {e}"
            )))
        })?;
        Ok(PanelForm { panel, form })
    }
}

/// What a posted form does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum PanelAction {
    /// Signs in or out: no operation.
    Session,
    /// Runs this operation (a name in `imprint_service::roles::RULES`).
    Runs(&'static str),
}

/// Every form the panel posts and the operation it runs: the role each needs is the
/// operation's in the one role table.
pub(crate) const PANEL_ACTIONS: &[(&str, PanelAction)] = &[
    ("/cp/logout", PanelAction::Session),
    ("/cp/entries/new", PanelAction::Runs("create_entry")),
    ("/cp/entries/{}/edit", PanelAction::Runs("update_entry")),
    ("/cp/entries/{}/drafts", PanelAction::Runs("create_draft")),
    ("/cp/entries/{}/revert", PanelAction::Runs("revert_entry")),
    ("/cp/entries/{}/restore", PanelAction::Runs("restore_entry")),
    ("/cp/drafts/{}/edit", PanelAction::Runs("update_draft")),
    ("/cp/drafts/{}/apply", PanelAction::Runs("apply_draft")),
    ("/cp/drafts/{}/delete", PanelAction::Runs("delete_draft")),
    ("/cp/drafts/{}/request", PanelAction::Runs("request_apply")),
    (
        "/cp/configs/{}/{}/draft/add",
        PanelAction::Runs("add_server_to_config"),
    ),
    (
        "/cp/configs/{}/{}/draft/remove",
        PanelAction::Runs("remove_server_from_config"),
    ),
    (
        "/cp/configs/{}/{}/draft/clear",
        PanelAction::Runs("clear_draft_config"),
    ),
    (
        "/cp/configs/{}/{}/import",
        PanelAction::Runs("import_config"),
    ),
    (
        "/cp/configs/{}/{}/publish",
        PanelAction::Runs("publish_config"),
    ),
    (
        "/cp/configs/{}/{}/request",
        PanelAction::Runs("request_publish"),
    ),
    (
        "/cp/configs/{}/{}/deploy",
        PanelAction::Runs("deploy_config"),
    ),
    (
        "/cp/configs/{}/{}/rollback",
        PanelAction::Runs("rollback_config"),
    ),
    (
        "/cp/requests/{}/approve",
        PanelAction::Runs("approve_request"),
    ),
    (
        "/cp/requests/{}/reject",
        PanelAction::Runs("reject_request"),
    ),
];

/// The action of the form posted to `path` (`{}` in a pattern is one path segment).
pub(crate) fn panel_action(path: &str) -> Option<PanelAction> {
    let segments: Vec<&str> = path.split('/').collect();
    PANEL_ACTIONS.iter().find_map(|(pattern, action)| {
        crate::rest::openapi::literal_segments(pattern, &segments).map(|_| *action)
    })
}

/// Only same-site paths inside the panel, made of characters a `Location` header and a
/// URL carry as they are, so the login page can neither redirect a visitor elsewhere nor
/// fail to build its redirect (a decoded `%01` is not a valid header byte).
fn safe_next(next: Option<&str>) -> String {
    match next {
        Some(next) if is_panel_path(next) => next.to_string(),
        _ => "/cp".to_string(),
    }
}

fn is_panel_path(next: &str) -> bool {
    let Some(rest) = next.strip_prefix("/cp") else {
        return false;
    };
    let path = next.split(['?', '#']).next().unwrap_or_default();
    // `/cp/..` and `/cp/%2e%2e` leave the panel once a browser resolves them.
    let leaves_panel = path
        .split('/')
        .any(|segment| segment == ".." || segment.to_ascii_lowercase().contains("%2e"));
    (rest.is_empty() || rest.starts_with(['/', '?', '#']))
        && !next.starts_with("/cp/login")
        && !leaves_panel
        && next.bytes().all(is_url_safe)
}

/// RFC 3986's unreserved and reserved characters and `%`: no controls, spaces,
/// backslashes, quotes, angle brackets or non-ASCII.
fn is_url_safe(byte: u8) -> bool {
    byte.is_ascii_alphanumeric() || b"-._~!$&'()*+,;=:@/?#%[]".contains(&byte)
}

#[derive(Debug, Default, Deserialize)]
pub(crate) struct LoginQuery {
    token: Option<String>,
    next: Option<String>,
    /// Set by the login page's own refresh, so it refreshes once at most.
    checked: Option<String>,
}

fn signed_in(state: &AppState, session_id: &str, next: &str) -> Response {
    let mut response = Redirect::to(next).into_response();
    if let Ok(cookie) = HeaderValue::from_str(&state.sessions.set_cookie(session_id)) {
        response.headers_mut().insert(header::SET_COOKIE, cookie);
    }
    response
}

async fn open_session(
    state: &AppState,
    secret: Option<String>,
    next: &str,
) -> Result<Response, ApiError> {
    let principal = match secret.filter(|s| !s.trim().is_empty()) {
        Some(secret) => state.verify_secret(secret.trim().to_string()).await?,
        None if !state.config.require_auth => state.local_principal(),
        None => return Err(ApiError::unauthorized("a token is required", false)),
    };
    let id = state
        .sessions
        .create(principal)
        .map_err(|e| ApiError::internal(format!("no randomness for a session id: {e}")))?;
    Ok(signed_in(state, &id, next))
}

fn login_form_html(next: &str, message: Option<&str>) -> String {
    let message = message
        .map(|m| format!("<p class=\"flash error\" role=\"alert\">{}</p>", esc(m)))
        .unwrap_or_default();
    format!(
        "{message}<p>Sign in with an API token (<code>imprint token create --name you</code>) \
or open the login URL that <code>imprint serve --http</code> printed.</p>\
<form method=\"post\" action=\"/cp/login\" class=\"stack\">\
<label>Token <input type=\"password\" name=\"token\" autocomplete=\"off\" required></label>{}\
<button>Sign in</button></form>",
        html::hidden("next", next)
    )
}

async fn login_page(
    axum::extract::State(state): axum::extract::State<AppState>,
    headers: axum::http::HeaderMap,
    QueryParams(query): QueryParams<LoginQuery>,
) -> Response {
    let next = safe_next(query.next.as_deref());
    if query.token.is_some() || !state.config.require_auth {
        return match open_session(&state, query.token, &next).await {
            Ok(response) => response,
            Err(error) => {
                let mut response = Html(html::bare(
                    "Sign in",
                    &login_form_html(&next, Some(error.message())),
                    "",
                ))
                .into_response();
                *response.status_mut() = StatusCode::UNAUTHORIZED;
                response
            }
        };
    }
    // Already signed in (the cookie can be missing from the first request of a
    // navigation that started on another site: SameSite=Strict). One refresh from this
    // page is same-site, so the cookie comes along and the visitor goes on.
    if let Some(id) = state.sessions.id_from(&headers)
        && state.sessions.open(&id).is_some()
    {
        return Redirect::to(&next).into_response();
    }
    let refresh = if query.checked.is_none() {
        format!(
            "<meta http-equiv=\"refresh\" content=\"0;url=/cp/login?checked=1&amp;next={}\">",
            html::attr(&url_encode(&next))
        )
    } else {
        String::new()
    };
    Html(html::bare(
        "Sign in",
        &login_form_html(&next, None),
        &refresh,
    ))
    .into_response()
}

#[derive(Debug, Deserialize)]
pub(crate) struct LoginForm {
    token: String,
    next: Option<String>,
}

async fn login_form(
    axum::extract::State(state): axum::extract::State<AppState>,
    Form(form): Form<LoginForm>,
) -> Response {
    let next = safe_next(form.next.as_deref());
    match open_session(&state, Some(form.token), &next).await {
        Ok(response) => response,
        Err(error) => {
            let mut response = Html(html::bare(
                "Sign in",
                &login_form_html(&next, Some(error.message())),
                "",
            ))
            .into_response();
            *response.status_mut() = StatusCode::UNAUTHORIZED;
            response
        }
    }
}

#[derive(Debug, Deserialize)]
pub(crate) struct Empty {}

async fn logout(PanelForm { panel, .. }: PanelForm<Empty>) -> Response {
    panel.state.sessions.remove(&panel.session_id);
    let mut response = Redirect::to("/cp/login?checked=1").into_response();
    if let Ok(cookie) = HeaderValue::from_str(&panel.state.sessions.clear_cookie()) {
        response.headers_mut().insert(header::SET_COOKIE, cookie);
    }
    response
}

async fn stylesheet() -> Response {
    (
        [
            (header::CONTENT_TYPE, "text/css; charset=utf-8"),
            (header::CACHE_CONTROL, "public, max-age=3600"),
        ],
        include_str!("app.css"),
    )
        .into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn next_stays_inside_the_panel() {
        assert_eq!(
            safe_next(Some("/cp/entries/5?draftId=x")),
            "/cp/entries/5?draftId=x"
        );
        for bad in [
            "https://evil.example",
            "//evil.example",
            "/v1/clients",
            "/cp/login?next=/x",
            "/cp\\@evil",
            "/cp\u{1}",
            "/cp\0",
            "/cp\u{7f}",
            "/cp\u{1b}",
            "/cp/a b",
            "/cp/\u{e9}",
            "/cpanel",
            "/cp/../v1/clients",
            "/cp/%2E%2E/v1/clients",
        ] {
            assert_eq!(safe_next(Some(bad)), "/cp", "{bad}");
        }
        assert_eq!(safe_next(None), "/cp");
        assert_eq!(safe_next(Some("/cp?x=1")), "/cp?x=1");
        assert_eq!(safe_next(Some("/cp/configs%2Fx")), "/cp/configs%2Fx");
    }
}
