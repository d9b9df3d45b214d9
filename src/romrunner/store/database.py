"""The one ``Database`` object: connection policy, transactions, tracing, error translation.

All SQL of the engine runs through this object, so the SQLite binding is a one-module choice.
"""

from __future__ import annotations

import contextlib
import itertools
import os
import re
import sqlite3
import stat
import struct
import sys
from collections.abc import Callable, Iterable, Iterator, Sequence
from pathlib import Path
from typing import Any
from urllib.parse import quote

from romrunner.errors import (
    CorruptDatabaseError,
    DatabaseBusyError,
    DatabaseError,
    DatabaseReplacedError,
    DiskFullError,
    DiskIOError,
    ReadOnlyVolumeError,
)
from romrunner.hashbin import sql_unhex
from romrunner.library.tags import name_title
from romrunner.store.lock import hold_off_writers, let_writers_in, writer_lock_is_held
from romrunner.textnorm import fold
from romrunner.words import shell_word, size_text

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


def row_id(text: str) -> int | None:
    """``text`` as a row id when it is one SQLite can hold (ASCII digits under 2**63), else
    None: "²" is a digit to ``str.isdigit`` that ``int`` refuses, and a number beyond 64 bits
    fails inside a query (review 26 R3, QA49 F10)."""
    text = text.strip()
    if not (text.isascii() and text.isdigit()):
        return None
    number = int(text)
    return number if number < 2 ** 63 else None


def missing_folders(folder: Path) -> list[Path]:
    """``folder`` and its ancestors that do not exist yet, outermost first."""
    missing: list[Path] = []
    while not folder.exists() and folder != folder.parent:
        missing.append(folder)
        folder = folder.parent
    return missing[::-1]


def check_is_sqlite_file(path: Path) -> None:
    """Raise a one-line error when ``path`` exists but is not a SQLite database file.

    Only a regular file is ever opened (a FIFO or a device would block or never end), and it
    is opened non-blocking so a file swapped for a FIFO after the check cannot hang either.
    """
    try:
        info = os.stat(path)
    except FileNotFoundError:
        return
    except OSError as exc:
        raise DatabaseError(f"{path}: cannot be read ({exc.strerror})") from exc
    _require_regular(path, info.st_mode)
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK)
    except OSError as exc:
        raise DatabaseError(f"{path}: cannot be read ({exc.strerror})") from exc
    try:
        _require_regular(path, os.fstat(fd).st_mode)
        head = os.read(fd, len(SQLITE_MAGIC))
    except OSError as exc:
        raise DatabaseError(f"{path}: cannot be read ({exc.strerror})") from exc
    finally:
        os.close(fd)
    if head and head != SQLITE_MAGIC:
        raise NotSQLiteError(
            f"{path}: not a SQLite database (if it was ROM Runner's, its start is damaged: "
            "`romrunner db restore BACKUP --force` keeps a copy of it as it is and puts the "
            "backup back)")


class NotSQLiteError(DatabaseError):
    """A file where the database should be that is not a SQLite database (see
    :func:`check_is_sqlite_file`): a database whose first bytes were zeroed by a crash, or
    another file the path names."""


def _require_regular(path: Path, mode: int) -> None:
    if stat.S_ISREG(mode):
        return
    if stat.S_ISDIR(mode):
        raise DatabaseError(f"{path}: is a directory, not a database file")
    kind = "a FIFO" if stat.S_ISFIFO(mode) else "a device" if (
        stat.S_ISCHR(mode) or stat.S_ISBLK(mode)) else "a socket" if stat.S_ISSOCK(mode) \
        else "not a regular file"
    raise DatabaseError(f"{path}: is {kind}, not a database file")


def on_read_only_volume(path: Path) -> bool:
    """True when ``path`` (or the folder it would be created in) is on a read-only mount."""
    probe = path if path.exists() else path.parent
    while not probe.exists() and probe != probe.parent:
        probe = probe.parent
    try:
        return bool(os.statvfs(probe).f_flag & os.ST_RDONLY)
    except OSError:
        return False


# Space left on a volume below which a disk I/O error is taken for the disk being full (QA32
# F2: SQLite cannot create the 32 KiB -shm beside a database, and says "disk I/O error").
_NEARLY_FULL_BYTES = 1 << 20


def _nearly_full(path: Path) -> bool:
    """True when the volume of ``path`` has less than ``_NEARLY_FULL_BYTES`` free."""
    try:
        info = os.statvfs(path if path.exists() else path.parent)
    except OSError:
        return False
    return info.f_bavail * info.f_frsize < _NEARLY_FULL_BYTES


# The most files one step of ours makes at once in a folder (a backup's temporary file with
# its journal, WAL and shared memory, beside the database's own): fewer free inodes than
# this and a file that could not be made there was for want of one
_FILES_A_STEP_MAKES = 8


def free_inodes_too_few(folder: Path, files: int = _FILES_A_STEP_MAKES) -> int | None:
    """How many inodes the volume of ``folder`` has free, when fewer than the ``files`` a
    step makes (None otherwise, or where the volume has no fixed count of them: btrfs,
    many network file systems say 0 of 0). Out of inodes, no new file can be made there
    though bytes are free (p47a F4: said as a full disk "needing N KiB", or as a backup
    that could not be read)."""
    try:
        info = os.statvfs(folder)
    except OSError:
        return None
    if info.f_files == 0:
        return None
    free = info.f_ffree if os.geteuid() == 0 else info.f_favail
    return free if free < files else None


