//! Who may do what: the role each operation needs, in one table ([`RULES`]).
//!
//! Every surface checks the same table before it runs an operation: MCP tools by tool
//! name, REST routes by their OpenAPI operation id (snake-cased, so `addServer` is
//! `add_server`, an alias of `add_server_to_config`), control panel actions by the
//! operation their form runs. An operation missing from the table is refused (deny by
//! default), and tests walk `tools/list` and the OpenAPI table so none goes missing.
//!
//! Roles are ordered: `reader` < `editor` < `publisher` < `admin`; each has the rights
//! of those before it. The local owner (stdio MCP, the CLI, the control panel's launch
//! token) is `admin`.
//!
//! ```
//! use imprint_service::roles::{self, Role};
//! assert_eq!(roles::rule("publish_config").unwrap().role, Role::Publisher);
//! assert_eq!(roles::rule("add_server").unwrap().role, Role::Editor); // the REST id
//! assert!(roles::rule("no_such_operation").is_none());
//! ```

use std::fmt;
use std::str::FromStr;

use imprint_store::team::AuditRow;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::error::{ErrorKind, ServiceError, ServiceResult};
use crate::next::{Hint, NextStep};
use crate::{Service, now_millis};

/// What a caller may do. Ordered: each role has every right of the roles before it.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, JsonSchema,
)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    /// Reads.
    Reader,
    /// Also changes drafts and asks for a publish (an assistant's natural role).
    Editor,
    /// Also publishes, rolls back, applies content drafts, changes live entries, deploys
    /// and decides publish requests.
    Publisher,
    /// Also manages tokens, keys, secrets, the catalog, the content model and reads the audit log.
    Admin,
}

impl Role {
    pub const ALL: [Role; 4] = [Role::Reader, Role::Editor, Role::Publisher, Role::Admin];

    pub fn name(self) -> &'static str {
        match self {
            Role::Reader => "reader",
            Role::Editor => "editor",
            Role::Publisher => "publisher",
            Role::Admin => "admin",
        }
    }

    /// "a reader", "an editor", …
    fn with_article(self) -> String {
        match self {
            Role::Editor | Role::Admin => format!("an {}", self.name()),
            _ => format!("a {}", self.name()),
        }
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for Role {
    type Err = ServiceError;

    fn from_str(text: &str) -> Result<Self, ServiceError> {
        Role::ALL
            .into_iter()
            .find(|role| role.name() == text.trim())
            .ok_or_else(|| {
                ServiceError::invalid(format!(
                    "'{text}' is not a role: use reader, editor, publisher or admin"
                ))
            })
    }
}

/// Where a call came from, as the audit log records it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Surface {
    McpStdio,
    McpHttp,
    Rest,
    Panel,
    Cli,
}

impl Surface {
    pub fn name(self) -> &'static str {
        match self {
            Surface::McpStdio => "mcp-stdio",
            Surface::McpHttp => "mcp-http",
            Surface::Rest => "rest",
            Surface::Panel => "panel",
            Surface::Cli => "cli",
        }
    }
}

/// One operation's rule.
#[derive(Debug)]
pub struct Rule {
    /// The operation's name (the MCP tool's name where there is one).
    pub operation: &'static str,
    /// Other names surfaces call it by (REST operation ids, snake-cased, where they differ).
    pub aliases: &'static [&'static str],
    /// The least role that may call it.
    pub role: Role,
    /// Whether it changes something (and so is written to the audit log).
    pub changes: bool,
}

