-- ROM Runner schema v1.3.8 (schema_version 22): deployment_items' CHECKs written as OR chains,
-- and an index on its game_id (issue 16; docs/PERFORMANCE.md, "Deploy").
-- changes_data: yes
-- foreign_keys: off

-- * `kind IN (…)`, `action IN (…)` and `status IN (…)` are compiled by SQLite (3.40) into an
--   ephemeral table filled with the list's values on every execution: every row a deploy
--   records built three of them. The same rules as `=` … `OR` chains build none (3,000 intent
--   rows of a small-file deploy: ~10.6 -> ~6.9 ms of CPU without the index below).
-- * `game_id REFERENCES games(id) ON DELETE SET NULL` had no index: every delete from games
--   (`games forget`, a scan removing vanished rows) and the scan's check that a copy has a
--   deployment record read the whole table, once per game. It costs each recorded row
--   ~0.6 µs more; a `games forget` of 1,000 games against 100,000 rows no longer reads 10^8.
-- The columns, their order, defaults, keys and the rules they accept are unchanged; every
-- row is copied as it is.

CREATE TABLE deployment_items_v22 (
    deployment_id   INTEGER NOT NULL REFERENCES deployment_history(id) ON DELETE CASCADE,
    seq             INTEGER NOT NULL,
    kind            TEXT NOT NULL CHECK (kind = 'rom' OR kind = 'bios' OR kind = 'playlist'
                                         OR kind = 'other'),
    action          TEXT NOT NULL DEFAULT 'copy' CHECK (action = 'copy' OR action = 'prune'),
    game_id         INTEGER REFERENCES games(id) ON DELETE SET NULL,
    platform_id     TEXT,
    source_path     TEXT NOT NULL,
    source_mtime_ns INTEGER,
    content         BLOB,
    dest_path       TEXT NOT NULL,
    file_size       INTEGER NOT NULL,
    file_sha1       TEXT,
    dest_mtime_ns   INTEGER,
    status          TEXT NOT NULL DEFAULT 'pending'
                    CHECK (status = 'pending' OR status = 'copied' OR status = 'skipped'
                           OR status = 'failed' OR status = 'conflict' OR status = 'pruned'),
    error           TEXT,
    PRIMARY KEY (deployment_id, seq)
) WITHOUT ROWID;

INSERT INTO deployment_items_v22 (deployment_id, seq, kind, action, game_id, platform_id,
                                  source_path, source_mtime_ns, content, dest_path,
                                  file_size, file_sha1, dest_mtime_ns, status, error)
    SELECT deployment_id, seq, kind, action, game_id, platform_id, source_path,
           source_mtime_ns, content, dest_path, file_size, file_sha1, dest_mtime_ns, status,
           error
    FROM deployment_items;

DROP TABLE deployment_items;
ALTER TABLE deployment_items_v22 RENAME TO deployment_items;

CREATE INDEX idx_deployment_items_game_id ON deployment_items(game_id)
WHERE game_id IS NOT NULL; -- games: the foreign key's checks; scan: a copy's deployments

UPDATE schema_version SET schema_version = 22, applied_at = CURRENT_TIMESTAMP,
    notes = 'ROM Runner schema v1.3.8 (deployment_items: CHECKs as OR chains, game_id index)';
