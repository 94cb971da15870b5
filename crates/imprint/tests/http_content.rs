//! End to end: the content family over HTTP. A content model built over REST, an
//! entry created over REST, a draft created by the `create_draft` tool over `/mcp`
//! whose edit URL opens the right control panel page, where Apply makes it live;
//! `If-Match` on content drafts; search, revisions, drafts from scratch.

mod http_support;
mod support;

use http_support::{Reply, Server, token};
use serde_json::{Value, json};
use support::TestEnv;

fn id(value: &Value, key: &str) -> i64 {
    value[key]
        .as_i64()
        .unwrap_or_else(|| panic!("no {key} in {value}"))
}

fn created(reply: Reply) -> Value {
    assert_eq!(reply.status, 201, "{}", reply.body);
    reply.json()
}

/// A blog section whose article type has a title, a required body and a category.
fn model(server: &Server, secret: &str) -> (i64, i64) {
    let body = id(
        &created(server.post(
            "/v1/content/fields",
            secret,
            json!({"type": "PlainText", "name": "Body", "handle": "body"}),
        )),
        "fieldId",
    );
    let category = id(
        &created(server.post(
            "/v1/content/fields",
            secret,
            json!({"type": "Dropdown", "name": "Category", "handle": "category",
                   "settings": {"options": [{"label": "News", "value": "news"}, {"label": "Recipes", "value": "recipes"}]}}),
        )),
        "fieldId",
    );
    let article = created(server.post(
        "/v1/content/entry-types",
        secret,
        json!({"name": "Article"}),
    ));
    let layout = id(&article, "fieldLayoutId");
    let got = server
        .get(&format!("/v1/content/field-layouts/{layout}"), secret)
        .json();
    let title_uid = got["fieldLayout"]["tabs"][0]["elements"][0]["uid"].clone();
    let updated = server.send(
        "PUT",
        &format!("/v1/content/field-layouts/{layout}"),
        &[
            ("authorization", &format!("Bearer {secret}")),
            ("content-type", "application/json"),
        ],
        Some(
            &json!({"tabs": [{"name": "Content", "elements": [
                {"uid": title_uid},
                {"type": "CustomField", "fieldId": body, "required": true},
                {"type": "CustomField", "fieldId": category}
            ]}]})
            .to_string(),
        ),
    );
    assert_eq!(updated.status, 200, "{}", updated.body);
    let section = created(server.post(
        "/v1/content/sections",
        secret,
        json!({"name": "Blog", "type": "channel", "entryTypeIds": [id(&article, "entryTypeId")]}),
    ));
    (id(&section, "sectionId"), id(&article, "entryTypeId"))
}

/// Signs in with the launch URL and returns the session cookie.
fn sign_in(server: &Server) -> String {
    let path = server
        .login_url
        .strip_prefix(&server.url())
        .unwrap()
        .to_string();
    let login = server.send("GET", &path, &[], None);
    assert_eq!(login.status, 303);
    login
        .header("set-cookie")
        .unwrap()
        .split(';')
        .next()
        .unwrap()
        .to_string()
}

fn field_value(html: &str, name: &str) -> String {
    html.split(&format!("name=\"{name}\" value=\""))
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .unwrap_or_else(|| panic!("no {name} in the page"))
        .to_string()
}

