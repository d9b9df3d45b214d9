-- ROM Runner schema v1.3.5 (schema_version 19): the scan writer counts and indexes its new
-- games once per batch, after identifying them.
-- changes_data: no

-- A first scan's writer inserts a batch of new games, then identifies them: each identified
-- game's UPDATE fired the counters' trigger (an UPDATE and an upsert of platform_counts) and
-- the search index's (a delete and an insert, four folds) for a row added a moment before:
-- ~18 of the writer's ~53 µs per game on a first scan with a catalog, and the insert
-- trigger's upsert ~5 of ~25 µs without one (docs/PERFORMANCE.md, issue 18).
-- While the writer's transaction holds a row here, the games with id >= first_id (its new
-- games, ids only grow) are left out by every trigger on games; before it commits it adds
-- them to platform_counts and to the search index in one statement each and empties this
-- table (library/scan.py). Outside that transaction the table is always empty, so every
-- other writer's changes are counted and indexed by the triggers as before.
CREATE TABLE games_pending (
    first_id INTEGER NOT NULL
);

DROP TRIGGER IF EXISTS games_counts_insert;
DROP TRIGGER IF EXISTS games_counts_delete;
DROP TRIGGER IF EXISTS games_counts_update;

CREATE TRIGGER games_counts_insert AFTER INSERT ON games
WHEN NOT EXISTS (SELECT 1 FROM games_pending WHERE new.id >= first_id)
BEGIN
    INSERT INTO platform_counts (platform_id, games, hash_matched, name_guessed, unidentified,
                                 missing)
    VALUES (new.platform_id, 1,
            coalesce(new.match_method IN ('sha1', 'md5', 'crc32', 'tracks')
                     OR new.match_method = 'user', 0),
            coalesce(new.match_method = 'name', 0), new.matched_game_id IS NULL,
            coalesce(new.is_missing, 0))
    ON CONFLICT (platform_id) DO UPDATE SET
        games = games + 1,
        hash_matched = hash_matched + excluded.hash_matched,
        name_guessed = name_guessed + excluded.name_guessed,
        unidentified = unidentified + excluded.unidentified,
        missing = missing + excluded.missing;
END;

CREATE TRIGGER games_counts_delete AFTER DELETE ON games
WHEN NOT EXISTS (SELECT 1 FROM games_pending WHERE old.id >= first_id)
BEGIN
    UPDATE platform_counts SET
        games = games - 1,
        hash_matched = hash_matched - coalesce(old.match_method IN ('sha1', 'md5', 'crc32',
                                                'tracks') OR old.match_method = 'user', 0),
        name_guessed = name_guessed - coalesce(old.match_method = 'name', 0),
        unidentified = unidentified - (old.matched_game_id IS NULL),
        missing = missing - coalesce(old.is_missing, 0)
    WHERE platform_id = old.platform_id;
    DELETE FROM platform_counts WHERE platform_id = old.platform_id AND games <= 0;
END;

CREATE TRIGGER games_counts_update
AFTER UPDATE OF platform_id, match_method, matched_game_id, is_missing ON games
WHEN (old.platform_id IS NOT new.platform_id OR old.match_method IS NOT new.match_method
      OR (old.matched_game_id IS NULL) <> (new.matched_game_id IS NULL)
      OR old.is_missing IS NOT new.is_missing)
  AND NOT EXISTS (SELECT 1 FROM games_pending WHERE old.id >= first_id)
BEGIN
    UPDATE platform_counts SET
        games = games - 1,
        hash_matched = hash_matched - coalesce(old.match_method IN ('sha1', 'md5', 'crc32',
                                                'tracks') OR old.match_method = 'user', 0),
        name_guessed = name_guessed - coalesce(old.match_method = 'name', 0),
        unidentified = unidentified - (old.matched_game_id IS NULL),
        missing = missing - coalesce(old.is_missing, 0)
    WHERE platform_id = old.platform_id;
    INSERT INTO platform_counts (platform_id, games, hash_matched, name_guessed, unidentified,
                                 missing)
    VALUES (new.platform_id, 1,
            coalesce(new.match_method IN ('sha1', 'md5', 'crc32', 'tracks')
                     OR new.match_method = 'user', 0),
            coalesce(new.match_method = 'name', 0), new.matched_game_id IS NULL,
            coalesce(new.is_missing, 0))
    ON CONFLICT (platform_id) DO UPDATE SET
        games = games + 1,
        hash_matched = hash_matched + excluded.hash_matched,
        name_guessed = name_guessed + excluded.name_guessed,
        unidentified = unidentified + excluded.unidentified,
        missing = missing + excluded.missing;
    DELETE FROM platform_counts WHERE platform_id = old.platform_id AND games <= 0;
END;

-- begin: fts5
DROP TRIGGER IF EXISTS games_fts_delete;
DROP TRIGGER IF EXISTS games_fts_update;
CREATE TRIGGER games_fts_delete AFTER DELETE ON games
WHEN NOT EXISTS (SELECT 1 FROM games_pending WHERE old.id >= first_id)
BEGIN
    INSERT INTO games_fts (games_fts, rowid, detected_title, catalog_title)
    VALUES ('delete', old.id,
            CASE WHEN old.title_norm IS rr_fold(old.detected_title) THEN old.title_norm
                 ELSE coalesce(rr_fold(old.detected_title), '') || ' ' || char(57344) END,
            rr_fold(old.catalog_title));
END;
CREATE TRIGGER games_fts_update AFTER UPDATE OF detected_title, title_norm, matched_game_id
ON games
WHEN (old.detected_title IS NOT new.detected_title OR old.title_norm IS NOT new.title_norm
      OR old.catalog_title IS NOT new.catalog_title)
  AND NOT EXISTS (SELECT 1 FROM games_pending WHERE old.id >= first_id)
BEGIN
    INSERT INTO games_fts (games_fts, rowid, detected_title, catalog_title)
    VALUES ('delete', old.id,
            CASE WHEN old.title_norm IS rr_fold(old.detected_title) THEN old.title_norm
                 ELSE coalesce(rr_fold(old.detected_title), '') || ' ' || char(57344) END,
            rr_fold(old.catalog_title));
    INSERT INTO games_fts (rowid, detected_title, catalog_title)
    VALUES (new.id,
            CASE WHEN new.title_norm IS rr_fold(new.detected_title) THEN new.title_norm
                 ELSE coalesce(rr_fold(new.detected_title), '') || ' ' || char(57344) END,
            rr_fold(new.catalog_title));
END;
-- end: fts5

UPDATE schema_version SET schema_version = 19, applied_at = CURRENT_TIMESTAMP,
    notes = 'ROM Runner schema v1.3.5 (scan writer counts and indexes new games per batch)';
