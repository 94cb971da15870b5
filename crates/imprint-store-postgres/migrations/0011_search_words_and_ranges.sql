-- Frozen: migrations are append-only. Change the schema with a new numbered file.
-- Search at 1,000,000 entries (issue 10), measured with EXPLAIN (ANALYZE, BUFFERS):
--
-- * The words in use (`entry_words`), so a prefix becomes its words. A prefix's GIN scan
--   reads every matching word's whole entry into a bitmap ("partial match") in every
--   statement, whatever the range; as an OR of its exact words GIN skips through them to
--   the range like any word. A prefix with more than 100 words keeps the partial match.
--   The table only grows (a word no entry holds any more matches nothing), and a row's
--   words are added in the transaction that writes the row, so any row a search's
--   snapshot sees has its words in that snapshot too. There is no unique key, so a writer
--   never waits for another writer's new word (no lock, no deadlock); two writers adding
--   the same new word at once leave it twice, which the expansion reads as one.
-- * The window's title matches found while it is read. Search took title matches first by
--   testing the window's rows again by key (two rare words: up to 2,000 rows, 3–12 ms);
--   the statements that read the window now also say which rows match the title query.
-- * Wider ranges before the rest of the table for several words (k = 160 in the rule below).
-- * "Is this term in `n` entries?" (a two-word query whose pair is rare asks it of each
--   word) counts matches in the window's ranges, stopping at `n`, instead of collecting
--   and sorting the word's `n` newest row ids.
--
-- The rows found are the same (the newest `n` matches of the query), so no answer changes.

-- Writers wait until the words are in (about 11 s at 1,000,000 entries): a row written
-- meanwhile by 0008's trigger would have no words here.
LOCK TABLE entries, entry_search IN SHARE MODE;
-- "C": a prefix is a range of the index.
CREATE TABLE entry_words (word TEXT COLLATE "C" NOT NULL);
SET LOCAL maintenance_work_mem = '256MB';
INSERT INTO entry_words (word)
SELECT word FROM ts_stat('SELECT search FROM entry_search') WHERE word NOT LIKE '~%';
CREATE INDEX entry_words_word ON entry_words (word);
ANALYZE entry_words;

-- 0008's copy, adding the row's new words. Recency-block lexemes ('~r…', 0007) are not words.
CREATE OR REPLACE FUNCTION entry_search_copy() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'DELETE' OR (TG_OP = 'UPDATE' AND OLD.row_id <> NEW.row_id) THEN
        DELETE FROM entry_search WHERE row_id = OLD.row_id;
    END IF;
    IF TG_OP = 'DELETE' THEN
        RETURN OLD;
    END IF;
    INSERT INTO entry_search (row_id, entry_id, site_id, section_id, enabled, post_date,
                              expiry_date, deleted_at, search)
    VALUES (NEW.row_id, NEW.entry_id, NEW.site_id, NEW.section_id, NEW.enabled, NEW.post_date,
            NEW.expiry_date, NEW.deleted_at, NEW.search)
    ON CONFLICT (row_id) DO UPDATE SET
        entry_id = EXCLUDED.entry_id, site_id = EXCLUDED.site_id,
        section_id = EXCLUDED.section_id, enabled = EXCLUDED.enabled,
        post_date = EXCLUDED.post_date, expiry_date = EXCLUDED.expiry_date,
        deleted_at = EXCLUDED.deleted_at, search = EXCLUDED.search;
    IF TG_OP = 'INSERT' OR OLD.search IS DISTINCT FROM NEW.search THEN
        INSERT INTO entry_words (word)
        SELECT DISTINCT w FROM unnest(tsvector_to_array(NEW.search)) w
        WHERE w NOT LIKE '~%' AND NOT EXISTS (SELECT 1 FROM entry_words e WHERE e.word = w);
    END IF;
    RETURN NEW;
END
$$;

-- `q` with each prefix ('word':* or 'word':*A, as search.rs writes them; words hold no
-- quotes or colons) replaced by the OR of the words in use that start with it, when there
-- are 1 to 100 of them; matches the same rows as `q`.
CREATE FUNCTION entry_search_expand(q TEXT) RETURNS TEXT
LANGUAGE plpgsql STABLE SET plan_cache_mode = force_custom_plan AS $$
DECLARE
    m TEXT[];
    words TEXT;
    many BIGINT;
