//! Prompts and scripts written for the Craft CMS MCP plugin (happycog/craft-mcp) work
//! unchanged: a scripted scenario of the plugin's documented calls (its README and tool
//! descriptions: parameter names, `number` ids, `siteSettingsData`, the plugin's answer
//! keys) replayed through the real binary with rmcp's client; every tool of both
//! families refuses an unknown parameter; each `propagationMethod` on four sites.

mod support;

use serde_json::{Value, json};
use support::{Mcp, TestEnv};

fn id(value: &Value, key: &str) -> i64 {
    value[key]
        .as_i64()
        .unwrap_or_else(|| panic!("no {key} in {value}"))
}

fn has_keys(value: &Value, keys: &[&str]) {
    for key in keys {
        assert!(value.get(key).is_some(), "no {key} in {value}");
    }
}

/// The list tools answer a bare JSON array, as the plugin did.
async fn list(mcp: &Mcp, tool: &str, arguments: Value) -> Vec<Value> {
    match mcp.ok(tool, arguments).await {
        Value::Array(items) => items,
        other => panic!("{tool} should answer a JSON array, got {other}"),
    }
}

#[tokio::test]
async fn the_plugin_scenario_replays_unchanged() {
    let env = TestEnv::new();
    let mcp = env.mcp().await;

    // Discover the model, as the plugin's README suggests a prompt starts.
    let sites = list(&mcp, "get_sites", json!({})).await;
    assert_eq!(sites.len(), 1);
    has_keys(&sites[0], &["id", "name", "handle", "language", "primary"]);
    let field_types = list(&mcp, "get_field_types", json!({})).await;
    let plain = field_types
        .iter()
        .find(|t| t["class"] == "craft\\fields\\PlainText")
        .unwrap_or_else(|| panic!("no PlainText class in {field_types:?}"));
    assert!(plain["icon"].is_string(), "{plain}");

    // Fields with the plugin's parameters, ids as JSON numbers.
    let body = mcp
        .ok(
            "create_field",
            json!({"name": "Body", "handle": "body", "type": "craft\\fields\\PlainText", "instructions": "The text", "translationMethod": "none"}),
        )
        .await;
    has_keys(&body, &["_notes", "message", "editUrl", "id"]);
    assert_eq!(body["translationMethod"], "none");
    assert!(
        body["editUrl"]
            .as_str()
            .unwrap()
            .ends_with(&format!("/cp/fields/{}", body["id"]))
    );
    let body_id = id(&body, "id");
    let refused = mcp
        .err(
            "create_field",
            json!({"name": "X", "type": "PlainText", "translationMethod": "sometimes"}),
        )
        .await;
    assert!(refused.contains("translationMethod"), "{refused}");

    // An entry type with the plugin's title and field-visibility settings.
    let article = mcp
        .ok(
            "create_entry_type",
            json!({"name": "Article", "handle": "article", "hasTitleField": true, "titleTranslationMethod": "site", "showSlugField": false, "showStatusField": true}),
        )
        .await;
    has_keys(
        &article,
        &[
            "_notes",
            "editUrl",
            "fieldLayoutId",
            "uid",
            "usedBy",
            "showSlugField",
            "showStatusField",
            "titleTranslationMethod",
            "titleTranslationKeyFormat",
        ],
    );
    assert_eq!(article["showSlugField"], false);
    assert_eq!(article["titleTranslationMethod"], "site");
    let article_id = id(&article, "id");
    let layout_id = id(&article, "fieldLayoutId");

    // get_field_layout → update_field_layout: the plugin's element keys are accepted.
    let layout = mcp
        .ok(
            "get_field_layout",
            json!({"fieldLayoutId": layout_id as f64}),
        )
        .await;
    assert!(layout["_notes"].is_string(), "{layout}");
    let mut tabs = layout["fieldLayout"]["tabs"].clone();
    let title = &tabs[0]["elements"][0];
    has_keys(
        title,
        &[
            "uid",
            "type",
            "label",
            "instructions",
            "width",
            "required",
            "warning",
            "tip",
            "mandatory",
            "requirable",
            "translatable",
        ],
    );
    tabs[0]["elements"]
        .as_array_mut()
        .unwrap()
        .push(json!({"type": "craft\\fieldlayoutelements\\CustomField", "fieldId": body_id, "required": true, "width": 50, "label": null, "warning": null}));
    mcp.ok(
        "update_field_layout",
        json!({"fieldLayoutId": layout_id, "tabs": tabs}),
    )
    .await;
    // Read, write back unchanged, read again: the same layout.
    let read = mcp
        .ok("get_field_layout", json!({"fieldLayoutId": layout_id}))
        .await;
    let written = mcp
        .ok(
            "update_field_layout",
            json!({"fieldLayoutId": layout_id, "tabs": read["fieldLayout"]["tabs"]}),
        )
        .await;
    assert_eq!(written["fieldLayout"]["tabs"], read["fieldLayout"]["tabs"]);
    let fields = list(&mcp, "get_fields", json!({"fieldLayoutId": layout_id})).await;
    assert_eq!(fields.len(), 1, "{fields:?}");
    assert_eq!(fields[0]["width"], 50);
    assert_eq!(fields[0]["tab"], "Content");

    // A section with siteSettingsData and the plugin's section settings.
    let section = mcp
        .ok(
            "create_section",
            json!({"name": "News", "handle": "news", "type": "channel", "entryTypeIds": [article_id as f64],
                   "siteSettingsData": [{"siteId": 1, "uriFormat": "news/{slug}", "template": "news/_entry", "hasUrls": true, "enabledByDefault": true}],
                   "propagationMethod": "all", "maxAuthors": 2, "defaultPlacement": "beginning"}),
        )
        .await;
    has_keys(
        &section,
        &[
            "_notes",
            "editUrl",
            "propagationMethod",
            "maxAuthors",
            "defaultPlacement",
        ],
    );
    assert_eq!(section["maxAuthors"], 2);
    assert_eq!(section["defaultPlacement"], "beginning");
    assert_eq!(section["siteSettings"][0]["template"], "news/_entry");
    let section_id = id(&section, "id");
    // The example: siteSettingsData on update_section changed nothing before.
    let updated = mcp
        .ok(
            "update_section",
            json!({"sectionId": section_id, "siteSettingsData": [{"siteId": 1, "uriFormat": "articles/{slug}"}]}),
        )
        .await;
    assert_eq!(updated["siteSettings"][0]["uriFormat"], "articles/{slug}");
    let sections = list(&mcp, "get_sections", json!({})).await;
    let listed_type = &sections[0]["entryTypes"][0];
    assert_eq!(listed_type["id"], article_id);
    let types = list(&mcp, "get_entry_types", json!({})).await;
    assert_eq!(types[0]["usedBy"][0]["id"], section_id, "{types:?}");
    has_keys(
        &types[0],
        &[
            "fieldLayoutId",
            "uid",
            "showSlugField",
            "showStatusField",
            "titleTranslationMethod",
        ],
    );

    // Entries with native attributes, authorId included.
    let entry = mcp
        .ok(
            "create_entry",
            json!({"sectionId": section_id as f64, "entryTypeId": article_id, "attributeAndFieldData": {"title": "Hello", "body": "World", "authorId": 1.0}}),
        )
        .await;
    has_keys(&entry, &["_notes", "message", "url"]);
    assert_eq!(entry["authorId"], 1);
    assert_eq!(entry["uri"], "articles/hello");
    let entry_id = id(&entry, "entryId");
    let too_many = mcp
        .err(
            "create_entry",
            json!({"sectionId": section_id, "attributeAndFieldData": {"title": "T", "body": "b", "authorIds": [1, 2, 3]}}),
        )
        .await;
    assert!(too_many.contains("maxAuthors"), "{too_many}");
    let fractional = mcp
        .err(
            "create_entry",
            json!({"sectionId": section_id, "attributeAndFieldData": {"title": "T", "body": "b", "authorId": 1.5}}),
        )
        .await;
    assert!(fractional.contains("authorId"), "{fractional}");
    let half_id = mcp.err("get_entry", json!({"entryId": 1.5})).await;
    assert!(half_id.contains("entryId"), "{half_id}");
    let updated = mcp
        .ok(
            "update_entry",
            json!({"entryId": entry_id as f64, "attributeAndFieldData": {"authorIds": [2, 1]}}),
        )
        .await;
    assert_eq!(updated["authorIds"], json!([2, 1]));

    // search_content's default limit is the plugin's 5.
    for n in 0..6 {
        mcp.ok(
            "create_entry",
            json!({"sectionId": section_id, "attributeAndFieldData": {"title": format!("Hello {n}"), "body": "b"}}),
        )
        .await;
    }
    let found = mcp.ok("search_content", json!({"query": "hello"})).await;
    assert_eq!(
        found["results"].as_array().map(Vec::len),
        Some(5),
        "{found}"
    );

    // A draft from scratch stays unpublished (canonicalId null) and says so.
    let draft = mcp
        .ok(
            "create_draft",
            json!({"sectionId": section_id, "entryTypeId": article_id, "attributeAndFieldData": {"title": "Later", "body": "b"}}),
        )
        .await;
    assert_eq!(draft["canonicalId"], Value::Null);
    assert!(
        draft["_notes"].as_str().unwrap().contains("canonicalId"),
        "{draft}"
    );
    let applied = mcp
        .ok("apply_draft", json!({"draftId": draft["draftId"]}))
        .await;
    assert!(applied["_notes"].is_string());

    // Deletes answer with the plugin's keys beside Imprint's.
    let trashed = mcp.ok("delete_entry", json!({"entryId": entry_id})).await;
    assert_eq!(trashed["deletedPermanently"], false);
    assert!(
        trashed["restoreUrl"]
            .as_str()
            .unwrap()
            .ends_with(&format!("/cp/entries/{entry_id}"))
    );
    let gone = mcp
        .ok(
            "delete_entry",
            json!({"entryId": entry_id, "permanentlyDelete": true}),
        )
        .await;
    assert_eq!(gone["deletedPermanently"], true);
    assert_eq!(gone["restoreUrl"], Value::Null);
    // A field in use is deleted only with force (on purpose: the plugin deleted at once).
    let in_use = mcp.err("delete_field", json!({"fieldId": body_id})).await;
    assert!(in_use.contains("force"), "{in_use}");
    let deleted = mcp
        .ok("delete_field", json!({"fieldId": body_id, "force": true}))
        .await;
    has_keys(
        &deleted,
        &["_notes", "deletedField", "affectedLayouts", "success"],
    );
    assert_eq!(deleted["affectedLayouts"], 1);
    let spare = mcp.ok("create_entry_type", json!({"name": "Spare"})).await;
    let spare_deleted = mcp
        .ok("delete_entry_type", json!({"entryTypeId": spare["id"]}))
        .await;
    assert_eq!(spare_deleted["usageStats"]["total"], 0, "{spare_deleted}");
    has_keys(&spare_deleted, &["_notes", "entryType", "forced"]);
    let section_deleted = mcp
        .ok(
            "delete_section",
            json!({"sectionId": section_id, "force": true}),
        )
        .await;
    assert_eq!(section_deleted["impact"]["hasContent"], true);
    assert_eq!(
        section_deleted["impact"]["entryCount"],
        section_deleted["impact"]["entries"]
    );
    assert_eq!(section_deleted["impact"]["entryTypeCount"], 1);
    assert_eq!(section_deleted["handle"], "news");
    mcp.close().await;
}

