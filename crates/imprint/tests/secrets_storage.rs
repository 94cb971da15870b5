//! Secrets never reach the database file, an artifact, a draft view, a tool result or a log
//! line; deploy writes the working value, or on request the client's own reference syntax.

mod support;

use std::path::Path;
use std::process::Stdio;

use rmcp::ServiceExt;
use rmcp::transport::TokioChildProcess;
use serde_json::{Value, json};
use support::{BIN, Mcp, TestEnv};

const GITHUB_TOKEN: &str = "ghp_S3cretGitHub0001";
const HEADER_TOKEN: &str = "tok_S3cretHeader0002";
const IMPORTED_KEY: &str = "sk_S3cretImported0003";
const NAMED_SECRET: &str = "named_S3cret0004";
const NUMERIC_TOKEN: &str = "918273645";
const ALL: [&str; 5] = [
    GITHUB_TOKEN,
    HEADER_TOKEN,
    IMPORTED_KEY,
    NAMED_SECRET,
    NUMERIC_TOKEN,
];

/// `imprint serve` with debug logging, its stderr going to `log`.
async fn serve_logging(env: &TestEnv, log: &Path) -> Mcp {
    std::fs::create_dir_all(env.home()).unwrap();
    let mut command = tokio::process::Command::new(BIN);
    command
        .env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .env("HOME", env.home())
        .env("IMPRINT_HOME", env.data())
        .env("USER", "tester")
        .env("IMPRINT_LOG", "debug")
        .arg("serve");
    let (transport, _) = TokioChildProcess::builder(command)
        .stderr(Stdio::from(std::fs::File::create(log).unwrap()))
        .spawn()
        .unwrap();
    Mcp {
        client: ().serve(transport).await.unwrap(),
    }
}

fn assert_no_secret(what: &str, text: &str) {
    for secret in ALL {
        assert!(
            !text.contains(secret),
            "{what} holds the secret {secret}:\n{text}"
        );
    }
}

fn assert_no_secret_bytes(path: &Path) {
    let Ok(bytes) = std::fs::read(path) else {
        return;
    };
    for secret in ALL {
        assert!(
            !bytes
                .windows(secret.len())
                .any(|window| window == secret.as_bytes()),
            "{} holds the secret {secret}",
            path.display()
        );
    }
}

