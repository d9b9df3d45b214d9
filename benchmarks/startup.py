"""How long a command takes from start to exit, dominated by Python's start and imports.

    python -m benchmarks.startup [--games 10000] [--runs 11] [--src DIR] [--workdir DIR]

Builds (once, in ``--workdir``) a database of ``--games`` scanned files, then runs each
command ``--runs`` times as ``python -m romrunner.cli.main`` in a fresh process and prints the
median and fastest wall time. ``--src`` runs another tree's engine (``git archive REV src |
tar -x -C DIR``, then ``--src DIR/src``) against the same database, for a before/after.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

COMMANDS = (["--version"], ["search", "game 01"], ["games", "ls", "--limit", "20"],
            ["db", "status"])


def build_library(work: Path, games: int) -> Path:
    """``games`` small files over four platforms, added and scanned; the database path."""
    db = work / "startup.db"
    if db.exists():
        return db
    for n in range(games):
        platform = ("snes", "gba", "nes", "megadrive")[n % 4]
        folder = work / "lib" / platform
        folder.mkdir(parents=True, exist_ok=True)
        (folder / f"Game {n:05d} (USA).bin").write_bytes(n.to_bytes(4, "big") * 64)
    env = {**os.environ, "ROMRUNNER_DB": str(db)}
    for args in (["library", "add", str(work / "lib")], ["--quiet", "scan"]):
        subprocess.run([sys.executable, "-m", "romrunner.cli.main", *args], env=env,
                       check=True, stdout=subprocess.DEVNULL)
    return db


def time_command(args: list[str], env: dict[str, str], runs: int) -> tuple[float, float]:
    """(median, fastest) seconds of ``runs`` runs of the command in a fresh process."""
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        subprocess.run([sys.executable, "-m", "romrunner.cli.main", *args], env=env,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)
        times.append(time.perf_counter() - started)
    return statistics.median(times), min(times)


def main() -> None:
    """Parse the command line, build the database, time each command."""
    parser = argparse.ArgumentParser(prog="python -m benchmarks.startup")
    parser.add_argument("--games", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=11)
    parser.add_argument("--src", type=Path, default=None,
                        help="the engine's src folder to run (default: the installed one)")
    parser.add_argument("--workdir", type=Path, default=None)
    args = parser.parse_args()
    work = args.workdir or Path(tempfile.mkdtemp(prefix="romrunner-startup-"))
    work.mkdir(parents=True, exist_ok=True)
    db = build_library(work, args.games)
    env = {**os.environ, "ROMRUNNER_DB": str(db)}
    if args.src is not None:
        env["PYTHONPATH"] = str(args.src.resolve())
    for command in COMMANDS:
        median, fastest = time_command(command, env, args.runs)
        print(f"{' '.join(command):30s} median {median * 1000:6.0f} ms  "
              f"fastest {fastest * 1000:6.0f} ms")


if __name__ == "__main__":
    main()
