//! Checks on a rendered payload, before it is signed or deployed.
//!
//! Validation reads the payload (what the client will actually see), not the draft, so it
//! catches whatever an import carried in and whatever the renderer produced. Each problem is
//! an [`Issue`] with a stable code (the old system's codes plus new ones, see [`codes`]), a
//! message that says what is wrong and how to fix it, the server, and a path into the payload
//! (`mcpServers.github.env.GITHUB_PERSONAL_ACCESS_TOKEN`).

use serde::Serialize;
use serde_json::{Map, Value};

use crate::clients::{self, ClientSpec, SectionShape};
use crate::import::{classify, get_path};
use crate::model::Transport;
use crate::next::{Fix, Step};

/// The issue codes. Errors make a payload invalid; warnings do not.
pub mod codes {
    /// Error: the payload holds no servers.
    pub const EMPTY_CONFIG: &str = "EMPTY_CONFIG";
    /// Error: the payload is not an object holding the client's section.
    pub const INVALID_ROOT: &str = "INVALID_ROOT";
    /// Error: an entry is not an object.
    pub const INVALID_ENTRY: &str = "INVALID_ENTRY";
    /// Error: two list entries share a name.
    pub const DUPLICATE_SERVER_NAME: &str = "DUPLICATE_SERVER_NAME";
    /// Error: a server name the client's format refuses or mishandles.
    pub const INVALID_SERVER_NAME: &str = "INVALID_SERVER_NAME";
    /// Error: a stdio entry has no command (or an empty one).
    pub const MISSING_COMMAND: &str = "MISSING_COMMAND";
    /// Error: a stdio entry's command is `null`.
    pub const NULL_COMMAND: &str = "NULL_COMMAND";
    /// Error: a stdio entry's command is not a string.
    pub const INVALID_COMMAND_TYPE: &str = "INVALID_COMMAND_TYPE";
    /// Error: a stdio entry has no args where the client requires them.
    pub const MISSING_ARGS: &str = "MISSING_ARGS";
    /// Error: args is not an array of strings.
    pub const INVALID_ARGS_TYPE: &str = "INVALID_ARGS_TYPE";
    /// Error: env is not an object of strings.
    pub const INVALID_ENV_TYPE: &str = "INVALID_ENV_TYPE";
    /// Error: more servers than the client can use.
    pub const TOO_MANY_SERVERS: &str = "TOO_MANY_SERVERS";
    /// Error: more env vars on one server than the client accepts.
    pub const TOO_MANY_ENV_VARS: &str = "TOO_MANY_ENV_VARS";
    /// Error: a remote entry has no URL.
    pub const MISSING_URL: &str = "MISSING_URL";
    /// Error: a remote entry's URL is not an http(s) URL.
    pub const INVALID_URL: &str = "INVALID_URL";
    /// Error: headers is not an object of strings.
    pub const INVALID_HEADERS_TYPE: &str = "INVALID_HEADERS_TYPE";
    /// Warning: an env var is empty.
    pub const EMPTY_ENV_VAR: &str = "EMPTY_ENV_VAR";
    /// Warning: the client id is not registered; checked as a generic `mcpServers` file.
    pub const UNKNOWN_CLIENT: &str = "UNKNOWN_CLIENT";
}

/// The outcome of [`validate_payload`].
#[derive(Debug, Clone, Serialize)]
pub struct ValidationReport {
    /// `true` when there are no errors (warnings allowed).
    pub valid: bool,
    pub errors: Vec<Issue>,
    pub warnings: Vec<Issue>,
    pub server_count: usize,
}

impl ValidationReport {
    /// Whether an issue with `code` was reported (error or warning).
    pub fn has(&self, code: &str) -> bool {
        self.errors
            .iter()
            .chain(&self.warnings)
            .any(|i| i.code == code)
    }
}

/// One problem found.
#[derive(Debug, Clone, Serialize)]
pub struct Issue {
    pub code: &'static str,
    /// "error" (blocks publishing) or "warning" (does not), as the old system said it.
    pub severity: &'static str,
    pub message: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub server: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub path: Option<String>,
    /// What fixes it, as data: the end of `message`, which says it in tool names.
    #[serde(skip)]
    pub fix: Option<Fix>,
}

