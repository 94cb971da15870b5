//! What each file format has to offer the deploy: read a top-level value out of a file's text,
//! and produce the text with a new MCP section and nothing else changed.
//!
//! A format is one implementation of [`Syntax`] (`jsonc`, `toml`, `yaml`); adding one is adding
//! a module and a line in [`for_format`]. Everything else (drift, unmanaged servers, the layout of
//! list-shaped sections, backups, atomic writes) is shared and knows nothing of the syntax.
//!
//! Every implementation checks its own edit before handing it back: the new text must parse,
//! hold exactly the desired section, and hold everything else exactly as before. A bug in an
//! editor therefore becomes an error for one file, never a damaged file.

use std::path::Path;

use serde_json::{Map, Value};

use crate::{DeployError, FileFormat, jsonc, toml, yaml};

/// A section: server name to entry, in the order the file has them.
pub(crate) type Section = Map<String, Value>;

/// Why a text could not be read or rewritten, before a path is attached to it.
#[derive(Debug)]
pub(crate) enum SyntaxError {
    /// Not valid in the format; names line and column.
    Parse(String),
    /// Valid, but not shaped like a configuration.
    Shape(String),
}

impl SyntaxError {
    pub(crate) fn at(self, path: &Path) -> DeployError {
        match self {
            SyntaxError::Parse(message) => DeployError::Parse {
                path: path.to_path_buf(),
                message,
            },
            SyntaxError::Shape(message) => DeployError::Shape {
                path: path.to_path_buf(),
                message,
            },
        }
    }
}

/// What to change in a file: the MCP section under `root_key`.
pub(crate) struct Rewrite<'a> {
    pub(crate) root_key: &'a str,
    /// The desired value of the section: an object of entries, or a list of them.
    pub(crate) desired: &'a Value,
    /// For list sections, the key naming each entry, so that an entry whose content changed is
    /// still recognized as the same entry (and keeps the comment above it, where the syntax can).
    pub(crate) item_key: Option<&'a str>,
}

/// One file format.
pub(crate) trait Syntax {
    /// The value under the top-level `key`, or `None` when the document or the key is absent
    /// (or the key holds `null`).
    fn read(&self, text: &str, key: &str) -> Result<Option<Value>, SyntaxError>;

    /// `text` with the section replaced, everything else kept as written; `None` means the file
    /// does not exist yet and a fresh document is wanted.
    fn rewrite(&self, text: Option<&str>, change: &Rewrite) -> Result<String, SyntaxError>;

    /// `text` with `items` appended to the top-level array `key` (created if absent). Used for
    /// VS Code's `inputs`, which the secret references of a deploy need; only JSON/JSONC files
    /// have such a companion list.
    fn append_to_list(
        &self,
        text: &str,
        key: &str,
        items: &[Value],
    ) -> Result<String, SyntaxError> {
        let _ = (text, items);
        Err(SyntaxError::Shape(format!(
            "cannot add entries to '{key}' in this file format"
        )))
    }
}

/// The syntax for a format.
pub(crate) fn for_format(format: FileFormat) -> Result<&'static dyn Syntax, DeployError> {
    match format {
        FileFormat::Json => Ok(&jsonc::STRICT),
        FileFormat::Jsonc => Ok(&jsonc::LENIENT),
        FileFormat::Toml => Ok(&toml::TOML),
        FileFormat::Yaml => Ok(&yaml::YAML),
    }
}

/// `document` without its top-level `key`, for the "nothing else changed" check.
pub(crate) fn without_key(document: &Value, key: &str) -> Value {
    match document {
        Value::Object(root) => {
            let mut rest = root.clone();
            rest.shift_remove(key);
            Value::Object(rest)
        }
        Value::Null => Value::Object(Map::new()),
        other => other.clone(),
    }
}

/// The error for an edit that did not do what was asked (a bug, caught before writing).
pub(crate) fn internal(message: &str) -> SyntaxError {
    SyntaxError::Shape(format!("internal error: {message}"))
}

/// Checks an edit: `after` holds `desired` under `root_key` and equals `before` everywhere else.
pub(crate) fn check_edit(
    before: &Value,
    after: &Value,
    root_key: &str,
    desired: &Value,
) -> Result<(), SyntaxError> {
    let section = match after {
        Value::Object(root) => root.get(root_key),
        _ => None,
    };
    // an empty section may be left out entirely (TOML has no empty implicit table)
    let empty = match desired {
        Value::Object(map) => map.is_empty(),
        Value::Array(items) => items.is_empty(),
        _ => false,
    };
    if section != Some(desired) && !(section.is_none() && empty) {
        return Err(internal(
            "the edited section does not match the desired one",
        ));
    }
    if without_key(before, root_key) != without_key(after, root_key) {
        return Err(internal("the edit changed keys outside the MCP section"));
    }
    Ok(())
}
