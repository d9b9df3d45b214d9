"""Migration 22 (schema v1.3.8): deployment_items rebuilt with its CHECKs as OR chains (no
ephemeral table built per recorded row) and an index on game_id (a delete from games, the
scan's takeover check, no longer read the whole table). Every row is kept as it was, the
rules accept and refuse what they did."""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

import pytest

from romrunner.deploy import execute
from romrunner.library.scan import _COPIES
from romrunner.store import Database, OpenMode, open_database
from romrunner.store.integrity import check_database
from romrunner.store.migrate import LATEST_VERSION, current_version, migrate
from tests.test_migrations import index_games_before_v24, normalised_schema

INDEX = "idx_deployment_items_game_id"
KINDS = ("rom", "bios", "playlist", "other")
ACTIONS = ("copy", "prune")
STATUSES = ("pending", "copied", "skipped", "failed", "conflict", "pruned")


def _v21_with_items(path: Path) -> list[tuple[Any, ...]]:
    """A schema-21 database whose deployment_items hold every kind, action and status, NULLs
    and a playlist's bytes; returns its rows as read."""
    db = Database(path)
    migrate(db, target=21)
    sql = db.execute
    sql("INSERT INTO library_roots (id, path) VALUES (1, '/roms')")
    sql("INSERT INTO games (id, root_id, filepath, file_size, platform_id, is_missing) "
        "VALUES (1, 1, 'gba/A.gba', 10, 'gba', 1), (2, 1, 'gba/B.gba', 20, 'gba', 0)")
    index_games_before_v24(db)  # as the scan writer did (the search triggers expect it)
    sql("INSERT INTO devices (id, device_id, connection_type) VALUES (1, 'd', 'folder')")
    sql("INSERT INTO device_profiles (id, device_row_id, os_id) VALUES (1, 1, 'muos')")
    sql("INSERT INTO deployment_history (id, device_profile_id, destination_path, status) "
        "VALUES (1, 1, '/card', 'completed'), (2, 1, '/card', 'failed')")
    rows = []
    for seq, status in enumerate(STATUSES):
        kind = KINDS[seq % len(KINDS)]
        action = "prune" if status == "pruned" else "copy"
        rows.append((1 + seq % 2, seq, kind, action, (1, 2, None)[seq % 3],
                     "gba" if seq % 2 else None, f"/roms/gba/{seq}.gba", 1_700_000_000 + seq,
                     b"#EXTM3U\n" if kind == "playlist" else None, f"Roms/gba/{seq}.gba",
                     100 + seq, "ab" * 20 if seq % 2 else None,
                     None if status == "pending" else 1_800_000_000 + seq, status,
                     "kept (yours)" if status == "conflict" else None))
    db.executemany("INSERT INTO deployment_items (deployment_id, seq, kind, action, game_id, "
                   "platform_id, source_path, source_mtime_ns, content, dest_path, file_size, "
                   "file_sha1, dest_mtime_ns, status, error) VALUES "
                   "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", rows)
    before = _items(db)
    db.close()
    return before


def _items(db: Database) -> list[tuple[Any, ...]]:
    return [tuple(row) for row in db.query(
        "SELECT * FROM deployment_items ORDER BY deployment_id, seq")]


def _plan(db: Database, sql: str, params: tuple[Any, ...]) -> str:
    return " | ".join(row["detail"] for row in db.query("EXPLAIN QUERY PLAN " + sql, params))


def test_db_migrate_from_v21_keeps_every_deployment_item(cli: Any, tmp_path: Path) -> None:
    path = tmp_path / "v21.db"
    before = _v21_with_items(path)
    assert len(before) == len(STATUSES)
    result = cli("--db", path, "--json", "db", "migrate")
    assert result.code == 0, result.err
    db = Database(path)
    assert current_version(db) == LATEST_VERSION >= 22
    assert _items(db) == before
    report = check_database(db)
    assert report.integrity == ["ok"] and report.foreign_keys == []
    fresh = open_database(tmp_path / "fresh.db", OpenMode.WRITE).db
    assert normalised_schema(db) == normalised_schema(fresh)
    assert INDEX in {row[0] for row in db.query(
        "SELECT name FROM sqlite_master WHERE type = 'index'")}
    # The foreign key still sets a forgotten game's items to no game, and keeps them.
    forgotten = cli("--db", path, "--json", "games", "forget", "1")
    assert forgotten.code == 0, forgotten.err
    after = _items(db)
    assert len(after) == len(before)
    assert [row[4] for row in after] == [None if row[4] == 1 else row[4] for row in before]


