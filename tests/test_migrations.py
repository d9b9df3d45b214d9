"""Schema lineage: v1.0.0 and v1.0.1 databases with user rows migrate to v1.1.0 intact."""

from __future__ import annotations

import re
import sqlite3
from datetime import UTC, datetime
from pathlib import Path

import pytest

from romrunner.errors import DatabaseError
from romrunner.search.index import TITLE_SQL
from romrunner.store import Database, OpenMode, open_database
from romrunner.store.integrity import check_database
from romrunner.store.migrate import LATEST_VERSION, current_version, migrate

USER_TABLES = ["games", "game_metadata", "collections", "collection_games", "devices",
               "device_profiles", "deployment_history", "destination_path_overrides",
               "destination_scan_history", "user_settings", "platform_overrides",
               "game_overrides", "bios_files", "bios_verification"]


def normalised_schema(db: Database) -> list[tuple[str, str, str]]:
    """sqlite_master with quoting and whitespace normalised, sorted."""
    rows = db.query("SELECT type, name, sql FROM sqlite_master WHERE name NOT LIKE 'sqlite_%'")
    result = []
    for row in rows:
        sql = re.sub(r"\s+", " ", (row["sql"] or "").replace('"', "")).strip()
        result.append((row["type"], row["name"], sql))
    return sorted(result)


def index_games_before_v24(db: Database, first_id: int = 1) -> None:
    """What :func:`romrunner.search.index.index_games` did up to schema 23 (the catalog
    column from ``catalog_title`` alone: ``catalog_name`` came with 24), for a database
    built at an earlier version."""
    if "games_fts" in db.table_names():
        db.execute("INSERT INTO games_fts (rowid, detected_title, catalog_title) "
                   f"SELECT id, {TITLE_SQL}, rr_fold(catalog_title) FROM games WHERE id >= ?",
                   (first_id,))


def build_old(path: Path, version: int) -> Database:
    db = Database(path)
    migrate(db, target=version)
    assert current_version(db) == version
    return db


def fill_user_rows(db: Database, *, with_v101_caches: bool) -> None:
    """One or more rows in every user table, including the orphans v1.0.1 allowed."""
    sql = db.execute
    sql("INSERT INTO games (id, filepath, filename, file_size, file_md5, file_crc32, "
        "platform_id, detected_title, region, languages, is_hack) VALUES "
        "(1, '/mnt/nas/roms/snes/Super Mario World (USA).sfc', "
        "'Super Mario World (USA).sfc', 524288, 'CDD3C8C37322978CA8669B34BC89C804', "
        "'B19ED489', 'snes', 'Super Mario World', 'USA', '[\"en\"]', 0)")
    sql("INSERT INTO games (id, filepath, filename, file_size, platform_id, detected_title) "
        "VALUES (2, '/mnt/nas/roms/gba/Pokémon Émeraude (France).gba', "
        "'Pokémon Émeraude (France).gba', 16777216, 'gba', 'Pokémon Émeraude')")
    sql("INSERT INTO game_metadata (game_id, title, genres) VALUES (1, 'Super Mario World', "
        "'[\"platformer\"]')")
    sql("INSERT INTO collections (id, name) VALUES (1, 'Favorites')")
    sql("INSERT INTO collection_games (collection_id, game_id, sort_order) VALUES (1, 1, 1), "
        "(1, 2, 2)")
    sql("INSERT INTO devices (id, device_id, nickname, connection_type) VALUES "
        "(1, 'rg-35xx-plus', 'my rg', 'sd_card')")
    sql("INSERT INTO device_profiles (id, device_row_id, os_id, profile_name) VALUES "
        "(1, 1, 'muos', 'RG35XX Plus - muOS')")
    sql("INSERT INTO deployment_history (device_profile_id, destination_path, status) "
        "VALUES (1, '/media/sd', 'completed')")
    sql("INSERT INTO destination_path_overrides (destination_id, overrides_json) VALUES "
        "('uuid-1', '{}')")
    sql("INSERT INTO destination_scan_history (destination_id, scan_result_json) VALUES "
        "('uuid-1', '{}')")
    sql("INSERT INTO user_settings (key, value) VALUES ('language', 'en')")
    sql("INSERT INTO platform_overrides (device_profile_id, platform_id, emulator_id) VALUES "
        "(NULL, 'snes', 'snes9x'), (1, 'gba', 'mgba'), (42, 'nes', 'fceumm')")
    sql("INSERT INTO game_overrides (device_profile_id, game_id, emulator_id) VALUES "
        "(NULL, 1, 'snes9x'), (1, 2, 'mgba'), (42, 1, 'bsnes')")
    sql("INSERT INTO bios_files (id, filepath, filename, file_size, file_md5) VALUES "
        "(1, '/bios/scph5501.bin', 'scph5501.bin', 524288, '490f666e1afb15b7362b406ed1cea246')")
    sql("INSERT INTO bios_verification (bios_file_id, bios_definition_id, is_match) VALUES "
        "(1, 'psx-scph5501', 1)")
    sql("INSERT INTO game_performance_cache (device_profile_id, platform_id, "
        "definition_game_id, performance_tier, source) VALUES (1, 'snes', '*', 'excellent', "
        "'retrocatalog-api')")
    sql("INSERT INTO emulator_compat_cache (platform_id, emulator_id, definition_game_id, "
        "status, source, cached_at) VALUES ('psx', 'duckstation', 'SLUS-00594', 'playable', "
        "'emulator-official', '2026-03-04 05:06:07')")
    if not with_v101_caches:
        # v1.0.0 kept one row per source for the same key.
        sql("INSERT INTO emulator_compat_cache (platform_id, emulator_id, definition_game_id, "
            "status, source) VALUES ('psx', 'duckstation', 'SLUS-00594', 'broken', "
            "'community-verified')")
    sql("INSERT INTO game_settings_cache (platform_id, emulator_id, definition_game_id, "
        "settings_json, source) VALUES ('gamecube', 'dolphin', 'GALE01', '{}', "
        "'emulator-official')")


