//! Clients, profiles and the server catalog: built-ins overlaid by user-registered and
//! registry-imported entries.

use std::collections::BTreeMap;

use imprint_config::catalog::{self, ServerDefinition};
use imprint_config::model::ServerEntry;
use imprint_config::{clients, ids, secrets};
use imprint_engine::timestamp;
use imprint_store::CatalogRow;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use super::{DEFAULT_PROFILE, Target, document_key, known_client};
use crate::api::JsonObject;
use crate::error::{ServiceError, ServiceResult};
use crate::next::{Hint, NextStep};
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
    /// Client id, e.g. "claude-desktop", "claude-code", "cursor" (default "claude-desktop"; "" means the default). list_clients shows them all; "all" lists the client-neutral profiles with the clients each is linked to.
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
    /// "stdio" (default), "http" or "sse". (The object {"type": …} that describe_server shows is accepted too.)
    #[serde(default, deserialize_with = "transport_word")]
    #[schemars(transform = no_default)]
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
    /// Ignored: describe_server's computed fields (`transport_type`, `env_vars`,
    /// `installation`, `usage_example`, `documentation_url`), accepted so a saved description
    /// registers as it is.
    #[schemars(skip)]
    #[serde(default, skip_serializing)]
    pub transport_type: Option<Value>,
    #[schemars(skip)]
    #[serde(default, skip_serializing)]
    pub env_vars: Option<Value>,
    #[schemars(skip)]
    #[serde(default, skip_serializing)]
    pub installation: Option<Value>,
    #[schemars(skip)]
    #[serde(default, skip_serializing)]
    pub usage_example: Option<Value>,
    #[schemars(skip)]
    #[serde(default, skip_serializing)]
    pub documentation_url: Option<Value>,
}

/// Leaves "optional" to `required`: `serde(default)` would otherwise show `"default": null`.
fn no_default(schema: &mut schemars::Schema) {
    schema.remove("default");
}

/// `transport` as a word, or the old object form `{"type": "stdio", …}` describe_server shows.
fn transport_word<'de, D: serde::Deserializer<'de>>(
    deserializer: D,
) -> Result<Option<String>, D::Error> {
    use serde::de::Error;
    match Option::<Value>::deserialize(deserializer)? {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(word)) => Ok(Some(word)),
        Some(Value::Object(map)) => match map.get("type") {
            Some(Value::String(word)) => Ok(Some(word.clone())),
            _ => Err(D::Error::custom(
                "transport must be \"stdio\", \"http\" or \"sse\" (or an object with that \"type\")",
            )),
        },
        Some(_) => Err(D::Error::custom(
            "transport must be \"stdio\", \"http\" or \"sse\"",
        )),
    }
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
    /// Each client as [`imprint_config::clients::ClientSpec::describe_with_home`] shows it,
    /// plus the old system's `config_location` (the same path as `config_path`), `platform`
    /// (the OS this server runs on: "linux", "macos" or "windows") and `available_profiles`
    /// (the profile ids list_profiles shows for it).
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
    /// A readable name: "Default" for "default", else the id with its first letter capitalised.
    pub display_name: String,
    /// What the profile holds, in one line.
    pub description: String,
    pub latest_artifact_id: Option<String>,
    /// The head's sequence number: 0 before the first publish.
    pub revision_count: i64,
    pub updated_at: Option<String>,
    /// Names of the profile's drafts.
    pub drafts: Vec<String>,
    /// With client_id "all": the clients the profile publishes and deploys to.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub linked_clients: Option<super::Links>,
}

/// The answer of `list_available_servers`.
#[derive(Debug, Clone, Serialize)]
pub struct AvailableServers {
    /// [`ServerDefinition::summary`] rows (with the old `npm_package`, `has_parameters`,
    /// `requires_env`).
    pub servers: Vec<Value>,
    pub count: usize,
    /// How many of the listed servers use each transport ("stdio", "http", "sse").
    pub transport_counts: BTreeMap<String, usize>,
    /// The transport_filter values that select something: "stdio", "http", "sse", "remote".
    pub available_transports: Vec<&'static str>,
    pub transport_filter: Option<String>,
    pub search_query: Option<String>,
}

