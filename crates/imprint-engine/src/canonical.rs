//! RFC 8785 JSON Canonicalization Scheme and content addressing.
//!
//! Frozen format: `artifact_id` = lowercase hex SHA-256 of the JCS bytes of the payload.
//! Changing anything here changes every artifact id ever published.

use serde_json::Value;
use sha2::{Digest, Sha256};

/// The JCS (RFC 8785) bytes of `value`: sorted keys (by UTF-16 code units), no
/// insignificant whitespace, ECMAScript number formatting.
pub fn to_jcs_bytes(value: &Value) -> Vec<u8> {
    // serde_json::Value always serializes (no non-string keys, no NaN), so this
    // cannot fail for a Value.
    serde_json_canonicalizer::to_vec(value).expect("a serde_json::Value is always serializable")
}

/// Lowercase hex SHA-256 of `bytes`.
pub fn sha256_hex(bytes: &[u8]) -> String {
    let digest = Sha256::digest(bytes);
    let mut hex = String::with_capacity(64);
    for byte in digest {
        hex.push(char::from(HEX[usize::from(byte >> 4)]));
        hex.push(char::from(HEX[usize::from(byte & 0x0f)]));
    }
    hex
}

const HEX: &[u8; 16] = b"0123456789abcdef";

/// The content address of a payload.
pub fn artifact_id(payload: &Value) -> String {
    sha256_hex(&to_jcs_bytes(payload))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn sorts_keys_and_strips_whitespace() {
        let value = json!({"b": 1, "a": [true, null, "x"], "c": {"z": 1.5, "y": -0.0}});
        assert_eq!(
            String::from_utf8(to_jcs_bytes(&value)).unwrap(),
            r#"{"a":[true,null,"x"],"b":1,"c":{"y":0,"z":1.5}}"#
        );
    }

    #[test]
    fn rfc8785_number_and_string_vectors() {
        // Vectors from RFC 8785 section 3.2.2 / appendix B.
        let value: Value = serde_json::from_str(
            r#"{"numbers":[333333333.33333329,1E30,4.50,2e-3,0.000000000000000000000000001],"string":"\u20ac$\u000F\u000aA'\u0042\u0022\u005c\\\"\/","literals":[null,true,false]}"#,
        )
        .unwrap();
        assert_eq!(
            String::from_utf8(to_jcs_bytes(&value)).unwrap(),
            "{\"literals\":[null,true,false],\"numbers\":[333333333.3333333,1e+30,4.5,0.002,1e-27],\"string\":\"€$\\u000f\\nA'B\\\"\\\\\\\\\\\"/\"}"
        );
    }

    #[test]
    fn orders_keys_by_utf16_code_units() {
        let value: Value = serde_json::from_str(
            r#"{"\u20ac":1,"\r":2,"\ud83d\ude00":3,"1":4,"\u0080":5,"\u00f6":6}"#,
        )
        .unwrap();
        let text = String::from_utf8(to_jcs_bytes(&value)).unwrap();
        assert_eq!(
            text,
            "{\"\\r\":2,\"1\":4,\"\u{80}\":5,\"ö\":6,\"€\":1,\"😀\":3}"
        );
    }

    #[test]
    fn artifact_id_golden_vector() {
        let payload = json!({"mcpServers": {"memory": {"args": ["-y", "@modelcontextprotocol/server-memory"], "command": "npx"}}});
        assert_eq!(
            String::from_utf8(to_jcs_bytes(&payload)).unwrap(),
            r#"{"mcpServers":{"memory":{"args":["-y","@modelcontextprotocol/server-memory"],"command":"npx"}}}"#
        );
        assert_eq!(artifact_id(&payload), sha256_hex(br#"{"mcpServers":{"memory":{"args":["-y","@modelcontextprotocol/server-memory"],"command":"npx"}}}"#));
        assert_eq!(
            artifact_id(&json!({})),
            "44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a"
        );
    }
}

#[cfg(test)]
mod properties {
    use super::*;
    use proptest::prelude::*;

    fn json_value() -> impl Strategy<Value = Value> {
        let leaf = prop_oneof![
            Just(Value::Null),
            any::<bool>().prop_map(Value::Bool),
            any::<i32>().prop_map(Value::from),
            (-1.0e12f64..1.0e12).prop_map(Value::from),
            ".{0,8}".prop_map(Value::String),
        ];
        leaf.prop_recursive(3, 32, 6, |inner| {
            prop_oneof![
                prop::collection::vec(inner.clone(), 0..5).prop_map(Value::Array),
                prop::collection::vec((".{0,6}", inner), 0..5)
                    .prop_map(|pairs| Value::Object(pairs.into_iter().collect())),
            ]
        })
    }

    proptest! {
        #[test]
        fn canonicalization_is_idempotent(value in json_value()) {
            let once = to_jcs_bytes(&value);
            let reparsed: Value = serde_json::from_slice(&once).unwrap();
            prop_assert_eq!(to_jcs_bytes(&reparsed), once);
        }

        #[test]
        fn key_order_does_not_matter(pairs in prop::collection::vec((".{0,6}", json_value()), 0..6)) {
            let forward: serde_json::Map<String, Value> = pairs.iter().cloned().collect();
            let backward: serde_json::Map<String, Value> = pairs.iter().rev().cloned().collect();
            // Duplicate keys keep the last value; compare only when both maps agree on values.
            if forward.iter().all(|(k, v)| backward.get(k) == Some(v)) {
                prop_assert_eq!(to_jcs_bytes(&Value::Object(forward)), to_jcs_bytes(&Value::Object(backward)));
            }
        }
    }
}
