//! Revisions of entries: every write to a live entry appended one, signed by the
//! engine, so history is complete and tamper-evident. Reading one verifies it; a
//! revert is a new revision whose content is an old one.

use imprint_content::Content;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value, json};

use super::clamp_limit;
use super::entries::{EntryView, LiveWrite, busy, document, trashed};
use crate::Service;
use crate::api::Id;
use crate::error::{ServiceError, ServiceResult};
use crate::next::{Hint, NextStep, ToolWords};
use crate::revisions::MAX_RETRIES;

/// `list_revisions`: an entry's revisions, newest first.
#[derive(Debug, Clone, Deserialize, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ListRevisions {
    /// The entry (search_content finds entries).
    pub entry_id: Id,
    /// Which site's history (default: the primary site when the entry exists there).
    pub site_id: Option<Id>,
    /// How many, newest first (default 20, at most 100).
    pub limit: Option<u32>,
}

/// `get_revision`: one revision, verified.
#[derive(Debug, Clone, Deserialize, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct GetRevision {
    /// The entry.
    pub entry_id: Id,
    /// The revision number (list_revisions lists them).
    pub revision: Id,
    /// Which site (default: the primary site when the entry exists there).
    pub site_id: Option<Id>,
}

/// `revert_entry`: an old revision's content as a new revision.
#[derive(Debug, Clone, Deserialize, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct RevertEntry {
    /// The entry.
    pub entry_id: Id,
    /// The revision number to make current again (list_revisions lists them).
    pub revision: Id,
    /// Which site (default: the primary site when the entry exists there).
    pub site_id: Option<Id>,
}

/// One revision as `list_revisions` shows it; the metadata parts are as signed (null
/// when the revision's metadata lacks them).
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct RevisionSummary {
    pub revision: i64,
    pub artifact_id: String,
    pub created_at: Option<Value>,
    pub author: Option<Value>,
    pub action: Option<Value>,
    pub draft_id: Option<Value>,
    pub draft_name: Option<Value>,
    pub reverted_to: Option<Value>,
    pub parent_artifact_id: Option<Value>,
    /// Whether this is the entry's current revision.
    pub current: bool,
}

/// The answer of `revert_entry`: the entry as it now is, then the revision it took its
/// content from, the revision written and what happened.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct EntryReverted {
    #[serde(flatten)]
    pub entry: EntryView,
    pub reverted_to: i64,
    pub artifact_id: String,
    pub message: String,
}

/// The answer of `list_revisions`.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct RevisionList {
    pub entry_id: i64,
    pub site_id: i64,
    pub current_revision: i64,
    /// Newest first.
    pub revisions: Vec<RevisionSummary>,
    pub count: usize,
    pub message: String,
    /// What can follow, as data: read one revision, or revert to it.
    pub next: Hint,
}

/// The answer of `get_revision`: one verified revision, its content by field handle and
/// the whole signed envelope.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct RevisionView {
    pub entry_id: i64,
    pub site_id: i64,
    pub revision: i64,
    pub artifact_id: String,
    pub created_at: Option<Value>,
    pub author: Option<Value>,
    pub action: Option<Value>,
    /// Always true: a revision whose signature fails is an error, not an answer.
    pub verified: bool,
    pub signing_key_id: Option<Value>,
    pub content: Map<String, Value>,
    pub envelope: Value,
    pub url: String,
}

impl Service {
    pub fn list_revisions(&self, request: ListRevisions) -> ServiceResult<RevisionList> {
        let (entry_id, site_id) = (request.entry_id.get(), request.site_id.map(Id::get));
        let limit = request.limit;
        let rows = self.entry_rows_noted(
            entry_id,
            NextStep::GetEntry { entry_id },
            " (drafts have no revisions until applied)",
        )?;
        let row = self.pick_site_row(entry_id, rows, site_id)?;
        let revisions: Vec<RevisionSummary> = self
            .store()
            .history(
                &document(entry_id, row.site_id),
                clamp_limit(limit.or(Some(20))),
            )?
            .iter()
            .map(|r| {
                let metadata = r.envelope.get("metadata").cloned().unwrap_or(Value::Null);
                RevisionSummary {
                    revision: r.seq,
                    artifact_id: r.artifact_id.clone(),
                    created_at: r.envelope.get("created_at").cloned(),
                    author: metadata.get("author").cloned(),
                    action: metadata.get("action").cloned(),
                    draft_id: metadata.get("draft_id").cloned(),
                    draft_name: metadata.get("draft_name").cloned(),
                    reverted_to: metadata.get("reverted_to").cloned(),
                    parent_artifact_id: metadata.get("parent_artifact_id").cloned(),
                    current: r.seq == row.head_seq,
                }
            })
            .collect();
        let next = Hint::default()
            .step(NextStep::GetRevision { entry_id })
            .then(" shows one (verified), ")
            .step(NextStep::RevertEntry { entry_id })
            .then(" makes an old one current again");
        Ok(RevisionList {
            entry_id,
            site_id: row.site_id,
            current_revision: row.head_seq,
            count: revisions.len(),
            revisions,
            message: format!("newest first; {}", next.word(&ToolWords)),
            next,
        })
    }

