//! Importing official MCP Registry `server.json` files into catalog definitions.

use imprint_config::Transport;
use imprint_config::catalog::{ParamType, from_registry_server_json};
use serde_json::{Map, Value, json};

fn obj(v: Value) -> Map<String, Value> {
    v.as_object().cloned().expect("an object")
}

#[test]
fn npm_package_with_env_and_arguments() {
    let def = from_registry_server_json(&json!({
        "$schema": "https://static.modelcontextprotocol.io/schemas/2025-09-29/server.schema.json",
        "name": "io.github.user/Local-Weather",
        "title": "Local Weather",
        "description": "Weather forecasts.",
        "version": "1.0.0",
        "websiteUrl": "https://weather.example.com",
        "packages": [{
            "registryType": "npm",
            "identifier": "@user/weather-mcp",
            "version": "1.0.0",
            "transport": {"type": "stdio"},
            "packageArguments": [
                {"type": "positional", "valueHint": "config_path", "isRequired": true, "format": "filepath"},
                {"type": "named", "name": "--port", "value": "8080"},
                {"type": "named", "name": "--units", "default": "metric", "choices": ["metric", "imperial"]},
                {"type": "named", "name": "--verbose-level"}
            ],
            "environmentVariables": [
                {"name": "API_KEY", "isSecret": true, "isRequired": true, "description": "key"},
                {"name": "LOG_LEVEL", "default": "info"},
                {"name": "MODE", "value": "stdio"}
            ]
        }]
    }))
    .unwrap();
    assert_eq!(def.server_id, "local-weather");
    assert_eq!(def.display_name, "Local Weather");
    assert_eq!(def.source, "registry");
    assert_eq!(def.transport, Transport::Stdio);
    assert_eq!(def.command.as_deref(), Some("npx"));
    assert_eq!(
        def.args,
        vec![
            "-y",
            "@user/weather-mcp@1.0.0",
            "{config_path}",
            "--port",
            "8080",
            "--units",
            "{units}"
        ]
    );
    assert_eq!(def.required_env, vec!["API_KEY"]);
    assert_eq!(def.optional_env, vec!["LOG_LEVEL", "MODE"]);
    assert_eq!(def.secret_env, vec!["API_KEY"]);
    assert_eq!(def.homepage.as_deref(), Some("https://weather.example.com"));
    assert_eq!(def.package.as_deref(), Some("@user/weather-mcp"));
    let config = def
        .parameters
        .iter()
        .find(|p| p.name == "config_path")
        .unwrap();
    assert!(config.required);
    assert_eq!(config.kind, ParamType::Path);
    let units = def.parameters.iter().find(|p| p.name == "units").unwrap();
    assert!(!units.required);
    assert_eq!(units.default, Some(json!("metric")));
    assert_eq!(units.choices, vec!["metric", "imperial"]);

    let entry = def
        .instantiate(
            &obj(json!({"config_path": "/etc/w.json"})),
            &obj(json!({"API_KEY": "k"})),
        )
        .unwrap();
    assert_eq!(
        entry.args,
        Some(json!([
            "-y",
            "@user/weather-mcp@1.0.0",
            "/etc/w.json",
            "--port",
            "8080",
            "--units",
            "metric"
        ]))
    );
    assert_eq!(
        entry.env,
        Some(json!({"API_KEY": "k", "LOG_LEVEL": "info", "MODE": "stdio"}))
    );
}

#[test]
fn pypi_package_runs_with_uvx_pinned() {
    let def = from_registry_server_json(&json!({
        "name": "io.github.example/weather-mcp",
        "description": "Python weather",
        "version": "0.5.0",
        "packages": [{"registryType": "pypi", "identifier": "weather-mcp-server", "version": "0.5.0",
                      "transport": {"type": "stdio"}}]
    }))
    .unwrap();
    assert_eq!(def.command.as_deref(), Some("uvx"));
    assert_eq!(def.args, vec!["weather-mcp-server==0.5.0"]);
    assert_eq!(def.server_id, "weather-mcp");
}

#[test]
fn oci_package_passes_env_into_the_container() {
    let def = from_registry_server_json(&json!({
        "name": "io.github.example/db",
        "description": "Database",
        "version": "3.1.0",
        "packages": [{
            "registryType": "oci",
            "identifier": "ghcr.io/example/db-mcp:3.1.0",
            "transport": {"type": "stdio"},
            "runtimeArguments": [
                {"type": "named", "name": "-e", "value": "DB_TYPE={db_type}",
                 "variables": {"db_type": {"description": "type", "isRequired": true, "choices": ["postgres", "mysql"]}}}
            ],
            "environmentVariables": [{"name": "DB_PASSWORD", "isRequired": true, "isSecret": true}]
        }]
    }))
    .unwrap();
    assert_eq!(def.command.as_deref(), Some("docker"));
    assert_eq!(
        def.args,
        vec![
            "run",
            "-i",
            "--rm",
            "-e",
            "DB_TYPE={db_type}",
            "-e",
            "DB_PASSWORD",
            "ghcr.io/example/db-mcp:3.1.0"
        ]
    );
    // the required variable must be given
    assert!(
        def.instantiate(&obj(json!({"db_type": "mysql"})), &Map::new())
            .is_err()
    );
    let entry = def
        .instantiate(
            &obj(json!({"db_type": "mysql"})),
            &obj(json!({"DB_PASSWORD": "${secret:DB_PASSWORD}"})),
        )
        .unwrap();
    assert_eq!(entry.args.unwrap()[4], json!("DB_TYPE=mysql"));
    assert_eq!(
        entry.env,
        Some(json!({"DB_PASSWORD": "${secret:DB_PASSWORD}"}))
    );
}

