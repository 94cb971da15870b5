//! `imprint token …`: API tokens for the HTTP surface (`imprint serve --http`).
//!
//! Tokens live hashed in the data directory's database, so one minted here works in a
//! server already running on the same data directory.

use clap::Subcommand;
use imprint_service::{Service, ServiceResult, auth};

use crate::cli::answer;
use serde_json::Value;

#[derive(Debug, Subcommand)]
pub enum TokenCommand {
    /// Create a token; prints the secret alone on stdout (--json for details). It is
    /// shown only once: only its hash is stored.
    Create {
        /// Who the token acts as: recorded as author of what its requests change.
        #[arg(long)]
        name: String,
        /// Lifetime, like 90s, 30m, 12h, 7d or 2w (default: never expires).
        #[arg(long, value_name = "DURATION")]
        expires_in: Option<String>,
        /// What it may do: reader (reads), editor (also changes drafts and asks for a
        /// publish), publisher (also publishes, rolls back, applies, deploys, approves) or
        /// admin (also tokens, keys, secrets, catalog, content model, audit log).
        #[arg(long, default_value = "editor", value_name = "ROLE")]
        role: String,
    },
    /// List tokens (names, ids, status; never the secrets).
    List,
    /// Revoke a token by id or name; requests with it get 401 from then on.
    Revoke {
        /// The token's id or name.
        token: String,
    },
}

pub fn run(service: &Service, command: TokenCommand, json: bool) -> ServiceResult<Value> {
    match command {
        TokenCommand::Create {
            name,
            expires_in,
            role,
        } => {
            let lifetime = expires_in
                .as_deref()
                .map(auth::parse_duration)
                .transpose()?;
            let role: imprint_service::roles::Role = role.parse()?;
            let created = service.create_token(&name, lifetime, role)?;
            if json {
                return answer(Ok(created));
            }
            // The secret alone, so `TOKEN=$(imprint token create --name ci)` works;
            // the rest goes to stderr for the person at the terminal.
            crate::say!(
                "created token '{name}' (id {}, role {role}); it is shown only once",
                created.view.id
            );
            Ok(Value::String(created.token))
        }
        TokenCommand::List => answer(service.list_tokens()),
        TokenCommand::Revoke { token } => answer(service.revoke_token(&token)),
    }
}
