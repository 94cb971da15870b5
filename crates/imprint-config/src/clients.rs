//! Which MCP clients exist, where their files live and what shape their entries take.
//!
//! The records are data (`data/clients.json`, compiled in) so that supporting another client is
//! adding a record, not a code branch: [`crate::render`], [`crate::import`] and
//! [`crate::validate`] read only these fields. The entry-shape fields cover renamed keys
//! (Goose `cmd`/`envs`/`uri`, Codex `http_headers`, Continue `requestOptions.headers`), other
//! `type` spellings (Cline `streamableHttp`, Goose `streamable_http`), list-shaped sections
//! (Continue), entries that repeat their own name (Goose), keys a client expects on every entry
//! it is given (Goose `enabled`/`timeout`), entries the client runs itself (Goose builtins, Zed
//! extensions), a bearer token read from the environment (Codex) and each client's own syntax
//! for referring to a secret it gets elsewhere (`${VAR}`, `${env:VAR}`, `${input:ID}`).

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value, json};

use crate::FileFormat;
use crate::error::ConfigError;
use crate::model::Transport;

/// One MCP client: its file, its section and its entry shape.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ClientSpec {
    /// Stable id used in tool calls and storage keys (`claude-desktop`).
    pub id: String,
    pub display_name: String,
    /// Syntax of the client's file, which decides the editor deploy uses.
    pub format: FileFormat,
    /// The key of the MCP section inside the file (`mcpServers`, `servers`, `context_servers`).
    pub root_key: String,
    /// The user-scope file per OS, with `~`, `%APPDATA%` or `%USERPROFILE%`.
    pub paths: OsPaths,
    /// The project-scope file relative to a project directory, where the client has one.
    #[serde(default)]
    pub project_path: Option<String>,
    /// Whether the file can hold remote (http/sse) entries; if not, they go through `mcp-remote`.
    pub supports_remote: bool,
    /// Whether a stdio entry without `args` is an error for this client.
    #[serde(default)]
    pub requires_args: bool,
    /// More servers than this always costs the user something (tools dropped); `None` = no limit.
    #[serde(default)]
    pub max_servers: Option<usize>,
    /// Env vars per server beyond this are refused; `None` = no limit.
    #[serde(default)]
    pub max_env_vars: Option<usize>,
    /// Whether the section is an object keyed by name or a list of entries carrying their name.
    #[serde(default)]
    pub section: SectionShape,
    /// The client's names for the stdio keys, headers and the transport discriminator.
    #[serde(default)]
    pub keys: EntryKeys,
    /// The `type` value written on stdio entries, if the client writes one.
    #[serde(default)]
    pub stdio_type: Option<String>,
    /// How a Streamable HTTP entry is written.
    #[serde(default)]
    pub http: RemoteShape,
    /// How an SSE entry is written.
    #[serde(default)]
    pub sse: RemoteShape,
    /// Which server names the client's format accepts.
    #[serde(default)]
    pub server_name: NameRule,
    /// The remote transports the file can hold natively (when `supports_remote`); the others
    /// are bridged through `mcp-remote` like on a stdio-only client (Goose and Codex have no SSE).
    #[serde(default = "both_remote_transports")]
    pub remote_transports: Vec<Transport>,
    /// The key under which each entry repeats its own name (Goose's `name`).
    #[serde(default)]
    pub entry_name_key: Option<String>,
    /// Keys written on entries built from the catalog when the entry does not set them (Goose
    /// requires `enabled` and `timeout`). Imported entries render exactly as they were read.
    #[serde(default, skip_serializing_if = "Map::is_empty")]
    pub entry_defaults: Map<String, Value>,
    /// Entries the client provides itself rather than starting an MCP server Imprint knows how to
    /// check (Goose builtins, Zed extension servers): kept verbatim, not validated as servers.
    #[serde(default)]
    pub passthrough: Passthrough,
    /// How the client refers to a value it gets from its environment or asks the user for,
    /// used when a deploy writes references instead of secret values; `None` when it has none.
    #[serde(default)]
    pub secret_reference: Option<SecretReference>,
    /// What a user should know about this client (shown by `list_clients`).
    #[serde(default)]
    pub notes: String,
}

