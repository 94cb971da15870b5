//! `imprint store copy` end to end: a solo SQLite store filled through the CLI is copied to
//! PostgreSQL (a fresh database per test in the cluster `IMPRINT_TEST_DATABASE_URL` names),
//! served from there by `imprint serve --http` on another data directory, and copied back
//! into a fresh data directory. Without the variable each test prints a note and passes.

mod http_support;
mod support;

use std::path::Path;

use http_support::{Reply, Server};
use imprint_store::{Record, Store};
use imprint_store_sqlite::SqliteStore;
use serde_json::{Value, json};
use support::{TeamDb, TestEnv};

fn ok(reply: &Reply) -> Value {
    assert!(
        reply.status == 200 || reply.status == 201,
        "{} {}",
        reply.status,
        reply.body
    );
    reply.json()
}

const SECRET_VALUE: &str = "brave-key-4f8e2a";

/// A solo store with a bit of everything: catalog entry, secret, config drafts and
/// revisions, a deployment record, a publish request, a key retirement, a token, content
/// with revisions and a pending draft, and the audit log of it all.
/// Returns the token.
fn fill_solo(env: &TestEnv) -> String {
    let definition = env.dir.path().join("acme.json");
    std::fs::write(
        &definition,
        json!({"server_id": "acme", "transport": "http", "url": "https://mcp.acme.example/mcp"})
            .to_string(),
    )
    .unwrap();
    env.cli_ok(&["servers", "register", &definition.to_string_lossy()]);
    env.cli_ok(&["secrets", "set", "BRAVE_SHARED", "--value", SECRET_VALUE]);
    env.cli_ok(&[
        "draft",
        "add",
        "brave-search",
        "--client",
        "cursor",
        "--env",
        "BRAVE_API_KEY=${secret:BRAVE_SHARED}",
    ]);
    env.cli_ok(&["publish", "--client", "cursor", "-m", "first"]);
    env.cli_ok(&["draft", "add", "acme", "--client", "cursor"]);
    env.cli_ok(&["publish", "--client", "cursor", "-m", "second"]);
    env.cli_ok(&["deploy", "--client", "cursor"]);
    env.cli_ok(&[
        "draft", "add", "memory", "--client", "cursor", "--draft", "later",
    ]);
    // Team rows: a publish request, a rotated key (its retirement and endorsement), and the
    // audit log every change above appended to.
    env.cli_ok(&[
        "requests",
        "ask",
        "--client",
        "cursor",
        "--draft",
        "later",
        "-m",
        "add memory",
    ]);
    env.cli_ok(&["keys", "init", "--regenerate"]);

    env.cli_ok(&["content", "create-entry-type", "--name", "Post"]);
    env.cli_ok(&[
        "content",
        "create-section",
        "--name",
        "Blog",
        "--type",
        "channel",
        "--entry-type-ids",
        "1",
    ]);
    let entry = env.cli_ok(&[
        "content",
        "create-entry",
        "--section",
        "1",
        "--entry-type",
        "1",
        "--data",
        r#"{"title": "Hello otter"}"#,
    ]);
    let entry_id = entry["entryId"].as_i64().unwrap().to_string();
    let draft = env.cli_ok(&[
        "content",
        "create-draft",
        "--canonical",
        &entry_id,
        "--data",
        r#"{"title": "Hello again, otter"}"#,
    ]);
    let draft_id = draft["draftId"].as_i64().unwrap().to_string();
    env.cli_ok(&["content", "apply-draft", &draft_id]);
    env.cli_ok(&[
        "content",
        "create-draft",
        "--canonical",
        &entry_id,
        "--data",
        r#"{"title": "Pending beaver"}"#,
    ]);

    let output = env
        .command()
        .args(["token", "create", "--name", "alice", "--role", "admin"])
        .output()
        .unwrap();
    assert!(output.status.success());
    String::from_utf8(output.stdout).unwrap().trim().to_string()
}

/// Every row of the SQLite store in a data directory, envelopes as their stored text.
fn records(data: &Path) -> Vec<String> {
    let store = SqliteStore::open_in_data_dir(data).unwrap();
    let mut out = Vec::new();
    store
        .export_records(&mut |record| {
            out.push(match record {
                // the envelope as stored: byte for byte
                Record::Revision(row) => format!(
                    "revision {} {} {} {}",
                    row.document,
                    row.seq,
                    row.artifact_id,
                    serde_json::to_string(&row.envelope).unwrap()
                ),
                // a server's use of the token is recorded; the rest must be equal
                Record::Token(mut row) => {
                    row.last_used_at = None;
                    format!("{row:?} {}", row.secret_sha256)
                }
                other => format!("{other:?}"),
            });
            Ok(())
        })
        .unwrap();
    out
}

