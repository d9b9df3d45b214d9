"""Online backups with SQLite's backup API, written atomically and never over a user's file.

A backup is marked in its SQLite header (``PRAGMA application_id``), so an earlier backup of
ours can be replaced while any other file at the destination is refused unless forced. Into a
folder, backups are named by time and never replace one another.

A backup is replaced without ``force`` only when it is of the same database (the
``database_id`` every database holds in ``user_settings``; a copy of the file keeps it) at a
state no newer than the one written: an older schema version, or, at the same version, no
AUTOINCREMENT counter (``sqlite_sequence``: games, collections, profiles, overrides,
deployments…) ahead of this database's. Those counters only grow, deletions included, so a
backup holding rows this database never had is never replaced by it.

The counters order the states of one line of changes only. ``db restore`` takes a database
back to an earlier state, from which it goes on anew: the changes made after that state, on
the line it left, live on only in backups, and the counters of the new line soon pass theirs.
So a restore starts a new *lineage* (``user_settings`` ``database_lineage``: each restore's
id, the lineage it left and the counters of the state it went back to). A backup of another
lineage is replaced only when it is of an ancestor lineage at a state no newer than the one
this database went back to; a backup of the line that was left needs ``force``.

A plain copy of the database file into another folder of the same computer is a database of
its own from its first write too: each database records where its file is (``user_settings``
``database_place``: the computer, the path, the device and inode), and a command that writes
to another file (inode) at another path of this computer while the recorded one is still
there starts a line of changes of its own first, as a backup written to does (see
:func:`copied_elsewhere`; a file last written on another computer is the same database).
"""

from __future__ import annotations

import contextlib
import errno
import json
import os
import re
import secrets
import socket
import sqlite3
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from romrunner.errors import CorruptDatabaseError, DatabaseError, DiskFullError, InputError
from romrunner.store.database import (
    SQLITE_MAGIC,
    Database,
    file_size_or_zero,
    missing_folders,
    no_room_for_files,
    sqlite_error,
)
from romrunner.tempfiles import create, remove_abandoned
from romrunner.timeutil import utc_now
from romrunner.words import counted, shell_word, size_text

BACKUP_APPLICATION_ID = 0x52524B42  # "RRKB": a ROM Runner backup
_APPLICATION_ID_OFFSET = 68
_SIDE_FILES = ("-journal", "-wal", "-shm")
_TEMP_PREFIX, _TEMP_SUFFIX = ".romrunner-backup.", ".tmp"
RESTORE_TEMP_PREFIX = ".romrunner-restore."  # (a restore's copy of the backup: restore.py)
LINEAGE_KEY = "database_lineage"
PLACE_KEY = "database_place"
# Settings that tell one file of a database from another, not what it holds (see same_rows).
_MARK_KEYS = (LINEAGE_KEY, PLACE_KEY)


def is_backup_file(path: Path) -> bool:
    """True when ``path`` is a regular file written by :func:`backup_database` and not
    written to since: a write-ahead log beside it holds a write whose cleared mark the file's
    header does not show yet (review 108 F5)."""
    try:
        if not path.is_file() or file_size_or_zero(Path(f"{path}-wal")):
            return False
        with path.open("rb") as handle:
            header = handle.read(_APPLICATION_ID_OFFSET + 4)
    except OSError:
        return False
    return (header.startswith(SQLITE_MAGIC) and len(header) == _APPLICATION_ID_OFFSET + 4
            and int.from_bytes(header[_APPLICATION_ID_OFFSET:], "big") == BACKUP_APPLICATION_ID)


def names_a_folder(text: str) -> bool:
    """True when a path as the user typed it names a folder whatever is there: it ends in a
    separator, ``.`` or ``..`` (a :class:`Path` drops those: "NEW/." wrote a file NEW,
    review 33 R5)."""
    return os.path.basename(text) in ("", ".", "..")


