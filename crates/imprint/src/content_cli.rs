//! `imprint content …`: the content family's operations, one subcommand per MCP tool
//! (same service methods, same data directory, so the CLI and a running server share
//! entries and drafts). JSON arguments (`--data`, `--settings`, `--tabs`,
//! `--site-settings`) take JSON text, `@path` for a file, or `@-` for standard input.

use clap::{Args, Subcommand};
use imprint_service::api::{self, Flag, Id, IdList, JsonObject};
use imprint_service::content::*;
use imprint_service::{Service, ServiceError, ServiceResult};
use serde_json::{Value, json};

use crate::cli::answer;
use crate::human::View;

#[derive(Debug, Subcommand)]
pub enum ContentCommand {
    /// Create many entries from a file (a JSON array or JSON lines of create-entry
    /// arguments), a batch per transaction, with a progress bar at a terminal.
    #[command(
        after_help = "Examples:\n  imprint content import posts.jsonl\n  imprint content import - < posts.json\n\nEach entry: {\"sectionId\": 1, \"attributeAndFieldData\": {\"title\": \"Hello\"}}"
    )]
    Import(crate::content_import::ImportArgs),
    /// List the sites.
    Sites,
    /// Create a site.
    CreateSite(SiteFlags),
    /// Change a site (or make it the primary one).
    UpdateSite {
        site_id: i64,
        #[command(flatten)]
        flags: SiteFlags,
    },
    /// List sections.
    Sections {
        /// Only these section ids (comma-separated).
        #[arg(long, value_delimiter = ',')]
        ids: Vec<i64>,
    },
    /// Create a section.
    CreateSection(SectionFlags),
    /// Change a section.
    UpdateSection {
        section_id: i64,
        #[command(flatten)]
        flags: SectionFlags,
    },
    /// Delete a section (--force when it holds entries or drafts).
    DeleteSection {
        section_id: i64,
        #[arg(long)]
        force: bool,
    },
    /// List entry types.
    EntryTypes {
        /// Only these entry type ids (comma-separated).
        #[arg(long, value_delimiter = ',')]
        ids: Vec<i64>,
    },
    /// Create an entry type (with a new field layout).
    CreateEntryType(EntryTypeFlags),
    /// Change an entry type.
    UpdateEntryType {
        entry_type_id: i64,
        #[command(flatten)]
        flags: EntryTypeFlags,
    },
    /// Delete an entry type (--force when entries or drafts use it).
    DeleteEntryType {
        entry_type_id: i64,
        #[arg(long)]
        force: bool,
    },
    /// List fields (those of one layout with --layout).
    Fields {
        #[arg(long)]
        layout: Option<i64>,
    },
    /// List the field types and their settings.
    FieldTypes,
    /// Create a field.
    CreateField(FieldFlags),
    /// Change a field.
    UpdateField {
        field_id: i64,
        #[command(flatten)]
        flags: FieldFlags,
    },
    /// Delete a field (--force when entries would lose visible values).
    DeleteField {
        field_id: i64,
        #[arg(long)]
        force: bool,
    },
    /// Create a field layout holding the title.
    CreateFieldLayout {
        /// The element type (default craft\elements\Entry).
        #[arg(long = "type")]
        kind: Option<String>,
    },
    /// Show a field layout.
    FieldLayout { field_layout_id: i64 },
    /// Replace a field layout's tabs.
    UpdateFieldLayout {
        field_layout_id: i64,
        /// The tabs, JSON (`imprint content field-layout` shows their shape).
        #[arg(long)]
        tabs: String,
    },
    /// Create a live entry.
    CreateEntry {
        #[arg(long)]
        section: i64,
        #[arg(long)]
        entry_type: Option<i64>,
        #[arg(long)]
        site: Option<i64>,
        /// attributeAndFieldData, JSON.
        #[arg(long)]
        data: Option<String>,
        /// propagationMethod "custom": the other sites to save it to (comma-separated).
        #[arg(long, value_delimiter = ',')]
        site_ids: Vec<i64>,
    },
    /// Show an entry (or a draft, by its id).
    GetEntry {
        entry_id: i64,
        #[arg(long)]
        site: Option<i64>,
    },
    /// Change a live entry (PATCH).
    UpdateEntry {
        entry_id: i64,
        /// attributeAndFieldData, JSON.
        #[arg(long)]
        data: String,
        #[arg(long)]
        site: Option<i64>,
        /// propagationMethod "custom": more sites to save it to (comma-separated).
        #[arg(long, value_delimiter = ',')]
        site_ids: Vec<i64>,
    },
    /// Move an entry to the trash (or delete it for good with --permanently).
    DeleteEntry {
        entry_id: i64,
        #[arg(long)]
        permanently: bool,
    },
    /// Bring an entry back from the trash.
    RestoreEntry { entry_id: i64 },
    /// Full-text search.
    Search {
        query: String,
        #[arg(long)]
        limit: Option<usize>,
        /// live (default), pending, expired, disabled or all.
        #[arg(long)]
        status: Option<String>,
        /// Section ids (comma-separated).
        #[arg(long, value_delimiter = ',')]
        sections: Vec<i64>,
        #[arg(long)]
        site: Option<i64>,
    },
    /// Create a draft of an entry (--canonical) or of a new entry (--section).
    CreateDraft {
        #[arg(long)]
        canonical: Option<i64>,
        #[arg(long)]
        section: Option<i64>,
        #[arg(long)]
        entry_type: Option<i64>,
        #[arg(long)]
        site: Option<i64>,
        #[arg(long)]
        name: Option<String>,
        #[arg(long)]
        notes: Option<String>,
        #[arg(long)]
        provisional: bool,
        /// attributeAndFieldData, JSON.
        #[arg(long)]
        data: Option<String>,
    },
    /// Change a draft (PATCH).
    UpdateDraft {
        draft_id: i64,
        #[arg(long)]
        data: Option<String>,
        #[arg(long)]
        name: Option<String>,
        #[arg(long)]
        notes: Option<String>,
    },
    /// Make a draft live.
    ApplyDraft { draft_id: i64 },
    /// List drafts.
    Drafts {
        #[arg(long)]
        canonical: Option<i64>,
        #[arg(long)]
        site: Option<i64>,
        #[arg(long)]
        section: Option<i64>,
        #[arg(long)]
        provisional: Option<bool>,
        #[arg(long)]
        creator: Option<String>,
        #[arg(long)]
        from_scratch: bool,
        #[arg(long)]
        limit: Option<usize>,
    },
    /// Delete a draft.
    DeleteDraft { draft_id: i64 },
    /// List an entry's revisions.
    Revisions {
        entry_id: i64,
        #[arg(long)]
        site: Option<i64>,
        #[arg(long)]
        limit: Option<usize>,
    },
    /// Show one revision (verified).
    Revision {
        entry_id: i64,
        revision: i64,
        #[arg(long)]
        site: Option<i64>,
    },
    /// Make an old revision's content current again.
    Revert {
        entry_id: i64,
        revision: i64,
        #[arg(long)]
        site: Option<i64>,
    },
}

