//! The server catalog: what can be added to a draft, and how a definition becomes an entry.
//!
//! Built-in definitions are data (`data/catalog.json`, compiled in); users register more and
//! can import official MCP Registry `server.json` files ([`from_registry_server_json`]). A
//! definition's `args`, `url`, header values and env defaults are templates: `{name}` is
//! replaced by parameter `name` (defaults applied), `{{` and `}}` are literal braces, and any
//! other brace text (`{"headless":true}`) is left alone.
//!
//! # Parameter values
//! [`ServerDefinition::instantiate`] is lenient about how a value is spelled and strict about
//! what it means, because callers are often models passing JSON-in-strings:
//! - `integer` accepts `5679` or `"5679"`; `number` accepts `1.5` or `"1.5"`; `boolean`
//!   accepts `true` or `"true"`/`"false"`. The stored value is normalized to the JSON type.
//! - `string` and `path` accept strings, and numbers (stored as their decimal string).
//! - `url` accepts an `http://` or `https://` URL with a host.
//! - `null` means "not given" (the default, if any, applies).

use std::collections::{BTreeMap, BTreeSet};
use std::sync::OnceLock;

use serde::{Deserialize, Serialize};
use serde_json::{Map, Number, Value, json};

use crate::error::{ConfigError, invalid};
use crate::ids::validate_id;
use crate::model::{ServerEntry, Transport};
use crate::validate::is_http_url;

/// The type of a catalog parameter.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ParamType {
    String,
    Integer,
    Number,
    Boolean,
    /// A filesystem path (a non-empty string).
    Path,
    /// An `http(s)://` URL.
    Url,
}

impl ParamType {
    fn with_article(self) -> &'static str {
        match self {
            ParamType::Integer => "an integer",
            ParamType::Url => "a url",
            ParamType::String => "a string",
            ParamType::Number => "a number",
            ParamType::Boolean => "a boolean",
            ParamType::Path => "a path",
        }
    }

    fn as_str(self) -> &'static str {
        match self {
            ParamType::String => "string",
            ParamType::Integer => "integer",
            ParamType::Number => "number",
            ParamType::Boolean => "boolean",
            ParamType::Path => "path",
            ParamType::Url => "url",
        }
    }
}

/// One parameter a definition takes.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ParamSpec {
    /// Referenced as `{name}` in templates: `[A-Za-z_][A-Za-z0-9_]*`.
    pub name: String,
    #[serde(default)]
    pub description: String,
    #[serde(rename = "type")]
    pub kind: ParamType,
    #[serde(default)]
    pub required: bool,
    /// Used when the caller gives no value; must have the parameter's type.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub default: Option<Value>,
    /// If not empty, the value (as text) must be one of these.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub choices: Vec<String>,
    /// The value is a credential (a header token): views and logs should redact it.
    #[serde(default, skip_serializing_if = "is_false")]
    pub secret: bool,
}

fn is_false(b: &bool) -> bool {
    !*b
}

/// A server that can be added to a draft.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ServerDefinition {
    pub server_id: String,
    #[serde(default)]
    pub display_name: String,
    #[serde(default)]
    pub description: String,
    #[serde(default)]
    pub transport: Transport,
    /// Stdio: the program to start.
    #[serde(default)]
    pub command: Option<String>,
    /// Stdio: argument templates.
    #[serde(default)]
    pub args: Vec<String>,
    /// Remote: endpoint template.
    #[serde(default)]
    pub url: Option<String>,
    /// Remote: header value templates.
    #[serde(default)]
    pub headers: BTreeMap<String, String>,
    /// Env vars always written (empty when the caller gives no value).
    #[serde(default)]
    pub required_env: Vec<String>,
    /// Env vars written only when given.
    #[serde(default)]
    pub optional_env: Vec<String>,
    /// Env vars holding credentials (a subset of required + optional).
    #[serde(default)]
    pub secret_env: Vec<String>,
    /// Values (templates) for env vars the caller does not give; a name that is in neither
    /// env list is always written (fixed values from a registry `server.json`).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub env_defaults: BTreeMap<String, String>,
    #[serde(default)]
    pub parameters: Vec<ParamSpec>,
    #[serde(default)]
    pub homepage: Option<String>,
    /// The package the command runs (npm, PyPI or image name), for display.
    #[serde(default)]
    pub package: Option<String>,
    #[serde(default)]
    pub tags: Vec<String>,
    /// Where the definition came from: `builtin`, `user` or `registry`.
    #[serde(default)]
    pub source: String,
}

#[derive(Deserialize)]
struct CatalogFile {
    servers: Vec<ServerDefinition>,
}

static BUILTIN: OnceLock<Vec<ServerDefinition>> = OnceLock::new();

