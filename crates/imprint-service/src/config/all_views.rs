//! Reading the client id `all` against what was published and deployed: `diff_config` of the
//! neutral set (and of each linked client's payload), and `deployed` per linked client.
//!
//! The neutral artifact's payload is `{"servers": …, "clients": {client: artifact_id}}`; the
//! `clients` map names the client artifacts of the same publish and is no server section,
//! so it is set aside before any comparison.

use std::collections::BTreeMap;

use imprint_config::ServerEntry;
use imprint_config::diff::{self, PayloadDiff};
use imprint_config::redact::redact_changes;
use imprint_engine::canonical;
use serde::Serialize;
use serde_json::{Map, Value, json};

use super::all::{NeutralItems, Scope, render_client};
use super::{
    ALL_CLIENTS, ConfigDiff, DeployedConfig, DeployedState, DiffConfig, DiffSummary, Links, Target,
};
use crate::Service;
use crate::error::{ServiceError, ServiceResult};
use crate::next::{Draft, Hint, NextStep, ToolWords};

/// One linked client's part of `diff_config(client_id="all")`: the payload the compared
/// neutral set gives it against its artifact of the latest publish.
#[derive(Debug, Clone, Serialize)]
pub struct ClientDiff {
    pub client_id: String,
    /// "up-to-date" (the same payload), "changed", or "not_published" (the latest publish
    /// has no artifact for this client: it was linked after; the diff is against nothing).
    pub status: &'static str,
    /// Its artifact of the latest publish of all.
    pub remote_artifact_id: Option<String>,
    /// Compared → latest, as the neutral diff: "added" is what the latest gives the client
    /// that the compared set does not. Secret values redacted.
    pub diff: PayloadDiff,
}

/// The answer of `deployed` for client id `all`: each linked client's last deploy.
#[derive(Debug, Clone, Serialize)]
pub struct AllDeployedState {
    /// Always "all".
    pub client_id: &'static str,
    pub profile_id: String,
    pub linked: Links,
    /// The latest neutral artifact, if published.
    pub latest_artifact_id: Option<String>,
    /// Each linked client's client artifact of that publish.
    pub latest_client_artifacts: BTreeMap<String, String>,
    /// Each linked client as `deployed` answers for that client alone, in link order.
    pub clients: Vec<DeployedState>,
    pub message: String,
}

/// Where the compared side of a diff of `all` comes from.
enum Compared {
    Draft,
    Payload,
    Artifact,
}

