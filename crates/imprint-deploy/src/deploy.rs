//! The three operations on a client's file: read its MCP section, deploy a new one, and check
//! it for drift against the last deploy.

use std::fs;
use std::io;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::atomic::{self, Attributes};
use crate::section::{self, Plan};
use crate::syntax::{self, Section, Syntax};
use crate::{DeployError, FileFormat, backup, sha256_hex};

/// What Imprint wrote into a file last time, as recorded by the caller.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PreviousDeploy {
    /// The MCP section (object: name -> entry) as Imprint wrote it last time.
    pub section: Value,
    /// Lowercase hex SHA-256 of the whole file as written then; when the file still has this
    /// hash there is no drift and no need to parse it.
    pub file_sha256: String,
}

/// One deploy into one client's file.
#[derive(Debug, Clone, Copy)]
pub struct DeployRequest<'a> {
    /// The client's file; symlinks are followed and the file they lead to is replaced.
    pub path: &'a Path,
    pub format: FileFormat,
    /// The top-level key holding the servers (`mcpServers`, `servers`, `context_servers`).
    pub root_key: &'a str,
    /// The desired MCP section: object name -> entry.
    pub section: &'a Value,
    /// The last deploy into this file, if any; `None` means every server already in the file is
    /// someone else's.
    pub previous: Option<&'a PreviousDeploy>,
    /// Deploy even over drift and unmanaged servers (the backup keeps what was there).
    pub force: bool,
    /// Where backups go (created 0700 if missing).
    pub backup_dir: &'a Path,
}

/// What a deploy did.
#[derive(Debug, Clone, Serialize)]
pub struct DeployOutcome {
    pub path: PathBuf,
    /// The copy of the previous file; `None` when the file was created or not rewritten.
    pub backup_path: Option<PathBuf>,
    /// Lowercase hex SHA-256 of the whole file as written.
    pub file_sha256: String,
    /// Whether the file did not exist before.
    pub created: bool,
    pub added: Vec<String>,
    pub updated: Vec<String>,
    pub removed: Vec<String>,
    pub unchanged: Vec<String>,
    /// The section as now in the file (to record as [`PreviousDeploy::section`]).
    pub section: Value,
}

/// A file compared with the last deploy into it.
#[derive(Debug, Clone, Serialize)]
pub struct DriftReport {
    pub file_exists: bool,
    pub drifted: bool,
    /// One line per difference, e.g. "server 'x' added by hand", "server 'y' changed: args".
    pub changes: Vec<String>,
    /// Lowercase hex SHA-256 of the file now, when it exists.
    pub current_sha256: Option<String>,
}

/// The MCP section of a client's file; `Ok(None)` when the file or the key is absent (or the
/// key is `null`).
pub fn read_section(
    path: &Path,
    format: FileFormat,
    root_key: &str,
) -> Result<Option<Value>, DeployError> {
    let syntax = syntax::for_format(format)?;
    let Some(bytes) = read_file(path)? else {
        return Ok(None);
    };
    let text = decode(path, &bytes)?;
    let section = syntax.read(text, root_key).map_err(|e| e.at(path))?;
    Ok(section.map(Value::Object))
}

/// Compares the file's MCP section with the one Imprint last wrote. Changes to other keys are
/// not drift: clients such as Claude Code rewrite their own settings all the time.
pub fn drift(
    path: &Path,
    format: FileFormat,
    root_key: &str,
    previous: &PreviousDeploy,
) -> Result<DriftReport, DeployError> {
    let syntax = syntax::for_format(format)?;
    let previous_section = section_of_value(&previous.section);
    let Some(bytes) = read_file(path)? else {
        let changes = section::drift_changes(&previous_section, None);
        return Ok(DriftReport {
            file_exists: false,
            drifted: !changes.is_empty(),
            changes,
            current_sha256: None,
        });
    };
    let current_sha256 = sha256_hex(&bytes);
    let changes = if current_sha256 == previous.file_sha256 {
        Vec::new()
    } else {
        let current = read_current(syntax, path, &bytes, root_key)?;
        section::drift_changes(&previous_section, Some(&current))
    };
    Ok(DriftReport {
        file_exists: true,
        drifted: !changes.is_empty(),
        changes,
        current_sha256: Some(current_sha256),
    })
}

