//! Deploy refuses rather than lose what the user did: servers it did not put there, hand edits
//! since the last deploy, and files it cannot parse.

mod common;

use common::*;
use imprint_deploy::{DeployError, FileFormat, PreviousDeploy, deploy, drift, read_section};
use serde_json::{Value, json};

const HAND_EDITED: &str = r#"{
  "globalShortcut": "Ctrl+Space",
  "mcpServers": {
    "weather": {
      "command": "node",
      "args": ["/home/ana/weather/index.js"]
    },
    "notes": {
      "command": "uvx",
      "args": ["notes-mcp"]
    }
  }
}
"#;

fn memory() -> Value {
    json!({"command": "npx", "args": ["-y", "@modelcontextprotocol/server-memory"]})
}

#[test]
fn servers_imprint_did_not_put_there_are_refused_and_named() {
    let fixture = Fixture::new("claude_desktop_config.json", HAND_EDITED);
    let desired = json!({"memory": memory(), "weather": {"command": "node", "args": ["other.js"]}});

    let error = deploy(&fixture.request(FileFormat::Json, "mcpServers", &desired))
        .expect_err("unmanaged servers must be refused");

    match &error {
        DeployError::Unmanaged { path, names } => {
            assert_eq!(path, &fixture.path);
            assert_eq!(names, &["notes", "weather"]);
        }
        other => panic!("expected Unmanaged, got {other:?}"),
    }
    let message = error.to_string();
    for part in ["'notes'", "'weather'", "would change or remove them"] {
        assert!(message.contains(part), "{part} missing from: {message}");
    }
    // what to do about it is the caller's to word (the service names its operations)
    assert!(!message.contains("force"), "{message}");
    assert_eq!(
        fixture.text(),
        HAND_EDITED,
        "a refused deploy writes nothing"
    );
    assert!(fixture.backup_entries().is_empty());
}

#[test]
fn force_replaces_unmanaged_servers_and_the_backup_keeps_them() {
    let fixture = Fixture::new("claude_desktop_config.json", HAND_EDITED);
    let desired = json!({"memory": memory()});
    let mut request = fixture.request(FileFormat::Json, "mcpServers", &desired);
    request.force = true;

    let outcome = deploy(&request).expect("forced deploy");

    assert_eq!(outcome.removed, ["notes", "weather"]);
    assert_eq!(outcome.added, ["memory"]);
    assert_eq!(parsed_section(&fixture.text(), "mcpServers"), desired);
    let backup = outcome.backup_path.expect("a backup of the replaced file");
    assert_eq!(
        std::fs::read_to_string(backup).expect("backup"),
        HAND_EDITED
    );
}

#[test]
fn a_server_already_equal_to_the_desired_one_is_adopted() {
    let fixture = Fixture::new("claude_desktop_config.json", HAND_EDITED);
    // same values as in the file, keys in another order
    let desired = json!({
        "weather": {"args": ["/home/ana/weather/index.js"], "command": "node"},
        "notes": {"args": ["notes-mcp"], "command": "uvx"},
        "memory": memory()
    });

    let outcome =
        deploy(&fixture.request(FileFormat::Json, "mcpServers", &desired)).expect("adopted");

    assert_eq!(outcome.unchanged, ["notes", "weather"]);
    assert_eq!(outcome.added, ["memory"]);
    assert_eq!(parsed_section(&fixture.text(), "mcpServers"), desired);
}

