-- ROM Runner schema v1.3.12 (schema_version 26): a scan's rewritten rows kept until followed.
-- changes_data: no

-- A file a scan finds with other content than its row holds (two files that swapped names, `mv
-- a b` over an existing b) is rewritten batch by batch as the scan goes, and the games follow
-- their content once every root is written. The rows as they were before the rewrite were kept
-- in temporary tables: a scan interrupted after a batch was committed lost them, and the next
-- scan found the files unchanged, each game holding the other's ROM with its own curation (QA38
-- F12). They are kept here, in the same transaction as the rewrite, until a scan follows them.
-- A row here is a snapshot: the game's file columns as they were (no constraint but its id).

CREATE TABLE scan_replaced (
    id                  INTEGER PRIMARY KEY,
    filepath            TEXT,
    file_size           INTEGER,
    file_mtime_ns       INTEGER,
    crc32_bin           BLOB,
    md5_bin             BLOB,
    sha1_bin            BLOB,
    header_size         INTEGER,
    nh_crc32_bin        BLOB,
    nh_md5_bin          BLOB,
    nh_sha1_bin         BLOB,
    platform_id         TEXT,
    platform_source     TEXT,
    platform_candidates TEXT,
    detected_title      TEXT,
    title_norm          TEXT,
    format              TEXT,
    is_archive          INTEGER,
    is_missing          INTEGER,
    region              TEXT,
    languages           TEXT,
    revision            TEXT,
    version             TEXT,
    disc_number         INTEGER,
    set_key             TEXT,
    flags               TEXT,
    is_hack             INTEGER,
    hack_type           TEXT,
    scan_error          TEXT,
    disc_id             TEXT,
    disc_id_source      TEXT,
    root_id             INTEGER,
    matched_game_id     TEXT,
    match_method        TEXT,
    archive_contents    TEXT,
    needs_conversion    INTEGER,
    tracks_size         INTEGER,
    scanned_unix        INTEGER,
    updated_unix        INTEGER
);

CREATE TABLE scan_replaced_files (
    game_id             INTEGER NOT NULL,
    kind                TEXT,
    name                TEXT,
    file_size           INTEGER,
    crc32_bin           BLOB,
    md5_bin             BLOB,
    sha1_bin            BLOB,
    header_size         INTEGER,
    nh_crc32_bin        BLOB,
    nh_md5_bin          BLOB,
    nh_sha1_bin         BLOB,
    file_mtime_ns       INTEGER,
    matched_game_id     TEXT,
    match_method        TEXT
);
CREATE INDEX idx_scan_replaced_files_game ON scan_replaced_files(game_id);

UPDATE schema_version SET schema_version = 26, applied_at = CURRENT_TIMESTAMP,
    notes = 'ROM Runner schema v1.3.12 (a scan''s rewritten rows kept until followed)';
