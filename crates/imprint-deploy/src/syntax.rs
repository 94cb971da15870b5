//! What each file format has to offer the deploy: read the MCP section out of a file's text, and
//! produce the text with a new section and nothing else changed.
//!
//! A format is one implementation of [`Syntax`]; adding TOML or YAML is adding a module and a
//! line in [`for_format`]. Everything else (drift, unmanaged servers, backups, atomic writes)
//! is shared and knows nothing of the syntax.

use std::path::Path;

use serde_json::{Map, Value};

use crate::{DeployError, FileFormat, jsonc};

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

/// One file format.
pub(crate) trait Syntax {
    /// The section under `root_key`, or `None` when the document or the key is absent.
    fn read(&self, text: &str, root_key: &str) -> Result<Option<Section>, SyntaxError>;

    /// `text` with the section under `root_key` replaced by `desired`, everything else kept as
    /// written; `None` means the file does not exist yet and a fresh document is wanted.
    fn rewrite(
        &self,
        text: Option<&str>,
        root_key: &str,
        desired: &Section,
    ) -> Result<String, SyntaxError>;
}

/// The syntax for a format, or [`DeployError::Unsupported`].
pub(crate) fn for_format(format: FileFormat) -> Result<&'static dyn Syntax, DeployError> {
    match format {
        FileFormat::Json => Ok(&jsonc::STRICT),
        FileFormat::Jsonc => Ok(&jsonc::LENIENT),
        FileFormat::Toml | FileFormat::Yaml => Err(DeployError::Unsupported { format }),
    }
}