def backup_database(db: Database, dest: Path | str, *, force: bool = False,
                    now: datetime | None = None) -> Path:
    """Copy the live database to ``dest`` (consistent even while others read).

    ``dest`` is a file, or a folder (an existing one, or a name ending in ``/``) that gets a
    new ``romrunner-YYYYmmdd-HHMMSS.db``. An existing file is replaced only when it is an
    earlier backup or ``force`` is set. The copy is written to a temporary file beside the
    destination, synced, and renamed into place, so a crash never leaves a half-written backup
    under the final name, and a failure leaves no temporary file behind. A source that fails
    ``PRAGMA quick_check`` is refused before anything is written, so a corrupt database never
    replaces a good backup.
    """
    check_source(db)
    folder = names_a_folder(str(dest)) or Path(dest).is_dir()
    dest = Path(dest)
    if not folder:
        _check_file_destination(db, dest, force)
    made = missing_folders(dest if folder else dest.parent)
    _refuse_folders_far_from_any(made)
    try:
        if folder:
            _make_folder(dest)
            stamp = (now or utc_now()).strftime("%Y%m%d-%H%M%S")
            return _write(db, dest, lambda temp: _place_new(temp, dest, f"romrunner-{stamp}"))
        _make_folder(dest.parent)
        return _write(db, dest.parent, lambda temp: _place(temp, dest), dest)
    except DiskFullError as exc:
        room = no_room_for_files(dest if folder else dest.parent, needs=_database_bytes(db))
        if room is not None:  # (no inode, not bytes, short: p47a F4)
            raise DiskFullError(f"{dest}: no backup was written: {room}; remove some files "
                                "there and run it again") from exc
        raise DiskFullError(f"{dest}: no backup was written, the disk is full: it needs "
                            f"about {size_text(_database_bytes(db))} free there; free some "
                            "space and run it again") from exc
    finally:
        _remove_if_empty(made)  # (a failed backup leaves no folder it made: QA157 F13)


def _refuse_folders_far_from_any(missing: list[Path]) -> None:
    """Refuse a backup whose folder is more than one level away from a folder that exists:
    a mistyped path, or a drive not mounted whose mount point is gone (qa196 F6: the
    folders were made on the system disk, the backup said written, and hidden once the
    drive was mounted over them). One new folder in an existing one is made."""
    if len(missing) > 1:
        raise InputError(f"{missing[0]}: no such folder (is the drive mounted?); no backup "
                         f"was written (create {missing[-2]} first to have it written there)")


def _remove_if_empty(folders: list[Path]) -> None:
    """Remove those of ``folders`` (outermost first) left empty, innermost first."""
    for folder in reversed(folders):
        try:
            folder.rmdir()
        except OSError:
            return


def _database_bytes(db: Database) -> int:
    """The database's size with its WAL: what a copy of it takes."""
    return sum(path.stat().st_size for path in (db.path, Path(f"{db.path}-wal"))
               if path.is_file())


def check_source(db: Database) -> None:
    """Raise :class:`CorruptDatabaseError` when ``db`` fails ``PRAGMA quick_check``."""
    try:
        rows = db.conn.execute("PRAGMA quick_check").fetchall()
    except sqlite3.Error as exc:
        raise sqlite_error(db.path, exc) from exc
    found = [str(row[0]) for row in rows]
    if found != ["ok"]:
        first = found[0] if found else "quick_check gave no answer"
        more = f" and {len(found) - 1} more" if len(found) > 1 else ""
        raise CorruptDatabaseError(
            f"{db.path}: database is corrupt or unreadable ({first}{more}); "
            "run `romrunner db check`, restore a backup (`romrunner db restore BACKUP`)")


def refuse_database_files(db: Database, dest: Path, *, folder_ok: bool = True) -> None:
    """Refuse ``dest`` when it is the database or one of its side files (``-wal``, ``-shm``,
    ``-journal``: a file written there is read as the database's own at its next open;
    ``.lock``: the next writer truncates it, and a lock replaced lets two writers in, QA70
    F1), whether they exist now or not (QA28 F12: a fixdat written over the database).
    ``folder_ok``: the command also takes a folder (its message says so)."""
    if str(db.path) == ":memory:":
        return
    where = Path(os.path.realpath(dest))
    base = Path(os.path.realpath(db.path))
    for suffix, what in (("", "the database itself"), ("-wal", "the database's wal file"),
                         ("-shm", "the database's shm file"),
                         ("-journal", "the database's journal file"),
                         (".lock", "the database's writer lock file")):
        side = base.with_name(base.name + suffix)
        if where == side or _same_file(dest, side):
            raise InputError(f"{dest}: is {what}; give another file"
                             + (" or a folder" if folder_ok else ""))


