"""Deciding a file's platform: folder name, then a unique extension, then content sniffing."""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass
from typing import NamedTuple

from romrunner.library.examine import ARCHIVES, SHEETS
from romrunner.library.tags import extension_of
from romrunner.packs.index import PackIndex

UNKNOWN = "unknown"
# The version of the rules below (detect_platform, decide_platform, NOT_GAMES and the media
# rules, and identification's settling of a platform by a catalog match). A library scanned
# under an earlier version has its stored platforms decided again by its next scan, once,
# without hashing (library/redecide.py). Changing what these rules decide means bumping it.
# 1: earlier releases (the folder beat the extension; no catalog settled a platform).
# 2: the extension first (an `.sfc` in `NES/` is SNES), a single-member archive by its
#    member, a hash match settles the platform (QA10 F2, QA11 N1).
# 3: an archive whose one member's extension several platforms list is undecided between
#    those (a zip of one `.gb`: gb, gbc), not between every platform that takes a zip; an
#    undecided game matches a catalog game of a candidate platform first (QA14).
# 4: a folder several platforms list, named as one of them by its id, is that one's
#    (`fbneo/`, which arcade lists too: QA140 F7).
# 5: a folder named as a platform's display name (`Nintendo Game Boy`) is that platform's,
#    as its DAT name and short names are (qa182).
# 6: a folder named as other frontends name a platform (MiSTer's `TGFX16`, TWiLight Menu++'s
#    `gen`, RomM's `sfam`, ES-DE's `megadrivejp`) is that platform's; a name frontends give
#    to different platforms (RomM's `ngc`, CrossMix's `NGC`) decides none (qa187).
PLATFORM_RULES_VERSION = 6
_NINTENDO_LOGO_START = bytes.fromhex("ceed6666cc0d000b")
_N64_MAGICS = (b"\x80\x37\x12\x40", b"\x37\x80\x40\x12", b"\x40\x12\x37\x80")


@dataclass(frozen=True)
class PlatformGuess:
    """The decided platform, how it was decided, and the candidates when undecided."""

    platform_id: str
    source: str
    candidates: tuple[str, ...] = ()
    overruled: tuple[str, ...] = ()  # the folder's platforms, which do not list the extension


def sniff_platform(head: bytes) -> str | None:
    """A platform that the first bytes of a ROM name with certainty, or None."""
    if head.startswith(b"NES\x1a"):
        return "nes"
    if head.startswith(b"FDS\x1a"):
        return "famicom-disk-system"
    if head.startswith(b"LYNX"):
        return "atari-lynx"
    if head[1:10] == b"ATARI7800":
        return "atari-7800"
    if head[:4] in _N64_MAGICS:
        return "n64"
    if len(head) >= 0x150 and head[0x104:0x10C] == _NINTENDO_LOGO_START:
        return "gbc" if head[0x143] in (0x80, 0xC0) else "gb"
    if len(head) >= 0xC0 and head[0xB2] == 0x96 and head[0x04:0x08] == b"\x24\xff\xae\x51":
        return "gba"
    return None


# Files that lie next to ROMs (covers, screenshots, manuals, notes, saves, patches): not
# games unless the platform of a folder they are in lists their extension (PICO-8 carts are
# `.png`: in `PICO-8/` they are games) or their name ends in another extension of such a
# platform before it (`celeste.p8.png`). See :func:`media_rules`; the walk applies them.
NOT_GAMES = frozenset({
    ".png", ".jpg", ".jpeg", ".gif", ".bmp", ".webp", ".tif", ".tiff", ".svg", ".ico",
    ".txt", ".nfo", ".diz", ".pdf", ".xml", ".json", ".htm", ".html", ".rtf", ".doc",
    ".docx", ".ini", ".cfg", ".log", ".url", ".lnk", ".sav", ".srm", ".state", ".ips",
    ".bps", ".ups", ".mp3", ".mp4", ".ogg", ".wav", ".flac", ".avi", ".mkv"})
