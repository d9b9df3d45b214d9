-- ROM Runner schema v1.1.4 (schema_version 7): cache times as integers.
-- changes_data: yes
-- foreign_keys: off

-- The scale benchmark overturned "one UTC text format everywhere" for the cache tables
-- (docs/PERFORMANCE.md): at 5M observations, the two 19-byte text times of each observation,
-- one of them repeated in the prune index, made 118.6 bytes per observation against a
-- budget of 80. As Unix seconds (UTC) the same rows take about 70. Only the six cache tables
-- change: the cache module converts at its boundary and the v_* views show the engine's UTC
-- text, so no caller sees an integer. Every other table keeps its text times.
-- A time that cannot be read becomes 0 (1970: ranked oldest) rather than failing the upgrade.

DROP VIEW IF EXISTS v_game_performance;
DROP VIEW IF EXISTS v_emulator_compat;
DROP VIEW IF EXISTS v_game_settings;

CREATE TABLE perf_observations_v7 (
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
    fetched_at        INTEGER NOT NULL,  -- Unix seconds, UTC
    expires_at        INTEGER,           -- Unix seconds, UTC; NULL: never
    PRIMARY KEY (device_profile_id, platform, game_key, emulator, source)
) WITHOUT ROWID;
INSERT INTO perf_observations_v7
SELECT device_profile_id, platform, game_key, emulator, source, performance_tier, raw_score,
       requires_settings, exclude_from_auto, confidence, source_url, notes, last_updated,
       coalesce(CAST(strftime('%s', fetched_at) AS INTEGER), 0),
       CAST(strftime('%s', expires_at) AS INTEGER)
FROM perf_observations;
DROP TABLE perf_observations;
ALTER TABLE perf_observations_v7 RENAME TO perf_observations;
CREATE INDEX idx_perf_obs_prune ON perf_observations(source, expires_at);  -- cache prune

CREATE TABLE compat_observations_v7 (
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
    fetched_at     INTEGER NOT NULL,
    expires_at     INTEGER,
    PRIMARY KEY (platform, emulator, game_key, source)
) WITHOUT ROWID;
INSERT INTO compat_observations_v7
SELECT platform, emulator, game_key, source, status, confidence, tested_version, source_url,
       notes, last_updated, coalesce(CAST(strftime('%s', fetched_at) AS INTEGER), 0),
       CAST(strftime('%s', expires_at) AS INTEGER)
FROM compat_observations;
DROP TABLE compat_observations;
ALTER TABLE compat_observations_v7 RENAME TO compat_observations;
CREATE INDEX idx_compat_obs_prune ON compat_observations(source, expires_at);  -- cache prune

CREATE TABLE settings_observations_v7 (
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
    fetched_at      INTEGER NOT NULL,
    expires_at      INTEGER,
    PRIMARY KEY (platform, emulator, game_key, source)
) WITHOUT ROWID;
INSERT INTO settings_observations_v7
SELECT platform, emulator, game_key, source, settings_json, settings_format, format_detail,
       apply_mode, confidence, tested_version, source_url, notes,
       coalesce(CAST(strftime('%s', fetched_at) AS INTEGER), 0),
       CAST(strftime('%s', expires_at) AS INTEGER)
FROM settings_observations;
DROP TABLE settings_observations;
ALTER TABLE settings_observations_v7 RENAME TO settings_observations;
CREATE INDEX idx_settings_obs_prune ON settings_observations(source, expires_at);  -- cache prune

CREATE TABLE game_performance_cache_v7 (
    device_profile_id INTEGER NOT NULL REFERENCES device_profiles(id) ON DELETE CASCADE,
    platform          INTEGER NOT NULL,
    game_key          INTEGER NOT NULL,
    emulator          INTEGER NOT NULL,
    source            INTEGER NOT NULL,
    performance_tier  TEXT NOT NULL,
    raw_score         INTEGER,
    requires_settings INTEGER NOT NULL DEFAULT 0,
    exclude_from_auto INTEGER NOT NULL DEFAULT 0,
    fetched_at        INTEGER NOT NULL,
    expires_at        INTEGER,
    PRIMARY KEY (device_profile_id, platform, game_key, emulator)
) WITHOUT ROWID;
INSERT INTO game_performance_cache_v7
SELECT device_profile_id, platform, game_key, emulator, source, performance_tier, raw_score,
       requires_settings, exclude_from_auto,
       coalesce(CAST(strftime('%s', fetched_at) AS INTEGER), 0),
       CAST(strftime('%s', expires_at) AS INTEGER)
