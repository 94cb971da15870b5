//! `imprint store copy`: every row of one store into another (solo SQLite ⇄ team
//! PostgreSQL, or any pair of backends), then every revision verified on the target.
//!
//! One code path for both directions, over the `Store` traits only: the source exports its
//! rows from one snapshot on a thread of its own, the target imports them in one
//! transaction (a failed copy leaves the target as it was), and this module adds what
//! neither backend can read back as rows — the search text of each entry (rebuilt from the
//! content model) and the public keys kept as files beside an embedded store. Signing keys
//! and the secrets key never enter a database: secrets are copied encrypted, byte for byte,
//! and the target's servers need the same `keys/secrets.key`.

use std::collections::{BTreeMap, HashMap};
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::mpsc::sync_channel;

use imprint_store::transfer::{self, ImportMode, Record, RecordKind};
use imprint_store::{Store, StoreError, StoreResult};
use serde::Serialize;

use crate::content::Schema;
use crate::content::entries::row_content;
use crate::error::{ErrorKind, ServiceError, ServiceResult};
use crate::{Service, ServiceOptions};

/// How a copy runs.
#[derive(Debug, Clone)]
pub struct CopyOptions {
    /// Delete what the target holds first (in the import's transaction) instead of refusing
    /// a target that is not empty.
    pub replace: bool,
    /// Where public keys are looked up when the target is verified: the data directory an
    /// embedded target sits in (its `keys/` is its keyring; keys a shared source kept in its
    /// database are archived there), or an empty directory for a shared database, so only
    /// the database's own keyring counts, as on any replica.
    pub target_keys_dir: PathBuf,
}

/// Where a copy is: `stage` is `copy` (rows written, `kind` by kind, in export order) or
/// `verify` (revisions checked on the target).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CopyProgress {
    pub stage: &'static str,
    pub kind: &'static str,
    pub done: u64,
    pub total: u64,
}

/// What a copy did.
#[derive(Debug, Clone, Serialize)]
pub struct CopySummary {
    /// Rows written, by kind (`drafts`, `draft_items`, `revisions`, `entries`, …).
    pub copied: BTreeMap<&'static str, u64>,
    /// Revisions whose signature and binding to their row were checked on the target.
    pub verified_revisions: u64,
    /// Public keys written to the target's `keys/archive/` (a copy into an embedded store
    /// of revisions signed by other replicas' keys).
    pub public_keys_archived: u64,
    /// How many copied secrets this data directory's secrets key opens (of `copied.secrets`).
    pub secrets_readable_here: u64,
    /// What the target's servers need besides the database, when secrets were copied.
    pub notes: Vec<String>,
}

/// The message of a refused, non-empty target.
fn not_empty(what: &str) -> ServiceError {
    ServiceError::conflict(format!(
        "the target database is not empty (it holds {what}); copy into an empty database \
         (a new PostgreSQL database, or a data directory without imprint.db), or pass --replace \
         to delete what it holds first"
    ))
}

