//! A member's machine and its team servers: `imprint trust …` (pin a server's keys under a
//! short name) and `imprint deploy --from NAME` (fetch the latest artifact over REST, let the
//! service verify it against the pins, deploy it locally).
//!
//! The HTTP requests live here, in the binary: the service takes what was fetched as values
//! and decides (`imprint_service::team`). ureq, blocking and small, with rustls for https
//! (the built-in roots, or only the CA kept with the server: `--ca-file`, else
//! `SSL_CERT_FILE`); redirects are not followed (a redirect could move the token to another
//! host).

use std::io::IsTerminal;
use std::path::Path;
use std::time::Duration;

use clap::Subcommand;
use imprint_service::team::{
    AddTrustedServer, DeployPulled, FollowProfile, Keyring, RemoveTrustedServer, TrustedServer,
    check_server_url, default_server_name,
};
use imprint_service::{ErrorKind, Service, ServiceError, ServiceResult};
use serde_json::{Value, json};

use crate::cli::answer;

/// The environment variable a member's token for a team server can come from.
pub const TOKEN_VARIABLE: &str = "IMPRINT_TEAM_TOKEN";

#[derive(Debug, Subcommand)]
pub enum TrustCommand {
    /// Pin a team server's signing keys under a short name (`deploy --from NAME`).
    #[command(
        after_help = "Examples:\n  imprint trust add https://imprint.team.example --key ed25519:0123456789abcdef\n  imprint trust add https://imprint.team.example --from-server\n  imprint trust add team --url https://imprint.team.example --key team-signing.pub"
    )]
    Add {
        /// The server's URL, or the short name to give it (then --url is needed).
        name_or_url: String,
        /// The server's URL (when the first argument is a name).
        #[arg(long)]
        url: Option<String>,
        /// The short name (default: from the host, imprint.team.example → team).
        #[arg(long)]
        name: Option<String>,
        /// A key to pin: its signing key id (ed25519:…, looked up on the server and checked
        /// against its PEM) or a PEM file. Repeatable.
        #[arg(long = "key", value_name = "KEY_ID|PEM_FILE")]
        keys: Vec<String>,
        /// Print the keys the server offers with their fingerprints and pin them once confirmed.
        #[arg(long, conflicts_with = "keys")]
        from_server: bool,
        /// With --from-server: pin without asking (for scripts; check the fingerprints first).
        #[arg(long)]
        yes: bool,
        /// A token for the server, kept in the trust list (mode 0600, never shown);
        /// IMPRINT_TEAM_TOKEN is used when none is kept.
        #[arg(long)]
        token: Option<String>,
        /// Allow plain http:// to a host other than loopback (the token travels in clear).
        #[arg(long)]
        allow_http: bool,
        /// A CA certificate file (PEM) the server's https certificate must chain to, for a
        /// team server with a private CA; kept with the pins and used instead of the
        /// built-in roots (SSL_CERT_FILE is used when no CA is kept).
        #[arg(long, value_name = "PATH")]
        ca_file: Option<std::path::PathBuf>,
    },
    /// List the trusted servers, their pinned keys and what was deployed from them.
    List,
    /// Forget a trusted server (its pins, token and deploy records).
    Remove { name: String },
    /// Follow a client/profile, so `imprint deploy --from NAME --all` deploys it.
    Follow {
        name: String,
        #[arg(long, short = 'c')]
        client: String,
        #[arg(long, short = 'p')]
        profile: String,
    },
}

/// A client for one trusted server.
struct Remote {
    agent: ureq::Agent,
    url: String,
    token: Option<String>,
    /// Where the roots its certificate is checked against came from, when not built in.
    roots_from: Option<&'static str>,
}

/// The environment variable naming a CA bundle used when a server has no CA of its own.
const CA_VARIABLE: &str = "SSL_CERT_FILE";

/// The certificates of a PEM text; `source` names where it came from in errors.
fn certificates(pem: &str, source: &str) -> ServiceResult<Vec<ureq::tls::Certificate<'static>>> {
    let mut found = Vec::new();
    for item in ureq::tls::parse_pem(pem.as_bytes()) {
        match item {
            Ok(ureq::tls::PemItem::Certificate(cert)) => found.push(cert),
            Ok(_) => {}
            Err(e) => {
                return Err(ServiceError::invalid(format!(
                    "{source} is not a readable PEM file ({e}): pass the team's CA certificate (-----BEGIN CERTIFICATE-----)"
                )));
            }
        }
    }
    if found.is_empty() {
        return Err(ServiceError::invalid(format!(
            "{source} holds no certificate (-----BEGIN CERTIFICATE-----): pass the team's CA certificate"
        )));
    }
    Ok(found)
}

