"""What a scan reports, and how it shows a path."""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from typing import Any


@dataclass
class ScanSummary:
    """What a scan did (the ``--json`` summary)."""

    scanned: int = 0
    # Files examined that could not be stored (each in ``errors``: a damaged zip, a file
    # that vanished or changed while read): counted among ``scanned`` and nowhere else.
    not_stored: int = 0
    # Stored games found damaged (an archive whose data is not what it states): kept, with
    # their problem; counted among ``scanned`` and here only, not as
    # "not stored" (QA124 F7)
    damaged: int = 0
    added: int = 0
    updated: int = 0
    unchanged: int = 0
    verified: int = 0              # of the unchanged: MD5/SHA1 computed for the first time
    touched: int = 0               # of the unchanged: read again for a new time, same content
    found_again: int = 0           # of the unchanged: missing before, there again (QA141 F3)
    # Of the unchanged: files of a FAT or exFAT root taken as the same, not read, their times
    # moved by a time-zone or daylight-saving change (see library.timeshift): per root
    # {"root", "files", "offsets_seconds"}
    times_shifted: list[dict[str, Any]] = field(default_factory=list)
    # Of the unchanged: files taken as the same, not read, their times cut to a coarser
    # precision (a remount or copy that keeps less: see library.timeshift): per root
    # {"root", "files", "precision_ns"}
    times_coarser: list[dict[str, Any]] = field(default_factory=list)
    # of those: identified by CRC32 + size before, and no longer, their full hashes another
    # dump's than the catalog game's (a bad dump, or data made to collide)
    unmatched_by_verify: int = 0
    # Of the updated: files whose content changed while their size and time did not (bit
    # rot, or a tool that kept the time), found by reading them again (`scan --full`,
    # `--verify`): each {"id", "path", "lost_match": the catalog game it was identified as by
    # a hash and is no longer (guessed by name or unidentified now), else None}
    changed_in_place: list[dict[str, Any]] = field(default_factory=list)
    missing: int = 0
    # the files of the games this scan marked missing, in full (qa194 F2: only counted)
    missing_files: list[str] = field(default_factory=list)
    renamed: int = 0
    # of the renamed: taken by their file name, size and time in another folder of their root,
    # not read (see library.refolder)
    renamed_unread: int = 0
    identified: int = 0            # present files matched by a hash (or by hand)
    guessed: int = 0               # matched by their file name only (not in identified)
    unidentified: int = 0
    # present .m3u playlists of the library (no game to identify: their discs are), in none
    # of the three above; the four add up to the present games
    playlists: int = 0
    # Games known by CRC32 only (zip members as their zip's directory states them, files
    # hashed CRC32 first), MD5 and SHA1 not computed yet (``scan --verify`` hashes them), and
    # those of them identified by CRC32 + size alone (counted in ``identified`` too).
    identified_by_crc_only: int = 0
    unverified: int = 0
    # no DAT imported yet: nothing identifies games by their data (`dat import` is the next
    # step, not `scan --verify`: qa194 F13)
    no_catalog: bool = False
    bytes_hashed: int = 0
    seconds: float = 0.0
    errors: list[dict[str, str]] = field(default_factory=list)
    # the paths of the files counted in ``not_stored`` and in ``damaged`` (their reasons are
    # in ``errors``, among the files skipped or taken with a remark)
    not_stored_files: list[str] = field(default_factory=list)
    damaged_files: list[str] = field(default_factory=list)
    # Files the walk did not find, not marked missing because the root stopped answering
    # or most of it vanished at once; ``problems`` says why (the scan then fails).
    missing_held_back: int = 0
    # Library roots held back whole so (most of one vanished, or it stopped answering): not
    # scanned, their last scan time left as it was (`library ls`).
    root_held_back: int = 0
    skipped_hidden: int = 0  # hidden (dot-name) or system files and folders, not walked
    skipped_empty: int = 0   # empty files: never games
    # Symbolic links to regular files, not followed (a scan reads no link); and, by the folder
    # their targets are in, those leading outside every library root (the ones inside one
    # are scanned there), with the folders to add as roots to scan those files
    linked_files: int = 0
    linked_into: dict[str, int] = field(default_factory=dict)
    link_folders_to_add: list[str] = field(default_factory=list)
    # the library roots inside one of those folders: `library add` refuses it while they are
    link_roots_in_the_way: list[str] = field(default_factory=list)
    # Folders named `bios` in a root (relative paths): BIOS files, never games; `bios scan`
    # verifies them (QA33 F1: counted as games of undecided platform).
    bios_folders: list[str] = field(default_factory=list)
    # Files of a type no game has (.txt, .jpg, .rar, none), in all and by lowercase extension
    # ("" for none); a name that ends in a game's extension but for a trailing dot or space
    # is an error instead (a slip the user will want to fix).
    skipped_unknown: int = 0
    skipped_unknown_types: dict[str, int] = field(default_factory=dict)
    # Stored games whose file is of a type the pack in use lists for no platform now (a pack
    # update dropped theirs): left as they were, by extension (QA29 F11: "found again after
    # the walk", a wrong reason).
    kept_unlisted_types: dict[str, int] = field(default_factory=dict)
    disc_ids: int = 0        # disc images whose id (serial, game id) was read this scan
    # Present games of the library whose platform the scan could not decide (``unknown``:
    # an extension several platforms list, outside a folder naming one, and no catalog
    # match to settle it): no deploy or auto-list takes them until ``games set-platform``.
    undecided_platform: int = 0
    # Of those, the archives that hold notes, pictures or sounds only (a zipped readme), by path:
    # no platform's game (QA132 F3: the scan advised `games set-platform` for them).
    archives_of_notes: list[str] = field(default_factory=list)
    # Games an earlier scan stored whose file is no longer taken for a game (a cover `.png`
    # in `NES/`), and their paths: forgotten (the files untouched), but those in a collection
    # or with an override, marked missing and kept (their ids; ``games forget ID`` forgets).
    not_games: int = 0
    not_games_paths: list[str] = field(default_factory=list)
    not_games_kept: list[int] = field(default_factory=list)
    # Stored games an earlier release filed under another platform, decided again by this
    # release's rules at its first scan (an `.sfc` in `NES/`: nes -> snes), each
    # {"id", "path", "from", "to"} (see library/redecide.py).
    platform_changed: list[dict[str, str | int]] = field(default_factory=list)
    # Stored games this scan examined again (`scan --full`, a changed file) and filed under
    # another platform: the pack in use names their folder or extension otherwise (an update
    # renamed or dropped a platform), each {"id", "path", "from", "to"}.
    refiled: list[dict[str, str | int]] = field(default_factory=list)
    # Likewise, those whose stored platform a catalog's match had settled (a `.nes` in
    # `NES/` filed snes while only an SNES DAT listed its data), which no match settles so
    # now: the DATs imported, or the file's data, changed since (same form).
    unsettled: list[dict[str, str | int]] = field(default_factory=list)
    # Likewise, those of ``unmatched_by_verify`` whose stored platform their CRC32 + size
    # match had settled: filed again as their folder, extension or header decide (same form).
    unmatched_refiled: list[dict[str, str | int]] = field(default_factory=list)
    # Stored games whose match this release's identification rules changed, at its first
    # scan (a merged arcade set now its parent; a match a stored SHA1 contradicts withdrawn).
    rematched: int = 0
    # Games the scan did not find whose content stays in the library as another present
    # game, stored after them (copied to another disk, then deleted): taken over, the game
    # keeping its id and curation ({"id", "copy"}: the copy's row is gone; counted in
    # renamed); or, where that is not safe (several copies, or one with curation or deploy
    # records of its own, or stored first), marked missing and named ({"id", "copies"}).
    moved_to_copies: list[dict[str, int]] = field(default_factory=list)
    missing_with_copies: list[dict[str, Any]] = field(default_factory=list)
    # Games whose content this scan found in another stored game's file (two files that
    # swapped names; a file moved onto another): moved to it, as a renamed file's game is,
    # ids and curation kept ({"id", "from", "to"}: paths; counted in renamed); and the games
    # whose file such a move overwrote, their content nowhere now: marked missing, with
    # their curation ({"id", "by": the game now at their path}).
    followed_content: list[dict[str, Any]] = field(default_factory=list)
    overwritten: list[dict[str, int]] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    # Roots and folders that could not be scanned (absent, unlistable, a walk worker that
    # died): their games were left as they were, and the scan found problems (exit 1).
    unscanned: list[str] = field(default_factory=list)

    def error(self, path: str, reason: str) -> None:
        """Record a file that could not be handled; the scan goes on."""
        self.errors.append({"path": path, "error": reason})

    def not_scanned(self, path: str, reason: str) -> None:
        """Record a root or folder that could not be scanned; the scan goes on."""
        self.error(path, reason)
        self.unscanned.append(f"{path}: {reason}")

    def place_links(self, roots: list[str]) -> None:
        """Keep in ``linked_into`` the folders of link targets outside every library root
        (``roots``: resolved paths), and name in ``link_folders_to_add`` the folders whose
        adding as roots scans those files (see :func:`folders_to_add`)."""
        self.linked_into = {folder: count for folder, count in self.linked_into.items()
                            if not any(_within(folder, root) for root in roots)}
        self.link_folders_to_add = folders_to_add(sorted(self.linked_into), roots)
        self.link_roots_in_the_way = sorted(  # (QA165 F6: the hint's `library add` refused)
            root for root in roots if any(_within(root, folder) and root != folder
                                          for folder in self.link_folders_to_add))


