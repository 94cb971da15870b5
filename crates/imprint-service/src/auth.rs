//! API tokens: create, list, revoke, authenticate.
//!
//! A token is `imp_` followed by 64 hex digits (32 random bytes). Only its SHA-256 is
//! stored, so a copy of the database does not hand out credentials, and a token minted
//! by the CLI works in a running server on the same data directory at once (both read
//! the same table). The secret is returned once, by [`Service::create_token`].
//!
//! A token's *name* is who it acts as: surfaces call [`Service::acting_as`] with it, so
//! it is recorded as the author of what the request publishes. One unrevoked token per
//! name keeps that identity unambiguous.
//!
//! ```
//! use imprint_service::{Service, ServiceOptions};
//!
//! let dir = std::env::temp_dir().join(format!("imprint-auth-doc-{}", std::process::id()));
//! let store = imprint_store_sqlite::SqliteStore::open_in_data_dir(&dir).unwrap();
//! let service = Service::new(ServiceOptions::new(dir.clone(), dir.clone()), std::sync::Arc::new(store));
//! let created = service.create_token("ci", None, imprint_service::roles::Role::Editor).unwrap();
//! let secret = created.token.as_str();
//! assert_eq!(service.authenticate(secret).unwrap().name, "ci");
//! assert!(service.authenticate("imp_wrong").is_err());
//! # std::fs::remove_dir_all(dir).ok();
//! ```

use std::time::Duration;

use imprint_engine::{canonical, timestamp};
use imprint_store::StoreError;
use imprint_store::tokens::TokenRow;
use serde::Serialize;

use crate::error::{ErrorKind, ServiceError, ServiceResult};
use crate::roles::Role;
use crate::{Service, new_id, now_millis};

/// What every token starts with, so secret scanners and people can recognise one.
pub const TOKEN_PREFIX: &str = "imp_";

/// Uses closer together than this are not written back (authentication stays a read).
const TOUCH_INTERVAL_MS: i64 = 60_000;

/// The longest accepted lifetime: ten years, far beyond any sane expiry, and far from
/// overflowing a millisecond timestamp.
const MAX_LIFETIME: Duration = Duration::from_secs(10 * 366 * 24 * 3600);

/// Who a request acts as, once its token checked out.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Principal {
    /// The token's name: recorded as author/creator.
    pub name: String,
    /// The stored token's id (`None` for credentials that live outside the store, such
    /// as a server's launch token).
    pub token_id: Option<String>,
    /// What it may do (the launch token and the local owner are `admin`).
    pub role: Role,
}

fn unauthorized(message: impl Into<String>) -> ServiceError {
    ServiceError::new(ErrorKind::Unauthorized, message)
}

/// Lowercase hex SHA-256 of a secret, the form in which tokens are stored.
pub fn hash_secret(secret: &str) -> String {
    canonical::sha256_hex(secret.as_bytes())
}

/// A fresh secret: [`TOKEN_PREFIX`] and 32 random bytes in hex.
pub fn generate_secret() -> ServiceResult<String> {
    let mut bytes = [0u8; 32];
    getrandom::fill(&mut bytes).map_err(|e| {
        ServiceError::internal(format!("the operating system gave no randomness: {e}"))
    })?;
    let mut secret = String::with_capacity(TOKEN_PREFIX.len() + 64);
    secret.push_str(TOKEN_PREFIX);
    for byte in bytes {
        secret.push_str(&format!("{byte:02x}"));
    }
    Ok(secret)
}

/// Parses a lifetime such as `90s`, `30m`, `12h`, `7d` or `2w` (a bare number is seconds).
pub fn parse_duration(text: &str) -> ServiceResult<Duration> {
    let text = text.trim();
    let split = text
        .find(|c: char| !c.is_ascii_digit())
        .unwrap_or(text.len());
    let (digits, unit) = text.split_at(split);
    let bad = || {
        ServiceError::invalid(format!(
            "'{text}' is not a duration: write a number and a unit, like 90s, 30m, 12h, 7d or 2w"
        ))
    };
    let amount: u64 = digits.parse().map_err(|_| bad())?;
    let seconds_per_unit: u64 = match unit {
        "" | "s" => 1,
        "m" => 60,
        "h" => 3600,
        "d" => 86_400,
        "w" => 7 * 86_400,
        _ => return Err(bad()),
    };
    let duration = Duration::from_secs(amount.saturating_mul(seconds_per_unit));
    if duration.is_zero() {
        return Err(ServiceError::invalid(
            "a token lifetime must be longer than zero",
        ));
    }
    if duration > MAX_LIFETIME {
        return Err(ServiceError::invalid(
            "a token lifetime can be at most ten years; leave --expires-in out for a token that never expires",
        ));
    }
    Ok(duration)
}

