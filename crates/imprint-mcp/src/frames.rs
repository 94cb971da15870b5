//! JSON-RPC frame checks made before rmcp sees a message, shared by stdio and HTTP.
//!
//! rmcp drops a frame that is not JSON (stdio) or answers it with a 415 text (HTTP),
//! omits `id` in -32600 errors, refuses batches, and answers `tools/call` without
//! `params` with -32601. These checks answer each of those as JSON-RPC 2.0 says:
//! -32700 or -32600 with `"id": null` (or the request's id when it has a valid one), and
//! -32602 for a `tools/call` whose `params` or `arguments` is not an object. Too deeply
//! nested frames fail serde_json's recursion limit and get -32700.

use serde_json::{Value, json};

pub const PARSE_ERROR: i64 = -32700;
pub const INVALID_REQUEST: i64 = -32600;
pub const INVALID_PARAMS: i64 = -32602;

/// A frame as received: one message or a batch.
#[derive(Debug)]
pub enum Frame {
    Single(Value),
    Batch(Vec<Value>),
}

/// A JSON-RPC error response.
pub fn error(id: Value, code: i64, message: impl Into<String>) -> Value {
    json!({"jsonrpc": "2.0", "id": id, "error": {"code": code, "message": message.into()}})
}

/// Parses a frame; the error is the response to send.
pub fn parse(bytes: &[u8]) -> Result<Frame, Value> {
    match serde_json::from_slice::<Value>(bytes) {
        Ok(Value::Array(items)) if items.is_empty() => Err(error(
            Value::Null,
            INVALID_REQUEST,
            "invalid request: an empty batch; send a JSON-RPC 2.0 message object",
        )),
        Ok(Value::Array(items)) => Ok(Frame::Batch(items)),
        Ok(value) => Ok(Frame::Single(value)),
        Err(e) => Err(error(
            Value::Null,
            PARSE_ERROR,
            format!("parse error: the frame is not JSON ({e}); send one JSON-RPC 2.0 message"),
        )),
    }
}

/// Whether a session at `version` accepts batches (removed from MCP after 2025-03-26).
pub fn batches_allowed(version: &str) -> bool {
    version <= "2025-03-26"
}

/// The refusal of a batch on a session that does not accept them.
pub fn batch_refused(version: Option<&str>) -> Value {
    let session = match version {
        Some(version) => format!("this session's protocol version, {version}"),
        None => "a session not initialized yet".to_string(),
    };
    error(
        Value::Null,
        INVALID_REQUEST,
        format!(
            "invalid request: JSON-RPC batches are accepted only on sessions initialized at \
             2025-03-26 or earlier, not on {session}; send each message on its own"
        ),
    )
}

/// What a checked message is.
#[derive(Debug, PartialEq, Eq)]
pub enum Kind {
    /// A request (has an id): the server answers it.
    Request,
    /// A notification or a response to the server's own request: nothing is answered.
    NoAnswer,
}

/// The answer to a message that arrives before the session's lifecycle is done (rmcp would
/// end the session on it, and a message right behind could be lost with it): a `ping` is
/// answered, as the lifecycle allows; another request is refused; a notification is dropped.
pub fn before_initialize(message: &Value, kind: &Kind) -> Option<Value> {
    if *kind != Kind::Request {
        return None;
    }
    let id = message["id"].clone();
    Some(if message["method"] == "ping" {
        json!({"jsonrpc": "2.0", "id": id, "result": {}})
    } else {
        error(
            id,
            INVALID_REQUEST,
            "invalid request: the session is not initialized; send initialize, then the notifications/initialized notification",
        )
    })
}

