//! MCP client configuration tools. Names and parameters follow mcp-orchestration; the
//! extra tools (`get_config_history`, `rollback_config`, …) follow its naming.
//!
//! Each tool takes its operation's request type from `imprint_service` (its input schema is
//! that type's) and answers the operation's result.

use imprint_service::config::{
    AddServerToConfig, ClearDraftConfig, DeployConfig, DescribeServer, DiffConfig, GetConfig,
    GetConfigHistory, GetDeploymentStatus, ImportConfig, ImportRegistryServer, InitializeKeys,
    ListAvailableServers, ListClients, ListConfigDrafts, ListProfiles, PublishConfig,
    RegisterServer, RemoveServerFromConfig, RollbackConfig, ValidateConfig, VerifyConfig,
    ViewDraftConfig,
};
use imprint_service::config::{CheckServerInstallation, InstallServer, ListInstalledServers};
use imprint_service::config::{GetProfileStatus, LinkClients, UnlinkClients, addresses_all};
use imprint_service::requests::{ApproveRequest, ListRequests, RejectRequest, RequestPublish};
use imprint_service::secrets::{ListSecrets, RemoveSecret, SetSecret};
use rmcp::ErrorData as McpError;
use rmcp::handler::server::wrapper::Parameters;
use rmcp::model::CallToolResult;
use rmcp::{tool, tool_router};

use crate::args::Args;
use crate::respond;
use crate::server::ImprintMcp;

