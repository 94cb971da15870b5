//! Sections: `get_sections`, `create_section`, `update_section`, `delete_section`.

use imprint_content::{slug, template};
use imprint_store::content::{EntryTypeRow, Scope, SectionRow, SiteRow};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value, json};

use super::{
    ObjectList, Removed, handle_taken, impact_json, required_text, structure_conflict, unknown_site,
};
use crate::api::{Flag, Id, IdList};
use crate::error::{ServiceError, ServiceResult};
use crate::next::{Hint, NextStep, ToolWords};
use crate::{Service, now_millis};

/// `get_sections`: sections with their entry types and per-site settings.
#[derive(Debug, Clone, Default, Deserialize, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct GetSections {
    /// Only these sections; omitted or empty: all sections.
    pub section_ids: Option<IdList>,
}

/// `create_section`.
#[derive(Debug, Clone, Default, Deserialize, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct CreateSection {
    /// Display name, e.g. "Blog".
    pub name: String,
    /// "single" (one entry, e.g. a home page), "channel" (a stream of entries, the default) or "structure" (ordered entries).
    #[serde(rename = "type", alias = "kind")]
    pub kind: Option<String>,
    /// Entry types entries of this section may use (at least one; get_entry_types lists them, create_entry_type makes one). The first is the default.
    pub entry_type_ids: IdList,
    /// Handle (default: derived from the name).
    pub handle: Option<String>,
    /// Per-site settings: [{"siteId": 1, "enabledByDefault": true, "hasUrls": true, "uriFormat": "blog/{slug}", "template": "blog/_entry"}]. URI formats default to "{handle}" for singles and "{handle}/{slug}" otherwise; tokens: {slug}, {id}, {section.handle}, {type.handle}, {postDate|date('Y')}, {postDate|date('m')}, {postDate|date('d')}. `siteSettingsData` is the same parameter.
    #[serde(alias = "siteSettingsData")]
    pub site_settings: Option<ObjectList>,
    /// Structure sections: the deepest nesting level (0 or omitted: unlimited).
    pub max_levels: Option<i64>,
    /// Keep revisions (default true; Imprint signs a revision for every write regardless).
    pub enable_versioning: Option<Flag>,
    /// Which other sites an entry saved in one site (create_entry, update_entry, apply_draft) is saved to as well: "all" (the default: every site the section is enabled for), "siteGroup" (the sites of the same site group), "language" (sites with the same language), "custom" (the sites each entry chooses with siteIds) or "none" (only the site it is saved in). Fields' translationMethod decides which values a save changes in sites the entry is already in.
    pub propagation_method: Option<String>,
    /// Structure sections: where new entries go, "end" (the default) or "beginning".
    pub default_placement: Option<String>,
    /// The most authors an entry may have (default 1; at least 1).
    pub max_authors: Option<Id>,
}

/// `update_section`: only the parameters given change.
#[derive(Debug, Clone, Deserialize, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct UpdateSection {
    /// The section to change (get_sections lists them).
    pub section_id: Id,
    /// Display name, e.g. "Blog".
    pub name: Option<String>,
    /// "single", "channel" or "structure" (a section with entries cannot become or stop being a single).
    #[serde(rename = "type", alias = "kind")]
    pub kind: Option<String>,
    /// Entry types entries of this section may use (replaces the list; at least one). The first is the default.
    pub entry_type_ids: Option<IdList>,
    /// Handle.
    pub handle: Option<String>,
    /// Per-site settings, only the sites and keys given change: [{"siteId": 1, "enabled": true, "enabledByDefault": true, "hasUrls": true, "uriFormat": "blog/{slug}", "template": "blog/_entry"}]. Tokens: {slug}, {id}, {section.handle}, {type.handle}, {postDate|date('Y')}, {postDate|date('m')}, {postDate|date('d')}. `siteSettingsData` is the same parameter.
    #[serde(alias = "siteSettingsData")]
    pub site_settings: Option<ObjectList>,
    /// Structure sections: the deepest nesting level (0: unlimited).
    pub max_levels: Option<i64>,
    /// Keep revisions (Imprint signs a revision for every write regardless).
    pub enable_versioning: Option<Flag>,
    /// Which other sites an entry saved in one site is saved to as well: "all", "siteGroup" (same site group), "language" (same language), "custom" (the sites each entry chooses with siteIds) or "none".
    pub propagation_method: Option<String>,
    /// Structure sections: where new entries go, "end" or "beginning".
    pub default_placement: Option<String>,
    /// The most authors an entry may have (at least 1).
    pub max_authors: Option<Id>,
}

