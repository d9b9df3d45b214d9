-- ROM Runner schema v1.3.7 (schema_version 21): a library's own .m3u playlist is not counted
-- as an unidentified game (QA12 F7: `platforms` and `db status` counted a set's playlist,
-- its three discs identified, among the unidentified; no DAT lists an .m3u to match it).
-- platform_counts is counted again from the games with this rule.
-- changes_data: no

DROP TRIGGER IF EXISTS games_counts_insert;
DROP TRIGGER IF EXISTS games_counts_delete;
DROP TRIGGER IF EXISTS games_counts_update;

CREATE TRIGGER games_counts_insert AFTER INSERT ON games
WHEN NOT EXISTS (SELECT 1 FROM games_pending WHERE new.id >= first_id)
BEGIN
    INSERT INTO platform_counts (platform_id, games, hash_matched, name_guessed, unidentified,
                                 missing)
    VALUES (new.platform_id, 1,
            coalesce(new.match_method IN ('sha1', 'md5', 'crc32', 'tracks')
                     OR new.match_method = 'user', 0),
            coalesce(new.match_method = 'name', 0),
            new.matched_game_id IS NULL AND new.format IS NOT 'm3u',
            coalesce(new.is_missing, 0))
    ON CONFLICT (platform_id) DO UPDATE SET
        games = games + 1,
        hash_matched = hash_matched + excluded.hash_matched,
        name_guessed = name_guessed + excluded.name_guessed,
        unidentified = unidentified + excluded.unidentified,
        missing = missing + excluded.missing;
END;

CREATE TRIGGER games_counts_delete AFTER DELETE ON games
WHEN NOT EXISTS (SELECT 1 FROM games_pending WHERE old.id >= first_id)
BEGIN
    UPDATE platform_counts SET
        games = games - 1,
        hash_matched = hash_matched - coalesce(old.match_method IN ('sha1', 'md5', 'crc32',
                                                'tracks') OR old.match_method = 'user', 0),
        name_guessed = name_guessed - coalesce(old.match_method = 'name', 0),
        unidentified = unidentified - (old.matched_game_id IS NULL AND old.format IS NOT 'm3u'),
        missing = missing - coalesce(old.is_missing, 0)
    WHERE platform_id = old.platform_id;
    DELETE FROM platform_counts WHERE platform_id = old.platform_id AND games <= 0;
END;

CREATE TRIGGER games_counts_update
AFTER UPDATE OF platform_id, match_method, matched_game_id, is_missing ON games
WHEN (old.platform_id IS NOT new.platform_id OR old.match_method IS NOT new.match_method
      OR (old.matched_game_id IS NULL) <> (new.matched_game_id IS NULL)
      OR old.is_missing IS NOT new.is_missing)
  AND NOT EXISTS (SELECT 1 FROM games_pending WHERE old.id >= first_id)
BEGIN
    UPDATE platform_counts SET
        games = games - 1,
        hash_matched = hash_matched - coalesce(old.match_method IN ('sha1', 'md5', 'crc32',
                                                'tracks') OR old.match_method = 'user', 0),
        name_guessed = name_guessed - coalesce(old.match_method = 'name', 0),
        unidentified = unidentified - (old.matched_game_id IS NULL AND old.format IS NOT 'm3u'),
        missing = missing - coalesce(old.is_missing, 0)
    WHERE platform_id = old.platform_id;
    INSERT INTO platform_counts (platform_id, games, hash_matched, name_guessed, unidentified,
                                 missing)
    VALUES (new.platform_id, 1,
            coalesce(new.match_method IN ('sha1', 'md5', 'crc32', 'tracks')
                     OR new.match_method = 'user', 0),
            coalesce(new.match_method = 'name', 0),
            new.matched_game_id IS NULL AND new.format IS NOT 'm3u',
            coalesce(new.is_missing, 0))
    ON CONFLICT (platform_id) DO UPDATE SET
        games = games + 1,
        hash_matched = hash_matched + excluded.hash_matched,
        name_guessed = name_guessed + excluded.name_guessed,
        unidentified = unidentified + excluded.unidentified,
        missing = missing + excluded.missing;
    DELETE FROM platform_counts WHERE platform_id = old.platform_id AND games <= 0;
END;

-- A rescan of an unchanged library counts its unidentified games from the walk (no table
-- scan): the playlists are taken off with an index count, as the name guesses are.
CREATE INDEX idx_games_playlists ON games(root_id)
WHERE format = 'm3u' AND matched_game_id IS NULL AND is_missing = 0; -- scan: playlists

DELETE FROM platform_counts;
INSERT INTO platform_counts (platform_id, games, hash_matched, name_guessed, unidentified,
                             missing)
SELECT platform_id, count(*),
       coalesce(sum(match_method IN ('sha1', 'md5', 'crc32', 'tracks') OR match_method = 'user'), 0),
       coalesce(sum(match_method = 'name'), 0),
       coalesce(sum(matched_game_id IS NULL AND format IS NOT 'm3u'), 0),
       coalesce(sum(is_missing), 0)
FROM games GROUP BY platform_id;

UPDATE schema_version SET schema_version = 21, applied_at = CURRENT_TIMESTAMP,
    notes = 'ROM Runner schema v1.3.7 (a playlist is no unidentified game)';
