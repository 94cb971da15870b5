//! Content tools: sites, sections, entry types, fields, field layouts, entries, drafts,
//! revisions and search. Names, camelCase parameters and response fields follow the
//! Craft CMS MCP plugin; `list_drafts`, `delete_draft`, `list_revisions`,
//! `get_revision`, `revert_entry`, `restore_entry`, `create_site` and `update_site` go
//! beyond it in the same style.

use imprint_service::content::{
    DraftInput, DraftListInput, EntryTypeInput, FieldInput, SectionInput, SiteInput, id_arg,
    ids_arg,
};
use imprint_service::{ServiceError, ServiceResult};
use rmcp::ErrorData as McpError;
use rmcp::handler::server::wrapper::Parameters;
use rmcp::model::CallToolResult;
use rmcp::{tool, tool_router};
use serde_json::Value;

use crate::content_params::*;
use crate::respond;
use crate::server::ImprintMcp;

fn id(name: &str, value: &Option<Value>) -> ServiceResult<Option<i64>> {
    id_arg(name, value.as_ref())
}

fn ids(name: &str, value: &Option<Value>) -> ServiceResult<Option<Vec<i64>>> {
    ids_arg(name, value.as_ref())
}

fn required(name: &str, value: &Option<Value>, hint: &str) -> ServiceResult<i64> {
    id(name, value)?.ok_or_else(|| ServiceError::invalid(format!("{name} is required: {hint}")))
}

fn limit(value: Option<u32>) -> Option<usize> {
    value.map(|n| usize::try_from(n).unwrap_or(usize::MAX))
}

fn site_input(args: SiteArgs) -> SiteInput {
    SiteInput {
        name: args.name,
        handle: args.handle,
        language: args.language,
        base_url: args.base_url.map(Some),
        primary: args.primary,
    }
}

fn section_input(args: SectionArgs) -> ServiceResult<SectionInput> {
    Ok(SectionInput {
        entry_type_ids: ids("entryTypeIds", &args.entry_type_ids)?,
        name: args.name,
        handle: args.handle,
        kind: args.kind,
        site_settings: args.site_settings,
        max_levels: args.max_levels,
        enable_versioning: args.enable_versioning,
    })
}

fn entry_type_input(args: EntryTypeArgs) -> ServiceResult<EntryTypeInput> {
    Ok(EntryTypeInput {
        field_layout_id: id("fieldLayoutId", &args.field_layout_id)?,
        name: args.name,
        handle: args.handle,
        has_title_field: args.has_title_field,
        title_format: args.title_format,
        icon: args.icon,
        color: args.color,
        description: args.description,
    })
}

fn field_input(args: FieldArgs) -> FieldInput {
    FieldInput {
        field_type: args.field_type,
        name: args.name,
        handle: args.handle,
        instructions: args.instructions,
        settings: args.settings,
        searchable: args.searchable,
    }
}

#[tool_router(router = content_router, vis = "pub(crate)")]
impl ImprintMcp {
    // ----- sites -------------------------------------------------------------------------

