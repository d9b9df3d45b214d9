-- ROM Runner schema v1.3.14 (schema_version 28): the date of a cache source's data.
-- changes_data: no

-- An envelope says when its answers were made (`generatedAt`). Importing an older one after a
-- newer one replaced the newer answers without a word (QA84 F4: a 2020 copy put God of War
-- back to "broken"). `data_as_of` is the `generatedAt` of the source's last envelope import
-- (UTC, ISO 8601), NULL while none was dated; an older envelope is refused unless --force.

ALTER TABLE cache_sources ADD COLUMN data_as_of TEXT;

UPDATE schema_version SET schema_version = 28, applied_at = CURRENT_TIMESTAMP,
    notes = 'ROM Runner schema v1.3.14 (the date of a cache source''s data)';
