//! MCP client configuration operations: the catalog, drafts, validate, publish, read,
//! diff, history, rollback, verify, import and deploy.
//!
//! Tool and parameter names follow the earlier Python system (mcp-orchestration) so
//! prompts written for it keep working; its defects are fixed here: drafts persist,
//! parameter defaults apply, the same payload under two profiles keeps two records, and
//! deploy edits only the MCP section of a client's file.
//!
//! Beyond the old system: deploys into every client's own format (JSON, JSONC, TOML, YAML),
//! project-scope files (`project_dir`), secrets kept out of drafts, artifacts and the database
//! (see [`crate::secrets`]; deploy writes the value or the client's own reference), and a
//! status of every client file on the machine ([`Service::get_deployment_status`]).

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use imprint_config::catalog::{self, ServerDefinition};
use imprint_config::clients::{self, ClientSpec, SectionShape};
use imprint_config::{ServerEntry, diff, ids, import, render, secrets, validate};
use imprint_deploy::{
    DeployRequest, DriftRequest, ListAddition, Masking, PreviousDeploy, SectionLayout,
};
use imprint_engine::{canonical, envelope, timestamp};
use imprint_store::{CatalogRow, DeploymentRow, DraftRow, DraftUpdate, RevisionRow, StoreError};
use serde_json::{Map, Value, json};

use crate::error::{ErrorKind, ServiceError, ServiceResult};
use crate::keys::KeyInit;
use crate::{Service, new_id, now_millis};

pub const DEFAULT_CLIENT: &str = "claude-desktop";
pub const DEFAULT_PROFILE: &str = "default";
pub const DEFAULT_DRAFT: &str = "default";

/// Envelope format version, recorded in every artifact's metadata.
pub const ARTIFACT_FORMAT: &str = "imprint.artifact.v1";

/// Optimistic retries for read-modify-write operations whose intent is a patch (add
/// one server, remove one), so a concurrent writer never loses an update.
const MAX_RETRIES: usize = 16;

/// Which draft of which client/profile an operation is about.
#[derive(Debug, Clone)]
pub struct Target {
    pub client_id: String,
    pub profile_id: String,
    pub draft_name: String,
    /// When set (HTTP `If-Match`), a draft write happens only if the draft is still at this
    /// version — checked atomically by the store, never retried.
    pub expected_version: Option<i64>,
}

impl Target {
    /// Fills the documented defaults and validates every identifier before it can reach
    /// a path or a query.
    pub fn new(
        client_id: Option<&str>,
        profile_id: Option<&str>,
        draft_name: Option<&str>,
    ) -> ServiceResult<Self> {
        let client_id = client_id
            .filter(|s| !s.is_empty())
            .unwrap_or(DEFAULT_CLIENT)
            .to_string();
        let profile_id = profile_id
            .filter(|s| !s.is_empty())
            .unwrap_or(DEFAULT_PROFILE)
            .to_string();
        let draft_name = draft_name
            .filter(|s| !s.is_empty())
            .unwrap_or(DEFAULT_DRAFT)
            .to_string();
        ids::validate_id("client_id", &client_id)?;
        ids::validate_id("profile_id", &profile_id)?;
        ids::validate_id("draft_name", &draft_name)?;
        Ok(Self {
            client_id,
            profile_id,
            draft_name,
            expected_version: None,
        })
    }

    /// The same target, writing only while the draft is at `version`.
    pub fn expecting(mut self, version: Option<i64>) -> Self {
        self.expected_version = version;
        self
    }

    /// The error for a draft that moved past the version the caller expected.
    fn stale(&self, current: Option<i64>) -> ServiceError {
        let now = current.map_or_else(
            || "does not exist".to_string(),
            |v| format!("is at version {v}"),
        );
        ServiceError::conflict(format!(
            "draft '{}' of {}/{} {now}, not version {}: read it again, review, and retry with its current version",
            self.draft_name,
            self.client_id,
            self.profile_id,
            self.expected_version.unwrap_or_default()
        ))
        .with_details(json!({"current_version": current}))
    }

    pub fn document(&self) -> String {
        document_key(&self.client_id, &self.profile_id)
    }

    fn client(&self) -> ServiceResult<&'static ClientSpec> {
        known_client(&self.client_id)
    }
}

fn document_key(client_id: &str, profile_id: &str) -> String {
    format!("config/{client_id}/{profile_id}")
}

fn known_client(client_id: &str) -> ServiceResult<&'static ClientSpec> {
    clients::get(client_id).ok_or_else(|| {
        let known: Vec<&str> = clients::all().iter().map(|c| c.id.as_str()).collect();
        ServiceError::not_found(format!(
            "unknown client '{client_id}': use one of {} (list_clients shows them)",
            known.join(", ")
        ))
    })
}

/// A parameter that may arrive as an object or as a JSON string holding one (the old
/// system accepted both; models send both).
pub fn object_param(name: &str, value: Option<Value>) -> ServiceResult<Map<String, Value>> {
    match value {
        None | Some(Value::Null) => Ok(Map::new()),
        Some(Value::Object(map)) => Ok(map),
        Some(Value::String(text)) if text.trim().is_empty() => Ok(Map::new()),
        Some(Value::String(text)) => match serde_json::from_str::<Value>(&text) {
            Ok(Value::Object(map)) => Ok(map),
            Ok(other) => Err(ServiceError::invalid(format!(
                "{name} must be a JSON object like {{\"KEY\": \"value\"}}, got {}",
                imprint_engine::json::kind(&other)
            ))),
            Err(e) => Err(ServiceError::invalid(format!(
                "{name} is not valid JSON ({e}): pass an object like {{\"KEY\": \"value\"}}"
            ))),
        },
        Some(other) => Err(ServiceError::invalid(format!(
            "{name} must be an object (or a JSON string of one), got {}",
            imprint_engine::json::kind(&other)
        ))),
    }
}

/// Parameters of `add_server_to_config`.
#[derive(Debug, Clone, Default)]
pub struct AddServer {
    pub server_id: String,
    pub params: Option<Value>,
    pub env_vars: Option<Value>,
    pub server_name: Option<String>,
}

/// `describe_server`: one catalog entry with its parameters and environment variables.
#[derive(Debug, Clone, Default, serde::Deserialize, serde::Serialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct DescribeServer {
    /// Catalog id, e.g. "filesystem", "github" (list_available_servers shows them).
    pub server_id: String,
}

impl Service {
    // ----- clients and catalog -------------------------------------------------------

    pub fn list_clients(&self) -> Value {
        let clients: Vec<Value> = clients::all()
            .iter()
            .map(|c| c.describe_with_home(Some(self.home_dir())))
            .collect();
        json!({"clients": clients, "count": clients.len()})
    }

    pub fn list_profiles(&self, client_id: Option<&str>) -> ServiceResult<Value> {
        let target = Target::new(client_id, None, None)?;
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
            profiles.push(json!({
                "profile_id": profile_id,
                "latest_artifact_id": head.as_ref().map(|h| h.artifact_id.clone()),
                "revision_count": head.as_ref().map_or(0, |h| h.seq),
                "updated_at": head.as_ref().map(|h| timestamp::rfc3339_millis(h.created_at)),
                "drafts": drafts,
            }));
        }
        Ok(json!({"client_id": target.client_id, "profiles": profiles, "count": profiles.len()}))
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

    fn definition(&self, server_id: &str) -> ServiceResult<ServerDefinition> {
        let mut catalog = self.catalog()?;
        catalog.remove(server_id).ok_or_else(|| {
            ServiceError::not_found(format!(
                "unknown server '{server_id}': call list_available_servers to see the catalog ids, or register_server to add your own"
            ))
        })
    }

