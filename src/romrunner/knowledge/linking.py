"""Which knowledge keys reach a library game: one definition for every reader.

A game's knowledge keys are, most specific first:

0. the id read from its image (``games.disc_id``: ``SLUS-20312``, ``GALE01``);
1. the serials of the DAT entry it matched (``catalog_games.serial``), in the one spelling
   the cache stores (``SLUS 20312`` and ``SLUS_203.12`` become ``SLUS-20312``);
2. the catalog game id it matched (``games.matched_game_id``);
3. for a six-character GameCube/Wii disc id, its three-character region-less form
   (Dolphin's ``GAL.ini`` applies to ``GALE01``).

After them comes the platform-wide key ``*`` (:data:`PLATFORM_WIDE`): an answer for every
game of a platform from one emulator, which applies where the game has no answer of its own
from that emulator. Per emulator, the answer that applies is the one under the game's most
specific key that has one, else the platform-wide one.

The keys are SQL (:func:`keys_sql`), so ``cache explain``, auto-lists (:func:`knowledge_keys`,
:func:`keys_json_sql`) and the query language's ``compat:`` field (:func:`compat_condition`)
link games to knowledge the same way, set-based, with no query per game. The SQL spelling
rule accepts every spelling :func:`romrunner.library.serials.normalise_serial` does (four
letters, then five digits with spaces, ``_``, ``-`` or ``.`` between); it is a little more
lenient on where those separators sit.
"""

from __future__ import annotations

import json
from collections.abc import Iterable

from romrunner.store.database import Database

STATUSES = ("perfect", "playable", "ingame", "menu_intro", "boots_only", "broken", "unknown")
"""The compatibility statuses, best first (the observation tables' CHECK)."""

NO_STATUS = "unknown"
"""``compat:unknown``: no status is known for the game (no observation, or only
``unknown`` ones)."""

PLATFORM_WIDE = "*"
"""The game key of a platform-wide answer (``gameId: "*"`` in our envelopes and rows)."""
_WIDE_POSITION = 9  # after every key of the game's own

_LETTERS = "[A-Za-z][A-Za-z][A-Za-z][A-Za-z]"
_SERIAL_GLOB = "[A-Z][A-Z][A-Z][A-Z][0-9][0-9][0-9][0-9][0-9]"
_GAME_ID_GLOB = "[A-Z0-9][A-Z0-9][A-Z0-9][A-Z0-9][A-Z0-9][A-Z0-9]"


def _squeezed(column: str) -> str:
    """``column`` upper-cased without the separators serials are written with."""
    text = f"upper(trim({column}))"
    for separator in ("' '", "'_'", "'-'", "'.'", "char(9)"):
        text = f"replace({text}, {separator}, '')"
    return text


def serial_sql(column: str) -> str:
    """SQL: ``column`` as a serial in the cache's spelling (``SLUS-20312``), else NULL. A
    serial followed by more (Redump's ``SLUS-01272GH``, ``SLES-03134-T``, ``SLES-01324/P``,
    ``SLUS-00874-0``: a release's suffix, about one PlayStation entry in five; a second
    serial after a comma) is its leading serial: what the disc boots and the emulators' own
    files are keyed by (QA54 F8)."""
    # (its first 11 characters squeezed: `SLUS-00874-0`'s disc-variant digit comes after a
    # separator, `SLUS-012725`'s sixth digit does not: QA58 F7)
    squeezed = _squeezed(f"substr(trim({column}), 1, 11)")
    return (f"CASE WHEN substr(trim({column}), 1, 4) GLOB '{_LETTERS}' AND {squeezed} GLOB "
            f"'{_SERIAL_GLOB}*' AND NOT {squeezed} GLOB '{_SERIAL_GLOB}[0-9]*' "
            f"THEN substr({squeezed}, 1, 4) || '-' || substr({squeezed}, 5, 5) END")


def keys_sql(game: str = "g") -> str:
    """A compound SELECT of the knowledge keys (``key``, ``position``) of the ``games`` row
    aliased ``game``: correlated, so it goes inside a subquery expression (EXISTS, IN, a
    scalar subquery), never straight into a FROM clause."""
    # A match guessed from the file's name is no key of a disc whose own id names another
    # game (QA153 F8: a disc booting SLPS-02110 named like SLPS-01434 took that game's rating
    # and required settings); one whose catalog serial is the disc's own is.
    # (a catalog game with no serial contradicts nothing: a GameCube game's, review 156 F7)
    match_holds = (f"({game}.match_method IS NOT 'name' OR {game}.disc_id IS NULL "
                   f"OR NOT EXISTS (SELECT 1 FROM catalog_games cs WHERE cs.game_id = "
                   f"{game}.matched_game_id AND {serial_sql('cs.serial')} IS NOT NULL "
                   f"AND {serial_sql('cs.serial')} <> {game}.disc_id))")
    return (
        f"SELECT {game}.disc_id AS key, 0 AS position WHERE {game}.disc_id IS NOT NULL "
        f"UNION ALL SELECT {serial_sql('cg.serial')}, 1 FROM catalog_games cg "
        f"WHERE cg.game_id = {game}.matched_game_id AND cg.serial IS NOT NULL "
        f"AND {serial_sql('cg.serial')} IS NOT NULL AND {match_holds} "
        f"UNION ALL SELECT {game}.matched_game_id, 2 WHERE {game}.matched_game_id IS NOT NULL "
        f"AND {match_holds} "
        f"UNION ALL SELECT substr({game}.disc_id, 1, 3), 3 "
        f"WHERE length({game}.disc_id) = 6 AND {game}.disc_id GLOB '{_GAME_ID_GLOB}'")


