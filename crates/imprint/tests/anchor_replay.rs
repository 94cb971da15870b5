//! Replays the calls of mcp-orchestration's own documentation (the draft-workflow guide:
//! initialize keys, build a draft server by server, view it, publish milestones, clear) and
//! the catalog and installation tools, against the real `imprint serve` binary over stdio
//! with rmcp's client, asserting the old system's fields and outcomes in every answer.

mod support;

use rmcp::ServiceExt;
use rmcp::transport::TokioChildProcess;
use serde_json::{Value, json};
use support::{BIN, Mcp, TestEnv};

/// `imprint serve` whose PATH is only `bin`: the installation tools see exactly the programs
/// the test puts there.
async fn serve_with_path(env: &TestEnv, bin: &std::path::Path) -> Mcp {
    std::fs::create_dir_all(env.home()).unwrap();
    let mut command = tokio::process::Command::new(BIN);
    command
        .env_clear()
        .env("PATH", bin)
        .env("HOME", env.home())
        .env("IMPRINT_HOME", env.data())
        .env("USER", "tester")
        .arg("serve");
    Mcp {
        client: ().serve(TokioChildProcess::new(command).unwrap()).await.unwrap(),
    }
}

#[cfg(unix)]
fn executable(bin: &std::path::Path, name: &str, script: &str) {
    use std::os::unix::fs::PermissionsExt;
    let path = bin.join(name);
    std::fs::write(&path, format!("#!/bin/sh\n{script}\n")).unwrap();
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755)).unwrap();
}

fn names(value: &Value) -> Vec<String> {
    value
        .as_object()
        .map(|m| m.keys().cloned().collect())
        .unwrap_or_default()
}

