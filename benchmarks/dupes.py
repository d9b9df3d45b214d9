"""``games dupes`` on a synthetic library with archives: CPU seconds of ``duplicates()``.

    python -m benchmarks.dupes [--games 1000000] [--runs 3] [--workdir DIR] [--src DIR]

The library: 60% loose files with their CRC32 and SHA1, 30% zips of one member known by the
CRC32 their directory states (a first scan), 10% zips of ten members (arcade sets), and 1,000
loose copies. ``--src`` times another tree's engine on the same database (``git archive REV
src | tar -x -C DIR``, then ``--src DIR/src``) for a before/after.
"""

from __future__ import annotations

import argparse
import random
import sys
import tempfile
import time
from pathlib import Path
from typing import Any


def build(path: Path, games: int) -> None:
    """The synthetic library's rows, written straight to a fresh database of this engine."""
    from romrunner.store.open import OpenMode, open_database
    db = open_database(path, OpenMode.WRITE).db
    rng = random.Random(1)
    rows: list[tuple[Any, ...]] = []
    files: list[tuple[Any, ...]] = []
    with db.atomic():
        db.execute("INSERT INTO library_roots (id, path) VALUES (1, '/lib')")
        for i in range(1, games + 1):
            kind = i % 10
            if kind < 6:
                rows.append((i, f"nes/g{i}.nes", 100_000 + i, rng.randbytes(4),
                             rng.randbytes(20), 0, "nes"))
            elif kind < 9:
                rows.append((i, f"snes/g{i}.zip", 90_000 + i, None, None, 1, "snes"))
                files.append((i, f"g{i}.sfc", 200_000 + i, rng.randbytes(4)))
            else:
                rows.append((i, f"arcade/g{i}.zip", 90_000 + i, None, None, 1, "arcade"))
                files.extend((i, f"chip{m}.bin", 1000 + m, rng.randbytes(4)) for m in range(10))
        rows.extend((games + 1 + j, f"nes/copy{j}.nes", *rows[j][2:]) for j in range(1000))
        db.executemany("INSERT INTO games (id, root_id, filepath, file_size, file_mtime_ns, "
                       "crc32_bin, sha1_bin, is_archive, platform_id) "
                       "VALUES (?, 1, ?, ?, 1, ?, ?, ?, ?)", rows)
        db.executemany("INSERT INTO game_files (game_id, kind, name, file_size, crc32_bin) "
                       "VALUES (?, 'member', ?, ?, ?)", files)
    db.execute("ANALYZE")
    db.close()


def main() -> None:
    """Build the library once, then time ``duplicates()``."""
    parser = argparse.ArgumentParser(prog="python -m benchmarks.dupes")
    parser.add_argument("--games", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--workdir", type=Path, default=None)
    parser.add_argument("--src", type=Path, default=None,
                        help="the engine's src folder to time (default: the installed one)")
    args = parser.parse_args()
    if args.src is not None:  # before any import of the engine
        sys.path.insert(0, str(args.src.resolve()))
    work = args.workdir or Path(tempfile.mkdtemp(prefix="romrunner-dupes-"))
    work.mkdir(parents=True, exist_ok=True)
    path = work / f"dupes-{args.games}.db"
    if not path.exists():
        build(path, args.games)
    from romrunner.library.reports import duplicates
    from romrunner.store.open import OpenMode, open_database
    db = open_database(path, OpenMode.READ).db
    times = []
    for _ in range(args.runs):
        started = time.process_time()
        sets = duplicates(db)
        times.append(time.process_time() - started)
    print(f"{args.games:,} games: {len(sets)} sets, CPU fastest {min(times):.2f} s, "
          f"runs {', '.join(f'{t:.2f}' for t in times)}")


if __name__ == "__main__":
    main()
