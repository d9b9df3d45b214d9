"""The one error base of the engine. Messages name the file and what is wrong."""

from __future__ import annotations

import errno

# Errors saying a card or share itself is gone (pulled, a dead FUSE or network mount), not
# a file of it.
GONE_ERRNOS = frozenset({errno.ENOTCONN, errno.EIO, errno.ENODEV, errno.ENXIO, errno.ESHUTDOWN,
                         errno.ESTALE, errno.EHOSTDOWN})


class RomRunnerError(Exception):
    """An error the user can act on; the CLI prints its message on one line."""

    exit_code = 2


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
