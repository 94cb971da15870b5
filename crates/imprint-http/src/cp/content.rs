//! Content pages: entries by section and site with search, an entry with its fields,
//! revisions (with a diff against the current content) and drafts, a draft with a
//! field-by-field comparison against its entry and an Apply button, and forms to
//! create and edit entries and drafts.
//!
//! Every `url` the content tools return lands here: `/cp/entries/{id}` for an entry,
//! `/cp/entries/{id}?draftId=…` for a draft of it, `/cp/entries/new?draftId=…` for a
//! draft from scratch.
//!
//! Edit forms send every field, but only what differs from the stored value goes to the
//! service: a draft or entry changed elsewhere keeps those changes (drafts also carry
//! their version, so a stale form is refused rather than applied).

use std::fmt::Write as _;

use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use imprint_service::api::{Id, IdList, JsonObject};
use imprint_service::content::{
    ApplyDraft, CreateDraft, CreateEntry, DeleteDraft, GetEntry, GetEntryTypes, GetFields,
    GetRevision, GetSections, GetSites, ListDrafts, ListRevisions, RevertEntry, SearchContent,
    UpdateDraft, UpdateEntry,
};
use imprint_service::{Service, ServiceError, ServiceResult};
use serde::Deserialize;
use serde_json::{Map, Value, json};

use super::html::{self, attr, esc, pretty, table, text_of, url_encode};
use super::{Panel, PanelForm};
use crate::extract::{PathParams, QueryParams};
use crate::rest::content::view_draft;
use crate::state::AppState;

pub(crate) fn routes() -> axum::Router<AppState> {
    axum::Router::new()
        .route("/cp/entries", get(index))
        .route("/cp/entries/new", get(new_entry).post(create))
        .route("/cp/entries/{entry_id}", get(entry_page))
        .route("/cp/entries/{entry_id}/edit", post(edit_entry))
        .route("/cp/entries/{entry_id}/drafts", post(new_draft))
        .route(
            "/cp/entries/{entry_id}/revisions/{revision}",
            get(revision_page),
        )
        .route("/cp/entries/{entry_id}/revert", post(revert))
        .route("/cp/drafts/{draft_id}/edit", post(edit_draft))
        .route("/cp/drafts/{draft_id}/apply", post(apply))
        .route("/cp/drafts/{draft_id}/delete", post(delete_draft))
}

// ----- the shape of an entry type ------------------------------------------------------

/// A field as the forms need it.
struct FieldSpec {
    handle: String,
    name: String,
    kind: String,
    required: bool,
    instructions: String,
    options: Vec<(String, String)>,
}

/// An entry type with its fields, in layout order.
struct TypeSpec {
    name: String,
    has_title_field: bool,
    fields: Vec<FieldSpec>,
}

fn first_of(value: Value, key: &str, what: &str) -> ServiceResult<Value> {
    value[key]
        .as_array()
        .and_then(|items| items.first().cloned())
        .ok_or_else(|| ServiceError::not_found(format!("{what} does not exist")))
}

fn type_spec(s: &Service, entry_type_id: i64) -> ServiceResult<TypeSpec> {
    let entry_type = first_of(
        s.get_entry_types(GetEntryTypes {
            entry_type_ids: Some(IdList(vec![Id(entry_type_id)])),
        })?,
        "entryTypes",
        &format!("entry type {entry_type_id}"),
    )?;
    let fields = s.get_fields(GetFields {
        field_layout_id: entry_type["fieldLayoutId"].as_i64().map(Id),
    })?;
    let fields = fields["fields"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|field| FieldSpec {
            handle: text_of(&field["handle"]),
            name: text_of(&field["name"]),
            kind: text_of(&field["typeName"]),
            required: field["required"].as_bool().unwrap_or(false),
            instructions: field["instructions"]
                .as_str()
                .unwrap_or_default()
                .to_string(),
            options: field["settings"]["options"]
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(|o| {
                    let value = o.get("value").and_then(Value::as_str)?;
                    let label = o.get("label").and_then(Value::as_str).unwrap_or(value);
                    Some((value.to_string(), label.to_string()))
                })
                .collect(),
        })
        .collect();
    Ok(TypeSpec {
        name: text_of(&entry_type["name"]),
        has_title_field: entry_type["hasTitleField"].as_bool().unwrap_or(true),
        fields,
    })
}

/// A stored value as the text a form field shows (and sends back unchanged).
fn shown(value: &Value) -> String {
    match value {
        Value::Null => String::new(),
        Value::String(s) => s.clone(),
        Value::Array(items) => items.iter().map(shown).collect::<Vec<_>>().join(", "),
        other => other.to_string(),
    }
}

fn strings(value: &Value) -> Vec<String> {
    match value {
        Value::Array(items) => items.iter().map(shown).collect(),
        Value::Null => Vec::new(),
        other => vec![shown(other)],
    }
}

const TEXT_ATTRIBUTES: &[(&str, &str)] = &[
    ("slug", "Slug"),
    ("postDate", "Post date"),
    ("expiryDate", "Expiry date"),
];

