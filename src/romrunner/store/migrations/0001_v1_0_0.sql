-- ROM Runner schema v1.0.0 (schema_version 1): the baseline the lineage starts from.
-- It is v1.0.1 without v1.0.1's changes: caches without expires_at, `source` part of the
-- compat/settings unique keys, and none of the v1.0.1 hash/utility indexes.
-- changes_data: no

CREATE TABLE schema_version (
    id             INTEGER PRIMARY KEY CHECK (id = 1),
    schema_version INTEGER NOT NULL,
    applied_at     TEXT NOT NULL DEFAULT CURRENT_TIMESTAMP,
    app_version    TEXT,
    notes          TEXT
);

CREATE TABLE schema_migrations (
    version    INTEGER PRIMARY KEY,
    name       TEXT NOT NULL,
    applied_at TEXT NOT NULL DEFAULT CURRENT_TIMESTAMP
);

CREATE TABLE definition_pack_meta (
    id                  INTEGER PRIMARY KEY CHECK (id = 1),
    pack_version        TEXT,
    schema_version      INTEGER,
    platforms_version   TEXT,
    emulators_version   TEXT,
    devices_version     TEXT,
    bios_hashes_version TEXT,
    loaded_at           TEXT NOT NULL DEFAULT CURRENT_TIMESTAMP,
    pack_hash           TEXT,
    notes               TEXT
);

CREATE TABLE games (
    id               INTEGER PRIMARY KEY AUTOINCREMENT,
    filepath         TEXT NOT NULL UNIQUE,
    filename         TEXT NOT NULL,
    file_size        INTEGER NOT NULL,
    file_md5         TEXT,
    file_crc32       TEXT,
    platform_id      TEXT NOT NULL,
    detected_title   TEXT,
    matched_game_id  TEXT,
    format           TEXT,
    is_archive       INTEGER NOT NULL DEFAULT 0 CHECK (is_archive IN (0, 1)),
    archive_contents TEXT,
    needs_conversion INTEGER NOT NULL DEFAULT 0 CHECK (needs_conversion IN (0, 1)),
    is_missing       INTEGER NOT NULL DEFAULT 0 CHECK (is_missing IN (0, 1)),
    region           TEXT,
    languages        TEXT,
    revision         TEXT,
    is_hack          INTEGER NOT NULL DEFAULT 0 CHECK (is_hack IN (0, 1)),
    hack_type        TEXT,
    added_at         TEXT NOT NULL DEFAULT CURRENT_TIMESTAMP,
    last_scanned_at  TEXT,
    last_played_at   TEXT
);

CREATE TABLE game_metadata (
    id               INTEGER PRIMARY KEY AUTOINCREMENT,
    game_id          INTEGER NOT NULL UNIQUE REFERENCES games(id) ON DELETE CASCADE,
    title            TEXT,
    sort_title       TEXT,
    description      TEXT,
    release_date     TEXT,
    developers       TEXT,
    publishers       TEXT,
    genres           TEXT,
    players_min      INTEGER,
    players_max      INTEGER,
    rating           TEXT,
    cover_url        TEXT,
    screenshot_urls  TEXT,
    metadata_source  TEXT,
    metadata_payload TEXT,
    updated_at       TEXT NOT NULL DEFAULT CURRENT_TIMESTAMP
);

CREATE TABLE collections (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    name            TEXT NOT NULL,
    description     TEXT,
    collection_type TEXT NOT NULL DEFAULT 'manual'
                    CHECK (collection_type IN ('manual', 'auto', 'system')),
    rules_json      TEXT,
    is_pinned       INTEGER NOT NULL DEFAULT 0 CHECK (is_pinned IN (0, 1)),
    created_at      TEXT NOT NULL DEFAULT CURRENT_TIMESTAMP,
    updated_at      TEXT
);

CREATE TABLE collection_games (
    collection_id INTEGER NOT NULL REFERENCES collections(id) ON DELETE CASCADE,
    game_id       INTEGER NOT NULL REFERENCES games(id) ON DELETE CASCADE,
    sort_order    INTEGER,
    added_at      TEXT NOT NULL DEFAULT CURRENT_TIMESTAMP,
    PRIMARY KEY (collection_id, game_id)
) WITHOUT ROWID;