/// The built-in definitions, sorted by `server_id`, each with `source = "builtin"`.
pub fn builtin() -> &'static [ServerDefinition] {
    BUILTIN.get_or_init(|| {
        let file: CatalogFile = serde_json::from_str(include_str!("../data/catalog.json"))
            .expect("data/catalog.json is compiled in and checked by a unit test");
        let mut servers = file.servers;
        for s in &mut servers {
            s.source = "builtin".into();
        }
        servers.sort_by(|a, b| a.server_id.cmp(&b.server_id));
        servers
    })
}

/// The built-in definition with this id.
pub fn get_builtin(server_id: &str) -> Option<&'static ServerDefinition> {
    builtin().iter().find(|d| d.server_id == server_id)
}

impl ServerDefinition {
    /// Whether a definition is well-formed enough to register: a valid id, a command for stdio
    /// and a URL for remote, every `{placeholder}` naming a declared parameter that is
    /// required or has a default, defaults of the declared types, sane env names.
    pub fn check(&self) -> Result<(), ConfigError> {
        let id = &self.server_id;
        validate_id("server_id", id)?;
        let bad = |msg: String| invalid(format!("server definition '{id}': {msg}"));

        let mut names = BTreeSet::new();
        for p in &self.parameters {
            if !is_ident(&p.name) {
                return Err(bad(format!(
                    "parameter name {:?} is not usable as a placeholder; use letters, digits and '_', not starting with a digit",
                    p.name
                )));
            }
            if !names.insert(p.name.as_str()) {
                return Err(bad(format!("parameter '{}' is declared twice", p.name)));
            }
            if p.choices.iter().any(String::is_empty) {
                return Err(bad(format!("parameter '{}' has an empty choice", p.name)));
            }
            if let Some(default) = &p.default {
                if !default_has_type(default, p.kind) {
                    return Err(bad(format!(
                        "the default {default} of parameter '{}' is not {}; give a default of that type",
                        p.name,
                        p.kind.with_article()
                    )));
                }
                if !p.choices.is_empty() && !p.choices.contains(&value_text(default)) {
                    return Err(bad(format!(
                        "the default {default} of parameter '{}' is not one of its choices ({})",
                        p.name,
                        p.choices.join(", ")
                    )));
                }
            }
        }

        match self.transport {
            Transport::Stdio => {
                if self.command.as_deref().is_none_or(|c| c.trim().is_empty()) {
                    return Err(bad(
                        "a stdio server needs a command (the program to start)".into()
                    ));
                }
                if self.url.is_some() || !self.headers.is_empty() {
                    return Err(bad(
                        "a stdio server has no url or headers; set transport to http or sse for a remote server".into(),
                    ));
                }
            }
            Transport::Http | Transport::Sse => {
                let Some(url) = self.url.as_deref() else {
                    return Err(bad(format!(
                        "a remote ({}) server needs a url",
                        self.transport.as_str()
                    )));
                };
                if self.command.is_some() || !self.args.is_empty() {
                    return Err(bad(
                        "a remote server has no command or args; use transport stdio for a local program".into(),
                    ));
                }
                if !self.required_env.is_empty()
                    || !self.optional_env.is_empty()
                    || !self.env_defaults.is_empty()
                {
                    return Err(bad(
                        "a remote server takes no env vars; pass credentials through parameters used in its headers".into(),
                    ));
                }
                if placeholders(url).map_err(&bad)?.is_empty()
                    && !is_http_url(&substitute(url, &Map::new()).unwrap_or_default())
                {
                    return Err(bad(format!("url {url:?} is not an http(s) URL")));
                }
            }
        }

        // Every placeholder must always have a value, or rendering would leave `{x}` behind.
        let templates = self
            .args
            .iter()
            .chain(self.url.iter())
            .chain(self.headers.values())
            .chain(self.env_defaults.values());
        for t in templates {
            for name in placeholders(t).map_err(&bad)? {
                match self.parameters.iter().find(|p| p.name == name) {
                    None => {
                        return Err(bad(format!(
                            "{{{name}}} in {t:?} is not a declared parameter; declare it or write {{{{ and }}}} for literal braces"
                        )));
                    }
                    Some(p) if !p.required && p.default.is_none() => {
                        return Err(bad(format!(
                            "{{{name}}} is used in {t:?} but parameter '{name}' is optional without a default; make it required or give it a default"
                        )));
                    }
                    Some(_) => {}
                }
            }
        }

        let mut env_seen = BTreeSet::new();
        for name in self.required_env.iter().chain(&self.optional_env) {
            if let Some(problem) = env_name_problem(name) {
                return Err(bad(problem));
            }
            if !env_seen.insert(name.as_str()) {
                return Err(bad(format!("env var {name} is listed twice")));
            }
        }
        for name in self.env_defaults.keys() {
            if let Some(problem) = env_name_problem(name) {
                return Err(bad(problem));
            }
        }
        for name in &self.secret_env {
            if !env_seen.contains(name.as_str()) {
                return Err(bad(format!(
                    "secret env var {name} is neither in required_env nor in optional_env"
                )));
            }
        }
        Ok(())
    }

