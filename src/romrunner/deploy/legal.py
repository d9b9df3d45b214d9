"""The one legaliser of names and paths written to a card.

Every path the engine produces on a destination (ROM folders, file names, BIOS folders,
playlists) goes through :func:`legal_path`, for the destination's file system:

- FAT32 / exFAT (what most handheld SD cards use, and what Windows reads them with): no
  ``" * / : < > ? \\ |`` nor control characters, no trailing dots or spaces, no DOS device names
  (``CON``, ``NUL``, ``COM1`` … even with an extension), at most 255 UTF-16 code units per
  component, names compared case-insensitively.
- POSIX file systems (ext4, btrfs, f2fs …): no ``/`` nor control characters, at most 255
  UTF-8 bytes per component, names compared exactly.

A colon becomes `` -`` (``Zelda: A Link`` → ``Zelda - A Link``, the convention of the No-Intro
and frontends' own renames); every other forbidden character becomes ``_``. A private-use
stand-in for a forbidden character (:data:`STAND_INS`: how a Mac's SMB client, Samba's and
Synology's shares, Cygwin and WSL store ``:`` ``?`` …) is first taken back to the character
it stands for, then made legal as that character is. The result of a
legal name is itself legal and unchanged by a second pass, and a legal path can never leave
the card root: ``..``, ``.`` and empty components are refused, never "repaired".
"""

from __future__ import annotations

import functools
import os
import re
import unicodedata
from collections.abc import Iterable
from enum import Enum
from pathlib import Path, PurePosixPath

from romrunner.errors import InputError

FAT32_MAX_FILE_SIZE = 4 * 1024**3 - 1
MAX_COMPONENT = 255


class FileSystem(Enum):
    """The naming rules of a destination's file system."""

    FAT32 = "fat32"
    EXFAT = "exfat"
    POSIX = "posix"

    @property
    def case_insensitive(self) -> bool:
        """True when two names differing only in case are the same file."""
        return self is not FileSystem.POSIX

    @property
    def max_file_size(self) -> int | None:
        """The largest file this file system holds, or None when no limit matters here."""
        return FAT32_MAX_FILE_SIZE if self is FileSystem.FAT32 else None


_FS_NAMES = {
    "fat32": FileSystem.FAT32, "vfat": FileSystem.FAT32, "fat": FileSystem.FAT32,
    "msdos": FileSystem.FAT32, "fat16": FileSystem.FAT32, "exfat": FileSystem.EXFAT,
    "ntfs": FileSystem.EXFAT, "ntfs3": FileSystem.EXFAT, "fuseblk": FileSystem.EXFAT,
    "ext2": FileSystem.POSIX, "ext3": FileSystem.POSIX, "ext4": FileSystem.POSIX,
    "btrfs": FileSystem.POSIX, "f2fs": FileSystem.POSIX, "xfs": FileSystem.POSIX,
    "tmpfs": FileSystem.POSIX, "apfs": FileSystem.POSIX, "zfs": FileSystem.POSIX,
    # A share, or a layer over another file system, whose own is not known here (a NAS, a
    # Batocera or Steam Deck share, WSL's drives, sshfs to a handheld): names any card can
    # hold, as exFAT's, without FAT32's 4 GiB limit (QA48 F4: a game over 4 GiB was refused
    # "over fat32's limit" on NFS); a file its far side cannot hold fails as it is copied.
    **dict.fromkeys(("nfs", "nfs4", "cifs", "smb3", "smbfs", "9p", "drvfs", "fuse.sshfs",
                     "sshfs", "fuse.rclone", "overlay", "ramfs", "virtiofs"), FileSystem.EXFAT),
}


def filesystem_named(name: str | None) -> FileSystem:
    """The rules for a file system type as the OS or the pack names it (``vfat``, ``ext4``…).

    Another type, or none reported, gets FAT32's rules: the strictest, so nothing written under
    them is illegal anywhere a card may be read.
    """
    return _FS_NAMES.get((name or "").strip().lower(), FileSystem.FAT32)


