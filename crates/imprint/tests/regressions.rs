//! One regression test per defect found by the red-team pass over the release binary,
//! each named after the defect and run through the real `imprint` executable.

mod http_support;
mod support;

use std::io::{Read as _, Write as _};
use std::net::TcpStream;
use std::process::Stdio;
use std::time::{Duration, Instant};

use http_support::Server;

use rmcp::ServiceExt as _;
use rmcp::transport::TokioChildProcess;
use serde_json::json;
use support::{BIN, Mcp, TestEnv};
use tokio::io::AsyncReadExt as _;

/// A recognizable secret that must never reach a log line.
const SECRET_VALUE: &str = "red-team-canary-7f3a9c";

/// Starts `imprint serve` over stdio with `IMPRINT_LOG=filter`, calls `set_secret`, and
/// returns everything the server wrote to stderr.
async fn stderr_of_set_secret(env: &TestEnv, filter: &str) -> String {
    std::fs::create_dir_all(env.home()).unwrap();
    let mut command = tokio::process::Command::new(BIN);
    command
        .env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .env("HOME", env.home())
        .env("IMPRINT_HOME", env.data())
        .env("USER", "tester")
        .env("IMPRINT_LOG", filter)
        .arg("serve");
    let (transport, stderr) = TokioChildProcess::builder(command)
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stderr = stderr.expect("stderr is piped");
    let collector = tokio::spawn(async move {
        let mut text = String::new();
        let _ = stderr.read_to_string(&mut text).await;
        text
    });
    let mcp = Mcp {
        client: ().serve(transport).await.unwrap(),
    };
    mcp.ok(
        "set_secret",
        json!({"name": "RED_TEAM", "value": SECRET_VALUE}),
    )
    .await;
    mcp.ok(
        "add_server_to_config",
        json!({"server_id": "brave-search", "env_vars": {"BRAVE_API_KEY": SECRET_VALUE}}),
    )
    .await;
    mcp.close().await;
    tokio::time::timeout(std::time::Duration::from_secs(30), collector)
        .await
        .expect("the server exits once the client closes")
        .unwrap()
}

#[tokio::test]
async fn debug_logging_never_prints_secret_tool_arguments() {
    for filter in ["debug", "rmcp=trace", "rmcp::service=debug", "trace"] {
        let env = TestEnv::new();
        let stderr = stderr_of_set_secret(&env, filter).await;
        assert!(
            !stderr.contains(SECRET_VALUE),
            "IMPRINT_LOG={filter} printed a secret:\n{stderr}"
        );
        if filter == "rmcp::service=debug" {
            // The filter is live: rmcp's own info lines still come through.
            assert!(
                stderr.contains("initialized"),
                "IMPRINT_LOG={filter} logged nothing from rmcp:\n{stderr}"
            );
        }
    }
}

/// Answers `GET /healthz` on a fresh connection, or gives up at `deadline`.
fn healthz_before(addr: &str, deadline: Instant) -> Result<u16, String> {
    let mut stream = TcpStream::connect(addr).map_err(|e| format!("connect: {e}"))?;
    let left = deadline.saturating_duration_since(Instant::now());
    stream
        .set_read_timeout(Some(left.max(Duration::from_millis(1))))
        .unwrap();
    write!(
        stream,
        "GET /healthz HTTP/1.1\r\nhost: {addr}\r\nconnection: close\r\n\r\n"
    )
    .map_err(|e| format!("write: {e}"))?;
    let mut reply = String::new();
    stream
        .read_to_string(&mut reply)
        .map_err(|e| format!("no answer in time: {e}"))?;
    reply
        .split_whitespace()
        .nth(1)
        .and_then(|status| status.parse().ok())
        .ok_or_else(|| format!("not an HTTP reply: {reply:?}"))
}

#[test]
fn silent_connections_beyond_the_fd_limit_do_not_starve_healthz() {
    let env = TestEnv::new();
    // 300 silent sockets against a server allowed 256 file descriptors: before the fix it
    // accepted until EMFILE and never answered again.
    let server = Server::start_with_fd_limit(
        &env,
        256,
        &["--max-connections", "64", "--header-timeout", "1"],
    );
    let silent: Vec<TcpStream> = (0..300)
        .map(|_| TcpStream::connect(&server.addr).unwrap())
        .collect();
    let deadline = Instant::now() + Duration::from_secs(20);
    assert_eq!(healthz_before(&server.addr, deadline), Ok(200));
    // The silent ones were closed by the header timeout, not kept open forever.
    let mut first = &silent[0];
    first
        .set_read_timeout(Some(Duration::from_secs(10)))
        .unwrap();
    let mut buffer = [0u8; 16];
    assert_eq!(
        first.read(&mut buffer).map_err(|e| e.kind()),
        Ok(0),
        "a silent connection stays open"
    );
}

