"""``dat import`` and ``dat rm``: DAT files into the catalog tables and out of them.

A command is one transaction: :func:`import_dats` imports every file given and then
re-identifies the library, all or nothing; :func:`remove_catalog` deletes a catalog and
re-identifies the games that were matched to it.
"""

from __future__ import annotations

import hashlib
import json
import re
import time
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from romrunner.bios.known import is_bios_dat
from romrunner.catalog.datfile import JUDGED_FROM_READER, READER_VERSION, DatGame, read_dat
from romrunner.catalog.identify import (
    MatchCounts,
    PlatformMove,
    games_listed_by,
    identify,
    match_counts,
    noting_moves,
    undecided_by_crc,
)
from romrunner.catalog.systems import platform_for_system
from romrunner.collections.store import smart_collections_naming
from romrunner.errors import InputError, NotFoundError
from romrunner.hashbin import to_blob
from romrunner.library.examine import ARCHIVES
from romrunner.library.games import decide_settled_again, settled_by_catalogs
from romrunner.library.tags import extension_of
from romrunner.packs.index import PackIndex
from romrunner.packs.model import platform_hint
from romrunner.regularfile import open_regular
from romrunner.store.database import Database
from romrunner.textnorm import fold
from romrunner.words import counted, examples

_BATCH = 2000


@dataclass
class ImportResult:
    """What one DAT import did (``previous_version`` etc. are set when it replaced one)."""

    path: str
    name: str
    platform_id: str
    format: str
    headered: bool
    version: str | None = None
    games: int = 0
    roms: int = 0
    unchanged: bool = False
    replaced: bool = False
    previous_version: str | None = None
    # the platform the replaced catalog was filed under (another than ``platform_id`` when
    # --force moved it: the games it identifies move with it)
    previous_platform: str | None = None
    replaced_games: int = 0
    games_added: int = 0
    games_removed: int = 0
    games_renamed: int = 0  # the same ROMs under a new name (a rename sweep)
    games_changed: int = 0  # the same name with other ROMs (a redump)
    seconds: float = 0.0
    problems: list[str] = field(default_factory=list)
    dropped_values: int = 0  # ROM values no file can have (size abc, crc ZZZZ), in problems


@dataclass
class DatImportReport:
    """What ``dat import`` did: each file, then how the library is matched afterwards."""

    imports: list[ImportResult]
    library: MatchCounts
    # games known by a CRC32 only that several catalog games now list (`scan --verify`)
    undecided_by_crc: int = 0
    # games a catalog's match filed under another platform
    platform_changed: list[PlatformMove] = field(default_factory=list)
    # games identified by their data before, no longer: a new version dropped or changed the
    # catalog game they were (id, file name, the catalog game they were)
    no_longer_identified: list[LostMatch] = field(default_factory=list)
    # BIOS/system DATs given among game DATs (libretro's `dat/` holds System.dat): not
    # imported, the others are (qa194 F3: `dat import dats/*.dat` refused them all)
    skipped_bios_dats: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class LostMatch:
    """A library game a replaced catalog no longer identifies."""

    id: int
    filename: str
    was: str


@dataclass
class RemovedCatalog:
    """One catalog source deleted by ``dat rm``."""

    name: str
    platform_id: str
    headered: bool
    version: str | None
    games: int


@dataclass
class RemoveReport:
    """What ``dat rm`` did: the sources deleted, and how the games that were matched to a
    game of theirs are matched now: by another catalog's data (``identified``, or by hand),
    by their name only (``name_guessed``: a game of the same name in another DAT of the
    platform, whose data they do not have), or not at all. ``rematched`` is the first two."""

    removed: list[RemovedCatalog]
    rematched: int
    unidentified: int
    identified: int = 0
    name_guessed: int = 0
    # smart collections whose query names the DAT (`dat:"NAME"`): it no longer works
    broken_collections: list[str] = field(default_factory=list)
    # games identified again as another platform's (a remaining catalog's match)
    platform_changed: list[PlatformMove] = field(default_factory=list)
    # games that matched no game while the removed catalog had their data too (two catalogs
    # with the same CRC32 and size), identified now by what is left (QA38 F9)
    newly_identified: int = 0


def catalog_game_id(platform_id: str, name: str) -> str:
    """The catalog id of a game: stable across DAT versions while its name is unchanged."""
    return f"{platform_id}:{name}"


def file_sha1(path: Path) -> str:
    """SHA1 of a whole file (to tell whether a DAT changed since its last import)."""
    digest = hashlib.sha1(usedforsecurity=False)
    with open_regular(path) as handle:
        try:
            while chunk := handle.read(1 << 20):
                digest.update(chunk)
        except OSError as exc:
            raise InputError(f"{path}: cannot be read ({exc.strerror})") from exc
    return digest.hexdigest()


