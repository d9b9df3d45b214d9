-- ROM Runner schema v1.3.24 (schema_version 38): a library root remembers where the file
-- system it lay on was mounted at its last completed scan.
-- changes_data: no

-- An unmounted share's mount point is a folder of another disk, empty or holding what was
-- written there while the share was away. A scan held such a root back when none (or most)
-- of its files were found, but a stray file at one of its games' paths counted as that game
-- found, and the share's other games were marked missing (review43a F4). Telling a stray from
-- an edit by its content proved fragile; the file system is the signal: `mount` is the
-- folder where the file system holding the root was mounted at its last completed scan (the
-- system's mount point above it, a bind mount's too: romrunner.library.roots.mount_point_of).
-- A scan that finds the root on a file system mounted above that one (its disk not mounted),
-- with fewer than half of its files found as they were, holds the root back whatever the
-- files found there hold; `scan
-- --accept-missing ROOT` confirms a library that really lies there now. NULL: not recorded
-- yet (the next completed scan records it). A new column without a default: no row changes.

ALTER TABLE library_roots ADD COLUMN mount TEXT;

-- The same one level down: a platform's folder on a disk of its own (`/lib/PSX` a mount
-- point inside the root `/lib`). `mounted_folders` lists, as JSON, the folders of the root
-- (paths relative to it) that were mount points at its last completed scan; a scan that
-- finds one of them no longer a mount point, fewer than half of its files found as they
-- were, holds that folder back. NULL: not recorded yet.
ALTER TABLE library_roots ADD COLUMN mounted_folders TEXT;

UPDATE schema_version SET schema_version = 38, applied_at = CURRENT_TIMESTAMP,
    notes = 'ROM Runner schema v1.3.24 (a library root remembers the mount its files were on)';
