//! Team pull: the keyring a team server serves, the trust list of a member's machine, and
//! the verification an artifact pulled from a team server passes before it is deployed.
//!
//! The invariant: **nothing pulled is deployed unverified.** [`Service::deploy_pulled`]
//! recomputes the artifact id, checks the signature with a key this machine pinned (or one
//! endorsed by a chain from a pinned key), checks that the envelope is for the client and
//! profile asked for ([`crate::revisions::binding`], the check stored revisions pass too)
//! and that its sequence is newer than the last one this machine deployed from that server
//! (no replay of an older artifact), and only then hands it to the ordinary deploy.
//!
//! Fetching over HTTP is the binary's part: this module takes what was fetched as values.
//!
//! The trust list is a file, `trust/trust.json` in the data directory (mode 0600, written
//! atomically under `trust/.lock`), not store tables: it is this machine's own state (a
//! member's pins must not follow a database that is shared or copied), and it holds the
//! server's token, which is kept like the key files, readable by the owner only.

use std::path::PathBuf;

use imprint_engine::signing::PublicKey;
use imprint_engine::{endorsement, envelope, timestamp};
use imprint_store::RevisionRow;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::config::{ConfigDeployed, DeployConfig, Target};
use crate::error::{ErrorKind, ServiceError, ServiceResult};
use crate::files::{DirLock, io_error, write_atomically};
use crate::revisions::{Misbinding, binding};
use crate::{Service, now_millis};

/// The trust list's directory and file in the data directory.
const TRUST_DIR: &str = "trust";
const TRUST_FILE: &str = "trust.json";

// ----- the team server's side ------------------------------------------------------------

/// `get_keyring`: the signing public keys this server's artifacts are signed with.
#[derive(Debug, Clone, Default, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct GetKeyring {}

/// The answer of `get_keyring`: current and retired keys, each with its fingerprint.
#[derive(Debug, Clone, Deserialize, Serialize)]
pub struct Keyring {
    /// The key this server signs new artifacts with (none before its first key exists).
    pub current_key_id: Option<String>,
    /// Every key that signed an artifact here, sorted by key id.
    pub keys: Vec<KeyringKey>,
}

/// One key of a [`Keyring`].
#[derive(Debug, Clone, Deserialize, Serialize)]
pub struct KeyringKey {
    pub key_id: String,
    /// SPKI PEM.
    pub public_key_pem: String,
    /// `SHA256:` + the SHA-256 of the raw public key: compare it out of band before pinning.
    pub fingerprint: String,
    pub current: bool,
    /// When the key was rotated out (it still verifies what it signed before).
    pub retired_at: Option<String>,
    /// The key that replaced it.
    pub replaced_by: Option<String>,
    /// For a key that replaced another: that key's signature over this key
    /// (`imprint.key-endorsement.v1`), so machines that pinned the old key follow.
    pub endorsement: Option<Value>,
}

impl Service {
    /// The keyring: the key files (current and archived), the store's keyring, and the
    /// recorded retirements with their endorsements.
    pub fn get_keyring(&self, _request: GetKeyring) -> ServiceResult<Keyring> {
        // Loaded first: it settles a rotation a crash interrupted, before the files are listed.
        let current_key_id = self.inner.keys.load()?.map(|key| key.key_id());
        let mut pems: std::collections::BTreeMap<String, String> =
            self.inner.keys.file_public_keys()?.into_iter().collect();
        for (key_id, pem) in self.store().public_keys()? {
            pems.entry(key_id).or_insert(pem);
        }
        let retirements = self.store().key_retirements()?;
        let mut keys = Vec::with_capacity(pems.len());
        for (key_id, pem) in pems {
            let public = PublicKey::from_spki_pem(&pem)?;
            if public.key_id() != key_id {
                return Err(ServiceError::new(
                    ErrorKind::Integrity,
                    format!(
                        "the keyring's entry for {key_id} holds the key {}; restore it from a backup",
                        public.key_id()
                    ),
                ));
            }
            let retired = retirements.iter().find(|r| r.key_id == key_id);
            let endorsement_of = |text: &str| serde_json::from_str::<Value>(text).ok();
            let replaced_by = retired
                .and_then(|r| endorsement_of(&r.endorsement))
                .and_then(|e| e.get("key_id").and_then(Value::as_str).map(str::to_string));
            let endorsement = retirements
                .iter()
                .filter_map(|r| endorsement_of(&r.endorsement))
                .find(|e| e.get("key_id").and_then(Value::as_str) == Some(key_id.as_str()));
            keys.push(KeyringKey {
                current: current_key_id.as_deref() == Some(key_id.as_str()),
                fingerprint: public.fingerprint(),
                retired_at: retired.map(|r| timestamp::rfc3339_millis(r.retired_at)),
                replaced_by,
                endorsement,
                key_id,
                public_key_pem: pem,
            });
        }
        Ok(Keyring {
            current_key_id,
            keys,
        })
    }
}

