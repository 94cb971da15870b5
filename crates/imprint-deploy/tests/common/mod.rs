//! Fixtures and helpers shared by the deploy tests.

#![allow(dead_code)] // each test binary uses a different subset

use std::fs;
use std::ops::Range;
use std::path::{Path, PathBuf};

use imprint_deploy::{DeployOutcome, DeployRequest, FileFormat, PreviousDeploy, SectionLayout};
use serde_json::Value;
use tempfile::TempDir;

/// `~/.claude.json` as Claude Code writes it: many keys that are not Imprint's, a per-project
/// `mcpServers` that must not be confused with the top-level one, and one server.
pub const CLAUDE_CODE: &str = r#"{
  "numStartups": 42,
  "installMethod": "unknown",
  "autoUpdates": true,
  "tipsHistory": {
    "new-user-warmup": 1,
    "memory-command": 12
  },
  "userID": "5e0c2f4b9a3d4e1f8a7b6c5d4e3f2a1b0c9d8e7f6a5b4c3d2e1f0a9b8c7d6e5f",
  "projects": {
    "/home/ana/src/blog": {
      "allowedTools": [],
      "history": [
        {
          "display": "fix the \"build\" step {and} [this]",
          "pastedContents": {}
        }
      ],
      "mcpContextUris": [],
      "mcpServers": {
        "project-local": {
          "command": "node",
          "args": [
            "server.js"
          ]
        }
      },
      "enabledMcpjsonServers": [],
      "hasTrustDialogAccepted": true
    }
  },
  "oauthAccount": {
    "accountUuid": "0b7e8f3c-1d2a-4b5c-9e8f-7a6b5c4d3e2f",
    "emailAddress": "ana@example.com",
    "organizationName": "Ana's Individual Org"
  },
  "mcpServers": {
    "memory": {
      "type": "stdio",
      "command": "npx",
      "args": [
        "-y",
        "@modelcontextprotocol/server-memory"
      ],
      "env": {}
    }
  },
  "hasCompletedOnboarding": true,
  "lastOnboardingVersion": "1.0.51"
}
"#;

/// `claude_desktop_config.json` as Claude Desktop writes it: a `globalShortcut` beside the
/// servers, no final newline.
pub const CLAUDE_DESKTOP: &str = r#"{
  "globalShortcut": "Ctrl+Space",
  "mcpServers": {
    "filesystem": {
      "command": "npx",
      "args": ["-y", "@modelcontextprotocol/server-filesystem", "/home/ana/Documents"]
    }
  }
}"#;

/// Zed's `settings.json` as people write it by hand: line and block comments, trailing
/// commas, a comment above a server and one after a value.
pub const ZED_SETTINGS: &str = r#"// Zed settings
//
// For information on how to configure Zed, see the Zed
// documentation: https://zed.dev/docs/configuring-zed
{
  "theme": "One Dark", // the dark one
  /* fonts, set
     for the laptop */
  "buffer_font_size": 15,

  "context_servers": {
    // the database on the laptop
    "postgres": {
      "command": "npx",
      "args": ["-y", "@modelcontextprotocol/server-postgres", "postgresql://localhost/blog",],
      "env": {},
    },
  },
  "vim_mode": true,
}
"#;

/// A temp directory holding one client file and a backup directory.
pub struct Fixture {
    pub dir: TempDir,
    pub path: PathBuf,
    pub backups: PathBuf,
}

impl Fixture {
    /// `contents` written as `name` in a fresh temp directory.
    pub fn new(name: &str, contents: &str) -> Fixture {
        let fixture = Fixture::empty(name);
        fs::write(&fixture.path, contents).expect("write fixture");
        fixture
    }

    /// A fixture whose client file does not exist yet.
    pub fn empty(name: &str) -> Fixture {
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("client").join(name);
        if let Some(parent) = path.parent() {
            fs::create_dir_all(parent).expect("client dir");
        }
        let backups = dir.path().join("data").join("backups");
        Fixture { dir, path, backups }
    }

    pub fn request<'a>(
        &'a self,
        format: FileFormat,
        root_key: &'a str,
        section: &'a Value,
    ) -> DeployRequest<'a> {
        DeployRequest {
            path: &self.path,
            format,
            root_key,
            layout: SectionLayout::Map,
            section,
            previous: None,
            force: false,
            backup_dir: &self.backups,
            masking: None,
            companion: None,
            before_replace: None,
        }
    }

    pub fn text(&self) -> String {
        fs::read_to_string(&self.path).expect("read client file")
    }

    /// Names in the client file's directory, sorted.
    pub fn client_dir_entries(&self) -> Vec<String> {
        names_in(self.path.parent().expect("client dir"))
    }

    /// Names in the backup directory, sorted (empty when it does not exist).
    pub fn backup_entries(&self) -> Vec<String> {
        names_in(&self.backups)
    }
}