def import_dats(db: Database, paths: Iterable[Path], *, platform_id: str | None = None,
                known_platforms: Collection[str] | None = None, force: bool = False,
                index: PackIndex | None = None) -> DatImportReport:
    """Import every DAT, then re-identify the library: one transaction, all or nothing.

    ``force`` accepts a replacement that :func:`check_replacement` would refuse, a catalog
    moved to another platform, and a DAT of file types the platform given does not list (see
    :func:`import_dat`). With the pack's ``index``, the games whose platform a catalog's
    match settled and whose data an imported (or replaced) catalog lists are first given the
    platform a scan decides, as ``dat rm`` does (see :func:`settle_again`).
    """
    paths = list(paths)
    types = None if index is None else platform_file_types(index)
    with db.atomic():
        matched: dict[int, tuple[str, str]] = {}  # (the replaced catalogs' identified games)
        results, skipped = _import_each(db, paths, platform_id=platform_id,
                                        known_platforms=known_platforms, force=force,
                                        matched=matched, types=types)
        changed = any(not result.unchanged for result in results)
        moves: list[PlatformMove] = []
        if changed:
            with noting_moves(db) as moves:
                if index is not None:
                    settle_again(db, index, _sources_of(db, results), matched)
                identify(db)
        counts = match_counts(db)
        undecided = undecided_by_crc(db) if changed else 0
        lost = _no_longer_identified(db, matched)
    return DatImportReport(results, counts, undecided, moves, lost, skipped)


class BiosDatGiven(InputError):
    """A BIOS/system DAT given to `dat import` (`romrunner bios import-dat` reads it)."""

    def __init__(self, path: Path, message: str) -> None:
        super().__init__(message)
        self.path = str(path)


class DatsRefused(InputError):
    """Several DATs of one import refused: the message says how many, ``reasons`` each
    file's reason (nothing is imported)."""

    def __init__(self, message: str, reasons: list[str]) -> None:
        super().__init__(message)
        self.reasons = reasons


_NOTHING_IMPORTED = ("; nothing was imported", "; nothing imported")


def _import_each(db: Database, paths: list[Path], *, platform_id: str | None,
                 known_platforms: Collection[str] | None, force: bool,
                 matched: dict[int, tuple[str, str]],
                 types: Mapping[str, frozenset[str]] | None
                 ) -> tuple[list[ImportResult], list[str]]:
    """Import each of ``paths`` (inside the caller's transaction); every file is tried, so
    that all those refused are named at once (qa173 F7: only the first was, the next one
    learnt of on the next try). One refused: its own error; several: :class:`DatsRefused`
    naming each. Either way the caller's transaction rolls back: nothing is imported. A
    BIOS/system DAT among game DATs is not refused but left out, its path returned (the
    glob of libretro's `dat/` folder holds System.dat: qa194 F3); given alone, or with
    other BIOS DATs only, it is refused."""
    results: list[ImportResult] = []
    refused: list[InputError] = []
    bios: list[BiosDatGiven] = []
    for path in paths:
        try:
            results.append(import_dat(db, path, platform_id=platform_id,
                                      known_platforms=known_platforms, force=force,
                                      one_of=len(paths), matched=matched, types=types))
        except BiosDatGiven as exc:
            bios.append(exc)
        except InputError as exc:
            refused.append(exc)
    if len(bios) == len(paths):
        refused = list(bios)  # (no game DAT given: the BIOS DATs are the mistake)
    if len(refused) == 1:
        raise refused[0]
    if refused:
        reasons = [_without_suffix(str(exc), _NOTHING_IMPORTED) for exc in refused]
        raise DatsRefused(f"{len(refused)} of {len(paths)} DAT files refused, nothing was "
                          f"imported: {'; '.join(reasons)}", reasons)
    return results, [exc.path for exc in bios]


def _without_suffix(text: str, suffixes: tuple[str, ...]) -> str:
    """``text`` without the first of ``suffixes`` it ends with."""
    for suffix in suffixes:
        if text.endswith(suffix):
            return text.removesuffix(suffix)
    return text


def settle_again(db: Database, index: PackIndex, source_ids: list[int],
                 also: Iterable[int] = ()) -> set[int]:
    """One rule for `dat import` and `dat rm`: the games whose platform a catalog's match
    settled and whose data a ROM of the catalogs ``source_ids`` lists (imported, or to be
    removed), and those of ``also`` (a replaced version's), are given back the platform a
    scan decides before they are identified again — the mirror of the match that filed them
    elsewhere, so the library is as a fresh scan with the DATs then imported makes it
    (QA154 F6: `dat rm` then the same DAT imported back left two games under the removed
    catalog's other platform until `scan --full`). Returns the games it decided again."""
    settled = settled_by_catalogs(db)
    ids = games_listed_by(db, source_ids, settled) | (set(also) & set(settled))
    decide_settled_again(db, ids, index)
    return ids