// ----- the member's side: the trust list -------------------------------------------------

/// The trust list as stored. The token is kept here, never shown.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
struct TrustFile {
    servers: Vec<TrustedServer>,
}

/// A team server this machine deploys from.
#[derive(Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct TrustedServer {
    /// The short name `--from` takes.
    pub name: String,
    /// Its base URL (`https://…`; `http://` on loopback or when allowed).
    pub url: String,
    /// `http://` to a host other than loopback was allowed explicitly.
    #[serde(default)]
    pub allow_http: bool,
    /// The keys an artifact from it may be signed with.
    pub keys: Vec<PinnedKey>,
    /// The token it was added with, if one was stored.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub token: Option<String>,
    /// The CA certificate(s) (PEM) its https certificate must chain to, instead of the
    /// built-in roots: a team server with a private CA.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ca_pem: Option<String>,
    /// The client/profiles deployed from it, with the newest sequence deployed.
    #[serde(default)]
    pub follows: Vec<Followed>,
}

impl std::fmt::Debug for TrustedServer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TrustedServer")
            .field("name", &self.name)
            .field("url", &self.url)
            .field("keys", &self.keys.len())
            .field("token", &self.token.as_ref().map(|_| "***"))
            .finish_non_exhaustive()
    }
}

/// A key pinned for a [`TrustedServer`].
#[derive(Debug, Clone, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct PinnedKey {
    pub key_id: String,
    pub public_key_pem: String,
    pub fingerprint: String,
    pub pinned_at: String,
    /// The pinned key whose endorsement added this one (a followed rotation); `None` when
    /// a person pinned it.
    pub endorsed_by: Option<String>,
}

/// A client/profile deployed from a [`TrustedServer`].
#[derive(Debug, Clone, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Followed {
    pub client_id: String,
    pub profile_id: String,
    /// The newest sequence deployed from the server (an older one is a replay).
    pub last_sequence: Option<i64>,
    pub last_artifact_id: Option<String>,
    pub deployed_at: Option<String>,
}

/// `trust add`: pin a team server's keys under a short name.
#[derive(Debug, Clone, Default, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct AddTrustedServer {
    /// The short name (`imprint deploy --from NAME`).
    pub name: String,
    /// The server's base URL.
    pub url: String,
    /// The public keys to pin (SPKI PEM), at least one.
    pub public_keys: Vec<String>,
    /// A token to keep for the server (readable by this user only; never shown).
    pub token: Option<String>,
    /// Allow `http://` to a host other than loopback (the token and artifacts travel in clear).
    pub allow_http: Option<bool>,
    /// The CA certificate(s) (PEM) the server's https certificate must chain to, instead of
    /// the built-in roots (a private CA).
    pub ca_pem: Option<String>,
}

/// `trust remove`: forget a team server, its keys and what was deployed from it.
#[derive(Debug, Clone, Default, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RemoveTrustedServer {
    pub name: String,
}

