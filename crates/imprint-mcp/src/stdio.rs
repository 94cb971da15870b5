//! MCP over stdio, with a thin layer in front of rmcp's transport.
//!
//! Every frame from the client is checked by [`crate::frames`] first: a frame that is not
//! JSON, an invalid request or a malformed `tools/call` is answered here (rmcp would drop
//! it or answer without an id). Batches are split into messages for rmcp and their
//! answers gathered back into one array, on sessions initialized at 2025-03-26 or earlier.
//! Each `initialize` after the first message starts a fresh rmcp session, so the version
//! it negotiates is the one the session answers as (rmcp keeps the lifecycle an earlier
//! request with 2026-07-28 `_meta` selected).
//!
//! rmcp is handed the messages this layer has already parsed, through a [`Session`]
//! transport, not their text: each frame is parsed once, and no in-memory pipe, second
//! line reader or task sits between the two (the MCP hot path, issue 8). A `tools/call`
//! without `_meta` is built directly from its parts ([`tool_call`]), the value rmcp's
//! reading gives, which tries every message shape and method in turn.

use std::collections::HashSet;
use std::sync::{Arc, Mutex};

use rmcp::model::{
    CallToolRequest, CallToolRequestParams, ClientRequest, JsonRpcMessage, JsonRpcRequest,
    RequestId,
};
use rmcp::service::{RxJsonRpcMessage, TxJsonRpcMessage};
use rmcp::transport::Transport;
use rmcp::{RoleServer, ServiceExt};
use serde::Deserialize as _;
use serde_json::Value;
use tokio::io::{AsyncBufReadExt, AsyncRead, AsyncWrite, AsyncWriteExt, BufReader};
use tokio::sync::mpsc::{self, UnboundedSender};

use crate::frames::{self, Frame, Kind};
use crate::server::ImprintMcp;

/// The longest frame read; longer ones are answered with -32600 and skipped.
pub const MAX_FRAME_BYTES: usize = 4 * 1024 * 1024;

type BoxError = Box<dyn std::error::Error + Send + Sync>;

/// What the output side needs to know about requests in flight.
#[derive(Default)]
struct State {
    /// The protocol version the session's `initialize` negotiated.
    version: Option<String>,
    /// The id (as JSON text) of an `initialize` whose answer is awaited.
    pending_init: Option<String>,
    /// The version that `initialize` asked for: the session's until its answer says
    /// otherwise (a client may send its next frames before reading the answer).
    requested: Option<String>,
    batches: Vec<Batch>,
}

struct Batch {
    /// Ids (as JSON text) of the batch's requests not answered yet.
    waiting: HashSet<String>,
    answers: Vec<Value>,
}