def _sources_of(db: Database, results: list[ImportResult]) -> list[int]:
    """The catalog sources an import wrote (not those it found unchanged)."""
    return [int(row[0]) for result in results if not result.unchanged
            for row in db.query("SELECT id FROM catalog_sources WHERE name = ? "
                                "AND headered = ?", (result.name, int(result.headered)))]


def _identified_by(db: Database, source_id: int, into: dict[int, tuple[str, str]]) -> None:
    """Add the library games a catalog identifies by their data (id -> file name, catalog
    game) to ``into``: before the catalog is replaced, to say those a new version no longer
    identifies (QA154 F8: four files lost their match, said by no word but the totals)."""
    for row in db.query("SELECT g.id, g.filename, g.matched_game_id FROM games g "
                        "WHERE g.matched_game_id IN (SELECT game_id FROM catalog_games "
                        "WHERE source_id = ?) AND g.match_method <> 'name'", (source_id,)):
        into[int(row[0])] = (str(row[1]), str(row[2]))


def _no_longer_identified(db: Database, matched: dict[int, tuple[str, str]]) -> list[LostMatch]:
    """Those of ``matched`` (see :func:`_identified_by`) identified by no data now."""
    if not matched:
        return []
    still = _hash_identified(db, sorted(matched))
    return [LostMatch(game_id, *matched[game_id]) for game_id in sorted(matched)
            if game_id not in still]


def _platform_imported_under(db: Database, name: str, headered: bool) -> str | None:
    """The platform the catalog of this DAT name was imported under before (a DAT of one's
    own, whose name maps to none: a new version needs no --platform again, QA72 note)."""
    found = db.scalar("SELECT platform_id FROM catalog_sources WHERE name = ? AND headered = ?",
                      (name, int(headered)))
    return None if found is None else str(found)


