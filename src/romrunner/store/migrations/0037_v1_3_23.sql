-- ROM Runner schema v1.3.23 (schema_version 37): the search index holds a catalog title
-- without its tags, as it holds a file's title.
-- changes_data: yes

-- A file's title (detected_title) is its name before the tags: "Super Mario Bros. (World).nes"
-- is "Super Mario Bros.". The index's catalog column held the catalog title whole, with the
-- DAT name's tags: "(World)", "(USA)", "(Rev 1)", "(Beta)" were title words of the identified
-- and name-guessed games alone. `games ls mario -world` found nothing once the game was
-- identified, `usa` found half the USA games (those with a catalog title), and a query's
-- answer changed when a DAT was imported. The catalog column now holds the catalog title
-- without its tags, read by the rule that reads a file's title (rr_title:
-- romrunner.library.tags.name_title): a tag is a field term (region:, lang:, flag:), not a
-- word, for every game alike. The titles as they read (games_fts_reading, migration 32) are
-- read from the same text. The triggers mirror it in updates and deletes (a row of a
-- contentless FTS5 table is deleted with the text it was added with), the scan writer adds
-- its new games so (romrunner.search.index.index_games), and the index is built again here
-- where some game's catalog title has tags (its rows were added with them); a library none
-- of whose games is identified has nothing rewritten.

-- begin: fts5
DROP TRIGGER IF EXISTS games_fts_delete;
DROP TRIGGER IF EXISTS games_fts_update;
DROP TRIGGER IF EXISTS games_fts_reading_delete;
DROP TRIGGER IF EXISTS games_fts_reading_update;
CREATE TRIGGER games_fts_delete AFTER DELETE ON games
WHEN NOT EXISTS (SELECT 1 FROM games_pending WHERE old.id >= first_id)
BEGIN
    INSERT INTO games_fts (games_fts, rowid, detected_title, catalog_title)
    VALUES ('delete', old.id,
            CASE WHEN old.title_norm IS rr_fold(old.detected_title) THEN old.title_norm
                 ELSE coalesce(rr_fold(old.detected_title), '') || ' ' || char(57344) END,
            rr_fold(rr_title(coalesce(old.catalog_name, old.catalog_title))));
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
            rr_fold(rr_title(coalesce(old.catalog_name, old.catalog_title))));
    INSERT INTO games_fts (rowid, detected_title, catalog_title)
    VALUES (new.id,
            CASE WHEN new.title_norm IS rr_fold(new.detected_title) THEN new.title_norm
                 ELSE coalesce(rr_fold(new.detected_title), '') || ' ' || char(57344) END,
            rr_fold(rr_title(coalesce(new.catalog_name, new.catalog_title))));
END;
CREATE TRIGGER games_fts_reading_delete AFTER DELETE ON games
WHEN NOT EXISTS (SELECT 1 FROM games_pending WHERE old.id >= first_id)
BEGIN
    INSERT INTO games_fts_reading (games_fts_reading, rowid, detected_title, catalog_title)
    SELECT 'delete', k, a, b FROM (SELECT k, CASE WHEN instr(t, ', ') > 1 AND
    lower(substr(substr(t, instr(t, ', ') + 2), 1, instr(substr(t, instr(t, ', ') + 2) || ' ',
    ' ') - 1)) IN ('the', 'a', 'an', 'les', 'la', 'le', 'die', 'der', 'das', 'el', 'los', 'las',
    'il') AND (substr(substr(t, instr(t, ', ') + 2), instr(substr(t, instr(t, ', ') + 2) || ' ',
    ' ')) = '' OR substr(substr(substr(t, instr(t, ', ') + 2), instr(substr(t, instr(t, ', ') +
    2) || ' ', ' ')), 1, 3) = ' - ' OR substr(substr(substr(t, instr(t, ', ') + 2),
    instr(substr(t, instr(t, ', ') + 2) || ' ', ' ')), 1, 2) IN (' (', ' [')) AND
    instr(substr(t, 1, instr(t, ', ') - 1), ' - ') = 0 AND instr(substr(t, 1, instr(t, ', ') -
    1), ' (') = 0 AND instr(substr(t, 1, instr(t, ', ') - 1), ' [') = 0 THEN
    rr_fold(substr(substr(t, instr(t, ', ') + 2), 1, instr(substr(t, instr(t, ', ') + 2) || ' ',
    ' ') - 1) || ' ' || substr(t, 1, instr(t, ', ') - 1) || substr(substr(t, instr(t, ', ') +
    2), instr(substr(t, instr(t, ', ') + 2) || ' ', ' '))) END AS a, CASE WHEN instr(c, ', ') >
    1 AND lower(substr(substr(c, instr(c, ', ') + 2), 1, instr(substr(c, instr(c, ', ') + 2) ||
    ' ', ' ') - 1)) IN ('the', 'a', 'an', 'les', 'la', 'le', 'die', 'der', 'das', 'el', 'los',
    'las', 'il') AND (substr(substr(c, instr(c, ', ') + 2), instr(substr(c, instr(c, ', ') + 2)
    || ' ', ' ')) = '' OR substr(substr(substr(c, instr(c, ', ') + 2), instr(substr(c, instr(c,
    ', ') + 2) || ' ', ' ')), 1, 3) = ' - ' OR substr(substr(substr(c, instr(c, ', ') + 2),
    instr(substr(c, instr(c, ', ') + 2) || ' ', ' ')), 1, 2) IN (' (', ' [')) AND
    instr(substr(c, 1, instr(c, ', ') - 1), ' - ') = 0 AND instr(substr(c, 1, instr(c, ', ') -
    1), ' (') = 0 AND instr(substr(c, 1, instr(c, ', ') - 1), ' [') = 0 THEN
    rr_fold(substr(substr(c, instr(c, ', ') + 2), 1, instr(substr(c, instr(c, ', ') + 2) || ' ',
    ' ') - 1) || ' ' || substr(c, 1, instr(c, ', ') - 1) || substr(substr(c, instr(c, ', ') +
    2), instr(substr(c, instr(c, ', ') + 2) || ' ', ' '))) END AS b FROM (SELECT old.id AS k,
    old.detected_title AS t, rr_title(coalesce(old.catalog_name, old.catalog_title)) AS c))
    WHERE a IS NOT NULL OR b IS NOT NULL;
