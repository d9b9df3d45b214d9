"""Disc ids on games (issue 14 item 2): migration 11, the scan's workers, the summary."""

from __future__ import annotations

from pathlib import Path

from romrunner.store import Database
from romrunner.store.migrate import current_version, migrate
from romrunner.store.open import OpenMode, open_database
from tests.test_migrations import normalised_schema


def test_migration_11_from_version_10_keeps_rows_and_adds_disc_ids(tmp_path: Path) -> None:
    old = Database(tmp_path / "v10.db")
    migrate(old, target=10)
    old.execute("INSERT INTO library_roots (id, path) VALUES (1, '/roms')")
    old.execute("INSERT INTO games (id, root_id, filepath, filename, file_size, platform_id, "
                "detected_title) VALUES (7, 1, 'ps2/God of War (USA).iso', 'God of War (USA).iso', "
                "4096, 'ps2', 'God of War')")
    old.close()
    migrated = open_database(tmp_path / "v10.db", OpenMode.WRITE).db
    assert current_version(migrated) == 11
    row = migrated.query_one("SELECT filename, disc_id, disc_id_source FROM games WHERE id = 7")
    assert row is not None and tuple(row) == ("God of War (USA).iso", None, None)
    migrated.execute("INSERT INTO core_firmware (core_id, path, optional) VALUES ('x', 'a', 1)")
    fresh = open_database(tmp_path / "fresh.db", OpenMode.WRITE).db
    assert normalised_schema(migrated) == normalised_schema(fresh)
