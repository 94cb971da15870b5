//! The command line: the same operations as the MCP tools, over the same service and
//! data directory, so the CLI and a running server share drafts.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, Parser, Subcommand};
use imprint_service::api::{Flag, JsonObject};
use imprint_service::config::{
    AddServerToConfig, ClearDraftConfig, DeployConfig, DeployedConfig, DescribeServer, DiffConfig,
    GetConfig, GetConfigHistory, GetDeploymentStatus, ImportConfig, ImportRegistryServer,
    InitializeKeys, ListAvailableServers, ListClients, ListConfigDrafts, ListProfiles,
    PublishConfig, RegisterServer, RemoveServerFromConfig, RollbackConfig, ValidateConfig,
    VerifyConfig, ViewDraftConfig,
};
use imprint_service::config::{CheckServerInstallation, InstallServer, ListInstalledServers};
use imprint_service::config::{GetProfileStatus, LinkClients, UnlinkClients, addresses_all};
use imprint_service::next::Worded;
use imprint_service::secrets::{ListSecrets, RemoveSecret, SetSecret};
use imprint_service::{ErrorKind, Service, ServiceError, ServiceOptions, paths};
use serde_json::{Map, Value};

use crate::content_cli::{self, ContentCommand};
use crate::human::View;
use crate::output;
use crate::self_install::{self, SelfCommand};
use crate::serve::{self, ServeArgs};
use crate::store_cli::{self, StoreCommand};
use crate::team_cli::{self, TrustCommand};
use crate::token_cli::{self, TokenCommand};
use crate::words::{CliWords, cli_words};

/// What `imprint --version` prints: the workspace version and the commit (build.rs).
pub const VERSION: &str = concat!(
    env!("CARGO_PKG_VERSION"),
    " (commit ",
    env!("IMPRINT_COMMIT"),
    ")"
);

/// Draft, validate, publish (signed), deploy and roll back MCP client configurations.
#[derive(Debug, Parser)]
#[command(
    name = "imprint",
    version = VERSION,
    about,
    long_about = None,
    propagate_version = true,
    after_help = "Examples:\n  imprint draft add filesystem --param path=~/notes\n  imprint config diff\n  imprint publish -m \"add filesystem\"\n  imprint deploy\n\nRun `imprint` alone for what is set up and what to do first."
)]
pub struct Cli {
    /// Data directory (default: $IMPRINT_HOME, else $XDG_DATA_HOME/imprint, else ~/.local/share/imprint).
    #[arg(long, global = true, value_name = "DIR")]
    data_dir: Option<PathBuf>,
    /// The database (team mode): postgres://user[:password]@host[:port]/database. Default:
    /// the SQLite file in the data directory. Keys and the secrets key stay in the data directory.
    #[arg(long, global = true, value_name = "URL", env = "IMPRINT_DATABASE_URL")]
    database: Option<String>,
    /// Print results as JSON.
    #[arg(long, global = true)]
    json: bool,
    /// More log output on stderr (-v info, -vv debug); IMPRINT_LOG overrides.
    #[arg(short, long, global = true, action = clap::ArgAction::Count)]
    pub verbose: u8,
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Debug, Args, Clone)]
struct TargetFlags {
    /// Client id (see `imprint clients`); "all": every client linked to the profile.
    #[arg(long, short = 'c', default_value = "claude-desktop")]
    client: String,
    /// Profile id.
    #[arg(long, short = 'p', default_value = "default")]
    profile: String,
}

#[derive(Debug, Args, Clone)]
struct DraftFlags {
    #[command(flatten)]
    target: TargetFlags,
    /// Draft name.
    #[arg(long, default_value = "default")]
    draft: String,
}

impl TargetFlags {
    /// The `client_id` and `profile_id` of a request.
    fn ids(&self) -> (Option<String>, Option<String>) {
        (Some(self.client.clone()), Some(self.profile.clone()))
    }
}

