//! TOML files (Codex's `config.toml`), edited with `toml_edit`, which keeps comments, blank
//! lines, key order and the spelling of every value it is not asked to change.
//!
//! The MCP section is a table of tables (`[mcp_servers.NAME]`). The edit is as small as the
//! change: an entry equal to the desired one is not touched; a changed entry has only its
//! changed keys rewritten (a changed value keeps the comment after it; an inline table such as
//! `env = { … }` is one value and is written anew); new entries become new
//! `[mcp_servers.NAME]` tables placed after the existing ones, with nested objects written as
//! inline tables (`env = { KEY = "value" }`), the way Codex's own documentation writes them.
//!
//! TOML has no `null`: a desired section holding one is refused before anything is written.

use serde_json::{Map, Number, Value};
use toml_edit::{Array, DocumentMut, InlineTable, Item, Table, TableLike};

use crate::syntax::{Rewrite, Syntax, SyntaxError, check_edit, internal};
use imprint_engine::json::kind as kind_of;

/// The TOML syntax.
pub(crate) struct Toml;

pub(crate) static TOML: Toml = Toml;

impl Syntax for Toml {
    fn read(&self, text: &str, key: &str) -> Result<Option<Value>, SyntaxError> {
        let document = parse(text)?;
        match document.as_table().get(key) {
            None => Ok(None),
            Some(item) => item_to_json(item),
        }
    }

    fn rewrite(&self, text: Option<&str>, change: &Rewrite) -> Result<String, SyntaxError> {
        let Value::Object(desired) = change.desired else {
            return Err(SyntaxError::Shape(format!(
                "'{}' must be a table of servers in a TOML file, not {}",
                change.root_key,
                kind_of(change.desired)
            )));
        };
        check_representable(change.desired, change.root_key)?;
        let mut document = match text {
            Some(text) => parse(text)?,
            None => DocumentMut::new(),
        };
        let before = table_to_json(document.as_table())?;
        let has_content = !document.as_table().is_empty();
        let current = match before.get(change.root_key) {
            Some(Value::Object(current)) => current.clone(),
            _ => Map::new(),
        };

        let root = document.as_table_mut();
        let section_is_table = root
            .get(change.root_key)
            .is_some_and(|item| item.is_table_like());
        if !section_is_table {
            // absent, or a value of another kind that the desired table replaces
            let mut section = Table::new();
            section.set_implicit(true);
            root.insert(change.root_key, Item::Table(section));
        }
        let section = root
            .get_mut(change.root_key)
            .and_then(Item::as_table_like_mut)
            .ok_or_else(|| internal("the section table could not be created"))?;
        for name in current.keys() {
            if !desired.contains_key(name) {
                section.remove(name);
            }
        }
        for (name, wanted) in desired {
            let existing = current.get(name);
            if existing == Some(wanted) {
                continue;
            }
            let entry_is_table = section.get(name).is_some_and(Item::is_table_like);
            match (existing, wanted, entry_is_table) {
                (Some(Value::Object(now)), Value::Object(wanted), true) => {
                    let table = section
                        .get_mut(name)
                        .and_then(Item::as_table_like_mut)
                        .ok_or_else(|| internal("an entry table vanished"))?;
                    merge(table, now, wanted)?;
                }
                (_, Value::Object(wanted), _) => {
                    section.insert(name, Item::Table(new_entry(wanted, has_content)?));
                }
                (_, other, _) => {
                    section.insert(name, Item::Value(to_toml(other)?));
                }
            }
        }

        let edited = document.to_string();
        let after = parse(&edited).map_err(|error| match error {
            SyntaxError::Parse(message) => internal(&format!("the edit produced {message}")),
            shape => shape,
        })?;
        check_edit(
            &Value::Object(before),
            &Value::Object(table_to_json(after.as_table())?),
            change.root_key,
            change.desired,
        )?;
        Ok(edited)
    }
}