/// Whether ureq failed because rustls refused the server's certificate (raised directly,
/// or inside the I/O error of the handshake).
fn is_certificate_refusal(error: &ureq::Error) -> bool {
    match error {
        ureq::Error::Rustls(_) => true,
        ureq::Error::Io(io) => {
            io.kind() == std::io::ErrorKind::InvalidData && io.to_string().contains("certificate")
        }
        _ => false,
    }
}

/// `--ca-file`: the file's PEM text, checked to hold at least one certificate.
fn read_ca_file(path: &Path) -> ServiceResult<String> {
    let pem = std::fs::read_to_string(path).map_err(|e| {
        ServiceError::invalid(format!(
            "cannot read the CA file {}: {e}; pass a PEM certificate file",
            path.display()
        ))
    })?;
    certificates(&pem, &format!("the CA file {}", path.display()))?;
    Ok(pem)
}

impl Remote {
    /// `ca_pem`: the CA kept with the server; without one, `SSL_CERT_FILE` if set, else the
    /// built-in roots.
    fn new(
        url: &str,
        allow_http: bool,
        token: Option<String>,
        ca_pem: Option<&str>,
    ) -> ServiceResult<Self> {
        check_server_url(url, allow_http)?;
        let roots_from = match ca_pem {
            Some(_) => Some("the CA given with --ca-file"),
            None if std::env::var_os(CA_VARIABLE).is_some_and(|v| !v.is_empty()) => {
                Some("the CA bundle SSL_CERT_FILE names")
            }
            None => None,
        };
        let roots = match ca_pem {
            Some(pem) => Some(certificates(pem, "the CA kept for this server")?),
            None => match std::env::var_os(CA_VARIABLE).filter(|v| !v.is_empty()) {
                Some(path) => {
                    let path = std::path::PathBuf::from(path);
                    let pem = std::fs::read_to_string(&path).map_err(|e| {
                        ServiceError::invalid(format!(
                            "{CA_VARIABLE} names {}, which cannot be read: {e}; fix or unset it",
                            path.display()
                        ))
                    })?;
                    Some(certificates(
                        &pem,
                        &format!("{CA_VARIABLE} ({})", path.display()),
                    )?)
                }
                None => None,
            },
        };
        let mut config = ureq::Agent::config_builder()
            .http_status_as_error(false)
            .max_redirects(0)
            .timeout_global(Some(Duration::from_secs(30)));
        if let Some(roots) = roots {
            config = config.tls_config(
                ureq::tls::TlsConfig::builder()
                    .root_certs(ureq::tls::RootCerts::Specific(std::sync::Arc::new(roots)))
                    .build(),
            );
        }
        Ok(Self {
            agent: config.build().into(),
            url: url.trim_end_matches('/').to_string(),
            token,
            roots_from,
        })
    }

    fn of(server: &TrustedServer) -> ServiceResult<Self> {
        let token = std::env::var(TOKEN_VARIABLE)
            .ok()
            .filter(|t| !t.is_empty())
            .or_else(|| server.token.clone());
        Self::new(
            &server.url,
            server.allow_http,
            token,
            server.ca_pem.as_deref(),
        )
    }