/// The answer of `describe_server`: the definition, with the old system's fields beside it.
///
/// `transport` is the old object form `{type, command, args}` (`{type, url}` for a remote
/// server); Imprint's transport word is `transport_type`. register_server accepts either
/// form, so a description registers as it is.
#[derive(Debug, Clone)]
pub struct ServerDescription(pub ServerDefinition);

/// The old system's fields of [`ServerDescription`].
#[derive(Debug, Clone, Serialize)]
pub struct ServerDescriptionExtras {
    /// `{type, command, args}` for stdio, `{type, url}` for remote: the old `transport`.
    pub transport: OldTransport,
    /// "stdio", "http" or "sse".
    pub transport_type: imprint_config::Transport,
    /// The environment variables: `{required, optional}`.
    pub env_vars: EnvVarNames,
    /// How the server gets onto the machine.
    pub installation: Installation,
    /// An add_server_to_config call that adds the server, required values as placeholders.
    pub usage_example: String,
    /// The project's documentation (the same as `homepage`).
    pub documentation_url: Option<String>,
}

/// [`ServerDescriptionExtras::transport`].
#[derive(Debug, Clone, Serialize)]
pub struct OldTransport {
    #[serde(rename = "type")]
    pub kind: imprint_config::Transport,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub command: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub args: Option<Vec<String>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
}

/// [`ServerDescriptionExtras::env_vars`].
#[derive(Debug, Clone, Serialize)]
pub struct EnvVarNames {
    pub required: Vec<String>,
    pub optional: Vec<String>,
}

/// [`ServerDescriptionExtras::installation`].
#[derive(Debug, Clone, Serialize)]
pub struct Installation {
    /// "npm", "uv", "docker", or "none" (remote, or a program Imprint has no installer for).
    pub method: &'static str,
    /// The program the client starts; absent for remote servers.
    pub command: Option<String>,
    pub package: Option<String>,
    /// What install_server runs; absent where no installer applies.
    pub install_command: Option<String>,
    /// Where the program comes from.
    pub requires: Option<&'static str>,
}

impl ServerDescription {
    /// The old system's fields, computed from the definition.
    pub fn extras(&self) -> ServerDescriptionExtras {
        let d = &self.0;
        let installer = imprint_config::install::installer(d);
        let runner = imprint_config::install::runner(d);
        let mut example = format!("add_server_to_config(server_id=\"{}\"", d.server_id);
        let required: Vec<String> = d
            .parameters
            .iter()
            .filter(|p| p.required && p.default.is_none())
            .map(|p| format!("\"{}\": \"<{}>\"", p.name, p.name))
            .collect();
        if !required.is_empty() {
            example.push_str(&format!(", params={{{}}}", required.join(", ")));
        }
        if !d.required_env.is_empty() {
            let env: Vec<String> = d
                .required_env
                .iter()
                .map(|e| format!("\"{e}\": \"<{e}>\""))
                .collect();
            example.push_str(&format!(", env_vars={{{}}}", env.join(", ")));
        }
        example.push(')');
        ServerDescriptionExtras {
            transport: OldTransport {
                kind: d.transport,
                command: d.command.clone(),
                args: (!d.transport.is_remote()).then(|| d.args.clone()),
                url: d.url.clone(),
            },
            transport_type: d.transport,
            env_vars: EnvVarNames {
                required: d.required_env.clone(),
                optional: d.optional_env.clone(),
            },
            installation: Installation {
                method: installer.as_ref().map_or("none", |i| i.package_manager),
                command: runner.map(str::to_string),
                package: d.package.clone(),
                install_command: installer.as_ref().map(|i| i.command_line()),
                requires: runner.and_then(imprint_config::install::runner_source),
            },
            usage_example: example,
            documentation_url: d.homepage.clone(),
        }
    }
}

