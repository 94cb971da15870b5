//! TOML and YAML files, list-shaped sections, masked records and companion lists: each edit
//! leaves every byte outside what it was asked to change exactly as it was.

mod common;

use common::*;
use imprint_deploy::{
    DeployError, DriftRequest, FileFormat, ListAddition, Masking, SectionLayout, deploy,
    drift_with, read_section,
};
use serde_json::{Value, json};

/// `~/.continue/config.yaml` as people write it: comments, other settings, a list of servers.
const CONTINUE: &str = r#"# Continue config, edited by hand
name: Ana's assistant
version: 1.0.0
schema: v1

models:
  - name: Claude
    provider: anthropic
    model: claude-sonnet-4-5
    apiKey: ${{ secrets.ANTHROPIC_API_KEY }}
    roles: [chat, edit]

# MCP servers
mcpServers:
  # local sqlite browser
  - name: SQLite
    command: npx
    args:
      - "-y"
      - "mcp-sqlite"
      - "/home/ana/db.sqlite"   # the blog db

  # docs
  - name: remote-docs
    type: streamable-http
    url: https://docs.example.com/mcp

context:
  - provider: code
  - provider: docs
"#;

/// `~/.config/goose/config.yaml` as Goose writes it (serde_yaml style), plus a hand comment.
const GOOSE: &str = r#"GOOSE_PROVIDER: anthropic
GOOSE_MODEL: claude-sonnet-4-5
extensions:
  developer:
    bundled: true
    display_name: Developer
    enabled: true
    name: developer
    timeout: 300
    type: builtin
  # added by hand
  github:
    args:
    - -y
    - '@modelcontextprotocol/server-github'
    cmd: npx
    enabled: true
    envs: {}
    name: github
    timeout: 300
    type: stdio
GOOSE_MODE: smart_approve
"#;

/// `~/.codex/config.toml` with comments, profiles and two servers.
const CODEX: &str = r#"# ~/.codex/config.toml
model = "gpt-5-codex"
approval_policy = "on-request"

[profiles.work]
model = "o3"

# servers
[mcp_servers.docs]
command = "docs-server"   # from brew
args = ["--port", "4000"]
env = { "DOCS_MODE" = "local" }

[mcp_servers.figma]
url = "https://mcp.figma.com/mcp"
bearer_token_env_var = "FIGMA_OAUTH_TOKEN"

[tui]
notifications = true
"#;

fn sqlite() -> Value {
    json!({"name": "SQLite", "command": "npx", "args": ["-y", "mcp-sqlite", "/home/ana/db.sqlite"]})
}

fn docs() -> Value {
    json!({"name": "remote-docs", "type": "streamable-http", "url": "https://docs.example.com/mcp"})
}

fn list(fixture: &Fixture, desired: &Value) -> Result<imprint_deploy::DeployOutcome, DeployError> {
    let mut request = fixture.request(FileFormat::Yaml, "mcpServers", desired);
    request.layout = SectionLayout::List { name_key: "name" };
    request.force = true;
    deploy(&request)
}

#[test]
fn a_continue_list_gains_an_entry_and_keeps_every_other_byte() {
    let fixture = Fixture::new("config.yaml", CONTINUE);
    let desired = json!([sqlite(), docs(),
        {"name": "github", "command": "docker", "args": ["run", "-i", "--rm", "ghcr.io/github/github-mcp-server"],
         "env": {"GITHUB_PERSONAL_ACCESS_TOKEN": "${secret:GH}", "DEBUG": ""}}]);
    let outcome = list(&fixture, &desired).expect("deploy");
    assert_eq!(outcome.added, ["github"]);
    assert_eq!(outcome.unchanged, ["SQLite", "remote-docs"]);
    let expected = CONTINUE.replace(
        "    url: https://docs.example.com/mcp\n",
        "    url: https://docs.example.com/mcp\n\n  - name: github\n    command: docker\n    args:\n      - run\n      - -i\n      - --rm\n      - ghcr.io/github/github-mcp-server\n    env:\n      GITHUB_PERSONAL_ACCESS_TOKEN: \"${secret:GH}\"\n      DEBUG: \"\"\n",
    );
    assert_eq!(fixture.text(), expected);
    assert_eq!(
        read_section(&fixture.path, FileFormat::Yaml, "mcpServers").expect("read"),
        Some(desired.clone())
    );
    // the same section again is a no-op, byte for byte
    let again = list(&fixture, &desired).expect("redeploy");
    assert!(again.backup_path.is_none() && again.added.is_empty());
    assert_eq!(fixture.text(), expected);
}

