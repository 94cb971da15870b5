//! Form binding: an entry type as the forms need it, the values a form sent as the
//! operation's `attributeAndFieldData`, and the inputs for each field type.

use std::fmt::Write as _;

use imprint_content::FieldType;
use imprint_content::fields::Input;
use imprint_service::api::{Id, IdList};
use imprint_service::content::{GetEntryTypes, GetFields};
use imprint_service::{Service, ServiceResult};
use serde::de::DeserializeOwned;
use serde_json::{Map, Value, json};

use super::first_of;
use super::positive;
use crate::cp::html::{self, attr, esc};

// ----- the shape of an entry type ------------------------------------------------------

/// A field as the forms need it.
pub(super) struct FieldSpec {
    pub(super) handle: String,
    pub(super) name: String,
    /// The type's short name, shown next to the label.
    pub(super) kind: String,
    pub(super) input: Input,
    pub(super) required: bool,
    pub(super) instructions: String,
    pub(super) options: Vec<(String, String)>,
}

/// An entry type with its fields, in layout order.
pub(super) struct TypeSpec {
    pub(super) name: String,
    pub(super) has_title_field: bool,
    pub(super) fields: Vec<FieldSpec>,
}

pub(super) fn type_spec(s: &Service, entry_type_id: i64) -> ServiceResult<TypeSpec> {
    let entry_type = first_of(
        s.get_entry_types(GetEntryTypes {
            entry_type_ids: Some(IdList(vec![Id(entry_type_id)])),
        })?
        .entry_types,
        &format!("entry type {entry_type_id}"),
    )?;
    let fields = s.get_fields(GetFields {
        field_layout_id: Some(Id(entry_type.field_layout_id)),
    })?;
    let fields = fields
        .fields
        .into_iter()
        .map(|field| FieldSpec {
            // A type this build does not know is edited as text.
            input: FieldType::parse(&field.field_type).map_or(Input::Line(""), FieldType::input),
            required: field.required.unwrap_or(false),
            instructions: field.instructions.unwrap_or_default(),
            options: field.settings["options"]
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(|o| {
                    let value = o.get("value").and_then(Value::as_str)?;
                    let label = o.get("label").and_then(Value::as_str).unwrap_or(value);
                    Some((value.to_string(), label.to_string()))
                })
                .collect(),
            handle: field.handle,
            name: field.name,
            kind: field.type_name,
        })
        .collect();
    Ok(TypeSpec {
        name: entry_type.name,
        has_title_field: entry_type.has_title_field,
        fields,
    })
}

/// A stored value as the text a form field shows (and sends back unchanged).
pub(super) fn shown(value: &Value) -> String {
    match value {
        Value::Null => String::new(),
        Value::String(s) => s.clone(),
        Value::Array(items) => items.iter().map(shown).collect::<Vec<_>>().join(", "),
        other => other.to_string(),
    }
}

pub(super) fn strings(value: &Value) -> Vec<String> {
    match value {
        Value::Array(items) => items.iter().map(shown).collect(),
        Value::Null => Vec::new(),
        other => vec![shown(other)],
    }
}

pub(super) const TEXT_ATTRIBUTES: &[(&str, &str)] = &[
    ("slug", "Slug"),
    ("postDate", "Post date"),
    ("expiryDate", "Expiry date"),
];

/// The attributes and fields a form sent, as `attributeAndFieldData`, keeping only
/// what differs from `current` (everything that is set, for a new entry).
pub(super) fn form_data(
    spec: &TypeSpec,
    form: &Map<String, Value>,
    current: Option<&Value>,
) -> Map<String, Value> {
    let mut data = Map::new();
    let text = |name: &str| form.get(name).map(shown).unwrap_or_default();
    let changed = |key: &str, submitted: &Value| match current {
        Some(current) => shown(&current[key]) != shown(submitted),
        None => !shown(submitted).is_empty(),
    };
    let mut attributes: Vec<&str> = TEXT_ATTRIBUTES.iter().map(|(key, _)| *key).collect();
    if spec.has_title_field {
        attributes.insert(0, "title");
    }
    for key in attributes {
        if !form.contains_key(key) {
            continue;
        }
        let value = Value::String(text(key));
        if changed(key, &value) {
            data.insert(key.to_string(), value);
        }
    }
    if form.contains_key("present.enabled") {
        let enabled = form.contains_key("enabled");
        if current.is_none_or(|c| c["enabled"].as_bool() != Some(enabled)) {
            data.insert("enabled".into(), json!(enabled));
        }
    }
    for field in &spec.fields {
        let key = format!("f.{}", field.handle);
        let value = match field.input {
            Input::Toggle => {
                if !form.contains_key(&format!("present.{key}")) {
                    continue;
                }
                json!(form.contains_key(&key))
            }
            Input::Choices => {
                if !form.contains_key(&format!("present.{key}")) {
                    continue;
                }
                json!(form.get(&key).map(strings).unwrap_or_default())
            }
            Input::EntryIds => {
                let Some(raw) = form.get(&key) else { continue };
                let ids: Vec<Value> = shown(raw)
                    .split([',', ' '])
                    .filter(|part| !part.trim().is_empty())
                    .map(|part| {
                        part.trim()
                            .parse::<i64>()
                            .map(Value::from)
                            .unwrap_or_else(|_| Value::String(part.trim().to_string()))
                    })
                    .collect();
                json!(ids)
            }
            Input::Line(_) | Input::Lines | Input::Choice => {
                let Some(raw) = form.get(&key) else { continue };
                Value::String(shown(raw))
            }
        };
        let differs = match current {
            Some(current) => {
                let stored = &current[&field.handle];
                match (&value, stored) {
                    (Value::Bool(b), stored) => stored.as_bool().unwrap_or(false) != *b,
                    (Value::Array(_), _) => strings(&value) != strings(stored),
                    _ => shown(stored) != shown(&value),
                }
            }
            None => match &value {
                Value::Bool(b) => *b,
                Value::Array(items) => !items.is_empty(),
                other => !shown(other).is_empty(),
            },
        };
        if differs {
            data.insert(field.handle.clone(), value);
        }
    }
    data
}

