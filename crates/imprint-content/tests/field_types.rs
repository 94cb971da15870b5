//! Every field type: its names, its settings and the values it accepts and refuses.

use imprint_content::FieldType;
use serde_json::{Map, Value, json};

fn settings(value: Value) -> Map<String, Value> {
    value.as_object().cloned().unwrap()
}

fn ok(field_type: FieldType, settings_value: Value, value: Value) -> Option<Value> {
    let settings = field_type
        .check_settings(&settings(settings_value))
        .unwrap();
    field_type
        .validate_value("f", &settings, &value)
        .unwrap_or_else(|e| panic!("{field_type:?} refused {value}: {e}"))
}

fn err(field_type: FieldType, settings_value: Value, value: Value) -> String {
    let settings = field_type
        .check_settings(&settings(settings_value))
        .unwrap();
    match field_type.validate_value("f", &settings, &value) {
        Ok(v) => panic!("{field_type:?} accepted {value} as {v:?}"),
        Err(e) => e.0,
    }
}

fn options() -> Value {
    json!({"options": [{"label": "Red", "value": "red", "default": true}, "green", {"label": "Blue", "value": "blue"}]})
}

#[test]
fn every_type_parses_by_short_and_class_name() {
    for field_type in FieldType::ALL {
        assert_eq!(
            FieldType::parse(field_type.short_name()).unwrap(),
            field_type
        );
        assert_eq!(
            FieldType::parse(field_type.class_name()).unwrap(),
            field_type
        );
        assert_eq!(
            FieldType::parse(&field_type.class_name().replace('\\', "\\\\")).unwrap(),
            field_type
        );
        assert_eq!(
            FieldType::parse(&field_type.short_name().to_lowercase()).unwrap(),
            field_type
        );
        let described = field_type.describe();
        assert_eq!(described["type"], field_type.class_name());
    }
    assert_eq!(
        FieldType::parse("\\craft\\fields\\PlainText").unwrap(),
        FieldType::PlainText
    );
    assert_eq!(
        FieldType::parse("craft\\ckeditor\\Field").unwrap(),
        FieldType::RichText
    );
    let error = FieldType::parse("Matrix").unwrap_err().0;
    assert!(
        error.contains("unknown field type \"Matrix\"") && error.contains("PlainText"),
        "{error}"
    );
}

#[test]
fn unknown_and_malformed_settings_are_refused() {
    let error = FieldType::Number
        .check_settings(&settings(json!({"minimum": 1})))
        .unwrap_err()
        .0;
    assert!(
        error.contains("no setting 'minimum'") && error.contains("min, max"),
        "{error}"
    );
    let error = FieldType::Number
        .check_settings(&settings(json!({"min": 5, "max": 1})))
        .unwrap_err()
        .0;
    assert!(error.contains("greater than max"), "{error}");
    let error = FieldType::Dropdown
        .check_settings(&settings(json!({})))
        .unwrap_err()
        .0;
    assert!(error.contains("needs settings.options"), "{error}");
    let error = FieldType::Dropdown
        .check_settings(&settings(json!({"options": ["a", "a"]})))
        .unwrap_err()
        .0;
    assert!(error.contains("twice"), "{error}");
    let error = FieldType::PlainText
        .check_settings(&settings(json!({"charLimit": 0})))
        .unwrap_err()
        .0;
    assert!(
        error.contains("charLimit") && error.contains(">= 1"),
        "{error}"
    );
    let error = FieldType::Entries
        .check_settings(&settings(json!({"sources": ["blog"]})))
        .unwrap_err()
        .0;
    assert!(error.contains("sources"), "{error}");
}

#[test]
fn plain_text() {
    assert_eq!(
        ok(FieldType::PlainText, json!({}), json!("hi")),
        Some(json!("hi"))
    );
    assert_eq!(ok(FieldType::PlainText, json!({}), json!("")), None);
    assert_eq!(ok(FieldType::PlainText, json!({}), Value::Null), None);
    assert_eq!(
        err(FieldType::PlainText, json!({}), json!(5)),
        "field 'f' expects text (a string), got 5"
    );
    assert!(
        err(FieldType::PlainText, json!({"charLimit": 3}), json!("four"))
            .contains("at most 3 characters")
    );
}

#[test]
fn rich_text() {
    assert_eq!(
        ok(FieldType::RichText, json!({}), json!("<p>x</p>")),
        Some(json!("<p>x</p>"))
    );
    assert!(err(FieldType::RichText, json!({}), json!(["x"])).contains("expects text"));
    let text = FieldType::RichText.search_text(&Map::new(), &json!("<p>Fish &amp; chips</p>"));
    assert_eq!(text.trim(), "Fish & chips");
}

#[test]
fn number() {
    assert_eq!(
        ok(FieldType::Number, json!({}), json!("12.5")),
        Some(json!(12.5))
    );
    assert_eq!(ok(FieldType::Number, json!({}), json!(3)), Some(json!(3)));
    assert_eq!(
        ok(FieldType::Number, json!({}), json!("4.0")),
        Some(json!(4))
    );
    assert_eq!(
        err(FieldType::Number, json!({}), json!("abc")),
        "field 'f' expects a number, got \"abc\""
    );
    assert!(err(FieldType::Number, json!({}), json!(true)).contains("expects a number"));
    assert!(err(FieldType::Number, json!({"min": 1}), json!(0)).contains("at least 1"));
    assert!(err(FieldType::Number, json!({"max": 10}), json!(11)).contains("at most 10"));
    assert!(err(FieldType::Number, json!({"decimals": 0}), json!(1.5)).contains("whole number"));
    assert!(err(FieldType::Number, json!({"decimals": 2}), json!(1.234)).contains("2 decimal"));
    assert_eq!(
        ok(FieldType::Number, json!({"decimals": 2}), json!(1.25)),
        Some(json!(1.25))
    );
}

