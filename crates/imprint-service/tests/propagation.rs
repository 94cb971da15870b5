//! Multi-site propagation (issue 15): every `propagationMethod` on create, update and
//! apply_draft, and translation methods deciding what an edit overwrites in other sites.
//!
//! Four sites, in two groups and two languages:
//!
//! | site | language | group    |
//! |------|----------|----------|
//! | 1    | en-US    | americas |
//! | 2    | en-US    | europe   |
//! | 3    | fr-FR    | americas |
//! | 4    | de-DE    | europe   |

use imprint_service::Service;
use serde::de::DeserializeOwned;
use serde_json::{Value, json};

fn req<T: DeserializeOwned>(value: Value) -> T {
    serde_json::from_value(value).expect("a valid request")
}

fn val(answer: impl serde::Serialize) -> Value {
    serde_json::to_value(answer).unwrap()
}

/// Four sites as in the table above.
fn sites(service: &Service) {
    service
        .update_site(req(json!({"siteId": 1, "group": "americas"})))
        .unwrap();
    for (name, language, group) in [
        ("Second", "en-US", "europe"),
        ("French", "fr-FR", "americas"),
        ("German", "de-DE", "europe"),
    ] {
        service
            .create_site(req(
                json!({"name": name, "language": language, "group": group}),
            ))
            .unwrap();
    }
}

/// An entry type (title translated as `title`) with fields `shared` (translationMethod
/// none) and `local` (site), and the ids of both fields.
fn entry_type(service: &Service, handle: &str, title: &str) -> i64 {
    let mut ids = Vec::new();
    for (field, method) in [("shared", "none"), ("local", "site")] {
        let name = format!("{handle}_{field}");
        let created = service
            .create_field(req(json!({"type": "PlainText", "name": name, "handle": name, "translationMethod": method})))
            .unwrap();
        ids.push(created.field.field_id);
    }
    layout(service, handle, title, &ids)
}

fn layout(service: &Service, handle: &str, title: &str, field_ids: &[i64]) -> i64 {
    let created = service
        .create_entry_type(req(
            json!({"name": handle, "handle": handle, "titleTranslationMethod": title}),
        ))
        .unwrap();
    let view = val(&created);
    let mut elements = vec![json!({"type": "title"})];
    elements.extend(
        field_ids
            .iter()
            .map(|id| json!({"type": "CustomField", "fieldId": id})),
    );
    service
        .update_field_layout(req(json!({
            "fieldLayoutId": view["fieldLayoutId"],
            "tabs": [{"name": "Content", "elements": elements}],
        })))
        .unwrap();
    view["entryTypeId"].as_i64().unwrap()
}

fn section(service: &Service, handle: &str, method: &str, entry_type_id: i64) -> i64 {
    let created = service
        .create_section(req(json!({
            "name": handle, "handle": handle, "type": "channel",
            "entryTypeIds": [entry_type_id], "propagationMethod": method,
        })))
        .unwrap();
    val(&created)["sectionId"].as_i64().unwrap()
}

/// The entry in a site (`None` when it is not there).
fn in_site(service: &Service, entry_id: i64, site_id: i64) -> Option<Value> {
    service
        .get_entry(req(json!({"entryId": entry_id, "siteId": site_id})))
        .ok()
        .map(val)
}

fn sites_of(service: &Service, entry_id: i64) -> Vec<i64> {
    (1..=4)
        .filter(|site| in_site(service, entry_id, *site).is_some())
        .collect()
}

fn revisions(service: &Service, entry_id: i64, site_id: i64) -> usize {
    let list = service
        .list_revisions(req(json!({"entryId": entry_id, "siteId": site_id})))
        .unwrap();
    val(list)["revisions"].as_array().unwrap().len()
}

