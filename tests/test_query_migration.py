"""Migration 12 (queries): from a version-11 database with rows, nothing lost."""

from __future__ import annotations

from pathlib import Path

from romrunner.store import Database
from romrunner.store.migrate import current_version, migrate
from tests.test_migrations import index_games_before_v24


def test_migration_12_keeps_rows_and_renames_duplicate_collections(tmp_path: Path) -> None:
    db = Database(tmp_path / "v11.db")
    migrate(db, target=11)
    with db.atomic():
        db.execute("INSERT INTO library_roots (id, path) VALUES (1, '/roms')")
        db.execute("INSERT INTO games (id, root_id, filepath, filename, file_size, "
                   "platform_id, title_norm, region) VALUES (1, 1, 'a.sfc', 'a.sfc', 1, "
                   "'snes', 'a', 'USA'), (2, 1, 'b.sfc', 'b.sfc', 2, 'snes', 'b', 'Japan')")
        index_games_before_v24(db)  # as the scan writer did (the delete trigger expects it)
        db.execute("INSERT INTO collections (id, name) VALUES (1, 'Couch'), (2, 'couch'), "
                   "(3, 'Other')")
        db.execute("INSERT INTO collection_games (collection_id, game_id, sort_order) "
                   "VALUES (1, 1, 1), (2, 2, 1), (3, 1, 1)")
    report = migrate(db, target=12)
    assert current_version(db) == 12 and report.backup is not None
    names = [row[0] for row in db.query("SELECT name FROM collections ORDER BY id")]
    assert names == ["Couch", "couch (2)", "Other"]
    assert db.scalar("SELECT count(*) FROM collection_games") == 3
    indexes = {row[0] for row in db.query("SELECT name FROM sqlite_master WHERE type='index'")}
    assert {"idx_games_platform_facets", "uidx_collections_name",
            "idx_collection_games_game"} <= indexes
    assert "idx_games_platform_title" not in indexes
    plan = " ".join(str(tuple(row)) for row in db.query(
        "EXPLAIN QUERY PLAN SELECT id FROM games WHERE platform_id = 'snes' AND region = 'USA' "
        "ORDER BY title_norm, id"))
    assert "COVERING INDEX idx_games_platform_facets" in plan
    with db.atomic():
        db.execute("DELETE FROM games WHERE id = 1")
    assert db.scalar("SELECT count(*) FROM collection_games") == 1
