//! Fuzzing every tool's arguments: for each tool in `tools/list`, arbitrary JSON for each
//! parameter, shaped by walking the tool's input schema (right types with hostile values,
//! wrong types, missing and unknown keys), sent through an rmcp client to the real MCP
//! server and service over a real SQLite store. Every answer must be a success or a
//! documented tool error (`{"error":{"code","message"}}` with a documented code); an
//! internal error, a protocol error other than invalid params, a panic or a call that does
//! not answer in time (30 s, `IMPRINT_FUZZ_HANG_SECS`) fails the test.
//!
//! `IMPRINT_FUZZ_CASES` (cases per tool, default 24) bounds the run and `IMPRINT_FUZZ_SEED`
//! picks the arguments (the same seed replays them); FUZZING.md says how to run it longer.

use std::sync::Arc;
use std::time::Duration;

use imprint_mcp::ImprintMcp;
use imprint_service::{Service, ServiceOptions};
use imprint_store_sqlite::SqliteStore;
use proptest::prelude::*;
use proptest::test_runner::{Config, RngAlgorithm, TestCaseError, TestRng, TestRunner};
use rmcp::ServiceExt as _;
use rmcp::model::CallToolRequestParams;
use serde_json::{Map, Value, json};

/// The error codes a tool error may carry (`ErrorKind::code`, `internal` excepted: an
/// internal error is a defect, and over MCP it is a protocol error anyway).
const DOCUMENTED: &[&str] = &[
    "invalid_input",
    "not_found",
    "conflict",
    "unauthorized",
    "forbidden",
    "integrity",
    "io",
    "unavailable",
];

/// How long a call may take before it counts as a hang: generous, because a write is
/// fsynced and a shared CI disk can stall one for seconds (`IMPRINT_FUZZ_HANG_SECS`).
fn hang_limit() -> Duration {
    Duration::from_secs(
        std::env::var("IMPRINT_FUZZ_HANG_SECS")
            .ok()
            .and_then(|v| v.parse().ok())
            .unwrap_or(30),
    )
}

