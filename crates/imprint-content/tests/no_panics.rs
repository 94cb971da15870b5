//! Bad input of any kind is an error, never a panic.

use imprint_content::layout::Layout;
use imprint_content::{Content, FieldDef, FieldType, dates, slug, template};
use proptest::prelude::*;
use serde_json::{Map, Value, json};

fn json_value() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(|n| json!(n)),
        any::<f64>()
            .prop_map(|n| serde_json::Number::from_f64(n).map_or(Value::Null, Value::Number)),
        ".{0,24}".prop_map(Value::String),
        "[0-9]{4}-[0-9]{2}-[0-9]{2}.{0,12}".prop_map(Value::String),
    ];
    leaf.prop_recursive(2, 8, 4, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(Value::Array),
            prop::collection::btree_map("[a-z]{1,6}", inner, 0..4)
                .prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}

proptest! {
    #[test]
    fn text_parsers_never_panic(text in ".{0,40}") {
        let _ = dates::parse("d", &text);
        let _ = slug::slugify(&text);
        let _ = slug::normalize_slug(&text);
        let _ = slug::check_field_handle(&text);
        let _ = template::check_uri_format(&text);
        let _ = template::tokens("f", &text);
        let _ = FieldType::parse(&text);
    }

    #[test]
    fn field_values_and_settings_never_panic(value in json_value(), settings in json_value()) {
        let settings: Map<String, Value> = settings.as_object().cloned().unwrap_or_default();
        for field_type in FieldType::ALL {
            let _ = field_type.check_settings(&settings);
            if let Ok(Some(normalized)) = field_type.validate_value("f", &settings, &value) {
                // What was accepted once is accepted again, unchanged.
                prop_assert_eq!(field_type.validate_value("f", &settings, &normalized).unwrap(), Some(normalized.clone()));
                let _ = field_type.search_text(&settings, &normalized);
            }
        }
    }

    #[test]
    fn entry_input_and_layouts_never_panic(data in json_value(), tabs in json_value()) {
        let fields: Vec<FieldDef> = FieldType::ALL
            .iter()
            .enumerate()
            .map(|(i, t)| FieldDef::new(i as i64 + 1, &format!("f{i}"), *t))
            .collect();
        if let Value::Object(data) = &data {
            let mut content = Content::default();
            let _ = content.apply_input(data, &fields);
            let _ = Content::from_json(&content.to_json());
        }
        let mut n = 0;
        let mut uid = || { n += 1; format!("u{n}") };
        let layout = Layout::new_default(&mut uid);
        let _ = layout.replaced_by(&tabs, &mut uid);
    }
}

#[test]
fn multibyte_dates_are_errors() {
    for text in [
        "2026-01-0é",
        "2026-01-01T10:00+1é1",
        "२०२६-०१-०१",
        "2026-01-01T10:00:00.1é",
    ] {
        assert!(dates::parse("d", text).is_err(), "{text}");
    }
}
