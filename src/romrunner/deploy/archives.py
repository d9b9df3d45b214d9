"""Archived games on the card: copied as they are, and whether their emulator can read them.

A deploy never extracts an archive. It says, per platform and emulator, when the emulator the
profile runs a game with (:func:`romrunner.devices.overrides.resolve_emulators`: overrides,
then the OS's default) cannot read the archive's format, or when we cannot tell. The answer
comes from the definition pack's ``supportedFormats`` of that emulator; an emulator the pack
does not know, or lists no formats for, is "unknown" — never guessed.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from romrunner.devices.overrides import resolve_emulator_id, resolve_emulators
from romrunner.devices.profiles import default_emulators, load_profile
from romrunner.errors import InputError
from romrunner.packs.loader import DefinitionPack
from romrunner.store.database import Database

READS, CANNOT, UNKNOWN = "yes", "no", "unknown"
# The archives the scan reads (romrunner.library.examine.ARCHIVES, kept equal by a test; not
# imported: the scan's readers would weigh on every deploy's start-up).
ARCHIVES = frozenset({".zip", ".7z"})


@dataclass(frozen=True)
class ArchiveSupport:
    """How many archived games of one format go to one platform with one emulator, and
    whether that emulator reads the format (``yes``, ``no`` or ``unknown``, and why)."""

    platform_id: str
    emulator_id: str | None
    extension: str  # '.zip', '.7z'
    games: int
    readable: str
    why: str

    def as_dict(self) -> dict[str, Any]:
        """The JSON form."""
        return {"platform_id": self.platform_id, "emulator": self.emulator_id,
                "extension": self.extension, "games": self.games, "readable": self.readable,
                "why": self.why}

    def warning(self) -> str | None:
        """The plan's warning (None when the emulator reads the format)."""
        count = f"{self.games:,} archived game{'s' if self.games != 1 else ''} " \
                f"({self.extension}) copied as they are"
        if self.readable == CANNOT:
            return f"{self.platform_id}: {count}, but {self.emulator_id} cannot read " \
                   f"{self.extension} files ({self.why}); extract them in the library first"
        if self.readable == UNKNOWN:
            who = self.emulator_id or "its emulator"
            return f"{self.platform_id}: {count}; whether {who} reads {self.extension} " \
                   f"files is unknown ({self.why})"
        return None


def archive_extension(dest: str) -> str | None:
    """The archive format of a file name (``.zip``, ``.7z``), or None."""
    dot = dest.rfind(".")
    suffix = dest[dot:].lower() if dot > dest.rfind("/") else ""
    return suffix if suffix in ARCHIVES else None


def archive_support(db: Database, pack: DefinitionPack, profile_id: int,
                    archived: Iterable[tuple[int, str, str]]) -> list[ArchiveSupport]:
    """Group ``archived`` (game id, platform, extension) by platform, emulator and format,
    each with whether the emulator reads the format. One query for all the games."""
    games = list(archived)
    if not games:
        return []
    profile = load_profile(db, profile_id)
    defaults = default_emulators(pack, profile.device_id, profile.os_id)
    resolved = resolve_emulators(db, profile_id, [game_id for game_id, _, _ in games],
                                 defaults)
    counts: dict[tuple[str, str | None, str], int] = defaultdict(int)
    for game_id, platform_id, extension in games:
        resolution = resolved.get(game_id)
        emulator = resolution.emulator_id if resolution else defaults.get(platform_id)
        counts[(platform_id, emulator, extension)] += 1
    found: list[ArchiveSupport] = []
    for (platform_id, emulator, extension), count in sorted(
            counts.items(), key=lambda pair: (pair[0][0], pair[0][1] or "", pair[0][2])):
        readable, why = _reads(pack, emulator, extension, profile.os_id)
        found.append(ArchiveSupport(platform_id, emulator, extension, count, readable, why))
    return found


def _reads(pack: DefinitionPack, emulator: str | None, extension: str,
           os_id: str) -> tuple[str, str]:
    if emulator is None:
        return UNKNOWN, f"no emulator is known for this platform on {os_id}"
    try:
        entry = pack.emulators[resolve_emulator_id(pack, emulator)]
    except InputError:
        return UNKNOWN, f"the definition pack does not know {emulator}"
    if not entry.formats:
        return UNKNOWN, f"the definition pack lists no formats for {entry.id}"
    formats = ", ".join(entry.formats)
    if extension.lstrip(".") in entry.formats:
        return READS, f"the definition pack lists {extension} for {entry.id}"
    return CANNOT, f"the definition pack's formats for {entry.id}: {formats}"
