"""The scan's first stage: walk a root, compare every file with what is stored, and decide
which files must be examined. An unchanged file (same size and modification time as
stored, hashed before) is never opened.

A rescan of an unchanged library is nothing but this stage, so it is built for speed: the
root's top-level folders are walked by worker processes (each sends back the size and
modification time of what it found) while this process reads what is stored, then
compares. On a local disk that overlaps the two and halves the walk; on a network share,
where each ``stat`` waits for the server, each worker keeps one more request in flight.
"""

from __future__ import annotations

import contextlib
import errno
import json
import operator
import os
import pickle
import stat
import stat as stat_module
from array import array
from collections import deque
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from itertools import repeat
from math import gcd
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any, NamedTuple

from romrunner.gcpause import gc_paused
from romrunner.library.containers import ContainerError, find_ignoring_case, referenced_files
from romrunner.library.examine import HASHED_SHEETS, Job, KnownTrack, track_relpath
from romrunner.library.hashing import Hashes
from romrunner.library.platforms import MediaRule, is_media_game
from romrunner.library.roots import Root, root_holding
from romrunner.library.summary import ScanSummary, card_name, display_path, os_path
from romrunner.library.tags import extension_of
from romrunner.library.timeshift import (
    coarsen,
    common_offsets,
    cut_to,
    precision_of,
    zone_offset,
)
from romrunner.library.workers import WorkerPool
from romrunner.store.database import Database

# What the database knows of a file, for the rescan's skip decision: the plain tuple
# (game id, size, mtime_ns, flags) that SQLite hands over. A rescan of a large library builds
# a million of them; as a named tuple they cost a second more per million (measured).
Stored = tuple[int, int, "int | None", int]
HASHED, MISSING, USER_PLATFORM, IDENTIFIED, WHOLE = 1, 2, 4, 8, 16  # a Stored's flags
# Examined: a file with its hashes, or its CRC32 only (hashed CRC32 first), or a zip read
# from its directory (no hashes of its own: its members have them).
# (a disc sheet stored without a track, as an earlier release could: examined again, to be
# found no game — review 97 F1)
# A present game stored with a problem (an archive found damaged) is examined again by every
# scan until it reads — put back with its time kept (`cp -p`), the walk would otherwise take
# it for unchanged and damaged for ever (qa185 F1); and it is read WHOLE, as is an archive
# verified (its own SHA1 stored) found with a new size or time: its directory would state
# the CRCs its data may no longer have (qa187 F2: a zip damaged in place was "the same
# content" and never read again).
_STORED = ("SELECT filepath, id, file_size, file_mtime_ns, "
           "((sha1_bin IS NOT NULL OR crc32_bin IS NOT NULL OR is_archive = 1) "
           "AND NOT (coalesce(format, '') IN ('cue', 'gdi') AND NOT EXISTS (SELECT 1 "
           "FROM game_files f WHERE f.game_id = games.id AND f.kind = 'track')) "
           "AND NOT (is_missing = 0 AND scan_error IS NOT NULL)) * ? "
           "+ is_missing * ? + (platform_source = 'user') * ? "
           "+ (matched_game_id IS NOT NULL) * ? "
           "+ ((is_missing = 0 AND scan_error IS NOT NULL) "
           "OR (is_archive = 1 AND sha1_bin IS NOT NULL)) * ? FROM games WHERE root_id = ?")
_FLAG_BITS = (HASHED, MISSING, USER_PLATFORM, IDENTIFIED, WHOLE)
UNLISTED = "cannot list folder ({}); its games were left as they were"
UNSTATED = "cannot stat ({}); its game was left as it was"


# Files that are never games, whatever their extension: Windows' folder files (macOS'
# ``._*`` forks and ``.DS_Store`` are dot-names, skipped even with --include-hidden).
SYSTEM_FILES = frozenset({"thumbs.db", "desktop.ini", "ehthumbs.db"})
# Folders that are never a library's (lower case): NAS recycle bins, snapshots and thumbnail
# stores (Synology, QNAP), Windows' recycle bins and volume data, fsck's lost files. Skipped
# as hidden ones are, even with --include-hidden (QA33 F5: deleted games came back).
SYSTEM_FOLDERS = frozenset({
    "#recycle", "#snapshot", "@eadir", "@recycle", "@recently-snapshot", "@sharebin",
    "@tmp", "$recycle.bin", "recycler", "system volume information", "lost+found",
    # AFP shares' recycle bin and temporary files (netatalk, Synology, QNAP: QA88 F7); and,
    # taken in by --include-hidden otherwise (F8), macOS' and the freedesktop trash (also
    # `.Trash-UID`), Samba's recycle bin, netatalk's forks, macOS' volume data, QNAP's
    # thumbnails, NAS snapshots
    "network trash folder", "temporary items", ".trashes", ".trash", ".recycle",
    ".appledouble", ".spotlight-v100", ".fseventsd", ".documentrevisions-v100",
    ".temporaryitems", ".@__thumb", ".@__qini", ".snapshot", ".streams"})


def system_folder(name: str) -> bool:
    """True for a folder that is never a library's (see SYSTEM_FOLDERS)."""
    lowered = name.lower()
    return lowered in SYSTEM_FOLDERS or lowered.startswith(".trash-")
BIOS_FOLDER = "bios"  # a library's BIOS files (`roms/bios/`, lower case): never games
# At the top of a root, RetroArch's BIOS folder too (`system/`: the pack's OSes point their
# BIOS at `RetroArch/system`, `/storage/system`; qa182: its BIOS files became games of
# undecided platform). Deeper, `system` may be a game's own folder (a DOS game's).
TOP_BIOS_FOLDERS = frozenset({"system"})


def bios_folder(name: str, top: bool) -> bool:
    """True for a folder of BIOS files, never games: ``bios`` at any depth, ``system`` at
    the top of a root (``top``)."""
    lowered = name.lower()
    return lowered == BIOS_FOLDER or (top and lowered in TOP_BIOS_FOLDERS)


class WalkRules(NamedTuple):
    """What the walk takes: files with one of ``extensions``; hidden files and folders
    (dot-names) only with ``hidden``; files of an extension of ``media`` (covers, notes:
    not in ``extensions``) only where its rule makes them games (a `.png` in `PICO-8/`)."""

    extensions: set[str]
    hidden: bool = False
    media: dict[str, MediaRule] = {}  # noqa: RUF012 (a NamedTuple default, never mutated)
    # The library's roots by their folders' device and inode: a folder met by the walk that
    # is one of them reached by another path (a bind mount, a share mounted twice) is said
    roots: dict[tuple[int, int], str] = {}  # noqa: RUF012 (the same)


def skipped_dot_name(name: str, hidden: bool) -> bool:
    """True for a dot-name the walk skips: every one by default; with ``hidden``, still
    macOS' resource forks (``._*``) and folder files (``.DS_Store``), never games."""
    return not hidden or name.startswith("._") or name == ".DS_Store"