def no_room_for_files(folder: Path, *, files: int = _FILES_A_STEP_MAKES,
                      needs: int = 0) -> str | None:
    """Words saying the volume of ``folder`` has no room for a new file — fewer free inodes
    than the ``files`` the step makes — when so (see :func:`free_inodes_too_few`), else None;
    None too where fewer bytes than it ``needs`` are free: then the bytes are short, whatever
    the inodes (review47d F1: a disk short of bytes with 6 inodes free was said short of
    inodes)."""
    free = free_inodes_too_few(folder, files)
    if free is None:
        return None
    try:
        info = os.statvfs(folder)
    except OSError:
        space = ""
    else:
        if info.f_bavail * info.f_frsize < needs:
            return None
        space = f", though {size_text(info.f_bavail * info.f_frsize)} of space is free"
    inodes = ("no free inodes left" if free == 0 else
              f"too few free inodes ({free} left, fewer than the files it makes)")
    return f"the disk has no room for a new file in {folder}: it has {inodes}{space}"


_CORRUPT = ("malformed", "corrupt", "not a database", "file is encrypted")


def _is_corruption(exc: sqlite3.Error) -> bool:
    """True when SQLite's error says the file (or a part of it) is damaged."""
    lowered = str(exc).lower()
    return any(marker in lowered for marker in _CORRUPT)


def has_search_table(conn: sqlite3.Connection) -> bool:
    """Whether the database has the search index's FTS5 table (optional: an SQLite without
    FTS5 makes none)."""
    return conn.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' "
                        "AND name = 'games_fts'").fetchone() is not None


# The schema version from which the search index has its titles as they read too
# (``games_fts_reading``, migration 0032).
READING_INDEX_VERSION = 32


def missing_search_tables(conn: sqlite3.Connection, version: int) -> list[str]:
    """The search index's FTS5 tables that the database, at schema ``version``, lacks and
    should have: dropped by hand, or a migration run by an SQLite without FTS5 on a file
    that had the index — writes then fail on the triggers left on ``games``, phrase searches
    on the table (review38b F2: `db check` said ok). The index is optional (an SQLite without
    FTS5 makes none): it is expected where the linked SQLite has FTS5 and the file shows it
    had one (one of its tables or triggers)."""
    if not conn.execute("SELECT sqlite_compileoption_used('ENABLE_FTS5')").fetchone()[0]:
        return []
    names = {str(name) for (name,) in conn.execute(
        "SELECT name FROM sqlite_master WHERE type IN ('table', 'trigger') "
        "AND name LIKE 'games\\_fts%' ESCAPE '\\'")}
    if not names:
        return []
    wanted = ["games_fts", *(["games_fts_reading"] if version >= READING_INDEX_VERSION
                             else [])]
    return [name for name in wanted if name not in names]


def search_index_damage(conn: sqlite3.Connection) -> str | None:
    """SQLite's error reading every entry of the search index (FTS5's ``games_fts``), or
    None when it reads whole or there is none. ``PRAGMA integrity_check`` does not look
    inside it, and FTS5's own 'integrity-check' is a write, refused on a read-only
    connection: its entries are walked through an ``fts5vocab`` table in the connection's
    own temporary schema, so the database file is not written to."""
    try:
        if not has_search_table(conn):
            return None
        tables = [name for (name,) in conn.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' "
            "AND name IN ('games_fts', 'games_fts_reading') ORDER BY name")]
    except sqlite3.Error:
        return None
    for table in tables:  # (the titles as they read too, schema 32)
        try:
            conn.execute("CREATE VIRTUAL TABLE IF NOT EXISTS temp.rr_search_walk "
                         f"USING fts5vocab(main, {table}, 'instance')")
            try:
                conn.execute("SELECT count(*) FROM temp.rr_search_walk").fetchone()
            finally:
                conn.execute("DROP TABLE IF EXISTS temp.rr_search_walk")
        except sqlite3.Error as exc:
            return str(exc) if _is_corruption(exc) and _pages_whole(conn, f"{table}_data") \
                else None
    return None


def _pages_whole(conn: sqlite3.Connection, table: str) -> bool:
    """True when SQLite's quick check finds the pages of ``table`` whole: damage inside the
    search index's own blocks is rebuilt by `db repair`; a damaged page is not (the file's
    damage, said as such)."""
    try:
        found = [str(row[0]) for row in conn.execute(f"PRAGMA quick_check({table})")]
    except sqlite3.Error:
        return False
    return found == ["ok"]


def search_index_error(path: Path | str, cause: str) -> CorruptDatabaseError:
    """The error of a command that met a damaged search index: derived from the games, it
    is rebuilt losing nothing (a backup restored would lose the changes made since)."""
    return CorruptDatabaseError(
        f"{path}: the search index is damaged ({cause}); `romrunner db repair` rebuilds it "
        "from the games, losing nothing")


