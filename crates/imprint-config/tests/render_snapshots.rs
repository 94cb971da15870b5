//! The rendered payload of every registered client, pinned by snapshot: a stdio server with
//! env, a Streamable HTTP server with a header, and an SSE server. A change to a client's
//! shape shows up here as a reviewed snapshot diff.

use std::collections::BTreeMap;

use imprint_config::catalog;
use imprint_config::clients;
use imprint_config::render::render;
use imprint_config::validate::validate_payload;
use imprint_config::{ServerEntry, Transport};
use serde_json::{Map, json};

fn servers() -> BTreeMap<String, ServerEntry> {
    let mut env = Map::new();
    env.insert(
        "GITHUB_PERSONAL_ACCESS_TOKEN".into(),
        json!("ghp_example_token"),
    );
    let github = catalog::get_builtin("github")
        .expect("github is built in")
        .instantiate(&Map::new(), &env)
        .expect("github instantiates");
    let http = ServerEntry {
        transport: Transport::Http,
        url: Some("https://mcp.example.com/mcp".into()),
        headers: Some(json!({"Authorization": "Bearer example-token"})),
        ..ServerEntry::default()
    };
    let sse = ServerEntry {
        transport: Transport::Sse,
        url: Some("https://legacy.example.com/sse".into()),
        ..ServerEntry::default()
    };
    BTreeMap::from([
        ("github".to_string(), github),
        ("remote-http".to_string(), http),
        ("remote-sse".to_string(), sse),
    ])
}

fn check(client_id: &str) -> serde_json::Value {
    let client = clients::get(client_id).expect("registered");
    let payload = render(client, &servers());
    let report = validate_payload(client_id, &payload);
    assert!(report.valid, "{client_id}: {:?}", report.errors);
    payload
}

#[test]
fn claude_desktop() {
    insta::assert_json_snapshot!(check("claude-desktop"));
}

#[test]
fn claude_code() {
    insta::assert_json_snapshot!(check("claude-code"));
}

#[test]
fn cursor() {
    insta::assert_json_snapshot!(check("cursor"));
}

#[test]
fn windsurf() {
    insta::assert_json_snapshot!(check("windsurf"));
}

#[test]
fn gemini_cli() {
    insta::assert_json_snapshot!(check("gemini-cli"));
}

#[test]
fn lm_studio() {
    insta::assert_json_snapshot!(check("lm-studio"));
}

#[test]
fn every_registered_client_has_a_snapshot_test() {
    let covered = [
        "claude-desktop",
        "claude-code",
        "cursor",
        "windsurf",
        "gemini-cli",
        "lm-studio",
    ];
    for client in clients::all() {
        assert!(
            covered.contains(&client.id.as_str()),
            "client '{}' has no snapshot test in tests/render_snapshots.rs; add one",
            client.id
        );
    }
}

#[test]
fn rendering_is_deterministic() {
    for client in clients::all() {
        let a = serde_json::to_string(&render(client, &servers())).unwrap();
        let b = serde_json::to_string(&render(client, &servers())).unwrap();
        assert_eq!(a, b, "{}", client.id);
    }
}