/// `delete_section`.
#[derive(Debug, Clone, Deserialize, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct DeleteSection {
    /// The section to delete (get_sections lists them).
    pub section_id: Id,
    /// Delete even though entries, drafts and revisions would be deleted with it (the error without it reports how many).
    pub force: Option<Flag>,
}

const SECTION_TYPES: &[&str] = &["single", "channel", "structure"];
pub(crate) const PROPAGATION_METHODS: &[&str] = &["all", "siteGroup", "language", "custom", "none"];
const PLACEMENTS: &[&str] = &["end", "beginning"];

/// A choice among `allowed` (matched case-insensitively, answered in its listed spelling).
fn check_choice(
    name: &str,
    value: Option<&str>,
    allowed: &'static [&'static str],
) -> ServiceResult<Option<&'static str>> {
    let Some(value) = value.map(str::trim).filter(|v| !v.is_empty()) else {
        return Ok(None);
    };
    allowed
        .iter()
        .find(|a| a.eq_ignore_ascii_case(value))
        .map(|a| Some(*a))
        .ok_or_else(|| {
            ServiceError::invalid(format!(
                "{name} \"{value}\" is unknown: use {}",
                allowed.join(", ")
            ))
        })
}

fn check_max_authors(value: Option<Id>) -> ServiceResult<Option<i64>> {
    match value.map(Id::get) {
        Some(n) if n < 1 => Err(ServiceError::invalid("maxAuthors must be at least 1")),
        other => Ok(other),
    }
}

/// The section's `propagationMethod`. New sections store one ("all" unless given);
/// sections made before it existed read as "none", what they did then, so existing
/// entries do not start copying themselves to other sites.
pub(crate) fn propagation_method(section: &SectionRow) -> &str {
    section
        .settings
        .get("propagationMethod")
        .and_then(Value::as_str)
        .unwrap_or("none")
}

/// The section's `maxAuthors` (1 unless set).
pub(crate) fn max_authors(section: &SectionRow) -> i64 {
    section
        .settings
        .get("maxAuthors")
        .and_then(Value::as_i64)
        .unwrap_or(1)
}

/// The answer of `delete_section`.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct SectionDeleted {
    pub section_id: i64,
    pub deleted: bool,
    /// The entries, drafts and revisions deleted with it (with the Craft plugin's
    /// `hasContent`, `entryCount`, `draftCount`, `revisionCount`, `entryTypeCount`,
    /// `entryTypes` beside them).
    pub impact: SectionImpact,
    /// The Craft plugin's keys: the section as it was.
    pub id: i64,
    pub name: String,
    pub handle: String,
    #[serde(rename = "type")]
    pub kind: String,
    pub message: String,
}

/// What deleting a section removed, under Imprint's and the Craft plugin's names.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct SectionImpact {
    #[serde(flatten)]
    pub removed: Removed,
    pub has_content: bool,
    pub entry_count: i64,
    pub draft_count: i64,
    pub revision_count: i64,
    pub entry_type_count: usize,
    /// `{"id", "name", "handle"}` of each entry type the section listed (they stay).
    pub entry_types: Vec<Value>,
}

/// An entry type as a section lists it.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SectionEntryType {
    pub entry_type_id: i64,
    pub id: i64,
    pub name: String,
    pub handle: String,
}

