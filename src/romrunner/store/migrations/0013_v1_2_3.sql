-- ROM Runner schema v1.2.3 (schema_version 13): disc ids on games; libretro cores' firmware.
-- changes_data: no

-- The id printed on a disc image (PS1/PS2/PSP serial in one spelling, `SLUS-20312`;
-- GameCube/Wii six-character game id), read by the scan's hashing workers. Emulator
-- databases key their knowledge by it, and many images match no DAT. A DAT-matched game's
-- serial is read from catalog_games at lookup time, so a DAT re-import needs no rescan.
ALTER TABLE games ADD COLUMN disc_id TEXT;
ALTER TABLE games ADD COLUMN disc_id_source TEXT;  -- SYSTEM.CNF, UMD_DATA.BIN, disc header
CREATE INDEX idx_games_disc_id ON games(disc_id) WHERE disc_id IS NOT NULL;  -- cache explain SERIAL

-- `cache explain SERIAL` finds the DAT-matched games of a serial (Redump writes them in
-- several spellings; the lookup asks for each).
CREATE INDEX idx_catalog_games_serial ON catalog_games(serial) WHERE serial IS NOT NULL;

-- Which firmware each libretro core needs or can use, from its `.info` file
-- (`firmwareN_path`, `firmwareN_opt`). Kept as imported and merged with the pack's BIOS
-- entries each time they are used (the pack wins), like bios_extra_hashes.
CREATE TABLE core_firmware (
    core_id      TEXT NOT NULL,
    path         TEXT NOT NULL,       -- relative to the BIOS folder, e.g. `dc/dc_boot.bin`
    optional     INTEGER NOT NULL CHECK (optional IN (0, 1)),
    platform_id  TEXT,                -- from the core's `database` / `systemid`, when known
    display_name TEXT,
    source_path  TEXT,
    imported_at  TEXT NOT NULL DEFAULT CURRENT_TIMESTAMP,
    PRIMARY KEY (core_id, path)
) WITHOUT ROWID;

UPDATE schema_version SET schema_version = 13, applied_at = CURRENT_TIMESTAMP,
    notes = 'ROM Runner schema v1.2.3 (disc ids on games; libretro core firmware)';
