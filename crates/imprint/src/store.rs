//! The one place the binary chooses a store: the SQLite file in the data directory by
//! default, PostgreSQL with `--database postgres://…` (or `IMPRINT_DATABASE_URL`).

use std::path::Path;
use std::sync::Arc;

use imprint_service::ServiceError;
use imprint_store::Store;
use imprint_store_postgres::PostgresStore;
use imprint_store_sqlite::SqliteStore;

/// Opens the store `database` names, or the data directory's SQLite file without one.
pub fn open(data_dir: &Path, database: Option<&str>) -> Result<Arc<dyn Store>, ServiceError> {
    match database.map(str::trim).filter(|url| !url.is_empty()) {
        None => Ok(Arc::new(
            SqliteStore::open_in_data_dir(data_dir).map_err(ServiceError::from)?,
        )),
        Some(url) if is_postgres(url) => Ok(Arc::new(
            PostgresStore::connect(url).map_err(ServiceError::from)?,
        )),
        Some(url) => Err(ServiceError::invalid(format!(
            "--database {}: only PostgreSQL URLs are supported (postgres://user@host:port/database); \
leave it out to use the SQLite file in the data directory",
            redact(url)
        ))),
    }
}

/// A store named on the command line (`store copy --to/--from`): a PostgreSQL URL, or
/// `sqlite:DIR` for the SQLite file in another data directory.
pub struct Named {
    pub store: Arc<dyn Store>,
    /// The URL (password hidden) or `sqlite:` path, for messages.
    pub label: String,
    /// The data directory of an embedded store (its `keys/` are its keyring); `None` for a
    /// shared database.
    pub data_dir: Option<std::path::PathBuf>,
}

/// What [`open_named`] would open, to tell two names of one store apart before opening.
pub fn identity(data_dir: &Path, name: Option<&str>) -> String {
    match name.map(str::trim).filter(|n| !n.is_empty()) {
        None => format!("sqlite:{}", absolute(data_dir).display()),
        Some(name) => match name.strip_prefix("sqlite:") {
            Some(dir) => format!("sqlite:{}", absolute(Path::new(dir)).display()),
            None => name.trim_end_matches('/').to_string(),
        },
    }
}

fn absolute(path: &Path) -> std::path::PathBuf {
    std::fs::canonicalize(path)
        .or_else(|_| std::path::absolute(path))
        .unwrap_or_else(|_| path.to_path_buf())
}

/// Opens the store `name` names (`None`: the data directory's SQLite file).
pub fn open_named(data_dir: &Path, name: Option<&str>) -> Result<Named, ServiceError> {
    let name = name.map(str::trim).filter(|n| !n.is_empty());
    match name {
        None => Ok(Named {
            store: open(data_dir, None)?,
            label: identity(data_dir, None),
            data_dir: Some(data_dir.to_path_buf()),
        }),
        Some(name) => match name.strip_prefix("sqlite:") {
            Some("") => Err(ServiceError::invalid(
                "sqlite: needs a data directory: sqlite:/path/to/dir (it holds imprint.db)",
            )),
            Some(dir) => Ok(Named {
                store: open(Path::new(dir), None)?,
                label: identity(data_dir, Some(name)),
                data_dir: Some(std::path::PathBuf::from(dir)),
            }),
            None if is_postgres(name) => Ok(Named {
                store: open(data_dir, Some(name))?,
                label: redact(name),
                data_dir: None,
            }),
            None => Err(ServiceError::invalid(format!(
                "{}: give a PostgreSQL URL (postgres://user@host:port/database) or sqlite:DIR \
(a data directory)",
                redact(name)
            ))),
        },
    }
}

pub fn is_postgres(url: &str) -> bool {
    url.starts_with("postgres://") || url.starts_with("postgresql://")
}

/// A URL without its password, for messages.
pub fn redact(url: &str) -> String {
    match (url.find("://"), url.find('@')) {
        (Some(scheme), Some(at)) if at > scheme => {
            let userinfo = &url[scheme + 3..at];
            match userinfo.split_once(':') {
                Some((user, _)) => format!("{}{user}:***{}", &url[..scheme + 3], &url[at..]),
                None => url.to_string(),
            }
        }
        _ => url.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_stay_out_of_messages() {
        assert_eq!(
            redact("postgres://team:s3cret@db:5432/imprint"),
            "postgres://team:***@db:5432/imprint"
        );
        assert_eq!(
            redact("postgres://team@db/imprint"),
            "postgres://team@db/imprint"
        );
    }

    #[test]
    fn other_urls_are_refused_with_the_fix() {
        let dir = tempfile::tempdir().unwrap();
        let error = open(dir.path(), Some("mysql://x@y/z")).err().unwrap();
        assert!(
            error.message().contains("only PostgreSQL"),
            "{}",
            error.message()
        );
    }
}
