"""Opening the database the way a command needs it."""

from __future__ import annotations

import contextlib
import errno
import os
import re
import stat
from collections.abc import Callable
from dataclasses import dataclass, field
from enum import Enum
from pathlib import Path

from romrunner.errors import (
    CorruptDatabaseError,
    DatabaseBusyError,
    DatabaseError,
    DiskFullError,
    DiskIOError,
    InputError,
    MigrationRequiredError,
    NoDatabaseError,
    ReadOnlyVolumeError,
)
from romrunner.store.backup import (
    BACKUP_APPLICATION_ID,
    RESTORE_TEMP_PREFIX,
    DatabaseState,
    FilePlace,
    copied_elsewhere,
    database_state,
    file_place,
    fork_line_of_changes,
    is_backup_file,
    line_of_changes,
    record_place,
    recorded_place,
    remove_stale_temporaries,
    sync_folder,
)
from romrunner.store.database import (
    Database,
    check_is_sqlite_file,
    file_flags_refuse_writes,
    file_size_or_zero,
    folder_is_writable,
    missing_folders,
    not_writable_file,
    not_writable_folder,
    on_read_only_volume,
)
from romrunner.store.lock import (
    LockHolder,
    WriterLock,
    holder_now,
    lock_path,
    writer_lock_is_held,
)
from romrunner.store.migrate import (
    LATEST_VERSION,
    current_version,
    migrate,
    pending_migrations,
    refuse_version_below_recorded,
)
from romrunner.tempfiles import create, remove_abandoned, usual_mode
from romrunner.words import shell_word


class OpenMode(Enum):
    """What a command will do with the database."""

    INSPECT = "inspect"    # read-only; never create, never migrate (db status, db check)
    READ = "read"          # read-only; never create; refuse an outdated one
    WRITE = "write"        # create, and migrate an outdated one (saying so)
    MAINTAIN = "maintain"  # create; never migrate by itself (db migrate does it, reporting)

    @property
    def writes(self) -> bool:
        """True for the modes that may change the file (and take the writer lock)."""
        return self in (OpenMode.WRITE, OpenMode.MAINTAIN)


@dataclass
class OpenResult:
    """An open database and what happened while opening it.

    ``new_file``: the file did not exist before (this command made it, and with it, when
    ``new_lock_file``, the writer lock's file and the folders in ``new_folders``).
    """

    db: Database
    created: bool = False
    notices: list[str] = field(default_factory=list)
    new_file: bool = False
    lock: WriterLock | None = None
    new_lock_file: bool = False
    new_folders: list[Path] = field(default_factory=list)
    backup_mark: BackupMark | None = None  # a file made by `db backup` (see BackupMark)
    place_mark: PlaceMark | None = None  # where the file is, recorded with the first write
    # ``new_file`` made in an empty file that was there (`touch`): a failed command leaves
    # it empty, not gone (QA146 F5: a failed scan left it a database, and its lock)
    was_empty_file: bool = False


