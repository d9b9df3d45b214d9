"""Migration 8 (header-less and member hash indexes, name-guess index) from a version-7
database with rows, and the queries those indexes serve."""

from __future__ import annotations

from pathlib import Path

from romrunner.catalog.identify import count_guessed
from romrunner.library.games import _FIND_SQL, find_by_hash
from romrunner.store import Database
from romrunner.store.integrity import check_database
from romrunner.store.migrate import current_version, migrate

NEW_INDEXES = {"idx_games_nh_md5", "idx_games_nh_crc32", "idx_game_files_nh_sha1",
               "idx_game_files_nh_md5", "idx_game_files_nh_crc32", "idx_games_guessed"}


def index_names(db: Database) -> set[str]:
    return {row[0] for row in db.query("SELECT name FROM sqlite_master WHERE type = 'index'")}


def test_version_8_with_rows_migrates_and_keeps_them(tmp_path: Path) -> None:
    db = Database(tmp_path / "v8.db")
    migrate(db, target=8)
    assert current_version(db) == 8 and not NEW_INDEXES & index_names(db)
    with db.atomic():
        db.execute("INSERT INTO library_roots (id, path) VALUES (1, '/roms')")
        db.execute(
            "INSERT INTO games (id, root_id, filepath, filename, file_size, file_md5, "
            "header_size, nh_md5, nh_crc32, platform_id, matched_game_id, match_method) "
            "VALUES (1, 1, 'nes/a.nes', 'a.nes', 32784, ?, 16, ?, 'cafebabe', 'nes', "
            "'nes:A', 'name')", ("1" * 32, "2" * 32))
        db.execute("INSERT INTO game_files (game_id, kind, name, file_size, file_md5, "
                   "header_size, nh_md5, nh_sha1) VALUES (1, 'member', 'a.nes', 32784, ?, "
                   "16, ?, ?)", ("3" * 32, "4" * 32, "5" * 40))
    report = migrate(db, target=9)
    assert report.applied == ["0009_v1_1_6"] and current_version(db) == 9
    assert index_names(db) >= NEW_INDEXES
    report_check = check_database(db)
    assert report_check.integrity == ["ok"] and not report_check.foreign_keys
    migrate(db)  # today's lookups read today's schema (hashes as BLOBs since v1.3.0)
    assert find_by_hash(db, md5="2" * 32) == [1] and find_by_hash(db, md5="4" * 32) == [1]
    assert find_by_hash(db, sha1="5" * 40) == [1]
    assert find_by_hash(db, crc32="cafebabe", size=32768) == [1]
    assert count_guessed(db, 1) == 1
    db.close()


def test_find_and_guess_counts_are_index_lookups(tmp_path: Path) -> None:
    db = Database(tmp_path / "fresh.db")
    migrate(db)
    for kind, sql in _FIND_SQL.items():
        plan = " ".join(row["detail"] for row in db.query(
            "EXPLAIN QUERY PLAN " + sql, {"h": "0", "s": 1}))
        assert "SCAN" not in plan.replace("SCAN CONSTANT ROW", ""), (kind, plan)
    plan = " ".join(row["detail"] for row in db.query(
        "EXPLAIN QUERY PLAN SELECT count(*) FROM games WHERE root_id = ? "
        "AND match_method = 'name' AND is_missing = 0", (1,)))
    assert "idx_games_guessed" in plan
    db.close()
