//! The signed artifact envelope.
//!
//! Frozen format: an envelope is a JSON object with at least `artifact_id`, `payload`,
//! `signing_key_id` and `signature`. The signature is Ed25519 over the JCS bytes of the
//! whole object without its `signature` field, so every other field (client, profile,
//! created_at, metadata, changelog) is covered too. Verifiable with any JCS library and
//! `openssl pkeyutl -verify -rawin`.

use serde_json::{Map, Value};

use crate::EngineError;
use crate::canonical::{artifact_id, to_jcs_bytes};
use crate::signing::{KeyPair, PublicKey};

pub const SIGNATURE_FIELD: &str = "signature";

/// Signs `unsigned` (an object without `signature`) and returns it with `signature` added.
///
/// Refuses an envelope whose `artifact_id` does not match its payload, so a bad id can
/// never be signed.
pub fn seal(unsigned: Value, key: &KeyPair) -> Result<Value, EngineError> {
    let Value::Object(mut object) = unsigned else {
        return Err(EngineError::Malformed(
            "an envelope must be a JSON object".into(),
        ));
    };
    if object.contains_key(SIGNATURE_FIELD) {
        return Err(EngineError::Malformed("envelope is already signed".into()));
    }
    check_artifact_id(&object)?;
    let signature = key.sign(&to_jcs_bytes(&Value::Object(object.clone())));
    object.insert(SIGNATURE_FIELD.into(), Value::String(signature));
    Ok(Value::Object(object))
}

/// Recomputes the artifact id and checks the signature with `key`.
pub fn verify(envelope: &Value, key: &PublicKey) -> Result<(), EngineError> {
    let object = envelope
        .as_object()
        .ok_or_else(|| EngineError::Malformed("an envelope must be a JSON object".into()))?;
    check_artifact_id(object)?;
    let signature = object
        .get(SIGNATURE_FIELD)
        .and_then(Value::as_str)
        .ok_or_else(|| EngineError::Malformed("envelope has no signature".into()))?;
    key.verify(&signed_bytes(object), signature)
}

/// The bytes the signature covers: JCS of the envelope without `signature`.
pub fn signed_bytes(object: &Map<String, Value>) -> Vec<u8> {
    let mut unsigned = object.clone();
    unsigned.remove(SIGNATURE_FIELD);
    to_jcs_bytes(&Value::Object(unsigned))
}

/// The key id an envelope claims to be signed with.
pub fn key_id(envelope: &Value) -> Option<&str> {
    envelope.get("signing_key_id").and_then(Value::as_str)
}

fn check_artifact_id(object: &Map<String, Value>) -> Result<(), EngineError> {
    let payload = object
        .get("payload")
        .ok_or_else(|| EngineError::Malformed("envelope has no payload".into()))?;
    let claimed = object
        .get("artifact_id")
        .and_then(Value::as_str)
        .ok_or_else(|| EngineError::Malformed("envelope has no artifact_id".into()))?;
    let actual = artifact_id(payload);
    if claimed != actual {
        return Err(EngineError::IdMismatch {
            claimed: claimed.into(),
            actual,
        });
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn sample(key: &KeyPair) -> Value {
        let payload =
            json!({"mcpServers": {"fetch": {"command": "uvx", "args": ["mcp-server-fetch"]}}});
        json!({
            "artifact_id": artifact_id(&payload),
            "client_id": "claude-desktop",
            "profile_id": "default",
            "created_at": "2026-11-22T00:00:00.000Z",
            "payload": payload,
            "signing_key_id": key.key_id(),
            "metadata": {"changelog": "first"},
        })
    }

    #[test]
    fn sealed_envelope_verifies_and_covers_metadata() {
        let key = KeyPair::from_seed([3; 32]);
        let sealed = seal(sample(&key), &key).unwrap();
        verify(&sealed, &key.public()).unwrap();

        let mut tampered = sealed.clone();
        tampered["metadata"]["changelog"] = json!("second");
        assert!(matches!(
            verify(&tampered, &key.public()),
            Err(EngineError::BadSignature { .. })
        ));

        let mut tampered = sealed.clone();
        tampered["payload"]["mcpServers"]["fetch"]["command"] = json!("evil");
        assert!(matches!(
            verify(&tampered, &key.public()),
            Err(EngineError::IdMismatch { .. })
        ));
    }

    #[test]
    fn other_key_does_not_verify() {
        let key = KeyPair::from_seed([3; 32]);
        let sealed = seal(sample(&key), &key).unwrap();
        assert!(verify(&sealed, &KeyPair::from_seed([4; 32]).public()).is_err());
    }

    #[test]
    fn refuses_wrong_artifact_id() {
        let key = KeyPair::from_seed([3; 32]);
        let mut unsigned = sample(&key);
        unsigned["artifact_id"] = json!("00");
        assert!(matches!(
            seal(unsigned, &key),
            Err(EngineError::IdMismatch { .. })
        ));
    }

    #[test]
    fn golden_signed_envelope() {
        // Ed25519 is deterministic: a fixed seed and envelope give fixed bytes. If this
        // changes, the envelope format changed: that must be a deliberate, versioned decision.
        let key = KeyPair::from_seed([9; 32]);
        let sealed = seal(sample(&key), &key).unwrap();
        let expected = include_str!("../tests/golden/envelope.json");
        let expected: Value = serde_json::from_str(expected).unwrap();
        assert_eq!(sealed, expected);
    }
}
