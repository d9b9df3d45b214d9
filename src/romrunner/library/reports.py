"""Collector reports: have/miss per DAT, fixdats of what is missing, duplicates, platforms.

Every count is a SQL aggregate or a counter kept by triggers (platforms); no report loads the
library's rows to count them.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import re
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from xml.sax.saxutils import quoteattr

from romrunner.catalog.clones import (
    BIOS_SETS_APART,
    any_rom_is_the_game,
    held_apart,
    held_by_the_set,
    supplier_of,
)
from romrunner.catalog.datfile import DISK
from romrunner.catalog.identify import sheet_name_sql
from romrunner.catalog.systems import FIXDAT_SUFFIX
from romrunner.errors import InputError, NotFoundError
from romrunner.library.roots import refuse_writing_into_library
from romrunner.library.summary import os_path
from romrunner.store.backup import refuse_database_files
from romrunner.store.database import Database
from romrunner.tempfiles import create, remove_abandoned, usual_mode

# A DAT's games are had by their ROMs' data, never by their name: two DATs of one platform
# (a No-Intro DAT and one's own verified dumps) can list one game name with different dumps,
# and the library's match (``games.matched_game_id``, ``platform:name``) is shared by both.
# A ROM ``r`` of the DAT is on disk when a present file, or a member or track of a present
# game, has its data by the strongest hash both know, as identification compares: SHA1, else
# MD5, else CRC32 + size (a file hashed CRC32 first has no SHA1 yet), on the whole data or on
# the data after a header. Every branch probes one of the games'/game_files' hash indexes.
_SIZE = {"": "file_size", "nh_": "file_size - {t}.header_size"}


def _same_data(t: str, nh: str, strength: str) -> str:
    """``t``'s data (or its header-less data, ``nh = 'nh_'``) is catalog ROM ``r``'s by the
    hash ``strength`` names, where no stronger hash both know could disagree."""
    size = _SIZE[nh].format(t=t)
    if strength == "sha1":
        return f"{t}.{nh}sha1_bin = r.sha1_bin"
    if strength == "md5":
        return f"{t}.{nh}md5_bin = r.md5_bin"  # (the ROM has no SHA1: see _GUARD)
    return (f"{t}.{nh}crc32_bin = r.crc32_bin AND {t}.{size} = r.size "
            f"AND (r.sha1_bin IS NULL OR {t}.{nh}sha1_bin IS NULL) "
            f"AND (r.md5_bin IS NULL OR {t}.{nh}md5_bin IS NULL)")


# A disc (a sheet with tracks) has a catalog game's data only when each of its tracks is a
# ROM of that game (a matching sheet never vouches for a bad track, as identification says),
# or when its tracks hold every ROM the game lists but its sheet (libretro's PlayStation DAT
# lists the data track alone: the identification's rule, review 156 F1).
_DISC_WHOLE = (
    "(g.tracks_size = 0 OR NOT EXISTS (SELECT 1 FROM game_files t WHERE t.game_id = g.id "
    "AND t.kind = 'track' AND NOT EXISTS (SELECT 1 FROM catalog_roms r2 "
    "WHERE r2.catalog_game_id = r.catalog_game_id AND CASE "
    "  WHEN r2.sha1_bin IS NOT NULL AND t.sha1_bin IS NOT NULL THEN r2.sha1_bin = t.sha1_bin "
    "  WHEN r2.md5_bin IS NOT NULL AND t.md5_bin IS NOT NULL THEN r2.md5_bin = t.md5_bin "
    "  ELSE r2.crc32_bin = t.crc32_bin AND r2.size = t.file_size END)) "
    "OR NOT EXISTS (SELECT 1 FROM catalog_roms r3 WHERE r3.catalog_game_id = "
    "r.catalog_game_id AND coalesce(r3.status, '') <> 'nodump' "
    f"AND NOT {sheet_name_sql('r3.name')} "
    "AND NOT EXISTS (SELECT 1 FROM game_files t3 WHERE t3.game_id = g.id "
    "AND t3.kind = 'track' AND (t3.sha1_bin = r3.sha1_bin "
    "OR t3.crc32_bin = r3.crc32_bin AND t3.file_size = r3.size))))")

# Which ROMs each branch looks up: one with a SHA1 by it, one with an MD5 only by that, and by
# CRC32 + size the files known by their CRC32 only (every file, for a ROM with neither).
_GUARD = {"sha1": "r.sha1_bin IS NOT NULL",
          "md5": "r.sha1_bin IS NULL AND r.md5_bin IS NOT NULL",
          "crc32": "r.crc32_bin IS NOT NULL AND r.size IS NOT NULL"}


@dataclass(frozen=True)
class _Kinds:
    """What the library holds, so that branches that cannot match are not probed for every
    ROM of a DAT (each is an index seek): files with a header, files known by their CRC32
    only, archive members and disc tracks (and of those, with a header, by CRC32 only)."""

    headered: bool
    crc_only: bool
    members: bool
    members_headered: bool
    members_crc_only: bool


def _kinds(db: Database) -> _Kinds:
    row = db.query_one(
        "SELECT EXISTS (SELECT 1 FROM games WHERE nh_crc32_bin IS NOT NULL) AS headered, "
        "EXISTS (SELECT 1 FROM games WHERE sha1_bin IS NULL AND crc32_bin IS NOT NULL) "
        "AS crc_only, "
        "EXISTS (SELECT 1 FROM game_files WHERE kind IN ('member', 'track')) AS members, "
        "EXISTS (SELECT 1 FROM game_files WHERE nh_crc32_bin IS NOT NULL) AS members_headered, "
        "EXISTS (SELECT 1 FROM game_files WHERE sha1_bin IS NULL AND crc32_bin IS NOT NULL) "
        "AS members_crc_only")
    assert row is not None
    return _Kinds(*(bool(row[key]) for key in ("headered", "crc_only", "members",
                                                "members_headered", "members_crc_only")))


def _held(kinds: _Kinds) -> str:
    """SQL true when catalog ROM ``r``'s data is on disk (see above)."""
    branches = []
    for strength in ("sha1", "md5", "crc32"):
        probes = []
        for nh in ("", "nh_"):
            for games, exists, crc_only, headered in (
                    (True, True, kinds.crc_only, kinds.headered),
                    (False, kinds.members, kinds.members_crc_only, kinds.members_headered)):
                if not exists or (nh and not headered):
                    continue
                # (a present game stored with a problem — an archive found damaged — holds
                # its data no longer: qa190 F2, "have" and no fixdat entry for it)
                probe = (f"EXISTS (SELECT 1 FROM games g WHERE {_same_data('g', nh, strength)} "
                         f"AND g.is_missing = 0 AND g.scan_error IS NULL AND {_DISC_WHOLE})"
                         if games else
                         f"EXISTS (SELECT 1 FROM game_files f CROSS JOIN games g "
                         f"ON g.id = f.game_id WHERE {_same_data('f', nh, strength)} "
                         f"AND f.kind IN ('member', 'track') AND g.is_missing = 0 "
                         f"AND g.scan_error IS NULL AND {_DISC_WHOLE})")
                if strength == "crc32" and not nh and not crc_only:
                    # every such file has a SHA1: by CRC32 only a ROM without SHA1 and MD5
                    probe = f"(r.sha1_bin IS NULL AND r.md5_bin IS NULL AND {probe})"
                probes.append(probe)
        branches.append(f"({_GUARD[strength]} AND ({' OR '.join(probes)}))")
    return " OR ".join(branches)


