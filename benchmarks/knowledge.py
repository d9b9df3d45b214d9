"""Knowledge import, serial extraction and ``cache explain`` against the issue 14 targets.

    python -m benchmarks.knowledge imports [--gameindex 12000] [--gamedb 10000]
    python -m benchmarks.knowledge serials [--images 200] [--image-mib 8]
    python -m benchmarks.knowledge explain [--games 1000000] [--sources 5] [--lookups 2000]
    python -m benchmarks.knowledge ingest [--rows 5000000] [--profile-at 1000000]

* ``imports``: a GameIndex-shaped and a gamedb-shaped file generated from the real excerpts
  in ``../shared/knowledge`` (their entries repeated under new serials), each imported by
  ``cache import`` into a fresh database in a child process: entries/s and peak memory
  (VmHWM) next to a child that only imports the engine. Target: the GameIndex in <= 5 s.
* ``serials``: the first scan of a tree of PS2 ISO images (real ISO 9660, built with pycdlib)
  with the disc-id reader, then a fresh scan of the same tree without it (the reader
  replaced by one that reads nothing): the difference as a share of the scan. Target <= 5%.
* ``explain``: a database with ``--games`` games (each with a disc id) and ``--sources``
  compat observations per game, written straight into the tables in key order; then
  ``cache explain`` (find_games + explain_game) for random library ids: p50/p99. Target p99
  <= 5 ms at 1M games / 5M observations.
* ``ingest``: ``ingest_observations`` from 5 sources up to ``--rows`` observations, timed per
  batch stage (stage, dimensions, worse-keys, upsert, best answers) so the figures say where
  the time goes; rows/s overall and for the last batches.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import resource
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from benchmarks.peak import PEAK_RSS_SOURCE

SHARED = Path(__file__).resolve().parents[1].parent / "shared"
_TOP_KEY = re.compile(r"^([^\s#\-][^:\n]*):", re.MULTILINE)


def _entries(text: str) -> list[str]:
    """The top-level entries of a real excerpt (key line and body), comments dropped."""
    starts = [m.start() for m in _TOP_KEY.finditer(text)]
    return [text[a:b].rstrip() + "\n" for a, b in zip(starts, [*starts[1:], len(text)],
                                                         strict=True)]


def generate(source: Path, target: Path, count: int, prefix: str) -> int:
    """``count`` entries of ``source``'s shape under serials ``PREFIX-00000``…; bytes."""
    entries = _entries(source.read_text(encoding="utf-8"))
    with target.open("w", encoding="utf-8") as out:
        for number in range(count):
            body = entries[number % len(entries)]
            out.write(_TOP_KEY.sub(f"{prefix}-{number:05d}:", body, count=1))
    return target.stat().st_size


def _child(code: str, *args: str) -> dict[str, float]:
    proc = subprocess.run([sys.executable, "-c", PEAK_RSS_SOURCE + code, *args],
                          capture_output=True, text=True, check=True)
    result: dict[str, float] = json.loads(proc.stdout.strip().splitlines()[-1])
    return result


_IMPORT = """
import json, sys, time
from pathlib import Path
from romrunner.knowledge.importer import import_knowledge
from romrunner.packs import load_pack
from romrunner.packs.sync import sync_pack
from romrunner.store.open import OpenMode, open_database
db = open_database(Path(sys.argv[1]), OpenMode.WRITE).db
sync_pack(db, load_pack(None))
started = time.perf_counter()
result = import_knowledge(db, [Path(sys.argv[2])], fmt=sys.argv[3])
seconds = time.perf_counter() - started
item = result.files[0]
print(json.dumps({"seconds": seconds, "entries": item.entries, "skipped": item.skipped,
                  "observations": sum(item.observations.values()),
                  "peak_kib": peak_rss_kib()}))
"""
_BASELINE = """
import json
import romrunner.knowledge.importer
print(json.dumps({"peak_kib": peak_rss_kib()}))
"""


