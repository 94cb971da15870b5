//! Entry types: `get_entry_types`, `create_entry_type`, `update_entry_type`,
//! `delete_entry_type`.

use imprint_content::layout::{ENTRY_LAYOUT_TYPE, Layout};
use imprint_content::{slug, template};
use imprint_store::content::{EntryTypeRow, FieldLayoutRow, FieldRow, Scope, SectionRow};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use super::layouts::{layout_tabs, new_uid};
use super::{Removed, handle_taken, impact_json, required_text, structure_conflict};
use crate::api::{Flag, Id, IdList};
use crate::error::{ServiceError, ServiceResult};
use crate::next::{Hint, NextStep, ToolWords};
use crate::{Service, now_millis};

/// `get_entry_types`: entry types with their layouts' fields and the sections using them.
#[derive(Debug, Clone, Default, Deserialize, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct GetEntryTypes {
    /// Only these entry types; omitted or empty: all entry types.
    pub entry_type_ids: Option<IdList>,
}

/// `create_entry_type`.
#[derive(Debug, Clone, Default, Deserialize, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct CreateEntryType {
    /// Display name, e.g. "Article".
    pub name: String,
    /// Handle (default: derived from the name).
    pub handle: Option<String>,
    /// Whether entries have an editable title (default true). Without one, titleFormat builds it.
    pub has_title_field: Option<Flag>,
    /// Title built from fields when hasTitleField is false, e.g. "{headline} – {city}".
    pub title_format: Option<String>,
    /// Icon name, e.g. "newspaper".
    pub icon: Option<String>,
    /// Color name, e.g. "blue".
    pub color: Option<String>,
    /// What this entry type is for.
    pub description: Option<String>,
    /// Use this existing field layout (default: a new layout holding the title).
    pub field_layout_id: Option<Id>,
    /// How titles are translated across sites, i.e. which other sites a title edited in one site reaches: "site" (the default: each site its own title), "none" (one title for every site), "language" (sites with the same language), "siteGroup" (sites of the same site group) or "custom" (sites whose titleTranslationKeyFormat renders alike).
    pub title_translation_method: Option<String>,
    /// With titleTranslationMethod "custom": the key format deciding which sites share a title; tokens {site.id}, {site.handle}, {site.name}, {site.language}, {site.group}, e.g. "{site.group}".
    pub title_translation_key_format: Option<String>,
    /// Show the slug field in the control panel's entry form (default true).
    pub show_slug_field: Option<Flag>,
    /// Show the status (enabled) field in the control panel's entry form (default true).
    pub show_status_field: Option<Flag>,
}

/// `update_entry_type`: only the parameters given change.
#[derive(Debug, Clone, Deserialize, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct UpdateEntryType {
    /// The entry type to change (get_entry_types lists them).
    pub entry_type_id: Id,
    /// Display name, e.g. "Article".
    pub name: Option<String>,
    /// Handle.
    pub handle: Option<String>,
    /// Whether entries have an editable title. Without one, titleFormat builds it.
    pub has_title_field: Option<Flag>,
    /// Title built from fields when hasTitleField is false, e.g. "{headline} – {city}" (empty string clears it).
    pub title_format: Option<String>,
    /// Icon name, e.g. "newspaper" (empty string clears it).
    pub icon: Option<String>,
    /// Color name, e.g. "blue" (empty string clears it).
    pub color: Option<String>,
    /// What this entry type is for (empty string clears it).
    pub description: Option<String>,
    /// Use this existing field layout instead.
    pub field_layout_id: Option<Id>,
    /// How titles are translated across sites, i.e. which other sites a title edited in one site reaches: "site" (the default: each site its own title), "none" (one title for every site), "language" (sites with the same language), "siteGroup" (sites of the same site group) or "custom" (sites whose titleTranslationKeyFormat renders alike).
    pub title_translation_method: Option<String>,
    /// With titleTranslationMethod "custom": the key format deciding which sites share a title; tokens {site.id}, {site.handle}, {site.name}, {site.language}, {site.group}, e.g. "{site.group}".
    pub title_translation_key_format: Option<String>,
    /// Show the slug field in the control panel's entry form (default true).
    pub show_slug_field: Option<Flag>,
    /// Show the status (enabled) field in the control panel's entry form (default true).
    pub show_status_field: Option<Flag>,
}

