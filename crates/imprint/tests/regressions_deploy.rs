//! Regressions of issue 11 in the deploy path, each named after the defect, through the real
//! binary: a deploy killed between replacing the client's file and recording the deploy, a
//! write that fails part-way, and secrets written into a world-readable file.

mod http_support;
mod support;

use std::path::{Path, PathBuf};
use std::process::Output;

use serde_json::Value;
use support::{BIN, TestEnv};

fn status_row<'a>(status: &'a Value, client: &str) -> &'a Value {
    status["files"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["client_id"] == client && f["scope"] == "user")
        .unwrap_or_else(|| panic!("no {client} row in {status}"))
}

/// Runs `imprint --json ARGS` with the fault hook set to crash at `point`.
fn crashing(env: &TestEnv, point: &str, args: &[&str]) -> Output {
    env.command()
        .current_dir(env.dir.path())
        .env("IMPRINT_FAULT_INJECT", point)
        .arg("--json")
        .args(args)
        .output()
        .unwrap()
}

fn assert_aborted(output: &Output) {
    assert!(!output.status.success(), "the deploy must crash");
    #[cfg(unix)]
    {
        use std::os::unix::process::ExitStatusExt;
        assert_eq!(
            output.status.signal(),
            Some(6),
            "aborted, not a panic: {}",
            String::from_utf8_lossy(&output.stderr)
        );
    }
}

/// memory deployed, then filesystem added and published: the next deploy is the one to crash.
fn deployed_then_changed(env: &TestEnv) -> PathBuf {
    env.cli_ok(&["draft", "add", "memory"]);
    env.cli_ok(&["publish"]);
    let first = env.cli_ok(&["deploy"]);
    let path = PathBuf::from(first["path"].as_str().unwrap());
    env.cli_ok(&["draft", "add", "filesystem", "--param", "path=/tmp"]);
    env.cli_ok(&["publish"]);
    path
}

fn names_in(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .map(|entries| {
            entries
                .filter_map(Result::ok)
                .map(|e| e.file_name().to_string_lossy().into_owned())
                .collect()
        })
        .unwrap_or_default();
    names.sort();
    names
}

#[test]
fn a_deploy_killed_after_the_rename_is_not_taken_for_a_hand_edit() {
    let env = TestEnv::new();
    let path = deployed_then_changed(&env);
    let crashed = crashing(&env, "deploy-after-rename", &["deploy"]);
    assert_aborted(&crashed);
    let text = std::fs::read_to_string(&path).unwrap();
    assert!(
        text.contains("server-filesystem"),
        "the new file is in place: {text}"
    );

    // status, the deployed view and diff --deployed agree: Imprint's own write, up to date
    let status = env.cli_ok(&["status"]);
    let row = status_row(&status, "claude-desktop");
    assert_eq!(row["state"], "in-sync", "{row}");
    assert_eq!(row["drift"]["drifted"], false, "{row}");
    assert_eq!(row["unmanaged"], serde_json::json!([]), "{row}");
    let latest = row["latest_artifact_id"].clone();
    assert_eq!(row["deployed"]["artifact_id"], latest, "{row}");
    let diff = env.cli_ok(&["config", "diff", "--deployed"]);
    assert_eq!(diff["deployed"]["drift_detected"], false, "{diff}");
    assert_eq!(diff["deployed"]["up_to_date"], true, "{diff}");
    assert_eq!(diff["deployed"]["artifact_id"], latest, "{diff}");

    // and the next deploy needs no --force: nothing left to write
    let (code, again, stderr) = env.cli(&["deploy"]);
    assert_eq!(code, 0, "the next deploy is refused: {stderr}");
    assert_eq!(again["added"], serde_json::json!([]), "{again}");
    assert_eq!(
        again["unchanged"],
        serde_json::json!(["filesystem", "memory"]),
        "{again}"
    );
    assert_eq!(again["backup_path"], Value::Null, "not rewritten: {again}");
}

#[test]
fn a_deploy_killed_before_the_rename_leaves_no_intent_that_counts() {
    let env = TestEnv::new();
    let path = deployed_then_changed(&env);
    let before = std::fs::read_to_string(&path).unwrap();
    let crashed = crashing(&env, "deploy-before-rename", &["deploy"]);
    assert_aborted(&crashed);
    assert_eq!(std::fs::read_to_string(&path).unwrap(), before);

    // the intent named bytes that never landed: the file is the first deploy's, outdated
    let status = env.cli_ok(&["status"]);
    let row = status_row(&status, "claude-desktop");
    assert_eq!(row["state"], "outdated", "{row}");
    assert_eq!(row["drift"]["drifted"], false, "{row}");
    let diff = env.cli_ok(&["config", "diff", "--deployed"]);
    assert_eq!(diff["deployed"]["up_to_date"], false, "{diff}");
    assert_eq!(diff["deployed"]["drift_detected"], false, "{diff}");
    let deployed = env.cli_ok(&["deploy"]);
    assert_eq!(deployed["added"], serde_json::json!(["filesystem"]));
}