impl DraftFlags {
    /// The `client_id`, `profile_id` and `draft_name` of a request.
    fn ids(&self) -> (Option<String>, Option<String>, Option<String>) {
        let (client_id, profile_id) = self.target.ids();
        (client_id, profile_id, Some(self.draft.clone()))
    }
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Run the MCP server: over stdio (for Claude Desktop, Claude Code, Cursor, …), or with
    /// --http ADDR as Streamable HTTP MCP (/mcp), REST (/v1) and the control panel (/cp).
    Serve(ServeArgs),
    /// List the MCP clients Imprint can configure and where their files are; link them to a profile.
    Clients {
        #[command(subcommand)]
        command: Option<ClientsCommand>,
    },
    /// List a client's profiles.
    Profiles {
        #[arg(long, short = 'c', default_value = "claude-desktop")]
        client: String,
    },
    /// Browse and extend the server catalog.
    #[command(subcommand)]
    Servers(ServersCommand),
    /// Build the draft of a client/profile.
    #[command(subcommand)]
    Draft(DraftCommand),
    /// Validate the draft against the client's rules.
    Validate(DraftFlags),
    /// Publish the draft as a signed artifact (the draft stays).
    #[command(
        after_help = "Examples:\n  imprint publish -m \"add filesystem\"\n  imprint publish --client cursor --draft work"
    )]
    Publish {
        #[command(flatten)]
        flags: DraftFlags,
        /// What changed and why.
        #[arg(long, short = 'm')]
        changelog: Option<String>,
    },
    /// Read, compare, verify and roll back published artifacts.
    #[command(subcommand)]
    Config(ConfigCommand),
    /// Write a published artifact into the client's own config file.
    #[command(
        after_help = "Examples:\n  imprint deploy\n  imprint deploy --client cursor --project-dir .\n  imprint deploy --secrets reference"
    )]
    Deploy {
        #[command(flatten)]
        flags: TargetFlags,
        /// Artifact id (default: the latest).
        #[arg(long)]
        artifact: Option<String>,
        /// Replace servers Imprint did not put there and ignore drift (a backup is kept).
        #[arg(long)]
        force: bool,
        /// Deploy into the client's project-scope file under this directory (e.g. .mcp.json).
        #[arg(long, value_name = "DIR")]
        project_dir: Option<PathBuf>,
        /// With --project-dir: deploy even when the directory does not look like a project (no .git, package.json, …).
        #[arg(long)]
        allow_any_dir: bool,
        /// Write secrets as values, or as the client's own references (${VAR}, ${env:VAR}, ${input:ID}).
        #[arg(long, value_name = "MODE", default_value = "value", value_parser = ["value", "reference"])]
        secrets: String,
        /// Pull the latest artifact from this trusted team server (`imprint trust add`), verify
        /// it against the pinned keys, then deploy it here.
        #[arg(long, value_name = "NAME", conflicts_with_all = ["artifact", "project_dir"])]
        from: Option<String>,
        /// With --from: every profile followed from that server.
        #[arg(long, requires = "from")]
        all: bool,
    },
    /// Show every client's config file on this machine: servers, managed or not, deployed vs latest, drift.
    Status {
        /// Instead: which clients linked to this profile of `--client all` hold its latest publish, which are behind, which drifted.
        #[arg(long, short = 'p', value_name = "PROFILE")]
        profile: Option<String>,
        /// Also show each client's project-scope file under this directory.
        #[arg(long, value_name = "DIR")]
        project_dir: Option<PathBuf>,
    },
    /// Secrets kept encrypted in the data directory (referred to as ${secret:NAME}).
    #[command(subcommand)]
    Secrets(SecretsCommand),
    /// Manage the signing keys.
    #[command(subcommand)]
    Keys(KeysCommand),
    /// Content: sites, sections, entry types, fields, entries, drafts, revisions.
    #[command(subcommand)]
    Content(ContentCommand),
    /// API tokens for the HTTP surface.
    #[command(subcommand)]
    Token(TokenCommand),
    /// Team servers this machine deploys from, with their pinned signing keys.
    #[command(subcommand)]
    Trust(TrustCommand),
    /// Review before publish: ask for a publish, list, approve or reject requests.
    #[command(subcommand)]
    Requests(crate::review_cli::RequestsCommand),
    /// The audit log: every change, who made it, with which token, from where (newest first).
    Audit {
        /// How many entries (default 100).
        #[arg(long)]
        limit: Option<u32>,
    },
    /// Imprint itself: `imprint self install --client cursor` adds it to a client.
    #[command(name = "self", subcommand)]
    SelfCommand(SelfCommand),
    /// The store itself: `store copy --to postgres://…` moves solo to team (`--from` back).
    #[command(subcommand)]
    Store(StoreCommand),
    /// Print a shell completion script (e.g. `imprint completions bash > ~/.local/share/bash-completion/completions/imprint`).
    Completions {
        /// bash, zsh, fish, powershell or elvish.
        shell: clap_complete::Shell,
    },
}

#[derive(Debug, Subcommand)]
enum ServersCommand {
    /// List catalog servers.
    #[command(
        after_help = "Examples:\n  imprint servers list\n  imprint servers list --search github --transport stdio"
    )]
    List {
        /// stdio, http, sse or remote.
        #[arg(long)]
        transport: Option<String>,
        /// Text to search in ids, names, descriptions and tags.
        #[arg(long)]
        search: Option<String>,
    },
    /// Show one server's definition.
    Describe { server_id: String },
    /// Register your own server from a JSON definition file (`-` for stdin).
    Register { file: PathBuf },
    /// Add a server from an official MCP Registry server.json file (`-` for stdin).
    ImportRegistry { file: PathBuf },
    /// Check whether a server's program and package are on this machine (runs nothing).
    Check { server_id: String },
    /// List the catalog servers that can run on this machine (runs nothing).
    Installed,
    /// Install a server's package with its package manager (npm, uv or docker), showing its output.
    Install { server_id: String },
}

#[derive(Debug, Subcommand)]
enum DraftCommand {
    /// Add a catalog server to the draft.
    #[command(
        after_help = "Examples:\n  imprint draft add memory\n  imprint draft add filesystem --param path=~/notes\n  imprint draft add github --env GITHUB_TOKEN='${secret:github}' --client cursor"
    )]
    Add {
        server_id: String,
        #[command(flatten)]
        flags: DraftFlags,
        /// A parameter, KEY=VALUE (repeatable).
        #[arg(long = "param", value_name = "KEY=VALUE")]
        params: Vec<String>,
        /// An environment variable, KEY=VALUE (repeatable).
        #[arg(long = "env", value_name = "KEY=VALUE")]
        env: Vec<String>,
        /// Entry name in the client's config (default: the server id).
        #[arg(long)]
        name: Option<String>,
        /// With --client all: only these linked clients get the server (repeatable).
        #[arg(long = "only", value_name = "CLIENT")]
        clients: Vec<String>,
        /// With --client all: every linked client but these gets it (repeatable).
        #[arg(long = "except", value_name = "CLIENT")]
        except: Vec<String>,
    },
    /// Remove a server from the draft by name.
    Remove {
        server_name: String,
        #[command(flatten)]
        flags: DraftFlags,
    },
    /// Show the draft.
    Show(DraftFlags),
    /// Remove every server from the draft.
    Clear(DraftFlags),
    /// List the named drafts of a client/profile.
    List(TargetFlags),
}

