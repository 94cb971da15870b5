//! Sites, sections, entry types, fields and field layouts.
//!
//! Structure changes are small, rare writes; each is one store call. Deleting structure
//! that holds content reports the impact (entries, drafts, revisions) and needs `force`.

use imprint_content::layout::{ENTRY_LAYOUT_TYPE, Layout};
use imprint_content::{FieldType, slug, template};
use imprint_store::StoreError;
use imprint_store::content::{
    EntryTypeRow, FieldLayoutRow, FieldRow, Impact, Scope, SectionRow, SiteRow,
};
use serde_json::{Map, Value, json};

use super::{field_def, unknown_site};
use crate::error::{ServiceError, ServiceResult};
use crate::{Service, now_millis};

/// `create_site` / `update_site` arguments; `None` keeps (or defaults) a value.
#[derive(Debug, Clone, Default)]
pub struct SiteInput {
    pub name: Option<String>,
    pub handle: Option<String>,
    pub language: Option<String>,
    /// `Some(None)` clears the base URL.
    pub base_url: Option<Option<String>>,
    pub primary: Option<bool>,
}

/// `create_section` / `update_section` arguments.
#[derive(Debug, Clone, Default)]
pub struct SectionInput {
    pub name: Option<String>,
    pub handle: Option<String>,
    /// `single`, `channel` or `structure`.
    pub kind: Option<String>,
    pub entry_type_ids: Option<Vec<i64>>,
    /// `[{"siteId", "enabledByDefault", "hasUrls", "uriFormat", "template"}]`.
    pub site_settings: Option<Value>,
    pub max_levels: Option<i64>,
    pub enable_versioning: Option<bool>,
}

/// `create_entry_type` / `update_entry_type` arguments.
#[derive(Debug, Clone, Default)]
pub struct EntryTypeInput {
    pub name: Option<String>,
    pub handle: Option<String>,
    pub has_title_field: Option<bool>,
    pub title_format: Option<String>,
    pub icon: Option<String>,
    pub color: Option<String>,
    pub description: Option<String>,
    pub field_layout_id: Option<i64>,
}

/// `create_field` / `update_field` arguments.
#[derive(Debug, Clone, Default)]
pub struct FieldInput {
    pub field_type: Option<String>,
    pub name: Option<String>,
    pub handle: Option<String>,
    pub instructions: Option<String>,
    /// Replaces the settings on create; merged key by key on update (`null` removes).
    pub settings: Option<Value>,
    pub searchable: Option<bool>,
}

const SECTION_TYPES: &[&str] = &["single", "channel", "structure"];

fn required_text(name: &str, value: Option<&str>, example: &str) -> ServiceResult<String> {
    value
        .map(str::trim)
        .filter(|v| !v.is_empty())
        .map(str::to_string)
        .ok_or_else(|| ServiceError::invalid(format!("{name} is required, e.g. {example}")))
}

fn check_language(language: &str) -> ServiceResult<()> {
    let mut parts = language.split(['-', '_']);
    let primary_ok = parts
        .next()
        .is_some_and(|p| (2..=3).contains(&p.len()) && p.chars().all(|c| c.is_ascii_alphabetic()));
    let rest_ok =
        parts.all(|p| (2..=8).contains(&p.len()) && p.chars().all(|c| c.is_ascii_alphanumeric()));
    if primary_ok && rest_ok {
        Ok(())
    } else {
        Err(ServiceError::invalid(format!(
            "language \"{language}\" is not a language tag: use one like \"en-US\", \"de\" or \"fr-CA\""
        )))
    }
}

fn check_base_url(url: &str) -> ServiceResult<()> {
    let ok = (url.starts_with("https://") || url.starts_with("http://") || url.starts_with('/'))
        && !url.contains(char::is_whitespace);
    if ok {
        Ok(())
    } else {
        Err(ServiceError::invalid(format!(
            "baseUrl \"{url}\" must be an http(s) URL like \"https://example.com/\" (or a path like \"/fr/\")"
        )))
    }
}

fn site_json(site: &SiteRow) -> Value {
    json!({
        "id": site.id,
        "siteId": site.id,
        "name": site.name,
        "handle": site.handle,
        "language": site.language,
        "url": site.base_url,
        "baseUrl": site.base_url,
        "primary": site.primary,
    })
}

fn impact_json(impact: &Impact) -> Value {
    json!({"entries": impact.entries, "drafts": impact.drafts, "revisions": impact.revisions})
}

fn handle_taken(what: &str, handle: &str, id: i64, tool: &str) -> ServiceError {
    ServiceError::conflict(format!(
        "handle '{handle}' is taken by {what} {id}: choose another handle ({tool} lists them)"
    ))
}

