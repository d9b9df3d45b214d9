-- ROM Runner schema v1.3.0 (schema_version 14): a leaner games row (issue 18, goal 3).
-- changes_data: yes
-- foreign_keys: off

-- At 1,000,000 games a row of `games` with its indexes took 692 B (budget 400), plus 30 B of
-- archive members (docs/PERFORMANCE.md, "Scale"). What it stored twice or wide:
--   * three hashes as hex text (80 B in the row, twice that again in the hash indexes):
--     now BLOBs (`*_bin`: CRC32 4 bytes, MD5 16, SHA1 20), here and in the catalog
--     (`catalog_roms`), so identification still joins column to column through the
--     indexes; lowercase hex stays the external format, and the old column names are
--     VIRTUAL generated columns that show it (they take no byte on disk);
--   * `filename`, the last component of `filepath` (~45 B): a VIRTUAL column now;
--   * three text scan times (57 B): Unix seconds (`*_unix`), shown as the engine's UTC text
--     by VIRTUAL columns of the old names (as the cache tables did in v1.1.4);
--   * `catalog_title`, the catalog game's name, which its id already holds
--     (`platform:name`, catalog/importer.py): a VIRTUAL column (~35 B per identified game);
--     the search index's update trigger now watches `matched_game_id`.
-- Writers write the stored columns; readers may keep reading the old names. A WHERE on a
-- hash must name the `_bin` column (with a BLOB: `romrunner.hashbin.to_blob`), or it scans.
-- Indexes that hold only NULLs for many rows become partial (match, MD5, CRC32).
-- A hash that is not well-formed hex (the engine never wrote one) is dropped by rr_unhex.

CREATE TABLE games_v14 (
    id                  INTEGER PRIMARY KEY AUTOINCREMENT,
    root_id             INTEGER NOT NULL REFERENCES library_roots(id),
    filepath            TEXT NOT NULL,
    file_size           INTEGER NOT NULL,
    file_mtime_ns       INTEGER,
    crc32_bin           BLOB,
    md5_bin             BLOB,
    sha1_bin            BLOB,
    header_size         INTEGER NOT NULL DEFAULT 0,
    nh_crc32_bin        BLOB,
    nh_md5_bin          BLOB,
    nh_sha1_bin         BLOB,
    platform_id         TEXT NOT NULL,
    platform_source     TEXT NOT NULL DEFAULT 'legacy'
                        CHECK (platform_source IN ('folder', 'extension', 'header', 'catalog', 'user', 'unknown', 'legacy')),
    platform_candidates TEXT,
    detected_title      TEXT,
    title_norm          TEXT,
    matched_game_id     TEXT,
    match_method        TEXT CHECK (match_method IN ('sha1', 'md5', 'crc32', 'name', 'tracks', 'user')),
    format              TEXT,
    is_archive          INTEGER NOT NULL DEFAULT 0 CHECK (is_archive IN (0, 1)),
    archive_contents    TEXT,
    needs_conversion    INTEGER NOT NULL DEFAULT 0 CHECK (needs_conversion IN (0, 1)),
    is_missing          INTEGER NOT NULL DEFAULT 0 CHECK (is_missing IN (0, 1)),
    region              TEXT,
    languages           TEXT,
    revision            TEXT,
    version             TEXT,
    disc_number         INTEGER,
    set_key             TEXT,
    flags               TEXT,
    is_hack             INTEGER NOT NULL DEFAULT 0 CHECK (is_hack IN (0, 1)),
    hack_type           TEXT,
    scan_error          TEXT,
    added_unix          INTEGER NOT NULL DEFAULT (CAST(strftime('%s', 'now') AS INTEGER)),
    updated_unix        INTEGER,
    scanned_unix        INTEGER,
    last_played_at      TEXT,
    disc_id             TEXT,
    disc_id_source      TEXT,
    filename            TEXT GENERATED ALWAYS AS
                        (substr(filepath, length(rtrim(filepath, replace(filepath, '/', ''))) + 1)) VIRTUAL,
    file_crc32          TEXT GENERATED ALWAYS AS (CASE WHEN crc32_bin IS NOT NULL THEN lower(hex(crc32_bin)) END) VIRTUAL,
    file_md5            TEXT GENERATED ALWAYS AS (CASE WHEN md5_bin IS NOT NULL THEN lower(hex(md5_bin)) END) VIRTUAL,
    file_sha1           TEXT GENERATED ALWAYS AS (CASE WHEN sha1_bin IS NOT NULL THEN lower(hex(sha1_bin)) END) VIRTUAL,
    nh_crc32            TEXT GENERATED ALWAYS AS (CASE WHEN nh_crc32_bin IS NOT NULL THEN lower(hex(nh_crc32_bin)) END) VIRTUAL,
    nh_md5              TEXT GENERATED ALWAYS AS (CASE WHEN nh_md5_bin IS NOT NULL THEN lower(hex(nh_md5_bin)) END) VIRTUAL,
    nh_sha1             TEXT GENERATED ALWAYS AS (CASE WHEN nh_sha1_bin IS NOT NULL THEN lower(hex(nh_sha1_bin)) END) VIRTUAL,
    added_at            TEXT GENERATED ALWAYS AS (datetime(added_unix, 'unixepoch')) VIRTUAL,
    updated_at          TEXT GENERATED ALWAYS AS (datetime(updated_unix, 'unixepoch')) VIRTUAL,
    last_scanned_at     TEXT GENERATED ALWAYS AS (datetime(scanned_unix, 'unixepoch')) VIRTUAL,
    catalog_title       TEXT GENERATED ALWAYS AS
                        (substr(matched_game_id, instr(matched_game_id, ':') + 1)) VIRTUAL
);

