//! Content family operations (sites, sections, entry types, fields, layouts, entries,
//! drafts, revisions, search). Filled in by the content work.
