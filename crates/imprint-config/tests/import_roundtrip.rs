//! Import is the exact inverse of render: whatever a user wrote in a client's file renders
//! back unchanged, so adopting an existing file and deploying it again changes nothing.

use std::collections::BTreeMap;

use imprint_config::clients::{self, ClientSpec, SectionShape};
use imprint_config::import::{import_section, section_of};
use imprint_config::render::render;
use imprint_config::{ServerEntry, Transport};
use proptest::prelude::*;
use serde_json::{Map, Value, json};

/// A section written as a map by name, in the client's own layout (a list for Continue).
fn in_layout(client: &ClientSpec, section: &Value) -> Value {
    match (&client.section, section) {
        (SectionShape::List { name_key }, Value::Object(map)) => Value::Array(
            map.iter()
                .map(|(name, entry)| {
                    let mut item = Map::new();
                    item.insert(name_key.clone(), Value::String(name.clone()));
                    if let Value::Object(fields) = entry {
                        for (k, v) in fields {
                            if k != name_key {
                                item.insert(k.clone(), v.clone());
                            }
                        }
                    }
                    Value::Object(item)
                })
                .collect(),
        ),
        _ => section.clone(),
    }
}

fn assert_lossless(client_id: &str, section: Value) {
    let client = clients::get(client_id).expect("registered");
    let section = in_layout(client, &section);
    let imported = import_section(client, &section).expect("imports");
    let rendered = render(client, &imported);
    assert_eq!(
        rendered,
        json!({ client.root_key.clone(): section }),
        "{client_id} did not round-trip"
    );
    // And the JSON text is the same modulo key order within entries.
    let rendered_section = section_of(client, &rendered).unwrap();
    let count = match rendered_section {
        Value::Array(items) => items.len(),
        other => other.as_object().unwrap().len(),
    };
    assert_eq!(count, imported.len());
}

#[test]
fn claude_desktop_sections_round_trip() {
    assert_lossless(
        "claude-desktop",
        json!({
            "filesystem": {
                "command": "npx",
                "args": ["-y", "@modelcontextprotocol/server-filesystem", "/Users/ada/Desktop", "/Users/ada/Downloads"]
            },
            "github": {
                "command": "docker",
                "args": ["run", "-i", "--rm", "-e", "GITHUB_PERSONAL_ACCESS_TOKEN", "ghcr.io/github/github-mcp-server"],
                "env": {"GITHUB_PERSONAL_ACCESS_TOKEN": "ghp_xxx"}
            },
            "linear": {"command": "npx", "args": ["-y", "mcp-remote", "https://mcp.linear.app/sse"]},
            "no-args": {"command": "/usr/local/bin/my-server"},
            "empty-args": {"command": "uvx", "args": [], "env": {}},
            "weird": {"command": null, "args": "oops", "env": ["x"], "disabled": true, "url": "https://ignored.example"}
        }),
    );
}

#[test]
fn claude_code_sections_round_trip() {
    assert_lossless(
        "claude-code",
        json!({
            "typed-stdio": {"type": "stdio", "command": "npx", "args": ["-y", "@modelcontextprotocol/server-memory"], "env": {}},
            "untyped-stdio": {"command": "uvx", "args": ["mcp-server-fetch"]},
            "sentry": {"type": "http", "url": "https://mcp.sentry.dev/mcp"},
            "with-headers": {"type": "http", "url": "https://api.example.com/mcp", "headers": {"Authorization": "Bearer ${API_TOKEN}"}},
            "legacy": {"type": "sse", "url": "https://legacy.example.com/sse", "headers": {}},
            "untyped-remote": {"url": "https://x.example.com/mcp"},
            "odd-type": {"type": "streamable-http", "url": "https://y.example.com/mcp"},
            "timeout": {"type": "stdio", "command": "node", "args": ["server.js"], "timeout": 60, "alwaysAllow": ["read_file"]}
        }),
    );
}

#[test]
fn cursor_sections_round_trip() {
    assert_lossless(
        "cursor",
        json!({
            "context7": {"url": "https://mcp.context7.com/mcp", "headers": {"CONTEXT7_API_KEY": "k"}},
            "playwright": {"command": "npx", "args": ["@playwright/mcp@latest"]},
            "typed": {"type": "stdio", "command": "python", "args": ["-m", "srv"], "env": {"PYTHONPATH": "."}, "envFile": ".env"},
            "disabled": {"command": "npx", "args": [], "disabled": true},
            "bad-url": {"url": 42}
        }),
    );
}

