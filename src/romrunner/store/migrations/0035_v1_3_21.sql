-- ROM Runner schema v1.3.21 (schema_version 35): the games a scan found damaged are indexed.
-- changes_data: no

-- `db status` lists the files a scan found damaged (a present game whose `scan_error` is a
-- verdict on its data), and every deploy plan asks which games are unusable now: both read
-- every row of `games` to find the few that carry a `scan_error` (0.25 s at 1M games). This
-- index holds those few rows only: the others neither grow it nor pay for it when written.

CREATE INDEX idx_games_scan_error ON games(root_id) WHERE scan_error IS NOT NULL; -- db status: damaged files; plans: unusable games

UPDATE schema_version SET schema_version = 35, applied_at = CURRENT_TIMESTAMP,
    notes = 'ROM Runner schema v1.3.21 (the games a scan found damaged are indexed)';