# A catalog game's status in the report (``_status``).
MISSING, NAME_ONLY, INCOMPLETE, HAD = 0, 1, 2, 3

# A disc game of a DAT lists its sheet among its ROMs (Redump: the `.cue`, the `.gdi`). Such a
# game is had by any of its ROMs (a `.chd`, a sheet of one's own: see _DISC_WHOLE); another
# game of several ROMs (an arcade set) only by all of them that can be had (a `nodump` ROM,
# or one without a hash, cannot): with some of them it is incomplete.
_DISC_GAME = ("EXISTS (SELECT 1 FROM catalog_roms s WHERE s.catalog_game_id = cg.id AND "
              "(lower(s.name) GLOB '*.cue' OR lower(s.name) GLOB '*.gdi'))")
# A ROM nobody can have: not dumped.
_UNHAD = "coalesce(r.status, '') = 'nodump'"
_CAN_BE_HAD = (f"NOT {_UNHAD} AND (r.sha1_bin IS NOT NULL OR "
               "r.md5_bin IS NOT NULL OR (r.crc32_bin IS NOT NULL AND r.size IS NOT NULL))")
# A set's disk a CHD of the library holds, by the SHA1 its header records: had as its other
# ROMs are (review 31 R7: a set without its CHD was "have" here, incomplete to the auto-list).
_CHD_HELD = (f"(r.status = '{DISK}' AND r.sha1_bin IS NOT NULL AND EXISTS (SELECT 1 FROM "
             "game_files f JOIN games g ON g.id = f.game_id WHERE f.sha1_bin = r.sha1_bin "
             "AND f.kind = 'chd' AND g.is_missing = 0))")


# A catalog game ``cg`` that is a set of ROMs all needed (an arcade set): several ROMs, no
# disc, not one ROM in several dumps or forms.
_A_SET = (f"(EXISTS (SELECT 1 FROM catalog_roms r2 WHERE r2.catalog_game_id = cg.id "
          f"LIMIT 1 OFFSET 1) AND NOT {_DISC_GAME} AND NOT {any_rom_is_the_game('cg')})")
# A present archive identified as set ``cg``.
_ITS_ZIP = ("EXISTS (SELECT 1 FROM games u WHERE u.matched_game_id = cg.game_id "
            "AND u.is_missing = 0 AND u.is_archive = 1)")


def _set_held(held: str, archive: str | None = None) -> str:
    """SQL true when ROM ``r`` of set ``cg`` is held where its emulator reads it: in the
    set's zip (``archive``: that one, an SQL id; else any) or a zip it reads beside it (its
    disk: a CHD of the library); a ROM without a CRC32, wherever its data is."""
    return (f"({_CHD_HELD} OR (r.crc32_bin IS NULL AND ({held})) "
            f"OR {held_by_the_set('cg', 'r', archive)})")


def _fullest_zips() -> str:
    """SQL (a CTE's body): per catalog game among the parameter's (a JSON list of ids) that
    is a set whose zip the library has, the present archive identified as it that lacks the
    fewest of its ROMs (see _set_held): its emulator reads one zip, so a set is had in one
    (QA140 F1: the ROMs a fixdat asked for, zipped apart, made the report say "have");
    ranked by the ROMs of a CRC32 (the rest are held wherever their data is)."""
    return ("SELECT catalog_game_id, id FROM (SELECT cg.id AS catalog_game_id, u.id, "
            "row_number() OVER (PARTITION BY cg.id ORDER BY (SELECT count(*) FROM "
            f"catalog_roms r WHERE r.catalog_game_id = cg.id AND {_CAN_BE_HAD} "
            f"AND r.crc32_bin IS NOT NULL AND NOT {held_by_the_set('cg', 'r', 'u.id')}), "
            "u.id) AS n FROM catalog_games cg JOIN games u ON u.matched_game_id = cg.game_id "
            "AND u.is_missing = 0 AND u.is_archive = 1 "
            "WHERE cg.id IN (SELECT value FROM json_each(?))) WHERE n = 1")


def _held_for_the_report(kinds: _Kinds) -> str:
    """SQL true when catalog ROM ``r`` of game ``cg`` is had: its data on disk, its disk a
    CHD of the library's, or a ROM of its BIOS set (of itself, a BIOS set) whose zip a
    deploy puts beside the sets needing it from the BIOS folder or another catalog's copy
    (:func:`held_apart`: QA159 F1, the Neo Geo sets the auto-list included were
    "incomplete", their fixdat asking for the BIOS ROMs the user keeps in neogeo.zip)."""
    return f"({_held(kinds)}) OR {_CHD_HELD} OR {held_apart('cg', 'r')}"