fn both_remote_transports() -> Vec<Transport> {
    vec![Transport::Http, Transport::Sse]
}

/// Entries of a client's section that are not servers Imprint renders.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(default)]
pub struct Passthrough {
    /// `type` values of such entries (Goose: `builtin`, `platform`, `frontend`).
    pub type_values: Vec<String>,
    /// An entry holding none of these keys is such an entry (Zed: no `command` and no `url`
    /// means an extension-provided server configured through `settings`).
    pub without_keys: Vec<String>,
}

/// A client's syntax for a value it resolves itself: `prefix` + variable + `suffix`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SecretReference {
    pub prefix: String,
    pub suffix: String,
    /// VS Code: the variable is an input id, and the file's top-level `inputs` list needs a
    /// `promptString` entry for it.
    #[serde(default)]
    pub inputs: bool,
    /// Where the user provides the value, for the deploy's message.
    #[serde(default)]
    pub hint: String,
}

impl SecretReference {
    /// The reference to `variable` in the client's syntax.
    pub fn to(&self, variable: &str) -> String {
        format!("{}{variable}{}", self.prefix, self.suffix)
    }
}

/// The user-scope config path on each OS, unexpanded.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OsPaths {
    pub linux: String,
    pub macos: String,
    pub windows: String,
}

/// How a client's MCP section is laid out.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(tag = "shape", rename_all = "lowercase")]
pub enum SectionShape {
    /// `{ "<name>": { …entry… } }` — every client registered today.
    #[default]
    Map,
    /// `[ { "<name_key>": "<name>", …entry… } ]` (Continue's YAML list).
    List { name_key: String },
}

/// A client's key names inside one entry.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct EntryKeys {
    pub command: String,
    pub args: String,
    pub env: String,
    pub headers: String,
    /// The transport discriminator key (`type`), if the client has one.
    pub type_key: Option<String>,
}

impl Default for EntryKeys {
    fn default() -> Self {
        EntryKeys {
            command: "command".into(),
            args: "args".into(),
            env: "env".into(),
            headers: "headers".into(),
            type_key: None,
        }
    }
}

/// How one remote transport is written by a client.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct RemoteShape {
    /// The key holding the endpoint (`url`, `serverUrl`, `httpUrl`, `uri`).
    pub url_key: String,
    /// The value written under [`EntryKeys::type_key`], if any (`http`, `streamableHttp`).
    pub type_value: Option<String>,
    /// The key naming an environment variable that holds the bearer token (Codex's
    /// `bearer_token_env_var`): a catalog entry's `Authorization: Bearer ${secret:NAME}`
    /// header is written as this key instead of an inline token.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub bearer_env_key: Option<String>,
}

impl Default for RemoteShape {
    fn default() -> Self {
        RemoteShape {
            url_key: "url".into(),
            type_value: None,
            bearer_env_key: None,
        }
    }
}

/// The server names a client accepts: ASCII letters and digits plus `extra_chars`, 1 to
/// `max_len` characters. Kept as data so no regex engine is needed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct NameRule {
    pub extra_chars: String,
    pub max_len: usize,
}

impl Default for NameRule {
    fn default() -> Self {
        NameRule {
            extra_chars: "-_.".into(),
            max_len: crate::ids::MAX_ID_LEN,
        }
    }
}

impl NameRule {
    /// Why `name` is refused, or `None` when it is accepted.
    pub fn problem(&self, name: &str) -> Option<String> {
        if name.is_empty() {
            return Some("the name is empty".into());
        }
        if name.chars().count() > self.max_len {
            return Some(format!(
                "the name is {} characters long (at most {})",
                name.chars().count(),
                self.max_len
            ));
        }
        if let Some(bad) = name
            .chars()
            .find(|c| !c.is_ascii_alphanumeric() && !self.extra_chars.contains(*c))
        {
            return Some(format!("the name contains {bad:?}"));
        }
        None
    }

