//! Fields: `get_fields`, `get_field_types`, `create_field`, `update_field`, `delete_field`.

use imprint_content::layout::Layout;
use imprint_content::{FieldType, slug};
use imprint_store::content::{FieldLayoutRow, FieldRow, Impact, Scope};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value, json};

use super::layouts::layout_tabs;
use super::{field_def, handle_taken, required_text, structure_conflict};
use crate::api::{Flag, Id, JsonObject};
use crate::error::{ServiceError, ServiceResult};
use crate::next::{Hint, NextStep, ToolWords, tool_name};
use crate::{Service, now_millis};

/// `get_fields`: custom fields, or those one layout places.
#[derive(Debug, Clone, Default, Deserialize, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct GetFields {
    /// Only the fields placed in this layout, in layout order (default: every field).
    pub field_layout_id: Option<Id>,
}

/// `get_field_types`: the field types create_field accepts. Takes no parameters.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct GetFieldTypes {}

impl schemars::JsonSchema for GetFieldTypes {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "GetFieldTypes".into()
    }

    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        super::no_parameters()
    }
}

/// `create_field`.
#[derive(Debug, Clone, Default, Deserialize, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct CreateField {
    /// Field type: a short name ("PlainText", "RichText", "Number", "Lightswitch", "Date", "Dropdown", "RadioButtons", "Checkboxes", "MultiSelect", "Email", "Url", "Color", "Entries") or a Craft class name ("craft\\fields\\PlainText"). get_field_types lists them with their settings.
    #[serde(rename = "type", alias = "fieldType")]
    pub field_type: String,
    /// Display name, e.g. "Body".
    pub name: String,
    /// Handle used in attributeAndFieldData and get_entry (default: derived from the name); native attribute names are reserved.
    pub handle: Option<String>,
    /// Help text for editors.
    pub instructions: Option<String>,
    /// Type-specific settings, e.g. {"options": [{"label": "Red", "value": "red"}]} or {"min": 0, "decimals": 2}.
    pub settings: Option<JsonObject>,
    /// Index this field's values for search_content (default true for text types).
    pub searchable: Option<Flag>,
    /// How values are translated across sites, i.e. which other sites a value saved in one site reaches: "none" (one value for every site), "site" (the default: each site its own), "language" (sites with the same language), "siteGroup" (sites of the same site group) or "custom" (sites whose translationKeyFormat renders alike).
    pub translation_method: Option<String>,
    /// With translationMethod "custom": the key deciding which sites share a value; tokens {site.id}, {site.handle}, {site.name}, {site.language}, {site.group}, e.g. "{site.group}" (empty string clears it).
    pub translation_key_format: Option<String>,
}

/// `update_field`: only the parameters given change.
#[derive(Debug, Clone, Deserialize, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct UpdateField {
    /// The field to change (get_fields lists them).
    pub field_id: Id,
    /// A new field type: a short name ("PlainText", …) or a Craft class name; get_field_types lists them. Stored values are checked against it as entries are next saved.
    #[serde(rename = "type", alias = "fieldType")]
    pub field_type: Option<String>,
    /// Display name, e.g. "Body".
    pub name: Option<String>,
    /// Handle used in attributeAndFieldData and get_entry; native attribute names are reserved.
    pub handle: Option<String>,
    /// Help text for editors (empty string clears it).
    pub instructions: Option<String>,
    /// Type-specific settings: the keys given change (null removes one), e.g. {"options": [{"label": "Red", "value": "red"}]}.
    pub settings: Option<JsonObject>,
    /// Index this field's values for search_content.
    pub searchable: Option<Flag>,
    /// How values are translated across sites, i.e. which other sites a value saved in one site reaches: "none" (one value for every site), "site" (the default: each site its own), "language" (sites with the same language), "siteGroup" (sites of the same site group) or "custom" (sites whose translationKeyFormat renders alike).
    pub translation_method: Option<String>,
    /// With translationMethod "custom": the key deciding which sites share a value; tokens {site.id}, {site.handle}, {site.name}, {site.language}, {site.group}, e.g. "{site.group}" (empty string clears it).
    pub translation_key_format: Option<String>,
}