def _status(kinds: _Kinds) -> str:
    """Per game of the DAT whose id is the parameter: HAD (a ROM's data on disk — every ROM's,
    for a game of several ROMs but a disc — or a present file matched to it by hand),
    INCOMPLETE (some of its ROMs' data, not all, and a present file matched to it),
    NAME_ONLY (only a present file matched to its name: by the name alone, or by another
    DAT's data of a game of that name), MISSING (a game only other sets' files hold some ROMs
    of too)."""
    held = _held_for_the_report(kinds)
    return (
        f"WITH {BIOS_SETS_APART} SELECT cg.id, cg.name, cg.description, CASE "
        "WHEN EXISTS (SELECT 1 FROM catalog_roms r WHERE r.catalog_game_id = cg.id "
        f"AND ({held})) THEN CASE "
        "  WHEN NOT EXISTS (SELECT 1 FROM catalog_roms r WHERE r.catalog_game_id = cg.id "
        "                   LIMIT 1 OFFSET 1) "
        f"  OR {_DISC_GAME} OR {any_rom_is_the_game('cg')} "
        "  OR NOT EXISTS (SELECT 1 FROM catalog_roms r WHERE r.catalog_game_id = cg.id "
        f"                AND {_CAN_BE_HAD} AND NOT ({held})) "
        # (a set whose zip the library has: had when every ROM is where its emulator reads
        # it, not when some unrelated set's zip holds one: review 137 F2)
        f"     AND NOT ({_ITS_ZIP} AND NOT EXISTS (SELECT 1 FROM games z "
        "                WHERE z.matched_game_id = cg.game_id AND z.is_missing = 0 "
        "                AND z.is_archive = 1 AND NOT EXISTS (SELECT 1 FROM catalog_roms r "
        # (a ROM of no CRC32 there: held wherever its data is, as the test above asks)
        f"                WHERE r.catalog_game_id = cg.id AND {_CAN_BE_HAD} "
        f"                AND r.crc32_bin IS NOT NULL AND NOT {_CHD_HELD} "
        f"                AND NOT {held_by_the_set('cg', 'r', 'z.id')}))) "
        f"  OR EXISTS (SELECT 1 FROM games u WHERE u.matched_game_id = cg.game_id "
        "             AND u.is_missing = 0 AND u.match_method = 'user') "
        f"  THEN {HAD} "
        # (incomplete: a file of the library is this game, lacking ROMs; a game whose only
        # held ROMs are other sets' — its BIOS set's, a PROM sets share — is missing:
        # QA133 F5, 125 Neo Geo games "incomplete" for the user's neogeo.zip)
        f"  WHEN EXISTS (SELECT 1 FROM games u WHERE u.matched_game_id = cg.game_id "
        f"             AND u.is_missing = 0) THEN {INCOMPLETE} ELSE {MISSING} END "
        f"ELSE (SELECT max(CASE WHEN u.match_method = 'user' THEN {HAD} ELSE {NAME_ONLY} END) "
        "      FROM games u WHERE u.matched_game_id = cg.game_id AND u.is_missing = 0) "
        "END AS status "
        "FROM catalog_games cg WHERE cg.source_id = ?")


@dataclass(frozen=True)
class CatalogReport:
    """Have / name-guessed / missing per DAT, and the files of its platform matching nothing."""

    name: str
    platform_id: str
    version: str | None
    headered: bool
    games: int
    have: int
    name_guessed: int
    missing: int
    unmatched_on_disk: int
    # games of several ROMs (not discs) of which some ROMs are on disk and some not
    incomplete: int = 0
    missing_games: list[str] = field(default_factory=list)
    # with list_missing: each incomplete game and the names of its ROMs not on disk
    incomplete_games: list[IncompleteGame] = field(default_factory=list)


@dataclass(frozen=True)
class IncompleteGame:
    """A DAT game of several ROMs the library has only some of."""

    name: str
    roms: int
    missing_roms: list[str]
    # of those, the set's disks (CHDs): said as such (QA140 F6: a CHD was "a ROM")
    missing_disks: list[str] = field(default_factory=list)


def _sources(db: Database, names: Sequence[str]) -> list[Any]:
    rows = db.query("SELECT id, name, platform_id, version, headered FROM catalog_sources "
                    "ORDER BY name, headered")
    if not names:
        return rows
    # "NAME (headered)" / "NAME (headerless)": one of a headered and a header-less DAT of
    # one name (QA28 F10: only both, or silently the header-less one, could be named)
    wanted = _named_dats(names, {row["name"].lower() for row in rows})

    def named(row: Any, base: str, headered: bool | None) -> bool:
        return bool(row["name"].lower() == base
                    and (headered is None or bool(row["headered"]) == headered))

    unknown = [repr(name) for name, (base, headered) in zip(names, wanted, strict=True)
               if not any(named(row, base, headered) for row in rows)]
    if unknown:
        raise NotFoundError(f"no imported DAT named {', '.join(unknown)} "
                            "(`romrunner dat ls` lists them)")
    return [row for row in rows if any(named(row, *which) for which in wanted)]


def _named_dats(names: Sequence[str], known: set[str]) -> list[tuple[str, bool | None]]:
    """Each DAT name given as (name, headered or not; None: either), in order (a DAT whose
    own name ends so, of the ``known`` names, is that DAT)."""
    out: list[tuple[str, bool | None]] = []
    for name in names:
        base, headered = name.lower(), None
        for suffix, value in ((" (headered)", True), (" (headerless)", False)):
            if base.endswith(suffix) and base not in known:
                base, headered = base.removesuffix(suffix), value
        out.append((base, headered))
    return out


def _roms_of(db: Database, game_ids: Sequence[int], kinds: _Kinds | None = None
             ) -> dict[int, list[Any]]:
    """The ROMs of the catalog games given, in the DAT's order; with ``kinds``, each with
    ``held``: its data is on disk (as the report decides; each ROM is probed)."""
    roms: dict[int, list[Any]] = {game_id: [] for game_id in game_ids}
    if not game_ids:
        return roms
    held = _held_for_the_report(kinds) if kinds is not None else "0"
    # (a ROM that cannot be had — `nodump`, a set's disk — counts as held: never "missing",
    # never asked for by a fixdat: QA59 F3; a set's ROM, where its emulator reads it)
    # (a set whose zip the library has: what its fullest zip lacks, QA140 F1)
    ids = json.dumps(list(game_ids))
    # (whether a game is a set, once per game: asked per ROM it cost O(ROMs²) a set, the
    # fixdat of MAME 0.37b5 1.2 -> 4.4 s: review 142)
    for row in db.query(f"WITH {BIOS_SETS_APART}, z AS MATERIALIZED ({_fullest_zips()}), "
                        f"a AS MATERIALIZED (SELECT cg.id AS catalog_game_id, {_A_SET} AS "
                        "is_set FROM catalog_games cg "
                        "WHERE cg.id IN (SELECT value FROM json_each(?))) "
                        "SELECT r.catalog_game_id, r.name, r.size, r.crc32, r.md5, r.sha1, "
                        f"CASE WHEN NOT a.is_set THEN {held} "
                        f"WHEN z.id IS NOT NULL THEN {_set_held(held, 'z.id')} "
                        f"ELSE {_set_held(held)} END "
                        f"OR {_UNHAD} AS held, NOT {_UNHAD} AS can_be_had, "
                        f"r.status = '{DISK}' AS disk, {_CHD_HELD} AS chd_held "
                        "FROM catalog_roms r JOIN catalog_games cg ON cg.id = r.catalog_game_id "
                        "JOIN a ON a.catalog_game_id = r.catalog_game_id "
                        "LEFT JOIN z ON z.catalog_game_id = r.catalog_game_id "
                        "WHERE r.catalog_game_id IN (SELECT value FROM json_each(?)) "
                        "ORDER BY r.id", (ids, ids, ids)):
        roms[int(row["catalog_game_id"])].append(row)
    return roms