#[test]
fn hand_edits_since_the_last_deploy_are_refused_with_what_changed() {
    let fixture = Fixture::new("claude_desktop_config.json", CLAUDE_DESKTOP);
    let first = json!({"filesystem": {"command": "npx", "args": ["-y", "@modelcontextprotocol/server-filesystem", "/home/ana/Documents"]}, "memory": memory()});
    let mut request = fixture.request(FileFormat::Json, "mcpServers", &first);
    request.force = true;
    let previous = previous_of(&deploy(&request).expect("first deploy"));

    // the user edits the section by hand
    let edited = fixture
        .text()
        .replace("/home/ana/Documents", "/home/ana/Desktop")
        .replace(
            "\"mcpServers\": {",
            "\"mcpServers\": {\n    \"mine\": {\"command\": \"mine\"},",
        );
    std::fs::write(&fixture.path, &edited).expect("hand edit");

    let mut request = fixture.request(FileFormat::Json, "mcpServers", &first);
    request.previous = Some(&previous);
    let error = deploy(&request).expect_err("drift must be refused");

    match &error {
        DeployError::Drift { changes, .. } => assert_eq!(
            changes,
            &[
                "server 'filesystem' changed: args",
                "server 'mine' added by hand"
            ]
        ),
        other => panic!("expected Drift, got {other:?}"),
    }
    let message = error.to_string();
    assert!(
        message.contains("server 'mine' added by hand") && !message.contains("force"),
        "{message}"
    );
    assert_eq!(fixture.text(), edited, "a refused deploy writes nothing");

    let report = drift(&fixture.path, FileFormat::Json, "mcpServers", &previous).expect("drift");
    assert!(report.drifted && report.file_exists);
    assert_eq!(report.changes.len(), 2);

    // forced, the hand edits are overwritten (and kept in the backup)
    request.force = true;
    let outcome = deploy(&request).expect("forced over drift");
    assert_eq!(outcome.removed, ["mine"]);
    assert_eq!(outcome.updated, ["filesystem"]);
    let backup = outcome.backup_path.expect("backup");
    assert_eq!(std::fs::read_to_string(backup).expect("backup"), edited);
}

#[test]
fn changes_outside_the_section_are_not_drift() {
    let fixture = Fixture::new(".claude.json", CLAUDE_CODE);
    let desired = json!({"memory": {"type": "stdio", "command": "npx", "args": ["-y", "@modelcontextprotocol/server-memory"], "env": {}}});
    let previous = previous_of(
        &deploy(&fixture.request(FileFormat::Json, "mcpServers", &desired)).expect("adopt"),
    );

    // Claude Code rewrites its counters and adds keys all the time
    let rewritten = fixture
        .text()
        .replace("\"numStartups\": 42", "\"numStartups\": 43")
        .replace(
            "\"autoUpdates\": true,",
            "\"autoUpdates\": true,\n  \"fallbackAvailableWarningThreshold\": 0.5,",
        );
    std::fs::write(&fixture.path, &rewritten).expect("client rewrite");

    let report = drift(&fixture.path, FileFormat::Json, "mcpServers", &previous).expect("drift");
    assert!(!report.drifted, "{:?}", report.changes);
    assert_ne!(
        report.current_sha256.as_deref(),
        Some(previous.file_sha256.as_str())
    );

    let next = json!({"memory": desired["memory"], "fetch": {"command": "uvx", "args": ["mcp-server-fetch"]}});
    let mut request = fixture.request(FileFormat::Json, "mcpServers", &next);
    request.previous = Some(&previous);
    deploy(&request).expect("no drift, so the deploy goes ahead");

    let written = fixture.text();
    assert!(written.contains("\"numStartups\": 43"));
    assert!(written.contains("\"fallbackAvailableWarningThreshold\": 0.5"));
    assert_eq!(
        outside_section(&written, "mcpServers"),
        outside_section(&rewritten, "mcpServers")
    );
}

#[test]
fn a_deleted_file_is_drift_but_an_untouched_one_is_not() {
    let fixture = Fixture::new("mcp.json", "{}\n");
    let desired = json!({"memory": memory()});
    let previous = previous_of(
        &deploy(&fixture.request(FileFormat::Json, "mcpServers", &desired)).expect("deploy"),
    );

    let report = drift(&fixture.path, FileFormat::Json, "mcpServers", &previous).expect("drift");
    assert!(!report.drifted && report.file_exists);
    assert_eq!(
        report.current_sha256.as_deref(),
        Some(previous.file_sha256.as_str())
    );

    std::fs::remove_file(&fixture.path).expect("delete");
    let report = drift(&fixture.path, FileFormat::Json, "mcpServers", &previous).expect("drift");
    assert!(report.drifted && !report.file_exists);
    assert_eq!(report.changes, ["the file was removed"]);
    assert_eq!(report.current_sha256, None);

    let mut request = fixture.request(FileFormat::Json, "mcpServers", &desired);
    request.previous = Some(&previous);
    assert!(matches!(deploy(&request), Err(DeployError::Drift { .. })));
}