def import_dat(db: Database, path: Path, *, platform_id: str | None = None,
               known_platforms: Collection[str] | None = None, force: bool = False,
               one_of: int = 1, matched: dict[int, tuple[str, str]] | None = None,
               types: Mapping[str, frozenset[str]] | None = None) -> ImportResult:
    """Import one DAT; re-importing replaces that DAT's rows in one transaction.

    ``platform_id`` files it under that platform: for a DAT whose name maps to none, and for
    one DAT given alone whatever its name says; a DAT among several (``one_of``) whose name
    maps to another platform is refused (QA70 F6: one `--platform` for a DAT of one's own
    re-filed a No-Intro SNES DAT beside it, and its games went to the Game Boy folder).
    A DAT that does not parse to its end, or that lists no game, raises :class:`InputError`
    and changes nothing; so do, unless ``force``, a suspicious replacement (see
    :func:`check_replacement`), the replacement of a catalog filed under another platform
    (qa187 F3: a slip of `--platform` moved a catalog, and the games it identifies, said as
    "0 games added, 0 removed"), and a DAT filed by ``platform_id`` where its name does not
    say that platform, none of whose ROMs is of a file type the platform lists (``types``:
    the pack's, see :func:`platform_file_types`; :func:`check_file_types`). ``matched``
    collects the games the replaced catalog identified.
    """
    started = time.perf_counter()
    dat = read_dat(path)
    named = platform_for_system(dat.header.name, known_platforms)
    if platform_id is not None and named is None and one_of > 1 and is_bios_dat(dat.header):
        # (QA72 F4: a --platform meant for a DAT of one's own filed libretro's System.dat
        # beside it as a game catalog; alone, --platform still files any DAT as asked)
        raise BiosDatGiven(path, f"{path}: a BIOS/system DAT ({dat.header.name!r}), not a "
                           "game catalog: `romrunner bios import-dat` reads it; nothing was "
                           "imported")
    if platform_id is not None and named is not None and named != platform_id and one_of > 1:
        raise InputError(f"{path}: its name ({dat.header.name!r}) is {named}'s, not "
                         f"{platform_id}'s: --platform files every DAT given under one "
                         "platform; import this one apart (alone, --platform files it under "
                         "the platform given); nothing was imported")
    platform = platform_id or named or _platform_imported_under(db, dat.header.name,
                                                                 dat.header.headered)
    if platform is None and is_bios_dat(dat.header):
        raise BiosDatGiven(path, f"{path}: a BIOS/system DAT ({dat.header.name!r}), not a "
                           "game catalog: `romrunner bios import-dat` reads it")
    if platform is None:
        raise InputError(f"{path}: DAT system {dat.header.name!r} maps to no platform; "
                         "give one with --platform")
    if known_platforms is not None and platform not in known_platforms:
        # (qa192 F8: `--platform pcengine`, a folder name of tg16, had no "did you mean")
        hint = f" ({platform_hint(platform, known_platforms)})" \
            if isinstance(known_platforms, Mapping) else ""
        raise InputError(f"{path}: platform {platform!r} is not in the definition pack{hint}")
    result = ImportResult(str(path), dat.header.name, platform, dat.format, dat.header.headered,
                          dat.header.version)
    digest = file_sha1(path)
    with db.atomic():
        existing = db.query_one(
            "SELECT id, file_sha1, game_count, rom_count, version, platform_id, reader "
            "FROM catalog_sources WHERE name = ? AND headered = ?",
            (dat.header.name, int(dat.header.headered)))
        # (the same file for another platform is read again: QA38 F14, "unchanged" named
        # the platform asked while the catalog stayed on its own)
        if existing is not None and existing["file_sha1"] == digest and not force \
                and existing["platform_id"] == platform and existing["reader"] >= READER_VERSION:
            result.unchanged = True
            result.games, result.roms = existing["game_count"], existing["rom_count"]
            result.seconds = time.perf_counter() - started
            return result
        if existing is not None:
            if existing["platform_id"] != platform and not force:
                raise InputError(
                    f"{path}: the catalog {dat.header.name!r} is filed under "
                    f"{existing['platform_id']}; this import would move it, and the games it "
                    f"identifies, to {platform}: --platform {existing['platform_id']} "
                    "replaces it where it is, --force moves it; nothing was imported")
            _keep_old_names(db, existing["id"])
            if matched is not None:
                _identified_by(db, existing["id"], matched)
            result.replaced, result.previous_version = True, existing["version"]
            result.previous_platform = existing["platform_id"]
            result.replaced_games = existing["game_count"]
            db.execute("DELETE FROM catalog_sources WHERE id = ?", (existing["id"],))
        source_id = db.execute(
            "INSERT INTO catalog_sources (name, platform_id, format, headered, description, "
            "version, path, file_sha1, reader) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (dat.header.name, platform, dat.format, int(dat.header.headered),
             dat.header.description, dat.header.version,
             str(path.absolute()), digest,  # (a relative path names nothing later)
             READER_VERSION)).lastrowid
        assert source_id is not None
        extensions: dict[str, int] = {}
        _insert_games(db, source_id, platform, dat.games, result, extensions)
        if result.games == 0:
            raise InputError(f"{path}: the DAT lists no game (a cut or empty file?); "
                             "nothing imported")
        if types is not None and platform_id is not None and named != platform_id \
                and not force and existing is None:
            # (a DAT filed where the user's --platform says, its name not vouching for it; a
            # new version of a catalog filed there, as --force let it be, goes where it is)
            check_file_types(path, platform, named, extensions, types.get(platform))
        db.execute("UPDATE catalog_sources SET game_count = ?, rom_count = ? WHERE id = ?",
                   (result.games, result.roms, source_id))
        if existing is not None:
            _count_changes(db, source_id, result)
            if not force:
                check_replacement(path, result)
    result.problems = [*dat.problems, *result.problems]
    result.dropped_values = dat.problems.dropped_values
    result.seconds = time.perf_counter() - started
    return result


def _keep_old_names(db: Database, source_id: int) -> None:
    """The replaced catalog's game names and ROMs, to tell what a new version changed."""
    db.conn.create_function("rr_roms_key", 1, _roms_key, deterministic=True)
    db.execute("DROP TABLE IF EXISTS temp.import_old_names")
    db.execute("CREATE TEMP TABLE import_old_names (name TEXT PRIMARY KEY, roms BLOB, "
               "sha1s BLOB)")
    db.execute(f"INSERT INTO temp.import_old_names {_NAMES_OF}", (source_id,))


def _roms_key(roms: str | None) -> bytes | None:
    """A game's ROM list (``_ROMS_OF``) as a digest: a game of 100,000 ROMs is a text of
    megabytes, compared once per other game (QA146 F3: a minute to refuse such a DAT)."""
    return None if roms is None else hashlib.blake2b(roms.encode(), digest_size=16).digest()


# A catalog game's ROMs as one comparable text: each ROM's CRC32 (else SHA1) and size, sorted
# (the CRC32 every DAT gives: a version that adds or drops SHA1s changes no ROM, review 30
# R2); NULL when a ROM has neither (then it is compared by its name only).
_ROMS_OF = ("(SELECT CASE WHEN count(*) > 0 AND count(*) = count(h) THEN "
            "group_concat(h || ':' || coalesce(size, ''), ',') END FROM (SELECT "
            "CASE WHEN r.crc32_bin IS NOT NULL THEN hex(r.crc32_bin) WHEN r.sha1_bin IS NOT "
            "NULL THEN hex(r.sha1_bin) END AS h, r.size FROM catalog_roms r "
            "WHERE r.catalog_game_id = {game}.id ORDER BY h, r.size))")
