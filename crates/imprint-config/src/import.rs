//! One client's own entries back into neutral [`ServerEntry`] values: the inverse of
//! [`crate::render`].
//!
//! Import must be lossless, because a user adopts their existing file with it and expects the
//! next deploy to write back exactly what they had: for any section,
//! `render(client, import_section(client, s)?) == {root_key: s}`. So keys the client knows
//! go into the typed fields as raw values (even of the wrong type, for [`crate::validate`] to
//! report), everything else goes into `extra`, and nothing is normalized. A Claude Desktop
//! `mcp-remote` bridge stays a stdio entry: un-bridging it would change the file.

use std::collections::BTreeMap;

use serde_json::{Map, Value};

use crate::clients::{ClientSpec, SectionShape};
use crate::error::{ConfigError, invalid};
use crate::model::{ServerEntry, Transport};

/// The client's MCP section inside a payload or file: `payload[root_key]`.
pub fn section_of<'a>(client: &ClientSpec, payload: &'a Value) -> Option<&'a Value> {
    payload.get(&client.root_key)
}

/// Reads every entry of a client's section (the value under its root key).
pub fn import_section(
    client: &ClientSpec,
    section: &Value,
) -> Result<BTreeMap<String, ServerEntry>, ConfigError> {
    let root = &client.root_key;
    let mut out = BTreeMap::new();
    match &client.section {
        SectionShape::Map => {
            let Some(map) = section.as_object() else {
                return Err(invalid(format!(
                    "'{root}' in the {} file is not an object of servers; fix it by hand before importing",
                    client.display_name
                )));
            };
            for (name, entry) in map {
                let Some(obj) = entry.as_object() else {
                    return Err(invalid(format!(
                        "server '{name}' in '{root}' of the {} file is not an object; fix or remove it before importing",
                        client.display_name
                    )));
                };
                out.insert(name.clone(), import_entry(client, name, obj));
            }
        }
        SectionShape::List { name_key } => {
            let Some(list) = section.as_array() else {
                return Err(invalid(format!(
                    "'{root}' in the {} file is not a list of servers; fix it by hand before importing",
                    client.display_name
                )));
            };
            for (i, entry) in list.iter().enumerate() {
                let Some(obj) = entry.as_object() else {
                    return Err(invalid(format!(
                        "entry {i} of '{root}' in the {} file is not an object; fix or remove it before importing",
                        client.display_name
                    )));
                };
                let Some(name) = obj.get(name_key).and_then(Value::as_str) else {
                    return Err(invalid(format!(
                        "entry {i} of '{root}' in the {} file has no string '{name_key}'; name it before importing",
                        client.display_name
                    )));
                };
                let mut rest = obj.clone();
                rest.remove(name_key);
                if out
                    .insert(name.to_string(), import_entry(client, name, &rest))
                    .is_some()
                {
                    return Err(invalid(format!(
                        "two entries of '{root}' in the {} file are named '{name}'; rename one before importing",
                        client.display_name
                    )));
                }
            }
        }
    }
    Ok(out)
}

/// Which transport an entry of this client's shape describes, and whether its `type` key
/// said so (and so is implied by the transport when rendering). Shared with validation so
/// both read an entry the same way.
pub(crate) fn classify(client: &ClientSpec, entry: &Map<String, Value>) -> (Transport, bool) {
    let type_value = client
        .keys
        .type_key
        .as_ref()
        .and_then(|k| entry.get(k))
        .and_then(Value::as_str);
    let mut candidates = vec![Transport::Stdio];
    candidates.extend(
        [Transport::Http, Transport::Sse]
            .into_iter()
            .filter(|&t| client.renders_natively(t)),
    );
    if let Some(t) = type_value
        && let Some(&transport) = candidates
            .iter()
            .find(|&&c| client.type_value(c) == Some(t))
    {
        return (transport, true);
    }
    if entry.contains_key(&client.keys.command) || candidates.len() == 1 {
        return (Transport::Stdio, false);
    }
    for transport in candidates.into_iter().skip(1) {
        let key = client.url_key(transport).unwrap_or("url");
        if entry.get(key).is_some_and(Value::is_string) {
            return (transport, false);
        }
    }
    (Transport::Stdio, false)
}

fn import_entry(client: &ClientSpec, name: &str, entry: &Map<String, Value>) -> ServerEntry {
    let (transport, typed) = classify(client, entry);
    // An entry's own copy of its name (Goose) stays in `extra`: it is rendered back as read.
    let _ = name;
    let mut rest = entry.clone();
    let keys = &client.keys;
    let mut out = ServerEntry {
        transport,
        ..ServerEntry::default()
    };
    if typed {
        // Rendering writes this exact value back from the transport.
        if let Some(k) = &keys.type_key {
            rest.remove(k);
        }
    } else if client.type_value(transport).is_some()
        && keys
            .type_key
            .as_ref()
            .is_some_and(|k| !entry.contains_key(k))
    {
        out.omit_type = true;
    }
    match transport {
        Transport::Stdio => {
            out.command = rest.remove(&keys.command);
            out.args = rest.remove(&keys.args);
            out.env = rest.remove(&keys.env);
        }
        Transport::Http | Transport::Sse => {
            let url_key = client.url_key(transport).unwrap_or("url");
            if let Some(Value::String(url)) = rest.get(url_key) {
                out.url = Some(url.clone());
                rest.remove(url_key);
            }
            out.headers = take_path(&mut rest, &keys.headers);
            out.env = rest.remove(&keys.env);
        }
    }
    out.extra = rest;
    out
}