#[test]
fn invalid_json_is_never_overwritten_and_the_error_names_line_and_column() {
    let broken = "{\n  \"globalShortcut\": \"Ctrl+Space\",\n  \"mcpServers\": {\n    \"a\": {\"command\": \"a\"}\n    \"b\": {}\n  }\n}\n";
    let fixture = Fixture::new("claude_desktop_config.json", broken);
    let desired = json!({"memory": memory()});
    let mut request = fixture.request(FileFormat::Json, "mcpServers", &desired);
    request.force = true;

    let error = deploy(&request).expect_err("unparseable file");

    match &error {
        DeployError::Parse { message, .. } => {
            assert_eq!(message, "expected comma on line 4 column 26")
        }
        other => panic!("expected Parse, got {other:?}"),
    }
    assert!(error.to_string().contains("claude_desktop_config.json"));
    assert_eq!(fixture.text(), broken);
    assert_eq!(fixture.client_dir_entries(), ["claude_desktop_config.json"]);
    assert!(fixture.backup_entries().is_empty());
}

#[test]
fn comments_in_a_strict_json_file_are_a_parse_error_but_fine_in_jsonc() {
    let text = "{\n  // mine\n  \"mcpServers\": {}\n}\n";
    let fixture = Fixture::new("mcp.json", text);
    let desired = json!({"memory": memory()});

    let error = deploy(&fixture.request(FileFormat::Json, "mcpServers", &desired))
        .expect_err("a comment is not JSON");
    assert!(
        error
            .to_string()
            .contains("comments are not allowed on line 2 column 3"),
        "{error}"
    );
    assert_eq!(fixture.text(), text);

    deploy(&fixture.request(FileFormat::Jsonc, "mcpServers", &desired)).expect("jsonc");
    assert!(
        fixture
            .text()
            .starts_with("{\n  // mine\n  \"mcpServers\": {\n")
    );
}

#[test]
fn files_of_the_wrong_shape_are_refused() {
    let desired = json!({"memory": memory()});
    for (text, expected) in [
        ("[1, 2]\n", "the top level is an array, not an object"),
        (
            "{\"mcpServers\": \"none\"}",
            "'mcpServers' holds a string, not an object of servers",
        ),
    ] {
        let fixture = Fixture::new("mcp.json", text);
        let mut request = fixture.request(FileFormat::Json, "mcpServers", &desired);
        request.force = true;
        match deploy(&request) {
            Err(DeployError::Shape { message, .. }) => assert_eq!(message, expected),
            other => panic!("expected Shape for {text}, got {other:?}"),
        }
        assert_eq!(fixture.text(), text);
    }

    let fixture = Fixture::new("mcp.json", "{}");
    let not_an_object = json!(["memory"]);
    assert!(matches!(
        deploy(&fixture.request(FileFormat::Json, "mcpServers", &not_an_object)),
        Err(DeployError::Shape { .. })
    ));
}

#[test]
fn read_section_tells_an_absent_file_or_key_from_a_present_section() {
    let fixture = Fixture::new("settings.json", ZED_SETTINGS);
    assert_eq!(
        read_section(&fixture.path, FileFormat::Jsonc, "context_servers").expect("read"),
        Some(
            json!({"postgres": {"command": "npx", "args": ["-y", "@modelcontextprotocol/server-postgres", "postgresql://localhost/blog"], "env": {}}})
        )
    );
    assert_eq!(
        read_section(&fixture.path, FileFormat::Jsonc, "mcpServers").expect("read"),
        None
    );
    let missing = fixture.dir.path().join("nope.json");
    assert_eq!(
        read_section(&missing, FileFormat::Json, "mcpServers").expect("read"),
        None
    );
    assert!(matches!(
        read_section(&fixture.path, FileFormat::Json, "context_servers"),
        Err(DeployError::Parse { .. })
    ));
}

#[test]
fn a_previous_deploy_round_trips_through_serde() {
    let previous = PreviousDeploy {
        section: json!({"a": {"command": "a"}}),
        file_sha256: imprint_deploy::sha256_hex(b"abc"),
    };
    assert_eq!(
        previous.file_sha256,
        "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
    );
    let text = serde_json::to_string(&previous).expect("serialize");
    let back: PreviousDeploy = serde_json::from_str(&text).expect("deserialize");
    assert_eq!(back, previous);
}
