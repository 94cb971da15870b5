//! `get_deployment_status` (MCP) and `imprint status` (CLI): for every client on this machine,
//! whether its file exists, the servers in it, which Imprint manages, the deployed artifact
//! against the latest one, and drift.

mod support;

use serde_json::{Value, json};
use support::TestEnv;

fn row<'a>(status: &'a Value, client: &str) -> &'a Value {
    status["files"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["client_id"] == client && f["scope"] == "user")
        .unwrap_or_else(|| panic!("{client} missing from {status}"))
}

#[tokio::test]
async fn status_follows_a_file_from_unmanaged_to_in_sync_outdated_and_drifted() {
    let env = TestEnv::new();
    let cursor = env.write(
        ".cursor/mcp.json",
        "{\"mcpServers\": {\"mine\": {\"command\": \"node\", \"args\": [\"x.js\"]}}}\n",
    );
    env.write(".codeium/windsurf/mcp_config.json", "{ not json\n");
    let mcp = env.mcp().await;

    let status = mcp.ok("get_deployment_status", json!({})).await;
    let every: Vec<&str> = status["files"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["client_id"].as_str().unwrap())
        .collect();
    for client in [
        "claude-desktop",
        "claude-code",
        "cursor",
        "vscode",
        "zed",
        "codex",
        "continue",
        "goose",
        "cline",
    ] {
        assert!(every.contains(&client), "{client} missing: {every:?}");
    }
    let desktop = row(&status, "claude-desktop");
    assert_eq!(desktop["file_found"], false);
    assert_eq!(desktop["state"], "no-file");
    let cursor_row = row(&status, "cursor");
    assert_eq!(cursor_row["file_found"], true);
    assert_eq!(cursor_row["state"], "not-managed");
    assert_eq!(cursor_row["servers"], json!(["mine"]));
    assert_eq!(cursor_row["unmanaged"], json!(["mine"]));
    assert_eq!(cursor_row["deployed"], Value::Null);
    let windsurf = row(&status, "windsurf");
    assert_eq!(windsurf["state"], "unreadable");
    assert!(
        windsurf["error"].as_str().unwrap().contains("cannot parse"),
        "{windsurf}"
    );
    assert!(
        status["message"]
            .as_str()
            .unwrap()
            .contains("cursor (user): not-managed, 1 server(s), 1 not managed by imprint"),
        "{}",
        status["message"]
    );

    // adopt and deploy: managed and in sync
    mcp.ok("import_config", json!({"client_id": "cursor"}))
        .await;
    mcp.ok(
        "add_server_to_config",
        json!({"client_id": "cursor", "server_id": "memory"}),
    )
    .await;
    let first = mcp
        .ok("publish_config", json!({"client_id": "cursor"}))
        .await;
    mcp.ok("deploy_config", json!({"client_id": "cursor"}))
        .await;
    let status = mcp.ok("get_deployment_status", json!({})).await;
    let cursor_row = row(&status, "cursor");
    assert_eq!(cursor_row["state"], "in-sync", "{cursor_row}");
    assert_eq!(cursor_row["managed"], json!(["memory", "mine"]));
    assert_eq!(cursor_row["unmanaged"], json!([]));
    assert_eq!(cursor_row["deployed"]["artifact_id"], first["artifact_id"]);
    assert_eq!(cursor_row["deployed"]["profile_id"], "default");
    assert_eq!(cursor_row["up_to_date"], true);

    // a newer artifact not yet deployed: outdated
    mcp.ok(
        "add_server_to_config",
        json!({"client_id": "cursor", "server_id": "fetch"}),
    )
    .await;
    let second = mcp
        .ok("publish_config", json!({"client_id": "cursor"}))
        .await;
    let status = mcp.ok("get_deployment_status", json!({})).await;
    let cursor_row = row(&status, "cursor");
    assert_eq!(cursor_row["state"], "outdated", "{cursor_row}");
    assert_eq!(cursor_row["latest_artifact_id"], second["artifact_id"]);
    assert_eq!(cursor_row["up_to_date"], false);

    // a hand edit: drifted, and the change is named
    let text = std::fs::read_to_string(&cursor).unwrap();
    std::fs::write(&cursor, text.replace("x.js", "y.js")).unwrap();
    let status = mcp.ok("get_deployment_status", json!({})).await;
    let cursor_row = row(&status, "cursor");
    assert_eq!(cursor_row["state"], "drifted", "{cursor_row}");
    assert_eq!(
        cursor_row["drift"]["changes"],
        json!(["server 'mine' changed: args"])
    );
    assert_eq!(status["summary"]["drifted"], 1);
    mcp.close().await;

    // the CLI shows the same, as JSON and for people
    let cli = env.cli_ok(&["status"]);
    assert_eq!(row(&cli, "cursor")["state"], "drifted");
    let output = env.command().arg("status").output().unwrap();
    let text = String::from_utf8_lossy(&output.stdout);
    assert!(output.status.success());
    // a table row per file, then the summary
    assert!(
        text.lines()
            .any(|l| l.starts_with("cursor ") && l.contains(" drifted ")),
        "{text}"
    );
    assert!(
        text.contains("cursor (user): drifted, 2 server(s)"),
        "{text}"
    );
}

#[test]
fn status_checks_project_dir() {
    let env = TestEnv::new();
    let (code, _, stderr) = env.cli(&["status", "--project-dir", "/definitely/not/here"]);
    assert_eq!(code, 3, "{stderr}");
    assert!(stderr.contains("must be an existing directory"), "{stderr}");
}
