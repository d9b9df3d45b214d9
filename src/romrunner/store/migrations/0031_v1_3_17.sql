-- ROM Runner schema v1.3.17 (schema_version 31): a title's terminal escape sequences fold as
-- separators.
-- changes_data: yes

-- rr_fold (romrunner.textnorm.fold) read a title holding a terminal escape sequence, a file
-- named "\x1b[31mRED\x1b[0m Evil (USA).nes", as the words "31mred 0m evil": dropping the ESC
-- alone, it joined the sequence's parameters to the next word, and neither `search red` nor
-- `games ls red evil` found it. It now folds each sequence as one separator ("red evil").
-- The games and catalog games whose titles hold an ESC (char 27) or a CSI (char 155) get
-- their title_norm folded again (as migration 8 did), and, where a title the search index
-- holds has one, the index is built again: its rows were made by the earlier fold, which its
-- triggers' deletes can no longer compute (a delete of values never indexed damages an FTS5
-- table). A library with no such title
-- (nearly all) has nothing rewritten. While games_pending holds a row the triggers leave
-- the games out (migration 19); the table is empty outside a scan writer's transaction.

-- begin: fts5
INSERT INTO games_pending (first_id) VALUES (0);
-- end: fts5

UPDATE games SET title_norm = coalesce(rr_fold(detected_title), rr_fold(filename), '')
WHERE title_norm IS NOT NULL
  AND (instr(detected_title, char(27)) > 0 OR instr(detected_title, char(155)) > 0)
  AND title_norm IS NOT coalesce(rr_fold(detected_title), rr_fold(filename), '');
UPDATE catalog_games SET title_norm = rr_fold(name)
WHERE (instr(name, char(27)) > 0 OR instr(name, char(155)) > 0)
  AND title_norm IS NOT rr_fold(name);

-- begin: fts5
INSERT INTO games_fts (games_fts)
SELECT 'delete-all' WHERE EXISTS (
    SELECT 1 FROM games
    WHERE instr(detected_title, char(27)) > 0 OR instr(detected_title, char(155)) > 0
       OR instr(coalesce(catalog_name, catalog_title), char(27)) > 0
       OR instr(coalesce(catalog_name, catalog_title), char(155)) > 0);
INSERT INTO games_fts (rowid, detected_title, catalog_title)
SELECT id, CASE WHEN title_norm IS rr_fold(detected_title) THEN title_norm
                ELSE coalesce(rr_fold(detected_title), '') || ' ' || char(57344) END,
       rr_fold(coalesce(catalog_name, catalog_title))
FROM games
WHERE EXISTS (
    SELECT 1 FROM games
    WHERE instr(detected_title, char(27)) > 0 OR instr(detected_title, char(155)) > 0
       OR instr(coalesce(catalog_name, catalog_title), char(27)) > 0
       OR instr(coalesce(catalog_name, catalog_title), char(155)) > 0);
DELETE FROM games_pending WHERE first_id = 0;
-- end: fts5

UPDATE schema_version SET schema_version = 31, applied_at = CURRENT_TIMESTAMP,
    notes = 'ROM Runner schema v1.3.17 (terminal escape sequences fold as separators)';
