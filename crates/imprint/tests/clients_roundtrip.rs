//! Every client, end to end through the real binary, on a file written the way that client's
//! users write it (comments where the format has them, unrelated settings, servers added by
//! hand, a secret or two):
//!
//! 1. `import_config` reads exactly the servers in the file (secrets go to the secret store);
//! 2. publish + deploy writes the file back byte for byte;
//! 3. adding a server changes the file by one inserted block and nothing else;
//! 4. removing a hand-added server removes one block and nothing else;
//! 5. `get_deployment_status` sees the servers, all managed, in sync.

mod support;

use serde_json::{Value, json};
use support::{TestEnv, inserted};

struct Fixture {
    client: &'static str,
    /// The file under $HOME.
    path: &'static str,
    text: &'static str,
    /// The servers `import_config` must find, sorted.
    servers: &'static [&'static str],
    /// A hand-added server to remove in step 4.
    remove: &'static str,
}

async fn round_trip(fixture: Fixture) {
    let env = TestEnv::new();
    let path = env.write(fixture.path, fixture.text);
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o640)).unwrap();
    }
    let mcp = env.mcp().await;
    let client = fixture.client;

    // 1. import
    let imported = mcp.ok("import_config", json!({"client_id": client})).await;
    assert_eq!(
        imported["imported"],
        json!(fixture.servers),
        "{client}: {imported}"
    );
    let report = mcp
        .ok("validate_config", json!({"client_id": client}))
        .await;
    assert_eq!(report["valid"], true, "{client}: {report}");

    // 2. adopt: the file comes back byte for byte
    mcp.ok(
        "publish_config",
        json!({"client_id": client, "changelog": "adopt"}),
    )
    .await;
    let deployed = mcp.ok("deploy_config", json!({"client_id": client})).await;
    assert_eq!(
        std::fs::read_to_string(&path).unwrap(),
        fixture.text,
        "{client}: {deployed}"
    );
    assert_eq!(deployed["unchanged"], json!(fixture.servers), "{client}");

    // 3. add a server: one inserted block
    mcp.ok(
        "add_server_to_config",
        json!({"client_id": client, "server_id": "fetch"}),
    )
    .await;
    mcp.ok(
        "publish_config",
        json!({"client_id": client, "changelog": "fetch"}),
    )
    .await;
    let deployed = mcp.ok("deploy_config", json!({"client_id": client})).await;
    assert_eq!(deployed["added"], json!(["fetch"]), "{client}: {deployed}");
    let with_fetch = std::fs::read_to_string(&path).unwrap();
    let block = inserted(fixture.text, &with_fetch);
    // the old file was backed up first, byte for byte, and the file keeps its mode
    let backup = deployed["backup_path"].as_str().expect("a backup");
    assert_eq!(
        std::fs::read_to_string(backup).unwrap(),
        fixture.text,
        "{client}"
    );
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&path).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o640, "{client}");
    }
    assert!(
        block.contains("fetch") && block.contains("mcp-server-fetch"),
        "{client}: inserted {block:?}"
    );

    // 4. remove a hand-added server: one removed block
    mcp.ok(
        "remove_server_from_config",
        json!({"client_id": client, "server_name": fixture.remove}),
    )
    .await;
    mcp.ok(
        "publish_config",
        json!({"client_id": client, "changelog": "drop"}),
    )
    .await;
    let deployed = mcp.ok("deploy_config", json!({"client_id": client})).await;
    assert_eq!(
        deployed["removed"],
        json!([fixture.remove]),
        "{client}: {deployed}"
    );
    let without = std::fs::read_to_string(&path).unwrap();
    let removed = inserted(&without, &with_fetch);
    assert!(
        removed.contains(fixture.remove) || removed.contains(&format!("{}:", fixture.remove)),
        "{client}: removed {removed:?}"
    );

    // 5. status: every server managed, in sync
    let status = mcp.ok("get_deployment_status", json!({})).await;
    let row = status["files"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["client_id"] == client && f["scope"] == "user")
        .unwrap_or_else(|| panic!("{client} missing from {status}"))
        .clone();
    assert_eq!(row["file_found"], true, "{row}");
    assert_eq!(row["state"], "in-sync", "{row}");
    assert_eq!(row["unmanaged"], json!([]), "{row}");
    let servers = row["servers"].as_array().unwrap();
    assert!(servers.contains(&json!("fetch")), "{row}");
    assert!(!servers.contains(&json!(fixture.remove)), "{row}");
    mcp.close().await;
}

