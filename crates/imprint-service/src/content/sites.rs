//! Sites: `get_sites`, `create_site`, `update_site`.

use imprint_content::slug;
use imprint_store::content::SiteRow;
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use super::{handle_taken, required_text, structure_conflict, unknown_site};
use crate::api::{Flag, Id};
use crate::error::{ServiceError, ServiceResult};
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

fn site_json(site: &SiteRow) -> Value {
    json!({
        "id": site.id,
        "siteId": site.id,
        "name": site.name,
        "handle": site.handle,
        "language": site.language,
        "url": site.base_url,
        "baseUrl": site.base_url,
        "primary": site.primary,
    })
}

impl Service {
    pub fn get_sites(&self, _request: GetSites) -> ServiceResult<Value> {
        let sites: Vec<Value> = self
            .store()
            .content()
            .sites()?
            .iter()
            .map(site_json)
            .collect();
        Ok(json!({"sites": sites, "count": sites.len()}))
    }

    pub fn create_site(&self, input: CreateSite) -> ServiceResult<Value> {
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
        let sites = self.store().content().sites()?;
        if let Some(taken) = sites.iter().find(|s| s.handle == handle) {
            return Err(handle_taken("site", &handle, taken.id, "get_sites"));
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
        };
        row.id = self
            .store()
            .content()
            .insert_site(&row)
            .map_err(|e| structure_conflict(e, "site", &handle))?;
        let mut result = site_json(&row);
        result["message"] = json!(format!(
            "created site '{}' (siteId {}); pass siteId {} to create_entry or create_draft to write content for it",
            row.handle, row.id, row.id
        ));
        Ok(result)
    }

    pub fn update_site(&self, input: UpdateSite) -> ServiceResult<Value> {
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
                return Err(handle_taken("site", &handle, taken.id, "get_sites"));
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
        match input.primary.map(|p| p.0) {
            Some(true) => row.primary = true,
            Some(false) if row.primary => {
                return Err(ServiceError::invalid(format!(
                    "site {site_id} is the primary site and exactly one site is primary: make another site primary instead (update_site with primary: true on it)"
                )));
            }
            _ => {}
        }
        row.updated_at = now_millis();
        let handle = row.handle.clone();
        self.store()
            .content()
            .update_site(&row)
            .map_err(|e| structure_conflict(e, "site", &handle))?;
        let mut result = site_json(&row);
        result["message"] = json!(format!("updated site '{}'", row.handle));
        Ok(result)
    }
}
