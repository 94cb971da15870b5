//! Whatever `import_config` reads from a client's file publishes and deploys back
//! unchanged: for every client, the file's bytes are identical after the round trip.

mod support;

use serde_json::json;
use support::TestEnv;

/// (client id, file under $HOME, file text as that client's users write it)
fn fixtures() -> Vec<(&'static str, &'static str, &'static str)> {
    vec![
        (
            "claude-desktop",
            ".config/Claude/claude_desktop_config.json",
            r#"{
  "globalShortcut": "Ctrl+Alt+Space",
  "mcpServers": {
    "filesystem": {
      "command": "npx",
      "args": ["-y", "@modelcontextprotocol/server-filesystem", "/home/me/Documents"]
    },
    "remote-bridge": {
      "command": "npx",
      "args": ["-y", "mcp-remote", "https://example.com/mcp"],
      "env": {"DEBUG": "1"}
    }
  }
}
"#,
        ),
        (
            "claude-code",
            ".claude.json",
            r#"{
  "numStartups": 42,
  "projects": {"/home/me/src": {"allowedTools": [], "mcpServers": {}}},
  "mcpServers": {
    "memory": {"type": "stdio", "command": "npx", "args": ["-y", "@modelcontextprotocol/server-memory"], "env": {}},
    "docs": {"type": "http", "url": "https://docs.example.com/mcp", "headers": {"X-Team": "core"}}
  },
  "oauthAccount": {"emailAddress": "me@example.com"}
}
"#,
        ),
        (
            "cursor",
            ".cursor/mcp.json",
            r#"{
  "mcpServers": {
    "fetch": {"command": "uvx", "args": ["mcp-server-fetch"], "disabled": true},
    "linear": {"url": "https://mcp.linear.app/sse"},
    "no-args": {"command": "my-server"}
  }
}
"#,
        ),
        (
            "windsurf",
            ".codeium/windsurf/mcp_config.json",
            r#"{"mcpServers": {"remote": {"serverUrl": "https://example.com/mcp"}, "local": {"command": "node", "args": ["server.js"], "alwaysAllow": ["read"]}}}
"#,
        ),
        (
            "gemini-cli",
            ".gemini/settings.json",
            r#"{
  "theme": "GitHub",
  "mcpServers": {
    "stream": {"httpUrl": "https://example.com/mcp", "timeout": 5000},
    "local": {"command": "python", "args": ["-m", "my_server"], "cwd": "./server", "trust": false}
  }
}
"#,
        ),
        (
            "lm-studio",
            ".lmstudio/mcp.json",
            r#"{
  "mcpServers": {
    "hf": {"url": "https://huggingface.co/mcp", "headers": {"Authorization": "Bearer ${HF_TOKEN}"}}
  }
}
"#,
        ),
    ]
}

#[tokio::test]
async fn import_publish_deploy_leaves_every_client_file_byte_identical() {
    let env = TestEnv::new();
    let mcp = env.mcp().await;
    for (client, relative, text) in fixtures() {
        let path = env.write(relative, text);
        let imported = mcp.ok("import_config", json!({"client_id": client})).await;
        assert!(
            imported["server_count"].as_u64().unwrap() >= 1,
            "{client}: {imported}"
        );
        let report = mcp
            .ok("validate_config", json!({"client_id": client}))
            .await;
        assert_eq!(report["valid"], true, "{client}: {report}");
        mcp.ok(
            "publish_config",
            json!({"client_id": client, "changelog": "adopt"}),
        )
        .await;
        let deployed = mcp.ok("deploy_config", json!({"client_id": client})).await;
        assert_eq!(
            std::fs::read_to_string(&path).unwrap(),
            text,
            "{client}: file changed: {deployed}"
        );
        let diff = mcp
            .ok("diff_config", json!({"client_id": client, "local_payload": {
                deployed_root(client): serde_json::from_str::<serde_json::Value>(text).unwrap()[deployed_root(client)].clone()
            }}))
            .await;
        assert_eq!(diff["status"], "up-to-date", "{client}: {diff}");
    }
    mcp.close().await;
}

fn deployed_root(_client: &str) -> &'static str {
    "mcpServers"
}
