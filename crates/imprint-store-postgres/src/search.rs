//! Full-text search on PostgreSQL: a `tsvector` column on the narrow `entry_search` table
//! (one row per `entries` row, kept by triggers, migration 0008) with a GIN index,
//! title words weighted A and body words B, ranked by `ts_rank` so a title match
//! outranks a body match (as SQLite's bm25(10, 1) does).
//!
//! Words are cut the way SQLite's `unicode61 remove_diacritics` tokenizer cuts them —
//! runs of letters and digits, lowercased, accents removed — here in Rust, for both the
//! stored text and the query, so both backends find the same entries for the same terms.
//! PostgreSQL then sees only plain lowercase words (the `simple` configuration: no
//! stemming, no stop words), and queries are built from those words alone, so nothing a
//! user types can be read as tsquery syntax.

use imprint_store::content::{SearchHit, SearchQuery, SearchTerm};
use imprint_store::{StoreError, StoreResult};
use tokio_postgres::types::ToSql;
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

/// Row ids per recency block: each row's vector holds the lexeme `~r{row_id / BLOCK}`
/// (migration 0007), which no search word can be (words are letters and digits).
const BLOCK: i64 = 4096;

/// `query` for rows with ids from `lower` to `top` only: ANDed with the lexemes of their
/// blocks, the GIN index reads those blocks' part of each word's index entry instead of
/// all of it (the exact bounds are checked on the rows as `row_id` conditions).
fn in_blocks(query: &str, lower: i64, top: i64) -> String {
    let blocks: Vec<String> = (lower.max(0) / BLOCK..=top / BLOCK)
        .map(|block| format!("'~r{block}'"))
        .collect();
    format!("({query}) & ({})", blocks.join(" | "))
}

/// The newest row id, the top of every recency range; `None` for an empty table.
fn newest_row(c: &mut Conn) -> StoreResult<Option<i64>> {
    get(&c.one("SELECT max(row_id) FROM entry_search", &[])?, 0)
}

/// The row id of the `n`th newest match of `query`, if it has that many.
///
/// A GIN index knows which rows match but not in which order, so `ORDER BY row_id DESC
/// OFFSET n` reads every match of the query (or, as the planner often chose, walks the
/// primary key backwards testing every row): both grow with the table. Instead the newest
/// rows are searched in growing ranges of row ids (their blocks' lexemes in the query),
/// each sized from the matches the last one found, so a search reads about `n` matches
/// and their blocks' index entries whatever the entry count. A query whose density in
/// the range just read says it has fewer than about `n` matches in the whole table goes
/// straight to the whole table: its matches are few, and the ranges between would each
/// read them again.
fn nth_newest_match(c: &mut Conn, query: &str, n: usize, top: i64) -> StoreResult<Option<i64>> {
    let wanted = i64::try_from(n.max(1)).unwrap_or(i64::MAX);
    let mut span = wanted.saturating_mul(5) / 4;
    loop {
        let lower = top.saturating_sub(span);
        let rows = if lower <= 0 {
            // `row_id + 0`: not the key's order, so never a walk over the whole key.
            c.query(
                "SELECT row_id FROM entry_search WHERE search @@ $1::text::tsquery
                 ORDER BY row_id + 0 DESC LIMIT $2",
                &[&query, &wanted],
            )?
        } else {
            // `row_id + 0` here too: with stale statistics the planner walked the key
            // backwards over most of the range (seconds at 1,000,000 entries).
            c.query(
                "SELECT row_id FROM entry_search WHERE search @@ $1::text::tsquery AND row_id > $3
                 ORDER BY row_id + 0 DESC LIMIT $2",
                &[&in_blocks(query, lower + 1, top), &wanted, &lower],
            )?
        };
        if rows.len() as i64 == wanted {
            return rows.last().map(|row| get(row, 0)).transpose();
        }
        if lower <= 0 {
            return Ok(None);
        }
        // Aim for the range that holds `n` matches at the density just seen, with room.
        let found = rows.len() as i64;
        let expected = (found.max(1) as f64) * (top as f64) / (span as f64);
        span = if expected < 2.0 * wanted as f64 {
            top
        } else if found == 0 {
            span.saturating_mul(8)
        } else {
            (span.saturating_mul(wanted) / found)
                .saturating_mul(5)
                .max(span.saturating_mul(5))
                / 4
        };
    }
}