def _within(path: str, folder: str) -> bool:
    """True when ``path`` is ``folder`` or under it (both absolute, resolved)."""
    return path == folder or path.startswith(folder.rstrip("/") + "/")


def folders_to_add(folders: list[str], roots: list[str]) -> list[str]:
    """The folders to add as library roots to scan the files in ``folders`` (outside every
    root in ``roots``): the one folder holding them all when it is not the file system's
    top nor a folder just below it, and holds no root (`library add` refuses a root around
    another); else each of them."""
    if len(folders) < 2:
        return folders
    common = os.path.commonpath(folders)
    if common.count("/") < 2 or any(_within(root, common) for root in roots):
        return folders
    return [common]


def display_path(path: str) -> str:
    """A path safe to store and show: undecodable bytes become ``\\xNN`` escapes."""
    try:
        path.encode("utf-8")
        return path
    except UnicodeEncodeError:
        return os.fsencode(path).decode("utf-8", errors="backslashreplace")


_ESCAPED_BYTE = re.compile(r"\\x([89a-f][0-9a-f])")


def _as_surrogate(match: re.Match[str]) -> str:
    return chr(0xDC00 + int(match.group(1), 16))  # how os.fsdecode keeps a byte


def _as_cp1252(match: re.Match[str]) -> str:
    text = bytes([int(match.group(1), 16)]).decode("cp1252", errors="replace")
    return "_" if text == "\ufffd" else text


