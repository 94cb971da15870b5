//! Where Imprint keeps its state: `$IMPRINT_HOME`, else `$XDG_DATA_HOME/imprint`, else
//! `~/.local/share/imprint`. Nothing is written outside it except on an explicit deploy.

use std::path::{Path, PathBuf};

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

/// Files and directories whose presence makes a directory look like a project root.
const PROJECT_MARKERS: &[&str] = &[
    ".git",
    ".hg",
    ".svn",
    ".jj",
    ".mcp.json",
    ".cursor",
    ".vscode",
    ".zed",
    ".idea",
    ".claude",
    "package.json",
    "deno.json",
    "Cargo.toml",
    "pyproject.toml",
    "setup.py",
    "requirements.txt",
    "go.mod",
    "pom.xml",
    "build.gradle",
    "build.gradle.kts",
    "Gemfile",
    "composer.json",
    "mix.exs",
    "CMakeLists.txt",
    "Makefile",
];

/// Directories no project lives in: writing a client's project file there would change
/// the system, not a project (as root, `/etc/.mcp.json`).
const SYSTEM_DIRS: &[&str] = &[
    "/etc", "/usr", "/bin", "/sbin", "/proc", "/sys", "/dev", "/boot", "/run", "/lib", "/lib32",
    "/lib64", "/libx32",
];

/// Checks a `project_dir` a deploy is about to write into. System directories (`/`, `/etc`,
/// `/usr`, …, and anything under them), `/var` itself, and the home directory and its
/// parents are always refused; any other directory must look like a project (hold `.git`,
/// `package.json`, `Cargo.toml`, … or a client's project file) unless `allow_any_dir`.
/// A path that does not exist is left to the caller, which says so.
pub fn check_project_dir(dir: &Path, home: &Path, allow_any_dir: bool) -> ServiceResult<()> {
    let Ok(real) = dir.canonicalize() else {
        return Ok(());
    };
    let home = home.canonicalize().unwrap_or_else(|_| home.to_path_buf());
    let system = real.parent().is_none()
        || real == Path::new("/var")
        || SYSTEM_DIRS.iter().any(|s| real.starts_with(s));
    let why = if system {
        Some("is a system directory")
    } else if home.starts_with(&real) {
        Some(
            "is your home directory or one of its parents (the user-scope file covers it: leave out project_dir)",
        )
    } else {
        None
    };
    if let Some(why) = why {
        return Err(ServiceError::invalid(format!(
            "project_dir {} {why}; Imprint does not write project files there: pass the root of a project (a directory with .git, package.json, Cargo.toml, …)",
            real.display()
        )));
    }
    if allow_any_dir || PROJECT_MARKERS.iter().any(|m| real.join(m).exists()) {
        return Ok(());
    }
    Err(ServiceError::invalid(format!(
        "project_dir {} does not look like a project (no .git, package.json, Cargo.toml, pyproject.toml, go.mod, .mcp.json, … in it): pass the project's root directory, or set allow_any_dir (CLI --allow-any-dir) to deploy there anyway",
        real.display()
    )))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn system_and_home_directories_are_refused_even_when_allowed() {
        let home = Path::new("/root");
        for dir in ["/", "/etc", "/usr/local", "/proc", "/var", "/dev"] {
            let error = check_project_dir(Path::new(dir), home, true).unwrap_err();
            assert!(
                error.message().contains("system directory"),
                "{dir}: {error}"
            );
        }
        let tmp = tempfile::tempdir().unwrap();
        let home = tmp.path().join("me");
        std::fs::create_dir_all(home.join(".git")).unwrap();
        let error = check_project_dir(&home, &home, true).unwrap_err();
        assert!(error.message().contains("home directory"), "{error}");
    }

    #[test]
    fn a_directory_must_look_like_a_project_unless_allowed() {
        let tmp = tempfile::tempdir().unwrap();
        let home = tmp.path().join("me");
        let plain = tmp.path().join("plain");
        std::fs::create_dir_all(&plain).unwrap();
        let error = check_project_dir(&plain, &home, false).unwrap_err();
        assert!(error.message().contains("allow_any_dir"), "{error}");
        check_project_dir(&plain, &home, true).unwrap();
        std::fs::write(plain.join("Cargo.toml"), "").unwrap();
        check_project_dir(&plain, &home, false).unwrap();
    }
}