#[derive(Debug, Args)]
pub struct SiteFlags {
    #[arg(long)]
    name: Option<String>,
    #[arg(long)]
    handle: Option<String>,
    #[arg(long)]
    language: Option<String>,
    /// Base URL ("" clears it).
    #[arg(long)]
    base_url: Option<String>,
    /// Make it the primary site.
    #[arg(long)]
    primary: bool,
    /// The site group (propagation and translation by group).
    #[arg(long)]
    group: Option<String>,
}

#[derive(Debug, Args)]
pub struct SectionFlags {
    #[arg(long)]
    name: Option<String>,
    #[arg(long)]
    handle: Option<String>,
    /// single, channel or structure.
    #[arg(long = "type")]
    kind: Option<String>,
    /// Entry type ids (comma-separated).
    #[arg(long, value_delimiter = ',')]
    entry_type_ids: Vec<i64>,
    /// Per-site settings, JSON.
    #[arg(long)]
    site_settings: Option<String>,
    #[arg(long)]
    max_levels: Option<i64>,
}

#[derive(Debug, Args)]
pub struct EntryTypeFlags {
    #[arg(long)]
    name: Option<String>,
    #[arg(long)]
    handle: Option<String>,
    #[arg(long)]
    has_title_field: Option<bool>,
    #[arg(long)]
    title_format: Option<String>,
    #[arg(long)]
    icon: Option<String>,
    #[arg(long)]
    color: Option<String>,
    #[arg(long)]
    description: Option<String>,
    #[arg(long)]
    field_layout_id: Option<i64>,
}

