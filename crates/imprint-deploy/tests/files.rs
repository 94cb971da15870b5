//! What a deploy does on disk: backups, file modes, temp files, symlinks, unwritable places.

mod common;

use std::fs;
use std::path::{Path, PathBuf};

use common::*;
use imprint_deploy::{DeployError, FileFormat, deploy};
use serde_json::{Value, json};

fn server(version: usize) -> Value {
    json!({"memory": {"command": "npx", "args": ["-y", format!("@modelcontextprotocol/server-memory@{version}")]}})
}

#[test]
fn the_backup_is_the_old_file_byte_for_byte_in_a_private_directory() {
    let fixture = Fixture::new(".claude.json", CLAUDE_CODE);
    let desired = server(1);
    let mut request = fixture.request(FileFormat::Json, "mcpServers", &desired);
    request.force = true;

    let outcome = deploy(&request).expect("deploy");

    let backup = outcome.backup_path.expect("backup");
    assert_eq!(backup.parent(), Some(fixture.backups.as_path()));
    assert_eq!(fs::read(&backup).expect("backup"), CLAUDE_CODE.as_bytes());
    let name = backup.file_name().and_then(|n| n.to_str()).expect("name");
    let stamp = name
        .strip_prefix(".claude.json.")
        .and_then(|rest| rest.strip_suffix(".bak"))
        .expect("<file-name>.<stamp>.bak");
    assert_eq!(&stamp[8..9], "T", "{name}");
    assert_eq!(&stamp[15..17], "Z-", "{name}");
    #[cfg(unix)]
    {
        assert_eq!(mode_of(&fixture.backups), 0o700);
        assert_eq!(mode_of(&backup), 0o600);
    }
}

#[test]
fn only_the_ten_newest_backups_of_a_file_are_kept() {
    let fixture = Fixture::new("mcp.json", "{}\n");
    fs::create_dir_all(&fixture.backups).expect("backup dir");
    let unrelated = fixture
        .backups
        .join("settings.json.20000101T000000Z-000000000.bak");
    fs::write(&unrelated, "{}").expect("unrelated backup");

    let mut previous_text = String::new();
    let mut last_backup = PathBuf::new();
    for version in 0..13 {
        previous_text = fixture.text();
        let desired = server(version);
        let mut request = fixture.request(FileFormat::Json, "mcpServers", &desired);
        request.force = true;
        let outcome = deploy(&request).expect("deploy");
        last_backup = outcome.backup_path.expect("backup");
    }

    let mine: Vec<String> = fixture
        .backup_entries()
        .into_iter()
        .filter(|name| name.starts_with("mcp.json."))
        .collect();
    assert_eq!(mine.len(), 10, "{mine:?}");
    assert!(
        last_backup.exists(),
        "the newest backup is never pruned: {mine:?}"
    );
    assert_eq!(
        fs::read_to_string(&last_backup).expect("read"),
        previous_text
    );
    assert!(unrelated.exists(), "another file's backups are not pruned");
}

#[cfg(unix)]
#[test]
fn the_file_mode_is_kept() {
    use std::os::unix::fs::PermissionsExt;
    let fixture = Fixture::new("claude_desktop_config.json", CLAUDE_DESKTOP);
    fs::set_permissions(&fixture.path, fs::Permissions::from_mode(0o640)).expect("chmod");
    let desired = server(1);
    let mut request = fixture.request(FileFormat::Json, "mcpServers", &desired);
    request.force = true;

    deploy(&request).expect("deploy");

    assert_eq!(mode_of(&fixture.path), 0o640);
    assert_eq!(parsed_section(&fixture.text(), "mcpServers"), desired);
}

#[test]
fn no_temp_files_are_left_and_stale_ones_are_cleaned_up() {
    let fixture = Fixture::new("mcp.json", "{}\n");
    let dir = fixture.path.parent().expect("dir").to_path_buf();
    // left by a crashed run: pid 999999999 is above any Linux pid_max, so never running
    fs::write(dir.join(".mcp.json.imprint-tmp-999999999-0"), "partial").expect("stale");
    // not ours to delete
    fs::write(dir.join(".other.json.imprint-tmp-999999999-0"), "x").expect("other");
    fs::write(dir.join("notes.txt"), "x").expect("notes");

    let desired = server(1);
    deploy(&fixture.request(FileFormat::Json, "mcpServers", &desired)).expect("deploy");

    assert_eq!(
        fixture.client_dir_entries(),
        [
            ".other.json.imprint-tmp-999999999-0",
            "mcp.json",
            "notes.txt"
        ]
    );
}

