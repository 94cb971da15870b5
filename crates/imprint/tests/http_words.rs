//! Issue 14, the rest: the real `imprint serve --http` binary, driven through every refusal
//! (and answer) whose next step was plain text naming an MCP tool. REST names its routes,
//! the control panel its buttons, MCP keeps its old text byte for byte. The tool names
//! looked for are the server's own, from `tools/list`, not a hand list.

mod http_support;
mod support;

use http_support::{Reply, Server, token, token_with_role};
use serde_json::{Value, json};
use support::TestEnv;

/// Every tool name the MCP endpoint lists.
fn catalogue(server: &Server, secret: &str) -> Vec<String> {
    let listed = server.mcp(secret, "tools/list", json!({}));
    let names: Vec<String> = listed["result"]["tools"]
        .as_array()
        .unwrap_or_else(|| panic!("no tools: {listed}"))
        .iter()
        .map(|tool| tool["name"].as_str().unwrap().to_string())
        .collect();
    assert!(names.len() > 50, "{names:?}");
    names
}

/// The first tool name `text` holds as a word of its own (a tool is snake_case: `get_config`
/// inside `get_config_history` is that other tool, which is listed too).
fn tool_in(tools: &[String], text: &str) -> Option<String> {
    let is_word = |c: char| c.is_ascii_alphanumeric() || c == '_';
    tools
        .iter()
        .find(|tool| {
            text.match_indices(tool.as_str()).any(|(at, _)| {
                !text[..at].ends_with(is_word) && !text[at + tool.len()..].starts_with(is_word)
            })
        })
        .cloned()
}

/// Fails naming the tool when `text` names one.
fn assert_no_tool(tools: &[String], text: &str) {
    if let Some(tool) = tool_in(tools, text) {
        panic!("names the MCP tool {tool}: {text}");
    }
}

/// A refusal's body: its status, then no tool name in the whole body; its message.
fn refused(tools: &[String], reply: &Reply, status: u16) -> String {
    assert_eq!(reply.status, status, "{}", reply.body);
    assert_no_tool(tools, &reply.body);
    reply.json()["error"]["message"]
        .as_str()
        .unwrap()
        .to_string()
}

/// An answer's words: everything but `next`, the steps as data (`{"step": "apply_draft"}`:
/// ids for a program, which the message words).
fn assert_answer_words(tools: &[String], reply: &Reply) {
    let mut answer = reply.json();
    if let Some(object) = answer.as_object_mut() {
        object.remove("next");
    }
    assert_no_tool(tools, &answer.to_string());
}

fn call(server: &Server, method: &str, path: &str, secret: &str, body: Option<Value>) -> Reply {
    let auth = format!("Bearer {secret}");
    let body = body.map(|b| b.to_string());
    let mut headers = vec![("authorization", auth.as_str())];
    if body.is_some() {
        headers.push(("content-type", "application/json"));
    }
    server.send(method, path, &headers, body.as_deref())
}

fn id(reply: Reply, key: &str) -> i64 {
    assert!(reply.status < 300, "{}", reply.body);
    let value = reply.json();
    value[key]
        .as_i64()
        .unwrap_or_else(|| panic!("no {key} in {value}"))
}

/// The error an MCP tool call answered with.
fn mcp_message(server: &Server, secret: &str, name: &str, arguments: Value) -> String {
    let answer = server.mcp(
        secret,
        "tools/call",
        json!({"name": name, "arguments": arguments}),
    );
    assert_eq!(answer["result"]["isError"], true, "{answer}");
    let text = answer["result"]["content"][0]["text"].as_str().unwrap();
    serde_json::from_str::<Value>(text).unwrap()["error"]["message"]
        .as_str()
        .unwrap()
        .to_string()
}

