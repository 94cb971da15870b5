//! The structure pages the content tools' `editUrl`s open: a section (its settings per
//! site and entry types), an entry type (its settings and field layout, tab by tab) and
//! a field (its type, settings and the layouts placing it). Read-only: the tools, REST
//! and the CLI change structure.

use axum::response::Response;
use imprint_service::api::{Id, IdList};
use imprint_service::content::{
    GetEntryTypes, GetFieldLayout, GetFields, GetSections, SectionView,
};
use serde_json::Value;

use super::first_of;
use crate::cp::Panel;
use crate::cp::html::{esc, pretty, table, text_of};
use crate::extract::PathParams;

fn facts(pairs: &[(&str, String)]) -> String {
    let mut html = String::from("<dl class=\"facts\">");
    for (name, value) in pairs {
        html.push_str(&format!("<dt>{}</dt><dd>{}</dd>", esc(name), esc(value)));
    }
    html.push_str("</dl>");
    html
}

pub(super) async fn section_page(
    panel: Panel,
    PathParams(section_id): PathParams<i64>,
) -> Response {
    let found = panel
        .run(move |s| {
            let list = s.get_sections(GetSections {
                section_ids: Some(IdList(vec![Id(section_id)])),
            })?;
            first_of(list.sections, &format!("section {section_id}"))
        })
        .await;
    let section: SectionView = match found {
        Ok(section) => section,
        Err(error) => return panel.error_page(error),
    };
    let mut body = String::from("<p><a href=\"/cp/entries\">← Content</a></p>");
    body.push_str(&facts(&[
        ("section", format!("{} · {}", section.id, section.handle)),
        ("type", section.kind.clone()),
        ("propagation", section.propagation_method.clone()),
        ("max authors", section.max_authors.to_string()),
        ("default placement", section.default_placement.clone()),
    ]));
    let types: Vec<Vec<String>> = section
        .entry_types
        .iter()
        .map(|t| {
            vec![
                format!("<a href=\"/cp/entry-types/{}\">{}</a>", t.id, esc(&t.name)),
                esc(&t.handle),
            ]
        })
        .collect();
    body.push_str("<h2>Entry types</h2>");
    body.push_str(&table(&["name", "handle"], &types, "no entry types"));
    let sites: Vec<Vec<String>> = section
        .site_settings
        .iter()
        .map(|site| {
            [
                "siteId",
                "enabled",
                "enabledByDefault",
                "hasUrls",
                "uriFormat",
                "template",
            ]
            .iter()
            .map(|key| esc(&text_of(site.get(*key).unwrap_or(&Value::Null))))
            .collect()
        })
        .collect();
    body.push_str("<h2>Sites</h2>");
    body.push_str(&table(
        &[
            "site",
            "enabled",
            "enabled by default",
            "has URLs",
            "URI format",
            "template",
        ],
        &sites,
        "no sites",
    ));
    body.push_str(&format!(
        "<p><a href=\"/cp/entries?sectionId={}\">Entries of this section</a></p>",
        section.id
    ));
    panel.page(&format!("Section: {}", section.name), &body)
}

