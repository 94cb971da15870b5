//! The content answers are typed, but their JSON is a contract models and scripts read:
//! these pin the keys, in order, of the shapes that compose (a view flattened into an
//! answer, keys present only sometimes).

use imprint_service::Service;
use imprint_service::api::{Flag, Id, IdList};
use imprint_service::content::{
    CreateDraft, CreateEntry, CreateEntryType, CreateField, CreateSection, DeleteEntry, GetEntry,
    ObjectList, UpdateFieldLayout,
};
use serde_json::{Value, json};

fn service() -> (tempfile::TempDir, Service) {
    imprint_test_support::service()
}

fn keys(answer: impl serde::Serialize) -> Vec<String> {
    match serde_json::to_value(answer).unwrap() {
        Value::Object(map) => map.keys().cloned().collect(),
        other => panic!("not an object: {other}"),
    }
}

const ENTRY: &[&str] = &[
    "entryId",
    "id",
    "siteId",
    "sectionId",
    "entryTypeId",
    "uri",
    "status",
    "author",
    "authorId",
    "authorIds",
    "dateCreated",
    "dateUpdated",
    "revision",
    "trashed",
    "siteIds",
    "isDraft",
    "title",
    "slug",
    "postDate",
    "expiryDate",
    "enabled",
    "body",
    "url",
];

const DRAFT: &[&str] = &[
    "draftId",
    "id",
    "isDraft",
    "canonicalId",
    "entryId",
    "siteId",
    "sectionId",
    "entryTypeId",
    "draftName",
    "draftNotes",
    "provisional",
    "creator",
    "baseRevision",
    "draftVersion",
    "status",
    "dateCreated",
    "dateUpdated",
    "title",
    "slug",
    "postDate",
    "expiryDate",
    "enabled",
    "body",
    "url",
];

fn with(view: &[&str], extra: &[&str]) -> Vec<String> {
    view.iter().chain(extra).map(|k| k.to_string()).collect()
}

#[test]
fn answers_keep_their_keys_in_order() {
    let (_dir, service) = service();
    let field = service
        .create_field(CreateField {
            field_type: "PlainText".into(),
            name: "Body".into(),
            ..Default::default()
        })
        .unwrap();
    assert_eq!(
        keys(&field),
        [
            "fieldId",
            "id",
            "name",
            "handle",
            "type",
            "typeName",
            "instructions",
            "searchable",
            "settings",
            "translationMethod",
            "translationKeyFormat",
            "editUrl",
            "message",
            "next"
        ]
    );
    let entry_type = service
        .create_entry_type(CreateEntryType {
            name: "Article".into(),
            ..Default::default()
        })
        .unwrap()
        .entry_type;
    service
        .update_field_layout(UpdateFieldLayout {
            field_layout_id: Id(entry_type.field_layout_id),
            tabs: ObjectList(json!([{"name": "Content", "elements": [
                {"type": "title"},
                {"type": "CustomField", "fieldId": field.field.field_id}
            ]}])),
        })
        .unwrap();
    let section_keys = |single: bool| {
        let mut expected = vec![
            "sectionId",
            "id",
            "name",
            "handle",
            "type",
            "entryTypes",
            "entryTypeIds",
            "siteSettings",
            "maxLevels",
            "enableVersioning",
            "propagationMethod",
            "defaultPlacement",
            "maxAuthors",
            "editUrl",
            "message",
            "next",
        ];
        if single {
            expected.push("entryId");
        }
        expected
    };
    let blog = service
        .create_section(CreateSection {
            name: "Blog".into(),
            entry_type_ids: IdList(vec![Id(entry_type.entry_type_id)]),
            ..Default::default()
        })
        .unwrap();
    assert_eq!(keys(&blog), section_keys(false));
    let home = service
        .create_section(CreateSection {
            name: "Home".into(),
            kind: Some("single".into()),
            entry_type_ids: IdList(vec![Id(entry_type.entry_type_id)]),
            ..Default::default()
        })
        .unwrap();
    assert_eq!(keys(&home), section_keys(true));

    let created = service
        .create_entry(CreateEntry {
            section_id: Id(blog.section.section_id),
            entry_type_id: None,
            site_id: None,
            attribute_and_field_data: Some(imprint_service::api::JsonObject(
                json!({"title": "Hello", "body": "text"})
                    .as_object()
                    .cloned()
                    .unwrap(),
            )),
            site_ids: None,
        })
        .unwrap();
    assert_eq!(keys(&created), with(ENTRY, &["artifactId", "message"]));
    let entry_id = created.entry.entry_id;

    let draft = service
        .create_draft(CreateDraft {
            canonical_id: Some(Id(entry_id)),
            ..Default::default()
        })
        .unwrap();
    assert_eq!(keys(&draft), with(DRAFT, &["message", "next"]));
    let read = service
        .get_entry(GetEntry {
            entry_id: Id(draft.draft.draft_id),
            site_id: None,
        })
        .unwrap();
    assert_eq!(keys(&read), with(DRAFT, &[]));

    let trashed = service
        .delete_entry(DeleteEntry {
            entry_id: Id(entry_id),
            permanently_delete: None,
        })
        .unwrap();
    assert_eq!(
        keys(&trashed),
        [
            "entryId",
            "deleted",
            "permanentlyDeleted",
            "deletedPermanently",
            "restoreUrl",
            "message"
        ]
    );
    let gone = service
        .delete_entry(DeleteEntry {
            entry_id: Id(entry_id),
            permanently_delete: Some(Flag(true)),
        })
        .unwrap();
    assert_eq!(
        keys(&gone),
        [
            "entryId",
            "deleted",
            "permanentlyDeleted",
            "impact",
            "deletedPermanently",
            "restoreUrl",
            "message"
        ]
    );
}
