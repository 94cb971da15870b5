//! The client records added for VS Code, Zed, Codex, Continue, Goose and Cline: where their
//! files are, which names they accept, and the entries they hold that are not Imprint's.

use std::path::{Path, PathBuf};

use imprint_config::clients::{self, Os};
use imprint_config::import::import_section;
use imprint_config::render::render;
use imprint_config::validate::{codes, validate_payload};
use imprint_config::{FileFormat, ServerEntry, Transport};
use serde_json::{Value, json};

#[test]
fn every_client_has_a_path_on_every_os_and_the_documented_linux_one() {
    let home = Path::new("/home/ada");
    let linux = |id: &str| clients::get(id).unwrap().config_path_for(Os::Linux, home);
    assert_eq!(
        linux("vscode"),
        PathBuf::from("/home/ada/.config/Code/User/mcp.json")
    );
    assert_eq!(
        linux("zed"),
        PathBuf::from("/home/ada/.config/zed/settings.json")
    );
    assert_eq!(
        linux("codex"),
        PathBuf::from("/home/ada/.codex/config.toml")
    );
    assert_eq!(
        linux("continue"),
        PathBuf::from("/home/ada/.continue/config.yaml")
    );
    assert_eq!(
        linux("goose"),
        PathBuf::from("/home/ada/.config/goose/config.yaml")
    );
    assert_eq!(
        linux("cline"),
        PathBuf::from(
            "/home/ada/.config/Code/User/globalStorage/saoudrizwan.claude-dev/settings/cline_mcp_settings.json"
        )
    );
    assert_eq!(
        clients::get("vscode")
            .unwrap()
            .config_path_for(Os::Macos, home),
        PathBuf::from("/home/ada/Library/Application Support/Code/User/mcp.json")
    );
    assert_eq!(
        clients::get("goose")
            .unwrap()
            .config_path_for(Os::Windows, home),
        PathBuf::from("/home/ada/AppData/Roaming/Block/goose/config/config.yaml")
    );
    for client in clients::all() {
        for os in [Os::Linux, Os::Macos, Os::Windows] {
            let path = client.config_path_for(os, home);
            assert!(
                path.starts_with(home),
                "{} {os:?}: {}",
                client.id,
                path.display()
            );
        }
    }
}

#[test]
fn project_scopes_live_under_the_project() {
    let project = Path::new("/src/app");
    for (id, relative) in [
        ("claude-code", ".mcp.json"),
        ("cursor", ".cursor/mcp.json"),
        ("vscode", ".vscode/mcp.json"),
        ("zed", ".zed/settings.json"),
        ("codex", ".codex/config.toml"),
    ] {
        assert_eq!(
            clients::get(id).unwrap().project_config_path(project),
            Some(project.join(relative)),
            "{id}"
        );
    }
    for id in [
        "claude-desktop",
        "continue",
        "goose",
        "cline",
        "lm-studio",
        "windsurf",
    ] {
        assert_eq!(
            clients::get(id).unwrap().project_config_path(project),
            None,
            "{id}"
        );
    }
}

#[test]
fn formats_and_reference_syntaxes_follow_each_client() {
    let format = |id: &str| clients::get(id).unwrap().format;
    assert_eq!(format("vscode"), FileFormat::Jsonc);
    assert_eq!(format("zed"), FileFormat::Jsonc);
    assert_eq!(format("codex"), FileFormat::Toml);
    assert_eq!(format("continue"), FileFormat::Yaml);
    assert_eq!(format("goose"), FileFormat::Yaml);
    assert_eq!(format("cline"), FileFormat::Json);
    let reference = |id: &str| {
        clients::get(id)
            .unwrap()
            .secret_reference
            .as_ref()
            .map(|r| r.to("GITHUB_TOKEN"))
    };
    assert_eq!(reference("claude-code").as_deref(), Some("${GITHUB_TOKEN}"));
    assert_eq!(reference("cursor").as_deref(), Some("${env:GITHUB_TOKEN}"));
    assert_eq!(
        reference("vscode").as_deref(),
        Some("${input:GITHUB_TOKEN}")
    );
    assert_eq!(reference("claude-desktop"), None);
    assert!(
        clients::get("vscode")
            .unwrap()
            .secret_reference
            .as_ref()
            .unwrap()
            .inputs
    );
}

fn names_report(client: &str, name: &str) -> bool {
    let client = clients::get(client).unwrap();
    let entry = match client.keys.command.as_str() {
        "cmd" => json!({"cmd": "npx", "args": []}),
        _ => json!({"command": "npx", "args": []}),
    };
    let section = match &client.section {
        clients::SectionShape::List { name_key } => {
            let mut item = entry.as_object().unwrap().clone();
            item.insert(name_key.clone(), json!(name));
            json!([item])
        }
        clients::SectionShape::Map => json!({ name: entry }),
    };
    let report = validate_payload(&client.id, &json!({ client.root_key.clone(): section }));
    report.has(codes::INVALID_SERVER_NAME)
}

#[test]
fn names_the_client_rejects_fail_validation() {
    assert!(
        names_report("codex", "fs.home"),
        "codex: letters, digits, '-' and '_' only"
    );
    assert!(!names_report("codex", "fs_home-2"));
    assert!(names_report("vscode", "my server"));
    assert!(names_report("goose", "a.b"));
    assert!(
        !names_report("continue", "My SQLite"),
        "Continue names are display names"
    );
    assert!(names_report("continue", "a/b"));
    assert!(!names_report("cline", "fs.home"));
    assert!(names_report("zed", &"z".repeat(65)));
}

