"""Ordered SQL migrations from an empty file to the current schema.

Each migration is a file ``NNNN_name.sql`` whose number is the ``schema_version`` it
produces. It runs in one transaction together with its ``schema_migrations`` record, so a
failed migration leaves the database exactly as it was. Header comments declare:

``-- changes_data: yes``   the migration rewrites rows (documentation: every upgrade of an
                           existing database writes a backup next to it first, since the
                           release before can no longer open the upgraded file);
``-- foreign_keys: off``   the migration rebuilds tables, so foreign keys are switched off
                           for it and ``foreign_key_check`` must be clean before it commits.

Statements between ``-- begin: fts5`` and ``-- end: fts5`` run only when the linked SQLite
has FTS5; without it the engine searches an indexed folded title instead.
"""

from __future__ import annotations

import functools
import glob
import json
import re
import shutil
import signal
import sqlite3
import threading
from collections.abc import Callable
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

from romrunner.catalog.datfile import JUDGED_FROM_READER, READER_VERSION
from romrunner.errors import DatabaseError, DiskFullError, SchemaTooNewError
from romrunner.store.backup import (
    DatabaseState,
    backup_database,
    database_state,
    is_backup_file,
    same_rows,
)
from romrunner.store.database import (
    Database,
    describe_sqlite_error,
    file_size_or_zero,
    has_search_table,
    missing_search_tables,
    sqlite_error,
)
from romrunner.timeutil import utc_now
from romrunner.words import size_text

_NAME = re.compile(r"^(\d{4})_(\w+)\.sql$")
_FTS5_BLOCK = re.compile(r"^-- begin: fts5$.*?^-- end: fts5$", re.MULTILINE | re.DOTALL)
_HEADER = re.compile(r"^--\s*(changes_data|foreign_keys):\s*(\w+)\s*$", re.MULTILINE)


@dataclass(frozen=True)
class Migration:
    """One migration file."""

    version: int
    name: str
    sql: str
    changes_data: bool
    foreign_keys_off: bool

    def statements(self, *, fts5: bool = True) -> list[str]:
        """The file split into complete SQL statements (trigger bodies kept whole)."""
        sql = self.sql if fts5 else _FTS5_BLOCK.sub("", self.sql)
        statements: list[str] = []
        buffer = ""
        for piece in sql.split(";"):
            buffer += piece + ";"
            if sqlite3.complete_statement(buffer):
                text = _strip_comments(buffer).strip()
                if text and text != ";":
                    statements.append(text)
                buffer = ""
        if _strip_comments(buffer).strip(" \n;"):
            raise DatabaseError(f"migration {self.version} ends with an incomplete statement")
        return statements


def _strip_comments(sql: str) -> str:
    return "\n".join(line for line in sql.splitlines() if not line.lstrip().startswith("--"))


@functools.cache
def load_migrations() -> tuple[Migration, ...]:
    """All migrations shipped with the package, in order (read once per process)."""
    folder = resources.files("romrunner.store").joinpath("migrations")
    found: list[Migration] = []
    for entry in folder.iterdir():
        match = _NAME.match(entry.name)
        if not match:
            continue
        sql = entry.read_text(encoding="utf-8")
        headers = {key: value.lower() for key, value in _HEADER.findall(sql)}
        found.append(Migration(
            version=int(match.group(1)),
            name=match.group(2),
            sql=sql,
            changes_data=headers.get("changes_data") == "yes",
            foreign_keys_off=headers.get("foreign_keys") == "off",
        ))
    found.sort(key=lambda migration: migration.version)
    expected = list(range(1, len(found) + 1))
    if [migration.version for migration in found] != expected:
        raise DatabaseError("the package's migrations are not numbered 1..N")
    return tuple(found)


LATEST_VERSION = len(load_migrations())


