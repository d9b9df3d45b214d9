"""Issue 18 goal 3's levers, measured before any is built: ``python -m benchmarks.leanrow``.

Takes a database the scale benchmark built (``python -m benchmarks run --scale 100k --workdir
W --only sizes`` leaves ``W/ours.db``), rebuilds its ``games`` table once per candidate schema
in a database of its own (rows inserted in id order, 400 a statement, 20,000 a transaction, the
indexes in place: the scan writer's order, so hash- and title-ordered indexes fill their pages
as an ingest does) and prints each one's bytes per game (``dbstat``), then the CPU time
(``time.process_time``, medians) of the queries the changed indexes serve, before and after,
each pair checked to give the same answer. The rebuilt "base" is the reference: it holds the
same rows with the current schema (the table fuller than after a real ingest, whose
identification updates rows after inserting them; see docs/PERFORMANCE.md, goal 3).

Nothing here is the engine's: the candidate schemas are plain SQL on copies.
"""

from __future__ import annotations

import argparse
import hashlib
import re
import sqlite3
import statistics
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any

from romrunner.textnorm import fold

MATCH_CODES = {"sha1": 1, "md5": 2, "crc32": 3, "name": 4, "tracks": 5, "user": 6}
SOURCE_CODES = {"folder": 1, "extension": 2, "header": 3, "catalog": 4, "user": 5,
                "unknown": 6, "legacy": 7}


def path_key(path: str | None) -> int | None:
    """A path's 64-bit key: its top folder's 16-bit hash, then the whole path's 48-bit hash,
    so that one top folder's paths are one range of keys (the rescan's per-folder loads)."""
    if path is None:
        return None
    slash = path.find("/")
    folder = path[:slash + 1] if slash >= 0 else ""
    high = int.from_bytes(hashlib.blake2b(folder.encode(), digest_size=2).digest(), "big")
    low = int.from_bytes(hashlib.blake2b(path.encode(), digest_size=6).digest(), "big")
    value = (high << 48) | low
    return value - (1 << 64) if value >= 1 << 63 else value


def folder_range(folder: str) -> tuple[int, int]:
    """The keys of the paths under ``folder/`` (a top-level folder)."""
    key = path_key(folder + "/x")
    assert key is not None
    low = key >> 48 << 48
    return low, low + (1 << 48) - 1


def connect(path: Path | str) -> sqlite3.Connection:
    """A connection with the functions the candidate schemas use."""
    conn = sqlite3.connect(path, isolation_level=None)
    conn.create_function("rr_fold", 1, fold, deterministic=True)
    conn.create_function("rr_key64", 1, path_key, deterministic=True)
    conn.create_function("rr_mm", 1, MATCH_CODES.get, deterministic=True)
    conn.create_function("rr_ps", 1, SOURCE_CODES.get, deterministic=True)
    return conn


@dataclass
class Schema:
    """A candidate ``games``: its CREATE TABLE, stored columns with the expressions that fill
    them from the bench's rows, and its indexes."""

    table: str
    columns: list[str]
    exprs: list[str]
    indexes: dict[str, str]
    notes: list[str] = field(default_factory=list)

    def sub(self, pattern: str, replacement: str) -> None:
        """Change the CREATE TABLE (the pattern must be there)."""
        changed = re.sub(pattern, replacement, self.table)
        assert changed != self.table, pattern
        self.table = changed

    def add_columns(self, sql: str) -> None:
        """Append column definitions to the CREATE TABLE."""
        self.table = self.table.rstrip().rstrip(")") + ", " + sql + ")"

    def replace_column(self, old: str, new: str | None, expr: str | None) -> None:
        """Store ``new`` filled by ``expr`` where ``old`` was (None: not stored)."""
        i = self.columns.index(old)
        if new is None or expr is None:
            del self.columns[i], self.exprs[i]
        else:
            self.columns[i], self.exprs[i] = new, expr


