"""Split arcade clones: CPU seconds of ``split_clones()`` over a synthetic library.

    python -m benchmarks.clones [--games 40000] [--runs 5] [--workdir DIR]

Two libraries of ``--games`` zips, each zip matched to a catalog game of one DAT in which
every other game is a clone of the one before it: ``arcade`` (each game of 3 ROMs, a clone
sharing 2 with its parent, its zip holding only its own: every clone split) and ``console``
(one ROM per game, as a No-Intro parent/clone DAT: no clone can be split, and only the
catalog is probed). The deploy planner asks this of every archive it is given, the auto-list
of every included clone.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path
from typing import Any


def build(path: Path, games: int, roms: int) -> None:
    """The synthetic library's rows, written straight to a fresh database of this engine."""
    from romrunner.store.open import OpenMode, open_database
    db = open_database(path, OpenMode.WRITE).db
    catalog: list[tuple[Any, ...]] = []
    members: list[tuple[Any, ...]] = []
    for game in range(games):
        clone = game % 2 == 1
        parent = game - 1 if clone else game
        for rom in range(roms):
            shared = roms > 1 and rom < 2  # the parent's ROM, in a clone's zip or not
            crc = (parent * 8 + rom if shared else game * 8 + rom + 4).to_bytes(4, "big")
            catalog.append((game + 1, f"r{rom}", 1024, crc))
            if not (clone and shared):
                members.append((game + 1, f"r{rom}", 1024, crc))
    with db.atomic():
        db.execute("INSERT INTO library_roots (id, path) VALUES (1, '/lib')")
        db.execute("INSERT INTO catalog_sources (id, name, platform_id, format, path, "
                   "file_sha1) VALUES (1, 'bench', 'arcade', 'logiqx', '/bench.dat', '-')")
        db.executemany("INSERT INTO catalog_games (id, source_id, game_id, platform_id, name, "
                       "clone_of) VALUES (?, 1, ?, 'arcade', ?, ?)",
                       [(i + 1, f"arcade:g{i}", f"g{i}", f"g{i - 1}" if i % 2 else None)
                        for i in range(games)])
        db.executemany("INSERT INTO catalog_roms (catalog_game_id, name, size, crc32_bin) "
                       "VALUES (?, ?, ?, ?)", catalog)
        db.executemany("INSERT INTO games (id, root_id, filepath, file_size, platform_id, "
                       "matched_game_id, match_method, is_archive) "
                       "VALUES (?, 1, ?, 1, 'arcade', ?, 'crc32', 1)",
                       [(i + 1, f"arcade/g{i}.zip", f"arcade:g{i}") for i in range(games)])
        db.executemany("INSERT INTO game_files (game_id, kind, name, file_size, crc32_bin) "
                       "VALUES (?, 'member', ?, ?, ?)", members)
    db.close()


def measure(path: Path, runs: int) -> dict[str, Any]:
    """CPU seconds of split_clones() over every game (the fastest of ``runs``)."""
    from romrunner.catalog.clones import split_clones
    from romrunner.store.open import OpenMode, open_database
    db = open_database(path, OpenMode.READ).db
    ids = [int(row[0]) for row in db.query("SELECT id FROM games")]
    found = split_clones(db, ids)  # (warm the page cache)
    seconds = []
    for _ in range(runs):
        started = time.process_time()
        split_clones(db, ids)
        seconds.append(time.process_time() - started)
    db.close()
    return {"games": len(ids), "split": len(found), "cpu_seconds": round(min(seconds), 3)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--games", type=int, default=40_000)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--workdir", type=Path, default=None)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(dir=args.workdir) as work:
        for kind, roms in (("arcade", 3), ("console", 1)):
            path = Path(work) / f"{kind}.db"
            build(path, args.games, roms)
            print(kind, measure(path, args.runs))


if __name__ == "__main__":
    main()
