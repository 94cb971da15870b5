//! The revision core both document families share: seal a new revision, append it as the
//! head's successor (retrying when another writer moved the head first), and verify every
//! revision that is read. Config publish and rollback and every content write go through it,
//! so there is one envelope builder, one retry bound and one verification.

use imprint_engine::signing::KeyPair;
use imprint_engine::{canonical, envelope, timestamp};
use imprint_store::{RevisionRow, StoreError};
use serde_json::{Map, Value, json};

use crate::Service;
use crate::error::{ErrorKind, ServiceError, ServiceResult};

/// How often an optimistic write is rebuilt after losing a race before giving up.
pub(crate) const MAX_RETRIES: usize = 16;

/// Runs `attempt` until it lands (`Some`) or [`MAX_RETRIES`] races were lost (`None` each),
/// then answers `exhausted()`.
pub(crate) fn retry<T>(
    exhausted: impl FnOnce() -> ServiceError,
    mut attempt: impl FnMut() -> ServiceResult<Option<T>>,
) -> ServiceResult<T> {
    for _ in 0..MAX_RETRIES {
        if let Some(done) = attempt()? {
            return Ok(done);
        }
    }
    Err(exhausted())
}

/// A revision about to be sealed: where it belongs and what it follows.
pub(crate) struct NewRevision<'a> {
    /// The envelope fields that name the document (`client_id` and `profile_id`, or
    /// `document`), signed with everything else.
    pub address: Map<String, Value>,
    /// `metadata.format`: the frozen envelope format of the family.
    pub format: &'static str,
    pub seq: i64,
    pub parent_artifact_id: Option<String>,
    /// Family-specific metadata (changelog, action, draft, …), added after the common keys.
    pub extra: &'a Map<String, Value>,
    pub now: i64,
}

impl Service {
    /// The signed envelope of a new revision of `payload`, and its artifact id.
    pub(crate) fn seal_revision(
        &self,
        key: &KeyPair,
        payload: Value,
        revision: NewRevision<'_>,
    ) -> ServiceResult<(String, Value)> {
        let artifact_id = canonical::artifact_id(&payload);
        let mut metadata = Map::new();
        metadata.insert("format".into(), json!(revision.format));
        metadata.insert(
            "generator".into(),
            json!(concat!("imprint ", env!("CARGO_PKG_VERSION"))),
        );
        metadata.insert("author".into(), json!(self.actor()));
        metadata.insert("sequence".into(), json!(revision.seq));
        metadata.insert(
            "parent_artifact_id".into(),
            json!(revision.parent_artifact_id),
        );
        metadata.extend(revision.extra.clone());
        let mut unsigned = Map::new();
        unsigned.insert("artifact_id".into(), json!(artifact_id));
        unsigned.extend(revision.address);
        unsigned.insert(
            "created_at".into(),
            json!(timestamp::rfc3339_millis(revision.now)),
        );
        unsigned.insert("payload".into(), payload);
        unsigned.insert("signing_key_id".into(), json!(key.key_id()));
        unsigned.insert("metadata".into(), Value::Object(metadata));
        let sealed = envelope::seal(Value::Object(unsigned), key)?;
        Ok((artifact_id, sealed))
    }

    /// Appends the revision `build` makes from the current head as head + 1; when another
    /// writer appended first, reads the new head and builds again.
    pub(crate) fn append_revision(
        &self,
        document: &str,
        mut build: impl FnMut(Option<&RevisionRow>) -> ServiceResult<RevisionRow>,
    ) -> ServiceResult<RevisionRow> {
        retry(
            || {
                ServiceError::conflict(format!(
                    "{document} kept moving under concurrent writers; retry"
                ))
            },
            || {
                let head = self.store().head(document)?;
                let revision = build(head.as_ref())?;
                match self.store().append_revision(&revision) {
                    Ok(()) => Ok(Some(revision)),
                    Err(StoreError::Conflict(_)) => Ok(None),
                    Err(e) => Err(e.into()),
                }
            },
        )
    }

    /// Checks a stored revision before it is used: its signature against the keyring and its
    /// id against its envelope. Tampering is reported, never silently served.
    pub(crate) fn verify_revision(&self, revision: &RevisionRow) -> ServiceResult<()> {
        self.verify_revision_with(revision, None)
    }