#[cfg(unix)]
#[test]
fn a_symlinked_file_stays_a_symlink_and_its_target_is_updated() {
    let fixture = Fixture::new("real.json", CLAUDE_DESKTOP);
    let link = fixture.dir.path().join("link.json");
    std::os::unix::fs::symlink(&fixture.path, &link).expect("symlink");
    let desired = server(1);
    let mut request = fixture.request(FileFormat::Json, "mcpServers", &desired);
    request.path = &link;
    request.force = true;

    let outcome = deploy(&request).expect("deploy");

    assert!(
        fs::symlink_metadata(&link)
            .expect("link")
            .file_type()
            .is_symlink()
    );
    assert_eq!(parsed_section(&fixture.text(), "mcpServers"), desired);
    assert_eq!(outcome.path, link);
    assert_eq!(fixture.client_dir_entries(), ["real.json"]);
    let backup = outcome.backup_path.expect("backup");
    assert!(backup.to_string_lossy().contains("link.json."));
}

/// A directory this process cannot create files in, and whether the client file could be put
/// there beforehand.
///
/// Tests run as root here, and root ignores permission bits, so `chmod 0555` alone proves
/// nothing. The helper tries it and probes: if a probe file can still be created (root), it
/// falls back to `/sys`, a sysfs mount whose directories refuse new regular files even to root
/// (EACCES); the client file then cannot pre-exist, so only the create path is exercised.
enum Unwritable {
    /// A 0555 directory holding the client file (non-root).
    ReadOnlyDir { dir: PathBuf, path: PathBuf },
    /// A path under /sys (root).
    Sysfs { path: PathBuf },
}

#[cfg(unix)]
fn unwritable(fixture: &Fixture) -> Option<Unwritable> {
    use std::os::unix::fs::PermissionsExt;
    let dir = fixture.dir.path().join("locked");
    fs::create_dir_all(&dir).ok()?;
    let path = dir.join("mcp.json");
    fs::write(&path, CLAUDE_DESKTOP).ok()?;
    fs::set_permissions(&dir, fs::Permissions::from_mode(0o555)).ok()?;
    let probe = dir.join("probe");
    if fs::write(&probe, "x").is_err() {
        return Some(Unwritable::ReadOnlyDir { dir, path });
    }
    let _ = fs::remove_file(&probe);
    let _ = fs::set_permissions(&dir, fs::Permissions::from_mode(0o755));
    let sys_probe = Path::new("/sys").join(format!("imprint-probe-{}", std::process::id()));
    match fs::write(&sys_probe, "x") {
        Err(e) if e.kind() == std::io::ErrorKind::PermissionDenied => Some(Unwritable::Sysfs {
            path: Path::new("/sys")
                .join(format!("imprint-deploy-test-{}.json", std::process::id())),
        }),
        _ => None,
    }
}

#[cfg(unix)]
#[test]
fn an_unwritable_directory_gives_a_clear_error_and_leaves_nothing_behind() {
    let fixture = Fixture::empty("unused.json");
    let place = unwritable(&fixture)
        .expect("neither a 0555 directory nor /sys refuses new files on this machine");
    let desired = server(1);
    let (path, dir) = match &place {
        Unwritable::ReadOnlyDir { dir, path } => (path.clone(), dir.clone()),
        Unwritable::Sysfs { path } => (path.clone(), PathBuf::from("/sys")),
    };
    let before_in_dir = names_in(&dir);
    let mut request = fixture.request(FileFormat::Json, "mcpServers", &desired);
    request.path = &path;
    request.force = true;

    let error = deploy(&request).expect_err("the directory is not writable");

    match &error {
        DeployError::Io { path: p, .. } => assert_eq!(p, &path),
        other => panic!("expected Io, got {other:?}"),
    }
    assert_eq!(
        error.to_string(),
        format!(
            "permission denied writing {}: check the file and its directory are writable by this user",
            path.display()
        )
    );
    assert_eq!(
        names_in(&dir),
        before_in_dir,
        "nothing left in the directory"
    );
    assert!(
        fixture.backup_entries().is_empty(),
        "the backup of a failed write is discarded"
    );
    if let Unwritable::ReadOnlyDir { dir, path } = place {
        assert_eq!(fs::read_to_string(&path).expect("read"), CLAUDE_DESKTOP);
        use std::os::unix::fs::PermissionsExt;
        let _ = fs::set_permissions(dir, fs::Permissions::from_mode(0o755));
    }
}

#[test]
fn a_parent_that_is_a_file_gives_a_clear_error_and_leaves_nothing_behind() {
    let fixture = Fixture::empty("unused.json");
    let blocker = fixture.dir.path().join("home");
    fs::write(&blocker, "not a directory").expect("blocker");
    let path = blocker.join(".cursor").join("mcp.json");
    let desired = server(1);
    let mut request = fixture.request(FileFormat::Json, "mcpServers", &desired);
    request.path = &path;

    let error = deploy(&request).expect_err("cannot create a directory inside a file");

    assert!(matches!(error, DeployError::Io { .. }), "{error:?}");
    let message = error.to_string();
    assert!(
        message.contains(&path.display().to_string()) && message.contains("not a directory"),
        "{message}"
    );
    assert_eq!(
        fs::read_to_string(&blocker).expect("read"),
        "not a directory"
    );
    assert_eq!(names_in(fixture.dir.path()), ["client", "home"]);
}
