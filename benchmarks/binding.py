"""The SQLite binding decision (DECISIONS.md): stdlib ``sqlite3`` against ``apsw``, measured.

    pip install apsw            # not an engine dependency; only this benchmark needs it
    python -m benchmarks.binding [--games 1000000] [--seed 1] [--workdir DIR]

Both bindings run the same statements on the same generated rows, each on its own copy of
one empty engine database (the real v1.1 schema, indexes and search index), with the
engine's connection pragmas:

* bulk insert of the scan writer's row shape into ``games`` (``executemany``, 5,000 rows
  per transaction), rows/s;
* point lookups by md5 and by sha1 of stored rows, p50/p99 ms;
* a keyset page of 50 titles of one platform at a random depth, p50/p99 ms;
* the search index rebuilt, then a ranked typeahead (3-letter prefix), p50/p99 ms.

The ``sqlite3`` side runs on the SQLite the user's Python links (3.40 here); ``apsw`` ships
its own, so the figures compare what a user would really get from each choice.
"""

from __future__ import annotations

import argparse
import json
import random
import shutil
import sqlite3
import tempfile
import time
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any

from benchmarks.scale.data import Generator, load_catalog_pool
from benchmarks.scale.measure import percentile
from romrunner.library.roots import add_root
from romrunner.store.database import SHARED_PRAGMAS, WRITER_PRAGMAS
from romrunner.store.open import OpenMode, open_database
from romrunner.textnorm import fold

BATCH = 5000
LOOKUPS = 3000
PAGES = 500
TYPEAHEADS = 500
PRAGMAS = WRITER_PRAGMAS + SHARED_PRAGMAS  # the engine's own connection policy
INSERT = ("INSERT INTO games (root_id, filepath, file_size, file_mtime_ns, crc32_bin,"
          " md5_bin, sha1_bin, platform_id, platform_source, detected_title, title_norm,"
          " scanned_unix) VALUES (?,?,?,?,?,?,?,?,'folder',?,?,1796083200)")
FIND_MD5 = "SELECT id, filepath FROM games WHERE md5_bin = ?"
FIND_SHA1 = "SELECT id, filepath FROM games WHERE sha1_bin = ?"
PAGE = ("SELECT id, title_norm FROM games WHERE platform_id = ? AND title_norm > ?"
        " ORDER BY title_norm, id LIMIT 50")
TYPEAHEAD = ("SELECT rowid FROM games_fts WHERE games_fts MATCH ? ORDER BY rank LIMIT 20")


class Binding:
    """One binding's connection with the engine's pragmas and explicit transactions."""

    def __init__(self, name: str, conn: Any, run_many: Callable[[str, list[tuple[Any, ...]]],
                 object], version: str) -> None:
        self.name, self.conn, self.run_many, self.version = name, conn, run_many, version
        for pragma in PRAGMAS:
            self.rows(pragma)

    def rows(self, sql: str, params: Sequence[Any] = ()) -> list[Any]:
        """All rows of one statement."""
        return list(self.conn.execute(sql, params).fetchall())

    def insert_batches(self, batches: Iterator[list[tuple[Any, ...]]]) -> int:
        """Insert every batch in its own transaction; the number of rows."""
        count = 0
        for batch in batches:
            self.conn.execute("BEGIN")
            self.run_many(INSERT, batch)
            self.conn.execute("COMMIT")
            count += len(batch)
        return count


def open_sqlite3(path: Path) -> Binding:
    """The stdlib binding in autocommit mode (the engine's own setting)."""
    conn = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    return Binding("sqlite3", conn, conn.executemany, sqlite3.sqlite_version)


def open_apsw(path: Path) -> Binding | None:
    """The apsw binding, or None when it is not installed."""
    try:
        import apsw  # type: ignore[import-not-found,unused-ignore]
    except ImportError:
        return None
    conn = apsw.Connection(str(path))
    cursor = conn.cursor()
    return Binding("apsw", cursor, cursor.executemany, apsw.sqlite_lib_version())


