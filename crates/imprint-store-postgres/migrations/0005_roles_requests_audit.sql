-- Frozen once released: migrations are append-only. Change the schema with a new numbered file.
-- Roles on tokens: tokens made before roles existed had every right, so they become admin.
ALTER TABLE tokens ADD COLUMN role TEXT NOT NULL DEFAULT 'admin';

-- The audit log: appended to, never changed (the trigger refuses it).
CREATE TABLE audit_log (
    seq       BIGSERIAL PRIMARY KEY,
    at        BIGINT NOT NULL,
    actor     TEXT NOT NULL,
    token_id  TEXT,
    role      TEXT NOT NULL,
    surface   TEXT NOT NULL,
    operation TEXT NOT NULL,
    target    TEXT NOT NULL
);
CREATE FUNCTION audit_log_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'the audit log is append-only';
END;
$$;
CREATE TRIGGER audit_log_append_only BEFORE UPDATE OR DELETE ON audit_log
    FOR EACH ROW EXECUTE FUNCTION audit_log_append_only();

-- Review before publish: a request freezes the draft version it asks for.
CREATE TABLE publish_requests (
    id            TEXT PRIMARY KEY,
    kind          TEXT NOT NULL,
    target        TEXT NOT NULL,
    draft_name    TEXT,
    draft_version BIGINT NOT NULL,
    changelog     TEXT,
    requested_by  TEXT NOT NULL,
    requested_at  BIGINT NOT NULL,
    status        TEXT NOT NULL,
    decided_by    TEXT,
    decided_at    BIGINT,
    reason        TEXT,
    artifact_id   TEXT
);
CREATE INDEX publish_requests_status ON publish_requests (status, requested_at);
