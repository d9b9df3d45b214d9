"""The scan writer counts and indexes its new games once per batch, after identifying them
(migration 19): the platform counters stay the aggregate they replace, the search index
holds each game once with its catalog title, and nothing of it outlives a batch."""

from __future__ import annotations

import random
from pathlib import Path
from typing import Any

import pytest

from romrunner.library import scan as scan_module
from romrunner.library.roots import remove_root
from romrunner.packs import load_pack
from romrunner.search.games import search_games
from romrunner.search.index import index_games
from romrunner.store import Database, OpenMode, open_database
from romrunner.store.integrity import check_database
from romrunner.store.migrate import current_version, migrate
from tests.test_migrations import index_games_before_v24, normalised_schema
from tests.test_reports import _add_games, _aggregate, _counters
from tests.test_scan import library, rom_bytes, scan_json

__all__ = ["library"]  # the fixture, used by name


def _indexed(db: Database, words: str) -> list[int]:
    return sorted(int(row["rowid"]) for row in db.query(
        "SELECT rowid FROM games_fts WHERE games_fts MATCH ?", (words,)))


def _fts_ok(db: Database) -> None:
    db.execute("INSERT INTO games_fts (games_fts, rank) VALUES ('integrity-check', 0)")


def test_a_first_scan_with_a_catalog_counts_and_indexes_each_new_game_once(
        cli: Any, library: dict[str, Any], db_path: Path) -> None:
    assert cli("library", "add", str(library["root"])).code == 0
    assert cli("--json", "dat", "import", *sorted(library["dats"].iterdir())).code == 0
    first = scan_json(cli)  # identified in the writer's batch, before it is indexed
    assert first["added"] == 5 and first["identified"] == 5
    db = open_database(db_path, OpenMode.WRITE).db
    assert db.scalar("SELECT count(*) FROM games_pending") == 0
    assert _counters(db) == _aggregate(db)
    assert sum(row[2] for row in _counters(db)) == 5  # all five counted as hash-matched
    zelda = db.scalar("SELECT id FROM games WHERE filepath LIKE '%zelda-renamed%'")
    # "legend" is only in the catalog title, which identification set in the same batch.
    assert [game["id"] for game in search_games(db, "legend")] == [zelda]
    assert _indexed(db, "legend") == [zelda]
    _fts_ok(db)
    # Every game's removal takes out exactly what was indexed for it: nothing is left.
    remove_root(db, library["root"])
    assert _indexed(db, "legend OR mario OR zelda OR disc OR gba OR nes") == []
    assert _counters(db) == [] == _aggregate(db)
    _fts_ok(db)


def test_an_interrupted_batch_leaves_counts_index_and_pending_as_they_were(
        cli: Any, db_path: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root = tmp_path / "many" / "gba"
    root.mkdir(parents=True)
    for i in range(10):
        (root / f"Game {i} (USA).gba").write_bytes(rom_bytes(i, 512))
    cli("library", "add", str(root.parent))
    monkeypatch.setattr(scan_module, "BATCH_SIZE", 3)
    db = Database(db_path)
    pack = load_pack()
    original = scan_module._count_and_index_new
    batches: list[int] = []

    def count_then_fail(db: Database, first_id: int) -> None:
        original(db, first_id)
        batches.append(first_id)
        if len(batches) == 3:  # the third batch fails after its counting and indexing
            raise KeyboardInterrupt

    monkeypatch.setattr(scan_module, "_count_and_index_new", count_then_fail)
    with pytest.raises(KeyboardInterrupt):
        scan_module.scan_library(db, pack, workers=1)
    assert not db.in_transaction
    assert db.scalar("SELECT count(*) FROM games") == 6  # two batches committed
    assert db.scalar("SELECT count(*) FROM games_pending") == 0
    assert _counters(db) == _aggregate(db) == [("gba", 6, 0, 0, 6, 0)]
    assert _indexed(db, "game") == list(range(1, 7))
    resumed = scan_module.scan_library(db, pack, workers=1)
    assert (resumed.unchanged, resumed.added) == (6, 4)
    assert _counters(db) == [("gba", 10, 0, 0, 10, 0)]
    assert _indexed(db, "game") == list(range(1, 11))
    _fts_ok(db)


def test_migration_19_from_18_keeps_triggers_counting_and_indexing(tmp_path: Path) -> None:
    db = Database(tmp_path / "v18.db")
    migrate(db, target=18)
    with db.atomic():
        db.execute("INSERT INTO library_roots (id, path) VALUES (1, '/roms')")
        _add_games(db, random.Random(5), 1, 1, 50)
        index_games_before_v24(db)
    before = _aggregate(db)
    db.close()
    db = open_database(tmp_path / "v18.db", OpenMode.WRITE).db
    assert current_version(db) >= 19
    assert _counters(db) == before
    with db.atomic():  # another writer than the scan: the triggers count and index it
        _add_games(db, random.Random(6), 1, 100, 10)
        index_games(db, 100)
        db.execute("UPDATE games SET detected_title = 'Zapper' WHERE id = 100")
        db.execute("DELETE FROM games WHERE id = 1")
    assert _counters(db) == _aggregate(db)
    assert _indexed(db, "zapper") == [100]
    assert db.scalar("SELECT count(*) FROM games_pending") == 0
    fresh = open_database(tmp_path / "fresh.db", OpenMode.WRITE).db
    assert normalised_schema(db) == normalised_schema(fresh)
    assert check_database(db).integrity == ["ok"]
    _fts_ok(db)