/// Checks one message's envelope; the error is the response to send.
pub fn check(message: &Value) -> Result<Kind, Value> {
    let Value::Object(object) = message else {
        return Err(error(
            Value::Null,
            INVALID_REQUEST,
            format!(
                "invalid request: a message must be a JSON object, not {}",
                kind(message)
            ),
        ));
    };
    // The id to answer with: a string or a number, else null (JSON-RPC 2.0, section 5).
    let id = match object.get("id") {
        Some(id @ (Value::String(_) | Value::Number(_))) => Some(id.clone()),
        _ => None,
    };
    let invalid = |why: &str| {
        error(
            id.clone().unwrap_or(Value::Null),
            INVALID_REQUEST,
            format!("invalid request: {why}"),
        )
    };
    if object.get("jsonrpc") != Some(&json!("2.0")) {
        return Err(invalid("\"jsonrpc\" must be \"2.0\""));
    }
    if object.get("id").is_some() && id.is_none() {
        return Err(invalid("\"id\" must be a string or a number"));
    }
    match object.get("method") {
        Some(Value::String(method)) if method.is_empty() => Err(invalid(
            "\"method\" must name a method, e.g. \"initialize\"",
        )),
        Some(Value::String(method)) => {
            if let Some(params) = object.get("params")
                && !params.is_object()
            {
                return Err(invalid("\"params\" must be an object"));
            }
            if method == "tools/call" {
                check_tool_call(object.get("params"), id.clone())?;
            }
            Ok(if id.is_some() {
                Kind::Request
            } else {
                Kind::NoAnswer
            })
        }
        Some(_) => Err(invalid("\"method\" must be a string")),
        None if id.is_some() && (object.contains_key("result") || object.contains_key("error")) => {
            Ok(Kind::NoAnswer)
        }
        None => Err(invalid(
            "a message needs a \"method\" (a request or notification) or a \"result\"/\"error\" with an \"id\" (a response)",
        )),
    }
}

fn check_tool_call(params: Option<&Value>, id: Option<Value>) -> Result<(), Value> {
    let invalid = |why: String| {
        Err(error(
            id.clone().unwrap_or(Value::Null),
            INVALID_PARAMS,
            format!("invalid params for tools/call: {why}"),
        ))
    };
    let Some(params) = params else {
        return invalid(
            "\"params\" is required: {\"name\": <tool>, \"arguments\": {…}}; tools/list shows the tools"
                .into(),
        );
    };
    if !params.get("name").is_some_and(Value::is_string) {
        return invalid("\"name\" is required and must be the tool's name (a string)".into());
    }
    match params.get("arguments") {
        None | Some(Value::Object(_)) => Ok(()),
        Some(other) => invalid(format!(
            "\"arguments\" must be an object of parameter names to values, not {}",
            kind(other)
        )),
    }
}

fn kind(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

/// The protocol version an `initialize` request asks for.
pub fn requested_version(message: &Value) -> Option<&str> {
    (message.get("method")? == "initialize")
        .then(|| message.pointer("/params/protocolVersion")?.as_str())
        .flatten()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn code(response: &Value) -> i64 {
        response["error"]["code"].as_i64().unwrap()
    }

    #[test]
    fn not_json_is_a_parse_error_with_a_null_id() {
        let response = parse(b"not json").unwrap_err();
        assert_eq!(code(&response), PARSE_ERROR);
        assert_eq!(response["id"], Value::Null);
        assert!(response.as_object().unwrap().contains_key("id"));
    }

    #[test]
    fn too_deep_is_a_parse_error() {
        let deep = "[".repeat(10_000);
        assert_eq!(code(&parse(deep.as_bytes()).unwrap_err()), PARSE_ERROR);
    }

    #[test]
    fn invalid_requests_carry_an_id() {
        let response = check(&json!({"jsonrpc": "2.0", "id": 2})).unwrap_err();
        assert_eq!(
            (code(&response), &response["id"]),
            (INVALID_REQUEST, &json!(2))
        );
        let response = check(&json!({"jsonrpc": "1.0", "method": "ping"})).unwrap_err();
        assert_eq!(
            (code(&response), &response["id"]),
            (INVALID_REQUEST, &Value::Null)
        );
        let response = check(&json!(5)).unwrap_err();
        assert_eq!(response["id"], Value::Null);
    }

    #[test]
    fn tool_calls_need_params_and_object_arguments() {
        let call = |params: Value| {
            let mut message = json!({"jsonrpc": "2.0", "id": 7, "method": "tools/call"});
            if !params.is_null() {
                message["params"] = params;
            }
            check(&message)
        };
        assert_eq!(code(&call(Value::Null).unwrap_err()), INVALID_PARAMS);
        let response = call(json!({"name": "list_clients", "arguments": [1]})).unwrap_err();
        assert_eq!(
            (code(&response), &response["id"]),
            (INVALID_PARAMS, &json!(7))
        );
        assert!(
            response["error"]["message"]
                .as_str()
                .unwrap()
                .contains("array")
        );
        assert_eq!(
            call(json!({"name": "list_clients"})).unwrap(),
            Kind::Request
        );
    }

    #[test]
    fn batches_end_at_2025_03_26() {
        assert!(batches_allowed("2025-03-26"));
        assert!(batches_allowed("2024-11-05"));
        assert!(!batches_allowed("2025-06-18"));
    }
}
