//! An entry's content in one site: native attributes (title, slug, post date, expiry
//! date, enabled) and custom field values keyed by field id (so renaming a field's
//! handle never touches stored content, and a deleted field's values simply stop being
//! shown).
//!
//! Frozen format: [`Content::to_json`] is the `payload.content` of every signed entry
//! revision: `{"title", "slug", "postDate", "expiryDate", "enabled", "fields": {"<id>": …}}`
//! with absent values omitted.

use std::collections::BTreeMap;

use imprint_engine::merge::{MergeOutcome, three_way};
use serde_json::{Map, Value, json};

use crate::fields::FieldType;
use crate::{ContentError, ContentResult, dates, show, slug};

/// The native attributes `attributeAndFieldData` may set.
pub const NATIVE_ATTRIBUTES: &[&str] = &["title", "slug", "postDate", "expiryDate", "enabled"];

/// A custom field as the content layer needs it.
#[derive(Debug, Clone, PartialEq)]
pub struct FieldDef {
    pub id: i64,
    pub handle: String,
    pub field_type: FieldType,
    pub settings: Map<String, Value>,
    /// Required in the entry type's layout (checked on live writes, not on drafts).
    pub required: bool,
    /// Contributes to the search index.
    pub searchable: bool,
}

impl FieldDef {
    pub fn new(id: i64, handle: &str, field_type: FieldType) -> Self {
        Self {
            id,
            handle: handle.to_string(),
            field_type,
            settings: Map::new(),
            required: false,
            searchable: true,
        }
    }
}

/// Content of an entry (or a draft of one) in one site.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Content {
    pub title: Option<String>,
    pub slug: Option<String>,
    /// Unix milliseconds.
    pub post_date: Option<i64>,
    pub expiry_date: Option<i64>,
    pub enabled: bool,
    pub fields: BTreeMap<i64, Value>,
}

/// Where an entry stands for visitors.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EntryStatus {
    Live,
    Pending,
    Expired,
    Disabled,
}

impl EntryStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            EntryStatus::Live => "live",
            EntryStatus::Pending => "pending",
            EntryStatus::Expired => "expired",
            EntryStatus::Disabled => "disabled",
        }
    }

    pub fn of(enabled: bool, post_date: Option<i64>, expiry_date: Option<i64>, now: i64) -> Self {
        if !enabled {
            EntryStatus::Disabled
        } else if expiry_date.is_some_and(|e| e <= now) {
            EntryStatus::Expired
        } else if post_date.is_none_or(|p| p > now) {
            EntryStatus::Pending
        } else {
            EntryStatus::Live
        }
    }

    pub fn parse(text: &str) -> ContentResult<Self> {
        match text {
            "live" => Ok(EntryStatus::Live),
            "pending" => Ok(EntryStatus::Pending),
            "expired" => Ok(EntryStatus::Expired),
            "disabled" => Ok(EntryStatus::Disabled),
            other => Err(ContentError::new(format!(
                "status \"{other}\" is unknown: use live (default), pending, expired, disabled or all"
            ))),
        }
    }
}

impl Content {
    pub fn status(&self, now: i64) -> EntryStatus {
        EntryStatus::of(self.enabled, self.post_date, self.expiry_date, now)
    }

    pub fn to_json(&self) -> Value {
        let mut map = Map::new();
        if let Some(title) = &self.title {
            map.insert("title".into(), json!(title));
        }
        if let Some(slug) = &self.slug {
            map.insert("slug".into(), json!(slug));
        }
        if let Some(post) = self.post_date {
            map.insert("postDate".into(), json!(dates::format(post)));
        }
        if let Some(expiry) = self.expiry_date {
            map.insert("expiryDate".into(), json!(dates::format(expiry)));
        }
        map.insert("enabled".into(), json!(self.enabled));
        let fields: Map<String, Value> = self
            .fields
            .iter()
            .map(|(id, value)| (id.to_string(), value.clone()))
            .collect();
        map.insert("fields".into(), Value::Object(fields));
        Value::Object(map)
    }

    pub fn from_json(value: &Value) -> ContentResult<Self> {
        let broken =
            |what: &str| ContentError::new(format!("stored content is unreadable: {what}"));
        let map = value.as_object().ok_or_else(|| broken("not an object"))?;
        let date = |key: &str| -> ContentResult<Option<i64>> {
            match map.get(key) {
                None | Some(Value::Null) => Ok(None),
                Some(Value::String(s)) => dates::parse(key, s).map(Some),
                Some(_) => Err(broken(key)),
            }
        };
        let mut fields = BTreeMap::new();
        if let Some(stored) = map.get("fields").and_then(Value::as_object) {
            for (id, value) in stored {
                let id: i64 = id.parse().map_err(|_| broken("field id"))?;
                fields.insert(id, value.clone());
            }
        }
        Ok(Content {
            title: map.get("title").and_then(Value::as_str).map(str::to_string),
            slug: map.get("slug").and_then(Value::as_str).map(str::to_string),
            post_date: date("postDate")?,
            expiry_date: date("expiryDate")?,
            enabled: map.get("enabled").and_then(Value::as_bool).unwrap_or(true),
            fields,
        })
    }

