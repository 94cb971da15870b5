-- Frozen: migrations are append-only. Change the schema with a new numbered file.
-- The search algorithm (search.rs) on the server: one search was five to eight statements,
-- each a round trip between the store and PostgreSQL, and on a busy host each round trip
-- waits for both processes to be scheduled (a few ms each, more than the statements cost).
-- One call now runs them all; the store still builds every tsquery (only quoted words),
-- and runs the call in its read-only snapshot under the search's statement_timeout.

-- `q` for rows with ids from `lower` to `top`: ANDed with their recency blocks' lexemes
-- (0007), so GIN reads only those blocks' part of each word's index entry.
CREATE FUNCTION entry_search_blocks(q TEXT, lower BIGINT, top BIGINT) RETURNS TEXT
LANGUAGE sql IMMUTABLE AS $$
    SELECT '(' || q || ') & (' || string_agg(format('''~r%s''', b), ' | ') || ')'
    FROM generate_series(greatest(lower, 0) / 4096, top / 4096) b
$$;

-- The row ids of the `n` newest matches of `q`, NULL if it has fewer: the newest rows in
-- growing ranges, each sized from the density the last one showed; a density that says
-- the whole table holds fewer than about 2n matches goes to the whole table.
CREATE FUNCTION entry_search_newest(q TEXT, n INT, top BIGINT) RETURNS BIGINT[]
LANGUAGE plpgsql STABLE SET plan_cache_mode = force_custom_plan AS $$
DECLARE
    span BIGINT := n::BIGINT * 5 / 4;
    lower BIGINT;
    found BIGINT;
    ids BIGINT[];
BEGIN
    LOOP
        lower := top - span;
        -- `row_id + 0`: never the key's order or range. The newest rows are past the
        -- statistics' histogram, so the planner took a range as nearly empty and tested
        -- every row of it (97,000 rows, 290 ms for a prefix) instead of using GIN.
        IF lower <= 0 THEN
            SELECT count(*), array_agg(m.row_id) INTO found, ids FROM (
                SELECT s.row_id FROM entry_search s WHERE s.search @@ q::tsquery
                ORDER BY s.row_id + 0 DESC LIMIT n) m;
            RETURN CASE WHEN found = n THEN ids END;
        END IF;
        SELECT count(*), array_agg(m.row_id) INTO found, ids FROM (
            SELECT s.row_id FROM entry_search s
            WHERE s.search @@ entry_search_blocks(q, lower + 1, top)::tsquery AND s.row_id + 0 > lower
            ORDER BY s.row_id + 0 DESC LIMIT n) m;
        IF found = n THEN
            RETURN ids;
        END IF;
        IF greatest(found, 1)::FLOAT8 * top / span < 2.0 * n THEN
            span := top;
        ELSIF found = 0 THEN
            span := span * 8;
        ELSE
            span := greatest(span * n / found * 5, span * 5) / 4;
        END IF;
        -- ANDed with many blocks, GIN tests every row id of those blocks (a range of
        -- 520,000 rows: 760 ms), while the whole table costs the query's own matches.
        -- Blocks pay while span < 10 · matches in the table (= 10 · n / span · top).
        IF span::FLOAT8 * span > 10.0 * n * top THEN
            span := top;
        END IF;
    END LOOP;
END
$$;

-- One search's hits in order (row ids, with the rank when ranked): the same algorithm as
-- SQLite's search (imprint-store-sqlite/src/search.rs). `expression` NULL: everything the
-- filters keep, newest first. `singles`: each term's own query, when there are several.
CREATE FUNCTION entry_search_hits(
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
        -- one of its terms may still be.
        newest := entry_search_newest(expression, win, top);
        common := newest IS NOT NULL;
        IF NOT common AND cardinality(singles) > 1 THEN
            FOREACH single IN ARRAY singles LOOP
                IF entry_search_newest(single, win, top) IS NOT NULL THEN
                    common := TRUE;
                    EXIT;
                END IF;
            END LOOP;
        END IF;
    END IF;
    IF NOT common THEN
        -- Weights are {D, C, B, A}: a title word counts ten times a body word. Negated so
        -- that, as with bm25, lower is better.
        RETURN QUERY EXECUTE format(
            'SELECT s.row_id, (-ts_rank(''{0, 0, 0.1, 1.0}'', s.search, $4::tsquery))::FLOAT8
             FROM entry_search s WHERE %s AND s.search @@ $4::tsquery
             ORDER BY 2, s.row_id DESC LIMIT $5', kept)
            USING site, sections, now_ms, expression, lim;
        RETURN;
    END IF;
    -- Some term is everywhere: the newest matches (`newest`, all matches of the
    -- expression), title matches first, then the other entries' matches; then, if the
    -- filters kept too few, further back. The window's rows are read by key, not found
    -- again through GIN (a prefix's partial match costs tens of ms per statement).
    -- Without `newest` (only a single term is common), all matches are the window;
    -- `row_id + 0`: GIN bitmaps, never a walk over the key testing every row.
    FOR r IN EXECUTE format(
        'SELECT s.row_id, s.entry_id FROM entry_search s WHERE %s AND %s
         ORDER BY %s DESC LIMIT $5', kept,
        -- ts_match_vq is @@ that no index serves: each window row is tested, by key.
        CASE WHEN newest IS NOT NULL THEN 's.row_id = ANY($6) AND ts_match_vq(s.search, $4::tsquery)'
             ELSE 's.search @@ $4::tsquery' END,
        CASE WHEN newest IS NOT NULL THEN 's.row_id' ELSE 's.row_id + 0' END)
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
             WHERE %s AND %s AND NOT (s.entry_id = ANY($7))
             ORDER BY %s DESC LIMIT $5', kept,
            CASE WHEN newest IS NOT NULL THEN 's.row_id = ANY($6)' ELSE 's.search @@ $4::tsquery' END,
            CASE WHEN newest IS NOT NULL THEN 's.row_id' ELSE 's.row_id + 0' END)
            USING site, sections, now_ms, expression, lim - cardinality(seen), newest, seen
        LOOP
            hit := r.row_id;
            rank := NULL;
            RETURN NEXT;
            seen := seen || r.entry_id;
        END LOOP;
    END IF;
    IF cardinality(seen) < lim AND newest IS NOT NULL THEN
        RETURN QUERY EXECUTE format(
            'SELECT s.row_id, NULL::FLOAT8 FROM entry_search s
             WHERE %s AND s.search @@ $4::tsquery AND NOT (s.entry_id = ANY($6))
             ORDER BY s.row_id + 0 DESC LIMIT $5', kept)
            USING site, sections, now_ms, expression, lim - cardinality(seen), seen;
    END IF;
END
$$;

-- GIN's pending list (fastupdate) holds new rows' words unsorted until a vacuum or a full
-- list merges them, and every search statement scans all of it (4 MB by default: about
-- 1 ms per statement under load, measured). 64 kB keeps that scan short; writers merge
-- more often, each merge a little work.
ALTER INDEX entry_search_words SET (gin_pending_list_limit = 64);