    #[tool(
        description = "List the sites (id, name, handle, url, primary, language). Use a site's id as siteId in create_entry, create_draft, get_entry and search_content; omitted, siteId means the primary site."
    )]
    async fn get_sites(&self) -> Result<CallToolResult, McpError> {
        respond(self.service().get_sites())
    }

    #[tool(
        description = "Create a site (e.g. a language version): name, handle, language (\"fr-FR\"), baseUrl, primary. Sections get default settings for it; entries are added to it with create_entry(siteId) or a draft of an existing entry with siteId, applied."
    )]
    async fn create_site(
        &self,
        Parameters(args): Parameters<SiteArgs>,
    ) -> Result<CallToolResult, McpError> {
        respond(self.service().create_site(site_input(args)))
    }

    #[tool(
        description = "Change a site's name, handle, language, baseUrl, or make it the primary site (exactly one site is primary: set primary true on the new one)."
    )]
    async fn update_site(
        &self,
        Parameters(args): Parameters<SiteArgs>,
    ) -> Result<CallToolResult, McpError> {
        let result = required("siteId", &args.site_id, "get_sites lists the sites")
            .and_then(|site_id| self.service().update_site(site_id, site_input(args)));
        respond(result)
    }

    // ----- sections ----------------------------------------------------------------------

    #[tool(
        description = "List sections (single, channel or structure) with their entry types and per-site settings (uriFormat, hasUrls, enabledByDefault). Pass sectionIds to get only some."
    )]
    async fn get_sections(
        &self,
        Parameters(args): Parameters<SectionIdsArgs>,
    ) -> Result<CallToolResult, McpError> {
        respond(
            ids("sectionIds", &args.section_ids).and_then(|ids| self.service().get_sections(ids)),
        )
    }

    #[tool(
        description = "Create a section: name, type (single | channel | structure; default channel), entryTypeIds (at least one; create_entry_type first), handle, siteSettings, maxLevels. A single gets its one entry right away."
    )]
    async fn create_section(
        &self,
        Parameters(args): Parameters<SectionArgs>,
    ) -> Result<CallToolResult, McpError> {
        respond(section_input(args).and_then(|input| self.service().create_section(input)))
    }

    #[tool(
        description = "Change a section: name, handle, type, entryTypeIds (replaces the list), siteSettings (per site, keys given change), maxLevels. Only the parameters given change."
    )]
    async fn update_section(
        &self,
        Parameters(args): Parameters<SectionArgs>,
    ) -> Result<CallToolResult, McpError> {
        let result = required(
            "sectionId",
            &args.section_id,
            "get_sections lists the sections",
        )
        .and_then(|section_id| Ok((section_id, section_input(args)?)))
        .and_then(|(section_id, input)| self.service().update_section(section_id, input));
        respond(result)
    }

    #[tool(
        description = "Delete a section. If it holds entries or drafts, this fails and reports how many entries, drafts and revisions would go; call again with force: true to delete them with it."
    )]
    async fn delete_section(
        &self,
        Parameters(args): Parameters<DeleteSectionArgs>,
    ) -> Result<CallToolResult, McpError> {
        let result = required(
            "sectionId",
            &args.section_id,
            "get_sections lists the sections",
        )
        .and_then(|section_id| {
            self.service()
                .delete_section(section_id, args.force.unwrap_or(false))
        });
        respond(result)
    }

    // ----- entry types -------------------------------------------------------------------

    #[tool(
        description = "List entry types with their field layout id, the fields it places (fieldId, handle, type, required) and the sections using them. Pass entryTypeIds to get only some."
    )]
    async fn get_entry_types(
        &self,
        Parameters(args): Parameters<EntryTypeIdsArgs>,
    ) -> Result<CallToolResult, McpError> {
        respond(
            ids("entryTypeIds", &args.entry_type_ids)
                .and_then(|ids| self.service().get_entry_types(ids)),
        )
    }

    #[tool(
        description = "Create an entry type: name, handle, hasTitleField (default true; false needs titleFormat), icon, color, description. It gets a new field layout holding the title (its fieldLayoutId is returned): add fields to it with update_field_layout, then list the entry type in a section (create_section / update_section entryTypeIds)."
    )]
    async fn create_entry_type(
        &self,
        Parameters(args): Parameters<EntryTypeArgs>,
    ) -> Result<CallToolResult, McpError> {
        respond(entry_type_input(args).and_then(|input| self.service().create_entry_type(input)))
    }

    #[tool(
        description = "Change an entry type's name, handle, hasTitleField, titleFormat, icon, color, description or fieldLayoutId. Only the parameters given change."
    )]
    async fn update_entry_type(
        &self,
        Parameters(args): Parameters<EntryTypeArgs>,
    ) -> Result<CallToolResult, McpError> {
        let result = required(
            "entryTypeId",
            &args.entry_type_id,
            "get_entry_types lists them",
        )
        .and_then(|id| Ok((id, entry_type_input(args)?)))
        .and_then(|(id, input)| self.service().update_entry_type(id, input));
        respond(result)
    }

    #[tool(
        description = "Delete an entry type (and its layout). If entries or drafts use it, this fails and reports how many entries, drafts and revisions would go; call again with force: true to delete them too."
    )]
    async fn delete_entry_type(
        &self,
        Parameters(args): Parameters<DeleteEntryTypeArgs>,
    ) -> Result<CallToolResult, McpError> {
        let result = required(
            "entryTypeId",
            &args.entry_type_id,
            "get_entry_types lists them",
        )
        .and_then(|id| {
            self.service()
                .delete_entry_type(id, args.force.unwrap_or(false))
        });
        respond(result)
    }

    // ----- fields ------------------------------------------------------------------------

    #[tool(
        description = "List custom fields (fieldId, name, handle, type, settings). With fieldLayoutId, only the fields that layout places, in order, with required flags. Handles are the keys of attributeAndFieldData."
    )]
    async fn get_fields(
        &self,
        Parameters(args): Parameters<FieldsArgs>,
    ) -> Result<CallToolResult, McpError> {
        respond(
            id("fieldLayoutId", &args.field_layout_id)
                .and_then(|layout| self.service().get_fields(layout)),
        )
    }

    #[tool(
        description = "List the field types create_field accepts, each with its Craft class name, what values it takes and its settings."
    )]
    async fn get_field_types(&self) -> Result<CallToolResult, McpError> {
        respond(Ok(self.service().get_field_types()))
    }

    #[tool(
        description = "Create a custom field: type (\"PlainText\" or \"craft\\\\fields\\\\PlainText\"; get_field_types lists them), name, handle, instructions, settings (e.g. options for Dropdown), searchable. Then place it in an entry type's layout with update_field_layout."
    )]
    async fn create_field(
        &self,
        Parameters(args): Parameters<FieldArgs>,
    ) -> Result<CallToolResult, McpError> {
        respond(self.service().create_field(field_input(args)))
    }

    #[tool(
        description = "Change a field's name, handle, instructions, settings (keys given change), searchable, or type. Stored values keep their field (by id) across a handle rename."
    )]
    async fn update_field(
        &self,
        Parameters(args): Parameters<FieldArgs>,
    ) -> Result<CallToolResult, McpError> {
        let result = required("fieldId", &args.field_id, "get_fields lists them")
            .and_then(|field_id| self.service().update_field(field_id, field_input(args)));
        respond(result)
    }

    #[tool(
        description = "Delete a field and remove it from every layout. If entries would lose visible values, this fails and reports how many; call again with force: true."
    )]
    async fn delete_field(
        &self,
        Parameters(args): Parameters<DeleteFieldArgs>,
    ) -> Result<CallToolResult, McpError> {
        let result =
            required("fieldId", &args.field_id, "get_fields lists them").and_then(|field_id| {
                self.service()
                    .delete_field(field_id, args.force.unwrap_or(false))
            });
        respond(result)
    }

    // ----- field layouts -----------------------------------------------------------------

    #[tool(
        description = "Create an empty field layout (one \"Content\" tab with the title element) for entries; returns fieldLayoutId. Use it in create_entry_type / update_entry_type (fieldLayoutId), fill it with update_field_layout. Entry types already get a layout of their own."
    )]
    async fn create_field_layout(
        &self,
        Parameters(args): Parameters<CreateFieldLayoutArgs>,
    ) -> Result<CallToolResult, McpError> {
        respond(self.service().create_field_layout(args.kind.as_deref()))
    }

    #[tool(
        description = "Read a field layout: fieldLayout.tabs[].elements[] with uid, type, attribute (\"title\") or fieldId (with the field's handle), required. Keep the uids to reuse elements in update_field_layout."
    )]
    async fn get_field_layout(
        &self,
        Parameters(args): Parameters<FieldLayoutArgs>,
    ) -> Result<CallToolResult, McpError> {
        let result = required(
            "fieldLayoutId",
            &args.field_layout_id,
            "get_entry_types shows each entry type's fieldLayoutId",
        )
        .and_then(|layout_id| self.service().get_field_layout(layout_id));
        respond(result)
    }

    #[tool(
        description = "Replace a field layout's tabs. Elements: {\"type\": \"title\"}, {\"type\": \"CustomField\", \"fieldId\": 3, \"required\": true}, UI elements (Heading, Tip, HorizontalRule, LineBreak, Markdown). An element given with its uid (from get_field_layout) keeps its settings; leave the uid out for new ones. Entry types with a title field need the title element."
    )]
    async fn update_field_layout(
        &self,
        Parameters(args): Parameters<UpdateFieldLayoutArgs>,
    ) -> Result<CallToolResult, McpError> {
        let result = required(
            "fieldLayoutId",
            &args.field_layout_id,
            "get_entry_types shows each entry type's fieldLayoutId",
        )
        .and_then(|layout_id| self.service().update_field_layout(layout_id, args.tabs));
        respond(result)
    }

    // ----- entries -----------------------------------------------------------------------

    #[tool(
        description = "Create a live entry right away (a signed revision 1): sectionId, entryTypeId (default: the section's first), siteId (default: primary), attributeAndFieldData ({\"title\": …, fieldHandle: value}). Values are validated by field type. To prepare content for review without publishing it, use create_draft instead. Link the user to the returned url."
    )]
    async fn create_entry(
        &self,
        Parameters(args): Parameters<CreateEntryArgs>,
    ) -> Result<CallToolResult, McpError> {
        let result = (|| {
            self.service().create_entry(
                id("sectionId", &args.section_id)?,
                id("entryTypeId", &args.entry_type_id)?,
                id("siteId", &args.site_id)?,
                args.attribute_and_field_data,
            )
        })();
        respond(result)
    }

    #[tool(
        description = "Read an entry: native attributes (title, slug, uri, postDate, expiryDate, enabled, status, revision) plus one key per custom field handle. A draft id works too and shows the draft with draftName, draftNotes, provisional and canonicalId."
    )]
    async fn get_entry(
        &self,
        Parameters(args): Parameters<GetEntryArgs>,
    ) -> Result<CallToolResult, McpError> {
        let result = (|| {
            self.service()
                .get_entry(id("entryId", &args.entry_id)?, id("siteId", &args.site_id)?)
        })();
        respond(result)
    }

    #[tool(
        description = "Change a live entry now (PATCH: only the keys in attributeAndFieldData change; null clears one). Makes a new signed revision. For changes to review before they go live, use create_draft + update_draft + apply_draft; for a draft id, use update_draft. Link the user to the returned url."
    )]
    async fn update_entry(
        &self,
        Parameters(args): Parameters<UpdateEntryArgs>,
    ) -> Result<CallToolResult, McpError> {
        let result = (|| {
            self.service().update_entry(
                id("entryId", &args.entry_id)?,
                id("siteId", &args.site_id)?,
                args.attribute_and_field_data,
            )
        })();
        respond(result)
    }

    #[tool(
        description = "Delete an entry: by default it moves to the trash (not live, not searchable; restore_entry brings it back). permanentlyDelete: true removes it with its drafts and revisions for good."
    )]
    async fn delete_entry(
        &self,
        Parameters(args): Parameters<DeleteEntryArgs>,
    ) -> Result<CallToolResult, McpError> {
        let result = (|| {
            self.service().delete_entry(
                id("entryId", &args.entry_id)?,
                args.permanently_delete.unwrap_or(false),
            )
        })();
        respond(result)
    }

    #[tool(
        description = "Bring an entry back from the trash (delete_entry without permanentlyDelete put it there)."
    )]
    async fn restore_entry(
        &self,
        Parameters(args): Parameters<EntryIdArgs>,
    ) -> Result<CallToolResult, McpError> {
        respond(
            id("entryId", &args.entry_id)
                .and_then(|entry_id| self.service().restore_entry(entry_id)),
        )
    }

    #[tool(
        description = "Full-text search over entry titles and searchable fields; results[] best first with entryId, title, uri, status and url. Filters: status (live by default; pending, expired, disabled, all), sectionIds, siteId; limit (default 10). An empty query lists the newest entries under the filters. Drafts are not searched."
    )]
    async fn search_content(
        &self,
        Parameters(args): Parameters<SearchArgs>,
    ) -> Result<CallToolResult, McpError> {
        let result = (|| {
            self.service().search_content(
                args.query.as_deref(),
                limit(args.limit),
                args.status.as_deref(),
                ids("sectionIds", &args.section_ids)?,
                id("siteId", &args.site_id)?,
            )
        })();
        respond(result)
    }

    // ----- drafts ------------------------------------------------------------------------

    #[tool(
        description = "Create a draft: of an existing entry (canonicalId) or of a new entry from scratch (sectionId + entryTypeId) — not both. Nothing goes live until apply_draft; a draft from scratch is not an entry and not searchable until then. Regular by default; provisional: true for an auto-save draft (one per entry and creator). draftName (default \"Draft N\"), draftNotes, siteId (default primary), attributeAndFieldData overlays the entry's content. Returns draftId (use it with update_draft / apply_draft) and url: link the user to it."
    )]
    async fn create_draft(
        &self,
        Parameters(args): Parameters<CreateDraftArgs>,
    ) -> Result<CallToolResult, McpError> {
        let result = (|| {
            self.service().create_draft(DraftInput {
                section_id: id("sectionId", &args.section_id)?,
                entry_type_id: id("entryTypeId", &args.entry_type_id)?,
                canonical_id: id("canonicalId", &args.canonical_id)?,
                draft_name: args.draft_name,
                draft_notes: args.draft_notes,
                provisional: args.provisional,
                site_id: id("siteId", &args.site_id)?,
                data: args.attribute_and_field_data,
            })
        })();
        respond(result)
    }

    #[tool(
        description = "Change a draft (regular or provisional) by draftId, PATCH: only the keys in attributeAndFieldData change (null clears one); draftName and draftNotes too. The live entry is untouched (to change it directly, use update_entry). Setting fields that conflict with newer changes to the entry resolves the conflict in the draft's favour. Link the user to the returned url."
    )]
    async fn update_draft(
        &self,
        Parameters(args): Parameters<UpdateDraftArgs>,
    ) -> Result<CallToolResult, McpError> {
        let result = (|| {
            self.service().update_draft(
                id("draftId", &args.draft_id)?,
                args.attribute_and_field_data,
                args.draft_name,
                args.draft_notes,
            )
        })();
        respond(result)
    }

    #[tool(
        description = "Make a draft live: a new signed revision of its entry (or a new entry, for a draft from scratch); the draft is then removed. If the entry changed since the draft was made, changes are merged field by field; a field changed differently on both sides is a conflict, reported by name, and nothing is written. Link the user to the returned url."
    )]
    async fn apply_draft(
        &self,
        Parameters(args): Parameters<DraftIdArgs>,
    ) -> Result<CallToolResult, McpError> {
        respond(
            id("draftId", &args.draft_id).and_then(|draft_id| self.service().apply_draft(draft_id)),
        )
    }

    #[tool(
        description = "List drafts, oldest first: of one entry (canonicalId), a site, a section, by creator, provisional or regular, or only drafts from scratch. Each has draftId, draftName, canonicalId, title and url."
    )]
    async fn list_drafts(
        &self,
        Parameters(args): Parameters<ListDraftsArgs>,
    ) -> Result<CallToolResult, McpError> {
        let result = (|| {
            self.service().list_entry_drafts(DraftListInput {
                canonical_id: id("canonicalId", &args.canonical_id)?,
                site_id: id("siteId", &args.site_id)?,
                section_id: id("sectionId", &args.section_id)?,
                provisional: args.provisional,
                creator: args.creator,
                from_scratch: args.from_scratch.unwrap_or(false),
                limit: limit(args.limit),
            })
        })();
        respond(result)
    }

    #[tool(
        description = "Delete a draft (regular or provisional). The live entry is not affected."
    )]
    async fn delete_draft(
        &self,
        Parameters(args): Parameters<DraftIdArgs>,
    ) -> Result<CallToolResult, McpError> {
        respond(
            id("draftId", &args.draft_id)
                .and_then(|draft_id| self.service().delete_draft(draft_id)),
        )
    }

    // ----- history -----------------------------------------------------------------------

    #[tool(
        description = "List an entry's revisions, newest first: revision number, artifactId (content hash), author, time, action (create, update, apply_draft, revert). Every write to a live entry made one."
    )]
    async fn list_revisions(
        &self,
        Parameters(args): Parameters<ListRevisionsArgs>,
    ) -> Result<CallToolResult, McpError> {
        let result = (|| {
            self.service().list_revisions(
                id("entryId", &args.entry_id)?,
                id("siteId", &args.site_id)?,
                limit(args.limit),
            )
        })();
        respond(result)
    }

    #[tool(
        description = "Read one revision of an entry, verified (content hash and Ed25519 signature): its content by field handle and the signed envelope. A tampered revision is reported as an integrity error, never shown as valid."
    )]
    async fn get_revision(
        &self,
        Parameters(args): Parameters<RevisionArgs>,
    ) -> Result<CallToolResult, McpError> {
        let result = (|| {
            self.service().get_revision(
                id("entryId", &args.entry_id)?,
                id("revision", &args.revision)?,
                id("siteId", &args.site_id)?,
            )
        })();
        respond(result)
    }

    #[tool(
        description = "Make an old revision's content current again, as a new revision (history is kept). list_revisions shows the numbers. Link the user to the returned url."
    )]
    async fn revert_entry(
        &self,
        Parameters(args): Parameters<RevisionArgs>,
    ) -> Result<CallToolResult, McpError> {
        let result = (|| {
            self.service().revert_entry(
                id("entryId", &args.entry_id)?,
                id("revision", &args.revision)?,
                id("siteId", &args.site_id)?,
            )
        })();
        respond(result)
    }
}