/// Removes and returns the value at a dotted `path`; a parent object left empty goes too, so
/// that rendering (which creates it again around the value) gives back the same entry.
pub(crate) fn take_path(map: &mut Map<String, Value>, path: &str) -> Option<Value> {
    match path.split_once('.') {
        None => map.remove(path),
        Some((first, rest)) => {
            let Some(Value::Object(inner)) = map.get_mut(first) else {
                return None;
            };
            let taken = take_path(inner, rest)?;
            if inner.is_empty() {
                map.remove(first);
            }
            Some(taken)
        }
    }
}

/// The value at a dotted `path`.
pub(crate) fn get_path<'a>(map: &'a Map<String, Value>, path: &str) -> Option<&'a Value> {
    match path.split_once('.') {
        None => map.get(path),
        Some((first, rest)) => get_path(map.get(first)?.as_object()?, rest),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::clients::get;
    use serde_json::json;

    fn one(client: &str, entry: Value) -> ServerEntry {
        let c = get(client).unwrap();
        import_section(c, &json!({ "s": entry }))
            .unwrap()
            .remove("s")
            .unwrap()
    }

    #[test]
    fn stdio_keys_go_to_typed_fields_and_the_rest_to_extra() {
        let e = one(
            "cursor",
            json!({"command": "npx", "args": ["-y", "x"], "env": {"A": "1"}, "disabled": true}),
        );
        assert_eq!(e.transport, Transport::Stdio);
        assert_eq!(e.command, Some(json!("npx")));
        assert_eq!(e.args, Some(json!(["-y", "x"])));
        assert_eq!(e.env, Some(json!({"A": "1"})));
        assert_eq!(e.extra.get("disabled"), Some(&json!(true)));
        assert!(!e.omit_type);
    }

    #[test]
    fn wrong_types_are_kept_raw() {
        let e = one(
            "claude-desktop",
            json!({"command": null, "args": "oops", "env": [1]}),
        );
        assert_eq!(e.command, Some(Value::Null));
        assert_eq!(e.args, Some(json!("oops")));
        assert_eq!(e.env, Some(json!([1])));
    }

    #[test]
    fn claude_code_type_decides_the_transport() {
        let e = one(
            "claude-code",
            json!({"type": "sse", "url": "https://x/sse"}),
        );
        assert_eq!(e.transport, Transport::Sse);
        assert_eq!(e.url.as_deref(), Some("https://x/sse"));
        assert!(e.extra.is_empty());
        let e = one("claude-code", json!({"command": "uvx", "args": []}));
        assert_eq!(e.transport, Transport::Stdio);
        assert!(e.omit_type, "no type key in the file, so none on render");
    }

    #[test]
    fn remote_keys_follow_the_client() {
        let e = one("windsurf", json!({"serverUrl": "https://x/mcp"}));
        assert_eq!(e.transport, Transport::Http);
        let e = one("gemini-cli", json!({"url": "https://x/sse"}));
        assert_eq!(e.transport, Transport::Sse);
        let e = one(
            "gemini-cli",
            json!({"httpUrl": "https://x/mcp", "headers": {"A": "b"}}),
        );
        assert_eq!(e.transport, Transport::Http);
        assert_eq!(e.headers, Some(json!({"A": "b"})));
        // Windsurf does not read `url`: it stays an unknown key of a (broken) stdio entry.
        let e = one("windsurf", json!({"url": "https://x/mcp"}));
        assert_eq!(e.transport, Transport::Stdio);
        assert_eq!(e.extra.get("url"), Some(&json!("https://x/mcp")));
    }

    #[test]
    fn claude_desktop_bridges_stay_stdio() {
        let e = one(
            "claude-desktop",
            json!({"command": "npx", "args": ["-y", "mcp-remote", "https://x/mcp"]}),
        );
        assert_eq!(e.transport, Transport::Stdio);
        let e = one("claude-desktop", json!({"url": "https://x/mcp"}));
        assert_eq!(e.transport, Transport::Stdio);
        assert_eq!(e.extra.get("url"), Some(&json!("https://x/mcp")));
    }

    #[test]
    fn malformed_sections_are_refused_with_a_fix() {
        let c = get("cursor").unwrap();
        let err = import_section(c, &json!([1])).unwrap_err().to_string();
        assert!(err.contains("not an object of servers"), "{err}");
        let err = import_section(c, &json!({"a": 5})).unwrap_err().to_string();
        assert!(
            err.contains("server 'a'") && err.contains("not an object"),
            "{err}"
        );
    }

    #[test]
    fn section_of_reads_the_root_key() {
        let c = get("cursor").unwrap();
        let payload = json!({"mcpServers": {"a": {}}, "other": 1});
        assert_eq!(section_of(c, &payload), Some(&json!({"a": {}})));
        assert_eq!(section_of(c, &json!({})), None);
    }
}
