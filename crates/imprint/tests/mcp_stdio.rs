//! End to end: the real `imprint serve` binary over stdio, driven by rmcp's client.

mod support;

use serde_json::{Value, json};
use support::{TestEnv, read_json};

const DESKTOP_FILE: &str = ".config/Claude/claude_desktop_config.json";

#[tokio::test]
async fn initialize_advertises_tools_and_resources() {
    let env = TestEnv::new();
    let mcp = env.mcp().await;
    let info = mcp
        .client
        .peer_info()
        .expect("server info after initialize");
    assert_eq!(
        info.server_info.as_ref().map(|s| s.name.as_str()),
        Some("imprint")
    );
    assert!(info.capabilities.tools.is_some());
    assert!(info.capabilities.resources.is_some());
    let tools = mcp.client.list_all_tools().await.unwrap();
    let names: Vec<&str> = tools.iter().map(|t| t.name.as_ref()).collect();
    for expected in [
        "list_clients",
        "list_profiles",
        "get_config",
        "diff_config",
        "list_available_servers",
        "describe_server",
        "add_server_to_config",
        "remove_server_from_config",
        "view_draft_config",
        "clear_draft_config",
        "validate_config",
        "publish_config",
        "initialize_keys",
        "deploy_config",
        "get_config_history",
        "rollback_config",
        "verify_config",
        "import_config",
        "register_server",
    ] {
        assert!(names.contains(&expected), "missing tool {expected}");
    }
    for tool in &tools {
        assert!(
            tool.output_schema.is_none(),
            "{} declares an outputSchema",
            tool.name
        );
        assert_eq!(
            tool.input_schema.get("type"),
            Some(&json!("object")),
            "{}",
            tool.name
        );
    }
    mcp.close().await;
}

