-- Frozen: migrations are append-only. Change the schema with a new numbered file.
CREATE TABLE drafts (
    id          TEXT PRIMARY KEY,
    document    TEXT NOT NULL,
    name        TEXT NOT NULL,
    notes       TEXT,
    creator     TEXT,
    provisional INTEGER NOT NULL DEFAULT 0,
    base_seq    INTEGER,
    meta        TEXT NOT NULL DEFAULT '{}',
    version     INTEGER NOT NULL,
    created_at  INTEGER NOT NULL,
    updated_at  INTEGER NOT NULL,
    CONSTRAINT drafts_document_name UNIQUE (document, name)
);

CREATE TABLE draft_items (
    draft_id TEXT NOT NULL REFERENCES drafts (id) ON DELETE CASCADE,
    key      TEXT NOT NULL,
    value    TEXT NOT NULL,
    PRIMARY KEY (draft_id, key)
) WITHOUT ROWID;

CREATE TABLE revisions (
    document    TEXT NOT NULL,
    seq         INTEGER NOT NULL,
    artifact_id TEXT NOT NULL,
    envelope    TEXT NOT NULL,
    created_at  INTEGER NOT NULL,
    PRIMARY KEY (document, seq)
) WITHOUT ROWID;

CREATE INDEX revisions_by_artifact ON revisions (document, artifact_id, seq);

CREATE TABLE deployments (
    id          INTEGER PRIMARY KEY,
    document    TEXT NOT NULL,
    path        TEXT NOT NULL,
    artifact_id TEXT NOT NULL,
    file_sha256 TEXT NOT NULL,
    section     TEXT NOT NULL,
    backup_path TEXT,
    deployed_at INTEGER NOT NULL
);

CREATE INDEX deployments_by_document ON deployments (document, id);
CREATE INDEX deployments_by_path ON deployments (path, id);

CREATE TABLE catalog (
    server_id  TEXT PRIMARY KEY,
    definition TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
);