const fn read(operation: &'static str, aliases: &'static [&'static str]) -> Rule {
    Rule {
        operation,
        aliases,
        role: Role::Reader,
        changes: false,
    }
}

const fn change(operation: &'static str, aliases: &'static [&'static str], role: Role) -> Rule {
    Rule {
        operation,
        aliases,
        role,
        changes: true,
    }
}

use Role::{Admin, Editor, Publisher};

/// The one table: every operation of every surface and the role it needs.
pub static RULES: &[Rule] = &[
    // ----- configurations: reads
    read("list_clients", &[]),
    read("list_profiles", &[]),
    read("get_config", &[]),
    read("diff_config", &[]),
    read("list_available_servers", &["list_servers"]),
    read("describe_server", &[]),
    read("view_draft_config", &["view_draft"]),
    read("validate_config", &[]),
    read("get_deployment_status", &["deployed_config"]),
    read("get_config_history", &["config_history"]),
    read("verify_config", &[]),
    read("list_config_drafts", &[]),
    read("check_server_installation", &[]),
    read("list_installed_servers", &[]),
    read("get_profile_status", &["profile_status"]),
    // The keyring a member's machine pins and follows (public keys only).
    read("get_keyring", &[]),
    // ----- configurations: drafts
    change("add_server_to_config", &["add_server"], Editor),
    change("remove_server_from_config", &["remove_server"], Editor),
    change("clear_draft_config", &["clear_draft"], Editor),
    change("import_config", &[], Editor),
    // ----- configurations: live
    change("publish_config", &[], Publisher),
    change("rollback_config", &[], Publisher),
    change("deploy_config", &[], Publisher),
    // ----- configurations: the machine's catalog, keys and secrets
    change("register_server", &[], Admin),
    change("import_registry_server", &[], Admin),
    change("install_server", &[], Admin),
    change("initialize_keys", &[], Admin),
    change("set_secret", &[], Admin),
    // Which clients a profile of `all` addresses: managing clients is an admin's.
    change("link_clients", &[], Admin),
    change("unlink_clients", &[], Admin),
    change("remove_secret", &[], Admin),
    Rule {
        operation: "list_secrets",
        aliases: &[],
        role: Admin,
        changes: false,
    },
    // ----- content: reads
    read("get_sites", &[]),
    read("get_sections", &["get_section"]),
    read("get_entry_types", &["get_entry_type"]),
    read("get_fields", &[]),
    read("get_field_types", &[]),
    read("get_field_layout", &[]),
    read("get_entry", &[]),
    read("search_content", &[]),
    read("list_revisions", &[]),
    read("get_revision", &[]),
    read("list_drafts", &["get_draft"]),
    // ----- content: drafts
    change("create_draft", &[], Editor),
    change("update_draft", &[], Editor),
    change("delete_draft", &[], Editor),
    // ----- content: live entries
    change("apply_draft", &[], Publisher),
    change("create_entry", &[], Publisher),
    change("update_entry", &[], Publisher),
    change("delete_entry", &[], Publisher),
    change("restore_entry", &[], Publisher),
    change("revert_entry", &[], Publisher),
    // ----- content: the model
    change("create_site", &[], Admin),
    change("update_site", &[], Admin),
    change("create_section", &[], Admin),
    change("update_section", &[], Admin),
    change("delete_section", &[], Admin),
    change("create_entry_type", &[], Admin),
    change("update_entry_type", &[], Admin),
    change("delete_entry_type", &[], Admin),
    change("create_field", &[], Admin),
    change("update_field", &[], Admin),
    change("delete_field", &[], Admin),
    change("create_field_layout", &[], Admin),
    change("update_field_layout", &[], Admin),
    // ----- review before publish
    change("request_publish", &[], Editor),
    change("request_apply", &[], Editor),
    read("list_requests", &[]),
    change("approve_request", &[], Publisher),
    change("reject_request", &[], Publisher),
    // ----- tokens and the audit log
    change("create_token", &[], Admin),
    change("revoke_token", &[], Admin),
    Rule {
        operation: "list_tokens",
        aliases: &[],
        role: Admin,
        changes: false,
    },
    Rule {
        operation: "get_audit_log",
        aliases: &[],
        role: Admin,
        changes: false,
    },
];

/// The rule for an operation, by its name or an alias.
pub fn rule(operation: &str) -> Option<&'static Rule> {
    RULES
        .iter()
        .find(|rule| rule.operation == operation || rule.aliases.contains(&operation))
}

/// `addServer` → `add_server`: how a REST operation id finds its rule.
pub fn snake_case(id: &str) -> String {
    let mut out = String::with_capacity(id.len() + 4);
    for c in id.chars() {
        if c.is_ascii_uppercase() {
            out.push('_');
            out.push(c.to_ascii_lowercase());
        } else {
            out.push(c);
        }
    }
    out
}

/// Who is calling, beyond the name: what the role check and the audit log need.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CallerInfo {
    pub role: Role,
    pub token_id: Option<String>,
    pub surface: Surface,
}

impl Default for CallerInfo {
    /// The machine's owner at the CLI.
    fn default() -> Self {
        Self {
            role: Role::Admin,
            token_id: None,
            surface: Surface::Cli,
        }
    }
}

