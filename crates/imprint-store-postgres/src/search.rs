//! Full-text search on PostgreSQL: a `tsvector` column on the narrow `entry_search` table
//! (one row per `entries` row, kept by triggers, migration 0008) with a GIN index,
//! title words weighted A and body words B, ranked by `ts_rank` so a title match
//! outranks a body match (as SQLite's bm25(10, 1) does). The algorithm (the window of
//! newest matches, then ranking) runs on the server, in the SQL function
//! `entry_search_hits` (migration 0009, replaced by 0010 and 0011; its ranges sized by
//! 0012 and covered by coarser recency blocks since 0013): one call per search.
//!
//! Words are cut the way SQLite's `unicode61 remove_diacritics` tokenizer cuts them —
//! runs of letters and digits, lowercased, accents removed — here in Rust, for both the
//! stored text and the query, so both backends find the same entries for the same terms.
//! PostgreSQL then sees only plain lowercase words (the `simple` configuration: no
//! stemming, no stop words), and queries are built from those words alone, so nothing a
//! user types can be read as tsquery syntax.

use imprint_store::content::{SearchHit, SearchQuery, SearchTerm};
use imprint_store::{StoreError, StoreResult};
use unicode_normalization::UnicodeNormalization;
use unicode_normalization::char::is_combining_mark;

use crate::content::{ENTRY_COLUMNS, entry_from_row};
use crate::{Conn, get};

/// The words of `text`: letters and digits, lowercased, without accents.
pub(crate) fn words(text: &str) -> Vec<String> {
    let folded: String = text
        .nfd()
        .filter(|c| !is_combining_mark(*c))
        .flat_map(char::to_lowercase)
        .collect();
    folded
        .split(|c: char| !c.is_alphanumeric())
        .filter(|word| !word.is_empty())
        .map(str::to_string)
        .collect()
}

/// Text for `to_tsvector('simple', …)`: the words, one space apart (positions kept, so
/// phrases match).
pub(crate) fn document_text(text: &str) -> String {
    words(text).join(" ")
}

/// A tsquery for all of `terms` (each a phrase, optionally a prefix); `weights` limits
/// every word to those weights (`"A"`: titles only). `None` if no term has a word.
fn tsquery(terms: &[SearchTerm], weights: &str) -> Option<String> {
    let parts: Vec<String> = terms
        .iter()
        .filter_map(|term| {
            let words = words(&term.text);
            let count = words.len();
            if count == 0 {
                return None;
            }
            let lexemes: Vec<String> = words
                .into_iter()
                .enumerate()
                .map(|(index, word)| {
                    // Words are letters and digits only: quoting them cannot break out.
                    let star = if term.prefix && index + 1 == count {
                        "*"
                    } else {
                        ""
                    };
                    let suffix = if star.is_empty() && weights.is_empty() {
                        String::new()
                    } else {
                        format!(":{star}{weights}")
                    };
                    format!("'{word}'{suffix}")
                })
                .collect();
            Some(format!("({})", lexemes.join(" <-> ")))
        })
        .collect();
    if parts.is_empty() {
        None
    } else {
        Some(parts.join(" & "))
    }
}

/// One search in one call of `entry_search_hits` (migration 0009), which runs the same
/// algorithm as the SQLite backend's search on the server: a term in more than
/// `window` entries is served from its `window` newest matches (found in growing ranges of
/// the newest row ids, through their recency blocks' lexemes), title matches first; other
/// queries are ranked by `ts_rank` over all their matches. Every statement reads the
/// narrow `entry_search` rows (migration 0008); only the hits are read from `entries`.
/// One call instead of a statement per step: on a busy host each round trip cost more
/// than the statements. The call goes out between `begin` and `COMMIT` in one round trip
/// ([`Conn::query_between`]).
fn search(c: &mut Conn, query: &SearchQuery, begin: &str) -> StoreResult<Vec<SearchHit>> {
    let (expression, in_titles) = if query.terms.is_empty() {
        (None, None)
    } else {
        let Some(expression) = tsquery(&query.terms, "") else {
            return Ok(Vec::new());
        };
        (Some(expression), tsquery(&query.terms, "A"))
    };
    // Each term's own query: one of them in `window` entries also makes the search common.
    let singles: Vec<String> = if query.terms.len() > 1 {
        query
            .terms
            .iter()
            .filter_map(|term| tsquery(std::slice::from_ref(term), ""))
            .collect()
    } else {
        Vec::new()
    };
    let window = i32::try_from(query.window).unwrap_or(i32::MAX);
    let limit = i32::try_from(query.limit).unwrap_or(i32::MAX);
    let sections = (!query.section_ids.is_empty()).then(|| query.section_ids.clone());
    let sql = format!(
        "SELECT {ENTRY_COLUMNS}, h.rank
         FROM entry_search_hits($1, $2, $3, $4, $5, $6, $7, $8, $9) WITH ORDINALITY h(hit, rank, n)
         JOIN entries e ON e.row_id = h.hit ORDER BY h.n"
    );
    c.query_between(
        begin,
        &sql,
        &[
            &expression,
            &in_titles,
            &singles,
            &window,
            &limit,
            &query.site_id,
            &sections,
            &query.status,
            &query.now,
        ],
        "COMMIT",
    )?
    .iter()
    .map(|row| {
        Ok(SearchHit {
            row: entry_from_row(row)?,
            rank: get(row, 16)?,
        })
    })
    .collect()
}

/// The same algorithm as the SQLite backend's search, on PostgreSQL's index.
/// [`search`] in a read-only transaction whose statements PostgreSQL stops at the query's
/// time limit (`SET LOCAL statement_timeout`, gone with the transaction), so one expensive
/// search cannot hold a pooled connection for long. A zero limit never starts.
pub(crate) fn search_within_limit(
    c: &mut Conn,
    query: &SearchQuery,
) -> StoreResult<Vec<SearchHit>> {
    if query.time_limit.is_some_and(|limit| limit.is_zero()) {
        return Err(StoreError::TimedOut(
            "the search had no time left to run".into(),
        ));
    }
    // One snapshot for the search's statements (the newest row id and the window's floor
    // hold for all of them); planned for the words given (a generic plan of a prepared
    // search knows nothing of how frequent they are), and never JIT-compiled: compiling
    // costs more than a search.
    let mut settings = "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY; SET LOCAL jit = off; \
                        SET LOCAL plan_cache_mode = force_custom_plan"
        .to_string();
    if let Some(limit) = query.time_limit {
        // 0 would mean "no timeout": the smallest real one is 1 ms.
        let millis = limit.as_millis().clamp(1, i32::MAX as u128);
        settings.push_str(&format!("; SET LOCAL statement_timeout = {millis}"));
    }
    search(c, query, &settings)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_are_cut_like_sqlites_unicode61() {
        assert_eq!(
            words("Crème brûlée, e-mail 42!"),
            ["creme", "brulee", "e", "mail", "42"]
        );
        assert!(words("!!! ...").is_empty());
    }

    #[test]
    fn queries_hold_only_quoted_words() {
        let terms = [SearchTerm::word("it's & | !"), SearchTerm::prefix("Ott")];
        assert_eq!(tsquery(&terms, "").unwrap(), "('it' <-> 's') & ('ott':*)");
        assert_eq!(
            tsquery(&[SearchTerm::word("heron")], "A").unwrap(),
            "('heron':A)"
        );
        assert!(tsquery(&[SearchTerm::word("!!")], "").is_none());
    }
}
