//! Rows and the trait for the content family: sites, sections, entry types, fields,
//! field layouts, entries (one row per entry and site), entry drafts, and full-text
//! search. Entry revisions live in the shared `revisions` table (document
//! `entry/{entryId}/{siteId}`), written by the same transaction as the entry.
//!
//! Entries and drafts take their ids from one sequence, so an id names exactly one of
//! them and an id given to the wrong tool can be recognized.

use serde_json::Value;

use crate::{RevisionRow, StoreError, StoreResult};

#[derive(Debug, Clone, PartialEq)]
pub struct SiteRow {
    pub id: i64,
    pub name: String,
    pub handle: String,
    pub language: String,
    pub base_url: Option<String>,
    pub primary: bool,
    /// The site group's name (Craft's site groups: propagation and translation by group).
    pub group: String,
    pub created_at: i64,
    pub updated_at: i64,
}

#[derive(Debug, Clone, PartialEq)]
pub struct SectionRow {
    pub id: i64,
    pub name: String,
    pub handle: String,
    /// `single`, `channel` or `structure`.
    pub kind: String,
    /// Per-site settings and the rest, as the content domain defines them.
    pub settings: Value,
    /// In display order.
    pub entry_type_ids: Vec<i64>,
    pub created_at: i64,
    pub updated_at: i64,
}

#[derive(Debug, Clone, PartialEq)]
pub struct EntryTypeRow {
    pub id: i64,
    pub name: String,
    pub handle: String,
    pub field_layout_id: i64,
    pub has_title_field: bool,
    pub title_format: Option<String>,
    pub settings: Value,
    pub created_at: i64,
    pub updated_at: i64,
}

#[derive(Debug, Clone, PartialEq)]
pub struct FieldRow {
    pub id: i64,
    pub name: String,
    pub handle: String,
    /// The Craft class name, e.g. `craft\fields\PlainText`.
    pub field_type: String,
    pub instructions: Option<String>,
    pub searchable: bool,
    pub settings: Value,
    pub created_at: i64,
    pub updated_at: i64,
}

#[derive(Debug, Clone, PartialEq)]
pub struct FieldLayoutRow {
    pub id: i64,
    /// The element type it lays out, e.g. `craft\elements\Entry`.
    pub kind: String,
    pub tabs: Value,
    pub created_at: i64,
    pub updated_at: i64,
}

/// An entry in one site.
#[derive(Debug, Clone, PartialEq)]
pub struct EntryRow {
    pub entry_id: i64,
    pub site_id: i64,
    pub section_id: i64,
    pub entry_type_id: i64,
    pub author: Option<String>,
    pub title: Option<String>,
    pub slug: String,
    pub uri: Option<String>,
    pub post_date: Option<i64>,
    pub expiry_date: Option<i64>,
    pub enabled: bool,
    /// Custom field values keyed by field id.
    pub fields: Value,
    /// The sequence number of the newest revision of this entry in this site.
    pub head_seq: i64,
    pub created_at: i64,
    pub updated_at: i64,
    /// Set while the entry is in the trash.
    pub deleted_at: Option<i64>,
}

/// One write to a live entry in one site: the row, the signed revision that records
/// it, and the text the search index gets.
#[derive(Debug, Clone, PartialEq)]
pub struct EntryWrite {
    pub row: EntryRow,
    pub revision: RevisionRow,
    pub search_title: String,
    pub search_body: String,
}

impl EntryWrite {
    /// A bulk insert ([`ContentStore::insert_entries`]) writes new entries only: the first
    /// revision of the id the store allocated. Anything else is refused before it is written.
    pub fn check_first_of(&self, entry_id: i64) -> StoreResult<()> {
        if self.row.entry_id != entry_id || self.revision.seq != 1 || self.row.head_seq != 1 {
            return Err(StoreError::Other(format!(
                "inconsistent bulk write for entry {entry_id}"
            )));
        }
        Ok(())
    }
}

