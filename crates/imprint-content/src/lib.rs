//! The content domain: the model of a classic CMS (Craft CMS is the reference) without IO.
//!
//! Sites, sections, entry types, fields and entries are stored elsewhere; this crate
//! decides what their values *mean*: which field types exist and what each accepts
//! ([`fields`]), how titles become slugs and handles are checked ([`slug`]), how URI and
//! title formats render ([`template`]), how a field layout is edited ([`layout`]), and
//! what an entry's content is, how a PATCH applies to it and how three versions of it
//! merge ([`entry`]). Everything is a pure function of its inputs: callers pass the
//! clock (`now`) and fresh uids in.
//!
//! # Layout
//! - [`fields`]: [`FieldType`] (short names and Craft class names), settings and value
//!   validation, search text.
//! - [`dates`]: ISO 8601 / RFC 3339 parsing into Unix milliseconds.
//! - [`slug`]: slugs and handles.
//! - [`template`]: `{slug}`-style URI and title formats.
//! - [`layout`]: field layouts (tabs of elements) with replace-by-uid updates.
//! - [`entry`]: [`Content`], PATCH input, required checks, status, three-way merge.
//!
//! # Example
//!
//! ```
//! use imprint_content::{Content, FieldDef, FieldType};
//! use serde_json::json;
//!
//! let price = FieldDef::new(7, "price", FieldType::parse("craft\\fields\\Number").unwrap());
//! let mut content = Content::default();
//! let data = json!({"title": "Blue Mug", "price": "12.5"});
//! content.apply_input(data.as_object().unwrap(), &[price.clone()]).unwrap();
//! assert_eq!(content.fields[&7], json!(12.5));
//! assert_eq!(imprint_content::slug::slugify(content.title.as_deref().unwrap()), "blue-mug");
//!
//! let bad = json!({"price": "abc"});
//! let error = content.apply_input(bad.as_object().unwrap(), &[price]).unwrap_err();
//! assert_eq!(error.to_string(), "field 'price' expects a number, got \"abc\"");
//! ```

#![forbid(unsafe_code)]

pub mod dates;
pub mod entry;
pub mod fields;
pub mod layout;
pub mod slug;
pub mod template;

pub use entry::{Content, EntryStatus, FieldDef};
pub use fields::FieldType;
pub use layout::Layout;

/// Invalid content or structure. The message names the field and what it expects, so a
/// person or a model can fix the call from it alone. Where it names an operation that helps
/// (`get_fields lists them`), the second field says which, as data: the message says it in
/// the operations' own names (MCP's tools), the service words it per surface.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct ContentError(pub String, pub Option<Step>);

impl ContentError {
    pub fn new(message: impl Into<String>) -> Self {
        Self(message.into(), None)
    }

    /// An error whose message names `step` (by its [`Step::tool_name`]).
    pub fn naming(message: impl Into<String>, step: Step) -> Self {
        let message = message.into();
        debug_assert!(message.contains(step.tool_name()), "{message}");
        Self(message, Some(step))
    }
}

/// An operation a content error's message names as what helps.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Step {
    /// The fields (their ids).
    ListFields,
    /// The field types.
    ListFieldTypes,
    /// Change a field layout (place fields).
    UpdateFieldLayout,
}

impl Step {
    /// The operation's own name (MCP's tool name), as the messages say it.
    pub fn tool_name(self) -> &'static str {
        match self {
            Step::ListFields => "get_fields",
            Step::ListFieldTypes => "get_field_types",
            Step::UpdateFieldLayout => "update_field_layout",
        }
    }
}

pub type ContentResult<T> = Result<T, ContentError>;

/// A short, quoted rendering of a value for error messages (long values are cut).
pub fn show(value: &serde_json::Value) -> String {
    let text = value.to_string();
    if text.chars().count() > 60 {
        let cut: String = text.chars().take(57).collect();
        format!("{cut}...")
    } else {
        text
    }
}
