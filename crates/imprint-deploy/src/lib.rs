//! Format-preserving, atomic edits of the MCP section of a client's own file.
//!
//! MCP clients keep their servers in a file that also holds the user's other settings
//! (`~/.claude.json` holds projects, accounts and counters; an editor's `settings.json` holds
//! everything). [`deploy`] changes only the MCP section of such a file: every other key,
//! comment, blank line and indentation keeps its bytes. It refuses when the file holds servers
//! Imprint did not put there ([`DeployError::Unmanaged`]) or when the section changed by hand
//! since the last deploy ([`DeployError::Drift`]), unless forced; it backs the old file up,
//! writes the new one atomically with the old one's mode, and returns a hash of what it wrote
//! so the caller can record it and later ask [`drift`] whether the file changed.
//!
//! This crate does file IO only: no database, no other Imprint crate.
//!
//! # Layout
//!
//! - `deploy`: the public operations ([`deploy`], [`drift`], [`read_section`]) and their types.
//! - `section`: comparing sections (the plan, unmanaged servers, drift).
//! - `syntax`: what a file format provides; `jsonc` implements it for JSON and JSONC through
//!   a concrete syntax tree, `toml` through `toml_edit`, `yaml` by editing lines located with a
//!   YAML parser (comments inside a rewritten entry are the one thing it does not keep).
//! - [`SectionLayout`]: list-shaped sections (Continue) are handled as maps by name and
//!   written back as lists.
//! - [`Masking`]: secrets written into a file are recorded as keyed fingerprints only.
//! - `backup`: dated copies before each write, the newest ten kept per file name.
//! - `atomic`: temp file, fsync, rename, directory fsync; stale temp files cleaned up.
//!
//! # Example
//!
//! ```
//! use imprint_deploy::{deploy, DeployRequest, FileFormat, PreviousDeploy, SectionLayout};
//! use serde_json::json;
//!
//! let dir = std::env::temp_dir().join(format!("imprint-deploy-doc-{}", std::process::id()));
//! std::fs::create_dir_all(&dir)?;
//! let path = dir.join("claude_desktop_config.json");
//! std::fs::write(&path, "{\n  \"globalShortcut\": \"Ctrl+Space\"\n}\n")?;
//!
//! let section = json!({ "memory": { "command": "npx", "args": ["-y", "@modelcontextprotocol/server-memory"] } });
//! let outcome = deploy(&DeployRequest {
//!     path: &path,
//!     format: FileFormat::Json,
//!     root_key: "mcpServers",
//!     layout: SectionLayout::Map,
//!     section: &section,
//!     previous: None,
//!     force: false,
//!     backup_dir: &dir.join("backups"),
//!     masking: None,
//!     companion: None,
//!     before_replace: None,
//! })?;
//! assert_eq!(outcome.added, ["memory"]);
//! assert!(outcome.backup_path.is_some());
//! assert_eq!(
//!     std::fs::read_to_string(&path)?,
//!     "{\n  \"globalShortcut\": \"Ctrl+Space\",\n  \"mcpServers\": {\n    \"memory\": {\n      \"command\": \"npx\",\n      \"args\": [\"-y\", \"@modelcontextprotocol/server-memory\"]\n    }\n  }\n}\n"
//! );
//!
//! // What the caller records, so the next deploy can tell drift from its own writes.
//! let previous = PreviousDeploy { section: outcome.section, file_sha256: outcome.file_sha256 };
//! let report = imprint_deploy::drift(&path, FileFormat::Json, "mcpServers", &previous)?;
//! assert!(!report.drifted);
//! # std::fs::remove_dir_all(&dir)?;
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

#![forbid(unsafe_code)]

mod atomic;
mod backup;
mod deploy;
mod error;
mod jsonc;
mod section;
mod syntax;
mod toml;
mod yaml;

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

pub use atomic::FAULT_INJECT_ENV;
#[doc(hidden)]
pub use deploy::set_before_rename_hook;
pub use deploy::{
    BeforeReplace, DeployOutcome, DeployRequest, DriftReport, DriftRequest, IntendedWrite,
    ListAddition, MAX_ATTEMPTS, Masking, PreviousDeploy, SectionLayout, deploy, drift, drift_with,
    file_sha256, read_section,
};
pub use error::DeployError;

/// The syntax of a client's configuration file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum FileFormat {
    /// Strict JSON.
    Json,
    /// JSON with comments and trailing commas (VS Code, Zed).
    Jsonc,
    /// TOML (Codex).
    Toml,
    /// YAML (Continue, Goose).
    Yaml,
}

/// Lowercase hex SHA-256 of `bytes`, the form in which file hashes are recorded.
pub fn sha256_hex(bytes: &[u8]) -> String {
    Sha256::digest(bytes)
        .iter()
        .map(|byte| format!("{byte:02x}"))
        .collect()
}