def current_version(db: Database) -> int:
    """The database's ``schema_version``: 0 for an empty file."""
    tables = set(db.table_names())
    if "schema_version" not in tables:
        if tables:
            raise DatabaseError(f"{db.path}: not a ROM Runner database (no schema_version table)")
        return 0
    version = db.scalar("SELECT schema_version FROM schema_version WHERE id = 1")
    if not isinstance(version, int):
        raise DatabaseError(f"{db.path}: schema_version row is missing or not a number")
    return version


def recorded_version(conn: sqlite3.Connection) -> int | None:
    """The last migration ``schema_migrations`` records (None: none, or no such table)."""
    try:
        applied = conn.execute("SELECT max(version) FROM schema_migrations").fetchone()[0]
    except sqlite3.Error:
        return None
    return int(applied) if applied is not None else None


def version_below_recorded(db: Database) -> str | None:
    """What is wrong when ``schema_version`` says less than the migrations the file records
    (edited by hand: each migration would fail on the objects it finds already made), with
    the way out: `db repair` when the tables of the recorded version are whole; None when
    the version is not below them."""
    version = current_version(db)
    recorded = recorded_version(db.conn)
    if recorded is None or not 0 < version < recorded <= LATEST_VERSION:
        return None
    said = (f"{db.path}: schema_version says {version} but the migrations the file records "
            f"go to {recorded} (edited by hand?)")
    if schema_gaps(db.conn, recorded):
        return (f"{said}, and it lacks tables or columns of {recorded}; restore a backup "
                "(`romrunner db restore BACKUP`)")
    return (f"{said}; its tables are those of {recorded}: `romrunner db repair` sets "
            f"schema_version back to {recorded}")


def refuse_version_below_recorded(db: Database) -> None:
    """Raise :class:`DatabaseError` when ``schema_version`` is below the recorded migrations
    (see :func:`version_below_recorded`): migrating would fail, and say only that."""
    problem = version_below_recorded(db)
    if problem is not None:
        raise DatabaseError(problem)


def mendable_version(conn: sqlite3.Connection, version: int) -> int | None:
    """The version ``schema_version`` should say when it says ``version``, less than the
    last migration the file records, and the tables and columns of that one are all there
    (``schema_version`` edited down by hand); else None."""
    recorded = recorded_version(conn)
    if recorded is None or not 0 < version < recorded <= LATEST_VERSION \
            or schema_gaps(conn, recorded):
        return None
    return recorded


def mend_version_below_recorded(db: Database) -> tuple[int, int] | None:
    """Set ``schema_version`` back to the last migration the file records where
    :func:`mendable_version` finds it (its triggers and indexes are made again by the
    caller: :func:`recreate_missing_objects`); (from, to), or None when there was nothing
    to mend. Inside the caller's transaction."""
    version = current_version(db)
    recorded = mendable_version(db.conn, version)
    if recorded is None:
        return None
    db.execute("UPDATE schema_version SET schema_version = ? WHERE id = 1", (recorded,))
    return version, recorded


def pending_migrations(db: Database) -> list[Migration]:
    """Migrations not yet applied; refuses a database newer than this code."""
    version = current_version(db)
    if version > LATEST_VERSION:
        raise SchemaTooNewError(
            f"{db.path}: schema version {version} is newer than this ROM Runner understands "
            f"({LATEST_VERSION}); upgrade ROM Runner, the database is left untouched")
    return [migration for migration in load_migrations() if migration.version > version]