def open_database(path: Path, mode: OpenMode, *, lock_as: str | None = None,
                  wait: bool = False,
                  on_wait: Callable[[LockHolder], None] | None = None,
                  make_folders: bool = True) -> OpenResult:
    """Open ``path`` for ``mode``; never migrates silently, never downgrades.

    Reading modes never create a file or folder and open the file read-only. Writing modes
    take the writer lock (:mod:`romrunner.store.lock`) first when ``lock_as`` names the
    command, so migration and creation are covered by it too. ``make_folders``: a writing
    mode makes the database's missing folders (the default database's); without it a path
    whose folder does not exist is refused (one the user gave: see
    :func:`refuse_a_missing_folder`).
    """
    path = Path(path).expanduser()
    check_is_sqlite_file(path)
    if not mode.writes:
        return _open_for_reading(path, mode, make_folders=make_folders)
    refuse_a_foreign_database(path, "ROM Runner writes only to its own database",
                              another_writer_ours=True)
    refuse_a_databases_side_file(path)
    was_backup = is_backup_file(path)
    used_before = lock_path(path).exists()  # a writer worked here once
    new_folders = missing_folders(path.parent)
    lock = prepare_to_write(path, lock_as, wait, on_wait, make_folders=make_folders)
    remove_what_died_here(path.parent)
    if remove_unfinished_creations(path) and not path.exists():
        used_before = False  # (the lock file is taken for the killed creation's)
    empty = path.is_file() and path.stat().st_size == 0
    new = not path.exists() or empty
    made = False
    if new and mode is OpenMode.WRITE:
        try:
            made = create_database(path, mode=stat.S_IMODE(path.stat().st_mode) if empty
                                   else None)
        except BaseException:  # (nothing of the database was left: its lock, folders too)
            _give_up_creating(lock, new_lock_file=lock is not None and not used_before,
                              new_folders=new_folders)
            raise
        if not made:  # another writer made it first: it is that one's
            new = empty = False
    mark = BackupMark() if was_backup else None
    try:
        db = Database(path)
        if mark is not None:
            mark.before = database_state(db.conn)  # (the state its line of changes leaves)
            db.on_first_write(mark)
    except BaseException:
        if new:
            _remove_database_files(path, keep_empty=empty)
        if lock is not None:
            lock.release()
        raise
    if lock is not None:
        db.call_on_close(lock.release)
    try:
        place = place_mark(db, forked=mark is not None)
        if place is not None:
            db.on_first_write(place)
        result = _prepare(db, mode)
        result.created = result.created or made
    except BaseException:
        if new:  # a database this command was creating: leave nothing half-made behind
            discard_new_database(OpenResult(
                db, new_file=True, lock=lock,
                new_lock_file=lock is not None and not used_before, new_folders=new_folders,
                was_empty_file=empty))
        else:
            db.close()
        raise
    if new and used_before and result.created:
        result.notices.append(
            f"created a new, empty database at {path}; a ROM Runner database was used here "
            "before: if it was not removed on purpose, restore a backup "
            "(`romrunner db restore BACKUP`)")
    result.new_file, result.lock, result.backup_mark = new, lock, mark
    result.place_mark = place
    result.was_empty_file = empty
    result.new_lock_file = lock is not None and not used_before
    result.new_folders = new_folders if new else []
    return result


def discard_new_database(result: OpenResult) -> None:
    """Remove the database a command created and then failed in, before it committed
    anything of its own: the file, its WAL, the lock file and the folders the command
    made, so a failed command leaves no trace (the caller checks that it failed and wrote
    nothing; the writer lock is held until the files are gone)."""
    if not result.new_file:
        raise ValueError("only a database this command created is discarded")
    db = result.db
    db.close_connection()
    _remove_database_files(db.path, keep_empty=result.was_empty_file)
    if result.lock is not None and result.new_lock_file:
        result.lock.remove_file()
    db.close()  # releases the writer lock
    _remove_folders(result.new_folders)


def _remove_folders(folders: list[Path]) -> None:
    """Remove the ``folders`` a command made (outermost first), the deepest first; only
    empty ones go."""
    for folder in reversed(folders):
        try:
            folder.rmdir()
        except OSError:
            break


def _give_up_creating(lock: WriterLock | None, *, new_lock_file: bool,
                      new_folders: list[Path]) -> None:
    """After a creation that failed (its files already gone): the writer lock's file when
    this command made it, the lock itself, the folders this command made."""
    if lock is not None:
        if new_lock_file:
            lock.remove_file()
        lock.release()
    _remove_folders(new_folders)


# A new database is made whole under this name in its folder (the database's own name, then
# mkstemp's letters), and renamed into place once complete: a command killed while it made
# one (kill -9, power lost) left a half-migrated file, which the next commands took for an
# older release's database to upgrade, backing it up (qa204 F3)
def _creation_prefix(path: Path) -> str:
    return f".{path.name}.creating-"


def _creation_temporaries(path: Path) -> re.Pattern[str]:
    return re.compile(re.escape(_creation_prefix(path)) + r"[a-z0-9_]+")


def remove_unfinished_creations(path: Path) -> int:
    """Remove what a command killed while it made a new database at ``path`` left: its
    temporary file (see :func:`create_database`) with its side files; one a running command
    still makes is kept (it holds a lock on its file). Returns how many were removed."""
    return remove_abandoned(path.parent, _creation_temporaries(path),
                            ("-journal", "-wal", "-shm"))


