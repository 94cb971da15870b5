//! The client's own file: import what is there into a draft, deploy an artifact into it,
//! what was deployed (and drift since), and the status of every client file on the machine.

use std::cell::RefCell;
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use imprint_config::clients::{self, ClientSpec, SectionShape};
use imprint_config::{import, secrets};
use imprint_deploy::{
    BeforeReplace, DeployRequest, DriftReport, DriftRequest, FileFormat, IntendedWrite,
    ListAddition, Masking, PreviousDeploy,
};
use imprint_engine::timestamp;
use imprint_store::DeploymentRow;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use super::{Target, layout_of};
use crate::api::Flag;
use crate::error::{ServiceError, ServiceResult};
use crate::next::{Draft, Hint, NextStep, ToolWords};
use crate::{Service, now_millis};

/// `import_config`: the servers already in the client's file, read into the draft.
#[derive(Debug, Clone, Default, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ImportConfig {
    /// Client id (default "claude-desktop"); "all" means every client linked to the profile, each answered on its own.
    pub client_id: Option<String>,
    /// Profile id (default "default").
    pub profile_id: Option<String>,
    /// Draft name (default "default").
    pub draft_name: Option<String>,
    /// Absolute path of a project: read the client's project-scope file there instead of the user-scope file.
    pub project_dir: Option<String>,
    /// The draft version you read; the write is refused if the draft changed since.
    #[schemars(range(min = 1))]
    pub expected_version: Option<i64>,
}

/// `deploy_config`: a published artifact written into the client's own file.
#[derive(Debug, Clone, Default, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct DeployConfig {
    /// Client id (default "claude-desktop"); "all" means every client linked to the profile, each answered on its own.
    pub client_id: Option<String>,
    /// Profile id (default "default").
    pub profile_id: Option<String>,
    /// Artifact to deploy (default: the latest published).
    pub artifact_id: Option<String>,
    /// Replace servers Imprint did not put in the file, and ignore drift (a backup is kept). Default false.
    pub force: Option<Flag>,
    /// Absolute path of a project: deploy into the client's project-scope file there (Claude Code <project_dir>/.mcp.json, Cursor .cursor/mcp.json, VS Code .vscode/mcp.json, Zed .zed/settings.json, …) instead of the user-scope file.
    pub project_dir: Option<String>,
    /// With project_dir: deploy even when the directory does not look like a project (no .git, package.json, Cargo.toml, …). System directories and the home directory are refused regardless. Default false.
    pub allow_any_dir: Option<Flag>,
    /// "value" (default): write the secret values into the file. "reference": write the client's own reference instead (Claude Code ${VAR}, Cursor ${env:VAR}, VS Code ${input:VAR} with an inputs entry, …), so the file holds no secret and the client reads it from its environment or asks for it.
    pub secrets: Option<String>,
}

/// `deployed`: what was last deployed for a client/profile, and drift since.
#[derive(Debug, Clone, Default, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct DeployedConfig {
    /// Client id (default "claude-desktop").
    pub client_id: Option<String>,
    /// Profile id (default "default").
    pub profile_id: Option<String>,
}

/// `get_deployment_status`: every client file on this machine.
#[derive(Debug, Clone, Default, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct GetDeploymentStatus {
    /// Absolute path of a project: also report each client's project-scope file there.
    pub project_dir: Option<String>,
}

/// The answer of `import_config`.
#[derive(Debug, Clone, Serialize)]
pub struct ConfigImported {
    /// Always "imported".
    pub status: &'static str,
    /// The file read.
    pub path: PathBuf,
    /// "user" or "project".
    pub scope: &'static str,
    pub client_id: String,
    pub profile_id: String,
    pub draft_name: String,
    /// Names of the servers read from the file.
    pub imported: Vec<String>,
    /// Of those, the ones that replaced an entry already in the draft.
    pub replaced_in_draft: Vec<String>,
    /// `${secret:NAME}` references of the values moved to the secret store.
    pub secrets: Vec<String>,
    pub server_count: usize,
    pub draft_version: i64,
    pub message: String,
    /// What can follow, as data: publish the draft, then deploy it.
    pub next: Hint,
}

