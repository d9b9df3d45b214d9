"""Arcade parents and clones: which games of the library are split clones, that run only with
their parent's ROMs beside them.

A MAME or FBNeo DAT names each clone's parent (``cloneof``). A *split* set of a clone (the
clrmamepro "split" format) holds only the clone's own ROMs: those it shares with its parent
are in the parent's zip, which the emulator reads beside it (``600.zip`` runs only with
``turtles.zip`` in its folder). A *non-merged* clone holds all its ROMs, and a *merged* set is
identified as its parent (see :mod:`romrunner.catalog.identify`): neither needs anything more.

A game of the library is a split clone when it is an archive matched to a catalog game that
is a clone and, in every DAT that lists that game as a clone, it lacks a ROM of it (one that
can be had: not ``nodump``) which that DAT's parent lists too (the same CRC32 and size). Its
parents in the library are the games matched to that parent, of its platform.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import NamedTuple

from romrunner.catalog.datfile import DISK, JUDGED_FROM_READER
from romrunner.library.tags import strip_extension
from romrunner.store.database import Database


@dataclass(frozen=True)
class SplitClone:
    """A game of the library that is a split clone of an arcade (or other parent/clone) DAT:
    it lacks ROMs its parent holds, and runs only with a parent's zip beside it."""

    game_id: int
    parent_name: str  # the parent's name in the DAT (its set's name: ``turtles``)
    parent_game: str  # the parent's catalog game id (``arcade:turtles``)
    # The library's present games that are its parent (of its platform), best first: named
    # as the parent's set, then identified by their hashes, then by id; and how many games
    # that are its parent are missing since the last scan.
    parents: tuple[int, ...] = ()
    missing_parents: int = 0
    # None of its platform: the library's present games that are its parent, of another
    # platform (a platform set by hand: a deploy puts them in that platform's folder).
    elsewhere: tuple[int, ...] = ()


# A clone of two ROMs or more: only such a clone can be split (its own ROM, and one it shares).
_SEVERAL_ROMS = ("EXISTS (SELECT 1 FROM catalog_roms r WHERE r.catalog_game_id = c.id "
                 "LIMIT 1 OFFSET 1)")
# Per archive given matched to a clone of several ROMs: its platform, its parent, and whether
# it lacks a ROM of the clone (that can be had) that the parent lists too: one row per DAT
# listing it as a clone.
_CLONES = (
    "SELECT g.id, c.source_id, g.platform_id, c.clone_of, p.game_id, "
    " EXISTS (SELECT 1 FROM catalog_roms r "
    "  WHERE r.catalog_game_id = c.id AND coalesce(r.status, '') <> 'nodump' "
    "  AND r.crc32_bin IS NOT NULL "
    "  AND EXISTS (SELECT 1 FROM catalog_roms q WHERE q.catalog_game_id = p.id "
    "              AND q.crc32_bin = r.crc32_bin AND q.size IS r.size) "
    "  AND NOT EXISTS (SELECT 1 FROM game_files f WHERE f.game_id = g.id "
    "                  AND f.kind = 'member' AND f.crc32_bin = r.crc32_bin "
    "                  AND f.file_size IS r.size AND (r.sha1_bin IS NULL "
    "                  OR f.sha1_bin IS NULL OR f.sha1_bin = r.sha1_bin))) "
    "FROM games g JOIN catalog_games c ON c.game_id = g.matched_game_id "
    "JOIN catalog_games p ON p.source_id = c.source_id AND p.name = c.clone_of "
    "WHERE g.id IN (SELECT value FROM json_each(?)) AND g.is_archive = 1 "
    f"AND c.clone_of <> '' AND {_SEVERAL_ROMS}")
_PARENTS = (
    "SELECT id, platform_id, matched_game_id, filepath, is_missing, "
    "coalesce(match_method IN ('sha1', 'md5', 'crc32', 'tracks', 'user'), 0) "
    "FROM games WHERE matched_game_id IN (SELECT value FROM json_each(?)) "
    "AND is_archive = 1 ORDER BY id")  # (the parent's zip: not its CHD, QA66 F5)


def split_clones(db: Database, game_ids: Iterable[int]) -> dict[int, SplitClone]:
    """The split clones among ``game_ids``, each with its parent and the library's games that
    are that parent. Nothing is asked per game where no DAT has a clone of several ROMs (a
    library of consoles), and two statements otherwise, whatever the number of games."""
    ids = sorted(set(game_ids))
    if not ids or not db.scalar(
            "SELECT EXISTS (SELECT 1 FROM catalog_games c "
            f"WHERE c.clone_of <> '' AND {_SEVERAL_ROMS})"):
        return {}
    # game -> (DAT, platform, parent's name, parent's catalog game, split in every DAT so
    # far): split only in every DAT listing it as a clone, as one where it lacks none of the
    # ROMs it shares with its parent says it holds them all (a non-merged set of that DAT);
    # its parent is that of the DAT imported first
    rows: dict[int, tuple[int, str, str, str, bool]] = {}
    with db.translate_errors():
        cursor = db.conn.execute(_CLONES, (json.dumps(ids),))
        cursor.row_factory = None  # plain tuples
        for game_id, source, platform, parent_name, parent_game, lacks in cursor:
            seen = rows.get(game_id)
            lacking = bool(lacks) and (seen is None or seen[4])
            rows[game_id] = (source, platform, parent_name, parent_game, lacking) \
                if seen is None or source < seen[0] else (*seen[:4], lacking)
    split = {game_id: row[1:4] for game_id, row in rows.items() if row[4]}
    if not split:
        return {}
    # platform, parent game -> its present games (id, file name's stem, identified by its
    # hashes), and how many are missing
    present: dict[tuple[str, str], list[tuple[int, str, bool]]] = {}
    missing: dict[tuple[str, str], int] = {}
    with db.translate_errors():
        cursor = db.conn.execute(_PARENTS, (json.dumps(sorted({row[2] for row in
                                                               split.values()})),))
        cursor.row_factory = None
        for game_id, platform, parent_game, filepath, is_missing, identified in cursor:
            key = (platform, parent_game)
            if is_missing:
                missing[key] = missing.get(key, 0) + 1
            else:
                present.setdefault(key, []).append(
                    (game_id, strip_extension(filepath.rpartition("/")[2]).lower(),
                     bool(identified)))
    best = _best_first_of(db)
    return {game_id: SplitClone(game_id, parent_name, parent_game,
                                best(present.get((platform, parent_game), []), parent_name),
                                missing.get((platform, parent_game), 0),
                                _other_platforms(present, platform, parent_game))
            for game_id, (platform, parent_name, parent_game) in split.items()}


