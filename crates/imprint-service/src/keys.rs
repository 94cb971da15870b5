//! The signing keys on disk: `keys/signing.key` (PKCS#8 PEM, 0600), `keys/signing.pub`
//! (SPKI PEM) and `keys/archive/<key id>.pub` for every key rotated out, so revisions
//! signed by an old key still verify.

use std::collections::HashMap;
use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use imprint_engine::signing::{KeyPair, PublicKey};

use crate::error::{ErrorKind, ServiceError, ServiceResult};

pub struct KeyFiles {
    dir: PathBuf,
    /// Public keys already read, by key id. A key id names one key forever, so entries never
    /// go stale, and every verified read skips re-reading and parsing a PEM file.
    public_keys: Mutex<HashMap<String, PublicKey>>,
}

/// What `initialize_keys` did.
pub enum KeyInit {
    Created,
    Existing,
    Rotated { previous_key_id: String },
}

impl KeyFiles {
    pub fn new(data_dir: &Path) -> Self {
        Self {
            dir: data_dir.join("keys"),
            public_keys: Mutex::new(HashMap::new()),
        }
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }

    pub fn private_path(&self) -> PathBuf {
        self.dir.join("signing.key")
    }

    pub fn public_path(&self) -> PathBuf {
        self.dir.join("signing.pub")
    }

    fn archive_dir(&self) -> PathBuf {
        self.dir.join("archive")
    }

    pub fn exists(&self) -> bool {
        self.private_path().exists()
    }

    /// The current signing key, if one was created.
    pub fn load(&self) -> ServiceResult<Option<KeyPair>> {
        let path = self.private_path();
        let pem = match fs::read_to_string(&path) {
            Ok(pem) => pem,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(e) => return Err(io_error("reading", &path, &e)),
        };
        KeyPair::from_pkcs8_pem(&pem).map(Some).map_err(|e| {
            ServiceError::new(
                ErrorKind::Integrity,
                format!(
                    "{}: {e}; restore it from a backup or run `imprint keys init --regenerate`",
                    path.display()
                ),
            )
        })
    }

    /// Creates the key pair, or rotates it when `regenerate` is set (archiving the old
    /// public key so old revisions keep verifying).
    pub fn initialize(&self, regenerate: bool) -> ServiceResult<(KeyPair, KeyInit)> {
        if let Some(existing) = self.load()? {
            if !regenerate {
                return Ok((existing, KeyInit::Existing));
            }
            let previous_key_id = existing.key_id();
            self.archive(&existing.public())?;
            let fresh = self.generate()?;
            return Ok((fresh, KeyInit::Rotated { previous_key_id }));
        }
        Ok((self.generate()?, KeyInit::Created))
    }

    fn generate(&self) -> ServiceResult<KeyPair> {
        let mut seed = [0u8; 32];
        getrandom::fill(&mut seed).map_err(|e| {
            ServiceError::internal(format!("the operating system gave no randomness: {e}"))
        })?;
        let key = KeyPair::from_seed(seed);
        create_private_dir(&self.dir)?;
        let private_pem = key.to_pkcs8_pem()?;
        let public_pem = key.public().to_spki_pem()?;
        write_atomically(&self.private_path(), private_pem.as_bytes(), 0o600)?;
        write_atomically(&self.public_path(), public_pem.as_bytes(), 0o644)?;
        self.archive(&key.public())?;
        Ok(key)
    }

    fn archive(&self, public: &PublicKey) -> ServiceResult<()> {
        let dir = self.archive_dir();
        create_private_dir(&dir)?;
        let path = dir.join(format!("{}.pub", public.key_id().replace(':', "-")));
        if !path.exists() {
            write_atomically(&path, public.to_spki_pem()?.as_bytes(), 0o644)?;
        }
        Ok(())
    }

    /// The public key with this id: the current one or an archived one.
    pub fn public_key(&self, key_id: &str) -> ServiceResult<Option<PublicKey>> {
        let cached = self
            .public_keys
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .get(key_id)
            .cloned();
        if cached.is_some() {
            return Ok(cached);
        }
        let found = self.read_public_key(key_id)?;
        if let Some(key) = &found {
            self.public_keys
                .lock()
                .unwrap_or_else(|p| p.into_inner())
                .insert(key_id.to_string(), key.clone());
        }
        Ok(found)
    }

    fn read_public_key(&self, key_id: &str) -> ServiceResult<Option<PublicKey>> {
        let safe = key_id.replace(':', "-");
        if safe.is_empty() || !safe.chars().all(|c| c.is_ascii_alphanumeric() || c == '-') {
            return Ok(None);
        }
        for path in [
            self.archive_dir().join(format!("{safe}.pub")),
            self.public_path(),
        ] {
            match fs::read_to_string(&path) {
                Ok(pem) => {
                    let key = PublicKey::from_spki_pem(&pem)?;
                    if key.key_id() == key_id {
                        return Ok(Some(key));
                    }
                }
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
                Err(e) => return Err(io_error("reading", &path, &e)),
            }
        }
        Ok(None)
    }
}

fn io_error(action: &str, path: &Path, error: &std::io::Error) -> ServiceError {
    ServiceError::new(
        ErrorKind::Io,
        format!("{action} {} failed: {error}", path.display()),
    )
}

fn create_private_dir(dir: &Path) -> ServiceResult<()> {
    fs::create_dir_all(dir).map_err(|e| io_error("creating", dir, &e))?;
    set_mode(dir, 0o700)
}

#[cfg(unix)]
fn set_mode(path: &Path, mode: u32) -> ServiceResult<()> {
    use std::os::unix::fs::PermissionsExt;
    fs::set_permissions(path, fs::Permissions::from_mode(mode))
        .map_err(|e| io_error("setting permissions on", path, &e))
}

#[cfg(not(unix))]
fn set_mode(_path: &Path, _mode: u32) -> ServiceResult<()> {
    Ok(())
}

/// Writes via a temp file created with `mode` from the start, so a private key is never
/// readable by others, not even for a moment.
fn write_atomically(path: &Path, bytes: &[u8], mode: u32) -> ServiceResult<()> {
    let temp = path.with_extension("tmp");
    let mut options = fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(mode);
    }
    let result = (|| {
        let mut file = options.open(&temp)?;
        file.write_all(bytes)?;
        file.sync_all()?;
        fs::rename(&temp, path)
    })();
    if let Err(e) = result {
        let _ = fs::remove_file(&temp);
        return Err(io_error("writing", path, &e));
    }
    set_mode(path, mode)
}