/// `delete_entry_type`.
#[derive(Debug, Clone, Deserialize, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct DeleteEntryType {
    /// The entry type to delete (get_entry_types lists them).
    pub entry_type_id: Id,
    /// Delete even though entries, drafts and revisions of this type would be deleted with it.
    pub force: Option<Flag>,
}

/// The answer of `delete_entry_type`.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct EntryTypeDeleted {
    pub entry_type_id: i64,
    pub deleted: bool,
    /// Sections that listed it (they keep their other entry types).
    pub removed_from_section_ids: Vec<i64>,
    /// The entries, drafts and revisions deleted with it.
    pub impact: Removed,
    /// The Craft plugin's keys: the entry type as it was, and what went with it.
    pub entry_type: Value,
    pub usage_stats: Value,
    pub forced: bool,
    pub message: String,
}

const TITLE_TRANSLATION_METHODS: &[&str] = &["none", "site", "language", "siteGroup", "custom"];

/// The settings create and update share.
struct Looks<'a> {
    has_title_field: Option<bool>,
    title_format: Option<&'a str>,
    icon: Option<&'a str>,
    color: Option<&'a str>,
    description: Option<&'a str>,
    title_translation_method: Option<&'a str>,
    title_translation_key_format: Option<&'a str>,
    show_slug_field: Option<bool>,
    show_status_field: Option<bool>,
}

impl<'a> From<&'a CreateEntryType> for Looks<'a> {
    fn from(input: &'a CreateEntryType) -> Self {
        Looks {
            has_title_field: input.has_title_field.map(|f| f.0),
            title_format: input.title_format.as_deref(),
            icon: input.icon.as_deref(),
            color: input.color.as_deref(),
            description: input.description.as_deref(),
            title_translation_method: input.title_translation_method.as_deref(),
            title_translation_key_format: input.title_translation_key_format.as_deref(),
            show_slug_field: input.show_slug_field.map(|f| f.0),
            show_status_field: input.show_status_field.map(|f| f.0),
        }
    }
}

impl<'a> From<&'a UpdateEntryType> for Looks<'a> {
    fn from(input: &'a UpdateEntryType) -> Self {
        Looks {
            has_title_field: input.has_title_field.map(|f| f.0),
            title_format: input.title_format.as_deref(),
            icon: input.icon.as_deref(),
            color: input.color.as_deref(),
            description: input.description.as_deref(),
            title_translation_method: input.title_translation_method.as_deref(),
            title_translation_key_format: input.title_translation_key_format.as_deref(),
            show_slug_field: input.show_slug_field.map(|f| f.0),
            show_status_field: input.show_status_field.map(|f| f.0),
        }
    }
}

/// A field as an entry type's layout places it.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PlacedField {
    pub field_id: i64,
    pub handle: String,
    pub name: String,
    #[serde(rename = "type")]
    pub field_type: String,
    pub required: bool,
}

/// An entry type as every entry type operation shows it.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct EntryTypeView {
    pub entry_type_id: i64,
    pub id: i64,
    pub name: String,
    pub handle: String,
    pub has_title_field: bool,
    pub title_format: Option<String>,
    /// `icon`, `color` and `description` as stored in the settings (null when unset).
    pub icon: Option<Value>,
    pub color: Option<Value>,
    pub description: Option<Value>,
    pub field_layout_id: i64,
    /// In layout order.
    pub fields: Vec<PlacedField>,
    /// The sections that list this entry type.
    pub section_ids: Vec<i64>,
    /// A stable uid (`entryType-{id}`: Imprint identifies entry types by id).
    pub uid: String,
    /// The sections using it, as `{"type": "section", "id", "name", "handle"}`.
    pub used_by: Vec<Value>,
    pub show_slug_field: bool,
    pub show_status_field: bool,
    pub title_translation_method: String,
    pub title_translation_key_format: Option<String>,
    /// The control panel page of this entry type and its layout.
    pub edit_url: String,
}

/// The answer of `get_entry_types`.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct EntryTypeList {
    pub entry_types: Vec<EntryTypeView>,
    pub count: usize,
}