/// The answer of `deploy_config`.
#[derive(Debug, Clone, Serialize)]
pub struct ConfigDeployed {
    /// Always "deployed".
    pub status: &'static str,
    pub client_id: String,
    pub profile_id: String,
    pub artifact_id: String,
    pub sequence: i64,
    pub path: PathBuf,
    /// The old system's name for `path`: the file written.
    pub config_path: PathBuf,
    /// "user" or "project".
    pub scope: &'static str,
    pub created_file: bool,
    pub backup_path: Option<PathBuf>,
    pub file_sha256: String,
    pub added: Vec<String>,
    pub updated: Vec<String>,
    pub removed: Vec<String>,
    pub unchanged: Vec<String>,
    /// "value" or "reference".
    pub secrets: &'static str,
    pub secret_values_written: usize,
    /// Variables the client reads from its environment.
    pub environment_variables: BTreeSet<String>,
    /// VS Code `inputs` entries added.
    pub inputs_added: Vec<String>,
    pub deployed_at: String,
    pub message: String,
    /// What the deploy did that the caller should know about (secret values in a file other
    /// users can read); empty when there is nothing to say.
    pub warnings: Vec<DeployWarning>,
}

/// A [`ConfigDeployed`] warning.
#[derive(Debug, Clone, Serialize)]
pub struct DeployWarning {
    /// "SECRETS_IN_READABLE_FILE".
    pub code: &'static str,
    /// The file concerned.
    pub path: PathBuf,
    /// Its permission bits, octal ("0644").
    pub mode: Option<String>,
    /// What is wrong and how to fix it.
    pub message: String,
}

/// The answer of `deployed`: never deployed, or the last deploy and drift since.
#[derive(Debug, Clone, Serialize)]
#[serde(untagged)]
pub enum DeployedState {
    Never(NeverDeployed),
    Deployed(LastDeploy),
}

/// [`DeployedState::Never`]: nothing was deployed for this client/profile.
#[derive(Debug, Clone, Serialize)]
pub struct NeverDeployed {
    pub client_id: String,
    pub profile_id: String,
    /// Always `false`.
    pub deployed: bool,
    /// The client's user-scope file, where a deploy would write.
    pub path: PathBuf,
    /// The old system's name for `path`.
    pub config_path: PathBuf,
    /// Always `false`: nothing deployed, nothing to drift from.
    pub drift_detected: bool,
    pub message: String,
    /// What can follow, as data: deploy the latest artifact.
    pub next: Hint,
}

/// [`DeployedState::Deployed`]: the latest deploy for this client/profile.
#[derive(Debug, Clone, Serialize)]
pub struct LastDeploy {
    pub client_id: String,
    pub profile_id: String,
    /// Always `true`.
    pub deployed: bool,
    pub path: String,
    /// The old system's name for `path`: the file deployed into.
    pub config_path: String,
    pub artifact_id: String,
    /// The deployed artifact's changelog.
    pub changelog: Option<String>,
    /// Whether the file was edited since the deploy (the same as `drift.drifted`).
    pub drift_detected: bool,
    pub latest_artifact_id: Option<String>,
    pub up_to_date: bool,
    pub deployed_at: String,
    pub file_sha256: String,
    pub backup_path: Option<String>,
    pub drift: DriftReport,
}

/// The answer of `get_deployment_status`.
#[derive(Debug, Clone, Serialize)]
pub struct DeploymentStatus {
    pub files: Vec<FileStatus>,
    pub count: usize,
    pub summary: StatusSummary,
    /// Each published profile of client id "all": which linked clients hold its latest
    /// publish (in step), an older one (behind), or were edited since (drifted).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub all_profiles: Vec<super::ProfileStatus>,
    /// One line per file found, then one per published profile of "all".
    pub message: String,
}

/// How many files of [`DeploymentStatus`] are in each state.
#[derive(Debug, Clone, Serialize)]
pub struct StatusSummary {
    pub files_found: usize,
    pub in_sync: usize,
    pub outdated: usize,
    pub drifted: usize,
    pub not_managed: usize,
    pub unreadable: usize,
}