def _other_platforms(present: dict[tuple[str, str], list[tuple[int, str, bool]]],
                     platform: str, catalog_game: str) -> tuple[int, ...]:
    """The library's games that are ``catalog_game`` when none is of ``platform``: of the
    other platforms (QA136 F5: a neogeo.zip set to fbneo by hand was "not in the library"
    for the arcade sets needing it)."""
    if present.get((platform, catalog_game)):
        return ()
    return tuple(sorted(game_id for (other, found), games in present.items()
                        if found == catalog_game and other != platform
                        for game_id, _, _ in games))


def _best_first_of(db: Database) -> Callable[[list[tuple[int, str, bool]], str],
                                              tuple[int, ...]]:
    """:func:`_best_first`, each list of copies ranked once (review 137 F4: asked again for
    every clone of a parent, every game of a BIOS set — 600 statements for 200 Neo Geo games
    beside two neogeo.zip)."""
    ranked: dict[tuple[tuple[tuple[int, str, bool], ...], str], tuple[int, ...]] = {}

    def best(parents: list[tuple[int, str, bool]], name: str) -> tuple[int, ...]:
        key = (tuple(parents), name.lower())
        if key not in ranked:
            ranked[key] = _best_first(db, parents, name)
        return ranked[key]
    return best


def _best_first(db: Database, parents: list[tuple[int, str, bool]], name: str
                ) -> tuple[int, ...]:
    """The ids of ``parents`` (id, file name's stem, identified), those identified by their
    hashes first (a zip that only bears the set's name may hold another romset's ROMs: QA56
    F11, it went on the card while the set itself, renamed, stayed; the deploy writes any
    under the set's name), then those that lack no ROM of their set (QA136 F1: a neogeo.zip
    with a bad ROM went on the card, the first by id, a whole one in another folder), then
    those named as the set ``name``, then by id."""
    if len(parents) < 2:
        return tuple(game_id for game_id, _, _ in parents)
    name = name.lower()
    lacking = incomplete_sets(db, [game_id for game_id, _, known in parents if known],
                              bios_sets=True)
    return tuple(game_id for game_id, stem, identified in sorted(
        parents, key=lambda p: (not p[2], p[0] in lacking, p[1] != name, p[0])))


@dataclass(frozen=True)
class BiosSetNeed:
    """A game of the library that is an arcade set running with a BIOS set (``2020bb`` with
    ``neogeo``: MAME's ``romof``, a clone's through its parent) whose ROMs its own archive
    does not hold: the emulator reads the BIOS set's zip beside it (QA39 F5)."""

    game_id: int
    bios_name: str  # the BIOS set's name in the DAT (``neogeo``)
    bios_game: str  # its catalog game id (``arcade:neogeo``)
    # The library's present games that are that BIOS set (of the game's platform), best
    # first, and how many of them are missing since the last scan.
    sets: tuple[int, ...] = ()
    missing_sets: int = 0
    # Where none is a game: a file of that set's name `bios scan` found (``neogeo.zip`` kept
    # in the BIOS folder, as guides say: QA56 F8), its path, size, time and SHA1.
    bios_file: tuple[str, int, int | None, str | None] | None = None
    elsewhere: tuple[int, ...] = ()  # none of its platform: those of others (see SplitClone)


# Per archive given matched to a set that is no BIOS set: the BIOS set its DAT says it runs
# with (its own ``romof``, or its parent's), when the archive lacks a ROM of it (one that can
# be had). One row per DAT listing it so.
_NEEDS_BIOS = (
    "SELECT DISTINCT g.id, g.platform_id, b.name, b.game_id FROM games g "
    "JOIN catalog_games c ON c.game_id = g.matched_game_id AND c.is_bios = 0 "
    "LEFT JOIN catalog_games p ON p.source_id = c.source_id AND p.name = c.rom_of "
    "JOIN catalog_games b ON b.source_id = c.source_id AND b.is_bios = 1 "
    " AND b.name IN (c.rom_of, p.rom_of) "
    "WHERE g.id IN (SELECT value FROM json_each(?)) AND g.is_archive = 1 "
    "AND EXISTS (SELECT 1 FROM catalog_roms r WHERE r.catalog_game_id = b.id "
    " AND coalesce(r.status, '') <> 'nodump' AND r.crc32_bin IS NOT NULL "
    " AND NOT EXISTS (SELECT 1 FROM game_files f WHERE f.game_id = g.id "
    "  AND f.kind = 'member' AND f.crc32_bin = r.crc32_bin AND f.file_size IS r.size)) "
    "ORDER BY g.id, b.source_id")