/// `delete_field`.
#[derive(Debug, Clone, Deserialize, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct DeleteField {
    /// The field to delete (get_fields lists them).
    pub field_id: Id,
    /// Delete even though entry types with entries place it (their values stop being shown; revisions keep them).
    pub force: Option<Flag>,
}

/// A custom field as every field operation shows it.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct FieldView {
    pub field_id: i64,
    pub id: i64,
    pub name: String,
    pub handle: String,
    /// The class name, e.g. `craft\fields\PlainText`.
    #[serde(rename = "type")]
    pub field_type: String,
    /// The short name, e.g. `PlainText` (`unknown` for a type this build does not know).
    pub type_name: String,
    pub instructions: Option<String>,
    pub searchable: bool,
    /// The type's settings, as stored.
    pub settings: Value,
    /// Only when listed for a layout: whether that layout requires it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub required: Option<bool>,
    pub translation_method: String,
    /// The key format of translationMethod "custom".
    pub translation_key_format: Option<String>,
    /// Only when listed for a layout: the element's width (percent, 100 unless set).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub width: Option<Value>,
    /// Only when listed for a layout: the name of the tab holding it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tab: Option<String>,
    /// The control panel page of this field.
    pub edit_url: String,
}

/// Where `translationMethod` lives inside a field's stored settings (beside the type's own
/// settings, which `check_settings` validates without it).
const TRANSLATION_KEY: &str = "translationMethod";
const KEY_FORMAT_KEY: &str = "translationKeyFormat";
const TRANSLATION_METHODS: &[&str] = &["none", "site", "language", "siteGroup", "custom"];

fn check_translation(value: &str) -> ServiceResult<&'static str> {
    TRANSLATION_METHODS
        .iter()
        .find(|m| m.eq_ignore_ascii_case(value.trim()))
        .copied()
        .ok_or_else(|| {
            ServiceError::invalid(format!(
                "translationMethod \"{value}\" is unknown: use {}",
                TRANSLATION_METHODS.join(", ")
            ))
        })
}

/// Sets (or with "" clears) `translationKeyFormat`, then checks that "custom" has one.
fn set_key_format(settings: &mut Map<String, Value>, format: Option<&str>) -> ServiceResult<()> {
    match format.map(str::trim) {
        Some("") => {
            settings.remove(KEY_FORMAT_KEY);
        }
        Some(format) => {
            super::propagation::check_key_format("translationKeyFormat", format)?;
            settings.insert(KEY_FORMAT_KEY.into(), json!(format));
        }
        None => {}
    }
    if settings.get(TRANSLATION_KEY).and_then(Value::as_str) == Some("custom")
        && !settings.contains_key(KEY_FORMAT_KEY)
    {
        return Err(ServiceError::invalid(
            "translationMethod \"custom\" needs translationKeyFormat, e.g. \"{site.group}\"",
        ));
    }
    Ok(())
}

impl FieldView {
    fn new(row: &FieldRow, layout: Option<&Layout>, base_url: &str) -> Self {
        let placed = layout.and_then(|layout| {
            layout.tabs.iter().find_map(|tab| {
                tab.elements
                    .iter()
                    .find(|e| e.field_id == Some(row.id))
                    .map(|e| (tab.name.clone(), e.extra.get("width").cloned()))
            })
        });
        let mut settings = row.settings.clone();
        let translation = settings
            .as_object_mut()
            .and_then(|s| s.remove(TRANSLATION_KEY))
            .and_then(|v| v.as_str().map(str::to_string))
            .unwrap_or_else(|| super::propagation::FIELD_TRANSLATION_DEFAULT.into());
        let key_format = settings
            .as_object_mut()
            .and_then(|s| s.remove(KEY_FORMAT_KEY))
            .and_then(|v| v.as_str().map(str::to_string));
        let short = FieldType::parse(&row.field_type)
            .map(FieldType::short_name)
            .unwrap_or("unknown");
        FieldView {
            field_id: row.id,
            id: row.id,
            name: row.name.clone(),
            handle: row.handle.clone(),
            field_type: row.field_type.clone(),
            type_name: short.to_string(),
            instructions: row.instructions.clone(),
            searchable: row.searchable,
            settings,
            required: layout.map(|layout| layout.is_required(row.id)),
            translation_method: translation,
            translation_key_format: key_format,
            width: placed
                .as_ref()
                .map(|(_, width)| width.clone().unwrap_or(json!(100))),
            tab: placed.map(|(tab, _)| tab),
            edit_url: format!("{base_url}/cp/fields/{}", row.id),
        }
    }
}

