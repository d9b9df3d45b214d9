"""What the operating system says about a mounted destination: file system type, volume UUID.

Linux reports mounts in ``/proc/self/mountinfo``; elsewhere (or when it says nothing) the type
is unknown and the legaliser applies FAT32's rules, the strictest.
"""

from __future__ import annotations

import os
import stat
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

MOUNTINFO = Path("/proc/self/mountinfo")
BY_UUID = Path("/dev/disk/by-uuid")


@dataclass(frozen=True)
class Mount:
    """The mount a path lives on."""

    mount_point: Path
    fs_type: str
    source: str
    device: str = ""  # major:minor of the file system
    root: str = "/"   # the folder of that file system mounted here (not / for a bind mount)


def _unescape(field: str) -> str:
    """mountinfo escapes space, tab, newline and backslash as octal (``\\040``)."""
    out, index = [], 0
    while index < len(field):
        if field[index] == "\\" and field[index + 1:index + 4].isdigit():
            out.append(chr(int(field[index + 1:index + 4], 8)))
            index += 4
        else:
            out.append(field[index])
            index += 1
    return "".join(out)


def mount_of(path: Path, mountinfo: Path = MOUNTINFO) -> Mount | None:
    """The mount holding ``path`` (the longest mount point above it; of two, the later), or
    None when unknown. Compared as text (mount points are absolute and normalised): a deploy
    asks this of the card and of every library root."""
    try:
        lines = mountinfo.read_text(encoding="utf-8", errors="surrogateescape").splitlines()
    except OSError:
        return None
    target = str(path.resolve())
    best: list[str] | None = None
    best_depth = -1
    for line in lines:
        before, sep, after = line.partition(" - ")
        fields = before.split()
        if not sep or len(fields) < 5:
            continue
        point = fields[4] if "\\" not in fields[4] else _unescape(fields[4])
        if point != target and not target.startswith(point if point.endswith("/")
                                                     else f"{point}/"):
            continue
        depth = point.rstrip("/").count("/")
        tail = after.split()
        if len(tail) >= 2 and depth >= best_depth:
            best, best_depth = [point, tail[0], tail[1], fields[2], fields[3]], depth
    if best is None:
        return None
    point, fs_type, source, device, root = best
    return Mount(Path(point), fs_type, _unescape(source), device, _unescape(root))


def mount_points(mountinfo: Path = MOUNTINFO) -> list[str] | None:
    """Every mount point the system lists (bind mounts too), in the order they were mounted,
    or None when it lists none (no ``/proc/self/mountinfo``: not Linux). A mount another was
    mounted over since is listed still: see :func:`shown_at`."""
    try:
        lines = mountinfo.read_text(encoding="utf-8", errors="surrogateescape").splitlines()
    except OSError:
        return None
    points = [_unescape(fields[4]) for line in lines
              if len(fields := line.partition(" - ")[0].split()) >= 5]
    return points or None


def _covers(point: str, path: str) -> bool:
    """True when a mount at ``point`` covers ``path`` (the point itself, or a folder in it)."""
    return point == path or point == "/" or path.startswith(point.rstrip("/") + "/")


def shown_at(path: str, points: list[str]) -> str | None:
    """The mount point of ``points`` (in the order they were mounted) whose file system
    ``path`` shows: the last mounted of those covering it — a mount another was mounted over
    since, at its point or at a folder above it, is hidden (review46c F1: a share so hidden
    was taken for mounted). By the system's list alone: a device number compared with
    ``stat``'s is not the same on btrfs (review46e F1). None when none covers it."""
    shown = None
    for point in points:
        if _covers(point, path):
            shown = point
    return shown


def place_on_device(path: Path) -> tuple[str, PurePosixPath] | None:
    """The file system holding ``path`` (its device, major:minor) and where ``path`` is in it:
    the same folder reached by two paths (a bind mount, a share mounted twice) gets the same
    answer. None when the system does not say (no ``/proc/self/mountinfo``)."""
    mount = mount_of(path)
    if mount is None or not mount.device:
        return None
    inside = path.resolve().relative_to(mount.mount_point)
    return mount.device, PurePosixPath(mount.root, inside)


def filesystem_type(path: Path) -> str | None:
    """The file system type of the mount holding ``path`` (``vfat``, ``ext4`` …) or None."""
    mount = mount_of(path)
    return mount.fs_type if mount else None


def volume_uuid(card_root: Path) -> str | None:
    """The volume UUID when ``card_root`` is itself a mount point whose device has one."""
    mount = mount_of(card_root)
    if mount is None or mount.mount_point != card_root.resolve():
        return None
    try:
        entries = list(BY_UUID.iterdir())
    except OSError:
        return None
    for entry in entries:
        try:
            if os.path.realpath(entry) == os.path.realpath(mount.source):
                return entry.name
        except OSError:
            continue
    return None


def not_a_folder_reason(path: Path | str, *, at_root: bool) -> str:
    """Why a card path where a folder should be is not one: ``a file, not a folder`` and, for
    an empty file at the card's root, what it most likely is (QA18: fusefat shows a FAT
    card's volume label as an empty file at its root)."""
    try:
        info: os.stat_result | None = os.lstat(path)
    except OSError:
        info = None
    if info is None or not stat.S_ISREG(info.st_mode):
        return "not a folder"
    if info.st_size == 0 and at_root:
        return ("a file, not a folder (an empty file at the card's root: fusefat shows a FAT "
                "card's volume label so; relabel the card, or mount it with the kernel's vfat)")
    return "a file, not a folder"