def bios_sets_needed(db: Database, game_ids: Iterable[int], *,
                     outside: str | None = None) -> dict[int, BiosSetNeed]:
    """The games among ``game_ids`` that run with a BIOS set their archive does not hold,
    each with the library's games that are that set. Nothing is asked per game where no
    catalog has a BIOS set (every library but an arcade one): one statement otherwise."""
    ids = sorted(set(game_ids))
    if not ids or not db.scalar("SELECT EXISTS (SELECT 1 FROM catalog_games "
                                "WHERE is_bios = 1)"):
        return {}
    wanted: dict[int, tuple[str, str, str]] = {}
    for game_id, platform_id, name, catalog_id in db.query(_NEEDS_BIOS, (json.dumps(ids),)):
        wanted.setdefault(int(game_id), (str(platform_id), str(name), str(catalog_id)))
    if not wanted:
        return {}
    copies: dict[tuple[str, str], list[tuple[int, str, bool, bool]]] = {}
    for row in db.query(_PARENTS, (json.dumps(sorted({w[2] for w in wanted.values()})),)):
        copies.setdefault((str(row[2]), str(row[1])), []).append(
            (int(row[0]), strip_extension(str(row[3]).rpartition("/")[2]).lower(),
             bool(row[5]), bool(row[4])))
    found: dict[int, BiosSetNeed] = {}
    files = _bios_files_named(db, {w[1] for w in wanted.values()}, outside)
    files = {**_whole_zips_named(db, {w[2] for w in wanted.values()}, outside), **files}
    best = _best_first_of(db)
    for game_id, (platform_id, name, catalog_id) in wanted.items():
        sets = copies.get((catalog_id, platform_id), [])
        present = best([(i, stem, known) for i, stem, known, missing in sets
                        if not missing], name)
        file = files.get(name.lower())
        identified = {i for i, _, known, _ in sets if known}
        if present and present[0] not in identified and file is not None:
            present = ()  # (a zip only named so loses to the BIOS folder's: QA59 F7)
        elsewhere = () if sets else tuple(sorted(
            i for (catalog, other), copies_of in copies.items() if catalog == catalog_id
            and other != platform_id for i, _, _, missing in copies_of if not missing))
        found[game_id] = BiosSetNeed(
            game_id, name, catalog_id, present, sum(1 for *_, missing in sets if missing),
            None if present else file, elsewhere)
    return found


# A present archive ``z`` of the library named as BIOS set ``b`` (``neogeo.zip``) that holds
# every ROM of it (dumped, by CRC32 and size) and is not identified as that very set (one is a
# copy of the set, :class:`BiosSetNeed`'s ``sets``): the set's zip all the same, whichever
# catalog identifies it — FBNeo's ``neogeo`` beside MAME's, of the same ROMs — or none.
_WHOLE_ZIP_OF = (
    "(z.is_archive = 1 AND z.is_missing = 0 AND lower(z.filename) = lower({b}.name) || '.zip' "
    "AND z.matched_game_id IS NOT {b}.game_id "
    "AND NOT EXISTS (SELECT 1 FROM catalog_roms zr WHERE zr.catalog_game_id = {b}.id "
    " AND coalesce(zr.status, '') <> 'nodump' AND zr.crc32_bin IS NOT NULL "
    " AND NOT EXISTS (SELECT 1 FROM game_files zf WHERE zf.game_id = z.id "
    "  AND zf.kind = 'member' AND zf.crc32_bin = zr.crc32_bin AND zf.file_size IS zr.size)))")
# A present archive of the library identified as BIOS set ``b`` by its hashes: the copy a
# deploy puts beside the sets needing it (see bios_sets_needed).
_IDENTIFIED_COPY_OF = (
    "EXISTS (SELECT 1 FROM games bg WHERE bg.matched_game_id = {b}.game_id "
    "AND bg.is_missing = 0 AND bg.is_archive = 1 "
    "AND bg.match_method IN ('sha1', 'md5', 'crc32', 'tracks', 'user'))")


def bios_zip_apart(bios: str) -> str:
    """SQL: BIOS set ``bios`` (an alias of ``catalog_games``) has a zip a deploy puts beside
    the sets that run with it though no archive of the library is that set by its hashes:
    the file of its name `bios scan` found in a BIOS folder (``bios/neogeo.zip``, as guides
    say: QA56 F8), or a present archive of its name holding every ROM of it that another
    catalog identifies, or none (QA159 F8) — the files :func:`bios_sets_needed` gives as a
    need's ``bios_file``."""
    return (f"({bios}.is_bios = 1 AND NOT {_IDENTIFIED_COPY_OF.format(b=bios)} "
            "AND (EXISTS (SELECT 1 FROM bios_files bf WHERE bf.is_missing = 0 "
            f"AND lower(bf.filename) = lower({bios}.name) || '.zip') "
            "OR EXISTS (SELECT 1 FROM catalog_roms b1 JOIN game_files zm "
            " ON zm.crc32_bin = b1.crc32_bin AND zm.file_size IS b1.size AND zm.kind = 'member' "
            f" JOIN games z ON z.id = zm.game_id WHERE b1.catalog_game_id = {bios}.id "
            " AND coalesce(b1.status, '') <> 'nodump' AND b1.crc32_bin IS NOT NULL "
            f" AND {_WHOLE_ZIP_OF.format(b=bios)})))")


# The ROMs (CRC32, size) of the BIOS sets of :func:`bios_zip_apart`, a CTE (``bios_apart``)
# that every statement using :func:`held_apart` (:func:`held_by_the_set`) begins with: found
# once a statement, not nested in each ROM's test (its depth overflowed SQLite's parser
# stack), and a few rows each ROM is looked up in (from the catalog's ROMs, a DAT's fixdat
# took a quarter longer).
BIOS_SETS_APART = ("bios_apart AS MATERIALIZED (SELECT b.id, br.crc32_bin, br.size "
                   "FROM catalog_games b JOIN catalog_roms br ON br.catalog_game_id = b.id "
                   "WHERE b.is_bios = 1 AND br.crc32_bin IS NOT NULL "
                   f"AND {bios_zip_apart('b')})")


def held_apart(game: str, rom: str) -> str:
    """SQL: catalog ROM ``rom`` of set ``game`` (aliases) is a ROM of a BIOS set the set reads
    beside it (:func:`supplier_of`), or of the set itself when it is a BIOS set, whose zip a
    deploy puts beside the sets needing it though the library has no copy of that set
    identified by its hashes (:func:`bios_zip_apart`): held where the emulator reads it, for
    :func:`incomplete_sets` and the DAT report alike (QA159 F1, F2: a Neo Geo set was
    complete to the auto-list and the deploy, incomplete to the report and its fixdat)."""
    return (f"({rom}.crc32_bin IS NOT NULL AND EXISTS (SELECT 1 FROM bios_apart ba "
            "CROSS JOIN catalog_games bo ON bo.id = ba.id "
            f"WHERE ba.crc32_bin = {rom}.crc32_bin AND ba.size IS {rom}.size "
            f"AND ({supplier_of('bo', game)} OR bo.id = {game}.id)))")