# Private-use characters that stand for characters Windows' file systems forbid (U+F001 …
# U+F07F), as the systems that write them map them: the "Services for Macintosh" table a
# Mac's SMB client sends and Samba's vfs_fruit (``fruit:encoding = private``, its default)
# and Synology store — controls at U+F001 … U+F01F, ``" * : < > ? \ |`` at U+F020 … U+F027,
# a trailing space and dot at U+F028, U+F029 — and Cygwin's and WSL's, U+F000 plus the
# character (``:`` at U+F03A, ``?`` at U+F03F). The two differ only at U+F022 (SFM's ``:``,
# Cygwin's ``"``): SFM's, a Mac's, is taken. Only names written to a card are mapped; a
# library's files keep their names.
STAND_INS = {
    **{0xF000 + code: chr(code) for code in range(1, 0x20)},
    **{0xF000 + ord(ch): ch for ch in '*:<>?\\|'},
    **{0xF020 + index: ch for index, ch in enumerate('"*:<>?\\| .')},
}
_STAND_IN = re.compile("[\uf001-\uf07f]")
_FAT_FORBIDDEN = '"*/<>?\\|'
_FAT_TABLE = {ord(ch): "_" for ch in _FAT_FORBIDDEN}
_FAT_TABLE.update({code: "_" for code in range(0x20)})
_FAT_TABLE[0x7F] = "_"
_FAT_TABLE[ord(":")] = " -"
# Control characters are legal on POSIX file systems, but a frontend would show (or obey) them.
_POSIX_TABLE = {ord("/"): "_", 0x7F: "_", **{code: "_" for code in range(0x20)}}
_SURROGATES = re.compile("[\ud800-\udfff]")
_SPACES = re.compile(" {2,}")
_DOS_DEVICES = frozenset(
    ["CON", "PRN", "AUX", "NUL", "CONIN$", "CONOUT$"]
    + [f"{prefix}{n}" for prefix in ("COM", "LPT") for n in [*range(1, 10), "¹", "²", "³"]])


def legal_component(name: str, fs: FileSystem = FileSystem.FAT32) -> str:
    """``name`` made legal as one file or folder name on ``fs`` (see the module docstring).

    Raises :class:`InputError` for ``""``, ``.`` and ``..``, which no repair makes a name.
    """
    if name in ("", ".", ".."):
        raise InputError(f"{name!r} is not a file name")
    if _already_legal(name, fs):
        return name
    text = name if name.isascii() else unicodedata.normalize(
        "NFC", _without_stand_ins(_SURROGATES.sub("_", name)))
    if fs is FileSystem.POSIX:
        text = text.translate(_POSIX_TABLE)
        return _fit(text, fs)
    text = text.translate(_FAT_TABLE)
    if "  " in text:
        text = _SPACES.sub(" ", text)
    text = text.strip(" ").rstrip(". ")
    if not text:
        return "_"
    stem = text.split(".", 1)[0].rstrip(" ").upper()
    if stem in _DOS_DEVICES:
        text = "_" + text
    return _fit(text, fs)


def _without_stand_ins(text: str) -> str:
    """``text`` with each private-use stand-in (:data:`STAND_INS`) made the character it
    stands for (``Aladdin`` U+F022 ``The Quest`` → ``Aladdin: The Quest``)."""
    return text.translate(STAND_INS) if _STAND_IN.search(text) else text


def legal_after(prefix: str, name: str, fs: FileSystem = FileSystem.FAT32) -> str:
    """``"{prefix} - {name}"`` made legal as one name on ``fs``; when too long, ``prefix`` is
    cut, not ``name``: ``name`` is what tells such names apart (the tracks of one sheet,
    ``Game (Disc 1) - Track 01.bin`` and ``- Track 02.bin``). As :func:`legal_component` of
    the whole whenever that keeps ``name``."""
    whole = legal_component(f"{prefix} - {name}", fs)
    tail = f" - {legal_component(name, fs)}"
    if whole.endswith(tail):
        return whole
    head = _cut(legal_component(prefix, fs), MAX_COMPONENT - _length(tail, fs), fs)
    if fs is not FileSystem.POSIX:
        head = head.rstrip(". ")
    return legal_component(head + tail, fs) if head else whole


_POSIX_NEEDS_WORK = re.compile("[/\x00-\x1f\x7f\ud800-\udfff\uf001-\uf07f]")
_FAT_BAD_CHAR = re.compile('[\x00-\x1f\x7f"*/:<>?\\\\|\ud800-\udfff\uf001-\uf07f]')
_LONGEST_DEVICE = max(len(name) for name in _DOS_DEVICES) + 8  # "CON    .txt" is CON too
_POSIX = FileSystem.POSIX


def _already_legal(name: str, fs: FileSystem) -> bool:
    """A cheap test that ``name`` needs no change (most names): keeps the legaliser fast."""
    if not name.isascii() and not unicodedata.is_normalized("NFC", name):
        return False
    if fs is _POSIX:
        return len(name) <= MAX_COMPONENT // 4 and not _POSIX_NEEDS_WORK.search(name)
    if len(name) > MAX_COMPONENT // 2 or _FAT_BAD_CHAR.search(name) or "  " in name \
            or name[0] == " " or name[-1] in ". ":
        return False
    stem = name.partition(".")[0]
    return len(stem) > _LONGEST_DEVICE or stem.rstrip(" ").upper() not in _DOS_DEVICES


def _length(text: str, fs: FileSystem) -> int:
    if fs is FileSystem.POSIX:
        return len(text.encode("utf-8"))
    return len(text.encode("utf-16-le")) // 2