/// `trust follow`: deploy this client/profile with `deploy --from NAME --all`.
#[derive(Debug, Clone, Default, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct FollowProfile {
    pub server: String,
    pub client_id: String,
    pub profile_id: String,
}

/// A trusted server as shown: never its token.
#[derive(Debug, Clone, Serialize)]
pub struct TrustedServerView {
    pub name: String,
    pub url: String,
    pub allow_http: bool,
    pub keys: Vec<PinnedKey>,
    /// Whether a token is kept for it (the token itself is never shown).
    pub has_token: bool,
    /// Whether its https certificate is checked against a CA kept with it (`--ca-file`)
    /// instead of the built-in roots.
    pub has_ca: bool,
    pub follows: Vec<Followed>,
}

impl From<&TrustedServer> for TrustedServerView {
    fn from(server: &TrustedServer) -> Self {
        Self {
            name: server.name.clone(),
            url: server.url.clone(),
            allow_http: server.allow_http,
            keys: server.keys.clone(),
            has_token: server.token.is_some(),
            has_ca: server.ca_pem.is_some(),
            follows: server.follows.clone(),
        }
    }
}

/// The answer of `trust add` / `trust follow`.
#[derive(Debug, Clone, Serialize)]
pub struct TrustChanged {
    pub status: &'static str,
    pub server: TrustedServerView,
    pub message: String,
}

/// The answer of `trust list`.
#[derive(Debug, Clone, Serialize)]
pub struct TrustList {
    pub servers: Vec<TrustedServerView>,
    /// Where the list is kept.
    pub path: PathBuf,
}

/// The answer of `trust remove`.
#[derive(Debug, Clone, Serialize)]
pub struct TrustRemoved {
    pub status: &'static str,
    pub name: String,
    pub message: String,
}

/// Checks a team server's URL: `https://`, or `http://` to loopback (or when allowed).
/// Returns the host.
pub fn check_server_url(url: &str, allow_http: bool) -> ServiceResult<String> {
    let (scheme, rest) = url.split_once("://").ok_or_else(|| {
        ServiceError::invalid(format!(
            "'{url}' is not a URL; give the team server's address, like https://imprint.team.example"
        ))
    })?;
    let authority = rest.split(['/', '?', '#']).next().unwrap_or_default();
    if authority.is_empty() || authority.contains('@') {
        return Err(ServiceError::invalid(format!(
            "'{url}' must name a host and no credentials; pass the token with --token instead"
        )));
    }
    let host = if let Some(bracketed) = authority.strip_prefix('[') {
        bracketed.split(']').next().unwrap_or_default().to_string()
    } else {
        authority
            .rsplit_once(':')
            .map_or(authority, |(host, _)| host)
            .to_string()
    }
    .to_ascii_lowercase();
    let loopback = is_loopback(&host);
    match scheme {
        "https" => Ok(host),
        "http" if loopback || allow_http => Ok(host),
        "http" => Err(ServiceError::invalid(format!(
            "'{url}' is plain http to another host: the token and the artifacts would travel in clear; use https://, or pass --allow-http if this network is private"
        ))),
        other => Err(ServiceError::invalid(format!(
            "'{url}' uses {other}://; a team server is reached over https:// (http:// on loopback)"
        ))),
    }
}

/// `localhost` or a loopback address (`127.evil.example` is not one).
fn is_loopback(host: &str) -> bool {
    host == "localhost"
        || host
            .parse::<std::net::IpAddr>()
            .is_ok_and(|ip| ip.is_loopback())
}

/// The short name a server gets when none is given: the first meaningful label of its host
/// (`imprint.team.example` → `team`), `local` for a loopback address.
pub fn default_server_name(host: &str) -> String {
    if is_loopback(host) {
        return "local".into();
    }
    let labels: Vec<&str> = host.split('.').filter(|l| !l.is_empty()).collect();
    let meaningful = labels
        .iter()
        .take(labels.len().saturating_sub(1).max(1))
        .find(|label| !matches!(**label, "imprint" | "www" | "api"))
        .or(labels.first())
        .copied()
        .unwrap_or("team");
    let name: String = meaningful
        .to_ascii_lowercase()
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '-' })
        .collect();
    if name
        .chars()
        .next()
        .is_some_and(|c| c.is_ascii_alphanumeric())
    {
        name
    } else {
        "team".into()
    }
}