#[test]
fn idle_keep_alive_connections_are_closed() {
    let env = TestEnv::new();
    let server = Server::start(&env, &["--header-timeout", "1"]);
    let mut stream = TcpStream::connect(&server.addr).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(10)))
        .unwrap();
    write!(
        stream,
        "GET /healthz HTTP/1.1\r\nhost: {}\r\n\r\n",
        server.addr
    )
    .unwrap();
    let started = Instant::now();
    // The answer, then the end of the stream once the connection has idled a second.
    let mut received = Vec::new();
    let outcome = stream.read_to_end(&mut received).map_err(|e| e.kind());
    let text = String::from_utf8_lossy(&received);
    assert!(text.starts_with("HTTP/1.1 200"), "{text}");
    assert!(
        outcome.is_ok(),
        "the idle connection was kept open: {outcome:?}"
    );
    assert!(started.elapsed() < Duration::from_secs(10));
}

#[test]
fn login_with_a_control_character_in_next_redirects_to_the_panel() {
    let env = TestEnv::new();
    let server = Server::start(&env, &[]);
    let login = server.login_url.strip_prefix(&server.url()).unwrap();
    for next in [
        "/cp%01",
        "/cp%00",
        "/cp%7F",
        "/cp%1B",
        "/cp/%0d%0aset-cookie:x=1",
        "/cp/%E9",
    ] {
        let reply = server.send("GET", &format!("{login}&next={next}"), &[], None);
        assert_eq!(reply.status, 303, "next={next}: {}", reply.body);
        assert_eq!(reply.header("location"), Some("/cp"), "next={next}");
        assert!(reply.header("set-cookie").is_some(), "next={next}");
    }
    let kept = server.send("GET", &format!("{login}&next=/cp/configs"), &[], None);
    assert_eq!(kept.header("location"), Some("/cp/configs"));
}

/// Exit code 7: an integrity failure.
const INTEGRITY: i32 = 7;

#[test]
fn an_emptied_database_next_to_signing_keys_is_refused_not_taken_as_new() {
    let env = TestEnv::new();
    env.cli_ok(&["keys", "init"]);
    env.cli_ok(&["draft", "add", "memory"]);
    let database = env.data().join("imprint.db");
    std::fs::write(&database, b"").unwrap();
    let (code, _, stderr) = env.cli(&["status"]);
    assert_eq!(code, INTEGRITY, "{stderr}");
    for words in ["empty", "signing keys", "backup", "keys/"] {
        assert!(stderr.contains(words), "{words:?} missing from {stderr}");
    }
    // Nothing was written over the evidence.
    assert_eq!(std::fs::metadata(&database).unwrap().len(), 0);

    // Without keys an empty file is still a fresh store.
    let fresh = TestEnv::new();
    std::fs::create_dir_all(fresh.data()).unwrap();
    std::fs::write(fresh.data().join("imprint.db"), b"").unwrap();
    fresh.cli_ok(&["status"]);
}

#[test]
fn a_malformed_database_exits_with_the_integrity_code() {
    let env = TestEnv::new();
    env.cli_ok(&["status"]);
    let database = env.data().join("imprint.db");
    let noise: Vec<u8> = (0..8192u32)
        .map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8)
        .collect();
    std::fs::write(&database, noise).unwrap();
    let (code, _, stderr) = env.cli(&["status"]);
    assert_eq!(code, INTEGRITY, "{stderr}");
    assert!(stderr.contains("imprint.db"), "{stderr}");
    assert!(stderr.contains("backup"), "{stderr}");
}