def _whole_zips_named(db: Database, catalog_ids: Iterable[str], outside: str | None = None
                      ) -> dict[str, tuple[str, int, int | None, str | None]]:
    """Per BIOS set of ``catalog_ids`` (catalog game ids) by its name lower-cased, a present
    archive of the library named as it that holds every ROM of it but is not identified as
    it (see _WHOLE_ZIP_OF): its path, size, time and SHA1 — those identified by their hashes
    (as another catalog's set) first, then by path; none under ``outside`` (the card)."""
    found: dict[str, tuple[str, int, int | None, str | None]] = {}
    under = outside.rstrip("/") + "/" if outside else None
    for row in db.query(
            "SELECT DISTINCT lower(b.name), rt.path, z.filepath, z.file_size, z.file_mtime_ns, "
            "lower(hex(z.sha1_bin)), z.match_method IN ('sha1', 'md5', 'crc32', 'tracks', "
            "'user') AS identified FROM catalog_games b "
            "JOIN catalog_roms b1 ON b1.catalog_game_id = b.id "
            " AND coalesce(b1.status, '') <> 'nodump' AND b1.crc32_bin IS NOT NULL "
            "JOIN game_files zm ON zm.crc32_bin = b1.crc32_bin AND zm.file_size IS b1.size "
            " AND zm.kind = 'member' JOIN games z ON z.id = zm.game_id "
            "JOIN library_roots rt ON rt.id = z.root_id "
            "WHERE b.game_id IN (SELECT value FROM json_each(?)) AND b.is_bios = 1 "
            f"AND {_WHOLE_ZIP_OF.format(b='b')} ORDER BY identified IS NOT 1, z.filepath",
            (json.dumps(sorted(set(catalog_ids))),)):
        path = str(Path(str(row[1])) / str(row[2]))
        if under is None or not path.startswith(under):
            found.setdefault(str(row[0]), (path, int(row[3]), row[4], row[5] or None))
    return found


def _bios_files_named(db: Database, names: Iterable[str], outside: str | None = None
                      ) -> dict[str, tuple[str, int, int | None, str | None]]:
    """The BIOS files (`bios scan`, present) named ``<name>.zip`` for each of ``names``, by
    the name lower-cased: one verified as a known dump first, then by path; none under
    ``outside`` (the card deployed to: its own copy is no source, review 30 R3)."""
    wanted = sorted({f"{name.lower()}.zip" for name in names})
    found: dict[str, tuple[str, int, int | None, str | None]] = {}
    under = outside.rstrip("/") + "/" if outside else None
    for row in db.query(
            "SELECT f.filepath, f.file_size, f.file_mtime_ns, f.file_sha1, lower(f.filename) "
            "FROM bios_files f WHERE f.is_missing = 0 "
            "AND lower(f.filename) IN (SELECT value FROM json_each(?)) ORDER BY NOT EXISTS "
            "(SELECT 1 FROM bios_verification v WHERE v.bios_file_id = f.id "
            "AND v.is_match = 1), f.filepath", (json.dumps(wanted),)):
        if under is None or not str(row[0]).startswith(under):
            found.setdefault(str(row[4]).removesuffix(".zip"),
                             (str(row[0]), int(row[1]), row[2], row[3]))
    return found


def bios_set_games(db: Database) -> set[int]:
    """The library's games that are a BIOS set of a catalog (``neogeo.zip``): no game of
    their own, brought by the deploy beside the sets that need them."""
    if not db.scalar("SELECT EXISTS (SELECT 1 FROM catalog_games WHERE is_bios = 1)"):
        return set()
    return {int(row[0]) for row in db.query(
        "SELECT g.id FROM games g WHERE g.matched_game_id IN "
        "(SELECT game_id FROM catalog_games WHERE is_bios = 1)")}


# The extensions of one ROM's forms as DATs list them side by side under one game name:
# libretro's No-Intro NES (the ``.nes`` and its header-less ``.unh``) and Lynx (``.lnx``,
# header-less ``.lyx``, and the ``.bll`` homebrew form) DATs.
FORMS_OF_ONE_ROM = (frozenset({"nes", "unh"}), frozenset({"lnx", "lyx", "bll"}))
_STEM = "rtrim(f.name, replace(f.name, '.', ''))"
_EXTENSION = f"lower(substr(f.name, length({_STEM}) + 1))"


def any_rom_is_the_game(game: str) -> str:
    """SQL: any ROM of the catalog game ``game`` (an alias of ``catalog_games``) is the game,
    not a set of ROMs all needed: a DAT listed it once per dump, one ROM each
    (``alternatives``: review 122 F1, ``Micro Machines (USA)``'s two dumps), or it lists one
    ROM in several forms — ROMs of one name but their extensions, of one family of
    :data:`FORMS_OF_ONE_ROM` (QA120 F1: every NES game identified by its hashes was
    "incomplete", a zipped one left out of every auto-list; this holds for a catalog an
    earlier reader read, which has no ``alternatives``). Never a disc's ``.cue`` and ``.bin``,
    nor ``PRG`` and ``CHR`` of one entry (review 121 F1)."""
    families = " OR ".join(
        f"sum({_EXTENSION} IN ({', '.join(repr(e) for e in sorted(family))})) = count(*)"
        for family in FORMS_OF_ONE_ROM)
    return (f"({game}.alternatives = 1 OR (SELECT count(*) > 1 "
            f"AND min(instr(f.name, '.')) > 0 "
            f"AND count(DISTINCT {_STEM}) = 1 AND ({families}) "
            f"FROM catalog_roms f WHERE f.catalog_game_id = {game}.id))")


