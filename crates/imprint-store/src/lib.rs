//! The storage trait: rows in, rows out, no meaning.
//!
//! The engine and the domains decide what a draft or a revision *means*; a store only
//! keeps rows durable and enforces the few invariants that need a transaction:
//! optimistic draft versions, one revision per sequence number per document, and the
//! head moving only forward. Backends implement [`Store`]; the binary picks one from the
//! database URL once, at start-up.
//!
//! # Example
//!
//! ```
//! use imprint_store::{Store, StoreError};
//!
//! fn head_seq(store: &dyn Store, document: &str) -> Result<i64, StoreError> {
//!     Ok(store.head(document)?.map_or(0, |revision| revision.seq))
//! }
//! ```

#![forbid(unsafe_code)]

pub mod content;
pub mod team;
pub mod tokens;
pub mod transfer;

pub use content::ContentStore;
use serde_json::Value;
pub use team::TeamStore;
pub use tokens::TokenStore;
pub use transfer::{ImportMode, Record, RecordCounts, RecordKind};

/// Everything a backend can report. Kept tiny on purpose: callers branch only on
/// "missing", "someone else changed it", "the caller gave up" and "the backend broke".
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("not found")]
    NotFound,
    /// An optimistic check failed: the row changed or already exists. The message is
    /// worded for people (never a backend's own constraint text).
    #[error("conflict: {0}")]
    Conflict(String),
    /// The store itself refused (a schema newer than this build, an inconsistent write);
    /// the message is the store's own words.
    #[error("storage failure: {0}")]
    Other(String),
    /// The stored data is damaged or missing (a truncated, emptied or overwritten database):
    /// nothing can be trusted until a person restores it. The message says what was found
    /// and what to do.
    #[error("{0}")]
    Corrupt(String),
    /// The database cannot be reached right now (a server backend that is down or
    /// restarting); the same request can succeed later. The message says what is unreachable.
    #[error("{0}")]
    Unavailable(String),
    /// An operation ran past the time it was given and was stopped (a search past its
    /// `time_limit`); nothing was changed. The message says what took too long.
    #[error("{0}")]
    TimedOut(String),
    /// The backend failed; its error is the source, for logs only.
    #[error("the database failed")]
    Backend(#[source] Box<dyn std::error::Error + Send + Sync>),
    /// A caller's code running inside a store transaction failed (rendering, signing,
    /// validating): the transaction was rolled back and the caller's own error comes back
    /// unchanged, so domain errors are never flattened into storage failures.
    #[error("{0}")]
    Aborted(#[source] Box<dyn std::error::Error + Send + Sync>),
}

impl StoreError {
    /// Wraps a backend's error.
    pub fn backend(error: impl std::error::Error + Send + Sync + 'static) -> Self {
        StoreError::Backend(Box::new(error))
    }

    /// Carries a caller's error out of a transaction closure.
    pub fn aborted(error: impl std::error::Error + Send + Sync + 'static) -> Self {
        StoreError::Aborted(Box::new(error))
    }
}

pub type StoreResult<T> = Result<T, StoreError>;

/// A persisted working copy. Its body is a set of keyed items (servers of a config
/// draft, fields of a content draft) so one change touches one row, whatever the size.
#[derive(Debug, Clone, PartialEq)]
pub struct DraftRow {
    pub id: String,
    /// The document this draft will publish to.
    pub document: String,
    pub name: String,
    pub notes: Option<String>,
    pub creator: Option<String>,
    pub provisional: bool,
    /// The head sequence number the draft was forked from (for three-way merge).
    pub base_seq: Option<i64>,
    /// Family-specific metadata (e.g. a content draft's site and section).
    pub meta: Value,
    /// Bumped on every change; writers must name the version they read.
    pub version: i64,
    pub created_at: i64,
    pub updated_at: i64,
}

/// A change to a draft, applied only if the draft is still at `expected_version`.
#[derive(Debug, Clone, Default)]
pub struct DraftUpdate {
    pub expected_version: i64,
    /// Remove every item before applying `items`.
    pub clear_items: bool,
    /// `Some(value)` upserts the item, `None` removes it.
    pub items: Vec<(String, Option<Value>)>,
    pub name: Option<String>,
    pub notes: Option<Option<String>>,
    pub meta: Option<Value>,
    pub base_seq: Option<Option<i64>>,
    pub now: i64,
}

/// `Conflict` unless a draft at `version` is at `expected` (when one is expected).
pub fn check_draft_version(version: i64, expected: Option<i64>) -> StoreResult<()> {
    match expected {
        Some(expected) if expected != version => Err(StoreError::Conflict(format!(
            "draft is at version {version}, not {expected}"
        ))),
        _ => Ok(()),
    }
}

/// The outcome of [`Store::add_draft_item`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ItemAdded {
    /// Written: the draft's new version and how many items it holds now.
    Added { version: i64, item_count: usize },
    /// The draft already holds an item with this key; nothing was written.
    KeyTaken,
}

