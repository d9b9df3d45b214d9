"""The one error base of the engine. Messages name the file and what is wrong."""

from __future__ import annotations

import errno
import re
from collections.abc import Callable

# Errors saying a card or share itself is gone (pulled, a dead FUSE or network mount), not
# a file of it.
GONE_ERRNOS = frozenset({errno.ENOTCONN, errno.EIO, errno.ENODEV, errno.ENXIO, errno.ESHUTDOWN,
                         errno.ESTALE, errno.EHOSTDOWN})


# A name quoted in a message (see quoted()): NUL never is in a file name or a command-line
# word, and the length makes the marker unambiguous whatever the name holds.
_QUOTED = re.compile("\x00q([0-9]+):")


def quoted(name: object) -> str:
    """``name`` quoted in a message: ``repr``'s quoting where the message is shown (a
    terminal, ``str()`` of the error), the name as it is where it is data (``--json``): see
    :func:`shown` and :func:`exact`. Use in place of ``{name!r}``."""
    text = str(name)
    return f"\x00q{len(text)}:{text}\x00"


def _rendered(message: str, quote: Callable[[str], str]) -> str:
    out, at = [], 0
    while (match := _QUOTED.search(message, at)) is not None:
        start, end = match.end(), match.end() + int(match.group(1))
        if message[end:end + 1] != "\x00":  # not a marker after all: kept as it is
            out.append(message[at:match.end()])
            at = match.end()
            continue
        out += [message[at:match.start()], quote(message[start:end])]
        at = end + 1
    return "".join(out) + message[at:]


def shown(message: str) -> str:
    """``message`` with each :func:`quoted` name as ``repr`` quotes it (a backslash
    doubled, a control character escaped): the terminal's form."""
    return _rendered(message, repr)


def exact(message: str) -> str:
    """``message`` with each :func:`quoted` name as it is, between single quotes: the
    ``--json`` form (a consumer decoding the JSON string gets the name's own characters)."""
    return _rendered(message, lambda name: f"'{name}'")


class RomRunnerError(Exception):
    """An error the user can act on; the CLI prints its message on one line.

    A message naming data with :func:`quoted` is kept whole in :attr:`exact` (``--json``'s
    form); ``str()`` gives the terminal's (``repr``-quoted) form."""

    exit_code = 2

    def __init__(self, *args: object) -> None:
        if args and isinstance(args[0], str) and "\x00q" in args[0]:
            self.exact = exact(args[0])
            args = (shown(args[0]), *args[1:])
        super().__init__(*args)

    exact: str | None = None


class DatabaseError(RomRunnerError):
    """The database file cannot be used as it is."""


class DatabaseBusyError(DatabaseError):
    """SQLite found the database locked (another connection is writing to it)."""


class DiskFullError(DatabaseError):
    """The disk holding the database (or a copy of it) filled up while writing."""


class SchemaTooNewError(DatabaseError):
    """The database was written by a newer ROM Runner."""


class MigrationRequiredError(DatabaseError):
    """The database is older than the code and the command does not write."""


class PackError(RomRunnerError):
    """A definition pack cannot be loaded."""


class InputError(RomRunnerError):
    """A file or value given by the user is not usable."""


class NotFoundError(RomRunnerError):
    """A thing the user named does not exist."""


class InconsistencyError(RomRunnerError):
    """The engine's own data contradicts itself (a bug, not the user's files): the message
    names what and where; the command's writes are rolled back."""


class NoDatabaseError(DatabaseError):
    """A command that only reads was pointed at a database that does not exist (yet)."""


class CorruptDatabaseError(DatabaseError):
    """The database file is damaged or cannot be read."""


class DiskIOError(DatabaseError):
    """SQLite's "disk I/O error": a write refused (a disk quota, a file size limit) or a read
    that failed (a share gone away, a failing disk) — not, by itself, a damaged file."""


class DatabaseReplacedError(DatabaseError):
    """The database file was deleted or replaced while a command was writing to it."""


class ReadOnlyVolumeError(DatabaseError):
    """A command that writes was pointed at a database on a read-only volume or file."""


class WriterBusyError(RomRunnerError):
    """Another ROM Runner command holds the writer lock of the database."""