    fn verified_revision(
        &self,
        entry_id: i64,
        site_id: i64,
        revision: i64,
    ) -> ServiceResult<imprint_store::RevisionRow> {
        let row = self
            .store()
            .revision(&document(entry_id, site_id), revision)?
            .ok_or_else(|| {
                ServiceError::not_found(format!(
                    "entry {entry_id} has no revision {revision} in site {site_id}"
                ))
                .with_hint(
                    Hint::text(": ")
                        .step(NextStep::ListRevisions { entry_id })
                        .then(" lists them"),
                )
            })?;
        self.verify_revision(&row)?;
        Ok(row)
    }

    pub fn get_revision(&self, request: GetRevision) -> ServiceResult<RevisionView> {
        let (entry_id, site_id) = (request.entry_id.get(), request.site_id.map(Id::get));
        let revision = request.revision.get();
        let rows = self.entry_rows(entry_id, NextStep::GetEntry { entry_id })?;
        let row = self.pick_site_row(entry_id, rows, site_id)?;
        let stored = self.verified_revision(entry_id, row.site_id, revision)?;
        let payload = stored
            .envelope
            .get("payload")
            .cloned()
            .unwrap_or(Value::Null);
        let content = Content::from_json(payload.get("content").unwrap_or(&Value::Null))?;
        let fields = self.all_field_defs()?;
        let mut shown: Map<String, Value> = content.attributes(&[]);
        for field in fields.iter().filter(|f| content.fields.contains_key(&f.id)) {
            shown.insert(field.handle.clone(), content.fields[&field.id].clone());
        }
        let metadata = stored
            .envelope
            .get("metadata")
            .cloned()
            .unwrap_or(Value::Null);
        Ok(RevisionView {
            entry_id,
            site_id: row.site_id,
            revision: stored.seq,
            artifact_id: stored.artifact_id.clone(),
            created_at: stored.envelope.get("created_at").cloned(),
            author: metadata.get("author").cloned(),
            action: metadata.get("action").cloned(),
            verified: true,
            signing_key_id: stored.envelope.get("signing_key_id").cloned(),
            content: shown,
            url: self.entry_url(entry_id),
            envelope: stored.envelope,
        })
    }

    pub fn revert_entry(&self, request: RevertEntry) -> ServiceResult<EntryReverted> {
        let (entry_id, site_id) = (request.entry_id.get(), request.site_id.map(Id::get));
        let revision = request.revision.get();
        for _ in 0..MAX_RETRIES {
            let rows = self.entry_rows(entry_id, NextStep::UpdateDraft { draft_id: entry_id })?;
            let row = self.pick_site_row(entry_id, rows, site_id)?;
            if row.deleted_at.is_some() {
                return Err(trashed(entry_id));
            }
            let stored = self.verified_revision(entry_id, row.site_id, revision)?;
            let content = Content::from_json(
                stored
                    .envelope
                    .pointer("/payload/content")
                    .unwrap_or(&Value::Null),
            )?;
            let schema = self.schema(row.entry_type_id)?;
            let section = self.section_row(row.section_id)?;
            let site = self.site_or_primary(Some(row.site_id))?;
            let mut extra = Map::new();
            extra.insert("reverted_to".into(), json!(revision));
            let write = LiveWrite {
                entry_id: Some(entry_id),
                site: &site,
                section: &section,
                schema: &schema,
                content,
                previous: Some(&row),
                draft: None,
                action: "revert",
                extra,
                check_required: true,
                author: None,
            };
            if let Some(written) = self.write_live(write)? {
                return Ok(EntryReverted {
                    entry: self.written_view(&written, &schema)?,
                    reverted_to: revision,
                    artifact_id: written.revision.artifact_id.clone(),
                    message: format!(
                        "entry {entry_id} now has the content of revision {revision}, as new revision {}; show the user {}",
                        written.row.head_seq,
                        self.entry_url(entry_id)
                    ),
                });
            }
        }
        Err(busy())
    }
}

crate::next::worded!(RevisionList);