def dat_report(db: Database, names: Sequence[str] = (), *,
               list_missing: bool = False) -> list[CatalogReport]:
    """One report per imported DAT (or the ones named)."""
    reports = []
    unmatched: dict[str, int] = {}
    sources = _sources(db, names)
    kinds = _kinds(db)
    status = _status(kinds) if sources else ""
    for source in sources:
        # Each game's status once: the statement's subquery is flattened, so an aggregate
        # naming `status` three times would evaluate its probes three times.
        if list_missing:
            rows = db.query(f"SELECT id, name, coalesce(status, 0) AS status FROM ({status}) "
                            "ORDER BY name", (source["id"],))
            counts = Counter(int(row["status"]) for row in rows)
            missing_games = [str(row["name"]) for row in rows if row["status"] == MISSING]
            incomplete = [row for row in rows if row["status"] == INCOMPLETE]
            roms = _roms_of(db, [int(row["id"]) for row in incomplete], kinds)
            incomplete_games = [IncompleteGame(
                str(row["name"]), sum(1 for rom in roms[int(row["id"])] if rom["can_be_had"]),
                [str(rom["name"]) for rom in roms[int(row["id"])] if not rom["held"]],
                [str(rom["name"]) for rom in roms[int(row["id"])]
                 if not rom["held"] and rom["disk"]])
                for row in incomplete]
        else:
            counts = Counter({int(row["status"]): int(row["n"]) for row in db.query(
                f"SELECT coalesce(status, 0) AS status, count(*) AS n FROM ({status}) "
                "GROUP BY 1", (source["id"],))})
            missing_games, incomplete_games = [], []
        platform = str(source["platform_id"])
        if platform not in unmatched:
            unmatched[platform] = int(db.scalar(
                "SELECT count(*) FROM games g WHERE platform_id = ? AND is_missing = 0 "
                "AND match_method IS NULL AND matched_game_id IS NULL "
                "AND format IS NOT 'm3u' "  # (a playlist: no game to match)
                # (an archive of several games the catalogs list, one member matched or
                # more: its games had, the archive not also a file unmatched — qa192 F11; its
                # other members are not counted here)
                "AND NOT EXISTS (SELECT 1 FROM game_files f WHERE f.game_id = g.id "
                "AND f.kind = 'member' AND f.matched_game_id IS NOT NULL)", (platform,)))
        reports.append(CatalogReport(
            str(source["name"]), platform, source["version"], bool(source["headered"]),
            counts.total(), counts[HAD], counts[NAME_ONLY], counts[MISSING],
            unmatched[platform], counts[INCOMPLETE], missing_games, incomplete_games))
    return reports


@dataclass(frozen=True)
class FixdatResult:
    """What ``dat fixdat`` wrote."""

    name: str
    path: str
    games: int
    roms: int
    # of ``games``, those the library has some ROMs of (only the others are listed)
    incomplete: int = 0
    # the values (exact) that held characters XML 1.0 cannot hold, written with U+FFFD in
    # their place: a game is still found by its ROMs' hashes
    replaced: list[str] = field(default_factory=list)


# What XML 1.0 cannot hold, even as a character reference: the C0 controls but tab, newline
# and carriage return, lone surrogates, U+FFFE and U+FFFF.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
_REPLACEMENT = "\ufffd"


class _XmlValues:
    """Escapes values for the fixdat, replacing what XML cannot hold and noting the value."""

    def __init__(self) -> None:
        self.replaced: list[str] = []

    def _allowed(self, value: str) -> str:
        if _NOT_XML.search(value) is None:
            return value
        if value not in self.replaced:
            self.replaced.append(value)
        return _NOT_XML.sub(_REPLACEMENT, value)

    def text(self, value: str) -> str:
        """Element text (a carriage return as a reference: a parser would make it a
        newline)."""
        return (self._allowed(value).replace("&", "&amp;").replace("<", "&lt;")
                .replace(">", "&gt;").replace("\r", "&#13;"))

    def attr(self, value: str) -> str:
        """A quoted attribute value (tab, newline, carriage return as references)."""
        return quoteattr(self._allowed(value))


