//! The three operations on a client's file: read its MCP section, deploy a new one, and check
//! it for drift against the last deploy.

use std::fmt;
use std::fs;
use std::io;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::atomic::{self, Attributes};
use crate::section::{self, Plan};
use crate::syntax::{self, Rewrite, Section, Syntax, SyntaxError};
use crate::{DeployError, FileFormat, backup, sha256_hex};
use imprint_engine::json::kind as kind_of;

/// What Imprint wrote into a file last time, as recorded by the caller.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PreviousDeploy {
    /// The MCP section (object: name -> entry) as Imprint wrote it last time, with secret values
    /// replaced by fingerprints when the deploy was given a [`Masking`].
    pub section: Value,
    /// Lowercase hex SHA-256 of the whole file as written then; when the file still has this
    /// hash there is no drift and no need to parse it.
    pub file_sha256: String,
}

/// How a client lays out its MCP section.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum SectionLayout<'a> {
    /// An object keyed by server name (every client but Continue).
    #[default]
    Map,
    /// A list of entries, each naming itself under `name_key` (Continue's `mcpServers`).
    /// Deploy works on it as a map by name and writes it back as a list, keeping the file's
    /// order for the entries already there.
    List { name_key: &'a str },
}

/// Secret values a deploy writes, and how to fingerprint them, so that what the caller records
/// about the deploy ([`DeployOutcome::section`]) holds no secret: every string that contains one
/// of `values` is recorded as a keyed fingerprint of the whole string. Drift checks compare a
/// fingerprint with the fingerprint of what the file holds now.
pub struct Masking<'a> {
    /// The plaintext secrets written by this deploy (empty strings are ignored).
    pub values: &'a [String],
    /// A keyed hash (e.g. HMAC-SHA256, hex) of a string; it must be the same function at every
    /// deploy and drift check of a file, and must not be computable without the key.
    pub fingerprint: &'a dyn Fn(&str) -> String,
}

impl fmt::Debug for Masking<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // the values are secrets: only how many there are is shown
        f.debug_struct("Masking")
            .field("values", &format_args!("<{} redacted>", self.values.len()))
            .finish_non_exhaustive()
    }
}

/// Entries to add, where missing, to a top-level list beside the MCP section: VS Code's
/// `inputs`, which `${input:…}` references need. Entries already there (same `id_key` value)
/// are left as they are; nothing is ever removed from the list.
#[derive(Debug, Clone, Copy)]
pub struct ListAddition<'a> {
    pub key: &'a str,
    pub id_key: &'a str,
    pub items: &'a [Value],
}

/// One deploy into one client's file.
#[derive(Debug, Clone, Copy)]
pub struct DeployRequest<'a> {
    /// The client's file; symlinks are followed and the file they lead to is replaced.
    pub path: &'a Path,
    pub format: FileFormat,
    /// The top-level key holding the servers (`mcpServers`, `servers`, `context_servers`).
    pub root_key: &'a str,
    /// Whether the section is an object of entries or a list of them.
    pub layout: SectionLayout<'a>,
    /// The desired MCP section, in the client's layout (an object name -> entry, or a list).
    pub section: &'a Value,
    /// The last deploy into this file, if any; `None` means every server already in the file is
    /// someone else's.
    pub previous: Option<&'a PreviousDeploy>,
    /// Deploy even over drift and unmanaged servers (the backup keeps what was there).
    pub force: bool,
    /// Where backups go (created 0700 if missing).
    pub backup_dir: &'a Path,
    /// Secrets in `section`, to keep out of [`DeployOutcome::section`].
    pub masking: Option<&'a Masking<'a>>,
    /// Entries to add to a list beside the section.
    pub companion: Option<&'a ListAddition<'a>>,
    /// Called with what is about to be written, after the new file is ready beside the old one
    /// and just before it replaces it: the caller records the intent, so that a crash between
    /// the replace and the caller's record of the deploy leaves a trace by which the new bytes
    /// are known to be Imprint's own. An error stops the deploy with the file untouched.
    pub before_replace: Option<BeforeReplace<'a>>,
}

