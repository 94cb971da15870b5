-- Secret values for MCP client configurations, encrypted by the service (XChaCha20-Poly1305
-- under keys/secrets.key, which never enters the database; the name is the associated data).
-- Only ciphertext is stored here: drafts and artifacts hold `${secret:NAME}` references.
CREATE TABLE secrets (
    name TEXT PRIMARY KEY NOT NULL,
    nonce BLOB NOT NULL,
    ciphertext BLOB NOT NULL,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
);
