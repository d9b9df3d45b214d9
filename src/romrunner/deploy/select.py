"""What a deployment takes from the library: a query, a collection, the profile's auto-list.

All three go through the query language (a collection is the query ``collection:NAME``), so a
deploy selects exactly what `romrunner games ls` with the same words lists; the auto-list then
keeps, of those, the games it includes for the profile. Missing files are never selected.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from romrunner.devices.autolist import build_autolist
from romrunner.devices.paths import CardLayout
from romrunner.errors import InputError
from romrunner.library.query import quote_value, select
from romrunner.packs.loader import DefinitionPack
from romrunner.store.database import Database


@dataclass(frozen=True)
class Chosen:
    """The games a deployment takes, and how they were chosen (for the history and output)."""

    game_ids: list[int]
    description: str
    left_out_by_autolist: int = 0


def deploy_query(words: Sequence[str], collection: str | None) -> str:
    """The query text of a deploy's QUERY words and ``--collection``."""
    parts = list(words)
    if collection is not None:
        parts.append(f"collection:{quote_value(collection)}")
    return " ".join(parts)


def choose_games(db: Database, pack: DefinitionPack, profile_id: int, layout: CardLayout, *,
                 words: Sequence[str] = (), collection: str | None = None,
                 auto: bool = False) -> Chosen:
    """The present games a deploy of ``profile_id`` takes; at least one way must be given."""
    text = deploy_query(words, collection)
    if not text and not auto:
        raise InputError("say what to deploy: a QUERY (e.g. platform:snes), --collection NAME, "
                         "or --auto (the profile's auto-list)")
    ids: list[int] | None = None
    if text:
        chosen = select(db, text, known_platforms=pack.platforms)
        ids = [int(row[0]) for row in db.query(
            f"SELECT g.id FROM {chosen.from_sql} WHERE ({chosen.where}) AND g.is_missing = 0 "
            "ORDER BY g.id", chosen.all_params)]
    if not auto:
        return Chosen(ids or [], text)
    included = [entry.game_id for entry in build_autolist(db, pack, profile_id, layout).included]
    if ids is None:
        return Chosen(sorted(included), "the profile's auto-list")
    wanted = set(ids)
    kept = sorted(game_id for game_id in included if game_id in wanted)
    return Chosen(kept, f"{text}, as the profile's auto-list allows", len(ids) - len(kept))
