-- Frozen: migrations are append-only. Change the schema with a new numbered file.
-- The window's ranges (0009) at 1,000,000 entries, measured with EXPLAIN ANALYZE:
--
-- * A range as its own scan key. `search @@ (q & (block | block …))` is one GIN key whose
--   rarest entries are the blocks (4,096 rows each), so GIN visited every row id of the
--   range and evaluated the whole OR for each (two common words over 100,000 rows: 36 ms).
--   `search @@ q AND search @@ (block | block …)` are two keys that GIN intersects by
--   skipping each to the other's next item: the cost follows q's rarest word inside the
--   range, not the range (the same search: 8 ms). The whole-table jump for wide ranges
--   (0009: blocks cost more than the table's own matches) no longer pays and is gone.
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
-- The rows found are the same (the newest `n` matches, or NULL when the table has fewer),
-- so no answer changes.

-- The row ids from `lower` to `top` as their recency blocks' lexemes (0007), ORed: a
-- tsquery for the range, to be given as its own condition beside the search's.
CREATE FUNCTION entry_search_range(lower BIGINT, top BIGINT) RETURNS TEXT
LANGUAGE sql IMMUTABLE AS $$
    SELECT string_agg(format('''~r%s''', b), ' | ')
    FROM generate_series(greatest(lower, 0) / 4096, top / 4096) b
$$;

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
        IF lower <= 0 THEN
            SELECT count(*), array_agg(m.row_id) INTO more, part FROM (
                SELECT s.row_id FROM entry_search s
                WHERE s.search @@ q::tsquery AND s.row_id + 0 <= upper
                ORDER BY s.row_id + 0 DESC LIMIT n - found) m;
            RETURN CASE WHEN found + more = n THEN ids || part END;
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
        -- whole table holds fewer than about 2n matches reads the rest of the table.
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

-- Only 0009's entry_search_newest called it.
DROP FUNCTION entry_search_blocks(TEXT, BIGINT, BIGINT);