/// What [`ContentStore::write_entry`] checks before writing, in the same transaction.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct WriteCheck {
    /// `None`: a new entry; an id is allocated inside the transaction.
    pub entry_id: Option<i64>,
    pub site_id: i64,
    /// The head the caller read: `None` means the entry must not exist in this site yet.
    pub expected_head: Option<i64>,
    /// `(draft id, version)`: the draft must still be at that version; it is deleted.
    pub draft: Option<(i64, i64)>,
}

/// Builds the write once the entry id is known (it signs the revision, which names it).
pub type BuildEntry<'a> = &'a mut dyn FnMut(i64) -> StoreResult<EntryWrite>;

/// Builds the `index`th write of [`ContentStore::write_entry_sites`] once the entry id is known.
pub type BuildEntrySites<'a> = &'a mut dyn FnMut(usize, i64) -> StoreResult<EntryWrite>;

impl WriteCheck {
    /// The shape [`ContentStore::write_entry_sites`] accepts, checked before anything is
    /// written: at least one check, each site once, every check after the first naming the
    /// first's entry (or none: the same entry), and a draft only on the first.
    pub fn check_sites(checks: &[WriteCheck]) -> StoreResult<()> {
        let Some(first) = checks.first() else {
            return Err(StoreError::Other("a write in no site".into()));
        };
        for (index, check) in checks.iter().enumerate().skip(1) {
            if checks[..index].iter().any(|c| c.site_id == check.site_id) {
                return Err(StoreError::Other(format!(
                    "site {} is written twice in one save",
                    check.site_id
                )));
            }
            if check.draft.is_some()
                || (check.entry_id.is_some() && check.entry_id != first.entry_id)
            {
                return Err(StoreError::Other(
                    "a save's copies are of the saved entry, without a draft".into(),
                ));
            }
        }
        Ok(())
    }
}

/// A persisted draft of an entry in one site (or of a new entry, "from scratch").
#[derive(Debug, Clone, PartialEq)]
pub struct EntryDraftRow {
    pub id: i64,
    /// `None` for a draft from scratch: nothing is live until it is applied.
    pub canonical_id: Option<i64>,
    pub site_id: i64,
    pub section_id: i64,
    pub entry_type_id: i64,
    pub name: String,
    pub notes: Option<String>,
    pub creator: Option<String>,
    pub provisional: bool,
    /// The canonical's head when the draft was forked (the merge base).
    pub base_seq: Option<i64>,
    /// The whole draft content (the content domain's JSON).
    pub content: Value,
    pub version: i64,
    pub created_at: i64,
    pub updated_at: i64,
}

/// A change to a draft, applied only at `expected_version`.
#[derive(Debug, Clone, Default)]
pub struct EntryDraftUpdate {
    pub expected_version: i64,
    pub content: Option<Value>,
    pub name: Option<String>,
    pub notes: Option<Option<String>>,
    /// `Some(base)`: the draft was rebased onto that head revision.
    pub base_seq: Option<Option<i64>>,
    pub now: i64,
}

/// Which drafts to list.
#[derive(Debug, Clone, Default)]
pub struct DraftFilter {
    pub canonical_id: Option<i64>,
    /// Only drafts from scratch.
    pub from_scratch: bool,
    pub site_id: Option<i64>,
    pub section_id: Option<i64>,
    pub creator: Option<String>,
    pub provisional: Option<bool>,
    pub limit: usize,
}

/// One term of a search, in plain words (never a backend's query syntax): its words
/// must appear in this order, compared without case and accents; with `prefix`, the
/// last word matches any word it starts. Characters other than letters and digits only
/// separate words.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SearchTerm {
    pub text: String,
    pub prefix: bool,
}

impl SearchTerm {
    /// A whole word (or words in a row).
    pub fn word(text: impl Into<String>) -> Self {
        Self {
            text: text.into(),
            prefix: false,
        }
    }

    /// Words whose last one may go on: `ott` finds "otter".
    pub fn prefix(text: impl Into<String>) -> Self {
        Self {
            text: text.into(),
            prefix: true,
        }
    }
}