/// What a deploy is about to write into its file (see [`DeployRequest::before_replace`]).
#[derive(Debug, Clone, Copy)]
pub struct IntendedWrite<'a> {
    /// Lowercase hex SHA-256 of the whole new file.
    pub file_sha256: &'a str,
    /// The section as it will be in the file, masked: what [`DeployOutcome::section`] will be.
    pub section: &'a Value,
    /// The backup of the file being replaced, if there is one.
    pub backup_path: Option<&'a Path>,
}

/// The caller's record of an [`IntendedWrite`]; its error message ends the deploy
/// ([`DeployError::NotRecorded`]).
#[derive(Clone, Copy)]
pub struct BeforeReplace<'a>(pub &'a dyn Fn(&IntendedWrite) -> Result<(), String>);

impl fmt::Debug for BeforeReplace<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("BeforeReplace(..)")
    }
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
    /// The ids of the [`ListAddition`] entries that were missing and were added.
    pub companion_added: Vec<String>,
    /// The file's permission bits as it is now (`0o644`), where the platform has them: a
    /// deploy keeps an existing file's mode, which may let other users read what it wrote.
    pub mode: Option<u32>,
    /// The section as now in the file, as an object by name, masked (to record as
    /// [`PreviousDeploy::section`]).
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

/// One drift check.
#[derive(Debug, Clone, Copy)]
pub struct DriftRequest<'a> {
    pub path: &'a Path,
    pub format: FileFormat,
    pub root_key: &'a str,
    pub layout: SectionLayout<'a>,
    pub previous: &'a PreviousDeploy,
    /// The fingerprint function of the deploy that recorded `previous` (its values are unused).
    pub masking: Option<&'a Masking<'a>>,
}

/// The MCP section of a client's file as the file holds it (an object, or a list for a
/// list-shaped section); `Ok(None)` when the file or the key is absent (or the key is `null`).
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
    syntax.read(text, root_key).map_err(|e| e.at(path))
}

/// Lowercase hex SHA-256 of the file's bytes, `Ok(None)` when there is no file; anything but
/// a regular file (after symlinks) is refused, as by every other read.
pub fn file_sha256(path: &Path) -> Result<Option<String>, DeployError> {
    Ok(read_file(path)?.map(|bytes| sha256_hex(&bytes)))
}

/// [`drift_with`] for an object-shaped section recorded without masking.
pub fn drift(
    path: &Path,
    format: FileFormat,
    root_key: &str,
    previous: &PreviousDeploy,
) -> Result<DriftReport, DeployError> {
    drift_with(&DriftRequest {
        path,
        format,
        root_key,
        layout: SectionLayout::Map,
        previous,
        masking: None,
    })
}

