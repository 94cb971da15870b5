/// What can go wrong inside the engine. Messages are for people; no secrets inside.
#[derive(Debug, thiserror::Error)]
pub enum EngineError {
    #[error("value cannot be canonicalized: {0}")]
    Canonical(String),
    #[error("invalid key material: {0}")]
    Key(String),
    #[error("envelope is malformed: {0}")]
    Malformed(String),
    #[error("artifact id mismatch: envelope says {claimed} but the payload hashes to {actual}")]
    IdMismatch { claimed: String, actual: String },
    #[error(
        "signature does not verify with key {key_id}: the artifact was altered or signed by another key"
    )]
    BadSignature { key_id: String },
}