#[derive(Debug, Args)]
pub struct FieldFlags {
    /// Field type, e.g. PlainText or craft\fields\PlainText.
    #[arg(long = "type")]
    field_type: Option<String>,
    #[arg(long)]
    name: Option<String>,
    #[arg(long)]
    handle: Option<String>,
    #[arg(long)]
    instructions: Option<String>,
    /// Settings, JSON.
    #[arg(long)]
    settings: Option<String>,
    #[arg(long)]
    searchable: Option<bool>,
}

/// JSON text, `@path` (a file) or `@-` (standard input).
fn json_arg(flag: &str, text: Option<String>) -> ServiceResult<Option<Value>> {
    let Some(text) = text else {
        return Ok(None);
    };
    let text = match text.strip_prefix('@') {
        Some("-") => std::io::read_to_string(std::io::stdin()).map_err(|e| {
            ServiceError::invalid(format!("cannot read standard input for --{flag}: {e}"))
        })?,
        Some(path) => std::fs::read_to_string(path)
            .map_err(|e| ServiceError::invalid(format!("cannot read {path} for --{flag}: {e}")))?,
        None => text,
    };
    serde_json::from_str(&text)
        .map(Some)
        .map_err(|e| ServiceError::invalid(format!("--{flag} is not valid JSON: {e}")))
}

/// An id from a flag or argument, checked like every surface checks it (positive).
fn id(value: i64) -> ServiceResult<Id> {
    api::parse(json!(value))
}

fn opt_id(value: Option<i64>) -> ServiceResult<Option<Id>> {
    value.map(id).transpose()
}

fn id_list(ids: Vec<i64>) -> ServiceResult<IdList> {
    ids.into_iter()
        .map(id)
        .collect::<ServiceResult<_>>()
        .map(IdList)
}

/// An empty `--ids` list is no filter.
fn some_ids(ids: Vec<i64>) -> ServiceResult<Option<IdList>> {
    id_list(ids).map(|ids| (!ids.0.is_empty()).then_some(ids))
}

/// A JSON object flag (`--data`, `--settings`).
fn object_arg(flag: &str, text: Option<String>) -> ServiceResult<Option<JsonObject>> {
    json_arg(flag, text)?
        .map(|value| {
            api::parse::<JsonObject>(value)
                .map_err(|e| ServiceError::invalid(format!("--{flag} {}", e.message())))
        })
        .transpose()
}

fn limit(value: Option<usize>) -> Option<u32> {
    value.map(|n| u32::try_from(n).unwrap_or(u32::MAX))
}

impl SiteFlags {
    fn create(self) -> CreateSite {
        CreateSite {
            name: self.name.unwrap_or_default(),
            handle: self.handle,
            language: self.language,
            base_url: self.base_url,
            primary: self.primary.then_some(Flag(true)),
            group: self.group,
        }
    }

    fn update(self, site_id: i64) -> ServiceResult<UpdateSite> {
        Ok(UpdateSite {
            site_id: id(site_id)?,
            name: self.name,
            handle: self.handle,
            language: self.language,
            base_url: self.base_url,
            primary: self.primary.then_some(Flag(true)),
            group: self.group,
        })
    }
}

impl SectionFlags {
    fn create(self) -> ServiceResult<CreateSection> {
        Ok(CreateSection {
            name: self.name.unwrap_or_default(),
            handle: self.handle,
            kind: self.kind,
            entry_type_ids: id_list(self.entry_type_ids)?,
            site_settings: json_arg("site-settings", self.site_settings)?.map(ObjectList),
            max_levels: self.max_levels,
            enable_versioning: None,
            propagation_method: None,
            default_placement: None,
            max_authors: None,
        })
    }

