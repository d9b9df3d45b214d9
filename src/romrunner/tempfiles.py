"""Temporary files written beside the file they become, and those a killed writer left.

A file written whole or not at all goes through a temporary file in its folder, renamed over
the real name when complete. A writer killed before the rename (``kill -9``, a crash, power
lost) leaves that temporary file behind, and no ``finally`` of the dead process removes it.

Each writer holds an exclusive ``flock`` on its temporary file while it writes
(:func:`hold`); the kernel drops the lock when the process ends, however it ends. So a
temporary file whose lock can be taken is a dead writer's, and the next writer to that
folder removes it (:func:`remove_abandoned`) — a rule that trusts no clock (a writer may be
slow, stopped, or on a sleeping laptop) and no process id (ids are reused, and differ between
the containers that may share a folder).

A temporary file is seen in its folder from the moment it is made, before its writer can lock
it: a cleaner running just then (another command writing to that folder) may take it for a
dead writer's and remove it (review45c F2: the first of two fixdats to one output started at
once failed, its file gone). So a writer makes its temporary file with :func:`create`, which
locks it and then checks that it is still there under its name, making another when a cleaner
took it: no clock is trusted, and no file system feature beyond ``flock`` is needed.
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import os
import re
import stat
import tempfile
from pathlib import Path

# How many temporary files :func:`create` makes before it gives up: each one past the first
# was removed by a cleaner in the instant between its making and its lock.
_ATTEMPTS = 8


def hold(fd: int) -> None:
    """Mark the temporary file open as ``fd`` as being written: an exclusive ``flock``, held
    until ``fd`` is closed or the process ends. Best effort: a file system without locks
    leaves the file unmarked, and :func:`remove_abandoned` cannot lock it either, so keeps
    it."""
    with contextlib.suppress(OSError):
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)


def create(folder: Path, prefix: str, suffix: str) -> tuple[int, Path]:
    """Make a new temporary file in ``folder`` (``mkstemp``'s: ``prefix``, 8 of its letters,
    ``suffix``), held as :func:`hold` holds it; returns its descriptor (the caller's to close)
    and its path. A file a cleaner removed between its making and its lock (see the module's
    docstring) is left and another made. Raises :class:`OSError` as ``mkstemp`` does."""
    for _ in range(_ATTEMPTS):
        fd, name = tempfile.mkstemp(prefix=prefix, suffix=suffix, dir=folder)
        if _held_in_place(fd, Path(name)):
            return fd, Path(name)
        os.close(fd)  # (a cleaner's: it removes it, or has)
    raise OSError(errno.EAGAIN, "each temporary file made was removed at once by another "
                  "command", str(folder))


def usual_mode() -> int:
    """The permissions a new file of the user's gets (``0o666`` less the umask, read by
    setting it back at once): :func:`create`'s file has ``mkstemp``'s private 0600 until
    given them."""
    mask = os.umask(0o022)
    os.umask(mask)
    return 0o666 & ~mask


def _held_in_place(fd: int, path: Path) -> bool:
    """Lock the new temporary file open as ``fd`` (see :func:`hold`); False when a cleaner has
    it: it holds the lock (it is removing the file), or has removed the file already. True
    too where the file system has no locks (no cleaner can lock it either, so it stays)."""
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return False
    except OSError:
        return True
    try:
        now = os.stat(path, follow_symlinks=False)
    except OSError:
        return False
    opened = os.fstat(fd)
    return (now.st_dev, now.st_ino) == (opened.st_dev, opened.st_ino)


def remove_abandoned(folder: Path, pattern: re.Pattern[str], sides: tuple[str, ...] = ()
                     ) -> int:
    """Remove the temporary files in ``folder`` that dead writers left; returns how many.

    Only a regular file (no link, no folder) whose whole name matches ``pattern`` (the names
    its writer makes, nothing else) is looked at, and it is removed only when no running
    writer holds it (see :func:`hold`); with it go its side files, named as it is with each
    of ``sides`` added (a SQLite database's ``-journal``, ``-wal``, ``-shm``). Never fails:
    what cannot be read or removed stays.
    """
    try:
        with os.scandir(folder) as entries:
            names = [entry.name for entry in entries if pattern.fullmatch(entry.name)]
    except OSError:
        return 0
    return sum(_remove_if_abandoned(folder / name, sides) for name in names)


def _remove_if_abandoned(path: Path, sides: tuple[str, ...]) -> bool:
    """Remove ``path`` (and its ``sides``) when it is a regular file no writer holds (True:
    removed)."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
    except OSError:
        return False
    try:
        opened = os.fstat(fd)
        if not stat.S_ISREG(opened.st_mode):
            return False
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)  # (held: a writer running now)
        now = os.stat(path, follow_symlinks=False)
        if (now.st_dev, now.st_ino) != (opened.st_dev, opened.st_ino):
            return False  # (replaced since it was opened: not the file looked at)
        path.unlink()
        for side in sides:
            with contextlib.suppress(OSError):
                os.unlink(f"{path}{side}")
        return True
    except OSError:
        return False
    finally:
        os.close(fd)