/// Store conflicts on structure rows are unique handles (checked first for a good message;
/// this covers a concurrent writer).
fn structure_conflict(error: StoreError, what: &str, handle: &str) -> ServiceError {
    match error {
        StoreError::Conflict(_) => ServiceError::conflict(format!(
            "handle '{handle}' is already used by another {what}: choose another handle"
        )),
        other => other.into(),
    }
}

impl Service {
    // ----- sites -----------------------------------------------------------------------

    pub fn get_sites(&self) -> ServiceResult<Value> {
        let sites: Vec<Value> = self
            .store()
            .content()
            .sites()?
            .iter()
            .map(site_json)
            .collect();
        Ok(json!({"sites": sites, "count": sites.len()}))
    }

    pub fn create_site(&self, input: SiteInput) -> ServiceResult<Value> {
        let name = required_text("name", input.name.as_deref(), "\"French\"")?;
        let handle = input
            .handle
            .filter(|h| !h.is_empty())
            .unwrap_or_else(|| slug::handle_from_name(&name));
        slug::check_handle("handle", &handle)?;
        let language = input
            .language
            .filter(|l| !l.is_empty())
            .unwrap_or_else(|| "en-US".into());
        check_language(&language)?;
        let base_url = input.base_url.flatten().filter(|u| !u.is_empty());
        if let Some(url) = &base_url {
            check_base_url(url)?;
        }
        let sites = self.store().content().sites()?;
        if let Some(taken) = sites.iter().find(|s| s.handle == handle) {
            return Err(handle_taken("site", &handle, taken.id, "get_sites"));
        }
        let now = now_millis();
        let mut row = SiteRow {
            id: 0,
            name,
            handle: handle.clone(),
            language,
            base_url,
            primary: input.primary.unwrap_or(false),
            created_at: now,
            updated_at: now,
        };
        row.id = self
            .store()
            .content()
            .insert_site(&row)
            .map_err(|e| structure_conflict(e, "site", &handle))?;
        let mut result = site_json(&row);
        result["message"] = json!(format!(
            "created site '{}' (siteId {}); pass siteId {} to create_entry or create_draft to write content for it",
            row.handle, row.id, row.id
        ));
        Ok(result)
    }

    pub fn update_site(&self, site_id: i64, input: SiteInput) -> ServiceResult<Value> {
        let sites = self.store().content().sites()?;
        let mut row = sites
            .iter()
            .find(|s| s.id == site_id)
            .cloned()
            .ok_or_else(|| unknown_site(site_id))?;
        if let Some(name) = input.name.filter(|n| !n.trim().is_empty()) {
            row.name = name.trim().to_string();
        }
        if let Some(handle) = input.handle.filter(|h| !h.is_empty()) {
            slug::check_handle("handle", &handle)?;
            if let Some(taken) = sites.iter().find(|s| s.handle == handle && s.id != site_id) {
                return Err(handle_taken("site", &handle, taken.id, "get_sites"));
            }
            row.handle = handle;
        }
        if let Some(language) = input.language.filter(|l| !l.is_empty()) {
            check_language(&language)?;
            row.language = language;
        }
        if let Some(base_url) = input.base_url {
            let base_url = base_url.filter(|u| !u.is_empty());
            if let Some(url) = &base_url {
                check_base_url(url)?;
            }
            row.base_url = base_url;
        }
        match input.primary {
            Some(true) => row.primary = true,
            Some(false) if row.primary => {
                return Err(ServiceError::invalid(format!(
                    "site {site_id} is the primary site and exactly one site is primary: make another site primary instead (update_site with primary: true on it)"
                )));
            }
            _ => {}
        }
        row.updated_at = now_millis();
        let handle = row.handle.clone();
        self.store()
            .content()
            .update_site(&row)
            .map_err(|e| structure_conflict(e, "site", &handle))?;
        let mut result = site_json(&row);
        result["message"] = json!(format!("updated site '{}'", row.handle));
        Ok(result)
    }

    // ----- sections ---------------------------------------------------------------------

    fn section_json(
        &self,
        section: &SectionRow,
        entry_types: &[EntryTypeRow],
        sites: &[SiteRow],
    ) -> Value {
        let types: Vec<Value> = section
            .entry_type_ids
            .iter()
            .filter_map(|id| entry_types.iter().find(|t| t.id == *id))
            .map(|t| json!({"entryTypeId": t.id, "id": t.id, "name": t.name, "handle": t.handle}))
            .collect();
        let site_settings: Vec<Value> = sites
            .iter()
            .map(|site| {
                let mut settings = site_settings_for(section, site.id);
                settings.insert("siteId".into(), json!(site.id));
                Value::Object(settings)
            })
            .collect();
        json!({
            "sectionId": section.id,
            "id": section.id,
            "name": section.name,
            "handle": section.handle,
            "type": section.kind,
            "entryTypes": types,
            "entryTypeIds": section.entry_type_ids,
            "siteSettings": site_settings,
            "maxLevels": section.settings.get("maxLevels"),
            "enableVersioning": section.settings.get("enableVersioning").and_then(Value::as_bool).unwrap_or(true),
        })
    }

