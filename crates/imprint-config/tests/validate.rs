//! Every validation code, each on the smallest payload that shows it, with the message
//! checked for what is wrong and how to fix it.

use imprint_config::clients::{self, ClientSpec};
use imprint_config::validate::{
    Issue, ValidationReport, codes, validate_payload, validate_payload_for,
};
use serde_json::{Value, json};

fn issue<'r>(report: &'r ValidationReport, code: &str) -> &'r Issue {
    report
        .errors
        .iter()
        .chain(&report.warnings)
        .find(|i| i.code == code)
        .unwrap_or_else(|| panic!("no {code} in {report:#?}"))
}

fn servers(v: Value) -> Value {
    json!({ "mcpServers": v })
}

#[test]
fn a_good_payload_is_valid() {
    let report = validate_payload(
        "claude-desktop",
        &servers(
            json!({"memory": {"command": "npx", "args": ["-y", "@modelcontextprotocol/server-memory"]}}),
        ),
    );
    assert!(report.valid, "{report:#?}");
    assert!(report.errors.is_empty() && report.warnings.is_empty());
    assert_eq!(report.server_count, 1);
}

#[test]
fn empty_config() {
    for payload in [servers(json!({})), json!({})] {
        let report = validate_payload("cursor", &payload);
        assert!(!report.valid);
        assert_eq!(report.server_count, 0);
        let i = issue(&report, codes::EMPTY_CONFIG);
        assert!(i.message.contains("add_server_to_config"), "{}", i.message);
    }
}

#[test]
fn invalid_root() {
    let report = validate_payload("cursor", &json!([1]));
    assert!(
        issue(&report, codes::INVALID_ROOT)
            .message
            .contains("must be a JSON object")
    );
    let report = validate_payload("cursor", &json!({"mcpServers": []}));
    let i = issue(&report, codes::INVALID_ROOT);
    assert!(
        i.message.contains("an object keyed by server name"),
        "{}",
        i.message
    );
    assert_eq!(i.path.as_deref(), Some("mcpServers"));
    let report = validate_payload("cursor", &json!({"servers": {}}));
    let i = issue(&report, codes::INVALID_ROOT);
    assert!(
        i.message.contains("no 'mcpServers' key (found servers)"),
        "{}",
        i.message
    );
}

#[test]
fn invalid_entry() {
    let report = validate_payload("cursor", &servers(json!({"a": "npx"})));
    let i = issue(&report, codes::INVALID_ENTRY);
    assert_eq!(i.server.as_deref(), Some("a"));
    assert!(i.message.contains("must be an object, not a string"));
}

#[test]
fn missing_command() {
    let report = validate_payload("cursor", &servers(json!({"a": {"args": []}})));
    let i = issue(&report, codes::MISSING_COMMAND);
    assert_eq!(i.path.as_deref(), Some("mcpServers.a.command"));
    assert!(i.message.contains("needs the program to start"));
    let report = validate_payload(
        "cursor",
        &servers(json!({"a": {"command": "  ", "args": []}})),
    );
    assert!(
        issue(&report, codes::MISSING_COMMAND)
            .message
            .contains("empty")
    );
}

#[test]
fn missing_command_hints_at_a_misnamed_remote_key() {
    let report = validate_payload(
        "windsurf",
        &servers(json!({"a": {"url": "https://x.example/mcp"}})),
    );
    let i = issue(&report, codes::MISSING_COMMAND);
    assert!(
        i.message.contains("'serverUrl'") && i.message.contains("'url' is not read by Windsurf"),
        "{}",
        i.message
    );
    let report = validate_payload(
        "claude-desktop",
        &servers(json!({"a": {"url": "https://x.example/mcp"}})),
    );
    let i = issue(&report, codes::MISSING_COMMAND);
    assert!(i.message.contains("mcp-remote"), "{}", i.message);
}

#[test]
fn null_command() {
    let report = validate_payload(
        "claude-desktop",
        &servers(json!({"a": {"command": null, "args": []}})),
    );
    let i = issue(&report, codes::NULL_COMMAND);
    assert!(
        i.message.contains("\"command\": null") && i.message.contains("set the program"),
        "{}",
        i.message
    );
    assert!(!report.has(codes::MISSING_COMMAND));
}

#[test]
fn invalid_command_type() {
    let report = validate_payload("cursor", &servers(json!({"a": {"command": ["npx", "-y"]}})));
    let i = issue(&report, codes::INVALID_COMMAND_TYPE);
    assert!(
        i.message.contains("not an array") && i.message.contains("'args'"),
        "{}",
        i.message
    );
}

