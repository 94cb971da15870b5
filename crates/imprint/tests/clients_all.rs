//! Client id `all`: one client-neutral set of servers published and deployed to every linked
//! client, end to end through the real binary (MCP and the CLI) in a temp HOME holding real
//! config files for Claude Desktop, Cursor, VS Code (JSONC with comments), Codex (TOML with
//! comments) and Goose (YAML).

mod support;

use serde_json::{Value, json};
use support::{TestEnv, inserted};

const DESKTOP: (&str, &str) = (
    ".config/Claude/claude_desktop_config.json",
    r#"{
  "globalShortcut": "Ctrl+Space",
  "mcpServers": {}
}
"#,
);
const CURSOR: (&str, &str) = (
    ".cursor/mcp.json",
    r#"{
  "mcpServers": {}
}
"#,
);
const VSCODE: (&str, &str) = (
    ".config/Code/User/mcp.json",
    r#"{
  // servers for VS Code's agent mode
  "inputs": [],
  "servers": {
    // imprint manages these
  }
}
"#,
);
const CODEX: (&str, &str) = (
    ".codex/config.toml",
    r#"# ~/.codex/config.toml
model = "gpt-5-codex"   # the default model

[tui]
notifications = true
"#,
);
const GOOSE: (&str, &str) = (
    ".config/goose/config.yaml",
    r#"# goose settings
GOOSE_PROVIDER: anthropic
GOOSE_MODEL: claude-sonnet-4-5
"#,
);

const FILES: [(&str, (&str, &str)); 5] = [
    ("claude-desktop", DESKTOP),
    ("cursor", CURSOR),
    ("vscode", VSCODE),
    ("codex", CODEX),
    ("goose", GOOSE),
];

fn outcome<'a>(answer: &'a Value, client: &str) -> &'a Value {
    answer["clients"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["client_id"] == client)
        .unwrap_or_else(|| panic!("{client} missing from {answer}"))
}

fn setup() -> TestEnv {
    let env = TestEnv::new();
    for (_, (path, text)) in FILES {
        env.write(path, text);
    }
    env
}

