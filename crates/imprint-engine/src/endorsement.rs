//! Key endorsements: a rotated-out key vouching for the key that replaces it.
//!
//! Frozen format (`imprint.key-endorsement.v1`): a JSON object with `format`, `key_id` and
//! `public_key_pem` (the new key), `replaces` (the old key's id), `retired_at` (RFC 3339, when
//! the old key stopped signing), `signing_key_id` (= `replaces`) and `signature`: Ed25519 by
//! the old key over the JCS bytes of the object without `signature`, exactly like an artifact
//! envelope. A machine that pinned the old key can therefore follow a rotation without
//! trusting the server that hands the new key out.

use serde_json::{Value, json};

use crate::EngineError;
use crate::envelope::{SIGNATURE_FIELD, signed_bytes};
use crate::signing::{KeyPair, PublicKey};
use crate::timestamp;

pub const FORMAT: &str = "imprint.key-endorsement.v1";

/// `old` vouches for `new`, which replaces it from `retired_at_millis` on.
pub fn endorse(
    old: &KeyPair,
    new: &PublicKey,
    retired_at_millis: i64,
) -> Result<Value, EngineError> {
    let mut object = json!({
        "format": FORMAT,
        "key_id": new.key_id(),
        "public_key_pem": new.to_spki_pem()?,
        "replaces": old.key_id(),
        "retired_at": timestamp::rfc3339_millis(retired_at_millis),
        "signing_key_id": old.key_id(),
    });
    let signature = old.sign(&signed_bytes(object.as_object().expect("an object")));
    object[SIGNATURE_FIELD] = Value::String(signature);
    Ok(object)
}

/// The key an endorsement names, once its signature by `by` (the key it replaces) checks
/// out and its `key_id` is the id of its own PEM.
pub fn verify(endorsement: &Value, by: &PublicKey) -> Result<PublicKey, EngineError> {
    let object = endorsement
        .as_object()
        .ok_or_else(|| EngineError::Malformed("an endorsement must be a JSON object".into()))?;
    let field = |name: &str| {
        object
            .get(name)
            .and_then(Value::as_str)
            .ok_or_else(|| EngineError::Malformed(format!("endorsement has no {name}")))
    };
    if field("format")? != FORMAT {
        return Err(EngineError::Malformed(format!(
            "endorsement format is not {FORMAT}"
        )));
    }
    let by_id = by.key_id();
    if field("replaces")? != by_id || field("signing_key_id")? != by_id {
        return Err(EngineError::Malformed(format!(
            "endorsement is not by {by_id}"
        )));
    }
    by.verify(&signed_bytes(object), field(SIGNATURE_FIELD)?)?;
    let key = PublicKey::from_spki_pem(field("public_key_pem")?)?;
    if key.key_id() != field("key_id")? {
        return Err(EngineError::Malformed(format!(
            "endorsement names {} but its key is {}",
            field("key_id")?,
            key.key_id()
        )));
    }
    Ok(key)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn golden_endorsement() {
        // Ed25519 is deterministic: fixed keys and time give fixed bytes. If this changes,
        // the endorsement format changed: that must be a deliberate, versioned decision.
        let endorsement = endorse(
            &KeyPair::from_seed([1; 32]),
            &KeyPair::from_seed([2; 32]).public(),
            1_700_000_000_000,
        )
        .unwrap();
        let expected: Value =
            serde_json::from_str(include_str!("../tests/golden/endorsement.json")).unwrap();
        assert_eq!(endorsement, expected);
    }

    #[test]
    fn an_endorsement_verifies_with_the_old_key_only_and_covers_every_field() {
        let old = KeyPair::from_seed([1; 32]);
        let new = KeyPair::from_seed([2; 32]);
        let endorsement = endorse(&old, &new.public(), 0).unwrap();
        assert_eq!(verify(&endorsement, &old.public()).unwrap(), new.public());
        // the new key cannot vouch for itself
        assert!(verify(&endorsement, &new.public()).is_err());

        let other = KeyPair::from_seed([3; 32]);
        let mut swapped = endorsement.clone();
        swapped["public_key_pem"] = json!(other.public().to_spki_pem().unwrap());
        swapped["key_id"] = json!(other.key_id());
        assert!(matches!(
            verify(&swapped, &old.public()),
            Err(EngineError::BadSignature { .. })
        ));

        let mut relabelled = endorsement.clone();
        relabelled["retired_at"] = json!("2030-01-01T00:00:00.000Z");
        assert!(verify(&relabelled, &old.public()).is_err());
    }
}
