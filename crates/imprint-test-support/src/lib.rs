//! Harnesses the crates' tests share (a dev-dependency only, never linked into the binary).
//!
//! ```
//! let (_dir, service) = imprint_test_support::service();
//! assert!(service.data_dir().ends_with("data"));
//! ```

#![forbid(unsafe_code)]

#[cfg(feature = "conformance")]
pub mod conformance;

use std::sync::Arc;

use imprint_service::{Service, ServiceOptions};
use imprint_store_sqlite::SqliteStore;

/// A service over SQLite in a fresh temporary directory: the data directory is `<dir>/data`
/// and the home directory (where client files resolve) is `<dir>`. Keep the directory alive
/// as long as the service.
pub fn service() -> (tempfile::TempDir, Service) {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let data = dir.path().join("data");
    let store = SqliteStore::open_in_data_dir(&data).expect("a SQLite store");
    let service = Service::new(
        ServiceOptions::new(data, dir.path().to_path_buf()),
        Arc::new(store),
    );
    (dir, service)
}
