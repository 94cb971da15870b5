//! The client id `all`: one client-neutral set of servers for every client a profile is
//! linked to.
//!
//! The draft of `all` is an ordinary draft (document `config/all/<profile>`) of neutral
//! [`ServerEntry`] items, each optionally limited to some clients (`clients`) or kept off some
//! (`except`). Everything per client is done by the per-client code: rendering and validation
//! per linked client, one transaction appending one signed artifact per client plus one
//! neutral artifact naming them ([`Store::append_revisions`]), and `deploy_config` /
//! `import_config` called once per client, so each file keeps a single deploy's guarantees.
//!
//! The links of a profile live in the metadata of its `all` draft named "default" (no table of
//! their own: they are a property of that draft's document, and travel with it in exports).
//! Without links, a profile is linked to the clients whose user-scope file exists.
//!
//! [`Store::append_revisions`]: imprint_store::Store::append_revisions

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use imprint_config::clients::{self, ClientSpec};
use imprint_config::redact::{redact_entry, redact_payload};
use imprint_config::validate::ValidationReport;
use imprint_config::{ServerEntry, import, render, secrets, validate};
use imprint_store::{DraftRow, DraftUpdate, RevisionRow, StoreError};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value, json};

use super::{ARTIFACT_FORMAT, ConfigPublished, DEFAULT_DRAFT, DeployConfig, ImportConfig, Target};
use crate::error::{ServiceError, ServiceResult};
use crate::next::{Draft, Hint, NextStep, ToolWords};
use crate::revisions::{MAX_RETRIES, NewRevision};
use crate::{Service, now_millis};

/// The client id that addresses every client linked to a profile.
pub const ALL_CLIENTS: &str = "all";

impl Target {
    /// Whether this target is the neutral draft of every linked client.
    pub fn is_all(&self) -> bool {
        self.client_id == ALL_CLIENTS
    }
}

/// Whether a request's `client_id` is `all`.
pub fn addresses_all(client_id: Option<&str>) -> bool {
    client_id == Some(ALL_CLIENTS)
}

/// `link_clients`: the clients a profile's `all` draft publishes and deploys to. The first
/// link replaces the clients detected on this machine; later ones add to the links.
#[derive(Debug, Clone, Default, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct LinkClients {
    /// Client ids to link, e.g. ["cursor", "vscode", "codex"] (list_clients shows them).
    pub clients: Vec<String>,
    /// Profile id (default "default"; "" means the default).
    pub profile_id: Option<String>,
}

/// `unlink_clients`: clients no longer published and deployed to by the profile's `all` draft.
#[derive(Debug, Clone, Default, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct UnlinkClients {
    /// Client ids to unlink, e.g. ["goose"].
    pub clients: Vec<String>,
    /// Profile id (default "default"; "" means the default).
    pub profile_id: Option<String>,
}

/// The answer of `link_clients` and `unlink_clients`.
#[derive(Debug, Clone, Serialize)]
pub struct ClientsLinked {
    /// "linked" or "unlinked".
    pub status: &'static str,
    pub profile_id: String,
    /// The clients `client_id="all"` now addresses, sorted.
    pub linked_clients: Vec<String>,
    pub message: String,
}

/// The clients of a profile's `all` draft and where the list comes from.
#[derive(Debug, Clone, Serialize)]
pub struct Links {
    /// Sorted client ids.
    pub clients: Vec<String>,
    /// "linked" (set with link_clients) or "detected" (the clients whose user-scope file
    /// exists on this machine).
    pub source: &'static str,
}

/// One linked client's view of the neutral draft: what it would get and whether it is valid.
#[derive(Debug, Clone, Serialize)]
pub struct ClientPayload {
    pub client_id: String,
    /// Servers this client gets (after `clients`/`except`), sorted.
    pub servers: Vec<String>,
    /// Servers kept off this client by `clients`/`except`, sorted.
    pub skipped: Vec<String>,
    /// The payload in the client's own format, secret values redacted.
    pub payload: Value,
    /// This client's validation; an issue names the server it is about.
    pub validation: ValidationReport,
}

/// One client's artifact of a publish of `all`.
#[derive(Debug, Clone, Serialize)]
pub struct ClientArtifact {
    pub client_id: String,
    pub artifact_id: String,
    pub sequence: i64,
    pub server_count: usize,
}

/// One client's outcome of `deploy_config(client_id="all")`.
#[derive(Debug, Clone, Serialize)]
pub struct ClientDeployOutcome {
    pub client_id: String,
    /// "deployed" (the file was changed), "up_to_date" (it already held the artifact),
    /// "refused" (nothing was written to it; `reason` says why, `next` what to do) or, with
    /// project_dir, "skipped" (the client has no project-scope file; `reason` says so).
    pub outcome: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub path: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub artifact_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub backup_path: Option<String>,
    pub added: Vec<String>,
    pub updated: Vec<String>,
    pub removed: Vec<String>,
    /// Why the deploy was refused: the single deploy's error code and message.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub code: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    /// What can follow for this client, as data (a refusal's fix).
    pub next: Hint,
}

/// The answer of `deploy_config(client_id="all")`.
#[derive(Debug, Clone, Serialize)]
pub struct AllDeployed {
    /// "deployed" (every client deployed or up to date) or "partial" (some refused).
    pub status: &'static str,
    pub client_id: &'static str,
    pub profile_id: String,
    /// The neutral artifact whose client artifacts were deployed.
    pub artifact_id: String,
    pub deployed: usize,
    pub up_to_date: usize,
    pub refused: usize,
    /// With project_dir: linked clients without a project-scope file, left alone.
    pub skipped: usize,
    pub clients: Vec<ClientDeployOutcome>,
    pub message: String,
    /// What can follow, as data: deploy again after fixing a refusal.
    pub next: Hint,
}