    /// Applies `attributeAndFieldData` (PATCH: only the keys given change; `null`
    /// clears). Field values are validated by type and normalized. `fields` are the
    /// fields of the entry type's layout; any other key is an error naming the choices.
    pub fn apply_input(
        &mut self,
        data: &Map<String, Value>,
        fields: &[FieldDef],
    ) -> ContentResult<()> {
        for (key, value) in data {
            match key.as_str() {
                "title" => {
                    self.title = match value {
                        Value::Null => None,
                        Value::String(text) if text.trim().is_empty() => None,
                        Value::String(text) => Some(text.trim().to_string()),
                        Value::Number(n) => Some(n.to_string()),
                        other => {
                            return Err(ContentError::new(format!(
                                "title expects text, got {}",
                                show(other)
                            )));
                        }
                    };
                }
                "slug" => {
                    self.slug = match value {
                        Value::Null => None,
                        Value::String(text) if text.trim().is_empty() => None,
                        Value::String(text) => Some(slug::normalize_slug(text)?),
                        other => {
                            return Err(ContentError::new(format!(
                                "slug expects text like \"my-post\", got {}",
                                show(other)
                            )));
                        }
                    };
                }
                "postDate" | "expiryDate" => {
                    let parsed = match value {
                        Value::Null => None,
                        Value::String(text) if text.trim().is_empty() => None,
                        Value::String(text) => Some(dates::parse(key, text)?),
                        other => {
                            return Err(ContentError::new(format!(
                                "{key} expects a date like \"2026-03-01T09:30:00Z\", got {}",
                                show(other)
                            )));
                        }
                    };
                    if key == "postDate" {
                        self.post_date = parsed;
                    } else {
                        self.expiry_date = parsed;
                    }
                }
                "enabled" => {
                    self.enabled = match value {
                        Value::Bool(b) => *b,
                        Value::Number(n) if n.as_i64() == Some(0) || n.as_i64() == Some(1) => {
                            n.as_i64() == Some(1)
                        }
                        Value::String(s) if s == "true" || s == "1" => true,
                        Value::String(s) if s == "false" || s == "0" => false,
                        other => {
                            return Err(ContentError::new(format!(
                                "enabled expects true or false, got {}",
                                show(other)
                            )));
                        }
                    };
                }
                handle => {
                    let Some(field) = fields.iter().find(|f| f.handle == handle) else {
                        return Err(unknown_key(handle, fields));
                    };
                    match field
                        .field_type
                        .validate_value(&field.handle, &field.settings, value)?
                    {
                        Some(normalized) => {
                            self.fields.insert(field.id, normalized);
                        }
                        None => {
                            self.fields.remove(&field.id);
                        }
                    }
                }
            }
        }
        if let (Some(post), Some(expiry)) = (self.post_date, self.expiry_date)
            && expiry <= post
        {
            return Err(ContentError::new(format!(
                "expiryDate ({}) must be after postDate ({})",
                dates::format(expiry),
                dates::format(post)
            )));
        }
        Ok(())
    }

    /// Field defaults for a new entry, for fields not given.
    pub fn apply_defaults(&mut self, fields: &[FieldDef]) {
        for field in fields {
            if !self.fields.contains_key(&field.id)
                && let Some(default) = field.field_type.default_value(&field.settings)
            {
                self.fields.insert(field.id, default);
            }
        }
    }

    /// Re-validates every stored value against the current field definitions (a field's
    /// type or options may have changed since the value was written) and drops values of
    /// fields no longer in the layout.
    pub fn revalidate(&mut self, fields: &[FieldDef]) -> ContentResult<()> {
        let mut kept = BTreeMap::new();
        for (id, value) in &self.fields {
            if let Some(field) = fields.iter().find(|f| f.id == *id)
                && let Some(normalized) =
                    field
                        .field_type
                        .validate_value(&field.handle, &field.settings, value)?
            {
                kept.insert(*id, normalized);
            }
        }
        self.fields = kept;
        Ok(())
    }

