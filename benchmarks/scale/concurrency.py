"""A writer and a reader running beside a long delete: their longest waits, and the WAL."""

from __future__ import annotations

import os
import sqlite3
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from romrunner.store.database import JOURNAL_SIZE_LIMIT


@dataclass
class Contention:
    """What the concurrent writer and reader saw while an operation ran."""

    writer_commits: int = 0
    writer_longest_wait_ms: float = 0.0
    reader_queries: int = 0
    reader_longest_ms: float = 0.0
    peak_wal_mb: float = 0.0
    wal_before_mb: float = 0.0
    seconds: float = 0.0
    result: object = None
    samples: list[float] = field(default_factory=list)

    def as_dict(self) -> dict[str, object]:
        """The figures for the report."""
        return {"seconds": round(self.seconds, 2), "writer_commits": self.writer_commits,
                "writer_longest_wait_ms": round(self.writer_longest_wait_ms, 1),
                "reader_queries": self.reader_queries,
                "reader_longest_ms": round(self.reader_longest_ms, 1),
                "peak_wal_mb": round(self.peak_wal_mb, 1),
                "wal_before_mb": round(self.wal_before_mb, 1)}


def _connect(path: Path) -> sqlite3.Connection:
    """Another process's connection, with the engine's WAL size limit (a WAL reset by any
    connection is truncated to that connection's limit)."""
    conn = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    conn.execute("PRAGMA busy_timeout = 120000")
    conn.execute(f"PRAGMA journal_size_limit = {JOURNAL_SIZE_LIMIT}")
    return conn


def truncate_wal(path: Path) -> float:
    """Checkpoint and truncate the WAL so a measurement starts from an empty one; the size
    it had, in MB."""
    wal = Path(f"{path}-wal")
    before = os.path.getsize(wal) / 2**20 if wal.exists() else 0.0
    conn = _connect(path)
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.close()
    return before


def run_with_contention(path: Path, operation: Callable[[], object],
                        writer_sql: str, reader_sql: str, interval_s: float = 0.02
                        ) -> Contention:
    """Run ``operation`` while a writer commits every ``interval_s`` and a reader loops."""
    outcome = Contention()
    stop = threading.Event()
    wal = Path(f"{path}-wal")

    def writer() -> None:
        conn = _connect(path)
        while not stop.is_set():
            started = time.perf_counter()
            conn.execute("BEGIN IMMEDIATE")
            conn.execute(writer_sql)
            conn.execute("COMMIT")
            outcome.writer_longest_wait_ms = max(outcome.writer_longest_wait_ms,
                                                 (time.perf_counter() - started) * 1000)
            outcome.writer_commits += 1
            time.sleep(interval_s)
        conn.close()

    def reader() -> None:
        conn = _connect(path)
        while not stop.is_set():
            started = time.perf_counter()
            conn.execute(reader_sql).fetchall()
            outcome.reader_longest_ms = max(outcome.reader_longest_ms,
                                            (time.perf_counter() - started) * 1000)
            outcome.reader_queries += 1
            time.sleep(interval_s)
        conn.close()

    def wal_watch() -> None:
        while not stop.is_set():
            if wal.exists():
                outcome.peak_wal_mb = max(outcome.peak_wal_mb, os.path.getsize(wal) / 2**20)
            time.sleep(0.01)

    outcome.wal_before_mb = truncate_wal(path)
    threads = [threading.Thread(target=t, daemon=True) for t in (writer, reader, wal_watch)]
    for thread in threads:
        thread.start()
    time.sleep(0.1)
    started = time.perf_counter()
    try:
        outcome.result = operation()
    finally:
        outcome.seconds = time.perf_counter() - started
        stop.set()
        for thread in threads:
            thread.join()
    return outcome