def any_rom_is_game(rom_names: Iterable[str], alternatives: bool) -> bool:
    """:func:`any_rom_is_the_game` of a catalog game's ``alternatives`` and its ROMs' names,
    in Python."""
    names = list(rom_names)
    stems = {name.rpartition(".")[0] for name in names}
    extensions = {name.rpartition(".")[2].lower() for name in names if "." in name}
    return alternatives or (
        len(names) > 1 and len(stems) == 1 and all("." in name for name in names)
        and any(extensions <= family for family in FORMS_OF_ONE_ROM))


# Per archive matched by its members' hashes to a catalog game of several ROMs: each ROM of
# that game (dumped, known by its CRC32) that is no member of the archive, nor a ROM of its
# parent's or BIOS set's (which a split or merged set finds beside it), with its catalog row.
# (a catalog an earlier reader read may lack its sets' BIOS sets: not judged until read again,
# QA60 F1 — the BIOS set's ROMs counted as the set's own, and a prune removed the set)
_READ_BY_THIS_READER = ("JOIN catalog_sources cs ON cs.id = c.source_id "
                        f"AND cs.reader >= {JUDGED_FROM_READER} ")
OTHER_DATA = "(held with other data)"
_NO_BIOS_SET = "AND c.is_bios = 0 "
# A catalog game ``o`` whose zip a set ``c`` reads beside its own: its parent, its BIOS set,
# its parent's BIOS set (the same catalog).
def supplier_of(supplier: str, game: str) -> str:
    """SQL: catalog game ``supplier`` is one whose zip set ``game`` (aliases of
    ``catalog_games``) reads beside its own: its parent, its BIOS set, its parent's BIOS set
    (the same catalog)."""
    return (f"{supplier}.source_id = {game}.source_id AND ({supplier}.name IN "
            f"({game}.clone_of, {game}.rom_of) OR {supplier}.name = (SELECT p.rom_of FROM "
            f"catalog_games p WHERE p.source_id = {game}.source_id AND p.name = {game}.rom_of))")


_SUPPLIER = supplier_of("o", "c")


def held_by_the_set(game: str, rom: str, archive: str | None = None) -> str:
    """SQL: catalog ROM ``rom`` of set ``game`` (a game of several ROMs) is held where its
    emulator reads it: a member of a present archive identified as the set (``archive``: of
    that one, an SQL id) or as a set it reads beside it (:func:`supplier_of`), by CRC32 and
    size, or its BIOS set's zip a deploy puts beside it from elsewhere (:func:`held_apart`)
    — as :func:`incomplete_sets` judges (review 137 F2: a ROM some unrelated set's zip held
    counted as the set's)."""
    own = (f"hg.matched_game_id = {game}.game_id" if archive is None
           else f"hg.id = {archive}")
    return (f"(EXISTS (SELECT 1 FROM game_files hf JOIN games hg ON hg.id = hf.game_id "
            f"WHERE hf.crc32_bin = {rom}.crc32_bin AND hf.file_size IS {rom}.size "
            "AND hf.kind = 'member' AND hg.is_missing = 0 AND hg.is_archive = 1 "
            f"AND ({own} OR hg.matched_game_id IN (SELECT "
            f"ho.game_id FROM catalog_games ho WHERE {supplier_of('ho', game)}))) "
            f"OR {held_apart(game, rom)})")
_LACKING = (
    # (a ROM the zip holds under its name with other data is said so: QA133 F4)
    "SELECT g.id, c.id, r.name || CASE WHEN EXISTS (SELECT 1 FROM game_files n "
    " WHERE n.game_id = g.id AND n.kind = 'member' AND n.name = r.name) "
    f" THEN ' {OTHER_DATA}' ELSE '' END FROM games g "
    "JOIN catalog_games c ON c.game_id = g.matched_game_id AND c.is_bios = 0 "
    + _READ_BY_THIS_READER +
    "JOIN catalog_roms r ON r.catalog_game_id = c.id "
    "WHERE g.id IN (SELECT value FROM json_each(?)) AND g.is_archive = 1 "
    "AND g.match_method IN ('sha1', 'md5', 'crc32') "
    "AND coalesce(r.status, '') <> 'nodump' AND r.crc32_bin IS NOT NULL "
    "AND (SELECT count(*) FROM catalog_roms x WHERE x.catalog_game_id = c.id) > 1 "
    f"AND NOT {any_rom_is_the_game('c')} "
    "AND NOT EXISTS (SELECT 1 FROM game_files f WHERE f.game_id = g.id AND f.kind = 'member' "
    " AND f.crc32_bin = r.crc32_bin AND f.file_size IS r.size) "
    "AND NOT EXISTS (SELECT 1 FROM catalog_games o JOIN catalog_roms s "
    f" ON s.catalog_game_id = o.id WHERE {_SUPPLIER} "
    " AND s.crc32_bin = r.crc32_bin AND s.size IS r.size) "
    "ORDER BY g.id, c.id, r.name")

