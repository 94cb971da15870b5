//! Whole-store transfer: every row out of one backend and into another, ids and bytes kept
//! (`imprint store copy`, solo SQLite ⇄ team PostgreSQL).
//!
//! A backend exports its rows as [`Record`]s, referenced rows before the rows that name
//! them, from one consistent snapshot; another backend imports them in one transaction.
//! Neither side gives a record meaning: the caller (the service's copy) fills in what a
//! backend cannot read back (the search text, which both backends keep only as an index)
//! and verifies every revision once the import is committed.

use std::collections::BTreeMap;

use serde_json::Value;

use crate::content::{
    EntryDraftRow, EntryRow, EntryTypeRow, FieldLayoutRow, FieldRow, SectionRow, SiteRow,
};
use crate::team::{AuditRow, RequestRow};
use crate::tokens::TokenRow;
use crate::{CatalogRow, DeploymentRow, DraftRow, KeyRetirementRow, RevisionRow, SecretRow};

/// One row of a store, as [`crate::Store::export_records`] hands it out and
/// [`crate::Store::import_records`] takes it.
#[derive(Debug, Clone, PartialEq)]
pub enum Record {
    /// A signing public key (SPKI PEM) of the keyring.
    PublicKey {
        key_id: String,
        spki_pem: String,
        created_at: i64,
    },
    Catalog(CatalogRow),
    /// Encrypted by the service: copied as stored, never decrypted.
    Secret(SecretRow),
    /// Only the token's hash is stored, so only the hash is copied.
    Token(TokenRow),
    /// A config draft with its keyed items, sorted by key.
    Draft {
        row: DraftRow,
        items: Vec<(String, Value)>,
    },
    /// Revisions come in `(document, seq)` order, so a document's parents come first.
    Revision(RevisionRow),
    /// Deployments come oldest first; their order is what "last deployment" means.
    Deployment(DeploymentRow),
    Site(SiteRow),
    FieldLayout(FieldLayoutRow),
    Field(FieldRow),
    EntryType(EntryTypeRow),
    Section(SectionRow),
    /// A live entry in one site. Export leaves the search text empty (neither backend can
    /// read its index back as text); the copier fills it from the content model.
    Entry {
        row: EntryRow,
        search_title: String,
        search_body: String,
    },
    EntryDraft(EntryDraftRow),
    /// A retired signing key with its successor's endorsement.
    KeyRetirement(KeyRetirementRow),
    /// A publish request, open or decided.
    Request(RequestRow),
    /// An audit row, `seq` kept; they come in `seq` order, so the log reads the same after.
    Audit(AuditRow),
    /// The last id the shared entry/draft sequence handed out; exported last.
    ElementSequence(i64),
}

/// What a store holds, by kind: progress totals, the summary of a copy, and whether a
/// target is empty.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum RecordKind {
    PublicKeys,
    Catalog,
    Secrets,
    Tokens,
    Drafts,
    DraftItems,
    Revisions,
    Deployments,
    Sites,
    FieldLayouts,
    Fields,
    EntryTypes,
    Sections,
    Entries,
    EntryDrafts,
    KeyRetirements,
    Requests,
    AuditLog,
}