    pub fn list_available_servers(
        &self,
        transport_filter: Option<&str>,
        search_query: Option<&str>,
    ) -> ServiceResult<Value> {
        let catalog = self.catalog()?;
        let filter = transport_filter.filter(|s| !s.is_empty());
        let query = search_query.filter(|s| !s.is_empty());
        let servers: Vec<Value> = catalog::search(catalog.values(), filter, query)?
            .into_iter()
            .map(|d| d.summary())
            .collect();
        Ok(json!({
            "servers": servers,
            "count": servers.len(),
            "transport_filter": filter,
            "search_query": query,
        }))
    }

    pub fn describe_server(&self, request: DescribeServer) -> ServiceResult<Value> {
        let server_id = request.server_id.as_str();
        ids::validate_id("server_id", server_id)?;
        let definition = self.definition(server_id)?;
        serde_json::to_value(definition).map_err(|e| ServiceError::internal(e.to_string()))
    }

    /// Adds or replaces a user catalog entry.
    pub fn register_server(&self, definition: Value) -> ServiceResult<Value> {
        let mut definition: ServerDefinition = serde_json::from_value(definition).map_err(|e| {
            ServiceError::invalid(format!(
                "the server definition is malformed: {e}; see describe_server for the shape of an entry"
            ))
        })?;
        definition.source = "user".into();
        self.save_definition(definition)
    }

    /// Registers a server from an official MCP Registry `server.json`.
    pub fn import_registry_server(&self, server_json: Value) -> ServiceResult<Value> {
        let mut definition = catalog::from_registry_server_json(&server_json)?;
        definition.source = "registry".into();
        self.save_definition(definition)
    }

    fn save_definition(&self, definition: ServerDefinition) -> ServiceResult<Value> {
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
        Ok(json!({"status": "registered", "server_id": definition.server_id, "server": value}))
    }

    // ----- drafts --------------------------------------------------------------------

    /// The draft's current version, if it exists (for `If-Match` and `ETag`s).
    pub fn draft_version(&self, target: &Target) -> ServiceResult<Option<i64>> {
        Ok(self.find_draft(target)?.map(|draft| draft.version))
    }

    fn find_draft(&self, target: &Target) -> ServiceResult<Option<DraftRow>> {
        Ok(self
            .store()
            .find_draft(&target.document(), &target.draft_name)?)
    }

    fn draft_or_create(&self, target: &Target) -> ServiceResult<DraftRow> {
        if let Some(draft) = self.find_draft(target)? {
            return Ok(draft);
        }
        let now = now_millis();
        let row = DraftRow {
            id: new_id()?,
            document: target.document(),
            name: target.draft_name.clone(),
            notes: None,
            creator: Some(self.actor().to_string()),
            provisional: false,
            base_seq: self.store().head(&target.document())?.map(|h| h.seq),
            meta: json!({"client_id": target.client_id, "profile_id": target.profile_id}),
            version: 1,
            created_at: now,
            updated_at: now,
        };
        match self.store().create_draft(&row, &[]) {
            Ok(()) => Ok(row),
            // Someone created it between our read and write: use theirs.
            Err(StoreError::Conflict(_)) => self
                .find_draft(target)?
                .ok_or_else(|| ServiceError::internal("draft vanished right after being created")),
            Err(e) => Err(e.into()),
        }
    }

    fn draft_servers(
        &self,
        draft: Option<&DraftRow>,
    ) -> ServiceResult<BTreeMap<String, ServerEntry>> {
        let Some(draft) = draft else {
            return Ok(BTreeMap::new());
        };
        self.store()
            .draft_items(&draft.id)?
            .into_iter()
            .map(|(name, value)| {
                serde_json::from_value::<ServerEntry>(value)
                    .map(|entry| (name.clone(), entry))
                    .map_err(|e| {
                        ServiceError::internal(format!("stored server '{name}' is unreadable: {e}"))
                    })
            })
            .collect()
    }

    /// Applies `items` to the draft, retrying on a concurrent change; `decide` runs on the
    /// freshest draft each time and returns the items to write.
    fn patch_draft<T>(
        &self,
        target: &Target,
        mut decide: impl FnMut(&Service, &DraftRow) -> ServiceResult<(Vec<(String, Option<Value>)>, T)>,
    ) -> ServiceResult<(DraftRow, i64, T)> {
        for _ in 0..MAX_RETRIES {
            let draft = self.draft_or_create(target)?;
            if target.expected_version.is_some_and(|v| v != draft.version) {
                return Err(target.stale(Some(draft.version)));
            }
            let (items, outcome) = decide(self, &draft)?;
            let update = DraftUpdate {
                expected_version: draft.version,
                items,
                now: now_millis(),
                ..Default::default()
            };
            match self.store().update_draft(&draft.id, &update) {
                Ok(version) => return Ok((draft, version, outcome)),
                Err(StoreError::Conflict(_)) if target.expected_version.is_some() => {
                    let current = self.find_draft(target)?.map(|d| d.version);
                    return Err(target.stale(current));
                }
                Err(StoreError::Conflict(_) | StoreError::NotFound) => continue,
                Err(e) => return Err(e.into()),
            }
        }
        Err(ServiceError::conflict(format!(
            "draft '{}' of {}/{} kept changing under concurrent writers; retry",
            target.draft_name, target.client_id, target.profile_id
        )))
    }

    pub fn add_server_to_config(
        &self,
        target: &Target,
        request: AddServer,
    ) -> ServiceResult<Value> {
        ids::validate_id("server_id", &request.server_id)?;
        let client = target.client()?;
        let definition = self.definition(&request.server_id)?;
        let params = object_param("params", request.params)?;
        let env_vars = object_param("env_vars", request.env_vars)?;
        let server_name = request
            .server_name
            .filter(|s| !s.is_empty())
            .unwrap_or_else(|| request.server_id.clone());
        ids::validate_server_name(&server_name)?;
        // references the caller passed (`${secret:NAME}`) must name stored secrets
        let mut referenced = secrets::names_in_value(&Value::Object(env_vars.clone()));
        referenced.extend(secrets::names_in_value(&Value::Object(params.clone())));
        self.require_secrets(&referenced)?;
        let checked = definition.instantiate(&params, &env_vars)?;
        // secret parameters are kept, and built into the entry as references
        let mut kept = Vec::new();
        let mut substitutions = Map::new();
        for param in definition.parameters.iter().filter(|p| p.secret) {
            let text = match checked.params.get(&param.name) {
                Some(Value::String(text)) => text.clone(),
                Some(Value::Number(n)) => n.to_string(),
                _ => continue,
            };
            if secrets::is_plaintext(&text) {
                let base = secrets::base_name(&[&server_name, &param.name]);
                let name = self.keep_secret(&base, &text)?;
                substitutions.insert(param.name.clone(), json!(secrets::reference(&name)));
                kept.push(name);
            }
        }
        let mut entry = if substitutions.is_empty() {
            checked
        } else {
            definition.instantiate_with(&params, &env_vars, &substitutions)?
        };
        if entry.transport.is_remote() && !client.renders_natively(entry.transport) {
            tracing::debug!(client = %client.id, "remote server will be bridged through mcp-remote");
        }
        kept.extend(secrets::protect_entry(
            &server_name,
            &mut entry,
            secrets::Declared {
                env: &definition.secret_env,
            },
            &mut |base, value| self.keep_secret(base, value),
        )?);
        let entry_value =
            serde_json::to_value(&entry).map_err(|e| ServiceError::internal(e.to_string()))?;

        let (draft, version, ()) = self.patch_draft(target, |service, draft| {
            if service.store().draft_item(&draft.id, &server_name)?.is_some() {
                return Err(ServiceError::conflict(format!(
                    "server '{server_name}' is already in draft '{}' of {}/{}: remove it first or pass another server_name",
                    target.draft_name, target.client_id, target.profile_id
                )));
            }
            Ok((vec![(server_name.clone(), Some(entry_value.clone()))], ()))
        })?;
        let count = self.store().draft_item_count(&draft.id)?;
        Ok(json!({
            "status": "added",
            "server_name": server_name,
            "server_id": request.server_id,
            "client_id": target.client_id,
            "profile_id": target.profile_id,
            "draft_name": target.draft_name,
            "server_count": count,
            "draft_version": version,
            "entry": redact_entry(&entry_value),
            "secrets": kept.iter().map(|name| secrets::reference(name)).collect::<Vec<_>>(),
            "message": format!("added '{server_name}' to the draft ({count} server(s)); view_draft_config to review, publish_config when ready"),
        }))
    }

