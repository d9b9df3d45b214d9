-- ROM Runner schema v1.1.0 (schema_version 3): the decisions in DECISIONS.md.
-- Every user row is kept. Rows that the new foreign keys would reject (overrides of deleted
-- profiles) are moved to orphaned_overrides, not dropped. Cache rows become observations.
-- changes_data: yes
-- foreign_keys: off

-- Library roots: game paths are stored relative to a root, so a moved share is one update.
-- The root with path '' holds rows recorded before v1.1.0, whose paths are absolute;
-- `library add` adopts them into a real root.
CREATE TABLE library_roots (
    id              INTEGER PRIMARY KEY,
    path            TEXT NOT NULL UNIQUE,
    label           TEXT,
    added_at        TEXT NOT NULL DEFAULT CURRENT_TIMESTAMP,
    last_scanned_at TEXT
);
INSERT INTO library_roots (path, label)
SELECT '', 'absolute paths recorded before v1.1.0' WHERE EXISTS (SELECT 1 FROM games);

CREATE TABLE games_v3 (
    id                  INTEGER PRIMARY KEY AUTOINCREMENT,
    root_id             INTEGER NOT NULL REFERENCES library_roots(id),
    filepath            TEXT NOT NULL,
    filename            TEXT NOT NULL,
    file_size           INTEGER NOT NULL,
    file_mtime_ns       INTEGER,
    file_crc32          TEXT,
    file_md5            TEXT,
    file_sha1           TEXT,
    header_size         INTEGER NOT NULL DEFAULT 0,
    nh_crc32            TEXT,
    nh_md5              TEXT,
    nh_sha1             TEXT,
    platform_id         TEXT NOT NULL,
    platform_source     TEXT NOT NULL DEFAULT 'legacy'
                        CHECK (platform_source IN ('folder', 'extension', 'header', 'catalog', 'user', 'unknown', 'legacy')),
    platform_candidates TEXT,
    detected_title      TEXT,
    title_norm          TEXT,
    matched_game_id     TEXT,
    match_method        TEXT CHECK (match_method IN ('sha1', 'md5', 'crc32', 'name', 'tracks', 'user')),
    catalog_title       TEXT,
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
    added_at            TEXT NOT NULL DEFAULT CURRENT_TIMESTAMP,
    updated_at          TEXT,
    last_scanned_at     TEXT,
    last_played_at      TEXT
);
INSERT INTO games_v3 (
    id, root_id, filepath, filename, file_size, file_crc32, file_md5, platform_id,
    detected_title, title_norm, matched_game_id, format, is_archive, archive_contents,
    needs_conversion, is_missing, region, languages, revision, is_hack, hack_type,
    added_at, last_scanned_at, last_played_at)
SELECT id, (SELECT id FROM library_roots WHERE path = ''), filepath, filename, file_size,
       lower(file_crc32), lower(file_md5), platform_id, detected_title,
       rr_fold(detected_title), matched_game_id, format, is_archive, archive_contents,
       needs_conversion, is_missing, region, languages, revision, is_hack, hack_type,
       added_at, last_scanned_at, last_played_at
FROM games;
DROP TABLE games;
ALTER TABLE games_v3 RENAME TO games;

-- Each index names the query it serves.
CREATE UNIQUE INDEX uidx_games_path ON games(root_id, filepath);          -- scan upsert, path lookup
CREATE INDEX idx_games_platform_title ON games(platform_id, title_norm);  -- ls --platform, sorted
CREATE INDEX idx_games_title_norm ON games(title_norm);                   -- title sort, prefix search without FTS5
CREATE INDEX idx_games_sha1 ON games(file_sha1);                          -- rename detection, hash lookup
CREATE INDEX idx_games_md5 ON games(file_md5);                            -- hash lookup by md5
CREATE INDEX idx_games_crc32_size ON games(file_crc32, file_size);       -- hash lookup by crc32 + size
CREATE INDEX idx_games_nh_sha1 ON games(nh_sha1) WHERE nh_sha1 IS NOT NULL; -- header-less lookup
CREATE INDEX idx_games_matched ON games(matched_game_id);                 -- catalog game -> owned files
CREATE INDEX idx_games_set_key ON games(set_key) WHERE set_key IS NOT NULL; -- multi-disc sets
CREATE INDEX idx_games_missing ON games(root_id) WHERE is_missing = 1;    -- ls --missing
CREATE INDEX idx_games_added_at ON games(added_at);                       -- "recently added"
CREATE INDEX idx_games_last_played ON games(last_played_at) WHERE last_played_at IS NOT NULL; -- "recently played" (only played games)

