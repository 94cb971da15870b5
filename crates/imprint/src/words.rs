//! The CLI's own words for what the service says in MCP terms.
//!
//! The service's messages and error hints name MCP tools ("publish_config when ready");
//! a person at a terminal runs commands. Every text the CLI prints (answers it does not
//! render itself, and every error) passes through [`cli_words`], and this file holds the
//! one table from tool name to command, so a new tool needs one line here.

/// Whole phrases first: where a tool name comes with its argument, the command has a flag.
const PHRASES: &[(&str, &str)] = &[
    ("deploy_config (force)", "`imprint deploy --force`"),
    ("deploy_config with force", "`imprint deploy --force`"),
    ("force: true", "--force"),
    (
        "pass local_payload (the config you have) or local_artifact_id (an artifact you hold)",
        "pass --local-file (the config you have) or --artifact (an artifact you hold)",
    ),
];

/// Every MCP tool, and the command that does the same.
pub const TOOL_COMMANDS: &[(&str, &str)] = &[
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