#[test]
fn a_tool_edit_url_opens_the_draft_and_apply_makes_it_live() {
    let env = TestEnv::new();
    let server = Server::start(&env, &[]);
    let secret = token(&env, "editor");
    let (section, article) = model(&server, &secret);

    let entry = created(server.post(
        "/v1/content/entries",
        &secret,
        json!({"sectionId": section, "entryTypeId": article,
               "attributeAndFieldData": {"title": "Soup season", "body": "Warm soups.", "category": "recipes"}}),
    ));
    let entry_id = id(&entry, "entryId");
    assert_eq!(
        entry["url"],
        format!("{}/cp/entries/{entry_id}", server.url())
    );
    assert_eq!(entry["author"], "editor");

    // A draft made by the content tool over MCP: its URL is this server's page.
    let draft = server.tool(
        &secret,
        "create_draft",
        json!({"canonicalId": entry_id, "draftName": "Retitle",
               "attributeAndFieldData": {"title": "Soup and stew season"}}),
    );
    let draft_id = id(&draft, "draftId");
    let url = draft["url"].as_str().unwrap().to_string();
    assert_eq!(
        url,
        format!("{}/cp/entries/{entry_id}?draftId={draft_id}", server.url())
    );

    let cookie = sign_in(&server);
    let path = url.strip_prefix(&server.url()).unwrap();
    let page = server.send("GET", path, &[("cookie", &cookie)], None);
    assert_eq!(page.status, 200, "{}", page.body);
    assert!(page.body.contains("Soup and stew season"));
    assert!(
        page.body.contains("1 field differs from the live entry"),
        "{}",
        page.body
    );
    assert!(page.body.contains(">Apply</button>"));

    let csrf = field_value(&page.body, "_csrf");
    let version = field_value(&page.body, "version");
    let applied = server.send(
        "POST",
        &format!("/cp/drafts/{draft_id}/apply"),
        &[
            ("cookie", &cookie),
            ("content-type", "application/x-www-form-urlencoded"),
            ("origin", &server.url()),
        ],
        Some(&format!("_csrf={csrf}&version={version}")),
    );
    assert_eq!(applied.status, 303, "{}", applied.body);
    assert_eq!(
        applied.header("location"),
        Some(format!("/cp/entries/{entry_id}").as_str())
    );

    let live = server
        .get(&format!("/v1/content/entries/{entry_id}"), &secret)
        .json();
    assert_eq!(live["title"], "Soup and stew season");
    assert_eq!(live["revision"], 2);
    let entry_page = server.send(
        "GET",
        &format!("/cp/entries/{entry_id}"),
        &[("cookie", &cookie)],
        None,
    );
    assert!(entry_page.body.contains("Soup and stew season"));
    assert!(entry_page.body.contains("Revert to this"));

    let revisions = server
        .get(
            &format!("/v1/content/entries/{entry_id}/revisions"),
            &secret,
        )
        .json();
    assert_eq!(revisions["count"], 2);
    let revision_page = server.send(
        "GET",
        &format!("/cp/entries/{entry_id}/revisions/1"),
        &[("cookie", &cookie)],
        None,
    );
    assert_eq!(revision_page.status, 200);
    assert!(
        revision_page.body.contains("<del>"),
        "{}",
        revision_page.body
    );

    let found = server.get("/v1/content/search?query=stew", &secret).json();
    assert_eq!(found["results"][0]["entryId"], entry_id);
    // The next step names this API's route, not the MCP tool.
    assert_eq!(
        found["message"],
        format!(
            "best matches first; GET /v1/content/entries/{entry_id} reads one, and each url opens it in the control panel"
        )
    );
}

#[test]
fn content_drafts_honour_if_match_and_drafts_from_scratch_have_a_page() {
    let env = TestEnv::new();
    let server = Server::start(&env, &[]);
    let secret = token(&env, "writer");
    let (section, article) = model(&server, &secret);

    let draft = server.post(
        "/v1/content/drafts",
        &secret,
        json!({"sectionId": section, "entryTypeId": article,
               "attributeAndFieldData": {"title": "Not yet live", "body": "Draft body."}}),
    );
    assert_eq!(draft.status, 201, "{}", draft.body);
    let etag = draft.header("etag").unwrap().to_string();
    let draft = draft.json();
    let draft_id = id(&draft, "draftId");
    assert_eq!(
        draft["url"],
        format!("{}/cp/entries/new?draftId={draft_id}", server.url())
    );

    let patch = |if_match: &str, title: &str| {
        server.send(
            "PATCH",
            &format!("/v1/content/drafts/{draft_id}"),
            &[
                ("authorization", &format!("Bearer {secret}")),
                ("content-type", "application/json"),
                ("if-match", if_match),
            ],
            Some(&json!({"attributeAndFieldData": {"title": title}}).to_string()),
        )
    };
    let first = patch(&etag, "Still not live");
    assert_eq!(first.status, 200, "{}", first.body);
    let stale = patch(&etag, "Lost update");
    assert_eq!(stale.status, 409, "{}", stale.body);
    assert_eq!(stale.error_code(), "conflict");

    let cookie = sign_in(&server);
    let page = server.send(
        "GET",
        &format!("/cp/entries/new?draftId={draft_id}"),
        &[("cookie", &cookie)],
        None,
    );
    assert_eq!(page.status, 200);
    assert!(page.body.contains("Still not live"));
    assert!(page.body.contains("Apply (create the entry)"));

    let applied = server.send(
        "POST",
        &format!("/v1/content/drafts/{draft_id}/apply"),
        &[
            ("authorization", &format!("Bearer {secret}")),
            ("if-match", first.header("etag").unwrap()),
        ],
        None,
    );
    assert_eq!(applied.status, 200, "{}", applied.body);
    let entry_id = id(&applied.json(), "entryId");
    assert_eq!(
        server
            .get(&format!("/v1/content/entries/{entry_id}"), &secret)
            .json()["title"],
        "Still not live"
    );
    let gone = server.get(&format!("/v1/content/drafts/{draft_id}"), &secret);
    assert_eq!(gone.status, 404);
}

