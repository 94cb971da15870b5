//! The local secret store: values that must never sit in plaintext in a draft, an artifact, the
//! database or a log.
//!
//! # Design
//! - **Key**: `keys/secrets.key` in the data directory, 32 random bytes (hex), mode 0600,
//!   created on first use under `keys/.lock` and written atomically, so concurrent first uses
//!   make one key and nobody reads a half-written one. It never enters
//!   the database. Two subkeys are derived from it with HMAC-SHA256 and distinct labels: one
//!   encrypts, one fingerprints.
//! - **Values**: rows of the `secrets` table holding only a nonce and ciphertext:
//!   XChaCha20-Poly1305 with a random 192-bit nonce per write and the secret's name as
//!   associated data, so a ciphertext moved to another name does not decrypt.
//! - **Names**: a value found in an env var, header or secret parameter is stored as
//!   `BASE@<12 hex>`, where BASE is the env var (or `SERVER_HEADER`) and the suffix a keyed
//!   fingerprint of the value: the same value always gets the same name (re-importing a file
//!   changes nothing), a new value gets a new name (an artifact keeps meaning what it meant when
//!   it was signed, and rollback restores the old value), and the fingerprint reveals nothing
//!   without the key. Names without `@` are the user's own (`imprint secrets set NAME`) and
//!   can be changed in place, for a value shared by several servers or rotated by hand.
//! - **References**: drafts and artifacts hold `${secret:NAME}`. A deploy either materializes
//!   the value into the client's file, or writes the client's own reference syntax instead.
//! - **Records**: what is recorded about a deploy holds keyed fingerprints of the strings that
//!   contained a secret, never the strings (see `imprint_deploy::Masking`).
//!
//! Messages and logs name secrets; they never hold a value.

use std::fs;
use std::path::{Path, PathBuf};

use chacha20poly1305::aead::{Aead, Payload};
use chacha20poly1305::{KeyInit, XChaCha20Poly1305, XNonce};
use hmac::{Hmac, Mac};
use imprint_config::secrets::{self as rules, check_name};
use imprint_store::SecretRow;

use sha2::Sha256;

use crate::error::{ErrorKind, ServiceError, ServiceResult};
use crate::files::{DirLock, io_error, write_atomically};
use crate::{Service, now_millis};

/// File name of the master key, under `keys/`.
pub const KEY_FILE: &str = "secrets.key";

const ENCRYPTION_LABEL: &[u8] = b"imprint secrets: encryption v1";
const FINGERPRINT_LABEL: &[u8] = b"imprint secrets: fingerprint v1";

/// The two subkeys derived from `keys/secrets.key`.
struct Keys {
    encryption: [u8; 32],
    fingerprint: [u8; 32],
}

impl std::fmt::Debug for Keys {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Keys(<redacted>)")
    }
}

