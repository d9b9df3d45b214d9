"""The one ``Database`` object: connection policy, transactions, tracing, error translation.

All SQL of the engine runs through this object, so the SQLite binding is a one-module choice.
"""

from __future__ import annotations

import contextlib
import itertools
import os
import sqlite3
from collections.abc import Callable, Iterable, Iterator, Sequence
from pathlib import Path
from typing import Any

from romrunner.errors import DatabaseError
from romrunner.textnorm import fold

SQLITE_MAGIC = b"SQLite format 3\x00"
BUSY_TIMEOUT_MS = 5000
CACHE_SIZE_KIB = 65536
JOURNAL_SIZE_LIMIT = 64 * 1024 * 1024

# The connection policy every writable connection gets (DECISIONS: connection policy).
WRITER_PRAGMAS = ("PRAGMA journal_mode = WAL", f"PRAGMA journal_size_limit = {JOURNAL_SIZE_LIMIT}")
SHARED_PRAGMAS = ("PRAGMA synchronous = NORMAL", "PRAGMA foreign_keys = ON",
                  "PRAGMA temp_store = MEMORY", f"PRAGMA cache_size = -{CACHE_SIZE_KIB}")

Params = Sequence[Any] | dict[str, Any]
Tracer = Callable[[str], None]


def check_is_sqlite_file(path: Path) -> None:
    """Raise a one-line error when ``path`` exists but is not a SQLite database file."""
    if not path.exists():
        return
    if path.is_dir():
        raise DatabaseError(f"{path}: is a directory, not a database file")
    try:
        with path.open("rb") as handle:
            head = handle.read(len(SQLITE_MAGIC))
    except OSError as exc:
        raise DatabaseError(f"{path}: cannot be read ({exc.strerror})") from exc
    if head and head != SQLITE_MAGIC:
        raise DatabaseError(f"{path}: not a SQLite database")
    if head and len(head) < len(SQLITE_MAGIC):
        raise DatabaseError(f"{path}: truncated SQLite database")


def describe_sqlite_error(path: Path | str, exc: sqlite3.Error) -> str:
    """Turn a SQLite error into a one-line message that names the database file."""
    text = str(exc)
    lowered = text.lower()
    if "locked" in lowered or "busy" in lowered:
        return f"{path}: database is locked by another writer; try again when it has finished"
    if "readonly" in lowered or "read-only" in lowered:
        return f"{path}: database is read-only; check the file and folder permissions"
    if "not a database" in lowered:
        return f"{path}: not a SQLite database"
    if "malformed" in lowered or "corrupt" in lowered:
        return f"{path}: database is corrupt ({text}); restore a backup"
    if "unable to open" in lowered:
        return f"{path}: cannot open the database file"
    return f"{path}: {text}"


