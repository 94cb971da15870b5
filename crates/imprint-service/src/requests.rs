//! Review before publish: an editor asks for a publish of a config draft
//! (`request_publish`) or for a content draft to be applied (`request_apply`); the
//! request freezes the draft version it was asked for. A publisher lists the open
//! requests with the diff against the latest (`list_requests`) and approves one
//! (`approve_request`: publishes exactly the frozen version, refused if the draft changed
//! since) or rejects it with a reason (`reject_request`). The revision an approval makes
//! records `requested_by`, `approved_by` and `request_id` in its signed metadata.
//!
//! Also here: `get_audit_log`, the audit log as admins read it.

use imprint_config::diff::FieldChange;
use imprint_content::Content;
use imprint_engine::timestamp;
use imprint_store::team::{Decision, RequestRow};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value, json};

use crate::api::Id;
use crate::config::{PublishConfig, Target};
use crate::content::ApplyDraft;
use crate::content::entries::row_content;
use crate::error::{ServiceError, ServiceResult};
use crate::next::{Draft, Hint, NextStep};
use crate::{Service, new_id, now_millis};
use imprint_store::content::EntryDraftRow;

/// `request_publish`: ask a publisher to publish a config draft as it is now.
#[derive(Debug, Clone, Default, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RequestPublish {
    /// Client id (default "claude-desktop").
    pub client_id: Option<String>,
    /// Profile id (default "default").
    pub profile_id: Option<String>,
    /// Draft to publish (default "default").
    pub draft_name: Option<String>,
    /// What changed and why: becomes the published artifact's changelog.
    pub changelog: Option<String>,
}

/// `request_apply`: ask a publisher to apply a content draft as it is now.
#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct RequestApply {
    /// The content draft to apply (list_drafts lists them).
    pub draft_id: Id,
    /// Why, shown to the publisher.
    pub notes: Option<String>,
}

/// `list_requests`.
#[derive(Debug, Clone, Default, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ListRequests {
    /// "open" (default), "approved", "rejected" or "all".
    pub status: Option<String>,
}

/// `approve_request`.
#[derive(Debug, Clone, Default, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ApproveRequest {
    /// The request to approve (list_requests lists them).
    pub request_id: String,
}

/// `reject_request`.
#[derive(Debug, Clone, Default, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RejectRequest {
    /// The request to reject (list_requests lists them).
    pub request_id: String,
    /// Why, shown to whoever asked.
    pub reason: String,
}

/// A request as it is shown.
#[derive(Debug, Clone, Serialize)]
pub struct RequestView {
    pub request_id: String,
    /// "config" (a publish) or "content" (an apply).
    pub kind: String,
    /// "open", "approved" or "rejected".
    pub status: String,
    /// Config: the client and profile.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub client_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub profile_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub draft_name: Option<String>,
    /// Content: the draft.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub draft_id: Option<i64>,
    /// The draft version asked for: approval publishes exactly this one.
    pub draft_version: i64,
    pub changelog: Option<String>,
    pub requested_by: String,
    pub requested_at: String,
    pub decided_by: Option<String>,
    pub decided_at: Option<String>,
    pub reason: Option<String>,
    /// What the approval published.
    pub artifact_id: Option<String>,
}

/// One open request with what it would change (in `list_requests`).
#[derive(Debug, Clone, Serialize)]
pub struct RequestWithDiff {
    #[serde(flatten)]
    pub request: RequestView,
    /// The draft's version now; approval is refused unless it is still `draft_version`.
    pub current_version: Option<i64>,
    /// Config: from the latest published artifact (nothing, before the first publish) to
    /// the draft, secret values redacted. Content: from the live entry (nothing, for a
    /// draft from scratch) to the draft, by attribute and field handle ([`ContentDiff`]).
    /// `null` when the draft is gone.
    pub diff: Value,
}