/// Serves `handler` over `input`/`output` until `input` ends.
pub(crate) async fn serve<R, W>(handler: ImprintMcp, input: R, output: W) -> Result<(), BoxError>
where
    R: AsyncRead + Send + Unpin + 'static,
    W: AsyncWrite + Send + Unpin + 'static,
{
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel::<String>();
    let writer = tokio::spawn(async move {
        let mut output = output;
        while let Some(mut line) = rx.recv().await {
            // one write per message: the output is an unbuffered pipe, so each write is a
            // system call and wakes the reader
            line.push('\n');
            output.write_all(line.as_bytes()).await?;
            output.flush().await?;
        }
        Ok::<(), std::io::Error>(())
    });
    let state = Arc::new(Mutex::new(State::default()));
    let mut session: Option<mpsc::Sender<Value>> = None;
    let mut used = false;
    // Whether the current session has had its `initialized` notification.
    let mut ready = false;
    let mut input = BufReader::new(input);
    let mut sessions = Vec::new();
    while let Some(frame) = read_frame(&mut input).await? {
        let Ok(frame) = frame else {
            send(
                &tx,
                &frames::error(
                    Value::Null,
                    frames::INVALID_REQUEST,
                    format!("invalid request: the frame is longer than {MAX_FRAME_BYTES} bytes"),
                ),
            );
            continue;
        };
        if frame.iter().all(u8::is_ascii_whitespace) {
            continue;
        }
        let messages = match frames::parse(&frame) {
            Err(answer) => {
                send(&tx, &answer);
                continue;
            }
            Ok(Frame::Single(message)) => {
                let kind = match frames::check(&message) {
                    Ok(kind) => kind,
                    Err(answer) => {
                        send(&tx, &answer);
                        continue;
                    }
                };
                let requested = frames::requested_version(&message);
                // rmcp ends a session on anything but `initialize` and then the `initialized`
                // notification, and a message right behind could be lost with it: until the
                // lifecycle is done, other messages are answered here.
                if requested.is_none() {
                    let initialized = message["method"] == "notifications/initialized";
                    // 2026-07-28: each request names its version in `_meta`, no initialize
                    let versioned = message
                        .pointer("/params/_meta/io.modelcontextprotocol~1protocolVersion")
                        .is_some();
                    let lifecycle_done = versioned || session.is_some() && (ready || initialized);
                    if !lifecycle_done {
                        if let Some(answer) = frames::before_initialize(&message, &kind) {
                            send(&tx, &answer);
                        }
                        continue;
                    }
                    ready = true;
                }
                if let Some(requested) = requested {
                    ready = false;
                    if used {
                        // the old session finishes what it has and ends when its input
                        // closes
                        session = None;
                    }
                    let mut state = lock(&state);
                    state.version = None;
                    state.requested = Some(requested.to_string());
                    state.pending_init = Some(message["id"].to_string());
                }
                vec![message]
            }
            Ok(Frame::Batch(items)) => {
                let version = {
                    let state = lock(&state);
                    state.version.clone().or_else(|| state.requested.clone())
                };
                if !version.as_deref().is_some_and(frames::batches_allowed) {
                    send(&tx, &frames::batch_refused(version.as_deref()));
                    continue;
                }
                let mut batch = Batch {
                    waiting: HashSet::new(),
                    answers: Vec::new(),
                };
                let mut forward = Vec::new();
                for item in items {
                    match frames::check(&item) {
                        Err(answer) => batch.answers.push(answer),
                        Ok(_) if frames::requested_version(&item).is_some() => {
                            batch.answers.push(frames::error(
                                item["id"].clone(),
                                frames::INVALID_REQUEST,
                                "invalid request: initialize cannot be part of a batch",
                            ));
                        }
                        Ok(kind) => {
                            if kind == Kind::Request {
                                batch.waiting.insert(item["id"].to_string());
                            }
                            forward.push(item);
                        }
                    }
                }
                if batch.waiting.is_empty() {
                    if !batch.answers.is_empty() {
                        send(&tx, &Value::Array(batch.answers));
                    }
                } else {
                    lock(&state).batches.push(batch);
                }
                forward
            }
        };
        for message in messages {
            // A session ends if its first message was not one rmcp starts with; the next
            // message starts a new one.
            let mut message = Some(message);
            for _attempt in 0..2 {
                let Some(next) = message.take() else { break };
                let input = match &mut session {
                    Some(input) => input,
                    None => {
                        let (input, task) = start(handler.clone(), &state, &tx);
                        sessions.push(task);
                        used = false;
                        session.insert(input)
                    }
                };
                match input.send(next).await {
                    Ok(()) => used = true,
                    Err(mpsc::error::SendError(back)) => {
                        message = Some(back);
                        session = None;
                    }
                }
            }
        }
    }
    // closing the session's input ends it once it has answered what it has
    drop(session);
    drop(tx);
    for task in sessions {
        let _ = task.await;
    }
    writer.await??;
    Ok(())
}

