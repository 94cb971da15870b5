//! End to end: the content tools through the real `imprint serve` binary over stdio,
//! driven by rmcp's client. Structure, entries, drafts (regular, provisional, from
//! scratch, conflict, merge), revisions (revert, tamper detection), multi-site, search,
//! restart.

mod support;

use serde_json::{Value, json};
use support::{Mcp, TestEnv};

const CONTENT_TOOLS: &[&str] = &[
    "get_sites",
    "create_site",
    "update_site",
    "get_sections",
    "create_section",
    "update_section",
    "delete_section",
    "get_entry_types",
    "create_entry_type",
    "update_entry_type",
    "delete_entry_type",
    "get_fields",
    "get_field_types",
    "create_field",
    "update_field",
    "delete_field",
    "create_field_layout",
    "get_field_layout",
    "update_field_layout",
    "create_entry",
    "get_entry",
    "update_entry",
    "delete_entry",
    "restore_entry",
    "search_content",
    "create_draft",
    "update_draft",
    "apply_draft",
    "list_drafts",
    "delete_draft",
    "list_revisions",
    "get_revision",
    "revert_entry",
];

const URL: &str = "http://127.0.0.1:7410/cp/entries";

/// Ids of a small content model: a blog section with an article type holding a
/// required body, a price, a category dropdown and related entries.
struct Model {
    section: i64,
    article: i64,
    layout: i64,
}

fn id(value: &Value, key: &str) -> i64 {
    value[key]
        .as_i64()
        .unwrap_or_else(|| panic!("no {key} in {value}"))
}

async fn model(mcp: &Mcp) -> Model {
    let body = id(
        &mcp.ok(
            "create_field",
            json!({"type": "PlainText", "name": "Body", "settings": {"multiline": true}}),
        )
        .await,
        "fieldId",
    );
    let price = id(&mcp.ok("create_field", json!({"type": "craft\\fields\\Number", "name": "Price", "handle": "price", "settings": {"min": 0, "decimals": 2}})).await, "fieldId");
    let category = id(
        &mcp.ok(
            "create_field",
            json!({"type": "Dropdown", "name": "Category", "settings": {"options": [{"label": "News", "value": "news"}, {"label": "Recipes", "value": "recipes"}]}}),
        )
        .await,
        "fieldId",
    );
    let related = id(
        &mcp.ok(
            "create_field",
            json!({"type": "Entries", "name": "Related", "settings": {"maxRelations": 3}}),
        )
        .await,
        "fieldId",
    );
    let article = mcp
        .ok("create_entry_type", json!({"name": "Article"}))
        .await;
    let layout = id(&article, "fieldLayoutId");
    let title_uid = {
        let got = mcp
            .ok("get_field_layout", json!({"fieldLayoutId": layout}))
            .await;
        got["fieldLayout"]["tabs"][0]["elements"][0]["uid"]
            .as_str()
            .unwrap()
            .to_string()
    };
    mcp.ok(
        "update_field_layout",
        json!({"fieldLayoutId": layout, "tabs": [{"name": "Content", "elements": [
            {"uid": title_uid},
            {"type": "CustomField", "fieldId": body, "required": true},
            {"type": "CustomField", "fieldId": price},
            {"type": "CustomField", "fieldId": category},
            {"type": "CustomField", "fieldId": related}
        ]}]}),
    )
    .await;
    let section = mcp.ok("create_section", json!({"name": "Blog", "type": "channel", "entryTypeIds": [id(&article, "entryTypeId")]})).await;
    Model {
        section: id(&section, "sectionId"),
        article: id(&article, "entryTypeId"),
        layout,
    }
}

async fn entry(mcp: &Mcp, model: &Model, data: Value) -> Value {
    mcp.ok("create_entry", json!({"sectionId": model.section, "entryTypeId": model.article, "attributeAndFieldData": data})).await
}

#[tokio::test]
async fn tools_list_has_every_content_tool_with_plain_schemas() {
    let env = TestEnv::new();
    let mcp = env.mcp().await;
    let tools = mcp.client.list_all_tools().await.unwrap();
    for name in CONTENT_TOOLS {
        let tool = tools
            .iter()
            .find(|t| t.name == *name)
            .unwrap_or_else(|| panic!("missing tool {name}"));
        assert!(
            tool.output_schema.is_none(),
            "{name} declares an outputSchema"
        );
        assert_eq!(
            tool.input_schema.get("type"),
            Some(&json!("object")),
            "{name}"
        );
        assert!(
            tool.description.as_ref().is_some_and(|d| d.len() > 40),
            "{name} needs a description for a model"
        );
    }
    let create_draft = tools.iter().find(|t| t.name == "create_draft").unwrap();
    let properties = create_draft.input_schema.get("properties").unwrap();
    for parameter in [
        "sectionId",
        "entryTypeId",
        "canonicalId",
        "draftName",
        "draftNotes",
        "provisional",
        "siteId",
        "attributeAndFieldData",
    ] {
        assert!(
            properties.get(parameter).is_some(),
            "create_draft lacks {parameter}"
        );
    }
    let update_draft = tools.iter().find(|t| t.name == "update_draft").unwrap();
    assert!(
        update_draft
            .description
            .as_ref()
            .unwrap()
            .contains("update_entry")
    );
    mcp.close().await;
}

#[tokio::test]
async fn sites_are_created_updated_and_exactly_one_is_primary() {
    let env = TestEnv::new();
    let mcp = env.mcp().await;
    let sites = mcp.ok("get_sites", json!({})).await;
    assert_eq!(
        sites.as_array().map(Vec::len),
        Some(1),
        "a bare array: {sites}"
    );
    assert_eq!(sites[0]["handle"], "default");
    assert_eq!(sites[0]["language"], "en-US");
    assert_eq!(sites[0]["primary"], true);

    let french = mcp
        .ok(
            "create_site",
            json!({"name": "French", "language": "fr-FR", "baseUrl": "https://example.com/fr/"}),
        )
        .await;
    assert_eq!(french["handle"], "french");
    assert_eq!(french["url"], "https://example.com/fr/");
    assert_eq!(french["primary"], false);
    let message = mcp
        .err("create_site", json!({"name": "Again", "handle": "french"}))
        .await;
    assert!(message.contains("handle 'french' is taken"), "{message}");
    let message = mcp
        .err(
            "create_site",
            json!({"name": "Bad", "language": "not a language"}),
        )
        .await;
    assert!(message.contains("language"), "{message}");
    let message = mcp.err("create_site", json!({"handle": "x"})).await;
    assert!(message.contains("name is required"), "{message}");

    let message = mcp
        .err("update_site", json!({"siteId": 1, "primary": false}))
        .await;
    assert!(message.contains("exactly one site is primary"), "{message}");
    let message = mcp
        .err("update_site", json!({"siteId": 77, "name": "x"}))
        .await;
    assert_eq!(
        message,
        "siteId 77 does not exist: get_sites lists the sites"
    );
    mcp.ok(
        "update_site",
        json!({"siteId": french["id"], "primary": true, "name": "Français"}),
    )
    .await;
    let sites = mcp.ok("get_sites", json!({})).await;
    let primaries: Vec<&Value> = sites
        .as_array()
        .unwrap()
        .iter()
        .filter(|s| s["primary"] == true)
        .collect();
    assert_eq!(primaries.len(), 1);
    assert_eq!(primaries[0]["name"], "Français");
    mcp.close().await;
}