def _check_file_destination(db: Database, dest: Path, force: bool) -> None:
    refuse_database_files(db, dest)
    for suffix, what in (("-wal", "write-ahead log"), ("-journal", "rollback journal")):
        # (a database's log beside it, a killed command's: SQLite would apply it to the
        # backup put there, --force or not, the file there or deleted: review 105 F7, 108 F2)
        if file_size_or_zero(Path(f"{dest}{suffix}")):
            raise InputError(f"{dest}{suffix}: a database's {what} is there, which SQLite would "
                             "apply to a backup written beside it; give another name, or open "
                             f"that database once (`romrunner --db {shell_word(dest)} db init`) to "
                             "fold it")
    if not os.path.lexists(dest):
        return
    if not dest.is_file():
        raise InputError(f"{dest}: exists and is not a regular file; give another name")
    if force:
        return
    if not is_backup_file(dest):
        raise InputError(f"{dest}: exists and is not a ROM Runner backup; give another name "
                         "or a folder, or use --force to replace it")
    problem = _replace_problem(db, dest) or _unwritten_copy(db, dest)
    if problem is not None:
        raise InputError(f"{dest}: {problem}; nothing was written (give another name or a "
                         "folder, or use --force to replace it)")


@dataclass(frozen=True)
class Restore:
    """One restore in a database's past: it started ``lineage``, leaving ``parent`` (None: the
    database's first line) at the state the backup held (its schema version and counters)."""

    lineage: str
    parent: str | None
    at: str
    schema_version: int | None
    sequences: dict[str, int]
    source: str | None = None  # the backup file restored (None: recorded before it was)
    # not a restore: a backup (or a copy of one) written to as a database, a line of changes
    # of its own from then (QA141 F1: its `db backup` replaced the first computer's latest)
    copy: bool = False
    # a copy of the database file itself (not of a backup) found elsewhere at its first
    # write (QA157 F15: its `db backup` replaced the other copy's, unsaid)
    file_copy: bool = False
    # the highest id each table had given in the database a restore replaced (and before
    # it): ids given since start above them, so an id said before the restore (`deploy show
    # 13`) never names another row after it (qa175 F8: deployment 13 again, other contents)
    ids_given: dict[str, int] = field(default_factory=dict)

    def as_dict(self) -> dict[str, object]:
        """The record kept in ``user_settings``."""
        return {"lineage": self.lineage, "parent": self.parent, "at": self.at,
                "schema_version": self.schema_version, "sequences": self.sequences,
                "source": self.source, **({"copy": True} if self.copy else {}),
                **({"file_copy": True} if self.file_copy else {}),
                **({"ids_given": self.ids_given} if self.ids_given else {})}

    def said(self) -> str:
        """When this line of changes began, in words (after "this database was")."""
        if self.file_copy:
            return f"a copy of the database file, first written to {self.at}"
        return (f"a copy of a backup first written to {self.at}" if self.copy
                else f"restored {self.at}")


def _restores(value: object) -> tuple[Restore, ...]:
    """The restores recorded in ``database_lineage`` (a damaged record reads as none)."""
    try:
        records = json.loads(value) if isinstance(value, str) else []
        return tuple(Restore(str(r["lineage"]), None if r["parent"] is None else str(r["parent"]),
                             str(r["at"]), None if r["schema_version"] is None
                             else int(r["schema_version"]),
                             {str(k): int(v) for k, v in dict(r["sequences"]).items()},
                             None if r.get("source") is None else str(r["source"]),
                             bool(r.get("copy", False)), bool(r.get("file_copy", False)),
                             {str(k): int(v) for k, v in dict(r.get("ids_given", {})).items()})
                     for r in records)
    except (ValueError, TypeError, KeyError):
        return ()


def ids_given_by(state: DatabaseState) -> dict[str, int]:
    """The highest id each table of the database in ``state`` has given, in its present
    line of changes or before any restore in its past."""
    given = dict(state.sequences)
    for restore in state.restores:
        for table, seq in restore.ids_given.items():
            given[table] = max(given.get(table, 0), seq)
    return given


