-- ROM Runner schema v1.3.6 (schema_version 20): every database gets
-- an id of its own, so `db backup` can tell a backup of this database from one of another
-- (a copy of the file keeps the id: it is the same database at an earlier state).
-- changes_data: no

INSERT OR IGNORE INTO user_settings (key, value, value_type)
VALUES ('database_id', lower(hex(randomblob(16))), 'string');

UPDATE schema_version SET schema_version = 20, applied_at = CURRENT_TIMESTAMP,
    notes = 'ROM Runner schema v1.3.6 (a database id)';
