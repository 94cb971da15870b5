//! The draft of a client/profile: add and remove servers, view, clear, list the named
//! drafts, validate. Writes are patches retried on a concurrent change, unless the caller
//! names the version it read (`expected_version`, HTTP `If-Match`): then a changed draft is a
//! conflict, never silently overwritten.

use std::collections::BTreeMap;

use imprint_config::redact::{redact_entry, redact_payload};
use imprint_config::validate::ValidationReport;
use imprint_config::{ServerEntry, ids, render, secrets, validate};
use imprint_engine::timestamp;
use imprint_store::{DraftRow, DraftUpdate, ItemAdded, StoreError};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value, json};

use super::Target;
use crate::api::{Flag, JsonObject};
use crate::error::{ServiceError, ServiceResult};
use crate::next::{Draft, Hint, NextStep, ToolWords};
use crate::revisions::MAX_RETRIES;
use crate::{Service, new_id, now_millis};

/// `add_server_to_config`: one catalog server into the draft.
#[derive(Debug, Clone, Default, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct AddServerToConfig {
    /// Catalog id of the server to add, e.g. "filesystem" (list_available_servers shows them).
    pub server_id: String,
    /// The server's parameters, e.g. {"path": "/home/me/Documents"}; defaults apply to the ones you omit (describe_server lists them). An object or a JSON string of one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(with = "JsonObject")]
    pub params: Option<JsonObject>,
    /// Environment variables, e.g. {"GITHUB_PERSONAL_ACCESS_TOKEN": "..."}. Secret values (names with TOKEN, KEY, SECRET, PASSWORD, or declared secret by the server) are stored encrypted and replaced by ${secret:NAME} references; "${secret:NAME}" itself refers to a secret stored with set_secret.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(with = "JsonObject")]
    pub env_vars: Option<JsonObject>,
    /// Name of the entry in the client's config (default: the server_id); use it to add one server twice.
    pub server_name: Option<String>,
    /// With client_id "all": only these linked clients get the server, e.g. ["cursor", "vscode"] (default: every linked client).
    pub clients: Option<Vec<String>>,
    /// With client_id "all": every linked client but these gets the server, e.g. ["goose"].
    pub except: Option<Vec<String>>,
    /// Client id (default "claude-desktop"; "" means the default); "all" means every client linked to the profile (link_clients), with one client-neutral draft.
    pub client_id: Option<String>,
    /// Profile id (default "default"; "" means the default).
    pub profile_id: Option<String>,
    /// Draft name (default "default"; "" means the default).
    pub draft_name: Option<String>,
    /// The draft version you read; the write is refused if the draft changed since.
    #[schemars(range(min = 1))]
    pub expected_version: Option<i64>,
    /// Answer with `draft`, the whole client payload after the add (default true). Pass false in bulk scripts with large drafts: rendering the draft costs time in proportion to its size.
    pub include_draft: Option<Flag>,
}

/// `remove_server_from_config`: one entry out of the draft.
#[derive(Debug, Clone, Default, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RemoveServerFromConfig {
    /// Name of the entry to remove (view_draft_config lists them).
    pub server_name: String,
    /// Client id (default "claude-desktop"; "" means the default); "all" means every client linked to the profile (link_clients), with one client-neutral draft.
    pub client_id: Option<String>,
    /// Profile id (default "default"; "" means the default).
    pub profile_id: Option<String>,
    /// Draft name (default "default"; "" means the default).
    pub draft_name: Option<String>,
    /// The draft version you read; the write is refused if the draft changed since.
    #[schemars(range(min = 1))]
    pub expected_version: Option<i64>,
    /// Answer with `draft`, the whole client payload after the removal (default true). Pass false in bulk scripts with large drafts: rendering the draft costs time in proportion to its size.
    pub include_draft: Option<Flag>,
}

/// `view_draft_config`: the draft, servers redacted, rendered for its client.
#[derive(Debug, Clone, Default, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ViewDraftConfig {
    /// Client id (default "claude-desktop"; "" means the default); "all" means every client linked to the profile (link_clients), with one client-neutral draft.
    pub client_id: Option<String>,
    /// Profile id, e.g. "default", "work" (default "default"; "" means the default).
    pub profile_id: Option<String>,
    /// Name of the draft (default "default"; "" means the default); several named drafts can exist per client/profile.
    pub draft_name: Option<String>,
}