def write_fixdat(db: Database, name: str, output: Path, *, force: bool = False
                 ) -> FixdatResult:
    """A Logiqx XML DAT of the games of DAT ``name`` the library lacks (no present file has
    their ROM data as that DAT lists it), with every ROM's size and hashes, and of the games
    it has only some ROMs of (an arcade set), with the ROMs it lacks; written atomically to
    ``output``.

    Its name is the DAT's — with `` (headered)`` when its hashes are of headered files — plus
    `` (fixdat)``, so importing it never replaces the real catalog, is filed under the
    DAT's platform, and is headered as the DAT is (its description says so). The file is
    always well-formed XML: a control character XML 1.0 cannot hold (a DAT's name may have
    one) is written as U+FFFD, and the values where that happened are listed in the result
    (tools match a fixdat's games by their ROMs' hashes).
    """
    sources = _sources(db, [name])
    refuse_database_files(db, output, folder_ok=False)
    refuse_writing_into_library(db, output)
    if output.is_dir():  # (before --force is offered: it would not help, QA70 F2)
        raise InputError(f"{output}: is a folder; give a file name")
    if os.path.lexists(output) and not (output.is_file() and not output.is_symlink()):
        # (QA72 F5: --force replaced /dev/null, a pipe or a link by a regular file)
        raise InputError(f"{output}: exists and is not a regular file (a device, a pipe, a "
                         "link); give another name")
    if output.exists() and not force:
        raise InputError(f"{output}: already exists (use --force to replace it)")
    if len(sources) > 1:  # a headered and a header-less DAT of this name
        raise InputError(f"two imported DATs are named {name!r}, one headered: give "
                         f"'{sources[0]['name']} (headered)' or '{sources[0]['name']} "
                         "(headerless)'")
    source = sources[0]
    named = _labelled(str(source["name"]), bool(source["headered"]))
    kinds = _kinds(db)
    games = db.query(f"SELECT id, name, description, coalesce(status, 0) AS status "
                     f"FROM ({_status(kinds)}) WHERE coalesce(status, 0) < {HAD} ORDER BY name",
                     (source["id"],))
    incomplete = [int(g["id"]) for g in games if g["status"] == INCOMPLETE]
    # the ROMs each lacks: a missing game's too, whose ROMs a zip it reads beside its own may
    # hold (its BIOS set's, its parent's: QA136 F7, neogeo's ROMs asked for under every Neo
    # Geo game) — not any other set's (review 137 F2)
    roms = {game_id: [rom for rom in game_roms if not rom["held"]]
            for game_id, game_roms in _roms_of(db, [int(g["id"]) for g in games],
                                               kinds).items()}
    family = {int(row[0]): (row[1], row[2]) for row in db.query(
        "SELECT id, nullif(clone_of, ''), nullif(rom_of, '') FROM catalog_games "
        "WHERE id IN (SELECT value FROM json_each(?))",
        (json.dumps([int(g["id"]) for g in games]),))}
    merges = _merges(db, [int(g["id"]) for g in games])
    xml = _XmlValues()
    lines = ['<?xml version="1.0" encoding="utf-8"?>',
             '<!DOCTYPE datafile PUBLIC "-//Logiqx//DTD ROM Management Datafile//EN" '
             '"http://www.logiqx.com/Dats/datafile.dtd">',
             "<datafile>", "\t<header>",
             f"\t\t<name>{xml.text(named + FIXDAT_SUFFIX)}</name>",
             f"\t\t<description>{xml.text(named)}: {len(games)} missing or "
             "incomplete games</description>",
             f"\t\t<version>{xml.text(source['version'] or '')}</version>",
             "\t\t<author>ROM Runner</author>", "\t</header>"]
    count = 0
    for game in games:
        clone_of, rom_of = family.get(int(game["id"]), (None, None))
        related = "".join(f" {key}={xml.attr(value)}" for key, value in
                          (("cloneof", clone_of), ("romof", rom_of)) if value)
        lines.append(f"\t<game name={xml.attr(game['name'])}{related}>")
        lines.append(f"\t\t<description>{xml.text(game['description'] or game['name'])}"
                     "</description>")
        for rom in roms.get(int(game["id"]), []):
            if rom["disk"]:  # (a set's CHD: asked for as a <disk>, unless the library holds
                # it — QA64 F6, it was a <rom> without a size)
                if not rom["chd_held"]:
                    lines.append(f"\t\t<disk name={xml.attr(rom['name'])}"
                                 + (f" sha1={xml.attr(str(rom['sha1']))}" if rom["sha1"]
                                    else "") + "/>")
                continue
            if not rom["can_be_had"]:
                continue  # (not dumped: nothing to find)
            attrs = [f"name={xml.attr(rom['name'])}"]
            merged = merges.get((int(game["id"]), rom["crc32"], rom["size"]))
            if merged:  # (a ROM of its parent's or BIOS set's, as its DAT says: QA140 F5)
                attrs.append(f"merge={xml.attr(merged)}")
            attrs += [f"{key}={xml.attr(str(rom[column]))}" for key, column in
                      (("size", "size"), ("crc", "crc32"), ("md5", "md5"), ("sha1", "sha1"))
                      if rom[column] is not None]
            lines.append(f"\t\t<rom {' '.join(attrs)}/>")
            count += 1
        lines.append("\t</game>")
    lines.append("</datafile>")
    _write_atomically(output, "\n".join(lines) + "\n")
    return FixdatResult(named, str(output), len(games), count, len(incomplete), xml.replaced)


def _labelled(name: str, headered: bool) -> str:
    """A DAT's name, with `` (headered)`` when its hashes are of headered files and its name
    does not say so (qa192 F13: the fixdat of a headered DAT was named as the header-less
    one's)."""
    return f"{name} (headered)" if headered and "headered" not in name.lower() else name


def _merges(db: Database, game_ids: list[int]) -> dict[tuple[int, object, object], str]:
    """Per catalog game of ``game_ids`` and ROM (CRC32 text, size), the name of that ROM in
    the set it reads beside its own (its parent, its BIOS set: ``supplier_of``), which the
    fixdat writes as the ROM's ``merge`` (a split-set manager then leaves it to that set)."""
    return {(int(row[0]), row[1], row[2]): str(row[3]) for row in db.query(
        "SELECT c.id, r.crc32, r.size, min(s.name) FROM catalog_games c "
        "JOIN catalog_roms r ON r.catalog_game_id = c.id "
        f"JOIN catalog_games o ON {supplier_of('o', 'c')} "
        "JOIN catalog_roms s ON s.catalog_game_id = o.id AND s.crc32_bin = r.crc32_bin "
        "AND s.size IS r.size WHERE c.id IN (SELECT value FROM json_each(?)) "
        "AND r.crc32_bin IS NOT NULL GROUP BY c.id, r.crc32, r.size",
        (json.dumps(game_ids),))}


def _write_atomically(path: Path, text: str) -> None:
    """Write ``path`` whole or not at all: through a temporary file in its folder, removed
    when anything fails (QA32 F3: a full disk left it, holding the space), with the mode a
    new file of the user's gets (mkstemp's is 0600: unreadable to another account). The one
    a run killed while it wrote ``path`` left is removed by the next write of ``path``
    (qa198 F4), and only that: see :func:`_temporary_of`."""
    temp: Path | None = None
    remove_abandoned(path.parent, _temporary_of(path.name))
    try:
        # (held until it is in place: a killed run's goes at the next run)
        handle, temp = create(path.parent, f"{_temporary_stem(path.name)}.rr-", ".tmp")
        with os.fdopen(handle, "w", encoding="utf-8") as out:
            os.fchmod(out.fileno(), usual_mode())
            out.write(text)
            out.flush()
            os.fsync(out.fileno())
            os.replace(temp, path)
    except BaseException as exc:
        if temp is not None:
            with contextlib.suppress(OSError):
                os.unlink(temp)
        if isinstance(exc, OSError):
            raise InputError(f"{path}: cannot be written ({exc.strerror or exc})") from exc
        raise


