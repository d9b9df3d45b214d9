"""``python -m benchmarks run --scale 10k|100k|1m``: the scale benchmark (docs/PERFORMANCE.md).

``python -m benchmarks report FIGURES.json`` prints a run's tables again.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
from pathlib import Path

from benchmarks.scale.report import render
from benchmarks.scale.run import SCALES, run


def main(argv: list[str] | None = None) -> int:
    """Parse the command line, run, print the report and write the JSON figures."""
    parser = argparse.ArgumentParser(prog="python -m benchmarks")
    commands = parser.add_subparsers(dest="command", required=True)
    scale = commands.add_parser("run", help="the scale benchmark, ours vs the v1.0.1 draft")
    scale.add_argument("--scale", choices=sorted(SCALES), default="10k")
    scale.add_argument("--seed", type=int, default=1)
    scale.add_argument("--workdir", type=Path, default=None,
                       help="where the two databases go (default: a temp folder)")
    scale.add_argument("--json", type=Path, default=None, help="write the figures here")
    scale.add_argument("--only", default="", help="comma-separated workloads to run (after "
                       "the catalogs and ingest they need); default: all")
    scale.add_argument("--reuse", action="store_true", help="keep the databases as built "
                       "in --workdir and start later runs from copies of them")
    again = commands.add_parser("report", help="print the tables of a run's JSON figures again")
    again.add_argument("figures", type=Path)
    args = parser.parse_args(argv)
    if args.command == "report":
        print(render(json.loads(args.figures.read_text())))
        return 0
    workdir = args.workdir or Path(tempfile.mkdtemp(prefix="romrunner-bench-"))
    workdir.mkdir(parents=True, exist_ok=True)
    only = tuple(name for name in args.only.split(",") if name)
    figures = run(SCALES[args.scale], args.seed, workdir,
                  lambda name: print(f"  {name}...", file=sys.stderr, flush=True), only,
                  args.reuse)
    figures["cores"] = os.cpu_count()
    if args.json:
        args.json.write_text(json.dumps(figures, indent=1, sort_keys=True))
    print(render(figures))
    return 0 if all(figures["checks"].values()) else 1


if __name__ == "__main__":
    sys.exit(main())
