-- Frozen: migrations are append-only. Change the schema with a new numbered file.
-- Site groups (Craft's): a section's propagationMethod "siteGroup" and a field's
-- translationMethod "siteGroup" act on the sites of one group. Existing sites share one.
ALTER TABLE sites ADD COLUMN site_group TEXT NOT NULL DEFAULT 'default';
