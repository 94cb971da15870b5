//! Neutral [`ServerEntry`] values into one client's own payload.
//!
//! The payload is what gets signed and deployed, so rendering is deterministic: servers are
//! sorted by name (a `BTreeMap`), keys are written in a fixed order, and nothing depends on
//! the time or the machine. Remote servers are written in the client's native shape when its
//! file supports them, and otherwise bridged through `npx -y mcp-remote <url>`.
//!
//! A client's conventions for new entries (keys it expects on every entry, a bearer token read
//! from an environment variable) apply to entries built from the catalog; an imported entry
//! renders back exactly as it was read, which is what keeps import and render inverses.

use std::collections::BTreeMap;

use serde_json::{Map, Value};

use crate::clients::{ClientSpec, SectionShape};
use crate::model::{ServerEntry, Transport};

/// Renders the payload `{ <root_key>: <section> }` for `client`.
pub fn render(client: &ClientSpec, servers: &BTreeMap<String, ServerEntry>) -> Value {
    let section = match &client.section {
        SectionShape::Map => Value::Object(
            servers
                .iter()
                .map(|(name, entry)| {
                    (
                        name.clone(),
                        Value::Object(render_entry(client, name, entry)),
                    )
                })
                .collect(),
        ),
        SectionShape::List { name_key } => Value::Array(
            servers
                .iter()
                .map(|(name, entry)| {
                    let mut obj = Map::new();
                    obj.insert(name_key.clone(), Value::String(name.clone()));
                    obj.extend(render_entry(client, name, entry));
                    Value::Object(obj)
                })
                .collect(),
        ),
    };
    let mut payload = Map::new();
    payload.insert(client.root_key.clone(), section);
    Value::Object(payload)
}

/// One entry in the client's shape. `extra` keys are written last and win over a generated
/// key of the same name, which keeps an imported odd `type` value exactly as it was.
pub fn render_entry(client: &ClientSpec, name: &str, entry: &ServerEntry) -> Map<String, Value> {
    let keys = &client.keys;
    let mut out = Map::new();
    let from_catalog = entry.server_id.is_some();
    if from_catalog && let Some(name_key) = &client.entry_name_key {
        out.insert(name_key.clone(), Value::String(name.to_string()));
    }
    let remote_native = entry.transport.is_remote() && client.renders_natively(entry.transport);
    if !entry.omit_type
        && let (Some(type_key), Some(type_value)) =
            (&keys.type_key, client.type_value(entry.transport))
        && (remote_native || !entry.transport.is_remote())
    {
        out.insert(type_key.clone(), Value::String(type_value.to_string()));
    }
    let mut headers = entry.headers.clone();
    match entry.transport {
        Transport::Stdio => {
            put(&mut out, &keys.command, entry.command.as_ref());
            put(&mut out, &keys.args, entry.args.as_ref());
            put(&mut out, &keys.env, entry.env.as_ref());
        }
        Transport::Http | Transport::Sse if remote_native => {
            if let (Some(url), Some(url_key)) = (&entry.url, client.url_key(entry.transport)) {
                out.insert(url_key.to_string(), Value::String(url.clone()));
            }
            let shape = match entry.transport {
                Transport::Http => &client.http,
                _ => &client.sse,
            };
            if from_catalog
                && let Some(bearer_key) = &shape.bearer_env_key
                && let Some(variable) = take_bearer_variable(&mut headers)
            {
                out.insert(bearer_key.clone(), Value::String(variable));
            }
            if !keys.headers.contains('.') {
                put(&mut out, &keys.headers, headers.as_ref());
            }
            put(&mut out, &keys.env, entry.env.as_ref());
        }
        Transport::Http | Transport::Sse => {
            if let Some(stdio_type) = (!entry.omit_type)
                .then(|| client.type_value(Transport::Stdio))
                .flatten()
                && let Some(type_key) = &keys.type_key
            {
                out.insert(type_key.clone(), Value::String(stdio_type.to_string()));
            }
            out.insert(keys.command.clone(), Value::String("npx".into()));
            out.insert(keys.args.clone(), Value::Array(bridge_args(entry)));
            put(&mut out, &keys.env, bridge_env(entry).as_ref());
            headers = None;
        }
    }
    for (k, v) in &entry.extra {
        out.insert(k.clone(), v.clone());
    }
    // A nested headers key (Continue's `requestOptions.headers`) merges into whatever the
    // entry's `extra` already holds under its parent.
    if keys.headers.contains('.')
        && let Some(headers) = headers
    {
        put_path(&mut out, &keys.headers, headers);
    }
    if from_catalog {
        for (k, v) in &client.entry_defaults {
            if !out.contains_key(k) {
                out.insert(k.clone(), v.clone());
            }
        }
    }
    out
}

