//! End to end: the real `imprint serve --http 127.0.0.1:0` binary, driven over plain
//! HTTP/1.1: tokens, Origin and Host checks, CORS, errors, If-Match, the OpenAPI
//! document, the control panel's sessions and CSRF, shutdown, and one draft seen over
//! REST, MCP over HTTP and a stdio server at once.

mod http_support;
mod support;

use http_support::{Reply, Server, token};
use serde_json::json;
use support::TestEnv;

const DRAFT: &str = "/v1/config/claude-desktop/default/draft";

#[test]
fn serves_on_port_zero_and_prints_the_address_and_a_login_url() {
    let env = TestEnv::new();
    let server = Server::start(&env, &[]);
    assert!(!server.addr.ends_with(":0"));
    assert!(
        server
            .login_url
            .starts_with(&format!("{}/cp/login?token=imp_", server.url()))
    );
    let health = server.send("GET", "/healthz", &[], None);
    assert_eq!(health.status, 200);
    assert_eq!(health.json()["status"], "ok");
}

#[test]
fn rest_without_a_token_gets_401_with_a_challenge() {
    let env = TestEnv::new();
    let server = Server::start(&env, &[]);
    let reply = server.send("GET", "/v1/clients", &[], None);
    assert_eq!(reply.status, 401);
    assert_eq!(reply.error_code(), "unauthorized");
    assert_eq!(
        reply.header("www-authenticate"),
        Some(r#"Bearer realm="imprint""#)
    );

    let wrong = server.get("/v1/clients", "imp_not-a-real-token");
    assert_eq!(wrong.status, 401);
    assert!(
        wrong
            .header("www-authenticate")
            .unwrap()
            .contains("invalid_token")
    );
    let basic = server.send(
        "GET",
        "/v1/clients",
        &[("authorization", "Basic YTpi")],
        None,
    );
    assert_eq!(basic.status, 401);
    let mcp = server.send(
        "POST",
        "/mcp",
        &[("content-type", "application/json")],
        Some("{}"),
    );
    assert_eq!(mcp.status, 401);
}

#[test]
fn a_token_minted_by_the_cli_works_in_the_running_server_until_revoked() {
    let env = TestEnv::new();
    let server = Server::start(&env, &[]);
    // Minted after the server started, by another process.
    let secret = token(&env, "ci-bot");
    let clients = server.get("/v1/clients", &secret);
    assert_eq!(clients.status, 200, "{}", clients.body);
    assert!(clients.json()["count"].as_u64().unwrap() > 5);
    let by_key = server.send("GET", "/v1/servers", &[("x-api-key", &secret)], None);
    assert_eq!(by_key.status, 200);

    let listed = env.cli_ok(&["token", "list"]);
    assert_eq!(listed["tokens"][0]["name"], "ci-bot");
    assert!(!listed.to_string().contains(&secret));

    env.cli_ok(&["token", "revoke", "ci-bot"]);
    let revoked = server.get("/v1/clients", &secret);
    assert_eq!(revoked.status, 401);
    assert!(
        revoked.json()["error"]["message"]
            .as_str()
            .unwrap()
            .contains("revoked")
    );
}

#[test]
fn the_token_name_is_recorded_as_author_over_rest_and_mcp() {
    let env = TestEnv::new();
    let server = Server::start(&env, &[]);
    let alice = token(&env, "alice");
    let bob = token(&env, "bob");
    let added = server.post(
        &format!("{DRAFT}/add"),
        &alice,
        json!({"server_id": "memory"}),
    );
    assert_eq!(added.status, 200, "{}", added.body);
    let published = server.post(
        "/v1/config/claude-desktop/default/publish",
        &alice,
        json!({"changelog": "first"}),
    );
    assert_eq!(published.status, 200, "{}", published.body);
    server.tool(&bob, "add_server_to_config", json!({"server_id": "fetch"}));
    server.tool(&bob, "publish_config", json!({"changelog": "second"}));

    let history = server
        .get("/v1/config/claude-desktop/default/history", &alice)
        .json();
    let authors: Vec<&str> = history["revisions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["author"].as_str().unwrap())
        .collect();
    assert_eq!(authors, ["bob", "alice"]);
}

#[test]
fn a_stale_if_match_gets_409_and_the_current_etag_succeeds() {
    let env = TestEnv::new();
    let server = Server::start(&env, &[]);
    let secret = token(&env, "t");
    let added = server.post(
        &format!("{DRAFT}/add"),
        &secret,
        json!({"server_id": "memory"}),
    );
    let etag = added.header("etag").unwrap().to_string();
    let view = server.get(DRAFT, &secret);
    assert_eq!(view.header("etag"), Some(etag.as_str()));
    assert_eq!(view.json()["server_names"], json!(["memory"]));

    // Someone else changes the draft (the CLI, another process).
    env.cli_ok(&["draft", "add", "fetch"]);

    let headers = [
        ("authorization", format!("Bearer {secret}")),
        ("content-type", "application/json".to_string()),
        ("if-match", etag.clone()),
    ];
    let headers: Vec<(&str, &str)> = headers.iter().map(|(n, v)| (*n, v.as_str())).collect();
    let stale = server.send(
        "POST",
        &format!("{DRAFT}/remove"),
        &headers,
        Some(r#"{"server_name":"memory"}"#),
    );
    assert_eq!(stale.status, 409, "{}", stale.body);
    assert_eq!(stale.error_code(), "conflict");
    assert_eq!(stale.json()["error"]["details"]["current_version"], 3);
    let cleared = server.send("DELETE", DRAFT, &headers, None);
    assert_eq!(cleared.status, 409);

    let fresh = server
        .get(DRAFT, &secret)
        .header("etag")
        .unwrap()
        .to_string();
    let mut headers = headers.clone();
    headers[2] = ("if-match", &fresh);
    let removed = server.send(
        "POST",
        &format!("{DRAFT}/remove"),
        &headers,
        Some(r#"{"server_name":"memory"}"#),
    );
    assert_eq!(removed.status, 200, "{}", removed.body);
    assert_eq!(
        server.get(DRAFT, &secret).json()["server_names"],
        json!(["fetch"])
    );
}

#[test]
fn a_foreign_origin_on_mcp_gets_403_and_the_own_origin_passes() {
    let env = TestEnv::new();
    let server = Server::start(&env, &[]);
    let secret = token(&env, "t");
    let call = |origin: &str| {
        server.send(
            "POST",
            "/mcp",
            &[
                ("authorization", &format!("Bearer {secret}")),
                ("content-type", "application/json"),
                ("accept", "application/json, text/event-stream"),
                ("origin", origin),
            ],
            Some(r#"{"jsonrpc":"2.0","id":1,"method":"tools/list","params":{}}"#),
        )
    };
    let foreign = call("http://evil.example");
    assert_eq!(foreign.status, 403);
    assert_eq!(foreign.error_code(), "forbidden");
    assert_eq!(call("null").status, 403);
    assert_eq!(call(&server.url()).status, 200);

    // State-changing REST calls from a foreign page are refused too.
    let rest = server.send(
        "POST",
        "/v1/keys/initialize",
        &[
            ("authorization", &format!("Bearer {secret}")),
            ("origin", "https://evil.example"),
        ],
        None,
    );
    assert_eq!(rest.status, 403);
}

#[test]
fn a_foreign_host_header_gets_403_against_dns_rebinding() {
    let env = TestEnv::new();
    let server = Server::start(&env, &[]);
    let rebound = server.send("GET", "/healthz", &[("host", "evil.example:7410")], None);
    assert_eq!(rebound.status, 403);
    let localhost = server.send("GET", "/healthz", &[("host", "localhost")], None);
    assert_eq!(localhost.status, 200);
}

#[test]
fn cors_answers_preflights_only_for_the_allow_list() {
    let env = TestEnv::new();
    let server = Server::start(&env, &["--cors-origin", "https://app.example"]);
    let secret = token(&env, "t");
    let preflight = |origin: &str| {
        server.send(
            "OPTIONS",
            "/v1/clients",
            &[
                ("origin", origin),
                ("access-control-request-method", "GET"),
                ("access-control-request-headers", "authorization"),
            ],
            None,
        )
    };
    let allowed = preflight("https://app.example");
    assert_eq!(allowed.status, 204);
    assert_eq!(
        allowed.header("access-control-allow-origin"),
        Some("https://app.example")
    );
    assert!(
        allowed
            .header("access-control-allow-headers")
            .unwrap()
            .contains("authorization")
    );
    let refused = preflight("https://other.example");
    assert_eq!(refused.status, 403);
    assert_eq!(refused.header("access-control-allow-origin"), None);

    let read = server.send(
        "GET",
        "/v1/clients",
        &[
            ("authorization", &format!("Bearer {secret}")),
            ("origin", "https://app.example"),
        ],
        None,
    );
    assert_eq!(read.status, 200);
    assert_eq!(
        read.header("access-control-allow-origin"),
        Some("https://app.example")
    );
    let other = server.send(
        "GET",
        "/v1/clients",
        &[
            ("authorization", &format!("Bearer {secret}")),
            ("origin", "https://other.example"),
        ],
        None,
    );
    assert_eq!(other.header("access-control-allow-origin"), None);
}

#[tokio::test]
async fn the_same_draft_is_seen_over_rest_mcp_http_and_a_stdio_server() {
    let env = TestEnv::new();
    let server = Server::start(&env, &[]);
    let secret = token(&env, "t");
    // REST writes...
    let added = server.post(
        &format!("{DRAFT}/add"),
        &secret,
        json!({"server_id": "memory"}),
    );
    assert_eq!(added.status, 200, "{}", added.body);
    // ...MCP over HTTP reads and writes...
    let over_http = server.tool(&secret, "view_draft_config", json!({}));
    assert_eq!(over_http["server_names"], json!(["memory"]));
    server.tool(
        &secret,
        "add_server_to_config",
        json!({"server_id": "fetch", "server_name": "files"}),
    );
    // ...a stdio server on the same data directory, running at the same time, sees both...
    let stdio = env.mcp().await;
    let seen = stdio.ok("view_draft_config", json!({})).await;
    assert_eq!(seen["server_names"], json!(["files", "memory"]));
    stdio
        .ok(
            "remove_server_from_config",
            json!({"server_name": "memory"}),
        )
        .await;
    stdio.close().await;
    // ...and REST sees what stdio did.
    assert_eq!(
        server.get(DRAFT, &secret).json()["server_names"],
        json!(["files"])
    );
}

#[test]
fn errors_have_one_json_shape_and_the_right_status() {
    let env = TestEnv::new();
    let server = Server::start(&env, &[]);
    let secret = token(&env, "t");
    let auth = format!("Bearer {secret}");
    let cases: Vec<(Reply, u16, &str)> = vec![
        (
            server.get("/v1/clients/nope/profiles", &secret),
            404,
            "not_found",
        ),
        (
            server.get("/v1/config/claude-desktop/default", &secret),
            404,
            "not_found",
        ),
        (
            server.get("/v1/config/Bad%20Id/default", &secret),
            422,
            "invalid_input",
        ),
        (
            server.post(
                &format!("{DRAFT}/add"),
                &secret,
                json!({"server_id": "no-such-server"}),
            ),
            404,
            "not_found",
        ),
        (
            server.post(&format!("{DRAFT}/add"), &secret, json!({"typo": 1})),
            400,
            "bad_request",
        ),
        (
            server.send(
                "POST",
                &format!("{DRAFT}/add"),
                &[
                    ("authorization", &auth),
                    ("content-type", "application/json"),
                ],
                Some("{not json"),
            ),
            400,
            "bad_request",
        ),
        (
            server.send(
                "POST",
                &format!("{DRAFT}/add"),
                &[("authorization", &auth), ("content-type", "text/plain")],
                Some(r#"{"server_id":"memory"}"#),
            ),
            415,
            "unsupported_media_type",
        ),
        (server.get("/v1/no/such/route", &secret), 404, "not_found"),
        (
            server.send("PUT", "/v1/clients", &[("authorization", &auth)], None),
            405,
            "method_not_allowed",
        ),
        (
            server.post(
                "/v1/config/claude-desktop/default/publish",
                &secret,
                json!({}),
            ),
            422,
            "invalid_input",
        ),
    ];
    for (reply, status, code) in cases {
        assert_eq!(reply.status, status, "{}", reply.body);
        assert_eq!(reply.error_code(), code, "{}", reply.body);
        assert!(!reply.body.contains("panicked") && !reply.body.contains("src/"));
    }
}

#[test]
fn the_openapi_document_and_the_routes_agree() {
    let env = TestEnv::new();
    let server = Server::start(&env, &[]);
    let secret = token(&env, "t");
    let doc = server.send("GET", "/openapi.json", &[], None);
    assert_eq!(doc.status, 200);
    let doc = doc.json();
    assert_eq!(doc["openapi"], "3.1.0");
    let paths = doc["paths"].as_object().unwrap();
    assert!(paths.len() >= 20, "{}", paths.len());
    for (path, methods) in paths {
        // Config ids by name; every other parameter is a numeric content id. The install
        // route gets a remote server, which it refuses: a test never runs a package manager.
        let server_id = if path.ends_with("/install") {
            "sentry"
        } else {
            "memory"
        };
        let concrete: String = path
            .replace("{client_id}", "claude-desktop")
            .replace("{profile_id}", "default")
            .replace("{server_id}", server_id)
            .split('/')
            .map(|segment| {
                if segment.starts_with('{') {
                    "1"
                } else {
                    segment
                }
            })
            .collect::<Vec<_>>()
            .join("/");
        for method in methods.as_object().unwrap().keys() {
            let method = method.to_uppercase();
            let reply = server.send(
                &method,
                &concrete,
                &[
                    ("authorization", &format!("Bearer {secret}")),
                    ("content-type", "application/json"),
                ],
                (method != "GET").then_some("{}"),
            );
            assert_ne!(reply.status, 405, "{method} {path}: {}", reply.body);
            assert!(
                !(reply.status == 404 && reply.body.contains("no route")),
                "{method} {path} is documented but not routed"
            );
        }
    }
}

#[test]
fn serving_beyond_loopback_without_auth_is_refused() {
    let env = TestEnv::new();
    let output = env
        .command()
        .args(["serve", "--http", "0.0.0.0:0", "--no-auth"])
        .output()
        .unwrap();
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("without authentication"), "{stderr}");
    assert!(output.stdout.is_empty(), "nothing may be served");
}

#[test]
fn no_auth_on_loopback_serves_as_the_local_user() {
    let env = TestEnv::new();
    let server = Server::start(&env, &["--no-auth"]);
    assert_eq!(server.login_url, format!("{}/cp", server.url()));
    let added = server.send(
        "POST",
        &format!("{DRAFT}/add"),
        &[("content-type", "application/json")],
        Some(r#"{"server_id":"memory"}"#),
    );
    assert_eq!(added.status, 200, "{}", added.body);
    let published = server.send(
        "POST",
        "/v1/config/claude-desktop/default/publish",
        &[],
        None,
    );
    assert_eq!(published.status, 200, "{}", published.body);
    let history = server.send(
        "GET",
        "/v1/config/claude-desktop/default/history",
        &[],
        None,
    );
    assert_eq!(history.json()["revisions"][0]["author"], "tester");
}

#[test]
fn sigterm_stops_the_server_cleanly() {
    let env = TestEnv::new();
    let server = Server::start(&env, &[]);
    assert_eq!(server.send("GET", "/healthz", &[], None).status, 200);
    let status = server.terminate();
    assert!(status.success(), "{status:?}");
    // At once after the readiness line, before any request: the handler is already in place
    // (it was installed when the accept loop first polled it, which under load could come
    // after the first answers, and SIGTERM then killed the process).
    let server = Server::start(&env, &[]);
    let status = server.terminate();
    assert!(status.success(), "{status:?}");
}

/// The control panel: login by URL sets a strict cookie; pages need it; forms need
/// the CSRF token and the panel's own origin.
#[test]
fn control_panel_sessions_cookies_and_csrf() {
    let env = TestEnv::new();
    let server = Server::start(&env, &[]);
    let to_login = server.send("GET", "/cp/configs", &[], None);
    assert_eq!(to_login.status, 303);
    assert_eq!(
        to_login.header("location"),
        Some("/cp/login?next=%2Fcp%2Fconfigs")
    );

    let path = server.login_url.strip_prefix(&server.url()).unwrap();
    let login = server.send("GET", &format!("{path}&next=%2Fcp%2Fconfigs"), &[], None);
    assert_eq!(login.status, 303, "{}", login.body);
    assert_eq!(login.header("location"), Some("/cp/configs"));
    let cookie = login.header("set-cookie").unwrap().to_string();
    assert!(
        cookie.contains("HttpOnly") && cookie.contains("SameSite=Strict"),
        "{cookie}"
    );
    let cookie = cookie.split(';').next().unwrap().to_string();

    let page = server.send(
        "GET",
        "/cp/configs/claude-desktop/default",
        &[("cookie", &cookie)],
        None,
    );
    assert_eq!(page.status, 200);
    assert!(page.body.contains("Add to draft"));
    assert!(
        page.header("content-security-policy")
            .unwrap()
            .contains("frame-ancestors 'none'")
    );
    let csrf = page
        .body
        .split("name=\"_csrf\" value=\"")
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .unwrap()
        .to_string();

    let form = |body: &str, origin: Option<&str>| {
        let mut headers = vec![
            ("cookie", cookie.as_str()),
            ("content-type", "application/x-www-form-urlencoded"),
        ];
        if let Some(origin) = origin {
            headers.push(("origin", origin));
        }
        server.send(
            "POST",
            "/cp/configs/claude-desktop/default/draft/add",
            &headers,
            Some(body),
        )
    };
    let own = server.url();
    assert_eq!(
        form("server_id=memory", Some(&own)).status,
        403,
        "no CSRF token"
    );
    assert_eq!(
        form("server_id=memory&_csrf=forged", Some(&own)).status,
        403
    );
    assert_eq!(
        form(
            &format!("server_id=memory&_csrf={csrf}"),
            Some("https://evil.example")
        )
        .status,
        403,
        "foreign origin"
    );
    let ok = form(
        &format!("server_id=memory&draft=default&_csrf={csrf}"),
        Some(&own),
    );
    assert_eq!(ok.status, 303, "{}", ok.body);
    let after = server.send(
        "GET",
        "/cp/configs/claude-desktop/default",
        &[("cookie", &cookie)],
        None,
    );
    assert!(
        after.body.contains("added &#39;memory&#39; to the draft"),
        "{}",
        after.body
    );

    let wrong = server.send("GET", "/cp/login?token=imp_wrong", &[], None);
    assert_eq!(wrong.status, 401);
    assert!(wrong.header("set-cookie").is_none());
}

/// Whether `text` names an MCP tool the hints use (the REST and panel wordings must not).
fn names_a_tool(text: &str) -> Option<&'static str> {
    [
        "list_available_servers",
        "register_server",
        "add_server_to_config",
        "view_draft_config",
        "publish_config",
        "deploy_config",
        "import_config",
        "search_content",
        "apply_draft",
        "update_draft",
        "list_drafts",
    ]
    .into_iter()
    .find(|tool| text.contains(tool))
}

#[test]
fn rest_hints_name_routes_not_tools() {
    let env = TestEnv::new();
    let server = Server::start(&env, &[]);
    let secret = token(&env, "t");
    // An error's hint: the routes that fix it.
    let unknown = server.post(
        "/v1/config/cursor/default/draft/add",
        &secret,
        json!({"server_id": "nosuch"}),
    );
    assert_eq!(unknown.status, 404, "{}", unknown.body);
    let message = unknown.json()["error"]["message"]
        .as_str()
        .unwrap()
        .to_string();
    assert_eq!(
        message,
        "unknown server 'nosuch': send GET /v1/servers to see the catalog ids, or POST /v1/servers to add your own"
    );
    let none = server.get("/v1/config/cursor/default", &secret);
    assert_eq!(none.status, 404);
    let message = none.json()["error"]["message"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(
        message.contains("POST /v1/config/cursor/default/publish"),
        "{message}"
    );
    assert_eq!(names_a_tool(&message), None, "{message}");
    let entry = server.get("/v1/content/entries/999", &secret);
    assert_eq!(entry.status, 404);
    let message = entry.json()["error"]["message"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(message.contains("GET /v1/content/search"), "{message}");
    let section = server.post(
        "/v1/content/entries",
        &secret,
        json!({"sectionId": 999, "attributeAndFieldData": {"title": "x"}}),
    );
    assert_eq!(section.status, 404, "{}", section.body);
    assert_eq!(
        section.json()["error"]["message"],
        "sectionId 999 does not exist: GET /v1/content/sections lists the sections"
    );
    // Answers too: what was never deployed, and a search's results.
    let never = server
        .get("/v1/config/cursor/default/deployed", &secret)
        .json();
    assert_eq!(
        never["message"],
        "never deployed: POST /v1/config/cursor/default/deploy writes the latest artifact into the client's file"
    );
    // An answer's next steps: in the message as routes, and as data in `next`.
    let added = server
        .post(
            "/v1/config/cursor/default/draft/add",
            &secret,
            json!({"server_id": "memory"}),
        )
        .json();
    let message = added["message"].as_str().unwrap();
    assert!(
        message.ends_with("; GET /v1/config/cursor/default/draft to review, POST /v1/config/cursor/default/publish when ready"),
        "{message}"
    );
    assert_eq!(added["next"][1]["step"], "publish");
    assert_eq!(added["next"][1]["client_id"], "cursor");
    let published = server
        .post("/v1/config/cursor/default/publish", &secret, json!({}))
        .json();
    let message = published["message"].as_str().unwrap();
    assert!(
        message.contains("POST /v1/config/cursor/default/deploy writes it"),
        "{message}"
    );
    assert_eq!(names_a_tool(message), None, "{message}");
    // MCP over the same server keeps the tool names (the old systems' texts).
    let over_mcp = server.tool(
        &secret,
        "add_server_to_config",
        json!({"client_id": "cursor", "server_id": "fetch"}),
    );
    let text = over_mcp.to_string();
    assert!(
        text.contains("view_draft_config to review, publish_config when ready"),
        "{text}"
    );
    let refused = server.mcp(
        &secret,
        "tools/call",
        json!({"name": "add_server_to_config", "arguments": {"server_id": "nosuch"}}),
    );
    assert_eq!(refused["result"]["isError"], true, "{refused}");
    assert!(
        refused.to_string().contains(
            "unknown server 'nosuch': call list_available_servers to see the catalog ids, or register_server to add your own"
        ),
        "{refused}"
    );
}

#[test]
fn the_control_panel_names_its_buttons_in_hints() {
    let env = TestEnv::new();
    env.write(
        ".config/Claude/claude_desktop_config.json",
        r#"{"mcpServers": {"notes": {"command": "notes-server", "args": []}}}"#,
    );
    let server = Server::start(&env, &[]);
    let path = server.login_url.strip_prefix(&server.url()).unwrap();
    let login = server.send("GET", path, &[], None);
    let cookie = login.header("set-cookie").unwrap();
    let cookie = cookie.split(';').next().unwrap().to_string();
    let page_url = "/cp/configs/claude-desktop/default";
    let page = server.send("GET", page_url, &[("cookie", &cookie)], None);
    let csrf = page
        .body
        .split("name=\"_csrf\" value=\"")
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .unwrap()
        .to_string();
    let own = server.url();
    let post = |action: &str, body: String| {
        let reply = server.send(
            "POST",
            &format!("{page_url}/{action}"),
            &[
                ("cookie", cookie.as_str()),
                ("content-type", "application/x-www-form-urlencoded"),
                ("origin", own.as_str()),
            ],
            Some(&body),
        );
        assert_eq!(reply.status, 303, "{}", reply.body);
        server
            .send("GET", page_url, &[("cookie", &cookie)], None)
            .body
    };
    // An answer's next steps: the buttons on this page.
    let after_import = post("import", format!("_csrf={csrf}"));
    let flash = after_import
        .split("class=\"flash ok\"")
        .nth(1)
        .and_then(|rest| rest.split("</p>").next())
        .unwrap_or_else(|| panic!("no flash: {after_import}"));
    assert!(
        flash.contains("\u{201c}Publish signed revision\u{201d} then \u{201c}Deploy the latest artifact\u{201d}"),
        "{flash}"
    );
    assert!(
        after_import.contains(">Publish signed revision</button>"),
        "the button the hint names is on the page"
    );
    assert_eq!(names_a_tool(flash), None, "{flash}");
    // An error's hint.
    let after_error = post("draft/add", format!("server_id=nosuch&_csrf={csrf}"));
    let flash = after_error
        .split("class=\"flash error\"")
        .nth(1)
        .and_then(|rest| rest.split("</p>").next())
        .unwrap_or_else(|| panic!("no flash: {after_error}"));
    assert!(flash.contains("Add to draft"), "{flash}");
    assert_eq!(names_a_tool(flash), None, "{flash}");
    // A deploy refused over a hand edit: the two buttons that go ahead.
    let published = post("publish", format!("_csrf={csrf}"));
    assert!(published.contains("flash ok"), "{published}");
    let deployed = post("deploy", format!("_csrf={csrf}"));
    assert!(deployed.contains("flash ok"), "{deployed}");
    let file = env.file(".config/Claude/claude_desktop_config.json");
    let text = std::fs::read_to_string(&file).unwrap();
    std::fs::write(&file, text.replace("notes-server", "notes-edited")).unwrap();
    let after_drift = post("deploy", format!("_csrf={csrf}"));
    let flash = after_drift
        .split("class=\"flash error\"")
        .nth(1)
        .and_then(|rest| rest.split("</p>").next())
        .unwrap_or_else(|| panic!("no flash: {after_drift}"));
    assert!(
        flash.ends_with(
            "; use \u{201c}Import from the client&#39;s file\u{201d} to adopt the changes, or \u{201c}Deploy the latest artifact\u{201d} with \u{201c}force\u{201d} ticked to overwrite them"
        ),
        "{flash}"
    );
    assert_eq!(names_a_tool(flash), None, "{flash}");
}

#[test]
fn rest_deploy_refusals_name_the_routes_that_fix_them() {
    let env = TestEnv::new();
    env.write(
        ".cursor/mcp.json",
        r#"{"mcpServers": {"hand-made": {"command": "my-tool"}}}"#,
    );
    let server = Server::start(&env, &[]);
    let secret = token(&env, "t");
    let base = "/v1/config/cursor/default";
    server.post(
        &format!("{base}/draft/add"),
        &secret,
        json!({"server_id": "memory"}),
    );
    server.post(&format!("{base}/publish"), &secret, json!({}));
    let refused = server.post(&format!("{base}/deploy"), &secret, json!({}));
    assert_eq!(refused.status, 409, "{}", refused.body);
    let body = refused.json();
    let message = body["error"]["message"].as_str().unwrap();
    assert!(
        message.ends_with(
            "; send POST /v1/config/cursor/default/deploy with \"force\": true to replace them, or POST /v1/config/cursor/default/import to adopt them first"
        ),
        "{message}"
    );
    assert_eq!(names_a_tool(message), None, "{message}");
    assert_eq!(
        body["error"]["details"]["unmanaged_servers"],
        json!(["hand-made"])
    );
    // MCP over the same server keeps its text.
    let over_mcp = server.mcp(
        &secret,
        "tools/call",
        json!({"name": "deploy_config", "arguments": {"client_id": "cursor"}}),
    );
    assert!(
        over_mcp
            .to_string()
            .contains("; pass force: true to replace them, or import_config to adopt them first"),
        "{over_mcp}"
    );
}

/// Whether `text` names any of the tools the config and content crates' messages and the
/// structure answers name (REST and the panel must not).
fn names_a_lower_tool(text: &str) -> Option<&'static str> {
    [
        "add_server_to_config",
        "remove_server_from_config",
        "list_available_servers",
        "register_server",
        "set_secret",
        "get_fields",
        "get_field_types",
        "update_field_layout",
        "create_field",
        "create_entry",
        "create_draft",
        "update_entry",
    ]
    .into_iter()
    .find(|tool| text.contains(tool))
    .or_else(|| names_a_tool(text))
}

/// The error an MCP tool call answered with (`{"code", "message", "details"}`).
fn mcp_error(
    server: &Server,
    secret: &str,
    name: &str,
    arguments: serde_json::Value,
) -> serde_json::Value {
    let answer = server.mcp(
        secret,
        "tools/call",
        json!({"name": name, "arguments": arguments}),
    );
    assert_eq!(answer["result"]["isError"], true, "{answer}");
    let text = answer["result"]["content"][0]["text"].as_str().unwrap();
    serde_json::from_str::<serde_json::Value>(text).unwrap()["error"].clone()
}

#[test]
fn the_config_and_content_crates_fixes_name_routes_on_rest_and_tools_on_mcp() {
    let env = TestEnv::new();
    let server = Server::start(&env, &[]);
    let secret = token(&env, "t");
    let base = "/v1/config/cursor/default";
    let empty = "the configuration has no servers; add one with add_server_to_config (see list_available_servers)";

    // A validation issue: in the report REST answers with, and in a refused publish.
    let validated = server.post(&format!("{base}/validate"), &secret, json!({}));
    assert_eq!(validated.status, 200, "{}", validated.body);
    assert_eq!(
        validated.json()["errors"][0]["message"],
        "the configuration has no servers; add one with POST /v1/config/cursor/default/draft/add (see GET /v1/servers)"
    );
    let refused = server.post(&format!("{base}/publish"), &secret, json!({}));
    assert_eq!(refused.status, 422, "{}", refused.body);
    assert_eq!(
        refused.json()["error"]["message"],
        "the draft does not validate, nothing was published: EMPTY_CONFIG: the configuration has no servers; add one with POST /v1/config/cursor/default/draft/add (see GET /v1/servers)"
    );
    assert_eq!(
        refused.json()["error"]["details"]["errors"][0]["message"],
        "the configuration has no servers; add one with POST /v1/config/cursor/default/draft/add (see GET /v1/servers)"
    );
    assert_eq!(names_a_lower_tool(&refused.body), None, "{}", refused.body);
    // MCP keeps the old texts, byte for byte.
    let over_mcp = server.tool(&secret, "validate_config", json!({"client_id": "cursor"}));
    assert_eq!(over_mcp["errors"][0]["message"], empty, "{over_mcp}");
    let error = mcp_error(
        &server,
        &secret,
        "publish_config",
        json!({"client_id": "cursor"}),
    );
    assert_eq!(
        error["message"],
        format!("the draft does not validate, nothing was published: EMPTY_CONFIG: {empty}")
    );
    assert_eq!(error["details"]["errors"][0]["message"], empty);

    // A required env var left out: a secret is stored with the CLI (no route).
    let missing = server.post(
        &format!("{base}/draft/add"),
        &secret,
        json!({"server_id": "github"}),
    );
    assert_eq!(missing.status, 422, "{}", missing.body);
    let message = missing.json()["error"]["message"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(
        message.ends_with(
            "(a value, or a \"${secret:NAME}\" reference to a secret stored with the CLI's `imprint secrets set <name>` (no route))"
        ),
        "{message}"
    );
    assert_eq!(names_a_lower_tool(&message), None, "{message}");
    let error = mcp_error(
        &server,
        &secret,
        "add_server_to_config",
        json!({"client_id": "cursor", "server_id": "github"}),
    );
    let text = error["message"].as_str().unwrap();
    assert!(
        text.starts_with("missing required environment variable GITHUB_PERSONAL_ACCESS_TOKEN for server 'github'; pass env_vars={")
            && text.ends_with("reference to a secret stored with set_secret)"),
        "{text}"
    );

    // A registry server.json Imprint cannot start.
    let unusable = json!({"name": "io.example/none", "description": "x", "version": "1.0.0"});
    let refused = server.post("/v1/servers/import-registry", &secret, unusable.clone());
    assert_eq!(refused.status, 422, "{}", refused.body);
    let message = refused.json()["error"]["message"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(
        message.ends_with("register it by hand with POST /v1/servers"),
        "{message}"
    );
    let error = mcp_error(
        &server,
        &secret,
        "import_registry_server",
        json!({"server_json": unusable}),
    );
    assert!(
        error["message"]
            .as_str()
            .unwrap()
            .ends_with("register it by hand with register_server"),
        "{error}"
    );

    // Structure created: the answer's next steps as routes, and as data.
    let site = server
        .post(
            "/v1/content/sites",
            &secret,
            json!({"name": "Two", "handle": "two"}),
        )
        .json();
    assert!(
        site["message"].as_str().unwrap().ends_with(
            "to POST /v1/content/entries or POST /v1/content/drafts to write content for it"
        ),
        "{site}"
    );
    assert_eq!(site["next"][0]["step"], "create_entry");
    let entry_type = server
        .post(
            "/v1/content/entry-types",
            &secret,
            json!({"name": "Post", "handle": "post"}),
        )
        .json();
    let message = entry_type["message"].as_str().unwrap();
    assert!(
        message.contains("; add fields with PUT /v1/content/field-layouts/{field_layout_id}, then"),
        "{message}"
    );
    assert_eq!(entry_type["next"][0]["step"], "update_field_layout");
    let section = server
        .post(
            "/v1/content/sections",
            &secret,
            json!({"name": "News", "handle": "news", "type": "channel",
                   "entryTypeIds": [entry_type["id"]]}),
        )
        .json();
    assert!(
        section["message"]
            .as_str()
            .unwrap()
            .contains("; POST /v1/content/entries or POST /v1/content/drafts with sectionId"),
        "{section}"
    );
    let field = server
        .post(
            "/v1/content/fields",
            &secret,
            json!({"name": "Sub", "handle": "sub", "type": "PlainText"}),
        )
        .json();
    assert_eq!(field["next"][0]["step"], "update_field_layout", "{field}");
    let types = server.get("/v1/content/field-types", &secret).json();
    assert!(
        types["message"]
            .as_str()
            .unwrap()
            .contains("to POST /v1/content/fields,"),
        "{}",
        types["message"]
    );
    for answer in [&site, &entry_type, &section, &field, &types] {
        let message = answer["message"].as_str().unwrap();
        assert_eq!(names_a_lower_tool(message), None, "{message}");
    }
    // MCP: the old texts, with `next` added (get_field_types answers its list alone, as ever).
    let over_mcp = server.tool(&secret, "get_field_types", json!({}));
    assert!(over_mcp.is_array(), "{over_mcp}");
    let over_mcp = server.tool(
        &secret,
        "create_field",
        json!({"name": "Body", "handle": "body", "type": "PlainText"}),
    );
    let id = over_mcp["id"].as_i64().unwrap();
    assert_eq!(
        over_mcp["message"],
        format!(
            "created field 'body' (fieldId {id}); place it in an entry type's layout with update_field_layout ({{\"type\": \"CustomField\", \"fieldId\": {id}}})"
        )
    );
    assert_eq!(over_mcp["next"][0]["step"], "update_field_layout");

    // A layout's element without its field id: the fields' route.
    let layout_id = entry_type["fieldLayoutId"].as_i64().unwrap();
    let tabs = json!({"tabs": [{"name": "Content", "elements": [{"type": "CustomField"}]}]});
    let refused = server.send(
        "PUT",
        &format!("/v1/content/field-layouts/{layout_id}"),
        &[
            ("authorization", &format!("Bearer {secret}")),
            ("content-type", "application/json"),
        ],
        Some(&tabs.to_string()),
    );
    assert_eq!(refused.status, 422, "{}", refused.body);
    let message = refused.json()["error"]["message"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(
        message.ends_with("is a CustomField without fieldId: pass the id of a field (GET /v1/content/fields lists them)"),
        "{message}"
    );
    let mut arguments = tabs;
    arguments["fieldLayoutId"] = json!(layout_id);
    let error = mcp_error(&server, &secret, "update_field_layout", arguments);
    assert!(
        error["message"].as_str().unwrap().ends_with(
            "is a CustomField without fieldId: pass the id of a field (get_fields lists them)"
        ),
        "{error}"
    );
}

#[test]
fn the_control_panel_names_its_buttons_in_validation_issues() {
    let env = TestEnv::new();
    let server = Server::start(&env, &[]);
    let path = server.login_url.strip_prefix(&server.url()).unwrap();
    let login = server.send("GET", path, &[], None);
    let cookie = login.header("set-cookie").unwrap();
    let cookie = cookie.split(';').next().unwrap().to_string();
    let page_url = "/cp/configs/cursor/default";
    let page = server.send("GET", page_url, &[("cookie", &cookie)], None);
    assert_eq!(page.status, 200, "{}", page.body);
    // The empty draft's issue: the button that adds a server, never the tool.
    assert!(
        page.body.contains(
            "the configuration has no servers; add one with \u{201c}Add to draft\u{201d} (see the server list of \u{201c}Add to draft\u{201d})"
        ),
        "{}",
        page.body
    );
    assert_eq!(names_a_lower_tool(&page.body), None);
    // Publishing it is refused with the same words.
    let csrf = page
        .body
        .split("name=\"_csrf\" value=\"")
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .unwrap()
        .to_string();
    let own = server.url();
    let reply = server.send(
        "POST",
        &format!("{page_url}/publish"),
        &[
            ("cookie", cookie.as_str()),
            ("content-type", "application/x-www-form-urlencoded"),
            ("origin", own.as_str()),
        ],
        Some(&format!("_csrf={csrf}")),
    );
    assert_eq!(reply.status, 303, "{}", reply.body);
    let after = server
        .send("GET", page_url, &[("cookie", &cookie)], None)
        .body;
    let flash = after
        .split("class=\"flash error\"")
        .nth(1)
        .and_then(|rest| rest.split("</p>").next())
        .unwrap_or_else(|| panic!("no flash: {after}"));
    assert!(
        flash.contains("EMPTY_CONFIG: the configuration has no servers; add one with \u{201c}Add to draft\u{201d}"),
        "{flash}"
    );
    assert_eq!(names_a_lower_tool(flash), None, "{flash}");
    // A required env var left out: secrets are not set in the panel, the CLI sets them.
    let reply = server.send(
        "POST",
        &format!("{page_url}/draft/add"),
        &[
            ("cookie", cookie.as_str()),
            ("content-type", "application/x-www-form-urlencoded"),
            ("origin", own.as_str()),
        ],
        Some(&format!("server_id=github&_csrf={csrf}")),
    );
    assert_eq!(reply.status, 303, "{}", reply.body);
    let after = server
        .send("GET", page_url, &[("cookie", &cookie)], None)
        .body;
    let flash = after
        .split("class=\"flash error\"")
        .nth(1)
        .and_then(|rest| rest.split("</p>").next())
        .unwrap_or_else(|| panic!("no flash: {after}"));
    assert!(
        flash.contains(
            "stored with the CLI&#39;s `imprint secrets set &lt;name&gt;` (not in the panel))"
        ),
        "{flash}"
    );
    assert_eq!(names_a_lower_tool(flash), None, "{flash}");
}