#[test]
fn each_propagation_method_reaches_its_sites_on_create_update_and_apply_draft() {
    let (_dir, service) = imprint_test_support::service();
    sites(&service);
    let cases: [(&str, &[i64]); 5] = [
        ("all", &[1, 2, 3, 4]),
        ("siteGroup", &[1, 3]),
        ("language", &[1, 2]),
        ("custom", &[1, 4]),
        ("none", &[1]),
    ];
    for (method, expected) in cases {
        let handle = method.to_ascii_lowercase();
        let type_id = entry_type(&service, &handle, "site");
        let section_id = section(&service, &handle, method, type_id);
        let (shared, local) = (format!("{handle}_shared"), format!("{handle}_local"));

        // create: the saved site and its copies, each with revision 1.
        let mut create = json!({
            "sectionId": section_id, "siteId": 1,
            "attributeAndFieldData": {"title": "One", shared.clone(): "s1", local.clone(): "l1"},
        });
        if method == "custom" {
            create["siteIds"] = json!([4]);
        }
        let created = val(service.create_entry(req(create)).unwrap());
        let id = created["entryId"].as_i64().unwrap();
        assert_eq!(sites_of(&service, id), expected, "{method}: create");
        for site in expected {
            let entry = in_site(&service, id, *site).unwrap();
            assert_eq!(
                (&entry["title"], &entry[&shared], &entry[&local]),
                (&json!("One"), &json!("s1"), &json!("l1")),
                "{method}: a new site gets the whole content"
            );
            assert_eq!(revisions(&service, id, *site), 1, "{method}: site {site}");
        }
        if expected.len() > 1 {
            assert!(
                created["message"]
                    .as_str()
                    .unwrap()
                    .contains("propagated to site(s)")
            );
        }

        // update in site 1: the shared field reaches the copies; title and local stay.
        service
            .update_entry(req(json!({
                "entryId": id, "siteId": 1,
                "attributeAndFieldData": {"title": "Two", shared.clone(): "s2", local.clone(): "l2"},
            })))
            .unwrap();
        for site in expected {
            let entry = in_site(&service, id, *site).unwrap();
            let (title, local_value) = if *site == 1 {
                ("Two", "l2")
            } else {
                ("One", "l1")
            };
            assert_eq!(
                (&entry["title"], &entry[&shared], &entry[&local]),
                (&json!(title), &json!("s2"), &json!(local_value)),
                "{method}: update, site {site}"
            );
            assert_eq!(revisions(&service, id, *site), 2, "{method}: site {site}");
        }
        assert_eq!(
            sites_of(&service, id),
            expected,
            "{method}: update adds no site"
        );

        // apply_draft of the entry in site 1: the same rule.
        let draft = val(service
            .create_draft(req(json!({
                "canonicalId": id, "siteId": 1,
                "attributeAndFieldData": {shared.clone(): "s3"},
            })))
            .unwrap());
        service
            .apply_draft(req(json!({"draftId": draft["draftId"]})))
            .unwrap();
        for site in expected {
            let entry = in_site(&service, id, *site).unwrap();
            assert_eq!(
                entry[&shared],
                json!("s3"),
                "{method}: apply_draft, site {site}"
            );
            assert_eq!(revisions(&service, id, *site), 3, "{method}: site {site}");
        }

        // apply_draft of a draft from scratch makes a new entry, propagated like create.
        let fresh = val(service
            .create_draft(req(json!({
                "sectionId": section_id, "entryTypeId": type_id, "siteId": 1,
                "attributeAndFieldData": {"title": "Fresh", shared.clone(): "f"},
            })))
            .unwrap());
        let applied = val(service
            .apply_draft(req(json!({"draftId": fresh["draftId"]})))
            .unwrap());
        let fresh_id = applied["entryId"].as_i64().unwrap();
        let expected_fresh: &[i64] = if method == "custom" { &[1] } else { expected };
        assert_eq!(
            sites_of(&service, fresh_id),
            expected_fresh,
            "{method}: applied from scratch"
        );
    }
}

