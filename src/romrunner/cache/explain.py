"""``cache explain GAME``: everything the cache knows about one game, and why each answer won.

A game is a library game id, a title, or a serial / disc game id. Its knowledge keys are
:mod:`romrunner.knowledge.linking`'s, most specific first: the id read from its image
(``games.disc_id``), the serials of the DAT entry it matched, the catalog game id it matched,
and for a six-character GameCube/Wii id its three-character region-less form (Dolphin's
``GAL.ini`` applies to ``GALE01``): the same keys auto-lists and ``compat:`` use. Each kind is
one statement: the keys drive, and each key is one primary-key range (platform, game key),
holding every emulator's and source's answer, so the cost grows with neither the number of
observations nor the number of emulators.
"""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass, field
from typing import Any

from romrunner.cache.kinds import DIMENSIONS, KINDS, CacheKind
from romrunner.cache.lookup import observations_for
from romrunner.cache.sources import data_as_of
from romrunner.devices.autolist import ratings_family, retroarch_families
from romrunner.devices.osprofile import RETROARCH
from romrunner.devices.overrides import EmulatorResolver
from romrunner.devices.profiles import list_profiles, load_profile
from romrunner.errors import InputError, NotFoundError
from romrunner.knowledge.linking import PLATFORM_WIDE, knowledge_keys
from romrunner.library.platforms import UNKNOWN
from romrunner.library.serials import normalise_serial
from romrunner.library.tags import name_title
from romrunner.packs.loader import DefinitionPack
from romrunner.search.index import has_search_index
from romrunner.store.database import Database, row_id
from romrunner.textnorm import fold, storable
from romrunner.timeutil import from_epoch, from_text, utc_now

MAX_GAMES = 5
_GAME_ID = re.compile(r"^[A-Z0-9]{6}$")
_CONFIDENCE = {"high": 0, "medium": 1, "low": 2}
_UNRANKED = 1_000_000


@dataclass
class GameKeys:
    """A game (or a bare serial no game has) and the keys its knowledge is stored under."""

    game_id: int | None
    title: str | None
    platform_id: str | None
    keys: list[str]
    disc_id_source: str | None = None


@dataclass
class AnswerGroup:
    """Every source's observation for one logical key, the winner first, and why."""

    kind: str
    emulator_id: str | None
    game_key: str
    device_profile_id: int | None
    observations: list[dict[str, Any]]
    reason: str
    applies: bool = True  # the answer that applies to the game for this emulator (and profile)
    # The device profiles whose emulator for the game is this answer's (its family), when
    # the profiles were asked: an answer for duckstation is not read on a profile that runs
    # the game with pcsx-rearmed (QA127 F6: "applies" said with no such word)
    read_by: list[int] | None = None


@dataclass
class Explanation:
    """What :func:`explain_game` found for one game."""

    game: GameKeys
    groups: list[AnswerGroup] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        """The JSON form."""
        kinds: dict[str, list[dict[str, Any]]] = {name: [] for name in KINDS}
        for group in self.groups:
            kinds[group.kind].append({
                "emulator_id": group.emulator_id, "game_key": group.game_key,
                "device_profile_id": group.device_profile_id, "why": group.reason,
                "applies": group.applies, "read_by_profiles": group.read_by,
                "observations": group.observations})
        return {"game_id": self.game.game_id, "title": self.game.title,
                "platform_id": self.game.platform_id, "keys": self.game.keys,
                "disc_id_source": self.game.disc_id_source, "kinds": kinds}


def _spellings(serial: str) -> list[str]:
    """The ways DATs write one serial (``SLUS-20312``, ``SLUS 20312``, ``SLUS_203.12``…)."""
    prefix, digits = serial.split("-", 1)
    return [serial, f"{prefix} {digits}", f"{prefix}{digits}",
            f"{prefix}_{digits[:3]}.{digits[3:]}", f"{prefix}-{digits[:3]}.{digits[3:]}"]


def _with_keys(db: Database, rows: list[Any]) -> list[GameKeys]:
    """The games of ``rows`` with their knowledge keys (one statement for all of them)."""
    keys = knowledge_keys(db, [int(row["id"]) for row in rows])
    return [GameKeys(int(row["id"]), row["detected_title"], row["platform_id"],
                     keys.get(int(row["id"]), []), row["disc_id_source"]) for row in rows]