/// Runs the CLI with `--json` and a deadline: a command that hangs fails the test instead
/// of hanging it. Returns (exit code, stdout parsed, stderr).
fn cli_within(env: &TestEnv, args: &[&str], limit: Duration) -> (i32, serde_json::Value, String) {
    let mut child = env
        .command()
        .arg("--json")
        .args(args)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let deadline = Instant::now() + limit;
    while child.try_wait().unwrap().is_none() {
        if Instant::now() > deadline {
            let _ = child.kill();
            let _ = child.wait();
            panic!("imprint {args:?} still running after {limit:?}");
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    let output = child.wait_with_output().unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    (
        output.status.code().unwrap_or(-1),
        serde_json::from_str(&stdout).unwrap_or_default(),
        String::from_utf8_lossy(&output.stderr).to_string(),
    )
}

#[cfg(unix)]
#[test]
fn a_fifo_at_a_client_config_path_is_refused_without_hanging() {
    let env = TestEnv::new();
    let fifo = env.file(".cursor/mcp.json");
    std::fs::create_dir_all(fifo.parent().unwrap()).unwrap();
    let made = std::process::Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .unwrap();
    assert!(made.success());
    env.cli_ok(&["draft", "add", "memory", "--client", "cursor"]);
    env.cli_ok(&["publish", "--client", "cursor"]);

    let limit = Duration::from_secs(20);
    let (code, _, stderr) = cli_within(&env, &["deploy", "--client", "cursor"], limit);
    assert_eq!(code, 3, "{stderr}");
    let path = fifo.display().to_string();
    assert!(stderr.contains(&path), "{stderr}");
    assert!(stderr.contains("not a regular file"), "{stderr}");

    let (code, status, stderr) = cli_within(&env, &["status"], limit);
    assert_eq!(code, 0, "{stderr}");
    let rows = status["files"].as_array().cloned().unwrap_or_default();
    let cursor = rows
        .iter()
        .find(|row| row["client_id"] == "cursor" && row["scope"] == "user")
        .unwrap_or_else(|| panic!("cursor missing from {status}"));
    let text = cursor.to_string();
    assert!(text.contains(&path), "{text}");
    assert!(text.contains("not a regular file"), "{text}");
    // still a FIFO: nothing replaced it
    use std::os::unix::fs::FileTypeExt as _;
    assert!(std::fs::metadata(&fifo).unwrap().file_type().is_fifo());
}

/// Every file under the test home with its bytes: what a refused command must leave as is.
fn files_under(dir: &std::path::Path) -> std::collections::BTreeMap<std::path::PathBuf, Vec<u8>> {
    let mut files = std::collections::BTreeMap::new();
    let mut pending = vec![dir.to_path_buf()];
    while let Some(dir) = pending.pop() {
        let Ok(entries) = std::fs::read_dir(&dir) else {
            continue;
        };
        for entry in entries.flatten() {
            let path = entry.path();
            if path.is_dir() {
                pending.push(path);
            } else if let Ok(bytes) = std::fs::read(&path) {
                files.insert(path, bytes);
            }
        }
    }
    files
}

/// Copies the `(artifact_id, envelope)` of one revision row over another's, the way an
/// attacker with write access to the database file would: both are validly signed.
fn copy_envelope(env: &TestEnv, from: (&str, i64), to: (&str, i64)) {
    let db = rusqlite::Connection::open(env.data().join("imprint.db")).unwrap();
    let changed = db
        .execute(
            "UPDATE revisions SET (artifact_id, envelope) = \
             (SELECT artifact_id, envelope FROM revisions WHERE document = ?1 AND seq = ?2) \
             WHERE document = ?3 AND seq = ?4",
            rusqlite::params![from.0, from.1, to.0, to.1],
        )
        .unwrap();
    assert_eq!(changed, 1, "no revision {to:?} to overwrite");
}

#[test]
fn an_envelope_copied_into_a_later_revision_row_is_refused() {
    let env = TestEnv::new();
    env.cli_ok(&["draft", "add", "memory"]);
    env.cli_ok(&["publish"]);
    env.cli_ok(&["draft", "add", "fetch"]);
    env.cli_ok(&["publish"]);
    env.cli_ok(&["deploy"]);
    copy_envelope(
        &env,
        ("config/claude-desktop/default", 1),
        ("config/claude-desktop/default", 2),
    );
    let before = files_under(&env.home());

    for args in [
        &["config", "get"][..],
        &["deploy"][..],
        &["deploy", "--force"][..],
    ] {
        let (code, _, stderr) = env.cli(args);
        assert_eq!(code, INTEGRITY, "imprint {args:?}: {stderr}");
        assert!(stderr.contains("revision 2"), "{stderr}");
        assert!(stderr.contains("copied or moved"), "{stderr}");
    }
    let (code, verification, stderr) = env.cli(&["config", "verify"]);
    assert_eq!(
        verification["valid"], false,
        "{code} {verification} {stderr}"
    );
    assert_eq!(files_under(&env.home()), before, "a refused deploy wrote");
}

#[test]
fn another_clients_head_envelope_is_not_deployed_into_claude_desktop() {
    let env = TestEnv::new();
    env.cli_ok(&["draft", "add", "memory"]);
    env.cli_ok(&["publish"]);
    env.cli_ok(&["deploy"]);
    env.cli_ok(&["draft", "add", "fetch", "--client", "cursor"]);
    env.cli_ok(&["publish", "--client", "cursor"]);
    copy_envelope(
        &env,
        ("config/cursor/default", 1),
        ("config/claude-desktop/default", 1),
    );
    let before = files_under(&env.home());

    for args in [&["deploy"][..], &["deploy", "--force"][..]] {
        let (code, _, stderr) = env.cli(args);
        assert_eq!(code, INTEGRITY, "imprint {args:?}: {stderr}");
        assert!(stderr.contains("config/cursor/default"), "{stderr}");
    }
    assert_eq!(files_under(&env.home()), before, "a refused deploy wrote");
    // Cursor's own head is still fine where it belongs.
    env.cli_ok(&["config", "get", "--client", "cursor"]);
}

#[test]
fn a_content_revision_envelope_copied_into_a_later_row_is_refused() {
    let env = TestEnv::new();
    let entry_type = env.cli_ok(&["content", "create-entry-type", "--name", "Note"]);
    let entry_type = entry_type["entryTypeId"].to_string();
    let section = env.cli_ok(&[
        "content",
        "create-section",
        "--name",
        "Notes",
        "--entry-type-ids",
        &entry_type,
    ]);
    let section = section["sectionId"].to_string();
    let created = env.cli_ok(&[
        "content",
        "create-entry",
        "--section",
        &section,
        "--data",
        "{\"title\": \"First\"}",
    ]);
    let entry = created["entryId"].to_string();
    env.cli_ok(&[
        "content",
        "update-entry",
        &entry,
        "--data",
        "{\"title\": \"Second\"}",
    ]);
    let document = format!("entry/{entry}/1");
    copy_envelope(&env, (&document, 1), (&document, 2));
    let (code, _, stderr) = env.cli(&["content", "revision", &entry, "2"]);
    assert_eq!(code, INTEGRITY, "{stderr}");
    assert!(stderr.contains("copied or moved"), "{stderr}");
    // Revision 1 is where it belongs and still served.
    let first = env.cli_ok(&["content", "revision", &entry, "1"]);
    assert_eq!(first["content"]["title"], "First", "{first}");
}

/// Signs in to the panel with the launch URL and returns the session cookie.
fn panel_cookie(server: &Server) -> String {
    let login = server.login_url.strip_prefix(&server.url()).unwrap();
    let reply = server.send("GET", login, &[], None);
    assert_eq!(reply.status, 303, "{}", reply.body);
    reply
        .header("set-cookie")
        .unwrap()
        .split(';')
        .next()
        .unwrap()
        .to_string()
}

#[tokio::test]
async fn a_nul_in_a_search_query_is_invalid_input_on_every_surface() {
    let env = TestEnv::new();
    let mcp = env.mcp().await;
    let outcome = mcp
        .call("search_content", json!({"query": "summer\u{0}recipes"}))
        .await;
    assert!(outcome.is_error, "{:?}", outcome.body);
    assert_eq!(outcome.body["error"]["code"], "invalid_input");
    assert!(
        outcome.message().contains("U+0000"),
        "{}",
        outcome.message()
    );
    mcp.close().await;

    let token = http_support::token(&env, "nul");
    let server = Server::start(&env, &[]);
    let reply = server.get("/v1/content/search?query=summer%00recipes", &token);
    // 422 is REST's status for every invalid_input (a 4xx the caller can fix, not a 500)
    assert_eq!(reply.status, 422, "{}", reply.body);
    assert_eq!(reply.json()["error"]["code"], "invalid_input");

    let cookie = panel_cookie(&server);
    let page = server.send(
        "GET",
        "/cp/entries?query=summer%00recipes",
        &[("cookie", &cookie)],
        None,
    );
    assert_eq!(page.status, 200, "{}", page.body);
    assert!(page.body.contains("control character"), "{}", page.body);
    assert!(!page.body.contains("storage failure"), "{}", page.body);
}

/// `imprint serve` over stdio with stderr on `/dev/full`: every log line fails to write.
#[cfg(target_os = "linux")]
async fn serve_with_unwritable_stderr(env: &TestEnv) -> support::Mcp {
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
        .stderr(std::fs::File::create("/dev/full").unwrap())
        .spawn()
        .unwrap();
    Mcp {
        client: ().serve(transport).await.unwrap(),
    }
}

#[cfg(target_os = "linux")]
#[tokio::test]
async fn an_internal_error_is_still_answered_when_stderr_cannot_be_written() {
    let env = TestEnv::new();
    let mcp = serve_with_unwritable_stderr(&env).await;
    mcp.ok("add_server_to_config", json!({"server_id": "memory"}))
        .await;
    // Break the store under the running server: the next draft read is an internal error,
    // which is logged (to /dev/full) and must still be answered.
    let db = rusqlite::Connection::open(env.data().join("imprint.db")).unwrap();
    db.execute_batch("DROP TABLE draft_items").unwrap();
    drop(db);
    let call = mcp.client.call_tool(
        rmcp::model::CallToolRequestParams::new("view_draft_config")
            .with_arguments(serde_json::Map::new()),
    );
    let answer = tokio::time::timeout(Duration::from_secs(20), call)
        .await
        .expect("no answer: the failed log write took the call down");
    let error = answer.expect_err("a dropped table is an internal error");
    assert!(error.to_string().contains("internal error"), "{error}");
    // and the server keeps serving
    let clients = mcp.ok("list_clients", json!({})).await;
    assert!(clients.to_string().contains("claude-desktop"));
    mcp.close().await;

    // The CLI still exits by kind (not 101 from a panicking eprintln!).
    let output = env
        .command()
        .args(["draft", "show"])
        .stderr(std::fs::File::create("/dev/full").unwrap())
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1), "{output:?}");
}