/// Conditions on the search row `s` for the query's filters (deleted entries never
/// match), their values bound through `bind`.
fn filters(
    query: &SearchQuery,
    bind: &mut dyn FnMut(Box<dyn ToSql + Sync>) -> String,
) -> Vec<String> {
    let mut conditions = vec!["s.deleted_at IS NULL".to_string()];
    if let Some(site_id) = query.site_id {
        let p = bind(Box::new(site_id));
        conditions.push(format!("s.site_id = {p}"));
    }
    if !query.section_ids.is_empty() {
        let p = bind(Box::new(query.section_ids.clone()));
        conditions.push(format!("s.section_id = ANY({p})"));
    }
    let status = match query.status.as_str() {
        "live" => {
            let now = bind(Box::new(query.now));
            format!(
                "s.enabled AND s.post_date <= {now} AND (s.expiry_date IS NULL OR s.expiry_date > {now})"
            )
        }
        "pending" => {
            let now = bind(Box::new(query.now));
            format!(
                "s.enabled AND (s.post_date IS NULL OR s.post_date > {now}) AND (s.expiry_date IS NULL OR s.expiry_date > {now})"
            )
        }
        "expired" => {
            let now = bind(Box::new(query.now));
            format!("s.enabled AND s.expiry_date <= {now}")
        }
        "disabled" => "NOT s.enabled".to_string(),
        _ => "TRUE".to_string(),
    };
    conditions.push(status);
    conditions
}

/// The hits of `sql`, whose rows are the entry columns and the rank.
fn hits(c: &mut Conn, sql: &str, values: &[Box<dyn ToSql + Sync>]) -> StoreResult<Vec<SearchHit>> {
    let params: Vec<&(dyn ToSql + Sync)> = values.iter().map(|v| v.as_ref()).collect();
    c.query(sql, &params)?
        .iter()
        .map(|row| {
            Ok(SearchHit {
                row: entry_from_row(row)?,
                rank: get(row, 16)?,
            })
        })
        .collect()
}

/// Filtered matches of `tsquery` (not of the `exclude`d entries), by rank when `ranked`,
/// else newest first; everything filtered, newest first, without words. The matches are
/// chosen and ranked on the narrow `entry_search` rows; only the `limit` chosen are read
/// from `entries`.
fn search_from(
    c: &mut Conn,
    query: &SearchQuery,
    tsquery: Option<&str>,
    ranked: bool,
    exclude: &[i64],
) -> StoreResult<Vec<SearchHit>> {
    let mut values: Vec<Box<dyn ToSql + Sync>> = Vec::new();
    let mut bind = |value: Box<dyn ToSql + Sync>| {
        values.push(value);
        format!("${}", values.len())
    };
    let mut conditions = filters(query, &mut bind);
    let mut rank = "NULL::FLOAT8".to_string();
    if let Some(tsquery) = tsquery {
        let p = bind(Box::new(tsquery.to_string()));
        conditions.push(format!("s.search @@ {p}::text::tsquery"));
        if ranked {
            // Weights are {D, C, B, A}: a title word counts ten times a body word. Negated
            // so that, as with bm25, lower is better.
            rank =
                format!("(-ts_rank('{{0, 0, 0.1, 1.0}}', s.search, {p}::text::tsquery))::FLOAT8");
        }
    }
    if !exclude.is_empty() {
        let p = bind(Box::new(exclude.to_vec()));
        conditions.push(format!("NOT (s.entry_id = ANY({p}))"));
    }
    let limit = bind(Box::new(i64::try_from(query.limit).unwrap_or(i64::MAX)));
    // With words, `row_id + 0` is not the key's order: matches come from the GIN index as
    // bitmaps, never from walking the primary key backwards testing every row (the
    // planner's pick when it expects many matches, and a pass over the whole table when
    // they are few or only in titles).
    let (order, outer) = match (tsquery.is_some(), ranked) {
        (true, true) => ("2, s.row_id DESC", "m.rank, m.row_id DESC"),
        (true, false) => ("s.row_id + 0 DESC", "m.row_id DESC"),
        (false, _) => ("s.row_id DESC", "m.row_id DESC"),
    };
    let sql = format!(
        "SELECT {ENTRY_COLUMNS}, m.rank FROM
           (SELECT s.row_id, {rank} AS rank FROM entry_search s WHERE {}
            ORDER BY {order} LIMIT {limit}) m
         JOIN entries e ON e.row_id = m.row_id ORDER BY {outer}",
        conditions.join(" AND ")
    );
    hits(c, &sql, &values)
}

