//! Client id `all` beyond publish and deploy, through the real binary (MCP and the CLI) in a
//! temp HOME with real client files: diff of the neutral set and of each client's payload,
//! what is deployed per client, project-scope deploy and import, secrets as references,
//! plain `imprint status`, and the README's five commands as written.

mod support;

use std::process::Output;

use serde_json::{Value, json};
use support::TestEnv;

const CURSOR: (&str, &str) = (".cursor/mcp.json", "{\n  \"mcpServers\": {}\n}\n");
const VSCODE: (&str, &str) = (
    ".config/Code/User/mcp.json",
    "{\n  // agent mode\n  \"servers\": {}\n}\n",
);
const CODEX: (&str, &str) = (".codex/config.toml", "# codex\nmodel = \"gpt-5-codex\"\n");
const DESKTOP: (&str, &str) = (
    ".config/Claude/claude_desktop_config.json",
    "{\n  \"mcpServers\": {}\n}\n",
);
const GOOSE: (&str, &str) = (".config/goose/config.yaml", "# goose\nGOOSE_MODEL: x\n");
const CLAUDE_CODE: (&str, &str) = (".claude.json", "{\n  \"numStartups\": 3\n}\n");

fn with(files: &[(&str, &str)]) -> TestEnv {
    let env = TestEnv::new();
    for (path, text) in files {
        env.write(path, text);
    }
    env
}

fn of<'a>(answer: &'a Value, client: &str) -> &'a Value {
    answer["clients"]
        .as_array()
        .unwrap_or_else(|| panic!("no clients in {answer}"))
        .iter()
        .find(|c| c["client_id"] == client)
        .unwrap_or_else(|| panic!("{client} missing from {answer}"))
}

/// The CLI without `--json`, as a person runs it.
fn human(env: &TestEnv, args: &[&str]) -> (i32, String, String) {
    let output: Output = env.command().args(args).output().unwrap();
    (
        output.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&output.stdout).to_string(),
        String::from_utf8_lossy(&output.stderr).to_string(),
    )
}

fn read(env: &TestEnv, path: &str) -> String {
    std::fs::read_to_string(env.file(path)).unwrap()
}