/// The signing key id of an SPKI PEM (`ed25519:…`).
pub fn key_id_of_pem(pem: &str) -> ServiceResult<String> {
    Ok(PublicKey::from_spki_pem(pem)?.key_id())
}

fn check_name(name: &str) -> ServiceResult<()> {
    imprint_config::ids::validate_id("name", name)?;
    Ok(())
}

fn pinned(public: &PublicKey, pem: &str, endorsed_by: Option<String>) -> PinnedKey {
    PinnedKey {
        key_id: public.key_id(),
        public_key_pem: pem.to_string(),
        fingerprint: public.fingerprint(),
        pinned_at: timestamp::rfc3339_millis(now_millis()),
        endorsed_by,
    }
}

fn no_such_server(name: &str) -> ServiceError {
    ServiceError::not_found(format!(
        "no trusted server named '{name}'; `imprint trust list` shows them, `imprint trust add {name} --url URL --key KEY` adds one"
    ))
}

impl Service {
    fn trust_dir(&self) -> PathBuf {
        self.data_dir().join(TRUST_DIR)
    }

    fn trust_path(&self) -> PathBuf {
        self.trust_dir().join(TRUST_FILE)
    }

    /// The followed server `artifact_id` was last deployed from for this client/profile.
    /// An unreadable trust list answers `None`: `trust list` says what is wrong with it.
    pub(crate) fn pulled_from(
        &self,
        client_id: &str,
        profile_id: &str,
        artifact_id: &str,
    ) -> Option<String> {
        let trust = self.read_trust().ok()?;
        trust
            .servers
            .into_iter()
            .find(|server| {
                server.follows.iter().any(|f| {
                    f.client_id == client_id
                        && f.profile_id == profile_id
                        && f.last_artifact_id.as_deref() == Some(artifact_id)
                })
            })
            .map(|server| server.name)
    }

    fn read_trust(&self) -> ServiceResult<TrustFile> {
        let path = self.trust_path();
        match std::fs::read(&path) {
            Ok(bytes) => serde_json::from_slice(&bytes).map_err(|e| {
                ServiceError::new(
                    ErrorKind::Integrity,
                    format!(
                        "{} is not a trust list ({e}); restore it or remove it and add the servers again",
                        path.display()
                    ),
                )
            }),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(TrustFile::default()),
            Err(e) => Err(io_error("reading", &path, &e)),
        }
    }

    /// Reads, changes and writes the trust list under its lock (atomically, mode 0600).
    fn change_trust<T>(
        &self,
        change: impl FnOnce(&mut TrustFile) -> ServiceResult<T>,
    ) -> ServiceResult<T> {
        let _lock = DirLock::acquire(&self.trust_dir())?;
        let mut trust = self.read_trust()?;
        let answer = change(&mut trust)?;
        let bytes =
            serde_json::to_vec_pretty(&trust).map_err(|e| ServiceError::internal(e.to_string()))?;
        write_atomically(&self.trust_path(), &bytes, 0o600)?;
        Ok(answer)
    }

    /// A trusted server with its token (for the binary's requests; never print it).
    pub fn trusted_server(&self, name: &str) -> ServiceResult<TrustedServer> {
        check_name(name)?;
        self.read_trust()?
            .servers
            .into_iter()
            .find(|s| s.name == name)
            .ok_or_else(|| no_such_server(name))
    }