#[test]
fn windsurf_sections_round_trip() {
    assert_lossless(
        "windsurf",
        json!({
            "remote": {"serverUrl": "https://mcp.example.com/mcp", "headers": {"Authorization": "Bearer ${env:TOKEN}"}},
            "local": {"command": "npx", "args": ["-y", "@modelcontextprotocol/server-sequential-thinking"], "disabledTools": ["x"]},
            "copied-from-cursor": {"url": "https://oops.example.com/mcp"}
        }),
    );
}

#[test]
fn gemini_cli_sections_round_trip() {
    assert_lossless(
        "gemini-cli",
        json!({
            "http": {"httpUrl": "https://api.example.com/mcp", "headers": {"Authorization": "Bearer t"}, "timeout": 30000},
            "sse": {"url": "http://localhost:8080/sse", "trust": true},
            "python": {"command": "python", "args": ["-m", "my_server"], "cwd": "./srv", "env": {"API_KEY": "$MY_KEY"},
                       "includeTools": ["a"], "excludeTools": ["b"]},
            "both": {"httpUrl": "https://a.example/mcp", "url": "https://b.example/sse"}
        }),
    );
}

#[test]
fn lm_studio_sections_round_trip() {
    assert_lossless(
        "lm-studio",
        json!({
            "hf-mcp-server": {"url": "https://huggingface.co/mcp", "headers": {"Authorization": "Bearer hf_x"}},
            "local": {"command": "uvx", "args": ["mcp-server-time"]}
        }),
    );
}

#[test]
fn an_empty_section_round_trips() {
    for client in clients::all() {
        assert_lossless(&client.id, json!({}));
    }
}

#[test]
fn a_claude_desktop_bridge_is_not_unbridged() {
    let client = clients::get("claude-desktop").unwrap();
    let section = json!({"n8n": {"command": "npx", "args": ["-y", "mcp-remote", "http://localhost:5679/mcp-server/http"]}});
    let imported = import_section(client, &section).unwrap();
    assert_eq!(imported["n8n"].transport, Transport::Stdio);
    assert_eq!(imported["n8n"].url, None);
}