#[test]
fn project_dir_refuses_system_directories_and_plain_directories() {
    let env = TestEnv::new();
    env.cli_ok(&["draft", "add", "memory", "--client", "claude-code"]);
    env.cli_ok(&["publish", "--client", "claude-code"]);
    let deploy = |dir: &str, extra: &[&str]| {
        let mut args = vec!["deploy", "--client", "claude-code", "--project-dir", dir];
        args.extend_from_slice(extra);
        env.cli(&args)
    };
    for dir in ["/", "/etc", "/usr/share", "/dev"] {
        let (code, _, stderr) = deploy(dir, &["--allow-any-dir"]);
        assert_eq!(code, 3, "{dir}: {stderr}");
        assert!(stderr.contains("system directory"), "{dir}: {stderr}");
        assert!(!std::path::Path::new(dir).join(".mcp.json").exists());
    }
    let home = env.home().display().to_string();
    let (code, _, stderr) = deploy(&home, &["--allow-any-dir"]);
    assert_eq!(code, 3, "{stderr}");
    assert!(stderr.contains("home directory"), "{stderr}");

    let plain = env.dir.path().join("plain");
    std::fs::create_dir_all(&plain).unwrap();
    let plain_dir = plain.display().to_string();
    let (code, _, stderr) = deploy(&plain_dir, &[]);
    assert_eq!(code, 3, "{stderr}");
    for words in ["does not look like a project", "--allow-any-dir", ".git"] {
        assert!(stderr.contains(words), "{words:?} missing from {stderr}");
    }
    assert!(!plain.join(".mcp.json").exists());
    // said how, and it works
    env.cli_ok(&[
        "deploy",
        "--client",
        "claude-code",
        "--project-dir",
        &plain_dir,
        "--allow-any-dir",
    ]);
    assert!(plain.join(".mcp.json").exists());
    // a repository is a project without asking
    let repo = env.dir.path().join("repo");
    std::fs::create_dir_all(repo.join(".git")).unwrap();
    env.cli_ok(&[
        "deploy",
        "--client",
        "claude-code",
        "--project-dir",
        &repo.display().to_string(),
    ]);
    assert!(repo.join(".mcp.json").exists());
}