/// The attributes and fields a form sent, as `attributeAndFieldData`, keeping only
/// what differs from `current` (everything that is set, for a new entry).
fn form_data(
    spec: &TypeSpec,
    form: &Map<String, Value>,
    current: Option<&Value>,
) -> Map<String, Value> {
    let mut data = Map::new();
    let text = |name: &str| form.get(name).map(shown).unwrap_or_default();
    let changed = |key: &str, submitted: &Value| match current {
        Some(current) => shown(&current[key]) != shown(submitted),
        None => !shown(submitted).is_empty(),
    };
    let mut attributes: Vec<&str> = TEXT_ATTRIBUTES.iter().map(|(key, _)| *key).collect();
    if spec.has_title_field {
        attributes.insert(0, "title");
    }
    for key in attributes {
        if !form.contains_key(key) {
            continue;
        }
        let value = Value::String(text(key));
        if changed(key, &value) {
            data.insert(key.to_string(), value);
        }
    }
    if form.contains_key("present.enabled") {
        let enabled = form.contains_key("enabled");
        if current.is_none_or(|c| c["enabled"].as_bool() != Some(enabled)) {
            data.insert("enabled".into(), json!(enabled));
        }
    }
    for field in &spec.fields {
        let key = format!("f.{}", field.handle);
        let value = match field.kind.as_str() {
            "Lightswitch" => {
                if !form.contains_key(&format!("present.{key}")) {
                    continue;
                }
                json!(form.contains_key(&key))
            }
            "Checkboxes" | "MultiSelect" => {
                if !form.contains_key(&format!("present.{key}")) {
                    continue;
                }
                json!(form.get(&key).map(strings).unwrap_or_default())
            }
            "Entries" => {
                let Some(raw) = form.get(&key) else { continue };
                let ids: Vec<Value> = shown(raw)
                    .split([',', ' '])
                    .filter(|part| !part.trim().is_empty())
                    .map(|part| {
                        part.trim()
                            .parse::<i64>()
                            .map(Value::from)
                            .unwrap_or_else(|_| Value::String(part.trim().to_string()))
                    })
                    .collect();
                json!(ids)
            }
            _ => {
                let Some(raw) = form.get(&key) else { continue };
                Value::String(shown(raw))
            }
        };
        let differs = match current {
            Some(current) => {
                let stored = &current[&field.handle];
                match (&value, stored) {
                    (Value::Bool(b), stored) => stored.as_bool().unwrap_or(false) != *b,
                    (Value::Array(_), _) => strings(&value) != strings(stored),
                    _ => shown(stored) != shown(&value),
                }
            }
            None => match &value {
                Value::Bool(b) => *b,
                Value::Array(items) => !items.is_empty(),
                other => !shown(other).is_empty(),
            },
        };
        if differs {
            data.insert(field.handle.clone(), value);
        }
    }
    data
}

/// Inputs for the attributes and fields of `spec`, filled from `values`.
fn field_inputs(spec: &TypeSpec, values: &Value) -> String {
    let mut html = String::new();
    if spec.has_title_field {
        let _ = write!(
            html,
            "<label>Title <input name=\"title\" value=\"{}\"></label>",
            attr(&shown(&values["title"]))
        );
    }
    for field in &spec.fields {
        let key = format!("f.{}", field.handle);
        let value = &values[&field.handle];
        let label = format!(
            "<span>{}{} <span class=\"muted\">({}, {})</span></span>",
            esc(&field.name),
            if field.required { " *" } else { "" },
            esc(&field.handle),
            esc(&field.kind)
        );
        let hint = if field.instructions.is_empty() {
            String::new()
        } else {
            format!(
                "<small class=\"muted\">{}</small>",
                esc(&field.instructions)
            )
        };
        match field.kind.as_str() {
            "RichText" => {
                let _ = write!(
                    html,
                    "<label>{label}{hint}<textarea name=\"{}\">{}</textarea></label>",
                    attr(&key),
                    esc(&shown(value))
                );
            }
            "Lightswitch" => {
                let _ = write!(
                    html,
                    "<label class=\"check\">{}<input type=\"checkbox\" name=\"{}\" value=\"on\"{}> {label}</label>{hint}",
                    html::hidden(&format!("present.{key}"), "1"),
                    attr(&key),
                    if value.as_bool().unwrap_or(false) {
                        " checked"
                    } else {
                        ""
                    }
                );
            }
            "Dropdown" | "RadioButtons" => {
                let current = shown(value);
                let _ = write!(
                    html,
                    "<label>{label}{hint}<select name=\"{}\"><option value=\"\">—</option>",
                    attr(&key)
                );
                for (option, text) in &field.options {
                    let _ = write!(
                        html,
                        "<option value=\"{}\"{}>{}</option>",
                        attr(option),
                        if *option == current { " selected" } else { "" },
                        esc(text)
                    );
                }
                html.push_str("</select></label>");
            }
            "Checkboxes" | "MultiSelect" => {
                let chosen = strings(value);
                let _ = write!(
                    html,
                    "<fieldset><legend>{label}</legend>{hint}{}",
                    html::hidden(&format!("present.{key}"), "1")
                );
                for (option, text) in &field.options {
                    let _ = write!(
                        html,
                        "<label class=\"check\"><input type=\"checkbox\" name=\"{}\" value=\"{}\"{}> {}</label>",
                        attr(&key),
                        attr(option),
                        if chosen.contains(option) {
                            " checked"
                        } else {
                            ""
                        },
                        esc(text)
                    );
                }
                html.push_str("</fieldset>");
            }
            "Entries" => {
                let _ = write!(
                    html,
                    "<label>{label}{hint}<input name=\"{}\" value=\"{}\" placeholder=\"entry ids, like 12, 14\"></label>",
                    attr(&key),
                    attr(&shown(value))
                );
            }
            _ => {
                let placeholder = match field.kind.as_str() {
                    "Date" => " placeholder=\"2026-03-01T09:30:00Z\"",
                    "Color" => " placeholder=\"#336699\"",
                    _ => "",
                };
                let _ = write!(
                    html,
                    "<label>{label}{hint}<input name=\"{}\" value=\"{}\"{placeholder}></label>",
                    attr(&key),
                    attr(&shown(value))
                );
            }
        }
    }
    html.push_str("<details><summary>Slug, dates, status</summary><div class=\"stack\">");
    for (key, label) in TEXT_ATTRIBUTES {
        let _ = write!(
            html,
            "<label>{label} <input name=\"{key}\" value=\"{}\"></label>",
            attr(&shown(&values[*key]))
        );
    }
    let _ = write!(
        html,
        "<label class=\"check\">{}<input type=\"checkbox\" name=\"enabled\" value=\"on\"{}> Enabled</label></div></details>",
        html::hidden("present.enabled", "1"),
        if values["enabled"].as_bool().unwrap_or(true) {
            " checked"
        } else {
            ""
        }
    );
    html
}

