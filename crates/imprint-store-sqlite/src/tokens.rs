//! API tokens in SQLite, stored as SHA-256 hashes (`migrations/0003_tokens.sql`).

use imprint_store::tokens::TokenRow;
use imprint_store::{StoreResult, TokenStore};
use rusqlite::{Row, params};

use crate::{SqliteStore, map_error};

pub(crate) const TOKEN_COLUMNS: &str =
    "id, name, secret_sha256, created_at, expires_at, last_used_at, revoked_at, creator, role";

pub(crate) fn token_from_row(row: &Row<'_>) -> rusqlite::Result<TokenRow> {
    Ok(TokenRow {
        id: row.get(0)?,
        name: row.get(1)?,
        secret_sha256: row.get(2)?,
        created_at: row.get(3)?,
        expires_at: row.get(4)?,
        last_used_at: row.get(5)?,
        revoked_at: row.get(6)?,
        creator: row.get(7)?,
        role: row.get(8)?,
    })
}

impl TokenStore for SqliteStore {
    fn create_token(&self, token: &TokenRow) -> StoreResult<()> {
        self.write(|tx| {
            tx.execute(
                &format!(
                    "INSERT INTO tokens ({TOKEN_COLUMNS}) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)"
                ),
                params![
                    token.id,
                    token.name,
                    token.secret_sha256,
                    token.created_at,
                    token.expires_at,
                    token.last_used_at,
                    token.revoked_at,
                    token.creator,
                    token.role
                ],
            )
            .map_err(map_error)?;
            Ok(())
        })
    }

    fn token(&self, id: &str) -> StoreResult<Option<TokenRow>> {
        self.optional(
            &format!("SELECT {TOKEN_COLUMNS} FROM tokens WHERE id = ?1"),
            [id],
            token_from_row,
        )
    }

    fn token_by_hash(&self, secret_sha256: &str) -> StoreResult<Option<TokenRow>> {
        self.optional(
            &format!("SELECT {TOKEN_COLUMNS} FROM tokens WHERE secret_sha256 = ?1"),
            [secret_sha256],
            token_from_row,
        )
    }

    fn active_token_by_name(&self, name: &str) -> StoreResult<Option<TokenRow>> {
        self.optional(
            &format!("SELECT {TOKEN_COLUMNS} FROM tokens WHERE name = ?1 AND revoked_at IS NULL"),
            [name],
            token_from_row,
        )
    }

    fn list_tokens(&self) -> StoreResult<Vec<TokenRow>> {
        self.all(
            &format!("SELECT {TOKEN_COLUMNS} FROM tokens ORDER BY created_at, id"),
            [],
            token_from_row,
        )
    }

    fn revoke_token(&self, id: &str, now: i64) -> StoreResult<bool> {
        self.change(|c| {
            c.execute(
                "UPDATE tokens SET revoked_at = ?2 WHERE id = ?1 AND revoked_at IS NULL",
                params![id, now],
            )
        })
        .map(|n| n > 0)
    }

    fn touch_token(&self, id: &str, now: i64) -> StoreResult<()> {
        self.with(|c| {
            c.execute(
                "UPDATE tokens SET last_used_at = ?2 WHERE id = ?1",
                params![id, now],
            )
        })
        .map(|_| ())
    }
}

#[cfg(test)]
mod tests {
    use imprint_store::{Store, StoreError};

    use super::*;

    fn row(id: &str, name: &str, hash: &str) -> TokenRow {
        TokenRow {
            id: id.into(),
            name: name.into(),
            secret_sha256: hash.into(),
            created_at: 1,
            expires_at: None,
            last_used_at: None,
            revoked_at: None,
            creator: Some("tester".into()),
            role: "editor".into(),
        }
    }

    #[test]
    fn tokens_are_found_by_hash_and_listed_without_change() {
        let store = SqliteStore::open_in_memory().unwrap();
        let tokens = store.tokens();
        tokens.create_token(&row("a", "ci", "h1")).unwrap();
        assert_eq!(tokens.token_by_hash("h1").unwrap().unwrap().name, "ci");
        assert!(tokens.token_by_hash("h2").unwrap().is_none());
        assert_eq!(tokens.token("a").unwrap().unwrap(), row("a", "ci", "h1"));
        assert_eq!(tokens.list_tokens().unwrap().len(), 1);
    }

    #[test]
    fn one_live_token_per_name_but_revoked_names_can_be_reused() {
        let store = SqliteStore::open_in_memory().unwrap();
        let tokens = store.tokens();
        tokens.create_token(&row("a", "ci", "h1")).unwrap();
        assert!(matches!(
            tokens.create_token(&row("b", "ci", "h2")),
            Err(StoreError::Conflict(_))
        ));
        assert!(tokens.revoke_token("a", 5).unwrap());
        assert!(!tokens.revoke_token("a", 6).unwrap(), "already revoked");
        assert!(tokens.active_token_by_name("ci").unwrap().is_none());
        tokens.create_token(&row("b", "ci", "h2")).unwrap();
        assert_eq!(tokens.active_token_by_name("ci").unwrap().unwrap().id, "b");
        assert_eq!(tokens.token("a").unwrap().unwrap().revoked_at, Some(5));
    }

    #[test]
    fn touching_records_the_last_use() {
        let store = SqliteStore::open_in_memory().unwrap();
        store.tokens().create_token(&row("a", "ci", "h1")).unwrap();
        store.tokens().touch_token("a", 42).unwrap();
        assert_eq!(
            store.tokens().token("a").unwrap().unwrap().last_used_at,
            Some(42)
        );
    }

    #[test]
    fn debug_output_leaves_out_the_hash() {
        let text = format!("{:?}", row("a", "ci", "deadbeef"));
        assert!(!text.contains("deadbeef"), "{text}");
    }
}