/// Starts an rmcp session fed through `input`; its output goes through [`on_output`].
fn start(
    handler: ImprintMcp,
    state: &Arc<Mutex<State>>,
    tx: &UnboundedSender<String>,
) -> (mpsc::Sender<Value>, tokio::task::JoinHandle<()>) {
    // bounded: a client that writes faster than requests are taken waits, as it did on
    // the pipe this replaces
    let (input, incoming) = mpsc::channel(64);
    let transport = Session {
        incoming,
        state: Arc::clone(state),
        tx: tx.clone(),
    };
    let task = tokio::spawn(async move {
        match handler.serve(transport).await {
            Ok(running) => {
                let _ = running.waiting().await;
            }
            Err(error) => tracing::warn!(%error, "MCP session ended before it started"),
        }
    });
    (input, task)
}

/// rmcp's transport for one session: the messages the frame layer parsed and checked go
/// in as values, rmcp's answers come out through [`on_output`].
struct Session {
    incoming: mpsc::Receiver<Value>,
    state: Arc<Mutex<State>>,
    tx: UnboundedSender<String>,
}

impl Transport<RoleServer> for Session {
    type Error = std::io::Error;

    fn send(
        &mut self,
        item: TxJsonRpcMessage<RoleServer>,
    ) -> impl std::future::Future<Output = Result<(), Self::Error>> + Send + 'static {
        let sent = serde_json::to_string(&item)
            .map(|line| on_output(&self.state, &self.tx, line))
            .map_err(std::io::Error::other);
        std::future::ready(sent)
    }

    async fn receive(&mut self) -> Option<RxJsonRpcMessage<RoleServer>> {
        loop {
            let message = self.incoming.recv().await?;
            if let Some(call) = tool_call(&message) {
                return Some(call);
            }
            // A request is answered even when rmcp's types refuse it (a missing or
            // mistyped parameter); a notification or response that does not fit is dropped,
            // as rmcp's own transport drops it.
            let id = match (message.get("method"), message.get("id")) {
                (Some(_), Some(id)) => Some(id.clone()),
                _ => None,
            };
            match serde_json::from_value(message) {
                Ok(message) => return Some(message),
                Err(error) => {
                    if let Some(id) = id {
                        let answer = frames::error(
                            id,
                            frames::INVALID_PARAMS,
                            format!("invalid params: {error}"),
                        );
                        on_output(&self.state, &self.tx, answer.to_string());
                    }
                }
            }
        }
    }

    async fn close(&mut self) -> Result<(), Self::Error> {
        self.incoming.close();
        Ok(())
    }
}

/// A `tools/call` request without `_meta` (the hot path), built from its parts: rmcp's
/// own reading tries each message shape and each of its methods in turn, about as costly
/// as the rest of an add together. The value is the one that reading gives (no `_meta`,
/// so no extensions); anything else (`None`) goes through rmcp's reading.
fn tool_call(message: &Value) -> Option<RxJsonRpcMessage<RoleServer>> {
    let object = message.as_object()?;
    if object.get("method")? != "tools/call"
        || object.get("jsonrpc")? != "2.0"
        || object.contains_key("result")
        || object.contains_key("error")
    {
        return None;
    }
    let params = object.get("params")?;
    if params.get("_meta").is_some() {
        return None;
    }
    let id = RequestId::deserialize(object.get("id")?).ok()?;
    let params = CallToolRequestParams::deserialize(params).ok()?;
    Some(JsonRpcMessage::Request(JsonRpcRequest::new(
        id,
        ClientRequest::CallToolRequest(CallToolRequest::new(params)),
    )))
}

/// A line rmcp wrote: passed on, or kept for its batch's answer.
fn on_output(state: &Mutex<State>, tx: &UnboundedSender<String>, line: String) {
    let mut state = lock(state);
    if state.pending_init.is_none() && state.batches.is_empty() {
        drop(state);
        let _ = tx.send(line);
        return;
    }
    let Ok(message) = serde_json::from_str::<Value>(&line) else {
        let _ = tx.send(line);
        return;
    };
    let id = message.get("id").map(Value::to_string);
    if id.is_some() && id == state.pending_init {
        state.pending_init = None;
        state.version = message
            .pointer("/result/protocolVersion")
            .and_then(Value::as_str)
            .map(str::to_string);
    }
    if let Some(id) = &id
        && let Some(index) = state.batches.iter().position(|b| b.waiting.contains(id))
    {
        let batch = &mut state.batches[index];
        batch.waiting.remove(id);
        batch.answers.push(message);
        if batch.waiting.is_empty() {
            let batch = state.batches.remove(index);
            send(tx, &Value::Array(batch.answers));
        }
        return;
    }
    let _ = tx.send(line);
}