#[test]
fn a_changed_list_entry_keeps_its_place_and_the_comment_above_it() {
    let fixture = Fixture::new("config.yaml", CONTINUE);
    let changed = json!({"name": "SQLite", "command": "uvx", "args": ["mcp-server-sqlite", "--db-path", "/home/ana/db.sqlite"]});
    let outcome = list(&fixture, &json!([docs(), changed])).expect("deploy");
    assert_eq!(outcome.updated, ["SQLite"]);
    // the file's order is kept, not the desired order; the comment inside the changed entry
    // ("# the blog db") is the one thing that goes
    let expected = CONTINUE.replace(
        "  - name: SQLite\n    command: npx\n    args:\n      - \"-y\"\n      - \"mcp-sqlite\"\n      - \"/home/ana/db.sqlite\"   # the blog db\n",
        "  - name: SQLite\n    command: uvx\n    args:\n      - mcp-server-sqlite\n      - --db-path\n      - /home/ana/db.sqlite\n",
    );
    assert_eq!(fixture.text(), expected);
}

#[test]
fn a_removed_list_entry_goes_with_the_comment_above_it() {
    let fixture = Fixture::new("config.yaml", CONTINUE);
    let outcome = list(&fixture, &json!([sqlite()])).expect("deploy");
    assert_eq!(outcome.removed, ["remote-docs"]);
    let expected = CONTINUE.replace(
        "\n  # docs\n  - name: remote-docs\n    type: streamable-http\n    url: https://docs.example.com/mcp\n",
        "",
    );
    assert_eq!(fixture.text(), expected);
}

#[test]
fn a_goose_map_gains_a_server_and_its_builtins_keep_their_bytes() {
    let fixture = Fixture::new("config.yaml", GOOSE);
    let mut desired = match read_section(&fixture.path, FileFormat::Yaml, "extensions").unwrap() {
        Some(Value::Object(map)) => map,
        other => panic!("{other:?}"),
    };
    desired.insert(
        "fetch".into(),
        json!({"name": "fetch", "type": "stdio", "cmd": "uvx", "args": ["mcp-server-fetch"], "enabled": true, "timeout": 300}),
    );
    let desired = Value::Object(desired);
    let mut request = fixture.request(FileFormat::Yaml, "extensions", &desired);
    request.force = true;
    deploy(&request).expect("deploy");
    let expected = GOOSE.replace(
        "    type: stdio\nGOOSE_MODE",
        "    type: stdio\n  fetch:\n    name: fetch\n    type: stdio\n    cmd: uvx\n    args:\n      - mcp-server-fetch\n    enabled: true\n    timeout: 300\nGOOSE_MODE",
    );
    assert_eq!(fixture.text(), expected);
}

#[test]
fn flow_style_empty_and_absent_sections_become_blocks() {
    let desired = json!([sqlite()]);
    let block = "mcpServers:\n  - name: SQLite\n    command: npx\n    args:\n      - -y\n      - mcp-sqlite\n      - /home/ana/db.sqlite\n";
    for (before, after) in [
        (
            "name: a\nmcpServers: []\nother: 1\n",
            format!("name: a\n{block}other: 1\n"),
        ),
        (
            "name: a\nmcpServers:\n# nothing yet\nother: 1\n",
            format!("name: a\n{block}# nothing yet\nother: 1\n"),
        ),
        ("name: a\nother: 1", format!("name: a\nother: 1\n{block}")),
        ("# only a comment\n", format!("# only a comment\n{block}")),
        ("", block.to_string()),
    ] {
        let fixture = Fixture::new("config.yaml", before);
        list(&fixture, &desired).unwrap_or_else(|e| panic!("{before:?}: {e}"));
        assert_eq!(fixture.text(), after, "{before:?}");
    }
    let fixture = Fixture::empty("config.yaml");
    list(&fixture, &desired).expect("new file");
    assert_eq!(fixture.text(), block);
}

