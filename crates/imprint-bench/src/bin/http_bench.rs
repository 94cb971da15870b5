//! `cargo run --release -p imprint-bench --bin http_bench [-- IMPRINT_BIN] [--requests N]
//! [--connections C] [--rate R | --saturate] [--team POSTGRES_URL]`: a load test of `imprint serve --http` against the targets of
//! issue 4 (64 concurrent connections, p99 under 10 ms, no errors, memory flat over
//! 100,000 requests), printing a Markdown table for BENCHMARKS.md.
//!
//! Two scenarios against the real release binary on loopback:
//! - `GET /v1/config/claude-desktop/default` (the latest signed artifact, verified on read);
//! - `POST /mcp` `tools/call get_config` (stateless Streamable HTTP, JSON response).
//!
//! The generator is plain std: one thread per connection, HTTP/1.1 keep-alive. By
//! default it is an open loop at `--rate` requests/s in all (3,000), spread evenly over
//! the connections, and each request is timed from when it was *due*, so a slow answer
//! that delays the next ones shows up in their latency too (no coordinated omission).
//! `--saturate` makes it a closed loop instead (every connection sends its next request
//! as the last one is answered), timed from the first byte written to the last byte
//! read: that measures capacity, with the generator's 64 threads competing with the
//! server for the same two cores. Server
//! memory is the child's VmRSS from `/proc`, sampled as the run progresses. The load
//! is bounded (a request count) and goes to 127.0.0.1 only.
//!
//! `--team URL` (an empty PostgreSQL database) adds, in the same run, each scenario against
//! two replicas serving that database (connections alternate between them) right after the
//! row of the one SQLite server, so the two backends are compared on the same machine state.

#![forbid(unsafe_code)]

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// A scenario's request for a server's address and token.
type RequestFor<'a> = dyn Fn(&str, &str) -> String + 'a;

struct Options {
    binary: PathBuf,
    requests: u64,
    connections: u64,
    /// Requests per second in all (open loop); `None` saturates (closed loop).
    rate: Option<f64>,
    /// An empty PostgreSQL database for the team rows.
    team: Option<String>,
}

fn options() -> Options {
    let mut binary = None;
    let mut requests = 100_000;
    let mut connections = 64;
    let mut rate = Some(3_000.0);
    let mut team = None;
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--requests" => requests = args.next().and_then(|v| v.parse().ok()).unwrap_or(requests),
            "--connections" => {
                connections = args
                    .next()
                    .and_then(|v| v.parse().ok())
                    .unwrap_or(connections)
            }
            "--rate" => {
                rate = args
                    .next()
                    .and_then(|v| v.parse::<f64>().ok())
                    .filter(|r| *r > 0.0)
            }
            "--saturate" => rate = None,
            "--team" => team = args.next(),
            path => binary = Some(PathBuf::from(path)),
        }
    }
    let binary = binary.unwrap_or_else(|| {
        let exe = std::env::current_exe().expect("the bench binary's own path");
        exe.parent().expect("a directory").join("imprint")
    });
    Options {
        binary,
        requests,
        connections: connections.max(1),
        rate,
        team,
    }
}