def _being_created(path: Path) -> LockHolder | None:
    """The command making a new database at ``path`` now (see :func:`create_database`):
    it holds the writer lock, and the new database's temporary file is there; else None."""
    holder = holder_now(path)
    if holder is None:
        return None
    pattern = _creation_temporaries(path)
    try:
        with os.scandir(path.parent) as entries:
            making = any(pattern.fullmatch(entry.name) for entry in entries)
    except OSError:
        return None
    return holder if making else None


# The longest database file name a new database is given (in bytes): the longest name a file
# system takes is 255, and the backups beside it add up to ~45 (`.before-restore-TIME-N.corrupt`;
# review51a F1: names of 231 and more could be created once, then never upgraded or restored)
LONGEST_NAME = 200


def create_database(path: Path, *, mode: int | None = None) -> bool:
    """Make a new database at ``path`` whole or not at all: every migration is run on a
    temporary file beside it, which is written to disk and then renamed into place, so a
    command killed meanwhile leaves no database (a half-migrated one was taken for an older
    release's), and one that fails (a full disk) leaves nothing. ``mode``: the permissions
    of the empty file at ``path`` it replaces (none is there otherwise: one that appeared
    meanwhile is kept). False when another writer made the database first. Raises
    :class:`DatabaseError` naming ``path``."""
    folder = path.parent
    if len(os.fsencode(path.name)) > LONGEST_NAME:
        raise DatabaseError(f"{path}: cannot create the database: its name is longer than "
                            f"{LONGEST_NAME} bytes, and the files ROM Runner writes beside it "
                            "(its backups before an upgrade or a restore) are named after it; "
                            "give it a shorter name; no database was made")
    try:
        handle, temp = create(folder, _creation_prefix(path), "")
    except OSError as exc:
        raise _not_created(path, exc) from exc
    try:
        _give_mode(handle, usual_mode() & 0o644 if mode is None else mode)
        _migrate_new(temp, path)
        os.fsync(handle)
        _remove_stale_side_files(path)
        placed = _put_in_place(temp, path, replace=mode is not None)
        sync_folder(folder)
        return placed
    except OSError as exc:
        raise _not_created(path, exc) from exc
    finally:
        _remove_database_files(temp)  # (gone from there once in place)
        os.close(handle)


# What a file system that keeps no permissions (or lets none be changed) answers a chmod:
# fusefat ENOSYS, some network mounts EPERM or EOPNOTSUPP
_CHMOD_REFUSED = frozenset({errno.ENOSYS, errno.EPERM, errno.ENOTSUP, errno.EOPNOTSUPP})


def _give_mode(handle: int, mode: int) -> None:
    """Give the new database's temporary file (open as ``handle``) the permissions SQLite
    would have given the file it made (``mkstemp``'s are 0600); a file system that refuses
    the change leaves the file what it gives it, and the creation goes on (review50g F2:
    SQLite's own creation needed no chmod, and such a chmod failed it). Other errors are
    raised."""
    try:
        os.fchmod(handle, mode)
    except OSError as exc:
        if exc.errno not in _CHMOD_REFUSED:
            raise


def _migrate_new(temp: Path, path: Path) -> None:
    """Run every migration on the new database at ``temp`` and leave it whole in its file
    (its write-ahead log emptied into it and removed); errors name ``path``."""
    try:
        db = Database(temp)
        try:
            migrate(db)
            if db.checkpoint("TRUNCATE"):
                raise DatabaseError(f"{temp}: its write-ahead log could not be written into "
                                    "the file")
        finally:
            db.close()
        if file_size_or_zero(Path(f"{temp}-wal")):
            raise DatabaseError(f"{temp}: its write-ahead log could not be written into the "
                                "file")
    except DatabaseError as exc:
        said = str(exc).replace(str(temp), str(path)).removesuffix("; database left unchanged")
        saved = "; nothing of the failed step was saved"
        said = said.replace(saved, "; no database was made") if saved in said \
            else f"{said}; no database was made"
        raise type(exc)(said) from exc


def _remove_stale_side_files(path: Path) -> None:
    """Remove the write-ahead log, shared memory and rollback journal a database no longer at
    ``path`` (gone, or emptied) left beside it, before the new one takes its name: SQLite
    would replay them onto it (review50g F1: a killed scan's log, its database deleted, made
    the new database a corrupt copy of the old games). Called with the writer lock held;
    never where a database with content is at ``path``."""
    try:
        if path.stat().st_size:
            return
    except FileNotFoundError:
        pass
    for suffix in ("-wal", "-shm", "-journal"):
        with contextlib.suppress(FileNotFoundError):
            Path(f"{path}{suffix}").unlink()