#[test]
fn rest_refusals_that_named_tools_name_routes_and_mcp_keeps_its_text() {
    let env = TestEnv::new();
    let server = Server::start(&env, &[]);
    let secret = token(&env, "t");
    let tools = catalogue(&server, &secret);
    assert!(tools.iter().any(|t| t == "update_site"), "{tools:?}");

    // The primary site cannot stop being primary.
    let sites = server.get("/v1/content/sites", &secret).json();
    let primary = sites["sites"]
        .as_array()
        .and_then(|all| all.iter().find(|s| s["primary"] == true))
        .unwrap_or_else(|| panic!("no primary site: {sites}"))["siteId"]
        .as_i64()
        .unwrap();
    let reply = call(
        &server,
        "PATCH",
        &format!("/v1/content/sites/{primary}"),
        &secret,
        Some(json!({"primary": false})),
    );
    assert_eq!(
        refused(&tools, &reply, 422),
        format!(
            "site {primary} is the primary site and exactly one site is primary: make another site primary instead (PATCH /v1/content/sites/{{site_id}} with \"primary\": true)"
        )
    );
    assert_eq!(
        mcp_message(
            &server,
            &secret,
            "update_site",
            json!({"siteId": primary, "primary": false})
        ),
        format!(
            "site {primary} is the primary site and exactly one site is primary: make another site primary instead (update_site with primary: true on it)"
        )
    );

    // A field layout: created (the answer's next steps), then saved without tabs.
    let created = server.post(
        "/v1/content/field-layouts",
        &secret,
        json!({"kind": "craft\\elements\\Entry"}),
    );
    assert_eq!(created.status, 201, "{}", created.body);
    assert_answer_words(&tools, &created);
    let layout = created.json()["fieldLayoutId"].as_i64().unwrap();
    assert!(
        created.json()["message"]
            .as_str()
            .unwrap()
            .contains("; PUT /v1/content/field-layouts/{field_layout_id} sets its tabs"),
        "{}",
        created.body
    );
    let path = format!("/v1/content/field-layouts/{layout}");
    // (a body without `tabs` is refused before the operation runs)
    let reply = call(&server, "PUT", &path, &secret, Some(json!({"tabs": null})));
    assert!(
        refused(&tools, &reply, 422)
            .ends_with(&format!(" (elements with a uid from GET {path} are kept)")),
        "{}",
        reply.body
    );
    assert!(
        mcp_message(
            &server,
            &secret,
            "update_field_layout",
            json!({"fieldLayoutId": layout, "tabs": null})
        )
        .ends_with("(elements with a uid from get_field_layout are kept)")
    );

    // A field without a type.
    let untyped = json!({"type": "", "name": "Body"});
    let reply = server.post("/v1/content/fields", &secret, untyped.clone());
    assert_eq!(
        refused(&tools, &reply, 422),
        "type is required, e.g. \"PlainText\" (GET /v1/content/field-types lists them)"
    );
    assert_eq!(
        mcp_message(&server, &secret, "create_field", untyped),
        "type is required, e.g. \"PlainText\" (get_field_types lists them)"
    );

    // A model: a relation field on type A; a section with types A and B.
    let related = id(
        server.post(
            "/v1/content/fields",
            &secret,
            json!({"type": "Entries", "name": "Related", "handle": "related"}),
        ),
        "fieldId",
    );
    let type_a = server.post(
        "/v1/content/entry-types",
        &secret,
        json!({"name": "A", "handle": "a"}),
    );
    assert_eq!(type_a.status, 201, "{}", type_a.body);
    let (type_a, layout_a) = (
        type_a.json()["entryTypeId"].as_i64().unwrap(),
        type_a.json()["fieldLayoutId"].as_i64().unwrap(),
    );
    let saved = call(
        &server,
        "PUT",
        &format!("/v1/content/field-layouts/{layout_a}"),
        &secret,
        Some(json!({"tabs": [{"name": "Content", "elements": [
            {"type": "title"}, {"type": "CustomField", "fieldId": related}
        ]}]})),
    );
    assert_eq!(saved.status, 200, "{}", saved.body);
    let type_b = id(
        server.post(
            "/v1/content/entry-types",
            &secret,
            json!({"name": "B", "handle": "b"}),
        ),
        "entryTypeId",
    );
    let section = id(
        server.post(
            "/v1/content/sections",
            &secret,
            json!({"name": "Blog", "type": "channel", "entryTypeIds": [type_a, type_b]}),
        ),
        "sectionId",
    );

    // A relation to a draft: apply it first.
    let draft = server.post(
        "/v1/content/drafts",
        &secret,
        json!({"sectionId": section, "entryTypeId": type_a, "attributeAndFieldData": {"title": "Later"}}),
    );
    assert_eq!(draft.status, 201, "{}", draft.body);
    assert_answer_words(&tools, &draft);
    let draft = draft.json()["draftId"].as_i64().unwrap();
    let relating = json!({"sectionId": section, "entryTypeId": type_a,
        "attributeAndFieldData": {"title": "Now", "related": [draft]}});
    let reply = server.post("/v1/content/entries", &secret, relating.clone());
    assert_eq!(
        refused(&tools, &reply, 422),
        format!(
            "field 'related' relates entry {draft}, which is a draft: relate a live entry (POST /v1/content/drafts/{draft}/apply first)"
        )
    );
    assert_eq!(
        mcp_message(&server, &secret, "create_entry", relating),
        format!(
            "field 'related' relates entry {draft}, which is a draft: relate a live entry (apply_draft first)"
        )
    );

    // Deletes refused over the content they hold: the same delete with force.
    let entry = id(
        server.post(
            "/v1/content/entries",
            &secret,
            json!({"sectionId": section, "entryTypeId": type_a, "attributeAndFieldData": {"title": "Live"}}),
        ),
        "entryId",
    );
    for (path, tool, arguments) in [
        (
            format!("/v1/content/fields/{related}"),
            "delete_field",
            json!({"fieldId": related}),
        ),
        (
            format!("/v1/content/entry-types/{type_a}"),
            "delete_entry_type",
            json!({"entryTypeId": type_a}),
        ),
        (
            format!("/v1/content/sections/{section}"),
            "delete_section",
            json!({"sectionId": section}),
        ),
    ] {
        let reply = call(&server, "DELETE", &path, &secret, None);
        let message = refused(&tools, &reply, 409);
        assert!(
            message.ends_with(&format!(": send DELETE {path}?force=true to go ahead")),
            "{message}"
        );
        let over_mcp = mcp_message(&server, &secret, tool, arguments);
        assert!(
            over_mcp.ends_with(": pass force: true to go ahead"),
            "{over_mcp}"
        );
    }
    // An entry moved to the trash: the answer's way back and the way further.
    let trashed = call(
        &server,
        "DELETE",
        &format!("/v1/content/entries/{entry}"),
        &secret,
        None,
    );
    assert_eq!(trashed.status, 200, "{}", trashed.body);
    assert_answer_words(&tools, &trashed);
    assert!(
        trashed.json()["message"].as_str().unwrap().ends_with(&format!(
            "; POST /v1/content/entries/{entry}/restore brings it back, DELETE /v1/content/entries/{entry}?permanentlyDelete=true removes it for good"
        )),
        "{}",
        trashed.body
    );

    // Secrets that are not stored.
    let github = json!({"server_id": "github",
        "env_vars": {"GITHUB_PERSONAL_ACCESS_TOKEN": "${secret:NOPE}"}});
    let reply = server.post("/v1/config/cursor/default/draft/add", &secret, github);
    assert_eq!(
        refused(&tools, &reply, 404),
        "no secret named 'NOPE': set it with the CLI's `imprint secrets set <name>` (no route), or pass the value itself"
    );
    assert_eq!(
        mcp_message(
            &server,
            &secret,
            "add_server_to_config",
            json!({"client_id": "cursor", "server_id": "github",
                "env_vars": {"GITHUB_PERSONAL_ACCESS_TOKEN": "${secret:NOPE}"}})
        ),
        "no secret named 'NOPE': set it with `imprint secrets set NOPE` (or the set_secret tool), or pass the value itself"
    );

    let two = json!({"server_id": "github", "env_vars": {
        "GITHUB_PERSONAL_ACCESS_TOKEN": "${secret:NOPE}", "EXTRA": "${secret:NADA}"}});
    let reply = server.post("/v1/config/cursor/default/draft/add", &secret, two);
    assert_eq!(
        refused(&tools, &reply, 404),
        "no secrets named 'NADA', 'NOPE': set each with the CLI's `imprint secrets set <name>` (no route), or pass the values themselves"
    );

    // A publish of a draft whose secret was removed since: the same hint inside the refusal.
    server.tool(&secret, "set_secret", json!({"name": "GONE", "value": "v"}));
    let added = server.post(
        "/v1/config/vscode/default/draft/add",
        &secret,
        json!({"server_id": "github",
            "env_vars": {"GITHUB_PERSONAL_ACCESS_TOKEN": "${secret:GONE}"}}),
    );
    assert_eq!(added.status, 200, "{}", added.body);
    server.tool(&secret, "remove_secret", json!({"name": "GONE"}));
    let reply = server.post("/v1/config/vscode/default/publish", &secret, json!({}));
    assert_eq!(
        refused(&tools, &reply, 422),
        "the draft refers to a secret that is not stored, nothing was published: no secret named 'GONE': set it with the CLI's `imprint secrets set <name>` (no route), or pass the value itself"
    );
    assert_eq!(
        mcp_message(
            &server,
            &secret,
            "publish_config",
            json!({"client_id": "vscode"})
        ),
        "the draft refers to a secret that is not stored, nothing was published: no secret named 'GONE': set it with `imprint secrets set GONE` (or the set_secret tool), or pass the value itself"
    );

    // Linking no client to all; then a diff of all against servers that are not entries.
    let reply = server.post("/v1/profiles/default/link", &secret, json!({"clients": []}));
    assert!(
        refused(&tools, &reply, 422).ends_with("(GET /v1/clients shows them)"),
        "{}",
        reply.body
    );
    // (a profile of its own: the clients linked to all are not asked about alone below)
    let linked = server.post(
        "/v1/profiles/team/link",
        &secret,
        json!({"clients": ["cursor"]}),
    );
    assert_eq!(linked.status, 200, "{}", linked.body);
    let added = server.post(
        "/v1/config/all/team/draft/add",
        &secret,
        json!({"server_id": "memory"}),
    );
    assert_eq!(added.status, 200, "{}", added.body);
    let published = server.post("/v1/config/all/team/publish", &secret, json!({}));
    assert_eq!(published.status, 200, "{}", published.body);
    let bad = json!({"client_id": "all", "profile_id": "team",
        "local_payload": {"servers": {"x": 5}}});
    let reply = server.post("/v1/config/diff", &secret, bad.clone());
    assert!(
        refused(&tools, &reply, 422).ends_with(
            ": with client_id \"all\" pass {\"servers\": {name: entry}} as GET /v1/config/all/team/draft shows it, or leave local_payload out to compare the draft"
        ),
        "{}",
        reply.body
    );
    assert!(mcp_message(&server, &secret, "diff_config", bad).ends_with(
        "as view_draft_config shows it, or leave local_payload out to compare the draft"
    ));

    // Review requests: nothing to ask for, no such draft or request.
    let reply = server.post(
        "/v1/requests/publish",
        &secret,
        json!({"client_id": "cursor", "draft_name": "nosuch"}),
    );
    assert!(
        refused(&tools, &reply, 404)
            .ends_with("(POST /v1/config/cursor/default/draft/add?draft_name=nosuch)"),
        "{}",
        reply.body
    );
    let reply = server.post("/v1/requests/apply", &secret, json!({"draftId": 99999}));
    assert!(
        refused(&tools, &reply, 404).ends_with(": GET /v1/content/drafts lists the drafts"),
        "{}",
        reply.body
    );
    let reply = server.post("/v1/requests/nosuch/approve", &secret, json!({}));
    assert_eq!(
        refused(&tools, &reply, 404),
        "no request 'nosuch': GET /v1/requests lists them"
    );
    assert_eq!(
        mcp_message(
            &server,
            &secret,
            "approve_request",
            json!({"request_id": "nosuch"})
        ),
        "no request 'nosuch': list_requests lists them"
    );
    // An answer: the request asked for, and how it is approved.
    server.post(
        "/v1/config/cursor/default/draft/add",
        &secret,
        json!({"server_id": "memory"}),
    );
    let asked = server.post(
        "/v1/requests/publish",
        &secret,
        json!({"client_id": "cursor"}),
    );
    assert_eq!(asked.status, 200, "{}", asked.body);
    assert_answer_words(&tools, &asked);
    let request_id = asked.json()["request_id"].as_str().unwrap().to_string();
    assert!(
        asked.json()["message"]
            .as_str()
            .unwrap()
            .contains(&format!("(POST /v1/requests/{request_id}/approve)")),
        "{}",
        asked.body
    );
}

