//! Why a deploy did not happen, worded for the person who has to fix it.

use std::io;
use std::path::{Path, PathBuf};

use crate::FileFormat;

/// A deploy, drift check or read that did not complete.
///
/// Whatever the variant, the client's file was left as it was. [`DeployError::Unmanaged`] and
/// [`DeployError::Drift`] state the fact only: how to go ahead (force, or import the file
/// first) is the caller's to say, in its own words.
#[derive(Debug, thiserror::Error)]
pub enum DeployError {
    /// The file holds servers that Imprint did not put there and that this deploy would change
    /// or remove.
    #[error(
        "{} has servers imprint did not put there: {}; this deploy would change or remove them",
        path.display(),
        quoted_list(names)
    )]
    Unmanaged { path: PathBuf, names: Vec<String> },

    /// The MCP section in the file changed since the last deploy.
    #[error(
        "the MCP section of {} changed since the last deploy ({})",
        path.display(),
        changes.join("; ")
    )]
    Drift { path: PathBuf, changes: Vec<String> },

    /// The file is not valid JSON or JSONC; `message` names the line and column.
    #[error("cannot parse {}: {message}; fix the file by hand (it was left unchanged)", path.display())]
    Parse { path: PathBuf, message: String },

    /// The file parses but is not shaped like a configuration (e.g. the top level is an array).
    #[error("{}: {message}; the file was left unchanged", path.display())]
    Shape { path: PathBuf, message: String },

    /// Reading or writing failed; `action` says what was being done.
    #[error("{}", io_message(path, action, source))]
    Io {
        path: PathBuf,
        action: &'static str,
        #[source]
        source: io::Error,
    },

    /// The path is a FIFO, socket, device or directory: only regular files are read or
    /// replaced (opening a FIFO would block forever).
    #[error(
        "{} is a {kind}, not a regular file; imprint reads and replaces only regular files: remove it or point the client at a regular file",
        path.display()
    )]
    NotRegular { path: PathBuf, kind: &'static str },

    /// Another program kept rewriting the file while this deploy edited it; the file holds the
    /// other program's last version.
    #[error(
        "{} kept changing while imprint deployed to it ({attempts} attempts): another program (the client itself?) keeps rewriting it; close that program or retry",
        path.display()
    )]
    KeepsChanging { path: PathBuf, attempts: u32 },

    /// The caller could not record the write it was about to make (see
    /// [`crate::DeployRequest::before_replace`]), so the file was not replaced.
    #[error("{} was left unchanged: {message}", path.display())]
    NotRecorded { path: PathBuf, message: String },

    /// Deploying into files of this format is not implemented yet.
    #[error("{} files are not supported yet", format_name(*format))]
    Unsupported { format: FileFormat },
}

impl DeployError {
    pub(crate) fn io(path: &Path, action: &'static str, source: io::Error) -> Self {
        DeployError::Io {
            path: path.to_path_buf(),
            action,
            source,
        }
    }
}

pub(crate) fn format_name(format: FileFormat) -> &'static str {
    match format {
        FileFormat::Json => "json",
        FileFormat::Jsonc => "jsonc",
        FileFormat::Toml => "toml",
        FileFormat::Yaml => "yaml",
    }
}

fn quoted_list(names: &[String]) -> String {
    names
        .iter()
        .map(|name| format!("'{name}'"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// "permission denied writing /x: check the directory is writable": the problem first, then the
/// path, then what to do about it, so the message reads the same whatever the action was.
fn io_message(path: &Path, action: &str, source: &io::Error) -> String {
    let path = path.display();
    let (problem, hint) = match source.kind() {
        io::ErrorKind::PermissionDenied => (
            "permission denied",
            "check the file and its directory are writable by this user",
        ),
        io::ErrorKind::ReadOnlyFilesystem => (
            "read-only file system",
            "the file lives on a read-only mount; deploy to a writable location",
        ),
        io::ErrorKind::NotADirectory => (
            "not a directory",
            "a parent of the path is a file, not a directory",
        ),
        io::ErrorKind::IsADirectory => ("is a directory", "the path must name a file"),
        io::ErrorKind::StorageFull => (
            "the disk is full:",
            "nothing was left behind; free some disk space and retry",
        ),
        io::ErrorKind::FileTooLarge => (
            "the file would exceed the size this process may write (its file size limit, ulimit -f):",
            "nothing was left behind; raise the limit and retry",
        ),
        _ => {
            return format!(
                "{action} {path} failed: {}",
                lowercase_first(&source.to_string())
            );
        }
    };
    format!("{problem} {action} {path}: {hint}")
}

pub(crate) fn lowercase_first(text: &str) -> String {
    let mut chars = text.chars();
    match chars.next() {
        Some(first) => first.to_lowercase().chain(chars).collect(),
        None => String::new(),
    }
}