def describe_sqlite_error(path: Path | str, exc: sqlite3.Error) -> str:
    """Turn a SQLite error into a one-line message that names the database file."""
    return str(sqlite_error(path, exc))


def sqlite_error(path: Path | str, exc: sqlite3.Error) -> DatabaseError:
    """The :class:`DatabaseError` (of the fitting kind) a SQLite error means for ``path``."""
    text = str(exc)
    lowered = text.lower()
    # (SQLITE_PROTOCOL, "locking protocol": a WAL lock race another connection's work
    # causes, as transient as a busy one: QA148 F1 printed it raw)
    if "locked" in lowered or "busy" in lowered or "locking protocol" in lowered:
        return DatabaseBusyError(
            f"{path}: database is locked by another writer; try again when it has finished")
    if "readonly" in lowered or "read-only" in lowered:
        if on_read_only_volume(Path(path)):
            return ReadOnlyVolumeError(
                f"{path}: the volume is read-only; commands that write cannot run here")
        if not folder_is_writable(Path(path)):  # (QA83 F2: said as if it wrote)
            return ReadOnlyVolumeError(not_writable_folder(Path(path)))
        for file in (Path(path), Path(f"{path}-wal"), Path(f"{path}-shm")):
            if file_flags_refuse_writes(file):  # (no permissions to check: p47a F8)
                why, fix = not_writable_file(file)
                return ReadOnlyVolumeError(f"{file}: {why}: {fix}")
        return ReadOnlyVolumeError(
            f"{path}: database is read-only; check the file and folder permissions")
    full = _disk_full(path, text)
    if full is not None:
        return DiskFullError(f"{path}: the disk is full ({full}); nothing of the failed step "
                             "was saved; free some space and run the command again")
    if "disk i/o error" in lowered:
        # (QA83 F1: a write refused by a disk quota or a file size limit — SQLite says
        # "disk I/O error" for every failed write but a full disk — was "corrupt, restore a
        # backup", which loses the work since; a damaged file says "malformed")
        return DiskIOError(
            f"{path}: the database file could not be read or written ({text}: a disk quota "
            "or file size limit reached, a share gone away, a failing disk?); nothing of the "
            "failed step was saved; `romrunner db check` says whether the file is sound")
    if any(marker in lowered for marker in _CORRUPT):
        return CorruptDatabaseError(
            f"{path}: database is corrupt or unreadable ({text}); "
            "run `romrunner db check`, restore a backup (`romrunner db restore BACKUP`)")
    if re.search(r"no such table: (main\.)?games_fts", lowered):
        # (a search index dropped by hand, or an upgrade run by an SQLite without FTS5: its
        # triggers on games fail every title write — review38b F2's last part)
        return CorruptDatabaseError(
            f"{path}: the search index of titles is missing ({text}); "
            "`romrunner db repair` makes it again")
    if "unable to open" in lowered:
        if not folder_is_writable(Path(path)):  # (QA157 F16: no reason, no way forward)
            return ReadOnlyVolumeError(not_writable_folder(Path(path)))
        # (a journal, or a WAL and its shared memory: two files — review47d F2)
        room = None if str(path) == ":memory:" else no_room_for_files(Path(path).parent,
                                                                       files=2)
        if room is not None:  # (SQLite could not make its journal, WAL or file there)
            return DiskFullError(f"{path}: {room}; nothing of the failed step was saved; "
                                 "remove some files there and run the command again")
        return DatabaseError(f"{path}: cannot open the database file")
    return DatabaseError(f"{path}: {text}")


def _disk_full(path: Path | str, text: str) -> str | None:
    """What SQLite's error ``text`` on ``path`` said, when it means the disk is full (None
    otherwise): said so, or a disk I/O error on a volume nearly full."""
    lowered = text.lower()
    if "disk is full" in lowered or "disk full" in lowered:
        return text
    if "disk i/o error" in lowered and _nearly_full(Path(path)):
        return f"{text}: SQLite could not make its working files beside the database"
    return None


def read_error(path: Path | str, exc: sqlite3.Error) -> DatabaseError:
    """:func:`sqlite_error` for a connection that only reads: a full disk there had nothing
    of the command's to save, and when a writer runs now (no read of the file as it is while
    one writes: see ``_hold_off_writers_if_full``) waiting for it is the way (review45d F3:
    both were said as a write's, "nothing of the failed step was saved; free some space")."""
    full = _disk_full(path, str(exc))
    if full is None:
        return sqlite_error(path, exc)
    if str(path) != ":memory:" and writer_lock_is_held(Path(path)):
        return DiskFullError(
            f"{path}: the disk is full ({full}) and another romrunner command is writing to "
            "it; nothing was changed; wait for that command to finish and run this one again "
            "(free some space if it still fails)")
    return DiskFullError(f"{path}: the disk is full ({full}), so the database cannot be read; "
                         "nothing was changed; free some space and run the command again")