/// (label, value) for each attribute and field, for read-only tables and comparisons.
fn rows_of(spec: &TypeSpec, values: &Value) -> Vec<(String, String, String)> {
    let mut rows = Vec::new();
    if spec.has_title_field {
        rows.push((
            "title".to_string(),
            "Title".to_string(),
            shown(&values["title"]),
        ));
    }
    for field in &spec.fields {
        rows.push((
            field.handle.clone(),
            format!("{} ({})", field.name, field.kind),
            shown(&values[&field.handle]),
        ));
    }
    for (key, label) in TEXT_ATTRIBUTES {
        rows.push((key.to_string(), label.to_string(), shown(&values[*key])));
    }
    rows.push((
        "enabled".to_string(),
        "Enabled".to_string(),
        shown(&values["enabled"]),
    ));
    rows
}

/// The path of an absolute control panel URL (`{public_url}/cp/…` → `/cp/…`).
fn local(url: &str) -> String {
    url.find("/cp/")
        .map(|index| url[index..].to_string())
        .unwrap_or_else(|| "/cp/entries".to_string())
}

fn entry_path(entry_id: i64) -> String {
    format!("/cp/entries/{entry_id}")
}

fn draft_path(canonical_id: Option<i64>, draft_id: i64) -> String {
    match canonical_id {
        Some(id) => format!("/cp/entries/{id}?draftId={draft_id}"),
        None => format!("/cp/entries/new?draftId={draft_id}"),
    }
}

fn status_badge(status: &str) -> String {
    let class = match status {
        "live" => "ok",
        "disabled" | "expired" | "trashed" => "bad",
        _ => "",
    };
    format!("<span class=\"badge {class}\">{}</span>", esc(status))
}

// ----- the entries index ---------------------------------------------------------------

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct IndexQuery {
    query: Option<String>,
    section_id: Option<String>,
    site_id: Option<String>,
    status: Option<String>,
}

fn positive(text: Option<&str>) -> Option<i64> {
    text.and_then(|t| t.trim().parse().ok())
        .filter(|id: &i64| *id > 0)
}

struct IndexView {
    sites: Value,
    sections: Value,
    results: Result<Value, String>,
    drafts: Value,
}

async fn index(panel: Panel, QueryParams(q): QueryParams<IndexQuery>) -> Response {
    let section_id = positive(q.section_id.as_deref());
    let site_id = positive(q.site_id.as_deref());
    let query = q.query.clone().unwrap_or_default();
    let status = q.status.clone().filter(|s| !s.is_empty());
    let view = panel
        .run(move |s| {
            // An empty query lists the newest entries of the chosen section and site.
            let results = s
                .search_content(SearchContent {
                    query: Some(query),
                    limit: Some(50),
                    status,
                    section_ids: section_id.map(|id| IdList(vec![Id(id)])),
                    site_id: site_id.map(Id),
                })
                .map_err(|e| e.message().to_string());
            Ok(IndexView {
                sites: s.get_sites(GetSites {})?,
                sections: s.get_sections(GetSections::default())?,
                results,
                drafts: s.list_entry_drafts(ListDrafts {
                    section_id: section_id.map(Id),
                    site_id: site_id.map(Id),
                    limit: Some(50),
                    ..Default::default()
                })?,
            })
        })
        .await;
    let view = match view {
        Ok(view) => view,
        Err(error) => return panel.error_page(error),
    };
    let name_of = |list: &Value, key: &str, id: &Value| -> String {
        list[key]
            .as_array()
            .into_iter()
            .flatten()
            .find(|item| item["id"] == *id)
            .map(|item| text_of(&item["name"]))
            .unwrap_or_else(|| text_of(id))
    };
    let mut body = String::from(
        "<section><h2>Find entries</h2><form method=\"get\" action=\"/cp/entries\" class=\"row\">",
    );
    let _ = write!(
        body,
        "<label>Words <input name=\"query\" value=\"{}\" placeholder=\"summer recipes, summ*\" autofocus></label>",
        attr(q.query.as_deref().unwrap_or_default())
    );
    body.push_str("<label>Section <select name=\"sectionId\"><option value=\"\">all</option>");
    for section in view.sections["sections"].as_array().into_iter().flatten() {
        let id = text_of(&section["id"]);
        let _ = write!(
            body,
            "<option value=\"{}\"{}>{}</option>",
            attr(&id),
            if section_id.map(|s| s.to_string()) == Some(id.clone()) {
                " selected"
            } else {
                ""
            },
            esc(&text_of(&section["name"]))
        );
    }
    body.push_str(
        "</select></label><label>Site <select name=\"siteId\"><option value=\"\">all</option>",
    );
    for site in view.sites["sites"].as_array().into_iter().flatten() {
        let id = text_of(&site["id"]);
        let _ = write!(
            body,
            "<option value=\"{}\"{}>{}</option>",
            attr(&id),
            if site_id.map(|s| s.to_string()) == Some(id.clone()) {
                " selected"
            } else {
                ""
            },
            esc(&text_of(&site["name"]))
        );
    }
    body.push_str("</select></label><label>Status <select name=\"status\">");
    for status in ["live", "pending", "expired", "disabled", "all"] {
        let _ = write!(
            body,
            "<option{}>{status}</option>",
            if q.status.as_deref() == Some(status) {
                " selected"
            } else {
                ""
            }
        );
    }
    body.push_str("</select></label><button>Search</button></form>");
    match &view.results {
        Err(message) => {
            let _ = write!(body, "<p class=\"flash error\">{}</p>", esc(message));
        }
        Ok(results) => {
            let rows: Vec<Vec<String>> = results["results"]
                .as_array()
                .into_iter()
                .flatten()
                .map(|hit| {
                    vec![
                        format!(
                            "<a href=\"{}\">{}</a>",
                            attr(&local(&text_of(&hit["url"]))),
                            esc(&shown(&hit["title"]))
                        ),
                        esc(&name_of(&view.sections, "sections", &hit["sectionId"])),
                        esc(&name_of(&view.sites, "sites", &hit["siteId"])),
                        status_badge(&text_of(&hit["status"])),
                        esc(&shown(&hit["postDate"])),
                    ]
                })
                .collect();
            body.push_str(&table(
                &["title", "section", "site", "status", "posted"],
                &rows,
                &text_of(&results["message"]),
            ));
        }
    }
    body.push_str("</section><section><h2>Drafts</h2>");
    let rows: Vec<Vec<String>> = view.drafts["drafts"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|draft| {
            vec![
                format!(
                    "<a href=\"{}\">{}</a>",
                    attr(&local(&text_of(&draft["url"]))),
                    esc(&text_of(&draft["draftName"]))
                ),
                esc(&shown(&draft["title"])),
                match draft["canonicalId"].as_i64() {
                    Some(id) => format!("<a href=\"{}\">entry {id}</a>", attr(&entry_path(id))),
                    None => "<span class=\"badge\">new entry</span>".to_string(),
                },
                esc(&name_of(&view.sections, "sections", &draft["sectionId"])),
                esc(&text_of(&draft["creator"])),
                esc(&text_of(&draft["dateUpdated"])),
            ]
        })
        .collect();
    body.push_str(&table(
        &["draft", "title", "of", "section", "creator", "updated"],
        &rows,
        "No drafts.",
    ));
    body.push_str("</section><section><h2>New entry</h2><form method=\"get\" action=\"/cp/entries/new\" class=\"row\"><label>Section and entry type <select name=\"type\">");
    for section in view.sections["sections"].as_array().into_iter().flatten() {
        for entry_type in section["entryTypes"].as_array().into_iter().flatten() {
            let _ = write!(
                body,
                "<option value=\"{}:{}\">{} / {}</option>",
                attr(&text_of(&section["id"])),
                attr(&text_of(&entry_type["id"])),
                esc(&text_of(&section["name"])),
                esc(&text_of(&entry_type["name"]))
            );
        }
    }
    body.push_str("</select></label><label>Site <select name=\"siteId\">");
    for site in view.sites["sites"].as_array().into_iter().flatten() {
        let _ = write!(
            body,
            "<option value=\"{}\"{}>{}</option>",
            attr(&text_of(&site["id"])),
            if site["primary"].as_bool().unwrap_or(false) {
                " selected"
            } else {
                ""
            },
            esc(&text_of(&site["name"]))
        );
    }
    body.push_str("</select></label><button>Write</button></form></section>");
    panel.page("Content", &body)
}

