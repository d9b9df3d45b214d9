"""Identification: which catalog game each scanned file (or archive member, or disc) is.

Set-based passes, strongest first: SHA1, then MD5, then CRC32 + size, each on the full file
and on its header-less data, a weaker hash's match only where no stronger hash both sides know
disagrees; then archive members and disc tracks decide their container;
last, files with no hash match are matched by normalised name and flagged ``name``. A match
made by the user (``match_method = 'user'``) is never replaced.

A game identified (by a hash, or by hand) takes the tags of the catalog game it is: region,
languages, revision, version, flags, hack (``TAG_COLUMNS``), parsed from the catalog game's
name as a file's name is parsed, and — where its file name has no disc tag — its disc number
and multi-disc set (``DISC_COLUMNS``: renamed discs ``ff7_1.chd``, ``ff7_2.chd`` identified as
"Final Fantasy VII (USA) (Disc 1)" and "(Disc 2)" are one set, and the card gets its
playlist); a game guessed by its name, or
unmatched, has its file name's. Its title stays its file's. Only the games whose match
changed (or whose rows a scan just wrote) are parsed again, and only those whose tags differ
are written.

A zip member read from its archive's directory, or a plain file hashed CRC32 first (no
MD5/SHA1 yet: ``sha1_bin IS NULL``), is matched by its CRC32 + size only where exactly one
catalog game has them; its game is then "identified by CRC32 only" until ``scan --verify``
hashes its data. A CRC32 and size several catalog games list (and no stronger hash tells
apart) identifies none of them, except the one the file (or archive) is named as.
"""

from __future__ import annotations

import dataclasses
import functools
import json
import re
import sqlite3
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import PurePosixPath

from romrunner.catalog.datfile import DISK
from romrunner.library.containers import DISC_SHEET_EXTENSIONS
from romrunner.library.hashing import CrcRules
from romrunner.library.platforms import is_beside_a_rom, marked_sql
from romrunner.library.record import DISC_COLUMNS, TAG_COLUMNS, disc_set, tag_values
from romrunner.library.sets import split_merged_sets
from romrunner.library.summary import card_name, original_path
from romrunner.library.tags import ParsedName, parse_filename, parse_name, strip_extension
from romrunner.store.database import Database
from romrunner.textnorm import fold
from romrunner.words import counted


def _not_contradicted(prefix: str, *stronger: str) -> str:
    """A weaker hash's match holds only where no stronger hash both sides know differs (a
    file whose CRC32 and size a catalog game has but whose SHA1 is another's is not that
    game: a bad dump, or data made to collide); ``prefix``: ``nh_`` for header-less data."""
    return "".join(f" AND (r.{h}_bin IS NULL OR t.{prefix}{h}_bin IS NULL "
                   f"OR r.{h}_bin = t.{prefix}{h}_bin)" for h in stronger)


# Hashes are compared as stored (BLOBs, schema v1.3.0), column to column, so each pass
# probes the catalog's index.
_HASH_PASSES = (
    ("sha1", "r.sha1_bin = t.sha1_bin"),
    ("sha1", "r.sha1_bin = t.nh_sha1_bin"),
    ("md5", "r.md5_bin = t.md5_bin" + _not_contradicted("", "sha1")),
    ("md5", "r.md5_bin = t.nh_md5_bin" + _not_contradicted("nh_", "sha1")),
    ("crc32", "r.crc32_bin = t.crc32_bin AND r.size = t.file_size"
     + _not_contradicted("", "sha1", "md5")),
    ("crc32", "r.crc32_bin = t.nh_crc32_bin AND r.size = t.file_size - t.header_size"
     + _not_contradicted("nh_", "sha1", "md5")),
)


# A library's own .m3u, unmatched, is a playlist: no game to identify (its discs are), in
# none of the three counts below (migration 21) and counted apart, so that they add up.
_PLAYLIST = "format = 'm3u' AND matched_game_id IS NULL"
# How a match was made: by a hash of the data (or by hand: 'user'), or by the file name
# alone ('name', a guess: never counted as identified).
_COUNTS = ("SELECT coalesce(sum(match_method IN ('sha1', 'md5', 'crc32', 'tracks', 'user')), 0) "
           "AS identified, coalesce(sum(match_method = 'name'), 0) AS guessed, "
           "coalesce(sum(matched_game_id IS NULL AND format IS NOT 'm3u'), 0) AS unidentified, "
           f"coalesce(sum({_PLAYLIST}), 0) AS playlists FROM games ")


@dataclass(frozen=True)
class MatchCounts:
    """Games identified by a hash (or by hand), guessed by their name only, and neither; and
    the library's own playlists, in none of those (no game to identify)."""

    identified: int
    guessed: int
    unidentified: int
    playlists: int = 0

    def said(self) -> str:
        """The counts in words, as every command says them: ``3 identified by hash, 0 guessed
        by name, 2 unidentified``, then the playlists where there are any (``, 1 playlist``),
        so that they add up to the games."""
        return (f"{self.identified:,} identified by hash, {self.guessed:,} guessed by name, "
                f"{self.unidentified:,} unidentified{playlists_said(self.playlists)}")


def playlists_said(playlists: int) -> str:
    """The playlists counted apart from the identified, guessed and unidentified games, where
    there are any: ``, 1 playlist``; else nothing."""
    return f", {counted(playlists, 'playlist')}" if playlists else ""


IdentifyResult = MatchCounts  # what identify() reports for the games it was given


def match_counts(db: Database, *, root_id: int | None = None,
                 roots_only: bool = False, folder: str | None = None) -> MatchCounts:
    """How the present games of the library (or of one root; or of one ``folder`` of it, a
    path relative to it) are matched: one aggregate. ``roots_only``: not the games recorded
    before v1.1.0 under no root (a schema that has roots)."""
    sql = _COUNTS + "WHERE is_missing = 0" + (
        " AND root_id = ?" if root_id is not None
        else _UNDER_A_ROOT.format(t="games") if roots_only else "")
    params: tuple[object, ...] = (root_id,) if root_id is not None else ()
    if root_id is not None and folder is not None:  # (the range of paths under "folder/")
        sql += " AND filepath >= ? AND filepath < ?"
        params += (folder + "/", folder + "0")
    return _counts(db, sql, params)


# The games of the library's roots: not those a release before v1.1.0 recorded that no root
# adopted yet (QA141 F4: `db status` of a migrated database counted them unidentified and
# not verified, next to "0 games in 0 roots").
_UNDER_A_ROOT = " AND {t}.root_id NOT IN (SELECT id FROM library_roots WHERE path = '')"


def identified_among(db: Database, game_ids: Iterable[int]) -> set[int]:
    """Those of ``game_ids`` identified by a hash (or by hand) now."""
    ids = list(game_ids)
    if not ids:
        return set()
    return {int(row[0]) for row in db.query(
        "SELECT id FROM games WHERE id IN (SELECT value FROM json_each(?)) "
        f"AND match_method IN {_IDENTIFIED}", (json.dumps(ids),))}


def identified_as(db: Database, game_ids: Iterable[int]) -> dict[int, str]:
    """Those of ``game_ids`` identified by a hash (or by hand) now, and the catalog game
    each is."""
    ids = list(game_ids)
    if not ids:
        return {}
    return {int(row[0]): str(row[1]) for row in db.query(
        "SELECT id, matched_game_id FROM games WHERE id IN (SELECT value FROM json_each(?)) "
        f"AND match_method IN {_IDENTIFIED}", (json.dumps(ids),))}


def still_listed(db: Database, were: dict[int, str]) -> set[int]:
    """Of the games ``were`` names (id -> the catalog game it was), those whose SHA1 or MD5
    (the file's, header-less or not, or a member's or track's) that catalog game lists: a
    match such a game lost is not one its full hashes contradict (its platform, say, may
    have become one several platforms' catalogs share)."""
    if not were:
        return set()
    same = ("(r.sha1_bin IN (t.sha1_bin, t.nh_sha1_bin) "
            "OR r.md5_bin IN (t.md5_bin, t.nh_md5_bin))")
    return {int(row[0]) for row in db.query(
        "WITH w AS (SELECT json_extract(value, '$[0]') AS id, "
        "json_extract(value, '$[1]') AS game FROM json_each(?)) "
        "SELECT DISTINCT w.id FROM w JOIN catalog_games cg ON cg.game_id = w.game "
        "JOIN catalog_roms r ON r.catalog_game_id = cg.id "
        f"WHERE EXISTS (SELECT 1 FROM games t WHERE t.id = w.id AND {same}) "
        f"OR EXISTS (SELECT 1 FROM game_files t WHERE t.game_id = w.id AND {same})",
        (json.dumps(sorted(were.items())),))}


def count_guessed(db: Database, root_id: int) -> int:
    """Present games of a root matched by name only (an index count, not a table scan)."""
    return int(db.scalar("SELECT count(*) FROM games WHERE root_id = ? "
                         "AND match_method = 'name' AND is_missing = 0", (root_id,)))


def count_playlists(db: Database, root_id: int) -> int:
    """Present .m3u playlists of a root, unmatched: never counted as unidentified games (an
    index count)."""
    return int(db.scalar(f"SELECT count(*) FROM games WHERE root_id = ? AND {_PLAYLIST} "
                         "AND is_missing = 0", (root_id,)))


def _counts(db: Database, sql: str, params: tuple[object, ...]) -> MatchCounts:
    row = db.query_one(sql, params)
    assert row is not None  # an aggregate always returns a row
    return MatchCounts(int(row["identified"]), int(row["guessed"]), int(row["unidentified"]),
                       int(row["playlists"]))