    /// Builds the draft entry: checks and normalizes `params` (unknown names and missing
    /// required ones are refused), applies defaults, substitutes every placeholder, and sets
    /// env to the required vars (`""` when not given), the optional ones given and any extra
    /// ones given. Env values must be strings; numbers and booleans are written as text.
    pub fn instantiate(
        &self,
        params: &Map<String, Value>,
        env_vars: &Map<String, Value>,
    ) -> Result<ServerEntry, ConfigError> {
        self.check()?;
        let id = &self.server_id;

        let unknown: Vec<&str> = params
            .keys()
            .filter(|k| !self.parameters.iter().any(|p| &p.name == *k))
            .map(String::as_str)
            .collect();
        if !unknown.is_empty() {
            let valid: Vec<&str> = self.parameters.iter().map(|p| p.name.as_str()).collect();
            return Err(if valid.is_empty() {
                invalid(format!(
                    "server '{id}' takes no parameters; remove {} from params",
                    quoted_list(&unknown)
                ))
            } else {
                invalid(format!(
                    "unknown parameter {} for server '{id}'; valid parameters: {}",
                    quoted_list(&unknown),
                    valid.join(", ")
                ))
            });
        }

        let mut values = Map::new();
        let mut missing = Vec::new();
        for p in &self.parameters {
            match params.get(&p.name).filter(|v| !v.is_null()) {
                Some(given) => {
                    values.insert(p.name.clone(), coerce(id, p, given)?);
                }
                None => match &p.default {
                    Some(default) => {
                        values.insert(p.name.clone(), default.clone());
                    }
                    None if p.required => missing.push(p),
                    None => {}
                },
            }
        }
        if !missing.is_empty() {
            let list: Vec<String> = missing
                .iter()
                .map(|p| {
                    if p.description.is_empty() {
                        format!("'{}' ({})", p.name, p.kind.as_str())
                    } else {
                        format!("'{}' ({}: {})", p.name, p.kind.as_str(), p.description)
                    }
                })
                .collect();
            let example: Vec<String> = missing
                .iter()
                .map(|p| format!("\"{}\": …", p.name))
                .collect();
            return Err(invalid(format!(
                "missing required parameter {} for server '{id}'; pass params={{{}}}",
                list.join(", "),
                example.join(", ")
            )));
        }

        let fill =
            |t: &str| substitute(t, &values).map_err(|m| invalid(format!("server '{id}': {m}")));
        let mut entry = ServerEntry {
            server_id: Some(id.clone()),
            transport: self.transport,
            params: values.clone(),
            ..ServerEntry::default()
        };

        match self.transport {
            Transport::Stdio => {
                entry.command = self.command.clone().map(Value::String);
                let args = self
                    .args
                    .iter()
                    .map(|a| fill(a).map(Value::String))
                    .collect::<Result<Vec<_>, _>>()?;
                entry.args = Some(Value::Array(args));
                entry.env = self.build_env(env_vars, &fill)?;
            }
            Transport::Http | Transport::Sse => {
                if let Some(name) = env_vars.keys().next() {
                    return Err(invalid(format!(
                        "server '{id}' is a remote ({}) server and takes no env vars (got {name}); remove env_vars, credentials go in its headers",
                        self.transport.as_str()
                    )));
                }
                let url = fill(self.url.as_deref().unwrap_or_default())?;
                if !is_http_url(&url) {
                    return Err(invalid(format!(
                        "server '{id}': the url {url:?} built from its parameters is not a valid http(s) URL; check the parameters ({})",
                        self.parameters
                            .iter()
                            .map(|p| p.name.as_str())
                            .collect::<Vec<_>>()
                            .join(", ")
                    )));
                }
                entry.url = Some(url);
                if !self.headers.is_empty() {
                    let mut headers = Map::new();
                    for (name, template) in &self.headers {
                        headers.insert(name.clone(), Value::String(fill(template)?));
                    }
                    entry.headers = Some(Value::Object(headers));
                }
            }
        }
        Ok(entry)
    }

    fn build_env(
        &self,
        given: &Map<String, Value>,
        fill: &dyn Fn(&str) -> Result<String, ConfigError>,
    ) -> Result<Option<Value>, ConfigError> {
        let id = &self.server_id;
        let mut env = BTreeMap::new();
        for (name, value) in given {
            if let Some(problem) = env_name_problem(name) {
                return Err(invalid(format!("server '{id}': {problem}")));
            }
            let text = match value {
                Value::String(s) => s.clone(),
                Value::Number(n) => n.to_string(),
                Value::Bool(b) => b.to_string(),
                Value::Null => continue,
                Value::Array(_) | Value::Object(_) => {
                    return Err(invalid(format!(
                        "env var {name} for server '{id}' must be a string, got {}; pass env_vars={{\"{name}\": \"value\"}}",
                        kind_of(value)
                    )));
                }
            };
            env.insert(name.clone(), text);
        }
        for (name, template) in &self.env_defaults {
            if !env.contains_key(name) {
                env.insert(name.clone(), fill(template)?);
            }
        }
        for name in &self.required_env {
            env.entry(name.clone()).or_default();
        }
        if env.is_empty() {
            return Ok(None);
        }
        Ok(Some(Value::Object(
            env.into_iter()
                .map(|(k, v)| (k, Value::String(v)))
                .collect(),
        )))
    }