/// The answer of `create_entry_type` and `update_entry_type`: the entry type, then what
/// happened.
#[derive(Debug, Clone, Serialize)]
pub struct EntryTypeSaved {
    #[serde(flatten)]
    pub entry_type: EntryTypeView,
    pub message: String,
    /// What can follow, as data (the end of `message`, in tool names there).
    #[serde(skip_serializing_if = "Hint::is_empty")]
    pub next: Hint,
}

impl Service {
    fn entry_type_view(
        &self,
        row: &EntryTypeRow,
        sections: &[SectionRow],
        fields: &[FieldRow],
    ) -> ServiceResult<EntryTypeView> {
        let layout = self.layout_of(row.field_layout_id)?;
        let placed = layout
            .field_ids()
            .into_iter()
            .filter_map(|id| fields.iter().find(|f| f.id == id))
            .map(|f| PlacedField {
                field_id: f.id,
                handle: f.handle.clone(),
                name: f.name.clone(),
                field_type: f.field_type.clone(),
                required: layout.is_required(f.id),
            })
            .collect();
        let using: Vec<&SectionRow> = sections
            .iter()
            .filter(|s| s.entry_type_ids.contains(&row.id))
            .collect();
        let section_ids = using.iter().map(|s| s.id).collect();
        let used_by = using
            .iter()
            .map(|s| json!({"type": "section", "id": s.id, "name": s.name, "handle": s.handle}))
            .collect();
        let flag = |key: &str| {
            row.settings
                .get(key)
                .and_then(Value::as_bool)
                .unwrap_or(true)
        };
        Ok(EntryTypeView {
            entry_type_id: row.id,
            id: row.id,
            name: row.name.clone(),
            handle: row.handle.clone(),
            has_title_field: row.has_title_field,
            title_format: row.title_format.clone(),
            icon: row.settings.get("icon").cloned(),
            color: row.settings.get("color").cloned(),
            description: row.settings.get("description").cloned(),
            field_layout_id: row.field_layout_id,
            fields: placed,
            section_ids,
            uid: format!("entryType-{}", row.id),
            used_by,
            show_slug_field: flag("showSlugField"),
            show_status_field: flag("showStatusField"),
            title_translation_method: row
                .settings
                .get("titleTranslationMethod")
                .and_then(Value::as_str)
                .unwrap_or(super::propagation::TITLE_TRANSLATION_DEFAULT)
                .to_string(),
            title_translation_key_format: row
                .settings
                .get("titleTranslationKeyFormat")
                .and_then(Value::as_str)
                .map(str::to_string),
            edit_url: format!("{}/cp/entry-types/{}", self.public_url(), row.id),
        })
    }

    pub fn get_entry_types(&self, request: GetEntryTypes) -> ServiceResult<EntryTypeList> {
        // An empty list is no filter, as for get_sections.
        let entry_type_ids = request
            .entry_type_ids
            .map(|ids| ids.ids())
            .filter(|ids| !ids.is_empty());
        let content = self.store().content();
        let (types, sections, fields) = (
            content.entry_types()?,
            content.sections()?,
            content.fields()?,
        );
        if let Some(ids) = &entry_type_ids
            && let Some(missing) = ids.iter().find(|id| !types.iter().any(|t| t.id == **id))
        {
            return Err(
                ServiceError::not_found(format!("entryTypeId {missing} does not exist")).with_hint(
                    Hint::text(": ")
                        .either(
                            "call get_entry_types without entryTypeIds",
                            Hint::default()
                                .verb()
                                .then(" ")
                                .step(NextStep::ListEntryTypes),
                        )
                        .then(" to list them all"),
                ),
            );
        }
        let mut listed = Vec::new();
        for row in types.iter().filter(|t| {
            entry_type_ids
                .as_ref()
                .is_none_or(|ids| ids.contains(&t.id))
        }) {
            listed.push(self.entry_type_view(row, &sections, &fields)?);
        }
        Ok(EntryTypeList {
            count: listed.len(),
            entry_types: listed,
        })
    }

