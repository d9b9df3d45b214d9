-- ROM Runner schema v1.3.14 (schema_version 28): the date of a cache source's answers.
-- changes_data: no

-- An envelope says when its answers were made (`generatedAt`). Importing an older one after a
-- newer one replaced the newer answers without a word (QA84 F4: a 2020 copy put God of War
-- back to "broken"). Per source and envelope schema (a source's settings and its ratings are
-- dated apart), the newest `generatedAt` imported (UTC, ISO 8601; a date alone as given): an
-- older envelope is refused while the cache holds answers of that kind from the source,
-- unless `--older`. Answers imported before this version carry no date.

CREATE TABLE cache_source_dates (
    source     INTEGER NOT NULL REFERENCES cache_sources(id) ON DELETE CASCADE,
    envelope   TEXT NOT NULL,
    data_as_of TEXT NOT NULL,
    PRIMARY KEY (source, envelope)
) WITHOUT ROWID;

UPDATE schema_version SET schema_version = 28, applied_at = CURRENT_TIMESTAMP,
    notes = 'ROM Runner schema v1.3.14 (the date of a cache source''s answers)';