/// One client file of [`DeploymentStatus`].
#[derive(Debug, Clone, Serialize)]
pub struct FileStatus {
    pub client_id: String,
    pub display_name: String,
    /// "user" or "project".
    pub scope: String,
    pub path: PathBuf,
    pub format: FileFormat,
    pub file_found: bool,
    /// Server names in the file; `None` when it cannot be read.
    pub servers: Option<Vec<String>>,
    /// The servers Imprint wrote at its last deploy.
    pub managed: Vec<String>,
    pub unmanaged: Vec<String>,
    pub deployed: Option<DeployedArtifact>,
    pub latest_artifact_id: Option<String>,
    pub up_to_date: Option<bool>,
    /// The team server the deployed artifact was pulled from (`imprint deploy --from`):
    /// the file is then in step when it holds what was last pulled from that server (the
    /// status's `team` rows say whether the server has published a newer one).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub pulled_from: Option<String>,
    pub drift: Option<FileDrift>,
    /// Why the file could not be read or compared.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    /// "no-file", "not-managed", "in-sync", "outdated", "drifted" or "unreadable".
    pub state: &'static str,
}

/// What Imprint last deployed into a [`FileStatus`] file.
#[derive(Debug, Clone, Serialize)]
pub struct DeployedArtifact {
    pub profile_id: String,
    pub artifact_id: String,
    pub deployed_at: String,
}

/// A [`FileStatus`] file compared with its last deploy.
#[derive(Debug, Clone, Serialize)]
pub struct FileDrift {
    pub drifted: bool,
    pub changes: Vec<String>,
}

super::addressed!(document: DeployConfig, DeployedConfig);
super::addressed!(write: ImportConfig);

/// A `project_dir` argument; an empty string means none.
fn project_dir(value: Option<&str>) -> Option<PathBuf> {
    value
        .filter(|dir| !dir.trim().is_empty())
        .map(PathBuf::from)
}

impl Service {
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

    /// Reads the servers already in the client's file (the project-scope one under
    /// `project_dir`, if given) into the draft. Secret values found in env vars and headers go
    /// to the secret store; the draft gets `${secret:NAME}` references.
    pub fn import_config(&self, request: ImportConfig) -> ServiceResult<ConfigImported> {
        let target = &request.target()?;
        let project_dir = project_dir(request.project_dir.as_deref());
        let project_dir = project_dir.as_deref();
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
        let imported: Vec<String> = servers.keys().cloned().collect();
        let next = Hint::text("; ")
            .step(NextStep::Publish(Draft::new(
                &target.client_id,
                &target.profile_id,
                &target.draft_name,
            )))
            .then(" then ")
            .step(NextStep::Deploy {
                client_id: target.client_id.clone(),
                profile_id: target.profile_id.clone(),
                force: false,
            })
            .then(" to manage them");
        let message = format!(
            "imported {} server(s) from {} into the draft{}{}",
            imported.len(),
            path.display(),
            if protected.is_empty() {
                String::new()
            } else {
                format!(
                    " ({} secret value(s) moved to the encrypted secret store)",
                    protected.len()
                )
            },
            next.word(&ToolWords)
        );
        Ok(ConfigImported {
            status: "imported",
            path,
            scope,
            client_id: target.client_id.clone(),
            profile_id: target.profile_id.clone(),
            draft_name: target.draft_name.clone(),
            imported,
            replaced_in_draft: replaced,
            secrets: protected
                .iter()
                .map(|name| secrets::reference(name))
                .collect(),
            server_count: self.store().draft_item_count(&draft.id)?,
            draft_version: version,
            message,
            next,
        })
    }

    /// Writes an artifact (default: the latest) into the client's own file, changing only its
    /// MCP section. Secret references become the values, or with `secrets: "reference"` the
    /// client's own reference syntax.
    pub fn deploy_config(&self, request: DeployConfig) -> ServiceResult<ConfigDeployed> {
        self.deploy_config_of(request, None)
    }