    /// [`Self::verify_revision`] with the artifact id of the revision before it already
    /// read (`Some`; `Some(None)` when there is none), or read here (`None`).
    pub(crate) fn verify_revision_with(
        &self,
        revision: &RevisionRow,
        parent: Option<Option<String>>,
    ) -> ServiceResult<()> {
        let key_id = envelope::key_id(&revision.envelope)
            .unwrap_or_default()
            .to_string();
        let public = self.inner.keys.public_key(&key_id)?.ok_or_else(|| {
            ServiceError::new(
                ErrorKind::Integrity,
                format!(
                    "artifact {} was signed by key {key_id}, which is not in {}: restore that public key to verify it",
                    revision.artifact_id,
                    self.inner.keys.dir().display()
                ),
            )
        })?;
        envelope::verify(&revision.envelope, &public).map_err(|e| {
            ServiceError::new(
                ErrorKind::Integrity,
                format!(
                    "artifact {} (revision {}) failed verification, refusing to use it: {e}",
                    revision.artifact_id, revision.seq
                ),
            )
        })?;
        if revision.envelope.get("artifact_id").and_then(Value::as_str)
            != Some(revision.artifact_id.as_str())
        {
            return Err(ServiceError::new(
                ErrorKind::Integrity,
                format!(
                    "stored revision {} does not match its envelope's artifact id",
                    revision.seq
                ),
            ));
        }
        match self.misplacement_with(revision, parent)? {
            Some(problem) => Err(ServiceError::new(ErrorKind::Integrity, problem)),
            None => Ok(()),
        }
    }

    /// Checks that a (validly signed) envelope belongs where it was read from: its document,
    /// its sequence and its parent must be the row's. A signature alone proves who wrote an
    /// envelope, not which row it was written for: without this, a signed envelope copied
    /// into another row (another client's head, a later revision) would be served as that
    /// row. `Some` says what does not match, for an integrity error or a verification report.
    pub(crate) fn misplacement(&self, revision: &RevisionRow) -> ServiceResult<Option<String>> {
        self.misplacement_with(revision, None)
    }

    /// [`Self::misplacement`] with the parent's artifact id already read (`Some`), or read
    /// here (`None`).
    fn misplacement_with(
        &self,
        revision: &RevisionRow,
        parent: Option<Option<String>>,
    ) -> ServiceResult<Option<String>> {
        let actual_parent = match parent {
            Some(parent) => parent,
            None if revision.seq > 1 => self
                .store()
                .revision(&revision.document, revision.seq - 1)?
                .map(|p| p.artifact_id),
            None => None,
        };
        let Some(misbinding) = binding(
            &revision.envelope,
            &revision.document,
            Some(revision.seq),
            Some(actual_parent.as_deref()),
        ) else {
            return Ok(None);
        };
        let what = match misbinding {
            Misbinding::Document(claimed) => claimed.unwrap_or_else(|| "no document".into()),
            Misbinding::Sequence(Some(seq)) => format!("revision {seq}"),
            Misbinding::Sequence(None) => "no revision number".into(),
            Misbinding::Parent { claimed, actual } => format!(
                "the parent {}, but the previous revision here is {}",
                claimed.as_deref().unwrap_or("(none)"),
                actual.as_deref().unwrap_or("(none)")
            ),
        };
        Ok(Some(format!(
            "revision {} of {} holds an envelope signed for {what}: it was copied or moved \
             between rows, refusing to use it; restore the database from a backup",
            revision.seq, revision.document
        )))
    }
}

/// How a (validly signed) envelope fails to belong where it was read from or asked for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Misbinding {
    /// It names another document (or none).
    Document(Option<String>),
    /// It names another sequence number (or none).
    Sequence(Option<i64>),
    /// It names another parent than the revision before it.
    Parent {
        claimed: Option<String>,
        actual: Option<String>,
    },
}

/// The binding check shared by stored revisions ([`Service::misplacement`]) and artifacts
/// pulled from a team server (`team.rs`): the envelope must name `document`, and `seq` and
/// `parent` when those are known (`parent: Some(None)` = the first revision, no parent).
pub(crate) fn binding(
    envelope: &Value,
    document: &str,
    seq: Option<i64>,
    parent: Option<Option<&str>>,
) -> Option<Misbinding> {
    let claimed_document = envelope_document(envelope);
    if claimed_document.as_deref() != Some(document) {
        return Some(Misbinding::Document(claimed_document));
    }
    let claimed_seq = envelope
        .pointer("/metadata/sequence")
        .and_then(Value::as_i64);
    if let Some(seq) = seq
        && claimed_seq != Some(seq)
    {
        return Some(Misbinding::Sequence(claimed_seq));
    }
    let claimed_parent = envelope
        .pointer("/metadata/parent_artifact_id")
        .and_then(Value::as_str);
    if let Some(actual) = parent
        && claimed_parent != actual
    {
        return Some(Misbinding::Parent {
            claimed: claimed_parent.map(str::to_string),
            actual: actual.map(str::to_string),
        });
    }
    None
}

/// The document an envelope names: `document` (content), or `client_id` and `profile_id`
/// (configs, whose envelope format predates `document`).
fn envelope_document(envelope: &Value) -> Option<String> {
    if let Some(document) = envelope.get("document").and_then(Value::as_str) {
        return Some(document.to_string());
    }
    let client = envelope.get("client_id").and_then(Value::as_str)?;
    let profile = envelope.get("profile_id").and_then(Value::as_str)?;
    Some(crate::config::document_key(client, profile))
}
