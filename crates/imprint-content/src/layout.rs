//! Field layouts: tabs of elements — the native title, custom fields (by `fieldId`) and
//! UI elements (headings, tips, rules, markdown).
//!
//! Updates have replace semantics: the tabs given become the layout. An element given
//! with the `uid` of an element already in the layout is that element (its settings
//! carry over, the keys given overlay them), so a model can reorder or move elements by
//! listing their uids; an element without `uid` is new and gets one.
//!
//! Frozen format: the JSON of [`Layout`] (`tabs[].elements[]` with `uid`, `type`,
//! `attribute`, `fieldId`, …) is what `get_field_layout` returns and what is stored.

use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::{ContentError, ContentResult, Step, show};

/// The element type of an entry layout (`create_field_layout(type)`).
pub const ENTRY_LAYOUT_TYPE: &str = "craft\\elements\\Entry";

pub const TITLE_ELEMENT: &str = "craft\\fieldlayoutelements\\entries\\EntryTitleField";
pub const CUSTOM_FIELD_ELEMENT: &str = "craft\\fieldlayoutelements\\CustomField";

/// Every element type, with the short names accepted for it.
const ELEMENT_TYPES: &[(&str, &[&str])] = &[
    (TITLE_ELEMENT, &["EntryTitleField", "TitleField", "title"]),
    (CUSTOM_FIELD_ELEMENT, &["CustomField", "field"]),
    ("craft\\fieldlayoutelements\\Heading", &["Heading"]),
    ("craft\\fieldlayoutelements\\Tip", &["Tip", "Warning"]),
    (
        "craft\\fieldlayoutelements\\HorizontalRule",
        &["HorizontalRule", "hr"],
    ),
    ("craft\\fieldlayoutelements\\LineBreak", &["LineBreak"]),
    ("craft\\fieldlayoutelements\\Markdown", &["Markdown"]),
];

/// Keys an element may carry besides `uid` and `type`.
const ELEMENT_KEYS: &[&str] = &[
    "attribute",
    "fieldId",
    "required",
    "label",
    "instructions",
    "width",
    "heading",
    "tip",
    "style",
    "content",
    "warning",
];

