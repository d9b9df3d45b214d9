"""Multi-disc sets that their names' keys alone would merge.

A set's key is its discs' platform, title, region and edition (see
:func:`romrunner.library.record.disc_set`); the tags in square brackets are left out of it,
as they may differ between the discs of one set (a serial, ``[SLUS-00892]``; ``[!]`` on one
disc). Two sets of one title and region that differ only by such a tag (a user's second
dump, ``[fixed]``; a bad dump's ``[b]``) then shared one key: one folder and one playlist on
the card for both, the second set's discs unreachable on the handheld (QA94 F3).

So where a key holds two discs of one number, its discs are grouped by their bracket tags
(serials, disc tags and the verified mark ``[!]`` left out: each disc has its own), and when
there are two groups or more and each has two disc numbers or more, each tagged group is a
set of its own: its key is the set's and ``::`` and the tags (which start with ``[``, as no
set's key has after ``::``: a key without a region is ``psx:game::beta``, review 100 F1).
Anything else is one set: the same set in two formats or two roots, a revision of one disc,
a mark on some discs (review 99 F3, review 100 F2).
The keys of a set are decided again whenever one of its discs is keyed anew, so a split that
no longer holds (the other set deleted) is undone (review 99 F4).
"""

from __future__ import annotations

import json
import re
from collections import defaultdict

from romrunner.library.summary import card_name
from romrunner.library.tags import DISC_NUMBER_TAG, parse_filename
from romrunner.store.database import Database

SPLIT = "::"  # between a set's key and the tags of a set split off it (which start with "[")
_MARK = SPLIT + "["  # where a split set's tags begin in its key

_BRACKETS = re.compile(r"\[([^\[\]]*)\]")
# A disc's serial (``SLUS-00662``, ``SCES_123.45``, ``T-1234G``) or the verified mark
# ``[!]``: a tag each disc of one set has its own of, as is its disc tag (``[Disc 2]``,
# ``[CD2]``, ``[Disc 1 of 2]``, ``[Disc A]``: the tags' own reading, review 103 F4).
_PER_DISC = re.compile(r"[A-Z]{1,5}[-_ ]?\d{3,6}(?:[._-]?\d{1,3})?[A-Z]?|!", re.IGNORECASE)

# The set keys to decide again: those holding two discs of one number, and those split off
# a set; of every set, or (_TO_DECIDE_OF) of the sets of some games (:ids), found from those
# games, each key then through the set_key index (bench 125: asked of every set key in the
# library and filtered by the games' — a walk of the whole index per writer batch, a first
# scan's cost growing with the square of the library).
_NEEDS_DECIDING = (
    "(instr(k.set_key, '" + _MARK + "') > 0 OR EXISTS (SELECT 1 FROM games g "
    "JOIN games other ON other.set_key = g.set_key AND other.disc_number = g.disc_number "
    "AND other.id <> g.id WHERE g.set_key = k.set_key AND g.disc_number IS NOT NULL))")
_TO_DECIDE = (  # (row by row through the covering index: twice as fast as key by key over
    # the whole library, review 131 F7)
    "SELECT DISTINCT set_key FROM games WHERE set_key IS NOT NULL "
    "AND (instr(set_key, '" + _MARK + "') > 0 OR (disc_number IS NOT NULL AND EXISTS ("
    "SELECT 1 FROM games other WHERE other.set_key = games.set_key "
    "AND other.disc_number = games.disc_number AND other.id <> games.id)))")
_TO_DECIDE_OF = ("SELECT k.set_key FROM (SELECT DISTINCT set_key FROM games WHERE id IN "
                 "(SELECT value FROM json_each(:ids)) AND set_key IS NOT NULL) AS k WHERE "
                 + _NEEDS_DECIDING)

# The discs of one set: its key, and the keys split off it (the key and ``::[``, up to the
# key and ``::\``, as ``\`` follows ``[``), through the set_key index.
_MEMBERS = ("SELECT id, set_key, filepath, disc_number FROM games WHERE set_key = :key "
            "OR (set_key >= :key || '" + _MARK + "' AND set_key < :key || '" + SPLIT
            + "\\')")


def bracket_tags(filepath: str) -> str:
    """The bracket tags of a disc's file name that tell one dump of a set from another, in
    their order, as one text ('' for none): not its serial nor its disc tag."""
    name = card_name(filepath.rsplit("/", 1)[-1])
    return " ".join(f"[{tag}]" for tag in _BRACKETS.findall(name)
                    if not _per_disc(tag.strip()))


def _per_disc(tag: str) -> bool:
    return _PER_DISC.fullmatch(tag) is not None or DISC_NUMBER_TAG.match(tag) is not None


def base_key(set_key: str) -> str:
    """The key of the set ``set_key`` was split off (itself when it was not)."""
    return set_key.split(_MARK, 1)[0]