    /// The rule in words, for error messages.
    pub fn describe(&self) -> String {
        let extras: Vec<String> = self.extra_chars.chars().map(|c| format!("'{c}'")).collect();
        if extras.is_empty() {
            format!("1-{} letters or digits", self.max_len)
        } else {
            format!(
                "1-{} letters, digits or {}",
                self.max_len,
                extras.join(", ")
            )
        }
    }
}

/// An operating system whose config paths a record lists.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Os {
    Linux,
    Macos,
    Windows,
}

impl Os {
    /// The OS this binary was built for; other Unixes use the Linux paths.
    pub fn current() -> Os {
        if cfg!(target_os = "windows") {
            Os::Windows
        } else if cfg!(target_os = "macos") {
            Os::Macos
        } else {
            Os::Linux
        }
    }
}

impl ClientSpec {
    /// The user-scope file for the OS we run on, with `~` (and on Windows `%USERPROFILE%`,
    /// `%APPDATA%`) expanded against `home`.
    pub fn config_path(&self, home: &Path) -> PathBuf {
        self.config_path_for(Os::current(), home)
    }

    /// The user-scope file for `os`, expanded against `home`.
    pub fn config_path_for(&self, os: Os, home: &Path) -> PathBuf {
        let template = match os {
            Os::Linux => &self.paths.linux,
            Os::Macos => &self.paths.macos,
            Os::Windows => &self.paths.windows,
        };
        expand_path(template, home)
    }

    /// The project-scope file under `project_dir`, for clients that have one.
    pub fn project_config_path(&self, project_dir: &Path) -> Option<PathBuf> {
        self.project_path
            .as_deref()
            .map(|rel| join_parts(project_dir.to_path_buf(), rel))
    }

    /// Whether an entry of `transport` is written in the client's own shape (stdio always;
    /// remote transports when the client supports them), rather than bridged by `mcp-remote`.
    pub fn renders_natively(&self, transport: Transport) -> bool {
        match transport {
            Transport::Stdio => true,
            remote => self.supports_remote && self.remote_transports.contains(&remote),
        }
    }

    /// Whether an entry of this client's section is one the client provides itself (see
    /// [`Passthrough`]).
    pub fn is_passthrough(&self, entry: &Map<String, Value>) -> bool {
        let by_type = self
            .keys
            .type_key
            .as_ref()
            .and_then(|k| entry.get(k))
            .and_then(Value::as_str)
            .is_some_and(|t| self.passthrough.type_values.iter().any(|v| v == t));
        let by_keys = !self.passthrough.without_keys.is_empty()
            && !self
                .passthrough
                .without_keys
                .iter()
                .any(|k| entry.contains_key(k));
        by_type || by_keys
    }

    /// The `type` value this client writes for `transport`, if any.
    pub fn type_value(&self, transport: Transport) -> Option<&str> {
        self.keys.type_key.as_ref()?;
        match transport {
            Transport::Stdio => self.stdio_type.as_deref(),
            Transport::Http => self.http.type_value.as_deref(),
            Transport::Sse => self.sse.type_value.as_deref(),
        }
    }

    /// The key holding the endpoint of a `transport` entry (remote transports only).
    pub fn url_key(&self, transport: Transport) -> Option<&str> {
        match transport {
            Transport::Stdio => None,
            Transport::Http => Some(&self.http.url_key),
            Transport::Sse => Some(&self.sse.url_key),
        }
    }

    /// The `list_clients` row, with `config_path` expanded against the user's home directory
    /// (from `HOME`, or `USERPROFILE` on Windows; left unexpanded if neither is set).
    pub fn describe(&self) -> Value {
        let home = std::env::var_os("HOME")
            .or_else(|| std::env::var_os("USERPROFILE"))
            .map(PathBuf::from);
        self.describe_with_home(home.as_deref())
    }

