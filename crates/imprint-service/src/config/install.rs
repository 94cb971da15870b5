//! The old system's installation tools: is the program a catalog server needs on this
//! machine, which servers are usable here, and installing a server's package on request.
//!
//! Checks never run anything: they only look for executables on the search path (the
//! process's `PATH`, or [`crate::ServiceOptions::search_path`]). Only `install_server` runs a
//! process, the catalog entry's package manager command ([`imprint_config::install`]), and
//! only when called explicitly; it refuses where no installer applies.

use std::ffi::{OsStr, OsString};
use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use imprint_config::catalog::ServerDefinition;
use imprint_config::ids;
use imprint_config::install::{self, Installer};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::Service;
use crate::error::{ServiceError, ServiceResult};
use crate::next::{Hint, NextStep};

/// How long an installer may run before it is stopped.
const INSTALL_TIMEOUT: Duration = Duration::from_secs(600);
/// How much of an installer's stdout and stderr an answer carries (the end of each).
const OUTPUT_LIMIT: usize = 8000;

/// `check_server_installation`: whether one catalog server can run on this machine.
#[derive(Debug, Clone, Default, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct CheckServerInstallation {
    /// Catalog id, e.g. "memory", "fetch", "github" (list_available_servers shows them).
    pub server_id: String,
}

/// `list_installed_servers`: the catalog servers whose program is on this machine. Takes nothing.
#[derive(Debug, Clone, Default, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(transform = super::no_arguments)]
pub struct ListInstalledServers {}

/// `install_server`: runs the catalog server's package manager install.
#[derive(Debug, Clone, Default, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct InstallServer {
    /// Catalog id of the server whose package to install, e.g. "memory" (check_server_installation shows the command first).
    pub server_id: String,
}

/// The answer of `check_server_installation`, and one row of `list_installed_servers`.
#[derive(Debug, Clone, Serialize)]
pub struct ServerInstallation {
    pub server_id: String,
    pub display_name: String,
    /// Whether the server can run here: its program (`command`) is on PATH. Remote servers
    /// need nothing installed (true).
    pub installed: bool,
    /// The program the entry starts ("npx", "uvx", "docker", …); absent for remote servers.
    pub command: Option<String>,
    /// Where `command` was found on PATH.
    pub command_path: Option<PathBuf>,
    /// The package the command runs (npm or PyPI name, or image).
    pub package: Option<String>,
    /// "npm", "uv" or "docker" when an installer applies.
    pub package_manager: Option<&'static str>,
    /// An executable of the package found on PATH (a global npm or uv tool install); absent
    /// when none was found or the package is an image (checks never run docker).
    pub package_executable: Option<PathBuf>,
    /// The command install_server would run; absent where no installer applies.
    pub install_command: Option<String>,
    /// Whether install_server can run here: an installer applies and its program is on PATH.
    pub can_install: bool,
    /// How to get what is missing, or what runs on first use.
    pub message: String,
}

/// The answer of `list_installed_servers`.
#[derive(Debug, Clone, Serialize)]
pub struct InstalledServers {
    /// The catalog servers that can run here, sorted by id.
    pub servers: Vec<ServerInstallation>,
    pub count: usize,
    /// Ids of the catalog servers whose program is missing.
    pub not_installed: Vec<String>,
}

/// The answer of `install_server`.
#[derive(Debug, Clone, Serialize)]
pub struct ServerInstalled {
    /// "installed" (the command exited 0) or "failed".
    pub status: &'static str,
    pub server_id: String,
    pub success: bool,
    /// The command that ran.
    pub command: String,
    /// Its exit code; absent when it was stopped (timeout) or killed by a signal.
    pub exit_code: Option<i32>,
    /// The end of its standard output.
    pub stdout: String,
    /// The end of its standard error.
    pub stderr: String,
    pub message: String,
}