END;
CREATE TRIGGER games_fts_reading_update AFTER UPDATE OF detected_title, matched_game_id,
    catalog_name ON games
WHEN (old.detected_title IS NOT new.detected_title OR old.catalog_title IS NOT new.catalog_title
      OR old.catalog_name IS NOT new.catalog_name)
  AND NOT EXISTS (SELECT 1 FROM games_pending WHERE old.id >= first_id)
BEGIN
    INSERT INTO games_fts_reading (games_fts_reading, rowid, detected_title, catalog_title)
    SELECT 'delete', k, a, b FROM (SELECT k, CASE WHEN instr(t, ', ') > 1 AND
    lower(substr(substr(t, instr(t, ', ') + 2), 1, instr(substr(t, instr(t, ', ') + 2) || ' ',
    ' ') - 1)) IN ('the', 'a', 'an', 'les', 'la', 'le', 'die', 'der', 'das', 'el', 'los', 'las',
    'il') AND (substr(substr(t, instr(t, ', ') + 2), instr(substr(t, instr(t, ', ') + 2) || ' ',
    ' ')) = '' OR substr(substr(substr(t, instr(t, ', ') + 2), instr(substr(t, instr(t, ', ') +
    2) || ' ', ' ')), 1, 3) = ' - ' OR substr(substr(substr(t, instr(t, ', ') + 2),
    instr(substr(t, instr(t, ', ') + 2) || ' ', ' ')), 1, 2) IN (' (', ' [')) AND
    instr(substr(t, 1, instr(t, ', ') - 1), ' - ') = 0 AND instr(substr(t, 1, instr(t, ', ') -
    1), ' (') = 0 AND instr(substr(t, 1, instr(t, ', ') - 1), ' [') = 0 THEN
    rr_fold(substr(substr(t, instr(t, ', ') + 2), 1, instr(substr(t, instr(t, ', ') + 2) || ' ',
    ' ') - 1) || ' ' || substr(t, 1, instr(t, ', ') - 1) || substr(substr(t, instr(t, ', ') +
    2), instr(substr(t, instr(t, ', ') + 2) || ' ', ' '))) END AS a, CASE WHEN instr(c, ', ') >
    1 AND lower(substr(substr(c, instr(c, ', ') + 2), 1, instr(substr(c, instr(c, ', ') + 2) ||
    ' ', ' ') - 1)) IN ('the', 'a', 'an', 'les', 'la', 'le', 'die', 'der', 'das', 'el', 'los',
    'las', 'il') AND (substr(substr(c, instr(c, ', ') + 2), instr(substr(c, instr(c, ', ') + 2)
    || ' ', ' ')) = '' OR substr(substr(substr(c, instr(c, ', ') + 2), instr(substr(c, instr(c,
    ', ') + 2) || ' ', ' ')), 1, 3) = ' - ' OR substr(substr(substr(c, instr(c, ', ') + 2),
    instr(substr(c, instr(c, ', ') + 2) || ' ', ' ')), 1, 2) IN (' (', ' [')) AND
    instr(substr(c, 1, instr(c, ', ') - 1), ' - ') = 0 AND instr(substr(c, 1, instr(c, ', ') -
    1), ' (') = 0 AND instr(substr(c, 1, instr(c, ', ') - 1), ' [') = 0 THEN
    rr_fold(substr(substr(c, instr(c, ', ') + 2), 1, instr(substr(c, instr(c, ', ') + 2) || ' ',
    ' ') - 1) || ' ' || substr(c, 1, instr(c, ', ') - 1) || substr(substr(c, instr(c, ', ') +
    2), instr(substr(c, instr(c, ', ') + 2) || ' ', ' '))) END AS b FROM (SELECT old.id AS k,
    old.detected_title AS t, rr_title(coalesce(old.catalog_name, old.catalog_title)) AS c))
    WHERE a IS NOT NULL OR b IS NOT NULL;
    INSERT INTO games_fts_reading (rowid, detected_title, catalog_title)
    SELECT k, a, b FROM (SELECT k, CASE WHEN instr(t, ', ') > 1 AND lower(substr(substr(t,
    instr(t, ', ') + 2), 1, instr(substr(t, instr(t, ', ') + 2) || ' ', ' ') - 1)) IN ('the',
    'a', 'an', 'les', 'la', 'le', 'die', 'der', 'das', 'el', 'los', 'las', 'il') AND
    (substr(substr(t, instr(t, ', ') + 2), instr(substr(t, instr(t, ', ') + 2) || ' ', ' ')) =
    '' OR substr(substr(substr(t, instr(t, ', ') + 2), instr(substr(t, instr(t, ', ') + 2) ||
    ' ', ' ')), 1, 3) = ' - ' OR substr(substr(substr(t, instr(t, ', ') + 2), instr(substr(t,
    instr(t, ', ') + 2) || ' ', ' ')), 1, 2) IN (' (', ' [')) AND instr(substr(t, 1, instr(t,
    ', ') - 1), ' - ') = 0 AND instr(substr(t, 1, instr(t, ', ') - 1), ' (') = 0 AND
    instr(substr(t, 1, instr(t, ', ') - 1), ' [') = 0 THEN rr_fold(substr(substr(t, instr(t,
    ', ') + 2), 1, instr(substr(t, instr(t, ', ') + 2) || ' ', ' ') - 1) || ' ' || substr(t, 1,
    instr(t, ', ') - 1) || substr(substr(t, instr(t, ', ') + 2), instr(substr(t, instr(t, ', ')
    + 2) || ' ', ' '))) END AS a, CASE WHEN instr(c, ', ') > 1 AND lower(substr(substr(c,
    instr(c, ', ') + 2), 1, instr(substr(c, instr(c, ', ') + 2) || ' ', ' ') - 1)) IN ('the',
    'a', 'an', 'les', 'la', 'le', 'die', 'der', 'das', 'el', 'los', 'las', 'il') AND
    (substr(substr(c, instr(c, ', ') + 2), instr(substr(c, instr(c, ', ') + 2) || ' ', ' ')) =
    '' OR substr(substr(substr(c, instr(c, ', ') + 2), instr(substr(c, instr(c, ', ') + 2) ||
    ' ', ' ')), 1, 3) = ' - ' OR substr(substr(substr(c, instr(c, ', ') + 2), instr(substr(c,
    instr(c, ', ') + 2) || ' ', ' ')), 1, 2) IN (' (', ' [')) AND instr(substr(c, 1, instr(c,
    ', ') - 1), ' - ') = 0 AND instr(substr(c, 1, instr(c, ', ') - 1), ' (') = 0 AND
    instr(substr(c, 1, instr(c, ', ') - 1), ' [') = 0 THEN rr_fold(substr(substr(c, instr(c,
    ', ') + 2), 1, instr(substr(c, instr(c, ', ') + 2) || ' ', ' ') - 1) || ' ' || substr(c, 1,
    instr(c, ', ') - 1) || substr(substr(c, instr(c, ', ') + 2), instr(substr(c, instr(c, ', ')
    + 2) || ' ', ' '))) END AS b FROM (SELECT new.id AS k, new.detected_title AS t,
    rr_title(coalesce(new.catalog_name, new.catalog_title)) AS c)) WHERE a IS NOT NULL OR b IS
    NOT NULL;