@dataclass
class MigrationReport:
    """What :func:`migrate` did; ``backup`` holds the database as it was at
    ``backup_version``, before the first migration of this upgrade (``backup_kept``: written
    by an earlier run that was interrupted, and kept rather than replaced)."""

    from_version: int
    to_version: int
    applied: list[str]
    backup: Path | None
    backup_version: int | None = None
    backup_kept: bool = False
    # a backup found beside the database holding it as it was (not written again: see
    # _backup_of_this_state)
    backup_reused: bool = False
    cache_rows_before: int = 0  # emulator knowledge held before the upgrade, and after it
    cache_rows_after: int = 0
    orphaned_overrides: int = 0  # overrides of deleted profiles moved to orphaned_overrides
    catalogs_to_read_again: int = 0  # DATs an earlier release's reader read (see datfile)
    catalogs_unjudged: int = 0  # of those, read before JUDGED_FROM_READER

    @property
    def cache_rows_dropped(self) -> int:
        """Cache rows the upgrade dropped (derived data: 1 -> 2 drops every one by design)."""
        return max(0, self.cache_rows_before - self.cache_rows_after)

    def side_effects(self) -> list[str]:
        """What the upgrade did beyond the schema, one line each (empty when nothing)."""
        lines: list[str] = []
        dropped = self.cache_rows_dropped
        if dropped and not self.cache_rows_after:
            lines.append(f"the cache was emptied ({dropped:,} rows of emulator knowledge: "
                         "derived data this upgrade drops by design); `romrunner cache import "
                         "FILE…` fills it again from the emulators' files")
        elif dropped:
            lines.append(f"{dropped:,} of {self.cache_rows_before:,} cache rows were dropped "
                         "(derived data the upgrade could not carry over); `romrunner cache "
                         "import FILE…` fills them again")
        if self.catalogs_to_read_again:
            lines.append(f"{self.catalogs_to_read_again:,} DAT "
                         f"{'catalog was' if self.catalogs_to_read_again == 1 else 'catalogs were'}"
                         " read by an earlier release: import each file again (`romrunner dat "
                         "ls` names them); this release reads an arcade set's BIOS set and CHD, "
                         "and a game listed once per dump as any of its dumps")
            if self.catalogs_unjudged:
                lines[-1] += (f"; until then no set of {self.catalogs_unjudged:,} of them is "
                              "judged incomplete")
        if self.orphaned_overrides:
            lines.append(f"{self.orphaned_overrides:,} overrides of deleted device profiles "
                         "were moved to the table orphaned_overrides (kept, not applied)")
        return lines


# While an upgrade is under way, user_settings remembers the backup of the version it started
# from, so a re-run after an interruption keeps that backup instead of copying a half-migrated
# file; the row goes when the upgrade is complete.
_BACKUP_SETTING = "romrunner.migration_backup"


class UpgradeInterrupted(KeyboardInterrupt):
    """Ctrl-C during an upgrade of the schema: the versions applied before it are kept (each
    is one transaction), the one under way rolled back; `db migrate` finishes the upgrade."""

    def __init__(self, started: int, reached: int, target: int,
                 backup: Path | None = None) -> None:
        super().__init__(f"interrupted at schema version {reached}")
        self.started, self.reached, self.target = started, reached, target
        self.backup = backup  # the database at ``started``, kept for the re-run

    def describe(self) -> str:
        """What the interrupted upgrade kept, and how to finish it."""
        if self.reached == self.started:
            return (f"the database stays at schema version {self.started} (the upgrade to "
                    f"{self.target} is undone); `romrunner db migrate` upgrades it")
        kept = f"; its backup at version {self.started}: {self.backup}" if self.backup else ""
        return (f"the database was upgraded from schema version {self.started} to "
                f"{self.reached} of {self.target} (each version is kept whole); `romrunner "
                f"db migrate` finishes the upgrade{kept}")