    /// Pins keys for a server: a new entry, or more keys (and a new token) for one with the
    /// same URL. A name already used for another URL is refused.
    pub fn add_trusted_server(&self, request: AddTrustedServer) -> ServiceResult<TrustChanged> {
        check_name(&request.name)?;
        let allow_http = request.allow_http.unwrap_or(false);
        check_server_url(&request.url, allow_http)?;
        let url = request.url.trim_end_matches('/').to_string();
        if request.public_keys.is_empty() {
            return Err(ServiceError::invalid(
                "no key to pin: pass --key with the server's signing key id or a PEM file, or --from-server",
            ));
        }
        if let Some(ca) = &request.ca_pem
            && !ca.contains("-----BEGIN CERTIFICATE-----")
        {
            return Err(ServiceError::invalid(
                "the CA holds no PEM certificate (-----BEGIN CERTIFICATE-----): pass the team's CA certificate file with --ca-file",
            ));
        }
        let mut keys = Vec::new();
        for pem in &request.public_keys {
            let public = PublicKey::from_spki_pem(pem).map_err(|e| {
                ServiceError::invalid(format!("a key to pin is not an Ed25519 public key: {e}"))
            })?;
            keys.push(pinned(&public, pem, None));
        }
        let name = request.name.clone();
        let (status, server) = self.change_trust(|trust| {
            match trust.servers.iter_mut().find(|s| s.name == name) {
                Some(existing) if existing.url != url => Err(ServiceError::conflict(format!(
                    "'{name}' already names {}; pick another --name, or `imprint trust remove {name}` first",
                    existing.url
                ))),
                Some(existing) => {
                    for key in keys {
                        if !existing.keys.iter().any(|k| k.key_id == key.key_id) {
                            existing.keys.push(key);
                        }
                    }
                    if request.token.is_some() {
                        existing.token = request.token.clone();
                    }
                    if request.ca_pem.is_some() {
                        existing.ca_pem = request.ca_pem.clone();
                    }
                    existing.allow_http |= allow_http;
                    Ok(("updated", TrustedServerView::from(&*existing)))
                }
                None => {
                    let server = TrustedServer {
                        name: name.clone(),
                        url: url.clone(),
                        allow_http,
                        keys,
                        token: request.token.clone(),
                        ca_pem: request.ca_pem.clone(),
                        follows: Vec::new(),
                    };
                    let view = TrustedServerView::from(&server);
                    trust.servers.push(server);
                    Ok(("added", view))
                }
            }
        })?;
        let message = format!(
            "{status} '{}' ({}) with key(s) {}; deploy from it with `imprint deploy --from {} --client CLIENT --profile PROFILE`",
            server.name,
            server.url,
            server
                .keys
                .iter()
                .map(|k| k.key_id.as_str())
                .collect::<Vec<_>>()
                .join(", "),
            server.name
        );
        Ok(TrustChanged {
            status,
            server,
            message,
        })
    }

    pub fn list_trusted_servers(&self) -> ServiceResult<TrustList> {
        Ok(TrustList {
            servers: self
                .read_trust()?
                .servers
                .iter()
                .map(TrustedServerView::from)
                .collect(),
            path: self.trust_path(),
        })
    }

    pub fn remove_trusted_server(
        &self,
        request: RemoveTrustedServer,
    ) -> ServiceResult<TrustRemoved> {
        check_name(&request.name)?;
        let name = request.name;
        self.change_trust(|trust| {
            let before = trust.servers.len();
            trust.servers.retain(|s| s.name != name);
            if trust.servers.len() == before {
                return Err(no_such_server(&name));
            }
            Ok(())
        })?;
        Ok(TrustRemoved {
            status: "removed",
            message: format!(
                "removed '{name}', its pinned keys and token; files deployed from it stay as they are"
            ),
            name,
        })
    }

    /// Records a client/profile as followed, so `deploy --from NAME --all` deploys it.
    pub fn follow_profile(&self, request: FollowProfile) -> ServiceResult<TrustChanged> {
        check_name(&request.server)?;
        let target = Target::new(
            Some(request.client_id.as_str()),
            Some(request.profile_id.as_str()),
            None,
        )?;
        let server = self.change_trust(|trust| {
            let server = trust
                .servers
                .iter_mut()
                .find(|s| s.name == request.server)
                .ok_or_else(|| no_such_server(&request.server))?;
            follow(server, &target);
            Ok(TrustedServerView::from(&*server))
        })?;
        Ok(TrustChanged {
            status: "following",
            message: format!(
                "following {}/{} on '{}'; `imprint deploy --from {} --all` deploys it",
                target.client_id, target.profile_id, server.name, server.name
            ),
            server,
        })
    }
}