    /// [`Service::deploy_config`] of `pulled` when given: a revision pulled from a team server,
    /// already verified against the pinned keys (`team.rs`), instead of one of this store's.
    pub(crate) fn deploy_config_of(
        &self,
        request: DeployConfig,
        pulled: Option<imprint_store::RevisionRow>,
    ) -> ServiceResult<ConfigDeployed> {
        let target = &request.target()?;
        let options = &DeployOptions {
            artifact_id: request.artifact_id.clone().filter(|id| !id.is_empty()),
            force: request.force.is_some_and(|flag| flag.0),
            project_dir: project_dir(request.project_dir.as_deref()),
            secrets: SecretMode::parse(request.secrets.as_deref())?,
        };
        let client = target.client()?;
        let revision = match pulled {
            Some(revision) => revision,
            None => self.revision_for(target, options.artifact_id.as_deref())?,
        };
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
        if let Some(dir) = &options.project_dir {
            let allow_any_dir = request.allow_any_dir.is_some_and(|flag| flag.0);
            crate::paths::check_project_dir(dir, self.home_dir(), allow_any_dir)?;
        }

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
        self.settle_pending_deployments()?;
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
        let row = |file_sha256: &str, section: &Value, backup_path: Option<&Path>| DeploymentRow {
            document: target.document(),
            path: path_text.clone(),
            artifact_id: revision.artifact_id.clone(),
            file_sha256: file_sha256.to_string(),
            section: section.clone(),
            backup_path: backup_path.map(|p| p.to_string_lossy().to_string()),
            deployed_at: now_millis(),
        };
        // The intent is recorded before the file is replaced and confirmed after, so a crash
        // in between leaves a record by which the new bytes are known to be Imprint's own.
        let not_recorded: RefCell<Option<ServiceError>> = RefCell::new(None);
        let intended: RefCell<Option<String>> = RefCell::new(None);
        let record_intent = |write: &IntendedWrite| {
            let intent = row(write.file_sha256, write.section, write.backup_path);
            match self.store().record_pending_deployment(&intent) {
                Ok(()) => {
                    *intended.borrow_mut() = Some(intent.file_sha256);
                    Ok(())
                }
                Err(error) => {
                    let error = ServiceError::from(error);
                    let message = error.message().to_string();
                    *not_recorded.borrow_mut() = Some(error);
                    Err(message)
                }
            }
        };
        let deployed = imprint_deploy::deploy(&DeployRequest {
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
            before_replace: Some(BeforeReplace(&record_intent)),
        });
        let outcome = match deployed {
            Ok(outcome) => outcome,
            Err(error) => {
                // The file was not replaced: an intent recorded for it names bytes that never
                // landed (best effort; the next read discards it anyway).
                if let Some(sha) = intended.borrow().as_deref() {
                    let _ = self.store().discard_pending_deployment(&path_text, sha);
                }
                return Err(match (error, not_recorded.take()) {
                    (imprint_deploy::DeployError::NotRecorded { .. }, Some(store_error)) => {
                        store_error
                    }
                    (error, _) => crate::error::deploy_failed(
                        error,
                        &target.client_id,
                        &target.profile_id,
                        options.project_dir.as_deref(),
                    ),
                });
            }
        };
        let deployment = row(
            &outcome.file_sha256,
            &outcome.section,
            outcome.backup_path.as_deref(),
        );
        let now = deployment.deployed_at;
        self.store().confirm_deployment(&deployment)?;
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
        let mut warnings = Vec::new();
        // The file keeps its mode; secret values in a file others can read are worth a word.
        if let Some(mode) = outcome.mode.filter(|mode| mode & 0o044 != 0)
            && !written_secrets.is_empty()
        {
            let fix = if client.secret_reference.is_some() {
                format!(
                    "chmod 600 {0}, or deploy with secrets: \"reference\" (imprint deploy --secrets reference) so the file holds references instead of values",
                    outcome.path.display()
                )
            } else {
                format!(
                    "chmod 600 {} ({} has no reference syntax of its own, so the values have to be in the file)",
                    outcome.path.display(),
                    client.display_name
                )
            };
            warnings.push(DeployWarning {
                code: "SECRETS_IN_READABLE_FILE",
                path: outcome.path.clone(),
                mode: Some(format!("{mode:04o}")),
                message: format!(
                    "{} is readable by other users (mode {mode:04o}) and now holds {} secret value(s): {fix}",
                    outcome.path.display(),
                    written_secrets.len()
                ),
            });
            tracing::warn!(path = %outcome.path.display(), mode = %format!("{mode:04o}"), "secret values written into a file other users can read");
        }
        Ok(ConfigDeployed {
            status: "deployed",
            client_id: target.client_id.clone(),
            profile_id: target.profile_id.clone(),
            artifact_id: revision.artifact_id,
            sequence: revision.seq,
            config_path: outcome.path.clone(),
            path: outcome.path,
            scope,
            created_file: outcome.created,
            backup_path: outcome.backup_path,
            file_sha256: outcome.file_sha256,
            added: outcome.added,
            updated: outcome.updated,
            removed: outcome.removed,
            unchanged: outcome.unchanged,
            secrets: options.secrets.as_str(),
            secret_values_written: written_secrets.len(),
            environment_variables: environment,
            inputs_added: outcome.companion_added,
            deployed_at: timestamp::rfc3339_millis(now),
            message,
            warnings,
        })
    }