    pub fn remove_server_from_config(
        &self,
        target: &Target,
        server_name: &str,
    ) -> ServiceResult<Value> {
        if server_name.is_empty() {
            return Err(ServiceError::invalid(
                "server_name is required: view_draft_config lists the names in the draft",
            ));
        }
        let (draft, version, ()) = self.patch_draft(target, |service, draft| {
            if service
                .store()
                .draft_item(&draft.id, server_name)?
                .is_none()
            {
                let names: Vec<String> = service
                    .store()
                    .draft_items(&draft.id)?
                    .into_iter()
                    .map(|(k, _)| k)
                    .collect();
                return Err(ServiceError::not_found(format!(
                    "server '{server_name}' is not in draft '{}' of {}/{}; it holds: {}",
                    target.draft_name,
                    target.client_id,
                    target.profile_id,
                    if names.is_empty() {
                        "nothing".to_string()
                    } else {
                        names.join(", ")
                    }
                )));
            }
            Ok((vec![(server_name.to_string(), None)], ()))
        })?;
        let count = self.store().draft_item_count(&draft.id)?;
        Ok(json!({
            "status": "removed",
            "server_name": server_name,
            "client_id": target.client_id,
            "profile_id": target.profile_id,
            "draft_name": target.draft_name,
            "server_count": count,
            "draft_version": version,
        }))
    }

    pub fn view_draft_config(&self, target: &Target) -> ServiceResult<Value> {
        let client = target.client()?;
        let draft = self.find_draft(target)?;
        let servers = self.draft_servers(draft.as_ref())?;
        let payload = render::render(client, &servers);
        let head = self.store().head(&target.document())?;
        let names: Vec<&String> = servers.keys().collect();
        let entries: Vec<Value> = servers
            .iter()
            .map(|(name, entry)| {
                let mut value = serde_json::to_value(entry).unwrap_or(Value::Null);
                if let Value::Object(map) = &mut value {
                    map.insert("server_name".into(), json!(name));
                }
                redact_entry(&value)
            })
            .collect();
        Ok(json!({
            "client_id": target.client_id,
            "profile_id": target.profile_id,
            "draft_name": target.draft_name,
            "exists": draft.is_some(),
            "server_count": servers.len(),
            "server_names": names,
            "servers": entries,
            "payload": redact_payload(client, &payload),
            "draft_version": draft.as_ref().map(|d| d.version),
            "updated_at": draft.as_ref().map(|d| timestamp::rfc3339_millis(d.updated_at)),
            "latest_artifact_id": head.map(|h| h.artifact_id),
        }))
    }

    pub fn clear_draft_config(&self, target: &Target) -> ServiceResult<Value> {
        for _ in 0..MAX_RETRIES {
            let Some(draft) = self.find_draft(target)? else {
                if target.expected_version.is_some() {
                    return Err(target.stale(None));
                }
                return Ok(
                    json!({"status": "cleared", "servers_removed": 0, "client_id": target.client_id, "profile_id": target.profile_id, "draft_name": target.draft_name}),
                );
            };
            if target.expected_version.is_some_and(|v| v != draft.version) {
                return Err(target.stale(Some(draft.version)));
            }
            let removed = self.store().draft_item_count(&draft.id)?;
            let update = DraftUpdate {
                expected_version: draft.version,
                clear_items: true,
                now: now_millis(),
                ..Default::default()
            };
            match self.store().update_draft(&draft.id, &update) {
                Ok(version) => {
                    return Ok(json!({
                        "status": "cleared",
                        "servers_removed": removed,
                        "client_id": target.client_id,
                        "profile_id": target.profile_id,
                        "draft_name": target.draft_name,
                        "draft_version": version,
                    }));
                }
                Err(StoreError::Conflict(_)) if target.expected_version.is_some() => {
                    let current = self.find_draft(target)?.map(|d| d.version);
                    return Err(target.stale(current));
                }
                Err(StoreError::Conflict(_) | StoreError::NotFound) => continue,
                Err(e) => return Err(e.into()),
            }
        }
        Err(ServiceError::conflict(
            "the draft kept changing under concurrent writers; retry",
        ))
    }

    /// All named drafts of a client/profile.
    pub fn list_drafts(
        &self,
        client_id: Option<&str>,
        profile_id: Option<&str>,
    ) -> ServiceResult<Value> {
        let target = Target::new(client_id, profile_id, None)?;
        let document = target.document();
        let mut drafts = Vec::new();
        for draft in self
            .store()
            .list_drafts(&document)?
            .into_iter()
            .filter(|d| d.document == document)
        {
            drafts.push(json!({
                "draft_name": draft.name,
                "server_count": self.store().draft_item_count(&draft.id)?,
                "draft_version": draft.version,
                "creator": draft.creator,
                "created_at": timestamp::rfc3339_millis(draft.created_at),
                "updated_at": timestamp::rfc3339_millis(draft.updated_at),
            }));
        }
        Ok(
            json!({"client_id": target.client_id, "profile_id": target.profile_id, "drafts": drafts, "count": drafts.len()}),
        )
    }

    // ----- validate and publish ------------------------------------------------------

    fn rendered_draft(
        &self,
        target: &Target,
    ) -> ServiceResult<(Option<DraftRow>, BTreeMap<String, ServerEntry>, Value)> {
        let client = target.client()?;
        let draft = self.find_draft(target)?;
        let servers = self.draft_servers(draft.as_ref())?;
        let payload = render::render(client, &servers);
        Ok((draft, servers, payload))
    }

    pub fn validate_config(&self, target: &Target) -> ServiceResult<Value> {
        let (_, _, payload) = self.rendered_draft(target)?;
        let report = validate::validate_payload(&target.client_id, &payload);
        let mut value =
            serde_json::to_value(&report).map_err(|e| ServiceError::internal(e.to_string()))?;
        if let Value::Object(map) = &mut value {
            map.insert("client_id".into(), json!(target.client_id));
            map.insert("profile_id".into(), json!(target.profile_id));
            map.insert("draft_name".into(), json!(target.draft_name));
        }
        Ok(value)
    }

    pub(crate) fn signing_key(&self) -> ServiceResult<imprint_engine::signing::KeyPair> {
        self.inner.keys.load_or_create()
    }

