//! Field types: names (short, like `PlainText`, or Craft class names, like
//! `craft\fields\PlainText`), the settings each accepts, and what values each accepts.
//!
//! Values are validated on every write and normalized (a numeric string becomes a
//! number, a color becomes `#rrggbb`, a date becomes RFC 3339 UTC), so what is stored
//! and signed has one spelling. An error names the field and what it expects.

use serde_json::{Map, Number, Value, json};

use crate::{ContentError, ContentResult, dates, show};

/// Every supported field type.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum FieldType {
    PlainText,
    RichText,
    Number,
    Lightswitch,
    Date,
    Dropdown,
    RadioButtons,
    Checkboxes,
    MultiSelect,
    Email,
    Url,
    Color,
    Entries,
}

/// How an editor enters a value of a field type: the form control a control panel shows
/// for it (and how it reads the submitted value back).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Input {
    /// One line of text, with a placeholder showing the expected shape (or none).
    Line(&'static str),
    /// Several lines of text.
    Lines,
    /// On or off (a checkbox; absent when off).
    Toggle,
    /// One of the field's options.
    Choice,
    /// Any number of the field's options.
    Choices,
    /// Related entry ids, comma separated.
    EntryIds,
}

/// The shape of one setting, for checking and for `get_field_types`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum SettingKind {
    Text,
    Bool,
    Number,
    /// An integer >= 1.
    Positive,
    /// An integer >= 0.
    NonNegative,
    /// `[{"label", "value", "default"}]` or `["a", "b"]`.
    Options,
    /// `["#ff0000", …]`.
    Colors,
    /// `"*"` or `[sectionId | "section:handle", …]`.
    Sources,
}

impl SettingKind {
    fn describe(self) -> &'static str {
        match self {
            SettingKind::Text => "string",
            SettingKind::Bool => "boolean",
            SettingKind::Number => "number",
            SettingKind::Positive => "integer >= 1",
            SettingKind::NonNegative => "integer >= 0",
            SettingKind::Options => "array of {label, value, default} (or of strings)",
            SettingKind::Colors => "array of hex colors",
            SettingKind::Sources => "\"*\" or array of section ids / \"section:<handle>\"",
        }
    }
}

struct Setting {
    name: &'static str,
    kind: SettingKind,
    about: &'static str,
}

const fn s(name: &'static str, kind: SettingKind, about: &'static str) -> Setting {
    Setting { name, kind, about }
}

const TEXT_SETTINGS: &[Setting] = &[
    s(
        "placeholder",
        SettingKind::Text,
        "hint shown in an empty input",
    ),
    s(
        "charLimit",
        SettingKind::Positive,
        "most characters allowed",
    ),
    s("multiline", SettingKind::Bool, "several lines of text"),
    s(
        "initialRows",
        SettingKind::Positive,
        "rows shown when multiline",
    ),
];
const RICH_TEXT_SETTINGS: &[Setting] = &[s(
    "charLimit",
    SettingKind::Positive,
    "most characters of HTML allowed",
)];
const NUMBER_SETTINGS: &[Setting] = &[
    s("min", SettingKind::Number, "smallest value allowed"),
    s("max", SettingKind::Number, "largest value allowed"),
    s(
        "decimals",
        SettingKind::NonNegative,
        "decimal places allowed (0: whole numbers)",
    ),
    s("prefix", SettingKind::Text, "shown before the number"),
    s("suffix", SettingKind::Text, "shown after the number"),
    s("defaultValue", SettingKind::Number, "value of a new entry"),
];
const LIGHTSWITCH_SETTINGS: &[Setting] = &[
    s("default", SettingKind::Bool, "value of a new entry"),
    s("onLabel", SettingKind::Text, "label when on"),
    s("offLabel", SettingKind::Text, "label when off"),
];
const DATE_SETTINGS: &[Setting] = &[
    s("showDate", SettingKind::Bool, "ask for a date"),
    s("showTime", SettingKind::Bool, "ask for a time"),
];
const OPTION_SETTINGS: &[Setting] = &[s(
    "options",
    SettingKind::Options,
    "the choices (required); a value must be one of their values",
)];
const EMAIL_SETTINGS: &[Setting] = &[s("placeholder", SettingKind::Text, "hint")];
const URL_SETTINGS: &[Setting] = &[
    s("placeholder", SettingKind::Text, "hint"),
    s(
        "maxLength",
        SettingKind::Positive,
        "most characters allowed",
    ),
];
const COLOR_SETTINGS: &[Setting] = &[
    s("palette", SettingKind::Colors, "the colors to choose from"),
    s(
        "allowCustomColors",
        SettingKind::Bool,
        "allow colors outside the palette (default true)",
    ),
];
const ENTRIES_SETTINGS: &[Setting] = &[
    s(
        "sources",
        SettingKind::Sources,
        "sections the related entries may come from (default \"*\": any)",
    ),
    s(
        "minRelations",
        SettingKind::NonNegative,
        "fewest related entries",
    ),
    s(
        "maxRelations",
        SettingKind::Positive,
        "most related entries",
    ),
];

