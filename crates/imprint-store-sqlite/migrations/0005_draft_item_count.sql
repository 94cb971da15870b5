-- Frozen: migrations are append-only. Change the schema with a new numbered file.
-- A draft's item count, stored: counting the items on each add made adding to a draft cost
-- more as the draft grew. Every statement that adds or removes items keeps it in step.
ALTER TABLE drafts ADD COLUMN item_count INTEGER NOT NULL DEFAULT 0;

UPDATE drafts SET item_count = (SELECT COUNT(*) FROM draft_items WHERE draft_id = drafts.id);