def _put_in_place(temp: Path, path: Path, *, replace: bool) -> bool:
    """Give the new database at ``temp`` the name ``path``: over the empty file there
    (``replace``), else only where no file has it yet (False: another writer's is there)."""
    if replace:
        os.replace(temp, path)
        return True
    try:
        os.link(temp, path)
    except FileExistsError:
        return False
    except OSError as exc:  # no hard links here (FAT, exFAT): check, then rename
        if exc.errno == errno.ENOSPC:
            raise
        if os.path.lexists(path):
            return False
        os.replace(temp, path)
        return True
    temp.unlink()
    return True


def _not_created(path: Path, exc: OSError) -> DatabaseError:
    kind = DiskFullError if exc.errno in (errno.ENOSPC, errno.EDQUOT) else DatabaseError
    return kind(f"{path}: cannot create the database ({exc.strerror}); no database was made")


def _remove_database_files(path: Path, *, keep_empty: bool = False) -> None:
    """Remove the database at ``path`` and its side files; ``keep_empty``: the file itself
    is left, emptied, as it was found."""
    for suffix in ("-wal", "-shm", "-journal") if keep_empty else ("", "-wal", "-shm",
                                                                    "-journal"):
        with contextlib.suppress(OSError):
            Path(f"{path}{suffix}").unlink()
    if keep_empty:
        with contextlib.suppress(OSError), open(path, "r+b") as file:
            file.truncate(0)


def _open_for_reading(path: Path, mode: OpenMode, *, make_folders: bool = True) -> OpenResult:
    refuse_a_databases_side_file(path)  # (not "no database in it yet": QA51 F6)
    if not path.exists():
        maker = _being_created(path)
        if maker is not None:
            raise NoDatabaseError(f"no database at {path} yet: another romrunner command is "
                                  f"creating it ({maker.describe()}); try again when it "
                                  "finishes")
        raise NoDatabaseError(f"no database at {path} "
                              f"({how_one_is_made(path, make_folders=make_folders)})")
    if path.stat().st_size == 0:
        raise NoDatabaseError(f"{path}: empty file, no database in it yet "
                              f"({how_one_is_made(path)})")
    db = Database(path, read_only=True)
    try:
        return _prepare(db, mode)
    except BaseException:
        db.close()
        raise


# (qa194 F4: a first-run user did not know which command writes: name the first one)
_MADE_BY = "any command that writes creates it: `romrunner library add PATH` to begin"


def how_one_is_made(path: Path, made_by: str = _MADE_BY, *, make_folders: bool = True) -> str:
    """How a database comes to be at ``path``, where there is none (or an empty file):
    ``made_by``, or, on a read-only volume, that none can be made there (qa181 N6: `db init`
    was advised, which the volume then refused); without ``make_folders`` (a path the user
    gave), that its folder does not exist, where it does not (a command that writes refuses
    it)."""
    if not make_folders and missing_folders(path.parent):
        return (f"its folder {path.parent} does not exist: check --db or ROMRUNNER_DB, or "
                "create the folder first")
    if on_read_only_volume(path):
        return ("on a read-only volume, where no command can make one: give --db (or "
                "ROMRUNNER_DB) a file on a writable one")
    return made_by


def upgrade_advice(path: Path) -> str:
    """How the older database at ``path`` is upgraded, by where it is: copied elsewhere first
    on a read-only volume, made writable first when its file is read-only (qa181 N6: `db
    check` said `db migrate` of both, which they refuse)."""
    if on_read_only_volume(path):
        return ("it is on a read-only volume: copy it to a writable folder, give --db (or "
                "ROMRUNNER_DB) the copy and run `romrunner db migrate`")
    if path.exists() and not os.access(path, os.W_OK):
        why, fix = not_writable_file(path)
        return (f"its file is {why}: {fix} or copy it to a file you may write, then run "
                "`romrunner db migrate`")
    return ("`romrunner db migrate`, or any command that writes, upgrades it; a backup is "
            "written first")


def _reads_as_is(path: Path) -> bool:
    """True when commands that only read can read the database at ``path`` now: it opens
    read-only and needs no upgrade first (which writes)."""
    return _pending_upgrade(path) is False