def os_path(stored: str) -> str:
    """The path to open for a path stored by :func:`display_path` (its inverse).

    A stored ``\\xNN`` is a byte of a name that was not UTF-8, unless a file of that very
    name (a backslash in it) exists: the literal name is tried first, then the bytes.
    """
    if "\\x" not in stored or os.path.lexists(stored):
        return stored
    return _ESCAPED_BYTE.sub(_as_surrogate, stored)


def card_name(stored_name: str) -> str:
    """A file name for a card (valid text) from a stored one whose bytes were not UTF-8: read
    as Shift-JIS (cp932) when the bytes are that and it gives kana, or when Windows-1252
    cannot read them (an old Japanese set: ``ゲーム``); else each such byte as Windows-1252
    (what such names on a share most often are: ``Café``), one that even that cannot read
    becoming ``_``. A name with other, valid non-ASCII text keeps it and goes byte by byte."""
    if "\\x" not in stored_name:
        return stored_name
    if _ESCAPED_BYTE.sub("", stored_name).isascii():
        raw = os.fsencode(_ESCAPED_BYTE.sub(_as_surrogate, stored_name))
        try:
            japanese = raw.decode("cp932")
        except UnicodeDecodeError:
            japanese = None
        if japanese is not None and (_KANA.search(japanese) or not _reads_as_cp1252(raw)):
            return japanese
    return _ESCAPED_BYTE.sub(_as_cp1252, stored_name)


_KANA = re.compile("[\u3040-\u30ff\uff66-\uff9f]")  # hiragana, katakana, half-width katakana
_CP1252_UNDEFINED = frozenset(b"\x81\x8d\x8f\x90\x9d")


def _reads_as_cp1252(raw: bytes) -> bool:
    return not _CP1252_UNDEFINED.intersection(raw)


OVERWRITTEN = "//overwritten/"
"""The start of the stored path of a game whose file another game's was moved onto (its
content nowhere now): no walk finds a file there (a stored path never starts with ``/``)."""


def overwritten_path(game_id: int, filepath: str) -> str:
    """The stored path of game ``game_id`` whose file at ``filepath`` was overwritten."""
    return f"{OVERWRITTEN}{game_id}/{original_path(filepath)}"


def as_listed(game: dict[str, Any]) -> dict[str, Any]:
    """A listed game (a row with its ``filepath``), in place: one whose file another's was
    moved onto by its own path, and ``overwritten`` said, as ``games show`` gives it
    (review46b F2: the stored mark ``//overwritten/N/…`` in --json of games ls, collection
    show). Returns it."""
    path = str(game["filepath"])
    game["overwritten"] = path.startswith(OVERWRITTEN)
    game["filepath"] = original_path(path)
    return game


def original_path(filepath: str) -> str:
    """The path a game's file had before it was overwritten (``filepath`` itself else)."""
    if filepath.startswith(OVERWRITTEN):
        return filepath[len(OVERWRITTEN):].partition("/")[2]
    return filepath
