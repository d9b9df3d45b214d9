"""The scale benchmark still runs and produces every figure (presence and sanity, no timing)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from benchmarks.scale.report import LATENCY, RATES

ROOT = Path(__file__).resolve().parents[1]


def test_scale_benchmark_smoke_at_10k(tmp_path: Path) -> None:
    out = tmp_path / "figures.json"
    proc = subprocess.run([sys.executable, "-m", "benchmarks", "run", "--scale", "10k",
                           "--workdir", str(tmp_path / "work"), "--json", str(out)],
                          cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stderr[-2000:]
    figures = json.loads(out.read_text())
    # Same rows on both sides for the same questions, and every sanity check held.
    assert figures["checks"] and all(figures["checks"].values()), figures["checks"]
    assert len(figures["checks"]) >= 12
    for name in LATENCY:
        mine = figures[name]["ours"]
        assert 0 < mine["p50_ms"] <= mine["p99_ms"] and mine["runs"] > 0, name
    for name in RATES:
        assert figures[name]["ours"]["rows"] > 0 and figures[name]["baseline"]["rows"] > 0
    assert figures["cache_observation_ingest"]["observations"] == 5 * 10_000
    assert figures["prune"]["ours"]["deleted"] == figures["prune"]["baseline"]["deleted"]
    sizes = figures["sizes"]["ours"]
    assert sizes["games"] > 0 and sizes["compat_observations"] > 0
    assert "idx_games_added_at" not in sizes  # dropped by migration 4 (serves no query)
    games_costs = figures["index_costs"]["games"]
    assert games_costs["rows"] == 10_000
    assert set(games_costs["indexes"]) == {
        name for name in sizes if name.startswith(("idx_games_", "uidx_games_"))}
    assert all(item["serves"] for item in games_costs["indexes"].values())  # each says why
    # The Markdown report names every workload.
    for name in (*LATENCY, *RATES):
        assert name in proc.stdout
    assert "projected at 1,000,000 games + 10,000,000 observations" in proc.stdout
    # The tables can be printed again from the JSON alone, identically.
    again = subprocess.run([sys.executable, "-m", "benchmarks", "report", str(out)], cwd=ROOT,
                           capture_output=True, text=True, timeout=60)
    assert again.returncode == 0 and again.stdout == proc.stdout


def test_scanwalk_benchmark_smoke(tmp_path: Path) -> None:
    """The scan benchmark runs end to end on a small tree: every file stored by the first
    scan, both rescans open nothing and find everything unchanged."""
    proc = subprocess.run([sys.executable, "-m", "benchmarks.scanwalk", "--files", "400",
                           "--rounds", "1", "--workers", "2", "--workdir", str(tmp_path)],
                          cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stderr[-2000:]
    figures = json.loads(proc.stdout)
    assert figures["first_scan"]["added"] == 400 and figures["first_scan"]["errors"] == 0
    for label in ("rescan_1_process", "rescan_workers"):
        assert figures[label]["bytes_hashed"] == 0 and figures[label]["unchanged"] == 400
        assert figures[label]["ratio_median"] > 0
    assert figures["rescan_workers"]["worker_peak_rss_mib"] > 0
