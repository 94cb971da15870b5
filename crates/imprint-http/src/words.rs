//! How the HTTP surfaces name what can follow: REST names its routes, the control panel its
//! buttons. The steps come from the operations as data ([`NextStep`]); MCP (at `/mcp`) keeps
//! the service's own tool names.

use imprint_service::next::{Draft, NextStep, Words};

/// Steps as REST routes: `POST /v1/config/cursor/default/publish`.
pub(crate) struct RestWords;

impl Words for RestWords {
    fn step(&self, step: &NextStep) -> String {
        let config = |c: &str, p: &str, rest: &str| format!("/v1/config/{c}/{p}{rest}");
        let draft = |d: &Draft, method: &str, rest: &str| {
            let route = format!("{method} {}", config(&d.client_id, &d.profile_id, rest));
            if d.draft_name == imprint_service::config::DEFAULT_DRAFT {
                route
            } else {
                format!("{route}?draft_name={}", d.draft_name)
            }
        };
        // the deletes take `force` in the query
        let forced = |force: bool| if force { "?force=true" } else { "" };
        match step {
            NextStep::ListCatalog => "GET /v1/servers".to_string(),
            NextStep::RegisterServer => "POST /v1/servers".to_string(),
            NextStep::AddServer(d) => draft(d, "POST", "/draft/add"),
            NextStep::RemoveServer(d) => draft(d, "POST", "/draft/remove"),
            NextStep::ViewDraft(d) => draft(d, "GET", "/draft"),
            NextStep::Validate(d) => draft(d, "POST", "/validate"),
            NextStep::Publish(d) => draft(d, "POST", "/publish"),
            NextStep::ImportConfig(d) => draft(d, "POST", "/import"),
            NextStep::Deploy {
                client_id,
                profile_id,
                force,
            } => format!(
                "POST {}{}",
                config(client_id, profile_id, "/deploy"),
                if *force { " with \"force\": true" } else { "" }
            ),
            NextStep::ConfigHistory {
                client_id,
                profile_id,
            } => format!("GET {}", config(client_id, profile_id, "/history")),
            NextStep::SearchContent => "GET /v1/content/search?query=…".to_string(),
            NextStep::GetEntry { entry_id } => format!("GET /v1/content/entries/{entry_id}"),
            NextStep::UpdateEntry { entry_id } => format!("PATCH /v1/content/entries/{entry_id}"),
            NextStep::CreateDraft { .. } => "POST /v1/content/drafts".to_string(),
            NextStep::UpdateDraft { draft_id } => format!("PATCH /v1/content/drafts/{draft_id}"),
            NextStep::ApplyDraft { draft_id } => {
                format!("POST /v1/content/drafts/{draft_id}/apply")
            }
            NextStep::ListDrafts => "GET /v1/content/drafts".to_string(),
            NextStep::DeleteDraft { draft_id } => format!("DELETE /v1/content/drafts/{draft_id}"),
            NextStep::ListClients => "GET /v1/clients".to_string(),
            NextStep::DescribeServer => "GET /v1/servers/{server_id}".to_string(),
            NextStep::ListSites => "GET /v1/content/sites".to_string(),
            NextStep::ListSections => "GET /v1/content/sections".to_string(),
            NextStep::ListEntryTypes => "GET /v1/content/entry-types".to_string(),
            NextStep::ListFields => "GET /v1/content/fields".to_string(),
            NextStep::ListFieldTypes => "GET /v1/content/field-types".to_string(),
            NextStep::UpdateSection => "PATCH /v1/content/sections/{section_id}".to_string(),
            NextStep::UpdateFieldLayout => {
                "PUT /v1/content/field-layouts/{field_layout_id}".to_string()
            }
            NextStep::CreateEntryType => "POST /v1/content/entry-types".to_string(),
            NextStep::CreateEntry => "POST /v1/content/entries".to_string(),
            NextStep::CreateField => "POST /v1/content/fields".to_string(),
            // secrets are the CLI's and MCP's alone: the key file is on the server's disk
            NextStep::SetSecret => "the CLI's `imprint secrets set <name>` (no route)".to_string(),
            NextStep::ListRevisions { entry_id } => {
                format!("GET /v1/content/entries/{entry_id}/revisions")
            }
            NextStep::GetRevision { entry_id } => {
                format!("GET /v1/content/entries/{entry_id}/revisions/{{revision}}")
            }
            NextStep::RevertEntry { entry_id } => {
                format!("POST /v1/content/entries/{entry_id}/revert")
            }
            NextStep::RestoreEntry { entry_id } => {
                format!("POST /v1/content/entries/{entry_id}/restore")
            }
            NextStep::DeleteEntry { entry_id } => format!("DELETE /v1/content/entries/{entry_id}"),
            NextStep::UpdateEntryType => {
                "PATCH /v1/content/entry-types/{entry_type_id}".to_string()
            }
            NextStep::DeleteEntryPermanently { entry_id } => {
                format!("DELETE /v1/content/entries/{entry_id}?permanentlyDelete=true")
            }
            NextStep::MakeSitePrimary => {
                "PATCH /v1/content/sites/{site_id} with \"primary\": true".to_string()
            }
            NextStep::GetFieldLayout { field_layout_id } => {
                format!("GET /v1/content/field-layouts/{field_layout_id}")
            }
            NextStep::DeleteSection { section_id, force } => {
                format!("DELETE /v1/content/sections/{section_id}{}", forced(*force))
            }
            NextStep::DeleteEntryType {
                entry_type_id,
                force,
            } => format!(
                "DELETE /v1/content/entry-types/{entry_type_id}{}",
                forced(*force)
            ),
            NextStep::DeleteField { field_id, force } => {
                format!("DELETE /v1/content/fields/{field_id}{}", forced(*force))
            }
            NextStep::RequestPublish => "POST /v1/requests/publish".to_string(),
            NextStep::RequestApply => "POST /v1/requests/apply".to_string(),
            NextStep::ListRequests => "GET /v1/requests".to_string(),
            NextStep::ApproveRequest { request_id } => {
                format!("POST /v1/requests/{request_id}/approve")
            }
            NextStep::InProject { project_dir, inner } => {
                let route = self.step(inner);
                let joint = if route.contains(" with ") {
                    "and"
                } else {
                    "with"
                };
                format!("{route} {joint} \"project_dir\": {project_dir:?}")
            }
        }
    }