/// A section as every section operation shows it.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SectionView {
    pub section_id: i64,
    pub id: i64,
    pub name: String,
    pub handle: String,
    #[serde(rename = "type")]
    pub kind: String,
    pub entry_types: Vec<SectionEntryType>,
    pub entry_type_ids: Vec<i64>,
    /// One object per site, as stored, with its `siteId` last.
    pub site_settings: Vec<Value>,
    /// As stored: a number, or null for unlimited.
    pub max_levels: Option<Value>,
    pub enable_versioning: bool,
    pub propagation_method: String,
    pub default_placement: String,
    pub max_authors: i64,
    /// The control panel page of this section.
    pub edit_url: String,
}

/// The answer of `get_sections`.
#[derive(Debug, Clone, Serialize)]
pub struct SectionList {
    pub sections: Vec<SectionView>,
    pub count: usize,
}

/// The answer of `create_section`.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SectionCreated {
    #[serde(flatten)]
    pub section: SectionView,
    pub message: String,
    /// What can follow, as data (the end of `message`, in tool names there).
    #[serde(skip_serializing_if = "Hint::is_empty")]
    pub next: Hint,
    /// Singles only: their one entry (null when no site is enabled for the section).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub entry_id: Option<Option<i64>>,
}

/// The answer of `update_section`.
#[derive(Debug, Clone, Serialize)]
pub struct SectionUpdated {
    #[serde(flatten)]
    pub section: SectionView,
    pub message: String,
}

impl Service {
    fn section_view(
        &self,
        section: &SectionRow,
        entry_types: &[EntryTypeRow],
        sites: &[SiteRow],
    ) -> SectionView {
        let types = section
            .entry_type_ids
            .iter()
            .filter_map(|id| entry_types.iter().find(|t| t.id == *id))
            .map(|t| SectionEntryType {
                entry_type_id: t.id,
                id: t.id,
                name: t.name.clone(),
                handle: t.handle.clone(),
            })
            .collect();
        let site_settings = sites
            .iter()
            .map(|site| {
                let mut settings = site_settings_for(section, site.id);
                settings.insert("siteId".into(), json!(site.id));
                Value::Object(settings)
            })
            .collect();
        SectionView {
            section_id: section.id,
            id: section.id,
            name: section.name.clone(),
            handle: section.handle.clone(),
            kind: section.kind.clone(),
            entry_types: types,
            entry_type_ids: section.entry_type_ids.clone(),
            site_settings,
            max_levels: section.settings.get("maxLevels").cloned(),
            enable_versioning: section
                .settings
                .get("enableVersioning")
                .and_then(Value::as_bool)
                .unwrap_or(true),
            propagation_method: propagation_method(section).to_string(),
            default_placement: section
                .settings
                .get("defaultPlacement")
                .and_then(Value::as_str)
                .unwrap_or("end")
                .to_string(),
            max_authors: max_authors(section),
            edit_url: format!("{}/cp/sections/{}", self.public_url(), section.id),
        }
    }

    pub fn get_sections(&self, request: GetSections) -> ServiceResult<SectionList> {
        // An empty list is no filter: "the sections in []" listing nothing surprises everyone.
        let section_ids = request
            .section_ids
            .map(|ids| ids.ids())
            .filter(|ids| !ids.is_empty());
        let content = self.store().content();
        let (sections, entry_types, sites) = (
            content.sections()?,
            content.entry_types()?,
            content.sites()?,
        );
        if let Some(ids) = &section_ids
            && let Some(missing) = ids.iter().find(|id| !sections.iter().any(|s| s.id == **id))
        {
            return Err(
                ServiceError::not_found(format!("sectionId {missing} does not exist")).with_hint(
                    Hint::text(": ")
                        .either(
                            "call get_sections without sectionIds",
                            Hint::default()
                                .verb()
                                .then(" ")
                                .step(NextStep::ListSections),
                        )
                        .then(" to list them all"),
                ),
            );
        }
        let listed: Vec<SectionView> = sections
            .iter()
            .filter(|s| section_ids.as_ref().is_none_or(|ids| ids.contains(&s.id)))
            .map(|s| self.section_view(s, &entry_types, &sites))
            .collect();
        Ok(SectionList {
            count: listed.len(),
            sections: listed,
        })
    }

