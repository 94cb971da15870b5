//! One operation, one answer, whatever the surface: a content entry and a draft written over
//! REST, MCP over HTTP, a stdio MCP server and the CLI on one data directory read back the
//! same from every surface (the edit URL aside, which names each server's own address).

mod http_support;
mod support;

use http_support::{Server, token};
use serde_json::{Value, json};
use support::TestEnv;

/// An answer without the fields that name the serving address, nor `_notes` (guidance
/// only MCP answers carry, as the Craft plugin's did).
fn without_urls(mut value: Value) -> Value {
    if let Value::Object(map) = &mut value {
        map.retain(|key, _| !key.to_ascii_lowercase().ends_with("url") && key != "_notes");
        for child in map.values_mut() {
            *child = without_urls(child.take());
        }
    } else if let Value::Array(items) = &mut value {
        for item in items.iter_mut() {
            *item = without_urls(item.take());
        }
    }
    value
}

#[tokio::test]
async fn an_entry_and_its_draft_read_the_same_over_rest_mcp_http_stdio_and_the_cli() {
    let env = TestEnv::new();
    let server = Server::start(&env, &[]);
    let secret = token(&env, "t");
    // the model over REST
    let entry_type = server.post("/v1/content/entry-types", &secret, json!({"name": "Post"}));
    assert_eq!(entry_type.status, 201, "{}", entry_type.body);
    let entry_type = entry_type.json()["entryTypeId"].as_i64().unwrap();
    let section = server.post(
        "/v1/content/sections",
        &secret,
        json!({"name": "Blog", "type": "channel", "entryTypeIds": [entry_type]}),
    );
    assert_eq!(section.status, 201, "{}", section.body);
    let section = section.json()["sectionId"].as_i64().unwrap();
    // an entry over MCP-over-HTTP, a draft of it from a stdio server
    let created = server.tool(
        &secret,
        "create_entry",
        json!({"sectionId": section, "entryTypeId": entry_type, "attributeAndFieldData": {"title": "Hello"}}),
    );
    let entry_id = created["entryId"].as_i64().unwrap();
    let stdio = env.mcp().await;
    let draft = stdio
        .ok(
            "create_draft",
            json!({"canonicalId": entry_id, "attributeAndFieldData": {"title": "Hello, again"}}),
        )
        .await;
    let draft_id = draft["draftId"].as_i64().unwrap();

    // every surface reads the entry the same way
    let over_rest = server.get(&format!("/v1/content/entries/{entry_id}"), &secret);
    assert_eq!(over_rest.status, 200, "{}", over_rest.body);
    let over_rest = without_urls(over_rest.json());
    let over_http = without_urls(server.tool(&secret, "get_entry", json!({"entryId": entry_id})));
    let over_stdio = without_urls(stdio.ok("get_entry", json!({"entryId": entry_id})).await);
    let over_cli = without_urls(env.cli_ok(&["content", "get-entry", &entry_id.to_string()]));
    assert_eq!(over_rest["title"], "Hello", "{over_rest}");
    assert_eq!(over_http, over_rest);
    assert_eq!(over_stdio, over_rest);
    assert_eq!(over_cli, over_rest);

    // and the draft list too
    let drafts_rest = without_urls(server.get("/v1/content/drafts", &secret).json());
    let drafts_stdio = without_urls(stdio.ok("list_drafts", json!({})).await);
    let drafts_cli = without_urls(env.cli_ok(&["content", "drafts"]));
    assert_eq!(drafts_stdio, drafts_rest);
    assert_eq!(drafts_cli, drafts_rest);
    assert!(
        drafts_rest.to_string().contains(&format!("{draft_id}")),
        "{drafts_rest}"
    );

    // applying it over REST is seen by the stdio server at once
    let applied = server.post(
        &format!("/v1/content/drafts/{draft_id}/apply"),
        &secret,
        json!({}),
    );
    assert_eq!(applied.status, 200, "{}", applied.body);
    let after = stdio.ok("get_entry", json!({"entryId": entry_id})).await;
    assert_eq!(after["title"], "Hello, again", "{after}");
    stdio.close().await;
}
