//! Replacing a file so that a reader, or a crash, only ever sees the old bytes or the new ones.
//!
//! The new text goes to `.<file>.imprint-tmp-<pid>-<n>` in the same directory (a rename is only
//! atomic within one file system), is fsynced with the old file's mode and owner, and is renamed
//! over the old file; the directory is then fsynced so the rename itself survives a power cut.
//! Any failure removes the temp file, and temp files left by a crashed earlier run are removed
//! by the next deploy of the same file.

use std::fs;
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

use crate::DeployError;

/// Test hook, honoured by debug builds only: when this environment variable is
/// `deploy-before-rename`, the process aborts after the temp file is written and fsynced and
/// before it is renamed over the target, which is exactly the crash the atomic write has to
/// survive; `deploy-after-rename` aborts right after the rename, before the caller could record
/// the deploy (the crash its intended-write record has to survive). Nothing else reads it.
pub const FAULT_INJECT_ENV: &str = "IMPRINT_FAULT_INJECT";

const FAULT_BEFORE_RENAME: &str = "deploy-before-rename";
const FAULT_AFTER_RENAME: &str = "deploy-after-rename";

/// Aborts the process if the fault hook asks for a crash at `point` (debug builds only).
fn crash_if_injected(point: &str) {
    if cfg!(debug_assertions) && std::env::var(FAULT_INJECT_ENV).as_deref() == Ok(point) {
        std::process::abort();
    }
}

/// Temp file names are unique within the process, and the pid makes them unique across
/// processes.
static TEMP_COUNTER: AtomicU64 = AtomicU64::new(0);

/// How the replaced file should look on disk: the old file's, or 0600 for a new one.
pub(crate) struct Attributes {
    permissions: Option<fs::Permissions>,
    #[cfg(unix)]
    owner: Option<(u32, u32)>,
}

impl Attributes {
    /// A new file: owner-only, since configuration files often hold tokens.
    pub(crate) fn new_file() -> Attributes {
        #[cfg(unix)]
        let permissions = Some(std::os::unix::fs::PermissionsExt::from_mode(0o600));
        #[cfg(not(unix))]
        let permissions = None;
        Attributes {
            permissions,
            #[cfg(unix)]
            owner: None,
        }
    }

    pub(crate) fn of(metadata: &fs::Metadata) -> Attributes {
        Attributes {
            permissions: Some(metadata.permissions()),
            #[cfg(unix)]
            owner: Some((
                std::os::unix::fs::MetadataExt::uid(metadata),
                std::os::unix::fs::MetadataExt::gid(metadata),
            )),
        }
    }
}

/// The file a write to `path` should replace: `path` itself, or where its symlinks lead, so
/// that a dotfile manager's link stays a link instead of being replaced by a copy.
pub(crate) fn resolve_symlinks(path: &Path) -> Result<PathBuf, DeployError> {
    let mut current = path.to_path_buf();
    // the limit Linux applies, so a loop of links ends in an error instead of running forever
    for _ in 0..40 {
        match fs::symlink_metadata(&current) {
            Ok(metadata) if metadata.file_type().is_symlink() => {
                let target = fs::read_link(&current)
                    .map_err(|e| DeployError::io(path, "following the symlink", e))?;
                current = match current.parent() {
                    Some(parent) => parent.join(target),
                    None => target,
                };
            }
            _ => return Ok(current),
        }
    }
    Err(DeployError::io(
        path,
        "following the symlink",
        io::Error::other("too many levels of symbolic links"),
    ))
}

fn directory_of(path: &Path) -> &Path {
    match path.parent() {
        Some(parent) if !parent.as_os_str().is_empty() => parent,
        _ => Path::new("."),
    }
}

fn temp_prefix(target: &Path) -> Option<String> {
    let file_name = target.file_name()?.to_str()?;
    Some(format!(".{file_name}.imprint-tmp-"))
}

/// Removes `.<file>.imprint-tmp-*` files a crashed run left next to `target`. A temp file of
/// a process that is still running (on Linux, where that can be told) is left alone: it may be
/// mid-write. Best effort; a leftover that cannot be removed does not stop a deploy.
pub(crate) fn remove_stale_temp_files(target: &Path) {
    let Some(prefix) = temp_prefix(target) else {
        return;
    };
    let Ok(entries) = fs::read_dir(directory_of(target)) else {
        return;
    };
    for entry in entries.filter_map(Result::ok) {
        let name = entry.file_name();
        let Some(rest) = name.to_str().and_then(|name| name.strip_prefix(&prefix)) else {
            continue;
        };
        let pid = rest
            .split('-')
            .next()
            .and_then(|pid| pid.parse::<u32>().ok());
        if pid.is_some_and(is_running) {
            continue;
        }
        let _ = fs::remove_file(entry.path());
    }
}

fn is_running(pid: u32) -> bool {
    if pid == std::process::id() {
        return true;
    }
    #[cfg(target_os = "linux")]
    {
        Path::new("/proc").join(pid.to_string()).exists()
    }
    #[cfg(not(target_os = "linux"))]
    {
        false
    }
}