fn hmac(key: &[u8], parts: &[&[u8]]) -> [u8; 32] {
    // HMAC takes a key of any length, so this cannot fail
    let mut mac = <Hmac<Sha256> as KeyInit>::new_from_slice(key)
        .unwrap_or_else(|_| unreachable!("HMAC accepts keys of any length"));
    for part in parts {
        Mac::update(&mut mac, part);
    }
    mac.finalize().into_bytes().into()
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn unhex(text: &str) -> Option<Vec<u8>> {
    let text = text.trim();
    if !text.len().is_multiple_of(2) {
        return None;
    }
    (0..text.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(text.get(i..i + 2)?, 16).ok())
        .collect()
}

impl Service {
    fn secrets_key_path(&self) -> PathBuf {
        self.data_dir().join("keys").join(KEY_FILE)
    }

    /// The subkeys, or `None` when no key file exists yet.
    fn load_secret_keys(&self) -> ServiceResult<Option<Keys>> {
        let path = self.secrets_key_path();
        let text = match fs::read_to_string(&path) {
            Ok(text) => text,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(e) => return Err(io_error("reading", &path, &e)),
        };
        let master = unhex(&text).filter(|k| k.len() == 32).ok_or_else(|| {
            ServiceError::new(
                ErrorKind::Integrity,
                format!(
                    "{} is not a secret key (64 hex digits expected); restore it from a backup",
                    path.display()
                ),
            )
        })?;
        Ok(Some(Keys {
            encryption: hmac(&master, &[ENCRYPTION_LABEL]),
            fingerprint: hmac(&master, &[FINGERPRINT_LABEL]),
        }))
    }

    /// The subkeys, creating the key file (mode 0600) if there is none. Concurrent first
    /// uses create one key: the creator holds `keys/.lock`, re-reads after taking it, and
    /// writes atomically, so nobody ever reads a half-written key file.
    fn secret_keys_or_create(&self) -> ServiceResult<Keys> {
        if let Some(keys) = self.load_secret_keys()? {
            return Ok(keys);
        }
        let path = self.secrets_key_path();
        let dir = path.parent().unwrap_or(Path::new("."));
        let _lock = DirLock::acquire(dir)?;
        if let Some(keys) = self.load_secret_keys()? {
            return Ok(keys);
        }
        let mut master = [0u8; 32];
        getrandom::fill(&mut master).map_err(|e| {
            ServiceError::internal(format!("the operating system gave no randomness: {e}"))
        })?;
        write_atomically(&path, format!("{}\n", hex(&master)).as_bytes(), 0o600)?;
        self.load_secret_keys()?
            .ok_or_else(|| ServiceError::internal("the secret key vanished right after creation"))
    }

    fn missing_key_error(&self) -> ServiceError {
        ServiceError::new(
            ErrorKind::Integrity,
            format!(
                "{} is missing, so stored secrets cannot be decrypted; restore it from a backup, or set the secrets again with `imprint secrets set`",
                self.secrets_key_path().display()
            ),
        )
    }

    fn encrypt_row(&self, keys: &Keys, name: &str, value: &str) -> ServiceResult<SecretRow> {
        let cipher = XChaCha20Poly1305::new_from_slice(&keys.encryption)
            .map_err(|_| ServiceError::internal("the encryption key has the wrong length"))?;
        let mut nonce = [0u8; 24];
        getrandom::fill(&mut nonce).map_err(|e| {
            ServiceError::internal(format!("the operating system gave no randomness: {e}"))
        })?;
        let ciphertext = cipher
            .encrypt(
                &XNonce::from(nonce),
                Payload {
                    msg: value.as_bytes(),
                    aad: name.as_bytes(),
                },
            )
            .map_err(|_| ServiceError::internal("encrypting a secret failed"))?;
        let now = now_millis();
        Ok(SecretRow {
            name: name.to_string(),
            nonce: nonce.to_vec(),
            ciphertext,
            created_at: now,
            updated_at: now,
        })
    }

    fn decrypt_row(&self, keys: &Keys, row: &SecretRow) -> ServiceResult<String> {
        let corrupt = || {
            ServiceError::new(
                ErrorKind::Integrity,
                format!(
                    "secret '{}' does not decrypt with {} (the key file or the stored secret was changed); set it again with `imprint secrets set {}`",
                    row.name,
                    self.secrets_key_path().display(),
                    row.name
                ),
            )
        };
        let cipher = XChaCha20Poly1305::new_from_slice(&keys.encryption)
            .map_err(|_| ServiceError::internal("the encryption key has the wrong length"))?;
        let nonce: [u8; 24] = row.nonce.as_slice().try_into().map_err(|_| corrupt())?;
        let plain = cipher
            .decrypt(
                &XNonce::from(nonce),
                Payload {
                    msg: &row.ciphertext,
                    aad: row.name.as_bytes(),
                },
            )
            .map_err(|_| corrupt())?;
        String::from_utf8(plain).map_err(|_| corrupt())
    }

    /// Keeps `value` under `BASE@<fingerprint>` (see the module docs) and returns that name.
    /// Storing the same value again is a no-op.
    pub(crate) fn keep_secret(&self, base: &str, value: &str) -> ServiceResult<String> {
        let keys = self.secret_keys_or_create()?;
        let digest = hmac(&keys.fingerprint, &[b"name\0", value.as_bytes()]);
        let name = format!("{base}@{}", &hex(&digest)[..12]);
        check_name(&name)?;
        if self.store().secret(&name)?.is_none() {
            let row = self.encrypt_row(&keys, &name, value)?;
            self.store().put_secret(&row)?;
            tracing::debug!(secret = %name, "stored a secret");
        }
        Ok(name)
    }

    /// The value of the secret `name`.
    pub(crate) fn reveal_secret(&self, name: &str) -> ServiceResult<String> {
        let row = self
            .store()
            .secret(name)?
            .ok_or_else(|| unknown_secret(name))?;
        let keys = self
            .load_secret_keys()?
            .ok_or_else(|| self.missing_key_error())?;
        self.decrypt_row(&keys, &row)
    }

    /// Fails, naming them, unless every secret in `names` exists.
    pub(crate) fn require_secrets<'n>(
        &self,
        names: impl IntoIterator<Item = &'n String>,
    ) -> ServiceResult<()> {
        let mut missing = Vec::new();
        for name in names {
            if self.store().secret(name)?.is_none() {
                missing.push(name.clone());
            }
        }
        match missing.as_slice() {
            [] => Ok(()),
            [one] => Err(unknown_secret(one)),
            many => Err(ServiceError::not_found(format!(
                "no secrets named {}",
                many.iter()
                    .map(|n| format!("'{n}'"))
                    .collect::<Vec<_>>()
                    .join(", ")
            ))
            .with_hint(set_secret_hint(
                "each",
                "`imprint secrets set NAME` (or the set_secret tool)",
                "the values themselves",
            ))),
        }
    }

    /// A keyed fingerprint of `text` (lowercase hex), for records that must not hold secrets;
    /// `None` when no secret key exists (nothing can have been fingerprinted with it).
    pub(crate) fn secret_fingerprint_fn(
        &self,
    ) -> ServiceResult<Option<impl Fn(&str) -> String + use<>>> {
        Ok(self.load_secret_keys()?.map(|keys| {
            move |text: &str| hex(&hmac(&keys.fingerprint, &[b"record\0", text.as_bytes()]))
        }))
    }

    // ----- operations --------------------------------------------------------------------

    /// Stores (or replaces) the user's own secret `name`; drafts refer to it as
    /// `${secret:NAME}` in `env_vars`.
    pub fn set_secret(&self, request: SetSecret) -> ServiceResult<SecretStored> {
        let (name, value) = (request.name.as_str(), request.value.as_str());
        check_name(name)?;
        if name.contains('@') {
            return Err(ServiceError::invalid(format!(
                "secret names with '@' are the ones imprint gives values it finds ({name}); choose a name without '@', e.g. GITHUB_TOKEN"
            )));
        }
        if value.is_empty() {
            return Err(ServiceError::invalid(format!(
                "the value of secret '{name}' is empty; pass the secret itself"
            )));
        }
        let keys = self.secret_keys_or_create()?;
        let existing = self.store().secret(name)?;
        let mut row = self.encrypt_row(&keys, name, value)?;
        if let Some(existing) = &existing {
            row.created_at = existing.created_at;
        }
        self.store().put_secret(&row)?;
        tracing::info!(secret = %name, "secret stored");
        // no draft is named here: the default one, as `add_server_to_config` without ids
        let next = crate::next::Hint::default().step(crate::next::NextStep::AddServer(
            crate::next::Draft::new(
                crate::config::DEFAULT_CLIENT,
                crate::config::DEFAULT_PROFILE,
                crate::config::DEFAULT_DRAFT,
            ),
        ));
        Ok(SecretStored {
            status: if existing.is_some() {
                "replaced"
            } else {
                "stored"
            },
            name: name.to_string(),
            reference: rules::reference(name),
            message: format!(
                "stored secret '{name}' encrypted in the data directory; use \"{}\" as an env var value in {}",
                rules::reference(name),
                next.word(&crate::next::ToolWords)
            ),
            next,
        })
    }

    /// The names of the stored secrets (never their values).
    pub fn list_secrets(&self, _request: ListSecrets) -> ServiceResult<SecretList> {
        let secrets: Vec<SecretSummary> = self
            .store()
            .secrets()?
            .into_iter()
            .map(|row| SecretSummary {
                reference: rules::reference(&row.name),
                kind: if row.name.contains('@') {
                    "found"
                } else {
                    "named"
                },
                created_at: imprint_engine::timestamp::rfc3339_millis(row.created_at),
                updated_at: imprint_engine::timestamp::rfc3339_millis(row.updated_at),
                name: row.name,
            })
            .collect();
        Ok(SecretList {
            count: secrets.len(),
            secrets,
            key_path: self.secrets_key_path(),
            key_exists: self.secrets_key_path().exists(),
        })
    }

    /// Deletes the secret `name`. Artifacts referring to it no longer deploy until it is set
    /// again.
    pub fn remove_secret(&self, request: RemoveSecret) -> ServiceResult<SecretRemoved> {
        let name = request.name.as_str();
        check_name(name)?;
        if !self.store().delete_secret(name)? {
            return Err(unknown_secret(name));
        }
        tracing::info!(secret = %name, "secret removed");
        Ok(SecretRemoved {
            status: "removed",
            name: name.to_string(),
        })
    }
}

