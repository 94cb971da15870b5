//! Propagation (Craft's multi-site saves): an entry saved in one site also reaches the
//! other sites its section's `propagationMethod` names, and what reaches them is decided
//! per field by its `translationMethod` (per title by the entry type's
//! `titleTranslationMethod`). The save and every copy are one store transaction
//! ([`ContentStore::write_entry_sites`](imprint_store::ContentStore::write_entry_sites)),
//! each copy its own signed revision.
//!
//! The rule, per target site T of a save in site S:
//! - T is new for the entry: it gets the whole saved content (slug made unique in T;
//!   enabled only if the saved entry is and T's `enabledByDefault` allows).
//! - T already has the entry: a field's value (and the title) is copied when its
//!   translation key in T equals the one in S — `none`: always; `site`: never;
//!   `siteGroup`: same site group; `language`: same language; `custom`: the
//!   `translationKeyFormat` renders alike. `postDate`, `expiryDate` and the authors are
//!   the entry's, not a site's: always copied. Slug and `enabled` stay T's own.
//! - A copy that changes nothing in T is not written (no empty revision).

use imprint_content::{Content, template};
use imprint_store::content::{EntryRow, EntryWrite, SectionRow, SiteRow};
use serde_json::{Map, Value, json};

use super::Schema;
use super::entries::{LiveWrite, check_enabled_for_site, live_outcome, row_content};
use super::sections::{propagation_method, site_settings_for};
use crate::api::IdList;
use crate::error::{ServiceError, ServiceResult};
use crate::next::{Hint, NextStep};
use crate::{Service, now_millis};

/// The default of a field's `translationMethod` (Imprint's: each site its own value).
pub(crate) const FIELD_TRANSLATION_DEFAULT: &str = "site";
/// The default of an entry type's `titleTranslationMethod` (Craft's and the plugin's).
pub(crate) const TITLE_TRANSLATION_DEFAULT: &str = "site";

/// A save and the sites its copies went to.
pub(crate) struct Propagated {
    pub written: EntryWrite,
    pub sites: Vec<i64>,
}

/// Which sites share a value: sites whose keys are equal. `format` is the
/// `translationKeyFormat` of the `custom` method.
pub(crate) fn translation_key(method: &str, format: Option<&str>, site: &SiteRow) -> String {
    match method {
        "none" => String::new(),
        "siteGroup" => format!("group:{}", site.group),
        "language" => format!("language:{}", site.language.to_ascii_lowercase()),
        "custom" => {
            let rendered = template::render("translationKeyFormat", format.unwrap_or(""), &|t| {
                site_token(site, t)
            });
            // A format that cannot render keeps each site apart: nothing is overwritten.
            rendered.map_or_else(
                |_| format!("site:{}", site.id),
                |key| format!("custom:{key}"),
            )
        }
        _ => format!("site:{}", site.id),
    }
}

/// The tokens a `translationKeyFormat` may use.
pub(crate) const KEY_FORMAT_TOKENS: &[&str] = &[
    "site.id",
    "site.handle",
    "site.name",
    "site.language",
    "site.group",
];

fn site_token(site: &SiteRow, token: &str) -> Option<String> {
    match token {
        "site.id" => Some(site.id.to_string()),
        "site.handle" => Some(site.handle.clone()),
        "site.name" => Some(site.name.clone()),
        "site.language" => Some(site.language.clone()),
        "site.group" => Some(site.group.clone()),
        _ => None,
    }
}

/// Checks a `translationKeyFormat` / `titleTranslationKeyFormat`: balanced braces and
/// known tokens only.
pub(crate) fn check_key_format(what: &str, format: &str) -> ServiceResult<()> {
    for token in template::tokens(what, format)? {
        if !KEY_FORMAT_TOKENS.contains(&token.as_str()) {
            return Err(ServiceError::invalid(format!(
                "{what} \"{format}\" uses {{{token}}}, which is unknown: use {}",
                KEY_FORMAT_TOKENS
                    .iter()
                    .map(|t| format!("{{{t}}}"))
                    .collect::<Vec<_>>()
                    .join(", ")
            )));
        }
    }
    Ok(())
}