-- Typeahead search (DECISIONS Q3): external-content FTS5 over the titles and file name,
-- kept in sync by triggers, diacritics folded, prefix indexes for 2-4 characters. A SQLite
-- without FTS5 skips this block; search then uses idx_games_title_norm.
-- begin: fts5
CREATE VIRTUAL TABLE games_fts USING fts5(
    detected_title, catalog_title, filename,
    content = 'games', content_rowid = 'id',
    tokenize = 'unicode61 remove_diacritics 2', prefix = '2 3 4'
);
INSERT INTO games_fts (games_fts) VALUES ('rebuild');
CREATE TRIGGER games_fts_insert AFTER INSERT ON games BEGIN
    INSERT INTO games_fts (rowid, detected_title, catalog_title, filename)
    VALUES (new.id, new.detected_title, new.catalog_title, new.filename);
END;
CREATE TRIGGER games_fts_delete AFTER DELETE ON games BEGIN
    INSERT INTO games_fts (games_fts, rowid, detected_title, catalog_title, filename)
    VALUES ('delete', old.id, old.detected_title, old.catalog_title, old.filename);
END;
CREATE TRIGGER games_fts_update AFTER UPDATE OF detected_title, catalog_title, filename ON games BEGIN
    INSERT INTO games_fts (games_fts, rowid, detected_title, catalog_title, filename)
    VALUES ('delete', old.id, old.detected_title, old.catalog_title, old.filename);
    INSERT INTO games_fts (rowid, detected_title, catalog_title, filename)
    VALUES (new.id, new.detected_title, new.catalog_title, new.filename);
END;
-- end: fts5

-- Archive members, disc tracks and CHD data hashes: every matching hash is an indexed column.
CREATE TABLE game_files (
    id              INTEGER PRIMARY KEY,
    game_id         INTEGER NOT NULL REFERENCES games(id) ON DELETE CASCADE,
    kind            TEXT NOT NULL CHECK (kind IN ('member', 'track', 'chd')),
    name            TEXT NOT NULL,
    file_size       INTEGER,
    file_crc32      TEXT,
    file_md5        TEXT,
    file_sha1       TEXT,
    header_size     INTEGER NOT NULL DEFAULT 0,
    nh_crc32        TEXT,
    nh_md5          TEXT,
    nh_sha1         TEXT,
    matched_game_id TEXT,
    match_method    TEXT CHECK (match_method IN ('sha1', 'md5', 'crc32', 'name', 'tracks', 'user')),
    UNIQUE (game_id, kind, name)
);
CREATE INDEX idx_game_files_sha1 ON game_files(file_sha1);
CREATE INDEX idx_game_files_md5 ON game_files(file_md5);
CREATE INDEX idx_game_files_crc32_size ON game_files(file_crc32, file_size);

-- Game catalogs imported from DAT files (cached knowledge, rebuilt when the file changes).
CREATE TABLE catalog_sources (
    id          INTEGER PRIMARY KEY,
    name        TEXT NOT NULL,
    platform_id TEXT NOT NULL,
    format      TEXT NOT NULL CHECK (format IN ('clrmamepro', 'logiqx', 'pack')),
    headered    INTEGER NOT NULL DEFAULT 0 CHECK (headered IN (0, 1)),
    description TEXT,
    version     TEXT,
    path        TEXT NOT NULL,
    file_sha1   TEXT NOT NULL,
    game_count  INTEGER NOT NULL DEFAULT 0,
    rom_count   INTEGER NOT NULL DEFAULT 0,
    imported_at TEXT NOT NULL DEFAULT CURRENT_TIMESTAMP,
    UNIQUE (name, headered)
);