    /// What a live entry needs: a title (when the entry type has a title field) and
    /// every required field.
    pub fn check_required(&self, needs_title: bool, fields: &[FieldDef]) -> ContentResult<()> {
        if needs_title && self.title.is_none() {
            return Err(ContentError::new(
                "title is required: pass attributeAndFieldData.title",
            ));
        }
        let missing: Vec<&str> = fields
            .iter()
            .filter(|f| f.required && !self.fields.contains_key(&f.id))
            .map(|f| f.handle.as_str())
            .collect();
        if !missing.is_empty() {
            return Err(ContentError::new(format!(
                "required field(s) missing: {} (set them in attributeAndFieldData)",
                missing
                    .iter()
                    .map(|h| format!("'{h}'"))
                    .collect::<Vec<_>>()
                    .join(", ")
            )));
        }
        Ok(())
    }

    /// The entry ids related by Entries fields, with the field each comes from.
    pub fn relations<'a>(&self, fields: &'a [FieldDef]) -> Vec<(&'a FieldDef, i64)> {
        let mut out = Vec::new();
        for field in fields.iter().filter(|f| f.field_type == FieldType::Entries) {
            if let Some(Value::Array(ids)) = self.fields.get(&field.id) {
                out.extend(ids.iter().filter_map(Value::as_i64).map(|id| (field, id)));
            }
        }
        out
    }

    /// The text of searchable fields, for the full-text index (the title is indexed
    /// separately so it can rank higher).
    pub fn search_text(&self, fields: &[FieldDef]) -> String {
        let mut text = String::new();
        for field in fields.iter().filter(|f| f.searchable) {
            if let Some(value) = self.fields.get(&field.id) {
                let words = field.field_type.search_text(&field.settings, value);
                if !words.is_empty() {
                    if !text.is_empty() {
                        text.push(' ');
                    }
                    text.push_str(&words);
                }
            }
        }
        text
    }

    /// Native attributes and one key per custom field handle (null when unset), as
    /// `get_entry` shows them.
    pub fn attributes(&self, fields: &[FieldDef]) -> Map<String, Value> {
        let mut map = Map::new();
        map.insert("title".into(), json!(self.title));
        map.insert("slug".into(), json!(self.slug));
        map.insert("postDate".into(), json!(self.post_date.map(dates::format)));
        map.insert(
            "expiryDate".into(),
            json!(self.expiry_date.map(dates::format)),
        );
        map.insert("enabled".into(), json!(self.enabled));
        for field in fields {
            map.insert(
                field.handle.clone(),
                self.fields.get(&field.id).cloned().unwrap_or(Value::Null),
            );
        }
        map
    }

    /// Flattened for merging: native attributes by name, custom fields as `field:<id>`.
    fn flat(&self) -> Map<String, Value> {
        let Value::Object(mut map) = self.to_json() else {
            return Map::new();
        };
        if let Some(Value::Object(fields)) = map.remove("fields") {
            for (id, value) in fields {
                map.insert(format!("field:{id}"), value);
            }
        }
        map
    }

    fn from_flat(flat: Map<String, Value>) -> ContentResult<Self> {
        let mut plain = Map::new();
        let mut fields = Map::new();
        for (key, value) in flat {
            match key.strip_prefix("field:") {
                Some(id) => {
                    fields.insert(id.to_string(), value);
                }
                None => {
                    plain.insert(key, value);
                }
            }
        }
        plain.insert("fields".into(), Value::Object(fields));
        Content::from_json(&Value::Object(plain))
    }
}

/// The outcome of merging a draft into an entry that moved on.
#[derive(Debug, Clone, PartialEq)]
pub enum Merge {
    Merged(Content),
    /// Names of the attributes and fields changed differently on both sides: native
    /// attribute names, and custom fields by handle (or `field <id>` when the field no
    /// longer exists).
    Conflicts(Vec<String>),
}

/// Three-way merge per attribute and field: a change on one side is kept; the same
/// attribute or field changed differently on both sides is a conflict.
pub fn merge(
    base: &Content,
    ours: &Content,
    theirs: &Content,
    fields: &[FieldDef],
) -> ContentResult<Merge> {
    match three_way(&base.flat(), &ours.flat(), &theirs.flat()) {
        MergeOutcome::Merged(flat) => Ok(Merge::Merged(Content::from_flat(flat)?)),
        MergeOutcome::Conflicts(keys) => {
            let mut names: Vec<String> = keys
                .into_iter()
                .map(|key| {
                    match key
                        .strip_prefix("field:")
                        .and_then(|id| id.parse::<i64>().ok())
                    {
                        Some(id) => fields
                            .iter()
                            .find(|f| f.id == id)
                            .map(|f| f.handle.clone())
                            .unwrap_or_else(|| format!("field {id}")),
                        None => key,
                    }
                })
                .collect();
            names.sort();
            Ok(Merge::Conflicts(names))
        }
    }
}

