//! `imprint token …`: API tokens for the HTTP surface. Filled in by the HTTP work.

use clap::Subcommand;
use imprint_service::{Service, ServiceError, ServiceResult};
use serde_json::Value;

#[derive(Debug, Subcommand)]
pub enum TokenCommand {
    /// List tokens (names and ids, never the secrets).
    List,
}

pub fn run(_service: &Service, command: TokenCommand) -> ServiceResult<Value> {
    match command {
        TokenCommand::List => Err(ServiceError::invalid("tokens are not implemented yet")),
    }
}
