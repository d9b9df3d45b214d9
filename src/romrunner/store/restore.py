"""``db restore``: a backup written by ``db backup`` (or before an upgrade) put back as the
database, atomically, the database it replaces saved first.

The steps, under the writer lock (no other command writes meanwhile):

1. the backup is copied with SQLite's backup API to a temporary file beside the database and
   checked there: a ROM Runner backup (its ``application_id``), ``PRAGMA quick_check`` ok, a
   schema version this code opens or migrates;
2. the database is compared with it (a backup of another database needs ``force``) and saved:
   a backup beside it, or, when it is corrupt, a plain copy of its files as they are;
3. the copy is marked as a database again (not a backup) and starts a new lineage (see
   :mod:`romrunner.store.backup`: backups of the line of changes it leaves are never replaced
   silently), and is synced to disk;
4. the database's WAL is checkpointed into its file, the connection closed, and its ``-wal``,
   ``-shm`` and ``-journal`` removed, so that no frame of the old WAL can ever be applied to
   the restored file;
5. the copy is renamed over the database (one ``rename``), and the folder synced.

A crash (kill -9, power cut) before the rename leaves the old database whole: its WAL is in
its file by step 4, and steps 1-3 write other files only. After the rename it is the restored
one, with no side file of the old. What remains is the temporary file, removed by the next
restore (a running restore holds a lock on its own, so only dead ones are removed). A corrupt
database's WAL cannot be folded in: a crash between its removal and the rename leaves the
corrupt file without it, its files as they were being saved by then.
"""

from __future__ import annotations

import contextlib
import errno
import glob
import json
import os
import secrets
import shutil
import signal
import sqlite3
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from datetime import datetime
from pathlib import Path

from romrunner.errors import (
    CorruptDatabaseError,
    DatabaseBusyError,
    DatabaseError,
    DiskFullError,
    InputError,
    SchemaTooNewError,
)
from romrunner.store.backup import (
    LINEAGE_KEY,
    RESTORE_TEMP_PREFIX,
    DatabaseState,
    Restore,
    backup_database,
    database_state,
    file_place,
    ids_given_by,
    is_backup_file,
    record_place,
    remove_stale_temporaries,
    same_rows,
    sync_folder,
    written_at,
)
from romrunner.store.database import (
    Database,
    NotSQLiteError,
    check_is_sqlite_file,
    missing_folders,
    no_room_for_files,
    sqlite_error,
)
from romrunner.store.lock import LockHolder, lock_path
from romrunner.store.migrate import LATEST_VERSION, current_version, schema_gaps
from romrunner.store.open import prepare_to_write, refuse_a_foreign_database
from romrunner.tempfiles import create, usual_mode
from romrunner.timeutil import utc_now
from romrunner.words import counted, size_text

_TEMP_PREFIX, _TEMP_SUFFIX = RESTORE_TEMP_PREFIX, ".tmp"
_SIDE_FILES = ("-wal", "-shm", "-journal")

# What a user counts in a database, compared between it and the backup.
_COUNTED: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("games", ("games",)),
    ("collections", ("collections",)),
    ("library roots", ("library_roots",)),
    ("device profiles", ("device_profiles",)),
    ("overrides", ("game_overrides", "platform_overrides")),
    ("deployments", ("deployment_history",)),
)


# (the row of path '' holds what a release before v1.1.0 recorded: no root, as `db status`
# says; QA46 F3)
_COUNTED_WHERE = {"library_roots": " WHERE path <> ''"}


@dataclass(frozen=True)
class Count:
    """Rows of one kind in the database replaced (``now``) and in the backup."""

    what: str
    now: int | None
    restored: int | None


