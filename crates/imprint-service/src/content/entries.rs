//! Entries: create, read, update (PATCH), trash/restore/delete — and the one
//! write path every live change goes through ([`Service::write_live`]): finish the
//! content (title format, post date, unique slug, URI), check it, sign a revision, and
//! hand the row, the revision and the search text to the store as one transaction.

use std::collections::HashSet;

use imprint_content::{Content, slug, template};
use imprint_engine::timestamp;
use imprint_store::RevisionRow;
use imprint_store::StoreError;
use imprint_store::content::{EntryRow, EntryWrite, Scope, SectionRow, SiteRow, WriteCheck};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value, json};

use super::drafts::DraftView;
use super::propagation::requested_sites;
use super::sections::{max_authors, propagation_method, site_settings_for};
use super::{ENTRY_REVISION_FORMAT, Removed, Schema, unknown_site};
use crate::api::{Flag, Id, IdList, JsonObject};
use crate::error::{ServiceError, ServiceResult};
use crate::next::{Hint, NextStep};
use crate::revisions::{MAX_RETRIES, NewRevision};
use crate::{Service, now_millis};

/// One entry for [`Service::bulk_create_entries`]: `attributeAndFieldData` as for
/// `create_entry`.
pub type SeedEntry = Map<String, Value>;

/// `create_entry`: a live entry, right away.
#[derive(Debug, Clone, Deserialize, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct CreateEntry {
    /// The section of the new entry (get_sections lists them).
    pub section_id: Id,
    /// Its entry type (default: the section's first; get_sections shows each section's entryTypes).
    pub entry_type_id: Option<Id>,
    /// The site (default: the primary site; get_sites lists them).
    pub site_id: Option<Id>,
    /// Native attributes (title, slug, postDate, expiryDate, enabled, authorId or authorIds: user ids, at most the section's maxAuthors) and custom fields by handle, flat: {"title": "Hello", "body": "<p>Hi</p>", "price": 12.5}. The slug is derived from the title when omitted and made unique.
    pub attribute_and_field_data: Option<JsonObject>,
    /// Sections with propagationMethod "custom" only: the other sites to save the entry to as well (Craft's "let each entry choose which sites it should be saved to"), e.g. [2, 3].
    pub site_ids: Option<IdList>,
}

/// `get_entry`: an entry (or a draft) with its attributes and fields.
#[derive(Debug, Clone, Deserialize, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct GetEntry {
    /// An entry id, or a draft id (the draft is shown with its draft metadata).
    pub entry_id: Id,
    /// Which site's content (default: the primary site when the entry exists there).
    pub site_id: Option<Id>,
}

/// `update_entry`: PATCH a live entry.
#[derive(Debug, Clone, Deserialize, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct UpdateEntry {
    /// The live entry to change (for a draft, use update_draft).
    pub entry_id: Id,
    /// Only the keys given change (null clears one): native attributes (title, slug, postDate, expiryDate, enabled, authorId or authorIds) and field handles, flat.
    pub attribute_and_field_data: JsonObject,
    /// Which site's content (default: the primary site when the entry exists there).
    pub site_id: Option<Id>,
    /// Sections with propagationMethod "custom" only: more sites to save the entry to (it stays in the sites it is in), e.g. [3].
    pub site_ids: Option<IdList>,
}

/// `delete_entry`: to the trash, or for good.
#[derive(Debug, Clone, Deserialize, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct DeleteEntry {
    /// The entry to delete.
    pub entry_id: Id,
    /// Delete for good, with its drafts and revisions (default false: move it to the trash, restorable with restore_entry).
    #[serde(alias = "permanently")]
    pub permanently_delete: Option<Flag>,
}

/// `restore_entry`: back from the trash.
#[derive(Debug, Clone, Deserialize, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct RestoreEntry {
    /// The trashed entry.
    pub entry_id: Id,
}

/// Everything [`Service::write_live`] needs to write one entry in one site.
pub(crate) struct LiveWrite<'a> {
    /// `None`: a new entry (its id is allocated in the write's transaction).
    pub entry_id: Option<i64>,
    pub site: &'a SiteRow,
    pub section: &'a SectionRow,
    pub schema: &'a Schema,
    pub content: Content,
    /// The row being replaced, if the entry exists in this site.
    pub previous: Option<&'a EntryRow>,
    /// `(draft id, version)` when applying a draft (deleted in the same transaction).
    pub draft: Option<(i64, i64)>,
    /// `create`, `update`, `apply_draft`, `revert`.
    pub action: &'a str,
    /// More revision metadata (draft name, reverted-to revision).
    pub extra: Map<String, Value>,
    /// Required fields and the title are enforced for live content; the auto-created
    /// entry of a single section is exempt (it starts empty by design).
    pub check_required: bool,
    /// `authorId`/`authorIds` given with the write (`user:1,user:2`); `None` keeps the
    /// previous author (a new entry: the caller).
    pub author: Option<String>,
}

