//! PostgreSQL restarted under a running replica: while it is down, requests fail fast with
//! 503 `unavailable` (and `/healthz` says so); when it is back the same process serves
//! again, and every acknowledged write is there. Runs its own throw-away cluster with
//! `scripts/dev-postgres` (so it can stop it), when `IMPRINT_TEST_DATABASE_URL` is set
//! (the signal that PostgreSQL is installed here; CI sets it).

mod http_support;
mod support;

use std::path::PathBuf;
use std::process::Command;
use std::sync::atomic::{AtomicBool, Ordering};
use std::thread;
use std::time::{Duration, Instant};

use http_support::Server;
use serde_json::json;
use support::TestEnv;

fn script() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../scripts/dev-postgres")
}

fn dev_postgres(args: &[&str]) -> String {
    let output = Command::new(script()).args(args).output().unwrap();
    assert!(
        output.status.success(),
        "dev-postgres {args:?}: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout).unwrap().trim().to_string()
}

/// A cluster of this test's own, removed at the end.
struct Cluster(String);

impl Drop for Cluster {
    fn drop(&mut self) {
        let _ = Command::new(script()).args(["stop", &self.0]).output();
    }
}

#[test]
fn a_replica_fails_fast_while_postgres_is_down_and_recovers_without_a_restart() {
    if std::env::var("IMPRINT_TEST_DATABASE_URL").is_err() {
        eprintln!("IMPRINT_TEST_DATABASE_URL is not set: skipping the PostgreSQL restart test");
        return;
    }
    // Directly under the temp root, so the cluster's owner (`postgres` when run as root)
    // can reach it.
    let dir = std::env::temp_dir()
        .join(format!("imprint-restart-{}", std::process::id()))
        .to_string_lossy()
        .into_owned();
    let url = dev_postgres(&["start", &dir]);
    let cluster = Cluster(dir);
    let env = TestEnv::new();
    let output = env
        .command()
        .args([
            "--database",
            &url,
            "token",
            "create",
            "--name",
            "writer",
            "--role",
            "admin",
        ])
        .output()
        .unwrap();
    assert!(output.status.success());
    let secret = String::from_utf8(output.stdout).unwrap().trim().to_string();
    let server = Server::start(&env, &["--database", &url]);
    let add = |name: &str| {
        server.post(
            "/v1/config/cursor/p/draft/add",
            &secret,
            json!({"server_id": "memory", "server_name": name}),
        )
    };

    let mut acknowledged = Vec::new();
    for i in 0..5 {
        let name = format!("before-{i}");
        let reply = add(&name);
        assert_eq!(reply.status, 200, "{}", reply.body);
        acknowledged.push(name);
    }

    dev_postgres(&["down", &cluster.0]);
    let health = server.send("GET", "/healthz", &[], None);
    assert_eq!(health.status, 503, "{}", health.body);
    assert_eq!(health.json()["database"], "unreachable");
    for i in 0..3 {
        let reply = add(&format!("while-down-{i}"));
        assert_eq!(reply.status, 503, "{}", reply.body);
        assert_eq!(reply.error_code(), "unavailable");
        assert!(
            reply.json()["error"]["message"]
                .as_str()
                .unwrap()
                .contains("PostgreSQL"),
            "{}",
            reply.body
        );
    }

    dev_postgres(&["up", &cluster.0]);
    // Pooled connections from before the restart are found dead and replaced; a request
    // that meets one fails with 503 like the ones above, never with anything else.
    let mut recovered = false;
    for attempt in 0..50 {
        let reply = add(&format!("after-{attempt}"));
        match reply.status {
            200 => {
                acknowledged.push(format!("after-{attempt}"));
                recovered = true;
                break;
            }
            503 => continue,
            other => panic!("after the restart: {other} {}", reply.body),
        }
    }
    assert!(recovered, "the replica never recovered");
    let health = server.send("GET", "/healthz", &[], None);
    assert_eq!(health.status, 200, "{}", health.body);

    let draft = server.get("/v1/config/cursor/p/draft", &secret);
    assert_eq!(draft.status, 200, "{}", draft.body);
    for name in &acknowledged {
        assert!(
            draft.body.contains(name),
            "{name} was acknowledged but is lost"
        );
    }
    assert!(!draft.body.contains("while-down"), "{}", draft.body);
}

/// One request of the load run: what was sent, what came back, and when.
struct Attempt {
    name: String,
    status: u16,
    started: Instant,
    took: Duration,
}

#[test]
fn postgres_restarted_during_a_load_run_loses_no_acknowledged_write() {
    if std::env::var("IMPRINT_TEST_DATABASE_URL").is_err() {
        eprintln!(
            "IMPRINT_TEST_DATABASE_URL is not set: skipping the PostgreSQL load-restart test"
        );
        return;
    }
    let dir = std::env::temp_dir()
        .join(format!("imprint-load-restart-{}", std::process::id()))
        .to_string_lossy()
        .into_owned();
    let url = dev_postgres(&["start", &dir]);
    let cluster = Cluster(dir);
    let env = TestEnv::new();
    let output = env
        .command()
        .args([
            "--database",
            &url,
            "token",
            "create",
            "--name",
            "writer",
            "--role",
            "admin",
        ])
        .output()
        .unwrap();
    assert!(output.status.success());
    let secret = String::from_utf8(output.stdout).unwrap().trim().to_string();
    let replicas = [
        Server::start(&env, &["--database", &url]),
        Server::start(&env, &["--database", &url]),
    ];
    const WRITERS: usize = 4;
    let stop = AtomicBool::new(false);

    // Writers on both replicas, each adding to a draft of its own, until told to stop;
    // PostgreSQL goes down a second in and comes back a second and a half later.
    let (attempts, down_at, up_at) = thread::scope(|scope| {
        let writers: Vec<_> = (0..WRITERS)
            .map(|w| {
                let server = &replicas[w % 2];
                let (secret, stop) = (&secret, &stop);
                scope.spawn(move || {
                    let mut attempts = Vec::new();
                    let mut i = 0;
                    while !stop.load(Ordering::Relaxed) {
                        let name = format!("w{w}-{i}");
                        let started = Instant::now();
                        let reply = server.post(
                            &format!("/v1/config/cursor/p/draft/add?draft_name=w{w}"),
                            secret,
                            json!({"server_id": "memory", "server_name": name}),
                        );
                        attempts.push(Attempt {
                            name,
                            status: reply.status,
                            started,
                            took: started.elapsed(),
                        });
                        i += 1;
                        thread::sleep(Duration::from_millis(10));
                    }
                    attempts
                })
            })
            .collect();
        thread::sleep(Duration::from_secs(1));
        let down_at = Instant::now();
        dev_postgres(&["down", &cluster.0]);
        thread::sleep(Duration::from_millis(1500));
        dev_postgres(&["up", &cluster.0]);
        let up_at = Instant::now();
        thread::sleep(Duration::from_secs(2));
        stop.store(true, Ordering::Relaxed);
        let attempts: Vec<Vec<Attempt>> = writers.into_iter().map(|h| h.join().unwrap()).collect();
        (attempts, down_at, up_at)
    });

    // Stale pooled connections fail once each after the restart (with 503, like the
    // requests while it was down); by then the replicas have reconnected.
    let grace = Duration::from_secs(5);
    for (w, attempts) in attempts.iter().enumerate() {
        assert!(
            attempts
                .iter()
                .any(|a| a.status == 200 && a.started < down_at),
            "writer {w} wrote before the restart"
        );
        assert!(
            attempts
                .iter()
                .any(|a| a.status == 200 && a.started > up_at),
            "writer {w} wrote again after the restart, with no restart of Imprint"
        );
        for attempt in attempts {
            assert!(
                attempt.took < Duration::from_secs(10),
                "{} hung for {:?}",
                attempt.name,
                attempt.took
            );
            match attempt.status {
                200 => {}
                503 => assert!(
                    attempt.started + attempt.took >= down_at && attempt.started < up_at + grace,
                    "{} failed outside the restart window",
                    attempt.name
                ),
                other => panic!("{}: {other}, only 200 or 503 are acceptable", attempt.name),
            }
        }
    }
    let failed: usize = attempts
        .iter()
        .flatten()
        .filter(|a| a.status == 503)
        .count();
    assert!(failed > 0, "some writes met the database down");

    // Every acknowledged write is there, read through either replica.
    for (w, attempts) in attempts.iter().enumerate() {
        let draft = replicas[(w + 1) % 2].get(
            &format!("/v1/config/cursor/p/draft?draft_name=w{w}"),
            &secret,
        );
        assert_eq!(draft.status, 200, "{}", draft.body);
        let names: Vec<String> = draft.json()["server_names"]
            .as_array()
            .map(|names| {
                names
                    .iter()
                    .filter_map(|n| n.as_str().map(String::from))
                    .collect()
            })
            .unwrap_or_default();
        for attempt in attempts.iter().filter(|a| a.status == 200) {
            assert!(
                names.contains(&attempt.name),
                "{} was acknowledged but is lost: {}",
                attempt.name,
                draft.body
            );
        }
    }
}