def migrate(db: Database, *, target: int | None = None) -> MigrationReport:
    """Apply pending migrations up to ``target`` (default: latest), each in one transaction.

    An existing database is first backed up (SQLite backup API) next to itself — after any
    migration the release before refuses the file, so the backup is the way back — unless an
    interrupted earlier run already backed up an older version.
    """
    start = current_version(db)
    refuse_version_below_recorded(db)
    todo = [m for m in pending_migrations(db) if target is None or m.version <= target]
    report = MigrationReport(start, start, [], None)
    remember: str | None = None
    free = 0
    if start > 0 and todo:
        free = shutil.disk_usage(db.path.parent).free
        try:
            remember = _ensure_backup(db, report)
        except DiskFullError as exc:
            raise _no_room_for_backup(db, free) from exc
    upgrade = start > 0 and bool(todo)  # counted only then: a count of millions takes time
    orphaned_before = _orphaned_overrides(db) if upgrade else 0
    report.cache_rows_before = _cache_rows(db) if upgrade else 0
    for migration in todo:
        try:
            _apply(db, migration, remember_backup=remember,
                   first_of_upgrade=start > 0 and migration is todo[0])
        except KeyboardInterrupt as exc:
            if start > 0:  # (a new database being created is removed by its opener)
                # (still in the interrupted migration's transaction: not committed)
                reached = migration.version - 1 if db.conn.in_transaction else \
                    current_version(db)
                if reached == start:
                    _drop_unneeded_backup(db, report, remember)
                raise UpgradeInterrupted(start, reached, todo[-1].version,
                                         report.backup) from exc
            raise
        except DiskFullError as exc:
            _drop_unneeded_backup(db, report, remember)
            if start > 0:  # (a new database's creation: the opener's words)
                raise _disk_full(db, migration, report, free) from exc
            raise
        except DatabaseError:
            _drop_unneeded_backup(db, report, remember)
            raise
        remember = None
        report.applied.append(f"{migration.version:04d}_{migration.name}")
    report.to_version = current_version(db)
    if upgrade:
        report.cache_rows_after = _cache_rows(db)
        report.orphaned_overrides = _orphaned_overrides(db) - orphaned_before
        report.catalogs_to_read_again = _catalogs_read_before(db, READER_VERSION)
        report.catalogs_unjudged = _catalogs_read_before(db, JUDGED_FROM_READER)
    if report.backup is not None:
        with db.atomic():
            db.execute("DELETE FROM user_settings WHERE key = ?", (_BACKUP_SETTING,))
    return report


# The emulator knowledge a database holds: observations from v1.1.0 (schema 3) on, the three
# cache tables before (their best answers since then are derived from the observations).
_OBSERVATIONS = ("perf_observations", "compat_observations", "settings_observations")
_OLD_CACHES = ("game_performance_cache", "emulator_compat_cache", "game_settings_cache")


def _cache_rows(db: Database) -> int:
    tables = set(db.table_names())
    counted = _OBSERVATIONS if set(_OBSERVATIONS) <= tables else _OLD_CACHES
    return sum(int(db.scalar(f"SELECT count(*) FROM {table}") or 0)
               for table in counted if table in tables)


def _catalogs_read_before(db: Database, reader: int) -> int:
    if "reader" not in {row[1] for row in db.query("PRAGMA table_info(catalog_sources)")}:
        return 0
    return int(db.scalar("SELECT count(*) FROM catalog_sources WHERE reader < ?",
                         (reader,)) or 0)


def _orphaned_overrides(db: Database) -> int:
    if "orphaned_overrides" not in db.table_names():
        return 0
    return int(db.scalar("SELECT count(*) FROM orphaned_overrides") or 0)


def _ensure_backup(db: Database, report: MigrationReport) -> str | None:
    """Back up the database unless an interrupted run did, past its first migration, or a
    backup beside it already holds the database as it is (reused: see
    :func:`_backup_of_this_state`); returns the backup's record, stored with the first
    migration and not before it: nothing is written to the database before its first
    migration commits (qa179 F3), and a run killed between its backup and that commit left
    a backup the re-run finds by what it holds and reuses (qa179 F2: one named by no record
    was written again beside it). A migration that fails removes the backup this run wrote
    (see :func:`_drop_unneeded_backup`)."""
    version = current_version(db)
    kept = _interrupted_backup(db)
    if kept is not None and kept[1] < version:
        report.backup, report.backup_version = kept
        report.backup_kept = True
        return None
    found = _backup_of_this_state(db, version, kept[0] if kept is not None else None)
    if kept is not None and kept[0] != found:
        # (recorded by a run killed before its first migration committed, and not what the
        # database holds now (the release before wrote to it since): replaced by a fresh
        # one, never kept stale nor left beside it: review 26 R1)
        kept[0].unlink(missing_ok=True)
    if found is not None:
        report.backup, report.backup_version, report.backup_reused = found, version, True
    else:
        backup = _backup_path(db.path, version)
        backup_database(db, backup)
        report.backup, report.backup_version = backup, version
    return json.dumps({"path": str(report.backup), "version": version})