/// `imprint clients link|unlink`: which clients `--client all` addresses for a profile.
#[derive(Debug, Subcommand)]
enum ClientsCommand {
    /// Link clients to a profile: `--client all` publishes and deploys to them.
    Link {
        /// Profile id.
        #[arg(long, short = 'p', default_value = "default")]
        profile: String,
        /// Client ids, e.g. cursor vscode codex.
        #[arg(required = true)]
        clients: Vec<String>,
    },
    /// Unlink clients from a profile (their files stay as they are).
    Unlink {
        /// Profile id.
        #[arg(long, short = 'p', default_value = "default")]
        profile: String,
        /// Client ids.
        #[arg(required = true)]
        clients: Vec<String>,
    },
}

#[derive(Debug, Subcommand)]
enum ConfigCommand {
    /// Print a published artifact (the signed envelope).
    Get {
        #[command(flatten)]
        flags: TargetFlags,
        #[arg(long)]
        artifact: Option<String>,
    },
    /// Compare with the latest published artifact: the draft (no arguments), what is
    /// deployed (--deployed), a config file (--local-file) or an artifact (--artifact).
    #[command(
        after_help = "Examples:\n  imprint config diff              # what publishing the draft would change\n  imprint config diff --deployed   # the deployed artifact and the client's file vs the latest\n  imprint config diff --artifact 67c050e21f02…"
    )]
    Diff {
        #[command(flatten)]
        flags: TargetFlags,
        /// Draft name (compared when no file or artifact is given).
        #[arg(long, default_value = "default")]
        draft: String,
        /// Compare the last deploy and the client's file with the latest instead.
        #[arg(long, conflicts_with_all = ["local_file", "artifact"])]
        deployed: bool,
        /// A JSON file with the payload you hold (`-` for stdin).
        #[arg(long, conflicts_with = "artifact")]
        local_file: Option<PathBuf>,
        /// An artifact id you hold.
        #[arg(long)]
        artifact: Option<String>,
    },
    /// List published revisions, newest first.
    History {
        #[command(flatten)]
        flags: TargetFlags,
        #[arg(long, default_value_t = 20)]
        limit: u32,
    },
    /// Publish an earlier artifact again as the new head.
    Rollback {
        artifact_id: String,
        #[command(flatten)]
        flags: TargetFlags,
        #[arg(long, short = 'm')]
        changelog: Option<String>,
    },
    /// Recompute an artifact's id and check its signature.
    Verify {
        #[command(flatten)]
        flags: TargetFlags,
        #[arg(long)]
        artifact: Option<String>,
    },
    /// Read the servers already in the client's file into the draft.
    Import {
        #[command(flatten)]
        flags: DraftFlags,
        /// Read the client's project-scope file under this directory instead.
        #[arg(long, value_name = "DIR")]
        project_dir: Option<PathBuf>,
    },
    /// Show what was deployed and whether the file drifted since.
    Deployed(TargetFlags),
}

#[derive(Debug, Subcommand)]
enum SecretsCommand {
    /// Store a secret under NAME (the value is read from standard input unless --value is given).
    Set {
        name: String,
        /// The value (prefer standard input: a value on the command line stays in shell history).
        #[arg(long)]
        value: Option<String>,
    },
    /// List the stored secrets' names (never their values).
    List,
    /// Delete a stored secret.
    Remove { name: String },
}

#[derive(Debug, Subcommand)]
enum KeysCommand {
    /// Create the signing key pair (or rotate it with --regenerate).
    Init {
        #[arg(long)]
        regenerate: bool,
    },
}

/// A failed command: what to print and which exit code to return.
pub enum Failure {
    Service(ServiceError),
    Other(String),
}

impl From<ServiceError> for Failure {
    fn from(error: ServiceError) -> Self {
        Failure::Service(error)
    }
}

impl Failure {
    /// The one place an error becomes an exit code (3 invalid, 4 not found, 5 conflict,
    /// 6 auth, 7 integrity, 1 otherwise).
    pub fn report(self) -> ExitCode {
        match self {
            Failure::Service(error) => {
                // the person at the terminal runs this store: show what failed underneath too
                // Every error a person reads names commands, not MCP tools.
                let said = error.chain_worded(&CliWords { styled: false });
                crate::say!("error: {}", cli_words(&said));
                if let Some(details) = error.details() {
                    crate::say!(
                        "{}",
                        serde_json::to_string_pretty(details).unwrap_or_default()
                    );
                }
                ExitCode::from(match error.kind() {
                    ErrorKind::InvalidInput => 3,
                    ErrorKind::NotFound => 4,
                    ErrorKind::Conflict => 5,
                    ErrorKind::Unauthorized | ErrorKind::Forbidden => 6,
                    ErrorKind::Integrity => 7,
                    ErrorKind::Io | ErrorKind::Internal => 1,
                    ErrorKind::Unavailable => 8,
                })
            }
            Failure::Other(message) => {
                crate::say!("error: {}", cli_words(&message));
                ExitCode::from(1)
            }
        }
    }
}