    /// What was deployed for a client/profile (its latest deploy, user or project scope), and
    /// whether the file drifted since.
    pub fn deployed_config(&self, request: DeployedConfig) -> ServiceResult<DeployedState> {
        let target = &request.target()?;
        let client = target.client()?;
        self.settle_pending_deployments()?;
        let Some(row) = self.store().last_deployment(&target.document())? else {
            let path = client.config_path(self.home_dir());
            let next = Hint::default()
                .step(NextStep::Deploy {
                    client_id: target.client_id.clone(),
                    profile_id: target.profile_id.clone(),
                    force: false,
                })
                .then(" writes the latest artifact into the client's file");
            return Ok(DeployedState::Never(NeverDeployed {
                client_id: target.client_id.clone(),
                profile_id: target.profile_id.clone(),
                deployed: false,
                config_path: path.clone(),
                drift_detected: false,
                path,
                message: format!("never deployed: {}", next.word(&ToolWords)),
                next,
            }));
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
        let changelog = self
            .store()
            .revision_by_artifact(&target.document(), &row.artifact_id)?
            .and_then(|r| {
                r.envelope
                    .pointer("/metadata/changelog")
                    .and_then(Value::as_str)
                    .map(str::to_string)
            });
        Ok(DeployedState::Deployed(LastDeploy {
            client_id: target.client_id.clone(),
            profile_id: target.profile_id.clone(),
            deployed: true,
            up_to_date: latest.as_deref() == Some(row.artifact_id.as_str()),
            config_path: row.path.clone(),
            path: row.path,
            artifact_id: row.artifact_id,
            changelog,
            drift_detected: drift.drifted,
            latest_artifact_id: latest,
            deployed_at: timestamp::rfc3339_millis(row.deployed_at),
            file_sha256: row.file_sha256,
            backup_path: row.backup_path,
            drift,
        }))
    }

    /// For every client on this machine: its file (user scope, the project scope under
    /// `project_dir` if given, and every project-scope file deployed to before), whether it
    /// exists, the servers in it, which of them Imprint manages, the deployed artifact against
    /// the latest one, and drift.
    pub fn get_deployment_status(
        &self,
        request: GetDeploymentStatus,
    ) -> ServiceResult<DeploymentStatus> {
        let project_dir = project_dir(request.project_dir.as_deref());
        let project_dir = project_dir.as_deref();
        if let Some(dir) = project_dir
            && (!dir.is_absolute() || !dir.is_dir())
        {
            return Err(ServiceError::invalid(format!(
                "project_dir must be an existing directory given as an absolute path, got {}",
                dir.display()
            )));
        }
        self.settle_pending_deployments()?;
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
        let count = |state: &str| files.iter().filter(|f| f.state == state).count();
        let summary = StatusSummary {
            files_found: files.iter().filter(|f| f.file_found).count(),
            in_sync: count("in-sync"),
            outdated: count("outdated"),
            drifted: count("drifted"),
            not_managed: count("not-managed"),
            unreadable: count("unreadable"),
        };
        let lines: Vec<String> = files
            .iter()
            .filter(|f| f.state != "no-file")
            .map(|f| {
                let servers = f.servers.as_ref().map_or(0, Vec::len);
                let mut line = format!(
                    "{} ({}): {}, {servers} server(s)",
                    f.client_id, f.scope, f.state
                );
                if !f.unmanaged.is_empty() {
                    line.push_str(&format!(", {} not managed by imprint", f.unmanaged.len()));
                }
                line
            })
            .collect();
        let all_profiles = self.published_profiles_status(&files)?;
        let mut message = if lines.is_empty() {
            "no MCP client configuration file found on this machine".to_string()
        } else {
            lines.join("\n")
        };
        for profile in &all_profiles {
            message.push('\n');
            message.push_str(&profile.message);
        }
        Ok(DeploymentStatus {
            count: files.len(),
            files,
            summary,
            all_profiles,
            message,
        })
    }

    /// Settles the writes a deploy recorded as intended but did not confirm (it crashed, or
    /// its confirmation failed): a file that holds exactly the intended bytes was written by
    /// that deploy, which is recorded now; an intent whose bytes are not in the file never
    /// landed and is dropped. A file that cannot be read keeps its intent for a later look.
    /// (A deploy in flight in another process, between its intent and its rename, may lose its
    /// intent here; it still records its deployment when it confirms.)
    fn settle_pending_deployments(&self) -> ServiceResult<()> {
        for intent in self.store().pending_deployments()? {
            match imprint_deploy::file_sha256(Path::new(&intent.path)) {
                Ok(Some(sha)) if sha == intent.file_sha256 => {
                    tracing::info!(
                        document = %intent.document,
                        path = %intent.path,
                        artifact_id = %intent.artifact_id,
                        "an interrupted deploy had written the file: recorded it as deployed"
                    );
                    self.store().confirm_deployment(&intent)?;
                }
                Ok(_) => {
                    self.store()
                        .discard_pending_deployment(&intent.path, &intent.file_sha256)?;
                }
                Err(_) => {}
            }
        }
        Ok(())
    }

    fn file_status(
        &self,
        client: &ClientSpec,
        path: &Path,
        scope: &str,
        masking: Option<&Masking>,
    ) -> ServiceResult<FileStatus> {
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
        let mut row = FileStatus {
            client_id: client.id.clone(),
            display_name: client.display_name.clone(),
            scope: scope.to_string(),
            path: path.to_path_buf(),
            format: client.format,
            file_found,
            servers: present.as_ref().ok().cloned(),
            managed,
            unmanaged,
            deployed: None,
            latest_artifact_id: None,
            up_to_date: None,
            pulled_from: None,
            drift: None,
            error: present.as_ref().err().cloned(),
            state: "",
        };
        row.state = match (&last, &present) {
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
                // A member's file holds what it pulled from a team server, not a local
                // publish: compared with the last pull, or every pulled file reads outdated.
                let pulled_from =
                    self.pulled_from(&client.id, &profile_id, &deployment.artifact_id);
                let up_to_date = latest.as_deref() == Some(deployment.artifact_id.as_str())
                    || pulled_from.is_some();
                row.pulled_from = pulled_from;
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
                row.deployed = Some(DeployedArtifact {
                    profile_id,
                    artifact_id: deployment.artifact_id.clone(),
                    deployed_at: timestamp::rfc3339_millis(deployment.deployed_at),
                });
                row.latest_artifact_id = latest;
                row.up_to_date = Some(up_to_date);
                match drift {
                    Ok(report) => {
                        let drifted = report.drifted;
                        row.drift = Some(FileDrift {
                            drifted,
                            changes: report.changes,
                        });
                        if drifted {
                            "drifted"
                        } else if up_to_date {
                            "in-sync"
                        } else {
                            "outdated"
                        }
                    }
                    Err(error) => {
                        row.error = Some(error.to_string());
                        "unreadable"
                    }
                }
            }
        };
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

/// [`DeployConfig`] with its defaults applied.
#[derive(Debug, Clone, Default)]
struct DeployOptions {
    /// The artifact to deploy (default: the latest).
    artifact_id: Option<String>,
    /// Deploy over unmanaged servers and drift (a backup keeps what was there).
    force: bool,
    /// Deploy into the client's project-scope file under this directory.
    project_dir: Option<PathBuf>,
    secrets: SecretMode,
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

crate::next::worded!(ConfigImported, NeverDeployed);

impl crate::next::Worded for DeployedState {
    fn reword(&mut self, words: &dyn crate::next::Words) {
        if let DeployedState::Never(never) = self {
            never.reword(words);
        }
    }
}
