//! MCP client configuration tools. Names and parameters follow mcp-orchestration; the
//! extra tools (`get_config_history`, `rollback_config`, …) follow its naming.

use imprint_service::ServiceError;
use std::path::PathBuf;

use imprint_service::config::{AddServer, DeployOptions, DescribeServer, SecretMode, Target};
use rmcp::ErrorData as McpError;
use rmcp::handler::server::wrapper::Parameters;
use rmcp::model::CallToolResult;
use rmcp::{tool, tool_router};
use serde_json::{Value, json};

use crate::args::Args;
use crate::params::*;
use crate::server::ImprintMcp;
use crate::{error_result, respond};

fn target(
    client_id: Option<String>,
    profile_id: Option<String>,
    draft_name: Option<String>,
) -> Result<Target, ServiceError> {
    Target::new(
        client_id.as_deref(),
        profile_id.as_deref(),
        draft_name.as_deref(),
    )
}

/// A `project_dir` argument; an empty string means none.
fn project_dir(value: Option<String>) -> Option<PathBuf> {
    value
        .filter(|dir| !dir.trim().is_empty())
        .map(PathBuf::from)
}

/// Turns a possibly-string JSON argument into a value, or a tool error.
fn json_arg(name: &str, value: Option<Value>) -> Result<Option<Value>, ServiceError> {
    match value {
        Some(Value::String(text)) => serde_json::from_str(&text)
            .map(Some)
            .map_err(|e| ServiceError::invalid(format!("{name} is not valid JSON: {e}"))),
        other => Ok(other),
    }
}

