-- ROM Runner schema v1.1.6 (schema_version 9).
-- changes_data: no

-- Every hash identification matches on is findable by `games find` through an index
-- (issue 17 of the trust list: the header-less md5 of a headered NES file was matched but
-- not found). Header-less hashes exist only for headered files, so the indexes are partial
-- and cost nothing for the rest of the library.
CREATE INDEX idx_games_nh_md5 ON games(nh_md5) WHERE nh_md5 IS NOT NULL;           -- find --md5
CREATE INDEX idx_games_nh_crc32 ON games(nh_crc32) WHERE nh_crc32 IS NOT NULL;     -- find --crc32
CREATE INDEX idx_game_files_nh_sha1 ON game_files(nh_sha1) WHERE nh_sha1 IS NOT NULL; -- find --sha1
CREATE INDEX idx_game_files_nh_md5 ON game_files(nh_md5) WHERE nh_md5 IS NOT NULL;    -- find --md5
CREATE INDEX idx_game_files_nh_crc32 ON game_files(nh_crc32) WHERE nh_crc32 IS NOT NULL; -- find --crc32

-- Name-only guesses are counted apart from hash matches (scan summary, db status); an
-- unchanged rescan counts a root's guesses from this index instead of reading every row.
CREATE INDEX idx_games_guessed ON games(root_id) WHERE match_method = 'name' AND is_missing = 0; -- scan: guesses

UPDATE schema_version SET schema_version = 9, applied_at = CURRENT_TIMESTAMP,
    notes = 'ROM Runner schema v1.1.6 (header-less and member hash indexes; name guesses)';