pub(crate) fn document(entry_id: i64, site_id: i64) -> String {
    format!("entry/{entry_id}/{site_id}")
}

/// The content stored in an entry row.
pub(crate) fn row_content(row: &EntryRow) -> ServiceResult<Content> {
    let mut content = Content::from_json(&json!({"fields": row.fields}))?;
    content.title = row.title.clone();
    content.slug = Some(row.slug.clone());
    content.post_date = row.post_date;
    content.expiry_date = row.expiry_date;
    content.enabled = row.enabled;
    Ok(content)
}

fn fields_json(content: &Content) -> Value {
    content
        .to_json()
        .get("fields")
        .cloned()
        .unwrap_or_else(|| json!({}))
}

/// The text of a value for a title format.
fn plain(value: &Value) -> String {
    match value {
        Value::String(s) => s.clone(),
        Value::Array(items) => items.iter().map(plain).collect::<Vec<_>>().join(", "),
        Value::Null => String::new(),
        other => other.to_string(),
    }
}

/// A live entry in one site, as the entry operations show it.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct EntryView {
    pub entry_id: i64,
    pub id: i64,
    pub site_id: i64,
    pub section_id: i64,
    pub entry_type_id: i64,
    pub uri: Option<String>,
    pub status: String,
    pub author: Option<String>,
    /// The author's user id when one was set with `authorId`/`authorIds` (else null).
    pub author_id: Option<i64>,
    pub author_ids: Vec<i64>,
    pub date_created: String,
    pub date_updated: String,
    pub revision: i64,
    pub trashed: bool,
    /// The sites the entry exists in.
    pub site_ids: Vec<i64>,
    /// Always false here (a [`DraftView`] says true), so a reader of `get_entry` can tell.
    pub is_draft: bool,
    /// `title`, `slug`, `postDate`, `expiryDate`, `enabled`, then the custom fields of the
    /// entry type's layout by handle (free-form values).
    #[serde(flatten)]
    pub attributes: Map<String, Value>,
    pub url: String,
}

/// The answer of `get_entry`: a live entry, or the draft an id names (a draft from
/// scratch has only a draft id).
#[derive(Debug, Clone, Serialize)]
#[serde(untagged)]
pub enum EntryOrDraft {
    Entry(EntryView),
    Draft(DraftView),
}

/// The answer of `create_entry` and `update_entry`: the entry, the revision written, then
/// what happened.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct EntryWritten {
    #[serde(flatten)]
    pub entry: EntryView,
    pub artifact_id: String,
    pub message: String,
}

/// The answer of `restore_entry`.
#[derive(Debug, Clone, Serialize)]
pub struct EntryRestored {
    #[serde(flatten)]
    pub entry: EntryView,
    /// False when the entry was not in the trash.
    pub restored: bool,
    pub message: String,
}

/// The answer of `delete_entry`.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct EntryDeleted {
    pub entry_id: i64,
    pub deleted: bool,
    /// False: moved to (or left in) the trash.
    pub permanently_deleted: bool,
    /// Only for a permanent delete: the rows removed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub impact: Option<Removed>,
    /// The Craft plugin's names: `deletedPermanently` (= permanentlyDeleted) and
    /// `restoreUrl`, the control panel page restoring a trashed entry (null when gone for good).
    pub deleted_permanently: bool,
    pub restore_url: Option<String>,
    pub message: String,
    /// What can follow (the end of `message`, in tool names there): not serialized, so MCP's
    /// answer stays as it was; REST and the CLI word the message with it.
    #[serde(skip)]
    pub next: Hint,
}

crate::next::worded!(EntryDeleted);

impl Service {
    /// The entry in a site: the given one, else the primary site when it exists there,
    /// else the first site it exists in.
    pub(crate) fn pick_site_row(
        &self,
        entry_id: i64,
        rows: Vec<EntryRow>,
        site_id: Option<i64>,
    ) -> ServiceResult<EntryRow> {
        let sites: Vec<i64> = rows.iter().map(|r| r.site_id).collect();
        match site_id {
            Some(site_id) => {
                if self.store().content().site(site_id)?.is_none() {
                    return Err(unknown_site(site_id));
                }
                rows.into_iter().find(|r| r.site_id == site_id).ok_or_else(|| {
                    ServiceError::not_found(format!(
                        "entry {entry_id} does not exist in site {site_id} (it exists in site(s) {sites:?})"
                    ))
                    .with_hint(
                        Hint::text(": ")
                            .either(
                                &format!(
                                    "create_draft with canonicalId {entry_id} and siteId {site_id}, then apply_draft"
                                ),
                                Hint::default()
                                    .step(NextStep::CreateDraft {
                                        canonical_id: Some(entry_id),
                                    })
                                    .then(&format!(" for site {site_id}, then apply that draft")),
                            )
                            .then(", adds it there"),
                    )
                })
            }
            None => {
                let primary = self.site_or_primary(None)?.id;
                let position = rows.iter().position(|r| r.site_id == primary).unwrap_or(0);
                rows.into_iter()
                    .nth(position)
                    .ok_or_else(|| ServiceError::internal("an entry without rows"))
            }
        }
    }

