//! The configuration request types as every surface receives them: JSON parsed by
//! `imprint_service::api::parse`. Only the required fields are enough; an unknown parameter is
//! refused with the valid ones listed; wrong shapes name the parameter.

use imprint_service::api::parse;
use imprint_service::config::{
    AddServerToConfig, DiffConfig, RegisterServer, RemoveServerFromConfig, RollbackConfig,
    ViewDraftConfig,
};
use imprint_service::{ErrorKind, Service};
use serde_json::json;

fn service() -> (tempfile::TempDir, Service) {
    imprint_test_support::service()
}

#[test]
fn add_server_to_config_with_only_server_id_uses_every_default() {
    let (_dir, service) = service();
    let request: AddServerToConfig = parse(json!({"server_id": "memory"})).unwrap();
    let added = service.add_server_to_config(request).unwrap();
    assert_eq!(added.status, "added");
    assert_eq!(added.server_name, "memory");
    assert_eq!(added.client_id, "claude-desktop");
    assert_eq!(added.profile_id, "default");
    assert_eq!(added.draft_name, "default");
    let draft = service
        .view_draft_config(ViewDraftConfig::default())
        .unwrap();
    assert_eq!(draft.server_names, ["memory"]);
}

#[test]
fn every_field_filled_as_a_model_would_works_too() {
    let (_dir, service) = service();
    let request: AddServerToConfig = parse(json!({
        "server_id": "filesystem",
        "params": "{\"path\": \"/tmp\"}",
        "env_vars": {},
        "server_name": "",
        "client_id": "",
        "profile_id": "work",
        "draft_name": "",
        "expected_version": null,
    }))
    .unwrap();
    let added = service.add_server_to_config(request).unwrap();
    assert_eq!(added.server_name, "filesystem");
    assert_eq!(added.profile_id, "work");
}

#[test]
fn an_unknown_parameter_is_refused_with_the_valid_ones_listed() {
    let error =
        parse::<AddServerToConfig>(json!({"server_id": "memory", "serverId": "x"})).unwrap_err();
    assert_eq!(error.kind(), ErrorKind::InvalidInput);
    let message = error.to_string();
    assert!(message.contains("unknown field `serverId`"), "{message}");
    for valid in [
        "server_id",
        "params",
        "env_vars",
        "server_name",
        "client_id",
    ] {
        assert!(message.contains(&format!("`{valid}`")), "{message}");
    }
}

#[test]
fn a_missing_required_parameter_and_a_wrong_shape_are_named() {
    let error = parse::<AddServerToConfig>(json!({})).unwrap_err();
    assert_eq!(error.to_string(), "server_id is required");
    let error = parse::<RemoveServerFromConfig>(json!({"client_id": "cursor"})).unwrap_err();
    assert_eq!(error.to_string(), "server_name is required");
    let error = parse::<RollbackConfig>(json!({})).unwrap_err();
    assert_eq!(error.to_string(), "artifact_id is required");
    let error =
        parse::<AddServerToConfig>(json!({"server_id": "memory", "params": "[1]"})).unwrap_err();
    assert!(
        error
            .to_string()
            .starts_with("params: must be a JSON object"),
        "{error}"
    );
    let error = parse::<DiffConfig>(json!({"local_payload": 3})).unwrap_err();
    assert!(
        error
            .to_string()
            .starts_with("local_payload: must be a JSON object"),
        "{error}"
    );
}

#[test]
fn an_empty_required_value_is_an_answer_not_a_panic() {
    let (_dir, service) = service();
    let error = service
        .add_server_to_config(AddServerToConfig::default())
        .unwrap_err();
    assert_eq!(error.kind(), ErrorKind::InvalidInput);
    assert!(error.message().contains("server_id is required"), "{error}");
    let error = service
        .remove_server_from_config(RemoveServerFromConfig::default())
        .unwrap_err();
    assert!(
        error.message().contains("server_name is required"),
        "{error}"
    );
    let error = service
        .rollback_config(RollbackConfig::default())
        .unwrap_err();
    assert!(
        error.message().contains("artifact_id is required"),
        "{error}"
    );
}

#[test]
fn a_registered_server_overrides_the_built_in_with_its_id() {
    let (_dir, service) = service();
    let request: RegisterServer = parse(json!({
        "server_id": "memory",
        "command": "my-memory",
        "args": ["--fast"],
    }))
    .unwrap();
    service.register_server(request).unwrap();
    let described = service
        .describe_server(parse(json!({"server_id": "memory"})).unwrap())
        .unwrap();
    assert_eq!(described.0.source, "user");
    let added = service
        .add_server_to_config(parse(json!({"server_id": "memory"})).unwrap())
        .unwrap();
    assert_eq!(added.entry["command"], "my-memory");
    assert_eq!(added.entry["args"], json!(["--fast"]));
    // a built-in nobody overrode is still found
    let described = service
        .describe_server(parse(json!({"server_id": "filesystem"})).unwrap())
        .unwrap();
    assert_eq!(described.0.source, "builtin");
}