fn open_service(
    data_dir: Option<PathBuf>,
    database: Option<&str>,
) -> Result<Service, ServiceError> {
    let data_dir = match data_dir {
        Some(dir) => dir,
        None => paths::resolve_data_dir()?,
    };
    let home = paths::resolve_home_dir()?;
    let store = crate::store::open(&data_dir, database)?;
    let options = ServiceOptions::new(data_dir, home);
    #[cfg(debug_assertions)]
    let options = test_knobs(options);
    Ok(Service::new(options, store))
}

/// Debug builds only: `IMPRINT_TEST_SEARCH_TIME_LIMIT_MS` shortens the search time limit,
/// so tests can see it fire.
#[cfg(debug_assertions)]
fn test_knobs(mut options: ServiceOptions) -> ServiceOptions {
    if let Some(ms) = std::env::var("IMPRINT_TEST_SEARCH_TIME_LIMIT_MS")
        .ok()
        .and_then(|v| v.parse::<u64>().ok())
    {
        options.search_time_limit = std::time::Duration::from_millis(ms);
    }
    options
}

/// `KEY=VALUE` pairs into an object; numbers and booleans are typed, the rest are strings.
fn pairs(flag: &str, items: &[String], typed: bool) -> Result<Option<JsonObject>, ServiceError> {
    if items.is_empty() {
        return Ok(None);
    }
    let mut map = Map::new();
    for item in items {
        let (key, value) = item.split_once('=').ok_or_else(|| {
            ServiceError::invalid(format!("--{flag} '{item}' must look like KEY=VALUE"))
        })?;
        let value = match serde_json::from_str::<Value>(value) {
            Ok(parsed @ (Value::Number(_) | Value::Bool(_))) if typed => parsed,
            _ => Value::String(value.to_string()),
        };
        map.insert(key.to_string(), value);
    }
    Ok(Some(JsonObject(map)))
}

/// A directory flag as an absolute path (relative ones are taken from the current directory),
/// in the text form the requests carry.
fn absolute(dir: Option<PathBuf>) -> Result<Option<String>, ServiceError> {
    let Some(dir) = dir else { return Ok(None) };
    if dir.is_absolute() {
        return Ok(Some(dir.to_string_lossy().into_owned()));
    }
    let cwd = std::env::current_dir().map_err(|e| {
        ServiceError::invalid(format!(
            "cannot resolve {} against the current directory ({e}); pass an absolute path",
            dir.display()
        ))
    })?;
    Ok(Some(cwd.join(dir).to_string_lossy().into_owned()))
}

/// One line of standard input, without its line end.
fn read_secret_from_stdin(name: &str) -> Result<String, ServiceError> {
    let mut line = String::new();
    std::io::stdin().read_line(&mut line).map_err(|e| {
        ServiceError::invalid(format!(
            "cannot read the value of {name} from standard input: {e}"
        ))
    })?;
    let value = line.trim_end_matches(['\n', '\r']).to_string();
    if value.is_empty() {
        return Err(ServiceError::invalid(format!(
            "no value for secret {name} on standard input; pipe it in (printf %s \"$TOKEN\" | imprint secrets set {name}) or pass --value"
        )));
    }
    Ok(value)
}

fn read_json_file(path: &PathBuf) -> Result<Value, ServiceError> {
    let text = if path.as_os_str() == "-" {
        std::io::read_to_string(std::io::stdin())
            .map_err(|e| ServiceError::invalid(format!("cannot read standard input: {e}")))?
    } else {
        std::fs::read_to_string(path)
            .map_err(|e| ServiceError::invalid(format!("cannot read {}: {e}", path.display())))?
    };
    serde_json::from_str(&text)
        .map_err(|e| ServiceError::invalid(format!("{} is not valid JSON: {e}", path.display())))
}

/// An operation's typed answer as the JSON the CLI prints (every command family uses it).
pub(crate) fn answer<T: serde::Serialize>(
    result: Result<T, ServiceError>,
) -> Result<Value, ServiceError> {
    result.and_then(|answer| {
        serde_json::to_value(answer).map_err(|e| ServiceError::internal(e.to_string()))
    })
}

/// [`answer`] for an operation whose message names its next steps: for a person they are
/// worded as commands (bold on a terminal); `--json` keeps the service's text unchanged.
pub(crate) fn worded<T: serde::Serialize + Worded>(
    result: Result<T, ServiceError>,
    json: bool,
) -> Result<Value, ServiceError> {
    answer(result.map(|mut said| {
        if !json {
            said.reword(&CliWords { styled: true });
        }
        said
    }))
}