_GAME_COLUMNS = ("SELECT id, detected_title, platform_id, disc_id, disc_id_source, "
                 "matched_game_id FROM games ")


def find_games(db: Database, text: str) -> list[GameKeys]:
    """The games ``text`` names (an id, a serial or disc game id, a title); a serial no
    game has is explained on its own. :class:`NotFoundError` when nothing matches."""
    if not text.strip() or not storable(text):
        raise InputError(f"{text!r}: not a usable game id, title or serial")
    if text.strip().isdigit():
        number = row_id(text)
        row = db.query_one(_GAME_COLUMNS + "WHERE id = ?", (number,)) \
            if number is not None else None
        if row is None:
            titled = _titled(db, text)  # ("1942": a title too, QA31 F6)
            if titled:
                return _with_keys(db, titled)
            raise NotFoundError(f"no game with id or title {text.strip()} in the library")
        return _with_keys(db, [row])
    key = normalise_serial(text) or (text.strip().upper() if _GAME_ID.match(text.strip().upper())
                                     else None)
    if key is not None:
        spellings = _spellings(key) if normalise_serial(key) else [key]
        rows = db.query(
            _GAME_COLUMNS + "WHERE disc_id = ? UNION " + _GAME_COLUMNS +
            "WHERE matched_game_id IN (SELECT game_id FROM catalog_games WHERE serial IN "
            "(SELECT value FROM json_each(?))) ORDER BY id LIMIT ?",
            (key, json.dumps(spellings), MAX_GAMES))
        found = _with_keys(db, rows)
        if found:
            return found
        if not normalise_serial(text):  # six letters: a title, when a game has it (QA28 F5:
            titled = _titled(db, text)  # "Tetris" was taken for a Dolphin game id alone)
            if titled:
                return _with_keys(db, titled)
        return [GameKeys(None, None, None, [key] + ([key[:3]] if len(key) == 6
                                                    and "-" not in key else []))]
    rows = _titled(db, text)
    if not rows:
        raise NotFoundError(f"no game titled {text.strip()!r} in the library (give a game id "
                            "or a serial)")
    return _with_keys(db, rows)


def _titled(db: Database, text: str) -> list[Any]:
    """The present games ``text`` is the title of: the file's title, or the catalog title
    `games ls` and `search` show ("Tetris (Japan) (En)"; QA28 F5: only the file's was
    asked, so a renamed or identified game could not be named by what the user sees)."""
    folded = fold(text)
    rows = db.query(_GAME_COLUMNS + "WHERE title_norm = ? AND is_missing = 0 ORDER BY id "
                    "LIMIT ?", (folded, MAX_GAMES))
    if rows or not folded:
        return rows
    shown = "coalesce(catalog_name, catalog_title)"
    # its title whole, or without its tags ("Asteroids" of "Asteroids (USA, Europe)")
    same = (f"(rr_fold({shown}) = :t OR rr_fold(CASE WHEN instr({shown}, ' (') > 0 THEN "
            f"substr({shown}, 1, instr({shown}, ' (') - 1) END) = :t)")
    params = {"t": folded, "n": MAX_GAMES}
    if has_search_index(db):  # the titles holding its words first: no fold of every row
        # (the words of its title without tags: the index holds a catalog title so)
        words = (fold(name_title(text)) or "").split() or folded.split()
        params["q"] = "catalog_title : (" + " ".join(
            '"' + word.replace('"', '""') + '"' for word in words) + ")"
        return db.query(_GAME_COLUMNS + "WHERE id IN (SELECT rowid FROM games_fts WHERE "
                        f"games_fts MATCH :q) AND {same} AND is_missing = 0 ORDER BY id "
                        "LIMIT :n", params)
    return db.query(_GAME_COLUMNS + f"WHERE {same} AND is_missing = 0 ORDER BY id LIMIT :n",
                    params)


