"""What a deployment takes from the library: a query, a collection, the profile's auto-list.

All three go through the query language (a collection is the query ``collection:NAME``), so a
deploy selects exactly what `romrunner games ls` with the same words lists; the auto-list then
keeps, of those, the games it includes for the profile. Missing files are never selected:
the games the words chose that are missing since the last scan are named (``Chosen.missing``)
so that a deploy can say they are left out.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from pathlib import PurePosixPath

from romrunner.collections.store import collection_exists
from romrunner.devices.autolist import (
    NOT_A_KNOWN_DUMP,
    AutoListEntry,
    build_autolist,
    rated_not_playable,
    unknown_platform_warnings,
)
from romrunner.devices.overrides import excluded_games
from romrunner.devices.paths import CardLayout
from romrunner.devices.profiles import load_profile
from romrunner.errors import InputError, NotFoundError
from romrunner.library.platforms import NO_LONGER_A_GAME
from romrunner.library.query import (
    empty_result_hint,
    parse_query,
    query_text,
    quote_value,
    select,
)
from romrunner.packs.loader import DefinitionPack
from romrunner.store.database import Database
from romrunner.words import counted, examples, shell_word


@dataclass(frozen=True)
class Chosen:
    """The games a deployment takes, and how they were chosen (for the history and output)."""

    game_ids: list[int]
    description: str
    left_out_by_autolist: int = 0
    # The file names of the games the words (query, collection) chose that are missing from
    # the library since the last scan: not deployed.
    missing: list[str] = field(default_factory=list)
    matched: int = 0  # games the words chose, present or missing (0: no words)
    missing_ids: list[int] = field(default_factory=list)  # their ids, in that order
    # The file names of the present games the words chose that a game override excludes on
    # the profile ("never deploy this game"): not deployed. (The auto-list leaves them out
    # itself: counted in ``left_out_by_autolist``.)
    excluded: list[str] = field(default_factory=list)
    # The file names of the chosen games the plan left out with their multi-disc set, an
    # override excluding one of its discs (a set is one game on the card): not deployed.
    excluded_with_set: list[str] = field(default_factory=list)
    # The chosen games deployed that are another copy of an excluded one (the same catalog
    # game, by its hash: a loose file excluded, its zip chosen too): said, as the exclusion
    # is the file's (QA28 F7: "not deployed", and its copy went on the card).
    excluded_copies: list[str] = field(default_factory=list)
    # What the auto-list's profile says of itself that changes what it chooses (a platform
    # its filters name that the pack no longer knows: QA30 N2, said by autolist only).
    warnings: list[str] = field(default_factory=list)
    # The chosen games (a query or a collection, not --auto) the knowledge rates broken or
    # never in-game on the emulator the OS runs them with, as ``file: status (source,
    # emulator)``: copied as chosen, and said (QA174 F6).
    rated_not_playable: list[str] = field(default_factory=list)
    # --auto: the games the profile's own filters (platforms, collections) leave out before
    # the auto-list judges any (qa194 F1: "leaves out 5 games" of 21, 11 chosen)
    filtered_by_profile: int = 0
    # The command whose list says why the auto-list leaves a game out: of this card, which
    # its choice among copies depends on (review48a F5)
    autolist_command: str = ""

    def without_sets(self, left_out: dict[int, str]) -> Chosen:
        """These games less those the plan left out with an excluded disc's set
        (``left_out``: game id -> file name, the plan's word), counted apart."""
        return replace(self, game_ids=[i for i in self.game_ids if i not in left_out],
                       excluded_with_set=[left_out[i] for i in self.game_ids if i in left_out])

    def reaching(self, reached: set[int]) -> Chosen:
        """These games, with the missing ones whose content the card gets another way (a
        copy in another library root placed now: ``reached``, the plan's word) not called
        missing: they are not left out."""
        kept = [(name, game_id) for name, game_id in zip(self.missing, self.missing_ids,
                                                         strict=True)
                if game_id not in reached]
        return replace(self, missing=[name for name, _ in kept],
                       missing_ids=[game_id for _, game_id in kept])


def deploy_query(words: Sequence[str], collection: str | None) -> str:
    """The query text of a deploy's QUERY words and ``--collection``."""
    parts = [query_text(words)] if words else []
    if collection is not None:
        parts.append(f"collection:{quote_value(collection)}")
    return " ".join(parts)


def choose_games(db: Database, pack: DefinitionPack, profile_id: int, layout: CardLayout, *,
                 words: Sequence[str] = (), collection: str | None = None,
                 auto: bool = False) -> Chosen:
    """The present games a deploy of ``profile_id`` takes; at least one way must be given."""
    if collection is not None and not collection_exists(db, collection):
        # (QA138 F12: said as "query: collection:nope", to a user who gave no query)
        raise NotFoundError(f"--collection {collection}: no such collection "
                            "(`romrunner collection ls` lists them)")
    text = deploy_query(words, collection)
    if not parse_query(text).text():  # (' ', '""': no term, QA26 F5 chose every game)
        text = ""
    if not text and not auto:
        raise InputError("say what to deploy: a QUERY (e.g. platform:snes), --collection NAME, "
                         "or --auto (the profile's auto-list)")
    ids: list[int] | None = None
    missing: list[str] = []
    missing_ids: list[int] = []
    names: dict[int, str] = {}
    if text:
        chosen = select(db, text, known_platforms=pack.platforms)
        ids = []
        for game_id, filepath, is_missing, problem in db.query(
                f"SELECT g.id, g.filepath, g.is_missing, g.scan_error FROM {chosen.from_sql} "
                f"WHERE ({chosen.where}) ORDER BY g.id", chosen.all_params):
            if is_missing and str(problem or "").startswith(NO_LONGER_A_GAME):
                continue  # a cover an earlier release stored: no game to choose (QA14)
            if is_missing:
                missing.append(PurePosixPath(str(filepath)).name)
                missing_ids.append(int(game_id))
            else:
                ids.append(int(game_id))
                names[int(game_id)] = PurePosixPath(str(filepath)).name
    matched = len(ids or ()) + len(missing)
    command = autolist_command(profile_id, layout)
    # (why words chose nothing, as `games ls` says it: QA180 F1)
    hint = empty_result_hint(parse_query(text)) if text and not matched else None
    said_first = [hint] if hint is not None else []
    if not auto:
        excluded = excluded_games(db, profile_id, ids or ())
        kept = [i for i in ids or () if i not in excluded]
        copies = _copies_of(db, excluded, kept)
        return Chosen(kept, text, missing=missing, matched=matched, missing_ids=missing_ids,
                      excluded=[names[i] for i in ids or () if i in excluded],
                      excluded_copies=[names[i] for i in kept if i in copies],
                      warnings=[*said_first,
                                *_excluded_platforms_chosen(db, profile_id, text, kept)],
                      rated_not_playable=rated_not_playable(db, pack, profile_id, kept),
                      autolist_command=command)
    platforms = None if ids is None else {str(row[0]) for row in db.query(
        "SELECT DISTINCT platform_id FROM games WHERE id IN (SELECT value FROM json_each(?))",
        (json.dumps(ids),))}
    autolist = build_autolist(db, pack, profile_id, layout, platforms=platforms)
    said = [*said_first, *unknown_platform_warnings(pack, load_profile(db, profile_id))]
    included = [entry.game_id for entry in autolist.included]
    said += _not_known_dumps(autolist.included, command, None if ids is None else set(ids))
    if ids is None:  # (QA14: the games it leaves out were not even counted)
        left, filtered = len(autolist.entries) - len(included), autolist.filtered_by_profile
        how = "the profile's auto-list" + (
            f", which leaves out {counted(left, 'game')} ({command} says why)" if left else "")
        if filtered:  # (qa194 F1: not counted)
            how += (f", and its filters {counted(filtered, 'game')} more" if left else
                    f", whose filters leave out {counted(filtered, 'game')}")
        return Chosen(sorted(included), how, left, warnings=said,
                      filtered_by_profile=filtered, autolist_command=command)
    wanted = set(ids)
    kept = sorted(game_id for game_id in included if game_id in wanted)
    left = len(ids) - len(kept)  # (QA117 F5: said in the JSON only)
    return Chosen(kept, f"{text}, as the profile's auto-list allows" + (
        f", which leaves out {counted(left, 'game')} of them: {command} says why" if left
        else ""), left, missing, matched, missing_ids, warnings=said, autolist_command=command)


def autolist_command(profile_id: int, layout: CardLayout) -> str:
    """`romrunner autolist PROFILE --to CARD`, in backquotes: the list of the card deployed
    to, whose choice among copies of a game is the card's own."""
    return f"`romrunner autolist {profile_id} --to {shell_word(str(layout.root))}`"


def _not_known_dumps(included: Sequence[AutoListEntry], command: str,
                     wanted: set[int] | None) -> list[str]:
    """The auto-list's copies chosen (of ``wanted``, when a query narrows it) that it says
    are no known dump while a version it left out is one, said once for the deploy as the
    auto-list says it of each (qa199 F3: a deploy --auto put them on the card silently)."""
    names = [entry.filename for entry in included
             if (wanted is None or entry.game_id in wanted)
             and any(warning.startswith(NOT_A_KNOWN_DUMP) for warning in entry.warnings)]
    if not names:
        return []
    one = len(names) == 1
    return [f"{examples(sorted(names))}: not a known dump ({'its' if one else 'their'} bytes "
            f"match no catalog entry, while another version's, left out, do: a bad or hacked "
            f"dump?); the auto-list chose {'it' if one else 'them'} "
            f"({command} says more)"]


def _excluded_platforms_chosen(db: Database, profile_id: int, text: str,
                               kept: list[int]) -> list[str]:
    """Said when ``text`` chooses games of platforms the profile's auto-list settings leave
    out (``--exclude-platforms``, or not among ``--include-platforms``): a query or a
    collection is the user's choice and is deployed, but not without a word (QA85 F12,
    review 96 F8)."""
    profile = load_profile(db, profile_id)
    if not (profile.exclude_platforms or profile.include_platforms) or not kept:
        return []
    rows = db.query("SELECT platform_id, count(*) FROM games WHERE id IN (SELECT value FROM "
                    "json_each(?)) GROUP BY platform_id ORDER BY platform_id",
                    (json.dumps(kept),))
    left = [(str(row[0]), int(row[1])) for row in rows
            if row[0] in profile.exclude_platforms
            or (profile.include_platforms and row[0] not in profile.include_platforms)]
    if not left:
        return []
    games = sum(count for _, count in left)
    return [f"profile {profile_id}'s auto-list settings leave out "
            f"{', '.join(platform for platform, _ in left)}, but {text} chooses "
            f"{counted(games, 'game')} of {'it' if len(left) == 1 else 'them'}: deployed all "
            "the same (the profile's platform filters choose for --auto only)"]


def _copies_of(db: Database, excluded: set[int], kept: list[int]) -> set[int]:
    """The games of ``kept`` identified by hash as the catalog game an excluded one is."""
    if not excluded or not kept:
        return set()
    return {int(row[0]) for row in db.query(
        "SELECT g.id FROM games g WHERE g.id IN (SELECT value FROM json_each(:kept)) "
        f"AND g.match_method IN {_BY_HASH} AND g.matched_game_id IN (SELECT matched_game_id "
        "FROM games WHERE id IN (SELECT value FROM json_each(:excluded)) "
        f"AND match_method IN {_BY_HASH})",
        {"kept": json.dumps(kept), "excluded": json.dumps(sorted(excluded))})}


_BY_HASH = "('sha1', 'md5', 'crc32', 'tracks', 'user')"