/// The window's answer in one statement: the filtered matches of `in_titles` among the
/// row ids from `floor` to `top`, newest first, then, if they are fewer than the limit,
/// the other entries' matches of `expression` in the same rows, newest first.
fn search_window(
    c: &mut Conn,
    query: &SearchQuery,
    (in_titles, expression): (&str, &str),
    (floor, top): (i64, i64),
) -> StoreResult<Vec<SearchHit>> {
    let mut values: Vec<Box<dyn ToSql + Sync>> = Vec::new();
    let mut bind = |value: Box<dyn ToSql + Sync>| {
        values.push(value);
        format!("${}", values.len())
    };
    let mut conditions = filters(query, &mut bind);
    let floor_p = bind(Box::new(floor));
    conditions.push(format!("s.row_id >= {floor_p}"));
    let shared = conditions.join(" AND ");
    let titles = bind(Box::new(in_blocks(in_titles, floor, top)));
    let all = bind(Box::new(in_blocks(expression, floor, top)));
    let limit = bind(Box::new(i64::try_from(query.limit).unwrap_or(i64::MAX)));
    // `r` runs only when the titles left room (a one-time filter), and never returns an
    // entry `t` returned, in any site (as two statements excluding `t`'s entries did).
    let sql = format!(
        "WITH t AS MATERIALIZED (
             SELECT s.row_id, s.entry_id FROM entry_search s
             WHERE {shared} AND s.search @@ {titles}::text::tsquery
             ORDER BY s.row_id + 0 DESC LIMIT {limit}),
         r AS (
             SELECT s.row_id FROM entry_search s
             WHERE {shared} AND s.search @@ {all}::text::tsquery
               AND (SELECT count(*) FROM t) < {limit}
               AND NOT (s.entry_id = ANY(ARRAY(SELECT entry_id FROM t)))
             ORDER BY s.row_id + 0 DESC LIMIT {limit})
         SELECT {ENTRY_COLUMNS}, NULL::FLOAT8 FROM
           (SELECT row_id, 0 AS part FROM t UNION ALL SELECT row_id, 1 FROM r) m
         JOIN entries e ON e.row_id = m.row_id ORDER BY m.part, m.row_id DESC LIMIT {limit}"
    );
    hits(c, &sql, &values)
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
    c.batch(&settings)?;
    let result = search(c, query);
    let end = if result.is_ok() { "COMMIT" } else { "ROLLBACK" };
    if let Err(error) = c.batch(end) {
        // A connection in an unknown transaction state never goes back to the pool.
        c.discard();
        if result.is_ok() {
            return Err(error);
        }
    }
    result
}

pub(crate) fn search(c: &mut Conn, query: &SearchQuery) -> StoreResult<Vec<SearchHit>> {
    if query.terms.is_empty() {
        return search_from(c, query, None, false, &[]);
    }
    let Some(expression) = tsquery(&query.terms, "") else {
        return Ok(Vec::new());
    };
    let Some(top) = newest_row(c)? else {
        return Ok(Vec::new());
    };
    let window = query.window;
    if window == 0 {
        return search_from(c, query, Some(&expression), true, &[]);
    }
    // The whole query in `window` entries already makes it common, and gives the floor;
    // otherwise one of its terms may still be (each test reads about `window` rows).
    let floor = nth_newest_match(c, &expression, window, top)?;
    let mut common = floor.is_some();
    if !common && query.terms.len() > 1 {
        for term in &query.terms {
            if let Some(single) = tsquery(std::slice::from_ref(term), "")
                && nth_newest_match(c, &single, window, top)?.is_some()
            {
                common = true;
                break;
            }
        }
    }
    if !common {
        return search_from(c, query, Some(&expression), true, &[]);
    }
    // Some term is everywhere: rank the newest matches, title matches first.
    let in_titles = tsquery(&query.terms, "A")
        .ok_or_else(|| StoreError::Other("a search term lost its words".into()))?;
    let mut hits = match floor {
        Some(floor) => search_window(c, query, (&in_titles, &expression), (floor, top))?,
        // Fewer matches than the window: all of them are the newest, titles first.
        None => {
            let mut hits = search_from(c, query, Some(&in_titles), false, &[])?;
            if hits.len() < query.limit {
                let seen: Vec<i64> = hits.iter().map(|h| h.row.entry_id).collect();
                hits.extend(search_from(c, query, Some(&expression), false, &seen)?);
            }
            hits
        }
    };
    if hits.len() < query.limit && floor.is_some() {
        // The filters kept too few of the newest matches: look further back.
        let seen: Vec<i64> = hits.iter().map(|h| h.row.entry_id).collect();
        hits.extend(search_from(c, query, Some(&expression), false, &seen)?);
    }
    hits.truncate(query.limit);
    Ok(hits)
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
