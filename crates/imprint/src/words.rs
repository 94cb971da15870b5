//! The CLI's own words for what can follow an operation.
//!
//! Operations return their next steps as data ([`NextStep`]); [`CliWords`] names each as the
//! command that does it, with the flags it needs (`imprint publish --client cursor`). Every
//! service error and answer message known to name a tool now carries its steps as data and
//! is worded before [`cli_words`] sees it. [`cli_words`] (one table from tool name to
//! command, applied to every text the CLI prints) stays as the fallback for what still does
//! not: `describe_server`'s `example` field (an MCP
//! call by design, which `imprint servers describe` may print), `diff_config`'s parameter names
//! (the same on REST, flags on the CLI), and any text that copies a message without its hint.
//! The table stays whole: it is keyed by tool, and such a text may name any tool.

use imprint_service::next::{NextStep, Words};

/// Steps as commands: in backticks inside a sentence (errors), or in bold on a terminal
/// (the `next:` line of an answer).
pub struct CliWords {
    pub styled: bool,
}

impl Words for CliWords {
    fn step(&self, step: &NextStep) -> String {
        let command = command(step);
        if self.styled {
            crate::human::bold(&command)
        } else {
            format!("`{command}`")
        }
    }

    fn verb(&self) -> &'static str {
        "run"
    }
}

/// The command that does `step`, with the flags that differ from the defaults.
pub fn command(step: &NextStep) -> String {
    fn target(client: &str, profile: &str) -> String {
        let mut out = String::new();
        if client != imprint_service::config::DEFAULT_CLIENT {
            out.push_str(&format!(" --client {client}"));
        }
        if profile != imprint_service::config::DEFAULT_PROFILE {
            out.push_str(&format!(" --profile {profile}"));
        }
        out
    }
    fn draft(d: &imprint_service::next::Draft) -> String {
        let mut out = target(&d.client_id, &d.profile_id);
        if d.draft_name != imprint_service::config::DEFAULT_DRAFT {
            out.push_str(&format!(" --draft {}", d.draft_name));
        }
        out
    }
    fn forced(force: bool) -> &'static str {
        if force { " --force" } else { "" }
    }
    match step {
        NextStep::ListCatalog => "imprint servers list".to_string(),
        NextStep::RegisterServer => "imprint servers register".to_string(),
        NextStep::AddServer(d) => format!("imprint draft add <id>{}", draft(d)),
        NextStep::RemoveServer(d) => format!("imprint draft remove <name>{}", draft(d)),
        NextStep::ViewDraft(d) => format!("imprint draft show{}", draft(d)),
        NextStep::Validate(d) => format!("imprint validate{}", draft(d)),
        NextStep::Publish(d) => format!("imprint publish{}", draft(d)),
        NextStep::Deploy {
            client_id,
            profile_id,
            force,
        } => format!(
            "imprint deploy{}{}",
            target(client_id, profile_id),
            forced(*force)
        ),
        NextStep::ImportConfig(d) => format!("imprint config import{}", draft(d)),
        NextStep::ConfigHistory {
            client_id,
            profile_id,
        } => format!("imprint config history{}", target(client_id, profile_id)),
        NextStep::SearchContent => "imprint content search <text>".to_string(),
        NextStep::GetEntry { entry_id } => format!("imprint content get-entry {entry_id}"),
        NextStep::UpdateEntry { entry_id } => format!("imprint content update-entry {entry_id}"),
        NextStep::CreateDraft {
            canonical_id: Some(id),
        } => format!("imprint content create-draft --canonical {id}"),
        NextStep::CreateDraft { canonical_id: None } => {
            "imprint content create-draft --section <id>".to_string()
        }
        NextStep::UpdateDraft { draft_id } => format!("imprint content update-draft {draft_id}"),
        NextStep::ApplyDraft { draft_id } => format!("imprint content apply-draft {draft_id}"),
        NextStep::ListDrafts => "imprint content drafts".to_string(),
        NextStep::DeleteDraft { draft_id } => format!("imprint content delete-draft {draft_id}"),
        NextStep::ListClients => "imprint clients".to_string(),
        NextStep::DescribeServer => "imprint servers describe <id>".to_string(),
        NextStep::ListSites => "imprint content sites".to_string(),
        NextStep::ListSections => "imprint content sections".to_string(),
        NextStep::ListEntryTypes => "imprint content entry-types".to_string(),
        NextStep::ListFields => "imprint content fields".to_string(),
        NextStep::ListFieldTypes => "imprint content field-types".to_string(),
        NextStep::UpdateSection => "imprint content update-section <id>".to_string(),
        NextStep::UpdateFieldLayout => "imprint content update-field-layout <id>".to_string(),
        NextStep::CreateEntryType => "imprint content create-entry-type".to_string(),
        NextStep::CreateEntry => "imprint content create-entry".to_string(),
        NextStep::CreateField => "imprint content create-field".to_string(),
        NextStep::SetSecret => "imprint secrets set <name>".to_string(),
        NextStep::ListRevisions { entry_id } => format!("imprint content revisions {entry_id}"),
        NextStep::GetRevision { entry_id } => {
            format!("imprint content revision {entry_id} <revision>")
        }
        NextStep::RevertEntry { entry_id } => {
            format!("imprint content revert {entry_id} <revision>")
        }
        NextStep::RestoreEntry { entry_id } => format!("imprint content restore-entry {entry_id}"),
        NextStep::DeleteEntry { entry_id } => format!("imprint content delete-entry {entry_id}"),
        NextStep::UpdateEntryType => "imprint content update-entry-type <id>".to_string(),
        NextStep::DeleteEntryPermanently { entry_id } => {
            format!("imprint content delete-entry {entry_id} --permanently")
        }
        NextStep::MakeSitePrimary => "imprint content update-site <id> --primary".to_string(),
        NextStep::GetFieldLayout { field_layout_id } => {
            format!("imprint content field-layout {field_layout_id}")
        }
        NextStep::DeleteSection { section_id, force } => {
            format!(
                "imprint content delete-section {section_id}{}",
                forced(*force)
            )
        }
        NextStep::DeleteEntryType {
            entry_type_id,
            force,
        } => format!(
            "imprint content delete-entry-type {entry_type_id}{}",
            forced(*force)
        ),
        NextStep::DeleteField { field_id, force } => {
            format!("imprint content delete-field {field_id}{}", forced(*force))
        }
        NextStep::RequestPublish => "imprint requests ask".to_string(),
        NextStep::RequestApply => "imprint requests ask-apply <draft id>".to_string(),
        NextStep::ListRequests => "imprint requests list".to_string(),
        NextStep::ApproveRequest { request_id } => format!("imprint requests approve {request_id}"),
        NextStep::InProject { project_dir, inner } => {
            let dir = if project_dir.contains(char::is_whitespace) {
                format!("'{project_dir}'")
            } else {
                project_dir.clone()
            };
            format!("{} --project-dir {dir}", command(inner))
        }
    }
}

