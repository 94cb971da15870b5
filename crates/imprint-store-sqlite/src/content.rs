//! The content family's tables in SQLite.

use imprint_store::ContentStore;

use crate::SqliteStore;

impl ContentStore for SqliteStore {}