    /// A live entry's rows, or an error that says what the id is instead.
    /// The live rows of an entry; an id that is a draft's is refused naming `for_drafts`,
    /// the step that does the same to a draft.
    pub(crate) fn entry_rows(
        &self,
        entry_id: i64,
        for_drafts: NextStep,
    ) -> ServiceResult<Vec<EntryRow>> {
        self.entry_rows_noted(entry_id, for_drafts, "")
    }

    /// [`Self::entry_rows`] with a note after the step (why it is the one to use).
    pub(crate) fn entry_rows_noted(
        &self,
        entry_id: i64,
        for_drafts: NextStep,
        note: &str,
    ) -> ServiceResult<Vec<EntryRow>> {
        let rows = self.store().content().entry_sites(entry_id)?;
        if !rows.is_empty() {
            return Ok(rows);
        }
        if let Some(draft) = self.store().content().entry_draft(entry_id)? {
            let as_tools = format!(
                "{}{note} with draftId {entry_id}",
                crate::next::tool_name(&for_drafts)
            );
            return Err(ServiceError::invalid(format!(
                "{entry_id} is a draft ({}), not a live entry",
                draft.name
            ))
            .with_hint(
                Hint::text(": use ").either(&as_tools, Hint::default().step(for_drafts).then(note)),
            ));
        }
        Err(entry_not_found(entry_id))
    }

    fn check_relations(&self, content: &Content, schema: &Schema) -> ServiceResult<()> {
        let relations = content.relations(&schema.fields);
        if relations.is_empty() {
            return Ok(());
        }
        let sections = self.store().content().sections()?;
        for (field, id) in relations {
            let rows = self.store().content().entry_sites(id)?;
            let Some(target) = rows.iter().find(|r| r.deleted_at.is_none()) else {
                let is_draft = self.store().content().entry_draft(id)?.is_some();
                let what = if is_draft {
                    "is a draft"
                } else if !rows.is_empty() {
                    "is in the trash"
                } else {
                    "does not exist"
                };
                let error = ServiceError::invalid(format!(
                    "field '{}' relates entry {id}, which {what}",
                    field.handle
                ));
                return Err(if is_draft {
                    error.with_hint(
                        Hint::text(": relate a live entry (")
                            .step(NextStep::ApplyDraft { draft_id: id })
                            .then(" first)"),
                    )
                } else {
                    error
                });
            };
            if let Some(sources) = imprint_content::FieldType::sources(&field.settings) {
                let section = sections.iter().find(|s| s.id == target.section_id);
                let allowed = sources.iter().any(|source| match source {
                    Value::Number(n) => n.as_i64() == Some(target.section_id),
                    Value::String(s) => section.is_some_and(|sec| {
                        s.strip_prefix("section:")
                            .is_some_and(|h| h == sec.handle || h == sec.id.to_string())
                    }),
                    _ => false,
                });
                if !allowed {
                    return Err(ServiceError::invalid(format!(
                        "field '{}' relates entries from {} only; entry {id} is in section {}",
                        field.handle,
                        imprint_content::show(&Value::Array(sources)),
                        section.map_or_else(
                            || target.section_id.to_string(),
                            |s| format!("'{}'", s.handle)
                        )
                    )));
                }
            }
        }
        Ok(())
    }

    /// A slug no other entry of the section and site holds: the wanted one, else with
    /// `-2`, `-3`, … (point lookups on the slug index, never a scan).
    pub(crate) fn unique_slug(
        &self,
        section_id: i64,
        site_id: i64,
        wanted: &str,
        entry_id: Option<i64>,
        reserved: &HashSet<String>,
    ) -> ServiceResult<String> {
        let free = |candidate: &str| -> ServiceResult<bool> {
            if reserved.contains(candidate) {
                return Ok(false);
            }
            let owner = self
                .store()
                .content()
                .slug_owner(section_id, site_id, candidate)?;
            Ok(owner.is_none() || owner == entry_id)
        };
        if free(wanted)? {
            return Ok(wanted.to_string());
        }
        for n in 2..=20 {
            let candidate = format!("{wanted}-{n}");
            if free(&candidate)? {
                return Ok(candidate);
            }
        }
        loop {
            let candidate = format!("{wanted}-{}", &crate::new_id()?[..6]);
            if free(&candidate)? {
                return Ok(candidate);
            }
        }
    }