#[tokio::test]
async fn structure_tools_describe_and_change_the_model() {
    let env = TestEnv::new();
    let mcp = env.mcp().await;
    let types = mcp.ok("get_field_types", json!({})).await;
    let names: Vec<&str> = types
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["name"].as_str().unwrap())
        .collect();
    for expected in [
        "PlainText",
        "RichText",
        "Number",
        "Lightswitch",
        "Date",
        "Dropdown",
        "RadioButtons",
        "Checkboxes",
        "MultiSelect",
        "Email",
        "Url",
        "Color",
        "Entries",
    ] {
        assert!(names.contains(&expected), "missing field type {expected}");
    }
    let model = model(&mcp).await;

    let fields = mcp
        .ok("get_fields", json!({"fieldLayoutId": model.layout}))
        .await;
    let handles: Vec<&str> = fields
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["handle"].as_str().unwrap())
        .collect();
    assert_eq!(handles, ["body", "price", "category", "related"]);
    assert_eq!(fields[0]["required"], true);
    assert_eq!(
        mcp.ok("get_fields", json!({}))
            .await
            .as_array()
            .map(Vec::len),
        Some(4)
    );

    // Layout update keeps elements given by uid and replaces the rest.
    let layout = mcp
        .ok("get_field_layout", json!({"fieldLayoutId": model.layout}))
        .await;
    let elements = layout["fieldLayout"]["tabs"][0]["elements"]
        .as_array()
        .unwrap()
        .clone();
    assert_eq!(elements[0]["attribute"], "title");
    assert_eq!(elements[1]["fieldHandle"], "body");
    let body_uid = elements[1]["uid"].clone();
    let updated = mcp
        .ok(
            "update_field_layout",
            json!({"fieldLayoutId": model.layout, "tabs": [
                {"name": "Main", "elements": [{"uid": elements[0]["uid"]}, {"uid": body_uid}, {"uid": elements[2]["uid"]}, {"uid": elements[3]["uid"]}, {"uid": elements[4]["uid"]}]},
                {"name": "SEO", "elements": [{"type": "Heading", "heading": "Search engines"}]}
            ]}),
        )
        .await;
    let tabs = updated["fieldLayout"]["tabs"].as_array().unwrap();
    assert_eq!(tabs.len(), 2);
    assert_eq!(tabs[0]["elements"][1]["uid"], body_uid);
    assert_eq!(tabs[0]["elements"][1]["required"], true);
    assert_eq!(
        tabs[1]["elements"][0]["type"],
        "craft\\fieldlayoutelements\\Heading"
    );
    let message = mcp.err("update_field_layout", json!({"fieldLayoutId": model.layout, "tabs": [{"name": "x", "elements": [{"type": "CustomField", "fieldId": 999}]}]})).await;
    assert!(message.contains("fieldId 999 does not exist"), "{message}");
    let message = mcp
        .err(
            "update_field_layout",
            json!({"fieldLayoutId": model.layout, "tabs": [{"name": "x", "elements": []}]}),
        )
        .await;
    assert!(message.contains("keep the title element"), "{message}");
    let message = mcp
        .err(
            "update_field_layout",
            json!({"fieldLayoutId": model.layout}),
        )
        .await;
    assert!(message.contains("tabs is required"), "{message}");

    // A separate layout, attached through update_entry_type.
    let created = mcp
        .ok(
            "create_field_layout",
            json!({"type": "craft\\elements\\Entry"}),
        )
        .await;
    let new_layout = id(&created, "fieldLayoutId");
    assert_eq!(
        created["fieldLayout"]["tabs"][0]["elements"][0]["attribute"],
        "title"
    );
    let message = mcp
        .err(
            "create_field_layout",
            json!({"type": "craft\\elements\\Asset"}),
        )
        .await;
    assert!(message.contains("not supported"), "{message}");
    let video = mcp.ok("create_entry_type", json!({"name": "Video", "handle": "video", "fieldLayoutId": new_layout, "icon": "film"})).await;
    assert_eq!(video["fieldLayoutId"], new_layout);
    let renamed = mcp
        .ok(
            "update_entry_type",
            json!({"entryTypeId": video["entryTypeId"], "name": "Clip", "color": "red"}),
        )
        .await;
    assert_eq!(renamed["name"], "Clip");
    assert_eq!(renamed["color"], "red");
    assert_eq!(renamed["icon"], "film");
    let message = mcp
        .err(
            "update_entry_type",
            json!({"entryTypeId": video["entryTypeId"], "hasTitleField": false}),
        )
        .await;
    assert!(message.contains("titleFormat"), "{message}");
    let message = mcp
        .err(
            "create_entry_type",
            json!({"name": "Article Two", "handle": "article"}),
        )
        .await;
    assert!(message.contains("handle 'article' is taken"), "{message}");

    // Sections: update, filter by ids.
    let section = mcp.ok("update_section", json!({"sectionId": model.section, "entryTypeIds": [model.article, video["entryTypeId"]], "siteSettings": [{"siteId": 1, "uriFormat": "news/{slug}"}]})).await;
    assert_eq!(section["entryTypes"].as_array().unwrap().len(), 2);
    assert_eq!(section["siteSettings"][0]["uriFormat"], "news/{slug}");
    let message = mcp.err("update_section", json!({"sectionId": model.section, "siteSettings": [{"siteId": 1, "uriFormat": "news/{nope}"}]})).await;
    assert!(message.contains("{nope}"), "{message}");
    let got = mcp
        .ok("get_sections", json!({"sectionIds": [model.section]}))
        .await;
    assert_eq!(got.as_array().map(Vec::len), Some(1));
    assert_eq!(got[0]["handle"], "blog");
    let message = mcp.err("get_sections", json!({"sectionIds": [404]})).await;
    assert!(
        message.contains("sectionId 404 does not exist"),
        "{message}"
    );
    let got = mcp
        .ok("get_entry_types", json!({"entryTypeIds": [model.article]}))
        .await;
    assert_eq!(got.as_array().map(Vec::len), Some(1));
    assert_eq!(got[0]["sectionIds"], json!([model.section]));
    let message = mcp.err("create_section", json!({"name": "Empty"})).await;
    assert!(message.contains("entryTypeIds is required"), "{message}");
    let message = mcp
        .err(
            "create_section",
            json!({"name": "Odd", "type": "gallery", "entryTypeIds": [model.article]}),
        )
        .await;
    assert!(
        message.contains("single, channel or structure"),
        "{message}"
    );

    // Fields: update settings and handle; errors name the problem.
    let price = mcp.ok("get_fields", json!({})).await[1].clone();
    let updated = mcp.ok("update_field", json!({"fieldId": price["fieldId"], "settings": {"max": 1000}, "instructions": "in euros"})).await;
    assert_eq!(updated["settings"]["max"], 1000);
    assert_eq!(updated["settings"]["decimals"], 2);
    assert_eq!(updated["instructions"], "in euros");
    let message = mcp
        .err("create_field", json!({"type": "Matrix", "name": "Blocks"}))
        .await;
    assert!(
        message.contains("unknown field type \"Matrix\""),
        "{message}"
    );
    let message = mcp
        .err(
            "create_field",
            json!({"type": "PlainText", "name": "Title", "handle": "title"}),
        )
        .await;
    assert!(message.contains("reserved"), "{message}");
    let message = mcp
        .err("create_field", json!({"type": "Dropdown", "name": "Size"}))
        .await;
    assert!(message.contains("options"), "{message}");
    let message = mcp
        .err("create_field", json!({"type": "PlainText", "name": "Body"}))
        .await;
    assert!(message.contains("handle 'body' is taken"), "{message}");
    let message = mcp
        .err("update_field", json!({"fieldId": 999, "name": "x"}))
        .await;
    assert_eq!(
        message,
        "fieldId 999 does not exist: get_fields lists the fields"
    );
    mcp.close().await;
}