def dot_named_game(entry: os.DirEntry[str], extensions: set[str]) -> bool:
    """True for a file whose real name starts with a dot and ends in a game's extension
    (``.hack - Infection Part 1 (USA).iso``: Redump's and No-Intro's names of the `.hack`
    series), taken as a game by default: no OS or NAS puts such a name in a library, and
    skipped as hidden it was a game the user never saw. Not macOS' resource forks
    (``._*``), a bare extension (``.gba``), nor a folder. Asked for dot-names only."""
    name = entry.name
    dot = name.rfind(".")
    if dot < 2 or name.startswith("._") or name[dot:].lower() not in extensions:
        return False
    try:
        return not entry.is_dir(follow_symlinks=False)
    except OSError:
        return False


class RootUnlistable(Exception):
    """The root answers but cannot be listed: the scan marks nothing missing in it."""


@dataclass
class WalkNotes:
    """What the walk of one part of a root met besides the files it yields (filled in as
    the files are taken): what it could not read, and so must not take for vanished."""

    errors: list[dict[str, str]] = field(default_factory=list)
    unlisted: list[str] = field(default_factory=list)  # folders, relative, ending in "/"
    unstated: list[str] = field(default_factory=list)  # files, relative
    skipped: list[str] = field(default_factory=list)   # files, relative
    hidden: int = 0  # hidden or system files and folders skipped
    empty: int = 0   # empty files skipped
    # Empty files, relative: a stored game's among them is gone for the scan (qa182 F1: an
    # emptied ROM was "unchanged" at every scan, and each deploy said "rescan it")
    emptied: list[str] = field(default_factory=list)
    # Files of no game type, by type: their relative paths (a disc sheet's track among them,
    # a .gdi's `.raw`, is no such file: see _merge)
    unknown: dict[str, list[str]] = field(default_factory=dict)
    unscanned: list[str] = field(default_factory=list)  # "path: reason" of folders not walked
    # Files of a media extension (a cover `.png`) that are not games where they are: a row
    # an earlier release stored for one is no longer a game (see ``Plan.not_games``).
    not_games: list[str] = field(default_factory=list)
    bios_folders: list[str] = field(default_factory=list)  # relative, not walked
    # Folders that never hold games (BIOS folders, NAS recycle bins…), relative: a row an
    # earlier release stored from one is no longer a game (review 18 R10, R14)
    never_games: list[str] = field(default_factory=list)
    # Symbolic links to regular files, not followed: by the real folder of their target
    # (said in one line with a way forward, not one line per link of a link farm)
    file_links: dict[str, int] = field(default_factory=dict)

    def report(self, path: str, reason: str) -> None:
        """A file or folder that could not be handled; the walk goes on."""
        self.errors.append({"path": path, "error": reason})

    def not_walked(self, path: str, reason: str) -> None:
        """A folder the walk could not go through (the scan then found problems)."""
        self.report(path, reason)
        self.unscanned.append(f"{path}: {reason}")


def load_stored(db: Database, root_id: int, folder: str | None = None) -> dict[str, Stored]:
    """What the database holds for each file path of a root, or of one top-level folder of
    it (the rescan's skip decision)."""
    if folder is None:
        rows = db.conn.execute(_STORED, (*_FLAG_BITS, root_id))
    else:  # the range of paths under "folder/" ("0" follows "/"): the path index serves it
        rows = db.conn.execute(_STORED + " AND filepath >= ? AND filepath < ?",
                               (*_FLAG_BITS, root_id, folder + "/", folder + "0"))
    return _by_path(rows)


def _by_path(rows: Iterable[tuple[Any, ...]]) -> dict[str, Stored]:
    """Rows of ``_STORED`` as {path: Stored} (the plain tuples SQLite returns)."""
    return {row[0]: row[1:] for row in rows}


def hand_set_platforms(stored: dict[str, Stored]) -> set[int]:
    """Ids of the stored games whose platform was set by hand (a rescan keeps it)."""
    return {s[0] for s in stored.values() if s[3] & USER_PLATFORM}


def needs_examining(known: Stored | None, size: int, mtime_ns: int, full: bool) -> bool:
    """False when the stored row still describes the file: same size and mtime, hashed."""
    return (known is None or full or not known[3] & HASHED or known[1] != size
            or known[2] != mtime_ns)


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
    return {track_relpath(sheet, name): StoredTrack(sheet, size, mtime_ns)
            for sheet, name, size, mtime_ns in rows}


@dataclass
class Plan:
    """What the walk decided for one root."""

    jobs: list[Job]                # files to examine, in path order
    known: dict[str, Stored]       # stored rows of those files (and of sheets with tracks)
    returned: list[int]            # unchanged files that were flagged missing
    vanished: dict[int, str]       # stored files the walk did not find: id -> path
    user_platform_ids: set[int]    # games whose platform was set by hand
    identified: int = 0            # unchanged files found, matched to a catalog game
    unwalked: int = 0              # present games the walk skipped (hidden) and left as they were
    unidentified: int = 0          # unchanged files found, matched to none
    # Stored games (present) whose file the walk no longer takes for a game (a cover `.png`
    # an earlier release stored as an NES game): id -> path; the scan forgets them (marks
    # missing those in a collection or with an override).
    not_games: dict[int, str] = field(default_factory=dict)
    # Of ``vanished``, the files the walk found empty: id -> their size at the last scan
    # (said as emptied when marked missing: see library.scan._finish_root)
    emptied: dict[int, int] = field(default_factory=dict)
    # Files taken as the same after a FAT drive's time-zone shift, or with their times cut to
    # a coarser precision (see timeshift): their new times, to store — (game id, time) and
    # disc tracks' (sheet's game id, name, time) — and the offsets they moved by, or the
    # precision (ns) their times were cut to.
    retimed: list[tuple[int, int]] = field(default_factory=list)
    retimed_tracks: list[tuple[int, str, int]] = field(default_factory=list)
    shift: frozenset[int] = frozenset()
    precision: int | None = None
    # Files taken as moved to another folder without being read (see refolder): how many,
    # and how many track files of their discs the plan's jobs no longer hold
    moved_folders: int = 0
    tracks_moved: int = 0
    # Of those, where each was: id -> (path, time, when it entered where it was)
    moved_from: dict[int, tuple[str, int, int | None]] = field(default_factory=dict)
    # Where the root's file system is mounted now (see roots.mount_point_of); and, where the
    # scan holds the root back as not on the file system it lay on at its last completed
    # scan (its disk not mounted?), where that one was mounted: see library.scan._off_its_disk
    mount: str | None = None
    off_mount: str | None = None
    found_as_they_were: int = 0  # (of a root held so: see library.scan._off_its_disk)
    # The root's folders that are mount points now (see roots.mounted_folders); and those
    # it held back as no longer mount points (their disks not mounted?): folder -> what
    # the scan says of it (see library.scan._folders_off_their_disks)
    mounted: list[str] = field(default_factory=list)
    off_folders: dict[str, str] = field(default_factory=dict)

    def same_file(self, before_ns: int | None, after_ns: int) -> bool:
        """True when a stored file of the same size whose time moved from ``before_ns`` to
        ``after_ns`` is taken as the same file: by the root's zone shift, or its times' cut
        to a coarser precision."""
        if self.precision is not None:
            return cut_to(before_ns, after_ns, self.precision)
        return bool(self.shift) and zone_offset(before_ns, after_ns) in self.shift