/// Removes an `Authorization: Bearer <reference>` header whose token is a single reference
/// (`${secret:NAME}`, `${NAME}` or `${env:NAME}`) and returns the environment variable it
/// names, for clients that read the token from the environment (Codex).
fn take_bearer_variable(headers: &mut Option<Value>) -> Option<String> {
    let Some(Value::Object(map)) = headers else {
        return None;
    };
    let key = map
        .keys()
        .find(|k| k.eq_ignore_ascii_case("authorization"))?
        .clone();
    let value = map.get(&key)?.as_str()?;
    let token = value
        .strip_prefix("Bearer ")
        .or_else(|| value.strip_prefix("bearer "))?
        .trim();
    let variable = crate::secrets::variable_of_reference(token)?;
    map.shift_remove(&key);
    if map.is_empty() {
        *headers = None;
    }
    Some(variable)
}

/// Inserts `value` at a dotted `path`, creating or merging into the objects on the way.
pub(crate) fn put_path(out: &mut Map<String, Value>, path: &str, value: Value) {
    let mut parts = path.split('.');
    let Some(first) = parts.next() else { return };
    let rest: Vec<&str> = parts.collect();
    if rest.is_empty() {
        out.insert(first.to_string(), value);
        return;
    }
    let slot = out
        .entry(first.to_string())
        .or_insert_with(|| Value::Object(Map::new()));
    if !slot.is_object() {
        *slot = Value::Object(Map::new());
    }
    if let Value::Object(inner) = slot {
        put_path(inner, &rest.join("."), value);
    }
}

fn put(out: &mut Map<String, Value>, key: &str, value: Option<&Value>) {
    if let Some(v) = value {
        out.insert(key.to_string(), v.clone());
    }
}

/// `-y mcp-remote <url> [--transport sse-only] [--header "Name:${VAR}"]…` for a client that
/// can only start processes. SSE servers are pinned to SSE so mcp-remote does not first try
/// Streamable HTTP. A header's value goes into the environment ([`bridge_env`]) and the
/// argument names it: credentials stay out of the process list and out of `args` (which some
/// clients split at spaces), and a `${secret:…}` reference is kept where env values are.
pub fn bridge_args(entry: &ServerEntry) -> Vec<Value> {
    let mut args = vec![Value::from("-y"), Value::from("mcp-remote")];
    if let Some(url) = &entry.url {
        args.push(Value::String(url.clone()));
    }
    if entry.transport == Transport::Sse {
        args.push(Value::from("--transport"));
        args.push(Value::from("sse-only"));
    }
    if let Some(Value::Object(headers)) = &entry.headers {
        for name in headers.keys() {
            args.push(Value::from("--header"));
            args.push(Value::String(format!(
                "{name}:${{{}}}",
                header_env_var(name)
            )));
        }
    }
    args
}