/// The executable `name` in the directories of `search_path`, as a shell would find it.
fn find_executable(search_path: &OsStr, name: &str) -> Option<PathBuf> {
    if name.contains('/') || name.contains('\\') {
        let path = PathBuf::from(name);
        return is_executable(&path).then_some(path);
    }
    std::env::split_paths(search_path)
        .filter(|dir| !dir.as_os_str().is_empty())
        .flat_map(|dir| {
            let mut candidates = vec![dir.join(name)];
            if cfg!(windows) {
                candidates
                    .extend([".exe", ".cmd", ".bat"].map(|ext| dir.join(format!("{name}{ext}"))));
            }
            candidates
        })
        .find(|candidate| is_executable(candidate))
}

fn is_executable(path: &Path) -> bool {
    let Ok(meta) = std::fs::metadata(path) else {
        return false;
    };
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        meta.is_file() && meta.permissions().mode() & 0o111 != 0
    }
    #[cfg(not(unix))]
    {
        meta.is_file()
    }
}

/// The last `OUTPUT_LIMIT` bytes of `bytes` as text, cut at a character boundary.
fn tail(bytes: &[u8]) -> String {
    let text = String::from_utf8_lossy(bytes);
    if text.len() <= OUTPUT_LIMIT {
        return text.into_owned();
    }
    let mut start = text.len() - OUTPUT_LIMIT;
    while !text.is_char_boundary(start) {
        start += 1;
    }
    format!("…{}", &text[start..])
}

impl Service {
    fn search_path(&self) -> OsString {
        self.inner
            .search_path
            .clone()
            .or_else(|| std::env::var_os("PATH"))
            .unwrap_or_default()
    }

    fn installation_of(&self, definition: &ServerDefinition, path: &OsStr) -> ServerInstallation {
        let installer = install::installer(definition);
        let command = install::runner(definition).map(str::to_string);
        let command_path = command.as_deref().and_then(|c| find_executable(path, c));
        let package_executable = installer.as_ref().and_then(|i| {
            install::package_executables(i)
                .iter()
                .find_map(|name| find_executable(path, name))
        });
        let installer_found = installer
            .as_ref()
            .is_some_and(|i| find_executable(path, i.program).is_some());
        let installed = command.is_none() || command_path.is_some();
        let message = match (&command, &command_path) {
            (None, _) => "a remote server: nothing to install; clients that cannot reach remote servers start it through npx mcp-remote".to_string(),
            (Some(c), Some(p)) => match &installer {
                Some(i) if package_executable.is_none() => format!(
                    "{c} is at {}; it fetches {} on first use, or install_server runs `{}` ahead of time",
                    p.display(),
                    i.package,
                    i.command_line()
                ),
                _ => format!("{c} is at {}", p.display()),
            },
            (Some(c), None) => match install::runner_source(c) {
                Some(source) => format!("{c} is not on PATH: install {source}, then check again"),
                None => format!(
                    "{c} is not on PATH: install it (see {}) or register the server with the full path of its program",
                    definition.homepage.as_deref().unwrap_or("the server's documentation")
                ),
            },
        };
        ServerInstallation {
            server_id: definition.server_id.clone(),
            display_name: definition.display_name.clone(),
            installed,
            command,
            command_path,
            package: definition.package.clone(),
            package_manager: installer.as_ref().map(|i| i.package_manager),
            package_executable,
            install_command: installer.as_ref().map(Installer::command_line),
            can_install: installer_found,
            message,
        }
    }

    pub fn check_server_installation(
        &self,
        request: CheckServerInstallation,
    ) -> ServiceResult<ServerInstallation> {
        let server_id = request.server_id.as_str();
        if server_id.is_empty() {
            return Err(server_id_required());
        }
        ids::validate_id("server_id", server_id)?;
        let definition = self.definition(server_id)?;
        Ok(self.installation_of(&definition, &self.search_path()))
    }

    pub fn list_installed_servers(
        &self,
        _request: ListInstalledServers,
    ) -> ServiceResult<InstalledServers> {
        let path = self.search_path();
        let mut servers = Vec::new();
        let mut not_installed = Vec::new();
        for definition in self.catalog()?.values() {
            let row = self.installation_of(definition, &path);
            if row.installed {
                servers.push(row);
            } else {
                not_installed.push(row.server_id);
            }
        }
        Ok(InstalledServers {
            count: servers.len(),
            servers,
            not_installed,
        })
    }