#[tokio::test]
async fn diff_of_all_compares_the_neutral_set_and_each_linked_clients_payload() {
    let env = with(&[CURSOR, VSCODE, CODEX]);
    let mcp = env.mcp().await;
    mcp.ok(
        "add_server_to_config",
        json!({"client_id": "all", "server_id": "memory"}),
    )
    .await;
    mcp.ok(
        "add_server_to_config",
        json!({"client_id": "all", "server_id": "time", "except": ["codex"]}),
    )
    .await;
    let first = mcp.ok("publish_config", json!({"client_id": "all"})).await;
    let first_id = first["artifact_id"].as_str().unwrap().to_string();

    // nothing changed: up to date everywhere, and the clients map is no server
    let same = mcp.ok("diff_config", json!({"client_id": "all"})).await;
    assert_eq!(same["status"], "up-to-date", "{same}");
    assert_eq!(same["summary"]["servers_unchanged"], 2, "{same}");
    assert!(!same.to_string().contains("clients.cursor"), "{same}");
    for client in ["codex", "cursor", "vscode"] {
        assert_eq!(of(&same, client)["status"], "up-to-date", "{same}");
    }

    // the draft moves on: fetch for cursor only, time removed
    mcp.ok(
        "add_server_to_config",
        json!({"client_id": "all", "server_id": "fetch", "clients": ["cursor"]}),
    )
    .await;
    mcp.ok(
        "remove_server_from_config",
        json!({"client_id": "all", "server_name": "time"}),
    )
    .await;
    // the CLI's no-argument form compares the draft of all
    let diff = env.cli_ok(&["config", "diff", "--client", "all"]);
    // compared → latest: the latest "adds" time and "removes" fetch
    assert_eq!(diff["diff"]["servers_added"], json!(["time"]), "{diff}");
    assert_eq!(diff["diff"]["servers_removed"], json!(["fetch"]), "{diff}");
    assert_eq!(diff["reaches"]["fetch"], json!(["cursor"]), "{diff}");
    assert_eq!(
        diff["reaches"]["time"],
        json!(["cursor", "vscode"]),
        "{diff}"
    );
    assert_eq!(diff["status"], "diverged", "{diff}");
    assert_eq!(diff["next"][0]["step"], "publish", "{diff}");
    let cursor = of(&diff, "cursor");
    assert_eq!(cursor["status"], "changed");
    assert_eq!(
        cursor["diff"]["servers_removed"],
        json!(["fetch"]),
        "{cursor}"
    );
    assert_eq!(cursor["diff"]["servers_added"], json!(["time"]), "{cursor}");
    assert_eq!(
        of(&diff, "vscode")["diff"]["servers_added"],
        json!(["time"])
    );
    assert_eq!(of(&diff, "codex")["status"], "up-to-date", "{diff}");
    let (code, text, stderr) = human(&env, &["config", "diff", "--client", "all"]);
    assert_eq!(code, 0, "{stderr}");
    // as `git diff`: what publishing the draft changes, and where
    assert!(text.contains("+ fetch  → cursor\n"), "{text}");
    assert!(text.contains("- time  → cursor, vscode\n"), "{text}");
    assert!(text.contains("  cursor: +fetch -time\n"), "{text}");
    assert!(text.contains("  codex: no change\n"), "{text}");
    assert!(text.contains("imprint publish --client all"), "{text}");
    assert!(
        !text.contains("publish_config"),
        "the CLI names commands: {text}"
    );

    // another draft of all, named with --draft, is the one compared (not the default)
    env.cli_ok(&[
        "draft", "add", "fetch", "--client", "all", "--draft", "next", "--only", "vscode",
    ]);
    let next = env.cli_ok(&["config", "diff", "--client", "all", "--draft", "next"]);
    assert_eq!(
        next["diff"]["servers_added"],
        json!(["memory", "time"]),
        "{next}"
    );
    assert_eq!(next["diff"]["servers_removed"], json!(["fetch"]), "{next}");
    assert_eq!(next["reaches"]["fetch"], json!(["vscode"]), "{next}");
    assert_eq!(
        of(&next, "cursor")["diff"]["servers_added"],
        json!(["memory", "time"])
    );

    // an older neutral artifact against a newer publish: outdated, deploy brings it
    mcp.ok("publish_config", json!({"client_id": "all"})).await;
    let old = mcp
        .ok(
            "diff_config",
            json!({"client_id": "all", "local_artifact_id": first_id}),
        )
        .await;
    assert_eq!(old["status"], "outdated", "{old}");
    assert_eq!(old["recommendation"], "update", "{old}");
    assert_eq!(old["diff"]["servers_added"], json!(["fetch"]), "{old}");
    assert_eq!(
        of(&old, "vscode")["diff"]["servers_removed"],
        json!(["time"])
    );
    // a neutral payload the caller holds (the draft as shown), with a server no publish had
    let view = mcp
        .ok("view_draft_config", json!({"client_id": "all"}))
        .await;
    let mut servers = view["draft"]["servers"].clone();
    servers["mine"] = json!({"command": "my-server", "clients": ["vscode"]});
    let held = mcp
        .ok(
            "diff_config",
            json!({"client_id": "all", "local_payload": {"servers": servers}}),
        )
        .await;
    assert_eq!(held["status"], "diverged", "{held}");
    assert_eq!(held["summary"]["local_changes"], json!(["mine"]), "{held}");
    assert_eq!(held["reaches"]["mine"], json!(["vscode"]), "{held}");
    assert_eq!(
        of(&held, "vscode")["diff"]["servers_removed"],
        json!(["mine"])
    );
    let bad = mcp
        .err(
            "diff_config",
            json!({"client_id": "all", "local_payload": {"servers": {"x": 3}}}),
        )
        .await;
    assert!(bad.contains("local_payload.servers.x"), "{bad}");
    // a single client's diff keeps its fields, without the ones of all
    let single = mcp
        .ok(
            "diff_config",
            json!({"client_id": "cursor", "local_payload": {}}),
        )
        .await;
    assert!(single.get("clients").is_none() && single.get("reaches").is_none());
    mcp.close().await;
}