#[tokio::test]
async fn claude_desktop_file_round_trips() {
    round_trip(Fixture {
        client: "claude-desktop",
        path: ".config/Claude/claude_desktop_config.json",
        text: r#"{
  "globalShortcut": "Ctrl+Alt+Space",
  "mcpServers": {
    "filesystem": {
      "command": "npx",
      "args": ["-y", "@modelcontextprotocol/server-filesystem", "/home/me/Documents"]
    },
    "github": {
      "command": "docker",
      "args": ["run", "-i", "--rm", "-e", "GITHUB_PERSONAL_ACCESS_TOKEN", "ghcr.io/github/github-mcp-server"],
      "env": {"GITHUB_PERSONAL_ACCESS_TOKEN": "ghp_desktopToken0001"}
    }
  }
}
"#,
        servers: &["filesystem", "github"],
        remove: "filesystem",
    })
    .await;
}

#[tokio::test]
async fn claude_code_file_round_trips() {
    round_trip(Fixture {
        client: "claude-code",
        path: ".claude.json",
        text: r#"{
  "numStartups": 42,
  "projects": {"/home/me/src": {"allowedTools": [], "mcpServers": {}}},
  "mcpServers": {
    "memory": {"type": "stdio", "command": "npx", "args": ["-y", "@modelcontextprotocol/server-memory"], "env": {}},
    "docs": {"type": "http", "url": "https://docs.example.com/mcp", "headers": {"Authorization": "Bearer docs-token-0002"}}
  },
  "oauthAccount": {"emailAddress": "me@example.com"}
}
"#,
        servers: &["docs", "memory"],
        remove: "memory",
    })
    .await;
}

#[tokio::test]
async fn cursor_file_round_trips() {
    round_trip(Fixture {
        client: "cursor",
        path: ".cursor/mcp.json",
        text: r#"{
  "mcpServers": {
    "linear": {"url": "https://mcp.linear.app/sse"},
    "stripe": {"command": "npx", "args": ["-y", "@stripe/mcp", "--tools=all"], "env": {"STRIPE_SECRET_KEY": "sk_test_cursor0003"}}
  }
}
"#,
        servers: &["linear", "stripe"],
        remove: "linear",
    })
    .await;
}

#[tokio::test]
async fn windsurf_file_round_trips() {
    round_trip(Fixture {
        client: "windsurf",
        path: ".codeium/windsurf/mcp_config.json",
        text: r#"{
  "mcpServers": {
    "remote": {"serverUrl": "https://example.com/mcp", "headers": {"X-Team": "core"}},
    "local": {"command": "node", "args": ["server.js"], "disabled": false}
  }
}
"#,
        servers: &["local", "remote"],
        remove: "local",
    })
    .await;
}

#[tokio::test]
async fn gemini_cli_file_round_trips() {
    round_trip(Fixture {
        client: "gemini-cli",
        path: ".gemini/settings.json",
        text: r#"{
  "theme": "GitHub",
  "selectedAuthType": "oauth-personal",
  "mcpServers": {
    "stream": {"httpUrl": "https://example.com/mcp", "timeout": 5000},
    "local": {"command": "python", "args": ["-m", "my_server"], "cwd": "./server", "trust": false}
  }
}
"#,
        servers: &["local", "stream"],
        remove: "stream",
    })
    .await;
}

