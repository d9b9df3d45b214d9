-- ROM Runner schema v1.3.16 (schema_version 30): catalog games found by their name.
-- changes_data: no

-- An archive's member is the set named as the archive (`neogeo.zip`'s ROMs are neogeo's,
-- though hundreds of sets list them too). Identification looked for that set among every
-- catalog ROM of the member's data: for a BIOS ROM N sets list, N rows a member, N² a pass
-- (bench 139: 4.8 s of a 5.9 s first scan of 2,000 sets). By this index it finds the set
-- named as the archive at once. (lower() is SQLite's own: any SQLite reads and writes the
-- table.)

CREATE INDEX idx_catalog_games_name_lower ON catalog_games(lower(name));

UPDATE schema_version SET schema_version = 30, applied_at = CURRENT_TIMESTAMP,
    notes = 'ROM Runner schema v1.3.16 (catalog games found by their name)';