/// Validates a payload for the client `client_id`. An unregistered id gives an UNKNOWN_CLIENT
/// warning and a check against a generic `mcpServers` shape.
pub fn validate_payload(client_id: &str, payload: &Value) -> ValidationReport {
    match clients::get(client_id) {
        Some(client) => validate_payload_for(client, payload),
        None => {
            let mut report = validate_payload_for(&clients::generic(client_id), payload);
            report.warnings.insert(
                0,
                Issue {
                    code: codes::UNKNOWN_CLIENT,
                    severity: "warning",
                    message: format!(
                        "client '{client_id}' is not known, so its limits and name rules were not checked; use one of {}",
                        clients::ids().join(", ")
                    ),
                    server: None,
                    path: None,
                    fix: None,
                },
            );
            report
        }
    }
}

/// Validates a payload against an explicit client record.
pub fn validate_payload_for(client: &ClientSpec, payload: &Value) -> ValidationReport {
    let mut v = Checker {
        client,
        errors: Vec::new(),
        warnings: Vec::new(),
    };
    let count = v.check_payload(payload);
    ValidationReport {
        valid: v.errors.is_empty(),
        errors: v.errors,
        warnings: v.warnings,
        server_count: count,
    }
}

struct Checker<'c> {
    client: &'c ClientSpec,
    errors: Vec<Issue>,
    warnings: Vec<Issue>,
}