def first_id_after_restores(conn: sqlite3.Connection, table: str) -> int | None:
    """The id the next row of ``table`` (an ``AUTOINCREMENT`` one) takes so as to name no
    row a database this one was restored over had (None: the usual next id does)."""
    row = conn.execute("SELECT value FROM user_settings WHERE key = ?",
                       (LINEAGE_KEY,)).fetchone()
    floor = max((r.ids_given.get(table, 0) for r in _restores(row[0] if row else None)),
                default=0)
    seq = conn.execute("SELECT seq FROM sqlite_sequence WHERE name = ?", (table,)).fetchone()
    return floor + 1 if floor > (int(seq[0]) if seq else 0) else None


@dataclass(frozen=True)
class DatabaseState:
    """What tells one database's state from another's."""

    database_id: str | None
    schema_version: int | None
    sequences: dict[str, int]
    games: int | None
    history: frozenset[tuple[int, str]]  # (version, applied_at) of each migration applied
    restores: tuple[Restore, ...] = ()  # oldest first

    @property
    def lineage(self) -> str | None:
        """The line of changes this state is on (None: never restored)."""
        return self.restores[-1].lineage if self.restores else None


def database_state(conn: sqlite3.Connection) -> DatabaseState:
    """The state of the database on ``conn`` (any schema version; absent tables read as
    nothing)."""
    tables = {str(row[0]) for row in conn.execute(
        "SELECT name FROM sqlite_master WHERE type = 'table'")}

    def scalar(sql: str, table: str) -> object:
        if table not in tables:
            return None
        row = conn.execute(sql).fetchone()
        return row[0] if row is not None else None

    database_id = scalar("SELECT value FROM user_settings WHERE key = 'database_id'",
                         "user_settings")
    lineage = scalar(f"SELECT value FROM user_settings WHERE key = '{LINEAGE_KEY}'",
                     "user_settings")
    version = scalar("SELECT schema_version FROM schema_version WHERE id = 1", "schema_version")
    games = scalar("SELECT count(*) FROM games", "games")
    sequences = {str(name): int(seq) for name, seq in conn.execute(
        "SELECT name, seq FROM sqlite_sequence")} if "sqlite_sequence" in tables else {}
    history = frozenset((int(v), str(at)) for v, at in conn.execute(
        "SELECT version, applied_at FROM schema_migrations")) \
        if "schema_migrations" in tables else frozenset()
    return DatabaseState(str(database_id) if database_id else None,
                         version if isinstance(version, int) else None, sequences,
                         games if isinstance(games, int) else None, history,
                         _restores(lineage))


def fork_line_of_changes(conn: sqlite3.Connection,
                         before: DatabaseState | None = None, *,
                         file_copy: bool = False) -> str:
    """Start a line of changes of its own for the database on ``conn``: a backup (or a copy
    of one, another computer's database) written to for the first time, in that write's
    transaction. A backup of it then never replaces, as an older state of one line, a backup
    of the database it was copied from that holds edits it lacks (QA141 F1), and a card
    tells its deploys from that database's. ``before``: its state before that write (else
    read now). ``file_copy``: a copy of the database file itself, found elsewhere (see
    :func:`copied_elsewhere`). Returns the new line's id."""
    state = before if before is not None else database_state(conn)
    record = Restore(secrets.token_hex(16), state.lineage,
                     datetime.now(UTC).strftime("%Y-%m-%d %H:%M:%S UTC"),
                     state.schema_version, state.sequences, None, copy=True,
                     file_copy=file_copy)
    conn.execute("DELETE FROM user_settings WHERE key = ?", (LINEAGE_KEY,))
    conn.execute("INSERT INTO user_settings (key, value, value_type) VALUES (?, ?, 'json')",
                 (LINEAGE_KEY, json.dumps([r.as_dict() for r in (*state.restores, record)],
                                          sort_keys=True)))
    return record.lineage


def line_of_changes(conn: sqlite3.Connection) -> Restore | None:
    """How the line of changes the database on ``conn`` is on began (a restore, a backup or
    the database file copied and written to), or None: its first line."""
    if conn.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' "
                    "AND name = 'user_settings'").fetchone() is None:
        return None
    row = conn.execute("SELECT value FROM user_settings WHERE key = ?",
                       (LINEAGE_KEY,)).fetchone()
    restores = _restores(row[0] if row is not None else None)
    return restores[-1] if restores else None


