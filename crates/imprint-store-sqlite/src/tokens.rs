//! API tokens in SQLite, stored as SHA-256 hashes.

use imprint_store::TokenStore;

use crate::SqliteStore;

impl TokenStore for SqliteStore {}
