"""A folder renamed or moved within a root (``PSX`` to ``PS1``, ``GB`` to ``gb``, a platform
folder tidied into ``Sony/PSX``): its files taken as the same games, not read again.

Rename detection otherwise hashes each new file to find the vanished one of the same content,
which reads every byte under a renamed folder. The rescan's rule (neither ``scan --full`` nor
``--verify``, which read every file): a stored, hashed file the walk did not find and a new
file of the same root with the same file name (exactly), the same size and the same
modification time (to the nanosecond), only their folders differing, are one file moved —
when that name, size and time belong to exactly one vanished file and one new file (two
copies renamed alike, or a copy left beside the new one, are read and told apart by their
content as before). A disc sheet's tracks must all be beside it as stored (same names
relative to it, same sizes and times) and gone from their old place. The new folders must
decide the same platform the old ones did (a file's first bytes read for it; not an archive
whose header decided it), else the file is read as any renamed file is. The game keeps its id,
hashes, match and curation; its path is updated; it counts as renamed.

When the rescan also found the root's times cut to a coarser precision (see
:mod:`~romrunner.library.timeshift`: a remount that renamed a folder in the same go), the new
file's time may be the vanished one's cut down (truncated) to that precision — only when that
rule applies to the root (most of its stored files the walk saw came back so cut, and every
time it saw is a multiple of the precision), and the new time is stored. A time is then
shared when another file's cuts to it too.

A time another file of the root has too (another new file, another stored game) is no
fingerprint: those files are read (every file unpacked from a TorrentZip archive has its fixed
time). A file replaced by another of the same name, size and a modification time no other file
has, in another folder, in one go (never by an edit, which sets a new time; a copy tool keeping
times copies the same content) would be taken for the old one; ``scan --full`` reads every
file.
"""

from __future__ import annotations

import json
import os
import stat
import time
from collections import Counter, defaultdict
from typing import NamedTuple

from romrunner.library.examine import Job, track_relpath
from romrunner.library.plan import Plan
from romrunner.library.platforms import decide_platform, folders_of
from romrunner.library.roots import Root
from romrunner.library.summary import os_path
from romrunner.library.tags import extension_of
from romrunner.packs.index import PackIndex
from romrunner.store.database import Database

_HEAD_BYTES = 512  # what a scan's examination keeps of a file for header sniffing
_SHEETS = (".cue", ".gdi")
_PLAYLIST = ".m3u"  # its discs are games of their own: read again (a few bytes)

Key = tuple[str, int, int]  # (file name, size, mtime_ns)


class _Vanished(NamedTuple):
    id: int
    filepath: str
    platform_source: str
    is_archive: int
    mtime_ns: int
    entered_unix: int | None


def take_moved_folders(db: Database, root: Root, plan: Plan, index: PackIndex,
                       entered_unix: int) -> int:
    """Take out of ``plan`` the new files that are vanished ones in another folder (see the
    module's rule), their rows moved to the new paths and stamped ``entered_unix`` (when
    they entered their folder): how many. The track files of the discs taken are out of
    the plan's jobs too (counted in ``plan.tracks_moved``)."""
    if not plan.vanished or not plan.jobs:
        return 0
    step = plan.precision or 1  # (1: the time to the nanosecond)
    new: dict[Key, list[Job]] = defaultdict(list)
    for job in plan.jobs:
        if job.relpath not in plan.known:
            new[(job.relpath.rsplit("/", 1)[-1], job.size, job.mtime_ns)].append(job)
    gone: dict[Key, list[_Vanished]] = defaultdict(list)
    for row in db.query(
            "SELECT id, filepath, file_size, file_mtime_ns, platform_source, is_archive, "
            "entered_unix FROM games WHERE id IN (SELECT value FROM json_each(?)) "
            "AND is_missing = 0 "
            "AND file_mtime_ns IS NOT NULL AND scan_error IS NULL "
            "AND (sha1_bin IS NOT NULL OR crc32_bin IS NOT NULL OR is_archive = 1)",
            (json.dumps(list(plan.vanished)),)):
        key = (str(row[1]).rsplit("/", 1)[-1], int(row[2]), _cut(int(row[3]), step))
        if key in new:
            gone[key].append(_Vanished(int(row[0]), str(row[1]), str(row[4]), int(row[5]),
                                       int(row[3]), row[6]))
    moved: list[tuple[_Vanished, Job]] = []
    tracks_taken: set[str] = set()
    track_times: list[tuple[int, int, str]] = []  # (new time, sheet's game id, track name)
    shared = _shared_times(db, root, plan, {key[2] for key in gone}, step)
    # (ambiguous ones told apart by their content; a playlist's discs are games of their own)
    pairs = [(vanished[0], new[key][0]) for key, vanished in gone.items()
             if len(vanished) == 1 and len(new[key]) == 1 and key[2] not in shared
             and extension_of(key[0]) != _PLAYLIST]
    files = _files_of(db, [old.id for old, _ in pairs])
    for old, job in pairs:
        tracks = _tracks_beside(files.get((old.id, "track"), []), root, old, job, step)
        if tracks is None or not _same_platform(
                [name for name, _, _ in files.get((old.id, "member"), [])], index, root, old,
                job):
            continue
        moved.append((old, job))
        tracks_taken.update(path for path, _, _ in tracks)
        track_times += [(mtime_ns, old.id, name) for _, name, mtime_ns in tracks]
    if not moved:
        return 0
    taken = {job.relpath for _, job in moved} | tracks_taken
    before = len(plan.jobs)
    plan.jobs = [job for job in plan.jobs if job.relpath not in taken]
    # (the walk took the tracks its new sheets name out of the jobs already: any left)
    plan.tracks_moved += before - len(plan.jobs) - len(moved)
    now = int(time.time())
    with db.atomic():
        db.executemany("UPDATE games SET filepath = ?, file_mtime_ns = ?, updated_unix = ?, "
                       "entered_unix = ? WHERE id = ?",
                       ((job.relpath, job.mtime_ns, now, entered_unix, old.id)
                        for old, job in moved))
        if step > 1:  # (the tracks' times cut too: stored, so the next scan is plain)
            db.executemany("UPDATE game_files SET file_mtime_ns = ? "
                           "WHERE game_id = ? AND name = ? AND kind = 'track'", track_times)
    for old, _ in moved:
        plan.vanished.pop(old.id, None)
        plan.moved_from[old.id] = (old.filepath, old.mtime_ns, old.entered_unix)
    return len(moved)