END;
INSERT INTO games_fts (games_fts) SELECT 'delete-all' WHERE EXISTS (
    SELECT 1 FROM games WHERE rr_title(coalesce(catalog_name, catalog_title)) <>
        coalesce(catalog_name, catalog_title));
INSERT INTO games_fts (rowid, detected_title, catalog_title)
SELECT id, CASE WHEN title_norm IS rr_fold(detected_title) THEN title_norm
                 ELSE coalesce(rr_fold(detected_title), '') || ' ' || char(57344) END,
       rr_fold(rr_title(coalesce(catalog_name, catalog_title)))
FROM games
WHERE EXISTS (
    SELECT 1 FROM games WHERE rr_title(coalesce(catalog_name, catalog_title)) <>
        coalesce(catalog_name, catalog_title));
INSERT INTO games_fts_reading (games_fts_reading) SELECT 'delete-all' WHERE EXISTS (
    SELECT 1 FROM games WHERE rr_title(coalesce(catalog_name, catalog_title)) <>
        coalesce(catalog_name, catalog_title));
INSERT INTO games_fts_reading (rowid, detected_title, catalog_title)
SELECT k, a, b FROM (SELECT k, CASE WHEN instr(t, ', ') > 1 AND lower(substr(substr(t, instr(t,
', ') + 2), 1, instr(substr(t, instr(t, ', ') + 2) || ' ', ' ') - 1)) IN ('the', 'a', 'an',
'les', 'la', 'le', 'die', 'der', 'das', 'el', 'los', 'las', 'il') AND (substr(substr(t, instr(t,
', ') + 2), instr(substr(t, instr(t, ', ') + 2) || ' ', ' ')) = '' OR substr(substr(substr(t,
instr(t, ', ') + 2), instr(substr(t, instr(t, ', ') + 2) || ' ', ' ')), 1, 3) = ' - ' OR
substr(substr(substr(t, instr(t, ', ') + 2), instr(substr(t, instr(t, ', ') + 2) || ' ', ' ')),
1, 2) IN (' (', ' [')) AND instr(substr(t, 1, instr(t, ', ') - 1), ' - ') = 0 AND
instr(substr(t, 1, instr(t, ', ') - 1), ' (') = 0 AND instr(substr(t, 1, instr(t, ', ') - 1),
' [') = 0 THEN rr_fold(substr(substr(t, instr(t, ', ') + 2), 1, instr(substr(t, instr(t, ', ') +
2) || ' ', ' ') - 1) || ' ' || substr(t, 1, instr(t, ', ') - 1) || substr(substr(t, instr(t,
', ') + 2), instr(substr(t, instr(t, ', ') + 2) || ' ', ' '))) END AS a, CASE WHEN instr(c,
', ') > 1 AND lower(substr(substr(c, instr(c, ', ') + 2), 1, instr(substr(c, instr(c, ', ') + 2)
|| ' ', ' ') - 1)) IN ('the', 'a', 'an', 'les', 'la', 'le', 'die', 'der', 'das', 'el', 'los',
'las', 'il') AND (substr(substr(c, instr(c, ', ') + 2), instr(substr(c, instr(c, ', ') + 2) ||
' ', ' ')) = '' OR substr(substr(substr(c, instr(c, ', ') + 2), instr(substr(c, instr(c, ', ') +
2) || ' ', ' ')), 1, 3) = ' - ' OR substr(substr(substr(c, instr(c, ', ') + 2), instr(substr(c,
instr(c, ', ') + 2) || ' ', ' ')), 1, 2) IN (' (', ' [')) AND instr(substr(c, 1, instr(c, ', ')
- 1), ' - ') = 0 AND instr(substr(c, 1, instr(c, ', ') - 1), ' (') = 0 AND instr(substr(c, 1,
instr(c, ', ') - 1), ' [') = 0 THEN rr_fold(substr(substr(c, instr(c, ', ') + 2), 1,
instr(substr(c, instr(c, ', ') + 2) || ' ', ' ') - 1) || ' ' || substr(c, 1, instr(c, ', ') - 1)
|| substr(substr(c, instr(c, ', ') + 2), instr(substr(c, instr(c, ', ') + 2) || ' ', ' '))) END
AS b FROM (SELECT id AS k, detected_title AS t, rr_title(coalesce(catalog_name, catalog_title))
AS c FROM games WHERE EXISTS (SELECT 1 FROM games WHERE rr_title(coalesce(catalog_name,
catalog_title)) <> coalesce(catalog_name, catalog_title)))) WHERE a IS NOT NULL OR b IS NOT
NULL;
-- end: fts5

UPDATE schema_version SET schema_version = 37, applied_at = CURRENT_TIMESTAMP,
    notes = 'ROM Runner schema v1.3.23 (a catalog title is searched without its tags)';
