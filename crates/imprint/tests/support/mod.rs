//! Test harness: a throwaway home and data directory, the real `imprint` binary run as
//! a CLI or as an MCP stdio server driven by rmcp's client.

#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::Output;

use rmcp::model::{
    CallToolRequestParams, CallToolResult, ReadResourceRequestParams, ResourceContents,
};
use rmcp::service::RunningService;
use rmcp::transport::TokioChildProcess;
use rmcp::{RoleClient, ServiceExt};
use serde_json::{Map, Value, json};

pub const BIN: &str = env!("CARGO_BIN_EXE_imprint");

/// A home directory (client files land here) with the data directory inside it.
pub struct TestEnv {
    pub dir: tempfile::TempDir,
}

impl TestEnv {
    pub fn new() -> Self {
        Self {
            dir: tempfile::tempdir().unwrap(),
        }
    }

    pub fn home(&self) -> PathBuf {
        self.dir.path().join("home")
    }

    pub fn data(&self) -> PathBuf {
        self.dir.path().join("data")
    }

    pub fn command(&self) -> std::process::Command {
        let mut command = std::process::Command::new(BIN);
        self.apply_env(&mut command);
        command
    }

    pub fn apply_env(&self, command: &mut std::process::Command) {
        std::fs::create_dir_all(self.home()).unwrap();
        command
            .env_clear()
            .env("PATH", std::env::var_os("PATH").unwrap_or_default())
            .env("HOME", self.home())
            .env("IMPRINT_HOME", self.data())
            .env("USER", "tester");
    }

    /// Runs the CLI with `--json` and returns (exit code, parsed stdout, stderr).
    pub fn cli(&self, args: &[&str]) -> (i32, Value, String) {
        let output: Output = self.command().arg("--json").args(args).output().unwrap();
        let stdout = String::from_utf8_lossy(&output.stdout).to_string();
        let stderr = String::from_utf8_lossy(&output.stderr).to_string();
        let value = serde_json::from_str(&stdout).unwrap_or(Value::Null);
        (output.status.code().unwrap_or(-1), value, stderr)
    }

    pub fn cli_ok(&self, args: &[&str]) -> Value {
        let (code, value, stderr) = self.cli(args);
        assert_eq!(code, 0, "imprint {args:?} failed: {stderr}");
        value
    }

    pub async fn mcp(&self) -> Mcp {
        let mut command = tokio::process::Command::new(BIN);
        std::fs::create_dir_all(self.home()).unwrap();
        command
            .env_clear()
            .env("PATH", std::env::var_os("PATH").unwrap_or_default())
            .env("HOME", self.home())
            .env("IMPRINT_HOME", self.data())
            .env("USER", "tester")
            .arg("serve");
        let transport = TokioChildProcess::new(command).unwrap();
        Mcp {
            client: ().serve(transport).await.unwrap(),
        }
    }

    pub fn file(&self, relative: &str) -> PathBuf {
        self.home().join(relative)
    }

    pub fn write(&self, relative: &str, text: &str) -> PathBuf {
        let path = self.file(relative);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, text).unwrap();
        path
    }
}

pub struct Mcp {
    pub client: RunningService<RoleClient, ()>,
}

/// A tool's outcome: its JSON body and whether it was an error.
#[derive(Debug)]
pub struct ToolOutcome {
    pub is_error: bool,
    pub body: Value,
}

impl ToolOutcome {
    pub fn message(&self) -> String {
        self.body["error"]["message"]
            .as_str()
            .unwrap_or_default()
            .to_string()
    }
}

fn text_of(result: &CallToolResult) -> String {
    result
        .content
        .iter()
        .filter_map(|block| block.as_text().map(|t| t.text.clone()))
        .collect::<Vec<_>>()
        .join("")
}

impl Mcp {
    pub async fn call(&self, tool: &str, arguments: Value) -> ToolOutcome {
        let arguments: Map<String, Value> = match arguments {
            Value::Object(map) => map,
            Value::Null => Map::new(),
            other => panic!("arguments must be an object, got {other}"),
        };
        let result = self
            .client
            .call_tool(CallToolRequestParams::new(tool.to_string()).with_arguments(arguments))
            .await
            .unwrap_or_else(|e| panic!("{tool} failed at the protocol level: {e}"));
        let text = text_of(&result);
        let body = serde_json::from_str(&text).unwrap_or_else(|_| json!({"text": text}));
        ToolOutcome {
            is_error: result.is_error.unwrap_or(false),
            body,
        }
    }

