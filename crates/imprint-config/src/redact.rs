//! Redaction of secrets in views: env and header values become `***`, while references
//! (`${secret:NAME}`, `${env:NAME}`), which hold no secret, are shown as they are. Pure
//! functions over JSON, so every surface that shows an entry, a payload or a diff hides the
//! same values.

use serde_json::{Value, json};

use crate::clients::ClientSpec;
use crate::diff;

/// Env and header values are shown as `***` in views (references, which hold no secret, are
/// shown as they are); secrets never reach listings or logs.
pub fn redact_entry(entry: &Value) -> Value {
    redact_with(entry, &["env", "headers"])
}

fn redact_with(entry: &Value, keys: &[&str]) -> Value {
    let mut entry = entry.clone();
    for key in keys {
        let mut slot = Some(&mut entry);
        for part in key.split('.') {
            slot = slot.and_then(|v| v.get_mut(part));
        }
        if let Some(Value::Object(map)) = slot {
            for value in map.values_mut() {
                if value
                    .as_str()
                    .is_some_and(|s| !s.is_empty() && !s.starts_with("${"))
                {
                    *value = json!("***");
                }
            }
        }
    }
    entry
}

/// A rendered payload with its env and header values redacted, in the client's own keys.
pub fn redact_payload(client: &ClientSpec, payload: &Value) -> Value {
    let keys = [client.keys.env.as_str(), client.keys.headers.as_str()];
    let mut payload = payload.clone();
    if let Some(section) = payload.get_mut(&client.root_key) {
        match section {
            Value::Object(servers) => {
                for entry in servers.values_mut() {
                    *entry = redact_with(entry, &keys);
                }
            }
            Value::Array(items) => {
                for entry in items.iter_mut() {
                    *entry = redact_with(entry, &keys);
                }
            }
            _ => {}
        }
    }
    payload
}

/// Diff values under env and header keys are redacted like views: a diff of a local file must
/// not echo its secrets.
pub fn redact_changes(diff: &mut diff::PayloadDiff) {
    const SENSITIVE: [&str; 6] = [
        ".env.",
        ".envs.",
        ".headers.",
        ".http_headers.",
        ".env",
        ".headers",
    ];
    for change in &mut diff.changes {
        let sensitive = SENSITIVE.iter().any(|s| change.path.contains(s));
        for value in [&mut change.before, &mut change.after]
            .into_iter()
            .flatten()
        {
            *value = if sensitive {
                redact_leaves(value)
            } else {
                // anywhere else (args, urls): credentials recognised by their shape
                redact_token_shapes(value)
            };
        }
    }
}

/// Replaces, inside every string, each word that has a credential's shape
/// ([`crate::secrets::looks_like_secret`]) by `***`: a token passed in `args` or in a URL's
/// query is not echoed either.
fn redact_token_shapes(value: &Value) -> Value {
    match value {
        Value::String(text) => {
            let is_word = |c: char| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.');
            let mut out = String::with_capacity(text.len());
            let mut rest = text.as_str();
            while let Some(start) = rest.find(is_word) {
                out.push_str(&rest[..start]);
                let word_len = rest[start..]
                    .find(|c| !is_word(c))
                    .unwrap_or(rest.len() - start);
                let word = &rest[start..start + word_len];
                out.push_str(if crate::secrets::looks_like_secret(word) {
                    "***"
                } else {
                    word
                });
                rest = &rest[start + word_len..];
            }
            out.push_str(rest);
            Value::String(out)
        }
        Value::Array(items) => Value::Array(items.iter().map(redact_token_shapes).collect()),
        Value::Object(map) => Value::Object(
            map.iter()
                .map(|(k, v)| (k.clone(), redact_token_shapes(v)))
                .collect(),
        ),
        other => other.clone(),
    }
}

fn redact_leaves(value: &Value) -> Value {
    match value {
        Value::String(s) if !s.is_empty() && !s.starts_with("${") => json!("***"),
        Value::Object(map) => Value::Object(
            map.iter()
                .map(|(k, v)| (k.clone(), redact_leaves(v)))
                .collect(),
        ),
        other => other.clone(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn token_shaped_words_are_redacted_anywhere_in_a_diff_value() {
        let value = json!({
            "args": ["-y", "pkg", "--token", "ghp_0123456789abcdefghijABCDEFGHIJ012345"],
            "url": "https://h.example/mcp?key=glpat-abcdefghijklmnopqrst&x=1",
            "command": "sk-learn-runner"
        });
        let redacted = redact_token_shapes(&value);
        assert_eq!(
            redacted,
            json!({
                "args": ["-y", "pkg", "--token", "***"],
                "url": "https://h.example/mcp?key=***&x=1",
                "command": "sk-learn-runner"
            })
        );
    }

    #[test]
    fn values_are_hidden_and_references_shown() {
        let entry = json!({
            "command": "npx",
            "env": {"TOKEN": "ghp_x", "REF": "${secret:TOKEN@abc}", "EMPTY": ""},
            "headers": {"Authorization": "Bearer x"},
        });
        let redacted = redact_entry(&entry);
        assert_eq!(redacted["env"]["TOKEN"], "***");
        assert_eq!(redacted["env"]["REF"], "${secret:TOKEN@abc}");
        assert_eq!(redacted["env"]["EMPTY"], "");
        assert_eq!(redacted["headers"]["Authorization"], "***");
        assert_eq!(redacted["command"], "npx");
    }

    #[test]
    fn a_payload_is_redacted_under_the_clients_own_keys() {
        let desktop = crate::clients::get("claude-desktop").unwrap();
        let payload = json!({"mcpServers": {"gh": {"command": "x", "env": {"TOKEN": "ghp_x"}}}});
        let redacted = redact_payload(desktop, &payload);
        assert_eq!(redacted["mcpServers"]["gh"]["env"]["TOKEN"], "***");
        assert_eq!(redacted["mcpServers"]["gh"]["command"], "x");
    }
}
