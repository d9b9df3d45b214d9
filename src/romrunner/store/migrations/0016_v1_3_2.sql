-- ROM Runner schema v1.3.2 (schema_version 16): per-platform game counters.
-- changes_data: no

-- `romrunner platforms` counted every game with one GROUP BY over the whole games table:
-- about 5-10 s at 1,000,000 games (docs/PERFORMANCE.md, issue 13). The counts are kept here
-- instead, by triggers on games, so the report reads one row per platform. Each column is
-- exactly the aggregate it replaces (library/reports.py; tests/test_reports.py compares
-- them after random inserts, updates and deletes):
--   games         count(*)
--   hash_matched  sum(match_method IN ('sha1', 'md5', 'crc32', 'tracks') OR match_method = 'user')
--   name_guessed  sum(match_method = 'name')
--   unidentified  sum(matched_game_id IS NULL)
--   missing       sum(is_missing)
-- A platform's row goes when its last game does. Triggers fire for rows deleted by a cascade
-- (a library root removed) too. A later migration that rebuilds the games table must create
-- these triggers again (and refill the table), as it does the search index's.
CREATE TABLE platform_counts (
    platform_id   TEXT PRIMARY KEY,
    games         INTEGER NOT NULL DEFAULT 0,
    hash_matched  INTEGER NOT NULL DEFAULT 0,
    name_guessed  INTEGER NOT NULL DEFAULT 0,
    unidentified  INTEGER NOT NULL DEFAULT 0,
    missing       INTEGER NOT NULL DEFAULT 0
) WITHOUT ROWID;

INSERT INTO platform_counts (platform_id, games, hash_matched, name_guessed, unidentified,
                             missing)
SELECT platform_id, count(*),
       coalesce(sum(match_method IN ('sha1', 'md5', 'crc32', 'tracks') OR match_method = 'user'), 0),
       coalesce(sum(match_method = 'name'), 0), coalesce(sum(matched_game_id IS NULL), 0),
       coalesce(sum(is_missing), 0)
FROM games GROUP BY platform_id;

CREATE TRIGGER games_counts_insert AFTER INSERT ON games BEGIN
    INSERT INTO platform_counts (platform_id, games, hash_matched, name_guessed, unidentified,
                                 missing)
    VALUES (new.platform_id, 1,
            coalesce(new.match_method IN ('sha1', 'md5', 'crc32', 'tracks')
                     OR new.match_method = 'user', 0),
            coalesce(new.match_method = 'name', 0), new.matched_game_id IS NULL,
            coalesce(new.is_missing, 0))
    ON CONFLICT (platform_id) DO UPDATE SET
        games = games + 1,
        hash_matched = hash_matched + excluded.hash_matched,
        name_guessed = name_guessed + excluded.name_guessed,
        unidentified = unidentified + excluded.unidentified,
        missing = missing + excluded.missing;
END;

CREATE TRIGGER games_counts_delete AFTER DELETE ON games BEGIN
    UPDATE platform_counts SET
        games = games - 1,
        hash_matched = hash_matched - coalesce(old.match_method IN ('sha1', 'md5', 'crc32',
                                                'tracks') OR old.match_method = 'user', 0),
        name_guessed = name_guessed - coalesce(old.match_method = 'name', 0),
        unidentified = unidentified - (old.matched_game_id IS NULL),
        missing = missing - coalesce(old.is_missing, 0)
    WHERE platform_id = old.platform_id;
    DELETE FROM platform_counts WHERE platform_id = old.platform_id AND games <= 0;
END;

CREATE TRIGGER games_counts_update
AFTER UPDATE OF platform_id, match_method, matched_game_id, is_missing ON games
WHEN old.platform_id IS NOT new.platform_id OR old.match_method IS NOT new.match_method
  OR (old.matched_game_id IS NULL) <> (new.matched_game_id IS NULL)
  OR old.is_missing IS NOT new.is_missing
BEGIN
    UPDATE platform_counts SET
        games = games - 1,
        hash_matched = hash_matched - coalesce(old.match_method IN ('sha1', 'md5', 'crc32',
                                                'tracks') OR old.match_method = 'user', 0),
        name_guessed = name_guessed - coalesce(old.match_method = 'name', 0),
        unidentified = unidentified - (old.matched_game_id IS NULL),
        missing = missing - coalesce(old.is_missing, 0)
    WHERE platform_id = old.platform_id;
    INSERT INTO platform_counts (platform_id, games, hash_matched, name_guessed, unidentified,
                                 missing)
    VALUES (new.platform_id, 1,
            coalesce(new.match_method IN ('sha1', 'md5', 'crc32', 'tracks')
                     OR new.match_method = 'user', 0),
            coalesce(new.match_method = 'name', 0), new.matched_game_id IS NULL,
            coalesce(new.is_missing, 0))
    ON CONFLICT (platform_id) DO UPDATE SET
        games = games + 1,
        hash_matched = hash_matched + excluded.hash_matched,
        name_guessed = name_guessed + excluded.name_guessed,
        unidentified = unidentified + excluded.unidentified,
        missing = missing + excluded.missing;
    DELETE FROM platform_counts WHERE platform_id = old.platform_id AND games <= 0;
END;

UPDATE schema_version SET schema_version = 16, applied_at = CURRENT_TIMESTAMP,
    notes = 'ROM Runner schema v1.3.2 (per-platform game counters kept by triggers)';
