//! A bounded frame fuzzer over the real binary: malformed and mutated JSON-RPC sent to
//! `imprint serve` on stdio and to `POST /mcp` of `imprint serve --http`. It fails on a
//! panic (in the server's stderr), on a hang (no answer within 5 s to the frame or to the
//! ping that follows it), on a server that dies, and on an answer outside the documented
//! shapes: every stdio line is a JSON-RPC 2.0 response (a result, or an error with a
//! documented code); every HTTP answer is a 2xx with JSON-RPC, or a 4xx.
//!
//! `IMPRINT_FUZZ_FRAMES` (frames per transport, default 300) and `IMPRINT_FUZZ_SEED` bound
//! and vary the run; FUZZING.md says how to run it longer.

mod http_support;
mod support;

use std::io::{BufRead as _, BufReader, Read as _, Write as _};
use std::net::TcpStream;
use std::process::{Child, ChildStdin, Stdio};
use std::sync::mpsc;
use std::time::Duration;

use serde_json::{Value, json};
use support::TestEnv;

/// No answer within this long is a hang: 5 s, or `IMPRINT_FUZZ_HANG_SECS` on a machine
/// whose disk can stall an fsync longer.
static LIMIT: std::sync::LazyLock<Duration> = std::sync::LazyLock::new(|| {
    Duration::from_secs(
        std::env::var("IMPRINT_FUZZ_HANG_SECS")
            .ok()
            .and_then(|v| v.parse().ok())
            .unwrap_or(5),
    )
});

/// JSON-RPC error codes the server may answer with: parse error, invalid request, method
/// not found, invalid params, and MCP's resource not found. -32603 (internal) is a defect.
const DOCUMENTED_CODES: &[i64] = &[-32700, -32600, -32601, -32602, -32002];

fn frames_per_transport() -> usize {
    std::env::var("IMPRINT_FUZZ_FRAMES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(300)
}

/// xorshift64*: deterministic for a seed, so a failure reproduces with `IMPRINT_FUZZ_SEED`.
struct Rng(u64);

impl Rng {
    fn from_env() -> Self {
        let seed = std::env::var("IMPRINT_FUZZ_SEED")
            .ok()
            .and_then(|v| v.parse().ok())
            .unwrap_or(0x1f2e_3d4c_5b6a_7988);
        Rng(seed | 1)
    }
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }
}

/// Well-formed messages the mutations start from.
fn seeds() -> Vec<Value> {
    vec![
        json!({"jsonrpc": "2.0", "id": 7, "method": "ping"}),
        json!({"jsonrpc": "2.0", "id": "s", "method": "tools/list"}),
        json!({"jsonrpc": "2.0", "id": 8, "method": "resources/list"}),
        json!({"jsonrpc": "2.0", "id": 9, "method": "resources/templates/list"}),
        json!({"jsonrpc": "2.0", "id": 10, "method": "resources/read", "params": {"uri": "config://claude-desktop/default/draft"}}),
        json!({"jsonrpc": "2.0", "id": 11, "method": "tools/call", "params": {"name": "list_clients", "arguments": {}}}),
        json!({"jsonrpc": "2.0", "id": 12, "method": "tools/call", "params": {"name": "add_server_to_config", "arguments": {"server_id": "memory"}}}),
        json!({"jsonrpc": "2.0", "id": 13, "method": "tools/call", "params": {"name": "search_content", "arguments": {"query": "hello"}}}),
        json!({"jsonrpc": "2.0", "id": 14, "method": "tools/call", "params": {"name": "view_draft_config", "arguments": {"client_id": "cursor"}}}),
        json!({"jsonrpc": "2.0", "id": 15, "method": "initialize", "params": {"protocolVersion": "2025-06-18", "capabilities": {}, "clientInfo": {"name": "fuzz", "version": "1"}}}),
        json!({"jsonrpc": "2.0", "method": "notifications/cancelled", "params": {"requestId": 7}}),
        json!({"jsonrpc": "2.0", "id": 16, "result": {}}),
    ]
}

/// Values that break assumptions when put where another value was.
fn hostile_values() -> Vec<Value> {
    vec![
        Value::Null,
        json!(true),
        json!(-1),
        json!(1.5),
        json!(u64::MAX),
        json!(""),
        json!("\u{0}"),
        json!([]),
        json!([1, [2, [3]]]),
        json!({}),
        json!({"a": {"b": null}}),
        json!("x".repeat(70_000)),
    ]
}