class Database:
    """A connection to the ROM Runner SQLite file with the engine's policy applied.

    The connection runs in autocommit mode; every write goes through :meth:`atomic`, which
    opens a transaction (or a savepoint when nested) and rolls back on any exception,
    ``KeyboardInterrupt`` included.
    """

    def __init__(self, path: Path | str, *, read_only: bool = False,
                 busy_timeout_ms: int | None = None) -> None:
        memory = str(path) == ":memory:"
        self.path = Path(":memory:") if memory else Path(path)
        self.read_only = read_only
        self.busy_timeout_ms = busy_timeout_ms if busy_timeout_ms is not None else \
            int(os.environ.get("ROMRUNNER_BUSY_TIMEOUT_MS", BUSY_TIMEOUT_MS))
        self._tracer: Tracer | None = None
        self._depth = 0
        self._savepoints = itertools.count(1)
        self._identity: tuple[int, int] | None = None
        self._wal_identity: tuple[int, int] | None = None  # our WAL file (see close)
        self._on_close: list[Callable[[], None]] = []
        self._undone = 0  # rows changed by transactions this connection rolled back
        self._committed = False  # the last COMMIT of atomic() went through (see _commit)
        self._commits = 0  # see commits
        self._begun_at = 0
        self._first_write: list[Callable[[Database], None]] = []  # see on_first_write
        self._running: list[Callable[[Database], None]] = []  # those run in the open one
        self._writers_held_off: int | None = None  # see _hold_off_writers_if_full
        if not memory:
            check_is_sqlite_file(self.path)
        try:
            if read_only:
                self._writers_held_off = None if memory else _hold_off_writers_if_full(self.path)
                self.conn = sqlite3.connect(
                    read_only_uri(self.path, writers_held_off=self._writers_held_off is not None),
                    uri=True, isolation_level=None, check_same_thread=False)
            else:
                self.conn = sqlite3.connect(str(path), isolation_level=None,
                                            check_same_thread=False)
            self.conn.row_factory = sqlite3.Row
            self._apply_policy()
        except sqlite3.Error as exc:
            self._close_unowned()
            raise self._error(exc) from exc
        except BaseException:  # (a Ctrl-C while opening: the -wal/-shm left, QA62 F2)
            self._close_unowned()
            raise
        if not memory:
            self._identity = _identity_of(self.path)

    def _close_unowned(self) -> None:
        """Close the connection a failed ``__init__`` opened (no one else can): SQLite then
        checkpoints and removes the WAL and shared-memory files it made."""
        conn = getattr(self, "conn", None)
        if conn is not None:
            with contextlib.suppress(sqlite3.Error):
                conn.close()
        self._let_writers_in()

    def _let_writers_in(self) -> None:
        """Drop the shared lock that kept writers off a read of the file as it is."""
        fd, self._writers_held_off = self._writers_held_off, None
        if fd is not None:
            let_writers_in(fd)

    def _apply_policy(self) -> None:
        conn = self.conn
        conn.execute(f"PRAGMA busy_timeout = {int(self.busy_timeout_ms)}")
        for pragma in (() if self.read_only else WRITER_PRAGMAS) + SHARED_PRAGMAS:
            conn.execute(pragma)
        conn.create_function("rr_fold", 1, fold, deterministic=True)
        conn.create_function("rr_title", 1, name_title, deterministic=True)
        conn.create_function("rr_unhex", 1, sql_unhex, deterministic=True)

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
            if _is_corruption(exc):  # (the search index's damage is rebuilt, not restored)
                damage = self._search_index_damage_on_disk()
                if damage is not None:
                    raise search_index_error(self.path, damage) from exc
            raise self._error(exc) from exc

    def _error(self, exc: sqlite3.Error) -> DatabaseError:
        """The one-line error ``exc`` means for this connection: a reading one's, or not."""
        return read_error(self.path, exc) if self.read_only else sqlite_error(self.path, exc)

    def _search_index_damage_on_disk(self) -> str | None:
        """:func:`search_index_damage` of the file as committed, read on a connection of its
        own: this one may be inside the transaction that just failed, where the index read
        as damaged though the damage was elsewhere (qa198 F1: a damaged page of the DATs'
        data was said to be the search index's, and `db repair` mended nothing)."""
        try:
            fresh = sqlite3.connect(read_only_uri(self.path), uri=True)
        except (sqlite3.Error, OSError, ValueError):
            return search_index_damage(self.conn)
        try:
            return search_index_damage(fresh)
        finally:
            fresh.close()

    def _check_transaction(self) -> None:
        # A trigger's RAISE(ROLLBACK) ends the whole transaction, savepoints included; a
        # statement run after that would commit on its own, outside the work it belongs to.
        if self._depth and not self.conn.in_transaction:
            raise DatabaseError(
                f"{self.path}: the transaction was rolled back by an earlier error in this "
                "command; nothing of it was saved")

    # -- statements --------------------------------------------------------------
    def execute(self, sql: str, params: Params = ()) -> sqlite3.Cursor:
        """Run one parameterised statement."""
        self._check_transaction()
        with self.translate_errors():
            return self.conn.execute(sql, params)

    def executemany(self, sql: str, rows: Iterable[Params]) -> sqlite3.Cursor:
        """Run one parameterised statement for each row."""
        self._check_transaction()
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
        """A transaction, or a savepoint inside one; rolled back on any exception.

        Whatever fails (the block, a trigger's ``RAISE(ROLLBACK)``, the ``COMMIT`` itself on a
        full disk), the connection is left outside any transaction it opened, so the next
        ``atomic()`` starts clean, and the error that caused it is the one raised.
        """
        self._check_transaction()
        name = None if self._depth == 0 else f"sp_{next(self._savepoints)}"
        with self.translate_errors():
            self.conn.execute("BEGIN IMMEDIATE" if name is None else f"SAVEPOINT {name}")
        if name is None:
            self._begun_at = self.conn.total_changes
        self._depth += 1
        try:
            yield self
            if name is None and self._first_write \
                    and self.conn.total_changes != self._begun_at:
                self._running, self._first_write = self._first_write, []
                for callback in self._running:
                    callback(self)
        except BaseException:
            self._depth -= 1
            self._roll_back(name)
            if name is None:
                self._undone += self.conn.total_changes - self._begun_at
                self._first_write, self._running = [*self._running, *self._first_write], []
            raise
        self._depth -= 1
        if name is None:
            self._committed = False
            try:
                self._commit()
            except BaseException:
                if not self._committed:  # (an interrupt after COMMIT: its rows are kept)
                    self._undone += self.conn.total_changes - self._begun_at
                    self._first_write, self._running = [*self._running, *self._first_write], []
                raise
            finally:
                if self._committed:
                    self._running = []
        else:
            self._release(name)

    def on_first_write(self, callback: Callable[[Database], None]) -> None:
        """Run ``callback`` at the end of the first transaction of :meth:`atomic` that changes
        rows, before it commits, as part of it: its changes commit with that transaction's,
        or roll back with them (then it runs in the next one that changes rows)."""
        self._first_write.append(callback)

    def run_first_write_in(self, begun_at: int) -> Callable[[bool], None]:
        """Run the callbacks :meth:`on_first_write` queued inside a transaction the caller
        began on the connection itself (a migration's, see ``migrate._apply``), as part of
        it, before its COMMIT; ``begun_at``: ``total_changes`` when it began. Returns what
        the caller calls once that transaction ends, True when it committed: rolled back,
        the callbacks run again with the next transaction that changes rows, and the rows it
        changed count as undone (:attr:`committed_changes`, and ``close`` refreshes no
        statistics of a file that was left as it was)."""
        running, self._first_write = self._first_write, []
        try:
            for callback in running:
                callback(self)
        except BaseException:
            self._first_write = [*running, *self._first_write]
            raise

        def ended(committed: bool) -> None:
            if not committed:
                self._first_write = [*running, *self._first_write]
                self._undone += self.conn.total_changes - begun_at
        return ended

    def rolled_back_since(self, begun_at: int) -> None:
        """Count the rows changed since ``begun_at`` (``total_changes`` then) as undone: a
        transaction the caller ran on the connection itself was rolled back."""
        self._undone += self.conn.total_changes - begun_at

    @contextlib.contextmanager
    def bookkeeping(self) -> Iterator[Database]:
        """A transaction of bookkeeping only (a rules version recorded for a library with
        nothing to decide again): committed like any other, but not counted in
        :attr:`committed_changes`, so a command interrupted after it says it changed nothing
        (QA24 N6). Inside another transaction (`demo`: one) its rows are that one's work,
        counted as it is."""
        outer = self._depth > 0
        before = self.conn.total_changes
        with self.atomic():
            yield self
        if not outer:
            self._undone += self.conn.total_changes - before

    @property
    def commits(self) -> int:
        """How many transactions of :meth:`atomic` this connection committed, one that a
        Ctrl-C interrupted as its ``COMMIT`` returned included (its work is kept)."""
        return self._commits

    @property
    def committed_changes(self) -> int:
        """Rows this connection has changed and not rolled back (statements outside
        :meth:`atomic` commit on their own; a savepoint rolled back inside a committed
        transaction still counts: its rows are a small overestimate, never an underestimate)."""
        return self.conn.total_changes - self._undone

    def _roll_back(self, name: str | None) -> None:
        """Undo the transaction or savepoint ``name``; never hides the error being handled."""
        if not self.conn.in_transaction:
            return  # already ended by SQLite (RAISE(ROLLBACK), some I/O errors)
        try:
            if name is None or self._depth == 0:
                self.conn.execute("ROLLBACK")
            else:
                self.conn.execute(f"ROLLBACK TO {name}")
                self.conn.execute(f"RELEASE {name}")
        except sqlite3.Error:
            self._abandon()

    def _abandon(self) -> None:
        """Leave whatever transaction is open, ignoring further errors."""
        with contextlib.suppress(sqlite3.Error):
            if self.conn.in_transaction:
                self.conn.execute("ROLLBACK")

    def _commit(self) -> None:
        if not self.conn.in_transaction:
            raise DatabaseError(
                f"{self.path}: the transaction was rolled back by an earlier error in this "
                "command; nothing of it was saved")
        try:
            self.verify_same_file()
            with self.translate_errors():
                self.conn.execute("COMMIT")
            if self._wal_identity is None and self._identity is not None:
                self._wal_identity = _identity_of(Path(f"{self.path}-wal"))
            self._commits += 1  # (first: an interrupt between the two counts it once more,
            self._committed = True  # harmless; the other way round it would count it never)
        except KeyboardInterrupt:
            # Ctrl-C is raised between bytecodes, never inside SQLite's COMMIT: the
            # transaction still open means it came first; ended, that COMMIT went through
            # and its work is kept (QA32 F1: "nothing was changed" was said of committed
            # work; review 18 R7: a signal mask holds nothing back with other threads alive)
            if not self.conn.in_transaction and not self._committed:
                self._committed = True
                self._commits += 1
            self._abandon()
            raise
        except BaseException:
            self._abandon()
            raise

    def _release(self, name: str) -> None:
        if not self.conn.in_transaction:
            raise DatabaseError(
                f"{self.path}: the transaction was rolled back by an earlier error in this "
                "command; nothing of it was saved")
        try:
            with self.translate_errors():
                self.conn.execute(f"RELEASE {name}")
        except BaseException:
            self._roll_back(name)
            raise

    def verify_same_file(self) -> None:
        """Raise when the database file was deleted or replaced since it was opened.

        Writing on would go into an unlinked file that no later command can see.
        """
        if self._identity is None:
            return
        current = _identity_of(self.path)
        if current != self._identity:
            what = "deleted" if current is None else "replaced by another file"
            raise DatabaseReplacedError(
                f"{self.path}: the database file was {what} while this command ran; "
                "its last changes were not saved (check what removed it; "
                "`romrunner db restore BACKUP` puts a backup back)")

    # -- capabilities and lifecycle ---------------------------------------------
    def has_fts5(self) -> bool:
        """True when the linked SQLite has the FTS5 extension."""
        return bool(self.scalar("SELECT sqlite_compileoption_used('ENABLE_FTS5')"))

    def table_names(self) -> list[str]:
        """Names of the tables in the database (virtual and shadow tables included)."""
        rows = self.query("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")
        return [row["name"] for row in rows]

    def checkpoint(self, mode: str = "PASSIVE") -> bool:
        """Run a WAL checkpoint (PASSIVE never waits for readers or writers); True when it
        could not finish (another connection reading or writing held it back)."""
        if mode not in {"PASSIVE", "FULL", "RESTART", "TRUNCATE"}:
            raise ValueError(f"unknown checkpoint mode {mode}")
        row = self.query_one(f"PRAGMA wal_checkpoint({mode})")
        return row is not None and (bool(row[0]) or (row[1] >= 0 and row[2] < row[1]))

    def close(self) -> None:
        """Close the connection; after writes, let SQLite refresh its statistics first.

        ``PRAGMA optimize`` costs 7-40 ms even when it finds nothing to do (measured at
        10k-100k games), so a connection that changed nothing skips it.
        """
        try:
            with contextlib.suppress(sqlite3.Error):
                if not self.read_only and self.committed_changes > 0:
                    self.conn.execute("PRAGMA optimize")
            self.conn.close()
            self._leave_no_wal_on_a_replacement()
        finally:
            self._let_writers_in()
            callbacks, self._on_close = self._on_close, []
            for callback in callbacks:
                callback()

    def _leave_no_wal_on_a_replacement(self) -> None:
        """After the database file was replaced while this connection wrote (QA42 F4), the
        WAL beside the new file is still this connection's, with pages of the old database:
        the next command would read the new file through it and find it malformed. Removed
        (with its index) when it is still the very file this connection wrote."""
        if self._identity is None or self._wal_identity is None \
                or _identity_of(self.path) in (self._identity, None):
            return
        wal = Path(f"{self.path}-wal")
        if _identity_of(wal) == self._wal_identity:
            for side in (wal, Path(f"{self.path}-shm")):
                with contextlib.suppress(OSError):
                    side.unlink()

    def close_connection(self) -> None:
        """Close the SQLite connection only: what :meth:`close` runs after it (the writer
        lock's release) waits for :meth:`close`, so files can be removed while it holds."""
        self.conn.close()

    def call_on_close(self, callback: Callable[[], None]) -> None:
        """Run ``callback`` once the connection is closed (e.g. to release a writer lock)."""
        self._on_close.append(callback)

    def __enter__(self) -> Database:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def read_only_uri(path: Path, *, writers_held_off: bool = False) -> str:
    """The URI that opens ``path`` read-only; ``immutable`` where SQLite could not create
    the WAL index a read-only WAL connection needs otherwise (see :func:`_read_as_is`).
    ``writers_held_off``: the caller holds writers off (see :func:`_hold_off_writers_if_full`)."""
    uri = "file:" + quote(str(path.absolute())) + "?mode=ro"
    if _read_as_is(path, writers_held_off):
        uri += "&immutable=1"
    return uri