fn method_of<'a>(settings: &'a Map<String, Value>, key: &str, default: &'a str) -> &'a str {
    settings.get(key).and_then(Value::as_str).unwrap_or(default)
}

/// The content of the entry in `target` after a save in `source`: `existing`'s, with what
/// the translation methods share taken from `saved`.
fn shared_into(
    saved: &Content,
    mut existing: Content,
    schema: &Schema,
    source: &SiteRow,
    target: &SiteRow,
) -> Content {
    let same = |method: &str, format: Option<&str>| {
        translation_key(method, format, source) == translation_key(method, format, target)
    };
    for field in &schema.fields {
        let method = method_of(
            &field.settings,
            "translationMethod",
            FIELD_TRANSLATION_DEFAULT,
        );
        let format = field
            .settings
            .get("translationKeyFormat")
            .and_then(Value::as_str);
        if same(method, format) {
            match saved.fields.get(&field.id) {
                Some(value) => existing.fields.insert(field.id, value.clone()),
                None => existing.fields.remove(&field.id),
            };
        }
    }
    let settings = schema
        .entry_type
        .settings
        .as_object()
        .cloned()
        .unwrap_or_default();
    let method = method_of(
        &settings,
        "titleTranslationMethod",
        TITLE_TRANSLATION_DEFAULT,
    );
    let format = settings
        .get("titleTranslationKeyFormat")
        .and_then(Value::as_str);
    if same(method, format) {
        existing.title = saved.title.clone();
    }
    existing.post_date = saved.post_date;
    existing.expiry_date = saved.expiry_date;
    existing
}

impl Service {
    /// The sites a save in `source` reaches besides `source`, by the section's
    /// `propagationMethod`; `custom`: the sites the entry is in plus `requested`.
    pub(crate) fn propagation_targets(
        &self,
        section: &SectionRow,
        source: &SiteRow,
        existing: &[EntryRow],
        requested: &[i64],
    ) -> ServiceResult<Vec<SiteRow>> {
        let method = propagation_method(section);
        let sites = self.store().content().sites()?;
        if !requested.is_empty() && method != "custom" {
            return Err(ServiceError::invalid(format!(
                "siteIds chooses the sites of an entry only in a section with propagationMethod \"custom\"; section '{}' has \"{method}\", which decides them itself",
                section.handle
            ))
            .with_hint(
                Hint::text(": drop siteIds, or ")
                    .step(NextStep::UpdateSection)
                    .then(" propagationMethod \"custom\""),
            ));
        }
        for id in requested {
            let site = sites
                .iter()
                .find(|s| s.id == *id)
                .ok_or_else(|| super::unknown_site(*id))?;
            check_enabled_for_site(section, site)?;
        }
        let wanted = |site: &SiteRow| match method {
            "all" => true,
            "siteGroup" => site.group == source.group,
            "language" => site.language.eq_ignore_ascii_case(&source.language),
            "custom" => {
                requested.contains(&site.id) || existing.iter().any(|r| r.site_id == site.id)
            }
            _ => false,
        };
        Ok(sites
            .into_iter()
            .filter(|site| {
                site.id != source.id
                    && wanted(site)
                    && check_enabled_for_site(section, site).is_ok()
            })
            .collect())
    }

