//! Comparing sections: what a deploy will do, which servers Imprint does not own, and what
//! changed by hand since the last deploy. Values are compared as JSON (key order ignored).

use std::collections::BTreeSet;

use serde_json::Value;

use crate::syntax::Section;

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
pub(crate) fn drift_changes(previous: &Section, current: Option<&Section>) -> Vec<String> {
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
            (Some(before), Some(now)) if before != now => Some(match changed_fields(before, now) {
                Some(fields) => format!("server '{name}' changed: {fields}"),
                None => format!("server '{name}' changed"),
            }),
            _ => None,
        })
        .collect()
}

/// The top-level fields of an entry that differ, e.g. "args, env"; `None` when either side is
/// not an object.
fn changed_fields(before: &Value, now: &Value) -> Option<String> {
    let (Value::Object(before), Value::Object(now)) = (before, now) else {
        return None;
    };
    let keys: BTreeSet<&String> = before.keys().chain(now.keys()).collect();
    let fields: Vec<&str> = keys
        .into_iter()
        .filter(|key| before.get(*key) != now.get(*key))
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
            drift_changes(&previous, Some(&current)),
            [
                "server 'a' removed by hand",
                "server 'b' changed: args",
                "server 'c' added by hand"
            ]
        );
        assert_eq!(drift_changes(&previous, None), ["the file was removed"]);
        assert!(drift_changes(&Section::new(), None).is_empty());
    }
}