/// One frame: a seed mutated structurally (a field replaced, removed, retyped) or
/// bytewise (flipped, cut, spliced), or something that is not JSON-RPC at all.
fn frame(rng: &mut Rng) -> Vec<u8> {
    let seeds = seeds();
    let mut message = rng.pick(&seeds).clone();
    match rng.below(10) {
        0..=3 => {
            // structural: replace or drop fields at random depths
            for _ in 0..=rng.below(3) {
                mutate_value(&mut message, rng, 0);
            }
            serde_json::to_vec(&message).unwrap()
        }
        4..=6 => {
            let mut bytes = serde_json::to_vec(&message).unwrap();
            for _ in 0..=rng.below(4) {
                if bytes.is_empty() {
                    break;
                }
                let at = rng.below(bytes.len());
                match rng.below(4) {
                    0 => bytes[at] ^= 1 << rng.below(8),
                    1 => bytes.truncate(at),
                    2 => bytes.insert(at, *rng.pick(b"{}[]\",:\\\x00\xff\xc3 0e-")),
                    _ => {
                        let _ = bytes.remove(at);
                    }
                }
            }
            bytes
        }
        7 => {
            // a batch of seeds (JSON-RPC batches are not part of MCP since 2025-06-18)
            let batch: Vec<Value> = (0..rng.below(4))
                .map(|_| rng.pick(&seeds).clone())
                .collect();
            serde_json::to_vec(&batch).unwrap()
        }
        8 => {
            let depth = 1 + rng.below(5000);
            let mut text = "[".repeat(depth);
            text.push_str(&"]".repeat(depth));
            text.into_bytes()
        }
        _ => {
            let junk: &[&[u8]] = &[
                b"",
                b"null",
                b"42",
                b"\"text\"",
                b"{",
                b"}",
                b"\xff\xfe\xfd",
                b"{\"jsonrpc\":\"2.0\",\"id\":1e999,\"method\":\"ping\"}",
                b"{\"jsonrpc\":\"1.0\",\"id\":1,\"method\":\"ping\"}",
                b"{\"jsonrpc\":\"2.0\",\"id\":1,\"id\":2,\"method\":\"ping\"}",
                b"{\"jsonrpc\":\"2.0\",\"id\":\"\\ud800\",\"method\":\"ping\"}",
                b"\xef\xbb\xbf{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"ping\"}",
            ];
            rng.pick(junk).to_vec()
        }
    }
}

fn mutate_value(value: &mut Value, rng: &mut Rng, depth: usize) {
    let hostile = hostile_values();
    match value {
        Value::Object(map) if !map.is_empty() && depth < 4 => {
            let keys: Vec<String> = map.keys().cloned().collect();
            let key = rng.pick(&keys).clone();
            match rng.below(4) {
                0 => {
                    map.remove(&key);
                }
                1 => {
                    map.insert(key, rng.pick(&hostile).clone());
                }
                2 => {
                    map.insert(format!("extra{}", rng.below(9)), rng.pick(&hostile).clone());
                }
                _ => mutate_value(map.get_mut(&key).unwrap(), rng, depth + 1),
            }
        }
        _ => *value = rng.pick(&hostile).clone(),
    }
}

/// Checks one JSON-RPC answer (a response object) against the documented shapes.
fn check_response(answer: &Value) -> Result<(), String> {
    if answer["jsonrpc"] != "2.0" {
        return Err(format!("not JSON-RPC 2.0: {answer}"));
    }
    if answer.get("result").is_some() {
        return Ok(());
    }
    let code = answer["error"]["code"].as_i64();
    let message = answer["error"]["message"].as_str().unwrap_or_default();
    // the problem first (its kind, without the id), then the answer that showed it
    match code {
        Some(code) if !DOCUMENTED_CODES.contains(&code) => Err(format!(
            "error code {code} is not documented; answer: {answer}"
        )),
        Some(code) if message.trim().is_empty() => Err(format!(
            "error {code} with an empty message; answer: {answer}"
        )),
        Some(_) => Ok(()),
        None => Err(format!("an error without a numeric code; answer: {answer}")),
    }
}

/// Answers outside the documented shapes, each kind once (with the frame that first
/// caused it): a run reports every kind it found, not only the first.
#[derive(Default)]
struct Findings {
    seen: std::collections::BTreeMap<String, String>,
    frame: String,
}