impl FieldType {
    pub const ALL: [FieldType; 13] = [
        FieldType::PlainText,
        FieldType::RichText,
        FieldType::Number,
        FieldType::Lightswitch,
        FieldType::Date,
        FieldType::Dropdown,
        FieldType::RadioButtons,
        FieldType::Checkboxes,
        FieldType::MultiSelect,
        FieldType::Email,
        FieldType::Url,
        FieldType::Color,
        FieldType::Entries,
    ];

    pub fn short_name(self) -> &'static str {
        match self {
            FieldType::PlainText => "PlainText",
            FieldType::RichText => "RichText",
            FieldType::Number => "Number",
            FieldType::Lightswitch => "Lightswitch",
            FieldType::Date => "Date",
            FieldType::Dropdown => "Dropdown",
            FieldType::RadioButtons => "RadioButtons",
            FieldType::Checkboxes => "Checkboxes",
            FieldType::MultiSelect => "MultiSelect",
            FieldType::Email => "Email",
            FieldType::Url => "Url",
            FieldType::Color => "Color",
            FieldType::Entries => "Entries",
        }
    }

    /// The icon Craft's control panel shows for the type (a Font Awesome name).
    pub fn icon(self) -> &'static str {
        match self {
            FieldType::PlainText => "i-cursor",
            FieldType::RichText => "paragraph",
            FieldType::Number => "hashtag",
            FieldType::Lightswitch => "toggle-on",
            FieldType::Date => "calendar",
            FieldType::Dropdown => "circle-chevron-down",
            FieldType::RadioButtons => "circle-dot",
            FieldType::Checkboxes => "square-check",
            FieldType::MultiSelect => "list-check",
            FieldType::Email => "envelope",
            FieldType::Url => "link",
            FieldType::Color => "palette",
            FieldType::Entries => "newspaper",
        }
    }

    /// The Craft class name (rich text is the CKEditor plugin's field in Craft 5).
    pub fn class_name(self) -> &'static str {
        match self {
            FieldType::PlainText => "craft\\fields\\PlainText",
            FieldType::RichText => "craft\\ckeditor\\Field",
            FieldType::Number => "craft\\fields\\Number",
            FieldType::Lightswitch => "craft\\fields\\Lightswitch",
            FieldType::Date => "craft\\fields\\Date",
            FieldType::Dropdown => "craft\\fields\\Dropdown",
            FieldType::RadioButtons => "craft\\fields\\RadioButtons",
            FieldType::Checkboxes => "craft\\fields\\Checkboxes",
            FieldType::MultiSelect => "craft\\fields\\MultiSelect",
            FieldType::Email => "craft\\fields\\Email",
            FieldType::Url => "craft\\fields\\Url",
            FieldType::Color => "craft\\fields\\Color",
            FieldType::Entries => "craft\\fields\\Entries",
        }
    }

    /// Other names models use for the same type.
    fn aliases(self) -> &'static [&'static str] {
        match self {
            FieldType::RichText => &[
                "CKEditor",
                "craft\\redactor\\Field",
                "Redactor",
                "craft\\fields\\RichText",
            ],
            FieldType::Url => &["Link", "craft\\fields\\Link"],
            FieldType::PlainText => &["Text"],
            _ => &[],
        }
    }

    fn about(self) -> &'static str {
        match self {
            FieldType::PlainText => "text, single or multi-line",
            FieldType::RichText => "HTML text",
            FieldType::Number => "a number, optionally bounded and with fixed decimals",
            FieldType::Lightswitch => "on or off (true/false)",
            FieldType::Date => {
                "a date or date-time, ISO 8601 (\"2026-03-01\", \"2026-03-01T09:30:00Z\")"
            }
            FieldType::Dropdown => "one value from the options",
            FieldType::RadioButtons => "one value from the options",
            FieldType::Checkboxes => "any number of values from the options (an array)",
            FieldType::MultiSelect => "any number of values from the options (an array)",
            FieldType::Email => "an email address",
            FieldType::Url => "an http(s), mailto: or tel: URL",
            FieldType::Color => "a hex color like \"#ff8800\"",
            FieldType::Entries => "related entries: an array of entry ids",
        }
    }

    fn settings(self) -> &'static [Setting] {
        match self {
            FieldType::PlainText => TEXT_SETTINGS,
            FieldType::RichText => RICH_TEXT_SETTINGS,
            FieldType::Number => NUMBER_SETTINGS,
            FieldType::Lightswitch => LIGHTSWITCH_SETTINGS,
            FieldType::Date => DATE_SETTINGS,
            FieldType::Dropdown
            | FieldType::RadioButtons
            | FieldType::Checkboxes
            | FieldType::MultiSelect => OPTION_SETTINGS,
            FieldType::Email => EMAIL_SETTINGS,
            FieldType::Url => URL_SETTINGS,
            FieldType::Color => COLOR_SETTINGS,
            FieldType::Entries => ENTRIES_SETTINGS,
        }
    }

    /// Accepts a short name or a class name, case-insensitively, with `\`, `\\` or `/`
    /// as separators and an optional leading separator.
    pub fn parse(name: &str) -> ContentResult<FieldType> {
        let wanted = normalize_type_name(name);
        for field_type in FieldType::ALL {
            let names = [field_type.short_name(), field_type.class_name()];
            if names
                .iter()
                .chain(field_type.aliases())
                .any(|candidate| normalize_type_name(candidate) == wanted)
            {
                return Ok(field_type);
            }
        }
        Err(ContentError::naming(
            format!(
                "unknown field type \"{}\": use one of {} (or the Craft class name, e.g. craft\\fields\\PlainText); get_field_types describes them",
                name.chars().take(60).collect::<String>(),
                FieldType::ALL.map(FieldType::short_name).join(", ")
            ),
            crate::Step::ListFieldTypes,
        ))
    }

    /// The form control for values of this type.
    pub fn input(self) -> Input {
        match self {
            FieldType::RichText => Input::Lines,
            FieldType::Lightswitch => Input::Toggle,
            FieldType::Dropdown | FieldType::RadioButtons => Input::Choice,
            FieldType::Checkboxes | FieldType::MultiSelect => Input::Choices,
            FieldType::Entries => Input::EntryIds,
            FieldType::Date => Input::Line("2026-03-01T09:30:00Z"),
            FieldType::Color => Input::Line("#336699"),
            FieldType::PlainText | FieldType::Number | FieldType::Email | FieldType::Url => {
                Input::Line("")
            }
        }
    }

    /// Whether values of this type are text worth indexing for search by default.
    pub fn is_textual(self) -> bool {
        !matches!(
            self,
            FieldType::Number
                | FieldType::Lightswitch
                | FieldType::Date
                | FieldType::Color
                | FieldType::Entries
        )
    }

    /// What `get_field_types` shows for this type.
    pub fn describe(self) -> Value {
        let settings: Vec<Value> = self
            .settings()
            .iter()
            .map(|s| json!({"name": s.name, "type": s.kind.describe(), "description": s.about}))
            .collect();
        json!({
            "type": self.class_name(),
            "class": self.class_name(),
            "icon": self.icon(),
            "name": self.short_name(),
            "description": self.about(),
            "settings": settings,
        })
    }

    /// Checks and normalizes a field's settings. Unknown settings are refused with the
    /// list of known ones, so a typo does not silently do nothing.
    pub fn check_settings(
        self,
        settings: &Map<String, Value>,
    ) -> ContentResult<Map<String, Value>> {
        let known = self.settings();
        let mut normalized = Map::new();
        for (name, value) in settings {
            let Some(setting) = known.iter().find(|s| s.name == name) else {
                let names: Vec<&str> = known.iter().map(|s| s.name).collect();
                return Err(ContentError::new(format!(
                    "field type {} has no setting '{name}': its settings are {}",
                    self.short_name(),
                    if names.is_empty() {
                        "none".to_string()
                    } else {
                        names.join(", ")
                    }
                )));
            };
            if value.is_null() {
                continue;
            }
            normalized.insert(name.clone(), check_setting(setting, value)?);
        }
        let number = |name: &str| normalized.get(name).and_then(Value::as_f64);
        if let (Some(min), Some(max)) = (
            number("min").or(number("minRelations")),
            number("max").or(number("maxRelations")),
        ) && min > max
        {
            return Err(ContentError::new(format!(
                "setting min ({min}) is greater than max ({max})"
            )));
        }
        if matches!(
            self,
            FieldType::Dropdown
                | FieldType::RadioButtons
                | FieldType::Checkboxes
                | FieldType::MultiSelect
        ) && option_values(&normalized).is_empty()
        {
            return Err(ContentError::new(format!(
                "field type {} needs settings.options, e.g. [{{\"label\": \"Red\", \"value\": \"red\"}}]",
                self.short_name()
            )));
        }
        Ok(normalized)
    }

    /// The value a new entry gets when none is given (Lightswitch, Number and option
    /// fields with a default).
    pub fn default_value(self, settings: &Map<String, Value>) -> Option<Value> {
        match self {
            FieldType::Lightswitch => settings.get("default").filter(|v| v.is_boolean()).cloned(),
            FieldType::Number => settings
                .get("defaultValue")
                .filter(|v| v.is_number())
                .cloned(),
            FieldType::Dropdown | FieldType::RadioButtons => default_options(settings)
                .into_iter()
                .next()
                .map(Value::String),
            FieldType::Checkboxes | FieldType::MultiSelect => {
                let defaults = default_options(settings);
                (!defaults.is_empty()).then(|| json!(defaults))
            }
            _ => None,
        }
    }

    /// Validates and normalizes a value for the field with `handle`. `Ok(None)` means
    /// "cleared" (null, or an empty string/array).
    pub fn validate_value(
        self,
        handle: &str,
        settings: &Map<String, Value>,
        value: &Value,
    ) -> ContentResult<Option<Value>> {
        if value.is_null() {
            return Ok(None);
        }
        let expects = |what: &str| {
            ContentError::new(format!(
                "field '{handle}' expects {what}, got {}",
                show(value)
            ))
        };
        match self {
            FieldType::PlainText | FieldType::RichText => {
                let text = value.as_str().ok_or_else(|| expects("text (a string)"))?;
                if text.is_empty() {
                    return Ok(None);
                }
                if let Some(limit) = settings.get("charLimit").and_then(Value::as_u64) {
                    let count = text.chars().count() as u64;
                    if count > limit {
                        return Err(ContentError::new(format!(
                            "field '{handle}' allows at most {limit} characters, got {count}"
                        )));
                    }
                }
                Ok(Some(Value::String(text.to_string())))
            }
            FieldType::Number => {
                let number = match value {
                    Value::Number(n) => n.as_f64(),
                    Value::String(text) if text.trim().is_empty() => return Ok(None),
                    Value::String(text) => {
                        text.trim().parse::<f64>().ok().filter(|n| n.is_finite())
                    }
                    _ => None,
                }
                .ok_or_else(|| expects("a number"))?;
                check_number(handle, settings, number).map(Some)
            }
            FieldType::Lightswitch => match value {
                Value::Bool(b) => Ok(Some(Value::Bool(*b))),
                Value::Number(n) if n.as_i64() == Some(0) || n.as_i64() == Some(1) => {
                    Ok(Some(Value::Bool(n.as_i64() == Some(1))))
                }
                Value::String(text) => match text.trim().to_ascii_lowercase().as_str() {
                    "true" | "1" | "on" | "yes" => Ok(Some(Value::Bool(true))),
                    "false" | "0" | "off" | "no" => Ok(Some(Value::Bool(false))),
                    _ => Err(expects("true or false")),
                },
                _ => Err(expects("true or false")),
            },
            FieldType::Date => {
                let text = value
                    .as_str()
                    .ok_or_else(|| expects("a date string like \"2026-03-01T09:30:00Z\""))?;
                if text.trim().is_empty() {
                    return Ok(None);
                }
                let millis = dates::parse(&format!("field '{handle}'"), text)?;
                Ok(Some(Value::String(dates::format(millis))))
            }
            FieldType::Dropdown | FieldType::RadioButtons => {
                let allowed = option_values(settings);
                let choice = match value {
                    Value::String(text) => text.clone(),
                    Value::Number(n) => n.to_string(),
                    Value::Bool(b) => b.to_string(),
                    _ => return Err(expects(&format!("one of {}", quote_list(&allowed)))),
                };
                if choice.is_empty() {
                    return Ok(None);
                }
                if !allowed.contains(&choice) {
                    return Err(expects(&format!("one of {}", quote_list(&allowed))));
                }
                Ok(Some(Value::String(choice)))
            }
            FieldType::Checkboxes | FieldType::MultiSelect => {
                let allowed = option_values(settings);
                let items: Vec<&Value> = match value {
                    Value::Array(items) => items.iter().collect(),
                    Value::String(_) => vec![value],
                    _ => {
                        return Err(expects(&format!(
                            "an array of values from {}",
                            quote_list(&allowed)
                        )));
                    }
                };
                let mut chosen: Vec<String> = Vec::new();
                for item in items {
                    let Some(text) = item.as_str().filter(|t| allowed.iter().any(|a| a == t))
                    else {
                        return Err(ContentError::new(format!(
                            "field '{handle}' accepts only values from {}, got {}",
                            quote_list(&allowed),
                            show(item)
                        )));
                    };
                    if !chosen.iter().any(|c| c == text) {
                        chosen.push(text.to_string());
                    }
                }
                if chosen.is_empty() {
                    return Ok(None);
                }
                Ok(Some(json!(chosen)))
            }
            FieldType::Email => {
                let text = value
                    .as_str()
                    .ok_or_else(|| expects("an email address"))?
                    .trim();
                if text.is_empty() {
                    return Ok(None);
                }
                if !is_email(text) {
                    return Err(expects("an email address like \"name@example.com\""));
                }
                Ok(Some(Value::String(text.to_string())))
            }
            FieldType::Url => {
                let text = value.as_str().ok_or_else(|| expects("a URL"))?.trim();
                if text.is_empty() {
                    return Ok(None);
                }
                if !is_url(text) {
                    return Err(expects(
                        "a URL like \"https://example.com/page\" (or mailto:, tel:)",
                    ));
                }
                if let Some(limit) = settings.get("maxLength").and_then(Value::as_u64)
                    && text.chars().count() as u64 > limit
                {
                    return Err(ContentError::new(format!(
                        "field '{handle}' allows URLs of at most {limit} characters"
                    )));
                }
                Ok(Some(Value::String(text.to_string())))
            }
            FieldType::Color => {
                let text = value
                    .as_str()
                    .ok_or_else(|| expects("a hex color like \"#ff8800\""))?;
                if text.trim().is_empty() {
                    return Ok(None);
                }
                let color =
                    normalize_color(text).ok_or_else(|| expects("a hex color like \"#ff8800\""))?;
                let custom_allowed = settings
                    .get("allowCustomColors")
                    .and_then(Value::as_bool)
                    .unwrap_or(true);
                if !custom_allowed {
                    let palette: Vec<String> = settings
                        .get("palette")
                        .and_then(Value::as_array)
                        .map(|p| {
                            p.iter()
                                .filter_map(Value::as_str)
                                .map(str::to_string)
                                .collect()
                        })
                        .unwrap_or_default();
                    if !palette.contains(&color) {
                        return Err(expects(&format!(
                            "a color from the palette {}",
                            quote_list(&palette)
                        )));
                    }
                }
                Ok(Some(Value::String(color)))
            }
            FieldType::Entries => {
                let items: Vec<&Value> = match value {
                    Value::Array(items) => items.iter().collect(),
                    Value::Number(_) | Value::String(_) => vec![value],
                    _ => return Err(expects("an array of entry ids like [12, 15]")),
                };
                let mut ids: Vec<i64> = Vec::new();
                for item in items {
                    let id = match item {
                        Value::Number(n) => n.as_i64(),
                        Value::String(t) => t.trim().parse::<i64>().ok(),
                        _ => None,
                    }
                    .filter(|id| *id > 0)
                    .ok_or_else(|| {
                        ContentError::new(format!(
                            "field '{handle}' expects entry ids (positive integers), got {}",
                            show(item)
                        ))
                    })?;
                    if !ids.contains(&id) {
                        ids.push(id);
                    }
                }
                if let Some(max) = settings.get("maxRelations").and_then(Value::as_u64)
                    && ids.len() as u64 > max
                {
                    return Err(ContentError::new(format!(
                        "field '{handle}' relates at most {max} entries, got {}",
                        ids.len()
                    )));
                }
                if let Some(min) = settings.get("minRelations").and_then(Value::as_u64)
                    && !ids.is_empty()
                    && (ids.len() as u64) < min
                {
                    return Err(ContentError::new(format!(
                        "field '{handle}' relates at least {min} entries, got {}",
                        ids.len()
                    )));
                }
                if ids.is_empty() {
                    return Ok(None);
                }
                Ok(Some(json!(ids)))
            }
        }
    }

    /// The words a stored value contributes to search (HTML tags stripped; option
    /// values and their labels).
    pub fn search_text(self, settings: &Map<String, Value>, value: &Value) -> String {
        match self {
            FieldType::PlainText | FieldType::Email | FieldType::Url => {
                value.as_str().unwrap_or_default().to_string()
            }
            FieldType::RichText => strip_tags(value.as_str().unwrap_or_default()),
            FieldType::Dropdown
            | FieldType::RadioButtons
            | FieldType::Checkboxes
            | FieldType::MultiSelect => {
                let chosen: Vec<&str> = match value {
                    Value::Array(items) => items.iter().filter_map(Value::as_str).collect(),
                    Value::String(s) => vec![s.as_str()],
                    _ => Vec::new(),
                };
                let mut words = Vec::new();
                for choice in chosen {
                    words.push(choice.to_string());
                    if let Some(label) = option_label(settings, choice)
                        && label != choice
                    {
                        words.push(label);
                    }
                }
                words.join(" ")
            }
            FieldType::Number | FieldType::Date | FieldType::Color => match value {
                Value::String(s) => s.clone(),
                Value::Number(n) => n.to_string(),
                _ => String::new(),
            },
            FieldType::Lightswitch | FieldType::Entries => String::new(),
        }
    }

    /// For an Entries field: the sources setting as given (`None` = any section).
    pub fn sources(settings: &Map<String, Value>) -> Option<Vec<Value>> {
        match settings.get("sources") {
            Some(Value::Array(items)) => Some(items.clone()),
            _ => None,
        }
    }
}

