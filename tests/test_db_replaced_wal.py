"""A database file replaced while a command writes (a sync tool, a restore by hand): the
command fails loudly and leaves nothing of the old database beside the new file — its WAL
would make the next command read the new file through the old one's pages (QA42 F4)."""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path

import pytest

from romrunner.errors import DatabaseReplacedError
from romrunner.store import OpenMode, open_database


def test_a_replaced_database_keeps_no_wal_of_the_old_one(tmp_path: Path) -> None:
    path = tmp_path / "rr.db"
    db = open_database(path, OpenMode.WRITE).db
    with db.atomic():
        db.execute("INSERT INTO collections (name) VALUES ('mine')")
    assert Path(f"{path}-wal").exists()  # (the old database's pages are in it)
    other = tmp_path / "other.db"
    conn = sqlite3.connect(other)
    conn.execute("CREATE TABLE theirs (x)")
    conn.execute("INSERT INTO theirs VALUES (1)")
    conn.commit()
    conn.close()
    expected = other.read_bytes()
    os.replace(other, path)
    with pytest.raises(DatabaseReplacedError), db.atomic():
        db.execute("INSERT INTO collections (name) VALUES ('two')")
    db.close()
    assert not Path(f"{path}-wal").exists() and not Path(f"{path}-shm").exists()
    assert path.read_bytes() == expected
    conn = sqlite3.connect(path)
    try:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        assert conn.execute("SELECT name FROM sqlite_master").fetchall() == [("theirs",)]
    finally:
        conn.close()
