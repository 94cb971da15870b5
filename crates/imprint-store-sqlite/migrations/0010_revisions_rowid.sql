-- Frozen once released: migrations are append-only. Change the schema with a new numbered file.
-- Revisions as a rowid table, applied only to stores with pages smaller than 8 KiB (every
-- store created from this version on has 4 KiB pages; stores created earlier have 16 KiB
-- pages and keep their table, see `MIGRATIONS` in src/lib.rs). A WITHOUT ROWID row keeps at
-- most about a quarter of a page inline (~1,000 bytes at 4 KiB) and spills the rest to an
-- overflow page of its own; a revision envelope is ~1 KB, so at 4 KiB most would. A rowid
-- table keeps rows up to a page (~4,000 bytes) inline; (document, seq) stays the key.
CREATE TABLE revisions_rowid (
    document    TEXT NOT NULL,
    seq         INTEGER NOT NULL,
    artifact_id TEXT NOT NULL,
    envelope    TEXT NOT NULL,
    created_at  INTEGER NOT NULL,
    PRIMARY KEY (document, seq)
);
INSERT INTO revisions_rowid (document, seq, artifact_id, envelope, created_at)
    SELECT document, seq, artifact_id, envelope, created_at FROM revisions ORDER BY document, seq;
DROP TABLE revisions;
ALTER TABLE revisions_rowid RENAME TO revisions;
CREATE INDEX revisions_by_artifact ON revisions (document, artifact_id, seq);
