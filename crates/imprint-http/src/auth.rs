//! Who is calling: tokens from `Authorization: Bearer …` or `X-API-Key: …`.
//!
//! Stored tokens are checked by the service (hashed, in the database, so a token minted
//! by `imprint token create` in another process works here at once). A server also has
//! a [`LaunchToken`]: a secret that lives only in this process, printed in the ready
//! login URL, and acting as the person who started the server. REST and MCP accept
//! header credentials only, never the control panel's cookie, so a browser page on
//! another site cannot ride on a logged-in session.

use std::sync::Arc;

use axum::extract::FromRequestParts;
use axum::http::HeaderMap;
use axum::http::request::Parts;
use imprint_service::auth::{self, Principal};
use imprint_service::roles::{self, Role, Surface};
use imprint_service::{Service, ServiceError, ServiceResult};

use crate::error::ApiError;
use crate::state::{AppState, blocking};

/// A credential valid for the life of one server process: printed in its login URL so
/// the person who started it can sign in to the control panel without minting a token.
#[derive(Clone)]
pub struct LaunchToken {
    secret_sha256: Arc<str>,
    name: Arc<str>,
}

impl std::fmt::Debug for LaunchToken {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LaunchToken")
            .field("name", &self.name)
            .field("secret_sha256", &"<redacted>")
            .finish()
    }
}

impl LaunchToken {
    /// A fresh launch token acting as `name`, and its secret (to print once).
    pub fn generate(name: &str) -> ServiceResult<(Self, String)> {
        let secret = auth::generate_secret()?;
        let token = Self {
            secret_sha256: auth::hash_secret(&secret).into(),
            name: name.into(),
        };
        Ok((token, secret))
    }

    fn matches(&self, secret: &str) -> bool {
        constant_time_eq(
            auth::hash_secret(secret).as_bytes(),
            self.secret_sha256.as_bytes(),
        )
    }

    fn principal(&self) -> Principal {
        // The person who started the server: the machine's owner.
        Principal {
            name: self.name.to_string(),
            token_id: None,
            role: Role::Admin,
        }
    }
}

/// Compares without an early exit, so timing says nothing about where inputs differ.
pub(crate) fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// The secret a request carries, if any.
pub(crate) fn header_secret(headers: &HeaderMap) -> Result<Option<String>, ApiError> {
    if let Some(value) = headers.get(axum::http::header::AUTHORIZATION) {
        let text = value
            .to_str()
            .map_err(|_| ApiError::unauthorized("the Authorization header is not text", true))?;
        let (scheme, secret) = text.trim().split_once(' ').unwrap_or((text, ""));
        if !scheme.eq_ignore_ascii_case("bearer") || secret.trim().is_empty() {
            return Err(ApiError::unauthorized(
                "use 'Authorization: Bearer <token>' (or 'X-API-Key: <token>'); tokens come from imprint token create",
                true,
            ));
        }
        return Ok(Some(secret.trim().to_string()));
    }
    if let Some(value) = headers.get("x-api-key") {
        let secret = value
            .to_str()
            .map_err(|_| ApiError::unauthorized("the X-API-Key header is not text", true))?
            .trim();
        if secret.is_empty() {
            return Err(ApiError::unauthorized(
                "the X-API-Key header is empty",
                true,
            ));
        }
        return Ok(Some(secret.to_string()));
    }
    Ok(None)
}

impl AppState {
    /// Checks a secret: the launch token first (no database), then the stored tokens.
    pub(crate) async fn verify_secret(&self, secret: String) -> Result<Principal, ApiError> {
        if let Some(launch) = &self.config.launch_token
            && launch.matches(&secret)
        {
            return Ok(launch.principal());
        }
        let service = self.service.clone();
        // Unauthorized maps to 401 with an `invalid_token` challenge; a broken store
        // stays a 500 rather than posing as a bad credential.
        blocking(move || service.authenticate(&secret)).await
    }

    /// Who a REST or MCP request acts as. Without credentials: 401, unless the server
    /// runs with `--no-auth` (loopback only), where it acts as the local user.
    pub(crate) async fn principal(&self, headers: &HeaderMap) -> Result<Principal, ApiError> {
        match header_secret(headers)? {
            Some(secret) => self.verify_secret(secret).await,
            None if !self.config.require_auth => Ok(self.local_principal()),
            None => Err(missing_credentials()),
        }
    }

