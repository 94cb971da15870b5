//! Live entry rows checked against their head revision before they are served or built on.
//!
//! A live row (`entries`) is a copy of what its newest revision signed, kept for queries.
//! Revisions are verified when read, but the row is what `get_entry`, search and every
//! write start from: a row changed in the database (`UPDATE entries SET fields = …`)
//! would be served as is, and the next write would sign the change into a new, valid
//! revision. So a row is used only when the revision payload it implies hashes to the
//! artifact id of its head revision, and that revision verifies.
//!
//! Cost: recomputing the payload's id is one canonical-JSON hash of the row's content. The
//! signature check (and the store reads it needs) runs once per head per process:
//! [`VerifiedHeads`] remembers the heads verified here, or written here, so a read of an
//! unchanged entry is one hash and one map lookup.

use std::collections::HashMap;
use std::sync::Mutex;

use imprint_content::Content;
use imprint_engine::canonical;
use imprint_store::RevisionRow;
use imprint_store::content::EntryRow;
use serde_json::{Value, json};

use super::entries::{document, row_content};
use crate::Service;
use crate::error::{ErrorKind, ServiceError, ServiceResult};
use crate::next::{Hint, NextStep};

/// How many documents' verified heads a process remembers before it starts over (a
/// bound on memory; forgetting only costs a re-verification).
const MAX_REMEMBERED: usize = 16_384;

/// The signed payload of an entry revision: the ids that place the content, and the
/// content. Built here for writing and for checking, so the two cannot drift apart.
pub(crate) fn revision_payload(
    entry_id: i64,
    site_id: i64,
    section_id: i64,
    entry_type_id: i64,
    content: &Content,
) -> Value {
    json!({
        "entryId": entry_id,
        "siteId": site_id,
        "sectionId": section_id,
        "entryTypeId": entry_type_id,
        "content": content.to_json(),
    })
}

/// The heads this process has verified (or written): document → (sequence, artifact id).
#[derive(Default)]
pub(crate) struct VerifiedHeads {
    heads: Mutex<HashMap<String, (i64, String)>>,
}

impl VerifiedHeads {
    fn knows(&self, document: &str, seq: i64, artifact_id: &str) -> bool {
        let heads = self.heads.lock().unwrap_or_else(|p| p.into_inner());
        heads
            .get(document)
            .is_some_and(|(known_seq, known_id)| *known_seq == seq && known_id == artifact_id)
    }

    /// Records a verified head; an older one never replaces a newer.
    pub(crate) fn remember(&self, document: &str, seq: i64, artifact_id: &str) {
        let mut heads = self.heads.lock().unwrap_or_else(|p| p.into_inner());
        if heads.get(document).is_some_and(|(known, _)| *known > seq) {
            return;
        }
        if heads.len() >= MAX_REMEMBERED && !heads.contains_key(document) {
            heads.clear();
        }
        heads.insert(document.to_string(), (seq, artifact_id.to_string()));
    }
}

/// What is wrong with a live row, and the revision to restore from (if one is known).
struct Mismatch {
    problem: String,
    restore_from: Option<i64>,
}

/// The artifact id a live row's content implies (what its head revision must have signed),
/// or why its content cannot be read.
fn row_artifact_id(row: &EntryRow) -> ServiceResult<String> {
    row_content(row).map(|content| {
        canonical::artifact_id(&revision_payload(
            row.entry_id,
            row.site_id,
            row.section_id,
            row.entry_type_id,
            &content,
        ))
    })
}

impl Service {
    /// Refuses a live row that is not exactly what its head revision signed: an integrity
    /// error naming the entry and the revision that restores it.
    pub(crate) fn check_live_row(&self, row: &EntryRow) -> ServiceResult<()> {
        self.check_live_row_with(row, &row_artifact_id(row), None, None)
    }

    /// [`Self::check_live_row`] with the row's [`row_artifact_id`] computed, and its head
    /// already read (`Some`) or not (`None`); `parent`: the artifact id of the revision
    /// before the head, already read, with the head's seq.
    fn check_live_row_with(
        &self,
        row: &EntryRow,
        actual: &ServiceResult<String>,
        head: Option<Option<RevisionRow>>,
        parent: Option<(i64, Option<String>)>,
    ) -> ServiceResult<()> {
        let Some(mismatch) = self.live_row_mismatch(row, actual, head, parent)? else {
            return Ok(());
        };
        let error = ServiceError::new(
            ErrorKind::Integrity,
            format!(
                "entry {} in site {} was changed outside Imprint: {}. Refusing to serve it or build on it; ",
                row.entry_id, row.site_id, mismatch.problem
            ),
        );
        let entry_id = row.entry_id;
        Err(match mismatch.restore_from {
            Some(seq) => error.with_hint(
                Hint::default()
                    .either(
                        &format!(
                            "revert_entry with entryId {entry_id}, siteId {} and revision {seq}",
                            row.site_id
                        ),
                        Hint::default()
                            .step(NextStep::RevertEntry { entry_id })
                            .then(&format!(" with revision {seq} in site {}", row.site_id)),
                    )
                    .then(" restores its signed content (")
                    .step(NextStep::ListRevisions { entry_id })
                    .then(" shows the history)"),
            ),
            None => error.with_suffix(
                "no signed revision of it is left to restore from: restore the database from a backup",
            ),
        })
    }