    fn check_entry_type_ids(&self, ids: &[i64]) -> ServiceResult<()> {
        let types = self.store().content().entry_types()?;
        for id in ids {
            if !types.iter().any(|t| t.id == *id) {
                return Err(
                    ServiceError::not_found(format!("entryTypeId {id} does not exist")).with_hint(
                        Hint::text(": ")
                            .step(NextStep::ListEntryTypes)
                            .then(" lists them, ")
                            .step(NextStep::CreateEntryType)
                            .then(" makes one"),
                    ),
                );
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
        given: Option<&ObjectList>,
    ) -> ServiceResult<Map<String, Value>> {
        let mut settings = current.clone();
        let Some(given) = given else {
            return Ok(settings);
        };
        let given = match &given.0 {
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
            let site_id = match site {
                None | Some(Value::Null) => {
                    return Err(
                        ServiceError::invalid("each siteSettings item needs a siteId").with_hint(
                            Hint::text(" (")
                                .step(NextStep::ListSites)
                                .then(" lists them)"),
                        ),
                    );
                }
                Some(value) => setting::<Id>("siteSettings[].siteId", value)?.get(),
            };
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
                        let flag = match value {
                            Value::Null => true,
                            value => setting::<Flag>(&format!("siteSettings.{key}"), value)?.0,
                        };
                        entry.insert(key, json!(flag));
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

    pub fn create_section(&self, input: CreateSection) -> ServiceResult<SectionCreated> {
        let name = required_text("name", Some(&input.name), "\"Blog\"")?;
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
        let entry_type_ids = input.entry_type_ids.ids();
        if entry_type_ids.is_empty() {
            return Err(ServiceError::invalid(
                "entryTypeIds is required: a section needs at least one entry type",
            )
            .with_hint(
                Hint::text(" (")
                    .step(NextStep::CreateEntryType)
                    .then(" makes one, ")
                    .step(NextStep::ListEntryTypes)
                    .then(" lists them)"),
            ));
        }
        self.check_entry_type_ids(&entry_type_ids)?;
        let content = self.store().content();
        if let Some(taken) = content.sections()?.iter().find(|s| s.handle == handle) {
            return Err(handle_taken(
                "section",
                &handle,
                taken.id,
                NextStep::ListSections,
            ));
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
                "enableVersioning": input.enable_versioning.is_none_or(|v| v.0),
                "propagationMethod": check_choice("propagationMethod", input.propagation_method.as_deref(), PROPAGATION_METHODS)?.unwrap_or("all"),
                "defaultPlacement": check_choice("defaultPlacement", input.default_placement.as_deref(), PLACEMENTS)?.unwrap_or("end"),
                "maxAuthors": check_max_authors(input.max_authors)?.unwrap_or(1),
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
        let section = self.section_view(&row, &content.entry_types()?, &content.sites()?);
        let (message, next) = if kind == "single" {
            let entry_id = single_entries.first().map_or(0, |id| *id);
            let next = Hint::text("; ")
                .step(NextStep::UpdateEntry { entry_id })
                .then(" or ")
                .step(NextStep::CreateDraft {
                    canonical_id: Some(entry_id),
                })
                .then(" edits it");
            let message = format!(
                "created single section '{handle}' (sectionId {}) with its one entry (entryId {entry_id}){}",
                row.id,
                next.word(&ToolWords)
            );
            (message, next)
        } else {
            let next = Hint::text("; ")
                .step(NextStep::CreateEntry)
                .then(" or ")
                .step(NextStep::CreateDraft { canonical_id: None })
                .then(&format!(" with sectionId {} adds entries", row.id));
            let message = format!(
                "created section '{handle}' (sectionId {}){}",
                row.id,
                next.word(&ToolWords)
            );
            (message, next)
        };
        Ok(SectionCreated {
            section,
            message,
            next,
            entry_id: (kind == "single").then(|| single_entries.first().copied()),
        })
    }

    pub fn update_section(&self, input: UpdateSection) -> ServiceResult<SectionUpdated> {
        let section_id = input.section_id.get();
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
                return Err(handle_taken(
                    "section",
                    &handle,
                    taken.id,
                    NextStep::ListSections,
                ));
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
        if let Some(ids) = input.entry_type_ids.map(|ids| ids.ids()) {
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
            settings.insert("enableVersioning".into(), json!(versioning.0));
        }
        if let Some(method) = check_choice(
            "propagationMethod",
            input.propagation_method.as_deref(),
            PROPAGATION_METHODS,
        )? {
            settings.insert("propagationMethod".into(), json!(method));
        }
        if let Some(placement) = check_choice(
            "defaultPlacement",
            input.default_placement.as_deref(),
            PLACEMENTS,
        )? {
            settings.insert("defaultPlacement".into(), json!(placement));
        }
        if let Some(max) = check_max_authors(input.max_authors)? {
            settings.insert("maxAuthors".into(), json!(max));
        }
        row.settings = Value::Object(settings);
        row.updated_at = now_millis();
        let handle = row.handle.clone();
        content
            .update_section(&row)
            .map_err(|e| structure_conflict(e, "section", &handle))?;
        Ok(SectionUpdated {
            section: self.section_view(&row, &content.entry_types()?, &content.sites()?),
            message: format!(
                "updated section '{}'; new URI formats apply to entries as they are next saved",
                row.handle
            ),
        })
    }

    pub fn delete_section(&self, request: DeleteSection) -> ServiceResult<SectionDeleted> {
        let (section_id, force) = (request.section_id.get(), request.force.is_some_and(|f| f.0));
        let section = self.section_row(section_id)?;
        let content = self.store().content();
        let impact = content.impact(Scope::Section(section_id))?;
        if (impact.entries > 0 || impact.drafts > 0) && !force {
            return Err(ServiceError::conflict(format!(
                "section '{}' holds {} entr(y/ies) in all sites, {} draft(s) and {} revision(s); deleting it deletes them",
                section.handle, impact.entries, impact.drafts, impact.revisions
            ))
            .with_hint(super::force_hint(NextStep::DeleteSection {
                section_id,
                force: true,
            }))
            .with_details(json!({"impact": impact_json(&impact)})));
        }
        let types = content.entry_types()?;
        let entry_types: Vec<Value> = section
            .entry_type_ids
            .iter()
            .filter_map(|id| types.iter().find(|t| t.id == *id))
            .map(|t| json!({"id": t.id, "name": t.name, "handle": t.handle}))
            .collect();
        let impact = content.delete_scope(Scope::Section(section_id))?;
        Ok(SectionDeleted {
            section_id,
            deleted: true,
            impact: SectionImpact {
                removed: impact.into(),
                has_content: impact.entries + impact.drafts + impact.revisions > 0,
                entry_count: impact.entries,
                draft_count: impact.drafts,
                revision_count: impact.revisions,
                entry_type_count: entry_types.len(),
                entry_types,
            },
            id: section.id,
            name: section.name.clone(),
            handle: section.handle.clone(),
            kind: section.kind.clone(),
            message: format!(
                "deleted section '{}' with {} entr(y/ies), {} draft(s) and {} revision(s)",
                section.handle, impact.entries, impact.drafts, impact.revisions
            ),
        })
    }
}

/// One value inside a `siteSettings` item, read like a request parameter (ids and flags
/// may arrive as strings), with an error naming where it is.
fn setting<T: serde::de::DeserializeOwned>(name: &str, value: Value) -> ServiceResult<T> {
    crate::api::parse(value).map_err(|e| ServiceError::invalid(format!("{name}: {}", e.message())))
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

crate::next::worded!(SectionCreated);