    fn update(self, section_id: i64) -> ServiceResult<UpdateSection> {
        Ok(UpdateSection {
            section_id: id(section_id)?,
            name: self.name,
            handle: self.handle,
            kind: self.kind,
            entry_type_ids: some_ids(self.entry_type_ids)?,
            site_settings: json_arg("site-settings", self.site_settings)?.map(ObjectList),
            max_levels: self.max_levels,
            enable_versioning: None,
            propagation_method: None,
            default_placement: None,
            max_authors: None,
        })
    }
}

impl EntryTypeFlags {
    fn create(self) -> ServiceResult<CreateEntryType> {
        Ok(CreateEntryType {
            name: self.name.unwrap_or_default(),
            handle: self.handle,
            has_title_field: self.has_title_field.map(Flag),
            title_format: self.title_format,
            icon: self.icon,
            color: self.color,
            description: self.description,
            field_layout_id: opt_id(self.field_layout_id)?,
            title_translation_method: None,
            title_translation_key_format: None,
            show_slug_field: None,
            show_status_field: None,
        })
    }

    fn update(self, entry_type_id: i64) -> ServiceResult<UpdateEntryType> {
        Ok(UpdateEntryType {
            entry_type_id: id(entry_type_id)?,
            name: self.name,
            handle: self.handle,
            has_title_field: self.has_title_field.map(Flag),
            title_format: self.title_format,
            icon: self.icon,
            color: self.color,
            description: self.description,
            field_layout_id: opt_id(self.field_layout_id)?,
            title_translation_method: None,
            title_translation_key_format: None,
            show_slug_field: None,
            show_status_field: None,
        })
    }
}

impl FieldFlags {
    fn create(self) -> ServiceResult<CreateField> {
        Ok(CreateField {
            field_type: self.field_type.unwrap_or_default(),
            name: self.name.unwrap_or_default(),
            handle: self.handle,
            instructions: self.instructions,
            settings: object_arg("settings", self.settings)?,
            searchable: self.searchable.map(Flag),
            translation_method: None,
            translation_key_format: None,
        })
    }

    fn update(self, field_id: i64) -> ServiceResult<UpdateField> {
        Ok(UpdateField {
            field_id: id(field_id)?,
            field_type: self.field_type,
            name: self.name,
            handle: self.handle,
            instructions: self.instructions,
            settings: object_arg("settings", self.settings)?,
            searchable: self.searchable.map(Flag),
            translation_method: None,
            translation_key_format: None,
        })
    }
}

/// Which rendering a content command's answer gets: search is a table, the rest say
/// their message (or show their fields).
pub fn view_of(command: &ContentCommand) -> View {
    match command {
        ContentCommand::Search { .. } => View::ContentSearch,
        _ => View::Other,
    }
}

/// The content commands that change something: the operation they run (its audit log
/// name) and on what. The CLI runs them through `Service::perform`.
pub fn audited(command: &ContentCommand) -> Option<(&'static str, String)> {
    use ContentCommand as C;
    Some(match command {
        C::Import(args) => ("create_entry", format!("import {}", args.file.display())),
        C::CreateSite(_) => ("create_site", String::new()),
        C::UpdateSite { site_id, .. } => ("update_site", format!("site {site_id}")),
        C::CreateSection(_) => ("create_section", String::new()),
        C::UpdateSection { section_id, .. } => ("update_section", format!("section {section_id}")),
        C::DeleteSection { section_id, .. } => ("delete_section", format!("section {section_id}")),
        C::CreateEntryType(_) => ("create_entry_type", String::new()),
        C::UpdateEntryType { entry_type_id, .. } => {
            ("update_entry_type", format!("entry type {entry_type_id}"))
        }
        C::DeleteEntryType { entry_type_id, .. } => {
            ("delete_entry_type", format!("entry type {entry_type_id}"))
        }
        C::CreateField(_) => ("create_field", String::new()),
        C::UpdateField { field_id, .. } => ("update_field", format!("field {field_id}")),
        C::DeleteField { field_id, .. } => ("delete_field", format!("field {field_id}")),
        C::CreateFieldLayout { .. } => ("create_field_layout", String::new()),
        C::UpdateFieldLayout {
            field_layout_id, ..
        } => (
            "update_field_layout",
            format!("field layout {field_layout_id}"),
        ),
        C::CreateEntry { section, .. } => ("create_entry", format!("section {section}")),
        C::UpdateEntry { entry_id, .. } => ("update_entry", format!("entry {entry_id}")),
        C::DeleteEntry { entry_id, .. } => ("delete_entry", format!("entry {entry_id}")),
        C::RestoreEntry { entry_id } => ("restore_entry", format!("entry {entry_id}")),
        C::CreateDraft { canonical, .. } => (
            "create_draft",
            canonical.map_or_else(String::new, |id| format!("entry {id}")),
        ),
        C::UpdateDraft { draft_id, .. } => ("update_draft", format!("draft {draft_id}")),
        C::ApplyDraft { draft_id } => ("apply_draft", format!("draft {draft_id}")),
        C::DeleteDraft { draft_id } => ("delete_draft", format!("draft {draft_id}")),
        C::Revert { entry_id, .. } => ("revert_entry", format!("entry {entry_id}")),
        C::Sites
        | C::Sections { .. }
        | C::EntryTypes { .. }
        | C::Fields { .. }
        | C::FieldTypes
        | C::FieldLayout { .. }
        | C::GetEntry { .. }
        | C::Search { .. }
        | C::Drafts { .. }
        | C::Revisions { .. }
        | C::Revision { .. } => return None,
    })
}

