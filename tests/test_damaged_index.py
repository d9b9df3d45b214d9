"""Migration 35 (the games a scan found damaged, indexed): ``db status``'s list of damaged
files and a deploy plan's unusable games read that index, not every game (0.25 s at 1M
games), and give the same answer after the migration as before it."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from romrunner.library.games import damaged_files, unusable_games
from romrunner.library.platforms import NO_LONGER_A_GAME
from romrunner.store import Database
from romrunner.store.migrate import current_version, migrate


def planned(db: Database, reader: Callable[[Database], object]) -> list[str]:
    """SQLite's plan of each statement ``reader`` runs that reads ``scan_error``."""
    statements: list[str] = []
    db.conn.set_trace_callback(statements.append)
    try:
        reader(db)
    finally:
        db.conn.set_trace_callback(None)
    return [str(row[3]) for statement in statements if "scan_error" in statement
            for row in db.query(f"EXPLAIN QUERY PLAN {statement}")]


def test_a_version_34_database_keeps_its_damaged_files_and_reads_them_by_the_index(
        tmp_path: Path) -> None:
    db = Database(tmp_path / "v34.db")
    migrate(db, target=34)
    with db.atomic():
        db.execute("INSERT INTO library_roots (id, path) VALUES (1, '/roms')")
        db.executemany(
            "INSERT INTO games (id, root_id, filepath, file_size, platform_id, is_missing, "
            "scan_error) VALUES (?, 1, ?, 10, 'gba', ?, ?)",
            [(1, "gba/Fine (USA).zip", 0, None),
             (2, "gba/Rotten (USA).zip", 0, "zip member CRC mismatch"),
             (3, "gba/Gone (USA).zip", 1, "zip member CRC mismatch"),
             (4, "gba/Readme.zip", 0, f"{NO_LONGER_A_GAME} (notes only)")])
    before = (damaged_files(db), unusable_games(db))
    assert before == (["/roms/gba/Rotten (USA).zip"], {2})
    assert "SCAN g" in planned(db, damaged_files)  # (every game read)
    report = migrate(db, target=35)
    assert report.applied == ["0035_v1_3_21"] and current_version(db) == 35
    assert (damaged_files(db), unusable_games(db)) == before
    for reader in (damaged_files, unusable_games):
        plan = planned(db, reader)
        assert "SCAN g USING INDEX idx_games_scan_error" in plan, plan
        assert "SCAN g" not in plan, plan
    db.close()
