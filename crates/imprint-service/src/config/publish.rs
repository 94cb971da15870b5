//! Signed artifacts: publish a draft, read one back, its history, diff against what a
//! caller holds, roll back, verify, and the signing keys.

use std::collections::BTreeMap;
use std::path::PathBuf;

use imprint_config::diff::PayloadDiff;
use imprint_config::redact::redact_changes;
use imprint_config::{diff, secrets, validate};
use imprint_engine::{canonical, envelope};
use imprint_store::RevisionRow;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value, json};

use super::{ARTIFACT_FORMAT, Target};
use crate::api::{Flag, JsonObject};
use crate::error::{ErrorKind, ServiceError, ServiceResult};
use crate::keys::KeyInit;
use crate::next::{Draft, Hint, NextStep, ToolWords};
use crate::revisions::NewRevision;
use crate::{Service, now_millis};

/// `publish_config`: the draft as a new signed artifact.
#[derive(Debug, Clone, Default, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct PublishConfig {
    /// What changed and why, kept in the signed artifact and the history.
    pub changelog: Option<String>,
    /// Client id (default "claude-desktop"); "all" means the client-neutral set of every client linked to the profile.
    pub client_id: Option<String>,
    /// Profile id (default "default").
    pub profile_id: Option<String>,
    /// Draft to publish (default "default"); it stays after publishing.
    pub draft_name: Option<String>,
    /// The draft version you read; the write is refused if the draft changed since.
    #[schemars(range(min = 1))]
    pub expected_version: Option<i64>,
}

/// `get_config`: a published artifact, the latest or a given one.
#[derive(Debug, Clone, Default, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct GetConfig {
    /// Client id (default "claude-desktop"); "all" means the client-neutral set of every client linked to the profile.
    pub client_id: Option<String>,
    /// Profile id (default "default").
    pub profile_id: Option<String>,
    /// A published artifact id (64 hex digits); omit for the latest.
    pub artifact_id: Option<String>,
}

/// `verify_config`: an artifact's id and signature checked.
#[derive(Debug, Clone, Default, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct VerifyConfig {
    /// Client id (default "claude-desktop"); "all" means the client-neutral set of every client linked to the profile.
    pub client_id: Option<String>,
    /// Profile id (default "default").
    pub profile_id: Option<String>,
    /// A published artifact id (64 hex digits); omit for the latest.
    pub artifact_id: Option<String>,
}

/// `get_config_history`: the published revisions, newest first.
#[derive(Debug, Clone, Default, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct GetConfigHistory {
    /// Client id (default "claude-desktop"); "all" means the client-neutral set of every client linked to the profile.
    pub client_id: Option<String>,
    /// Profile id (default "default").
    pub profile_id: Option<String>,
    /// How many revisions, newest first (default 20, at most 1000).
    pub limit: Option<u32>,
}

/// `diff_config`: a config the caller holds against the latest published artifact.
#[derive(Debug, Clone, Default, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct DiffConfig {
    /// Client id (default "claude-desktop"); "all" means the client-neutral set of every client linked to the profile.
    pub client_id: Option<String>,
    /// Profile id (default "default").
    pub profile_id: Option<String>,
    /// The artifact id you hold locally (used when local_payload is not given).
    pub local_artifact_id: Option<String>,
    /// The config you have, e.g. {"mcpServers": {...}}; {} means "no servers". An object or a JSON string of one. Pass this or local_artifact_id; with client_id "all", a neutral {"servers": {...}}, or neither to compare the draft of all.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(with = "JsonObject")]
    pub local_payload: Option<JsonObject>,
}

/// `rollback_config`: an earlier artifact published again as the head.
#[derive(Debug, Clone, Default, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RollbackConfig {
    /// Client id (default "claude-desktop"); "all" means the client-neutral set of every client linked to the profile.
    pub client_id: Option<String>,
    /// Profile id (default "default").
    pub profile_id: Option<String>,
    /// The earlier artifact to make current again (get_config_history lists them).
    pub artifact_id: String,
    /// Why (default: "rollback to <artifact_id>").
    pub changelog: Option<String>,
}

