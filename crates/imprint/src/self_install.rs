//! `imprint self install`: Imprint adds itself to an MCP client as a managed server.
//!
//! It runs the operations a person would (register the catalog entry, add it to the draft,
//! publish, deploy), so the client's file is edited like any other deploy: only the MCP
//! section changes, a backup is taken, drift and servers Imprint did not put there are
//! refused, and the history shows the change. Run again, it changes nothing and says so.

use std::path::{Path, PathBuf};

use clap::{Args, Subcommand, ValueEnum};
use imprint_service::api::{Flag, JsonObject};
use imprint_service::config::{
    AddServerToConfig, DeployConfig, DeployedConfig, DeployedState, DescribeServer, DiffConfig,
    ImportConfig, PublishConfig, RegisterServer, RemoveServerFromConfig, ViewDraftConfig,
};
use imprint_service::{ErrorKind, Service, ServiceError, ServiceResult};
use serde::Serialize;
use serde_json::{Value, json};

use crate::output;

/// The catalog id of Imprint's own entry.
const SERVER_ID: &str = "imprint";
/// The package name on PyPI and npm (`imprint` is taken on both).
const PACKAGE: &str = "imprint-mcp";

#[derive(Debug, Subcommand)]
pub enum SelfCommand {
    /// Add Imprint to a client's MCP servers: registered, added to the draft, published and
    /// deployed like any other server (a backup of the client's file is kept).
    #[command(
        after_help = "Examples:\n  imprint self install --client cursor\n  imprint self install --client claude-desktop --launcher uvx\n  imprint self install --client vscode --launcher npx"
    )]
    Install(InstallArgs),
}

#[derive(Debug, Args)]
pub struct InstallArgs {
    /// Client id (see `imprint clients`).
    #[arg(long, short = 'c')]
    client: String,
    /// Profile id.
    #[arg(long, short = 'p', default_value = "default")]
    profile: String,
    /// How the client starts Imprint: `path` runs this binary by its absolute path, `uvx`
    /// runs `uvx imprint-mcp serve`, `npx` runs `npx -y imprint-mcp serve`.
    #[arg(long, value_enum, default_value_t = Launcher::Path)]
    launcher: Launcher,
    /// The entry's name in the client's file.
    #[arg(long, default_value = "imprint")]
    name: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum Launcher {
    Path,
    Uvx,
    Npx,
}

impl Launcher {
    fn word(self) -> &'static str {
        match self {
            Launcher::Path => "path",
            Launcher::Uvx => "uvx",
            Launcher::Npx => "npx",
        }
    }

    /// The command and arguments the client runs. A data directory given on the command line
    /// is passed on, so the server the client starts sees what this command manages.
    fn entry(self, data_dir: Option<&Path>) -> ServiceResult<(String, Vec<String>)> {
        let (command, mut args) = match self {
            Launcher::Uvx => ("uvx".to_string(), vec![PACKAGE.to_string()]),
            Launcher::Npx => ("npx".to_string(), vec!["-y".into(), PACKAGE.to_string()]),
            Launcher::Path => (this_binary()?, Vec::new()),
        };
        args.push("serve".into());
        if let Some(dir) = data_dir {
            args.push("--data-dir".into());
            args.push(absolute(dir)?.to_string_lossy().into_owned());
        }
        Ok((command, args))
    }
}

/// This binary's absolute path, refused when it lives in a cache that is cleaned behind the
/// client's back (`npx` and `uvx` run packages from there).
fn this_binary() -> ServiceResult<String> {
    let path = std::env::current_exe()
        .and_then(|p| p.canonicalize())
        .map_err(|e| {
            ServiceError::internal(format!(
                "cannot find this binary's path ({e}); pass --launcher uvx or --launcher npx"
            ))
        })?;
    let text = path.to_string_lossy().replace('\\', "/");
    for (marker, launcher) in [("/_npx/", "npx"), ("/uv/archive-", "uvx")] {
        if text.contains(marker) {
            return Err(ServiceError::invalid(format!(
                "this imprint runs from {launcher}'s cache ({text}), which can be cleaned at any time; pass --launcher {launcher}, or install imprint (pipx install imprint-mcp, npm install -g imprint-mcp) and run self install from there"
            )));
        }
    }
    Ok(path.to_string_lossy().into_owned())
}