/// A small tmpfs for the data directory, unmounted on drop; `None` where mounting is not
/// permitted (not root, no CAP_SYS_ADMIN).
#[cfg(target_os = "linux")]
struct SmallDisk(std::path::PathBuf);

#[cfg(target_os = "linux")]
impl SmallDisk {
    fn mount(at: &std::path::Path) -> Option<Self> {
        std::fs::create_dir_all(at).unwrap();
        let mounted = std::process::Command::new("mount")
            .args(["-t", "tmpfs", "-o", "size=2m", "tmpfs"])
            .arg(at)
            .stderr(Stdio::null())
            .status()
            .is_ok_and(|s| s.success());
        mounted.then(|| SmallDisk(at.to_path_buf()))
    }
}

#[cfg(target_os = "linux")]
impl Drop for SmallDisk {
    fn drop(&mut self) {
        let _ = std::process::Command::new("umount").arg(&self.0).status();
    }
}

#[cfg(target_os = "linux")]
#[tokio::test]
async fn a_full_disk_over_mcp_says_the_disk_is_full() {
    let env = TestEnv::new();
    // the data directory is the mount point: IMPRINT_HOME = <dir>/data
    let Some(_disk) = SmallDisk::mount(&env.data()) else {
        eprintln!("skipped: mounting a tmpfs is not permitted here (needs root)");
        return;
    };
    let mcp = env.mcp().await;
    mcp.ok("list_clients", json!({})).await;
    // fill what is left of the disk
    let mut filler = std::fs::File::create(env.data().join("filler")).unwrap();
    let block = vec![0u8; 64 * 1024];
    while filler.write_all(&block).is_ok() {}
    drop(filler);
    let mut answers = Vec::new();
    for n in 0..6 {
        let outcome = mcp
            .call(
                "add_server_to_config",
                json!({"server_id": "fetch", "server_name": format!("fetch{n}"),
                       "env_vars": {"NOTE": "y".repeat(3000)}}),
            )
            .await;
        answers.push(outcome);
    }
    let full = answers
        .iter()
        .find(|a| a.is_error)
        .unwrap_or_else(|| panic!("every write fit on a full disk: {answers:?}"));
    assert_eq!(full.body["error"]["code"], "io", "{:?}", full.body);
    assert!(
        full.message().contains("the disk is full"),
        "{}",
        full.message()
    );
    mcp.close().await;
}