#[test]
fn content_errors_use_the_api_shape() {
    let env = TestEnv::new();
    let server = Server::start(&env, &[]);
    let secret = token(&env, "t");
    let sites = server.get("/v1/content/sites", &secret).json();
    assert_eq!(sites["sites"][0]["primary"], true);
    let missing = server.get("/v1/content/entries/999999", &secret);
    assert_eq!(missing.status, 404);
    assert_eq!(missing.error_code(), "not_found");
    let bad = server.post(
        "/v1/content/entries",
        &secret,
        json!({"attributeAndFieldData": {}}),
    );
    assert_eq!(bad.status, 422, "{}", bad.body);
    let typo = server.post("/v1/content/entries", &secret, json!({"section": 1}));
    assert_eq!(typo.status, 400);
    let wordless = server.get("/v1/content/search?query=%22%22", &secret);
    assert_eq!(wordless.status, 422, "{}", wordless.body);
    // No query at all lists the newest entries.
    let listed = server.get("/v1/content/search", &secret);
    assert_eq!(listed.status, 200, "{}", listed.body);
    assert_eq!(listed.json()["ranking"], "newest");
}

/// The `editUrl` of a section, an entry type and a field (Craft plugin compatibility)
/// opens a real control panel page about it.
#[test]
fn structure_edit_urls_open_their_control_panel_pages() {
    let env = TestEnv::new();
    let server = Server::start(&env, &[]);
    let secret = token(&env, "editor");
    let (section, article) = model(&server, &secret);
    let sections = server.tool(&secret, "get_sections", json!({}));
    let section_view = &sections[0];
    assert_eq!(section_view["id"], section);
    let types = server.tool(&secret, "get_entry_types", json!({}));
    let fields = server.tool(&secret, "get_fields", json!({}));
    let body_field = fields
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["handle"] == "body")
        .unwrap()
        .clone();
    let cookie = sign_in(&server);
    for (url, expected) in [
        (section_view["editUrl"].clone(), "Section: Blog"),
        (types[0]["editUrl"].clone(), "Entry type: Article"),
        (body_field["editUrl"].clone(), "Field: Body"),
    ] {
        let url = url.as_str().unwrap().to_string();
        let path = url
            .strip_prefix(&server.url())
            .unwrap_or_else(|| panic!("{url}"));
        let page = server.send("GET", path, &[("cookie", &cookie)], None);
        assert_eq!(page.status, 200, "{path}: {}", page.body);
        assert!(page.body.contains(expected), "{path}: {}", page.body);
    }
    // The entry type page shows its layout, linking the fields it places.
    let type_page = server.send(
        "GET",
        &format!("/cp/entry-types/{article}"),
        &[("cookie", &cookie)],
        None,
    );
    assert!(
        type_page
            .body
            .contains(&format!("/cp/fields/{}", body_field["id"])),
        "{}",
        type_page.body
    );
    let missing = server.send("GET", "/cp/fields/999", &[("cookie", &cookie)], None);
    assert_eq!(missing.status, 404, "{}", missing.body);
}