impl Checker<'_> {
    fn error(
        &mut self,
        code: &'static str,
        server: Option<&str>,
        path: Option<String>,
        message: String,
    ) {
        self.errors.push(Issue {
            code,
            severity: "error",
            message,
            server: server.map(str::to_string),
            path,
            fix: None,
        });
    }

    /// An error about the whole payload: `fact`, then `fix` (in tool names, and as data).
    fn fixable(&mut self, code: &'static str, path: Option<String>, fact: String, fix: Fix) {
        self.errors.push(Issue {
            code,
            severity: "error",
            message: format!("{fact}{}", fix.as_tools()),
            server: None,
            path,
            fix: Some(fix),
        });
    }

    fn warning(&mut self, code: &'static str, server: &str, path: String, message: String) {
        self.warnings.push(Issue {
            code,
            severity: "warning",
            message,
            server: Some(server.to_string()),
            path: Some(path),
            fix: None,
        });
    }

    /// Checks the whole payload and returns the number of servers.
    fn check_payload(&mut self, payload: &Value) -> usize {
        let root = self.client.root_key.clone();
        let client_name = self.client.display_name.clone();
        let Some(obj) = payload.as_object() else {
            self.error(
                codes::INVALID_ROOT,
                None,
                None,
                format!(
                    "the payload must be a JSON object like {{\"{root}\": {{…}}}}, not {}",
                    imprint_engine::json::kind(payload)
                ),
            );
            return 0;
        };
        let Some(section) = obj.get(&root) else {
            if obj.is_empty() {
                self.empty(&root);
            } else {
                let found: Vec<&str> = obj.keys().map(String::as_str).collect();
                self.error(
                    codes::INVALID_ROOT,
                    None,
                    None,
                    format!(
                        "the payload has no '{root}' key (found {}); {client_name} keeps its servers under '{root}'",
                        found.join(", ")
                    ),
                );
            }
            return 0;
        };

        let entries: Vec<(String, &Value)> = match (&self.client.section, section) {
            (SectionShape::Map, Value::Object(map)) => {
                // Sorted so the report reads the same whatever order the file had.
                let mut entries: Vec<(String, &Value)> =
                    map.iter().map(|(k, v)| (k.clone(), v)).collect();
                entries.sort_by(|a, b| a.0.cmp(&b.0));
                entries
            }
            (SectionShape::List { name_key }, Value::Array(list)) => {
                let name_key = name_key.clone();
                let mut out = Vec::new();
                for (i, entry) in list.iter().enumerate() {
                    match entry.get(&name_key).and_then(Value::as_str) {
                        Some(name) if out.iter().any(|(n, _): &(String, &Value)| n == name) => {
                            self.error(
                                codes::DUPLICATE_SERVER_NAME,
                                Some(name),
                                Some(format!("{root}[{i}]")),
                                format!("two servers are named '{name}'; rename or remove one"),
                            );
                        }
                        Some(name) => out.push((name.to_string(), entry)),
                        None => self.error(
                            codes::INVALID_ENTRY,
                            None,
                            Some(format!("{root}[{i}]")),
                            format!("entry {i} of '{root}' has no string '{name_key}'; every entry needs a name"),
                        ),
                    }
                }
                out
            }
            (shape, other) => {
                let want = match shape {
                    SectionShape::Map => "an object keyed by server name",
                    SectionShape::List { .. } => "a list of server entries",
                };
                self.error(
                    codes::INVALID_ROOT,
                    None,
                    Some(root.clone()),
                    format!(
                        "'{root}' must be {want} for {client_name}, not {}",
                        imprint_engine::json::kind(other)
                    ),
                );
                return 0;
            }
        };

        if entries.is_empty() {
            self.empty(&root);
        }
        for (name, entry) in &entries {
            self.check_entry(&root, name, entry);
        }
        if let Some(max) = self.client.max_servers
            && entries.len() > max
        {
            self.fixable(
                codes::TOO_MANY_SERVERS,
                Some(root.clone()),
                format!(
                    "{} servers configured but {client_name} can use at most {max}; remove {} with ",
                    entries.len(),
                    entries.len() - max
                ),
                Fix::default().step(Step::RemoveServer),
            );
        }
        entries.len()
    }

    fn empty(&mut self, root: &str) {
        self.fixable(
            codes::EMPTY_CONFIG,
            Some(root.to_string()),
            "the configuration has no servers".into(),
            Fix::text("; add one with ")
                .step(Step::AddServer)
                .then(" (see ")
                .step(Step::ListCatalog)
                .then(")"),
        );
    }

    fn check_entry(&mut self, root: &str, name: &str, entry: &Value) {
        let client = self.client;
        let here = format!("{root}.{name}");
        if let Some(problem) = client.server_name.problem(name) {
            self.error(
                codes::INVALID_SERVER_NAME,
                Some(name),
                Some(here.clone()),
                format!(
                    "server name '{name}' does not work in {}: {problem}; use {} (remove it and add it again with another server_name)",
                    client.display_name,
                    client.server_name.describe()
                ),
            );
        }
        let Some(obj) = entry.as_object() else {
            self.error(
                codes::INVALID_ENTRY,
                Some(name),
                Some(here),
                format!(
                    "server '{name}' must be an object, not {}",
                    imprint_engine::json::kind(entry)
                ),
            );
            return;
        };
        if client.is_passthrough(obj) {
            // the client's own extension (a Goose builtin, a Zed extension server): nothing of
            // it is Imprint's to check
            return;
        }
        let (transport, _) = classify(client, obj);
        match transport {
            Transport::Stdio => self.check_stdio(name, &here, obj),
            Transport::Http | Transport::Sse => self.check_remote(name, &here, obj, transport),
        }
        if let Some(env) = obj.get(&client.keys.env) {
            self.check_env(name, &format!("{here}.{}", client.keys.env), env);
        }
    }

    fn check_stdio(&mut self, name: &str, here: &str, obj: &Map<String, Value>) {
        let client = self.client;
        let keys = &client.keys;
        let path = format!("{here}.{}", keys.command);
        match obj.get(&keys.command) {
            None => {
                let hint = self.remote_key_hint(obj);
                self.error(
                    codes::MISSING_COMMAND,
                    Some(name),
                    Some(path),
                    format!(
                        "server '{name}' has no '{}': a local server needs the program to start (e.g. \"npx\"){hint}",
                        keys.command
                    ),
                );
            }
            Some(Value::Null) => self.error(
                codes::NULL_COMMAND,
                Some(name),
                Some(path),
                format!(
                    "server '{name}' has \"{}\": null; {} would fail to start it; set the program to run (e.g. \"npx\")",
                    keys.command, client.display_name
                ),
            ),
            Some(Value::String(s)) if s.trim().is_empty() => self.error(
                codes::MISSING_COMMAND,
                Some(name),
                Some(path),
                format!("server '{name}' has an empty '{}'; set the program to run (e.g. \"npx\")", keys.command),
            ),
            Some(Value::String(_)) => {}
            Some(other) => self.error(
                codes::INVALID_COMMAND_TYPE,
                Some(name),
                Some(path),
                format!(
                    "server '{name}': '{}' must be a string naming the program, not {}; put further words in '{}'",
                    keys.command,
                    imprint_engine::json::kind(other),
                    keys.args
                ),
            ),
        }
        let args_path = format!("{here}.{}", keys.args);
        match obj.get(&keys.args) {
            None if client.requires_args => self.error(
                codes::MISSING_ARGS,
                Some(name),
                Some(args_path),
                format!(
                    "server '{name}' has no '{}'; {} expects an array even when empty: add \"{}\": []",
                    keys.args, client.display_name, keys.args
                ),
            ),
            None => {}
            Some(Value::Array(items)) => {
                for (i, item) in items.iter().enumerate() {
                    if !item.is_string() {
                        self.error(
                            codes::INVALID_ARGS_TYPE,
                            Some(name),
                            Some(format!("{args_path}[{i}]")),
                            format!(
                                "server '{name}': argument {i} is {}, but every argument must be a string; quote it (e.g. \"{}\")",
                                imprint_engine::json::kind(item),
                                plain(item)
                            ),
                        );
                    }
                }
            }
            Some(other) => self.error(
                codes::INVALID_ARGS_TYPE,
                Some(name),
                Some(args_path),
                format!(
                    "server '{name}': '{}' must be an array of strings, not {}; write e.g. [\"-y\", \"package\"]",
                    keys.args,
                    imprint_engine::json::kind(other)
                ),
            ),
        }
    }

    /// A hint when an entry without a command carries a remote key this client does not
    /// read (a Cursor `url` copied into Windsurf, which wants `serverUrl`).
    fn remote_key_hint(&self, obj: &Map<String, Value>) -> String {
        let client = self.client;
        let foreign = ["url", "serverUrl", "httpUrl", "uri"]
            .into_iter()
            .find(|k| obj.contains_key(*k));
        match foreign {
            Some(k) if client.supports_remote => format!(
                ", or for a remote server '{}' (Streamable HTTP) or '{}' (SSE); '{k}' is not read by {}",
                client.http.url_key, client.sse.url_key, client.display_name
            ),
            Some(k) => format!(
                "; {} cannot reach remote servers from this file, so '{k}' is ignored: add the server from the catalog and Imprint bridges it with mcp-remote",
                client.display_name
            ),
            None => String::new(),
        }
    }

    fn check_remote(
        &mut self,
        name: &str,
        here: &str,
        obj: &Map<String, Value>,
        transport: Transport,
    ) {
        let client = self.client;
        let url_key = client.url_key(transport).unwrap_or("url");
        let path = format!("{here}.{url_key}");
        match obj.get(url_key) {
            None | Some(Value::Null) => self.error(
                codes::MISSING_URL,
                Some(name),
                Some(path),
                format!(
                    "remote server '{name}' ({}) has no '{url_key}'; set it to the server's endpoint, e.g. \"https://example.com/mcp\"",
                    transport.as_str()
                ),
            ),
            Some(Value::String(url)) if is_http_url(url) => {}
            Some(other) => self.error(
                codes::INVALID_URL,
                Some(name),
                Some(path),
                format!(
                    "remote server '{name}': '{url_key}' must be an http:// or https:// URL with a host, not {}",
                    plain_short(other)
                ),
            ),
        }
        let headers_key = &client.keys.headers;
        match get_path(obj, headers_key) {
            None | Some(Value::Object(_)) => {}
            Some(other) => self.error(
                codes::INVALID_HEADERS_TYPE,
                Some(name),
                Some(format!("{here}.{headers_key}")),
                format!(
                    "server '{name}': '{headers_key}' must be an object of header names to string values, not {}",
                    imprint_engine::json::kind(other)
                ),
            ),
        }
        if let Some(Value::Object(headers)) = get_path(obj, headers_key) {
            for (h, v) in headers {
                if !v.is_string() {
                    self.error(
                        codes::INVALID_HEADERS_TYPE,
                        Some(name),
                        Some(format!("{here}.{headers_key}.{h}")),
                        format!(
                            "server '{name}': header {h} must be a string, not {}; quote it",
                            imprint_engine::json::kind(v)
                        ),
                    );
                }
            }
        }
    }

    fn check_env(&mut self, name: &str, path: &str, env: &Value) {
        let Some(vars) = env.as_object() else {
            self.error(
                codes::INVALID_ENV_TYPE,
                Some(name),
                Some(path.to_string()),
                format!(
                    "server '{name}': env must be an object of NAME: \"value\" pairs, not {}",
                    imprint_engine::json::kind(env)
                ),
            );
            return;
        };
        if let Some(max) = self.client.max_env_vars
            && vars.len() > max
        {
            self.error(
                codes::TOO_MANY_ENV_VARS,
                Some(name),
                Some(path.to_string()),
                format!(
                    "server '{name}' sets {} env vars but {} accepts at most {max}; drop the ones the server does not read",
                    vars.len(),
                    self.client.display_name
                ),
            );
        }
        for (var, value) in vars {
            match value {
                Value::String(s) if s.is_empty() => self.warning(
                    codes::EMPTY_ENV_VAR,
                    name,
                    format!("{path}.{var}"),
                    format!(
                        "server '{name}': env var {var} is empty; set it with env_vars={{\"{var}\": \"…\"}} or the server may fail to start or authenticate"
                    ),
                ),
                Value::String(_) => {}
                // a secret's value is never repeated in a message
                other if crate::secrets::is_secret_env_name(var) => self.error(
                    codes::INVALID_ENV_TYPE,
                    Some(name),
                    Some(format!("{path}.{var}")),
                    format!(
                        "server '{name}': env var {var} must be a string, not {}; quote it",
                        imprint_engine::json::kind(other)
                    ),
                ),
                other => self.error(
                    codes::INVALID_ENV_TYPE,
                    Some(name),
                    Some(format!("{path}.{var}")),
                    format!(
                        "server '{name}': env var {var} must be a string, not {}; quote it (\"{}\")",
                        imprint_engine::json::kind(other),
                        plain(other)
                    ),
                ),
            }
        }
    }
}

