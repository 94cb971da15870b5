//! `imprint serve`: MCP over stdio by default; `--http ADDR` (the HTTP work) serves
//! Streamable HTTP MCP, REST and the control panel.

use clap::Args;
use imprint_service::Service;

use crate::cli::Failure;

#[derive(Debug, Args)]
pub struct ServeArgs {}

pub fn run(service: Service, _args: ServeArgs) -> Result<(), Failure> {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| Failure::Other(format!("cannot start the async runtime: {e}")))?;
    runtime
        .block_on(imprint_mcp::serve_stdio(service))
        .map_err(|e| Failure::Other(format!("MCP server stopped: {e}")))
}
