-- ROM Runner schema v1.3.20 (schema_version 34): a library root remembers the path it was
-- given by, when that path reached it through a symbolic link.
-- changes_data: no

-- A root is stored resolved (its files' real folder). A root added through a link (a NAS's
-- stable path, re-pointed to a new disk later) was scanned at its old target silently once
-- the link led elsewhere. `given_path` keeps the path as the user gave it (absolute, links
-- not followed), NULL when it is the stored path itself; a scan compares where it leads now.
-- A new column without a default: no existing row changes.

ALTER TABLE library_roots ADD COLUMN given_path TEXT;

UPDATE schema_version SET schema_version = 34, applied_at = CURRENT_TIMESTAMP,
    notes = 'ROM Runner schema v1.3.20 (a library root keeps the path it was given by)';
