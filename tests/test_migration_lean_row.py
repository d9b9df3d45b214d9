"""Migration 14 (schema v1.3.0, a leaner games row): hashes as BLOBs shown as hex, the file
name derived from the path, scan times as Unix seconds shown as text; every earlier version
upgrades to the fresh schema, and a v1.2.3 database keeps every value."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from romrunner.catalog.identify import crc_rules, identify
from romrunner.library.games import find_by_hash, show_game
from romrunner.store import Database, OpenMode, open_database
from romrunner.store.integrity import check_database
from romrunner.store.migrate import LATEST_VERSION, current_version, migrate
from tests.test_migrations import index_games_before_v24, normalised_schema

SHA1 = "0123456789abcdef0123456789abcdef01234567"
MD5 = "cdd3c8c37322978ca8669b34bc89c804"
CRC = "b19ed489"
NH_SHA1 = "fedcba9876543210fedcba9876543210fedcba98"
MEMBER_SHA1 = "aa" * 20


def _unix(text: str) -> int:
    return int(datetime.strptime(text, "%Y-%m-%d %H:%M:%S").replace(tzinfo=UTC).timestamp())


def _v13_with_rows(path: Path) -> None:
    db = Database(path)
    migrate(db, target=13)
    sql = db.execute
    sql("INSERT INTO library_roots (id, path) VALUES (1, '/roms')")
    # Uppercase hex, as a v1.0 database could hold; the migration shows it lowercase.
    sql("INSERT INTO games (id, root_id, filepath, filename, file_size, file_crc32, file_md5, "
        "file_sha1, header_size, nh_sha1, platform_id, detected_title, title_norm, "
        "matched_game_id, match_method, catalog_title, added_at, updated_at, "
        "last_scanned_at) VALUES (5, 1, 'snes/sub/Super Mario World (USA).sfc', "
        "'Super Mario World (USA).sfc', 524800, ?, ?, ?, 512, ?, 'snes', 'Super Mario World', "
        "'super mario world', 'snes:Super Mario World (USA)', 'sha1', "
        "'Super Mario World (USA)', '2025-01-02 03:04:05', '2025-02-03 04:05:06', "
        "'2025-03-04 05:06:07')", (CRC.upper(), MD5.upper(), SHA1, NH_SHA1))
    # A file known by its CRC32 only, at the root, never scanned again.
    sql("INSERT INTO games (id, root_id, filepath, filename, file_size, file_crc32, "
        "platform_id, added_at) VALUES (9, 1, 'top.nes', 'top.nes', 40976, 'cafebabe', 'nes', "
        "'2025-01-01 00:00:00')")
    sql("INSERT INTO game_files (game_id, kind, name, file_size, file_crc32, file_md5, "
        "file_sha1) VALUES (5, 'member', 'inner.sfc', 100, '00000001', ?, ?)",
        ("11" * 16, MEMBER_SHA1))
    sql("INSERT INTO game_files (game_id, kind, name, file_size, file_crc32) "
        "VALUES (9, 'member', 'stated.nes', 7, 'ffffffff')")
    sql("INSERT INTO catalog_sources (id, name, platform_id, format, path, file_sha1) "
        "VALUES (1, 'Nintendo - SNES', 'snes', 'logiqx', '/dats/snes.dat', 'x')")
    sql("INSERT INTO catalog_games (id, source_id, game_id, platform_id, name, title_norm) "
        "VALUES (1, 1, 'snes:Super Mario World (USA)', 'snes', 'Super Mario World (USA)', "
        "'super mario world')")
    sql("INSERT INTO catalog_roms (catalog_game_id, name, size, crc32, md5, sha1) "
        "VALUES (1, 'Super Mario World (USA).sfc', 524800, ?, ?, ?)", (CRC, MD5, SHA1))
    index_games_before_v24(db)  # as the scan writer did (the search triggers expect it)
    # Games up to 12 existed (12 was deleted): ids are never reused, before or after.
    sql("UPDATE sqlite_sequence SET seq = 12 WHERE name = 'games'")
    db.close()


def test_v123_database_keeps_every_hash_name_and_time(tmp_path: Path) -> None:
    _v13_with_rows(tmp_path / "v13.db")
    result = open_database(tmp_path / "v13.db", OpenMode.WRITE)
    db = result.db
    assert current_version(db) == LATEST_VERSION
    assert result.notices and "backup at" in result.notices[0]

    game = db.query_one("SELECT * FROM games WHERE id = 5")
    assert game is not None
    assert (game["file_crc32"], game["file_md5"], game["file_sha1"], game["nh_sha1"]) == \
        (CRC, MD5, SHA1, NH_SHA1)
    assert (game["crc32_bin"], game["sha1_bin"]) == (bytes.fromhex(CRC), bytes.fromhex(SHA1))
    assert game["filename"] == "Super Mario World (USA).sfc"
    assert (game["added_at"], game["updated_at"], game["last_scanned_at"]) == \
        ("2025-01-02 03:04:05", "2025-02-03 04:05:06", "2025-03-04 05:06:07")
    assert game["added_unix"] == _unix("2025-01-02 03:04:05")
    assert game["catalog_title"] == "Super Mario World (USA)"
    other = db.query_one("SELECT filename, file_crc32, file_sha1, last_scanned_at "
                         "FROM games WHERE id = 9")
    assert other is not None and tuple(other) == ("top.nes", "cafebabe", None, None)

    files = db.query("SELECT name, file_crc32, file_md5, file_sha1 FROM game_files "
                     "ORDER BY name")
    assert [tuple(r) for r in files] == [("inner.sfc", "00000001", "11" * 16, MEMBER_SHA1),
                                         ("stated.nes", "ffffffff", None, None)]
    rom = db.query_one("SELECT crc32, md5, sha1, sha1_bin FROM catalog_roms")
    assert rom is not None and tuple(rom) == (CRC, MD5, SHA1, bytes.fromhex(SHA1))

    # The lookups and identification read the converted columns through their indexes.
    assert find_by_hash(db, sha1=SHA1.upper()) == [5]
    assert find_by_hash(db, sha1=NH_SHA1) == [5]
    assert find_by_hash(db, md5=MD5) == [5]
    assert find_by_hash(db, crc32=CRC, size=524800) == [5]
    assert find_by_hash(db, sha1=MEMBER_SHA1) == [5]
    assert find_by_hash(db, crc32="ffffffff", size=7) == [9]
    assert crc_rules(db).unique == frozenset({(0xB19ED489, 524800)})
    counts = identify(db)
    assert counts.identified == 1
    shown = show_game(db, 5)
    assert shown["file_sha1"] == SHA1 and shown["added_at"] == "2025-01-02 03:04:05"
    assert not any(key.endswith(("_bin", "_unix")) for key in shown)
    assert [f["file_sha1"] for f in shown["files"]] == [MEMBER_SHA1]

    # The catalog title, now derived from the catalog id, is what the search index holds.
    if "games_fts" in db.table_names():
        db.execute("UPDATE games SET matched_game_id = NULL WHERE id = 5")
        db.execute("INSERT INTO games_fts (games_fts) VALUES ('integrity-check')")
        identify(db)
        hits = db.query("SELECT rowid FROM games_fts WHERE games_fts MATCH "
                        "'catalog_title : world'")
        assert [row[0] for row in hits] == [5]

    # AUTOINCREMENT's high-water mark survived the rebuild.
    db.execute("INSERT INTO games (root_id, filepath, file_size, platform_id) "
               "VALUES (1, 'new.nes', 1, 'nes')")
    assert db.scalar("SELECT max(id) FROM games") == 13
    report = check_database(db)
    assert report.integrity == ["ok"] and report.foreign_keys == []
    fresh = open_database(tmp_path / "fresh.db", OpenMode.WRITE).db
    assert normalised_schema(db) == normalised_schema(fresh)


@pytest.mark.parametrize("start", range(1, LATEST_VERSION))
def test_every_earlier_version_upgrades_to_the_fresh_schema(tmp_path: Path, start: int) -> None:
    old = Database(tmp_path / "old.db")
    migrate(old, target=start)
    old.close()
    db = open_database(tmp_path / "old.db", OpenMode.WRITE).db
    assert current_version(db) == LATEST_VERSION
    fresh = open_database(tmp_path / "fresh.db", OpenMode.WRITE).db
    assert normalised_schema(db) == normalised_schema(fresh)
    assert check_database(db).integrity == ["ok"]


def test_hash_lookups_and_identification_use_the_blob_indexes(tmp_path: Path) -> None:
    db = open_database(tmp_path / "fresh.db", OpenMode.WRITE).db
    for sql, index in (
            ("SELECT id FROM games WHERE sha1_bin = ?", "idx_games_sha1"),
            ("SELECT id FROM games WHERE md5_bin = ?", "idx_games_md5"),
            ("SELECT id FROM games WHERE crc32_bin = ? AND file_size = 1",
             "idx_games_crc32_size"),
            ("SELECT id FROM games WHERE matched_game_id = ?", "idx_games_matched"),
            ("SELECT id FROM catalog_roms WHERE sha1_bin = ?", "idx_catalog_roms_sha1")):
        plan = " ".join(row["detail"] for row in db.query("EXPLAIN QUERY PLAN " + sql,
                                                           (b"\x00",)))
        assert index in plan, (sql, plan)
    # The identification join probes the catalog's index with the game's column as is.
    plan = " ".join(row["detail"] for row in db.query(
        "EXPLAIN QUERY PLAN SELECT cg.game_id FROM games t JOIN catalog_roms r "
        "ON r.sha1_bin = t.sha1_bin JOIN catalog_games cg ON cg.id = r.catalog_game_id "
        "WHERE t.id = 1"))
    assert "idx_catalog_roms_sha1" in plan, plan
