//! Copies of a client's file taken before each deploy overwrites it.
//!
//! A backup is `<backup_dir>/<file-name>.<yyyymmddThhmmssZ>-<nanoseconds>.bak` (a `-<n>` is
//! added in the rare case that name is taken), mode 0600 in a directory created 0700: the file
//! may hold secrets. The names sort by time, which is how the newest [`KEEP`] per file name are
//! chosen and older ones deleted.

use std::ffi::OsStr;
use std::fs;
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::time::{SystemTime, UNIX_EPOCH};

use crate::DeployError;

/// Makes backup temp names unique within the process (the pid makes them unique across).
static TEMP_COUNTER: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);

/// How many backups are kept per file name.
pub(crate) const KEEP: usize = 10;

/// Writes `contents` (the file as it was read) as a new backup and returns its path.
pub(crate) fn create(
    backup_dir: &Path,
    file_name: &OsStr,
    contents: &[u8],
) -> Result<PathBuf, DeployError> {
    create_private_dir(backup_dir)
        .map_err(|e| DeployError::io(backup_dir, "creating the backup directory", e))?;
    let (stamp, nanos) = utc_stamp(SystemTime::now());
    let mut attempt = 0u32;
    loop {
        let mut name = file_name.to_os_string();
        name.push(format!(".{stamp}-{nanos:09}"));
        if attempt > 0 {
            name.push(format!("-{attempt}"));
        }
        name.push(".bak");
        let path = backup_dir.join(name);
        match write_new_private(&path, contents) {
            Ok(()) => return Ok(path),
            // two deploys of one file name within a nanosecond: take the next name
            Err(e) if e.kind() == io::ErrorKind::AlreadyExists && attempt < 1000 => attempt += 1,
            Err(e) => return Err(DeployError::io(&path, "writing the backup", e)),
        }
    }
}

/// Deletes all but the newest [`KEEP`] backups of `file_name`. Best effort: the deploy itself
/// already succeeded, and a backup that cannot be deleted harms nothing.
pub(crate) fn prune(backup_dir: &Path, file_name: &OsStr) {
    let Ok(entries) = fs::read_dir(backup_dir) else {
        return;
    };
    let mut backups: Vec<((String, u64, u64), PathBuf)> = entries
        .filter_map(Result::ok)
        .filter_map(|entry| {
            let key = sort_key(file_name, &entry.file_name())?;
            Some((key, entry.path()))
        })
        .collect();
    backups.sort();
    let excess = backups.len().saturating_sub(KEEP);
    for (_, path) in backups.into_iter().take(excess) {
        let _ = fs::remove_file(path);
    }
}

/// Removes a backup taken for a write that then failed: it is identical to the file still in
/// place, and "nothing left behind" covers the data directory too.
pub(crate) fn discard(path: &Path) {
    let _ = fs::remove_file(path);
}

/// (timestamp, nanoseconds, attempt) for a name this module wrote for `file_name`, else `None`,
/// so that unrelated files and other clients' backups are never pruned.
fn sort_key(file_name: &OsStr, candidate: &OsStr) -> Option<(String, u64, u64)> {
    let file_name = file_name.to_str()?;
    let rest = candidate
        .to_str()?
        .strip_prefix(file_name)?
        .strip_prefix('.')?
        .strip_suffix(".bak")?;
    let (stamp, suffix) = rest.split_once('-')?;
    let is_stamp = stamp.len() == 16
        && stamp.char_indices().all(|(i, c)| match i {
            8 => c == 'T',
            15 => c == 'Z',
            _ => c.is_ascii_digit(),
        });
    if !is_stamp {
        return None;
    }
    let (nanos, attempt) = match suffix.split_once('-') {
        Some((nanos, attempt)) => (nanos, attempt.parse().ok()?),
        None => (suffix, 0),
    };
    if nanos.len() != 9 {
        return None;
    }
    Some((stamp.to_string(), nanos.parse().ok()?, attempt))
}

fn create_private_dir(dir: &Path) -> io::Result<()> {
    let mut builder = fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    std::os::unix::fs::DirBuilderExt::mode(&mut builder, 0o700);
    builder.create(dir)
}

/// Writes a new file at `path` (failing with `AlreadyExists` if the name is taken) so that it
/// appears whole or not at all: the bytes go to a temp file that is fsynced and then linked to
/// `path` (a link, unlike a rename, never replaces an existing file).
fn write_new_private(path: &Path, contents: &[u8]) -> io::Result<()> {
    let mut temp_name = std::ffi::OsString::from(".");
    temp_name.push(path.file_name().unwrap_or_default());
    let n = TEMP_COUNTER.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    temp_name.push(format!(".tmp-{}-{n}", std::process::id()));
    let temp = path.with_file_name(temp_name);
    let mut options = fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let written = (|| {
        let mut file = options.open(&temp)?;
        file.write_all(contents)?;
        file.sync_all()?;
        fs::hard_link(&temp, path)
    })();
    let _ = fs::remove_file(&temp);
    written
}

/// `yyyymmddThhmmssZ` in UTC and the nanoseconds within that second.
pub(crate) fn utc_stamp(now: SystemTime) -> (String, u32) {
    let since_epoch = now.duration_since(UNIX_EPOCH).unwrap_or_default();
    let seconds = i64::try_from(since_epoch.as_secs()).unwrap_or(i64::MAX);
    (
        imprint_engine::timestamp::compact_utc(seconds),
        since_epoch.subsec_nanos(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[test]
    fn stamps_are_utc_calendar_times() {
        let at = |secs| UNIX_EPOCH + Duration::from_secs(secs);
        assert_eq!(utc_stamp(at(0)).0, "19700101T000000Z");
        // 2000-02-29 leap day, 23:59:59
        assert_eq!(utc_stamp(at(951_868_799)).0, "20000229T235959Z");
        // 2024-12-31 12:34:56
        assert_eq!(utc_stamp(at(1_735_648_496)).0, "20241231T123456Z");
    }

    #[test]
    fn sort_key_accepts_only_this_files_backups() {
        assert_eq!(
            sort_key(
                OsStr::new("mcp.json"),
                OsStr::new("mcp.json.20250101T000000Z-000000005.bak")
            ),
            Some(("20250101T000000Z".to_string(), 5, 0))
        );
        assert_eq!(
            sort_key(
                OsStr::new("mcp.json"),
                OsStr::new("mcp.json.20250101T000000Z-000000005-2.bak")
            ),
            Some(("20250101T000000Z".to_string(), 5, 2))
        );
        for other in [
            "cline_mcp.json.20250101T000000Z-000000005.bak",
            "mcp.json.old.bak",
            "mcp.json.20250101T000000Z-000000005.bak.tmp",
            "settings.json.20250101T000000Z-000000005.bak",
        ] {
            assert_eq!(
                sort_key(OsStr::new("mcp.json"), OsStr::new(other)),
                None,
                "{other}"
            );
        }
    }
}