CREATE TABLE devices (
    id                  INTEGER PRIMARY KEY AUTOINCREMENT,
    device_id           TEXT NOT NULL,
    nickname            TEXT,
    connection_type     TEXT NOT NULL CHECK (connection_type IN ('usb', 'network', 'sd_card', 'folder')),
    last_connected_path TEXT,
    is_favorite         INTEGER NOT NULL DEFAULT 0 CHECK (is_favorite IN (0, 1)),
    last_connected_at   TEXT,
    created_at          TEXT NOT NULL DEFAULT CURRENT_TIMESTAMP
);
CREATE INDEX idx_devices_device_id ON devices(device_id);
CREATE INDEX idx_devices_last_connected_at ON devices(last_connected_at);

CREATE TABLE device_profiles (
    id                      INTEGER PRIMARY KEY AUTOINCREMENT,
    device_row_id           INTEGER NOT NULL REFERENCES devices(id) ON DELETE CASCADE,
    os_id                   TEXT NOT NULL,
    profile_name            TEXT,
    detected_layout_profile TEXT,
    notes                   TEXT,
    custom_roms_path        TEXT,
    custom_bios_path        TEXT,
    custom_saves_path       TEXT,
    custom_states_path      TEXT,
    custom_config_path      TEXT,
    created_at              TEXT NOT NULL DEFAULT CURRENT_TIMESTAMP,
    updated_at              TEXT
);
CREATE INDEX idx_device_profiles_device_row_id ON device_profiles(device_row_id);
CREATE INDEX idx_device_profiles_os_id ON device_profiles(os_id);

CREATE TABLE deployment_history (
    id                INTEGER PRIMARY KEY AUTOINCREMENT,
    device_profile_id INTEGER NOT NULL REFERENCES device_profiles(id) ON DELETE CASCADE,
    deployment_name   TEXT,
    destination_path  TEXT NOT NULL,
    destination_id    TEXT,
    totals_json       TEXT,
    options_json      TEXT,
    manifest_json     TEXT,
    status            TEXT NOT NULL DEFAULT 'completed'
                      CHECK (status IN ('started', 'completed', 'failed', 'cancelled')),
    started_at        TEXT NOT NULL DEFAULT CURRENT_TIMESTAMP,
    completed_at      TEXT,
    error_message     TEXT
);
CREATE INDEX idx_deployments_device_profile ON deployment_history(device_profile_id);
CREATE INDEX idx_deployments_started_at ON deployment_history(started_at);
CREATE INDEX idx_deployments_status ON deployment_history(status);

CREATE TABLE destination_path_overrides (
    destination_id  TEXT PRIMARY KEY,
    os_id           TEXT,
    overrides_json  TEXT NOT NULL,
    last_scanned_at TEXT,
    created_at      TEXT NOT NULL DEFAULT CURRENT_TIMESTAMP,
    updated_at      TEXT
);

CREATE TABLE destination_scan_history (
    id                      INTEGER PRIMARY KEY AUTOINCREMENT,
    destination_id          TEXT NOT NULL,
    os_id                   TEXT,
    detected_layout_profile TEXT,
    scan_result_json        TEXT NOT NULL,
    scanned_at              TEXT NOT NULL DEFAULT CURRENT_TIMESTAMP
);
CREATE INDEX idx_dest_scan_destination ON destination_scan_history(destination_id);
CREATE INDEX idx_dest_scan_scanned_at ON destination_scan_history(scanned_at);

CREATE TABLE user_settings (
    key        TEXT PRIMARY KEY,
    value      TEXT,
    value_type TEXT NOT NULL DEFAULT 'string'
               CHECK (value_type IN ('string', 'number', 'boolean', 'json')),
    updated_at TEXT NOT NULL DEFAULT CURRENT_TIMESTAMP
);

CREATE TABLE platform_overrides (
    id                INTEGER PRIMARY KEY AUTOINCREMENT,
    device_profile_id INTEGER,
    platform_id       TEXT NOT NULL,
    emulator_id       TEXT NOT NULL,
    notes             TEXT,
    updated_at        TEXT NOT NULL DEFAULT CURRENT_TIMESTAMP
);
CREATE UNIQUE INDEX uidx_platform_overrides_scoped
    ON platform_overrides(device_profile_id, platform_id) WHERE device_profile_id IS NOT NULL;