def _backup_of_this_state(db: Database, version: int, recorded: Path | None) -> Path | None:
    """An upgrade's backup beside the database (``recorded`` first, then the latest) that
    holds the database as it is now at ``version``: a ROM Runner backup, not written to
    since, of this database, with its rows (see ``backup.same_rows``: read whole, only
    where the counters and the games agree). A run killed before its first migration
    committed left one; and a database restored from an upgrade's backup, upgraded again,
    is that backup's state (qa179 F11: a second full-size copy of it was written)."""
    candidates = [b.path for b in reversed(upgrade_backups(db.path)) if b.version == version]
    if recorded is not None:
        candidates.insert(0, recorded)
    ours = database_state(db.conn)
    for candidate in dict.fromkeys(candidates):
        if is_backup_file(candidate) and _holds(candidate, db, ours):
            return candidate
    return None


def _holds(candidate: Path, db: Database, ours: DatabaseState) -> bool:
    """True when the backup ``candidate`` holds what ``db`` (in state ``ours``) holds."""
    try:
        other = sqlite3.connect(f"{candidate.resolve().as_uri()}?mode=ro&immutable=1",
                                uri=True)
        try:
            theirs = database_state(other)
        finally:
            other.close()
        if (theirs.database_id, theirs.schema_version, theirs.sequences, theirs.games) != \
                (ours.database_id, ours.schema_version, ours.sequences, ours.games):
            return False
        return same_rows(candidate, db.path)
    except (sqlite3.Error, OSError):
        return False


def _drop_unneeded_backup(db: Database, report: MigrationReport,
                          remember: str | None) -> None:
    """Remove the backup this run wrote, and its record, when no migration of it was
    committed (``remember`` is still to be stored with one): the database is as the backup
    holds it, and a re-run writes its own (QA21 P1: each failed run on a full disk left
    another full-size copy). A backup found beside it and reused was there before: kept."""
    if remember is not None and report.backup is not None:
        if not report.backup_reused:
            report.backup.unlink(missing_ok=True)
        report.backup = report.backup_version = None
        report.backup_reused = False


# Measured (v13 → v23, 15 MiB database on a tmpfs): an upgrade that rewrites the games table
# peaks at about 1.5× the database's size beside it (the rewritten tables in the WAL and the
# file grown by them), on top of its backup (1×).
_REWRITE_ROOM = 1.5


def _disk_full(db: Database, migration: Migration, report: MigrationReport,
               free: int) -> DiskFullError:
    """A migration that filled the disk: what the upgrade needs, what was free, what is kept."""
    size = _file_size(db.path)
    rewrite = size * _REWRITE_ROOM
    kept = (f"; its backup at version {report.backup_version} is kept: {report.backup}"
            if report.backup is not None else "")
    if report.backup_kept or report.backup_reused:  # (this run wrote none)
        needs = f"about {size_text(rewrite)} free to rewrite tables"
    else:
        needs = (f"about {size_text(size + rewrite)} free in all ({size_text(size)} for its "
                 f"backup, about {size_text(rewrite)} to rewrite tables)")
    return DiskFullError(
        f"{db.path}: the disk filled up during migration {migration.version} "
        f"({migration.name}); the database stays at schema version {migration.version - 1}"
        f"{kept}. An upgrade needs {needs}; {size_text(free)} was free when it started. "
        "Free some space and run `romrunner db migrate`")


def _no_room_for_backup(db: Database, free: int) -> DiskFullError:
    size = _file_size(db.path)
    return DiskFullError(
        f"{db.path}: no room for the backup an upgrade writes first ({size_text(size)}, "
        f"the database's size; {size_text(free)} was free); nothing was changed. An upgrade "
        f"needs about {size_text(size * (1 + _REWRITE_ROOM))} free in all (the backup, and "
        "room to rewrite tables). Free some space and run `romrunner db migrate`")