class Database:
    """A connection to the ROM Runner SQLite file with the engine's policy applied.

    The connection runs in autocommit mode; every write goes through :meth:`atomic`, which
    opens a transaction (or a savepoint when nested) and rolls back on any exception,
    ``KeyboardInterrupt`` included.
    """

    def __init__(self, path: Path | str, *, read_only: bool = False,
                 busy_timeout_ms: int | None = None) -> None:
        self.path = Path(path) if str(path) != ":memory:" else Path(":memory:")
        self.read_only = read_only
        self.busy_timeout_ms = busy_timeout_ms if busy_timeout_ms is not None else \
            int(os.environ.get("ROMRUNNER_BUSY_TIMEOUT_MS", BUSY_TIMEOUT_MS))
        self._tracer: Tracer | None = None
        self._depth = 0
        self._savepoints = itertools.count(1)
        if str(path) != ":memory:":
            check_is_sqlite_file(self.path)
        try:
            if read_only:
                uri = f"file:{self.path}?mode=ro"
                self.conn = sqlite3.connect(uri, uri=True, isolation_level=None,
                                            check_same_thread=False)
            else:
                self.conn = sqlite3.connect(str(path), isolation_level=None,
                                            check_same_thread=False)
            self.conn.row_factory = sqlite3.Row
            self._apply_policy()
        except sqlite3.Error as exc:
            raise DatabaseError(describe_sqlite_error(self.path, exc)) from exc

    def _apply_policy(self) -> None:
        conn = self.conn
        conn.execute(f"PRAGMA busy_timeout = {int(self.busy_timeout_ms)}")
        for pragma in (() if self.read_only else WRITER_PRAGMAS) + SHARED_PRAGMAS:
            conn.execute(pragma)
        conn.create_function("rr_fold", 1, fold, deterministic=True)

    # -- tracing -----------------------------------------------------------------
    def set_tracer(self, tracer: Tracer | None) -> None:
        """Call ``tracer`` with every statement run on this connection (None to stop)."""
        self._tracer = tracer
        self.conn.set_trace_callback(tracer)

    @contextlib.contextmanager
    def count_statements(self) -> Iterator[list[str]]:
        """Collect the statements run inside the block (to make N+1 patterns visible)."""
        seen: list[str] = []
        previous = self._tracer
        self.set_tracer(seen.append)
        try:
            yield seen
        finally:
            self.set_tracer(previous)

    # -- errors ------------------------------------------------------------------
    @contextlib.contextmanager
    def translate_errors(self) -> Iterator[None]:
        """Re-raise SQLite errors as one-line :class:`DatabaseError` naming the file."""
        try:
            yield
        except sqlite3.IntegrityError:
            raise
        except sqlite3.Error as exc:
            raise DatabaseError(describe_sqlite_error(self.path, exc)) from exc

    # -- statements --------------------------------------------------------------
    def execute(self, sql: str, params: Params = ()) -> sqlite3.Cursor:
        """Run one parameterised statement."""
        with self.translate_errors():
            return self.conn.execute(sql, params)

    def executemany(self, sql: str, rows: Iterable[Params]) -> sqlite3.Cursor:
        """Run one parameterised statement for each row."""
        with self.translate_errors():
            return self.conn.executemany(sql, rows)

    def query(self, sql: str, params: Params = ()) -> list[sqlite3.Row]:
        """All rows of a query."""
        with self.translate_errors():
            return self.conn.execute(sql, params).fetchall()

    def query_one(self, sql: str, params: Params = ()) -> sqlite3.Row | None:
        """The first row of a query, or None."""
        with self.translate_errors():
            row: sqlite3.Row | None = self.conn.execute(sql, params).fetchone()
            return row

    def scalar(self, sql: str, params: Params = ()) -> Any:
        """The first column of the first row, or None."""
        row = self.query_one(sql, params)
        return None if row is None else row[0]

    # -- transactions ------------------------------------------------------------
    @property
    def in_transaction(self) -> bool:
        """True while a transaction is open on this connection."""
        return self.conn.in_transaction

    @contextlib.contextmanager
    def atomic(self) -> Iterator[Database]:
        """A transaction, or a savepoint inside one; rolled back on any exception."""
        with self.translate_errors():
            if self._depth == 0:
                self.conn.execute("BEGIN IMMEDIATE")
                name = None
            else:
                name = f"sp_{next(self._savepoints)}"
                self.conn.execute(f"SAVEPOINT {name}")
        self._depth += 1
        try:
            yield self
        except BaseException:
            self._depth -= 1
            if name is None:
                if self.conn.in_transaction:
                    self.conn.execute("ROLLBACK")
            else:
                self.conn.execute(f"ROLLBACK TO {name}")
                self.conn.execute(f"RELEASE {name}")
            raise
        self._depth -= 1
        with self.translate_errors():
            if name is None:
                self.conn.execute("COMMIT")
            else:
                self.conn.execute(f"RELEASE {name}")

    # -- capabilities and lifecycle ---------------------------------------------
    def has_fts5(self) -> bool:
        """True when the linked SQLite has the FTS5 extension."""
        return bool(self.scalar("SELECT sqlite_compileoption_used('ENABLE_FTS5')"))

    def table_names(self) -> list[str]:
        """Names of the tables in the database (virtual and shadow tables included)."""
        rows = self.query("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")
        return [row["name"] for row in rows]

    def checkpoint(self, mode: str = "PASSIVE") -> None:
        """Run a WAL checkpoint (PASSIVE never waits for readers or writers)."""
        if mode not in {"PASSIVE", "FULL", "RESTART", "TRUNCATE"}:
            raise ValueError(f"unknown checkpoint mode {mode}")
        self.execute(f"PRAGMA wal_checkpoint({mode})")

    def close(self) -> None:
        """Close the connection; after writes, let SQLite refresh its statistics first.

        ``PRAGMA optimize`` costs 7-40 ms even when it finds nothing to do (measured at
        10k-100k games), so a connection that changed nothing skips it.
        """
        with contextlib.suppress(sqlite3.Error):
            if not self.read_only and self.conn.total_changes:
                self.conn.execute("PRAGMA optimize")
        self.conn.close()

    def __enter__(self) -> Database:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def file_size_or_zero(path: Path) -> int:
    """Size of ``path`` in bytes, 0 when absent."""
    try:
        return os.stat(path).st_size
    except OSError:
        return 0
