//! The `tools/list` contract: every tool's name, description and input schema, as clients
//! see them. A change here changes what every user's prompts and clients rely on, so it must
//! be a deliberate, reviewed snapshot update (`INSTA_UPDATE=always cargo test -p imprint-mcp`).

use imprint_mcp::ImprintMcp;
use serde_json::{Value, json};

fn tools() -> Vec<Value> {
    let (_dir, service) = imprint_test_support::service();
    let mut tools: Vec<Value> = ImprintMcp::new(service)
        .tools()
        .into_iter()
        .map(|tool| serde_json::to_value(tool).unwrap())
        .collect();
    tools.sort_by(|a, b| a["name"].as_str().cmp(&b["name"].as_str()));
    tools
}

#[test]
fn tools_list_is_the_contract() {
    insta::assert_json_snapshot!("tools_list", tools());
}

#[test]
fn every_schema_loads_in_every_major_client() {
    for tool in tools() {
        let name = tool["name"].as_str().unwrap();
        let schema = &tool["inputSchema"];
        // Plain `type: object` with `properties`: what Claude, Cursor, VS Code and Gemini load.
        assert_eq!(schema["type"], json!("object"), "{name}");
        assert!(
            schema["properties"].is_object() || schema.get("properties").is_none(),
            "{name}"
        );
        assert!(
            tool.get("outputSchema").is_none(),
            "{name} declares an outputSchema"
        );
        assert!(
            tool["description"].as_str().is_some_and(|d| d.len() > 40),
            "{name} needs a description written for a model"
        );
        // Schemas without $ref/oneOf/anyOf: some clients cannot resolve them.
        let text = schema.to_string();
        for construct in ["\"$ref\"", "\"oneOf\"", "\"allOf\""] {
            assert!(!text.contains(construct), "{name} uses {construct}: {text}");
        }
    }
}

#[test]
fn every_tool_has_a_role_in_the_role_table() {
    let missing: Vec<String> = tools()
        .iter()
        .map(|tool| tool["name"].as_str().unwrap().to_string())
        .filter(|name| imprint_service::roles::rule(name).is_none())
        .collect();
    assert!(
        missing.is_empty(),
        "these MCP tools have no required role: add them to RULES in crates/imprint-service/src/roles.rs: {missing:?}"
    );
}