/// The follow entry of `target` in `server`, added if missing.
fn follow<'a>(server: &'a mut TrustedServer, target: &Target) -> &'a mut Followed {
    let index = match server
        .follows
        .iter()
        .position(|f| f.client_id == target.client_id && f.profile_id == target.profile_id)
    {
        Some(index) => index,
        None => {
            server.follows.push(Followed {
                client_id: target.client_id.clone(),
                profile_id: target.profile_id.clone(),
                last_sequence: None,
                last_artifact_id: None,
                deployed_at: None,
            });
            server.follows.len() - 1
        }
    };
    &mut server.follows[index]
}

// ----- the member's side: verify, then deploy --------------------------------------------

/// `deploy --from`: an artifact fetched from a trusted server, deployed only once verified.
#[derive(Debug, Clone, Default)]
pub struct DeployPulled {
    /// The trusted server's name.
    pub server: String,
    pub client_id: String,
    pub profile_id: String,
    /// The envelope as the server answered it.
    pub envelope: Value,
    /// The server's keyring, when fetched: its endorsements let the pins follow a rotation.
    pub keyring: Option<Keyring>,
    /// Deploy over drift and unmanaged servers (a backup is kept).
    pub force: bool,
    /// "value" (default) or "reference".
    pub secrets: Option<String>,
}

/// The answer of `deploy --from`.
#[derive(Debug, Clone, Serialize)]
pub struct PulledDeployed {
    /// "deployed", or "up-to-date" when this exact artifact is what was last deployed.
    pub status: &'static str,
    pub server: String,
    pub client_id: String,
    pub profile_id: String,
    pub artifact_id: String,
    pub sequence: i64,
    pub signing_key_id: String,
    /// Keys pinned by this pull because a pinned key endorsed them (a followed rotation).
    pub newly_pinned: Vec<String>,
    /// The local deploy (absent when up to date).
    pub deployed: Option<ConfigDeployed>,
    pub message: String,
}

/// A refusal of a pulled artifact: what is wrong and what to do.
fn refused(server: &str, what: &str, fix: &str) -> ServiceError {
    ServiceError::new(
        ErrorKind::Integrity,
        format!("refusing the artifact from '{server}': {what}; nothing was deployed. {fix}"),
    )
}

/// Pins every key the served keyring endorses through a chain from a pinned key; answers
/// the ids newly pinned. An endorsement that does not verify is ignored (never followed).
fn follow_rotations(server: &mut TrustedServer, keyring: &Keyring) -> Vec<String> {
    let mut added = Vec::new();
    loop {
        let mut progressed = false;
        for key in &keyring.keys {
            let Some(endorsement) = &key.endorsement else {
                continue;
            };
            if server.keys.iter().any(|k| k.key_id == key.key_id) {
                continue;
            }
            let by = endorsement.get("replaces").and_then(Value::as_str);
            let Some(by_pin) = server.keys.iter().find(|k| Some(k.key_id.as_str()) == by) else {
                continue;
            };
            let Ok(by_key) = PublicKey::from_spki_pem(&by_pin.public_key_pem) else {
                continue;
            };
            let Ok(new_key) = endorsement::verify(endorsement, &by_key) else {
                continue;
            };
            let Ok(pem) = new_key.to_spki_pem() else {
                continue;
            };
            let pin = pinned(&new_key, &pem, Some(by_key.key_id()));
            added.push(pin.key_id.clone());
            server.keys.push(pin);
            progressed = true;
        }
        if !progressed {
            return added;
        }
    }
}

