//! JSON and JSONC files, edited through a concrete syntax tree (jsonc-parser's CST) rather than
//! parsed and re-serialized, so that comments, blank lines, indentation and key order outside
//! the MCP section keep their bytes.
//!
//! Within the section the edit is as small as the change: an entry equal to the desired one is
//! not touched, a changed entry has only its changed fields rewritten, new entries are appended
//! with the indentation the file already uses, and entries no longer wanted are removed.
//!
//! Strict JSON files are parsed strictly: a comment or trailing comma in a `.json` file is a
//! parse error (the client reading it would fail too), and the edited text is checked to be
//! strict JSON again before it is handed back, so Imprint never writes a comment into one.

use std::panic::{AssertUnwindSafe, catch_unwind};

use jsonc_parser::ParseOptions;
use jsonc_parser::cst::{CstInputValue, CstNode, CstObject, CstObjectProp, CstRootNode};
use serde_json::Value;

use crate::error::lowercase_first;
use crate::syntax::{Rewrite, Section, Syntax, SyntaxError, check_edit, internal};
use imprint_engine::json::kind as kind_of;

/// The JSON / JSONC syntax; `strict` is plain JSON.
pub(crate) struct Jsonc {
    strict: bool,
}

pub(crate) static STRICT: Jsonc = Jsonc { strict: true };
pub(crate) static LENIENT: Jsonc = Jsonc { strict: false };

const BOM: char = '\u{feff}';

impl Jsonc {
    fn options(&self) -> ParseOptions {
        if self.strict {
            ParseOptions {
                allow_comments: false,
                allow_loose_object_property_names: false,
                allow_trailing_commas: false,
                allow_missing_commas: false,
                allow_single_quoted_strings: false,
                allow_hexadecimal_numbers: false,
                allow_unary_plus_numbers: false,
                allow_bare_decimal_point_numbers: false,
                allow_non_finite_numbers: false,
                allow_extended_string_escapes: false,
            }
        } else {
            ParseOptions::default()
        }
    }

    /// The whole document as a value. The serde path is used (not the CST) because it is the
    /// one that enforces the strict options and reports line and column.
    fn parse_value(&self, text: &str) -> Result<Value, SyntaxError> {
        jsonc_parser::parse_to_serde_value::<Value>(text, &self.options()).map_err(|error| {
            SyntaxError::Parse(format!(
                "{} on line {} column {}",
                lowercase_first(&error.kind().to_string()),
                error.line_display(),
                error.column_display()
            ))
        })
    }
}

impl Syntax for Jsonc {
    fn read(&self, text: &str, key: &str) -> Result<Option<Value>, SyntaxError> {
        let document = self.parse_value(strip_bom(text).1)?;
        value_of(&document, key)
    }

    fn rewrite(&self, text: Option<&str>, change: &Rewrite) -> Result<String, SyntaxError> {
        let root_key = change.root_key;
        let Some(text) = text else {
            return fresh_document(root_key, change.desired);
        };
        let (bom, body) = strip_bom(text);
        let before = self.parse_value(body)?;
        let current = value_of(&before, root_key)?;

        // The CST editor is third-party code with internal unwraps; a bug there must become an
        // error for this one file, not take the server down.
        let edited = catch_unwind(AssertUnwindSafe(|| {
            edit(
                body,
                &self.options(),
                root_key,
                current.as_ref(),
                change.desired,
            )
        }))
        .map_err(|_| internal("the JSON editor failed on this file"))??;
        let edited = format!("{bom}{edited}");
        self.check(&before, &edited, root_key, change.desired)?;
        Ok(edited)
    }

    fn append_to_list(
        &self,
        text: &str,
        key: &str,
        items: &[Value],
    ) -> Result<String, SyntaxError> {
        let (bom, body) = strip_bom(text);
        let before = self.parse_value(body)?;
        let mut expected = match value_of(&before, key)? {
            None => Vec::new(),
            Some(Value::Array(list)) => list,
            Some(other) => {
                return Err(SyntaxError::Shape(format!(
                    "'{key}' holds {}, not a list",
                    kind_of(&other)
                )));
            }
        };
        expected.extend(items.iter().cloned());
        let options = self.options();
        let edited = catch_unwind(AssertUnwindSafe(|| -> Result<String, SyntaxError> {
            let root = CstRootNode::parse(body, &options)
                .map_err(|error| SyntaxError::Parse(lowercase_first(&error.to_string())))?;
            let root_object = root.object_value_or_set();
            let list = match last_property(&root_object, key) {
                Some(property) => property.array_value_or_set(),
                None => root_object.array_value_or_set(key),
            };
            for item in items {
                list.append(to_input(item));
            }
            Ok(root.to_string())
        }))
        .map_err(|_| internal("the JSON editor failed on this file"))??;
        let edited = format!("{bom}{edited}");
        self.check(&before, &edited, key, &Value::Array(expected))?;
        Ok(edited)
    }
}