    pub fn get_sections(&self, section_ids: Option<Vec<i64>>) -> ServiceResult<Value> {
        let content = self.store().content();
        let (sections, entry_types, sites) = (
            content.sections()?,
            content.entry_types()?,
            content.sites()?,
        );
        if let Some(ids) = &section_ids
            && let Some(missing) = ids.iter().find(|id| !sections.iter().any(|s| s.id == **id))
        {
            return Err(ServiceError::not_found(format!(
                "sectionId {missing} does not exist: call get_sections without sectionIds to list them all"
            )));
        }
        let listed: Vec<Value> = sections
            .iter()
            .filter(|s| section_ids.as_ref().is_none_or(|ids| ids.contains(&s.id)))
            .map(|s| self.section_json(s, &entry_types, &sites))
            .collect();
        Ok(json!({"sections": listed, "count": listed.len()}))
    }

    fn check_entry_type_ids(&self, ids: &[i64]) -> ServiceResult<()> {
        let types = self.store().content().entry_types()?;
        for id in ids {
            if !types.iter().any(|t| t.id == *id) {
                return Err(ServiceError::not_found(format!(
                    "entryTypeId {id} does not exist: get_entry_types lists them, create_entry_type makes one"
                )));
            }
        }
        let mut unique = ids.to_vec();
        unique.sort_unstable();
        unique.dedup();
        if unique.len() != ids.len() {
            return Err(ServiceError::invalid(
                "entryTypeIds lists an entry type twice",
            ));
        }
        Ok(())
    }

    /// Parses `siteSettings` (an array of per-site objects, or an object keyed by site
    /// id) over `current`, checking sites and URI formats.
    fn merge_site_settings(
        &self,
        current: &Map<String, Value>,
        given: Option<&Value>,
    ) -> ServiceResult<Map<String, Value>> {
        let mut settings = current.clone();
        let Some(given) = given else {
            return Ok(settings);
        };
        let given = match given {
            Value::String(text) => serde_json::from_str(text).map_err(|e| {
                ServiceError::invalid(format!("siteSettings is not valid JSON: {e}"))
            })?,
            other => other.clone(),
        };
        let items: Vec<(Option<Value>, Map<String, Value>)> = match given {
            Value::Array(items) => items
                .into_iter()
                .map(|item| match item {
                    Value::Object(map) => Ok((map.get("siteId").cloned(), map)),
                    other => Err(ServiceError::invalid(format!(
                        "siteSettings items must be objects like {{\"siteId\": 1, \"uriFormat\": \"blog/{{slug}}\"}}, got {}",
                        imprint_content::show(&other)
                    ))),
                })
                .collect::<ServiceResult<_>>()?,
            Value::Object(map) => map
                .into_iter()
                .map(|(site, value)| match value {
                    Value::Object(inner) => Ok((Some(json!(site)), inner)),
                    other => Err(ServiceError::invalid(format!(
                        "siteSettings.{site} must be an object, got {}",
                        imprint_content::show(&other)
                    ))),
                })
                .collect::<ServiceResult<_>>()?,
            other => {
                return Err(ServiceError::invalid(format!(
                    "siteSettings must be an array like [{{\"siteId\": 1, \"uriFormat\": \"blog/{{slug}}\"}}], got {}",
                    imprint_content::show(&other)
                )));
            }
        };
        let sites = self.store().content().sites()?;
        for (site, item) in items {
            let site_id =
                super::id_arg("siteSettings[].siteId", site.as_ref())?.ok_or_else(|| {
                    ServiceError::invalid(
                        "each siteSettings item needs a siteId (get_sites lists them)",
                    )
                })?;
            if !sites.iter().any(|s| s.id == site_id) {
                return Err(unknown_site(site_id));
            }
            let mut entry = settings
                .get(&site_id.to_string())
                .and_then(Value::as_object)
                .cloned()
                .unwrap_or_default();
            for (key, value) in item {
                match key.as_str() {
                    "siteId" => {}
                    "enabledByDefault" | "hasUrls" | "enabled" => {
                        let flag = super::bool_arg(&format!("siteSettings.{key}"), Some(&value))?;
                        entry.insert(key, json!(flag.unwrap_or(true)));
                    }
                    "uriFormat" | "template" => match value {
                        Value::Null => {
                            entry.insert(key, Value::Null);
                        }
                        Value::String(text) => {
                            if key == "uriFormat" && !text.is_empty() {
                                template::check_uri_format(&text)?;
                            }
                            entry.insert(key, json!(text));
                        }
                        other => {
                            return Err(ServiceError::invalid(format!(
                                "siteSettings.{key} must be a string, got {}",
                                imprint_content::show(&other)
                            )));
                        }
                    },
                    other => {
                        return Err(ServiceError::invalid(format!(
                            "siteSettings has unknown key '{other}': use siteId, enabled, enabledByDefault, hasUrls, uriFormat, template"
                        )));
                    }
                }
            }
            settings.insert(site_id.to_string(), Value::Object(entry));
        }
        Ok(settings)
    }