    /// The `list_available_servers` row.
    pub fn summary(&self) -> Value {
        json!({
            "server_id": self.server_id,
            "display_name": self.display_name,
            "description": self.description,
            "transport": self.transport,
            "required_env": self.required_env,
            "optional_env": self.optional_env,
            "parameters": self
                .parameters
                .iter()
                .map(|p| json!({"name": p.name, "required": p.required && p.default.is_none()}))
                .collect::<Vec<_>>(),
            "tags": self.tags,
            "source": self.source,
        })
    }
}

/// Filters definitions by transport (`stdio`, `http`, `sse`, or `remote` for both remote
/// kinds) and by a case-insensitive substring of id, display name, description or tags; the
/// result is sorted by `server_id`. An empty filter or query means "all".
pub fn search<'a>(
    defs: impl IntoIterator<Item = &'a ServerDefinition>,
    transport_filter: Option<&str>,
    query: Option<&str>,
) -> Result<Vec<&'a ServerDefinition>, ConfigError> {
    let filter = transport_filter.map(|f| f.trim().to_ascii_lowercase());
    let wanted: Option<&[Transport]> = match filter.as_deref() {
        None | Some("") | Some("all") => None,
        Some("stdio") => Some(&[Transport::Stdio]),
        Some("http") => Some(&[Transport::Http]),
        Some("sse") => Some(&[Transport::Sse]),
        Some("remote") => Some(&[Transport::Http, Transport::Sse]),
        Some(other) => {
            return Err(invalid(format!(
                "unknown transport_filter {other:?}; use stdio, http, sse or remote (http and sse), or leave it out"
            )));
        }
    };
    let needle = query.map(|q| q.trim().to_lowercase()).unwrap_or_default();
    let mut out: Vec<&ServerDefinition> = defs
        .into_iter()
        .filter(|d| wanted.is_none_or(|w| w.contains(&d.transport)))
        .filter(|d| {
            needle.is_empty()
                || [&d.server_id, &d.display_name, &d.description]
                    .into_iter()
                    .chain(&d.tags)
                    .any(|field| field.to_lowercase().contains(&needle))
        })
        .collect();
    out.sort_by(|a, b| a.server_id.cmp(&b.server_id));
    Ok(out)
}

// ---------------------------------------------------------------------------------------
// Templates

#[derive(Debug, PartialEq)]
enum Piece<'a> {
    Text(&'a str),
    Brace(char),
    Param(&'a str),
}

/// Splits a template into literal text, escaped braces and `{ident}` placeholders. A `{`
/// that does not start `{ident}` is literal, so JSON in an argument needs no escaping.
fn parse_template(t: &str) -> Result<Vec<Piece<'_>>, String> {
    let mut pieces = Vec::new();
    let mut rest = t;
    while !rest.is_empty() {
        if let Some(after) = rest.strip_prefix("{{") {
            pieces.push(Piece::Brace('{'));
            rest = after;
        } else if let Some(after) = rest.strip_prefix("}}") {
            pieces.push(Piece::Brace('}'));
            rest = after;
        } else if let Some(after) = rest.strip_prefix('{')
            && let Some(end) = after.find('}')
            && is_ident(&after[..end])
        {
            pieces.push(Piece::Param(&after[..end]));
            rest = &after[end + 1..];
        } else {
            // Literal text up to the next brace (at least one char, so this always advances).
            let first = rest.chars().next().map_or(1, char::len_utf8);
            let end = rest[first..]
                .find(['{', '}'])
                .map_or(rest.len(), |i| i + first);
            pieces.push(Piece::Text(&rest[..end]));
            rest = &rest[end..];
        }
    }
    Ok(pieces)
}

/// The parameter names a template references, in order of appearance.
pub fn placeholders(t: &str) -> Result<Vec<&str>, String> {
    Ok(parse_template(t)?
        .into_iter()
        .filter_map(|p| match p {
            Piece::Param(name) => Some(name),
            _ => None,
        })
        .collect())
}

/// Replaces every `{name}` with the text of `values[name]` in one pass (a substituted value is
/// never itself expanded) and turns `{{`/`}}` into braces.
pub fn substitute(t: &str, values: &Map<String, Value>) -> Result<String, String> {
    let mut out = String::with_capacity(t.len());
    for piece in parse_template(t)? {
        match piece {
            Piece::Text(s) => out.push_str(s),
            Piece::Brace(c) => out.push(c),
            Piece::Param(name) => match values.get(name) {
                Some(v) => out.push_str(&value_text(v)),
                None => return Err(format!("no value for {{{name}}} in {t:?}")),
            },
        }
    }
    Ok(out)
}

