"""Ctrl-C during `db vacuum` says what it left (QA116 F1).

SQLite runs a VACUUM to its end (Python's signal handler waits for the C call to return):
the file was compacted, and the interrupt said "interrupted: nothing was changed".
"""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

from tests.conftest import run_subprocess


def _big_database(path: Path) -> int:
    """A database of ~150 MB, half of it free pages (what a vacuum compacts); its pages."""
    assert run_subprocess("--db", str(path), "db", "init").code == 0
    with sqlite3.connect(path) as conn:
        conn.executemany("INSERT INTO user_settings (key, value) VALUES (?, ?)",
                         ((f"filler.{n}", os.urandom(1500).hex()) for n in range(50_000)))
        conn.execute("DELETE FROM user_settings WHERE key LIKE 'filler.%' "
                     "AND CAST(substr(key, 8) AS INTEGER) % 2 = 0")
    with sqlite3.connect(path) as conn:
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        return int(conn.execute("PRAGMA page_count").fetchone()[0])


def _interrupted_vacuum(db: Path, wal_bytes: int) -> tuple[int, str]:
    """`db vacuum` of ``db``, sent SIGINT once its write-ahead log holds ``wal_bytes``."""
    wal = Path(f"{db}-wal")
    proc = subprocess.Popen([sys.executable, "-m", "romrunner.cli.main", "--db", str(db), "db",
                             "vacuum"], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True)
    deadline = time.monotonic() + 120
    while proc.poll() is None and time.monotonic() < deadline:
        if wal.exists() and wal.stat().st_size >= wal_bytes:
            break
        time.sleep(0.002)
    proc.send_signal(signal.SIGINT)
    _, err = proc.communicate(timeout=120)
    return proc.returncode, err


def test_ctrl_c_during_a_vacuum_says_what_it_left(tmp_path: Path) -> None:
    """Stopped before it rebuilt the file, the vacuum says nothing was changed; once it
    has, it says that (before: "nothing was changed" of a file compacted)."""
    for wal_bytes in (1, 4 << 20):
        db = tmp_path / f"big-{wal_bytes}.db"
        pages = _big_database(db)
        code, err = _interrupted_vacuum(db, wal_bytes)
        with sqlite3.connect(db) as conn:
            now = int(conn.execute("PRAGMA page_count").fetchone()[0])
            assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        if code == 0:
            continue  # (it ended before the signal came: nothing to say of an interrupt)
        assert code == 130, err
        if now == pages:
            assert err.strip().endswith("interrupted: nothing was changed"), err
        else:
            assert err.strip().endswith("the database file was rebuilt compactly"), err