impl Service {
    /// Copies everything this service's store holds into `target`, then verifies every
    /// revision there. `progress` hears about each row written and each revision verified.
    pub fn copy_store(
        &self,
        target: Arc<dyn Store>,
        options: &CopyOptions,
        progress: &mut dyn FnMut(CopyProgress),
    ) -> ServiceResult<CopySummary> {
        let source = self.store();
        let totals = source.count_records()?;
        let target_counts = target.count_records()?;
        if !options.replace && !transfer::is_empty(&target_counts) {
            return Err(not_empty(&transfer::describe(&target_counts)));
        }
        // Search text is derived from the content model, which the export does not hold
        // while it streams (an embedded source is busy exporting), so it is read first.
        let mut schemas: HashMap<i64, Schema> = HashMap::new();
        for entry_type in source.content().entry_types()? {
            schemas.insert(entry_type.id, self.schema(entry_type.id)?);
        }
        // The keyring: the source database's, plus the key files of this data directory
        // (an embedded source keeps its public keys there).
        let mut keys: BTreeMap<String, String> = source.public_keys()?.into_iter().collect();
        for (key_id, pem) in self.inner.keys.file_public_keys()? {
            keys.entry(key_id).or_insert(pem);
        }

        let mode = if options.replace {
            ImportMode::Replace
        } else {
            ImportMode::EmptyOnly
        };
        let mut copied: BTreeMap<&'static str, u64> = BTreeMap::new();
        let now = crate::now_millis();
        let mut pending_keys: Vec<Record> = keys
            .iter()
            .map(|(key_id, pem)| Record::PublicKey {
                key_id: key_id.clone(),
                spki_pem: pem.clone(),
                created_at: now,
            })
            .collect();
        let mut search_error: Option<ServiceError> = None;
        // The audit log's last seq as exported: the target's log must end at the same row.
        let mut last_audit_seq: Option<i64> = None;
        let imported = std::thread::scope(|scope| {
            // Bounded: the exporter stays at most this many rows ahead of the import.
            let (sender, receiver) = sync_channel::<StoreResult<Option<Record>>>(256);
            let exporter = scope.spawn(move || {
                let exported = source.export_records(&mut |record| {
                    sender
                        .send(Ok(Some(record)))
                        .map_err(|_| StoreError::Other("the import stopped".into()))
                });
                // The end is said explicitly: an export that stops early must abort the
                // import, never commit what came so far.
                let _ = sender.send(exported.map(|()| None));
            });
            let mut next = || -> StoreResult<Option<Record>> {
                let mut record = match pending_keys.pop() {
                    Some(key) => key,
                    None => match receiver.recv() {
                        Ok(Ok(Some(record))) => record,
                        Ok(Ok(None)) => return Ok(None),
                        Ok(Err(error)) => return Err(error),
                        Err(_) => {
                            return Err(StoreError::Other(
                                "the export stopped before it finished".into(),
                            ));
                        }
                    },
                };
                if let Record::Entry {
                    row,
                    search_title,
                    search_body,
                } = &mut record
                {
                    let schema = schemas.get(&row.entry_type_id).ok_or_else(|| {
                        StoreError::Other(format!(
                            "entry {} names entry type {}, which the source does not hold",
                            row.entry_id, row.entry_type_id
                        ))
                    })?;
                    let content = row_content(row).map_err(|e| {
                        let message = e.message().to_string();
                        search_error = Some(e);
                        StoreError::Other(message)
                    })?;
                    *search_title = content.title.clone().unwrap_or_default();
                    *search_body = content.search_text(&schema.fields);
                }
                if let Record::Audit(row) = &record {
                    last_audit_seq = Some(row.seq);
                }
                if let Record::Draft { items, .. } = &record {
                    *copied.entry(RecordKind::DraftItems.as_str()).or_default() +=
                        items.len() as u64;
                }
                if let Some(kind) = record.kind() {
                    let done = copied.entry(kind.as_str()).or_default();
                    *done += 1;
                    progress(CopyProgress {
                        stage: "copy",
                        kind: kind.as_str(),
                        done: *done,
                        total: totals.get(&kind).copied().unwrap_or(0).max(*done),
                    });
                }
                Ok(Some(record))
            };
            let imported = target.import_records(mode, &mut next);
            drop(receiver);
            let _ = exporter.join();
            imported
        });
        match imported {
            Ok(()) => {}
            Err(StoreError::Conflict(message)) if message.contains("not empty") => {
                let what = message
                    .split_once("holds ")
                    .map(|(_, what)| what.trim_end_matches(')').to_string())
                    .unwrap_or_default();
                return Err(not_empty(&what));
            }
            Err(error) => {
                if let Some(error) = search_error {
                    return Err(error);
                }
                return Err(ServiceError::from(error).with_suffix(
                    "; nothing was written to the target (the copy is one transaction): fix the cause and run it again",
                ));
            }
        }

        let verified = self.verify_copy(&target, options, &keys, progress)?;
        let mut notes = Vec::new();
        let secrets = copied
            .get(RecordKind::Secrets.as_str())
            .copied()
            .unwrap_or(0);
        let mut readable = 0;
        if secrets > 0 {
            for secret in source.secrets()? {
                if self.reveal_secret(&secret.name).is_ok() {
                    readable += 1;
                }
            }
            if readable < secrets {
                notes.push(format!(
                    "{} of {secrets} secrets do not open with this data directory's secrets key: \
                     they were encrypted under another one, which the target's servers need",
                    secrets - readable
                ));
            }
            notes.push(format!(
                "{secrets} secrets were copied encrypted: every server on the target needs this \
                 data directory's keys/{} (or IMPRINT_SECRETS_KEY_FILE naming a copy of it) to read them",
                crate::secrets::KEY_FILE
            ));
        }
        // Counted again on the target: nothing dropped on the way.
        let after = target.count_records()?;
        for kind in RecordKind::ALL {
            let expected = copied.get(kind.as_str()).copied().unwrap_or(0);
            let found = after.get(&kind).copied().unwrap_or(0);
            // An embedded target keeps its keyring as files, not rows.
            if kind != RecordKind::PublicKeys && found != expected {
                return Err(ServiceError::new(
                    ErrorKind::Integrity,
                    format!(
                        "the target holds {found} {} after the copy, {expected} were written",
                        kind.as_str()
                    ),
                ));
            }
        }
        let target_last = target.team().audit_log(1)?.first().map(|row| row.seq);
        if target_last != last_audit_seq {
            return Err(ServiceError::new(
                ErrorKind::Integrity,
                format!(
                    "the target's audit log ends at seq {}, the source's at {}",
                    target_last.map_or("none".into(), |seq| seq.to_string()),
                    last_audit_seq.map_or("none".into(), |seq| seq.to_string())
                ),
            ));
        }
        Ok(CopySummary {
            copied,
            verified_revisions: verified.0,
            public_keys_archived: verified.1,
            secrets_readable_here: readable,
            notes,
        })
    }