#[tokio::test]
async fn deployed_of_all_answers_per_linked_client() {
    let env = with(&[CURSOR, VSCODE, CODEX]);
    env.cli_ok(&["draft", "add", "memory", "--client", "all"]);
    env.cli_ok(&["publish", "--client", "all"]);
    let never = env.cli_ok(&["config", "deployed", "--client", "all"]);
    assert_eq!(never["clients"].as_array().unwrap().len(), 3, "{never}");
    assert_eq!(of(&never, "vscode")["deployed"], false, "{never}");
    env.cli_ok(&["deploy", "--client", "all"]);

    let deployed = env.cli_ok(&["config", "deployed", "--client", "all"]);
    for client in ["codex", "cursor", "vscode"] {
        let state = of(&deployed, client);
        assert_eq!(state["deployed"], true, "{deployed}");
        assert_eq!(state["up_to_date"], true, "{deployed}");
        assert_eq!(
            state["artifact_id"], deployed["latest_client_artifacts"][client],
            "{deployed}"
        );
    }

    // a newer publish not deployed, and a hand edit in VS Code's file
    env.cli_ok(&["draft", "add", "time", "--client", "all"]);
    env.cli_ok(&["publish", "--client", "all"]);
    let vscode = env.file(VSCODE.0);
    let text = std::fs::read_to_string(&vscode).unwrap();
    std::fs::write(&vscode, text.replace("server-memory", "server-memory-fork")).unwrap();
    let behind = env.cli_ok(&["config", "diff", "--deployed", "--client", "all"]);
    let cursor = behind["clients"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["deployed"]["client_id"] == "cursor")
        .unwrap();
    assert_eq!(
        cursor["diff"]["diff"]["servers_added"],
        json!(["time"]),
        "{behind}"
    );
    let vscode_state = behind["clients"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["deployed"]["client_id"] == "vscode")
        .unwrap();
    assert_eq!(vscode_state["deployed"]["drift_detected"], true, "{behind}");
    let (code, text, stderr) = human(&env, &["config", "diff", "--deployed", "--client", "all"]);
    assert_eq!(code, 0, "{stderr}");
    assert!(text.contains("cursor/default: deployed"), "{text}");
    assert!(text.contains("the file changed since the deploy"), "{text}");

    // the MCP resource of all
    let mcp = env.mcp().await;
    let resource = mcp.read("config://all/default/deployed").await.unwrap();
    assert_eq!(
        resource["clients"].as_array().unwrap().len(),
        3,
        "{resource}"
    );
    // get_deployment_status says where each linked client stands
    let status = mcp.ok("get_deployment_status", json!({})).await;
    let profile = &status["all_profiles"][0];
    assert_eq!(profile["profile_id"], "default", "{status}");
    assert_eq!(profile["behind"], 2, "{status}");
    assert_eq!(profile["drifted"], 1, "{status}");
    mcp.close().await;
}