fn absolute(dir: &Path) -> ServiceResult<PathBuf> {
    std::path::absolute(dir).map_err(|e| {
        ServiceError::invalid(format!(
            "cannot resolve --data-dir {} ({e}); pass an absolute path",
            dir.display()
        ))
    })
}

/// The answer of `imprint self install`.
#[derive(Debug, Serialize)]
struct SelfInstalled {
    /// "installed" (something was published or deployed) or "up-to-date" (nothing to do).
    status: &'static str,
    client_id: String,
    profile_id: String,
    server_name: String,
    launcher: &'static str,
    command: String,
    args: Vec<String>,
    /// Servers already in the client's file, adopted as managed on the first install (they
    /// stay as they are).
    adopted: Vec<String>,
    /// The artifact published for the change, when there was one.
    published_artifact_id: Option<String>,
    /// The file written, when it was.
    path: Option<PathBuf>,
    backup_path: Option<PathBuf>,
    message: String,
}

pub fn run(
    service: &Service,
    command: SelfCommand,
    data_dir: Option<&Path>,
    json: bool,
) -> ServiceResult<()> {
    let SelfCommand::Install(args) = command;
    let installed = install(service, &args, data_dir)?;
    if json {
        output::print(crate::human::View::Other, &installed, true, false);
    } else {
        output::write_stdout(&format!("{}\n", installed.message));
    }
    Ok(())
}

fn install(
    service: &Service,
    request: &InstallArgs,
    data_dir: Option<&Path>,
) -> ServiceResult<SelfInstalled> {
    let client_id = Some(request.client.clone());
    let profile_id = Some(request.profile.clone());
    let target = format!("{}/{}", request.client, request.profile);
    let (command, args) = request.launcher.entry(data_dir)?;
    register(service, &command, &args)?;

    let view = |service: &Service| {
        service.view_draft_config(ViewDraftConfig {
            client_id: client_id.clone(),
            profile_id: profile_id.clone(),
            draft_name: None,
        })
    };
    let mut draft = view(service)?;
    // Publishing takes the whole draft: refuse to publish someone's unfinished work with it.
    let pending = match &draft.latest_artifact_id {
        Some(_) => {
            let payload = serde_json::from_value::<JsonObject>(draft.payload.clone())
                .map_err(|e| ServiceError::internal(format!("the draft's payload {e}")))?;
            let diff = service.diff_config(DiffConfig {
                client_id: client_id.clone(),
                profile_id: profile_id.clone(),
                local_artifact_id: None,
                local_payload: Some(payload),
            })?;
            diff.status != "up-to-date"
        }
        None => draft.server_count > 0,
    };
    if pending {
        return Err(ServiceError::conflict(format!(
            "the draft of {target} has changes that are not published (imprint config diff --client {} --profile {} shows them); publish or clear them first, then run imprint self install again",
            request.client, request.profile
        )));
    }

    // First install for this client/profile: the servers already in its file become managed
    // (unchanged), so the deploy keeps them instead of refusing them as unmanaged.
    let mut adopted = Vec::new();
    if draft.latest_artifact_id.is_none() {
        match service.import_config(ImportConfig {
            client_id: client_id.clone(),
            profile_id: profile_id.clone(),
            ..ImportConfig::default()
        }) {
            Ok(imported) => adopted = imported.imported,
            // no file yet, or no MCP section in it: nothing to adopt
            Err(e) if e.kind() == ErrorKind::NotFound => {}
            Err(e) => return Err(e),
        }
        if !adopted.is_empty() {
            draft = view(service)?;
        }
    }

    let existing = draft
        .entries
        .iter()
        .find(|entry| entry.get("server_name") == Some(&json!(request.name)));
    let wanted = existing.is_some_and(|entry| {
        entry.get("command") == Some(&json!(command)) && entry.get("args") == Some(&json!(args))
    });
    let mut published_artifact_id = None;
    if !wanted || !adopted.is_empty() {
        if !wanted {
            if existing.is_some() {
                service.remove_server_from_config(RemoveServerFromConfig {
                    server_name: request.name.clone(),
                    client_id: client_id.clone(),
                    profile_id: profile_id.clone(),
                    include_draft: Some(Flag(false)),
                    ..RemoveServerFromConfig::default()
                })?;
            }
            service.add_server_to_config(AddServerToConfig {
                server_id: SERVER_ID.into(),
                server_name: Some(request.name.clone()),
                client_id: client_id.clone(),
                profile_id: profile_id.clone(),
                include_draft: Some(Flag(false)),
                ..AddServerToConfig::default()
            })?;
        }
        let published = service.publish_config(PublishConfig {
            changelog: Some(format!(
                "imprint self install: {} runs `{}`",
                request.name,
                command_line(&command, &args)
            )),
            client_id: client_id.clone(),
            profile_id: profile_id.clone(),
            ..PublishConfig::default()
        })?;
        published_artifact_id = Some(published.artifact_id);
    }

    // Deploy unless the file already holds the latest and was not edited since; drift and
    // unmanaged servers are refused here as in any deploy.
    let in_place = match service.deployed_config(DeployedConfig {
        client_id: client_id.clone(),
        profile_id: profile_id.clone(),
    })? {
        DeployedState::Deployed(last) => last.up_to_date && !last.drift_detected,
        DeployedState::Never(_) => false,
    };
    let deployed = if in_place {
        None
    } else {
        Some(service.deploy_config(DeployConfig {
            client_id: client_id.clone(),
            profile_id: profile_id.clone(),
            ..DeployConfig::default()
        })?)
    };

    let runs = command_line(&command, &args);
    let changed = published_artifact_id.is_some() || deployed.is_some();
    let message = match &deployed {
        Some(deployed) => {
            let mut message = format!(
                "installed {} into {target}: {} now runs `{runs}`",
                request.name,
                deployed.path.display()
            );
            if !adopted.is_empty() {
                message.push_str(&format!(
                    "\nadopted the servers already there, unchanged and now managed: {}",
                    adopted.join(", ")
                ));
            }
            if let Some(backup) = &deployed.backup_path {
                message.push_str(&format!("\nbackup of the old file: {}", backup.display()));
            }
            message.push_str("\nnext: restart the client to load it");
            message
        }
        None => format!(
            "{} is up to date in {target}: it runs `{runs}`; nothing written",
            request.name
        ),
    };
    Ok(SelfInstalled {
        status: if changed { "installed" } else { "up-to-date" },
        client_id: request.client.clone(),
        profile_id: request.profile.clone(),
        server_name: request.name.clone(),
        launcher: request.launcher.word(),
        command,
        args,
        adopted,
        published_artifact_id,
        path: deployed.as_ref().map(|d| d.path.clone()),
        backup_path: deployed.and_then(|d| d.backup_path),
        message,
    })
}