def _temporary_of(name: str) -> re.Pattern[str]:
    """The names of :func:`_write_atomically`'s temporary files for an output ``name``
    (mkstemp's: ``.<name>.rr-`` and 8 of its letters, ``.tmp``), and no other file's
    (review46b F8: without the mark, a user's `.fix.dat.original.tmp` was taken for one; a
    short mark, as an output name near the file system's limit still gets one: review46d
    F7)."""
    return re.compile(rf"{re.escape(_temporary_stem(name))}\.rr-[a-z0-9_]{{8}}\.tmp")


_NAME_MAX = 255  # bytes of a name, on every file system a fixdat is written to
_MARK = len(".rr-") + 8 + len(".tmp")


def _temporary_stem(name: str) -> str:
    """Where :func:`_write_atomically`'s temporary file names for an output ``name`` start:
    ``.<name>``; of a name too long to take the mark within the file system's limit (239
    bytes and more: review46e F2, "cannot be written (File name too long)"), its head and
    a digest of it whole, that no other output's temporary file has."""
    stem = f".{name}"
    if len(os.fsencode(stem)) + _MARK <= _NAME_MAX:
        return stem
    digest = "~" + hashlib.sha1(os.fsencode(name)).hexdigest()[:8]
    room = _NAME_MAX - _MARK - len(digest)
    head = os.fsencode(stem)[:room].decode("utf-8", errors="ignore")
    return head + digest


@dataclass(frozen=True)
class DuplicateSet:
    """Files holding the same data: where they are, and the bytes a cleanup frees.

    ``key`` is the files' SHA1, or ``crc32:CRC:SIZE`` for files whose SHA1 a first scan deferred
    (identified by a unique CRC32 + size); such a set is ``verified`` only after `scan --verify`.
    Archives of several members are keyed ``members:SHA1`` (the SHA1 of their members'
    hashes, in order): the same ROMs, whatever the compression.
    An archive of one member holds that member's content (``Game.zip`` beside ``Game.sfc``).
    ``size`` is the largest copy's; ``reclaimable`` what keeping only the smallest frees.
    """

    key: str
    size: int
    copies: int
    reclaimable: int
    verified: bool
    files: list[dict[str, Any]]


# A disc's copies are the same only if their tracks are: a sheet's SHA1 says nothing of the
# data its tracks hold, so the tracks' hashes (in name order) join the key.
_TRACKS = ("CASE WHEN g.tracks_size = 0 THEN '' ELSE (SELECT group_concat(name || ':' || "
           "coalesce(hex(sha1_bin), hex(crc32_bin), ''), '/') FROM (SELECT name, sha1_bin, "
           "crc32_bin FROM game_files WHERE game_id = g.id AND kind = 'track' ORDER BY name)) "
           "END")