/// `config diff --deployed --client all`: for each linked client, its last deploy and the
/// file's drift, and the deployed artifact against that client's latest, as for the client
/// alone.
fn diff_deployed_all(
    service: &Service,
    flags: TargetFlags,
    json: bool,
    verbose: bool,
) -> Result<(), Failure> {
    let (client_id, profile_id) = flags.ids();
    let all = service.deployed_all(DeployedConfig {
        client_id,
        profile_id: profile_id.clone(),
    })?;
    let mut clients = Vec::new();
    for state in &all.clients {
        let state = answer(Ok(state))?;
        let diff = match (
            state.get("artifact_id").and_then(Value::as_str),
            state.get("up_to_date").and_then(Value::as_bool),
        ) {
            (Some(deployed_id), Some(false)) => worded(
                service.diff_config(DiffConfig {
                    client_id: state["client_id"].as_str().map(str::to_string),
                    profile_id: profile_id.clone(),
                    local_artifact_id: Some(deployed_id.to_string()),
                    local_payload: None,
                }),
                json,
            )?,
            _ => Value::Null,
        };
        let published = all
            .latest_client_artifacts
            .contains_key(s_of(&state, "client_id"));
        clients
            .push(serde_json::json!({ "deployed": state, "diff": diff, "published": published }));
    }
    if json {
        let answer = serde_json::json!({
            "client_id": all.client_id,
            "profile_id": all.profile_id,
            "latest_artifact_id": all.latest_artifact_id,
            "clients": clients,
        });
        output::print(View::DiffDeployed, &answer, true, verbose);
    } else if clients.is_empty() {
        output::write_stdout(&format!("{}\n", all.message));
    } else {
        for client in &clients {
            output::print(View::DiffDeployed, client, false, verbose);
        }
    }
    Ok(())
}

fn s_of<'a>(value: &'a Value, key: &str) -> &'a str {
    value.get(key).and_then(Value::as_str).unwrap_or_default()
}

/// Which rendering a command's answer gets.
fn view_of(command: &Command) -> View {
    match command {
        Command::Clients { command: None } => View::Clients,
        Command::Deploy { flags, .. } if addresses_all(Some(&flags.client)) => View::Other,
        // the answer of `all` says each client's part in its message
        Command::Config(ConfigCommand::Deployed(flags)) if addresses_all(Some(&flags.client)) => {
            View::Other
        }
        Command::Config(ConfigCommand::Import { flags, .. })
            if addresses_all(Some(&flags.target.client)) =>
        {
            View::Other
        }
        Command::Status {
            profile: Some(_), ..
        } => View::Other,
        Command::Servers(ServersCommand::List { .. }) => View::ServersList,
        Command::Draft(DraftCommand::Add { .. }) => View::DraftAdd,
        Command::Draft(DraftCommand::Remove { .. }) => View::DraftRemove,
        Command::Draft(DraftCommand::Show(_)) => View::DraftShow,
        Command::Draft(DraftCommand::Clear(_)) => View::DraftClear,
        Command::Draft(DraftCommand::List(_)) => View::DraftList,
        Command::Publish { .. } => View::Publish,
        Command::Config(ConfigCommand::Get { .. }) => View::ConfigGet,
        Command::Config(ConfigCommand::Diff {
            local_file,
            artifact,
            deployed,
            ..
        }) => match (local_file, artifact, deployed) {
            (None, None, true) => View::DiffDeployed,
            (None, None, false) => View::DiffDraft,
            _ => View::Diff,
        },
        Command::Config(ConfigCommand::History { .. }) => View::History,
        Command::Deploy { from: None, .. } => View::Deploy,
        Command::Status { .. } => View::Status,
        Command::Secrets(SecretsCommand::List) => View::SecretsList,
        Command::Content(command) => content_cli::view_of(command),
        Command::Token(TokenCommand::List) => View::TokenList,
        Command::Requests(crate::review_cli::RequestsCommand::List { .. }) => View::Requests,
        _ => View::Other,
    }
}

pub fn run(cli: Cli) -> Result<(), Failure> {
    let json = cli.json;
    let verbose = cli.verbose > 0;
    let database = cli.database.as_deref();
    let Some(command) = cli.command else {
        let service = open_service(cli.data_dir, database)?;
        output::write_stdout(&crate::start::getting_started(&service));
        return Ok(());
    };
    if let Command::Completions { shell } = command {
        // Needs no data directory: it only describes the command line.
        let mut script = Vec::new();
        clap_complete::generate(
            shell,
            &mut <Cli as clap::CommandFactory>::command(),
            "imprint",
            &mut script,
        );
        output::write_stdout(&String::from_utf8_lossy(&script));
        return Ok(());
    }
    if let Command::Store(command) = command {
        // Opens two stores of its own and prints its own summary.
        return Ok(store_cli::run(cli.data_dir, database, command, json)?);
    }
    let data_dir = cli.data_dir.clone();
    let service = open_service(cli.data_dir, database)?;
    let Some((operation, target)) = audited(&command) else {
        return execute(&service, command, data_dir, json, verbose);
    };
    // A change runs through the service's one entry point, which writes its audit row
    // in the change's own transaction.
    service.perform(operation, &target, |service| {
        execute(service, command, data_dir, json, verbose)
    })
}