@dataclass
class RestoreReport:
    """What :func:`restore_database` did."""

    database: Path
    backup: Path
    backup_written: str
    schema_version: int
    lineage: str
    saved: Path | None = None  # the database as it was before the restore
    saved_as_is: bool = False  # a plain copy of its files (it was corrupt)
    corrupt: str | None = None  # why the database replaced could not be read
    other_database: bool = False  # a backup of another database, restored with force
    # of those, a backup of a copy of this database that became one of its own
    of_a_copy: bool = False
    # The collections by name only in the database replaced (the saved copy keeps them), and
    # only in the backup: what a restore drops and takes, beyond the counts.
    collections_dropped: list[str] = field(default_factory=list)
    collections_taken: list[str] = field(default_factory=list)
    counts: list[Count] = field(default_factory=list)
    # When the database already is this backup, restored at this time and unchanged since
    # (a restore killed after its swap, run again): nothing is done, and ``saved`` is the
    # database that earlier restore replaced, when it is still beside it.
    already_restored_at: str | None = None

    @property
    def latest_version(self) -> int:
        """The schema version this ROM Runner writes."""
        return LATEST_VERSION

    @property
    def fewer(self) -> list[Count]:
        """The kinds of which the restored database holds fewer rows than the one replaced."""
        return [c for c in self.counts
                if c.now is not None and c.restored is not None and c.now > c.restored]

    def as_dict(self) -> dict[str, object]:
        """JSON-ready data."""
        return {"database": str(self.database), "backup": str(self.backup),
                "backup_written": self.backup_written, "schema_version": self.schema_version,
                "latest_version": self.latest_version, "lineage": self.lineage,
                "saved": str(self.saved) if self.saved else None,
                "saved_as_is": self.saved_as_is, "corrupt": self.corrupt,
                "other_database": self.other_database, "of_a_copy": self.of_a_copy,
                "collections_dropped": self.collections_dropped,
                "collections_taken": self.collections_taken,
                "already_restored_at": self.already_restored_at,
                "counts": {c.what: {"now": c.now, "restored": c.restored}
                           for c in self.counts},
                "fewer": [c.what for c in self.fewer]}


def restore_database(path: Path | str, backup: Path | str, *, force: bool = False,
                     wait: bool = False,
                     on_wait: Callable[[LockHolder], None] | None = None,
                     now: datetime | None = None,
                     on_replaced: Callable[[RestoreReport], None] | None = None,
                     make_folders: bool = True) -> RestoreReport:
    """Put ``backup`` back as the database at ``path`` (see the module's steps).

    Refused, with nothing changed: a file that is not a ROM Runner backup, one that fails its
    quick check or is of a newer schema, while another command writes (unless ``wait``), a
    file at ``path`` that is not a ROM Runner database, and without ``force`` a backup of
    another database. A backup of an earlier state of this database needs no ``force``: the
    database is always saved before it is replaced, and the report says what it held more.
    ``on_replaced`` is called with the report as soon as the file is replaced, before a
    Ctrl-C that came during the replacement is raised (the caller says what was done).
    ``make_folders``: as :func:`~romrunner.store.open.open_database`'s.
    """
    path, backup = Path(path).expanduser(), Path(backup).expanduser()
    _check_backup_file(backup, path)
    try:
        check_is_sqlite_file(path)
    except NotSQLiteError as exc:
        # (with --force, as a corrupt database: copied as it is, then replaced — QA157 F6,
        # a database whose first bytes a crash zeroed was a dead end for every command;
        # where a file beside it says it was ROM Runner's: never a ROM a slipped --db named,
        # review 160 F2)
        if not force:
            raise
        if not _was_a_database(path):
            raise NotSQLiteError(f"{path}: not a SQLite database, and no file beside it (its "
                                 ".lock, -wal or -shm) says it was ROM Runner's database: "
                                 "not replaced, even with --force") from exc

    lock_existed, new_folders = lock_path(path).exists(), missing_folders(path.parent)
    lock = prepare_to_write(path, "db restore", wait, on_wait, make_folders=make_folders)
    assert lock is not None
    try:
        report = _restore(path, backup, force, now or utc_now(), on_replaced)
    except BaseException:
        if not path.exists():  # nothing was here, nothing is: leave no lock file nor folder
            if not lock_existed:
                lock.remove_file()
            lock.release()
            for folder in reversed(new_folders):
                try:
                    folder.rmdir()
                except OSError:
                    break
        raise
    finally:
        lock.release()
    return report