# ... and their SHA1s, sorted, where every ROM has one: two dumps of one CRC32 and size are
# told apart by them (QA154 F7: a game removed and another added, of one CRC32, was a rename)
_SHA1S_OF = ("(SELECT CASE WHEN count(*) > 0 AND count(*) = count(sha1_bin) THEN "
             "group_concat(hex(sha1_bin), ',') END FROM (SELECT r.sha1_bin "
             "FROM catalog_roms r WHERE r.catalog_game_id = {game}.id ORDER BY r.sha1_bin))")
_NAMES_OF = (f"SELECT g.name, rr_roms_key({_ROMS_OF.format(game='g')}), "
             f"rr_roms_key({_SHA1S_OF.format(game='g')}) "
             "FROM catalog_games g WHERE g.source_id = ?")
# Two games' ROMs are the same data: the same CRC32s and sizes, and SHA1s where both know them.
_SAME_DATA = ("{a}.roms = {b}.roms AND ({a}.sha1s IS NULL OR {b}.sha1s IS NULL "
              "OR {a}.sha1s = {b}.sha1s)")


def _count_changes(db: Database, source_id: int, result: ImportResult) -> None:
    """What a new version changed, as a collector reads it (QA53 F5: a redump was "0 added,
    0 removed", a rename sweep "8 removed" and refused): games renamed (their ROMs under a
    new name), games whose ROMs changed under their name, games added and removed."""
    db.execute("CREATE TEMP TABLE import_new_names (name TEXT PRIMARY KEY, roms BLOB, "
               "sha1s BLOB)")
    db.execute(f"INSERT INTO temp.import_new_names {_NAMES_OF}", (source_id,))
    for table, other in (("gone", "import_new_names"), ("came", "import_old_names")):
        db.execute(f"DROP TABLE IF EXISTS temp.import_{table}")
        db.execute(f"CREATE TEMP TABLE import_{table} AS SELECT name, roms, sha1s FROM "
                   f"temp.{'import_old_names' if table == 'gone' else 'import_new_names'} "
                   f"WHERE name NOT IN (SELECT name FROM temp.{other})")
        db.execute(f"CREATE INDEX temp.import_{table}_roms ON import_{table} (roms)")
    paired = f"EXISTS (SELECT 1 FROM temp.import_{{b}} b WHERE {_SAME_DATA.format(a='a', b='b')})"
    result.games_renamed = int(db.scalar(
        f"SELECT count(*) FROM temp.import_gone a WHERE {paired.format(b='came')}"))
    result.games_removed = int(db.scalar("SELECT count(*) FROM temp.import_gone")) \
        - result.games_renamed
    result.games_added = int(db.scalar(
        f"SELECT count(*) FROM temp.import_came a WHERE NOT {paired.format(b='gone')}"))
    # (IS: a game one of whose ROMs had no hash, a nodump, and has one now is changed —
    # review 156 F2)
    result.games_changed = int(db.scalar(
        "SELECT count(*) FROM temp.import_old_names a JOIN temp.import_new_names b "
        "ON b.name = a.name WHERE a.roms IS NOT b.roms OR (a.sha1s IS NOT NULL "
        "AND b.sha1s IS NOT NULL AND a.sha1s <> b.sha1s)"))
    db.execute("DROP TABLE temp.import_gone")
    db.execute("DROP TABLE temp.import_came")
    db.execute("DROP TABLE temp.import_new_names")
    db.execute("DELETE FROM temp.import_old_names")


_FEW_REMOVED = 10  # games a bigger replacement may remove, however few the old ones


def check_replacement(path: Path, result: ImportResult) -> None:
    """Refuse a replacement that looks like a cut file rather than a new version.

    The same version with games removed (a DAT is not edited in place), or a replacement
    that removes more than half of the old games, raises :class:`InputError` — unless it
    has as many games or more and removes only a few (``_FEW_REMOVED``): a full DAT
    replacing a small one of the same name is no cut (qa206 F6, the real 3,691-game DAT
    refused after the demo's 1-game one), a cut of a full one replacing a filtered one still
    is (review52g F4).
    """
    # (removed: games whose ROMs are gone; a game renamed with its ROMs is no removal)
    old, new, removed = result.replaced_games, result.games, result.games_removed
    same_version = is_same_version(result.version, result.previous_version)
    older = is_older_version(result.version, result.previous_version)
    if (same_version and removed > 0) or older or (
            removed * 2 > old and (new < old or removed > _FEW_REMOVED)):
        why = ("an older version than the one imported" if older
               else "the same version with games removed" if same_version and removed > 0
               else "more than half of the games removed")
        raise InputError(
            f"{path}: refused to replace {result.name} version {result.previous_version or '-'} "
            f"({counted(old, 'game')}) by version {result.version or '-'} "
            f"({counted(new, 'game')}, "
            f"{removed:,} removed): {why}; use --force if this is right")