/// Runs one command (not `store` or `completions`) and prints its answer.
fn execute(
    service: &Service,
    command: Command,
    data_dir: Option<PathBuf>,
    json: bool,
    verbose: bool,
) -> Result<(), Failure> {
    let view = view_of(&command);
    let result = match command {
        // Printed above, before the data directory is opened.
        Command::Completions { .. } | Command::Store(_) => return Ok(()),
        Command::Serve(args) => return serve::run(service.clone(), args),
        Command::Content(command) => content_cli::run(service, command, json),
        Command::Token(command) => token_cli::run(service, command, json),
        Command::Requests(command) => crate::review_cli::run_requests(service, command, json),
        Command::Audit { limit } => crate::review_cli::run_audit(service, limit),
        Command::SelfCommand(command) => {
            return Ok(self_install::run(
                service,
                command,
                data_dir.as_deref(),
                json,
            )?);
        }
        Command::Clients { command: None } => answer(Ok(service.list_clients(ListClients {}))),
        Command::Clients {
            command: Some(ClientsCommand::Link { profile, clients }),
        } => answer(service.link_clients(LinkClients {
            clients,
            profile_id: Some(profile),
        })),
        Command::Clients {
            command: Some(ClientsCommand::Unlink { profile, clients }),
        } => answer(service.unlink_clients(UnlinkClients {
            clients,
            profile_id: Some(profile),
        })),
        Command::Profiles { client } => answer(service.list_profiles(ListProfiles {
            client_id: Some(client),
        })),
        Command::Servers(command) => match command {
            ServersCommand::List { transport, search } => {
                answer(service.list_available_servers(ListAvailableServers {
                    transport_filter: transport,
                    search_query: search,
                }))
            }
            ServersCommand::Describe { server_id } => {
                answer(service.describe_server(DescribeServer { server_id }))
            }
            ServersCommand::Register { file } => answer(service.register_server(
                imprint_service::api::parse::<RegisterServer>(read_json_file(&file)?)?,
            )),
            ServersCommand::ImportRegistry { file } => {
                let server_json = serde_json::from_value::<JsonObject>(read_json_file(&file)?)
                    .map_err(|e| {
                        ServiceError::invalid(format!("{}: server.json {e}", file.display()))
                    })?;
                answer(service.import_registry_server(ImportRegistryServer { server_json }))
            }
            ServersCommand::Check { server_id } => {
                answer(service.check_server_installation(CheckServerInstallation { server_id }))
            }
            ServersCommand::Installed => {
                answer(service.list_installed_servers(ListInstalledServers {}))
            }
            ServersCommand::Install { server_id } => {
                answer(service.install_server(InstallServer { server_id }))
            }
        },
        Command::Draft(command) => match command {
            DraftCommand::Add {
                server_id,
                flags,
                params,
                env,
                name,
                clients,
                except,
            } => {
                let (client_id, profile_id, draft_name) = flags.ids();
                worded(
                    service.add_server_to_config(AddServerToConfig {
                        server_id,
                        params: pairs("param", &params, true)?,
                        env_vars: pairs("env", &env, false)?,
                        server_name: name,
                        client_id,
                        profile_id,
                        draft_name,
                        expected_version: None,
                        include_draft: None,
                        clients: (!clients.is_empty()).then_some(clients),
                        except: (!except.is_empty()).then_some(except),
                    }),
                    json,
                )
            }
            DraftCommand::Remove { server_name, flags } => {
                let (client_id, profile_id, draft_name) = flags.ids();
                answer(service.remove_server_from_config(RemoveServerFromConfig {
                    server_name,
                    client_id,
                    profile_id,
                    draft_name,
                    expected_version: None,
                    include_draft: None,
                }))
            }
            DraftCommand::Show(flags) => {
                let (client_id, profile_id, draft_name) = flags.ids();
                answer(service.view_draft_config(ViewDraftConfig {
                    client_id,
                    profile_id,
                    draft_name,
                }))
            }
            DraftCommand::Clear(flags) => {
                let (client_id, profile_id, draft_name) = flags.ids();
                answer(service.clear_draft_config(ClearDraftConfig {
                    client_id,
                    profile_id,
                    draft_name,
                    expected_version: None,
                }))
            }
            DraftCommand::List(flags) => {
                let (client_id, profile_id) = flags.ids();
                answer(service.list_config_drafts(ListConfigDrafts {
                    client_id,
                    profile_id,
                }))
            }
        },
        Command::Validate(flags) => {
            let (client_id, profile_id, draft_name) = flags.ids();
            let mut report = service.validate_config(ValidateConfig {
                client_id,
                profile_id,
                draft_name,
            })?;
            if !json {
                report.reword(&CliWords { styled: false });
            }
            let valid = report.report.valid;
            output::print(View::Validate, &report, json, verbose);
            // A failed validation is an answer, not an error, but scripts need to see it.
            return if valid {
                Ok(())
            } else {
                Err(Failure::Service(ServiceError::invalid(
                    "the draft does not validate",
                )))
            };
        }
        Command::Publish { flags, changelog } => {
            let (client_id, profile_id, draft_name) = flags.ids();
            worded(
                service.publish_config(PublishConfig {
                    changelog,
                    client_id,
                    profile_id,
                    draft_name,
                    expected_version: None,
                }),
                json,
            )
        }
        Command::Config(command) => match command {
            ConfigCommand::Get { flags, artifact } => {
                let (client_id, profile_id) = flags.ids();
                answer(service.get_config(GetConfig {
                    client_id,
                    profile_id,
                    artifact_id: artifact,
                }))
            }
            ConfigCommand::Diff {
                flags,
                deployed: true,
                ..
            } if addresses_all(Some(&flags.client)) => {
                return diff_deployed_all(service, flags, json, verbose);
            }
            ConfigCommand::Diff {
                flags,
                deployed: true,
                ..
            } => {
                let (client_id, profile_id) = flags.ids();
                let state = service.deployed_config(DeployedConfig {
                    client_id: client_id.clone(),
                    profile_id: profile_id.clone(),
                })?;
                let state = answer(Ok(state))?;
                let published = match service.get_config_history(GetConfigHistory {
                    client_id: client_id.clone(),
                    profile_id: profile_id.clone(),
                    limit: Some(1),
                }) {
                    Ok(history) => !history.revisions.is_empty(),
                    Err(error) if error.kind() == ErrorKind::NotFound => false,
                    Err(error) => return Err(error.into()),
                };
                if !published {
                    // Nothing to deploy yet: say so, and what comes first.
                    output::print(
                        View::DiffDeployed,
                        &serde_json::json!({ "deployed": state, "diff": null, "published": false }),
                        json,
                        verbose,
                    );
                    return Ok(());
                }
                // What was deployed against the latest: the service's diff of that artifact.
                let diff = match (
                    state.get("artifact_id").and_then(Value::as_str),
                    state.get("up_to_date").and_then(Value::as_bool),
                ) {
                    (Some(deployed_id), Some(false)) => worded(
                        service.diff_config(DiffConfig {
                            client_id,
                            profile_id,
                            local_artifact_id: Some(deployed_id.to_string()),
                            local_payload: None,
                        }),
                        json,
                    )?,
                    _ => Value::Null,
                };
                Ok(serde_json::json!({ "deployed": state, "diff": diff }))
            }
            ConfigCommand::Diff {
                flags,
                draft,
                local_file: None,
                artifact: None,
                ..
            } => {
                // Like `git diff`: with nothing named, the work in progress (the draft)
                // against what was last committed (the latest published artifact).
                let (client_id, profile_id) = flags.ids();
                let shown = service.view_draft_config(ViewDraftConfig {
                    client_id: client_id.clone(),
                    profile_id: profile_id.clone(),
                    draft_name: Some(draft),
                })?;
                if shown.latest_artifact_id.is_none() {
                    // As `git diff` in a new repository: everything in the draft is new.
                    output::print(
                        View::DiffDraft,
                        &serde_json::json!({
                            "status": "unpublished",
                            "client_id": shown.client_id,
                            "profile_id": shown.profile_id,
                            "draft_name": shown.draft_name,
                            "local_artifact_id": null,
                            "remote_artifact_id": null,
                            // The service's diff semantics: what the draft (local) has that
                            // the latest (nothing) lacks is "removed" by deploying the latest.
                            "diff": {
                                "servers_added": [],
                                "servers_removed": shown.server_names,
                                "servers_modified": [],
                            },
                            "message": format!(
                                "nothing published yet for {}/{}",
                                shown.client_id, shown.profile_id
                            ),
                        }),
                        json,
                        verbose,
                    );
                    return Ok(());
                }
                // The service compares the default neutral draft of all itself (and each
                // linked client's payload); any other draft is handed over as the payload it
                // holds.
                let all = addresses_all(client_id.as_deref());
                let local_payload =
                    if all && shown.draft_name == imprint_service::config::DEFAULT_DRAFT {
                        None
                    } else {
                        Some(
                            serde_json::from_value::<JsonObject>(shown.payload).map_err(|e| {
                                ServiceError::internal(format!("the draft's payload {e}"))
                            })?,
                        )
                    };
                let diff = worded(
                    service.diff_config(DiffConfig {
                        client_id,
                        profile_id,
                        local_artifact_id: None,
                        local_payload,
                    }),
                    json,
                )?;
                if all {
                    output::print(view, &diff, json, verbose);
                    return Ok(());
                }
                Ok(diff)
            }
            ConfigCommand::Diff {
                flags,
                local_file,
                artifact,
                ..
            } => {
                let local_payload = local_file
                    .as_ref()
                    .map(|file| {
                        serde_json::from_value::<JsonObject>(read_json_file(file)?).map_err(|e| {
                            ServiceError::invalid(format!("{}: the payload {e}", file.display()))
                        })
                    })
                    .transpose()?;
                let (client_id, profile_id) = flags.ids();
                worded(
                    service.diff_config(DiffConfig {
                        client_id,
                        profile_id,
                        local_artifact_id: artifact,
                        local_payload,
                    }),
                    json,
                )
            }
            ConfigCommand::History { flags, limit } => {
                let (client_id, profile_id) = flags.ids();
                answer(service.get_config_history(GetConfigHistory {
                    client_id,
                    profile_id,
                    limit: Some(limit),
                }))
            }
            ConfigCommand::Rollback {
                artifact_id,
                flags,
                changelog,
            } => {
                let (client_id, profile_id) = flags.ids();
                worded(
                    service.rollback_config(RollbackConfig {
                        client_id,
                        profile_id,
                        artifact_id,
                        changelog,
                    }),
                    json,
                )
            }
            ConfigCommand::Verify { flags, artifact } => {
                let (client_id, profile_id) = flags.ids();
                let report = service.verify_config(VerifyConfig {
                    client_id,
                    profile_id,
                    artifact_id: artifact,
                })?;
                let valid = report.valid;
                output::print(View::Verify, &report, json, verbose);
                return if valid {
                    Ok(())
                } else {
                    Err(Failure::Service(ServiceError::new(
                        ErrorKind::Integrity,
                        "verification failed",
                    )))
                };
            }
            ConfigCommand::Import { flags, project_dir } => {
                let (client_id, profile_id, draft_name) = flags.ids();
                let request = ImportConfig {
                    client_id,
                    profile_id,
                    draft_name,
                    project_dir: absolute(project_dir)?,
                    expected_version: None,
                };
                if addresses_all(request.client_id.as_deref()) {
                    worded(service.import_all(request), json)
                } else {
                    worded(service.import_config(request), json)
                }
            }
            ConfigCommand::Deployed(flags) if addresses_all(Some(&flags.client)) => {
                let (client_id, profile_id) = flags.ids();
                answer(service.deployed_all(DeployedConfig {
                    client_id,
                    profile_id,
                }))
            }
            ConfigCommand::Deployed(flags) => {
                let (client_id, profile_id) = flags.ids();
                worded(
                    service.deployed_config(DeployedConfig {
                        client_id,
                        profile_id,
                    }),
                    json,
                )
            }
        },
        Command::Deploy {
            flags,
            force,
            secrets,
            from: Some(from),
            all,
            ..
        } => {
            let target = (!all).then(|| (flags.client.clone(), flags.profile.clone()));
            team_cli::deploy_from(service, &from, target, force, secrets)
        }
        Command::Deploy {
            flags,
            artifact,
            force,
            project_dir,
            allow_any_dir,
            secrets,
            from: None,
            ..
        } => {
            let (client_id, profile_id) = flags.ids();
            let request = DeployConfig {
                client_id,
                profile_id,
                artifact_id: artifact,
                force: Some(Flag(force)),
                project_dir: absolute(project_dir)?,
                allow_any_dir: Some(Flag(allow_any_dir)),
                secrets: Some(secrets),
            };
            if addresses_all(request.client_id.as_deref()) {
                // every client's outcome is printed; a refusal makes the command fail after
                let mut deployed = service.deploy_all(request)?;
                if !json {
                    // each refusal's reason too, with its own fix
                    deployed.reword(&CliWords { styled: true });
                }
                output::print(view, &deployed, json, verbose);
                return match deployed.refused {
                    0 => Ok(()),
                    refused => Err(Failure::Service(ServiceError::conflict(format!(
                        "{refused} client(s) refused the deploy (see each one's reason above); the others were deployed"
                    )))),
                };
            }
            answer(service.deploy_config(request))
        }
        Command::Status {
            profile: Some(profile),
            ..
        } => answer(service.profile_status(GetProfileStatus {
            profile_id: Some(profile),
        })),
        Command::Status { project_dir, .. } => {
            let mut status = answer(service.get_deployment_status(GetDeploymentStatus {
                project_dir: absolute(project_dir)?,
            }))?;
            let team = team_cli::followed_status(service)?;
            if !team.is_empty() {
                status["team"] = Value::Array(team);
            }
            Ok(status)
        }
        Command::Trust(command) => team_cli::run(service, command, json),
        Command::Secrets(command) => match command {
            SecretsCommand::Set { name, value } => {
                let value = match value {
                    Some(value) => value,
                    None => read_secret_from_stdin(&name)?,
                };
                worded(service.set_secret(SetSecret { name, value }), json)
            }
            SecretsCommand::List => answer(service.list_secrets(ListSecrets {})),
            SecretsCommand::Remove { name } => answer(service.remove_secret(RemoveSecret { name })),
        },
        Command::Keys(KeysCommand::Init { regenerate }) => {
            answer(service.initialize_keys(InitializeKeys {
                regenerate: Some(Flag(regenerate)),
            }))
        }
    }?;
    output::print(view, &result, json, verbose);
    Ok(())
}

