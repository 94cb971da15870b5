-- Frozen: migrations are append-only. Change the schema with a new numbered file.
-- Recency in the search index. A GIN index returns a word's matches as a bitmap of the
-- whole table, so "the newest 2,000 matches" (search's window, see search.rs) cost a pass
-- over every match of a frequent word. Each row's vector also holds one lexeme naming its
-- block of 4,096 row ids ('~r' || row_id / 4096; no search word can start with '~'), so
-- a query ANDed with the newest blocks' lexemes reads only those blocks' share of the
-- word's index entry. Ranking only weighs the query's own words, so ranks do not change.
CREATE FUNCTION entries_search_block() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    NEW.search := NEW.search || ('~r' || (NEW.row_id / 4096))::tsvector;
    RETURN NEW;
END
$$;
CREATE TRIGGER entries_search_block BEFORE INSERT OR UPDATE OF search ON entries
    FOR EACH ROW EXECUTE FUNCTION entries_search_block();
UPDATE entries SET search = search;