/// A write that fails part-way (here the process's file size limit, EFBIG: the same path as
/// a full disk's ENOSPC, which a test cannot cause without mounting a small file system) leaves
/// the client's file as it was, no temp file, no backup, no deploy recorded, and says why.
#[cfg(unix)]
#[test]
fn a_deploy_whose_write_fails_leaves_nothing_behind_and_says_why() {
    let env = TestEnv::new();
    env.cli_ok(&["draft", "add", "memory"]);
    env.cli_ok(&["publish"]);
    let never = env.cli_ok(&["config", "deployed"]);
    let path = PathBuf::from(never["path"].as_str().unwrap());
    // just under the 2 MiB limit, so the backup copy fits and the larger new file does not
    const LIMIT_KIB: usize = 2048;
    let filler = "x".repeat(LIMIT_KIB * 1024 - 60);
    let original = format!("{{\n  \"note\": \"{filler}\"\n}}\n");
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(&path, &original).unwrap();
    let database = std::fs::metadata(env.data().join("imprint.db"))
        .unwrap()
        .len();
    assert!(
        database < (LIMIT_KIB as u64) * 1024 / 2,
        "the database ({database} bytes) must stay writable under the limit"
    );

    // a shell that ignores SIGXFSZ (inherited across exec) so the write fails with EFBIG
    let mut command = std::process::Command::new("bash");
    env.apply_env(&mut command);
    let output = command
        .args([
            "-c",
            &format!("trap '' XFSZ; ulimit -f {LIMIT_KIB}; exec \"$0\" --json deploy"),
            BIN,
        ])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(!output.status.success(), "the deploy must fail: {stderr}");
    assert!(
        stderr.contains("file size limit") && stderr.contains("nothing was left behind"),
        "{stderr}"
    );
    assert!(stderr.contains(path.to_str().unwrap()), "{stderr}");
    assert_eq!(std::fs::read_to_string(&path).unwrap(), original);
    let leftovers: Vec<String> = names_in(path.parent().unwrap())
        .into_iter()
        .filter(|name| name != "claude_desktop_config.json")
        .collect();
    assert_eq!(leftovers, Vec::<String>::new(), "left beside the file");
    assert_eq!(
        names_in(&env.data().join("backups").join("claude-desktop")),
        Vec::<String>::new(),
        "the backup of a deploy that did not happen is discarded"
    );
    let deployed = env.cli_ok(&["config", "deployed"]);
    assert_eq!(deployed["deployed"], false, "{deployed}");

    // without the limit the same deploy goes through
    let ok = env.cli_ok(&["deploy"]);
    assert_eq!(ok["added"], serde_json::json!(["memory"]));
}

const BEARER_TOKEN: &str = "acme-bearer-9f8e7d6c5b4a3210";
const API_KEY: &str = "acme-api-key-1a2b3c4d5e6f";

fn database_holds(env: &TestEnv, needle: &str) -> bool {
    ["imprint.db", "imprint.db-wal"].iter().any(|file| {
        std::fs::read(env.data().join(file))
            .unwrap_or_default()
            .windows(needle.len())
            .any(|window| window == needle.as_bytes())
    })
}

fn assert_no_header_value(what: &str, answer: &Value) {
    let text = answer.to_string();
    for value in [BEARER_TOKEN, API_KEY] {
        assert!(!text.contains(value), "{what} shows {value}: {text}");
    }
}

