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
from collections.abc import Iterable
from dataclasses import dataclass

from romrunner.library.tags import strip_extension
from romrunner.store.database import Database


@dataclass(frozen=True)
class Clone:
    """A game of the library matched to a clone of an arcade (or other parent/clone) DAT."""

    game_id: int
    parent_name: str  # the parent's name in the DAT (its set's name: ``turtles``)
    parent_game: str  # the parent's catalog game id (``arcade:turtles``)
    # It lacks ROMs its parent holds: it runs only with a parent's zip beside it.
    split: bool
    # The library's present games that are its parent (of its platform), best first: named
    # as the parent's set, then identified by their hashes, then the lowest id.
    parents: tuple[int, ...] = ()
    missing_parents: int = 0  # games that are its parent, missing since the last scan


# Per game given matched to a clone: the clone's DAT, its parent and whether the game, an
# archive, lacks a ROM of the clone (that can be had) that the parent lists too: one row per
# DAT listing the game as a clone.
_CLONES = (
    "SELECT g.id, g.platform_id, c.source_id, c.clone_of, p.game_id, "
    " g.is_archive = 1 AND EXISTS (SELECT 1 FROM catalog_roms r "
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
    "WHERE g.id IN (SELECT value FROM json_each(?)) AND c.clone_of <> '' "
    "ORDER BY g.id, c.source_id")
_PARENTS = (
    "SELECT id, platform_id, matched_game_id, filepath, is_missing, "
    "coalesce(match_method IN ('sha1', 'md5', 'crc32', 'tracks', 'user'), 0) "
    "FROM games WHERE matched_game_id IN (SELECT value FROM json_each(?)) ORDER BY id")


def clones(db: Database, game_ids: Iterable[int]) -> dict[int, Clone]:
    """The games of ``game_ids`` matched to a clone in a DAT with parents and clones (an
    arcade DAT, a No-Intro parent/clone DAT), each with its parent and, for a split clone,
    the library's games that are that parent. Two statements whatever the number of games."""
    ids = sorted(set(game_ids))
    if not ids:
        return {}
    rows: dict[int, list[tuple[str, str, str, bool]]] = {}
    for game_id, platform, _source, parent_name, parent_game, lacks in db.query(
            _CLONES, (json.dumps(ids),)):
        rows.setdefault(int(game_id), []).append(
            (str(platform), str(parent_name), str(parent_game), bool(lacks)))
    if not rows:
        return {}
    wanted = sorted({row[2] for found in rows.values() for row in found})
    # platform, parent game -> its present games (id, file name's stem, identified by its
    # hashes), and how many are missing
    present: dict[tuple[str, str], list[tuple[int, str, bool]]] = {}
    missing: dict[tuple[str, str], int] = {}
    for game_id, platform, parent_game, filepath, is_missing, identified in db.query(
            _PARENTS, (json.dumps(wanted),)):
        key = (str(platform), str(parent_game))
        if is_missing:
            missing[key] = missing.get(key, 0) + 1
            continue
        present.setdefault(key, []).append(
            (int(game_id), strip_extension(str(filepath).rpartition("/")[2]).lower(),
             bool(identified)))
    found: dict[int, Clone] = {}
    for game_id, listed in rows.items():
        platform, parent_name, parent_game, _ = listed[0]
        # split in every DAT listing it as a clone: one where it lacks none of the ROMs
        # it shares with its parent says it holds them all (a non-merged set of that DAT)
        split = all(lacks for *_, lacks in listed)
        key = (platform, parent_game)
        found[game_id] = Clone(game_id, parent_name, parent_game, split,
                               _best_first(present.get(key, []), parent_name),
                               missing.get(key, 0))
    return found


def _best_first(parents: list[tuple[int, str, bool]], name: str) -> tuple[int, ...]:
    """The ids of ``parents`` (id, file name's stem, identified), those named as the set
    ``name`` first (the emulator looks for the parent's zip by its set name), then those
    identified by their hashes, then by id."""
    name = name.lower()
    return tuple(game_id for game_id, stem, identified in sorted(
        parents, key=lambda p: (p[1] != name, not p[2], p[0])))
