//! The rendered payload of every registered client, pinned by snapshot: a catalog stdio server
//! whose token is a secret reference, a hand-written Streamable HTTP server with a header, an
//! SSE server, and a catalog Streamable HTTP server whose bearer token is a secret reference
//! (which Codex writes as `bearer_token_env_var`). A change to a client's shape shows up here as
//! a reviewed snapshot diff.

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
        json!("${secret:GITHUB_PERSONAL_ACCESS_TOKEN@0a1b2c3d4e5f}"),
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
    let mut sentry = catalog::get_builtin("sentry")
        .expect("sentry is built in")
        .instantiate(&Map::new(), &Map::new())
        .expect("sentry instantiates");
    sentry.headers = Some(json!({
        "Authorization": "Bearer ${secret:SENTRY_AUTHORIZATION@5f4e3d2c1b0a}",
        "X-Org": "acme"
    }));
    BTreeMap::from([
        ("github".to_string(), github),
        ("remote-http".to_string(), http),
        ("remote-sse".to_string(), sse),
        ("sentry".to_string(), sentry),
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
fn vscode() {
    insta::assert_json_snapshot!(check("vscode"));
}

#[test]
fn zed() {
    insta::assert_json_snapshot!(check("zed"));
}

#[test]
fn codex() {
    insta::assert_json_snapshot!(check("codex"));
}

#[test]
fn continue_dev() {
    insta::assert_json_snapshot!(check("continue"));
}

#[test]
fn goose() {
    insta::assert_json_snapshot!(check("goose"));
}

#[test]
fn cline() {
    insta::assert_json_snapshot!(check("cline"));
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
        "vscode",
        "zed",
        "codex",
        "continue",
        "goose",
        "cline",
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
