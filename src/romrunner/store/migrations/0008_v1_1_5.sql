-- ROM Runner schema v1.1.5 (schema_version 8): search and name matching keep the letters of
-- every script.
-- changes_data: yes

-- textnorm.fold used to keep only [0-9a-z] after removing diacritics: Japanese, Chinese,
-- Cyrillic and Greek titles folded to nothing, "Straße" to "stra e", "Ünïcødé" to "unic de".
-- It now keeps the letters and digits of every script (ß -> ss, Æ -> ae, ø -> o) and makes
-- each Chinese/Japanese character a word of its own. Everything stored from it is rebuilt
-- here, with the new fold (rr_fold is the engine's SQL function for textnorm.fold):
-- the title sort/prefix key of games, the catalog's folded names (identification's name
-- pass) and the search index. An ASCII name folds as before, so only rows with another
-- character are rewritten (the GLOB finds them without calling rr_fold on every row).

UPDATE games SET title_norm = coalesce(rr_fold(detected_title), rr_fold(filename), '')
WHERE title_norm IS NOT NULL
  AND (detected_title GLOB '*[^ -~]*' OR (detected_title IS NULL AND filename GLOB '*[^ -~]*'))
  AND title_norm IS NOT coalesce(rr_fold(detected_title), rr_fold(filename), '');

UPDATE catalog_games SET title_norm = rr_fold(name)
WHERE name GLOB '*[^ -~]*' AND title_norm IS NOT rr_fold(name);

-- The search index holds the folded titles (contentless: it stores only the index), so the
-- query and the index are folded by the same function; FTS5's own unicode61 folding knew
-- neither ß nor æ nor a word boundary inside a Japanese title. The 'ascii' tokenizer splits
-- the folded text exactly at its spaces (every non-ASCII character is part of a word).
-- begin: fts5
DROP TRIGGER IF EXISTS games_fts_update;
DROP TRIGGER IF EXISTS games_fts_delete;
DROP TABLE IF EXISTS games_fts;
CREATE VIRTUAL TABLE games_fts USING fts5(
    detected_title, catalog_title,
    content = '', tokenize = 'ascii', prefix = '2 3 4'
);
INSERT INTO games_fts (rowid, detected_title, catalog_title)
SELECT id, rr_fold(detected_title), rr_fold(catalog_title) FROM games;
INSERT INTO games_fts (games_fts) VALUES ('optimize');
CREATE TRIGGER games_fts_delete AFTER DELETE ON games BEGIN
    INSERT INTO games_fts (games_fts, rowid, detected_title, catalog_title)
    VALUES ('delete', old.id, rr_fold(old.detected_title), rr_fold(old.catalog_title));
END;
CREATE TRIGGER games_fts_update AFTER UPDATE OF detected_title, catalog_title ON games
WHEN old.detected_title IS NOT new.detected_title OR old.catalog_title IS NOT new.catalog_title
BEGIN
    INSERT INTO games_fts (games_fts, rowid, detected_title, catalog_title)
    VALUES ('delete', old.id, rr_fold(old.detected_title), rr_fold(old.catalog_title));
    INSERT INTO games_fts (rowid, detected_title, catalog_title)
    VALUES (new.id, rr_fold(new.detected_title), rr_fold(new.catalog_title));
END;
-- end: fts5

UPDATE schema_version SET schema_version = schema_version + 1, applied_at = CURRENT_TIMESTAMP,
    notes = 'ROM Runner schema v1.1.5 (folding keeps every script: search index and folded names rebuilt)';
