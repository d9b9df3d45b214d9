-- ROM Runner schema v1.3.15 (schema_version 29): a game a DAT lists once per dump.
-- changes_data: no

-- libretro's DATs list a game once per dump, one ROM each (`Micro Machines (USA)`: an
-- `.nes` and an `(Unfixed).bin`; `Uninvited (USA) (Beta)`: four dated betas). The importer
-- merges the entries of one name into one catalog game, whose ROMs were then read as a set
-- all needed: a zip of either dump was "incomplete", left out of every auto-list (review 122
-- F1). `alternatives` = 1: the game was listed in several entries of one ROM each, and any of
-- its ROMs is the game. Catalogs imported before this version are read again at their next
-- import (the reader's version, datfile.READER_VERSION, is 4 from this version).

ALTER TABLE catalog_games ADD COLUMN alternatives INTEGER NOT NULL DEFAULT 0;

UPDATE schema_version SET schema_version = 29, applied_at = CURRENT_TIMESTAMP,
    notes = 'ROM Runner schema v1.3.15 (a game a DAT lists once per dump)';