impl Service {
    /// Verifies a pulled artifact (id, signature, signer pinned or endorsed by a pinned key,
    /// client/profile, sequence newer than the last deployed from that server) and only then
    /// deploys it with every local guarantee; records what was deployed in the trust list.
    pub fn deploy_pulled(&self, request: DeployPulled) -> ServiceResult<PulledDeployed> {
        check_name(&request.server)?;
        let target = Target::new(
            Some(request.client_id.as_str()),
            Some(request.profile_id.as_str()),
            None,
        )?;
        let name = request.server.clone();
        // Verified under the trust list's lock (newly endorsed keys are saved with it); the
        // deploy runs after (its own file lock serializes writers), then the record, which
        // only ever raises the last sequence, so racing pulls cannot lower it.
        let (revision, newly_pinned, up_to_date) = self.change_trust(|trust| {
            let server = trust
                .servers
                .iter_mut()
                .find(|s| s.name == name)
                .ok_or_else(|| no_such_server(&name))?;
            let newly_pinned = match &request.keyring {
                Some(keyring) => follow_rotations(server, keyring),
                None => Vec::new(),
            };
            let (revision, up_to_date) = verify_pulled(server, &target, &request.envelope)?;
            Ok((revision, newly_pinned, up_to_date))
        })?;
        let signing_key_id = envelope::key_id(&revision.envelope)
            .unwrap_or_default()
            .to_string();
        if up_to_date {
            return Ok(PulledDeployed {
                status: "up-to-date",
                message: format!(
                    "{}/{} is already at revision {} from '{name}' ({}); nothing to deploy",
                    target.client_id, target.profile_id, revision.seq, revision.artifact_id
                ),
                server: name,
                client_id: target.client_id,
                profile_id: target.profile_id,
                artifact_id: revision.artifact_id,
                sequence: revision.seq,
                signing_key_id,
                newly_pinned,
                deployed: None,
            });
        }
        let (artifact_id, sequence) = (revision.artifact_id.clone(), revision.seq);
        let deployed = self.deploy_config_of(
            DeployConfig {
                client_id: Some(target.client_id.clone()),
                profile_id: Some(target.profile_id.clone()),
                force: Some(crate::api::Flag(request.force)),
                secrets: request.secrets.clone(),
                ..DeployConfig::default()
            },
            Some(revision),
        )?;
        self.change_trust(|trust| {
            if let Some(server) = trust.servers.iter_mut().find(|s| s.name == name) {
                let followed = follow(server, &target);
                if followed.last_sequence.is_none_or(|last| last < sequence) {
                    followed.last_sequence = Some(sequence);
                    followed.last_artifact_id = Some(artifact_id.clone());
                    followed.deployed_at = Some(deployed.deployed_at.clone());
                }
            }
            Ok(())
        })?;
        Ok(PulledDeployed {
            status: "deployed",
            message: format!(
                "verified revision {sequence} of {}/{} from '{name}' (signed by {signing_key_id}) and {}",
                target.client_id, target.profile_id, deployed.message
            ),
            server: name,
            client_id: target.client_id,
            profile_id: target.profile_id,
            artifact_id,
            sequence,
            signing_key_id,
            newly_pinned,
            deployed: Some(deployed),
        })
    }
}

