//! A model that fills only the required fields must get a sensible answer: every tool is
//! called through the real binary with exactly the parameters its schema marks required
//! (valid values from a small store), and none may fail for a missing or conflicting
//! parameter. Tools whose input is "one of A or B" require neither; called bare, they must
//! name the alternatives.

mod support;

use serde_json::{Map, Value, json};
use support::{Mcp, TestEnv};

/// Tools that take one of several alternatives, with words their bare-call error must say.
const ONE_OF: &[(&str, &[&str])] = &[
    ("create_draft", &["canonicalId", "sectionId"]),
    ("diff_config", &["local_payload", "local_artifact_id"]),
    ("register_server", &["command", "url"]),
];

/// Messages that mean "you left out a parameter" or "these parameters conflict" (besides
/// "NAME is required" for a parameter NAME of the tool itself: a required *value inside* a
/// parameter, such as an entry's title, is content validation, not the schema's business).
const PARAMETER_COMPLAINTS: &[&str] =
    &["missing field", "not both", "pass either", "unknown field"];

fn id(value: &Value, key: &str) -> i64 {
    value[key]
        .as_i64()
        .unwrap_or_else(|| panic!("no {key} in {value}"))
}

/// Ids of a small content model and a published config, and fresh objects for the tools
/// that consume what they are given (deletes, apply).
struct Fixture {
    entry_type: i64,
    layout: i64,
    section: i64,
    field: i64,
    entry: i64,
    artifact: String,
}

async fn fixture(mcp: &Mcp) -> Fixture {
    let entry_type = mcp.ok("create_entry_type", json!({"name": "Post"})).await;
    let layout = id(&entry_type, "fieldLayoutId");
    let entry_type = id(&entry_type, "entryTypeId");
    let section = id(
        &mcp.ok(
            "create_section",
            json!({"name": "Blog", "type": "channel", "entryTypeIds": [entry_type]}),
        )
        .await,
        "sectionId",
    );
    let field = id(
        &mcp.ok("create_field", json!({"name": "Body", "type": "PlainText"}))
            .await,
        "fieldId",
    );
    let entry = id(
        &mcp.ok(
            "create_entry",
            json!({"sectionId": section, "entryTypeId": entry_type, "attributeAndFieldData": {"title": "Hello"}}),
        )
        .await,
        "entryId",
    );
    mcp.ok("add_server_to_config", json!({"server_id": "memory"}))
        .await;
    let artifact = mcp.ok("publish_config", json!({})).await["artifact_id"]
        .as_str()
        .unwrap()
        .to_string();
    Fixture {
        entry_type,
        layout,
        section,
        field,
        entry,
        artifact,
    }
}