/// `clear_draft_config`: every server out of the draft.
#[derive(Debug, Clone, Default, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ClearDraftConfig {
    /// Client id (default "claude-desktop"; "" means the default); "all" means every client linked to the profile (link_clients), with one client-neutral draft.
    pub client_id: Option<String>,
    /// Profile id, e.g. "default", "work" (default "default"; "" means the default).
    pub profile_id: Option<String>,
    /// Name of the draft (default "default"; "" means the default); several named drafts can exist per client/profile.
    pub draft_name: Option<String>,
    /// The draft version you read; the write is refused if the draft changed since.
    #[schemars(range(min = 1))]
    pub expected_version: Option<i64>,
}

/// `list_config_drafts`: the named drafts of a client/profile.
#[derive(Debug, Clone, Default, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ListConfigDrafts {
    /// Client id (default "claude-desktop"; "" means the default); "all" means every client linked to the profile (link_clients), with one client-neutral draft.
    pub client_id: Option<String>,
    /// Profile id (default "default"; "" means the default).
    pub profile_id: Option<String>,
}

/// `validate_config`: the draft checked against its client's rules.
#[derive(Debug, Clone, Default, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ValidateConfig {
    /// Client id (default "claude-desktop"; "" means the default); "all" means every client linked to the profile (link_clients), with one client-neutral draft.
    pub client_id: Option<String>,
    /// Profile id, e.g. "default", "work" (default "default"; "" means the default).
    pub profile_id: Option<String>,
    /// Name of the draft (default "default"; "" means the default); several named drafts can exist per client/profile.
    pub draft_name: Option<String>,
}

/// The answer of `add_server_to_config`.
#[derive(Debug, Clone, Serialize)]
pub struct ServerAdded {
    /// Always "added".
    pub status: &'static str,
    pub server_name: String,
    pub server_id: String,
    pub client_id: String,
    pub profile_id: String,
    pub draft_name: String,
    /// Servers in the draft after the add.
    pub server_count: usize,
    pub draft_version: i64,
    /// The entry as stored, secret values redacted.
    pub entry: Value,
    /// `${secret:NAME}` references of the values moved to the secret store.
    pub secrets: Vec<String>,
    /// Old catalog parameter names that were accepted and how each was mapped onto the
    /// current entry, e.g. "connection_string -> env DATABASE_URI"; empty when none was used.
    pub aliases_applied: Vec<String>,
    pub message: String,
    /// What can follow, as data: view the draft, publish it (`message` says it in words).
    pub next: Hint,
    /// The old system's `draft`: the whole client payload after the add, in the client's own
    /// format, secret values redacted. Absent when the request set include_draft=false.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub draft: Option<Value>,
}

/// The answer of `remove_server_from_config`.
#[derive(Debug, Clone, Serialize)]
pub struct ServerRemoved {
    /// Always "removed".
    pub status: &'static str,
    pub server_name: String,
    pub client_id: String,
    pub profile_id: String,
    pub draft_name: String,
    pub server_count: usize,
    pub draft_version: i64,
    /// The old system's `draft`: the whole client payload after the removal, in the client's
    /// own format, secret values redacted. Absent when the request set include_draft=false.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub draft: Option<Value>,
}

/// The answer of `view_draft_config`.
#[derive(Debug, Clone, Serialize)]
pub struct DraftConfigView {
    pub client_id: String,
    pub profile_id: String,
    pub draft_name: String,
    /// Whether the draft exists yet (a first add creates it).
    pub exists: bool,
    pub server_count: usize,
    pub server_names: Vec<String>,
    /// The server names, sorted: the old system's `servers` (the same list as `server_names`).
    pub servers: Vec<String>,
    /// Each entry with its `server_name`, secret values redacted, sorted by name.
    pub entries: Vec<Value>,
    /// The old system's `draft`: the draft rendered for its client (what publish_config
    /// signs), secret values redacted.
    pub draft: Value,
    /// The same rendered payload as `draft` (Imprint's earlier name for it).
    pub payload: Value,
    /// With client_id "all" (whose `draft` is the neutral {"servers": {…}}): for each linked
    /// client, the servers and payload it would get and its validation.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub clients: Option<Vec<super::ClientPayload>>,
    pub draft_version: Option<i64>,
    pub updated_at: Option<String>,
    pub latest_artifact_id: Option<String>,
}

