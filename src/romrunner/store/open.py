"""Opening the database the way a command needs it."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from enum import Enum
from pathlib import Path

from romrunner.errors import DatabaseError, MigrationRequiredError
from romrunner.store.database import Database
from romrunner.store.migrate import LATEST_VERSION, current_version, migrate, pending_migrations


class OpenMode(Enum):
    """What a command will do with the database."""

    INSPECT = "inspect"  # never create, never migrate (db status, db check)
    READ = "read"        # create an empty database; refuse an outdated one
    WRITE = "write"      # create, and migrate an outdated one (saying so)


@dataclass
class OpenResult:
    """An open database and what happened while opening it."""

    db: Database
    created: bool = False
    notices: list[str] = field(default_factory=list)


def open_database(path: Path, mode: OpenMode) -> OpenResult:
    """Open ``path`` for ``mode``; never migrates silently, never downgrades."""
    path = Path(path).expanduser()
    exists = path.exists() and path.stat().st_size > 0
    if mode is OpenMode.INSPECT and not exists:
        raise DatabaseError(f"{path}: no database here yet (any command that writes creates it)")
    if not exists:
        path.parent.mkdir(parents=True, exist_ok=True)
    if exists and mode is OpenMode.WRITE and not os.access(path, os.W_OK):
        raise DatabaseError(f"{path}: database is read-only; check the file permissions")
    db = Database(path, read_only=(mode is not OpenMode.WRITE and exists
                                   and not os.access(path, os.W_OK)))
    try:
        return _prepare(db, mode, exists)
    except BaseException:
        db.close()
        raise


def _prepare(db: Database, mode: OpenMode, existed: bool) -> OpenResult:
    result = OpenResult(db)
    version = current_version(db)
    pending = pending_migrations(db)
    if version == 0:
        if mode is OpenMode.INSPECT:
            return result
        migrate(db)
        result.created = True
        return result
    if not pending or mode is OpenMode.INSPECT:
        return result
    if mode is OpenMode.READ:
        raise MigrationRequiredError(
            f"{db.path}: schema version {version} is older than {LATEST_VERSION}; "
            "run `romrunner db migrate` (a backup is written first)")
    report = migrate(db)
    note = f"migrated {db.path} from schema version {report.from_version} to {report.to_version}"
    if report.backup:
        note += f"; backup at {report.backup}"
    result.notices.append(note)
    return result
