-- ROM Runner schema v1.3.3 (schema_version 17): the search index's title column holds
-- `title_norm` where it is the folded title.
-- changes_data: no

-- A query with fields and a common free word ("platform:nes region:usa super", 42k matches
-- at 1M games) scans the platform's facet index in title order and tests every entry
-- against the word. Testing membership in the word's matches cost ~230 ns an entry plus
-- building the list of the 42k matches (docs/PERFORMANCE.md, issue 13); testing the word on
-- `title_norm`, which the facet index holds, costs a fraction of that
-- (romrunner.library.query). For that test to answer exactly what the index answers:
--   * the title column holds `title_norm` when it is rr_fold(detected_title), as the
--     writers store it; otherwise (a title_norm made from the file name, or written another
--     way) rr_fold(detected_title) followed by the mark U+E000, a word no folded text can
--     hold or type: the query tests those few games through the index alone;
--   * the games whose catalog title has a word their title lacks are a small set the index
--     finds (`catalog_title : w NOT detected_title : w`), cheaply for common words with
--     prefix indexes up to 6 letters.
-- The column keeps its name; what it matches (the folded detected title) is unchanged.
-- begin: fts5
DROP TRIGGER IF EXISTS games_fts_delete;
DROP TRIGGER IF EXISTS games_fts_update;
DROP TABLE IF EXISTS games_fts;
CREATE VIRTUAL TABLE games_fts USING fts5(
    detected_title, catalog_title,
    content = '', tokenize = 'ascii', prefix = '2 3 4 5 6'
);
INSERT INTO games_fts (rowid, detected_title, catalog_title)
SELECT id, CASE WHEN title_norm IS rr_fold(detected_title) THEN title_norm
                ELSE coalesce(rr_fold(detected_title), '') || ' ' || char(57344) END,
       rr_fold(catalog_title)
FROM games;
INSERT INTO games_fts (games_fts) VALUES ('optimize');
CREATE TRIGGER games_fts_delete AFTER DELETE ON games BEGIN
    INSERT INTO games_fts (games_fts, rowid, detected_title, catalog_title)
    VALUES ('delete', old.id,
            CASE WHEN old.title_norm IS rr_fold(old.detected_title) THEN old.title_norm
                 ELSE coalesce(rr_fold(old.detected_title), '') || ' ' || char(57344) END,
            rr_fold(old.catalog_title));
END;
CREATE TRIGGER games_fts_update AFTER UPDATE OF detected_title, title_norm, matched_game_id
ON games
WHEN old.detected_title IS NOT new.detected_title OR old.title_norm IS NOT new.title_norm
     OR old.catalog_title IS NOT new.catalog_title
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

UPDATE schema_version SET schema_version = 17, applied_at = CURRENT_TIMESTAMP,
    notes = 'ROM Runner schema v1.3.3 (search index title column holds title_norm)';
