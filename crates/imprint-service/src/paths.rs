//! Where Imprint keeps its state: `$IMPRINT_HOME`, else `$XDG_DATA_HOME/imprint`, else
//! `~/.local/share/imprint`. Nothing is written outside it except on an explicit deploy.

use std::path::PathBuf;

use crate::error::{ServiceError, ServiceResult};

/// Resolves the data directory from the environment.
pub fn resolve_data_dir() -> ServiceResult<PathBuf> {
    let var = |name: &str| {
        std::env::var_os(name)
            .filter(|v| !v.is_empty())
            .map(PathBuf::from)
    };
    if let Some(dir) = var("IMPRINT_HOME") {
        return Ok(dir);
    }
    if let Some(dir) = var("XDG_DATA_HOME") {
        return Ok(dir.join("imprint"));
    }
    let home = resolve_home_dir()?;
    Ok(home.join(".local").join("share").join("imprint"))
}

/// The user's home directory, where client configuration files live.
pub fn resolve_home_dir() -> ServiceResult<PathBuf> {
    std::env::var_os("HOME")
        .or_else(|| std::env::var_os("USERPROFILE"))
        .filter(|v| !v.is_empty())
        .map(PathBuf::from)
        .ok_or_else(|| {
            ServiceError::invalid(
                "cannot find the home directory: set HOME (or IMPRINT_HOME for the data directory)",
            )
        })
}