BEGIN
    FOR m IN SELECT regexp_matches(q, '''([^'':]*)'':\*([A-D]*)', 'g') LOOP
        SELECT count(*), string_agg(format('''%s''%s', x.word,
                   CASE WHEN m[2] <> '' THEN ':' || m[2] ELSE '' END), ' | ')
        INTO many, words
        FROM (SELECT DISTINCT e.word FROM entry_words e
              WHERE e.word LIKE m[1] || '%' LIMIT 101) x;
        IF many BETWEEN 1 AND 100 THEN
            q := replace(q, format('''%s'':*%s', m[1], m[2]), '(' || words || ')');
        END IF;
    END LOOP;
    RETURN q;
END
$$;

-- Whether `q` matches at least `n` rows: counted in the ranges entry_search_window would
-- read (newest first, sized by the density seen), each count stopping at the matches still
-- missing; no row ids kept, no order needed.
CREATE FUNCTION entry_search_has(q TEXT, n INT, top BIGINT) RETURNS BOOLEAN
LANGUAGE plpgsql STABLE SET plan_cache_mode = force_custom_plan AS $$
DECLARE
    span BIGINT := n::BIGINT * 5 / 4;
    upper BIGINT := top;
    lower BIGINT;
    found BIGINT := 0;
    more BIGINT;
    prefix BOOLEAN := strpos(q, ':*') > 0;
    found_by TEXT := entry_search_expand(q);
    wide FLOAT8 := CASE WHEN NOT prefix AND (strpos(q, '&') > 0 OR strpos(q, '<->') > 0)
                        THEN 160.0 ELSE 20.0 END;
BEGIN
    LOOP
        lower := top - span;
        IF lower <= 0 OR span::FLOAT8 * span > wide * n * top THEN
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

-- 0010's entry_search_newest, with prefixes expanded for GIN (entry_search_expand; the
-- walk tests rows with `q` itself, where a prefix costs less than an OR of its words), and
-- the window's rows that match `titles` (`titled`, newest first) found while they are read: search then takes title matches by key among a few ids instead of
-- testing the whole window again (two rare words: up to 2,000 rows, 3–12 ms).
DROP FUNCTION entry_search_newest(TEXT, INT, BIGINT);
CREATE FUNCTION entry_search_window(q TEXT, titles TEXT, n INT, top BIGINT,
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
        -- A range wider than sqrt(k · n · top) reads the rest of the table: k = 20 in 0010;
        -- 160 (566,000 rows at 1M) for several words, whose rest of the table costs an
        -- intersection of whole entries (two-word p95 28 against 38 ms with 20, server-side),
        -- while one word or a prefix keeps 20 (one word's p95 9 against 18 ms with 160).
        IF lower <= 0 OR span::FLOAT8 * span > wide * n * top THEN
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
        IF prefix AND span::FLOAT8 * span <= n::FLOAT8 * top THEN
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

-- 0010's, finding rows with prefixes expanded (`found_by`), probing terms with
-- entry_search_has and taking title matches from the window's `titled`. One search's hits
-- in order (row ids, with the rank when ranked): the same algorithm as SQLite's search
-- (imprint-store-sqlite/src/search.rs). `expression` NULL: everything the filters keep,
-- newest first. `singles`: each term's own query, when there are several.
CREATE OR REPLACE FUNCTION entry_search_hits(
    expression TEXT, in_titles TEXT, singles TEXT[], win INT, lim INT,
    site BIGINT, sections BIGINT[], status TEXT, now_ms BIGINT)
RETURNS TABLE (hit BIGINT, rank FLOAT8)
LANGUAGE plpgsql STABLE SET jit = off AS $$
DECLARE
    kept TEXT;
    top BIGINT;
    newest BIGINT[];
    titled BIGINT[];
    common BOOLEAN := FALSE;
    -- The expression as GIN reads it best; ranks and title tests keep `expression`.
    found_by TEXT;
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
    found_by := entry_search_expand(expression);
    IF win > 0 THEN
        -- The whole query in `win` entries makes it common and gives the floor; otherwise
        -- `newest` holds all its matches, and one of its terms may still be common.
        SELECT w.ids, w.titled INTO newest, titled
        FROM entry_search_window(expression, in_titles, win, top) w;
        common := coalesce(cardinality(newest), 0) = win;
        IF NOT common AND cardinality(singles) > 1 THEN
            FOREACH single IN ARRAY singles LOOP
                IF entry_search_has(single, win, top) THEN
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
             FROM entry_search s WHERE %s AND s.search @@ $6::tsquery
             ORDER BY 2, s.row_id DESC LIMIT $5', kept)
            USING site, sections, now_ms, expression, lim, found_by;
        RETURN;
    END IF;
    -- Some term is everywhere: the window is `newest` (the expression's newest `win`
    -- matches, or all of its matches when only a single term is common), title matches
    -- first, then the other entries' matches; then, if the filters kept too few, further
    -- back. The window's rows are read by key, not found again through GIN (a prefix's
    -- partial match costs tens of ms per statement; a title query's weights, a recheck
    -- of every match).
    FOR r IN EXECUTE format(
        'SELECT s.row_id, s.entry_id FROM entry_search s
         WHERE %s AND s.row_id = ANY($6)
         ORDER BY s.row_id DESC LIMIT $5', kept)
        USING site, sections, now_ms, in_titles, lim, titled
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
            USING site, sections, now_ms, found_by, lim - cardinality(seen), seen;
    END IF;
END
$$;