    pub fn create_section(&self, input: SectionInput) -> ServiceResult<Value> {
        let name = required_text("name", input.name.as_deref(), "\"Blog\"")?;
        let handle = input
            .handle
            .filter(|h| !h.is_empty())
            .unwrap_or_else(|| slug::handle_from_name(&name));
        slug::check_handle("handle", &handle)?;
        let kind = input.kind.unwrap_or_else(|| "channel".into());
        if !SECTION_TYPES.contains(&kind.as_str()) {
            return Err(ServiceError::invalid(format!(
                "type \"{kind}\" is unknown: use single, channel or structure"
            )));
        }
        let entry_type_ids = input.entry_type_ids.unwrap_or_default();
        if entry_type_ids.is_empty() {
            return Err(ServiceError::invalid(
                "entryTypeIds is required: a section needs at least one entry type (create_entry_type makes one, get_entry_types lists them)",
            ));
        }
        self.check_entry_type_ids(&entry_type_ids)?;
        let content = self.store().content();
        if let Some(taken) = content.sections()?.iter().find(|s| s.handle == handle) {
            return Err(handle_taken("section", &handle, taken.id, "get_sections"));
        }
        let default_uri = if kind == "single" {
            handle.clone()
        } else {
            format!("{handle}/{{slug}}")
        };
        let mut defaults = Map::new();
        for site in content.sites()? {
            defaults.insert(
                site.id.to_string(),
                json!({"enabled": true, "enabledByDefault": true, "hasUrls": true, "uriFormat": default_uri, "template": null}),
            );
        }
        let site_settings = self.merge_site_settings(&defaults, input.site_settings.as_ref())?;
        let max_levels = match (kind.as_str(), input.max_levels) {
            ("structure", levels) => levels.filter(|l| *l > 0),
            (_, Some(_)) => {
                return Err(ServiceError::invalid(
                    "maxLevels applies to structure sections only",
                ));
            }
            _ => None,
        };
        let now = now_millis();
        let mut row = SectionRow {
            id: 0,
            name,
            handle: handle.clone(),
            kind: kind.clone(),
            settings: json!({
                "siteSettings": site_settings,
                "maxLevels": max_levels,
                "enableVersioning": input.enable_versioning.unwrap_or(true),
            }),
            entry_type_ids,
            created_at: now,
            updated_at: now,
        };
        row.id = content
            .insert_section(&row)
            .map_err(|e| structure_conflict(e, "section", &handle))?;
        let mut single_entries = Vec::new();
        if kind == "single" {
            single_entries = self.create_single_entries(&row)?;
        }
        let mut result = self.section_json(&row, &content.entry_types()?, &content.sites()?);
        result["message"] = json!(if kind == "single" {
            format!(
                "created single section '{handle}' (sectionId {}) with its one entry (entryId {}); update_entry or create_draft edits it",
                row.id,
                single_entries.first().map_or(0, |id| *id)
            )
        } else {
            format!(
                "created section '{handle}' (sectionId {}); create_entry or create_draft with sectionId {} adds entries",
                row.id, row.id
            )
        });
        if kind == "single" {
            result["entryId"] = json!(single_entries.first());
        }
        Ok(result)
    }