#[test]
fn a_list_shaped_client_round_trips_sorted_entries() {
    let spec: ClientSpec = serde_json::from_value(json!({
        "id": "continue", "display_name": "Continue", "format": "yaml", "root_key": "mcpServers",
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
    let section = json!([
        {"name": "a-remote", "type": "streamable-http", "url": "https://x.example/mcp"},
        {"name": "b-local", "type": "stdio", "command": "uvx", "args": ["mcp-server-git"]},
        {"name": "c-plain", "command": "npx", "args": ["-y", "x"], "env": {"K": "v"}}
    ]);
    let imported = import_section(&spec, &section).unwrap();
    assert_eq!(imported["a-remote"].transport, Transport::Http);
    assert_eq!(render(&spec, &imported), json!({"mcpServers": section}));
    let dup = json!([{"name": "a", "command": "x"}, {"name": "a", "command": "y"}]);
    assert!(
        import_section(&spec, &dup)
            .unwrap_err()
            .to_string()
            .contains("two entries")
    );
    let nameless = json!([{"command": "x"}]);
    assert!(
        import_section(&spec, &nameless)
            .unwrap_err()
            .to_string()
            .contains("no string 'name'")
    );
}

// -------------------------------------------------------------------------------------
// Property tests

fn scalar() -> impl Strategy<Value = Value> {
    prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        (-1000i64..1000).prop_map(Value::from),
        "[a-zA-Z0-9 ./:${}_-]{0,12}".prop_map(Value::String),
    ]
}

fn json_value() -> impl Strategy<Value = Value> {
    scalar().prop_recursive(2, 12, 4, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(Value::Array),
            prop::collection::btree_map("[a-zA-Z_]{1,6}", inner, 0..4)
                .prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}

/// Keys every client knows, some client knows, or none does.
fn entry_key() -> impl Strategy<Value = String> {
    prop_oneof![
        Just("command".to_string()),
        Just("args".to_string()),
        Just("env".to_string()),
        Just("url".to_string()),
        Just("serverUrl".to_string()),
        Just("httpUrl".to_string()),
        Just("headers".to_string()),
        Just("type".to_string()),
        Just("disabled".to_string()),
        Just("timeout".to_string()),
        Just("alwaysAllow".to_string()),
        "[a-z]{1,5}",
    ]
}

fn entry_value(key: &str) -> BoxedStrategy<Value> {
    match key {
        "type" => prop_oneof![
            Just(json!("stdio")),
            Just(json!("http")),
            Just(json!("sse")),
            Just(json!("streamableHttp")),
            json_value(),
        ]
        .boxed(),
        "url" | "serverUrl" | "httpUrl" => prop_oneof![
            Just(json!("https://example.com/mcp")),
            Just(json!("http://localhost:5679/sse")),
            json_value(),
        ]
        .boxed(),
        _ => json_value().boxed(),
    }
}

fn entry() -> impl Strategy<Value = Value> {
    prop::collection::vec(entry_key(), 0..7).prop_flat_map(|keys| {
        let values: Vec<BoxedStrategy<Value>> = keys.iter().map(|k| entry_value(k)).collect();
        (Just(keys), values).prop_map(|(keys, values)| {
            Value::Object(keys.into_iter().zip(values).collect::<Map<String, Value>>())
        })
    })
}

fn section() -> impl Strategy<Value = Value> {
    prop::collection::btree_map("[a-zA-Z0-9_. -]{0,10}", entry(), 0..5)
        .prop_map(|m| Value::Object(m.into_iter().collect()))
}

fn neutral_entry() -> impl Strategy<Value = ServerEntry> {
    let transport = prop_oneof![
        Just(Transport::Stdio),
        Just(Transport::Http),
        Just(Transport::Sse)
    ];
    let strings = prop::collection::vec("[a-zA-Z0-9 ./=_-]{0,10}", 0..4);
    let string_map = prop::collection::btree_map("[A-Z_]{1,6}", "[a-zA-Z0-9 ]{0,8}", 0..3);
    let extra = prop::collection::btree_map(
        prop_oneof![
            Just("disabled"),
            Just("timeout"),
            Just("alwaysAllow"),
            Just("cwd")
        ],
        json_value(),
        0..3,
    );
    (
        transport,
        prop::option::of("[a-z/.-]{1,10}"),
        prop::option::of(strings),
        prop::option::of(string_map.clone()),
        "[a-z]{1,8}",
        prop::option::of(string_map),
        extra,
    )
        .prop_map(|(transport, command, args, env, host, headers, extra)| {
            let to_obj = |m: BTreeMap<String, String>| {
                Value::Object(m.into_iter().map(|(k, v)| (k, Value::String(v))).collect())
            };
            let mut e = ServerEntry {
                transport,
                extra: extra.into_iter().map(|(k, v)| (k.to_string(), v)).collect(),
                ..ServerEntry::default()
            };
            if transport == Transport::Stdio {
                e.command = command.map(Value::String);
                e.args = args.map(|a| Value::Array(a.into_iter().map(Value::String).collect()));
                e.env = env.map(to_obj);
            } else {
                e.url = Some(format!("https://{host}.example/mcp"));
                e.headers = headers.map(to_obj);
            }
            e
        })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    /// Any section a user could write (entries are objects) survives import + render.
    #[test]
    fn any_section_round_trips_for_every_client(section in section()) {
        for client in clients::all() {
            let section = in_layout(client, &section);
            let imported = import_section(client, &section).expect("object entries import");
            let rendered = render(client, &imported);
            prop_assert_eq!(&rendered, &json!({ client.root_key.clone(): section.clone() }), "client {}", client.id);
        }
    }

    /// render(import(render(x))) == render(x) for entries built in Imprint.
    #[test]
    fn rendered_drafts_are_a_fixed_point(entries in prop::collection::btree_map("[a-z0-9-]{1,8}", neutral_entry(), 0..5)) {
        for client in clients::all() {
            let once = render(client, &entries);
            let section = section_of(client, &once).expect("root key");
            let again = render(client, &import_section(client, section).expect("imports"));
            prop_assert_eq!(&again, &once, "client {}", client.id);
        }
    }
}
