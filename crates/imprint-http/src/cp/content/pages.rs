//! The pages: the entries index, an entry, a draft, a revision, a new entry.

use std::fmt::Write as _;

use axum::response::{IntoResponse, Redirect, Response};
use imprint_service::api::{Id, IdList};
use imprint_service::content::{
    DraftList, EntryOrDraft, GetEntry, GetRevision, GetSections, GetSites, ListDrafts,
    ListRevisions, RevisionList, SearchContent, SearchResults, SectionList, SiteList,
};
use imprint_service::{Service, ServiceResult};
use serde::Deserialize;
use serde_json::{Value, json};

use super::forms::*;
use super::*;
use crate::cp::Panel;
use crate::cp::html::{self, attr, esc, pretty, table, text_of, url_encode};
use crate::extract::{PathParams, QueryParams};
use crate::rest::content::view_draft;

// ----- the entries index ---------------------------------------------------------------

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct IndexQuery {
    query: Option<String>,
    section_id: Option<String>,
    site_id: Option<String>,
    status: Option<String>,
}

pub(super) struct IndexView {
    sites: SiteList,
    sections: SectionList,
    results: Result<SearchResults, String>,
    drafts: DraftList,
}

pub(super) async fn index(panel: Panel, QueryParams(q): QueryParams<IndexQuery>) -> Response {
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
    // A section's or site's name for an id read from a search hit or a draft.
    // A section's or site's name for an id of a search hit or a draft.
    let section_name = |id: i64| -> String {
        view.sections
            .sections
            .iter()
            .find(|section| section.id == id)
            .map_or_else(|| id.to_string(), |section| section.name.clone())
    };
    let site_name = |id: i64| -> String {
        view.sites
            .sites
            .iter()
            .find(|site| site.id == id)
            .map_or_else(|| id.to_string(), |site| site.name.clone())
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
    id_options(
        &mut body,
        view.sections
            .sections
            .iter()
            .map(|s| (s.id, s.name.as_str())),
        section_id.map(|s| s.to_string()),
    );
    body.push_str(
        "</select></label><label>Site <select name=\"siteId\"><option value=\"\">all</option>",
    );
    id_options(
        &mut body,
        view.sites.sites.iter().map(|s| (s.id, s.name.as_str())),
        site_id.map(|s| s.to_string()),
    );
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
            let rows: Vec<Vec<String>> = results
                .results
                .iter()
                .map(|hit| {
                    vec![
                        format!(
                            "<a href=\"{}\">{}</a>",
                            attr(&local(&hit.url)),
                            esc(hit.title.as_deref().unwrap_or_default())
                        ),
                        esc(&section_name(hit.section_id)),
                        esc(&site_name(hit.site_id)),
                        status_badge(&hit.status),
                        esc(hit.post_date.as_deref().unwrap_or_default()),
                    ]
                })
                .collect();
            body.push_str(&table(
                &["title", "section", "site", "status", "posted"],
                &rows,
                &results.message,
            ));
        }
    }
    body.push_str("</section><section><h2>Drafts</h2>");
    let rows: Vec<Vec<String>> = view
        .drafts
        .drafts
        .iter()
        .map(|draft| {
            vec![
                format!(
                    "<a href=\"{}\">{}</a>",
                    attr(&local(&draft.url)),
                    esc(&draft.draft_name)
                ),
                esc(&draft.title.as_ref().map(shown).unwrap_or_default()),
                match draft.canonical_id {
                    Some(id) => format!("<a href=\"{}\">entry {id}</a>", attr(&entry_path(id))),
                    None => "<span class=\"badge\">new entry</span>".to_string(),
                },
                esc(&section_name(draft.section_id)),
                esc(&or_dash(draft.creator.as_deref())),
                esc(&draft.date_updated),
            ]
        })
        .collect();
    body.push_str(&table(
        &["draft", "title", "of", "section", "creator", "updated"],
        &rows,
        "No drafts.",
    ));
    body.push_str("</section><section><h2>New entry</h2><form method=\"get\" action=\"/cp/entries/new\" class=\"row\"><label>Section and entry type <select name=\"type\">");
    for section in &view.sections.sections {
        for entry_type in &section.entry_types {
            let _ = write!(
                body,
                "<option value=\"{}:{}\">{} / {}</option>",
                section.id,
                entry_type.id,
                esc(&section.name),
                esc(&entry_type.name)
            );
        }
    }
    body.push_str("</select></label><label>Site <select name=\"siteId\">");
    for site in &view.sites.sites {
        let _ = write!(
            body,
            "<option value=\"{}\"{}>{}</option>",
            site.id,
            if site.primary { " selected" } else { "" },
            esc(&site.name)
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

pub(super) struct EntryView {
    entry: imprint_service::content::EntryView,
    spec: TypeSpec,
    revisions: RevisionList,
    drafts: DraftList,
}

pub(super) async fn entry_page(
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
            let entry = match s.get_entry(GetEntry {
                entry_id: Id(entry_id),
                site_id: site_id.map(Id),
            })? {
                EntryOrDraft::Entry(entry) => entry,
                // A draft id in an entry URL: show the draft.
                EntryOrDraft::Draft(draft) => {
                    return Ok(Err(draft_path(draft.canonical_id, entry_id)));
                }
            };
            let entry_type_id = entry.entry_type_id;
            let site = Some(entry.site_id);
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
    let values = Value::Object(entry.attributes.clone());
    let csrf = &panel.session.csrf;
    let site = entry.site_id.to_string();
    let title = shown(&values["title"]);
    let mut body = String::from("<p><a href=\"/cp/entries\">← Content</a></p>");
    if entry.trashed {
        // Where delete_entry's restoreUrl lands.
        let _ = write!(
            body,
            "<section id=\"trashed\" class=\"notice\"><p>This entry is in the trash: it is not live and not searchable.</p>{}</section>",
            html::action_button(
                &format!("/cp/entries/{entry_id}/restore"),
                csrf,
                &[],
                "Restore",
                "primary"
            )
        );
    }
    let _ = write!(
        body,
        "<dl class=\"facts\"><dt>status</dt><dd>{}</dd>\
<dt>entry</dt><dd>{} · {} · site {}</dd><dt>revision</dt><dd>{} by {} · {}</dd><dt>uri</dt><dd><code>{}</code></dd></dl>",
        status_badge(&entry.status),
        entry.entry_id,
        esc(&view.spec.name),
        esc(&site),
        entry.revision,
        esc(&or_dash(entry.author.as_deref())),
        esc(&entry.date_updated),
        esc(&or_dash(entry.uri.as_deref()))
    );
    let rows: Vec<Vec<String>> = rows_of(&view.spec, &values)
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
    let drafts: Vec<Vec<String>> = view
        .drafts
        .drafts
        .iter()
        .map(|draft| {
            vec![
                format!(
                    "<a href=\"{}\">{}</a>",
                    attr(&local(&draft.url)),
                    esc(&draft.draft_name)
                ),
                esc(draft.draft_notes.as_deref().unwrap_or_default()),
                esc(&or_dash(draft.creator.as_deref())),
                if draft.provisional {
                    "<span class=\"badge\">provisional</span>".to_string()
                } else {
                    String::new()
                },
                esc(&draft.date_updated),
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
    let revisions: Vec<Vec<String>> = view
        .revisions
        .revisions
        .iter()
        .map(|revision| {
            let number = revision.revision.to_string();
            vec![
                format!(
                    "<a href=\"/cp/entries/{entry_id}/revisions/{}?siteId={}\">#{}</a>",
                    attr(&url_encode(&number)),
                    attr(&url_encode(&site)),
                    esc(&number)
                ),
                esc(&optional_text(&revision.action)),
                esc(&optional_text(&revision.author)),
                esc(&revision.draft_name.as_ref().map(shown).unwrap_or_default()),
                esc(&optional_text(&revision.created_at)),
                if revision.current {
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
        field_inputs(&view.spec, &values)
    );
    let page_title = if title.is_empty() {
        format!("Entry {entry_id}")
    } else {
        title
    };
    panel.page(&page_title, &body)
}

// ----- a draft -------------------------------------------------------------------------

pub(super) struct DraftView {
    pub(super) draft: imprint_service::content::DraftView,
    /// The draft's attributes and fields, as the forms read them.
    pub(super) values: Value,
    /// The live entry's attributes and fields in the draft's site.
    pub(super) canonical: Option<Value>,
    pub(super) spec: TypeSpec,
}

pub(super) fn read_draft(s: &Service, draft_id: i64) -> ServiceResult<DraftView> {
    let draft = view_draft(s, draft_id)?;
    let canonical = match draft.canonical_id {
        Some(id) => Some(
            match s.get_entry(GetEntry {
                entry_id: Id(id),
                site_id: Some(Id(draft.site_id)),
            })? {
                EntryOrDraft::Entry(entry) => Value::Object(entry.attributes),
                EntryOrDraft::Draft(other) => Value::Object(other.attributes),
            },
        ),
        None => None,
    };
    let spec = type_spec(s, draft.entry_type_id)?;
    Ok(DraftView {
        values: Value::Object(draft.attributes.clone()),
        draft,
        canonical,
        spec,
    })
}

pub(super) async fn draft_page(panel: Panel, draft_id: i64) -> Response {
    let view = match panel.run(move |s| read_draft(s, draft_id)).await {
        Ok(view) => view,
        Err(error) => return panel.error_page(error),
    };
    let draft = &view.draft;
    let csrf = &panel.session.csrf;
    let version = draft.draft_version.to_string();
    let canonical_id = draft.canonical_id;
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
        esc(&draft.draft_name),
        if draft.provisional {
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
        esc(&or_dash(draft.creator.as_deref())),
        esc(&draft.date_updated),
        esc(&version),
        esc(draft.draft_notes.as_deref().unwrap_or_default())
    );

    // Field-by-field comparison with the live entry.
    let draft_rows = rows_of(&view.spec, &view.values);
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
        attr(&draft.draft_name),
        attr(draft.draft_notes.as_deref().unwrap_or_default()),
        field_inputs(&view.spec, &view.values)
    );
    let title = format!("Draft: {}", shown(&view.values["title"]));
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

/// A metadata part of a revision as text ("-" when the revision lacks it, as `text_of`
/// shows null).
fn optional_text(value: &Option<Value>) -> String {
    value
        .as_ref()
        .map_or_else(|| text_of(&Value::Null), text_of)
}

pub(super) async fn revision_page(
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
            let site = Some(Id(old.site_id));
            let current = s.list_revisions(ListRevisions {
                entry_id: Id(entry_id),
                site_id: site,
                limit: Some(1),
            })?;
            let head = current.current_revision;
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
    let site = old.site_id.to_string();
    let mut body = format!(
        "<p><a href=\"{}\">← entry {entry_id}</a></p><dl class=\"facts\"><dt>revision</dt><dd>#{} ({}) by {} · {}</dd>\
<dt>artifact</dt><dd>{} <span class=\"badge ok\">signature verified</span></dd></dl>",
        attr(&entry_path(entry_id)),
        old.revision,
        esc(&optional_text(&old.action)),
        esc(&optional_text(&old.author)),
        esc(&optional_text(&old.created_at)),
        html::short_id(&old.artifact_id)
    );
    let _ = write!(
        body,
        "<h2>From revision #{} to the current #{}</h2>",
        old.revision, now.revision
    );
    body.push_str(&html::line_diff(
        &pretty(&Value::Object(old.content.clone())),
        &pretty(&Value::Object(now.content.clone())),
    ));
    if old.revision != now.revision {
        body.push_str(&html::action_button(
            &format!("/cp/entries/{entry_id}/revert"),
            &panel.session.csrf,
            &[("revision", &old.revision.to_string()), ("siteId", &site)],
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

pub(super) async fn new_entry(panel: Panel, QueryParams(q): QueryParams<NewQuery>) -> Response {
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
                })?
                .sections,
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
        esc(&section.name),
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

/// `<option>`s for a filter by id, the one matching `selected` marked.
fn id_options<'a>(
    body: &mut String,
    items: impl Iterator<Item = (i64, &'a str)>,
    selected: Option<String>,
) {
    for (id, name) in items {
        let id = id.to_string();
        let mark = if selected.as_deref() == Some(id.as_str()) {
            " selected"
        } else {
            ""
        };
        let _ = write!(
            body,
            "<option value=\"{}\"{mark}>{}</option>",
            attr(&id),
            esc(name)
        );
    }
}