    fn apply_entry_type_input(
        &self,
        row: &mut EntryTypeRow,
        input: Looks<'_>,
    ) -> ServiceResult<()> {
        if let Some(has_title) = input.has_title_field {
            row.has_title_field = has_title;
        }
        if let Some(format) = input.title_format {
            let format = format.trim();
            if format.is_empty() {
                row.title_format = None;
            } else {
                template::tokens("titleFormat", format)?;
                row.title_format = Some(format.to_string());
            }
        }
        if !row.has_title_field && row.title_format.is_none() {
            return Err(ServiceError::invalid(
                "an entry type without a title field needs titleFormat, e.g. \"{headline}\" (field handles in braces)",
            ));
        }
        let mut settings = row.settings.as_object().cloned().unwrap_or_default();
        for (key, value) in [
            ("icon", input.icon),
            ("color", input.color),
            ("description", input.description),
        ] {
            if let Some(value) = value {
                if value.is_empty() {
                    settings.remove(key);
                } else {
                    settings.insert(key.into(), json!(value));
                }
            }
        }
        if let Some(method) = input.title_translation_method.map(str::trim) {
            let method = TITLE_TRANSLATION_METHODS
                .iter()
                .find(|m| m.eq_ignore_ascii_case(method))
                .ok_or_else(|| {
                    ServiceError::invalid(format!(
                        "titleTranslationMethod \"{method}\" is unknown: use {}",
                        TITLE_TRANSLATION_METHODS.join(", ")
                    ))
                })?;
            settings.insert("titleTranslationMethod".into(), json!(method));
        }
        if let Some(format) = input.title_translation_key_format {
            let format = format.trim();
            if format.is_empty() {
                settings.remove("titleTranslationKeyFormat");
            } else {
                super::propagation::check_key_format("titleTranslationKeyFormat", format)?;
                settings.insert("titleTranslationKeyFormat".into(), json!(format));
            }
        }
        if settings
            .get("titleTranslationMethod")
            .and_then(Value::as_str)
            == Some("custom")
            && !settings.contains_key("titleTranslationKeyFormat")
        {
            return Err(ServiceError::invalid(
                "titleTranslationMethod \"custom\" needs titleTranslationKeyFormat, e.g. \"{site.handle}\"",
            ));
        }
        for (key, value) in [
            ("showSlugField", input.show_slug_field),
            ("showStatusField", input.show_status_field),
        ] {
            if let Some(value) = value {
                settings.insert(key.into(), json!(value));
            }
        }
        row.settings = Value::Object(settings);
        Ok(())
    }

    pub fn create_entry_type(&self, input: CreateEntryType) -> ServiceResult<EntryTypeSaved> {
        let name = required_text("name", Some(&input.name), "\"Article\"")?;
        let handle = input
            .handle
            .clone()
            .filter(|h| !h.is_empty())
            .unwrap_or_else(|| slug::handle_from_name(&name));
        slug::check_handle("handle", &handle)?;
        let content = self.store().content();
        if let Some(taken) = content.entry_types()?.iter().find(|t| t.handle == handle) {
            return Err(handle_taken(
                "entry type",
                &handle,
                taken.id,
                NextStep::ListEntryTypes,
            ));
        }
        let now = now_millis();
        let mut row = EntryTypeRow {
            id: 0,
            name,
            handle: handle.clone(),
            field_layout_id: 0,
            has_title_field: true,
            title_format: None,
            settings: json!({}),
            created_at: now,
            updated_at: now,
        };
        self.apply_entry_type_input(&mut row, Looks::from(&input))?;
        let new_layout = match input.field_layout_id.map(Id::get) {
            Some(layout_id) => {
                self.layout_of(layout_id)?;
                row.field_layout_id = layout_id;
                None
            }
            None => {
                let layout = Layout::new_default(&mut new_uid);
                Some(FieldLayoutRow {
                    id: 0,
                    kind: ENTRY_LAYOUT_TYPE.into(),
                    tabs: layout_tabs(&layout),
                    created_at: now,
                    updated_at: now,
                })
            }
        };
        let (id, layout_id) = content
            .insert_entry_type(&row, new_layout.as_ref())
            .map_err(|e| structure_conflict(e, "entry type", &handle))?;
        row.id = id;
        row.field_layout_id = layout_id;
        let next = Hint::text("; add fields with ")
            .step(NextStep::UpdateFieldLayout)
            .then(", then list it in a section's entryTypeIds");
        Ok(EntryTypeSaved {
            entry_type: self.entry_type_view(&row, &content.sections()?, &content.fields()?)?,
            message: format!(
                "created entry type '{handle}' (entryTypeId {id}) with field layout {layout_id}{}",
                next.word(&ToolWords)
            ),
            next,
        })
    }