/// Writes `req.section` as the MCP section of `req.path`, changing nothing else in the file.
///
/// Refuses ([`DeployError::Drift`], [`DeployError::Unmanaged`]) unless `force` when the
/// section changed since `previous` or holds servers Imprint did not put there that this
/// deploy would change or remove. When the file already holds exactly the desired section it
/// is not rewritten (no backup, same hash). Otherwise the old file is backed up, the new one
/// written atomically with the old one's mode (0600 for a new file), and old backups pruned.
pub fn deploy(req: &DeployRequest) -> Result<DeployOutcome, DeployError> {
    let syntax = syntax::for_format(req.format)?;
    let desired = req.section.as_object().ok_or_else(|| DeployError::Shape {
        path: req.path.to_path_buf(),
        message: "the desired section must be an object of server name to entry".to_string(),
    })?;
    let target = atomic::resolve_symlinks(req.path)?;
    atomic::remove_stale_temp_files(&target);

    let existing = read_file(&target)?;
    let text = existing
        .as_deref()
        .map(|bytes| decode(req.path, bytes))
        .transpose()?;
    let current = match text {
        Some(text) => syntax
            .read(text, req.root_key)
            .map_err(|e| e.at(req.path))?,
        None => None,
    };
    let current_or_empty = current.clone().unwrap_or_default();

    if let (Some(previous), false) = (req.previous, req.force) {
        let hash_unchanged = existing
            .as_deref()
            .is_some_and(|bytes| sha256_hex(bytes) == previous.file_sha256);
        if !hash_unchanged {
            let file_section = existing.as_ref().map(|_| &current_or_empty);
            let changes =
                section::drift_changes(&section_of_value(&previous.section), file_section);
            if !changes.is_empty() {
                return Err(DeployError::Drift {
                    path: req.path.to_path_buf(),
                    changes,
                });
            }
        }
    }
    if !req.force {
        let previous = req.previous.map(|p| section_of_value(&p.section));
        let names = section::unmanaged(&current_or_empty, previous.as_ref(), desired);
        if !names.is_empty() {
            return Err(DeployError::Unmanaged {
                path: req.path.to_path_buf(),
                names,
            });
        }
    }

    let plan = Plan::new(&current_or_empty, desired);
    if let (Some(bytes), false) = (&existing, plan.changes_anything()) {
        // Already as desired: rewriting would only churn the file and the backups.
        return Ok(outcome(
            req,
            None,
            sha256_hex(bytes),
            false,
            plan,
            current_or_empty,
        ));
    }

    let new_text = syntax
        .rewrite(text, req.root_key, desired)
        .map_err(|e| e.at(req.path))?;
    let written = syntax
        .read(&new_text, req.root_key)
        .map_err(|e| e.at(req.path))?
        .unwrap_or_default();

    let attributes = match &existing {
        Some(_) => fs::metadata(&target)
            .map(|metadata| Attributes::of(&metadata))
            .map_err(|e| DeployError::io(req.path, "reading the mode of", e))?,
        None => Attributes::new_file(),
    };
    let backup_path = match &existing {
        Some(bytes) => Some(backup::create(req.backup_dir, file_name(req.path)?, bytes)?),
        None => None,
    };
    if let Err(error) = atomic::write(&target, new_text.as_bytes(), &attributes) {
        if let Some(backup_path) = &backup_path {
            backup::discard(backup_path);
        }
        return Err(error);
    }
    if backup_path.is_some() {
        backup::prune(req.backup_dir, file_name(req.path)?);
    }
    Ok(outcome(
        req,
        backup_path,
        sha256_hex(new_text.as_bytes()),
        existing.is_none(),
        plan,
        written,
    ))
}

fn outcome(
    req: &DeployRequest,
    backup_path: Option<PathBuf>,
    file_sha256: String,
    created: bool,
    plan: Plan,
    section: Section,
) -> DeployOutcome {
    DeployOutcome {
        path: req.path.to_path_buf(),
        backup_path,
        file_sha256,
        created,
        added: plan.added,
        updated: plan.updated,
        removed: plan.removed,
        unchanged: plan.unchanged,
        section: Value::Object(section),
    }
}

fn file_name(path: &Path) -> Result<&std::ffi::OsStr, DeployError> {
    path.file_name().ok_or_else(|| {
        DeployError::io(
            path,
            "writing",
            io::Error::new(io::ErrorKind::InvalidInput, "the path names no file"),
        )
    })
}

/// The file's bytes, or `None` when there is no file.
fn read_file(path: &Path) -> Result<Option<Vec<u8>>, DeployError> {
    match fs::read(path) {
        Ok(bytes) => Ok(Some(bytes)),
        Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(DeployError::io(path, "reading", e)),
    }
}

fn decode<'b>(path: &Path, bytes: &'b [u8]) -> Result<&'b str, DeployError> {
    std::str::from_utf8(bytes).map_err(|error| DeployError::Parse {
        path: path.to_path_buf(),
        message: format!("not valid UTF-8 at byte {}", error.valid_up_to()),
    })
}

fn read_current(
    syntax: &dyn Syntax,
    path: &Path,
    bytes: &[u8],
    root_key: &str,
) -> Result<Section, DeployError> {
    let text = decode(path, bytes)?;
    let section = syntax.read(text, root_key).map_err(|e| e.at(path))?;
    Ok(section.unwrap_or_default())
}

/// A recorded section as a map; anything but an object counts as empty.
fn section_of_value(value: &Value) -> Section {
    value.as_object().cloned().unwrap_or_default()
}