fn parse(text: &str) -> Result<DocumentMut, SyntaxError> {
    let body = text.strip_prefix('\u{feff}').unwrap_or(text);
    body.parse::<DocumentMut>().map_err(|error| {
        let message = error.message().trim().to_string();
        match error.span() {
            Some(span) => {
                let (line, column) = line_and_column(body, span.start);
                SyntaxError::Parse(format!("{message} on line {line} column {column}"))
            }
            None => SyntaxError::Parse(message),
        }
    })
}

/// 1-based line and column (in characters) of a byte offset.
fn line_and_column(text: &str, offset: usize) -> (usize, usize) {
    let before = text.get(..offset).unwrap_or(text);
    let line = before.matches('\n').count() + 1;
    let column = before
        .rsplit('\n')
        .next()
        .map_or(0, |last| last.chars().count())
        + 1;
    (line, column)
}

/// Brings `table` (holding `current`) to `desired`, touching only the keys that differ.
fn merge(
    table: &mut dyn TableLike,
    current: &Map<String, Value>,
    desired: &Map<String, Value>,
) -> Result<(), SyntaxError> {
    for key in current.keys() {
        if !desired.contains_key(key) {
            table.remove(key);
        }
    }
    for (key, wanted) in desired {
        let now = current.get(key);
        if now == Some(wanted) {
            continue;
        }
        let item = table.get_mut(key);
        match (now, wanted, item) {
            // a `[a.b]` table is merged key by key; an inline table is one value, written anew
            (Some(Value::Object(now)), Value::Object(wanted), Some(Item::Table(inner))) => {
                merge(inner, now, wanted)?;
            }
            (_, wanted, Some(Item::Value(old))) => {
                // the new value takes the old one's surrounding spaces and trailing comment
                let mut value = to_toml(wanted)?;
                *value.decor_mut() = old.decor().clone();
                *old = value;
            }
            (_, wanted, Some(item)) => *item = Item::Value(to_toml(wanted)?),
            (_, wanted, None) => {
                table.insert(key, Item::Value(to_toml(wanted)?));
            }
        }
    }
    Ok(())
}

/// A new `[section.NAME]` table; a blank line separates it from what comes before.
fn new_entry(entry: &Map<String, Value>, after_content: bool) -> Result<Table, SyntaxError> {
    let mut table = Table::new();
    for (key, value) in entry {
        table.insert(key, Item::Value(to_toml(value)?));
    }
    if after_content {
        table.decor_mut().set_prefix("\n");
    }
    Ok(table)
}

fn to_toml(value: &Value) -> Result<toml_edit::Value, SyntaxError> {
    Ok(match value {
        Value::Null => return Err(null_error()),
        Value::Bool(b) => toml_edit::Value::from(*b),
        Value::Number(n) => match (n.as_i64(), n.as_f64()) {
            (Some(i), _) => toml_edit::Value::from(i),
            (None, Some(f)) if n.is_f64() => toml_edit::Value::from(f),
            _ => {
                return Err(SyntaxError::Shape(format!(
                    "the number {n} does not fit a TOML integer"
                )));
            }
        },
        Value::String(s) => toml_edit::Value::from(s.as_str()),
        Value::Array(items) => {
            let mut array = Array::new();
            for item in items {
                array.push(to_toml(item)?);
            }
            toml_edit::Value::Array(array)
        }
        Value::Object(map) => {
            let mut table = InlineTable::new();
            for (key, item) in map {
                table.insert(key, to_toml(item)?);
            }
            toml_edit::Value::InlineTable(table)
        }
    })
}

fn null_error() -> SyntaxError {
    SyntaxError::Shape(
        "TOML has no null: the section holds a null value; remove that key from the entry instead"
            .to_string(),
    )
}