@dataclass(frozen=True)
class FilePlace:
    """Where a database's file is: the computer, its real path, its device and inode."""

    host: str
    path: str
    device: int
    inode: int

    def as_json(self) -> str:
        """The record kept in ``user_settings``."""
        return json.dumps({"host": self.host, "path": self.path, "device": self.device,
                           "inode": self.inode}, sort_keys=True)


def file_place(path: Path) -> FilePlace | None:
    """Where the file at ``path`` is now (None: no file)."""
    try:
        info = os.stat(path)
    except OSError:
        return None
    return FilePlace(socket.gethostname(), os.path.realpath(path), info.st_dev, info.st_ino)


def recorded_place(conn: sqlite3.Connection) -> FilePlace | None:
    """Where the database on ``conn`` last recorded its file to be (None: not recorded, a
    database of an earlier release or one with no settings yet, or a damaged record)."""
    if conn.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' "
                    "AND name = 'user_settings'").fetchone() is None:
        return None
    row = conn.execute("SELECT value FROM user_settings WHERE key = ?", (PLACE_KEY,)).fetchone()
    try:
        found = json.loads(row[0]) if row is not None and isinstance(row[0], str) else None
        return None if found is None else FilePlace(
            str(found["host"]), str(found["path"]), int(found["device"]), int(found["inode"]))
    except (ValueError, TypeError, KeyError):
        return None


def record_place(conn: sqlite3.Connection, place: FilePlace) -> None:
    """Record ``place`` as where the database on ``conn`` is (inside the caller's
    transaction; nothing when the database has no settings table yet)."""
    if conn.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' "
                    "AND name = 'user_settings'").fetchone() is None:
        return
    conn.execute("DELETE FROM user_settings WHERE key = ?", (PLACE_KEY,))
    conn.execute("INSERT INTO user_settings (key, value, value_type) VALUES (?, ?, 'json')",
                 (PLACE_KEY, place.as_json()))


def copied_elsewhere(recorded: FilePlace | None, now: FilePlace) -> bool:
    """True when the file at ``now`` is a copy of the database that recorded ``recorded``,
    by proof: on this computer, another file (inode) at another path while the recorded
    file is still at its own. Anything else is the same file: moved or renamed (same
    inode), put back at its place by a file-sync tool or a remount that numbers inodes
    anew (same path), copied to another disk with the first removed — and a file last
    written on another computer, which cannot be told from a copy from here: a database on
    a USB stick carried between two computers gets new inode numbers at every mount (review
    36 F2: it forked at every hand-over, and its own backup was refused as "a copy's").
    Not recorded (an earlier release's database): never a copy."""
    if recorded is None or recorded.host != now.host:
        return False
    return recorded.inode != now.inode and recorded.path != now.path \
        and _still_there(recorded)


def _still_there(recorded: FilePlace) -> bool:
    """True when the file ``recorded`` (on this computer) is still at its path: the same
    inode (not device: a disk remounted gets another device number, and the original was
    taken for gone — QA164 F11)."""
    try:
        info = os.stat(recorded.path)
    except OSError:
        return False
    return info.st_ino == recorded.inode


def _unwritten_copy(db: Database, dest: Path) -> str | None:
    """Why ``db``'s backup may not replace the backup ``dest``: ``db`` is a copy of the
    database file (see copied_elsewhere) not written to since, so not yet a line of changes
    of its own — whose backup would replace the first file's latest, which may hold changes
    the copy lacks (QA164 F9: a copy's first command a `db backup`). None otherwise, or when
    ``dest`` holds what the copy holds, row for row (its own earlier backup: review 36b F3)."""
    now = file_place(db.path)
    recorded = recorded_place(db.conn)
    if now is None or recorded is None or not copied_elsewhere(recorded, now):
        return None
    try:
        if same_rows(dest, db.path):
            return None
    except sqlite3.Error:
        pass
    return (f"this database is a copy of the database file {recorded.path}, not written to "
            "since: its backup would replace one that may hold that file's changes since the "
            "copy")