#[tokio::test]
async fn no_secret_value_reaches_the_database_an_artifact_a_draft_view_or_a_log() {
    let env = TestEnv::new();
    let claude = env.write(
        ".claude.json",
        &format!(
            r#"{{
  "numStartups": 3,
  "mcpServers": {{
    "stripe": {{"type": "stdio", "command": "npx", "args": ["-y", "@stripe/mcp"], "env": {{"STRIPE_SECRET_KEY": "{IMPORTED_KEY}", "PIN_TOKEN": {NUMERIC_TOKEN}}}}}
  }}
}}
"#
        ),
    );
    let log = env.dir.path().join("serve.log");
    let mcp = serve_logging(&env, &log).await;
    let target = json!({"client_id": "claude-code"});
    let with = |extra: Value| {
        let mut args = target.clone();
        args.as_object_mut()
            .unwrap()
            .extend(extra.as_object().unwrap().clone());
        args
    };
    let mut results = Vec::new();

    results.push(mcp.ok("import_config", target.clone()).await);
    results.push(
        mcp.ok(
            "add_server_to_config",
            with(json!({"server_id": "github", "env_vars": {"GITHUB_PERSONAL_ACCESS_TOKEN": GITHUB_TOKEN}})),
        )
        .await,
    );
    // a user server whose secret parameter ends up in a header
    results.push(
        mcp.ok(
            "register_server",
            json!({"server_id": "acme", "transport": "http", "url": "https://mcp.acme.example/mcp",
                   "headers": {"Authorization": "Bearer {token}"},
                   "parameters": [{"name": "token", "type": "string", "required": true, "secret": true},
                                  {"name": "pin", "type": "integer", "required": false, "default": 1, "secret": true}]}),
        )
        .await,
    );
    results.push(
        mcp.ok(
            "add_server_to_config",
            with(json!({"server_id": "acme", "params": {"token": HEADER_TOKEN}})),
        )
        .await,
    );
    // a wrong value for a secret parameter is not repeated in the error
    let message = mcp
        .err(
            "add_server_to_config",
            with(json!({"server_id": "acme", "server_name": "acme2", "params": {"token": "x", "pin": NAMED_SECRET}})),
        )
        .await;
    assert!(message.contains("value not shown"), "{message}");
    results.push(json!({"error": message}));
    // a secret stored by name and referred to
    results.push(
        mcp.ok(
            "set_secret",
            json!({"name": "BRAVE_SHARED", "value": NAMED_SECRET}),
        )
        .await,
    );
    results.push(
        mcp.ok(
            "add_server_to_config",
            with(json!({"server_id": "brave-search", "env_vars": {"BRAVE_API_KEY": "${secret:BRAVE_SHARED}"}})),
        )
        .await,
    );

    let draft = mcp.ok("view_draft_config", target.clone()).await;
    assert_eq!(
        draft["server_names"],
        json!(["acme", "brave-search", "github", "stripe"])
    );
    results.push(draft.clone());
    results.push(mcp.ok("validate_config", target.clone()).await);
    results.push(
        mcp.ok("publish_config", with(json!({"changelog": "secrets"})))
            .await,
    );
    let artifact = mcp.ok("get_config", target.clone()).await;
    let servers = &artifact["payload"]["mcpServers"];
    assert!(
        servers["github"]["env"]["GITHUB_PERSONAL_ACCESS_TOKEN"]
            .as_str()
            .unwrap()
            .starts_with("${secret:GITHUB_PERSONAL_ACCESS_TOKEN@"),
        "{artifact}"
    );
    assert!(
        servers["acme"]["headers"]["Authorization"]
            .as_str()
            .unwrap()
            .starts_with("Bearer ${secret:ACME_TOKEN@"),
        "{artifact}"
    );
    assert_eq!(
        servers["brave-search"]["env"]["BRAVE_API_KEY"],
        "${secret:BRAVE_SHARED}"
    );
    assert!(
        servers["stripe"]["env"]["STRIPE_SECRET_KEY"]
            .as_str()
            .unwrap()
            .starts_with("${secret:STRIPE_SECRET_KEY@")
    );
    results.push(artifact);
    results.push(mcp.ok("get_config_history", target.clone()).await);
    results.push(mcp.ok("verify_config", target.clone()).await);
    results.push(mcp.ok("list_secrets", json!({})).await);

    // the imported numeric PIN_TOKEN comes back as a string (what clients need), so the adopted
    // entry differs from the file and the first deploy over it is forced
    let deployed = mcp.ok("deploy_config", with(json!({"force": true}))).await;
    assert_eq!(deployed["secret_values_written"], 5, "{deployed}");
    results.push(deployed);
    // the file gets the working values
    let file = std::fs::read_to_string(&claude).unwrap();
    for secret in [GITHUB_TOKEN, IMPORTED_KEY, NAMED_SECRET] {
        assert!(
            file.contains(secret),
            "{secret} missing from the deployed file:\n{file}"
        );
    }
    assert!(
        file.contains(&format!("\"Authorization\": \"Bearer {HEADER_TOKEN}\"")),
        "{file}"
    );
    assert!(
        file.contains(&format!("\"PIN_TOKEN\": \"{NUMERIC_TOKEN}\"")),
        "{file}"
    );

    // a diff of the deployed file against the artifact: up to date, nothing echoed
    let section = serde_json::from_str::<Value>(&file).unwrap()["mcpServers"].clone();
    let diff = mcp
        .ok(
            "diff_config",
            with(json!({"local_payload": {"mcpServers": section}})),
        )
        .await;
    assert_eq!(diff["status"], "up-to-date", "{diff}");
    results.push(diff);
    for uri in [
        "config://claude-code/default/draft",
        "config://claude-code/default/latest",
        "config://claude-code/default/deployed",
    ] {
        results.push(mcp.read(uri).await.unwrap());
    }
    let status = mcp.ok("get_deployment_status", json!({})).await;
    let row = status["files"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["client_id"] == "claude-code")
        .unwrap()
        .clone();
    assert_eq!(row["state"], "in-sync", "{row}");
    results.push(status);

    for result in &results {
        assert_no_secret("a tool result", &result.to_string());
    }
    // the database, while the server is running (WAL not yet checkpointed) and after
    for name in ["imprint.db", "imprint.db-wal", "imprint.db-shm"] {
        assert_no_secret_bytes(&env.data().join(name));
    }
    mcp.close().await;
    for name in ["imprint.db", "imprint.db-wal", "imprint.db-shm"] {
        assert_no_secret_bytes(&env.data().join(name));
    }
    let db = std::fs::read(env.data().join("imprint.db")).unwrap();
    assert!(!db.is_empty());

    let log_text = std::fs::read_to_string(&log).unwrap();
    assert!(
        log_text.contains("deployed") && log_text.contains("stored a secret"),
        "debug logging was on: {log_text}"
    );
    assert_no_secret("the server log", &log_text);

    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(env.data().join("keys/secrets.key"))
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o600);
    }
}