CREATE TABLE catalog_games (
    id           INTEGER PRIMARY KEY,
    source_id    INTEGER NOT NULL REFERENCES catalog_sources(id) ON DELETE CASCADE,
    game_id      TEXT NOT NULL,
    platform_id  TEXT NOT NULL,
    name         TEXT NOT NULL,
    title_norm   TEXT,
    description  TEXT,
    region       TEXT,
    serial       TEXT,
    year         TEXT,
    manufacturer TEXT,
    clone_of     TEXT,
    UNIQUE (source_id, name)
);
CREATE INDEX idx_catalog_games_game_id ON catalog_games(game_id);               -- games show, joins
CREATE INDEX idx_catalog_games_title ON catalog_games(platform_id, title_norm); -- name fallback match

CREATE TABLE catalog_roms (
    id              INTEGER PRIMARY KEY,
    catalog_game_id INTEGER NOT NULL REFERENCES catalog_games(id) ON DELETE CASCADE,
    name            TEXT NOT NULL,
    size            INTEGER,
    crc32           TEXT,
    md5             TEXT,
    sha1            TEXT,
    status          TEXT
);
CREATE INDEX idx_catalog_roms_game ON catalog_roms(catalog_game_id);   -- cascade, game's rom list
CREATE INDEX idx_catalog_roms_sha1 ON catalog_roms(sha1);              -- identify by sha1
CREATE INDEX idx_catalog_roms_md5 ON catalog_roms(md5);                -- identify by md5
CREATE INDEX idx_catalog_roms_crc32 ON catalog_roms(crc32, size);      -- identify by crc32 + size

-- Overrides: foreign keys to device_profiles (v1.0.1 left orphans) and an include/exclude action.
CREATE TABLE orphaned_overrides (
    id          INTEGER PRIMARY KEY,
    table_name  TEXT NOT NULL,
    row_json    TEXT NOT NULL,
    reason      TEXT NOT NULL,
    moved_at    TEXT NOT NULL DEFAULT CURRENT_TIMESTAMP
);

INSERT INTO orphaned_overrides (table_name, row_json, reason)
SELECT 'platform_overrides',
       json_object('id', id, 'device_profile_id', device_profile_id, 'platform_id', platform_id,
                   'emulator_id', emulator_id, 'notes', notes, 'updated_at', updated_at),
       'device profile no longer exists'
FROM platform_overrides
WHERE device_profile_id IS NOT NULL
  AND device_profile_id NOT IN (SELECT id FROM device_profiles);

CREATE TABLE platform_overrides_v3 (
    id                INTEGER PRIMARY KEY AUTOINCREMENT,
    device_profile_id INTEGER REFERENCES device_profiles(id) ON DELETE CASCADE,
    platform_id       TEXT NOT NULL,
    emulator_id       TEXT NOT NULL,
    notes             TEXT,
    updated_at        TEXT NOT NULL DEFAULT CURRENT_TIMESTAMP
);
INSERT INTO platform_overrides_v3
SELECT id, device_profile_id, platform_id, emulator_id, notes, updated_at
FROM platform_overrides
WHERE device_profile_id IS NULL OR device_profile_id IN (SELECT id FROM device_profiles);
DROP TABLE platform_overrides;
ALTER TABLE platform_overrides_v3 RENAME TO platform_overrides;
CREATE UNIQUE INDEX uidx_platform_overrides_scoped
    ON platform_overrides(device_profile_id, platform_id) WHERE device_profile_id IS NOT NULL;
CREATE UNIQUE INDEX uidx_platform_overrides_global
    ON platform_overrides(platform_id) WHERE device_profile_id IS NULL;

INSERT INTO orphaned_overrides (table_name, row_json, reason)
SELECT 'game_overrides',
       json_object('id', id, 'device_profile_id', device_profile_id, 'game_id', game_id,
                   'emulator_id', emulator_id, 'custom_settings', custom_settings,
                   'apply_mode', apply_mode, 'is_enabled', is_enabled, 'notes', notes,
                   'updated_at', updated_at),
       'device profile no longer exists'