    pub fn publish_config(&self, target: &Target, changelog: Option<&str>) -> ServiceResult<Value> {
        let (draft, servers, payload) = self.rendered_draft(target)?;
        if let Some(expected) = target.expected_version {
            let current = draft.as_ref().map(|d| d.version);
            if current != Some(expected) {
                return Err(target.stale(current));
            }
        }
        let report = validate::validate_payload(&target.client_id, &payload);
        if !report.valid {
            let summary: Vec<String> = report
                .errors
                .iter()
                .map(|issue| format!("{}: {}", issue.code, issue.message))
                .collect();
            let details = serde_json::to_value(&report).unwrap_or(Value::Null);
            return Err(ServiceError::invalid(format!(
                "the draft does not validate, nothing was published: {}",
                summary.join("; ")
            ))
            .with_details(details));
        }
        if let Err(error) = self.require_secrets(&secrets::names_in_value(&payload)) {
            return Err(ServiceError::invalid(format!(
                "the draft refers to a secret that is not stored, nothing was published: {}",
                error.message()
            )));
        }
        let metadata = json!({
            "changelog": changelog.unwrap_or(""),
            "draft_name": target.draft_name,
            "draft_version": draft.as_ref().map(|d| d.version),
            "server_count": servers.len(),
            "warnings": report.warnings.len(),
        });
        let revision = self.append_signed(target, payload, metadata)?;
        Ok(publish_result(target, &revision, "published"))
    }

    /// Builds, signs and appends a revision; retried if another publisher moved the head.
    fn append_signed(
        &self,
        target: &Target,
        payload: Value,
        extra_metadata: Value,
    ) -> ServiceResult<RevisionRow> {
        let key = self.signing_key()?;
        let document = target.document();
        let artifact_id = canonical::artifact_id(&payload);
        for _ in 0..MAX_RETRIES {
            let head = self.store().head(&document)?;
            let seq = head.as_ref().map_or(1, |h| h.seq + 1);
            let now = now_millis();
            let mut metadata = Map::new();
            metadata.insert("format".into(), json!(ARTIFACT_FORMAT));
            metadata.insert(
                "generator".into(),
                json!(concat!("imprint ", env!("CARGO_PKG_VERSION"))),
            );
            metadata.insert("author".into(), json!(self.actor()));
            metadata.insert("sequence".into(), json!(seq));
            metadata.insert(
                "parent_artifact_id".into(),
                json!(head.as_ref().map(|h| h.artifact_id.clone())),
            );
            if let Value::Object(extra) = &extra_metadata {
                metadata.extend(extra.clone());
            }
            let unsigned = json!({
                "artifact_id": artifact_id,
                "client_id": target.client_id,
                "profile_id": target.profile_id,
                "created_at": timestamp::rfc3339_millis(now),
                "payload": payload,
                "signing_key_id": key.key_id(),
                "metadata": metadata,
            });
            let sealed = envelope::seal(unsigned, &key)?;
            let revision = RevisionRow {
                document: document.clone(),
                seq,
                artifact_id: artifact_id.clone(),
                envelope: sealed,
                created_at: now,
            };
            match self.store().append_revision(&revision) {
                Ok(()) => {
                    tracing::info!(document = %document, seq, artifact_id = %artifact_id, "published");
                    return Ok(revision);
                }
                Err(StoreError::Conflict(_)) => continue,
                Err(e) => return Err(e.into()),
            }
        }
        Err(ServiceError::conflict(format!(
            "{document} kept moving under concurrent publishers; retry"
        )))
    }

    // ----- read, verify, diff, history, rollback --------------------------------------

    /// The revision for `artifact_id`, or the head; verified before it is returned.
    fn revision_for(
        &self,
        target: &Target,
        artifact_id: Option<&str>,
    ) -> ServiceResult<RevisionRow> {
        let document = target.document();
        let revision = match artifact_id.filter(|s| !s.is_empty()) {
            Some(id) => {
                check_artifact_id_syntax(id)?;
                self.store().revision_by_artifact(&document, id)?.ok_or_else(|| {
                    ServiceError::not_found(format!(
                        "no artifact {id} for {}/{}: get_config_history lists the published ones",
                        target.client_id, target.profile_id
                    ))
                })?
            }
            None => self.store().head(&document)?.ok_or_else(|| {
                ServiceError::not_found(format!(
                    "nothing published yet for {}/{}: build a draft with add_server_to_config, then publish_config",
                    target.client_id, target.profile_id
                ))
            })?,
        };
        self.verify_revision(&revision)?;
        Ok(revision)
    }

    /// Tampering is reported, never silently served.
    pub(crate) fn verify_revision(&self, revision: &RevisionRow) -> ServiceResult<()> {
        let key_id = envelope::key_id(&revision.envelope)
            .unwrap_or_default()
            .to_string();
        let public = self.inner.keys.public_key(&key_id)?.ok_or_else(|| {
            ServiceError::new(
                ErrorKind::Integrity,
                format!(
                    "artifact {} was signed by key {key_id}, which is not in {}: restore that public key to verify it",
                    revision.artifact_id,
                    self.inner.keys.dir().display()
                ),
            )
        })?;
        envelope::verify(&revision.envelope, &public).map_err(|e| {
            ServiceError::new(
                ErrorKind::Integrity,
                format!(
                    "artifact {} (revision {}) failed verification, refusing to use it: {e}",
                    revision.artifact_id, revision.seq
                ),
            )
        })?;
        if revision.envelope.get("artifact_id").and_then(Value::as_str)
            != Some(revision.artifact_id.as_str())
        {
            return Err(ServiceError::new(
                ErrorKind::Integrity,
                format!(
                    "stored revision {} does not match its envelope's artifact id",
                    revision.seq
                ),
            ));
        }
        Ok(())
    }

    pub fn get_config(&self, target: &Target, artifact_id: Option<&str>) -> ServiceResult<Value> {
        Ok(self.revision_for(target, artifact_id)?.envelope)
    }

    pub fn verify_config(
        &self,
        target: &Target,
        artifact_id: Option<&str>,
    ) -> ServiceResult<Value> {
        let document = target.document();
        let revision = match artifact_id.filter(|s| !s.is_empty()) {
            Some(id) => {
                check_artifact_id_syntax(id)?;
                self.store().revision_by_artifact(&document, id)?
            }
            None => self.store().head(&document)?,
        }
        .ok_or_else(|| {
            ServiceError::not_found(format!(
                "no such artifact for {}/{}",
                target.client_id, target.profile_id
            ))
        })?;
        let payload = revision
            .envelope
            .get("payload")
            .cloned()
            .unwrap_or(Value::Null);
        let recomputed = canonical::artifact_id(&payload);
        let claimed = revision
            .envelope
            .get("artifact_id")
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_string();
        let key_id = envelope::key_id(&revision.envelope)
            .unwrap_or_default()
            .to_string();
        let public = self.inner.keys.public_key(&key_id)?;
        let signature_ok = public
            .as_ref()
            .is_some_and(|key| envelope::verify(&revision.envelope, key).is_ok());
        let id_ok = recomputed == claimed && claimed == revision.artifact_id;
        let valid = id_ok && signature_ok;
        let message = if valid {
            format!("artifact {claimed} is intact and signed by {key_id}")
        } else if public.is_none() {
            format!("the public key {key_id} is not in the keyring: cannot check the signature")
        } else if !id_ok {
            format!("the payload hashes to {recomputed}, not {claimed}: the artifact was altered")
        } else {
            "the signature does not match: the artifact was altered after signing".to_string()
        };
        Ok(json!({
            "valid": valid,
            "artifact_id": claimed,
            "recomputed_artifact_id": recomputed,
            "artifact_id_matches": id_ok,
            "signature_valid": signature_ok,
            "signing_key_id": key_id,
            "key_known": public.is_some(),
            "sequence": revision.seq,
            "message": message,
        }))
    }