    /// Finishes `content` for a live write: title from the format, post date, values
    /// re-checked against the current fields, required fields, relations.
    pub(super) fn finish_content(&self, write: &mut LiveWrite<'_>, now: i64) -> ServiceResult<()> {
        let schema = write.schema;
        write.content.revalidate(&schema.fields)?;
        if !schema.entry_type.has_title_field
            && let Some(format) = &schema.entry_type.title_format
        {
            let content = &write.content;
            let title = template::render("titleFormat", format, &|token| {
                if let Some(field) = schema.fields.iter().find(|f| f.handle == token) {
                    return Some(content.fields.get(&field.id).map(plain).unwrap_or_default());
                }
                match token {
                    "section.handle" => Some(write.section.handle.clone()),
                    "type.handle" => Some(schema.entry_type.handle.clone()),
                    _ => None,
                }
            })?;
            write.content.title = Some(title.trim().to_string()).filter(|t| !t.is_empty());
        }
        if write.content.enabled && write.content.post_date.is_none() {
            write.content.post_date = Some(now);
        }
        if write.check_required {
            write
                .content
                .check_required(schema.needs_title(), &schema.fields)?;
        }
        self.check_relations(&write.content, schema)?;
        Ok(())
    }

    /// Writes one entry in one site. `Ok(None)` means another writer moved the entry,
    /// the draft or the slug meanwhile: the caller re-reads and retries.
    pub(crate) fn write_live(&self, mut write: LiveWrite<'_>) -> ServiceResult<Option<EntryWrite>> {
        let now = now_millis();
        let (check, parent_artifact_id) = self.prepare_live(&mut write, now)?;
        let key = self.signing_key()?;
        let expected_head = check.expected_head;
        let mut build = |entry_id: i64| -> Result<EntryWrite, StoreError> {
            self.build_write(
                &write,
                entry_id,
                expected_head.unwrap_or(0) + 1,
                parent_artifact_id.clone(),
                &key,
                now,
            )
        };
        let written = live_outcome(self.store().content().write_entry(check, &mut build))?;
        if let Some(written) = &written {
            self.remember_head(&written.row, &written.revision.artifact_id);
        }
        Ok(written)
    }

    /// Readies a write for the store: the content finished, a slug unique in its site, and
    /// what the store checks (the head read) with the parent revision's artifact id.
    pub(crate) fn prepare_live(
        &self,
        write: &mut LiveWrite<'_>,
        now: i64,
    ) -> ServiceResult<(WriteCheck, Option<String>)> {
        self.finish_content(write, now)?;
        let site_id = write.site.id;
        let wanted = write
            .content
            .slug
            .clone()
            .or_else(|| {
                write
                    .content
                    .title
                    .as_deref()
                    .map(slug::slugify)
                    .filter(|s| !s.is_empty())
            })
            .unwrap_or_else(|| "entry".to_string());
        let slug = self.unique_slug(
            write.section.id,
            site_id,
            &wanted,
            write.entry_id,
            &HashSet::new(),
        )?;
        write.content.slug = Some(slug);
        let expected_head = write.previous.map(|p| p.head_seq);
        let parent_artifact_id = match (write.entry_id, expected_head) {
            (Some(entry_id), Some(head)) => self
                .store()
                .revision(&document(entry_id, site_id), head)?
                .map(|r| r.artifact_id),
            _ => None,
        };
        let check = WriteCheck {
            entry_id: write.entry_id,
            site_id,
            expected_head,
            draft: write.draft,
        };
        Ok((check, parent_artifact_id))
    }