FROM game_overrides
WHERE device_profile_id IS NOT NULL
  AND device_profile_id NOT IN (SELECT id FROM device_profiles);

CREATE TABLE game_overrides_v3 (
    id                INTEGER PRIMARY KEY AUTOINCREMENT,
    device_profile_id INTEGER REFERENCES device_profiles(id) ON DELETE CASCADE,
    game_id           INTEGER NOT NULL REFERENCES games(id) ON DELETE CASCADE,
    action            TEXT CHECK (action IN ('include', 'exclude')),
    emulator_id       TEXT,
    custom_settings   TEXT,
    apply_mode        TEXT NOT NULL DEFAULT 'suggested'
                      CHECK (apply_mode IN ('suggested', 'auto', 'required')),
    is_enabled        INTEGER NOT NULL DEFAULT 1 CHECK (is_enabled IN (0, 1)),
    notes             TEXT,
    updated_at        TEXT NOT NULL DEFAULT CURRENT_TIMESTAMP
);
INSERT INTO game_overrides_v3 (id, device_profile_id, game_id, emulator_id, custom_settings,
                               apply_mode, is_enabled, notes, updated_at)
SELECT id, device_profile_id, game_id, emulator_id, custom_settings, apply_mode, is_enabled,
       notes, updated_at
FROM game_overrides
WHERE device_profile_id IS NULL OR device_profile_id IN (SELECT id FROM device_profiles);
DROP TABLE game_overrides;
ALTER TABLE game_overrides_v3 RENAME TO game_overrides;
CREATE UNIQUE INDEX uidx_game_overrides_scoped
    ON game_overrides(device_profile_id, game_id) WHERE device_profile_id IS NOT NULL;
CREATE UNIQUE INDEX uidx_game_overrides_global
    ON game_overrides(game_id) WHERE device_profile_id IS NULL;
CREATE INDEX idx_game_overrides_game_id ON game_overrides(game_id);

-- Devices: the destination a profile deploys to, and its default flag.
ALTER TABLE device_profiles ADD COLUMN destination_id TEXT;
ALTER TABLE device_profiles ADD COLUMN is_default INTEGER NOT NULL DEFAULT 0 CHECK (is_default IN (0, 1));

-- Deployment items: the plan and its progress live in SQLite, so a crash resumes.
CREATE TABLE deployment_items (
    deployment_id INTEGER NOT NULL REFERENCES deployment_history(id) ON DELETE CASCADE,
    seq           INTEGER NOT NULL,
    kind          TEXT NOT NULL CHECK (kind IN ('rom', 'bios', 'playlist', 'other')),
    game_id       INTEGER REFERENCES games(id) ON DELETE SET NULL,
    source_path   TEXT NOT NULL,
    dest_path     TEXT NOT NULL,
    file_size     INTEGER NOT NULL,
    file_sha1     TEXT,
    status        TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'copied', 'skipped', 'failed')),
    error         TEXT,
    PRIMARY KEY (deployment_id, seq)
) WITHOUT ROWID;

-- BIOS: incremental rescans and one status per verification.
ALTER TABLE bios_files ADD COLUMN file_mtime_ns INTEGER;
ALTER TABLE bios_files ADD COLUMN is_missing INTEGER NOT NULL DEFAULT 0 CHECK (is_missing IN (0, 1));
ALTER TABLE bios_verification ADD COLUMN status TEXT
    CHECK (status IN ('exact_match', 'alternate_hash', 'wrong_hash', 'wrong_size', 'presence_only', 'unknown'));
ALTER TABLE bios_verification ADD COLUMN expected_filename TEXT;

-- Definition pack: where it was loaded from, and each file's version.
ALTER TABLE definition_pack_meta ADD COLUMN pack_path TEXT;
ALTER TABLE definition_pack_meta ADD COLUMN files_json TEXT;