/// The answer of `set_secret`.
#[derive(Debug, Clone, serde::Serialize)]
pub struct SecretStored {
    /// "stored", or "replaced" when the name was taken.
    pub status: &'static str,
    pub name: String,
    /// What a draft writes to use it: `${secret:NAME}`.
    pub reference: String,
    pub message: String,
    /// What can follow, as data: add a server whose env var refers to it.
    pub next: crate::next::Hint,
}

/// The answer of `list_secrets`: names, never values.
#[derive(Debug, Clone, serde::Serialize)]
pub struct SecretList {
    pub secrets: Vec<SecretSummary>,
    pub count: usize,
    /// The file holding the key the secrets are encrypted with.
    pub key_path: PathBuf,
    pub key_exists: bool,
}

/// One row of [`SecretList`].
#[derive(Debug, Clone, serde::Serialize)]
pub struct SecretSummary {
    pub name: String,
    pub reference: String,
    /// "named" (set by the user) or "found" (a value imprint moved out of a draft or file).
    pub kind: &'static str,
    pub created_at: String,
    pub updated_at: String,
}

/// The answer of `remove_secret`.
#[derive(Debug, Clone, serde::Serialize)]
pub struct SecretRemoved {
    /// Always "removed".
    pub status: &'static str,
    pub name: String,
}

