"""A backup killed mid-write leaves a temporary file; the next backup into that folder removes
it, and never a temporary file a running backup holds, nor anything else."""

from __future__ import annotations

import fcntl
import os
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import pytest

from romrunner.store import backup
from romrunner.store.backup import backup_database, is_backup_file, remove_stale_temporaries
from romrunner.store.open import OpenMode, open_database


def _temporary(folder: Path, name: str) -> Path:
    path = folder / f".romrunner-backup.{name}.tmp"
    path.write_bytes(b"half a database")
    return path


def test_next_backup_removes_a_dead_backups_temporary_files(cli: Any, tmp_path: Path) -> None:
    assert cli("db", "init").code == 0
    folder = tmp_path / "backups"
    folder.mkdir()
    stale = _temporary(folder, "dead1")
    journal = Path(f"{stale}-journal")
    journal.write_bytes(b"x")
    users = folder / ".romrunner-backup.notes.txt"
    users.write_text("mine")
    assert cli("db", "backup", folder).code == 0
    assert not stale.exists() and not journal.exists()
    assert users.read_text() == "mine"
    written = [p.name for p in folder.iterdir() if p.suffix == ".db"]
    assert len(written) == 1


def test_a_temporary_file_held_by_a_running_backup_is_kept(tmp_path: Path) -> None:
    held = _temporary(tmp_path, "running")
    dead = _temporary(tmp_path, "dead2")
    # Another process holds the lock, as a backup in progress does.
    holder = subprocess.Popen(
        [sys.executable, "-c",
         "import fcntl, os, sys, time\n"
         "fd = os.open(sys.argv[1], os.O_RDONLY)\n"
         "fcntl.flock(fd, fcntl.LOCK_EX)\n"
         "print('locked', flush=True)\n"
         "time.sleep(60)\n", str(held)],
        stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "locked"
        assert remove_stale_temporaries(tmp_path) == 1
        assert held.exists() and not dead.exists()
    finally:
        holder.send_signal(signal.SIGKILL)
        holder.wait()
    # Once its holder is gone, it is stale too.
    deadline = time.monotonic() + 10
    fd = os.open(held, os.O_RDONLY)
    try:
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except OSError:
                assert time.monotonic() < deadline
                time.sleep(0.05)
        fcntl.flock(fd, fcntl.LOCK_UN)
    finally:
        os.close(fd)
    assert remove_stale_temporaries(tmp_path) == 1 and not held.exists()


# What every writing command runs first in the database's folder (store.open), as a real
# process: it removes the temporary files of backups and restores no running one holds.
_CLEANER = ("import sys\nfrom pathlib import Path\n"
            "from romrunner.store.backup import RESTORE_TEMP_PREFIX, remove_stale_temporaries\n"
            "print(remove_stale_temporaries(Path(sys.argv[1]))"
            " + remove_stale_temporaries(Path(sys.argv[1]), RESTORE_TEMP_PREFIX))\n")


def _clean(folder: Path) -> int:
    done = subprocess.run([sys.executable, "-c", _CLEANER, str(folder)], capture_output=True,
                          text=True, check=True, timeout=60)
    return int(done.stdout)


def test_a_backups_temporary_file_is_held_the_one_way_even_when_a_command_starts_at_once(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """review45c F5: backup and restore locked their temporary files their own way (mkstemp,
    then a flock), not through ``tempfiles``, so the gap between the two stayed open there
    (review45c F2): another command removing dead backups' files in that instant took the
    new one, and the backup wrote a file of that name again, held by no lock — which the
    next command removed under it. Made by ``tempfiles.create`` it is held while written."""
    db = open_database(tmp_path / "rr.db", OpenMode.WRITE).db
    folder = tmp_path / "backups"
    folder.mkdir()
    real_mkstemp, real_copy = tempfile.mkstemp, backup._copy
    gap: list[int] = []
    during: list[int] = []

    def mkstemp_then_clean(*args: Any, **kwargs: Any) -> tuple[int, str]:
        made = real_mkstemp(*args, **kwargs)
        if not gap:  # (a command starting in the gap between its making and its lock)
            gap.append(_clean(folder))
        return made

    def copy_then_clean(source: Any, temp: Path) -> None:
        real_copy(source, temp)
        during.append(_clean(folder))  # (another command starting while it writes)

    monkeypatch.setattr(tempfile, "mkstemp", mkstemp_then_clean)
    monkeypatch.setattr(backup, "_copy", copy_then_clean)
    try:
        written = backup_database(db, folder)
    finally:
        db.close()
    assert gap == [1] and during == [0]  # (the first file taken; the one written kept)
    assert is_backup_file(written) and [p.name for p in folder.iterdir()] == [written.name]