/// A server found under one name with different settings in two or more clients' files.
#[derive(Debug, Clone, Serialize)]
pub struct ImportConflict {
    pub server_name: String,
    /// Each client's version of the server (command/args, URL, env names), secrets redacted.
    pub versions: BTreeMap<String, Value>,
}

/// The answer of `import_config(client_id="all")`.
#[derive(Debug, Clone, Serialize)]
pub struct AllImported {
    /// Always "imported".
    pub status: &'static str,
    pub client_id: &'static str,
    pub profile_id: String,
    pub draft_name: String,
    /// The clients whose files were read, and the servers in each.
    pub read: BTreeMap<String, Vec<String>>,
    /// Linked clients with no file or no MCP section, sorted.
    pub no_file: Vec<String>,
    /// With project_dir: linked clients without a project-scope file, each with the reason.
    pub skipped: BTreeMap<String, String>,
    /// Servers written to the neutral draft, sorted.
    pub imported: Vec<String>,
    /// Servers not imported because the clients disagree about them; nothing was guessed.
    pub conflicts: Vec<ImportConflict>,
    pub secrets: Vec<String>,
    pub server_count: usize,
    pub draft_version: Option<i64>,
    pub message: String,
    /// What can follow, as data: publish, then deploy.
    pub next: Hint,
}

/// One linked client's place against the latest publish of `all`.
#[derive(Debug, Clone, Serialize)]
pub struct ClientStep {
    pub client_id: String,
    pub path: String,
    /// "in_step" (its file holds the client's artifact of the latest publish), "behind" (an
    /// older one, or none yet), "drifted" (edited since the last deploy), "not_published"
    /// (the latest publish has no artifact for it: linked after it) or "unreadable".
    pub state: &'static str,
    pub deployed_artifact_id: Option<String>,
    pub latest_artifact_id: Option<String>,
    pub drift: Vec<String>,
}

/// The answer of `profile_status`: a profile of `all` against its linked clients' files.
#[derive(Debug, Clone, Serialize)]
pub struct ProfileStatus {
    pub profile_id: String,
    pub linked: Links,
    /// The latest neutral artifact, if published.
    pub latest_artifact_id: Option<String>,
    pub clients: Vec<ClientStep>,
    pub in_step: usize,
    pub behind: usize,
    pub drifted: usize,
    pub message: String,
}

/// `profile_status`: which linked clients are in step with the latest publish of `all`.
#[derive(Debug, Clone, Default, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct GetProfileStatus {
    /// Profile id (default "default"; "" means the default).
    pub profile_id: Option<String>,
}

/// The `clients` / `except` of a neutral entry: which linked clients get it.
#[derive(Debug, Clone, Default, PartialEq)]
pub(super) struct Scope {
    only: Option<Vec<String>>,
    except: Vec<String>,
}

impl Scope {
    pub(super) fn of(item: &Value) -> Scope {
        let list = |key: &str| {
            item.get(key).and_then(Value::as_array).map(|values| {
                values
                    .iter()
                    .filter_map(Value::as_str)
                    .map(str::to_string)
                    .collect::<Vec<_>>()
            })
        };
        Scope {
            only: list("clients"),
            except: list("except").unwrap_or_default(),
        }
    }

    pub(super) fn includes(&self, client_id: &str) -> bool {
        self.only
            .as_ref()
            .is_none_or(|only| only.iter().any(|c| c == client_id))
            && !self.except.iter().any(|c| c == client_id)
    }
}

/// Checks a `clients`/`except` list of `add_server_to_config` and writes it onto the stored
/// entry; only the draft of `all` takes them.
pub(super) fn scope_entry(
    target: &Target,
    entry: &mut Value,
    only: Option<&[String]>,
    except: Option<&[String]>,
) -> ServiceResult<()> {
    if only.is_none() && except.is_none() {
        return Ok(());
    }
    if !target.is_all() {
        return Err(ServiceError::invalid(format!(
            "clients and except choose among the clients of client_id \"all\"; the draft of {} is for that client only: leave them out, or add to client_id \"all\"",
            target.client_id
        )));
    }
    if only.is_some_and(<[String]>::is_empty) {
        return Err(ServiceError::invalid(
            "clients is empty, so no client would get the server: name at least one client, or leave clients out for every linked client",
        ));
    }
    for (name, list) in [("clients", only), ("except", except)] {
        for id in list.unwrap_or_default() {
            super::known_client(id)
                .map_err(|e| ServiceError::invalid(format!("{name}: {}", e.message())))?;
        }
        if let (Some(list), Value::Object(map)) = (list, &mut *entry) {
            map.insert(name.into(), json!(list));
        }
    }
    Ok(())
}

/// One linked client's view of the draft, and its payload unredacted (what is signed).
pub(super) type Rendered = (ClientPayload, Value);

/// A neutral draft's items by name: the entry, who gets it, and the item as stored.
pub(super) type NeutralItems = BTreeMap<String, (ServerEntry, Scope, Value)>;

pub(super) fn sorted(ids: impl IntoIterator<Item = String>) -> Vec<String> {
    ids.into_iter()
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect()
}

impl Service {
    fn all_target(&self, profile_id: Option<&str>) -> ServiceResult<Target> {
        Target::new(Some(ALL_CLIENTS), profile_id, None)
    }