impl Serialize for ServerDescription {
    /// The definition's fields, then the old ones; the old `transport` object replaces the
    /// definition's transport word (kept as `transport_type`).
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::Error;
        let mut map = match serde_json::to_value(&self.0).map_err(S::Error::custom)? {
            Value::Object(map) => map,
            _ => return Err(S::Error::custom("a server definition is an object")),
        };
        if let Value::Object(extras) =
            serde_json::to_value(self.extras()).map_err(S::Error::custom)?
        {
            map.extend(extras);
        }
        map.serialize(serializer)
    }
}

/// The answer of `register_server`, and of `import_registry_server`: the entry as saved.
#[derive(Debug, Clone, Serialize)]
pub struct ServerRegistered {
    /// Always "registered".
    pub status: &'static str,
    pub server_id: String,
    /// The saved definition, in the shape describe_server shows.
    pub server: Value,
    /// `${secret:NAME}` references of the credentials (header values, secret env defaults)
    /// moved to the encrypted secret store.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub secrets: Vec<String>,
}

/// The answer of `import_registry_server`: the same as a registration.
pub type RegistryServerImported = ServerRegistered;

/// The OS this server runs on, in the old system's words.
fn platform() -> &'static str {
    match std::env::consts::OS {
        "macos" => "macos",
        "windows" => "windows",
        _ => "linux",
    }
}