    /// [`Self::check_live_row`] for several rows (search results).
    pub(crate) fn check_live_rows<'a>(
        &self,
        rows: impl IntoIterator<Item = &'a EntryRow>,
    ) -> ServiceResult<()> {
        // Each row's artifact id once; the heads of rows not verified before, read in one
        // round trip (a search's hits used to cost one each). A verified row needs nothing
        // more.
        let rows: Vec<(&EntryRow, ServiceResult<String>)> = rows
            .into_iter()
            .map(|row| (row, row_artifact_id(row)))
            .filter(|(row, actual)| !self.is_verified(row, actual))
            .collect();
        let documents: Vec<String> = rows
            .iter()
            .map(|(row, _)| document(row.entry_id, row.site_id))
            .collect();
        // One document is read by `live_row_mismatch` itself.
        let heads = if documents.len() > 1 {
            self.store().heads(&documents)?
        } else {
            Vec::new()
        };
        // The revisions before the heads (where a head is not a first revision), which
        // checking a head's place compares with its claimed parent: read together too,
        // not one round trip per hit.
        let wanted: Vec<(String, i64)> = heads
            .iter()
            .flatten()
            .filter(|head| head.seq > 1)
            .map(|head| (head.document.clone(), head.seq - 1))
            .collect();
        let mut parents = if wanted.len() > 1 {
            self.store().artifact_ids(&wanted)?
        } else {
            Vec::new()
        }
        .into_iter();
        let mut heads = heads.into_iter();
        rows.iter().try_for_each(|(row, actual)| {
            let head = heads.next();
            let parent = match &head {
                Some(Some(head)) if head.seq > 1 => parents.next().map(|id| (head.seq, id)),
                _ => None,
            };
            self.check_live_row_with(row, actual, head, parent)
        })
    }

    /// Whether the row is what a head verified before said (no read needed).
    fn is_verified(&self, row: &EntryRow, actual: &ServiceResult<String>) -> bool {
        actual.as_ref().is_ok_and(|actual| {
            self.inner.verified_heads.knows(
                &document(row.entry_id, row.site_id),
                row.head_seq,
                actual,
            )
        })
    }

    /// Records the head a write of this process just signed, so reading it back costs
    /// no signature check.
    pub(crate) fn remember_head(&self, row: &EntryRow, artifact_id: &str) {
        self.inner.verified_heads.remember(
            &document(row.entry_id, row.site_id),
            row.head_seq,
            artifact_id,
        );
    }

    fn live_row_mismatch(
        &self,
        row: &EntryRow,
        actual: &ServiceResult<String>,
        head: Option<Option<RevisionRow>>,
        parent: Option<(i64, Option<String>)>,
    ) -> ServiceResult<Option<Mismatch>> {
        let document = document(row.entry_id, row.site_id);
        let actual = match actual {
            Ok(actual) => actual.as_str(),
            Err(e) => {
                return Ok(Some(Mismatch {
                    problem: format!("its stored content is unreadable ({e})"),
                    restore_from: Some(row.head_seq),
                }));
            }
        };
        if self
            .inner
            .verified_heads
            .knows(&document, row.head_seq, actual)
        {
            return Ok(None);
        }
        let head = match head {
            Some(head) => head,
            None => self.store().head(&document)?,
        };
        let revision = match head {
            None => {
                return Ok(Some(Mismatch {
                    problem: "it has no signed revision".into(),
                    restore_from: None,
                }));
            }
            Some(head) if head.seq == row.head_seq => head,
            Some(head) if head.seq > row.head_seq => {
                // A write may have landed between reading the row and reading its head
                // (rows and revisions move together, in one transaction): the row is
                // sound if it has moved on since, and was what its own head signed.
                let moved_on = self
                    .store()
                    .content()
                    .entry(row.entry_id, row.site_id)?
                    .is_some_and(|fresh| fresh.head_seq > row.head_seq);
                let older = if moved_on {
                    self.store().revision(&document, row.head_seq)?
                } else {
                    None
                };
                match older {
                    Some(older) => older,
                    None => {
                        return Ok(Some(Mismatch {
                            problem: format!(
                                "the row says revision {} is the newest, but revision {} exists",
                                row.head_seq, head.seq
                            ),
                            restore_from: Some(head.seq),
                        }));
                    }
                }
            }
            Some(head) => {
                return Ok(Some(Mismatch {
                    problem: format!(
                        "the row says revision {}, but the newest revision is {}",
                        row.head_seq, head.seq
                    ),
                    restore_from: Some(head.seq),
                }));
            }
        };
        // A revision that fails verification is its own integrity error. The parent read
        // with the head is the one this revision needs unless the head moved on.
        let parent = parent
            .filter(|(seq, _)| *seq == revision.seq)
            .map(|(_, parent)| parent);
        self.verify_revision_with(&revision, parent)?;
        if revision.artifact_id != actual {
            return Ok(Some(Mismatch {
                problem: format!(
                    "its content differs from what revision {} signed",
                    revision.seq
                ),
                restore_from: Some(revision.seq),
            }));
        }
        self.inner
            .verified_heads
            .remember(&document, revision.seq, actual);
        Ok(None)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn verified_heads_never_go_back_and_stay_bounded() {
        let heads = VerifiedHeads::default();
        heads.remember("entry/1/1", 2, "b");
        heads.remember("entry/1/1", 1, "a");
        assert!(heads.knows("entry/1/1", 2, "b"));
        assert!(!heads.knows("entry/1/1", 1, "a"));
        assert!(!heads.knows("entry/1/1", 2, "tampered"));
        for n in 0..MAX_REMEMBERED + 1 {
            heads.remember(&format!("entry/{n}/9"), 1, "x");
        }
        assert!(heads.heads.lock().unwrap().len() <= MAX_REMEMBERED);
    }
}