    /// The clients `all` addresses for a profile: its links, or the clients whose user-scope
    /// file exists on this machine.
    pub fn linked_clients(&self, profile_id: &str) -> ServiceResult<Links> {
        let target = self.all_target(Some(profile_id))?;
        let stored = self
            .find_draft(&target)?
            .and_then(|draft| draft.meta.get("linked_clients").cloned());
        if let Some(Value::Array(ids)) = stored {
            return Ok(Links {
                clients: sorted(ids.iter().filter_map(Value::as_str).map(str::to_string)),
                source: "linked",
            });
        }
        Ok(Links {
            clients: sorted(
                clients::all()
                    .iter()
                    .filter(|c| c.config_path(self.home_dir()).is_file())
                    .map(|c| c.id.clone()),
            ),
            source: "detected",
        })
    }

    pub(super) fn linked_specs(&self, profile_id: &str) -> ServiceResult<Vec<&'static ClientSpec>> {
        self.linked_clients(profile_id)?
            .clients
            .iter()
            .map(|id| super::known_client(id))
            .collect()
    }

    pub fn link_clients(&self, request: LinkClients) -> ServiceResult<ClientsLinked> {
        self.change_links(request.profile_id.as_deref(), &request.clients, true)
    }

    pub fn unlink_clients(&self, request: UnlinkClients) -> ServiceResult<ClientsLinked> {
        self.change_links(request.profile_id.as_deref(), &request.clients, false)
    }

    fn change_links(
        &self,
        profile_id: Option<&str>,
        ids: &[String],
        link: bool,
    ) -> ServiceResult<ClientsLinked> {
        let target = self.all_target(profile_id)?;
        if ids.is_empty() {
            return Err(ServiceError::invalid(
                "clients is required: name one or more client ids, e.g. [\"cursor\", \"vscode\"]",
            )
            .with_hint(
                Hint::text(" (")
                    .step(NextStep::ListClients)
                    .then(" shows them)"),
            ));
        }
        for id in ids {
            if id == ALL_CLIENTS {
                return Err(ServiceError::invalid(
                    "\"all\" is not a client: name the clients to link, e.g. [\"cursor\", \"vscode\"]",
                ));
            }
            super::known_client(id)?;
        }
        for _ in 0..MAX_RETRIES {
            // The first link replaces the detected clients (the caller names the set it
            // wants); an unlink removes from whatever the profile addresses now.
            let current = match self.linked_clients(&target.profile_id)? {
                links if links.source == "detected" && link => Vec::new(),
                links => links.clients,
            };
            let draft = self.draft_or_create(&target)?;
            let mut next: BTreeSet<String> = current.into_iter().collect();
            for id in ids {
                if link {
                    next.insert(id.clone());
                } else {
                    next.remove(id);
                }
            }
            let mut meta = match draft.meta.clone() {
                Value::Object(map) => map,
                _ => Map::new(),
            };
            meta.insert("linked_clients".into(), json!(next));
            let update = DraftUpdate {
                expected_version: draft.version,
                meta: Some(Value::Object(meta)),
                now: now_millis(),
                ..Default::default()
            };
            match self.store().update_draft(&draft.id, &update) {
                Ok(_) => {
                    let linked: Vec<String> = next.into_iter().collect();
                    let status = if link { "linked" } else { "unlinked" };
                    return Ok(ClientsLinked {
                        status,
                        message: format!(
                            "profile {} now addresses {} with client \"all\"",
                            target.profile_id,
                            if linked.is_empty() {
                                "no client".to_string()
                            } else {
                                linked.join(", ")
                            }
                        ),
                        profile_id: target.profile_id,
                        linked_clients: linked,
                    });
                }
                Err(StoreError::Conflict(_) | StoreError::NotFound) => continue,
                Err(e) => return Err(e.into()),
            }
        }
        Err(ServiceError::conflict(
            "the profile's links kept changing under concurrent writers; retry",
        ))
    }

    /// The neutral draft's items with their `clients`/`except`.
    pub(super) fn neutral_items(
        &self,
        target: &Target,
    ) -> ServiceResult<(Option<DraftRow>, NeutralItems)> {
        let draft = self.find_draft(target)?;
        let mut items = BTreeMap::new();
        if let Some(draft) = &draft {
            for (name, value) in self.store().draft_items(&draft.id)? {
                let entry = serde_json::from_value::<ServerEntry>(value.clone()).map_err(|e| {
                    ServiceError::internal(format!("stored server '{name}' is unreadable: {e}"))
                })?;
                items.insert(name, (entry, Scope::of(&value), value));
            }
        }
        Ok((draft, items))
    }

    /// The neutral payload: `{"servers": {name: entry}}` (entries with `clients`/`except`).
    pub(super) fn neutral_payload(&self, target: &Target, redact: bool) -> ServiceResult<Value> {
        let (_, items) = self.neutral_items(target)?;
        let servers: Map<String, Value> = items
            .into_iter()
            .map(|(name, (_, _, value))| {
                let value = if redact { redact_entry(&value) } else { value };
                (name, value)
            })
            .collect();
        Ok(json!({ "servers": servers }))
    }

    /// Each linked client's payload of the neutral draft, rendered and validated.
    fn client_payloads(&self, target: &Target) -> ServiceResult<(Option<DraftRow>, Vec<Rendered>)> {
        let (draft, items) = self.neutral_items(target)?;
        let out = self
            .linked_specs(&target.profile_id)?
            .into_iter()
            .map(|client| render_client(client, &items))
            .collect();
        Ok((draft, out))
    }

    /// `view_draft_config(client_id="all")`'s per-client part.
    pub(super) fn all_client_views(&self, target: &Target) -> ServiceResult<Vec<ClientPayload>> {
        Ok(self
            .client_payloads(target)?
            .1
            .into_iter()
            .map(|(view, _)| view)
            .collect())
    }

    /// `validate_config(client_id="all")`: one report over every linked client, each issue
    /// prefixed with the client it is about, and each client's own report.
    pub(super) fn validate_all(
        &self,
        target: &Target,
    ) -> ServiceResult<(ValidationReport, Vec<ClientPayload>)> {
        let views = self.all_client_views(target)?;
        Ok((combined_report(target, &views), views))
    }

    /// `publish_config(client_id="all")`: one signed artifact per linked client and one
    /// neutral artifact naming them, appended in one transaction; nothing when any client's
    /// validation fails.
    pub(super) fn publish_all(
        &self,
        target: &Target,
        changelog: Option<&str>,
    ) -> ServiceResult<ConfigPublished> {
        let (draft, payloads) = self.client_payloads(target)?;
        if let Some(expected) = target.expected_version {
            let current = draft.as_ref().map(|d| d.version);
            if current != Some(expected) {
                return Err(target.stale(current));
            }
        }
        let views: Vec<ClientPayload> = payloads.iter().map(|(v, _)| v.clone()).collect();
        let report = combined_report(target, &views);
        if !report.valid {
            // Worded per surface like a single client's refusal; the details stay per client.
            return Err(crate::error::does_not_validate(
                "the draft of all does not validate for every linked client, nothing was published: ",
                &report,
                &Draft::new(&target.client_id, &target.profile_id, &target.draft_name),
            )
            .with_details(json!({"clients": views})));
        }
        let neutral = self.neutral_payload(target, false)?;
        if let Err(error) = self.require_secrets(&secrets::names_in_value(&neutral)) {
            // Its hint kept, so each surface names its own way to store the secret.
            return Err(error.told_after(
                crate::error::ErrorKind::InvalidInput,
                "the draft refers to a secret that is not stored, nothing was published: ",
            ));
        }
        let server_count = neutral["servers"].as_object().map_or(0, Map::len);
        let metadata = |count: usize| {
            let mut extra = Map::new();
            extra.insert("changelog".into(), json!(changelog.unwrap_or("")));
            extra.insert("draft_name".into(), json!(target.draft_name));
            extra.insert(
                "draft_version".into(),
                json!(draft.as_ref().map(|d| d.version)),
            );
            extra.insert("server_count".into(), json!(count));
            extra
        };
        let per_client = payloads
            .into_iter()
            .map(|(view, payload)| (view.client_id, payload, view.servers.len()))
            .collect();
        let (neutral_row, artifacts) =
            self.append_all(target, per_client, neutral, server_count, &metadata)?;
        Ok(all_published(target, &neutral_row, artifacts, "published"))
    }

    /// `rollback_config(client_id="all")`: the earlier neutral artifact and the client
    /// artifacts it names, published again as the heads, in one transaction.
    pub(super) fn rollback_all(
        &self,
        target: &Target,
        artifact_id: &str,
        changelog: Option<&str>,
    ) -> ServiceResult<ConfigPublished> {
        let old = self.revision_for(target, Some(artifact_id))?;
        let (_, named) = self.published_clients(target, Some(artifact_id))?;
        let mut per_client = Vec::new();
        for (client_id, client_artifact) in &named {
            let client_target = Target::new(Some(client_id), Some(&target.profile_id), None)?;
            let revision = self.revision_for(&client_target, Some(client_artifact))?;
            let payload = revision
                .envelope
                .get("payload")
                .cloned()
                .unwrap_or_default();
            let count = revision
                .envelope
                .pointer("/metadata/server_count")
                .and_then(Value::as_u64)
                .unwrap_or_default() as usize;
            per_client.push((client_id.clone(), payload, count));
        }
        let mut neutral = old.envelope.get("payload").cloned().unwrap_or_default();
        if let Value::Object(map) = &mut neutral {
            map.remove("clients");
        }
        let server_count = neutral["servers"].as_object().map_or(0, Map::len);
        let changelog = changelog
            .filter(|s| !s.is_empty())
            .map(str::to_string)
            .unwrap_or_else(|| format!("rollback to {artifact_id} (revision {})", old.seq));
        let metadata = |count: usize| {
            let mut extra = Map::new();
            extra.insert("changelog".into(), json!(changelog));
            extra.insert("rolled_back_to".into(), json!(artifact_id));
            extra.insert("rolled_back_to_sequence".into(), json!(old.seq));
            extra.insert("server_count".into(), json!(count));
            extra
        };
        let (neutral_row, artifacts) =
            self.append_all(target, per_client, neutral, server_count, &metadata)?;
        Ok(all_published(
            target,
            &neutral_row,
            artifacts,
            "rolled_back",
        ))
    }

    /// Signs one revision per client and the neutral one naming them, and appends them all
    /// in one store transaction, rebuilt when another publisher moved a head first.
    fn append_all(
        &self,
        target: &Target,
        per_client: Vec<(String, Value, usize)>,
        neutral: Value,
        server_count: usize,
        metadata: &dyn Fn(usize) -> Map<String, Value>,
    ) -> ServiceResult<(RevisionRow, Vec<ClientArtifact>)> {
        let key = self.signing_key()?;
        for _ in 0..MAX_RETRIES {
            let now = now_millis();
            let mut rows = Vec::new();
            let mut artifacts = Vec::new();
            let mut named = Map::new();
            for (client_id, payload, count) in &per_client {
                let client_target = Target::new(
                    Some(client_id),
                    Some(&target.profile_id),
                    Some(&target.draft_name),
                )?;
                let mut extra = metadata(*count);
                extra.insert("published_with".into(), json!(target.document()));
                let row = self.sealed_next(&key, &client_target, payload.clone(), &extra, now)?;
                named.insert(client_id.clone(), json!(row.artifact_id));
                artifacts.push(ClientArtifact {
                    client_id: client_id.clone(),
                    artifact_id: row.artifact_id.clone(),
                    sequence: row.seq,
                    server_count: *count,
                });
                rows.push(row);
            }
            let mut neutral_payload = neutral.clone();
            neutral_payload["clients"] = Value::Object(named);
            let neutral_row =
                self.sealed_next(&key, target, neutral_payload, &metadata(server_count), now)?;
            rows.push(neutral_row.clone());
            match self.store().append_revisions(&rows) {
                Ok(()) => {
                    tracing::info!(document = %target.document(), clients = artifacts.len(), seq = neutral_row.seq, "published to every linked client");
                    return Ok((neutral_row, artifacts));
                }
                Err(StoreError::Conflict(_)) => continue,
                Err(e) => return Err(e.into()),
            }
        }
        Err(ServiceError::conflict(format!(
            "{} kept moving under concurrent writers; retry",
            target.document()
        )))
    }

    /// The signed revision that would follow `target`'s head.
    fn sealed_next(
        &self,
        key: &imprint_engine::signing::KeyPair,
        target: &Target,
        payload: Value,
        extra: &Map<String, Value>,
        now: i64,
    ) -> ServiceResult<RevisionRow> {
        let document = target.document();
        let head = self.store().head(&document)?;
        let seq = head.as_ref().map_or(1, |h| h.seq + 1);
        let mut address = Map::new();
        address.insert("client_id".into(), json!(target.client_id));
        address.insert("profile_id".into(), json!(target.profile_id));
        let (artifact_id, envelope) = self.seal_revision(
            key,
            payload,
            NewRevision {
                address,
                format: ARTIFACT_FORMAT,
                seq,
                parent_artifact_id: head.map(|h| h.artifact_id),
                extra,
                now,
            },
        )?;
        Ok(RevisionRow {
            document,
            seq,
            artifact_id,
            envelope,
            created_at: now,
        })
    }

    /// The client artifacts the latest (or a given) neutral artifact names.
    pub(super) fn published_clients(
        &self,
        target: &Target,
        artifact_id: Option<&str>,
    ) -> ServiceResult<(String, BTreeMap<String, String>)> {
        let revision = self.revision_for(target, artifact_id)?;
        let named = revision
            .envelope
            .pointer("/payload/clients")
            .and_then(Value::as_object)
            .map(|map| {
                map.iter()
                    .filter_map(|(k, v)| Some((k.clone(), v.as_str()?.to_string())))
                    .collect()
            })
            .unwrap_or_default();
        Ok((revision.artifact_id, named))
    }

    /// A `project_dir` of `all` ("" means none): absolute and an existing directory, checked
    /// once for every client.
    fn all_project_dir(&self, dir: Option<&str>) -> ServiceResult<Option<PathBuf>> {
        let Some(dir) = dir.filter(|d| !d.trim().is_empty()).map(PathBuf::from) else {
            return Ok(None);
        };
        if !dir.is_absolute() || !dir.is_dir() {
            return Err(ServiceError::invalid(format!(
                "project_dir must be an existing directory given as an absolute path, got {}: pass the root of the project",
                dir.display()
            )));
        }
        Ok(Some(dir))
    }

    /// `deploy_config(client_id="all")`: every linked client's file written by the single
    /// deploy, each answered on its own; one client's refusal never undoes another's write.
    pub fn deploy_all(&self, request: DeployConfig) -> ServiceResult<AllDeployed> {
        let target = &self.all_target(request.profile_id.as_deref())?;
        let project_dir = self.all_project_dir(request.project_dir.as_deref())?;
        if let Some(dir) = &project_dir {
            // refused as a whole before any client's file is touched
            let allow_any_dir = request.allow_any_dir.is_some_and(|flag| flag.0);
            crate::paths::check_project_dir(dir, self.home_dir(), allow_any_dir)?;
        }
        let (neutral_id, named) = self.published_clients(target, request.artifact_id.as_deref())?;
        let mut outcomes = Vec::new();
        for client_id in self.linked_clients(&target.profile_id)?.clients {
            if let Some(reason) = no_project_file(&client_id, project_dir.as_deref())? {
                outcomes.push(ClientDeployOutcome::skipped(&client_id, reason));
                continue;
            }
            let Some(artifact_id) = named.get(&client_id) else {
                let next = Hint::text("; ").step(NextStep::Publish(Draft::new(
                    ALL_CLIENTS,
                    &target.profile_id,
                    DEFAULT_DRAFT,
                )));
                outcomes.push(ClientDeployOutcome::refused(
                    &client_id,
                    "not_found",
                    format!(
                        "artifact {neutral_id} of all/{} has nothing for {client_id} (linked after it was published): publish again",
                        target.profile_id
                    ),
                    next,
                ));
                continue;
            };
            let single = DeployConfig {
                client_id: Some(client_id.clone()),
                profile_id: Some(target.profile_id.clone()),
                artifact_id: Some(artifact_id.clone()),
                force: request.force,
                project_dir: request.project_dir.clone(),
                allow_any_dir: request.allow_any_dir,
                secrets: request.secrets.clone(),
            };
            outcomes.push(match self.deploy_config(single) {
                Ok(done) => {
                    let unchanged = done.added.is_empty()
                        && done.updated.is_empty()
                        && done.removed.is_empty()
                        && !done.created_file;
                    ClientDeployOutcome {
                        client_id,
                        outcome: if unchanged { "up_to_date" } else { "deployed" },
                        path: Some(done.path.to_string_lossy().to_string()),
                        artifact_id: Some(done.artifact_id),
                        backup_path: done.backup_path.map(|p| p.to_string_lossy().to_string()),
                        added: done.added,
                        updated: done.updated,
                        removed: done.removed,
                        code: None,
                        reason: None,
                        next: Hint::default(),
                    }
                }
                Err(error) if error.kind() == crate::error::ErrorKind::Internal => {
                    return Err(error);
                }
                Err(error) => ClientDeployOutcome::refused(
                    &client_id,
                    error.kind().code(),
                    error.message().to_string(),
                    error.hint().cloned().unwrap_or_default(),
                ),
            });
        }
        let count = |outcome: &str| outcomes.iter().filter(|o| o.outcome == outcome).count();
        let (deployed, up_to_date, refused, skipped) = (
            count("deployed"),
            count("up_to_date"),
            count("refused"),
            count("skipped"),
        );
        let next = if refused > 0 {
            Hint::text("; fix what each refusal says, then ")
                .step(NextStep::Deploy {
                    client_id: ALL_CLIENTS.into(),
                    profile_id: target.profile_id.clone(),
                    force: false,
                })
                .then(" again deploys the rest")
        } else {
            Hint::default()
        };
        let lines: Vec<String> = outcomes
            .iter()
            .map(|o| match &o.reason {
                Some(reason) => format!("{}: {} ({reason})", o.client_id, o.outcome),
                None => format!("{}: {}", o.client_id, o.outcome.replace('_', " ")),
            })
            .collect();
        Ok(AllDeployed {
            status: if refused == 0 { "deployed" } else { "partial" },
            client_id: ALL_CLIENTS,
            message: format!(
                "{deployed} deployed, {up_to_date} up to date, {refused} refused{}: {}{}",
                if project_dir.is_some() {
                    format!(", {skipped} skipped (no project-scope file)")
                } else {
                    String::new()
                },
                lines.join("; "),
                next.word(&ToolWords)
            ),
            profile_id: target.profile_id.clone(),
            artifact_id: neutral_id,
            deployed,
            up_to_date,
            refused,
            skipped,
            clients: outcomes,
            next,
        })
    }

    /// `import_config(client_id="all")`: every linked client's file read into the neutral
    /// draft. A server that is the same in every file holding it is imported once (limited
    /// to those clients when not all have it); one that differs is reported, not imported.
    pub fn import_all(&self, request: ImportConfig) -> ServiceResult<AllImported> {
        let target = &Target::new(
            Some(ALL_CLIENTS),
            request.profile_id.as_deref(),
            request.draft_name.as_deref(),
        )?
        .expecting(request.expected_version);
        let project_dir = self.all_project_dir(request.project_dir.as_deref())?;
        let linked = self.linked_specs(&target.profile_id)?;
        let mut read = BTreeMap::new();
        let mut no_file = Vec::new();
        let mut skipped = BTreeMap::new();
        // name -> client -> entry as that client has it
        let mut found: BTreeMap<String, BTreeMap<String, ServerEntry>> = BTreeMap::new();
        for client in &linked {
            let path = match project_dir.as_deref() {
                Some(dir) => match client.project_config_path(dir) {
                    Some(path) => path,
                    None => {
                        if let Some(reason) = no_project_file(&client.id, Some(dir))? {
                            skipped.insert(client.id.clone(), reason);
                        }
                        continue;
                    }
                },
                None => client.config_path(self.home_dir()),
            };
            let section = if path.is_file() {
                imprint_deploy::read_section(&path, client.format, &client.root_key)?
            } else {
                None
            };
            let Some(section) = section else {
                no_file.push(client.id.clone());
                continue;
            };
            let servers = import::import_section(client, &section)?;
            read.insert(client.id.clone(), servers.keys().cloned().collect());
            for (name, entry) in servers {
                found
                    .entry(name)
                    .or_default()
                    .insert(client.id.clone(), entry);
            }
        }
        let mut conflicts = Vec::new();
        let mut chosen: Vec<(String, Value)> = Vec::new();
        let mut protected = Vec::new();
        for (name, versions) in found {
            let first = versions.values().next().cloned().unwrap_or_default();
            if versions.values().any(|entry| !same_server(entry, &first)) {
                conflicts.push(ImportConflict {
                    server_name: name,
                    versions: versions
                        .iter()
                        .map(|(client, entry)| (client.clone(), summary(entry)))
                        .collect(),
                });
                continue;
            }
            let mut entry = first;
            // client-specific keys and shapes stay with the client that had them
            entry.extra = Map::new();
            entry.omit_type = false;
            protected.extend(secrets::protect_entry(
                &name,
                &mut entry,
                secrets::Declared::default(),
                &mut |base, value| self.keep_secret(base, value),
            )?);
            let mut value =
                serde_json::to_value(&entry).map_err(|e| ServiceError::internal(e.to_string()))?;
            if versions.len() < linked.len() - skipped.len() {
                value["clients"] = json!(versions.keys().collect::<Vec<_>>());
            }
            chosen.push((name, value));
        }
        let imported: Vec<String> = chosen.iter().map(|(name, _)| name.clone()).collect();
        let (count, version) = if chosen.is_empty() {
            let draft = self.find_draft(target)?;
            let count = match &draft {
                Some(d) => self.store().draft_item_count(&d.id)?,
                None => 0,
            };
            (count, draft.map(|d| d.version))
        } else {
            let (draft, version, ()) = self.patch_draft(target, |_, _| {
                Ok((
                    chosen
                        .iter()
                        .map(|(name, value)| (name.clone(), Some(value.clone())))
                        .collect(),
                    (),
                ))
            })?;
            (self.store().draft_item_count(&draft.id)?, Some(version))
        };
        let draft_of_all = Draft::new(ALL_CLIENTS, &target.profile_id, &target.draft_name);
        // what was left out, and the step that adds it, then what makes the rest live
        let left_out = if conflicts.is_empty() {
            Hint::default()
        } else {
            Hint::text(&format!(
                "; not imported, the clients disagree about: {} (add the one you want with ",
                conflicts
                    .iter()
                    .map(|c| format!(
                        "{} ({})",
                        c.server_name,
                        c.versions.keys().cloned().collect::<Vec<_>>().join(" vs ")
                    ))
                    .collect::<Vec<_>>()
                    .join(", ")
            ))
            .step(NextStep::AddServer(draft_of_all.clone()))
            .then(", limited with clients/except)")
        };
        let next = left_out
            .then("; ")
            .step(NextStep::Publish(draft_of_all))
            .then(" then ")
            .step(NextStep::Deploy {
                client_id: ALL_CLIENTS.into(),
                profile_id: target.profile_id.clone(),
                force: false,
            })
            .then(" to manage them");
        Ok(AllImported {
            status: "imported",
            client_id: ALL_CLIENTS,
            message: format!(
                "imported {} server(s) from {} client file(s) into the draft of all{}",
                imported.len(),
                read.len(),
                next.word(&ToolWords)
            ),
            profile_id: target.profile_id.clone(),
            draft_name: target.draft_name.clone(),
            read,
            no_file,
            skipped,
            imported,
            conflicts,
            secrets: sorted(protected.iter().map(|name| secrets::reference(name))),
            server_count: count,
            draft_version: version,
            next,
        })
    }

    /// Which linked clients' files hold the latest publish of `all`.
    pub fn profile_status(&self, request: GetProfileStatus) -> ServiceResult<ProfileStatus> {
        let target = &self.all_target(request.profile_id.as_deref())?;
        let status = self.get_deployment_status(super::GetDeploymentStatus::default())?;
        self.profile_status_of(target, &status.files)
    }

    /// Every published profile of `all`, against the files `get_deployment_status` read.
    pub(super) fn published_profiles_status(
        &self,
        files: &[super::FileStatus],
    ) -> ServiceResult<Vec<ProfileStatus>> {
        let mut out = Vec::new();
        for profile_id in self.profile_ids(ALL_CLIENTS)? {
            let target = self.all_target(Some(&profile_id))?;
            if self.store().head(&target.document())?.is_some() {
                out.push(self.profile_status_of(&target, files)?);
            }
        }
        Ok(out)
    }

    fn profile_status_of(
        &self,
        target: &Target,
        files: &[super::FileStatus],
    ) -> ServiceResult<ProfileStatus> {
        let linked = self.linked_clients(&target.profile_id)?;
        let head = self.store().head(&target.document())?;
        let named = match &head {
            Some(_) => self.published_clients(target, None)?.1,
            None => BTreeMap::new(),
        };
        let mut clients = Vec::new();
        for client_id in &linked.clients {
            let Some(file) = files
                .iter()
                .find(|f| &f.client_id == client_id && f.scope == "user")
            else {
                continue;
            };
            let latest = named.get(client_id).cloned();
            let deployed = file.deployed.as_ref().map(|d| d.artifact_id.clone());
            let drifted = file.drift.as_ref().is_some_and(|d| d.drifted);
            let state = if file.state == "unreadable" {
                "unreadable"
            } else if drifted {
                "drifted"
            } else if latest.is_none() {
                "not_published"
            } else if deployed.is_some() && deployed == latest {
                "in_step"
            } else {
                "behind"
            };
            clients.push(ClientStep {
                client_id: client_id.clone(),
                path: file.path.to_string_lossy().to_string(),
                state,
                deployed_artifact_id: deployed,
                latest_artifact_id: latest,
                drift: file
                    .drift
                    .as_ref()
                    .map(|d| d.changes.clone())
                    .unwrap_or_default(),
            });
        }
        let count = |state: &str| clients.iter().filter(|c| c.state == state).count();
        let (in_step, behind, drifted) = (count("in_step"), count("behind"), count("drifted"));
        let message = format!(
            "profile {} of all: {}",
            target.profile_id,
            if clients.is_empty() {
                "no linked client".to_string()
            } else {
                clients
                    .iter()
                    .map(|c| format!("{} {}", c.client_id, c.state.replace('_', " ")))
                    .collect::<Vec<_>>()
                    .join(", ")
            }
        );
        Ok(ProfileStatus {
            profile_id: target.profile_id.clone(),
            linked,
            latest_artifact_id: head.map(|h| h.artifact_id),
            clients,
            in_step,
            behind,
            drifted,
            message,
        })
    }
}