/// The answer of `clear_draft_config`.
#[derive(Debug, Clone, Serialize)]
pub struct DraftCleared {
    /// Always "cleared".
    pub status: &'static str,
    pub servers_removed: usize,
    /// The old system's name for `servers_removed`: the servers the draft held before.
    pub previous_count: usize,
    pub client_id: String,
    pub profile_id: String,
    pub draft_name: String,
    /// Absent when there was no draft to clear (none is created for it).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub draft_version: Option<i64>,
}

/// The answer of `list_config_drafts`.
#[derive(Debug, Clone, Serialize)]
pub struct ConfigDrafts {
    pub client_id: String,
    pub profile_id: String,
    pub drafts: Vec<ConfigDraftSummary>,
    pub count: usize,
}

/// One row of [`ConfigDrafts`].
#[derive(Debug, Clone, Serialize)]
pub struct ConfigDraftSummary {
    pub draft_name: String,
    pub server_count: usize,
    pub draft_version: i64,
    pub creator: Option<String>,
    pub created_at: String,
    pub updated_at: String,
}

/// The answer of `validate_config`: the report, then which draft it is about.
#[derive(Debug, Clone, Serialize)]
pub struct ConfigValidation {
    #[serde(flatten)]
    pub report: ValidationReport,
    /// When the check ran (RFC 3339, UTC).
    pub validated_at: String,
    pub client_id: String,
    pub profile_id: String,
    pub draft_name: String,
    /// With client_id "all": each linked client's payload and own report (the report above
    /// joins them, each issue prefixed with its client).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub clients: Option<Vec<super::ClientPayload>>,
}

impl crate::next::Worded for ConfigValidation {
    /// The issues' fixes (add a server, remove some) in `words`, for this draft; with client
    /// "all", each linked client's report too (their fixes change the draft of all).
    fn reword(&mut self, words: &dyn crate::next::Words) {
        let draft = Draft::new(&self.client_id, &self.profile_id, &self.draft_name);
        crate::next::reword_report(&mut self.report, &draft, words);
        for view in self.clients.iter_mut().flatten() {
            crate::next::reword_report(&mut view.validation, &draft, words);
        }
    }
}

super::addressed!(document: ListConfigDrafts);
super::addressed!(draft: ViewDraftConfig, ValidateConfig);
super::addressed!(write: AddServerToConfig, RemoveServerFromConfig, ClearDraftConfig);

impl Service {
    /// The draft's current version, if it exists (for `If-Match` and `ETag`s).
    pub fn draft_version(&self, target: &Target) -> ServiceResult<Option<i64>> {
        Ok(self.find_draft(target)?.map(|draft| draft.version))
    }

    pub(super) fn find_draft(&self, target: &Target) -> ServiceResult<Option<DraftRow>> {
        Ok(self
            .store()
            .find_draft(&target.document(), &target.draft_name)?)
    }

