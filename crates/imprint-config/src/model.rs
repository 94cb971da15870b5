//! The neutral shapes shared by every part of the config domain.
//!
//! A draft holds [`ServerEntry`] values keyed by server name. They are client-neutral:
//! [`crate::render`] turns them into one client's own shape at publish time, and
//! [`crate::import`] turns a client's own entries back into them. Fields are loose
//! (`serde_json::Value`) where an imported file may hold a wrong type, so that
//! [`crate::validate`] can report it by code instead of the import failing.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

/// How a client starts or reaches an MCP server.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum Transport {
    /// A local process speaking MCP over stdin/stdout.
    #[default]
    Stdio,
    /// A remote server speaking Streamable HTTP.
    Http,
    /// A remote server speaking the older HTTP+SSE transport.
    Sse,
}

impl Transport {
    pub fn as_str(self) -> &'static str {
        match self {
            Transport::Stdio => "stdio",
            Transport::Http => "http",
            Transport::Sse => "sse",
        }
    }

    pub fn is_remote(self) -> bool {
        !matches!(self, Transport::Stdio)
    }
}

/// One server in a draft, independent of any client's file format.
///
/// `args` / `env` are `None` when the key is absent, so an imported entry renders
/// back with exactly the keys it had.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
pub struct ServerEntry {
    /// The catalog entry this server came from, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub server_id: Option<String>,
    #[serde(default)]
    pub transport: Transport,
    /// Stdio: the program to start (a string when valid).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub command: Option<Value>,
    /// Stdio: the arguments (an array of strings when valid).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub args: Option<Value>,
    /// Environment variables (an object of string values when valid).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub env: Option<Value>,
    /// Remote: the endpoint.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
    /// Remote: HTTP headers (an object of string values when valid).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub headers: Option<Value>,
    /// The catalog parameters used to build this entry, defaults applied (for display).
    #[serde(default, skip_serializing_if = "Map::is_empty")]
    pub params: Map<String, Value>,
    /// Client-specific keys carried through verbatim (`disabled`, `alwaysAllow`, `timeout`, …).
    #[serde(default, skip_serializing_if = "Map::is_empty")]
    pub extra: Map<String, Value>,
    /// Set by [`crate::import`] when the client's file had no `type` key on an entry where the
    /// client's usual shape writes one (a hand-written Claude Code stdio entry), so the entry
    /// renders back without it. `false` for everything built from the catalog.
    #[serde(default, skip_serializing_if = "is_false")]
    pub omit_type: bool,
}

fn is_false(b: &bool) -> bool {
    !*b
}
