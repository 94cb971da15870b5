//! Tool arguments as the service's request types.
//!
//! A tool takes `Parameters<Args<Request>>`: the input schema a client sees is `Request`'s, and
//! arguments that do not fit it (a wrong type, a malformed id) are parsed by
//! [`imprint_service::api::parse`], so the model gets a tool error naming the parameter and
//! the fix instead of a protocol error it cannot act on.

use std::borrow::Cow;

use imprint_service::ServiceResult;
use schemars::{JsonSchema, Schema, SchemaGenerator};
use serde::de::{Deserialize, DeserializeOwned, Deserializer};
use serde_json::Value;

/// A request parsed from a tool's arguments, or the error that names what is wrong.
pub(crate) struct Args<T>(pub(crate) ServiceResult<T>);

impl<'de, T: DeserializeOwned> Deserialize<'de> for Args<T> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let value = Value::deserialize(deserializer)?;
        Ok(Args(imprint_service::api::parse(value)))
    }
}

impl<T: JsonSchema> JsonSchema for Args<T> {
    fn schema_name() -> Cow<'static, str> {
        T::schema_name()
    }

    fn schema_id() -> Cow<'static, str> {
        T::schema_id()
    }

    fn inline_schema() -> bool {
        T::inline_schema()
    }

    fn json_schema(generator: &mut SchemaGenerator) -> Schema {
        T::json_schema(generator)
    }
}