def path_hash(s: Schema, stored: bool) -> None:
    """The path index keyed by ``path_key`` (not unique: the text is compared after it)."""
    del s.indexes["uidx_games_path"]
    if stored:
        s.add_columns("path_key INTEGER")
        s.columns.append("path_key")
        s.exprs.append("rr_key64(filepath)")
        s.indexes["idx_games_path"] = "CREATE INDEX idx_games_path ON games(root_id, path_key)"
    else:
        s.indexes["idx_games_path"] = ("CREATE INDEX idx_games_path ON games(root_id, "
                                       "rr_key64(filepath))")


def no_title_index(s: Schema) -> None:
    """No ``idx_games_title_norm``: the facets index's platform ranges, merged, give the order."""
    del s.indexes["idx_games_title_norm"]


def virtual_title(s: Schema) -> None:
    """``title_norm`` VIRTUAL ``rr_fold(detected_title)`` (stored in the indexes only)."""
    s.sub(r"title_norm\s+TEXT,",
          "title_norm TEXT GENERATED ALWAYS AS (rr_fold(detected_title)) VIRTUAL,")
    s.replace_column("title_norm", None, None)


def codes(s: Schema) -> None:
    """``match_method`` and ``platform_source`` stored as small codes, ``format`` derived from
    the file name: VIRTUAL columns of the old names show the text (readers unchanged)."""
    s.sub(r"format\s+TEXT,", "")
    s.sub(r"match_method\s+TEXT CHECK \([^)]*\)\),", "match_code INTEGER,")
    s.sub(r"platform_source\s+TEXT NOT NULL DEFAULT 'legacy'\s+CHECK \([^)]*\)\),",
          "source_code INTEGER NOT NULL DEFAULT 7,")
    s.replace_column("format", None, None)
    s.replace_column("match_method", "match_code", "rr_mm(match_method)")
    s.replace_column("platform_source", "source_code", "rr_ps(platform_source)")
    methods = " ".join(f"WHEN {v} THEN '{k}'" for k, v in MATCH_CODES.items())
    sources = " ".join(f"WHEN {v} THEN '{k}'" for k, v in SOURCE_CODES.items())
    s.add_columns(
        "format TEXT GENERATED ALWAYS AS (lower(nullif(replace(filename, rtrim(filename, "
        "replace(filename, '.', '')), ''), ''))) VIRTUAL, "
        f"match_method TEXT GENERATED ALWAYS AS (CASE match_code {methods} END) VIRTUAL, "
        f"platform_source TEXT GENERATED ALWAYS AS (CASE source_code {sources} END) VIRTUAL")


def match_int(s: Schema) -> None:
    """The match as ``catalog_games.id`` (``catalog_title`` then needs a join)."""
    s.sub(r"matched_game_id\s+TEXT,", "matched_cg INTEGER,")
    s.sub(r",\s*catalog_title\s+TEXT GENERATED ALWAYS AS\s+\(substr\(matched_game_id, "
          r"instr\(matched_game_id, ':'\) \+ 1\)\) VIRTUAL", "")
    s.replace_column("matched_game_id", "matched_cg",
                     "(SELECT id FROM b.catalog_games cg WHERE cg.game_id = "
                     "b.games.matched_game_id)")
    s.indexes = {k: v.replace("matched_game_id", "matched_cg") for k, v in s.indexes.items()}


def hash_prefix(s: Schema, which: Sequence[str]) -> None:
    """The SHA1 / MD5 indexes keyed by the hash's first 8 bytes."""
    if "sha1" in which:
        s.indexes["idx_games_sha1"] = ("CREATE INDEX idx_games_sha1 ON games("
                                       "substr(sha1_bin, 1, 8))")
    if "md5" in which:
        s.indexes["idx_games_md5"] = ("CREATE INDEX idx_games_md5 ON games(substr(md5_bin, 1, 8)) "
                                      "WHERE md5_bin IS NOT NULL")


