"""benchmarks/deploy.py still runs and gives every figure (presence and sanity, no timing)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_deploy_benchmark_smoke(tmp_path: Path) -> None:
    out = tmp_path / "figures.json"
    proc = subprocess.run(
        [sys.executable, "-m", "benchmarks.deploy", "--large", "1", "--large-mib", "1",
         "--small", "20", "--small-kib", "1", "--redeploy", "50", "--plan-games", "200",
         "--rounds", "1", "--workdir", str(tmp_path), "--json", str(out)],
        cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stderr[-2000:]
    figures = json.loads(out.read_text())
    for name in ("copy_large", "copy_small"):
        copy = figures[name]
        assert copy["ours_mib_s"] > 0 and copy["plain_mib_s"] > 0
        assert copy["ratio_vs_plain_median"] > 0 and copy["run_only_ratio_vs_plain_median"] > 0
        assert copy["cpu_ratio_vs_plain_median"] > 0 \
            and copy["run_only_cpu_ratio_vs_plain_median"] > 0
    redeploy = figures["redeploy_unchanged"]
    assert redeploy["files"] == 50 and redeploy["bytes_written"] == 0
    assert redeploy["ours_run_only_s"] <= redeploy["ours_s"]
    plan = figures["plan_validate"]
    assert plan["games"] == plan["files"] == 200 and plan["enough_space"]
