-- Frozen: migrations are append-only. Change the schema with a new numbered file.
-- The window's ranges (0009) at 1,000,000 entries, measured with EXPLAIN ANALYZE:
--
-- * A range as its own scan key. `search @@ (q & (block | block …))` is one GIN key whose
--   rarest entries are the blocks (4,096 rows each), so GIN visited every row id of the
--   range and evaluated the whole OR for each (two common words over 100,000 rows: 36 ms).
--   `search @@ q AND search @@ (block | block …)` are two keys that GIN intersects by
--   skipping each to the other's next item: the cost follows q's rarest word inside the
--   range, not the range (the same search: 8 ms). Each candidate still passes every block
--   of the range, so very wide ranges (more than sqrt(20 · n · newest row id) rows:
--   200,000 at 1M) read the rest of the table instead (a range of 153 blocks: 63 ms, the
--   table: 34 ms).
-- * Ranges read once. A range that held fewer than `n` matches is not read again: the
--   next range starts below it and asks only for the matches still missing.
-- * Prefixes walk the newest rows by key. A prefix's GIN scan first reads every matching
--   word's whole entry into a bitmap ("partial match": 8 ms for a prefix in 26,000 rows,
--   29 ms for one in 144,000), in every statement, whatever the range. While the range
--   the density asks for is small (span² ≤ n · newest row id: 44,700 rows at 1M and a
--   window of 2,000), its rows are read newest first by key and tested one by one
--   (`ts_match_vq`, about 0.4 µs a row), stopping at the last match needed; sparser
--   prefixes pay the bitmap once, in one two-key statement.
--
-- * All matches when there are fewer than `n`. Such a query's matches were all read to
--   learn that; they are now returned (not NULL), and when another term makes the search
--   common they are its window, read by key like a full window instead of again through
--   GIN (a title query's weights made GIN recheck every match: 8.7 ms for 1,900, by key
--   1.2 ms, as the read stops at the last hit needed).
--
-- The rows found are the same (the newest `n` matches, or all when the table has fewer),
-- so no answer changes.

-- The row ids from `lower` to `top` as their recency blocks' lexemes (0007), ORed: a
-- tsquery for the range, to be given as its own condition beside the search's.
CREATE OR REPLACE FUNCTION entry_search_range(lower BIGINT, top BIGINT) RETURNS TEXT
LANGUAGE sql IMMUTABLE AS $$
    SELECT string_agg(format('''~r%s''', b), ' | ')
    FROM generate_series(greatest(lower, 0) / 4096, top / 4096) b
$$;

-- The row ids of the `n` newest matches of `q`, newest first; all of them when it has fewer.
CREATE OR REPLACE FUNCTION entry_search_newest(q TEXT, n INT, top BIGINT) RETURNS BIGINT[]
LANGUAGE plpgsql STABLE SET plan_cache_mode = force_custom_plan AS $$
DECLARE
    -- Rows from the newest back, and the part of them not read yet (`lower`, `upper`].
    span BIGINT := n::BIGINT * 5 / 4;
    upper BIGINT := top;
    lower BIGINT;
    found BIGINT := 0;
    more BIGINT;
    part BIGINT[];
    ids BIGINT[] := '{}';
    -- search.rs writes a prefix as 'word':* (or 'word':*A); words hold no quotes or colons.
    prefix BOOLEAN := strpos(q, ':*') > 0;
BEGIN
    LOOP
        lower := top - span;
        -- `row_id + 0`: never the key's order or range, except in the walk. The newest
        -- rows are past the statistics' histogram, so the planner took a range as nearly
        -- empty and tested every row of it by key (97,000 rows, 290 ms for a prefix).
        IF lower <= 0 OR span::FLOAT8 * span > 20.0 * n * top THEN
            SELECT count(*), array_agg(m.row_id) INTO more, part FROM (
                SELECT s.row_id FROM entry_search s
                WHERE s.search @@ q::tsquery AND s.row_id + 0 <= upper
                ORDER BY s.row_id + 0 DESC LIMIT n - found) m;
            RETURN CASE WHEN more > 0 THEN ids || part ELSE ids END;
        END IF;
        IF prefix AND span::FLOAT8 * span <= n::FLOAT8 * top THEN
            -- Here the key's order is the point: the walk stops at the last match needed.
            SELECT count(*), array_agg(m.row_id) INTO more, part FROM (
                SELECT s.row_id FROM entry_search s
                WHERE s.row_id > lower AND s.row_id <= upper AND ts_match_vq(s.search, q::tsquery)
                ORDER BY s.row_id DESC LIMIT n - found) m;
        ELSE
            SELECT count(*), array_agg(m.row_id) INTO more, part FROM (
                SELECT s.row_id FROM entry_search s
                WHERE s.search @@ q::tsquery AND s.search @@ entry_search_range(lower + 1, upper)::tsquery
                  AND s.row_id + 0 > lower AND s.row_id + 0 <= upper
                ORDER BY s.row_id + 0 DESC LIMIT n - found) m;
        END IF;
        IF more > 0 THEN
            found := found + more;
            ids := ids || part;
        END IF;
        IF found = n THEN
            RETURN ids;
        END IF;
        upper := lower;
        -- The density so far sizes the next span (from the newest row); one that says the
        -- whole table holds fewer than about 2n matches reads the rest of the table (the
        -- matches are few, and all are needed if there are fewer than n).
        IF greatest(found, 1)::FLOAT8 * top / span < 2.0 * n THEN
            span := top;
        ELSIF found = 0 THEN
            span := span * 8;
        ELSE
            span := greatest(span * n / found * 5, span * 5) / 4;
        END IF;
    END LOOP;
END
$$;

