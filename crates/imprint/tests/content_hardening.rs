//! Regressions of issue 11 on the content side, through the real binary: a live entry
//! changed in the database is refused, never re-signed (item 3); search is bounded in
//! size and time and cannot hold the connections other requests need (item 5).

mod http_support;
mod support;

use std::sync::mpsc;
use std::time::Instant;

use http_support::{Server, token};
use serde_json::{Value, json};
use support::TestEnv;

fn id(value: &Value, key: &str) -> String {
    value[key]
        .as_i64()
        .unwrap_or_else(|| panic!("no {key} in {value}"))
        .to_string()
}

/// A section whose entry type has a title and a body; returns (section id, body field id).
fn blog(env: &TestEnv) -> (String, String) {
    let body = env.cli_ok(&[
        "content",
        "create-field",
        "--type",
        "PlainText",
        "--name",
        "Body",
    ]);
    let article = env.cli_ok(&["content", "create-entry-type", "--name", "Article"]);
    let tabs = env.write(
        "tabs.json",
        &json!([{"name": "Content", "elements": [{"type": "title"}, {"type": "CustomField", "fieldId": body["fieldId"]}]}]).to_string(),
    );
    env.cli_ok(&[
        "content",
        "update-field-layout",
        &id(&article, "fieldLayoutId"),
        "--tabs",
        &format!("@{}", tabs.display()),
    ]);
    let section = env.cli_ok(&[
        "content",
        "create-section",
        "--name",
        "Blog",
        "--entry-type-ids",
        &id(&article, "entryTypeId"),
    ]);
    (id(&section, "sectionId"), id(&body, "fieldId"))
}

fn create(env: &TestEnv, section: &str, title: &str, body: &str) -> String {
    let data = json!({"title": title, "body": body}).to_string();
    id(
        &env.cli_ok(&[
            "content",
            "create-entry",
            "--section",
            section,
            "--data",
            &data,
        ]),
        "entryId",
    )
}

fn revision_count(env: &TestEnv, entry: &str) -> i64 {
    let connection = rusqlite::Connection::open(env.data().join("imprint.db")).unwrap();
    connection
        .query_row(
            "SELECT count(*) FROM revisions WHERE document = ?1",
            [format!("entry/{entry}/1")],
            |row| row.get(0),
        )
        .unwrap()
}

#[tokio::test]
async fn a_live_entry_changed_in_the_database_is_refused_and_never_re_signed() {
    let env = TestEnv::new();
    let (section, body_field) = blog(&env);
    let tampered = create(&env, &section, "Hello", "original");
    let sound = create(&env, &section, "Other", "fine");
    env.cli_ok(&[
        "content",
        "update-entry",
        &tampered,
        "--data",
        "{\"body\": \"edited\"}",
    ]);
    assert_eq!(revision_count(&env, &tampered), 2);

    // What the red team did: change the live row's fields with SQL.
    let connection = rusqlite::Connection::open(env.data().join("imprint.db")).unwrap();
    let changed = connection
        .execute(
            "UPDATE entries SET fields = ?1 WHERE entry_id = ?2",
            rusqlite::params![
                format!("{{\"{body_field}\": \"injected\"}}"),
                tampered.parse::<i64>().unwrap()
            ],
        )
        .unwrap();
    assert_eq!(changed, 1);
    drop(connection);

    let refused = |args: &[&str]| {
        let (code, _, stderr) = env.cli(args);
        assert_eq!(
            code, 7,
            "imprint {args:?} should be an integrity error: {stderr}"
        );
        assert!(
            stderr.contains(&format!(
                "entry {tampered} in site 1 was changed outside Imprint"
            )),
            "{stderr}"
        );
        assert!(
            !stderr.contains("injected"),
            "the tampered value is not echoed: {stderr}"
        );
        stderr
    };
    let stderr = refused(&["content", "get-entry", &tampered]);
    assert!(
        stderr.contains("differs from what revision 2 signed"),
        "{stderr}"
    );
    assert!(
        stderr.contains("imprint content revert") && stderr.contains("revision 2"),
        "the message says how to restore it: {stderr}"
    );
    refused(&[
        "content",
        "update-entry",
        &tampered,
        "--data",
        "{\"title\": \"Signed over\"}",
    ]);
    assert_eq!(
        revision_count(&env, &tampered),
        2,
        "the tampered body was not signed into a new revision"
    );
    refused(&["content", "search", "Hello"]);
    refused(&["content", "create-draft", "--canonical", &tampered]);
    refused(&["content", "delete-entry", &tampered]);

    // Over MCP: the documented error shape, code `integrity`.
    let mcp = env.mcp().await;
    let outcome = mcp
        .call(
            "get_entry",
            json!({"entryId": tampered.parse::<i64>().unwrap()}),
        )
        .await;
    assert!(outcome.is_error, "{}", outcome.body);
    assert_eq!(outcome.body["error"]["code"], "integrity");
    assert!(
        outcome.message().contains("revert_entry"),
        "{}",
        outcome.message()
    );
    // An untampered entry is served and written as before.
    let other = mcp
        .ok(
            "get_entry",
            json!({"entryId": sound.parse::<i64>().unwrap()}),
        )
        .await;
    assert_eq!(other["body"], "fine");
    mcp.close().await;
    let updated = env.cli_ok(&[
        "content",
        "update-entry",
        &sound,
        "--data",
        "{\"body\": \"still fine\"}",
    ]);
    assert_eq!(updated["revision"], 2);

    // Over REST: a 500 with the integrity code and the same words.
    let secret = token(&env, "reader");
    let server = Server::start(&env, &[]);
    let reply = server.get(&format!("/v1/content/entries/{tampered}"), &secret);
    assert_eq!(reply.status, 500, "{}", reply.body);
    assert_eq!(reply.error_code(), "integrity");
    assert!(
        reply.body.contains("was changed outside Imprint"),
        "{}",
        reply.body
    );
    drop(server);

    // The way back the message names: revert to the signed revision.
    env.cli_ok(&["content", "revert", &tampered, "2"]);
    let restored = env.cli_ok(&["content", "get-entry", &tampered]);
    assert_eq!(restored["body"], "edited");
    assert_eq!(restored["revision"], 3);
}