/// Inputs for the attributes and fields of `spec`, filled from `values`.
pub(super) fn field_inputs(spec: &TypeSpec, values: &Value) -> String {
    let mut html = String::new();
    if spec.has_title_field {
        let _ = write!(
            html,
            "<label>Title <input name=\"title\" value=\"{}\"></label>",
            attr(&shown(&values["title"]))
        );
    }
    for field in &spec.fields {
        let key = format!("f.{}", field.handle);
        let value = &values[&field.handle];
        let label = format!(
            "<span>{}{} <span class=\"muted\">({}, {})</span></span>",
            esc(&field.name),
            if field.required { " *" } else { "" },
            esc(&field.handle),
            esc(&field.kind)
        );
        let hint = if field.instructions.is_empty() {
            String::new()
        } else {
            format!(
                "<small class=\"muted\">{}</small>",
                esc(&field.instructions)
            )
        };
        match field.input {
            Input::Lines => {
                let _ = write!(
                    html,
                    "<label>{label}{hint}<textarea name=\"{}\">{}</textarea></label>",
                    attr(&key),
                    esc(&shown(value))
                );
            }
            Input::Toggle => {
                let _ = write!(
                    html,
                    "<label class=\"check\">{}<input type=\"checkbox\" name=\"{}\" value=\"on\"{}> {label}</label>{hint}",
                    html::hidden(&format!("present.{key}"), "1"),
                    attr(&key),
                    if value.as_bool().unwrap_or(false) {
                        " checked"
                    } else {
                        ""
                    }
                );
            }
            Input::Choice => {
                let current = shown(value);
                let _ = write!(
                    html,
                    "<label>{label}{hint}<select name=\"{}\"><option value=\"\">—</option>",
                    attr(&key)
                );
                for (option, text) in &field.options {
                    let _ = write!(
                        html,
                        "<option value=\"{}\"{}>{}</option>",
                        attr(option),
                        if *option == current { " selected" } else { "" },
                        esc(text)
                    );
                }
                html.push_str("</select></label>");
            }
            Input::Choices => {
                let chosen = strings(value);
                let _ = write!(
                    html,
                    "<fieldset><legend>{label}</legend>{hint}{}",
                    html::hidden(&format!("present.{key}"), "1")
                );
                for (option, text) in &field.options {
                    let _ = write!(
                        html,
                        "<label class=\"check\"><input type=\"checkbox\" name=\"{}\" value=\"{}\"{}> {}</label>",
                        attr(&key),
                        attr(option),
                        if chosen.contains(option) {
                            " checked"
                        } else {
                            ""
                        },
                        esc(text)
                    );
                }
                html.push_str("</fieldset>");
            }
            Input::EntryIds => {
                let _ = write!(
                    html,
                    "<label>{label}{hint}<input name=\"{}\" value=\"{}\" placeholder=\"entry ids, like 12, 14\"></label>",
                    attr(&key),
                    attr(&shown(value))
                );
            }
            Input::Line(example) => {
                let placeholder = if example.is_empty() {
                    String::new()
                } else {
                    format!(" placeholder=\"{}\"", attr(example))
                };
                let _ = write!(
                    html,
                    "<label>{label}{hint}<input name=\"{}\" value=\"{}\"{placeholder}></label>",
                    attr(&key),
                    attr(&shown(value))
                );
            }
        }
    }
    html.push_str("<details><summary>Slug, dates, status</summary><div class=\"stack\">");
    for (key, label) in TEXT_ATTRIBUTES {
        let _ = write!(
            html,
            "<label>{label} <input name=\"{key}\" value=\"{}\"></label>",
            attr(&shown(&values[*key]))
        );
    }
    let _ = write!(
        html,
        "<label class=\"check\">{}<input type=\"checkbox\" name=\"enabled\" value=\"on\"{}> Enabled</label></div></details>",
        html::hidden("present.enabled", "1"),
        if values["enabled"].as_bool().unwrap_or(true) {
            " checked"
        } else {
            ""
        }
    );
    html
}

