"""Collector reports: have/miss per DAT, fixdats of what is missing, duplicates, platforms.

Every count is a SQL aggregate or a counter kept by triggers (platforms); no report loads the
library's rows to count them.
"""

from __future__ import annotations

import json
import os
import re
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from xml.sax.saxutils import quoteattr

from romrunner.errors import InputError, NotFoundError
from romrunner.store.database import Database

# Per catalog game: 2 = a present file (or a member of a present zip, as `games show` says)
# matched by hash (or by hand), 1 = only by name, 0 = none. The members' matches are grouped
# once per statement, from the zips of the DAT's platform (game_files has no index on its
# match; the platform index bounds the look-up). Parameters: the DAT's id, twice.
_MEMBERS = (
    "SELECT f.matched_game_id AS game_id, "
    "max(CASE WHEN f.match_method = 'name' THEN 1 ELSE 2 END) AS status "
    "FROM games mg JOIN game_files f ON f.game_id = mg.id AND f.kind = 'member' "
    "WHERE mg.platform_id = (SELECT platform_id FROM catalog_sources WHERE id = ?) "
    "AND mg.is_missing = 0 AND f.matched_game_id IS NOT NULL AND f.match_method IS NOT NULL "
    "GROUP BY f.matched_game_id")
_STATUS = (
    "SELECT cg.id, cg.name, cg.description, "
    "max(max(CASE WHEN g.is_missing = 0 AND g.match_method <> 'name' THEN 2 "
    "             WHEN g.is_missing = 0 AND g.match_method = 'name' THEN 1 ELSE 0 END), "
    "    coalesce(max(m.status), 0)) AS status "
    "FROM catalog_games cg LEFT JOIN games g ON g.matched_game_id = cg.game_id "
    f"LEFT JOIN ({_MEMBERS}) m ON m.game_id = cg.game_id "
    "WHERE cg.source_id = ? GROUP BY cg.id")


@dataclass(frozen=True)
class CatalogReport:
    """Have / name-guessed / missing per DAT, and the files of its platform matching nothing."""

    name: str
    platform_id: str
    version: str | None
    headered: bool
    games: int
    have: int
    name_guessed: int
    missing: int
    unmatched_on_disk: int
    missing_games: list[str] = field(default_factory=list)


def _sources(db: Database, names: Sequence[str]) -> list[Any]:
    rows = db.query("SELECT id, name, platform_id, version, headered FROM catalog_sources "
                    "ORDER BY name, headered")
    if not names:
        return rows
    wanted = {name.lower() for name in names}
    known = {row["name"].lower() for row in rows}
    unknown = [repr(name) for name in names if name.lower() not in known]
    if unknown:
        raise NotFoundError(f"no imported DAT named {', '.join(unknown)} "
                            "(`romrunner dat ls` lists them)")
    return [row for row in rows if row["name"].lower() in wanted]


def dat_report(db: Database, names: Sequence[str] = (), *,
               list_missing: bool = False) -> list[CatalogReport]:
    """One report per imported DAT (or the ones named)."""
    reports = []
    unmatched: dict[str, int] = {}
    for source in _sources(db, names):
        counts = db.query_one(
            f"SELECT count(*) AS games, coalesce(sum(status = 2), 0) AS have, "
            f"coalesce(sum(status = 1), 0) AS guessed, coalesce(sum(status = 0), 0) AS missing "
            f"FROM ({_STATUS})", (source["id"], source["id"]))
        assert counts is not None
        platform = str(source["platform_id"])
        if platform not in unmatched:
            unmatched[platform] = int(db.scalar(
                "SELECT count(*) FROM games WHERE platform_id = ? AND is_missing = 0 "
                "AND match_method IS NULL AND matched_game_id IS NULL", (platform,)))
        missing_games = [str(row["name"]) for row in db.query(
            f"SELECT name FROM ({_STATUS}) WHERE status = 0 ORDER BY name",
            (source["id"], source["id"]))] if list_missing else []
        reports.append(CatalogReport(
            str(source["name"]), platform, source["version"], bool(source["headered"]),
            int(counts["games"]), int(counts["have"]), int(counts["guessed"]),
            int(counts["missing"]), unmatched[platform], missing_games))
    return reports