def explain_game(db: Database, game: GameKeys,
                 pack: DefinitionPack | None = None) -> Explanation:
    """Every kind's answers for ``game``: per logical key, each source's observation with
    its age and expiry, the winner first and why it won; with ``pack``, for a library game,
    the profiles whose emulator reads each emulator's answer."""
    explanation = _explained(db, game)
    if pack is not None and game.game_id is not None:
        _say_who_reads(db, pack, game, explanation.groups)
    return explanation


def _say_who_reads(db: Database, pack: DefinitionPack, game: GameKeys,
                   groups: list[AnswerGroup]) -> None:
    """Set each emulator's answer's ``read_by``: the profiles that run the game with it (a
    profile of an OS the pack in use does not know runs it with none: QA132 F1, one such
    profile made every `cache explain` fail). A profile that runs it with RetroArch, where
    no source rates RetroArch itself for it, reads the ratings of the cores it runs the
    platform with, as the auto-list judges it (qa176 N7: those profiles were left out)."""
    assert game.game_id is not None
    runs: dict[int, str | None] = {}
    cores: dict[int, tuple[str, ...]] = {}
    for profile in list_profiles(db):
        try:
            resolver = EmulatorResolver(db, pack, profile)
            runs[profile.id] = resolver.games([game.game_id])[game.game_id].emulator_id
        except (NotFoundError, InputError):
            runs[profile.id] = None
            continue
        emulator = runs[profile.id]
        if emulator and ratings_family(emulator) == RETROARCH and game.platform_id \
                and resolver.os_profile is not None:
            cores[profile.id] = retroarch_families(pack, resolver.os_profile, game.platform_id)
    rated_itself = any(group.kind == "compat" and group.emulator_id
                       and ratings_family(group.emulator_id) == RETROARCH for group in groups)
    for group in groups:
        if group.emulator_id and group.kind != "performance":
            family = ratings_family(group.emulator_id)
            group.read_by = [
                profile for profile, emulator in runs.items()
                if emulator and (ratings_family(emulator) == family
                                 or (group.kind == "compat" and not rated_itself
                                     and family in cores.get(profile, ())))]


def _explained(db: Database, game: GameKeys) -> Explanation:
    """:func:`explain_game` without the profiles."""
    explanation = Explanation(game)
    now = int(utc_now().timestamp())
    # A platform-wide answer is one of the game's platform: a game whose platform is not
    # known (or a bare serial) has none.
    known = game.platform_id is not None and game.platform_id != UNKNOWN
    undecided = game.game_id is not None and not known
    keys = game.keys + ([PLATFORM_WIDE] if known else [])
    for kind in KINDS.values():
        rows = _observations(db, kind, game.platform_id, keys)
        groups: dict[tuple[Any, ...], list[dict[str, Any]]] = {}
        for row in rows:
            item = dict(row)
            group = (item.pop("device_profile_id", None), item["emulator_id"] or None,
                     item["game_key"])
            groups.setdefault(group, []).append(item)
        order = {key: position for position, key in enumerate(keys)}
        winners = _family_winners(groups)
        # (compat: of the game's own keys, the higher-priority source's answer applies, as
        # the auto-list takes it — QA174 F2; settings and performance: the most specific)
        decided = _decided_by_priority(groups, winners, order) if kind.name == "compat" \
            else {}
        dated = functools.partial(_dated, db, kind.name, {})
        # (profile, emulator family) -> the key whose answer applies; None: any emulator's
        # (one family's spellings, pcsx2 and pcsx2-standalone, are one emulator: QA58 F4)
        applied: dict[tuple[Any, ...], str] = {}
        for (profile, emulator, key), items in sorted(
                groups.items(), key=lambda g: (g[0][0] or 0, order.get(g[0][2], 99),
                                               g[0][1] or "")):
            ranked = sorted(items, key=_ranking)
            family = ratings_family(emulator) if emulator else None
            winner = winners.get((profile, family, key), emulator)
            if winner != emulator:  # (another spelling's answer wins by its source)
                explanation.groups.append(AnswerGroup(
                    kind.name, emulator, key, profile,
                    [_shown(item, now, dated) for item in ranked],
                    f"not applied ({winner}'s answer, for the same emulator, wins by its "
                    "source's priority); " + _why(ranked), applies=False))
                continue
            first = applied.get((profile, None)) or applied.setdefault(
                (profile, family), decided.get((profile, family), key))
            layered = kind.name == "settings" and key != first and not undecided
            # (an answer for any emulator yields, emulator by emulator, to the game's own
            # answers: QA54 F4, "applies" said under the game's own answer for pcsx2)
            own = sorted((other, at) for (who, other), at in applied.items()
                         if who == profile and other is not None and at != key) \
                if emulator is None and first == key and not layered else []
            said = _yields_to(own) if own else \
                _layered(first) if layered else _applies(
                    key, first, undecided, outranked=order.get(first, 99) > order.get(key, 99))
            explanation.groups.append(AnswerGroup(
                kind.name, emulator, key, profile, [_shown(item, now, dated) for item in ranked],
                said + _why(ranked),
                applies=(first == key or layered) and not undecided and not own))
    return explanation