CREATE UNIQUE INDEX uidx_platform_overrides_global
    ON platform_overrides(platform_id) WHERE device_profile_id IS NULL;
CREATE INDEX idx_platform_overrides_platform ON platform_overrides(platform_id);

CREATE TABLE game_overrides (
    id                INTEGER PRIMARY KEY AUTOINCREMENT,
    device_profile_id INTEGER,
    game_id           INTEGER NOT NULL REFERENCES games(id) ON DELETE CASCADE,
    emulator_id       TEXT,
    custom_settings   TEXT,
    apply_mode        TEXT NOT NULL DEFAULT 'suggested'
                      CHECK (apply_mode IN ('suggested', 'auto', 'required')),
    is_enabled        INTEGER NOT NULL DEFAULT 1 CHECK (is_enabled IN (0, 1)),
    notes             TEXT,
    updated_at        TEXT NOT NULL DEFAULT CURRENT_TIMESTAMP
);
CREATE UNIQUE INDEX uidx_game_overrides_scoped
    ON game_overrides(device_profile_id, game_id) WHERE device_profile_id IS NOT NULL;
CREATE UNIQUE INDEX uidx_game_overrides_global
    ON game_overrides(game_id) WHERE device_profile_id IS NULL;
CREATE INDEX idx_game_overrides_game_id ON game_overrides(game_id);

-- v1.0.0 caches: no expires_at; the source is part of the key, so one key can hold a row
-- per source (the duplication v1.0.1 removed).
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
    cached_at          TEXT NOT NULL DEFAULT CURRENT_TIMESTAMP
);
CREATE INDEX idx_perf_cache_lookup
    ON game_performance_cache(device_profile_id, platform_id, definition_game_id);

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
    cached_at          TEXT NOT NULL DEFAULT CURRENT_TIMESTAMP
);
CREATE UNIQUE INDEX uidx_compat_cache_key
    ON emulator_compat_cache(platform_id, emulator_id, definition_game_id, source);

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
    cached_at          TEXT NOT NULL DEFAULT CURRENT_TIMESTAMP
);
CREATE UNIQUE INDEX uidx_settings_cache_key
    ON game_settings_cache(platform_id, emulator_id, definition_game_id, source);

CREATE TABLE bios_files (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    filepath        TEXT NOT NULL UNIQUE,
    filename        TEXT NOT NULL,
    file_size       INTEGER NOT NULL,
    file_md5        TEXT,
    file_sha1       TEXT,
    file_crc32      TEXT,
    platform_id     TEXT,
    detected_name   TEXT,
    added_at        TEXT NOT NULL DEFAULT CURRENT_TIMESTAMP,
    last_scanned_at TEXT
);
CREATE INDEX idx_bios_files_filename ON bios_files(filename);
CREATE INDEX idx_bios_files_platform ON bios_files(platform_id);

CREATE TABLE bios_verification (
    id                   INTEGER PRIMARY KEY AUTOINCREMENT,
    bios_file_id         INTEGER NOT NULL REFERENCES bios_files(id) ON DELETE CASCADE,
    bios_definition_id   TEXT NOT NULL,
    is_match             INTEGER NOT NULL CHECK (is_match IN (0, 1)),
    matched_hash_type    TEXT,
    expected_hashes_json TEXT,
    file_hashes_json     TEXT,
    required             INTEGER NOT NULL DEFAULT 0 CHECK (required IN (0, 1)),
    emulator_id_context  TEXT,
    verified_at          TEXT NOT NULL DEFAULT CURRENT_TIMESTAMP,
    notes                TEXT
);
CREATE UNIQUE INDEX uidx_bios_verify_key ON bios_verification(bios_file_id, bios_definition_id);
CREATE INDEX idx_bios_verify_definition ON bios_verification(bios_definition_id);

CREATE INDEX idx_games_platform_id ON games(platform_id);
CREATE INDEX idx_games_filepath ON games(filepath);
CREATE INDEX idx_games_detected_title ON games(detected_title);
CREATE INDEX idx_games_matched_game_id ON games(matched_game_id);
CREATE INDEX idx_games_added_at ON games(added_at);
CREATE INDEX idx_games_last_played_at ON games(last_played_at);

INSERT INTO schema_version (id, schema_version, notes) VALUES (1, 1, 'ROM Runner schema v1.0.0');