    /// Verifies every revision on the target the way a server there would: with the keys
    /// the target itself holds. Returns (revisions verified, public keys archived).
    fn verify_copy(
        &self,
        target: &Arc<dyn Store>,
        options: &CopyOptions,
        keys: &BTreeMap<String, String>,
        progress: &mut dyn FnMut(CopyProgress),
    ) -> ServiceResult<(u64, u64)> {
        let mut target_options = ServiceOptions::new(
            options.target_keys_dir.clone(),
            self.home_dir().to_path_buf(),
        );
        target_options.actor = self.actor().to_string();
        let checker = Service::new(target_options, Arc::clone(target));
        // An embedded target has no keyring table: keys only a shared source held go to
        // its archive of key files.
        let mut archived = 0;
        for (key_id, pem) in keys {
            if checker.inner.keys.public_key(key_id)?.is_none() {
                checker.inner.keys.archive_public_key(key_id, pem)?;
                archived += 1;
            }
        }
        let total = target
            .count_records()?
            .get(&RecordKind::Revisions)
            .copied()
            .unwrap_or(0);
        let mut done = 0;
        for document in target.documents("")? {
            let mut history = target.history(&document, usize::MAX >> 1)?;
            history.reverse();
            for revision in history {
                checker.verify_revision(&revision)?;
                done += 1;
                progress(CopyProgress {
                    stage: "verify",
                    kind: RecordKind::Revisions.as_str(),
                    done,
                    total,
                });
            }
        }
        if done != total {
            return Err(ServiceError::new(
                ErrorKind::Integrity,
                format!("verified {done} revisions on the target, but it holds {total}"),
            ));
        }
        Ok((done, archived))
    }
}
