"""The scan pipeline: walk -> stat and skip unchanged -> hash pool -> one batched writer.

An unchanged file (same size and modification time as stored) is never opened. Each batch
of results is written and identified in one transaction, so Ctrl-C or a crash loses at
most the current batch, and the next scan continues where this one stopped.
"""

from __future__ import annotations

import contextlib
import gc
import operator
import os
import stat as stat_module
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import NamedTuple

from romrunner.catalog.identify import identify
from romrunner.library.containers import ContainerError, referenced_files
from romrunner.library.examine import ARCHIVES, HASHED_SHEETS, SHEETS, Examined, Job
from romrunner.library.record import (
    FILE_COLUMNS,
    PLATFORM_COLUMNS,
    ROW_COLUMNS,
    Record,
    examine_to_record,
    record_of,
    start_worker,
)
from romrunner.library.roots import Root, list_roots
from romrunner.library.tags import extension_of
from romrunner.library.workers import examine_in_pool
from romrunner.packs.index import PackIndex
from romrunner.packs.loader import DefinitionPack
from romrunner.search.index import index_games
from romrunner.store.database import Database
from romrunner.timeutil import now_text

BATCH_SIZE = 5000
BATCH_SECONDS = 2.0
_INSERT_GAME = (f"INSERT INTO games (id, root_id, {', '.join(ROW_COLUMNS)}, last_scanned_at, "
                f"updated_at) VALUES ({', '.join('?' * (len(ROW_COLUMNS) + 4))})")
_INSERT_FILE = (f"INSERT OR IGNORE INTO game_files (game_id, {', '.join(FILE_COLUMNS)}) "
                f"VALUES ({', '.join('?' * (len(FILE_COLUMNS) + 1))})")
CONTAINER_EXTENSIONS = ARCHIVES | SHEETS | {".chd"}


@dataclass
class ScanSummary:
    """What a scan did (the ``--json`` summary)."""

    scanned: int = 0
    added: int = 0
    updated: int = 0
    unchanged: int = 0
    missing: int = 0
    renamed: int = 0
    identified: int = 0
    unidentified: int = 0
    bytes_hashed: int = 0
    seconds: float = 0.0
    errors: list[dict[str, str]] = field(default_factory=list)

    def error(self, path: str, reason: str) -> None:
        """Record a file that could not be handled; the scan goes on."""
        self.errors.append({"path": path, "error": reason})


# What the database knows of a file, for the rescan's skip decision: the plain tuple
# (game id, size, mtime_ns, flags) that SQLite hands over. A rescan of a large library builds
# a million of them; as a named tuple they cost a second more per million (measured).
Stored = tuple[int, int, "int | None", int]
HASHED, MISSING, USER_PLATFORM, IDENTIFIED = 1, 2, 4, 8  # bits of a Stored's flags


Progress = Callable[[int, int, int, int], None]


def display_path(path: str) -> str:
    """A path safe to store and show: undecodable bytes become ``\\xNN`` escapes."""
    try:
        path.encode("utf-8")
        return path
    except UnicodeEncodeError:
        return os.fsencode(path).decode("utf-8", errors="backslashreplace")


def scan_library(db: Database, pack: DefinitionPack, roots: list[Root] | None = None, *,
                 workers: int | None = None, full: bool = False,
                 progress: Progress | None = None) -> ScanSummary:
    """Scan ``roots`` (default: every root) and identify what changed."""
    started = time.perf_counter()
    summary = ScanSummary()
    extensions = {ext for p in pack.platforms.values() for ext in p.extensions}
    extensions |= CONTAINER_EXTENSIONS
    for root in roots if roots is not None else list_roots(db):
        _scan_root(db, pack, root, extensions, summary, workers, full, progress)
    summary.seconds = round(time.perf_counter() - started, 3)
    return summary