/// Refuses a section TOML cannot hold before anything is edited.
fn check_representable(value: &Value, path: &str) -> Result<(), SyntaxError> {
    match value {
        Value::Null => Err(SyntaxError::Shape(format!(
            "TOML has no null, but {path} is null; remove that key from the entry instead"
        ))),
        Value::Array(items) => items
            .iter()
            .enumerate()
            .try_for_each(|(i, item)| check_representable(item, &format!("{path}[{i}]"))),
        Value::Object(map) => map
            .iter()
            .try_for_each(|(key, item)| check_representable(item, &format!("{path}.{key}"))),
        _ => Ok(()),
    }
}

fn table_to_json(table: &Table) -> Result<Map<String, Value>, SyntaxError> {
    let mut out = Map::new();
    for (key, item) in table.iter() {
        if let Some(value) = item_to_json(item)? {
            out.insert(key.to_string(), value);
        }
    }
    Ok(out)
}

fn item_to_json(item: &Item) -> Result<Option<Value>, SyntaxError> {
    Ok(match item {
        Item::None => None,
        Item::Value(value) => Some(value_to_json(value)?),
        Item::Table(table) => Some(Value::Object(table_to_json(table)?)),
        Item::ArrayOfTables(tables) => Some(Value::Array(
            tables
                .iter()
                .map(|t| table_to_json(t).map(Value::Object))
                .collect::<Result<_, _>>()?,
        )),
    })
}

fn value_to_json(value: &toml_edit::Value) -> Result<Value, SyntaxError> {
    Ok(match value {
        toml_edit::Value::String(s) => Value::String(s.value().clone()),
        toml_edit::Value::Integer(i) => Value::from(*i.value()),
        // nan and inf have no JSON form; their TOML spelling stands in (compared, never written)
        toml_edit::Value::Float(f) => Number::from_f64(*f.value())
            .map(Value::Number)
            .unwrap_or_else(|| Value::String(f.value().to_string())),
        toml_edit::Value::Boolean(b) => Value::Bool(*b.value()),
        toml_edit::Value::Datetime(d) => Value::String(d.value().to_string()),
        toml_edit::Value::Array(items) => {
            Value::Array(items.iter().map(value_to_json).collect::<Result<_, _>>()?)
        }
        toml_edit::Value::InlineTable(table) => {
            let mut out = Map::new();
            for (key, item) in table.iter() {
                out.insert(key.to_string(), value_to_json(item)?);
            }
            Value::Object(out)
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn rewrite(text: Option<&str>, desired: Value) -> Result<String, SyntaxError> {
        TOML.rewrite(
            text,
            &Rewrite {
                root_key: "mcp_servers",
                desired: &desired,
                item_key: None,
            },
        )
    }

    #[test]
    fn a_new_file_gets_one_table_per_server() {
        let text = rewrite(
            None,
            json!({"docs": {"command": "npx", "args": ["-y", "docs"], "env": {"API_KEY": "k"}}}),
        )
        .unwrap();
        assert_eq!(
            text,
            "[mcp_servers.docs]\ncommand = \"npx\"\nargs = [\"-y\", \"docs\"]\nenv = { API_KEY = \"k\" }\n"
        );
    }

    #[test]
    fn nulls_are_refused_and_parse_errors_name_the_line() {
        let error = rewrite(None, json!({"a": {"command": "x", "cwd": null}})).unwrap_err();
        assert!(
            matches!(&error, SyntaxError::Shape(m) if m.contains("mcp_servers.a.cwd")),
            "{error:?}"
        );
        let error = TOML
            .read("model = \"o3\"\n[broken\n", "mcp_servers")
            .unwrap_err();
        assert!(
            matches!(&error, SyntaxError::Parse(m) if m.contains("line 2")),
            "{error:?}"
        );
    }

    #[test]
    fn a_changed_value_keeps_its_trailing_comment() {
        let text = "[mcp_servers.a]\ncommand = \"old\" # the binary\nargs = []\n";
        let out = rewrite(Some(text), json!({"a": {"command": "new", "args": []}})).unwrap();
        assert_eq!(
            out,
            "[mcp_servers.a]\ncommand = \"new\" # the binary\nargs = []\n"
        );
    }
}