@dataclass(frozen=True)
class FixdatResult:
    """What ``dat fixdat`` wrote."""

    name: str
    path: str
    games: int
    roms: int
    # the values (exact) that held characters XML 1.0 cannot hold, written with U+FFFD in
    # their place: a game is still found by its ROMs' hashes
    replaced: list[str] = field(default_factory=list)


# What XML 1.0 cannot hold, even as a character reference: the C0 controls but tab, newline
# and carriage return, lone surrogates, U+FFFE and U+FFFF.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
_REPLACEMENT = "\ufffd"


class _XmlValues:
    """Escapes values for the fixdat, replacing what XML cannot hold and noting the value."""

    def __init__(self) -> None:
        self.replaced: list[str] = []

    def _allowed(self, value: str) -> str:
        if _NOT_XML.search(value) is None:
            return value
        if value not in self.replaced:
            self.replaced.append(value)
        return _NOT_XML.sub(_REPLACEMENT, value)

    def text(self, value: str) -> str:
        """Element text (a carriage return as a reference: a parser would make it a
        newline)."""
        return (self._allowed(value).replace("&", "&amp;").replace("<", "&lt;")
                .replace(">", "&gt;").replace("\r", "&#13;"))

    def attr(self, value: str) -> str:
        """A quoted attribute value (tab, newline, carriage return as references)."""
        return quoteattr(self._allowed(value))


def write_fixdat(db: Database, name: str, output: Path, *, force: bool = False
                 ) -> FixdatResult:
    """A Logiqx XML DAT of the games of DAT ``name`` the library lacks (no present file
    matched by hash), with every ROM's size and hashes, written atomically to ``output``.

    Its name is the DAT's plus `` (fixdat)``, so importing it never replaces the real
    catalog; give ``--platform`` when importing it. The file is always well-formed XML: a
    control character XML 1.0 cannot hold (a DAT's name may have one) is written as U+FFFD,
    and the values where that happened are listed in the result (tools match a fixdat's
    games by their ROMs' hashes).
    """
    sources = _sources(db, [name])
    if output.exists() and not force:
        raise InputError(f"{output}: already exists (use --force to replace it)")
    if output.is_dir():
        raise InputError(f"{output}: is a folder; give a file name")
    source = sources[0]
    games = db.query(f"SELECT id, name, description FROM ({_STATUS}) WHERE status < 2 "
                     "ORDER BY name", (source["id"], source["id"]))
    roms: dict[int, list[Any]] = {}
    for row in db.query("SELECT r.catalog_game_id, r.name, r.size, r.crc32, r.md5, r.sha1 "
                        "FROM catalog_roms r WHERE r.catalog_game_id IN "
                        "(SELECT value FROM json_each(?)) ORDER BY r.id",
                        (json.dumps([int(g["id"]) for g in games]),)):
        roms.setdefault(int(row["catalog_game_id"]), []).append(row)
    xml = _XmlValues()
    lines = ['<?xml version="1.0" encoding="utf-8"?>',
             '<!DOCTYPE datafile PUBLIC "-//Logiqx//DTD ROM Management Datafile//EN" '
             '"http://www.logiqx.com/Dats/datafile.dtd">',
             "<datafile>", "\t<header>",
             f"\t\t<name>{xml.text(source['name'] + ' (fixdat)')}</name>",
             f"\t\t<description>{xml.text(source['name'])}: {len(games)} missing games"
             "</description>",
             f"\t\t<version>{xml.text(source['version'] or '')}</version>",
             "\t\t<author>ROM Runner</author>", "\t</header>"]
    count = 0
    for game in games:
        lines.append(f"\t<game name={xml.attr(game['name'])}>")
        lines.append(f"\t\t<description>{xml.text(game['description'] or game['name'])}"
                     "</description>")
        for rom in roms.get(int(game["id"]), []):
            attrs = [f"name={xml.attr(rom['name'])}"]
            attrs += [f"{key}={xml.attr(str(rom[column]))}" for key, column in
                      (("size", "size"), ("crc", "crc32"), ("md5", "md5"), ("sha1", "sha1"))
                      if rom[column] is not None]
            lines.append(f"\t\t<rom {' '.join(attrs)}/>")
            count += 1
        lines.append("\t</game>")
    lines.append("</datafile>")
    _write_atomically(output, "\n".join(lines) + "\n")
    return FixdatResult(str(source["name"]), str(output), len(games), count, xml.replaced)