#[test]
fn a_bare_oci_image_gets_the_version_as_tag() {
    let def = from_registry_server_json(&json!({
        "name": "io.github.example/img",
        "description": "d",
        "version": "2.0.0",
        "packages": [{"registryType": "oci", "identifier": "example/img", "version": "2.0.0",
                      "transport": {"type": "stdio"}}]
    }))
    .unwrap();
    assert_eq!(
        def.args.last().map(String::as_str),
        Some("example/img:2.0.0")
    );
}

#[test]
fn remote_only_servers_prefer_streamable_http_and_make_secret_header_params() {
    let def = from_registry_server_json(&json!({
        "name": "com.example/hosted",
        "description": "Hosted",
        "version": "1.0.0",
        "remotes": [
            {"type": "sse", "url": "https://mcp.example.com/sse"},
            {"type": "streamable-http", "url": "https://{tenant}.example.com/mcp",
             "headers": [
                {"name": "X-API-Key", "isRequired": true, "isSecret": true, "description": "API key"},
                {"name": "X-Region", "default": "us-east-1"},
                {"name": "X-Optional"},
                {"name": "X-Fixed", "value": "v{1}"}
             ]}
        ]
    }))
    .unwrap();
    assert_eq!(def.transport, Transport::Http);
    assert_eq!(def.url.as_deref(), Some("https://{tenant}.example.com/mcp"));
    assert_eq!(
        def.headers.get("X-API-Key").map(String::as_str),
        Some("{x_api_key}")
    );
    assert_eq!(
        def.headers.get("X-Region").map(String::as_str),
        Some("{x_region}")
    );
    assert!(!def.headers.contains_key("X-Optional"));
    let key = def
        .parameters
        .iter()
        .find(|p| p.name == "x_api_key")
        .unwrap();
    assert!(key.secret && key.required);
    let entry = def
        .instantiate(
            &obj(json!({"tenant": "acme", "x_api_key": "s3cret"})),
            &Map::new(),
        )
        .unwrap();
    assert_eq!(entry.url.as_deref(), Some("https://acme.example.com/mcp"));
    assert_eq!(
        entry.headers,
        Some(json!({"X-API-Key": "s3cret", "X-Fixed": "v{1}", "X-Region": "us-east-1"}))
    );
}

#[test]
fn the_older_snake_case_schema_is_read_too() {
    let def = from_registry_server_json(&json!({
        "name": "io.modelcontextprotocol/brave-search",
        "description": "Brave",
        "version_detail": {"version": "1.0.2"},
        "packages": [{"registry_type": "npm", "identifier": "@modelcontextprotocol/server-brave-search",
                      "version": "1.0.2",
                      "environment_variables": [{"name": "BRAVE_API_KEY", "is_required": true, "is_secret": true}]}]
    }))
    .unwrap();
    assert_eq!(def.server_id, "brave-search");
    assert_eq!(
        def.args,
        vec!["-y", "@modelcontextprotocol/server-brave-search@1.0.2"]
    );
    assert_eq!(def.required_env, vec!["BRAVE_API_KEY"]);
    assert_eq!(def.secret_env, vec!["BRAVE_API_KEY"]);
}

#[test]
fn unusable_server_json_is_refused_with_a_reason() {
    let msg = from_registry_server_json(&json!({"description": "x"}))
        .unwrap_err()
        .to_string();
    assert!(msg.contains("no \"name\""), "{msg}");
    let msg = from_registry_server_json(&json!({
        "name": "io.github.x/bundle", "description": "d", "version": "1",
        "packages": [{"registryType": "mcpb", "identifier": "https://github.com/x/y.mcpb", "transport": {"type": "stdio"}}]
    }))
    .unwrap_err()
    .to_string();
    assert!(msg.contains("no npm, pypi or oci package"), "{msg}");
    let msg = from_registry_server_json(&json!({"name": "io.x/!!!", "description": "d"}))
        .unwrap_err()
        .to_string();
    assert!(msg.contains("usable server id"), "{msg}");
    assert!(from_registry_server_json(&json!("text")).is_err());
}