#[test]
fn missing_args_only_where_the_client_requires_them() {
    let payload = servers(json!({"a": {"command": "server"}}));
    let report = validate_payload("claude-desktop", &payload);
    let i = issue(&report, codes::MISSING_ARGS);
    assert!(i.message.contains("\"args\": []"), "{}", i.message);
    assert_eq!(i.path.as_deref(), Some("mcpServers.a.args"));
    assert!(validate_payload("cursor", &payload).valid);
}

#[test]
fn invalid_args_type() {
    let report = validate_payload(
        "cursor",
        &servers(json!({"a": {"command": "x", "args": "-y pkg"}})),
    );
    assert!(
        issue(&report, codes::INVALID_ARGS_TYPE)
            .message
            .contains("must be an array of strings")
    );
    let report = validate_payload(
        "cursor",
        &servers(json!({"fs": {"command": "x", "args": ["a", "b", 3]}})),
    );
    let i = issue(&report, codes::INVALID_ARGS_TYPE);
    assert_eq!(i.path.as_deref(), Some("mcpServers.fs.args[2]"));
    assert!(
        i.message.contains("argument 2 is a number") && i.message.contains("\"3\""),
        "{}",
        i.message
    );
}

#[test]
fn invalid_env_type() {
    let report = validate_payload(
        "cursor",
        &servers(json!({"a": {"command": "x", "env": ["A=1"]}})),
    );
    assert!(
        issue(&report, codes::INVALID_ENV_TYPE)
            .message
            .contains("NAME: \"value\"")
    );
    let report = validate_payload(
        "cursor",
        &servers(json!({"a": {"command": "x", "env": {"PORT": 8080}}})),
    );
    let i = issue(&report, codes::INVALID_ENV_TYPE);
    assert_eq!(i.path.as_deref(), Some("mcpServers.a.env.PORT"));
    assert!(i.message.contains("quote it (\"8080\")"), "{}", i.message);
}

#[test]
fn empty_env_var_is_a_warning_naming_the_fix() {
    let report = validate_payload(
        "claude-desktop",
        &servers(
            json!({"github": {"command": "docker", "args": [], "env": {"GITHUB_PERSONAL_ACCESS_TOKEN": ""}}}),
        ),
    );
    assert!(report.valid, "a warning does not invalidate");
    let i = issue(&report, codes::EMPTY_ENV_VAR);
    assert_eq!(
        i.path.as_deref(),
        Some("mcpServers.github.env.GITHUB_PERSONAL_ACCESS_TOKEN")
    );
    assert!(
        i.message.starts_with(
            "server 'github': env var GITHUB_PERSONAL_ACCESS_TOKEN is empty; set it with env_vars="
        ),
        "{}",
        i.message
    );
}

#[test]
fn too_many_servers_uses_the_client_limit() {
    let many: serde_json::Map<String, Value> = (0..41)
        .map(|i| (format!("s{i}"), json!({"command": "x"})))
        .collect();
    let payload = servers(Value::Object(many));
    let report = validate_payload("cursor", &payload);
    let i = issue(&report, codes::TOO_MANY_SERVERS);
    assert!(
        i.message.contains("41 servers")
            && i.message.contains("at most 40")
            && i.message.contains("remove 1"),
        "{}",
        i.message
    );
    assert!(
        validate_payload("lm-studio", &payload).valid,
        "no limit there"
    );
}

fn limited_client() -> ClientSpec {
    let mut spec = clients::get("cursor").unwrap().clone();
    spec.max_env_vars = Some(2);
    spec
}

#[test]
fn too_many_env_vars_uses_the_client_limit() {
    let payload = servers(json!({"a": {"command": "x", "env": {"A": "1", "B": "2", "C": "3"}}}));
    let report = validate_payload_for(&limited_client(), &payload);
    let i = issue(&report, codes::TOO_MANY_ENV_VARS);
    assert!(
        i.message.contains("sets 3 env vars") && i.message.contains("at most 2"),
        "{}",
        i.message
    );
    assert!(validate_payload("cursor", &payload).valid);
}

#[test]
fn invalid_server_name_follows_the_client_rule() {
    let report = validate_payload(
        "claude-code",
        &servers(json!({"my server": {"command": "x"}, "fs.home": {"command": "x"}})),
    );
    let names: Vec<_> = report
        .errors
        .iter()
        .filter(|i| i.code == codes::INVALID_SERVER_NAME)
        .map(|i| i.server.clone().unwrap())
        .collect();
    assert_eq!(names, vec!["fs.home", "my server"]);
    let i = issue(&report, codes::INVALID_SERVER_NAME);
    assert!(
        i.message.contains("Claude Code") && i.message.contains("letters, digits or '-', '_'"),
        "{}",
        i.message
    );
    let report = validate_payload(
        "cursor",
        &servers(
            json!({"fs.home": {"command": "x"}, "": {"command": "x"}, "a/b": {"command": "x"}}),
        ),
    );
    let bad: Vec<_> = report
        .errors
        .iter()
        .filter(|i| i.code == codes::INVALID_SERVER_NAME)
        .collect();
    assert_eq!(bad.len(), 2, "{report:#?}");
}