def bench_imports(gameindex: int, gamedb: int, work: Path) -> dict[str, object]:
    """Import speed and peak memory of the two generated YAML databases."""
    figures: dict[str, object] = {"baseline_peak_kib": _child(_BASELINE)["peak_kib"]}
    plan = (("pcsx2-gameindex", SHARED / "knowledge/pcsx2/GameIndex.excerpt.yaml", gameindex,
             "SLUS"),
            ("duckstation-gamedb", SHARED / "knowledge/duckstation/gamedb.excerpt.yaml",
             gamedb, "SLPS"))
    for fmt, source, count, prefix in plan:
        path = work / f"{fmt}.yaml"
        size = generate(source, path, count, prefix)
        run = _child(_IMPORT, str(work / f"{fmt}.db"), str(path), fmt)
        figures[fmt] = {**run, "file_bytes": size,
                        "entries_per_s": round(run["entries"] / run["seconds"])}
    return figures


# -- serial extraction on a first scan ----------------------------------------------------
def _build_images(root: Path, count: int, mib: int) -> None:
    import io

    import pycdlib

    folder = root / "ps2"
    folder.mkdir(parents=True)
    filler = os.urandom(1024 * 1024)
    for number in range(count):
        iso = pycdlib.PyCdlib()
        iso.new(interchange_level=1)
        cnf = f"BOOT2 = cdrom0:\\SLUS_{number // 100:03d}.{number % 100:02d};1\r\n".encode()
        iso.add_fp(io.BytesIO(cnf), len(cnf), "/SYSTEM.CNF;1")
        data = (filler * mib)[:mib * 1024 * 1024 - number]  # every image distinct
        iso.add_fp(io.BytesIO(data), len(data), "/DATA.BIN;1")
        iso.write(str(folder / f"Game {number:04d} (USA).iso"))
        iso.close()


_SCAN = """
import json, sys, time
from pathlib import Path
import romrunner.library.record as record
from romrunner.library.roots import add_root
from romrunner.library.scan import scan_library
from romrunner.packs import load_pack
from romrunner.store.open import OpenMode, open_database
if sys.argv[3] == "off":
    record.read_disc_id = lambda path, platform=None: None
db = open_database(Path(sys.argv[1]), OpenMode.WRITE).db
add_root(db, Path(sys.argv[2]))
started = time.perf_counter()
summary = scan_library(db, load_pack(None), workers=1)
print(json.dumps({"seconds": time.perf_counter() - started, "added": summary.added,
                  "disc_ids": summary.disc_ids, "peak_kib": peak_rss_kib()}))
"""


def bench_serials(images: int, mib: int, rounds: int, work: Path) -> dict[str, object]:
    """A first scan with and without the disc-id reader, alternated ``rounds`` times."""
    root = work / "library"
    _build_images(root, images, mib)
    runs: dict[str, list[float]] = defaultdict(list)
    ids = 0
    for number in range(rounds):
        for mode in ("on", "off"):
            run = _child(_SCAN, str(work / f"scan-{mode}-{number}.db"), str(root), mode)
            runs[mode].append(run["seconds"])
            ids = max(ids, int(run["disc_ids"]))
    on, off = statistics.median(runs["on"]), statistics.median(runs["off"])
    from romrunner.library.serials import read_disc_id

    began = time.perf_counter()
    found = sum(read_disc_id(path, "ps2") is not None for path in (root / "ps2").iterdir())
    reader = time.perf_counter() - began
    return {"images": images, "image_mib": mib, "disc_ids": ids, "reader_found": found,
            "reader_only_s": round(reader, 4), "reader_share_of_scan": round(reader / off, 4),
            "scan_with_s": runs["on"],
            "scan_without_s": runs["off"], "median_with_s": round(on, 3),
            "median_without_s": round(off, 3), "cost_share": round((on - off) / off, 4)}


