-- ROM Runner schema v1.3.13 (schema_version 27): which DAT reader read a catalog.
-- changes_data: no

-- A catalog is the DAT as the reader of its import read it. Readers learn (an arcade set's
-- BIOS set, `romof`; a set's CHD, `<disk>`): a catalog an earlier reader read lacks what the
-- new one would store, and importing the same file again said "unchanged", `--force` too
-- (QA60 F2, F3: a Neo Geo DAT without clones never learned its BIOS set, a Logiqx DAT its
-- disks). `reader` is the reader's version (importer.READER); every catalog imported before
-- is 1, read again at its next import, and judged by what it holds until then (a set whose
-- BIOS set an old reader did not keep is not "incomplete" for that set's ROMs: QA60 F1).

ALTER TABLE catalog_sources ADD COLUMN reader INTEGER NOT NULL DEFAULT 1;

UPDATE schema_version SET schema_version = 27, applied_at = CURRENT_TIMESTAMP,
    notes = 'ROM Runner schema v1.3.13 (which DAT reader read a catalog)';
