//! Tool argument types. Doc comments become the descriptions a model reads; names and
//! defaults are the old systems' so prompts written for them keep working.
//!
//! Every field is optional at the schema level: a missing required value is reported by
//! the service as a tool error naming the field, not as a protocol error.

use schemars::JsonSchema;
use serde::Deserialize;
use serde_json::Value;

/// A JSON object, also accepted as a JSON string holding one.
pub(crate) fn object_or_string(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
    schemars::json_schema!({
        "type": "object",
        "additionalProperties": true,
        "description": "A JSON object (a string holding a JSON object is accepted too)."
    })
}

#[derive(Debug, Deserialize, JsonSchema, Default)]
pub struct ClientArgs {
    /// Client id, e.g. "claude-desktop", "claude-code", "cursor" (default "claude-desktop"). list_clients shows them all.
    pub client_id: Option<String>,
}

#[derive(Debug, Deserialize, JsonSchema, Default)]
pub struct TargetArgs {
    /// Client id (default "claude-desktop").
    pub client_id: Option<String>,
    /// Profile id, e.g. "default", "work" (default "default").
    pub profile_id: Option<String>,
    /// Name of the draft (default "default"); several named drafts can exist per client/profile.
    pub draft_name: Option<String>,
}

#[derive(Debug, Deserialize, JsonSchema, Default)]
pub struct DocumentArgs {
    /// Client id (default "claude-desktop").
    pub client_id: Option<String>,
    /// Profile id (default "default").
    pub profile_id: Option<String>,
}

#[derive(Debug, Deserialize, JsonSchema, Default)]
pub struct ArtifactArgs {
    /// Client id (default "claude-desktop").
    pub client_id: Option<String>,
    /// Profile id (default "default").
    pub profile_id: Option<String>,
    /// A published artifact id (64 hex digits); omit for the latest.
    pub artifact_id: Option<String>,
}

#[derive(Debug, Deserialize, JsonSchema, Default)]
pub struct DiffArgs {
    /// Client id (default "claude-desktop").
    pub client_id: Option<String>,
    /// Profile id (default "default").
    pub profile_id: Option<String>,
    /// The artifact id you hold locally (used when local_payload is not given).
    pub local_artifact_id: Option<String>,
    /// The config you have, e.g. {"mcpServers": {...}}; {} means "no servers".
    #[schemars(schema_with = "object_or_string")]
    pub local_payload: Option<Value>,
}

#[derive(Debug, Deserialize, JsonSchema, Default)]
pub struct ListServersArgs {
    /// Only servers of this transport: "stdio", "http", "sse" or "remote" (http and sse).
    pub transport_filter: Option<String>,
    /// Case-insensitive text to find in id, name, description or tags.
    pub search_query: Option<String>,
}

#[derive(Debug, Deserialize, JsonSchema, Default)]
pub struct AddServerArgs {
    /// Catalog id of the server to add, e.g. "filesystem" (list_available_servers shows them).
    pub server_id: Option<String>,
    /// The server's parameters, e.g. {"path": "/home/me/Documents"}; defaults apply to the ones you omit (describe_server lists them).
    #[schemars(schema_with = "object_or_string")]
    pub params: Option<Value>,
    /// Environment variables, e.g. {"GITHUB_PERSONAL_ACCESS_TOKEN": "..."}. Secret values (names with TOKEN, KEY, SECRET, PASSWORD, or declared secret by the server) are stored encrypted and replaced by ${secret:NAME} references; "${secret:NAME}" itself refers to a secret stored with set_secret.
    #[schemars(schema_with = "object_or_string")]
    pub env_vars: Option<Value>,
    /// Name of the entry in the client's config (default: the server_id); use it to add one server twice.
    pub server_name: Option<String>,
    /// Client id (default "claude-desktop").
    pub client_id: Option<String>,
    /// Profile id (default "default").
    pub profile_id: Option<String>,
    /// Draft name (default "default").
    pub draft_name: Option<String>,
}

#[derive(Debug, Deserialize, JsonSchema, Default)]
pub struct RemoveServerArgs {
    /// Name of the entry to remove (view_draft_config lists them).
    pub server_name: Option<String>,
    /// Client id (default "claude-desktop").
    pub client_id: Option<String>,
    /// Profile id (default "default").
    pub profile_id: Option<String>,
    /// Draft name (default "default").
    pub draft_name: Option<String>,
}

#[derive(Debug, Deserialize, JsonSchema, Default)]
pub struct PublishArgs {
    /// What changed and why, kept in the signed artifact and the history.
    pub changelog: Option<String>,
    /// Client id (default "claude-desktop").
    pub client_id: Option<String>,
    /// Profile id (default "default").
    pub profile_id: Option<String>,
    /// Draft to publish (default "default"); it stays after publishing.
    pub draft_name: Option<String>,
}