    /// [`ClientSpec::describe`] with an explicit home directory (tests, other users).
    pub fn describe_with_home(&self, home: Option<&Path>) -> Value {
        let config_path = match home {
            Some(home) => self.config_path(home).display().to_string(),
            None => match Os::current() {
                Os::Linux => self.paths.linux.clone(),
                Os::Macos => self.paths.macos.clone(),
                Os::Windows => self.paths.windows.clone(),
            },
        };
        json!({
            "client_id": self.id,
            "display_name": self.display_name,
            "config_path": config_path,
            "config_paths": {
                "linux": self.paths.linux,
                "macos": self.paths.macos,
                "windows": self.paths.windows,
            },
            "project_path": self.project_path,
            "format": self.format,
            "root_key": self.root_key,
            "supports_remote": self.supports_remote,
            "remote_transports": if self.supports_remote { json!(self.remote_transports) } else { json!([]) },
            "secret_reference": self.secret_reference.as_ref().map(|r| r.to("NAME")),
            "requires_args": self.requires_args,
            "limits": {
                "max_servers": self.max_servers,
                "max_env_vars": self.max_env_vars,
            },
            "server_name_rule": self.server_name.describe(),
            "notes": self.notes,
        })
    }
}

/// Expands `~`, `%USERPROFILE%`, `%APPDATA%` and `%LOCALAPPDATA%` at the start of `template`
/// against `home` and splits the rest on either separator, so a Windows template yields a
/// native path on Windows (and a readable one in tests elsewhere). No environment is read:
/// the result depends only on the arguments.
fn expand_path(template: &str, home: &Path) -> PathBuf {
    const PREFIXES: &[(&str, &[&str])] = &[
        ("%USERPROFILE%", &[]),
        ("%APPDATA%", &["AppData", "Roaming"]),
        ("%LOCALAPPDATA%", &["AppData", "Local"]),
        ("~", &[]),
    ];
    for (prefix, under_home) in PREFIXES {
        if let Some(rest) = template.strip_prefix(prefix)
            && (rest.is_empty() || rest.starts_with(['/', '\\']))
        {
            let mut base = home.to_path_buf();
            for part in *under_home {
                base.push(part);
            }
            return join_parts(base, rest);
        }
    }
    PathBuf::from(template)
}

fn join_parts(mut base: PathBuf, rel: &str) -> PathBuf {
    for part in rel.split(['/', '\\']).filter(|p| !p.is_empty()) {
        base.push(part);
    }
    base
}

#[derive(Deserialize)]
struct ClientsFile {
    clients: Vec<ClientSpec>,
}

static CLIENTS: OnceLock<Vec<ClientSpec>> = OnceLock::new();

/// Every registered client, in the order of `data/clients.json`.
pub fn all() -> &'static [ClientSpec] {
    CLIENTS.get_or_init(|| {
        let file: ClientsFile = serde_json::from_str(include_str!("../data/clients.json"))
            .expect("data/clients.json is compiled in and parsed by a unit test");
        file.clients
    })
}

/// The client with this id.
pub fn get(id: &str) -> Option<&'static ClientSpec> {
    all().iter().find(|c| c.id == id)
}

/// The client with this id, or an error listing the known ids.
pub fn require(id: &str) -> Result<&'static ClientSpec, ConfigError> {
    get(id).ok_or_else(|| ConfigError::UnknownClient {
        client_id: id.to_string(),
    })
}

/// The ids of every registered client.
pub fn ids() -> Vec<&'static str> {
    all().iter().map(|c| c.id.as_str()).collect()
}

