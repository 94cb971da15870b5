-- Frozen: migrations are append-only. Change the schema with a new numbered file.
-- How far back the window's next range reaches (issue 10, 1,000,000 entries). A search
-- reads the newest matches in ranges of row ids, each sized by the density seen so far;
-- what a bitmap scan costs is the heap rows it reads (2–3.5 µs each here) plus the GIN
-- entries of the range's recency blocks (about 18 ns a row id). 0011 read more than it
-- needed in three ways, found by timing the bench's 1,050 queries server-side:
--
-- * Steps sized from a few matches. A word whose newest rows hold it less often than the
--   rest (18 in the newest 2,500, 1.6 % of the table) jumped to 347,000 rows at once, and
--   a sample of 9 matches said "the rest of the table holds fewer than 2n" for a pair in
--   12,441 rows: the whole table was read (12,000–16,000 heap rows, 50–100 ms). A range
--   now grows at most eightfold, and the rest of the table is read on a small sample only
--   when it clearly holds few matches.
-- * Steps sized for all `n` matches, not the ones still missing: a last range meant for
--   146 rows reached for 646.
-- * The rest-of-table rule compared the whole span read so far with sqrt(k · n · top); a
--   last step for a few missing matches crossed it and read every match of the word. It
--   now weighs the next range's own width against the matches still missing.
-- * A prefix given to GIN as its words (0011) no longer walks the newest rows by key (one
--   heap row per row id, 17,000 of them for 120 matches); only a prefix left as a partial
--   match (more than 100 words) still does.
--
-- The rows found are the same (the newest `n` matches), so no answer changes: the bench's
-- 1,050 queries gave the same hits in the same order from 0011's functions and these.

-- The span (rows back from the newest, `top`) to have read after the next range, given
-- `found` matches in the `span` read so far; `top` itself means "read the rest of the
-- table". `partial`: a prefix GIN reads as a partial match, whose every statement costs
-- the prefix's whole index entry (and which the window walks by key, each walked row a
-- heap row): its ranges grow as fast as the density says, in as few steps as it takes.
CREATE FUNCTION entry_search_next_span(span BIGINT, found BIGINT, n INT, top BIGINT,
                                       partial BOOLEAN) RETURNS BIGINT
LANGUAGE sql IMMUTABLE AS $$
    SELECT CASE
        -- Few matches below, by the density so far: read them all. On fewer than 32
        -- matches only when that is clear (under half of what is still missing) or the next
        -- step would reach the end anyway; otherwise the next step is a better sample.
        WHEN rest < 2.0 * missing AND (found >= 32 OR rest < 0.5 * missing OR span * 8 >= top)
            THEN top
        WHEN found < 32 AND rest < 2.0 * missing THEN span * 8
        WHEN found = 0 THEN span * 8
        WHEN partial THEN span + missing * span * 5 / (found * 4)
        ELSE least(span + missing * span * 5 / (found * 4), span * 8)
    END
    FROM (SELECT n - found AS missing,
                 greatest(found, 1)::FLOAT8 * (top - span) / span AS rest) m
$$;

-- 0011's, with the next range from entry_search_next_span and the rest of the table read
-- when the next range alone is wider than sqrt(k · missing · top).
CREATE OR REPLACE FUNCTION entry_search_has(q TEXT, n INT, top BIGINT) RETURNS BOOLEAN
LANGUAGE plpgsql STABLE SET plan_cache_mode = force_custom_plan AS $$
DECLARE
    span BIGINT := n::BIGINT * 5 / 4;
    upper BIGINT := top;
    lower BIGINT;
    found BIGINT := 0;
    more BIGINT;
    prefix BOOLEAN := strpos(q, ':*') > 0;
    found_by TEXT := entry_search_expand(q);
    partial BOOLEAN := strpos(found_by, ':*') > 0;
    wide FLOAT8 := CASE WHEN NOT prefix AND (strpos(q, '&') > 0 OR strpos(q, '<->') > 0)
                        THEN 160.0 ELSE 20.0 END;
BEGIN
    LOOP
        lower := top - span;
        IF lower <= 0
           OR (upper - lower)::FLOAT8 * (upper - lower) > wide * (n - found) * top THEN
            SELECT count(*) INTO more FROM (
                SELECT 1 FROM entry_search s
                WHERE s.search @@ found_by::tsquery AND s.row_id + 0 <= upper
                LIMIT n - found) m;
            RETURN found + more = n;
        END IF;
        SELECT count(*) INTO more FROM (
            SELECT 1 FROM entry_search s
            WHERE s.search @@ found_by::tsquery
              AND s.search @@ entry_search_range(lower + 1, upper)::tsquery
              AND s.row_id + 0 > lower AND s.row_id + 0 <= upper
            LIMIT n - found) m;
        found := found + more;
        IF found = n THEN
            RETURN TRUE;
        END IF;
        upper := lower;
        span := entry_search_next_span(span, found, n, top, partial);
    END LOOP;