#[test]
fn references_are_written_in_each_clients_own_syntax() {
    let env = TestEnv::new();
    for client in [
        "claude-code",
        "cursor",
        "vscode",
        "claude-desktop",
        "windsurf",
    ] {
        env.cli_ok(&[
            "draft",
            "add",
            "github",
            "--client",
            client,
            "--env",
            &format!("GITHUB_PERSONAL_ACCESS_TOKEN={GITHUB_TOKEN}"),
        ]);
        env.cli_ok(&["publish", "--client", client]);
    }
    let expected = [
        (
            "claude-code",
            ".claude.json",
            "${GITHUB_PERSONAL_ACCESS_TOKEN}",
        ),
        (
            "cursor",
            ".cursor/mcp.json",
            "${env:GITHUB_PERSONAL_ACCESS_TOKEN}",
        ),
        (
            "vscode",
            ".config/Code/User/mcp.json",
            "${input:GITHUB_PERSONAL_ACCESS_TOKEN}",
        ),
        (
            "windsurf",
            ".codeium/windsurf/mcp_config.json",
            "${env:GITHUB_PERSONAL_ACCESS_TOKEN}",
        ),
    ];
    for (client, relative, reference) in expected {
        let deployed = env.cli_ok(&["deploy", "--client", client, "--secrets", "reference"]);
        assert_eq!(deployed["secrets"], "reference");
        assert_eq!(deployed["secret_values_written"], 0);
        let text = std::fs::read_to_string(env.file(relative)).unwrap();
        assert!(!text.contains(GITHUB_TOKEN), "{client}: {text}");
        let file: Value = serde_json::from_str(&text).unwrap();
        let root = if client == "vscode" {
            "servers"
        } else {
            "mcpServers"
        };
        assert_eq!(
            file[root]["github"]["env"]["GITHUB_PERSONAL_ACCESS_TOKEN"], reference,
            "{client}: {text}"
        );
        if client == "vscode" {
            assert_eq!(
                deployed["inputs_added"],
                json!(["GITHUB_PERSONAL_ACCESS_TOKEN"])
            );
            assert_eq!(
                file["inputs"],
                json!([{"type": "promptString", "id": "GITHUB_PERSONAL_ACCESS_TOKEN",
                        "description": "GITHUB_PERSONAL_ACCESS_TOKEN (asked for by servers imprint deployed)",
                        "password": true}])
            );
            assert_eq!(deployed["environment_variables"], json!([]));
        } else {
            assert_eq!(
                deployed["environment_variables"],
                json!(["GITHUB_PERSONAL_ACCESS_TOKEN"]),
                "{client}"
            );
        }
    }
    // a client without a reference syntax of its own refuses, and says which clients have one
    let (code, _, stderr) = env.cli(&[
        "deploy",
        "--client",
        "claude-desktop",
        "--secrets",
        "reference",
    ]);
    assert_eq!(code, 3, "{stderr}");
    assert!(
        stderr.contains("Claude Desktop has no syntax of its own")
            && stderr.contains("claude-code"),
        "{stderr}"
    );
    assert!(
        !env.file(".config/Claude/claude_desktop_config.json")
            .exists()
    );
    // switching back to values writes the working value (the reference deploy is no drift)
    let deployed = env.cli_ok(&["deploy", "--client", "claude-code"]);
    assert_eq!(deployed["updated"], json!(["github"]), "{deployed}");
    let file: Value =
        serde_json::from_str(&std::fs::read_to_string(env.file(".claude.json")).unwrap()).unwrap();
    assert_eq!(
        file["mcpServers"]["github"]["env"]["GITHUB_PERSONAL_ACCESS_TOKEN"],
        GITHUB_TOKEN
    );
}

