//! Shared by the `http_*` end-to-end tests: the real `imprint serve --http 127.0.0.1:0`
//! and a minimal HTTP/1.1 client. The server prints `listening on http://ADDR` once
//! bound; the harness reads that line and never sleeps.

#![allow(dead_code)]

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Child, ChildStdout, Stdio};
use std::time::{Duration, Instant};

use serde_json::{Value, json};

use crate::support::TestEnv;

/// A running `imprint serve --http`.
pub struct Server {
    child: Child,
    /// `127.0.0.1:PORT`
    pub addr: String,
    pub login_url: String,
    _stdout: BufReader<ChildStdout>,
}

impl Server {
    pub fn start(env: &TestEnv, extra: &[&str]) -> Server {
        let mut command = env.command();
        command.args(["serve", "--http", "127.0.0.1:0"]).args(extra);
        Self::spawn(command)
    }

    /// Like [`Server::start`], with more environment variables (the debug builds' test knobs).
    pub fn start_with_env(env: &TestEnv, vars: &[(&str, &str)], extra: &[&str]) -> Server {
        let mut command = env.command();
        command.envs(vars.iter().copied());
        command.args(["serve", "--http", "127.0.0.1:0"]).args(extra);
        Self::spawn(command)
    }

    /// Like [`Server::start`], with the server's file descriptor limit (`ulimit -n`) lowered
    /// to `max_fds`, as a small container or a careful admin would set it.
    pub fn start_with_fd_limit(env: &TestEnv, max_fds: u32, extra: &[&str]) -> Server {
        let mut command = std::process::Command::new("sh");
        env.apply_env(&mut command);
        command
            .arg("-c")
            .arg(format!("ulimit -n {max_fds} && exec \"$0\" \"$@\""))
            .arg(crate::support::BIN)
            .args(["serve", "--http", "127.0.0.1:0"])
            .args(extra);
        Self::spawn(command)
    }

    fn spawn(mut command: std::process::Command) -> Server {
        let mut child = command
            // Expected refusals log warnings; keep the test output to real failures.
            .env("IMPRINT_LOG", "error")
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("spawn imprint serve --http");
        let mut stdout = BufReader::new(child.stdout.take().unwrap());
        let mut first = String::new();
        stdout.read_line(&mut first).unwrap();
        let addr = first
            .trim()
            .strip_prefix("listening on http://")
            .unwrap_or_else(|| panic!("unexpected first line {first:?}"))
            .to_string();
        let mut second = String::new();
        stdout.read_line(&mut second).unwrap();
        let login_url = second
            .trim()
            .strip_prefix("control panel: ")
            .unwrap_or_else(|| panic!("unexpected second line {second:?}"))
            .to_string();
        Server {
            child,
            addr,
            login_url,
            _stdout: stdout,
        }
    }

    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    pub fn send(
        &self,
        method: &str,
        path: &str,
        headers: &[(&str, &str)],
        body: Option<&str>,
    ) -> Reply {
        http(&self.addr, method, path, headers, body)
    }

    pub fn get(&self, path: &str, token: &str) -> Reply {
        self.send(
            "GET",
            path,
            &[("authorization", &format!("Bearer {token}"))],
            None,
        )
    }

    pub fn post(&self, path: &str, token: &str, body: Value) -> Reply {
        self.send(
            "POST",
            path,
            &[
                ("authorization", &format!("Bearer {token}")),
                ("content-type", "application/json"),
            ],
            Some(&body.to_string()),
        )
    }

    /// One MCP JSON-RPC request over Streamable HTTP (stateless: no session needed).
    pub fn mcp(&self, token: &str, method: &str, params: Value) -> Value {
        let reply = self.send(
            "POST",
            "/mcp",
            &[
                ("authorization", &format!("Bearer {token}")),
                ("content-type", "application/json"),
                ("accept", "application/json, text/event-stream"),
                ("mcp-protocol-version", "2025-06-18"),
            ],
            Some(
                &json!({"jsonrpc": "2.0", "id": 1, "method": method, "params": params}).to_string(),
            ),
        );
        assert_eq!(reply.status, 200, "{method}: {}", reply.body);
        reply.json()
    }