    pub fn diff_config(
        &self,
        target: &Target,
        local_artifact_id: Option<&str>,
        local_payload: Option<Value>,
    ) -> ServiceResult<Value> {
        let local_payload = match local_payload {
            Some(Value::String(text)) => serde_json::from_str(&text).map_err(|e| {
                ServiceError::invalid(format!("local_payload is not valid JSON: {e}"))
            })?,
            Some(value) => value,
            None => Value::Null,
        };
        let remote = self.revision_for(target, None)?;
        let remote_payload = remote
            .envelope
            .get("payload")
            .cloned()
            .unwrap_or(Value::Null);

        let local_payload = if local_payload.is_null() {
            let id = local_artifact_id.filter(|s| !s.is_empty()).ok_or_else(|| {
                ServiceError::invalid("pass local_payload (the config you have) or local_artifact_id (an artifact you hold)")
            })?;
            self.revision_for(target, Some(id))?
                .envelope
                .get("payload")
                .cloned()
                .unwrap_or(Value::Null)
        } else {
            if !local_payload.is_object() {
                return Err(ServiceError::invalid(format!(
                    "local_payload must be a JSON object like {{\"mcpServers\": {{…}}}}, got {}",
                    imprint_engine::json::kind(&local_payload)
                )));
            }
            local_payload
        };
        // A payload read from a deployed file holds the secret values where the artifact holds
        // references: where a value is exactly what the reference deploys as, it counts as the
        // reference, so a file deployed from an artifact is up to date with it.
        let mut local_payload = local_payload;
        self.match_references(&mut local_payload, &remote_payload);
        let local_id = canonical::artifact_id(&local_payload);
        let status = if local_id == remote.artifact_id {
            "up-to-date"
        } else if self
            .store()
            .revision_by_artifact(&target.document(), &local_id)?
            .is_some()
        {
            "outdated"
        } else {
            "diverged"
        };
        let mut changes = diff::diff_payloads(&local_payload, &remote_payload);
        redact_changes(&mut changes);
        let message = match status {
            "up-to-date" => "the local config matches the latest published artifact".to_string(),
            "outdated" => "the local config is an older published artifact: deploy_config brings it up to date".to_string(),
            _ => "the local config differs from every published artifact: import_config to adopt it, or deploy_config (force) to replace it".to_string(),
        };
        Ok(json!({
            "status": status,
            "local_artifact_id": local_id,
            "remote_artifact_id": remote.artifact_id,
            "client_id": target.client_id,
            "profile_id": target.profile_id,
            "diff": changes,
            "message": message,
        }))
    }

    /// Replaces, in `local`, each string that equals the deployed form of the string at the
    /// same place in `remote` (which holds `${secret:…}` references) by the remote string.
    fn match_references(&self, local: &mut Value, remote: &Value) {
        match (local, remote) {
            (Value::String(text), Value::String(reference))
                if reference.contains(secrets::REFERENCE_PREFIX) =>
            {
                let deployed =
                    secrets::replace_references(reference, &mut |name| self.reveal_secret(name));
                if deployed.is_ok_and(|deployed| &deployed == text) {
                    *text = reference.clone();
                }
            }
            (Value::Array(local), Value::Array(remote)) => {
                for (l, r) in local.iter_mut().zip(remote) {
                    self.match_references(l, r);
                }
            }
            (Value::Object(local), Value::Object(remote)) => {
                for (key, l) in local.iter_mut() {
                    if let Some(r) = remote.get(key) {
                        self.match_references(l, r);
                    }
                }
            }
            _ => {}
        }
    }

    pub fn get_config_history(
        &self,
        target: &Target,
        limit: Option<usize>,
    ) -> ServiceResult<Value> {
        let limit = limit.unwrap_or(20).clamp(1, 1000);
        let revisions: Vec<Value> = self
            .store()
            .history(&target.document(), limit)?
            .into_iter()
            .map(|revision| {
                let metadata = revision
                    .envelope
                    .get("metadata")
                    .cloned()
                    .unwrap_or(Value::Null);
                json!({
                    "sequence": revision.seq,
                    "artifact_id": revision.artifact_id,
                    "created_at": revision.envelope.get("created_at"),
                    "author": metadata.get("author"),
                    "changelog": metadata.get("changelog"),
                    "server_count": metadata.get("server_count"),
                    "parent_artifact_id": metadata.get("parent_artifact_id"),
                    "rolled_back_to": metadata.get("rolled_back_to"),
                })
            })
            .collect();
        Ok(
            json!({"client_id": target.client_id, "profile_id": target.profile_id, "revisions": revisions, "count": revisions.len()}),
        )
    }

    pub fn rollback_config(
        &self,
        target: &Target,
        artifact_id: &str,
        changelog: Option<&str>,
    ) -> ServiceResult<Value> {
        if artifact_id.is_empty() {
            return Err(ServiceError::invalid(
                "artifact_id is required: get_config_history lists the artifacts to roll back to",
            ));
        }
        let old = self.revision_for(target, Some(artifact_id))?;
        let payload = old.envelope.get("payload").cloned().unwrap_or(Value::Null);
        let changelog = changelog
            .filter(|s| !s.is_empty())
            .map(str::to_string)
            .unwrap_or_else(|| format!("rollback to {artifact_id} (revision {})", old.seq));
        let metadata = json!({
            "changelog": changelog,
            "rolled_back_to": artifact_id,
            "rolled_back_to_sequence": old.seq,
            "server_count": old.envelope.pointer("/metadata/server_count"),
        });
        let revision = self.append_signed(target, payload, metadata)?;
        Ok(publish_result(target, &revision, "rolled_back"))
    }

    // ----- keys ---------------------------------------------------------------------

    pub fn initialize_keys(&self, regenerate: bool) -> ServiceResult<Value> {
        let (key, outcome) = self.inner.keys.initialize(regenerate)?;
        let (status, message) = match outcome {
            KeyInit::Created => (
                "created",
                "created a new Ed25519 signing key pair".to_string(),
            ),
            KeyInit::Existing => (
                "exists",
                "a signing key already exists; pass regenerate=true to rotate it".to_string(),
            ),
            KeyInit::Rotated { previous_key_id } => (
                "regenerated",
                format!(
                    "rotated the signing key; the old public key {previous_key_id} stays in the keyring so old artifacts still verify"
                ),
            ),
        };
        Ok(json!({
            "status": status,
            "key_dir": self.inner.keys.dir(),
            "public_key_path": self.inner.keys.public_path(),
            "private_key_path": self.inner.keys.private_path(),
            "signing_key_id": key.key_id(),
            "message": message,
        }))
    }

    // ----- import and deploy ----------------------------------------------------------

    /// The client's file: its user-scope file, or with `project_dir` its project-scope file.
    fn client_file(
        &self,
        client: &ClientSpec,
        project_dir: Option<&Path>,
    ) -> ServiceResult<(PathBuf, &'static str)> {
        let Some(dir) = project_dir else {
            return Ok((client.config_path(self.home_dir()), "user"));
        };
        if !dir.is_absolute() {
            return Err(ServiceError::invalid(format!(
                "project_dir must be an absolute path, got {}",
                dir.display()
            )));
        }
        if !dir.is_dir() {
            return Err(ServiceError::invalid(format!(
                "project_dir {} is not a directory; pass the root of the project",
                dir.display()
            )));
        }
        let path = client.project_config_path(dir).ok_or_else(|| {
            let with_scope: Vec<&str> = clients::all()
                .iter()
                .filter(|c| c.project_path.is_some())
                .map(|c| c.id.as_str())
                .collect();
            ServiceError::invalid(format!(
                "{} has no project-scope file; leave out project_dir to use {}, or use a client with one ({})",
                client.display_name,
                client.config_path(self.home_dir()).display(),
                with_scope.join(", ")
            ))
        })?;
        Ok((path, "project"))
    }

    /// Reads the servers already in the client's user-scope file into the draft.
    pub fn import_config(&self, target: &Target) -> ServiceResult<Value> {
        self.import_config_from(target, None)
    }

