//! One regression test per defect found by the red-team pass over the release binary,
//! each named after the defect and run through the real `imprint` executable.

mod http_support;
mod support;

use std::process::Stdio;

use rmcp::ServiceExt as _;
use rmcp::transport::TokioChildProcess;
use serde_json::json;
use support::{BIN, Mcp, TestEnv};
use tokio::io::AsyncReadExt as _;

/// A recognizable secret that must never reach a log line.
const SECRET_VALUE: &str = "red-team-canary-7f3a9c";

/// Starts `imprint serve` over stdio with `IMPRINT_LOG=filter`, calls `set_secret`, and
/// returns everything the server wrote to stderr.
async fn stderr_of_set_secret(env: &TestEnv, filter: &str) -> String {
    std::fs::create_dir_all(env.home()).unwrap();
    let mut command = tokio::process::Command::new(BIN);
    command
        .env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .env("HOME", env.home())
        .env("IMPRINT_HOME", env.data())
        .env("USER", "tester")
        .env("IMPRINT_LOG", filter)
        .arg("serve");
    let (transport, stderr) = TokioChildProcess::builder(command)
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stderr = stderr.expect("stderr is piped");
    let collector = tokio::spawn(async move {
        let mut text = String::new();
        let _ = stderr.read_to_string(&mut text).await;
        text
    });
    let mcp = Mcp {
        client: ().serve(transport).await.unwrap(),
    };
    mcp.ok(
        "set_secret",
        json!({"name": "RED_TEAM", "value": SECRET_VALUE}),
    )
    .await;
    mcp.ok(
        "add_server_to_config",
        json!({"server_id": "brave-search", "env_vars": {"BRAVE_API_KEY": SECRET_VALUE}}),
    )
    .await;
    mcp.close().await;
    tokio::time::timeout(std::time::Duration::from_secs(30), collector)
        .await
        .expect("the server exits once the client closes")
        .unwrap()
}

#[tokio::test]
async fn debug_logging_never_prints_secret_tool_arguments() {
    for filter in ["debug", "rmcp=trace", "rmcp::service=debug", "trace"] {
        let env = TestEnv::new();
        let stderr = stderr_of_set_secret(&env, filter).await;
        assert!(
            !stderr.contains(SECRET_VALUE),
            "IMPRINT_LOG={filter} printed a secret:\n{stderr}"
        );
        if filter == "rmcp::service=debug" {
            // The filter is live: rmcp's own info lines still come through.
            assert!(
                stderr.contains("initialized"),
                "IMPRINT_LOG={filter} logged nothing from rmcp:\n{stderr}"
            );
        }
    }
}