fn unknown_key(key: &str, fields: &[FieldDef]) -> ContentError {
    let handles: Vec<&str> = fields.iter().map(|f| f.handle.as_str()).collect();
    let message = format!(
        "attributeAndFieldData has unknown key '{key}': native attributes are {}; fields of this entry type are {}",
        NATIVE_ATTRIBUTES.join(", "),
        if handles.is_empty() {
            "none (add fields with update_field_layout)".to_string()
        } else {
            handles.join(", ")
        }
    );
    match handles.is_empty() {
        true => ContentError::naming(message, crate::Step::UpdateFieldLayout),
        false => ContentError::new(message),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fields() -> Vec<FieldDef> {
        let mut body = FieldDef::new(1, "body", FieldType::PlainText);
        body.required = true;
        let price = FieldDef::new(2, "price", FieldType::Number);
        vec![body, price]
    }

    fn input(value: Value) -> Map<String, Value> {
        value.as_object().cloned().unwrap()
    }

    #[test]
    fn patch_changes_only_given_keys_and_null_clears() {
        let mut content = Content {
            enabled: true,
            ..Default::default()
        };
        content
            .apply_input(
                &input(json!({"title": "T", "body": "b", "price": 3})),
                &fields(),
            )
            .unwrap();
        content
            .apply_input(&input(json!({"price": null})), &fields())
            .unwrap();
        assert_eq!(content.title.as_deref(), Some("T"));
        assert_eq!(content.fields.get(&1), Some(&json!("b")));
        assert!(!content.fields.contains_key(&2));
    }

    #[test]
    fn unknown_keys_and_bad_dates_are_named() {
        let mut content = Content::default();
        let error = content
            .apply_input(&input(json!({"colour": "red"})), &fields())
            .unwrap_err();
        assert!(
            error.0.contains("unknown key 'colour'") && error.0.contains("body, price"),
            "{error}"
        );
        let error = content
            .apply_input(
                &input(json!({"postDate": "2026-02-01", "expiryDate": "2026-01-01"})),
                &fields(),
            )
            .unwrap_err();
        assert!(error.0.contains("expiryDate"), "{error}");
    }

    #[test]
    fn required_checks_name_the_missing() {
        let content = Content::default();
        assert!(
            content
                .check_required(true, &fields())
                .unwrap_err()
                .0
                .contains("title is required")
        );
        let content = Content {
            title: Some("x".into()),
            ..Default::default()
        };
        assert!(
            content
                .check_required(true, &fields())
                .unwrap_err()
                .0
                .contains("'body'")
        );
    }

    #[test]
    fn json_round_trip() {
        let mut content = Content {
            enabled: true,
            ..Default::default()
        };
        content
            .apply_input(
                &input(json!({"title": "T", "slug": "t", "postDate": "2026-01-01", "body": "x"})),
                &fields(),
            )
            .unwrap();
        assert_eq!(Content::from_json(&content.to_json()).unwrap(), content);
    }

    #[test]
    fn status_by_dates() {
        assert_eq!(
            EntryStatus::of(false, Some(0), None, 10),
            EntryStatus::Disabled
        );
        assert_eq!(
            EntryStatus::of(true, Some(20), None, 10),
            EntryStatus::Pending
        );
        assert_eq!(
            EntryStatus::of(true, Some(0), Some(5), 10),
            EntryStatus::Expired
        );
        assert_eq!(
            EntryStatus::of(true, Some(0), Some(50), 10),
            EntryStatus::Live
        );
    }

    #[test]
    fn merge_reports_conflicts_by_handle() {
        let base = Content {
            title: Some("t".into()),
            enabled: true,
            ..Default::default()
        };
        let mut ours = base.clone();
        ours.fields.insert(2, json!(1));
        ours.title = Some("mine".into());
        let mut theirs = base.clone();
        theirs.fields.insert(2, json!(2));
        theirs.slug = Some("s".into());
        assert_eq!(
            merge(&base, &ours, &theirs, &fields()).unwrap(),
            Merge::Conflicts(vec!["price".into()])
        );
        theirs.fields.insert(2, json!(1));
        let Merge::Merged(merged) = merge(&base, &ours, &theirs, &fields()).unwrap() else {
            panic!("expected a clean merge");
        };
        assert_eq!(merged.title.as_deref(), Some("mine"));
        assert_eq!(merged.slug.as_deref(), Some("s"));
    }
}