def _read_as_is(path: Path, writers_held_off: bool = False) -> bool:
    """True when the database at ``path`` is read as its file holds it, without SQLite's
    side files: on a read-only volume (nobody can write there), or in a folder this user
    may not write (QA157 F16: every reading command failed "cannot open the database
    file"), where SQLite cannot make its ``-shm``. Never when a ``-wal`` holds pages the
    file lacks yet, nor in such a folder when a writer (its owner's) has its ``-wal`` and
    ``-shm`` there: read through them, as SQLite then can. On a volume too full for the
    ``-shm`` when the caller holds writers off (``writers_held_off``)."""
    wal, shm = Path(f"{path}-wal"), Path(f"{path}-shm")
    if file_size_or_zero(wal):
        return False
    if on_read_only_volume(path) or writers_held_off:
        return True
    return not folder_is_writable(path) and not (wal.exists() and shm.exists())


# SQLite's -shm (the WAL index) of a database whose WAL is empty: its first 32 KiB block
_WAL_INDEX_BYTES = 32 * 1024


def _hold_off_writers_if_full(path: Path) -> int | None:
    """On a volume too full for SQLite to make the ``-shm`` a read needs, no full-sized one
    there and an empty WAL (qa198 F2: on a full disk every reading command failed, `db
    backup` to another disk too): a shared hold on the writer lock (see
    :func:`~romrunner.store.lock.hold_off_writers`), so the file can be read as it is — no
    writer starts meanwhile, not even once space is freed. None otherwise, or when a writer
    runs now (the read then fails as before: the disk is full)."""
    shm = Path(f"{path}-shm")
    if file_size_or_zero(Path(f"{path}-wal")) or file_size_or_zero(shm) >= _WAL_INDEX_BYTES:
        return None
    try:
        volume = os.statvfs(path.parent)
    except OSError:
        return None
    # (root may write into the blocks kept for it: what it can make counts, f_bfree)
    free = volume.f_bfree if os.geteuid() == 0 else volume.f_bavail
    if free * volume.f_frsize >= 2 * _WAL_INDEX_BYTES:
        return None
    return hold_off_writers(path)