/// How a parameter value is written into an argument or URL.
fn value_text(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

fn is_ident(s: &str) -> bool {
    let mut chars = s.chars();
    chars
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
}

fn env_name_problem(name: &str) -> Option<String> {
    if name.is_empty() {
        Some("an env var name is empty".into())
    } else if name.contains('=') || name.contains('\0') || name.chars().any(char::is_whitespace) {
        Some(format!(
            "env var name {name:?} contains '=', a space or NUL; use a name like API_KEY"
        ))
    } else {
        None
    }
}

fn kind_of(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

fn quoted_list(names: &[&str]) -> String {
    names
        .iter()
        .map(|n| format!("'{n}'"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// Whether a declared default already has the parameter's JSON type (defaults are data we
/// control, so they are held to the strict form).
fn default_has_type(v: &Value, kind: ParamType) -> bool {
    match kind {
        ParamType::String => v.is_string(),
        ParamType::Path => v.as_str().is_some_and(|s| !s.is_empty()),
        ParamType::Url => v.as_str().is_some_and(is_http_url),
        ParamType::Integer => v.is_i64() || v.is_u64(),
        ParamType::Number => v.is_number(),
        ParamType::Boolean => v.is_boolean(),
    }
}

/// Checks a given parameter value against its spec and returns it normalized (see the module
/// docs for what is accepted).
fn coerce(server_id: &str, p: &ParamSpec, v: &Value) -> Result<Value, ConfigError> {
    let name = &p.name;
    let fail = |hint: &str| {
        invalid(format!(
            "parameter '{name}' of server '{server_id}' must be {hint}, got {}",
            shown(v)
        ))
    };
    let normalized = match p.kind {
        ParamType::String => match v {
            Value::String(_) => v.clone(),
            Value::Number(n) => Value::String(n.to_string()),
            _ => return Err(fail("a string")),
        },
        ParamType::Path => match v {
            Value::String(s) if !s.trim().is_empty() => v.clone(),
            _ => {
                return Err(fail(
                    "a non-empty path string such as \"/home/me/projects\"",
                ));
            }
        },
        ParamType::Url => match v {
            Value::String(s) if is_http_url(s) => v.clone(),
            _ => {
                return Err(fail(
                    "an http:// or https:// URL such as \"https://example.com/mcp\"",
                ));
            }
        },
        ParamType::Integer => {
            let parsed = match v {
                Value::Number(n) => n
                    .as_i64()
                    .map(Number::from)
                    .or_else(|| n.as_u64().map(Number::from)),
                Value::String(s) => s.trim().parse::<i64>().ok().map(Number::from),
                _ => None,
            };
            Value::Number(parsed.ok_or_else(|| fail("an integer (a whole number such as 5679)"))?)
        }
        ParamType::Number => {
            let parsed = match v {
                Value::Number(n) => Some(n.clone()),
                Value::String(s) => s.trim().parse::<f64>().ok().and_then(Number::from_f64),
                _ => None,
            };
            Value::Number(parsed.ok_or_else(|| fail("a number such as 1.5"))?)
        }
        ParamType::Boolean => match v {
            Value::Bool(_) => v.clone(),
            Value::String(s) if s.trim().eq_ignore_ascii_case("true") => Value::Bool(true),
            Value::String(s) if s.trim().eq_ignore_ascii_case("false") => Value::Bool(false),
            _ => return Err(fail("a boolean (true or false)")),
        },
    };
    if !p.choices.is_empty() && !p.choices.contains(&value_text(&normalized)) {
        return Err(invalid(format!(
            "parameter '{name}' of server '{server_id}' must be one of {}, got {}",
            p.choices.join(", "),
            shown(v)
        )));
    }
    Ok(normalized)
}

/// A value as shown in an error: short, and never more than 40 characters of it.
fn shown(v: &Value) -> String {
    let text = v.to_string();
    if text.chars().count() > 40 {
        format!("{}…", text.chars().take(40).collect::<String>())
    } else {
        text
    }
}

// ---------------------------------------------------------------------------------------
// Official MCP Registry server.json

/// Reads `key` in its current camelCase spelling, or the older snake_case one.
fn field<'v>(v: &'v Value, camel: &str, snake: &str) -> Option<&'v Value> {
    v.get(camel).or_else(|| v.get(snake))
}

fn field_str<'v>(v: &'v Value, camel: &str, snake: &str) -> Option<&'v str> {
    field(v, camel, snake).and_then(Value::as_str)
}

fn field_bool(v: &Value, camel: &str, snake: &str) -> bool {
    field(v, camel, snake)
        .and_then(Value::as_bool)
        .unwrap_or(false)
}

/// Builds a catalog definition from an official MCP Registry `server.json` (schema
/// 2025-09-29 and later; the older snake_case field names are read too).
///
/// The first usable package wins, in the order npm (`npx -y id@version`), PyPI
/// (`uvx id==version`), OCI (`docker run -i --rm -e VAR… image`); packages that are not
/// stdio are skipped. Without one, the first remote (Streamable HTTP before SSE) is used.
/// Arguments with a fixed value are written as they are; inputs the user must give become
/// parameters (secret inputs are marked `secret`); optional inputs without a default are
/// left out. `server_id` is the last segment of `name`, lowercased and sanitized.
pub fn from_registry_server_json(v: &Value) -> Result<ServerDefinition, ConfigError> {
    if !v.is_object() {
        return Err(invalid(
            "server.json must be a JSON object with name, description and version",
        ));
    }
    let name = v
        .get("name")
        .and_then(Value::as_str)
        .ok_or_else(|| invalid("server.json has no \"name\" (like \"io.github.owner/server\")"))?;
    let last = name.rsplit('/').next().unwrap_or(name);
    let server_id = sanitize_id(last).ok_or_else(|| {
        invalid(format!(
            "server.json name {name:?} does not yield a usable server id; its last segment needs letters or digits"
        ))
    })?;

    let mut def = ServerDefinition {
        server_id,
        display_name: v
            .get("title")
            .and_then(Value::as_str)
            .unwrap_or(last)
            .to_string(),
        description: v
            .get("description")
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_string(),
        transport: Transport::Stdio,
        command: None,
        args: Vec::new(),
        url: None,
        headers: BTreeMap::new(),
        required_env: Vec::new(),
        optional_env: Vec::new(),
        secret_env: Vec::new(),
        env_defaults: BTreeMap::new(),
        parameters: Vec::new(),
        homepage: field_str(v, "websiteUrl", "website_url")
            .or_else(|| {
                v.get("repository")
                    .and_then(|r| r.get("url"))
                    .and_then(Value::as_str)
            })
            .map(str::to_string),
        package: None,
        tags: vec!["registry".into()],
        source: "registry".into(),
    };

    let packages = v.get("packages").and_then(Value::as_array);
    let chosen = ["npm", "pypi", "oci"].iter().find_map(|kind| {
        packages?.iter().find(|p| {
            field_str(p, "registryType", "registry_type") == Some(kind)
                && field(p, "transport", "transport")
                    .and_then(|t| t.get("type"))
                    .and_then(Value::as_str)
                    .is_none_or(|t| t == "stdio")
        })
    });

    if let Some(pkg) = chosen {
        registry_package(&mut def, pkg)?;
    } else if let Some(remote) = pick_remote(v) {
        registry_remote(&mut def, remote)?;
    } else {
        return Err(invalid(format!(
            "server.json for {name:?} has no npm, pypi or oci package with stdio transport and no remote; Imprint cannot start it, register it by hand with register_server"
        )));
    }
    def.check()?;
    Ok(def)
}

fn pick_remote(v: &Value) -> Option<&Value> {
    let remotes = v.get("remotes").and_then(Value::as_array)?;
    let kind = |r: &Value| field_str(r, "type", "transport_type").map(str::to_string);
    remotes
        .iter()
        .find(|r| kind(r).as_deref() == Some("streamable-http"))
        .or_else(|| remotes.iter().find(|r| kind(r).as_deref() == Some("sse")))
}

fn registry_package(def: &mut ServerDefinition, pkg: &Value) -> Result<(), ConfigError> {
    let kind = field_str(pkg, "registryType", "registry_type").unwrap_or_default();
    let identifier = pkg
        .get("identifier")
        .or_else(|| pkg.get("name"))
        .and_then(Value::as_str)
        .ok_or_else(|| invalid("a server.json package has no \"identifier\""))?;
    let version = pkg.get("version").and_then(Value::as_str);
    def.tags.push(kind.to_string());
    def.package = Some(identifier.to_string());

    // Env vars first: OCI needs their names for `-e`.
    let mut env_names = Vec::new();
    if let Some(vars) =
        field(pkg, "environmentVariables", "environment_variables").and_then(Value::as_array)
    {
        for var in vars {
            let Some(name) = var.get("name").and_then(Value::as_str) else {
                continue;
            };
            env_names.push(name.to_string());
            if field_bool(var, "isRequired", "is_required") {
                def.required_env.push(name.to_string());
            } else {
                def.optional_env.push(name.to_string());
            }
            if field_bool(var, "isSecret", "is_secret") {
                def.secret_env.push(name.to_string());
            }
            // Env vars stay env vars: a fixed value or a default becomes the value used when
            // the caller gives none.
            if let Some(value) = var.get("value").and_then(Value::as_str) {
                let value =
                    declare_variables(def, value, var.get("variables"), Undeclared::Literal)?;
                def.env_defaults.insert(name.to_string(), value);
            } else if let Some(default) = var.get("default").and_then(Value::as_str) {
                def.env_defaults.insert(name.to_string(), escape(default));
            }
        }
    }

    let mut runtime = Vec::new();
    registry_args(
        def,
        field(pkg, "runtimeArguments", "runtime_arguments"),
        &mut runtime,
    )?;
    let mut package_args = Vec::new();
    registry_args(
        def,
        field(pkg, "packageArguments", "package_arguments"),
        &mut package_args,
    )?;

    let mut args = Vec::new();
    let command = match kind {
        "npm" => {
            args.push("-y".to_string());
            args.extend(runtime);
            args.push(escape(&match version {
                Some(ver) => format!("{identifier}@{ver}"),
                None => identifier.to_string(),
            }));
            "npx"
        }
        "pypi" => {
            args.extend(runtime);
            args.push(escape(&match version {
                Some(ver) => format!("{identifier}=={ver}"),
                None => identifier.to_string(),
            }));
            "uvx"
        }
        _ => {
            args.extend(["run", "-i", "--rm"].map(String::from));
            args.extend(runtime);
            for name in &env_names {
                args.push("-e".into());
                args.push(escape(name));
            }
            let last_segment = identifier.rsplit('/').next().unwrap_or(identifier);
            let image = match version {
                Some(ver) if !last_segment.contains(':') && !identifier.contains('@') => {
                    format!("{identifier}:{ver}")
                }
                _ => identifier.to_string(),
            };
            args.push(escape(&image));
            "docker"
        }
    };
    args.extend(package_args);
    def.transport = Transport::Stdio;
    def.command = Some(command.to_string());
    def.args = args;
    Ok(())
}

fn registry_remote(def: &mut ServerDefinition, remote: &Value) -> Result<(), ConfigError> {
    let kind = field_str(remote, "type", "transport_type").unwrap_or("streamable-http");
    def.transport = if kind == "sse" {
        Transport::Sse
    } else {
        Transport::Http
    };
    def.tags.push("remote".into());
    let url = remote
        .get("url")
        .and_then(Value::as_str)
        .ok_or_else(|| invalid("a server.json remote has no \"url\""))?;
    // URL placeholders not covered by `variables` name values the user must supply.
    let url = declare_variables(def, url, remote.get("variables"), Undeclared::Param)?;
    def.url = Some(url);
    if let Some(headers) = remote.get("headers").and_then(Value::as_array) {
        for h in headers {
            let Some(name) = h.get("name").and_then(Value::as_str) else {
                continue;
            };
            if let Some(value) = input_template(def, h, name)? {
                def.headers.insert(name.to_string(), value);
            }
        }
    }
    Ok(())
}

/// Turns a registry `Input` (argument, env var or header) into a template: its fixed `value`
/// (with its `variables` declared as parameters), or `{param}` for a new parameter when the
/// user must or may give it, or `None` when it is optional with nothing to fill in.
fn input_template(
    def: &mut ServerDefinition,
    input: &Value,
    label: &str,
) -> Result<Option<String>, ConfigError> {
    if let Some(value) = input.get("value").and_then(Value::as_str) {
        return declare_variables(def, value, input.get("variables"), Undeclared::Literal)
            .map(Some);
    }
    let required = field_bool(input, "isRequired", "is_required");
    if !required && input.get("default").is_none() {
        return Ok(None);
    }
    let spec = input_param(def, label, input);
    let name = spec.name.clone();
    def.parameters.push(spec);
    Ok(Some(format!("{{{name}}}")))
}

/// What [`declare_variables`] does with a `{name}` that `variables` does not declare.
#[derive(Clone, Copy, PartialEq)]
enum Undeclared {
    /// Keep it as literal text (argument and header values, per the schema).
    Literal,
    /// Make it a required string parameter (remote URLs, whose placeholders name inputs).
    Param,
}

/// Declares a parameter for each `{var}` of `value` found in `variables` and rewrites it to
/// the parameter's name; other text is escaped so it renders unchanged.
fn declare_variables(
    def: &mut ServerDefinition,
    value: &str,
    variables: Option<&Value>,
    undeclared: Undeclared,
) -> Result<String, ConfigError> {
    let vars = variables.and_then(Value::as_object);
    let mut out = String::new();
    for piece in parse_template(value).map_err(invalid)? {
        match piece {
            Piece::Text(s) => out.push_str(&escape(s)),
            Piece::Brace(c) => out.push_str(if c == '{' { "{{{{" } else { "}}}}" }),
            Piece::Param(var) => {
                let spec = match vars.and_then(|m| m.get(var)) {
                    Some(spec) => spec.clone(),
                    None if undeclared == Undeclared::Param => {
                        json!({"description": format!("value for {{{var}}} in the server URL"), "isRequired": true})
                    }
                    None => {
                        out.push_str(&format!("{{{{{var}}}}}"));
                        continue;
                    }
                };
                let p = input_param(def, var, &spec);
                out.push_str(&format!("{{{}}}", p.name));
                def.parameters.push(p);
            }
        }
    }
    Ok(out)
}

/// A parameter for a registry input, named after `label` (made unique and usable).
///
/// It is required exactly when it has no usable default, since every input turned into a
/// parameter is referenced by a template.
fn input_param(def: &ServerDefinition, label: &str, input: &Value) -> ParamSpec {
    let kind = match input.get("format").and_then(Value::as_str) {
        Some("number") => ParamType::Number,
        Some("boolean") => ParamType::Boolean,
        Some("filepath") => ParamType::Path,
        _ => ParamType::String,
    };
    let mut base: String = label
        .trim_start_matches('-')
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                c.to_ascii_lowercase()
            } else {
                '_'
            }
        })
        .collect();
    if !base.starts_with(|c: char| c.is_ascii_alphabetic() || c == '_') {
        base.insert(0, '_');
    }
    let mut name = base.clone();
    let mut n = 2;
    while def.parameters.iter().any(|p| p.name == name) {
        name = format!("{base}_{n}");
        n += 1;
    }
    let default = input.get("default").and_then(Value::as_str).and_then(|d| {
        let probe = ParamSpec {
            name: name.clone(),
            description: String::new(),
            kind,
            required: false,
            default: None,
            choices: Vec::new(),
            secret: false,
        };
        coerce("registry", &probe, &Value::String(d.to_string())).ok()
    });
    ParamSpec {
        name,
        description: input
            .get("description")
            .and_then(Value::as_str)
            .unwrap_or(label)
            .to_string(),
        kind,
        required: default.is_none(),
        choices: input
            .get("choices")
            .and_then(Value::as_array)
            .map(|c| {
                c.iter()
                    .filter_map(Value::as_str)
                    .map(str::to_string)
                    .collect()
            })
            .unwrap_or_default(),
        default,
        secret: field_bool(input, "isSecret", "is_secret"),
    }
}