def snapshot(db: Database) -> dict[str, int]:
    return {table: db.scalar(f"SELECT count(*) FROM {table}") for table in USER_TABLES}


@pytest.mark.parametrize("start", [1, 2])
def test_old_database_with_rows_migrates_to_the_fresh_schema(tmp_path: Path, start: int) -> None:
    old = build_old(tmp_path / "old.db", start)
    fill_user_rows(old, with_v101_caches=start == 2)
    before = snapshot(old)
    old.close()

    result = open_database(tmp_path / "old.db", OpenMode.WRITE)
    migrated = result.db
    assert current_version(migrated) == LATEST_VERSION
    fresh = open_database(tmp_path / "fresh.db", OpenMode.WRITE).db
    assert normalised_schema(migrated) == normalised_schema(fresh)

    after = snapshot(migrated)
    # Overrides of the deleted profile 42 moved aside, not lost.
    assert after["platform_overrides"] == before["platform_overrides"] - 1
    assert after["game_overrides"] == before["game_overrides"] - 1
    moved = migrated.query("SELECT table_name, row_json FROM orphaned_overrides ORDER BY 1")
    assert [row["table_name"] for row in moved] == ["game_overrides", "platform_overrides"]
    assert all('"device_profile_id":42' in row["row_json"] for row in moved)
    for table in set(USER_TABLES) - {"platform_overrides", "game_overrides", "user_settings"}:
        assert after[table] == before[table], table
    # the database id (v18), and where its file is (recorded by the first write)
    assert after["user_settings"] == before["user_settings"] + 2

    game = migrated.query_one("SELECT * FROM games WHERE id = 1")
    assert game is not None
    assert game["filepath"] == "/mnt/nas/roms/snes/Super Mario World (USA).sfc"
    assert game["file_md5"] == "cdd3c8c37322978ca8669b34bc89c804"  # lowercase hex
    assert game["title_norm"] == "super mario world"
    folded = migrated.scalar("SELECT title_norm FROM games WHERE id = 2")
    assert folded == "pokemon emeraude"
    assert migrated.scalar("SELECT count(*) FROM collection_games") == 2

    if start == 1:
        # 1 -> 2 drops the derived caches, as the v1.0.1 migration did.
        assert migrated.scalar("SELECT count(*) FROM compat_observations") == 0
    else:
        # 2 -> 3 turns every cached row into an observation and its key's best answer.
        best = migrated.query("SELECT platform_id, emulator_id, source, status, fetched_at "
                              "FROM v_emulator_compat")
        # The fetch time survives 3 (text) and 7 (Unix seconds, shown as text by the view).
        assert [tuple(row) for row in best] == [
            ("psx", "duckstation", "emulator-official", "playable", "2026-03-04 05:06:07")]
        assert migrated.scalar("SELECT fetched_at FROM emulator_compat_cache") == int(
            datetime(2026, 3, 4, 5, 6, 7, tzinfo=UTC).timestamp())
        assert migrated.scalar("SELECT count(*) FROM v_game_performance") == 1
        assert migrated.scalar("SELECT count(*) FROM v_game_settings") == 1

    report = check_database(migrated)
    assert report.integrity == ["ok"] and report.foreign_keys == []
    assert result.notices and "backup at" in result.notices[0]
    backups = list(tmp_path.glob("old.db.v*.bak"))
    assert len(backups) == 1
    assert Database(backups[0]).scalar("SELECT schema_version FROM schema_version") == start