@dataclass
class _Part:
    """What the walk of one part of a root (a top-level folder, or the root's own files)
    found, against the stored rows of that part."""

    jobs: list[Job] = field(default_factory=list)
    known: dict[str, Stored] = field(default_factory=dict)
    returned: list[int] = field(default_factory=list)
    unseen: dict[str, Stored] = field(default_factory=dict)
    scanned: int = 0
    unchanged: int = 0
    identified: int = 0
    seen_tracks: set[str] = field(default_factory=set)
    changed_discs: set[str] = field(default_factory=set)
    retimed_tracks: list[tuple[str, int]] = field(default_factory=list)  # same size, new time
    common: int = 0  # the walked files' times' common divisor (see timeshift.coarsen)
    notes: WalkNotes = field(default_factory=WalkNotes)


@dataclass
class _Context:
    """What every part's comparison needs."""

    root: str
    full: bool
    tracks: dict[str, StoredTrack]
    sheets: set[str]
    shifting: bool = False  # a FAT-family root, not --full/--verify: see timeshift
    coarse: bool = False  # not --full/--verify: times cut to a coarser precision, see timeshift


# A file the walk found: (path, relative path, size, mtime_ns); the path is None where it
# is the root's path joined with the relative one.
Found = tuple["str | None", str, int, int]
Walked = tuple[str, Iterable[Found], WalkNotes]  # a top-level folder's files, and notes
Folder = tuple[str, str]  # a top-level folder: (relative name, path)


def plan_root(db: Database, root: Root, rules: WalkRules, summary: ScanSummary,
              full: bool, workers: int, *, shifting: bool = False,
              coarse: bool = False) -> Plan:
    """Walk a root and decide, file by file, what must be examined; with ``shifting`` (a
    root on FAT or exFAT), files whose times all moved by a time-zone shift are not, and
    with ``coarse``, files whose times were all cut to a coarser precision (see
    :mod:`~romrunner.library.timeshift`).

    Raises RootUnlistable when the root itself cannot be listed."""
    folders = _top_level(str(root.path), rules)
    with gc_paused(), _walking(folders, rules, workers) as walked:
        tracks = load_tracks(db, root.id)
        context = _Context(str(root.path), full, tracks,
                           {track.sheet for track in tracks.values()}, shifting and not full,
                           coarse and not full)
        root_notes = WalkNotes()
        root_files = list(_walk(context.root, "", root_notes, rules, descend=False))
        root_relpaths = [relpath for _, relpath, _, _ in root_files]
        stored = _stored_of(db, root.id, root_relpaths)
        loaded = len(stored)
        parts = [_plan_part(context, stored, root_files, root_notes)]
        for name, found, notes in walked:  # one folder's stored rows in memory at a time
            stored = load_stored(db, root.id, name)
            loaded += len(stored)
            parts.append(_plan_part(context, stored, found, notes))
        outside = _outside(db, root.id, [name for name, _ in folders], root_relpaths, loaded)
        parts.append(_Part(unseen=outside))
        plan = _merge(root, parts, context, summary)
    _keep_unlisted(root, plan, rules, summary)
    return plan


def _keep_unlisted(root: Root, plan: Plan, rules: WalkRules, summary: ScanSummary) -> None:
    """Leave as they were the stored games the walk did not take because the pack in use
    lists their file's type for no platform now, their files still there (a pack update
    dropped their platform: kept, not "vanished"; said by type)."""
    for game_id, relpath in list(plan.vanished.items()):
        kind = extension_of(relpath.rsplit("/", 1)[-1])
        if kind in rules.extensions or kind in rules.media:
            continue
        if os.path.lexists(os.path.join(root.path, relpath)):
            del plan.vanished[game_id]
            plan.unwalked += 1  # (counted by the table: see scan._finish_root)
            types = summary.kept_unlisted_types
            types[kind] = types.get(kind, 0) + 1
            skipped = summary.skipped_unknown_types  # (said apart, not as a file skipped)
            if skipped.get(kind, 0) > 0:
                skipped[kind] -= 1
                summary.skipped_unknown -= 1
                if not skipped[kind]:
                    del skipped[kind]


def _stored_of(db: Database, root_id: int, relpaths: list[str]) -> dict[str, Stored]:
    """The stored rows of these paths (the few files directly in the root)."""
    if not relpaths:
        return {}
    rows = db.conn.execute(_STORED + " AND filepath IN (SELECT value FROM json_each(?))",
                           (*_FLAG_BITS, root_id, json.dumps(relpaths)))
    return _by_path(rows)


def _outside(db: Database, root_id: int, folders: list[str], root_files: list[str],
             loaded: int) -> dict[str, Stored]:
    """Stored rows of files that are neither under a present top-level folder nor among
    the files found directly in the root: a folder or a file that vanished. ``loaded``
    rows were read already; when that is all of them, as usual, one count of the path
    index settles it."""
    if db.scalar("SELECT count(*) FROM games WHERE root_id = ?", (root_id,)) == loaded:
        return {}
    rows = db.conn.execute(
        _STORED + " AND CASE WHEN instr(filepath, '/') = 0 "
        "THEN filepath NOT IN (SELECT value FROM json_each(?)) "
        "ELSE substr(filepath, 1, instr(filepath, '/')) NOT IN (SELECT value FROM json_each(?)) "
        "END", (*_FLAG_BITS, root_id, json.dumps(root_files),
                json.dumps([name + "/" for name in folders])))
    return _by_path(rows)


@contextlib.contextmanager
def _walking(folders: list[tuple[str, str]], rules: WalkRules, workers: int
             ) -> Iterator[Iterator[Walked]]:
    """The walks of the root's top-level ``folders``, one result per folder as each is
    done: from worker processes (started, and handed their first folders, here: before the
    caller reads the database, so the two overlap), or walked in this process when there is
    one worker or one folder."""
    if workers <= 1 or len(folders) < 2 or os.name == "nt":
        yield (_walk_folder(folder, rules) for folder in folders)
        return
    count = min(workers, len(folders))
    with WorkerPool[Folder]("romrunner-walk", _serve_walk, (rules,), count,
                            restarts=count) as pool:
        yield _FolderDealer(pool, folders, count).walked()


class _Listing(NamedTuple):
    """A top-level folder's files as a worker sends them: columns, not a tuple per file
    (a third of the bytes), and the real path only of files whose path is not ASCII (their
    stored name may be escaped; every other path is the root's path joined with the
    relative one)."""

    name: str
    relpaths: list[str]
    sizes: array[int]
    mtimes: array[int]
    odd_paths: dict[str, str]
    notes: WalkNotes

    def found(self) -> Iterator[Found]:
        """The files, as the walk found them (a path only where it is not the root's path
        joined with the relative one: the comparison makes those for the few it needs)."""
        odd_paths = self.odd_paths
        if not odd_paths:
            return zip(repeat(None), self.relpaths, self.sizes, self.mtimes)
        return ((odd_paths.get(relpath), relpath, size, mtime_ns) for relpath, size, mtime_ns
                in zip(self.relpaths, self.sizes, self.mtimes, strict=True))


