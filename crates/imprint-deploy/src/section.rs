//! Comparing sections: what a deploy will do, which servers Imprint does not own, and what
//! changed by hand since the last deploy. Values are compared as JSON (key order ignored); a
//! recorded section may hold fingerprints in place of secret strings (see [`mask`]), which
//! compare equal to any string with the same fingerprint.

use std::collections::BTreeSet;

use serde_json::Value;

use crate::deploy::Masking;
use crate::syntax::Section;

/// The start of a fingerprint in a recorded section; never a real value in a client's file.
const MASKED_PREFIX: &str = "imprint-masked:hmac-sha256:";

/// A fingerprint function, as given by the caller.
pub(crate) type Fingerprint<'a> = &'a dyn Fn(&str) -> String;

/// `section` with every string that contains one of the masked values replaced by its
/// fingerprint, so the record of a deploy holds no secret.
pub(crate) fn mask(section: &Section, masking: &Masking) -> Section {
    section
        .iter()
        .map(|(name, entry)| (name.clone(), mask_value(entry, masking)))
        .collect()
}

fn mask_value(value: &Value, masking: &Masking) -> Value {
    match value {
        Value::String(text)
            if masking
                .values
                .iter()
                .any(|secret| !secret.is_empty() && text.contains(secret.as_str())) =>
        {
            Value::String(format!("{MASKED_PREFIX}{}", (masking.fingerprint)(text)))
        }
        Value::Array(items) => Value::Array(items.iter().map(|v| mask_value(v, masking)).collect()),
        Value::Object(map) => Value::Object(
            map.iter()
                .map(|(k, v)| (k.clone(), mask_value(v, masking)))
                .collect(),
        ),
        other => other.clone(),
    }
}

/// Whether a recorded value matches the value in the file now. A fingerprint matches a string
/// with the same fingerprint; without the fingerprint function it matches nothing.
pub(crate) fn same(recorded: &Value, now: &Value, fingerprint: Option<Fingerprint>) -> bool {
    match (recorded, now) {
        (Value::String(recorded), _) if recorded.starts_with(MASKED_PREFIX) => match now {
            Value::String(now) => fingerprint
                .is_some_and(|f| recorded.strip_prefix(MASKED_PREFIX) == Some(f(now).as_str())),
            _ => false,
        },
        (Value::Array(a), Value::Array(b)) => {
            a.len() == b.len() && a.iter().zip(b).all(|(x, y)| same(x, y, fingerprint))
        }
        (Value::Object(a), Value::Object(b)) => {
            a.len() == b.len()
                && a.iter()
                    .all(|(k, x)| b.get(k).is_some_and(|y| same(x, y, fingerprint)))
        }
        (a, b) => a == b,
    }
}

/// What a deploy does to each server name; every list is sorted.
#[derive(Debug, Default)]
pub(crate) struct Plan {
    pub(crate) added: Vec<String>,
    pub(crate) updated: Vec<String>,
    pub(crate) removed: Vec<String>,
    pub(crate) unchanged: Vec<String>,
}

impl Plan {
    pub(crate) fn new(current: &Section, desired: &Section) -> Plan {
        let mut plan = Plan::default();
        for (name, wanted) in desired {
            match current.get(name) {
                None => plan.added.push(name.clone()),
                Some(now) if now == wanted => plan.unchanged.push(name.clone()),
                Some(_) => plan.updated.push(name.clone()),
            }
        }
        plan.removed = current
            .keys()
            .filter(|name| !desired.contains_key(*name))
            .cloned()
            .collect();
        for list in [
            &mut plan.added,
            &mut plan.updated,
            &mut plan.removed,
            &mut plan.unchanged,
        ] {
            list.sort();
        }
        plan
    }

    pub(crate) fn changes_anything(&self) -> bool {
        !(self.added.is_empty() && self.updated.is_empty() && self.removed.is_empty())
    }
}

/// Servers in the file that Imprint did not put there (not in `previous`) and that this deploy
/// would change or remove. One already equal to the desired entry is adopted, not reported.
pub(crate) fn unmanaged(
    current: &Section,
    previous: Option<&Section>,
    desired: &Section,
) -> Vec<String> {
    let mut names: Vec<String> = current
        .iter()
        .filter(|(name, _)| previous.is_none_or(|previous| !previous.contains_key(*name)))
        .filter(|(name, value)| desired.get(*name) != Some(*value))
        .map(|(name, _)| name.clone())
        .collect();
    names.sort();
    names
}

/// What differs between the section Imprint last wrote and the one in the file now, one line
/// per server; `current` is `None` when the file itself is gone.
pub(crate) fn drift_changes(
    previous: &Section,
    current: Option<&Section>,
    fingerprint: Option<Fingerprint>,
) -> Vec<String> {
    let Some(current) = current else {
        return if previous.is_empty() {
            Vec::new()
        } else {
            vec!["the file was removed".to_string()]
        };
    };
    let names: BTreeSet<&String> = previous.keys().chain(current.keys()).collect();
    names
        .into_iter()
        .filter_map(|name| match (previous.get(name), current.get(name)) {
            (None, Some(_)) => Some(format!("server '{name}' added by hand")),
            (Some(_), None) => Some(format!("server '{name}' removed by hand")),
            (Some(before), Some(now)) if !same(before, now, fingerprint) => {
                Some(match changed_fields(before, now, fingerprint) {
                    Some(fields) => format!("server '{name}' changed: {fields}"),
                    None => format!("server '{name}' changed"),
                })
            }
            _ => None,
        })
        .collect()
}