    /// The person who started the server.
    pub(crate) fn local_principal(&self) -> Principal {
        Principal {
            name: self.service.actor().to_string(),
            token_id: None,
            role: Role::Admin,
        }
    }

    /// Re-checks a principal held by a session (its token may have been revoked).
    pub(crate) async fn recheck(&self, principal: &Principal) -> Result<(), ServiceError> {
        let Some(token_id) = principal.token_id.clone() else {
            return Ok(());
        };
        let service = self.service.clone();
        match tokio::task::spawn_blocking(move || service.check_token(&token_id)).await {
            Ok(result) => result.map(|_| ()),
            Err(e) => Err(ServiceError::internal(format!(
                "a token check did not finish: {e}"
            ))),
        }
    }
}

/// The authenticated caller of a REST handler: its first extractor.
///
/// A request without credentials (or with a malformed header) is refused here, before
/// its body is read. Checking a stored token needs the database, so that check runs
/// in the same trip to the blocking pool as the operation ([`Caller::run`]): one hop
/// per request instead of two, which is most of the HTTP layer's cost per request.
pub(crate) struct Caller {
    state: AppState,
    credential: Credential,
    /// The route's operation (its OpenAPI id, snake-cased): what the role table is asked.
    operation: Option<String>,
    /// The request's path, recorded in the audit log.
    target: String,
}

enum Credential {
    /// Already known: the launch token, or `--no-auth`.
    Known(Principal),
    /// A stored token, checked with the operation.
    Secret(String),
}

impl Caller {
    /// Authenticates, then runs one service operation acting as the caller, off the
    /// async workers (see [`blocking`]).
    pub(crate) async fn run<T, F>(self, operation: F) -> Result<T, ApiError>
    where
        T: Send + 'static,
        F: FnOnce(&Service) -> ServiceResult<T> + Send + 'static,
    {
        let service = self.state.service.clone();
        let credential = self.credential;
        let (name, target) = (self.operation, self.target);
        blocking(move || {
            let principal = match credential {
                Credential::Known(principal) => principal,
                Credential::Secret(secret) => service.authenticate(&secret)?,
            };
            let Some(name) = name else {
                return Err(ServiceError::internal(format!(
                    "route {target} is not in the OpenAPI table, so it has no role"
                )));
            };
            service
                .acting_for(&principal, Surface::Rest)
                .perform(&name, &target, operation)
        })
        .await
    }
}

impl FromRequestParts<AppState> for Caller {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        let credential = match header_secret(&parts.headers)? {
            Some(secret) => match &state.config.launch_token {
                Some(launch) if launch.matches(&secret) => Credential::Known(launch.principal()),
                _ => Credential::Secret(secret),
            },
            None if !state.config.require_auth => Credential::Known(state.local_principal()),
            None => return Err(missing_credentials()),
        };
        let operation = crate::rest::openapi::operation_id(parts.method.as_str(), parts.uri.path())
            .map(roles::snake_case);
        Ok(Caller {
            state: state.clone(),
            credential,
            operation,
            target: parts.uri.path().to_string(),
        })
    }
}

fn missing_credentials() -> ApiError {
    ApiError::unauthorized(
        "authentication required: send 'Authorization: Bearer <token>' or 'X-API-Key: <token>' (imprint token create makes one)",
        false,
    )
}

#[cfg(test)]
mod tests {
    use axum::http::HeaderValue;

    use super::*;

    #[test]
    fn bearer_and_api_key_headers_carry_the_secret() {
        let mut headers = HeaderMap::new();
        assert_eq!(header_secret(&headers).unwrap(), None);
        headers.insert("x-api-key", HeaderValue::from_static("imp_b"));
        assert_eq!(header_secret(&headers).unwrap().as_deref(), Some("imp_b"));
        headers.insert("authorization", HeaderValue::from_static("bearer imp_a"));
        assert_eq!(header_secret(&headers).unwrap().as_deref(), Some("imp_a"));
        headers.insert("authorization", HeaderValue::from_static("Basic dXNlcjpw"));
        assert!(header_secret(&headers).is_err());
    }

    #[test]
    fn launch_tokens_match_only_their_secret() {
        let (token, secret) = LaunchToken::generate("alice").unwrap();
        assert!(token.matches(&secret));
        assert!(!token.matches("imp_other"));
        assert!(!format!("{token:?}").contains(&secret));
    }
}