#[test]
fn a_role_refusal_says_this_on_rest_and_the_panel_and_names_the_tool_on_mcp() {
    let env = TestEnv::new();
    let editor = token_with_role(&env, "ed", "editor");
    let server = Server::start(&env, &[]);
    let tools = catalogue(&server, &editor);
    let added = server.post(
        "/v1/config/cursor/default/draft/add",
        &editor,
        json!({"server_id": "memory"}),
    );
    assert_eq!(added.status, 200, "{}", added.body);
    let reply = server.post("/v1/config/cursor/default/publish", &editor, json!({}));
    assert_eq!(reply.status, 403, "{}", reply.body);
    let body = reply.json();
    // `details.operation` is the role table's operation id (as the audit log records it),
    // data for a program, not words for the caller
    let mut details = body["error"]["details"].clone();
    assert_eq!(details["operation"], "publish_config");
    details.as_object_mut().unwrap().remove("operation");
    assert_no_tool(&tools, &details.to_string());
    let message = body["error"]["message"].as_str().unwrap();
    assert_no_tool(&tools, message);
    assert_eq!(
        message,
        "this needs the publisher role; 'ed' is an editor: ask a publisher to publish it, or ask for a publish with POST /v1/requests/publish"
    );
    assert_eq!(
        mcp_message(
            &server,
            &editor,
            "publish_config",
            json!({"client_id": "cursor"})
        ),
        "publish_config needs the publisher role; 'ed' is an editor: ask a publisher to publish it, or ask for a publish with request_publish"
    );

    // The panel: an editor's Approve, and a request that does not exist.
    let asked = server.post(
        "/v1/requests/publish",
        &editor,
        json!({"client_id": "cursor"}),
    );
    let request_id = asked.json()["request_id"].as_str().unwrap().to_string();
    let login = server.send("GET", &format!("/cp/login?token={editor}"), &[], None);
    assert_eq!(login.status, 303, "{}", login.body);
    let cookie = login.header("set-cookie").unwrap();
    let cookie = cookie.split(';').next().unwrap().to_string();
    let page = server.send("GET", "/cp/requests", &[("cookie", &cookie)], None);
    let csrf = page
        .body
        .split("name=\"_csrf\" value=\"")
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .unwrap()
        .to_string();
    let own = server.url();
    let post = |cookie: &str, path: &str| {
        server.send(
            "POST",
            path,
            &[
                ("cookie", cookie),
                ("content-type", "application/x-www-form-urlencoded"),
                ("origin", own.as_str()),
            ],
            Some(&format!("_csrf={csrf}")),
        )
    };
    let refused = post(&cookie, &format!("/cp/requests/{request_id}/approve"));
    assert_eq!(refused.status, 403, "{}", refused.body);
    assert!(
        refused
            .body
            .contains("this needs the publisher role; &#39;ed&#39; is an editor"),
        "{}",
        refused.body
    );
    assert_no_tool(&tools, &refused.body);

    let admin = token(&env, "boss");
    let login = server.send("GET", &format!("/cp/login?token={admin}"), &[], None);
    let cookie = login.header("set-cookie").unwrap();
    let cookie = cookie.split(';').next().unwrap().to_string();
    let page = server.send("GET", "/cp/requests", &[("cookie", &cookie)], None);
    let csrf = page
        .body
        .split("name=\"_csrf\" value=\"")
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .unwrap()
        .to_string();
    let reply = server.send(
        "POST",
        "/cp/requests/nosuch/approve",
        &[
            ("cookie", cookie.as_str()),
            ("content-type", "application/x-www-form-urlencoded"),
            ("origin", own.as_str()),
        ],
        Some(&format!("_csrf={csrf}")),
    );
    assert_eq!(reply.status, 303, "{}", reply.body);
    let after = server.send("GET", "/cp/requests", &[("cookie", &cookie)], None);
    let flash = after
        .body
        .split("class=\"flash error\"")
        .nth(1)
        .and_then(|rest| rest.split("</p>").next())
        .unwrap_or_else(|| panic!("no flash: {}", after.body));
    assert!(
        flash.contains("no request &#39;nosuch&#39;: the Requests page lists them"),
        "{flash}"
    );
    assert_no_tool(&tools, &after.body);
}