/// The top-level fields of an entry that differ, e.g. "args, env"; `None` when either side is
/// not an object.
fn changed_fields(before: &Value, now: &Value, fingerprint: Option<Fingerprint>) -> Option<String> {
    let (Value::Object(before), Value::Object(now)) = (before, now) else {
        return None;
    };
    let keys: BTreeSet<&String> = before.keys().chain(now.keys()).collect();
    let fields: Vec<&str> = keys
        .into_iter()
        .filter(|key| match (before.get(*key), now.get(*key)) {
            (Some(a), Some(b)) => !same(a, b, fingerprint),
            (a, b) => a != b,
        })
        .map(String::as_str)
        .collect();
    Some(fields.join(", "))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn section(value: Value) -> Section {
        match value {
            Value::Object(map) => map,
            _ => Section::new(),
        }
    }

    #[test]
    fn plan_sorts_names_into_the_four_lists() {
        let current = section(json!({"b": {"command": "b"}, "a": {"command": "a"}, "c": {}}));
        let desired = section(json!({"a": {"command": "a"}, "b": {"command": "B"}, "d": {}}));
        let plan = Plan::new(&current, &desired);
        assert_eq!(plan.added, ["d"]);
        assert_eq!(plan.updated, ["b"]);
        assert_eq!(plan.removed, ["c"]);
        assert_eq!(plan.unchanged, ["a"]);
        assert!(plan.changes_anything());
    }

    #[test]
    fn key_order_inside_an_entry_is_not_a_change() {
        let current = section(json!({"a": {"command": "x", "args": ["1"]}}));
        let desired = section(json!({"a": {"args": ["1"], "command": "x"}}));
        assert!(!Plan::new(&current, &desired).changes_anything());
    }

    #[test]
    fn unmanaged_ignores_previously_deployed_and_equal_servers() {
        let current = section(json!({"mine": {"v": 1}, "same": {"v": 2}, "theirs": {"v": 3}}));
        let previous = section(json!({"mine": {"v": 1}}));
        let desired = section(json!({"mine": {"v": 9}, "same": {"v": 2}}));
        assert_eq!(
            unmanaged(&current, Some(&previous), &desired),
            ["theirs"],
            "theirs would be removed and was never Imprint's"
        );
        assert_eq!(unmanaged(&current, None, &desired), ["mine", "theirs"]);
    }

    #[test]
    fn drift_names_each_changed_server_and_field() {
        let previous = section(json!({"a": {"command": "a"}, "b": {"command": "b", "args": []}}));
        let current = section(json!({"b": {"command": "b", "args": ["x"]}, "c": {}}));
        assert_eq!(
            drift_changes(&previous, Some(&current), None),
            [
                "server 'a' removed by hand",
                "server 'b' changed: args",
                "server 'c' added by hand"
            ]
        );
        assert_eq!(
            drift_changes(&previous, None, None),
            ["the file was removed"]
        );
        assert!(drift_changes(&Section::new(), None, None).is_empty());
    }

    fn test_fingerprint(text: &str) -> String {
        crate::sha256_hex(format!("key:{text}").as_bytes())
    }

    #[test]
    fn masked_strings_hold_no_secret_and_still_compare() {
        let secrets = vec!["ghp_secret".to_string()];
        let masking = Masking {
            values: &secrets,
            fingerprint: &test_fingerprint,
        };
        let written = section(json!({"gh": {"env": {"TOKEN": "ghp_secret", "DEBUG": "1"},
            "args": ["--header", "Authorization: Bearer ghp_secret"]}}));
        let recorded = mask(&written, &masking);
        let text = serde_json::to_string(&recorded).unwrap();
        assert!(!text.contains("ghp_secret"), "{text}");
        assert_eq!(recorded["gh"]["env"]["DEBUG"], "1", "other values are kept");
        assert!(
            recorded["gh"]["env"]["TOKEN"]
                .as_str()
                .unwrap()
                .starts_with(MASKED_PREFIX)
        );

        let fingerprint: Fingerprint = &test_fingerprint;
        assert!(drift_changes(&recorded, Some(&written), Some(fingerprint)).is_empty());
        let edited = section(json!({"gh": {"env": {"TOKEN": "ghp_other", "DEBUG": "1"},
            "args": ["--header", "Authorization: Bearer ghp_secret"]}}));
        assert_eq!(
            drift_changes(&recorded, Some(&edited), Some(fingerprint)),
            ["server 'gh' changed: env"]
        );
        // without the fingerprint function a masked value cannot be confirmed
        assert_eq!(
            drift_changes(&recorded, Some(&written), None),
            ["server 'gh' changed: args, env"]
        );
    }
}