def _family_winners(groups: dict[tuple[Any, ...], list[dict[str, Any]]]
                    ) -> dict[tuple[Any, ...], str]:
    """(profile, emulator family, key) -> the emulator spelling whose best answer the
    auto-list takes where several spellings of one family answer for one key."""
    best: dict[tuple[Any, ...], tuple[tuple[Any, ...], str]] = {}
    for (profile, emulator, key), items in groups.items():
        if not emulator:
            continue
        top = min(items, key=_ranking)
        rank = (_rank(top), _CONFIDENCE.get(top["confidence"], 2), -int(top["fetched_at"]),
                emulator)
        slot = (profile, ratings_family(emulator), key)
        if slot not in best or rank < best[slot][0]:
            best[slot] = (rank, emulator)
    return {slot: emulator for slot, (_, emulator) in best.items()}


def _decided_by_priority(groups: dict[tuple[Any, ...], list[dict[str, Any]]],
                         winners: dict[tuple[Any, ...], str], order: dict[str, int]
                         ) -> dict[tuple[Any, ...], str]:
    """(profile, emulator family) -> the game key whose answer applies, of the game's own
    keys: the one whose best answer's source ranks first, the more specific key of equal
    ranks (within one source, GALE01's answer over GAL's), as
    ``devices.autolist._Compat.answer`` takes it (QA174 F2)."""
    best: dict[tuple[Any, ...], tuple[tuple[int, int], str]] = {}
    for (profile, emulator, key), items in groups.items():
        if not emulator or key == PLATFORM_WIDE:
            continue
        family = ratings_family(emulator)
        if winners.get((profile, family, key), emulator) != emulator:
            continue
        rank = (_rank(min(items, key=_ranking)), order.get(key, 99))
        if (profile, family) not in best or rank < best[(profile, family)][0]:
            best[(profile, family)] = (rank, key)
    return {slot: key for slot, (_, key) in best.items()}


def _yields_to(own: list[tuple[str, str]]) -> str:
    """An answer for any emulator where the game has answers of its own for some: it applies
    to the other emulators only, as auto-lists take it."""
    named = ", ".join(f"{emulator}'s is {key}'s" for emulator, key in own)
    return f"not applied to {', '.join(e for e, _ in own)} ({named}); applies to other " \
        "emulators; "


def _layered(first: str) -> str:
    """Settings are layered as the emulators load them (Dolphin reads ``GAL.ini``, then
    ``GALP01.ini`` over it, key by key): a less specific key's settings apply where a more
    specific one sets nothing (QA39 F6: said "not applied")."""
    return f"applies under {first} (layered: {first}'s values win where both set one); "


def _applies(key: str, first: str, undecided: bool, *, outranked: bool = False) -> str:
    """Whether a key's answer is the one that applies to the game (per emulator, its most
    specific key with an answer — for compatibility, of the highest-priority source — else
    the platform-wide one), said before the why; ``outranked``: ``first`` is a less
    specific key, whose source ranks before this one's. A game whose platform is undecided
    is shown every platform's answers under its own keys, but none applies to it (`compat:`
    and auto-lists key answers by the game's platform)."""
    if undecided:
        return "not applied (the game's platform is unknown: `romrunner games set-platform`); "
    if key == first:
        return "platform-wide, applies (no answer of the game's own); " \
            if key == PLATFORM_WIDE else ""
    if outranked:
        return f"not applied ({first}'s answer, of a higher-priority source, applies); "
    return f"not applied ({first} comes first); "


