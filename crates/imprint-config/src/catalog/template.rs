//! Argument, URL and header templates: `{name}` placeholders, `{{`/`}}` escapes.
//!
//! A `{` that does not start `{identifier}` is literal, so JSON inside an argument
//! (`{"headless":true}`) needs no escaping; substitution is one pass, so a value containing
//! `{x}` is never expanded again.

use serde_json::{Map, Value};

#[derive(Debug, PartialEq)]
pub(super) enum Piece<'a> {
    Text(&'a str),
    Brace(char),
    Param(&'a str),
}

/// Splits a template into literal text, escaped braces and `{ident}` placeholders. A `{`
/// that does not start `{ident}` is literal, so JSON in an argument needs no escaping.
pub(super) fn parse_template(t: &str) -> Vec<Piece<'_>> {
    let mut pieces = Vec::new();
    let mut rest = t;
    while !rest.is_empty() {
        if let Some(after) = rest.strip_prefix("{{") {
            pieces.push(Piece::Brace('{'));
            rest = after;
        } else if let Some(after) = rest.strip_prefix("}}") {
            pieces.push(Piece::Brace('}'));
            rest = after;
        } else if let Some(after) = rest.strip_prefix('{')
            && let Some(end) = after.find('}')
            && is_ident(&after[..end])
        {
            pieces.push(Piece::Param(&after[..end]));
            rest = &after[end + 1..];
        } else {
            // Literal text up to the next brace (at least one char, so this always advances).
            let first = rest.chars().next().map_or(1, char::len_utf8);
            let end = rest[first..]
                .find(['{', '}'])
                .map_or(rest.len(), |i| i + first);
            pieces.push(Piece::Text(&rest[..end]));
            rest = &rest[end..];
        }
    }
    pieces
}

/// The parameter names a template references, in order of appearance.
pub fn placeholders(t: &str) -> Vec<&str> {
    parse_template(t)
        .into_iter()
        .filter_map(|p| match p {
            Piece::Param(name) => Some(name),
            _ => None,
        })
        .collect()
}

/// Replaces every `{name}` with the text of `values[name]` in one pass (a substituted value is
/// never itself expanded) and turns `{{`/`}}` into braces.
pub fn substitute(t: &str, values: &Map<String, Value>) -> Result<String, String> {
    let mut out = String::with_capacity(t.len());
    for piece in parse_template(t) {
        match piece {
            Piece::Text(s) => out.push_str(s),
            Piece::Brace(c) => out.push(c),
            Piece::Param(name) => match values.get(name) {
                Some(v) => out.push_str(&value_text(v)),
                None => return Err(format!("no value for {{{name}}} in {t:?}")),
            },
        }
    }
    Ok(out)
}

/// How a parameter value is written into an argument or URL.
pub(super) fn value_text(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

pub(super) fn is_ident(s: &str) -> bool {
    let mut chars = s.chars();
    chars
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
}

/// Escapes literal text so it survives [`substitute`] unchanged.
pub(super) fn escape(s: &str) -> String {
    s.replace('{', "{{").replace('}', "}}")
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn placeholders_escapes_and_literal_braces() {
        assert_eq!(placeholders("{a}-{b_2}"), vec!["a", "b_2"]);
        assert!(placeholders(r#"{"headless":true}"#).is_empty());
        assert!(placeholders("{{a}}").is_empty());
        assert!(placeholders("{ a }").is_empty());
        assert!(placeholders("{1}").is_empty());
        let mut values = Map::new();
        values.insert("a".into(), json!("x{b}"));
        values.insert("b".into(), json!(7));
        assert_eq!(substitute("{a}/{b}/{a}", &values).unwrap(), "x{b}/7/x{b}");
        assert_eq!(substitute("{{a}}", &values).unwrap(), "{a}");
        assert_eq!(substitute("é{b}ü", &values).unwrap(), "é7ü");
        assert_eq!(substitute("}{", &values).unwrap(), "}{");
        assert!(substitute("{zzz}", &values).is_err());
    }

    #[test]
    fn escape_survives_substitution() {
        for text in ["{a}", "{{", "}}", "x{\"k\":1}y", "plain"] {
            assert_eq!(substitute(&escape(text), &Map::new()).unwrap(), text);
        }
    }
}