#[test]
fn the_import_of_all_names_the_route_that_adds_a_server_the_clients_disagree_about() {
    let env = TestEnv::new();
    for (path, port) in [
        (".cursor/mcp.json", 4000),
        (".config/Claude/claude_desktop_config.json", 5000),
    ] {
        env.write(
            path,
            &format!(
                r#"{{"mcpServers": {{"docs": {{"command": "docs-server", "args": ["--port", "{port}"]}}}}}}"#
            ),
        );
    }
    let server = Server::start(&env, &[]);
    let secret = token(&env, "t");
    let tools = catalogue(&server, &secret);
    let linked = server.post(
        "/v1/profiles/default/link",
        &secret,
        json!({"clients": ["cursor", "claude-desktop"]}),
    );
    assert_eq!(linked.status, 200, "{}", linked.body);
    let imported = server.post("/v1/config/all/default/import", &secret, json!({}));
    assert_eq!(imported.status, 200, "{}", imported.body);
    assert_answer_words(&tools, &imported);
    let message = imported.json()["message"].as_str().unwrap().to_string();
    assert!(
        message.contains(
            "docs (claude-desktop vs cursor) (add the one you want with POST /v1/config/all/default/draft/add, limited with clients/except); POST /v1/config/all/default/publish then"
        ),
        "{message}"
    );
    let over_mcp = server.tool(&secret, "import_config", json!({"client_id": "all"}));
    assert!(
        over_mcp["message"].as_str().unwrap().contains(
            "(add the one you want with add_server_to_config, limited with clients/except); publish_config then deploy_config to manage them"
        ),
        "{over_mcp}"
    );
}

