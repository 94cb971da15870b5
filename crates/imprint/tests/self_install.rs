//! `imprint self install` and `imprint --version`, through the real binary in a temporary
//! home: Imprint adds itself to Cursor's file like any other deploy (one block inserted, every
//! other byte kept, a backup, the servers already there adopted), a second run writes nothing,
//! and unpublished drafts and drift are refused.

mod support;

use std::path::Path;

use serde_json::{Value, json};
use support::{BIN, TestEnv};

const CURSOR: &str = ".cursor/mcp.json";

/// A Cursor file as its users write it: a server added by hand and a setting of their own.
const CURSOR_FILE: &str = r#"{
  "mcpServers": {
    "memory": {
      "command": "npx",
      "args": ["-y", "@modelcontextprotocol/server-memory"]
    }
  },
  "theme":   "dark"
}
"#;

/// The file after a change must be the file before with one contiguous block of bytes
/// replaced; returns (removed, inserted).
fn changed_block<'a>(before: &'a str, after: &'a str) -> (&'a str, &'a str) {
    let prefix = before
        .bytes()
        .zip(after.bytes())
        .take_while(|(a, b)| a == b)
        .count();
    let suffix = before[prefix..]
        .bytes()
        .rev()
        .zip(after[prefix..].bytes().rev())
        .take_while(|(a, b)| a == b)
        .count();
    (
        &before[prefix..before.len() - suffix],
        &after[prefix..after.len() - suffix],
    )
}

fn backups(env: &TestEnv) -> usize {
    let dir = env.data().join("backups").join("cursor");
    std::fs::read_dir(dir).map(|d| d.count()).unwrap_or(0)
}

fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap()
}

#[test]
fn self_install_adds_imprint_to_cursor_keeping_the_rest_and_is_idempotent() {
    let env = TestEnv::new();
    let path = env.write(CURSOR, CURSOR_FILE);

    let first = env.cli_ok(&["self", "install", "--client", "cursor", "--launcher", "npx"]);
    assert_eq!(first["status"], "installed", "{first}");
    assert_eq!(first["adopted"], json!(["memory"]), "{first}");
    assert_eq!(first["command"], "npx");
    assert_eq!(first["args"], json!(["-y", "imprint-mcp", "serve"]));

    let after = read(&path);
    let (removed, inserted) = changed_block(CURSOR_FILE, &after);
    assert!(
        removed.trim().is_empty(),
        "only an insertion, got {removed:?} replaced"
    );
    assert!(inserted.contains("\"imprint\""), "{after}");
    let file: Value = serde_json::from_str(&after).unwrap();
    assert_eq!(
        file["mcpServers"]["imprint"],
        json!({"command": "npx", "args": ["-y", "imprint-mcp", "serve"]})
    );
    assert_eq!(
        file["mcpServers"]["memory"]["args"],
        json!(["-y", "@modelcontextprotocol/server-memory"])
    );
    assert!(
        after.contains("\"theme\":   \"dark\""),
        "other keys keep their bytes"
    );

    // The backup holds the file as it was.
    let backup = first["backup_path"].as_str().expect("a backup path");
    assert_eq!(read(Path::new(backup)), CURSOR_FILE);
    assert_eq!(backups(&env), 1);

    // It is a managed server with a history, in sync.
    let history = env.cli_ok(&["config", "history", "--client", "cursor"]);
    assert_eq!(history["count"], 1, "{history}");
    let deployed = env.cli_ok(&["config", "deployed", "--client", "cursor"]);
    assert_eq!(deployed["up_to_date"], true, "{deployed}");
    assert_eq!(deployed["drift_detected"], false, "{deployed}");

    // Again: nothing published, nothing written, no new backup.
    let again = env.cli_ok(&["self", "install", "--client", "cursor", "--launcher", "npx"]);
    assert_eq!(again["status"], "up-to-date", "{again}");
    assert_eq!(again["published_artifact_id"], Value::Null);
    assert_eq!(read(&path), after);
    assert_eq!(backups(&env), 1);
    let history = env.cli_ok(&["config", "history", "--client", "cursor"]);
    assert_eq!(history["count"], 1, "{history}");

    // Another launcher replaces the entry, and only it.
    let by_path = env.cli_ok(&["self", "install", "--client", "cursor"]);
    assert_eq!(by_path["status"], "installed", "{by_path}");
    let binary = std::fs::canonicalize(BIN).unwrap();
    let updated = read(&path);
    let file: Value = serde_json::from_str(&updated).unwrap();
    assert_eq!(
        file["mcpServers"]["imprint"],
        json!({"command": binary.to_string_lossy(), "args": ["serve"]})
    );
    let (removed, inserted) = changed_block(&after, &updated);
    assert!(removed.contains("npx"), "{updated}");
    assert!(inserted.contains(&*binary.to_string_lossy()), "{updated}");
    assert!(!removed.contains("memory") && !removed.contains("theme"));
    assert_eq!(backups(&env), 2);
}