/// Whole phrases first: where a tool name comes with its argument, the command has a flag.
/// Each row stays for a text that may still reach the CLI without its steps: a forced deploy
/// as `ToolWords` names it, "pass force: true" (a deploy refusal's MCP text, copied without
/// its hint), and `diff_config`'s parameter names.
const PHRASES: &[(&str, &str)] = &[
    ("deploy_config (force)", "`imprint deploy --force`"),
    ("force: true", "--force"),
    (
        "pass local_payload (the config you have) or local_artifact_id (an artifact you hold)",
        "pass --local-file (the config you have) or --artifact (an artifact you hold)",
    ),
];

/// Every MCP tool, and the command that does the same (for texts without structured steps).
pub const TOOL_COMMANDS: &[(&str, &str)] = &[
    ("request_publish", "imprint requests ask"),
    ("request_apply", "imprint requests ask-apply"),
    ("list_requests", "imprint requests list"),
    ("approve_request", "imprint requests approve"),
    ("reject_request", "imprint requests reject"),
    ("add_server_to_config", "imprint draft add"),
    ("remove_server_from_config", "imprint draft remove"),
    ("view_draft_config", "imprint draft show"),
    ("clear_draft_config", "imprint draft clear"),
    ("list_config_drafts", "imprint draft list"),
    ("validate_config", "imprint validate"),
    ("publish_config", "imprint publish"),
    ("get_config_history", "imprint config history"),
    ("get_config", "imprint config get"),
    ("diff_config", "imprint config diff"),
    ("rollback_config", "imprint config rollback"),
    ("verify_config", "imprint config verify"),
    ("import_config", "imprint config import"),
    ("deployed_config", "imprint config deployed"),
    ("deploy_config", "imprint deploy"),
    ("get_deployment_status", "imprint status"),
    ("list_clients", "imprint clients"),
    ("list_profiles", "imprint profiles"),
    ("list_available_servers", "imprint servers list"),
    ("describe_server", "imprint servers describe"),
    ("register_server", "imprint servers register"),
    ("import_registry_server", "imprint servers import-registry"),
    ("initialize_keys", "imprint keys init"),
    ("set_secret", "imprint secrets set"),
    ("list_secrets", "imprint secrets list"),
    ("remove_secret", "imprint secrets remove"),
    ("get_sites", "imprint content sites"),
    ("create_site", "imprint content create-site"),
    ("update_site", "imprint content update-site"),
    ("get_sections", "imprint content sections"),
    ("create_section", "imprint content create-section"),
    ("update_section", "imprint content update-section"),
    ("delete_section", "imprint content delete-section"),
    ("get_entry_types", "imprint content entry-types"),
    ("create_entry_type", "imprint content create-entry-type"),
    ("update_entry_type", "imprint content update-entry-type"),
    ("delete_entry_type", "imprint content delete-entry-type"),
    ("get_field_types", "imprint content field-types"),
    ("get_fields", "imprint content fields"),
    ("create_field_layout", "imprint content create-field-layout"),
    ("get_field_layout", "imprint content field-layout"),
    ("update_field_layout", "imprint content update-field-layout"),
    ("create_field", "imprint content create-field"),
    ("update_field", "imprint content update-field"),
    ("delete_field", "imprint content delete-field"),
    ("create_entry", "imprint content create-entry"),
    ("get_entry", "imprint content get-entry"),
    ("update_entry", "imprint content update-entry"),
    ("delete_entry", "imprint content delete-entry"),
    ("restore_entry", "imprint content restore-entry"),
    ("search_content", "imprint content search"),
    ("create_draft", "imprint content create-draft"),
    ("update_draft", "imprint content update-draft"),
    ("apply_draft", "imprint content apply-draft"),
    ("list_drafts", "imprint content drafts"),
    ("delete_draft", "imprint content delete-draft"),
    ("list_revisions", "imprint content revisions"),
    ("get_revision", "imprint content revision"),
    ("revert_entry", "imprint content revert"),
];

