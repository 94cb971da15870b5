//! Roles, review before publish and the audit log, end to end through the real binary:
//! `imprint serve --http` on SQLite, and on PostgreSQL too when `IMPRINT_TEST_DATABASE_URL`
//! is set (a fresh database per run). Tokens are minted by the CLI with `--role`.

mod http_support;
mod support;

use http_support::{Server, token_with_role};
use serde_json::{Value, json};
use support::TestEnv;

/// The CLI and the server on one store: the data directory's SQLite, or `--database`.
struct Team {
    env: TestEnv,
    database: Option<String>,
}

impl Team {
    fn args<'a>(&'a self, args: &[&'a str]) -> Vec<&'a str> {
        let mut all = Vec::new();
        if let Some(url) = &self.database {
            all.extend(["--database", url.as_str()]);
        }
        all.extend_from_slice(args);
        all
    }

    fn token(&self, name: &str, role: &str) -> String {
        match &self.database {
            None => token_with_role(&self.env, name, role),
            Some(url) => {
                let output = self
                    .env
                    .command()
                    .args([
                        "--database",
                        url,
                        "token",
                        "create",
                        "--name",
                        name,
                        "--role",
                        role,
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
        }
    }

    fn server(&self) -> Server {
        match &self.database {
            None => Server::start(&self.env, &[]),
            Some(url) => Server::start(&self.env, &["--database", url]),
        }
    }

    fn cli_ok(&self, args: &[&str]) -> Value {
        self.env.cli_ok(&self.args(args))
    }
}

/// A tool call over `/mcp` that is expected to fail: its error body.
fn tool_error(server: &Server, token: &str, name: &str, arguments: Value) -> Value {
    let answer = server.mcp(
        token,
        "tools/call",
        json!({"name": name, "arguments": arguments}),
    );
    assert_eq!(answer["result"]["isError"], json!(true), "{answer}");
    let text = answer["result"]["content"][0]["text"].as_str().unwrap();
    serde_json::from_str(text).unwrap()
}

fn review_workflow(team: &Team) {
    let editor = team.token("ed", "editor");
    let publisher = team.token("pat", "publisher");
    let reader = team.token("rita", "reader");
    let admin = team.token("boss", "admin");
    let server = team.server();

    // An editor drafts over REST…
    let added = server.post(
        "/v1/config/cursor/dev/draft/add",
        &editor,
        json!({"server_id": "memory"}),
    );
    assert_eq!(added.status, 200, "{}", added.body);
    // …but cannot publish: 403 naming the role it needs and the caller's.
    let refused = server.post("/v1/config/cursor/dev/publish", &editor, json!({}));
    assert_eq!(refused.status, 403, "{}", refused.body);
    let message = refused.json()["error"]["message"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(message.contains("needs the publisher role"), "{message}");
    assert!(message.contains("'ed' is an editor"), "{message}");
    assert_eq!(
        refused.json()["error"]["details"]["required_role"],
        "publisher"
    );
    // The same over MCP: a tool error with the code `forbidden`.
    let error = tool_error(
        &server,
        &editor,
        "publish_config",
        json!({"client_id": "cursor", "profile_id": "dev"}),
    );
    assert_eq!(error["error"]["code"], "forbidden", "{error}");
    // A reader cannot draft (REST and MCP).
    let refused = server.post(
        "/v1/config/cursor/dev/draft/add",
        &reader,
        json!({"server_id": "fetch"}),
    );
    assert_eq!(refused.status, 403, "{}", refused.body);
    let error = tool_error(
        &server,
        &reader,
        "add_server_to_config",
        json!({"client_id": "cursor", "profile_id": "dev", "server_id": "fetch"}),
    );
    assert_eq!(error["error"]["code"], "forbidden");
    // …but reads.
    assert_eq!(
        server.get("/v1/config/cursor/dev/draft", &reader).status,
        200
    );

    // The editor asks for a publish; the version is frozen.
    let asked = server.tool(
        &editor,
        "request_publish",
        json!({"client_id": "cursor", "profile_id": "dev", "changelog": "add memory"}),
    );
    let first_request = asked["request_id"].as_str().unwrap().to_string();
    let frozen = asked["draft_version"].as_i64().unwrap();
    // An editor cannot approve its own request.
    let refused = server.post(
        &format!("/v1/requests/{first_request}/approve"),
        &editor,
        json!({}),
    );
    assert_eq!(refused.status, 403, "{}", refused.body);

    // The draft changes after the request: approval refuses, naming both versions.
    let changed = server.post(
        "/v1/config/cursor/dev/draft/add",
        &editor,
        json!({"server_id": "fetch"}),
    );
    assert_eq!(changed.status, 200, "{}", changed.body);
    let listed = server.get("/v1/requests", &publisher).json();
    assert_eq!(listed["count"], 1, "{listed}");
    assert_eq!(listed["requests"][0]["current_version"], json!(frozen + 1));
    let stale = server.post(
        &format!("/v1/requests/{first_request}/approve"),
        &publisher,
        json!({}),
    );
    assert_eq!(stale.status, 409, "{}", stale.body);
    let message = stale.json()["error"]["message"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(
        message.contains(&format!("froze draft version {frozen}"))
            && message.contains(&format!("version {}", frozen + 1)),
        "{message}"
    );
    assert_eq!(
        server.get("/v1/config/cursor/dev/history", &reader).json()["count"],
        0,
        "nothing was published"
    );
    let rejected = server.post(
        &format!("/v1/requests/{first_request}/reject"),
        &publisher,
        json!({"reason": "the draft moved on"}),
    );
    assert_eq!(rejected.status, 200, "{}", rejected.body);
    assert_eq!(rejected.json()["status"], "rejected");

    // A new request for the current version, approved by the publisher over MCP: exactly
    // that version is published, signed with both names.
    let asked = server.post(
        "/v1/requests/publish",
        &editor,
        json!({"client_id": "cursor", "profile_id": "dev", "changelog": "memory and fetch"}),
    );
    assert_eq!(asked.status, 200, "{}", asked.body);
    let request_id = asked.json()["request_id"].as_str().unwrap().to_string();
    let listed = server.tool(&publisher, "list_requests", json!({}));
    let diff = listed["requests"][0]["diff"].to_string();
    assert!(
        diff.contains("memory") && diff.contains("fetch"),
        "the diff against the latest: {diff}"
    );
    let approved = server.tool(
        &publisher,
        "approve_request",
        json!({"request_id": request_id}),
    );
    assert_eq!(approved["status"], "approved", "{approved}");
    let artifact_id = approved["artifact_id"].as_str().unwrap().to_string();
    let envelope = server.get("/v1/config/cursor/dev", &reader).json();
    assert_eq!(envelope["artifact_id"], artifact_id.as_str());
    assert_eq!(envelope["metadata"]["requested_by"], "ed");
    assert_eq!(envelope["metadata"]["approved_by"], "pat");
    assert_eq!(envelope["metadata"]["draft_version"], json!(frozen + 1));
    assert_eq!(envelope["metadata"]["changelog"], "memory and fetch");
    let history = server.get("/v1/config/cursor/dev/history", &reader).json();
    assert_eq!(history["revisions"][0]["requested_by"], "ed");
    assert_eq!(history["revisions"][0]["approved_by"], "pat");
    let verified = server.get("/v1/config/cursor/dev/verify", &reader).json();
    assert_eq!(verified["valid"], json!(true), "{verified}");
    // Decided once.
    let again = server.post(
        &format!("/v1/requests/{request_id}/approve"),
        &publisher,
        json!({}),
    );
    assert_eq!(again.status, 409, "{}", again.body);

    // The audit log: admins only, every change with who, which token, from where.
    let refused = server.get("/v1/audit", &publisher);
    assert_eq!(refused.status, 403, "{}", refused.body);
    let audit = server.get("/v1/audit", &admin).json();
    let entries = audit["entries"].as_array().unwrap();
    let seen: Vec<(String, String, String)> = entries
        .iter()
        .map(|e| {
            (
                e["operation"].as_str().unwrap().to_string(),
                e["actor"].as_str().unwrap().to_string(),
                e["surface"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    for expected in [
        ("approve_request", "pat", "mcp-http"),
        ("request_publish", "ed", "rest"),
        ("reject_request", "pat", "rest"),
        ("request_publish", "ed", "mcp-http"),
        ("add_server_to_config", "ed", "rest"),
    ] {
        assert!(
            seen.iter()
                .any(|(o, a, s)| (o.as_str(), a.as_str(), s.as_str()) == expected),
            "{expected:?} missing from the audit log: {seen:?}"
        );
    }
    assert_eq!(seen[0].0, "approve_request", "newest first: {seen:?}");
    // Token callers name their token; the CLI acts as the machine's owner, without one.
    assert!(
        entries
            .iter()
            .all(|e| e["token_id"].is_string() == (e["surface"] != "cli")),
        "{audit}"
    );
    assert!(
        entries
            .iter()
            .any(|e| e["operation"] == "create_token" && e["target"] == "ed")
    );
    // Refusals and reads are not changes.
    assert!(
        !seen
            .iter()
            .any(|(o, _, _)| o == "publish_config" || o == "get_config"),
        "{seen:?}"
    );

    // The CLI acts as the owner (admin) and reads the same log.
    let cli = team.cli_ok(&["audit", "--limit", "3"]);
    assert_eq!(cli["count"], 3, "{cli}");
    assert_eq!(cli["entries"][0]["operation"], "approve_request");
    server.terminate();
}

#[test]
fn roles_review_and_audit_on_sqlite() {
    review_workflow(&Team {
        env: TestEnv::new(),
        database: None,
    });
}

#[test]
fn roles_review_and_audit_on_postgres() {
    let Ok(admin) = std::env::var("IMPRINT_TEST_DATABASE_URL") else {
        eprintln!("IMPRINT_TEST_DATABASE_URL is not set: skipping the PostgreSQL run");
        return;
    };
    let name = format!("review_{}", std::process::id());
    let psql = |sql: &str| {
        let output = std::process::Command::new("psql")
            .args([admin.as_str(), "-qc", sql])
            .output()
            .expect("psql runs");
        assert!(
            output.status.success(),
            "{sql}: {}",
            String::from_utf8_lossy(&output.stderr)
        );
    };
    psql(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"));
    psql(&format!("CREATE DATABASE {name}"));
    let base = admin.split('?').next().unwrap();
    let url = format!("{}/{name}", &base[..base.rfind('/').unwrap()]);
    review_workflow(&Team {
        env: TestEnv::new(),
        database: Some(url),
    });
    psql(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"));
}

#[test]
fn token_create_defaults_to_editor_and_refuses_an_unknown_role() {
    let env = TestEnv::new();
    let created = env.cli_ok(&["token", "create", "--name", "bot"]);
    assert_eq!(created["role"], "editor", "{created}");
    let (code, _, stderr) = env.cli(&["token", "create", "--name", "x", "--role", "owner"]);
    assert_ne!(code, 0);
    assert!(stderr.contains("not a role"), "{stderr}");
}

/// Signs in to the control panel with `secret` and returns the session cookie.
fn panel_session(server: &Server, secret: &str) -> String {
    let login = server.send("GET", &format!("/cp/login?token={secret}"), &[], None);
    assert_eq!(login.status, 303, "{}", login.body);
    let cookie = login.header("set-cookie").unwrap();
    cookie.split(';').next().unwrap().to_string()
}

fn csrf_of(body: &str) -> String {
    body.split("name=\"_csrf\" value=\"")
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .unwrap()
        .to_string()
}

#[test]
fn the_control_panel_checks_roles_and_shows_requests_and_the_audit_log() {
    let env = TestEnv::new();
    let editor = token_with_role(&env, "ed", "editor");
    let server = Server::start(&env, &[]);
    let added = server.post(
        "/v1/config/cursor/dev/draft/add",
        &editor,
        json!({"server_id": "memory"}),
    );
    assert_eq!(added.status, 200, "{}", added.body);
    let asked = server.post(
        "/v1/requests/publish",
        &editor,
        json!({"client_id": "cursor", "profile_id": "dev"}),
    );
    let request_id = asked.json()["request_id"].as_str().unwrap().to_string();

    // An editor's session sees the request but cannot approve it, nor read the audit log.
    let cookie = panel_session(&server, &editor);
    let page = server.send("GET", "/cp/requests", &[("cookie", &cookie)], None);
    assert_eq!(page.status, 200, "{}", page.body);
    assert!(
        page.body.contains(&request_id) && page.body.contains("memory"),
        "{}",
        page.body
    );
    let csrf = csrf_of(&page.body);
    let post = |cookie: &str, path: &str, body: &str| {
        server.send(
            "POST",
            path,
            &[
                ("cookie", cookie),
                ("content-type", "application/x-www-form-urlencoded"),
                ("origin", &server.url()),
            ],
            Some(body),
        )
    };
    let refused = post(
        &cookie,
        &format!("/cp/requests/{request_id}/approve"),
        &format!("_csrf={csrf}"),
    );
    assert_eq!(refused.status, 403, "{}", refused.body);
    assert!(
        refused.body.contains("needs the publisher role"),
        "{}",
        refused.body
    );
    assert_eq!(
        server
            .send("GET", "/cp/audit", &[("cookie", &cookie)], None)
            .status,
        403
    );

    // The launch token's session is the owner (admin): it approves, and reads the log.
    let launch = server.login_url.split("token=").nth(1).unwrap().to_string();
    let owner = panel_session(&server, &launch);
    let page = server.send("GET", "/cp/requests", &[("cookie", &owner)], None);
    let csrf = csrf_of(&page.body);
    let approved = post(
        &owner,
        &format!("/cp/requests/{request_id}/approve"),
        &format!("_csrf={csrf}"),
    );
    assert_eq!(approved.status, 303, "{}", approved.body);
    let envelope = server.get("/v1/config/cursor/dev", &editor).json();
    assert_eq!(envelope["metadata"]["requested_by"], "ed", "{envelope}");
    assert_eq!(envelope["metadata"]["approved_by"], "tester");
    let audit = server.send("GET", "/cp/audit", &[("cookie", &owner)], None);
    assert_eq!(audit.status, 200);
    assert!(
        audit.body.contains("approve_request") && audit.body.contains("panel"),
        "{}",
        audit.body
    );
    server.terminate();
}

/// The id `key` holds in a CLI answer, as an argument.
fn id_of(value: &Value, key: &str) -> String {
    value[key]
        .as_i64()
        .unwrap_or_else(|| panic!("no {key} in {value}"))
        .to_string()
}

#[test]
fn a_content_request_shows_its_diff_against_the_live_entry_in_the_cli_and_the_panel() {
    let env = TestEnv::new();
    let mut fields = Vec::new();
    for name in ["Body", "Summary", "Rating"] {
        let field = env.cli_ok(&[
            "content",
            "create-field",
            "--type",
            if name == "Rating" {
                "Number"
            } else {
                "craft\\fields\\PlainText"
            },
            "--name",
            name,
        ]);
        fields.push(json!({"type": "CustomField", "fieldId": field["fieldId"]}));
    }
    let post = env.cli_ok(&["content", "create-entry-type", "--name", "Post"]);
    let mut elements = vec![json!({"type": "title"})];
    elements.extend(fields);
    let tabs = env.write(
        "tabs.json",
        &json!([{"name": "Content", "elements": elements}]).to_string(),
    );
    env.cli_ok(&[
        "content",
        "update-field-layout",
        &id_of(&post, "fieldLayoutId"),
        "--tabs",
        &format!("@{}", tabs.display()),
    ]);
    let section = env.cli_ok(&[
        "content",
        "create-section",
        "--name",
        "Blog",
        "--entry-type-ids",
        &id_of(&post, "entryTypeId"),
    ]);
    let entry = env.cli_ok(&[
        "content",
        "create-entry",
        "--section",
        &id_of(&section, "sectionId"),
        "--data",
        r#"{"title": "Otters", "body": "rivers", "rating": 3}"#,
    ]);
    let entry_id = id_of(&entry, "entryId");
    // The draft retitles the entry, adds a summary, drops the body, keeps the rating.
    let draft = env.cli_ok(&[
        "content",
        "create-draft",
        "--canonical",
        &entry_id,
        "--data",
        r#"{"title": "Sea otters", "summary": "fish", "body": null}"#,
    ]);
    let draft_id = id_of(&draft, "draftId");
    env.cli_ok(&["requests", "ask-apply", &draft_id, "--notes", "retitle"]);

    let listed = env.cli_ok(&["requests", "list"]);
    let diff = &listed["requests"][0]["diff"];
    assert_eq!(diff["entry_id"].to_string(), entry_id, "{listed}");
    assert_eq!(diff["fields_modified"], json!(["title"]), "{diff}");
    assert_eq!(diff["fields_added"], json!(["summary"]), "{diff}");
    assert_eq!(diff["fields_removed"], json!(["body"]), "{diff}");
    let title = diff["changes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["path"] == "title")
        .unwrap();
    assert_eq!(title["before"], "Otters");
    assert_eq!(title["after"], "Sea otters");
    assert!(
        !diff.to_string().contains("rating"),
        "an unchanged field is not a change: {diff}"
    );

    // The CLI says it old → new.
    let output = env.command().args(["requests", "list"]).output().unwrap();
    assert!(output.status.success(), "{output:?}");
    let human = String::from_utf8_lossy(&output.stdout);
    for line in [
        "~ title: Otters → Sea otters",
        "+ summary: fish",
        "- body: rivers",
    ] {
        assert!(human.contains(line), "{line:?} missing: {human}");
    }
    assert!(human.contains(&format!("to entry {entry_id}")), "{human}");

    // So does the panel.
    let server = Server::start(&env, &[]);
    let launch = server.login_url.split("token=").nth(1).unwrap().to_string();
    let owner = panel_session(&server, &launch);
    let page = server.send("GET", "/cp/requests", &[("cookie", &owner)], None);
    assert_eq!(page.status, 200, "{}", page.body);
    for line in [
        "~ title: Otters → Sea otters",
        "+ summary: fish",
        "- body: rivers",
    ] {
        assert!(page.body.contains(line), "{line:?} missing: {}", page.body);
    }
    server.terminate();
}