def keys_json_sql(game: str = "g") -> str:
    """SQL: the knowledge keys of the ``games`` row ``game`` as a JSON array, most specific
    first (duplicates possible; NULL-free)."""
    # A game with neither a disc id nor a match (most cartridge games) has no key: the
    # CASE spares it the subquery.
    return (f"(CASE WHEN {game}.disc_id IS NULL AND {game}.matched_game_id IS NULL THEN '[]' "
            f"ELSE (SELECT json_group_array(key) FROM (SELECT key FROM ({keys_sql(game)}) "
            "ORDER BY position)) END)")


def knowledge_keys(db: Database, game_ids: Iterable[int]) -> dict[int, list[str]]:
    """Library game id -> its knowledge keys, most specific first, in one statement (ids that
    are not in the library are left out)."""
    ids = [int(game_id) for game_id in game_ids]
    if not ids:
        return {}
    rows = db.query(f"SELECT g.id, {keys_json_sql('g')} AS keys FROM json_each(?) j "
                    "CROSS JOIN games g ON g.id = j.value", (json.dumps(ids),))
    return {int(row["id"]): list(dict.fromkeys(json.loads(row["keys"]))) for row in rows}


def platform_wide_compat(db: Database) -> frozenset[str]:
    """The platforms holding a platform-wide compatibility answer (game key ``*``): one
    primary-key probe per platform of the dictionary."""
    return frozenset(str(row[0]) for row in db.query(
        "SELECT p.platform_id FROM game_key_dim k CROSS JOIN platform_dim p "
        "WHERE k.definition_game_id = ? AND EXISTS (SELECT 1 FROM emulator_compat_cache c "
        "WHERE c.platform = p.id AND c.game_key = k.id)", (PLATFORM_WIDE,)))


_RANK = ("coalesce((SELECT r.rank FROM cache_source_priority r WHERE r.cache_kind = 'compat' "
         "AND r.source = {0}.source), 1000000)")
"""SQL: the priority rank of a compatibility answer's source (lower wins), of the cache row
aliased ``{0}``."""


def compat_condition(status: str, game: str = "g", *,
                     platform_wide: Iterable[str] = ()) -> tuple[str, list[object]]:
    """SQL over the ``games`` row ``game``: the compatibility answer that applies to it from
    some emulator (on the game's platform: its most specific knowledge key with an answer
    from that emulator, else the platform-wide one) has ``status``; for ``unknown``, none has
    a status other than ``unknown``. ``platform_wide``: the platforms that have platform-wide
    answers (:func:`platform_wide_compat`); games of other platforms skip that probe. Each
    key is one range of the best-answer table's primary key (platform, game key, emulator)."""
    keys = keys_sql(game)
    wide: list[object] = []
    if platform_wide:
        keys += (f" UNION ALL SELECT '{PLATFORM_WIDE}', {_WIDE_POSITION} "
                 f"WHERE {game}.platform_id IN (SELECT value FROM json_each(?))")
        wide.append(json.dumps(sorted(platform_wide)))
    # An answer applies unless the same emulator answered under another of the game's own
    # keys from a higher-priority source, or from one as high under a more specific key; the
    # platform-wide answer, unless it answered under any of the game's own keys (the
    # auto-list's rule, devices/autolist.py _Compat.answer: source priority first, review37b
    # F4). (A GROUP BY per game choosing each emulator's first key cost 60% more than this,
    # measured over 200k games with knowledge: the NOT EXISTS runs only for answers that
    # match.)
    test = "!=" if status == NO_STATUS else "="
    applying = (f"SELECT 1 FROM platform_dim p CROSS JOIN ({keys}) gk "
                "CROSS JOIN game_key_dim k ON k.definition_game_id = gk.key "
                "CROSS JOIN emulator_compat_cache c ON c.platform = p.id AND c.game_key = k.id "
                f"WHERE p.platform_id = {game}.platform_id AND c.status {test} ? "
                f"AND NOT EXISTS (SELECT 1 FROM ({keys}) gk2 "
                "CROSS JOIN game_key_dim k2 ON k2.definition_game_id = gk2.key "
                "CROSS JOIN emulator_compat_cache c2 ON c2.platform = p.id "
                "AND c2.game_key = k2.id AND c2.emulator = c.emulator "
                f"WHERE gk2.key <> '{PLATFORM_WIDE}' AND (gk.key = '{PLATFORM_WIDE}' "
                f"OR {_RANK.format('c2')} < {_RANK.format('c')} "
                f"OR {_RANK.format('c2')} = {_RANK.format('c')} "
                "AND gk2.position < gk.position))")
    params = [*wide, status, *wide]
    if status == NO_STATUS:
        return f"NOT EXISTS ({applying})", params
    return f"EXISTS ({applying})", params