/// The changes the CLI runs through [`Service::perform`] (the requests commands call it
/// themselves): what operation, on what.
fn audited(command: &Command) -> Option<(&'static str, String)> {
    let on = |flags: &TargetFlags| format!("{}/{}", flags.client, flags.profile);
    Some(match command {
        Command::Publish { flags, .. } => ("publish_config", on(&flags.target)),
        Command::Draft(DraftCommand::Add { flags, .. }) => {
            ("add_server_to_config", on(&flags.target))
        }
        Command::Draft(DraftCommand::Remove { flags, .. }) => {
            ("remove_server_from_config", on(&flags.target))
        }
        Command::Draft(DraftCommand::Clear(flags)) => ("clear_draft_config", on(&flags.target)),
        Command::Config(ConfigCommand::Rollback { flags, .. }) => ("rollback_config", on(flags)),
        Command::Config(ConfigCommand::Import { flags, .. }) => {
            ("import_config", on(&flags.target))
        }
        Command::Deploy { flags, .. } => ("deploy_config", on(flags)),
        Command::Keys(KeysCommand::Init { .. }) => ("initialize_keys", String::new()),
        Command::Secrets(SecretsCommand::Set { name, .. }) => ("set_secret", name.clone()),
        Command::Secrets(SecretsCommand::Remove { name }) => ("remove_secret", name.clone()),
        Command::Token(TokenCommand::Create { name, .. }) => ("create_token", name.clone()),
        Command::Token(TokenCommand::Revoke { token }) => ("revoke_token", token.clone()),
        Command::Servers(ServersCommand::Register { file }) => {
            ("register_server", file.display().to_string())
        }
        Command::Servers(ServersCommand::ImportRegistry { file }) => {
            ("import_registry_server", file.display().to_string())
        }
        Command::Servers(ServersCommand::Install { server_id }) => {
            ("install_server", server_id.clone())
        }
        Command::Clients {
            command: Some(ClientsCommand::Link { profile, .. }),
        } => ("link_clients", profile.clone()),
        Command::Clients {
            command: Some(ClientsCommand::Unlink { profile, .. }),
        } => ("unlink_clients", profile.clone()),
        Command::Content(command) => return content_cli::audited(command),
        _ => return None,
    })
}
