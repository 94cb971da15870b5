//! `imprint content …`: the content family's operations. Filled in by the content work.

use clap::Subcommand;
use imprint_service::{Service, ServiceError, ServiceResult};
use serde_json::Value;

#[derive(Debug, Subcommand)]
pub enum ContentCommand {
    /// List the sites.
    Sites,
}

pub fn run(_service: &Service, command: ContentCommand) -> ServiceResult<Value> {
    match command {
        ContentCommand::Sites => Err(ServiceError::invalid("content is not implemented yet")),
    }
}