    /// Writes `write` and its copies to the sites its section's propagation reaches, in one
    /// store transaction. `Ok(None)`: another writer moved the entry, a draft or a slug
    /// meanwhile, and nothing was written; the caller re-reads and retries.
    pub(crate) fn write_propagated(
        &self,
        mut write: LiveWrite<'_>,
        requested: &[i64],
    ) -> ServiceResult<Option<Propagated>> {
        let now = now_millis();
        let existing = match write.entry_id {
            Some(entry_id) => self.store().content().entry_sites(entry_id)?,
            None => Vec::new(),
        };
        let targets = self.propagation_targets(write.section, write.site, &existing, requested)?;
        let (check, parent) = self.prepare_live(&mut write, now)?;
        let author = write
            .author
            .clone()
            .or_else(|| write.previous.and_then(|p| p.author.clone()));
        let mut extra = Map::new();
        extra.insert("propagated_from_site".into(), json!(write.site.id));
        let mut copies = Vec::new();
        for site in &targets {
            let previous = existing.iter().find(|r| r.site_id == site.id);
            let content = match previous {
                Some(row) => {
                    let before = row_content(row)?;
                    let after = shared_into(
                        &write.content,
                        before.clone(),
                        write.schema,
                        write.site,
                        site,
                    );
                    let same_author = author.is_none() || author == row.author;
                    if after == before
                        && same_author
                        && row.entry_type_id == write.schema.entry_type.id
                    {
                        continue;
                    }
                    after
                }
                None => {
                    let mut content = write.content.clone();
                    content.enabled = write.content.enabled
                        && site_settings_for(write.section, site.id)
                            .get("enabledByDefault")
                            .and_then(Value::as_bool)
                            .unwrap_or(true);
                    content
                }
            };
            copies.push(LiveWrite {
                entry_id: write.entry_id,
                site,
                section: write.section,
                schema: write.schema,
                content,
                previous,
                draft: None,
                action: "propagate",
                extra: extra.clone(),
                check_required: false,
                author: author.clone(),
            });
        }
        let mut checks = vec![check];
        let mut parents = vec![parent];
        for copy in &mut copies {
            let (check, parent) = self.prepare_live(copy, now)?;
            checks.push(check);
            parents.push(parent);
        }
        let key = self.signing_key()?;
        let writes: Vec<&LiveWrite<'_>> = std::iter::once(&write).chain(copies.iter()).collect();
        let result = self
            .store()
            .content()
            .write_entry_sites(&checks, &mut |index, entry_id| {
                self.build_write(
                    writes[index],
                    entry_id,
                    checks[index].expected_head.unwrap_or(0) + 1,
                    parents[index].clone(),
                    &key,
                    now,
                )
            });
        Ok(live_outcome(result)?.map(|mut written| {
            for each in &written {
                self.remember_head(&each.row, &each.revision.artifact_id);
            }
            let sites = written.iter().skip(1).map(|w| w.row.site_id).collect();
            Propagated {
                written: written.swap_remove(0),
                sites,
            }
        }))
    }
}

/// `siteIds` of `create_entry` / `update_entry` as plain ids.
pub(crate) fn requested_sites(site_ids: Option<&IdList>) -> Vec<i64> {
    site_ids.map(IdList::ids).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn site(id: i64, language: &str, group: &str) -> SiteRow {
        SiteRow {
            id,
            name: format!("Site {id}"),
            handle: format!("s{id}"),
            language: language.into(),
            base_url: None,
            primary: id == 1,
            created_at: 0,
            updated_at: 0,
            group: group.into(),
        }
    }

    #[test]
    fn translation_keys_group_sites_as_each_method_says() {
        let (en, us, fr) = (
            site(1, "en-GB", "a"),
            site(2, "en-gb", "b"),
            site(3, "fr", "a"),
        );
        let key = |m: &str, f: Option<&str>, s: &SiteRow| translation_key(m, f, s);
        assert_eq!(key("none", None, &en), key("none", None, &fr));
        assert_ne!(key("site", None, &en), key("site", None, &us));
        assert_eq!(key("language", None, &en), key("language", None, &us));
        assert_ne!(key("language", None, &en), key("language", None, &fr));
        assert_eq!(key("siteGroup", None, &en), key("siteGroup", None, &fr));
        assert_ne!(key("siteGroup", None, &en), key("siteGroup", None, &us));
        let format = Some("{site.group}");
        assert_eq!(key("custom", format, &en), key("custom", format, &fr));
        assert_ne!(key("custom", format, &en), key("custom", format, &us));
        // An unknown method keeps each site apart.
        assert_ne!(key("nonsense", None, &en), key("nonsense", None, &fr));
    }

    #[test]
    fn key_formats_name_known_tokens_only() {
        assert!(check_key_format("translationKeyFormat", "{site.language}-{site.group}").is_ok());
        let error = check_key_format("translationKeyFormat", "{site.country}").unwrap_err();
        assert!(
            error.message().contains("{site.handle}"),
            "{}",
            error.message()
        );
    }
}
