-- ROM Runner schema v1.2.0 (schema_version 10): what a device profile chooses for auto-lists.
-- Only new columns with defaults: no existing row changes, so no backup is needed.
-- List columns hold JSON arrays of pack ids / collection ids ('[]' = no restriction).

ALTER TABLE device_profiles ADD COLUMN performance_mode TEXT NOT NULL DEFAULT 'balanced'
    CHECK (performance_mode IN ('strict', 'balanced', 'permissive'));
ALTER TABLE device_profiles ADD COLUMN include_platforms TEXT NOT NULL DEFAULT '[]';
ALTER TABLE device_profiles ADD COLUMN exclude_platforms TEXT NOT NULL DEFAULT '[]';
ALTER TABLE device_profiles ADD COLUMN include_collections TEXT NOT NULL DEFAULT '[]';
ALTER TABLE device_profiles ADD COLUMN exclude_collections TEXT NOT NULL DEFAULT '[]';
ALTER TABLE device_profiles ADD COLUMN max_games_per_platform INTEGER
    CHECK (max_games_per_platform IS NULL OR max_games_per_platform > 0);
ALTER TABLE device_profiles ADD COLUMN region_preference TEXT NOT NULL DEFAULT '["USA","World","Europe","Japan"]';
ALTER TABLE device_profiles ADD COLUMN language_preference TEXT NOT NULL DEFAULT '["En"]';
ALTER TABLE device_profiles ADD COLUMN allow_prerelease INTEGER NOT NULL DEFAULT 0
    CHECK (allow_prerelease IN (0, 1));
ALTER TABLE device_profiles ADD COLUMN allow_hacks INTEGER NOT NULL DEFAULT 0
    CHECK (allow_hacks IN (0, 1));
ALTER TABLE device_profiles ADD COLUMN one_game_one_rom INTEGER NOT NULL DEFAULT 1
    CHECK (one_game_one_rom IN (0, 1));

UPDATE schema_version SET schema_version = 10, applied_at = CURRENT_TIMESTAMP,
    notes = 'ROM Runner schema v1.2.0 (device profile choices for auto-lists)';