/// (label, value) for each attribute and field, for read-only tables and comparisons.
pub(super) fn rows_of(spec: &TypeSpec, values: &Value) -> Vec<(String, String, String)> {
    let mut rows = Vec::new();
    if spec.has_title_field {
        rows.push((
            "title".to_string(),
            "Title".to_string(),
            shown(&values["title"]),
        ));
    }
    for field in &spec.fields {
        rows.push((
            field.handle.clone(),
            format!("{} ({})", field.name, field.kind),
            shown(&values[&field.handle]),
        ));
    }
    for (key, label) in TEXT_ATTRIBUTES {
        rows.push((key.to_string(), label.to_string(), shown(&values[*key])));
    }
    rows.push((
        "enabled".to_string(),
        "Enabled".to_string(),
        shown(&values["enabled"]),
    ));
    rows
}

/// A form as the operation's request: an empty input means "not given", and the ids the
/// path carries are set (the path wins).
pub(super) fn bind<T: DeserializeOwned>(
    form: &Map<String, Value>,
    path: &[(&str, i64)],
) -> ServiceResult<T> {
    let mut request: Map<String, Value> = form
        .iter()
        .filter(|(_, value)| !shown(value).trim().is_empty())
        .map(|(name, value)| (name.clone(), value.clone()))
        .collect();
    for (name, id) in path {
        request.insert((*name).to_string(), json!(id));
    }
    imprint_service::api::parse(Value::Object(request))
}

pub(super) fn form_id(form: &Map<String, Value>, key: &str) -> Option<i64> {
    positive(form.get(key).map(shown).as_deref())
}

/// The draft version the form was rendered from: the service writes only while the draft
/// is still at it (atomically), so a stale form is refused rather than applied.
pub(super) fn expected(form: &Map<String, Value>) -> Option<i64> {
    form.get("version").map(shown).and_then(|v| v.parse().ok())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spec() -> TypeSpec {
        let field = |handle: &str, kind: &str| FieldSpec {
            handle: handle.into(),
            name: handle.into(),
            kind: kind.into(),
            input: FieldType::parse(kind).unwrap().input(),
            required: false,
            instructions: String::new(),
            options: vec![("a".into(), "A".into()), ("b".into(), "B".into())],
        };
        TypeSpec {
            name: "Article".into(),
            has_title_field: true,
            fields: vec![
                field("body", "PlainText"),
                field("featured", "Lightswitch"),
                field("tags", "Checkboxes"),
                field("related", "Entries"),
            ],
        }
    }

    fn form(pairs: &[(&str, Value)]) -> Map<String, Value> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.clone()))
            .collect()
    }

    #[test]
    fn only_changed_fields_are_sent() {
        let current = json!({"title": "Hello", "body": "text", "featured": true, "tags": ["a"], "related": [3], "enabled": true});
        let submitted = form(&[
            ("title", json!("Hello")),
            ("f.body", json!("new text")),
            ("present.f.featured", json!("1")),
            ("f.featured", json!("on")),
            ("present.f.tags", json!("1")),
            ("f.tags", json!(["a", "b"])),
            ("f.related", json!("3")),
            ("present.enabled", json!("1")),
            ("enabled", json!("on")),
        ]);
        let data = form_data(&spec(), &submitted, Some(&current));
        assert_eq!(
            Value::Object(data),
            json!({"body": "new text", "tags": ["a", "b"]})
        );
    }

    #[test]
    fn an_unchecked_box_turns_a_field_off() {
        let current = json!({"featured": true, "enabled": true});
        let submitted = form(&[
            ("present.f.featured", json!("1")),
            ("present.enabled", json!("1")),
        ]);
        let data = form_data(&spec(), &submitted, Some(&current));
        assert_eq!(
            Value::Object(data),
            json!({"featured": false, "enabled": false})
        );
    }

    #[test]
    fn a_new_entry_sends_what_is_set() {
        let submitted = form(&[
            ("title", json!("New")),
            ("f.body", json!("")),
            ("f.related", json!("4, 5")),
            ("present.enabled", json!("1")),
            ("enabled", json!("on")),
        ]);
        let data = form_data(&spec(), &submitted, None);
        assert_eq!(
            Value::Object(data),
            json!({"title": "New", "enabled": true, "related": [4, 5]})
        );
    }

    #[test]
    fn panel_links_come_from_tool_urls() {
        use super::super::local;
        assert_eq!(
            local("http://127.0.0.1:9/cp/entries/5?draftId=7"),
            "/cp/entries/5?draftId=7"
        );
        assert_eq!(local("nonsense"), "/cp/entries");
    }
}