/// `set_secret`: a named secret, stored encrypted.
#[derive(Debug, Clone, Default, serde::Deserialize, serde::Serialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SetSecret {
    /// Name to refer to the secret by, e.g. "GITHUB_TOKEN"; then pass "${secret:GITHUB_TOKEN}" as an env var value.
    pub name: String,
    /// The secret value; it is stored encrypted and never shown again.
    pub value: String,
}

/// `list_secrets`: the stored secrets' names. Takes nothing.
#[derive(Debug, Clone, Default, serde::Deserialize, serde::Serialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(transform = crate::config::no_arguments)]
pub struct ListSecrets {}

/// `remove_secret`: one stored secret deleted.
#[derive(Debug, Clone, Default, serde::Deserialize, serde::Serialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RemoveSecret {
    /// The secret's name (list_secrets shows them).
    pub name: String,
}

fn unknown_secret(name: &str) -> ServiceError {
    ServiceError::not_found(format!("no secret named '{name}'")).with_hint(set_secret_hint(
        "it",
        &format!("`imprint secrets set {name}` (or the set_secret tool)"),
        "the value itself",
    ))
}

/// How a missing secret is set: MCP's old text names the command and the tool both; every
/// other surface names its own way once.
fn set_secret_hint(which: &str, as_tools: &str, or_pass: &str) -> crate::next::Hint {
    use crate::next::{Hint, NextStep};
    Hint::text(&format!(": set {which} with "))
        .either(as_tools, Hint::default().step(NextStep::SetSecret))
        .then(&format!(", or pass {or_pass}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn service() -> (tempfile::TempDir, Service) {
        let dir = tempfile::tempdir().unwrap();
        let service = crate::tests_support::service(dir.path());
        (dir, service)
    }

    #[test]
    fn values_round_trip_and_names_are_stable_per_value() {
        let (_dir, service) = service();
        let a = service.keep_secret("GITHUB_TOKEN", "ghp_one").unwrap();
        assert!(
            a.starts_with("GITHUB_TOKEN@") && a.len() == "GITHUB_TOKEN@".len() + 12,
            "{a}"
        );
        assert_eq!(service.keep_secret("GITHUB_TOKEN", "ghp_one").unwrap(), a);
        let b = service.keep_secret("GITHUB_TOKEN", "ghp_two").unwrap();
        assert_ne!(a, b);
        assert_eq!(service.reveal_secret(&a).unwrap(), "ghp_one");
        assert_eq!(service.reveal_secret(&b).unwrap(), "ghp_two");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = fs::metadata(service.secrets_key_path())
                .unwrap()
                .permissions()
                .mode();
            assert_eq!(mode & 0o777, 0o600);
        }
    }

    #[test]
    fn a_row_moved_to_another_name_or_a_lost_key_does_not_decrypt() {
        let (_dir, service) = service();
        let name = service.keep_secret("API_KEY", "k-123").unwrap();
        let mut row = service.store().secret(&name).unwrap().unwrap();
        row.name = "OTHER".into();
        service.store().put_secret(&row).unwrap();
        let error = service.reveal_secret("OTHER").unwrap_err();
        assert_eq!(error.kind(), ErrorKind::Integrity);
        assert!(!error.message().contains("k-123"));
        fs::remove_file(service.secrets_key_path()).unwrap();
        let error = service.reveal_secret(&name).unwrap_err();
        assert!(
            error.message().contains("secrets.key is missing"),
            "{}",
            error.message()
        );
    }

    fn set(name: &str, value: &str) -> SetSecret {
        SetSecret {
            name: name.into(),
            value: value.into(),
        }
    }

    #[test]
    fn named_secrets_are_the_users_and_listing_shows_no_value() {
        let (_dir, service) = service();
        assert_eq!(
            service
                .set_secret(set("SHARED_TOKEN", "v1"))
                .unwrap()
                .status,
            "stored"
        );
        assert_eq!(
            service
                .set_secret(set("SHARED_TOKEN", "v2"))
                .unwrap()
                .status,
            "replaced"
        );
        assert_eq!(service.reveal_secret("SHARED_TOKEN").unwrap(), "v2");
        assert!(service.set_secret(set("A@B", "x")).is_err());
        assert!(service.set_secret(set("bad name", "x")).is_err());
        assert!(service.set_secret(set("EMPTY", "")).is_err());
        let listed = serde_json::to_string(&service.list_secrets(ListSecrets {}).unwrap()).unwrap();
        assert!(
            listed.contains("SHARED_TOKEN") && !listed.contains("v2"),
            "{listed}"
        );
        service
            .remove_secret(RemoveSecret {
                name: "SHARED_TOKEN".into(),
            })
            .unwrap();
        assert_eq!(
            service.reveal_secret("SHARED_TOKEN").unwrap_err().kind(),
            ErrorKind::NotFound
        );
        let error = service
            .require_secrets(&["NOPE".to_string(), "NADA".to_string()])
            .unwrap_err();
        assert!(
            error.message().contains("'NOPE', 'NADA'"),
            "{}",
            error.message()
        );
    }
}

crate::next::worded!(SecretStored);