/// Token names become authors: short, printable, no spaces or markup.
fn validate_name(name: &str) -> ServiceResult<()> {
    let ok = !name.is_empty()
        && name.len() <= 64
        && name
            .chars()
            .next()
            .is_some_and(|c| c.is_ascii_alphanumeric())
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-' | '@'));
    if ok {
        Ok(())
    } else {
        Err(ServiceError::invalid(format!(
            "token name '{name}' is not valid: use 1-64 letters, digits, '.', '_', '-' or '@', starting with a letter or digit"
        )))
    }
}

fn status(row: &TokenRow, now: i64) -> &'static str {
    if row.revoked_at.is_some() {
        "revoked"
    } else if row.expires_at.is_some_and(|at| at <= now) {
        "expired"
    } else {
        "active"
    }
}

/// A token as it is shown: never its secret or its hash.
#[derive(Debug, Clone, Serialize)]
pub struct TokenView {
    pub id: String,
    pub name: String,
    /// `reader`, `editor`, `publisher` or `admin`.
    pub role: Role,
    /// `active`, `expired` or `revoked`.
    pub status: &'static str,
    pub created_at: String,
    pub expires_at: Option<String>,
    pub last_used_at: Option<String>,
    pub revoked_at: Option<String>,
    pub creator: Option<String>,
}

/// `create_token`: the new token, its secret shown this once.
#[derive(Clone, Serialize)]
pub struct TokenCreated {
    #[serde(flatten)]
    pub view: TokenView,
    /// The secret; stored nowhere (only its SHA-256 is).
    pub token: String,
    pub message: String,
}

impl std::fmt::Debug for TokenCreated {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // the secret never reaches a log line
        f.debug_struct("TokenCreated")
            .field("view", &self.view)
            .field("token", &"<redacted>")
            .finish()
    }
}

/// `list_tokens`.
#[derive(Debug, Clone, Serialize)]
pub struct TokenList {
    pub tokens: Vec<TokenView>,
    pub count: usize,
}

/// `revoke_token`.
#[derive(Debug, Clone, Serialize)]
pub struct TokenRevoked {
    #[serde(flatten)]
    pub view: TokenView,
    pub message: String,
}

fn describe(row: &TokenRow, now: i64) -> TokenView {
    TokenView {
        id: row.id.clone(),
        name: row.name.clone(),
        role: stored_role(row),
        status: status(row, now),
        created_at: timestamp::rfc3339_millis(row.created_at),
        expires_at: row.expires_at.map(timestamp::rfc3339_millis),
        last_used_at: row.last_used_at.map(timestamp::rfc3339_millis),
        revoked_at: row.revoked_at.map(timestamp::rfc3339_millis),
        creator: row.creator.clone(),
    }
}

/// A stored role that no longer parses (a hand-edited row) grants the least.
fn stored_role(row: &TokenRow) -> Role {
    row.role.parse().unwrap_or(Role::Reader)
}

