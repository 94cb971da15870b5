//! `imprint`: the binary. Parses the command line, opens the service once, runs one
//! command, and turns its error into an exit code by kind.

#![forbid(unsafe_code)]

mod cli;
mod content_cli;
mod content_import;
mod human;
mod output;
mod progress;
mod review_cli;
mod self_install;
mod serve;
mod start;
mod store;
mod store_cli;
mod team_cli;
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
                .with_writer(|| LossyStderr)
                // colour codes only for a person at a terminal, never into a client's log file
                .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
                .with_target(false)
                // On a failed write the layer would report it with `eprintln!`, which
                // panics when stderr is unwritable, and takes the request down with it.
                .log_internal_errors(false)
                .with_filter(filter.and(rmcp_capped)),
        )
        .init();
}

/// stderr for log lines: a line that cannot be written (a full disk, `/dev/full`, a closed
/// descriptor) is dropped, so logging never fails or aborts the call that logged.
struct LossyStderr;

impl std::io::Write for LossyStderr {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let _ = std::io::stderr().write_all(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        let _ = std::io::stderr().flush();
        Ok(())
    }
}

/// Writes a line to stderr, or drops it when stderr cannot be written (`eprintln!` would
/// panic there and turn an exit code into 101).
macro_rules! say {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        let _ = writeln!(std::io::stderr(), $($arg)*);
    }};
}
pub(crate) use say;

/// An rmcp event or span below info (debug, trace): these carry whole messages.
fn is_verbose_rmcp(metadata: &tracing::Metadata<'_>) -> bool {
    let target = metadata.target();
    (target == "rmcp" || target.starts_with("rmcp::")) && *metadata.level() > tracing::Level::INFO
}