#[test]
fn codex_gets_a_bearer_token_variable_never_an_inline_token() {
    let env = TestEnv::new();
    let definition = env.dir.path().join("acme.json");
    std::fs::write(
        &definition,
        json!({"server_id": "acme", "transport": "http", "url": "https://mcp.acme.example/mcp",
               "headers": {"Authorization": "Bearer {token}"},
               "parameters": [{"name": "token", "type": "string", "required": true, "secret": true}]})
        .to_string(),
    )
    .unwrap();
    env.cli_ok(&["servers", "register", &definition.to_string_lossy()]);
    env.cli_ok(&[
        "draft",
        "add",
        "acme",
        "--client",
        "codex",
        "--param",
        &format!("token={HEADER_TOKEN}"),
    ]);
    env.cli_ok(&["publish", "--client", "codex"]);
    let deployed = env.cli_ok(&["deploy", "--client", "codex"]);
    let text = std::fs::read_to_string(env.file(".codex/config.toml")).unwrap();
    assert_eq!(
        text,
        "[mcp_servers.acme]\nurl = \"https://mcp.acme.example/mcp\"\nbearer_token_env_var = \"ACME_TOKEN\"\n"
    );
    assert_eq!(deployed["environment_variables"], json!(["ACME_TOKEN"]));
    assert!(
        deployed["message"].as_str().unwrap().contains("ACME_TOKEN"),
        "{deployed}"
    );
}

#[test]
fn a_named_secret_is_set_from_stdin_shared_and_rotated_by_name() {
    use std::io::Write;
    let env = TestEnv::new();
    let set = |value: &str| {
        let mut child = env
            .command()
            .args(["--json", "secrets", "set", "SHARED_TOKEN"])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        child
            .stdin
            .take()
            .unwrap()
            .write_all(format!("{value}\n").as_bytes())
            .unwrap();
        let output = child.wait_with_output().unwrap();
        assert!(
            output.status.success(),
            "{}",
            String::from_utf8_lossy(&output.stderr)
        );
        let stdout = String::from_utf8_lossy(&output.stdout).to_string();
        assert!(!stdout.contains(value), "{stdout}");
        serde_json::from_str::<Value>(&stdout).unwrap()
    };
    assert_eq!(set("shared-v1")["reference"], "${secret:SHARED_TOKEN}");
    for client in ["cursor", "lm-studio"] {
        env.cli_ok(&[
            "draft",
            "add",
            "memory",
            "--client",
            client,
            "--env",
            "API_TOKEN=${secret:SHARED_TOKEN}",
        ]);
        env.cli_ok(&["publish", "--client", client]);
        env.cli_ok(&["deploy", "--client", client]);
    }
    let read = |relative: &str| std::fs::read_to_string(env.file(relative)).unwrap();
    assert!(read(".cursor/mcp.json").contains("\"API_TOKEN\": \"shared-v1\""));
    assert!(read(".lmstudio/mcp.json").contains("\"API_TOKEN\": \"shared-v1\""));

    // rotate once, redeploy the same artifacts: both files get the new value, no drift refusal
    assert_eq!(set("shared-v2")["status"], "replaced");
    for client in ["cursor", "lm-studio"] {
        let deployed = env.cli_ok(&["deploy", "--client", client]);
        assert_eq!(
            deployed["updated"],
            json!(["memory"]),
            "{client}: {deployed}"
        );
    }
    assert!(read(".cursor/mcp.json").contains("\"API_TOKEN\": \"shared-v2\""));

    let listed = env.cli_ok(&["secrets", "list"]);
    assert_eq!(listed["count"], 1);
    assert_eq!(listed["secrets"][0]["name"], "SHARED_TOKEN");
    assert!(!listed.to_string().contains("shared-v2"));

    // an unknown reference is refused up front
    let (code, _, stderr) = env.cli(&[
        "draft",
        "add",
        "fetch",
        "--client",
        "cursor",
        "--env",
        "X_TOKEN=${secret:NOPE}",
    ]);
    assert_eq!(code, 4, "{stderr}");
    assert!(stderr.contains("no secret named 'NOPE'"), "{stderr}");

    // a removed secret cannot be deployed as a value
    env.cli_ok(&["secrets", "remove", "SHARED_TOKEN"]);
    let (code, _, stderr) = env.cli(&["deploy", "--client", "cursor", "--force"]);
    assert_eq!(code, 4, "{stderr}");
    assert!(
        stderr.contains("no secret named 'SHARED_TOKEN'"),
        "{stderr}"
    );
    assert!(
        read(".cursor/mcp.json").contains("shared-v2"),
        "the file was left as it was"
    );
}
