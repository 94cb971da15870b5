//! Content tools: sites, sections, entry types, fields, field layouts, entries, drafts,
//! revisions and search. Names, camelCase parameters and response fields follow the
//! Craft CMS MCP plugin; `list_drafts`, `delete_draft`, `list_revisions`,
//! `get_revision`, `revert_entry`, `restore_entry`, `create_site` and `update_site` go
//! beyond it in the same style.
//!
//! Each tool takes its operation's request type from `imprint_service::content` (the
//! schema a client sees) and calls that one operation.

use imprint_service::content::*;
use rmcp::ErrorData as McpError;
use rmcp::handler::server::wrapper::Parameters;
use rmcp::model::CallToolResult;
use rmcp::{tool, tool_router};

use imprint_service::ServiceResult;
use serde_json::Value;

use crate::args::Args;
use crate::server::ImprintMcp;

#[tool_router(router = content_router, vis = "pub(crate)")]
impl ImprintMcp {
    // ----- sites -------------------------------------------------------------------------

    #[tool(
        description = "List the sites (id, name, handle, url, primary, language). Use a site's id as siteId in create_entry, create_draft, get_entry and search_content; omitted, siteId means the primary site."
    )]
    async fn get_sites(
        &self,
        Parameters(Args(request)): Parameters<Args<GetSites>>,
    ) -> Result<CallToolResult, McpError> {
        respond_list(
            request.and_then(|request| self.service().get_sites(request)),
            "sites",
        )
    }

    #[tool(
        description = "Create a site (e.g. a language version): name, handle, language (\"fr-FR\"), baseUrl, primary. Sections get default settings for it; entries are added to it with create_entry(siteId) or a draft of an existing entry with siteId, applied."
    )]
    async fn create_site(
        &self,
        Parameters(Args(request)): Parameters<Args<CreateSite>>,
    ) -> Result<CallToolResult, McpError> {
        respond_noted(
            request.and_then(|request| self.service().create_site(request)),
            None,
        )
    }

    #[tool(
        description = "Change a site's name, handle, language, baseUrl, or make it the primary site (exactly one site is primary: set primary true on the new one)."
    )]
    async fn update_site(
        &self,
        Parameters(Args(request)): Parameters<Args<UpdateSite>>,
    ) -> Result<CallToolResult, McpError> {
        respond_noted(
            request.and_then(|request| self.service().update_site(request)),
            None,
        )
    }

    // ----- sections ----------------------------------------------------------------------

    #[tool(
        description = "List sections (single, channel or structure) with their entry types and per-site settings (uriFormat, hasUrls, enabledByDefault). Pass sectionIds to get only some."
    )]
    async fn get_sections(
        &self,
        Parameters(Args(request)): Parameters<Args<GetSections>>,
    ) -> Result<CallToolResult, McpError> {
        respond_list(
            request.and_then(|request| self.service().get_sections(request)),
            "sections",
        )
    }

    #[tool(
        description = "Create a section: name, type (single | channel | structure; default channel), entryTypeIds (at least one; create_entry_type first), handle, siteSettings, maxLevels. A single gets its one entry right away."
    )]
    async fn create_section(
        &self,
        Parameters(Args(request)): Parameters<Args<CreateSection>>,
    ) -> Result<CallToolResult, McpError> {
        respond_noted(
            request.and_then(|request| self.service().create_section(request)),
            None,
        )
    }

    #[tool(
        description = "Change a section: name, handle, type, entryTypeIds (replaces the list), siteSettings (per site, keys given change), maxLevels. Only the parameters given change."
    )]
    async fn update_section(
        &self,
        Parameters(Args(request)): Parameters<Args<UpdateSection>>,
    ) -> Result<CallToolResult, McpError> {
        respond_noted(
            request.and_then(|request| self.service().update_section(request)),
            None,
        )
    }

    #[tool(
        description = "Delete a section. If it holds entries or drafts, this fails and reports how many entries, drafts and revisions would go; call again with force: true to delete them with it."
    )]
    async fn delete_section(
        &self,
        Parameters(Args(request)): Parameters<Args<DeleteSection>>,
    ) -> Result<CallToolResult, McpError> {
        respond_noted(
            request.and_then(|request| self.service().delete_section(request)),
            None,
        )
    }

    // ----- entry types -------------------------------------------------------------------

    #[tool(
        description = "List entry types with their field layout id, the fields it places (fieldId, handle, type, required) and the sections using them. Pass entryTypeIds to get only some."
    )]
    async fn get_entry_types(
        &self,
        Parameters(Args(request)): Parameters<Args<GetEntryTypes>>,
    ) -> Result<CallToolResult, McpError> {
        respond_list(
            request.and_then(|request| self.service().get_entry_types(request)),
            "entryTypes",
        )
    }

    #[tool(
        description = "Create an entry type: name, handle, hasTitleField (default true; false needs titleFormat), icon, color, description. It gets a new field layout holding the title (its fieldLayoutId is returned): add fields to it with update_field_layout, then list the entry type in a section (create_section / update_section entryTypeIds)."
    )]
    async fn create_entry_type(
        &self,
        Parameters(Args(request)): Parameters<Args<CreateEntryType>>,
    ) -> Result<CallToolResult, McpError> {
        respond_noted(
            request.and_then(|request| self.service().create_entry_type(request)),
            None,
        )
    }

    #[tool(
        description = "Change an entry type's name, handle, hasTitleField, titleFormat, icon, color, description or fieldLayoutId. Only the parameters given change."
    )]
    async fn update_entry_type(
        &self,
        Parameters(Args(request)): Parameters<Args<UpdateEntryType>>,
    ) -> Result<CallToolResult, McpError> {
        respond_noted(
            request.and_then(|request| self.service().update_entry_type(request)),
            None,
        )
    }

    #[tool(
        description = "Delete an entry type (and its layout). If entries or drafts use it, this fails and reports how many entries, drafts and revisions would go; call again with force: true to delete them too."
    )]
    async fn delete_entry_type(
        &self,
        Parameters(Args(request)): Parameters<Args<DeleteEntryType>>,
    ) -> Result<CallToolResult, McpError> {
        respond_noted(
            request.and_then(|request| self.service().delete_entry_type(request)),
            None,
        )
    }

    // ----- fields ------------------------------------------------------------------------

    #[tool(
        description = "List custom fields (fieldId, name, handle, type, settings). With fieldLayoutId, only the fields that layout places, in order, with required flags. Handles are the keys of attributeAndFieldData."
    )]
    async fn get_fields(
        &self,
        Parameters(Args(request)): Parameters<Args<GetFields>>,
    ) -> Result<CallToolResult, McpError> {
        respond_list(
            request.and_then(|request| self.service().get_fields(request)),
            "fields",
        )
    }

    #[tool(
        description = "List the field types create_field accepts, each with its Craft class name, what values it takes and its settings."
    )]
    async fn get_field_types(
        &self,
        Parameters(Args(request)): Parameters<Args<GetFieldTypes>>,
    ) -> Result<CallToolResult, McpError> {
        respond_list(
            request.and_then(|request| self.service().get_field_types(request)),
            "fieldTypes",
        )
    }

    #[tool(
        description = "Create a custom field: type (\"PlainText\" or \"craft\\\\fields\\\\PlainText\"; get_field_types lists them), name, handle, instructions, settings (e.g. options for Dropdown), searchable. Then place it in an entry type's layout with update_field_layout."
    )]
    async fn create_field(
        &self,
        Parameters(Args(request)): Parameters<Args<CreateField>>,
    ) -> Result<CallToolResult, McpError> {
        respond_noted(
            request.and_then(|request| self.service().create_field(request)),
            None,
        )
    }

    #[tool(
        description = "Change a field's name, handle, instructions, settings (keys given change), searchable, or type. Stored values keep their field (by id) across a handle rename."
    )]
    async fn update_field(
        &self,
        Parameters(Args(request)): Parameters<Args<UpdateField>>,
    ) -> Result<CallToolResult, McpError> {
        respond_noted(
            request.and_then(|request| self.service().update_field(request)),
            None,
        )
    }

    #[tool(
        description = "Delete a field and remove it from every layout. If entries would lose visible values, this fails and reports how many; call again with force: true."
    )]
    async fn delete_field(
        &self,
        Parameters(Args(request)): Parameters<Args<DeleteField>>,
    ) -> Result<CallToolResult, McpError> {
        respond_noted(
            request.and_then(|request| self.service().delete_field(request)),
            None,
        )
    }

    // ----- field layouts -----------------------------------------------------------------

    #[tool(
        description = "Create an empty field layout (one \"Content\" tab with the title element) for entries; returns fieldLayoutId. Use it in create_entry_type / update_entry_type (fieldLayoutId), fill it with update_field_layout. Entry types already get a layout of their own."
    )]
    async fn create_field_layout(
        &self,
        Parameters(Args(request)): Parameters<Args<CreateFieldLayout>>,
    ) -> Result<CallToolResult, McpError> {
        respond_noted(
            request.and_then(|request| self.service().create_field_layout(request)),
            None,
        )
    }

    #[tool(
        description = "Read a field layout: fieldLayout.tabs[].elements[] with uid, type, attribute (\"title\") or fieldId (with the field's handle), required. Keep the uids to reuse elements in update_field_layout."
    )]
    async fn get_field_layout(
        &self,
        Parameters(Args(request)): Parameters<Args<GetFieldLayout>>,
    ) -> Result<CallToolResult, McpError> {
        respond_noted(
            request.and_then(|request| self.service().get_field_layout(request)),
            Some("Field layout currently contains the following elements."),
        )
    }

    #[tool(
        description = "Replace a field layout's tabs. Elements: {\"type\": \"title\"}, {\"type\": \"CustomField\", \"fieldId\": 3, \"required\": true}, UI elements (Heading, Tip, HorizontalRule, LineBreak, Markdown). An element given with its uid (from get_field_layout) keeps its settings; leave the uid out for new ones. Entry types with a title field need the title element."
    )]
    async fn update_field_layout(
        &self,
        Parameters(Args(request)): Parameters<Args<UpdateFieldLayout>>,
    ) -> Result<CallToolResult, McpError> {
        respond_noted(
            request.and_then(|request| self.service().update_field_layout(request)),
            None,
        )
    }

    // ----- entries -----------------------------------------------------------------------

    #[tool(
        description = "Create a live entry right away (a signed revision 1): sectionId, entryTypeId (default: the section's first), siteId (default: primary), attributeAndFieldData ({\"title\": …, fieldHandle: value}). Values are validated by field type. To prepare content for review without publishing it, use create_draft instead. Link the user to the returned url."
    )]
    async fn create_entry(
        &self,
        Parameters(Args(request)): Parameters<Args<CreateEntry>>,
    ) -> Result<CallToolResult, McpError> {
        respond_noted(
            request.and_then(|request| self.service().create_entry(request)),
            None,
        )
    }

    #[tool(
        description = "Read an entry: native attributes (title, slug, uri, postDate, expiryDate, enabled, status, revision) plus one key per custom field handle. A draft id works too and shows the draft with draftName, draftNotes, provisional and canonicalId."
    )]
    async fn get_entry(
        &self,
        Parameters(Args(request)): Parameters<Args<GetEntry>>,
    ) -> Result<CallToolResult, McpError> {
        respond_noted(
            request.and_then(|request| self.service().get_entry(request)),
            Some("The entry (or draft) with its native attributes and custom fields by handle."),
        )
    }

    #[tool(
        description = "Change a live entry now (PATCH: only the keys in attributeAndFieldData change; null clears one). Makes a new signed revision. For changes to review before they go live, use create_draft + update_draft + apply_draft; for a draft id, use update_draft. Link the user to the returned url."
    )]
    async fn update_entry(
        &self,
        Parameters(Args(request)): Parameters<Args<UpdateEntry>>,
    ) -> Result<CallToolResult, McpError> {
        respond_noted(
            request.and_then(|request| self.service().update_entry(request)),
            None,
        )
    }

    #[tool(
        description = "Delete an entry: by default it moves to the trash (not live, not searchable; restore_entry brings it back). permanentlyDelete: true removes it with its drafts and revisions for good."
    )]
    async fn delete_entry(
        &self,
        Parameters(Args(request)): Parameters<Args<DeleteEntry>>,
    ) -> Result<CallToolResult, McpError> {
        respond_noted(
            request.and_then(|request| self.service().delete_entry(request)),
            None,
        )
    }

    #[tool(
        description = "Bring an entry back from the trash (delete_entry without permanentlyDelete put it there)."
    )]
    async fn restore_entry(
        &self,
        Parameters(Args(request)): Parameters<Args<RestoreEntry>>,
    ) -> Result<CallToolResult, McpError> {
        respond_noted(
            request.and_then(|request| self.service().restore_entry(request)),
            None,
        )
    }

    #[tool(
        description = "Full-text search over entry titles and searchable fields; results[] best first with entryId, title, uri, status and url. Filters: status (live by default; pending, expired, disabled, all), sectionIds, siteId; limit (default 10). An empty query lists the newest entries under the filters. Drafts are not searched."
    )]
    async fn search_content(
        &self,
        Parameters(Args(request)): Parameters<Args<SearchContent>>,
    ) -> Result<CallToolResult, McpError> {
        // Off the async workers: a search may run up to its time limit, and tools run
        // inline on the workers that answer every other HTTP request.
        let service = self.service().clone();
        let result = match request {
            Ok(request) => tokio::task::spawn_blocking(move || service.search_content(request))
                .await
                .unwrap_or_else(|e| {
                    Err(imprint_service::ServiceError::internal(format!(
                        "the search task failed: {e}"
                    )))
                }),
            Err(e) => Err(e),
        };
        respond_noted(result, None)
    }

    // ----- drafts ------------------------------------------------------------------------

    #[tool(
        description = "Create a draft: of an existing entry (canonicalId) or of a new entry from scratch (sectionId + entryTypeId) — not both. Nothing goes live until apply_draft; a draft from scratch is not an entry and not searchable until then. Regular by default; provisional: true for an auto-save draft (one per entry and creator). draftName (default \"Draft N\"), draftNotes, siteId (default primary), attributeAndFieldData overlays the entry's content. Returns draftId (use it with update_draft / apply_draft) and url: link the user to it."
    )]
    async fn create_draft(
        &self,
        Parameters(Args(request)): Parameters<Args<CreateDraft>>,
    ) -> Result<CallToolResult, McpError> {
        respond_noted(
            request.and_then(|request| self.service().create_draft(request)),
            None,
        )
    }

    #[tool(
        description = "Change a draft (regular or provisional) by draftId, PATCH: only the keys in attributeAndFieldData change (null clears one); draftName and draftNotes too. The live entry is untouched (to change it directly, use update_entry). Setting fields that conflict with newer changes to the entry resolves the conflict in the draft's favour. Link the user to the returned url."
    )]
    async fn update_draft(
        &self,
        Parameters(Args(request)): Parameters<Args<UpdateDraft>>,
    ) -> Result<CallToolResult, McpError> {
        respond_noted(
            request.and_then(|request| self.service().update_draft(request)),
            None,
        )
    }

    #[tool(
        description = "Make a draft live: a new signed revision of its entry (or a new entry, for a draft from scratch); the draft is then removed. If the entry changed since the draft was made, changes are merged field by field; a field changed differently on both sides is a conflict, reported by name, and nothing is written. Link the user to the returned url."
    )]
    async fn apply_draft(
        &self,
        Parameters(Args(request)): Parameters<Args<ApplyDraft>>,
    ) -> Result<CallToolResult, McpError> {
        respond_noted(
            request.and_then(|request| self.service().apply_draft(request)),
            None,
        )
    }

    #[tool(
        description = "Ask a publisher to apply a content draft as it is now (an editor's way to make a change live). The draft's version is frozen: a publisher approves it with approve_request (applying exactly that version) or rejects it with a reason; updating the draft afterwards makes approval refuse. list_requests shows open requests."
    )]
    async fn request_apply(
        &self,
        Parameters(Args(request)): Parameters<Args<imprint_service::requests::RequestApply>>,
    ) -> Result<CallToolResult, McpError> {
        crate::respond(request.and_then(|request| self.service().request_apply(request)))
    }

    #[tool(
        description = "List drafts, oldest first: of one entry (canonicalId), a site, a section, by creator, provisional or regular, or only drafts from scratch. Each has draftId, draftName, canonicalId, title and url."
    )]
    async fn list_drafts(
        &self,
        Parameters(Args(request)): Parameters<Args<ListDrafts>>,
    ) -> Result<CallToolResult, McpError> {
        respond_noted(
            request.and_then(|request| self.service().list_entry_drafts(request)),
            Some("The drafts, newest first."),
        )
    }

    #[tool(
        description = "Delete a draft (regular or provisional). The live entry is not affected."
    )]
    async fn delete_draft(
        &self,
        Parameters(Args(request)): Parameters<Args<DeleteDraft>>,
    ) -> Result<CallToolResult, McpError> {
        respond_noted(
            request.and_then(|request| self.service().delete_draft(request)),
            None,
        )
    }

    // ----- history -----------------------------------------------------------------------

    #[tool(
        description = "List an entry's revisions, newest first: revision number, artifactId (content hash), author, time, action (create, update, apply_draft, revert). Every write to a live entry made one."
    )]
    async fn list_revisions(
        &self,
        Parameters(Args(request)): Parameters<Args<ListRevisions>>,
    ) -> Result<CallToolResult, McpError> {
        respond_noted(
            request.and_then(|request| self.service().list_revisions(request)),
            Some("The revisions, newest first."),
        )
    }

    #[tool(
        description = "Read one revision of an entry, verified (content hash and Ed25519 signature): its content by field handle and the signed envelope. A tampered revision is reported as an integrity error, never shown as valid."
    )]
    async fn get_revision(
        &self,
        Parameters(Args(request)): Parameters<Args<GetRevision>>,
    ) -> Result<CallToolResult, McpError> {
        respond_noted(
            request.and_then(|request| self.service().get_revision(request)),
            Some("The revision, verified."),
        )
    }

    #[tool(
        description = "Make an old revision's content current again, as a new revision (history is kept). list_revisions shows the numbers. Link the user to the returned url."
    )]
    async fn revert_entry(
        &self,
        Parameters(Args(request)): Parameters<Args<RevertEntry>>,
    ) -> Result<CallToolResult, McpError> {
        respond_noted(
            request.and_then(|request| self.service().revert_entry(request)),
            None,
        )
    }
}