def _was_a_database(path: Path) -> bool:
    """True when a file beside ``path`` is one a ROM Runner database has (its writer lock,
    its WAL or shared memory)."""
    return any(Path(f"{path}{suffix}").exists() for suffix in (".lock", "-wal", "-shm"))


def _not_restored(path: Path, backup: Path, error: DatabaseError) -> DatabaseError:
    """A restore that failed writing: what it needed, beside the database, and that nothing
    changed (QA22 P1: it named a temporary file, and not the outcome)."""
    if not isinstance(error, DiskFullError):
        return type(error)(f"{error}; not restored: the database is left as it was")
    room = no_room_for_files(path.parent)
    if room is not None:  # (no inode, not bytes, short: p47a F4 blamed the backup file)
        return DiskFullError(
            f"{path}: not restored: {room}; the database is left as it was. A restore saves "
            "the database and copies the backup beside it, a few files: remove some files "
            "there and run it again")
    sizes = sum(file.stat().st_size for file in (path, backup) if file.is_file())
    return DiskFullError(
        f"{path}: not restored, the disk is full: the database is left as it was. A restore "
        f"saves the database and copies the backup beside it: it needs about "
        f"{size_text(sizes)} free there; free some space and run it again")


def _check_backup_file(backup: Path, database: Path) -> None:
    if not backup.exists():
        raise InputError(f"{backup}: no such file")
    if not backup.is_file():
        raise InputError(f"{backup}: not a regular file")
    with contextlib.suppress(OSError):
        if database.exists() and os.path.samefile(backup, database):
            raise InputError(f"{backup}: is the database itself; give a backup of it")
    if not is_backup_file(backup):
        raise InputError(f"{backup}: not a ROM Runner backup (its header has no backup mark; "
                         "`romrunner db backup` writes one); to use a copied database file as "
                         "it is, point --db at it")


@dataclass
class _Current:
    """The database about to be replaced, as far as it can be read."""

    db: Database | None = None
    state: DatabaseState | None = None
    counts: dict[str, int | None] = field(default_factory=dict)
    corrupt: str | None = None