END
$$;

-- 0011's, with the next range from entry_search_next_span, the rest of the table read when
-- the next range alone is wider than sqrt(k · missing · top), and the walk by key kept for
-- prefixes GIN reads as a partial match.
CREATE OR REPLACE FUNCTION entry_search_window(q TEXT, titles TEXT, n INT, top BIGINT,
                                               OUT ids BIGINT[], OUT titled BIGINT[])
LANGUAGE plpgsql STABLE SET plan_cache_mode = force_custom_plan AS $$
DECLARE
    -- Rows from the newest back, and the part of them not read yet (`lower`, `upper`].
    span BIGINT := n::BIGINT * 5 / 4;
    upper BIGINT := top;
    lower BIGINT;
    found BIGINT := 0;
    more BIGINT;
    part BIGINT[];
    part_titled BIGINT[];
    -- search.rs writes a prefix as 'word':* (or 'word':*A); words hold no quotes or colons.
    prefix BOOLEAN := strpos(q, ':*') > 0;
    -- `q` as GIN reads it best.
    found_by TEXT := entry_search_expand(q);
    -- A prefix with too many words to expand: GIN reads it as a partial match.
    partial BOOLEAN := strpos(found_by, ':*') > 0;
    -- k below: 160 for several words (search.rs joins terms with & and phrase words with <->).
    wide FLOAT8 := CASE WHEN NOT prefix AND (strpos(q, '&') > 0 OR strpos(q, '<->') > 0)
                        THEN 160.0 ELSE 20.0 END;
BEGIN
    ids := '{}';
    titled := '{}';
    LOOP
        lower := top - span;
        -- `row_id + 0`: never the key's order or range, except in the walk. The newest
        -- rows are past the statistics' histogram, so the planner took a range as nearly
        -- empty and tested every row of it by key (97,000 rows, 290 ms for a prefix).
        IF lower <= 0
           OR (upper - lower)::FLOAT8 * (upper - lower) > wide * (n - found) * top THEN
            SELECT count(*), array_agg(m.row_id),
                   array_agg(m.row_id) FILTER (WHERE m.titled)
            INTO more, part, part_titled FROM (
                SELECT s.row_id, ts_match_vq(s.search, titles::tsquery) AS titled FROM entry_search s
                WHERE s.search @@ found_by::tsquery AND s.row_id + 0 <= upper
                ORDER BY s.row_id + 0 DESC LIMIT n - found) m;
            IF more > 0 THEN
                ids := ids || part;
                titled := titled || coalesce(part_titled, '{}');
            END IF;
            RETURN;
        END IF;
        IF partial AND span::FLOAT8 * span <= n::FLOAT8 * top THEN
            -- Here the key's order is the point: the walk stops at the last match needed.
            SELECT count(*), array_agg(m.row_id),
                   array_agg(m.row_id) FILTER (WHERE m.titled)
            INTO more, part, part_titled FROM (
                SELECT s.row_id, ts_match_vq(s.search, titles::tsquery) AS titled FROM entry_search s
                WHERE s.row_id > lower AND s.row_id <= upper AND ts_match_vq(s.search, q::tsquery)
                ORDER BY s.row_id DESC LIMIT n - found) m;
        ELSE
            SELECT count(*), array_agg(m.row_id),
                   array_agg(m.row_id) FILTER (WHERE m.titled)
            INTO more, part, part_titled FROM (
                SELECT s.row_id, ts_match_vq(s.search, titles::tsquery) AS titled FROM entry_search s
                WHERE s.search @@ found_by::tsquery
                  AND s.search @@ entry_search_range(lower + 1, upper)::tsquery
                  AND s.row_id + 0 > lower AND s.row_id + 0 <= upper
                ORDER BY s.row_id + 0 DESC LIMIT n - found) m;
        END IF;
        IF more > 0 THEN
            found := found + more;
            ids := ids || part;
            titled := titled || coalesce(part_titled, '{}');
        END IF;
        IF found = n THEN
            RETURN;
        END IF;
        upper := lower;
        span := entry_search_next_span(span, found, n, top, partial);
    END LOOP;
END
$$;