/// A valid value for `parameter` of `tool`, creating what the tool will consume.
async fn value_for(mcp: &Mcp, fixture: &Fixture, tool: &str, parameter: &str) -> Value {
    let fresh_draft = || async {
        let draft = mcp
            .ok("create_draft", json!({"canonicalId": fixture.entry}))
            .await;
        json!(id(&draft, "draftId"))
    };
    match (tool, parameter) {
        ("apply_draft" | "delete_draft" | "update_draft" | "request_apply", "draftId") => {
            fresh_draft().await
        }
        ("delete_entry" | "restore_entry", "entryId") => {
            let entry = mcp
                .ok(
                    "create_entry",
                    json!({"sectionId": fixture.section, "attributeAndFieldData": {"title": "Doomed"}}),
                )
                .await;
            json!(id(&entry, "entryId"))
        }
        ("delete_section", "sectionId") => {
            let section = mcp
                .ok(
                    "create_section",
                    json!({"name": "Scratch", "entryTypeIds": [fixture.entry_type]}),
                )
                .await;
            json!(id(&section, "sectionId"))
        }
        ("delete_entry_type", "entryTypeId") => {
            let entry_type = mcp
                .ok("create_entry_type", json!({"name": "Scratch"}))
                .await;
            json!(id(&entry_type, "entryTypeId"))
        }
        ("delete_field", "fieldId") => {
            let field = mcp
                .ok(
                    "create_field",
                    json!({"name": "Scratch", "type": "PlainText"}),
                )
                .await;
            json!(id(&field, "fieldId"))
        }
        (_, "entryId") => json!(fixture.entry),
        (_, "sectionId") => json!(fixture.section),
        (_, "entryTypeId") => json!(fixture.entry_type),
        (_, "entryTypeIds") => json!([fixture.entry_type]),
        (_, "fieldId") => json!(fixture.field),
        (_, "fieldLayoutId") => json!(fixture.layout),
        (_, "siteId") => json!(1),
        (_, "revision") => json!(1),
        (_, "tabs") => json!([{"name": "Content", "elements": [{"type": "title"}]}]),
        (_, "attributeAndFieldData") => json!({"title": "Changed"}),
        (_, "artifact_id") => json!(fixture.artifact),
        ("remove_server_from_config", "server_name") => json!("memory"),
        // no such request: a not-found answer, not a missing parameter
        (_, "request_id") => json!("0000000000000000"),
        ("reject_request", "reason") => json!("not now"),
        // a remote server, which install_server refuses: a test never runs a package manager
        ("install_server", "server_id") => json!("sentry"),
        (_, "server_id") => json!("memory"),
        ("link_clients" | "unlink_clients", "clients") => json!(["cursor"]),
        ("set_secret" | "remove_secret", "name") => json!("API_KEY"),
        ("set_secret", "value") => json!("s3cret-value"),
        ("create_site", "name") => json!("French"),
        ("create_section", "name") => json!("News"),
        ("create_entry_type", "name") => json!("Page"),
        ("create_field", "name") => json!("Summary"),
        ("create_field", "type") => json!("PlainText"),
        ("import_registry_server", "server_json") => json!({
            "name": "io.github.example/weather",
            "description": "Weather forecasts.",
            "version": "1.0.0",
            "packages": [{"registryType": "npm", "identifier": "@example/weather-mcp",
                          "version": "1.0.0", "transport": {"type": "stdio"}}]
        }),
        _ => panic!("no sample value for {tool}.{parameter}: add one to this test"),
    }
}

#[tokio::test]
async fn every_tool_runs_with_only_its_required_parameters() {
    let env = TestEnv::new();
    let mcp = env.mcp().await;
    let fixture = fixture(&mcp).await;
    let tools = mcp.client.list_all_tools().await.unwrap();
    assert!(tools.len() > 40);
    let mut failures = Vec::new();
    // the secret must exist before remove_secret; the catalog order puts set_ first otherwise
    let mut names: Vec<&str> = tools.iter().map(|tool| tool.name.as_ref()).collect();
    names.sort_by_key(|name| (*name == "remove_secret", *name));
    for name in names {
        let tool = tools.iter().find(|tool| tool.name == name).unwrap();
        let required: Vec<String> = tool
            .input_schema
            .get("required")
            .and_then(Value::as_array)
            .map(|names| {
                names
                    .iter()
                    .filter_map(|n| n.as_str().map(str::to_string))
                    .collect()
            })
            .unwrap_or_default();
        let mut arguments = Map::new();
        for parameter in &required {
            arguments.insert(
                parameter.clone(),
                value_for(&mcp, &fixture, name, parameter).await,
            );
        }
        let outcome = mcp.call(name, Value::Object(arguments.clone())).await;
        let message = outcome.message();
        if let Some((_, alternatives)) = ONE_OF.iter().find(|(tool, _)| *tool == name) {
            if !outcome.is_error || !alternatives.iter().all(|a| message.contains(a)) {
                failures.push(format!(
                    "{name} called bare should name {alternatives:?}, got {}",
                    outcome.body
                ));
            }
            continue;
        }
        let properties: Vec<String> = tool
            .input_schema
            .get("properties")
            .and_then(Value::as_object)
            .map(|p| p.keys().cloned().collect())
            .unwrap_or_default();
        let names_a_missing_parameter = properties
            .iter()
            .any(|p| message.contains(&format!("{p} is required")));
        if outcome.is_error
            && (names_a_missing_parameter
                || PARAMETER_COMPLAINTS
                    .iter()
                    .any(|complaint| message.contains(complaint)))
        {
            failures.push(format!(
                "{name} with only its required parameters {}: {message}",
                Value::Object(arguments)
            ));
        }
    }
    mcp.close().await;
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