# -- cache explain at scale ----------------------------------------------------------------
def build_explain_db(path: Path, games: int, sources: int) -> None:
    """``games`` games with disc ids, ``sources`` compat observations each (rows written in
    key order, best answers by the same rule the cache uses: source 1 ranks first)."""
    from romrunner.store.open import OpenMode, open_database

    db = open_database(path, OpenMode.WRITE).db
    db.close()
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA synchronous=OFF")
    now = int(time.time())
    with conn:
        conn.execute("INSERT INTO library_roots (id, path) VALUES (1, '/roms')")
        conn.executemany("INSERT INTO platform_dim (id, platform_id) VALUES (?, ?)",
                         [(1, "ps2")])
        conn.executemany("INSERT INTO emulator_dim (id, emulator_id) VALUES (?, ?)",
                         [(n, name) for n, name in enumerate(
                             ("pcsx2", "aethersx2", "nethersx2", "play", "retroarch-pcsx2",
                              "duckstation", "ppsspp", "dolphin"), start=1)])
        conn.executemany("INSERT INTO cache_sources (id, source_id, ttl_hours) VALUES "
                         "(?, ?, 168)", [(100 + n, f"bench-{n}") for n in range(sources)])
        conn.executemany("INSERT INTO cache_source_priority (cache_kind, source, rank) VALUES "
                         "('compat', ?, ?)", [(100 + n, n) for n in range(sources)])

    def serial(n: int) -> str:
        return f"S{chr(65 + n // 100000 % 26)}US-{n % 100000:05d}"

    batch = 200_000
    for first in range(0, games, batch):
        numbers = range(first, min(first + batch, games))
        with conn:
            conn.executemany("INSERT INTO game_key_dim (id, definition_game_id) VALUES (?, ?)",
                             ((n + 1, serial(n)) for n in numbers))
            conn.executemany(
                "INSERT INTO games (id, root_id, filepath, file_size, platform_id, "
                "detected_title, title_norm, disc_id, disc_id_source) VALUES "
                "(?, 1, ?, 1, 'ps2', ?, ?, ?, 'SYSTEM.CNF')",
                ((n + 1, f"ps2/Game {n}.iso", f"Game {n}", f"game {n}",
                  serial(n)) for n in numbers))
            conn.executemany(
                "INSERT INTO compat_observations (platform, emulator, game_key, source, status, "
                "confidence, fetched_at, expires_at) VALUES (1, ?, ?, ?, ?, 'medium', ?, ?)",
                ((1 + n % 5, n + 1, 100 + s, ("playable", "ingame", "broken")[s % 3],
                  now - s * 60, now + 86400) for n in numbers for s in range(sources)))
            conn.executemany(
                "INSERT INTO emulator_compat_cache (platform, emulator, game_key, source, "
                "status, confidence, fetched_at, expires_at) VALUES "
                "(1, ?, ?, 100, 'playable', 'medium', ?, ?)",
                ((1 + n % 5, n + 1, now, now + 86400) for n in numbers))
    conn.execute("PRAGMA optimize")
    conn.close()


@dataclass
class _Waits:
    """What one lookup waited for: CPU it did not get (involuntary context switches), I/O
    (blocks read from disk, major faults) and pages SQLite read from the OS (read calls)."""

    wall_ms: float = 0.0
    cpu_ms: float = 0.0
    involuntary: int = 0
    voluntary: int = 0
    disk_blocks: int = 0
    major_faults: int = 0
    read_calls: int = 0


def _read_calls() -> int:
    with open("/proc/thread-self/io", encoding="ascii") as io:
        return next(int(line.split()[1]) for line in io if line.startswith("syscr:"))


def _waits_now() -> tuple[resource.struct_rusage, int]:
    return resource.getrusage(resource.RUSAGE_THREAD), _read_calls()


def _waits_since(before: tuple[resource.struct_rusage, int], wall: float,
                 cpu: float) -> _Waits:
    usage, calls = resource.getrusage(resource.RUSAGE_THREAD), _read_calls()
    # one read call of /proc itself is counted between the snapshots
    return _Waits(wall, cpu, usage.ru_nivcsw - before[0].ru_nivcsw,
                  usage.ru_nvcsw - before[0].ru_nvcsw, usage.ru_inblock - before[0].ru_inblock,
                  usage.ru_majflt - before[0].ru_majflt, calls - before[1] - 1)


def _p99(values: list[float]) -> float | None:
    ordered = sorted(values)
    return round(ordered[int(len(ordered) * 0.99)], 3) if ordered else None