impl Service {
    /// `diff_config(client_id="all")`: a neutral set (the caller's payload, an artifact of
    /// all, or by default the neutral draft) against the latest publish of all: servers
    /// added, removed and changed with the linked clients each reaches, and per linked
    /// client its payload against its artifact of that publish.
    pub(super) fn diff_all(
        &self,
        target: &Target,
        request: DiffConfig,
    ) -> ServiceResult<ConfigDiff> {
        let remote = self.revision_for(target, None)?;
        let (_, latest_named) = self.published_clients(target, None)?;
        let remote_servers = neutral_servers(&remote.envelope["payload"]);
        let linked = self.linked_specs(&target.profile_id)?;

        let local_artifact_id = request
            .local_artifact_id
            .as_deref()
            .filter(|id| !id.is_empty());
        // local neutral servers, and each linked client's local payload
        let (compared, local_servers, local_clients): (
            Compared,
            Map<String, Value>,
            BTreeMap<String, Value>,
        ) = match (request.local_payload, local_artifact_id) {
            (Some(payload), _) => {
                let payload = Value::Object(payload.into_inner());
                let servers = neutral_servers(&payload);
                let view = NextStep::ViewDraft(Draft::new(
                    &target.client_id,
                    &target.profile_id,
                    &target.draft_name,
                ));
                let items = items_of(&servers, &view)?;
                let clients = linked
                    .iter()
                    .map(|c| (c.id.clone(), render_client(c, &items).1))
                    .collect();
                (Compared::Payload, servers, clients)
            }
            (None, Some(id)) => {
                let old = self.revision_for(target, Some(id))?;
                let (_, named) = self.published_clients(target, Some(id))?;
                let mut clients = BTreeMap::new();
                for (client_id, artifact) in &named {
                    let client_target =
                        Target::new(Some(client_id), Some(&target.profile_id), None)?;
                    let revision = self.revision_for(&client_target, Some(artifact))?;
                    clients.insert(client_id.clone(), revision.envelope["payload"].clone());
                }
                (
                    Compared::Artifact,
                    neutral_servers(&old.envelope["payload"]),
                    clients,
                )
            }
            (None, None) => {
                let (_, items) = self.neutral_items(target)?;
                let servers = items
                    .iter()
                    .map(|(name, (_, _, value))| (name.clone(), value.clone()))
                    .collect();
                let clients = linked
                    .iter()
                    .map(|c| (c.id.clone(), render_client(c, &items).1))
                    .collect();
                (Compared::Draft, servers, clients)
            }
        };

        let local = json!({ "servers": local_servers });
        let latest = json!({ "servers": remote_servers });
        let local_id = canonical::artifact_id(&local);
        let remote_id = canonical::artifact_id(&latest);
        let mut changes = diff::diff_payloads(&local, &latest);
        let local_changes = if local_id == remote_id {
            Vec::new()
        } else {
            self.neutral_local_changes(target, &local_servers, &changes)?
        };
        let status = if local_id == remote_id {
            "up-to-date"
        } else if local_changes.is_empty() {
            "outdated"
        } else {
            "diverged"
        };

        // which linked clients a change reaches: those its entry is for, before or after
        let linked_ids: Vec<String> = linked.iter().map(|c| c.id.clone()).collect();
        let mut reaches = BTreeMap::new();
        for name in changes
            .servers_added
            .iter()
            .chain(&changes.servers_removed)
            .chain(&changes.servers_modified)
        {
            let scopes: Vec<Scope> = [local_servers.get(name), remote_servers.get(name)]
                .into_iter()
                .flatten()
                .map(Scope::of)
                .collect();
            let clients: Vec<String> = linked_ids
                .iter()
                .filter(|id| scopes.iter().any(|scope| scope.includes(id)))
                .cloned()
                .collect();
            reaches.insert(name.clone(), clients);
        }

        let mut clients = Vec::new();
        for client in &linked {
            let remote_artifact = latest_named.get(&client.id).cloned();
            let remote_payload = match &remote_artifact {
                Some(artifact) => {
                    let client_target =
                        Target::new(Some(&client.id), Some(&target.profile_id), None)?;
                    self.revision_for(&client_target, Some(artifact))?.envelope["payload"].clone()
                }
                None => json!({}),
            };
            let local_payload = local_clients
                .get(&client.id)
                .cloned()
                .unwrap_or_else(|| json!({}));
            let mut client_changes = diff::diff_payloads(&local_payload, &remote_payload);
            let status = match (&remote_artifact, client_changes.is_identical()) {
                (None, _) => "not_published",
                (Some(_), true) => "up-to-date",
                (Some(_), false) => "changed",
            };
            redact_changes(&mut client_changes);
            clients.push(ClientDiff {
                client_id: client.id.clone(),
                status,
                remote_artifact_id: remote_artifact,
                diff: client_changes,
            });
        }
        redact_changes(&mut changes);

        let deploy = |force| NextStep::Deploy {
            client_id: ALL_CLIENTS.into(),
            profile_id: target.profile_id.clone(),
            force,
        };
        let (recommendation, said, next) = match (status, compared) {
            ("up-to-date", Compared::Draft) => (
                "safe",
                "the draft of all matches the latest publish".to_string(),
                Hint::default(),
            ),
            ("up-to-date", _) => (
                "safe",
                "the compared set matches the latest publish of all".to_string(),
                Hint::default(),
            ),
            (_, Compared::Draft) => (
                if status == "outdated" { "update" } else { "review" },
                "the draft of all differs from the latest publish".to_string(),
                Hint::text(": ")
                    .step(NextStep::Publish(Draft::new(
                        ALL_CLIENTS,
                        &target.profile_id,
                        super::DEFAULT_DRAFT,
                    )))
                    .then(" publishes it to every linked client"),
            ),
            ("outdated", _) => (
                "update",
                "the compared set lacks changes the latest publish of all has and has none of its own".to_string(),
                Hint::text(": ").step(deploy(false)).then(" brings every linked client up to date"),
            ),
            _ => (
                "review",
                format!(
                    "the compared set has changes no publish of all has ({})",
                    local_changes.join(", ")
                ),
                Hint::text(": ")
                    .step(NextStep::ImportConfig(Draft::new(
                        ALL_CLIENTS,
                        &target.profile_id,
                        super::DEFAULT_DRAFT,
                    )))
                    .then(" to adopt the clients' files, or ")
                    .step(deploy(true))
                    .then(" to replace them"),
            ),
        };
        let mut lines = Vec::new();
        // the diff runs compared → latest: "added" is what the latest has that the compared lacks
        for (sign, names) in [
            ("only in the latest publish", &changes.servers_added),
            ("not in the latest publish", &changes.servers_removed),
            ("changed", &changes.servers_modified),
        ] {
            for name in names {
                let reach = reaches.get(name).cloned().unwrap_or_default();
                lines.push(format!(
                    "{name}: {sign} (reaches {})",
                    if reach.is_empty() {
                        "no linked client".to_string()
                    } else {
                        reach.join(", ")
                    }
                ));
            }
        }
        let per_client: Vec<String> = clients
            .iter()
            .map(|c| match c.status {
                "changed" => format!(
                    "{}: {} added, {} removed, {} modified",
                    c.client_id,
                    c.diff.servers_added.len(),
                    c.diff.servers_removed.len(),
                    c.diff.servers_modified.len()
                ),
                other => format!("{}: {}", c.client_id, other.replace(['_', '-'], " ")),
            })
            .collect();
        let message = format!(
            "{said}{}{}; per client: {}{}",
            if lines.is_empty() { "" } else { ": " },
            lines.join("; "),
            if per_client.is_empty() {
                "no linked client".to_string()
            } else {
                per_client.join("; ")
            },
            next.word(&ToolWords)
        );
        let summary = DiffSummary::of(&changes, local_changes);
        Ok(ConfigDiff {
            status,
            recommendation,
            summary,
            local_artifact_id: local_id,
            remote_artifact_id: remote.artifact_id,
            client_id: ALL_CLIENTS.to_string(),
            profile_id: target.profile_id.clone(),
            diff: changes,
            message,
            next,
            reaches: Some(reaches),
            clients: Some(clients),
        })
    }