/// The bridged entry's environment: the entry's own, plus each header's value under the
/// variable its `--header` argument names.
pub fn bridge_env(entry: &ServerEntry) -> Option<Value> {
    let Some(Value::Object(headers)) = &entry.headers else {
        return entry.env.clone();
    };
    let mut env = match &entry.env {
        Some(Value::Object(env)) => env.clone(),
        _ => Map::new(),
    };
    for (name, value) in headers {
        env.insert(header_env_var(name), value.clone());
    }
    Some(Value::Object(env))
}

/// `Authorization` → `MCP_REMOTE_HEADER_AUTHORIZATION`, `X-Api-Key` → `…_X_API_KEY`.
fn header_env_var(header: &str) -> String {
    let name: String = header
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                c.to_ascii_uppercase()
            } else {
                '_'
            }
        })
        .collect();
    format!("MCP_REMOTE_HEADER_{name}")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::clients::get;
    use serde_json::json;

    fn stdio() -> ServerEntry {
        ServerEntry {
            command: Some(json!("npx")),
            args: Some(json!(["-y", "pkg"])),
            ..ServerEntry::default()
        }
    }

    fn http() -> ServerEntry {
        ServerEntry {
            transport: Transport::Http,
            url: Some("https://x.example/mcp".into()),
            headers: Some(json!({"Authorization": "Bearer t"})),
            ..ServerEntry::default()
        }
    }

    fn one(client: &str, entry: ServerEntry) -> Value {
        let c = get(client).unwrap();
        let payload = render(c, &BTreeMap::from([("s".to_string(), entry)]));
        payload[c.root_key.as_str()]["s"].clone()
    }

    #[test]
    fn claude_code_writes_type_on_every_entry() {
        assert_eq!(
            one("claude-code", stdio()),
            json!({"type": "stdio", "command": "npx", "args": ["-y", "pkg"]})
        );
        assert_eq!(
            one("claude-code", http()),
            json!({"type": "http", "url": "https://x.example/mcp", "headers": {"Authorization": "Bearer t"}})
        );
    }

    #[test]
    fn omit_type_suppresses_the_generated_type() {
        let entry = ServerEntry {
            omit_type: true,
            ..stdio()
        };
        assert_eq!(
            one("claude-code", entry),
            json!({"command": "npx", "args": ["-y", "pkg"]})
        );
    }

    #[test]
    fn claude_desktop_bridges_remote_servers() {
        assert_eq!(
            one("claude-desktop", http()),
            json!({
                "command": "npx",
                "args": ["-y", "mcp-remote", "https://x.example/mcp", "--header", "Authorization:${MCP_REMOTE_HEADER_AUTHORIZATION}"],
                "env": {"MCP_REMOTE_HEADER_AUTHORIZATION": "Bearer t"}
            })
        );
        let sse = ServerEntry {
            transport: Transport::Sse,
            url: Some("https://x.example/sse".into()),
            ..ServerEntry::default()
        };
        assert_eq!(
            one("claude-desktop", sse),
            json!({"command": "npx", "args": ["-y", "mcp-remote", "https://x.example/sse", "--transport", "sse-only"]})
        );
    }

    #[test]
    fn absent_args_and_env_are_not_written() {
        let entry = ServerEntry {
            command: Some(json!("server")),
            ..ServerEntry::default()
        };
        assert_eq!(one("cursor", entry), json!({"command": "server"}));
    }

    #[test]
    fn extra_keys_are_written_verbatim() {
        let mut entry = stdio();
        entry.extra.insert("disabled".into(), json!(true));
        entry.extra.insert("alwaysAllow".into(), json!(["read"]));
        let out = one("cursor", entry);
        assert_eq!(out["disabled"], json!(true));
        assert_eq!(out["alwaysAllow"], json!(["read"]));
    }

    #[test]
    fn servers_are_sorted_by_name() {
        let c = get("cursor").unwrap();
        let servers = BTreeMap::from([("b".to_string(), stdio()), ("a".to_string(), stdio())]);
        let text = serde_json::to_string(&render(c, &servers)).unwrap();
        assert!(text.find("\"a\"").unwrap() < text.find("\"b\"").unwrap());
    }
}