/// Whether `s` is an `http://` or `https://` URL with a host and no whitespace.
pub(crate) fn is_http_url(s: &str) -> bool {
    let rest = if s
        .get(..7)
        .is_some_and(|p| p.eq_ignore_ascii_case("http://"))
    {
        &s[7..]
    } else if s
        .get(..8)
        .is_some_and(|p| p.eq_ignore_ascii_case("https://"))
    {
        &s[8..]
    } else {
        return false;
    };
    let authority = rest.split(['/', '?', '#']).next().unwrap_or_default();
    let host = authority.rsplit('@').next().unwrap_or_default();
    !host.is_empty()
        && !host.starts_with(':')
        && !s.chars().any(|c| c.is_whitespace() || c.is_control())
}

/// A scalar as bare text, for "quote it" hints.
fn plain(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        Value::Number(_) | Value::Bool(_) | Value::Null => v.to_string(),
        Value::Array(_) | Value::Object(_) => "…".into(),
    }
}

fn plain_short(v: &Value) -> String {
    let text = v.to_string();
    if text.chars().count() > 60 {
        format!("{}…", text.chars().take(60).collect::<String>())
    } else {
        text
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn http_urls() {
        for ok in [
            "http://localhost:5679/mcp-server/http",
            "https://mcp.sentry.dev/mcp",
            "HTTPS://EXAMPLE.COM",
            "https://user@host/x",
            "https://bücher.example/mcp",
        ] {
            assert!(is_http_url(ok), "{ok}");
        }
        for bad in [
            "",
            "ftp://x",
            "https://",
            "http:///path",
            "https://:80",
            "example.com",
            "https://a b",
            "{url}",
        ] {
            assert!(!is_http_url(bad), "{bad}");
        }
    }
}