def _observations(db: Database, kind: CacheKind, platform_id: str | None,
                  keys: list[str]) -> list[Any]:
    values = ", ".join(f"o.{column}" for column in kind.values)
    platform = ("o.platform = (SELECT id FROM platform_dim WHERE platform_id = :platform)"
                if platform_id and platform_id != "unknown" else "o.platform = pd.id")
    platforms = "" if "pd.id" not in platform else "CROSS JOIN platform_dim pd "
    best_on = " AND ".join(f"b.{key} = o.{key}" for key in kind.keys)
    if kind.int_keys:
        drivers = (f"CROSS JOIN (SELECT id FROM device_profiles) dp {platforms}"
                   f"CROSS JOIN {kind.observations} o ON o.device_profile_id = dp.id "
                   f"AND {platform} AND o.game_key = k.id "
                   "JOIN emulator_dim e ON e.id = o.emulator")
        profile = "o.device_profile_id, "
    else:  # keyed (platform, game_key, emulator): one range holds every emulator's rows
        drivers = (f"{platforms}CROSS JOIN {kind.observations} o ON {platform} "
                   "AND o.game_key = k.id JOIN emulator_dim e ON e.id = o.emulator")
        profile = ""
    return db.query(
        f"SELECT {profile}e.emulator_id, k.definition_game_id AS game_key, "
        f"s.source_id AS source, pr.rank AS priority, {values}, o.fetched_at, o.expires_at, "
        f"(b.source IS o.source) AS is_best "
        f"FROM json_each(:keys) j CROSS JOIN game_key_dim k ON k.definition_game_id = j.value "
        f"{drivers} JOIN cache_sources s ON s.id = o.source "
        f"LEFT JOIN cache_source_priority pr ON pr.cache_kind = :kind AND pr.source = o.source "
        f"LEFT JOIN {kind.best} b ON {best_on}",
        {"keys": json.dumps(keys), "platform": platform_id, "kind": kind.name})


def _ranking(item: dict[str, Any]) -> tuple[Any, ...]:
    return (not item["is_best"], _rank(item), _CONFIDENCE.get(item["confidence"], 2),
            -int(item["fetched_at"]), item["source"])


def _rank(item: dict[str, Any]) -> int:
    return _UNRANKED if item["priority"] is None else int(item["priority"])


def _why(ranked: list[dict[str, Any]]) -> str:
    """Why the first observation is the answer, against the runner-up."""
    winner = ranked[0]
    if not winner["is_best"]:
        return "no best answer is stored for this key (recomputed at the next import)"
    if len(ranked) == 1:
        return f"{winner['source']} is the only source"
    other = ranked[1]
    if _rank(winner) != _rank(other):
        ranks = (f"{_rank(winner)}" if winner["priority"] is not None else "unranked",
                 f"{_rank(other)}" if other["priority"] is not None else "unranked")
        return (f"source priority: {winner['source']} ranks {ranks[0]}, {other['source']} "
                f"{ranks[1]} (lower wins; `cache sources set` changes it)")
    if winner["confidence"] != other["confidence"]:
        return (f"same priority; confidence {winner['confidence']} beats "
                f"{other['confidence']} ({other['source']})")
    if winner["fetched_at"] != other["fetched_at"]:
        return f"same priority and confidence; fetched more recently than {other['source']}"
    return f"a tie in every respect; source id order puts it before {other['source']}"


def _dated(db: Database, kind: str, known: dict[str, str | None], source: str) -> str | None:
    """The date of ``source``'s answers of ``kind`` (its envelopes' ``generatedAt``), read
    once per source into ``known``."""
    if source not in known:
        known[source] = data_as_of(db, source, kind)
    return known[source]


