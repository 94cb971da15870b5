//! Sites: `get_sites`, `create_site`, `update_site`.

use imprint_content::slug;
use imprint_store::content::SiteRow;
use serde::{Deserialize, Serialize};

use super::{handle_taken, required_text, structure_conflict, unknown_site};
use crate::api::{Flag, Id};
use crate::error::{ServiceError, ServiceResult};
use crate::next::{Hint, NextStep, ToolWords};
use crate::{Service, now_millis};

/// `get_sites`: every site. Takes no parameters.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct GetSites {}

impl schemars::JsonSchema for GetSites {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "GetSites".into()
    }

    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        super::no_parameters()
    }
}

/// `create_site`: a new site (e.g. a language version).
#[derive(Debug, Clone, Default, Deserialize, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct CreateSite {
    /// Display name, e.g. "French".
    pub name: String,
    /// Handle: a letter, then letters, digits or '_' (default: derived from the name).
    pub handle: Option<String>,
    /// Language tag, e.g. "fr-FR" (default "en-US").
    pub language: Option<String>,
    /// The site's base URL, e.g. "https://example.com/fr/".
    pub base_url: Option<String>,
    /// Make this the primary site (exactly one site is primary; the previous one stops being it).
    pub primary: Option<Flag>,
    /// The site group, by name (default "default"): propagationMethod "siteGroup" and translationMethod "siteGroup" act on the sites of one group.
    pub group: Option<String>,
}

/// `update_site`: only the parameters given change.
#[derive(Debug, Clone, Deserialize, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct UpdateSite {
    /// The site to change (get_sites lists them).
    pub site_id: Id,
    /// Display name, e.g. "French".
    pub name: Option<String>,
    /// Handle: a letter, then letters, digits or '_'.
    pub handle: Option<String>,
    /// Language tag, e.g. "fr-FR".
    pub language: Option<String>,
    /// The site's base URL, e.g. "https://example.com/fr/" (empty string or null clears it).
    #[serde(default, deserialize_with = "null_as_empty")]
    pub base_url: Option<String>,
    /// Make this the primary site (exactly one site is primary; the previous one stops being it).
    pub primary: Option<Flag>,
    /// The site group, by name: propagationMethod "siteGroup" and translationMethod "siteGroup" act on the sites of one group.
    pub group: Option<String>,
}

/// A site group's name: a letter or digit, then letters, digits, '-', '_' or spaces (≤ 64).
fn check_group(group: &str) -> ServiceResult<String> {
    let group = group.trim();
    let ok = !group.is_empty()
        && group.len() <= 64
        && group.chars().next().is_some_and(char::is_alphanumeric)
        && group
            .chars()
            .all(|c| c.is_alphanumeric() || matches!(c, '-' | '_' | ' '));
    if ok {
        Ok(group.to_string())
    } else {
        Err(ServiceError::invalid(format!(
            "group \"{group}\" is not a site group name: use letters, digits, '-', '_' or spaces, e.g. \"europe\""
        )))
    }
}

/// An explicit `null` clears, like an empty string (absent keeps the value).
fn null_as_empty<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    Option::<String>::deserialize(d).map(|v| Some(v.unwrap_or_default()))
}

fn check_language(language: &str) -> ServiceResult<()> {
    let mut parts = language.split(['-', '_']);
    let primary_ok = parts
        .next()
        .is_some_and(|p| (2..=3).contains(&p.len()) && p.chars().all(|c| c.is_ascii_alphabetic()));
    let rest_ok =
        parts.all(|p| (2..=8).contains(&p.len()) && p.chars().all(|c| c.is_ascii_alphanumeric()));
    if primary_ok && rest_ok {
        Ok(())
    } else {
        Err(ServiceError::invalid(format!(
            "language \"{language}\" is not a language tag: use one like \"en-US\", \"de\" or \"fr-CA\""
        )))
    }
}

fn check_base_url(url: &str) -> ServiceResult<()> {
    let ok = (url.starts_with("https://") || url.starts_with("http://") || url.starts_with('/'))
        && !url.contains(char::is_whitespace);
    if ok {
        Ok(())
    } else {
        Err(ServiceError::invalid(format!(
            "baseUrl \"{url}\" must be an http(s) URL like \"https://example.com/\" (or a path like \"/fr/\")"
        )))
    }
}

/// A site as every site operation shows it (`id` and `siteId`, `url` and `baseUrl` are
/// the same values under the names the Craft plugin and Imprint each use).
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SiteView {
    pub id: i64,
    pub site_id: i64,
    pub name: String,
    pub handle: String,
    pub language: String,
    pub url: Option<String>,
    pub base_url: Option<String>,
    pub primary: bool,
    /// The site group's name.
    pub group: String,
}

impl From<&SiteRow> for SiteView {
    fn from(site: &SiteRow) -> Self {
        SiteView {
            id: site.id,
            site_id: site.id,
            name: site.name.clone(),
            handle: site.handle.clone(),
            language: site.language.clone(),
            url: site.base_url.clone(),
            base_url: site.base_url.clone(),
            primary: site.primary,
            group: site.group.clone(),
        }
    }
}

