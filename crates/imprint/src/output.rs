//! How results look on a terminal: `--json` prints the service's JSON exactly; otherwise
//! a short human rendering.

use serde_json::Value;

pub fn print<T: serde::Serialize>(answer: &T, json: bool) {
    let value = &serde_json::to_value(answer).unwrap_or(Value::Null);
    if json {
        println!(
            "{}",
            serde_json::to_string_pretty(value).unwrap_or_else(|_| value.to_string())
        );
        return;
    }
    let mut out = String::new();
    human(value, 0, &mut out);
    print!("{out}");
}

fn scalar(value: &Value) -> Option<String> {
    match value {
        Value::Null => Some("-".into()),
        Value::Bool(b) => Some(b.to_string()),
        Value::Number(n) => Some(n.to_string()),
        Value::String(s) => Some(s.clone()),
        Value::Array(items)
            if items
                .iter()
                .all(|i| matches!(i, Value::String(_) | Value::Number(_))) =>
        {
            Some(
                items
                    .iter()
                    .map(|i| scalar(i).unwrap_or_default())
                    .collect::<Vec<_>>()
                    .join(", "),
            )
        }
        _ => None,
    }
}

fn human(value: &Value, indent: usize, out: &mut String) {
    let pad = "  ".repeat(indent);
    match value {
        Value::Object(map) => {
            // The message, when there is one, is what a person wants first.
            if let Some(Value::String(message)) = map.get("message") {
                out.push_str(&format!("{pad}{message}\n"));
            }
            for (key, item) in map {
                if key == "message" {
                    continue;
                }
                match scalar(item) {
                    Some(text) => out.push_str(&format!("{pad}{key}: {text}\n")),
                    None => {
                        out.push_str(&format!("{pad}{key}:\n"));
                        human(item, indent + 1, out);
                    }
                }
            }
        }
        Value::Array(items) => {
            if items.is_empty() {
                out.push_str(&format!("{pad}(none)\n"));
            }
            for item in items {
                match scalar(item) {
                    Some(text) => out.push_str(&format!("{pad}- {text}\n")),
                    None => {
                        out.push_str(&format!("{pad}-\n"));
                        human(item, indent + 1, out);
                    }
                }
            }
        }
        other => out.push_str(&format!("{pad}{}\n", scalar(other).unwrap_or_default())),
    }
}