    /// Calls a tool that must succeed and returns its JSON.
    pub async fn ok(&self, tool: &str, arguments: Value) -> Value {
        let outcome = self.call(tool, arguments).await;
        assert!(
            !outcome.is_error,
            "{tool} returned an error: {}",
            outcome.body
        );
        outcome.body
    }

    /// Calls a tool that must fail with isError and returns its message.
    pub async fn err(&self, tool: &str, arguments: Value) -> String {
        let outcome = self.call(tool, arguments).await;
        assert!(
            outcome.is_error,
            "{tool} should have failed, got {}",
            outcome.body
        );
        outcome.message()
    }

    pub async fn read(&self, uri: &str) -> Result<Value, String> {
        match self
            .client
            .read_resource(ReadResourceRequestParams::new(uri))
            .await
        {
            Ok(result) => match &result.contents[0] {
                ResourceContents::TextResourceContents { text, .. } => {
                    Ok(serde_json::from_str(text).unwrap())
                }
                other => panic!("unexpected resource contents {other:?}"),
            },
            Err(e) => Err(e.to_string()),
        }
    }

    pub async fn close(self) {
        self.client.cancel().await.unwrap();
    }
}

pub fn read_json(path: &Path) -> Value {
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

/// A fresh PostgreSQL database in the cluster `IMPRINT_TEST_DATABASE_URL` names (CI sets it,
/// `scripts/dev-postgres start` gives one), dropped at the end.
pub struct TeamDb {
    pub admin: String,
    pub name: String,
    /// The same server and user, this database.
    pub url: String,
}

impl TeamDb {
    /// A database named `{prefix}_{pid}_{n}`; `None`, with a note, when the variable is not
    /// set (the calling test then passes vacuously).
    pub fn new(prefix: &str) -> Option<TeamDb> {
        use std::sync::atomic::{AtomicUsize, Ordering};
        static NEXT: AtomicUsize = AtomicUsize::new(0);
        let Ok(admin) = std::env::var("IMPRINT_TEST_DATABASE_URL") else {
            eprintln!(
                "IMPRINT_TEST_DATABASE_URL is not set: skipping this PostgreSQL test (scripts/dev-postgres start gives one)"
            );
            return None;
        };
        let name = format!(
            "{prefix}_{}_{}",
            std::process::id(),
            NEXT.fetch_add(1, Ordering::Relaxed)
        );
        psql(&admin, &format!("CREATE DATABASE {name}"));
        let base = admin.split('?').next().unwrap();
        let url = format!("{}/{name}", &base[..base.rfind('/').unwrap()]);
        Some(TeamDb { admin, name, url })
    }
}

impl Drop for TeamDb {
    fn drop(&mut self) {
        let _ = std::process::Command::new("psql")
            .args([
                self.admin.as_str(),
                "-qc",
                &format!("DROP DATABASE IF EXISTS {} WITH (FORCE)", self.name),
            ])
            .output();
    }
}

/// Runs `sql` against `url` with psql; a failure fails the test with psql's own words.
pub fn psql(url: &str, sql: &str) {
    let output = std::process::Command::new("psql")
        .args([url, "-qc", sql])
        .output()
        .expect("psql (Debian's postgresql-client) runs");
    assert!(
        output.status.success(),
        "{sql}: {}",
        String::from_utf8_lossy(&output.stderr)
    );
}

/// The file after a change must be the file before with one contiguous block of bytes
/// inserted; returns that block.
pub fn inserted<'a>(before: &str, after: &'a str) -> &'a str {
    let prefix = before
        .bytes()
        .zip(after.bytes())
        .take_while(|(a, b)| a == b)
        .count();
    let suffix = before
        .bytes()
        .rev()
        .zip(after.bytes().rev())
        .take_while(|(a, b)| a == b)
        .count()
        .min(before.len() - prefix);
    assert_eq!(
        prefix + suffix,
        before.len(),
        "more than one place changed:\n--- before\n{before}\n--- after\n{after}"
    );
    &after[prefix..after.len() - suffix]
}