# ROM formats first, though a document type too (``.md``: every Mega Drive ROM of No-Intro's
# DAT): a game wherever a platform lists the extension, unless named as a project's notes
# are (`README.md`, `CHANGELOG.md`).
ROM_FIRST = frozenset({".md"})
DOCUMENT_STEMS = frozenset({
    "readme", "license", "licence", "changelog", "changes", "history", "notes", "todo",
    "authors", "contributing", "copying", "install", "credits"})


def is_beside_a_rom(name: str) -> bool:
    """True for a file (an archive member's name too) that lies next to ROMs and is none:
    notes, covers, saves, patches (``NOT_GAMES``), or a project's notes named as such
    (``README.md``: `.md` is a Mega Drive ROM otherwise)."""
    stem, extension = os.path.splitext(name.rsplit("/", 1)[-1].lower())
    return extension in NOT_GAMES or (extension in ROM_FIRST and stem in DOCUMENT_STEMS)
# Containers: the folder decides their platform whatever lists their extension (an .m3u
# in `Saturn/` is a Saturn playlist even where only psx lists .m3u).
CONTAINERS = ARCHIVES | SHEETS | {".chd"}


class MediaRule(NamedTuple):
    """Where a file of a NOT_GAMES extension some platform lists is a game: under a folder
    of one of ``folders`` (lowercase names that claim such a platform), or anywhere when its
    name ends in one of ``inner`` before the extension. A ROM_FIRST extension's file is a
    game unless its name is one of DOCUMENT_STEMS."""

    folders: frozenset[str]
    inner: frozenset[str]
    rom_first: bool = False  # a ROM_FIRST extension: a game unless its name is a document's


def media_rules(index: PackIndex) -> dict[str, MediaRule]:
    """The rules for the NOT_GAMES extensions the pack's platforms list (``.png``: PICO-8
    in the real pack; none in the built-in one), and for the ROM_FIRST ones it lists."""
    rules: dict[str, MediaRule] = {}
    for extension in sorted(ROM_FIRST):
        if index.platforms_for_extension(extension):
            rules[extension] = MediaRule(frozenset(), frozenset(), rom_first=True)
    for extension in sorted(NOT_GAMES):
        listing = set(index.platforms_for_extension(extension))
        if not listing:
            continue
        folders = frozenset(name for name, claimed in index.platforms_by_folder.items()
                            if listing.intersection(claimed))
        inner = frozenset(other for other, claimed in index.platforms_by_extension.items()
                          if other not in NOT_GAMES and other not in CONTAINERS
                          and listing.intersection(claimed))
        rules[extension] = MediaRule(folders, inner)
    return rules


def is_media_game(name: str, extension: str, folders: list[str], rule: MediaRule) -> bool:
    """True when the file ``name`` of a NOT_GAMES ``extension``, in ``folders`` (ancestor
    names), is a game by ``rule``."""
    stem = name[: len(name) - len(extension)]
    if rule.rom_first:
        return stem.lower() not in DOCUMENT_STEMS
    inner = stem[stem.rfind("."):].lower() if "." in stem else ""
    return inner in rule.inner or any(folder.lower() in rule.folders for folder in folders)


