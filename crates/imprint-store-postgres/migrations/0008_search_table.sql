-- Frozen: migrations are append-only. Change the schema with a new numbered file.
-- A narrow search table. Search reads up to 2,000 matching rows per query (the window's
-- floor, then `ts_rank` over a rare word's matches); on `entries` those rows are wide
-- (fields, slug, uri: about 2.5 KiB each), so the same reads touched scattered pages of a
-- table far larger than the cache. Here each row is the vector plus what the filters and
-- the window read, so a search's rows sit on a few pages and the table fits in memory.
-- Kept in step with `entries` by triggers, in the writing statement's transaction, so
-- every write path (single, bulk, import) keeps it without knowing it exists.
CREATE TABLE entry_search (
    row_id      BIGINT PRIMARY KEY,
    entry_id    BIGINT NOT NULL,
    site_id     BIGINT NOT NULL,
    section_id  BIGINT NOT NULL,
    enabled     BOOLEAN NOT NULL,
    post_date   BIGINT,
    expiry_date BIGINT,
    deleted_at  BIGINT,
    search      TSVECTOR NOT NULL
);

CREATE FUNCTION entry_search_copy() RETURNS trigger LANGUAGE plpgsql AS $$
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
    RETURN NEW;
END
$$;
-- AFTER: the vector already holds its recency-block lexeme (0007's BEFORE trigger).
CREATE TRIGGER entry_search_copy AFTER INSERT OR UPDATE OR DELETE ON entries
    FOR EACH ROW EXECUTE FUNCTION entry_search_copy();

-- TRUNCATE fires no row triggers (an import empties `entries` that way).
CREATE FUNCTION entry_search_truncate() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    TRUNCATE entry_search;
    RETURN NULL;
END
$$;
CREATE TRIGGER entry_search_truncate AFTER TRUNCATE ON entries
    FOR EACH STATEMENT EXECUTE FUNCTION entry_search_truncate();

-- Existing rows in key order (the window's newest rows then share pages), the index
-- built once afterwards (faster than row by row); the old index is no longer read.
SET LOCAL maintenance_work_mem = '256MB';
INSERT INTO entry_search (row_id, entry_id, site_id, section_id, enabled, post_date,
                          expiry_date, deleted_at, search)
SELECT row_id, entry_id, site_id, section_id, enabled, post_date, expiry_date, deleted_at, search
FROM entries ORDER BY row_id;
CREATE INDEX entry_search_words ON entry_search USING GIN (search);
DROP INDEX entries_search;
ANALYZE entry_search;