-- Cached knowledge (DECISIONS Q1, Q2, Q4). Integer dictionaries keep the million-row tables
-- small; the views below give every caller TEXT ids.
CREATE TABLE platform_dim (id INTEGER PRIMARY KEY, platform_id TEXT NOT NULL UNIQUE);
CREATE TABLE emulator_dim (id INTEGER PRIMARY KEY, emulator_id TEXT NOT NULL UNIQUE);
CREATE TABLE game_key_dim (id INTEGER PRIMARY KEY, definition_game_id TEXT NOT NULL UNIQUE);

CREATE TABLE cache_sources (
    id                     INTEGER PRIMARY KEY,
    source_id              TEXT NOT NULL UNIQUE,
    ttl_hours              INTEGER,
    stale_while_revalidate INTEGER NOT NULL DEFAULT 1 CHECK (stale_while_revalidate IN (0, 1)),
    origin                 TEXT NOT NULL DEFAULT 'default'
                           CHECK (origin IN ('registry', 'user', 'pack', 'default', 'legacy')),
    in_registry            INTEGER NOT NULL DEFAULT 1 CHECK (in_registry IN (0, 1)),
    updated_at             TEXT NOT NULL DEFAULT CURRENT_TIMESTAMP
);
CREATE TABLE cache_source_priority (
    cache_kind TEXT NOT NULL CHECK (cache_kind IN ('performance', 'compat', 'settings')),
    source     INTEGER NOT NULL REFERENCES cache_sources(id) ON DELETE CASCADE,
    rank       INTEGER NOT NULL,
    PRIMARY KEY (cache_kind, source)
) WITHOUT ROWID;

INSERT INTO cache_sources (source_id, ttl_hours, origin) VALUES ('user-override', NULL, 'user');
INSERT OR IGNORE INTO cache_sources (source_id, ttl_hours, origin, in_registry)
SELECT DISTINCT COALESCE(source, 'legacy'), 168, 'legacy', 0 FROM (
    SELECT source FROM game_performance_cache
    UNION SELECT source FROM emulator_compat_cache
    UNION SELECT source FROM game_settings_cache);

INSERT OR IGNORE INTO platform_dim (platform_id)
SELECT platform_id FROM game_performance_cache
UNION SELECT platform_id FROM emulator_compat_cache
UNION SELECT platform_id FROM game_settings_cache;
INSERT OR IGNORE INTO emulator_dim (emulator_id)
SELECT COALESCE(emulator_id, '') FROM game_performance_cache
UNION SELECT emulator_id FROM emulator_compat_cache
UNION SELECT emulator_id FROM game_settings_cache;
INSERT OR IGNORE INTO game_key_dim (definition_game_id)
SELECT definition_game_id FROM game_performance_cache
UNION SELECT definition_game_id FROM emulator_compat_cache
UNION SELECT definition_game_id FROM game_settings_cache;

CREATE TABLE perf_observations (
    device_profile_id INTEGER NOT NULL REFERENCES device_profiles(id) ON DELETE CASCADE,
    platform          INTEGER NOT NULL,
    game_key          INTEGER NOT NULL,
    emulator          INTEGER NOT NULL,
    source            INTEGER NOT NULL,
    performance_tier  TEXT NOT NULL
                      CHECK (performance_tier IN ('excellent', 'good', 'playable', 'poor', 'unplayable', 'unknown')),
    raw_score         INTEGER,
    requires_settings INTEGER NOT NULL DEFAULT 0 CHECK (requires_settings IN (0, 1)),
    exclude_from_auto INTEGER NOT NULL DEFAULT 0 CHECK (exclude_from_auto IN (0, 1)),
    confidence        TEXT NOT NULL DEFAULT 'medium' CHECK (confidence IN ('high', 'medium', 'low')),
    source_url        TEXT,
    notes             TEXT,
    last_updated      TEXT,
    fetched_at        TEXT NOT NULL,
    expires_at        TEXT,
    PRIMARY KEY (device_profile_id, platform, game_key, emulator, source)
) WITHOUT ROWID;
CREATE INDEX idx_perf_obs_prune ON perf_observations(source, expires_at);  -- cache prune