impl Findings {
    fn add(&mut self, problem: String) {
        // the kind: the problem before its answer, so one defect is one line
        let kind: String = problem
            .split("; answer:")
            .next()
            .unwrap_or_default()
            .chars()
            .take(120)
            .collect();
        self.seen
            .entry(kind)
            .or_insert_with(|| format!("{problem}\n    after frame {}", self.frame));
    }

    fn assert_none(&self, transport: &str) {
        assert!(
            self.seen.is_empty(),
            "{transport}: {} kind(s) of answer outside the documented shapes:\n{}",
            self.seen.len(),
            self.seen.values().cloned().collect::<Vec<_>>().join("\n")
        );
    }
}

/// `imprint serve` on stdio, with its stdout lines and stderr collected by threads.
struct StdioServer {
    child: Child,
    stdin: ChildStdin,
    lines: mpsc::Receiver<String>,
    stderr: std::sync::Arc<std::sync::Mutex<String>>,
}

impl StdioServer {
    fn start(env: &TestEnv) -> Self {
        let mut child = env
            .command()
            .arg("serve")
            .env("IMPRINT_LOG", "warn")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let stdin = child.stdin.take().unwrap();
        let stdout = child.stdout.take().unwrap();
        let mut stderr_pipe = child.stderr.take().unwrap();
        let (sender, lines) = mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines() {
                let Ok(line) = line else { break };
                if sender.send(line).is_err() {
                    break;
                }
            }
        });
        let stderr = std::sync::Arc::new(std::sync::Mutex::new(String::new()));
        let collected = stderr.clone();
        std::thread::spawn(move || {
            let mut buffer = [0u8; 4096];
            while let Ok(n) = stderr_pipe.read(&mut buffer) {
                if n == 0 {
                    break;
                }
                collected
                    .lock()
                    .unwrap()
                    .push_str(&String::from_utf8_lossy(&buffer[..n]));
            }
        });
        let mut server = StdioServer {
            child,
            stdin,
            lines,
            stderr,
        };
        server.send(
            &serde_json::to_vec(
                &json!({"jsonrpc": "2.0", "id": "init", "method": "initialize",
                "params": {"protocolVersion": "2025-06-18", "capabilities": {},
                           "clientInfo": {"name": "fuzz", "version": "1"}}}),
            )
            .unwrap(),
        );
        server.await_id("init", &mut Findings::default()).unwrap();
        server.send(br#"{"jsonrpc":"2.0","method":"notifications/initialized"}"#);
        server
    }

    fn send(&mut self, frame: &[u8]) {
        // one frame per line: a newline inside is two frames, as it would be on the wire
        let mut line = frame.to_vec();
        line.push(b'\n');
        self.stdin.write_all(&line).unwrap();
        self.stdin.flush().unwrap();
    }

    /// Reads answers until the one with `id`, checking every line on the way: a bad
    /// answer is added to `findings` (the server is still serving); no answer in time is
    /// the error.
    fn await_id(&mut self, id: &str, findings: &mut Findings) -> Result<(), String> {
        loop {
            let line = self.lines.recv_timeout(*LIMIT).map_err(|_| {
                format!(
                    "no answer to {id} within {:?} (hang, panic or exit)",
                    *LIMIT
                )
            })?;
            match serde_json::from_str::<Value>(&line) {
                Ok(answer) => {
                    if let Err(problem) = check_response(&answer) {
                        findings.add(problem);
                    }
                    if answer["id"] == id {
                        return Ok(());
                    }
                }
                Err(_) => findings.add(format!("a stdout line that is not JSON: {line:?}")),
            }
        }
    }

    fn stderr(&self) -> String {
        self.stderr.lock().unwrap().clone()
    }
}

#[test]
fn stdio_answers_mutated_frames_within_the_documented_shapes() {
    let env = TestEnv::new();
    let mut server = StdioServer::start(&env);
    let mut rng = Rng::from_env();
    let mut findings = Findings::default();
    for n in 0..frames_per_transport() {
        let frame = frame(&mut rng);
        findings.frame = format!("{n} {:?}", String::from_utf8_lossy(&frame));
        server.send(&frame);
        let probe = format!("probe-{n}");
        server.send(
            &serde_json::to_vec(&json!({"jsonrpc": "2.0", "id": probe, "method": "ping"})).unwrap(),
        );
        if let Err(problem) = server.await_id(&probe, &mut findings) {
            let _ = server.child.kill();
            panic!(
                "after frame {n} {:?}: {problem}\nstderr:\n{}",
                String::from_utf8_lossy(&frame),
                server.stderr()
            );
        }
    }
    drop(server.stdin);
    let status = server.child.wait().unwrap();
    let stderr = server.stderr.lock().unwrap().clone();
    assert!(!stderr.contains("panicked"), "{stderr}");
    assert!(status.success(), "{status}: {stderr}");
    findings.assert_none("stdio");
}

