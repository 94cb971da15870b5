//! API tokens, stored hashed: the secret is shown once, at creation, and never kept.
//!
//! A token row holds the lowercase hex SHA-256 of the secret; authentication hashes
//! what the caller sent and looks the hash up. Revoked rows stay (with `revoked_at`) so
//! `imprint token list` can show what existed; only one unrevoked token may hold a name,
//! because the name is the identity recorded as author of what the token changes.

use crate::StoreResult;

/// An API token as stored. `Debug` leaves out the hash: it is not the secret, but it
/// is what an attacker would need to test guesses offline, so it stays out of logs.
#[derive(Clone, PartialEq)]
pub struct TokenRow {
    pub id: String,
    /// Who the token acts as (recorded as author/creator).
    pub name: String,
    /// Lowercase hex SHA-256 of the secret.
    pub secret_sha256: String,
    pub created_at: i64,
    /// Unix milliseconds after which the token stops working; `None` never expires.
    pub expires_at: Option<i64>,
    /// Updated at most about once a minute, so authenticating stays a read.
    pub last_used_at: Option<i64>,
    pub revoked_at: Option<i64>,
    /// Who minted it (the OS user of the CLI, or a token name).
    pub creator: Option<String>,
    /// `reader`, `editor`, `publisher` or `admin` (tokens from before roles are `admin`).
    pub role: String,
}

impl std::fmt::Debug for TokenRow {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TokenRow")
            .field("id", &self.id)
            .field("name", &self.name)
            .field("secret_sha256", &"<redacted>")
            .field("created_at", &self.created_at)
            .field("expires_at", &self.expires_at)
            .field("last_used_at", &self.last_used_at)
            .field("revoked_at", &self.revoked_at)
            .field("creator", &self.creator)
            .field("role", &self.role)
            .finish()
    }
}

/// Storage for API tokens. Every method is one transaction.
pub trait TokenStore: Send + Sync {
    /// `Conflict` if an unrevoked token already has this name (or the hash exists).
    fn create_token(&self, token: &TokenRow) -> StoreResult<()>;
    fn token(&self, id: &str) -> StoreResult<Option<TokenRow>>;
    fn token_by_hash(&self, secret_sha256: &str) -> StoreResult<Option<TokenRow>>;
    /// The unrevoked token with this name, if any (it may have expired).
    fn active_token_by_name(&self, name: &str) -> StoreResult<Option<TokenRow>>;
    /// Every token, revoked ones included, oldest first.
    fn list_tokens(&self) -> StoreResult<Vec<TokenRow>>;
    /// Marks the token revoked; `false` if it is unknown or already revoked.
    fn revoke_token(&self, id: &str, now: i64) -> StoreResult<bool>;
    /// Records a use.
    fn touch_token(&self, id: &str, now: i64) -> StoreResult<()>;
}