/// The answer of `get_fields`.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct FieldList {
    pub fields: Vec<FieldView>,
    pub count: usize,
    /// The layout asked for, or null for every field.
    pub field_layout_id: Option<i64>,
}

/// The answer of `get_field_types`.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct FieldTypeList {
    /// Each type's description, as `FieldType::describe` writes it.
    pub field_types: Vec<Value>,
    pub count: usize,
    pub message: String,
    /// What can follow, as data (the end of `message`, in tool names there).
    #[serde(skip_serializing_if = "Hint::is_empty")]
    pub next: Hint,
}

/// The answer of `create_field` and `update_field`: the field, then what happened.
#[derive(Debug, Clone, Serialize)]
pub struct FieldSaved {
    #[serde(flatten)]
    pub field: FieldView,
    pub message: String,
    /// What can follow, as data (the end of `message`, in tool names there).
    #[serde(skip_serializing_if = "Hint::is_empty")]
    pub next: Hint,
}

/// The entries and drafts whose entry types placed a deleted field.
#[derive(Debug, Clone, Copy, Serialize)]
pub struct FieldImpact {
    pub entries: i64,
    pub drafts: i64,
}

/// The answer of `delete_field`.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct FieldDeleted {
    pub field_id: i64,
    pub deleted: bool,
    pub removed_from_field_layout_ids: Vec<i64>,
    pub impact: FieldImpact,
    /// The Craft plugin's keys: the field as it was (with `usages`, `usageCount`), how
    /// many layouts held it, and `success`.
    pub deleted_field: Value,
    pub affected_layouts: usize,
    pub success: bool,
    pub message: String,
}

impl Service {
    pub fn get_fields(&self, request: GetFields) -> ServiceResult<FieldList> {
        let field_layout_id = request.field_layout_id.map(Id::get);
        let fields = self.store().content().fields()?;
        let base = self.public_url();
        let listed: Vec<FieldView> = match field_layout_id {
            Some(layout_id) => {
                let layout = self.layout_of(layout_id)?;
                layout
                    .field_ids()
                    .into_iter()
                    .filter_map(|id| fields.iter().find(|f| f.id == id))
                    .map(|f| FieldView::new(f, Some(&layout), base))
                    .collect()
            }
            None => fields
                .iter()
                .map(|f| FieldView::new(f, None, base))
                .collect(),
        };
        Ok(FieldList {
            count: listed.len(),
            fields: listed,
            field_layout_id,
        })
    }

    pub fn get_field_types(&self, _request: GetFieldTypes) -> ServiceResult<FieldTypeList> {
        let types: Vec<Value> = FieldType::ALL.iter().map(|t| t.describe()).collect();
        Ok(FieldTypeList {
            count: types.len(),
            field_types: types,
            message: format!(
                "pass a type's short name (\"PlainText\") or class name (\"craft\\\\fields\\\\PlainText\") to {}, with settings from its list",
                tool_name(&NextStep::CreateField)
            ),
            next: Hint::default().step(NextStep::CreateField),
        })
    }