/// Registers (or updates) the catalog entry `imprint` with this launcher; a no-op when it
/// already says the same, so running again writes nothing.
fn register(service: &Service, command: &str, args: &[String]) -> ServiceResult<()> {
    let current = match service.describe_server(DescribeServer {
        server_id: SERVER_ID.into(),
    }) {
        Ok(description) => Some(
            serde_json::to_value(description).map_err(|e| ServiceError::internal(e.to_string()))?,
        ),
        Err(e) if e.kind() == ErrorKind::NotFound => None,
        Err(e) => return Err(e),
    };
    let same = current.as_ref().is_some_and(|entry: &Value| {
        entry.get("source") == Some(&json!("user"))
            && entry.get("command") == Some(&json!(command))
            && entry.get("args") == Some(&json!(args))
    });
    if same {
        return Ok(());
    }
    service.register_server(RegisterServer {
        server_id: SERVER_ID.into(),
        display_name: Some("Imprint".into()),
        description: Some(
            "Imprint itself: draft, validate, publish and deploy MCP client configurations and content (added by imprint self install)."
                .into(),
        ),
        transport: Some("stdio".into()),
        command: Some(command.into()),
        args: Some(args.to_vec()),
        package: (command == "uvx" || command == "npx").then(|| PACKAGE.to_string()),
        tags: Some(vec!["imprint".into(), "config".into(), "mcp".into()]),
        ..RegisterServer::default()
    })?;
    Ok(())
}

fn command_line(command: &str, args: &[String]) -> String {
    std::iter::once(command)
        .chain(args.iter().map(String::as_str))
        .collect::<Vec<_>>()
        .join(" ")
}
