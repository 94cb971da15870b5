//! Building blocks of the request types: the argument shapes models and people send, each with
//! one deserializer and one schema, so every surface accepts exactly the same input.
//!
//! - [`Id`]: a positive integer id, also accepted as a string holding one or as `1.0`.
//! - [`IdList`]: ids as an array, a single id, or a JSON string of an array.
//! - [`JsonObject`]: a JSON object, also accepted as a string holding one.
//! - [`Flag`]: a boolean, also accepted as `"true"` / `"false"`.
//! - [`parse`]: a request from JSON, with an error that names the parameter at fault.
//! - [`schema_of`]: a request type's JSON Schema as every surface shows it (MCP `inputSchema`,
//!   OpenAPI parameters and bodies), made portable by [`make_portable`].
//!
//! The schemas are plain single-type JSON Schema (no type arrays, no boolean sub-schemas), so
//! strict function-calling clients can load them; the deserializers accept more than the
//! schema says because models send ids as strings and objects as JSON text.

use std::borrow::Cow;
use std::fmt;

use schemars::{JsonSchema, Schema, SchemaGenerator, json_schema};
use serde::de::{self, DeserializeOwned, Deserializer};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::error::{ServiceError, ServiceResult};

/// Deserializes a request, naming the parameter at fault in the error:
/// `sectionId: must be a positive integer id like 12, got "abc"`.
pub fn parse<T: DeserializeOwned>(value: Value) -> ServiceResult<T> {
    let value = match value {
        // a call without arguments is a call with none
        Value::Null => Value::Object(Map::new()),
        other => other,
    };
    serde_path_to_error::deserialize(value).map_err(|error| {
        let path = error.path().to_string();
        let mut inner = error.into_inner().to_string();
        // serde says "missing field `server_id`"; people and models read "server_id is required"
        if let Some(field) = inner
            .strip_prefix("missing field `")
            .and_then(|rest| rest.strip_suffix('`'))
        {
            inner = format!("{field} is required");
        }
        if path.is_empty() || path == "." {
            ServiceError::invalid(inner)
        } else {
            ServiceError::invalid(format!("{path}: {inner}"))
        }
    })
}

/// A positive integer id. Serialized as a number.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(transparent)]
pub struct Id(pub i64);

impl Id {
    pub fn get(self) -> i64 {
        self.0
    }

    fn from_value(value: &Value) -> Result<Id, String> {
        let parsed = match value {
            Value::Number(n) => n.as_i64().or_else(|| {
                n.as_f64()
                    .filter(|f| f.fract() == 0.0 && *f >= 1.0 && *f <= i64::MAX as f64)
                    .map(|f| f as i64)
            }),
            Value::String(text) => text.trim().parse::<i64>().ok(),
            _ => None,
        };
        match parsed {
            Some(id) if id > 0 => Ok(Id(id)),
            _ => Err(format!(
                "must be a positive integer id like 12, got {}",
                imprint_content::show(value)
            )),
        }
    }
}

impl fmt::Display for Id {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

impl From<Id> for i64 {
    fn from(id: Id) -> i64 {
        id.0
    }
}

impl<'de> Deserialize<'de> for Id {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Id, D::Error> {
        let value = Value::deserialize(deserializer)?;
        Id::from_value(&value).map_err(de::Error::custom)
    }
}

impl JsonSchema for Id {
    fn schema_name() -> Cow<'static, str> {
        "Id".into()
    }

    fn inline_schema() -> bool {
        true
    }

    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        json_schema!({"type": "integer", "minimum": 1})
    }
}

/// A list of ids: `[1, 2]`, a single id, or a JSON string of either.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[serde(transparent)]
pub struct IdList(pub Vec<Id>);

impl IdList {
    pub fn ids(&self) -> Vec<i64> {
        self.0.iter().map(|id| id.0).collect()
    }
}

impl<'de> Deserialize<'de> for IdList {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<IdList, D::Error> {
        let value = match Value::deserialize(deserializer)? {
            Value::String(text) if text.trim_start().starts_with('[') => {
                serde_json::from_str::<Value>(&text).map_err(|e| {
                    de::Error::custom(format!(
                        "is not valid JSON ({e}): pass an array like [1, 2]"
                    ))
                })?
            }
            other => other,
        };
        match &value {
            Value::Array(items) => items
                .iter()
                .map(Id::from_value)
                .collect::<Result<Vec<_>, _>>()
                .map(IdList)
                .map_err(|e| de::Error::custom(format!("{e}: pass an array of ids like [1, 2]"))),
            single => Id::from_value(single)
                .map(|id| IdList(vec![id]))
                .map_err(de::Error::custom),
        }
    }
}

impl JsonSchema for IdList {
    fn schema_name() -> Cow<'static, str> {
        "IdList".into()
    }

    fn inline_schema() -> bool {
        true
    }

    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        json_schema!({"type": "array", "items": {"type": "integer", "minimum": 1}})
    }
}

/// A JSON object, also accepted as a string holding one (models send both).
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
#[serde(transparent)]
pub struct JsonObject(pub Map<String, Value>);

impl JsonObject {
    pub fn into_inner(self) -> Map<String, Value> {
        self.0
    }
}