INSERT INTO games_v14 (
    id, root_id, filepath, file_size, file_mtime_ns, crc32_bin, md5_bin, sha1_bin,
    header_size, nh_crc32_bin, nh_md5_bin, nh_sha1_bin, platform_id, platform_source,
    platform_candidates, detected_title, title_norm, matched_game_id, match_method, format, is_archive, archive_contents, needs_conversion, is_missing, region,
    languages, revision, version, disc_number, set_key, flags, is_hack, hack_type,
    scan_error, added_unix, updated_unix, scanned_unix, last_played_at, disc_id,
    disc_id_source)
SELECT
    id, root_id, filepath, file_size, file_mtime_ns, rr_unhex(file_crc32), rr_unhex(file_md5),
    rr_unhex(file_sha1), header_size, rr_unhex(nh_crc32), rr_unhex(nh_md5), rr_unhex(nh_sha1),
    platform_id, platform_source, platform_candidates, detected_title, title_norm,
    matched_game_id, match_method, format, is_archive, archive_contents,
    needs_conversion, is_missing, region, languages, revision, version, disc_number, set_key,
    flags, is_hack, hack_type, scan_error,
    coalesce(CAST(strftime('%s', added_at) AS INTEGER), CAST(strftime('%s', 'now') AS INTEGER)),
    CAST(strftime('%s', updated_at) AS INTEGER), CAST(strftime('%s', last_scanned_at) AS INTEGER),
    last_played_at, disc_id, disc_id_source
FROM games;

-- Ids are never reused (AUTOINCREMENT): the new table keeps the old one's high-water mark.
INSERT INTO sqlite_sequence (name, seq)
SELECT 'games_v14', coalesce((SELECT seq FROM sqlite_sequence WHERE name = 'games'), 0)
WHERE NOT EXISTS (SELECT 1 FROM sqlite_sequence WHERE name = 'games_v14');
UPDATE sqlite_sequence SET seq = max(seq, coalesce((SELECT seq FROM sqlite_sequence
                                                    WHERE name = 'games'), 0))
WHERE name = 'games_v14';

DROP TABLE games;
ALTER TABLE games_v14 RENAME TO games;

-- Each index names the query it serves (docs/PERFORMANCE.md, "Index cost").
CREATE UNIQUE INDEX uidx_games_path ON games(root_id, filepath);        -- scan upsert, path lookup
CREATE INDEX idx_games_title_norm ON games(title_norm);                 -- title sort, prefix search without FTS5
-- SHA1 keeps its NULLs: "not verified yet" (a CRC32 only) is found through them.
CREATE INDEX idx_games_sha1 ON games(sha1_bin);                          -- find --sha1, rename detection, unverified
CREATE INDEX idx_games_md5 ON games(md5_bin) WHERE md5_bin IS NOT NULL;  -- find --md5
CREATE INDEX idx_games_crc32_size ON games(crc32_bin, file_size)
    WHERE crc32_bin IS NOT NULL;                                         -- find --crc32 --size, renamed CRC-only files