    pub fn create_field(&self, input: CreateField) -> ServiceResult<FieldSaved> {
        let type_name =
            required_text("type", Some(&input.field_type), "\"PlainText\"").map_err(|e| {
                e.with_hint(
                    Hint::text(" (")
                        .step(NextStep::ListFieldTypes)
                        .then(" lists them)"),
                )
            })?;
        let field_type = FieldType::parse(&type_name)?;
        let name = required_text("name", Some(&input.name), "\"Body\"")?;
        let handle = input
            .handle
            .filter(|h| !h.is_empty())
            .unwrap_or_else(|| slug::handle_from_name(&name));
        slug::check_field_handle(&handle)?;
        let settings = input.settings.unwrap_or_default().into_inner();
        let mut settings = field_type.check_settings(&settings)?;
        if let Some(method) = &input.translation_method {
            settings.insert(TRANSLATION_KEY.into(), json!(check_translation(method)?));
        }
        set_key_format(&mut settings, input.translation_key_format.as_deref())?;
        let content = self.store().content();
        if let Some(taken) = content.fields()?.iter().find(|f| f.handle == handle) {
            return Err(handle_taken(
                "field",
                &handle,
                taken.id,
                NextStep::ListFields,
            ));
        }
        let now = now_millis();
        let mut row = FieldRow {
            id: 0,
            name,
            handle: handle.clone(),
            field_type: field_type.class_name().into(),
            instructions: input.instructions.filter(|i| !i.is_empty()),
            searchable: input.searchable.map_or(field_type.is_textual(), |f| f.0),
            settings: Value::Object(settings),
            created_at: now,
            updated_at: now,
        };
        row.id = content
            .insert_field(&row)
            .map_err(|e| structure_conflict(e, "field", &handle))?;
        let next = Hint::text("; place it in an entry type's layout with ")
            .step(NextStep::UpdateFieldLayout);
        Ok(FieldSaved {
            field: FieldView::new(&row, None, self.public_url()),
            message: format!(
                "created field '{handle}' (fieldId {}){} ({{\"type\": \"CustomField\", \"fieldId\": {}}})",
                row.id,
                next.word(&ToolWords),
                row.id
            ),
            next,
        })
    }

    pub fn update_field(&self, input: UpdateField) -> ServiceResult<FieldSaved> {
        let field_id = input.field_id.get();
        let content = self.store().content();
        let mut row = content
            .field(field_id)?
            .ok_or_else(|| unknown_field(field_id))?;
        let mut field_type = FieldType::parse(&row.field_type)?;
        let mut notes = Vec::new();
        if let Some(type_name) = input.field_type.filter(|t| !t.is_empty()) {
            let new_type = FieldType::parse(&type_name)?;
            if new_type != field_type {
                notes.push("existing values are checked against the new type when each entry is next saved");
                field_type = new_type;
                // Settings of the old type rarely fit the new one.
                let kept: Vec<(&str, Value)> = [TRANSLATION_KEY, KEY_FORMAT_KEY]
                    .into_iter()
                    .filter_map(|key| Some((key, row.settings.get(key)?.clone())))
                    .collect();
                row.settings = json!({});
                for (key, value) in kept {
                    row.settings[key] = value;
                }
            }
        }
        if let Some(name) = input.name.filter(|n| !n.trim().is_empty()) {
            row.name = name.trim().to_string();
        }
        if let Some(handle) = input.handle.filter(|h| !h.is_empty()) {
            slug::check_field_handle(&handle)?;
            if let Some(taken) = content
                .fields()?
                .iter()
                .find(|f| f.handle == handle && f.id != field_id)
            {
                return Err(handle_taken(
                    "field",
                    &handle,
                    taken.id,
                    NextStep::ListFields,
                ));
            }
            row.handle = handle;
        }
        if let Some(instructions) = input.instructions {
            row.instructions = Some(instructions).filter(|i| !i.is_empty());
        }
        if let Some(searchable) = input.searchable.map(|f| f.0) {
            if searchable != row.searchable {
                notes.push("the search index picks up the change as entries are next saved");
            }
            row.searchable = searchable;
        }
        let mut settings = row.settings.as_object().cloned().unwrap_or_default();
        let mut translation = settings.remove(TRANSLATION_KEY);
        let key_format = settings.remove(KEY_FORMAT_KEY);
        if let Some(method) = &input.translation_method {
            translation = Some(json!(check_translation(method)?));
        }
        if let Some(patch) = input.settings {
            imprint_engine::merge::apply_patch(&mut settings, &patch.into_inner());
        }
        let mut settings = field_type.check_settings(&settings)?;
        if let Some(method) = translation {
            settings.insert(TRANSLATION_KEY.into(), method);
        }
        if let Some(format) = key_format {
            settings.insert(KEY_FORMAT_KEY.into(), format);
        }
        set_key_format(&mut settings, input.translation_key_format.as_deref())?;
        row.settings = Value::Object(settings);
        row.field_type = field_type.class_name().into();
        row.updated_at = now_millis();
        let handle = row.handle.clone();
        content
            .update_field(&row)
            .map_err(|e| structure_conflict(e, "field", &handle))?;
        let message = if notes.is_empty() {
            format!("updated field '{}'", row.handle)
        } else {
            format!("updated field '{}'; {}", row.handle, notes.join("; "))
        };
        Ok(FieldSaved {
            field: FieldView::new(&row, None, self.public_url()),
            message,
            next: Hint::default(),
        })
    }

