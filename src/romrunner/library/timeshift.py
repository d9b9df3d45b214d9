"""A FAT drive's files seen at other times after a time-zone or daylight-saving change: the
same files, not read again.

FAT keeps a file's time as local time with no zone, and the computer converts it with the zone
it is in now: when daylight saving starts or ends (twice a year), the drive moves to a computer
in another zone, or between Windows and Linux (one mounting it as UTC), every file's time moves
by the same whole number of hours (of quarter hours: +5:45, +12:45 exist), to within FAT's 2 s
— exactly, for a time read from the same stored one. exFAT stores the zone, but drivers that
ignore it (exfat-fuse) show the same move. A driver that converts each time with the rules of
its own date (FUSE's, by ``localtime``) moves summer and winter files by two offsets, an hour
apart.

The rescan's rule (a root on a FAT-family file system, neither ``scan --full`` nor ``--verify``,
which read every file): a stored, hashed file whose size is the same and whose time moved by a
non-zero whole number of quarter hours, at most 26 h (the widest gap between two zones), is the
same file — its stored time is updated, it is not read — when more than half of the root's
stored files the walk saw moved by that offset (or by it and one an hour from it). A file
edited in place to the same size whose new time falls exactly on its old one plus the drive's
offset, in the scan that sees the shift, would be missed; ``scan --full`` reads every file.

Times cut to a coarser precision: a library first scanned over a mount that keeps nanoseconds
(ext4, NFS) and seen through one that keeps less — an SMB mount in whole seconds, a copy onto
FAT (2 s), NTFS (100 ns) or a file system of microseconds — shows every file's time cut down
(truncated) to that precision. The rescan's rule (any root, neither ``scan --full`` nor
``--verify``): the precision is the coarsest of :data:`PRECISIONS_NS` that every time the walk
saw is a multiple of (the root's unchanged files, changed and new ones, disc tracks: a single
time finer than it says the mount keeps finer times, and then no file is taken); a stored,
hashed file whose size is the same and whose new time is its stored one cut down to that
precision is the same file — its new time stored, it is not read — when more than half of the
root's stored files the walk saw are such files. A file edited to the same size is missed only
if its new time falls in the precision's step at or before its stored time (up to 2 s before
it), which no edit made after the last scan gives; ``scan --full`` reads every file.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from math import gcd
from pathlib import Path

from romrunner.devices.mounts import filesystem_type

QUARTER_HOUR_NS = 15 * 60 * 10**9
HOUR_NS = 4 * QUARTER_HOUR_NS
WIDEST_NS = 26 * HOUR_NS  # UTC-12 to UTC+14
# File system types (as /proc/self/mountinfo names them) that keep local times: the kernel's
# FAT and exFAT drivers, and FUSE's (exfat-fuse reports ``fuseblk``; so does ntfs-3g, whose
# UTC times never move: the rule then never applies).
FAT_FAMILY = frozenset({"vfat", "msdos", "fat", "umsdos", "exfat", "fuseblk", "fuse.fusefat",
                        "fuse.exfat", "fuse.exfat-fuse", "fuse.vfat"})


# The precisions a file's time can come back cut to, coarsest first: FAT's 2 s; whole seconds
# (SMB and NFS mounts of some servers, ext3, HFS+); microseconds; NTFS's 100 ns.
PRECISIONS_NS = (2 * 10**9, 10**9, 1000, 100)
_FINEST = PRECISIONS_NS[-1]


def coarsen(common: int, time_ns: int) -> int:
    """The greatest common divisor of ``common`` (0: none yet) and ``time_ns``, while it may
    still be a multiple of one of :data:`PRECISIONS_NS` (else ``common``, unchanged: no
    further time can make it one again). Per walked file: one remainder on a mount of
    nanoseconds once the first times showed them, two on one of a coarser precision."""
    if common % _FINEST or (common and not time_ns % common):
        return common
    return gcd(common, time_ns)


def precision_of(common: int) -> int | None:
    """The coarsest of :data:`PRECISIONS_NS` that divides ``common`` (the times' greatest
    common divisor, see :func:`coarsen`), None when none does or there was no time."""
    if not common:
        return None
    return next((precision for precision in PRECISIONS_NS if common % precision == 0), None)


def cut_to(before_ns: int | None, after_ns: int, precision: int) -> bool:
    """True when ``after_ns`` is ``before_ns`` cut down (truncated) to ``precision``, and not
    the same time."""
    return before_ns is not None and after_ns != before_ns \
        and after_ns == before_ns - before_ns % precision


def said_precision(precision_ns: int) -> str:
    """``whole seconds``, ``2 s``…: a precision as the scan's summary says it."""
    return {2 * 10**9: "2 s (as FAT keeps them)", 10**9: "whole seconds",
            1000: "microseconds", 100: "100 ns (as NTFS keeps them)"}.get(
                precision_ns, f"{precision_ns:,} ns")


def keeps_local_times(root: Path) -> bool:
    """True when the library root ``root`` is on a file system that keeps local times (FAT,
    exFAT: see :data:`FAT_FAMILY`)."""
    return (filesystem_type(root) or "").lower() in FAT_FAMILY


def zone_offset(before_ns: int | None, after_ns: int) -> int | None:
    """How far a file's time moved, when that is a time-zone change's move (a non-zero whole
    number of quarter hours, at most 26 h), else None."""
    if before_ns is None:
        return None
    moved = after_ns - before_ns
    if moved and moved % QUARTER_HOUR_NS == 0 and abs(moved) <= WIDEST_NS:
        return moved
    return None


def common_offsets(offsets: Iterable[int | None], files: int) -> frozenset[int]:
    """The offsets by which more than half of a root's ``files`` stored files moved: the most
    common one of ``offsets`` (None: a file that moved otherwise), and the most common of those
    an hour or less from it (a driver converting by each date's daylight saving); none when
    those are not most of the files."""
    counts = Counter(offset for offset in offsets if offset is not None)
    if not counts:
        return frozenset()
    (first, _), *others = counts.most_common()
    taken = {first}
    near = [offset for offset, _ in others if abs(offset - first) <= HOUR_NS]
    if near:
        taken.add(near[0])
    if sum(counts[offset] for offset in taken) * 2 <= files:
        return frozenset()
    return frozenset(taken)


def said_offsets(offsets: Iterable[int]) -> str:
    """``+1 h``, ``-5 h and -4 h``, ``-15 min``: offsets as the scan's summary says them."""
    return " and ".join(_said(offset) for offset in sorted(set(offsets)))


def _said(offset_ns: int) -> str:
    minutes = abs(offset_ns) // (60 * 10**9)
    hours, minutes = divmod(minutes, 60)
    sign = "-" if offset_ns < 0 else "+"
    if not hours:
        return f"{sign}{minutes} min"
    return f"{sign}{hours} h" + (f" {minutes} min" if minutes else "")