def _scan_root(db: Database, pack: DefinitionPack, root: Root, extensions: set[str],
               summary: ScanSummary, workers: int | None, full: bool,
               progress: Progress | None) -> None:
    if not root.path.is_dir():
        summary.error(str(root.path), "library root is not reachable (unmounted?); "
                                      "nothing was marked missing")
        return
    with _gc_paused():
        plan = _plan_root(db, root, extensions, summary, full)
    if plan.returned:
        with db.atomic():
            db.executemany("UPDATE games SET is_missing = 0 WHERE id = ?",
                           ((game_id,) for game_id in plan.returned))
    writer = _Writer(db, root, plan.known, plan.vanished, summary,
                     plan.user_platform_ids)
    total_bytes = sum(job.size for job in plan.jobs)
    records = _examine_all(plan.jobs, workers, pack.index, root.path.name)
    for batch in _batches(_reporting(records, progress, len(plan.jobs), total_bytes)):
        writer.write(batch)
    with db.atomic():
        db.executemany("UPDATE games SET is_missing = 1 WHERE id = ?",
                       ((game_id,) for game_id in writer.vanished))
        db.execute("UPDATE library_roots SET last_scanned_at = ? WHERE id = ?",
                   (now_text(), root.id))
    summary.missing += len(writer.vanished)
    if plan.jobs or writer.vanished:
        counts = db.query_one(
            "SELECT count(matched_game_id) AS hit, count(*) - count(matched_game_id) AS miss "
            "FROM games WHERE root_id = ? AND is_missing = 0", (root.id,))
        assert counts is not None
        plan.identified, plan.unidentified = int(counts["hit"]), int(counts["miss"])
    # else nothing changed: the walk counted the unchanged files (no table scan)
    summary.identified += plan.identified
    summary.unidentified += plan.unidentified


