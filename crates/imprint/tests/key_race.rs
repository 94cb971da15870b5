//! Regression: concurrent first writes corrupted the signing key (issue 16).
//!
//! Before the fix, four publishes sent at once to a fresh data directory raced to create the
//! key pair lazily: most failed with 500, and afterwards the half-written PEM made every
//! publish fail. Each scenario runs several times, each on a fresh data directory, since the
//! race depends on timing.

mod http_support;
mod support;

use std::path::Path;
use std::process::Stdio;
use std::thread;

use http_support::Server;
use serde_json::{Value, json};
use support::TestEnv;

const TRIALS: usize = 4;
const WRITERS: usize = 8;

/// The files in `keys/` and `keys/archive/`, leaving out the lock file.
fn key_files(data: &Path) -> (Vec<String>, Vec<String>) {
    let names = |dir: &Path| -> Vec<String> {
        let mut names: Vec<String> = std::fs::read_dir(dir)
            .map(|entries| {
                entries
                    .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
                    .filter(|name| name != ".lock")
                    .collect()
            })
            .unwrap_or_default();
        names.sort();
        names
    };
    let keys = data.join("keys");
    (names(&keys), names(&keys.join("archive")))
}

/// Exactly one key pair exists and no temp file was left behind.
fn assert_one_key_pair(data: &Path) {
    let (keys, archive) = key_files(data);
    let without_secrets: Vec<&String> = keys.iter().filter(|n| *n != "secrets.key").collect();
    assert_eq!(
        without_secrets,
        ["archive", "signing.key", "signing.pub"],
        "keys/ holds {keys:?}"
    );
    assert_eq!(
        archive.len(),
        1,
        "one public key ever existed, archive: {archive:?}"
    );
}

/// Every revision of `client/profile` verifies, and they were all signed by one key.
fn assert_history_verifies(env: &TestEnv, client: &str, profile: &str, expected: usize) {
    let history = env.cli_ok(&[
        "config",
        "history",
        "--client",
        client,
        "--profile",
        profile,
        "--limit",
        "100",
    ]);
    let revisions = history["revisions"].as_array().unwrap();
    assert_eq!(revisions.len(), expected, "{history}");
    let mut sequences: Vec<i64> = revisions
        .iter()
        .map(|r| r["sequence"].as_i64().unwrap())
        .collect();
    sequences.sort();
    assert_eq!(sequences, (1..=expected as i64).collect::<Vec<_>>());
    let mut signers = std::collections::BTreeSet::new();
    for revision in revisions {
        let artifact = revision["artifact_id"].as_str().unwrap();
        let verdict = env.cli_ok(&[
            "config",
            "verify",
            "--client",
            client,
            "--profile",
            profile,
            "--artifact",
            artifact,
        ]);
        assert_eq!(verdict["valid"], true, "{verdict}");
        signers.insert(verdict["signing_key_id"].as_str().unwrap().to_string());
    }
    assert_eq!(signers.len(), 1, "signed by {signers:?}");
}

/// Adds the memory server as `name` to draft `draft` of `cursor/p`.
fn add_to_draft(env: &TestEnv, draft: &str, name: &str) {
    env.cli_ok(&[
        "draft",
        "add",
        "memory",
        "--client",
        "cursor",
        "--profile",
        "p",
        "--draft",
        draft,
        "--name",
        name,
    ]);
}

/// Publishes draft `draft` of `cursor/p` through the CLI.
fn publish_draft(env: &TestEnv, draft: &str) -> Value {
    env.cli_ok(&[
        "publish",
        "--client",
        "cursor",
        "--profile",
        "p",
        "--draft",
        draft,
    ])
}

/// Named drafts `d0`…`d{n-1}` of `cursor/p`, each adding a differently named server, so every
/// publish is a distinct revision.
fn prepare_drafts(env: &TestEnv, n: usize) {
    for i in 0..n {
        add_to_draft(env, &format!("d{i}"), &format!("memory-{i}"));
    }
    assert!(
        !env.data().join("keys").join("signing.key").exists(),
        "drafting must not create keys: the race is about the first publish"
    );
}

#[test]
fn concurrent_first_publishes_over_http_create_one_key() {
    for trial in 0..TRIALS {
        let env = TestEnv::new();
        prepare_drafts(&env, WRITERS);
        let server = Server::start(&env, &["--no-auth"]);
        let replies: Vec<_> = thread::scope(|scope| {
            let handles: Vec<_> = (0..WRITERS)
                .map(|i| {
                    let server = &server;
                    scope.spawn(move || {
                        server.send(
                            "POST",
                            &format!("/v1/config/cursor/p/publish?draft_name=d{i}"),
                            &[("content-type", "application/json")],
                            Some("{}"),
                        )
                    })
                })
                .collect();
            handles.into_iter().map(|h| h.join().unwrap()).collect()
        });
        for reply in &replies {
            assert_eq!(reply.status, 200, "trial {trial}: {}", reply.body);
        }
        assert_one_key_pair(&env.data());
        // the next publish works too: nothing was left half-written
        let added = server.send(
            "POST",
            "/v1/config/cursor/p/draft/add?draft_name=d0",
            &[("content-type", "application/json")],
            Some(&json!({"server_id": "memory", "server_name": "memory-next"}).to_string()),
        );
        assert_eq!(added.status, 200, "trial {trial}: {}", added.body);
        let next = server.send(
            "POST",
            "/v1/config/cursor/p/publish?draft_name=d0",
            &[("content-type", "application/json")],
            Some("{}"),
        );
        assert_eq!(next.status, 200, "trial {trial}: {}", next.body);
        drop(server);
        assert_history_verifies(&env, "cursor", "p", WRITERS + 1);
    }
}

