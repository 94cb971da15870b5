//! What changed between two payloads: which servers, and which fields inside them.
//!
//! `diff_config` compares a local payload with a published one; both may be any payload
//! whose top-level objects are server maps (`{}` is a valid payload with no servers). Every
//! list is sorted so the result is stable and easy to read, and each field change carries
//! a path into the payload (`mcpServers.github.env.TOKEN`, `mcpServers.fs.args[2]`).

use std::collections::BTreeSet;

use serde::Serialize;
use serde_json::{Map, Value};

/// The differences between an `old` and a `new` payload.
#[derive(Debug, Clone, Default, Serialize, PartialEq)]
pub struct PayloadDiff {
    /// In `new` but not in `old`.
    pub servers_added: Vec<String>,
    /// In `old` but not in `new`.
    pub servers_removed: Vec<String>,
    /// In both, with different entries.
    pub servers_modified: Vec<String>,
    /// In both, identical.
    pub servers_unchanged: Vec<String>,
    /// Every changed leaf (or whole added/removed server), sorted by path.
    pub changes: Vec<FieldChange>,
}

impl PayloadDiff {
    /// Whether the payloads are equal.
    pub fn is_identical(&self) -> bool {
        self.changes.is_empty()
    }
}

/// One changed value; `before`/`after` are `None` where the path does not exist.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct FieldChange {
    pub path: String,
    pub before: Option<Value>,
    pub after: Option<Value>,
}

/// Compares two payloads. Every top-level key holding an object (in either payload) is a
/// server section; servers are named by their key, or `section.name` when the payloads hold
/// more than one section. Other top-level values are compared as plain fields. A payload that
/// is not an object is compared as a single value at path `""`.
pub fn diff_payloads(old: &Value, new: &Value) -> PayloadDiff {
    let mut diff = PayloadDiff::default();
    let (Some(old_obj), Some(new_obj)) = (old.as_object(), new.as_object()) else {
        if old != new {
            diff.changes.push(FieldChange {
                path: String::new(),
                before: Some(old.clone()),
                after: Some(new.clone()),
            });
        }
        return diff;
    };

    let top_keys: BTreeSet<&String> = old_obj.keys().chain(new_obj.keys()).collect();
    let is_section = |k: &String| {
        old_obj.get(k).is_some_and(Value::is_object) || new_obj.get(k).is_some_and(Value::is_object)
    };
    let sections: Vec<&String> = top_keys.iter().copied().filter(|k| is_section(k)).collect();
    let qualify = sections.len() > 1;
    let empty = Map::new();

    for key in top_keys {
        let before = old_obj.get(key);
        let after = new_obj.get(key);
        if !is_section(key) {
            compare(key, before, after, &mut diff.changes);
            continue;
        }
        // A section on one side and a non-object on the other: the section's servers are
        // added or removed, and the odd value is reported as a field change.
        let old_servers = before.and_then(Value::as_object).unwrap_or(&empty);
        let new_servers = after.and_then(Value::as_object).unwrap_or(&empty);
        let odd_before = before.filter(|v| !v.is_object());
        let odd_after = after.filter(|v| !v.is_object());
        if odd_before.is_some() || odd_after.is_some() {
            compare(key, odd_before, odd_after, &mut diff.changes);
        }
        let names: BTreeSet<&String> = old_servers.keys().chain(new_servers.keys()).collect();
        for name in names {
            let label = if qualify {
                format!("{key}.{name}")
            } else {
                name.clone()
            };
            let path = format!("{key}.{name}");
            match (old_servers.get(name), new_servers.get(name)) {
                (None, Some(a)) => {
                    diff.servers_added.push(label);
                    compare(&path, None, Some(a), &mut diff.changes);
                }
                (Some(b), None) => {
                    diff.servers_removed.push(label);
                    compare(&path, Some(b), None, &mut diff.changes);
                }
                (Some(b), Some(a)) if b == a => diff.servers_unchanged.push(label),
                (Some(b), Some(a)) => {
                    diff.servers_modified.push(label);
                    compare(&path, Some(b), Some(a), &mut diff.changes);
                }
                (None, None) => {}
            }
        }
    }

    for list in [
        &mut diff.servers_added,
        &mut diff.servers_removed,
        &mut diff.servers_modified,
        &mut diff.servers_unchanged,
    ] {
        list.sort();
    }
    diff.changes.sort_by(|a, b| a.path.cmp(&b.path));
    diff
}

/// Records the differences under `path`, descending into objects and arrays so a change is
/// reported at the deepest path that differs.
fn compare(path: &str, before: Option<&Value>, after: Option<&Value>, out: &mut Vec<FieldChange>) {
    match (before, after) {
        (Some(b), Some(a)) if b == a => {}
        (Some(Value::Object(b)), Some(Value::Object(a))) => {
            let keys: BTreeSet<&String> = b.keys().chain(a.keys()).collect();
            for k in keys {
                compare(&format!("{path}.{k}"), b.get(k), a.get(k), out);
            }
        }
        (Some(Value::Array(b)), Some(Value::Array(a))) => {
            for i in 0..b.len().max(a.len()) {
                compare(&format!("{path}[{i}]"), b.get(i), a.get(i), out);
            }
        }
        (None, None) => {}
        (b, a) => out.push(FieldChange {
            path: path.to_string(),
            before: b.cloned(),
            after: a.cloned(),
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn identical_payloads_have_no_changes() {
        let p = json!({"mcpServers": {"a": {"command": "x"}}});
        let d = diff_payloads(&p, &p);
        assert!(d.is_identical());
        assert_eq!(d.servers_unchanged, vec!["a"]);
    }

    #[test]
    fn non_object_payloads_compare_whole() {
        let d = diff_payloads(&json!(1), &json!(2));
        assert_eq!(d.changes.len(), 1);
        assert_eq!(d.changes[0].path, "");
        assert!(diff_payloads(&json!([1]), &json!([1])).is_identical());
    }
}