def identify(db: Database, game_ids: list[int] | None = None, *,
             file_tags: bool = False) -> MatchCounts:
    """(Re)identify the given games, or the whole library when ``game_ids`` is None; returns
    how the games in scope are now matched. Their tags follow their match (see above).

    ``file_tags``: the given games' rows were just written with their file names' tags (a
    scan's writer), whatever match they had."""
    with db.atomic():
        db.execute("CREATE TEMP TABLE IF NOT EXISTS identify_scope (id INTEGER PRIMARY KEY)")
        db.execute("DELETE FROM temp.identify_scope")
        if game_ids is None:
            db.execute("INSERT INTO temp.identify_scope SELECT id FROM games")
        else:
            db.executemany("INSERT OR IGNORE INTO temp.identify_scope VALUES (?)",
                           ((game_id,) for game_id in game_ids))
        _remember_tag_sources(db, file_tags)
        _reset(db)
        if db.scalar("SELECT EXISTS (SELECT 1 FROM catalog_games)"):  # no DAT: no match
            _match_by_hashes(db)
            _match_by_name(db)
        _retag_changed(db)
        split_merged_sets(db, game_ids)  # (after the keys written above: library/sets.py)
        _describe_matches(db)
        counts = _counts(db, _COUNTS + "WHERE id IN (SELECT id FROM temp.identify_scope)", ())
        db.execute("DELETE FROM temp.identify_scope")
    return counts


@dataclass(frozen=True)
class PlatformMove:
    """A game the identification filed under another platform (a catalog's match settled
    it): its id, path in its root, and platforms before and after."""

    game_id: int
    filepath: str
    before: str
    after: str


def identify_noting_moves(db: Database, game_ids: list[int] | None = None
                          ) -> tuple[MatchCounts, list[PlatformMove]]:
    """:func:`identify` the whole library (or ``game_ids``), and the games it filed under
    another platform (QA22 C3: after a `dat import` a game went to the card again under its
    new platform's folder, and nothing had said it moved; QA38 F4: `dat rm` likewise)."""
    with noting_moves(db) as moves:
        counts = identify(db) if game_ids is None else identify(db, game_ids)
    return counts, moves


@contextmanager
def noting_moves(db: Database) -> Iterator[list[PlatformMove]]:
    """Note the games whose platform the block changes (a temporary trigger): the list
    given is filled as the block ends with those under another platform than before it."""
    db.execute("CREATE TEMP TABLE IF NOT EXISTS identify_moves "
               "(id INTEGER PRIMARY KEY, before TEXT NOT NULL)")
    db.execute("DELETE FROM temp.identify_moves")
    db.execute("CREATE TEMP TRIGGER IF NOT EXISTS identify_note_moves "
               "AFTER UPDATE OF platform_id ON main.games "
               "WHEN old.platform_id IS NOT new.platform_id BEGIN "
               "INSERT OR IGNORE INTO identify_moves VALUES (old.id, old.platform_id); END")
    moves: list[PlatformMove] = []
    try:
        yield moves
    finally:
        db.execute("DROP TRIGGER IF EXISTS temp.identify_note_moves")
    moves.extend(PlatformMove(int(row[0]), original_path(str(row[1])), str(row[2]), str(row[3]))
                 for row in db.query("SELECT m.id, g.filepath, m.before, g.platform_id "
                                     "FROM temp.identify_moves m JOIN games g ON g.id = m.id "
                                     "WHERE g.platform_id <> m.before ORDER BY m.id"))
    db.execute("DELETE FROM temp.identify_moves")


# A catalog ROM of the sources ``:sources`` has the data of ``t`` (a game, or a member or
# track of one) by one of the hash passes' conditions: one EXISTS each, so each probes its
# hash's index.
_LISTED = " OR ".join(
    "EXISTS (SELECT 1 FROM catalog_roms r WHERE " + condition + " AND r.catalog_game_id IN "
    "(SELECT id FROM catalog_games WHERE source_id IN (SELECT value FROM json_each(:sources))))"
    for condition in dict.fromkeys(condition for _, condition in _HASH_PASSES))


def games_listed_by(db: Database, source_ids: Iterable[int], game_ids: Iterable[int]
                    ) -> set[int]:
    """Those of ``game_ids`` whose data (the file's, or a member's or track's) a ROM of the
    catalogs ``source_ids`` lists, by any hash a pass compares (a catalog imported or removed
    may change their match, and the platform a match settled)."""
    sources, ids = json.dumps(sorted(set(source_ids))), json.dumps(sorted(set(game_ids)))
    if sources == "[]" or ids == "[]":
        return set()
    return {int(row[0]) for row in db.query(
        f"SELECT t.id FROM games t WHERE t.id IN (SELECT value FROM json_each(:ids)) "
        f"AND ({_LISTED}) UNION SELECT t.game_id FROM game_files t "
        f"WHERE t.game_id IN (SELECT value FROM json_each(:ids)) AND ({_LISTED})",
        {"sources": sources, "ids": ids})}


# Where a game's tags come from: the catalog game it is identified as, else (NULL) its file
# name. The version of this rule: a library whose stored tags an earlier rule decided (every
# game its file name's, before 2) is retagged once by its next scan (library/redecide.py).
# Changing what decides a game's stored tags (this, or the parsing in library/tags.py) means
# bumping it.
# (3: an identified disc's number and set are its catalog game's too; 4: a set's key holds
# its edition, so every disc's set is keyed again; 5: a merged arcade set is its parent, and
# a weaker hash's match holds only where no stronger hash disagrees, so the archives of
# several members no hash identified, and the games matched by a weaker hash than one they
# have stored, are identified again; 6: a disc's own name after its disc tag,
# "(Disc 2) (Claire-hen)", is no edition, so every disc's set is keyed again; 7: the name
# fallback knows the catalogs' ROM names, so the games no catalog matched are tried again;
# 8: a CRC32 and size several catalog games list identifies none of them, whatever hash the
# file has that no DAT lists, so the games matched by CRC32 with a SHA1 or MD5 are
# identified again; 9: No-Intro's "(Auto Demo)", "(Tech Demo)", "(Trade Demo)", "(Possible
# Proto)" and "(Debug)" are flags, so the games with such names are tagged again; 10:
# "(De)", "(Fr)", "(Es)", "(It)" are languages, not Germany, France, Spain, Italy; 11: a
# language of one country, "(Pt-BR)", "(En-US,En-GB)", and TOSEC's lower-case "(en)"; 12: a
# zip of one ROM with notes or covers beside it is that ROM's game, so the archives of
# several members no hash identified are identified again; 13: a disc named after the
# title or tags, "Game - Disc 2", "Game (USA) - CD2", "Game_Disc2", "Game [Disc 2]", is a
# disc of its set; 14: Redump's "(Taikenban)", "(Trial Edition)", "(Playable Game Preview)",
# "(Demo Movie)" are demos, GoodTools' "(JU)", "(UE)", "(JUE)" regions; 15: GoodNES' "(PRG0)",
# "(PRG1)" revisions; 16: an identified game has the flags its catalog game's one ROM name
# adds, "(Unl)", "(Aftermarket)", which some DATs write there only; 17: Redump's in-store and
# sampler discs, "(Tentou …)", "(Test Drive Disc)", "(… Sampler CD)", are demos, and
# "(Austria)", "(Ireland)", "(Belgium, Netherlands)", "(Israel)", "(Peru)"… regions; 18: a
# Sega serial, "[T-4507G]", is no translation; 19: a disc tag "[Disc 1 of 2]" is no tag that
# tells one dump of a set from another, so such sets are split again, and a disc's label
# naming an edition its title names already, "Complete Box (Disc 1) (… Complete Box)", is no
# other edition; 20: a fan translation's language, "[T+Eng]", is one of its languages; 21:
# an arcade set whose every ROM other sets share is a set of its candidate platforms (a
# neogeo.zip in `fbneo/`), and one with a ROM of other data under its name is that set
# lacking it (QA133 F1, F4): the archives an earlier release left unidentified or guessed
# are identified again; 22: GoodTools' other country codes, "(F)", "(G)", "(NL)", "(Sw)"…, are
# the regions of a name that names none otherwise, and its "(PD)" a homebrew release; 23: an
# archive whose sets the catalogs of several platforms list alike, by name (MAME's and
# FBNeo's, in `neogeo/`), is identified as one catalog alone would, so the archives left
# unidentified are identified again; 24: TOSEC's sides of a disk, "(Side A)", "(Side B)",
# "(Disk 1 of 2 Side A)", are discs of one set, not versions of one game; 25: a set mixing
# sided and unsided disks is numbered by its discs' places, "(Disk 2 of 2)" after disk 1's
# two sides disc 3, not a second disc 2; and TOSEC's tapes, "(Tape 1 of 2 Side A)", "(Tape
# 2 of 2)", are tapes of one set.)
TAG_RULES_VERSION = 25
_IDENTIFIED = "('sha1', 'md5', 'crc32', 'tracks', 'user')"
_TAG_SOURCE = f"CASE WHEN g.match_method IN {_IDENTIFIED} THEN g.matched_game_id END"
_TAGGED = (*TAG_COLUMNS, *DISC_COLUMNS)
# The ROM names the catalogs give the matched game that add tags to its name: No-Intro's
# write "(Unl)", "(Aftermarket)" there only (game "Zany Golf (USA)", ROM "Zany Golf (USA)
# (Unl).md": QA68 F4; NES games list a .nes and a .unh ROM so named: review 33 R3). NULL
# for none (the common case: no parse).
_LONGER_ROM_NAME = ("substr(r.name, 1, length(c.name) + 2) = c.name || ' ('")
_ROM_NAMES = ("(SELECT nullif(json_group_array(DISTINCT r.name), '[]') FROM catalog_games c "
              "JOIN catalog_roms r ON r.catalog_game_id = c.id "
              f"WHERE c.game_id = g.matched_game_id AND {_LONGER_ROM_NAME})")
_TAG_ROWS = (f"SELECT g.id, g.filename, g.platform_id, {_TAG_SOURCE} AS source, "
             f"CASE WHEN ({_TAG_SOURCE}) IS NOT NULL THEN {_ROM_NAMES} END AS rom_names, "
             f"{', '.join('g.' + column for column in _TAGGED)} FROM games g ")
_SET_TAGS = (f"UPDATE games SET {', '.join(column + ' = ?' for column in _TAGGED)} "
             "WHERE id = ?")


def _remember_tag_sources(db: Database, file_tags: bool) -> None:
    """Note where the tags of the games in scope come from before they are identified
    again: their catalog game's for the identified ones (none when the rows hold their file
    names' tags, ``file_tags``)."""
    db.execute("CREATE TEMP TABLE IF NOT EXISTS identify_tags "
               "(id INTEGER PRIMARY KEY, source TEXT NOT NULL)")
    db.execute("DELETE FROM temp.identify_tags")
    if not file_tags:
        db.execute("INSERT INTO temp.identify_tags SELECT id, matched_game_id FROM games "
                   f"WHERE id IN (SELECT id FROM temp.identify_scope) "
                   f"AND match_method IN {_IDENTIFIED} AND matched_game_id IS NOT NULL")