fn normalize_type_name(name: &str) -> String {
    name.trim()
        .replace("\\\\", "\\")
        .replace('/', "\\")
        .trim_start_matches('\\')
        .to_ascii_lowercase()
}

fn check_setting(setting: &Setting, value: &Value) -> ContentResult<Value> {
    let wrong = || {
        ContentError::new(format!(
            "setting '{}' expects {}, got {}",
            setting.name,
            setting.kind.describe(),
            show(value)
        ))
    };
    match setting.kind {
        SettingKind::Text => value.as_str().map(|s| json!(s)).ok_or_else(wrong),
        SettingKind::Bool => value.as_bool().map(Value::Bool).ok_or_else(wrong),
        SettingKind::Number => value
            .as_f64()
            .or_else(|| value.as_str().and_then(|s| s.trim().parse().ok()))
            .and_then(number_value)
            .ok_or_else(wrong),
        SettingKind::Positive | SettingKind::NonNegative => {
            let floor = if setting.kind == SettingKind::Positive {
                1
            } else {
                0
            };
            value
                .as_i64()
                .or_else(|| value.as_str().and_then(|s| s.trim().parse().ok()))
                .filter(|n| *n >= floor)
                .map(|n| json!(n))
                .ok_or_else(wrong)
        }
        SettingKind::Options => {
            let items = value.as_array().ok_or_else(wrong)?;
            let mut options = Vec::with_capacity(items.len());
            let mut seen: Vec<String> = Vec::new();
            for item in items {
                let (label, option_value, default) = match item {
                    Value::String(s) => (s.clone(), s.clone(), false),
                    Value::Object(map) => {
                        let label = map.get("label").and_then(Value::as_str);
                        let option_value = map
                            .get("value")
                            .and_then(|v| match v {
                                Value::String(s) => Some(s.clone()),
                                Value::Number(n) => Some(n.to_string()),
                                _ => None,
                            })
                            .or_else(|| label.map(str::to_string))
                            .ok_or_else(wrong)?;
                        let label = label
                            .map(str::to_string)
                            .unwrap_or_else(|| option_value.clone());
                        let default = map.get("default").and_then(Value::as_bool).unwrap_or(false);
                        (label, option_value, default)
                    }
                    _ => return Err(wrong()),
                };
                if option_value.is_empty() {
                    return Err(ContentError::new(
                        "setting 'options' has an option with an empty value",
                    ));
                }
                if seen.contains(&option_value) {
                    return Err(ContentError::new(format!(
                        "setting 'options' lists the value \"{option_value}\" twice"
                    )));
                }
                seen.push(option_value.clone());
                options.push(json!({"label": label, "value": option_value, "default": default}));
            }
            Ok(Value::Array(options))
        }
        SettingKind::Colors => {
            let items = value.as_array().ok_or_else(wrong)?;
            items
                .iter()
                .map(|item| {
                    item.as_str()
                        .and_then(normalize_color)
                        .map(Value::String)
                        .ok_or_else(wrong)
                })
                .collect::<ContentResult<Vec<_>>>()
                .map(Value::Array)
        }
        SettingKind::Sources => match value {
            Value::String(s) if s == "*" => Ok(json!("*")),
            Value::Array(items) => {
                for item in items {
                    let ok = item.as_i64().is_some_and(|id| id > 0)
                        || item
                            .as_str()
                            .is_some_and(|s| s.starts_with("section:") && s.len() > 8);
                    if !ok {
                        return Err(wrong());
                    }
                }
                Ok(value.clone())
            }
            _ => Err(wrong()),
        },
    }
}