#[test]
fn a_query_of_thousands_of_repeated_words_is_refused_naming_the_limit() {
    let env = TestEnv::new();
    let (section, _) = blog(&env);
    create(&env, &section, "Soup", "tomato soup");
    let secret = token(&env, "searcher");
    let server = Server::start(&env, &[]);
    let query = "soup ".repeat(4_000);
    let answer = server.mcp(
        &secret,
        "tools/call",
        json!({"name": "search_content", "arguments": {"query": query}}),
    );
    assert_eq!(answer["result"]["isError"], true, "{answer}");
    let text = answer["result"]["content"][0]["text"].as_str().unwrap();
    let error: Value = serde_json::from_str(text).unwrap();
    assert_eq!(error["error"]["code"], "invalid_input");
    let message = error["error"]["message"].as_str().unwrap();
    assert!(message.contains("limit of 512"), "{message}");
    // Repeated words within the limits are one word: the search answers.
    let found = server.tool(
        &secret,
        "search_content",
        json!({"query": "soup soup soup soup tomato"}),
    );
    assert_eq!(found["count"], 1, "{found}");
    let words: Vec<String> = (0..40).map(|n| format!("w{n}")).collect();
    let answer = server.mcp(
        &secret,
        "tools/call",
        json!({"name": "search_content", "arguments": {"query": words.join(" ")}}),
    );
    let text = answer["result"]["content"][0]["text"].as_str().unwrap();
    assert!(text.contains("limit of 32"), "{text}");
}

#[test]
fn a_search_past_its_time_limit_is_stopped_with_a_clear_error() {
    let env = TestEnv::new();
    let (section, _) = blog(&env);
    create(&env, &section, "Soup", "tomato soup");
    let output = env
        .command()
        .env("IMPRINT_TEST_SEARCH_TIME_LIMIT_MS", "0")
        .args(["--json", "content", "search", "soup"])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(3), "{stderr}");
    assert!(
        stderr.contains("took too long") && stderr.contains("narrow the query"),
        "{stderr}"
    );
    // Without the knob the same search answers.
    assert_eq!(env.cli_ok(&["content", "search", "soup"])["count"], 1);
}

#[test]
fn slow_searches_leave_other_requests_answered() {
    let env = TestEnv::new();
    let (section, _) = blog(&env);
    create(&env, &section, "Soup", "tomato soup");
    let secret = token(&env, "searcher");
    // Every search holds its connection 1.5 s (a debug-build test knob): six of them
    // keep the search connections busy for several seconds.
    let server = Server::start_with_env(&env, &[("IMPRINT_TEST_SLOW_SEARCH_MS", "1500")], &[]);
    let server = std::sync::Arc::new(server);
    let (done, finished) = mpsc::channel::<(&str, Instant)>();
    let mut searches = Vec::new();
    for n in 0..6 {
        let server = std::sync::Arc::clone(&server);
        let secret = secret.clone();
        let done = done.clone();
        searches.push(std::thread::spawn(move || {
            // Half over REST, half through the MCP tool (which runs off the async workers).
            if n % 2 == 0 {
                let reply = server.get("/v1/content/search?query=soup", &secret);
                assert_eq!(reply.status, 200, "{}", reply.body);
            } else {
                let found = server.tool(&secret, "search_content", json!({"query": "soup"}));
                assert_eq!(found["count"], 1, "{found}");
            }
            done.send(("search", Instant::now())).unwrap();
        }));
    }
    // Let the searches reach the server before the unrelated requests are sent.
    std::thread::sleep(std::time::Duration::from_millis(300));
    let health = server.get("/healthz", &secret);
    assert_eq!(health.status, 200, "{}", health.body);
    let sites = server.get("/v1/content/sites", &secret);
    assert_eq!(sites.status, 200, "{}", sites.body);
    let tool_sites = server.tool(&secret, "get_sites", json!({}));
    assert!(
        tool_sites.is_array() || tool_sites.is_object(),
        "{tool_sites}"
    );
    done.send(("unrelated", Instant::now())).unwrap();
    drop(done);
    for search in searches {
        search.join().unwrap();
    }
    let order: Vec<&str> = finished.iter().map(|(what, _)| what).collect();
    assert_eq!(
        order.first(),
        Some(&"unrelated"),
        "the unrelated requests were answered while the searches still ran: {order:?}"
    );
}
