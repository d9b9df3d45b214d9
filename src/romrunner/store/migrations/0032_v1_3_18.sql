-- ROM Runner schema v1.3.18 (schema_version 32): a quoted phrase is found in a title as it
-- reads.
-- changes_data: no

-- No-Intro writes the article that begins a title after its main title: "Legend of Zelda,
-- The - A Link to the Past". The search index holds the title as written, so a quoted
-- `"the legend"` or `"the hunt"` found nothing unless the phrase ran to the comma, and a
-- phrase's article moved after its later words ("zelda the") found "Zelda - The Legend
-- Begins" too. `games_fts_reading` holds, for the games whose title or catalog title reads
-- otherwise than it is written (3-4% of a No-Intro library: 4,088 of the scale benchmark's
-- 100k; no row for the others), each folded as it reads, "the legend of zelda a link to the
-- past": a phrase is found in the title as written or as it reads. The SQL below is
-- romrunner.search.index.reading_sql's: the first ", " followed by an article that ends the
-- main title (before " - ", " (", " [" or the end). Word searches and their ranking read
-- games_fts alone, unchanged. Its rows are made here for the games there are; the scan
-- writer adds its new games' rows with theirs (index_games), and these triggers mirror
-- updates and deletes, leaving out the games a scan writer has not indexed yet
-- (games_pending, migration 19).