    /// A tool's JSON result over `/mcp`.
    pub fn tool(&self, token: &str, name: &str, arguments: Value) -> Value {
        let answer = self.mcp(
            token,
            "tools/call",
            json!({"name": name, "arguments": arguments}),
        );
        let text = answer["result"]["content"][0]["text"]
            .as_str()
            .unwrap_or_default();
        assert!(
            !answer["result"]["isError"].as_bool().unwrap_or(false),
            "{name}: {text}"
        );
        serde_json::from_str(text).unwrap()
    }

    /// SIGTERM, then the exit status.
    pub fn terminate(mut self) -> std::process::ExitStatus {
        let pid = self.child.id().to_string();
        std::process::Command::new("kill")
            .args(["-TERM", &pid])
            .status()
            .unwrap();
        let deadline = Instant::now() + Duration::from_secs(15);
        loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                return status;
            }
            assert!(
                Instant::now() < deadline,
                "server did not stop after SIGTERM"
            );
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

#[derive(Debug)]
pub struct Reply {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: String,
}

impl Reply {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    pub fn json(&self) -> Value {
        serde_json::from_str(&self.body)
            .unwrap_or_else(|e| panic!("not JSON ({e}): {} {}", self.status, self.body))
    }

    /// Asserts the API error shape and returns the code.
    pub fn error_code(&self) -> String {
        let body = self.json();
        assert!(body["error"]["message"].is_string(), "{body}");
        assert!(body["error"].get("details").is_some(), "{body}");
        body["error"]["code"].as_str().unwrap().to_string()
    }
}

/// A minimal HTTP/1.1 client (one request per connection), so the tests need no
/// HTTP library and see exactly what the server sends.
pub fn http(
    addr: &str,
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
    body: Option<&str>,
) -> Reply {
    let mut stream = TcpStream::connect(addr).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(30)))
        .unwrap();
    let mut request = format!("{method} {path} HTTP/1.1\r\nconnection: close\r\n");
    if !headers.iter().any(|(n, _)| n.eq_ignore_ascii_case("host")) {
        request.push_str(&format!("host: {addr}\r\n"));
    }
    for (name, value) in headers {
        request.push_str(&format!("{name}: {value}\r\n"));
    }
    let body = body.unwrap_or("");
    if !body.is_empty() || method == "POST" {
        request.push_str(&format!("content-length: {}\r\n", body.len()));
    }
    request.push_str("\r\n");
    request.push_str(body);
    stream.write_all(request.as_bytes()).unwrap();
    let mut raw = Vec::new();
    stream.read_to_end(&mut raw).unwrap();
    let text = String::from_utf8_lossy(&raw).to_string();
    let (head, rest) = text.split_once("\r\n\r\n").unwrap_or((&text, ""));
    let mut lines = head.lines();
    let status = lines
        .next()
        .and_then(|line| line.split_whitespace().nth(1))
        .and_then(|s| s.parse().ok())
        .unwrap_or(0);
    let headers: Vec<(String, String)> = lines
        .filter_map(|line| line.split_once(':'))
        .map(|(n, v)| (n.trim().to_string(), v.trim().to_string()))
        .collect();
    let chunked = headers
        .iter()
        .any(|(n, v)| n.eq_ignore_ascii_case("transfer-encoding") && v.contains("chunked"));
    let body = if chunked {
        dechunk(rest)
    } else {
        rest.to_string()
    };
    Reply {
        status,
        headers,
        body,
    }
}

fn dechunk(mut text: &str) -> String {
    let mut out = String::new();
    while let Some((size, rest)) = text.split_once("\r\n") {
        let size = usize::from_str_radix(size.trim(), 16).unwrap_or(0);
        if size == 0 || rest.len() < size {
            break;
        }
        out.push_str(&rest[..size]);
        text = rest[size..].trim_start_matches("\r\n");
    }
    out
}

/// A token with every right (the tests that predate roles act as the owner).
pub fn token(env: &TestEnv, name: &str) -> String {
    token_with_role(env, name, "admin")
}

/// A token with `role` (reader, editor, publisher or admin).
pub fn token_with_role(env: &TestEnv, name: &str, role: &str) -> String {
    let output = env
        .command()
        .args(["token", "create", "--name", name, "--role", role])
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let stdout = String::from_utf8(output.stdout).unwrap();
    assert_eq!(
        stdout.lines().count(),
        1,
        "the token alone on stdout: {stdout:?}"
    );
    stdout.trim().to_string()
}
