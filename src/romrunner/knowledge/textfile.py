"""Opening knowledge files: regular files only, bounded size, decoded text."""

from __future__ import annotations

import os
import stat
from pathlib import Path

from romrunner.knowledge.model import KnowledgeFormatError

MAX_FILE_BYTES = 256 * 1024 * 1024


def read_text(path: Path) -> str:
    """The whole text of ``path`` (UTF-8, BOM and CRLF tolerated).

    Refuses at once anything that is not a regular file (a FIFO would block), a file larger
    than any real knowledge file, and bytes that are not UTF-8.
    """
    try:
        info = os.stat(path)
    except OSError as exc:
        raise KnowledgeFormatError(f"{path}: cannot be read ({exc.strerror})") from exc
    if not stat.S_ISREG(info.st_mode):
        raise KnowledgeFormatError(f"{path}: not a regular file")
    if info.st_size > MAX_FILE_BYTES:
        raise KnowledgeFormatError(f"{path}: {info.st_size:,} bytes is larger than any "
                                   "knowledge file this reader accepts")
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
        with os.fdopen(fd, "rb") as handle:
            data = handle.read()
    except OSError as exc:
        raise KnowledgeFormatError(f"{path}: cannot be read ({exc.strerror})") from exc
    try:
        return data.decode("utf-8-sig").replace("\r\n", "\n")
    except UnicodeDecodeError as exc:
        raise KnowledgeFormatError(f"{path}: not UTF-8 text (byte {exc.start})") from exc