#[test]
fn project_dir_deploys_and_imports_the_linked_clients_that_have_a_project_file() {
    let env = with(&[CURSOR, VSCODE, CODEX, DESKTOP, GOOSE]);
    let project = env.home().join("work/app");
    std::fs::create_dir_all(project.join(".git")).unwrap();
    let dir = project.to_str().unwrap();
    env.cli_ok(&["draft", "add", "memory", "--client", "all"]);
    env.cli_ok(&["publish", "--client", "all"]);

    let deployed = env.cli_ok(&["deploy", "--client", "all", "--project-dir", dir]);
    assert_eq!(deployed["deployed"], 3, "{deployed}");
    assert_eq!(deployed["skipped"], 2, "{deployed}");
    for client in ["claude-desktop", "goose"] {
        let skipped = of(&deployed, client);
        assert_eq!(skipped["outcome"], "skipped", "{deployed}");
        assert!(
            skipped["reason"]
                .as_str()
                .unwrap()
                .contains("no project-scope file"),
            "{skipped}"
        );
    }
    for file in [".cursor/mcp.json", ".vscode/mcp.json", ".codex/config.toml"] {
        let text = std::fs::read_to_string(project.join(file)).unwrap();
        assert!(text.contains("server-memory"), "{file}: {text}");
    }
    // the user-scope files are untouched
    for (path, text) in [CURSOR, VSCODE, CODEX, DESKTOP, GOOSE] {
        assert_eq!(read(&env, path), text, "{path}");
    }
    let again = env.cli_ok(&["deploy", "--client", "all", "--project-dir", dir]);
    assert_eq!(again["up_to_date"], 3, "{again}");

    // drift in one project file: that client is refused, the others stay
    let cursor = project.join(".cursor/mcp.json");
    let text = std::fs::read_to_string(&cursor).unwrap();
    std::fs::write(&cursor, text.replace("server-memory", "server-memory-fork")).unwrap();
    env.cli_ok(&["draft", "add", "time", "--client", "all"]);
    env.cli_ok(&["publish", "--client", "all"]);
    let (code, partial, _) = env.cli(&["deploy", "--client", "all", "--project-dir", dir]);
    assert_ne!(code, 0);
    assert_eq!(of(&partial, "cursor")["outcome"], "refused", "{partial}");
    assert_eq!(of(&partial, "vscode")["outcome"], "deployed", "{partial}");
    assert!(
        std::fs::read_to_string(project.join(".vscode/mcp.json"))
            .unwrap()
            .contains("mcp-server-time")
    );

    // a directory that is not one, and the home directory, refuse the whole deploy
    let (code, _, stderr) = env.cli(&[
        "deploy",
        "--client",
        "all",
        "--project-dir",
        "/nonexistent/x",
    ]);
    assert_ne!(code, 0);
    assert!(stderr.contains("project_dir"), "{stderr}");
    let home = env.home();
    let (code, _, stderr) = env.cli(&[
        "deploy",
        "--client",
        "all",
        "--project-dir",
        home.to_str().unwrap(),
    ]);
    assert_ne!(code, 0, "{stderr}");
    assert!(!env.file(".vscode/mcp.json").exists());

    // import reads the project files of the clients that have one
    let other = env.home().join("work/other");
    std::fs::create_dir_all(other.join(".git")).unwrap();
    std::fs::create_dir_all(other.join(".cursor")).unwrap();
    std::fs::write(
        other.join(".cursor/mcp.json"),
        r#"{"mcpServers": {"docs": {"command": "docs-server"}}}"#,
    )
    .unwrap();
    let imported = env.cli_ok(&[
        "config",
        "import",
        "--client",
        "all",
        "--profile",
        "other",
        "--project-dir",
        other.to_str().unwrap(),
    ]);
    assert_eq!(imported["imported"], json!(["docs"]), "{imported}");
    assert_eq!(imported["read"]["cursor"], json!(["docs"]), "{imported}");
    assert!(imported["skipped"]["goose"].is_string(), "{imported}");
    assert!(
        imported["no_file"]
            .as_array()
            .unwrap()
            .contains(&json!("vscode"))
    );
}

#[test]
fn secrets_as_references_reach_each_client_in_its_own_syntax() {
    let env = with(&[CURSOR, VSCODE, CODEX, CLAUDE_CODE]);
    let secret = "ghp_referenceOnly0000000000001";
    env.cli_ok(&[
        "draft",
        "add",
        "github",
        "--client",
        "all",
        "--env",
        &format!("GITHUB_PERSONAL_ACCESS_TOKEN={secret}"),
    ]);
    env.cli_ok(&["publish", "--client", "all"]);
    let (code, deployed, stderr) =
        env.cli(&["deploy", "--client", "all", "--secrets", "reference"]);
    // Codex has no reference syntax of its own: refused by name, as alone
    assert_ne!(code, 0, "{stderr}");
    let codex = of(&deployed, "codex");
    assert_eq!(codex["outcome"], "refused", "{deployed}");
    assert!(
        codex["reason"].as_str().unwrap().contains("secrets"),
        "{codex}"
    );
    assert_eq!(read(&env, CODEX.0), CODEX.1);
    for (client, path, reference) in [
        ("cursor", CURSOR.0, "${env:"),
        ("vscode", VSCODE.0, "${input:"),
        ("claude-code", CLAUDE_CODE.0, "${"),
    ] {
        assert_eq!(of(&deployed, client)["outcome"], "deployed", "{deployed}");
        let text = read(&env, path);
        assert!(!text.contains(secret), "{client}: {text}");
        assert!(text.contains(reference), "{client}: {text}");
    }
    assert!(read(&env, VSCODE.0).contains("promptString"));
    // nothing anywhere in HOME holds the value
    for (path, _) in [CURSOR, VSCODE, CODEX, CLAUDE_CODE] {
        assert!(!read(&env, path).contains(secret), "{path}");
    }
}