# A matched game's catalog title where its DAT describes it otherwise than by its name (an
# arcade set: `pacman` is "PuckMan (Japan set 1)"); NULL where the DATs do not, or unmatched.
_DESCRIPTION = ("(SELECT cg.description FROM catalog_games cg WHERE cg.game_id = "
                "g.matched_game_id AND cg.description <> cg.name ORDER BY cg.id LIMIT 1)")


def _describe_matches(db: Database) -> None:
    """Keep ``catalog_name`` (see _DESCRIPTION) of the games in scope with their match."""
    db.execute(
        "UPDATE games AS t SET catalog_name = d.description "
        f"FROM (SELECT g.id, {_DESCRIPTION} AS description FROM games g "
        "      WHERE g.id IN (SELECT id FROM temp.identify_scope) "
        "      AND (g.matched_game_id IS NOT NULL OR g.catalog_name IS NOT NULL)) AS d "
        "WHERE t.id = d.id AND t.catalog_name IS NOT d.description")


def _retag_changed(db: Database) -> None:
    """Retag the games in scope whose tags' source the identification changed. A game whose
    row holds its file name's tags (it had no catalog source before, or ``file_tags``: a
    scan just wrote it) and whose file is named as its catalog game is (``Name (USA).sfc``
    for ``snes:Name (USA)``: a well-named library's, almost every one) has them already: it
    is not even read — a first `dat import` over a large library parses no name of it."""
    rows = db.query(_TAG_ROWS + "LEFT JOIN temp.identify_tags b ON b.id = g.id "
                    "WHERE g.id IN (SELECT id FROM temp.identify_scope) "
                    f"AND ({_TAG_SOURCE}) IS NOT b.source "
                    f"AND NOT (b.source IS NULL AND coalesce({_NAMED_AS_SOURCE}, 0))")
    _write_tags(db, rows)
    db.execute("DELETE FROM temp.identify_tags")


# The file name is its catalog game's name and an extension, as library/tags.py's
# strip_extension takes one off (after the last dot, 1 to 5 characters: ``format``, the
# extension's lowercase, has its length): the same tags. Read from the stored path, not
# ``filename`` (a generated column: each reading costs as much as the rest of the test).
_NAME = "substr(g.matched_game_id, instr(g.matched_game_id, ':') + 1)"  # the catalog name
_NAME_DOT_EXT = f"(length({_NAME}) + length(g.format) + 1)"  # its length with an extension
_NAMED_AS_SOURCE = (
    # (and its catalog game's ROM names no more tags: see _ROM_NAME)
    "(NOT EXISTS (SELECT 1 FROM catalog_games c JOIN catalog_roms r "
    f" ON r.catalog_game_id = c.id WHERE c.game_id = g.matched_game_id AND {_LONGER_ROM_NAME}) "
    f"AND length(g.format) <= 5 AND instr({_NAME}, '/') = 0 "
    f"AND substr(g.filepath, -{_NAME_DOT_EXT}, length({_NAME}) + 1) = {_NAME} || '.' "
    f"AND (length(g.filepath) = {_NAME_DOT_EXT} "
    f"OR substr(g.filepath, -{_NAME_DOT_EXT} - 1, 1) = '/'))")
_NOT_NAMED_AS_SOURCE = f" AND NOT coalesce({_NAMED_AS_SOURCE}, 0)"  # (no match, no format)


def retag(db: Database, game_ids: list[int] | None = None, *,
          file_tags: bool = False) -> int:
    """Give the given games (every identified game, when None) the tags their match says;
    returns how many were rewritten. ``file_tags``: they hold their file names' tags (as an
    earlier release stored every game), so those named as their catalog game are left."""
    named = _NOT_NAMED_AS_SOURCE if file_tags else ""
    if game_ids is None:
        rows = db.query(_TAG_ROWS + f"WHERE g.match_method IN {_IDENTIFIED}{named}")
    else:
        rows = db.query(_TAG_ROWS + f"WHERE g.id IN (SELECT value FROM json_each(?)){named}",
                        (json.dumps(game_ids),))
    return _write_tags(db, rows)


def retag_named(db: Database, patterns: Iterable[str]) -> int:
    """Give the games whose file name, or catalog game's name, is LIKE one of ``patterns``
    the tags their source says (a tag rule that reads those words anew: an unidentified
    game's tags are its file name's, which a rescan does not parse again); returns how many
    were rewritten."""
    likes = list(patterns)
    if not likes:
        return 0
    where = " OR ".join("g.filename LIKE ? OR g.matched_game_id LIKE ?" for _ in likes)
    return _write_tags(db, db.query(_TAG_ROWS + f"WHERE {where}",
                                    [like for like in likes for _ in (0, 1)]))


def rekey_sets(db: Database) -> int:
    """Give every disc of a multi-disc set the disc number and set its tags' source says
    (its catalog game's, or its file name's), with the other tags; returns how many rows
    were rewritten (read through the set index: discs only)."""
    return _write_tags(db, db.query(_TAG_ROWS + "WHERE g.set_key IS NOT NULL"))


def _write_tags(db: Database, rows: Iterable[sqlite3.Row]) -> int:
    """Write the tags each row's source says where they differ from the stored ones."""
    updates: list[tuple[object, ...]] = []
    for game_id, filename, platform_id, source, rom_names, *stored in rows:
        if source is None:
            wanted = _name_tags(str(platform_id), parse_filename(str(filename)))
        else:
            wanted = _catalog_tags(str(platform_id), str(source).partition(":")[2],
                                   tuple(sorted(json.loads(rom_names))) if rom_names else ())
            if _MAY_NAME_A_DISC.search(str(filename)):
                own = _name_tags(str(platform_id), parse_filename(str(filename)))
                if own[-2] is not None:  # the file names its disc: its own set's key
                    wanted = (*wanted[:-2], *own[-2:])
        if wanted != tuple(stored):
            updates.append((*wanted, game_id))
    db.executemany(_SET_TAGS, updates)
    return len(updates)


# A disc's number and set are its file name's where the name has a disc tag: the other discs
# of its set (a disc the catalog lacks, an unidentified one) are keyed by their names too, and
# the catalog's spelling of the title or region would split the set (review: "Final Fantasy
# 7 (USA) (Disc 1..3)", the DAT listing discs 1 and 3). A renamed disc (`ff7_2.chd`) takes
# its catalog game's. The test before parsing: a name without this has no disc tag.
_MAY_NAME_A_DISC = re.compile(r"disc|disk|cd|side|tape", re.IGNORECASE)  # (sieve: tags.py)


def _name_tags(platform_id: str, parsed: ParsedName) -> tuple[object, ...]:
    """The stored values of ``_TAGGED`` for a game of ``platform_id`` whose name parsed as
    ``parsed``."""
    return (*tag_values(parsed), *disc_set(platform_id, parsed, fold(parsed.title) or ""))


@functools.lru_cache(maxsize=32768)
def _catalog_tags(platform_id: str, name: str, rom_names: tuple[str, ...] = ()
                  ) -> tuple[object, ...]:
    """The stored tags of a catalog game's name, with the flags its ROMs' names add
    (``rom_names``: "Zany Golf (USA) (Unl).md" for "Zany Golf (USA)"), parsed once per
    process (copies of a game, and each identification of a long-lived process, meet a name
    again)."""
    parsed = parse_name(name)
    more = [flag for rom_name in rom_names if rom_name.startswith(f"{name} (")
            for flag in parse_filename(rom_name).flags if flag not in parsed.flags]
    if more:
        parsed = dataclasses.replace(parsed, flags=tuple(dict.fromkeys((*parsed.flags,
                                                                        *more))))
    return _name_tags(platform_id, parsed)


# Passes that cannot match anything in scope are skipped: each costs a probe per game of the
# scope, and a batch of a first scan rarely has headers or archive members in every part.
_ANY_HEADER = ("SELECT EXISTS (SELECT 1 FROM games WHERE id IN "
               "(SELECT id FROM temp.identify_scope) AND header_size > 0)")
_ANY_MEMBER = ("SELECT EXISTS (SELECT 1 FROM game_files WHERE game_id IN "
               "(SELECT id FROM temp.identify_scope) AND kind IN ('member', 'track'))")


def _match_by_hashes(db: Database) -> None:
    """The hash passes over the games in scope and their members, then the members'
    verdict on their container."""
    headers = bool(db.scalar(_ANY_HEADER))
    members = bool(db.scalar(_ANY_MEMBER))
    listed = _hashes_the_catalog_lists(db)
    for method, condition in _HASH_PASSES:
        headerless = "t.nh_" in condition
        if method not in listed:
            continue
        if headers or not headerless:
            _match_games(db, method, condition)
        if members:
            _match_members(db, method, condition)
    if "sha1" in listed and db.scalar(_ANY_CHD):
        _match_chds(db)
    if members:
        _decide_archives_by_sets(db)
        _decide_merged_sets(db)
        _decide_by_members(db)
        _decide_by_the_rom_beside_notes(db)
        _unmatch_discs_with_foreign_tracks(db)


_ANY_CHD = ("SELECT EXISTS (SELECT 1 FROM game_files WHERE game_id IN "
            "(SELECT id FROM temp.identify_scope) AND kind = 'chd')")
# Each catalog game a CHD in scope may be, by the SHA1 its header records (a DAT lists it in
# the set's <disk>): the CHD's path, the catalog game and whether it is a clone.
_CHD_CANDIDATES = (
    "SELECT t.id, t.filepath, f.id AS file, cg.game_id, cg.platform_id, cg.name, "
    "cg.clone_of IS NOT NULL AS clone FROM games t "
    "JOIN game_files f ON f.game_id = t.id AND f.kind = 'chd' "
    "JOIN catalog_roms r ON r.sha1_bin = f.sha1_bin "
    "JOIN catalog_games cg ON cg.id = r.catalog_game_id "
    "WHERE t.id IN (SELECT id FROM temp.identify_scope) AND t.matched_game_id IS NULL "
    "AND {rule} ORDER BY t.id, r.rowid")