-- begin: fts5
CREATE VIRTUAL TABLE games_fts_reading USING fts5(
    detected_title, catalog_title,
    content = '', tokenize = 'ascii'
);
INSERT INTO games_fts_reading (rowid, detected_title, catalog_title)
SELECT k, a, b FROM (SELECT k, CASE WHEN instr(t, ', ') > 1 AND lower(substr(substr(t, instr(t,
    ', ') + 2), 1, instr(substr(t, instr(t, ', ') + 2) || ' ', ' ') - 1)) IN ('the', 'a', 'an',
    'les', 'la', 'le', 'die', 'der', 'das', 'el', 'los', 'las', 'il') AND (substr(substr(t,
    instr(t, ', ') + 2), instr(substr(t, instr(t, ', ') + 2) || ' ', ' ')) = '' OR
    substr(substr(substr(t, instr(t, ', ') + 2), instr(substr(t, instr(t, ', ') + 2) || ' ',
    ' ')), 1, 3) = ' - ' OR substr(substr(substr(t, instr(t, ', ') + 2), instr(substr(t,
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
    + 2) || ' ', ' '))) END AS b FROM (SELECT id AS k, detected_title AS t,
    coalesce(catalog_name, catalog_title) AS c FROM games)) WHERE a IS NOT NULL OR b IS NOT NULL;
CREATE TRIGGER games_fts_reading_delete AFTER DELETE ON games
WHEN NOT EXISTS (SELECT 1 FROM games_pending WHERE old.id >= first_id)
BEGIN
    INSERT INTO games_fts_reading (games_fts_reading, rowid, detected_title, catalog_title)
    SELECT 'delete', k, a, b FROM (SELECT k, CASE WHEN instr(t, ', ') > 1 AND
        lower(substr(substr(t, instr(t, ', ') + 2), 1, instr(substr(t, instr(t, ', ') + 2) ||
        ' ', ' ') - 1)) IN ('the', 'a', 'an', 'les', 'la', 'le', 'die', 'der', 'das', 'el',
        'los', 'las', 'il') AND (substr(substr(t, instr(t, ', ') + 2), instr(substr(t, instr(t,
        ', ') + 2) || ' ', ' ')) = '' OR substr(substr(substr(t, instr(t, ', ') + 2),
        instr(substr(t, instr(t, ', ') + 2) || ' ', ' ')), 1, 3) = ' - ' OR
        substr(substr(substr(t, instr(t, ', ') + 2), instr(substr(t, instr(t, ', ') + 2) || ' ',
        ' ')), 1, 2) IN (' (', ' [')) AND instr(substr(t, 1, instr(t, ', ') - 1), ' - ') = 0 AND
        instr(substr(t, 1, instr(t, ', ') - 1), ' (') = 0 AND instr(substr(t, 1, instr(t, ', ')
        - 1), ' [') = 0 THEN rr_fold(substr(substr(t, instr(t, ', ') + 2), 1, instr(substr(t,
        instr(t, ', ') + 2) || ' ', ' ') - 1) || ' ' || substr(t, 1, instr(t, ', ') - 1) ||
        substr(substr(t, instr(t, ', ') + 2), instr(substr(t, instr(t, ', ') + 2) || ' ', ' ')))
        END AS a, CASE WHEN instr(c, ', ') > 1 AND lower(substr(substr(c, instr(c, ', ') + 2),
        1, instr(substr(c, instr(c, ', ') + 2) || ' ', ' ') - 1)) IN ('the', 'a', 'an', 'les',
        'la', 'le', 'die', 'der', 'das', 'el', 'los', 'las', 'il') AND (substr(substr(c,
        instr(c, ', ') + 2), instr(substr(c, instr(c, ', ') + 2) || ' ', ' ')) = '' OR
        substr(substr(substr(c, instr(c, ', ') + 2), instr(substr(c, instr(c, ', ') + 2) || ' ',
        ' ')), 1, 3) = ' - ' OR substr(substr(substr(c, instr(c, ', ') + 2), instr(substr(c,
        instr(c, ', ') + 2) || ' ', ' ')), 1, 2) IN (' (', ' [')) AND instr(substr(c, 1,
        instr(c, ', ') - 1), ' - ') = 0 AND instr(substr(c, 1, instr(c, ', ') - 1), ' (') = 0
        AND instr(substr(c, 1, instr(c, ', ') - 1), ' [') = 0 THEN rr_fold(substr(substr(c,
        instr(c, ', ') + 2), 1, instr(substr(c, instr(c, ', ') + 2) || ' ', ' ') - 1) || ' ' ||
        substr(c, 1, instr(c, ', ') - 1) || substr(substr(c, instr(c, ', ') + 2),
        instr(substr(c, instr(c, ', ') + 2) || ' ', ' '))) END AS b FROM (SELECT old.id AS k,
        old.detected_title AS t, coalesce(old.catalog_name, old.catalog_title) AS c)) WHERE a IS
        NOT NULL OR b IS NOT NULL;
END;
CREATE TRIGGER games_fts_reading_update AFTER UPDATE OF detected_title, matched_game_id,
    catalog_name ON games
WHEN (old.detected_title IS NOT new.detected_title OR old.catalog_title IS NOT new.catalog_title
      OR old.catalog_name IS NOT new.catalog_name)
  AND NOT EXISTS (SELECT 1 FROM games_pending WHERE old.id >= first_id)
BEGIN
    INSERT INTO games_fts_reading (games_fts_reading, rowid, detected_title, catalog_title)
    SELECT 'delete', k, a, b FROM (SELECT k, CASE WHEN instr(t, ', ') > 1 AND
        lower(substr(substr(t, instr(t, ', ') + 2), 1, instr(substr(t, instr(t, ', ') + 2) ||
        ' ', ' ') - 1)) IN ('the', 'a', 'an', 'les', 'la', 'le', 'die', 'der', 'das', 'el',
        'los', 'las', 'il') AND (substr(substr(t, instr(t, ', ') + 2), instr(substr(t, instr(t,
        ', ') + 2) || ' ', ' ')) = '' OR substr(substr(substr(t, instr(t, ', ') + 2),
        instr(substr(t, instr(t, ', ') + 2) || ' ', ' ')), 1, 3) = ' - ' OR
        substr(substr(substr(t, instr(t, ', ') + 2), instr(substr(t, instr(t, ', ') + 2) || ' ',
        ' ')), 1, 2) IN (' (', ' [')) AND instr(substr(t, 1, instr(t, ', ') - 1), ' - ') = 0 AND
        instr(substr(t, 1, instr(t, ', ') - 1), ' (') = 0 AND instr(substr(t, 1, instr(t, ', ')
        - 1), ' [') = 0 THEN rr_fold(substr(substr(t, instr(t, ', ') + 2), 1, instr(substr(t,
        instr(t, ', ') + 2) || ' ', ' ') - 1) || ' ' || substr(t, 1, instr(t, ', ') - 1) ||
        substr(substr(t, instr(t, ', ') + 2), instr(substr(t, instr(t, ', ') + 2) || ' ', ' ')))
        END AS a, CASE WHEN instr(c, ', ') > 1 AND lower(substr(substr(c, instr(c, ', ') + 2),
        1, instr(substr(c, instr(c, ', ') + 2) || ' ', ' ') - 1)) IN ('the', 'a', 'an', 'les',
        'la', 'le', 'die', 'der', 'das', 'el', 'los', 'las', 'il') AND (substr(substr(c,
        instr(c, ', ') + 2), instr(substr(c, instr(c, ', ') + 2) || ' ', ' ')) = '' OR
        substr(substr(substr(c, instr(c, ', ') + 2), instr(substr(c, instr(c, ', ') + 2) || ' ',
        ' ')), 1, 3) = ' - ' OR substr(substr(substr(c, instr(c, ', ') + 2), instr(substr(c,
        instr(c, ', ') + 2) || ' ', ' ')), 1, 2) IN (' (', ' [')) AND instr(substr(c, 1,
        instr(c, ', ') - 1), ' - ') = 0 AND instr(substr(c, 1, instr(c, ', ') - 1), ' (') = 0
        AND instr(substr(c, 1, instr(c, ', ') - 1), ' [') = 0 THEN rr_fold(substr(substr(c,
        instr(c, ', ') + 2), 1, instr(substr(c, instr(c, ', ') + 2) || ' ', ' ') - 1) || ' ' ||
        substr(c, 1, instr(c, ', ') - 1) || substr(substr(c, instr(c, ', ') + 2),
        instr(substr(c, instr(c, ', ') + 2) || ' ', ' '))) END AS b FROM (SELECT old.id AS k,
        old.detected_title AS t, coalesce(old.catalog_name, old.catalog_title) AS c)) WHERE a IS
        NOT NULL OR b IS NOT NULL;
    INSERT INTO games_fts_reading (rowid, detected_title, catalog_title)
    SELECT k, a, b FROM (SELECT k, CASE WHEN instr(t, ', ') > 1 AND lower(substr(substr(t,
        instr(t, ', ') + 2), 1, instr(substr(t, instr(t, ', ') + 2) || ' ', ' ') - 1)) IN
        ('the', 'a', 'an', 'les', 'la', 'le', 'die', 'der', 'das', 'el', 'los', 'las', 'il') AND
        (substr(substr(t, instr(t, ', ') + 2), instr(substr(t, instr(t, ', ') + 2) || ' ', ' '))
        = '' OR substr(substr(substr(t, instr(t, ', ') + 2), instr(substr(t, instr(t, ', ') + 2)
        || ' ', ' ')), 1, 3) = ' - ' OR substr(substr(substr(t, instr(t, ', ') + 2),
        instr(substr(t, instr(t, ', ') + 2) || ' ', ' ')), 1, 2) IN (' (', ' [')) AND
        instr(substr(t, 1, instr(t, ', ') - 1), ' - ') = 0 AND instr(substr(t, 1, instr(t, ', ')
        - 1), ' (') = 0 AND instr(substr(t, 1, instr(t, ', ') - 1), ' [') = 0 THEN
        rr_fold(substr(substr(t, instr(t, ', ') + 2), 1, instr(substr(t, instr(t, ', ') + 2) ||
        ' ', ' ') - 1) || ' ' || substr(t, 1, instr(t, ', ') - 1) || substr(substr(t, instr(t,
        ', ') + 2), instr(substr(t, instr(t, ', ') + 2) || ' ', ' '))) END AS a, CASE WHEN
        instr(c, ', ') > 1 AND lower(substr(substr(c, instr(c, ', ') + 2), 1, instr(substr(c,
        instr(c, ', ') + 2) || ' ', ' ') - 1)) IN ('the', 'a', 'an', 'les', 'la', 'le', 'die',
        'der', 'das', 'el', 'los', 'las', 'il') AND (substr(substr(c, instr(c, ', ') + 2),
        instr(substr(c, instr(c, ', ') + 2) || ' ', ' ')) = '' OR substr(substr(substr(c,
        instr(c, ', ') + 2), instr(substr(c, instr(c, ', ') + 2) || ' ', ' ')), 1, 3) = ' - ' OR
        substr(substr(substr(c, instr(c, ', ') + 2), instr(substr(c, instr(c, ', ') + 2) || ' ',
        ' ')), 1, 2) IN (' (', ' [')) AND instr(substr(c, 1, instr(c, ', ') - 1), ' - ') = 0 AND
        instr(substr(c, 1, instr(c, ', ') - 1), ' (') = 0 AND instr(substr(c, 1, instr(c, ', ')
        - 1), ' [') = 0 THEN rr_fold(substr(substr(c, instr(c, ', ') + 2), 1, instr(substr(c,
        instr(c, ', ') + 2) || ' ', ' ') - 1) || ' ' || substr(c, 1, instr(c, ', ') - 1) ||
        substr(substr(c, instr(c, ', ') + 2), instr(substr(c, instr(c, ', ') + 2) || ' ', ' ')))
        END AS b FROM (SELECT new.id AS k, new.detected_title AS t, coalesce(new.catalog_name,
        new.catalog_title) AS c)) WHERE a IS NOT NULL OR b IS NOT NULL;
END;
-- end: fts5

UPDATE schema_version SET schema_version = 32, applied_at = CURRENT_TIMESTAMP,
    notes = 'ROM Runner schema v1.3.18 (a quoted phrase is found in a title as it reads)';
