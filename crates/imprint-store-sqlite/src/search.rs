//! FTS5 search: every statement of one search on one connection, under one deadline.

use imprint_store::StoreResult;
use imprint_store::content::{SearchHit, SearchQuery, SearchTerm};
use rusqlite::types::Value as SqlValue;
use rusqlite::{OptionalExtension, params, params_from_iter};

use crate::content::{ENTRY_COLUMNS, entry_from_row};
use crate::map_error;

/// One search's statements, all on one connection and under one deadline.
pub(crate) struct Searcher<'c> {
    pub(crate) connection: &'c rusqlite::Connection,
    pub(crate) deadline: Option<std::time::Instant>,
}

impl Searcher<'_> {
    /// The row id of the `n`th newest match of an FTS5 expression, if it has that many:
    /// FTS5 walks the index newest-first and stops there.
    fn nth_newest_match(&self, expression: &str, n: usize) -> StoreResult<Option<i64>> {
        crate::connections::before(self.deadline)?;
        let offset = i64::try_from(n.saturating_sub(1)).unwrap_or(i64::MAX);
        self.connection
            .prepare_cached(
                "SELECT rowid FROM entries_search WHERE entries_search MATCH ?1
                 ORDER BY rowid DESC LIMIT 1 OFFSET ?2",
            )
            .and_then(|mut statement| {
                statement
                    .query_row(params![expression, offset], |row| row.get::<_, i64>(0))
                    .optional()
            })
            .map_err(map_error)
    }

    /// Filtered matches of `expression` (only among row ids >= `floor` when given, and
    /// not of the `exclude`d entries), by bm25 rank when `ranked`, else newest first.
    fn search_from(
        &self,
        query: &SearchQuery,
        expression: Option<&str>,
        floor: Option<i64>,
        ranked: bool,
        exclude: &[i64],
    ) -> StoreResult<Vec<SearchHit>> {
        // Without an expression this lists entries, newest first, under the same filters.
        let mut values: Vec<SqlValue> = Vec::new();
        let mut sql = match expression {
            Some(expression) => {
                values.push(SqlValue::Text(expression.to_string()));
                format!(
                    "SELECT {ENTRY_COLUMNS}, s.rank FROM entries_search s JOIN entries e ON e.row_id = s.rowid
             WHERE entries_search MATCH ?1 AND e.deleted_at IS NULL"
                )
            }
            None => {
                format!("SELECT {ENTRY_COLUMNS}, NULL FROM entries e WHERE e.deleted_at IS NULL")
            }
        };
        if !ranked && expression.is_some() {
            sql = sql.replace("s.rank FROM", "NULL FROM");
        }
        let bind = |value: SqlValue, values: &mut Vec<SqlValue>| {
            values.push(value);
            format!("?{}", values.len())
        };
        if let Some(floor) = floor {
            let p = bind(SqlValue::Integer(floor), &mut values);
            sql.push_str(&format!(" AND s.rowid >= {p}"));
        }
        if let Some(site_id) = query.site_id {
            let p = bind(SqlValue::Integer(site_id), &mut values);
            sql.push_str(&format!(" AND e.site_id = {p}"));
        }
        if !query.section_ids.is_empty() {
            let placeholders: Vec<String> = query
                .section_ids
                .iter()
                .map(|id| bind(SqlValue::Integer(*id), &mut values))
                .collect();
            sql.push_str(&format!(
                " AND e.section_id IN ({})",
                placeholders.join(", ")
            ));
        }
        if !exclude.is_empty() {
            let placeholders: Vec<String> = exclude
                .iter()
                .map(|id| bind(SqlValue::Integer(*id), &mut values))
                .collect();
            sql.push_str(&format!(
                " AND e.entry_id NOT IN ({})",
                placeholders.join(", ")
            ));
        }
        let now = bind(SqlValue::Integer(query.now), &mut values);
        let condition = match query.status.as_str() {
            "live" => format!(
                "e.enabled = 1 AND e.post_date <= {now} AND (e.expiry_date IS NULL OR e.expiry_date > {now})"
            ),
            "pending" => format!(
                "e.enabled = 1 AND (e.post_date IS NULL OR e.post_date > {now}) AND (e.expiry_date IS NULL OR e.expiry_date > {now})"
            ),
            "expired" => format!("e.enabled = 1 AND e.expiry_date <= {now}"),
            "disabled" => format!("e.enabled = 0 AND {now} = {now}"),
            _ => format!("{now} = {now}"),
        };
        sql.push_str(&format!(" AND {condition}"));
        let limit = bind(
            SqlValue::Integer(i64::try_from(query.limit).unwrap_or(i64::MAX)),
            &mut values,
        );
        let order = match (expression, ranked) {
            (None, _) => "e.row_id DESC",
            (Some(_), true) => "s.rank",
            (Some(_), false) => "s.rowid DESC",
        };
        sql.push_str(&format!(" ORDER BY {order} LIMIT {limit}"));
        crate::connections::before(self.deadline)?;
        let c = self.connection;
        c.prepare_cached(&sql)
            .and_then(|mut statement| {
                statement
                    .query_map(params_from_iter(values.iter()), |row| {
                        Ok(SearchHit {
                            row: entry_from_row(row)?,
                            rank: row.get(16)?,
                        })
                    })?
                    .collect()
            })
            .map_err(map_error)
    }

    /// Every term must match; when some term is in more than `window` entries, results come
    /// from the newest matches, title matches first (see `SearchQuery::window`).
    pub(crate) fn search(&self, query: &SearchQuery) -> StoreResult<Vec<SearchHit>> {
        if query.terms.is_empty() {
            return self.search_from(query, None, None, false, &[]);
        }
        let phrases: Vec<String> = query.terms.iter().map(fts_phrase).collect();
        let expression = phrases.join(" ");
        let window = query.window;
        let common = window > 0
            && phrases
                .iter()
                .map(|phrase| self.nth_newest_match(phrase, window))
                .collect::<StoreResult<Vec<_>>>()?
                .iter()
                .any(Option::is_some);
        if !common {
            return self.search_from(query, Some(&expression), None, true, &[]);
        }
        // Some term is everywhere: rank the newest matches, title matches first.
        let floor = self.nth_newest_match(&expression, window)?;
        let in_titles = format!("{{title}} : ({expression})");
        let mut hits = self.search_from(query, Some(&in_titles), floor, false, &[])?;
        let mut seen: Vec<i64> = hits.iter().map(|h| h.row.entry_id).collect();
        if hits.len() < query.limit {
            hits.extend(self.search_from(query, Some(&expression), floor, false, &seen)?);
        }
        if hits.len() < query.limit && floor.is_some() {
            // The filters kept too few of the newest matches: look further back.
            seen = hits.iter().map(|h| h.row.entry_id).collect();
            hits.extend(self.search_from(query, Some(&expression), None, false, &seen)?);
        }
        hits.truncate(query.limit);
        Ok(hits)
    }
}

/// Debug builds only: `IMPRINT_TEST_SLOW_SEARCH_MS` makes every search hold its
/// connection that long first, so tests can show other requests are answered meanwhile.
pub(crate) fn test_knob_slow_search() {
    #[cfg(debug_assertions)]
    if let Some(ms) = std::env::var("IMPRINT_TEST_SLOW_SEARCH_MS")
        .ok()
        .and_then(|v| v.parse::<u64>().ok())
    {
        std::thread::sleep(std::time::Duration::from_millis(ms));
    }
}

/// A plain search term as an FTS5 phrase: quoted (so FTS5 operators in it are just
/// words), `*` after it for a prefix.
fn fts_phrase(term: &SearchTerm) -> String {
    let quoted = term.text.replace('"', "\"\"");
    if term.prefix {
        format!("\"{quoted}\"*")
    } else {
        format!("\"{quoted}\"")
    }
}
