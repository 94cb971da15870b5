-- Frozen once released: migrations are append-only. Change the schema with a new numbered file.
-- API tokens. Only the SHA-256 of a secret is stored; the secret is shown once, at creation.
CREATE TABLE tokens (
    id            TEXT PRIMARY KEY,
    name          TEXT NOT NULL,
    secret_sha256 TEXT NOT NULL,
    created_at    INTEGER NOT NULL,
    expires_at    INTEGER,
    last_used_at  INTEGER,
    revoked_at    INTEGER,
    creator       TEXT,
    CONSTRAINT tokens_secret UNIQUE (secret_sha256)
);

-- A name is an identity (recorded as author): one live token per name. Revoked rows
-- stay for the listing and do not block reusing the name.
CREATE UNIQUE INDEX tokens_active_name ON tokens (name) WHERE revoked_at IS NULL;