def _list_folder(folder: tuple[str, str], rules: WalkRules) -> _Listing:
    """Walk one top-level folder ``(name, path)`` in a worker."""
    name, found, notes = _walk_folder(folder, rules)
    listing = _Listing(name, [], array("q"), array("q"), {}, notes)
    for file_path, relpath, size, mtime_ns in found:
        listing.relpaths.append(relpath)
        listing.sizes.append(size)
        listing.mtimes.append(mtime_ns)
        if not file_path.isascii():  # its name may be stored escaped: keep the real path
            listing.odd_paths[relpath] = file_path
    return listing


def _serve_walk(conn: Connection, rules: WalkRules) -> None:
    """A walk worker's loop: list each top-level folder it is sent until it is sent None."""
    while (folder := conn.recv()) is not None:
        conn.send(_list_folder(folder, rules))


class _FolderDealer:
    """Hands the root's top-level folders to the walk workers, at most one per worker (and
    one more) out at a time: a folder's listing can be large, and without this bound the
    workers, faster than the comparison, would pile up finished listings here (measured:
    +150 MiB at 1M files). The folders of a worker that died are reported, and their games
    left as they were."""

    def __init__(self, pool: WorkerPool[Folder], folders: list[Folder], count: int) -> None:
        self.pool = pool
        self.waiting = deque(folders)
        self.limit = count + 1
        self.out = 0
        self._top_up()

    def _top_up(self) -> None:
        while self.waiting and self.out < self.limit:
            worker = self.pool.least_busy()
            if worker is None:
                return
            worker.send(self.waiting.popleft())
            self.out += 1

    def walked(self) -> Iterator[Walked]:
        """Each folder's walk, as each is done."""
        pool = self.pool
        while self.out:
            done, answer = pool.answer()
            if isinstance(answer, bytes):
                self.out -= 1
                self._top_up()
                listing: _Listing = pickle.loads(answer)
                yield listing.name, listing.found(), listing.notes
                continue
            assert isinstance(done, list)
            self.out -= len(done)
            for folder in done:
                yield _not_walked(folder, f"its walk worker stopped (exit code {answer})")
            if self.waiting:
                pool.restart()
            self._top_up()
        for folder in self.waiting:  # every worker died and no restart was left
            yield _not_walked(folder, "no walk worker left")


def _not_walked(folder: Folder, reason: str) -> Walked:
    """A folder no worker could walk: reported, and its games left as they were."""
    name, path = folder
    notes = WalkNotes(unlisted=[name + "/"])
    notes.not_walked(display_path(path),
                     f"not walked: {reason}; its games were left as they were")
    return name, (), notes


def _walk_folder(folder: tuple[str, str], rules: WalkRules
                 ) -> tuple[str, Iterator[tuple[str, str, int, int]], WalkNotes]:
    """The files of one top-level folder ``(name, path)`` as they are walked, and what
    could not be read (filled in as the files are taken)."""
    name, path = folder
    notes = WalkNotes()
    return name, _walk(path, name + "/", notes, rules), notes


def _plan_part(context: _Context, unseen: dict[str, Stored], found: Iterable[Found],
               notes: WalkNotes) -> _Part:
    """Compare what the walk found in one part of the root with its stored rows, popped
    as they are found: what is left at the end was not found."""
    tracks, sheets, full, root = context.tracks, context.sheets, context.full, context.root
    part = _Part(notes=notes)
    scanned = unchanged = identified = 0  # locals, not attributes: this loop runs per file
    common = 0  # the times' common divisor, while it may be a precision's (timeshift.coarsen)
    for path, relpath, file_size, file_mtime_ns in found:
        if not common % 100 and (not common or file_mtime_ns % common):  # (coarsen(),
            common = gcd(common, file_mtime_ns)                           # inlined: hot)
        if tracks:
            track = tracks.get(relpath)
            if track is not None:
                part.seen_tracks.add(relpath)
                if not track.matches(file_size, file_mtime_ns):
                    if track.size == file_size and track.mtime_ns is not None:
                        part.retimed_tracks.append((relpath, file_mtime_ns))  # see _merge
                    else:
                        part.changed_discs.add(track.sheet)
                continue
        scanned += 1
        known = unseen.pop(relpath, None)
        if known is not None:
            if sheets and relpath in sheets:
                part.known[relpath] = known
            game_id, size, mtime_ns, flags = known
            if not full and flags & HASHED and size == file_size \
                    and mtime_ns == file_mtime_ns:  # needs_examining(), inlined: hot
                unchanged += 1
                if flags & IDENTIFIED:
                    identified += 1
                if flags & MISSING:
                    part.returned.append(game_id)
                continue
            part.known[relpath] = known
            if flags & WHOLE:
                part.jobs.append(Job(path or os.path.join(root, relpath), relpath, file_size,
                                     file_mtime_ns, whole=True))
                continue
        part.jobs.append(Job(path or os.path.join(root, relpath), relpath, file_size,
                             file_mtime_ns))
    part.scanned, part.unchanged, part.identified = scanned, unchanged, identified
    part.common = common
    part.unseen = unseen
    return part


def _merge(root: Root, parts: list[_Part], context: _Context, summary: ScanSummary) -> Plan:
    """One plan from the parts: what they found, and what none of them found. The walk's
    counts go into ``summary`` here, once."""
    tracks = context.tracks
    plan = Plan([], {}, [], {}, set())
    retimed: list[tuple[str, int]] = []  # tracks of the same size at another time
    unseen: dict[str, Stored] = {}
    seen_tracks: set[str] = set()
    changed_discs: set[str] = set()
    notes = WalkNotes()  # every part's
    scanned = unchanged = identified = common = 0
    for part in parts:
        common = coarsen(common, part.common)
        plan.jobs += part.jobs
        plan.known.update(part.known)
        plan.returned += part.returned
        unseen.update(part.unseen)
        _add_notes(notes, part.notes)
        scanned += part.scanned
        unchanged += part.unchanged
        identified += part.identified
        seen_tracks |= part.seen_tracks
        changed_discs |= part.changed_discs
        retimed += part.retimed_tracks
    changed_discs.update(_unwalked_changed(root.path, tracks, seen_tracks, retimed))
    stored_seen = unchanged + len(tracks) + sum(job.relpath in plan.known
                                                for job in plan.jobs)
    if context.shifting:
        plan.shift = common_offsets(_offsets(plan, tracks, retimed), stored_seen)
    if context.coarse and not plan.shift:
        plan.precision = _coarser_precision(plan, tracks, retimed, common, stored_seen)
    changed_discs.update(_retime_tracks(plan, tracks, retimed))
    if plan.shift or plan.precision:
        shifted, shifted_identified = _take_shifted(plan)
        unchanged += shifted
        identified += shifted_identified
        if plan.shift:
            summary.times_shifted.append({"root": str(root.path), "files": shifted,
                                          "offsets_seconds": sorted(offset // 10**9 for offset
                                                                    in plan.shift)})
        else:
            summary.times_coarser.append({"root": str(root.path), "files": shifted,
                                          "precision_ns": plan.precision})
    plan.identified, plan.unidentified = identified, unchanged - identified
    walked_sheets = {sheet for sheet in changed_discs if sheet in plan.known}
    discs = _reexamined_discs(root, walked_sheets - {job.relpath for job in plan.jobs},
                              notes)
    walked = plan.jobs + discs
    claimed = _claimed_tracks(walked, set(tracks))
    plan.jobs = [job for job in walked if job.relpath not in claimed]  # tracks: no games
    plan.jobs.sort(key=_BY_RELPATH)  # new games get their ids in path order
    plan.jobs = _one_per_path(plan.jobs, notes)
    prefixes = tuple(f"{folder}/" for folder in notes.never_games)
    for relpath in [*notes.not_games, *(rel for rel in unseen if prefixes
                                        and rel.startswith(prefixes))]:
        # no longer games: forgotten, not "vanished"
        known = unseen.pop(relpath, None)
        if known is not None and not known[3] & (MISSING | USER_PLATFORM):
            plan.not_games[known[0]] = relpath  # (one set by hand is left as it was)
    # What the walk could not read, or skipped, is left as it was.
    plan.vanished = _vanished(unseen, tracks, tuple(notes.unlisted),
                              {*notes.unstated, *notes.skipped})
    plan.emptied = _emptied(unseen, plan.vanished, notes)
    plan.unwalked = sum(1 for rel, stored in unseen.items() if not stored[3] & MISSING
                        and rel not in tracks and stored[0] not in plan.vanished)
    plan.user_platform_ids = hand_set_platforms(plan.known) | hand_set_platforms(unseen)
    summary.scanned += scanned - (len(walked) - len(plan.jobs))  # tracks are not games
    summary.unchanged += unchanged - len(discs)  # the discs re-examined were counted
    summary.errors += notes.errors
    summary.unscanned += notes.unscanned
    summary.skipped_hidden += notes.hidden
    summary.bios_folders += [os.path.join(root.path, folder) for folder in notes.bios_folders]
    summary.skipped_empty += notes.empty
    for folder, count in notes.file_links.items():
        summary.linked_files += count
        summary.linked_into[folder] = summary.linked_into.get(folder, 0) + count
    _count_unknown(notes.unknown, claimed, summary)
    return plan


