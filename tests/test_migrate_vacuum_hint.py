"""After a migration that rebuilt tables, `db migrate` says how much `db vacuum` would give
back (QA2: the file grew ~20% and nothing said so); a migration that frees little says nothing."""

from __future__ import annotations

import json
from pathlib import Path

from romrunner.store import Database
from romrunner.store.migrate import migrate
from tests.conftest import run_subprocess


def v13_library(path: Path, games: int) -> None:
    """A schema-13 database with ``games`` games, each with its three hashes."""
    db = Database(path)
    migrate(db, target=13)
    with db.atomic():
        db.execute("INSERT INTO library_roots (id, path) VALUES (1, '/roms')")
        db.executemany(
            "INSERT INTO games (root_id, filepath, filename, file_size, file_crc32, file_md5, "
            "file_sha1, platform_id, added_at) VALUES (1, ?, ?, 1, ?, ?, ?, 'nes', "
            "'2026-01-01 00:00:00')",
            ((f"folder/g{n}.nes", f"g{n}.nes", f"{n:08x}", f"{n:032x}", f"{n:040x}")
             for n in range(games)))
    db.close()


def test_migrate_says_what_vacuum_would_reclaim(tmp_path: Path) -> None:
    path = tmp_path / "big.db"
    v13_library(path, 30_000)
    result = run_subprocess("--db", str(path), "--json", "db", "migrate")
    assert result.code == 0, result.err
    data = json.loads(result.out)["data"]
    reclaimable = data["reclaimable_bytes"]
    assert reclaimable is not None and reclaimable >= 1024**2
    before = path.stat().st_size
    assert run_subprocess("--db", str(path), "db", "vacuum").code == 0
    assert before - path.stat().st_size >= reclaimable // 2  # it was really free space


def test_a_small_migration_says_nothing_about_vacuum(tmp_path: Path) -> None:
    path = tmp_path / "small.db"
    v13_library(path, 10)
    text = run_subprocess("--db", str(path), "db", "migrate")
    assert text.code == 0, text.err
    assert "db vacuum" not in text.out
    again = run_subprocess("--db", str(path), "--json", "db", "migrate")
    assert json.loads(again.out)["data"]["reclaimable_bytes"] is None


def test_a_vacuum_beside_another_programs_reader_says_the_space_waits(
        cli: object, db_path: Path) -> None:
    """QA29 F13: `db vacuum` while another program held a read transaction printed "x -> x
    bytes" and left the rebuilt file in the WAL, without saying why."""
    import sqlite3
    from typing import Any, cast
    run = cast(Any, cli)
    assert run("db", "init").code == 0
    reader = sqlite3.connect(db_path)
    try:
        reader.execute("BEGIN")
        reader.execute("SELECT count(*) FROM games").fetchone()  # a snapshot held open
        held = run("--json", "db", "vacuum")
        assert held.code == 0, held.err
        assert held.json()["data"]["held_back"] is True
        assert any("another program is reading the database" in w
                   for w in held.json()["warnings"])
    finally:
        reader.close()
    free = run("--json", "db", "vacuum")
    assert free.json()["data"]["held_back"] is False and free.json()["warnings"] == []