    /// Runs the server's package manager install and answers with its output. Refuses where
    /// no installer applies or its program is not on PATH.
    pub fn install_server(&self, request: InstallServer) -> ServiceResult<ServerInstalled> {
        let server_id = request.server_id.as_str();
        if server_id.is_empty() {
            return Err(server_id_required());
        }
        ids::validate_id("server_id", server_id)?;
        let definition = self.definition(server_id)?;
        let Some(installer) = install::installer(&definition) else {
            let why = match install::runner(&definition) {
                None => "it is a remote server: there is nothing to install".to_string(),
                Some(runner) if definition.package.as_deref().is_none_or(str::is_empty) => {
                    format!("its command {runner} runs no catalog package")
                }
                Some(runner) => format!(
                    "Imprint installs only npx (npm), uvx (uv) and docker packages, and it runs {runner}"
                ),
            };
            return Err(ServiceError::invalid(format!(
                "no installer applies to server '{server_id}': {why}; nothing was run"
            )));
        };
        let path = self.search_path();
        let Some(program) = find_executable(&path, installer.program) else {
            return Err(ServiceError::invalid(format!(
                "cannot install '{server_id}': {} is not on PATH; install {} first (nothing was run)",
                installer.program,
                install::runner_source(installer.program).unwrap_or(installer.program)
            )));
        };
        let command_line = installer.command_line();
        tracing::info!(server_id, command = %command_line, "installing a server package");
        let mut child = Command::new(&program)
            .args(&installer.args)
            .env("PATH", &path)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .map_err(|e| {
                ServiceError::invalid(format!(
                    "could not start `{command_line}` ({}): {e}",
                    program.display()
                ))
            })?;
        // read both pipes while waiting, so a chatty installer never blocks on a full pipe
        let mut readers = Vec::new();
        for pipe in [
            child
                .stdout
                .take()
                .map(|p| Box::new(p) as Box<dyn Read + Send>),
            child
                .stderr
                .take()
                .map(|p| Box::new(p) as Box<dyn Read + Send>),
        ] {
            readers.push(std::thread::spawn(move || {
                let mut bytes = Vec::new();
                if let Some(mut pipe) = pipe {
                    let _ = pipe.read_to_end(&mut bytes);
                }
                bytes
            }));
        }
        let started = Instant::now();
        let status = loop {
            match child.try_wait() {
                Ok(Some(status)) => break Some(status),
                Ok(None) if started.elapsed() > INSTALL_TIMEOUT => {
                    let _ = child.kill();
                    let _ = child.wait();
                    break None;
                }
                Ok(None) => std::thread::sleep(Duration::from_millis(50)),
                Err(e) => {
                    return Err(ServiceError::internal(format!(
                        "waiting for `{command_line}`: {e}"
                    )));
                }
            }
        };
        let mut outputs = readers
            .into_iter()
            .map(|reader| reader.join().unwrap_or_default());
        let stdout = tail(&outputs.next().unwrap_or_default());
        let stderr = tail(&outputs.next().unwrap_or_default());
        let success = status.is_some_and(|s| s.success());
        let exit_code = status.and_then(|s| s.code());
        let message = match (success, status) {
            (true, _) => format!(
                "installed {} with `{command_line}`; check_server_installation shows it",
                installer.package
            ),
            (false, None) => format!(
                "`{command_line}` did not finish within {} minutes and was stopped; see stdout and stderr",
                INSTALL_TIMEOUT.as_secs() / 60
            ),
            (false, Some(_)) => format!(
                "`{command_line}` failed (exit code {}); see stderr for why, fix it and call install_server again",
                exit_code.map_or_else(|| "none: killed by a signal".to_string(), |c| c.to_string())
            ),
        };
        Ok(ServerInstalled {
            status: if success { "installed" } else { "failed" },
            server_id: server_id.to_string(),
            success,
            command: command_line,
            exit_code,
            stdout,
            stderr,
            message,
        })
    }
}

fn server_id_required() -> ServiceError {
    ServiceError::invalid("server_id is required").with_hint(
        Hint::text(": ")
            .step(NextStep::ListCatalog)
            .then(" shows the ids"),
    )
}