/// `initialize_keys`: the signing key pair, created or rotated.
#[derive(Debug, Clone, Default, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct InitializeKeys {
    /// Rotate: make a new key pair (old public keys are kept so old artifacts still verify). Default false.
    pub regenerate: Option<Flag>,
}

/// The answer of `publish_config`, and of `rollback_config` (status "rolled_back"): the new
/// head revision.
#[derive(Debug, Clone, Serialize)]
pub struct ConfigPublished {
    /// "published" or "rolled_back".
    pub status: &'static str,
    pub artifact_id: String,
    pub sequence: i64,
    pub client_id: String,
    pub profile_id: String,
    pub created_at: Option<String>,
    pub signing_key_id: Option<String>,
    pub server_count: Option<u64>,
    pub changelog: Option<String>,
    pub parent_artifact_id: Option<String>,
    pub message: String,
    /// What can follow, as data: deploy the new artifact.
    pub next: Hint,
    /// With client_id "all": the artifact signed for each linked client in the same
    /// transaction (the neutral artifact above names them).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub clients: Option<Vec<super::ClientArtifact>>,
}

/// The answer of `rollback_config`: the same shape as a publish.
pub type ConfigRolledBack = ConfigPublished;

/// The answer of `get_config`: the signed envelope exactly as stored.
#[derive(Debug, Clone, Serialize)]
#[serde(transparent)]
pub struct ConfigArtifact(pub Value);

impl ConfigArtifact {
    /// The signed envelope.
    pub fn envelope(&self) -> &Value {
        &self.0
    }

    pub fn into_envelope(self) -> Value {
        self.0
    }
}

/// The `config://{client_id}/{profile_id}/latest` resource: the signed envelope as stored,
/// with the old system's summary fields beside it.
#[derive(Debug, Clone, Serialize)]
pub struct LatestConfig {
    /// The envelope's own fields (artifact_id, payload, signature, …), unchanged.
    #[serde(flatten)]
    pub envelope: Map<String, Value>,
    /// Servers in the payload.
    pub server_count: usize,
    /// Their names, sorted.
    pub servers: Vec<String>,
    /// When it was signed (the envelope's created_at).
    pub signed_at: Option<String>,
}

/// The answer of `verify_config`.
#[derive(Debug, Clone, Serialize)]
pub struct ConfigVerification {
    /// Id and signature both check out.
    pub valid: bool,
    /// The id the envelope claims.
    pub artifact_id: String,
    /// The id the payload hashes to.
    pub recomputed_artifact_id: String,
    pub artifact_id_matches: bool,
    pub signature_valid: bool,
    pub signing_key_id: String,
    /// Whether the signing key is in the keyring.
    pub key_known: bool,
    pub sequence: i64,
    pub message: String,
}

/// The answer of `diff_config`.
#[derive(Debug, Clone, Serialize)]
pub struct ConfigDiff {
    /// "up-to-date": the local config equals the latest artifact. "outdated": it differs only
    /// by lacking changes the latest has (every server it holds is exactly as some published
    /// artifact had it: an older or partly updated copy). "diverged": it also has changes of
    /// its own (a server, or a server's settings, that no published artifact ever had).
    pub status: &'static str,
    /// "safe" (up-to-date: nothing to do), "update" (outdated: deploy_config brings the latest
    /// without losing anything), "review" (diverged: deploying would discard local changes;
    /// import_config adopts them first).
    pub recommendation: &'static str,
    /// Counts of what differs.
    pub summary: DiffSummary,
    pub local_artifact_id: String,
    pub remote_artifact_id: String,
    pub client_id: String,
    pub profile_id: String,
    /// What differs, secret values redacted.
    pub diff: PayloadDiff,
    pub message: String,
    /// What can follow, as data: deploy, or import / deploy with force (none when up to date).
    pub next: Hint,
    /// With client_id "all": each server added, removed or modified, and the linked clients
    /// the change reaches (sorted).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reaches: Option<BTreeMap<String, Vec<String>>>,
    /// With client_id "all": each linked client's payload of the compared set against its
    /// artifact of the latest publish.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub clients: Option<Vec<super::ClientDiff>>,
}