/// The checks of [`Service::deploy_pulled`] before anything is written: the revision to
/// deploy, and whether it is exactly what was last deployed from this server.
fn verify_pulled(
    server: &TrustedServer,
    target: &Target,
    pulled: &Value,
) -> ServiceResult<(RevisionRow, bool)> {
    let name = server.name.as_str();
    let key_id = envelope::key_id(pulled).unwrap_or("(none)").to_string();
    let pin = server
        .keys
        .iter()
        .find(|k| k.key_id == key_id)
        .ok_or_else(|| {
            refused(
                name,
                &format!(
                    "it is signed by {key_id}, which is not pinned for '{name}' (pinned: {})",
                    server
                        .keys
                        .iter()
                        .map(|k| k.key_id.as_str())
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
                &format!(
                    "If the team rotated its key, the server must serve the new key endorsed by a pinned one (`imprint keys init --regenerate` on the server does); otherwise check the key's fingerprint with the team's admin and pin it with `imprint trust add {name} --url {} --key KEY`",
                    server.url
                ),
            )
        })?;
    let public = PublicKey::from_spki_pem(&pin.public_key_pem)?;
    envelope::verify(pulled, &public).map_err(|e| {
        refused(
            name,
            &format!("it failed verification ({e})"),
            "It was altered on the way or on the server; tell the team's admin and do not deploy it by hand",
        )
    })?;
    let document = target.document();
    let last = server
        .follows
        .iter()
        .find(|f| f.client_id == target.client_id && f.profile_id == target.profile_id);
    let sequence = pulled.pointer("/metadata/sequence").and_then(Value::as_i64);
    let sequence = match binding(pulled, &document, None, None) {
        Some(Misbinding::Document(claimed)) => {
            return Err(refused(
                name,
                &format!(
                    "it is signed for {}, not {}/{} as asked",
                    claimed.unwrap_or_else(|| "no client/profile".into()),
                    target.client_id,
                    target.profile_id
                ),
                "The server answered with another profile's artifact; tell the team's admin",
            ));
        }
        _ => sequence.ok_or_else(|| {
            refused(
                name,
                "it names no sequence number",
                "It was not published by an Imprint server; tell the team's admin",
            )
        })?,
    };
    let artifact_id = pulled
        .get("artifact_id")
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_string();
    let mut up_to_date = false;
    if let Some(last_sequence) = last.and_then(|f| f.last_sequence) {
        let last_artifact = last.and_then(|f| f.last_artifact_id.as_deref());
        if sequence == last_sequence && last_artifact == Some(artifact_id.as_str()) {
            up_to_date = true;
        } else if sequence <= last_sequence {
            return Err(refused(
                name,
                &format!(
                    "it is revision {sequence}, but this machine already deployed revision {last_sequence} of {}/{} from '{name}' (a replay of an older artifact)",
                    target.client_id, target.profile_id
                ),
                "A rollback on the server publishes a new, higher revision; if the team meant to go back, ask them to run `imprint config rollback` there",
            ));
        } else if sequence == last_sequence + 1
            && let Some(Misbinding::Parent { claimed, .. }) =
                binding(pulled, &document, Some(sequence), Some(last_artifact))
        {
            return Err(refused(
                name,
                &format!(
                    "revision {sequence} names the parent {}, but revision {last_sequence} deployed here is {}",
                    claimed.as_deref().unwrap_or("(none)"),
                    last_artifact.unwrap_or("(none)")
                ),
                "The server's history was rewritten; tell the team's admin",
            ));
        }
    }
    let revision = RevisionRow {
        document,
        seq: sequence,
        artifact_id,
        envelope: pulled.clone(),
        created_at: now_millis(),
    };
    Ok((revision, up_to_date))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_need_https_except_on_loopback_or_when_allowed() {
        assert_eq!(
            check_server_url("https://imprint.team.example", false).unwrap(),
            "imprint.team.example"
        );
        assert!(check_server_url("http://127.0.0.1:7410", false).is_ok());
        assert!(check_server_url("http://[::1]:7410/", false).is_ok());
        assert!(check_server_url("http://127.evil.example", false).is_err());
        let clear = check_server_url("http://imprint.team.example", false).unwrap_err();
        assert!(
            clear.message().contains("--allow-http"),
            "{}",
            clear.message()
        );
        assert!(check_server_url("http://imprint.team.example", true).is_ok());
        assert!(check_server_url("https://user:pw@host", false).is_err());
        assert!(check_server_url("ftp://host", true).is_err());
        assert!(check_server_url("host", true).is_err());
    }

    #[test]
    fn a_server_is_named_after_its_host() {
        assert_eq!(default_server_name("imprint.team.example"), "team");
        assert_eq!(default_server_name("configs.acme.com"), "configs");
        assert_eq!(default_server_name("127.0.0.1"), "local");
        assert_eq!(default_server_name("example"), "example");
    }
}
