//! Team mode end to end: two real `imprint serve --http` replicas on one PostgreSQL
//! database (a fresh database per test in the cluster `IMPRINT_TEST_DATABASE_URL`
//! names; CI sets it, `scripts/dev-postgres start` gives one). Without it each test prints
//! a note and passes vacuously.
//!
//! The replicas share one data directory, so they sign with one team key file (the
//! database holds no key). Tokens are minted by the CLI against the database.

mod http_support;
mod support;

use std::thread;

use http_support::{Reply, Server};
use serde_json::{Value, json};
use support::{TeamDb, TestEnv, psql};

/// Team-mode helpers on the shared test database.
impl TeamDb {
    /// Runs the CLI against this database.
    fn cli(&self, env: &TestEnv, args: &[&str]) -> Value {
        let mut all = vec!["--database", self.url.as_str()];
        all.extend_from_slice(args);
        env.cli_ok(&all)
    }

    fn token(&self, env: &TestEnv, name: &str) -> String {
        let output = env
            .command()
            .args([
                "--database",
                &self.url,
                "token",
                "create",
                "--name",
                name,
                "--role",
                "admin",
            ])
            .output()
            .unwrap();
        assert!(
            output.status.success(),
            "{}",
            String::from_utf8_lossy(&output.stderr)
        );
        String::from_utf8(output.stdout).unwrap().trim().to_string()
    }

    fn replica(&self, env: &TestEnv) -> Server {
        Server::start(env, &["--database", &self.url])
    }
}

fn ok(reply: &Reply) -> Value {
    assert_eq!(reply.status, 200, "{}", reply.body);
    reply.json()
}

/// Posts with `If-Match`-free JSON and a bearer token.
fn add_server(server: &Server, secret: &str, name: &str) -> Reply {
    server.post(
        "/v1/config/cursor/p/draft/add",
        secret,
        json!({"server_id": "memory", "server_name": name}),
    )
}