/// Replaces `target` with `contents`, atomically, if `unchanged()` still says so once the new
/// file is ready beside it (a compare-and-swap against other writers; the window left is the
/// rename itself). `Ok(false)` when it did not: the temp file is removed, `target` untouched.
/// On error nothing is left behind and `target` is as it was.
pub(crate) fn write(
    target: &Path,
    contents: &[u8],
    attributes: &Attributes,
    unchanged: &mut dyn FnMut() -> Result<bool, DeployError>,
) -> Result<bool, DeployError> {
    let directory = directory_of(target);
    prepare_directory(target, directory)?;
    let prefix = temp_prefix(target).ok_or_else(|| {
        DeployError::io(
            target,
            "writing",
            io::Error::new(
                io::ErrorKind::InvalidInput,
                "the path has no usable file name",
            ),
        )
    })?;

    let (temp_path, file) =
        create_temp(directory, &prefix).map_err(|e| DeployError::io(target, "writing", e))?;
    let result = fill(file, contents, attributes)
        .map_err(|e| DeployError::io(target, "writing", e))
        .and_then(|()| {
            crash_if_injected(FAULT_BEFORE_RENAME);
            if !unchanged()? {
                return Ok(false);
            }
            fs::rename(&temp_path, target)
                .map(|()| true)
                .map_err(|e| DeployError::io(target, "replacing", e))
        });
    if !matches!(result, Ok(true)) {
        let _ = fs::remove_file(&temp_path);
        return result;
    }
    // The new file is in place and readable; if the directory cannot be fsynced the rename may
    // not survive a power cut, but reporting the deploy as failed would be wrong too.
    sync_directory(directory);
    crash_if_injected(FAULT_AFTER_RENAME);
    Ok(true)
}

/// An exclusive advisory lock on `.<file>.imprint-lock` beside a client's file, held by a
/// deploy from its read to its rename so two Imprint processes (or threads) never interleave on
/// one file. The lock file is removed on release, so nothing is left in the client's directory.
pub(crate) struct FileLock {
    path: PathBuf,
    /// Locked while open.
    file: fs::File,
}

impl FileLock {
    /// Blocks until this caller holds the lock for `target` (creating its directory if needed).
    pub(crate) fn acquire(target: &Path) -> Result<FileLock, DeployError> {
        let directory = directory_of(target);
        prepare_directory(target, directory)?;
        let name = target
            .file_name()
            .and_then(|name| name.to_str())
            .ok_or_else(|| {
                DeployError::io(
                    target,
                    "locking",
                    io::Error::new(
                        io::ErrorKind::InvalidInput,
                        "the path has no usable file name",
                    ),
                )
            })?;
        let path = directory.join(format!(".{name}.imprint-lock"));
        loop {
            let mut options = fs::OpenOptions::new();
            options.read(true).write(true).create(true).truncate(false);
            #[cfg(unix)]
            std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
            // a directory that refuses the lock file refuses the new file too: say so
            let file = options
                .open(&path)
                .map_err(|e| DeployError::io(target, "writing", e))?;
            file.lock()
                .map_err(|e| DeployError::io(&path, "locking", e))?;
            // The holder before us removed the file as it let go: a lock on a removed file
            // guards nothing, so lock the one now at the path instead.
            if is_same_file(&file, &path) {
                return Ok(FileLock { path, file });
            }
        }
    }
}

impl Drop for FileLock {
    fn drop(&mut self) {
        // still locked here: whoever opens the path next gets a new file and re-checks it
        let _ = fs::remove_file(&self.path);
        let _ = self.file.unlock();
    }
}

#[cfg(unix)]
fn is_same_file(file: &fs::File, path: &Path) -> bool {
    use std::os::unix::fs::MetadataExt;
    match (file.metadata(), fs::metadata(path)) {
        (Ok(open), Ok(named)) => open.dev() == named.dev() && open.ino() == named.ino(),
        _ => false,
    }
}

#[cfg(not(unix))]
fn is_same_file(_file: &fs::File, path: &Path) -> bool {
    path.exists()
}

fn prepare_directory(target: &Path, directory: &Path) -> Result<(), DeployError> {
    match fs::metadata(directory) {
        Ok(metadata) if metadata.is_dir() => Ok(()),
        Ok(_) => Err(DeployError::io(
            target,
            "creating the directory for",
            io::Error::new(
                io::ErrorKind::NotADirectory,
                format!("{} is a file", directory.display()),
            ),
        )),
        Err(_) => fs::create_dir_all(directory)
            .map_err(|e| DeployError::io(target, "creating the directory for", e)),
    }
}

fn create_temp(directory: &Path, prefix: &str) -> io::Result<(PathBuf, fs::File)> {
    loop {
        let n = TEMP_COUNTER.fetch_add(1, Ordering::Relaxed);
        let path = directory.join(format!("{prefix}{}-{n}", std::process::id()));
        let mut options = fs::OpenOptions::new();
        options.write(true).create_new(true);
        #[cfg(unix)]
        std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
        match options.open(&path) {
            Ok(file) => return Ok((path, file)),
            Err(e) if e.kind() == io::ErrorKind::AlreadyExists => continue,
            Err(e) => return Err(e),
        }
    }
}

fn fill(mut file: fs::File, contents: &[u8], attributes: &Attributes) -> io::Result<()> {
    file.write_all(contents)?;
    #[cfg(unix)]
    if let Some((uid, gid)) = attributes.owner {
        // Keeps a user's file theirs when root deploys it; fails harmlessly for anyone else,
        // who can only have created the temp file as themselves anyway.
        let _ = std::os::unix::fs::fchown(&file, Some(uid), Some(gid));
    }
    // after chown, which may clear set-id bits
    if let Some(permissions) = &attributes.permissions {
        file.set_permissions(permissions.clone())?;
    }
    file.sync_all()
}

fn sync_directory(directory: &Path) {
    #[cfg(unix)]
    if let Ok(handle) = fs::File::open(directory) {
        let _ = handle.sync_all();
    }
    #[cfg(not(unix))]
    let _ = directory;
}