def _pending_upgrade(path: Path) -> bool | None:
    """Whether the database at ``path``, opened read-only, needs an upgrade before it can be
    read; None when it cannot be read at all (no file, an empty one, one newer than this
    release, a damaged one)."""
    if not path.is_file() or path.stat().st_size == 0:
        return None
    try:
        db = Database(path, read_only=True)
    except DatabaseError:
        return None
    try:
        return bool(pending_migrations(db))
    except DatabaseError:
        return None
    finally:
        db.close()


def prepare_to_write(path: Path, lock_as: str | None, wait: bool,
                     on_wait: Callable[[LockHolder], None] | None, *,
                     make_folders: bool = True) -> WriterLock | None:
    """Refuse a read-only volume or file, make the folder (refuse a missing one without
    ``make_folders``), take the writer lock (when ``lock_as`` names the command)."""
    if not make_folders:
        refuse_a_missing_folder(path)
    if on_read_only_volume(path):
        # (the older database's way out; no word of reading where nothing reads it — one
        # newer than this release, an empty file: review38 F4)
        upgrade = _pending_upgrade(path)
        raise ReadOnlyVolumeError(
            f"{path}: the volume is read-only; commands that write cannot run here"
            + (" (commands that only read still work)" if upgrade is False
               else f" ({_COPY_TO_UPGRADE})" if upgrade else ""))
    if path.exists() and (not os.access(path, os.W_OK) or file_flags_refuse_writes(path)):
        why, fix = not_writable_file(path)
        raise ReadOnlyVolumeError(f"{path}: the database file is {why}: {fix} or copy it to "
                                  "a file you may write")
    refuse_read_only_side_files(path)
    if not folder_is_writable(path):
        raise ReadOnlyVolumeError(not_writable_folder(path, reading_works=_reads_as_is(path)))
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise DatabaseError(f"{path.parent}: cannot create the database folder "
                            f"({exc.strerror})") from exc
    if lock_as is None:
        return None
    lock = WriterLock(path, lock_as)
    lock.acquire(wait=wait, on_wait=on_wait)
    return lock


def refuse_a_missing_folder(path: Path) -> None:
    """Refuse a database path the user gave (--db, ROMRUNNER_DB) whose folder does not
    exist, before anything is written: a mistyped path, or a drive not mounted whose mount
    point is gone, had its folders made silently and a new, empty database written there
    (p47a F7). Only the default database's folders are made."""
    if missing_folders(path.parent):
        raise InputError(f"{path.parent}: no such folder for the database {path.name} (a "
                         "mistyped --db or ROMRUNNER_DB? a drive not mounted?); create the "
                         "folder first for a new database there; nothing was written")


def remove_what_died_here(folder: Path) -> None:
    """Remove the temporary files that killed backups and restores into ``folder`` left
    (hidden, each as big as the database: only the next `db restore` removed a restore's,
    qa179 F5); a running one's are kept (it holds a lock on its file)."""
    with contextlib.suppress(OSError):
        remove_stale_temporaries(folder)
        remove_stale_temporaries(folder, RESTORE_TEMP_PREFIX)


def refuse_read_only_side_files(path: Path) -> None:
    """Refuse, naming it, a -wal or -shm beside a writable database that this user may not
    write: SQLite gives them the database file's mode, so a command that read the database
    while its file was read-only left them so, and once the file was made writable every
    write failed "database is read-only; check the file and folder permissions" of a file
    and folder that were (qa179 F7)."""
    if not path.exists():
        return
    for suffix in ("-shm", "-wal"):
        side = path.with_name(path.name + suffix)
        if side.exists() and not os.access(side, os.W_OK):
            why, fix = not_writable_file(side)
            if why != "read-only for this user":  # (immutable, another's: not our doing)
                raise ReadOnlyVolumeError(f"{side}: {why}: {fix}")
            raise ReadOnlyVolumeError(
                f"{side}: read-only (a command that read the database while its file was "
                "read-only left it so): make it writable too (`chmod u+w "
                f"{shell_word(side)}`)")


# The files SQLite and ROM Runner keep beside a database, by the suffix of their names.
_SIDE_FILES = {".lock": "writer lock", "-wal": "write-ahead log", "-shm": "shared memory",
               "-journal": "rollback journal"}