#[tokio::test]
async fn add_once_publish_once_deploy_once_writes_every_client_in_its_own_format() {
    let env = setup();
    // a client whose file is absent is not linked by default
    let mcp = env.mcp().await;
    let profiles = mcp.ok("list_profiles", json!({"client_id": "all"})).await;
    assert_eq!(
        profiles["profiles"][0]["linked_clients"],
        json!({"clients": ["claude-desktop", "codex", "cursor", "goose", "vscode"], "source": "detected"}),
        "{profiles}"
    );

    let added = mcp
        .ok(
            "add_server_to_config",
            json!({"client_id": "all", "server_id": "github",
                   "env_vars": {"GITHUB_PERSONAL_ACCESS_TOKEN": "ghp_allClientsToken0001"}}),
        )
        .await;
    assert_eq!(added["client_id"], "all");
    assert!(
        !added.to_string().contains("ghp_allClientsToken0001"),
        "{added}"
    );
    // one server kept to two clients, one kept off one
    mcp.ok(
        "add_server_to_config",
        json!({"client_id": "all", "server_id": "memory", "clients": ["cursor", "vscode"]}),
    )
    .await;
    mcp.ok(
        "add_server_to_config",
        json!({"client_id": "all", "server_id": "time", "except": ["goose"]}),
    )
    .await;
    let bad = mcp
        .err(
            "add_server_to_config",
            json!({"client_id": "cursor", "server_id": "fetch", "clients": ["vscode"]}),
        )
        .await;
    assert!(bad.contains("client_id \"all\""), "{bad}");
    let unknown = mcp
        .err(
            "add_server_to_config",
            json!({"client_id": "all", "server_id": "fetch", "except": ["notepad"]}),
        )
        .await;
    assert!(
        unknown.contains("except: unknown client 'notepad'"),
        "{unknown}"
    );

    let view = mcp
        .ok("view_draft_config", json!({"client_id": "all"}))
        .await;
    assert_eq!(view["server_names"], json!(["github", "memory", "time"]));
    assert_eq!(
        view["draft"]["servers"]["memory"]["clients"],
        json!(["cursor", "vscode"])
    );
    assert!(!view.to_string().contains("ghp_allClientsToken0001"));
    let per_client = view["clients"].as_array().unwrap();
    assert_eq!(per_client.len(), 5);
    let goose = per_client
        .iter()
        .find(|c| c["client_id"] == "goose")
        .unwrap();
    assert_eq!(goose["servers"], json!(["github"]));
    assert_eq!(goose["skipped"], json!(["memory", "time"]));
    assert!(
        goose["payload"]["extensions"]["github"].is_object(),
        "{goose}"
    );
    let vscode = per_client
        .iter()
        .find(|c| c["client_id"] == "vscode")
        .unwrap();
    assert!(
        vscode["payload"]["servers"]["memory"].is_object(),
        "{vscode}"
    );
    assert_eq!(vscode["validation"]["valid"], true);

    let valid = mcp.ok("validate_config", json!({"client_id": "all"})).await;
    assert_eq!(valid["valid"], true, "{valid}");

    let published = mcp
        .ok(
            "publish_config",
            json!({"client_id": "all", "changelog": "one set"}),
        )
        .await;
    assert_eq!(published["status"], "published");
    let artifacts = published["clients"].as_array().unwrap();
    assert_eq!(artifacts.len(), 5);
    // each client's artifact is an ordinary, verifiable artifact of that client, and the
    // neutral artifact names them
    let neutral = mcp.ok("get_config", json!({"client_id": "all"})).await;
    for artifact in artifacts {
        let client = artifact["client_id"].as_str().unwrap();
        assert_eq!(
            neutral["payload"]["clients"][client], artifact["artifact_id"],
            "{neutral}"
        );
        let verified = mcp.ok("verify_config", json!({"client_id": client})).await;
        assert_eq!(verified["valid"], true, "{verified}");
        assert_eq!(verified["artifact_id"], artifact["artifact_id"]);
    }
    let verified = mcp.ok("verify_config", json!({"client_id": "all"})).await;
    assert_eq!(verified["valid"], true);

    let deployed = mcp.ok("deploy_config", json!({"client_id": "all"})).await;
    assert_eq!(deployed["status"], "deployed", "{deployed}");
    assert_eq!(deployed["deployed"], 5, "{deployed}");
    for (client, (path, before)) in FILES {
        assert_eq!(outcome(&deployed, client)["outcome"], "deployed");
        let after = std::fs::read_to_string(env.file(path)).unwrap();
        let block = inserted(before, &after);
        assert!(block.contains("github"), "{client}: {block}");
        assert!(
            block.contains("ghp_allClientsToken0001"),
            "{client}: {block}"
        );
        let memory = matches!(client, "cursor" | "vscode");
        assert_eq!(block.contains("server-memory"), memory, "{client}: {block}");
        assert_eq!(
            block.contains("mcp-server-time"),
            client != "goose",
            "{client}: {block}"
        );
    }
    let toml = std::fs::read_to_string(env.file(CODEX.0)).unwrap();
    assert!(toml.contains("[mcp_servers.github]"), "{toml}");

    // a second deploy has nothing to do
    let again = mcp.ok("deploy_config", json!({"client_id": "all"})).await;
    assert_eq!(again["up_to_date"], 5, "{again}");

    let status = mcp.ok("get_profile_status", json!({})).await;
    assert_eq!(status["in_step"], 5, "{status}");

    // history and rollback of all move every client together
    mcp.ok(
        "remove_server_from_config",
        json!({"client_id": "all", "server_name": "time"}),
    )
    .await;
    mcp.ok("publish_config", json!({"client_id": "all"})).await;
    // Goose never had "time": its artifact is the same payload, so it stays in step
    let status = mcp.ok("get_profile_status", json!({})).await;
    assert_eq!(status["behind"], 4, "{status}");
    assert_eq!(status["in_step"], 1, "{status}");
    let history = mcp
        .ok("get_config_history", json!({"client_id": "all"}))
        .await;
    assert_eq!(history["count"], 2);
    let first = published["artifact_id"].as_str().unwrap();
    let rolled = mcp
        .ok(
            "rollback_config",
            json!({"client_id": "all", "artifact_id": first}),
        )
        .await;
    assert_eq!(rolled["status"], "rolled_back");
    assert_eq!(
        rolled["artifact_id"], first,
        "content-addressed: the same payload"
    );
    let status = mcp.ok("get_profile_status", json!({})).await;
    assert_eq!(status["in_step"], 5, "{status}");
    mcp.close().await;
}