/// [`ConfigDiff::summary`]: how much differs.
#[derive(Debug, Clone, Serialize)]
pub struct DiffSummary {
    /// Servers the latest has and the local config lacks.
    pub servers_added: usize,
    /// Servers the local config has and the latest lacks.
    pub servers_removed: usize,
    pub servers_modified: usize,
    pub servers_unchanged: usize,
    /// Changed fields, all servers together.
    pub total_changes: usize,
    /// Servers of the local config that no published artifact ever had as they are: the
    /// local changes that make it "diverged". Sorted.
    pub local_changes: Vec<String>,
}

impl DiffSummary {
    /// The counts of a local → latest diff (so "added" is what the latest adds).
    pub(super) fn of(changes: &PayloadDiff, local_changes: Vec<String>) -> Self {
        Self {
            servers_added: changes.servers_added.len(),
            servers_removed: changes.servers_removed.len(),
            servers_modified: changes.servers_modified.len(),
            servers_unchanged: changes.servers_unchanged.len(),
            total_changes: changes.changes.len(),
            local_changes,
        }
    }
}

/// The answer of `get_config_history`.
#[derive(Debug, Clone, Serialize)]
pub struct ConfigHistory {
    pub client_id: String,
    pub profile_id: String,
    /// Newest first.
    pub revisions: Vec<ConfigRevisionSummary>,
    pub count: usize,
}

/// One row of [`ConfigHistory`], read from the revision's signed metadata.
#[derive(Debug, Clone, Serialize)]
pub struct ConfigRevisionSummary {
    pub sequence: i64,
    pub artifact_id: String,
    pub created_at: Option<String>,
    pub author: Option<String>,
    pub changelog: Option<String>,
    pub server_count: Option<u64>,
    pub parent_artifact_id: Option<String>,
    /// Set on a rollback: the artifact it restored.
    pub rolled_back_to: Option<String>,
    /// Set on a reviewed publish: who asked for it (signed, in the metadata).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub requested_by: Option<String>,
    /// Set on a reviewed publish: who approved it (signed, in the metadata).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub approved_by: Option<String>,
}

/// The answer of `initialize_keys`.
#[derive(Debug, Clone, Serialize)]
pub struct KeysInitialized {
    /// The old system's words: "initialized" (a new key pair), "already_exists" (kept the
    /// existing one) or "regenerated" (rotated).
    pub status: &'static str,
    /// Imprint's words for the same: "created", "exists" or "regenerated".
    pub outcome: &'static str,
    pub key_dir: PathBuf,
    pub public_key_path: PathBuf,
    pub private_key_path: PathBuf,
    pub signing_key_id: String,
    pub message: String,
}

super::addressed!(document: GetConfig, VerifyConfig, GetConfigHistory, DiffConfig, RollbackConfig);
super::addressed!(write: PublishConfig);

impl Service {
    pub(crate) fn signing_key(&self) -> ServiceResult<imprint_engine::signing::KeyPair> {
        self.inner.keys.load_or_create()
    }

    pub fn publish_config(&self, request: PublishConfig) -> ServiceResult<ConfigPublished> {
        self.publish_config_with(request, Map::new())
    }