#[test]
fn plain_status_shows_each_published_profile_of_all() {
    let env = with(&[CURSOR, VSCODE]);
    let before = env.cli_ok(&["status"]);
    assert!(before.get("all_profiles").is_none(), "{before}");
    env.cli_ok(&["draft", "add", "memory", "--client", "all"]);
    env.cli_ok(&["publish", "--client", "all"]);
    env.cli_ok(&["deploy", "--client", "all"]);
    env.cli_ok(&["draft", "add", "time", "--client", "all"]);
    env.cli_ok(&["publish", "--client", "all"]);
    let status = env.cli_ok(&["status"]);
    let profile = &status["all_profiles"][0];
    assert_eq!(profile["profile_id"], "default", "{status}");
    assert_eq!(profile["behind"], 2, "{status}");
    let (code, text, stderr) = human(&env, &["status"]);
    assert_eq!(code, 0, "{stderr}");
    assert!(
        text.contains("profile default of all: cursor behind, vscode behind"),
        "{text}"
    );
    env.cli_ok(&["deploy", "--client", "all"]);
    let cursor = env.file(CURSOR.0);
    let text = std::fs::read_to_string(&cursor).unwrap();
    std::fs::write(&cursor, text.replace("server-memory", "server-memory-fork")).unwrap();
    let (_, text, _) = human(&env, &["status"]);
    assert!(
        text.contains("profile default of all: cursor drifted, vscode in step"),
        "{text}"
    );
}

#[test]
fn the_readme_workflow_runs_as_written() {
    let env = with(&[CURSOR, VSCODE, CODEX, GOOSE, DESKTOP]);
    let readme =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../../README.md")).unwrap();
    let section = readme
        .split("### The same servers everywhere")
        .nth(1)
        .and_then(|rest| rest.split("```console").nth(1))
        .and_then(|rest| rest.split("```").next())
        .expect("the README's workflow block");
    let commands: Vec<Vec<String>> = section
        .lines()
        .filter_map(|line| line.strip_prefix("$ imprint "))
        .map(|line| {
            let line = line.split("   #").next().unwrap().trim();
            // the shell would drop the quotes; the example token is a placeholder
            shell_words(&line.replace("ghp_…", "ghp_readmeExample0001"))
        })
        .collect();
    assert_eq!(commands.len(), 5, "{section}");
    let mut last = String::new();
    for args in &commands {
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let (code, text, stderr) = human(&env, &args);
        assert_eq!(code, 0, "imprint {args:?}: {text} {stderr}");
        last = text;
    }
    for client in ["claude-desktop", "codex", "cursor", "goose", "vscode"] {
        assert!(last.contains(&format!("{client} in step")), "{last}");
    }
    assert!(read(&env, CODEX.0).contains("[mcp_servers.github]"));
}

/// Splits a README command line as a shell would: words, double quotes kept together.
fn shell_words(line: &str) -> Vec<String> {
    let mut words = Vec::new();
    let mut word = String::new();
    let mut quoted = false;
    for c in line.chars() {
        match c {
            '"' => quoted = !quoted,
            ' ' if !quoted => {
                if !word.is_empty() {
                    words.push(std::mem::take(&mut word));
                }
            }
            c => word.push(c),
        }
    }
    if !word.is_empty() {
        words.push(word);
    }
    words
}