#[test]
fn a_token_shaped_value_under_an_innocuous_name_is_kept_as_a_secret() {
    let env = TestEnv::new();
    let token = "ghp_0123456789abcdefghijABCDEFGHIJ012345";
    env.cli_ok(&[
        "draft",
        "add",
        "fetch",
        "--env",
        &format!("NOTE={token}"),
        "--env",
        "MODE=production",
    ]);
    let draft = env.cli_ok(&["draft", "show"]);
    let text = draft.to_string();
    assert!(!text.contains(token), "the draft shows the token: {text}");
    let note = draft["entries"][0]["env"]["NOTE"]
        .as_str()
        .unwrap_or_default();
    assert!(note.starts_with("${secret:NOTE"), "{text}");
    let plain = ["imprint.db", "imprint.db-wal"].iter().any(|file| {
        std::fs::read(env.data().join(file))
            .unwrap_or_default()
            .windows(token.len())
            .any(|window| window == token.as_bytes())
    });
    assert!(!plain, "the token is stored in plaintext");
}

#[test]
fn diff_config_does_not_echo_a_callers_token_shaped_values() {
    let env = TestEnv::new();
    env.cli_ok(&["draft", "add", "memory"]);
    env.cli_ok(&["publish"]);
    let local = env.home().join("local.json");
    let tokens = [
        "ghp_0123456789abcdefghijABCDEFGHIJ012345",
        "xoxb-1234567890-abcdefghij",
        "glpat-abcdefghijklmnopqrst",
    ];
    std::fs::write(
        &local,
        json!({"mcpServers": {
            "memory": {"command": "npx", "args": ["-y", "@modelcontextprotocol/server-memory", "--token", tokens[0]]},
            "x": {"command": "run", "args": [tokens[1]], "url": format!("https://h.example/mcp?key={}", tokens[2])}
        }})
        .to_string(),
    )
    .unwrap();
    let diff = env.cli_ok(&["config", "diff", "--local-file", local.to_str().unwrap()]);
    let text = diff.to_string();
    for token in tokens {
        assert!(!text.contains(token), "the diff echoes {token}: {text}");
    }
    assert!(text.contains("***"), "{text}");
}