#[tokio::test]
async fn entries_are_created_read_patched_trashed_restored_and_deleted() {
    let env = TestEnv::new();
    let mcp = env.mcp().await;
    let model = model(&mcp).await;
    let created = entry(&mcp, &model, json!({"title": "Summer Salad", "body": "Tomatoes and basil", "price": "4.5", "category": "recipes"})).await;
    let entry_id = id(&created, "entryId");
    assert_eq!(created["slug"], "summer-salad");
    assert_eq!(created["uri"], "blog/summer-salad");
    assert_eq!(created["price"], 4.5);
    assert_eq!(created["revision"], 1);
    assert_eq!(created["status"], "live");
    assert_eq!(created["url"], format!("{URL}/{entry_id}"));

    let again = entry(
        &mcp,
        &model,
        json!({"title": "Summer Salad", "body": "another"}),
    )
    .await;
    assert_eq!(
        again["slug"], "summer-salad-2",
        "slugs are unique per section and site"
    );

    let got = mcp.ok("get_entry", json!({"entryId": entry_id})).await;
    assert_eq!(got["title"], "Summer Salad");
    assert_eq!(got["body"], "Tomatoes and basil");
    assert_eq!(got["category"], "recipes");
    assert_eq!(got["related"], Value::Null);
    // Ids as strings are accepted too.
    assert_eq!(
        mcp.ok("get_entry", json!({"entryId": entry_id.to_string()}))
            .await["entryId"],
        entry_id
    );

    let patched = mcp.ok("update_entry", json!({"entryId": entry_id, "attributeAndFieldData": {"price": 5, "related": [again["entryId"]]}})).await;
    assert_eq!(patched["price"], 5);
    assert_eq!(
        patched["body"], "Tomatoes and basil",
        "PATCH keeps what is not given"
    );
    assert_eq!(patched["related"], json!([again["entryId"]]));
    assert_eq!(patched["revision"], 2);
    let cleared = mcp
        .ok(
            "update_entry",
            json!({"entryId": entry_id, "attributeAndFieldData": "{\"price\": null}"}),
        )
        .await;
    assert_eq!(cleared["price"], Value::Null);

    // Errors name the field and the fix.
    let cases = [
        (
            json!({"title": "x", "body": "y", "price": "abc"}),
            "field 'price' expects a number, got \"abc\"",
        ),
        (
            json!({"title": "x", "body": "y", "category": "sport"}),
            "field 'category' expects one of [\"news\", \"recipes\"]",
        ),
        (
            json!({"title": "x", "body": "y", "colour": "red"}),
            "unknown key 'colour'",
        ),
        (json!({"title": "x"}), "required field(s) missing: 'body'"),
        (json!({"body": "y"}), "title is required"),
        (
            json!({"title": "x", "body": "y", "related": [9999]}),
            "field 'related' relates entry 9999, which does not exist",
        ),
        (
            json!({"title": "x", "body": "y", "postDate": "someday"}),
            "postDate expects a date",
        ),
    ];
    for (data, expected) in cases {
        let message = mcp
            .err(
                "create_entry",
                json!({"sectionId": model.section, "attributeAndFieldData": data}),
            )
            .await;
        assert!(message.contains(expected), "{data}: {message}");
    }
    let message = mcp.err("create_entry", json!({"sectionId": model.section, "siteId": 7, "attributeAndFieldData": {"title": "x", "body": "y"}})).await;
    assert_eq!(
        message,
        "siteId 7 does not exist: get_sites lists the sites"
    );
    let message = mcp
        .err(
            "create_entry",
            json!({"attributeAndFieldData": {"title": "x"}}),
        )
        .await;
    assert!(message.contains("sectionId is required"), "{message}");
    let message = mcp
        .err(
            "create_entry",
            json!({"sectionId": 404, "attributeAndFieldData": {"title": "x"}}),
        )
        .await;
    assert!(
        message.contains("sectionId 404 does not exist"),
        "{message}"
    );
    let message = mcp.err("create_entry", json!({"sectionId": "abc"})).await;
    assert!(
        message.contains("sectionId: must be a positive integer"),
        "{message}"
    );
    let message = mcp
        .err(
            "create_entry",
            json!({"sectionId": model.section, "attributeAndFieldData": "{not json"}),
        )
        .await;
    assert!(
        message.contains("attributeAndFieldData: is not valid JSON"),
        "{message}"
    );
    let message = mcp
        .err(
            "update_entry",
            json!({"entryId": entry_id, "attributeAndFieldData": {"price": -1}}),
        )
        .await;
    assert!(
        message.contains("field 'price' must be at least 0"),
        "{message}"
    );
    let message = mcp.err("update_entry", json!({"entryId": entry_id})).await;
    assert!(
        message.contains("attributeAndFieldData is required"),
        "{message}"
    );
    let message = mcp.err("get_entry", json!({"entryId": 4040})).await;
    assert!(message.contains("entryId 4040 does not exist"), "{message}");
    assert_eq!(
        mcp.ok("get_entry", json!({"entryId": entry_id})).await["revision"],
        3,
        "failed writes leave no revision"
    );

    // Trash: not live, not searchable, restorable; an update is refused meanwhile.
    assert_eq!(
        mcp.ok("search_content", json!({"query": "salad"})).await["count"],
        2
    );
    let trashed = mcp.ok("delete_entry", json!({"entryId": entry_id})).await;
    assert_eq!(trashed["permanentlyDeleted"], false);
    assert_eq!(
        mcp.ok("get_entry", json!({"entryId": entry_id})).await["status"],
        "trashed"
    );
    assert_eq!(
        mcp.ok("search_content", json!({"query": "salad"})).await["count"],
        1
    );
    let message = mcp
        .err(
            "update_entry",
            json!({"entryId": entry_id, "attributeAndFieldData": {"price": 1}}),
        )
        .await;
    assert!(message.contains("restore_entry"), "{message}");
    let restored = mcp.ok("restore_entry", json!({"entryId": entry_id})).await;
    assert_eq!(restored["restored"], true);
    assert_eq!(restored["status"], "live");
    assert_eq!(
        mcp.ok("search_content", json!({"query": "salad"})).await["count"],
        2
    );

    let deleted = mcp
        .ok(
            "delete_entry",
            json!({"entryId": entry_id, "permanentlyDelete": true}),
        )
        .await;
    assert_eq!(deleted["permanentlyDeleted"], true);
    assert_eq!(deleted["impact"]["revisions"], 3);
    let message = mcp.err("get_entry", json!({"entryId": entry_id})).await;
    assert!(message.contains("does not exist"), "{message}");
    let message = mcp.err("restore_entry", json!({"entryId": entry_id})).await;
    assert!(message.contains("does not exist"), "{message}");
    assert_eq!(
        mcp.ok("search_content", json!({"query": "salad"})).await["count"],
        1
    );
    mcp.close().await;
}

#[tokio::test]
async fn draft_ids_and_entry_ids_are_told_apart() {
    let env = TestEnv::new();
    let mcp = env.mcp().await;
    let model = model(&mcp).await;
    let live = entry(&mcp, &model, json!({"title": "Live", "body": "b"})).await;
    let entry_id = id(&live, "entryId");
    let draft = mcp
        .ok("create_draft", json!({"canonicalId": entry_id}))
        .await;
    let draft_id = id(&draft, "draftId");
    assert_ne!(draft_id, entry_id);

    let message = mcp
        .err(
            "update_entry",
            json!({"entryId": draft_id, "attributeAndFieldData": {"title": "x"}}),
        )
        .await;
    assert!(
        message.contains("is a draft") && message.contains("use update_draft"),
        "{message}"
    );
    let message = mcp
        .err(
            "update_draft",
            json!({"draftId": entry_id, "attributeAndFieldData": {"title": "x"}}),
        )
        .await;
    assert!(
        message.contains("is a live entry") && message.contains("use update_entry"),
        "{message}"
    );
    let message = mcp.err("delete_entry", json!({"entryId": draft_id})).await;
    assert!(message.contains("use delete_draft"), "{message}");
    let message = mcp.err("delete_draft", json!({"draftId": entry_id})).await;
    assert!(message.contains("use delete_entry"), "{message}");
    let message = mcp.err("apply_draft", json!({"draftId": entry_id})).await;
    assert!(message.contains("is a live entry"), "{message}");
    let message = mcp
        .err("update_draft", json!({"draftId": 9999, "draftName": "x"}))
        .await;
    assert!(message.contains("draftId 9999 does not exist"), "{message}");
    let message = mcp.err("update_draft", json!({"draftId": draft_id})).await;
    assert!(message.contains("nothing to change"), "{message}");
    let message = mcp
        .err("create_draft", json!({"canonicalId": draft_id}))
        .await;
    assert!(message.contains("is a draft"), "{message}");
    mcp.close().await;
}

