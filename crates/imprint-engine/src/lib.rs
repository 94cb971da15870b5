//! The engine: canonical JSON, content addressing, signing, envelopes and merge.
//!
//! Everything here is a pure function of its inputs: the engine does no IO, reads no
//! clock and draws no randomness (callers pass timestamps and key seeds in). That keeps
//! the frozen formats — the artifact id and the signed envelope — testable with golden
//! vectors and the same on every surface and store.
//!
//! # Layout
//! - [`canonical`]: RFC 8785 (JCS) bytes and the `artifact_id` hash.
//! - [`signing`]: Ed25519 key pairs, PEM encodings, key ids, signatures.
//! - [`envelope`]: sealing and verifying a signed artifact envelope.
//! - [`endorsement`]: a rotated-out key vouching for its successor.
//! - [`merge`]: key-level PATCH and the three-way merge used when applying a stale draft.
//! - [`timestamp`]: RFC 3339 UTC formatting for `created_at`.
//! - [`json`]: how error messages name a JSON value's kind.
//!
//! # Example
//!
//! ```
//! use imprint_engine::{canonical, envelope, signing::KeyPair};
//! use serde_json::json;
//!
//! let key = KeyPair::from_seed([7; 32]);
//! let payload = json!({"mcpServers": {"memory": {"command": "npx", "args": []}}});
//! let unsigned = json!({
//!     "artifact_id": canonical::artifact_id(&payload),
//!     "client_id": "claude-desktop",
//!     "payload": payload,
//!     "signing_key_id": key.key_id(),
//! });
//! let sealed = envelope::seal(unsigned, &key).unwrap();
//! assert!(envelope::verify(&sealed, &key.public()).is_ok());
//! ```

#![forbid(unsafe_code)]

pub mod canonical;
pub mod endorsement;
pub mod envelope;
pub mod json;
pub mod merge;
pub mod signing;
pub mod timestamp;

mod error;

pub use error::EngineError;