def _count_unknown(unknown: dict[str, list[str]], claimed: set[str],
                   summary: ScanSummary) -> None:
    """Count in ``summary`` the files of no game type the walk met (``unknown``: by type,
    their relative paths), but for the tracks a disc sheet names (``claimed``): a .gdi's
    `.raw` audio track is part of its disc, not a file skipped (QA154 F2)."""
    types = summary.skipped_unknown_types
    for kind, relpaths in unknown.items():
        count = sum(relpath not in claimed for relpath in relpaths) if claimed \
            else len(relpaths)
        if count:
            summary.skipped_unknown += count
            types[kind] = types.get(kind, 0) + count


def _one_per_path(jobs: list[Job], notes: WalkNotes) -> list[Job]:
    """``jobs`` (in path order) with one file per path: a path is one game's row, and a
    second file on it would fail the scan's writer (two games on one path). The walk never
    yields a path twice (:func:`_clashing` leaves out names that would share one); this
    keeps it so whatever the cause, reporting the file left out. One comparison per job."""
    relpaths = list(map(_BY_RELPATH, jobs))
    if not any(map(operator.eq, relpaths, relpaths[1:])):
        return jobs
    kept = [jobs[0]]
    for job in jobs[1:]:
        if job.relpath == kept[-1].relpath:
            notes.report(display_path(job.path), "found twice by the walk (the path of "
                                                 f"{display_path(kept[-1].path)}); skipped")
        else:
            kept.append(job)
    return kept


def _unwalked_changed(root: Path, tracks: dict[str, StoredTrack], seen: set[str],
                      retimed: list[tuple[str, int]]) -> Iterator[str]:
    """The sheets of stored tracks the walk did not report, whose file is gone or changed;
    one of the same size at another time is added to ``retimed`` instead (see _merge).

    The walk takes only the extensions games have, so a track named ``track02.raw`` or
    ``.wav`` is never walked: it is looked at here, one ``lstat`` each, instead of being
    taken for changed (which re-hashed a whole disc on every rescan)."""
    for rel, track in tracks.items():
        if rel in seen:
            continue
        if track.size is None and _still_unread(root, rel):
            continue  # missing or outside the root when hashed, and still: nothing changed
        try:
            info = os.lstat(root / rel)
        except OSError:
            yield track.sheet
            continue
        if not stat_module.S_ISREG(info.st_mode) or track.size != info.st_size:
            yield track.sheet
        elif not track.matches(info.st_size, info.st_mtime_ns):
            if track.mtime_ns is None:
                yield track.sheet
            else:
                retimed.append((rel, info.st_mtime_ns))


def _same_size(plan: Plan) -> Iterator[tuple[Job, Stored]]:
    """The plan's jobs of stored, hashed files of the same size as stored (their time
    moved), with their stored rows."""
    for job in plan.jobs:
        known = plan.known.get(job.relpath)
        if known is not None and known[3] & HASHED and known[1] == job.size:
            yield job, known


def _offsets(plan: Plan, tracks: dict[str, StoredTrack], retimed: list[tuple[str, int]]
             ) -> Iterator[int | None]:
    """How far each stored file of the same size as stored moved, where that is a time-zone
    change's move (see :func:`~romrunner.library.timeshift.zone_offset`)."""
    for job, known in _same_size(plan):
        yield zone_offset(known[2], job.mtime_ns)
    for relpath, mtime_ns in retimed:
        yield zone_offset(tracks[relpath].mtime_ns, mtime_ns)


def _coarser_precision(plan: Plan, tracks: dict[str, StoredTrack],
                       retimed: list[tuple[str, int]], common: int, stored_seen: int
                       ) -> int | None:
    """The coarser precision the root's times were cut to, when more than half of its
    ``stored_seen`` stored files the walk saw are of the same size as stored with their
    stored time cut to it (see :mod:`~romrunner.library.timeshift`); ``common``: the
    walked times' common divisor, which every new time of a file examined or retimed
    track joins here. None when there is no such precision."""
    if not stored_seen:
        return None
    for job in plan.jobs:
        common = coarsen(common, job.mtime_ns)
    for _, mtime_ns in retimed:
        common = coarsen(common, mtime_ns)
    precision = precision_of(common)
    if precision is None:
        return None
    cut = sum(cut_to(known[2], job.mtime_ns, precision) for job, known in _same_size(plan))
    cut += sum(cut_to(tracks[relpath].mtime_ns, mtime_ns, precision)
               for relpath, mtime_ns in retimed)
    return precision if cut * 2 > stored_seen else None


def _retime_tracks(plan: Plan, tracks: dict[str, StoredTrack],
                   retimed: list[tuple[str, int]]) -> Iterator[str]:
    """The sheets of ``retimed`` tracks (the same size, at another time) that changed; those
    that moved by the plan's shift are kept in it with their new times instead."""
    for relpath, mtime_ns in retimed:
        track = tracks[relpath]
        sheet = plan.known.get(track.sheet)
        if sheet is None or not plan.same_file(track.mtime_ns, mtime_ns):
            yield track.sheet
            continue
        folder = track.sheet.rpartition("/")[0]
        name = relpath[len(folder) + 1:] if folder else relpath
        plan.retimed_tracks.append((sheet[0], name, mtime_ns))