#[tokio::test]
async fn create_draft_arguments_are_checked() {
    let env = TestEnv::new();
    let mcp = env.mcp().await;
    let model = model(&mcp).await;
    let live = entry(&mcp, &model, json!({"title": "Live", "body": "b"})).await;
    let message = mcp.err("create_draft", json!({"canonicalId": live["entryId"], "sectionId": model.section, "entryTypeId": model.article})).await;
    assert!(
        message.contains("pass either canonicalId") && message.contains("not both"),
        "{message}"
    );
    let message = mcp.err("create_draft", json!({})).await;
    assert!(
        message.contains("pass canonicalId") && message.contains("sectionId + entryTypeId"),
        "{message}"
    );
    let message = mcp
        .err(
            "create_draft",
            json!({"canonicalId": live["entryId"], "siteId": 7}),
        )
        .await;
    assert_eq!(
        message,
        "siteId 7 does not exist: get_sites lists the sites"
    );
    let message = mcp
        .err(
            "create_draft",
            json!({"sectionId": model.section, "entryTypeId": model.article, "siteId": 7}),
        )
        .await;
    assert_eq!(
        message,
        "siteId 7 does not exist: get_sites lists the sites"
    );
    let message = mcp.err("create_draft", json!({"canonicalId": 9999})).await;
    assert!(message.contains("entryId 9999 does not exist"), "{message}");
    let message = mcp
        .err(
            "create_draft",
            json!({"sectionId": 404, "entryTypeId": model.article}),
        )
        .await;
    assert!(
        message.contains("sectionId 404 does not exist"),
        "{message}"
    );
    let message = mcp
        .err(
            "create_draft",
            json!({"sectionId": model.section, "entryTypeId": 404}),
        )
        .await;
    assert!(
        message.contains("entryTypeId 404 does not exist"),
        "{message}"
    );
    let message = mcp
        .err(
            "create_draft",
            json!({"canonicalId": live["entryId"], "attributeAndFieldData": {"price": "abc"}}),
        )
        .await;
    assert_eq!(message, "field 'price' expects a number, got \"abc\"");
    mcp.close().await;
}

/// A strict client fills only the required parameters: create_draft requires none of its
/// two shapes (the schema once required all four ids, and the server then refused that).
#[tokio::test]
async fn create_draft_with_only_canonical_id_or_only_section_and_entry_type_works() {
    let env = TestEnv::new();
    let mcp = env.mcp().await;
    let model = model(&mcp).await;
    let tools = mcp.client.list_all_tools().await.unwrap();
    let create_draft = tools.iter().find(|t| t.name == "create_draft").unwrap();
    assert!(
        create_draft
            .input_schema
            .get("required")
            .is_none_or(|required| required == &json!([])),
        "{:?}",
        create_draft.input_schema
    );
    let live = entry(&mcp, &model, json!({"title": "Live", "body": "b"})).await;
    let of_entry = mcp
        .ok("create_draft", json!({"canonicalId": live["entryId"]}))
        .await;
    assert_eq!(of_entry["canonicalId"], live["entryId"]);
    let from_scratch = mcp
        .ok(
            "create_draft",
            json!({"sectionId": model.section, "entryTypeId": model.article}),
        )
        .await;
    assert_eq!(from_scratch["canonicalId"], Value::Null);
    assert_eq!(from_scratch["sectionId"], model.section);
    mcp.close().await;
}

#[tokio::test]
async fn get_sections_lists_all_with_no_ids_and_with_an_empty_list() {
    let env = TestEnv::new();
    let mcp = env.mcp().await;
    let model = model(&mcp).await;
    let all = mcp.ok("get_sections", json!({})).await;
    assert!(!all.as_array().unwrap().is_empty(), "{all}");
    let empty = mcp.ok("get_sections", json!({"sectionIds": []})).await;
    assert_eq!(empty, all);
    assert!(empty.is_array());
    let one = mcp
        .ok("get_sections", json!({"sectionIds": [model.section]}))
        .await;
    assert_eq!(one.as_array().map(Vec::len), Some(1));
    mcp.close().await;
}

#[tokio::test]
async fn an_unknown_parameter_is_refused_naming_the_valid_ones() {
    let env = TestEnv::new();
    let mcp = env.mcp().await;
    let message = mcp.err("get_sections", json!({"sectionId": 1})).await;
    assert!(
        message.contains("unknown field `sectionId`") && message.contains("sectionIds"),
        "{message}"
    );
    let message = mcp.err("create_draft", json!({"entryId": 1})).await;
    assert!(
        message.contains("`entryId`")
            && message.contains("canonicalId")
            && message.contains("sectionId"),
        "{message}"
    );
    mcp.close().await;
}

#[tokio::test]
async fn a_malformed_id_is_a_tool_error_naming_the_parameter() {
    let env = TestEnv::new();
    let mcp = env.mcp().await;
    let message = mcp.err("create_entry", json!({"sectionId": "abc"})).await;
    assert!(
        message.starts_with("sectionId: must be a positive integer id"),
        "{message}"
    );
    let message = mcp.err("get_entry", json!({})).await;
    assert_eq!(message, "entryId is required");
    mcp.close().await;
}

#[tokio::test]
async fn regular_draft_lifecycle_changes_nothing_live_until_applied() {
    let env = TestEnv::new();
    let mcp = env.mcp().await;
    let model = model(&mcp).await;
    let live = entry(
        &mcp,
        &model,
        json!({"title": "Pancakes", "body": "Flour, eggs, milk", "price": 3}),
    )
    .await;
    let entry_id = id(&live, "entryId");

    let draft = mcp
        .ok("create_draft", json!({"canonicalId": entry_id, "draftNotes": "more sugar", "attributeAndFieldData": {"body": "Flour, eggs, milk, sugar"}}))
        .await;
    let draft_id = id(&draft, "draftId");
    assert_eq!(draft["canonicalId"], entry_id);
    assert_eq!(draft["draftName"], "Draft 1");
    assert_eq!(draft["draftNotes"], "more sugar");
    assert_eq!(draft["provisional"], false);
    assert_eq!(draft["siteId"], 1);
    assert_eq!(
        draft["title"], "Pancakes",
        "the canonical content is the starting point"
    );
    assert_eq!(draft["slug"], "pancakes");
    assert_eq!(draft["url"], format!("{URL}/{entry_id}?draftId={draft_id}"));
    assert_eq!(
        mcp.ok("create_draft", json!({"canonicalId": entry_id}))
            .await["draftName"],
        "Draft 2"
    );

    let read = mcp.ok("get_entry", json!({"entryId": draft_id})).await;
    assert_eq!(read["isDraft"], true);
    assert_eq!(read["body"], "Flour, eggs, milk, sugar");
    assert_eq!(read["price"], 3);
    assert_eq!(read["draftNotes"], "more sugar");
    assert_eq!(read["creator"], "tester");

    let updated = mcp
        .ok("update_draft", json!({"draftId": draft_id, "attributeAndFieldData": {"price": 4}, "draftName": "Sweeter", "draftNotes": "and pricier"}))
        .await;
    assert_eq!(updated["price"], 4);
    assert_eq!(
        updated["body"], "Flour, eggs, milk, sugar",
        "PATCH keeps earlier draft changes"
    );
    assert_eq!(updated["draftName"], "Sweeter");
    assert_eq!(updated["draftNotes"], "and pricier");
    let message = mcp
        .err(
            "update_draft",
            json!({"draftId": draft_id, "attributeAndFieldData": {"price": "lots"}}),
        )
        .await;
    assert_eq!(message, "field 'price' expects a number, got \"lots\"");

    let still = mcp.ok("get_entry", json!({"entryId": entry_id})).await;
    assert_eq!(still["body"], "Flour, eggs, milk");
    assert_eq!(still["revision"], 1);
    let listed = mcp
        .ok("list_drafts", json!({"canonicalId": entry_id}))
        .await;
    assert_eq!(listed["count"], 2);
    assert_eq!(listed["drafts"][0]["draftName"], "Sweeter");

    let applied = mcp.ok("apply_draft", json!({"draftId": draft_id})).await;
    assert_eq!(applied["entryId"], entry_id);
    assert_eq!(applied["revision"], 2);
    assert_eq!(applied["merged"], false);
    assert_eq!(applied["url"], format!("{URL}/{entry_id}"));
    let now_live = mcp.ok("get_entry", json!({"entryId": entry_id})).await;
    assert_eq!(now_live["body"], "Flour, eggs, milk, sugar");
    assert_eq!(now_live["price"], 4);
    let message = mcp.err("apply_draft", json!({"draftId": draft_id})).await;
    assert!(
        message.contains("does not exist"),
        "the applied draft is gone: {message}"
    );
    assert_eq!(
        mcp.ok("list_drafts", json!({"canonicalId": entry_id}))
            .await["count"],
        1
    );

    let other = mcp
        .ok("list_drafts", json!({"canonicalId": entry_id}))
        .await["drafts"][0]["draftId"]
        .clone();
    let deleted = mcp.ok("delete_draft", json!({"draftId": other})).await;
    assert_eq!(deleted["deleted"], true);
    assert_eq!(
        mcp.ok("list_drafts", json!({"canonicalId": entry_id}))
            .await["count"],
        0
    );
    assert_eq!(
        mcp.ok("get_entry", json!({"entryId": entry_id})).await["revision"],
        2
    );
    mcp.close().await;
}

