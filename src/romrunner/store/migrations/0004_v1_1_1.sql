-- ROM Runner schema v1.1.1 (schema_version 4): changes the scale benchmark asked for
-- (docs/PERFORMANCE.md has the figures behind each).
-- changes_data: yes

-- 1. The search index gets new rows from the scan writer, once per batch, set-based: the
--    per-row insert trigger made ingest 2.5x slower. Update/delete triggers stay.
DROP TRIGGER IF EXISTS games_fts_insert;

--    And an update re-indexes a row only when an indexed text really changed: identification
--    writes catalog_title on every batch, most often to the value it already had.
-- begin: fts5
DROP TRIGGER IF EXISTS games_fts_update;
CREATE TRIGGER games_fts_update AFTER UPDATE OF detected_title, catalog_title, filename ON games
WHEN old.detected_title IS NOT new.detected_title OR old.catalog_title IS NOT new.catalog_title
     OR old.filename IS NOT new.filename
BEGIN
    INSERT INTO games_fts (games_fts, rowid, detected_title, catalog_title, filename)
    VALUES ('delete', old.id, old.detected_title, old.catalog_title, old.filename);
    INSERT INTO games_fts (rowid, detected_title, catalog_title, filename)
    VALUES (new.id, new.detected_title, new.catalog_title, new.filename);
END;
-- end: fts5

-- 2. Every game has a sort title, so listing pages ride the (platform, title) and title
--    indexes at any depth (a NULL would need coalesce(), which no index serves).
UPDATE games SET title_norm = coalesce(rr_fold(detected_title), rr_fold(filename), '')
WHERE title_norm IS NULL;

-- 3. "Recently added" is served by the id order (ids are AUTOINCREMENT, never reused):
--    idx_games_added_at cost ~31 bytes per game and served no query.
DROP INDEX IF EXISTS idx_games_added_at;

UPDATE schema_version SET schema_version = 4, applied_at = CURRENT_TIMESTAMP,
    notes = 'ROM Runner schema v1.1.1 (benchmark-driven: batched search indexing, sort titles)';
