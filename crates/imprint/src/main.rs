//! `imprint`: the binary. Parses the command line, opens the service once, runs one
//! command, and turns its error into an exit code by kind.

#![forbid(unsafe_code)]

mod cli;
mod content_cli;
mod human;
mod output;
mod serve;
mod start;
mod token_cli;
mod words;

use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    let cli = cli::Cli::parse();
    init_logging(cli.verbose);
    match cli::run(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(failure) => failure.report(),
    }
}

/// Logs go to stderr only: stdout is the MCP stdio channel and the CLI's output.
fn init_logging(verbose: u8) {
    use tracing_subscriber::filter::{EnvFilter, FilterExt as _, filter_fn};
    use tracing_subscriber::prelude::*;
    let default = match verbose {
        0 => "warn",
        1 => "info",
        _ => "debug",
    };
    let mut filter =
        EnvFilter::try_from_env("IMPRINT_LOG").unwrap_or_else(|_| EnvFilter::new(default));
    // Stateless HTTP logs each request at info: quiet unless the user asks for rmcp.
    if let Ok(directive) = "rmcp=warn".parse() {
        filter = filter.add_directive(directive);
    }
    // rmcp logs every request and response whole at debug, tool arguments included, and
    // those can hold secrets (env_vars, set_secret). A directive can be outranked by a more
    // specific one the user writes (`rmcp::service=debug`), so this cap is a second filter
    // that no IMPRINT_LOG value can lift.
    let rmcp_capped = filter_fn(|metadata| !is_verbose_rmcp(metadata));
    tracing_subscriber::registry()
        .with(
            tracing_subscriber::fmt::layer()
                .with_writer(std::io::stderr)
                .with_target(false)
                .with_filter(filter.and(rmcp_capped)),
        )
        .init();
}

/// An rmcp event or span below info (debug, trace): these carry whole messages.
fn is_verbose_rmcp(metadata: &tracing::Metadata<'_>) -> bool {
    let target = metadata.target();
    (target == "rmcp" || target.starts_with("rmcp::")) && *metadata.level() > tracing::Level::INFO
}