#[test]
fn missing_url() {
    let report = validate_payload("claude-code", &servers(json!({"r": {"type": "http"}})));
    let i = issue(&report, codes::MISSING_URL);
    assert_eq!(i.path.as_deref(), Some("mcpServers.r.url"));
    assert!(i.message.contains("https://example.com/mcp"));
    let report = validate_payload(
        "claude-code",
        &servers(json!({"r": {"type": "sse", "url": null}})),
    );
    assert!(report.has(codes::MISSING_URL));
}

#[test]
fn invalid_url() {
    let report = validate_payload(
        "claude-code",
        &servers(json!({"r": {"type": "http", "url": "ftp://x"}})),
    );
    assert!(
        issue(&report, codes::INVALID_URL)
            .message
            .contains("http:// or https://")
    );
    let report = validate_payload(
        "windsurf",
        &servers(json!({"r": {"serverUrl": "localhost:8080"}})),
    );
    // A bare host is not a URL: Windsurf would fail to connect.
    assert_eq!(
        issue(&report, codes::INVALID_URL).path.as_deref(),
        Some("mcpServers.r.serverUrl")
    );
    let report = validate_payload(
        "gemini-cli",
        &servers(json!({"r": {"httpUrl": "https://x.example/mcp", "headers": {"A": 1}}})),
    );
    let i = issue(&report, codes::INVALID_HEADERS_TYPE);
    assert_eq!(i.path.as_deref(), Some("mcpServers.r.headers.A"));
    let report = validate_payload(
        "claude-code",
        &servers(json!({"r": {"type": "http", "url": "https://x.example", "headers": "A: b"}})),
    );
    assert!(report.has(codes::INVALID_HEADERS_TYPE));
}

#[test]
fn unknown_client_warns_and_checks_generically() {
    let report = validate_payload(
        "vim",
        &servers(json!({"a": {"command": "x"}, "r": {"type": "http", "url": "nope"}})),
    );
    let i = issue(&report, codes::UNKNOWN_CLIENT);
    assert!(
        i.message.contains("client 'vim' is not known") && i.message.contains("claude-desktop"),
        "{}",
        i.message
    );
    assert!(
        report.has(codes::INVALID_URL),
        "still validated: {report:#?}"
    );
    assert_eq!(report.server_count, 2);
}

#[test]
fn duplicate_names_in_list_sections() {
    let spec: ClientSpec = serde_json::from_value(json!({
        "id": "continue", "display_name": "Continue", "format": "yaml", "root_key": "mcpServers",
        "paths": {"linux": "~/c", "macos": "~/c", "windows": "%USERPROFILE%\\c"},
        "supports_remote": true, "section": {"shape": "list", "name_key": "name"}
    }))
    .unwrap();
    let report = validate_payload_for(
        &spec,
        &json!({"mcpServers": [{"name": "a", "command": "x"}, {"name": "a", "command": "y"}]}),
    );
    assert!(report.has(codes::DUPLICATE_SERVER_NAME));
    let report = validate_payload_for(&spec, &json!({"mcpServers": [{"command": "x"}]}));
    assert!(report.has(codes::INVALID_ENTRY));
}

#[test]
fn every_rendered_builtin_is_valid_for_every_client() {
    use imprint_config::catalog;
    use imprint_config::render::render;
    use std::collections::BTreeMap;
    let mut servers = BTreeMap::new();
    for d in catalog::builtin() {
        let mut params = serde_json::Map::new();
        for p in d.parameters.iter().filter(|p| p.required) {
            let v = match p.kind {
                catalog::ParamType::Url => json!("https://example.com/mcp"),
                _ => json!("/tmp/x"),
            };
            params.insert(p.name.clone(), v);
        }
        let env: serde_json::Map<String, Value> = d
            .required_env
            .iter()
            .map(|n| (n.clone(), json!("set")))
            .collect();
        servers.insert(d.server_id.clone(), d.instantiate(&params, &env).unwrap());
    }
    for client in clients::all() {
        let report = validate_payload(&client.id, &render(client, &servers));
        assert!(report.valid, "{}: {:#?}", client.id, report.errors);
        assert!(
            report.warnings.is_empty(),
            "{}: {:#?}",
            client.id,
            report.warnings
        );
    }
}