CREATE TABLE compat_observations (
    platform       INTEGER NOT NULL,
    emulator       INTEGER NOT NULL,
    game_key       INTEGER NOT NULL,
    source         INTEGER NOT NULL,
    status         TEXT NOT NULL
                   CHECK (status IN ('perfect', 'playable', 'ingame', 'menu_intro', 'boots_only', 'broken', 'unknown')),
    confidence     TEXT NOT NULL DEFAULT 'medium' CHECK (confidence IN ('high', 'medium', 'low')),
    tested_version TEXT,
    source_url     TEXT,
    notes          TEXT,
    last_updated   TEXT,
    fetched_at     TEXT NOT NULL,
    expires_at     TEXT,
    PRIMARY KEY (platform, emulator, game_key, source)
) WITHOUT ROWID;
CREATE INDEX idx_compat_obs_prune ON compat_observations(source, expires_at);  -- cache prune

CREATE TABLE settings_observations (
    platform        INTEGER NOT NULL,
    emulator        INTEGER NOT NULL,
    game_key        INTEGER NOT NULL,
    source          INTEGER NOT NULL,
    settings_json   TEXT NOT NULL,
    settings_format TEXT NOT NULL DEFAULT 'json' CHECK (settings_format IN ('ini', 'json', 'xml', 'custom')),
    format_detail   TEXT,
    apply_mode      TEXT NOT NULL DEFAULT 'suggested' CHECK (apply_mode IN ('suggested', 'auto', 'required')),
    confidence      TEXT NOT NULL DEFAULT 'medium' CHECK (confidence IN ('high', 'medium', 'low')),
    tested_version  TEXT,
    source_url      TEXT,
    notes           TEXT,
    fetched_at      TEXT NOT NULL,
    expires_at      TEXT,
    PRIMARY KEY (platform, emulator, game_key, source)
) WITHOUT ROWID;
CREATE INDEX idx_settings_obs_prune ON settings_observations(source, expires_at);  -- cache prune

INSERT INTO perf_observations
SELECT c.device_profile_id, p.id, k.id, e.id, s.id, c.performance_tier, c.raw_score,
       c.requires_settings, c.exclude_from_auto, 'medium', c.source_url, c.notes, c.last_updated,
       c.cached_at, c.expires_at
FROM game_performance_cache c
JOIN platform_dim p ON p.platform_id = c.platform_id
JOIN game_key_dim k ON k.definition_game_id = c.definition_game_id
JOIN emulator_dim e ON e.emulator_id = COALESCE(c.emulator_id, '')
JOIN cache_sources s ON s.source_id = COALESCE(c.source, 'legacy')
WHERE c.device_profile_id IN (SELECT id FROM device_profiles);

INSERT INTO compat_observations
SELECT p.id, e.id, k.id, s.id, c.status, c.confidence, c.tested_version, c.source_url, c.notes,
       c.last_updated, c.cached_at, c.expires_at
FROM emulator_compat_cache c
JOIN platform_dim p ON p.platform_id = c.platform_id
JOIN game_key_dim k ON k.definition_game_id = c.definition_game_id
JOIN emulator_dim e ON e.emulator_id = c.emulator_id
JOIN cache_sources s ON s.source_id = c.source;

INSERT INTO settings_observations
SELECT p.id, e.id, k.id, s.id, c.settings_json, c.settings_format, NULL, c.apply_mode,
       c.confidence, c.tested_version, c.source_url, c.notes, c.cached_at, c.expires_at
FROM game_settings_cache c
JOIN platform_dim p ON p.platform_id = c.platform_id
JOIN game_key_dim k ON k.definition_game_id = c.definition_game_id
JOIN emulator_dim e ON e.emulator_id = c.emulator_id
JOIN cache_sources s ON s.source_id = c.source;

DROP TABLE game_performance_cache;
DROP TABLE emulator_compat_cache;
DROP TABLE game_settings_cache;

