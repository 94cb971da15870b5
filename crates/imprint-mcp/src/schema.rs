//! Input schemas made portable: what schemars derives is valid JSON Schema, but strict
//! function-calling clients refuse parts of it. Every tool's schema passes through
//! [`portable`] once, when the router is built:
//!
//! - `"type": ["string", "null"]` (schemars' way of saying `Option`) becomes `"type": "string"`:
//!   optional is said by leaving a field out of `required`, and `null` is still accepted.
//! - `anyOf: [X, {"type": "null"}]` becomes `X`, for the same reason.
//! - `format` values JSON Schema does not define (`int64`, `uint32`, `uint`, `double`) go:
//!   strict validators refuse unknown formats.
//! - `$schema` goes: rmcp writes it on some tools only, and every client assumes 2020-12.
//! - `items: true` (any item) becomes `items: {}`, which means the same; some clients cannot
//!   read boolean sub-schemas. `additionalProperties: true/false` stays: every client reads it.

use serde_json::{Map, Value};

/// Formats defined by JSON Schema 2020-12.
const STANDARD_FORMATS: &[&str] = &[
    "date-time",
    "date",
    "time",
    "duration",
    "email",
    "idn-email",
    "hostname",
    "idn-hostname",
    "ipv4",
    "ipv6",
    "uri",
    "uri-reference",
    "iri",
    "iri-reference",
    "uuid",
    "uri-template",
    "json-pointer",
    "relative-json-pointer",
    "regex",
];

/// The portable form of a tool's input schema.
pub(crate) fn portable(schema: &Map<String, Value>) -> Map<String, Value> {
    let mut value = Value::Object(schema.clone());
    // rmcp writes `$schema` only on tools that take parameters; none is consistent, and
    // shorter in every conversation's context
    if let Value::Object(map) = &mut value {
        map.remove("$schema");
    }
    simplify(&mut value);
    match value {
        Value::Object(map) => map,
        _ => schema.clone(),
    }
}

fn simplify(value: &mut Value) {
    let Value::Object(map) = value else {
        if let Value::Array(items) = value {
            items.iter_mut().for_each(simplify);
        }
        return;
    };
    if let Some(Value::Array(types)) = map.get("type") {
        let named: Vec<Value> = types
            .iter()
            .filter(|t| t.as_str() != Some("null"))
            .cloned()
            .collect();
        if named.len() == 1 {
            map.insert("type".into(), named[0].clone());
        }
    }
    if let Some(Value::Array(options)) = map.get("anyOf") {
        let non_null: Vec<&Value> = options
            .iter()
            .filter(|o| o.get("type").and_then(Value::as_str) != Some("null"))
            .collect();
        if non_null.len() == 1 && options.len() == 2 {
            let Value::Object(inner) = non_null[0].clone() else {
                return;
            };
            map.remove("anyOf");
            for (key, inner_value) in inner {
                // the field's own description wins over the type's
                map.entry(key).or_insert(inner_value);
            }
        }
    }
    if map.get("items") == Some(&Value::Bool(true)) {
        map.insert("items".into(), Value::Object(Map::new()));
    }
    if let Some(format) = map.get("format").and_then(Value::as_str)
        && !STANDARD_FORMATS.contains(&format)
    {
        map.remove("format");
    }
    for child in map.values_mut() {
        simplify(child);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn optional_types_formats_and_null_alternatives_become_portable() {
        let schema = json!({
            "type": "object",
            "properties": {
                "name": {"type": ["string", "null"], "description": "a name"},
                "limit": {"type": ["integer", "null"], "format": "uint", "minimum": 0},
                "when": {"type": "string", "format": "date-time"},
                "any": {"type": "array", "items": true},
                "kind": {"anyOf": [{"type": "string", "enum": ["a", "b"]}, {"type": "null"}], "description": "which"}
            }
        });
        let Value::Object(map) = schema else {
            unreachable!()
        };
        let portable = Value::Object(portable(&map));
        assert_eq!(
            portable["properties"]["name"],
            json!({"type": "string", "description": "a name"})
        );
        assert_eq!(
            portable["properties"]["limit"],
            json!({"type": "integer", "minimum": 0})
        );
        assert_eq!(portable["properties"]["when"]["format"], "date-time");
        assert_eq!(portable["properties"]["any"]["items"], json!({}));
        assert_eq!(
            portable["properties"]["kind"],
            json!({"type": "string", "enum": ["a", "b"], "description": "which"})
        );
    }
}
