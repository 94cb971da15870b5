-- Frozen: migrations are append-only. Change the schema with a new numbered file.
-- The keyring: every signing public key any replica ever signed with, so every replica
-- verifies every revision. Private keys never enter the database.
CREATE TABLE public_keys (
    key_id     TEXT PRIMARY KEY,
    spki_pem   TEXT NOT NULL,
    created_at BIGINT NOT NULL
);