#[test]
fn header_credentials_of_a_catalog_entry_are_stored_encrypted_and_never_shown() {
    let env = TestEnv::new();
    let definition = env.write(
        "acme.json",
        &serde_json::json!({
            "server_id": "acme",
            "transport": "http",
            "url": "https://mcp.acme.example/mcp",
            "headers": {
                "Authorization": format!("Bearer {BEARER_TOKEN}"),
                "X-Api-Key": API_KEY,
                "X-Region": "eu-west",
            },
        })
        .to_string(),
    );
    let registered = env.cli_ok(&["servers", "register", definition.to_str().unwrap()]);
    assert_no_header_value("register_server", &registered);
    assert_eq!(registered["secrets"].as_array().map(Vec::len), Some(2));
    let described = env.cli_ok(&["servers", "describe", "acme"]);
    assert_no_header_value("describe (CLI)", &described);
    let headers = described["headers"].clone();
    assert!(
        headers["Authorization"]
            .as_str()
            .unwrap()
            .starts_with("Bearer ${secret:ACME_AUTHORIZATION@"),
        "{headers}"
    );
    assert!(
        headers["X-Api-Key"]
            .as_str()
            .unwrap()
            .starts_with("${secret:"),
        "{headers}"
    );
    assert_eq!(
        headers["X-Region"], "eu-west",
        "not a credential: {headers}"
    );
    for value in [BEARER_TOKEN, API_KEY] {
        assert!(
            !database_holds(&env, value),
            "{value} is in the database file"
        );
    }

    let token = http_support::token(&env, "reader");
    let server = http_support::Server::start(&env, &[]);
    let rest = server.get("/v1/servers/acme", &token);
    assert_eq!(rest.status, 200, "{}", rest.body);
    assert_no_header_value("GET /v1/servers/acme", &rest.json());
    let tool = server.tool(
        &token,
        "describe_server",
        serde_json::json!({"server_id": "acme"}),
    );
    assert_no_header_value("describe_server (MCP)", &tool);
    assert!(tool.to_string().contains("${secret:"), "{tool}");
    server.terminate();

    // the draft and the artifact hold references; the deployed file the working values
    env.cli_ok(&["draft", "add", "acme", "--client", "claude-code"]);
    let draft = env.cli_ok(&["draft", "show", "--client", "claude-code"]);
    assert_no_header_value("the draft", &draft);
    env.cli_ok(&["publish", "--client", "claude-code"]);
    let deployed = env.cli_ok(&["deploy", "--client", "claude-code"]);
    assert_no_header_value("deploy", &deployed);
    let file = support::read_json(Path::new(deployed["path"].as_str().unwrap()));
    let written = &file["mcpServers"]["acme"]["headers"];
    assert_eq!(
        written["Authorization"],
        format!("Bearer {BEARER_TOKEN}"),
        "{file}"
    );
    assert_eq!(written["X-Api-Key"], API_KEY, "{file}");
}

/// Deploys a server with a secret env value into Claude Code's file, created beforehand with
/// `mode`, and returns the deploy's answer (JSON) and its human output.
#[cfg(unix)]
fn deploy_secret_into_file_with_mode(mode: u32) -> (Value, String, PathBuf) {
    use std::os::unix::fs::PermissionsExt;
    let env = TestEnv::new();
    let path = env.write(".claude.json", "{\n  \"numStartups\": 3\n}\n");
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(mode)).unwrap();
    env.cli_ok(&[
        "draft",
        "add",
        "github",
        "--client",
        "claude-code",
        "--env",
        "GITHUB_PERSONAL_ACCESS_TOKEN=ghp_0123456789abcdefghijABCDEFGHIJ012345",
    ]);
    env.cli_ok(&["publish", "--client", "claude-code"]);
    let (code, answer, stderr) = env.cli(&["deploy", "--client", "claude-code"]);
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(answer["secret_values_written"], 1, "{answer}");
    // the human output of a second, identical deploy (nothing to rewrite, same warning)
    let human = env
        .command()
        .args(["deploy", "--client", "claude-code"])
        .output()
        .unwrap();
    let human = String::from_utf8_lossy(&human.stdout).into_owned();
    (answer, human, path)
}

#[cfg(unix)]
#[test]
fn secret_values_deployed_into_a_world_readable_file_are_warned_about() {
    let (answer, human, path) = deploy_secret_into_file_with_mode(0o644);
    let warnings = answer["warnings"].as_array().expect("warnings");
    assert_eq!(warnings.len(), 1, "{answer}");
    let warning = &warnings[0];
    assert_eq!(warning["code"], "SECRETS_IN_READABLE_FILE");
    assert_eq!(warning["mode"], "0644");
    let message = warning["message"].as_str().unwrap();
    assert!(message.contains(path.to_str().unwrap()), "{message}");
    assert!(message.contains("mode 0644"), "{message}");
    assert!(message.contains("--secrets reference"), "{message}");
    assert!(message.contains("chmod 600"), "{message}");
    assert!(human.contains("warning:"), "{human}");
    assert!(human.contains("--secrets reference"), "{human}");
}

#[cfg(unix)]
#[test]
fn secret_values_deployed_into_a_private_file_get_no_warning() {
    let (answer, human, _) = deploy_secret_into_file_with_mode(0o600);
    assert_eq!(answer["warnings"], serde_json::json!([]), "{answer}");
    assert!(!human.contains("warning"), "{human}");
}