#[test]
fn lightswitch() {
    assert_eq!(
        ok(FieldType::Lightswitch, json!({}), json!(true)),
        Some(json!(true))
    );
    assert_eq!(
        ok(FieldType::Lightswitch, json!({}), json!("off")),
        Some(json!(false))
    );
    assert_eq!(
        ok(FieldType::Lightswitch, json!({}), json!(1)),
        Some(json!(true))
    );
    assert!(err(FieldType::Lightswitch, json!({}), json!("maybe")).contains("true or false"));
    assert_eq!(
        FieldType::Lightswitch.default_value(
            &FieldType::Lightswitch
                .check_settings(&settings(json!({"default": true})))
                .unwrap()
        ),
        Some(json!(true))
    );
}

#[test]
fn date() {
    assert_eq!(
        ok(FieldType::Date, json!({}), json!("2026-03-01")),
        Some(json!("2026-03-01T00:00:00.000Z"))
    );
    assert_eq!(
        ok(
            FieldType::Date,
            json!({}),
            json!("2026-03-01T10:00:00+01:00")
        ),
        Some(json!("2026-03-01T09:00:00.000Z"))
    );
    assert!(
        err(FieldType::Date, json!({}), json!("next week")).contains("field 'f' expects a date")
    );
    assert!(err(FieldType::Date, json!({}), json!(20260301)).contains("expects a date"));
}

#[test]
fn dropdown_and_radio_buttons() {
    for field_type in [FieldType::Dropdown, FieldType::RadioButtons] {
        assert_eq!(
            ok(field_type, options(), json!("green")),
            Some(json!("green"))
        );
        let error = err(field_type, options(), json!("purple"));
        assert!(
            error.contains("one of [\"red\", \"green\", \"blue\"]"),
            "{error}"
        );
        assert!(err(field_type, options(), json!(["red"])).contains("one of"));
        let defaults = field_type.check_settings(&settings(options())).unwrap();
        assert_eq!(field_type.default_value(&defaults), Some(json!("red")));
    }
}

#[test]
fn checkboxes_and_multi_select() {
    for field_type in [FieldType::Checkboxes, FieldType::MultiSelect] {
        assert_eq!(
            ok(field_type, options(), json!(["red", "blue", "red"])),
            Some(json!(["red", "blue"]))
        );
        assert_eq!(
            ok(field_type, options(), json!("green")),
            Some(json!(["green"]))
        );
        assert_eq!(ok(field_type, options(), json!([])), None);
        assert!(err(field_type, options(), json!(["red", "pink"])).contains("got \"pink\""));
        assert!(err(field_type, options(), json!(3)).contains("an array of values"));
        let checked = field_type.check_settings(&settings(options())).unwrap();
        assert_eq!(
            field_type.search_text(&checked, &json!(["blue"])),
            "blue Blue"
        );
    }
}

#[test]
fn email() {
    assert_eq!(
        ok(FieldType::Email, json!({}), json!(" a.b@example.com ")),
        Some(json!("a.b@example.com"))
    );
    for bad in ["nope", "a@b", "a b@example.com", "@example.com", "a@-x.com"] {
        assert!(
            err(FieldType::Email, json!({}), json!(bad)).contains("email address"),
            "{bad}"
        );
    }
}

#[test]
fn url() {
    for good in [
        "https://example.com",
        "http://localhost:8080/x?y=1#z",
        "mailto:a@example.com",
        "tel:+15550100",
    ] {
        assert_eq!(
            ok(FieldType::Url, json!({}), json!(good)),
            Some(json!(good)),
            "{good}"
        );
    }
    for bad in [
        "example.com",
        "ftp://x.org",
        "https://",
        "https://exa mple.com",
        "javascript:alert(1)",
    ] {
        assert!(
            err(FieldType::Url, json!({}), json!(bad)).contains("expects a URL"),
            "{bad}"
        );
    }
    assert!(
        err(
            FieldType::Url,
            json!({"maxLength": 10}),
            json!("https://example.com")
        )
        .contains("at most 10")
    );
}

#[test]
fn color() {
    assert_eq!(
        ok(FieldType::Color, json!({}), json!("#F80")),
        Some(json!("#ff8800"))
    );
    assert_eq!(
        ok(FieldType::Color, json!({}), json!("00ff00")),
        Some(json!("#00ff00"))
    );
    assert!(err(FieldType::Color, json!({}), json!("red")).contains("hex color"));
    let palette = json!({"palette": ["#ff0000"], "allowCustomColors": false});
    assert_eq!(
        ok(FieldType::Color, palette.clone(), json!("#f00")),
        Some(json!("#ff0000"))
    );
    assert!(err(FieldType::Color, palette, json!("#00f")).contains("palette"));
}

#[test]
fn entries() {
    assert_eq!(
        ok(FieldType::Entries, json!({}), json!([3, "4", 3])),
        Some(json!([3, 4]))
    );
    assert_eq!(
        ok(FieldType::Entries, json!({}), json!(9)),
        Some(json!([9]))
    );
    assert_eq!(ok(FieldType::Entries, json!({}), json!([])), None);
    assert!(err(FieldType::Entries, json!({}), json!(["x"])).contains("entry ids"));
    assert!(err(FieldType::Entries, json!({}), json!([-1])).contains("entry ids"));
    assert!(
        err(
            FieldType::Entries,
            json!({"maxRelations": 1}),
            json!([1, 2])
        )
        .contains("at most 1")
    );
    assert!(err(FieldType::Entries, json!({"minRelations": 2}), json!([1])).contains("at least 2"));
    assert!(err(FieldType::Entries, json!({}), json!({"id": 1})).contains("array of entry ids"));
}
