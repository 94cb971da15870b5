-- Frozen once released: migrations are append-only. Change the schema with a new numbered file.
-- The audit log without AUTOINCREMENT, applied with 0010 only to stores with pages smaller
-- than 8 KiB (every store created from this version on). AUTOINCREMENT rewrites the
-- table's row in sqlite_sequence on every insert: one more page in every audited write's
-- commit (the MCP hot path's add writes four instead of three). The log is append-only
-- (the triggers refuse updates and deletes), so the next rowid (the highest plus one)
-- never reuses a seq either.
CREATE TABLE audit_log_rowid (
    seq       INTEGER PRIMARY KEY,
    at        INTEGER NOT NULL,
    actor     TEXT NOT NULL,
    token_id  TEXT,
    role      TEXT NOT NULL,
    surface   TEXT NOT NULL,
    operation TEXT NOT NULL,
    target    TEXT NOT NULL
);
INSERT INTO audit_log_rowid (seq, at, actor, token_id, role, surface, operation, target)
    SELECT seq, at, actor, token_id, role, surface, operation, target FROM audit_log ORDER BY seq;
DROP TABLE audit_log;
ALTER TABLE audit_log_rowid RENAME TO audit_log;
CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
