//! Schema helpers for tool arguments that are not yet the service's request types.
//!
//! The configuration tools take `imprint_service` request types directly (see `args`); what
//! remains here serves the content tools' argument structs.

/// A JSON object, also accepted as a JSON string holding one.
pub(crate) fn object_or_string(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
    schemars::json_schema!({
        "type": "object",
        "additionalProperties": true,
        "description": "A JSON object (a string holding a JSON object is accepted too)."
    })
}