/// Why a linked client is left alone under `project_dir`: it has no project-scope file.
fn no_project_file(client_id: &str, project_dir: Option<&Path>) -> ServiceResult<Option<String>> {
    let client = super::known_client(client_id)?;
    Ok(match project_dir {
        Some(_) if client.project_path.is_none() => Some(format!(
            "{} has no project-scope file; deploy it without project_dir",
            client.display_name
        )),
        _ => None,
    })
}

/// One client's payload of a neutral set: the servers its `clients`/`except` give it,
/// rendered in its own format and validated.
pub(super) fn render_client(client: &ClientSpec, items: &NeutralItems) -> Rendered {
    let (kept, skipped): (Vec<_>, Vec<_>) = items
        .iter()
        .partition(|(_, (_, scope, _))| scope.includes(&client.id));
    let servers: BTreeMap<String, ServerEntry> = kept
        .into_iter()
        .map(|(name, (entry, _, _))| (name.clone(), entry.clone()))
        .collect();
    let payload = render::render(client, &servers);
    let validation = validate::validate_payload_for(client, &payload);
    (
        ClientPayload {
            client_id: client.id.clone(),
            servers: servers.keys().cloned().collect(),
            skipped: skipped.into_iter().map(|(name, _)| name.clone()).collect(),
            payload: redact_payload(client, &payload),
            validation,
        },
        payload,
    )
}