#[tokio::test]
async fn every_tool_refuses_an_unknown_parameter() {
    let env = TestEnv::new();
    let mcp = env.mcp().await;
    let tools = mcp.client.list_all_tools().await.unwrap();
    assert!(tools.len() > 40, "both families: {}", tools.len());
    for tool in &tools {
        let outcome = mcp
            .call(&tool.name, json!({"definitelyNotAParameter": 1}))
            .await;
        assert!(
            outcome.is_error,
            "{} accepted an unknown parameter: {}",
            tool.name, outcome.body
        );
        let message = outcome.message();
        assert!(
            message.contains("definitelyNotAParameter"),
            "{}: the error should name the unknown parameter: {message}",
            tool.name
        );
    }
    mcp.close().await;
}

/// Four sites: the default (en-US), fr-FR, a second en-US site and de-DE. An entry saved
/// in the default site reaches the sites its section's propagationMethod names.
#[tokio::test]
async fn each_propagation_method_propagates_as_it_says() {
    let env = TestEnv::new();
    let mcp = env.mcp().await;
    let fr = id(
        &mcp.ok(
            "create_site",
            json!({"name": "French", "language": "fr-FR", "group": "americas"}),
        )
        .await,
        "id",
    );
    let uk = id(
        &mcp.ok(
            "create_site",
            json!({"name": "English 2", "handle": "english2", "language": "en-US", "group": "europe"}),
        )
        .await,
        "id",
    );
    let de = id(
        &mcp.ok(
            "create_site",
            json!({"name": "German", "language": "de-DE", "group": "europe"}),
        )
        .await,
        "id",
    );
    mcp.ok("update_site", json!({"siteId": 1, "group": "americas"}))
        .await;
    // Page: a title (translated per site, the default) and `shared`, one value for all sites.
    let page_type = mcp.ok("create_entry_type", json!({"name": "Page"})).await;
    let page = id(&page_type, "id");
    let shared = id(
        &mcp.ok(
            "create_field",
            json!({"type": "PlainText", "name": "Shared", "translationMethod": "none"}),
        )
        .await,
        "fieldId",
    );
    mcp.ok(
        "update_field_layout",
        json!({"fieldLayoutId": page_type["fieldLayoutId"], "tabs": [{"name": "Content", "elements": [
            {"type": "title"}, {"type": "CustomField", "fieldId": shared}]}]}),
    )
    .await;
    let cases = [
        ("all", vec![1, fr, uk, de]),
        ("siteGroup", vec![1, fr]),
        ("language", vec![1, uk]),
        ("custom", vec![1, de]),
        ("none", vec![1]),
    ];
    for (method, expected) in cases {
        let section = id(
            &mcp.ok(
                "create_section",
                json!({"name": format!("S {method}"), "entryTypeIds": [page], "propagationMethod": method}),
            )
            .await,
            "id",
        );
        let mut create = json!({"sectionId": section, "attributeAndFieldData": {"title": format!("Entry {method}"), "shared": "v1"}});
        if method == "custom" {
            create["siteIds"] = json!([de]);
        }
        let created = mcp.ok("create_entry", create).await;
        assert_eq!(created["siteIds"], json!(expected), "{method}: {created}");
        let entry_id = id(&created, "entryId");
        // Each copy is live in its site, with the same content.
        for site in &expected {
            let there = mcp
                .ok("get_entry", json!({"entryId": entry_id, "siteId": site}))
                .await;
            assert_eq!(
                there["title"],
                format!("Entry {method}"),
                "{method} site {site}"
            );
        }
        // A later save in site 1 reaches the same sites: `shared` changes there, the
        // per-site title does not; each site gets a second signed revision.
        let updated = mcp
            .ok(
                "update_entry",
                json!({"entryId": entry_id, "siteId": 1, "attributeAndFieldData": {"title": "Renamed", "shared": "v2"}}),
            )
            .await;
        assert_eq!(updated["siteIds"], json!(expected), "{method}: {updated}");
        for site in &expected {
            let there = mcp
                .ok("get_entry", json!({"entryId": entry_id, "siteId": site}))
                .await;
            let title = if *site == 1 {
                "Renamed".to_string()
            } else {
                format!("Entry {method}")
            };
            assert_eq!(
                (&there["title"], &there["shared"]),
                (&json!(title), &json!("v2")),
                "{method} site {site}"
            );
            assert_eq!(there["revision"], 2, "{method} site {site}");
        }
        // An applied draft from scratch follows the same rule.
        let draft = mcp
            .ok(
                "create_draft",
                json!({"sectionId": section, "entryTypeId": page, "attributeAndFieldData": {"title": format!("Draft {method}")}}),
            )
            .await;
        let applied = mcp
            .ok("apply_draft", json!({"draftId": draft["draftId"]}))
            .await;
        // custom: a new entry from a draft stays in its site (it chose no other).
        let expected_draft = if method == "custom" {
            vec![1]
        } else {
            expected.clone()
        };
        assert_eq!(
            applied["siteIds"],
            json!(expected_draft),
            "{method} draft: {applied}"
        );
    }
    // A section disabled for a site never reaches it, and a changed method applies to
    // the next save: an entry of a "none" section gets its copies when it becomes "all".
    let partial = id(
        &mcp.ok(
            "create_section",
            json!({"name": "Partial", "entryTypeIds": [page], "propagationMethod": "none",
                   "siteSettings": [{"siteId": de, "enabled": false}]}),
        )
        .await,
        "id",
    );
    let lonely = mcp
        .ok(
            "create_entry",
            json!({"sectionId": partial, "attributeAndFieldData": {"title": "Lonely"}}),
        )
        .await;
    assert_eq!(lonely["siteIds"], json!([1]));
    mcp.ok(
        "update_section",
        json!({"sectionId": partial, "propagationMethod": "all"}),
    )
    .await;
    let saved = mcp
        .ok(
            "update_entry",
            json!({"entryId": lonely["entryId"], "attributeAndFieldData": {"title": "Not lonely"}}),
        )
        .await;
    assert_eq!(saved["siteIds"], json!([1, fr, uk]), "{saved}");
    // siteIds belongs to "custom" sections only.
    let refused = mcp
        .err(
            "update_entry",
            json!({"entryId": lonely["entryId"], "siteIds": [de], "attributeAndFieldData": {}}),
        )
        .await;
    assert!(
        refused.contains("propagationMethod \"custom\""),
        "{refused}"
    );
    let unknown = mcp
        .err(
            "update_section",
            json!({"sectionId": partial, "propagationMethod": "everywhere"}),
        )
        .await;
    assert!(
        unknown.contains("all, siteGroup, language, custom, none"),
        "{unknown}"
    );
    mcp.close().await;
}
