-- ROM Runner schema v1.3.22 (schema_version 36): a game remembers when its file entered the
-- library root, or the folder of it, it is stored in now.
-- changes_data: no

-- A scan holds back a root none of whose files it found (an unmounted share: its mount
-- point empty), and a file moved into that mount point from another root counts as new to
-- it, not as one of its own files. The scan that finds the move puts the game back where it
-- was; but a scan interrupted once the move was stored, or a move the scan follows by the
-- file's content (the old path holding another game's file now), left the game in the share
-- with nothing to tell it from the share's own files, and the next scan marked every other
-- game of the share missing. `entered_unix` is when a scan moved the game into its root or
-- folder (Unix seconds, as `added_unix`): later than that root's last completed scan, the
-- game is new to it. NULL: never moved, or moved before this column. A new column without a
-- default: no existing row changes.

ALTER TABLE games ADD COLUMN entered_unix INTEGER;

UPDATE schema_version SET schema_version = 36, applied_at = CURRENT_TIMESTAMP,
    notes = 'ROM Runner schema v1.3.22 (a game remembers when it entered its root or folder)';