    /// Reads the servers already in the client's file (the project-scope one under
    /// `project_dir`, if given) into the draft. Secret values found in env vars and headers go
    /// to the secret store; the draft gets `${secret:NAME}` references.
    pub fn import_config_from(
        &self,
        target: &Target,
        project_dir: Option<&Path>,
    ) -> ServiceResult<Value> {
        let client = target.client()?;
        let (path, scope) = self.client_file(client, project_dir)?;
        let section = imprint_deploy::read_section(&path, client.format, &client.root_key)?
            .ok_or_else(|| {
                ServiceError::not_found(format!(
                    "{} has no '{}' section to import (is {} installed and configured?)",
                    path.display(),
                    client.root_key,
                    client.display_name
                ))
            })?;
        let mut servers = import::import_section(client, &section)?;
        let mut protected = Vec::new();
        for (name, entry) in servers.iter_mut() {
            protected.extend(secrets::protect_entry(
                name,
                entry,
                secrets::Declared::default(),
                &mut |base, value| self.keep_secret(base, value),
            )?);
        }
        let mut replaced = Vec::new();
        let (draft, version, ()) = self.patch_draft(target, |service, draft| {
            replaced.clear();
            let mut items = Vec::with_capacity(servers.len());
            for (name, entry) in &servers {
                if service.store().draft_item(&draft.id, name)?.is_some() {
                    replaced.push(name.clone());
                }
                let value = serde_json::to_value(entry)
                    .map_err(|e| ServiceError::internal(e.to_string()))?;
                items.push((name.clone(), Some(value)));
            }
            Ok((items, ()))
        })?;
        let imported: Vec<&String> = servers.keys().collect();
        Ok(json!({
            "status": "imported",
            "path": path,
            "scope": scope,
            "client_id": target.client_id,
            "profile_id": target.profile_id,
            "draft_name": target.draft_name,
            "imported": imported,
            "replaced_in_draft": replaced,
            "secrets": protected.iter().map(|name| secrets::reference(name)).collect::<Vec<_>>(),
            "server_count": self.store().draft_item_count(&draft.id)?,
            "draft_version": version,
            "message": format!(
                "imported {} server(s) from {} into the draft{}; publish_config then deploy_config to manage them",
                imported.len(),
                path.display(),
                if protected.is_empty() {
                    String::new()
                } else {
                    format!(" ({} secret value(s) moved to the encrypted secret store)", protected.len())
                }
            ),
        }))
    }

    /// Writes an artifact into the client's user-scope file, secrets as values.
    pub fn deploy_config(
        &self,
        target: &Target,
        artifact_id: Option<&str>,
        force: bool,
    ) -> ServiceResult<Value> {
        self.deploy_config_with(
            target,
            &DeployOptions {
                artifact_id: artifact_id.map(str::to_string),
                force,
                ..DeployOptions::default()
            },
        )
    }

    /// Writes an artifact (default: the latest) into the client's own file, changing only its
    /// MCP section. Secret references become the values, or with [`SecretMode::Reference`]
    /// the client's own reference syntax.
    pub fn deploy_config_with(
        &self,
        target: &Target,
        options: &DeployOptions,
    ) -> ServiceResult<Value> {
        let client = target.client()?;
        let revision = self.revision_for(target, options.artifact_id.as_deref())?;
        let payload = revision
            .envelope
            .get("payload")
            .cloned()
            .unwrap_or(Value::Null);
        let mut section = import::section_of(client, &payload)
            .cloned()
            .unwrap_or_else(|| match client.section {
                SectionShape::Map => json!({}),
                SectionShape::List { .. } => json!([]),
            });
        let (path, scope) = self.client_file(client, options.project_dir.as_deref())?;

        let mut written_secrets: Vec<String> = Vec::new();
        let mut variables: BTreeSet<String> = BTreeSet::new();
        let mut inputs: Vec<Value> = Vec::new();
        match options.secrets {
            SecretMode::Value => {
                secrets::replace_in_value(&mut section, &mut |name| {
                    let value = self.reveal_secret(name)?;
                    written_secrets.push(value.clone());
                    Ok::<_, ServiceError>(value)
                })?;
            }
            SecretMode::Reference => {
                if !secrets::names_in_value(&section).is_empty() {
                    let syntax = client.secret_reference.as_ref().ok_or_else(|| {
                        let with_syntax: Vec<&str> = clients::all()
                            .iter()
                            .filter(|c| c.secret_reference.is_some())
                            .map(|c| c.id.as_str())
                            .collect();
                        ServiceError::invalid(format!(
                            "{} has no syntax of its own for a secret it reads elsewhere; deploy with secrets: \"value\" (clients with one: {})",
                            client.display_name,
                            with_syntax.join(", ")
                        ))
                    })?;
                    secrets::replace_in_value(&mut section, &mut |name| {
                        let variable = secrets::variable_of(name);
                        variables.insert(variable.clone());
                        Ok::<_, ServiceError>(syntax.to(&variable))
                    })?;
                    if syntax.inputs {
                        inputs = variables
                            .iter()
                            .map(|variable| {
                                json!({
                                    "type": "promptString",
                                    "id": variable,
                                    "description": format!("{variable} (asked for by servers imprint deployed)"),
                                    "password": true,
                                })
                            })
                            .collect();
                    }
                }
            }
        }
        // What the user must export for the client: Codex's bearer-token variables, and the
        // variables of references (VS Code asks for its inputs itself).
        let mut environment: BTreeSet<String> = bearer_variables(client, &section);
        if inputs.is_empty() {
            environment.extend(variables.iter().cloned());
        }

        let path_text = path.to_string_lossy().to_string();
        let previous = self
            .store()
            .last_deployment_to(&path_text)?
            .map(|row| PreviousDeploy {
                section: row.section,
                file_sha256: row.file_sha256,
            });
        let fingerprint = self.secret_fingerprint_fn()?;
        if fingerprint.is_none() && !written_secrets.is_empty() {
            return Err(ServiceError::internal(
                "secrets were decrypted but no secret key is loaded",
            ));
        }
        let masking = fingerprint.as_ref().map(|f| Masking {
            values: &written_secrets,
            fingerprint: f,
        });
        let companion = ListAddition {
            key: "inputs",
            id_key: "id",
            items: &inputs,
        };
        let backup_dir = self.data_dir().join("backups").join(&target.client_id);
        let outcome = imprint_deploy::deploy(&DeployRequest {
            path: &path,
            format: client.format,
            root_key: &client.root_key,
            layout: layout_of(client),
            section: &section,
            previous: previous.as_ref(),
            force: options.force,
            backup_dir: &backup_dir,
            masking: masking.as_ref(),
            companion: (!inputs.is_empty()).then_some(&companion),
        })?;
        let now = now_millis();
        self.store().record_deployment(&DeploymentRow {
            document: target.document(),
            path: path_text,
            artifact_id: revision.artifact_id.clone(),
            file_sha256: outcome.file_sha256.clone(),
            section: outcome.section.clone(),
            backup_path: outcome
                .backup_path
                .as_ref()
                .map(|p| p.to_string_lossy().to_string()),
            deployed_at: now,
        })?;
        tracing::info!(
            client = %target.client_id,
            profile = %target.profile_id,
            artifact_id = %revision.artifact_id,
            path = %path.display(),
            scope,
            "deployed"
        );
        let server_count = outcome.added.len() + outcome.updated.len() + outcome.unchanged.len();
        let mut message = format!(
            "wrote {server_count} server(s) into {}; restart {} to load them",
            outcome.path.display(),
            client.display_name
        );
        if !environment.is_empty() {
            let hint = client
                .secret_reference
                .as_ref()
                .map(|r| r.hint.as_str())
                .filter(|h| !h.is_empty())
                .unwrap_or("export them in the environment the client starts in");
            message.push_str(&format!(
                "; it reads {} from its environment: {hint}",
                environment.iter().cloned().collect::<Vec<_>>().join(", ")
            ));
        }
        if !outcome.companion_added.is_empty() {
            message.push_str(&format!(
                "; VS Code will ask for {} the first time a server starts",
                outcome.companion_added.join(", ")
            ));
        }
        Ok(json!({
            "status": "deployed",
            "client_id": target.client_id,
            "profile_id": target.profile_id,
            "artifact_id": revision.artifact_id,
            "sequence": revision.seq,
            "path": outcome.path,
            "scope": scope,
            "created_file": outcome.created,
            "backup_path": outcome.backup_path,
            "file_sha256": outcome.file_sha256,
            "added": outcome.added,
            "updated": outcome.updated,
            "removed": outcome.removed,
            "unchanged": outcome.unchanged,
            "secrets": options.secrets.as_str(),
            "secret_values_written": written_secrets.len(),
            "environment_variables": environment,
            "inputs_added": outcome.companion_added,
            "deployed_at": timestamp::rfc3339_millis(now),
            "message": message,
        }))
    }