    /// GETs `path` and parses its JSON; errors name the server and the fix.
    fn get(&self, path: &str) -> ServiceResult<Value> {
        let url = format!("{}{path}", self.url);
        let mut request = self.agent.get(&url);
        if let Some(token) = &self.token {
            request = request.header("Authorization", format!("Bearer {token}"));
        }
        let mut response = request.call().map_err(|e| match e {
            // The connection was made, but the server's certificate is not trusted: a
            // retry will not help, the CA will.
            e if is_certificate_refusal(&e) => ServiceError::new(
                ErrorKind::Integrity,
                match self.roots_from {
                    Some(roots) => format!(
                        "{} presented a TLS certificate that {roots} does not vouch for ({e}); nothing was fetched. Check that it is the team's CA certificate, then `imprint trust add … --ca-file PATH` again",
                        self.url
                    ),
                    None => format!(
                        "{} presented a TLS certificate this machine does not trust ({e}); nothing was fetched. For a team server with a private CA, pass its CA certificate: `imprint trust add … --ca-file PATH` (or set {CA_VARIABLE})",
                        self.url
                    ),
                },
            ),
            e => ServiceError::new(
                ErrorKind::Unavailable,
                format!(
                    "cannot reach {}: {e}; check the URL and the network",
                    self.url
                ),
            ),
        })?;
        let status = response.status().as_u16();
        let body = response.body_mut().read_to_string().map_err(|e| {
            ServiceError::new(
                ErrorKind::Unavailable,
                format!("reading the answer of {url} failed: {e}"),
            )
        })?;
        let parsed: Option<Value> = serde_json::from_str(&body).ok();
        let said = parsed
            .as_ref()
            .and_then(|v| v.pointer("/error/message"))
            .and_then(Value::as_str)
            .unwrap_or("")
            .to_string();
        match status {
            200 => parsed.ok_or_else(|| {
                ServiceError::new(
                    ErrorKind::Integrity,
                    format!(
                        "{url} answered something that is not JSON; is {} an Imprint server?",
                        self.url
                    ),
                )
            }),
            401 | 403 => Err(ServiceError::new(
                if status == 401 {
                    ErrorKind::Unauthorized
                } else {
                    ErrorKind::Forbidden
                },
                format!(
                    "{} refused the request ({status}{}): pass a reader token in {TOKEN_VARIABLE}, or keep one with `imprint trust add … --token TOKEN`",
                    self.url,
                    if said.is_empty() {
                        String::new()
                    } else {
                        format!(": {said}")
                    }
                ),
            )),
            404 => Err(ServiceError::not_found(format!(
                "{url}: {}",
                if said.is_empty() {
                    "not found on the server"
                } else {
                    &said
                }
            ))),
            _ => Err(ServiceError::new(
                ErrorKind::Unavailable,
                format!(
                    "{url} answered {status}{}",
                    if said.is_empty() {
                        String::new()
                    } else {
                        format!(": {said}")
                    }
                ),
            )),
        }
    }

    fn keyring(&self) -> ServiceResult<Keyring> {
        let value = self.get("/v1/keyring")?;
        serde_json::from_value(value).map_err(|e| {
            ServiceError::new(
                ErrorKind::Integrity,
                format!(
                    "{}/v1/keyring is not a keyring ({e}); is it an Imprint server?",
                    self.url
                ),
            )
        })
    }
}

pub fn run(service: &Service, command: TrustCommand, json: bool) -> ServiceResult<Value> {
    match command {
        TrustCommand::Add {
            name_or_url,
            url,
            name,
            keys,
            from_server,
            yes,
            token,
            allow_http,
            ca_file,
        } => {
            let (name, url) = match (name_or_url.contains("://"), url) {
                (true, None) => (name, name_or_url),
                (true, Some(_)) => {
                    return Err(ServiceError::invalid(
                        "give the URL once: as the first argument, or as --url after a name",
                    ));
                }
                (false, Some(url)) => (Some(name_or_url), url),
                (false, None) => {
                    return Err(ServiceError::invalid(format!(
                        "'{name_or_url}' is not a URL: pass the server's address (imprint trust add https://imprint.team.example …) or --url"
                    )));
                }
            };
            let host = check_server_url(&url, allow_http)?;
            let name = name.unwrap_or_else(|| default_server_name(&host));
            let ca_pem = ca_file.as_deref().map(read_ca_file).transpose()?;
            // Adding keys to a server kept already: reach it through the CA kept with it.
            let reach_ca = ca_pem.clone().or_else(|| {
                service
                    .trusted_server(&name)
                    .ok()
                    .filter(|s| s.url.trim_end_matches('/') == url.trim_end_matches('/'))
                    .and_then(|s| s.ca_pem)
            });
            let remote = Remote::new(
                &url,
                allow_http,
                token
                    .clone()
                    .or_else(|| std::env::var(TOKEN_VARIABLE).ok().filter(|t| !t.is_empty())),
                reach_ca.as_deref(),
            )?;
            let public_keys = if from_server {
                keys_from_server(&remote, yes, json)?
            } else if keys.is_empty() {
                return Err(ServiceError::invalid(
                    "no key to pin: pass --key with the server's signing key id or a PEM file, or --from-server to review the keys it offers",
                ));
            } else {
                resolve_keys(&remote, &keys)?
            };
            answer(service.add_trusted_server(AddTrustedServer {
                name,
                url,
                public_keys,
                token,
                allow_http: Some(allow_http),
                ca_pem,
            }))
        }
        TrustCommand::List => answer(service.list_trusted_servers()),
        TrustCommand::Remove { name } => {
            answer(service.remove_trusted_server(RemoveTrustedServer { name }))
        }
        TrustCommand::Follow {
            name,
            client,
            profile,
        } => answer(service.follow_profile(FollowProfile {
            server: name,
            client_id: client,
            profile_id: profile,
        })),
    }
}

