"""A database file (or a side file) that a flag keeps from being written — immutable
(`chattr +i`) or append-only (`chattr +a`) — whatever its mode: a write says so and how the
flag is cleared, not `chmod u+w`, which changes nothing there (p47a F8)."""

from __future__ import annotations

import contextlib
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from romrunner.store import database
from romrunner.store.migrate import LATEST_VERSION
from tests.conftest import run_subprocess


@contextlib.contextmanager
def _flagged(path: Path, flag: str) -> Iterator[None]:
    """``path`` with the file flag ``flag`` (``i``, ``a``) set; cleared afterwards."""
    if shutil.which("chattr") is None:
        pytest.skip("no chattr here")
    done = subprocess.run(["chattr", f"+{flag}", str(path)], capture_output=True, text=True)
    if done.returncode != 0:
        pytest.skip(f"chattr +{flag} refused here (not root? a file system without it?): "
                    f"{done.stderr.strip()}")
    try:
        yield
    finally:
        subprocess.run(["chattr", f"-{flag}", str(path)], check=True)


def _said(err: str) -> str:
    return " ".join(err.split())


@pytest.mark.parametrize(("flag", "kind"), [("i", "immutable"), ("a", "append-only")])
def test_a_flagged_database_file_says_the_flag_not_chmod(tmp_path: Path, flag: str,
                                                         kind: str) -> None:
    db = tmp_path / "rr.db"
    assert run_subprocess("--db", str(db), "collection", "create", "A").code == 0
    before = db.read_bytes()
    with _flagged(db, flag):
        written = run_subprocess("--db", str(db), "collection", "create", "B")
        read = run_subprocess("--db", str(db), "--json", "collection", "ls")
    said = _said(written.err)
    assert written.code == 2 and written.err.count("\n") == 1, written.err
    assert said.startswith(f"error: {db}: the database file is {kind}"), said
    assert f"`chattr -{flag} {db}`, as root" in said, said
    assert "chmod" not in said and "permission denied" not in said, said
    assert db.read_bytes() == before
    assert read.code == 0 and "A" in [c["name"] for c in read.json()["data"]]  # (reads work)


@pytest.mark.parametrize(("flag", "kind"), [("i", "immutable"), ("a", "append-only")])
def test_a_flagged_write_ahead_log_says_the_flag(tmp_path: Path, flag: str,
                                                 kind: str) -> None:
    db = tmp_path / "rr.db"
    assert run_subprocess("--db", str(db), "collection", "create", "A").code == 0
    wal = Path(f"{db}-wal")
    wal.touch()
    with _flagged(wal, flag):
        written = run_subprocess("--db", str(db), "collection", "create", "B")
    said = _said(written.err)
    assert written.code == 2 and written.err.count("\n") == 1, written.err
    assert said.startswith(f"error: {wal}: {kind}"), said
    assert f"`chattr -{flag} {wal}`, as root" in said, said
    assert "chmod" not in said and "check the file and folder permissions" not in said, said


def test_an_older_immutable_database_says_the_flag(tmp_path: Path) -> None:
    """A reading command of an older database (an upgrade, which writes, comes first) whose
    file is immutable: not "make it writable (`chmod u+w …`)"."""
    from tests.test_migrations import build_old
    db = tmp_path / "old.db"
    build_old(db, LATEST_VERSION - 1).close()
    with _flagged(db, "i"):
        read = run_subprocess("--db", str(db), "collection", "ls")
        check = run_subprocess("--db", str(db), "db", "check")
    said = _said(read.err)
    assert read.code == 2 and "the file is immutable" in said, said
    assert f"`chattr -i {db}`, as root" in said and "chmod" not in said, said
    assert "chattr -i" in _said(check.out) and "chmod" not in _said(check.out), check.out


def test_another_users_file_is_not_told_to_chmod(tmp_path: Path,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    """A file another user owns: only they (or root) change its mode."""
    file = tmp_path / "theirs.db"
    file.write_bytes(b"")
    owner = file.stat().st_uid
    monkeypatch.setattr(database.os, "geteuid", lambda: owner + 1)
    why, fix = database.not_writable_file(file)
    assert "owned by another" in why and "chmod" not in fix and "owner" in fix
    monkeypatch.setattr(database.os, "geteuid", lambda: owner)
    assert database.not_writable_file(file) == (
        "read-only for this user", f"make it writable (`chmod u+w {file}`)")