// ----- an entry ------------------------------------------------------------------------

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct EntryQuery {
    site_id: Option<String>,
    draft_id: Option<String>,
}

struct EntryView {
    entry: Value,
    spec: TypeSpec,
    revisions: Value,
    drafts: Value,
}

async fn entry_page(
    panel: Panel,
    PathParams(entry_id): PathParams<i64>,
    QueryParams(q): QueryParams<EntryQuery>,
) -> Response {
    if let Some(draft_id) = positive(q.draft_id.as_deref()) {
        return draft_page(panel, draft_id).await;
    }
    let site_id = positive(q.site_id.as_deref());
    let view = panel
        .run(move |s| {
            let entry = s.get_entry(GetEntry {
                entry_id: Id(entry_id),
                site_id: site_id.map(Id),
            })?;
            if entry["isDraft"].as_bool() == Some(true) {
                // A draft id in an entry URL: show the draft.
                return Ok(Err(draft_path(entry["canonicalId"].as_i64(), entry_id)));
            }
            let entry_type_id = entry["entryTypeId"].as_i64().unwrap_or_default();
            let site = entry["siteId"].as_i64();
            Ok(Ok(EntryView {
                spec: type_spec(s, entry_type_id)?,
                revisions: s.list_revisions(ListRevisions {
                    entry_id: Id(entry_id),
                    site_id: site.map(Id),
                    limit: Some(50),
                })?,
                drafts: s.list_entry_drafts(ListDrafts {
                    canonical_id: Some(Id(entry_id)),
                    limit: Some(50),
                    ..Default::default()
                })?,
                entry,
            }))
        })
        .await;
    let view = match view {
        Ok(Ok(view)) => view,
        Ok(Err(draft)) => return Redirect::to(&draft).into_response(),
        Err(error) => return panel.error_page(error),
    };
    let entry = &view.entry;
    let csrf = &panel.session.csrf;
    let site = text_of(&entry["siteId"]);
    let title = shown(&entry["title"]);
    let mut body = format!(
        "<p><a href=\"/cp/entries\">← Content</a></p><dl class=\"facts\"><dt>status</dt><dd>{}</dd>\
<dt>entry</dt><dd>{} · {} · site {}</dd><dt>revision</dt><dd>{} by {} · {}</dd><dt>uri</dt><dd><code>{}</code></dd></dl>",
        status_badge(&text_of(&entry["status"])),
        esc(&text_of(&entry["entryId"])),
        esc(&view.spec.name),
        esc(&site),
        esc(&text_of(&entry["revision"])),
        esc(&text_of(&entry["author"])),
        esc(&text_of(&entry["dateUpdated"])),
        esc(&text_of(&entry["uri"]))
    );
    let rows: Vec<Vec<String>> = rows_of(&view.spec, entry)
        .into_iter()
        .map(|(handle, label, value)| {
            vec![
                format!(
                    "{} <code class=\"muted\">{}</code>",
                    esc(&label),
                    esc(&handle)
                ),
                esc(&value),
            ]
        })
        .collect();
    body.push_str("<section id=\"fields\"><h2>Fields</h2>");
    body.push_str(&table(&["field", "value"], &rows, ""));
    body.push_str("</section>");

    // Drafts of this entry.
    body.push_str("<section id=\"drafts\"><h2>Drafts</h2>");
    let drafts: Vec<Vec<String>> = view.drafts["drafts"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|draft| {
            vec![
                format!(
                    "<a href=\"{}\">{}</a>",
                    attr(&local(&text_of(&draft["url"]))),
                    esc(&text_of(&draft["draftName"]))
                ),
                esc(&shown(&draft["draftNotes"])),
                esc(&text_of(&draft["creator"])),
                if draft["provisional"].as_bool().unwrap_or(false) {
                    "<span class=\"badge\">provisional</span>".to_string()
                } else {
                    String::new()
                },
                esc(&text_of(&draft["dateUpdated"])),
            ]
        })
        .collect();
    body.push_str(&table(
        &["draft", "notes", "creator", "", "updated"],
        &drafts,
        "No drafts of this entry.",
    ));
    let _ = write!(
        body,
        "<form method=\"post\" action=\"/cp/entries/{entry_id}/drafts\" class=\"row\">{}{}\
<label>Draft name <input name=\"draftName\" placeholder=\"Draft N\"></label>\
<label>Notes <input name=\"draftNotes\"></label><button>Create a draft</button></form></section>",
        html::csrf_field(csrf),
        html::hidden("siteId", &site)
    );

    // Revisions.
    body.push_str("<section id=\"revisions\"><h2>Revisions</h2>");
    let revisions: Vec<Vec<String>> = view.revisions["revisions"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|revision| {
            let number = text_of(&revision["revision"]);
            vec![
                format!(
                    "<a href=\"/cp/entries/{entry_id}/revisions/{}?siteId={}\">#{}</a>",
                    attr(&url_encode(&number)),
                    attr(&url_encode(&site)),
                    esc(&number)
                ),
                esc(&text_of(&revision["action"])),
                esc(&text_of(&revision["author"])),
                esc(&shown(&revision["draftName"])),
                esc(&text_of(&revision["createdAt"])),
                if revision["current"].as_bool().unwrap_or(false) {
                    "<span class=\"badge ok\">current</span>".to_string()
                } else {
                    html::action_button(
                        &format!("/cp/entries/{entry_id}/revert"),
                        csrf,
                        &[("revision", number.as_str()), ("siteId", site.as_str())],
                        "Revert to this",
                        "secondary",
                    )
                },
            ]
        })
        .collect();
    body.push_str(&table(
        &["revision", "action", "author", "from draft", "created", ""],
        &revisions,
        "No revisions.",
    ));
    body.push_str("</section>");

    // Edit the live entry directly.
    let _ = write!(
        body,
        "<section id=\"edit\"><h2>Edit</h2><p class=\"muted\">Saving here changes the live entry at once (a new signed revision). \
To prepare a change for review, create a draft instead.</p>\
<form method=\"post\" action=\"/cp/entries/{entry_id}/edit\" class=\"stack\">{}{}{}<button>Save entry</button></form></section>",
        html::csrf_field(csrf),
        html::hidden("siteId", &site),
        field_inputs(&view.spec, entry)
    );
    let page_title = if title.is_empty() {
        format!("Entry {entry_id}")
    } else {
        title
    };
    panel.page(&page_title, &body)
}

