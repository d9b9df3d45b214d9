-- ROM Runner schema v1.3.1 (schema_version 15): compatibility and settings keyed game first.
-- changes_data: no

-- `cache explain`, auto-lists and the query language's `compat:` field ask "what is known about
-- this game on its platform", for every emulator. With the keys ordered (platform, emulator,
-- game_key) each emulator was a separate B-tree descent, each landing on its own leaf page:
-- at 1M games and 5M observations one explain read a dozen random pages, so the wall-time
-- tail was cold pages (docs/PERFORMANCE.md "Emulator knowledge"). Ordered (platform, game_key,
-- emulator) a game's answers from every emulator and source sit together: one descent, one
-- leaf. The performance tables already were (device_profile_id, platform, game_key, emulator).
-- Same columns, same rows: only the primary keys' order changes.

DROP VIEW IF EXISTS v_emulator_compat;
DROP VIEW IF EXISTS v_game_settings;

CREATE TABLE compat_observations_v15 (
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
    PRIMARY KEY (platform, game_key, emulator, source)
) WITHOUT ROWID;
INSERT INTO compat_observations_v15 SELECT * FROM compat_observations ORDER BY platform, game_key, emulator, source;
DROP TABLE compat_observations;
ALTER TABLE compat_observations_v15 RENAME TO compat_observations;

CREATE TABLE settings_observations_v15 (
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
    PRIMARY KEY (platform, game_key, emulator, source)
) WITHOUT ROWID;
INSERT INTO settings_observations_v15 SELECT * FROM settings_observations ORDER BY platform, game_key, emulator, source;
DROP TABLE settings_observations;
ALTER TABLE settings_observations_v15 RENAME TO settings_observations;

CREATE TABLE emulator_compat_cache_v15 (
    platform   INTEGER NOT NULL,
    emulator   INTEGER NOT NULL,
    game_key   INTEGER NOT NULL,
    source     INTEGER NOT NULL,
    status     TEXT NOT NULL,
    confidence TEXT NOT NULL,
    fetched_at INTEGER NOT NULL,
    expires_at INTEGER,
    PRIMARY KEY (platform, game_key, emulator)
) WITHOUT ROWID;
INSERT INTO emulator_compat_cache_v15 SELECT * FROM emulator_compat_cache ORDER BY platform, game_key, emulator;
DROP TABLE emulator_compat_cache;
ALTER TABLE emulator_compat_cache_v15 RENAME TO emulator_compat_cache;

CREATE TABLE game_settings_cache_v15 (
    platform      INTEGER NOT NULL,
    emulator      INTEGER NOT NULL,
    game_key      INTEGER NOT NULL,
    source        INTEGER NOT NULL,
    settings_json TEXT NOT NULL,
    apply_mode    TEXT NOT NULL,
    confidence    TEXT NOT NULL,
    fetched_at    INTEGER NOT NULL,
    expires_at    INTEGER,
    PRIMARY KEY (platform, game_key, emulator)
) WITHOUT ROWID;
INSERT INTO game_settings_cache_v15 SELECT * FROM game_settings_cache ORDER BY platform, game_key, emulator;
DROP TABLE game_settings_cache;
ALTER TABLE game_settings_cache_v15 RENAME TO game_settings_cache;

CREATE INDEX idx_compat_obs_prune ON compat_observations(source, expires_at);  -- cache prune
CREATE INDEX idx_settings_obs_prune ON settings_observations(source, expires_at);  -- cache prune

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

UPDATE schema_version SET schema_version = 15, applied_at = CURRENT_TIMESTAMP,
    notes = 'ROM Runner schema v1.3.1 (compatibility and settings keyed game first)';