    pub fn update_section(&self, section_id: i64, input: SectionInput) -> ServiceResult<Value> {
        let content = self.store().content();
        let mut row = self.section_row(section_id)?;
        if let Some(name) = input.name.filter(|n| !n.trim().is_empty()) {
            row.name = name.trim().to_string();
        }
        if let Some(handle) = input.handle.filter(|h| !h.is_empty()) {
            slug::check_handle("handle", &handle)?;
            if let Some(taken) = content
                .sections()?
                .iter()
                .find(|s| s.handle == handle && s.id != section_id)
            {
                return Err(handle_taken("section", &handle, taken.id, "get_sections"));
            }
            row.handle = handle;
        }
        if let Some(kind) = input.kind {
            if !SECTION_TYPES.contains(&kind.as_str()) {
                return Err(ServiceError::invalid(format!(
                    "type \"{kind}\" is unknown: use single, channel or structure"
                )));
            }
            if kind != row.kind
                && (kind == "single" || row.kind == "single")
                && content.count_entries(section_id, None)? > 0
            {
                return Err(ServiceError::conflict(format!(
                    "section '{}' has entries: it cannot become or stop being a single; create a new section instead",
                    row.handle
                )));
            }
            row.kind = kind;
        }
        if let Some(ids) = input.entry_type_ids {
            if ids.is_empty() {
                return Err(ServiceError::invalid(
                    "entryTypeIds cannot be empty: a section needs at least one entry type",
                ));
            }
            self.check_entry_type_ids(&ids)?;
            row.entry_type_ids = ids;
        }
        let current = row
            .settings
            .get("siteSettings")
            .and_then(Value::as_object)
            .cloned()
            .unwrap_or_default();
        let site_settings = self.merge_site_settings(&current, input.site_settings.as_ref())?;
        let mut settings = row.settings.as_object().cloned().unwrap_or_default();
        settings.insert("siteSettings".into(), Value::Object(site_settings));
        if let Some(levels) = input.max_levels {
            if row.kind != "structure" {
                return Err(ServiceError::invalid(
                    "maxLevels applies to structure sections only",
                ));
            }
            settings.insert(
                "maxLevels".into(),
                if levels > 0 {
                    json!(levels)
                } else {
                    Value::Null
                },
            );
        }
        if let Some(versioning) = input.enable_versioning {
            settings.insert("enableVersioning".into(), json!(versioning));
        }
        row.settings = Value::Object(settings);
        row.updated_at = now_millis();
        let handle = row.handle.clone();
        content
            .update_section(&row)
            .map_err(|e| structure_conflict(e, "section", &handle))?;
        let mut result = self.section_json(&row, &content.entry_types()?, &content.sites()?);
        result["message"] = json!(format!(
            "updated section '{}'; new URI formats apply to entries as they are next saved",
            row.handle
        ));
        Ok(result)
    }

    pub fn delete_section(&self, section_id: i64, force: bool) -> ServiceResult<Value> {
        let section = self.section_row(section_id)?;
        let content = self.store().content();
        let impact = content.impact(Scope::Section(section_id))?;
        if (impact.entries > 0 || impact.drafts > 0) && !force {
            return Err(ServiceError::conflict(format!(
                "section '{}' holds {} entr(y/ies) in all sites, {} draft(s) and {} revision(s); deleting it deletes them: pass force: true to go ahead",
                section.handle, impact.entries, impact.drafts, impact.revisions
            ))
            .with_details(json!({"impact": impact_json(&impact)})));
        }
        let impact = content.delete_scope(Scope::Section(section_id))?;
        Ok(json!({
            "sectionId": section_id,
            "deleted": true,
            "impact": impact_json(&impact),
            "message": format!(
                "deleted section '{}' with {} entr(y/ies), {} draft(s) and {} revision(s)",
                section.handle, impact.entries, impact.drafts, impact.revisions
            ),
        }))
    }

    // ----- entry types ----------------------------------------------------------------

    fn entry_type_json(
        &self,
        row: &EntryTypeRow,
        sections: &[SectionRow],
        fields: &[FieldRow],
    ) -> ServiceResult<Value> {
        let layout = self.layout_of(row.field_layout_id)?;
        let placed: Vec<Value> = layout
            .field_ids()
            .into_iter()
            .filter_map(|id| fields.iter().find(|f| f.id == id))
            .map(|f| {
                json!({
                    "fieldId": f.id,
                    "handle": f.handle,
                    "name": f.name,
                    "type": f.field_type,
                    "required": layout.is_required(f.id),
                })
            })
            .collect();
        let section_ids: Vec<i64> = sections
            .iter()
            .filter(|s| s.entry_type_ids.contains(&row.id))
            .map(|s| s.id)
            .collect();
        Ok(json!({
            "entryTypeId": row.id,
            "id": row.id,
            "name": row.name,
            "handle": row.handle,
            "hasTitleField": row.has_title_field,
            "titleFormat": row.title_format,
            "icon": row.settings.get("icon"),
            "color": row.settings.get("color"),
            "description": row.settings.get("description"),
            "fieldLayoutId": row.field_layout_id,
            "fields": placed,
            "sectionIds": section_ids,
        }))
    }

