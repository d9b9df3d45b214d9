"""Migration 36 (a game remembers when a scan moved it into its root or folder): a version
35 database keeps every game as it was, none stamped, its schema the fresh one's; a scan of
the migrated library stamps the game it finds moved into another root, and a completed scan
of that root makes it one of the root's own."""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

from romrunner.store import Database
from romrunner.store.migrate import current_version, migrate
from tests.test_migrations import normalised_schema
from tests.test_scan import rom_bytes


def test_a_version_35_database_keeps_its_games_none_of_them_stamped(tmp_path: Path) -> None:
    db = Database(tmp_path / "v35.db")
    migrate(db, target=35)
    with db.atomic():
        db.execute("INSERT INTO library_roots (id, path) VALUES (1, '/roms')")
        db.executemany(
            "INSERT INTO games (id, root_id, filepath, file_size, platform_id, is_missing, "
            "added_unix) VALUES (?, 1, ?, 10, 'snes', ?, ?)",
            [(1, "SNES/Alpha (USA).sfc", 0, 1_700_000_000),
             (2, "SNES/Beta (USA).sfc", 1, 1_700_000_100)])
        db.execute("INSERT INTO collections (id, name) VALUES (1, 'favs')")
        db.execute("INSERT INTO collection_games (collection_id, game_id) VALUES (1, 1)")
    before = [tuple(row) for row in db.query(
        "SELECT id, root_id, filepath, is_missing, added_unix FROM games ORDER BY id")]
    report = migrate(db, target=36)
    assert report.applied == ["0036_v1_3_22"] and current_version(db) == 36
    assert [tuple(row) for row in db.query(
        "SELECT id, root_id, filepath, is_missing, added_unix FROM games ORDER BY id")] == before
    assert db.scalar("SELECT count(*) FROM games WHERE entered_unix IS NOT NULL") == 0
    assert db.scalar("SELECT count(*) FROM collection_games") == 1
    fresh = Database(tmp_path / "fresh.db")
    migrate(fresh, target=36)
    assert normalised_schema(db) == normalised_schema(fresh)
    db.close()


def _stamps(db_path: Path) -> dict[str, int | None]:
    with sqlite3.connect(db_path) as db:
        return {str(row[0]): row[1] for row in db.execute(
            "SELECT filepath, entered_unix FROM games")}


def _last_scanned(db_path: Path, root: Path) -> int:
    with sqlite3.connect(db_path) as db:
        return int(db.execute("SELECT CAST(strftime('%s', last_scanned_at) AS INTEGER) "
                              "FROM library_roots WHERE path = ?", (str(root),)).fetchone()[0])


def test_a_game_moved_to_another_root_is_stamped_and_one_of_its_own_once_scanned(
        cli: Any, db_path: Path, tmp_path: Path) -> None:
    one, other = tmp_path / "one", tmp_path / "other"
    one.mkdir()
    other.mkdir()
    (one / "Alpha (USA).sfc").write_bytes(rom_bytes(1))
    (one / "Beta (USA).sfc").write_bytes(rom_bytes(2))
    for root in (one, other):
        assert cli("library", "add", root).code == 0
    assert cli("scan", "--workers", "1").code == 0
    assert _stamps(db_path) == {"Alpha (USA).sfc": None, "Beta (USA).sfc": None}
    (one / "Alpha (USA).sfc").rename(other / "Alpha (USA).sfc")  # both mounted: a real move
    envelope = cli("--json", "scan", "--workers", "1").json()
    assert envelope["ok"] and envelope["data"]["renamed"] == 1
    stamp = _stamps(db_path)["Alpha (USA).sfc"]
    assert stamp is not None and stamp <= _last_scanned(db_path, other)