# The same, for the ROMs a split clone or a set of a BIOS set finds in its parent's or BIOS
# set's zip: those the library has that zip of (present), and none of its zips holds (QA133
# F3: 1942a was included while its parent's 1942.zip, lacking a ROM 1942a reads from it, was
# left out as incomplete — the clone cannot run either).
PARENT_LACKS, BIOS_SET_LACKS = "(its parent's zip lacks it)", "(its BIOS set's zip lacks it)"
_LACKING_BESIDE = (
    f"WITH {BIOS_SETS_APART} "
    "SELECT g.id, c.id, r.name || ' ' || CASE WHEN EXISTS (SELECT 1 FROM catalog_games o "
    f" JOIN catalog_roms s ON s.catalog_game_id = o.id WHERE {_SUPPLIER} AND o.is_bios = 1 "
    " AND s.crc32_bin = r.crc32_bin AND s.size IS r.size) "
    " THEN '" + BIOS_SET_LACKS.replace("'", "''") + "' "
    " ELSE '" + PARENT_LACKS.replace("'", "''") + "' END FROM games g "
    "JOIN catalog_games c ON c.game_id = g.matched_game_id AND c.is_bios = 0 "
    + _READ_BY_THIS_READER +
    "JOIN catalog_roms r ON r.catalog_game_id = c.id "
    "WHERE g.id IN (SELECT value FROM json_each(?)) AND g.is_archive = 1 "
    "AND g.match_method IN ('sha1', 'md5', 'crc32') "
    "AND (c.clone_of IS NOT NULL OR c.rom_of IS NOT NULL) "
    "AND coalesce(r.status, '') <> 'nodump' AND r.crc32_bin IS NOT NULL "
    "AND (SELECT count(*) FROM catalog_roms x WHERE x.catalog_game_id = c.id) > 1 "
    f"AND NOT {any_rom_is_the_game('c')} "
    "AND NOT EXISTS (SELECT 1 FROM game_files f WHERE f.game_id = g.id AND f.kind = 'member' "
    " AND f.crc32_bin = r.crc32_bin AND f.file_size IS r.size) "
    "AND EXISTS (SELECT 1 FROM catalog_games o JOIN catalog_roms s "
    f" ON s.catalog_game_id = o.id JOIN games h ON h.matched_game_id = o.game_id "
    f" AND h.is_missing = 0 AND h.is_archive = 1 WHERE {_SUPPLIER} "
    " AND s.crc32_bin = r.crc32_bin AND s.size IS r.size) "
    "AND NOT EXISTS (SELECT 1 FROM catalog_games o JOIN games h "
    " ON h.matched_game_id = o.game_id AND h.is_missing = 0 JOIN game_files f "
    f" ON f.game_id = h.id AND f.kind = 'member' WHERE {_SUPPLIER} "
    " AND f.crc32_bin = r.crc32_bin AND f.file_size IS r.size) "
    # (a BIOS set's ROMs its zip apart holds — in the BIOS folder, or another catalog's
    # copy — which a deploy puts beside the set, are not lacking: QA159 F2, a complete split
    # Neo Geo clone was "incomplete"; F8)
    f"AND NOT {held_apart('c', 'r')} "
    "ORDER BY g.id, c.id, r.name")


# Per archive matched by its members' hashes: each disk of its set (a CHD) that no CHD of
# the library holds by the SHA1 its header records, with its catalog row, its platform and
# the CHD's file name.
_DISKS_NOT_HELD = (
    "SELECT g.id, c.id, g.platform_id, r.name || '.chd' FROM games g "
    "JOIN catalog_games c ON c.game_id = g.matched_game_id AND c.is_bios = 0 "
    + _READ_BY_THIS_READER +
    "JOIN catalog_roms r ON r.catalog_game_id = c.id "
    "WHERE g.id IN (SELECT value FROM json_each(?)) AND g.is_archive = 1 "
    "AND g.match_method IN ('sha1', 'md5', 'crc32') "
    f"AND r.status = '{DISK}' AND r.sha1_bin IS NOT NULL "
    "AND NOT EXISTS (SELECT 1 FROM game_files f JOIN games h ON h.id = f.game_id "
    " WHERE f.sha1_bin = r.sha1_bin AND f.kind = 'chd' AND h.is_missing = 0)")


def _lacking_disks(db: Database, ids: list[int]) -> list[tuple[int, int, str]]:
    """The disks (CHDs) the sets of the archives among ``ids`` lack (QA59 F8: a set whose
    CHD was absent was listed as complete: MAME cannot start it). A CHD of the disk's name on
    the set's platform counts as had whatever its SHA1 (another release's CHD of the disk:
    MAME may still run it)."""
    rows = [(int(r[0]), int(r[1]), str(r[2]), str(r[3]))
            for r in db.query(_DISKS_NOT_HELD, (json.dumps(ids),))]
    if not rows:
        return []
    named = {(str(r[0]), str(r[1]).rpartition("/")[2].casefold()) for r in db.query(
        "SELECT platform_id, filepath FROM games WHERE platform_id IN (SELECT value FROM "
        "json_each(?)) AND format = 'chd' AND is_missing = 0",
        (json.dumps(sorted({platform for _, _, platform, _ in rows})),))}
    return [(game_id, catalog_row, disk) for game_id, catalog_row, platform, disk in rows
            if (platform, disk.casefold()) not in named]


def incomplete_sets(db: Database, game_ids: Iterable[int], *,
                    bios_sets: bool = False) -> dict[int, list[str]]:
    """The archives among ``game_ids`` that lack ROMs of the set they were identified as (an
    arcade set missing a ROM: its emulator refuses it), each with the ROMs it lacks — in
    every catalog that lists the set (complete by one is complete). Nothing is asked where
    the library has no archive matched by its members' hashes. BIOS sets (no game of their
    own) are judged only with ``bios_sets``."""
    ids = sorted(set(game_ids))
    if not ids:
        return {}
    lacking: dict[int, dict[int, list[str]]] = {}
    own = _LACKING.replace(_NO_BIOS_SET, "") if bios_sets else _LACKING
    for game_id, catalog_row, rom in [*db.query(own, (json.dumps(ids),)),
                                      *db.query(_LACKING_BESIDE, (json.dumps(ids),)),
                                      *_lacking_disks(db, ids)]:
        lacking.setdefault(int(game_id), {}).setdefault(int(catalog_row), []).append(str(rom))
    if not lacking:
        return {}
    listed: dict[int, int] = {}  # game -> how many catalog rows it matched
    for game_id, count in db.query(
            "SELECT g.id, count(*) FROM games g JOIN catalog_games c "
            "ON c.game_id = g.matched_game_id WHERE g.id IN (SELECT value FROM json_each(?)) "
            "GROUP BY g.id", (json.dumps(sorted(lacking)),)):
        listed[int(game_id)] = int(count)
    return {game_id: min(by_row.values(), key=len) for game_id, by_row in lacking.items()
            if len(by_row) >= listed.get(game_id, 0)}