    /// The row, the signed revision and the search text of a write (run inside the
    /// store's transaction once the entry id is known).
    pub(super) fn build_write(
        &self,
        write: &LiveWrite<'_>,
        entry_id: i64,
        seq: i64,
        parent_artifact_id: Option<String>,
        key: &imprint_engine::signing::KeyPair,
        now: i64,
    ) -> Result<EntryWrite, StoreError> {
        let content = &write.content;
        let site_id = write.site.id;
        let slug = content.slug.clone().unwrap_or_default();
        let settings = site_settings_for(write.section, site_id);
        let has_urls = settings
            .get("hasUrls")
            .and_then(Value::as_bool)
            .unwrap_or(true);
        let uri_format = settings
            .get("uriFormat")
            .and_then(Value::as_str)
            .unwrap_or_default();
        let post_date = content.post_date.map(timestamp::rfc3339_millis);
        let uri = if has_urls && !uri_format.is_empty() {
            let context = template::UriContext {
                slug: &slug,
                id: entry_id,
                section_handle: &write.section.handle,
                type_handle: &write.schema.entry_type.handle,
                post_date: post_date.as_deref(),
            };
            Some(
                template::render_uri(uri_format, &context)
                    .map_err(|e| StoreError::aborted(ServiceError::from(e)))?,
            )
        } else {
            None
        };
        let payload = super::integrity::revision_payload(
            entry_id,
            site_id,
            write.section.id,
            write.schema.entry_type.id,
            content,
        );
        let mut extra = Map::new();
        extra.insert("action".into(), json!(write.action));
        extra.extend(write.extra.clone());
        let mut address = Map::new();
        address.insert("document".into(), json!(document(entry_id, site_id)));
        let (artifact_id, sealed) = self
            .seal_revision(
                key,
                payload,
                NewRevision {
                    address,
                    format: ENTRY_REVISION_FORMAT,
                    seq,
                    parent_artifact_id,
                    extra: &extra,
                    now,
                },
            )
            .map_err(StoreError::aborted)?;
        let row = EntryRow {
            entry_id,
            site_id,
            section_id: write.section.id,
            entry_type_id: write.schema.entry_type.id,
            author: write
                .author
                .clone()
                .or_else(|| write.previous.and_then(|p| p.author.clone()))
                .or_else(|| Some(self.actor().to_string())),
            title: content.title.clone(),
            slug,
            uri,
            post_date: content.post_date,
            expiry_date: content.expiry_date,
            enabled: content.enabled,
            fields: fields_json(content),
            head_seq: seq,
            created_at: write.previous.map_or(now, |p| p.created_at),
            updated_at: now,
            deleted_at: None,
        };
        Ok(EntryWrite {
            search_title: content.title.clone().unwrap_or_default(),
            search_body: content.search_text(&write.schema.fields),
            row,
            revision: RevisionRow {
                document: document(entry_id, site_id),
                seq,
                artifact_id,
                envelope: sealed,
                created_at: now,
            },
        })
    }

    /// How `get_entry`, `create_entry`, `update_entry` show a live entry.
    pub(crate) fn entry_view(
        &self,
        row: &EntryRow,
        schema: &Schema,
        sites: &[i64],
    ) -> ServiceResult<EntryView> {
        let content = row_content(row)?;
        let now = now_millis();
        let status = if row.deleted_at.is_some() {
            "trashed"
        } else {
            content.status(now).as_str()
        };
        Ok(EntryView {
            entry_id: row.entry_id,
            id: row.entry_id,
            site_id: row.site_id,
            section_id: row.section_id,
            entry_type_id: row.entry_type_id,
            uri: row.uri.clone(),
            status: status.to_string(),
            author: row.author.clone(),
            author_id: author_ids(row.author.as_deref()).first().copied(),
            author_ids: author_ids(row.author.as_deref()),
            date_created: timestamp::rfc3339_millis(row.created_at),
            date_updated: timestamp::rfc3339_millis(row.updated_at),
            revision: row.head_seq,
            trashed: row.deleted_at.is_some(),
            site_ids: sites.to_vec(),
            is_draft: false,
            attributes: content.attributes(&schema.fields),
            url: self.entry_url(row.entry_id),
        })
    }

    /// The entry as written, with every site it is in.
    pub(crate) fn written_view(
        &self,
        written: &EntryWrite,
        schema: &Schema,
    ) -> ServiceResult<EntryView> {
        let sites: Vec<i64> = self
            .store()
            .content()
            .entry_sites(written.row.entry_id)?
            .iter()
            .map(|r| r.site_id)
            .collect();
        self.entry_view(&written.row, schema, &sites)
    }

    fn write_result(
        &self,
        written: &EntryWrite,
        schema: &Schema,
        message: String,
    ) -> ServiceResult<EntryWritten> {
        Ok(EntryWritten {
            entry: self.written_view(written, schema)?,
            artifact_id: written.revision.artifact_id.clone(),
            message,
        })
    }

    // ----- create ---------------------------------------------------------------------

    /// Checks a section/entry type/site combination for new content and loads it.
    pub(crate) fn new_entry_context(
        &self,
        section_id: i64,
        entry_type_id: Option<i64>,
        site_id: Option<i64>,
    ) -> ServiceResult<(SectionRow, Schema, SiteRow)> {
        let section = self.section_row(section_id)?;
        let entry_type_id = match entry_type_id {
            Some(id) => id,
            None => *section.entry_type_ids.first().ok_or_else(|| {
                ServiceError::invalid(format!("section '{}' has no entry types", section.handle))
                    .with_hint(
                        Hint::text(": ")
                            .step(NextStep::UpdateSection)
                            .then(" adds some"),
                    )
            })?,
        };
        let schema = self.schema(entry_type_id)?;
        if !section.entry_type_ids.contains(&entry_type_id) {
            let types = self.store().content().entry_types()?;
            let allowed: Vec<String> = section
                .entry_type_ids
                .iter()
                .map(|id| {
                    let handle = types
                        .iter()
                        .find(|t| t.id == *id)
                        .map_or("?", |t| t.handle.as_str());
                    format!("{id} ({handle})")
                })
                .collect();
            return Err(ServiceError::invalid(format!(
                "entryTypeId {entry_type_id} ('{}') is not an entry type of section '{}': use one of {}",
                schema.entry_type.handle,
                section.handle,
                allowed.join(", ")
            )));
        }
        let site = self.site_or_primary(site_id)?;
        check_enabled_for_site(&section, &site)?;
        Ok((section, schema, site))
    }