def folder_is_writable(path: Path) -> bool:
    """True when this user may create files in the folder of ``path`` (the database's
    ``-wal``, ``-shm`` and ``.lock``); a folder not there yet: True (made when needed)."""
    folder = path.parent
    return not folder.is_dir() or os.access(folder, os.W_OK | os.X_OK)


def not_writable_folder(path: Path, *, reading_works: bool = True) -> str:
    """What to say of a database at ``path`` whose folder this user may not write: why (an
    immutable folder is not a matter of permissions), and what does work. ``reading_works``:
    commands that only read can read the database as it is (not when it must be upgraded
    first, which writes)."""
    folder = path.parent
    wal, shm = Path(f"{path}-wal"), Path(f"{path}-shm")
    said = f"{folder}: the database's folder is not writable ({_why_not_writable(folder)})"
    if not path.is_file() or file_size_or_zero(path) == 0:
        return (f"{said}: ROM Runner makes the database, its -wal, -shm and .lock files "
                f"there; {_make_writable(folder)}, or give --db (or ROMRUNNER_DB) a file in a "
                "folder that is")
    if file_size_or_zero(wal) and not shm.exists():
        return (f"{said}, and the database's write-ahead log ({wal.name}) holds changes not "
                "yet in its file: reading them needs SQLite's shared-memory file "
                f"({shm.name}), which it cannot make there, so no command can read it; "
                f"{_make_writable(folder)} (the next command takes the changes in), or copy "
                f"the database together with its {wal.name} to a folder that is")
    works = ("commands that only read still work" if reading_works else
             "commands that only read need `romrunner db migrate` first, which writes there")
    return (f"{said}: ROM Runner keeps its -wal, -shm and .lock files beside the database; "
            f"{_make_writable(folder)}, or copy the database to a folder that is ({works})")


