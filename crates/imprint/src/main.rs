//! `imprint`: the binary. Parses the command line, opens the service once, runs one
//! command, and turns its error into an exit code by kind.

#![forbid(unsafe_code)]

mod cli;
mod content_cli;
mod output;
mod serve;
mod token_cli;

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
    use tracing_subscriber::EnvFilter;
    let default = match verbose {
        0 => "warn",
        1 => "info",
        _ => "debug",
    };
    let mut filter =
        EnvFilter::try_from_env("IMPRINT_LOG").unwrap_or_else(|_| EnvFilter::new(default));
    // rmcp logs every request whole at debug, tool arguments included, and those can hold
    // secrets (env_vars, set_secret); stateless HTTP also logs each request at info. Only its
    // warnings and errors are written.
    if let Ok(directive) = "rmcp=warn".parse() {
        filter = filter.add_directive(directive);
    }
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_target(false)
        .init();
}
