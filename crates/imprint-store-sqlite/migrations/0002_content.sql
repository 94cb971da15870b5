-- Frozen: migrations are append-only. Change the schema with a new numbered file.
-- The content family: sites, sections, entry types, fields, field layouts, entries
-- (one row per entry and site), entry drafts, and the full-text index. Entry revisions
-- live in `revisions` under the document `entry/{entry_id}/{site_id}`.

-- Entries and drafts share one id sequence, so an id names exactly one of them.
CREATE TABLE content_sequence (
    name  TEXT PRIMARY KEY,
    value INTEGER NOT NULL
) WITHOUT ROWID;
INSERT INTO content_sequence (name, value) VALUES ('element', 0);

CREATE TABLE sites (
    id         INTEGER PRIMARY KEY,
    name       TEXT NOT NULL,
    handle     TEXT NOT NULL CONSTRAINT sites_handle UNIQUE,
    language   TEXT NOT NULL,
    base_url   TEXT,
    is_primary INTEGER NOT NULL DEFAULT 0,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
);
-- Exactly one primary site: at most one by this index, at least one by the service.
CREATE UNIQUE INDEX sites_one_primary ON sites (is_primary) WHERE is_primary = 1;
INSERT INTO sites (id, name, handle, language, base_url, is_primary, created_at, updated_at)
VALUES (1, 'Default', 'default', 'en-US', NULL, 1,
        CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER),
        CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER));

CREATE TABLE field_layouts (
    id         INTEGER PRIMARY KEY,
    type       TEXT NOT NULL,
    tabs       TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
);

CREATE TABLE fields (
    id           INTEGER PRIMARY KEY,
    name         TEXT NOT NULL,
    handle       TEXT NOT NULL CONSTRAINT fields_handle UNIQUE,
    type         TEXT NOT NULL,
    instructions TEXT,
    searchable   INTEGER NOT NULL,
    settings     TEXT NOT NULL,
    created_at   INTEGER NOT NULL,
    updated_at   INTEGER NOT NULL
);

CREATE TABLE entry_types (
    id              INTEGER PRIMARY KEY,
    name            TEXT NOT NULL,
    handle          TEXT NOT NULL CONSTRAINT entry_types_handle UNIQUE,
    field_layout_id INTEGER NOT NULL REFERENCES field_layouts (id),
    has_title_field INTEGER NOT NULL,
    title_format    TEXT,
    settings        TEXT NOT NULL,
    created_at      INTEGER NOT NULL,
    updated_at      INTEGER NOT NULL
);

CREATE TABLE sections (
    id         INTEGER PRIMARY KEY,
    name       TEXT NOT NULL,
    handle     TEXT NOT NULL CONSTRAINT sections_handle UNIQUE,
    type       TEXT NOT NULL,
    settings   TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
);

CREATE TABLE section_entry_types (
    section_id    INTEGER NOT NULL REFERENCES sections (id) ON DELETE CASCADE,
    entry_type_id INTEGER NOT NULL REFERENCES entry_types (id),
    position      INTEGER NOT NULL,
    PRIMARY KEY (section_id, entry_type_id)
) WITHOUT ROWID;
CREATE INDEX section_entry_types_by_type ON section_entry_types (entry_type_id);

-- One row per entry and site. `row_id` is the full-text index's rowid.
CREATE TABLE entries (
    row_id        INTEGER PRIMARY KEY,
    entry_id      INTEGER NOT NULL,
    site_id       INTEGER NOT NULL,
    section_id    INTEGER NOT NULL,
    entry_type_id INTEGER NOT NULL,
    author        TEXT,
    title         TEXT,
    slug          TEXT NOT NULL,
    uri           TEXT,
    post_date     INTEGER,
    expiry_date   INTEGER,
    enabled       INTEGER NOT NULL,
    fields        TEXT NOT NULL,
    head_seq      INTEGER NOT NULL,
    created_at    INTEGER NOT NULL,
    updated_at    INTEGER NOT NULL,
    deleted_at    INTEGER
);
CREATE UNIQUE INDEX entries_by_entry ON entries (entry_id, site_id);
-- Slugs are unique per section and site (trashed entries keep theirs, so a restore
-- never collides).
CREATE UNIQUE INDEX entries_by_slug ON entries (section_id, site_id, slug);
CREATE INDEX entries_by_type ON entries (entry_type_id);

-- Title and searchable field text. Contentless (the text lives in `entries`), with
-- deletes so a rewritten entry replaces its row.
CREATE VIRTUAL TABLE entries_search USING fts5 (
    title,
    body,
    content = '',
    contentless_delete = 1,
    tokenize = 'unicode61 remove_diacritics 2'
);

CREATE TABLE entry_drafts (
    id            INTEGER PRIMARY KEY,
    canonical_id  INTEGER,
    site_id       INTEGER NOT NULL,
    section_id    INTEGER NOT NULL,
    entry_type_id INTEGER NOT NULL,
    name          TEXT NOT NULL,
    notes         TEXT,
    creator       TEXT,
    provisional   INTEGER NOT NULL,
    base_seq      INTEGER,
    content       TEXT NOT NULL,
    version       INTEGER NOT NULL,
    created_at    INTEGER NOT NULL,
    updated_at    INTEGER NOT NULL
);
CREATE INDEX entry_drafts_by_canonical ON entry_drafts (canonical_id, site_id);
CREATE INDEX entry_drafts_by_section ON entry_drafts (section_id);
CREATE INDEX entry_drafts_by_type ON entry_drafts (entry_type_id);
-- At most one provisional (auto-save) draft per entry and creator.
CREATE UNIQUE INDEX entry_drafts_one_provisional ON entry_drafts (canonical_id, creator)
    WHERE provisional = 1;

-- A title match ranks ten times a body match.
INSERT INTO entries_search (entries_search, rank) VALUES ('rank', 'bm25(10.0, 1.0)');