# File types that tell nothing of a platform: an archive or a CHD holds any data, a playlist
# names discs of any disc platform (a DAT of zipped sets lists `Game.zip`).
_ANY_CONTENT = frozenset(ARCHIVES | {".chd", ".m3u"})


def platform_file_types(index: PackIndex) -> dict[str, frozenset[str]]:
    """Each pack platform's own file types: the extensions it lists, but archives and CHDs,
    which hold anything (a platform of none, arcade's `.zip`/`.7z`/`.chd`, is absent: its
    games are sets of ROMs of any name, as MAME's DAT lists `pacman.6e`)."""
    types: dict[str, set[str]] = {}
    for extension, platforms in index.platforms_by_extension.items():
        if extension.lower() in _ANY_CONTENT:
            continue
        for platform in platforms:
            types.setdefault(platform, set()).add(extension.lower())
    return {platform: frozenset(found) for platform, found in types.items()}


def _rom_type(name: str) -> str:
    """The file type of a DAT's ROM name: its extension, lower-case ('' for none), of its
    last path part (Redump and TOSEC name some ROMs `Disc 1\\Track 01.bin`)."""
    return extension_of(name.replace("\\", "/").rpartition("/")[2])


def check_file_types(path: Path, platform: str, named: str | None, extensions: dict[str, int],
                     listed: frozenset[str] | None) -> None:
    """Refuse a DAT none of whose ROMs is of a file type ``platform`` lists (``listed``: its
    own types, see :func:`platform_file_types`), when its ROMs' types say anything: ROMs of
    no extension, or only archives (a DAT of zipped sets), tell nothing; nor does a platform
    of no type of its own (arcade) ask for any. ``extensions``: the DAT's ROMs' types and
    how many ROMs have each; ``named``: the platform the DAT's name says, if any."""
    telling = {kind: count for kind, count in extensions.items()  # (".1)" of "Game (v1.1)"
               if kind[1:].isalnum() and kind not in _ANY_CONTENT}  # is no file type)
    if not listed or not telling or not listed.isdisjoint(telling):
        return
    kinds = sorted(telling, key=lambda kind: (-telling[kind], kind))
    said = f"; its name says {named}" if named is not None else ""
    raise InputError(
        f"{path}: none of its ROMs is a file {platform} takes (they are "
        f"{examples(kinds)}; {platform} takes {', '.join(sorted(listed))}){said}: "
        f"a DAT of another platform? give that one with --platform, or --force files it "
        f"under {platform} anyway; nothing was imported")


def is_older_version(version: str | None, than: str | None) -> bool:
    """Whether DAT ``version`` is dated before ``than``: No-Intro's ``20240315-123456``,
    Redump's ``2024-03-15 12-34-56``, TOSEC's ``2023-10-01``; or, both plain release numbers
    (MAME's ``0.261``, a hand-made DAT's ``2``, ``v1.9``), numbered before it. Versions of
    two kinds cannot be ordered, and are not called older."""
    new, old = _version_digits(version), _version_digits(than)
    if new is not None and old is not None:
        width = max(len(new), len(old))
        return new.ljust(width, "0") < old.ljust(width, "0")
    if new is not None or old is not None:
        return False
    new_number, old_number = _release_number(version), _release_number(than)
    # (qa192 F9: "2" replaced by "0" went through; only dates were compared)
    return new_number is not None and old_number is not None and new_number < old_number


def is_same_version(version: str | None, than: str | None) -> bool:
    """Whether DAT ``version`` is the release ``than`` is, spelled alike or not: two plain
    release numbers of the same parts (``2`` and ``2.0``, ``v1.9`` and ``1.9``) are, as
    :func:`is_older_version` orders them (review42 F3: "2" replaced by "2.0" with games
    removed went through, "2" by "2" was refused); other versions only as the same text."""
    new_number, old_number = _release_number(version), _release_number(than)
    if new_number is not None and old_number is not None:
        return new_number == old_number
    return version == than


def _release_number(version: str | None) -> tuple[int, ...] | None:
    """A plain release number's parts (``0.261`` → (0, 261), ``v1.9`` → (1, 9)); None for
    anything else."""
    found = re.fullmatch(r"\s*[vV]?(\d+(?:\.\d+)*)\s*", version or "")
    if not found:
        return None
    parts = [int(part) for part in found.group(1).split(".")]
    while len(parts) > 1 and parts[-1] == 0:  # (2.0 is 2: review41b F4, refused as older)
        parts.pop()
    return tuple(parts)


