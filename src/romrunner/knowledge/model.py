"""What every knowledge reader produces, and the one table of raw status words."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from romrunner.errors import InputError
from romrunner.library.serials import leading_serial, normalise_serial

MAX_PROBLEMS = 20

# Every raw compatibility word of every source, onto the cache's status enum
# (perfect, playable, ingame, menu_intro, boots_only, broken, unknown).
RAW_STATUS: dict[str, str] = {
    # PCSX2 GameIndex `compat:` 0-6 (also the words of its compatibility list)
    "0": "unknown", "1": "broken", "2": "menu_intro", "3": "menu_intro", "4": "ingame",
    "5": "playable", "6": "perfect",
    "nothing": "broken", "intro": "menu_intro", "menu": "menu_intro", "menus": "menu_intro",
    "ingame": "ingame", "in-game": "ingame", "playable": "playable", "perfect": "perfect",
    # DuckStation `compatibility.rating`
    "doesntboot": "broken", "crashesinintro": "boots_only", "crashesingame": "ingame",
    "graphicalaudioissues": "playable", "noissues": "perfect",
    # Our envelopes and community lists
    "boot": "boots_only", "boots": "boots_only", "boots_only": "boots_only",
    "loadable": "boots_only", "broken": "broken", "menu_intro": "menu_intro",
    "unknown": "unknown", "untested": "unknown", "great": "playable", "good": "playable",
}

# The statuses that say a game never gets in-game, whichever emulator's scale said it
# (DuckStation's CrashesInIntro is boots_only; PCSX2's 2 Intro and 3 Menus and Dolphin's
# state 2 Intro/Menu are menu_intro), and broken: not playable, so an auto-list leaves such a
# game out in every mode (QA174 F3: PCSX2's "Intro" went on the card, DuckStation's not), and
# `cache prune` keeps such an answer past its expiry.
NOT_PLAYABLE_STATUSES = ("broken", "boots_only", "menu_intro")

# Dolphin's [EmuState] EmulationStateId: 1 is worst, 5 is best, 0 is not set.
DOLPHIN_STATE = {"0": "unknown", "1": "broken", "2": "menu_intro", "3": "ingame",
                 "4": "playable", "5": "perfect"}


_ODD_KEY = re.compile(r"^[A-Z0-9][A-Z0-9_.-]{2,15}$")


def game_key(text: str) -> str | None:
    """A source's game id as stored: a serial in its one spelling (``SLUS-20312``), another
    id as written, upper-cased (PCSX2 and DuckStation have a few ``ALCH-0004``-style keys)."""
    serial = normalise_serial(text) or leading_serial(text)  # (`SLUS-00874GH`: QA58 F9)
    if serial is not None:
        return serial
    key = text.strip().upper()
    return key if _ODD_KEY.match(key) else None


def database_key(text: str) -> str | None:
    """A PCSX2 or DuckStation database's top-level key as :func:`game_key` stores it, or None
    when it is no game's: every serial and odd id of theirs holds a digit, and an entry's own
    key (``gsHWFixes:``, ``name:``) written at column 0, its indentation lost, holds none
    (qa183 F5: read as a game "GSHWFIXES", its entry's fixes were dropped unsaid)."""
    return game_key(text) if any(char.isdigit() for char in text) else None


def not_a_serial(key: str, previous: str | None) -> str:
    """Why a database's top-level ``key`` is skipped, naming the entry before it, which a key
    of its own lost to column 0 would have been cut from."""
    said = f"{key[:40]!r} is not a serial"
    if previous is None or any(char.isdigit() for char in key):
        return said
    return (f"{said} (a key of the entry above, {previous[:40]}, that lost its indentation? "
            "that entry was read without it)")


def normalise_status(raw: object) -> str | None:
    """The status enum value for a source's raw word or number, or None when unknown."""
    if isinstance(raw, bool) or raw is None:
        return None
    key = str(raw).strip().lower().replace(" ", "")
    return RAW_STATUS.get(key)


@dataclass(frozen=True)
class Entry:
    """One game's knowledge from one source file.

    ``game_key`` is the id the source uses (a normalised serial ``SLUS-20312``, a PSP title id
    ``ULUS-10041``, a Dolphin game id ``GALE01`` or a region-less ``GAL``).
    """

    platform_id: str
    emulator_id: str
    game_key: str
    title: str | None = None
    status: str | None = None          # normalised
    raw_status: str | None = None      # as the source wrote it
    settings: dict[str, Any] | None = None
    settings_format: str | None = None
    related_keys: tuple[str, ...] = ()  # other serials of the same title, disc-set members
    disc_set: str | None = None
    region: str | None = None
    # the source's own words on the game (DuckStation's comments and the version it tested,
    # Dolphin's EmulationIssues): said beside the rating (QA153 F3)
    comment: str | None = None
    # a line of the game's entry was damaged and skipped: what the entry gives may be short
    # of what the file meant, so the importer takes from it no less than the cache holds
    # (its settings stored before are kept, no answer withdrawn: qa188 F2)
    damaged: bool = False
    # the entry's text ends inside its list of related keys (DuckStation's `codes:`): as the
    # last entry of a file, one cut at a line break there would have lost some of them
    ends_in_related: bool = False


@dataclass(frozen=True)
class CoreInfo:
    """A libretro core's info file: what it reads and the firmware it needs or can use."""

    core_id: str                        # file stem without `_libretro`
    display_name: str | None
    extensions: tuple[str, ...]
    system_id: str | None
    databases: tuple[str, ...]
    firmware: tuple[tuple[str, bool], ...]  # (path under the BIOS folder, optional?)
    # False when the file lists fewer firmware files than its firmware_count says (a file
    # cut short, or upstream's slip): the core's stored firmware is kept, not replaced
    complete: bool = True


@dataclass
class ReadReport:
    """What a reader read and what it skipped (the first few reasons kept)."""

    path: str
    entries: int = 0
    skipped: int = 0
    problems: list[str] = field(default_factory=list)
    ignored: list[str] = field(default_factory=list)  # files that hold no entry of this kind
    first_skip: str | None = None  # the first skipped entry's reason (the problems hold notes)
    # the games named only by damaged lines (no entry read): still in the file, not dropped
    damaged_keys: set[str] = field(default_factory=set)

    def skip(self, where: str, reason: str) -> None:
        """Count one skipped entry and keep its reason while there are few."""
        self.skipped += 1
        if self.first_skip is None:
            self.first_skip = f"{where}: {reason}"
        self.note(where, reason)

    def note(self, where: str, reason: str) -> None:
        """Keep a problem of an entry that was read all the same (while there are few)."""
        if len(self.problems) < MAX_PROBLEMS:
            self.problems.append(f"{where}: {reason}")


class KnowledgeFormatError(InputError):
    """A knowledge file cannot be read at all (nothing from it is stored)."""
