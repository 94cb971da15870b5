//! Field layouts: `create_field_layout`, `get_field_layout`, `update_field_layout`.

use imprint_content::layout::{ENTRY_LAYOUT_TYPE, Layout};
use imprint_store::content::FieldLayoutRow;
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use super::ObjectList;
use super::fields::unknown_field;
use crate::api::Id;
use crate::error::{ServiceError, ServiceResult};
use crate::next::{Hint, NextStep};
use crate::{Service, now_millis};

/// `create_field_layout`: an empty layout (the title element in one tab).
#[derive(Debug, Clone, Default, Deserialize, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct CreateFieldLayout {
    /// The element type laid out: "craft\\elements\\Entry" (the default and only one).
    #[serde(rename = "type", alias = "kind")]
    pub kind: Option<String>,
}

/// `get_field_layout`.
#[derive(Debug, Clone, Deserialize, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct GetFieldLayout {
    /// The layout to read (get_entry_types shows each entry type's fieldLayoutId).
    pub field_layout_id: Id,
}

/// `update_field_layout`: replaces the layout's tabs.
#[derive(Debug, Clone, Deserialize, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct UpdateFieldLayout {
    /// The layout to change (get_entry_types shows each entry type's fieldLayoutId).
    pub field_layout_id: Id,
    /// The whole layout (replaces it): [{"name": "Content", "elements": [{"type": "title"}, {"type": "CustomField", "fieldId": 3, "required": true}, {"type": "Heading", "heading": "SEO"}]}]. Elements (and tabs) given with a "uid" from get_field_layout are kept as they were, with the keys given overlaid; elements without uid are new. Element types: title, CustomField (fieldId), Heading (heading), Tip (tip, style), HorizontalRule, LineBreak, Markdown (content).
    pub tabs: ObjectList,
}

/// A field layout's id, type and tabs.
#[derive(Debug, Clone, Serialize)]
pub struct FieldLayoutBody {
    pub id: i64,
    #[serde(rename = "type")]
    pub kind: String,
    /// The tabs as stored, custom field elements annotated with `fieldHandle`,
    /// `fieldName` and `fieldType`.
    pub tabs: Value,
}

/// The answer of `get_field_layout`.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct FieldLayoutView {
    pub field_layout_id: i64,
    pub field_layout: FieldLayoutBody,
    /// The entry types that use this layout.
    pub entry_type_ids: Vec<i64>,
}

/// The answer of `create_field_layout` and `update_field_layout`: the layout, then what
/// happened.
#[derive(Debug, Clone, Serialize)]
pub struct FieldLayoutSaved {
    #[serde(flatten)]
    pub layout: FieldLayoutView,
    pub message: String,
    /// What can follow (the end of `message`, in tool names there): not serialized, so MCP's
    /// answer stays as it was; REST and the CLI word the message with it.
    #[serde(skip)]
    pub next: Hint,
}

impl Service {
    fn layout_view(
        &self,
        layout_id: i64,
        kind: &str,
        layout: &Layout,
    ) -> ServiceResult<FieldLayoutView> {
        let fields = self.store().content().fields()?;
        let mut tabs = layout_tabs(layout);
        // Annotate custom fields with their handle and name (output only; ignored on input).
        if let Some(tabs) = tabs.as_array_mut() {
            for tab in tabs {
                if let Some(elements) = tab.get_mut("elements").and_then(Value::as_array_mut) {
                    for element in elements {
                        let field = element
                            .get("fieldId")
                            .and_then(Value::as_i64)
                            .and_then(|id| fields.iter().find(|f| f.id == id));
                        if let Some(field) = field {
                            element["fieldHandle"] = json!(field.handle);
                            element["fieldName"] = json!(field.name);
                            element["fieldType"] = json!(field.field_type);
                        }
                        report_every_key(element);
                    }
                }
            }
        }
        let entry_type_ids: Vec<i64> = self
            .store()
            .content()
            .entry_types()?
            .into_iter()
            .filter(|t| t.field_layout_id == layout_id)
            .map(|t| t.id)
            .collect();
        Ok(FieldLayoutView {
            field_layout_id: layout_id,
            field_layout: FieldLayoutBody {
                id: layout_id,
                kind: kind.to_string(),
                tabs,
            },
            entry_type_ids,
        })
    }

    pub fn create_field_layout(
        &self,
        request: CreateFieldLayout,
    ) -> ServiceResult<FieldLayoutSaved> {
        let kind = match request
            .kind
            .as_deref()
            .map(str::trim)
            .filter(|k| !k.is_empty())
        {
            None => ENTRY_LAYOUT_TYPE,
            Some(k)
                if [
                    "entry",
                    "entries",
                    "craft\\elements\\entry",
                    "\\craft\\elements\\entry",
                ]
                .contains(&k.replace("\\\\", "\\").to_ascii_lowercase().as_str()) =>
            {
                ENTRY_LAYOUT_TYPE
            }
            Some(other) => {
                return Err(ServiceError::invalid(format!(
                    "type \"{other}\" is not supported: field layouts here lay out entries (\"craft\\\\elements\\\\Entry\")"
                )));
            }
        };
        let layout = Layout::new_default(&mut new_uid);
        let now = now_millis();
        let id = self
            .store()
            .content()
            .insert_field_layout(&FieldLayoutRow {
                id: 0,
                kind: kind.into(),
                tabs: layout_tabs(&layout),
                created_at: now,
                updated_at: now,
            })?;
        let next = Hint::text("; ")
            .step(NextStep::UpdateFieldLayout)
            .then(" sets its tabs, ")
            .step(NextStep::CreateEntryType)
            .then(" or ")
            .step(NextStep::UpdateEntryType)
            .then(&format!(" (fieldLayoutId {id}) uses it"));
        Ok(FieldLayoutSaved {
            layout: self.layout_view(id, kind, &layout)?,
            message: format!(
                "created field layout {id} with the title element{}",
                next.word(&crate::next::ToolWords)
            ),
            next,
        })
    }