def writer_identity(conn: sqlite3.Connection) -> tuple[str, str]:
    """This database's id and the lineage it is on since a restore ("" for none): with the
    place of its file, what a card's manifest records as the writer of the files this
    database deploys (see ``deploy.execute.Claims.writer``)."""
    found = dict(conn.execute(
        "SELECT key, value FROM user_settings WHERE key IN ('database_id', ?)", (LINEAGE_KEY,)))
    restores = _restores(found.get(LINEAGE_KEY))
    return str(found.get("database_id") or ""), restores[-1].lineage if restores else ""


def _same_history(existing: DatabaseState, source: DatabaseState) -> bool:
    """True when ``existing`` (a backup written before databases had an id) went through the
    same migrations at the same moments as ``source``: the same database at an earlier
    schema (the first migration's time is the second the database was created)."""
    return bool(existing.history) and existing.history <= source.history


def _replace_problem(db: Database, dest: Path) -> str | None:
    """Why the earlier backup ``dest`` must not be replaced by a backup of ``db`` (None: it
    may be): it is of another database, or of this one with changes it does not have."""
    try:
        source = database_state(db.conn)
    except sqlite3.Error as exc:
        raise sqlite_error(db.path, exc) from exc
    try:
        other = sqlite3.connect(f"{dest.resolve().as_uri()}?mode=ro&immutable=1", uri=True)
        try:
            existing = database_state(other)
        finally:
            other.close()
    except sqlite3.Error as exc:
        return f"a ROM Runner backup that cannot be read ({exc})"
    written = written_at(dest)
    holds = counted(existing.games, "game") if existing.games is not None \
        else "no games table"
    whose = f"written {written}, {holds}"
    if existing.database_id is None and not _same_history(existing, source):
        return f"a ROM Runner backup whose database is not recorded ({whose})"
    if source.database_id is None:
        return (f"a ROM Runner backup ({whose}); this database has no id yet to compare "
                "(`romrunner db migrate` gives it one)")
    if existing.database_id is not None and existing.database_id != source.database_id:
        return f"a ROM Runner backup of another database ({whose})"
    reached = state_reached(existing, source)
    if reached is None:
        restored = f"; this database was {source.restores[-1].said()}" \
            if source.restores else ""
        how = "a copy" if source.restores and source.restores[-1].copy else "a restore"
        return (f"a ROM Runner backup of this database from another line of changes, split "
                f"from this one by {how} ({whose}{restored})")
    if reached is not source and not _newer(existing, reached) \
            and existing.sequences == reached.sequences \
            and existing.schema_version == reached.schema_version \
            and not _holds_the_state_restored(dest, source, existing.lineage):
        last = source.restores[-1]
        if last.copy:  # (its rows at the copy are not known: review 142 F2)
            losing_nothing = ("if the database it was copied from has no changes since this "
                              "backup" if last.file_copy else
                              "if it is the very backup this one was copied from")
            return (f"a ROM Runner backup of this database from before it was copied ({whose};"
                    f" this database is {last.said()}): it may hold edits made since to the "
                    f"database it was copied from ({losing_nothing}, --force replaces it "
                    "losing nothing)")
        return (f"a ROM Runner backup of this database from the line of changes a restore "
                f"left ({whose}), holding changes it does not have (edits or removals since "
                f"the state restored {last.at})")
    if _newer(existing, reached):
        latest = source.restores[-1] if source.restores else None
        since = "" if reached is source or latest is None else (
            f"; made of a copy of a backup, first written to {latest.at}" if latest.copy
            else f"; restored {latest.at} to an earlier state")
        return (f"a ROM Runner backup of this database holding changes it does not have "
                f"({whose}; this database: {counted(source.games or 0, 'game')}{since})")
    return None


def _holds_the_state_restored(dest: Path, source: DatabaseState, lineage: str | None) -> bool:
    """True when the backup ``dest``, of the line ``lineage`` a restore of ``source`` left,
    with the counters of the state that restore went back to, holds that state's rows (the
    backup restored, or a copy of it): not a later state of that line whose changes were
    edits and removals, which leave the counters as they were (QA38 F7). Untold (the backup
    restored is gone, or was restored before its name was recorded): False."""
    restore = next((r for r in reversed(source.restores) if r.parent == lineage), None)
    if restore is None or restore.source is None:
        return False
    restored = Path(restore.source)
    try:
        return _same_file(dest, restored) or (restored.is_file() and same_rows(dest, restored))
    except sqlite3.Error:
        return False