def _cut(time_ns: int, step: int) -> int:
    """``time_ns`` cut down (truncated) to a multiple of ``step`` (1: as it is)."""
    return time_ns - time_ns % step


def _shared_times(db: Database, root: Root, plan: Plan, times: set[int],
                  step: int = 1) -> set[int]:
    """Of ``times``, those another file of the root has too — another new file, or another
    stored game whose time cut to ``step`` (see :func:`_cut`) is that time: a time no
    fingerprint of a file (review39b F3: every file unpacked from a TorrentZip archive has
    its fixed time, and a set of them redumped under the same names and sizes was taken as
    the old files moved; files written in one burst share a time too, and more of them
    share one once cut to whole seconds)."""
    if not times:
        return set()
    shared = {mtime for mtime, count in Counter(job.mtime_ns for job in plan.jobs
                                                 if job.relpath not in plan.known).items()
              if count > 1 and mtime in times}
    # (floored as Python's %: SQLite's % keeps the sign of a time before 1970)
    shared.update(int(row[0]) for row in db.query(
        "SELECT cut FROM (SELECT file_mtime_ns - ((file_mtime_ns % ?) + ?) % ? AS cut "
        "FROM games WHERE root_id = ? AND file_mtime_ns IS NOT NULL) "
        "WHERE cut IN (SELECT value FROM json_each(?)) GROUP BY cut HAVING count(*) > 1",
        (step, step, step, root.id, json.dumps(sorted(times)))))
    return shared


def _files_of(db: Database, game_ids: list[int]
              ) -> dict[tuple[int, str], list[tuple[str, int | None, int | None]]]:
    """The stored tracks and members of ``game_ids``: (game id, kind) -> (name, size, time)
    of each, in one query."""
    files: dict[tuple[int, str], list[tuple[str, int | None, int | None]]] = defaultdict(list)
    if game_ids:
        for game_id, kind, name, size, mtime_ns in db.query(
                "SELECT game_id, kind, name, file_size, file_mtime_ns FROM game_files "
                "WHERE game_id IN (SELECT value FROM json_each(?)) "
                "AND kind IN ('track', 'member') ORDER BY game_id, id",
                (json.dumps(game_ids),)):
            files[(int(game_id), str(kind))].append((str(name), size, mtime_ns))
    return files


def _tracks_beside(rows: list[tuple[str, int | None, int | None]], root: Root,
                   old: _Vanished, job: Job, step: int = 1
                   ) -> list[tuple[str, str, int]] | None:
    """The new paths, names and times of a disc sheet's tracks (``rows``: their stored
    names, sizes and times), each beside the moved sheet as it was beside the old one (the
    same size, the same time cut to ``step``) and gone from its old place; none for a file
    that is no disc sheet; None when a track is not so."""
    if not rows:
        return [] if extension_of(job.relpath) not in _SHEETS else None
    paths = []
    for name, size, mtime_ns in rows:
        if size is None or mtime_ns is None:
            return None  # a track not read when stored: the disc is read again
        before, after = track_relpath(old.filepath, name), track_relpath(job.relpath, name)
        try:
            info = os.lstat(os_path(os.path.join(root.path, after)))
        except OSError:
            return None
        if not stat.S_ISREG(info.st_mode) \
                or (info.st_size, info.st_mtime_ns) != (size, _cut(mtime_ns, step)):
            return None
        if os.path.lexists(os_path(os.path.join(root.path, before))):
            return None  # still there: a copy of the disc, not a move
        paths.append((after, str(name), info.st_mtime_ns))
    return paths


def _same_platform(members: list[str], index: PackIndex, root: Root, old: _Vanished,
                   job: Job) -> bool:
    """True when the new path decides the platform the old one did (or it was set by hand),
    with the file's first bytes (``members``: an archive's stored member names); an archive
    whose header decided it is read again."""
    if old.platform_source == "user":
        return True
    head = b""
    if old.is_archive:
        if old.platform_source == "header":
            return False  # its member's header: not read here
    else:
        try:
            with open(job.path, "rb") as handle:  # (the real path, of any name)
                head = handle.read(_HEAD_BYTES)
        except OSError:
            return False
    before = decide_platform(index, *folders_of(old.filepath, root.path.name), members, head)
    after = decide_platform(index, *folders_of(job.relpath, root.path.name), members, head)
    return before == after
