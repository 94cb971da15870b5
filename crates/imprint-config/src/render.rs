//! Neutral [`ServerEntry`] values into one client's own payload.
//!
//! The payload is what gets signed and deployed, so rendering is deterministic: servers are
//! sorted by name (a `BTreeMap`), keys are written in a fixed order, and nothing depends on
//! the time or the machine. Remote servers are written in the client's native shape when its
//! file supports them, and otherwise bridged through `npx -y mcp-remote <url>`.

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
                .map(|(name, entry)| (name.clone(), Value::Object(render_entry(client, entry))))
                .collect(),
        ),
        SectionShape::List { name_key } => Value::Array(
            servers
                .iter()
                .map(|(name, entry)| {
                    let mut obj = Map::new();
                    obj.insert(name_key.clone(), Value::String(name.clone()));
                    obj.extend(render_entry(client, entry));
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
pub fn render_entry(client: &ClientSpec, entry: &ServerEntry) -> Map<String, Value> {
    let keys = &client.keys;
    let mut out = Map::new();
    let remote_native = entry.transport.is_remote() && client.supports_remote;
    if !entry.omit_type
        && let (Some(type_key), Some(type_value)) =
            (&keys.type_key, client.type_value(entry.transport))
        && (remote_native || !entry.transport.is_remote())
    {
        out.insert(type_key.clone(), Value::String(type_value.to_string()));
    }
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
            put(&mut out, &keys.headers, entry.headers.as_ref());
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
            put(&mut out, &keys.env, entry.env.as_ref());
        }
    }
    for (k, v) in &entry.extra {
        out.insert(k.clone(), v.clone());
    }
    out
}

fn put(out: &mut Map<String, Value>, key: &str, value: Option<&Value>) {
    if let Some(v) = value {
        out.insert(key.to_string(), v.clone());
    }
}

/// `-y mcp-remote <url> [--transport sse-only] [--header "Name: value"]…` for a client that
/// can only start processes. SSE servers are pinned to SSE so mcp-remote does not first try
/// Streamable HTTP; headers go in mcp-remote's `--header` form.
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
        for (name, value) in headers {
            let value = match value {
                Value::String(s) => s.clone(),
                other => other.to_string(),
            };
            args.push(Value::from("--header"));
            args.push(Value::String(format!("{name}: {value}")));
        }
    }
    args
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
        payload["mcpServers"]["s"].clone()
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
            json!({"command": "npx", "args": ["-y", "mcp-remote", "https://x.example/mcp", "--header", "Authorization: Bearer t"]})
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