/// What applying a content draft changes in the live entry: native attributes (`title`,
/// `slug`, `postDate`, `expiryDate`, `enabled`) and custom fields by handle. A value that is
/// unset (null) on one side counts as added or removed.
#[derive(Debug, Clone, Default, Serialize, PartialEq)]
pub struct ContentDiff {
    /// The live entry compared with (`None`: a draft from scratch, nothing live yet).
    pub entry_id: Option<i64>,
    pub site_id: i64,
    /// Set in the draft, unset in the live entry.
    pub fields_added: Vec<String>,
    /// Set in the live entry, unset in the draft.
    pub fields_removed: Vec<String>,
    /// Set in both, to different values.
    pub fields_modified: Vec<String>,
    /// Every change, old → new, attributes first, then fields in the entry type's order.
    pub changes: Vec<FieldChange>,
}

/// Compares two attribute maps (as `Content::attributes` gives them), in `new`'s order.
fn attribute_diff(old: &Map<String, Value>, new: &Map<String, Value>) -> ContentDiff {
    let mut diff = ContentDiff::default();
    let set = |map: &Map<String, Value>, key: &str| map.get(key).filter(|v| !v.is_null()).cloned();
    let keys = new
        .keys()
        .chain(old.keys().filter(|key| !new.contains_key(*key)));
    for key in keys {
        let (before, after) = (set(old, key), set(new, key));
        let list = match (&before, &after) {
            (None, None) => continue,
            (Some(b), Some(a)) if a == b => continue,
            (None, Some(_)) => &mut diff.fields_added,
            (Some(_), None) => &mut diff.fields_removed,
            (Some(_), Some(_)) => &mut diff.fields_modified,
        };
        list.push(key.clone());
        diff.changes.push(FieldChange {
            path: key.clone(),
            before,
            after,
        });
    }
    diff
}

/// The answer of `list_requests`.
#[derive(Debug, Clone, Serialize)]
pub struct RequestList {
    pub requests: Vec<RequestWithDiff>,
    pub count: usize,
}

/// The answer of `request_publish`, `request_apply` and `reject_request`.
#[derive(Debug, Clone, Serialize)]
pub struct RequestAnswer {
    #[serde(flatten)]
    pub request: RequestView,
    pub message: String,
    /// What can follow (the end of `message`, in tool names there): not serialized, so MCP's
    /// answer stays as it was; REST and the CLI word the message with it.
    #[serde(skip)]
    pub next: Hint,
}

/// What follows asking: a publisher approves request `request_id` (MCP's text names the
/// tool with the id after it).
fn approval(request_id: &str) -> Hint {
    Hint::text(": a publisher approves it (")
        .either(
            &format!("approve_request {request_id}"),
            Hint::default().step(NextStep::ApproveRequest {
                request_id: request_id.to_string(),
            }),
        )
        .then(") or rejects it; changing the draft now makes approval refuse")
}

crate::next::worded!(RequestAnswer);

/// The answer of `approve_request`.
#[derive(Debug, Clone, Serialize)]
pub struct RequestApproved {
    #[serde(flatten)]
    pub request: RequestView,
    /// What the publish or apply answered.
    pub result: Value,
    pub message: String,
}

/// `get_audit_log`.
#[derive(Debug, Clone, Default, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct GetAuditLog {
    /// How many entries, newest first (default 100, at most 10000).
    pub limit: Option<u32>,
}

/// One audit entry.
#[derive(Debug, Clone, Serialize)]
pub struct AuditEntry {
    pub seq: i64,
    pub at: String,
    /// Who: the token's name, or the machine's owner.
    pub actor: String,
    pub token_id: Option<String>,
    pub role: String,
    /// `mcp-stdio`, `mcp-http`, `rest`, `panel` or `cli`.
    pub surface: String,
    pub operation: String,
    pub target: String,
}

/// The answer of `get_audit_log`.
#[derive(Debug, Clone, Serialize)]
pub struct AuditLog {
    /// Newest first.
    pub entries: Vec<AuditEntry>,
    pub count: usize,
}

fn view(row: &RequestRow) -> RequestView {
    let (client_id, profile_id, draft_id) = match row.kind.as_str() {
        "config" => {
            let (client, profile) = row.target.split_once('/').unwrap_or((&row.target, ""));
            (Some(client.to_string()), Some(profile.to_string()), None)
        }
        _ => (None, None, row.target.parse().ok()),
    };
    RequestView {
        request_id: row.id.clone(),
        kind: row.kind.clone(),
        status: row.status.clone(),
        client_id,
        profile_id,
        draft_name: row.draft_name.clone(),
        draft_id,
        draft_version: row.draft_version,
        changelog: row.changelog.clone(),
        requested_by: row.requested_by.clone(),
        requested_at: timestamp::rfc3339_millis(row.requested_at),
        decided_by: row.decided_by.clone(),
        decided_at: row.decided_at.map(timestamp::rfc3339_millis),
        reason: row.reason.clone(),
        artifact_id: row.artifact_id.clone(),
    }
}