#[tool_router(router = config_router, vis = "pub(crate)")]
impl ImprintMcp {
    #[tool(
        description = "List the MCP clients Imprint can configure (Claude Desktop, Claude Code, Cursor, …) with the path of each one's config file on this OS and on the others. Use the returned client_id in the other tools."
    )]
    async fn list_clients(
        &self,
        Parameters(Args(request)): Parameters<Args<ListClients>>,
    ) -> Result<CallToolResult, McpError> {
        respond(request.map(|request| self.service().list_clients(request)))
    }

    #[tool(
        description = "List the profiles of a client: every profile that has a draft or a published config, plus \"default\". Shows each profile's latest artifact and drafts."
    )]
    async fn list_profiles(
        &self,
        Parameters(Args(request)): Parameters<Args<ListProfiles>>,
    ) -> Result<CallToolResult, McpError> {
        respond(request.and_then(|request| self.service().list_profiles(request)))
    }

    #[tool(
        description = "Get a published, signed configuration artifact: the latest for client/profile, or the one with artifact_id. Returns the envelope exactly as signed (artifact_id, client_id, profile_id, created_at, payload, signing_key_id, metadata, signature). Use view_draft_config for unpublished changes."
    )]
    async fn get_config(
        &self,
        Parameters(Args(request)): Parameters<Args<GetConfig>>,
    ) -> Result<CallToolResult, McpError> {
        respond(request.and_then(|request| self.service().get_config(request)))
    }

    #[tool(
        description = "Compare a config you hold (local_payload, or local_artifact_id) with the latest published artifact. status is up-to-date, outdated (yours only lacks changes the latest has: every server you hold is as some published artifact had it) or diverged (yours also has changes no published artifact had, listed in summary.local_changes); recommendation is safe, update or review. Lists servers added/removed/modified (sorted) and every changed field with its path. With client_id \"all\": a neutral {\"servers\": …} (or, with neither given, the draft of all) against the latest publish of all, with reaches (the linked clients each change reaches) and clients (each linked client's payload against its artifact of that publish)."
    )]
    async fn diff_config(
        &self,
        Parameters(Args(request)): Parameters<Args<DiffConfig>>,
    ) -> Result<CallToolResult, McpError> {
        respond(request.and_then(|request| self.service().diff_config(request)))
    }

    #[tool(
        description = "List the catalog of MCP servers you can add (built-in, registered, imported), optionally filtered by transport (stdio, http, sse, remote) or a search text. Then describe_server for parameters, add_server_to_config to add one."
    )]
    async fn list_available_servers(
        &self,
        Parameters(Args(request)): Parameters<Args<ListAvailableServers>>,
    ) -> Result<CallToolResult, McpError> {
        respond(request.and_then(|request| self.service().list_available_servers(request)))
    }

    #[tool(
        description = "Describe one catalog server: transport as {type, command, args} (or {type, url}; the word is transport_type), parameters with types and defaults, env_vars {required, optional}, installation, usage_example. Read this before add_server_to_config to know which params and env_vars to pass."
    )]
    async fn describe_server(
        &self,
        Parameters(Args(request)): Parameters<Args<DescribeServer>>,
    ) -> Result<CallToolResult, McpError> {
        respond(request.and_then(|request| self.service().describe_server(request)))
    }

    #[tool(
        description = "Add a catalog server to the draft config of a client/profile (the draft persists; nothing changes in the client until publish_config and deploy_config). params and env_vars accept an object or a JSON string; parameter defaults are applied; a missing required env var is an error. Old catalog names (custom-api host/port, postgres connection_string, n8n N8N_API_KEY, github GITHUB_TOKEN) are mapped, said in aliases_applied. Answers draft, the client payload after the add. Use server_name to add the same server twice. An empty client_id/profile_id/draft_name means the default."
    )]
    async fn add_server_to_config(
        &self,
        Parameters(Args(request)): Parameters<Args<AddServerToConfig>>,
    ) -> Result<CallToolResult, McpError> {
        respond(request.and_then(|request| self.service().add_server_to_config(request)))
    }

    #[tool(
        description = "Remove a server, by its server_name, from the draft config of a client/profile."
    )]
    async fn remove_server_from_config(
        &self,
        Parameters(Args(request)): Parameters<Args<RemoveServerFromConfig>>,
    ) -> Result<CallToolResult, McpError> {
        respond(request.and_then(|request| self.service().remove_server_from_config(request)))
    }

    #[tool(
        description = "Show the draft config of a client/profile: servers (the names), entries (each server, secrets redacted) and draft, the payload publish_config would sign in that client's own format."
    )]
    async fn view_draft_config(
        &self,
        Parameters(Args(request)): Parameters<Args<ViewDraftConfig>>,
    ) -> Result<CallToolResult, McpError> {
        respond(request.and_then(|request| self.service().view_draft_config(request)))
    }

    #[tool(
        description = "Remove every server from the draft config of a client/profile. Published artifacts are not affected."
    )]
    async fn clear_draft_config(
        &self,
        Parameters(Args(request)): Parameters<Args<ClearDraftConfig>>,
    ) -> Result<CallToolResult, McpError> {
        respond(request.and_then(|request| self.service().clear_draft_config(request)))
    }

    #[tool(
        description = "Validate the draft config against the client's rules. Errors (EMPTY_CONFIG, MISSING_COMMAND, MISSING_ARGS, INVALID_ARGS_TYPE, INVALID_ENV_TYPE, TOO_MANY_SERVERS, TOO_MANY_ENV_VARS, INVALID_SERVER_NAME, …) block publishing; warnings (EMPTY_ENV_VAR, UNKNOWN_CLIENT) do not."
    )]
    async fn validate_config(
        &self,
        Parameters(Args(request)): Parameters<Args<ValidateConfig>>,
    ) -> Result<CallToolResult, McpError> {
        respond(request.and_then(|request| self.service().validate_config(request)))
    }

    #[tool(
        description = "Publish the draft as a new immutable, signed artifact (validated, canonicalized with RFC 8785, content-addressed by SHA-256, Ed25519-signed). The draft stays. Keys are created on first use. Then deploy_config writes it into the client's file."
    )]
    async fn publish_config(
        &self,
        Parameters(Args(request)): Parameters<Args<PublishConfig>>,
    ) -> Result<CallToolResult, McpError> {
        respond(request.and_then(|request| self.service().publish_config(request)))
    }

    #[tool(
        description = "Create the Ed25519 signing key pair (keys/signing.key, mode 0600, and keys/signing.pub). With regenerate=true, rotate it: old public keys stay in the keyring so earlier artifacts still verify."
    )]
    async fn initialize_keys(
        &self,
        Parameters(Args(request)): Parameters<Args<InitializeKeys>>,
    ) -> Result<CallToolResult, McpError> {
        respond(request.and_then(|request| self.service().initialize_keys(request)))
    }

    #[tool(
        description = "Write a published artifact (default: the latest) into the client's own config file (or, with project_dir, its project-scope file). Only the MCP section changes; every other setting and comment survives; a backup is taken and the write is atomic. Secret references are written as their values, or with secrets=\"reference\" as the client's own reference syntax. Refuses, naming them, if the file holds servers Imprint did not put there or was edited since the last deploy, unless force=true (import_config adopts them instead). With client_id \"all\": every linked client's file, each deployed by the same rules and answered on its own in clients (deployed, up_to_date, or refused with reason and next); one refusal never undoes another client's deploy, and deploying again after fixing it deploys the rest; with project_dir, the linked clients that have a project-scope file, the others skipped by name."
    )]
    async fn deploy_config(
        &self,
        Parameters(Args(request)): Parameters<Args<DeployConfig>>,
    ) -> Result<CallToolResult, McpError> {
        let service = self.service();
        match request {
            Ok(request) if addresses_all(request.client_id.as_deref()) => {
                respond(service.deploy_all(request))
            }
            request => respond(request.and_then(|request| service.deploy_config(request))),
        }
    }

    #[tool(
        description = "Link clients to a profile: client_id \"all\" then publishes and deploys to them (each in its own format). Without links, a profile is linked to the clients whose user-scope config file exists on this machine. list_profiles with client_id \"all\" shows the links."
    )]
    async fn link_clients(
        &self,
        Parameters(Args(request)): Parameters<Args<LinkClients>>,
    ) -> Result<CallToolResult, McpError> {
        respond(request.and_then(|request| self.service().link_clients(request)))
    }

    #[tool(
        description = "Unlink clients from a profile: client_id \"all\" no longer publishes or deploys to them (their files and artifacts stay as they are)."
    )]
    async fn unlink_clients(
        &self,
        Parameters(Args(request)): Parameters<Args<UnlinkClients>>,
    ) -> Result<CallToolResult, McpError> {
        respond(request.and_then(|request| self.service().unlink_clients(request)))
    }

    #[tool(
        description = "For a profile of client_id \"all\": which linked clients' files hold its latest publish (in_step), which hold an older one or none (behind), which were edited since their deploy (drifted), and which the latest publish has no artifact for (not_published)."
    )]
    async fn get_profile_status(
        &self,
        Parameters(Args(request)): Parameters<Args<GetProfileStatus>>,
    ) -> Result<CallToolResult, McpError> {
        respond(request.and_then(|request| self.service().profile_status(request)))
    }

    #[tool(
        description = "Show, for every MCP client on this machine, its config file (user scope, the project scope under project_dir if given, and project files deployed to before): whether the file exists, the servers in it, which ones Imprint manages and which it does not, the deployed artifact against the latest published one, and drift (hand edits since the last deploy); and in all_profiles, for each published profile of client_id \"all\", which linked clients are in step, behind or drifted. Use it before deploy_config to see what a deploy would touch."
    )]
    async fn get_deployment_status(
        &self,
        Parameters(Args(request)): Parameters<Args<GetDeploymentStatus>>,
    ) -> Result<CallToolResult, McpError> {
        respond(request.and_then(|request| self.service().get_deployment_status(request)))
    }

    #[tool(
        description = "Store a secret (an API key or token) encrypted in Imprint's data directory under a name, for use as \"${secret:NAME}\" in add_server_to_config env_vars. Setting an existing name replaces its value (deploy again to write it). The value is never shown again."
    )]
    async fn set_secret(
        &self,
        Parameters(Args(request)): Parameters<Args<SetSecret>>,
    ) -> Result<CallToolResult, McpError> {
        respond(request.and_then(|request| self.service().set_secret(request)))
    }

    #[tool(
        description = "List the names of the stored secrets (never their values): the ones you set with set_secret and the ones Imprint found in env vars and headers (named NAME@fingerprint)."
    )]
    async fn list_secrets(
        &self,
        Parameters(Args(request)): Parameters<Args<ListSecrets>>,
    ) -> Result<CallToolResult, McpError> {
        respond(request.and_then(|request| self.service().list_secrets(request)))
    }

    #[tool(
        description = "Delete a stored secret by name. Artifacts that refer to it cannot be deployed with secrets as values until it is set again."
    )]
    async fn remove_secret(
        &self,
        Parameters(Args(request)): Parameters<Args<RemoveSecret>>,
    ) -> Result<CallToolResult, McpError> {
        respond(request.and_then(|request| self.service().remove_secret(request)))
    }

    #[tool(
        description = "List the published revisions of a client/profile, newest first: sequence, artifact_id, time, author, changelog."
    )]
    async fn get_config_history(
        &self,
        Parameters(Args(request)): Parameters<Args<GetConfigHistory>>,
    ) -> Result<CallToolResult, McpError> {
        respond(request.and_then(|request| self.service().get_config_history(request)))
    }

    #[tool(
        description = "Make an earlier artifact current again: publishes its payload as a new signed revision whose changelog says it is a rollback. History is kept. Then deploy_config."
    )]
    async fn rollback_config(
        &self,
        Parameters(Args(request)): Parameters<Args<RollbackConfig>>,
    ) -> Result<CallToolResult, McpError> {
        respond(request.and_then(|request| self.service().rollback_config(request)))
    }

    #[tool(
        description = "Verify a published artifact (default: the latest): recompute its id from the payload and check its Ed25519 signature. Reports valid=false with the reason if it was altered."
    )]
    async fn verify_config(
        &self,
        Parameters(Args(request)): Parameters<Args<VerifyConfig>>,
    ) -> Result<CallToolResult, McpError> {
        respond(request.and_then(|request| self.service().verify_config(request)))
    }

    #[tool(
        description = "Read the servers already in the client's own config file (or, with project_dir, its project-scope file) into the draft, so you can adopt what you have before the first deploy. Servers already in the draft with the same names are replaced; others stay. Secret values found in env vars and headers go to the encrypted secret store; the draft gets ${secret:NAME} references. With client_id \"all\": every linked client's file into the neutral draft; a server that is the same everywhere it appears is imported once (limited with clients to the clients that had it), one whose command/URL/env differ between clients is named in conflicts and not imported; with project_dir, their project-scope files (clients without one are named in skipped)."
    )]
    async fn import_config(
        &self,
        Parameters(Args(request)): Parameters<Args<ImportConfig>>,
    ) -> Result<CallToolResult, McpError> {
        let service = self.service();
        match request {
            Ok(request) if addresses_all(request.client_id.as_deref()) => {
                respond(service.import_all(request))
            }
            request => respond(request.and_then(|request| service.import_config(request))),
        }
    }

    #[tool(description = "List the named drafts of a client/profile with their server counts.")]
    async fn list_config_drafts(
        &self,
        Parameters(Args(request)): Parameters<Args<ListConfigDrafts>>,
    ) -> Result<CallToolResult, McpError> {
        respond(request.and_then(|request| self.service().list_config_drafts(request)))
    }

    #[tool(
        description = "Register your own server in the catalog (persisted), or replace a registered one. Then add it with add_server_to_config like a built-in."
    )]
    async fn register_server(
        &self,
        Parameters(Args(request)): Parameters<Args<RegisterServer>>,
    ) -> Result<CallToolResult, McpError> {
        respond(request.and_then(|request| self.service().register_server(request)))
    }

    #[tool(
        description = "Add a server to the catalog from an official MCP Registry server.json document (packages for npm/pypi/oci, or remotes)."
    )]
    async fn import_registry_server(
        &self,
        Parameters(Args(request)): Parameters<Args<ImportRegistryServer>>,
    ) -> Result<CallToolResult, McpError> {
        respond(request.and_then(|request| self.service().import_registry_server(request)))
    }

    #[tool(
        description = "Check whether a catalog server can run on this machine: is the program its entry starts (npx, uvx, docker, …) on PATH, is its package installed, and the install command. Runs nothing. If something is missing, the message says how to get it; install_server installs the package."
    )]
    async fn check_server_installation(
        &self,
        Parameters(Args(request)): Parameters<Args<CheckServerInstallation>>,
    ) -> Result<CallToolResult, McpError> {
        respond(request.and_then(|request| self.service().check_server_installation(request)))
    }

    #[tool(
        description = "List the catalog servers that can run on this machine (their program is on PATH; remote servers always can), and the ids of those that cannot. Runs nothing."
    )]
    async fn list_installed_servers(
        &self,
        Parameters(Args(request)): Parameters<Args<ListInstalledServers>>,
    ) -> Result<CallToolResult, McpError> {
        respond(request.and_then(|request| self.service().list_installed_servers(request)))
    }

    #[tool(
        description = "Install a catalog server's package with its package manager (npm install -g, uv tool install, or docker pull) and answer with the command's output. Runs only when you call it; refuses where no installer applies (remote servers, other programs). check_server_installation shows the command first."
    )]
    async fn install_server(
        &self,
        Parameters(Args(request)): Parameters<Args<InstallServer>>,
    ) -> Result<CallToolResult, McpError> {
        respond(request.and_then(|request| self.service().install_server(request)))
    }

    #[tool(
        description = "Ask a publisher to publish a config draft as it is now (an editor's way to make a change live: publish_config needs the publisher role). The draft's version is frozen; a publisher approves with approve_request (publishing exactly that version, signed with both names) or rejects with a reason. Changing the draft afterwards makes approval refuse."
    )]
    async fn request_publish(
        &self,
        Parameters(Args(request)): Parameters<Args<RequestPublish>>,
    ) -> Result<CallToolResult, McpError> {
        respond(request.and_then(|request| self.service().request_publish(request)))
    }

    #[tool(
        description = "List publish requests (open ones by default) with, for each open one, the draft's current version and its diff against the latest published artifact. Approve with approve_request or reject with reject_request."
    )]
    async fn list_requests(
        &self,
        Parameters(Args(request)): Parameters<Args<ListRequests>>,
    ) -> Result<CallToolResult, McpError> {
        respond(request.and_then(|request| self.service().list_requests(request)))
    }

    #[tool(
        description = "Approve a publish request (publisher role): publishes (or, for content, applies) exactly the draft version the request froze, recording requested_by and approved_by in the signed metadata. Refused with a conflict naming both versions if the draft changed since the request."
    )]
    async fn approve_request(
        &self,
        Parameters(Args(request)): Parameters<Args<ApproveRequest>>,
    ) -> Result<CallToolResult, McpError> {
        respond(request.and_then(|request| self.service().approve_request(request)))
    }

    #[tool(
        description = "Reject a publish request (publisher role) with a reason shown to whoever asked. Nothing is published; the draft stays."
    )]
    async fn reject_request(
        &self,
        Parameters(Args(request)): Parameters<Args<RejectRequest>>,
    ) -> Result<CallToolResult, McpError> {
        respond(request.and_then(|request| self.service().reject_request(request)))
    }
}