/// A profile id as a name: "default" → "Default", "work-laptop" → "Work-laptop".
fn display_name(profile_id: &str) -> String {
    let mut chars = profile_id.chars();
    chars.next().map_or_else(String::new, |first| {
        first.to_uppercase().chain(chars).collect()
    })
}

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
            .map(|c| {
                let mut row = c.describe_with_home(Some(self.home_dir()));
                // profiles are read from storage; a store error is logged, not fatal: the
                // list of clients is still right
                let profiles = self.profile_ids(&c.id).unwrap_or_else(|e| {
                    tracing::warn!(client = %c.id, error = %e.chain(), "listing profiles");
                    vec![DEFAULT_PROFILE.to_string()]
                });
                if let Value::Object(map) = &mut row {
                    let location = map.get("config_path").cloned().unwrap_or(Value::Null);
                    map.insert("config_location".into(), location);
                    map.insert("platform".into(), json!(platform()));
                    map.insert("available_profiles".into(), json!(profiles));
                }
                row
            })
            .collect();
        ClientList {
            count: clients.len(),
            clients,
        }
    }

    /// Every profile of a client in storage (one with a draft or a published artifact; a
    /// deployment always has one), plus "default", sorted.
    pub(super) fn profile_ids(&self, client_id: &str) -> ServiceResult<Vec<String>> {
        let prefix = format!("config/{client_id}/");
        let mut names: Vec<String> = self
            .store()
            .documents(&prefix)?
            .into_iter()
            .filter_map(|document| document.strip_prefix(&prefix).map(str::to_string))
            .collect();
        names.push(DEFAULT_PROFILE.to_string());
        names.sort();
        names.dedup();
        Ok(names)
    }

    pub fn list_profiles(&self, request: ListProfiles) -> ServiceResult<ProfileList> {
        let target = request.target()?;
        if !target.is_all() {
            known_client(&target.client_id)?;
        }
        let names = self.profile_ids(&target.client_id)?;
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
            let description = match (&head, drafts.len()) {
                (Some(h), n) => format!(
                    "{} published revision(s), latest {}; {n} draft(s)",
                    h.seq, h.artifact_id
                ),
                (None, 0) => "nothing published and no draft yet".to_string(),
                (None, n) => format!("nothing published yet; {n} draft(s)"),
            };
            let linked_clients = match target.is_all() {
                true => Some(self.linked_clients(&profile_id)?),
                false => None,
            };
            profiles.push(ProfileSummary {
                display_name: display_name(&profile_id),
                description,
                profile_id,
                latest_artifact_id: head.as_ref().map(|h| h.artifact_id.clone()),
                revision_count: head.as_ref().map_or(0, |h| h.seq),
                updated_at: head
                    .as_ref()
                    .map(|h| timestamp::rfc3339_millis(h.created_at)),
                drafts,
                linked_clients,
            });
        }
        Ok(ProfileList {
            client_id: target.client_id,
            count: profiles.len(),
            profiles,
        })
    }

    /// Built-ins overlaid by user-registered entries (a user entry with a built-in id wins).
    pub(super) fn catalog(&self) -> ServiceResult<BTreeMap<String, ServerDefinition>> {
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
                ServiceError::not_found(format!("unknown server '{server_id}'")).with_hint(
                    Hint::text(": ")
                        .verb()
                        .then(" ")
                        .step(NextStep::ListCatalog)
                        .then(" to see the catalog ids, or ")
                        .step(NextStep::RegisterServer)
                        .then(" to add your own"),
                )
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
        let mut transport_counts = BTreeMap::new();
        for server in &servers {
            if let Some(transport) = server["transport"].as_str() {
                *transport_counts.entry(transport.to_string()).or_insert(0) += 1;
            }
        }
        Ok(AvailableServers {
            count: servers.len(),
            servers,
            transport_counts,
            available_transports: vec!["stdio", "http", "sse", "remote"],
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
            ServiceError::invalid(format!("the server definition is malformed: {e}")).with_hint(
                Hint::text("; see ")
                    .step(NextStep::DescribeServer)
                    .then(" for the shape of an entry"),
            )
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

    fn save_definition(&self, mut definition: ServerDefinition) -> ServiceResult<ServerRegistered> {
        definition.check()?;
        let secrets = self.protect_definition(&mut definition)?;
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
            secrets: secrets
                .iter()
                .map(|name| secrets::reference(name))
                .collect(),
        })
    }

    /// Moves the credentials of a catalog entry (header values such as `Authorization`,
    /// `X-Api-Key` or a token-shaped value, and secret env defaults) to the encrypted secret
    /// store, leaving `${secret:NAME}` references, as env values of a draft are. A value that
    /// is a template (`Bearer {api_key}`) is a parameter's, not a secret itself, and stays.
    /// Returns the names of the secrets kept.
    fn protect_definition(&self, definition: &mut ServerDefinition) -> ServiceResult<Vec<String>> {
        let literal = |value: &String| catalog::placeholders(value).is_empty();
        let mut entry = ServerEntry {
            env: Some(Value::Object(
                definition
                    .env_defaults
                    .iter()
                    .filter(|(_, value)| literal(value))
                    .map(|(name, value)| (name.clone(), Value::String(value.clone())))
                    .collect(),
            )),
            headers: Some(Value::Object(
                definition
                    .headers
                    .iter()
                    .filter(|(_, value)| literal(value))
                    .map(|(name, value)| (name.clone(), Value::String(value.clone())))
                    .collect(),
            )),
            ..ServerEntry::default()
        };
        let kept = secrets::protect_entry(
            &definition.server_id,
            &mut entry,
            secrets::Declared {
                env: &definition.secret_env,
            },
            &mut |base, value| self.keep_secret(base, value),
        )?;
        let protected = |from: Option<Value>, into: &mut BTreeMap<String, String>| {
            if let Some(Value::Object(map)) = from {
                for (name, value) in map {
                    if let Value::String(text) = value {
                        into.insert(name, text);
                    }
                }
            }
        };
        protected(entry.env, &mut definition.env_defaults);
        protected(entry.headers, &mut definition.headers);
        Ok(kept)
    }
}