    /// What was deployed for a client/profile (its latest deploy, user or project scope), and
    /// whether the file drifted since.
    pub fn deployed_config(&self, target: &Target) -> ServiceResult<Value> {
        let client = target.client()?;
        let Some(row) = self.store().last_deployment(&target.document())? else {
            let path = client.config_path(self.home_dir());
            return Ok(
                json!({"client_id": target.client_id, "profile_id": target.profile_id, "deployed": false, "path": path, "message": "never deployed: deploy_config writes the latest artifact into the client's file"}),
            );
        };
        let previous = PreviousDeploy {
            section: row.section.clone(),
            file_sha256: row.file_sha256.clone(),
        };
        let fingerprint = self.secret_fingerprint_fn()?;
        let masking = fingerprint.as_ref().map(|f| Masking {
            values: &[],
            fingerprint: f,
        });
        let drift = imprint_deploy::drift_with(&DriftRequest {
            path: Path::new(&row.path),
            format: client.format,
            root_key: &client.root_key,
            layout: layout_of(client),
            previous: &previous,
            masking: masking.as_ref(),
        })?;
        let latest = self
            .store()
            .head(&target.document())?
            .map(|h| h.artifact_id);
        Ok(json!({
            "client_id": target.client_id,
            "profile_id": target.profile_id,
            "deployed": true,
            "path": row.path,
            "artifact_id": row.artifact_id,
            "latest_artifact_id": latest,
            "up_to_date": latest.as_deref() == Some(row.artifact_id.as_str()),
            "deployed_at": timestamp::rfc3339_millis(row.deployed_at),
            "file_sha256": row.file_sha256,
            "backup_path": row.backup_path,
            "drift": drift,
        }))
    }

    /// For every client on this machine: its file (user scope, the project scope under
    /// `project_dir` if given, and every project-scope file deployed to before), whether it
    /// exists, the servers in it, which of them Imprint manages, the deployed artifact against
    /// the latest one, and drift.
    pub fn get_deployment_status(&self, project_dir: Option<&Path>) -> ServiceResult<Value> {
        if let Some(dir) = project_dir
            && (!dir.is_absolute() || !dir.is_dir())
        {
            return Err(ServiceError::invalid(format!(
                "project_dir must be an existing directory given as an absolute path, got {}",
                dir.display()
            )));
        }
        let fingerprint = self.secret_fingerprint_fn()?;
        let masking = fingerprint.as_ref().map(|f| Masking {
            values: &[],
            fingerprint: f,
        });
        let mut files = Vec::new();
        let mut seen = BTreeSet::new();
        for client in clients::all() {
            let mut paths = vec![(client.config_path(self.home_dir()), "user")];
            if let Some(dir) = project_dir
                && let Some(path) = client.project_config_path(dir)
            {
                paths.push((path, "project"));
            }
            for (path, scope) in paths {
                seen.insert(path.to_string_lossy().to_string());
                files.push(self.file_status(client, &path, scope, masking.as_ref())?);
            }
        }
        // project-scope files deployed earlier, wherever they are
        for path in self.store().deployment_paths()? {
            if seen.contains(&path) {
                continue;
            }
            let client = self.store().last_deployment_to(&path)?.and_then(|row| {
                row.document
                    .strip_prefix("config/")
                    .and_then(|rest| rest.split('/').next())
                    .and_then(clients::get)
            });
            if let Some(client) = client {
                files.push(self.file_status(
                    client,
                    Path::new(&path),
                    "project",
                    masking.as_ref(),
                )?);
            }
        }
        let count = |state: &str| files.iter().filter(|f| f["state"] == state).count();
        let summary = json!({
            "files_found": files.iter().filter(|f| f["file_found"] == true).count(),
            "in_sync": count("in-sync"),
            "outdated": count("outdated"),
            "drifted": count("drifted"),
            "not_managed": count("not-managed"),
            "unreadable": count("unreadable"),
        });
        let lines: Vec<String> = files
            .iter()
            .filter(|f| f["state"] != "no-file")
            .map(|f| {
                let servers = f["servers"].as_array().map_or(0, Vec::len);
                let unmanaged = f["unmanaged"].as_array().map_or(0, Vec::len);
                let mut line = format!(
                    "{} ({}): {}, {servers} server(s)",
                    f["client_id"].as_str().unwrap_or_default(),
                    f["scope"].as_str().unwrap_or_default(),
                    f["state"].as_str().unwrap_or_default()
                );
                if unmanaged > 0 {
                    line.push_str(&format!(", {unmanaged} not managed by imprint"));
                }
                line
            })
            .collect();
        let message = if lines.is_empty() {
            "no MCP client configuration file found on this machine".to_string()
        } else {
            lines.join("\n")
        };
        Ok(json!({"files": files, "count": files.len(), "summary": summary, "message": message}))
    }