LEVERS: dict[str, tuple[str, Callable[[Schema], None]]] = {
    "path_stored": ("path index on a stored 64-bit key", lambda s: path_hash(s, True)),
    "path_expr": ("path index on rr_key64(filepath)", lambda s: path_hash(s, False)),
    "no_title_index": ("no idx_games_title_norm", no_title_index),
    "virtual_title": ("title_norm VIRTUAL", virtual_title),
    "codes": ("match/source codes, format derived", codes),
    "match_int": ("match as catalog_games.id", match_int),
    "sha1_md5_prefix": ("SHA1 and MD5 indexes on 8 bytes", lambda s: hash_prefix(s, ("sha1",
                                                                                      "md5"))),
    "md5_prefix": ("MD5 index on 8 bytes", lambda s: hash_prefix(s, ("md5",))),
}
SETS = {
    "set_expr4": ("path_expr", "no_title_index", "virtual_title", "codes"),
    "set_stored4": ("path_stored", "no_title_index", "virtual_title", "codes"),
    "set_expr5": ("path_expr", "no_title_index", "virtual_title", "codes", "md5_prefix"),
    "set_stored5": ("path_stored", "no_title_index", "virtual_title", "codes", "md5_prefix"),
}


def base_schema(conn: sqlite3.Connection) -> Schema:
    """The bench database's ``games`` as it is."""
    table = conn.execute("SELECT sql FROM sqlite_schema WHERE name = 'games'").fetchone()[0]
    columns = [str(r[1]) for r in conn.execute("SELECT * FROM pragma_table_xinfo('games') "
                                               "WHERE hidden = 0")]
    indexes = {str(n): str(q) for n, q in conn.execute(
        "SELECT name, sql FROM sqlite_schema WHERE type = 'index' AND tbl_name = 'games' "
        "AND sql IS NOT NULL")}
    return Schema(table, columns, list(columns), indexes)


def build(source: Path, target: Path, schema: Schema) -> tuple[dict[str, int], int, float]:
    """``target`` holding ``source``'s games in ``schema``: bytes per object, rows, insert
    CPU seconds."""
    for suffix in ("", "-journal"):
        Path(str(target) + suffix).unlink(missing_ok=True)
    conn = connect(target)
    conn.execute(schema.table)
    for sql in schema.indexes.values():
        conn.execute(sql)
    conn.execute("ATTACH ? AS b", (str(source),))
    insert = (f"INSERT INTO games ({', '.join(schema.columns)}) SELECT "
              f"{', '.join(schema.exprs)} FROM b.games WHERE id >= ? AND id < ? ORDER BY id")
    top = int(conn.execute("SELECT max(id) FROM b.games").fetchone()[0])
    start = time.process_time()
    for first in range(1, top + 1, 20_000):
        conn.execute("BEGIN")
        for low in range(first, min(first + 20_000, top + 1), 400):
            conn.execute(insert, (low, low + 400))
        conn.execute("COMMIT")
    cpu = time.process_time() - start
    conn.execute("DETACH b")
    sizes = {str(n): int(b) for n, b in conn.execute(
        "SELECT name, sum(pgsize) FROM dbstat WHERE name NOT LIKE 'sqlite_%' GROUP BY name")}
    rows = int(conn.execute("SELECT count(*) FROM games").fetchone()[0])
    conn.close()
    return sizes, rows, cpu


def cpu_ms(run: Callable[[], object], repeats: int) -> float:
    """Median CPU milliseconds of ``run``."""
    times = []
    for _ in range(repeats):
        start = time.process_time()
        run()
        times.append(time.process_time() - start)
    return statistics.median(times) * 1000


_STORED = ("SELECT filepath, id, file_size, file_mtime_ns, (sha1_bin IS NOT NULL OR crc32_bin "
           "IS NOT NULL OR is_archive = 1) * 1 + is_missing * 2 + (platform_source = 'user') * 4 "
           "+ (matched_game_id IS NOT NULL) * 8 FROM games WHERE root_id = 1")
_LIST = ("g.id, g.platform_id, g.filename, g.detected_title, g.region, g.file_size, "
         "g.match_method, g.is_missing, g.title_norm")


@dataclass
class Pair:
    """A question asked of the reference and of a candidate, the same answer expected."""

    label: str
    before: Callable[[sqlite3.Connection], Any]
    after: Callable[[sqlite3.Connection], Any]
    repeats: int = 21