def _shown(item: dict[str, Any], now: int,
           dated: Callable[[str], str | None]) -> dict[str, Any]:
    fetched, expires = int(item["fetched_at"]), item["expires_at"]
    shown = {key: value for key, value in item.items()
             if key not in ("emulator_id", "game_key") and value is not None}
    expiry = from_epoch(expires)  # None: never (beyond the calendar too)
    # (QA144 F1: the age was the import's; a 2019 report read "age now")
    shown.update(is_best=bool(item["is_best"]), fetched_at=from_epoch(fetched),
                 expires_at=expiry, age=_duration(now - fetched),
                 stale=expiry is not None and expires < now,
                 data_as_of=dated(str(item["source"])))
    if "settings_json" in shown:
        shown["settings"] = json.loads(shown.pop("settings_json"))
    return shown


def _duration(seconds: int) -> str:
    """``3 d``, ``5 h``, ``12 min`` or ``now``."""
    seconds = max(seconds, 0)
    for size, unit in ((86400, "d"), (3600, "h"), (60, "min")):
        if seconds >= size:
            return f"{seconds // size} {unit}"
    return "now"


def game_answers(db: Database, kind: CacheKind, platform_id: str, emulator_id: str,
                 game: str, *, device_profile_id: int | None = None,
                 known_platforms: Collection[str] = (), known_emulators: Collection[str] = ()
                 ) -> list[dict[str, Any]]:
    """``cache why``: every source's observation of ``kind`` for one game on one platform
    and emulator, best first. ``game`` is a cache key as stored (a serial, a DAT game id),
    else a library game id, title or serial whose knowledge keys are tried, most specific
    first (as ``cache explain`` names games: QA12 F4). Each row says its ``game_key`` (and
    ``game_id`` when a library game was named). With no answer, a platform or emulator id
    neither the definition pack (``known_*``) nor the cache knows is an error, not an empty
    answer (a typo would read as "nothing cached")."""
    if not game.strip():
        raise InputError("GAME is empty: give a cache key, or a library id, title or serial")
    # (QA70 F4: "no cached answer" for a game `cache explain` showed an answer for)
    if kind.name == "performance" and device_profile_id is None:
        raise InputError("performance answers are per device profile: give --profile ID "
                         "(`romrunner profile ls` lists them)")
    if device_profile_id is not None:
        load_profile(db, device_profile_id)  # (an unknown one is said, not "no answer")
    try:
        games = find_games(db, game)
    except (InputError, NotFoundError):
        games = []
    # the emulator as named and the ids the cache keeps for its family, as the auto-list
    # meets them (QA39 F3: `dolphin-standalone` found nothing the auto-list had used; QA58
    # F4: one spelling's answer was "best" where the auto-list took the other's)
    mates = (emulator_id, *_family_mates(db, emulator_id))
    found = [{**row, "emulator_id": emulator} for emulator in mates
             for row in _answers(db, kind, platform_id, emulator, game, games,
                                 device_profile_id)]
    found += _platform_wide(db, kind, platform_id, mates, games, found, device_profile_id)
    if found:
        return _family_winner_first(found)
    _check_known(db, "platform", platform_id, known_platforms)
    family = ratings_family(emulator_id)  # (an id of a known family is known: QA40 F8)
    if not _family_mates(db, emulator_id) and not any(
            ratings_family(known) == family for known in known_emulators):
        _check_known(db, "emulator", emulator_id, known_emulators)
    return []


def _answers(db: Database, kind: CacheKind, platform_id: str, emulator_id: str, game: str,
             games: list[GameKeys], device_profile_id: int | None) -> list[dict[str, Any]]:
    """:func:`game_answers` for one emulator id: ``game`` as a cache key, else the keys of
    the library's ``games`` it names."""
    rows = observations_for(db, kind, platform_id, emulator_id, game,
                            device_profile_id=device_profile_id)
    if rows:
        return [{**row, "game_key": game, "game_id": None} for row in rows]
    found: list[dict[str, Any]] = []
    for named in games:
        for key in dict.fromkeys(k for k in named.keys if k != game):
            found += [{**row, "game_key": key, "game_id": named.game_id}
                      for row in observations_for(db, kind, platform_id, emulator_id, key,
                                                  device_profile_id=device_profile_id)]
    return found


