//! End to end: `imprint content …` with `--json`, sharing the data directory with the
//! MCP server, with exit codes by error kind.

mod support;

use serde_json::json;
use support::TestEnv;

fn id(value: &serde_json::Value, key: &str) -> String {
    value[key]
        .as_i64()
        .unwrap_or_else(|| panic!("no {key} in {value}"))
        .to_string()
}

#[test]
fn content_help_lists_the_operations() {
    let env = TestEnv::new();
    let output = env.command().args(["content", "--help"]).output().unwrap();
    assert!(output.status.success());
    let help = String::from_utf8_lossy(&output.stdout);
    for command in [
        "sites",
        "create-site",
        "update-site",
        "sections",
        "create-section",
        "update-section",
        "delete-section",
        "entry-types",
        "create-entry-type",
        "update-entry-type",
        "delete-entry-type",
        "fields",
        "field-types",
        "create-field",
        "update-field",
        "delete-field",
        "create-field-layout",
        "field-layout",
        "update-field-layout",
        "create-entry",
        "get-entry",
        "update-entry",
        "delete-entry",
        "restore-entry",
        "search",
        "create-draft",
        "update-draft",
        "apply-draft",
        "drafts",
        "delete-draft",
        "revisions",
        "revision",
        "revert",
    ] {
        assert!(
            help.contains(command),
            "content help lacks {command}: {help}"
        );
    }
}

#[test]
fn the_whole_content_workflow_through_the_cli() {
    let env = TestEnv::new();
    let sites = env.cli_ok(&["content", "sites"]);
    assert_eq!(sites["sites"][0]["handle"], "default");
    let site = env.cli_ok(&[
        "content",
        "create-site",
        "--name",
        "German",
        "--language",
        "de-DE",
    ]);
    assert_eq!(site["handle"], "german");
    env.cli_ok(&[
        "content",
        "update-site",
        &id(&site, "id"),
        "--base-url",
        "https://example.com/de/",
    ]);

    let body = env.cli_ok(&[
        "content",
        "create-field",
        "--type",
        "craft\\fields\\PlainText",
        "--name",
        "Body",
    ]);
    let rating = env.cli_ok(&[
        "content",
        "create-field",
        "--type",
        "Number",
        "--name",
        "Rating",
        "--settings",
        "{\"min\": 1, \"max\": 5}",
    ]);
    env.cli_ok(&[
        "content",
        "update-field",
        &id(&rating, "fieldId"),
        "--instructions",
        "1 to 5",
    ]);
    assert_eq!(env.cli_ok(&["content", "field-types"])["count"], 13);
    let article = env.cli_ok(&["content", "create-entry-type", "--name", "Review"]);
    let layout = id(&article, "fieldLayoutId");
    let tabs = env.write(
        "tabs.json",
        &json!([{"name": "Content", "elements": [{"type": "title"}, {"type": "CustomField", "fieldId": body["fieldId"], "required": true}, {"type": "CustomField", "fieldId": rating["fieldId"]}]}]).to_string(),
    );
    let tabs_arg = format!("@{}", tabs.display());
    let saved = env.cli_ok(&[
        "content",
        "update-field-layout",
        &layout,
        "--tabs",
        &tabs_arg,
    ]);
    assert_eq!(
        saved["fieldLayout"]["tabs"][0]["elements"]
            .as_array()
            .unwrap()
            .len(),
        3
    );
    assert_eq!(
        env.cli_ok(&["content", "field-layout", &layout])["fieldLayoutId"].to_string(),
        layout
    );
    assert_eq!(
        env.cli_ok(&["content", "fields", "--layout", &layout])["count"],
        2
    );
    let spare = env.cli_ok(&["content", "create-field-layout"]);
    env.cli_ok(&[
        "content",
        "update-entry-type",
        &id(&article, "entryTypeId"),
        "--description",
        "reviews",
    ]);
    assert_eq!(env.cli_ok(&["content", "entry-types"])["count"], 1);
    let section = env.cli_ok(&[
        "content",
        "create-section",
        "--name",
        "Reviews",
        "--entry-type-ids",
        &id(&article, "entryTypeId"),
    ]);
    let section_id = id(&section, "sectionId");
    env.cli_ok(&[
        "content",
        "update-section",
        &section_id,
        "--site-settings",
        "[{\"siteId\": 1, \"uriFormat\": \"r/{slug}\"}]",
    ]);
    assert_eq!(env.cli_ok(&["content", "sections"])["count"], 1);

    let created = env.cli_ok(&[
        "content",
        "create-entry",
        "--section",
        &section_id,
        "--data",
        "{\"title\": \"Great Film\", \"body\": \"loved it\", \"rating\": 5}",
    ]);
    let entry_id = id(&created, "entryId");
    assert_eq!(created["uri"], "r/great-film");
    let updated = env.cli_ok(&[
        "content",
        "update-entry",
        &entry_id,
        "--data",
        "{\"rating\": 4}",
    ]);
    assert_eq!(updated["rating"], 4);
    assert_eq!(updated["body"], "loved it");
    assert_eq!(
        env.cli_ok(&["content", "get-entry", &entry_id])["revision"],
        2
    );
    let found = env.cli_ok(&["content", "search", "film"]);
    assert_eq!(found["results"][0]["entryId"].to_string(), entry_id);

    let draft = env.cli_ok(&[
        "content",
        "create-draft",
        "--canonical",
        &entry_id,
        "--name",
        "Rewrite",
        "--data",
        "{\"body\": \"loved it a lot\"}",
    ]);
    let draft_id = id(&draft, "draftId");
    env.cli_ok(&["content", "update-draft", &draft_id, "--notes", "warmer"]);
    assert_eq!(
        env.cli_ok(&["content", "drafts", "--canonical", &entry_id])["count"],
        1
    );
    let applied = env.cli_ok(&["content", "apply-draft", &draft_id]);
    assert_eq!(applied["body"], "loved it a lot");
    let other = env.cli_ok(&[
        "content",
        "create-draft",
        "--section",
        &section_id,
        "--data",
        "{\"title\": \"Maybe\"}",
    ]);
    env.cli_ok(&["content", "delete-draft", &id(&other, "draftId")]);

    let history = env.cli_ok(&["content", "revisions", &entry_id]);
    assert_eq!(history["count"], 3);
    assert_eq!(
        env.cli_ok(&["content", "revision", &entry_id, "1"])["content"]["rating"],
        5
    );
    let reverted = env.cli_ok(&["content", "revert", &entry_id, "1"]);
    assert_eq!(reverted["rating"], 5);
    assert_eq!(reverted["revision"], 4);

    env.cli_ok(&["content", "delete-entry", &entry_id]);
    assert_eq!(env.cli_ok(&["content", "search", "film"])["count"], 0);
    env.cli_ok(&["content", "restore-entry", &entry_id]);
    // Found in both sites: the section's propagationMethod (default "all") copied the
    // entry to the German site when it was saved.
    assert_eq!(env.cli_ok(&["content", "search", "film"])["count"], 2);
    env.cli_ok(&["content", "delete-entry", &entry_id, "--permanently"]);
    env.cli_ok(&[
        "content",
        "delete-field",
        &id(&rating, "fieldId"),
        "--force",
    ]);
    env.cli_ok(&["content", "delete-section", &section_id]);
    env.cli_ok(&["content", "delete-entry-type", &id(&article, "entryTypeId")]);
    assert_eq!(env.cli_ok(&["content", "entry-types"])["count"], 0);
    assert!(spare["fieldLayoutId"].is_i64());
}