/// Converts registry `Argument`s into argument templates.
fn registry_args(
    def: &mut ServerDefinition,
    list: Option<&Value>,
    out: &mut Vec<String>,
) -> Result<(), ConfigError> {
    let Some(list) = list.and_then(Value::as_array) else {
        return Ok(());
    };
    for arg in list {
        let named = arg.get("type").and_then(Value::as_str) == Some("named");
        let flag = arg.get("name").and_then(Value::as_str);
        let label = if named {
            flag.unwrap_or("arg")
        } else {
            field_str(arg, "valueHint", "value_hint").unwrap_or("arg")
        };
        let value = input_template(def, arg, label)?;
        match (named, flag, value) {
            (true, Some(flag), Some(value)) => {
                out.push(escape(flag));
                out.push(value);
            }
            (false, _, Some(value)) => out.push(value),
            _ => {}
        }
    }
    Ok(())
}

/// Escapes literal text so it survives [`substitute`] unchanged.
fn escape(s: &str) -> String {
    s.replace('{', "{{").replace('}', "}}")
}

/// Lowercases and replaces characters outside the id alphabet, keeping at most 64 characters.
fn sanitize_id(raw: &str) -> Option<String> {
    let mut id = String::new();
    for c in raw.chars() {
        let c = c.to_ascii_lowercase();
        if c.is_ascii_lowercase() || c.is_ascii_digit() || matches!(c, '.' | '_' | '-') {
            id.push(c);
        } else if !id.ends_with('-') {
            id.push('-');
        }
    }
    let id = id.trim_start_matches(['.', '_', '-']);
    let id: String = id.chars().take(crate::ids::MAX_ID_LEN).collect();
    let id = id.trim_end_matches('-').to_string();
    validate_id("server_id", &id).ok().map(|()| id)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn catalog_parses_and_every_builtin_checks() {
        assert!(builtin().len() >= 15);
        for def in builtin() {
            def.check()
                .unwrap_or_else(|e| panic!("{}: {e}", def.server_id));
            assert_eq!(def.source, "builtin");
            assert!(!def.description.is_empty(), "{}", def.server_id);
        }
        let ids: Vec<&str> = builtin().iter().map(|d| d.server_id.as_str()).collect();
        let mut sorted = ids.clone();
        sorted.sort();
        sorted.dedup();
        assert_eq!(ids, sorted, "sorted and unique");
    }

    #[test]
    fn templates_parse_placeholders_escapes_and_literal_braces() {
        assert_eq!(placeholders("{a}-{b_2}").unwrap(), vec!["a", "b_2"]);
        assert!(placeholders(r#"{"headless":true}"#).unwrap().is_empty());
        assert!(placeholders("{{a}}").unwrap().is_empty());
        assert!(placeholders("{ a }").unwrap().is_empty());
        let mut values = Map::new();
        values.insert("a".into(), json!("x{b}"));
        values.insert("b".into(), json!(7));
        assert_eq!(substitute("{a}/{b}/{a}", &values).unwrap(), "x{b}/7/x{b}");
        assert_eq!(substitute("{{a}}", &values).unwrap(), "{a}");
        assert_eq!(substitute("é{b}ü", &values).unwrap(), "é7ü");
        assert!(substitute("{zzz}", &values).is_err());
    }

    #[test]
    fn sanitize_id_makes_registry_names_usable() {
        assert_eq!(sanitize_id("Weather"), Some("weather".into()));
        assert_eq!(sanitize_id("My Server!"), Some("my-server".into()));
        assert_eq!(sanitize_id("__x"), Some("x".into()));
        assert_eq!(sanitize_id("!!!"), None);
    }
}