// ----- a draft -------------------------------------------------------------------------

struct DraftView {
    draft: Value,
    canonical: Option<Value>,
    spec: TypeSpec,
}

fn read_draft(s: &Service, draft_id: i64) -> ServiceResult<DraftView> {
    let draft = view_draft(s, draft_id)?;
    let canonical = match draft["canonicalId"].as_i64() {
        Some(id) => Some(s.get_entry(GetEntry {
            entry_id: Id(id),
            site_id: draft["siteId"].as_i64().map(Id),
        })?),
        None => None,
    };
    let spec = type_spec(s, draft["entryTypeId"].as_i64().unwrap_or_default())?;
    Ok(DraftView {
        draft,
        canonical,
        spec,
    })
}

async fn draft_page(panel: Panel, draft_id: i64) -> Response {
    let view = match panel.run(move |s| read_draft(s, draft_id)).await {
        Ok(view) => view,
        Err(error) => return panel.error_page(error),
    };
    let draft = &view.draft;
    let csrf = &panel.session.csrf;
    let version = text_of(&draft["draftVersion"]);
    let canonical_id = draft["canonicalId"].as_i64();
    let mut body = String::new();
    match canonical_id {
        Some(id) => {
            let _ = write!(
                body,
                "<p><a href=\"{}\">← {}</a></p>",
                attr(&entry_path(id)),
                esc(&view
                    .canonical
                    .as_ref()
                    .map(|c| shown(&c["title"]))
                    .filter(|t| !t.is_empty())
                    .unwrap_or_else(|| format!("entry {id}")))
            );
        }
        None => body.push_str("<p><a href=\"/cp/entries\">← Content</a></p>"),
    }
    let _ = write!(
        body,
        "<dl class=\"facts\"><dt>draft</dt><dd>{} {}</dd><dt>of</dt><dd>{}</dd><dt>by</dt><dd>{} · updated {}</dd>\
<dt>version</dt><dd>{}</dd><dt>notes</dt><dd>{}</dd></dl>",
        esc(&text_of(&draft["draftName"])),
        if draft["provisional"].as_bool().unwrap_or(false) {
            "<span class=\"badge\">provisional</span>"
        } else {
            ""
        },
        match canonical_id {
            Some(id) => format!("entry {id} · {}", esc(&view.spec.name)),
            None => format!(
                "a new {} entry (not live until applied)",
                esc(&view.spec.name)
            ),
        },
        esc(&text_of(&draft["creator"])),
        esc(&text_of(&draft["dateUpdated"])),
        esc(&version),
        esc(&shown(&draft["draftNotes"]))
    );

    // Field-by-field comparison with the live entry.
    let draft_rows = rows_of(&view.spec, draft);
    let canonical_rows = view.canonical.as_ref().map(|c| rows_of(&view.spec, c));
    let mut changed = 0;
    let rows: Vec<Vec<String>> = draft_rows
        .iter()
        .enumerate()
        .map(|(index, (handle, label, value))| {
            let live = canonical_rows
                .as_ref()
                .and_then(|rows| rows.get(index))
                .map(|(_, _, v)| v.clone());
            let differs =
                live.as_deref() != Some(value.as_str()) && !(live.is_none() && value.is_empty());
            if differs {
                changed += 1;
            }
            let mark = |text: &str, class: &str| {
                if differs {
                    format!("<span class=\"{class}\">{}</span>", esc(text))
                } else {
                    esc(text)
                }
            };
            vec![
                format!(
                    "{} <code class=\"muted\">{}</code>",
                    esc(label),
                    esc(handle)
                ),
                match &live {
                    Some(live) => mark(live, "was"),
                    None => "<span class=\"muted\">—</span>".to_string(),
                },
                mark(value, "now"),
                if differs {
                    "<span class=\"badge bad\">changed</span>".to_string()
                } else {
                    String::new()
                },
            ]
        })
        .collect();
    let _ = write!(
        body,
        "<section id=\"changes\"><h2>Changes</h2><p>{}</p>",
        match (canonical_id, changed) {
            (None, _) => "Everything here is new: applying creates the entry.".to_string(),
            (Some(_), 0) => "No differences from the live entry.".to_string(),
            (Some(_), 1) => "1 field differs from the live entry.".to_string(),
            (Some(_), n) => format!("{n} fields differ from the live entry."),
        }
    );
    body.push_str(&table(
        &["field", "live entry", "this draft", ""],
        &rows,
        "",
    ));
    let _ = write!(
        body,
        "<p>{} {}</p></section>",
        html::action_button(
            &format!("/cp/drafts/{draft_id}/apply"),
            csrf,
            &[("version", version.as_str())],
            if canonical_id.is_some() {
                "Apply"
            } else {
                "Apply (create the entry)"
            },
            "",
        ),
        html::action_button(
            &format!("/cp/drafts/{draft_id}/delete"),
            csrf,
            &[("version", version.as_str())],
            "Delete draft",
            "danger",
        )
    );

    // Edit the draft.
    let _ = write!(
        body,
        "<section id=\"edit\"><h2>Edit the draft</h2><form method=\"post\" action=\"/cp/drafts/{draft_id}/edit\" class=\"stack\">{}{}\
<label>Draft name <input name=\"draftName\" value=\"{}\"></label><label>Notes <input name=\"draftNotes\" value=\"{}\"></label>{}\
<button>Save draft</button></form></section>",
        html::csrf_field(csrf),
        html::hidden("version", &version),
        attr(&text_of(&draft["draftName"])),
        attr(&shown(&draft["draftNotes"])),
        field_inputs(&view.spec, draft)
    );
    let title = format!("Draft: {}", shown(&draft["title"]));
    panel.page(
        if title.trim_end() == "Draft:" {
            "Draft"
        } else {
            &title
        },
        &body,
    )
}