def _file_size(path: Path) -> int:
    return path.stat().st_size if path.is_file() else 0


def _interrupted_backup(db: Database) -> tuple[Path, int] | None:
    """The backup an interrupted upgrade wrote, when it is still there."""
    if "user_settings" not in db.table_names():
        return None
    value = db.scalar("SELECT value FROM user_settings WHERE key = ?", (_BACKUP_SETTING,))
    try:
        record = json.loads(value) if isinstance(value, str) else None
        if not isinstance(record, dict):
            return None
        path, version = Path(record["path"]), int(record["version"])
    except (ValueError, TypeError, KeyError):
        return None
    if not path.is_file() or version > current_version(db):
        return None
    return path, version


# An upgrade's backup: the database's name, ``.v`` the version it holds, ``-`` a UTC time
# (and ``-N`` where two were written in one second), ``.bak`` (see _backup_path).
_UPGRADE_BACKUP = re.compile(r"\.v(\d+)-(\d{8}T\d{6}Z)(?:-(\d+))?\.bak")


@dataclass(frozen=True)
class UpgradeBackup:
    """A backup an upgrade wrote beside the database: the schema version it holds."""

    path: Path
    version: int
    bytes: int


def upgrade_backups(path: Path) -> list[UpgradeBackup]:
    """The backups upgrades wrote beside the database at ``path`` (``NAME.v13-….bak``: each
    as big as the database was), oldest first."""
    found: list[tuple[tuple[str, int], UpgradeBackup]] = []
    for candidate in path.parent.glob(f"{glob.escape(path.name)}.v*.bak"):
        match = _UPGRADE_BACKUP.fullmatch(candidate.name[len(path.name):])
        if match is None or not candidate.is_file():
            continue
        found.append(((match.group(2), int(match.group(3) or 1)), UpgradeBackup(
            candidate, int(match.group(1)), file_size_or_zero(candidate))))
    return [backup for _, backup in sorted(found, key=lambda item: item[0])]


def _backup_path(path: Path, version: int) -> Path:
    stamp = utc_now().strftime("%Y%m%dT%H%M%SZ")
    candidate = path.with_name(f"{path.name}.v{version}-{stamp}.bak")
    number = 1
    while candidate.exists():
        number += 1
        candidate = path.with_name(f"{path.name}.v{version}-{stamp}-{number}.bak")
    return candidate