    /// [`Self::publish_config`] with more signed metadata (who asked and who approved).
    pub(crate) fn publish_config_with(
        &self,
        request: PublishConfig,
        review: Map<String, Value>,
    ) -> ServiceResult<ConfigPublished> {
        let target = &request.target()?;
        let changelog = request.changelog.as_deref();
        if target.is_all() {
            return self.publish_all(target, changelog);
        }
        let (draft, servers, payload) = self.rendered_draft(target)?;
        if let Some(expected) = target.expected_version {
            let current = draft.as_ref().map(|d| d.version);
            if current != Some(expected) {
                return Err(target.stale(current));
            }
        }
        let report = validate::validate_payload(&target.client_id, &payload);
        if !report.valid {
            return Err(crate::error::does_not_validate(
                "the draft does not validate, nothing was published: ",
                &report,
                &Draft::new(&target.client_id, &target.profile_id, &target.draft_name),
            ));
        }
        if let Err(error) = self.require_secrets(&secrets::names_in_value(&payload)) {
            return Err(error.told_after(
                ErrorKind::InvalidInput,
                "the draft refers to a secret that is not stored, nothing was published: ",
            ));
        }
        let mut metadata = json!({
            "changelog": changelog.unwrap_or(""),
            "draft_name": target.draft_name,
            "draft_version": draft.as_ref().map(|d| d.version),
            "server_count": servers.len(),
            "warnings": report.warnings.len(),
        });
        if let Value::Object(map) = &mut metadata {
            map.extend(review);
        }
        let revision = self.append_signed(target, payload, metadata)?;
        Ok(publish_result(target, &revision, "published"))
    }

    /// Builds, signs and appends a revision; rebuilt if another publisher moved the head.
    fn append_signed(
        &self,
        target: &Target,
        payload: Value,
        extra_metadata: Value,
    ) -> ServiceResult<RevisionRow> {
        let key = self.signing_key()?;
        let document = target.document();
        let extra = match extra_metadata {
            Value::Object(map) => map,
            _ => Map::new(),
        };
        let revision = self.append_revision(&document, |head| {
            let seq = head.map_or(1, |h| h.seq + 1);
            let now = now_millis();
            let mut address = Map::new();
            address.insert("client_id".into(), json!(target.client_id));
            address.insert("profile_id".into(), json!(target.profile_id));
            let (artifact_id, envelope) = self.seal_revision(
                &key,
                payload.clone(),
                NewRevision {
                    address,
                    format: ARTIFACT_FORMAT,
                    seq,
                    parent_artifact_id: head.map(|h| h.artifact_id.clone()),
                    extra: &extra,
                    now,
                },
            )?;
            Ok(RevisionRow {
                document: document.clone(),
                seq,
                artifact_id,
                envelope,
                created_at: now,
            })
        })?;
        tracing::info!(document = %document, seq = revision.seq, artifact_id = %revision.artifact_id, "published");
        Ok(revision)
    }

    // ----- read, verify, diff, history, rollback --------------------------------------

    /// The revision for `artifact_id`, or the head; verified before it is returned.
    pub(super) fn revision_for(
        &self,
        target: &Target,
        artifact_id: Option<&str>,
    ) -> ServiceResult<RevisionRow> {
        let document = target.document();
        let revision = match artifact_id.filter(|s| !s.is_empty()) {
            Some(id) => {
                check_artifact_id_syntax(id, target)?;
                self.store()
                    .revision_by_artifact(&document, id)?
                    .ok_or_else(|| {
                        ServiceError::not_found(format!(
                            "no artifact {id} for {}/{}",
                            target.client_id, target.profile_id
                        ))
                        .with_hint(
                            Hint::text(": ")
                                .step(history(target))
                                .then(" lists the published ones"),
                        )
                    })?
            }
            None => self.store().head(&document)?.ok_or_else(|| {
                let draft = Draft::new(&target.client_id, &target.profile_id, super::DEFAULT_DRAFT);
                ServiceError::not_found(format!(
                    "nothing published yet for {}/{}",
                    target.client_id, target.profile_id
                ))
                .with_hint(
                    Hint::text(": build a draft with ")
                        .step(NextStep::AddServer(draft.clone()))
                        .then(", then ")
                        .step(NextStep::Publish(draft)),
                )
            })?,
        };
        self.verify_revision(&revision)?;
        Ok(revision)
    }

