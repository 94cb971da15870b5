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

-- The row id of the `n`th newest match of `q`, NULL if it has fewer matches: the newest
-- rows in growing ranges, each sized from the density the last one showed; a density
-- that says the whole table holds fewer than about 2n matches goes to the whole table.
CREATE FUNCTION entry_search_nth(q TEXT, n INT, top BIGINT) RETURNS BIGINT
LANGUAGE plpgsql STABLE SET plan_cache_mode = force_custom_plan AS $$
DECLARE
    span BIGINT := n::BIGINT * 5 / 4;
    lower BIGINT;
    found BIGINT;
    last BIGINT;
BEGIN
    LOOP
        lower := top - span;
        IF lower <= 0 THEN
            -- `row_id + 0`: not the key's order, so never a walk over the whole key.
            SELECT count(*), min(m.row_id) INTO found, last FROM (
                SELECT s.row_id FROM entry_search s WHERE s.search @@ q::tsquery
                ORDER BY s.row_id + 0 DESC LIMIT n) m;
            RETURN CASE WHEN found = n THEN last END;
        END IF;
        SELECT count(*), min(m.row_id) INTO found, last FROM (
            SELECT s.row_id FROM entry_search s
            WHERE s.search @@ entry_search_blocks(q, lower + 1, top)::tsquery AND s.row_id > lower
            ORDER BY s.row_id + 0 DESC LIMIT n) m;
        IF found = n THEN
            RETURN last;
        END IF;
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
CREATE FUNCTION entry_search_hits(
    expression TEXT, in_titles TEXT, singles TEXT[], win INT, lim INT,
    site BIGINT, sections BIGINT[], status TEXT, now_ms BIGINT)
RETURNS TABLE (hit BIGINT, rank FLOAT8)
LANGUAGE plpgsql STABLE SET jit = off AS $$
DECLARE
    kept TEXT;
    top BIGINT;
    floor BIGINT;
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
        floor := entry_search_nth(expression, win, top);
        common := floor IS NOT NULL;
        IF NOT common AND cardinality(singles) > 1 THEN
            FOREACH single IN ARRAY singles LOOP
                IF entry_search_nth(single, win, top) IS NOT NULL THEN
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
    -- Some term is everywhere: the newest matches (row ids from the floor), title matches
    -- first, then the other entries' matches; then, if the filters kept too few, further
    -- back. `row_id + 0`: GIN bitmaps, never a walk over the key testing every row.
    FOR r IN EXECUTE format(
        'SELECT s.row_id, s.entry_id FROM entry_search s WHERE %s AND s.search @@ $4::tsquery %s
         ORDER BY s.row_id + 0 DESC LIMIT $5', kept,
        CASE WHEN floor IS NOT NULL THEN 'AND s.row_id >= $6' ELSE '' END)
        USING site, sections, now_ms,
              CASE WHEN floor IS NULL THEN in_titles ELSE entry_search_blocks(in_titles, floor, top) END,
              lim, floor
    LOOP
        hit := r.row_id;
        rank := NULL;
        RETURN NEXT;
        seen := seen || r.entry_id;
    END LOOP;
    IF cardinality(seen) < lim THEN
        FOR r IN EXECUTE format(
            'SELECT s.row_id, s.entry_id FROM entry_search s
             WHERE %s AND s.search @@ $4::tsquery AND NOT (s.entry_id = ANY($7)) %s
             ORDER BY s.row_id + 0 DESC LIMIT $5', kept,
            CASE WHEN floor IS NOT NULL THEN 'AND s.row_id >= $6' ELSE '' END)
            USING site, sections, now_ms,
                  CASE WHEN floor IS NULL THEN expression ELSE entry_search_blocks(expression, floor, top) END,
                  lim - cardinality(seen), floor, seen
        LOOP
            hit := r.row_id;
            rank := NULL;
            RETURN NEXT;
            seen := seen || r.entry_id;
        END LOOP;
    END IF;
    IF cardinality(seen) < lim AND floor IS NOT NULL THEN
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