def _restore(path: Path, backup: Path, force: bool, now: datetime,
             on_replaced: Callable[[RestoreReport], None] | None = None) -> RestoreReport:
    folder = path.parent
    remove_stale_temporaries(folder, _TEMP_PREFIX)
    # (held while it lives: see remove_stale_temporaries)
    try:
        handle, temp = create(folder, _TEMP_PREFIX, _TEMP_SUFFIX)
    except OSError as exc:  # (p47a F4: its temporary file's name and errno, raw)
        if exc.errno == errno.ENOSPC:
            raise _not_restored(path, backup, DiskFullError(str(exc))) from exc
        raise DatabaseError(f"{folder}: cannot restore the database here ({exc.strerror or exc}"
                            "); the database is left as it was") from exc
    saved_now: Path | None = None  # the copy this run saved, until the swap makes it needed
    try:
        restored, restored_counts = _copy_backup(backup, temp)
        current = _read_current(path)
        try:
            report = RestoreReport(path, backup, written_at(backup), restored.schema_version or 0,
                                   secrets.token_hex(16), corrupt=current.corrupt)
            report.counts = [Count(what, current.counts.get(what), restored_counts.get(what))
                             for what, _ in _COUNTED]
            report.other_database = _other_database(current, restored)
            if report.other_database and not force:
                raise InputError(_other_database_message(backup, current, restored))
            report.of_a_copy = report.other_database and _a_copys(current, restored)
            report.collections_dropped, report.collections_taken = \
                _collections_apart(current, temp)
            earlier = _restored_from(current.state, restored)
            if earlier is not None and same_rows(temp, path):
                report.already_restored_at = earlier.at
                report.saved = _saved_by(path, earlier)
                return report
            stamp = now.strftime(_STAMP)
            if current.state is not None and current.db is not None:
                try:
                    report.saved = saved_now = _save(current.db, path, stamp)
                except CorruptDatabaseError as exc:  # its quick check failed
                    current.db.close()
                    current.db, report.corrupt = None, str(exc)
            if report.corrupt is not None:
                report.saved, report.saved_as_is = _copy_as_is(path, stamp), True
                saved_now = report.saved
            _mark_restored(temp, restored, report.lineage, now, _mode_for(path), backup, path,
                           ids_given_by(current.state) if current.state is not None else {})
            if current.db is not None:
                _let_go(current.db)
                current.db = None
        finally:
            if current.db is not None:
                current.db.close()
        with _interrupts_held():  # (the file replaced, and said so, before any Ctrl-C)
            _swap(temp, path)
            saved_now = None
            if on_replaced is not None:
                on_replaced(report)
        return report
    except KeyboardInterrupt:
        # (interrupted before the swap: the database is as it was, and so is the copy of it
        # just saved — "nothing was changed" leaves nothing behind: QA62 F1)
        for leftover in ((saved_now, Path(f"{saved_now}-wal")) if saved_now else ()):
            with contextlib.suppress(FileNotFoundError):
                leftover.unlink()
        raise
    except sqlite3.Error as exc:
        raise _not_restored(path, backup, sqlite_error(path, exc)) from exc
    except DiskFullError as exc:  # (saving the database first: QA24 N4)
        raise _not_restored(path, backup, exc) from exc
    except OSError as exc:
        if exc.errno == errno.ENOSPC:
            raise _not_restored(path, backup, DiskFullError(str(exc))) from exc
        raise DatabaseError(f"{folder}: cannot restore the database here ({exc.strerror or exc}"
                            "); the database is left as it was") from exc
    finally:
        for leftover in (temp, *(Path(f"{temp}{side}") for side in _SIDE_FILES)):
            with contextlib.suppress(FileNotFoundError):
                leftover.unlink()
        os.close(handle)


