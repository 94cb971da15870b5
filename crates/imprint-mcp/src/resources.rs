//! Resources: read-only views a client can attach as context.
//!
//! `capabilities://server`, `capabilities://clients`, `server://registry`,
//! `server://{server_id}`, `config://{client_id}/{profile_id}/draft|latest|deployed`.

use imprint_service::config::{
    DeployedConfig, DescribeServer, GetConfig, ListAvailableServers, ListClients, ViewDraftConfig,
    addresses_all,
};
use imprint_service::{ErrorKind, ServiceError};
use rmcp::ErrorData as McpError;
use rmcp::model::{ReadResourceResult, Resource, ResourceContents, ResourceTemplate};
use serde_json::{Value, json};

use crate::server::ImprintMcp;

pub(crate) fn list() -> Vec<Resource> {
    vec![
        Resource::new("capabilities://server", "server capabilities")
            .with_description(
                "What this Imprint server can do: tools, resources, clients, data directory.",
            )
            .with_mime_type("application/json"),
        Resource::new("capabilities://clients", "supported clients")
            .with_description("The MCP clients Imprint configures, with their config file paths.")
            .with_mime_type("application/json"),
        Resource::new("server://registry", "server catalog")
            .with_description("Every catalog server (built-in, registered, imported).")
            .with_mime_type("application/json"),
    ]
}

pub(crate) fn templates() -> Vec<ResourceTemplate> {
    let template = |uri: &str, name: &str, description: &str| {
        ResourceTemplate::new(uri, name)
            .with_description(description)
            .with_mime_type("application/json")
    };
    vec![
        template(
            "server://{server_id}",
            "catalog server",
            "One catalog server's definition.",
        ),
        template(
            "config://{client_id}/{profile_id}/draft",
            "draft config",
            "The draft config of a client/profile.",
        ),
        template(
            "config://{client_id}/{profile_id}/latest",
            "latest config",
            "The latest published, signed artifact.",
        ),
        template(
            "config://{client_id}/{profile_id}/deployed",
            "deployed config",
            "What was last deployed into the client's file, with drift against the file on disk.",
        ),
    ]
}

pub(crate) fn read(server: &ImprintMcp, uri: &str) -> Result<ReadResourceResult, McpError> {
    let service = server.service();
    let text = match uri {
        "capabilities://server" => pretty(capabilities(server)),
        "capabilities://clients" => pretty(service.list_clients(ListClients {})),
        "server://registry" => service
            .list_available_servers(ListAvailableServers::default())
            .and_then(pretty),
        _ => {
            if let Some(server_id) = uri.strip_prefix("server://") {
                service
                    .describe_server(DescribeServer {
                        server_id: server_id.to_string(),
                    })
                    .and_then(pretty)
            } else if let Some(rest) = uri.strip_prefix("config://") {
                read_config(service, rest)
            } else {
                return Err(unknown(uri));
            }
        }
    };
    match text {
        Ok(text) => Ok(ReadResourceResult::new(vec![
            ResourceContents::text(text, uri).with_mime_type("application/json"),
        ])),
        Err(error) => Err(match error.kind() {
            ErrorKind::NotFound => {
                McpError::resource_not_found(error.message().to_string(), Some(json!({"uri": uri})))
            }
            ErrorKind::Internal => {
                tracing::error!(error = %error.chain(), uri, "internal error reading a resource");
                McpError::internal_error("internal error; see the imprint server log", None)
            }
            _ => McpError::invalid_params(error.message().to_string(), Some(json!({"uri": uri}))),
        }),
    }
}

/// A resource's text: the answer as pretty JSON.
fn pretty<T: serde::Serialize>(answer: T) -> Result<String, ServiceError> {
    serde_json::to_string_pretty(&answer).map_err(|e| ServiceError::internal(e.to_string()))
}

/// A `config://{client_id}/{profile_id}/{view}` resource as pretty JSON.
fn read_config(service: &imprint_service::Service, rest: &str) -> Result<String, ServiceError> {
    let parts: Vec<&str> = rest.split('/').collect();
    let [client_id, profile_id, view] = parts.as_slice() else {
        return Err(ServiceError::invalid(format!(
            "config resource 'config://{rest}' must be config://{{client_id}}/{{profile_id}}/draft|latest|deployed"
        )));
    };
    let (client_id, profile_id) = (Some(client_id.to_string()), Some(profile_id.to_string()));
    match *view {
        "draft" => service
            .view_draft_config(ViewDraftConfig {
                client_id,
                profile_id,
                draft_name: None,
            })
            .and_then(pretty),
        "latest" => service
            .latest_config(GetConfig {
                client_id,
                profile_id,
                artifact_id: None,
            })
            .and_then(pretty),
        "deployed" if addresses_all(client_id.as_deref()) => service
            .deployed_all(DeployedConfig {
                client_id,
                profile_id,
            })
            .and_then(pretty),
        "deployed" => service
            .deployed_config(DeployedConfig {
                client_id,
                profile_id,
            })
            .and_then(pretty),
        other => Err(ServiceError::invalid(format!(
            "unknown config view '{other}': use draft, latest or deployed"
        ))),
    }
}

fn unknown(uri: &str) -> McpError {
    McpError::resource_not_found(
        format!(
            "unknown resource '{uri}': resources/list and resources/templates/list show what exists"
        ),
        Some(json!({"uri": uri})),
    )
}

fn capabilities(server: &ImprintMcp) -> Value {
    let tools: Vec<String> = server
        .tools()
        .into_iter()
        .map(|t| t.name.to_string())
        .collect();
    let clients: Vec<Value> = server
        .service()
        .list_clients(ListClients {})
        .clients
        .iter()
        .map(|c| c["client_id"].clone())
        .collect();
    json!({
        "name": "imprint",
        "version": env!("CARGO_PKG_VERSION"),
        "toolsets": server.toolsets().sets().iter().map(|set| set.name()).collect::<Vec<_>>(),
        "tools": tools,
        "resources": ["capabilities://server", "capabilities://clients", "server://registry", "server://{server_id}",
            "config://{client_id}/{profile_id}/draft", "config://{client_id}/{profile_id}/latest", "config://{client_id}/{profile_id}/deployed"],
        "clients": clients,
        "data_dir": server.service().data_dir(),
        "signing": {"algorithm": "Ed25519", "canonicalization": "RFC 8785 (JCS)", "artifact_id": "sha256(JCS(payload))"},
        "protocol_versions": rmcp::model::ProtocolVersion::KNOWN_VERSIONS.iter().map(|v| v.as_str()).collect::<Vec<_>>(),
    })
}