#[tokio::test]
async fn lm_studio_file_round_trips() {
    round_trip(Fixture {
        client: "lm-studio",
        path: ".lmstudio/mcp.json",
        text: r#"{
  "mcpServers": {
    "hf": {"url": "https://huggingface.co/mcp", "headers": {"Authorization": "Bearer ${HF_TOKEN}"}},
    "time": {"command": "uvx", "args": ["mcp-server-time"]}
  }
}
"#,
        servers: &["hf", "time"],
        remove: "time",
    })
    .await;
}

#[tokio::test]
async fn vscode_file_round_trips_with_its_inputs_and_comments() {
    round_trip(Fixture {
        client: "vscode",
        path: ".config/Code/User/mcp.json",
        text: r#"{
  // Prompts for the values used as ${input:…} below
  "inputs": [
    {
      "type": "promptString",
      "id": "perplexity-key",
      "description": "Perplexity API Key",
      "password": true
    }
  ],
  "servers": {
    // added by hand from the Perplexity docs
    "perplexity": {
      "type": "stdio",
      "command": "npx",
      "args": ["-y", "server-perplexity-ask"],
      "env": {
        "PERPLEXITY_API_KEY": "${input:perplexity-key}"
      }
    },
    "github": {
      "type": "http",
      "url": "https://api.githubcopilot.com/mcp/"
    },
  }
}
"#,
        servers: &["github", "perplexity"],
        remove: "github",
    })
    .await;
}

#[tokio::test]
async fn zed_settings_round_trip_with_comments_and_extension_servers() {
    round_trip(Fixture {
        client: "zed",
        path: ".config/zed/settings.json",
        text: r#"// Zed settings
//
// For information on how to configure Zed, see the Zed
// documentation: https://zed.dev/docs/configuring-zed
{
  "theme": "One Dark", // the dark one
  /* fonts, set
     for the laptop */
  "buffer_font_size": 15,

  "context_servers": {
    // from the Postgres extension: Zed starts it itself
    "postgres-context-server": {
      "settings": {
        "database_url": "postgresql://localhost/blog"
      }
    },
    "local-notes": {
      "source": "custom",
      "command": "node",
      "args": ["/home/me/notes/server.js"],
      "env": {"NOTES_API_KEY": "notes-key-0004"},
    },
  },
  "vim_mode": true,
}
"#,
        servers: &["local-notes", "postgres-context-server"],
        remove: "local-notes",
    })
    .await;
}

#[tokio::test]
async fn codex_toml_round_trips_with_comments_and_tables() {
    round_trip(Fixture {
        client: "codex",
        path: ".codex/config.toml",
        text: r#"# ~/.codex/config.toml
model = "gpt-5-codex"
approval_policy = "on-request"

[profiles.work]
model = "o3"

# servers
[mcp_servers.docs]
command = "docs-server"   # from brew
args = ["--port", "4000"]
env = { "DOCS_MODE" = "local", "DOCS_TOKEN" = "docs-token-0005" }

[mcp_servers.figma]
url = "https://mcp.figma.com/mcp"
bearer_token_env_var = "FIGMA_OAUTH_TOKEN"

[tui]
notifications = true
"#,
        servers: &["docs", "figma"],
        remove: "figma",
    })
    .await;
}

#[tokio::test]
async fn continue_yaml_list_round_trips_with_comments() {
    round_trip(Fixture {
        client: "continue",
        path: ".continue/config.yaml",
        text: r#"# Continue config, edited by hand
name: Ana's assistant
version: 1.0.0
schema: v1

models:
  - name: Claude
    provider: anthropic
    model: claude-sonnet-4-5
    apiKey: ${{ secrets.ANTHROPIC_API_KEY }}
    roles: [chat, edit]

# MCP servers
mcpServers:
  # local sqlite browser
  - name: SQLite
    command: npx
    args:
      - "-y"
      - "mcp-sqlite"
      - "/home/ana/db.sqlite"   # the blog db

  # docs
  - name: remote-docs
    type: streamable-http
    url: https://docs.example.com/mcp
    requestOptions:
      headers:
        Authorization: "Bearer continue-token-0006"

context:
  - provider: code
  - provider: docs
"#,
        servers: &["SQLite", "remote-docs"],
        remove: "SQLite",
    })
    .await;
}