def _copy_backup(backup: Path, temp: Path) -> tuple[DatabaseState, dict[str, int | None]]:
    """Copy ``backup`` to ``temp`` and check the copy; its state and counts."""
    try:
        source = sqlite3.connect(f"{backup.resolve().as_uri()}?mode=ro", uri=True)
        try:
            target = sqlite3.connect(temp)
            try:
                source.backup(target)
            finally:
                target.close()
        finally:
            source.close()
        conn = sqlite3.connect(temp)
        try:
            found = [str(row[0]) for row in conn.execute("PRAGMA quick_check")]
            if found != ["ok"]:
                raise CorruptDatabaseError(
                    f"{backup}: the backup is damaged ({found[0] if found else 'no answer'}"
                    f"{f' and {len(found) - 1} more' if len(found) > 1 else ''}); nothing "
                    "was changed")
            tables = {str(row[0]) for row in conn.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table'")}
            if "schema_version" not in tables or "user_settings" not in tables:
                raise InputError(f"{backup}: holds no ROM Runner database; nothing was changed")
            state = database_state(conn)
            counts = _counts(conn, tables)
            gaps = schema_gaps(conn, state.schema_version or 0)
        finally:
            conn.close()
    except sqlite3.Error as exc:
        if isinstance(sqlite_error(temp, exc), DiskFullError):
            raise  # (the copy's disk, not the backup: said by _restore)
        raise CorruptDatabaseError(f"{backup}: cannot be read as a database ({exc}); nothing "
                                   "was changed") from exc
    version = state.schema_version
    if version is None or version < 1:
        raise InputError(f"{backup}: its schema version is unreadable; nothing was changed")
    if version > LATEST_VERSION:
        raise SchemaTooNewError(
            f"{backup}: schema version {version} is newer than this ROM Runner understands "
            f"({LATEST_VERSION}); upgrade ROM Runner to restore it; nothing was changed")
    if gaps:
        raise CorruptDatabaseError(
            f"{backup}: the backup is damaged: schema version {version} without its "
            f"{', '.join(gaps[:3])}{f' and {len(gaps) - 3} more' if len(gaps) > 3 else ''} "
            "(edited by hand?); nothing was changed")
    return state, counts


def _counts(conn: sqlite3.Connection, tables: set[str]) -> dict[str, int | None]:
    counts: dict[str, int | None] = {}
    for what, names in _COUNTED:
        present = [name for name in names if name in tables]
        counts[what] = sum(int(conn.execute(
            f"SELECT count(*) FROM {name}{_COUNTED_WHERE.get(name, '')}").fetchone()[0])
            for name in present) if present else None
    return counts


def _read_current(path: Path) -> _Current:
    """The database at ``path`` (none, when there is no file or an empty one), open for
    writing; a corrupt one is described, not opened."""
    if not path.exists() or path.stat().st_size == 0:
        return _Current()
    try:  # (a file that is no SQLite file reaches here only with --force: see restore_database)
        refuse_a_foreign_database(path, "db restore replaces only a ROM Runner database")
        db = Database(path)
    except NotSQLiteError:
        return _Current(corrupt="not a SQLite database: its start is damaged")
    except CorruptDatabaseError as exc:
        return _Current(corrupt=str(exc.__cause__ or exc))
    try:
        version = current_version(db)
        if version == 0:
            return _Current(db)
        tables = set(db.table_names())
        return _Current(db, database_state(db.conn), _counts(db.conn, tables))
    except CorruptDatabaseError as exc:
        db.close()
        return _Current(corrupt=str(exc.__cause__ or exc))
    except sqlite3.Error as exc:
        db.close()
        return _Current(corrupt=str(exc))
    except BaseException:
        db.close()
        raise


_STAMP = "%Y%m%dT%H%M%SZ"  # a before-restore backup's time, in its name
_RECORDED = "%Y-%m-%d %H:%M:%S UTC"  # a restore's time, in its record


def _restored_from(state: DatabaseState | None, backup: DatabaseState) -> Restore | None:
    """The restore that made the database the state ``backup`` holds, when the database has
    not changed since (no row added, the same games): a restore killed after its swap, run
    again (QA20 C4: it saved the restored state as "the database it replaced" and named
    that as the way back)."""
    if state is None or not state.restores:
        return None
    last = state.restores[-1]
    same = (last.parent == backup.lineage and state.restores[:-1] == backup.restores
            and last.sequences == backup.sequences == state.sequences
            and state.games == backup.games and state.schema_version == backup.schema_version)
    return last if same else None


def _saved_by(path: Path, restore: Restore) -> Path | None:
    """The backup of the database ``restore`` replaced, saved beside it then (None: gone)."""
    try:
        stamp = datetime.strptime(restore.at, _RECORDED).strftime(_STAMP)
    except ValueError:
        return None
    names = sorted(path.parent.glob(f"{glob.escape(path.name)}.before-restore-{stamp}*"))
    return next((name for name in names if name.suffix in (".bak", ".corrupt")), None)


def _other_database(current: _Current, restored: DatabaseState) -> bool:
    """True when the backup is not of this database (or that cannot be told)."""
    state = current.state
    if state is None:
        return False  # none, empty or unreadable: nothing to compare with
    if state.database_id and restored.database_id:
        return state.database_id != restored.database_id or _of_a_copy(state, restored)
    created = {version: at for version, at in state.history}.get(1)
    backup_created = {version: at for version, at in restored.history}.get(1)
    return created is None or created != backup_created


def _of_a_copy(state: DatabaseState, restored: DatabaseState) -> bool:
    """True when the backup is of a copy of this database that became one of its own (see
    ``backup.fork_line_of_changes``) after this one's line: another computer's (QA141 F2: it
    was restored as this database's own)."""
    ours = {record.lineage for record in state.restores}
    return any(record.copy and record.lineage not in ours for record in restored.restores)


def _a_copys(current: _Current, restored: DatabaseState) -> bool:
    """True when a backup refused as another database's is of a copy of this one (the same
    database id: a line of changes of its own since the copy)."""
    state = current.state
    return state is not None and bool(state.database_id) \
        and state.database_id == restored.database_id


def _collection_names(conn: sqlite3.Connection) -> set[str]:
    """The names of the collections of the database on ``conn`` (none: no such table).
    (Read here, not through romrunner.collections: the store imports no domain package.)"""
    if conn.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' "
                    "AND name = 'collections'").fetchone() is None:
        return set()
    return {str(row[0]) for row in conn.execute("SELECT name FROM collections")}


