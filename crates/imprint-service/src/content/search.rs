//! `search_content`: full-text search over live entries, with the filters a listing needs.

use imprint_content::entry::EntryStatus;
use imprint_engine::timestamp;
use imprint_store::StoreError;
use imprint_store::content::{SearchQuery, SearchTerm};
use serde::{Deserialize, Serialize};

use super::{clamp_limit, unknown_site};
use crate::api::{Id, IdList};
use crate::error::{ServiceError, ServiceResult};
use crate::next::{Hint, NextStep, ToolWords};
use crate::{Service, now_millis};

/// `search_content`: full-text search over live entries.
#[derive(Debug, Clone, Default, Deserialize, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct SearchContent {
    /// Words to find in titles and searchable fields; all must match; "word*" matches a prefix. Empty: list the newest entries under the filters.
    pub query: Option<String>,
    /// How many results, best first (default 5, as the Craft plugin; at most 100).
    pub limit: Option<u32>,
    /// "live" (default), "pending" (post date in the future), "expired", "disabled" or "all".
    pub status: Option<String>,
    /// Only entries of these sections (omitted or empty: every section).
    pub section_ids: Option<IdList>,
    /// Only entries of this site (default: every site).
    pub site_id: Option<Id>,
}

/// A term in more entries than this is "common": results then come from the newest
/// matches, title matches first (see `SearchQuery::window`), so `search_content` costs
/// the same for a word in every entry as for a rare one.
const SEARCH_WINDOW: usize = 2_000;

/// The longest query `search_content` takes, in bytes: words to find, not documents.
pub const MAX_QUERY_BYTES: usize = 512;

/// The most distinct words one query may hold (repeated words count once): each costs
/// the backend a pass over its index entries.
pub const MAX_QUERY_WORDS: usize = 32;

/// How long one search may run before the backend stops it: one expensive query must not
/// hold a connection (and the callers queued behind it) for longer.
pub const SEARCH_TIME_LIMIT: std::time::Duration = std::time::Duration::from_secs(2);

/// One entry found by `search_content`.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SearchHitView {
    pub entry_id: i64,
    pub id: i64,
    pub title: Option<String>,
    pub slug: String,
    pub uri: Option<String>,
    pub section_id: i64,
    pub entry_type_id: i64,
    pub site_id: i64,
    pub status: String,
    pub post_date: Option<String>,
    /// Higher is better; null when listed by recency.
    pub score: Option<f64>,
    pub url: String,
}

/// The answer of `search_content`: the filters applied, then the hits.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SearchResults {
    pub query: String,
    pub status: String,
    pub section_ids: Vec<i64>,
    pub site_id: Option<i64>,
    /// "relevance" or "newest".
    pub ranking: String,
    pub results: Vec<SearchHitView>,
    pub count: usize,
    pub message: String,
    /// What can follow, as data: read one of the results.
    pub next: Hint,
}

impl Service {
    pub fn search_content(&self, request: SearchContent) -> ServiceResult<SearchResults> {
        let site_id = request.site_id.map(Id::get);
        let text = request.query.as_deref().unwrap_or_default();
        let terms = fts_terms(text)?;
        let listing = terms.is_empty();
        let status = request
            .status
            .as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .unwrap_or("live")
            .to_ascii_lowercase();
        if status != "all" {
            EntryStatus::parse(&status)?;
        }
        let section_ids = request.section_ids.unwrap_or_default().ids();
        if !section_ids.is_empty() {
            let sections = self.store().content().sections()?;
            if let Some(missing) = section_ids
                .iter()
                .find(|id| !sections.iter().any(|s| s.id == **id))
            {
                return Err(crate::content::does_not_exist(
                    &format!("sectionId {missing}"),
                    NextStep::ListSections,
                    " lists the sections",
                ));
            }
        }
        if let Some(site_id) = site_id
            && self.store().content().site(site_id)?.is_none()
        {
            return Err(unknown_site(site_id));
        }
        let now = now_millis();
        let time_limit = self.inner.search_time_limit;
        let hits = self
            .store()
            .content()
            .search(&SearchQuery {
                terms,
                site_id,
                section_ids: section_ids.clone(),
                status: status.clone(),
                now,
                limit: clamp_limit(request.limit.or(Some(5))),
                window: SEARCH_WINDOW,
                time_limit: Some(time_limit),
            })
            .map_err(|e| match e {
                StoreError::TimedOut(_) => ServiceError::invalid(format!(
                    "the search took too long and was stopped after {} ms: narrow the query (fewer or rarer words, whole words rather than short prefixes) or filter it by sectionIds or siteId, then search again",
                    time_limit.as_millis()
                )),
                e => e.into(),
            })?;
        self.check_live_rows(hits.iter().map(|hit| &hit.row))?;
        let results: Vec<SearchHitView> = hits
            .iter()
            .map(|hit| {
                let row = &hit.row;
                SearchHitView {
                    entry_id: row.entry_id,
                    id: row.entry_id,
                    title: row.title.clone(),
                    slug: row.slug.clone(),
                    uri: row.uri.clone(),
                    section_id: row.section_id,
                    entry_type_id: row.entry_type_id,
                    site_id: row.site_id,
                    status: EntryStatus::of(row.enabled, row.post_date, row.expiry_date, now)
                        .as_str()
                        .to_string(),
                    post_date: row.post_date.map(timestamp::rfc3339_millis),
                    score: hit.rank.map(|rank| -rank),
                    url: self.entry_url(row.entry_id),
                }
            })
            .collect();
        let ranking = if listing || hits.iter().any(|h| h.rank.is_none()) {
            "newest"
        } else {
            "relevance"
        };
        let (message, next) = match results.first() {
            None => (
                "no entries match: try fewer or other words, a prefix like \"summ*\", or status \"all\"".to_string(),
                Hint::default(),
            ),
            Some(first) => {
                let next = Hint::default()
                    .step(NextStep::GetEntry {
                        entry_id: first.entry_id,
                    })
                    .then(" reads one, and each url opens it in the control panel");
                (
                    format!("best matches first; {}", next.word(&ToolWords)),
                    next,
                )
            }
        };
        Ok(SearchResults {
            query: text.to_string(),
            status,
            section_ids,
            site_id,
            ranking: ranking.into(),
            count: results.len(),
            results,
            message,
            next,
        })
    }
}

