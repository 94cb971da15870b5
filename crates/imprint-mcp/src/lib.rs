//! The MCP surface: every operation of the service layer as an MCP tool, plus resources.
//!
//! This is the only crate that knows rmcp. Tools are thin: parse the arguments, call one
//! [`imprint_service::Service`] method, and map the result in one place ([`respond`]):
//! a failed operation is a tool result with `isError: true` whose text names the
//! problem and the fix (the model can correct its call); only internal failures become
//! protocol errors, logged once. No tool declares an `outputSchema` (some clients fail
//! tools that do); results are JSON text.
//!
//! # Layout
//! - [`config_tools`]: the MCP client configuration tools (names from mcp-orchestration).
//! - [`content_tools`]: the content tools (names from the Craft CMS MCP plugin).
//! - [`resources`]: `capabilities://…`, `server://…`, `config://…`.
//! - [`server`]: [`ImprintMcp`], the `ServerHandler`, and [`serve_stdio`].
//! - [`toolsets`]: which tools a server serves (`--toolsets config,content,admin`).
//! - [`frames`]: JSON-RPC frame checks rmcp does not make (parse errors, batches, `id: null`).

#![forbid(unsafe_code)]

mod args;
mod config_tools;
mod content_tools;
pub mod frames;
mod resources;
mod server;
mod stdio;
mod toolsets;

pub use server::{ImprintMcp, serve_stdio};
pub use toolsets::{Toolset, Toolsets};

use imprint_service::{ErrorKind, ServiceError, ServiceResult};
use rmcp::ErrorData as McpError;
use rmcp::model::{CallToolResult, ContentBlock};
use serde_json::{Value, json};

/// The one place a service result becomes a tool result.
pub(crate) fn respond<T: serde::Serialize>(
    result: ServiceResult<T>,
) -> Result<CallToolResult, McpError> {
    // straight to text: the same pretty JSON as through a `Value`, without building one
    match result.and_then(|answer| {
        serde_json::to_string_pretty(&answer).map_err(|e| ServiceError::internal(e.to_string()))
    }) {
        Ok(text) => Ok(CallToolResult::success(vec![ContentBlock::text(text)])),
        Err(error) => error_result(&error),
    }
}

pub(crate) fn error_result(error: &ServiceError) -> Result<CallToolResult, McpError> {
    if error.kind() == ErrorKind::Internal {
        tracing::error!(error = %error.chain(), "internal error in a tool call");
        return Err(McpError::internal_error(
            "internal error; see the imprint server log",
            None,
        ));
    }
    let mut body = json!({"error": {"code": error.kind().code(), "message": error.message()}});
    if let Some(details) = error.details() {
        body["error"]["details"] = details.clone();
    }
    Ok(CallToolResult::error(vec![ContentBlock::text(pretty(
        &body,
    ))]))
}

fn pretty(value: &Value) -> String {
    serde_json::to_string_pretty(value).unwrap_or_else(|_| value.to_string())
}
