-- Frozen: migrations are append-only. Change the schema with a new numbered file.
-- The newest rows of the search table stay on few pages as entries are edited (issue 10,
-- 1,000,000 entries). A search reads its newest matches from the heap, and what that costs
-- is the pages it visits: 5,812 matches in two recency blocks took 14.3 ms where the rows
-- had been edited, 7,768 took 3.7 ms where they had not.
--
-- An edit rewrites its entry's row here (the vector changes, so never a HOT update), and on
-- a full page the new version went wherever the free space map said: after a few runs of
-- the bench, 4,096 rows of the newest block sat on 2,117 pages, and the newest 1,500 rows
-- on 1,853 (new entries filled the holes the moved rows left, all over the table). Pages
-- now keep a fifth free: a rewritten row stays on its page, and the page's free space
-- stays under what a new row needs beside that reserve, so new rows go to the table's end,
-- in key order. The table is rewritten once in key order with the reserve (30 s at
-- 1,000,000 entries; 563 → 714 MB, the index unchanged).
LOCK TABLE entries IN SHARE MODE;
SET LOCAL maintenance_work_mem = '256MB';
ALTER TABLE entry_search SET (fillfactor = 80);
CLUSTER entry_search USING entry_search_pkey;
ANALYZE entry_search;
