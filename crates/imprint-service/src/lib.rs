//! The service layer: one method per operation, shared by every surface.
//!
//! MCP tools, the CLI (and later REST handlers and pages) are thin adapters over
//! [`Service`]: they parse input, call one method and map a [`ServiceError`] by its
//! [`ErrorKind`]. The service owns transactions, the caller's identity and the data
//! directory; it returns plain serializable results.
//!
//! # Layout
//! - [`paths`]: where the data directory is.
//! - [`keys`]: signing keys on disk.
//! - [`config`]: the MCP client configuration operations (`add_server_to_config`, …).
//! - [`team`]: the keyring a team server serves; a member's trust list and verified pull.
//!
//! # Example
//!
//! ```
//! use std::sync::Arc;
//! use imprint_service::{Service, ServiceOptions};
//! use imprint_store_sqlite::SqliteStore;
//!
//! let dir = std::env::temp_dir().join(format!("imprint-doc-{}", std::process::id()));
//! let store = SqliteStore::open_in_data_dir(&dir).unwrap();
//! let service = Service::new(ServiceOptions::new(dir.clone(), dir.clone()), Arc::new(store));
//! let clients = service.list_clients(Default::default());
//! assert!(clients.clients.iter().any(|c| c["client_id"] == "claude-desktop"));
//! # std::fs::remove_dir_all(dir).ok();
//! ```

#![forbid(unsafe_code)]

pub mod api;
pub mod auth;
pub mod config;
pub mod content;
pub mod copy;
pub mod error;
mod files;
pub mod keys;
pub mod next;
pub mod paths;
pub mod requests;
mod revisions;
pub mod roles;
pub mod secrets;
pub mod team;

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{SystemTime, UNIX_EPOCH};

use imprint_store::Store;

pub use error::{ErrorKind, ServiceError, ServiceResult};

/// How to open a [`Service`]: a struct rather than many parameters.
#[derive(Debug, Clone)]
pub struct ServiceOptions {
    /// Holds `imprint.db`, `keys/` and `backups/`.
    pub data_dir: PathBuf,
    /// The user's home directory: client config paths (`~/.cursor/mcp.json`) resolve here.
    pub home_dir: PathBuf,
    /// Who is acting; recorded as author and creator.
    pub actor: String,
    /// Where this server's control panel is reachable; edit URLs point here.
    pub public_url: String,
    /// Where `check_server_installation` / `install_server` look for programs (a PATH-style
    /// list); `None` reads the process's `PATH` at each call.
    pub search_path: Option<std::ffi::OsString>,
    /// How long one `search_content` may run before it is stopped (default
    /// [`content::SEARCH_TIME_LIMIT`]).
    pub search_time_limit: std::time::Duration,
}

/// The control panel's address when nothing else is configured.
pub const DEFAULT_PUBLIC_URL: &str = "http://127.0.0.1:7410";

impl ServiceOptions {
    pub fn new(data_dir: PathBuf, home_dir: PathBuf) -> Self {
        Self {
            data_dir,
            home_dir,
            actor: default_actor(),
            public_url: DEFAULT_PUBLIC_URL.to_string(),
            search_path: None,
            search_time_limit: content::SEARCH_TIME_LIMIT,
        }
    }
}

fn default_actor() -> String {
    std::env::var("USER")
        .ok()
        .filter(|user| !user.is_empty())
        .unwrap_or_else(|| "local".into())
}

/// The operations. Cheap to clone; clones share the store.
#[derive(Clone)]
pub struct Service {
    inner: Arc<Inner>,
    actor: Arc<str>,
    /// Role, token and surface of the caller: what `roles` checks and the audit log records.
    caller: Arc<roles::CallerInfo>,
    public_url: Arc<str>,
}

struct Inner {
    store: Arc<dyn Store>,
    data_dir: PathBuf,
    home_dir: PathBuf,
    keys: keys::KeyFiles,
    search_path: Option<std::ffi::OsString>,
    /// Entry heads verified (or written) by this process: reads of them skip the signature.
    verified_heads: content::integrity::VerifiedHeads,
    search_time_limit: std::time::Duration,
}