/// An immutable published revision.
#[derive(Debug, Clone, PartialEq)]
pub struct RevisionRow {
    pub document: String,
    /// 1 for the first revision of a document, then +1.
    pub seq: i64,
    pub artifact_id: String,
    /// The whole signed envelope, exactly as signed.
    pub envelope: Value,
    pub created_at: i64,
}

/// What was written into a client's file, so the next deploy can detect drift.
#[derive(Debug, Clone, PartialEq)]
pub struct DeploymentRow {
    pub document: String,
    pub path: String,
    pub artifact_id: String,
    pub file_sha256: String,
    /// The MCP section as written.
    pub section: Value,
    pub backup_path: Option<String>,
    pub deployed_at: i64,
}

/// A user-registered catalog entry.
#[derive(Debug, Clone, PartialEq)]
pub struct CatalogRow {
    pub server_id: String,
    pub definition: Value,
    pub created_at: i64,
    pub updated_at: i64,
}

/// A signing key taken out of service: when, and the successor's endorsement (JSON text,
/// signed by the retired key) that lets a member machine follow the rotation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeyRetirementRow {
    pub key_id: String,
    pub retired_at: i64,
    pub endorsement: String,
}

/// A secret value, encrypted by the caller: the store never sees the plaintext.
#[derive(Clone, PartialEq)]
pub struct SecretRow {
    /// The name references use (`${secret:NAME}`).
    pub name: String,
    pub nonce: Vec<u8>,
    pub ciphertext: Vec<u8>,
    pub created_at: i64,
    pub updated_at: i64,
}

impl std::fmt::Debug for SecretRow {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // ciphertext is harmless but noisy; its size is what a log reader needs
        f.debug_struct("SecretRow")
            .field("name", &self.name)
            .field("ciphertext_len", &self.ciphertext.len())
            .field("updated_at", &self.updated_at)
            .finish_non_exhaustive()
    }
}

/// A storage backend. Every method is one transaction.
pub trait Store: Send + Sync {
    /// Fails with `Conflict` if a draft with the same document and name exists.
    fn create_draft(&self, draft: &DraftRow, items: &[(String, Value)]) -> StoreResult<()>;
    fn draft(&self, id: &str) -> StoreResult<Option<DraftRow>>;
    fn find_draft(&self, document: &str, name: &str) -> StoreResult<Option<DraftRow>>;
    /// Drafts whose document starts with `document_prefix`, oldest first.
    fn list_drafts(&self, document_prefix: &str) -> StoreResult<Vec<DraftRow>>;
    /// Items sorted by key.
    fn draft_items(&self, id: &str) -> StoreResult<Vec<(String, Value)>>;
    fn draft_item(&self, id: &str, key: &str) -> StoreResult<Option<Value>>;
    fn draft_item_count(&self, id: &str) -> StoreResult<usize>;
    /// Applies `update` and returns the new version; `Conflict` if the version moved,
    /// `NotFound` if the draft is gone.
    fn update_draft(&self, id: &str, update: &DraftUpdate) -> StoreResult<i64>;
    /// Adds the item `key` unless the draft holds one already, bumping the version, and counts
    /// the items: one transaction, so the check, the write and the count agree. `Conflict` if
    /// the version moved from `expected_version`, `NotFound` if the draft is gone.
    fn add_draft_item(
        &self,
        id: &str,
        expected_version: i64,
        key: &str,
        value: &Value,
        now: i64,
    ) -> StoreResult<ItemAdded>;
    /// [`Store::add_draft_item`] on the draft named `name` of `document`, found in the same
    /// transaction: the hot path of adding to a draft, one transaction instead of a read and
    /// a write. `NotFound` if there is no such draft; `Conflict` if `expected_version` is
    /// given and the draft is at another one (without it, the version read is the one
    /// checked). The default reads, then adds; a backend overrides it to do both at once.
    fn add_item_to_named_draft(
        &self,
        document: &str,
        name: &str,
        expected_version: Option<i64>,
        key: &str,
        value: &Value,
        now: i64,
    ) -> StoreResult<ItemAdded> {
        let draft = self
            .find_draft(document, name)?
            .ok_or(StoreError::NotFound)?;
        check_draft_version(draft.version, expected_version)?;
        self.add_draft_item(&draft.id, draft.version, key, value, now)
    }
    fn delete_draft(&self, id: &str) -> StoreResult<bool>;

