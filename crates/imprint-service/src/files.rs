//! Files the data directory holds (key material, the public-key archive): how they are created
//! so that concurrent creators — threads, processes, replicas sharing a directory — never see or
//! leave a partial file and never write over each other.
//!
//! - [`DirLock`] is an exclusive advisory lock on `<dir>/.lock`; whoever creates or replaces
//!   a file in that directory holds it, and re-checks after taking it whether the file appeared
//!   meanwhile (the loser of a race reads the winner's file).
//! - [`write_atomically`] writes a uniquely named temp file in the same directory, created with
//!   the final mode, fsyncs it, renames it into place and fsyncs the directory: a reader sees
//!   the old bytes or the new ones, never a prefix.

use std::fs::{self, File};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

use crate::error::{ErrorKind, ServiceError, ServiceResult};

/// Temp names are unique within a process by this counter and across processes by the pid.
static TEMP_COUNTER: AtomicU64 = AtomicU64::new(0);

/// The name of the lock file in a locked directory.
pub(crate) const LOCK_FILE: &str = ".lock";

/// Held while files in one directory are created or replaced; released on drop.
pub(crate) struct DirLock {
    // the lock lives as long as the open file
    _file: File,
}

impl DirLock {
    /// Creates `dir` (0700) if needed and blocks until this caller holds its lock.
    pub(crate) fn acquire(dir: &Path) -> ServiceResult<DirLock> {
        create_private_dir(dir)?;
        let path = dir.join(LOCK_FILE);
        let mut options = fs::OpenOptions::new();
        options.read(true).write(true).create(true).truncate(false);
        #[cfg(unix)]
        std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
        let file = options
            .open(&path)
            .map_err(|e| io_error("opening the lock file", &path, &e))?;
        file.lock().map_err(|e| io_error("locking", &path, &e))?;
        Ok(DirLock { _file: file })
    }
}

pub(crate) fn io_error(action: &str, path: &Path, error: &std::io::Error) -> ServiceError {
    ServiceError::new(
        ErrorKind::Io,
        format!("{action} {} failed: {error}", path.display()),
    )
}

/// Creates `dir` and its parents; `dir` itself gets mode 0700 (it may hold key material).
pub(crate) fn create_private_dir(dir: &Path) -> ServiceResult<()> {
    fs::create_dir_all(dir).map_err(|e| io_error("creating", dir, &e))?;
    set_mode(dir, 0o700)
}

#[cfg(unix)]
fn set_mode(path: &Path, mode: u32) -> ServiceResult<()> {
    use std::os::unix::fs::PermissionsExt;
    let current = fs::metadata(path)
        .map_err(|e| io_error("reading the permissions of", path, &e))?
        .permissions()
        .mode()
        & 0o7777;
    if current == mode {
        return Ok(());
    }
    fs::set_permissions(path, fs::Permissions::from_mode(mode))
        .map_err(|e| io_error("setting permissions on", path, &e))
}

#[cfg(not(unix))]
fn set_mode(_path: &Path, _mode: u32) -> ServiceResult<()> {
    Ok(())
}

fn temp_path(path: &Path) -> PathBuf {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let n = TEMP_COUNTER.fetch_add(1, Ordering::Relaxed);
    path.with_file_name(format!(".{name}.tmp-{}-{n}", std::process::id()))
}

/// Replaces (or creates) `path` with `bytes` atomically and durably. The temp file is created
/// with `mode` from the start, so a private key is never readable by others, not even briefly.
pub(crate) fn write_atomically(path: &Path, bytes: &[u8], mode: u32) -> ServiceResult<()> {
    let temp = temp_path(path);
    let mut options = fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, mode);
    let result = (|| {
        let mut file = options.open(&temp)?;
        file.write_all(bytes)?;
        file.sync_all()?;
        fs::rename(&temp, path)?;
        sync_parent(path)
    })();
    if let Err(e) = result {
        let _ = fs::remove_file(&temp);
        return Err(io_error("writing", path, &e));
    }
    // the umask may have narrowed the mode the temp file was created with
    set_mode(path, mode)
}

/// Makes a rename in `path`'s directory survive a power cut.
fn sync_parent(path: &Path) -> std::io::Result<()> {
    #[cfg(unix)]
    if let Some(parent) = path.parent() {
        File::open(parent)?.sync_all()?;
    }
    #[cfg(not(unix))]
    let _ = path;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_atomic_write_leaves_no_temp_file_and_sets_the_mode() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("k");
        write_atomically(&path, b"one", 0o600).unwrap();
        write_atomically(&path, b"two", 0o600).unwrap();
        assert_eq!(fs::read(&path).unwrap(), b"two");
        let names: Vec<_> = fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(names, vec![std::ffi::OsString::from("k")]);
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = fs::metadata(&path).unwrap().permissions().mode() & 0o777;
            assert_eq!(mode, 0o600);
        }
    }

    #[test]
    fn the_directory_lock_excludes_a_second_holder_until_dropped() {
        let dir = tempfile::tempdir().unwrap();
        let first = DirLock::acquire(dir.path()).unwrap();
        let (sender, receiver) = std::sync::mpsc::channel();
        let path = dir.path().to_path_buf();
        let waiter = std::thread::spawn(move || {
            let _second = DirLock::acquire(&path).unwrap();
            sender.send(()).unwrap();
        });
        // the second holder cannot get in while the first holds the lock
        assert!(
            receiver
                .recv_timeout(std::time::Duration::from_millis(200))
                .is_err()
        );
        drop(first);
        receiver
            .recv_timeout(std::time::Duration::from_secs(10))
            .expect("the lock is released on drop");
        waiter.join().unwrap();
    }
}