/// The answer of `get_sites`.
#[derive(Debug, Clone, Serialize)]
pub struct SiteList {
    pub sites: Vec<SiteView>,
    pub count: usize,
}

/// The answer of `create_site` and `update_site`: the site, then what happened.
#[derive(Debug, Clone, Serialize)]
pub struct SiteSaved {
    #[serde(flatten)]
    pub site: SiteView,
    pub message: String,
    /// What can follow, as data (the end of `message`, in tool names there).
    #[serde(skip_serializing_if = "Hint::is_empty")]
    pub next: Hint,
}

impl Service {
    pub fn get_sites(&self, _request: GetSites) -> ServiceResult<SiteList> {
        let sites: Vec<SiteView> = self
            .store()
            .content()
            .sites()?
            .iter()
            .map(SiteView::from)
            .collect();
        Ok(SiteList {
            count: sites.len(),
            sites,
        })
    }

    pub fn create_site(&self, input: CreateSite) -> ServiceResult<SiteSaved> {
        let name = required_text("name", Some(&input.name), "\"French\"")?;
        let handle = input
            .handle
            .filter(|h| !h.is_empty())
            .unwrap_or_else(|| slug::handle_from_name(&name));
        slug::check_handle("handle", &handle)?;
        let language = input
            .language
            .filter(|l| !l.is_empty())
            .unwrap_or_else(|| "en-US".into());
        check_language(&language)?;
        let base_url = input.base_url.filter(|u| !u.is_empty());
        if let Some(url) = &base_url {
            check_base_url(url)?;
        }
        let group = match input.group.as_deref() {
            Some(group) => check_group(group)?,
            None => "default".to_string(),
        };
        let sites = self.store().content().sites()?;
        if let Some(taken) = sites.iter().find(|s| s.handle == handle) {
            return Err(handle_taken("site", &handle, taken.id, NextStep::ListSites));
        }
        let now = now_millis();
        let mut row = SiteRow {
            id: 0,
            name,
            handle: handle.clone(),
            language,
            base_url,
            primary: input.primary.is_some_and(|p| p.0),
            created_at: now,
            updated_at: now,
            group,
        };
        row.id = self
            .store()
            .content()
            .insert_site(&row)
            .map_err(|e| structure_conflict(e, "site", &handle))?;
        let next = Hint::text(" to ")
            .step(NextStep::CreateEntry)
            .then(" or ")
            .step(NextStep::CreateDraft { canonical_id: None })
            .then(" to write content for it");
        Ok(SiteSaved {
            site: SiteView::from(&row),
            message: format!(
                "created site '{}' (siteId {}); pass siteId {}{}",
                row.handle,
                row.id,
                row.id,
                next.word(&ToolWords)
            ),
            next,
        })
    }

    pub fn update_site(&self, input: UpdateSite) -> ServiceResult<SiteSaved> {
        let site_id = input.site_id.get();
        let sites = self.store().content().sites()?;
        let mut row = sites
            .iter()
            .find(|s| s.id == site_id)
            .cloned()
            .ok_or_else(|| unknown_site(site_id))?;
        if let Some(name) = input.name.filter(|n| !n.trim().is_empty()) {
            row.name = name.trim().to_string();
        }
        if let Some(handle) = input.handle.filter(|h| !h.is_empty()) {
            slug::check_handle("handle", &handle)?;
            if let Some(taken) = sites.iter().find(|s| s.handle == handle && s.id != site_id) {
                return Err(handle_taken("site", &handle, taken.id, NextStep::ListSites));
            }
            row.handle = handle;
        }
        if let Some(language) = input.language.filter(|l| !l.is_empty()) {
            check_language(&language)?;
            row.language = language;
        }
        if let Some(base_url) = input.base_url {
            let base_url = Some(base_url).filter(|u| !u.is_empty());
            if let Some(url) = &base_url {
                check_base_url(url)?;
            }
            row.base_url = base_url;
        }
        if let Some(group) = input.group.as_deref() {
            row.group = check_group(group)?;
        }
        match input.primary.map(|p| p.0) {
            Some(true) => row.primary = true,
            Some(false) if row.primary => {
                return Err(ServiceError::invalid(format!(
                    "site {site_id} is the primary site and exactly one site is primary"
                ))
                .with_hint(
                    Hint::text(": make another site primary instead (")
                        .either(
                            "update_site with primary: true on it",
                            Hint::default().step(NextStep::MakeSitePrimary),
                        )
                        .then(")"),
                ));
            }
            _ => {}
        }
        row.updated_at = now_millis();
        let handle = row.handle.clone();
        self.store()
            .content()
            .update_site(&row)
            .map_err(|e| structure_conflict(e, "site", &handle))?;
        Ok(SiteSaved {
            site: SiteView::from(&row),
            message: format!("updated site '{}'", row.handle),
            next: Hint::default(),
        })
    }
}

crate::next::worded!(SiteSaved);