    pub fn get_config(&self, request: GetConfig) -> ServiceResult<ConfigArtifact> {
        let target = &request.target()?;
        Ok(ConfigArtifact(
            self.revision_for(target, request.artifact_id.as_deref())?
                .envelope,
        ))
    }

    /// The latest (or a given) artifact with its server names and signing time: the
    /// `config://…/latest` resource.
    pub fn latest_config(&self, request: GetConfig) -> ServiceResult<LatestConfig> {
        let envelope = self.get_config(request)?.into_envelope();
        let payload = envelope.get("payload").cloned().unwrap_or(Value::Null);
        // every server of the payload shows up as "added" against nothing
        let servers = diff::diff_payloads(&json!({}), &payload).servers_added;
        let signed_at = text_at(&envelope, "/created_at");
        let envelope = match envelope {
            Value::Object(map) => map,
            _ => Map::new(),
        };
        Ok(LatestConfig {
            envelope,
            server_count: servers.len(),
            servers,
            signed_at,
        })
    }

    pub fn verify_config(&self, request: VerifyConfig) -> ServiceResult<ConfigVerification> {
        let target = &request.target()?;
        let document = target.document();
        let revision = match request.artifact_id.as_deref().filter(|s| !s.is_empty()) {
            Some(id) => {
                check_artifact_id_syntax(id, target)?;
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
        let misplaced = self.misplacement(&revision)?;
        let valid = id_ok && signature_ok && misplaced.is_none();
        let message = if valid {
            format!("artifact {claimed} is intact and signed by {key_id}")
        } else if let Some(problem) = misplaced.filter(|_| id_ok && signature_ok) {
            problem
        } else if public.is_none() {
            format!("the public key {key_id} is not in the keyring: cannot check the signature")
        } else if !id_ok {
            format!("the payload hashes to {recomputed}, not {claimed}: the artifact was altered")
        } else {
            "the signature does not match: the artifact was altered after signing".to_string()
        };
        Ok(ConfigVerification {
            valid,
            artifact_id: claimed,
            recomputed_artifact_id: recomputed,
            artifact_id_matches: id_ok,
            signature_valid: signature_ok,
            signing_key_id: key_id,
            key_known: public.is_some(),
            sequence: revision.seq,
            message,
        })
    }

    pub fn diff_config(&self, request: DiffConfig) -> ServiceResult<ConfigDiff> {
        let target = &request.target()?;
        if target.is_all() {
            return self.diff_all(target, request);
        }
        let remote = self.revision_for(target, None)?;
        let remote_payload = remote
            .envelope
            .get("payload")
            .cloned()
            .unwrap_or(Value::Null);
        // The payload wins when both are given; the type already made it an object.
        let local_payload = match request.local_payload {
            Some(payload) => Value::Object(payload.into_inner()),
            None => {
                let id = request
                    .local_artifact_id
                    .as_deref()
                    .filter(|s| !s.is_empty())
                    .ok_or_else(|| {
                        ServiceError::invalid("pass local_payload (the config you have) or local_artifact_id (an artifact you hold)")
                    })?;
                self.revision_for(target, Some(id))?
                    .envelope
                    .get("payload")
                    .cloned()
                    .unwrap_or(Value::Null)
            }
        };
        // A payload read from a deployed file holds the secret values where the artifact holds
        // references: where a value is exactly what the reference deploys as, it counts as the
        // reference, so a file deployed from an artifact is up to date with it.
        let untouched_local = local_payload.clone();
        let mut local_payload = local_payload;
        self.match_references(&mut local_payload, &remote_payload);
        let local_id = canonical::artifact_id(&local_payload);
        let mut changes = diff::diff_payloads(&local_payload, &remote_payload);
        let local_changes = if local_id == remote.artifact_id {
            Vec::new()
        } else {
            self.local_changes(target, &untouched_local, &changes)?
        };
        let status = if local_id == remote.artifact_id {
            "up-to-date"
        } else if local_changes.is_empty() {
            "outdated"
        } else {
            "diverged"
        };
        redact_changes(&mut changes);
        let deploy = |force| NextStep::Deploy {
            client_id: target.client_id.clone(),
            profile_id: target.profile_id.clone(),
            force,
        };
        let (recommendation, said, next) = match status {
            "up-to-date" => (
                "safe",
                "the local config matches the latest published artifact".to_string(),
                Hint::default(),
            ),
            "outdated" => (
                "update",
                "the local config lacks changes the latest artifact has and has none of its own"
                    .to_string(),
                Hint::text(": ")
                    .step(deploy(false))
                    .then(" brings it up to date"),
            ),
            _ => (
                "review",
                format!(
                    "the local config has changes no published artifact has ({})",
                    local_changes.join(", ")
                ),
                Hint::text(": ")
                    .step(NextStep::ImportConfig(Draft::new(
                        &target.client_id,
                        &target.profile_id,
                        super::DEFAULT_DRAFT,
                    )))
                    .then(" to adopt them, or ")
                    .step(deploy(true))
                    .then(" to replace them"),
            ),
        };
        let message = format!("{said}{}", next.word(&ToolWords));
        let summary = DiffSummary::of(&changes, local_changes);
        Ok(ConfigDiff {
            status,
            recommendation,
            summary,
            local_artifact_id: local_id,
            remote_artifact_id: remote.artifact_id,
            client_id: target.client_id.clone(),
            profile_id: target.profile_id.clone(),
            diff: changes,
            message,
            next,
            reaches: None,
            clients: None,
        })
    }

    /// The servers of `local` (that differ from the latest, per `against_latest`) which no
    /// published revision of the document ever held exactly as `local` holds them.
    fn local_changes(
        &self,
        target: &Target,
        local: &Value,
        against_latest: &PayloadDiff,
    ) -> ServiceResult<Vec<String>> {
        let mut unpublished: Vec<String> = against_latest
            .servers_removed
            .iter()
            .chain(&against_latest.servers_modified)
            .cloned()
            .collect();
        if unpublished.is_empty() {
            return Ok(unpublished);
        }
        for revision in self.store().history(&target.document(), 1000)? {
            let payload = revision
                .envelope
                .get("payload")
                .cloned()
                .unwrap_or(Value::Null);
            let mut local = local.clone();
            self.match_references(&mut local, &payload);
            let same = diff::diff_payloads(&local, &payload).servers_unchanged;
            unpublished.retain(|name| !same.contains(name));
            if unpublished.is_empty() {
                break;
            }
        }
        unpublished.sort();
        Ok(unpublished)
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

    pub fn get_config_history(&self, request: GetConfigHistory) -> ServiceResult<ConfigHistory> {
        let target = &request.target()?;
        let limit = request.limit.map_or(20, |l| l as usize).clamp(1, 1000);
        let revisions: Vec<ConfigRevisionSummary> = self
            .store()
            .history(&target.document(), limit)?
            .into_iter()
            .map(|revision| {
                let envelope = &revision.envelope;
                ConfigRevisionSummary {
                    sequence: revision.seq,
                    created_at: text_at(envelope, "/created_at"),
                    author: text_at(envelope, "/metadata/author"),
                    changelog: text_at(envelope, "/metadata/changelog"),
                    server_count: envelope
                        .pointer("/metadata/server_count")
                        .and_then(Value::as_u64),
                    parent_artifact_id: text_at(envelope, "/metadata/parent_artifact_id"),
                    rolled_back_to: text_at(envelope, "/metadata/rolled_back_to"),
                    requested_by: text_at(envelope, "/metadata/requested_by"),
                    approved_by: text_at(envelope, "/metadata/approved_by"),
                    artifact_id: revision.artifact_id,
                }
            })
            .collect();
        Ok(ConfigHistory {
            client_id: target.client_id.clone(),
            profile_id: target.profile_id.clone(),
            count: revisions.len(),
            revisions,
        })
    }

    pub fn rollback_config(&self, request: RollbackConfig) -> ServiceResult<ConfigRolledBack> {
        let target = &request.target()?;
        let artifact_id = request.artifact_id.as_str();
        let changelog = request.changelog.as_deref();
        if artifact_id.is_empty() {
            return Err(ServiceError::invalid("artifact_id is required").with_hint(
                Hint::text(": ")
                    .step(history(target))
                    .then(" lists the artifacts to roll back to"),
            ));
        }
        if target.is_all() {
            return self.rollback_all(target, artifact_id, changelog);
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

    pub fn initialize_keys(&self, request: InitializeKeys) -> ServiceResult<KeysInitialized> {
        let regenerate = request.regenerate.is_some_and(|flag| flag.0);
        let (key, outcome) = self.inner.keys.initialize(regenerate)?;
        let (status, outcome, message) = match outcome {
            KeyInit::Created => (
                "initialized",
                "created",
                "created a new Ed25519 signing key pair".to_string(),
            ),
            KeyInit::Existing => (
                "already_exists",
                "exists",
                "a signing key already exists; pass regenerate=true to rotate it".to_string(),
            ),
            KeyInit::Rotated {
                previous_key_id, ..
            } => (
                "regenerated",
                "regenerated",
                format!(
                    "rotated the signing key; the old public key {previous_key_id} stays in the keyring so old artifacts still verify, and it endorsed the new key so machines that pinned it follow the rotation"
                ),
            ),
        };
        Ok(KeysInitialized {
            status,
            outcome,
            key_dir: self.inner.keys.dir().to_path_buf(),
            public_key_path: self.inner.keys.public_path(),
            private_key_path: self.inner.keys.private_path(),
            signing_key_id: key.key_id().to_string(),
            message,
        })
    }
}

pub(super) fn publish_result(
    target: &Target,
    revision: &RevisionRow,
    status: &'static str,
) -> ConfigPublished {
    let envelope = &revision.envelope;
    let next = Hint::text("; ")
        .step(NextStep::Deploy {
            client_id: target.client_id.clone(),
            profile_id: target.profile_id.clone(),
            force: false,
        })
        .then(" writes it into the client's file");
    ConfigPublished {
        status,
        artifact_id: revision.artifact_id.clone(),
        sequence: revision.seq,
        client_id: target.client_id.clone(),
        profile_id: target.profile_id.clone(),
        created_at: text_at(envelope, "/created_at"),
        signing_key_id: text_at(envelope, "/signing_key_id"),
        server_count: envelope
            .pointer("/metadata/server_count")
            .and_then(Value::as_u64),
        changelog: text_at(envelope, "/metadata/changelog"),
        parent_artifact_id: text_at(envelope, "/metadata/parent_artifact_id"),
        message: format!(
            "published revision {} ({}){}",
            revision.seq,
            revision.artifact_id,
            next.word(&ToolWords)
        ),
        next,
        clients: None,
    }
}

/// The string at `pointer` in a signed envelope; absent (or null) reads as `None`.
fn text_at(envelope: &Value, pointer: &str) -> Option<String> {
    envelope
        .pointer(pointer)
        .and_then(Value::as_str)
        .map(str::to_string)
}

/// The step that lists `target`'s published artifacts.
fn history(target: &Target) -> NextStep {
    NextStep::ConfigHistory {
        client_id: target.client_id.clone(),
        profile_id: target.profile_id.clone(),
    }
}

fn check_artifact_id_syntax(id: &str, target: &Target) -> ServiceResult<()> {
    if id.len() == 64
        && id
            .bytes()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
    {
        Ok(())
    } else {
        Err(ServiceError::invalid(format!(
            "artifact_id '{id}' is not a 64-digit lowercase hex SHA-256"
        ))
        .with_hint(Hint::text(": copy it from ").step(history(target))))
    }
}

crate::next::worded!(ConfigPublished, ConfigDiff);
