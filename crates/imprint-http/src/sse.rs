//! `GET /sse` + `POST /message`: MCP's older HTTP+SSE transport (protocol 2024-11-05),
//! served beside Streamable HTTP for clients that only speak it (the Craft CMS MCP
//! plugin offered it).
//!
//! `GET /sse` opens a session: the stream's first event, `endpoint`, names the URL to
//! POST JSON-RPC messages to (`/message?sessionId=…`); every answer and notification
//! arrives as a `message` event on the stream. Each session runs its own [`ImprintMcp`]
//! over an in-memory pipe speaking JSON lines (rmcp's async read/write transport), acting
//! as the caller who opened it. The router's guard checks `Origin` and `Host` on both
//! routes as on every other; both authenticate like `/mcp`, and a POST is accepted only
//! from the caller who opened the session. Sessions end when the stream is closed;
//! their number is capped.

use std::collections::HashMap;
use std::convert::Infallible;
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};

use axum::body::Bytes;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Extension, Router};
use imprint_mcp::ImprintMcp;
use rmcp::ServiceExt;
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::sync::mpsc;

use crate::error::ApiError;
use crate::state::AppState;

/// Open SSE sessions at once; another `GET /sse` is refused with 503 until one closes.
const MAX_SESSIONS: usize = 64;
/// Messages a session buffers in each direction before a sender waits.
const QUEUE: usize = 32;

struct Session {
    /// Who opened it: only they may post to it.
    owner: String,
    inbound: mpsc::Sender<Vec<u8>>,
}

#[derive(Clone, Default)]
struct Sessions(Arc<Mutex<HashMap<String, Session>>>);

impl Sessions {
    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<String, Session>> {
        self.0
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

pub(crate) fn routes() -> Router<AppState> {
    Router::new()
        .route("/sse", get(open))
        .route("/message", post(message))
        .layer(Extension(Sessions::default()))
}

/// A random session id (128 bits, hex).
fn new_session_id() -> Result<String, ApiError> {
    let mut bytes = [0u8; 16];
    getrandom::fill(&mut bytes).map_err(ApiError::internal)?;
    Ok(bytes.iter().map(|b| format!("{b:02x}")).collect())
}

async fn open(
    State(state): State<AppState>,
    Extension(sessions): Extension<Sessions>,
    headers: HeaderMap,
) -> Response {
    let principal = match state.principal(&headers).await {
        Ok(principal) => principal,
        Err(error) => return error.into_response(),
    };
    let id = match new_session_id() {
        Ok(id) => id,
        Err(error) => return error.into_response(),
    };
    let (inbound_tx, mut inbound_rx) = mpsc::channel::<Vec<u8>>(QUEUE);
    {
        let mut open = sessions.lock();
        if open.len() >= MAX_SESSIONS {
            return ApiError::new(
                StatusCode::SERVICE_UNAVAILABLE,
                "busy",
                format!(
                    "{MAX_SESSIONS} SSE sessions are open: close one, or use Streamable HTTP at /mcp"
                ),
            )
            .into_response();
        }
        open.insert(
            id.clone(),
            Session {
                owner: principal.name.clone(),
                inbound: inbound_tx,
            },
        );
    }
    let guard = SessionGuard {
        sessions: sessions.clone(),
        id: id.clone(),
    };

    let (server_io, our_io) = tokio::io::duplex(64 * 1024);
    let handler = ImprintMcp::new(
        state
            .service
            .acting_for(&principal, imprint_service::roles::Surface::McpHttp),
    );
    tokio::spawn(async move {
        match handler.serve(server_io).await {
            Ok(running) => {
                let _ = running.waiting().await;
            }
            Err(error) => tracing::debug!(%error, "an SSE session ended before initializing"),
        }
    });

    let (events_tx, events_rx) = mpsc::channel::<Event>(QUEUE);
    let endpoint = Event::default()
        .event("endpoint")
        .data(format!("/message?sessionId={id}"));
    // The channel is empty and its receiver alive: this cannot fail.
    let _ = events_tx.try_send(endpoint);
    // One pump per session: posted messages into the server, its lines out as events.
    // It stops when either side closes, which closes the pipe and so ends the server.
    tokio::spawn(async move {
        let (read, mut write) = tokio::io::split(our_io);
        let mut lines = BufReader::new(read).lines();
        loop {
            tokio::select! {
                inbound = inbound_rx.recv() => {
                    let Some(mut line) = inbound else { break };
                    line.push(b'\n');
                    if write.write_all(&line).await.is_err() {
                        break;
                    }
                }
                line = lines.next_line() => {
                    let Ok(Some(line)) = line else { break };
                    if events_tx.send(Event::default().event("message").data(line)).await.is_err() {
                        break;
                    }
                }
                () = events_tx.closed() => break,
            }
        }
    });

    Sse::new(EventStream {
        events: events_rx,
        _guard: guard,
    })
    .keep_alive(KeepAlive::default())
    .into_response()
}

async fn message(
    State(state): State<AppState>,
    Extension(sessions): Extension<Sessions>,
    Query(query): Query<HashMap<String, String>>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let principal = match state.principal(&headers).await {
        Ok(principal) => principal,
        Err(error) => return error.into_response(),
    };
    let Some(id) = query.get("sessionId") else {
        return ApiError::bad_request(
            "sessionId is required: POST to the endpoint URL the GET /sse stream announced",
        )
        .into_response();
    };
    let sender = sessions
        .lock()
        .get(id)
        .filter(|session| session.owner == principal.name)
        .map(|session| session.inbound.clone());
    let Some(sender) = sender else {
        return closed(id);
    };
    // The pipe to the server is JSON lines: a message goes in as one compact line.
    let line = match serde_json::from_slice::<serde_json::Value>(&body) {
        Ok(value @ (serde_json::Value::Object(_) | serde_json::Value::Array(_))) => {
            serde_json::to_vec(&value).map_err(ApiError::internal)
        }
        Ok(_) => Err(ApiError::bad_request(
            "the body must be a JSON-RPC message (a JSON object)",
        )),
        Err(error) => Err(ApiError::bad_request(format!(
            "the body is not JSON ({error}): send one JSON-RPC message"
        ))),
    };
    let line = match line {
        Ok(line) => line,
        Err(error) => return error.into_response(),
    };
    if sender.send(line).await.is_err() {
        return closed(id);
    }
    (StatusCode::ACCEPTED, "Accepted").into_response()
}

fn closed(id: &str) -> Response {
    ApiError::not_found(format!(
        "SSE session '{id}' is not open (closed, or opened by another caller): open a new one with GET /sse"
    ))
    .into_response()
}

/// Removes its session when the response stream is dropped (the client went away).
struct SessionGuard {
    sessions: Sessions,
    id: String,
}

impl Drop for SessionGuard {
    fn drop(&mut self) {
        self.sessions.lock().remove(&self.id);
    }
}

struct EventStream {
    events: mpsc::Receiver<Event>,
    _guard: SessionGuard,
}

impl futures_core::Stream for EventStream {
    type Item = Result<Event, Infallible>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        self.events.poll_recv(cx).map(|event| event.map(Ok))
    }
}
