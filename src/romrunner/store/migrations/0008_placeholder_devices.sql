-- Placeholder for schema_version 8 on the deploy branch only: the devices branch owns
-- migration 0008. Delete this file when merging that branch (migrations must be numbered 1..N).
-- changes_data: no

UPDATE schema_version SET schema_version = 8, applied_at = CURRENT_TIMESTAMP,
    notes = 'placeholder for the devices migration';