def _fit(text: str, fs: FileSystem) -> str:
    """Shorten ``text`` to the component limit, keeping its extension when there is one."""
    if len(text) <= MAX_COMPONENT // 4 or _length(text, fs) <= MAX_COMPONENT:
        return text
    stem, dot, extension = text.rpartition(".")
    if not dot or not stem or _length(extension, fs) > 16:
        stem, extension, dot = text, "", ""
    stem = _cut(stem, MAX_COMPONENT - _length(dot + extension, fs), fs)
    if fs is not FileSystem.POSIX:
        stem = stem.rstrip(". ") or "_"
    return stem + dot + extension


def _cut(stem: str, budget: int, fs: FileSystem) -> str:
    """``stem`` shortened to ``budget``: its title, not its tags ("(USA) (Rev 1)" is what
    tells versions apart) when the tags leave room for a title."""
    title, tags = _split_tags(stem)
    if tags and _length(tags, fs) <= budget - _MIN_TITLE:
        while _length(title, fs) > budget - _length(tags, fs):
            title = title[:-1]
        stem = title.rstrip(" ") + tags
    while _length(stem, fs) > budget:
        stem = stem[:-1]
    return stem


_MIN_TITLE = 16
_TAGS = re.compile(r"(?:\s*[(\[][^()\[\]]*[)\]])+\s*$")


def _split_tags(stem: str) -> tuple[str, str]:
    """``"Long Title (USA) (Rev 1)"`` → ``("Long Title", " (USA) (Rev 1)")``."""
    match = _TAGS.search(stem)
    if match is None or match.start() == 0:
        return stem, ""
    return stem[:match.start()], stem[match.start():]


def legal_path(parts: Iterable[str], fs: FileSystem = FileSystem.FAT32) -> PurePosixPath:
    """A relative path on the card from its components, each made legal for ``fs``.

    A component holding a separator is split on it first; ``..``, ``.`` or an empty component
    (an absolute path) is an :class:`InputError`, so the result never leaves the card root.
    """
    components: list[str] = []
    for part in parts:
        for piece in str(part).replace("\\", "/").split("/"):
            if piece in ("", ".", ".."):
                raise InputError(f"{part!r}: a path on the card cannot hold {piece or '/'!r}")
            components.append(legal_component(piece, fs))
    if not components:
        raise InputError("an empty path on the card")
    return PurePosixPath(*components)


def collision_key(path: PurePosixPath | str, fs: FileSystem) -> str:
    """The key under which two paths are the same file on ``fs`` (case-folded where it is)."""
    text = path if isinstance(path, str) else str(path)
    if text.isascii():  # (called once per file on the hot path; ASCII is NFC already)
        return text if fs is _POSIX else text.lower()
    text = unicodedata.normalize("NFC", text)
    return text if fs is _POSIX else fold_case(text)


def fold_case(text: str) -> str:
    """``text`` as FAT and exFAT compare names: each character by its one-character upper
    case (their up-case tables), not Unicode's full folding — ``ß`` is not ``ss`` there, so
    ``Fußball`` and ``Fussball`` are two files (QA48 F3)."""
    return "".join(map(_folded_character, text))


@functools.lru_cache(maxsize=4096)
def _folded_character(character: str) -> str:
    upper = character.upper()
    return (upper if len(upper) == 1 else character).lower()


def inside_root(root: Path, relative: PurePosixPath) -> Path:
    """``root / relative``, refusing anything that would resolve outside ``root``."""
    if relative.is_absolute() or any(part in ("..", ".", "") for part in relative.parts):
        raise InputError(f"{relative}: not a path inside the card")
    target = root / relative
    resolved_root = root.resolve()
    resolved = target.resolve()
    if resolved != resolved_root and resolved_root not in resolved.parents:
        raise InputError(f"{relative}: leads outside the card root {root}"
                         f"{_the_link_out(root, relative)}")
    return target


def _the_link_out(root: Path, relative: PurePosixPath) -> str:
    """The link on the way to ``relative`` that leaves ``root``, said with where it points
    and, where its target ends in the same folders (EmuDeck's `~/Emulation` ->
    `/run/media/<card>/Emulation`: QA91 F5), the --to that reaches it without a link."""
    inside = root.resolve()
    for depth in range(1, len(relative.parts) + 1):
        here = PurePosixPath(*relative.parts[:depth])
        if not os.path.islink(root / here):
            continue
        target = Path(os.path.realpath(root / here))
        if target == inside or inside in target.parents:
            continue  # (a link within the card: review 96 F5)
        if not target.exists():
            return (f": {here} is a link to {target}, which is not there (the drive it "
                    "leads to not mounted?)")
        tail = len(here.parts)
        card = Path(*target.parts[:-tail])
        if [part.lower() for part in target.parts[-tail:]] == \
                [part.lower() for part in here.parts] and card != Path(card.anchor):
            return (f": {here} is a link to {target}; give --to {card}, the folder that "
                    "holds it, instead")
        return f": {here} is a link to {target}, outside the card"
    return " (a link?)"