fn config_target(row: &RequestRow) -> ServiceResult<Target> {
    let (client, profile) = row.target.split_once('/').unwrap_or((&row.target, ""));
    Target::new(Some(client), Some(profile), row.draft_name.as_deref())
}

impl Service {
    pub fn request_publish(&self, request: RequestPublish) -> ServiceResult<RequestAnswer> {
        let target = Target::new(
            request.client_id.as_deref(),
            request.profile_id.as_deref(),
            request.draft_name.as_deref(),
        )?;
        let draft = self
            .store()
            .find_draft(&target.document(), &target.draft_name)?
            .ok_or_else(|| {
                ServiceError::not_found(format!(
                    "no draft '{}' of {}/{} to ask a publish for",
                    target.draft_name, target.client_id, target.profile_id
                ))
                .with_hint(
                    Hint::text(": add servers to it first (")
                        .step(NextStep::AddServer(Draft::new(
                            &target.client_id,
                            &target.profile_id,
                            &target.draft_name,
                        )))
                        .then(")"),
                )
            })?;
        let row = self.new_request(
            "config",
            format!("{}/{}", target.client_id, target.profile_id),
            Some(target.draft_name.clone()),
            draft.version,
            request.changelog,
        )?;
        let next = approval(&row.id);
        Ok(RequestAnswer {
            message: format!(
                "asked for a publish of draft '{}' of {}/{} at version {}{}",
                target.draft_name,
                target.client_id,
                target.profile_id,
                draft.version,
                next.word(&crate::next::ToolWords)
            ),
            request: view(&row),
            next,
        })
    }

    pub fn request_apply(&self, request: RequestApply) -> ServiceResult<RequestAnswer> {
        let draft_id = request.draft_id.get();
        let draft = self
            .store()
            .content()
            .entry_draft(draft_id)?
            .ok_or_else(|| {
                ServiceError::not_found(format!(
                    "draftId {draft_id} does not exist (applied or deleted?)"
                ))
                .with_hint(
                    Hint::text(": ")
                        .step(NextStep::ListDrafts)
                        .then(" lists the drafts"),
                )
            })?;
        let row = self.new_request(
            "content",
            draft_id.to_string(),
            None,
            draft.version,
            request.notes,
        )?;
        let next = approval(&row.id);
        Ok(RequestAnswer {
            message: format!(
                "asked for draft {draft_id} to be applied at version {}{}",
                draft.version,
                next.word(&crate::next::ToolWords)
            ),
            request: view(&row),
            next,
        })
    }

    fn new_request(
        &self,
        kind: &str,
        target: String,
        draft_name: Option<String>,
        draft_version: i64,
        changelog: Option<String>,
    ) -> ServiceResult<RequestRow> {
        let row = RequestRow {
            id: new_id()?,
            kind: kind.into(),
            target,
            draft_name,
            draft_version,
            changelog: changelog.filter(|c| !c.trim().is_empty()),
            requested_by: self.actor().to_string(),
            requested_at: now_millis(),
            status: "open".into(),
            decided_by: None,
            decided_at: None,
            reason: None,
            artifact_id: None,
        };
        self.store().team().create_request(&row)?;
        Ok(row)
    }

    pub fn list_requests(&self, request: ListRequests) -> ServiceResult<RequestList> {
        let status = match request.status.as_deref().unwrap_or("open") {
            "all" => None,
            status @ ("open" | "approved" | "rejected") => Some(status),
            other => {
                return Err(ServiceError::invalid(format!(
                    "status '{other}' is not one of open, approved, rejected or all"
                )));
            }
        };
        let mut requests = Vec::new();
        for row in self.store().team().list_requests(status)? {
            let (current_version, diff) = if row.status == "open" {
                self.request_diff(&row)?
            } else {
                (None, Value::Null)
            };
            requests.push(RequestWithDiff {
                request: view(&row),
                current_version,
                diff,
            });
        }
        Ok(RequestList {
            count: requests.len(),
            requests,
        })
    }