def _collections_apart(current: _Current, temp: Path) -> tuple[list[str], list[str]]:
    """The collections by name only in the database replaced, and only in the backup (its
    copy at ``temp``): a restore's counts alike can drop one and take another (a copy's
    backup forced over this database)."""
    if current.db is None:
        return [], []
    now = _collection_names(current.db.conn)
    conn = sqlite3.connect(f"{temp.resolve().as_uri()}?mode=ro", uri=True)
    try:
        restored = _collection_names(conn)
    finally:
        conn.close()
    return sorted(now - restored), sorted(restored - now)


def _other_database_message(backup: Path, current: _Current, restored: DatabaseState) -> str:
    state = current.state
    known = state is not None and (bool(state.database_id and restored.database_id)
                                   or bool(state.history and restored.history))
    what = "a backup of another database" if known else \
        "a backup that cannot be told to be of this database (no id in one of them)"
    force = "--force restores it, saving this database first"
    if known and _a_copys(current, restored):
        what = ("a backup of a copy of this database that became a database of its own "
                "(another computer's, or another folder's)")
        force = ("--force restores it, dropping the changes made here since the copy, "
                 "saving this database first")
    games = current.counts.get("games")
    return (f"{backup}: {what} ({counted(restored.games or 0, 'game')}; this database: "
            f"{counted(games or 0, 'game')}); nothing was changed ({force})")


def _side_name(path: Path, stamp: str, suffix: str) -> Path:
    """A name beside ``path`` no file has yet."""
    candidate = path.with_name(f"{path.name}.before-restore-{stamp}{suffix}")
    number = 1
    while os.path.lexists(candidate):
        number += 1
        candidate = path.with_name(f"{path.name}.before-restore-{stamp}-{number}{suffix}")
    return candidate


def _save(db: Database, path: Path, stamp: str) -> Path:
    """Back the database up beside itself (a backup `db restore` takes back)."""
    return backup_database(db, _side_name(path, stamp, ".bak"))


def _copy_as_is(path: Path, stamp: str) -> Path:
    """Copy a corrupt database's file and WAL as they are (each written whole, then named)."""
    saved = _side_name(path, stamp, ".corrupt")
    for suffix in ("-wal", ""):  # the WAL first: a file at the saved name is complete
        source = Path(f"{path}{suffix}")
        if not source.exists():
            continue
        dest = Path(f"{saved}{suffix}")
        # (held while it is written: another database's command in this folder removes only
        # the temporaries no one holds, review38b)
        handle, partial = create(dest.parent, f"{_TEMP_PREFIX}{dest.name}.", _TEMP_SUFFIX)
        try:
            with os.fdopen(handle, "wb") as written, source.open("rb") as read:
                os.fchmod(written.fileno(), usual_mode())  # (as a new file's: not 0600)
                shutil.copyfileobj(read, written, 1 << 20)
                written.flush()
                os.fsync(written.fileno())
                os.replace(partial, dest)
        finally:
            with contextlib.suppress(FileNotFoundError):
                partial.unlink()
    sync_folder(path.parent)
    return saved


def _mode_for(path: Path) -> int:
    """The permissions the restored file gets: the replaced one's, else what a new file
    gets (the temporary file is private until then)."""
    try:
        return os.stat(path).st_mode & 0o7777
    except OSError:
        umask = os.umask(0)
        os.umask(umask)
        return 0o666 & ~umask