def _take_shifted(plan: Plan) -> tuple[int, int]:
    """Take out of the plan's jobs the files that moved by its shift (or whose times were cut
    to its precision), their new times kept in ``plan.retimed``: how many, and how many of
    them are identified."""
    shifted = {job.relpath: known for job, known in _same_size(plan)
               if plan.same_file(known[2], job.mtime_ns)}
    identified = 0
    for job in plan.jobs:
        known = shifted.get(job.relpath)
        if known is None:
            continue
        plan.retimed.append((known[0], job.mtime_ns))
        identified += bool(known[3] & IDENTIFIED)
        if known[3] & MISSING:
            plan.returned.append(known[0])
    plan.jobs = [job for job in plan.jobs if job.relpath not in shifted]
    return len(shifted), identified


def _still_unread(root: Path, rel: str) -> bool:
    """True for a stored track that was not read (it was missing, or outside the root)
    and still cannot be: outside the root, or not a regular file there, nor one its sheet
    now finds (another case, or a name stored from a Windows-1252 sheet read as UTF-8: see
    :func:`~romrunner.library.containers.sheet_file_names`)."""
    if os.path.isabs(rel) or os.path.normpath(rel).startswith("..") or "\x00" in rel:
        return True  # (a NUL: a name no file can have, from a UTF-16 sheet — QA95 F1)
    try:
        return not stat_module.S_ISREG(os.lstat(root / rel).st_mode)
    except OSError:
        return find_ignoring_case(root, rel, unknown_bytes=True) is None


def _add_notes(notes: WalkNotes, more: WalkNotes) -> None:
    """Add what the walk of one more part noted to ``notes``."""
    notes.errors += more.errors
    notes.unlisted += more.unlisted
    notes.unstated += more.unstated
    notes.skipped += more.skipped
    notes.hidden += more.hidden
    notes.empty += more.empty
    notes.emptied += more.emptied
    for kind, relpaths in more.unknown.items():
        notes.unknown.setdefault(kind, []).extend(relpaths)
    notes.unscanned += more.unscanned
    notes.not_games += more.not_games
    notes.bios_folders += more.bios_folders
    notes.never_games += more.never_games
    for folder, count in more.file_links.items():
        notes.file_links[folder] = notes.file_links.get(folder, 0) + count


def _emptied(unseen: dict[str, Stored], vanished: dict[int, str],
             notes: WalkNotes) -> dict[int, int]:
    """The stored games whose file the walk found empty, gone for the scan as a missing
    file is: id -> the file's size at the last scan."""
    emptied: dict[int, int] = {}
    for relpath in notes.emptied:
        stored = unseen.get(relpath)
        if stored is not None and stored[0] in vanished:
            emptied[stored[0]] = stored[1]
    return emptied


def _vanished(unseen: dict[str, Stored], tracks: dict[str, StoredTrack],
              folders: tuple[str, ...], files: set[str]) -> dict[int, str]:
    """The stored files the walk did not find (id -> path), but for those it could not
    look at or skipped (in ``folders``, or among ``files``): those stay as they were."""
    return {s[0]: rel for rel, s in unseen.items()
            if not s[3] & MISSING and rel not in tracks and rel not in files
            and not (folders and rel.startswith(folders))}


@dataclass
class Recheck:
    """What a second look found of the files the walk did not find."""

    gone: dict[int, str]                                 # still gone: id -> path
    back: dict[str, int] = field(default_factory=dict)  # folder -> files there again


def recheck_vanished(root: Path, vanished: dict[int, str]) -> Recheck | None:
    """Look again, just before marking them missing, at the files the walk did not find:
    a folder that blinked during the walk (a share reconnecting, a drive remounted) is
    there again. None when the root itself no longer answers.

    One ``stat`` per vanished folder, and one per file only where its folder is there.
    """
    if not _answers(root):
        return None
    recheck = Recheck({})
    there: dict[str, bool] = {"": True}
    for game_id, relpath in vanished.items():
        folder = relpath.rpartition("/")[0]
        if folder not in there:
            there[folder] = os.path.isdir(os_path(os.path.join(root, folder)))
        if there[folder] and _a_regular_file(os_path(os.path.join(root, relpath))):
            recheck.back[folder or "."] = recheck.back.get(folder or ".", 0) + 1
        else:
            recheck.gone[game_id] = relpath
    return recheck


def _a_regular_file(path: str) -> bool:
    """True when ``path`` is a regular file with content, not followed through a link: what
    the walk takes (a ROM replaced by a link, a pipe or a folder is gone for the scan, never
    "found again": QA67 F6, kept present and failed by every deploy; an emptied one too)."""
    try:
        info = os.lstat(path)
    except OSError:
        return False
    return stat.S_ISREG(info.st_mode) and info.st_size > 0


def _answers(root: Path) -> bool:
    """True when the root is a folder that can be listed."""
    try:
        with os.scandir(root):
            return True
    except OSError:
        return False


def take_known_tracks(db: Database, plan: Plan) -> int:
    """Give each job of a stored, hashed disc sheet (.cue/.gdi at its stored path) its
    tracks' stored rows (``Job.known_tracks``), those hashed when stored (a size above 0, a
    time and all three hashes): a track still of that size and time is then not read
    again. For a plain rescan only (``scan --full`` and ``--verify`` read every track).
    Returns how many jobs got some."""
    sheets = {known[0]: job.relpath for job in plan.jobs
              if extension_of(job.relpath) in HASHED_SHEETS
              and (known := plan.known.get(job.relpath)) is not None and known[3] & HASHED}
    if not sheets:
        return 0
    rows: dict[str, list[KnownTrack]] = {}
    for game_id, name, size, mtime_ns, *blobs in db.query(
            "SELECT game_id, name, file_size, file_mtime_ns, crc32_bin, md5_bin, sha1_bin, "
            "header_size, nh_crc32_bin, nh_md5_bin, nh_sha1_bin FROM game_files "
            "WHERE kind = 'track' AND game_id IN (SELECT value FROM json_each(?)) "
            "AND file_size > 0 AND file_mtime_ns IS NOT NULL AND crc32_bin IS NOT NULL "
            "AND md5_bin IS NOT NULL AND sha1_bin IS NOT NULL", (json.dumps(list(sheets)),)):
        crc, md5, sha1, header, nh_crc, nh_md5, nh_sha1 = blobs
        hashes = Hashes(int(size), crc.hex(), md5.hex(), sha1.hex(), int(header or 0),
                        *(blob.hex() if blob is not None else None
                          for blob in (nh_crc, nh_md5, nh_sha1)))
        rows.setdefault(sheets[int(game_id)], []).append(
            KnownTrack(str(name), int(size), int(mtime_ns), hashes))
    if rows:
        plan.jobs = [job._replace(known_tracks=tuple(rows[job.relpath]))
                     if job.relpath in rows else job for job in plan.jobs]
    return len(rows)


def _reexamined_discs(root: Root, sheets: set[str], notes: WalkNotes) -> list[Job]:
    """Jobs for disc sheets the walk found unchanged but whose track files changed or
    vanished."""
    jobs = []
    for relpath in sorted(sheets):
        path = os_path(os.path.join(root.path, relpath))
        try:
            info = os.stat(path)
        except OSError as exc:
            notes.report(os.path.join(root.path, relpath), f"cannot stat ({exc.strerror})")
            continue
        jobs.append(Job(path, relpath, info.st_size, info.st_mtime_ns))
    return jobs