#[test]
fn yaml_line_ends_quoting_and_awkward_strings_survive() {
    let crlf = GOOSE.replace('\n', "\r\n");
    let fixture = Fixture::new("config.yaml", &crlf);
    let desired = json!({"odd": {"name": "odd", "type": "stdio", "cmd": "c:\\tools\\x.exe",
        "args": ["yes", "no", "1.0", "@scope/pkg", "a: b", "# not a comment", "", " padded ", "multi\nline", "~", "null"],
        "envs": {"TRUE": "true", "0x1F": "0x1F"}}});
    let mut request = fixture.request(FileFormat::Yaml, "extensions", &desired);
    request.force = true;
    deploy(&request).expect("deploy");
    let written = fixture.text();
    assert!(
        !written.replace("\r\n", "").contains('\n'),
        "CRLF kept: {written:?}"
    );
    assert!(written.starts_with(
        "GOOSE_PROVIDER: anthropic\r\nGOOSE_MODEL: claude-sonnet-4-5\r\nextensions:\r\n"
    ));
    assert!(written.ends_with("GOOSE_MODE: smart_approve\r\n"));
    assert_eq!(
        read_section(&fixture.path, FileFormat::Yaml, "extensions").unwrap(),
        Some(desired)
    );
}

#[test]
fn bad_yaml_is_never_overwritten() {
    for (text, want) in [
        ("mcpServers:\n  - name: a\n   command: [x\n", "line"),
        ("a: 1\n---\nb: 2\n", "several YAML documents"),
        ("{mcpServers: []}\n", "flow style"),
        ("mcpServers: []\nmcpServers: []\n", "duplicate key"),
    ] {
        let fixture = Fixture::new("config.yaml", text);
        let error = list(&fixture, &json!([sqlite()])).expect_err(text);
        assert!(error.to_string().contains(want), "{text:?}: {error}");
        assert!(error.to_string().contains("left unchanged"), "{error}");
        assert_eq!(fixture.text(), text);
    }
    let fixture = Fixture::new("config.yaml", "mcpServers:\n  - name: a\n  - name: a\n");
    let error = list(&fixture, &json!([sqlite()])).expect_err("duplicate names");
    assert!(
        error
            .to_string()
            .contains("two entries of 'mcpServers' are named 'a'"),
        "{error}"
    );
}

#[test]
fn codex_toml_changes_only_what_differs() {
    let fixture = Fixture::new("config.toml", CODEX);
    let desired = json!({
        "docs": {"command": "docs-server", "args": ["--port", "5000"], "env": {"DOCS_MODE": "local", "DOCS_TOKEN": "t"}},
        "github": {"command": "docker", "args": ["run", "-i", "--rm", "ghcr.io/github/github-mcp-server"], "env": {"GITHUB_PERSONAL_ACCESS_TOKEN": "ghp"}}
    });
    let mut request = fixture.request(FileFormat::Toml, "mcp_servers", &desired);
    request.force = true;
    let outcome = deploy(&request).expect("deploy");
    assert_eq!(outcome.removed, ["figma"]);
    assert_eq!(outcome.added, ["github"]);
    assert_eq!(outcome.updated, ["docs"]);
    let expected = r#"# ~/.codex/config.toml
model = "gpt-5-codex"
approval_policy = "on-request"

[profiles.work]
model = "o3"

# servers
[mcp_servers.docs]
command = "docs-server"   # from brew
args = ["--port", "5000"]
env = { DOCS_MODE = "local", DOCS_TOKEN = "t" }

[mcp_servers.github]
command = "docker"
args = ["run", "-i", "--rm", "ghcr.io/github/github-mcp-server"]
env = { GITHUB_PERSONAL_ACCESS_TOKEN = "ghp" }

[tui]
notifications = true
"#;
    assert_eq!(fixture.text(), expected);
    let again = deploy(&request).expect("redeploy");
    assert!(again.backup_path.is_none());
    assert_eq!(fixture.text(), expected);
}