#[test]
fn self_install_into_a_missing_file_creates_it() {
    let env = TestEnv::new();
    let installed = env.cli_ok(&["self", "install", "--client", "cursor", "--launcher", "uvx"]);
    assert_eq!(installed["status"], "installed", "{installed}");
    assert_eq!(installed["adopted"], json!([]));
    let file: Value = serde_json::from_str(&read(&env.file(CURSOR))).unwrap();
    assert_eq!(
        file,
        json!({"mcpServers": {"imprint": {"command": "uvx", "args": ["imprint-mcp", "serve"]}}})
    );
}

#[test]
fn self_install_refuses_drift_and_unpublished_drafts_leaving_the_file_alone() {
    let env = TestEnv::new();
    let path = env.write(CURSOR, CURSOR_FILE);
    env.cli_ok(&["self", "install", "--client", "cursor", "--launcher", "npx"]);

    // Someone edits the file by hand: the next deploy must not overwrite it silently.
    let edited = read(&path).replace("server-memory", "server-memory@1");
    std::fs::write(&path, &edited).unwrap();
    let (code, _, stderr) =
        env.cli(&["self", "install", "--client", "cursor", "--launcher", "uvx"]);
    assert_eq!(code, 5, "drift is a conflict: {stderr}");
    assert!(stderr.contains("changed since the last deploy"), "{stderr}");
    assert_eq!(read(&path), edited);

    // Unpublished work in the draft is not published along with imprint.
    let env = TestEnv::new();
    let path = env.write(CURSOR, CURSOR_FILE);
    env.cli_ok(&["draft", "add", "fetch", "--client", "cursor"]);
    let (code, _, stderr) = env.cli(&["self", "install", "--client", "cursor"]);
    assert_eq!(code, 5, "{stderr}");
    assert!(stderr.contains("not published"), "{stderr}");
    assert_eq!(read(&path), CURSOR_FILE);
}

#[test]
fn version_names_the_release_and_the_commit() {
    for binary in [BIN, env!("CARGO_BIN_EXE_imprint-mcp")] {
        let output = std::process::Command::new(binary)
            .arg("--version")
            .output()
            .unwrap();
        assert!(output.status.success());
        let text = String::from_utf8(output.stdout).unwrap();
        let prefix = format!("imprint {} (commit ", env!("CARGO_PKG_VERSION"));
        assert!(text.starts_with(&prefix), "{binary}: {text}");
        let commit = text[prefix.len()..].trim_end().trim_end_matches(')');
        assert!(!commit.is_empty(), "{text}");
        // Built from a Git checkout (as here), it is the commit checked out.
        let head = std::process::Command::new("git")
            .args(["rev-parse", "--short", "HEAD"])
            .current_dir(env!("CARGO_MANIFEST_DIR"))
            .output();
        if let Ok(head) = head.ok().filter(|h| h.status.success()).ok_or(()) {
            assert_eq!(commit, String::from_utf8_lossy(&head.stdout).trim());
        }
    }
}