impl Service {
    /// Mints a token named `name` with `role`; the secret is in the result's `token` and
    /// nowhere else.
    pub fn create_token(
        &self,
        name: &str,
        expires_in: Option<Duration>,
        role: Role,
    ) -> ServiceResult<TokenCreated> {
        validate_name(name)?;
        let now = now_millis();
        // An expired token still holds its name until revoked; retire it so the name
        // can be reused without a separate step.
        if let Some(existing) = self.store().tokens().active_token_by_name(name)? {
            if status(&existing, now) == "expired" {
                self.store().tokens().revoke_token(&existing.id, now)?;
            } else {
                return Err(ServiceError::conflict(format!(
                    "a token named '{name}' already exists: revoke it first (imprint token revoke {name}) or pick another name"
                )));
            }
        }
        let expires_at = match expires_in {
            Some(lifetime) => {
                let millis = i64::try_from(lifetime.as_millis()).unwrap_or(i64::MAX);
                Some(now.saturating_add(millis))
            }
            None => None,
        };
        let secret = generate_secret()?;
        let row = TokenRow {
            id: new_id()?,
            name: name.to_string(),
            secret_sha256: hash_secret(&secret),
            created_at: now,
            expires_at,
            last_used_at: None,
            revoked_at: None,
            creator: Some(self.actor().to_string()),
            role: role.name().to_string(),
        };
        match self.store().tokens().create_token(&row) {
            Ok(()) => {}
            Err(StoreError::Conflict(_)) => {
                return Err(ServiceError::conflict(format!(
                    "a token named '{name}' was created meanwhile: revoke it first or pick another name"
                )));
            }
            Err(e) => return Err(e.into()),
        }
        tracing::info!(token_id = %row.id, name = %row.name, "token created");
        Ok(TokenCreated {
            view: describe(&row, now),
            token: secret,
            message: format!(
                "created token '{name}' with the {role} role; it is shown only now: send it as 'Authorization: Bearer <token>' or 'X-API-Key: <token>'"
            ),
        })
    }

    /// Every token with its status; never a secret or a hash.
    pub fn list_tokens(&self) -> ServiceResult<TokenList> {
        let now = now_millis();
        let tokens: Vec<TokenView> = self
            .store()
            .tokens()
            .list_tokens()?
            .iter()
            .map(|row| describe(row, now))
            .collect();
        Ok(TokenList {
            count: tokens.len(),
            tokens,
        })
    }

    /// Revokes the token with this id, or the live token with this name.
    pub fn revoke_token(&self, id_or_name: &str) -> ServiceResult<TokenRevoked> {
        let tokens = self.store().tokens();
        let row = match tokens.token(id_or_name)? {
            Some(row) => row,
            None => tokens.active_token_by_name(id_or_name)?.ok_or_else(|| {
                ServiceError::not_found(format!(
                    "no token with id or name '{id_or_name}': imprint token list shows them"
                ))
            })?,
        };
        let now = now_millis();
        let revoked = tokens.revoke_token(&row.id, now)?;
        tracing::info!(token_id = %row.id, name = %row.name, revoked, "token revoked");
        let row = tokens.token(&row.id)?.unwrap_or(row);
        let message = if revoked {
            format!("revoked token '{}'; requests with it now get 401", row.name)
        } else {
            format!("token '{}' was already revoked", row.name)
        };
        Ok(TokenRevoked {
            view: describe(&row, now),
            message,
        })
    }

    /// Who `secret` acts as; `Unauthorized` if it is unknown, expired or revoked.
    pub fn authenticate(&self, secret: &str) -> ServiceResult<Principal> {
        if !secret.starts_with(TOKEN_PREFIX) {
            return Err(unauthorized(
                "the credential is not an imprint token (they start with imp_): create one with imprint token create",
            ));
        }
        let row = self
            .store()
            .tokens()
            .token_by_hash(&hash_secret(secret))?
            .ok_or_else(|| unauthorized("unknown token: create one with imprint token create"))?;
        self.admit(row)
    }

    /// Re-checks a token by id (a control panel session outlives one request, and the
    /// token behind it may have been revoked since).
    pub fn check_token(&self, token_id: &str) -> ServiceResult<Principal> {
        let row = self
            .store()
            .tokens()
            .token(token_id)?
            .ok_or_else(|| unauthorized("the token behind this session no longer exists"))?;
        self.admit(row)
    }