/// The answer of a publish (or rollback) of `all`: the neutral revision, with each client's.
fn all_published(
    target: &Target,
    neutral: &RevisionRow,
    artifacts: Vec<ClientArtifact>,
    status: &'static str,
) -> ConfigPublished {
    let mut answer = super::publish::publish_result(target, neutral, status);
    answer.message = format!(
        "{} (and one artifact for each of {} client(s): {})",
        answer.message,
        artifacts.len(),
        artifacts
            .iter()
            .map(|a| a.client_id.as_str())
            .collect::<Vec<_>>()
            .join(", ")
    );
    answer.clients = Some(artifacts);
    answer
}

impl ClientDeployOutcome {
    fn skipped(client_id: &str, reason: String) -> Self {
        ClientDeployOutcome {
            outcome: "skipped",
            code: None,
            ..ClientDeployOutcome::refused(client_id, "", reason, Hint::default())
        }
    }

    fn refused(client_id: &str, code: &'static str, reason: String, next: Hint) -> Self {
        ClientDeployOutcome {
            client_id: client_id.to_string(),
            outcome: "refused",
            path: None,
            artifact_id: None,
            backup_path: None,
            added: Vec::new(),
            updated: Vec::new(),
            removed: Vec::new(),
            code: Some(code),
            reason: Some(reason),
            next,
        }
    }
}