CREATE INDEX idx_games_nh_sha1 ON games(nh_sha1_bin) WHERE nh_sha1_bin IS NOT NULL;    -- header-less lookup
CREATE INDEX idx_games_nh_md5 ON games(nh_md5_bin) WHERE nh_md5_bin IS NOT NULL;       -- header-less lookup
CREATE INDEX idx_games_nh_crc32 ON games(nh_crc32_bin) WHERE nh_crc32_bin IS NOT NULL; -- header-less lookup
-- An unmatched game (most of a library without DATs) has no entry: a lookup by catalog game
-- (`x = ?`, a join) implies NOT NULL, so the partial index serves it.
CREATE INDEX idx_games_matched ON games(matched_game_id)
    WHERE matched_game_id IS NOT NULL;                                   -- catalog game -> owned files
CREATE INDEX idx_games_set_key ON games(set_key) WHERE set_key IS NOT NULL;            -- multi-disc sets
CREATE INDEX idx_games_missing ON games(root_id) WHERE is_missing = 1;                 -- ls --missing
CREATE INDEX idx_games_last_played ON games(last_played_at) WHERE last_played_at IS NOT NULL; -- recently played
CREATE INDEX idx_games_guessed ON games(root_id) WHERE match_method = 'name' AND is_missing = 0; -- scan: guesses
CREATE INDEX idx_games_platform_facets ON games(platform_id, title_norm, region, is_missing, is_hack, match_method, file_size); -- games ls / queries by platform
CREATE INDEX idx_games_disc_id ON games(disc_id) WHERE disc_id IS NOT NULL;            -- cache explain SERIAL

-- The search index is contentless: a title it holds must be deleted with the very text it
-- was added with, and `catalog_title` is now derived from the catalog id. Rebuilt from the
-- new table (as in v1.1.5), so it holds exactly what the triggers will delete.
-- begin: fts5
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
CREATE TRIGGER games_fts_update AFTER UPDATE OF detected_title, matched_game_id ON games
WHEN old.detected_title IS NOT new.detected_title OR old.catalog_title IS NOT new.catalog_title
BEGIN
    INSERT INTO games_fts (games_fts, rowid, detected_title, catalog_title)
    VALUES ('delete', old.id, rr_fold(old.detected_title), rr_fold(old.catalog_title));
    INSERT INTO games_fts (rowid, detected_title, catalog_title)
    VALUES (new.id, rr_fold(new.detected_title), rr_fold(new.catalog_title));
END;
-- end: fts5

-- Archive members, disc tracks, a CHD's SHA1: the same hashes, the same way.
CREATE TABLE game_files_v14 (
    id              INTEGER PRIMARY KEY,
    game_id         INTEGER NOT NULL REFERENCES games(id) ON DELETE CASCADE,
    kind            TEXT NOT NULL CHECK (kind IN ('member', 'track', 'chd')),
    name            TEXT NOT NULL,
    file_size       INTEGER,
    crc32_bin       BLOB,
    md5_bin         BLOB,
    sha1_bin        BLOB,
    header_size     INTEGER NOT NULL DEFAULT 0,
    nh_crc32_bin    BLOB,
    nh_md5_bin      BLOB,
    nh_sha1_bin     BLOB,
    matched_game_id TEXT,
    match_method    TEXT CHECK (match_method IN ('sha1', 'md5', 'crc32', 'name', 'tracks', 'user')),
    file_mtime_ns   INTEGER,
    file_crc32      TEXT GENERATED ALWAYS AS (CASE WHEN crc32_bin IS NOT NULL THEN lower(hex(crc32_bin)) END) VIRTUAL,
    file_md5        TEXT GENERATED ALWAYS AS (CASE WHEN md5_bin IS NOT NULL THEN lower(hex(md5_bin)) END) VIRTUAL,
    file_sha1       TEXT GENERATED ALWAYS AS (CASE WHEN sha1_bin IS NOT NULL THEN lower(hex(sha1_bin)) END) VIRTUAL,
    nh_crc32        TEXT GENERATED ALWAYS AS (CASE WHEN nh_crc32_bin IS NOT NULL THEN lower(hex(nh_crc32_bin)) END) VIRTUAL,
    nh_md5          TEXT GENERATED ALWAYS AS (CASE WHEN nh_md5_bin IS NOT NULL THEN lower(hex(nh_md5_bin)) END) VIRTUAL,
    nh_sha1         TEXT GENERATED ALWAYS AS (CASE WHEN nh_sha1_bin IS NOT NULL THEN lower(hex(nh_sha1_bin)) END) VIRTUAL,
    UNIQUE (game_id, kind, name)
);
INSERT INTO game_files_v14 (id, game_id, kind, name, file_size, crc32_bin, md5_bin, sha1_bin,
                            header_size, nh_crc32_bin, nh_md5_bin, nh_sha1_bin,
                            matched_game_id, match_method, file_mtime_ns)