fn send(tx: &UnboundedSender<String>, message: &Value) {
    let _ = tx.send(message.to_string());
}

fn lock(state: &Mutex<State>) -> std::sync::MutexGuard<'_, State> {
    state
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// The next newline-terminated frame (without the newline), `Err(())` for one longer than
/// [`MAX_FRAME_BYTES`] (skipped to its end), or `None` at the end of input.
async fn read_frame<R: AsyncRead + Unpin>(
    input: &mut BufReader<R>,
) -> std::io::Result<Option<Result<Vec<u8>, ()>>> {
    let mut frame = Vec::new();
    let mut too_long = false;
    loop {
        let buffer = input.fill_buf().await?;
        if buffer.is_empty() {
            return Ok(if frame.is_empty() && !too_long {
                None
            } else if too_long {
                Some(Err(()))
            } else {
                Some(Ok(frame))
            });
        }
        let (chunk, done) = match buffer.iter().position(|&b| b == b'\n') {
            Some(end) => (&buffer[..end], end + 1),
            None => (buffer, buffer.len()),
        };
        let complete = done > chunk.len();
        if !too_long && frame.len() + chunk.len() <= MAX_FRAME_BYTES {
            frame.extend_from_slice(chunk);
        } else {
            too_long = true;
            frame = Vec::new();
        }
        input.consume(done);
        if complete {
            return Ok(Some(if too_long { Err(()) } else { Ok(frame) }));
        }
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    /// A request that passes the frame checks but not rmcp's types (an id JSON-RPC allows
    /// but rmcp reads only as an integer) is answered -32602 with its id, and the session
    /// goes on serving.
    #[tokio::test]
    async fn a_request_rmcp_refuses_is_answered_with_its_id() {
        let (_dir, service) = imprint_test_support::service();
        let (mut client, server_in) = tokio::io::duplex(64 * 1024);
        let (server_out, client_out) = tokio::io::duplex(64 * 1024);
        let served = tokio::spawn(serve(ImprintMcp::new(service), server_in, server_out));
        for frame in [
            json!({"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {"protocolVersion": "2025-06-18", "capabilities": {}, "clientInfo": {"name": "t", "version": "0"}}}),
            json!({"jsonrpc": "2.0", "method": "notifications/initialized"}),
            json!({"jsonrpc": "2.0", "id": 5.5, "method": "ping"}),
            json!({"jsonrpc": "2.0", "id": 6, "method": "ping"}),
            // not read on the tools/call fast path either
            json!({"jsonrpc": "2.0", "id": 7.5, "method": "tools/call", "params": {"name": "list_clients"}}),
            json!({"jsonrpc": "2.0", "id": 8, "method": "tools/call", "params": {"name": 8}}),
            json!({"jsonrpc": "2.0", "id": 9, "method": "tools/call", "params": {"name": "list_clients"}}),
        ] {
            client
                .write_all(format!("{frame}\n").as_bytes())
                .await
                .unwrap();
        }
        client.shutdown().await.unwrap();
        let mut answers = std::collections::HashMap::new();
        let mut lines = BufReader::new(client_out).lines();
        while let Some(line) = lines.next_line().await.unwrap() {
            let answer: Value = serde_json::from_str(&line).unwrap();
            answers.insert(answer["id"].to_string(), answer);
        }
        served.await.unwrap().unwrap();
        assert_eq!(
            answers["5.5"]["error"]["code"],
            json!(frames::INVALID_PARAMS)
        );
        assert!(answers["6"].get("result").is_some(), "{answers:?}");
        for refused in ["7.5", "8"] {
            assert_eq!(
                answers[refused]["error"]["code"],
                json!(frames::INVALID_PARAMS),
                "{answers:?}"
            );
        }
        assert!(answers["9"]["result"]["content"].is_array(), "{answers:?}");
    }

    fn rmcp_reading(message: &Value) -> RxJsonRpcMessage<RoleServer> {
        serde_json::from_value(message.clone()).unwrap()
    }

    #[test]
    fn a_tool_call_is_read_as_rmcp_reads_it() {
        for message in [
            json!({"jsonrpc": "2.0", "id": 7, "method": "tools/call", "params": {"name": "add_server_to_config", "arguments": {"server_id": "memory", "include_draft": false}}}),
            json!({"jsonrpc": "2.0", "id": "a", "method": "tools/call", "params": {"name": "list_clients"}}),
            json!({"jsonrpc": "2.0", "id": 8, "method": "tools/call", "extra": [1], "params": {"name": "x", "arguments": {}, "requestState": "s", "other": 1}}),
        ] {
            let fast = tool_call(&message).expect("read on the hot path");
            assert_eq!(format!("{fast:?}"), format!("{:?}", rmcp_reading(&message)));
            assert_eq!(
                serde_json::to_value(&fast).unwrap(),
                serde_json::to_value(rmcp_reading(&message)).unwrap()
            );
        }
    }

    #[test]
    fn other_messages_are_left_to_rmcp() {
        for message in [
            // `_meta` goes to rmcp's extensions
            json!({"jsonrpc": "2.0", "id": 1, "method": "tools/call", "params": {"name": "x", "_meta": {"progressToken": 1}}}),
            json!({"jsonrpc": "2.0", "id": 2, "method": "ping"}),
            json!({"jsonrpc": "2.0", "method": "tools/call", "params": {"name": "x"}}),
            json!({"jsonrpc": "2.0", "id": 3, "method": "tools/call", "result": {}, "params": {"name": "x"}}),
            json!({"jsonrpc": "2.0", "id": 1.5, "method": "tools/call", "params": {"name": "x"}}),
            json!({"jsonrpc": "2.0", "id": 4, "method": "tools/call", "params": {"name": 5}}),
        ] {
            assert!(tool_call(&message).is_none(), "{message}");
        }
    }

    /// Never more lenient than rmcp: whatever the fast path reads, rmcp reads the same.
    #[test]
    fn the_fast_path_reads_nothing_rmcp_refuses() {
        let ids = [
            json!(0),
            json!(-1),
            json!(u64::MAX),
            json!(i64::MIN),
            json!(1000.0),
            json!(""),
            json!(null),
            json!(true),
            json!([1]),
        ];
        let params = [
            json!({"name": "add_server_to_config"}),
            json!({"name": "x", "arguments": null}),
            json!({"name": "x", "arguments": 5}),
            json!({"name": "x", "arguments": {"a": [1, {"b": null}]}}),
            json!({"name": null}),
            json!({"arguments": {}}),
            json!({"name": "x", "inputResponses": {}}),
            json!({"name": "x", "inputResponses": 3}),
            json!({"name": "x", "requestState": 3}),
            json!({"name": "x", "task": {"ttl": 5}}),
            json!([]),
            json!(null),
        ];
        let mut read = 0;
        for id in &ids {
            for params in &params {
                for jsonrpc in ["2.0", "1.0"] {
                    let message = json!({"jsonrpc": jsonrpc, "id": id, "method": "tools/call", "params": params});
                    let Some(fast) = tool_call(&message) else {
                        continue;
                    };
                    read += 1;
                    let rmcp: RxJsonRpcMessage<RoleServer> =
                        serde_json::from_value(message.clone()).unwrap_or_else(|e| {
                            panic!("rmcp refuses {message} ({e}); the fast path read it")
                        });
                    assert_eq!(format!("{fast:?}"), format!("{rmcp:?}"), "{message}");
                }
            }
        }
        assert!(read >= 8, "the fast path read {read}");
    }
}