impl Service {
    /// The caller's role.
    pub fn role(&self) -> Role {
        self.caller.role
    }

    /// Where calls come from (recorded in the audit log).
    pub fn surface(&self) -> Surface {
        self.caller.surface
    }

    /// The same caller on another surface (stdio MCP is the machine's owner, like the CLI).
    pub fn on_surface(&self, surface: Surface) -> Self {
        let caller = CallerInfo {
            surface,
            ..(*self.caller).clone()
        };
        self.acting_as_caller(self.actor(), caller)
    }

    /// Refuses `operation` unless the caller's role may run it (403 / `forbidden`, naming
    /// the role it needs and the caller's). An operation without a rule is refused too.
    pub fn authorize(&self, operation: &str) -> ServiceResult<&'static Rule> {
        let Some(rule) = rule(operation) else {
            return Err(ServiceError::internal(format!(
                "operation '{operation}' has no role in the role table (imprint-service/src/roles.rs)"
            )));
        };
        if self.caller.role >= rule.role {
            return Ok(rule);
        }
        let way = match (operation, self.caller.role) {
            ("publish_config", Role::Editor) => {
                Hint::text(": ask a publisher to publish it, or ask for a publish with ")
                    .step(NextStep::RequestPublish)
            }
            ("apply_draft", Role::Editor) => {
                Hint::text(": ask a publisher to apply it, or ask for it with ")
                    .step(NextStep::RequestApply)
            }
            _ => Hint::text(": ask an admin for a token with that role"),
        };
        // MCP names the operation (its tool); a route, a command or a button was what the
        // caller just used, so the other surfaces say "this"
        let refusal = Hint::default()
            .either(operation, Hint::text("this"))
            .then(&format!(
                " needs the {} role; '{}' is {}",
                rule.role,
                self.actor(),
                self.caller.role.with_article(),
            ))
            .and(way);
        Err(ServiceError::new(ErrorKind::Forbidden, "")
            .with_hint(refusal)
            .with_details(serde_json::json!({
                "operation": operation,
                "required_role": rule.role,
                "role": self.caller.role,
            })))
    }

    /// The audit row of `operation` on `target` by this caller, if it is a change
    /// (recorded under the operation's own name, whichever alias the surface used).
    fn audit_row(&self, operation: &str, target: &str) -> Option<AuditRow> {
        let rule = rule(operation).filter(|rule| rule.changes)?;
        Some(AuditRow {
            seq: 0,
            at: now_millis(),
            actor: self.actor().to_string(),
            token_id: self.caller.token_id.clone(),
            role: self.caller.role.name().to_string(),
            surface: self.caller.surface.name().to_string(),
            operation: rule.operation.to_string(),
            target: target.chars().take(512).collect(),
        })
    }

    /// Appends the row of an operation that succeeded without a write taking it (it
    /// changed nothing in the store, or wrote on another thread). A failed append is
    /// logged, never returned: the change it describes has already happened.
    fn append_left_over(&self, row: AuditRow) {
        if let Err(error) = self.store().team().append_audit(&row) {
            tracing::error!(
                operation = row.operation,
                target = row.target,
                error = %error,
                "cannot append to the audit log"
            );
        }
    }

    /// What every surface calls to run an operation: [`Self::authorize`], then `run` with
    /// the operation's audit row pending, so the first write transaction it commits
    /// carries the row and the change and its row commit together or not at all
    /// (`imprint_store::team`). `run` is synchronous, so the row is pending on this thread
    /// only while it runs. If `run` succeeds without a write taking the row, the row is
    /// appended on its own; if it fails before any write committed, nothing is recorded;
    /// if it fails after one did, the row stays (the change happened).
    pub fn perform<T, E: From<ServiceError>>(
        &self,
        operation: &str,
        target: &str,
        run: impl FnOnce(&Service) -> Result<T, E>,
    ) -> Result<T, E> {
        self.authorize(operation)?;
        let Some(row) = self.audit_row(operation, target) else {
            return run(self);
        };
        let (answer, left_over) = imprint_store::team::with_pending_audit(row, || run(self));
        let answer = answer?;
        if let Some(row) = left_over {
            self.append_left_over(row);
        }
        Ok(answer)
    }

    /// [`Self::perform`] for a surface whose operation is a future (an rmcp tool call).
    /// The row is pending only while the future is polled (never for another task that
    /// runs on the thread in between); `succeeded` says whether the answer is a success,
    /// for the row that no write took.
    pub async fn perform_async<T>(
        &self,
        operation: &str,
        target: &str,
        run: impl Future<Output = T>,
        succeeded: impl FnOnce(&T) -> bool,
    ) -> ServiceResult<T> {
        self.authorize(operation)?;
        let row = self.audit_row(operation, target);
        let (answer, left_over) = imprint_store::team::PendingAudit::new(row, run).await;
        if let Some(row) = left_over
            && succeeded(&answer)
        {
            self.append_left_over(row);
        }
        Ok(answer)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_and_aliases_are_unique_and_roles_parse() {
        let mut seen = std::collections::HashSet::new();
        for rule in RULES {
            for name in std::iter::once(&rule.operation).chain(rule.aliases) {
                assert!(seen.insert(*name), "{name} is in the role table twice");
            }
        }
        for role in Role::ALL {
            assert_eq!(role.name().parse::<Role>().unwrap(), role);
        }
        assert!("owner".parse::<Role>().is_err());
        assert_eq!(snake_case("addServer"), "add_server");
        assert!(Role::Reader < Role::Editor && Role::Publisher < Role::Admin);
    }

    #[test]
    fn a_role_below_the_rule_is_forbidden_naming_both_roles() {
        let dir = tempfile::tempdir().unwrap();
        let service = crate::tests_support::service(dir.path()).acting_as_caller(
            "ed",
            CallerInfo {
                role: Role::Editor,
                token_id: Some("t1".into()),
                surface: Surface::Rest,
            },
        );
        service.authorize("add_server_to_config").unwrap();
        let refused = service.authorize("publish_config").unwrap_err();
        assert_eq!(refused.kind(), ErrorKind::Forbidden);
        assert!(
            refused.message().contains("needs the publisher role"),
            "{refused}"
        );
        assert!(refused.message().contains("'ed' is an editor"), "{refused}");
        assert_eq!(
            service.authorize("nothing_like_it").unwrap_err().kind(),
            ErrorKind::Internal
        );
    }

    #[test]
    fn changes_are_recorded_and_reads_are_not() {
        let dir = tempfile::tempdir().unwrap();
        let service = crate::tests_support::service(dir.path());
        let nothing = |_: &Service| ServiceResult::Ok(());
        service.perform("list_clients", "", nothing).unwrap();
        service
            .perform("add_server_to_config", "cursor/dev", nothing)
            .unwrap();
        let failed: ServiceResult<()> = service.perform("publish_config", "cursor/dev", |_| {
            Err(ServiceError::invalid("no"))
        });
        assert!(failed.is_err());
        let log = service.store().team().audit_log(10).unwrap();
        assert_eq!(log.len(), 1, "{log:?}");
        assert_eq!(log[0].operation, "add_server_to_config");
        assert_eq!(log[0].surface, "cli");
        assert_eq!(log[0].role, "admin");
    }

    #[test]
    fn the_row_commits_with_the_first_write_and_stays_if_the_operation_then_fails() {
        let dir = tempfile::tempdir().unwrap();
        let service = crate::tests_support::service(dir.path());
        let secret = |name: &str| imprint_store::SecretRow {
            name: name.into(),
            nonce: vec![0; 12],
            ciphertext: vec![1],
            created_at: 1,
            updated_at: 1,
        };
        let failed: ServiceResult<()> = service.perform("set_secret", "A", |s| {
            s.store().put_secret(&secret("A"))?;
            Err(ServiceError::invalid("after the write"))
        });
        assert!(failed.is_err());
        let log = service.store().team().audit_log(10).unwrap();
        assert_eq!(
            log.len(),
            1,
            "the change happened, so its row stays: {log:?}"
        );
        assert_eq!(
            (log[0].operation.as_str(), log[0].target.as_str()),
            ("set_secret", "A")
        );
        assert!(service.store().secret("A").unwrap().is_some());

        // Two writes, one row.
        service
            .perform("set_secret", "B", |s| {
                s.store().put_secret(&secret("B"))?;
                s.store().put_secret(&secret("C"))?;
                ServiceResult::Ok(())
            })
            .unwrap();
        assert_eq!(service.store().team().audit_log(10).unwrap().len(), 2);
    }
}
