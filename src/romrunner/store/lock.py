"""The writer lock: one ROM Runner command at a time writes to a database.

Every command that opens the database for writing takes an exclusive ``flock`` on
``<database>.lock`` for as long as it runs. The operating system drops the lock when the
process ends, however it ends, so a killed writer never leaves a stale lock behind. The holder
writes its pid, command and start time into the file, so a second writer can say who it waits
for. Readers never take the lock (SQLite's WAL lets them read while a writer works), but a
read of a full disk's database as its file is holds it shared (:func:`hold_off_writers`).
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from romrunner.errors import DatabaseError, WriterBusyError
from romrunner.timeutil import utc_now


@dataclass(frozen=True)
class LockHolder:
    """Who holds the writer lock, as its holder wrote it into the lock file."""

    pid: int | None
    command: str
    since: str

    def describe(self) -> str:
        """``pid 123: scan, since 2026-12-01 15:00:00 UTC`` (what is known of it)."""
        pid = f"pid {self.pid}" if self.pid is not None else "pid unknown"
        parts = [pid + (f": {self.command}" if self.command else "")]
        if self.since:
            parts.append(f"since {self.since}")
        return ", ".join(parts)


# Descriptors of the locks this process holds. A forked child (the scan's workers) inherits
# them, and a flock lasts while any copy is open: the child closes its copies at once, so the
# lock is the command's alone and ends with it, even if a worker outlives a killed parent.
_HELD: set[int] = set()


def _close_inherited_locks() -> None:
    for fd in _HELD:
        with contextlib.suppress(OSError):
            os.close(fd)
    _HELD.clear()


os.register_at_fork(after_in_child=_close_inherited_locks)


_GLIMPSES = 20  # tries, 10 ms apart, when the lock is held but names no holder


def lock_path(db_path: Path) -> Path:
    """The lock file of the database at ``db_path``."""
    return db_path.with_name(db_path.name + ".lock")


class WriterLock:
    """An exclusive advisory lock on ``<database>.lock``, held until :meth:`release`."""

    def __init__(self, db_path: Path, command: str) -> None:
        self.db_path = db_path
        self.path = lock_path(db_path)
        self.command = command
        self._fd: int | None = None

    @property
    def held(self) -> bool:
        """True while this object holds the lock."""
        return self._fd is not None

    def acquire(self, *, wait: bool = False,
                on_wait: Callable[[LockHolder], None] | None = None) -> None:
        """Take the lock; when another process holds it, fail at once or (``wait``) block
        until it is free, calling ``on_wait`` with the holder first."""
        if self._fd is not None:
            return
        told = False
        glimpses = 0
        while True:
            fd = self._open()
            try:
                try:
                    fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                except BlockingIOError:
                    holder = read_holder(fd)
                    if holder.pid is None and not holder.command and glimpses < _GLIMPSES:
                        # no holder recorded: one taking the lock this instant, or a look
                        # (writer_lock_is_held) that lets go at once: try again shortly
                        glimpses += 1
                        os.close(fd)
                        time.sleep(0.01)
                        continue
                    if not wait:
                        raise WriterBusyError(_busy(self.db_path, holder)) from None
                    if on_wait is not None and not told:
                        on_wait(holder)
                        told = True
                    fcntl.flock(fd, fcntl.LOCK_EX)
                if not self._still_the_file(fd):
                    # The holder removed the file (a database it created and gave up): the
                    # lock that counts is on the file now at this name, if any.
                    os.close(fd)
                    continue
                self._write_holder(fd)
            except BaseException:
                with contextlib.suppress(OSError):
                    os.close(fd)
                raise
            break
        self._fd = fd
        _HELD.add(fd)

    def _still_the_file(self, fd: int) -> bool:
        try:
            named, held = os.stat(self.path), os.fstat(fd)
        except OSError:
            return False
        return (named.st_dev, named.st_ino) == (held.st_dev, held.st_ino)

    def remove_file(self) -> None:
        """Remove the lock file while holding it (for a database this command created and
        then removed: no trace of a writer is left). A writer waiting on it takes the lock
        on the file that then bears the name instead (:meth:`acquire` checks)."""
        if self._fd is not None and self._still_the_file(self._fd):
            with contextlib.suppress(OSError):
                self.path.unlink()

    def release(self) -> None:
        """Let the next writer in (the file stays, unless :meth:`remove_file` removed it)."""
        fd, self._fd = self._fd, None
        if fd is None:
            return
        _HELD.discard(fd)
        with contextlib.suppress(OSError):
            os.ftruncate(fd, 0)
        os.close(fd)  # closing the last descriptor drops the flock

    def _open(self) -> int:
        try:
            return os.open(self.path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC | os.O_NOFOLLOW,
                           0o644)
        except OSError as exc:
            raise DatabaseError(
                f"{self.path}: cannot create the writer lock ({exc.strerror})") from exc

    def _write_holder(self, fd: int) -> None:
        started = utc_now().strftime("%Y-%m-%d %H:%M:%S UTC")
        record = json.dumps({"pid": os.getpid(), "command": self.command, "since": started})
        with contextlib.suppress(OSError):  # the lock works without its description
            os.ftruncate(fd, 0)
            os.pwrite(fd, record.encode("utf-8"), 0)

    def __enter__(self) -> WriterLock:
        self.acquire()
        return self

    def __exit__(self, *exc: object) -> None:
        self.release()


def _busy(db_path: Path, holder: LockHolder) -> str:
    """Why a writer cannot start: another command writes, or (no holder named) one reads
    the database while its disk is full (see :func:`hold_off_writers`)."""
    if holder.pid is None and not holder.command:
        return (f"another romrunner command is using {db_path} (pid unknown: a writer "
                "starting or ending, or one reading it while its disk is full, which keeps "
                "writers off until it ends); wait for it to finish, or pass --wait")
    return (f"another romrunner command is writing to {db_path} ({holder.describe()}); wait "
            "for it to finish, or pass --wait")


def hold_off_writers(db_path: Path) -> int | None:
    """A shared ``flock`` on the writer lock file of the database at ``db_path``: no writer
    can start while it is held (its exclusive lock waits), so a read of the database's file
    as it is, without SQLite's own locks, sees no write (see
    ``romrunner.store.database.read_only_uri``). The descriptor, for :func:`let_writers_in`;
    None when a writer holds the lock now, or there is no lock file: a reader never makes
    one (made by root, or by another user, its owner's writers could not open it: review45d
    F1); every writer of the database has made it."""
    try:
        fd = os.open(lock_path(db_path), os.O_RDONLY | os.O_CLOEXEC | os.O_NOFOLLOW)
    except OSError:
        return None
    try:
        fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
    except OSError:
        os.close(fd)
        return None
    _HELD.add(fd)
    return fd


def let_writers_in(fd: int) -> None:
    """Drop the shared lock :func:`hold_off_writers` took."""
    _HELD.discard(fd)
    with contextlib.suppress(OSError):
        os.close(fd)


def writer_lock_is_held(db_path: Path) -> bool:
    """Whether a ROM Runner command holds the writer lock of the database at ``db_path`` now
    (the lock file is neither made nor changed)."""
    return flock_is_held(lock_path(db_path))


def flock_is_held(path: Path) -> bool:
    """Whether a live process holds an exclusive ``flock`` on the file at ``path``; writes
    nothing (opened read-only, never made; no file: nobody holds it)."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_CLOEXEC | os.O_NOFOLLOW)
    except OSError:
        return False
    try:
        fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
    except BlockingIOError:
        return True
    except OSError:
        return False
    finally:
        os.close(fd)  # (drops the shared lock, if it was taken)
    return False


def holder_now(db_path: Path) -> LockHolder | None:
    """The command holding the writer lock of the database at ``db_path`` now, as it wrote
    itself into the lock file; None when no command holds it (nothing is written)."""
    if not writer_lock_is_held(db_path):
        return None
    try:
        fd = os.open(lock_path(db_path), os.O_RDONLY | os.O_CLOEXEC | os.O_NOFOLLOW)
    except OSError:
        return None
    try:
        return read_holder(fd)
    finally:
        os.close(fd)


def read_holder(fd: int) -> LockHolder:
    """What the current holder wrote into the lock file (empty fields when unreadable)."""
    try:
        data = json.loads(os.pread(fd, 4096, 0).decode("utf-8", "replace") or "{}")
    except (OSError, ValueError):
        data = {}
    if not isinstance(data, dict):
        data = {}
    pid = data.get("pid")
    return LockHolder(pid if isinstance(pid, int) and not isinstance(pid, bool) else None,
                      str(data.get("command") or ""), str(data.get("since") or ""))