def _write_atomically(path: Path, text: str) -> None:
    try:
        handle, temp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
        with os.fdopen(handle, "w", encoding="utf-8") as out:
            out.write(text)
            out.flush()
            os.fsync(out.fileno())
        os.replace(temp, path)
    except OSError as exc:
        raise InputError(f"{path}: cannot be written ({exc.strerror or exc})") from exc


@dataclass(frozen=True)
class DuplicateSet:
    """Files holding the same data: where they are, and the bytes a cleanup frees.

    ``key`` is the files' SHA1, or ``crc32:CRC:SIZE`` for files whose SHA1 a first scan deferred
    (identified by a unique CRC32 + size); such a set is ``verified`` only after `scan --verify`.
    An archive of one member holds that member's content (``Game.zip`` beside ``Game.sfc``).
    ``size`` is the largest copy's; ``reclaimable`` what keeping only the smallest frees.
    """

    key: str
    size: int
    copies: int
    reclaimable: int
    verified: bool
    files: list[dict[str, Any]]


# A disc's copies are the same only if their tracks are: a sheet's SHA1 says nothing of the
# data its tracks hold, so the tracks' hashes (in name order) join the key.
_TRACKS = ("CASE WHEN g.tracks_size = 0 THEN '' ELSE (SELECT group_concat(name || ':' || "
           "coalesce(hex(sha1_bin), hex(crc32_bin), ''), '/') FROM (SELECT name, sha1_bin, "
           "crc32_bin FROM game_files WHERE game_id = g.id AND kind = 'track' ORDER BY name)) "
           "END")

# Hashes shared by several rows are found in the hash indexes alone (each read in order, no
# sort, no table row); only those rows are then read. One GROUP BY over the whole table's
# hex keys took 6.6 s at 1M games (docs/PERFORMANCE.md). An archive of one member is a copy
# of that member's content (`Game.zip` beside `Game.sfc`), grouped by it and never by the
# zip's own hash (`scan --verify` hashes the zip too: it would count the pair twice).
_DUPLICATE_SETS = (
    "WITH single AS MATERIALIZED ("  # archives of one member, found in the members' index
    "  SELECT f.game_id AS id, f.sha1_bin, f.crc32_bin, f.file_size, g.total_size "
    "  FROM (SELECT game_id FROM game_files WHERE kind = 'member' "
    "        GROUP BY game_id HAVING count(*) = 1) one "
    "  JOIN game_files f ON f.game_id = one.game_id AND f.kind = 'member' "
    "  JOIN games g ON g.id = one.game_id WHERE g.is_archive = 1 AND g.is_missing = 0), "
    "by_sha1 AS (SELECT sha1_bin FROM games WHERE sha1_bin IS NOT NULL "
    "            GROUP BY sha1_bin HAVING count(*) > 1 "
    # A single member's hash is a candidate when a game or another file has it (index
    # entries only, no row read: a candidate without a second copy drops out below).
    "            UNION ALL SELECT s.sha1_bin FROM single s WHERE s.sha1_bin IS NOT NULL "
    "            AND (EXISTS (SELECT 1 FROM games g WHERE g.sha1_bin = s.sha1_bin) "
    "                 OR (SELECT count(*) FROM game_files o "
    "                     WHERE o.sha1_bin = s.sha1_bin) > 1)), "
    "by_crc AS (SELECT crc32_bin, file_size FROM games WHERE crc32_bin IS NOT NULL "
    "           GROUP BY crc32_bin, file_size HAVING count(*) > 1 "
    "           UNION ALL SELECT s.crc32_bin, s.file_size FROM single s "
    "           WHERE s.sha1_bin IS NULL AND s.crc32_bin IS NOT NULL "
    "           AND (EXISTS (SELECT 1 FROM games g WHERE g.crc32_bin = s.crc32_bin "
    "                        AND g.file_size = s.file_size) "
    "                OR (SELECT count(*) FROM game_files o WHERE o.crc32_bin = s.crc32_bin "
    "                    AND o.file_size = s.file_size) > 1)), "
    "copies AS ("
    f"  SELECT lower(hex(g.sha1_bin)) AS content, 1 AS verified, g.id, g.total_size, "
    f"  {_TRACKS} AS tracks FROM (SELECT DISTINCT sha1_bin FROM by_sha1) d "
    "   CROSS JOIN games g ON g.sha1_bin = d.sha1_bin WHERE g.is_missing = 0 "
    "   AND g.id NOT IN (SELECT id FROM single) "  # a verified zip's own hash: by its member
    "  UNION ALL "
    "  SELECT lower(hex(s.sha1_bin)), 1, s.id, s.total_size, '' FROM single s "
    "  WHERE s.sha1_bin IN (SELECT sha1_bin FROM by_sha1) "
    "  UNION ALL "
    "  SELECT 'crc32:' || lower(hex(g.crc32_bin)) || ':' || g.file_size, 0, g.id, "
    f"  g.total_size, {_TRACKS} FROM (SELECT DISTINCT crc32_bin, file_size FROM by_crc) d "
    "   CROSS JOIN games g ON g.crc32_bin = d.crc32_bin AND g.file_size = d.file_size "
    "   WHERE g.sha1_bin IS NULL AND g.is_missing = 0 "
    "  UNION ALL "
    "  SELECT 'crc32:' || lower(hex(s.crc32_bin)) || ':' || s.file_size, 0, s.id, "
    "  s.total_size, '' FROM single s WHERE s.sha1_bin IS NULL "
    "  AND (s.crc32_bin, s.file_size) IN (SELECT crc32_bin, file_size FROM by_crc)) "
    "SELECT content, max(total_size) AS size, count(*) AS copies, max(verified) AS verified, "
    "sum(total_size) - min(total_size) AS reclaimable, "  # keeping the smallest copy
    "json_group_array(id) AS ids FROM copies GROUP BY content, tracks HAVING count(*) > 1 "
    "ORDER BY reclaimable DESC, content LIMIT ?")