def _make_writable(folder: Path) -> str:
    """How to make ``folder`` writable again, by why it is not."""
    if folder_is_immutable(folder):
        return f"clear its immutable flag ({clear_immutable_command(folder)})"
    return "make the folder writable for this user"


_BSD_PLATFORMS = ("darwin", "freebsd", "openbsd", "netbsd", "dragonfly")


def clear_immutable_command(folder: Path, platform: str | None = None,
                            flags: int | None = None) -> str:
    """The command that clears ``folder``'s immutable flag on ``platform`` (default
    ``sys.platform``), as advice: Linux's ``chattr -i``, as root; macOS's and the BSDs'
    ``chflags nouchg`` for the user flag and ``chflags noschg``, as root, for the system one
    (``flags``: the folder's ``st_flags``, read when not given; both when unknown)."""
    platform = sys.platform if platform is None else platform
    word = shell_word(folder)
    if not platform.startswith(_BSD_PLATFORMS):
        return f"`chattr -i {word}`, as root"
    if flags is None:
        try:
            flags = getattr(os.stat(folder), "st_flags", None)
        except OSError:
            flags = None
    user = flags is None or bool(flags & stat.UF_IMMUTABLE)
    system = flags is None or bool(flags & stat.SF_IMMUTABLE)
    commands = ([f"`chflags nouchg {word}`"] if user or not system else []) \
        + ([f"`chflags noschg {word}`, as root"] if system else [])
    return " and ".join(commands)


def _why_not_writable(folder: Path) -> str:
    """Why this user may not write in ``folder``, as the system says it."""
    return ("operation not permitted: the folder is immutable" if folder_is_immutable(folder)
            else "permission denied")


_FS_IOC_GETFLAGS = 0x80086601  # (Linux: the inode flags `lsattr` shows)
_FS_IMMUTABLE_FL = 0x10
_FS_APPEND_FL = 0x20


