//! Rows and the trait for the content family (sites, sections, entry types, fields,
//! field layouts, entries, content drafts, search). Filled in by the content work.

/// Storage for the content family. Every method is one transaction.
pub trait ContentStore: Send + Sync {}