    pub fn get_field_layout(&self, request: GetFieldLayout) -> ServiceResult<FieldLayoutView> {
        let layout_id = request.field_layout_id.get();
        let row = self
            .store()
            .content()
            .field_layout(layout_id)?
            .ok_or_else(|| unknown_layout(layout_id))?;
        let layout = self.layout_of(layout_id)?;
        self.layout_view(layout_id, &row.kind, &layout)
    }

    pub fn update_field_layout(
        &self,
        request: UpdateFieldLayout,
    ) -> ServiceResult<FieldLayoutSaved> {
        let layout_id = request.field_layout_id.get();
        let content = self.store().content();
        let row = content
            .field_layout(layout_id)?
            .ok_or_else(|| unknown_layout(layout_id))?;
        let tabs = match request.tabs.0 {
            Value::Null => {
                return Err(ServiceError::invalid(
                    "tabs is required: an array like [{\"name\": \"Content\", \"elements\": [{\"type\": \"title\"}, {\"type\": \"CustomField\", \"fieldId\": 3, \"required\": true}]}]",
                )
                .with_hint(
                    Hint::text(" (elements with a uid from ")
                        .step(NextStep::GetFieldLayout {
                            field_layout_id: layout_id,
                        })
                        .then(" are kept)"),
                ));
            }
            Value::String(text) => serde_json::from_str(&text)
                .map_err(|e| ServiceError::invalid(format!("tabs is not valid JSON: {e}")))?,
            value => value,
        };
        let current = self.layout_of(layout_id)?;
        let layout = current.replaced_by(&tabs, &mut new_uid)?;
        let fields = content.fields()?;
        for field_id in layout.field_ids() {
            if !fields.iter().any(|f| f.id == field_id) {
                return Err(unknown_field(field_id));
            }
        }
        if !layout.has_title()
            && let Some(entry_type) = content
                .entry_types()?
                .into_iter()
                .find(|t| t.field_layout_id == layout_id && t.has_title_field)
        {
            return Err(ServiceError::invalid(format!(
                "entry type '{}' uses this layout and has a title field: keep the title element ({{\"type\": \"title\"}}) in a tab, or set hasTitleField false with a titleFormat first",
                entry_type.handle
            )));
        }
        content.update_field_layout(&FieldLayoutRow {
            tabs: layout_tabs(&layout),
            updated_at: now_millis(),
            ..row.clone()
        })?;
        Ok(FieldLayoutSaved {
            layout: self.layout_view(layout_id, &row.kind, &layout)?,
            message: format!(
                "saved field layout {layout_id}: {} tab(s), {} custom field(s)",
                layout.tabs.len(),
                layout.field_ids().len()
            ),
            next: Hint::default(),
        })
    }
}

/// Every key the Craft plugin reported on an element, null when unset; `mandatory`
/// (the title: always required), `requirable` (custom fields) and `translatable` (custom
/// fields and the title) are derived. update_field_layout accepts them all back.
fn report_every_key(element: &mut Value) {
    let kind = element
        .get("type")
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_string();
    let is_title = kind == imprint_content::layout::TITLE_ELEMENT;
    let is_field = kind == imprint_content::layout::CUSTOM_FIELD_ELEMENT;
    let Some(map) = element.as_object_mut() else {
        return;
    };
    for key in imprint_content::layout::REPORTED_KEYS {
        map.entry(key.to_string()).or_insert(Value::Null);
    }
    if !(is_title || is_field) {
        map.insert("required".into(), Value::Null);
    }
    map.insert("mandatory".into(), json!(is_title));
    map.insert("requirable".into(), json!(is_field));
    map.insert("translatable".into(), json!(is_title || is_field));
    if (is_title || is_field) && map.get("width").is_none_or(Value::is_null) {
        map.insert("width".into(), json!(100));
    }
}

pub(crate) fn layout_tabs(layout: &Layout) -> Value {
    serde_json::to_value(&layout.tabs).unwrap_or(Value::Array(Vec::new()))
}

fn unknown_layout(layout_id: i64) -> ServiceError {
    crate::content::does_not_exist(
        &format!("fieldLayoutId {layout_id}"),
        crate::next::NextStep::ListEntryTypes,
        " shows each entry type's fieldLayoutId",
    )
}

/// A random RFC 4122 version 4 UUID, as Craft uses for layout elements.
pub(crate) fn new_uid() -> String {
    let mut bytes = [0u8; 16];
    if getrandom::fill(&mut bytes).is_err() {
        // Uniqueness within one layout is all that matters; fall back to the clock.
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_nanos())
            .unwrap_or(0);
        bytes = nanos.to_le_bytes();
    }
    bytes[6] = (bytes[6] & 0x0f) | 0x40;
    bytes[8] = (bytes[8] & 0x3f) | 0x80;
    let hex: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
    format!(
        "{}-{}-{}-{}-{}",
        &hex[0..8],
        &hex[8..12],
        &hex[12..16],
        &hex[16..20],
        &hex[20..32]
    )
}

crate::next::worded!(FieldLayoutSaved);