#[tokio::test]
async fn draft_publish_get_verify_workflow() {
    let env = TestEnv::new();
    let mcp = env.mcp().await;

    let added = mcp
        .ok("add_server_to_config", json!({"server_id": "memory"}))
        .await;
    assert_eq!(added["server_count"], 1);
    assert_eq!(added["client_id"], "claude-desktop");
    assert_eq!(added["profile_id"], "default");
    // env_vars as a JSON string, as models often send it.
    mcp.ok(
        "add_server_to_config",
        json!({"server_id": "github", "env_vars": "{\"GITHUB_PERSONAL_ACCESS_TOKEN\": \"ghp_example\"}"}),
    )
    .await;
    mcp.ok(
        "add_server_to_config",
        json!({"server_id": "fetch", "server_name": "a-fetch"}),
    )
    .await;

    let draft = mcp.ok("view_draft_config", json!({})).await;
    assert_eq!(
        draft["server_names"],
        json!(["a-fetch", "github", "memory"])
    );
    // The token went to the secret store; the draft holds a reference (issue 5).
    let token_ref = draft["entries"][1]["env"]["GITHUB_PERSONAL_ACCESS_TOKEN"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(
        token_ref.starts_with("${secret:GITHUB_PERSONAL_ACCESS_TOKEN@"),
        "secrets are not shown in views: {token_ref}"
    );
    assert!(!draft.to_string().contains("ghp_example"));

    let report = mcp.ok("validate_config", json!({})).await;
    assert_eq!(report["valid"], true, "{report}");

    let published = mcp
        .ok("publish_config", json!({"changelog": "first"}))
        .await;
    let artifact_id = published["artifact_id"].as_str().unwrap().to_string();
    assert_eq!(artifact_id.len(), 64);

    // The draft stays after publishing.
    let draft = mcp.ok("view_draft_config", json!({})).await;
    assert_eq!(draft["server_count"], 3);

    let envelope = mcp.ok("get_config", json!({})).await;
    for field in [
        "artifact_id",
        "client_id",
        "profile_id",
        "created_at",
        "payload",
        "signing_key_id",
        "metadata",
        "signature",
    ] {
        assert!(
            envelope.get(field).is_some(),
            "envelope lacks {field}: {envelope}"
        );
    }
    assert_eq!(envelope["artifact_id"], artifact_id);
    assert_eq!(envelope["metadata"]["changelog"], "first");
    assert_eq!(
        envelope["payload"]["mcpServers"]["github"]["env"]["GITHUB_PERSONAL_ACCESS_TOKEN"],
        token_ref.as_str(),
        "artifacts carry the reference, never the value"
    );
    let by_id = mcp
        .ok("get_config", json!({"artifact_id": artifact_id}))
        .await;
    assert_eq!(by_id, envelope);

    let verified = mcp.ok("verify_config", json!({})).await;
    assert_eq!(verified["valid"], true, "{verified}");

    // The old system's fields on initialize_keys.
    let keys = mcp.ok("initialize_keys", json!({})).await;
    assert_eq!(keys["status"], "already_exists");
    for field in ["key_dir", "public_key_path", "message"] {
        assert!(keys[field].is_string(), "{keys}");
    }
    mcp.close().await;

    // The signing key is private.
    use std::os::unix::fs::PermissionsExt;
    let mode = std::fs::metadata(env.data().join("keys/signing.key"))
        .unwrap()
        .permissions()
        .mode();
    assert_eq!(mode & 0o777, 0o600);
}

#[tokio::test]
async fn drafts_survive_restart_and_are_shared_with_the_cli() {
    let env = TestEnv::new();
    let mcp = env.mcp().await;
    mcp.ok(
        "add_server_to_config",
        json!({"server_id": "memory", "profile_id": "work"}),
    )
    .await;
    mcp.close().await;

    // The CLI sees the draft the MCP server wrote.
    let shown = env.cli_ok(&["draft", "show", "--profile", "work"]);
    assert_eq!(shown["server_names"], json!(["memory"]));
    env.cli_ok(&["draft", "add", "fetch", "--profile", "work"]);

    // A new server process sees both.
    let mcp = env.mcp().await;
    let draft = mcp
        .ok("view_draft_config", json!({"profile_id": "work"}))
        .await;
    assert_eq!(draft["server_names"], json!(["fetch", "memory"]));
    let profiles = mcp
        .ok("list_profiles", json!({"client_id": "claude-desktop"}))
        .await;
    let names: Vec<&str> = profiles["profiles"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["profile_id"].as_str().unwrap())
        .collect();
    assert_eq!(names, vec!["default", "work"]);
    mcp.close().await;
}

#[tokio::test]
async fn named_drafts_are_independent() {
    let env = TestEnv::new();
    let mcp = env.mcp().await;
    mcp.ok(
        "add_server_to_config",
        json!({"server_id": "memory", "draft_name": "experiment"}),
    )
    .await;
    let default = mcp.ok("view_draft_config", json!({})).await;
    assert_eq!(default["server_count"], 0);
    let experiment = mcp
        .ok("view_draft_config", json!({"draft_name": "experiment"}))
        .await;
    assert_eq!(experiment["server_names"], json!(["memory"]));
    let published = mcp
        .ok(
            "publish_config",
            json!({"draft_name": "experiment", "changelog": "try"}),
        )
        .await;
    assert_eq!(published["server_count"], 1);
    mcp.close().await;
}

#[tokio::test]
async fn every_failure_is_a_tool_error_naming_the_fix() {
    let env = TestEnv::new();
    let mcp = env.mcp().await;
    for bad in ["../../etc", "a/b", "..", "UPPER"] {
        let message = mcp
            .err("view_draft_config", json!({"profile_id": bad}))
            .await;
        assert!(message.contains("profile_id"), "{bad}: {message}");
        let message = mcp
            .err(
                "add_server_to_config",
                json!({"server_id": "memory", "client_id": bad}),
            )
            .await;
        assert!(message.contains("client_id"), "{bad}: {message}");
    }
    let message = mcp
        .err(
            "add_server_to_config",
            json!({"server_id": "no-such-server"}),
        )
        .await;
    assert!(message.contains("list_available_servers"), "{message}");
    let message = mcp.err("add_server_to_config", json!({})).await;
    assert!(message.contains("server_id"), "{message}");
    let message = mcp
        .err(
            "add_server_to_config",
            json!({"server_id": "memory", "env_vars": "{not json"}),
        )
        .await;
    assert!(message.contains("env_vars"), "{message}");
    // A misspelt parameter is refused, naming it and the parameters the tool takes.
    let message = mcp
        .err(
            "add_server_to_config",
            json!({"server_id": "memory", "serverName": "m"}),
        )
        .await;
    assert!(message.contains("unknown field `serverName`"), "{message}");
    assert!(message.contains("`server_name`"), "{message}");
    let message = mcp.err("get_config", json!({})).await;
    assert!(message.contains("nothing published"), "{message}");
    let message = mcp.err("get_config", json!({"artifact_id": "xyz"})).await;
    assert!(message.contains("64"), "{message}");
    let message = mcp.err("publish_config", json!({})).await;
    assert!(message.contains("EMPTY_CONFIG"), "{message}");
    let message = mcp
        .err("list_profiles", json!({"client_id": "no-such-client"}))
        .await;
    assert!(message.contains("list_clients"), "{message}");
    // A wrong argument type is a tool error too, not a protocol error.
    let outcome = mcp
        .call("get_config_history", json!({"limit": "many"}))
        .await;
    assert!(outcome.is_error, "{:?}", outcome);
    mcp.ok("add_server_to_config", json!({"server_id": "memory"}))
        .await;
    let message = mcp
        .err("add_server_to_config", json!({"server_id": "memory"}))
        .await;
    assert!(message.contains("server_name"), "{message}");
    let message = mcp
        .err("remove_server_from_config", json!({"server_name": "nope"}))
        .await;
    assert!(
        message.contains("memory"),
        "lists what the draft holds: {message}"
    );
    // Nothing was written outside the data directory.
    assert!(!env.dir.path().join("etc").exists());
    mcp.close().await;
}

#[tokio::test]
async fn history_rollback_and_diff() {
    let env = TestEnv::new();
    let mcp = env.mcp().await;
    mcp.ok("add_server_to_config", json!({"server_id": "memory"}))
        .await;
    let first = mcp.ok("publish_config", json!({"changelog": "one"})).await["artifact_id"]
        .as_str()
        .unwrap()
        .to_string();
    mcp.ok("add_server_to_config", json!({"server_id": "fetch"}))
        .await;
    let second = mcp.ok("publish_config", json!({"changelog": "two"})).await["artifact_id"]
        .as_str()
        .unwrap()
        .to_string();
    assert_ne!(first, second);

    let history = mcp.ok("get_config_history", json!({})).await;
    let ids: Vec<&str> = history["revisions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["artifact_id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, vec![second.as_str(), first.as_str()]);

    let first_payload =
        mcp.ok("get_config", json!({"artifact_id": first})).await["payload"].clone();
    let diff = mcp
        .ok("diff_config", json!({"local_payload": first_payload}))
        .await;
    assert_eq!(diff["status"], "outdated");
    assert_eq!(diff["diff"]["servers_added"], json!(["fetch"]));
    let diff = mcp
        .ok("diff_config", json!({"local_artifact_id": second}))
        .await;
    assert_eq!(diff["status"], "up-to-date");
    // nothing of its own: it only lacks what was published (the old system's "outdated")
    let diff = mcp.ok("diff_config", json!({"local_payload": {}})).await;
    assert_eq!(diff["status"], "outdated");
    assert_eq!(diff["diff"]["servers_added"], json!(["fetch", "memory"]));
    let diff = mcp
        .ok(
            "diff_config",
            json!({"local_payload": {"mcpServers": {"memory": {"command": "other"}}}}),
        )
        .await;
    assert_eq!(diff["diff"]["servers_modified"], json!(["memory"]));
    // a memory no artifact ever had is a change of its own
    assert_eq!(diff["status"], "diverged");
    assert!(
        diff["diff"]["changes"]
            .as_array()
            .unwrap()
            .iter()
            .any(|c| c["path"].as_str().unwrap().starts_with("mcpServers.memory"))
    );

    let rolled = mcp
        .ok("rollback_config", json!({"artifact_id": first}))
        .await;
    assert_eq!(rolled["artifact_id"], first);
    assert_eq!(rolled["sequence"], 3);
    assert!(rolled["changelog"].as_str().unwrap().contains(&first));
    let latest = mcp.ok("get_config", json!({})).await;
    assert_eq!(latest["artifact_id"], first);
    assert_eq!(latest["metadata"]["rolled_back_to"], first);
    mcp.close().await;
}

#[tokio::test]
async fn same_payload_under_two_profiles_keeps_two_records() {
    let env = TestEnv::new();
    let mcp = env.mcp().await;
    for profile in ["a", "b"] {
        mcp.ok(
            "add_server_to_config",
            json!({"server_id": "memory", "profile_id": profile}),
        )
        .await;
        mcp.ok(
            "publish_config",
            json!({"profile_id": profile, "changelog": profile}),
        )
        .await;
    }
    let a = mcp.ok("get_config", json!({"profile_id": "a"})).await;
    let b = mcp.ok("get_config", json!({"profile_id": "b"})).await;
    assert_eq!(
        a["artifact_id"], b["artifact_id"],
        "same payload, same content address"
    );
    assert_eq!(a["profile_id"], "a");
    assert_eq!(b["profile_id"], "b");
    assert_eq!(b["metadata"]["changelog"], "b");
    mcp.close().await;
}

#[tokio::test]
async fn key_rotation_keeps_old_artifacts_verifiable() {
    let env = TestEnv::new();
    let mcp = env.mcp().await;
    mcp.ok("add_server_to_config", json!({"server_id": "memory"}))
        .await;
    let old = mcp.ok("publish_config", json!({})).await;
    let rotated = mcp.ok("initialize_keys", json!({"regenerate": true})).await;
    assert_eq!(rotated["status"], "regenerated");
    assert_ne!(rotated["signing_key_id"], old["signing_key_id"]);
    let verified = mcp
        .ok("verify_config", json!({"artifact_id": old["artifact_id"]}))
        .await;
    assert_eq!(verified["valid"], true, "{verified}");
    mcp.ok("add_server_to_config", json!({"server_id": "fetch"}))
        .await;
    let new = mcp.ok("publish_config", json!({})).await;
    assert_eq!(new["signing_key_id"], rotated["signing_key_id"]);
    mcp.close().await;
}

#[tokio::test]
async fn tampered_artifact_is_reported_not_served() {
    let env = TestEnv::new();
    let mcp = env.mcp().await;
    mcp.ok("add_server_to_config", json!({"server_id": "memory"}))
        .await;
    mcp.ok("publish_config", json!({"changelog": "honest"}))
        .await;
    mcp.close().await;

    let db = rusqlite::Connection::open(env.data().join("imprint.db")).unwrap();
    let envelope: String = db
        .query_row("SELECT envelope FROM revisions", [], |row| row.get(0))
        .unwrap();
    let mut envelope: Value = serde_json::from_str(&envelope).unwrap();
    envelope["metadata"]["changelog"] = json!("forged");
    db.execute("UPDATE revisions SET envelope = ?1", [envelope.to_string()])
        .unwrap();
    drop(db);

    let mcp = env.mcp().await;
    let outcome = mcp.call("get_config", json!({})).await;
    assert!(outcome.is_error);
    assert_eq!(outcome.body["error"]["code"], "integrity");
    assert!(
        outcome.message().contains("failed verification"),
        "{}",
        outcome.message()
    );
    let verified = mcp.ok("verify_config", json!({})).await;
    assert_eq!(verified["valid"], false);
    assert_eq!(verified["artifact_id_matches"], true);
    assert_eq!(verified["signature_valid"], false);
    mcp.close().await;
}

#[tokio::test]
async fn deploy_keeps_other_settings_refuses_unmanaged_and_drift() {
    let env = TestEnv::new();
    let path = env.write(
        DESKTOP_FILE,
        "{\n  \"globalShortcut\": \"Ctrl+Space\",\n  \"mcpServers\": {\n    \"hand-made\": {\"command\": \"my-tool\", \"args\": []}\n  }\n}\n",
    );
    let mcp = env.mcp().await;
    mcp.ok("add_server_to_config", json!({"server_id": "memory"}))
        .await;
    mcp.ok("publish_config", json!({})).await;

    // A server Imprint did not put there would be lost: refused, named.
    let outcome = mcp.call("deploy_config", json!({})).await;
    assert!(outcome.is_error);
    // The text MCP has always given, byte for byte (the old systems' prompts know it).
    assert_eq!(
        outcome.message(),
        format!(
            "{} has servers imprint did not put there: 'hand-made'; this deploy would change or remove them; pass force: true to replace them, or import_config to adopt them first",
            path.display()
        )
    );
    assert_eq!(
        read_json(&path)["mcpServers"]["hand-made"]["command"],
        "my-tool",
        "nothing written"
    );

    // Adopt it instead: import, publish, deploy.
    let imported = mcp.ok("import_config", json!({})).await;
    assert_eq!(imported["imported"], json!(["hand-made"]));
    mcp.ok("publish_config", json!({"changelog": "adopt"}))
        .await;
    let deployed = mcp.ok("deploy_config", json!({})).await;
    assert!(deployed["backup_path"].is_string());
    let file = read_json(&path);
    assert_eq!(file["globalShortcut"], "Ctrl+Space");
    let mut names: Vec<&String> = file["mcpServers"].as_object().unwrap().keys().collect();
    names.sort();
    assert_eq!(names, vec!["hand-made", "memory"]);

    let status = mcp
        .read("config://claude-desktop/default/deployed")
        .await
        .unwrap();
    assert_eq!(status["drift"]["drifted"], false, "{status}");

    // Someone edits the section by hand: drift is reported and deploy refuses.
    let mut edited = read_json(&path);
    edited["mcpServers"]["sneaky"] = json!({"command": "x", "args": []});
    std::fs::write(&path, serde_json::to_string_pretty(&edited).unwrap()).unwrap();
    let status = mcp
        .read("config://claude-desktop/default/deployed")
        .await
        .unwrap();
    assert_eq!(status["drift"]["drifted"], true, "{status}");
    let outcome = mcp.call("deploy_config", json!({})).await;
    assert!(outcome.is_error);
    assert_eq!(outcome.body["error"]["code"], "conflict");
    assert_eq!(
        outcome.message(),
        format!(
            "the MCP section of {} changed since the last deploy (server 'sneaky' added by hand); run import_config to adopt the changes, or pass force: true to overwrite them",
            path.display()
        )
    );

    // Forced, the artifact wins and a backup keeps the hand edit.
    let forced = mcp.ok("deploy_config", json!({"force": true})).await;
    assert!(read_json(&path)["mcpServers"].get("sneaky").is_none());
    let backup = std::fs::read_to_string(forced["backup_path"].as_str().unwrap()).unwrap();
    assert!(backup.contains("sneaky"));
    mcp.close().await;
}

#[tokio::test]
async fn resources_read() {
    let env = TestEnv::new();
    let mcp = env.mcp().await;
    let capabilities = mcp.read("capabilities://server").await.unwrap();
    assert!(
        capabilities["tools"]
            .as_array()
            .unwrap()
            .contains(&json!("publish_config"))
    );
    let clients = mcp.read("capabilities://clients").await.unwrap();
    assert!(clients["count"].as_u64().unwrap() >= 6);
    let registry = mcp.read("server://registry").await.unwrap();
    assert!(registry["count"].as_u64().unwrap() >= 15);
    let github = mcp.read("server://github").await.unwrap();
    assert_eq!(github["server_id"], "github");
    mcp.ok("add_server_to_config", json!({"server_id": "memory"}))
        .await;
    let draft = mcp
        .read("config://claude-desktop/default/draft")
        .await
        .unwrap();
    assert_eq!(draft["server_count"], 1);
    assert!(
        mcp.read("config://claude-desktop/default/latest")
            .await
            .is_err()
    );
    assert!(mcp.read("server://no-such").await.is_err());
    assert!(mcp.read("nope://x").await.is_err());
    mcp.close().await;
}
