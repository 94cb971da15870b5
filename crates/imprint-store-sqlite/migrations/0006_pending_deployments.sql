-- Frozen: migrations are append-only. Change the schema with a new numbered file.
-- A deploy's intended write, recorded before the client's file is replaced and turned into a
-- deployments row after: a crash between the two leaves this row, and a file whose bytes hash
-- to file_sha256 is then known to be Imprint's own write, not a hand edit. One per path.
CREATE TABLE pending_deployments (
    path        TEXT PRIMARY KEY,
    document    TEXT NOT NULL,
    artifact_id TEXT NOT NULL,
    file_sha256 TEXT NOT NULL,
    section     TEXT NOT NULL,
    backup_path TEXT,
    deployed_at INTEGER NOT NULL
);
