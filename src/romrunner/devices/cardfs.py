"""Which file system a card has, as the definition pack names file systems, and whether the
card's OS reads it (the pack's ``filesystem.supported``: OnionOS reads FAT32 cards only).

Only a card that is a mounted file system of its own (the folder given is a mount point) of
a type a card can have is known: a plain folder playing a card, a share, or a type this
computer cannot tell is unknown, and nothing is said of it.
"""

from __future__ import annotations

import os
from pathlib import Path

from romrunner.deploy.legal import FileSystem
from romrunner.devices.mounts import Mount, mount_of
from romrunner.packs.model import OperatingSystem, filesystem_key
from romrunner.words import joined

# How the pack spells a file system, shown in its usual spelling
_SHOWN = {"fat32": "FAT32", "exfat": "exFAT", "ntfs": "NTFS", "ext4": "ext4", "apfs": "APFS",
          "hfs+": "HFS+", "btrfs": "btrfs", "f2fs": "F2FS", "xfs": "XFS"}
# A FUSE mount's block device is read for its boot sector's name (at byte 3) where udev's
# record does not say the type
_BOOT_NAMES = {b"EXFAT   ": "exfat", b"NTFS    ": "ntfs"}
UDEV_DATA = Path("/run/udev/data")
# The file systems a card has that this module tells (another type — a share, a layer, a
# RAM disk — is unknown: its far side is not known here)
CARD_FILESYSTEMS = frozenset(
    ("fat32", "exfat", "ntfs", "ext4", "btrfs", "f2fs", "xfs", "apfs", "hfs+"))


def shown_filesystem(name: str) -> str:
    """A pack's file system name as people write it (``exfat`` → ``exFAT``)."""
    return _SHOWN.get(name, name)


def card_filesystem(card_root: Path) -> str | None:
    """The file system of the card at ``card_root`` as the pack names them (``fat32``,
    ``exfat``, ``ext4`` …), or None when not known: ``card_root`` is not the root of a
    mounted file system (a folder on this computer's disk), or its type is not one a card
    has (a share, a layer) or cannot be told (a FUSE mount of a device it cannot read)."""
    mount = mount_of(card_root)
    try:
        if mount is None or mount.mount_point != card_root.resolve() or mount.root != "/":
            return None
    except OSError:
        return None
    fs_type = mount.fs_type.lower()
    if fs_type.startswith(("fuseblk.", "fuse.")):
        fs_type = fs_type.partition(".")[2]  # (the subtype: ``fuseblk.exfat``)
    elif fs_type in ("fuseblk", "fuse"):
        fs_type = _fuse_device_type(mount) or ""
    key = filesystem_key(fs_type) if fs_type else None
    return key if key in CARD_FILESYSTEMS else None


def _fuse_device_type(mount: Mount) -> str | None:
    """What udev (else the device's boot sector) says a FUSE mount's device holds."""
    major, _, minor = mount.device.partition(":")
    if not mount.source.startswith("/dev/"):
        return None
    try:
        device = os.stat(mount.source).st_rdev
        number = f"{os.major(device)}:{os.minor(device)}"
    except OSError:
        number = f"{major}:{minor}"
    try:
        for line in (UDEV_DATA / f"b{number}").read_text(encoding="utf-8").splitlines():
            if line.startswith("E:ID_FS_TYPE="):
                return line.partition("=")[2].strip() or None
    except (OSError, UnicodeDecodeError):
        pass
    try:
        with open(mount.source, "rb") as device_file:
            boot = device_file.read(11)
    except OSError:
        return None
    return _BOOT_NAMES.get(boot[3:11])


def unread_filesystem(system: OperatingSystem | None,
                      card_fs: FileSystem | str | None) -> str | None:
    """The warning for a card whose file system ``system`` does not read by the pack (its
    ``filesystem.supported`` does not list it), one line; None when it does, when the pack
    does not say, or when the card's file system is not known (None, or POSIX rules: some
    file system of this computer's, not told apart)."""
    parts = unread_filesystem_parts(system, card_fs)
    return None if parts is None else f"{parts[0]} ({parts[1]})"


# The file systems a handheld's firmware lists: an OS whose pack list holds another (btrfs,
# NTFS, APFS: a computer's OS) reads more than its list says, and is told nothing — a false
# "reformat, which erases it" costs more than a missed warning (review49e F2: an exFAT card
# for Bazzite, EmuDeck, macOS).
_FIRMWARE_FILESYSTEMS = frozenset({"fat32", "exfat", "ext4"})


def unread_filesystem_parts(system: OperatingSystem | None,
                            card_fs: FileSystem | str | None) -> tuple[str, str] | None:
    """:func:`unread_filesystem`'s words: what is wrong, and what to do."""
    if isinstance(card_fs, FileSystem):
        card_fs = None if card_fs is FileSystem.POSIX else card_fs.value
    if system is None or not system.filesystems or not card_fs \
            or not set(system.filesystems) <= _FIRMWARE_FILESYSTEMS:
        return None
    card_fs = filesystem_key(card_fs)
    if card_fs in system.filesystems:
        return None
    listed = joined([shown_filesystem(name) for name in system.filesystems], last="or")
    wanted = shown_filesystem(system.recommended_filesystem or system.filesystems[0])
    return (f"the card's file system is {shown_filesystem(card_fs)}, and {system.name} reads "
            f"{listed} cards only (by the definition pack): the device may not read this card",
            f"deploy to {_a(wanted)} {wanted} card, or reformat this one as {wanted}, which "
            "erases it")


def _a(name: str) -> str:
    """The article a file system's name takes, as it is said: an exFAT, an NTFS, a FAT32."""
    return "an" if name[:1].lower() in "aeiouhnx" else "a"


def card_filesystem_warning(system: OperatingSystem | None, card_root: Path) -> str | None:
    """:func:`unread_filesystem` for the card at ``card_root`` (its file system found)."""
    parts = card_filesystem_parts(system, card_root)
    return None if parts is None else f"{parts[0]} ({parts[1]})"


def card_filesystem_parts(system: OperatingSystem | None,
                          card_root: Path) -> tuple[str, str] | None:
    """:func:`unread_filesystem_parts` for the card at ``card_root``."""
    if system is None or not system.filesystems:
        return None  # (the mounts not read for an OS the pack says nothing of)
    return unread_filesystem_parts(system, card_filesystem(card_root))
