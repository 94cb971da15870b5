//! `imprint serve`: MCP over stdio by default; `--http ADDR` serves Streamable HTTP MCP
//! at `/mcp`, the REST API at `/v1`, the control panel at `/cp` and `/healthz`.
//!
//! Once bound, HTTP mode prints exactly two lines on stdout (stdout is free: MCP is not
//! on stdio in this mode): `listening on http://HOST:PORT`, read by tests and scripts
//! instead of sleeping, and a ready login URL for the control panel. Logs go to stderr.
//! SIGINT or SIGTERM stops accepting connections and lets requests in flight finish.
//! `--toolsets` (or `IMPRINT_TOOLSETS`) limits the MCP tools served, in both modes.

use std::io::Write as _;
use std::net::{SocketAddr, ToSocketAddrs};
use std::time::Duration;

use clap::Args;
use imprint_http::{HttpConfig, LaunchToken};
use imprint_service::Service;

use crate::cli::Failure;

/// How long requests in flight get to finish after a shutdown signal.
const DRAIN_TIMEOUT: Duration = Duration::from_secs(10);

#[derive(Debug, Args)]
pub struct ServeArgs {
    /// Serve HTTP on ADDR instead of MCP over stdio (default 127.0.0.1:7410; port 0 picks a free port).
    #[arg(long, value_name = "ADDR", num_args = 0..=1, default_missing_value = "127.0.0.1:7410")]
    http: Option<String>,
    /// The URL people and tools reach this server at; edit URLs use it (default: from the bound address).
    #[arg(long, value_name = "URL", requires = "http")]
    public_url: Option<String>,
    /// Let pages from ORIGIN call /v1 and /mcp (CORS; repeatable; none by default).
    #[arg(long = "cors-origin", value_name = "ORIGIN", requires = "http")]
    cors_origins: Vec<String>,
    /// Also answer requests for this Host name (behind a proxy or on a LAN name; repeatable).
    #[arg(long = "allow-host", value_name = "HOST", requires = "http")]
    allowed_hosts: Vec<String>,
    /// Serve without tokens (refused unless bound to a loopback address).
    #[arg(long, requires = "http")]
    no_auth: bool,
    /// Serve at most N connections at once; more wait to be accepted. Keep it below
    /// `ulimit -n` (default 512).
    #[arg(long, value_name = "N", requires = "http", value_parser = clap::value_parser!(u32).range(1..))]
    max_connections: Option<u32>,
    /// Close a connection that sends no complete request headers for SECONDS, idle
    /// keep-alive connections included (default 10).
    #[arg(long, value_name = "SECONDS", requires = "http", value_parser = clap::value_parser!(u64).range(1..=3600))]
    header_timeout: Option<u64>,
    /// Serve only these toolsets: config, content, admin (comma-separated), or all.
    /// A config-only assistant: `--toolsets config`.
    #[arg(
        long,
        env = "IMPRINT_TOOLSETS",
        value_name = "SETS",
        default_value = "all"
    )]
    toolsets: imprint_mcp::Toolsets,
}

pub fn run(service: Service, args: ServeArgs) -> Result<(), Failure> {
    match args.http.clone() {
        None => {
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .map_err(|e| Failure::Other(format!("cannot start the async runtime: {e}")))?;
            runtime
                .block_on(imprint_mcp::serve_stdio(service, args.toolsets))
                .map_err(|e| Failure::Other(format!("MCP server stopped: {e}")))
        }
        Some(address) => {
            // Worker threads answer connections; service calls run on the blocking pool.
            // Writes queue for the store's one write connection, reads run side by side on
            // its few read connections, and searches (each bounded in time) wait for one
            // of their own connections: the pool is sized so that a burst of waiting
            // searches still leaves threads for everything else. Idle threads exit.
            let cores = std::thread::available_parallelism().map_or(2, usize::from);
            let runtime = tokio::runtime::Builder::new_multi_thread()
                .enable_all()
                .max_blocking_threads((4 * cores).max(16))
                .build()
                .map_err(|e| Failure::Other(format!("cannot start the async runtime: {e}")))?;
            runtime.block_on(serve_http(service, &address, args))
        }
    }
}

fn resolve(address: &str) -> Result<SocketAddr, Failure> {
    if let Ok(addr) = address.parse::<SocketAddr>() {
        return Ok(addr);
    }
    // `localhost:7410` and the like; the first address is the one to bind.
    address
        .to_socket_addrs()
        .ok()
        .and_then(|mut addrs| addrs.next())
        .ok_or_else(|| {
            Failure::Other(format!(
                "--http '{address}' is not an address: use HOST:PORT, like 127.0.0.1:7410 (port 0 picks a free one)"
            ))
        })
}

