//! Deploy changes only the MCP section: every other byte of the user's file survives.

mod common;

use common::*;
use imprint_deploy::{FileFormat, deploy, read_section};
use serde_json::json;

#[test]
fn claude_code_file_keeps_every_byte_outside_the_section() {
    let fixture = Fixture::new(".claude.json", CLAUDE_CODE);
    let previous = previous_section(json!({
        "memory": {"type": "stdio", "command": "npx", "args": ["-y", "@modelcontextprotocol/server-memory"], "env": {}}
    }));
    let desired = json!({
        "memory": {"type": "stdio", "command": "npx", "args": ["-y", "@modelcontextprotocol/server-memory@2025.4.1"], "env": {}},
        "github": {"type": "http", "url": "https://api.githubcopilot.com/mcp/"}
    });
    let mut request = fixture.request(FileFormat::Json, "mcpServers", &desired);
    request.previous = Some(&previous);

    let outcome = deploy(&request).expect("deploy");

    let written = fixture.text();
    assert_eq!(
        outside_section(&written, "mcpServers"),
        outside_section(CLAUDE_CODE, "mcpServers"),
        "bytes outside the top-level mcpServers changed"
    );
    assert_eq!(parsed_section(&written, "mcpServers"), desired);
    assert!(
        written.contains("\"project-local\""),
        "the per-project mcpServers is not Imprint's"
    );
    assert_eq!(outcome.added, ["github"]);
    assert_eq!(outcome.updated, ["memory"]);
    assert!(outcome.removed.is_empty() && outcome.unchanged.is_empty());
    assert!(!outcome.created);
    assert_eq!(outcome.section, desired);
    assert_eq!(
        outcome.file_sha256,
        imprint_deploy::sha256_hex(written.as_bytes())
    );
}

#[test]
fn claude_desktop_file_gains_a_server_and_nothing_else() {
    let fixture = Fixture::new("claude_desktop_config.json", CLAUDE_DESKTOP);
    let previous = previous_section(json!({
        "filesystem": {"command": "npx", "args": ["-y", "@modelcontextprotocol/server-filesystem", "/home/ana/Documents"]}
    }));
    let desired = json!({
        "filesystem": {"command": "npx", "args": ["-y", "@modelcontextprotocol/server-filesystem", "/home/ana/Documents"]},
        "sentry": {"command": "npx", "args": ["-y", "mcp-remote", "https://mcp.sentry.dev/mcp"], "env": {"SENTRY_TOKEN": "a \"quoted\" \\ value"}}
    });
    let mut request = fixture.request(FileFormat::Json, "mcpServers", &desired);
    request.previous = Some(&previous);

    let outcome = deploy(&request).expect("deploy");

    assert_eq!(
        fixture.text(),
        r#"{
  "globalShortcut": "Ctrl+Space",
  "mcpServers": {
    "filesystem": {
      "command": "npx",
      "args": ["-y", "@modelcontextprotocol/server-filesystem", "/home/ana/Documents"]
    },
    "sentry": {
      "command": "npx",
      "args": ["-y", "mcp-remote", "https://mcp.sentry.dev/mcp"],
      "env": {
        "SENTRY_TOKEN": "a \"quoted\" \\ value"
      }
    }
  }
}"#
    );
    assert_eq!(outcome.unchanged, ["filesystem"]);
    assert_eq!(outcome.added, ["sentry"]);
}

#[test]
fn jsonc_comments_blank_lines_and_trailing_commas_survive() {
    let fixture = Fixture::new("settings.json", ZED_SETTINGS);
    let previous = previous_section(json!({
        "postgres": {"command": "npx", "args": ["-y", "@modelcontextprotocol/server-postgres", "postgresql://localhost/blog"], "env": {}}
    }));
    let desired = json!({
        "postgres": {"command": "npx", "args": ["-y", "@modelcontextprotocol/server-postgres", "postgresql://localhost/shop"], "env": {}},
        "fetch": {"command": "uvx", "args": ["mcp-server-fetch"]}
    });
    let mut request = fixture.request(FileFormat::Jsonc, "context_servers", &desired);
    request.previous = Some(&previous);

    deploy(&request).expect("deploy");

    assert_eq!(
        fixture.text(),
        r#"// Zed settings
//
// For information on how to configure Zed, see the Zed
// documentation: https://zed.dev/docs/configuring-zed
{
  "theme": "One Dark", // the dark one
  /* fonts, set
     for the laptop */
  "buffer_font_size": 15,

  "context_servers": {
    // the database on the laptop
    "postgres": {
      "command": "npx",
      "args": ["-y", "@modelcontextprotocol/server-postgres", "postgresql://localhost/shop"],
      "env": {},
    },
    "fetch": {
      "command": "uvx",
      "args": ["mcp-server-fetch"],
    },
  },
  "vim_mode": true,
}
"#
    );
}