def test_search_index_covers_migrated_titles(tmp_path: Path) -> None:
    old = build_old(tmp_path / "old.db", 2)
    fill_user_rows(old, with_v101_caches=True)
    old.close()
    db = open_database(tmp_path / "old.db", OpenMode.WRITE).db
    if "games_fts" not in db.table_names():
        pytest.skip("this SQLite has no FTS5")
    hits = db.query("SELECT rowid FROM games_fts WHERE games_fts MATCH 'pokemon'")
    assert [row[0] for row in hits] == [2]


def test_failed_migration_leaves_the_database_exactly_as_it_was(tmp_path: Path) -> None:
    path = tmp_path / "v2.db"
    db = build_old(path, 2)
    fill_user_rows(db, with_v101_caches=True)
    # A table the v1.1.0 migration needs to create already exists: it must fail cleanly.
    db.execute("CREATE TABLE library_roots (x)")
    schema_before = normalised_schema(db)
    rows_before = snapshot(db)
    with pytest.raises(DatabaseError, match="database left unchanged"):
        migrate(db)
    assert current_version(db) == 2
    assert normalised_schema(db) == schema_before
    assert snapshot(db) == rows_before
    assert db.scalar("PRAGMA foreign_keys") == 1


def test_fresh_database_records_every_migration(db_path: Path) -> None:
    db = open_database(db_path, OpenMode.WRITE).db
    versions = [row[0] for row in db.query("SELECT version FROM schema_migrations ORDER BY 1")]
    assert versions == list(range(1, LATEST_VERSION + 1))


def test_v101_database_without_migration_records_is_recognised(tmp_path: Path) -> None:
    # Databases created by the original v1.0.1 script have schema_version 2 and no records.
    db = build_old(tmp_path / "v2.db", 2)
    db.execute("DELETE FROM schema_migrations")
    db.close()
    migrated = open_database(tmp_path / "v2.db", OpenMode.WRITE).db
    assert current_version(migrated) == LATEST_VERSION
    applied = [r[0] for r in migrated.query("SELECT version FROM schema_migrations")]
    assert applied == list(range(3, LATEST_VERSION + 1))


def test_foreign_keys_cascade_from_profiles_to_overrides(db_path: Path) -> None:
    db = open_database(db_path, OpenMode.WRITE).db
    db.execute("INSERT INTO library_roots (id, path) VALUES (1, '/r')")
    db.execute("INSERT INTO games (id, root_id, filepath, file_size, platform_id) "
               "VALUES (1, 1, 'a.sfc', 1, 'snes')")
    db.execute("INSERT INTO devices (id, device_id, connection_type) VALUES (1, 'd', 'folder')")
    db.execute("INSERT INTO device_profiles (id, device_row_id, os_id) VALUES (1, 1, 'muos')")
    db.execute("INSERT INTO game_overrides (device_profile_id, game_id, action) "
               "VALUES (1, 1, 'exclude')")
    db.execute("INSERT INTO platform_overrides (device_profile_id, platform_id, emulator_id) "
               "VALUES (1, 'snes', 'x')")
    with pytest.raises(sqlite3.IntegrityError):
        db.execute("INSERT INTO game_overrides (device_profile_id, game_id) VALUES (99, 1)")
    db.execute("DELETE FROM devices WHERE id = 1")
    assert db.scalar("SELECT count(*) FROM game_overrides") == 0
    assert db.scalar("SELECT count(*) FROM platform_overrides") == 0


def test_an_upgrade_that_changes_no_row_still_leaves_a_backup_the_old_release_can_open(
        tmp_path: Path) -> None:
    """Migrations 18-20 rewrite no row, but the release before refuses the upgraded file: the
    backup is the user's way back (found by QA: `db migrate` 17 -> 20 wrote none)."""
    from romrunner.store.migrate import LATEST_VERSION
    old = build_old(tmp_path / "v19.db", LATEST_VERSION - 1)
    old.execute("INSERT INTO collections (name) VALUES ('Couch')")
    old.close()
    db = Database(tmp_path / "v19.db")
    report = migrate(db)
    assert report.backup is not None and report.backup.is_file()
    kept = Database(report.backup)
    assert kept.scalar("SELECT schema_version FROM schema_version") == LATEST_VERSION - 1
    assert kept.scalar("SELECT name FROM collections") == "Couch"
    kept.close()
    db.close()


def test_the_readme_names_every_migration_and_the_schema_versions_it_describes() -> None:
    """qa191 F11: the README's lineage stopped at migration 32 while the package shipped 34; a
    reader of "How it is built" could not tell what the last two changed."""
    from romrunner.store.migrate import load_migrations

    readme = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")
    migrations = load_migrations()
    missing = [f"{m.version:04d}_{m.name}.sql" for m in migrations
               if f"{m.version:04d}_{m.name}.sql`" not in readme]
    assert missing == []
    assert f"(`schema_version` 1–{LATEST_VERSION};" in readme
    assert f"; {LATEST_VERSION} " in readme  # the last one described