/// Object answers in the Craft plugin's shape: `_notes` (the plugin's guidance text) beside
/// Imprint's `message`, or `note` when the answer has no message. Added here because the
/// plugin only spoke MCP; REST and the CLI answer the typed response as it is.
fn respond_noted<T: serde::Serialize>(
    result: ServiceResult<T>,
    note: Option<&str>,
) -> Result<CallToolResult, McpError> {
    crate::respond(result.and_then(|answer| {
        let mut value = serde_json::to_value(answer)
            .map_err(|e| imprint_service::ServiceError::internal(e.to_string()))?;
        if let Value::Object(map) = &mut value
            && !map.contains_key("_notes")
            && let Some(text) = map
                .get("message")
                .cloned()
                .or_else(|| note.map(Value::from))
        {
            map.insert("_notes".into(), text);
        }
        Ok(value)
    }))
}

/// List tools answer a bare JSON array as their text, as the plugin did, so a script that
/// parses the array keeps working. No `structuredContent` is sent (these tools declare no
/// output schema, and MCP requires structured content to be an object).
fn respond_list<T: serde::Serialize>(
    result: ServiceResult<T>,
    key: &str,
) -> Result<CallToolResult, McpError> {
    crate::respond(result.and_then(|answer| {
        let mut value = serde_json::to_value(answer)
            .map_err(|e| imprint_service::ServiceError::internal(e.to_string()))?;
        Ok(value
            .get_mut(key)
            .map(Value::take)
            .unwrap_or_else(|| Value::Array(Vec::new())))
    }))
}
