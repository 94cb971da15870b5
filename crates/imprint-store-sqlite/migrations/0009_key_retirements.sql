-- Frozen: migrations are append-only. Change the schema with a new numbered file.
-- Retired signing keys: when each stopped signing, and its successor's endorsement (JSON
-- text signed by the retired key), so a member machine that pinned the old key can follow
-- the rotation. The public keys themselves stay where they were (files, public_keys).
CREATE TABLE key_retirements (
    key_id      TEXT PRIMARY KEY,
    retired_at  INTEGER NOT NULL,
    endorsement TEXT NOT NULL
);
