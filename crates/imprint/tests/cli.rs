//! End to end: the real `imprint` CLI with `--json`, exit codes by error kind, and
//! concurrent writers sharing one data directory.

mod support;

use serde_json::json;
use support::TestEnv;

#[test]
fn help_lists_the_commands() {
    let env = TestEnv::new();
    let output = env.command().arg("--help").output().unwrap();
    assert!(output.status.success());
    let help = String::from_utf8_lossy(&output.stdout);
    for command in [
        "serve", "clients", "servers", "draft", "validate", "publish", "config", "deploy", "keys",
    ] {
        assert!(help.contains(command), "help lacks {command}: {help}");
    }
}

#[test]
fn exit_codes_follow_the_error_kind() {
    let env = TestEnv::new();
    let (code, _, stderr) = env.cli(&["draft", "show", "--profile", "../../etc"]);
    assert_eq!(code, 3, "invalid input: {stderr}");
    assert!(stderr.contains("profile_id"), "{stderr}");
    let (code, _, stderr) = env.cli(&["servers", "describe", "no-such-server"]);
    assert_eq!(code, 4, "not found: {stderr}");
    env.cli_ok(&["draft", "add", "memory"]);
    let (code, _, stderr) = env.cli(&["draft", "add", "memory"]);
    assert_eq!(code, 5, "conflict: {stderr}");
    let (code, _, _) = env.cli(&["no-such-command"]);
    assert_eq!(code, 2, "usage error");
    let (code, _, stderr) = env.cli(&["config", "get"]);
    assert_eq!(code, 4, "{stderr}");
    assert!(stderr.starts_with("error: "), "{stderr}");
}

#[test]
fn full_cycle_through_the_cli() {
    let env = TestEnv::new();
    let keys = env.cli_ok(&["keys", "init"]);
    assert_eq!(keys["status"], "initialized");
    env.cli_ok(&["draft", "add", "memory", "--client", "cursor"]);
    let validated = env.cli_ok(&["validate", "--client", "cursor"]);
    assert_eq!(validated["valid"], true);
    let published = env.cli_ok(&["publish", "--client", "cursor", "-m", "cli"]);
    let artifact = published["artifact_id"].as_str().unwrap();
    let envelope = env.cli_ok(&["config", "get", "--client", "cursor"]);
    assert_eq!(envelope["artifact_id"], artifact);
    let verified = env.cli_ok(&["config", "verify", "--client", "cursor"]);
    assert_eq!(verified["valid"], true);
    let deployed = env.cli_ok(&["deploy", "--client", "cursor"]);
    assert_eq!(deployed["created_file"], true);
    let file = support::read_json(&env.file(".cursor/mcp.json"));
    assert!(file["mcpServers"]["memory"].is_object(), "{file}");
    let history = env.cli_ok(&["config", "history", "--client", "cursor"]);
    assert_eq!(history["count"], 1);
    // Human output (no --json) is readable text.
    let output = env
        .command()
        .args(["draft", "show", "--client", "cursor"])
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&output.stdout);
    assert!(text.contains("draft of cursor/default: 1 server"), "{text}");
}

#[test]
fn failed_validation_exits_nonzero_with_the_report() {
    let env = TestEnv::new();
    let (code, report, _) = env.cli(&["validate"]);
    assert_eq!(code, 3);
    assert_eq!(report["valid"], false);
    assert_eq!(report["errors"][0]["code"], "EMPTY_CONFIG");
}

#[test]
fn concurrent_cli_writers_lose_no_update() {
    let env = TestEnv::new();
    env.cli_ok(&["keys", "init"]);
    let servers = [
        "memory",
        "fetch",
        "everything",
        "sequential-thinking",
        "time-a",
        "time-b",
        "time-c",
        "time-d",
    ];
    let children: Vec<_> = servers
        .iter()
        .map(|name| {
            let mut command = env.command();
            if name.starts_with("time-") {
                command.args(["--json", "draft", "add", "memory", "--name", name]);
            } else {
                command.args(["--json", "draft", "add", name]);
            }
            command
                .stdout(std::process::Stdio::null())
                .stderr(std::process::Stdio::piped())
                .spawn()
                .unwrap()
        })
        .collect();
    for child in children {
        let output = child.wait_with_output().unwrap();
        assert!(
            output.status.success(),
            "{}",
            String::from_utf8_lossy(&output.stderr)
        );
    }
    let draft = env.cli_ok(&["draft", "show"]);
    let mut expected: Vec<&str> = servers.to_vec();
    expected.sort();
    assert_eq!(draft["server_names"], json!(expected));

    // Concurrent publishers each get their own sequence number.
    let publishers: Vec<_> = (0..4)
        .map(|i| {
            env.command()
                .args(["--json", "publish", "-m", &format!("p{i}")])
                .stdout(std::process::Stdio::null())
                .spawn()
                .unwrap()
        })
        .collect();
    for mut child in publishers {
        assert!(child.wait().unwrap().success());
    }
    let history = env.cli_ok(&["config", "history"]);
    let mut sequences: Vec<u64> = history["revisions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["sequence"].as_u64().unwrap())
        .collect();
    sequences.sort();
    assert_eq!(sequences, vec![1, 2, 3, 4]);
}

#[test]
fn params_and_env_from_flags() {
    let env = TestEnv::new();
    let added = env.cli_ok(&[
        "draft",
        "add",
        "filesystem",
        "--param",
        "path=/srv/docs",
        "--name",
        "docs",
    ]);
    assert_eq!(added["server_name"], "docs");
    let draft = env.cli_ok(&["draft", "show"]);
    let args = draft["payload"]["mcpServers"]["docs"]["args"]
        .as_array()
        .unwrap();
    assert!(args.contains(&json!("/srv/docs")), "{draft}");
    let (code, _, stderr) = env.cli(&[
        "draft", "add", "memory", "--name", "m2", "--env", "NOEQUALS",
    ]);
    assert_eq!(code, 3);
    assert!(stderr.contains("KEY=VALUE"), "{stderr}");
}