def _match_chds(db: Database) -> None:
    """A CHD is the set whose ``<disk>`` has the SHA1 its header records (QA59 F8: CHDs were
    guessed by name only). Of the sets sharing one disk (a clone's disk merged with its
    parent's) it is the one its folder is named after (MAME's ``set/disk.chd``), else the
    parent."""
    rule = _platform_rule("t", "r.sha1_bin = f.sha1_bin")
    best: dict[int, tuple[tuple[bool, bool], sqlite3.Row]] = {}
    for row in db.query(_CHD_CANDIDATES.format(rule=rule)):
        folder = PurePosixPath(str(row["filepath"])).parent.name
        rank = (folder != row["name"], bool(row["clone"]))
        if row["id"] not in best or rank < best[row["id"]][0]:
            best[row["id"]] = (rank, row)
    chosen = [row for _, row in best.values()]
    db.executemany("UPDATE games SET matched_game_id = :game, match_method = 'sha1', "
                   + _SETTLE_PLATFORM.format(t="games", p=":platform") + " WHERE id = :id",
                   [{"game": row["game_id"], "platform": row["platform_id"], "id": row["id"]}
                    for row in chosen])
    db.executemany("UPDATE game_files SET matched_game_id = ?, match_method = 'sha1' "
                   "WHERE id = ?", [(row["game_id"], row["file"]) for row in chosen])


def _hashes_the_catalog_lists(db: Database) -> set[str]:
    """The hashes some catalog ROM has (an index probe each). A pass by a hash no DAT lists
    matches nothing, and costs the most: with CRC-only DATs the planner, told by ANALYZE that
    the SHA1 index holds one value (NULL), scanned every catalog ROM for each member and
    catalog game (QA22 C0: a `dat import` on a 17-game library ran for minutes)."""
    return {"crc32"} | {hash_ for hash_ in ("sha1", "md5") if db.scalar(
        f"SELECT EXISTS (SELECT 1 FROM catalog_roms WHERE {hash_}_bin IS NOT NULL)")}


def _unmatch_discs_with_foreign_tracks(db: Database) -> None:
    """A disc whose sheet's hash names a catalog game (Redump lists the .cue) but one of
    whose tracks that game does not have (a bad dump, a track from another release) is not
    identified: the sheet alone would vouch for data it does not hold. It is left to the
    name pass, so it shows as a guess, and `games show` says which track has no match.

    A track is the game's when one of its ROMs has the track's data by the strongest hash
    both know (a DAT may list CRC32 and MD5 only; a track may be known by its CRC32 only).
    The platform the sheet's match gave an `unknown` game is kept: the sheet did match."""
    db.execute(
        "UPDATE games AS g SET matched_game_id = NULL, match_method = NULL "
        "WHERE g.id IN (SELECT id FROM temp.identify_scope) AND g.is_archive = 0 "
        "AND g.match_method IN ('sha1', 'md5', 'crc32') "
        "AND EXISTS (SELECT 1 FROM game_files f WHERE f.game_id = g.id AND f.kind = 'track' "
        "  AND NOT EXISTS (SELECT 1 FROM catalog_games cg "
        "    JOIN catalog_roms r ON r.catalog_game_id = cg.id "
        "    WHERE cg.game_id = g.matched_game_id AND CASE "
        "      WHEN r.sha1_bin IS NOT NULL AND f.sha1_bin IS NOT NULL "
        "        THEN r.sha1_bin = f.sha1_bin "
        "      WHEN r.md5_bin IS NOT NULL AND f.md5_bin IS NOT NULL THEN r.md5_bin = f.md5_bin "
        "      ELSE r.crc32_bin = f.crc32_bin AND r.size = f.file_size END))")


def _reset(db: Database) -> None:
    db.execute("UPDATE games SET matched_game_id = NULL, match_method = NULL "
               "WHERE id IN (SELECT id FROM temp.identify_scope) "
               "AND coalesce(match_method, '') <> 'user' "
               "AND matched_game_id IS NOT NULL")
    db.execute("UPDATE game_files SET matched_game_id = NULL, match_method = NULL "
               "WHERE game_id IN (SELECT id FROM temp.identify_scope)")


# A match settles the platform of a game whose platform was not set by hand: an undecided
# one, or one the folder name, extension or header gave (an SNES game in `NES/` is an SNES
# game), then ``platform_source = 'catalog'``. A multi-disc set's key follows its platform.
_SETTLE_PLATFORM = (
    "platform_source = CASE WHEN {t}.platform_id <> {p} THEN 'catalog' "
    "ELSE {t}.platform_source END, platform_id = {p}, "
    "set_key = CASE WHEN {t}.set_key IS NOT NULL AND {t}.platform_id <> {p} "
    "THEN {p} || substr({t}.set_key, length({t}.platform_id) + 1) ELSE {t}.set_key END")


def _match_games(db: Database, method: str, condition: str) -> None:
    """One hash pass over the games in scope. A game matches a catalog game of its own
    platform; an undecided one, any; one whose platform the scan decided (not set by hand),
    a catalog game of another platform when no other platform's catalog has that data (so
    a hash several platforms' DATs list never moves a game)."""
    db.execute(
        "UPDATE games AS t SET matched_game_id = cg.game_id, match_method = ?, "
        + _SETTLE_PLATFORM.format(t="t", p="cg.platform_id") + " "
        "FROM catalog_roms r JOIN catalog_games cg ON cg.id = r.catalog_game_id "
        f"WHERE {condition} AND t.matched_game_id IS NULL "
        "AND t.id IN (SELECT id FROM temp.identify_scope) "
        f"AND {_platform_rule('t', condition)}{_one_game_if_crc(method, condition)}"
        f"{_no_disproved_copy(method)}",
        (method,))


def _platform_rule(game: str, condition: str, elsewhere: str | None = None) -> str:
    """Which catalog game (``cg``) a game (alias ``game``) may match by ``condition``: one of
    its own platform; for one whose platform the scan decided, another platform's when no
    other platform's catalog has that data (a hash several platforms' DATs list never moves
    a game); for an undecided one, one of its candidate platforms, else any platform's when
    no other platform's catalog has the data (QA14: a `.gb` in `Misc/`, gb or gbc, became a
    GBA game when a GBA DAT had its data too, by the order the DATs came in). ``elsewhere``:
    the test "no other platform's catalog has the data", where the caller worked it out once
    per distinct data (see :func:`_listed_by_one_platform`)."""
    if elsewhere is None:
        elsewhere = (f"NOT EXISTS (SELECT 1 FROM catalog_roms r2 JOIN catalog_games cg2 "
                     f"ON cg2.id = r2.catalog_game_id WHERE {condition.replace('r.', 'r2.')} "
                     "AND cg2.platform_id <> cg.platform_id)")
    return (f"({game}.platform_id = cg.platform_id "
            f"OR ({game}.platform_id = 'unknown' AND (cg.platform_id IN (SELECT value FROM "
            f"json_each(coalesce({game}.platform_candidates, '[]'))) OR {elsewhere})) "
            f"OR ({game}.platform_id <> 'unknown' AND {game}.platform_source <> 'user' "
            f"AND {elsewhere}))")


def _one_game_if_crc(method: str, condition: str) -> str:
    """A match by CRC32 and size holds only where one catalog game has that CRC32 and size
    (and no stronger hash both sides know says otherwise): a file known by its CRC32 only (no
    SHA1 yet: see CrcRules), or one whose SHA1 and MD5 no DAT lists (CRC-only DATs), whose
    CRC32 and size two catalog games list is neither of them by its data — it was one of them
    by the order of an UPDATE. The one of them it is named as is it (_match_data_by_name);
    else the name pass may still guess it."""
    return f" AND NOT {_another_game_has(condition)}" if method == "crc32" else ""


def _no_disproved_copy(method: str) -> str:
    """For a CRC32 pass: a game known by its CRC32 only (a plain scan hashes no more of a
    file one catalog game has the CRC32 and size of) matches no catalog ROM (``r``) whose
    MD5 or SHA1 another stored file of the same CRC32 and size has been proved not to have
    (``scan --verify`` read it whole): the same CRC32 and size are no proof of the same data,
    but a copy of a file shown not to be that dump is not taken for it (QA round 37: ``cp
    a.md b.md`` made the copy the catalog game, the verified original unknown). The copy
    stays unidentified and unverified (the scan says so); ``scan --verify`` hashes it and
    its MD5/SHA1 decide."""
    if method != "crc32":
        return ""
    differs = " OR ".join(f"(c.{h}_bin IS NOT NULL AND r.{h}_bin IS NOT NULL "
                          f"AND c.{h}_bin <> r.{h}_bin)" for h in ("sha1", "md5"))
    return (" AND (t.sha1_bin IS NOT NULL OR t.md5_bin IS NOT NULL OR NOT EXISTS ("
            "SELECT 1 FROM games c WHERE c.crc32_bin = t.crc32_bin "
            f"AND c.file_size = t.file_size AND c.id <> t.id AND ({differs})))")


def _another_game_has(condition: str) -> str:
    """Another catalog game than ``cg`` has the data ``condition`` matched in ``r``."""
    return ("EXISTS (SELECT 1 FROM catalog_roms r2 JOIN catalog_games cg2 "
            f"ON cg2.id = r2.catalog_game_id WHERE {condition.replace('r.', 'r2.')} "
            "AND cg2.game_id <> cg.game_id)")


# The name of the archive ``g`` lower-cased without its `.zip` or `.7z` (NULL for another
# file): ``lower(cg.name)`` of the catalog game named as it (``pgame.zip``), which of the
# sets that list a member's data is the archive's (QA59 F6: a parent's zip holding only a
# ROM another set shares was taken for that set).
_ARCHIVE_STEM = ("CASE WHEN lower(g.filename) GLOB '*.zip' THEN substr(lower(g.filename), 1, "
                 "length(g.filename) - 4) WHEN lower(g.filename) GLOB '*.7z' THEN "
                 "substr(lower(g.filename), 1, length(g.filename) - 3) END")