def game_rows(count: int, seed: int, root_id: int) -> list[tuple[Any, ...]]:
    """The scan writer's row shape for ``count`` generated games."""
    pool = load_catalog_pool(limit_per_platform=2000)
    return [(root_id, g.relpath, g.size, g.mtime_ns, bytes.fromhex(g.crc32),
             bytes.fromhex(g.md5), bytes.fromhex(g.sha1),
             g.platform, g.title, fold(g.title))
            for g in Generator(count, seed, pool).games()]


def batched(rows: list[tuple[Any, ...]]) -> Iterator[list[tuple[Any, ...]]]:
    """``rows`` in slices of ``BATCH``."""
    for start in range(0, len(rows), BATCH):
        yield rows[start:start + BATCH]


def latency(operation: Callable[[Any], object], arguments: list[Any]) -> dict[str, float]:
    """p50/p99 in ms of ``operation`` over ``arguments``."""
    durations = []
    for argument in arguments:
        started = time.perf_counter()
        operation(argument)
        durations.append((time.perf_counter() - started) * 1000)
    return {"p50_ms": round(percentile(durations, 0.5), 4),
            "p99_ms": round(percentile(durations, 0.99), 4)}


def measure(binding: Binding, rows: list[tuple[Any, ...]], seed: int) -> dict[str, Any]:
    """Every workload on one binding."""
    rng = random.Random(seed)
    started = time.perf_counter()
    inserted = binding.insert_batches(batched(rows))
    insert_s = time.perf_counter() - started
    sample = rng.sample(rows, min(LOOKUPS, len(rows)))
    pages = [(row[7], row[9][:rng.randint(1, 3)]) for row in rng.sample(rows, PAGES)]
    prefixes = [f'"{row[9][:3]}"*' for row in rng.sample(rows, TYPEAHEADS) if row[9][:3]]
    figures: dict[str, Any] = {
        "sqlite_version": binding.version,
        "insert_rows_per_s": round(inserted / insert_s),
        "lookup_md5": latency(lambda r: binding.rows(FIND_MD5, (r[5],)), sample),
        "lookup_sha1": latency(lambda r: binding.rows(FIND_SHA1, (r[6],)), sample),
        "keyset_page": latency(lambda p: binding.rows(PAGE, p), pages),
    }
    started = time.perf_counter()
    # The index holds folded titles (contentless): title_norm is the folded detected title,
    # and rr_fold, the engine's SQL function, is not registered on these bare connections.
    binding.rows("INSERT INTO games_fts (rowid, detected_title) SELECT id, title_norm FROM games")
    figures["fts_rebuild_s"] = round(time.perf_counter() - started, 2)
    figures["typeahead_ranked"] = latency(lambda q: binding.rows(TYPEAHEAD, (q,)), prefixes)
    return figures


def empty_engine_database(folder: Path) -> tuple[Path, int]:
    """An engine database with one library root and no games."""
    path = folder / "empty.db"
    db = open_database(path, OpenMode.WRITE).db
    root = add_root(db, folder)
    db.close()
    return path, root.id


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--games", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--workdir", type=Path, default=None)
    args = parser.parse_args()
    workdir = args.workdir or Path(tempfile.mkdtemp(prefix="romrunner-binding-"))
    workdir.mkdir(parents=True, exist_ok=True)
    template, root_id = empty_engine_database(workdir)
    rows = game_rows(args.games, args.seed, root_id)
    results: dict[str, Any] = {"games": args.games}
    for name, opener in (("sqlite3", open_sqlite3), ("apsw", open_apsw)):
        path = workdir / f"{name}.db"
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
        shutil.copyfile(template, path)
        binding = opener(path)
        if binding is None:
            results[name] = "not installed: pip install apsw"
            continue
        results[name] = measure(binding, rows, args.seed)
    print(json.dumps(results, indent=1))


if __name__ == "__main__":
    main()