    fn head(&self, document: &str) -> StoreResult<Option<RevisionRow>>;
    /// The heads of several documents, in their order: [`Store::head`] of each, which a
    /// backend may read in one round trip (search checks every hit against its head).
    fn heads(&self, documents: &[String]) -> StoreResult<Vec<Option<RevisionRow>>> {
        documents
            .iter()
            .map(|document| self.head(document))
            .collect()
    }
    /// Appends a revision; `Conflict` unless `revision.seq` is the head's seq + 1.
    fn append_revision(&self, revision: &RevisionRow) -> StoreResult<()>;
    /// Appends several revisions (of different documents) in one transaction: all land or
    /// none does; `Conflict` unless each is its document's head + 1 (one publish for every
    /// linked client of a profile).
    fn append_revisions(&self, revisions: &[RevisionRow]) -> StoreResult<()>;
    fn revision(&self, document: &str, seq: i64) -> StoreResult<Option<RevisionRow>>;
    /// The artifact ids of revisions `(document, seq)`, in the order asked, `None` where
    /// there is no such revision: the parents a search's hits' heads are checked against,
    /// which a backend may read in one round trip.
    fn artifact_ids(&self, revisions: &[(String, i64)]) -> StoreResult<Vec<Option<String>>> {
        revisions
            .iter()
            .map(|(document, seq)| Ok(self.revision(document, *seq)?.map(|r| r.artifact_id)))
            .collect()
    }
    /// The newest revision of `document` with this artifact id.
    fn revision_by_artifact(
        &self,
        document: &str,
        artifact_id: &str,
    ) -> StoreResult<Option<RevisionRow>>;
    /// Newest first, at most `limit`.
    fn history(&self, document: &str, limit: usize) -> StoreResult<Vec<RevisionRow>>;
    /// Documents starting with `prefix` that have a draft or a revision, sorted.
    fn documents(&self, prefix: &str) -> StoreResult<Vec<String>>;

    fn record_deployment(&self, deployment: &DeploymentRow) -> StoreResult<()>;
    fn last_deployment(&self, document: &str) -> StoreResult<Option<DeploymentRow>>;
    /// The newest deployment to `path` from any document.
    fn last_deployment_to(&self, path: &str) -> StoreResult<Option<DeploymentRow>>;

    /// Records what a deploy is about to write into `deployment.path` (replacing any earlier
    /// intent for that path), before the file is replaced: a crash between the replace and
    /// [`Store::confirm_deployment`] leaves this row, by which the file's new bytes are known
    /// to be Imprint's own write.
    fn record_pending_deployment(&self, deployment: &DeploymentRow) -> StoreResult<()>;
    /// Every intended write not yet confirmed or discarded, sorted by path.
    fn pending_deployments(&self) -> StoreResult<Vec<DeploymentRow>>;
    /// Records `deployment` and removes the intent for its path, in one transaction.
    fn confirm_deployment(&self, deployment: &DeploymentRow) -> StoreResult<()>;
    /// Removes the intent for `path` if it still names `file_sha256` (a newer intent for the
    /// path is kept); whether one was removed.
    fn discard_pending_deployment(&self, path: &str, file_sha256: &str) -> StoreResult<bool>;

    fn put_catalog_entry(&self, entry: &CatalogRow) -> StoreResult<()>;
    fn catalog_entries(&self) -> StoreResult<Vec<CatalogRow>>;
    /// The entry with this id, if registered.
    fn catalog_entry(&self, server_id: &str) -> StoreResult<Option<CatalogRow>>;
    fn delete_catalog_entry(&self, server_id: &str) -> StoreResult<bool>;