/// `text` with every MCP tool name replaced by its command, in backticks.
pub fn cli_words(text: &str) -> String {
    let mut out = text.to_string();
    for (phrase, words) in PHRASES {
        out = out.replace(phrase, words);
    }
    let mut result = String::with_capacity(out.len());
    let mut rest = out.as_str();
    // Word by word, so `get_config` never eats the front of `get_config_history`.
    while let Some(start) = rest.find(|c: char| c.is_ascii_lowercase() || c == '_') {
        result.push_str(&rest[..start]);
        let tail = &rest[start..];
        let end = tail
            .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
            .unwrap_or(tail.len());
        let word = &tail[..end];
        let before = result.chars().next_back();
        let at_word_start = !before.is_some_and(|c| c.is_ascii_alphanumeric() || c == '-');
        // Already quoted (`update_entry`): the quotes stay, the name inside changes.
        let quoted = before == Some('`');
        match TOOL_COMMANDS.iter().find(|(tool, _)| *tool == word) {
            Some((_, command)) if at_word_start && quoted => result.push_str(command),
            Some((_, command)) if at_word_start => {
                result.push('`');
                result.push_str(command);
                result.push('`');
            }
            _ => result.push_str(word),
        }
        rest = &tail[end..];
    }
    result.push_str(rest);
    // "call publish_config" is MCP's verb; a person runs a command.
    result
        .replace("call `imprint", "run `imprint")
        .replace("Call `imprint", "Run `imprint")
}

#[cfg(test)]
mod tests {
    use super::*;
    use imprint_service::next::{Draft, Hint, ToolWords};

    #[test]
    fn steps_become_commands_with_the_flags_they_need() {
        let cursor = Draft::new("cursor", "default", "default");
        let hint = Hint::text("; ")
            .step(NextStep::ViewDraft(cursor.clone()))
            .then(" to review, ")
            .step(NextStep::Publish(cursor));
        let message = format!("added x{}", hint.word(&ToolWords));
        assert_eq!(
            hint.reword(&message, &CliWords { styled: false }),
            "added x; `imprint draft show --client cursor` to review, `imprint publish --client cursor`"
        );
        let deploy = NextStep::Deploy {
            client_id: "claude-desktop".into(),
            profile_id: "work".into(),
            force: true,
        };
        assert_eq!(command(&deploy), "imprint deploy --profile work --force");
    }

    #[test]
    fn tool_names_become_commands() {
        assert_eq!(
            cli_words("view_draft_config to review, publish_config when ready"),
            "`imprint draft show` to review, `imprint publish` when ready"
        );
        assert_eq!(
            cli_words("get_config_history, then get_config"),
            "`imprint config history`, then `imprint config get`"
        );
        assert_eq!(cli_words("my_get_config stays"), "my_get_config stays");
        assert_eq!(
            cli_words("use `update_entry`"),
            "use `imprint content update-entry`"
        );
    }
}