#[test]
fn solo_to_team_and_back_keeps_every_row_and_verifies_every_revision() {
    let Some(db) = TeamDb::new("copy") else {
        return;
    };
    let solo = TestEnv::new();
    let token = fill_solo(&solo);

    // solo → team
    let summary = solo.cli_ok(&["store", "copy", "--to", &db.url]);
    let copied = &summary["copied"];
    assert_eq!(copied["revisions"], 4, "{summary}");
    assert_eq!(summary["verified_revisions"], 4, "{summary}");
    for (kind, count) in [
        ("tokens", 1),
        ("secrets", 1),
        ("catalog_entries", 1),
        ("deployments", 1),
        ("drafts", 2),
        ("entries", 1),
        ("entry_drafts", 1),
        ("entry_types", 1),
        ("sections", 1),
        ("sites", 1),
        ("publish_requests", 1),
        ("key_retirements", 1),
    ] {
        assert_eq!(copied[kind], count, "{kind}: {summary}");
    }
    let audit_rows = copied["audit_log"].as_u64().unwrap();
    assert!(audit_rows >= 5, "{summary}");
    assert!(copied["public_keys"].as_u64().unwrap() >= 1, "{summary}");
    assert_eq!(summary["secrets_readable_here"], 1, "{summary}");
    assert!(
        summary["notes"].to_string().contains("secrets.key"),
        "{summary}"
    );

    // A second copy is refused: the target is not empty.
    let (code, _, stderr) = solo.cli(&["store", "copy", "--to", &db.url]);
    assert_eq!(code, 5, "{stderr}");
    assert!(
        stderr.contains("not empty")
            && stderr.contains("revisions")
            && stderr.contains("--replace"),
        "{stderr}"
    );

    // A replica on another host: its own data directory, no signing key of its own, the
    // team's secrets key.
    let host = TestEnv::new();
    std::fs::create_dir_all(host.data().join("keys")).unwrap();
    std::fs::copy(
        solo.data().join("keys/secrets.key"),
        host.data().join("keys/secrets.key"),
    )
    .unwrap();
    let server = Server::start(&host, &["--database", &db.url]);
    let draft = ok(&server.get("/v1/config/cursor/default/draft", &token));
    assert!(draft.to_string().contains("acme"), "{draft}");
    let history = ok(&server.get("/v1/config/cursor/default/history?limit=10", &token));
    let revisions = history["revisions"].as_array().unwrap();
    assert_eq!(revisions.len(), 2, "{history}");
    for revision in revisions {
        let artifact = revision["artifact_id"].as_str().unwrap();
        let verdict = ok(&server.get(
            &format!("/v1/config/cursor/default/verify?artifact_id={artifact}"),
            &token,
        ));
        assert_eq!(verdict["valid"], true, "{verdict}");
    }
    assert_eq!(server.get("/v1/clients", "not-a-token").status, 401);
    // The team rows arrived: the request is open with its diff, the keyring serves the
    // retirement with its endorsement, the audit log reads as it did, in the same order.
    let requests = ok(&server.get("/v1/requests", &token));
    assert_eq!(requests["count"], 1, "{requests}");
    assert_eq!(requests["requests"][0]["changelog"], "add memory");
    let keyring = ok(&server.get("/v1/keyring", &token));
    assert!(
        keyring["keys"]
            .as_array()
            .unwrap()
            .iter()
            .any(|k| k["retired_at"].is_string() && k["replaced_by"].is_string()),
        "{keyring}"
    );
    let audit = ok(&server.get("/v1/audit?limit=1000", &token));
    let solo_audit = solo.cli_ok(&["audit", "--limit", "1000"]);
    let seqs = |log: &Value| -> Vec<(i64, String)> {
        log["entries"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| {
                (
                    e["seq"].as_i64().unwrap(),
                    e["operation"].as_str().unwrap().to_string(),
                )
            })
            .collect()
    };
    let team_log = seqs(&audit);
    let solo_log = seqs(&solo_audit);
    assert!(team_log.len() as u64 >= audit_rows, "{audit}");
    assert!(
        solo_log[solo_log.len() - audit_rows as usize..]
            .iter()
            .all(|row| team_log.contains(row)),
        "the copied rows keep their seq: {team_log:?} vs {solo_log:?}"
    );
    // The secret renders on deploy with the copied ciphertext and the team's key.
    let deployed = ok(&server.post(
        "/v1/config/cursor/default/deploy",
        &token,
        json!({"force": true}),
    ));
    assert!(deployed.to_string().contains("cursor"), "{deployed}");
    let file = std::fs::read_to_string(host.file(".cursor/mcp.json")).unwrap();
    assert!(file.contains(SECRET_VALUE), "{file}");
    // Content: the entry, its two revisions (verified), search, and ids that continue.
    let entry = ok(&server.get("/v1/content/entries/1", &token));
    assert!(entry.to_string().contains("Hello again, otter"), "{entry}");
    let entry_revisions = ok(&server.get("/v1/content/entries/1/revisions", &token));
    assert!(
        entry_revisions.to_string().matches("artifactId").count() >= 2
            || entry_revisions.to_string().matches("artifact_id").count() >= 2,
        "{entry_revisions}"
    );
    let found = ok(&server.get("/v1/content/search?query=otter", &token));
    assert_eq!(found["results"].as_array().unwrap().len(), 1, "{found}");
    let missing = ok(&server.get("/v1/content/search?query=beaver", &token));
    assert_eq!(
        missing["results"].as_array().unwrap().len(),
        0,
        "a pending draft is not searchable: {missing}"
    );
    let created = ok(&server.post(
        "/v1/content/entries",
        &token,
        json!({"sectionId": 1, "entryTypeId": 1, "attributeAndFieldData": {"title": "New on the team"}}),
    ));
    assert!(
        created["entryId"].as_i64().unwrap() > 3,
        "the id sequence continues after the copied ids: {created}"
    );
    drop(server);

    // team → a fresh solo data directory
    let back = TestEnv::new();
    let summary = back.cli_ok(&["store", "copy", "--from", &db.url]);
    assert_eq!(summary["verified_revisions"], 5, "{summary}");
    assert!(
        summary["public_keys_archived"].as_u64().unwrap() >= 1,
        "keys that signed are kept as files: {summary}"
    );
    let (code, _, stderr) = back.cli(&["store", "copy", "--from", &db.url]);
    assert_eq!(code, 5, "{stderr}");
    // The rows that came back are the rows that left (plus what the team added).
    let before = records(&solo.data());
    let after = records(&back.data());
    for row in &before {
        // The id sequence moved on: the team created an entry.
        if !row.starts_with("ElementSequence") {
            assert!(after.contains(row), "lost on the round trip: {row}");
        }
    }
    assert!(
        after.len() > before.len(),
        "the team's additions came back too"
    );
    // And they serve: history verifies with the archived keys.
    let verified = back.cli_ok(&["config", "verify", "--client", "cursor"]);
    assert!(verified.to_string().contains("true"), "{verified}");
    let found = back.cli_ok(&["content", "search", "otter"]);
    assert!(found.to_string().contains("Hello again, otter"), "{found}");

    // --replace copies over a non-empty target.
    let summary = solo.cli_ok(&["store", "copy", "--to", &db.url, "--replace"]);
    assert_eq!(summary["verified_revisions"], 4, "{summary}");
}

#[test]
fn a_bad_target_is_refused_with_the_fix() {
    let env = TestEnv::new();
    let (code, _, stderr) = env.cli(&["store", "copy", "--to", "mysql://x@y/z"]);
    assert_eq!(code, 3, "{stderr}");
    assert!(stderr.contains("postgres://"), "{stderr}");
    let (code, _, stderr) = env.cli(&[
        "store",
        "copy",
        "--to",
        &format!("sqlite:{}", env.data().display()),
    ]);
    assert_eq!(code, 3, "{stderr}");
    assert!(
        stderr.contains("both the source and the target"),
        "{stderr}"
    );
}

#[test]
fn a_copy_between_two_sqlite_data_directories_keeps_every_row() {
    let solo = TestEnv::new();
    fill_solo(&solo);
    let other = TestEnv::new();
    let target = format!("sqlite:{}", other.data().display());
    let summary = solo.cli_ok(&["store", "copy", "--to", &target]);
    assert_eq!(summary["verified_revisions"], 4, "{summary}");
    assert_eq!(records(&solo.data()), records(&other.data()));
    let (code, _, stderr) = solo.cli(&["store", "copy", "--to", &target]);
    assert_eq!(code, 5, "{stderr}");
}