pub(super) async fn entry_type_page(
    panel: Panel,
    PathParams(entry_type_id): PathParams<i64>,
) -> Response {
    let found = panel
        .run(move |s| {
            let list = s.get_entry_types(GetEntryTypes {
                entry_type_ids: Some(IdList(vec![Id(entry_type_id)])),
            })?;
            let entry_type = first_of(list.entry_types, &format!("entry type {entry_type_id}"))?;
            let layout = s.get_field_layout(GetFieldLayout {
                field_layout_id: Id(entry_type.field_layout_id),
            })?;
            Ok((entry_type, layout))
        })
        .await;
    let (entry_type, layout) = match found {
        Ok(found) => found,
        Err(error) => return panel.error_page(error),
    };
    let mut body = String::from("<p><a href=\"/cp/entries\">← Content</a></p>");
    body.push_str(&facts(&[
        (
            "entry type",
            format!("{} · {}", entry_type.id, entry_type.handle),
        ),
        ("title field", entry_type.has_title_field.to_string()),
        (
            "title format",
            entry_type
                .title_format
                .clone()
                .unwrap_or_else(|| "-".into()),
        ),
        (
            "title translation",
            entry_type.title_translation_method.clone(),
        ),
        ("slug field shown", entry_type.show_slug_field.to_string()),
        (
            "status field shown",
            entry_type.show_status_field.to_string(),
        ),
        ("field layout", entry_type.field_layout_id.to_string()),
    ]));
    for tab in layout.field_layout.tabs.as_array().into_iter().flatten() {
        body.push_str(&format!("<h2>{}</h2>", esc(&text_of(&tab["name"]))));
        let rows: Vec<Vec<String>> = tab["elements"]
            .as_array()
            .into_iter()
            .flatten()
            .map(|element| {
                let label = match element["fieldId"].as_i64() {
                    Some(id) => format!(
                        "<a href=\"/cp/fields/{id}\">{}</a>",
                        esc(&text_of(&element["fieldName"]))
                    ),
                    None => esc(&text_of(&element["attribute"])),
                };
                vec![
                    label,
                    esc(&text_of(&element["type"])),
                    esc(&text_of(&element["required"])),
                    esc(&text_of(&element["width"])),
                ]
            })
            .collect();
        body.push_str(&table(
            &["element", "type", "required", "width"],
            &rows,
            "empty tab",
        ));
    }
    let used: Vec<Vec<String>> = entry_type
        .section_ids
        .iter()
        .map(|id| vec![format!("<a href=\"/cp/sections/{id}\">section {id}</a>")])
        .collect();
    body.push_str("<h2>Used by</h2>");
    body.push_str(&table(&["section"], &used, "no section lists it"));
    panel.page(&format!("Entry type: {}", entry_type.name), &body)
}

pub(super) async fn field_page(panel: Panel, PathParams(field_id): PathParams<i64>) -> Response {
    let found = panel
        .run(move |s| {
            let all = s.get_fields(GetFields::default())?;
            let field = first_of(
                all.fields
                    .into_iter()
                    .filter(|f| f.id == field_id)
                    .collect(),
                &format!("field {field_id}"),
            )?;
            let types = s.get_entry_types(GetEntryTypes::default())?;
            let placing: Vec<(i64, String)> = types
                .entry_types
                .into_iter()
                .filter(|t| t.fields.iter().any(|f| f.field_id == field_id))
                .map(|t| (t.id, t.name))
                .collect();
            Ok((field, placing))
        })
        .await;
    let (field, placing) = match found {
        Ok(found) => found,
        Err(error) => return panel.error_page(error),
    };
    let mut body = String::from("<p><a href=\"/cp/entries\">← Content</a></p>");
    body.push_str(&facts(&[
        ("field", format!("{} · {}", field.id, field.handle)),
        ("type", field.field_type.clone()),
        ("translation", field.translation_method.clone()),
        ("searchable", field.searchable.to_string()),
        (
            "instructions",
            field.instructions.clone().unwrap_or_else(|| "-".into()),
        ),
    ]));
    body.push_str("<h2>Settings</h2>");
    body.push_str(&format!("<pre>{}</pre>", esc(&pretty(&field.settings))));
    let rows: Vec<Vec<String>> = placing
        .iter()
        .map(|(id, name)| {
            vec![format!(
                "<a href=\"/cp/entry-types/{id}\">{}</a>",
                esc(name)
            )]
        })
        .collect();
    body.push_str("<h2>Placed in</h2>");
    body.push_str(&table(
        &["entry type"],
        &rows,
        "no entry type's layout places it",
    ));
    panel.page(&format!("Field: {}", field.name), &body)
}