    /// The draft's version now and what it would change.
    fn request_diff(&self, row: &RequestRow) -> ServiceResult<(Option<i64>, Value)> {
        if row.kind == "content" {
            let draft_id: i64 = row.target.parse().unwrap_or_default();
            let Some(draft) = self.store().content().entry_draft(draft_id)? else {
                return Ok((None, Value::Null));
            };
            let diff = self.content_diff(&draft)?;
            return Ok((
                Some(draft.version),
                serde_json::to_value(diff).unwrap_or(Value::Null),
            ));
        }
        let target = config_target(row)?;
        let Some(draft) = self
            .store()
            .find_draft(&target.document(), &target.draft_name)?
        else {
            return Ok((None, Value::Null));
        };
        let (_, _, payload) = self.rendered_draft(&target)?;
        // From the latest (nothing, before the first publish) to the draft: what approval adds.
        let latest = match self.store().head(&target.document())? {
            Some(head) => {
                self.verify_revision(&head)?;
                head.envelope.get("payload").cloned().unwrap_or(json!({}))
            }
            None => json!({}),
        };
        let mut diff = imprint_config::diff::diff_payloads(&latest, &payload);
        imprint_config::redact::redact_changes(&mut diff);
        Ok((
            Some(draft.version),
            serde_json::to_value(diff).unwrap_or(Value::Null),
        ))
    }

    /// A content draft against the live entry it would replace (verified before it is
    /// shown, like every live row), or against nothing for a draft from scratch.
    fn content_diff(&self, draft: &EntryDraftRow) -> ServiceResult<ContentDiff> {
        let schema = self.schema(draft.entry_type_id)?;
        let new = Content::from_json(&draft.content)?.attributes(&schema.fields);
        let live = match draft.canonical_id {
            Some(entry_id) => self.store().content().entry(entry_id, draft.site_id)?,
            None => None,
        };
        let old = match &live {
            Some(row) => {
                self.check_live_row(row)?;
                row_content(row)?.attributes(&schema.fields)
            }
            None => Map::new(),
        };
        Ok(ContentDiff {
            entry_id: live.as_ref().map(|row| row.entry_id),
            site_id: draft.site_id,
            ..attribute_diff(&old, &new)
        })
    }

    fn open_request(&self, request_id: &str) -> ServiceResult<RequestRow> {
        let row = self
            .store()
            .team()
            .request(request_id.trim())?
            .ok_or_else(|| {
                ServiceError::not_found(format!("no request '{request_id}'")).with_hint(
                    Hint::text(": ")
                        .step(NextStep::ListRequests)
                        .then(" lists them"),
                )
            })?;
        if row.status != "open" {
            return Err(ServiceError::conflict(format!(
                "request {} was already {} by {}",
                row.id,
                row.status,
                row.decided_by.as_deref().unwrap_or("someone")
            )));
        }
        Ok(row)
    }

