-- ROM Runner schema v1.1.3 (schema_version 6).
-- changes_data: no

-- A disc's track files (.bin of a .cue, tracks of a .gdi) are rows of game_files, not games,
-- so the rescan's size + mtime skip needs their modification time too: a track changed or
-- replaced under an unchanged sheet is then re-examined without --full. Rows stored before
-- this version have none; for them the rescan compares the size only, until the disc is next
-- examined.
ALTER TABLE game_files ADD COLUMN file_mtime_ns INTEGER;

UPDATE schema_version SET schema_version = 6, applied_at = CURRENT_TIMESTAMP,
    notes = 'ROM Runner schema v1.1.3 (track modification times for incremental rescans)';