#[test]
fn unchanged_entries_keep_their_own_formatting_and_removed_ones_go() {
    let text = r#"{
  "mcpServers": {
    "compact": {"command":"x","args":["a"]},
    "old": {
      "command": "old"
    },
    "changing": {
      "command": "c",
      "args": ["1"]
    }
  },
  "other": 1
}
"#;
    let fixture = Fixture::new("mcp.json", text);
    let previous = previous_section(json!({
        "compact": {"command": "x", "args": ["a"]},
        "old": {"command": "old"},
        "changing": {"command": "c", "args": ["1"]}
    }));
    let desired = json!({
        "compact": {"args": ["a"], "command": "x"},
        "changing": {"command": "c", "args": ["2"]}
    });
    let mut request = fixture.request(FileFormat::Json, "mcpServers", &desired);
    request.previous = Some(&previous);

    let outcome = deploy(&request).expect("deploy");

    assert_eq!(
        fixture.text(),
        r#"{
  "mcpServers": {
    "compact": {"command":"x","args":["a"]},
    "changing": {
      "command": "c",
      "args": ["2"]
    }
  },
  "other": 1
}
"#
    );
    assert_eq!(outcome.removed, ["old"]);
    assert_eq!(outcome.updated, ["changing"]);
    assert_eq!(outcome.unchanged, ["compact"]);
}

#[test]
fn a_missing_root_key_is_appended_and_blank_lines_around_it_are_kept() {
    let text = "{\n\n  \"theme\": \"dark\",\n  \"fontSize\": 14\n\n}\n";
    let fixture = Fixture::new("settings.json", text);
    let desired = json!({"memory": {"command": "npx"}});

    let outcome =
        deploy(&fixture.request(FileFormat::Json, "mcpServers", &desired)).expect("deploy");

    assert_eq!(
        fixture.text(),
        "{\n\n  \"theme\": \"dark\",\n  \"fontSize\": 14,\n  \"mcpServers\": {\n    \"memory\": {\n      \"command\": \"npx\"\n    }\n  }\n\n}\n"
    );
    assert_eq!(outcome.added, ["memory"]);
}

#[test]
fn a_new_file_is_created_with_its_directories_as_two_space_json() {
    let fixture = Fixture::empty("unused.json");
    let path = fixture.dir.path().join("home/.cursor/mcp.json");
    let desired = json!({"fetch": {"command": "uvx", "args": ["mcp-server-fetch"]}});
    let mut request = fixture.request(FileFormat::Json, "mcpServers", &desired);
    request.path = &path;

    let outcome = deploy(&request).expect("deploy");

    let written = std::fs::read_to_string(&path).expect("created");
    assert_eq!(
        written,
        "{\n  \"mcpServers\": {\n    \"fetch\": {\n      \"command\": \"uvx\",\n      \"args\": [\n        \"mcp-server-fetch\"\n      ]\n    }\n  }\n}\n"
    );
    assert!(outcome.created);
    assert_eq!(outcome.backup_path, None);
    assert_eq!(outcome.added, ["fetch"]);
    #[cfg(unix)]
    assert_eq!(mode_of(&path), 0o600, "a new file may hold tokens");
}

#[test]
fn crlf_line_ends_and_tab_indentation_are_followed() {
    let text = "{\r\n\t\"globalShortcut\": \"\",\r\n\t\"mcpServers\": {\r\n\t\t\"a\": {\r\n\t\t\t\"command\": \"a\"\r\n\t\t}\r\n\t}\r\n}\r\n";
    let fixture = Fixture::new("claude_desktop_config.json", text);
    let desired = json!({"a": {"command": "a"}, "b": {"command": "b"}});

    deploy(&fixture.request(FileFormat::Json, "mcpServers", &desired)).expect("deploy");

    assert_eq!(
        fixture.text(),
        "{\r\n\t\"globalShortcut\": \"\",\r\n\t\"mcpServers\": {\r\n\t\t\"a\": {\r\n\t\t\t\"command\": \"a\"\r\n\t\t},\r\n\t\t\"b\": {\r\n\t\t\t\"command\": \"b\"\r\n\t\t}\r\n\t}\r\n}\r\n"
    );
}

#[test]
fn deploying_the_section_already_there_does_not_rewrite_the_file() {
    let fixture = Fixture::new("claude_desktop_config.json", CLAUDE_DESKTOP);
    let desired = json!({
        "filesystem": {"args": ["-y", "@modelcontextprotocol/server-filesystem", "/home/ana/Documents"], "command": "npx"}
    });
    let before = std::fs::metadata(&fixture.path)
        .and_then(|m| m.modified())
        .expect("mtime");

    let outcome =
        deploy(&fixture.request(FileFormat::Json, "mcpServers", &desired)).expect("deploy");

    assert_eq!(fixture.text(), CLAUDE_DESKTOP);
    assert_eq!(outcome.backup_path, None);
    assert_eq!(outcome.unchanged, ["filesystem"]);
    assert!(fixture.backup_entries().is_empty(), "no backup for a no-op");
    assert_eq!(
        outcome.file_sha256,
        imprint_deploy::sha256_hex(CLAUDE_DESKTOP.as_bytes())
    );
    let after = std::fs::metadata(&fixture.path)
        .and_then(|m| m.modified())
        .expect("mtime");
    assert_eq!(before, after);
}

