//! `imprint-mcp`: the `imprint` binary under its package's name.
//!
//! `uvx imprint-mcp serve` (and `npx -y imprint-mcp serve`) run the executable named like the
//! package, and the package is `imprint-mcp` because `imprint` is taken on PyPI and npm. This
//! starts the `imprint` installed beside it with the same arguments, so one binary holds the
//! code and this one stays tiny. On Unix it replaces itself (`exec`): stdio, the process id
//! and signals are `imprint`'s own, which an MCP client that spawned it expects.

#![forbid(unsafe_code)]

use std::io::Write as _;
use std::process::{Command, ExitCode};

fn main() -> ExitCode {
    let imprint = match std::env::current_exe() {
        Ok(path) => path.with_file_name(format!("imprint{}", std::env::consts::EXE_SUFFIX)),
        Err(e) => {
            // writeln!, not eprintln!: an unwritable stderr must not turn this into a panic
            let _ = writeln!(
                std::io::stderr(),
                "error: imprint-mcp cannot find its own location ({e}); run `imprint` instead"
            );
            return ExitCode::from(1);
        }
    };
    let mut command = Command::new(&imprint);
    command.args(std::env::args_os().skip(1));
    let error = run(&mut command);
    let _ = writeln!(
        std::io::stderr(),
        "error: imprint-mcp starts {}, which failed to start ({error}); reinstall the imprint-mcp package",
        imprint.display()
    );
    ExitCode::from(1)
}

/// Replaces this process with `imprint`; returns only when that fails.
#[cfg(unix)]
fn run(command: &mut Command) -> std::io::Error {
    std::os::unix::process::CommandExt::exec(command)
}

/// Windows has no `exec`: runs `imprint` with stdio inherited and leaves with its exit code.
#[cfg(not(unix))]
fn run(command: &mut Command) -> std::io::Error {
    match command.status() {
        Ok(status) => std::process::exit(status.code().unwrap_or(1)),
        Err(error) => error,
    }
}