pub fn run(service: &Service, command: ContentCommand, json: bool) -> ServiceResult<Value> {
    use ContentCommand as C;
    match command {
        C::Import(args) => crate::content_import::run(service, args, json),
        C::Sites => answer(service.get_sites(GetSites {})),
        C::CreateSite(flags) => crate::cli::worded(service.create_site(flags.create()), json),
        C::UpdateSite { site_id, flags } => {
            crate::cli::worded(service.update_site(flags.update(site_id)?), json)
        }
        C::Sections { ids } => answer(service.get_sections(GetSections {
            section_ids: some_ids(ids)?,
        })),
        C::CreateSection(flags) => {
            crate::cli::worded(service.create_section(flags.create()?), json)
        }
        C::UpdateSection { section_id, flags } => {
            answer(service.update_section(flags.update(section_id)?))
        }
        C::DeleteSection { section_id, force } => answer(service.delete_section(DeleteSection {
            section_id: id(section_id)?,
            force: Some(Flag(force)),
        })),
        C::EntryTypes { ids } => answer(service.get_entry_types(GetEntryTypes {
            entry_type_ids: some_ids(ids)?,
        })),
        C::CreateEntryType(flags) => {
            crate::cli::worded(service.create_entry_type(flags.create()?), json)
        }
        C::UpdateEntryType {
            entry_type_id,
            flags,
        } => crate::cli::worded(
            service.update_entry_type(flags.update(entry_type_id)?),
            json,
        ),
        C::DeleteEntryType {
            entry_type_id,
            force,
        } => answer(service.delete_entry_type(DeleteEntryType {
            entry_type_id: id(entry_type_id)?,
            force: Some(Flag(force)),
        })),
        C::Fields { layout } => answer(service.get_fields(GetFields {
            field_layout_id: opt_id(layout)?,
        })),
        C::FieldTypes => crate::cli::worded(service.get_field_types(GetFieldTypes {}), json),
        C::CreateField(flags) => crate::cli::worded(service.create_field(flags.create()?), json),
        C::UpdateField { field_id, flags } => {
            crate::cli::worded(service.update_field(flags.update(field_id)?), json)
        }
        C::DeleteField { field_id, force } => answer(service.delete_field(DeleteField {
            field_id: id(field_id)?,
            force: Some(Flag(force)),
        })),
        C::CreateFieldLayout { kind } => crate::cli::worded(
            service.create_field_layout(CreateFieldLayout { kind }),
            json,
        ),
        C::FieldLayout { field_layout_id } => answer(service.get_field_layout(GetFieldLayout {
            field_layout_id: id(field_layout_id)?,
        })),
        C::UpdateFieldLayout {
            field_layout_id,
            tabs,
        } => answer(service.update_field_layout(UpdateFieldLayout {
            field_layout_id: id(field_layout_id)?,
            tabs: ObjectList(json_arg("tabs", Some(tabs))?.unwrap_or_default()),
        })),
        C::CreateEntry {
            section,
            entry_type,
            site,
            data,
            site_ids,
        } => answer(service.create_entry(CreateEntry {
            section_id: id(section)?,
            entry_type_id: opt_id(entry_type)?,
            site_id: opt_id(site)?,
            attribute_and_field_data: object_arg("data", data)?,
            site_ids: some_ids(site_ids)?,
        })),
        C::GetEntry { entry_id, site } => answer(service.get_entry(GetEntry {
            entry_id: id(entry_id)?,
            site_id: opt_id(site)?,
        })),
        C::UpdateEntry {
            entry_id,
            data,
            site,
            site_ids,
        } => answer(service.update_entry(UpdateEntry {
            entry_id: id(entry_id)?,
            attribute_and_field_data: object_arg("data", Some(data))?.unwrap_or_default(),
            site_id: opt_id(site)?,
            site_ids: some_ids(site_ids)?,
        })),
        C::DeleteEntry {
            entry_id,
            permanently,
        } => crate::cli::worded(
            service.delete_entry(DeleteEntry {
                entry_id: id(entry_id)?,
                permanently_delete: Some(Flag(permanently)),
            }),
            json,
        ),
        C::RestoreEntry { entry_id } => answer(service.restore_entry(RestoreEntry {
            entry_id: id(entry_id)?,
        })),
        C::Search {
            query,
            limit: count,
            status,
            sections,
            site,
        } => crate::cli::worded(
            service.search_content(SearchContent {
                query: Some(query),
                limit: limit(count),
                status,
                section_ids: some_ids(sections)?,
                site_id: opt_id(site)?,
            }),
            json,
        ),
        C::CreateDraft {
            canonical,
            section,
            entry_type,
            site,
            name,
            notes,
            provisional,
            data,
        } => answer(service.create_draft(CreateDraft {
            section_id: opt_id(section)?,
            entry_type_id: opt_id(entry_type)?,
            canonical_id: opt_id(canonical)?,
            draft_name: name,
            draft_notes: notes,
            provisional: Some(Flag(provisional)),
            site_id: opt_id(site)?,
            attribute_and_field_data: object_arg("data", data)?,
        })),
        C::UpdateDraft {
            draft_id,
            data,
            name,
            notes,
        } => answer(service.update_draft(UpdateDraft {
            draft_id: id(draft_id)?,
            attribute_and_field_data: object_arg("data", data)?,
            draft_name: name,
            draft_notes: notes,
            expected_version: None,
        })),
        C::ApplyDraft { draft_id } => answer(service.apply_draft(ApplyDraft {
            draft_id: id(draft_id)?,
            expected_version: None,
        })),
        C::Drafts {
            canonical,
            site,
            section,
            provisional,
            creator,
            from_scratch,
            limit: count,
        } => answer(service.list_entry_drafts(ListDrafts {
            canonical_id: opt_id(canonical)?,
            site_id: opt_id(site)?,
            section_id: opt_id(section)?,
            provisional: provisional.map(Flag),
            creator,
            from_scratch: Some(Flag(from_scratch)),
            limit: limit(count),
        })),
        C::DeleteDraft { draft_id } => answer(service.delete_draft(DeleteDraft {
            draft_id: id(draft_id)?,
            expected_version: None,
        })),
        C::Revisions {
            entry_id,
            site,
            limit: count,
        } => crate::cli::worded(
            service.list_revisions(ListRevisions {
                entry_id: id(entry_id)?,
                site_id: opt_id(site)?,
                limit: limit(count),
            }),
            json,
        ),
        C::Revision {
            entry_id,
            revision,
            site,
        } => answer(service.get_revision(GetRevision {
            entry_id: id(entry_id)?,
            revision: id(revision)?,
            site_id: opt_id(site)?,
        })),
        C::Revert {
            entry_id,
            revision,
            site,
        } => answer(service.revert_entry(RevertEntry {
            entry_id: id(entry_id)?,
            revision: id(revision)?,
            site_id: opt_id(site)?,
        })),
    }
}