def state_reached(existing: DatabaseState, source: DatabaseState) -> DatabaseState | None:
    """The state of ``source``'s past on ``existing``'s line of changes, to compare with
    ``existing``: ``source`` itself on the same line, the state a restore went back to on an
    earlier line, or None when ``source`` never was on that line (a line a restore left)."""
    if existing.lineage == source.lineage:
        return source
    for restore in reversed(source.restores):
        if restore.parent == existing.lineage:
            return DatabaseState(source.database_id, restore.schema_version, restore.sequences,
                                 None, frozenset())
    return None


def _newer(existing: DatabaseState, source: DatabaseState) -> bool:
    """True when ``existing`` is of a later state than ``source`` (same database)."""
    if existing.schema_version is None or source.schema_version is None:
        return existing.schema_version is not None
    if existing.schema_version != source.schema_version:
        return existing.schema_version > source.schema_version
    return any(seq > source.sequences.get(table, 0)
               for table, seq in existing.sequences.items())


def same_rows(copy: Path, path: Path) -> bool:
    """True when the database at ``path`` holds what the database (or backup) ``copy``
    holds, row for row, in every table but SQLite's own, the search index's and the derived
    ones (their marks of the line of changes and of the file's place aside). The counters of
    :class:`DatabaseState` tell states of one line apart only where rows were added: a state
    whose changes since were edits and deletions (a member taken out of a collection, an
    override removed) has the same counters (QA38 F2, F7). Reads both whole: only where the
    counters are equal."""
    conn = sqlite3.connect(f"{copy.resolve().as_uri()}?mode=ro", uri=True)
    try:
        conn.execute("ATTACH DATABASE ? AS now", (f"{path.resolve().as_uri()}?mode=ro",))
        tables = {schema: _plain_tables(conn, schema) for schema in ("main", "now")}
        if tables["main"] != tables["now"]:
            return False
        return not any(_rows_differ(conn, table, columns)
                       for table, columns in tables["main"].items())
    finally:
        conn.close()


def _rows_differ(conn: sqlite3.Connection, table: str, columns: str) -> bool:
    """True when ``table`` holds other rows in ``main`` than in ``now`` (see same_rows)."""
    quoted = '"' + table.replace('"', '""') + '"'
    where, params = ("WHERE key NOT IN (?, ?)", _MARK_KEYS) if table == "user_settings" \
        else ("", ())
    counts = conn.execute(f"SELECT (SELECT count(*) FROM main.{quoted} {where}), "
                          f"(SELECT count(*) FROM now.{quoted} {where})", params * 2).fetchone()
    return bool(counts[0] != counts[1] or conn.execute(
        f"SELECT EXISTS (SELECT {columns} FROM main.{quoted} {where} "
        f"EXCEPT SELECT {columns} FROM now.{quoted} {where})", params * 2).fetchone()[0])


# Tables whose rows are derived from the others' (plan_generation: a token drawn again by any
# write, the restore's own mark of the copy included): not compared.
_DERIVED_TABLES = frozenset({"plan_generation"})


def _plain_tables(conn: sqlite3.Connection, schema: str) -> dict[str, str]:
    """The ordinary tables of ``schema`` (not SQLite's own, not a virtual table nor its
    shadow tables, not derived), each with its columns quoted and joined (same_rows)."""
    rows = conn.execute(f"SELECT name, sql FROM {schema}.sqlite_master WHERE type = 'table'"
                        ).fetchall()
    virtual = [str(name) for name, sql in rows if str(sql or "").upper().startswith(
        "CREATE VIRTUAL")]
    tables: dict[str, str] = {}
    for name, _ in rows:
        name = str(name)
        if name.startswith("sqlite_") or name in virtual or name in _DERIVED_TABLES \
                or any(name.startswith(f"{table}_") for table in virtual):
            continue
        columns = [str(row[1]) for row in conn.execute(
            "SELECT * FROM pragma_table_info(?, ?)", (name, schema))]
        tables[name] = ", ".join('"' + column.replace('"', '""') + '"' for column in columns)
    return tables