pub fn names_in(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = match fs::read_dir(dir) {
        Ok(entries) => entries
            .filter_map(Result::ok)
            .map(|entry| entry.file_name().to_string_lossy().into_owned())
            .collect(),
        Err(_) => Vec::new(),
    };
    names.sort();
    names
}

/// What the service would record after `outcome`.
pub fn previous_of(outcome: &DeployOutcome) -> PreviousDeploy {
    PreviousDeploy {
        section: outcome.section.clone(),
        file_sha256: outcome.file_sha256.clone(),
    }
}

/// A record of a deploy that wrote `section` into a file whose hash is no longer known, so
/// drift is decided by comparing sections.
pub fn previous_section(section: Value) -> PreviousDeploy {
    PreviousDeploy {
        section,
        file_sha256: "0".repeat(64),
    }
}

/// The section's value as parsed from `text` (JSONC allowed).
pub fn parsed_section(text: &str, root_key: &str) -> Value {
    let document: Value =
        jsonc_parser::parse_to_serde_value(text, &Default::default()).expect("parse written file");
    document.get(root_key).cloned().unwrap_or(Value::Null)
}

/// `text` with the top-level `"<key>": <value>` replaced by a marker, so that what lies
/// outside the MCP section can be compared byte for byte.
pub fn outside_section(text: &str, key: &str) -> String {
    let span = section_span(text, key).unwrap_or_else(|| panic!("no top-level {key} in {text}"));
    format!("{}<SECTION>{}", &text[..span.start], &text[span.end..])
}

/// Byte range of the top-level `"<key>": <value>` property (name through value), found by a
/// scanner that skips strings and comments and tracks nesting depth.
pub fn section_span(text: &str, key: &str) -> Option<Range<usize>> {
    let bytes = text.as_bytes();
    let needle = format!("\"{key}\"");
    let mut depth = 0usize;
    let mut i = 0;
    while i < bytes.len() {
        if let Some(end) = skip_string_or_comment(bytes, i) {
            if depth == 1 && bytes[i] == b'"' && text[i..end] == needle {
                let mut j = end;
                while j < bytes.len() && (bytes[j].is_ascii_whitespace() || bytes[j] == b':') {
                    j += 1;
                }
                return Some(i..value_end(bytes, j));
            }
            i = end;
            continue;
        }
        match bytes[i] {
            b'{' | b'[' => depth += 1,
            b'}' | b']' => depth = depth.saturating_sub(1),
            _ => {}
        }
        i += 1;
    }
    None
}

fn value_end(bytes: &[u8], start: usize) -> usize {
    if bytes.get(start) != Some(&b'{') {
        let mut end = start;
        while end < bytes.len() && bytes[end].is_ascii_alphanumeric() {
            end += 1;
        }
        return end;
    }
    let mut depth = 0usize;
    let mut i = start;
    while i < bytes.len() {
        if let Some(end) = skip_string_or_comment(bytes, i) {
            i = end;
            continue;
        }
        match bytes[i] {
            b'{' | b'[' => depth += 1,
            b'}' | b']' => {
                depth -= 1;
                if depth == 0 {
                    return i + 1;
                }
            }
            _ => {}
        }
        i += 1;
    }
    bytes.len()
}

/// End of the string or comment starting at `i`, if one starts there.
fn skip_string_or_comment(bytes: &[u8], i: usize) -> Option<usize> {
    match (bytes[i], bytes.get(i + 1)) {
        (b'"', _) => {
            let mut j = i + 1;
            while j < bytes.len() && bytes[j] != b'"' {
                j += if bytes[j] == b'\\' { 2 } else { 1 };
            }
            Some(j + 1)
        }
        (b'/', Some(b'/')) => {
            let mut j = i;
            while j < bytes.len() && bytes[j] != b'\n' {
                j += 1;
            }
            Some(j)
        }
        (b'/', Some(b'*')) => {
            let mut j = i + 2;
            while j + 1 < bytes.len() && !(bytes[j] == b'*' && bytes[j + 1] == b'/') {
                j += 1;
            }
            Some(j + 2)
        }
        _ => None,
    }
}

#[cfg(unix)]
pub fn mode_of(path: &Path) -> u32 {
    use std::os::unix::fs::PermissionsExt;
    fs::metadata(path).expect("metadata").permissions().mode() & 0o7777
}