impl<'de> Deserialize<'de> for JsonObject {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<JsonObject, D::Error> {
        match Value::deserialize(deserializer)? {
            Value::Object(map) => Ok(JsonObject(map)),
            Value::String(text) if text.trim().is_empty() => Ok(JsonObject::default()),
            Value::String(text) => match serde_json::from_str::<Value>(&text) {
                Ok(Value::Object(map)) => Ok(JsonObject(map)),
                Ok(other) => Err(de::Error::custom(format!(
                    "must be a JSON object like {{\"key\": \"value\"}}, got {}",
                    imprint_engine::json::kind(&other)
                ))),
                Err(e) => Err(de::Error::custom(format!("is not valid JSON: {e}"))),
            },
            other => Err(de::Error::custom(format!(
                "must be a JSON object like {{\"key\": \"value\"}}, got {}",
                imprint_engine::json::kind(&other)
            ))),
        }
    }
}

impl JsonSchema for JsonObject {
    fn schema_name() -> Cow<'static, str> {
        "JsonObject".into()
    }

    fn inline_schema() -> bool {
        true
    }

    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        json_schema!({"type": "object", "additionalProperties": true})
    }
}

/// A boolean, also accepted as `"true"` / `"false"`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
#[serde(transparent)]
pub struct Flag(pub bool);

impl<'de> Deserialize<'de> for Flag {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Flag, D::Error> {
        match Value::deserialize(deserializer)? {
            Value::Bool(b) => Ok(Flag(b)),
            Value::String(s) if s == "true" || s == "false" => Ok(Flag(s == "true")),
            other => Err(de::Error::custom(format!(
                "must be true or false, got {}",
                imprint_content::show(&other)
            ))),
        }
    }
}

impl JsonSchema for Flag {
    fn schema_name() -> Cow<'static, str> {
        "Flag".into()
    }

    fn inline_schema() -> bool {
        true
    }

    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        json_schema!({"type": "boolean"})
    }
}

/// A request type's JSON Schema, portable (see [`make_portable`]).
pub fn schema_of<T: JsonSchema>() -> Value {
    let mut schema = serde_json::to_value(schemars::schema_for!(T)).unwrap_or_default();
    make_portable(&mut schema);
    schema
}

/// Makes a derived schema portable to strict clients. What schemars derives is valid JSON
/// Schema, but strict function-calling clients refuse parts of it:
///
/// - `"type": ["string", "null"]` (schemars' way of saying `Option`) becomes `"type": "string"`:
///   optional is said by leaving a field out of `required`, and `null` is still accepted.
/// - `anyOf: [X, {"type": "null"}]` becomes `X`, for the same reason.
/// - `format` values JSON Schema does not define (`int64`, `uint32`, `uint`, `double`) go:
///   strict validators refuse unknown formats.
/// - `$schema` goes: it would be on some schemas only, and every client assumes 2020-12.
/// - `items: true` (any item) becomes `items: {}`, which means the same; some clients cannot
///   read boolean sub-schemas. `additionalProperties: true/false` stays: every client reads it.
pub fn make_portable(schema: &mut Value) {
    if let Value::Object(map) = schema {
        map.remove("$schema");
    }
    simplify(schema);
}

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

    #[derive(Debug, Deserialize)]
    #[serde(rename_all = "camelCase")]
    struct Sample {
        section_id: Option<Id>,
        section_ids: Option<IdList>,
        data: Option<JsonObject>,
        provisional: Option<Flag>,
    }

    #[test]
    fn ids_accept_integers_numeric_strings_and_integral_floats() {
        let sample: Sample = parse(json!({"sectionId": "12"})).unwrap();
        assert_eq!(sample.section_id, Some(Id(12)));
        let sample: Sample = parse(json!({"sectionId": 3.0})).unwrap();
        assert_eq!(sample.section_id, Some(Id(3)));
        let sample: Sample = parse(json!({"sectionIds": "[1, 2]"})).unwrap();
        assert_eq!(sample.section_ids.unwrap().ids(), vec![1, 2]);
        let sample: Sample = parse(json!({"sectionIds": 7})).unwrap();
        assert_eq!(sample.section_ids.unwrap().ids(), vec![7]);
    }

    #[test]
    fn a_bad_value_names_the_parameter_and_the_expected_shape() {
        let error = parse::<Sample>(json!({"sectionId": 1.5})).unwrap_err();
        assert_eq!(
            error.to_string(),
            "sectionId: must be a positive integer id like 12, got 1.5"
        );
        let error = parse::<Sample>(json!({"sectionIds": [1, "x"]})).unwrap_err();
        assert!(error.to_string().starts_with("sectionIds: "), "{error}");
        let error = parse::<Sample>(json!({"data": "[1]"})).unwrap_err();
        assert!(
            error.to_string().contains("data: must be a JSON object"),
            "{error}"
        );
        let error = parse::<Sample>(json!({"provisional": "yes"})).unwrap_err();
        assert!(
            error
                .to_string()
                .starts_with("provisional: must be true or false"),
            "{error}"
        );
    }

    #[test]
    fn objects_arrive_as_objects_or_json_text_and_null_arguments_are_none() {
        let sample: Sample =
            parse(json!({"data": "{\"title\": \"Hi\"}", "provisional": "true"})).unwrap();
        assert_eq!(sample.data.unwrap().0["title"], "Hi");
        assert_eq!(sample.provisional, Some(Flag(true)));
        let sample: Sample = parse(Value::Null).unwrap();
        assert!(sample.section_id.is_none() && sample.data.is_none());
    }

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
        let mut portable = schema;
        make_portable(&mut portable);
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
