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


def _unescape_octal(field: str) -> str:
    """mountinfo's field with its octal escapes (``\\040``) read."""
    out, index = [], 0
    while index < len(field):
        if field[index] == "\\" and field[index + 1:index + 4].isdigit():
            out.append(chr(int(field[index + 1:index + 4], 8)))
            index += 4
        else:
            out.append(field[index])
            index += 1
    return "".join(out)


@dataclass(frozen=True, slots=True)
class _Listed:
    """One line of the system's mount list: its ids, its mount point, and the rest of its
    fields as written (read into a :class:`Mount` only when asked: a list may be long)."""

    id: int
    parent: int
    point: str
    fields: tuple[str, str, str, str]  # major:minor, root, type, source (escaped)

    @property
    def mount(self) -> Mount:
        device, root, fs_type, source = self.fields
        return Mount(Path(self.point), fs_type, _unescape(source), device, _unescape(root))


class MountTable:
    """The system's mounts (``/proc/self/mountinfo``), and which of them a path shows."""

    def __init__(self, listed: list[_Listed]) -> None:
        self._listed = listed
        self._children: dict[int, list[_Listed]] = {}
        for entry in listed:
            self._children.setdefault(entry.parent, []).append(entry)
        ids = {entry.id for entry in listed}
        # the mounts whose parent is not listed (outside the namespace, or a chroot's); of
        # them, the namespace's root: the one at `/`
        self._orphans = [entry for entry in listed if entry.parent not in ids]
        self._top = next((entry for entry in self._orphans if entry.point == "/"), None)

    @property
    def points(self) -> list[str]:
        """Every mount point listed (bind mounts too, hidden ones too), in the list's order."""
        return [entry.point for entry in self._listed]

    def shown_at(self, path: str) -> _Listed | None:
        """The mount whose file system ``path`` (absolute, resolved) shows, as the system
        walks it: from the root, at each folder a mount of the file system walked so far is
        mounted on, into the last of those stacked there. A mount another was mounted over
        since — at its point, or at a folder above it — is not reached (review46c F1); one
        moved with ``mount --move`` is, wherever it lies in the list (the list's order alone
        took it for hidden). A chroot's list names no `/` (review47a F1): the walk starts
        at the first of the mounts whose parent it does not list that ``path`` crosses.
        None when no mount covers ``path``."""
        here = self._top
        if here is None:
            crossed = [entry for entry in self._orphans if _covers(entry.point, path)]
            if not crossed:
                return None
            here = min(crossed, key=lambda entry: len(entry.point))
        seen: set[int] = set()
        while here is not None and here.id not in seen:  # (a list that loops: where it did)
            seen.add(here.id)
            if here is not self._top:  # (one mounted over `/` since: the process's root
                here = self._stacked(here, seen)  # stays the one below, review47a F4)
            below = [entry for entry in self._children.get(here.id, ())
                     if len(entry.point) > len(here.point) and _covers(entry.point, path)]
            if not below:
                return here
            here = min(below, key=lambda entry: len(entry.point))  # (the first one walked)
        return here

    def _stacked(self, entry: _Listed, seen: set[int]) -> _Listed:
        """The last mount stacked over ``entry`` at its own point (``entry`` when none)."""
        while True:
            over = [child for child in self._children.get(entry.id, ())
                    if child.point == entry.point and child.id not in seen]
            if not over:
                return entry
            entry = over[-1]
            seen.add(entry.id)


def _listed(line: str) -> _Listed | None:
    """A mountinfo line (``ID PARENT MAJ:MIN ROOT POINT OPTIONS [TAGS] - TYPE SOURCE ...``),
    or None when it is not one."""
    before, sep, after = line.partition(" - ")
    fields, tail = before.split(), after.split()
    if not sep or len(fields) < 5 or len(tail) < 2:
        return None
    try:
        ids = int(fields[0]), int(fields[1])
    except ValueError:
        return None
    return _Listed(ids[0], ids[1], _unescape(fields[4]),
                   (fields[2], fields[3], tail[0], tail[1]))


def _unescape(field: str) -> str:
    """mountinfo escapes space, tab, newline and backslash as octal (``\\040``)."""
    return _unescape_octal(field) if "\\" in field else field


def mount_points(mountinfo: Path = MOUNTINFO) -> MountTable | None:
    """The system's mounts (bind mounts too, hidden ones too), or None when it lists none
    (no ``/proc/self/mountinfo``: not Linux)."""
    try:
        lines = mountinfo.read_text(encoding="utf-8", errors="surrogateescape").splitlines()
    except OSError:
        return None
    listed = [entry for line in lines if (entry := _listed(line)) is not None]
    return MountTable(listed) if listed else None


def mount_of(path: Path, mountinfo: Path = MOUNTINFO) -> Mount | None:
    """The mount holding ``path`` (the one it shows: see :meth:`MountTable.shown_at`), or
    None when unknown: a deploy asks this of the card and of every library root."""
    table = mount_points(mountinfo)
    shown = None if table is None else table.shown_at(str(path.resolve()))
    return None if shown is None else shown.mount


def _covers(point: str, path: str) -> bool:
    """True when a mount at ``point`` covers ``path`` (the point itself, or a folder in it)."""
    return point == path or point == "/" or path.startswith(point.rstrip("/") + "/")


def shown_at(path: str, table: MountTable) -> str | None:
    """The mount point of the mount whose file system ``path`` shows (see
    :meth:`MountTable.shown_at`); by the system's list alone: a device number compared with
    ``stat``'s is not the same on btrfs (review46e F1). None when the list has no root."""
    shown = table.shown_at(path)
    return None if shown is None else shown.point


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