# Hashes shared by several rows are found in the hash indexes alone (each read in order, no
# sort, no table row); only those rows are then read. One GROUP BY over the whole table's
# hex keys took 6.6 s at 1M games (docs/PERFORMANCE.md). An archive of one member is a copy
# of that member's content (`Game.zip` beside `Game.sfc`), grouped by it and never by the
# zip's own hash (`scan --verify` hashes the zip too: it would count the pair twice).
_DUPLICATE_GROUPS = (
    "WITH archives AS MATERIALIZED (SELECT game_id, count(*) AS n FROM game_files "
    "  WHERE kind = 'member' GROUP BY game_id), "
    "single AS MATERIALIZED ("  # archives of one member, found in the members' index
    "  SELECT f.game_id AS id, f.sha1_bin, f.crc32_bin, f.file_size, g.total_size "
    "  FROM archives one "
    "  JOIN game_files f ON f.game_id = one.game_id AND f.kind = 'member' "
    "  JOIN games g ON g.id = one.game_id WHERE one.n = 1 AND g.is_archive = 1 "
    "  AND g.is_missing = 0), "
    # An archive of several members holds their content: keyed by their hashes in order
    # (SHA1, else CRC32 and size), not by its own SHA1, which only `scan --full` computes
    # (QA133 F6: two copies of a neogeo.zip were no duplicates after `scan --verify`).
    # Their keys are made only where another archive has the same number of members, bytes
    # and lowest and highest CRC32 (a grouping in the members' order, no sort: making every
    # archive's key cost 2.7x the whole report at 200,000 games, 10% arcade sets).
    "several AS MATERIALIZED (SELECT a.game_id AS id, a.n, sum(f.file_size) AS bytes, "
    "  min(f.crc32_bin) AS low, max(f.crc32_bin) AS high FROM archives a "
    "  CROSS JOIN games g ON g.id = a.game_id AND g.is_archive = 1 AND g.is_missing = 0 "
    "  CROSS JOIN game_files f ON f.game_id = a.game_id AND f.kind = 'member' WHERE a.n > 1 "
    "  GROUP BY a.game_id), "
    "multi AS MATERIALIZED (SELECT game_id AS id, 'members:' || group_concat(k, ',') "
    "  AS content, min(v) AS verified FROM (SELECT f.game_id, "
    "  coalesce(lower(hex(f.sha1_bin)), lower(hex(f.crc32_bin)) || ':' || f.file_size) AS k, "
    "  f.sha1_bin IS NOT NULL AS v FROM several s "
    "  CROSS JOIN game_files f ON f.game_id = s.id AND f.kind = 'member' "
    "  WHERE (s.n, s.bytes, s.low, s.high) IN (SELECT n, bytes, low, high FROM several "
    "  GROUP BY n, bytes, low, high HAVING count(*) > 1) "
    "  ORDER BY f.game_id, k) GROUP BY game_id), "
    "by_sha1 AS (SELECT sha1_bin FROM games WHERE sha1_bin IS NOT NULL "
    "            GROUP BY sha1_bin HAVING count(*) > 1 "
    # A single member's hash is a candidate when a game or another file has it (index
    # entries only, no row read: a candidate without a second copy drops out below).
    "            UNION ALL SELECT s.sha1_bin FROM single s WHERE s.sha1_bin IS NOT NULL "
    "            AND (EXISTS (SELECT 1 FROM games g WHERE g.sha1_bin = s.sha1_bin) "
    "                 OR (SELECT count(*) FROM game_files o "
    "                     WHERE o.sha1_bin = s.sha1_bin) > 1)), "
    "by_crc AS (SELECT crc32_bin, file_size FROM games WHERE crc32_bin IS NOT NULL "
    "           GROUP BY crc32_bin, file_size HAVING count(*) > 1 "
    "           UNION ALL SELECT s.crc32_bin, s.file_size FROM single s "
    "           WHERE s.sha1_bin IS NULL AND s.crc32_bin IS NOT NULL "
    "           AND (EXISTS (SELECT 1 FROM games g WHERE g.crc32_bin = s.crc32_bin "
    "                        AND g.file_size = s.file_size) "
    "                OR (SELECT count(*) FROM game_files o WHERE o.crc32_bin = s.crc32_bin "
    "                    AND o.file_size = s.file_size) > 1)), "
    "copies AS ("
    f"  SELECT lower(hex(g.sha1_bin)) AS content, 1 AS verified, g.id, g.total_size, "
    f"  {_TRACKS} AS tracks FROM (SELECT DISTINCT sha1_bin FROM by_sha1) d "
    "   CROSS JOIN games g ON g.sha1_bin = d.sha1_bin WHERE g.is_missing = 0 "
    "   AND g.id NOT IN (SELECT id FROM single) "  # a verified zip's own hash: by its member
    "   AND g.id NOT IN (SELECT id FROM several) "  # (or its members)
    "  UNION ALL "
    "  SELECT lower(hex(s.sha1_bin)), 1, s.id, s.total_size, '' FROM single s "
    "  WHERE s.sha1_bin IN (SELECT sha1_bin FROM by_sha1) "
    "  UNION ALL "
    "  SELECT 'crc32:' || lower(hex(g.crc32_bin)) || ':' || g.file_size, 0, g.id, "
    f"  g.total_size, {_TRACKS} FROM (SELECT DISTINCT crc32_bin, file_size FROM by_crc) d "
    "   CROSS JOIN games g ON g.crc32_bin = d.crc32_bin AND g.file_size = d.file_size "
    "   WHERE g.sha1_bin IS NULL AND g.is_missing = 0 "
    "   AND g.id NOT IN (SELECT id FROM several) "
    "  UNION ALL "
    "  SELECT m.content, m.verified, m.id, g.total_size, '' FROM multi m "
    "  JOIN games g ON g.id = m.id WHERE m.content IN "
    "  (SELECT content FROM multi GROUP BY content HAVING count(*) > 1) "
    "  UNION ALL "
    "  SELECT 'crc32:' || lower(hex(s.crc32_bin)) || ':' || s.file_size, 0, s.id, "
    "  s.total_size, '' FROM single s WHERE s.sha1_bin IS NULL "
    "  AND (s.crc32_bin, s.file_size) IN (SELECT crc32_bin, file_size FROM by_crc)) "
    "SELECT content, max(total_size) AS size, count(*) AS copies, max(verified) AS verified, "
    "sum(total_size) - min(total_size) AS reclaimable, "  # keeping the smallest copy
    "json_group_array(id) AS ids FROM copies GROUP BY content, tracks HAVING count(*) > 1")
_DUPLICATE_SETS = _DUPLICATE_GROUPS + " ORDER BY reclaimable DESC, content LIMIT ?"


def crc_only_alike(db: Database) -> int:
    """Present files known by their CRC32 only (a first scan did not hash them in full)
    that have the CRC32 and size of another present file: maybe copies, which the SHA1
    grouping of :func:`duplicates` cannot pair until ``scan --verify`` (qa194 F9: "no
    duplicates" of two identical files)."""
    return int(db.scalar(
        "SELECT count(*) FROM games g WHERE g.is_missing = 0 AND g.sha1_bin IS NULL "
        "AND g.crc32_bin IS NOT NULL AND EXISTS (SELECT 1 FROM games o "
        "WHERE o.crc32_bin = g.crc32_bin AND o.file_size = g.file_size AND o.id <> g.id "
        "AND o.is_missing = 0)") or 0)


def duplicate_totals(db: Database) -> tuple[int, int]:
    """Every duplicate set of the library and the bytes they free, by the hashes alone (the
    paths of one file, which :func:`duplicates` looks at on disk, count as copies here): the
    whole beside a list cut at its limit (QA134 F1: the hundred shown were said as all)."""
    row = db.query_one(f"SELECT count(*), coalesce(sum(reclaimable), 0) FROM "
                       f"({_DUPLICATE_GROUPS})")
    return (int(row[0]), int(row[1])) if row is not None else (0, 0)


def duplicates(db: Database, *, limit: int = 100) -> list[DuplicateSet]:
    """The duplicate sets freeing the most space first (present files only); a game's size
    is its file's and its disc tracks' (a copied disc frees its tracks too). Paths of one
    file (a hard link, a folder mounted twice) are no copies: a set of one file is none, and
    more sets are read until ``limit`` real ones are found (review 126 F4: a hundred hard
    links filled the list, and the real duplicate was never shown)."""
    fetch = limit
    stats: dict[str, os.stat_result | None] = {}  # (each path looked at once, every round)
    while True:
        groups = db.query(_DUPLICATE_SETS, (fetch,))
        sets = [found for found in _duplicate_sets(db, groups, stats) if found.copies > 1]
        if len(sets) >= limit or len(groups) < fetch:
            return sets[:limit]
        fetch *= 4