#[test]
fn concurrent_first_publishes_from_cli_processes_and_keys_init_create_one_key() {
    for trial in 0..TRIALS {
        let env = TestEnv::new();
        prepare_drafts(&env, WRITERS);
        // every process is started before any is waited for
        let publishers: Vec<_> = (0..WRITERS)
            .map(|i| {
                env.command()
                    .args(["--json", "publish", "--client", "cursor", "--profile", "p"])
                    .args(["--draft", &format!("d{i}")])
                    .stdout(Stdio::piped())
                    .stderr(Stdio::piped())
                    .spawn()
                    .unwrap()
            })
            .collect();
        let initializers: Vec<_> = (0..2)
            .map(|_| {
                env.command()
                    .args(["--json", "keys", "init"])
                    .stdout(Stdio::piped())
                    .stderr(Stdio::piped())
                    .spawn()
                    .unwrap()
            })
            .collect();
        for child in publishers.into_iter().chain(initializers) {
            let output = child.wait_with_output().unwrap();
            assert!(
                output.status.success(),
                "trial {trial}: {}",
                String::from_utf8_lossy(&output.stderr)
            );
        }
        assert_one_key_pair(&env.data());
        let key_id = env.cli_ok(&["keys", "init"])["signing_key_id"].clone();
        assert!(key_id.is_string());
        add_to_draft(&env, "d0", "memory-next");
        let next = publish_draft(&env, "d0");
        assert!(next["artifact_id"].is_string(), "{next}");
        assert_history_verifies(&env, "cursor", "p", WRITERS + 1);
    }
}

#[test]
fn concurrent_first_secrets_create_one_secret_key() {
    for trial in 0..TRIALS {
        let env = TestEnv::new();
        let setters: Vec<_> = (0..4)
            .map(|i| {
                env.command()
                    .args(["--json", "secrets", "set", &format!("S{i}")])
                    .args(["--value", &format!("value-{trial}-{i}")])
                    .stdout(Stdio::piped())
                    .stderr(Stdio::piped())
                    .spawn()
                    .unwrap()
            })
            .collect();
        for child in setters {
            let output = child.wait_with_output().unwrap();
            assert!(
                output.status.success(),
                "trial {trial}: {}",
                String::from_utf8_lossy(&output.stderr)
            );
        }
        let (keys, _) = key_files(&env.data());
        assert_eq!(keys, ["secrets.key"], "trial {trial}");
        let listed = env.cli_ok(&["secrets", "list"]);
        assert_eq!(
            listed["secrets"].as_array().unwrap().len(),
            4,
            "trial {trial}: {listed}"
        );
        // every value decrypts under the one key: deploy all four into a client file
        let mut add = vec![
            "draft".to_string(),
            "add".into(),
            "memory".into(),
            "--client".into(),
            "cursor".into(),
        ];
        for i in 0..4 {
            add.push("--env".into());
            add.push(format!("API_TOKEN_{i}=${{secret:S{i}}}"));
        }
        let add: Vec<&str> = add.iter().map(String::as_str).collect();
        env.cli_ok(&add);
        env.cli_ok(&["publish", "--client", "cursor"]);
        env.cli_ok(&["deploy", "--client", "cursor"]);
        let file: Value = support::read_json(&env.file(".cursor/mcp.json"));
        let deployed_env = &file["mcpServers"]["memory"]["env"];
        for i in 0..4 {
            assert_eq!(
                deployed_env[format!("API_TOKEN_{i}")],
                format!("value-{trial}-{i}"),
                "trial {trial}: {file}"
            );
        }
    }
}

#[test]
fn an_unreadable_signing_key_is_an_integrity_error_until_regenerated() {
    let env = TestEnv::new();
    prepare_drafts(&env, 2);
    publish_draft(&env, "d0");
    let key = env.data().join("keys").join("signing.key");
    std::fs::write(&key, "-----BEGIN PRIVATE KEY-----\ntruncated").unwrap();

    let (code, _, stderr) = env.cli(&[
        "publish",
        "--client",
        "cursor",
        "--profile",
        "p",
        "--draft",
        "d1",
    ]);
    assert_eq!(code, 7, "{stderr}");
    assert!(stderr.contains(&key.display().to_string()), "{stderr}");
    assert!(
        stderr.contains("imprint keys init --regenerate"),
        "{stderr}"
    );
    // nothing regenerated the key behind the user's back
    assert!(std::fs::read_to_string(&key).unwrap().contains("truncated"));

    let rotated = env.cli_ok(&["keys", "init", "--regenerate"]);
    assert_eq!(rotated["status"], "initialized", "{rotated}");
    publish_draft(&env, "d1");
    // the revision signed by the lost key still verifies: its public key stayed archived
    let history = env.cli_ok(&["config", "history", "--client", "cursor", "--profile", "p"]);
    for revision in history["revisions"].as_array().unwrap() {
        let verdict = env.cli_ok(&[
            "config",
            "verify",
            "--client",
            "cursor",
            "--profile",
            "p",
            "--artifact",
            revision["artifact_id"].as_str().unwrap(),
        ]);
        assert_eq!(verdict["valid"], true, "{verdict}");
    }
    let aside: Vec<_> = std::fs::read_dir(env.data().join("keys"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with("signing.key.unreadable-"))
        .collect();
    assert_eq!(aside.len(), 1, "the unreadable key is kept aside");
}