/// Which live entries a search returns. `status` is `live`, `pending`, `expired`,
/// `disabled` or `all` (trashed entries never match).
#[derive(Debug, Clone, Default)]
pub struct SearchQuery {
    /// Plain search terms, all of which must match (in the title or the body).
    pub terms: Vec<SearchTerm>,
    pub site_id: Option<i64>,
    pub section_ids: Vec<i64>,
    pub status: String,
    pub now: i64,
    pub limit: usize,
    /// Relevance ranking (bm25, titles weighted up) needs each term's document count,
    /// which costs a pass over the term's whole index entry. When some term is in more
    /// than `window` entries, results instead come from the `window` newest matches:
    /// title matches first, then the rest, newest first — so a word in every entry
    /// costs the same as a rare one. 0: always rank by relevance.
    pub window: usize,
    /// How long the whole search may take: past it the backend stops the running
    /// statement and answers [`StoreError::TimedOut`](crate::StoreError::TimedOut), so one
    /// expensive query cannot hold a connection. `None`: no limit.
    pub time_limit: Option<std::time::Duration>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct SearchHit {
    pub row: EntryRow,
    /// The bm25 rank (lower is better); `None` when ordered by recency (see
    /// [`SearchQuery::window`]).
    pub rank: Option<f64>,
}

/// What deleting something would remove.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Impact {
    /// Entry rows (an entry in two sites counts twice).
    pub entries: i64,
    pub drafts: i64,
    pub revisions: i64,
}

/// Which content an impact or a deletion is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    Section(i64),
    EntryType(i64),
    Entry(i64),
}

/// Storage for the content family. Every method is one transaction.
pub trait ContentStore: Send + Sync {
    // ----- sites
    fn sites(&self) -> StoreResult<Vec<SiteRow>>;
    fn site(&self, id: i64) -> StoreResult<Option<SiteRow>>;
    /// Inserts (ignoring `row.id`) and returns the id; a primary site unmarks the others.
    fn insert_site(&self, row: &SiteRow) -> StoreResult<i64>;
    /// A primary site unmarks the others. `NotFound` if it does not exist.
    fn update_site(&self, row: &SiteRow) -> StoreResult<()>;

    // ----- structure
    fn sections(&self) -> StoreResult<Vec<SectionRow>>;
    fn section(&self, id: i64) -> StoreResult<Option<SectionRow>>;
    /// Inserts the section and its entry types; returns the id.
    fn insert_section(&self, row: &SectionRow) -> StoreResult<i64>;
    fn update_section(&self, row: &SectionRow) -> StoreResult<()>;
    fn entry_types(&self) -> StoreResult<Vec<EntryTypeRow>>;
    fn entry_type(&self, id: i64) -> StoreResult<Option<EntryTypeRow>>;
    /// Inserts the entry type; with `layout`, inserts that layout first and uses it.
    /// Returns (entry type id, field layout id).
    fn insert_entry_type(
        &self,
        row: &EntryTypeRow,
        layout: Option<&FieldLayoutRow>,
    ) -> StoreResult<(i64, i64)>;
    fn update_entry_type(&self, row: &EntryTypeRow) -> StoreResult<()>;
    fn fields(&self) -> StoreResult<Vec<FieldRow>>;
    fn field(&self, id: i64) -> StoreResult<Option<FieldRow>>;
    fn insert_field(&self, row: &FieldRow) -> StoreResult<i64>;
    fn update_field(&self, row: &FieldRow) -> StoreResult<()>;
    /// Deletes the field and saves `layouts` (the layouts that held it, without it).
    fn delete_field(&self, id: i64, layouts: &[FieldLayoutRow]) -> StoreResult<bool>;
    fn field_layouts(&self) -> StoreResult<Vec<FieldLayoutRow>>;
    fn field_layout(&self, id: i64) -> StoreResult<Option<FieldLayoutRow>>;
    fn insert_field_layout(&self, row: &FieldLayoutRow) -> StoreResult<i64>;
    fn update_field_layout(&self, row: &FieldLayoutRow) -> StoreResult<()>;