    pub fn get_entry_types(&self, entry_type_ids: Option<Vec<i64>>) -> ServiceResult<Value> {
        let content = self.store().content();
        let (types, sections, fields) = (
            content.entry_types()?,
            content.sections()?,
            content.fields()?,
        );
        if let Some(ids) = &entry_type_ids
            && let Some(missing) = ids.iter().find(|id| !types.iter().any(|t| t.id == **id))
        {
            return Err(ServiceError::not_found(format!(
                "entryTypeId {missing} does not exist: call get_entry_types without entryTypeIds to list them all"
            )));
        }
        let mut listed = Vec::new();
        for row in types.iter().filter(|t| {
            entry_type_ids
                .as_ref()
                .is_none_or(|ids| ids.contains(&t.id))
        }) {
            listed.push(self.entry_type_json(row, &sections, &fields)?);
        }
        Ok(json!({"entryTypes": listed, "count": listed.len()}))
    }

    fn apply_entry_type_input(
        &self,
        row: &mut EntryTypeRow,
        input: &EntryTypeInput,
    ) -> ServiceResult<()> {
        if let Some(has_title) = input.has_title_field {
            row.has_title_field = has_title;
        }
        if let Some(format) = &input.title_format {
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
            ("icon", &input.icon),
            ("color", &input.color),
            ("description", &input.description),
        ] {
            if let Some(value) = value {
                if value.is_empty() {
                    settings.remove(key);
                } else {
                    settings.insert(key.into(), json!(value));
                }
            }
        }
        row.settings = Value::Object(settings);
        Ok(())
    }