    fn verb(&self) -> &'static str {
        "send"
    }
}

/// Steps as the control panel's buttons (their exact labels, in quotes) and places.
pub(crate) struct PanelWords;

impl Words for PanelWords {
    fn step(&self, step: &NextStep) -> String {
        let label = match step {
            NextStep::ListCatalog => "the server list of \u{201c}Add to draft\u{201d}",
            NextStep::RegisterServer => "the CLI's `imprint servers register` (not in the panel)",
            NextStep::AddServer(_) => "Add to draft",
            NextStep::RemoveServer(_) => "Remove",
            NextStep::ViewDraft(_) | NextStep::Validate(_) => "the Draft section",
            NextStep::Publish(_) => "Publish signed revision",
            NextStep::Deploy { force: false, .. } => "Deploy the latest artifact",
            NextStep::Deploy { force: true, .. } => {
                return "\u{201c}Deploy the latest artifact\u{201d} with \u{201c}force\u{201d} ticked"
                    .to_string();
            }
            NextStep::ImportConfig(_) => "Import from the client's file",
            NextStep::ConfigHistory { .. } => "the History section",
            NextStep::SearchContent => "Search",
            NextStep::GetEntry { .. } => "the entry's page",
            NextStep::UpdateEntry { .. } => "Save entry",
            NextStep::CreateDraft { .. } => "Create a draft",
            NextStep::UpdateDraft { .. } => "Save draft",
            NextStep::ApplyDraft { .. } => "Apply",
            NextStep::ListDrafts => "the entry's drafts",
            NextStep::DeleteDraft { .. } => "Delete draft",
            NextStep::ListClients => "the client list on the Configs page",
            NextStep::DescribeServer => "the CLI's `imprint servers describe` (not in the panel)",
            NextStep::ListSites => "the Sites list of a section's page",
            NextStep::ListSections | NextStep::CreateEntry => "the New entry form",
            NextStep::ListEntryTypes => "the Entry types list of a section's page",
            NextStep::ListFields => "the Fields list of an entry type's page",
            NextStep::ListFieldTypes => {
                "the CLI's `imprint content field-types` (not in the panel)"
            }
            NextStep::UpdateSection => {
                "the CLI's `imprint content update-section` (not in the panel)"
            }
            NextStep::UpdateFieldLayout => {
                "the CLI's `imprint content update-field-layout` (not in the panel)"
            }
            NextStep::CreateEntryType => {
                "the CLI's `imprint content create-entry-type` (not in the panel)"
            }
            NextStep::CreateField => "the CLI's `imprint content create-field` (not in the panel)",
            NextStep::SetSecret => "the CLI's `imprint secrets set <name>` (not in the panel)",
            NextStep::ListRevisions { .. } | NextStep::GetRevision { .. } => {
                "the entry's Revisions"
            }
            NextStep::RevertEntry { .. } => "Revert to this",
            NextStep::RestoreEntry { .. } => "Restore",
            NextStep::DeleteEntry { .. } => {
                "the CLI's `imprint content delete-entry` (not in the panel)"
            }
            NextStep::MakeSitePrimary => {
                "the CLI's `imprint content update-site <id> --primary` (not in the panel)"
            }
            NextStep::DeleteSection { section_id, force } => {
                return not_in_panel(&format!("delete-section {section_id}"), *force);
            }
            NextStep::DeleteEntryType {
                entry_type_id,
                force,
            } => return not_in_panel(&format!("delete-entry-type {entry_type_id}"), *force),
            NextStep::DeleteField { field_id, force } => {
                return not_in_panel(&format!("delete-field {field_id}"), *force);
            }
            NextStep::GetFieldLayout { field_layout_id } => {
                return not_in_panel(&format!("field-layout {field_layout_id}"), false);
            }
            NextStep::UpdateEntryType => {
                "the CLI's `imprint content update-entry-type` (not in the panel)"
            }
            NextStep::DeleteEntryPermanently { entry_id } => {
                return format!(
                    "the CLI's `imprint content delete-entry {entry_id} --permanently` (not in the panel)"
                );
            }
            NextStep::RequestApply => {
                "the CLI's `imprint requests ask-apply <draft id>` (not in the panel)"
            }
            NextStep::RequestPublish => "the CLI's `imprint requests ask` (not in the panel)",
            NextStep::ListRequests => "the Requests page",
            NextStep::ApproveRequest { .. } => "Approve",
            // the panel deploys and imports user-scope files only; the step is the same
            NextStep::InProject { inner, .. } => return self.step(inner),
        };
        if label.starts_with("the ") {
            // a place, not a button
            label.to_string()
        } else {
            format!("\u{201c}{label}\u{201d}")
        }
    }

    fn verb(&self) -> &'static str {
        "use"
    }
}

/// A content command the panel has no form for, as the CLI's (with its id and `--force`).
fn not_in_panel(command: &str, force: bool) -> String {
    format!(
        "the CLI's `imprint content {command}{}` (not in the panel)",
        if force { " --force" } else { "" }
    )
}