/// Compares the file's MCP section with the one Imprint last wrote. Changes to other keys are
/// not drift: clients such as Claude Code rewrite their own settings all the time.
pub fn drift_with(req: &DriftRequest) -> Result<DriftReport, DeployError> {
    let syntax = syntax::for_format(req.format)?;
    let previous_section = section_of_value(&req.previous.section);
    let fingerprint = req.masking.map(|m| m.fingerprint);
    let Some(bytes) = read_file(req.path)? else {
        let changes = section::drift_changes(&previous_section, None, fingerprint);
        return Ok(DriftReport {
            file_exists: false,
            drifted: !changes.is_empty(),
            changes,
            current_sha256: None,
        });
    };
    let current_sha256 = sha256_hex(&bytes);
    let changes = if current_sha256 == req.previous.file_sha256 {
        Vec::new()
    } else {
        let text = decode(req.path, &bytes)?;
        let current = read_as_section(syntax, text, req.root_key, req.layout)
            .map_err(|e| e.at(req.path))?
            .unwrap_or_default();
        section::drift_changes(&previous_section, Some(&current), fingerprint)
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
/// deploy would change or remove. When the file already holds exactly the desired section (and
/// every companion entry) it is not rewritten (no backup, same hash). Otherwise the old file is
/// backed up, the new one written atomically with the old one's mode (0600 for a new file), and
/// old backups pruned.
///
/// The file is replaced only if it still holds the bytes the edit was made from: a client that
/// rewrites its own file meanwhile (Claude Code rewrites `~/.claude.json` whole) keeps its
/// change, and the edit is redone on the new bytes, up to [`MAX_ATTEMPTS`] times. Two Imprint
/// processes never interleave on one file: they take turns on a lock file beside it.
pub fn deploy(req: &DeployRequest) -> Result<DeployOutcome, DeployError> {
    let syntax = syntax::for_format(req.format)?;
    let desired = to_section(req.section, req.root_key, req.layout).map_err(|message| {
        DeployError::Shape {
            path: req.path.to_path_buf(),
            message: format!("the desired section is malformed: {message}"),
        }
    })?;
    let target = atomic::resolve_symlinks(req.path)?;
    let _lock = atomic::FileLock::acquire(&target)?;
    atomic::remove_stale_temp_files(&target);
    for _ in 0..MAX_ATTEMPTS {
        let existing = read_file(&target)?;
        if let Some(mut outcome) = deploy_over(req, syntax, &desired, &target, existing)? {
            outcome.mode = mode_of(&target);
            return Ok(outcome);
        }
    }
    Err(DeployError::KeepsChanging {
        path: req.path.to_path_buf(),
        attempts: MAX_ATTEMPTS,
    })
}

/// How many times a deploy redoes its edit on a file that changed under it.
pub const MAX_ATTEMPTS: u32 = 5;

#[doc(hidden)]
pub type BeforeRename = Box<dyn FnMut(&Path)>;

thread_local! {
    static BEFORE_RENAME: std::cell::RefCell<Option<BeforeRename>> =
        const { std::cell::RefCell::new(None) };
}

/// Test seam: `hook` runs with the target path in every deploy made on this thread, after the
/// file was read and the new one written aside, just before the file is checked for changes
/// and replaced: where another writer's change has to survive. `None` removes it.
#[doc(hidden)]
pub fn set_before_rename_hook(hook: Option<BeforeRename>) {
    BEFORE_RENAME.with(|slot| *slot.borrow_mut() = hook);
}

fn run_before_rename_hook(target: &Path) {
    BEFORE_RENAME.with(|slot| {
        if let Some(hook) = slot.borrow_mut().as_mut() {
            hook(target);
        }
    });
}

/// One read-edit-replace of the file as `existing` holds it; `Ok(None)` when the file changed
/// before the new one could take its place (nothing was written, no backup kept).
fn deploy_over(
    req: &DeployRequest,
    syntax: &dyn Syntax,
    desired: &Section,
    target: &Path,
    existing: Option<Vec<u8>>,
) -> Result<Option<DeployOutcome>, DeployError> {
    let text = existing
        .as_deref()
        .map(|bytes| decode(req.path, bytes))
        .transpose()?;
    let current = match text {
        Some(text) => {
            read_as_section(syntax, text, req.root_key, req.layout).map_err(|e| e.at(req.path))?
        }
        None => None,
    };
    let current_or_empty = current.clone().unwrap_or_default();
    let fingerprint = req.masking.map(|m| m.fingerprint);

    if let (Some(previous), false) = (req.previous, req.force) {
        let hash_unchanged = existing
            .as_deref()
            .is_some_and(|bytes| sha256_hex(bytes) == previous.file_sha256);
        if !hash_unchanged {
            let file_section = existing.as_ref().map(|_| &current_or_empty);
            let changes = section::drift_changes(
                &section_of_value(&previous.section),
                file_section,
                fingerprint,
            );
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

    let missing = match (req.companion, text) {
        (Some(companion), Some(text)) => {
            missing_items(syntax, text, companion).map_err(|e| e.at(req.path))?
        }
        (Some(companion), None) => companion.items.to_vec(),
        (None, _) => Vec::new(),
    };
    let plan = Plan::new(&current_or_empty, desired);
    if let (Some(bytes), false, true) = (&existing, plan.changes_anything(), missing.is_empty()) {
        // Already as desired: rewriting would only churn the file and the backups.
        let section = masked(&current_or_empty, req.masking);
        return Ok(Some(outcome(
            req,
            None,
            sha256_hex(bytes),
            false,
            plan,
            Vec::new(),
            section,
        )));
    }

    let mut new_text = if plan.changes_anything() || text.is_none() {
        let desired_raw = from_section(desired, current.as_ref(), req.layout);
        let item_key = match req.layout {
            SectionLayout::Map => None,
            SectionLayout::List { name_key } => Some(name_key),
        };
        syntax
            .rewrite(
                text,
                &Rewrite {
                    root_key: req.root_key,
                    desired: &desired_raw,
                    item_key,
                },
            )
            .map_err(|e| e.at(req.path))?
    } else {
        text.unwrap_or_default().to_string()
    };
    let mut companion_added = Vec::new();
    if let (Some(companion), false) = (req.companion, missing.is_empty()) {
        new_text = syntax
            .append_to_list(&new_text, companion.key, &missing)
            .map_err(|e| e.at(req.path))?;
        companion_added = missing
            .iter()
            .filter_map(|item| item.get(companion.id_key).and_then(Value::as_str))
            .map(str::to_string)
            .collect();
    }
    let written = read_as_section(syntax, &new_text, req.root_key, req.layout)
        .map_err(|e| e.at(req.path))?
        .unwrap_or_default();

    let attributes = match &existing {
        Some(_) => fs::metadata(target)
            .map(|metadata| Attributes::of(&metadata))
            .map_err(|e| DeployError::io(req.path, "reading the mode of", e))?,
        None => Attributes::new_file(),
    };
    let backup_path = match &existing {
        Some(bytes) => Some(backup::create(req.backup_dir, file_name(req.path)?, bytes)?),
        None => None,
    };
    let new_sha256 = sha256_hex(new_text.as_bytes());
    let written = masked(&written, req.masking);
    let mut unchanged = || {
        run_before_rename_hook(target);
        if read_file(target)? != existing {
            return Ok(false);
        }
        if let Some(BeforeReplace(record)) = req.before_replace {
            record(&IntendedWrite {
                file_sha256: &new_sha256,
                section: &written,
                backup_path: backup_path.as_deref(),
            })
            .map_err(|message| DeployError::NotRecorded {
                path: req.path.to_path_buf(),
                message,
            })?;
        }
        Ok(true)
    };
    let replaced = atomic::write(target, new_text.as_bytes(), &attributes, &mut unchanged);
    if !matches!(replaced, Ok(true))
        && let Some(backup_path) = &backup_path
    {
        backup::discard(backup_path);
    }
    if !replaced? {
        return Ok(None);
    }
    if backup_path.is_some() {
        backup::prune(req.backup_dir, file_name(req.path)?);
    }
    Ok(Some(outcome(
        req,
        backup_path,
        new_sha256,
        existing.is_none(),
        plan,
        companion_added,
        written,
    )))
}

/// The companion entries not yet in the file's list.
fn missing_items(
    syntax: &dyn Syntax,
    text: &str,
    companion: &ListAddition,
) -> Result<Vec<Value>, SyntaxError> {
    let present: Vec<Value> = match syntax.read(text, companion.key)? {
        None => Vec::new(),
        Some(Value::Array(items)) => items,
        Some(other) => {
            return Err(SyntaxError::Shape(format!(
                "'{}' holds {}, not a list",
                companion.key,
                kind_of(&other)
            )));
        }
    };
    let id_of = |item: &Value| item.get(companion.id_key).cloned();
    Ok(companion
        .items
        .iter()
        .filter(|item| {
            let id = id_of(item);
            !present.iter().any(|p| id.is_some() && id_of(p) == id)
        })
        .cloned()
        .collect())
}

fn masked(section: &Section, masking: Option<&Masking>) -> Value {
    Value::Object(match masking {
        Some(masking) => section::mask(section, masking),
        None => section.clone(),
    })
}

/// The file's section as a map by name (see [`SectionLayout`]).
fn read_as_section(
    syntax: &dyn Syntax,
    text: &str,
    root_key: &str,
    layout: SectionLayout,
) -> Result<Option<Section>, SyntaxError> {
    match syntax.read(text, root_key)? {
        None => Ok(None),
        Some(raw) => to_section(&raw, root_key, layout)
            .map(Some)
            .map_err(SyntaxError::Shape),
    }
}

/// A section in the client's layout as a map by name; the message says what is wrong.
fn to_section(raw: &Value, root_key: &str, layout: SectionLayout) -> Result<Section, String> {
    match (layout, raw) {
        (SectionLayout::Map, Value::Object(map)) => Ok(map.clone()),
        (SectionLayout::Map, other) => Err(format!(
            "'{root_key}' holds {}, not an object of servers",
            kind_of(other)
        )),
        (SectionLayout::List { name_key }, Value::Array(items)) => {
            let mut section = Section::new();
            for (index, item) in items.iter().enumerate() {
                let Some(name) = item.get(name_key).and_then(Value::as_str) else {
                    return Err(format!(
                        "entry {index} of '{root_key}' has no string '{name_key}'"
                    ));
                };
                if section.insert(name.to_string(), item.clone()).is_some() {
                    return Err(format!(
                        "two entries of '{root_key}' are named '{name}'; rename one by hand"
                    ));
                }
            }
            Ok(section)
        }
        (SectionLayout::List { .. }, other) => Err(format!(
            "'{root_key}' holds {}, not a list of servers",
            kind_of(other)
        )),
    }
}

/// A map by name back into the client's layout. A list keeps the order the file has for the
/// entries already in it; new entries follow in the desired order.
fn from_section(desired: &Section, current: Option<&Section>, layout: SectionLayout) -> Value {
    match layout {
        SectionLayout::Map => Value::Object(desired.clone()),
        SectionLayout::List { .. } => {
            let mut items = Vec::with_capacity(desired.len());
            if let Some(current) = current {
                items.extend(current.keys().filter_map(|name| desired.get(name).cloned()));
            }
            items.extend(
                desired
                    .iter()
                    .filter(|(name, _)| current.is_none_or(|c| !c.contains_key(*name)))
                    .map(|(_, item)| item.clone()),
            );
            Value::Array(items)
        }
    }
}

fn outcome(
    req: &DeployRequest,
    backup_path: Option<PathBuf>,
    file_sha256: String,
    created: bool,
    plan: Plan,
    companion_added: Vec<String>,
    section: Value,
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
        companion_added,
        mode: None,
        section,
    }
}

/// The permission bits of `path`, on platforms that have them.
fn mode_of(path: &Path) -> Option<u32> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        fs::metadata(path)
            .ok()
            .map(|metadata| metadata.permissions().mode() & 0o7777)
    }
    #[cfg(not(unix))]
    {
        let _ = path;
        None
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

/// The file's bytes, or `None` when there is no file. Anything but a regular file (after
/// symlinks) is refused before it is opened: opening a FIFO blocks until a writer comes, and a
/// device may never end.
fn read_file(path: &Path) -> Result<Option<Vec<u8>>, DeployError> {
    match fs::metadata(path) {
        Ok(metadata) if !metadata.is_file() => {
            return Err(DeployError::NotRegular {
                path: path.to_path_buf(),
                kind: file_kind(&metadata.file_type()),
            });
        }
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(None),
        _ => {}
    }
    match fs::read(path) {
        Ok(bytes) => Ok(Some(bytes)),
        Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(DeployError::io(path, "reading", e)),
    }
}

/// What a non-regular file is, in people's words.
fn file_kind(file_type: &fs::FileType) -> &'static str {
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        if file_type.is_fifo() {
            return "named pipe (FIFO)";
        }
        if file_type.is_socket() {
            return "socket";
        }
        if file_type.is_char_device() || file_type.is_block_device() {
            return "device";
        }
    }
    if file_type.is_dir() {
        "directory"
    } else {
        "special file"
    }
}

fn decode<'b>(path: &Path, bytes: &'b [u8]) -> Result<&'b str, DeployError> {
    std::str::from_utf8(bytes).map_err(|error| DeployError::Parse {
        path: path.to_path_buf(),
        message: format!("not valid UTF-8 at byte {}", error.valid_up_to()),
    })
}

/// A recorded section as a map; anything but an object counts as empty.
fn section_of_value(value: &Value) -> Section {
    value.as_object().cloned().unwrap_or_default()
}
