//! API tokens in PostgreSQL, stored as SHA-256 hashes. No cache anywhere: every replica
//! reads the row on every request, so a revocation counts everywhere at once.

use imprint_store::tokens::TokenRow;
use imprint_store::{StoreResult, TokenStore};
use tokio_postgres::Row;

use crate::{PostgresStore, all, get};

pub(crate) const TOKEN_COLUMNS: &str =
    "id, name, secret_sha256, created_at, expires_at, last_used_at, revoked_at, creator, role";

pub(crate) fn token_from_row(row: &Row) -> StoreResult<TokenRow> {
    Ok(TokenRow {
        id: get(row, 0)?,
        name: get(row, 1)?,
        secret_sha256: get(row, 2)?,
        created_at: get(row, 3)?,
        expires_at: get(row, 4)?,
        last_used_at: get(row, 5)?,
        revoked_at: get(row, 6)?,
        creator: get(row, 7)?,
        role: get(row, 8)?,
    })
}

impl PostgresStore {
    fn one_token(&self, sql: &str, value: &str) -> StoreResult<Option<TokenRow>> {
        self.read(|c| {
            c.opt(sql, &[&value])?
                .as_ref()
                .map(token_from_row)
                .transpose()
        })
    }
}

impl TokenStore for PostgresStore {
    fn create_token(&self, token: &TokenRow) -> StoreResult<()> {
        self.write(|c| {
            c.exec(
                &format!(
                    "INSERT INTO tokens ({TOKEN_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)"
                ),
                &[
                    &token.id,
                    &token.name,
                    &token.secret_sha256,
                    &token.created_at,
                    &token.expires_at,
                    &token.last_used_at,
                    &token.revoked_at,
                    &token.creator,
                    &token.role,
                ],
            )
            .map(|_| ())
        })
    }

    fn token(&self, id: &str) -> StoreResult<Option<TokenRow>> {
        self.one_token(
            &format!("SELECT {TOKEN_COLUMNS} FROM tokens WHERE id = $1"),
            id,
        )
    }

    fn token_by_hash(&self, secret_sha256: &str) -> StoreResult<Option<TokenRow>> {
        self.one_token(
            &format!("SELECT {TOKEN_COLUMNS} FROM tokens WHERE secret_sha256 = $1"),
            secret_sha256,
        )
    }

    fn active_token_by_name(&self, name: &str) -> StoreResult<Option<TokenRow>> {
        self.one_token(
            &format!("SELECT {TOKEN_COLUMNS} FROM tokens WHERE name = $1 AND revoked_at IS NULL"),
            name,
        )
    }

    fn list_tokens(&self) -> StoreResult<Vec<TokenRow>> {
        self.read(|c| {
            all(
                c.query(
                    &format!(
                        "SELECT {TOKEN_COLUMNS} FROM tokens ORDER BY created_at, id COLLATE \"C\""
                    ),
                    &[],
                )?,
                token_from_row,
            )
        })
    }

    fn revoke_token(&self, id: &str, now: i64) -> StoreResult<bool> {
        self.change(|c| {
            c.exec(
                "UPDATE tokens SET revoked_at = $2 WHERE id = $1 AND revoked_at IS NULL",
                &[&id, &now],
            )
        })
        .map(|n| n > 0)
    }

    fn touch_token(&self, id: &str, now: i64) -> StoreResult<()> {
        self.read(|c| {
            c.exec(
                "UPDATE tokens SET last_used_at = $2 WHERE id = $1",
                &[&id, &now],
            )
        })
        .map(|_| ())
    }
}