-- Best current answer: one row per logical key, maintained by the cache module on every
-- observation change; `source` names the winner.
CREATE TABLE game_performance_cache (
    device_profile_id INTEGER NOT NULL REFERENCES device_profiles(id) ON DELETE CASCADE,
    platform          INTEGER NOT NULL,
    game_key          INTEGER NOT NULL,
    emulator          INTEGER NOT NULL,
    source            INTEGER NOT NULL,
    performance_tier  TEXT NOT NULL,
    raw_score         INTEGER,
    requires_settings INTEGER NOT NULL DEFAULT 0,
    exclude_from_auto INTEGER NOT NULL DEFAULT 0,
    fetched_at        TEXT NOT NULL,
    expires_at        TEXT,
    PRIMARY KEY (device_profile_id, platform, game_key, emulator)
) WITHOUT ROWID;

CREATE TABLE emulator_compat_cache (
    platform   INTEGER NOT NULL,
    emulator   INTEGER NOT NULL,
    game_key   INTEGER NOT NULL,
    source     INTEGER NOT NULL,
    status     TEXT NOT NULL,
    confidence TEXT NOT NULL,
    fetched_at TEXT NOT NULL,
    expires_at TEXT,
    PRIMARY KEY (platform, emulator, game_key)
) WITHOUT ROWID;

CREATE TABLE game_settings_cache (
    platform      INTEGER NOT NULL,
    emulator      INTEGER NOT NULL,
    game_key      INTEGER NOT NULL,
    source        INTEGER NOT NULL,
    settings_json TEXT NOT NULL,
    apply_mode    TEXT NOT NULL,
    confidence    TEXT NOT NULL,
    fetched_at    TEXT NOT NULL,
    expires_at    TEXT,
    PRIMARY KEY (platform, emulator, game_key)
) WITHOUT ROWID;

-- v1.0.1 keys held one row per key, so each migrated observation is its key's best answer.
INSERT INTO game_performance_cache
SELECT device_profile_id, platform, game_key, emulator, source, performance_tier, raw_score,
       requires_settings, exclude_from_auto, fetched_at, expires_at
FROM perf_observations;
INSERT INTO emulator_compat_cache
SELECT platform, emulator, game_key, source, status, confidence, fetched_at, expires_at
FROM compat_observations;
INSERT INTO game_settings_cache
SELECT platform, emulator, game_key, source, settings_json, apply_mode, confidence, fetched_at,
       expires_at
FROM settings_observations;

CREATE VIEW v_game_performance AS
SELECT c.device_profile_id, p.platform_id, k.definition_game_id,
       NULLIF(e.emulator_id, '') AS emulator_id, s.source_id AS source, c.performance_tier,
       c.raw_score, c.requires_settings, c.exclude_from_auto, c.fetched_at, c.expires_at
FROM game_performance_cache c
JOIN platform_dim p ON p.id = c.platform
JOIN game_key_dim k ON k.id = c.game_key
JOIN emulator_dim e ON e.id = c.emulator
JOIN cache_sources s ON s.id = c.source;

CREATE VIEW v_emulator_compat AS
SELECT p.platform_id, e.emulator_id, k.definition_game_id, s.source_id AS source, c.status,
       c.confidence, c.fetched_at, c.expires_at
FROM emulator_compat_cache c
JOIN platform_dim p ON p.id = c.platform
JOIN game_key_dim k ON k.id = c.game_key
JOIN emulator_dim e ON e.id = c.emulator
JOIN cache_sources s ON s.id = c.source;

CREATE VIEW v_game_settings AS
SELECT p.platform_id, e.emulator_id, k.definition_game_id, s.source_id AS source,
       c.settings_json, c.apply_mode, c.confidence, c.fetched_at, c.expires_at
FROM game_settings_cache c
JOIN platform_dim p ON p.id = c.platform
JOIN game_key_dim k ON k.id = c.game_key
JOIN emulator_dim e ON e.id = c.emulator
JOIN cache_sources s ON s.id = c.source;

UPDATE schema_version SET schema_version = 3, applied_at = CURRENT_TIMESTAMP,
    notes = 'ROM Runner schema v1.1.0';