def _match_members(db: Database, method: str, condition: str) -> None:
    """One hash pass over the members and tracks of the games in scope, by the rule of
    :func:`_match_games` with their container's platform (QA13: a GB zip whose member a GBA
    DAT also lists became a GBA game, where the same file unzipped stays GB)."""
    # One catalog game that may have the file, per file (not a join of every file to every
    # catalog ROM of its data: a ROM K sets share made each pass K x K rows, QA45 F5): the
    # one the join's UPDATE took, its last row — the catalog ROM stored last (review 22 R1:
    # the first made a one-ROM clone's zip its parent), and a file no rule lets match keeps
    # none.
    # (``x`` materialized: flattened into the UPDATE, each member's lookup ran twice, once
    # for its test and once for its value — bench 139, 10.3 s -> 5.1 s for 2,000 sets that
    # hold a BIOS set's ROMs, the same rows)
    scope = ("t.matched_game_id IS NULL AND t.kind IN ('member', 'track') "
             "AND t.game_id IN (SELECT id FROM temp.identify_scope) "
             f"AND EXISTS (SELECT 1 FROM catalog_roms r WHERE {condition})")
    shared, not_shared = _shared_by_games(method, condition, scope)
    several, listed_by_one = _listed_by_one_platform(condition, scope)
    rules = f"{condition} AND {_platform_rule('g', condition, listed_by_one)}" \
        f"{_one_game_if_crc(method, condition)}"
    # the set named as the archive, found by its name (schema 30's index), else the last
    # catalog ROM of the data (the index of the data walked backwards, stopped at the first
    # that passes): as one `ORDER BY` named first, which read every catalog ROM of the data
    # per member — a BIOS ROM N sets list, N² a pass (bench 139)
    db.execute(
        f"WITH {shared}{several}x AS MATERIALIZED ("
        # (CROSS JOIN: in this order, the set by its name, then its ROMs)
        "SELECT t.id, coalesce((SELECT cg.game_id FROM games g CROSS JOIN catalog_games cg "
        f"ON lower(cg.name) = {_ARCHIVE_STEM} CROSS JOIN catalog_roms r "
        f"ON r.catalog_game_id = cg.id WHERE g.id = t.game_id AND {rules} "
        "ORDER BY r.rowid DESC LIMIT 1), (SELECT cg.game_id FROM catalog_roms r "
        "JOIN catalog_games cg ON cg.id = r.catalog_game_id JOIN games g ON g.id = t.game_id "
        f"WHERE {rules} ORDER BY r.rowid DESC LIMIT 1)) AS game "
        f"FROM game_files t WHERE {scope}{not_shared}) "
        "UPDATE game_files AS u SET matched_game_id = x.game, match_method = ? FROM x "
        "WHERE u.id = x.id AND x.game IS NOT NULL", (method,))


# What a member's data is, for a match by CRC32 (the columns the passes' conditions read).
_DATA = ("crc32_bin", "file_size", "sha1_bin", "md5_bin", "nh_crc32_bin", "nh_sha1_bin",
         "nh_md5_bin", "header_size")


def _listed_by_one_platform(condition: str, scope: str) -> tuple[str, str]:
    """A CTE of the data of the members in ``scope`` that the catalogs of several platforms
    list (by ``condition``), each distinct data once, and the test that a member's data is
    none of it: whether another platform's catalog than a candidate's (``cg``) lists the
    data depends on the data only — on whether two platforms list it. Asked per candidate
    catalog ROM, a BIOS ROM two DATs list in every set running with it walked the same
    platform's rows for each of its thousands of rows: 12.5 s of identify at 10,000 sets in
    `neogeo/`, growing with their square (bench38)."""
    on_data = condition.replace("t.", "d.")
    return ((f"pd AS MATERIALIZED ({_distinct_data(scope)}), "
             "several AS MATERIALIZED (SELECT d.* FROM pd d WHERE (SELECT count(DISTINCT "
             "cg.platform_id) FROM catalog_roms r JOIN catalog_games cg "
             f"ON cg.id = r.catalog_game_id WHERE {on_data}) > 1), "),
            f"NOT EXISTS (SELECT 1 FROM several s WHERE {_SAME_DATA})")


def _distinct_data(scope: str) -> str:
    """The SELECT of each distinct data (``_DATA``) of the files ``t`` in ``scope``."""
    return f"SELECT DISTINCT {', '.join('t.' + c for c in _DATA)} FROM game_files t WHERE {scope}"


# A row ``s`` of distinct data (see _distinct_data) that is the file ``t``'s data.
_SAME_DATA = " AND ".join(["s.crc32_bin = t.crc32_bin", "s.file_size = t.file_size",
                           *(f"s.{column} IS t.{column}" for column in _DATA[2:])])


def _shared_by_games(method: str, condition: str, scope: str) -> tuple[str, str]:
    """For a CRC32 pass: CTEs of the data of the members in ``scope`` that several catalog
    games have (by ``condition``), each distinct data once, and the test that leaves out
    the members of such data — which no such pass matches (see _one_game_if_crc), but each
    of whose catalog ROMs it tried, each asking for another game: a BIOS ROM N sets list
    was N² a pass, 4.8 s of a 5.9 s first scan of 2,000 generated sets (bench 139). Else
    nothing."""
    if method != "crc32":
        return "", ""
    on_data = condition.replace("t.", "d.")
    return (f"d AS MATERIALIZED ({_distinct_data(scope)}), "
            "shared AS MATERIALIZED (SELECT d.* FROM d WHERE (SELECT count(DISTINCT "
            "cg.game_id) FROM catalog_roms r JOIN catalog_games cg "
            f"ON cg.id = r.catalog_game_id WHERE {on_data}) > 1), ",
            f" AND NOT EXISTS (SELECT 1 FROM shared s WHERE {_SAME_DATA})")


# The members of the archives in scope no pass decided, one member of which at least matched
# a catalog game on its own.
# (the archives with a matched member found once, not by a subquery per member row: a zip of
# N members cost N² reads, minutes at 16,000 — QA95 F2)
_ARCHIVES_WITH_A_MATCH = (
    "SELECT f.game_id, f.name, f.matched_game_id, f.match_method FROM game_files f "
    "JOIN games g ON g.id = f.game_id WHERE g.id IN (SELECT DISTINCT m.game_id FROM "
    "game_files m WHERE m.game_id IN (SELECT id FROM temp.identify_scope) "
    "AND m.kind = 'member' AND m.matched_game_id IS NOT NULL) "
    "AND g.is_archive = 1 AND g.matched_game_id IS NULL AND f.kind = 'member' "
    "ORDER BY f.game_id")


def _decide_by_the_rom_beside_notes(db: Database) -> None:
    """An archive of one ROM and notes, covers and the like (``Game.zip`` of the ROM and its
    ``.nfo``: see :func:`~romrunner.library.platforms.is_beside_a_rom`) is the game its ROM
    matched (QA33 F25: only "guessed by name", its ROM identified by SHA1)."""
    members: dict[int, list[tuple[str, object, object]]] = {}
    for game_id, name, matched, method in db.query(_ARCHIVES_WITH_A_MATCH):
        members.setdefault(int(game_id), []).append((str(name), matched, method))
    decided = []
    for game_id, rows in members.items():
        roms = [row for row in rows if not is_beside_a_rom(row[0])]
        if len(roms) == 1 and roms[0][1] is not None and len(rows) > 1:
            decided.append((game_id, str(roms[0][1]), str(roms[0][2])))
    _settle_archives(db, decided, members_too=False)


def _decide_by_members(db: Database) -> None:
    """An archive or disc whose matched members all name one game is that game: every
    member matched, or every ROM that game lists held by a member or track (a DAT listing a
    disc's data track alone, as libretro's PlayStation DAT does, QA154 F9: a disc with audio
    tracks was never identified). A sheet (``.cue``…) in an archive makes it a disc: its
    other members are tracks, and the sheet itself, which DATs may not list, is no member."""
    _settle_by_members(db, _DECIDED_BY_MEMBERS)


def sheet_name_sql(column: str) -> str:
    """SQL: true when the file name ``column`` has a disc sheet's extension."""
    return "(" + " OR ".join(f"lower({column}) GLOB '*.{ext}'"
                             for ext in sorted(DISC_SHEET_EXTENSIONS)) + ")"


# A catalog ROM (``x``) one can have in a set's zip: not ``nodump``, not the set's disk.
_DUMPED = f"coalesce(x.status, '') NOT IN ('nodump', '{DISK}')"

_DECIDED_BY_MEMBERS = (
    "SELECT game_id, game, method FROM (SELECT game_id, "
    "  min(matched_game_id) FILTER (WHERE NOT sheet) AS game, "
    "  min(match_method) FILTER (WHERE NOT sheet) AS method, "
    "  count(*) FILTER (WHERE NOT sheet) AS n, "
    "  count(matched_game_id) FILTER (WHERE NOT sheet) AS matched, "
    "  count(DISTINCT matched_game_id) FILTER (WHERE NOT sheet) AS games, "
    "  min(kind) AS lo, max(sheet) AS sheeted "
    f"  FROM (SELECT *, kind = 'member' AND {sheet_name_sql('name')} AS sheet FROM game_files "
    "        WHERE kind IN ('member', 'track') "
    "        AND game_id IN (SELECT id FROM temp.identify_scope)) "
    "  GROUP BY game_id) s "
    "WHERE s.games = 1 "
    # (an archive of several members: _decide_archives_by_sets, whose members may each have
    # matched another game of a family that shares them)
    "AND (s.n = 1 OR s.lo = 'track' OR s.sheeted) "
    "AND (s.matched = s.n OR NOT EXISTS (SELECT 1 FROM catalog_games cg "
    "     JOIN catalog_roms x ON x.catalog_game_id = cg.id WHERE cg.game_id = s.game "
    f"     AND {_DUMPED} AND NOT {sheet_name_sql('x.name')} "
    "     AND NOT EXISTS (SELECT 1 FROM game_files t WHERE t.game_id = s.game_id "
    "         AND t.kind IN ('member', 'track') AND (t.crc32_bin = x.crc32_bin "
    "         AND t.file_size = x.size OR t.sha1_bin = x.sha1_bin))))")


