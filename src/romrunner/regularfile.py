"""Opening user-named input files: regular files only, never blocking on a FIFO or device."""

from __future__ import annotations

import os
import stat
from pathlib import Path
from typing import BinaryIO

from romrunner.errors import InputError


def open_regular(path: Path) -> BinaryIO:
    """Open ``path`` for binary reading, refusing anything but a regular file at once.

    The file is opened non-blocking (a FIFO with no writer would otherwise block the open
    for ever) and checked with ``fstat`` on the opened descriptor, so a file swapped for a
    FIFO between a check and the open is still refused.
    """
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    except FileNotFoundError:
        raise InputError(f"{path}: no such file") from None
    except OSError as exc:
        raise InputError(f"{path}: cannot be read ({exc.strerror or exc})") from exc
    try:
        mode = os.fstat(fd).st_mode
        if not stat.S_ISREG(mode):
            raise InputError(f"{path}: not a regular file ({_kind(mode)}); give a file")
        os.set_blocking(fd, True)
        return os.fdopen(fd, "rb")
    except BaseException:
        os.close(fd)
        raise


def _kind(mode: int) -> str:
    if stat.S_ISDIR(mode):
        return "a directory"
    if stat.S_ISFIFO(mode):
        return "a FIFO"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    if stat.S_ISSOCK(mode):
        return "a socket"
    return "not a file"