#[tokio::test]
async fn goose_yaml_round_trips_with_builtins() {
    round_trip(Fixture {
        client: "goose",
        path: ".config/goose/config.yaml",
        text: r#"GOOSE_PROVIDER: anthropic
GOOSE_MODEL: claude-sonnet-4-5
extensions:
  developer:
    bundled: true
    display_name: Developer
    enabled: true
    name: developer
    timeout: 300
    type: builtin
  # added by hand
  github:
    args:
    - -y
    - '@modelcontextprotocol/server-github'
    cmd: npx
    enabled: true
    envs:
      GITHUB_PERSONAL_ACCESS_TOKEN: ghp_gooseToken0007
    name: github
    timeout: 300
    type: stdio
GOOSE_MODE: smart_approve
"#,
        servers: &["developer", "github"],
        remove: "github",
    })
    .await;
}

#[tokio::test]
async fn cline_settings_round_trip_with_marketplace_names() {
    round_trip(Fixture {
        client: "cline",
        path: ".config/Code/User/globalStorage/saoudrizwan.claude-dev/settings/cline_mcp_settings.json",
        text: r#"{
  "mcpServers": {
    "github.com/modelcontextprotocol/servers/tree/main/src/brave-search": {
      "command": "npx",
      "args": ["-y", "@modelcontextprotocol/server-brave-search"],
      "env": {
        "BRAVE_API_KEY": "BSA-cline-key-0008"
      },
      "disabled": false,
      "autoApprove": []
    },
    "remote": {
      "type": "streamableHttp",
      "url": "https://mcp.example.com/mcp",
      "disabled": true
    }
  }
}
"#,
        servers: &[
            "github.com/modelcontextprotocol/servers/tree/main/src/brave-search",
            "remote",
        ],
        remove: "remote",
    })
    .await;
}

#[tokio::test]
async fn hand_edits_to_toml_and_yaml_files_are_drift() {
    let env = TestEnv::new();
    let codex = env.write(
        ".codex/config.toml",
        "model = \"o3\"\n\n[mcp_servers.docs]\ncommand = \"docs\"\n",
    );
    let goose = env.write(
        ".config/goose/config.yaml",
        "extensions:\n  docs:\n    cmd: docs\n    type: stdio\n",
    );
    for client in ["codex", "goose"] {
        env.cli_ok(&["config", "import", "--client", client]);
        env.cli_ok(&["publish", "--client", client]);
        env.cli_ok(&["deploy", "--client", client]);
    }
    std::fs::write(
        &codex,
        "model = \"o3\"\n\n[mcp_servers.docs]\ncommand = \"docs\"\nargs = [\"--by-hand\"]\n",
    )
    .unwrap();
    std::fs::write(
        &goose,
        "extensions:\n  docs:\n    cmd: docs-by-hand\n    type: stdio\n",
    )
    .unwrap();
    let status = env.cli_ok(&["status"]);
    for client in ["codex", "goose"] {
        let row = status["files"]
            .as_array()
            .unwrap()
            .iter()
            .find(|f| f["client_id"] == client)
            .unwrap();
        assert_eq!(row["state"], "drifted", "{row}");
        let (code, _, stderr) = env.cli(&["deploy", "--client", client]);
        assert_eq!(code, 5, "{client}: {stderr}");
        assert!(
            stderr.contains("changed since the last deploy")
                && stderr.contains("server 'docs' changed"),
            "{stderr}"
        );
    }
    let forced: Value = env.cli_ok(&["deploy", "--client", "codex", "--force"]);
    assert!(forced["backup_path"].is_string(), "{forced}");
    assert_eq!(
        std::fs::read_to_string(&codex).unwrap(),
        "model = \"o3\"\n\n[mcp_servers.docs]\ncommand = \"docs\"\n"
    );
}