-- One search's hits in order (row ids, with the rank when ranked): the same algorithm as
-- SQLite's search (imprint-store-sqlite/src/search.rs). `expression` NULL: everything the
-- filters keep, newest first. `singles`: each term's own query, when there are several.
CREATE OR REPLACE FUNCTION entry_search_hits(
    expression TEXT, in_titles TEXT, singles TEXT[], win INT, lim INT,
    site BIGINT, sections BIGINT[], status TEXT, now_ms BIGINT)
RETURNS TABLE (hit BIGINT, rank FLOAT8)
LANGUAGE plpgsql STABLE SET jit = off AS $$
DECLARE
    kept TEXT;
    top BIGINT;
    newest BIGINT[];
    common BOOLEAN := FALSE;
    single TEXT;
    seen BIGINT[] := '{}';
    r RECORD;
BEGIN
    -- The filters; EXECUTE plans each statement for its values (the word's frequency).
    kept := 's.deleted_at IS NULL'
        || CASE WHEN site IS NOT NULL THEN ' AND s.site_id = $1' ELSE '' END
        || CASE WHEN sections IS NOT NULL THEN ' AND s.section_id = ANY($2)' ELSE '' END
        || CASE status
            WHEN 'live' THEN ' AND s.enabled AND s.post_date <= $3 AND (s.expiry_date IS NULL OR s.expiry_date > $3)'
            WHEN 'pending' THEN ' AND s.enabled AND (s.post_date IS NULL OR s.post_date > $3) AND (s.expiry_date IS NULL OR s.expiry_date > $3)'
            WHEN 'expired' THEN ' AND s.enabled AND s.expiry_date <= $3'
            WHEN 'disabled' THEN ' AND NOT s.enabled'
            ELSE '' END;
    IF expression IS NULL THEN
        RETURN QUERY EXECUTE format(
            'SELECT s.row_id, NULL::FLOAT8 FROM entry_search s WHERE %s ORDER BY s.row_id DESC LIMIT $4', kept)
            USING site, sections, now_ms, lim;
        RETURN;
    END IF;
    SELECT max(s.row_id) INTO top FROM entry_search s;
    IF top IS NULL THEN
        RETURN;
    END IF;
    IF win > 0 THEN
        -- The whole query in `win` entries makes it common and gives the floor; otherwise
        -- `newest` holds all its matches, and one of its terms may still be common.
        newest := entry_search_newest(expression, win, top);
        common := coalesce(cardinality(newest), 0) = win;
        IF NOT common AND cardinality(singles) > 1 THEN
            FOREACH single IN ARRAY singles LOOP
                IF cardinality(entry_search_newest(single, win, top)) = win THEN
                    common := TRUE;
                    EXIT;
                END IF;
            END LOOP;
        END IF;
    END IF;
    IF NOT common THEN
        -- Weights are {D, C, B, A}: a title word counts ten times a body word. Negated so
        -- that, as with bm25, lower is better. Every match is ranked: through GIN, whose
        -- bitmap reads them in table order (by key, 1,300 of them took 3 times as long).
        RETURN QUERY EXECUTE format(
            'SELECT s.row_id, (-ts_rank(''{0, 0, 0.1, 1.0}'', s.search, $4::tsquery))::FLOAT8
             FROM entry_search s WHERE %s AND s.search @@ $4::tsquery
             ORDER BY 2, s.row_id DESC LIMIT $5', kept)
            USING site, sections, now_ms, expression, lim;
        RETURN;
    END IF;
    -- Some term is everywhere: the window is `newest` (the expression's newest `win`
    -- matches, or all of its matches when only a single term is common), title matches
    -- first, then the other entries' matches; then, if the filters kept too few, further
    -- back. The window's rows are read by key, not found again through GIN (a prefix's
    -- partial match costs tens of ms per statement; a title query's weights, a recheck
    -- of every match).
    FOR r IN EXECUTE format(
        -- ts_match_vq is @@ that no index serves: each window row is tested, by key.
        'SELECT s.row_id, s.entry_id FROM entry_search s
         WHERE %s AND s.row_id = ANY($6) AND ts_match_vq(s.search, $4::tsquery)
         ORDER BY s.row_id DESC LIMIT $5', kept)
        USING site, sections, now_ms, in_titles, lim, newest
    LOOP
        hit := r.row_id;
        rank := NULL;
        RETURN NEXT;
        seen := seen || r.entry_id;
    END LOOP;
    IF cardinality(seen) < lim THEN
        FOR r IN EXECUTE format(
            'SELECT s.row_id, s.entry_id FROM entry_search s
             WHERE %s AND s.row_id = ANY($6) AND NOT (s.entry_id = ANY($7))
             ORDER BY s.row_id DESC LIMIT $5', kept)
            USING site, sections, now_ms, expression, lim - cardinality(seen), newest, seen
        LOOP
            hit := r.row_id;
            rank := NULL;
            RETURN NEXT;
            seen := seen || r.entry_id;
        END LOOP;
    END IF;
    -- Older matches exist only beyond a full window.
    IF cardinality(seen) < lim AND cardinality(newest) = win THEN
        RETURN QUERY EXECUTE format(
            'SELECT s.row_id, NULL::FLOAT8 FROM entry_search s
             WHERE %s AND s.search @@ $4::tsquery AND NOT (s.entry_id = ANY($6))
             ORDER BY s.row_id + 0 DESC LIMIT $5', kept)
            USING site, sections, now_ms, expression, lim - cardinality(seen), seen;
    END IF;
END
$$;

-- Only 0009's entry_search_newest called it.
DROP FUNCTION IF EXISTS entry_search_blocks(TEXT, BIGINT, BIGINT);
