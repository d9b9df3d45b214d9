"""The deploy plan's rule of one game in two formats (``Game (USA).iso`` beside ``Game
(USA).cso``: one of them goes), at scale.

    python -m benchmarks.formats [--pairs 50000] [--card empty|folder|full] [--rounds 3]
                                 [--workdir DIR] [--json FILE]

Registers ``--pairs`` PSP games as two files each (``.iso`` and ``.cso``, empty files, as
``benchmarks.deploy`` registers its plan games: one library root, size and time, no hash),
then plans every game in a fresh process per round, timing the plan and, inside it, the
rule (``_leave_out_other_formats``), wall and CPU. ``--card`` is the card the plan is made
for: ``empty`` (no platform folder: the rule looks at the card no further), ``folder`` (the
platform folder there, empty: the rule looks for each paired game on the card) or ``full``
(the platform folder holding the ``.iso`` of every pair, as an earlier deploy left it).
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from benchmarks.deploy import Layout, register
from benchmarks.peak import PEAK_RSS_SOURCE
from romrunner.store.open import OpenMode, open_database

_PLATFORM = "psp"


def build(work: Path, pairs: int) -> Path:
    """A database of ``pairs`` games in two formats each under ``work``; its path."""
    db_path = work / "formats.db"
    db = open_database(db_path, OpenMode.WRITE).db
    folder = work / "lib" / _PLATFORM
    folder.mkdir(parents=True)
    files = []
    for n in range(pairs):
        for extension in (".iso", ".cso"):
            path = folder / f"Game {n:06d} (USA){extension}"
            path.touch()
            files.append(path)
    register(db, work / "lib", files, _PLATFORM, sha1=False)
    db.close()
    return db_path


def card(work: Path, kind: str, pairs: int) -> Path:
    """A fresh card folder of ``kind`` (see the module's docstring)."""
    root = Path(tempfile.mkdtemp(prefix=f"card-{kind}-", dir=work))
    if kind != "empty":
        folder = root / "Roms" / _PLATFORM
        folder.mkdir(parents=True)
        if kind == "full":
            for n in range(pairs):
                (folder / f"Game {n:06d} (USA).iso").touch()
    return root


def plan_child(db_path: str, card_root: str) -> None:
    """In a fresh process: plan every game of the database; the plan's and the rule's
    time, and the peak memory."""
    exec(PEAK_RSS_SOURCE, globals())
    from romrunner.deploy import plan as planmod
    from romrunner.store import Database
    spent = [0.0, 0.0]
    inner = planmod._leave_out_other_formats

    def timed(*args: Any, **kwargs: Any) -> None:
        wall, cpu = time.perf_counter(), time.process_time()
        try:
            inner(*args, **kwargs)
        finally:
            spent[0] += time.perf_counter() - wall
            spent[1] += time.process_time() - cpu

    planmod._leave_out_other_formats = timed
    db = Database(db_path)
    ids = [int(row[0]) for row in db.query("SELECT id FROM games ORDER BY id")]
    wall, cpu = time.perf_counter(), time.process_time()
    plan = planmod.build_plan(db, Layout(Path(card_root)), ids, keep=False)
    print(json.dumps({"games": len(ids), "files": len(plan.items),
                      "left_out": len(plan.copies),
                      "plan_s": round(time.perf_counter() - wall, 3),
                      "plan_cpu_s": round(time.process_time() - cpu, 3),
                      "rule_s": round(spent[0], 3), "rule_cpu_s": round(spent[1], 3),
                      "peak_kib": globals()["peak_rss_kib"]()}))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--pairs", type=int, default=50_000)
    parser.add_argument("--card", choices=("empty", "folder", "full"), default="folder")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--workdir", type=Path, default=None)
    parser.add_argument("--json", type=Path, default=None)
    args = parser.parse_args()
    work = args.workdir or Path(tempfile.mkdtemp(prefix="rr-formats-"))
    work.mkdir(parents=True, exist_ok=True)
    db_path = build(work, args.pairs)
    code = "import sys; from benchmarks.formats import plan_child; plan_child(*sys.argv[1:])"
    runs = []
    for _ in range(args.rounds):
        root = card(work, args.card, args.pairs)
        out = subprocess.run([sys.executable, "-c", code, str(db_path), str(root)],
                             capture_output=True, text=True, check=True).stdout
        runs.append(json.loads(out))
    figures = {"pairs": args.pairs, "card": args.card, "runs": runs,
               **{f"median_{key}": statistics.median(run[key] for run in runs)
                  for key in ("plan_s", "plan_cpu_s", "rule_s", "rule_cpu_s")}}
    text = json.dumps(figures, indent=2)
    print(text)
    if args.json is not None:
        args.json.write_text(text + "\n")


if __name__ == "__main__":
    main()