    pub fn create_entry_type(&self, input: EntryTypeInput) -> ServiceResult<Value> {
        let name = required_text("name", input.name.as_deref(), "\"Article\"")?;
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
                "get_entry_types",
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
        self.apply_entry_type_input(&mut row, &input)?;
        let new_layout = match input.field_layout_id {
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
        let mut result = self.entry_type_json(&row, &content.sections()?, &content.fields()?)?;
        result["message"] = json!(format!(
            "created entry type '{handle}' (entryTypeId {id}) with field layout {layout_id}; add fields with update_field_layout, then list it in a section's entryTypeIds"
        ));
        Ok(result)
    }

    pub fn update_entry_type(
        &self,
        entry_type_id: i64,
        input: EntryTypeInput,
    ) -> ServiceResult<Value> {
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
                    "get_entry_types",
                ));
            }
            row.handle = handle;
        }
        self.apply_entry_type_input(&mut row, &input)?;
        if let Some(layout_id) = input.field_layout_id {
            self.layout_of(layout_id)?;
            row.field_layout_id = layout_id;
        }
        row.updated_at = now_millis();
        let handle = row.handle.clone();
        content
            .update_entry_type(&row)
            .map_err(|e| structure_conflict(e, "entry type", &handle))?;
        let mut result = self.entry_type_json(&row, &content.sections()?, &content.fields()?)?;
        result["message"] = json!(format!("updated entry type '{}'", row.handle));
        Ok(result)
    }

    pub fn delete_entry_type(&self, entry_type_id: i64, force: bool) -> ServiceResult<Value> {
        let row = self.entry_type_row(entry_type_id)?;
        let content = self.store().content();
        let sections: Vec<SectionRow> = content
            .sections()?
            .into_iter()
            .filter(|s| s.entry_type_ids.contains(&entry_type_id))
            .collect();
        if let Some(only) = sections.iter().find(|s| s.entry_type_ids.len() == 1) {
            return Err(ServiceError::conflict(format!(
                "entry type '{}' is the only entry type of section '{}' (sectionId {}): give the section another entry type first (update_section) or delete the section",
                row.handle, only.handle, only.id
            )));
        }
        let impact = content.impact(Scope::EntryType(entry_type_id))?;
        if (impact.entries > 0 || impact.drafts > 0) && !force {
            return Err(ServiceError::conflict(format!(
                "entry type '{}' has {} entr(y/ies), {} draft(s) and {} revision(s); deleting it deletes them: pass force: true to go ahead",
                row.handle, impact.entries, impact.drafts, impact.revisions
            ))
            .with_details(json!({"impact": impact_json(&impact)})));
        }
        let impact = content.delete_scope(Scope::EntryType(entry_type_id))?;
        Ok(json!({
            "entryTypeId": entry_type_id,
            "deleted": true,
            "removedFromSectionIds": sections.iter().map(|s| s.id).collect::<Vec<_>>(),
            "impact": impact_json(&impact),
            "message": format!(
                "deleted entry type '{}' with {} entr(y/ies), {} draft(s) and {} revision(s)",
                row.handle, impact.entries, impact.drafts, impact.revisions
            ),
        }))
    }

    // ----- fields ----------------------------------------------------------------------

    fn field_json(row: &FieldRow, layout: Option<&Layout>) -> Value {
        let short = FieldType::parse(&row.field_type)
            .map(FieldType::short_name)
            .unwrap_or("unknown");
        let mut value = json!({
            "fieldId": row.id,
            "id": row.id,
            "name": row.name,
            "handle": row.handle,
            "type": row.field_type,
            "typeName": short,
            "instructions": row.instructions,
            "searchable": row.searchable,
            "settings": row.settings,
        });
        if let Some(layout) = layout {
            value["required"] = json!(layout.is_required(row.id));
        }
        value
    }

    pub fn get_fields(&self, field_layout_id: Option<i64>) -> ServiceResult<Value> {
        let fields = self.store().content().fields()?;
        let listed: Vec<Value> = match field_layout_id {
            Some(layout_id) => {
                let layout = self.layout_of(layout_id)?;
                layout
                    .field_ids()
                    .into_iter()
                    .filter_map(|id| fields.iter().find(|f| f.id == id))
                    .map(|f| Self::field_json(f, Some(&layout)))
                    .collect()
            }
            None => fields.iter().map(|f| Self::field_json(f, None)).collect(),
        };
        Ok(json!({"fields": listed, "count": listed.len(), "fieldLayoutId": field_layout_id}))
    }

    pub fn get_field_types(&self) -> Value {
        let types: Vec<Value> = FieldType::ALL.iter().map(|t| t.describe()).collect();
        json!({
            "fieldTypes": types,
            "count": types.len(),
            "message": "pass a type's short name (\"PlainText\") or class name (\"craft\\\\fields\\\\PlainText\") to create_field, with settings from its list",
        })
    }

    pub fn create_field(&self, input: FieldInput) -> ServiceResult<Value> {
        let type_name = required_text(
            "type",
            input.field_type.as_deref(),
            "\"PlainText\" (get_field_types lists them)",
        )?;
        let field_type = FieldType::parse(&type_name)?;
        let name = required_text("name", input.name.as_deref(), "\"Body\"")?;
        let handle = input
            .handle
            .filter(|h| !h.is_empty())
            .unwrap_or_else(|| slug::handle_from_name(&name));
        slug::check_field_handle(&handle)?;
        let settings = super::object_arg("settings", input.settings)?;
        let settings = field_type.check_settings(&settings)?;
        let content = self.store().content();
        if let Some(taken) = content.fields()?.iter().find(|f| f.handle == handle) {
            return Err(handle_taken("field", &handle, taken.id, "get_fields"));
        }
        let now = now_millis();
        let mut row = FieldRow {
            id: 0,
            name,
            handle: handle.clone(),
            field_type: field_type.class_name().into(),
            instructions: input.instructions.filter(|i| !i.is_empty()),
            searchable: input.searchable.unwrap_or(field_type.is_textual()),
            settings: Value::Object(settings),
            created_at: now,
            updated_at: now,
        };
        row.id = content
            .insert_field(&row)
            .map_err(|e| structure_conflict(e, "field", &handle))?;
        let mut result = Self::field_json(&row, None);
        result["message"] = json!(format!(
            "created field '{handle}' (fieldId {}); place it in an entry type's layout with update_field_layout ({{\"type\": \"CustomField\", \"fieldId\": {}}})",
            row.id, row.id
        ));
        Ok(result)
    }

    pub fn update_field(&self, field_id: i64, input: FieldInput) -> ServiceResult<Value> {
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
                row.settings = json!({});
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
                return Err(handle_taken("field", &handle, taken.id, "get_fields"));
            }
            row.handle = handle;
        }
        if let Some(instructions) = input.instructions {
            row.instructions = Some(instructions).filter(|i| !i.is_empty());
        }
        if let Some(searchable) = input.searchable {
            if searchable != row.searchable {
                notes.push("the search index picks up the change as entries are next saved");
            }
            row.searchable = searchable;
        }
        let mut settings = row.settings.as_object().cloned().unwrap_or_default();
        if input.settings.is_some() {
            let patch = super::object_arg("settings", input.settings)?;
            imprint_engine::merge::apply_patch(&mut settings, &patch);
        }
        row.settings = Value::Object(field_type.check_settings(&settings)?);
        row.field_type = field_type.class_name().into();
        row.updated_at = now_millis();
        let handle = row.handle.clone();
        content
            .update_field(&row)
            .map_err(|e| structure_conflict(e, "field", &handle))?;
        let mut result = Self::field_json(&row, None);
        result["message"] = json!(if notes.is_empty() {
            format!("updated field '{}'", row.handle)
        } else {
            format!("updated field '{}'; {}", row.handle, notes.join("; "))
        });
        Ok(result)
    }

    pub fn delete_field(&self, field_id: i64, force: bool) -> ServiceResult<Value> {
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
                "field '{}' is in the layout of entry type(s) {} with {} entr(y/ies) and {} draft(s); deleting it hides their '{}' values (revisions keep them): pass force: true to go ahead",
                row.handle,
                type_handles.join(", "),
                impact.entries,
                impact.drafts,
                row.handle
            ))
            .with_details(json!({"impact": {"entries": impact.entries, "drafts": impact.drafts}})));
        }
        content.delete_field(field_id, &changed_layouts)?;
        Ok(json!({
            "fieldId": field_id,
            "deleted": true,
            "removedFromFieldLayoutIds": changed_layouts.iter().map(|l| l.id).collect::<Vec<_>>(),
            "impact": {"entries": impact.entries, "drafts": impact.drafts},
            "message": format!("deleted field '{}'", row.handle),
        }))
    }

    // ----- field layouts --------------------------------------------------------------

    fn layout_json(&self, layout_id: i64, kind: &str, layout: &Layout) -> ServiceResult<Value> {
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
        Ok(json!({
            "fieldLayoutId": layout_id,
            "fieldLayout": {"id": layout_id, "type": kind, "tabs": tabs},
            "entryTypeIds": entry_type_ids,
        }))
    }

    pub fn create_field_layout(&self, kind: Option<&str>) -> ServiceResult<Value> {
        let kind = match kind.map(str::trim).filter(|k| !k.is_empty()) {
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
        let mut result = self.layout_json(id, kind, &layout)?;
        result["message"] = json!(format!(
            "created field layout {id} with the title element; update_field_layout sets its tabs, create_entry_type or update_entry_type (fieldLayoutId {id}) uses it"
        ));
        Ok(result)
    }

    pub fn get_field_layout(&self, layout_id: i64) -> ServiceResult<Value> {
        let row = self
            .store()
            .content()
            .field_layout(layout_id)?
            .ok_or_else(|| unknown_layout(layout_id))?;
        let layout = self.layout_of(layout_id)?;
        self.layout_json(layout_id, &row.kind, &layout)
    }

    pub fn update_field_layout(&self, layout_id: i64, tabs: Option<Value>) -> ServiceResult<Value> {
        let content = self.store().content();
        let row = content
            .field_layout(layout_id)?
            .ok_or_else(|| unknown_layout(layout_id))?;
        let tabs = match tabs {
            None | Some(Value::Null) => {
                return Err(ServiceError::invalid(
                    "tabs is required: an array like [{\"name\": \"Content\", \"elements\": [{\"type\": \"title\"}, {\"type\": \"CustomField\", \"fieldId\": 3, \"required\": true}]}] (elements with a uid from get_field_layout are kept)",
                ));
            }
            Some(Value::String(text)) => serde_json::from_str(&text)
                .map_err(|e| ServiceError::invalid(format!("tabs is not valid JSON: {e}")))?,
            Some(value) => value,
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
        let mut result = self.layout_json(layout_id, &row.kind, &layout)?;
        result["message"] = json!(format!(
            "saved field layout {layout_id}: {} tab(s), {} custom field(s)",
            layout.tabs.len(),
            layout.field_ids().len()
        ));
        Ok(result)
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

/// The section's settings for a site (defaults for a site added after the section).
pub(crate) fn site_settings_for(section: &SectionRow, site_id: i64) -> Map<String, Value> {
    let stored = section
        .settings
        .get("siteSettings")
        .and_then(|s| s.get(site_id.to_string()))
        .and_then(Value::as_object)
        .cloned();
    stored.unwrap_or_else(|| {
        let uri = if section.kind == "single" {
            section.handle.clone()
        } else {
            format!("{}/{{slug}}", section.handle)
        };
        let defaults = json!({"enabled": true, "enabledByDefault": true, "hasUrls": true, "uriFormat": uri, "template": null});
        defaults.as_object().cloned().unwrap_or_default()
    })
}

pub(crate) fn layout_tabs(layout: &Layout) -> Value {
    serde_json::to_value(&layout.tabs).unwrap_or(Value::Array(Vec::new()))
}

fn unknown_field(field_id: i64) -> ServiceError {
    ServiceError::not_found(format!(
        "fieldId {field_id} does not exist: get_fields lists the fields"
    ))
}

fn unknown_layout(layout_id: i64) -> ServiceError {
    ServiceError::not_found(format!(
        "fieldLayoutId {layout_id} does not exist: get_entry_types shows each entry type's fieldLayoutId"
    ))
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