impl RecordKind {
    /// The table its rows live in, by the same name on every backend.
    pub fn table(self) -> &'static str {
        match self {
            RecordKind::PublicKeys => "public_keys",
            RecordKind::Catalog => "catalog",
            RecordKind::Secrets => "secrets",
            RecordKind::Tokens => "tokens",
            RecordKind::Drafts => "drafts",
            RecordKind::DraftItems => "draft_items",
            RecordKind::Revisions => "revisions",
            RecordKind::Deployments => "deployments",
            RecordKind::Sites => "sites",
            RecordKind::FieldLayouts => "field_layouts",
            RecordKind::Fields => "fields",
            RecordKind::EntryTypes => "entry_types",
            RecordKind::Sections => "sections",
            RecordKind::Entries => "entries",
            RecordKind::EntryDrafts => "entry_drafts",
            RecordKind::KeyRetirements => "key_retirements",
            RecordKind::Requests => "publish_requests",
            RecordKind::AuditLog => "audit_log",
        }
    }

    pub const ALL: [RecordKind; 18] = [
        RecordKind::PublicKeys,
        RecordKind::Catalog,
        RecordKind::Secrets,
        RecordKind::Tokens,
        RecordKind::Drafts,
        RecordKind::DraftItems,
        RecordKind::Revisions,
        RecordKind::Deployments,
        RecordKind::Sites,
        RecordKind::FieldLayouts,
        RecordKind::Fields,
        RecordKind::EntryTypes,
        RecordKind::Sections,
        RecordKind::Entries,
        RecordKind::EntryDrafts,
        RecordKind::KeyRetirements,
        RecordKind::Requests,
        RecordKind::AuditLog,
    ];

    /// The name people and `--json` see (also the table's name, mostly).
    pub fn as_str(self) -> &'static str {
        match self {
            RecordKind::PublicKeys => "public_keys",
            RecordKind::Catalog => "catalog_entries",
            RecordKind::Secrets => "secrets",
            RecordKind::Tokens => "tokens",
            RecordKind::Drafts => "drafts",
            RecordKind::DraftItems => "draft_items",
            RecordKind::Revisions => "revisions",
            RecordKind::Deployments => "deployments",
            RecordKind::Sites => "sites",
            RecordKind::FieldLayouts => "field_layouts",
            RecordKind::Fields => "fields",
            RecordKind::EntryTypes => "entry_types",
            RecordKind::Sections => "sections",
            RecordKind::Entries => "entries",
            RecordKind::EntryDrafts => "entry_drafts",
            RecordKind::KeyRetirements => "key_retirements",
            RecordKind::Requests => "publish_requests",
            RecordKind::AuditLog => "audit_log",
        }
    }
}

impl Record {
    /// The kind this record counts as (`None` for the sequence, which is not a row people
    /// count). A draft counts as one draft; its items are counted by the caller.
    pub fn kind(&self) -> Option<RecordKind> {
        Some(match self {
            Record::PublicKey { .. } => RecordKind::PublicKeys,
            Record::Catalog(_) => RecordKind::Catalog,
            Record::Secret(_) => RecordKind::Secrets,
            Record::Token(_) => RecordKind::Tokens,
            Record::Draft { .. } => RecordKind::Drafts,
            Record::Revision(_) => RecordKind::Revisions,
            Record::Deployment(_) => RecordKind::Deployments,
            Record::Site(_) => RecordKind::Sites,
            Record::FieldLayout(_) => RecordKind::FieldLayouts,
            Record::Field(_) => RecordKind::Fields,
            Record::EntryType(_) => RecordKind::EntryTypes,
            Record::Section(_) => RecordKind::Sections,
            Record::Entry { .. } => RecordKind::Entries,
            Record::EntryDraft(_) => RecordKind::EntryDrafts,
            Record::KeyRetirement(_) => RecordKind::KeyRetirements,
            Record::Request(_) => RecordKind::Requests,
            Record::Audit(_) => RecordKind::AuditLog,
            Record::ElementSequence(_) => return None,
        })
    }
}

/// Rows per kind.
pub type RecordCounts = BTreeMap<RecordKind, u64>;

/// Whether a store with these counts is empty: nothing but the one site every new store
/// starts with.
pub fn is_empty(counts: &RecordCounts) -> bool {
    counts.iter().all(|(kind, count)| match kind {
        RecordKind::Sites => *count <= 1,
        _ => *count == 0,
    })
}

/// What a non-empty store holds, in words ("3 drafts, 12 revisions"), for refusals.
pub fn describe(counts: &RecordCounts) -> String {
    let parts: Vec<String> = counts
        .iter()
        .filter(|(kind, count)| **count > 0 && !(**kind == RecordKind::Sites && **count <= 1))
        .map(|(kind, count)| format!("{count} {}", kind.as_str()))
        .collect();
    parts.join(", ")
}

/// How [`crate::Store::import_records`] treats what the target holds already.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ImportMode {
    /// Refuse (`Conflict`, naming what is there) unless the target is empty.
    #[default]
    EmptyOnly,
    /// Delete everything the target holds first, in the same transaction.
    Replace,
}
