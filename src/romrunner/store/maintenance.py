"""Status and upkeep of the database file (``db status``, ``db vacuum``)."""

from __future__ import annotations

import glob
import sqlite3
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from romrunner.library.counters import count_platforms_again
from romrunner.search.index import rebuild_search_index
from romrunner.store.backup import line_of_changes
from romrunner.store.database import Database, file_size_or_zero
from romrunner.store.migrate import (
    LATEST_VERSION,
    current_version,
    mend_version_below_recorded,
    pending_migrations,
    recreate_missing_objects,
    upgrade_backups,
    version_below_recorded,
)


@dataclass(frozen=True)
class DatabaseStatus:
    """A summary of the database file and its schema."""

    path: str
    bytes: int
    wal_bytes: int
    schema_version: int
    latest_version: int
    pending: list[str]
    journal_mode: str
    fts5: bool
    search_index: bool
    pack_hash: str | None
    pack_path: str | None
    games: int
    library_roots: int
    # The databases `db restore` saved beside it (QA106 F4: kept, unsaid, 23 of them):
    # how many and their bytes.
    saved_by_restores: int = 0
    saved_bytes: int = 0
    # The backups upgrades wrote beside it (qa179 F11: unsaid, each as big as the database):
    # each one's path, the schema version it holds and its bytes, oldest first.
    upgrade_backups: list[dict[str, Any]] = field(default_factory=list)
    # Games a release before v1.1.0 recorded that no root adopted yet (`library add --from`).
    recorded_under_no_root: int = 0
    # schema_version below the migrations the file records, and the way out (see
    # version_below_recorded): then nothing is pending, whatever the version says.
    version_problem: str | None = None
    # How its line of changes began, in words ("restored …", "a copy of the database file,
    # first written to …"), None: its first line (see backup.line_of_changes).
    line_of_changes: str | None = None


def _journal_mode(db: Database) -> str:
    """The database's journal mode as its file holds it: opened immutable (a read-only
    volume) SQLite reports 'delete' of a WAL database (qa179 F4); the header's read and
    write versions (bytes 18 and 19) are 2 in WAL mode."""
    mode = str(db.scalar("PRAGMA journal_mode"))
    try:
        with open(db.path, "rb") as file:
            header = file.read(20)
    except OSError:
        return mode
    return "wal" if header[18:20] == b"\x02\x02" else mode


def database_status(db: Database) -> DatabaseStatus:
    """Describe ``db`` without changing it."""
    version = current_version(db)
    problem = version_below_recorded(db)
    tables = set(db.table_names())
    row = db.query_one("SELECT * FROM definition_pack_meta WHERE id = 1") \
        if "definition_pack_meta" in tables else None
    meta = dict(row) if row is not None else {}
    return DatabaseStatus(
        path=str(db.path),
        bytes=file_size_or_zero(db.path),
        wal_bytes=file_size_or_zero(db.path.with_name(db.path.name + "-wal")),
        schema_version=version,
        latest_version=LATEST_VERSION,
        pending=[] if problem else [f"{m.version:04d}_{m.name}" for m in pending_migrations(db)],
        journal_mode=_journal_mode(db),
        fts5=db.has_fts5(),
        search_index="games_fts" in tables,
        pack_hash=meta.get("pack_hash"),
        pack_path=meta.get("pack_path"),
        # (the games of the roots: not those recorded before v1.1.0 that no root adopted)
        games=int(db.scalar(
            "SELECT count(*) FROM games WHERE root_id NOT IN "
            "(SELECT id FROM library_roots WHERE path = '')" if "library_roots" in tables
            else "SELECT count(*) FROM games") or 0) if "games" in tables else 0,
        # (the row of path '' holds what a release before v1.1.0 recorded: not a root)
        library_roots=int(db.scalar("SELECT count(*) FROM library_roots WHERE path <> ''")
                          or 0)
        if "library_roots" in tables else 0,
        **_saved_by_restores(db.path),
        upgrade_backups=[{"path": str(b.path), "version": b.version, "bytes": b.bytes}
                         for b in upgrade_backups(db.path)],
        recorded_under_no_root=int(db.scalar(
            "SELECT count(*) FROM games WHERE root_id IN "
            "(SELECT id FROM library_roots WHERE path = '')") or 0)
        if {"games", "library_roots"} <= tables else 0,
        version_problem=problem,
        line_of_changes=_line_said(db),
    )


def _line_said(db: Database) -> str | None:
    """How the line of changes of ``db`` began, in words (None: its first line)."""
    line = line_of_changes(db.conn)
    return None if line is None else line.said()


def _saved_by_restores(path: Path) -> dict[str, int]:
    """The count and bytes of the databases ``db restore`` saved beside ``path``."""
    saved = [name for name in path.parent.glob(f"{glob.escape(path.name)}.before-restore-*")
             if name.suffix in (".bak", ".corrupt") and name.is_file()]
    return {"saved_by_restores": len(saved),
            "saved_bytes": sum(file_size_or_zero(name) for name in saved)}


def reclaimable_bytes(db: Database) -> int:
    """Bytes of free pages inside the file (what ``db vacuum`` would give back)."""
    return int(db.scalar("PRAGMA freelist_count") or 0) * int(db.scalar("PRAGMA page_size"))


def worth_vacuuming(db: Database) -> int | None:
    """The reclaimable bytes when they are at least 1 MiB and a tenth of the file (after a
    migration that rebuilt tables, say), else None."""
    free = reclaimable_bytes(db)
    size = file_size_or_zero(db.path)
    return free if free >= 1024**2 and free * 10 >= size else None


@dataclass(frozen=True)
class VacuumResult:
    """Sizes before and after ``VACUUM``."""

    bytes_before: int
    bytes_after: int
    seconds: float
    held_back: bool = False  # another connection kept the rebuilt file in the WAL


def page_count(db: Database) -> int | None:
    """The database's pages now (None: it cannot be read)."""
    try:
        return int(db.conn.execute("PRAGMA page_count").fetchone()[0])
    except sqlite3.Error:
        return None


def vacuum(db: Database) -> VacuumResult:
    """Rebuild the file compactly and truncate the WAL (``held_back``: a reader of another
    process kept the rebuilt pages in the WAL: the file shrinks once it lets go, QA29 F13)."""
    before = file_size_or_zero(db.path)
    started = time.perf_counter()
    db.execute("VACUUM")
    held_back = db.checkpoint("TRUNCATE")
    return VacuumResult(before, file_size_or_zero(db.path), time.perf_counter() - started,
                        held_back)


@dataclass
class RepairResult:
    """What ``db repair`` rebuilt: the triggers and indexes made again, the platforms whose
    counters were off, the games indexed for search again."""

    platforms_recounted: int
    games_indexed: int
    objects_made: list[str]
    version_mended: tuple[int, int] | None = None  # schema_version set back (from, to)


def repair_derived(db: Database) -> RepairResult:
    """Rebuild, in one transaction, what the database derives from its games and nothing
    else holds: the platform counters and the search index (QA157 F1, F12: drifted or
    damaged, `db check` named them and nothing mended them but a backup)."""
    with db.atomic():
        made = recreate_missing_objects(db)
        recounted = count_platforms_again(db)
        indexed = rebuild_search_index(db)
    return RepairResult(recounted, indexed, made)


def mend_version(db: Database) -> tuple[int, int] | None:
    """Set ``schema_version`` back to the migrations the file records, when it was edited
    down and the tables are whole (see ``mend_version_below_recorded``), in a transaction of
    its own: (from, to), or None."""
    with db.atomic():
        return mend_version_below_recorded(db)