#[test]
fn toml_sections_are_created_where_missing_and_bad_toml_is_never_overwritten() {
    let fixture = Fixture::new("config.toml", "model = \"o3\"\n");
    let desired = json!({"fetch": {"command": "uvx", "args": ["mcp-server-fetch"]}});
    let mut request = fixture.request(FileFormat::Toml, "mcp_servers", &desired);
    request.force = true;
    deploy(&request).expect("deploy");
    assert_eq!(
        fixture.text(),
        "model = \"o3\"\n\n[mcp_servers.fetch]\ncommand = \"uvx\"\nargs = [\"mcp-server-fetch\"]\n"
    );

    let broken = "model = \"o3\"\n[mcp_servers.a\ncommand = 1\n";
    let fixture = Fixture::new("config.toml", broken);
    let error =
        deploy(&fixture.request(FileFormat::Toml, "mcp_servers", &desired)).expect_err("parse");
    assert!(matches!(error, DeployError::Parse { .. }), "{error}");
    assert!(error.to_string().contains("line 2"), "{error}");
    assert_eq!(fixture.text(), broken);

    let fixture = Fixture::new("config.toml", CODEX);
    let with_null = json!({"docs": {"command": "x", "cwd": null}});
    let mut request = fixture.request(FileFormat::Toml, "mcp_servers", &with_null);
    request.force = true;
    let error = deploy(&request).expect_err("null");
    assert!(error.to_string().contains("TOML has no null"), "{error}");
    assert_eq!(fixture.text(), CODEX);
}

fn fingerprint(text: &str) -> String {
    imprint_deploy::sha256_hex(format!("test-key:{text}").as_bytes())
}

#[test]
fn masked_deploys_record_no_secret_and_still_detect_drift() {
    let fixture = Fixture::new("config.toml", CODEX);
    let secrets = vec!["ghp_0123456789".to_string()];
    let masking = Masking {
        values: &secrets,
        fingerprint: &fingerprint,
    };
    let desired = json!({"github": {"command": "docker", "env": {"GITHUB_PERSONAL_ACCESS_TOKEN": "ghp_0123456789"}}});
    let mut request = fixture.request(FileFormat::Toml, "mcp_servers", &desired);
    request.force = true;
    request.masking = Some(&masking);
    let outcome = deploy(&request).expect("deploy");
    assert!(
        fixture.text().contains("ghp_0123456789"),
        "the file gets the working value"
    );
    let recorded = serde_json::to_string(&outcome.section).unwrap();
    assert!(!recorded.contains("ghp_0123456789"), "{recorded}");

    let previous = previous_section(outcome.section.clone());
    let check = DriftRequest {
        path: &fixture.path,
        format: FileFormat::Toml,
        root_key: "mcp_servers",
        layout: SectionLayout::Map,
        previous: &previous,
        masking: Some(&masking),
    };
    assert!(!drift_with(&check).expect("drift").drifted);
    std::fs::write(
        &fixture.path,
        fixture.text().replace("ghp_0123456789", "ghp_rotated"),
    )
    .unwrap();
    let report = drift_with(&check).expect("drift");
    assert_eq!(report.changes, ["server 'github' changed: env"]);

    // a redeploy over its own masked record is not refused as drift
    let fixture = Fixture::new("config.toml", CODEX);
    let mut request = fixture.request(FileFormat::Toml, "mcp_servers", &desired);
    request.force = true;
    request.masking = Some(&masking);
    let first = deploy(&request).expect("deploy");
    let previous = previous_section(first.section);
    request.force = false;
    request.previous = Some(&previous);
    let second = deploy(&request).expect("redeploy over a masked record");
    assert_eq!(second.unchanged, ["github"]);
}