#[tokio::test]
async fn provisional_drafts_are_one_per_entry_and_creator_and_work_like_any_draft() {
    let env = TestEnv::new();
    let mcp = env.mcp().await;
    let model = model(&mcp).await;
    let live = entry(&mcp, &model, json!({"title": "Autosave", "body": "b"})).await;
    let entry_id = id(&live, "entryId");
    let provisional = mcp
        .ok(
            "create_draft",
            json!({"canonicalId": entry_id, "provisional": true}),
        )
        .await;
    assert_eq!(provisional["provisional"], true);
    let draft_id = id(&provisional, "draftId");
    let outcome = mcp
        .call(
            "create_draft",
            json!({"canonicalId": entry_id, "provisional": true}),
        )
        .await;
    assert!(outcome.is_error);
    assert!(
        outcome
            .message()
            .contains("already has a provisional draft"),
        "{}",
        outcome.message()
    );
    assert_eq!(outcome.body["error"]["code"], "conflict");
    assert_eq!(outcome.body["error"]["details"]["draftId"], draft_id);
    // A regular draft next to it is fine.
    mcp.ok("create_draft", json!({"canonicalId": entry_id}))
        .await;
    assert_eq!(
        mcp.ok(
            "list_drafts",
            json!({"canonicalId": entry_id, "provisional": true})
        )
        .await["count"],
        1
    );

    mcp.ok(
        "update_draft",
        json!({"draftId": draft_id, "attributeAndFieldData": {"title": "Autosaved"}}),
    )
    .await;
    let applied = mcp.ok("apply_draft", json!({"draftId": draft_id})).await;
    assert_eq!(applied["title"], "Autosaved");
    // Applied, so another provisional draft may be made.
    mcp.ok(
        "create_draft",
        json!({"canonicalId": entry_id, "provisional": true}),
    )
    .await;
    mcp.close().await;
}

#[tokio::test]
async fn a_draft_from_scratch_stays_unpublished_until_applied() {
    let env = TestEnv::new();
    let mcp = env.mcp().await;
    let model = model(&mcp).await;
    let draft = mcp
        .ok(
            "create_draft",
            json!({"sectionId": model.section, "entryTypeId": model.article, "draftName": "Launch post", "attributeAndFieldData": {"title": "Zeppelin Launch", "body": "Up we go"}}),
        )
        .await;
    let draft_id = id(&draft, "draftId");
    assert_eq!(draft["canonicalId"], Value::Null);
    assert_eq!(draft["url"], format!("{URL}/new?draftId={draft_id}"));
    assert_eq!(
        mcp.ok(
            "search_content",
            json!({"query": "zeppelin", "status": "all"})
        )
        .await["count"],
        0
    );
    assert_eq!(
        mcp.ok("get_entry", json!({"entryId": draft_id})).await["isDraft"],
        true
    );
    assert_eq!(
        mcp.ok("list_drafts", json!({"fromScratch": true})).await["count"],
        1
    );
    // A draft from scratch may be incomplete; applying it enforces required fields.
    let incomplete = mcp
        .ok(
            "create_draft",
            json!({"sectionId": model.section, "entryTypeId": model.article}),
        )
        .await;
    let message = mcp
        .err("apply_draft", json!({"draftId": incomplete["draftId"]}))
        .await;
    assert!(message.contains("title is required"), "{message}");

    let applied = mcp.ok("apply_draft", json!({"draftId": draft_id})).await;
    let entry_id = id(&applied, "entryId");
    assert_ne!(entry_id, draft_id, "the new entry gets its own id");
    assert_eq!(applied["revision"], 1);
    assert_eq!(applied["slug"], "zeppelin-launch");
    assert_eq!(applied["url"], format!("{URL}/{entry_id}"));
    let found = mcp.ok("search_content", json!({"query": "zeppelin"})).await;
    assert_eq!(found["count"], 1);
    assert_eq!(found["results"][0]["entryId"], entry_id);
    mcp.close().await;
}

#[tokio::test]
async fn apply_draft_reports_conflicting_fields_and_writes_nothing() {
    let env = TestEnv::new();
    let mcp = env.mcp().await;
    let model = model(&mcp).await;
    let live = entry(
        &mcp,
        &model,
        json!({"title": "Bread", "body": "Flour and water", "price": 2}),
    )
    .await;
    let entry_id = id(&live, "entryId");
    let draft = mcp.ok("create_draft", json!({"canonicalId": entry_id, "attributeAndFieldData": {"price": 3, "title": "Sourdough"}})).await;
    let draft_id = id(&draft, "draftId");
    mcp.ok("update_entry", json!({"entryId": entry_id, "attributeAndFieldData": {"price": 5, "body": "Flour, water, salt"}})).await;

    let outcome = mcp.call("apply_draft", json!({"draftId": draft_id})).await;
    assert!(outcome.is_error);
    assert_eq!(outcome.body["error"]["code"], "conflict");
    assert_eq!(
        outcome.body["error"]["details"]["conflicts"],
        json!(["price"])
    );
    assert!(
        outcome.message().contains("price changed on both sides"),
        "{}",
        outcome.message()
    );
    let unchanged = mcp.ok("get_entry", json!({"entryId": entry_id})).await;
    assert_eq!(unchanged["revision"], 2, "nothing was written");
    assert_eq!(unchanged["price"], 5);
    assert_eq!(unchanged["title"], "Bread");
    assert_eq!(
        mcp.ok("get_entry", json!({"entryId": draft_id})).await["isDraft"],
        true,
        "the draft stays"
    );

    // Setting the conflicting field in the draft resolves it; the entry's other change comes along.
    let resolved = mcp
        .ok(
            "update_draft",
            json!({"draftId": draft_id, "attributeAndFieldData": {"price": 4}}),
        )
        .await;
    assert_eq!(resolved["rebased"], true);
    assert_eq!(resolved["body"], "Flour, water, salt");
    let applied = mcp.ok("apply_draft", json!({"draftId": draft_id})).await;
    assert_eq!(applied["price"], 4);
    assert_eq!(applied["title"], "Sourdough");
    assert_eq!(applied["body"], "Flour, water, salt");
    assert_eq!(applied["revision"], 3);
    mcp.close().await;
}

#[tokio::test]
async fn apply_draft_merges_changes_made_on_either_side() {
    let env = TestEnv::new();
    let mcp = env.mcp().await;
    let model = model(&mcp).await;
    let live = entry(
        &mcp,
        &model,
        json!({"title": "Soup", "body": "Leeks", "price": 6, "category": "recipes"}),
    )
    .await;
    let entry_id = id(&live, "entryId");
    let draft = mcp.ok("create_draft", json!({"canonicalId": entry_id, "attributeAndFieldData": {"title": "Leek Soup", "category": null}})).await;
    mcp.ok(
        "update_entry",
        json!({"entryId": entry_id, "attributeAndFieldData": {"body": "Leeks and potatoes"}}),
    )
    .await;
    mcp.ok(
        "update_entry",
        json!({"entryId": entry_id, "attributeAndFieldData": {"price": 7}}),
    )
    .await;
    let applied = mcp
        .ok("apply_draft", json!({"draftId": draft["draftId"]}))
        .await;
    assert_eq!(applied["merged"], true);
    assert_eq!(applied["title"], "Leek Soup");
    assert_eq!(
        applied["category"],
        Value::Null,
        "a cleared field merges like a change"
    );
    assert_eq!(applied["body"], "Leeks and potatoes");
    assert_eq!(applied["price"], 7);
    assert_eq!(applied["revision"], 4);
    mcp.close().await;
}