    fn admit(&self, row: TokenRow) -> ServiceResult<Principal> {
        let now = now_millis();
        match status(&row, now) {
            "revoked" => {
                return Err(unauthorized(format!(
                    "token '{}' was revoked: create a new one with imprint token create",
                    row.name
                )));
            }
            "expired" => {
                return Err(unauthorized(format!(
                    "token '{}' has expired: create a new one with imprint token create",
                    row.name
                )));
            }
            _ => {}
        }
        if row
            .last_used_at
            .is_none_or(|at| now - at >= TOUCH_INTERVAL_MS)
        {
            // Best effort: a failed bookkeeping write must not refuse a valid token.
            if let Err(e) = self.store().tokens().touch_token(&row.id, now) {
                tracing::warn!(token_id = %row.id, error = %e, "cannot record token use");
            }
        }
        Ok(Principal {
            role: stored_role(&row),
            name: row.name,
            token_id: Some(row.id),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn service() -> (tempfile::TempDir, Service) {
        let dir = tempfile::tempdir().unwrap();
        let service = crate::tests_support::service(dir.path());
        (dir, service)
    }

    #[test]
    fn durations_take_a_unit() {
        assert_eq!(parse_duration("90").unwrap(), Duration::from_secs(90));
        assert_eq!(parse_duration("30m").unwrap(), Duration::from_secs(1800));
        assert_eq!(parse_duration("12h").unwrap(), Duration::from_secs(43_200));
        assert_eq!(parse_duration("7d").unwrap(), Duration::from_secs(604_800));
        assert_eq!(
            parse_duration("2w").unwrap(),
            Duration::from_secs(1_209_600)
        );
        for bad in ["", "d", "1y", "-1h", "0s", "1.5h", "99999999999w"] {
            assert!(parse_duration(bad).is_err(), "{bad} should be refused");
        }
    }

    #[test]
    fn a_created_token_authenticates_as_its_name_and_is_stored_hashed() {
        let (_dir, service) = service();
        let created = service.create_token("ci-bot", None, Role::Editor).unwrap();
        let secret = created.token.clone();
        assert!(secret.starts_with(TOKEN_PREFIX) && secret.len() == 68);
        let principal = service.authenticate(&secret).unwrap();
        assert_eq!(principal.name, "ci-bot");
        let listed = serde_json::to_string(&service.list_tokens().unwrap()).unwrap();
        assert!(!listed.contains(&secret));
        assert!(!listed.contains(&hash_secret(&secret)));
        assert!(listed.contains("\"active\""));
    }

    #[test]
    fn wrong_revoked_and_expired_tokens_are_unauthorized() {
        let (_dir, service) = service();
        let wrong = service.authenticate("imp_0000").unwrap_err();
        assert_eq!(wrong.kind(), ErrorKind::Unauthorized);
        assert_eq!(
            service.authenticate("Bearer x").unwrap_err().kind(),
            ErrorKind::Unauthorized
        );

        let secret = service
            .create_token("alice", None, Role::Editor)
            .unwrap()
            .token;
        service.revoke_token("alice").unwrap();
        let revoked = service.authenticate(&secret).unwrap_err();
        assert_eq!(revoked.kind(), ErrorKind::Unauthorized);
        assert!(revoked.message().contains("revoked"), "{revoked}");

        // Expired: write a back-dated row through the store (the clock is not injectable).
        let fresh = generate_secret().unwrap();
        service
            .store()
            .tokens()
            .create_token(&TokenRow {
                id: "old".into(),
                name: "bob".into(),
                secret_sha256: hash_secret(&fresh),
                created_at: 0,
                expires_at: Some(1),
                last_used_at: None,
                revoked_at: None,
                creator: None,
                role: "editor".into(),
            })
            .unwrap();
        let expired = service.authenticate(&fresh).unwrap_err();
        assert!(expired.message().contains("expired"), "{expired}");
        // The name of an expired token can be taken again.
        service.create_token("bob", None, Role::Editor).unwrap();
    }

    #[test]
    fn names_are_unique_among_live_tokens_and_validated() {
        let (_dir, service) = service();
        service.create_token("ci", None, Role::Editor).unwrap();
        assert_eq!(
            service
                .create_token("ci", None, Role::Editor)
                .unwrap_err()
                .kind(),
            ErrorKind::Conflict
        );
        for bad in ["", "has space", "<script>", "-dash-first", &"x".repeat(65)] {
            assert_eq!(
                service
                    .create_token(bad, None, Role::Editor)
                    .unwrap_err()
                    .kind(),
                ErrorKind::InvalidInput,
                "{bad}"
            );
        }
        assert_eq!(
            service.revoke_token("nobody").unwrap_err().kind(),
            ErrorKind::NotFound
        );
    }

    #[test]
    fn a_revoked_session_token_fails_its_recheck() {
        let (_dir, service) = service();
        let created = service.create_token("panel", None, Role::Editor).unwrap();
        let id = created.view.id.as_str();
        assert_eq!(service.check_token(id).unwrap().name, "panel");
        service.revoke_token(id).unwrap();
        assert_eq!(
            service.check_token(id).unwrap_err().kind(),
            ErrorKind::Unauthorized
        );
    }
}
