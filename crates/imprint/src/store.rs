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