// ----- a revision ----------------------------------------------------------------------

async fn revision_page(
    panel: Panel,
    PathParams((entry_id, revision)): PathParams<(i64, i64)>,
    QueryParams(q): QueryParams<EntryQuery>,
) -> Response {
    let site_id = positive(q.site_id.as_deref());
    let result = panel
        .run(move |s| {
            let old = s.get_revision(GetRevision {
                entry_id: Id(entry_id),
                revision: Id(revision),
                site_id: site_id.map(Id),
            })?;
            let site = old["siteId"].as_i64().map(Id);
            let current = s.list_revisions(ListRevisions {
                entry_id: Id(entry_id),
                site_id: site,
                limit: Some(1),
            })?;
            let head = current["currentRevision"].as_i64().unwrap_or(revision);
            let now = s.get_revision(GetRevision {
                entry_id: Id(entry_id),
                revision: Id(head),
                site_id: site,
            })?;
            Ok((old, now))
        })
        .await;
    let (old, now) = match result {
        Ok(pair) => pair,
        Err(error) => return panel.error_page(error),
    };
    let site = text_of(&old["siteId"]);
    let mut body = format!(
        "<p><a href=\"{}\">← entry {entry_id}</a></p><dl class=\"facts\"><dt>revision</dt><dd>#{} ({}) by {} · {}</dd>\
<dt>artifact</dt><dd>{} <span class=\"badge ok\">signature verified</span></dd></dl>",
        attr(&entry_path(entry_id)),
        esc(&text_of(&old["revision"])),
        esc(&text_of(&old["action"])),
        esc(&text_of(&old["author"])),
        esc(&text_of(&old["createdAt"])),
        html::short_id(&text_of(&old["artifactId"]))
    );
    let _ = write!(
        body,
        "<h2>From revision #{} to the current #{}</h2>",
        esc(&text_of(&old["revision"])),
        esc(&text_of(&now["revision"]))
    );
    body.push_str(&html::line_diff(
        &pretty(&old["content"]),
        &pretty(&now["content"]),
    ));
    if old["revision"] != now["revision"] {
        body.push_str(&html::action_button(
            &format!("/cp/entries/{entry_id}/revert"),
            &panel.session.csrf,
            &[("revision", &text_of(&old["revision"])), ("siteId", &site)],
            "Revert to this revision",
            "",
        ));
    }
    panel.page(&format!("Revision {revision} of entry {entry_id}"), &body)
}

// ----- new entries ---------------------------------------------------------------------

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct NewQuery {
    draft_id: Option<String>,
    /// `sectionId:entryTypeId`, from the index's picker.
    r#type: Option<String>,
    section_id: Option<String>,
    entry_type_id: Option<String>,
    site_id: Option<String>,
}

impl NewQuery {
    fn section_and_type(&self) -> (Option<i64>, Option<i64>) {
        if let Some((section, entry_type)) = self.r#type.as_deref().and_then(|t| t.split_once(':'))
        {
            return (positive(Some(section)), positive(Some(entry_type)));
        }
        (
            positive(self.section_id.as_deref()),
            positive(self.entry_type_id.as_deref()),
        )
    }
}

