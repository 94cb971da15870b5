//! Clients, profiles and the server catalog: built-ins overlaid by user-registered and
//! registry-imported entries.

use std::collections::BTreeMap;

use imprint_config::catalog::{self, ServerDefinition};
use imprint_config::{clients, ids};
use imprint_engine::timestamp;
use imprint_store::CatalogRow;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use super::{DEFAULT_PROFILE, Target, document_key, known_client};
use crate::api::JsonObject;
use crate::error::{ServiceError, ServiceResult};
use crate::{Service, now_millis};

/// `list_clients`: the clients Imprint configures. Takes nothing.
#[derive(Debug, Clone, Default, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(transform = super::no_arguments)]
pub struct ListClients {}

/// `list_profiles`: the profiles of one client.
#[derive(Debug, Clone, Default, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ListProfiles {
    /// Client id, e.g. "claude-desktop", "claude-code", "cursor" (default "claude-desktop"). list_clients shows them all.
    pub client_id: Option<String>,
}

/// `list_available_servers`: the catalog, optionally filtered.
#[derive(Debug, Clone, Default, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ListAvailableServers {
    /// Only servers of this transport: "stdio", "http", "sse" or "remote" (http and sse).
    // `transport` is the REST query's name for it
    #[serde(alias = "transport")]
    pub transport_filter: Option<String>,
    /// Case-insensitive text to find in id, name, description or tags.
    #[serde(alias = "search")]
    pub search_query: Option<String>,
}

/// `describe_server`: one catalog entry with its parameters and environment variables.
#[derive(Debug, Clone, Default, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct DescribeServer {
    /// Catalog id, e.g. "filesystem", "github" (list_available_servers shows them).
    pub server_id: String,
}

/// `register_server`: a user catalog entry, in the shape describe_server shows.
#[derive(Debug, Clone, Default, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RegisterServer {
    /// Catalog id for the new entry: lowercase letters, digits, '.', '_' or '-'.
    pub server_id: String,
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
    pub headers: Option<BTreeMap<String, String>>,
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
    /// Values for env vars the caller does not give (a definition saved from describe_server
    /// may hold them).
    #[schemars(skip)]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub env_defaults: Option<BTreeMap<String, String>>,
    /// Ignored: a registered entry's source is always "user". Accepted so a definition saved
    /// from describe_server registers as it is.
    #[schemars(skip)]
    #[serde(default, skip_serializing)]
    pub source: Option<String>,
}

/// `import_registry_server`: a catalog entry from an official MCP Registry `server.json`.
#[derive(Debug, Clone, Default, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ImportRegistryServer {
    /// An official MCP Registry server.json document (an object, or a JSON string of one).
    pub server_json: JsonObject,
}

/// The answer of `list_clients`.
#[derive(Debug, Clone, Serialize)]
pub struct ClientList {
    /// Each client as [`imprint_config::clients::ClientSpec::describe_with_home`] shows it.
    pub clients: Vec<Value>,
    pub count: usize,
}

/// The answer of `list_profiles`.
#[derive(Debug, Clone, Serialize)]
pub struct ProfileList {
    pub client_id: String,
    pub profiles: Vec<ProfileSummary>,
    pub count: usize,
}

/// One row of [`ProfileList`].
#[derive(Debug, Clone, Serialize)]
pub struct ProfileSummary {
    pub profile_id: String,
    pub latest_artifact_id: Option<String>,
    /// The head's sequence number: 0 before the first publish.
    pub revision_count: i64,
    pub updated_at: Option<String>,
    /// Names of the profile's drafts.
    pub drafts: Vec<String>,
}

/// The answer of `list_available_servers`.
#[derive(Debug, Clone, Serialize)]
pub struct AvailableServers {
    /// [`ServerDefinition::summary`] rows.
    pub servers: Vec<Value>,
    pub count: usize,
    pub transport_filter: Option<String>,
    pub search_query: Option<String>,
}

/// The answer of `describe_server`: the definition itself.
#[derive(Debug, Clone, Serialize)]
#[serde(transparent)]
pub struct ServerDescription(pub ServerDefinition);

/// The answer of `register_server`, and of `import_registry_server`: the entry as saved.
#[derive(Debug, Clone, Serialize)]
pub struct ServerRegistered {
    /// Always "registered".
    pub status: &'static str,
    pub server_id: String,
    /// The saved definition, in the shape describe_server shows.
    pub server: Value,
}

/// The answer of `import_registry_server`: the same as a registration.
pub type RegistryServerImported = ServerRegistered;

impl ListProfiles {
    /// The client this request is about, default filled in.
    pub fn target(&self) -> ServiceResult<Target> {
        Target::new(self.client_id.as_deref(), None, None)
    }
}

impl Service {
    pub fn list_clients(&self, _request: ListClients) -> ClientList {
        let clients: Vec<Value> = clients::all()
            .iter()
            .map(|c| c.describe_with_home(Some(self.home_dir())))
            .collect();
        ClientList {
            count: clients.len(),
            clients,
        }
    }