# An arcade set's name in a MAME or FBNeo DAT (``dkong3``, ``sf2ce``): the emulator finds a
# set, its parent's and its disks by it.
ARCADE_SET_NAME = re.compile(r"[a-z0-9_]{1,32}")
# A set's disk name as MAME's DATs give them (``kinst``, ``cdp-2-0``, ``gdl-0011``): a DAT's
# other name (``../../tmp/x``, a control character) is no name for a file on the card (QA112
# F6: the deploy said the CHD went there, and wrote it under a name made of it).
DISK_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.\-]{0,63}")


# A catalog game ``c`` of ROMs besides its disks: an arcade set (a software list's console
# disc lists its disk alone).
_SET_OF_ROMS = ("EXISTS (SELECT 1 FROM catalog_roms x WHERE x.catalog_game_id = c.id "
                f"AND coalesce(x.status, '') <> '{DISK}')")


class ChdPlace(NamedTuple):
    """Where an arcade set's CHD goes: its set's folder and its disk's file name."""

    folder: str
    filename: str


# A chosen set's zip and the library's CHDs of its set's disks (by the SHA1 their headers
# record: a clone whose disk is its parent's, `merge="pdisk"`, lists the same SHA1), and a
# chosen set's CHD and the library's zips of its set.
_DISKS_OF_ZIPS = (
    "SELECT DISTINCT g.id, r.name || '.chd', h.id FROM games g "
    "JOIN catalog_games c ON c.game_id = g.matched_game_id "
    f"JOIN catalog_roms r ON r.catalog_game_id = c.id AND r.status = '{DISK}' "
    " AND r.sha1_bin IS NOT NULL "
    "JOIN game_files f ON f.sha1_bin = r.sha1_bin AND f.kind = 'chd' "
    "JOIN games h ON h.id = f.game_id AND h.is_missing = 0 "
    "WHERE g.id IN (SELECT value FROM json_each(?)) AND g.is_archive = 1 "
    "AND g.match_method IN ('sha1', 'md5', 'crc32', 'user') ORDER BY g.id, 2, h.id")
_ZIPS_OF_DISKS = (
    "SELECT DISTINCT g.id, c.name || '.zip', z.id FROM games g "
    "JOIN game_files f ON f.game_id = g.id AND f.kind = 'chd' "
    "JOIN catalog_games c ON c.game_id = g.matched_game_id "
    "JOIN games z ON z.matched_game_id = c.game_id AND z.is_archive = 1 AND z.is_missing = 0 "
    "WHERE g.id IN (SELECT value FROM json_each(?)) AND g.match_method = 'sha1' "
    "ORDER BY g.id, 2, z.id")


def set_companions(db: Database, game_ids: Iterable[int]) -> list[tuple[int, str, list[int]]]:
    """For each of ``game_ids`` that is one file of an arcade set of a zip and CHDs, the
    other files of its set the library has (the game, the file's name, the library's games
    that are it, best first): MAME runs the set with all of them (QA64 F8, F9: a zip chosen
    went without its CHD, a CHD without its zip, a clone without its parent's disk)."""
    ids = json.dumps(sorted(set(game_ids)))
    found: dict[tuple[int, str], list[int]] = {}
    for sql in (_DISKS_OF_ZIPS, _ZIPS_OF_DISKS):
        for game_id, name, other in db.query(sql, (ids,)):
            found.setdefault((int(game_id), str(name)), []).append(int(other))
    return [(game_id, name, others) for (game_id, name), others in sorted(found.items())]


def chd_copies(db: Database, places: dict[int, ChdPlace]) -> dict[int, int]:
    """Of CHDs of ``places`` that go to one place (two CHDs of one disk), each but one ->
    the one that goes: the one the library keeps at that very place (`set/disk.chd`), else
    the first (review 31 R4, QA66 F4)."""
    if len(places) < 2:
        return {}
    rows = {int(row[0]): (str(row[1]), str(row[2])) for row in db.query(
        "SELECT id, platform_id, filepath FROM games WHERE id IN (SELECT value FROM "
        "json_each(?))", (json.dumps(sorted(places)),))}
    by_place: dict[tuple[str, str, str], list[int]] = {}
    for game_id, place in places.items():
        if game_id in rows:
            key = (rows[game_id][0], place.folder.lower(), place.filename.lower())
            by_place.setdefault(key, []).append(game_id)
    copies: dict[int, int] = {}
    for (_, folder, name), ids in by_place.items():
        if len(ids) > 1:
            kept = min(ids, key=lambda i: (not rows[i][1].lower().endswith(
                f"{folder}/{name}"), i))
            copies.update({i: kept for i in ids if i != kept})
    return copies


def sets_lacking_their_zip(db: Database, platform_sets: Iterable[tuple[str, str]]
                           ) -> set[tuple[str, str]]:
    """The (platform, set name) pairs among ``platform_sets`` whose set lists ROMs one can
    have in its zip while no archive of the library is that set (by any name): a CHD of such
    a set alone does not start it (QA64 F6)."""
    pairs = sorted(set(platform_sets))
    if not pairs:
        return set()
    return {(str(row[0]), str(row[1])) for row in db.query(
        "SELECT DISTINCT c.platform_id, c.name FROM catalog_games c "
        "JOIN json_each(?) p ON json_extract(p.value, '$[0]') = c.platform_id "
        " AND json_extract(p.value, '$[1]') = c.name "
        "WHERE EXISTS (SELECT 1 FROM catalog_roms r WHERE r.catalog_game_id = c.id "
        f" AND r.crc32_bin IS NOT NULL AND coalesce(r.status, '') NOT IN ('nodump', '{DISK}'))"
        " AND NOT EXISTS (SELECT 1 FROM games g WHERE g.matched_game_id = c.game_id "
        "  AND g.is_archive = 1 AND g.is_missing = 0)",
        (json.dumps(pairs),))}