#[test]
fn companion_inputs_are_added_once_and_never_removed() {
    let text = "{\n  // mine\n  \"inputs\": [\n    {\"type\": \"promptString\", \"id\": \"mine\", \"password\": true}\n  ],\n  \"servers\": {}\n}\n";
    let fixture = Fixture::new("mcp.json", text);
    let desired = json!({"github": {"type": "stdio", "command": "gh", "env": {"TOKEN": "${input:GITHUB_TOKEN}"}}});
    let inputs = [
        json!({"type": "promptString", "id": "mine", "description": "changed", "password": true}),
        json!({"type": "promptString", "id": "GITHUB_TOKEN", "description": "GITHUB_TOKEN", "password": true}),
    ];
    let companion = ListAddition {
        key: "inputs",
        id_key: "id",
        items: &inputs,
    };
    let mut request = fixture.request(FileFormat::Jsonc, "servers", &desired);
    request.companion = Some(&companion);
    let outcome = deploy(&request).expect("deploy");
    assert_eq!(outcome.companion_added, ["GITHUB_TOKEN"]);
    let written = fixture.text();
    assert!(written.starts_with("{\n  // mine\n  \"inputs\": [\n    {\"type\": \"promptString\", \"id\": \"mine\", \"password\": true},"), "{written}");
    let inputs_now = read_section(&fixture.path, FileFormat::Jsonc, "inputs")
        .unwrap()
        .unwrap();
    assert_eq!(inputs_now.as_array().map(Vec::len), Some(2));
    assert_eq!(inputs_now[1]["id"], "GITHUB_TOKEN");

    let previous = previous_of(&outcome);
    request.previous = Some(&previous);
    let again = deploy(&request).expect("redeploy");
    assert!(again.companion_added.is_empty() && again.backup_path.is_none());
    assert_eq!(fixture.text(), written);
}

#[test]
fn compact_lists_and_dashes_on_their_own_line_are_followed() {
    let text = "mcpServers:\n- name: a\n  command: x\n-\n  name: b\n  command: y\nnext: 1\n";
    let fixture = Fixture::new("config.yaml", text);
    let desired = json!([{"name": "a", "command": "x"}, {"name": "b", "command": "y"}, {"name": "c", "command": "z"}]);
    list(&fixture, &desired).expect("deploy");
    assert_eq!(
        fixture.text(),
        "mcpServers:\n- name: a\n  command: x\n-\n  name: b\n  command: y\n- name: c\n  command: z\nnext: 1\n"
    );
    list(&fixture, &json!([{"name": "b", "command": "y"}])).expect("remove a and c");
    assert_eq!(
        fixture.text(),
        "mcpServers:\n-\n  name: b\n  command: y\nnext: 1\n"
    );
}

#[test]
fn an_alias_to_an_anchor_in_a_removed_entry_is_written_out() {
    let text = "mcpServers:\n  - name: a\n    command: a\n    env: &shared\n      K: v\n  - name: b\n    command: b\n    env: *shared\nother: 1 # kept\n";
    let fixture = Fixture::new("config.yaml", text);
    list(
        &fixture,
        &json!([{"name": "b", "command": "b", "env": {"K": "v"}}]),
    )
    .expect("deploy");
    assert_eq!(
        fixture.text(),
        "mcpServers:\n  - name: b\n    command: b\n    env:\n      K: v\nother: 1 # kept\n"
    );
}

mod properties {
    use super::*;
    use proptest::prelude::*;