fn number_value(number: f64) -> Option<Value> {
    if number.fract() == 0.0 && number.abs() < 9.0e15 {
        Some(json!(number as i64))
    } else {
        Number::from_f64(number).map(Value::Number)
    }
}

fn check_number(handle: &str, settings: &Map<String, Value>, number: f64) -> ContentResult<Value> {
    if let Some(min) = settings.get("min").and_then(Value::as_f64)
        && number < min
    {
        return Err(ContentError::new(format!(
            "field '{handle}' must be at least {min}, got {number}"
        )));
    }
    if let Some(max) = settings.get("max").and_then(Value::as_f64)
        && number > max
    {
        return Err(ContentError::new(format!(
            "field '{handle}' must be at most {max}, got {number}"
        )));
    }
    if let Some(decimals) = settings.get("decimals").and_then(Value::as_u64) {
        let scale = 10f64.powi(i32::try_from(decimals.min(15)).unwrap_or(15));
        let scaled = number * scale;
        if (scaled - scaled.round()).abs() > 1e-6 * scale.max(1.0) {
            return Err(ContentError::new(if decimals == 0 {
                format!("field '{handle}' expects a whole number, got {number}")
            } else {
                format!("field '{handle}' allows {decimals} decimal place(s), got {number}")
            }));
        }
    }
    number_value(number).ok_or_else(|| {
        ContentError::new(format!(
            "field '{handle}' expects a finite number, got {number}"
        ))
    })
}

