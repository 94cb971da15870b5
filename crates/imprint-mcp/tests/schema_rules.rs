//! Every tool's input schema, checked the way a strict client checks it: valid JSON Schema
//! 2020-12 under a strict validator (unknown formats refused), no boolean sub-schemas, and a
//! `required` set that is exactly what the operation cannot run without.

use imprint_mcp::ImprintMcp;
use serde_json::Value;
use std::collections::BTreeMap;

fn tools() -> Vec<(String, Value)> {
    let (_dir, service) = imprint_test_support::service();
    ImprintMcp::new(service)
        .tools()
        .into_iter()
        .map(|tool| {
            let value = serde_json::to_value(&tool).unwrap();
            (tool.name.to_string(), value["inputSchema"].clone())
        })
        .collect()
}

/// Formats JSON Schema 2020-12 defines; anything else (`uint32`, `int64`) is not portable.
const STANDARD_FORMATS: &[&str] = &[
    "date-time",
    "date",
    "time",
    "duration",
    "email",
    "idn-email",
    "hostname",
    "idn-hostname",
    "ipv4",
    "ipv6",
    "uri",
    "uri-reference",
    "iri",
    "iri-reference",
    "uuid",
    "uri-template",
    "json-pointer",
    "relative-json-pointer",
    "regex",
];

/// Walks every sub-schema position, calling `check` with a path for the message.
fn walk(path: &str, schema: &Value, check: &mut dyn FnMut(&str, &Value)) {
    check(path, schema);
    let Value::Object(map) = schema else {
        return;
    };
    for key in ["properties", "$defs", "definitions", "patternProperties"] {
        if let Some(Value::Object(children)) = map.get(key) {
            for (name, child) in children {
                walk(&format!("{path}/{key}/{name}"), child, check);
            }
        }
    }
    for key in [
        "items",
        "additionalProperties",
        "not",
        "contains",
        "propertyNames",
    ] {
        if let Some(child) = map.get(key) {
            walk(&format!("{path}/{key}"), child, check);
        }
    }
    for key in ["anyOf", "oneOf", "allOf", "prefixItems"] {
        if let Some(Value::Array(children)) = map.get(key) {
            for (index, child) in children.iter().enumerate() {
                walk(&format!("{path}/{key}/{index}"), child, check);
            }
        }
    }
}

#[test]
fn every_input_schema_compiles_under_a_strict_2020_12_validator() {
    for (name, schema) in tools() {
        jsonschema::meta::validate(&schema)
            .unwrap_or_else(|e| panic!("{name}: not a valid JSON Schema: {e}"));
        jsonschema::draft202012::options()
            .should_validate_formats(true)
            .should_ignore_unknown_formats(false)
            .build(&schema)
            .unwrap_or_else(|e| panic!("{name}: a strict validator refuses the schema: {e}"));
    }
}

#[test]
fn no_schema_uses_boolean_sub_schemas_or_non_standard_formats() {
    for (name, schema) in tools() {
        let mut problems = Vec::new();
        walk("", &schema, &mut |path, sub| {
            if sub.is_boolean() && !path.ends_with("/additionalProperties") {
                problems.push(format!("{path}: boolean sub-schema"));
            }
            if let Some(format) = sub.get("format").and_then(Value::as_str)
                && !STANDARD_FORMATS.contains(&format)
            {
                problems.push(format!("{path}: format {format:?} is not standard"));
            }
        });
        assert!(problems.is_empty(), "{name}: {problems:?}");
    }
}