/// User text into search terms: every word must match; `word*` is a prefix. None for an
/// empty query (which lists the newest entries under the filters).
fn fts_terms(text: &str) -> ServiceResult<Vec<SearchTerm>> {
    let mut terms = Vec::new();
    // SQLite's FTS5 reads a NUL as the end of the query ("unterminated string"), and other
    // control characters are never words: refuse them as the caller's mistake.
    if let Some(bad) = text.chars().find(|c| c.is_control() && !c.is_whitespace()) {
        return Err(ServiceError::invalid(format!(
            "query holds the control character U+{:04X}: search words are printable text; remove it and search again",
            u32::from(bad)
        )));
    }
    if text.trim().is_empty() {
        return Ok(terms);
    }
    if text.len() > MAX_QUERY_BYTES {
        return Err(ServiceError::invalid(format!(
            "query is {} bytes long, over the limit of {MAX_QUERY_BYTES}: search for a few distinctive words, not a passage",
            text.len()
        )));
    }
    for word in text.split_whitespace() {
        let prefix = word.ends_with('*');
        let core: String = word
            .trim_end_matches('*')
            .chars()
            .filter(|c| *c != '"')
            .collect();
        if core.chars().any(char::is_alphanumeric) {
            let term = if prefix {
                SearchTerm::prefix(core)
            } else {
                SearchTerm::word(core)
            };
            // A repeated word narrows nothing: searching for it once is the same search.
            if !terms.contains(&term) {
                terms.push(term);
            }
        }
    }
    if terms.len() > MAX_QUERY_WORDS {
        return Err(ServiceError::invalid(format!(
            "query holds {} different words, over the limit of {MAX_QUERY_WORDS}: search for a few distinctive words",
            terms.len()
        )));
    }
    if terms.is_empty() {
        return Err(ServiceError::invalid(
            "the query holds no words to search: give words to find in titles and searchable fields, e.g. \"summer recipes\", or an empty query to list the newest entries",
        ));
    }
    Ok(terms)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_query_of_thousands_of_words_is_refused_naming_the_limit() {
        let error = fts_terms(&"recipe ".repeat(4_000)).unwrap_err();
        assert!(error.to_string().contains("limit of 512"), "{error}");
    }

    #[test]
    fn repeated_words_are_searched_once() {
        let terms = fts_terms("soup soup Soup soup* soup").unwrap();
        assert_eq!(
            terms,
            vec![
                SearchTerm::word("soup"),
                SearchTerm::word("Soup"),
                SearchTerm::prefix("soup")
            ]
        );
    }

    #[test]
    fn more_distinct_words_than_the_limit_are_refused() {
        let words: Vec<String> = (0..=MAX_QUERY_WORDS).map(|n| format!("w{n}")).collect();
        let error = fts_terms(&words.join(" ")).unwrap_err();
        assert!(error.to_string().contains("limit of 32"), "{error}");
        let allowed = &words[..MAX_QUERY_WORDS];
        assert_eq!(
            fts_terms(&allowed.join(" ")).unwrap().len(),
            MAX_QUERY_WORDS
        );
    }
}

crate::next::worded!(SearchResults);