#[test]
fn eight_writers_on_two_replicas_all_land_and_four_publishes_stay_contiguous() {
    let Some(db) = TeamDb::new("team") else {
        return;
    };
    let env = TestEnv::new();
    let secret = db.token(&env, "writer");
    let replicas = [db.replica(&env), db.replica(&env)];

    // 8 writers, split across the replicas, add to one draft at once.
    let replies: Vec<Reply> = thread::scope(|scope| {
        let handles: Vec<_> = (0..8)
            .map(|i| {
                let server = &replicas[i % 2];
                let secret = &secret;
                scope.spawn(move || add_server(server, secret, &format!("memory-{i}")))
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });
    for reply in &replies {
        ok(reply);
    }
    for server in &replicas {
        let draft = ok(&server.get("/v1/config/cursor/p/draft", &secret));
        let text = draft.to_string();
        for i in 0..8 {
            assert!(
                text.contains(&format!("memory-{i}")),
                "memory-{i} lost: {text}"
            );
        }
    }

    // 4 drafts, published at once through both replicas.
    for i in 0..4 {
        ok(&replicas[i % 2].post(
            &format!("/v1/config/cursor/p/draft/add?draft_name=d{i}"),
            &secret,
            json!({"server_id": "memory", "server_name": format!("pub-{i}")}),
        ));
    }
    let published: Vec<Reply> = thread::scope(|scope| {
        let handles: Vec<_> = (0..4)
            .map(|i| {
                let server = &replicas[i % 2];
                let secret = &secret;
                scope.spawn(move || {
                    server.post(
                        &format!("/v1/config/cursor/p/publish?draft_name=d{i}"),
                        secret,
                        json!({}),
                    )
                })
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });
    let mut sequences: Vec<i64> = published
        .iter()
        .map(|reply| ok(reply)["sequence"].as_i64().unwrap())
        .collect();
    sequences.sort();
    assert_eq!(sequences, [1, 2, 3, 4], "contiguous, no duplicates");

    // Every revision verifies on both replicas.
    let history = ok(&replicas[0].get("/v1/config/cursor/p/history?limit=100", &secret));
    let revisions = history["revisions"].as_array().unwrap();
    assert_eq!(revisions.len(), 4, "{history}");
    for revision in revisions {
        let artifact = revision["artifact_id"].as_str().unwrap();
        for server in &replicas {
            let verdict = ok(&server.get(
                &format!("/v1/config/cursor/p/verify?artifact_id={artifact}"),
                &secret,
            ));
            assert_eq!(verdict["valid"], true, "{verdict}");
        }
    }
}

#[test]
fn a_content_draft_applied_on_both_replicas_at_once_is_applied_exactly_once() {
    let Some(db) = TeamDb::new("team") else {
        return;
    };
    let env = TestEnv::new();
    let secret = db.token(&env, "editor");
    let replicas = [db.replica(&env), db.replica(&env)];
    let created = |reply: Reply| -> Value {
        assert_eq!(reply.status, 201, "{}", reply.body);
        reply.json()
    };
    let article = created(replicas[0].post(
        "/v1/content/entry-types",
        &secret,
        json!({"name": "Article"}),
    ));
    let article_id = article["entryTypeId"].as_i64().unwrap();
    let section = created(replicas[1].post(
        "/v1/content/sections",
        &secret,
        json!({"name": "Blog", "type": "channel", "entryTypeIds": [article_id]}),
    ));
    let section_id = section["sectionId"].as_i64().unwrap();
    for round in 0..3 {
        let draft = created(replicas[round % 2].post(
            "/v1/content/drafts",
            &secret,
            json!({"sectionId": section_id, "entryTypeId": article_id,
                   "attributeAndFieldData": {"title": format!("Race {round}")}}),
        ));
        let draft_id = draft["draftId"].as_i64().unwrap();
        let replies: Vec<Reply> = thread::scope(|scope| {
            let handles: Vec<_> = replicas
                .iter()
                .map(|server| {
                    let secret = &secret;
                    scope.spawn(move || {
                        server.post(
                            &format!("/v1/content/drafts/{draft_id}/apply"),
                            secret,
                            json!({}),
                        )
                    })
                })
                .collect();
            handles.into_iter().map(|h| h.join().unwrap()).collect()
        });
        let wins = replies.iter().filter(|r| r.status == 200).count();
        assert_eq!(
            wins,
            1,
            "round {round}: {:?}",
            replies
                .iter()
                .map(|r| (r.status, &r.body))
                .collect::<Vec<_>>()
        );
        for reply in replies.iter().filter(|r| r.status != 200) {
            assert!(
                [404, 409].contains(&reply.status),
                "the loser is told the draft is gone or moved: {} {}",
                reply.status,
                reply.body
            );
        }
    }
    let found = ok(&replicas[1].get("/v1/content/search?query=race", &secret));
    assert_eq!(found["results"].as_array().unwrap().len(), 3, "{found}");
}

#[test]
fn a_token_revoked_through_one_replica_is_refused_by_the_other_at_once() {
    let Some(db) = TeamDb::new("team") else {
        return;
    };
    let env = TestEnv::new();
    let admin = db.token(&env, "admin");
    let bot = db.token(&env, "bot");
    let replicas = [db.replica(&env), db.replica(&env)];
    for server in &replicas {
        ok(&server.get("/v1/clients", &bot));
    }
    // Revoked by the CLI against the database (no server involved), then seen by both.
    let listed = db.cli(&env, &["token", "list"]);
    assert!(listed.to_string().contains("bot"), "{listed}");
    db.cli(&env, &["token", "revoke", "bot"]);
    for server in &replicas {
        let refused = server.get("/v1/clients", &bot);
        assert_eq!(refused.status, 401, "{}", refused.body);
        ok(&server.get("/v1/clients", &admin));
    }
}

#[test]
fn healthz_reports_the_database() {
    let Some(db) = TeamDb::new("team") else {
        return;
    };
    let env = TestEnv::new();
    let server = db.replica(&env);
    let health = server.send("GET", "/healthz", &[], None);
    assert_eq!(health.status, 200, "{}", health.body);
    assert_eq!(health.json()["database"], "ok");
}

#[test]
fn replicas_with_key_files_of_their_own_verify_each_others_revisions() {
    let Some(db) = TeamDb::new("team") else {
        return;
    };
    // Two hosts: two data directories, so two signing keys.
    let (host_a, host_b) = (TestEnv::new(), TestEnv::new());
    let secret = db.token(&host_a, "writer");
    let replicas = [db.replica(&host_a), db.replica(&host_b)];
    for (i, server) in replicas.iter().enumerate() {
        ok(&server.post(
            &format!("/v1/config/cursor/p/draft/add?draft_name=k{i}"),
            &secret,
            json!({"server_id": "memory", "server_name": format!("key-{i}")}),
        ));
        ok(&server.post(
            &format!("/v1/config/cursor/p/publish?draft_name=k{i}"),
            &secret,
            json!({}),
        ));
    }
    let history = ok(&replicas[0].get("/v1/config/cursor/p/history?limit=10", &secret));
    let revisions = history["revisions"].as_array().unwrap();
    assert_eq!(revisions.len(), 2, "{history}");
    let mut signers = std::collections::BTreeSet::new();
    for revision in revisions {
        let artifact = revision["artifact_id"].as_str().unwrap();
        for server in &replicas {
            let verdict = ok(&server.get(
                &format!("/v1/config/cursor/p/verify?artifact_id={artifact}"),
                &secret,
            ));
            assert_eq!(verdict["valid"], true, "{verdict}");
            signers.insert(verdict["signing_key_id"].as_str().unwrap().to_string());
        }
    }
    assert_eq!(
        signers.len(),
        2,
        "each replica signed with its own key: {signers:?}"
    );
    // The database holds both public halves, and no private key.
    let keyring = std::process::Command::new("psql")
        .args([
            db.url.as_str(),
            "-qAtc",
            "SELECT count(*), count(*) FILTER (WHERE spki_pem LIKE '%PRIVATE%') FROM public_keys",
        ])
        .output()
        .unwrap();
    assert_eq!(String::from_utf8_lossy(&keyring.stdout).trim(), "2|0");
}

/// Issue 11 item 3 on PostgreSQL: the live-row check is the service's, so a row changed
/// in the database is refused here too, and a refused update signs nothing.
#[test]
fn a_live_entry_changed_in_postgres_is_refused_and_never_re_signed() {
    let Some(db) = TeamDb::new("team") else {
        return;
    };
    let env = TestEnv::new();
    let article = db.cli(&env, &["content", "create-entry-type", "--name", "Article"]);
    let section = db.cli(
        &env,
        &[
            "content",
            "create-section",
            "--name",
            "Blog",
            "--entry-type-ids",
            &article["entryTypeId"].to_string(),
        ],
    );
    let entry = db.cli(
        &env,
        &[
            "content",
            "create-entry",
            "--section",
            &section["sectionId"].to_string(),
            "--data",
            "{\"title\": \"Hello\"}",
        ],
    )["entryId"]
        .to_string();
    psql(
        &db.url,
        &format!("UPDATE entries SET title = 'Injected' WHERE entry_id = {entry}"),
    );
    for args in [
        vec!["content", "get-entry", entry.as_str()],
        vec![
            "content",
            "update-entry",
            entry.as_str(),
            "--data",
            "{\"title\": \"Signed over\"}",
        ],
    ] {
        let mut all = vec!["--database", db.url.as_str()];
        all.extend_from_slice(&args);
        let (code, _, stderr) = env.cli(&all);
        assert_eq!(code, 7, "{args:?}: {stderr}");
        assert!(
            stderr.contains(&format!(
                "entry {entry} in site 1 was changed outside Imprint"
            )),
            "{stderr}"
        );
    }
    let reverted = db.cli(&env, &["content", "revert", &entry, "1"]);
    assert_eq!(
        reverted["revision"], 2,
        "the refused update wrote no revision"
    );
    assert_eq!(reverted["title"], "Hello");
}