/// `--key` values as PEM: a file's contents, or the server's PEM for a key id (the service
/// checks that the PEM is the key the id names).
fn resolve_keys(remote: &Remote, keys: &[String]) -> ServiceResult<Vec<String>> {
    let mut keyring = None;
    let mut pems = Vec::new();
    for key in keys {
        if Path::new(key).is_file() {
            let pem = std::fs::read_to_string(key).map_err(|e| {
                ServiceError::invalid(format!("cannot read the key file {key}: {e}"))
            })?;
            pems.push(pem);
            continue;
        }
        if !key.starts_with("ed25519:") {
            return Err(ServiceError::invalid(format!(
                "--key {key} is neither a file nor a signing key id (ed25519:…)"
            )));
        }
        if keyring.is_none() {
            keyring = Some(remote.keyring()?);
        }
        let found = keyring
            .as_ref()
            .and_then(|k| k.keys.iter().find(|k| &k.key_id == key))
            .ok_or_else(|| {
                ServiceError::not_found(format!(
                    "{} offers no key {key}; `imprint trust add {} --from-server` lists the keys it offers",
                    remote.url, remote.url
                ))
            })?;
        let public = imprint_engine_key(&found.public_key_pem)?;
        if &public != key {
            return Err(ServiceError::new(
                ErrorKind::Integrity,
                format!(
                    "{} serves the key {public} under the id {key}; refusing to pin it",
                    remote.url
                ),
            ));
        }
        pems.push(found.public_key_pem.clone());
    }
    Ok(pems)
}

/// The key id of a PEM (through the service's error type).
fn imprint_engine_key(pem: &str) -> ServiceResult<String> {
    imprint_service::team::key_id_of_pem(pem)
}

/// `--from-server`: the keys the server offers, shown with fingerprints, pinned once a
/// person confirms (or `--yes`). Without a terminal and without `--yes` nothing is pinned.
fn keys_from_server(remote: &Remote, yes: bool, json: bool) -> ServiceResult<Vec<String>> {
    let keyring = remote.keyring()?;
    if keyring.keys.is_empty() {
        return Err(ServiceError::not_found(format!(
            "{} has no signing key yet: it gets one at its first publish (or `imprint keys init` there)",
            remote.url
        )));
    }
    if !json || !yes {
        crate::say!("{} offers these signing keys:", remote.url);
        for key in &keyring.keys {
            crate::say!(
                "  {}  {}{}",
                key.key_id,
                key.fingerprint,
                match (&key.retired_at, key.current) {
                    (Some(at), _) => format!("  (retired {at})"),
                    (None, true) => "  (current)".to_string(),
                    (None, false) => String::new(),
                }
            );
        }
    }
    if !yes {
        if !std::io::stdin().is_terminal() {
            return Err(ServiceError::invalid(
                "--from-server needs a confirmation: compare the fingerprints above with the team's admin, then run it again at a terminal or with --yes",
            ));
        }
        crate::say!("Pin them? Compare the fingerprints with your team's admin first. [y/N]");
        let mut line = String::new();
        std::io::stdin()
            .read_line(&mut line)
            .map_err(|e| ServiceError::invalid(format!("cannot read the answer: {e}")))?;
        if !matches!(line.trim().to_ascii_lowercase().as_str(), "y" | "yes") {
            return Err(ServiceError::invalid("nothing pinned: not confirmed"));
        }
    }
    Ok(keyring.keys.into_iter().map(|k| k.public_key_pem).collect())
}

