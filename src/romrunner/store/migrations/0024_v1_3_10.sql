-- ROM Runner schema v1.3.10 (schema_version 24): a game's catalog title is its DAT's
-- description where that is not the game's name.
-- changes_data: yes

-- An arcade DAT (MAME, FBNeo) names a game by its set (`pacman`) and describes it by its
-- title (`PuckMan (Japan set 1)`): `catalog_title` (the name in the match id) showed the set
-- name, and search could not find an arcade game by its title. `catalog_name` holds the
-- description of the matched catalog game where it differs from its name (NULL otherwise:
-- No-Intro and Redump describe a game by its name; one header byte a game), kept by the
-- identification with the match; the search index's catalog column holds it when set.

ALTER TABLE games ADD COLUMN catalog_name TEXT;

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
            rr_fold(coalesce(old.catalog_name, old.catalog_title)));
END;
CREATE TRIGGER games_fts_update AFTER UPDATE OF detected_title, title_norm, matched_game_id,
    catalog_name ON games
WHEN (old.detected_title IS NOT new.detected_title OR old.title_norm IS NOT new.title_norm
      OR old.catalog_title IS NOT new.catalog_title OR old.catalog_name IS NOT new.catalog_name)
  AND NOT EXISTS (SELECT 1 FROM games_pending WHERE old.id >= first_id)
BEGIN
    INSERT INTO games_fts (games_fts, rowid, detected_title, catalog_title)
    VALUES ('delete', old.id,
            CASE WHEN old.title_norm IS rr_fold(old.detected_title) THEN old.title_norm
                 ELSE coalesce(rr_fold(old.detected_title), '') || ' ' || char(57344) END,
            rr_fold(coalesce(old.catalog_name, old.catalog_title)));
    INSERT INTO games_fts (rowid, detected_title, catalog_title)
    VALUES (new.id,
            CASE WHEN new.title_norm IS rr_fold(new.detected_title) THEN new.title_norm
                 ELSE coalesce(rr_fold(new.detected_title), '') || ' ' || char(57344) END,
            rr_fold(coalesce(new.catalog_name, new.catalog_title)));
END;
-- end: fts5

UPDATE games SET catalog_name = (
    SELECT cg.description FROM catalog_games cg
    WHERE cg.game_id = games.matched_game_id AND cg.description <> cg.name
    ORDER BY cg.id LIMIT 1)
WHERE matched_game_id IS NOT NULL AND EXISTS (
    SELECT 1 FROM catalog_games cg
    WHERE cg.game_id = games.matched_game_id AND cg.description <> cg.name);

UPDATE schema_version SET schema_version = 24, applied_at = CURRENT_TIMESTAMP,
    notes = 'ROM Runner schema v1.3.10 (a catalog title from the DAT''s description)';