#[test]
fn goose_builtins_and_zed_extension_servers_are_kept_and_not_checked() {
    let goose = json!({"extensions": {
        "developer": {"bundled": true, "display_name": "Developer", "enabled": true, "name": "developer", "timeout": 300, "type": "builtin"},
        "old-sse": {"enabled": true, "name": "old-sse", "type": "sse", "uri": "https://x.example/sse"},
        "github": {"cmd": "npx", "args": ["-y", "@modelcontextprotocol/server-github"], "enabled": true, "envs": {}, "name": "github", "timeout": 300, "type": "stdio"}
    }});
    let report = validate_payload("goose", &goose);
    assert!(report.valid, "{:?}", report.errors);
    let client = clients::get("goose").unwrap();
    let imported = import_section(client, &goose["extensions"]).unwrap();
    assert_eq!(imported["github"].command, Some(json!("npx")));
    assert_eq!(render(client, &imported), goose);

    let zed = json!({"context_servers": {
        "postgres-context-server": {"settings": {"database_url": "postgresql://localhost/db"}},
        "local": {"command": "node", "args": ["server.js"]}
    }});
    assert!(validate_payload("zed", &zed).valid);
    // without `command` or `url` Zed takes an entry for an extension's server
    let extension = json!({"context_servers": {"local": {"args": ["server.js"], "env": {}}}});
    assert!(validate_payload("zed", &extension).valid);
    let remote_without_url = json!({"context_servers": {"r": {"url": null, "headers": {}}}});
    assert!(
        validate_payload("zed", &remote_without_url).has(codes::MISSING_COMMAND)
            || validate_payload("zed", &remote_without_url).has(codes::MISSING_URL)
    );
    // but in Claude Desktop the same entry is a server missing its command
    let desktop = json!({"mcpServers": {"local": {"args": ["server.js"]}}});
    assert!(validate_payload("claude-desktop", &desktop).has(codes::MISSING_COMMAND));
}

#[test]
fn continue_headers_live_in_request_options_and_round_trip() {
    let client = clients::get("continue").unwrap();
    let section = json!([
        {"name": "docs", "type": "streamable-http", "url": "https://docs.example.com/mcp",
         "requestOptions": {"timeout": 5000, "headers": {"Authorization": "Bearer ${{ secrets.DOCS }}"}}},
        {"name": "plain", "type": "sse", "url": "https://x.example/sse", "requestOptions": {"headers": {"X-A": "b"}}}
    ]);
    let imported = import_section(client, &section).unwrap();
    assert_eq!(imported["docs"].transport, Transport::Http);
    assert_eq!(
        imported["docs"].headers,
        Some(json!({"Authorization": "Bearer ${{ secrets.DOCS }}"}))
    );
    assert_eq!(
        imported["plain"].extra.get("requestOptions"),
        None,
        "an emptied parent goes"
    );
    assert_eq!(render(client, &imported), json!({"mcpServers": section}));
    assert!(validate_payload("continue", &json!({"mcpServers": section})).valid);
    let bad = json!({"mcpServers": [{"name": "x", "type": "sse", "url": "https://x.example", "requestOptions": {"headers": ["no"]}}]});
    assert!(validate_payload("continue", &bad).has(codes::INVALID_HEADERS_TYPE));
}

#[test]
fn codex_reads_the_bearer_token_from_the_environment_and_bridges_sse() {
    let client = clients::get("codex").unwrap();
    let catalog_entry = ServerEntry {
        server_id: Some("docs".into()),
        transport: Transport::Http,
        url: Some("https://docs.example.com/mcp".into()),
        headers: Some(json!({"Authorization": "Bearer ${secret:DOCS_TOKEN@abc}"})),
        ..ServerEntry::default()
    };
    let sse = ServerEntry {
        transport: Transport::Sse,
        url: Some("https://old.example.com/sse".into()),
        ..ServerEntry::default()
    };
    let payload = render(
        client,
        &[
            ("docs".to_string(), catalog_entry),
            ("old".to_string(), sse),
        ]
        .into_iter()
        .collect(),
    );
    assert_eq!(
        payload["mcp_servers"]["docs"],
        json!({"url": "https://docs.example.com/mcp", "bearer_token_env_var": "DOCS_TOKEN"})
    );
    assert_eq!(payload["mcp_servers"]["old"]["command"], "npx");
    // what Codex users write by hand comes back exactly
    let section = json!({"figma": {"url": "https://mcp.figma.com/mcp", "bearer_token_env_var": "FIGMA_OAUTH_TOKEN",
        "http_headers": {"X-Region": "eu"}, "startup_timeout_sec": 20}});
    let imported = import_section(client, &section).unwrap();
    assert_eq!(imported["figma"].transport, Transport::Http);
    assert_eq!(render(client, &imported), json!({"mcp_servers": section}));
    let report: Value =
        serde_json::to_value(validate_payload("codex", &json!({"mcp_servers": section}))).unwrap();
    assert_eq!(report["valid"], true, "{report}");
}