/// `imprint deploy --from NAME`: one client/profile, or with `all` every followed one.
pub fn deploy_from(
    service: &Service,
    name: &str,
    target: Option<(String, String)>,
    force: bool,
    secrets: String,
) -> ServiceResult<Value> {
    let server = service.trusted_server(name)?;
    let remote = Remote::of(&server)?;
    // One profile asked for answers its own result (or error); --all answers a list.
    let single = target.is_some();
    let targets: Vec<(String, String)> = match target {
        Some(target) => vec![target],
        None => {
            if server.follows.is_empty() {
                return Err(ServiceError::invalid(format!(
                    "'{name}' has no followed profiles yet: deploy one with `imprint deploy --from {name} --client CLIENT --profile PROFILE`, or `imprint trust follow {name} --client CLIENT --profile PROFILE`"
                )));
            }
            server
                .follows
                .iter()
                .map(|f| (f.client_id.clone(), f.profile_id.clone()))
                .collect()
        }
    };
    // The keyring is fetched once: its endorsements let the pins follow a rotation.
    let keyring = remote.keyring().ok();
    let mut results = Vec::new();
    let mut failures = Vec::new();
    for (client_id, profile_id) in targets {
        let pulled = remote
            .get(&format!("/v1/config/{client_id}/{profile_id}"))
            .and_then(|envelope| {
                service.deploy_pulled(DeployPulled {
                    server: name.to_string(),
                    client_id: client_id.clone(),
                    profile_id: profile_id.clone(),
                    envelope,
                    keyring: keyring.clone(),
                    force,
                    secrets: Some(secrets.clone()),
                })
            });
        match pulled {
            Ok(done) => results.push(answer(Ok(done))?),
            Err(error) if single => return Err(error),
            Err(error) => {
                failures.push(format!("{client_id}/{profile_id}: {}", error.message()));
                results.push(json!({
                    "client_id": client_id,
                    "profile_id": profile_id,
                    "status": "refused",
                    "error": {"code": error.kind().code(), "message": error.message()},
                }));
            }
        }
    }
    if single {
        return Ok(results.remove(0));
    }
    let lines: Vec<String> = results
        .iter()
        .map(|r| {
            format!(
                "{}/{}: {}",
                r["client_id"].as_str().unwrap_or_default(),
                r["profile_id"].as_str().unwrap_or_default(),
                r.get("message")
                    .or_else(|| r.pointer("/error/message"))
                    .and_then(Value::as_str)
                    .unwrap_or_default()
            )
        })
        .collect();
    if !failures.is_empty() {
        return Err(ServiceError::new(
            ErrorKind::Integrity,
            format!(
                "{} of {} profile(s) from '{name}' were refused:\n{}",
                failures.len(),
                results.len(),
                lines.join("\n")
            ),
        ));
    }
    Ok(json!({ "server": name, "results": results, "message": lines.join("\n") }))
}

/// `imprint status`'s team part: each followed profile's latest on its server beside what
/// this machine deployed from it. A server that cannot be reached is said, not fatal.
pub fn followed_status(service: &Service) -> ServiceResult<Vec<Value>> {
    let mut rows = Vec::new();
    for view in service.list_trusted_servers()?.servers {
        if view.follows.is_empty() {
            continue;
        }
        let server = service.trusted_server(&view.name)?;
        let remote = Remote::of(&server).map_err(|e| e.message().to_string());
        for followed in &server.follows {
            let remote_latest = remote.as_ref().map_err(Clone::clone).and_then(|remote| {
                remote
                    .get(&format!(
                        "/v1/config/{}/{}",
                        followed.client_id, followed.profile_id
                    ))
                    .map_err(|e| e.message().to_string())
            });
            let (latest_sequence, latest_artifact_id, error) = match &remote_latest {
                Ok(envelope) => (
                    envelope
                        .pointer("/metadata/sequence")
                        .and_then(Value::as_i64),
                    envelope
                        .get("artifact_id")
                        .and_then(Value::as_str)
                        .map(str::to_string),
                    None,
                ),
                Err(error) => (None, None, Some(error.clone())),
            };
            let state = match (followed.last_sequence, latest_sequence) {
                (_, None) => "unknown",
                (Some(deployed), Some(latest)) if deployed >= latest => "up-to-date",
                (None, Some(_)) => "not-deployed",
                _ => "behind",
            };
            rows.push(json!({
                "server": server.name,
                "client_id": followed.client_id,
                "profile_id": followed.profile_id,
                "deployed_sequence": followed.last_sequence,
                "deployed_artifact_id": followed.last_artifact_id,
                "remote_sequence": latest_sequence,
                "remote_artifact_id": latest_artifact_id,
                "state": state,
                "error": error,
            }));
        }
    }
    Ok(rows)
}
