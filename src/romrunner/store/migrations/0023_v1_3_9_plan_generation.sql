-- ROM Runner schema v1.3.9 (schema_version 23): a generation token for the deploy plans
-- kept between runs (issue 16: an unchanged re-deploy within 2x of a bare walk of the card;
-- docs/PERFORMANCE.md, "Deploy").
-- changes_data: no

-- `plan_generation` holds one row: a random 64-bit token drawn again for every row inserted,
-- updated or deleted in a table a deploy plan reads (games and their files,
-- library roots, BIOS scans and verifications, overrides, devices and profiles, destination
-- path overrides, the synced pack's records, settings, collections). A plan is kept with the
-- token it was made under and is reused only while the token is the same: any change to what
-- it read makes it stale, and a database restored from a backup (or another file put in its
-- place) has another token, never an older one counted back up to the same number.
-- Each row written to those tables costs one more single-row UPDATE (measured against the
-- scan's writer: docs/PERFORMANCE.md).

CREATE TABLE plan_generation (
    id    INTEGER PRIMARY KEY CHECK (id = 1),
    token INTEGER NOT NULL
);
INSERT INTO plan_generation (id, token) VALUES (1, random());

CREATE TRIGGER plan_generation_games_insert AFTER INSERT ON games
BEGIN UPDATE plan_generation SET token = random(); END;

CREATE TRIGGER plan_generation_games_update AFTER UPDATE ON games
BEGIN UPDATE plan_generation SET token = random(); END;

CREATE TRIGGER plan_generation_games_delete AFTER DELETE ON games
BEGIN UPDATE plan_generation SET token = random(); END;

CREATE TRIGGER plan_generation_game_files_insert AFTER INSERT ON game_files
BEGIN UPDATE plan_generation SET token = random(); END;

CREATE TRIGGER plan_generation_game_files_update AFTER UPDATE ON game_files
BEGIN UPDATE plan_generation SET token = random(); END;

CREATE TRIGGER plan_generation_game_files_delete AFTER DELETE ON game_files
BEGIN UPDATE plan_generation SET token = random(); END;

CREATE TRIGGER plan_generation_games_pending_insert AFTER INSERT ON games_pending
BEGIN UPDATE plan_generation SET token = random(); END;

CREATE TRIGGER plan_generation_games_pending_update AFTER UPDATE ON games_pending
BEGIN UPDATE plan_generation SET token = random(); END;

CREATE TRIGGER plan_generation_games_pending_delete AFTER DELETE ON games_pending
BEGIN UPDATE plan_generation SET token = random(); END;

CREATE TRIGGER plan_generation_library_roots_insert AFTER INSERT ON library_roots
BEGIN UPDATE plan_generation SET token = random(); END;

CREATE TRIGGER plan_generation_library_roots_update AFTER UPDATE ON library_roots
BEGIN UPDATE plan_generation SET token = random(); END;

CREATE TRIGGER plan_generation_library_roots_delete AFTER DELETE ON library_roots
BEGIN UPDATE plan_generation SET token = random(); END;

CREATE TRIGGER plan_generation_bios_files_insert AFTER INSERT ON bios_files
BEGIN UPDATE plan_generation SET token = random(); END;

CREATE TRIGGER plan_generation_bios_files_update AFTER UPDATE ON bios_files
BEGIN UPDATE plan_generation SET token = random(); END;

CREATE TRIGGER plan_generation_bios_files_delete AFTER DELETE ON bios_files
BEGIN UPDATE plan_generation SET token = random(); END;

CREATE TRIGGER plan_generation_bios_verification_insert AFTER INSERT ON bios_verification
BEGIN UPDATE plan_generation SET token = random(); END;

CREATE TRIGGER plan_generation_bios_verification_update AFTER UPDATE ON bios_verification
BEGIN UPDATE plan_generation SET token = random(); END;

CREATE TRIGGER plan_generation_bios_verification_delete AFTER DELETE ON bios_verification
BEGIN UPDATE plan_generation SET token = random(); END;

CREATE TRIGGER plan_generation_bios_extra_hashes_insert AFTER INSERT ON bios_extra_hashes
BEGIN UPDATE plan_generation SET token = random(); END;

CREATE TRIGGER plan_generation_bios_extra_hashes_update AFTER UPDATE ON bios_extra_hashes
BEGIN UPDATE plan_generation SET token = random(); END;

CREATE TRIGGER plan_generation_bios_extra_hashes_delete AFTER DELETE ON bios_extra_hashes
BEGIN UPDATE plan_generation SET token = random(); END;

CREATE TRIGGER plan_generation_core_firmware_insert AFTER INSERT ON core_firmware
BEGIN UPDATE plan_generation SET token = random(); END;

CREATE TRIGGER plan_generation_core_firmware_update AFTER UPDATE ON core_firmware
BEGIN UPDATE plan_generation SET token = random(); END;

CREATE TRIGGER plan_generation_core_firmware_delete AFTER DELETE ON core_firmware
BEGIN UPDATE plan_generation SET token = random(); END;

CREATE TRIGGER plan_generation_game_overrides_insert AFTER INSERT ON game_overrides
BEGIN UPDATE plan_generation SET token = random(); END;

CREATE TRIGGER plan_generation_game_overrides_update AFTER UPDATE ON game_overrides
BEGIN UPDATE plan_generation SET token = random(); END;

CREATE TRIGGER plan_generation_game_overrides_delete AFTER DELETE ON game_overrides
BEGIN UPDATE plan_generation SET token = random(); END;

CREATE TRIGGER plan_generation_platform_overrides_insert AFTER INSERT ON platform_overrides
BEGIN UPDATE plan_generation SET token = random(); END;

CREATE TRIGGER plan_generation_platform_overrides_update AFTER UPDATE ON platform_overrides
BEGIN UPDATE plan_generation SET token = random(); END;

CREATE TRIGGER plan_generation_platform_overrides_delete AFTER DELETE ON platform_overrides
BEGIN UPDATE plan_generation SET token = random(); END;

CREATE TRIGGER plan_generation_orphaned_overrides_insert AFTER INSERT ON orphaned_overrides
BEGIN UPDATE plan_generation SET token = random(); END;

CREATE TRIGGER plan_generation_orphaned_overrides_update AFTER UPDATE ON orphaned_overrides
BEGIN UPDATE plan_generation SET token = random(); END;

CREATE TRIGGER plan_generation_orphaned_overrides_delete AFTER DELETE ON orphaned_overrides
BEGIN UPDATE plan_generation SET token = random(); END;

CREATE TRIGGER plan_generation_platform_dim_insert AFTER INSERT ON platform_dim
BEGIN UPDATE plan_generation SET token = random(); END;

CREATE TRIGGER plan_generation_platform_dim_update AFTER UPDATE ON platform_dim
BEGIN UPDATE plan_generation SET token = random(); END;

CREATE TRIGGER plan_generation_platform_dim_delete AFTER DELETE ON platform_dim
BEGIN UPDATE plan_generation SET token = random(); END;

CREATE TRIGGER plan_generation_emulator_dim_insert AFTER INSERT ON emulator_dim
BEGIN UPDATE plan_generation SET token = random(); END;

CREATE TRIGGER plan_generation_emulator_dim_update AFTER UPDATE ON emulator_dim
BEGIN UPDATE plan_generation SET token = random(); END;

CREATE TRIGGER plan_generation_emulator_dim_delete AFTER DELETE ON emulator_dim
BEGIN UPDATE plan_generation SET token = random(); END;

CREATE TRIGGER plan_generation_game_key_dim_insert AFTER INSERT ON game_key_dim
BEGIN UPDATE plan_generation SET token = random(); END;

CREATE TRIGGER plan_generation_game_key_dim_update AFTER UPDATE ON game_key_dim
BEGIN UPDATE plan_generation SET token = random(); END;

CREATE TRIGGER plan_generation_game_key_dim_delete AFTER DELETE ON game_key_dim
BEGIN UPDATE plan_generation SET token = random(); END;

CREATE TRIGGER plan_generation_devices_insert AFTER INSERT ON devices
BEGIN UPDATE plan_generation SET token = random(); END;

CREATE TRIGGER plan_generation_devices_update AFTER UPDATE ON devices
BEGIN UPDATE plan_generation SET token = random(); END;

CREATE TRIGGER plan_generation_devices_delete AFTER DELETE ON devices
BEGIN UPDATE plan_generation SET token = random(); END;

CREATE TRIGGER plan_generation_device_profiles_insert AFTER INSERT ON device_profiles
BEGIN UPDATE plan_generation SET token = random(); END;

CREATE TRIGGER plan_generation_device_profiles_update AFTER UPDATE ON device_profiles
BEGIN UPDATE plan_generation SET token = random(); END;

CREATE TRIGGER plan_generation_device_profiles_delete AFTER DELETE ON device_profiles
BEGIN UPDATE plan_generation SET token = random(); END;

CREATE TRIGGER plan_generation_destination_path_overrides_insert AFTER INSERT ON destination_path_overrides
BEGIN UPDATE plan_generation SET token = random(); END;

CREATE TRIGGER plan_generation_destination_path_overrides_update AFTER UPDATE ON destination_path_overrides
BEGIN UPDATE plan_generation SET token = random(); END;

CREATE TRIGGER plan_generation_destination_path_overrides_delete AFTER DELETE ON destination_path_overrides
BEGIN UPDATE plan_generation SET token = random(); END;

CREATE TRIGGER plan_generation_definition_pack_meta_insert AFTER INSERT ON definition_pack_meta
BEGIN UPDATE plan_generation SET token = random(); END;

CREATE TRIGGER plan_generation_definition_pack_meta_update AFTER UPDATE ON definition_pack_meta
BEGIN UPDATE plan_generation SET token = random(); END;

CREATE TRIGGER plan_generation_definition_pack_meta_delete AFTER DELETE ON definition_pack_meta
BEGIN UPDATE plan_generation SET token = random(); END;

CREATE TRIGGER plan_generation_user_settings_insert AFTER INSERT ON user_settings
BEGIN UPDATE plan_generation SET token = random(); END;

CREATE TRIGGER plan_generation_user_settings_update AFTER UPDATE ON user_settings
BEGIN UPDATE plan_generation SET token = random(); END;

CREATE TRIGGER plan_generation_user_settings_delete AFTER DELETE ON user_settings
BEGIN UPDATE plan_generation SET token = random(); END;

CREATE TRIGGER plan_generation_collections_insert AFTER INSERT ON collections
BEGIN UPDATE plan_generation SET token = random(); END;

CREATE TRIGGER plan_generation_collections_update AFTER UPDATE ON collections
BEGIN UPDATE plan_generation SET token = random(); END;

CREATE TRIGGER plan_generation_collections_delete AFTER DELETE ON collections
BEGIN UPDATE plan_generation SET token = random(); END;

CREATE TRIGGER plan_generation_collection_games_insert AFTER INSERT ON collection_games
BEGIN UPDATE plan_generation SET token = random(); END;

CREATE TRIGGER plan_generation_collection_games_update AFTER UPDATE ON collection_games
BEGIN UPDATE plan_generation SET token = random(); END;

CREATE TRIGGER plan_generation_collection_games_delete AFTER DELETE ON collection_games
BEGIN UPDATE plan_generation SET token = random(); END;

UPDATE schema_version SET schema_version = 23, applied_at = CURRENT_TIMESTAMP,
    notes = 'ROM Runner schema v1.3.9 (a generation token for kept deploy plans)';
