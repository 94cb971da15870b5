//! Key-level PATCH and three-way merge of JSON objects.
//!
//! A draft records which version it was forked from (its base). Applying it when the
//! document has moved on merges field by field: a field changed on one side only takes
//! that side; a field changed on both sides to different values is a conflict, named.

use serde_json::{Map, Value};

/// Applies a PATCH: a given key replaces its value, `null` removes it.
pub fn apply_patch(target: &mut Map<String, Value>, patch: &Map<String, Value>) {
    for (key, value) in patch {
        if value.is_null() {
            target.remove(key);
        } else {
            target.insert(key.clone(), value.clone());
        }
    }
}

/// The result of a three-way merge.
#[derive(Debug, Clone, PartialEq)]
pub enum MergeOutcome {
    Merged(Map<String, Value>),
    /// Fields changed differently on both sides, sorted by name.
    Conflicts(Vec<String>),
}

/// Merges `ours` (the draft) and `theirs` (the current head), both forked from `base`.
/// An absent key counts as a value (deleted), so a deletion on one side merges too.
pub fn three_way(
    base: &Map<String, Value>,
    ours: &Map<String, Value>,
    theirs: &Map<String, Value>,
) -> MergeOutcome {
    let mut keys: Vec<&String> = base
        .keys()
        .chain(ours.keys())
        .chain(theirs.keys())
        .collect();
    keys.sort();
    keys.dedup();

    let mut merged = Map::new();
    let mut conflicts = Vec::new();
    for key in keys {
        let (b, o, t) = (base.get(key), ours.get(key), theirs.get(key));
        let chosen = if o == t || t == b {
            o
        } else if o == b {
            t
        } else {
            conflicts.push(key.clone());
            continue;
        };
        if let Some(value) = chosen {
            merged.insert(key.clone(), value.clone());
        }
    }
    if conflicts.is_empty() {
        MergeOutcome::Merged(merged)
    } else {
        MergeOutcome::Conflicts(conflicts)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use serde_json::json;

    fn obj(value: Value) -> Map<String, Value> {
        value.as_object().cloned().unwrap()
    }

    #[test]
    fn patch_replaces_and_clears() {
        let mut target = obj(json!({"title": "a", "body": "b", "tags": ["x"]}));
        apply_patch(
            &mut target,
            &obj(json!({"title": "A", "tags": null, "new": 1})),
        );
        assert_eq!(
            Value::Object(target),
            json!({"title": "A", "body": "b", "new": 1})
        );
    }

    #[test]
    fn one_sided_changes_merge() {
        let base = obj(json!({"title": "t", "body": "b", "gone": 1}));
        let ours = obj(json!({"title": "T", "body": "b", "gone": 1}));
        let theirs = obj(json!({"title": "t", "body": "B"}));
        assert_eq!(
            three_way(&base, &ours, &theirs),
            MergeOutcome::Merged(obj(json!({"title": "T", "body": "B"})))
        );
    }

    #[test]
    fn both_sided_different_changes_conflict_by_name() {
        let base = obj(json!({"title": "t", "body": "b"}));
        let ours = obj(json!({"title": "mine", "body": "same"}));
        let theirs = obj(json!({"title": "theirs", "body": "same"}));
        assert_eq!(
            three_way(&base, &ours, &theirs),
            MergeOutcome::Conflicts(vec!["title".into()])
        );
    }

    fn small_map() -> impl Strategy<Value = Map<String, Value>> {
        prop::collection::btree_map("[a-d]", 0i64..3, 0..4)
            .prop_map(|m| m.into_iter().map(|(k, v)| (k, json!(v))).collect())
    }

    proptest! {
        #[test]
        fn merging_unchanged_theirs_gives_ours(base in small_map(), ours in small_map()) {
            prop_assert_eq!(three_way(&base, &ours, &base), MergeOutcome::Merged(ours.clone()));
        }

        #[test]
        fn merging_unchanged_ours_gives_theirs(base in small_map(), theirs in small_map()) {
            prop_assert_eq!(three_way(&base, &base, &theirs), MergeOutcome::Merged(theirs.clone()));
        }

        #[test]
        fn merge_is_symmetric(base in small_map(), ours in small_map(), theirs in small_map()) {
            prop_assert_eq!(three_way(&base, &ours, &theirs), three_way(&base, &theirs, &ours));
        }

        #[test]
        fn merged_fields_come_from_a_side(base in small_map(), ours in small_map(), theirs in small_map()) {
            if let MergeOutcome::Merged(merged) = three_way(&base, &ours, &theirs) {
                for (key, value) in &merged {
                    prop_assert!(ours.get(key) == Some(value) || theirs.get(key) == Some(value));
                }
            }
        }
    }
}
