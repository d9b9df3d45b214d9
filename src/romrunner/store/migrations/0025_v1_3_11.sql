-- ROM Runner schema v1.3.11 (schema_version 25): an arcade set's BIOS set.
-- changes_data: yes

-- A MAME or FBNeo set that runs with a BIOS set (`2020bb` with `neogeo`: `romof="neogeo"`)
-- holds, split or merged, only its own ROMs: the emulator reads the BIOS set's zip beside it
-- (QA39 F5: a Neo Geo game went on the card without `neogeo.zip`, and `neogeo.zip` itself was
-- an auto-list's game). `rom_of` is the DAT's `romof` (a clone's names its parent), `is_bios`
-- marks a BIOS set (`isbios="yes"`, clrmamepro's `resource`). Catalogs imported before hold
-- neither until imported again: a catalog with parents and clones (an arcade DAT) forgets the
-- hash of its file, so that importing the same file again reads it (not "unchanged").

ALTER TABLE catalog_games ADD COLUMN rom_of TEXT;
ALTER TABLE catalog_games ADD COLUMN is_bios INTEGER NOT NULL DEFAULT 0;
-- (the BIOS sets only: "are there any" is one probe for a library without, every plan)
CREATE INDEX idx_catalog_games_bios ON catalog_games(game_id) WHERE is_bios = 1;

UPDATE catalog_sources SET file_sha1 = 'read again: ' || file_sha1
WHERE id IN (SELECT source_id FROM catalog_games WHERE clone_of IS NOT NULL AND clone_of <> '');

UPDATE schema_version SET schema_version = 25, applied_at = CURRENT_TIMESTAMP,
    notes = 'ROM Runner schema v1.3.11 (an arcade set''s BIOS set)';