fn main() {
    let options = options();
    assert!(
        options.binary.exists(),
        "build the release binary first: cargo build --release -p imprint ({})",
        options.binary.display()
    );
    let scratch = std::env::temp_dir().join(format!("imprint-http-bench-{}", std::process::id()));
    std::fs::create_dir_all(scratch.join("home")).expect("scratch directory");
    let token = seed(&options.binary, &scratch, &[]);
    let server = Server::start(&options.binary, &scratch, &[]);
    // Two replicas on one PostgreSQL database, sharing the data directory's key file.
    let team = options.team.as_deref().map(|url| {
        let extra = ["--database", url];
        let token = seed(&options.binary, &scratch, &extra);
        let replicas = [
            Server::start(&options.binary, &scratch, &extra),
            Server::start(&options.binary, &scratch, &extra),
        ];
        (token, replicas)
    });

    println!(
        "binary: {}\n{} requests per scenario over {} keep-alive connections, {}, after a warm-up\n",
        options.binary.display(),
        options.requests,
        options.connections,
        match options.rate {
            Some(rate) => format!("open loop at {rate:.0} requests/s"),
            None => "closed loop (saturation)".to_string(),
        }
    );
    println!(
        "| scenario | requests/s | p50 | p90 | p99 | p99.9 | max | errors | server RSS start → end (max) |"
    );
    println!("|---|---|---|---|---|---|---|---|---|");

    let rest = |addr: &str, token: &str| {
        format!(
            "GET /v1/config/claude-desktop/default HTTP/1.1\r\nhost: {addr}\r\nauthorization: Bearer {token}\r\n\r\n"
        )
    };
    let body = r#"{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"get_config","arguments":{}}}"#;
    let mcp = |addr: &str, token: &str| {
        format!(
            "POST /mcp HTTP/1.1\r\nhost: {addr}\r\nauthorization: Bearer {token}\r\ncontent-type: application/json\r\naccept: application/json, text/event-stream\r\nmcp-protocol-version: 2025-06-18\r\ncontent-length: {}\r\n\r\n{body}",
            body.len()
        )
    };
    let mut failed = false;
    let scenarios: [(&str, &RequestFor<'_>); 2] = [
        ("GET /v1/config/{client}/{profile}", &rest),
        ("POST /mcp tools/call get_config", &mcp),
    ];
    for (name, request) in scenarios {
        let targets = [(server.addr.clone(), request(&server.addr, &token))];
        failed |= !scenario(&format!("{name}, SQLite"), &server, &targets, &options);
        if let Some((token, replicas)) = &team {
            let targets: Vec<(String, String)> = replicas
                .iter()
                .map(|replica| (replica.addr.clone(), request(&replica.addr, token)))
                .collect();
            failed |= !scenario(
                &format!("{name}, PostgreSQL, 2 replicas"),
                &replicas[0],
                &targets,
                &options,
            );
        }
    }
    server.stop();
    if let Some((_, replicas)) = team {
        for replica in replicas {
            replica.stop();
        }
    }
    std::fs::remove_dir_all(&scratch).ok();
    println!(
        "\ntargets: p99 < 10 ms, no errors, RSS growth under 8 MiB from the first sample to the last: {}",
        if failed { "MISSED" } else { "met" }
    );
    if failed {
        std::process::exit(1);
    }
}

/// A signing key, a published artifact with two servers, and a token.
fn seed(binary: &Path, scratch: &Path, extra: &[&str]) -> String {
    let run = |args: &[&str]| {
        let output = command(binary, scratch)
            .args(extra)
            .args(args)
            .output()
            .expect("run imprint");
        let hint = if extra.is_empty() {
            ""
        } else {
            " (--team needs an empty database: create a new one for each run)"
        };
        assert!(
            output.status.success(),
            "imprint {args:?}: {}{hint}",
            String::from_utf8_lossy(&output.stderr).trim_end()
        );
        String::from_utf8_lossy(&output.stdout).trim().to_string()
    };
    run(&["draft", "add", "memory"]);
    run(&["draft", "add", "fetch"]);
    run(&["publish", "-m", "bench"]);
    run(&["token", "create", "--name", "bench"])
}

fn command(binary: &Path, scratch: &Path) -> Command {
    let mut command = Command::new(binary);
    command
        .env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .env("HOME", scratch.join("home"))
        .env("IMPRINT_HOME", scratch.join("data"))
        .env("USER", "bench")
        .env("IMPRINT_LOG", "error");
    command
}

struct Server {
    child: Child,
    addr: String,
}

impl Server {
    fn start(binary: &Path, scratch: &Path, extra: &[&str]) -> Server {
        let mut child = command(binary, scratch)
            .args(extra)
            .args(["serve", "--http", "127.0.0.1:0"])
            .stdout(Stdio::piped())
            .spawn()
            .expect("start imprint serve --http");
        let mut stdout = BufReader::new(child.stdout.take().expect("stdout"));
        let mut line = String::new();
        stdout.read_line(&mut line).expect("the listening line");
        let addr = line
            .trim()
            .strip_prefix("listening on http://")
            .unwrap_or_else(|| panic!("unexpected first line {line:?}"))
            .to_string();
        // Keep reading (and discarding) stdout so the server never blocks on it.
        std::thread::spawn(move || for _ in stdout.lines() {});
        Server { child, addr }
    }

    fn rss_kib(&self) -> u64 {
        std::fs::read_to_string(format!("/proc/{}/status", self.child.id()))
            .ok()
            .and_then(|status| {
                status
                    .lines()
                    .find(|l| l.starts_with("VmRSS:"))
                    .and_then(|l| l.split_whitespace().nth(1))
                    .and_then(|kib| kib.parse().ok())
            })
            .unwrap_or(0)
    }

    fn stop(self) {
        drop(self);
    }
}

impl Drop for Server {
    /// Stops the server also when the bench panics (a seeding that fails, a refused
    /// connection), so no `imprint serve` outlives the run.
    fn drop(&mut self) {
        let _ = Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status();
        let _ = self.child.wait();
    }
}

/// One keep-alive connection.
struct Connection {
    stream: BufReader<TcpStream>,
}

impl Connection {
    fn open(addr: &str) -> std::io::Result<Connection> {
        let stream = TcpStream::connect(addr)?;
        stream.set_nodelay(true)?;
        stream.set_read_timeout(Some(Duration::from_secs(30)))?;
        Ok(Connection {
            stream: BufReader::new(stream),
        })
    }

    /// Sends one request and reads the whole response; returns the status.
    fn exchange(&mut self, request: &[u8]) -> std::io::Result<u16> {
        self.stream.get_mut().write_all(request)?;
        let mut status_line = String::new();
        if self.stream.read_line(&mut status_line)? == 0 {
            return Err(std::io::Error::other("connection closed"));
        }
        let status = status_line
            .split_whitespace()
            .nth(1)
            .and_then(|s| s.parse().ok())
            .unwrap_or(0);
        let mut length = None;
        let mut chunked = false;
        loop {
            let mut header = String::new();
            self.stream.read_line(&mut header)?;
            let header = header.trim_end();
            if header.is_empty() {
                break;
            }
            if let Some((name, value)) = header.split_once(':') {
                if name.eq_ignore_ascii_case("content-length") {
                    length = value.trim().parse::<usize>().ok();
                } else if name.eq_ignore_ascii_case("transfer-encoding") {
                    chunked = value.contains("chunked");
                }
            }
        }
        if chunked {
            loop {
                let mut size = String::new();
                self.stream.read_line(&mut size)?;
                let size = usize::from_str_radix(size.trim(), 16)
                    .map_err(|_| std::io::Error::other("bad chunk size"))?;
                let mut chunk = vec![0; size + 2];
                self.stream.read_exact(&mut chunk)?;
                if size == 0 {
                    break;
                }
            }
        } else {
            let mut body = vec![0; length.unwrap_or(0)];
            self.stream.read_exact(&mut body)?;
        }
        Ok(status)
    }
}

/// Runs one scenario against `targets` (address and request; connections alternate
/// between them); prints its row with `server`'s memory; returns whether it met the targets.
fn scenario(name: &str, server: &Server, targets: &[(String, String)], options: &Options) -> bool {
    let targets: Vec<(String, Arc<Vec<u8>>)> = targets
        .iter()
        .map(|(addr, request)| (addr.clone(), Arc::new(request.as_bytes().to_vec())))
        .collect();
    // Warm-up: connections, caches, the allocator's steady state.
    run_load(&targets, options.connections, 2_000, None, || {});

    let samples = Arc::new(Mutex::new(vec![server.rss_kib()]));
    let done = Arc::new(AtomicU64::new(0));
    let step = (options.requests / 10).max(1);
    let rss_pid = server.child.id();
    let progress = {
        let samples = Arc::clone(&samples);
        let done = Arc::clone(&done);
        move || {
            let total = done.fetch_add(1, Ordering::Relaxed) + 1;
            if total.is_multiple_of(step)
                && let Ok(status) = std::fs::read_to_string(format!("/proc/{rss_pid}/status"))
                && let Some(kib) = status
                    .lines()
                    .find(|l| l.starts_with("VmRSS:"))
                    .and_then(|l| l.split_whitespace().nth(1))
                    .and_then(|kib| kib.parse().ok())
                && let Ok(mut samples) = samples.lock()
            {
                samples.push(kib);
            }
        }
    };
    let started = Instant::now();
    let (mut latencies, errors) = run_load(
        &targets,
        options.connections,
        options.requests,
        options.rate,
        progress,
    );
    let elapsed = started.elapsed();
    let end_rss = server.rss_kib();
    let samples = samples.lock().map(|s| s.clone()).unwrap_or_default();
    latencies.sort_unstable();
    let pct = |p: f64| -> Duration {
        if latencies.is_empty() {
            return Duration::ZERO;
        }
        let index = ((latencies.len() as f64 * p).ceil() as usize).clamp(1, latencies.len()) - 1;
        latencies[index]
    };
    let first = samples.first().copied().unwrap_or(0);
    let max = samples.iter().copied().max().unwrap_or(0).max(end_rss);
    let p99 = pct(0.99);
    let growth = end_rss.saturating_sub(first);
    println!(
        "| {name} | {:.0} | {} | {} | {} | {} | {} | {errors} | {:.1} → {:.1} MiB ({:.1}) |",
        latencies.len() as f64 / elapsed.as_secs_f64(),
        ms(pct(0.50)),
        ms(pct(0.90)),
        ms(p99),
        ms(pct(0.999)),
        ms(latencies.last().copied().unwrap_or_default()),
        first as f64 / 1024.0,
        end_rss as f64 / 1024.0,
        max as f64 / 1024.0,
    );
    p99 < Duration::from_millis(10) && errors == 0 && growth < 8 * 1024
}

fn ms(duration: Duration) -> String {
    format!("{:.2} ms", duration.as_secs_f64() * 1000.0)
}

/// `total` requests spread over `connections` threads, as fast as answered or at
/// `rate` per second in all; returns latencies and errors.
fn run_load(
    targets: &[(String, Arc<Vec<u8>>)],
    connections: u64,
    total: u64,
    rate: Option<f64>,
    progress: impl Fn() + Send + Sync + Clone + 'static,
) -> (Vec<Duration>, u64) {
    // Each connection sends every `interval`, staggered so the load is even.
    let interval = rate.map(|rate| Duration::from_secs_f64(connections as f64 / rate));
    let start = Instant::now() + Duration::from_millis(50);
    let per_connection = total / connections;
    let remainder = total % connections;
    let handles: Vec<_> = (0..connections)
        .map(|index| {
            let (addr, request) = &targets[index as usize % targets.len()];
            let (addr, request) = (addr.clone(), Arc::clone(request));
            let progress = progress.clone();
            let count = per_connection + u64::from(index < remainder);
            std::thread::spawn(move || {
                let mut latencies = Vec::with_capacity(count as usize);
                let mut errors = 0u64;
                let mut connection = Connection::open(&addr).ok();
                for sent in 0..count {
                    let due = interval.map(|interval| {
                        start + interval.mul_f64(sent as f64 + index as f64 / connections as f64)
                    });
                    if let Some(due) = due {
                        let now = Instant::now();
                        if due > now {
                            std::thread::sleep(due - now);
                        }
                    }
                    let Some(conn) = connection.as_mut() else {
                        errors += 1;
                        connection = Connection::open(&addr).ok();
                        continue;
                    };
                    // Open loop: time from when the request was due.
                    let started = due.unwrap_or_else(Instant::now);
                    match conn.exchange(&request) {
                        Ok(200) => latencies.push(started.elapsed()),
                        Ok(_) => {
                            errors += 1;
                            latencies.push(started.elapsed());
                        }
                        Err(_) => {
                            errors += 1;
                            connection = Connection::open(&addr).ok();
                        }
                    }
                    progress();
                }
                (latencies, errors)
            })
        })
        .collect();
    let mut latencies = Vec::with_capacity(total as usize);
    let mut errors = 0;
    for handle in handles {
        let (mut l, e) = handle.join().expect("a load thread panicked");
        latencies.append(&mut l);
        errors += e;
    }
    (latencies, errors)
}