    pub fn list_profiles(&self, request: ListProfiles) -> ServiceResult<ProfileList> {
        let target = request.target()?;
        known_client(&target.client_id)?;
        let prefix = format!("config/{}/", target.client_id);
        let mut names: Vec<String> = self
            .store()
            .documents(&prefix)?
            .into_iter()
            .filter_map(|document| document.strip_prefix(&prefix).map(str::to_string))
            .collect();
        if !names.iter().any(|name| name == DEFAULT_PROFILE) {
            names.push(DEFAULT_PROFILE.to_string());
        }
        names.sort();
        let mut profiles = Vec::with_capacity(names.len());
        for profile_id in names {
            let document = document_key(&target.client_id, &profile_id);
            let head = self.store().head(&document)?;
            let drafts: Vec<String> = self
                .store()
                .list_drafts(&document)?
                .into_iter()
                .filter(|d| d.document == document)
                .map(|d| d.name)
                .collect();
            profiles.push(ProfileSummary {
                profile_id,
                latest_artifact_id: head.as_ref().map(|h| h.artifact_id.clone()),
                revision_count: head.as_ref().map_or(0, |h| h.seq),
                updated_at: head
                    .as_ref()
                    .map(|h| timestamp::rfc3339_millis(h.created_at)),
                drafts,
            });
        }
        Ok(ProfileList {
            client_id: target.client_id,
            count: profiles.len(),
            profiles,
        })
    }

    /// Built-ins overlaid by user-registered entries (a user entry with a built-in id wins).
    fn catalog(&self) -> ServiceResult<BTreeMap<String, ServerDefinition>> {
        let mut all: BTreeMap<String, ServerDefinition> = catalog::builtin()
            .iter()
            .map(|d| (d.server_id.clone(), d.clone()))
            .collect();
        for row in self.store().catalog_entries()? {
            match serde_json::from_value::<ServerDefinition>(row.definition) {
                Ok(definition) => {
                    all.insert(definition.server_id.clone(), definition);
                }
                Err(e) => {
                    tracing::warn!(server_id = %row.server_id, error = %e, "skipping unreadable catalog entry")
                }
            }
        }
        Ok(all)
    }

    /// One catalog entry: the user-registered one with this id if there is a readable one
    /// (it overrides a built-in), else the built-in. Looked up alone, not through
    /// [`Self::catalog`]: every add_server_to_config pays for this.
    pub(super) fn definition(&self, server_id: &str) -> ServiceResult<ServerDefinition> {
        if let Some(row) = self.store().catalog_entry(server_id)? {
            match serde_json::from_value::<ServerDefinition>(row.definition) {
                Ok(definition) => return Ok(definition),
                Err(e) => {
                    tracing::warn!(server_id = %row.server_id, error = %e, "skipping unreadable catalog entry")
                }
            }
        }
        catalog::builtin()
            .iter()
            .find(|d| d.server_id == server_id)
            .cloned()
            .ok_or_else(|| {
            ServiceError::not_found(format!(
                "unknown server '{server_id}': call list_available_servers to see the catalog ids, or register_server to add your own"
            ))
        })
    }

    pub fn list_available_servers(
        &self,
        request: ListAvailableServers,
    ) -> ServiceResult<AvailableServers> {
        let catalog = self.catalog()?;
        let filter = request
            .transport_filter
            .as_deref()
            .filter(|s| !s.is_empty());
        let query = request.search_query.as_deref().filter(|s| !s.is_empty());
        let servers: Vec<Value> = catalog::search(catalog.values(), filter, query)?
            .into_iter()
            .map(|d| d.summary())
            .collect();
        Ok(AvailableServers {
            count: servers.len(),
            servers,
            transport_filter: filter.map(str::to_string),
            search_query: query.map(str::to_string),
        })
    }

    pub fn describe_server(&self, request: DescribeServer) -> ServiceResult<ServerDescription> {
        let server_id = request.server_id.as_str();
        ids::validate_id("server_id", server_id)?;
        self.definition(server_id).map(ServerDescription)
    }

    /// Adds or replaces a user catalog entry.
    pub fn register_server(&self, request: RegisterServer) -> ServiceResult<ServerRegistered> {
        ids::validate_id("server_id", &request.server_id)?;
        let mut value =
            serde_json::to_value(&request).map_err(|e| ServiceError::internal(e.to_string()))?;
        if let Value::Object(map) = &mut value {
            // absent fields take the definition's defaults
            map.retain(|_, v| !v.is_null());
            map.entry("display_name")
                .or_insert_with(|| json!(request.server_id));
        }
        let mut definition: ServerDefinition = serde_json::from_value(value).map_err(|e| {
            ServiceError::invalid(format!(
                "the server definition is malformed: {e}; see describe_server for the shape of an entry"
            ))
        })?;
        definition.source = "user".into();
        self.save_definition(definition)
    }

    /// Registers a server from an official MCP Registry `server.json`.
    pub fn import_registry_server(
        &self,
        request: ImportRegistryServer,
    ) -> ServiceResult<RegistryServerImported> {
        let server_json = Value::Object(request.server_json.into_inner());
        if server_json.as_object().is_some_and(|m| m.is_empty()) {
            return Err(ServiceError::invalid(
                "server_json is required: pass the registry's server.json document",
            ));
        }
        let mut definition = catalog::from_registry_server_json(&server_json)?;
        definition.source = "registry".into();
        self.save_definition(definition)
    }

    fn save_definition(&self, definition: ServerDefinition) -> ServiceResult<ServerRegistered> {
        definition.check()?;
        let now = now_millis();
        let value =
            serde_json::to_value(&definition).map_err(|e| ServiceError::internal(e.to_string()))?;
        self.store().put_catalog_entry(&CatalogRow {
            server_id: definition.server_id.clone(),
            definition: value.clone(),
            created_at: now,
            updated_at: now,
        })?;
        Ok(ServerRegistered {
            status: "registered",
            server_id: definition.server_id,
            server: value,
        })
    }
}