    /// Every path deployed to, sorted (client files, including project-scope ones).
    fn deployment_paths(&self) -> StoreResult<Vec<String>>;

    /// Inserts or replaces the secret `secret.name` (its `created_at` is kept on replace).
    fn put_secret(&self, secret: &SecretRow) -> StoreResult<()>;
    fn secret(&self, name: &str) -> StoreResult<Option<SecretRow>>;
    /// Every secret, sorted by name.
    fn secrets(&self) -> StoreResult<Vec<SecretRow>>;
    fn delete_secret(&self, name: &str) -> StoreResult<bool>;

    /// Records a signing public key (SPKI PEM) under its key id, unless it is there already.
    /// A shared database keeps a keyring so every replica verifies every revision, whoever
    /// signed it; an embedded one needs none (its keys sit beside it in the data directory),
    /// so the default keeps nothing. Private keys never reach a store.
    fn put_public_key(&self, _key_id: &str, _spki_pem: &str, _now: i64) -> StoreResult<()> {
        Ok(())
    }

    /// The public key (SPKI PEM) recorded under `key_id`, if any.
    fn public_key(&self, _key_id: &str) -> StoreResult<Option<String>> {
        Ok(None)
    }

    /// Every public key of the keyring, sorted by key id (an embedded store keeps none).
    fn public_keys(&self) -> StoreResult<Vec<(String, String)>> {
        Ok(Vec::new())
    }

    /// Records a key's retirement, unless that key's retirement is recorded already (a key
    /// retires once: the first record stands).
    fn put_key_retirement(&self, retirement: &KeyRetirementRow) -> StoreResult<()>;

    /// Every recorded key retirement, oldest first.
    fn key_retirements(&self) -> StoreResult<Vec<KeyRetirementRow>>;

    /// Records a key rotation in one transaction: the successor's public key in the keyring
    /// (an embedded store keeps none) and the retired key's retirement with the endorsement
    /// naming the successor. Both land or neither does, so a crash never leaves a successor
    /// without the endorsement members follow. Recording the same rotation again changes
    /// nothing; `Conflict` if the key's retirement is recorded with another endorsement.
    fn record_key_rotation(
        &self,
        successor_key_id: &str,
        successor_pem: &str,
        retirement: &KeyRetirementRow,
    ) -> StoreResult<()>;

    /// How many rows of each kind the store holds (every [`RecordKind`] is present).
    fn count_records(&self) -> StoreResult<RecordCounts>;

    /// Hands every row to `visit` from one consistent snapshot, in an order
    /// [`Store::import_records`] can replay: keyring, catalog, secrets, tokens, drafts with
    /// their items, revisions by document and sequence, deployments oldest first, sites,
    /// field layouts, fields, entry types, sections, entries, entry drafts, key retirements,
    /// publish requests, the audit log by `seq`, and last the entry/draft id sequence. An
    /// error from `visit` stops the export and comes back.
    fn export_records(&self, visit: &mut dyn FnMut(Record) -> StoreResult<()>) -> StoreResult<()>;

    /// Writes the records `next` hands out until it answers `None`, ids kept, in one
    /// transaction: all of them or none. With [`ImportMode::EmptyOnly`] a store holding
    /// anything but its first site is refused with `Conflict` naming what it holds; with
    /// [`ImportMode::Replace`] its rows are deleted first, in the same transaction (the audit
    /// log too: the target's log is replaced by the source's, and stays append-only after).
    /// The id sequences (and the audit log's `seq`) continue after the highest imported one.
    fn import_records(
        &self,
        mode: ImportMode,
        next: &mut dyn FnMut() -> StoreResult<Option<Record>>,
    ) -> StoreResult<()>;

    /// Whether the database answers now (`/healthz`). An embedded database always does.
    fn ping(&self) -> StoreResult<()> {
        Ok(())
    }

    /// The content family's tables.
    fn content(&self) -> &dyn ContentStore;
    /// API tokens.
    fn tokens(&self) -> &dyn TokenStore;

    /// The audit log and publish requests.
    fn team(&self) -> &dyn TeamStore;
}