#[tokio::test]
async fn revisions_record_every_write_revert_and_detect_tampering() {
    let env = TestEnv::new();
    let mcp = env.mcp().await;
    let model = model(&mcp).await;
    let live = entry(&mcp, &model, json!({"title": "Tea", "body": "Green"})).await;
    let entry_id = id(&live, "entryId");
    mcp.ok(
        "update_entry",
        json!({"entryId": entry_id, "attributeAndFieldData": {"body": "Black"}}),
    )
    .await;
    let draft = mcp
        .ok(
            "create_draft",
            json!({"canonicalId": entry_id, "attributeAndFieldData": {"body": "Oolong"}}),
        )
        .await;
    mcp.ok("apply_draft", json!({"draftId": draft["draftId"]}))
        .await;

    let history = mcp.ok("list_revisions", json!({"entryId": entry_id})).await;
    assert_eq!(history["count"], 3);
    let actions: Vec<&str> = history["revisions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["action"].as_str().unwrap())
        .collect();
    assert_eq!(actions, ["apply_draft", "update", "create"]);
    assert_eq!(history["revisions"][0]["draftId"], draft["draftId"]);
    assert_eq!(history["revisions"][0]["author"], "tester");
    assert_eq!(history["revisions"][0]["current"], true);

    let first = mcp
        .ok("get_revision", json!({"entryId": entry_id, "revision": 1}))
        .await;
    assert_eq!(first["verified"], true);
    assert_eq!(first["content"]["body"], "Green");
    assert_eq!(first["envelope"]["payload"]["entryId"], entry_id);
    assert!(first["envelope"]["signature"].is_string());
    let message = mcp
        .err("get_revision", json!({"entryId": entry_id, "revision": 9}))
        .await;
    assert!(message.contains("has no revision 9"), "{message}");

    let reverted = mcp
        .ok("revert_entry", json!({"entryId": entry_id, "revision": 1}))
        .await;
    assert_eq!(reverted["body"], "Green");
    assert_eq!(reverted["revision"], 4);
    assert_eq!(reverted["revertedTo"], 1);
    assert_eq!(
        mcp.ok("list_revisions", json!({"entryId": entry_id})).await["revisions"][0]["revertedTo"],
        1
    );
    mcp.close().await;

    // Tamper with revision 2 in the database: reading it is an integrity error.
    let connection = rusqlite::Connection::open(env.data().join("imprint.db")).unwrap();
    let document = format!("entry/{entry_id}/1");
    let envelope: String = connection
        .query_row(
            "SELECT envelope FROM revisions WHERE document = ?1 AND seq = 2",
            [&document],
            |row| row.get(0),
        )
        .unwrap();
    let tampered = envelope.replace("\"Black\"", "\"Decaf\"");
    assert_ne!(tampered, envelope);
    connection
        .execute(
            "UPDATE revisions SET envelope = ?1 WHERE document = ?2 AND seq = 2",
            rusqlite::params![tampered, document],
        )
        .unwrap();
    drop(connection);
    let mcp = env.mcp().await;
    let outcome = mcp
        .call("get_revision", json!({"entryId": entry_id, "revision": 2}))
        .await;
    assert!(outcome.is_error);
    assert_eq!(outcome.body["error"]["code"], "integrity");
    assert!(
        outcome.message().contains("failed verification"),
        "{}",
        outcome.message()
    );
    let message = mcp
        .err("revert_entry", json!({"entryId": entry_id, "revision": 2}))
        .await;
    assert!(message.contains("failed verification"), "{message}");
    assert_eq!(
        mcp.ok("get_revision", json!({"entryId": entry_id, "revision": 3}))
            .await["verified"],
        true
    );
    mcp.close().await;
}

#[tokio::test]
async fn multi_site_entries_have_their_own_content_slugs_and_search() {
    let env = TestEnv::new();
    let mcp = env.mcp().await;
    let model = model(&mcp).await;
    let french = id(
        &mcp.ok(
            "create_site",
            json!({"name": "French", "handle": "fr", "language": "fr-FR"}),
        )
        .await,
        "id",
    );
    // Each site's own content: this section does not copy entries to other sites
    // (craft_replay.rs tests propagation).
    mcp.ok(
        "update_section",
        json!({"sectionId": model.section, "propagationMethod": "none"}),
    )
    .await;
    let english = entry(&mcp, &model, json!({"title": "Cheese", "body": "Cheddar"})).await;
    let entry_id = id(&english, "entryId");

    // The same slug in another site is fine.
    let other = mcp
        .ok("create_entry", json!({"sectionId": model.section, "siteId": french, "attributeAndFieldData": {"title": "Cheese", "body": "Brie"}}))
        .await;
    assert_eq!(other["slug"], "cheese");
    assert_eq!(other["siteId"], french);

    // Add the English entry to the French site through a draft.
    let draft = mcp
        .ok("create_draft", json!({"canonicalId": entry_id, "siteId": french, "attributeAndFieldData": {"title": "Fromage", "body": "Comté"}}))
        .await;
    assert_eq!(draft["siteId"], french);
    let applied = mcp
        .ok("apply_draft", json!({"draftId": draft["draftId"]}))
        .await;
    assert_eq!(applied["siteId"], french);
    assert_eq!(applied["revision"], 1);
    assert_eq!(applied["siteIds"], json!([1, french]));

    let in_french = mcp
        .ok("get_entry", json!({"entryId": entry_id, "siteId": french}))
        .await;
    assert_eq!(in_french["title"], "Fromage");
    let in_english = mcp.ok("get_entry", json!({"entryId": entry_id})).await;
    assert_eq!(in_english["title"], "Cheese");
    assert_eq!(in_english["body"], "Cheddar");

    mcp.ok("update_entry", json!({"entryId": entry_id, "siteId": french, "attributeAndFieldData": {"body": "Roquefort"}})).await;
    assert_eq!(
        mcp.ok("get_entry", json!({"entryId": entry_id})).await["body"],
        "Cheddar",
        "sites are separate"
    );

    let found = mcp
        .ok("search_content", json!({"query": "roquefort"}))
        .await;
    assert_eq!(found["count"], 1);
    assert_eq!(found["results"][0]["siteId"], french);
    assert_eq!(
        mcp.ok("search_content", json!({"query": "cheese", "siteId": 1}))
            .await["count"],
        1
    );
    assert_eq!(
        mcp.ok(
            "search_content",
            json!({"query": "cheese", "siteId": french})
        )
        .await["count"],
        1
    );
    let message = mcp
        .err("search_content", json!({"query": "cheese", "siteId": 99}))
        .await;
    assert!(message.contains("siteId 99 does not exist"), "{message}");
    assert_eq!(
        mcp.ok(
            "list_revisions",
            json!({"entryId": entry_id, "siteId": french})
        )
        .await["count"],
        2
    );
    let message = mcp
        .err(
            "get_entry",
            json!({"entryId": other["entryId"], "siteId": 1}),
        )
        .await;
    assert!(message.contains("does not exist in site 1"), "{message}");

    // A section disabled for a site takes no content there.
    let third = id(
        &mcp.ok(
            "create_site",
            json!({"name": "Dutch", "handle": "nl", "language": "nl-NL"}),
        )
        .await,
        "id",
    );
    mcp.ok(
        "update_section",
        json!({"sectionId": model.section, "siteSettings": [{"siteId": third, "enabled": false}]}),
    )
    .await;
    let message = mcp
        .err("create_entry", json!({"sectionId": model.section, "siteId": third, "attributeAndFieldData": {"title": "Kaas", "body": "Gouda"}}))
        .await;
    assert!(message.contains("not enabled for site"), "{message}");
    let message = mcp
        .err(
            "create_draft",
            json!({"canonicalId": entry_id, "siteId": third}),
        )
        .await;
    assert!(message.contains("not enabled for site"), "{message}");
    mcp.close().await;
}

#[tokio::test]
async fn search_filters_by_status_section_and_limit() {
    let env = TestEnv::new();
    let mcp = env.mcp().await;
    let model = model(&mcp).await;
    entry(
        &mcp,
        &model,
        json!({"title": "Walnut cake", "body": "walnuts"}),
    )
    .await;
    entry(
        &mcp,
        &model,
        json!({"title": "Walnut bread", "body": "walnuts", "postDate": "2999-01-01"}),
    )
    .await;
    entry(&mcp, &model, json!({"title": "Walnut tart", "body": "walnuts", "postDate": "2000-01-01", "expiryDate": "2001-01-01"})).await;
    entry(
        &mcp,
        &model,
        json!({"title": "Walnut pie", "body": "walnuts", "enabled": false}),
    )
    .await;
    let news_type = mcp.ok("create_entry_type", json!({"name": "Note"})).await;
    let news = mcp
        .ok(
            "create_section",
            json!({"name": "News", "entryTypeIds": [news_type["entryTypeId"]]}),
        )
        .await;
    mcp.ok("create_entry", json!({"sectionId": news["sectionId"], "attributeAndFieldData": {"title": "Walnut harvest"}})).await;

    let titles = |value: &Value| -> Vec<String> {
        value["results"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r["title"].as_str().unwrap().to_string())
            .collect()
    };
    let live = mcp.ok("search_content", json!({"query": "walnut"})).await;
    assert_eq!(live["count"], 2);
    for (status, expected) in [
        ("pending", "Walnut bread"),
        ("expired", "Walnut tart"),
        ("disabled", "Walnut pie"),
    ] {
        let found = mcp
            .ok(
                "search_content",
                json!({"query": "walnut", "status": status}),
            )
            .await;
        assert_eq!(titles(&found), [expected], "{status}");
        assert_eq!(found["results"][0]["status"], status);
    }
    assert_eq!(
        mcp.ok(
            "search_content",
            json!({"query": "walnut", "status": "all"})
        )
        .await["count"],
        5
    );
    let in_blog = mcp
        .ok(
            "search_content",
            json!({"query": "walnut", "status": "all", "sectionIds": [model.section]}),
        )
        .await;
    assert_eq!(in_blog["count"], 4);
    assert_eq!(
        mcp.ok(
            "search_content",
            json!({"query": "walnut", "status": "all", "limit": 3})
        )
        .await["count"],
        3
    );
    assert_eq!(
        titles(&mcp.ok("search_content", json!({"query": "harv*"})).await),
        ["Walnut harvest"]
    );
    // Title matches rank above body-only matches.
    entry(
        &mcp,
        &model,
        json!({"title": "Almond cake", "body": "hazelnut hazelnut"}),
    )
    .await;
    entry(
        &mcp,
        &model,
        json!({"title": "Hazelnut cake", "body": "plain"}),
    )
    .await;
    assert_eq!(
        titles(&mcp.ok("search_content", json!({"query": "hazelnut"})).await)[0],
        "Hazelnut cake"
    );
    // FTS syntax in user text is just words.
    assert_eq!(
        mcp.ok("search_content", json!({"query": "walnut OR NEAR(\"x\""}))
            .await["count"],
        0
    );
    let message = mcp
        .err("search_content", json!({"query": "*** \"\""}))
        .await;
    assert!(message.contains("no words to search"), "{message}");
    // An empty query lists the newest entries under the filters (the control panel's listing).
    let listed = mcp.ok("search_content", json!({"query": "  "})).await;
    assert_eq!(listed["ranking"], "newest");
    assert_eq!(titles(&listed)[0], "Hazelnut cake");
    let message = mcp
        .err(
            "search_content",
            json!({"query": "walnut", "status": "archived"}),
        )
        .await;
    assert!(
        message.contains("status \"archived\" is unknown"),
        "{message}"
    );
    let message = mcp
        .err(
            "search_content",
            json!({"query": "walnut", "sectionIds": [404]}),
        )
        .await;
    assert!(
        message.contains("sectionId 404 does not exist"),
        "{message}"
    );
    mcp.close().await;
}

#[tokio::test]
async fn single_sections_have_exactly_one_entry() {
    let env = TestEnv::new();
    let mcp = env.mcp().await;
    let page = mcp.ok("create_entry_type", json!({"name": "Page"})).await;
    let about = mcp
        .ok(
            "create_section",
            json!({"name": "About", "type": "single", "entryTypeIds": [page["entryTypeId"]]}),
        )
        .await;
    let entry_id = id(&about, "entryId");
    assert_eq!(about["siteSettings"][0]["uriFormat"], "about");
    let single = mcp.ok("get_entry", json!({"entryId": entry_id})).await;
    assert_eq!(single["title"], "About");
    assert_eq!(single["uri"], "about");
    let message = mcp
        .err(
            "create_entry",
            json!({"sectionId": about["sectionId"], "attributeAndFieldData": {"title": "Another"}}),
        )
        .await;
    assert!(
        message.contains("is a single") && message.contains(&entry_id.to_string()),
        "{message}"
    );
    let message = mcp
        .err(
            "create_draft",
            json!({"sectionId": about["sectionId"], "entryTypeId": page["entryTypeId"]}),
        )
        .await;
    assert!(message.contains("is a single"), "{message}");
    mcp.ok(
        "update_entry",
        json!({"entryId": entry_id, "attributeAndFieldData": {"title": "About us"}}),
    )
    .await;
    assert_eq!(
        mcp.ok("get_entry", json!({"entryId": entry_id})).await["uri"],
        "about"
    );
    mcp.close().await;
}

#[tokio::test]
async fn deleting_structure_reports_the_impact_and_needs_force() {
    let env = TestEnv::new();
    let mcp = env.mcp().await;
    let model = model(&mcp).await;
    let first = entry(&mcp, &model, json!({"title": "One", "body": "b"})).await;
    mcp.ok(
        "update_entry",
        json!({"entryId": first["entryId"], "attributeAndFieldData": {"body": "c"}}),
    )
    .await;
    mcp.ok("create_draft", json!({"canonicalId": first["entryId"]}))
        .await;

    let body = mcp
        .ok("get_fields", json!({"fieldLayoutId": model.layout}))
        .await[0]["fieldId"]
        .clone();
    let outcome = mcp.call("delete_field", json!({"fieldId": body})).await;
    assert!(outcome.is_error);
    assert_eq!(outcome.body["error"]["details"]["impact"]["entries"], 1);
    let deleted = mcp
        .ok("delete_field", json!({"fieldId": body, "force": true}))
        .await;
    assert_eq!(deleted["removedFromFieldLayoutIds"], json!([model.layout]));
    let after = mcp
        .ok("get_entry", json!({"entryId": first["entryId"]}))
        .await;
    assert!(
        after.get("body").is_none(),
        "a deleted field is no longer shown: {after}"
    );
    assert_eq!(
        mcp.ok("get_fields", json!({"fieldLayoutId": model.layout}))
            .await
            .as_array()
            .map(Vec::len),
        Some(3)
    );

    let outcome = mcp
        .call("delete_section", json!({"sectionId": model.section}))
        .await;
    assert!(outcome.is_error);
    assert_eq!(outcome.body["error"]["code"], "conflict");
    assert_eq!(
        outcome.body["error"]["details"]["impact"],
        json!({"entries": 1, "drafts": 1, "revisions": 2})
    );
    assert!(
        outcome.message().contains("force: true"),
        "{}",
        outcome.message()
    );
    assert_eq!(
        mcp.ok("get_entry", json!({"entryId": first["entryId"]}))
            .await["revision"],
        2,
        "nothing deleted without force"
    );

    let message = mcp
        .err("delete_entry_type", json!({"entryTypeId": model.article}))
        .await;
    assert!(message.contains("only entry type of section"), "{message}");

    let deleted = mcp
        .ok(
            "delete_section",
            json!({"sectionId": model.section, "force": true}),
        )
        .await;
    // Imprint's counts, and the Craft plugin's names for them beside.
    assert_eq!(
        deleted["impact"],
        json!({"entries": 1, "drafts": 1, "revisions": 2, "hasContent": true,
               "entryCount": 1, "draftCount": 1, "revisionCount": 2, "entryTypeCount": 1,
               "entryTypes": [{"id": model.article, "name": "Article", "handle": "article"}]})
    );
    let message = mcp
        .err("get_entry", json!({"entryId": first["entryId"]}))
        .await;
    assert!(message.contains("does not exist"), "{message}");
    assert_eq!(mcp.ok("get_sections", json!({})).await, json!([]));
    assert_eq!(
        mcp.ok("search_content", json!({"query": "one", "status": "all"}))
            .await["count"],
        0
    );
    let gone = mcp
        .ok("delete_entry_type", json!({"entryTypeId": model.article}))
        .await;
    assert_eq!(gone["deleted"], true);
    let message = mcp
        .err("get_field_layout", json!({"fieldLayoutId": model.layout}))
        .await;
    assert!(
        message.contains("does not exist"),
        "the layout went with its entry type: {message}"
    );
    mcp.close().await;
}

#[tokio::test]
async fn entries_drafts_and_revisions_survive_a_restart() {
    let env = TestEnv::new();
    let (entry_id, draft_id, provisional_id, scratch_id) = {
        let mcp = env.mcp().await;
        let model = model(&mcp).await;
        let live = entry(&mcp, &model, json!({"title": "Durable", "body": "kept"})).await;
        let entry_id = id(&live, "entryId");
        mcp.ok(
            "update_entry",
            json!({"entryId": entry_id, "attributeAndFieldData": {"body": "kept twice"}}),
        )
        .await;
        let draft = mcp.ok("create_draft", json!({"canonicalId": entry_id, "draftName": "Persisted", "attributeAndFieldData": {"body": "drafted"}})).await;
        let provisional = mcp
            .ok(
                "create_draft",
                json!({"canonicalId": entry_id, "provisional": true}),
            )
            .await;
        let scratch = mcp.ok("create_draft", json!({"sectionId": model.section, "entryTypeId": model.article, "attributeAndFieldData": {"title": "Later", "body": "b"}})).await;
        mcp.close().await;
        (
            entry_id,
            id(&draft, "draftId"),
            id(&provisional, "draftId"),
            id(&scratch, "draftId"),
        )
    };
    let mcp = env.mcp().await;
    let live = mcp.ok("get_entry", json!({"entryId": entry_id})).await;
    assert_eq!(live["body"], "kept twice");
    assert_eq!(live["revision"], 2);
    let draft = mcp.ok("get_entry", json!({"entryId": draft_id})).await;
    assert_eq!(draft["draftName"], "Persisted");
    assert_eq!(draft["body"], "drafted");
    assert_eq!(
        mcp.ok("list_drafts", json!({"canonicalId": entry_id}))
            .await["count"],
        2
    );
    assert_eq!(
        mcp.ok("list_revisions", json!({"entryId": entry_id})).await["count"],
        2
    );
    let message = mcp
        .err(
            "create_draft",
            json!({"canonicalId": entry_id, "provisional": true}),
        )
        .await;
    assert!(message.contains(&provisional_id.to_string()), "{message}");
    mcp.ok("apply_draft", json!({"draftId": draft_id})).await;
    let applied = mcp.ok("apply_draft", json!({"draftId": scratch_id})).await;
    assert!(
        id(&applied, "entryId") > scratch_id,
        "ids keep increasing across restarts"
    );
    assert_eq!(
        mcp.ok("get_entry", json!({"entryId": entry_id})).await["body"],
        "drafted"
    );
    mcp.close().await;
}

/// The refusals whose next steps became data (issue 14): over MCP each reads exactly as it
/// always did, byte for byte (the old systems' prompts know these texts); the CLI names its
/// commands instead.
#[tokio::test]
async fn refusals_with_steps_keep_their_old_texts_over_mcp() {
    let env = TestEnv::new();
    let mcp = env.mcp().await;
    let model = model(&mcp).await;
    let live = entry(&mcp, &model, json!({"title": "Live", "body": "b"})).await;
    let entry_id = id(&live, "entryId");
    let draft = mcp
        .ok(
            "create_draft",
            json!({"canonicalId": entry_id, "draftName": "Mine"}),
        )
        .await;
    let draft_id = id(&draft, "draftId");
    let expected = [
        (
            "update_entry",
            json!({"entryId": draft_id, "attributeAndFieldData": {"title": "x"}}),
            format!("{draft_id} is a draft (Mine), not a live entry: use update_draft with draftId {draft_id}"),
        ),
        (
            "list_revisions",
            json!({"entryId": draft_id}),
            format!("{draft_id} is a draft (Mine), not a live entry: use get_entry (drafts have no revisions until applied) with draftId {draft_id}"),
        ),
        (
            "delete_draft",
            json!({"draftId": entry_id}),
            format!("{entry_id} is a live entry, not a draft: use delete_entry with entryId {entry_id}, or create_draft with canonicalId {entry_id} to draft changes"),
        ),
        (
            "get_sections",
            json!({"sectionIds": [999]}),
            "sectionId 999 does not exist: call get_sections without sectionIds to list them all".to_string(),
        ),
        (
            "get_entry_types",
            json!({"entryTypeIds": [999]}),
            "entryTypeId 999 does not exist: call get_entry_types without entryTypeIds to list them all".to_string(),
        ),
        (
            "create_section",
            json!({"name": "Other", "type": "channel", "entryTypeIds": [999]}),
            "entryTypeId 999 does not exist: get_entry_types lists them, create_entry_type makes one".to_string(),
        ),
        (
            "create_section",
            json!({"name": "Blog", "type": "channel", "entryTypeIds": [model.article]}),
            format!("handle 'blog' is taken by section {}: choose another handle (get_sections lists them)", model.section),
        ),
        (
            "create_entry",
            json!({"sectionId": 999, "attributeAndFieldData": {"title": "x"}}),
            "sectionId 999 does not exist: get_sections lists the sections".to_string(),
        ),
        (
            "create_entry",
            json!({"sectionId": model.section, "siteId": 999, "attributeAndFieldData": {"title": "x"}}),
            "siteId 999 does not exist: get_sites lists the sites".to_string(),
        ),
        (
            "get_field_layout",
            json!({"fieldLayoutId": 999}),
            "fieldLayoutId 999 does not exist: get_entry_types shows each entry type's fieldLayoutId".to_string(),
        ),
        (
            "update_field",
            json!({"fieldId": 999, "name": "x"}),
            "fieldId 999 does not exist: get_fields lists the fields".to_string(),
        ),
        (
            "get_revision",
            json!({"entryId": entry_id, "revision": 99}),
            format!("entry {entry_id} has no revision 99 in site 1: list_revisions lists them"),
        ),
        (
            "delete_entry_type",
            json!({"entryTypeId": model.article}),
            format!("entry type 'article' is the only entry type of section 'blog' (sectionId {}): give the section another entry type first (update_section) or delete the section", model.section),
        ),
    ];
    for (tool, arguments, text) in expected {
        assert_eq!(
            mcp.err(tool, arguments.clone()).await,
            text,
            "{tool} {arguments}"
        );
    }
    mcp.ok("delete_entry", json!({"entryId": entry_id})).await;
    assert_eq!(
        mcp.err(
            "update_entry",
            json!({"entryId": entry_id, "attributeAndFieldData": {"title": "x"}})
        )
        .await,
        format!("entry {entry_id} is in the trash: restore_entry first")
    );
    mcp.close().await;
}

/// Answers whose next steps became data: MCP's message is the one it always was, and the
/// steps are in `next`.
#[tokio::test]
async fn answers_with_steps_keep_their_old_messages_over_mcp() {
    let env = TestEnv::new();
    let mcp = env.mcp().await;
    let model = model(&mcp).await;
    let live = entry(&mcp, &model, json!({"title": "Salad days", "body": "b"})).await;
    let entry_id = id(&live, "entryId");
    let found = mcp.ok("search_content", json!({"query": "salad"})).await;
    assert_eq!(
        found["message"],
        "best matches first; get_entry reads one, and each url opens it in the control panel"
    );
    assert_eq!(found["next"][0]["step"], "get_entry");
    assert_eq!(found["next"][0]["entry_id"], entry_id);
    let none = mcp.ok("search_content", json!({"query": "nothing"})).await;
    assert_eq!(none["next"], json!([]));
    let revisions = mcp.ok("list_revisions", json!({"entryId": entry_id})).await;
    assert_eq!(
        revisions["message"],
        "newest first; get_revision shows one (verified), revert_entry makes an old one current again"
    );
    assert_eq!(revisions["next"][1]["step"], "revert_entry");
    let never = mcp
        .read("config://claude-desktop/default/deployed")
        .await
        .unwrap();
    assert_eq!(
        never["message"],
        "never deployed: deploy_config writes the latest artifact into the client's file"
    );
    assert_eq!(never["next"][0]["step"], "deploy");
    mcp.close().await;
}
