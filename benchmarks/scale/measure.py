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
    """Latency of a repeated operation, in milliseconds, and statements per operation."""

    p50_ms: float
    p99_ms: float
    runs: int
    statements: float

    def as_dict(self) -> dict[str, float]:
        """The figures, rounded for the report."""
        return {"p50_ms": round(self.p50_ms, 4), "p99_ms": round(self.p99_ms, 4),
                "runs": self.runs, "statements": round(self.statements, 2)}


@contextmanager
def statements(conn: sqlite3.Connection) -> Iterator[list[str]]:
    """Collect the top-level statements run on ``conn`` (trigger bodies not counted)."""
    seen: list[str] = []

    def trace(sql: str) -> None:
        if not sql.lstrip().startswith("--"):
            seen.append(sql)

    conn.set_trace_callback(trace)
    try:
        yield seen
    finally:
        conn.set_trace_callback(None)


def percentile(values: list[float], fraction: float) -> float:
    """The ``fraction`` quantile (nearest rank) of ``values``."""
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(fraction * (len(ordered) - 1))))
    return ordered[index]


def time_each(conn: sqlite3.Connection, operation: Callable[[Any], object],
              arguments: list[Any]) -> Timing:
    """Run ``operation`` once per argument; latency percentiles and statements per run."""
    durations: list[float] = []
    with statements(conn) as seen:
        for argument in arguments:
            started = time.perf_counter()
            operation(argument)
            durations.append((time.perf_counter() - started) * 1000)
    return Timing(statistics.median(durations), percentile(durations, 0.99), len(durations),
                  len(seen) / max(1, len(arguments)))


def rate(conn: sqlite3.Connection, operation: Callable[[], int]) -> dict[str, float]:
    """Run a bulk ``operation`` that returns its row count: rows/s and statements per row."""
    with statements(conn) as seen:
        started = time.perf_counter()
        rows = operation()
        seconds = time.perf_counter() - started
    return {"rows": rows, "seconds": round(seconds, 3),
            "rows_per_s": round(rows / seconds) if seconds else 0.0,
            "statements_per_row": round(len(seen) / max(1, rows), 4)}


def object_sizes(conn: sqlite3.Connection) -> dict[str, int]:
    """Bytes on disk of every table and index (``dbstat``)."""
    return {str(name): int(size) for name, size in conn.execute(
        "SELECT name, sum(pgsize) FROM dbstat GROUP BY name")}


def objects_of(conn: sqlite3.Connection, table: str) -> list[str]:
    """``table`` and its indexes (shadow tables of an FTS table excluded)."""
    rows = conn.execute("SELECT name FROM sqlite_schema WHERE tbl_name = ? AND "
                        "type IN ('table', 'index')", (table,)).fetchall()
    return [str(row[0]) for row in rows]