    /// Content for a new entry in `section`/`site`: defaults, then the input.
    pub(crate) fn new_content(
        &self,
        section: &SectionRow,
        site: &SiteRow,
        schema: &Schema,
        data: &Map<String, Value>,
    ) -> ServiceResult<Content> {
        let settings = site_settings_for(section, site.id);
        let mut content = Content {
            enabled: settings
                .get("enabledByDefault")
                .and_then(Value::as_bool)
                .unwrap_or(true),
            ..Default::default()
        };
        content.apply_defaults(&schema.fields);
        content.apply_input(data, &schema.fields)?;
        Ok(content)
    }

    pub fn create_entry(&self, request: CreateEntry) -> ServiceResult<EntryWritten> {
        let data = request
            .attribute_and_field_data
            .unwrap_or_default()
            .into_inner();
        let (section, schema, site) = self.new_entry_context(
            request.section_id.get(),
            request.entry_type_id.map(Id::get),
            request.site_id.map(Id::get),
        )?;
        if section.kind == "single" {
            // A single's entry is made with the section; creating it here only happens
            // for a site added later (or after a crash between the two writes).
            if let Some(existing) = self.store().content().first_entry_id(section.id, site.id)? {
                return Err(ServiceError::invalid(format!(
                    "section '{}' is a single: it has exactly one entry (entryId {existing})",
                    section.handle
                ))
                .with_hint(
                    Hint::text("; change it with ")
                        .step(NextStep::UpdateEntry { entry_id: existing })
                        .then(" or ")
                        .step(NextStep::CreateDraft {
                            canonical_id: Some(existing),
                        }),
                ));
            }
        }
        let mut data = data;
        let author = take_authors(&mut data, &section)?;
        let content = self.new_content(&section, &site, &schema, &data)?;
        let requested = requested_sites(request.site_ids.as_ref());
        for _ in 0..MAX_RETRIES {
            let write = LiveWrite {
                entry_id: None,
                site: &site,
                section: &section,
                schema: &schema,
                content: content.clone(),
                previous: None,
                draft: None,
                action: "create",
                extra: Map::new(),
                check_required: true,
                author: author.clone(),
            };
            if let Some(saved) = self.write_propagated(write, &requested)? {
                let (written, propagated) = (saved.written, saved.sites);
                let id = written.row.entry_id;
                return self.write_result(
                    &written,
                    &schema,
                    format!(
                        "created entry {id} (revision 1) in section '{}'{}; show the user {}",
                        section.handle,
                        propagated_note(&propagated, &section),
                        self.entry_url(id)
                    ),
                );
            }
        }
        Err(busy())
    }

    // ----- read -----------------------------------------------------------------------

    pub fn get_entry(&self, request: GetEntry) -> ServiceResult<EntryOrDraft> {
        let (entry_id, site_id) = (request.entry_id.get(), request.site_id.map(Id::get));
        let rows = self.store().content().entry_sites(entry_id)?;
        if rows.is_empty() {
            if let Some(draft) = self.store().content().entry_draft(entry_id)? {
                return self.draft_view(&draft).map(EntryOrDraft::Draft);
            }
            return Err(entry_not_found(entry_id));
        }
        self.live_view(entry_id, rows, site_id)
            .map(EntryOrDraft::Entry)
    }

    /// A live entry in the site asked for (default: the primary site, else the first).
    fn live_view(
        &self,
        entry_id: i64,
        rows: Vec<EntryRow>,
        site_id: Option<i64>,
    ) -> ServiceResult<EntryView> {
        let sites: Vec<i64> = rows.iter().map(|r| r.site_id).collect();
        let row = self.pick_site_row(entry_id, rows, site_id)?;
        self.check_live_row(&row)?;
        let schema = self.schema(row.entry_type_id)?;
        self.entry_view(&row, &schema, &sites)
    }

    // ----- update ---------------------------------------------------------------------

