"""Online backups with SQLite's backup API, written atomically."""

from __future__ import annotations

import contextlib
import os
import sqlite3
import tempfile
from pathlib import Path

from romrunner.errors import DatabaseError
from romrunner.store.database import Database, describe_sqlite_error


def backup_database(db: Database, dest: Path) -> Path:
    """Copy the live database to ``dest`` (consistent even while others read).

    The copy is written to a temporary file beside ``dest`` and renamed into place, so a
    crash never leaves a half-written backup under the final name.
    """
    dest = Path(dest)
    if dest.is_dir():
        dest = dest / db.path.name
    dest.parent.mkdir(parents=True, exist_ok=True)
    handle, temp_name = tempfile.mkstemp(prefix=f".{dest.name}.", suffix=".tmp", dir=dest.parent)
    os.close(handle)
    temp = Path(temp_name)
    try:
        target = sqlite3.connect(temp)
        try:
            db.conn.backup(target)
            target.execute("PRAGMA journal_mode = DELETE")
        finally:
            target.close()
        with temp.open("rb") as written:
            os.fsync(written.fileno())
        os.replace(temp, dest)
    except sqlite3.Error as exc:
        raise DatabaseError(describe_sqlite_error(dest, exc)) from exc
    except OSError as exc:
        raise DatabaseError(f"{dest}: cannot write backup ({exc.strerror})") from exc
    finally:
        with contextlib.suppress(FileNotFoundError):
            temp.unlink()
    return dest
