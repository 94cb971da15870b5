//! Small facts about JSON values that every layer's error messages share.

use serde_json::Value;

/// The kind of a value as an error message says it: "a string", "an array", "null", …
pub fn kind(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}