#[derive(Debug, Deserialize, JsonSchema, Default)]
pub struct KeysArgs {
    /// Rotate: make a new key pair (old public keys are kept so old artifacts still verify). Default false.
    pub regenerate: Option<bool>,
}

#[derive(Debug, Deserialize, JsonSchema, Default)]
pub struct DeployArgs {
    /// Client id (default "claude-desktop").
    pub client_id: Option<String>,
    /// Profile id (default "default").
    pub profile_id: Option<String>,
    /// Artifact to deploy (default: the latest published).
    pub artifact_id: Option<String>,
    /// Replace servers Imprint did not put in the file, and ignore drift (a backup is kept). Default false.
    pub force: Option<bool>,
    /// Absolute path of a project: deploy into the client's project-scope file there (Claude Code <project_dir>/.mcp.json, Cursor .cursor/mcp.json, VS Code .vscode/mcp.json, Zed .zed/settings.json, …) instead of the user-scope file.
    pub project_dir: Option<String>,
    /// "value" (default): write the secret values into the file. "reference": write the client's own reference instead (Claude Code ${VAR}, Cursor ${env:VAR}, VS Code ${input:VAR} with an inputs entry, …), so the file holds no secret and the client reads it from its environment or asks for it.
    pub secrets: Option<String>,
}

#[derive(Debug, Deserialize, JsonSchema, Default)]
pub struct ImportArgs {
    /// Client id (default "claude-desktop").
    pub client_id: Option<String>,
    /// Profile id (default "default").
    pub profile_id: Option<String>,
    /// Draft name (default "default").
    pub draft_name: Option<String>,
    /// Absolute path of a project: read the client's project-scope file there instead of the user-scope file.
    pub project_dir: Option<String>,
}

#[derive(Debug, Deserialize, JsonSchema, Default)]
pub struct StatusArgs {
    /// Absolute path of a project: also report each client's project-scope file there.
    pub project_dir: Option<String>,
}

#[derive(Debug, Deserialize, JsonSchema, Default)]
pub struct SetSecretArgs {
    /// Name to refer to the secret by, e.g. "GITHUB_TOKEN"; then pass "${secret:GITHUB_TOKEN}" as an env var value.
    pub name: Option<String>,
    /// The secret value; it is stored encrypted and never shown again.
    pub value: Option<String>,
}

#[derive(Debug, Deserialize, JsonSchema, Default)]
pub struct SecretNameArgs {
    /// The secret's name (list_secrets shows them).
    pub name: Option<String>,
}

#[derive(Debug, Deserialize, JsonSchema, Default)]
pub struct HistoryArgs {
    /// Client id (default "claude-desktop").
    pub client_id: Option<String>,
    /// Profile id (default "default").
    pub profile_id: Option<String>,
    /// How many revisions, newest first (default 20, at most 1000).
    pub limit: Option<u32>,
}

#[derive(Debug, Deserialize, JsonSchema, Default)]
pub struct RollbackArgs {
    /// Client id (default "claude-desktop").
    pub client_id: Option<String>,
    /// Profile id (default "default").
    pub profile_id: Option<String>,
    /// The earlier artifact to make current again (get_config_history lists them).
    pub artifact_id: Option<String>,
    /// Why (default: "rollback to <artifact_id>").
    pub changelog: Option<String>,
}

#[derive(Debug, Deserialize, JsonSchema, Default)]
pub struct RegisterServerArgs {
    /// Catalog id for the new entry: lowercase letters, digits, '.', '_' or '-'.
    pub server_id: Option<String>,
    /// Human-readable name (default: the id).
    pub display_name: Option<String>,
    /// What the server does.
    pub description: Option<String>,
    /// "stdio" (default), "http" or "sse".
    pub transport: Option<String>,
    /// Stdio: the program to run, e.g. "npx".
    pub command: Option<String>,
    /// Stdio: arguments; "{name}" placeholders are filled from parameters.
    pub args: Option<Vec<String>>,
    /// Remote: the endpoint URL; may hold "{name}" placeholders.
    pub url: Option<String>,
    /// Remote: HTTP headers.
    pub headers: Option<std::collections::BTreeMap<String, String>>,
    /// Environment variables the server needs.
    pub required_env: Option<Vec<String>>,
    /// Environment variables the server can use.
    pub optional_env: Option<Vec<String>>,
    /// Environment variables holding secrets.
    pub secret_env: Option<Vec<String>>,
    /// Parameters: [{"name", "description", "type": "string|integer|number|boolean|path|url", "required", "default"}].
    pub parameters: Option<Vec<Value>>,
    /// Project homepage.
    pub homepage: Option<String>,
    /// Package the command runs (e.g. an npm package).
    pub package: Option<String>,
    /// Tags for search.
    pub tags: Option<Vec<String>>,
}

#[derive(Debug, Deserialize, JsonSchema, Default)]
pub struct RegistryImportArgs {
    /// An official MCP Registry server.json document.
    #[schemars(schema_with = "object_or_string")]
    pub server_json: Option<Value>,
}