def refuse_a_databases_side_file(path: Path) -> None:
    """Refuse to make a database in the file another database keeps beside itself (its
    ``.lock``, ``-wal``, ``-shm``, ``-journal``): written there, it was wiped by that
    database's next command (QA49 F8: a mistyped --db)."""
    name = path.name
    for suffix, kind in _SIDE_FILES.items():
        base = path.with_name(name[:-len(suffix)]) if name.endswith(suffix) else None
        if base is not None and base.name and base.is_file() and (
                not path.exists() or path.stat().st_size == 0 or suffix == ".lock"):
            raise DatabaseError(f"{path}: the {kind} of the database {base}, not a database "
                                "(check --db or ROMRUNNER_DB)")


class BackupMark:
    """Makes a backup made by ``db backup`` that a command writes to a database of its own,
    with its first write (one transaction: a command that writes nothing leaves the mark):
    its header's backup mark cleared, so no later ``db backup`` replaces it as an old backup
    of the same database, losing what was written to it (QA98 F12). A backup used as is
    (another computer's database: review 29 R4) is written to as any database."""

    def __init__(self) -> None:
        self.ran = False
        self.before: DatabaseState | None = None

    def __call__(self, db: Database) -> None:
        with db.translate_errors():
            fork_line_of_changes(db.conn, self.before)
            db.conn.execute("PRAGMA application_id = 0")
        self.ran = True

    def cleared(self, db: Database) -> bool:
        """True when a transaction of ``db`` that cleared the mark committed."""
        return self.ran and not db.in_transaction \
            and db.scalar("PRAGMA application_id") != BACKUP_APPLICATION_ID


class PlaceMark:
    """Records where the database's file is with a command's first write (one transaction,
    as :class:`BackupMark`); a plain copy of the database file found elsewhere (another
    computer, another folder: see ``backup.copied_elsewhere``) first starts a line of
    changes of its own, so that neither copy's backups replace the other's, nor is one's
    restored over the other without ``--force`` (QA157 F15)."""

    def __init__(self, now: FilePlace, before: DatabaseState | None,
                 recorded: FilePlace | None = None) -> None:
        self.now = now
        self.before = before  # the copy's state, when it is one (else None)
        self.recorded = recorded  # where the database was recorded to be before
        self.lineage: str | None = None  # the line of changes the copy started

    def __call__(self, db: Database) -> None:
        with db.translate_errors():
            if self.before is not None:
                self.lineage = fork_line_of_changes(db.conn, self.before, file_copy=True)
            record_place(db.conn, self.now)

    def forked(self, db: Database) -> bool:
        """True when a transaction of ``db`` that started the copy's line of changes
        committed (a command rolled back leaves the copy as it was)."""
        if self.lineage is None or db.in_transaction:
            return False
        with db.translate_errors():
            line = line_of_changes(db.conn)
        return line is not None and line.lineage == self.lineage

    def said(self) -> str:
        """What a command that forked the copy says of it, once."""
        first = f" {self.recorded.path}" if self.recorded is not None else ""
        return (f"{self.now.path}: a copy of the database file{first}, which is still there; "
                "written to now, it is a database of its own (its backups never replace "
                "that file's, and neither's `db restore` takes the other's backup without "
                "--force)")


def place_mark(db: Database, *, forked: bool) -> PlaceMark | None:
    """The :class:`PlaceMark` a command that writes to ``db`` runs with its first write
    (None: the database already records this place). ``forked``: a backup written to,
    whose own mark starts its line of changes."""
    now = file_place(db.path)
    if now is None:
        return None
    with db.translate_errors():
        recorded = recorded_place(db.conn)
        if recorded == now:
            return None
        copy = not forked and copied_elsewhere(recorded, now)
        return PlaceMark(now, database_state(db.conn) if copy else None, recorded)