_BY_RELPATH = operator.attrgetter("relpath")


def _top_level(root: str, rules: WalkRules) -> list[tuple[str, str]]:
    """The root's folders as (relative name, path): each is one part of the walk. (Hidden
    ones are counted by the walk of the root's own files.)"""
    folders: list[tuple[str, str]] = []
    try:
        with os.scandir(root) as entries:
            listing = list(entries)
    except OSError as exc:
        raise RootUnlistable(exc.strerror or str(exc)) from exc
    clashes: list[set[str]] = []
    for entry in listing:
        with contextlib.suppress(OSError):
            name = entry.name
            if name[0] == "." and skipped_dot_name(name, rules.hidden):
                continue
            if entry.is_dir(follow_symlinks=False):
                if system_folder(name) or bios_folder(name, top=True):
                    continue  # (counted by the walk of the root's own files)
                shown = name if name.isascii() else display_path(name)
                if shown != name and name in _clashes(listing, clashes):
                    continue  # the walk of the root's own files reports it
                folders.append((shown, entry.path))
    return folders


ANOTHER_ROOT = ("is the library root {} by another path (a bind mount, a share mounted "
                "twice): its files are games twice, and `romrunner games dupes` shows each "
                "as the same file; `romrunner library rm` one of the two")
A_CARD = ("a card ROM Runner deploys to (its .romrunner/ holds the records): its files are "
          "copies of a library's, not games of this one; not scanned")


def _a_card(listing: list[os.DirEntry[str]]) -> bool:
    """True when a folder listed as ``listing`` is a card a deploy wrote its records to."""
    for entry in listing:
        if entry.name == ".romrunner":
            with contextlib.suppress(OSError):
                return os.path.isfile(os.path.join(entry.path, "destination-id"))
    return False


CLASHING = ("its name is not UTF-8 (read as “{}”) and, escaped, is the name of "
            "another file or folder here: rename it; skipped")


def _clashing(listing: list[os.DirEntry[str]]) -> set[str]:
    """The names in one folder's listing that the walk leaves out because, stored, they
    could not be told apart from another: a name that is not UTF-8 is stored with ``\\xNN``
    escapes (:func:`display_path`), and one whose escaped form is the name of another
    entry (a real backslash in it) or the escaped form of another such name would share
    that entry's path (two games on one path: the scan's writer would fail). The name that
    is valid text is kept; of two that are not, the first by their bytes (the same one on
    every scan). Called only for a listing with a name that is not UTF-8 (rare)."""
    names = {entry.name for entry in listing}
    escaped: dict[str, list[str]] = {}
    for name in names:
        if not name.isascii():
            shown = display_path(name)
            if shown != name:
                escaped.setdefault(shown, []).append(name)
    left_out: set[str] = set()
    for shown, group in escaped.items():
        if shown in names:
            left_out.update(group)
        else:
            left_out.update(sorted(group, key=os.fsencode)[1:])
    return left_out


def _clashes(listing: list[os.DirEntry[str]], cache: list[set[str]]) -> set[str]:
    """:func:`_clashing` of ``listing``, worked out once (kept in ``cache``)."""
    if not cache:
        cache.append(_clashing(listing))
    return cache[0]


def _clash_reason(name: str) -> str:
    """Why the walk left out a name :func:`_clashing` returned."""
    return CLASHING.format(card_name(display_path(name)))


def _root_by_another_path(entry: os.DirEntry[str], roots: dict[tuple[int, int], str]
                          ) -> str | None:
    """The library root the folder ``entry`` is, by its own device and inode — a stat of it:
    its directory entry's inode number is, for a mount point, the folder under the mount
    (review 128 F1: a root bind-mounted inside another was never said), and with the walk's
    device, a folder's of a file system mounted deeper (review 126 F5) — or None."""
    try:
        info = entry.stat(follow_symlinks=False)
    except OSError:
        return None
    return roots.get((info.st_dev, info.st_ino))


def _walk(folder: str, rel_folder: str, notes: WalkNotes, rules: WalkRules, *,
          descend: bool = True) -> Iterator[tuple[str, str, int, int]]:
    """Files under ``folder`` (only those directly in it unless ``descend``) with one of
    one of the ``rules``' extensions, and their relative POSIX path (``rel_folder`` + the
    path below). Hidden, system and empty files, and hidden folders, are counted in
    ``notes`` and skipped; a stored game among them is left as it was.

    What cannot be listed or stat'ed is reported and noted in ``notes``. Links are
    reported, never followed. The directory entry's type decides folders and the
    extension decides files before any ``stat``: a rescan stats only the files it may store.
    Files come in directory order, not sorted (sorting every listing cost a 1M-file rescan
    about a second); the scan sorts the few files it examines.
    """
    report = notes.report
    extensions, hidden, media, roots = rules
    root_name = _root_name(folder, rel_folder) if media else ""
    # (a library of one root has no other root to meet: no stat per folder for it)
    others = roots if len(roots) > 1 else {}
    stack = [(folder, rel_folder)]
    while stack:
        folder, rel_folder = stack.pop()
        try:
            with os.scandir(folder) as entries:
                listing = list(entries)
        except OSError as exc:
            notes.not_walked(display_path(folder), UNLISTED.format(exc.strerror))
            notes.unlisted.append(rel_folder)
            continue
        if rel_folder and _a_card(listing):  # (review 100 F9: its copies became games)
            report(display_path(folder), A_CARD)
            notes.never_games.append(rel_folder.rstrip("/"))
            continue
        clashes: list[set[str]] = []  # names left out, worked out at the first odd name
        for entry in listing:
            name = entry.name
            if name.isascii():
                relpath = rel_folder + name
                odd = False
            else:
                shown = display_path(name)
                relpath = rel_folder + shown
                odd = shown != name  # not UTF-8: stored escaped
            if name[0] == "." and skipped_dot_name(name, hidden) \
                    and not dot_named_game(entry, extensions):
                _skip_hidden(entry, relpath, notes)
                continue
            try:
                if entry.is_symlink():
                    _skip_link(entry.path, relpath, notes, rules)
                    continue
                if entry.is_dir(follow_symlinks=False):
                    if others and (found := _root_by_another_path(entry, others)) is not None:
                        report(display_path(entry.path), ANOTHER_ROOT.format(
                            display_path(found)))
                    if system_folder(name):
                        notes.hidden += 1
                        notes.never_games.append(relpath)
                    elif bios_folder(name, top=not rel_folder):
                        notes.bios_folders.append(relpath)
                        notes.never_games.append(relpath)
                    elif odd and name in _clashes(listing, clashes):
                        report(display_path(entry.path), _clash_reason(name))
                    elif descend:
                        stack.append((entry.path, relpath + "/"))
                    continue
                dot = name.rfind(".")
                if (dot < 0 or name[dot:].lower() not in extensions) and not (
                        media and _media_game(name, dot, rel_folder, root_name, media)):
                    if name.lower() in SYSTEM_FILES:
                        _skip_hidden(entry, relpath, notes)
                    else:
                        _unknown_type(name, entry.path, relpath, notes, extensions)
                        if media and dot >= 0 and name[dot:].lower() in media:
                            notes.not_games.append(relpath)
                    continue
                if name.lower() in SYSTEM_FILES:  # in case a pack claims .db or .ini
                    _skip_hidden(entry, relpath, notes)
                    continue
                if odd and name in _clashes(listing, clashes):
                    report(display_path(entry.path), _clash_reason(name))
                    notes.skipped.append(relpath)  # the path of the file kept: left to it
                    continue
                info = entry.stat(follow_symlinks=False)
            except OSError as exc:
                report(display_path(entry.path), UNSTATED.format(exc.strerror))
                notes.unstated.append(relpath)
                notes.unlisted.append(relpath + "/")  # in case it was a folder
                continue
            if stat_module.S_ISREG(info.st_mode):
                if info.st_size:
                    yield entry.path, relpath, info.st_size, info.st_mtime_ns
                else:
                    notes.empty += 1
                    notes.emptied.append(relpath)
            else:
                report(display_path(entry.path), "not a regular file; skipped")