def _platform_wide(db: Database, kind: CacheKind, platform_id: str, emulators: Sequence[str],
                   games: list[GameKeys], found: list[dict[str, Any]],
                   device_profile_id: int | None) -> list[dict[str, Any]]:
    """The platform-wide answers (key ``*``) for each of the library's ``games`` of
    ``platform_id`` none of whose own keys has an answer in ``found``: the answers the
    auto-list goes by for them, as `cache explain` shows (qa199 F1: "no cached answer"
    for a game a platform-wide answer rated)."""
    answered = {row["game_id"] for row in found}
    wanting = [named.game_id for named in games if named.game_id is not None
               and named.game_id not in answered and named.platform_id == platform_id]
    if not wanting:
        return []
    rows = [{**row, "emulator_id": emulator} for emulator in emulators
            for row in observations_for(db, kind, platform_id, emulator, "*",
                                        device_profile_id=device_profile_id)]
    return [{**row, "game_key": "*", "game_id": game_id} for game_id in wanting
            for row in rows]


def _family_winner_first(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Per game and key, the best answers of each emulator id of one family reduced to the
    one the auto-list takes (the best source priority, then confidence, then the latest),
    first; the others after, no longer "best"."""
    groups: dict[tuple[Any, Any], list[dict[str, Any]]] = {}
    for row in rows:
        groups.setdefault((row.get("game_id"), row.get("game_key")), []).append(row)
    ordered: list[dict[str, Any]] = []
    for group in groups.values():
        best = [row for row in group if row["is_best"]]
        if len(best) > 1:
            winner = min(best, key=lambda row: (
                _rank(row), _CONFIDENCE.get(row["confidence"], 2),
                -_stamp(row.get("fetched_at"))))
            for row in best:
                row["is_best"] = row is winner
        ordered += sorted(group, key=lambda row: not row["is_best"])
    return ordered


def _stamp(value: Any) -> float:
    """A fetch time as a number (later: larger); unknown: the earliest."""
    if isinstance(value, (int, float)):
        return float(value)
    try:
        return from_text(str(value)).timestamp()
    except (ValueError, TypeError):
        return 0.0


def _family_mates(db: Database, emulator_id: str) -> list[str]:
    """The other emulator ids the cache keeps of ``emulator_id``'s family."""
    family = ratings_family(emulator_id)
    return [str(row[0]) for row in db.query(
        "SELECT emulator_id FROM emulator_dim ORDER BY emulator_id")
        if row[0] != emulator_id and ratings_family(str(row[0])) == family]


def _check_known(db: Database, what: str, value: str, known: Collection[str]) -> None:
    table, column = DIMENSIONS[what]
    if value in known or db.scalar(f"SELECT 1 FROM {table} WHERE {column} = ?", (value,)):
        return
    raise InputError(f"{what} {value!r}: neither the definition pack nor the cache knows this "
                     "id (nothing was looked up)")


@dataclass(frozen=True)
class SuggestedSettings:
    """A source's settings for one game on one emulator, as the cache's best answer has them
    (`resolve` shows them beside the overrides' settings: QA127 F5)."""

    game_key: str
    source: str
    apply_mode: str | None
    settings: Any


def suggested_settings(db: Database, platform_id: str, emulator_id: str | None,
                       game_id: int) -> list[SuggestedSettings]:
    """The best settings answer per knowledge key of the library game ``game_id`` for
    ``emulator_id`` (a Dolphin game's `GAL` and `GALE01` both: layered, the most specific
    last), or none."""
    if not emulator_id:
        return []
    try:
        rows = game_answers(db, KINDS["settings"], platform_id, emulator_id, str(game_id))
    except InputError:  # (no answer, and an id the cache has never seen: none suggested)
        return []
    best = [row for row in rows if row.get("is_best")]
    found: dict[str, SuggestedSettings] = {}
    for row in best:
        key = str(row["game_key"])
        if key not in found:
            found[key] = SuggestedSettings(key, str(row["source"]), row.get("apply_mode"),
                                           _loaded(row.get("settings_json")))
    return list(reversed(found.values()))


def _loaded(text: Any) -> Any:
    try:
        return json.loads(text) if isinstance(text, str) else text
    except ValueError:
        return text
