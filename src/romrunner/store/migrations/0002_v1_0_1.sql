-- ROM Runner schema v1.0.1 (schema_version 2): cache dedupe, TTL column, hash indexes.
-- As the original v1.0.1 migration did, the three cache tables are dropped and recreated:
-- they hold derived data that can be fetched again. No user table is touched.
-- changes_data: yes

DROP TABLE game_performance_cache;
DROP TABLE emulator_compat_cache;
DROP TABLE game_settings_cache;

CREATE TABLE game_performance_cache (
    id                 INTEGER PRIMARY KEY AUTOINCREMENT,
    device_profile_id  INTEGER NOT NULL REFERENCES device_profiles(id) ON DELETE CASCADE,
    platform_id        TEXT NOT NULL,
    definition_game_id TEXT NOT NULL,
    game_id            INTEGER REFERENCES games(id) ON DELETE SET NULL,
    emulator_id        TEXT,
    performance_tier   TEXT NOT NULL
                       CHECK (performance_tier IN ('excellent', 'good', 'playable', 'poor', 'unplayable', 'unknown')),
    raw_score          INTEGER,
    requires_settings  INTEGER NOT NULL DEFAULT 0 CHECK (requires_settings IN (0, 1)),
    exclude_from_auto  INTEGER NOT NULL DEFAULT 0 CHECK (exclude_from_auto IN (0, 1)),
    source             TEXT,
    source_url         TEXT,
    last_updated       TEXT,
    notes              TEXT,
    cached_at          TEXT NOT NULL DEFAULT CURRENT_TIMESTAMP,
    expires_at         TEXT
);
CREATE UNIQUE INDEX uidx_perf_cache_key ON game_performance_cache(
    device_profile_id, platform_id, definition_game_id, COALESCE(emulator_id, ''));
CREATE INDEX idx_perf_cache_lookup
    ON game_performance_cache(device_profile_id, platform_id, definition_game_id);
CREATE INDEX idx_perf_cache_prune ON game_performance_cache(expires_at, cached_at);

CREATE TABLE emulator_compat_cache (
    id                 INTEGER PRIMARY KEY AUTOINCREMENT,
    platform_id        TEXT NOT NULL,
    emulator_id        TEXT NOT NULL,
    definition_game_id TEXT NOT NULL,
    game_id            INTEGER REFERENCES games(id) ON DELETE SET NULL,
    status             TEXT NOT NULL
                       CHECK (status IN ('perfect', 'playable', 'ingame', 'menu_intro', 'boots_only', 'broken', 'unknown')),
    source             TEXT NOT NULL,
    source_url         TEXT,
    confidence         TEXT NOT NULL DEFAULT 'medium' CHECK (confidence IN ('high', 'medium', 'low')),
    tested_version     TEXT,
    last_updated       TEXT,
    notes              TEXT,
    cached_at          TEXT NOT NULL DEFAULT CURRENT_TIMESTAMP,
    expires_at         TEXT
);
CREATE UNIQUE INDEX uidx_compat_cache_key
    ON emulator_compat_cache(platform_id, emulator_id, definition_game_id);
CREATE INDEX idx_compat_cache_lookup ON emulator_compat_cache(platform_id, emulator_id, status);
CREATE INDEX idx_compat_cache_prune ON emulator_compat_cache(expires_at, cached_at);

CREATE TABLE game_settings_cache (
    id                 INTEGER PRIMARY KEY AUTOINCREMENT,
    platform_id        TEXT NOT NULL,
    emulator_id        TEXT NOT NULL,
    definition_game_id TEXT NOT NULL,
    game_id            INTEGER REFERENCES games(id) ON DELETE SET NULL,
    settings_json      TEXT NOT NULL,
    settings_format    TEXT NOT NULL DEFAULT 'json' CHECK (settings_format IN ('ini', 'json', 'xml', 'custom')),
    apply_mode         TEXT NOT NULL DEFAULT 'suggested' CHECK (apply_mode IN ('suggested', 'auto', 'required')),
    source             TEXT NOT NULL,
    source_url         TEXT,
    confidence         TEXT NOT NULL DEFAULT 'medium' CHECK (confidence IN ('high', 'medium', 'low')),
    tested_version     TEXT,
    notes              TEXT,
    cached_at          TEXT NOT NULL DEFAULT CURRENT_TIMESTAMP,
    expires_at         TEXT
);
CREATE UNIQUE INDEX uidx_settings_cache_key
    ON game_settings_cache(platform_id, emulator_id, definition_game_id);
CREATE INDEX idx_settings_cache_lookup ON game_settings_cache(platform_id, emulator_id);
CREATE INDEX idx_settings_cache_prune ON game_settings_cache(expires_at, cached_at);

CREATE INDEX idx_games_file_md5 ON games(file_md5);
CREATE INDEX idx_games_file_crc32 ON games(file_crc32);
CREATE INDEX idx_games_last_scanned ON games(last_scanned_at);
CREATE INDEX idx_games_is_missing ON games(is_missing);
CREATE INDEX idx_bios_files_md5 ON bios_files(file_md5);
CREATE INDEX idx_bios_files_sha1 ON bios_files(file_sha1);
CREATE INDEX idx_bios_files_crc32 ON bios_files(file_crc32);

UPDATE schema_version SET schema_version = 2, applied_at = CURRENT_TIMESTAMP,
    notes = 'ROM Runner schema v1.0.1 (cache dedupe, TTL column, hash indexes)';
