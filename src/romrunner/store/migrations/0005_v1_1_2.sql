-- ROM Runner schema v1.1.2 (schema_version 5): known BIOS hashes from sources other than the
-- pack (libretro's System.dat), kept as imported and merged with the pack's entries when
-- used, so a pack update re-decides conflicts without a re-import.
-- changes_data: no

CREATE TABLE bios_extra_hashes (
    id          INTEGER PRIMARY KEY,
    source      TEXT NOT NULL,               -- the DAT's name, e.g. 'System'
    version     TEXT,                        -- the DAT's version, e.g. 'v1.19.0'
    source_path TEXT NOT NULL,
    section     TEXT NOT NULL,               -- the DAT's system comment, e.g. 'Sony - PlayStation'
    platform_id TEXT,                        -- pack platform of the section, when known
    name        TEXT NOT NULL,               -- as the DAT gives it, may hold a subfolder
    size        INTEGER,
    crc32       TEXT,
    md5         TEXT,
    sha1        TEXT,
    imported_at TEXT NOT NULL DEFAULT CURRENT_TIMESTAMP
);
CREATE INDEX idx_bios_extra_source ON bios_extra_hashes(source);  -- a re-import replaces its rows

UPDATE schema_version SET schema_version = 5, applied_at = CURRENT_TIMESTAMP,
    notes = 'ROM Runner schema v1.1.2 (extra known BIOS hashes from System.dat)';