async fn new_entry(panel: Panel, QueryParams(q): QueryParams<NewQuery>) -> Response {
    if let Some(draft_id) = positive(q.draft_id.as_deref()) {
        return draft_page(panel, draft_id).await;
    }
    let (section_id, entry_type_id) = q.section_and_type();
    let (Some(section_id), Some(entry_type_id)) = (section_id, entry_type_id) else {
        return Redirect::to("/cp/entries#new").into_response();
    };
    let site_id = positive(q.site_id.as_deref());
    let result = panel
        .run(move |s| {
            let section = first_of(
                s.get_sections(GetSections {
                    section_ids: Some(IdList(vec![Id(section_id)])),
                })?,
                "sections",
                &format!("section {section_id}"),
            )?;
            Ok((section, type_spec(s, entry_type_id)?))
        })
        .await;
    let (section, spec) = match result {
        Ok(data) => data,
        Err(error) => return panel.error_page(error),
    };
    let body = format!(
        "<p><a href=\"/cp/entries\">← Content</a></p><p>A new <strong>{}</strong> entry in <strong>{}</strong>.</p>\
<form method=\"post\" action=\"/cp/entries/new\" class=\"stack\">{}{}{}{}{}\
<p><button name=\"action\" value=\"create\">Create entry</button> \
<button name=\"action\" value=\"draft\" class=\"secondary\">Save as a draft</button></p></form>",
        esc(&spec.name),
        esc(&text_of(&section["name"])),
        html::csrf_field(&panel.session.csrf),
        html::hidden("sectionId", &section_id.to_string()),
        html::hidden("entryTypeId", &entry_type_id.to_string()),
        html::hidden(
            "siteId",
            &site_id.map(|id| id.to_string()).unwrap_or_default()
        ),
        field_inputs(&spec, &json!({"enabled": true}))
    );
    panel.page("New entry", &body)
}

fn form_id(form: &Map<String, Value>, key: &str) -> Option<i64> {
    positive(form.get(key).map(shown).as_deref())
}

async fn create(PanelForm { panel, form }: PanelForm<Map<String, Value>>) -> Response {
    let result = panel
        .run(move |s| {
            let section_id = form_id(&form, "sectionId");
            let entry_type_id = form_id(&form, "entryTypeId");
            let site_id = form_id(&form, "siteId");
            let spec = type_spec(
                s,
                entry_type_id.ok_or_else(|| ServiceError::invalid("entryTypeId is missing"))?,
            )?;
            let data = JsonObject(form_data(&spec, &form, None));
            if form.get("action").map(shown).as_deref() == Some("draft") {
                let draft = s.create_draft(CreateDraft {
                    section_id: section_id.map(Id),
                    entry_type_id: entry_type_id.map(Id),
                    site_id: site_id.map(Id),
                    attribute_and_field_data: Some(data),
                    ..Default::default()
                })?;
                Ok((text_of(&draft["message"]), local(&text_of(&draft["url"]))))
            } else {
                let section_id =
                    section_id.ok_or_else(|| ServiceError::invalid("sectionId is missing"))?;
                let entry = s.create_entry(CreateEntry {
                    section_id: Id(section_id),
                    entry_type_id: entry_type_id.map(Id),
                    site_id: site_id.map(Id),
                    attribute_and_field_data: Some(data),
                })?;
                Ok((text_of(&entry["message"]), local(&text_of(&entry["url"]))))
            }
        })
        .await;
    match result {
        Ok((message, path)) => panel.done(Ok(message), &path),
        Err(error) => panel.done(Err(error), "/cp/entries"),
    }
}

// ----- forms on entries and drafts ----------------------------------------------------

async fn edit_entry(
    PathParams(entry_id): PathParams<i64>,
    PanelForm { panel, form }: PanelForm<Map<String, Value>>,
) -> Response {
    let result = panel
        .run(move |s| {
            let site_id = form_id(&form, "siteId");
            let entry = s.get_entry(GetEntry {
                entry_id: Id(entry_id),
                site_id: site_id.map(Id),
            })?;
            let spec = type_spec(s, entry["entryTypeId"].as_i64().unwrap_or_default())?;
            let data = form_data(&spec, &form, Some(&entry));
            if data.is_empty() {
                return Ok("nothing changed".to_string());
            }
            let updated = s.update_entry(UpdateEntry {
                entry_id: Id(entry_id),
                attribute_and_field_data: JsonObject(data),
                site_id: site_id.map(Id),
            })?;
            Ok(text_of(&updated["message"]))
        })
        .await;
    panel.done(result, &entry_path(entry_id))
}

async fn new_draft(
    PathParams(entry_id): PathParams<i64>,
    PanelForm { panel, form }: PanelForm<Map<String, Value>>,
) -> Response {
    let result = panel
        .run(move |s| {
            let name = form
                .get("draftName")
                .map(shown)
                .filter(|n| !n.trim().is_empty());
            let notes = form
                .get("draftNotes")
                .map(shown)
                .filter(|n| !n.trim().is_empty());
            let draft = s.create_draft(CreateDraft {
                canonical_id: Some(Id(entry_id)),
                site_id: form_id(&form, "siteId").map(Id),
                draft_name: name,
                draft_notes: notes,
                ..Default::default()
            })?;
            Ok((text_of(&draft["message"]), local(&text_of(&draft["url"]))))
        })
        .await;
    match result {
        Ok((message, path)) => panel.done(Ok(message), &path),
        Err(error) => panel.done(Err(error), &entry_path(entry_id)),
    }
}

/// The draft version the form was rendered from: the service writes only while the draft
/// is still at it (atomically), so a stale form is refused rather than applied.
fn expected(form: &Map<String, Value>) -> Option<i64> {
    form.get("version").map(shown).and_then(|v| v.parse().ok())
}

