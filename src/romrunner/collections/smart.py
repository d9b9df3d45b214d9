"""Smart collections: a stored filter, listed page by page like ``games ls``."""

from __future__ import annotations

import json
from dataclasses import asdict, fields, replace
from typing import Any

from romrunner.errors import InputError, NotFoundError
from romrunner.library.games import GameFilter, list_games
from romrunner.store.database import Database

_RULE_KEYS = {f.name for f in fields(GameFilter)} - {"limit", "after_title", "after_id"}


def rules_to_filter(rules: dict[str, Any]) -> GameFilter:
    """The game filter a collection's rules describe; unknown rules are an error."""
    unknown = set(rules) - _RULE_KEYS
    if unknown:
        raise InputError(f"unknown collection rule(s): {', '.join(sorted(unknown))}; "
                         f"known: {', '.join(sorted(_RULE_KEYS))}")
    return GameFilter(**rules)


def create_smart_collection(db: Database, name: str, rules: dict[str, Any]) -> int:
    """Store a smart collection; returns its id."""
    flt = rules_to_filter(rules)
    stored = {key: value for key, value in asdict(flt).items()
              if key in _RULE_KEYS and value not in (None, False)}
    with db.atomic():
        cursor = db.execute("INSERT INTO collections (name, collection_type, rules_json) "
                            "VALUES (?, 'auto', ?)", (name, json.dumps(stored, sort_keys=True)))
    assert cursor.lastrowid is not None
    return cursor.lastrowid


def smart_collection_page(db: Database, collection_id: int, *, limit: int = 50,
                          after_title: str | None = None, after_id: int = 0
                          ) -> list[dict[str, Any]]:
    """One page of a smart collection, sorted by title, keyset-paged like ``games ls``."""
    row = db.query_one("SELECT rules_json FROM collections WHERE id = ? AND "
                       "collection_type = 'auto'", (collection_id,))
    if row is None:
        raise NotFoundError(f"smart collection {collection_id} does not exist")
    flt = rules_to_filter(json.loads(row["rules_json"] or "{}"))
    return list_games(db, replace(flt, limit=limit, after_title=after_title, after_id=after_id))