def folder_is_immutable(folder: Path) -> bool:
    """True when ``folder`` carries the immutable flag (Linux ``chattr +i``, BSD/macOS
    ``chflags uchg``/``schg``), which no permission or owner change lifts (a file too)."""
    try:
        info = os.stat(folder)
    except OSError:
        return False
    flags = getattr(info, "st_flags", None)
    if flags is not None:
        return bool(flags & (stat.UF_IMMUTABLE | stat.SF_IMMUTABLE))
    return bool(_linux_inode_flags(folder) & _FS_IMMUTABLE_FL)


def file_flags_refuse_writes(path: Path) -> bool:
    """True when a flag of the file at ``path`` refuses writes in place whatever its mode:
    immutable, or append-only (which ``os.access`` does not see)."""
    return folder_is_immutable(path) or _file_is_append_only(path)


def _file_is_append_only(path: Path) -> bool:
    """True when the file at ``path`` may only be appended to (Linux ``chattr +a``, BSD/macOS
    ``chflags uappnd``/``sappnd``): SQLite's writes in place are refused (EPERM)."""
    try:
        info = os.stat(path)
    except OSError:
        return False
    flags = getattr(info, "st_flags", None)
    if flags is not None:
        return bool(flags & (stat.UF_APPEND | stat.SF_APPEND))
    return bool(_linux_inode_flags(path) & _FS_APPEND_FL)


def _linux_inode_flags(path: Path) -> int:
    """The inode flags of ``path`` on Linux (0 elsewhere, or where they cannot be read).

    A file's are read by statx(2), which opens nothing: a descriptor of the database file
    opened and closed here would drop the POSIX locks SQLite holds on it in this process (a
    connection may be open when an error is described). A folder's, where statx is not
    there, by the ioctl (no lock is held on a folder)."""
    if not sys.platform.startswith("linux"):
        return 0
    attributes = _statx_attributes(path)
    if attributes is not None:
        return attributes
    if not path.is_dir():
        return 0
    try:
        handle = os.open(path, os.O_RDONLY | os.O_DIRECTORY)
    except OSError:
        return 0
    try:
        import fcntl  # (POSIX only)
        got = fcntl.ioctl(handle, _FS_IOC_GETFLAGS, struct.pack("l", 0))
        return int(struct.unpack("l", got)[0])
    except OSError:
        return 0
    finally:
        os.close(handle)


_AT_FDCWD = -100
_STATX_BASIC_STATS = 0x7FF
# (STATX_ATTR_IMMUTABLE and STATX_ATTR_APPEND have the values of the ioctl's flags)
_STATX_FLAGS = _FS_IMMUTABLE_FL | _FS_APPEND_FL


def _statx_attributes(path: Path) -> int | None:
    """The immutable and append-only attributes statx(2) reports for ``path`` (None where
    the C library has no statx, or the call fails)."""
    try:
        import ctypes  # (a Python built without it: the ioctl, or nothing, review47d F3)

        statx = ctypes.CDLL(None, use_errno=True).statx
    except (ImportError, OSError, AttributeError):
        return None
    buffer = ctypes.create_string_buffer(256)  # (struct statx)
    if statx(_AT_FDCWD, os.fsencode(path), 0, _STATX_BASIC_STATS, buffer) != 0:
        return None
    attributes, = struct.unpack_from("=Q", buffer.raw, 8)  # stx_attributes
    supported, = struct.unpack_from("=Q", buffer.raw, 56)  # stx_attributes_mask
    if supported & _STATX_FLAGS != _STATX_FLAGS:  # (not reported there: the ioctl asks,
        return None  # review47d F4)
    return int(attributes) & _STATX_FLAGS


def not_writable_file(path: Path) -> tuple[str, str]:
    """Why this user may not write the file at ``path``, and how that is undone, as words:
    an immutable or append-only file (writes fail "operation not permitted" whatever its
    mode, and a ``chmod`` changes nothing: p47a F8, a `chattr +i` database was told to
    `chmod u+w`), one another user owns (only they or root change its mode), else its
    permissions."""
    word = shell_word(path)
    if folder_is_immutable(path):
        return ("immutable (operation not permitted, whatever its permissions)",
                f"clear its immutable flag ({clear_immutable_command(path)})")
    if _file_is_append_only(path):
        flag = ("`chflags nouappnd " if sys.platform.startswith(_BSD_PLATFORMS)
                else "`chattr -a ")
        return ("append-only (operation not permitted, whatever its permissions)",
                f"clear its append-only flag ({flag}{word}`, as root)")
    try:
        owner = os.stat(path).st_uid
    except OSError:
        owner = os.geteuid()
    if owner != os.geteuid() and os.geteuid() != 0:
        return ("read-only for this user, and owned by another",
                "ask its owner (or root) to make it writable for you")
    return "read-only for this user", f"make it writable (`chmod u+w {word}`)"


def _identity_of(path: Path) -> tuple[int, int] | None:
    try:
        info = os.stat(path)
    except OSError:
        return None
    return info.st_dev, info.st_ino


def file_size_or_zero(path: Path) -> int:
    """Size of ``path`` in bytes, 0 when absent."""
    try:
        return os.stat(path).st_size
    except OSError:
        return 0
