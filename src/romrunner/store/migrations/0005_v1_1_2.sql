-- ROM Runner schema v1.1.2 (schema_version 5).
-- changes_data: no

-- 1. Known BIOS hashes from sources other than the pack (libretro's System.dat), kept as
--    imported and merged with the pack's entries when used, so a pack update re-decides
--    conflicts without a re-import.
CREATE TABLE bios_extra_hashes (
    id          INTEGER PRIMARY KEY,
    source      TEXT NOT NULL,               -- the DAT's name, e.g. 'System'
    version     TEXT,                        -- the DAT's version, e.g. 'v1.19.0'
    source_path TEXT NOT NULL,
    section     TEXT NOT NULL,               -- the DAT's system comment, e.g. 'Sony - PlayStation'
    platform_id TEXT,                        -- pack platform of the section, when known
    name        TEXT NOT NULL,               -- as the DAT gives it, may hold a subfolder
    size        INTEGER,
    crc32       TEXT,
    md5         TEXT,
    sha1        TEXT,
    imported_at TEXT NOT NULL DEFAULT CURRENT_TIMESTAMP
);
CREATE INDEX idx_bios_extra_source ON bios_extra_hashes(source);  -- a re-import replaces its rows

-- 2. The search index covers the two titles, not the file name: measured (docs/PERFORMANCE.md),
--    the file name column cost 110 of the index's 201 bytes per game (its words repeat the
--    titles' plus tags and extension), putting FTS over its 150 B budget; without it, 92 B.
--    A file's title is detected from its name, and the tags have their own columns.
-- begin: fts5
DROP TRIGGER IF EXISTS games_fts_update;
DROP TRIGGER IF EXISTS games_fts_delete;
DROP TABLE IF EXISTS games_fts;
CREATE VIRTUAL TABLE games_fts USING fts5(
    detected_title, catalog_title,
    content = 'games', content_rowid = 'id',
    tokenize = 'unicode61 remove_diacritics 2', prefix = '2 3 4'
);
INSERT INTO games_fts (games_fts) VALUES ('rebuild');
INSERT INTO games_fts (games_fts) VALUES ('optimize');
CREATE TRIGGER games_fts_delete AFTER DELETE ON games BEGIN
    INSERT INTO games_fts (games_fts, rowid, detected_title, catalog_title)
    VALUES ('delete', old.id, old.detected_title, old.catalog_title);
END;
CREATE TRIGGER games_fts_update AFTER UPDATE OF detected_title, catalog_title ON games
WHEN old.detected_title IS NOT new.detected_title OR old.catalog_title IS NOT new.catalog_title
BEGIN
    INSERT INTO games_fts (games_fts, rowid, detected_title, catalog_title)
    VALUES ('delete', old.id, old.detected_title, old.catalog_title);
    INSERT INTO games_fts (rowid, detected_title, catalog_title)
    VALUES (new.id, new.detected_title, new.catalog_title);
END;
-- end: fts5

UPDATE schema_version SET schema_version = 5, applied_at = CURRENT_TIMESTAMP,
    notes = 'ROM Runner schema v1.1.2 (System.dat BIOS hashes; search index over titles)';
