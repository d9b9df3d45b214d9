"""A backup killed mid-write leaves a temporary file; the next backup into that folder removes
it, and never a temporary file a running backup holds, nor anything else."""

from __future__ import annotations

import fcntl
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from romrunner.store.backup import remove_stale_temporaries


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