#[test]
fn a_null_section_an_empty_file_and_a_byte_order_mark_are_handled() {
    let desired = json!({"memory": {"command": "npx"}});

    let null_section = Fixture::new("a.json", "{\n  \"mcpServers\": null,\n  \"x\": 1\n}\n");
    deploy(&null_section.request(FileFormat::Json, "mcpServers", &desired)).expect("null");
    assert_eq!(
        null_section.text(),
        "{\n  \"mcpServers\": {\n    \"memory\": {\n      \"command\": \"npx\"\n    }\n  },\n  \"x\": 1\n}\n"
    );

    let empty = Fixture::new("b.json", "");
    let outcome = deploy(&empty.request(FileFormat::Json, "mcpServers", &desired)).expect("empty");
    assert_eq!(parsed_section(&empty.text(), "mcpServers"), desired);
    assert!(!outcome.created, "the file existed, if empty");

    let bom = Fixture::new("c.json", "\u{feff}{\"x\": 1}");
    deploy(&bom.request(FileFormat::Json, "mcpServers", &desired)).expect("bom");
    let written = bom.text();
    assert!(
        written.starts_with("\u{feff}{"),
        "the byte order mark stays: {written:?}"
    );
    assert_eq!(
        read_section(&bom.path, FileFormat::Json, "mcpServers").expect("read"),
        Some(desired.clone())
    );
}

#[test]
fn vscode_inputs_survive_a_deploy_under_the_servers_key() {
    let text = r#"{
  // prompts for secrets, used as ${input:github-token}
  "inputs": [
    {
      "type": "promptString",
      "id": "github-token",
      "description": "GitHub token",
      "password": true
    }
  ],
  "servers": {
    "fetch": {
      "type": "stdio",
      "command": "uvx",
      "args": ["mcp-server-fetch"]
    }
  }
}
"#;
    let fixture = Fixture::new("mcp.json", text);
    let previous = previous_section(
        json!({"fetch": {"type": "stdio", "command": "uvx", "args": ["mcp-server-fetch"]}}),
    );
    let desired = json!({
        "github": {"type": "http", "url": "https://api.githubcopilot.com/mcp/", "headers": {"Authorization": "Bearer ${input:github-token}"}}
    });
    let mut request = fixture.request(FileFormat::Jsonc, "servers", &desired);
    request.previous = Some(&previous);

    let outcome = deploy(&request).expect("deploy");

    let written = fixture.text();
    assert_eq!(
        outside_section(&written, "servers"),
        outside_section(text, "servers")
    );
    assert_eq!(parsed_section(&written, "servers"), desired);
    assert_eq!(outcome.removed, ["fetch"]);
    assert_eq!(outcome.added, ["github"]);
}

#[test]
fn every_kind_of_edit_keeps_the_outside_of_every_fixture_intact() {
    let crlf_desktop = CLAUDE_DESKTOP.replace('\n', "\r\n");
    let fixtures = [
        (CLAUDE_CODE, FileFormat::Json, "mcpServers"),
        (CLAUDE_DESKTOP, FileFormat::Json, "mcpServers"),
        (crlf_desktop.as_str(), FileFormat::Json, "mcpServers"),
        (ZED_SETTINGS, FileFormat::Jsonc, "context_servers"),
    ];
    let desired_sections = [
        json!({}),
        json!({"a": {"command": "a"}}),
        json!({"a": {"command": "a", "args": ["x", "y"], "env": {"K": "v"}}, "b": {"url": "https://example.com/mcp"}}),
        json!({"a\"b": {"command": "c:\\tools\\x.exe", "args": ["\u{e9}\u{1f600}", "line\nbreak"]}}),
        json!({"n": {"command": "n", "timeout": 60000, "ratio": 0.5, "enabled": true, "extra": null}}),
    ];
    for (text, format, root_key) in fixtures {
        for desired in &desired_sections {
            let fixture = Fixture::new("config.json", text);
            let mut request = fixture.request(format, root_key, desired);
            request.force = true;

            deploy(&request).unwrap_or_else(|e| panic!("{root_key} -> {desired}: {e}"));

            let written = fixture.text();
            assert_eq!(
                outside_section(&written, root_key),
                outside_section(text, root_key),
                "{root_key} -> {desired}"
            );
            assert_eq!(&parsed_section(&written, root_key), desired);
            // deploying the same section again is a no-op, byte for byte
            let again = deploy(&request).expect("redeploy");
            assert!(again.added.is_empty() && again.updated.is_empty() && again.removed.is_empty());
            assert_eq!(fixture.text(), written);
        }
    }
}
