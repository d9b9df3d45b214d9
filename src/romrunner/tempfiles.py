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
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import re
import stat
from pathlib import Path


def hold(fd: int) -> None:
    """Mark the temporary file open as ``fd`` as being written: an exclusive ``flock``, held
    until ``fd`` is closed or the process ends. Best effort: a file system without locks
    leaves the file unmarked, and :func:`remove_abandoned` cannot lock it either, so keeps
    it."""
    with contextlib.suppress(OSError):
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)


def remove_abandoned(folder: Path, pattern: re.Pattern[str]) -> int:
    """Remove the temporary files in ``folder`` that dead writers left; returns how many.

    Only a regular file (no link, no folder) whose whole name matches ``pattern`` (the names
    its writer makes, nothing else) is looked at, and it is removed only when no running
    writer holds it (see :func:`hold`). Never fails: what cannot be read or removed stays.
    """
    try:
        with os.scandir(folder) as entries:
            names = [entry.name for entry in entries if pattern.fullmatch(entry.name)]
    except OSError:
        return 0
    return sum(_remove_if_abandoned(folder / name) for name in names)


def _remove_if_abandoned(path: Path) -> bool:
    """Remove ``path`` when it is a regular file no writer holds (True: removed)."""
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
        return True
    except OSError:
        return False
    finally:
        os.close(fd)