    fn file_status(
        &self,
        client: &ClientSpec,
        path: &Path,
        scope: &str,
        masking: Option<&Masking>,
    ) -> ServiceResult<Value> {
        let file_found = path.is_file();
        let present: Result<Vec<String>, String> =
            match imprint_deploy::read_section(path, client.format, &client.root_key) {
                Ok(Some(raw)) => import::import_section(client, &raw)
                    .map(|servers| servers.into_keys().collect())
                    .map_err(|e| e.to_string()),
                Ok(None) => Ok(Vec::new()),
                Err(e) => Err(e.to_string()),
            };
        let last = self.store().last_deployment_to(&path.to_string_lossy())?;
        let mut managed: Vec<String> = last
            .as_ref()
            .and_then(|row| row.section.as_object())
            .map(|section| section.keys().cloned().collect())
            .unwrap_or_default();
        managed.sort();
        let unmanaged: Vec<String> = present
            .as_ref()
            .map(|names| {
                names
                    .iter()
                    .filter(|n| !managed.contains(n))
                    .cloned()
                    .collect()
            })
            .unwrap_or_default();
        let mut row = json!({
            "client_id": client.id,
            "display_name": client.display_name,
            "scope": scope,
            "path": path,
            "format": client.format,
            "file_found": file_found,
            "servers": present.as_ref().ok(),
            "managed": managed,
            "unmanaged": unmanaged,
            "deployed": Value::Null,
            "latest_artifact_id": Value::Null,
            "up_to_date": Value::Null,
            "drift": Value::Null,
        });
        if let Err(error) = &present {
            row["error"] = json!(error);
        }
        let state = match (&last, &present) {
            (_, Err(_)) => "unreadable",
            (None, _) if !file_found => "no-file",
            (None, _) => "not-managed",
            (Some(deployment), Ok(_)) => {
                let profile_id = deployment
                    .document
                    .rsplit('/')
                    .next()
                    .unwrap_or_default()
                    .to_string();
                let latest = self
                    .store()
                    .head(&deployment.document)?
                    .map(|h| h.artifact_id);
                let up_to_date = latest.as_deref() == Some(deployment.artifact_id.as_str());
                let previous = PreviousDeploy {
                    section: deployment.section.clone(),
                    file_sha256: deployment.file_sha256.clone(),
                };
                let drift = imprint_deploy::drift_with(&DriftRequest {
                    path,
                    format: client.format,
                    root_key: &client.root_key,
                    layout: layout_of(client),
                    previous: &previous,
                    masking,
                });
                row["deployed"] = json!({
                    "profile_id": profile_id,
                    "artifact_id": deployment.artifact_id,
                    "deployed_at": timestamp::rfc3339_millis(deployment.deployed_at),
                });
                row["latest_artifact_id"] = json!(latest);
                row["up_to_date"] = json!(up_to_date);
                match drift {
                    Ok(report) => {
                        let drifted = report.drifted;
                        row["drift"] = json!({"drifted": drifted, "changes": report.changes});
                        if drifted {
                            "drifted"
                        } else if up_to_date {
                            "in-sync"
                        } else {
                            "outdated"
                        }
                    }
                    Err(error) => {
                        row["error"] = json!(error.to_string());
                        "unreadable"
                    }
                }
            }
        };
        row["state"] = json!(state);
        Ok(row)
    }
}

/// How a deploy writes secrets into the client's file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum SecretMode {
    /// The values themselves, decrypted from the secret store.
    #[default]
    Value,
    /// The client's own reference syntax (`${VAR}`, `${env:VAR}`, `${input:ID}`, …): the
    /// client resolves the value itself and the file holds no secret.
    Reference,
}

impl SecretMode {
    /// `"value"` (the default) or `"reference"`.
    pub fn parse(text: Option<&str>) -> ServiceResult<Self> {
        match text.map(str::trim).filter(|t| !t.is_empty()) {
            None | Some("value") | Some("values") => Ok(SecretMode::Value),
            Some("reference") | Some("references") => Ok(SecretMode::Reference),
            Some(other) => Err(ServiceError::invalid(format!(
                "secrets must be \"value\" (write the secret values) or \"reference\" (write the client's own references), got {other:?}"
            ))),
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            SecretMode::Value => "value",
            SecretMode::Reference => "reference",
        }
    }
}

/// Options of [`Service::deploy_config_with`].
#[derive(Debug, Clone, Default)]
pub struct DeployOptions {
    /// The artifact to deploy (default: the latest).
    pub artifact_id: Option<String>,
    /// Deploy over unmanaged servers and drift (a backup keeps what was there).
    pub force: bool,
    /// Deploy into the client's project-scope file under this directory.
    pub project_dir: Option<PathBuf>,
    pub secrets: SecretMode,
}

fn layout_of(client: &ClientSpec) -> SectionLayout<'_> {
    match &client.section {
        SectionShape::Map => SectionLayout::Map,
        SectionShape::List { name_key } => SectionLayout::List { name_key },
    }
}

/// The variables named by a client's bearer-token key (Codex's `bearer_token_env_var`).
fn bearer_variables(client: &ClientSpec, section: &Value) -> BTreeSet<String> {
    let keys: Vec<&String> = [&client.http, &client.sse]
        .into_iter()
        .filter_map(|shape| shape.bearer_env_key.as_ref())
        .collect();
    let entries: Vec<&Value> = match section {
        Value::Object(map) => map.values().collect(),
        Value::Array(items) => items.iter().collect(),
        _ => Vec::new(),
    };
    entries
        .into_iter()
        .flat_map(|entry| {
            keys.iter()
                .filter_map(|key| entry.get(key.as_str()).and_then(Value::as_str))
                .map(str::to_string)
                .collect::<Vec<_>>()
        })
        .collect()
}

fn publish_result(target: &Target, revision: &RevisionRow, status: &str) -> Value {
    let metadata = revision
        .envelope
        .get("metadata")
        .cloned()
        .unwrap_or(Value::Null);
    json!({
        "status": status,
        "artifact_id": revision.artifact_id,
        "sequence": revision.seq,
        "client_id": target.client_id,
        "profile_id": target.profile_id,
        "created_at": revision.envelope.get("created_at"),
        "signing_key_id": revision.envelope.get("signing_key_id"),
        "server_count": metadata.get("server_count"),
        "changelog": metadata.get("changelog"),
        "parent_artifact_id": metadata.get("parent_artifact_id"),
        "message": format!("published revision {} ({}); deploy_config writes it into the client's file", revision.seq, revision.artifact_id),
    })
}

fn check_artifact_id_syntax(id: &str) -> ServiceResult<()> {
    if id.len() == 64
        && id
            .bytes()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
    {
        Ok(())
    } else {
        Err(ServiceError::invalid(format!(
            "artifact_id '{id}' is not a 64-digit lowercase hex SHA-256: copy it from get_config_history"
        )))
    }
}

/// Env and header values are shown as `***` in views (references, which hold no secret, are
/// shown as they are); secrets never reach listings or logs.
fn redact_entry(entry: &Value) -> Value {
    redact_with(entry, &["env", "headers"])
}

fn redact_with(entry: &Value, keys: &[&str]) -> Value {
    let mut entry = entry.clone();
    for key in keys {
        let mut slot = Some(&mut entry);
        for part in key.split('.') {
            slot = slot.and_then(|v| v.get_mut(part));
        }
        if let Some(Value::Object(map)) = slot {
            for value in map.values_mut() {
                if value
                    .as_str()
                    .is_some_and(|s| !s.is_empty() && !s.starts_with("${"))
                {
                    *value = json!("***");
                }
            }
        }
    }
    entry
}

/// A rendered payload with its env and header values redacted, in the client's own keys.
fn redact_payload(client: &ClientSpec, payload: &Value) -> Value {
    let keys = [client.keys.env.as_str(), client.keys.headers.as_str()];
    let mut payload = payload.clone();
    if let Some(section) = payload.get_mut(&client.root_key) {
        match section {
            Value::Object(servers) => {
                for entry in servers.values_mut() {
                    *entry = redact_with(entry, &keys);
                }
            }
            Value::Array(items) => {
                for entry in items.iter_mut() {
                    *entry = redact_with(entry, &keys);
                }
            }
            _ => {}
        }
    }
    payload
}

/// Diff values under env and header keys are redacted like views: a diff of a local file must
/// not echo its secrets.
fn redact_changes(diff: &mut diff::PayloadDiff) {
    const SENSITIVE: [&str; 6] = [
        ".env.",
        ".envs.",
        ".headers.",
        ".http_headers.",
        ".env",
        ".headers",
    ];
    for change in &mut diff.changes {
        if !SENSITIVE.iter().any(|s| change.path.contains(s)) {
            continue;
        }
        for value in [&mut change.before, &mut change.after]
            .into_iter()
            .flatten()
        {
            *value = redact_leaves(value);
        }
    }
}

fn redact_leaves(value: &Value) -> Value {
    match value {
        Value::String(s) if !s.is_empty() && !s.starts_with("${") => json!("***"),
        Value::Object(map) => Value::Object(
            map.iter()
                .map(|(k, v)| (k.clone(), redact_leaves(v)))
                .collect(),
        ),
        other => other.clone(),
    }
}