#[test]
fn custom_propagation_saves_to_the_sites_each_entry_chooses() {
    let (_dir, service) = imprint_test_support::service();
    sites(&service);
    let type_id = entry_type(&service, "page", "site");
    let custom = section(&service, "custom", "custom", type_id);
    let created = val(service
        .create_entry(req(
            json!({"sectionId": custom, "attributeAndFieldData": {"title": "A"}}),
        ))
        .unwrap());
    let id = created["entryId"].as_i64().unwrap();
    assert_eq!(
        sites_of(&service, id),
        [1],
        "no siteIds: only the site saved"
    );
    service
        .update_entry(req(
            json!({"entryId": id, "siteIds": [3], "attributeAndFieldData": {}}),
        ))
        .unwrap();
    assert_eq!(
        sites_of(&service, id),
        [1, 3],
        "update_entry siteIds adds a site"
    );
    service
        .update_entry(req(
            json!({"entryId": id, "attributeAndFieldData": {"page_shared": "x"}}),
        ))
        .unwrap();
    assert_eq!(in_site(&service, id, 3).unwrap()["page_shared"], json!("x"));
    assert_eq!(sites_of(&service, id), [1, 3], "custom is not all");

    // siteIds in a section that decides its sites itself is refused, naming the fix.
    let all = section(&service, "everywhere", "all", type_id);
    let error = service
        .create_entry(req(
            json!({"sectionId": all, "siteIds": [2], "attributeAndFieldData": {"title": "B"}}),
        ))
        .unwrap_err();
    assert!(
        error.message().contains("propagationMethod \"custom\""),
        "{}",
        error.message()
    );
    let error = service
        .create_entry(req(
            json!({"sectionId": custom, "siteIds": [99], "attributeAndFieldData": {"title": "B"}}),
        ))
        .unwrap_err();
    assert!(error.message().contains("siteId 99"), "{}", error.message());
}

#[test]
fn translation_methods_decide_which_sites_an_edit_overwrites() {
    let (_dir, service) = imprint_test_support::service();
    sites(&service);
    let mut ids = Vec::new();
    for (handle, method, format) in [
        ("f_none", "none", None),
        ("f_site", "site", None),
        ("f_language", "language", None),
        ("f_group", "siteGroup", None),
        ("f_custom", "custom", Some("{site.group}")),
    ] {
        let mut field = json!({"type": "PlainText", "name": handle, "handle": handle, "translationMethod": method});
        if let Some(format) = format {
            field["translationKeyFormat"] = json!(format);
        }
        ids.push(service.create_field(req(field)).unwrap().field.field_id);
    }
    let type_id = layout(&service, "story", "language", &ids);
    let section_id = section(&service, "stories", "all", type_id);
    let handles = ["f_none", "f_site", "f_language", "f_group", "f_custom"];
    let mut data = json!({"title": "old"});
    for handle in handles {
        data[handle] = json!("old");
    }
    let created = val(service
        .create_entry(req(
            json!({"sectionId": section_id, "siteId": 1, "attributeAndFieldData": data}),
        ))
        .unwrap());
    let id = created["entryId"].as_i64().unwrap();
    let mut edit = json!({"title": "new"});
    for handle in handles {
        edit[handle] = json!("new");
    }
    service
        .update_entry(req(
            json!({"entryId": id, "siteId": 1, "attributeAndFieldData": edit}),
        ))
        .unwrap();
    // Which sites see "new" for each value (the title is translated by language).
    let expected: [(&str, &[i64]); 6] = [
        ("title", &[1, 2]),
        ("f_none", &[1, 2, 3, 4]),
        ("f_site", &[1]),
        ("f_language", &[1, 2]),
        ("f_group", &[1, 3]),
        ("f_custom", &[1, 3]),
    ];
    for (key, new_in) in expected {
        let got: Vec<i64> = (1..=4)
            .filter(|site| in_site(&service, id, *site).unwrap()[key] == json!("new"))
            .collect();
        assert_eq!(got, new_in, "{key}");
    }
    // Site 4 shares only the `none` field with site 1: one new revision; a save that
    // changes nothing another site shares writes no revision there.
    assert_eq!(revisions(&service, id, 4), 2);
    service
        .update_entry(req(
            json!({"entryId": id, "siteId": 1, "attributeAndFieldData": {"f_site": "mine"}}),
        ))
        .unwrap();
    assert_eq!(revisions(&service, id, 1), 3);
    assert_eq!(revisions(&service, id, 4), 2);

    // custom needs a key format, and a format names known tokens only.
    let error = service
        .create_field(req(
            json!({"type": "PlainText", "name": "x", "translationMethod": "custom"}),
        ))
        .unwrap_err();
    assert!(
        error.message().contains("translationKeyFormat"),
        "{}",
        error.message()
    );
    let error = service
        .create_field(req(json!({"type": "PlainText", "name": "y", "translationMethod": "custom", "translationKeyFormat": "{site.country}"})))
        .unwrap_err();
    assert!(
        error.message().contains("{site.group}"),
        "{}",
        error.message()
    );
}