SELECT id, game_id, kind, name, file_size, rr_unhex(file_crc32), rr_unhex(file_md5),
       rr_unhex(file_sha1), header_size, rr_unhex(nh_crc32), rr_unhex(nh_md5),
       rr_unhex(nh_sha1), matched_game_id, match_method, file_mtime_ns
FROM game_files;
DROP TABLE game_files;
ALTER TABLE game_files_v14 RENAME TO game_files;
-- SHA1 keeps its NULLs: "members not verified yet" are found through them.
CREATE INDEX idx_game_files_sha1 ON game_files(sha1_bin);                            -- find --sha1, unverified
CREATE INDEX idx_game_files_md5 ON game_files(md5_bin) WHERE md5_bin IS NOT NULL;    -- find --md5
CREATE INDEX idx_game_files_crc32_size ON game_files(crc32_bin, file_size)
    WHERE crc32_bin IS NOT NULL;                                                     -- find --crc32 --size
CREATE INDEX idx_game_files_nh_sha1 ON game_files(nh_sha1_bin) WHERE nh_sha1_bin IS NOT NULL;  -- header-less lookup
CREATE INDEX idx_game_files_nh_md5 ON game_files(nh_md5_bin) WHERE nh_md5_bin IS NOT NULL;  -- header-less lookup
CREATE INDEX idx_game_files_nh_crc32 ON game_files(nh_crc32_bin) WHERE nh_crc32_bin IS NOT NULL;  -- header-less lookup

-- The catalog's hashes, joinable with the games' without a function on either column.
CREATE TABLE catalog_roms_v14 (
    id              INTEGER PRIMARY KEY,
    catalog_game_id INTEGER NOT NULL REFERENCES catalog_games(id) ON DELETE CASCADE,
    name            TEXT NOT NULL,
    size            INTEGER,
    crc32_bin       BLOB,
    md5_bin         BLOB,
    sha1_bin        BLOB,
    status          TEXT,
    crc32           TEXT GENERATED ALWAYS AS (CASE WHEN crc32_bin IS NOT NULL THEN lower(hex(crc32_bin)) END) VIRTUAL,
    md5             TEXT GENERATED ALWAYS AS (CASE WHEN md5_bin IS NOT NULL THEN lower(hex(md5_bin)) END) VIRTUAL,
    sha1            TEXT GENERATED ALWAYS AS (CASE WHEN sha1_bin IS NOT NULL THEN lower(hex(sha1_bin)) END) VIRTUAL
);
INSERT INTO catalog_roms_v14 (id, catalog_game_id, name, size, crc32_bin, md5_bin, sha1_bin,
                              status)
SELECT id, catalog_game_id, name, size, rr_unhex(crc32), rr_unhex(md5), rr_unhex(sha1), status
FROM catalog_roms;
DROP TABLE catalog_roms;
ALTER TABLE catalog_roms_v14 RENAME TO catalog_roms;
CREATE INDEX idx_catalog_roms_game ON catalog_roms(catalog_game_id);        -- a game's ROMs
CREATE INDEX idx_catalog_roms_sha1 ON catalog_roms(sha1_bin);               -- identification by SHA1
CREATE INDEX idx_catalog_roms_md5 ON catalog_roms(md5_bin);                 -- identification by MD5
CREATE INDEX idx_catalog_roms_crc32 ON catalog_roms(crc32_bin, size);       -- identification by CRC32 + size

UPDATE schema_version SET schema_version = 14, applied_at = CURRENT_TIMESTAMP,
    notes = 'ROM Runner schema v1.3.0 (hashes as BLOBs, derived file names, integer scan times)';
