//! How a catalog server gets onto a machine: which program its entry starts, which package
//! that program runs, and the package manager command that installs the package ahead of
//! time. Pure data: looking up programs and running installers is the service's job.
//!
//! Only the runners the catalog uses have an installer: `npx` (npm: `npm install -g`),
//! `uvx` (uv: `uv tool install`) and `docker` (`docker pull`). A remote server, or a stdio
//! server with any other command, has none: there is nothing Imprint knows how to install.

use serde::Serialize;

use crate::catalog::ServerDefinition;
use crate::model::Transport;

/// The package manager command that installs a server's package.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Installer {
    /// "npm", "uv" or "docker".
    pub package_manager: &'static str,
    /// The package (npm or PyPI name, or image) the command installs.
    pub package: String,
    /// The program to run, e.g. "npm".
    pub program: &'static str,
    /// Its arguments, e.g. ["install", "-g", "@modelcontextprotocol/server-memory"].
    pub args: Vec<String>,
}

impl Installer {
    /// The command as one line, for people and models to read.
    pub fn command_line(&self) -> String {
        std::iter::once(self.program.to_string())
            .chain(self.args.iter().cloned())
            .collect::<Vec<_>>()
            .join(" ")
    }
}

/// The program a stdio definition starts (`npx`, `uvx`, `docker`, …); `None` for remote ones.
pub fn runner(definition: &ServerDefinition) -> Option<&str> {
    match definition.transport {
        Transport::Stdio => definition.command.as_deref().filter(|c| !c.is_empty()),
        Transport::Http | Transport::Sse => None,
    }
}

/// Where the runner comes from, when it is one the catalog uses.
pub fn runner_source(runner: &str) -> Option<&'static str> {
    match runner {
        "npx" | "npm" | "node" => {
            Some("Node.js (https://nodejs.org), which provides node, npm and npx")
        }
        "uvx" | "uv" => Some("uv (https://docs.astral.sh/uv/), which provides uv and uvx"),
        "docker" => Some("Docker (https://docs.docker.com/get-docker/)"),
        _ => None,
    }
}

/// The installer for a definition's package, or `None` where none applies (remote servers,
/// stdio servers without a package or with a runner Imprint has no installer for).
pub fn installer(definition: &ServerDefinition) -> Option<Installer> {
    let package = definition.package.as_deref().filter(|p| !p.is_empty())?;
    let (package_manager, program, args): (&'static str, &'static str, Vec<&str>) =
        match runner(definition)? {
            "npx" => ("npm", "npm", vec!["install", "-g", package]),
            "uvx" => ("uv", "uv", vec!["tool", "install", package]),
            "docker" => ("docker", "docker", vec!["pull", package]),
            _ => return None,
        };
    Some(Installer {
        package_manager,
        package: package.to_string(),
        program,
        args: args.into_iter().map(str::to_string).collect(),
    })
}

/// The executable an installed package most likely puts on PATH (npm and uv packages), so
/// a check can see a global install without running the package manager: the package name
/// without its scope (`@modelcontextprotocol/server-memory` → `mcp-server-memory` is the
/// reference servers' convention, else the last segment). `None` for images.
pub fn package_executables(installer: &Installer) -> Vec<String> {
    if installer.package_manager == "docker" {
        return Vec::new();
    }
    let bare = installer
        .package
        .rsplit('/')
        .next()
        .unwrap_or(&installer.package);
    // a version suffix (`@playwright/mcp@latest`) is not part of the executable's name
    let bare = bare.split('@').next().unwrap_or(bare);
    let mut names = vec![bare.to_string()];
    if installer.package.starts_with("@modelcontextprotocol/") {
        names.insert(0, format!("mcp-{bare}"));
    }
    names
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::get_builtin;

    #[test]
    fn the_catalog_runners_have_installers_and_remote_servers_none() {
        let memory = installer(get_builtin("memory").unwrap()).unwrap();
        assert_eq!(
            memory.command_line(),
            "npm install -g @modelcontextprotocol/server-memory"
        );
        assert_eq!(
            package_executables(&memory),
            ["mcp-server-memory", "server-memory"]
        );
        let fetch = installer(get_builtin("fetch").unwrap()).unwrap();
        assert_eq!(fetch.command_line(), "uv tool install mcp-server-fetch");
        let github = installer(get_builtin("github").unwrap()).unwrap();
        assert_eq!(github.program, "docker");
        assert!(package_executables(&github).is_empty());
        assert_eq!(installer(get_builtin("n8n").unwrap()), None);
        assert_eq!(runner(get_builtin("sentry").unwrap()), None);
    }
}
