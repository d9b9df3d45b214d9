"""The Database object: connection policy, atomic(), errors on bad files."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from romrunner.errors import DatabaseError, MigrationRequiredError, SchemaTooNewError
from romrunner.store import Database, OpenMode, open_database
from romrunner.store.integrity import check_database
from romrunner.store.lock import WriterLock
from romrunner.store.migrate import LATEST_VERSION, migrate


def fresh(path: Path) -> Database:
    return open_database(path, OpenMode.WRITE).db


def test_connection_policy_applied_on_every_connection(db_path: Path) -> None:
    fresh(db_path).close()
    db = Database(db_path)
    assert db.scalar("PRAGMA journal_mode") == "wal"
    assert db.scalar("PRAGMA foreign_keys") == 1
    assert db.scalar("PRAGMA synchronous") == 1  # NORMAL
    assert db.scalar("PRAGMA temp_store") == 2  # MEMORY
    assert db.scalar("PRAGMA busy_timeout") > 0
    assert db.scalar("PRAGMA cache_size") < 0  # sized in KiB
    db.close()


def test_atomic_rolls_back_on_exception_and_keyboard_interrupt(db_path: Path) -> None:
    db = fresh(db_path)
    for exc in (ValueError("boom"), KeyboardInterrupt()):
        with pytest.raises(type(exc)), db.atomic():
            db.execute("INSERT INTO user_settings (key, value) VALUES ('a', '1')")
            raise exc
        assert db.scalar("SELECT count(*) FROM user_settings WHERE key = 'a'") == 0
        assert not db.in_transaction


def test_nested_atomic_rolls_back_only_the_savepoint(db_path: Path) -> None:
    db = fresh(db_path)
    with db.atomic():
        db.execute("INSERT INTO user_settings (key, value) VALUES ('outer', '1')")
        with pytest.raises(RuntimeError), db.atomic():
            db.execute("INSERT INTO user_settings (key, value) VALUES ('inner', '1')")
            raise RuntimeError
    keys = [row[0] for row in db.query("SELECT key FROM user_settings "
                                       "WHERE key NOT IN ('database_id', 'database_place')")]
    assert keys == ["outer"]


def test_not_a_database_is_refused_with_the_file_name(tmp_path: Path) -> None:
    bogus = tmp_path / "notes.db"
    bogus.write_text("this is not sqlite at all")
    with pytest.raises(DatabaseError, match=r"notes\.db: not a SQLite database"):
        open_database(bogus, OpenMode.WRITE)
    assert bogus.read_text() == "this is not sqlite at all"


def test_truncated_database_is_reported_not_crashed(tmp_path: Path) -> None:
    path = tmp_path / "cut.db"
    db = fresh(path)
    db.execute("INSERT INTO user_settings (key, value) VALUES ('x', 'y')")
    db.checkpoint("TRUNCATE")
    db.close()
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 3])
    try:
        result = open_database(path, OpenMode.INSPECT)
        report = check_database(result.db)
    except DatabaseError as exc:
        assert "cut.db" in str(exc)
    else:
        assert not report.ok, "a truncated file must fail its integrity check"


def test_newer_schema_is_refused_and_left_untouched(db_path: Path) -> None:
    db = fresh(db_path)
    db.execute("UPDATE schema_version SET schema_version = ?", (LATEST_VERSION + 5,))
    db.close()
    before = db_path.read_bytes()
    with pytest.raises(SchemaTooNewError, match="newer than this ROM Runner"):
        open_database(db_path, OpenMode.WRITE)
    assert Database(db_path).scalar("SELECT schema_version FROM schema_version") == \
        LATEST_VERSION + 5
    assert len(before) > 0


def test_read_commands_never_migrate_silently(db_path: Path) -> None:
    db = Database(db_path)
    migrate(db, target=2)
    db.close()
    with pytest.raises(MigrationRequiredError, match="db migrate"):
        open_database(db_path, OpenMode.READ)
    # while a command holds the writer lock (it upgrades first), a reader is told to wait,
    # not to run `db migrate` too (QA29 F12)
    lock = WriterLock(db_path, "db migrate")
    lock.acquire()
    try:
        with pytest.raises(MigrationRequiredError, match=r"being upgraded .* db migrate"):
            open_database(db_path, OpenMode.READ)
    finally:
        lock.release()
    assert Database(db_path).scalar("SELECT schema_version FROM schema_version") == 2
    result = open_database(db_path, OpenMode.WRITE)
    assert result.notices and f"from schema version 2 to {LATEST_VERSION}" in result.notices[0]


def test_locked_database_gives_a_one_line_error(db_path: Path) -> None:
    fresh(db_path).close()
    holder = sqlite3.connect(db_path, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
    try:
        db = Database(db_path, busy_timeout_ms=50)
        with pytest.raises(DatabaseError, match="locked by another writer"), db.atomic():
            pass
    finally:
        holder.execute("ROLLBACK")
        holder.close()


def test_inspect_never_creates_a_database(tmp_path: Path) -> None:
    missing = tmp_path / "none.db"
    with pytest.raises(DatabaseError, match=r"no database at .*none\.db"):
        open_database(missing, OpenMode.INSPECT)
    assert not missing.exists()
