-- ROM Runner schema v1.3.4 (schema_version 18): a game's size is its file and its tracks.
-- changes_data: no

-- A disc game's row in `games` is its sheet (.cue, .gdi): a few hundred bytes. Its tracks
-- are rows of `game_files` (kind 'track'), each with its size, so `games ls`, `size:`,
-- sorting by size and `games dupes` said a 700 MB disc was 100 bytes (issue 12). A game's
-- size is now one column, `total_size`: the file's own size plus its tracks'. Archive
-- members (kind 'member') are not added: the archive on disk is what the user has and
-- what deploy copies. A track that could not be read (no size) adds nothing; an .m3u's
-- entries are games of their own and carry no size here, so nothing is counted twice.
--
-- `tracks_size` is kept by triggers on `game_files`, exactly `sum(file_size)` of the
-- game's tracks (tests/test_game_size.py compares them after random inserts, updates and
-- deletes); `total_size` is computed from it, so a rescan that rewrites `file_size` keeps
-- it right with no trigger on `games`. Members and CHD rows skip the triggers (WHEN). A
-- later migration that rebuilds `games` must keep `tracks_size` (and `total_size`); one that
-- rebuilds `game_files` must create these triggers again.
ALTER TABLE games ADD COLUMN tracks_size INTEGER NOT NULL DEFAULT 0;
ALTER TABLE games ADD COLUMN total_size INTEGER GENERATED ALWAYS AS (file_size + tracks_size) VIRTUAL;

UPDATE games SET tracks_size = (SELECT sum(f.file_size) FROM game_files f
                                WHERE f.game_id = games.id AND f.kind = 'track')
WHERE id IN (SELECT game_id FROM game_files WHERE kind = 'track' AND file_size IS NOT NULL);

CREATE TRIGGER game_files_size_insert AFTER INSERT ON game_files
WHEN new.kind = 'track' AND new.file_size IS NOT NULL
BEGIN
    UPDATE games SET tracks_size = tracks_size + new.file_size WHERE id = new.game_id;
END;

CREATE TRIGGER game_files_size_delete AFTER DELETE ON game_files
WHEN old.kind = 'track' AND old.file_size IS NOT NULL
BEGIN
    UPDATE games SET tracks_size = tracks_size - old.file_size WHERE id = old.game_id;
END;

CREATE TRIGGER game_files_size_update AFTER UPDATE OF game_id, kind, file_size ON game_files
WHEN (old.kind = 'track' AND old.file_size IS NOT NULL)
  OR (new.kind = 'track' AND new.file_size IS NOT NULL)
BEGIN
    UPDATE games SET tracks_size = tracks_size - old.file_size
    WHERE id = old.game_id AND old.kind = 'track' AND old.file_size IS NOT NULL;
    UPDATE games SET tracks_size = tracks_size + new.file_size
    WHERE id = new.game_id AND new.kind = 'track' AND new.file_size IS NOT NULL;
END;

UPDATE schema_version SET schema_version = 18, applied_at = CURRENT_TIMESTAMP,
    notes = 'ROM Runner schema v1.3.4 (a game''s size: its file and its disc tracks)';
