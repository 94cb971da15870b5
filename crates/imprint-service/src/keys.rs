//! The signing keys on disk: `keys/signing.key` (PKCS#8 PEM, 0600), `keys/signing.pub`
//! (SPKI PEM) and `keys/archive/<key id>.pub` for every key rotated out, so revisions
//! signed by an old key still verify.
//!
//! Key material is created once: creators hold `keys/.lock` and every file is written
//! atomically (see [`crate::files`]), so concurrent first publishes all sign with one key.
//!
//! Public keys also go to the store's keyring (a shared database keeps one), so replicas
//! with key files of their own verify each other's revisions; a key id missing from the
//! files is looked up there. Private keys stay in files.

use std::collections::{HashMap, HashSet};
use std::fs;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use imprint_engine::signing::{KeyPair, PublicKey};
use imprint_store::Store;

use crate::error::{ErrorKind, ServiceError, ServiceResult};
use crate::files::{DirLock, create_private_dir, io_error, write_atomically};

pub struct KeyFiles {
    dir: PathBuf,
    /// Public keys already read, by key id. A key id names one key forever, so entries never
    /// go stale, and every verified read skips re-reading and parsing a PEM file.
    public_keys: Mutex<HashMap<String, PublicKey>>,
    /// The keyring (a no-op for an embedded store).
    store: Arc<dyn Store>,
    /// Key ids this process has put in the keyring (a key id names one key forever).
    registered: Mutex<HashSet<String>>,
}

/// What `initialize_keys` did.
pub enum KeyInit {
    Created,
    Existing,
    /// The old key retired; `endorsement` is the new key signed by it (recorded in the
    /// store's `key_retirements`, served with the keyring).
    Rotated {
        previous_key_id: String,
        retired_at: i64,
        endorsement: serde_json::Value,
    },
}

impl KeyFiles {
    pub fn new(data_dir: &Path, store: Arc<dyn Store>) -> Self {
        Self {
            dir: data_dir.join("keys"),
            public_keys: Mutex::new(HashMap::new()),
            store,
            registered: Mutex::new(HashSet::new()),
        }
    }