def _root_name(folder: str, rel_folder: str) -> str:
    """The name of the library root of a walk of ``folder`` (``rel_folder`` below it)."""
    for _ in range(rel_folder.count("/")):
        folder = os.path.dirname(folder.rstrip(os.sep))
    return os.path.basename(folder.rstrip(os.sep))


def _media_game(name: str, dot: int, rel_folder: str, root_name: str,
                media: dict[str, MediaRule]) -> bool:
    """True for a file of a media extension (a `.png`) that is a game where it is: see
    :func:`~romrunner.library.platforms.is_media_game`. Asked only for files of no game's
    extension (the walk's rare path)."""
    if dot < 0:
        return False
    extension = name[dot:].lower()
    rule = media.get(extension)
    if rule is None:
        return False
    folders = [*reversed(rel_folder.split("/")[:-1]), root_name]
    return is_media_game(name, extension, folders, rule)


ODD_END = ("its name ends with {} after {}, so it is not taken for a game (and a card's "
           "file system may refuse it): rename it to end in {}; skipped")


def _unknown_type(name: str, path: str, relpath: str, notes: WalkNotes,
                  extensions: set[str]) -> None:
    """A file with no game's extension (at ``path``, ``relpath`` in its root): noted by its
    type, or, when its name would end in a game's extension but for trailing dots or spaces
    (``x.sfc.``, ``x.sfc ``: a slip, which Windows hides by dropping them), reported by
    name."""
    if name[-1] in ". ":
        kept = name.rstrip(". ")
        dot = kept.rfind(".")
        if dot > 0 and kept[dot:].lower() in extensions:
            ending = "a space" if name[-1] == " " else "a dot"
            if len(name) - len(kept) > 1:
                ending = "dots or spaces"
            notes.report(display_path(path), ODD_END.format(ending, kept[dot:], kept[dot:]))
            return
    kind = extension_of(name)
    if len(kind) > 9 or not kind.isprintable() or " " in kind:
        kind = ""  # "Mr. Game": no extension, not ". game"
    notes.unknown.setdefault(kind, []).append(relpath)


def _skip_link(path: str, relpath: str, notes: WalkNotes, rules: WalkRules) -> None:
    """A symbolic link the walk met (``relpath`` in its library root): never followed (a scan
    reads only the files inside its roots; a deploy copies no link). One to a regular file
    is counted by the folder its target is in, said once for them all with a way forward
    (a link farm made by a 1G1R tool), or, named as no game is (a linked cover), counted by
    its type as such a file is; one to a folder that is, or is in, another of the library's
    roots is not said (its files are scanned there: nothing to do); one that leads nowhere,
    or to anything else, is named, one line each."""
    extensions = rules.extensions
    root = path[:-len(relpath)]
    try:
        mode = os.stat(path).st_mode
    except OSError as exc:
        notes.report(display_path(path), _link_broken(path, exc))
        return
    if stat.S_ISREG(mode):
        name = os.path.basename(path)
        dot = name.rfind(".")
        if dot < 0 or name[dot:].lower() not in extensions:
            _unknown_type(name, path, relpath, notes, extensions)
            return
        folder = display_path(os.path.dirname(os.path.realpath(path)))
        notes.file_links[folder] = notes.file_links.get(folder, 0) + 1
        return
    if stat.S_ISDIR(mode) and _into_another_root(path, root, rules.roots):
        return
    notes.report(display_path(path), _link_not_followed(path, root))


def _into_another_root(path: str, root: str, roots: dict[tuple[int, int], str]) -> bool:
    """True when the link to a folder ``path``, in the library root ``root``, leads to
    another library root or into one (added as the scan's advice said: its files are
    scanned there). Asked only for links to folders (rare: a stat per folder above)."""
    holding = root_holding(os.path.realpath(path), roots)
    return holding is not None and os.path.realpath(holding) != os.path.realpath(root)


def _link_broken(path: str, error: OSError) -> str:
    """Why a link that cannot be followed is skipped: it leads nowhere (its target is not
    there: a share not mounted, a file moved), round in a loop, or cannot be read."""
    try:
        target = display_path(os.readlink(path))
    except OSError:
        target = "?"
    if error.errno in (errno.ENOENT, errno.ENOTDIR):
        return f"symbolic link to {target}, which is not there; skipped"
    if error.errno == errno.ELOOP:
        return f"symbolic link to {target}, a loop of links; skipped"
    return f"symbolic link to {target}, which cannot be read ({error.strerror}); skipped"


def _link_not_followed(path: str, root: str) -> str:
    """Why a symbolic link is skipped, and for a link to a folder outside the library root
    ``root`` what to do instead (QA33 F13: a root of linked platform folders scanned to 0
    games without a word of advice)."""
    target = os.path.realpath(path)
    inside = os.path.realpath(root).rstrip("/") + "/"
    if os.path.isdir(path) and not (target + "/").startswith(inside):
        return (f"symbolic link not followed (a link to a folder: add {display_path(target)} "
                "as a library root, `romrunner library add`, to scan what it holds)")
    return "symbolic link not followed"


def _skip_hidden(entry: os.DirEntry[str], relpath: str, notes: WalkNotes) -> None:
    """Count a hidden or system file or folder the walk skips, and note it so that a game
    stored from it (scan --include-hidden) is not taken for vanished."""
    notes.hidden += 1
    try:
        is_folder = entry.is_dir(follow_symlinks=False)
    except OSError:
        is_folder = False
    if is_folder:
        notes.unlisted.append(relpath + "/")
    else:
        notes.skipped.append(relpath)


def _claimed_tracks(jobs: list[Job], tracks: set[str]) -> set[str]:
    """The relative paths of the track files of the stored discs (``tracks``) and of the
    .cue/.gdi among ``jobs``: part of their disc, not games, nor files of no game type."""
    claimed = set(tracks)
    for job in jobs:
        if extension_of(job.relpath.rsplit("/", 1)[-1]) in HASHED_SHEETS:  # per new file
            try:
                names = referenced_files(Path(job.path))
            except ContainerError:
                continue
            claimed.update(path for name in names  # (not itself: examined, it is said)
                           if (path := track_relpath(job.relpath, name)) != job.relpath)
    return claimed
