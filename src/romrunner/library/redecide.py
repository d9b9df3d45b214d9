"""A library scanned under earlier platform rules: its stored platforms decided again, once.

An unchanged file is never examined again, so without this a row an earlier release stored
would keep that release's platform until its file changed or ``scan --full`` (an SNES `.sfc`
or `.7z` in `NES/` stayed nes: the same game deployed twice). The first scan under a newer
:data:`~romrunner.library.platforms.PLATFORM_RULES_VERSION` decides every stored platform
not set by hand again from what is stored (the path, an archive's member names; a file's
first bytes only where the decision changes and may hang on its header), then lets a
catalog match settle it, as identification does for a new file. Nothing is hashed.

The rules version the library was last decided by is ``user_settings``
``platform_rules_version`` (absent: an earlier release, or a new database, which has no
game to decide again); it is raised in the transaction that decides the rows again, so a
scan stopped before it decides them at its next run, and a later scan reads one value.

Likewise the tags (region, flags…, an identified disc's set) of a library stored under an earlier
:data:`~romrunner.catalog.identify.TAG_RULES_VERSION` (every game its file name's, before 2):
the first scan under a newer one gives every identified game its catalog game's tags, once
(``tag_rules_version``; nothing read but the stored rows, only the rows that differ written).
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable
from pathlib import Path
from typing import NamedTuple

from romrunner.catalog.identify import (
    TAG_RULES_VERSION,
    identify,
    rekey_sets,
    retag,
    retag_named,
)
from romrunner.library.plan import WalkRules
from romrunner.library.platforms import (
    PLATFORM_RULES_VERSION,
    UNKNOWN,
    PlatformGuess,
    decide_platform,
    folders_of,
    is_media_game,
)
from romrunner.library.sets import split_merged_sets
from romrunner.library.summary import os_path
from romrunner.packs.index import PackIndex
from romrunner.store.database import Database

RULES_KEY = "platform_rules_version"
TAGS_KEY = "tag_rules_version"
_HEAD_BYTES = 512  # what a scan's examination keeps of a file for header sniffing


class Replatformed(NamedTuple):
    """A stored game whose platform the current rules decide otherwise."""

    game_id: int
    path: str       # relative to its library root
    old: str
    new: str


def rules_version(db: Database, key: str = RULES_KEY) -> int:
    """The platform rules version (or, ``key`` TAGS_KEY, the tag rules version) the
    library's stored rows were decided by (1: an earlier release's, or a database no scan
    wrote yet)."""
    value = db.scalar("SELECT value FROM user_settings WHERE key = ?", (key,))
    try:
        return int(value) if value is not None else 1
    except (TypeError, ValueError):
        return 1


def _raise_version(db: Database, key: str, version: int) -> None:
    db.execute("INSERT INTO user_settings (key, value, value_type, updated_at) "
               "VALUES (?, ?, 'number', CURRENT_TIMESTAMP) ON CONFLICT (key) DO UPDATE "
               "SET value = excluded.value, value_type = excluded.value_type, "
               "updated_at = excluded.updated_at", (key, str(version)))


def _no_games(db: Database) -> bool:
    """True for a library no scan has stored a game in yet (a new one)."""
    return not db.scalar("SELECT EXISTS (SELECT 1 FROM games)")


def retag_once(db: Database) -> int:
    """When the library's tags were stored by earlier tag rules: identify again the games
    today's rules decide otherwise, give every identified game its catalog game's tags and
    raise the library's tag rules version, in one transaction; returns how many games'
    match changed (none, after one read, when the library is at the current version)."""
    if rules_version(db, TAGS_KEY) >= TAG_RULES_VERSION:
        return 0
    if _no_games(db):
        with db.bookkeeping():
            _raise_version(db, TAGS_KEY, TAG_RULES_VERSION)
        return 0
    with db.atomic():
        rematched = _identify_again(db)  # (merged arcade sets, contradicted matches: 5)
        retag(db, file_tags=True)  # an earlier release's: the file names' tags
        # every disc's set keyed again (the key holds its edition since tag rules 4, and
        # no disc's own name, "(Disc 2) (Claire-hen)", since 6)
        rekey_sets(db)
        retag_named(db, _NEWLY_READ_TAGS)  # (9) the unidentified games' names too
        split_merged_sets(db)  # (the keys just made: whether or not the scan writes)
        _raise_version(db, TAGS_KEY, TAG_RULES_VERSION)
    return rematched


# The names whose tags tag rules 9 to 22 read anew: "(Auto Demo)", "(Tech Demo)", "(Trade
# Demo)", "(Possible Proto)", "(Debug)", "(Debug Version)"; the languages "(De)", "(Fr,De)"…
# (LIKE ignores ASCII case).
_NEWLY_READ_TAGS = ("% Demo)%", "% Proto)%", "%(Debug%",
                    *(f"%({code}{end}%" for code in ("De", "Fr", "Es", "It") for end in "),"),
                    "%-__)%", "%-__,%", "%(__)%",  # (11: "Pt-BR)", "En-US,", "(en)")
                    "%Disc%", "%Disk%", "%CD%",  # (13: "Game - Disc 2", "[Disc 2]", "_CD2")
                    "%Demo%", "%Taikenban%", "%Otameshi%", "%Trial %", "%Preview%",  # (14)
                    *(f"%({code})%" for code in ("JUE", "JEU", "UJE", "UEJ", "EJU", "EUJ")),
                    "%(PRG%",  # (15: GoodNES' "(PRG1)")
                    "%Tentou%", "%Test Drive%", "%Sampler%",  # (17)
                    *(f"%[T-{digit}%" for digit in "0123456789"),  # (18: "[T-4507G]")
                    "%[T+%", "%[T-%",  # (20: a fan translation's language, "[T+Eng]")
                    *(f"%{region}%" for region in (
                        "Austria", "Ireland", "Belgium", "Israel", "Peru", "Argentina",
                        "Switzerland", "Croatia", "Turkey", "South Africa", "Singapore",
                        "Thailand", "Chile", "Czech", "Hungary", "Ukraine", "Indonesia",
                        "Malaysia")),
                    "%(_)%", "%(Unk)%",  # (22: GoodTools' "(F)", "(NL)", "(PD)": "(__)" above)
                    "%Side%",  # (24: TOSEC's "(Side A)"; "(Disk 1 of 2 Side B)" is "%Disk%")
                    "%(Tape%")  # (25: TOSEC's "(Tape 1 of 2)", "(Tape 2 Side B)")


# Games an earlier release's rules may have identified otherwise (tag rules 5): archives of
# several members no hash identified (a merged arcade set), and games — or their members,
# tracks — matched by a weaker hash than one they have stored (a match a stronger hash
# contradicts: a bad dump, a forged CRC32); and (7) the games nothing matched, which the name
# fallback may now match by a catalog's ROM names; (22) a CRC32 match a copy's SHA1 disproves.
_IDENTIFY_AGAIN = (
    "SELECT g.id FROM games g WHERE g.is_missing = 0 AND ("
    " (g.matched_game_id IS NULL AND g.platform_id <> 'unknown') OR"
    " (g.is_archive = 1 AND coalesce(g.match_method, 'name') = 'name' "
    "  AND (SELECT count(*) FROM game_files f WHERE f.game_id = g.id "
    "       AND f.kind = 'member') > 1) "
    " OR (g.match_method = 'crc32' AND (g.sha1_bin IS NOT NULL OR g.md5_bin IS NOT NULL)) "
    " OR (g.match_method = 'md5' AND g.sha1_bin IS NOT NULL) "
    " OR (g.match_method IN ('crc32', 'md5', 'tracks') AND EXISTS (SELECT 1 FROM game_files f "
    "     WHERE f.game_id = g.id AND (f.sha1_bin IS NOT NULL OR f.md5_bin IS NOT NULL))) "
    # (22) a file known by its CRC32 only, matched by it, another file of which (the same
    # CRC32 and size) `scan --verify` read whole and found no dump of its match: a copy of it
    " OR (g.match_method = 'crc32' AND g.sha1_bin IS NULL AND g.md5_bin IS NULL "
    "     AND EXISTS (SELECT 1 FROM games c WHERE c.crc32_bin = g.crc32_bin "
    "     AND c.file_size = g.file_size AND c.id <> g.id AND c.sha1_bin IS NOT NULL "
    "     AND c.matched_game_id IS NOT g.matched_game_id)))")


def _identify_again(db: Database) -> int:
    """Identify again, by the current rules, the games an earlier release's may have decided
    otherwise (see _IDENTIFY_AGAIN; QA17, QA18 M5: a match its own SHA1 contradicts stayed
    "identified by hash" through `scan --verify`); returns how many changed their match."""
    if not db.scalar("SELECT EXISTS (SELECT 1 FROM catalog_games)"):
        return 0
    before = {int(row[0]): (row[1], row[2]) for row in db.query(
        f"SELECT id, matched_game_id, match_method FROM games WHERE id IN ({_IDENTIFY_AGAIN})")}
    if not before:
        return 0
    identify(db, sorted(before))
    after = {int(row[0]): (row[1], row[2]) for row in db.query(
        "SELECT id, matched_game_id, match_method FROM games "
        "WHERE id IN (SELECT value FROM json_each(?))", (json.dumps(sorted(before)),))}
    return sum(1 for game_id, match in before.items() if after.get(game_id) != match)


def redecide_platforms(db: Database, index: PackIndex, rules: WalkRules) -> list[Replatformed]:
    """When the library was decided by earlier rules: decide again the platform of every
    stored game whose platform was not set by hand, settle it by its catalog match, and
    raise the library's rules version, in one transaction. Returns the games now of another
    platform (none, after one read, when the library is at the current version).

    A file the current walk does not take for a game (a cover) is left to the scan, which
    forgets its row. A decision that may hang on the file's first bytes (one an archive's
    member, or a file that is missing, cannot give) keeps the stored platform."""
    if rules_version(db) >= PLATFORM_RULES_VERSION:
        return []
    if _no_games(db):
        with db.bookkeeping():
            _raise_version(db, RULES_KEY, PLATFORM_RULES_VERSION)
        return []
    with db.atomic():
        before = {int(row[0]): str(row[1]) for row in db.query(
            "SELECT id, platform_id FROM games WHERE platform_source <> 'user'")}
        moved = _decide_again(db, index, rules)
        if db.scalar("SELECT EXISTS (SELECT 1 FROM catalog_games)"):
            # a new decision may match another catalog (by name too), and a file no catalog
            # of its folder's platform has may be another platform's (an earlier release
            # matched a game in its own platform's catalogs only): these are identified again
            unsettled = [int(row[0]) for row in db.query(
                "SELECT id FROM games WHERE platform_source <> 'user' "
                "AND (matched_game_id IS NULL OR match_method = 'name')")]
            identify(db, sorted(set(unsettled) | moved))
        paths = {int(row[0]): (str(row[1]), str(row[2])) for row in db.query(
            "SELECT id, filepath, platform_id FROM games WHERE platform_source <> 'user'")}
        changed = [Replatformed(game_id, path, before[game_id], platform)
                   for game_id, (path, platform) in paths.items()
                   if game_id in before and before[game_id] != platform]
        _raise_version(db, RULES_KEY, PLATFORM_RULES_VERSION)
    return sorted(changed, key=lambda item: (item.path, item.game_id))


class _Row(NamedTuple):
    id: int
    root_id: int
    filepath: str
    platform_id: str
    platform_source: str
    platform_candidates: str | None
    set_key: str | None
    is_archive: int
    is_missing: int


def _decide_again(db: Database, index: PackIndex, rules: WalkRules) -> set[int]:
    """Write the current rules' decision on every stored row not set by hand where it
    differs; returns the ids whose platform changed."""
    roots = {int(row[0]): Path(row[1]) for row in db.query("SELECT id, path FROM library_roots")}
    members: dict[int, list[str]] = {}
    for game_id, name in db.query(
            "SELECT f.game_id, f.name FROM game_files f JOIN games g ON g.id = f.game_id "
            "WHERE f.kind = 'member' AND g.is_archive = 1 AND g.platform_source <> 'user'"):
        members.setdefault(int(game_id), []).append(str(name))
    rows = [_Row(*row) for row in db.query(
        "SELECT id, root_id, filepath, platform_id, platform_source, platform_candidates, "
        "set_key, is_archive, is_missing FROM games WHERE platform_source <> 'user'")]
    moved: set[int] = set()
    updates: list[tuple[object, ...]] = []
    for row in rows:
        root = roots.get(row.root_id)
        folders, filename = folders_of(row.filepath, root.name if root is not None else "")
        if not _taken_for_game(filename, folders, rules):
            continue  # no longer a game: the walk finds it so, and the scan forgets it
        guess = _decision(index, folders, filename, members.get(row.id, ()), row, root)
        if guess is None:
            continue
        candidates = json.dumps(list(guess.candidates)) if guess.candidates else None
        if (guess.platform_id, guess.source, candidates) == (
                row.platform_id, row.platform_source, row.platform_candidates):
            continue
        set_key = row.set_key
        if set_key is not None and set_key.startswith(f"{row.platform_id}:"):
            set_key = guess.platform_id + set_key[len(row.platform_id):]
        updates.append((guess.platform_id, guess.source, candidates, set_key, row.id))
        if guess.platform_id != row.platform_id:
            moved.add(row.id)
    db.executemany("UPDATE games SET platform_id = ?, platform_source = ?, "
                   "platform_candidates = ?, set_key = ? WHERE id = ?", updates)
    return moved


def _decision(index: PackIndex, folders: list[str], filename: str, members: Iterable[str],
              row: _Row, root: Path | None) -> PlatformGuess | None:
    """The current rules' decision for a stored row, or None to keep the stored one (it
    may hang on a header that cannot be read). The file's first bytes are read only when
    the decision without them is not the stored one."""
    names = list(members)
    guess, _ = decide_platform(index, folders, filename, names)
    if (guess.platform_id, guess.source) == (row.platform_id, row.platform_source):
        return guess
    head = None
    if not row.is_archive and not row.is_missing and root is not None:
        head = _head(root, row.filepath)
    if head is not None:
        return decide_platform(index, folders, filename, names, head)[0]
    if guess.platform_id == UNKNOWN or row.platform_source == "header":
        return None  # its header may decide: left as the earlier scan read it
    return guess


def _head(root: Path, relpath: str) -> bytes | None:
    """The first bytes of a stored file, or None when it cannot be read."""
    try:
        with open(os_path(os.path.join(root, relpath)), "rb") as handle:
            return handle.read(_HEAD_BYTES)
    except OSError:
        return None


def _taken_for_game(name: str, folders: list[str], rules: WalkRules) -> bool:
    """True when the walk takes a file ``name`` in ``folders`` for a game (by its
    extension, or a media rule: a `.png` in `PICO-8/`)."""
    dot = name.rfind(".")
    if dot < 0:
        return False
    extension = name[dot:].lower()
    if extension in rules.extensions:
        return True
    rule = rules.media.get(extension)
    return rule is not None and is_media_game(name, extension, folders, rule)