class _Interrupt:
    """Ctrl-C during a migration's statements interrupts SQLite and is raised as itself once
    the transaction is rolled back. Without this, an interrupt that lands in one of our SQL
    functions (``rr_unhex``) became "user-defined function raised exception"."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self.conn, self.seen, self.installed = conn, False, False
        self.previous: Any = signal.SIG_DFL

    def _handle(self, signum: int, frame: object) -> None:
        self.seen = True
        self.conn.interrupt()

    def __enter__(self) -> None:
        if threading.current_thread() is threading.main_thread():
            previous = signal.getsignal(signal.SIGINT)
            self.previous = signal.default_int_handler if previous is None else previous
            signal.signal(signal.SIGINT, self._handle)
            self.installed = True

    def __exit__(self, *exc: object) -> None:
        if self.installed:
            signal.signal(signal.SIGINT, self.previous)
            self.installed = False
        if self.seen and exc[0] is None:
            raise KeyboardInterrupt


def _apply(db: Database, migration: Migration, *, remember_backup: str | None = None,
           first_of_upgrade: bool = False) -> None:
    """Run ``migration`` in one transaction; ``remember_backup``: the upgrade's backup
    record, stored with it. ``first_of_upgrade``: the first migration an existing database
    commits, which also carries what a command writes with its first write (where the file
    is, a backup's mark cleared: see ``open.PlaceMark``), so a failed upgrade leaves the
    file as it was, byte for byte (qa179 F3: the place was committed before it)."""
    conn = db.conn
    if migration.foreign_keys_off:
        conn.execute("PRAGMA foreign_keys = OFF")
    interrupted = _Interrupt(conn)
    try:
        begun = conn.total_changes
        ended: Callable[[bool], None] | None = None
        conn.execute("BEGIN IMMEDIATE")
        try:
            with interrupted:
                for statement in migration.statements(fts5=db.has_fts5()):
                    conn.execute(statement)
            conn.execute(
                "INSERT OR REPLACE INTO schema_migrations (version, name) VALUES (?, ?)",
                (migration.version, migration.name))
            if remember_backup is not None:
                conn.execute("INSERT OR REPLACE INTO user_settings (key, value, value_type) "
                             "VALUES (?, ?, 'json')", (_BACKUP_SETTING, remember_backup))
            if first_of_upgrade:
                ended = db.run_first_write_in(begun)
            if migration.foreign_keys_off:
                violations = conn.execute("PRAGMA foreign_key_check").fetchall()
                if violations:
                    first = tuple(violations[0])
                    raise DatabaseError(
                        f"{db.path}: migration {migration.version} would break foreign keys "
                        f"({len(violations)} rows, first {first}); database left unchanged")
            conn.execute("COMMIT")
            if ended is not None:
                ended(True)
        except BaseException as exc:
            try:
                if conn.in_transaction:
                    conn.execute("ROLLBACK")
            except sqlite3.OperationalError:
                if not interrupted.seen:
                    raise
                # (SQLite interrupts each statement begun while the interrupted one is still
                # active, this ROLLBACK too (QA21 C1: said as an error, exit 2); the
                # transaction ends with the connection, and nothing of it was committed)
            finally:
                if ended is not None:
                    ended(False)
                else:
                    db.rolled_back_since(begun)
            if interrupted.seen:
                raise KeyboardInterrupt from exc
            if isinstance(exc, sqlite3.Error):
                kind = type(sqlite_error(db.path, exc))
                raise (kind if kind is DiskFullError else DatabaseError)(
                    f"migration {migration.version} ({migration.name}) failed: "
                    f"{describe_sqlite_error(db.path, exc)}; database left unchanged") from exc
            raise
    finally:
        if migration.foreign_keys_off:
            conn.execute("PRAGMA foreign_keys = ON")


@functools.lru_cache(maxsize=4)
def _schema_of(version: int) -> dict[str, frozenset[str]]:
    """Table -> its columns, as the migrations up to ``version`` make them (a database built
    in memory: ~0.1 s). Search-index tables (FTS5's, optional) are left out."""
    db = Database(Path(":memory:"))
    try:
        migrate(db, target=version)
        return _tables_and_columns(db.conn)
    finally:
        db.close()


def _tables_and_columns(conn: sqlite3.Connection) -> dict[str, frozenset[str]]:
    rows = conn.execute("SELECT name, coalesce(sql, '') FROM sqlite_master "
                        "WHERE type = 'table' AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\'"
                        ).fetchall()
    virtual = [str(name) for name, sql in rows if str(sql).upper().startswith("CREATE VIRTUAL")]
    names = [str(name) for name, _ in rows if not any(
        name == v or str(name).startswith(f"{v}_") for v in virtual)]
    return {name: frozenset(str(row[1]) for row in conn.execute(
        "SELECT * FROM pragma_table_info(?)", (name,))) for name in names}


@functools.lru_cache(maxsize=4)
def _object_sql_of(version: int, search: bool = False) -> dict[tuple[str, str], str]:
    """The triggers and indexes the migrations up to ``version`` make, (type, name) -> the
    SQL that makes each; the search index's triggers too with ``search``."""
    db = Database(Path(":memory:"))
    try:
        migrate(db, target=version)
        wanted = _triggers_and_indexes(db.conn, search=search)
        return {(str(kind), str(name)): str(sql) for kind, name, sql in db.conn.execute(
            "SELECT type, name, sql FROM sqlite_master WHERE type IN ('trigger', 'index') "
            "AND sql IS NOT NULL") if (str(kind), str(name)) in wanted}
    finally:
        db.close()


@functools.lru_cache(maxsize=4)
def _search_table_sql(version: int) -> dict[str, str]:
    """The search index's FTS5 tables the migrations up to ``version`` make with the linked
    SQLite, name -> the SQL that makes each (empty without FTS5)."""
    db = Database(Path(":memory:"))
    try:
        migrate(db, target=version)
        return {str(name): str(sql) for name, sql in db.conn.execute(
            "SELECT name, sql FROM sqlite_master WHERE type = 'table' "
            "AND name IN ('games_fts', 'games_fts_reading')")}
    finally:
        db.close()


def _objects_of(version: int, search: bool = False) -> frozenset[tuple[str, str]]:
    """The triggers and indexes the migrations up to ``version`` make (type, name)."""
    return frozenset(_object_sql_of(version, search))


def recreate_missing_objects(db: Database) -> list[str]:
    """Make again the triggers and indexes of the database's schema version it lacks (dropped
    by hand: review 160 F1, `db repair` mended the counters a dropped trigger let drift, and
    they drifted again); the objects made, named. Inside the caller's transaction."""
    version = current_version(db)
    if not 1 <= version <= LATEST_VERSION:
        return []
    made = []
    for name in missing_search_tables(db.conn, version):  # (review38b F2: first, as the
        # triggers on games refer to them; the caller fills them: rebuild_search_index)
        db.execute(_search_table_sql(version)[name])
        made.append(f"table {name}")
    search = has_search_table(db.conn)
    present = _triggers_and_indexes(db.conn, search=search)  # (read once, not per object)
    for (kind, name), sql in sorted(_object_sql_of(version, search).items()):
        if (kind, name) not in present:
            db.execute(sql)
            made.append(f"{kind} {name}")
    return made


def _triggers_and_indexes(conn: sqlite3.Connection, *, search: bool = False
                          ) -> frozenset[tuple[str, str]]:
    # (the search index's triggers only with ``search``: the search index is optional, and
    # where it is there its triggers keep it true — QA164 F4, one dropped went unsaid)
    return frozenset((str(kind), str(name)) for kind, name in conn.execute(
        "SELECT type, name FROM sqlite_master WHERE type IN ('trigger', 'index') "
        "AND sql IS NOT NULL") if search or not str(name).startswith("games_fts"))


def schema_object_gaps(conn: sqlite3.Connection, version: int) -> list[str]:
    """The triggers and indexes of schema ``version`` the database on ``conn`` lacks
    (``trigger games_counts_update``): dropped by hand, the counters the library's listings
    read drift and a deploy may reuse a stale plan, silently (QA157 F1); and a
    ``schema_version`` that says another version than the migrations the file records
    (edited by hand: QA157 F2). Empty when whole, or ``version`` unknown to this code."""
    gaps: list[str] = []
    applied = recorded_version(conn)
    if applied is not None and applied != version:
        gaps.append(f"schema_version says {version} but the migrations recorded go to "
                    f"{applied}")
    if not 1 <= version <= LATEST_VERSION:
        return gaps
    search = has_search_table(conn)
    missing = sorted(_objects_of(version, search)
                     - _triggers_and_indexes(conn, search=search))
    return gaps + [f"{kind} {name}" for kind, name in missing]


def schema_gaps(conn: sqlite3.Connection, version: int) -> list[str]:
    """What the database on ``conn`` lacks of the tables and columns its schema ``version``
    has (``table games``, ``column games.region``): a file someone edited by hand, which
    every command would fail on (QA146 F7: a backup without its `games` table was restored).
    Empty when whole, or when ``version`` is not one this code knows."""
    if not 1 <= version <= LATEST_VERSION:
        return []
    found = _tables_and_columns(conn)
    gaps: list[str] = []
    for table, columns in sorted(_schema_of(version).items()):
        if table not in found:
            gaps.append(f"table {table}")
        else:
            gaps.extend(f"column {table}.{c}" for c in sorted(columns - found[table]))
    return gaps