    /// The neutral servers that differ from the latest and that no publish of all ever held
    /// as they are: the compared set's own changes.
    fn neutral_local_changes(
        &self,
        target: &Target,
        local: &Map<String, Value>,
        against_latest: &PayloadDiff,
    ) -> ServiceResult<Vec<String>> {
        let mut unpublished: Vec<String> = against_latest
            .servers_removed
            .iter()
            .chain(&against_latest.servers_modified)
            .cloned()
            .collect();
        for revision in self.store().history(&target.document(), 1000)? {
            if unpublished.is_empty() {
                break;
            }
            let published = neutral_servers(&revision.envelope["payload"]);
            unpublished.retain(|name| published.get(name) != local.get(name));
        }
        unpublished.sort();
        Ok(unpublished)
    }

    /// `deployed` for client id `all`: each linked client's last deploy, as for that client
    /// alone, beside its artifact of the latest publish of all.
    pub fn deployed_all(&self, request: DeployedConfig) -> ServiceResult<AllDeployedState> {
        let target = &Target::new(Some(ALL_CLIENTS), request.profile_id.as_deref(), None)?;
        let linked = self.linked_clients(&target.profile_id)?;
        let head = self.store().head(&target.document())?;
        let latest_client_artifacts = match &head {
            Some(_) => self.published_clients(target, None)?.1,
            None => BTreeMap::new(),
        };
        let mut clients = Vec::new();
        let mut lines = Vec::new();
        for client_id in &linked.clients {
            let state = self.deployed_config(DeployedConfig {
                client_id: Some(client_id.clone()),
                profile_id: Some(target.profile_id.clone()),
            })?;
            let latest = latest_client_artifacts.get(client_id);
            lines.push(match &state {
                DeployedState::Never(_) => format!("{client_id}: never deployed"),
                DeployedState::Deployed(last) => format!(
                    "{client_id}: {}{}",
                    if Some(&last.artifact_id) == latest {
                        "holds the latest publish"
                    } else {
                        "holds an older artifact"
                    },
                    if last.drift_detected {
                        ", edited since the deploy"
                    } else {
                        ""
                    }
                ),
            });
            clients.push(state);
        }
        let message = format!(
            "profile {} of all{}: {}",
            target.profile_id,
            if head.is_none() {
                " (nothing published yet)"
            } else {
                ""
            },
            if lines.is_empty() {
                "no linked client".to_string()
            } else {
                lines.join("; ")
            }
        );
        Ok(AllDeployedState {
            client_id: ALL_CLIENTS,
            profile_id: target.profile_id.clone(),
            linked,
            latest_artifact_id: head.map(|h| h.artifact_id),
            latest_client_artifacts,
            clients,
            message,
        })
    }
}

/// The servers of a neutral payload, without the `clients` map of artifact ids.
fn neutral_servers(payload: &Value) -> Map<String, Value> {
    payload
        .get("servers")
        .and_then(Value::as_object)
        .cloned()
        .unwrap_or_default()
}

/// A caller's neutral servers read as entries; one that is not an entry is named, with
/// `view`, the step that shows the shape expected.
fn items_of(servers: &Map<String, Value>, view: &NextStep) -> ServiceResult<NeutralItems> {
    let mut items = BTreeMap::new();
    for (name, value) in servers {
        let entry = serde_json::from_value::<ServerEntry>(value.clone()).map_err(|e| {
            ServiceError::invalid(format!(
                "local_payload.servers.{name} is not a server entry ({e})"
            ))
            .with_hint(
                Hint::text(": with client_id \"all\" pass {\"servers\": {name: entry}} as ")
                    .step(view.clone())
                    .then(" shows it, or leave local_payload out to compare the draft"),
            )
        })?;
        items.insert(name.clone(), (entry, Scope::of(value), value.clone()));
    }
    Ok(items)
}