impl Service {
    /// A service over `store`. The binary picks the backend (SQLite in the data directory by
    /// default); the service never names one.
    pub fn new(options: ServiceOptions, store: Arc<dyn Store>) -> Self {
        let keys = keys::KeyFiles::new(&options.data_dir, Arc::clone(&store));
        Self {
            inner: Arc::new(Inner {
                store,
                data_dir: options.data_dir,
                home_dir: options.home_dir,
                keys,
                search_path: options.search_path,
                verified_heads: Default::default(),
                search_time_limit: options.search_time_limit,
            }),
            actor: options.actor.into(),
            caller: Arc::new(roles::CallerInfo::default()),
            public_url: options.public_url.trim_end_matches('/').into(),
        }
    }

    /// The same service acting for someone else (an HTTP token's name, say).
    pub fn acting_as(&self, actor: &str) -> Self {
        Self {
            inner: Arc::clone(&self.inner),
            actor: actor.into(),
            caller: Arc::clone(&self.caller),
            public_url: Arc::clone(&self.public_url),
        }
    }

    /// The same service acting for `actor` with this role, token and surface.
    pub fn acting_as_caller(&self, actor: &str, caller: roles::CallerInfo) -> Self {
        Self {
            inner: Arc::clone(&self.inner),
            actor: actor.into(),
            caller: Arc::new(caller),
            public_url: Arc::clone(&self.public_url),
        }
    }

    /// The same service acting for an authenticated principal on `surface`.
    pub fn acting_for(&self, principal: &auth::Principal, surface: roles::Surface) -> Self {
        self.acting_as_caller(
            &principal.name,
            roles::CallerInfo {
                role: principal.role,
                token_id: principal.token_id.clone(),
                surface,
            },
        )
    }

    /// The same service answering with another control panel address (known only once an
    /// HTTP server has bound its port).
    pub fn with_public_url(&self, public_url: &str) -> Self {
        Self {
            inner: Arc::clone(&self.inner),
            actor: Arc::clone(&self.actor),
            caller: Arc::clone(&self.caller),
            public_url: public_url.trim_end_matches('/').into(),
        }
    }

    pub fn actor(&self) -> &str {
        &self.actor
    }

    pub fn data_dir(&self) -> &Path {
        &self.inner.data_dir
    }

    pub fn home_dir(&self) -> &Path {
        &self.inner.home_dir
    }

    /// Base URL of the control panel, without a trailing slash.
    pub fn public_url(&self) -> &str {
        &self.public_url
    }

    fn store(&self) -> &dyn Store {
        self.inner.store.as_ref()
    }

    /// Whether the database answers now (`/healthz`); `Unavailable` says what is unreachable.
    pub fn database_health(&self) -> ServiceResult<()> {
        self.store().ping().map_err(ServiceError::from)
    }
}

/// Milliseconds since the Unix epoch.
fn now_millis() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
        .unwrap_or(0)
}

/// A random 16-hex-digit id for drafts.
fn new_id() -> ServiceResult<String> {
    let mut bytes = [0u8; 8];
    getrandom::fill(&mut bytes).map_err(|e| {
        ServiceError::internal(format!("the operating system gave no randomness: {e}"))
    })?;
    Ok(bytes.iter().map(|b| format!("{b:02x}")).collect())
}

/// A service over SQLite in `<dir>/data`, with `<dir>/home` as the home directory.
#[cfg(test)]
pub(crate) mod tests_support {
    use std::path::Path;
    use std::sync::Arc;

    use crate::{Service, ServiceOptions};

    pub(crate) fn service(dir: &Path) -> Service {
        let data = dir.join("data");
        let store = imprint_store_sqlite::SqliteStore::open_in_data_dir(&data).unwrap();
        Service::new(ServiceOptions::new(data, dir.join("home")), Arc::new(store))
    }
}