def _version_digits(version: str | None) -> str | None:
    digits = re.sub(r"\D", "", version or "")
    if len(digits) < 8 or not re.match(r"(19|20)\d\d(0[1-9]|1[0-2])(0[1-9]|[12]\d|3[01])",
                                         digits):
        return None
    return digits


def _matched(db: Database, game_ids: list[int]) -> set[int]:
    """Of ``game_ids``, the games a catalog game matches (by hash or by name)."""
    return {int(row[0]) for row in db.query(
        "SELECT id FROM games WHERE id IN (SELECT value FROM json_each(?)) "
        "AND matched_game_id IS NOT NULL", (json.dumps(game_ids),))}


def remove_catalog(db: Database, name: str, index: PackIndex | None = None) -> RemoveReport:
    """Delete the catalog(s) named ``name`` (headered and not); the games matched to them
    are identified again against what is left (most become unidentified). With the pack's
    ``index``, the games whose platform a catalog's match settled and whose data they list
    are first given the platform a scan decides (see :func:`settle_again`). One
    transaction."""
    with db.atomic():
        sources = db.query("SELECT id, name, platform_id, headered, version, game_count "
                           "FROM catalog_sources WHERE name = ? ORDER BY headered", (name,))
        base, _, which = name.rpartition(" (")
        if not sources and which.lower() in ("headered)", "headerless)"):
            # one of a headered and header-less pair, as `dat report` names them (QA109 F2;
            # in any case, as report takes it: review 110 F2)
            sources = db.query(
                "SELECT id, name, platform_id, headered, version, game_count FROM "
                "catalog_sources WHERE lower(name) = lower(?) AND headered = ?",
                (base, int(which.lower() == "headered)")))
        if not sources:  # (QA98 F13: names were matched case-exactly, without a word)
            others = [str(row[0]) for row in db.query(
                "SELECT DISTINCT name FROM catalog_sources WHERE lower(name) = lower(?)",
                (name,))]
            hint = f"; did you mean {others[0]!r}?" if len(others) == 1 else ""
            raise NotFoundError(f"no imported DAT is named {name!r}{hint} "
                                "(`romrunner dat ls` lists them)")
        ids = [int(row["id"]) for row in sources]
        marks = ", ".join("?" * len(ids))
        affected = [int(row[0]) for row in db.query(
            f"SELECT g.id FROM games g WHERE g.matched_game_id IN (SELECT game_id FROM "
            f"catalog_games WHERE source_id IN ({marks})) UNION SELECT f.game_id FROM "
            f"game_files f WHERE f.matched_game_id IN (SELECT game_id FROM catalog_games "
            f"WHERE source_id IN ({marks}))", (*ids, *ids))]
        undecided = [int(row[0]) for row in db.query(
            "WITH d AS MATERIALIZED (SELECT DISTINCT r.crc32_bin, r.size FROM catalog_roms r "
            "JOIN catalog_games c ON c.id = r.catalog_game_id "
            f"WHERE c.source_id IN ({marks}) AND r.crc32_bin IS NOT NULL) "
            "SELECT g.id FROM d JOIN games g ON g.crc32_bin = d.crc32_bin "
            "AND g.file_size = d.size WHERE g.matched_game_id IS NULL "
            "OR g.match_method = 'name' UNION SELECT f.game_id FROM d JOIN game_files f "
            "ON f.crc32_bin = d.crc32_bin AND f.file_size = d.size "
            "WHERE f.matched_game_id IS NULL", ids)]
        undecided = sorted(set(undecided) - set(affected))
        hashed_before = _hash_identified(db, undecided)
        matched_before = _matched(db, affected)
        with noting_moves(db) as moves:
            settled: set[int] = set() if index is None else settle_again(db, index, ids)
            db.execute(f"DELETE FROM catalog_sources WHERE id IN ({marks})", ids)
            counts = identify(db, affected)
            # (QA106 F2: an archive one of whose members matched, the game itself not, was
            # counted "now unidentified")
            unidentified = len(matched_before - _matched(db, affected))
            newly: set[int] = set()
            if undecided:
                identify(db, undecided)
                newly = _hash_identified(db, undecided) - hashed_before
            also = sorted(settled - set(affected) - set(undecided))
            if also:  # (decided again, matched to another catalog: identified again)
                identify(db, also)
    removed = [RemovedCatalog(row["name"], row["platform_id"], bool(row["headered"]),
                              row["version"], int(row["game_count"])) for row in sources]
    return RemoveReport(removed, counts.identified + counts.guessed, unidentified,
                        counts.identified, counts.guessed,
                        smart_collections_naming(db, "dat", name), moves, len(newly))


