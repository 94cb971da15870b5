-- Frozen: migrations are append-only. Change the schema with a new numbered file.
-- Coarser recency blocks (issue 10, 1,000,000 entries). A window's range is given to GIN
-- as the OR of its blocks' lexemes (0007, 0010), and every candidate row is tested against
-- every one of them: a range of 295,000 rows was 73 lexemes, and for two words in 10 % of
-- the rows each the range's statement cost 15–25 ms where its heap reads cost about 9.
-- Each row of `entry_search` now also holds the lexemes of its block of 8 blocks
-- ('~s' || row_id / 32768) and of 64 blocks ('~t' || row_id / 262144), and a range is
-- covered by the fewest blocks of the three sizes (that range: 17 lexemes, 10–13 ms; one
-- of 140,000 rows: 35 → 7 lexemes, 5.3 → 3.8 ms). The cover is exact, so the same rows
-- match and no answer changes. Only the search table holds the coarse lexemes: ranking
-- weighs the query's own words, and `entries` keeps 0007's vector.

-- The coarse lexemes of the row id's blocks.
CREATE FUNCTION entry_search_coarse(row_id BIGINT) RETURNS TSVECTOR
LANGUAGE sql IMMUTABLE AS $$
    SELECT format('''~s%s'' ''~t%s''', row_id / 32768, row_id / 262144)::tsvector
$$;

-- Every vector written to the search table gets them (the copy trigger writes it; an
-- upsert's update adds them again, which changes nothing).
CREATE FUNCTION entry_search_add_coarse() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    NEW.search := NEW.search || entry_search_coarse(NEW.row_id);
    RETURN NEW;
END
$$;

-- The blocks from `lower` to `top` (0010: blocks of 4,096 row ids) as the fewest lexemes:
-- a run of 64 aligned blocks as its '~t' lexeme, of 8 as its '~s', the rest one by one.
CREATE OR REPLACE FUNCTION entry_search_range(lower BIGINT, top BIGINT) RETURNS TEXT
LANGUAGE plpgsql IMMUTABLE AS $$
DECLARE
    b BIGINT := greatest(lower, 0) / 4096;
    last BIGINT := top / 4096;
    lexemes TEXT[] := '{}';
BEGIN
    WHILE b <= last LOOP
        IF b % 64 = 0 AND b + 63 <= last THEN
            lexemes := lexemes || format('''~t%s''', b / 64);
            b := b + 64;
        ELSIF b % 8 = 0 AND b + 7 <= last THEN
            lexemes := lexemes || format('''~s%s''', b / 8);
            b := b + 8;
        ELSE
            lexemes := lexemes || format('''~r%s''', b);
            b := b + 1;
        END IF;
    END LOOP;
    RETURN array_to_string(lexemes, ' | ');
END
$$;

-- Existing rows get their coarse lexemes in a new table, in key order, its indexes built
-- once afterwards (as 0008 built the first): rewriting the rows in place would leave every
-- one of them dead and every lexeme inserted into the index again.
LOCK TABLE entries, entry_search IN SHARE MODE;
SET LOCAL maintenance_work_mem = '256MB';
CREATE TABLE entry_search_coarse_rows (LIKE entry_search INCLUDING DEFAULTS);
INSERT INTO entry_search_coarse_rows (row_id, entry_id, site_id, section_id, enabled,
                                      post_date, expiry_date, deleted_at, search)
SELECT row_id, entry_id, site_id, section_id, enabled, post_date, expiry_date, deleted_at,
       search || entry_search_coarse(row_id)
FROM entry_search ORDER BY row_id;
DROP TABLE entry_search;
ALTER TABLE entry_search_coarse_rows RENAME TO entry_search;
ALTER TABLE entry_search ADD CONSTRAINT entry_search_pkey PRIMARY KEY (row_id);
CREATE INDEX entry_search_words ON entry_search USING GIN (search)
    WITH (gin_pending_list_limit = 64);
CREATE TRIGGER entry_search_add_coarse BEFORE INSERT OR UPDATE ON entry_search
    FOR EACH ROW EXECUTE FUNCTION entry_search_add_coarse();
ANALYZE entry_search;