def refuse_a_foreign_database(path: Path, why: str, *,
                              another_writer_ours: bool = False) -> None:
    """Refuse an existing SQLite file that is not a ROM Runner database, read without writing
    to it: opened to write, it would be switched to WAL mode and a lock file made beside it
    before the schema check could refuse it (a user's file changed by a mistyped --db).
    ``another_writer_ours``: asked before this command takes the writer lock, so a holder
    is another ROM Runner writer: the file is then ours, and is not read — the read could
    wait on that writer's work, silently, before the lock's holder is named (QA148 F1: a
    writer paused mid-commit)."""
    if another_writer_ours and writer_lock_is_held(path):
        return
    try:
        _check_is_ours(path, why)
    except DatabaseBusyError:
        # SQLite can keep a reader out for a moment while a writer works (a WAL header being
        # rewritten): a ROM Runner writer's database, if one holds our writer lock — which
        # then says who it is, or is waited for
        if not writer_lock_is_held(path):
            raise


def _check_is_ours(path: Path, why: str) -> None:
    try:
        if not path.is_file() or path.stat().st_size == 0:
            return
        db = Database(path, read_only=True)
    except (OSError, CorruptDatabaseError, DiskIOError):
        return  # none, or described as corrupt (or unreadable) by the caller
    try:
        current_version(db)
    except DatabaseBusyError:
        raise  # (the caller's to judge)
    except (CorruptDatabaseError, DiskIOError):
        return
    except DatabaseError as exc:
        raise InputError(f"{exc}; {why} (give another --db, or move the file away); "
                         "nothing was written") from exc
    finally:
        db.close()


def _prepare(db: Database, mode: OpenMode) -> OpenResult:
    result = OpenResult(db)
    version = current_version(db)
    if version == 0:
        if mode is OpenMode.READ:
            raise NoDatabaseError(f"{db.path}: no ROM Runner data in it yet "
                                  f"({_MADE_BY})")
        if mode is OpenMode.WRITE:
            migrate(db)
            result.created = True
        return result
    pending = pending_migrations(db)
    if not pending or mode in (OpenMode.INSPECT, OpenMode.MAINTAIN):
        return result
    if mode is OpenMode.READ:
        refuse_version_below_recorded(db)  # (no migration would run: `db repair` mends it)
        holder = holder_now(db.path)
        if holder is not None:  # a writer upgrades first (QA29 F12: told to run migrate)
            raise MigrationRequiredError(
                f"{db.path}: being upgraded to schema version {LATEST_VERSION} by another "
                f"romrunner command ({holder.describe()}); try again when it finishes")
        if on_read_only_volume(db.path):
            raise MigrationRequiredError(
                f"{db.path}: schema version {version} is older than {LATEST_VERSION}, on a "
                f"read-only volume: {_COPY_TO_UPGRADE} (and run `romrunner db migrate`)")
        if not os.access(db.path, os.W_OK):  # (qa181 N6: told to migrate, which refused)
            why, fix = not_writable_file(db.path)
            raise MigrationRequiredError(
                f"{db.path}: schema version {version} is older than {LATEST_VERSION}, and "
                f"the file is {why}: no command can read it until it is upgraded, which "
                f"writes: {fix} or copy it to a file you may write, then run `romrunner db "
                "migrate` (a backup is written first)")
        raise MigrationRequiredError(
            f"{db.path}: schema version {version} is older than {LATEST_VERSION}; "
            "run `romrunner db migrate` (a backup is written first)"
            + _migrate_needs_folder(db.path))
    result.notices.extend(upgrade(db))
    return result


# (qa179 F1: an old database on a read-only volume was told to migrate, which the volume
# refused, saying commands that only read still work — they refused it as old)
_COPY_TO_UPGRADE = ("no command can read it until it is upgraded, and that writes: copy it "
                    "to a writable folder and give --db (or ROMRUNNER_DB) the copy")


def _migrate_needs_folder(path: Path) -> str:
    """What an upgrade needs first where the database's folder is not writable (the
    upgrade writes its backup and the database there), else ''."""
    if on_read_only_volume(path) or folder_is_writable(path):
        return ""
    folder = path.parent
    return (f"; it writes beside the database, and its folder {folder} is not writable: "
            "make it writable for this user first (until then commands that only read refuse it)")


def upgrade(db: Database) -> list[str]:
    """Apply the pending migrations of ``db`` (opened to write); what the upgrade did, to
    say (nothing when none was pending)."""
    if not pending_migrations(db):
        return []
    report = migrate(db)
    note = f"migrated {db.path} from schema version {report.from_version} to {report.to_version}"
    if report.backup:
        note += f"; backup at {report.backup} (version {report.backup_version})"
    return [note, *report.side_effects()]