def duplicates(db: Database, *, limit: int = 100) -> list[DuplicateSet]:
    """The duplicate sets freeing the most space first (present files only); a game's size
    is its file's and its disc tracks' (a copied disc frees its tracks too)."""
    groups = db.query(_DUPLICATE_SETS, (limit,))
    ids = {int(game_id) for group in groups for game_id in json.loads(group["ids"])}
    files: dict[int, dict[str, Any]] = {}
    for row in db.query("SELECT g.id, g.platform_id, r.path AS root, g.filepath, g.total_size "
                        "FROM json_each(?) j CROSS JOIN games g ON g.id = j.value "
                        "JOIN library_roots r ON r.id = g.root_id", (json.dumps(sorted(ids)),)):
        files[int(row["id"])] = {
            "id": row["id"], "platform_id": row["platform_id"], "size": row["total_size"],
            "path": str(Path(row["root"]) / row["filepath"]) if row["root"]
            else row["filepath"]}
    return [DuplicateSet(g["content"], int(g["size"]), int(g["copies"]),
                         int(g["reclaimable"]), bool(g["verified"]),
                         [files[i] for i in sorted(json.loads(g["ids"])) if i in files])
            for g in groups]


@dataclass(frozen=True)
class PlatformCounts:
    """Games of one platform: all, matched by hash, by name only, unmatched, missing."""

    platform_id: str
    games: int
    hash_matched: int
    name_guessed: int
    unidentified: int
    missing: int


def platform_counts(db: Database) -> list[PlatformCounts]:
    """Every platform of the library with its counts, read from the counters the games
    table's triggers keep (migration 14: the GROUP BY over every game took seconds at a
    million games; each counter is exactly that aggregate)."""
    rows = db.query("SELECT platform_id, games, hash_matched, name_guessed, unidentified, "
                    "missing FROM platform_counts WHERE games > 0 ORDER BY platform_id")
    return [PlatformCounts(row["platform_id"], int(row["games"]), int(row["hash_matched"]),
                           int(row["name_guessed"]), int(row["unidentified"]),
                           int(row["missing"])) for row in rows]