#[test]
fn content_errors_exit_by_kind_and_name_the_problem() {
    let env = TestEnv::new();
    let entry_type = env.cli_ok(&["content", "create-entry-type", "--name", "Note"]);
    let section = env.cli_ok(&[
        "content",
        "create-section",
        "--name",
        "Notes",
        "--entry-type-ids",
        &id(&entry_type, "entryTypeId"),
    ]);
    let section_id = id(&section, "sectionId");
    let (code, _, stderr) = env.cli(&[
        "content",
        "create-entry",
        "--section",
        &section_id,
        "--site",
        "7",
        "--data",
        "{\"title\": \"x\"}",
    ]);
    assert_eq!(code, 4, "{stderr}");
    assert!(
        stderr.contains("siteId 7 does not exist: `imprint content sites` lists the sites"),
        "{stderr}"
    );
    let (code, _, stderr) = env.cli(&[
        "content",
        "create-entry",
        "--section",
        &section_id,
        "--data",
        "{\"nope\": 1}",
    ]);
    assert_eq!(code, 3, "{stderr}");
    assert!(stderr.contains("unknown key 'nope'"), "{stderr}");
    let (code, _, stderr) = env.cli(&[
        "content",
        "create-entry",
        "--section",
        &section_id,
        "--data",
        "{not json",
    ]);
    assert_eq!(code, 3, "{stderr}");
    assert!(stderr.contains("--data is not valid JSON"), "{stderr}");
    let entry = env.cli_ok(&[
        "content",
        "create-entry",
        "--section",
        &section_id,
        "--data",
        "{\"title\": \"Kept\"}",
    ]);
    let entry_id = id(&entry, "entryId");
    env.cli_ok(&[
        "content",
        "create-draft",
        "--canonical",
        &entry_id,
        "--provisional",
    ]);
    let (code, _, stderr) = env.cli(&[
        "content",
        "create-draft",
        "--canonical",
        &entry_id,
        "--provisional",
    ]);
    assert_eq!(code, 5, "{stderr}");
    assert!(
        stderr.contains("already has a provisional draft"),
        "{stderr}"
    );
    let (code, _, stderr) = env.cli(&["content", "delete-section", &section_id]);
    assert_eq!(code, 5, "{stderr}");
    assert!(stderr.contains("force"), "{stderr}");
    let (code, _, stderr) = env.cli(&["content", "get-entry", "999"]);
    assert_eq!(code, 4, "{stderr}");
    let (code, _, stderr) = env.cli(&["content", "update-draft", &entry_id, "--name", "x"]);
    assert_eq!(code, 3, "{stderr}");
    // The CLI names its own command where the service names the MCP tool.
    assert!(
        stderr.contains(&format!("use `imprint content update-entry {entry_id}`")),
        "{stderr}"
    );
}