# The members of archive ``a`` no catalog lists that have the name of a ROM of set ``cg``: a
# bad dump of that ROM (another version's, a damaged one). An archive holding the rest of the
# set is that set, lacking them (QA133 F4: `frogger.zip` with one ROM's CRC wrong was
# guessed by its name, and never judged incomplete).
# (counted once per archive and candidate, in the CTE ``bad``: a subquery per group scanned
# the whole materialized ``every`` each time, quadratic in a first scan of a romset newer
# than its DAT — review 137 F1)
_BAD_ROMS = "max(coalesce(bad.n, 0))"
_BAD_CTE = ("bad AS MATERIALIZED (SELECT c.game_id, c.catalog_game_id, "
            "      count(DISTINCT e.id) AS n FROM c JOIN every e ON e.game_id = c.game_id "
            "      AND NOT e.listed JOIN catalog_roms y ON y.catalog_game_id = c.catalog_game_id "
            "      AND y.name = e.name AND y.crc32_bin IS NOT NULL GROUP BY 1, 2) ")


# A set's members need not each have matched on their own: one whose CRC32 and size several
# catalog games list matches none of them alone (a clone sharing its parent's ROM, QA20 M1;
# a parent every ROM of which one clone or another shares), yet the one catalog game with
# every member's CRC32 and size is the set. Every member has a CRC32; the set is of the
# platform its matched members are of, or of the archive's own; the method is the weakest
# hash used.
def _set_members(f: str = "") -> str:
    """The members of an archive (``f``: their table's alias and a dot) that can make a set."""
    return f"count({f}crc32_bin) = count(*)"


def _set_platforms(archive: str) -> str:
    """The platforms an archive (``archive``: its id) may be a set of: those its members
    matched in (their platform rules applied), and its own."""
    return ("(SELECT c.platform_id FROM game_files f "
            " JOIN catalog_games c ON c.game_id = f.matched_game_id "
            f" WHERE f.game_id = {archive} AND f.kind = 'member' "
            f" UNION SELECT platform_id FROM games WHERE id = {archive})")


def _set_method(f: str = "") -> str:
    """The weakest hash a set's members matched by ('crc32' < 'md5' < 'sha1')."""
    return (f"CASE WHEN count({f}match_method) = count(*) THEN min({f}match_method) "
            "ELSE 'crc32' END")


# An archive's members, each matched to some catalog game, and the catalog games that have
# every one of them (the same data: CRC32 + size, and SHA1 where both know it): an arcade set
# (MAME, FBNeo) whose ROMs its parent and clones share has its members matched to one game or
# another of the family, so no single game names them all.
_SET_CANDIDATES = (
    "WITH every AS MATERIALIZED (SELECT f.game_id, f.id, f.name, f.crc32_bin, f.file_size, "
    "           f.sha1_bin, f.match_method, EXISTS (SELECT 1 FROM catalog_roms r "
    "           WHERE r.crc32_bin = f.crc32_bin AND r.size = f.file_size) AS listed "
    "           FROM game_files f JOIN games g ON g.id = f.game_id "
    "           WHERE f.kind = 'member' AND g.is_archive = 1 AND g.matched_game_id IS NULL "
    "           AND g.id IN (SELECT id FROM temp.identify_scope)), "
    # (a member no catalog lists — a stray file, a ROM of a newer set — is no member of the
    # set: see _decide_archives_by_sets)
    "m AS (SELECT * FROM every WHERE listed), "
    "files AS MATERIALIZED (SELECT game_id, count(*) AS n FROM every GROUP BY game_id), "
    "a AS (SELECT m.game_id, count(*) AS members, "
    "      min(files.n) - count(*) AS extra FROM m JOIN files ON files.game_id = m.game_id "
    # (one member: only when its data named no single game, or beside a stray file)
    "      GROUP BY m.game_id "
    "      HAVING (members > 1 OR count(m.match_method) = 0 OR extra > 0) "
    f"      AND {_set_members('m.')}), "
    # A game that has every member has the archive's rarest one (the member the fewest
    # catalog ROMs share): the candidates are that member's games, each tested for the
    # others through its own ROMs. (Joining every member to every ROM of its data made
    # sets sharing ROMs quadratic: 2,000 non-merged Neo Geo sets, each with the BIOS's ROMs,
    # took 36 s to scan: QA45 F5.)
    "k AS MATERIALIZED (SELECT crc32_bin, file_size, (SELECT count(*) FROM catalog_roms r "
    "      WHERE r.crc32_bin = d.crc32_bin AND r.size = d.file_size) AS shared "
    "      FROM (SELECT DISTINCT crc32_bin, file_size FROM m) d), "
    "rare AS (SELECT game_id, crc32_bin, file_size, sha1_bin FROM (SELECT m.game_id, "
    "      m.crc32_bin, m.file_size, m.sha1_bin, row_number() OVER ("
    "      PARTITION BY m.game_id ORDER BY k.shared, m.id) AS n "
    "      FROM m JOIN a ON a.game_id = m.game_id JOIN k ON k.crc32_bin = m.crc32_bin "
    "      AND k.file_size = m.file_size) WHERE n = 1), "
    # (the rarest member's data carried in ``rare``, not joined back from ``m``: the
    # planner then scanned every catalog ROM per archive, 6 ms each with MAME 0.37b5's
    # 34,000 ROMs — bench139)
    "c AS (SELECT DISTINCT rare.game_id, r.catalog_game_id FROM rare "
    "      JOIN catalog_roms r ON r.crc32_bin = rare.crc32_bin "
    "      AND r.size = rare.file_size AND (r.sha1_bin IS NULL OR rare.sha1_bin IS NULL "
    "      OR r.sha1_bin = rare.sha1_bin)), "
    # each archive's platforms, once (a correlated test per joined row made a re-import of
    # MAME's DAT over 221 sets take 8 s: QA24 O1): its matched members', its own, an
    # undecided one's candidates, and the one platform whose catalogs list its rarest
    # member, as a single match moves a game (QA133 F1: a neogeo.zip, every ROM shared, in
    # `fbneo/` or `neogeo/` was never MAME's BIOS set; one whose platform was set by hand is
    # identified and keeps that platform, QA136 F5)
    "p AS MATERIALIZED (SELECT DISTINCT a.game_id, c.platform_id FROM a "
    "      JOIN game_files f ON f.game_id = a.game_id AND f.kind = 'member' "
    "      JOIN catalog_games c ON c.game_id = f.matched_game_id "
    "      UNION SELECT a.game_id, x.platform_id FROM a JOIN games x ON x.id = a.game_id "
    "      UNION SELECT a.game_id, j.value FROM a JOIN games x ON x.id = a.game_id, "
    "      json_each(coalesce(x.platform_candidates, '[]')) j WHERE x.platform_id = 'unknown' "
    # (a set of several ROMs only, for a platform set by hand: a console game's zip of one
    # ROM is held to its hand-set platform as a loose file is, QA154 F17)
    "      UNION SELECT c.game_id, min(cg.platform_id) FROM c JOIN a ON a.game_id = c.game_id "
    "      JOIN games x ON x.id = c.game_id "
    "      JOIN catalog_games cg ON cg.id = c.catalog_game_id "
    "      WHERE a.members > 1 OR x.platform_source IS NOT 'user' GROUP BY c.game_id "
    # (or, none of them the archive's own platform, the same sets by name in the catalogs
    # of several platforms, or in each of them a set named as the archive — MAME's and
    # FBNeo's pacman.zip, or the BIOS set neogeo.zip whose ROMs MAME's 130 sets and
    # another DAT's fewer list, in `neogeo/`: the first platform by name, as one catalog
    # alone would move it; QA159 F3, qa181 N1: with both DATs imported none was
    # identified. In `fbneo/` its own platform's catalog decides: review38 F1)
    "      HAVING count(DISTINCT cg.platform_id) = 1 OR (max(cg.platform_id = x.platform_id) "
    "      = 0 AND (count(DISTINCT cg.name) * count(DISTINCT cg.platform_id) "
    "      = count(DISTINCT cg.platform_id || ':' || cg.name) OR count(DISTINCT CASE WHEN "
    "      lower(x.filename) IN (lower(cg.name) || '.zip', lower(cg.name) || '.7z') "
    "      THEN cg.platform_id END) = count(DISTINCT cg.platform_id)))), "
    + _BAD_CTE +
    # (the method: the weakest hash compared, a member's SHA1 where both know it — QA154
    # F17: "by crc32" though the member's SHA1 was the catalog's)
    "SELECT a.game_id, min(CASE WHEN m.match_method IS NOT NULL THEN m.match_method "
    "       WHEN r.sha1_bin = m.sha1_bin THEN 'sha1' ELSE 'crc32' END) AS method, "
    "       a.members, g.filename, cg.game_id AS game, cg.name, "
    "       (SELECT count(*) FROM catalog_roms x WHERE x.catalog_game_id = cg.id) AS roms "
    "FROM c JOIN a ON a.game_id = c.game_id JOIN m ON m.game_id = a.game_id "
    "JOIN catalog_roms r ON r.catalog_game_id = c.catalog_game_id "
    " AND r.crc32_bin = m.crc32_bin AND r.size = m.file_size "
    " AND (r.sha1_bin IS NULL OR m.sha1_bin IS NULL OR r.sha1_bin = m.sha1_bin) "
    "JOIN catalog_games cg ON cg.id = c.catalog_game_id "
    "JOIN p ON p.game_id = a.game_id AND p.platform_id = cg.platform_id "
    "JOIN games g ON g.id = a.game_id "
    "LEFT JOIN bad ON bad.game_id = a.game_id AND bad.catalog_game_id = cg.id "
    "GROUP BY a.game_id, cg.id HAVING count(DISTINCT m.id) = a.members "
    " AND (a.extra = 0 OR count(DISTINCT r.id) > 1 AND count(DISTINCT r.id) + "
    f"  {_BAD_ROMS} = (SELECT count(*) FROM catalog_roms x WHERE x.catalog_game_id = cg.id "
    f"  AND x.crc32_bin IS NOT NULL AND {_DUMPED}) AND count(DISTINCT r.id) > {_BAD_ROMS})")