    /// Strings a YAML or TOML writer can get wrong: indicators, quotes, reserved words,
    /// numbers, line breaks, non-ASCII.
    fn awkward_string() -> impl Strategy<Value = String> {
        prop_oneof![
            "[a-zA-Z0-9 ._/@:#'\"$&*!|>%{}\\[\\],?=+-]{0,12}",
            Just("yes".to_string()),
            Just("null".to_string()),
            Just("1.5".to_string()),
            Just("0x1F".to_string()),
            Just("line\nbreak".to_string()),
            Just("tab\there".to_string()),
            Just("é😀".to_string()),
            Just(" padded ".to_string()),
            Just("- dash".to_string()),
        ]
    }

    fn leaf() -> impl Strategy<Value = Value> {
        prop_oneof![
            awkward_string().prop_map(Value::String),
            any::<bool>().prop_map(Value::Bool),
            (-1000i64..1000).prop_map(Value::from),
        ]
    }

    fn entry() -> impl Strategy<Value = serde_json::Map<String, Value>> {
        let value = leaf().prop_recursive(2, 8, 3, |inner| {
            prop_oneof![
                prop::collection::vec(inner.clone(), 0..3).prop_map(Value::Array),
                prop::collection::btree_map("[A-Za-z_][A-Za-z0-9_-]{0,5}", inner, 0..3)
                    .prop_map(|m| Value::Object(m.into_iter().collect())),
            ]
        });
        prop::collection::btree_map("[a-z][a-z_]{0,6}", value, 1..4)
            .prop_map(|m| m.into_iter().collect())
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(96))]

        /// Any section deploys into the Continue fixture, reads back as desired, and the text
        /// before and after the section is untouched.
        #[test]
        fn any_yaml_list_section_keeps_the_rest_of_the_file(
            entries in prop::collection::btree_map("[A-Za-z][A-Za-z0-9 _.-]{0,8}", entry(), 0..4)
        ) {
            let desired = Value::Array(entries.into_iter().map(|(name, mut fields)| {
                fields.insert("name".into(), Value::String(name));
                Value::Object(fields)
            }).collect());
            let fixture = Fixture::new("config.yaml", CONTINUE);
            list(&fixture, &desired).map_err(|e| TestCaseError::fail(e.to_string()))?;
            let written = fixture.text();
            let head = &CONTINUE[..CONTINUE.find("mcpServers:").unwrap()];
            let tail = &CONTINUE[CONTINUE.find("\ncontext:").unwrap()..];
            prop_assert!(written.starts_with(head), "{}", written);
            prop_assert!(written.ends_with(tail), "{}", written);
            prop_assert_eq!(
                read_section(&fixture.path, FileFormat::Yaml, "mcpServers").unwrap(),
                Some(desired).filter(|d| d.as_array().is_some_and(|a| !a.is_empty())).or(Some(json!([])))
            );
        }

        /// The same for Goose's map and for Codex's TOML tables.
        #[test]
        fn any_map_section_keeps_the_rest_of_yaml_and_toml_files(
            entries in prop::collection::btree_map("[a-z][a-z0-9_-]{0,8}", entry(), 0..4)
        ) {
            let desired = Value::Object(entries.into_iter().map(|(k, v)| (k, Value::Object(v))).collect());
            for (name, text, format, key, head_end, tail_start) in [
                ("config.yaml", GOOSE, FileFormat::Yaml, "extensions", "extensions:", "GOOSE_MODE:"),
                ("config.toml", CODEX, FileFormat::Toml, "mcp_servers", "# servers", "[tui]"),
            ] {
                let fixture = Fixture::new(name, text);
                let mut request = fixture.request(format, key, &desired);
                request.force = true;
                deploy(&request).map_err(|e| TestCaseError::fail(format!("{name}: {e}")))?;
                let written = fixture.text();
                prop_assert!(written.starts_with(&text[..text.find(head_end).unwrap()]), "{}", written);
                prop_assert!(written.contains(&text[text.find(tail_start).unwrap()..]), "{}", written);
                let read = read_section(&fixture.path, format, key).unwrap().unwrap_or(json!({}));
                prop_assert_eq!(&read, &desired);
            }
        }
    }
}
