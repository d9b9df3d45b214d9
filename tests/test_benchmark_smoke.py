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
    assert figures["ingest"]["ours"]["cpu_seconds"] > 0
    reindex = figures["search_reindex"]  # (the writer's index statement, rolled back)
    assert len(reindex["rounds"]) == 3 and reindex["median_cpu_seconds"] > 0
    assert 0 < reindex["reading_rows"] < reindex["with_catalog_title"] < 10_000
    # (ours keeps the expired answers that leave a game out — broken, boots only — and says
    # so: QA153 F11; the baseline deletes them too)
    prune = figures["prune"]
    assert prune["ours"]["deleted"] + prune["ours"]["kept"] == prune["baseline"]["deleted"]
    assert 0 < prune["ours"]["kept"] < prune["baseline"]["deleted"]
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


def test_leanrow_benchmark_smoke(tmp_path: Path) -> None:
    """Goal 3's lever measurement runs on a scale benchmark's database: every candidate holds
    every game in fewer bytes, and each query asked before and after gives the same answer
    (the script checks; a path key whose folder range missed a path would fail it)."""
    built = subprocess.run([sys.executable, "-m", "benchmarks", "run", "--scale", "10k",
                            "--workdir", str(tmp_path / "bench"), "--only", "sizes"],
                           cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert built.returncode == 0, built.stderr[-2000:]
    proc = subprocess.run([sys.executable, "-m", "benchmarks.leanrow", "--db",
                           str(tmp_path / "bench" / "ours.db"), "--workdir",
                           str(tmp_path / "lean"), "--only",
                           "path_expr,no_title_index,md5_prefix,set_stored4"],
                          cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stderr[-2000:]
    saved = {line.split("|")[1].split(":")[0].strip(): float(line.split("|")[3])
             for line in proc.stdout.splitlines()
             if line.startswith(("| path_", "| no_", "| md5", "| set_"))
             and line.split("|")[3].strip().replace(".", "").isdigit()}
    assert set(saved) == {"path_expr", "no_title_index", "md5_prefix", "set_stored4"}
    assert all(value > 0 for value in saved.values()), saved
    assert saved["set_stored4"] > saved["no_title_index"]
    for label in ("path lookups", "per-folder load", "title page 1", "lookups by md5"):
        assert label in proc.stdout


def test_the_projection_leaves_out_a_cache_the_run_did_not_measure() -> None:
    """QA134 F6: a run without the cache workload (`--only sizes`) scaled one empty 8 KiB
    page to 10M observations: 287,402 MB "projected" for 1M games."""
    from benchmarks.scale.report import project

    sizes = {"games": 400_000, "games_fts": 60_000, "game_files": 20_000,
             "catalog_games": 5_000, "compat_observations": 8192, "emulator_compat_cache": 8192,
             "game_key_dim": 8192}
    bare = project({"sizes": {"ours": sizes}, "scale": 1000,
                    "rows": {"ours_observations": 0}})
    assert "cache observations" not in bare and "key dictionaries" not in bare
    assert bare["total"] == 400_000_000 + 60_000_000 + 20_000_000 + 5_000
    measured = project({"sizes": {"ours": sizes}, "scale": 1000,
                        "rows": {"ours_observations": 8192, "ours_cache_keys": 4096}})
    assert measured["cache observations"] == 10_000_000