fn cases_per_tool() -> u32 {
    std::env::var("IMPRINT_FUZZ_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(24)
}

/// A deterministic generator per tool: `IMPRINT_FUZZ_SEED` (default fixed) mixed with the
/// tool's name, so a run replays exactly and a new seed explores new arguments.
fn seeded_rng(tool: &str) -> TestRng {
    let seed: u64 = std::env::var("IMPRINT_FUZZ_SEED")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(0x5eed_1dea);
    let mut bytes = [0u8; 32];
    bytes[..8].copy_from_slice(&seed.to_le_bytes());
    for (i, b) in tool.bytes().enumerate() {
        bytes[8 + i % 24] ^= b;
    }
    TestRng::from_seed(RngAlgorithm::ChaCha, &bytes)
}

fn strings(project: &str) -> BoxedStrategy<Value> {
    let fixed: Vec<String> = [
        "",
        " ",
        "\0",
        "a\u{0}b",
        "\u{7}\u{1b}[31m",
        "default",
        "claude-desktop",
        "cursor",
        "claude-code",
        "memory",
        "fetch",
        "filesystem",
        "../../etc/passwd",
        "${secret:GITHUB_TOKEN}",
        "ghp_0123456789abcdefghijklmnopqrstuvwxyz",
        "1",
        "0",
        "-1",
        "1.5",
        "99999999999999999999999",
        "{}",
        "[]",
        "{\"a\": 1}",
        "[1, \"x\"]",
        "null",
        "true",
        "é🦀\u{202e}\u{feff}",
        "live",
        "all",
        "word* \"quoted\" OR NEAR(",
        "{slug}/{id}",
        "{{ unclosed",
        "plainText",
        "craft\\fields\\PlainText",
        "stdio",
        "http",
        "https://example.com/mcp",
        "javascript:alert(1)",
        "<script>alert(1)</script>",
    ]
    .iter()
    .map(|s| s.to_string())
    .chain([project.to_string(), "x".repeat(5000), "word ".repeat(600)])
    .collect();
    prop_oneof![
        4 => proptest::sample::select(fixed),
        2 => "[a-z0-9_.-]{0,12}",
        1 => ".{0,40}",
    ]
    .prop_map(Value::String)
    .boxed()
}

fn numbers() -> BoxedStrategy<Value> {
    prop_oneof![
        4 => proptest::sample::select(vec![0i64, 1, 2, 3, -1, 100, i64::MAX, i64::MIN]).prop_map(Value::from),
        2 => (0i64..40).prop_map(Value::from),
        1 => any::<i64>().prop_map(Value::from),
        1 => proptest::sample::select(vec![1.0f64, 1.5, -0.0, 1e308, 2.0]).prop_map(Value::from),
        1 => (0i64..40).prop_map(|n| Value::String(n.to_string())),
    ]
    .boxed()
}

/// Any JSON at all, a few levels deep.
fn any_json(project: &str) -> BoxedStrategy<Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        numbers(),
        strings(project),
    ];
    leaf.prop_recursive(3, 24, 4, |inner| {
        prop_oneof![
            proptest::collection::vec(inner.clone(), 0..4).prop_map(Value::Array),
            proptest::collection::btree_map("[a-zA-Z_]{1,10}", inner, 0..4)
                .prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
    .boxed()
}

/// A value for `schema`: mostly of its declared shape with hostile contents, sometimes any
/// JSON at all (a model sends the wrong type too).
fn value_for(schema: &Value, project: &str, depth: u32) -> BoxedStrategy<Value> {
    let wrong = any_json(project);
    if depth > 3 {
        return wrong;
    }
    if let Some(choices) = schema.get("enum").and_then(Value::as_array) {
        let choices = choices.clone();
        return prop_oneof![3 => proptest::sample::select(choices), 1 => wrong].boxed();
    }
    for key in ["anyOf", "oneOf"] {
        if let Some(options) = schema.get(key).and_then(Value::as_array) {
            let mut union: Vec<BoxedStrategy<Value>> = options
                .iter()
                .map(|option| value_for(option, project, depth + 1))
                .collect();
            union.push(wrong);
            return proptest::strategy::Union::new(union).boxed();
        }
    }
    let shaped = match schema.get("type").and_then(Value::as_str) {
        Some("string") => strings(project),
        Some("integer" | "number") => numbers(),
        Some("boolean") => prop_oneof![
            3 => any::<bool>().prop_map(Value::Bool),
            1 => proptest::sample::select(vec!["true", "false", "yes", "1"]).prop_map(|s| Value::String(s.into())),
        ]
        .boxed(),
        Some("array") => {
            let item = schema.get("items").cloned().unwrap_or(Value::Null);
            proptest::collection::vec(value_for(&item, project, depth + 1), 0..5)
                .prop_map(Value::Array)
                .boxed()
        }
        Some("object") if schema.get("properties").is_some() => {
            object_for(schema, project, depth + 1)
        }
        _ => return wrong,
    };
    prop_oneof![4 => shaped, 1 => wrong].boxed()
}

/// An object for an object schema: required properties usually present, optional ones
/// often, and now and then a key the schema does not know.
fn object_for(schema: &Value, project: &str, depth: u32) -> BoxedStrategy<Value> {
    let required: Vec<&str> = schema
        .get("required")
        .and_then(Value::as_array)
        .map(|r| r.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default();
    let mut fields: Vec<BoxedStrategy<Option<(String, Value)>>> = Vec::new();
    if let Some(properties) = schema.get("properties").and_then(Value::as_object) {
        for (name, property) in properties {
            let weight = if required.contains(&name.as_str()) {
                0.9
            } else {
                0.5
            };
            let name = name.clone();
            fields.push(
                proptest::option::weighted(weight, value_for(property, project, depth))
                    .prop_map(move |v| v.map(|v| (name.clone(), v)))
                    .boxed(),
            );
        }
    }
    fields.push(proptest::option::weighted(0.1, ("[a-zA-Z_]{1,12}", any_json(project))).boxed());
    fields
        .prop_map(|pairs| Value::Object(pairs.into_iter().flatten().collect::<Map<_, _>>()))
        .boxed()
}

/// How the answers were spread: a run where nothing succeeded (or nothing failed) tested
/// less than it claims.
#[derive(Default, Debug)]
struct Tally {
    successes: usize,
    tool_errors: usize,
    invalid_params: usize,
}

/// `Ok` when `answer` is a success or a documented tool error; the reason otherwise.
fn check_answer(
    tool: &str,
    answer: Result<rmcp::model::CallToolResult, rmcp::ServiceError>,
    tally: &mut Tally,
) -> Result<(), String> {
    let result = match answer {
        Ok(result) => result,
        // invalid params is documented for malformed calls; anything else is not
        Err(rmcp::ServiceError::McpError(error))
            if error.code == rmcp::model::ErrorCode::INVALID_PARAMS =>
        {
            tally.invalid_params += 1;
            return Ok(());
        }
        Err(other) => return Err(format!("{tool}: protocol-level failure {other}")),
    };
    if !result.is_error.unwrap_or(false) {
        tally.successes += 1;
        return Ok(());
    }
    tally.tool_errors += 1;
    let text: String = result
        .content
        .iter()
        .filter_map(|block| block.as_text().map(|t| t.text.clone()))
        .collect();
    let body: Value = serde_json::from_str(&text)
        .map_err(|_| format!("{tool}: a tool error that is not JSON: {text}"))?;
    let code = body["error"]["code"].as_str().unwrap_or_default();
    let message = body["error"]["message"].as_str().unwrap_or_default();
    if !DOCUMENTED.contains(&code) || message.trim().is_empty() {
        return Err(format!(
            "{tool}: an undocumented error shape or code: {body}"
        ));
    }
    if message.contains("panicked") || message.contains("storage failure") {
        return Err(format!(
            "{tool}: an internal failure worded as a tool error: {body}"
        ));
    }
    Ok(())
}

#[test]
fn every_tool_answers_arbitrary_arguments_with_success_or_a_documented_error() {
    let dir = tempfile::tempdir().unwrap();
    let home = dir.path().join("home");
    let project = home.join("project");
    std::fs::create_dir_all(project.join(".git")).unwrap();
    let data = dir.path().join("data");
    let store = SqliteStore::open_in_data_dir(&data).unwrap();
    // An empty search path: `install_server` finds no npm/uv/docker and refuses, so the
    // fuzzer never installs anything on the machine that runs it.
    let programs = dir.path().join("no-programs");
    std::fs::create_dir_all(&programs).unwrap();
    let mut options = ServiceOptions::new(data, home.clone());
    options.search_path = Some(programs.into_os_string());
    let service = Service::new(options, Arc::new(store));
    let server = ImprintMcp::new(service);
    let tools = server.tools();
    assert!(tools.len() > 20, "tools/list is suspiciously short");

    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let client = runtime.block_on(async {
        let (client_side, server_side) = tokio::io::duplex(1 << 20);
        tokio::spawn(async move {
            if let Ok(running) = server.serve(server_side).await {
                let _ = running.waiting().await;
            }
        });
        ().serve(client_side).await.unwrap()
    });

    let project = project.display().to_string();
    let mut failures = Vec::new();
    let tally = std::cell::RefCell::new(Tally::default());
    for tool in &tools {
        let name = tool.name.to_string();
        let schema = Value::Object((*tool.input_schema).clone());
        let mut runner = TestRunner::new_with_rng(
            Config {
                cases: cases_per_tool(),
                failure_persistence: None,
                ..Config::default()
            },
            seeded_rng(&name),
        );
        let outcome = runner.run(&object_for(&schema, &project, 0), |arguments| {
            let Value::Object(arguments) = arguments else {
                unreachable!("object_for makes objects")
            };
            let call = client.call_tool(
                CallToolRequestParams::new(name.clone()).with_arguments(arguments.clone()),
            );
            let answer = runtime
                .block_on(async { tokio::time::timeout(hang_limit(), call).await })
                .map_err(|_| {
                    TestCaseError::fail(format!(
                        "{name} did not answer within {:?} (a hang or a panic): {}",
                        hang_limit(),
                        json!(arguments)
                    ))
                })?;
            check_answer(&name, answer, &mut tally.borrow_mut()).map_err(TestCaseError::fail)
        });
        if let Err(error) = outcome {
            failures.push(format!("{name}: {error}"));
        }
    }
    let tally = tally.into_inner();
    eprintln!("fuzz_args: {} tools, {tally:?}", tools.len());
    assert!(
        tally.successes > 0 && tally.tool_errors > 0,
        "the arguments never reached the operations: {tally:?}"
    );
    assert!(
        failures.is_empty(),
        "{} tool(s) answered outside the contract:\n{}",
        failures.len(),
        failures.join("\n")
    );
    runtime.block_on(async {
        let _ = client.cancel().await;
    });
}