impl Jsonc {
    /// The edit did exactly what was asked: the result parses (strictly, for JSON), `key` holds
    /// `desired`, and every other key holds what it held before.
    fn check(
        &self,
        before: &Value,
        edited: &str,
        key: &str,
        desired: &Value,
    ) -> Result<(), SyntaxError> {
        let after = self
            .parse_value(strip_bom(edited).1)
            .map_err(|error| match error {
                SyntaxError::Parse(message) => internal(&format!("the edit produced {message}")),
                shape => shape,
            })?;
        check_edit(before, &after, key, desired)
    }
}

fn strip_bom(text: &str) -> (&str, &str) {
    match text.strip_prefix(BOM) {
        Some(body) => (&text[..BOM.len_utf8()], body),
        None => ("", text),
    }
}

/// The value under `key`. An empty document and a `null` key count as absent: there is
/// nothing in them to lose.
fn value_of(document: &Value, key: &str) -> Result<Option<Value>, SyntaxError> {
    let root = match document {
        Value::Null => return Ok(None),
        Value::Object(root) => root,
        other => {
            return Err(SyntaxError::Shape(format!(
                "the top level is {}, not an object",
                kind_of(other)
            )));
        }
    };
    match root.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(value) => Ok(Some(value.clone())),
    }
}

/// A new file: two-space indentation, as the clients themselves write it, and a final newline.
fn fresh_document(root_key: &str, desired: &Value) -> Result<String, SyntaxError> {
    let mut root = Section::new();
    root.insert(root_key.to_string(), desired.clone());
    let mut text = serde_json::to_string_pretty(&Value::Object(root))
        .map_err(|error| internal(&format!("cannot render the file: {error}")))?;
    text.push('\n');
    Ok(text)
}

/// The CST edit itself. `current` is the section as it is now (absent = empty).
fn edit(
    body: &str,
    options: &ParseOptions,
    root_key: &str,
    current: Option<&Value>,
    desired: &Value,
) -> Result<String, SyntaxError> {
    let root = CstRootNode::parse(body, options)
        .map_err(|error| SyntaxError::Parse(lowercase_first(&error.to_string())))?;
    // Covers an empty or comment-only document and a literal `null` as well as an object.
    let root_object = root.object_value_or_set();
    let had_properties = !root_object.properties().is_empty();
    let layout_before = inner_layout(&root, &root_object);

    let appended_to_root = match (desired, last_property(&root_object, root_key)) {
        (Value::Object(desired), Some(property)) => {
            let section = match (current, property.object_value()) {
                (Some(Value::Object(current)), Some(section)) => {
                    merge_object(&section, current, desired);
                    return finish(&root, &root_object, false, layout_before, had_properties);
                }
                // `null` or another kind: nothing to keep, so an empty object takes its place
                _ => {
                    property.set_value(CstInputValue::Object(Vec::new()));
                    object_of(&property)?
                }
            };
            merge_object(&section, &Section::new(), desired);
            false
        }
        (Value::Object(desired), None) => {
            let property = root_object.append(root_key, CstInputValue::Object(Vec::new()));
            merge_object(&object_of(&property)?, &Section::new(), desired);
            true
        }
        // a list-shaped section is replaced whole (no JSON client has one)
        (other, Some(property)) => {
            if current != Some(other) {
                property.set_value(to_input(other));
            }
            false
        }
        (other, None) => {
            root_object.append(root_key, to_input(other));
            true
        }
    };
    finish(
        &root,
        &root_object,
        appended_to_root,
        layout_before,
        had_properties,
    )
}

/// The document's text, with the blank lines inside the root's braces restored when a key was
/// appended to the root.
fn finish(
    root: &CstRootNode,
    root_object: &CstObject,
    appended_to_root: bool,
    layout_before: Option<InnerLayout>,
    had_properties: bool,
) -> Result<String, SyntaxError> {
    let mut text = root.to_string();
    if appended_to_root
        && had_properties
        && let (Some(before), Some(after)) = (layout_before, inner_layout(root, root_object))
        && let Some(restored) = restore_blank_lines(&text, &before, &after)
    {
        text = restored;
    }
    Ok(text)
}