    /// Puts `key`'s public half in the keyring, once per process and key.
    fn register(&self, key: &KeyPair) -> ServiceResult<()> {
        let key_id = key.key_id();
        let mut registered = self.registered.lock().unwrap_or_else(|p| p.into_inner());
        if registered.contains(&key_id) {
            return Ok(());
        }
        let pem = key.public().to_spki_pem()?;
        self.store
            .put_public_key(&key_id, &pem, crate::now_millis())?;
        registered.insert(key_id);
        Ok(())
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

    /// The successor a rotation writes before it is recorded and switched to.
    fn next_path(&self) -> PathBuf {
        self.dir.join("signing.key.next")
    }

    /// The current signing key, if one was created. A rotation a crash interrupted is
    /// settled first (see [`KeyFiles::settle_rotation`]), so the first use after a restart
    /// finds the keys in one state or the other, never in between.
    pub fn load(&self) -> ServiceResult<Option<KeyPair>> {
        if self.next_path().exists() {
            let _lock = DirLock::acquire(&self.dir)?;
            self.settle_rotation()?;
        }
        self.load_current()
    }

    fn load_current(&self) -> ServiceResult<Option<KeyPair>> {
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
    ///
    /// Creation happens once however many threads, processes or replicas ask at the same
    /// moment: the creator holds `keys/.lock` and re-reads after taking it, so whoever loses
    /// the race gets the winner's key. A key file that cannot be read is an integrity error
    /// unless `regenerate` is set, which moves it aside (its public key stays archived).
    pub fn initialize(&self, regenerate: bool) -> ServiceResult<(KeyPair, KeyInit)> {
        let (key, init) = self.initialize_files(regenerate)?;
        self.register(&key)?;
        Ok((key, init))
    }

    fn initialize_files(&self, regenerate: bool) -> ServiceResult<(KeyPair, KeyInit)> {
        if !regenerate && let Some(existing) = self.load()? {
            return Ok((existing, KeyInit::Existing));
        }
        let _lock = DirLock::acquire(&self.dir)?;
        self.settle_rotation()?;
        let existing = match self.load_current() {
            Ok(existing) => existing,
            Err(e) if regenerate && e.kind() == ErrorKind::Integrity => {
                self.set_aside_unreadable_key()?;
                None
            }
            Err(e) => return Err(e),
        };
        match existing {
            Some(existing) if !regenerate => Ok((existing, KeyInit::Existing)),
            Some(existing) => self.rotate(&existing),
            None => Ok((self.generate()?, KeyInit::Created)),
        }
    }

    /// Rotates `existing` out, in steps a crash can stop anywhere (the caller holds the
    /// lock): the successor is written beside the current key (`signing.key.next`), the
    /// successor's public key and the retirement with its endorsement are recorded in one
    /// store transaction, and only then does the successor replace `signing.key`. Until the
    /// switch the old key keeps signing; [`KeyFiles::settle_rotation`] finishes a rotation
    /// that was recorded, and discards one that was not.
    fn rotate(&self, existing: &KeyPair) -> ServiceResult<(KeyPair, KeyInit)> {
        let previous_key_id = existing.key_id();
        self.archive(&existing.public())?;
        let fresh = random_key()?;
        // Its public key is archived first: whatever it comes to sign verifies here.
        self.archive(&fresh.public())?;
        write_atomically(&self.next_path(), fresh.to_pkcs8_pem()?.as_bytes(), 0o600)?;
        crash_point("rotation-prepared");
        let retired_at = crate::now_millis();
        let endorsement =
            imprint_engine::endorsement::endorse(existing, &fresh.public(), retired_at)?;
        let recorded = self.store.record_key_rotation(
            &fresh.key_id(),
            &fresh.public().to_spki_pem()?,
            &imprint_store::KeyRetirementRow {
                key_id: previous_key_id.clone(),
                retired_at,
                endorsement: endorsement.to_string(),
            },
        );
        if let Err(imprint_store::StoreError::Conflict(_)) = &recorded {
            // Retired already, for another successor (a replica sharing this key rotated
            // it): ours was never announced, so it goes.
            let _ = fs::remove_file(self.next_path());
            let _ = fs::remove_file(self.archived_path(&fresh.public()));
            return Err(ServiceError::conflict(format!(
                "the signing key {previous_key_id} was already rotated elsewhere (another replica sharing it) and endorsed another key; copy that replica's keys/signing.key and keys/signing.pub here instead of rotating again"
            )));
        }
        recorded?;
        crash_point("rotation-recorded");
        self.switch_to_next(&fresh)?;
        Ok((
            fresh,
            KeyInit::Rotated {
                previous_key_id,
                retired_at,
                endorsement,
            },
        ))
    }

    /// Makes the prepared successor the signing key: its public file first, then the
    /// private key renamed into place (its presence means the public files are in place).
    fn switch_to_next(&self, next: &KeyPair) -> ServiceResult<()> {
        write_atomically(
            &self.public_path(),
            next.public().to_spki_pem()?.as_bytes(),
            0o644,
        )?;
        let from = self.next_path();
        let to = self.private_path();
        fs::rename(&from, &to).map_err(|e| io_error("renaming", &from, &e))?;
        if let Ok(dir) = fs::File::open(&self.dir) {
            // the rename survives a power cut
            let _ = dir.sync_all();
        }
        Ok(())
    }

    /// Finishes or discards a rotation a crash interrupted (the caller holds the lock): a
    /// successor left in `signing.key.next` becomes the signing key if its endorsement by
    /// the current key was recorded, and is removed otherwise (the current key still signs;
    /// nothing was announced, so no member expects the successor).
    fn settle_rotation(&self) -> ServiceResult<()> {
        let path = self.next_path();
        let pem = match fs::read_to_string(&path) {
            Ok(pem) => pem,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(()),
            Err(e) => return Err(io_error("reading", &path, &e)),
        };
        let discard = |why: &str, successor: Option<&KeyPair>| -> ServiceResult<()> {
            // Its archived public key goes too: it never signed, and the keyring must not
            // offer it.
            if let Some(successor) = successor {
                let archived = self.archived_path(&successor.public());
                if let Err(e) = fs::remove_file(&archived)
                    && e.kind() != std::io::ErrorKind::NotFound
                {
                    return Err(io_error("removing", &archived, &e));
                }
            }
            fs::remove_file(&path).map_err(|e| io_error("removing", &path, &e))?;
            tracing::warn!(
                "discarded an interrupted key rotation ({why}); the current key still signs: run `imprint keys init --regenerate` to rotate"
            );
            Ok(())
        };
        let Ok(next) = KeyPair::from_pkcs8_pem(&pem) else {
            return discard("the new key file was incomplete", None);
        };
        let Some(current) = self.load_current()? else {
            return discard("there is no current key to retire", Some(&next));
        };
        let recorded = self
            .store
            .key_retirements()?
            .into_iter()
            .find(|r| r.key_id == current.key_id());
        let endorses_next = recorded.is_some_and(|r| {
            serde_json::from_str::<serde_json::Value>(&r.endorsement)
                .ok()
                .and_then(|e| imprint_engine::endorsement::verify(&e, &current.public()).ok())
                .is_some_and(|named| named.key_id() == next.key_id())
        });
        if !endorses_next {
            return discard("its retirement was never recorded", Some(&next));
        }
        self.archive(&next.public())?;
        self.switch_to_next(&next)?;
        tracing::info!(
            "finished an interrupted key rotation: {} retired, {} signs",
            current.key_id(),
            next.key_id()
        );
        Ok(())
    }

    /// The current key, created on first use (see [`KeyFiles::initialize`]).
    /// The key is in the keyring before anything is signed with it.
    pub fn load_or_create(&self) -> ServiceResult<KeyPair> {
        match self.load()? {
            Some(key) => {
                self.register(&key)?;
                Ok(key)
            }
            None => Ok(self.initialize(false)?.0),
        }
    }

    /// Moves an unreadable private key out of the way so a regeneration can proceed, keeping
    /// its bytes for whoever wants to recover them.
    fn set_aside_unreadable_key(&self) -> ServiceResult<()> {
        let path = self.private_path();
        let aside = path.with_extension(format!("key.unreadable-{}", crate::now_millis()));
        fs::rename(&path, &aside).map_err(|e| io_error("moving aside", &path, &e))?;
        tracing::warn!(
            "moved the unreadable signing key {} to {}",
            path.display(),
            aside.display()
        );
        Ok(())
    }

    /// Writes a fresh key pair. The caller holds the directory lock. The private key is
    /// written last: its presence means the public files are in place too, so a reader that
    /// signs with it can always find the public key to verify with.
    fn generate(&self) -> ServiceResult<KeyPair> {
        let key = random_key()?;
        let private_pem = key.to_pkcs8_pem()?;
        let public_pem = key.public().to_spki_pem()?;
        self.archive(&key.public())?;
        write_atomically(&self.public_path(), public_pem.as_bytes(), 0o644)?;
        write_atomically(&self.private_path(), private_pem.as_bytes(), 0o600)?;
        Ok(key)
    }

    fn archived_path(&self, public: &PublicKey) -> PathBuf {
        self.archive_dir()
            .join(format!("{}.pub", public.key_id().replace(':', "-")))
    }

    fn archive(&self, public: &PublicKey) -> ServiceResult<()> {
        create_private_dir(&self.archive_dir())?;
        let path = self.archived_path(public);
        if !path.exists() {
            write_atomically(&path, public.to_spki_pem()?.as_bytes(), 0o644)?;
        }
        Ok(())
    }

    /// Every public key in the key files (the current one and the archive), by key id,
    /// as SPKI PEM: what `store copy` puts in a target's keyring.
    pub fn file_public_keys(&self) -> ServiceResult<Vec<(String, String)>> {
        let mut found = std::collections::BTreeMap::new();
        let mut paths = vec![self.public_path()];
        match fs::read_dir(self.archive_dir()) {
            Ok(entries) => {
                for entry in entries.flatten() {
                    if entry.path().extension().is_some_and(|e| e == "pub") {
                        paths.push(entry.path());
                    }
                }
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => return Err(io_error("reading", &self.archive_dir(), &e)),
        }
        for path in paths {
            match fs::read_to_string(&path) {
                Ok(pem) => {
                    let key = PublicKey::from_spki_pem(&pem)?;
                    found.insert(key.key_id(), pem);
                }
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
                Err(e) => return Err(io_error("reading", &path, &e)),
            }
        }
        Ok(found.into_iter().collect())
    }

    /// Keeps a public key (SPKI PEM) in the archive, so revisions it signed verify here;
    /// it must carry the id it was recorded under.
    pub fn archive_public_key(&self, key_id: &str, pem: &str) -> ServiceResult<()> {
        let key = PublicKey::from_spki_pem(pem)?;
        if key.key_id() != key_id {
            return Err(ServiceError::new(
                ErrorKind::Integrity,
                format!(
                    "the keyring's entry for {key_id} holds the key {}: the source database was altered",
                    key.key_id()
                ),
            ));
        }
        create_private_dir(&self.dir)?;
        self.archive(&key)
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
        let found = match self.read_public_key(key_id)? {
            Some(key) => Some(key),
            None => self.keyring_key(key_id)?,
        };
        if let Some(key) = &found {
            self.public_keys
                .lock()
                .unwrap_or_else(|p| p.into_inner())
                .insert(key_id.to_string(), key.clone());
        }
        Ok(found)
    }

    /// A key another replica signed with, from the keyring; it must carry its own id.
    fn keyring_key(&self, key_id: &str) -> ServiceResult<Option<PublicKey>> {
        let Some(pem) = self.store.public_key(key_id)? else {
            return Ok(None);
        };
        let key = PublicKey::from_spki_pem(&pem)?;
        if key.key_id() != key_id {
            return Err(ServiceError::new(
                ErrorKind::Integrity,
                format!(
                    "the keyring's entry for {key_id} holds the key {}: the database was altered; restore it from a backup",
                    key.key_id()
                ),
            ));
        }
        Ok(Some(key))
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

fn random_key() -> ServiceResult<KeyPair> {
    let mut seed = [0u8; 32];
    getrandom::fill(&mut seed).map_err(|e| {
        ServiceError::internal(format!("the operating system gave no randomness: {e}"))
    })?;
    Ok(KeyPair::from_seed(seed))
}

/// Test builds only: `IMPRINT_TEST_CRASH_AT=<point>` aborts the process at that point of a
/// rotation, so end-to-end tests can leave what a crash leaves. Compiled out of release
/// builds.
#[cfg(debug_assertions)]
fn crash_point(point: &str) {
    if std::env::var("IMPRINT_TEST_CRASH_AT").is_ok_and(|at| at == point) {
        std::process::abort();
    }
}

#[cfg(not(debug_assertions))]
fn crash_point(_point: &str) {}

#[cfg(test)]
mod tests {
    use imprint_store_sqlite::SqliteStore;

    use super::*;

    #[test]
    fn a_key_rotated_elsewhere_is_not_rotated_again_and_keeps_signing_here() {
        let store: Arc<dyn Store> = Arc::new(SqliteStore::open_in_memory().unwrap());
        let (one, two) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
        let first = KeyFiles::new(one.path(), store.clone());
        let original = first.initialize(false).unwrap().0;
        // A second replica with a copy of the same key, on the same store.
        let keys = two.path().join("keys");
        fs::create_dir_all(&keys).unwrap();
        for name in ["signing.key", "signing.pub"] {
            fs::copy(one.path().join("keys").join(name), keys.join(name)).unwrap();
        }
        let second = KeyFiles::new(two.path(), store.clone());
        let (rotated, _) = first.initialize(true).unwrap();
        assert_ne!(rotated.key_id(), original.key_id());

        let refused = second.initialize(true).map(|(key, _)| key.key_id());
        let error = refused.unwrap_err();
        assert_eq!(error.kind(), ErrorKind::Conflict);
        assert!(error.message().contains("rotated elsewhere"), "{error:?}");
        assert!(
            !second.next_path().exists(),
            "the unannounced successor is gone"
        );
        assert_eq!(
            second.load().unwrap().unwrap().key_id(),
            original.key_id(),
            "it still signs with the key it had"
        );
        assert_eq!(store.key_retirements().unwrap().len(), 1);
    }
}