#[tokio::test]
async fn the_draft_workflow_guide_replayed() {
    let env = TestEnv::new();
    let bin = env.dir.path().join("bin");
    std::fs::create_dir_all(&bin).unwrap();
    let mcp = serve_with_path(&env, &bin).await;

    // Step 1: initialize_keys(), once per machine.
    let keys = mcp.ok("initialize_keys", json!({})).await;
    assert_eq!(keys["status"], "initialized", "{keys}");
    let again = mcp.ok("initialize_keys", json!({})).await;
    assert_eq!(again["status"], "already_exists", "{again}");

    // The clients and the catalog, in the old shapes.
    let clients = mcp.ok("list_clients", json!({})).await;
    let desktop = clients["clients"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["client_id"] == "claude-desktop")
        .unwrap();
    assert!(desktop["config_location"].is_string(), "{desktop}");
    assert!(
        ["linux", "macos", "windows"].contains(&desktop["platform"].as_str().unwrap()),
        "{desktop}"
    );
    assert_eq!(desktop["available_profiles"], json!(["default"]));

    let catalog = mcp.ok("list_available_servers", json!({})).await;
    let counts = &catalog["transport_counts"];
    let total: u64 = counts
        .as_object()
        .unwrap()
        .values()
        .map(|n| n.as_u64().unwrap())
        .sum();
    assert_eq!(total, catalog["count"].as_u64().unwrap(), "{counts}");
    assert!(
        catalog["available_transports"]
            .as_array()
            .unwrap()
            .contains(&json!("stdio"))
    );
    let row = |id: &str| {
        catalog["servers"]
            .as_array()
            .unwrap()
            .iter()
            .find(|s| s["server_id"] == id)
            .cloned()
            .unwrap()
    };
    let filesystem = row("filesystem");
    assert_eq!(
        filesystem["npm_package"],
        "@modelcontextprotocol/server-filesystem"
    );
    assert_eq!(filesystem["has_parameters"], true);
    assert_eq!(filesystem["requires_env"], false);
    assert_eq!(row("github")["requires_env"], true);
    assert_eq!(row("fetch")["npm_package"], Value::Null);

    let described = mcp
        .ok("describe_server", json!({"server_id": "filesystem"}))
        .await;
    assert_eq!(described["transport"]["type"], "stdio", "{described}");
    assert_eq!(described["transport"]["command"], "npx");
    assert_eq!(described["transport_type"], "stdio");
    assert_eq!(
        described["env_vars"],
        json!({"required": [], "optional": []})
    );
    assert_eq!(described["installation"]["method"], "npm");
    assert!(
        described["usage_example"]
            .as_str()
            .unwrap()
            .starts_with("add_server_to_config(server_id=\"filesystem\"")
    );
    assert!(
        described["documentation_url"]
            .as_str()
            .unwrap()
            .starts_with("https://")
    );
    let github = mcp
        .ok("describe_server", json!({"server_id": "github"}))
        .await;
    assert_eq!(
        github["env_vars"]["required"],
        json!(["GITHUB_PERSONAL_ACCESS_TOKEN"])
    );

    // Step 2: build the draft, checking progress in between.
    let added = mcp
        .ok(
            "add_server_to_config",
            json!({"server_id": "filesystem", "params": {"path": "/Users/me/Documents"}}),
        )
        .await;
    assert_eq!(
        added["draft"]["mcpServers"]["filesystem"]["args"],
        json!([
            "-y",
            "@modelcontextprotocol/server-filesystem",
            "/Users/me/Documents"
        ]),
        "{added}"
    );
    let view = mcp.ok("view_draft_config", json!({})).await;
    assert_eq!(view["servers"], json!(["filesystem"]));
    assert_eq!(view["server_count"], 1);
    assert_eq!(names(&view["draft"]["mcpServers"]), ["filesystem"]);

    let added = mcp
        .ok("add_server_to_config", json!({"server_id": "memory"}))
        .await;
    assert_eq!(
        names(&added["draft"]["mcpServers"]),
        ["filesystem", "memory"]
    );
    let view = mcp.ok("view_draft_config", json!({})).await;
    assert_eq!(view["servers"], json!(["filesystem", "memory"]));
    let core = view["draft"].clone();

    // Practice 1: preview (validate) before publishing.
    let validated = mcp.ok("validate_config", json!({})).await;
    assert_eq!(validated["valid"], true, "{validated}");
    assert!(validated["validated_at"].is_string());

    // Step 3 / practice 2: publish milestones.
    let published = mcp
        .ok("publish_config", json!({"changelog": "Added core servers"}))
        .await;
    assert_eq!(published["status"], "published");
    let latest = mcp
        .read("config://claude-desktop/default/latest")
        .await
        .unwrap();
    assert_eq!(latest["server_count"], 2, "{latest}");
    assert_eq!(latest["servers"], json!(["filesystem", "memory"]));
    assert_eq!(latest["signed_at"], latest["created_at"]);

    // A server whose required env var is missing is refused, naming it.
    let refused = mcp
        .err("add_server_to_config", json!({"server_id": "brave-search"}))
        .await;
    assert!(refused.contains("BRAVE_API_KEY"), "{refused}");

    // Integrations, with the old catalog's names.
    let added = mcp
        .ok(
            "add_server_to_config",
            json!({"server_id": "github", "env_vars": {"GITHUB_TOKEN": "ghp_example"}}),
        )
        .await;
    assert!(
        added["draft"]["mcpServers"]["github"]["env"]["GITHUB_PERSONAL_ACCESS_TOKEN"]
            .as_str()
            .unwrap()
            .starts_with("${secret:"),
        "{added}"
    );
    assert_eq!(added["aliases_applied"].as_array().unwrap().len(), 1);
    let added = mcp
        .ok(
            "add_server_to_config",
            json!({"server_id": "custom-api", "params": {"host": "api.local", "port": 9000}}),
        )
        .await;
    assert_eq!(added["entry"]["url"], "http://api.local:9000/mcp");
    // Just remove one server rather than clearing.
    let removed = mcp
        .ok(
            "remove_server_from_config",
            json!({"server_name": "custom-api"}),
        )
        .await;
    assert_eq!(
        names(&removed["draft"]["mcpServers"]),
        ["filesystem", "github", "memory"]
    );
    mcp.ok("publish_config", json!({"changelog": "Added integrations"}))
        .await;

    // diff_config: the core milestone is an outdated copy; edited, it diverged.
    let diff = mcp.ok("diff_config", json!({"local_payload": core})).await;
    assert_eq!(diff["status"], "outdated", "{diff}");
    assert_eq!(diff["recommendation"], "update");
    assert_eq!(diff["summary"]["servers_added"], 1);
    let mut edited = core.clone();
    edited["mcpServers"]["filesystem"]["args"][2] = json!("/Users/me/Elsewhere");
    let diff = mcp
        .ok("diff_config", json!({"local_payload": edited}))
        .await;
    assert_eq!(diff["status"], "diverged", "{diff}");
    assert_eq!(diff["recommendation"], "review");
    assert_eq!(diff["summary"]["local_changes"], json!(["filesystem"]));

    // Deploy, and what was deployed.
    let deployed = mcp.ok("deploy_config", json!({})).await;
    assert!(
        deployed["config_path"]
            .as_str()
            .unwrap()
            .ends_with("claude_desktop_config.json")
    );
    let state = mcp
        .read("config://claude-desktop/default/deployed")
        .await
        .unwrap();
    assert_eq!(state["config_path"], deployed["config_path"], "{state}");
    assert_eq!(state["changelog"], "Added integrations");
    assert_eq!(state["drift_detected"], false);

    // Profiles: every one in storage, with a name and a description.
    mcp.ok(
        "add_server_to_config",
        json!({"server_id": "memory", "profile_id": "dev"}),
    )
    .await;
    let profiles = mcp.ok("list_profiles", json!({})).await;
    let rows = profiles["profiles"].as_array().unwrap();
    let ids: Vec<&str> = rows
        .iter()
        .map(|p| p["profile_id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, ["default", "dev"]);
    assert_eq!(rows[0]["display_name"], "Default");
    assert!(
        rows[0]["description"]
            .as_str()
            .unwrap()
            .contains("2 published")
    );

    // Step 4 / practice 4: clear after publishing; the empty draft as the guide shows it.
    let cleared = mcp.ok("clear_draft_config", json!({})).await;
    assert_eq!(cleared["previous_count"], 3, "{cleared}");
    let view = mcp.ok("view_draft_config", json!({})).await;
    assert_eq!(view["draft"], json!({"mcpServers": {}}));
    assert_eq!(view["server_count"], 0);
    assert_eq!(view["servers"], json!([]));

    // The installation tools: looking only at PATH, installing only on request.
    let check = mcp
        .ok("check_server_installation", json!({"server_id": "memory"}))
        .await;
    assert_eq!(check["installed"], false, "{check}");
    assert!(check["message"].as_str().unwrap().contains("npx"));
    #[cfg(unix)]
    {
        let record = bin.join("npm-args");
        executable(&bin, "npx", "exit 0");
        executable(
            &bin,
            "npm",
            &format!("echo \"$@\" > {}\necho added 1 package", record.display()),
        );
        let check = mcp
            .ok("check_server_installation", json!({"server_id": "memory"}))
            .await;
        assert_eq!(check["installed"], true, "{check}");
        assert!(!record.exists(), "a check ran the package manager");
        let installed = mcp.ok("list_installed_servers", json!({})).await;
        assert!(
            installed["servers"]
                .as_array()
                .unwrap()
                .iter()
                .any(|s| s["server_id"] == "memory")
        );
        let done = mcp
            .ok("install_server", json!({"server_id": "memory"}))
            .await;
        assert_eq!(done["status"], "installed", "{done}");
        assert_eq!(done["stdout"].as_str().unwrap().trim(), "added 1 package");
        assert_eq!(
            std::fs::read_to_string(&record).unwrap().trim(),
            "install -g @modelcontextprotocol/server-memory"
        );
    }
    let refused = mcp
        .err("install_server", json!({"server_id": "sentry"}))
        .await;
    assert!(refused.contains("no installer applies"), "{refused}");

    let rotated = mcp.ok("initialize_keys", json!({"regenerate": true})).await;
    assert_eq!(rotated["status"], "regenerated");
    mcp.close().await;
}