def _same_file(one: Path, other: Path) -> bool:
    try:
        return os.path.samefile(one, other)
    except OSError:
        return False


def _make_folder(folder: Path) -> None:
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise DatabaseError(f"{folder}: cannot create the backup folder ({exc.strerror})") \
            from exc
    if not folder.is_dir():
        raise InputError(f"{folder}: is not a folder")


def _write(db: Database, folder: Path, place: Callable[[Path], Path],
           named: Path | None = None) -> Path:
    """Write the backup through a temporary file in ``folder``; a failure names ``named``
    (what the user gave), not the temporary file (QA83 F6)."""
    named = named or folder
    remove_stale_temporaries(folder)
    try:
        # Held until the end: a temporary file whose lock can be taken belongs to a backup
        # that died (killed, power lost), so the next backup into this folder may remove it.
        handle, temp = create(folder, _TEMP_PREFIX, _TEMP_SUFFIX)
    except OSError as exc:
        kind = DiskFullError if exc.errno == errno.ENOSPC else DatabaseError
        raise kind(f"{named}: cannot write the backup ({exc.strerror})") from exc
    try:
        _copy(db, temp)
        written = place(temp)
        sync_folder(folder)
        return written
    except sqlite3.Error as exc:
        if "unable to open" in str(exc).lower() and no_room_for_files(folder) is not None:
            # (SQLite could not make the copy's journal: ``named`` may be the folder, whose
            # parent sqlite_error would look at)
            raise DiskFullError(f"{named}: cannot write the backup ({exc})") from exc
        raise sqlite_error(named, exc) from exc
    except OSError as exc:
        kind = DiskFullError if exc.errno == errno.ENOSPC else DatabaseError
        raise kind(f"{named}: cannot write the backup ({exc.strerror})") from exc
    finally:
        _remove_temporary(temp)
        os.close(handle)


def remove_stale_temporaries(folder: Path, prefix: str = _TEMP_PREFIX) -> int:
    """Remove temporary files of backups (or, by ``prefix``, restores) into ``folder`` that
    died, with their side files; returns how many.

    Only names this module creates are considered, and only those no running backup holds
    (each backup holds its temporary file while it writes: see ``tempfiles``).
    """
    pattern = re.compile(f"{re.escape(prefix)}.*{re.escape(_TEMP_SUFFIX)}", re.DOTALL)
    return remove_abandoned(folder, pattern, _SIDE_FILES)


def _remove_temporary(temp: Path) -> None:
    for leftover in (temp, *(Path(f"{temp}{side}") for side in _SIDE_FILES)):
        with contextlib.suppress(FileNotFoundError):
            leftover.unlink()


def _copy(db: Database, temp: Path) -> None:
    target = sqlite3.connect(temp)
    try:
        db.conn.backup(target)
        target.execute("PRAGMA journal_mode = DELETE")
        target.execute(f"PRAGMA application_id = {BACKUP_APPLICATION_ID}")
    finally:
        target.close()
    with temp.open("rb") as written:
        os.fsync(written.fileno())


def _place(temp: Path, dest: Path) -> Path:
    os.replace(temp, dest)
    return dest


def _place_new(temp: Path, folder: Path, stem: str) -> Path:
    """Give ``temp`` a name in ``folder`` that no file has yet (never replaces one)."""
    number = 1
    while True:
        dest = folder / (f"{stem}.db" if number == 1 else f"{stem}-{number}.db")
        try:
            os.link(temp, dest)
        except FileExistsError:
            number += 1
            continue
        except OSError:  # no hard links here (FAT, exFAT): check, then rename
            if os.path.lexists(dest):
                number += 1
                continue
            os.replace(temp, dest)
            return dest
        temp.unlink()
        return dest


def written_at(path: Path) -> str:
    """When ``path`` was last written, in the engine's UTC words (``2026-12-01 23:41 UTC``)."""
    return datetime.fromtimestamp(path.stat().st_mtime, UTC).strftime("%Y-%m-%d %H:%M UTC")


def sync_folder(folder: Path) -> None:
    """Make the renames in ``folder`` durable where the system allows (best effort)."""
    with contextlib.suppress(OSError):
        fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)