/// Every linked client's validation as one report: valid only when each client's is, each
/// issue's message prefixed with its client.
fn combined_report(target: &Target, views: &[ClientPayload]) -> ValidationReport {
    let mut report = ValidationReport {
        valid: true,
        errors: Vec::new(),
        warnings: Vec::new(),
        server_count: 0,
    };
    for view in views {
        report.valid &= view.validation.valid;
        let prefixed = |issues: &[imprint_config::validate::Issue]| {
            issues
                .iter()
                .map(|issue| {
                    let mut issue = issue.clone();
                    issue.message = format!("{}: {}", view.client_id, issue.message);
                    issue
                })
                .collect::<Vec<_>>()
        };
        report.errors.extend(prefixed(&view.validation.errors));
        report.warnings.extend(prefixed(&view.validation.warnings));
        report.server_count = report.server_count.max(view.validation.server_count);
    }
    if views.is_empty() {
        report.valid = false;
        report.errors.push(imprint_config::validate::Issue {
            code: "NO_LINKED_CLIENT",
            severity: "error",
            message: format!(
                "profile {} of all is linked to no client and no client's config file was found: link some with link_clients",
                target.profile_id
            ),
            server: None,
            path: None,
            fix: None,
        });
    }
    report
}

/// Whether two clients' entries are the same server: same transport, command, arguments,
/// URL, environment and headers (client-specific keys aside).
fn same_server(a: &ServerEntry, b: &ServerEntry) -> bool {
    a.transport == b.transport
        && a.command == b.command
        && a.args == b.args
        && a.url == b.url
        && a.env == b.env
        && a.headers == b.headers
}

