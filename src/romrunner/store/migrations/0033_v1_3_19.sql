-- ROM Runner schema v1.3.19 (schema_version 33): a device profile may allow fan translations
-- without allowing hacks.
-- changes_data: no

-- A profile's auto-list left a fan translation ("Mother 3 (Japan) [T+Eng1.3]") out as a hack
-- unless `--hacks` allowed every hack too ("[h1C]" copies of games the library has no
-- release of). `allow_translations` lets in a translation that is no hack besides; hacks
-- still allow both. A new column with its default: no existing row changes.

ALTER TABLE device_profiles ADD COLUMN allow_translations INTEGER NOT NULL DEFAULT 0
    CHECK (allow_translations IN (0, 1));

UPDATE schema_version SET schema_version = 33, applied_at = CURRENT_TIMESTAMP,
    notes = 'ROM Runner schema v1.3.19 (a profile may allow translations without hacks)';
