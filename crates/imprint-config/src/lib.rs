//! MCP client configurations: the client registry, the server catalog, rendering into each
//! client's own shape, import back from it, validation and diff.
//!
//! This crate is pure data and functions: no database, no network, no file access beyond
//! the data compiled in. Client definitions and the built-in catalog are data
//! (`data/clients.json`, `data/catalog.json`), not code branches: adding a client is adding a
//! record.
//!
//! # Layout
//! - [`model`]: the neutral [`ServerEntry`] a draft holds.
//! - [`ids`]: identifier rules, checked before an id reaches a path or a query.
//! - [`clients`]: which clients exist, where their files live, what shape they expect.
//! - [`catalog`]: server definitions and turning one into a [`ServerEntry`].
//! - [`render`] / [`import`]: neutral entries ⇄ one client's payload, losslessly.
//! - [`validate`], [`diff`]: checks and comparisons on rendered payloads.
//! - [`install`]: the package manager command that installs a server's package.
//! - [`redact`]: env and header values hidden in views, diffs and logs.
//! - [`secrets`]: which values are secrets, and the `${secret:NAME}` references that replace
//!   them in drafts and artifacts.
//! - [`error`]: the one error type, whose messages name the problem and the fix.
//!
//! Writing into a client's file is the `imprint-deploy` crate; [`FileFormat`] comes from there.
//!
//! # Example
//! ```
//! use std::collections::BTreeMap;
//! use imprint_config::{catalog, clients, render::render, validate::validate_payload};
//! use serde_json::{Map, json};
//!
//! let n8n = catalog::get_builtin("n8n").unwrap();
//! let entry = n8n.instantiate(&Map::new(), &Map::new())?; // port defaults to 5679
//! let desktop = clients::get("claude-desktop").unwrap();
//! let payload = render(desktop, &BTreeMap::from([("n8n".to_string(), entry)]));
//! assert_eq!(
//!     payload["mcpServers"]["n8n"]["args"],
//!     json!(["-y", "mcp-remote", "http://localhost:5679/mcp-server/http"])
//! );
//! assert!(validate_payload("claude-desktop", &payload).valid);
//! # Ok::<(), imprint_config::ConfigError>(())
//! ```

#![forbid(unsafe_code)]

pub mod catalog;
pub mod clients;
pub mod diff;
pub mod error;
pub mod ids;
pub mod import;
pub mod install;
pub mod model;
pub mod next;
pub mod redact;
pub mod render;
pub mod secrets;
pub mod validate;

pub use error::ConfigError;
pub use imprint_deploy::FileFormat;
pub use model::{ServerEntry, Transport};