async fn edit_draft(
    PathParams(draft_id): PathParams<i64>,
    PanelForm { panel, form }: PanelForm<Map<String, Value>>,
) -> Response {
    let result = panel
        .run(move |s| {
            let view = read_draft(s, draft_id)?;
            let back = draft_path(view.draft["canonicalId"].as_i64(), draft_id);
            let data = form_data(&view.spec, &form, Some(&view.draft));
            let name = form
                .get("draftName")
                .map(shown)
                .filter(|n| !n.trim().is_empty() && *n != text_of(&view.draft["draftName"]));
            let notes = form
                .get("draftNotes")
                .map(shown)
                .filter(|n| *n != shown(&view.draft["draftNotes"]));
            if data.is_empty() && name.is_none() && notes.is_none() {
                return Ok(("nothing changed".to_string(), back));
            }
            let updated = s.update_draft(UpdateDraft {
                draft_id: Id(draft_id),
                attribute_and_field_data: (!data.is_empty()).then_some(JsonObject(data)),
                draft_name: name,
                draft_notes: notes,
                expected_version: expected(&form),
            })?;
            Ok((text_of(&updated["message"]), back))
        })
        .await;
    match result {
        Ok((message, back)) => panel.done(Ok(message), &back),
        Err(error) => {
            let back = format!("/cp/entries/new?draftId={draft_id}");
            panel.done(Err(error), &back)
        }
    }
}

async fn apply(
    PathParams(draft_id): PathParams<i64>,
    PanelForm { panel, form }: PanelForm<Map<String, Value>>,
) -> Response {
    let result = panel
        .run(move |s| {
            let applied = s.apply_draft(ApplyDraft {
                draft_id: Id(draft_id),
                expected_version: expected(&form),
            })?;
            let path = applied["entryId"]
                .as_i64()
                .map(entry_path)
                .or_else(|| applied["url"].as_str().map(local))
                .unwrap_or_else(|| "/cp/entries".to_string());
            Ok((text_of(&applied["message"]), path))
        })
        .await;
    match result {
        Ok((message, path)) => panel.done(Ok(message), &path),
        Err(error) => panel.done(Err(error), &format!("/cp/entries/new?draftId={draft_id}")),
    }
}

async fn delete_draft(
    PathParams(draft_id): PathParams<i64>,
    PanelForm { panel, form }: PanelForm<Map<String, Value>>,
) -> Response {
    let result = panel
        .run(move |s| {
            let deleted = s.delete_draft(DeleteDraft {
                draft_id: Id(draft_id),
                expected_version: expected(&form),
            })?;
            let path = deleted["canonicalId"]
                .as_i64()
                .map(entry_path)
                .unwrap_or_else(|| "/cp/entries".to_string());
            Ok((text_of(&deleted["message"]), path))
        })
        .await;
    match result {
        Ok((message, path)) => panel.done(Ok(message), &path),
        Err(error) => panel.done(Err(error), &format!("/cp/entries/new?draftId={draft_id}")),
    }
}

async fn revert(
    PathParams(entry_id): PathParams<i64>,
    PanelForm { panel, form }: PanelForm<Map<String, Value>>,
) -> Response {
    let result = panel
        .run(move |s| {
            let revision = form_id(&form, "revision")
                .ok_or_else(|| ServiceError::invalid("revision is missing"))?;
            let reverted = s.revert_entry(RevertEntry {
                entry_id: Id(entry_id),
                revision: Id(revision),
                site_id: form_id(&form, "siteId").map(Id),
            })?;
            Ok(text_of(&reverted["message"]))
        })
        .await;
    panel.done(result, &entry_path(entry_id))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spec() -> TypeSpec {
        let field = |handle: &str, kind: &str| FieldSpec {
            handle: handle.into(),
            name: handle.into(),
            kind: kind.into(),
            required: false,
            instructions: String::new(),
            options: vec![("a".into(), "A".into()), ("b".into(), "B".into())],
        };
        TypeSpec {
            name: "Article".into(),
            has_title_field: true,
            fields: vec![
                field("body", "PlainText"),
                field("featured", "Lightswitch"),
                field("tags", "Checkboxes"),
                field("related", "Entries"),
            ],
        }
    }

    fn form(pairs: &[(&str, Value)]) -> Map<String, Value> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.clone()))
            .collect()
    }

    #[test]
    fn only_changed_fields_are_sent() {
        let current = json!({"title": "Hello", "body": "text", "featured": true, "tags": ["a"], "related": [3], "enabled": true});
        let submitted = form(&[
            ("title", json!("Hello")),
            ("f.body", json!("new text")),
            ("present.f.featured", json!("1")),
            ("f.featured", json!("on")),
            ("present.f.tags", json!("1")),
            ("f.tags", json!(["a", "b"])),
            ("f.related", json!("3")),
            ("present.enabled", json!("1")),
            ("enabled", json!("on")),
        ]);
        let data = form_data(&spec(), &submitted, Some(&current));
        assert_eq!(
            Value::Object(data),
            json!({"body": "new text", "tags": ["a", "b"]})
        );
    }

    #[test]
    fn an_unchecked_box_turns_a_field_off() {
        let current = json!({"featured": true, "enabled": true});
        let submitted = form(&[
            ("present.f.featured", json!("1")),
            ("present.enabled", json!("1")),
        ]);
        let data = form_data(&spec(), &submitted, Some(&current));
        assert_eq!(
            Value::Object(data),
            json!({"featured": false, "enabled": false})
        );
    }

    #[test]
    fn a_new_entry_sends_what_is_set() {
        let submitted = form(&[
            ("title", json!("New")),
            ("f.body", json!("")),
            ("f.related", json!("4, 5")),
            ("present.enabled", json!("1")),
            ("enabled", json!("on")),
        ]);
        let data = form_data(&spec(), &submitted, None);
        assert_eq!(
            Value::Object(data),
            json!({"title": "New", "enabled": true, "related": [4, 5]})
        );
    }

    #[test]
    fn panel_links_come_from_tool_urls() {
        assert_eq!(
            local("http://127.0.0.1:9/cp/entries/5?draftId=7"),
            "/cp/entries/5?draftId=7"
        );
        assert_eq!(local("nonsense"), "/cp/entries");
    }
}