    pub fn approve_request(&self, request: ApproveRequest) -> ServiceResult<RequestApproved> {
        let row = self.open_request(&request.request_id)?;
        let (current, _) = self.request_diff(&row)?;
        if current != Some(row.draft_version) {
            let now = current.map_or_else(
                || "is gone".to_string(),
                |v| format!("is now at version {v}"),
            );
            return Err(ServiceError::conflict(format!(
                "request {} froze draft version {} but the draft {now}: nothing was published; ask for a new publish of the current version, or reject this request",
                row.id, row.draft_version
            ))
            .with_details(json!({
                "requested_version": row.draft_version,
                "current_version": current,
            })));
        }
        let mut review = Map::new();
        review.insert("request_id".into(), json!(row.id));
        review.insert("requested_by".into(), json!(row.requested_by));
        review.insert("approved_by".into(), json!(self.actor()));
        let (artifact_id, result) = if row.kind == "content" {
            let applied = self.apply_draft_with(
                ApplyDraft {
                    draft_id: Id(row.target.parse::<i64>().unwrap_or_default()),
                    expected_version: Some(row.draft_version),
                },
                &review,
            )?;
            (applied.artifact_id.clone(), serde_json::to_value(&applied))
        } else {
            let target = config_target(&row)?;
            let published = self.publish_config_with(
                PublishConfig {
                    changelog: row.changelog.clone(),
                    client_id: Some(target.client_id),
                    profile_id: Some(target.profile_id),
                    draft_name: Some(target.draft_name),
                    expected_version: Some(row.draft_version),
                },
                review,
            )?;
            (
                published.artifact_id.clone(),
                serde_json::to_value(&published),
            )
        };
        let decided = Decision {
            status: "approved",
            decided_by: self.actor(),
            decided_at: now_millis(),
            reason: None,
            artifact_id: Some(&artifact_id),
        };
        if !self.store().team().decide_request(&row.id, &decided)? {
            tracing::warn!(request_id = %row.id, "a request was decided twice at once");
        }
        let row = self.store().team().request(&row.id)?.unwrap_or(row);
        Ok(RequestApproved {
            message: format!(
                "approved request {} from {}: {} is live, signed with both names",
                row.id, row.requested_by, artifact_id
            ),
            request: view(&row),
            result: result.unwrap_or(Value::Null),
        })
    }

    pub fn reject_request(&self, request: RejectRequest) -> ServiceResult<RequestAnswer> {
        if request.reason.trim().is_empty() {
            return Err(ServiceError::invalid(
                "reason is empty: say why, so whoever asked can fix it",
            ));
        }
        let row = self.open_request(&request.request_id)?;
        let decided = Decision {
            status: "rejected",
            decided_by: self.actor(),
            decided_at: now_millis(),
            reason: Some(request.reason.trim()),
            artifact_id: None,
        };
        if !self.store().team().decide_request(&row.id, &decided)? {
            return Err(ServiceError::conflict(format!(
                "request {} was decided meanwhile",
                row.id
            ))
            .with_hint(
                Hint::text(": ")
                    .step(NextStep::ListRequests)
                    .then(" shows it"),
            ));
        }
        let row = self.store().team().request(&row.id)?.unwrap_or(row);
        Ok(RequestAnswer {
            message: format!("rejected request {} from {}", row.id, row.requested_by),
            request: view(&row),
            next: Hint::default(),
        })
    }

    pub fn get_audit_log(&self, request: GetAuditLog) -> ServiceResult<AuditLog> {
        let limit = request.limit.unwrap_or(100).clamp(1, 10_000) as usize;
        let entries: Vec<AuditEntry> = self
            .store()
            .team()
            .audit_log(limit)?
            .into_iter()
            .map(|row| AuditEntry {
                seq: row.seq,
                at: timestamp::rfc3339_millis(row.at),
                actor: row.actor,
                token_id: row.token_id,
                role: row.role,
                surface: row.surface,
                operation: row.operation,
                target: row.target,
            })
            .collect();
        Ok(AuditLog {
            count: entries.len(),
            entries,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_content_diff_names_added_removed_and_modified_fields_old_to_new() {
        let old = json!({"title": "Otters", "slug": "otters", "enabled": true, "body": "rivers", "summary": null, "tags": ["a"]});
        let new = json!({"title": "Sea otters", "slug": "otters", "enabled": true, "body": null, "summary": "fish", "tags": ["a"]});
        let diff = attribute_diff(old.as_object().unwrap(), new.as_object().unwrap());
        assert_eq!(diff.fields_added, ["summary"]);
        assert_eq!(diff.fields_removed, ["body"]);
        assert_eq!(diff.fields_modified, ["title"]);
        let title = diff.changes.iter().find(|c| c.path == "title").unwrap();
        assert_eq!(title.before, Some(json!("Otters")));
        assert_eq!(title.after, Some(json!("Sea otters")));
        assert_eq!(diff.changes.len(), 3, "{diff:?}");
        // Against nothing (a draft from scratch), everything set is added.
        let fresh = attribute_diff(&Map::new(), new.as_object().unwrap());
        assert!(fresh.fields_removed.is_empty() && fresh.fields_modified.is_empty());
        assert!(fresh.fields_added.contains(&"title".to_string()));
        assert!(
            !fresh.fields_added.contains(&"body".to_string()),
            "null is unset"
        );
    }
}