def detect_platform(index: PackIndex, folders: list[str], extension: str,
                    head: bytes = b"") -> PlatformGuess:
    """Decide the platform of a file.

    ``folders`` are the ancestor folder names, nearest first (the library root's own name
    last). The nearest folder that names platforms decides among those that list the
    extension (or, for a container, or an extension no platform lists, among all it
    names): one is the platform, several leave it undecided. A folder none of whose
    platforms lists an extension other platforms list does not decide (an `.sfc` in `NES/`;
    ``overruled`` says which it named). Otherwise a unique extension decides, then header
    sniffing when it is certain and consistent with the extension or the folder. Anything
    else is ``unknown`` with its candidates.
    """
    by_extension = index.platforms_for_extension(extension)
    sniffed = None
    overruled: tuple[str, ...] = ()
    for depth, folder in enumerate(folders):
        claimed = index.platforms_for_folder(folder)
        if not claimed:
            continue
        listed = tuple(p for p in claimed if p in by_extension)
        if listed or not by_extension or extension in CONTAINERS:
            narrowed = listed or claimed
            if len(narrowed) == 1:
                return PlatformGuess(narrowed[0], "folder")
            # a folder named as one of them by its id is that one's (QA140 F7: `fbneo/`,
            # which the pack lists for arcade too, left FBNeo's sets undecided)
            own = [p for p in narrowed if p.lower() == folder.lower()]
            if len(own) == 1:
                return PlatformGuess(own[0], "folder")
            # an outer folder naming one of them decides (review40b F1: Miyoo CFW's `SMD`,
            # Genesis and Sega CD, inside `Genesis/` left its games undecided)
            for outer in folders[depth + 1:]:
                within = [p for p in index.platforms_for_folder(outer) if p in narrowed]
                if len(within) == 1:
                    return PlatformGuess(within[0], "folder")
            return PlatformGuess(UNKNOWN, "unknown", narrowed)
        sniffed = sniff_platform(head) if head else None
        if sniffed in claimed:  # the header says what the folder says
            return PlatformGuess(sniffed, "header")
        overruled = claimed
        break
    if len(by_extension) == 1:
        return PlatformGuess(by_extension[0], "extension", (), overruled)
    if sniffed is None and head:
        sniffed = sniff_platform(head)
    if sniffed and (not by_extension or sniffed in by_extension or extension in ARCHIVES):
        return PlatformGuess(sniffed, "header", (), overruled)
    return PlatformGuess(UNKNOWN, "unknown", by_extension, overruled)


# How the problem of a row kept for a file that is no longer taken for a game begins (a cover
# an earlier release stored, kept for its collections or overrides): ``games show``, ``games
# forget --not-games`` and the deploy's plan tell such rows from games whose file is gone.
NO_LONGER_A_GAME = "no longer a game: "
# How the problem of a game marked missing because its file is there but empty begins (an
# accident: its content may be only on a card now, which `games forget --missing` and the
# deploy's plan say): cleared when the file is found again.
EMPTIED = "emptied: "


def marked_sql(column: str) -> str:
    """An SQL condition true where ``column`` (a game's ``scan_error``) is one of the marks
    above — kept from its time missing, no verdict on its data — not a scan's finding that
    the file is damaged (see ``library.games.damaged_games``). The marks are constants."""
    return "(" + " OR ".join(f"substr({column}, 1, {len(mark)}) = '{mark}'"
                             for mark in (NO_LONGER_A_GAME, EMPTIED)) + ")"


def folders_of(relpath: str, root_name: str) -> tuple[list[str], str]:
    """The folders a file at ``relpath`` (in a root named ``root_name``) lies in, nearest
    first as :func:`detect_platform` reads them, and its name. String operations, not
    PurePosixPath: this runs once per examined file."""
    *parents, filename = relpath.split("/")
    return [*reversed(parents), root_name], filename


def decide_platform(index: PackIndex, folders: list[str], filename: str,
                    members: Sequence[str] = (), head: bytes = b"") -> tuple[PlatformGuess, str]:
    """The platform of a file named ``filename`` in ``folders`` (see :func:`detect_platform`),
    and the extension it was decided by: an archive of one member (``members``: the names
    of its members) by its member's extension, else by its own."""
    extension = extension_of(filename)
    detect_ext = extension
    if extension in ARCHIVES and len(members) == 1:
        detect_ext = extension_of(members[0].rsplit("/", 1)[-1])
    guess = detect_platform(index, folders, detect_ext, head)
    if guess.platform_id == UNKNOWN and detect_ext != extension:
        by_archive = detect_platform(index, folders, extension, head)
        # undecided either way, a member whose extension several platforms list keeps those
        # as its candidates: a zip of one `.gb` is gb or gbc, not any of the 47 platforms
        # that take a zip
        if by_archive.platform_id != UNKNOWN or not guess.candidates:
            guess = by_archive
    return guess, detect_ext