/// What each tool cannot run without. A parameter that has a default, or that is one of
/// several alternatives ("canonicalId, or sectionId + entryTypeId"), is not required: the
/// description says so and the operation checks it.
fn required_table() -> BTreeMap<&'static str, Vec<&'static str>> {
    BTreeMap::from([
        ("add_server_to_config", vec!["server_id"]),
        ("apply_draft", vec!["draftId"]),
        ("clear_draft_config", vec![]),
        ("create_draft", vec![]),
        ("create_entry", vec!["sectionId"]),
        ("create_entry_type", vec!["name"]),
        ("create_field", vec!["name", "type"]),
        ("check_server_installation", vec!["server_id"]),
        ("create_field_layout", vec![]),
        ("create_section", vec!["entryTypeIds", "name"]),
        ("create_site", vec!["name"]),
        ("delete_draft", vec!["draftId"]),
        ("delete_entry", vec!["entryId"]),
        ("delete_entry_type", vec!["entryTypeId"]),
        ("delete_field", vec!["fieldId"]),
        ("delete_section", vec!["sectionId"]),
        ("deploy_config", vec![]),
        ("describe_server", vec!["server_id"]),
        ("diff_config", vec![]),
        ("get_config", vec![]),
        ("get_config_history", vec![]),
        ("get_deployment_status", vec![]),
        ("get_entry", vec!["entryId"]),
        ("get_entry_types", vec![]),
        ("get_field_layout", vec!["fieldLayoutId"]),
        ("get_field_types", vec![]),
        ("get_fields", vec![]),
        ("get_revision", vec!["entryId", "revision"]),
        ("get_sections", vec![]),
        ("get_sites", vec![]),
        ("import_config", vec![]),
        ("import_registry_server", vec!["server_json"]),
        ("initialize_keys", vec![]),
        ("install_server", vec!["server_id"]),
        ("list_available_servers", vec![]),
        ("list_clients", vec![]),
        ("list_config_drafts", vec![]),
        ("list_drafts", vec![]),
        ("list_installed_servers", vec![]),
        ("list_profiles", vec![]),
        ("link_clients", vec!["clients"]),
        ("unlink_clients", vec!["clients"]),
        ("get_profile_status", vec![]),
        ("list_revisions", vec!["entryId"]),
        ("list_secrets", vec![]),
        ("publish_config", vec![]),
        ("request_publish", vec![]),
        ("list_requests", vec![]),
        ("approve_request", vec!["request_id"]),
        ("reject_request", vec!["request_id", "reason"]),
        ("request_apply", vec!["draftId"]),
        ("register_server", vec!["server_id"]),
        ("remove_secret", vec!["name"]),
        ("remove_server_from_config", vec!["server_name"]),
        ("restore_entry", vec!["entryId"]),
        ("revert_entry", vec!["entryId", "revision"]),
        ("rollback_config", vec!["artifact_id"]),
        ("search_content", vec![]),
        ("set_secret", vec!["name", "value"]),
        ("update_draft", vec!["draftId"]),
        ("update_entry", vec!["attributeAndFieldData", "entryId"]),
        ("update_entry_type", vec!["entryTypeId"]),
        ("update_field", vec!["fieldId"]),
        ("update_field_layout", vec!["fieldLayoutId", "tabs"]),
        ("update_section", vec!["sectionId"]),
        ("update_site", vec!["siteId"]),
        ("validate_config", vec![]),
        ("verify_config", vec![]),
        ("view_draft_config", vec![]),
    ])
}

#[test]
fn required_is_exactly_what_each_operation_cannot_run_without() {
    let table = required_table();
    let mut wrong = Vec::new();
    let tools = tools();
    for (name, schema) in &tools {
        let Some(expected) = table.get(name.as_str()) else {
            wrong.push(format!(
                "{name}: not in the table; add what it cannot run without"
            ));
            continue;
        };
        let mut actual: Vec<&str> = schema
            .get("required")
            .and_then(Value::as_array)
            .map(|names| names.iter().filter_map(Value::as_str).collect())
            .unwrap_or_default();
        actual.sort();
        let mut expected = expected.clone();
        expected.sort();
        if actual != expected {
            wrong.push(format!(
                "{name}: required {actual:?}, expected {expected:?}"
            ));
        }
        let properties = schema.get("properties").and_then(Value::as_object);
        for field in &expected {
            if !properties.is_some_and(|p| p.contains_key(*field)) {
                wrong.push(format!("{name}: required {field} is not a property"));
            }
        }
    }
    for name in table.keys() {
        if !tools.iter().any(|(tool, _)| tool == name) {
            wrong.push(format!("{name}: in the table but not a tool"));
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}