    pub fn update_entry_type(&self, input: UpdateEntryType) -> ServiceResult<EntryTypeSaved> {
        let entry_type_id = input.entry_type_id.get();
        let content = self.store().content();
        let mut row = self.entry_type_row(entry_type_id)?;
        if let Some(name) = input.name.clone().filter(|n| !n.trim().is_empty()) {
            row.name = name.trim().to_string();
        }
        if let Some(handle) = input.handle.clone().filter(|h| !h.is_empty()) {
            slug::check_handle("handle", &handle)?;
            if let Some(taken) = content
                .entry_types()?
                .iter()
                .find(|t| t.handle == handle && t.id != entry_type_id)
            {
                return Err(handle_taken(
                    "entry type",
                    &handle,
                    taken.id,
                    NextStep::ListEntryTypes,
                ));
            }
            row.handle = handle;
        }
        self.apply_entry_type_input(&mut row, Looks::from(&input))?;
        if let Some(layout_id) = input.field_layout_id.map(Id::get) {
            self.layout_of(layout_id)?;
            row.field_layout_id = layout_id;
        }
        row.updated_at = now_millis();
        let handle = row.handle.clone();
        content
            .update_entry_type(&row)
            .map_err(|e| structure_conflict(e, "entry type", &handle))?;
        Ok(EntryTypeSaved {
            entry_type: self.entry_type_view(&row, &content.sections()?, &content.fields()?)?,
            message: format!("updated entry type '{}'", row.handle),
            next: Hint::default(),
        })
    }

    pub fn delete_entry_type(&self, request: DeleteEntryType) -> ServiceResult<EntryTypeDeleted> {
        let entry_type_id = request.entry_type_id.get();
        let force = request.force.is_some_and(|f| f.0);
        let row = self.entry_type_row(entry_type_id)?;
        let content = self.store().content();
        let sections: Vec<SectionRow> = content
            .sections()?
            .into_iter()
            .filter(|s| s.entry_type_ids.contains(&entry_type_id))
            .collect();
        if let Some(only) = sections.iter().find(|s| s.entry_type_ids.len() == 1) {
            return Err(ServiceError::conflict(format!(
                "entry type '{}' is the only entry type of section '{}' (sectionId {})",
                row.handle, only.handle, only.id
            ))
            .with_hint(
                Hint::text(": give the section another entry type first (")
                    .step(NextStep::UpdateSection)
                    .then(") or delete the section"),
            ));
        }
        let impact = content.impact(Scope::EntryType(entry_type_id))?;
        if (impact.entries > 0 || impact.drafts > 0) && !force {
            return Err(ServiceError::conflict(format!(
                "entry type '{}' has {} entr(y/ies), {} draft(s) and {} revision(s); deleting it deletes them",
                row.handle, impact.entries, impact.drafts, impact.revisions
            ))
            .with_hint(super::force_hint(NextStep::DeleteEntryType {
                entry_type_id,
                force: true,
            }))
            .with_details(json!({"impact": impact_json(&impact)})));
        }
        let impact = content.delete_scope(Scope::EntryType(entry_type_id))?;
        Ok(EntryTypeDeleted {
            entry_type_id,
            deleted: true,
            removed_from_section_ids: sections.iter().map(|s| s.id).collect(),
            impact: impact.into(),
            entry_type: json!({"id": row.id, "name": row.name, "handle": row.handle, "fieldLayoutId": row.field_layout_id}),
            usage_stats: json!({
                "entries": impact.entries,
                "drafts": impact.drafts,
                "revisions": impact.revisions,
                "total": impact.entries + impact.drafts + impact.revisions,
            }),
            forced: force && impact.entries + impact.drafts + impact.revisions > 0,
            message: format!(
                "deleted entry type '{}' with {} entr(y/ies), {} draft(s) and {} revision(s)",
                row.handle, impact.entries, impact.drafts, impact.revisions
            ),
        })
    }
}

crate::next::worded!(EntryTypeSaved);