FROM game_performance_cache;
DROP TABLE game_performance_cache;
ALTER TABLE game_performance_cache_v7 RENAME TO game_performance_cache;

CREATE TABLE emulator_compat_cache_v7 (
    platform   INTEGER NOT NULL,
    emulator   INTEGER NOT NULL,
    game_key   INTEGER NOT NULL,
    source     INTEGER NOT NULL,
    status     TEXT NOT NULL,
    confidence TEXT NOT NULL,
    fetched_at INTEGER NOT NULL,
    expires_at INTEGER,
    PRIMARY KEY (platform, emulator, game_key)
) WITHOUT ROWID;
INSERT INTO emulator_compat_cache_v7
SELECT platform, emulator, game_key, source, status, confidence,
       coalesce(CAST(strftime('%s', fetched_at) AS INTEGER), 0),
       CAST(strftime('%s', expires_at) AS INTEGER)
FROM emulator_compat_cache;
DROP TABLE emulator_compat_cache;
ALTER TABLE emulator_compat_cache_v7 RENAME TO emulator_compat_cache;

CREATE TABLE game_settings_cache_v7 (
    platform      INTEGER NOT NULL,
    emulator      INTEGER NOT NULL,
    game_key      INTEGER NOT NULL,
    source        INTEGER NOT NULL,
    settings_json TEXT NOT NULL,
    apply_mode    TEXT NOT NULL,
    confidence    TEXT NOT NULL,
    fetched_at    INTEGER NOT NULL,
    expires_at    INTEGER,
    PRIMARY KEY (platform, emulator, game_key)
) WITHOUT ROWID;
INSERT INTO game_settings_cache_v7
SELECT platform, emulator, game_key, source, settings_json, apply_mode, confidence,
       coalesce(CAST(strftime('%s', fetched_at) AS INTEGER), 0),
       CAST(strftime('%s', expires_at) AS INTEGER)
FROM game_settings_cache;
DROP TABLE game_settings_cache;
ALTER TABLE game_settings_cache_v7 RENAME TO game_settings_cache;

-- The views keep the engine's UTC text for times.
CREATE VIEW v_game_performance AS
SELECT c.device_profile_id, p.platform_id, k.definition_game_id,
       NULLIF(e.emulator_id, '') AS emulator_id, s.source_id AS source, c.performance_tier,
       c.raw_score, c.requires_settings, c.exclude_from_auto,
       datetime(c.fetched_at, 'unixepoch') AS fetched_at,
       datetime(c.expires_at, 'unixepoch') AS expires_at
FROM game_performance_cache c
JOIN platform_dim p ON p.id = c.platform
JOIN game_key_dim k ON k.id = c.game_key
JOIN emulator_dim e ON e.id = c.emulator
JOIN cache_sources s ON s.id = c.source;

CREATE VIEW v_emulator_compat AS
SELECT p.platform_id, e.emulator_id, k.definition_game_id, s.source_id AS source, c.status,
       c.confidence, datetime(c.fetched_at, 'unixepoch') AS fetched_at,
       datetime(c.expires_at, 'unixepoch') AS expires_at
FROM emulator_compat_cache c
JOIN platform_dim p ON p.id = c.platform
JOIN game_key_dim k ON k.id = c.game_key
JOIN emulator_dim e ON e.id = c.emulator
JOIN cache_sources s ON s.id = c.source;

CREATE VIEW v_game_settings AS
SELECT p.platform_id, e.emulator_id, k.definition_game_id, s.source_id AS source,
       c.settings_json, c.apply_mode, c.confidence,
       datetime(c.fetched_at, 'unixepoch') AS fetched_at,
       datetime(c.expires_at, 'unixepoch') AS expires_at
FROM game_settings_cache c
JOIN platform_dim p ON p.id = c.platform
JOIN game_key_dim k ON k.id = c.game_key
JOIN emulator_dim e ON e.id = c.emulator
JOIN cache_sources s ON s.id = c.source;

UPDATE schema_version SET schema_version = 7, applied_at = CURRENT_TIMESTAMP,
    notes = 'ROM Runner schema v1.1.4 (cache times as Unix seconds)';