def path_pairs(paths: list[str], folders: list[str], key: str) -> list[Pair]:
    """Path lookups and the rescan's per-folder loads, by the text or by ``key``."""
    def by_text(c: sqlite3.Connection) -> list[Any]:
        return [c.execute("SELECT id FROM games WHERE root_id = 1 AND filepath = ?",
                          (p,)).fetchone() for p in paths]

    def by_key(c: sqlite3.Connection) -> list[Any]:  # (+filepath: or the planner takes root_id)
        return [c.execute(f"SELECT id FROM games WHERE root_id = 1 AND {key} = ? AND "
                          "+filepath = ?", (path_key(p), p)).fetchone() for p in paths]

    pairs = [Pair(f"{len(paths):,} path lookups", by_text, by_key, 11)]
    for folder in folders:
        def range_text(c: sqlite3.Connection, f: str = folder) -> list[Any]:
            return sorted(c.execute(_STORED + " AND filepath >= ? AND filepath < ?",
                                    (f + "/", f + "0")))

        def range_key(c: sqlite3.Connection, f: str = folder) -> list[Any]:
            return sorted(c.execute(_STORED + f" AND {key} BETWEEN ? AND ? AND +filepath >= ? "
                                    "AND +filepath < ?", (*folder_range(f), f + "/", f + "0")))
        pairs.append(Pair(f"per-folder load of {folder}/", range_text, range_key))
    return pairs


def title_pairs(platforms: list[str], middle: tuple[str, int]) -> list[Pair]:
    """Title-ordered pages across platforms: the title index, or the platforms' facet ranges
    merged (their index keys, then the page's 50 rows)."""
    def merged(extra: str) -> str:
        arms = " UNION ALL ".join(
            "SELECT * FROM (SELECT title_norm AS t, id FROM games g WHERE platform_id = "
            f"'{p}' AND is_missing = 0 {extra} ORDER BY title_norm, id LIMIT 50)"
            for p in platforms)
        return (f"SELECT {_LIST} FROM ({arms} ORDER BY 1, 2 LIMIT 50) k CROSS JOIN games g "
                "ON g.id = k.id ORDER BY k.t, k.id")

    def one(extra: str) -> str:
        return (f"SELECT {_LIST} FROM games g WHERE is_missing = 0 {extra} "
                "ORDER BY g.title_norm, g.id LIMIT 50")

    pairs = []
    arms = len(platforms)
    for label, extra, params in (
            ("title page 1, all platforms", "", ()),
            ("title page at 50%", "AND (title_norm, id) > (?, ?)", middle),
            ("title prefix 'super' (no FTS5)", "AND title_norm >= 'super' "
             "AND title_norm < 'supes'", ()),
            ("title = 'tetris' (cache explain)", "AND title_norm = 'tetris'", ())):
        def before(c: sqlite3.Connection, q: str = one(extra), p: Any = params) -> Any:
            return c.execute(q, p).fetchall()

        def after(c: sqlite3.Connection, q: str = merged(extra),
                  p: Any = tuple(params) * arms) -> Any:
            return c.execute(q, p).fetchall()
        pairs.append(Pair(f"{label} ({len(platforms)} platforms)", before, after, 41))
    return pairs


def _same(sql: str, repeats: int = 21) -> Pair:
    def run(c: sqlite3.Connection) -> Any:
        return c.execute(sql).fetchall()
    return Pair(sql[:60], run, run, repeats)