/// Keys `get_field_layout` reports on every element (null when unset), as the Craft
/// plugin did, so a layout read can be written back unchanged.
pub const REPORTED_KEYS: &[&str] = &[
    "uid",
    "type",
    "attribute",
    "fieldId",
    "required",
    "label",
    "instructions",
    "width",
    "heading",
    "tip",
    "warning",
    "style",
    "content",
    "mandatory",
    "requirable",
    "translatable",
];

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
pub struct Layout {
    pub tabs: Vec<Tab>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Tab {
    pub uid: String,
    pub name: String,
    pub elements: Vec<Element>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Element {
    pub uid: String,
    #[serde(rename = "type")]
    pub kind: String,
    /// `"title"` for the native title element.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub attribute: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub field_id: Option<i64>,
    #[serde(default)]
    pub required: bool,
    /// Everything else (label, instructions, width, heading, tip, style, content).
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

impl Element {
    pub fn is_title(&self) -> bool {
        self.kind == TITLE_ELEMENT
    }
}

impl Layout {
    /// A new layout: one "Content" tab holding the native title.
    pub fn new_default(new_uid: &mut dyn FnMut() -> String) -> Self {
        Layout {
            tabs: vec![Tab {
                uid: new_uid(),
                name: "Content".into(),
                elements: vec![Element {
                    uid: new_uid(),
                    kind: TITLE_ELEMENT.into(),
                    attribute: Some("title".into()),
                    field_id: None,
                    required: true,
                    extra: Map::new(),
                }],
            }],
        }
    }

    pub fn elements(&self) -> impl Iterator<Item = &Element> {
        self.tabs.iter().flat_map(|tab| tab.elements.iter())
    }

    /// Custom field ids in layout order.
    pub fn field_ids(&self) -> Vec<i64> {
        self.elements().filter_map(|e| e.field_id).collect()
    }

    /// Whether the custom field `field_id` is required in this layout.
    pub fn is_required(&self, field_id: i64) -> bool {
        self.elements()
            .any(|e| e.field_id == Some(field_id) && e.required)
    }

    pub fn has_title(&self) -> bool {
        self.elements().any(Element::is_title)
    }

    /// Removes every element for `field_id` (the field was deleted).
    pub fn remove_field(&mut self, field_id: i64) -> bool {
        let mut removed = false;
        for tab in &mut self.tabs {
            let before = tab.elements.len();
            tab.elements.retain(|e| e.field_id != Some(field_id));
            removed |= tab.elements.len() != before;
        }
        removed
    }

    /// The layout that `tabs` (as given to `update_field_layout`) describes, reusing
    /// this layout's elements and tabs by uid.
    pub fn replaced_by(
        &self,
        tabs: &Value,
        new_uid: &mut dyn FnMut() -> String,
    ) -> ContentResult<Layout> {
        let tabs = tabs.as_array().ok_or_else(|| {
            ContentError::new(format!(
                "tabs must be an array like [{{\"name\": \"Content\", \"elements\": [{{\"type\": \"title\"}}, {{\"type\": \"CustomField\", \"fieldId\": 3}}]}}], got {}",
                show(tabs)
            ))
        })?;
        let old_elements: BTreeMap<&str, &Element> =
            self.elements().map(|e| (e.uid.as_str(), e)).collect();
        let old_tabs: BTreeSet<&str> = self.tabs.iter().map(|t| t.uid.as_str()).collect();
        let mut used_uids = BTreeSet::new();
        let mut layout = Layout::default();
        for (tab_index, tab) in tabs.iter().enumerate() {
            let where_tab = format!("tabs[{tab_index}]");
            let tab = tab.as_object().ok_or_else(|| {
                ContentError::new(format!(
                    "{where_tab} must be an object with name and elements"
                ))
            })?;
            let name = tab
                .get("name")
                .and_then(Value::as_str)
                .map(str::trim)
                .filter(|n| !n.is_empty())
                .ok_or_else(|| {
                    ContentError::new(format!("{where_tab}.name is required (e.g. \"Content\")"))
                })?;
            let uid = match tab.get("uid").and_then(Value::as_str) {
                Some(uid) if old_tabs.contains(uid) => uid.to_string(),
                Some(uid) => {
                    return Err(ContentError::new(format!(
                        "{where_tab}.uid \"{uid}\" is not a tab of this layout: omit uid to add a new tab"
                    )));
                }
                None => new_uid(),
            };
            if !used_uids.insert(uid.clone()) {
                return Err(ContentError::new(format!(
                    "{where_tab}.uid \"{uid}\" is used twice"
                )));
            }
            let elements = match tab.get("elements") {
                None | Some(Value::Null) => Vec::new(),
                Some(Value::Array(items)) => items.clone(),
                Some(other) => {
                    return Err(ContentError::new(format!(
                        "{where_tab}.elements must be an array, got {}",
                        show(other)
                    )));
                }
            };
            let mut out = Vec::with_capacity(elements.len());
            for (index, element) in elements.iter().enumerate() {
                let where_element = format!("{where_tab}.elements[{index}]");
                let element = parse_element(&where_element, element, &old_elements, new_uid)?;
                if !used_uids.insert(element.uid.clone()) {
                    return Err(ContentError::new(format!(
                        "{where_element}.uid \"{}\" is used twice",
                        element.uid
                    )));
                }
                out.push(element);
            }
            layout.tabs.push(Tab {
                uid,
                name: name.to_string(),
                elements: out,
            });
        }
        layout.check()?;
        Ok(layout)
    }

    /// At most one title element; each custom field at most once.
    pub fn check(&self) -> ContentResult<()> {
        if self.elements().filter(|e| e.is_title()).count() > 1 {
            return Err(ContentError::new(
                "a layout holds the title element at most once",
            ));
        }
        let mut seen = BTreeSet::new();
        for id in self.field_ids() {
            if !seen.insert(id) {
                return Err(ContentError::new(format!(
                    "field {id} appears twice in the layout: a field can be placed once"
                )));
            }
        }
        Ok(())
    }
}

fn element_type(name: &str) -> Option<&'static str> {
    let wanted = name
        .trim()
        .replace("\\\\", "\\")
        .trim_start_matches('\\')
        .to_ascii_lowercase();
    ELEMENT_TYPES.iter().find_map(|(class, aliases)| {
        (class.to_ascii_lowercase() == wanted
            || aliases.iter().any(|a| a.to_ascii_lowercase() == wanted))
        .then_some(*class)
    })
}

fn parse_element(
    where_element: &str,
    input: &Value,
    old: &BTreeMap<&str, &Element>,
    new_uid: &mut dyn FnMut() -> String,
) -> ContentResult<Element> {
    let input = input.as_object().ok_or_else(|| {
        ContentError::new(format!(
            "{where_element} must be an object like {{\"type\": \"CustomField\", \"fieldId\": 3}}"
        ))
    })?;
    let mut element = match input.get("uid").and_then(Value::as_str) {
        Some(uid) => match old.get(uid) {
            Some(existing) => (*existing).clone(),
            None => {
                return Err(ContentError::new(format!(
                    "{where_element}.uid \"{uid}\" is not an element of this layout: omit uid to add a new element"
                )));
            }
        },
        None => {
            let kind = input.get("type").and_then(Value::as_str).ok_or_else(|| {
                ContentError::new(format!(
                    "{where_element}.type is required for a new element: \"title\", \"CustomField\" (with fieldId), \"Heading\", \"Tip\", \"HorizontalRule\", \"LineBreak\" or \"Markdown\""
                ))
            })?;
            Element {
                uid: new_uid(),
                kind: kind.to_string(),
                attribute: None,
                field_id: None,
                required: false,
                extra: Map::new(),
            }
        }
    };
    for (key, value) in input {
        match key.as_str() {
            "uid" => {}
            "type" => {
                let kind = value.as_str().and_then(element_type).ok_or_else(|| {
                    ContentError::new(format!(
                        "{where_element}.type {} is unknown: use \"title\", \"CustomField\", \"Heading\", \"Tip\", \"HorizontalRule\", \"LineBreak\" or \"Markdown\"",
                        show(value)
                    ))
                })?;
                if element.kind != kind
                    && input.contains_key("uid")
                    && element_type(&element.kind) != Some(kind)
                {
                    return Err(ContentError::new(format!(
                        "{where_element} keeps uid \"{}\" but changes its type: omit uid to add a new element",
                        element.uid
                    )));
                }
                element.kind = kind.to_string();
            }
            // Null is what get_field_layout reports for an element without one.
            "fieldId" | "required" if value.is_null() => {}
            "fieldId" => {
                element.field_id = Some(
                    value
                        .as_i64()
                        .or_else(|| value.as_str().and_then(|s| s.trim().parse().ok()))
                        .filter(|id| *id > 0)
                        .ok_or_else(|| {
                            ContentError::naming(
                                format!(
                                    "{where_element}.fieldId expects a field id (get_fields lists them), got {}",
                                    show(value)
                                ),
                                Step::ListFields,
                            )
                        })?,
                );
            }
            "required" => {
                element.required = value.as_bool().ok_or_else(|| {
                    ContentError::new(format!("{where_element}.required expects true or false"))
                })?;
            }
            // Output-only annotations (get_field_layout adds them for readability).
            "attribute" | "fieldHandle" | "fieldName" | "fieldType" | "mandatory"
            | "requirable" | "translatable" => {}
            other if ELEMENT_KEYS.contains(&other) => {
                if value.is_null() {
                    element.extra.remove(other);
                } else {
                    element.extra.insert(other.to_string(), value.clone());
                }
            }
            other => {
                return Err(ContentError::new(format!(
                    "{where_element} has unknown key '{other}': elements take uid, type, fieldId, required, label, instructions, width, heading, tip, warning, style, content (attribute, fieldHandle, fieldName, fieldType, mandatory, requirable and translatable are read-only and ignored)"
                )));
            }
        }
    }
    // Normalize the type name now that overlays are done.
    element.kind = element_type(&element.kind)
        .ok_or_else(|| {
            ContentError::new(format!(
                "{where_element}.type \"{}\" is unknown",
                element.kind
            ))
        })?
        .to_string();
    if element.kind == TITLE_ELEMENT {
        element.attribute = Some("title".into());
        element.field_id = None;
        // The title is what identifies an entry: it is always required when shown.
        element.required = true;
    } else {
        element.attribute = None;
    }
    if element.kind == CUSTOM_FIELD_ELEMENT {
        if element.field_id.is_none() {
            return Err(ContentError::naming(
                format!(
                    "{where_element} is a CustomField without fieldId: pass the id of a field (get_fields lists them)"
                ),
                Step::ListFields,
            ));
        }
    } else if element.field_id.is_some() {
        return Err(ContentError::new(format!(
            "{where_element} has a fieldId but is not a CustomField: use \"type\": \"CustomField\""
        )));
    }
    Ok(element)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn uids() -> impl FnMut() -> String {
        let mut n = 0;
        move || {
            n += 1;
            format!("uid-{n}")
        }
    }

    #[test]
    fn default_layout_has_the_title() {
        let layout = Layout::new_default(&mut uids());
        assert!(layout.has_title());
        let value = serde_json::to_value(&layout).unwrap();
        assert_eq!(value["tabs"][0]["elements"][0]["attribute"], "title");
        assert_eq!(value["tabs"][0]["elements"][0]["type"], TITLE_ELEMENT);
    }

    #[test]
    fn update_reuses_elements_by_uid_and_replaces_the_rest() {
        let mut next_uid = uids();
        let layout = Layout::new_default(&mut next_uid);
        let title_uid = layout.tabs[0].elements[0].uid.clone();
        let updated = layout
            .replaced_by(
                &json!([
                    {"name": "Main", "elements": [
                        {"type": "CustomField", "fieldId": 4, "required": true, "label": "Body"},
                        {"uid": title_uid}
                    ]},
                    {"name": "Extra", "elements": [{"type": "Heading", "heading": "More"}]}
                ]),
                &mut next_uid,
            )
            .unwrap();
        assert_eq!(updated.tabs.len(), 2);
        assert_eq!(updated.tabs[0].elements[1].uid, title_uid);
        assert!(updated.tabs[0].elements[1].is_title());
        assert_eq!(updated.field_ids(), vec![4]);
        assert!(updated.is_required(4));
        assert_eq!(updated.tabs[0].elements[0].extra["label"], "Body");

        let dropped = updated
            .replaced_by(&json!([{"name": "Only", "elements": []}]), &mut next_uid)
            .unwrap();
        assert!(!dropped.has_title());
        assert!(dropped.field_ids().is_empty());
    }

    #[test]
    fn bad_layouts_are_named() {
        let mut next_uid = uids();
        let layout = Layout::new_default(&mut next_uid);
        let cases = [
            (json!({}), "tabs must be an array"),
            (json!([{"elements": []}]), "tabs[0].name is required"),
            (
                json!([{"name": "A", "elements": [{"type": "CustomField"}]}]),
                "without fieldId",
            ),
            (
                json!([{"name": "A", "elements": [{"uid": "nope"}]}]),
                "not an element of this layout",
            ),
            (
                json!([{"name": "A", "elements": [{"type": "Bogus"}]}]),
                "is unknown",
            ),
            (
                json!([{"name": "A", "elements": [{"type": "title"}, {"type": "title"}]}]),
                "at most once",
            ),
            (
                json!([{"name": "A", "elements": [{"type": "field", "fieldId": 2}, {"type": "field", "fieldId": 2}]}]),
                "appears twice",
            ),
            (
                json!([{"name": "A", "elements": [{"type": "Heading", "colour": 1}]}]),
                "unknown key 'colour'",
            ),
        ];
        for (tabs, expected) in cases {
            let error = layout.replaced_by(&tabs, &mut next_uid).unwrap_err();
            assert!(error.0.contains(expected), "{tabs}: {error}");
        }
    }
}