def split_merged_sets(db: Database, game_ids: list[int] | None = None) -> int:
    """Decide again the keys of the sets that need it (see the module's note): of the sets
    of ``game_ids``, or of every set. Returns how many discs were keyed anew. Run after
    every write of set keys (a scan, an identification): idempotent. The discs of a set of
    sided disks are numbered first (see :func:`number_sided_sets`)."""
    number_sided_sets(db, game_ids)
    rows = db.query(_TO_DECIDE) if game_ids is None else \
        db.query(_TO_DECIDE_OF, {"ids": json.dumps(game_ids)})
    bases = sorted({base_key(str(row[0])) for row in rows})
    updates: list[tuple[str, int]] = []
    for base in bases:
        members = [(int(row[0]), str(row[1]), str(row[2]), row[3])
                   for row in db.query(_MEMBERS, {"key": base})]
        stored = {game_id: key for game_id, key, _, _ in members}
        updates += [(key, game_id) for game_id, key in _keys_of(base, members).items()
                    if key != stored[game_id]]
    if updates:
        with db.atomic():
            db.executemany("UPDATE games SET set_key = ? WHERE id = ?", updates)
    return len(updates)


def _keys_of(base: str, members: list[tuple[int, str, str, int | None]]) -> dict[int, str]:
    """Each disc's key, of a set keyed ``base`` whose discs are ``members`` (id, key, path,
    disc number)."""
    numbers = [disc for _, _, _, disc in members if disc is not None]
    groups: dict[str, list[tuple[int, int | None]]] = defaultdict(list)
    for game_id, _, filepath, disc in members:
        groups[bracket_tags(filepath)].append((game_id, disc))
    split = len(numbers) > len(set(numbers)) and len(groups) > 1 and all(
        len({disc for _, disc in group if disc is not None}) >= 2 for group in groups.values())
    return {game_id: f"{base}{SPLIT}{tags}" if split and tags else base
            for tags, group in groups.items() for game_id, _ in group}


# Sets of TOSEC's sided disks (``(Disk 1 of 2 Side A)``): those with a disc whose file names
# a side, of every set or (_SIDED_OF) of the sets of some games (:ids).
_SIDED = ("SELECT DISTINCT set_key FROM games WHERE set_key IS NOT NULL "
          "AND disc_number IS NOT NULL AND filepath LIKE '%side%'")
_SIDED_OF = ("SELECT k.set_key FROM (SELECT DISTINCT set_key FROM games WHERE id IN "
             "(SELECT value FROM json_each(:ids)) AND set_key IS NOT NULL) AS k WHERE EXISTS "
             "(SELECT 1 FROM games g WHERE g.set_key = k.set_key AND g.filepath LIKE '%side%')")


def number_sided_sets(db: Database, game_ids: list[int] | None = None) -> int:
    """Number the discs of the sets of sided disks (of the sets of ``game_ids``, or of
    every set) by their place in the set: a name alone numbers disk N's sides 2N-1 and 2N,
    and an unsided disk N as N, so a set mixing them (``(Disk 1 of 2 Side A)``, ``(Disk 1
    of 2 Side B)``, ``(Disk 2 of 2)``) had two discs 2 and disk 2 was taken for a version of
    Side B, left off the card (review52e F1). Returns how many discs were numbered anew;
    idempotent."""
    rows = db.query(_SIDED) if game_ids is None else \
        db.query(_SIDED_OF, {"ids": json.dumps(game_ids)})
    updates: list[tuple[int, int]] = []
    for base in sorted({base_key(str(row[0])) for row in rows}):
        # (each dump by its own disks: a crack mixing sided and unsided disks beside an
        # unsided one numbered the other's disk 2 as 3 — review53b F3)
        dumps: dict[str, list[tuple[int, str, int | None]]] = defaultdict(list)
        for row in db.query(_MEMBERS, {"key": base}):
            dumps[bracket_tags(str(row[2]))].append((int(row[0]), str(row[2]), row[3]))
        for members in dumps.values():
            places = set_places([filepath for _, filepath, _ in members])
            if places is not None:
                updates += [(place, game_id) for (game_id, _, stored), place
                            in zip(members, places, strict=True) if place != stored]
    if updates:
        with db.atomic():
            db.executemany("UPDATE games SET disc_number = ? WHERE id = ?", updates)
    return len(updates)


def set_places(filepaths: list[str]) -> list[int] | None:
    """The place in their set of the discs whose files are ``filepaths``, when the set has
    sided disks (None otherwise, or when a file's name names no disc: a renamed disc keeps
    its number): the disks in order, each sided one taking two places, its sides in order,
    and each unsided one place. A disk the set lacks takes two places when every disk it
    has is sided (Side A and B missing), else one, so the places of the discs missing are
    still gaps."""
    discs: list[tuple[int, int | None, int | None]] = []
    for filepath in filepaths:
        parsed = parse_filename(card_name(filepath.rsplit("/", 1)[-1]))
        if parsed.disc_number is None:
            return None
        discs.append(parsed.disk_side or (parsed.disc_number, parsed.disc_total, None))
    sided = {disk for disk, _, side in discs if side is not None}
    if not sided:
        return None
    present = {disk for disk, _, _ in discs}
    last = max(max(present), max((total or 0 for _, total, _ in discs), default=0))
    if last > 2 * len(discs) + 16:  # (a number that is no disk's: "(Disk 1 of 1000)")
        return None
    every_sided = present <= sided
    start: dict[int, int] = {}
    place = 1
    for disk in range(1, last + 1):
        start[disk] = place
        place += 2 if disk in sided or (every_sided and disk not in present) else 1
    return [start[disk] + (side - 1 if side is not None and disk in sided else 0)
            for disk, _, side in discs]