fn object_of(property: &CstObjectProp) -> Result<CstObject, SyntaxError> {
    property
        .object_value()
        .ok_or_else(|| internal("the section could not be created"))
}

/// Brings `object` (whose current value is `current`) to `desired`, touching only what differs.
fn merge_object(object: &CstObject, current: &Section, desired: &Section) {
    // With duplicate keys the last one is what JSON readers use, so that is the one kept.
    let properties = object.properties();
    let names: Vec<Option<String>> = properties.iter().map(|p| p.decoded_name()).collect();
    for (index, property) in properties.iter().enumerate() {
        let Some(name) = &names[index] else { continue };
        let is_last = !names[index + 1..].iter().any(|n| n.as_ref() == Some(name));
        if !is_last || !desired.contains_key(name) {
            property.clone().remove();
        }
    }
    for (name, wanted) in desired {
        match last_property(object, name) {
            Some(property) => {
                let now = current.get(name);
                if now == Some(wanted) {
                    continue;
                }
                match (now, wanted, property.object_value()) {
                    (Some(Value::Object(now)), Value::Object(wanted), Some(inner)) => {
                        merge_object(&inner, now, wanted)
                    }
                    _ => property.set_value(to_input(wanted)),
                }
            }
            None => {
                object.append(name, to_input(wanted));
            }
        }
    }
}

fn last_property(object: &CstObject, name: &str) -> Option<CstObjectProp> {
    object
        .properties()
        .into_iter()
        .rev()
        .find(|property| property.decoded_name().as_deref() == Some(name))
}

fn to_input(value: &Value) -> CstInputValue {
    match value {
        Value::Null => CstInputValue::Null,
        Value::Bool(b) => CstInputValue::Bool(*b),
        Value::Number(n) => CstInputValue::Number(n.to_string()),
        Value::String(s) => CstInputValue::String(s.clone()),
        Value::Array(items) => CstInputValue::Array(items.iter().map(to_input).collect()),
        Value::Object(map) => CstInputValue::Object(
            map.iter()
                .map(|(key, value)| (key.clone(), to_input(value)))
                .collect(),
        ),
    }
}

/// The whitespace just inside the root object's braces, and where the object starts in the
/// document text.
struct InnerLayout {
    start: usize,
    len: usize,
    lead: String,
    trail: String,
}

fn inner_layout(root: &CstRootNode, object: &CstObject) -> Option<InnerLayout> {
    let object_node: CstNode = object.clone().into();
    let index = object_node.child_index();
    let start = root
        .children()
        .iter()
        .take(index)
        .map(|child| child.to_string().len())
        .sum();
    let text = object.to_string();
    let inner = text.strip_prefix('{')?.strip_suffix('}')?;
    let is_space = |c: char| matches!(c, ' ' | '\t' | '\r' | '\n');
    let lead_len = inner.len() - inner.trim_start_matches(is_space).len();
    let trail_len = inner.len() - inner.trim_end_matches(is_space).len();
    Some(InnerLayout {
        start,
        len: text.len(),
        lead: inner[..lead_len].to_string(),
        trail: inner[inner.len() - trail_len..].to_string(),
    })
}

/// Appending a key to the root makes the CST editor drop blank lines just inside the root's
/// braces; those bytes belong to the user, so they are put back.
fn restore_blank_lines(text: &str, before: &InnerLayout, after: &InnerLayout) -> Option<String> {
    let has_blank_line = |s: &str| s.matches('\n').count() >= 2;
    let object = text.get(after.start..after.start + after.len)?;
    let inner = object.get(1..object.len().checked_sub(1)?)?;
    let middle = inner.get(after.lead.len()..inner.len().checked_sub(after.trail.len())?)?;
    let lead = if has_blank_line(&before.lead) && after.lead.contains('\n') {
        &before.lead
    } else {
        &after.lead
    };
    let trail = if has_blank_line(&before.trail) && after.trail.contains('\n') {
        &before.trail
    } else {
        &after.trail
    };
    Some(format!(
        "{}{{{lead}{middle}{trail}}}{}",
        text.get(..after.start)?,
        text.get(after.start + after.len..)?
    ))
}
