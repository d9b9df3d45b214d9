"""Multi-disc sets that their names' keys alone would merge.

A set's key is its discs' platform, title, region and edition (see
:func:`romrunner.library.record.disc_set`); the tags in square brackets are left out of it,
as they may differ between the discs of one set (a serial, ``[SLUS-00892]``). Two sets of
one title and region that differ only by such a tag (a user's second dump, ``[fixed]``) then
shared one key: one folder and one playlist on the card for both, the second set's discs
unreachable on the handheld (QA94 F3). Where a key holds two discs of one number whose
bracket tags differ, each tagged group is a set of its own.
"""

from __future__ import annotations

import json
from collections import defaultdict

from romrunner.library.summary import card_name
from romrunner.library.tags import parse_filename
from romrunner.store.database import Database

# The set keys holding two discs of one number (copies in two formats of one disc, or two
# sets): few rows, read through the set_key index; of the sets of some games (:ids), or all.
_COLLIDING_KEYS = (
    "SELECT DISTINCT set_key FROM (SELECT set_key FROM games WHERE set_key IS NOT NULL "
    "AND disc_number IS NOT NULL AND (:ids IS NULL OR set_key IN (SELECT set_key FROM games "
    "WHERE id IN (SELECT value FROM json_each(:ids)))) "
    "GROUP BY set_key, disc_number HAVING count(*) > 1)")


def bracket_tags(filepath: str) -> str:
    """The tags in square brackets of a disc's file name that are no dump mark (``[!]``,
    ``[b1]``: flags), in their order, as one text ('' for none)."""
    parsed = parse_filename(card_name(filepath.rsplit("/", 1)[-1]))
    return " ".join(tag for tag in parsed.other_tags if tag.startswith("["))


def split_merged_sets(db: Database, game_ids: list[int] | None = None) -> int:
    """Give each group of a set's discs told apart by their bracket tags a key of its own
    (the base key and ``:`` and the tags), where the set holds two discs of one number;
    the untagged discs keep the key. ``game_ids``: only the sets of these games (default:
    every set). Returns how many discs were re-keyed. Run after every write of set keys (a
    scan, an identification): idempotent."""
    ids = None if game_ids is None else json.dumps(game_ids)
    keys = [str(row[0]) for row in db.query(_COLLIDING_KEYS, {"ids": ids})]
    if not keys:
        return 0
    groups: dict[str, dict[str, list[int]]] = defaultdict(lambda: defaultdict(list))
    for game_id, set_key, filepath in db.query(
            "SELECT id, set_key, filepath FROM games WHERE set_key IN "
            "(SELECT value FROM json_each(?))", (json.dumps(keys),)):
        groups[str(set_key)][bracket_tags(str(filepath))].append(int(game_id))
    updates = [(f"{set_key}:{tags}", game_id)
               for set_key, by_tags in groups.items() if len(by_tags) > 1
               for tags, ids in by_tags.items() if tags for game_id in ids]
    if updates:
        with db.atomic():
            db.executemany("UPDATE games SET set_key = ? WHERE id = ?", updates)
    return len(updates)