/// The shape assumed for a client id that is not registered: a plain `mcpServers` map that
/// accepts remote `url` entries with an optional `type`, and no limits. Used by
/// [`crate::validate`] after it warns UNKNOWN_CLIENT.
pub fn generic(id: &str) -> ClientSpec {
    ClientSpec {
        id: id.to_string(),
        display_name: id.to_string(),
        format: FileFormat::Json,
        root_key: "mcpServers".into(),
        paths: OsPaths {
            linux: String::new(),
            macos: String::new(),
            windows: String::new(),
        },
        project_path: None,
        supports_remote: true,
        requires_args: false,
        max_servers: None,
        max_env_vars: None,
        section: SectionShape::Map,
        keys: EntryKeys {
            type_key: Some("type".into()),
            ..EntryKeys::default()
        },
        stdio_type: None,
        http: RemoteShape {
            url_key: "url".into(),
            type_value: Some("http".into()),
            bearer_env_key: None,
        },
        sse: RemoteShape {
            url_key: "url".into(),
            type_value: Some("sse".into()),
            bearer_env_key: None,
        },
        server_name: NameRule::default(),
        remote_transports: both_remote_transports(),
        entry_name_key: None,
        entry_defaults: Map::new(),
        passthrough: Passthrough::default(),
        secret_reference: None,
        notes: String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeSet;

    #[test]
    fn data_file_parses_and_ids_are_valid_and_unique() {
        let clients = all();
        assert!(clients.len() >= 6);
        let mut seen = BTreeSet::new();
        for c in clients {
            crate::ids::validate_id("client_id", &c.id).expect("valid id");
            assert!(seen.insert(c.id.clone()), "duplicate client id {}", c.id);
            assert!(!c.display_name.is_empty());
            assert!(!c.root_key.is_empty());
            for p in [&c.paths.linux, &c.paths.macos, &c.paths.windows] {
                assert!(p.starts_with('~') || p.starts_with('%'), "{}: {p}", c.id);
            }
            assert!(c.server_name.max_len > 0);
        }
    }

    #[test]
    fn the_foundation_clients_are_registered() {
        for id in [
            "claude-desktop",
            "claude-code",
            "cursor",
            "windsurf",
            "gemini-cli",
            "lm-studio",
        ] {
            assert!(get(id).is_some(), "{id}");
        }
        assert!(get("vim").is_none());
        assert!(matches!(
            require("vim"),
            Err(ConfigError::UnknownClient { .. })
        ));
    }

    #[test]
    fn linux_paths_expand_against_home() {
        let home = Path::new("/home/ada");
        let path = |id: &str| get(id).unwrap().config_path_for(Os::Linux, home);
        assert_eq!(
            path("claude-desktop"),
            PathBuf::from("/home/ada/.config/Claude/claude_desktop_config.json")
        );
        assert_eq!(path("claude-code"), PathBuf::from("/home/ada/.claude.json"));
        assert_eq!(path("cursor"), PathBuf::from("/home/ada/.cursor/mcp.json"));
        assert_eq!(
            path("windsurf"),
            PathBuf::from("/home/ada/.codeium/windsurf/mcp_config.json")
        );
        assert_eq!(
            path("gemini-cli"),
            PathBuf::from("/home/ada/.gemini/settings.json")
        );
        assert_eq!(
            path("lm-studio"),
            PathBuf::from("/home/ada/.lmstudio/mcp.json")
        );
    }

    #[test]
    fn macos_and_windows_paths_expand_too() {
        let home = Path::new("/u");
        let cd = get("claude-desktop").unwrap();
        assert_eq!(
            cd.config_path_for(Os::Macos, home),
            PathBuf::from("/u/Library/Application Support/Claude/claude_desktop_config.json")
        );
        assert_eq!(
            cd.config_path_for(Os::Windows, home),
            PathBuf::from("/u/AppData/Roaming/Claude/claude_desktop_config.json")
        );
        let cc = get("claude-code").unwrap();
        assert_eq!(
            cc.config_path_for(Os::Windows, home),
            PathBuf::from("/u/.claude.json")
        );
    }

    #[test]
    fn project_paths_join_under_the_project() {
        let dir = Path::new("/work/app");
        assert_eq!(
            get("claude-code").unwrap().project_config_path(dir),
            Some(PathBuf::from("/work/app/.mcp.json"))
        );
        assert_eq!(
            get("cursor").unwrap().project_config_path(dir),
            Some(PathBuf::from("/work/app/.cursor/mcp.json"))
        );
        assert_eq!(
            get("claude-desktop").unwrap().project_config_path(dir),
            None
        );
    }

    #[test]
    fn describe_has_the_contract_fields() {
        let row = get("cursor")
            .unwrap()
            .describe_with_home(Some(Path::new("/home/ada")));
        assert_eq!(row["client_id"], "cursor");
        assert_eq!(row["display_name"], "Cursor");
        assert_eq!(row["format"], "json");
        assert_eq!(row["root_key"], "mcpServers");
        assert_eq!(row["supports_remote"], true);
        assert_eq!(row["config_paths"]["linux"], "~/.cursor/mcp.json");
        assert_eq!(row["limits"]["max_servers"], 40);
        assert!(row["limits"]["max_env_vars"].is_null());
        if Os::current() == Os::Linux {
            assert_eq!(row["config_path"], "/home/ada/.cursor/mcp.json");
        }
        let unexpanded = get("cursor").unwrap().describe_with_home(None);
        assert!(
            unexpanded["config_path"]
                .as_str()
                .unwrap()
                .contains("mcp.json")
        );
    }

    #[test]
    fn remote_shapes_follow_each_client() {
        assert_eq!(get("windsurf").unwrap().http.url_key, "serverUrl");
        let gemini = get("gemini-cli").unwrap();
        assert_eq!(gemini.url_key(Transport::Http), Some("httpUrl"));
        assert_eq!(gemini.url_key(Transport::Sse), Some("url"));
        let cc = get("claude-code").unwrap();
        assert_eq!(cc.type_value(Transport::Stdio), Some("stdio"));
        assert_eq!(cc.type_value(Transport::Http), Some("http"));
        assert_eq!(cc.type_value(Transport::Sse), Some("sse"));
        assert_eq!(get("cursor").unwrap().type_value(Transport::Http), None);
        assert!(!get("claude-desktop").unwrap().supports_remote);
    }

    #[test]
    fn name_rules_refuse_what_the_client_refuses() {
        let cc = &get("claude-code").unwrap().server_name;
        assert!(cc.problem("github").is_none());
        assert!(cc.problem("my_server-2").is_none());
        assert!(cc.problem("fs.home").unwrap().contains("'.'"));
        assert!(cc.problem("my server").unwrap().contains("' '"));
        assert!(cc.problem("").unwrap().contains("empty"));
        assert!(cc.problem(&"a".repeat(65)).unwrap().contains("65"));
        let cursor = &get("cursor").unwrap().server_name;
        assert!(cursor.problem("fs.home").is_none());
        assert!(cursor.problem("a/b").is_some());
        assert_eq!(cc.describe(), "1-64 letters, digits or '-', '_'");
    }

    #[test]
    fn a_list_shaped_client_record_parses() {
        let spec: ClientSpec = serde_json::from_value(json!({
            "id": "continue",
            "display_name": "Continue",
            "format": "yaml",
            "root_key": "mcpServers",
            "paths": {"linux": "~/.continue/config.yaml", "macos": "~/.continue/config.yaml",
                      "windows": "%USERPROFILE%\\.continue\\config.yaml"},
            "supports_remote": true,
            "section": {"shape": "list", "name_key": "name"},
            "keys": {"type_key": "type"},
            "stdio_type": "stdio",
            "http": {"url_key": "url", "type_value": "streamable-http"},
            "sse": {"url_key": "url", "type_value": "sse"}
        }))
        .unwrap();
        assert_eq!(
            spec.section,
            SectionShape::List {
                name_key: "name".into()
            }
        );
        assert_eq!(spec.keys.command, "command");
        assert_eq!(spec.type_value(Transport::Http), Some("streamable-http"));
        assert_eq!(spec.format, FileFormat::Yaml);
    }
}