def _hash_identified(db: Database, game_ids: list[int]) -> set[int]:
    """Those of ``game_ids`` matched to a catalog game by their data (or by hand)."""
    return {int(row[0]) for row in db.query(
        "SELECT id FROM games WHERE id IN (SELECT value FROM json_each(?)) "
        "AND matched_game_id IS NOT NULL AND match_method <> 'name'", (json.dumps(game_ids),))}


def _insert_games(db: Database, source_id: int, platform: str, games: object,
                  result: ImportResult, extensions: dict[str, int]) -> None:
    """Insert the DAT's ``games`` as the catalog ``source_id``'s; count its ROMs' file
    types into ``extensions`` (their lower-case extensions, see :func:`_rom_type`)."""
    next_id = int(db.scalar("SELECT coalesce(max(id), 0) FROM catalog_games")) + 1
    seen: dict[str, int] = {}
    single: set[str] = set()  # (the names each of whose entries so far lists one ROM)
    listed_again: set[int] = set()
    game_rows: list[tuple[object, ...]] = []
    rom_rows: list[tuple[object, ...]] = []
    for game in games:  # type: ignore[attr-defined]
        assert isinstance(game, DatGame)
        if game.name in seen:
            # Some DATs list one game once per dump (libretro's); its ROMs are merged, and
            # where each entry lists one ROM, any of them is the game (review 122 F1).
            listed_again.add(seen[game.name])
            if len(game.roms) != 1:
                single.discard(game.name)
            rom_rows.extend((seen[game.name], rom.name, rom.size, to_blob(rom.crc32),
                             to_blob(rom.md5), to_blob(rom.sha1), rom.status)
                            for rom in game.roms)
            for rom in game.roms:
                kind = _rom_type(rom.name)
                extensions[kind] = extensions.get(kind, 0) + 1
            result.roms += len(game.roms)
            continue
        seen[game.name] = next_id
        if len(game.roms) == 1:
            single.add(game.name)
        game_rows.append((next_id, source_id, catalog_game_id(platform, game.name), platform,
                          game.name, fold(game.name), game.description, game.region, game.serial,
                          game.year, game.manufacturer, game.clone_of or None,  # ("": none)
                          game.rom_of if game.rom_of and game.rom_of != game.name else None,
                          int(game.is_bios)))
        for rom in game.roms:
            rom_rows.append((next_id, rom.name, rom.size, to_blob(rom.crc32),
                             to_blob(rom.md5), to_blob(rom.sha1), rom.status))
            kind = _rom_type(rom.name)
            extensions[kind] = extensions.get(kind, 0) + 1
        next_id += 1
        result.games += 1
        result.roms += len(game.roms)
        if len(game_rows) >= _BATCH:
            _flush(db, game_rows, rom_rows)
    _flush(db, game_rows, rom_rows)
    alternatives = sorted(listed_again & {seen[name] for name in single})
    db.execute("UPDATE catalog_games SET alternatives = 1 "
               "WHERE id IN (SELECT value FROM json_each(?))", (json.dumps(alternatives),))


def _flush(db: Database, game_rows: list[tuple[object, ...]],
           rom_rows: list[tuple[object, ...]]) -> None:
    db.executemany(
        "INSERT INTO catalog_games (id, source_id, game_id, platform_id, name, title_norm, "
        "description, region, serial, year, manufacturer, clone_of, rom_of, is_bios) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", game_rows)
    db.executemany(
        "INSERT INTO catalog_roms (catalog_game_id, name, size, crc32_bin, md5_bin, sha1_bin, "
        "status) "
        "VALUES (?, ?, ?, ?, ?, ?, ?)", rom_rows)
    game_rows.clear()
    rom_rows.clear()


def has_catalogs(db: Database) -> bool:
    """True when any DAT has been imported."""
    return bool(db.scalar("SELECT EXISTS (SELECT 1 FROM catalog_sources)"))


def list_catalogs(db: Database) -> list[dict[str, object]]:
    """The imported DATs (``read_again``: read by an earlier release's reader, which did not
    keep all a catalog holds now: importing the file again reads it; ``judged``: whether its
    sets are judged complete or not meanwhile, see datfile.JUDGED_FROM_READER)."""
    rows = db.query("SELECT name, platform_id, format, headered, version, path, game_count, "
                    "rom_count, imported_at, reader < ? AS read_again, reader >= ? AS judged "
                    "FROM catalog_sources ORDER BY name, headered",
                    (READER_VERSION, JUDGED_FROM_READER))
    return [{**dict(row), "read_again": bool(row["read_again"]), "judged": bool(row["judged"])}
            for row in rows]