    pub fn update_entry(&self, request: UpdateEntry) -> ServiceResult<EntryWritten> {
        let (entry_id, site_id) = (request.entry_id.get(), request.site_id.map(Id::get));
        let mut data = request.attribute_and_field_data.into_inner();
        let first = self.entry_rows(entry_id, NextStep::UpdateDraft { draft_id: entry_id })?;
        let author = match first.first() {
            Some(row) => take_authors(&mut data, &self.section_row(row.section_id)?)?,
            None => None,
        };
        let has_author = author.is_some();
        let requested = requested_sites(request.site_ids.as_ref());
        if data.is_empty() && !has_author && requested.is_empty() {
            return Err(ServiceError::invalid(
                "attributeAndFieldData is required: the attributes (title, slug, postDate, expiryDate, enabled) and field handles to change",
            ));
        }
        for _ in 0..MAX_RETRIES {
            let rows = self.entry_rows(entry_id, NextStep::UpdateDraft { draft_id: entry_id })?;
            let row = self.pick_site_row(entry_id, rows, site_id)?;
            if row.deleted_at.is_some() {
                return Err(trashed(entry_id));
            }
            self.check_live_row(&row)?;
            let schema = self.schema(row.entry_type_id)?;
            let section = self.section_row(row.section_id)?;
            let site = self.site_or_primary(Some(row.site_id))?;
            let mut content = row_content(&row)?;
            content.apply_input(&data, &schema.fields)?;
            let write = LiveWrite {
                entry_id: Some(entry_id),
                site: &site,
                section: &section,
                schema: &schema,
                content,
                previous: Some(&row),
                draft: None,
                action: "update",
                extra: Map::new(),
                check_required: true,
                author: author.clone(),
            };
            if let Some(saved) = self.write_propagated(write, &requested)? {
                let (written, propagated) = (saved.written, saved.sites);
                return self.write_result(
                    &written,
                    &schema,
                    format!(
                        "updated entry {entry_id} (revision {}){}; show the user {}",
                        written.row.head_seq,
                        propagated_note(&propagated, &section),
                        self.entry_url(entry_id)
                    ),
                );
            }
        }
        Err(busy())
    }

    // ----- delete and restore ---------------------------------------------------------

    pub fn delete_entry(&self, request: DeleteEntry) -> ServiceResult<EntryDeleted> {
        let entry_id = request.entry_id.get();
        let permanently = request.permanently_delete.is_some_and(|f| f.0);
        let rows = self.entry_rows(entry_id, NextStep::DeleteDraft { draft_id: entry_id })?;
        self.check_live_rows(&rows)?;
        if permanently {
            let impact = self
                .store()
                .content()
                .delete_scope(Scope::Entry(entry_id))?;
            return Ok(EntryDeleted {
                entry_id,
                deleted: true,
                permanently_deleted: true,
                impact: Some(impact.into()),
                deleted_permanently: true,
                restore_url: None,
                message: format!(
                    "permanently deleted entry {entry_id}: {} site row(s), {} draft(s), {} revision(s); this cannot be undone",
                    impact.entries, impact.drafts, impact.revisions
                ),
                next: Hint::default(),
            });
        }
        let already = rows.iter().all(|r| r.deleted_at.is_some());
        let next = Hint::text("; ")
            .step(NextStep::RestoreEntry { entry_id })
            .then(" brings it back, ")
            .either(
                "delete_entry with permanentlyDelete: true",
                Hint::default().step(NextStep::DeleteEntryPermanently { entry_id }),
            )
            .then(" removes it for good");
        if !already {
            self.store()
                .content()
                .set_trashed(entry_id, Some(now_millis()))?;
        }
        Ok(EntryDeleted {
            entry_id,
            deleted: true,
            permanently_deleted: false,
            impact: None,
            deleted_permanently: false,
            restore_url: Some(self.entry_url(entry_id)),
            message: format!(
                "{} entry {entry_id} in the trash: it is no longer live or searchable{}",
                if already { "left" } else { "moved" },
                next.word(&crate::next::ToolWords)
            ),
            next,
        })
    }

    pub fn restore_entry(&self, request: RestoreEntry) -> ServiceResult<EntryRestored> {
        let entry_id = request.entry_id.get();
        let rows = self.entry_rows(entry_id, NextStep::GetEntry { entry_id })?;
        let was_trashed = rows.iter().any(|r| r.deleted_at.is_some());
        if was_trashed {
            self.store().content().set_trashed(entry_id, None)?;
        }
        let rows = self.entry_rows(entry_id, NextStep::GetEntry { entry_id })?;
        let message = if was_trashed {
            format!(
                "restored entry {entry_id} from the trash; show the user {}",
                self.entry_url(entry_id)
            )
        } else {
            format!("entry {entry_id} was not in the trash")
        };
        Ok(EntryRestored {
            entry: self.live_view(entry_id, rows, None)?,
            restored: was_trashed,
            message,
        })
    }
}

