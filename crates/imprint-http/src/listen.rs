//! The accept loop: hyper's HTTP/1 server over a tokio listener, with the limits
//! `axum::serve` does not offer. A silent or idle socket is closed after
//! [`ConnectionLimits::header_read_timeout`], and at most
//! [`ConnectionLimits::max_connections`] are served at once: the loop stops accepting
//! at the cap (new connections wait in the kernel's backlog) instead of running the
//! process out of file descriptors, so `/healthz` keeps answering.

use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::service::TowerToHyperService;
use tokio::net::TcpListener;
use tokio::sync::{Semaphore, watch};

/// How many connections are served at once and how long a client may stay silent.
#[derive(Debug, Clone)]
pub struct ConnectionLimits {
    /// Connections served at once; more wait to be accepted. Keep it below the file
    /// descriptor limit (`ulimit -n`), or accepting fails with EMFILE instead of waiting.
    pub max_connections: usize,
    /// How long a client may take to send a request's headers. hyper starts this clock
    /// whenever a connection waits for a request, so it is also the idle keep-alive
    /// timeout: a connection with no request in this long is closed.
    pub header_read_timeout: Duration,
}

impl Default for ConnectionLimits {
    fn default() -> Self {
        Self {
            max_connections: 512,
            header_read_timeout: Duration::from_secs(10),
        }
    }
}

/// How long to wait before accepting again after the listener failed (EMFILE and the like:
/// retrying at once would spin).
const ACCEPT_BACKOFF: Duration = Duration::from_millis(100);

/// Serves until `shutdown` completes, then stops accepting and lets every connection
/// finish the request it is answering.
pub async fn serve(
    listener: TcpListener,
    router: Router,
    limits: ConnectionLimits,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    // A semaphore's permits are at most u32::MAX when acquired together (the drain).
    let max = limits.max_connections.clamp(1, u32::MAX as usize);
    let slots = Arc::new(Semaphore::new(max));
    let (stop_tx, stop_rx) = watch::channel(false);
    let mut shutdown = std::pin::pin!(shutdown);
    loop {
        let permit = tokio::select! {
            permit = slots.clone().acquire_owned() => permit,
            () = &mut shutdown => break,
        };
        let Ok(permit) = permit else { break };
        let accepted = tokio::select! {
            accepted = listener.accept() => accepted,
            () = &mut shutdown => break,
        };
        let stream = match accepted {
            Ok((stream, _)) => stream,
            Err(error) => {
                if !is_per_connection(&error) {
                    tracing::warn!(%error, "cannot accept a connection; retrying");
                    tokio::time::sleep(ACCEPT_BACKOFF).await;
                }
                continue;
            }
        };
        let service = TowerToHyperService::new(router.clone());
        let mut stop = stop_rx.clone();
        let header_read_timeout = limits.header_read_timeout;
        tokio::spawn(async move {
            let mut builder = hyper::server::conn::http1::Builder::new();
            builder
                .timer(TokioTimer::new())
                .header_read_timeout(header_read_timeout);
            let connection = builder.serve_connection(TokioIo::new(stream), service);
            let mut connection = std::pin::pin!(connection);
            tokio::select! {
                result = connection.as_mut() => {
                    if let Err(error) = result {
                        tracing::debug!(%error, "connection ended");
                    }
                }
                _ = async { stop.wait_for(|stopped| *stopped).await.map(|_| ()) } => {
                    connection.as_mut().graceful_shutdown();
                    let _ = connection.await;
                }
            }
            drop(permit);
        });
    }
    drop(listener);
    let _ = stop_tx.send(true);
    // Every connection holds a permit until it ends: all of them back means drained.
    let _ = slots.acquire_many(max as u32).await;
    Ok(())
}

/// Errors about one connection (it was reset before we took it), not the listener.
fn is_per_connection(error: &std::io::Error) -> bool {
    use std::io::ErrorKind;
    matches!(
        error.kind(),
        ErrorKind::ConnectionAborted | ErrorKind::ConnectionRefused | ErrorKind::ConnectionReset
    )
}