#[tokio::test]
async fn the_cli_and_the_mcp_server_share_content() {
    let env = TestEnv::new();
    let entry_type = env.cli_ok(&["content", "create-entry-type", "--name", "Page"]);
    let section = env.cli_ok(&[
        "content",
        "create-section",
        "--name",
        "Pages",
        "--entry-type-ids",
        &id(&entry_type, "entryTypeId"),
    ]);
    let draft = env.cli_ok(&[
        "content",
        "create-draft",
        "--section",
        &id(&section, "sectionId"),
        "--data",
        "{\"title\": \"Shared\"}",
    ]);
    let mcp = env.mcp().await;
    let seen = mcp
        .ok("get_entry", json!({"entryId": draft["draftId"]}))
        .await;
    assert_eq!(seen["title"], "Shared");
    let applied = mcp
        .ok("apply_draft", json!({"draftId": draft["draftId"]}))
        .await;
    mcp.close().await;
    let entry = env.cli_ok(&["content", "get-entry", &id(&applied, "entryId")]);
    assert_eq!(entry["title"], "Shared");
    assert_eq!(entry["author"], "tester");
}

/// Every CLI change is in the audit log, written with the change (content and the
/// catalog included); a command that fails records nothing.
#[test]
fn cli_changes_are_audited_with_surface_cli() {
    let env = TestEnv::new();
    let article = env.cli_ok(&["content", "create-entry-type", "--name", "Article"]);
    let section = env.cli_ok(&[
        "content",
        "create-section",
        "--name",
        "News",
        "--entry-type-ids",
        &id(&article, "entryTypeId"),
    ]);
    let section_id = id(&section, "sectionId");
    let created = env.cli_ok(&[
        "content",
        "create-entry",
        "--section",
        &section_id,
        "--data",
        "{\"title\": \"Hello\"}",
    ]);
    let entry_id = id(&created, "entryId");
    env.cli_ok(&[
        "content",
        "update-entry",
        &entry_id,
        "--data",
        "{\"title\": \"Hello again\"}",
    ]);
    let (code, _, stderr) = env.cli(&[
        "content",
        "update-entry",
        "999999",
        "--data",
        "{\"title\": \"nobody\"}",
    ]);
    assert_ne!(code, 0, "updating a missing entry fails: {stderr}");
    let definition = env.write(
        "acme.json",
        &json!({"server_id": "acme", "transport": "http", "url": "https://mcp.acme.example/mcp"})
            .to_string(),
    );
    env.cli_ok(&["servers", "register", definition.to_str().unwrap()]);

    let audit = env.cli_ok(&["audit", "--limit", "20"]);
    let entries = audit["entries"].as_array().unwrap();
    let seen: Vec<(&str, &str, &str)> = entries
        .iter()
        .rev()
        .map(|entry| {
            (
                entry["operation"].as_str().unwrap(),
                entry["surface"].as_str().unwrap(),
                entry["target"].as_str().unwrap(),
            )
        })
        .collect();
    let (in_section, updated) = (format!("section {section_id}"), format!("entry {entry_id}"));
    assert_eq!(
        seen,
        [
            ("create_entry_type", "cli", ""),
            ("create_section", "cli", ""),
            ("create_entry", "cli", in_section.as_str()),
            ("update_entry", "cli", updated.as_str()),
            ("register_server", "cli", definition.to_str().unwrap()),
        ],
        "{audit}"
    );
}