    pub(super) fn draft_or_create(&self, target: &Target) -> ServiceResult<DraftRow> {
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

    pub(super) fn draft_servers(
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
    pub(super) fn patch_draft<T>(
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

    /// Adds the entry `server_name` to the draft (created if missing), retrying on a
    /// concurrent change unless the caller named the version it read; a name already in the
    /// draft is a conflict. Returns the new version and the number of entries.
    fn add_item(
        &self,
        target: &Target,
        server_name: &str,
        entry: &Value,
    ) -> ServiceResult<(i64, usize)> {
        let document = target.document();
        for _ in 0..MAX_RETRIES {
            // The draft is found, checked and written in one store transaction; it is
            // created (and the add retried) only the first time.
            match self.store().add_item_to_named_draft(
                &document,
                &target.draft_name,
                target.expected_version,
                server_name,
                entry,
                now_millis(),
            ) {
                Ok(ItemAdded::Added {
                    version,
                    item_count,
                }) => return Ok((version, item_count)),
                Ok(ItemAdded::KeyTaken) => {
                    return Err(ServiceError::conflict(format!(
                        "server '{server_name}' is already in draft '{}' of {}/{}: remove it first or pass another server_name",
                        target.draft_name, target.client_id, target.profile_id
                    )));
                }
                Err(StoreError::NotFound) => {
                    self.draft_or_create(target)?;
                }
                Err(StoreError::Conflict(_)) if target.expected_version.is_some() => {
                    let current = self.find_draft(target)?.map(|d| d.version);
                    return Err(target.stale(current));
                }
                Err(StoreError::Conflict(_)) => continue,
                Err(e) => return Err(e.into()),
            }
        }
        Err(ServiceError::conflict(format!(
            "draft '{}' of {}/{} kept changing under concurrent writers; retry",
            target.draft_name, target.client_id, target.profile_id
        )))
    }

    pub fn add_server_to_config(&self, request: AddServerToConfig) -> ServiceResult<ServerAdded> {
        let target = &request.target()?;
        if request.server_id.is_empty() {
            return Err(ServiceError::invalid("server_id is required").with_hint(
                Hint::text(": ")
                    .step(NextStep::ListCatalog)
                    .then(" shows the ids"),
            ));
        }
        ids::validate_id("server_id", &request.server_id)?;
        // the neutral draft of "all" has no client of its own
        let client = match target.is_all() {
            true => None,
            false => Some(target.client()?),
        };
        let definition = self.definition(&request.server_id)?;
        let mut params = request.params.unwrap_or_default().into_inner();
        let mut env_vars = request.env_vars.unwrap_or_default().into_inner();
        let include_draft = request.include_draft.is_none_or(|flag| flag.0);
        let aliases = super::aliases::apply(&definition, &mut params, &mut env_vars)?;
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
        aliases.finish(&mut entry);
        if let Some(client) = client
            && entry.transport.is_remote()
            && !client.renders_natively(entry.transport)
        {
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
        let mut entry_value =
            serde_json::to_value(&entry).map_err(|e| ServiceError::internal(e.to_string()))?;
        super::all::scope_entry(
            target,
            &mut entry_value,
            request.clients.as_deref(),
            request.except.as_deref(),
        )?;

        // The key check, the write and the count are one store transaction: this is the hot
        // path, and each separate statement costs SQLite its own read transaction.
        let (version, count) = self.add_item(target, &server_name, &entry_value)?;
        // Rendered after the write, outside the hot path's transaction: O(draft size), so
        // bulk callers can turn it off with include_draft=false.
        let draft = include_draft
            .then(|| self.redacted_draft(target))
            .transpose()?;
        let draft_ref = Draft::new(&target.client_id, &target.profile_id, &target.draft_name);
        let next = Hint::text("; ")
            .step(NextStep::ViewDraft(draft_ref.clone()))
            .then(" to review, ")
            .step(NextStep::Publish(draft_ref))
            .then(" when ready");
        Ok(ServerAdded {
            status: "added",
            message: format!(
                "added '{server_name}' to the draft ({count} server(s)){}",
                next.word(&ToolWords)
            ),
            next,
            server_name,
            server_id: request.server_id,
            client_id: target.client_id.clone(),
            profile_id: target.profile_id.clone(),
            draft_name: target.draft_name.clone(),
            server_count: count,
            draft_version: version,
            entry: redact_entry(&entry_value),
            secrets: kept.iter().map(|name| secrets::reference(name)).collect(),
            aliases_applied: aliases.applied,
            draft,
        })
    }

    pub fn remove_server_from_config(
        &self,
        request: RemoveServerFromConfig,
    ) -> ServiceResult<ServerRemoved> {
        let target = &request.target()?;
        let server_name = request.server_name.as_str();
        if server_name.is_empty() {
            return Err(ServiceError::invalid("server_name is required").with_hint(
                Hint::text(": ")
                    .step(NextStep::ViewDraft(Draft::new(
                        &target.client_id,
                        &target.profile_id,
                        &target.draft_name,
                    )))
                    .then(" lists the names in the draft"),
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
        let rendered = request
            .include_draft
            .is_none_or(|flag| flag.0)
            .then(|| self.redacted_draft(target))
            .transpose()?;
        Ok(ServerRemoved {
            status: "removed",
            server_name: server_name.to_string(),
            client_id: target.client_id.clone(),
            profile_id: target.profile_id.clone(),
            draft_name: target.draft_name.clone(),
            server_count: count,
            draft_version: version,
            draft: rendered,
        })
    }

    /// The draft rendered for its client with secret values redacted: the old `draft` field.
    fn redacted_draft(&self, target: &Target) -> ServiceResult<Value> {
        if target.is_all() {
            return self.neutral_payload(target, true);
        }
        let (_, _, payload) = self.rendered_draft(target)?;
        Ok(redact_payload(target.client()?, &payload))
    }

    pub fn view_draft_config(&self, request: ViewDraftConfig) -> ServiceResult<DraftConfigView> {
        let target = &request.target()?;
        let draft = self.find_draft(target)?;
        let servers = self.draft_servers(draft.as_ref())?;
        let (payload, clients) = match target.is_all() {
            true => (
                self.neutral_payload(target, true)?,
                Some(self.all_client_views(target)?),
            ),
            false => {
                let client = target.client()?;
                (
                    redact_payload(client, &render::render(client, &servers)),
                    None,
                )
            }
        };
        let head = self.store().head(&target.document())?;
        let names: Vec<String> = servers.keys().cloned().collect();
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
        Ok(DraftConfigView {
            client_id: target.client_id.clone(),
            profile_id: target.profile_id.clone(),
            draft_name: target.draft_name.clone(),
            exists: draft.is_some(),
            server_count: servers.len(),
            servers: names.clone(),
            server_names: names,
            entries,
            draft: payload.clone(),
            payload,
            clients,
            draft_version: draft.as_ref().map(|d| d.version),
            updated_at: draft
                .as_ref()
                .map(|d| timestamp::rfc3339_millis(d.updated_at)),
            latest_artifact_id: head.map(|h| h.artifact_id),
        })
    }

    pub fn clear_draft_config(&self, request: ClearDraftConfig) -> ServiceResult<DraftCleared> {
        let target = &request.target()?;
        for _ in 0..MAX_RETRIES {
            let Some(draft) = self.find_draft(target)? else {
                if target.expected_version.is_some() {
                    return Err(target.stale(None));
                }
                return Ok(target.cleared(0, None));
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
                    return Ok(target.cleared(removed, Some(version)));
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
    pub fn list_config_drafts(&self, request: ListConfigDrafts) -> ServiceResult<ConfigDrafts> {
        let target = request.target()?;
        let document = target.document();
        let mut drafts = Vec::new();
        for draft in self
            .store()
            .list_drafts(&document)?
            .into_iter()
            .filter(|d| d.document == document)
        {
            drafts.push(ConfigDraftSummary {
                server_count: self.store().draft_item_count(&draft.id)?,
                draft_name: draft.name,
                draft_version: draft.version,
                creator: draft.creator,
                created_at: timestamp::rfc3339_millis(draft.created_at),
                updated_at: timestamp::rfc3339_millis(draft.updated_at),
            });
        }
        Ok(ConfigDrafts {
            count: drafts.len(),
            client_id: target.client_id,
            profile_id: target.profile_id,
            drafts,
        })
    }

    pub(crate) fn rendered_draft(
        &self,
        target: &Target,
    ) -> ServiceResult<(Option<DraftRow>, BTreeMap<String, ServerEntry>, Value)> {
        let client = target.client()?;
        let draft = self.find_draft(target)?;
        let servers = self.draft_servers(draft.as_ref())?;
        let payload = render::render(client, &servers);
        Ok((draft, servers, payload))
    }

    pub fn validate_config(&self, request: ValidateConfig) -> ServiceResult<ConfigValidation> {
        let target = request.target()?;
        let (report, clients) = match target.is_all() {
            true => {
                let (report, views) = self.validate_all(&target)?;
                (report, Some(views))
            }
            false => {
                let (_, _, payload) = self.rendered_draft(&target)?;
                (
                    validate::validate_payload(&target.client_id, &payload),
                    None,
                )
            }
        };
        Ok(ConfigValidation {
            clients,
            report,
            validated_at: timestamp::rfc3339_millis(now_millis()),
            client_id: target.client_id,
            profile_id: target.profile_id,
            draft_name: target.draft_name,
        })
    }
}

impl Target {
    fn cleared(&self, servers_removed: usize, draft_version: Option<i64>) -> DraftCleared {
        DraftCleared {
            status: "cleared",
            servers_removed,
            previous_count: servers_removed,
            client_id: self.client_id.clone(),
            profile_id: self.profile_id.clone(),
            draft_name: self.draft_name.clone(),
            draft_version,
        }
    }
}

crate::next::worded!(ServerAdded);