def _duplicate_sets(db: Database, groups: list[Any],
                    stats: dict[str, os.stat_result | None]) -> list[DuplicateSet]:
    """The sets of ``groups`` (rows of _DUPLICATE_SETS) with their files, the paths of one
    file counted once (see :func:`_mark_paths_of_one_file`)."""
    ids = {int(game_id) for group in groups for game_id in json.loads(group["ids"])}
    files: dict[int, dict[str, Any]] = {}
    for row in db.query("SELECT g.id, g.platform_id, r.path AS root, g.filepath, g.total_size "
                        "FROM json_each(?) j CROSS JOIN games g ON g.id = j.value "
                        "JOIN library_roots r ON r.id = g.root_id "
                        # (a file found damaged is no copy: qa190 F1, the good one was offered
                        # for deletion beside it)
                        "WHERE g.scan_error IS NULL OR g.is_missing = 1",
                        (json.dumps(sorted(ids)),)):
        files[int(row["id"])] = {
            "id": row["id"], "platform_id": row["platform_id"], "size": row["total_size"],
            "path": str(Path(row["root"]) / row["filepath"]) if row["root"]
            else row["filepath"]}
    tracks = _track_files(db, files)
    sets = []
    for group in groups:
        members = [files[i] for i in sorted(json.loads(group["ids"])) if i in files]
        distinct = _mark_paths_of_one_file(members, stats)
        sets.append(DuplicateSet(_shown_key(group["content"]), int(group["size"]),
                                 len(distinct), _reclaimable(distinct, tracks, stats),
                                 bool(group["verified"]), members))
    return sorted(sets, key=lambda item: (-item.reclaimable, item.key))


def _track_files(db: Database, files: dict[int, dict[str, Any]]) -> dict[int, dict[str, int]]:
    """Game id -> its disc tracks' paths and sizes (sheets only)."""
    tracks: dict[int, dict[str, int]] = defaultdict(dict)
    for row in db.query("SELECT f.game_id, f.name, f.file_size FROM json_each(?) j "
                        "CROSS JOIN game_files f ON f.game_id = j.value AND f.kind = 'track'",
                        (json.dumps(sorted(files)),)):
        sheet = Path(files[int(row["game_id"])]["path"])
        tracks[int(row["game_id"])][str(sheet.parent / row["name"])] = int(row["file_size"] or 0)
    return tracks


def _reclaimable(distinct: list[dict[str, Any]], tracks: dict[int, dict[str, int]],
                 stats: dict[str, os.stat_result | None]) -> int:
    """The bytes deleting all copies but the smallest frees. A track file that several
    sheets name is one file, counted once (QA154 F15: two sheets of one .bin were two copies
    of the disc, its bytes "reclaimable": deleting a copy with its tracks deleted the only
    .bin); each such sheet is marked ``shares_tracks_with`` the entries naming them too."""
    held: dict[tuple[int, int] | str, int] = {}
    named_by: dict[tuple[int, int] | str, list[dict[str, Any]]] = defaultdict(list)
    sheets = 0
    for entry in distinct:
        own = tracks.get(int(entry["id"]), {})
        sheets += int(entry["size"] or 0) - sum(own.values())
        for path, size in own.items():
            if path not in stats:
                stats[path] = _stat_or_none(path)
            info = stats[path]
            key = (info.st_dev, info.st_ino) if info is not None else path
            held[key] = size
            named_by[key].append(entry)
    for entries in named_by.values():
        for entry in entries:
            others = sorted({int(e["id"]) for e in entries} - {int(entry["id"])})
            if others:
                entry["shares_tracks_with"] = sorted(
                    set(entry.get("shares_tracks_with", [])) | set(others))
    kept = min((int(entry["size"] or 0) for entry in distinct), default=0)
    return max(0, sheets + sum(held.values()) - kept)


def _shown_key(content: str) -> str:
    """A set's key as shown: an archive of several members by the SHA1 of its members'
    hashes (``members:SHA1``), not by the hashes themselves (a thousand of them, for a set
    of a thousand ROMs)."""
    if content.startswith(_MEMBERS_KEY):
        return _MEMBERS_KEY + hashlib.sha1(content.encode()).hexdigest()
    return content


_MEMBERS_KEY = "members:"


def _stat_or_none(path: str) -> os.stat_result | None:
    """The stat of the file at a stored path (a name that was not UTF-8 by its bytes: qa182
    F3, its escaped text was no file, so a second path to it counted as a real copy)."""
    try:
        return os.stat(os_path(path))
    except (OSError, ValueError):
        return None


def _mark_paths_of_one_file(entries: list[dict[str, Any]],
                            stats: dict[str, os.stat_result | None]) -> list[dict[str, Any]]:
    """The entries that are distinct files, each other one marked ``same_file_as`` the id of
    the entry it is one file with (one device and inode: QA124 F1, a folder mounted twice —
    deleting the "copy" deleted the only one — or a hard link, whose deletion frees nothing),
    and ``hard_link`` when the file has several links. A path that cannot be read now (a
    share not mounted) counts as a file of its own. ``stats``: the paths looked at already."""
    seen: dict[tuple[int, int], dict[str, Any]] = {}
    distinct = []
    for entry in entries:
        if entry["path"] not in stats:
            stats[entry["path"]] = _stat_or_none(entry["path"])
        info = stats[entry["path"]]
        first = None if info is None else seen.setdefault((info.st_dev, info.st_ino), entry)
        if first is None or first is entry:
            distinct.append(entry)
        else:
            entry["same_file_as"] = first["id"]
            entry["hard_link"] = info is not None and info.st_nlink > 1
    return distinct


@dataclass(frozen=True)
class PlatformCounts:
    """Games of one platform: all, matched by hash, by name only, unmatched, the library's
    own playlists (in none of those three: no game to identify), missing (of all of them)."""

    platform_id: str
    games: int
    hash_matched: int
    name_guessed: int
    unidentified: int
    missing: int
    playlists: int = 0


def platform_counts(db: Database) -> list[PlatformCounts]:
    """Every platform of the library with its counts, read from the counters the games
    table's triggers keep (migration 14: the GROUP BY over every game took seconds at a
    million games; each counter is exactly that aggregate)."""
    rows = db.query("SELECT platform_id, games, hash_matched, name_guessed, unidentified, "
                    "missing FROM platform_counts WHERE games > 0 ORDER BY platform_id")
    return [_platform_row(*(int(value) for value in row[1:]), platform_id=row[0])
            for row in rows]


def _platform_row(games: int, hashed: int, guessed: int, unidentified: int, missing: int, *,
                  platform_id: str) -> PlatformCounts:
    """One platform's counts; its playlists are the games in none of the three classes (the
    counters' rule, migration 21: a match's method is one of theirs, an unmatched game
    unidentified unless an .m3u), so the four add up without a count of their own."""
    return PlatformCounts(platform_id, games, hashed, guessed, unidentified, missing,
                          games - hashed - guessed - unidentified)