def _decide_archives_by_sets(db: Database) -> None:
    """An archive no single match of its members decided is the catalog game that has every
    member's data, where that game is one: the only such game, else the one named as the
    archive (``1942.zip`` of MAME's 1942, whose ROMs its clones share; ``tempest2.zip`` of a
    split clone whose one ROM another clone shares), else the only one whose ROMs are exactly
    the members. Its members then name it too. Members whose data no catalog lists (a stray
    file, a ROM of a newer set) are left aside where the others are every ROM of a set of
    several (QA56 F6: such a zip was only guessed by its name, renamed not identified at
    all); a zip of one catalogued ROM and another file stays a guess (a console game's zip
    holding a hack beside it is not that game's clean copy)."""
    found: dict[int, list[tuple[str, int, str, str, str, int]]] = {}
    for game_id, method, members, filename, game, name, roms in db.query(_SET_CANDIDATES):
        found.setdefault(int(game_id), []).append(
            (str(method), int(members), strip_extension(str(filename)).casefold(), str(game),
             str(name), int(roms)))
    decided: list[tuple[int, str, str]] = []
    for game_id, candidates in found.items():
        method, members, stem = candidates[0][:3]
        named = {c[3] for c in candidates}
        if len(named) != 1:
            named = {c[3] for c in candidates if c[4].casefold() == stem}
        if len(named) != 1:
            named = {c[3] for c in candidates if c[5] == members}
        if len(named) == 1:
            decided.append((game_id, named.pop(), method))
    _settle_archives(db, decided, members_too=True)


def _settle_archives(db: Database, decided: list[tuple[int, str, str]], *,
                     members_too: bool, family_too: bool = False) -> None:
    """Identify each archive ``decided`` names (game id, catalog game, method) as that game;
    ``members_too``: its members then name it too; ``family_too`` (a merged set): its
    members that no single game's data named, ROMs its clones share, name it."""
    if not decided:
        return
    db.execute("CREATE TEMP TABLE IF NOT EXISTS identify_sets "
               "(game_id INTEGER PRIMARY KEY, game TEXT NOT NULL, method TEXT NOT NULL)")
    db.execute("DELETE FROM temp.identify_sets")
    db.executemany("INSERT INTO temp.identify_sets VALUES (?, ?, ?)", decided)
    # (both driven from the decided archives, not a scan of every member of the library;
    # a set's own ROMs by its index, not every set's ROM of that CRC — a BIOS ROM 3,334 sets
    # list: 18.5 s of a 10,000-set first scan, bench 139)
    if members_too:  # (a member whose data the set does not list stays unmatched: QA56 F6)
        db.execute("UPDATE game_files AS f SET matched_game_id = s.game, "
                   "match_method = coalesce(f.match_method, s.method) "
                   "FROM temp.identify_sets s WHERE f.game_id = s.game_id AND f.kind = 'member' "
                   "AND f.game_id IN (SELECT game_id FROM temp.identify_sets) "
                   "AND EXISTS (SELECT 1 FROM catalog_games cg JOIN catalog_roms r "
                   " ON r.catalog_game_id = cg.id WHERE cg.game_id = s.game "
                   " AND +r.crc32_bin = f.crc32_bin AND +r.size = f.file_size)")
    if family_too:  # (QA133 F7: 13 of a merged dkong.zip's 22 members said "no match")
        db.execute("UPDATE game_files AS f SET matched_game_id = s.game, "
                   "match_method = s.method FROM temp.identify_sets s "
                   "WHERE f.game_id = s.game_id AND f.kind = 'member' "
                   "AND f.game_id IN (SELECT game_id FROM temp.identify_sets) "
                   "AND f.matched_game_id IS NULL AND EXISTS (SELECT 1 FROM catalog_games p "
                   " JOIN catalog_games c ON c.source_id = p.source_id "
                   " AND (c.id = p.id OR c.clone_of = p.name) "
                   " JOIN catalog_roms r ON r.catalog_game_id = c.id "
                   f" WHERE p.game_id = s.game AND {_SAME_ROM})")
    _settle_by_members(db, "SELECT game_id, game, method FROM temp.identify_sets")
    db.execute("DELETE FROM temp.identify_sets")


# An archive of several members, each matched, that no catalog game has all of: a merged
# arcade set (MAME's "merged" format) holds its parent's ROMs and every clone's in one zip
# named as the parent.
_UNDECIDED_ARCHIVES = (
    f"SELECT g.id, g.filename, {_set_method('f.')} AS method FROM games g "
    "JOIN game_files f ON f.game_id = g.id AND f.kind = 'member' "
    "WHERE g.id IN (SELECT id FROM temp.identify_scope) AND g.is_archive = 1 "
    "AND g.matched_game_id IS NULL "
    # (one member at least matched a game on its own: a clone's own ROM names its clone)
    f"GROUP BY g.id HAVING count(*) > 1 AND {_set_members('f.')} "
    "AND count(f.match_method) > 0")
_SAME_ROM = ("r.crc32_bin = f.crc32_bin AND r.size = f.file_size "
             "AND (r.sha1_bin IS NULL OR f.sha1_bin IS NULL OR r.sha1_bin = f.sha1_bin)")
# The parent named as the archive (no clone itself) of the platform its members matched in,
# every ROM of which (that can be had: not `nodump`, not its BIOS set's) is a member, and
# every member a ROM of it or of one of its clones in that catalog.
_MERGED_PARENT = (
    "SELECT cg.game_id FROM catalog_games cg "
    "WHERE cg.source_id IN (SELECT id FROM catalog_sources) AND cg.name IN (:stem, :lower) "
    "AND coalesce(cg.clone_of, '') = '' "
    f"AND cg.platform_id IN {_set_platforms(':game')} "
    "AND EXISTS (SELECT 1 FROM catalog_roms r WHERE r.catalog_game_id = cg.id) "
    "AND NOT EXISTS (SELECT 1 FROM catalog_roms r WHERE r.catalog_game_id = cg.id "
    "  AND coalesce(r.status, '') <> 'nodump' AND r.crc32_bin IS NOT NULL "
    "  AND NOT EXISTS (SELECT 1 FROM game_files f WHERE f.game_id = :game "
    f"    AND f.kind = 'member' AND {_SAME_ROM}) "
    # (nor one of its BIOS set's: a merged Neo Geo set never holds those, QA56 F3)
    "  AND NOT EXISTS (SELECT 1 FROM catalog_games b JOIN catalog_roms br "
    "    ON br.catalog_game_id = b.id WHERE b.source_id = cg.source_id AND b.name = cg.rom_of "
    "    AND br.crc32_bin = r.crc32_bin AND br.size IS r.size)) "
    "AND NOT EXISTS (SELECT 1 FROM game_files f WHERE f.game_id = :game AND f.kind = 'member' "
    "  AND NOT EXISTS (SELECT 1 FROM catalog_roms r "
    "    JOIN catalog_games c ON c.id = r.catalog_game_id "
    f"    WHERE {_SAME_ROM} AND c.source_id = cg.source_id "
    "    AND (c.id = cg.id OR c.clone_of = cg.name)))")


def _decide_merged_sets(db: Database) -> None:
    """An archive of several members no catalog game has all of is the parent it is named
    as (``1942.zip``) when it holds every ROM of that parent and each of its other members
    is a ROM of one of the parent's clones: a merged arcade set (QA17: taken for a guess
    by name). Its members keep their own matches (each clone's ROM names its clone); those
    several clones share, which named none, name the set."""
    decided = []
    for game_id, filename, method in db.query(_UNDECIDED_ARCHIVES):
        stem = strip_extension(str(filename))
        parents = {str(row[0]) for row in db.query(
            _MERGED_PARENT, {"stem": stem, "lower": stem.lower(), "game": int(game_id)})}
        if len(parents) == 1:
            decided.append((int(game_id), parents.pop(), str(method)))
    _settle_archives(db, decided, members_too=False, family_too=True)


def _settle_by_members(db: Database, decided: str) -> None:
    """Identify each game ``decided`` names (rows of game_id, the catalog game, the method)
    as that game, settling its platform as a hash match does."""
    db.execute(
        "UPDATE games AS g SET matched_game_id = f.game, "
        "match_method = CASE WHEN g.is_archive = 1 THEN f.method ELSE 'tracks' END, "
        + _SETTLE_PLATFORM.format(t="g", p="f.platform") + " "
        "FROM (SELECT m.game_id, m.game, m.method, CASE "
        # its own platform when the matched game is in that platform's catalog, or it was
        # set by hand; else the catalog's
        "        WHEN x.platform_source = 'user' OR EXISTS (SELECT 1 FROM catalog_games c "
        "          WHERE c.game_id = m.game AND c.platform_id = x.platform_id) "
        "        THEN x.platform_id "
        "        ELSE (SELECT platform_id FROM catalog_games WHERE game_id = m.game LIMIT 1) "
        "      END AS platform "
        f"      FROM ({decided}) AS m "
        "      JOIN games x ON x.id = m.game_id) AS f "
        "WHERE g.id = f.game_id AND g.matched_game_id IS NULL")


def _match_by_name(db: Database) -> int:
    # Only names that could match: of a platform the catalog has games of (folding a name
    # costs microseconds, and a first scan brings every file of the library here).
    rows = db.query("SELECT id, platform_id, filename FROM games AS g "
                    "WHERE id IN (SELECT id FROM temp.identify_scope) "
                    "AND matched_game_id IS NULL AND platform_id <> 'unknown' "
                    "AND EXISTS (SELECT 1 FROM catalog_games c "
                    "            WHERE c.platform_id = g.platform_id)")
    db.execute("CREATE TEMP TABLE IF NOT EXISTS identify_names "
               "(id INTEGER PRIMARY KEY, platform_id TEXT, title_norm TEXT)")
    db.execute("DELETE FROM temp.identify_names")
    db.executemany("INSERT INTO temp.identify_names VALUES (?, ?, ?)",
                   # (a name of bytes that are not UTF-8 read as its title is: `Caf\xe9`
                   # is `Café`, QA57 F3)
                   ((row["id"], row["platform_id"],
                     fold(strip_extension(card_name(row["filename"])))) for row in rows))
    # The redundant IN keeps the planner off a scan of every unmatched game in the library
    # (it otherwise walks idx_games_matched for NULLs: a whole-library scan per batch).
    matched = _match_data_by_name(db)
    matched += db.execute(
        "UPDATE games AS g SET matched_game_id = cg.game_id, match_method = 'name' "
        "FROM temp.identify_names n JOIN catalog_games cg "
        "ON cg.platform_id = n.platform_id AND cg.title_norm = n.title_norm "
        "WHERE g.id = n.id AND g.id IN (SELECT id FROM temp.identify_names) "
        "AND g.matched_game_id IS NULL").rowcount
    matched += _match_by_rom_name(db)
    db.execute("DELETE FROM temp.identify_names")
    return matched