async fn serve_http(service: Service, address: &str, args: ServeArgs) -> Result<(), Failure> {
    let requested = resolve(address)?;
    let mut config = HttpConfig::for_address(requested);
    config.require_auth = !args.no_auth;
    // Refuse before binding: an exposed unauthenticated server must never answer.
    imprint_http::check_exposure(requested, &config).map_err(Failure::Other)?;

    let listener = tokio::net::TcpListener::bind(requested)
        .await
        .map_err(|e| Failure::Other(format!("cannot listen on {requested}: {e}")))?;
    let bound = listener
        .local_addr()
        .map_err(|e| Failure::Other(format!("cannot read the bound address: {e}")))?;

    let mut config = HttpConfig::for_address(bound)
        .with_cors_origins(&args.cors_origins)
        .map_err(Failure::Other)?
        .with_allowed_hosts(&args.allowed_hosts);
    if let Some(url) = &args.public_url {
        config = config.with_public_url(url).map_err(Failure::Other)?;
    }
    config.require_auth = !args.no_auth;
    config.toolsets = args.toolsets;
    if let Some(max) = args.max_connections {
        config.limits.max_connections = max as usize;
    }
    if let Some(seconds) = args.header_timeout {
        config.limits.header_read_timeout = Duration::from_secs(seconds);
    }

    // The public URL is known only now (port 0), and the service puts it in the edit
    // URLs it returns.
    let service = service.with_public_url(&config.public_url);
    let login = if config.require_auth {
        let (launch, secret) = LaunchToken::generate(service.actor())?;
        config.launch_token = Some(launch);
        format!("{}/cp/login?token={secret}", config.public_url)
    } else {
        format!("{}/cp", config.public_url)
    };
    let public_url = config.public_url.clone();
    let limits = config.limits.clone();
    let router = imprint_http::router(service, config);

    // Before the readiness line: a signal sent as soon as it is read must stop the server
    // cleanly, not meet the default disposition (which kills the process).
    let signal = shutdown_signal();
    {
        let mut out = std::io::stdout().lock();
        let _ = writeln!(out, "listening on http://{bound}");
        let _ = writeln!(out, "control panel: {login}");
        let _ = out.flush();
    }
    tracing::info!(%bound, %public_url, "serving /mcp, /v1, /cp");

    let (stop_tx, stop_rx) = tokio::sync::watch::channel(false);
    let shutdown = async move {
        signal.await;
        tracing::info!("shutting down: finishing requests in flight");
        let _ = stop_tx.send(true);
    };
    let server = imprint_http::serve(listener, router, limits, shutdown);
    let deadline = async move {
        let mut stop_rx = stop_rx;
        let _ = stop_rx.wait_for(|stopped| *stopped).await;
        tokio::time::sleep(DRAIN_TIMEOUT).await;
    };
    tokio::select! {
        result = server => result.map_err(|e| Failure::Other(format!("the HTTP server failed: {e}"))),
        () = deadline => {
            tracing::warn!("requests still running {}s after the shutdown signal; exiting", DRAIN_TIMEOUT.as_secs());
            Ok(())
        }
    }
}

/// SIGINT (Ctrl-C) or SIGTERM. The handlers are installed by this call, not when the future
/// is first polled: the accept loop may not poll it before answering the first requests.
fn shutdown_signal() -> impl std::future::Future<Output = ()> + Send + 'static {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{Signal, SignalKind, signal};
        async fn received(signal: std::io::Result<Signal>, name: &'static str) {
            match signal {
                Ok(mut signal) => {
                    signal.recv().await;
                }
                Err(e) => {
                    tracing::error!(error = %e, "cannot listen for {name}");
                    std::future::pending::<()>().await;
                }
            }
        }
        let interrupt = received(signal(SignalKind::interrupt()), "Ctrl-C");
        let terminate = received(signal(SignalKind::terminate()), "SIGTERM");
        async move {
            tokio::select! {
                () = interrupt => {}
                () = terminate => {}
            }
        }
    }
    #[cfg(not(unix))]
    async {
        if let Err(e) = tokio::signal::ctrl_c().await {
            tracing::error!(error = %e, "cannot listen for Ctrl-C");
            std::future::pending::<()>().await;
        }
    }
}