#[test]
fn a_publish_of_all_over_a_removed_secret_names_the_cli_on_rest_and_the_tool_on_mcp() {
    let env = TestEnv::new();
    let server = Server::start(&env, &[]);
    let secret = token(&env, "t");
    let tools = catalogue(&server, &secret);
    let linked = server.post(
        "/v1/profiles/default/link",
        &secret,
        json!({"clients": ["cursor"]}),
    );
    assert_eq!(linked.status, 200, "{}", linked.body);
    server.tool(&secret, "set_secret", json!({"name": "GONE", "value": "v"}));
    let added = server.post(
        "/v1/config/all/default/draft/add",
        &secret,
        json!({"server_id": "github",
            "env_vars": {"GITHUB_PERSONAL_ACCESS_TOKEN": "${secret:GONE}"}}),
    );
    assert_eq!(added.status, 200, "{}", added.body);
    server.tool(&secret, "remove_secret", json!({"name": "GONE"}));

    let reply = server.post("/v1/config/all/default/publish", &secret, json!({}));
    assert_eq!(
        refused(&tools, &reply, 422),
        "the draft refers to a secret that is not stored, nothing was published: no secret named 'GONE': set it with the CLI's `imprint secrets set <name>` (no route), or pass the value itself"
    );
    assert_eq!(
        mcp_message(
            &server,
            &secret,
            "publish_config",
            json!({"client_id": "all"})
        ),
        "the draft refers to a secret that is not stored, nothing was published: no secret named 'GONE': set it with `imprint secrets set GONE` (or the set_secret tool), or pass the value itself"
    );
}
