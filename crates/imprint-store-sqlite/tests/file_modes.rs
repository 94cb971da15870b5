//! The database and its WAL files are private to their owner, also when the data directory
//! already existed world-readable (issue 11, item 13).

#[cfg(unix)]
#[test]
fn the_database_is_created_0600_in_a_world_readable_directory() {
    use std::os::unix::fs::PermissionsExt;

    use imprint_store_sqlite::SqliteStore;

    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    std::fs::create_dir(&data).unwrap();
    std::fs::set_permissions(&data, std::fs::Permissions::from_mode(0o755)).unwrap();
    let _store = SqliteStore::open_in_data_dir(&data).unwrap();
    for name in ["imprint.db", "imprint.db-wal", "imprint.db-shm"] {
        let mode = std::fs::metadata(data.join(name))
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o600, "{name} is {:o}", mode & 0o777);
    }
}

#[cfg(unix)]
#[test]
fn an_existing_world_readable_database_is_made_private_when_opened() {
    use std::os::unix::fs::PermissionsExt;

    use imprint_store_sqlite::SqliteStore;

    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("imprint.db");
    drop(SqliteStore::open(&path).unwrap());
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644)).unwrap();
    let _store = SqliteStore::open(&path).unwrap();
    let mode = std::fs::metadata(&path).unwrap().permissions().mode();
    assert_eq!(mode & 0o777, 0o600);
}
