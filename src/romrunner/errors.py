"""The one error base of the engine. Messages name the file and what is wrong."""

from __future__ import annotations


class RomRunnerError(Exception):
    """An error the user can act on; the CLI prints its message on one line."""

    exit_code = 2


class DatabaseError(RomRunnerError):
    """The database file cannot be used as it is."""


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