/// Content lives only in the sites a section is enabled for (`siteSettings[].enabled`).
pub(crate) fn check_enabled_for_site(section: &SectionRow, site: &SiteRow) -> ServiceResult<()> {
    let enabled = site_settings_for(section, site.id)
        .get("enabled")
        .and_then(Value::as_bool)
        .unwrap_or(true);
    if enabled {
        Ok(())
    } else {
        Err(ServiceError::invalid(format!(
            "section '{}' is not enabled for site {} ('{}')",
            section.handle, site.id, site.handle
        ))
        .with_hint(
            Hint::text(": enable it with ")
                .step(NextStep::UpdateSection)
                .then(&format!(
                    " siteSettings [{{\"siteId\": {}, \"enabled\": true}}]",
                    site.id
                )),
        ))
    }
}

/// The words an answer adds about propagation.
pub(crate) fn propagated_note(sites: &[i64], section: &SectionRow) -> String {
    if sites.is_empty() {
        return String::new();
    }
    let ids: Vec<String> = sites.iter().map(i64::to_string).collect();
    format!(
        ", propagated to site(s) {} (section propagationMethod \"{}\")",
        ids.join(", "),
        propagation_method(section)
    )
}

/// Takes the plugin's `authorId` / `authorIds` out of `attributeAndFieldData`: user ids
/// (integers ≥ 1), at most the section's `maxAuthors`. Stored as `user:1,user:2`.
pub(crate) fn take_authors(
    data: &mut Map<String, Value>,
    section: &SectionRow,
) -> ServiceResult<Option<String>> {
    let mut ids: Vec<i64> = Vec::new();
    let mut given = false;
    for key in ["authorId", "authorIds"] {
        let Some(value) = data.remove(key) else {
            continue;
        };
        given = true;
        let items = match value {
            Value::Array(items) => items,
            Value::Null => Vec::new(),
            one => vec![one],
        };
        for item in items {
            let id: Id = crate::api::parse(item).map_err(|e| {
                ServiceError::invalid(format!(
                    "{key} expects user ids (integers ≥ 1): {}",
                    e.message()
                ))
            })?;
            if id.get() < 1 {
                return Err(ServiceError::invalid(format!(
                    "{key} expects user ids (integers ≥ 1), got {}",
                    id.get()
                )));
            }
            if !ids.contains(&id.get()) {
                ids.push(id.get());
            }
        }
    }
    if !given {
        return Ok(None);
    }
    let max = max_authors(section);
    if ids.len() as i64 > max {
        return Err(ServiceError::invalid(format!(
            "section '{}' allows at most {max} author(s) (maxAuthors), got {}",
            section.handle,
            ids.len()
        ))
        .with_hint(
            Hint::text(": pass fewer authorIds, or raise maxAuthors with ")
                .step(NextStep::UpdateSection),
        ));
    }
    Ok(Some(
        ids.iter()
            .map(|id| format!("user:{id}"))
            .collect::<Vec<_>>()
            .join(","),
    )
    .filter(|a| !a.is_empty()))
}

/// The user ids in an author set with `authorId`/`authorIds` (none for an actor name).
pub(crate) fn author_ids(author: Option<&str>) -> Vec<i64> {
    author
        .unwrap_or_default()
        .split(',')
        .filter_map(|part| part.trim().strip_prefix("user:")?.parse().ok())
        .collect()
}

/// A store write's outcome for a live write: `None` when another writer moved the entry,
/// the draft or the slug meanwhile (the caller re-reads and retries).
pub(crate) fn live_outcome<T>(result: Result<T, StoreError>) -> ServiceResult<Option<T>> {
    match result {
        Ok(written) => Ok(Some(written)),
        Err(StoreError::Conflict(reason)) => {
            tracing::debug!(%reason, "entry write raced another writer; retrying");
            Ok(None)
        }
        Err(StoreError::NotFound) => Err(ServiceError::not_found(
            "the draft was applied or deleted meanwhile",
        )
        .with_hint(
            Hint::text(": ")
                .step(NextStep::ListDrafts)
                .then(" shows the drafts"),
        )),
        Err(e) => Err(e.into()),
    }
}

pub(crate) fn trashed(entry_id: i64) -> ServiceError {
    ServiceError::conflict(format!("entry {entry_id} is in the trash")).with_hint(
        Hint::text(": ")
            .step(NextStep::RestoreEntry { entry_id })
            .then(" first"),
    )
}

pub(crate) fn busy() -> ServiceError {
    ServiceError::conflict("the entry kept changing under concurrent writers; retry")
}

/// No entry (and no draft) has this id: search finds the entries there are.
fn entry_not_found(entry_id: i64) -> ServiceError {
    ServiceError::not_found(format!("entryId {entry_id} does not exist")).with_hint(
        Hint::text(": ")
            .step(NextStep::SearchContent)
            .then(" finds entries"),
    )
}