    pub fn delete_field(&self, request: DeleteField) -> ServiceResult<FieldDeleted> {
        let (field_id, force) = (request.field_id.get(), request.force.is_some_and(|f| f.0));
        let content = self.store().content();
        let row = content
            .field(field_id)?
            .ok_or_else(|| unknown_field(field_id))?;
        let mut changed_layouts = Vec::new();
        for layout_row in content.field_layouts()? {
            let mut layout = self.layout_of(layout_row.id)?;
            if layout.remove_field(field_id) {
                changed_layouts.push(FieldLayoutRow {
                    tabs: layout_tabs(&layout),
                    updated_at: now_millis(),
                    ..layout_row
                });
            }
        }
        let mut impact = Impact::default();
        let mut type_handles = Vec::new();
        for entry_type in content.entry_types()? {
            if changed_layouts
                .iter()
                .any(|l| l.id == entry_type.field_layout_id)
            {
                let one = content.impact(Scope::EntryType(entry_type.id))?;
                impact.entries += one.entries;
                impact.drafts += one.drafts;
                type_handles.push(entry_type.handle);
            }
        }
        if (impact.entries > 0 || impact.drafts > 0) && !force {
            return Err(ServiceError::conflict(format!(
                "field '{}' is in the layout of entry type(s) {} with {} entr(y/ies) and {} draft(s); deleting it hides their '{}' values (revisions keep them)",
                row.handle,
                type_handles.join(", "),
                impact.entries,
                impact.drafts,
                row.handle
            ))
            .with_hint(super::force_hint(NextStep::DeleteField {
                field_id,
                force: true,
            }))
            .with_details(json!({"impact": {"entries": impact.entries, "drafts": impact.drafts}})));
        }
        content.delete_field(field_id, &changed_layouts)?;
        let usages: Vec<Value> = changed_layouts
            .iter()
            .map(|l| json!({"context": "global", "layout": l.id, "type": l.kind}))
            .collect();
        Ok(FieldDeleted {
            field_id,
            deleted: true,
            deleted_field: json!({
                "id": row.id,
                "name": row.name,
                "handle": row.handle,
                "type": row.field_type,
                "usageCount": usages.len(),
                "usages": usages,
            }),
            affected_layouts: changed_layouts.len(),
            success: true,
            removed_from_field_layout_ids: changed_layouts.iter().map(|l| l.id).collect(),
            impact: FieldImpact {
                entries: impact.entries,
                drafts: impact.drafts,
            },
            message: format!("deleted field '{}'", row.handle),
        })
    }

    /// Field definitions by handle for output that needs the whole table (revisions).
    pub(crate) fn all_field_defs(&self) -> ServiceResult<Vec<imprint_content::FieldDef>> {
        self.store()
            .content()
            .fields()?
            .iter()
            .map(|row| field_def(row, false))
            .collect()
    }
}

pub(crate) fn unknown_field(field_id: i64) -> ServiceError {
    crate::content::does_not_exist(
        &format!("fieldId {field_id}"),
        NextStep::ListFields,
        " lists the fields",
    )
}

crate::next::worded!(FieldSaved, FieldTypeList);