def _match_data_by_name(db: Database) -> int:
    """A file whose CRC32 and size several catalog games list (none identified by it: see
    :func:`_one_game_if_crc`) is the one of them it is named as — the data and the name
    agree, as an arcade set is the one of its family named as its archive. Matched by its
    CRC32 (``crc32``); a name alone stays a guess (``name``)."""
    matched = 0
    for method, condition in _HASH_PASSES:
        if method == "crc32":
            matched += db.execute(
                "UPDATE games AS t SET matched_game_id = cg.game_id, match_method = 'crc32' "
                "FROM temp.identify_names n JOIN catalog_games cg "
                "ON cg.platform_id = n.platform_id AND cg.title_norm = n.title_norm "
                "JOIN catalog_roms r ON r.catalog_game_id = cg.id "
                f"WHERE t.id = n.id AND t.id IN (SELECT id FROM temp.identify_names) "
                f"AND t.matched_game_id IS NULL AND t.is_archive = 0 AND {condition} "
                # (shared: another catalog game lists that data too; a disc is its tracks')
                f"AND {_another_game_has(condition)} "
                "AND NOT EXISTS (SELECT 1 FROM game_files f WHERE f.game_id = t.id "
                "AND f.kind = 'track')").rowcount
    return matched


def _match_by_rom_name(db: Database) -> int:
    """The names left unmatched (``temp.identify_names``) against the catalogs' ROM names,
    where one folded ROM name names exactly one catalog game of the platform (QA18 C1):
    renamers name a file by its DAT ROM entry, which often carries more tags than the game's
    name (``Lemmings (Europe) (Beta) (1993-05-19).gb`` in ``Lemmings (Europe) (Beta)``), so
    a bad dump or a hack so named is still guessed by its name. A disc game's ROMs (its
    sheet, its tracks) name no game: a track is not a disc."""
    db.execute("DELETE FROM temp.identify_names WHERE id IN "
               "(SELECT n.id FROM temp.identify_names n JOIN games g ON g.id = n.id "
               "WHERE g.matched_game_id IS NOT NULL)")
    platforms = [str(row[0]) for row in db.query(
        "SELECT DISTINCT platform_id FROM temp.identify_names")]
    if not platforms:
        return 0
    _index_rom_names(db, platforms)
    return db.execute(
        "UPDATE games AS g SET matched_game_id = m.game_id, match_method = 'name' "
        "FROM (SELECT n.id, min(c.game_id) AS game_id FROM temp.identify_names n "
        "      JOIN temp.catalog_rom_names c "
        "      ON c.platform_id = n.platform_id AND c.name_norm = n.title_norm "
        "      GROUP BY n.id HAVING count(DISTINCT c.game_id) = 1) m "
        "WHERE g.id = m.id AND g.matched_game_id IS NULL").rowcount


# The folded ROM names of a platform's catalog games, built once per connection and
# platform, and again when the imported DATs change (a scan's writer asks once per batch).
_ROM_NAME_TABLES = (
    "CREATE TEMP TABLE IF NOT EXISTS catalog_rom_names (platform_id TEXT NOT NULL, "
    "name_norm TEXT NOT NULL, game_id TEXT NOT NULL, "
    "PRIMARY KEY (platform_id, name_norm, game_id)) WITHOUT ROWID",
    "CREATE TEMP TABLE IF NOT EXISTS catalog_rom_names_of (platform_id TEXT PRIMARY KEY, "
    "catalogs TEXT NOT NULL)")
_CATALOGS_STATE = ("SELECT coalesce(group_concat(id || ':' || file_sha1 || ':' || imported_at, "
                   "','), '') FROM (SELECT id, file_sha1, imported_at FROM catalog_sources "
                   "ORDER BY id)")


def _index_rom_names(db: Database, platforms: list[str]) -> None:
    for statement in _ROM_NAME_TABLES:
        db.execute(statement)
    state = str(db.scalar(_CATALOGS_STATE))
    for platform in platforms:
        if db.scalar("SELECT catalogs FROM temp.catalog_rom_names_of WHERE platform_id = ?",
                     (platform,)) == state:
            continue
        db.execute("DELETE FROM temp.catalog_rom_names WHERE platform_id = ?", (platform,))
        rows = db.query(
            "SELECT r.name, cg.game_id FROM catalog_games cg "
            "JOIN catalog_roms r ON r.catalog_game_id = cg.id WHERE cg.platform_id = ? "
            "AND NOT EXISTS (SELECT 1 FROM catalog_roms s WHERE s.catalog_game_id = cg.id "
            "AND (lower(s.name) GLOB '*.cue' OR lower(s.name) GLOB '*.gdi'))", (platform,))
        folded = ((fold(strip_extension(name.replace("\\", "/").rpartition("/")[2])), game)
                  for name, game in rows)
        db.executemany("INSERT OR IGNORE INTO temp.catalog_rom_names VALUES (?, ?, ?)",
                       ((platform, name, game) for name, game in folded if name))
        db.execute("INSERT OR REPLACE INTO temp.catalog_rom_names_of VALUES (?, ?)",
                   (platform, state))


# Games not verified yet: plain files known by their CRC32 only, and games with zip members
# known only by the CRC32 and size their archive's directory states (the SHA1 indexes,
# which hold NULLs too, find both).
_UNVERIFIED_IDS = ("SELECT game_id FROM game_files WHERE kind = 'member' "
                   "AND sha1_bin IS NULL UNION SELECT id FROM games WHERE sha1_bin IS NULL "
                   "AND crc32_bin IS NOT NULL")


@dataclass(frozen=True)
class VerifyCounts:
    """Present games not verified yet (a file known by its CRC32 only, or zip members known
    by the CRC32 their zip states; ``scan --verify`` hashes them), and those of them
    identified (by CRC32 + size only)."""

    identified_by_crc_only: int
    unverified: int


def verify_counts(db: Database, *, root_id: int | None = None,
                  roots_only: bool = False) -> VerifyCounts:
    """Present games not verified yet, and those whose identification rests on a CRC32
    alone (the SHA1 indexes find the NULLs). Not a file a scan found damaged (stored with
    its problem: see ``library.games.damaged_games``), which ``scan --verify`` cannot
    verify but finds damaged again, and is said apart. ``roots_only``: see
    :func:`match_counts`."""
    row = db.query_one(
        "SELECT coalesce(sum(g.matched_game_id IS NOT NULL "
        "AND g.match_method NOT IN ('name', 'user')), 0) AS identified, "
        "count(*) AS unverified FROM games g "
        f"WHERE g.id IN ({_UNVERIFIED_IDS}) "
        f"AND g.is_missing = 0 AND (g.scan_error IS NULL OR {marked_sql('g.scan_error')})"
        + (" AND g.root_id = ?" if root_id is not None
           else _UNDER_A_ROOT.format(t="g") if roots_only else ""),
        (root_id,) if root_id is not None else ())
    assert row is not None
    return VerifyCounts(int(row["identified"]), int(row["unverified"]))


# A CRC32 and size that several catalog games list (a file known by them alone matches none).
_SHARED_CRC = ("(SELECT count(DISTINCT cg.game_id) FROM catalog_roms r JOIN catalog_games cg "
               "ON cg.id = r.catalog_game_id WHERE r.crc32_bin = {t}.crc32_bin "
               "AND r.size = {t}.file_size) > 1")


def undecided_by_crc(db: Database) -> int:
    """Present games that no hash identifies because their data (the file's, or a member's)
    is known by its CRC32 only and several catalog games list that CRC32 and size: a DAT
    imported after their scan shares it. ``scan --verify`` hashes them, and the SHA1 decides."""
    return int(db.scalar(
        "SELECT count(*) FROM games g WHERE g.is_missing = 0 "
        "AND coalesce(g.match_method, 'name') = 'name' AND ("
        " (g.sha1_bin IS NULL AND g.crc32_bin IS NOT NULL AND "
        + _SHARED_CRC.format(t="g") + ") OR EXISTS (SELECT 1 FROM game_files f "
        " WHERE f.game_id = g.id AND f.kind = 'member' AND f.sha1_bin IS NULL "
        " AND f.matched_game_id IS NULL AND f.crc32_bin IS NOT NULL AND "
        + _SHARED_CRC.format(t="f") + "))") or 0)


def unverified_games(db: Database, root_id: int) -> list[tuple[int, str, bool]]:
    """(id, relative path, platform set by hand) of the present games of a root not
    verified yet."""
    rows = db.query(f"SELECT id, filepath, platform_source = 'user' AS user FROM games "
                    f"WHERE id IN ({_UNVERIFIED_IDS}) AND root_id = ? AND is_missing = 0 "
                    "ORDER BY filepath", (root_id,))
    return [(int(row["id"]), str(row["filepath"]), bool(row["user"])) for row in rows]


def crc_rules(db: Database) -> CrcRules:
    """The catalog's (CRC32, size) pairs, split into those exactly one catalog game has
    (a CRC32 identifies it) and those several have (a zip member stating one is hashed in
    full, since its CRC cannot tell the games apart)."""
    rows = db.conn.execute(
        "SELECT r.crc32_bin, r.size, count(DISTINCT cg.game_id) > 1 FROM catalog_roms r "
        "JOIN catalog_games cg ON cg.id = r.catalog_game_id "
        "WHERE r.crc32_bin IS NOT NULL AND r.size IS NOT NULL GROUP BY r.crc32_bin, r.size")
    unique: set[tuple[int, int]] = set()
    ambiguous: set[tuple[int, int]] = set()
    for crc, size, shared in rows:
        try:
            key = (int.from_bytes(crc, "big"), int(size))
        except (TypeError, ValueError):
            continue
        (ambiguous if shared else unique).add(key)
    return CrcRules(frozenset(unique), frozenset(ambiguous))
