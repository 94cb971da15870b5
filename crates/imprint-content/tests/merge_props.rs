//! Property tests for the three-way merge as `apply_draft` uses it on entry content:
//! base = the revision a draft was forked from, ours = the draft, theirs = the entry now.

use std::collections::BTreeMap;

use imprint_content::entry::{Merge, merge};
use imprint_content::{Content, FieldDef, FieldType};
use proptest::prelude::*;
use serde_json::{Value, json};

fn fields() -> Vec<FieldDef> {
    (1..=4)
        .map(|id| FieldDef::new(id, &format!("f{id}"), FieldType::Number))
        .collect()
}

fn content() -> impl Strategy<Value = Content> {
    (
        prop::option::of(prop::sample::select(vec!["a", "b", "c"])),
        prop::option::of(prop::sample::select(vec!["s", "t"])),
        prop::option::of(0i64..3),
        any::<bool>(),
        prop::collection::btree_map(1i64..=4, 0i64..3, 0..4),
    )
        .prop_map(|(title, slug, post, enabled, fields)| Content {
            title: title.map(str::to_string),
            slug: slug.map(str::to_string),
            post_date: post.map(|p| p * 86_400_000),
            expiry_date: None,
            enabled,
            fields: fields
                .into_iter()
                .map(|(k, v)| (k, json!(v)))
                .collect::<BTreeMap<i64, Value>>(),
        })
}

/// Every attribute and field as (name, value) for comparing sides.
fn parts(content: &Content) -> Vec<(String, Option<Value>)> {
    let mut parts = vec![
        ("title".to_string(), content.title.clone().map(Value::from)),
        ("slug".to_string(), content.slug.clone().map(Value::from)),
        ("postDate".to_string(), content.post_date.map(Value::from)),
        ("enabled".to_string(), Some(Value::from(content.enabled))),
    ];
    for id in 1..=4 {
        parts.push((format!("f{id}"), content.fields.get(&id).cloned()));
    }
    parts
}

proptest! {
    #[test]
    fn unchanged_entry_gives_the_draft(base in content(), ours in content()) {
        prop_assert_eq!(merge(&base, &ours, &base, &fields()).unwrap(), Merge::Merged(ours.clone()));
    }

    #[test]
    fn unchanged_draft_gives_the_entry(base in content(), theirs in content()) {
        prop_assert_eq!(merge(&base, &base, &theirs, &fields()).unwrap(), Merge::Merged(theirs.clone()));
    }

    #[test]
    fn merge_is_symmetric(base in content(), ours in content(), theirs in content()) {
        prop_assert_eq!(merge(&base, &ours, &theirs, &fields()).unwrap(), merge(&base, &theirs, &ours, &fields()).unwrap());
    }

    #[test]
    fn conflicts_are_exactly_the_parts_changed_differently_on_both_sides(
        base in content(), ours in content(), theirs in content()
    ) {
        let (b, o, t) = (parts(&base), parts(&ours), parts(&theirs));
        let expected: Vec<String> = b
            .iter()
            .zip(o.iter().zip(t.iter()))
            .filter(|((_, bv), ((_, ov), (_, tv)))| ov != bv && tv != bv && ov != tv)
            .map(|((name, _), _)| name.clone())
            .collect();
        match merge(&base, &ours, &theirs, &fields()).unwrap() {
            Merge::Conflicts(names) => {
                let mut expected = expected;
                expected.sort();
                prop_assert_eq!(names, expected);
            }
            Merge::Merged(merged) => {
                prop_assert!(expected.is_empty());
                // Each part comes from the side that changed it (or either, if neither did).
                for (((_, bv), ((_, ov), (_, tv))), (_, mv)) in b.iter().zip(o.iter().zip(t.iter())).zip(parts(&merged).iter()) {
                    let wanted = if ov != bv { ov } else { tv };
                    prop_assert_eq!(mv, wanted);
                }
            }
        }
    }
}