@contextlib.contextmanager
def _gc_paused() -> Iterator[None]:
    """Pause Python's cyclic garbage collector while the rescan plan holds one entry per
    stored file: the planning allocates no reference cycles, but each collection re-walks the
    million live entries (measured: 12% of a 1M-file rescan)."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


@dataclass
class _Plan:
    """What the walk decided for one root."""

    jobs: list[Job]                # files to examine
    known: dict[str, Stored]       # stored rows of those files (and of sheets with tracks)
    returned: list[int]            # unchanged files that were flagged missing
    vanished: set[int]             # stored files the walk did not find
    user_platform_ids: set[int]    # games whose platform was set by hand
    identified: int = 0            # unchanged files found, matched to a catalog game
    unidentified: int = 0          # unchanged files found, matched to none


def _plan_root(db: Database, root: Root, extensions: set[str], summary: ScanSummary,
               full: bool) -> _Plan:
    """Walk a root and decide, file by file, what must be examined.

    The stored rows are popped as the walk finds their files, so what is left at the end
    vanished, and a rescan of a million files holds one entry per file, not two.
    """
    unseen = load_stored(db, root.id)
    user_platform_ids = hand_set_platforms(unseen)
    tracks = load_tracks(db, root.id)
    sheets = {track.sheet for track in tracks.values()}
    plan = _Plan([], {}, [], set(), user_platform_ids)
    seen_tracks: set[str] = set()
    changed_discs: set[str] = set()
    scanned = unchanged = identified = 0  # locals, not attributes: this loop runs per file
    for path, relpath, info in _walk(root.path, summary, extensions):
        if tracks:
            track = tracks.get(relpath)
            if track is not None:
                seen_tracks.add(relpath)
                if not track.matches(info.st_size, info.st_mtime_ns):
                    changed_discs.add(track.sheet)
                continue
        scanned += 1
        known = unseen.pop(relpath, None)
        if known is not None:
            if sheets and relpath in sheets:
                plan.known[relpath] = known
            game_id, size, mtime_ns, flags = known
            if not full and flags & HASHED and size == info.st_size \
                    and mtime_ns == info.st_mtime_ns:  # needs_examining(), inlined: hot
                unchanged += 1
                if flags & IDENTIFIED:
                    identified += 1
                if flags & MISSING:
                    plan.returned.append(game_id)
                continue
            plan.known[relpath] = known
        plan.jobs.append(Job(path, relpath, info.st_size, info.st_mtime_ns))
    summary.scanned += scanned
    summary.unchanged += unchanged
    plan.identified, plan.unidentified = identified, unchanged - identified
    changed_discs.update(t.sheet for rel, t in tracks.items() if rel not in seen_tracks)
    walked_sheets = {sheet for sheet in changed_discs if sheet in plan.known}
    plan.jobs += _reexamined_discs(root, walked_sheets - {job.relpath for job in plan.jobs},
                                   summary)
    plan.jobs = _drop_tracks(root.path, plan.jobs, set(tracks), summary)
    plan.jobs.sort(key=_BY_RELPATH)  # new games get their ids in path order
    plan.vanished = {s[0] for rel, s in unseen.items()
                     if not s[3] & MISSING and rel not in tracks}
    return plan


def needs_examining(known: Stored | None, size: int, mtime_ns: int, full: bool) -> bool:
    """False when the stored row still describes the file: same size and mtime, hashed."""
    return (known is None or full or not known[3] & HASHED or known[1] != size
            or known[2] != mtime_ns)


def ingest_examined(db: Database, pack: DefinitionPack, root: Root,
                    examined: Iterable[Examined], summary: ScanSummary | None = None
                    ) -> ScanSummary:
    """The scan's record-making and writer stages on their own, in this process: store
    examined files of ``root`` in batches.

    Used by tests and by the scale benchmark, which feeds it generated files.
    """
    summary = summary if summary is not None else ScanSummary()
    writer = _Writer(db, root, load_stored(db, root.id), set(), summary)
    records = (record_of(item, pack.index, root.path.name) for item in examined)
    for batch in _batches(records):
        writer.write(batch)
    return summary


def _batches(records: Iterable[Record | None]) -> Iterator[list[Record]]:
    """Writer batches: BATCH_SIZE files, or fewer once BATCH_SECONDS passed since the first
    (checked as each file arrives, and at each None: the pool's "still working").

    Bigger batches amortise each commit (a random-key index dirties a page per row); the
    time bound keeps what an interruption can lose small when files hash slowly.
    """
    batch: list[Record] = []
    started = 0.0
    for item in records:
        if item is not None:
            if not batch:
                started = time.monotonic()
            batch.append(item)
        if batch and (len(batch) >= BATCH_SIZE
                      or time.monotonic() - started >= BATCH_SECONDS):
            yield batch
            batch = []
    if batch:
        yield batch


def _reporting(records: Iterable[Record | None], progress: Progress | None, files: int,
               total_bytes: int) -> Iterator[Record | None]:
    """Pass records through, telling ``progress`` how far the scan is."""
    done_files = done_bytes = 0
    for item in records:
        if item is not None:
            done_files += 1
            done_bytes += item.job.size
            if progress is not None:
                progress(done_files, done_bytes, files, total_bytes)
        yield item


def load_stored(db: Database, root_id: int) -> dict[str, Stored]:
    """What the database holds for each file path of a root (the rescan's skip decision)."""
    rows = db.conn.execute(
        "SELECT filepath, id, file_size, file_mtime_ns, (file_sha1 IS NOT NULL) * ? "
        "+ is_missing * ? + (platform_source = 'user') * ? + (matched_game_id IS NOT NULL) * ? "
        "FROM games WHERE root_id = ?", (HASHED, MISSING, USER_PLATFORM, IDENTIFIED, root_id))
    return {row[0]: row[1:] for row in rows}


def hand_set_platforms(stored: dict[str, Stored]) -> set[int]:
    """Ids of the stored games whose platform was set by hand (a rescan keeps it)."""
    return {s[0] for s in stored.values() if s[3] & USER_PLATFORM}


class StoredTrack(NamedTuple):
    """A stored track file of a disc sheet (.cue/.gdi), for the rescan's skip decision."""

    sheet: str
    size: int | None
    mtime_ns: int | None

    def matches(self, size: int, mtime_ns: int) -> bool:
        """True when the file on disk is still the track that was hashed.

        Tracks stored before schema v1.1.3 have no modification time: size alone decides.
        """
        return self.size == size and (self.mtime_ns is None or self.mtime_ns == mtime_ns)


def load_tracks(db: Database, root_id: int) -> dict[str, StoredTrack]:
    """The track files of a root's disc sheets by relative path (not those of an .m3u,
    whose discs are games of their own)."""
    rows = db.conn.execute(
        "SELECT g.filepath, f.name, f.file_size, f.file_mtime_ns "
        "FROM game_files f JOIN games g ON g.id = f.game_id "
        "WHERE g.root_id = ? AND f.kind = 'track' AND g.filepath NOT LIKE '%.m3u'", (root_id,))
    return {str(PurePosixPath(sheet).parent / name): StoredTrack(sheet, size, mtime_ns)
            for sheet, name, size, mtime_ns in rows}


def _reexamined_discs(root: Root, sheets: set[str], summary: ScanSummary) -> list[Job]:
    """Jobs for disc sheets the walk found unchanged but whose track files changed or
    vanished."""
    jobs = []
    for relpath in sorted(sheets):
        path = os.path.join(root.path, relpath)
        try:
            info = os.stat(path)
        except OSError as exc:
            summary.error(relpath, f"cannot stat ({exc.strerror})")
            continue
        jobs.append(Job(path, relpath, info.st_size, info.st_mtime_ns))
        summary.unchanged -= 1
    return jobs


_BY_RELPATH = operator.attrgetter("relpath")


def _walk(root: Path, summary: ScanSummary, extensions: set[str]
          ) -> Iterator[tuple[str, str, os.stat_result]]:
    """Files under ``root`` with one of ``extensions``, with their relative POSIX path.

    Links are reported, never followed. The directory entry's type decides folders and the
    extension decides files before any ``stat``: a rescan stats only the files it may store.
    Files come in directory order, not sorted (sorting every listing cost a 1M-file rescan
    about a second); the scan sorts the few files it examines.
    """
    stack = [(str(root), "")]
    while stack:
        folder, rel_folder = stack.pop()
        try:
            with os.scandir(folder) as entries:
                listing = list(entries)
        except OSError as exc:
            summary.error(display_path(folder), f"cannot list folder ({exc.strerror})")
            continue
        for entry in listing:
            name = entry.name
            relpath = rel_folder + (name if name.isascii() else display_path(name))
            try:
                if entry.is_symlink():
                    summary.error(display_path(entry.path), "symbolic link not followed")
                    continue
                if entry.is_dir(follow_symlinks=False):
                    stack.append((entry.path, relpath + "/"))
                    continue
                dot = name.rfind(".")
                if dot < 0 or name[dot:].lower() not in extensions:
                    continue
                info = entry.stat(follow_symlinks=False)
            except OSError as exc:
                summary.error(display_path(entry.path), f"cannot stat ({exc.strerror})")
                continue
            if stat_module.S_ISREG(info.st_mode):
                yield entry.path, relpath, info
            else:
                summary.error(display_path(entry.path), "not a regular file; skipped")


def _drop_tracks(root: Path, jobs: list[Job], tracks: set[str],
                 summary: ScanSummary) -> list[Job]:
    """Track files of a .cue/.gdi are part of that disc, not games of their own."""
    claimed = set(tracks)
    for job in jobs:
        if extension_of(job.relpath.rsplit("/", 1)[-1]) in HASHED_SHEETS:  # per new file
            try:
                names = referenced_files(Path(job.path))
            except ContainerError:
                continue
            parent = PurePosixPath(job.relpath).parent
            claimed.update(str(parent / name) for name in names)
    kept = [job for job in jobs if job.relpath not in claimed]
    summary.scanned -= len(jobs) - len(kept)
    return kept


def _examine_all(jobs: list[Job], workers: int | None, index: PackIndex,
                 root_name: str) -> Iterator[Record | None]:
    """Records of ``jobs``, from a pool of worker processes (in any order, with a None
    now and then while they work), or made here for one worker or one job."""
    count = workers if workers is not None else (os.cpu_count() or 1)
    if count <= 1 or len(jobs) < 2:
        start_worker(index, root_name)
        yield from map(examine_to_record, jobs)
        return
    yield from examine_in_pool(jobs, count, _chunk_size(jobs, count), index, root_name)


CHUNK_BYTES = 32 << 20
MAX_CHUNK_FILES = 256


def _chunk_size(jobs: list[Job], workers: int) -> int:
    """How many files a worker takes at a time: about CHUNK_BYTES of data.

    Each chunk is one message each way that the writer's thread handles between batches,
    so chunks of tiny files are large (with ``multiprocessing.Pool``, chunks of 32 kept
    the writer waiting for the interpreter lock a quarter of a first scan). Chunks of large files
    stay small so that no worker is left with the last dozen disc images while another
    idles, and every worker gets several chunks.
    """
    average = max(1, sum(job.size for job in jobs) // max(1, len(jobs)))
    by_bytes = CHUNK_BYTES // average
    return max(1, min(MAX_CHUNK_FILES, by_bytes, len(jobs) // (4 * workers)))


class _Writer:
    """The one writer: upserts a batch of records and identifies them."""

    def __init__(self, db: Database, root: Root, stored: dict[str, Stored],
                 vanished: set[int], summary: ScanSummary,
                 user_platform_ids: set[int] | None = None) -> None:
        self.db = db
        self.root = root
        self.stored = stored
        self.vanished = vanished
        self.summary = summary
        self.user_platform_ids = user_platform_ids if user_platform_ids is not None else \
            hand_set_platforms(stored)

    def write(self, batch: Iterable[Record]) -> None:
        """Store one batch in one transaction: new rows in bulk, then index and identify."""
        touched: list[int] = []
        with self.db.atomic():
            self.now = now_text()
            self.first_new_id = self.next_id = _next_game_id(self.db)
            self.new_rows: list[tuple[object, ...]] = []
            self.file_rows: list[tuple[object, ...]] = []
            for record in batch:
                game_id = self._write_one(record)
                if game_id is not None:
                    touched.append(game_id)
            self._flush()
            if touched:
                identify(self.db, touched)

    def _flush(self) -> None:
        if self.new_rows:
            self.db.executemany(_INSERT_GAME, self.new_rows)
            index_games(self.db, self.first_new_id)
        if self.file_rows:
            self.db.executemany(_INSERT_FILE, self.file_rows)

    def _write_one(self, record: Record) -> int | None:
        job = record.job
        for problem in record.problems:
            self.summary.error(job.relpath, problem)
        if record.row is None:
            self.summary.error(job.relpath, record.error or "not hashed")
            return None
        self.summary.bytes_hashed += record.bytes_hashed
        known = self.stored.get(job.relpath)
        renamed = None if known is not None else self._find_renamed(record)
        if known is not None or renamed is not None:
            game_id = known[0] if known is not None else renamed
            assert game_id is not None
            self._update(game_id, record.row)
            self.db.execute("DELETE FROM game_files WHERE game_id = ?", (game_id,))
            if renamed is not None:
                self.vanished.discard(renamed)
                self.summary.renamed += 1
            else:
                self.summary.updated += 1
        else:
            game_id = self.next_id
            self.next_id += 1
            self.new_rows.append((game_id, self.root.id, *record.row, self.now, self.now))
            self.summary.added += 1
        self.file_rows += [(game_id, *row) for row in record.files]
        return game_id

    def _update(self, game_id: int, row: tuple[object, ...]) -> None:
        """Rewrite a row from a fresh examination; a platform set by hand is kept."""
        updates = dict(zip(ROW_COLUMNS, row, strict=True))
        updates.update(root_id=self.root.id, last_scanned_at=self.now, updated_at=self.now)
        if game_id in self.user_platform_ids:
            for key in PLATFORM_COLUMNS:
                updates.pop(key)
        assignments = ", ".join(f"{column} = ?" for column in updates)
        self.db.execute(f"UPDATE games SET {assignments} WHERE id = ?",
                        (*updates.values(), game_id))

    def _find_renamed(self, record: Record) -> int | None:
        if not self.vanished or record.sha1 is None:
            return None
        rows = self.db.query("SELECT id FROM games WHERE file_sha1 = ? AND file_size = ?",
                             (record.sha1, record.job.size))
        for row in rows:
            if row["id"] in self.vanished:
                return int(row["id"])
        return None


def _next_game_id(db: Database) -> int:
    """The id the next new game gets (ids are never reused: AUTOINCREMENT semantics)."""
    return int(db.scalar(
        "SELECT max(coalesce((SELECT seq FROM sqlite_sequence WHERE name = 'games'), 0), "
        "coalesce((SELECT max(id) FROM games), 0)) + 1"))
