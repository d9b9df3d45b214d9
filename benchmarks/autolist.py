"""Auto-list of a large library for one profile, path legalising, destination scan.

    python -m benchmarks.autolist [--games 100000] [--names 200000] [--card-files 50000]
                                  [--pack DIR] [--json FIGURES.json]

The library is written straight into a fresh database (20 platforms, regional versions,
revisions, betas and hacks, a fifth matched to DAT games with compatibility and performance
records), so the figure is the auto-list itself: time and peak Python memory of
``build_autolist``. The legaliser runs over names with and without characters FAT32 refuses.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import tempfile
import time
import tracemalloc
from pathlib import Path
from typing import Any

from romrunner.cache.ingest import ingest_observations
from romrunner.cache.kinds import COMPAT, PERFORMANCE
from romrunner.deploy.legal import FileSystem, legal_component
from romrunner.devices.autolist import build_autolist
from romrunner.devices.profiles import add_device, create_profile
from romrunner.devices.scan import scan_destination
from romrunner.packs.loader import DefinitionPack, load_pack
from romrunner.packs.sync import sync_pack
from romrunner.store import Database, OpenMode, open_database

PLATFORMS = ["nes", "snes", "gb", "gbc", "gba", "genesis", "sms", "gamegear", "n64", "psx",
             "psp", "nds", "dreamcast", "saturn", "ps2", "atari-2600", "tg16", "neogeo",
             "arcade", "wonderswan"]
REGIONS = ["USA", "Europe", "Japan", "World", "USA, Europe"]


def build_library(db: Database, games: int, seed: int = 7) -> None:
    """``games`` rows over PLATFORMS: titles in groups of 1-5 versions."""
    rng = random.Random(seed)
    db.execute("INSERT INTO library_roots (path) VALUES ('/bench/roms')")
    root = int(db.scalar("SELECT id FROM library_roots"))
    rows: list[tuple[Any, ...]] = []
    title = 0
    while len(rows) < games:
        title += 1
        platform = PLATFORMS[title % len(PLATFORMS)]
        for version in range(rng.randint(1, 5)):
            region = REGIONS[version % len(REGIONS)]
            flags = '["beta"]' if rng.random() < 0.03 else None
            hack = int(rng.random() < 0.02)
            revision = str(version) if version > 2 else None
            name = f"Game {title} ({region})" + (f" (Rev {revision})" if revision else "")
            matched = f"{platform}:game {title}" if title % 5 == 0 else None
            rows.append((root, f"{platform}/{name}.bin", 1024, platform,
                         f"Game {title}", f"game {title}", region, '["En"]', revision, flags,
                         hack, matched))
            if len(rows) >= games:
                break
    with db.atomic():
        db.executemany(
            "INSERT INTO games (root_id, filepath, file_size, platform_id, "
            "detected_title, title_norm, region, languages, revision, flags, is_hack, "
            "matched_game_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", rows)
    keys = [str(row[11]) for row in rows if row[11]]
    ingest_observations(db, COMPAT, "emulator-official", [
        {"platform_id": key.split(":")[0], "emulator_id": "snes9x", "definition_game_id": key,
         "status": "playable" if i % 7 else "broken"} for i, key in enumerate(keys)])
    ingest_observations(db, PERFORMANCE, "retrocatalog-api", [
        {"device_profile_id": 1, "platform_id": key.split(":")[0], "emulator_id": None,
         "definition_game_id": key, "performance_tier": "good" if i % 9 else "poor",
         "exclude_from_auto": int(i % 9 == 0)} for i, key in enumerate(keys)])


def autolist_figures(pack: DefinitionPack, games: int, folder: Path) -> dict[str, Any]:
    """Time and peak memory of one auto-list over a ``games``-game library."""
    db = open_database(folder / "bench.db", OpenMode.WRITE).db
    sync_pack(db, pack)
    device = next(iter(pack.devices)) if "rg-35xx-plus" not in pack.devices else "rg-35xx-plus"
    add_device(db, pack, device)
    os_id = "knulli" if "knulli" in pack.operating_systems else next(iter(pack.operating_systems))
    profile = create_profile(db, pack, 1, os_id).profile
    build_library(db, games)
    build_autolist(db, pack, profile.id)  # warm the page cache
    tracemalloc.start()
    started = time.perf_counter()
    result = build_autolist(db, pack, profile.id)
    seconds = time.perf_counter() - started
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    started, cpu = time.perf_counter(), time.process_time()
    build_autolist(db, pack, profile.id)
    untraced, cpu = time.perf_counter() - started, time.process_time() - cpu
    db.close()
    return {"games": len(result.entries), "included": len(result.included),
            "seconds": round(untraced, 3), "cpu_seconds": round(cpu, 3),
            "seconds_traced": round(seconds, 3),
            "peak_python_mib": round(peak / 2**20, 1), "summary": result.summary()}


def legaliser_figures(count: int) -> dict[str, int]:
    """Names per second through ``legal_component``: No-Intro-style names that are already
    legal, and names that need repair (``:``, ``?``, a trailing dot), per file system."""
    rng = random.Random(3)
    clean = [f"Game {i} ({rng.choice(REGIONS)}) (Rev {i % 3}).sfc" for i in range(count)]
    dirty = [f"Game {i}: The Sequel? ({rng.choice(REGIONS)}) v1." for i in range(count)]
    figures = {}
    for label, names in (("clean", clean), ("repaired", dirty)):
        for fs in (FileSystem.FAT32, FileSystem.POSIX):
            started = time.perf_counter()
            for name in names:
                legal_component(name, fs)
            figures[f"{fs.value}_{label}_names_per_s"] = round(
                count / (time.perf_counter() - started))
    return figures


def scan_figures(pack: DefinitionPack, files: int, folder: Path) -> dict[str, Any]:
    """A destination scan of a card holding ``files`` files in 20 platform folders."""
    card = folder / "card"
    (card / "roms").mkdir(parents=True)
    (card / "bios").mkdir()
    for index in range(files):
        platform = card / "roms" / PLATFORMS[index % len(PLATFORMS)]
        platform.mkdir(exist_ok=True)
        (platform / f"g{index}.bin").touch()
    db = open_database(folder / "scan.db", OpenMode.WRITE).db
    started = time.perf_counter()
    result = scan_destination(db, pack, card)
    seconds = time.perf_counter() - started
    db.close()
    return {"files": sum(f.file_count for f in result.folders), "seconds": round(seconds, 3),
            "detected_os": result.detected_os}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--games", type=int, default=100_000)
    parser.add_argument("--names", type=int, default=200_000)
    parser.add_argument("--card-files", type=int, default=50_000)
    parser.add_argument("--pack", type=Path, default=None, help="default: ../shared's real "
                        "pack when present, else the built-in pack")
    parser.add_argument("--json", type=Path, default=None)
    args = parser.parse_args()
    real = Path(__file__).resolve().parents[2] / "shared" / "definition-pack"
    pack = load_pack(args.pack or (real if real.is_dir() else None))
    with tempfile.TemporaryDirectory() as work:
        figures = {"pack": str(pack.path), "cpus": os.cpu_count(),
                   "autolist": autolist_figures(pack, args.games, Path(work)),
                   "legaliser": legaliser_figures(args.names)}
        if args.card_files:
            figures["destination_scan"] = scan_figures(pack, args.card_files, Path(work))
    print(json.dumps(figures, indent=1))
    if args.json:
        args.json.write_text(json.dumps(figures, indent=1))


if __name__ == "__main__":
    main()
