//! `imprint content …`: the content family's operations, one subcommand per MCP tool
//! (same service methods, same data directory, so the CLI and a running server share
//! entries and drafts). JSON arguments (`--data`, `--settings`, `--tabs`,
//! `--site-settings`) take JSON text, `@path` for a file, or `@-` for standard input.

use clap::{Args, Subcommand};
use imprint_service::content::{
    DraftInput, DraftListInput, EntryTypeInput, FieldInput, SectionInput, SiteInput,
};
use imprint_service::{Service, ServiceError, ServiceResult};
use serde_json::Value;

#[derive(Debug, Subcommand)]
pub enum ContentCommand {
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
        /// The tabs, JSON (see the update_field_layout tool).
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

fn some_ids(ids: Vec<i64>) -> Option<Vec<i64>> {
    (!ids.is_empty()).then_some(ids)
}

impl SiteFlags {
    fn input(self) -> SiteInput {
        SiteInput {
            name: self.name,
            handle: self.handle,
            language: self.language,
            base_url: self.base_url.map(Some),
            primary: self.primary.then_some(true),
        }
    }
}

impl SectionFlags {
    fn input(self) -> ServiceResult<SectionInput> {
        Ok(SectionInput {
            name: self.name,
            handle: self.handle,
            kind: self.kind,
            entry_type_ids: some_ids(self.entry_type_ids),
            site_settings: json_arg("site-settings", self.site_settings)?,
            max_levels: self.max_levels,
            enable_versioning: None,
        })
    }
}

impl EntryTypeFlags {
    fn input(self) -> EntryTypeInput {
        EntryTypeInput {
            name: self.name,
            handle: self.handle,
            has_title_field: self.has_title_field,
            title_format: self.title_format,
            icon: self.icon,
            color: self.color,
            description: self.description,
            field_layout_id: self.field_layout_id,
        }
    }
}

impl FieldFlags {
    fn input(self) -> ServiceResult<FieldInput> {
        Ok(FieldInput {
            field_type: self.field_type,
            name: self.name,
            handle: self.handle,
            instructions: self.instructions,
            settings: json_arg("settings", self.settings)?,
            searchable: self.searchable,
        })
    }
}

pub fn run(service: &Service, command: ContentCommand) -> ServiceResult<Value> {
    use ContentCommand as C;
    match command {
        C::Sites => service.get_sites(),
        C::CreateSite(flags) => service.create_site(flags.input()),
        C::UpdateSite { site_id, flags } => service.update_site(site_id, flags.input()),
        C::Sections { ids } => service.get_sections(some_ids(ids)),
        C::CreateSection(flags) => service.create_section(flags.input()?),
        C::UpdateSection { section_id, flags } => {
            service.update_section(section_id, flags.input()?)
        }
        C::DeleteSection { section_id, force } => service.delete_section(section_id, force),
        C::EntryTypes { ids } => service.get_entry_types(some_ids(ids)),
        C::CreateEntryType(flags) => service.create_entry_type(flags.input()),
        C::UpdateEntryType {
            entry_type_id,
            flags,
        } => service.update_entry_type(entry_type_id, flags.input()),
        C::DeleteEntryType {
            entry_type_id,
            force,
        } => service.delete_entry_type(entry_type_id, force),
        C::Fields { layout } => service.get_fields(layout),
        C::FieldTypes => Ok(service.get_field_types()),
        C::CreateField(flags) => service.create_field(flags.input()?),
        C::UpdateField { field_id, flags } => service.update_field(field_id, flags.input()?),
        C::DeleteField { field_id, force } => service.delete_field(field_id, force),
        C::CreateFieldLayout { kind } => service.create_field_layout(kind.as_deref()),
        C::FieldLayout { field_layout_id } => service.get_field_layout(field_layout_id),
        C::UpdateFieldLayout {
            field_layout_id,
            tabs,
        } => service.update_field_layout(field_layout_id, json_arg("tabs", Some(tabs))?),
        C::CreateEntry {
            section,
            entry_type,
            site,
            data,
        } => service.create_entry(Some(section), entry_type, site, json_arg("data", data)?),
        C::GetEntry { entry_id, site } => service.get_entry(Some(entry_id), site),
        C::UpdateEntry {
            entry_id,
            data,
            site,
        } => service.update_entry(Some(entry_id), site, json_arg("data", Some(data))?),
        C::DeleteEntry {
            entry_id,
            permanently,
        } => service.delete_entry(Some(entry_id), permanently),
        C::RestoreEntry { entry_id } => service.restore_entry(Some(entry_id)),
        C::Search {
            query,
            limit,
            status,
            sections,
            site,
        } => service.search_content(
            Some(&query),
            limit,
            status.as_deref(),
            some_ids(sections),
            site,
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
        } => service.create_draft(DraftInput {
            section_id: section,
            entry_type_id: entry_type,
            canonical_id: canonical,
            draft_name: name,
            draft_notes: notes,
            provisional: Some(provisional),
            site_id: site,
            data: json_arg("data", data)?,
        }),
        C::UpdateDraft {
            draft_id,
            data,
            name,
            notes,
        } => service.update_draft(Some(draft_id), json_arg("data", data)?, name, notes),
        C::ApplyDraft { draft_id } => service.apply_draft(Some(draft_id)),
        C::Drafts {
            canonical,
            site,
            section,
            provisional,
            creator,
            from_scratch,
            limit,
        } => service.list_entry_drafts(DraftListInput {
            canonical_id: canonical,
            site_id: site,
            section_id: section,
            provisional,
            creator,
            from_scratch,
            limit,
        }),
        C::DeleteDraft { draft_id } => service.delete_draft(Some(draft_id)),
        C::Revisions {
            entry_id,
            site,
            limit,
        } => service.list_revisions(Some(entry_id), site, limit),
        C::Revision {
            entry_id,
            revision,
            site,
        } => service.get_revision(Some(entry_id), Some(revision), site),
        C::Revert {
            entry_id,
            revision,
            site,
        } => service.revert_entry(Some(entry_id), Some(revision), site),
    }
}
