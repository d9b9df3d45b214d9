"""Archived games on the card: copied as they are, and whether their emulator can read them.

A deploy never extracts an archive. It says, per platform and emulator, when the emulator the
profile runs a game with (:class:`romrunner.devices.overrides.EmulatorResolver`, as ``resolve``
and ``autolist`` have it: overrides, then the OS's default) cannot read the archive's format,
or when we cannot tell. The answer comes from the definition pack's ``supportedFormats`` of
that emulator; an emulator the pack does not know, or lists no formats for, is "unknown" —
never guessed.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from romrunner.devices.overrides import EmulatorResolver, resolve_emulator_id
from romrunner.errors import InputError
from romrunner.library.containers import os_metadata_member
from romrunner.library.games import (
    DAMAGED,
    GUESSED_ARCHIVE,
    NO_ROM,
    archives_of_discs,
    damaged_games,
    holds_only_notes,
    platform_extensions,
)
from romrunner.packs.loader import DefinitionPack
from romrunner.store.database import Database
from romrunner.words import counted, examples

READS, CANNOT, UNKNOWN = "yes", "no", "unknown"
# The archives the scan reads (romrunner.library.examine.ARCHIVES, kept equal by a test; not
# imported: the scan's readers would weigh on every deploy's start-up).
ARCHIVES = frozenset({".zip", ".7z"})


@dataclass(frozen=True)
class ArchiveSupport:
    """How many archived games of one format go to one platform with one emulator, and
    whether that emulator reads the format (``yes``, ``no`` or ``unknown``, and why). Its key
    is the platform, emulator, format and ``disc``: the archives of a whole disc are counted
    apart only where the emulator's answer differs for them (see :func:`archive_support`), so
    two entries may share a platform, emulator and format (README: ``plan.archives``)."""

    platform_id: str
    emulator_id: str | None
    extension: str  # '.zip', '.7z'
    games: int
    readable: str
    why: str
    disc: bool = False  # archives of a whole disc (a sheet and its tracks), told apart

    def as_dict(self) -> dict[str, Any]:
        """The JSON form (``plan.archives``' entries; README describes each field)."""
        return {"platform_id": self.platform_id, "emulator": self.emulator_id,
                "extension": self.extension, "games": self.games, "readable": self.readable,
                "why": self.why, "discs": self.disc}

    def warning(self) -> str | None:
        """The plan's warning (None when the emulator reads the format)."""
        one = self.games == 1
        count = f"{counted(self.games, 'archived game')} ({self.extension}) " \
                f"{'goes' if one else 'go'} on the card as {'it is' if one else 'they are'}"
        if self.readable == CANNOT:
            return (f"{self.platform_id}: {count}, but {self.emulator_id} cannot read "
                    f"{self.extension} files ({self.why}); extract {'it' if one else 'them'} in "
                    "the library first")
        if self.readable == UNKNOWN:
            who = self.emulator_id or "its emulator"
            what = f"a disc zipped whole (a sheet and its tracks in one {self.extension})" \
                if self.disc else f"{self.extension} files"
            return f"{self.platform_id}: {count}; whether {who} reads {what} is unknown " \
                   f"({self.why})"
        return None


def archive_extension(dest: str) -> str | None:
    """The archive format of a file name (``.zip``, ``.7z``), or None."""
    dot = dest.rfind(".")
    suffix = dest[dot:].lower() if dot > dest.rfind("/") else ""
    return suffix if suffix in ARCHIVES else None


def archive_support(db: Database, resolver: EmulatorResolver, pack: DefinitionPack,
                    archived: Iterable[tuple[int, str, str]]) -> list[ArchiveSupport]:
    """Group ``archived`` (game id, platform, extension) by platform, emulator and format,
    each with whether the emulator reads the format (the emulators ``resolver``'s profile
    runs them with); the archives of a whole disc apart where that changes the answer (an
    emulator the pack says reads every format: see :func:`archive_readable`). One query for
    all the games, and one for those discs."""
    games = list(archived)
    if not games:
        return []
    profile = resolver.profile
    assert profile is not None  # (a deploy's: a profile's)
    resolved = resolver.games([game_id for game_id, _, _ in games])
    emulators = {game_id: (resolved.get(game_id) or resolver.platform(platform_id)).emulator_id
                 for game_id, platform_id, _ in games}
    # (asked once per emulator and format: bench46, once per game cost 0.1 s at 55,000)
    decides = {pair: _disc_decides(pack, *pair)
               for pair in {(emulators[game_id], extension) for game_id, _, extension in games}}
    discs = archives_of_discs(db, [game_id for game_id, _, extension in games
                                   if decides[(emulators[game_id], extension)]])
    counts: dict[tuple[str, str | None, str, bool], int] = defaultdict(int)
    for game_id, platform_id, extension in games:
        counts[(platform_id, emulators[game_id], extension, game_id in discs)] += 1
    found: list[ArchiveSupport] = []
    for (platform_id, emulator, extension, disc), count in sorted(
            counts.items(), key=lambda pair: (pair[0][0], pair[0][1] or "", pair[0][2],
                                              pair[0][3])):
        readable, why = archive_readable(pack, emulator, extension, profile.os_id, disc=disc)
        found.append(ArchiveSupport(platform_id, emulator, extension, count, readable, why,
                                    disc))
    return found


def _disc_decides(pack: DefinitionPack, emulator: str | None, extension: str) -> bool:
    """True when whether an archive holds a whole disc changes whether ``emulator`` reads
    it (see :func:`archive_readable`)."""
    return archive_readable(pack, emulator, extension, "", disc=True)[0] \
        != archive_readable(pack, emulator, extension, "")[0]


def archive_readable(pack: DefinitionPack, emulator: str | None, extension: str,
                     os_id: str, *, disc: bool = False) -> tuple[str, str]:
    """Whether ``emulator`` reads archives of ``extension`` (``.zip``) by the definition
    pack's formats of it — :data:`READS`, :data:`CANNOT` or :data:`UNKNOWN` (no emulator,
    one the pack does not know or lists no formats for: never guessed) — and why; ``disc``:
    an archive of a whole disc (a sheet and its tracks). A deploy's plan warns of what the
    auto-list leaves out by it (``archive_unreadable``)."""
    if emulator is None:
        return UNKNOWN, f"no emulator is known for this platform on {os_id}"
    try:
        entry = pack.emulators[resolve_emulator_id(pack, emulator)]
    except InputError:
        return UNKNOWN, f"the definition pack does not know {emulator}"
    if not entry.formats:
        return UNKNOWN, f"the definition pack lists no formats for {entry.id}"
    formats = ", ".join(entry.formats)
    if "*" in entry.formats:  # the pack's way of saying "any": RetroArch itself, a few cores
        if disc and extension.lstrip(".") not in entry.formats:
            # (qa200 F2: a cue/bin zipped whole went to a card whose RetroArch unpacks only
            # the file it loads — not the tracks the sheet names — as read; it does not boot)
            return UNKNOWN, (f"the definition pack lists every format (*) for {entry.id}, "
                             "which says nothing of the tracks: a frontend unpacks only the "
                             "file it loads; extract the disc in the library to be sure")
        return READS, f"the definition pack lists every format (*) for {entry.id}"
    if extension.lstrip(".") in entry.formats:
        return READS, f"the definition pack lists {extension} for {entry.id}"
    return CANNOT, f"the definition pack's formats for {entry.id}: {formats}"


# Members that are archives themselves: no emulator opens an archive inside an archive.
_NESTED = (".zip", ".7z", ".rar")
_SHEETS = (".cue", ".gdi", ".ccd", ".toc", ".m3u")


@dataclass(frozen=True)
class ArchiveContents:
    """Archived games of one platform whose contents an emulator will not load as a game: a
    pack of several of the platform's ROMs (it loads one), or an archive inside one."""

    platform_id: str
    packs: list[str]   # file names
    nested: list[str]
    damaged: list[str] = field(default_factory=list)  # see unusable_archives
    no_rom: list[str] = field(default_factory=list)

    def warnings(self) -> list[tuple[str, str]]:
        """(code, message) for each kind found."""
        found = []
        if self.damaged:
            found.append(("archive-damaged", f"{self.platform_id}: {_count(self.damaged, 'is')}"
                          f" damaged ({_names(self.damaged)}): a scan found its data not what "
                          "the archive states; copied as it is, an emulator may not load it "
                          "(`romrunner games show` says which file in it is damaged; replace "
                          "it with a good copy and rescan)"))
        if self.no_rom:
            found.append(("archive-no-rom", f"{self.platform_id}: {_count(self.no_rom)} no "
                          f"{self.platform_id} ROM ({_names(self.no_rom)}): no emulator loads "
                          "it as a game (the auto-list leaves such archives out)"))
        if self.packs:
            found.append(("archive-several-roms", f"{self.platform_id}: {_count(self.packs)} "
                          f"several of its ROMs ({_names(self.packs)}): an emulator loads "
                          "one of them; extract them in the library to deploy each"))
        if self.nested:
            found.append(("archive-nested", f"{self.platform_id}: {_count(self.nested)} "
                          f"another archive ({_names(self.nested)}): emulators cannot load it; "
                          "extract it in the library"))
        return found


def _count(names: list[str], verb: str = "holds") -> str:
    plural = "are" if verb == "is" else verb.removesuffix("s")
    return f"1 archive {verb}" if len(names) == 1 else f"{len(names):,} archives {plural}"


def _names(names: list[str]) -> str:
    return examples(names)


def archive_contents(db: Database, pack: DefinitionPack,
                     archived: Iterable[tuple[int, str, str]]) -> list[ArchiveContents]:
    """Of ``archived`` (game id, platform, file name), those holding several ROMs of their
    platform (by the platform's own extensions: an arcade set's chip dumps are not ROMs of
    this kind) or an archive, by platform. One query for all the games."""
    games = {game_id: (platform_id, name) for game_id, platform_id, name in archived}
    if not games:
        return []
    rows = db.query(f"SELECT f.game_id, f.name, {GUESSED_ARCHIVE} AS guessed "
                    "FROM game_files f JOIN games g ON g.id = f.game_id WHERE f.kind = 'member' "
                    "AND f.game_id IN (SELECT value FROM json_each(?)) ORDER BY f.game_id",
                    (json.dumps(sorted(games)),))
    members: dict[int, list[str]] = defaultdict(list)
    guessed: dict[int, list[str]] = defaultdict(list)  # (as stored: see holds_only_notes)
    for row in rows:  # (an OS's metadata an earlier release stored as a member: QA89 F2)
        if row["guessed"]:
            guessed[int(row["game_id"])].append(str(row["name"]))
        if not os_metadata_member(str(row["name"])):
            members[int(row["game_id"])].append(str(row["name"]).lower())
    found: dict[str, ArchiveContents] = {}
    extensions = platform_extensions(pack)
    unusable = dict.fromkeys(damaged_games(db, sorted(games)), DAMAGED)
    unusable.update({  # (an archive in it: said as nested, below)
        game_id: NO_ROM for game_id, names in guessed.items()
        if game_id not in unusable and holds_only_notes(
            names, extensions.get(games[game_id][0], frozenset()))
        and not any(name.endswith(_NESTED) for name in members[game_id])})
    for game_id, kind in sorted(unusable.items()):
        platform_id, file_name = games[game_id]
        entry = found.setdefault(platform_id, ArchiveContents(platform_id, [], []))
        (entry.damaged if kind == DAMAGED else entry.no_rom).append(file_name)
    for game_id, names in members.items():
        if game_id in unusable:
            continue
        platform_id, file_name = games[game_id]
        platform = pack.platforms.get(platform_id)
        own = {ext for ext in (platform.extensions if platform else ())
               if ext.lower() not in _NESTED}
        nested = any(name.endswith(_NESTED) for name in names)
        disc = any(name.endswith(_SHEETS) for name in names)  # a sheet and its tracks: one game
        several = not disc and own and sum(1 for name in names if name.endswith(tuple(own))) > 1
        if nested or several:
            entry = found.setdefault(platform_id, ArchiveContents(platform_id, [], []))
            (entry.nested if nested else entry.packs).append(file_name)
    return [found[key] for key in sorted(found)]