def chd_set_folders(db: Database, game_ids: Iterable[int]) -> dict[int, ChdPlace]:
    """The CHDs among ``game_ids`` that are an arcade set's disk, each with its set's folder
    and the file name MAME looks for (``chdgame/chdgame.chd``, as MAME and every ROM manager
    lay a set's disks out): the card must keep the folder (MAME reads the CHD there only),
    and the CHD is no other version of the set's zip but a part of the set (QA56 F1: put
    flat, or left out as "another version").

    A CHD identified by the SHA1 its header records goes under its set's and disk's names,
    whatever the library calls it (QA59 F2: a renamed CHD kept its name, which MAME does not
    look for); another, in a folder named after a set of its platform whose DAT lists a disk
    of the CHD's name, keeps that folder and name."""
    ids = sorted(set(game_ids))
    if not ids:
        return {}
    places = {int(row[0]): ChdPlace(str(row[1]), f"{row[2]}.chd") for row in db.query(
        "SELECT g.id, c.name, r.name FROM games g "
        "JOIN game_files f ON f.game_id = g.id AND f.kind = 'chd' "
        "JOIN catalog_games c ON c.game_id = g.matched_game_id "
        "JOIN catalog_roms r ON r.catalog_game_id = c.id AND r.sha1_bin = f.sha1_bin "
        "WHERE g.id IN (SELECT value FROM json_each(?)) AND g.match_method = 'sha1' "
        f"AND {_SET_OF_ROMS} ORDER BY c.id DESC", (json.dumps(ids),))
        if ARCADE_SET_NAME.fullmatch(str(row[1])) and DISK_NAME.fullmatch(str(row[2]))}
    # (a set named as MAME and FBNeo name one, of ROMs and a disk: a software list's disc,
    # `ff7u` of a disk only, is a console's game, laid out as its platform's: review 31 R5,
    # review 32 R1)
    rows = [(int(row[0]), str(row[1]), str(row[2])) for row in db.query(
        "SELECT id, platform_id, filepath FROM games WHERE id IN (SELECT value FROM "
        "json_each(?)) AND lower(filename) LIKE '%.chd' AND instr(filepath, '/') > 0",
        (json.dumps(ids),)) if int(row[0]) not in places]
    folders = {game_id: (platform, *filepath.rsplit("/", 2)[-2:])
               for game_id, platform, filepath in rows}
    if not folders:
        return places
    # (a set whose disk the DAT lists under the CHD's name: `<disk name="chdgame">`; not a
    # console's CHD in a folder of its game's name, review 30 R1)
    disks = {(str(row[0]), str(row[1]), str(row[2])) for row in db.query(
        "SELECT c.platform_id, c.name, r.name FROM catalog_games c JOIN catalog_roms r "
        "ON r.catalog_game_id = c.id WHERE c.name IN (SELECT value FROM json_each(?)) "
        f"AND instr(r.name, '.') = 0 AND {_SET_OF_ROMS}",
        (json.dumps(sorted({folder for _, folder, _ in folders.values()})),))}
    return {**places, **{game_id: ChdPlace(folder, name)
                         for game_id, (platform, folder, name) in folders.items()
                         if (platform, folder, name.rsplit(".", 1)[0]) in disks}}


def catalog_names_listed(db: Database, names: Iterable[tuple[str, str]]
                         ) -> set[tuple[str, str]]:
    """The (platform, name) pairs of ``names`` some imported catalog of that platform lists
    a game by (one statement; whatever the catalog's source)."""
    wanted = sorted(set(names))
    if not wanted:
        return set()
    return {(str(row[0]), str(row[1])) for row in db.query(
        "SELECT DISTINCT platform_id, name FROM catalog_games WHERE name IN "
        "(SELECT json_extract(value, '$[1]') FROM json_each(?)) AND (platform_id, name) IN "
        "(SELECT json_extract(value, '$[0]'), json_extract(value, '$[1]') FROM json_each(?))",
        (json.dumps(wanted), json.dumps(wanted)))}


# "(Disc 3)" in a name (Redump's, TOSEC's "(Disk 3)"): the next disc's name is the same with
# the next number.
_DISC_IN_NAME = re.compile(r"\((?:Disc|Disk|CD) (\d+)\)", re.IGNORECASE)


def sets_short_of_listed_discs(db: Database,
                               tops: Mapping[str, tuple[str, int, Iterable[str]]]) -> set[str]:
    """Of ``tops`` (a set -> its platform, the number of the last disc the library has of it
    and that disc's names: its catalog game's, its file's), the sets whose last disc is not
    the last a catalog of the platform lists: a catalog names a game as that name with the
    next number ("… (USA) (Disc 3)" beside the library's discs 1-2). One statement."""
    wanted: dict[tuple[str, str], str] = {}
    for key, (platform, disc, names) in tops.items():
        for name in names:
            found = _DISC_IN_NAME.search(name)
            if found is not None and int(found[1]) == disc:
                wanted[(platform,
                        f"{name[:found.start(1)]}{disc + 1}{name[found.end(1):]}")] = key
    return {wanted[pair] for pair in catalog_names_listed(db, wanted)}


def catalog_dump_named(db: Database, sha1: str) -> str | None:
    """The name of a catalog game one of whose ROMs has the SHA1 ``sha1`` (hex), or None
    (one probe of the catalog's SHA1 index)."""
    try:
        key = bytes.fromhex(sha1)
    except ValueError:
        return None
    found = db.scalar("SELECT c.name FROM catalog_roms r JOIN catalog_games c "
                      "ON c.id = r.catalog_game_id WHERE r.sha1_bin = ? LIMIT 1", (key,))
    return None if found is None else str(found)


def identified_by_hashes(db: Database, game_id: int) -> bool:
    """True when the library game ``game_id`` is matched to a catalog game by its data."""
    return bool(db.scalar("SELECT count(*) FROM games WHERE id = ? AND match_method IN "
                          "('sha1', 'md5', 'crc32', 'tracks', 'user')", (game_id,)))