/// POSTs `body` to `/mcp`; (status, body) or why there was no answer in time.
fn post_mcp(addr: &str, token: &str, body: &[u8], accept: &str) -> Result<(u16, String), String> {
    let mut stream = TcpStream::connect(addr).map_err(|e| format!("connect: {e}"))?;
    stream.set_read_timeout(Some(*LIMIT)).unwrap();
    let head = format!(
        "POST /mcp HTTP/1.1\r\nhost: {addr}\r\nconnection: close\r\nauthorization: Bearer {token}\r\n\
         content-type: application/json\r\naccept: {accept}\r\nmcp-protocol-version: 2025-06-18\r\n\
         content-length: {}\r\n\r\n",
        body.len()
    );
    stream
        .write_all(head.as_bytes())
        .and_then(|()| stream.write_all(body))
        .map_err(|e| format!("write: {e}"))?;
    let mut raw = Vec::new();
    stream
        .read_to_end(&mut raw)
        .map_err(|e| format!("no complete answer within {:?}: {e}", *LIMIT))?;
    let text = String::from_utf8_lossy(&raw).to_string();
    let status = text
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .ok_or_else(|| format!("not an HTTP answer: {text:?}"))?;
    let body = text.split_once("\r\n\r\n").map(|(_, b)| b).unwrap_or("");
    let chunked = text.split_once("\r\n\r\n").is_some_and(|(h, _)| {
        h.to_ascii_lowercase()
            .contains("transfer-encoding: chunked")
    });
    Ok((
        status,
        if chunked {
            dechunk(body)
        } else {
            body.to_string()
        },
    ))
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

/// The JSON-RPC messages of a 200 answer: a JSON body, or the `data:` lines of SSE.
fn messages_of(body: &str) -> Result<Vec<Value>, String> {
    if let Ok(value) = serde_json::from_str::<Value>(body) {
        return Ok(match value {
            Value::Array(items) => items,
            other => vec![other],
        });
    }
    let data: Vec<&str> = body
        .lines()
        .filter_map(|l| l.strip_prefix("data:"))
        .map(str::trim)
        .filter(|d| !d.is_empty())
        .collect();
    if data.is_empty() {
        return Err(format!("a 200 answer without JSON-RPC: {body:?}"));
    }
    data.iter()
        .map(|d| serde_json::from_str(d).map_err(|_| format!("SSE data that is not JSON: {d:?}")))
        .collect()
}

#[test]
fn http_mcp_answers_mutated_frames_within_the_documented_shapes() {
    let env = TestEnv::new();
    let token = http_support::token(&env, "fuzz");
    let server = http_support::Server::start(&env, &[]);
    let mut rng = Rng::from_env();
    let accepts = [
        "application/json, text/event-stream",
        "application/json",
        "text/event-stream",
        "*/*",
    ];
    let ping = br#"{"jsonrpc":"2.0","id":"probe","method":"ping"}"#;
    let mut findings = Findings::default();
    for n in 0..frames_per_transport() {
        let frame = frame(&mut rng);
        let accept = *rng.pick(&accepts);
        findings.frame = format!(
            "{n} {:?} (accept {accept})",
            String::from_utf8_lossy(&frame)
        );
        // an answer is checked; only no answer at all stops the run
        let outcome = post_mcp(&server.addr, &token, &frame, accept).map(|(status, body)| {
            let checked = match status {
                200 => messages_of(&body)
                    .and_then(|messages| messages.iter().try_for_each(check_response)),
                202 | 400..=499 => Ok(()),
                _ => Err(format!("status {status}: {body}")),
            };
            if let Err(problem) = checked {
                findings.add(problem);
            }
        });
        let probe = post_mcp(&server.addr, &token, ping, accepts[0]).and_then(|(status, body)| {
            if status == 200 && messages_of(&body)?.iter().any(|m| m["id"] == "probe") {
                Ok(())
            } else {
                Err(format!("the ping after it: {status} {body}"))
            }
        });
        if let Err(problem) = outcome.and(probe) {
            panic!(
                "frame {n} {:?} (accept {accept}): {problem}",
                String::from_utf8_lossy(&frame)
            );
        }
    }
    let status = server.terminate();
    assert!(status.success(), "{status}");
    findings.assert_none("/mcp");
}
