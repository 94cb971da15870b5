//! Project scopes: `project_dir` on `import_config` and `deploy_config` (MCP) and
//! `--project-dir` (CLI) read and write `<project>/.mcp.json`, `.cursor/mcp.json`,
//! `.vscode/mcp.json` and `.zed/settings.json`, and never the user-scope file.

mod support;

use serde_json::json;
use support::TestEnv;

/// (client, project file, a file as it is committed in a repository)
const PROJECT_FILES: &[(&str, &str, &str)] = &[
    (
        "claude-code",
        ".mcp.json",
        "{\n  \"mcpServers\": {\n    \"repo-tools\": {\"command\": \"node\", \"args\": [\"tools/mcp.js\"], \"env\": {\"REPO_TOKEN\": \"${REPO_TOKEN}\"}}\n  }\n}\n",
    ),
    (
        "cursor",
        ".cursor/mcp.json",
        "{\n  \"mcpServers\": {\n    \"repo-tools\": {\"command\": \"node\", \"args\": [\"tools/mcp.js\"]}\n  }\n}\n",
    ),
    (
        "vscode",
        ".vscode/mcp.json",
        "{\n  // shared with the team\n  \"servers\": {\n    \"repo-tools\": {\"type\": \"stdio\", \"command\": \"node\", \"args\": [\"tools/mcp.js\"]},\n  },\n}\n",
    ),
    (
        "zed",
        ".zed/settings.json",
        "// project settings\n{\n  \"tab_size\": 2,\n  \"context_servers\": {\n    \"repo-tools\": {\"command\": \"node\", \"args\": [\"tools/mcp.js\"]}\n  }\n}\n",
    ),
];

#[tokio::test]
async fn import_and_deploy_use_the_project_file_and_leave_the_user_file_alone() {
    let env = TestEnv::new();
    let project = env.dir.path().join("work").join("app");
    std::fs::create_dir_all(&project).unwrap();
    let project_dir = project.to_string_lossy().to_string();
    let user_vscode = env.write(".config/Code/User/mcp.json", "{\"servers\": {}}\n");
    let mcp = env.mcp().await;
    for &(client, relative, text) in PROJECT_FILES {
        let path = project.join(relative);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, text).unwrap();

        let imported = mcp
            .ok(
                "import_config",
                json!({"client_id": client, "profile_id": "app", "project_dir": project_dir}),
            )
            .await;
        assert_eq!(
            imported["imported"],
            json!(["repo-tools"]),
            "{client}: {imported}"
        );
        assert_eq!(imported["scope"], "project");
        mcp.ok(
            "add_server_to_config",
            json!({"client_id": client, "profile_id": "app", "server_id": "memory"}),
        )
        .await;
        mcp.ok(
            "publish_config",
            json!({"client_id": client, "profile_id": "app"}),
        )
        .await;
        let deployed = mcp
            .ok(
                "deploy_config",
                json!({"client_id": client, "profile_id": "app", "project_dir": project_dir}),
            )
            .await;
        assert_eq!(deployed["path"], json!(path), "{client}: {deployed}");
        assert_eq!(deployed["scope"], "project");
        assert_eq!(deployed["added"], json!(["memory"]));
        let written = std::fs::read_to_string(&path).unwrap();
        assert!(written.contains("server-memory"), "{client}: {written}");
        assert!(written.contains("tools/mcp.js"), "{client}: {written}");
    }
    // no user-scope file was created or touched
    assert!(!env.file(".claude.json").exists());
    assert!(!env.file(".cursor/mcp.json").exists());
    assert!(!env.file(".config/zed/settings.json").exists());
    assert_eq!(
        std::fs::read_to_string(&user_vscode).unwrap(),
        "{\"servers\": {}}\n"
    );

    // status lists the project files with the project scope, in sync
    let status = mcp
        .ok("get_deployment_status", json!({"project_dir": project_dir}))
        .await;
    for &(client, relative, _) in PROJECT_FILES {
        let row = status["files"]
            .as_array()
            .unwrap()
            .iter()
            .find(|f| f["client_id"] == client && f["scope"] == "project")
            .unwrap_or_else(|| panic!("{client} project file missing: {status}"));
        assert_eq!(row["path"], json!(project.join(relative)));
        assert_eq!(row["state"], "in-sync", "{row}");
        assert_eq!(row["servers"], json!(["memory", "repo-tools"]), "{row}");
    }
    // without project_dir the files deployed before are still reported
    let status = mcp.ok("get_deployment_status", json!({})).await;
    let project_rows = status["files"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["scope"] == "project")
        .count();
    assert_eq!(project_rows, PROJECT_FILES.len(), "{status}");
    mcp.close().await;
}

#[tokio::test]
async fn project_dir_is_checked_and_clients_without_a_project_file_say_so() {
    let env = TestEnv::new();
    let project = env.dir.path().join("app");
    std::fs::create_dir_all(&project).unwrap();
    let mcp = env.mcp().await;
    mcp.ok(
        "add_server_to_config",
        json!({"client_id": "claude-desktop", "server_id": "memory"}),
    )
    .await;
    mcp.ok("publish_config", json!({"client_id": "claude-desktop"}))
        .await;
    let message = mcp
        .err(
            "deploy_config",
            json!({"client_id": "claude-desktop", "project_dir": project.to_string_lossy()}),
        )
        .await;
    assert!(
        message.contains("Claude Desktop has no project-scope file")
            && message.contains("claude-code"),
        "{message}"
    );
    let message = mcp
        .err(
            "import_config",
            json!({"client_id": "cursor", "project_dir": "relative/dir"}),
        )
        .await;
    assert!(message.contains("must be an absolute path"), "{message}");
    let missing = project.join("nope");
    let message = mcp
        .err(
            "deploy_config",
            json!({"client_id": "claude-desktop", "project_dir": missing.to_string_lossy()}),
        )
        .await;
    assert!(message.contains("is not a directory"), "{message}");
    assert!(!missing.exists());
    mcp.close().await;
}

#[test]
fn the_cli_takes_a_relative_project_dir_from_the_current_directory() {
    let env = TestEnv::new();
    let project = env.dir.path().join("repo");
    std::fs::create_dir_all(project.join(".git")).unwrap();
    env.cli_ok(&["draft", "add", "memory", "--client", "claude-code"]);
    env.cli_ok(&["publish", "--client", "claude-code"]);
    let output = env
        .command()
        .current_dir(env.dir.path())
        .args([
            "--json",
            "deploy",
            "--client",
            "claude-code",
            "--project-dir",
            "repo",
        ])
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let written = std::fs::read_to_string(project.join(".mcp.json")).unwrap();
    assert!(written.contains("\"memory\""), "{written}");
    assert!(!env.file(".claude.json").exists());
    let imported = env.cli_ok(&[
        "config",
        "import",
        "--client",
        "claude-code",
        "--draft",
        "from-repo",
        "--project-dir",
        &project.to_string_lossy(),
    ]);
    assert_eq!(imported["imported"], json!(["memory"]));
}