    /// What deleting `scope` would remove (entries, drafts, revisions).
    fn impact(&self, scope: Scope) -> StoreResult<Impact>;
    /// Deletes `scope` and everything under it (entries with their revisions and search
    /// rows, drafts; for a section or entry type, the structure row too).
    fn delete_scope(&self, scope: Scope) -> StoreResult<Impact>;

    // ----- entries
    fn entry(&self, entry_id: i64, site_id: i64) -> StoreResult<Option<EntryRow>>;
    /// The entry in every site it exists in, by site id.
    fn entry_sites(&self, entry_id: i64) -> StoreResult<Vec<EntryRow>>;
    /// The entry holding `slug` in a section and site, trashed ones included.
    fn slug_owner(&self, section_id: i64, site_id: i64, slug: &str) -> StoreResult<Option<i64>>;
    /// Writes one entry: checks `check` (`Conflict` if the head or the draft moved, or
    /// the slug is taken), then upserts the row, appends the revision, refreshes the
    /// search row and deletes the draft — all or nothing.
    fn write_entry(&self, check: WriteCheck, build: BuildEntry<'_>) -> StoreResult<EntryWrite>;
    /// Writes one entry in several sites in one transaction: a save (`checks[0]`, whose
    /// `entry_id` may be `None` to allocate one and whose draft is checked and deleted) and
    /// its propagated copies (the same entry in other sites). Each is checked as
    /// [`ContentStore::write_entry`] checks; any failure leaves nothing written. The shape
    /// is checked first ([`WriteCheck::check_sites`]). Returns the writes in order.
    fn write_entry_sites(
        &self,
        checks: &[WriteCheck],
        build: BuildEntrySites<'_>,
    ) -> StoreResult<Vec<EntryWrite>>;
    /// Bulk insert of `count` new entries in one transaction (seeding, imports).
    fn insert_entries(
        &self,
        count: usize,
        build: &mut dyn FnMut(usize, i64) -> StoreResult<EntryWrite>,
    ) -> StoreResult<Vec<i64>>;
    /// Moves an entry (all sites) to the trash, or out of it. Returns the rows changed.
    fn set_trashed(&self, entry_id: i64, deleted_at: Option<i64>) -> StoreResult<usize>;
    fn search(&self, query: &SearchQuery) -> StoreResult<Vec<SearchHit>>;
    /// Entries (not trashed) in sections and sites, for checks like "a single has one entry".
    fn count_entries(&self, section_id: i64, site_id: Option<i64>) -> StoreResult<i64>;
    /// Some entry of a section in a site (the entry of a single), trashed ones included.
    fn first_entry_id(&self, section_id: i64, site_id: i64) -> StoreResult<Option<i64>>;

    // ----- drafts
    /// Inserts (ignoring `row.id`, allocating one from the shared sequence) and returns
    /// the id. `Conflict` for a second provisional draft of an entry by one creator.
    fn insert_entry_draft(&self, row: &EntryDraftRow) -> StoreResult<i64>;
    fn entry_draft(&self, id: i64) -> StoreResult<Option<EntryDraftRow>>;
    /// Returns the new version; `Conflict` if it moved, `NotFound` if gone.
    fn update_entry_draft(&self, id: i64, update: &EntryDraftUpdate) -> StoreResult<i64>;
    fn delete_entry_draft(&self, id: i64) -> StoreResult<bool>;
    /// Deletes the draft only while it is at `version`; `false` when it moved or is gone.
    fn delete_entry_draft_at(&self, id: i64, version: i64) -> StoreResult<bool>;
    /// Oldest first, at most `filter.limit`.
    fn entry_drafts(&self, filter: &DraftFilter) -> StoreResult<Vec<EntryDraftRow>>;
    /// How many drafts an entry has (for "Draft N" names).
    fn count_entry_drafts(&self, canonical_id: Option<i64>) -> StoreResult<i64>;
}