def _wait_summary(waits: list[_Waits]) -> dict[str, float]:
    """Means over ``waits``, and the share of lookups that were preempted or read the disk."""
    count = len(waits)
    return {"lookups": count,
            "mean_wall_ms": round(sum(w.wall_ms for w in waits) / count, 3),
            "mean_cpu_ms": round(sum(w.cpu_ms for w in waits) / count, 3),
            "preempted_share": round(sum(w.involuntary > 0 for w in waits) / count, 3),
            "blocked_share": round(sum(w.voluntary > 0 for w in waits) / count, 3),
            "disk_read_share": round(sum(w.disk_blocks + w.major_faults > 0
                                         for w in waits) / count, 3),
            "mean_sqlite_page_reads": round(sum(w.read_calls for w in waits) / count, 1)}


def bench_explain(games: int, sources: int, lookups: int, work: Path,
                  keep: Path | None) -> dict[str, object]:
    """p50/p99 of one ``cache explain GAME-ID`` on a warm database."""
    from romrunner.cache.explain import explain_game, find_games
    from romrunner.store.open import OpenMode, open_database

    path = keep or work / "explain.db"
    started = time.perf_counter()
    if not path.exists():
        build_explain_db(path, games, sources)
    built = time.perf_counter() - started
    db = open_database(path, OpenMode.READ).db
    observations = int(db.scalar("SELECT count(*) FROM compat_observations"))
    rng = random.Random(14)
    ids = [rng.randrange(1, games + 1) for _ in range(lookups)]
    for game in ids[:100]:  # warm the cache
        explain_game(db, find_games(db, str(game))[0])
    times: list[float] = []
    groups = 0
    load = os.getloadavg()[0]
    cpu: list[float] = []
    waits: list[_Waits] = []
    for game in ids:
        before = _waits_now()
        began, began_cpu = time.perf_counter(), time.thread_time()
        explained = explain_game(db, find_games(db, str(game))[0])
        wall = (time.perf_counter() - began) * 1000
        times.append(wall)
        cpu.append((time.thread_time() - began_cpu) * 1000)
        waits.append(_waits_since(before, wall, cpu[-1]))
        groups += len(explained.groups)
    tail = sorted(waits, key=lambda w: w.wall_ms)[-max(1, lookups // 100):]
    times.sort()
    cpu.sort()
    serial_times: list[float] = []
    for game in ids[:lookups // 4]:
        began = time.perf_counter()
        explain_game(db, find_games(db, f"S{chr(65 + (game - 1) // 100000 % 26)}US "
                                        f"{(game - 1) % 100000:05d}")[0])
        serial_times.append((time.perf_counter() - began) * 1000)
    serial_times.sort()
    return {"games": games, "observations": observations, "build_s": round(built, 1),
            "load_average": load,
            "lookups": lookups, "groups_per_game": groups / lookups,
            "p50_ms": round(times[len(times) // 2], 3),
            "p95_ms": round(times[int(len(times) * 0.95)], 3),
            "p99_ms": round(times[int(len(times) * 0.99)], 3),
            "cpu_p99_ms": round(cpu[int(len(cpu) * 0.99)], 3),
            "by_serial_p99_ms": round(serial_times[int(len(serial_times) * 0.99)], 3),
            "db_bytes": path.stat().st_size,
            "all_lookups": _wait_summary(waits), "slowest_1pct": _wait_summary(tail),
            # what the engine controls: the lookups the scheduler did not interrupt, and
            # those that also read nothing from the disk (the page cache held every page)
            "not_preempted_p99_ms": _p99([w.wall_ms for w in waits if not w.involuntary]),
            "no_wait_p99_ms": _p99([w.wall_ms for w in waits if not (
                w.involuntary or w.disk_blocks or w.major_faults)])}


# -- observation ingest, stage by stage ---------------------------------------------------
def _rows(first: int, count: int) -> Iterator[dict[str, object]]:
    for n in range(first, first + count):
        yield {"platform_id": ("psx", "ps2", "psp", "gamecube", "snes")[n % 5],
               "emulator_id": ("duckstation", "pcsx2", "ppsspp", "dolphin", "snes9x")[n % 5],
               "definition_game_id": f"game-{n:08d}", "status": "playable"}


def bench_ingest(rows: int, per_call: int, work: Path) -> dict[str, object]:
    """``ingest_observations`` from 5 sources (each a fifth of the keys, then the same keys
    from the next source), every statement of a batch timed by its stage."""
    import romrunner.cache.ingest as ingest
    from romrunner.cache.kinds import COMPAT
    from romrunner.packs import load_pack
    from romrunner.packs.sync import sync_pack
    from romrunner.store.open import OpenMode, open_database

    db = open_database(work / "ingest.db", OpenMode.WRITE).db
    sync_pack(db, load_pack(None))
    stages: dict[str, float] = defaultdict(float)
    originals = {name: getattr(ingest, name) for name in (
        "_stage", "_resolve_dimensions", "note_worsened_keys", "_upsert_observations",
        "apply_source_batch")}

    def timed(name: str) -> object:
        def run(*args: object, **kwargs: object) -> object:
            began = time.process_time()  # CPU: the machine is shared, wall time is noisy
            try:
                return originals[name](*args, **kwargs)
            finally:
                stages[name] += time.process_time() - began
        return run

    for name in originals:
        setattr(ingest, name, timed(name))
    sources = ("emulator-official", "community-verified", "emuready-listings",
               "rom-runner-db", "user-override")
    keys = rows // len(sources)
    written, started, samples = 0, time.perf_counter(), []
    started_cpu = time.process_time()
    for source in sources:
        for first in range(0, keys, per_call):
            began = time.perf_counter()
            done = ingest.ingest_observations(db, COMPAT, source,
                                              _rows(first, min(per_call, keys - first)))
            written += done.observations
            samples.append((written, done.observations / (time.perf_counter() - began)))
    total, cpu = time.perf_counter() - started, time.process_time() - started_cpu
    for name, function in originals.items():
        setattr(ingest, name, function)
    return {"rows": written, "seconds": round(total, 1), "rows_per_s": round(written / total),
            "cpu_seconds": round(cpu, 1), "rows_per_cpu_s": round(written / cpu),
            "last_call_rows_per_s": round(samples[-1][1]), "load_average": os.getloadavg()[0],
            "stage_cpu_seconds": {k: round(v, 2) for k, v in stages.items()},
            "outside_stages_cpu_s": round(cpu - sum(stages.values()), 2),
            "db_bytes": (work / "ingest.db").stat().st_size}


def main() -> None:
    """Run one benchmark and print its figures as JSON."""
    parser = argparse.ArgumentParser(prog="python -m benchmarks.knowledge")
    parser.add_argument("what", choices=("imports", "serials", "explain", "ingest"))
    parser.add_argument("--gameindex", type=int, default=12_000)
    parser.add_argument("--gamedb", type=int, default=10_000)
    parser.add_argument("--images", type=int, default=200)
    parser.add_argument("--image-mib", type=int, default=8)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--games", type=int, default=1_000_000)
    parser.add_argument("--sources", type=int, default=5)
    parser.add_argument("--lookups", type=int, default=2000)
    parser.add_argument("--keep", type=Path, default=None,
                        help="explain: build (or reuse) the database at this path")
    parser.add_argument("--rows", type=int, default=5_000_000)
    parser.add_argument("--per-call", type=int, default=200_000)
    parser.add_argument("--workdir", type=Path, default=None)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(dir=args.workdir) as folder:
        work = Path(folder)
        if args.what == "imports":
            figures = bench_imports(args.gameindex, args.gamedb, work)
        elif args.what == "serials":
            figures = bench_serials(args.images, args.image_mib, args.rounds, work)
        elif args.what == "explain":
            figures = bench_explain(args.games, args.sources, args.lookups, work, args.keep)
        else:
            figures = bench_ingest(args.rows, args.per_call, work)
    print(json.dumps(figures, indent=2))


if __name__ == "__main__":
    main()
