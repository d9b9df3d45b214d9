"""What ``romrunner db status`` pays to list the files a scan found damaged, at scale.

    python -m benchmarks.damaged DATABASE [--damaged 50] [--rounds 7]

Takes a database the scale benchmark built (``python -m benchmarks run --scale 1m --workdir
W --only sizes --reuse`` leaves ``W/ours.db``), copies it beside itself, marks ``--damaged``
of its games, spread over the table, damaged as a scan marks them (``scan_error``), brings the
copy to the current schema, and times :func:`romrunner.library.games.damaged_files` and
:func:`~romrunner.library.games.unusable_games` (warm: median of ``--rounds``, wall and CPU),
with SQLite's plan of the query. The copy is removed afterwards.
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from romrunner.library.games import damaged_files, unusable_games
from romrunner.store.open import OpenMode, open_database


def timed(operation: Callable[[], object], rounds: int) -> dict[str, float]:
    """Median wall and CPU milliseconds of ``rounds`` calls (after one to warm the cache)."""
    operation()
    walls, cpus = [], []
    for _ in range(rounds):
        wall, cpu = time.perf_counter(), time.process_time()
        operation()
        walls.append(time.perf_counter() - wall)
        cpus.append(time.process_time() - cpu)
    return {"wall_ms": round(statistics.median(walls) * 1000, 2),
            "cpu_ms": round(statistics.median(cpus) * 1000, 2)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("database", type=Path)
    parser.add_argument("--damaged", type=int, default=50)
    parser.add_argument("--rounds", type=int, default=7)
    args = parser.parse_args()
    copy = args.database.with_name(args.database.stem + "-damaged.db")
    shutil.copyfile(args.database, copy)
    try:
        db = open_database(copy, OpenMode.WRITE).db
        games = int(db.scalar("SELECT count(*) FROM games"))
        step = max(1, games // max(1, args.damaged))
        with db.atomic():
            db.execute("UPDATE games SET scan_error = 'zip member CRC mismatch' "
                       "WHERE id % ? = 0", (step,))
        statements: list[str] = []
        db.conn.set_trace_callback(statements.append)  # (the engine's own query, planned)
        found = len(damaged_files(db))
        db.conn.set_trace_callback(None)
        plan = [str(row[3]) for statement in statements if "scan_error" in statement
                for row in db.query(f"EXPLAIN QUERY PLAN {statement}")]
        figures: dict[str, Any] = {
            "games": games, "damaged": found, "query_plan": plan,
            "damaged_files": timed(lambda: damaged_files(db), args.rounds),
            "unusable_games": timed(lambda: unusable_games(db), args.rounds)}
        db.close()
    finally:
        for suffix in ("", "-wal", "-shm"):
            Path(str(copy) + suffix).unlink(missing_ok=True)
    print(json.dumps(figures, indent=2))


if __name__ == "__main__":
    main()
