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
//! - `string` accepts strings, and numbers (stored as their decimal text); `path` accepts a
//!   non-empty string (`~` is left for the server to expand).
//! - `url` accepts an `http://` or `https://` URL with a host.
//! - `null` means "not given" (the default, if any, applies).

mod registry;
mod template;

pub use registry::from_registry_server_json;
pub use template::{placeholders, substitute};

use std::collections::{BTreeMap, BTreeSet};
use std::sync::OnceLock;

use serde::{Deserialize, Serialize};
use serde_json::{Map, Number, Value, json};

use template::{is_ident, value_text};

use crate::error::{ConfigError, invalid};
use crate::ids::validate_id;
use crate::model::{ServerEntry, Transport};
use crate::next::{Fix, Step};
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
    /// Env vars always written; adding the server without a value for one is an error.
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
                        "a stdio server needs a command (the program to start); a remote server needs transport \"http\" or \"sse\" and a url".into()
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
                if placeholders(url).is_empty()
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
            for name in placeholders(t) {
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
    /// env to the required vars (an error names any not given), the optional ones given and any extra
    /// ones given. Env values must be strings; numbers and booleans are written as text.
    pub fn instantiate(
        &self,
        params: &Map<String, Value>,
        env_vars: &Map<String, Value>,
    ) -> Result<ServerEntry, ConfigError> {
        self.instantiate_with(params, env_vars, &Map::new())
    }

    /// [`ServerDefinition::instantiate`], but after the parameters are checked, each one named
    /// in `substitutions` is filled into the templates (and shown in `params`) as the given
    /// value instead: a secret parameter becomes its `${secret:NAME}` reference everywhere it
    /// is used, without searching the result for the secret's text.
    pub fn instantiate_with(
        &self,
        params: &Map<String, Value>,
        env_vars: &Map<String, Value>,
        substitutions: &Map<String, Value>,
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

        for (name, value) in substitutions {
            if values.contains_key(name) {
                values.insert(name.clone(), value.clone());
            }
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
                        imprint_engine::json::kind(value)
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
        // A required variable without a value is refused, as the old system did: the server
        // would start and fail. A `${secret:…}`/`${env:…}` reference is a value.
        let missing: Vec<&str> = self
            .required_env
            .iter()
            .filter(|name| env.get(*name).is_none_or(|v| v.trim().is_empty()))
            .map(String::as_str)
            .collect();
        if !missing.is_empty() {
            let example: Vec<String> = missing.iter().map(|n| format!("\"{n}\": \"…\"")).collect();
            return Err(crate::error::fixable(
                format!(
                    "missing required environment variable {} for server '{id}'; pass env_vars={{{}}}",
                    missing.join(", "),
                    example.join(", ")
                ),
                Fix::text(" (a value, or a \"${secret:NAME}\" reference to a secret stored with ")
                    .step(Step::SetSecret)
                    .then(")"),
            ));
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
            // the old system's row fields
            "npm_package": self.npm_package(),
            "has_parameters": !self.parameters.is_empty(),
            "requires_env": !self.required_env.is_empty(),
        })
    }

    /// The npm package an `npx` server runs; `None` for every other runner.
    pub fn npm_package(&self) -> Option<&str> {
        (self.command.as_deref() == Some("npx"))
            .then_some(self.package.as_deref())
            .flatten()
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
    // a secret's value is never repeated in a message, not even a wrong one
    let got = if p.secret {
        format!(
            "{} (value not shown: the parameter is secret)",
            imprint_engine::json::kind(v)
        )
    } else {
        shown(v)
    };
    let fail = |hint: &str| {
        invalid(format!(
            "parameter '{name}' of server '{server_id}' must be {hint}, got {got}"
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
            "parameter '{name}' of server '{server_id}' must be one of {}, got {got}",
            p.choices.join(", ")
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
}