def _mark_restored(temp: Path, restored: DatabaseState, lineage: str, now: datetime,
                   mode: int, backup: Path, database: Path,
                   ids_given: dict[str, int]) -> None:
    """Make the copy a database again (no backup mark, rollback journal until it is opened)
    on a new line of changes, with the permissions it will have, and sync it. ``ids_given``:
    the replaced database's (see :attr:`Restore.ids_given`)."""
    above = {table: seq for table, seq in ids_given.items()
             if seq > restored.sequences.get(table, 0)}
    record = Restore(lineage, restored.lineage, now.strftime(_RECORDED),
                     restored.schema_version, restored.sequences, str(backup.resolve()),
                     ids_given=above)
    restores = [r.as_dict() for r in (*restored.restores, record)]
    conn = sqlite3.connect(temp, isolation_level=None)
    try:
        conn.execute("PRAGMA journal_mode = DELETE")
        conn.execute("BEGIN IMMEDIATE")
        conn.execute("DELETE FROM user_settings WHERE key = ?", (LINEAGE_KEY,))
        conn.execute("INSERT INTO user_settings (key, value, value_type) VALUES (?, ?, 'json')",
                     (LINEAGE_KEY, json.dumps(restores, sort_keys=True)))
        place = file_place(temp)  # (its inode is the database's once renamed over it)
        if place is not None:  # (where it will be: not a copy of the database found there)
            record_place(conn, replace(place, path=os.path.realpath(database)))
        conn.execute("COMMIT")
        conn.execute("PRAGMA application_id = 0")
    finally:
        conn.close()
    os.chmod(temp, mode)
    _same_group(temp, database)
    with temp.open("rb") as written:
        os.fsync(written.fileno())


def _same_group(temp: Path, database: Path) -> None:
    """Give the restored file the replaced one's group, where this user may (QA157 F11: a
    database shared by a group, restored, was writable by its owner alone)."""
    try:
        group = os.stat(database).st_gid
        if os.stat(temp).st_gid != group:
            os.chown(temp, -1, group)
    except OSError:
        pass  # (no file replaced, or a group this user is not in: the system's default)


def _let_go(db: Database) -> None:
    """Checkpoint the whole WAL into the database file and close it: after this, the file
    alone holds the database, and its side files can go. Refused while another program (not
    ROM Runner, which takes its lock file: a sqlite3 shell, a database browser) holds a write
    transaction open on it: its commit would go into the file replaced (QA32 F8)."""
    try:
        db.conn.execute("BEGIN IMMEDIATE")
        db.conn.execute("ROLLBACK")
    except sqlite3.OperationalError as exc:
        db.close()
        if "locked" in str(exc) or "busy" in str(exc):
            raise DatabaseBusyError(
                f"{db.path}: another program is writing to the database (a sqlite3 shell, a "
                "database browser?); nothing was changed: close it, then restore") from exc
        raise sqlite_error(db.path, exc) from exc
    try:
        row = db.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()
    except sqlite3.Error as exc:
        db.close()
        if "locked" in str(exc) or "busy" in str(exc):
            raise DatabaseBusyError(
                f"{db.path}: another program has the database open and reading (a sqlite3 "
                "shell, a database browser?); nothing was changed: close it, then restore"
            ) from exc
        raise sqlite_error(db.path, exc) from exc
    busy, frames, done = (int(value) for value in row)
    db.close()
    if busy and frames != done:
        raise DatabaseError(
            f"{db.path}: a command reading the database keeps its last changes in the WAL; "
            "nothing was changed, try again when it has finished")


@contextlib.contextmanager
def _interrupts_held() -> Iterator[None]:
    """SIGINT held back while the body runs (in the main thread; elsewhere nothing to hold):
    a Ctrl-C during it is raised once it has ended."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, previous)


def _swap(temp: Path, path: Path) -> None:
    for side in _SIDE_FILES:
        with contextlib.suppress(FileNotFoundError):
            Path(f"{path}{side}").unlink()
    sync_folder(path.parent)
    os.replace(temp, path)
    sync_folder(path.parent)