#[tool_router(router = config_router, vis = "pub(crate)")]
impl ImprintMcp {
    #[tool(
        description = "List the MCP clients Imprint can configure (Claude Desktop, Claude Code, Cursor, …) with the path of each one's config file on this OS and on the others. Use the returned client_id in the other tools."
    )]
    async fn list_clients(&self) -> Result<CallToolResult, McpError> {
        respond(Ok(self.service().list_clients()))
    }

    #[tool(
        description = "List the profiles of a client: every profile that has a draft or a published config, plus \"default\". Shows each profile's latest artifact and drafts."
    )]
    async fn list_profiles(
        &self,
        Parameters(args): Parameters<ClientArgs>,
    ) -> Result<CallToolResult, McpError> {
        respond(self.service().list_profiles(args.client_id.as_deref()))
    }

    #[tool(
        description = "Get a published, signed configuration artifact: the latest for client/profile, or the one with artifact_id. Returns the envelope exactly as signed (artifact_id, client_id, profile_id, created_at, payload, signing_key_id, metadata, signature). Use view_draft_config for unpublished changes."
    )]
    async fn get_config(
        &self,
        Parameters(args): Parameters<ArtifactArgs>,
    ) -> Result<CallToolResult, McpError> {
        respond(
            target(args.client_id, args.profile_id, None)
                .and_then(|t| self.service().get_config(&t, args.artifact_id.as_deref())),
        )
    }

    #[tool(
        description = "Compare a config you hold (local_payload, or local_artifact_id) with the latest published artifact. status is up-to-date, outdated (you hold an older published artifact) or diverged (yours was never published); lists servers added/removed/modified (sorted) and every changed field with its path."
    )]
    async fn diff_config(
        &self,
        Parameters(args): Parameters<DiffArgs>,
    ) -> Result<CallToolResult, McpError> {
        respond(target(args.client_id, args.profile_id, None).and_then(|t| {
            self.service()
                .diff_config(&t, args.local_artifact_id.as_deref(), args.local_payload)
        }))
    }

    #[tool(
        description = "List the catalog of MCP servers you can add (built-in, registered, imported), optionally filtered by transport (stdio, http, sse, remote) or a search text. Then describe_server for parameters, add_server_to_config to add one."
    )]
    async fn list_available_servers(
        &self,
        Parameters(args): Parameters<ListServersArgs>,
    ) -> Result<CallToolResult, McpError> {
        respond(self.service().list_available_servers(
            args.transport_filter.as_deref(),
            args.search_query.as_deref(),
        ))
    }

    #[tool(
        description = "Describe one catalog server: command or URL, parameters with types and defaults, required and optional environment variables. Read this before add_server_to_config to know which params and env_vars to pass."
    )]
    async fn describe_server(
        &self,
        Parameters(Args(request)): Parameters<Args<DescribeServer>>,
    ) -> Result<CallToolResult, McpError> {
        respond(request.and_then(|request| self.service().describe_server(request)))
    }

    #[tool(
        description = "Add a catalog server to the draft config of a client/profile (the draft persists; nothing changes in the client until publish_config and deploy_config). params and env_vars accept an object or a JSON string; parameter defaults are applied. Use server_name to add the same server twice under different names."
    )]
    async fn add_server_to_config(
        &self,
        Parameters(args): Parameters<AddServerArgs>,
    ) -> Result<CallToolResult, McpError> {
        let Some(server_id) = args.server_id else {
            return error_result(&ServiceError::invalid(
                "server_id is required: list_available_servers shows the ids",
            ));
        };
        let request = AddServer {
            server_id,
            params: args.params,
            env_vars: args.env_vars,
            server_name: args.server_name,
        };
        respond(
            target(args.client_id, args.profile_id, args.draft_name)
                .and_then(|t| self.service().add_server_to_config(&t, request)),
        )
    }

    #[tool(
        description = "Remove a server, by its server_name, from the draft config of a client/profile."
    )]
    async fn remove_server_from_config(
        &self,
        Parameters(args): Parameters<RemoveServerArgs>,
    ) -> Result<CallToolResult, McpError> {
        let server_name = args.server_name.unwrap_or_default();
        respond(
            target(args.client_id, args.profile_id, args.draft_name)
                .and_then(|t| self.service().remove_server_from_config(&t, &server_name)),
        )
    }

    #[tool(
        description = "Show the draft config of a client/profile: its servers (sorted by name, secrets redacted) and the payload publish_config would sign, rendered in that client's own format."
    )]
    async fn view_draft_config(
        &self,
        Parameters(args): Parameters<TargetArgs>,
    ) -> Result<CallToolResult, McpError> {
        respond(
            target(args.client_id, args.profile_id, args.draft_name)
                .and_then(|t| self.service().view_draft_config(&t)),
        )
    }

    #[tool(
        description = "Remove every server from the draft config of a client/profile. Published artifacts are not affected."
    )]
    async fn clear_draft_config(
        &self,
        Parameters(args): Parameters<TargetArgs>,
    ) -> Result<CallToolResult, McpError> {
        respond(
            target(args.client_id, args.profile_id, args.draft_name)
                .and_then(|t| self.service().clear_draft_config(&t)),
        )
    }

    #[tool(
        description = "Validate the draft config against the client's rules. Errors (EMPTY_CONFIG, MISSING_COMMAND, MISSING_ARGS, INVALID_ARGS_TYPE, INVALID_ENV_TYPE, TOO_MANY_SERVERS, TOO_MANY_ENV_VARS, INVALID_SERVER_NAME, …) block publishing; warnings (EMPTY_ENV_VAR, UNKNOWN_CLIENT) do not."
    )]
    async fn validate_config(
        &self,
        Parameters(args): Parameters<TargetArgs>,
    ) -> Result<CallToolResult, McpError> {
        respond(
            target(args.client_id, args.profile_id, args.draft_name)
                .and_then(|t| self.service().validate_config(&t)),
        )
    }

    #[tool(
        description = "Publish the draft as a new immutable, signed artifact (validated, canonicalized with RFC 8785, content-addressed by SHA-256, Ed25519-signed). The draft stays. Keys are created on first use. Then deploy_config writes it into the client's file."
    )]
    async fn publish_config(
        &self,
        Parameters(args): Parameters<PublishArgs>,
    ) -> Result<CallToolResult, McpError> {
        respond(
            target(args.client_id, args.profile_id, args.draft_name)
                .and_then(|t| self.service().publish_config(&t, args.changelog.as_deref())),
        )
    }

    #[tool(
        description = "Create the Ed25519 signing key pair (keys/signing.key, mode 0600, and keys/signing.pub). With regenerate=true, rotate it: old public keys stay in the keyring so earlier artifacts still verify."
    )]
    async fn initialize_keys(
        &self,
        Parameters(args): Parameters<KeysArgs>,
    ) -> Result<CallToolResult, McpError> {
        respond(
            self.service()
                .initialize_keys(args.regenerate.unwrap_or(false)),
        )
    }

    #[tool(
        description = "Write a published artifact (default: the latest) into the client's own config file (or, with project_dir, its project-scope file). Only the MCP section changes; every other setting and comment survives; a backup is taken and the write is atomic. Secret references are written as their values, or with secrets=\"reference\" as the client's own reference syntax. Refuses, naming them, if the file holds servers Imprint did not put there or was edited since the last deploy, unless force=true (import_config adopts them instead)."
    )]
    async fn deploy_config(
        &self,
        Parameters(args): Parameters<DeployArgs>,
    ) -> Result<CallToolResult, McpError> {
        let result = target(args.client_id, args.profile_id, None).and_then(|t| {
            let options = DeployOptions {
                artifact_id: args.artifact_id,
                force: args.force.unwrap_or(false),
                project_dir: project_dir(args.project_dir),
                secrets: SecretMode::parse(args.secrets.as_deref())?,
            };
            self.service().deploy_config_with(&t, &options)
        });
        respond(result)
    }

    #[tool(
        description = "Show, for every MCP client on this machine, its config file (user scope, the project scope under project_dir if given, and project files deployed to before): whether the file exists, the servers in it, which ones Imprint manages and which it does not, the deployed artifact against the latest published one, and drift (hand edits since the last deploy). Use it before deploy_config to see what a deploy would touch."
    )]
    async fn get_deployment_status(
        &self,
        Parameters(args): Parameters<StatusArgs>,
    ) -> Result<CallToolResult, McpError> {
        let dir = project_dir(args.project_dir);
        respond(self.service().get_deployment_status(dir.as_deref()))
    }

    #[tool(
        description = "Store a secret (an API key or token) encrypted in Imprint's data directory under a name, for use as \"${secret:NAME}\" in add_server_to_config env_vars. Setting an existing name replaces its value (deploy again to write it). The value is never shown again."
    )]
    async fn set_secret(
        &self,
        Parameters(args): Parameters<SetSecretArgs>,
    ) -> Result<CallToolResult, McpError> {
        let (Some(name), Some(value)) = (args.name, args.value) else {
            return error_result(&ServiceError::invalid(
                "name and value are required, e.g. {\"name\": \"GITHUB_TOKEN\", \"value\": \"…\"}",
            ));
        };
        respond(self.service().set_secret(&name, &value))
    }

    #[tool(
        description = "List the names of the stored secrets (never their values): the ones you set with set_secret and the ones Imprint found in env vars and headers (named NAME@fingerprint)."
    )]
    async fn list_secrets(&self) -> Result<CallToolResult, McpError> {
        respond(self.service().list_secrets())
    }

    #[tool(
        description = "Delete a stored secret by name. Artifacts that refer to it cannot be deployed with secrets as values until it is set again."
    )]
    async fn remove_secret(
        &self,
        Parameters(args): Parameters<SecretNameArgs>,
    ) -> Result<CallToolResult, McpError> {
        match args.name {
            Some(name) => respond(self.service().remove_secret(&name)),
            None => error_result(&ServiceError::invalid(
                "name is required: list_secrets shows the names",
            )),
        }
    }

    #[tool(
        description = "List the published revisions of a client/profile, newest first: sequence, artifact_id, time, author, changelog."
    )]
    async fn get_config_history(
        &self,
        Parameters(args): Parameters<HistoryArgs>,
    ) -> Result<CallToolResult, McpError> {
        respond(target(args.client_id, args.profile_id, None).and_then(|t| {
            self.service()
                .get_config_history(&t, args.limit.map(|l| l as usize))
        }))
    }

    #[tool(
        description = "Make an earlier artifact current again: publishes its payload as a new signed revision whose changelog says it is a rollback. History is kept. Then deploy_config."
    )]
    async fn rollback_config(
        &self,
        Parameters(args): Parameters<RollbackArgs>,
    ) -> Result<CallToolResult, McpError> {
        let artifact_id = args.artifact_id.unwrap_or_default();
        respond(target(args.client_id, args.profile_id, None).and_then(|t| {
            self.service()
                .rollback_config(&t, &artifact_id, args.changelog.as_deref())
        }))
    }

    #[tool(
        description = "Verify a published artifact (default: the latest): recompute its id from the payload and check its Ed25519 signature. Reports valid=false with the reason if it was altered."
    )]
    async fn verify_config(
        &self,
        Parameters(args): Parameters<ArtifactArgs>,
    ) -> Result<CallToolResult, McpError> {
        respond(target(args.client_id, args.profile_id, None).and_then(|t| {
            self.service()
                .verify_config(&t, args.artifact_id.as_deref())
        }))
    }

    #[tool(
        description = "Read the servers already in the client's own config file (or, with project_dir, its project-scope file) into the draft, so you can adopt what you have before the first deploy. Servers already in the draft with the same names are replaced; others stay. Secret values found in env vars and headers go to the encrypted secret store; the draft gets ${secret:NAME} references."
    )]
    async fn import_config(
        &self,
        Parameters(args): Parameters<ImportArgs>,
    ) -> Result<CallToolResult, McpError> {
        let dir = project_dir(args.project_dir);
        respond(
            target(args.client_id, args.profile_id, args.draft_name)
                .and_then(|t| self.service().import_config_from(&t, dir.as_deref())),
        )
    }

    #[tool(description = "List the named drafts of a client/profile with their server counts.")]
    async fn list_config_drafts(
        &self,
        Parameters(args): Parameters<DocumentArgs>,
    ) -> Result<CallToolResult, McpError> {
        respond(
            self.service()
                .list_drafts(args.client_id.as_deref(), args.profile_id.as_deref()),
        )
    }

    #[tool(
        description = "Register your own server in the catalog (persisted), or replace a registered one. Then add it with add_server_to_config like a built-in."
    )]
    async fn register_server(
        &self,
        Parameters(args): Parameters<RegisterServerArgs>,
    ) -> Result<CallToolResult, McpError> {
        let Some(server_id) = args.server_id else {
            return error_result(&ServiceError::invalid(
                "server_id is required, e.g. \"my-tool\"",
            ));
        };
        let mut definition = json!({
            "server_id": server_id,
            "display_name": args.display_name.unwrap_or_else(|| server_id.clone()),
            "description": args.description.unwrap_or_default(),
            "transport": args.transport.unwrap_or_else(|| "stdio".into()),
            "args": args.args.unwrap_or_default(),
            "headers": args.headers.unwrap_or_default(),
            "required_env": args.required_env.unwrap_or_default(),
            "optional_env": args.optional_env.unwrap_or_default(),
            "secret_env": args.secret_env.unwrap_or_default(),
            "parameters": args.parameters.unwrap_or_default(),
            "tags": args.tags.unwrap_or_default(),
        });
        for (key, value) in [
            ("command", args.command),
            ("url", args.url),
            ("homepage", args.homepage),
            ("package", args.package),
        ] {
            if let Some(value) = value {
                definition[key] = json!(value);
            }
        }
        respond(self.service().register_server(definition))
    }

    #[tool(
        description = "Add a server to the catalog from an official MCP Registry server.json document (packages for npm/pypi/oci, or remotes)."
    )]
    async fn import_registry_server(
        &self,
        Parameters(args): Parameters<RegistryImportArgs>,
    ) -> Result<CallToolResult, McpError> {
        match json_arg("server_json", args.server_json) {
            Ok(Some(document)) => respond(self.service().import_registry_server(document)),
            Ok(None) => error_result(&ServiceError::invalid(
                "server_json is required: pass the registry's server.json document",
            )),
            Err(e) => error_result(&e),
        }
    }
}