def hash_pairs(hashes: dict[str, list[bytes]], which: Sequence[str]) -> list[Pair]:
    """Hash lookups, whole key or 8-byte prefix; with SHA1, the dupes query's repeated SHA1s."""
    pairs = []
    for name in which:
        column = f"{name}_bin"

        def whole(c: sqlite3.Connection, col: str = column, hs: Any = hashes[name]) -> Any:
            return [c.execute(f"SELECT id FROM games WHERE {col} = ?", (h,)).fetchall()
                    for h in hs]

        def prefix(c: sqlite3.Connection, col: str = column, hs: Any = hashes[name]) -> Any:
            return [c.execute(f"SELECT id FROM games WHERE substr({col}, 1, 8) = substr(?1, 1, 8)"
                              f" AND {col} = ?1", (h,)).fetchall() for h in hs]
        pairs.append(Pair(f"{len(hashes[name]):,} lookups by {name}", whole, prefix, 11))
    if "sha1" in which:
        pairs.append(Pair(
            "dupes: the repeated SHA1s",
            lambda c: sorted(c.execute("SELECT sha1_bin FROM games WHERE sha1_bin IS NOT NULL "
                                       "GROUP BY sha1_bin HAVING count(*) > 1")),
            lambda c: sorted(c.execute(
                "WITH k AS (SELECT substr(sha1_bin, 1, 8) AS k FROM games WHERE "
                "substr(sha1_bin, 1, 8) IS NOT NULL GROUP BY 1 HAVING count(*) > 1) "
                "SELECT g.sha1_bin FROM k CROSS JOIN games g ON substr(g.sha1_bin, 1, 8) = k.k "
                "GROUP BY g.sha1_bin HAVING count(*) > 1"))))
    return pairs


def match_pairs(ids: list[tuple[str, int]], platform: str) -> list[Pair]:
    """A catalog game's owned files, and a DAT report's join, by text id or integer id."""
    report = ("SELECT cg.game_id, count(g.id) FROM b.catalog_games cg LEFT JOIN games g ON "
              "g.{} WHERE cg.platform_id = ? GROUP BY cg.id ORDER BY cg.id")
    return [
        Pair(f"{len(ids):,} owned-file lookups by catalog game",
             lambda c: [c.execute("SELECT id FROM games WHERE matched_game_id = ?",
                                  (t,)).fetchall() for t, _ in ids],
             lambda c: [c.execute("SELECT id FROM games WHERE matched_cg = ?",
                                  (i,)).fetchall() for _, i in ids], 11),
        Pair(f"DAT report join, {platform}",
             lambda c: c.execute(report.format("matched_game_id = cg.game_id"),
                                 (platform,)).fetchall(),
             lambda c: c.execute(report.format("matched_cg = cg.id"), (platform,)).fetchall()),
    ]


def title_row_pairs() -> list[Pair]:
    """Reads that take the folded title from the row (computed when it is VIRTUAL)."""
    return [_same("SELECT id FROM games WHERE id % 10 = 0 ORDER BY title_norm, id", 11),
            _same("SELECT id, title_norm FROM games WHERE platform_id = 'snes' AND "
                  "is_missing = 0 AND region = 'USA' ORDER BY title_norm, id LIMIT 50", 41)]


def questions(source: sqlite3.Connection, lever: str) -> list[Pair]:
    """The queries ``lever`` changes, with their inputs drawn from the reference."""
    if lever.startswith("path_"):
        paths = [str(r[0]) for r in source.execute(
            "SELECT filepath FROM games ORDER BY random() LIMIT 2000")]
        folders = [str(r[0]) for r in source.execute(
            "SELECT substr(filepath, 1, instr(filepath, '/') - 1) AS f FROM games "
            "GROUP BY f ORDER BY count(*) DESC")]
        key = "path_key" if lever == "path_stored" else "rr_key64(filepath)"
        return path_pairs(paths, [folders[0], folders[-1]], key)
    if lever == "no_title_index":
        platforms = [str(r[0]) for r in source.execute(
            "SELECT DISTINCT platform_id FROM games ORDER BY 1")]
        middle = source.execute("SELECT title_norm, id FROM games ORDER BY title_norm, id "
                                "LIMIT 1 OFFSET (SELECT count(*) / 2 FROM games)").fetchone()
        return title_pairs(platforms, tuple(middle))
    if lever == "virtual_title":
        return title_row_pairs()
    if lever.endswith("_prefix"):
        which = ("sha1", "md5") if lever.startswith("sha1") else ("md5",)
        hashes = {n: [bytes(r[0]) for r in source.execute(
            f"SELECT {n}_bin FROM games WHERE {n}_bin IS NOT NULL ORDER BY random() LIMIT 2000")]
            for n in which}
        return hash_pairs(hashes, which)
    if lever == "match_int":
        # (a catalog game's text id can name several catalog_games rows, one per DAT that
        # lists it: the integer takes the first, as match_int's rebuild does)
        ids = [(str(t), int(i)) for t, i in source.execute(
            "SELECT t, (SELECT id FROM catalog_games cg WHERE cg.game_id = t) FROM (SELECT "
            "DISTINCT matched_game_id AS t FROM games WHERE matched_game_id IS NOT NULL) "
            "ORDER BY random() LIMIT 2000")]
        return match_pairs(ids, "snes")
    return []


