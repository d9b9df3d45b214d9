"""What each index costs on ingest, and which query it serves.

Copies of existing rows are inserted in a transaction that is rolled back: with every index,
with no secondary index, and per index with only that one kept (DDL is transactional in
SQLite, so the rollback restores what was dropped). An index's insert cost per row is its
time over the bare table's: adding one index to a bare table is a cleaner signal than
removing one of eleven. What an index
serves is the comment beside its CREATE INDEX in the migrations.
"""

from __future__ import annotations

import re
import sqlite3
import time
from dataclasses import dataclass

from romrunner.store.migrate import load_migrations

_INDEX_COMMENT = re.compile(
    r"CREATE\s+(?:UNIQUE\s+)?INDEX\s+(?:IF\s+NOT\s+EXISTS\s+)?(\w+)\s+ON[^;]*;[ \t]*--[ \t]*(.+)$",
    re.IGNORECASE | re.MULTILINE)
REPEATS = 5


@dataclass(frozen=True)
class CopyPlan:
    """How to copy ``sample`` rows of a table so every unique key stays unique."""

    table: str
    changed: dict[str, str]   # column -> expression that makes the copy's key new
    where: str                # picks the sample rows
    key_columns: tuple[str, ...] = ()  # columns left out (an INTEGER PRIMARY KEY)


def served_queries() -> dict[str, str]:
    """Index name -> the query its migration says it serves (the latest comment wins)."""
    served: dict[str, str] = {}
    for migration in load_migrations():
        for name, comment in _INDEX_COMMENT.findall(migration.sql):
            served[name] = comment.strip()
    return served


def _columns(conn: sqlite3.Connection, table: str, skip: tuple[str, ...]) -> list[str]:
    return [row[1] for row in conn.execute(f"PRAGMA table_xinfo({table})")
            if row[1] not in skip and row[6] == 0]  # hidden/generated columns are not copied


def _droppable_indexes(conn: sqlite3.Connection, table: str) -> list[str]:
    return [row[1] for row in conn.execute(f"PRAGMA index_list({table})")
            if row[3] == "c"]  # created by CREATE INDEX (not a PRIMARY KEY or UNIQUE clause)


def _timed_copy(conn: sqlite3.Connection, insert: str, drop: list[str]) -> float:
    best = float("inf")
    for _ in range(REPEATS):
        conn.execute("BEGIN")
        try:
            for name in drop:
                conn.execute(f"DROP INDEX {name}")
            started = time.perf_counter()
            conn.execute(insert)
            best = min(best, time.perf_counter() - started)
        finally:
            conn.execute("ROLLBACK")
    return best


def index_costs(conn: sqlite3.Connection, plan: CopyPlan) -> dict[str, object]:
    """Insert cost per row with all indexes, with none, and of each index on its own."""
    columns = _columns(conn, plan.table, plan.key_columns)
    select = ", ".join(plan.changed.get(column, column) for column in columns)
    insert = (f"INSERT INTO {plan.table} ({', '.join(columns)}) "
              f"SELECT {select} FROM {plan.table} WHERE {plan.where}")
    rows = int(conn.execute(f"SELECT count(*) FROM {plan.table} WHERE {plan.where}")
               .fetchone()[0])
    if not rows:
        return {"rows": 0}
    indexes = _droppable_indexes(conn, plan.table)
    every = _timed_copy(conn, insert, [])
    bare = _timed_copy(conn, insert, indexes)
    served = served_queries()
    per_index = {}
    for name in indexes:
        alone = _timed_copy(conn, insert, [other for other in indexes if other != name])
        per_index[name] = {"us_per_row": round(max(alone - bare, 0.0) / rows * 1e6, 2),
                           "serves": served.get(name, "")}
    return {"rows": rows, "us_per_row_all_indexes": round(every / rows * 1e6, 2),
            "us_per_row_no_secondary_index": round(bare / rows * 1e6, 2),
            "indexes": per_index}
