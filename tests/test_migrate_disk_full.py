"""`db migrate` on a disk without room for the upgrade (a real small tmpfs): one line that says
how much room it needs and how much there was, the database unchanged at its version, and no
full-size backup left behind by a run that changed nothing (QA21 P1: each failed run left
another copy, and nothing said how much to free). With room, the same database upgrades."""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path

import pytest

from tests.conftest import run_subprocess
from tests.test_deploy_faults import tmpfs
from tests.test_migrate_vacuum_hint import v13_library

MIB = 1024 * 1024


def _version(path: Path) -> int:
    with sqlite3.connect(path) as conn:
        return int(conn.execute("SELECT max(version) FROM schema_migrations").fetchone()[0])


def _leave_free(mount: Path, free: int) -> None:
    """Fill ``mount`` with a file so that ``free`` bytes stay free."""
    usage = shutil.disk_usage(mount)
    with open(mount / "filler", "wb") as filler:
        filler.truncate(0)
        filler.write(b"\0" * max(0, usage.free - free))


@pytest.fixture(scope="module")
def v13(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("v13") / "library.db"
    v13_library(path, 20_000)
    return path


@pytest.mark.parametrize(("room", "said"), [
    (0.5, "no room for the backup an upgrade writes first"),
    (1.6, "the disk filled up during migration 14"),
], ids=["no-room-for-the-backup", "no-room-to-rewrite"])
def test_a_migrate_without_room_says_what_it_needs_and_keeps_nothing(
        tmp_path: Path, v13: Path, room: float, said: str) -> None:
    size = v13.stat().st_size
    with tmpfs(tmp_path / "disk", f"{(4 * size) // MIB + 4}m") as disk:
        db = disk / "library.db"
        db.write_bytes(v13.read_bytes())
        _leave_free(disk, int(size * room))
        before = db.read_bytes()
        result = run_subprocess("--db", str(db), "db", "migrate")
        assert result.code != 0 and "Traceback" not in result.err
        lines = result.err.strip().splitlines()
        assert len(lines) == 1 and said in lines[0], result.err
        assert "free" in lines[0] and "MiB" in lines[0] and "romrunner db migrate" in lines[0]
        assert db.read_bytes() == before  # (byte for byte: qa179 F3, its place was written)
        assert _version(db) == 13
        assert sorted(p.name for p in disk.iterdir() if ".bak" in p.name or "tmp" in p.name) \
            == []  # (the backup of a run that changed nothing is gone, no temporary left)
        (disk / "filler").unlink()
        upgraded = run_subprocess("--db", str(db), "db", "migrate")
        assert upgraded.code == 0, upgraded.err
        assert _version(db) > 13 and len(list(disk.glob("library.db.v13-*.bak"))) == 1


@pytest.mark.parametrize("room", [0.5, 1.5], ids=["no-room-to-copy", "no-room-to-save"])
def test_a_restore_without_room_says_the_database_is_left_as_it_was(
        tmp_path: Path, v13: Path, room: float) -> None:
    """QA22 P1: it named an internal temporary file, and not whether the database was
    restored (QA24 N4: also when the copy fit and saving the database first did not)."""
    with tmpfs(tmp_path / "disk", f"{(5 * v13.stat().st_size) // MIB + 4}m") as disk:
        db = disk / "library.db"
        db.write_bytes(v13.read_bytes())
        assert run_subprocess("--db", str(db), "db", "migrate").code == 0
        backup = tmp_path / "backup.db"
        assert run_subprocess("--db", str(db), "db", "backup", str(backup)).code == 0
        assert run_subprocess("--db", str(db), "collection", "create", "after").code == 0
        for bak in disk.glob("*.bak"):
            bak.unlink()
        _leave_free(disk, int(backup.stat().st_size * room))
        result = run_subprocess("--db", str(db), "db", "restore", str(backup))
        assert result.code != 0 and "Traceback" not in result.err
        lines = result.err.strip().splitlines()
        assert len(lines) == 1 and "not restored" in lines[0], result.err
        assert "left as it was" in lines[0] and ".tmp" not in lines[0]
        listed = run_subprocess("--db", str(db), "--json", "collection", "ls")
        assert "after" in listed.out  # (the database as it was)