def main(argv: list[str] | None = None) -> int:
    """Build the candidates, print their bytes and the queries' CPU time."""
    parser = argparse.ArgumentParser(prog="python -m benchmarks.leanrow")
    parser.add_argument("--db", type=Path, required=True, help="a scale benchmark's ours.db")
    parser.add_argument("--workdir", type=Path, required=True)
    parser.add_argument("--only", default="", help="comma-separated levers and sets "
                        f"(default: all): {', '.join([*LEVERS, *SETS])}")
    parser.add_argument("--no-queries", action="store_true")
    args = parser.parse_args(argv)
    chosen = [x for x in args.only.split(",") if x] or [*LEVERS, *SETS]
    unknown = [x for x in chosen if x not in LEVERS and x not in SETS]
    if unknown or not args.db.is_file():
        print(f"leanrow: unknown lever {unknown}" if unknown else f"{args.db}: no such file",
              file=sys.stderr)
        return 2
    args.workdir.mkdir(parents=True, exist_ok=True)
    source = connect(args.db)
    reference = base_schema(source)
    source.close()
    sizes, rows, cpu = build(args.db, args.workdir / "base.db", reference)
    base_total = _games_bytes(sizes, reference)
    print(f"| candidate ({rows:,} games) | games + indexes, B/game | saved | objects changed |"
          " insert CPU s |\n|---|---|---|---|---|")
    print(f"| base (the schema as it is, rebuilt) | {base_total / rows:.1f} | | | {cpu:.1f} |")
    built: dict[str, Path] = {}
    for name in chosen:
        schema = base_schema(connect(args.db))
        for lever in SETS.get(name, (name,)):
            LEVERS[lever][1](schema)
        target = args.workdir / f"{name}.db"
        got, count, cpu = build(args.db, target, schema)
        assert count == rows
        total = _games_bytes(got, schema)
        changed = ", ".join(f"{k} {sizes.get(k, 0) / rows:.1f}→{got.get(k, 0) / rows:.1f}"
                            for k in sorted(set(sizes) | set(got))
                            if abs(sizes.get(k, 0) - got.get(k, 0)) > rows)
        label = LEVERS[name][0] if name in LEVERS else " + ".join(SETS[name])
        print(f"| {name}: {label} | {total / rows:.1f} | {(base_total - total) / rows:.1f} | "
              f"{changed} | {cpu:.1f} |")
        built[name] = target
    if not args.no_queries:
        _time_queries(args.db, args.workdir / "base.db", built)
    return 0


def _games_bytes(sizes: dict[str, int], schema: Schema) -> int:
    names = {"games", *schema.indexes}
    return sum(size for name, size in sizes.items() if name in names)


def _time_queries(source_path: Path, base: Path, built: dict[str, Path]) -> None:
    print("\n| lever | query | before, CPU ms p50 | after | after/before |\n|---|---|---|---|---|")
    source = connect(source_path)
    for lever, path in built.items():
        if lever not in LEVERS:
            continue
        before, after = connect(base), connect(path)
        for conn in (before, after):
            conn.execute("ATTACH ? AS b", (str(source_path),))
        for pair in questions(source, lever):
            assert pair.before(before) == pair.after(after), (lever, pair.label)
            b = cpu_ms(partial(pair.before, before), pair.repeats)
            a = cpu_ms(partial(pair.after, after), pair.repeats)
            print(f"| {lever} | {pair.label} | {b:.3f} | {a:.3f} | {a / b:.2f} |")


if __name__ == "__main__":
    sys.exit(main())