/// What a conflict report shows of one version: the program or URL and the env names.
fn summary(entry: &ServerEntry) -> Value {
    let mut out = Map::new();
    out.insert("transport".into(), json!(entry.transport.as_str()));
    if let Some(command) = &entry.command {
        out.insert("command".into(), command.clone());
    }
    if let Some(args) = &entry.args {
        out.insert("args".into(), args.clone());
    }
    if let Some(url) = &entry.url {
        out.insert("url".into(), json!(url));
    }
    if let Some(Value::Object(env)) = &entry.env {
        let redacted: Map<String, Value> = env
            .iter()
            .map(|(k, v)| {
                let secret = secrets::is_secret_env_name(k)
                    || v.as_str().is_some_and(secrets::looks_like_secret);
                let shown = if secret { json!("***") } else { v.clone() };
                (k.clone(), shown)
            })
            .collect();
        out.insert("env".into(), Value::Object(redacted));
    }
    Value::Object(out)
}

crate::next::worded!(AllImported);

impl crate::next::Worded for AllDeployed {
    /// The message's own steps, and each refused client's reason (the single deploy's
    /// message, in the message too) with its fix, in `words`.
    fn reword(&mut self, words: &dyn crate::next::Words) {
        self.message = self.next.reword(&self.message, words);
        for client in &mut self.clients {
            if let Some(reason) = &client.reason {
                let worded = client.next.reword(reason, words);
                self.message = self.message.replace(reason.as_str(), &worded);
                client.reason = Some(worded);
            }
        }
    }
}
