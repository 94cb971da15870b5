//! Payload diffs: sorted server lists and per-field changes with paths.

use imprint_config::diff::{FieldChange, diff_payloads};
use serde_json::json;

#[test]
fn added_removed_modified_and_unchanged_are_sorted() {
    let old = json!({"mcpServers": {
        "zeta": {"command": "z"},
        "alpha": {"command": "a"},
        "fs": {"command": "npx", "args": ["-y", "server-filesystem", "/home"]},
        "gone": {"command": "g"}
    }});
    let new = json!({"mcpServers": {
        "fs": {"command": "npx", "args": ["-y", "server-filesystem", "/data"]},
        "zeta": {"command": "z"},
        "alpha": {"command": "a"},
        "new-b": {"command": "b"},
        "new-a": {"command": "a"}
    }});
    let d = diff_payloads(&old, &new);
    assert_eq!(d.servers_added, vec!["new-a", "new-b"]);
    assert_eq!(d.servers_removed, vec!["gone"]);
    assert_eq!(d.servers_modified, vec!["fs"]);
    assert_eq!(d.servers_unchanged, vec!["alpha", "zeta"]);
    let paths: Vec<&str> = d.changes.iter().map(|c| c.path.as_str()).collect();
    assert_eq!(
        paths,
        vec![
            "mcpServers.fs.args[2]",
            "mcpServers.gone",
            "mcpServers.new-a",
            "mcpServers.new-b"
        ]
    );
    assert_eq!(
        d.changes[0],
        FieldChange {
            path: "mcpServers.fs.args[2]".into(),
            before: Some(json!("/home")),
            after: Some(json!("/data")),
        }
    );
    assert_eq!(d.changes[1].after, None);
    assert_eq!(d.changes[2].before, None);
}

#[test]
fn env_changes_have_paths_to_the_variable() {
    let old =
        json!({"mcpServers": {"github": {"command": "docker", "env": {"TOKEN": "a", "OLD": "x"}}}});
    let new =
        json!({"mcpServers": {"github": {"command": "docker", "env": {"TOKEN": "b", "NEW": "y"}}}});
    let d = diff_payloads(&old, &new);
    let summary: Vec<(String, Option<serde_json::Value>, Option<serde_json::Value>)> = d
        .changes
        .into_iter()
        .map(|c| (c.path, c.before, c.after))
        .collect();
    assert_eq!(
        summary,
        vec![
            ("mcpServers.github.env.NEW".into(), None, Some(json!("y"))),
            ("mcpServers.github.env.OLD".into(), Some(json!("x")), None),
            (
                "mcpServers.github.env.TOKEN".into(),
                Some(json!("a")),
                Some(json!("b"))
            ),
        ]
    );
}

#[test]
fn an_empty_payload_is_valid_and_means_no_servers() {
    let published = json!({"mcpServers": {"a": {"command": "x"}, "b": {"command": "y"}}});
    let d = diff_payloads(&json!({}), &published);
    assert_eq!(d.servers_added, vec!["a", "b"]);
    assert!(d.servers_removed.is_empty());
    let d = diff_payloads(&published, &json!({}));
    assert_eq!(d.servers_removed, vec!["a", "b"]);
    assert!(diff_payloads(&json!({}), &json!({})).is_identical());
    // No servers on either side: nothing to deploy, so nothing differs.
    assert!(diff_payloads(&json!({}), &json!({"mcpServers": {}})).is_identical());
}

#[test]
fn array_length_changes_report_each_index() {
    let old = json!({"mcpServers": {"a": {"args": ["x"]}}});
    let new = json!({"mcpServers": {"a": {"args": ["x", "y", "z"]}}});
    let d = diff_payloads(&old, &new);
    let paths: Vec<&str> = d.changes.iter().map(|c| c.path.as_str()).collect();
    assert_eq!(paths, vec!["mcpServers.a.args[1]", "mcpServers.a.args[2]"]);
    assert!(d.changes.iter().all(|c| c.before.is_none()));
}

#[test]
fn type_changes_are_reported_whole() {
    let old = json!({"mcpServers": {"a": {"env": ["A=1"]}}});
    let new = json!({"mcpServers": {"a": {"env": {"A": "1"}}}});
    let d = diff_payloads(&old, &new);
    assert_eq!(d.changes.len(), 1);
    assert_eq!(d.changes[0].path, "mcpServers.a.env");
}

#[test]
fn several_sections_qualify_server_names_and_other_keys_are_fields() {
    let old = json!({"servers": {"a": {"command": "x"}}, "inputs": [1]});
    let new = json!({"servers": {"a": {"command": "x"}}, "extra": {"b": {"command": "y"}}, "inputs": [2]});
    let d = diff_payloads(&old, &new);
    assert_eq!(d.servers_added, vec!["extra.b"]);
    assert_eq!(d.servers_unchanged, vec!["servers.a"]);
    assert!(d.changes.iter().any(|c| c.path == "inputs[0]"));
}

#[test]
fn the_diff_serializes_with_the_contract_fields() {
    let d = diff_payloads(&json!({}), &json!({"mcpServers": {"a": {"command": "x"}}}));
    let v = serde_json::to_value(&d).unwrap();
    for key in [
        "servers_added",
        "servers_removed",
        "servers_modified",
        "servers_unchanged",
        "changes",
    ] {
        assert!(v.get(key).is_some(), "{key}");
    }
    assert_eq!(v["changes"][0]["path"], "mcpServers.a");
    assert_eq!(v["changes"][0]["before"], serde_json::Value::Null);
}
