"""Timing, statement counting and on-disk sizes, the same way for both sides."""

from __future__ import annotations

import sqlite3
import statistics
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Timing:
    """Latency of a repeated operation, in milliseconds, and statements per operation.

    ``cpu_*`` is the CPU time of the calling thread over the same runs: on a shared machine
    a run preempted for a time slice shows in the wall-clock p99 but not in its CPU time, so
    the two side by side tell the code's cost from the machine's load (cf. :func:`spin`).
    """

    p50_ms: float
    p99_ms: float
    runs: int
    statements: float
    cpu_p50_ms: float = 0.0
    cpu_p99_ms: float = 0.0

    def as_dict(self) -> dict[str, float]:
        """The figures, rounded for the report."""
        return {"p50_ms": round(self.p50_ms, 4), "p99_ms": round(self.p99_ms, 4),
                "runs": self.runs, "statements": round(self.statements, 2),
                "cpu_p50_ms": round(self.cpu_p50_ms, 4), "cpu_p99_ms": round(self.cpu_p99_ms, 4)}


class StatementCount:
    """How many top-level statements ran (``len``), without keeping their text."""

    def __init__(self) -> None:
        self.count = 0
        self.last: str | None = None

    def __len__(self) -> int:
        return self.count

    def see(self, sql: str) -> None:
        """One trace callback. Python reports a statement again, expanded, for each trigger
        it fires (a 400-row insert with two triggers: 800 reports of the whole statement), so
        an immediate repeat is not counted and no text is kept but the last one."""
        if sql == self.last or sql.lstrip().startswith("--"):
            return
        self.last = sql
        self.count += 1


class CountingConnection:
    """Our database's connection, counting the top-level statements run through it.

    The trace callback cannot count ours: CPython hands it each statement's SQL expanded with
    its bound values, and again for every trigger program the statement runs, so a 400-row
    ``INSERT`` into ``games`` cost megabytes of text per row to count (ingest measured 0.06x
    the baseline with the callback on, 1.6x without: 2026-12-02). ``executemany`` counts one
    statement per row, as the trace callback does."""

    def __init__(self, conn: sqlite3.Connection, seen: StatementCount) -> None:
        self._conn, self._seen = conn, seen

    def execute(self, sql: str, parameters: Any = ()) -> sqlite3.Cursor:
        """Counted, then run."""
        self._seen.count += 1
        return self._conn.execute(sql, parameters)

    def executemany(self, sql: str, rows: Any) -> sqlite3.Cursor:
        """Counted per row, then run."""
        rows = list(rows)
        self._seen.count += len(rows)
        return self._conn.executemany(sql, rows)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._conn, name)


@contextmanager
def statements(target: Any) -> Iterator[StatementCount]:
    """Count the top-level statements run on ``target``: a plain ``sqlite3`` connection (the
    baseline's) through its trace callback, our ``Database`` through its connection
    (:class:`CountingConnection`; trigger bodies not counted either way)."""
    seen = StatementCount()
    if isinstance(target, sqlite3.Connection):
        target.set_trace_callback(seen.see)
        try:
            yield seen
        finally:
            target.set_trace_callback(None)
        return
    conn = target.conn
    target.conn = CountingConnection(conn, seen)
    try:
        yield seen
    finally:
        target.conn = conn


def percentile(values: list[float], fraction: float) -> float:
    """The ``fraction`` quantile (nearest rank) of ``values``."""
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(fraction * (len(ordered) - 1))))
    return ordered[index]


def time_each(conn: Any, operation: Callable[[Any], object],
              arguments: list[Any]) -> Timing:
    """Run ``operation`` once per argument; latency percentiles and statements per run."""
    durations: list[float] = []
    cpu: list[float] = []
    with statements(conn) as seen:
        for argument in arguments:
            started, cpu_started = time.perf_counter(), time.thread_time()
            operation(argument)
            durations.append((time.perf_counter() - started) * 1000)
            cpu.append((time.thread_time() - cpu_started) * 1000)
    return Timing(statistics.median(durations), percentile(durations, 0.99), len(durations),
                  len(seen) / max(1, len(arguments)), statistics.median(cpu),
                  percentile(cpu, 0.99))


def spin(milliseconds: float) -> Callable[[object], object]:
    """A fixed amount of pure CPU work taking about ``milliseconds`` on this machine now: the
    benchmark times it like any workload, so its p99 is what the load alone does to a p99."""
    def work(count: int) -> int:
        total = 0
        for i in range(count):
            total += i * i
        return total

    count = 10_000
    while True:
        started = time.thread_time()
        work(count)
        took = (time.thread_time() - started) * 1000
        if took >= milliseconds / 4 or count > 10**8:
            break
        count *= 2
    count = max(1, int(count * milliseconds / max(took, 1e-6)))
    return lambda _: work(count)


def rate(conn: Any, operation: Callable[[], int]) -> dict[str, float]:
    """Run a bulk ``operation`` that returns its row count: rows/s and statements per row,
    and the calling thread's CPU seconds (a shared machine's other jobs not counted)."""
    with statements(conn) as seen:
        started, cpu_started = time.perf_counter(), time.thread_time()
        rows = operation()
        seconds = time.perf_counter() - started
        cpu_seconds = time.thread_time() - cpu_started
    return {"rows": rows, "seconds": round(seconds, 3),
            "rows_per_s": round(rows / seconds) if seconds else 0.0,
            "statements_per_row": round(len(seen) / max(1, rows), 4),
            "cpu_seconds": round(cpu_seconds, 3)}


def object_sizes(conn: sqlite3.Connection) -> dict[str, int]:
    """Bytes on disk of every table and index (``dbstat``)."""
    return {str(name): int(size) for name, size in conn.execute(
        "SELECT name, sum(pgsize) FROM dbstat GROUP BY name")}


def objects_of(conn: sqlite3.Connection, table: str) -> list[str]:
    """``table`` and its indexes (shadow tables of an FTS table excluded)."""
    rows = conn.execute("SELECT name FROM sqlite_schema WHERE tbl_name = ? AND "
                        "type IN ('table', 'index')", (table,)).fetchall()
    return [str(row[0]) for row in rows]