fn option_values(settings: &Map<String, Value>) -> Vec<String> {
    settings
        .get("options")
        .and_then(Value::as_array)
        .map(|options| {
            options
                .iter()
                .filter_map(|o| o.get("value").and_then(Value::as_str).map(str::to_string))
                .collect()
        })
        .unwrap_or_default()
}

fn default_options(settings: &Map<String, Value>) -> Vec<String> {
    settings
        .get("options")
        .and_then(Value::as_array)
        .map(|options| {
            options
                .iter()
                .filter(|o| o.get("default").and_then(Value::as_bool).unwrap_or(false))
                .filter_map(|o| o.get("value").and_then(Value::as_str).map(str::to_string))
                .collect()
        })
        .unwrap_or_default()
}

fn option_label(settings: &Map<String, Value>, value: &str) -> Option<String> {
    settings
        .get("options")?
        .as_array()?
        .iter()
        .find(|o| o.get("value").and_then(Value::as_str) == Some(value))?
        .get("label")?
        .as_str()
        .map(str::to_string)
}

fn quote_list(items: &[String]) -> String {
    let quoted: Vec<String> = items.iter().map(|i| format!("\"{i}\"")).collect();
    format!("[{}]", quoted.join(", "))
}

fn is_email(text: &str) -> bool {
    let Some((local, domain)) = text.rsplit_once('@') else {
        return false;
    };
    !local.is_empty()
        && local.len() <= 64
        && !local.contains(char::is_whitespace)
        && !local.contains('@')
        && is_host(domain)
        && domain.contains('.')
}

