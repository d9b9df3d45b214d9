-- ROM Runner schema v1.2.1 (schema_version 11): the deploy manifest.
-- changes_data: yes
-- foreign_keys: off

-- deployment_items becomes the per-file manifest a deploy commits as it goes, so a killed
-- or unplugged deploy resumes without recopying and a later deploy knows which files on the
-- card are ours (what we wrote, unchanged since: size + modification time on the card).
-- New: the platform (totals per platform), the source's size/mtime at planning time (a source
-- changed since the scan is skipped), the bytes of a generated file (an .m3u playlist), the
-- card file's mtime once written, the action (copy or prune), and two statuses: 'conflict'
-- (a file of the user's own at a path we want) and 'pruned'. The CHECKs change, so the table
-- is rebuilt; every row is kept.

CREATE TABLE deployment_items_v9 (
    deployment_id   INTEGER NOT NULL REFERENCES deployment_history(id) ON DELETE CASCADE,
    seq             INTEGER NOT NULL,
    kind            TEXT NOT NULL CHECK (kind IN ('rom', 'bios', 'playlist', 'other')),
    action          TEXT NOT NULL DEFAULT 'copy' CHECK (action IN ('copy', 'prune')),
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
                    CHECK (status IN ('pending', 'copied', 'skipped', 'failed', 'conflict',
                                      'pruned')),
    error           TEXT,
    PRIMARY KEY (deployment_id, seq)
) WITHOUT ROWID;

INSERT INTO deployment_items_v9 (deployment_id, seq, kind, game_id, source_path, dest_path,
                                 file_size, file_sha1, status, error)
    SELECT deployment_id, seq, kind, game_id, source_path, dest_path, file_size, file_sha1,
           status, error
    FROM deployment_items;

DROP TABLE deployment_items;
ALTER TABLE deployment_items_v9 RENAME TO deployment_items;

-- Which of our earlier deployments wrote to this card (the card manifest's fallback).
CREATE INDEX idx_deployments_destination ON deployment_history(destination_id, id);

UPDATE schema_version SET schema_version = 11, applied_at = CURRENT_TIMESTAMP,
    notes = 'ROM Runner schema v1.2.1 (the deploy manifest)';