#[tokio::test]
async fn a_refusal_in_one_client_leaves_the_others_deployed_and_a_second_deploy_does_the_rest() {
    let env = setup();
    // the CLI: link three clients, add, publish, deploy
    let linked = env.cli_ok(&[
        "clients",
        "link",
        "--profile",
        "work",
        "cursor",
        "vscode",
        "codex",
    ]);
    assert_eq!(
        linked["linked_clients"],
        json!(["codex", "cursor", "vscode"])
    );
    env.cli_ok(&[
        "draft",
        "add",
        "memory",
        "--client",
        "all",
        "--profile",
        "work",
    ]);
    let published = env.cli_ok(&["publish", "--client", "all", "--profile", "work"]);
    assert_eq!(published["clients"].as_array().unwrap().len(), 3);
    let deployed = env.cli_ok(&["deploy", "--client", "all", "--profile", "work"]);
    assert_eq!(deployed["deployed"], 3, "{deployed}");
    // Desktop is not linked to "work": untouched
    assert_eq!(
        std::fs::read_to_string(env.file(DESKTOP.0)).unwrap(),
        DESKTOP.1
    );

    // a hand edit in Cursor's file: the next deploy refuses Cursor only
    let cursor = env.file(CURSOR.0);
    let text = std::fs::read_to_string(&cursor).unwrap();
    std::fs::write(&cursor, text.replace("server-memory", "server-memory-fork")).unwrap();
    env.cli_ok(&[
        "draft",
        "add",
        "time",
        "--client",
        "all",
        "--profile",
        "work",
    ]);
    env.cli_ok(&["publish", "--client", "all", "--profile", "work"]);
    let (code, partial, stderr) = env.cli(&["deploy", "--client", "all", "--profile", "work"]);
    assert_ne!(code, 0, "a refusal is a failure of the command: {stderr}");
    assert_eq!(partial["status"], "partial", "{partial} {stderr}");
    let refused = outcome(&partial, "cursor");
    assert_eq!(refused["outcome"], "refused", "{partial}");
    assert!(
        refused["reason"]
            .as_str()
            .unwrap()
            .contains("changed since"),
        "{refused}"
    );
    for client in ["vscode", "codex"] {
        assert_eq!(
            outcome(&partial, client)["outcome"],
            "deployed",
            "{partial}"
        );
    }
    let cursor_text = std::fs::read_to_string(&cursor).unwrap();
    assert!(cursor_text.contains("server-memory-fork"));
    assert!(!cursor_text.contains("mcp-server-time"));
    assert!(
        std::fs::read_to_string(env.file(CODEX.0))
            .unwrap()
            .contains("mcp-server-time")
    );
    let status = env.cli_ok(&["status", "--profile", "work"]);
    let states: Vec<(String, String)> = status["clients"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            (
                c["client_id"].as_str().unwrap().to_string(),
                c["state"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    assert!(
        states.contains(&("cursor".into(), "drifted".into()))
            && states.contains(&("vscode".into(), "in_step".into())),
        "{status}"
    );

    // undo the hand edit: the second deploy does the rest, the others are up to date
    std::fs::write(&cursor, text).unwrap();
    let rest = env.cli_ok(&["deploy", "--client", "all", "--profile", "work"]);
    assert_eq!(outcome(&rest, "cursor")["outcome"], "deployed", "{rest}");
    assert_eq!(outcome(&rest, "vscode")["outcome"], "up_to_date", "{rest}");
    assert_eq!(rest["refused"], 0);

    let unlinked = env.cli_ok(&["clients", "unlink", "--profile", "work", "codex"]);
    assert_eq!(unlinked["linked_clients"], json!(["cursor", "vscode"]));
    let profiles = env.cli_ok(&["profiles", "--client", "all"]);
    let work = profiles["profiles"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["profile_id"] == "work")
        .unwrap();
    assert_eq!(
        work["linked_clients"]["clients"],
        json!(["cursor", "vscode"])
    );
}

#[tokio::test]
async fn import_from_three_clients_merges_the_same_servers_and_names_the_conflict() {
    let env = TestEnv::new();
    env.write(
        CURSOR.0,
        r#"{"mcpServers": {
  "memory": {"command": "npx", "args": ["-y", "@modelcontextprotocol/server-memory"]},
  "docs": {"command": "docs-server", "args": ["--port", "4000"]}
}}
"#,
    );
    env.write(
        DESKTOP.0,
        r#"{"mcpServers": {
  "memory": {"command": "npx", "args": ["-y", "@modelcontextprotocol/server-memory"]},
  "docs": {"command": "docs-server", "args": ["--port", "5000"]}
}}
"#,
    );
    env.write(
        CODEX.0,
        r#"# codex
[mcp_servers.memory]
command = "npx"
args = ["-y", "@modelcontextprotocol/server-memory"]

[mcp_servers.search]
command = "search-server"
"#,
    );
    let mcp = env.mcp().await;
    let imported = mcp.ok("import_config", json!({"client_id": "all"})).await;
    assert_eq!(
        imported["imported"],
        json!(["memory", "search"]),
        "{imported}"
    );
    let conflicts = imported["conflicts"].as_array().unwrap();
    assert_eq!(conflicts.len(), 1, "{imported}");
    assert_eq!(conflicts[0]["server_name"], "docs");
    assert_eq!(
        conflicts[0]["versions"]["cursor"]["args"],
        json!(["--port", "4000"])
    );
    assert!(
        imported["message"]
            .as_str()
            .unwrap()
            .contains("docs (claude-desktop vs cursor)"),
        "{imported}"
    );
    let view = mcp
        .ok("view_draft_config", json!({"client_id": "all"}))
        .await;
    // a server only one client had stays with that client
    assert_eq!(
        view["draft"]["servers"]["search"]["clients"],
        json!(["codex"])
    );
    assert!(view["draft"]["servers"]["memory"].get("clients").is_none());
    mcp.close().await;
}