def _accepted(db: Database, column: str, value: Any) -> bool:
    values = {"kind": "rom", "action": "copy", "status": "pending", column: value}
    try:
        with db.atomic():
            db.execute("INSERT INTO deployment_items (deployment_id, seq, kind, action, "
                       "source_path, dest_path, file_size, status) VALUES (1, 99, ?, ?, 's', "
                       "'d', 1, ?)", (values["kind"], values["action"], values["status"]))
            raise _Undo
    except _Undo:
        return True
    except sqlite3.IntegrityError:
        return False


class _Undo(Exception):
    """Rolls the probe's row back."""


def test_the_rules_accept_and_refuse_what_they_did(tmp_path: Path) -> None:
    _v21_with_items(tmp_path / "v21.db")
    old = Database(tmp_path / "v21.db")
    new = open_database(tmp_path / "new.db", OpenMode.WRITE).db
    new.execute("INSERT INTO devices (id, device_id, connection_type) VALUES (1, 'd', 'folder')")
    new.execute("INSERT INTO device_profiles (id, device_row_id, os_id) VALUES (1, 1, 'muos')")
    new.execute("INSERT INTO deployment_history (id, device_profile_id, destination_path, "
                "status) VALUES (1, 1, '/card', 'completed')")
    odd = ("", "ROM", "Copy", " pending", "copied ", "x", 1, 0.5, b"rom", None)
    for column, valid in (("kind", KINDS), ("action", ACTIONS), ("status", STATUSES)):
        for value in (*valid, *odd):
            was, now = _accepted(old, column, value), _accepted(new, column, value)
            assert was == now, (column, value, was, now)
            assert now == (value in valid), (column, value)


def test_a_recorded_row_builds_no_ephemeral_table(tmp_path: Path) -> None:
    """The deploy's statement for its rows: no table built per execution for the CHECKs."""
    old = Database(tmp_path / "v21.db")
    migrate(old, target=21)
    new = open_database(tmp_path / "new.db", OpenMode.WRITE).db
    sql = "EXPLAIN " + execute._UPSERT + execute._ROW_VALUES
    params = (1, 0, "rom", "copy", None, None, "s", None, None, "d", 1, None, None, "copied",
              None)
    assert "OpenEphemeral" in {row[1] for row in old.query(sql, params)}  # (what it was)
    assert "OpenEphemeral" not in {row[1] for row in new.query(sql, params)}


def test_deleting_a_game_and_the_takeover_check_use_the_game_id_index(
        tmp_path: Path) -> None:
    db = open_database(tmp_path / "fresh.db", OpenMode.WRITE).db
    deleting = _plan(db, "DELETE FROM games WHERE id = ?", (1,))
    assert f"deployment_items USING COVERING INDEX {INDEX}" in deleting, deleting
    assert "SCAN deployment_items" not in deleting, deleting
    takeover = _plan(db, _COPIES, (1,))
    assert f"d USING COVERING INDEX {INDEX}" in takeover, takeover
    assert "SCAN d" not in takeover.split(" | "), takeover
    setting_null = _plan(db, "UPDATE deployment_items SET game_id = NULL WHERE game_id = ?",
                         (1,))
    assert INDEX in setting_null, setting_null


@pytest.mark.parametrize("start", [11, 21])
def test_a_deployment_recorded_before_resumes_its_rows_after_the_upgrade(
        tmp_path: Path, start: int) -> None:
    """From the version that made the table the deploy manifest, and from the one before
    this: the rows survive and new rows of every status go in."""
    old = Database(tmp_path / "old.db")
    migrate(old, target=start)
    old.close()
    db = open_database(tmp_path / "old.db", OpenMode.WRITE).db
    db.execute("INSERT INTO devices (id, device_id, connection_type) VALUES (1, 'd', 'folder')")
    db.execute("INSERT INTO device_profiles (id, device_row_id, os_id) VALUES (1, 1, 'muos')")
    db.execute("INSERT INTO deployment_history (id, device_profile_id, destination_path, "
               "status) VALUES (1, 1, '/card', 'started')")
    rows = [(1, seq, KINDS[seq % 4], "prune" if status == "pruned" else "copy", None, None,
             "s", None, None, f"d{seq}", 1, None, None, status, None)
            for seq, status in enumerate(STATUSES)]
    with db.atomic():
        execute._upsert(db, rows)
    assert [row[13] for row in _items(db)] == list(STATUSES)
