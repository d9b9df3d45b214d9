"""Migration 14: compatibility and settings keyed (platform, game_key, emulator), rows kept."""

from __future__ import annotations

from pathlib import Path

from romrunner.cache.explain import explain_game, find_games
from romrunner.store import Database
from romrunner.store.migrate import current_version, migrate
from romrunner.store.open import OpenMode, open_database
from tests.test_migrations import normalised_schema

_TABLES = ("compat_observations", "settings_observations", "emulator_compat_cache",
           "game_settings_cache")


def _rows(db: Database, table: str) -> list[tuple[object, ...]]:
    return sorted(tuple(row) for row in db.query(f"SELECT * FROM {table}"))


def test_migration_14_from_version_13_keeps_every_answer(tmp_path: Path) -> None:
    old = Database(tmp_path / "v13.db")
    migrate(old, target=13)
    old.conn.executescript("""
        INSERT INTO platform_dim (id, platform_id) VALUES (1, 'ps2'), (2, 'gamecube');
        INSERT INTO emulator_dim (id, emulator_id) VALUES (1, 'pcsx2'), (2, 'play'),
            (3, 'dolphin');
        INSERT INTO game_key_dim (id, definition_game_id) VALUES (1, 'SLUS-20312'),
            (2, 'GAL');
        INSERT INTO cache_sources (id, source_id, ttl_hours) VALUES (900, 'old-a', 24),
            (901, 'old-b', NULL);
        INSERT INTO compat_observations (platform, emulator, game_key, source, status,
            confidence, fetched_at, expires_at) VALUES
            (1, 1, 1, 900, 'playable', 'high', 100, 200), (1, 2, 1, 900, 'broken', 'low', 100,
            NULL), (1, 1, 1, 901, 'ingame', 'medium', 50, NULL);
        INSERT INTO emulator_compat_cache VALUES (1, 1, 1, 900, 'playable', 'high', 100, 200),
            (1, 2, 1, 900, 'broken', 'low', 100, NULL);
        INSERT INTO settings_observations (platform, emulator, game_key, source, settings_json,
            fetched_at) VALUES (2, 3, 2, 900, '{"Core": {"MMU": "True"}}', 100);
        INSERT INTO game_settings_cache VALUES (2, 3, 2, 900, '{"Core": {"MMU": "True"}}',
            'suggested', 'medium', 100, NULL);
        INSERT INTO library_roots (id, path) VALUES (1, '/roms');
        INSERT INTO games (id, root_id, filepath, filename, file_size, platform_id,
            detected_title, disc_id) VALUES (7, 1, 'ps2/a.iso', 'a.iso', 1, 'ps2', 'A',
            'SLUS-20312');
    """)
    before = {table: _rows(old, table) for table in _TABLES}
    views = old.query("SELECT * FROM v_emulator_compat ORDER BY emulator_id")
    old.close()
    migrated = open_database(tmp_path / "v13.db", OpenMode.WRITE).db
    assert current_version(migrated) >= 14
    assert {table: _rows(migrated, table) for table in _TABLES} == before
    assert [tuple(row) for row in migrated.query(
        "SELECT * FROM v_emulator_compat ORDER BY emulator_id")] == [tuple(r) for r in views]
    fresh = open_database(tmp_path / "fresh.db", OpenMode.WRITE).db
    assert normalised_schema(migrated) == normalised_schema(fresh)
    assert "PRIMARY KEY (platform, game_key, emulator, source)" in str(migrated.scalar(
        "SELECT sql FROM sqlite_master WHERE name = 'compat_observations'"))
    (game,) = find_games(migrated, "7")
    groups = explain_game(migrated, game).groups
    assert [(g.kind, g.emulator_id, [o["source"] for o in g.observations]) for g in groups] == [
        ("compat", "pcsx2", ["old-a", "old-b"]), ("compat", "play", ["old-a"])]