fn is_host(host: &str) -> bool {
    !host.is_empty()
        && host.len() <= 253
        && host.split('.').all(|label| {
            !label.is_empty()
                && label.len() <= 63
                && !label.starts_with('-')
                && !label.ends_with('-')
                && label.chars().all(|c| c.is_alphanumeric() || c == '-')
        })
}

fn is_url(text: &str) -> bool {
    if text.contains(char::is_whitespace) {
        return false;
    }
    let lower = text.to_ascii_lowercase();
    if let Some(address) = lower.strip_prefix("mailto:") {
        return is_email(address);
    }
    if let Some(number) = lower.strip_prefix("tel:") {
        return !number.is_empty()
            && number
                .chars()
                .all(|c| c.is_ascii_digit() || "+-() .".contains(c));
    }
    let Some(rest) = lower
        .strip_prefix("https://")
        .or_else(|| lower.strip_prefix("http://"))
    else {
        return false;
    };
    let authority = rest.split(['/', '?', '#']).next().unwrap_or_default();
    let host_port = authority.rsplit('@').next().unwrap_or_default();
    let host = match host_port.rsplit_once(':') {
        Some((host, port)) if port.chars().all(|c| c.is_ascii_digit()) => host,
        _ => host_port,
    };
    is_host(host) || (host.starts_with('[') && host.ends_with(']'))
}

fn normalize_color(text: &str) -> Option<String> {
    let hex = text.trim().trim_start_matches('#').to_ascii_lowercase();
    if !hex.chars().all(|c| c.is_ascii_hexdigit()) {
        return None;
    }
    match hex.len() {
        6 => Some(format!("#{hex}")),
        3 => Some(format!(
            "#{}",
            hex.chars().flat_map(|c| [c, c]).collect::<String>()
        )),
        _ => None,
    }
}

/// HTML to text for the search index: tags become spaces, common entities decode.
fn strip_tags(html: &str) -> String {
    let mut text = String::with_capacity(html.len());
    let mut in_tag = false;
    for c in html.chars() {
        match c {
            '<' => in_tag = true,
            '>' if in_tag => {
                in_tag = false;
                text.push(' ');
            }
            _ if !in_tag => text.push(c),
            _ => {}
        }
    }
    text.replace("&amp;", "&")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&nbsp;", " ")
}
