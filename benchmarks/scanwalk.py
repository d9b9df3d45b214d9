"""The library scan against its two limits, side by side on one tree of real files.

    python -m benchmarks.scanwalk [--files 100000] [--file-kib K] [--workers 2] [--rounds 5]
                                  [--workdir DIR] [--no-hash] [--with-dats]

* first scan of new files (engine ``scan_library``) in files/s, next to a plain
  CRC32+MD5+SHA1 loop over the same files with the same number of processes (and in CPU
  time: the loop in one process against the scan's process and workers); the files
  are small (512-2,047 bytes) unless ``--file-kib`` sets their size; ``--with-dats``
  imports every DAT of ``../shared/dats`` first, so that identification has a catalog to
  search (none of the generated files is in it: every pass runs and finds nothing);
* rescan of the unchanged tree, with one process and with ``--workers`` (the default:
  every core), next to a bare single-process ``os.scandir`` + ``stat`` walk of it, in
  ``--rounds`` rounds of all three (the ratio is taken within each round; the median and
  the range are reported), with the number of bytes the rescan hashed (must be 0);
* peak memory (VmHWM) of a rescan, in a fresh process, next to a process that only
  imports the engine; with workers, also the largest worker's.

``--no-hash`` fills the database from a stat walk instead of a first scan (placeholder
hashes, as the workers would hand them over): the way to measure a 1,000,000-file rescan
without waiting for a million files to be hashed.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import multiprocessing
import os
import statistics
import subprocess
import sys
import tempfile
import time
import zlib
from pathlib import Path

from benchmarks.firstscan import cpu_seconds
from benchmarks.peak import PEAK_RSS_SOURCE
from benchmarks.scale.ours import import_catalogs
from romrunner.library.examine import Examined, Job
from romrunner.library.hashing import Hashes
from romrunner.library.roots import Root, add_root, list_roots
from romrunner.library.scan import ingest_examined, scan_library
from romrunner.packs import load_pack
from romrunner.store.open import OpenMode, open_database

FOLDERS = {"nes": ".nes", "snes": ".sfc", "gb": ".gb", "gbc": ".gbc", "gba": ".gba",
           "genesis": ".md", "sms": ".sms", "gamegear": ".gg", "n64": ".z64", "psp": ".iso"}
_RESCAN_CHILD = PEAK_RSS_SOURCE + """
import json, resource, sys
from pathlib import Path
from romrunner.library.scan import scan_library
from romrunner.packs import load_pack
from romrunner.store.open import OpenMode, open_database
db = open_database(Path(sys.argv[1]), OpenMode.WRITE).db
summary = scan_library(db, load_pack(None), workers=int(sys.argv[2]))
print(json.dumps({"maxrss_kib": peak_rss_kib(),
                  "worker_maxrss_kib": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss,
                  "seconds": summary.seconds, "unchanged": summary.unchanged,
                  "bytes_hashed": summary.bytes_hashed}))
"""
_IMPORT_CHILD = PEAK_RSS_SOURCE + """
import json
import romrunner.library.scan, romrunner.packs, romrunner.store.open
print(json.dumps({"maxrss_kib": peak_rss_kib()}))
"""


def build_tree(library: Path, count: int, file_kib: int | None = None,
               max_kib: int | None = None) -> None:
    """``count`` distinct files in platform folders, 500 per subfolder: small ones, or of
    ``file_kib`` KiB each (to ``max_kib`` KiB, evenly spread, when given)."""
    platforms = list(FOLDERS.items())
    made: set[Path] = set()
    for index in range(count):
        platform, extension = platforms[index % len(platforms)]
        folder = library / platform / f"{index // (500 * len(platforms)):04d}"
        if folder not in made:
            folder.mkdir(parents=True, exist_ok=True)
            made.add(folder)
        seed = hashlib.sha1(str(index).encode()).digest()
        size = 512 + index % 1536 if file_kib is None else file_kib << 10
        if file_kib is not None and max_kib is not None:
            size += (index * 7919) % ((max_kib - file_kib) << 10 or 1)
        (folder / f"Game {index} (USA){extension}").write_bytes(
            (seed * (size // len(seed) + 1))[:size])


def bare_walk(folder: str) -> int:
    """``os.scandir`` + ``stat`` of every file: the lower bound of any rescan."""
    count = 0
    stack = [folder]
    while stack:
        with os.scandir(stack.pop()) as entries:
            for entry in entries:
                info = entry.stat(follow_symlinks=False)
                if entry.is_dir(follow_symlinks=False):
                    stack.append(entry.path)
                elif info.st_size >= 0:
                    count += 1
    return count


def plain_hash(path: str) -> str:
    """The reference loop over one file: one read pass, the three stdlib hashes."""
    crc, md5, sha1 = 0, hashlib.md5(), hashlib.sha1()
    with open(path, "rb") as handle:
        while chunk := handle.read(1 << 20):
            crc = zlib.crc32(chunk, crc)
            md5.update(chunk)
            sha1.update(chunk)
    return f"{crc:08x}{md5.hexdigest()}{sha1.hexdigest()}"


def all_files(folder: Path) -> list[str]:
    """Every file under ``folder``."""
    return [os.path.join(d, name) for d, _, names in os.walk(folder) for name in names]


def best_of(operation: object, rounds: int = 3) -> float:
    """Best wall time of ``rounds`` calls."""
    times = []
    for _ in range(rounds):
        started = time.perf_counter()
        operation()  # type: ignore[operator]
        times.append(time.perf_counter() - started)
    return min(times)


def fill_without_hashing(db_path: Path, root: Root) -> int:
    """Store every file with its real size and mtime and placeholder hashes."""
    db = open_database(db_path, OpenMode.WRITE).db

    def examined() -> object:
        for path in all_files(root.path):
            info = os.stat(path)
            relpath = Path(path).relative_to(root.path).as_posix()
            digest = hashlib.sha1(relpath.encode()).hexdigest()
            item = Examined(Job(path, relpath, info.st_size, info.st_mtime_ns),
                            Hashes(info.st_size, digest[:8], digest[:32], digest))
            item.parse_name()
            yield item

    summary = ingest_examined(db, load_pack(None), root, examined())  # type: ignore[arg-type]
    db.close()
    return summary.added


def child_json(code: str, *args: str) -> dict[str, float]:
    """Run ``code`` in a fresh interpreter and read the JSON it prints."""
    done = subprocess.run([sys.executable, "-c", code, *args], capture_output=True, text=True,
                          check=True)
    result: dict[str, float] = json.loads(done.stdout)
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--files", type=int, default=100_000)
    parser.add_argument("--file-kib", default=None,
                        help="size of each file in KiB, or a range (16-64) "
                             "(default: 512-2,047 bytes)")
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--workdir", type=Path, default=None)
    parser.add_argument("--rounds", type=int, default=5,
                        help="rounds of bare walk + rescans (ratios are per round)")
    parser.add_argument("--with-dats", action="store_true",
                        help="import ../shared/dats before the first scan")
    parser.add_argument("--no-hash", action="store_true",
                        help="fill the database from a stat walk instead of a first scan")
    args = parser.parse_args()
    workdir = args.workdir or Path(tempfile.mkdtemp(prefix="romrunner-scanwalk-"))
    library, db_path = workdir / "library", workdir / "romrunner.db"
    figures: dict[str, object] = {"files": args.files, "file_kib": args.file_kib,
                                  "workers": args.workers}
    if not library.exists():
        started = time.perf_counter()
        low, _, high = (args.file_kib or "").partition("-")
        build_tree(library, args.files, int(low) if low else None,
                   int(high) if high else None)
        figures["tree_build_s"] = round(time.perf_counter() - started, 1)
    db_path.unlink(missing_ok=True)
    db = open_database(db_path, OpenMode.WRITE).db
    root = add_root(db, library)
    if args.with_dats:
        figures["catalog_rom_entries"] = import_catalogs(db, set(load_pack(None).platforms))[0]
    if args.no_hash:
        db.close()
        started = time.perf_counter()
        figures["filled"] = fill_without_hashing(db_path, root)
        figures["fill_s"] = round(time.perf_counter() - started, 1)
    else:
        paths = all_files(library)
        for path in paths:
            Path(path).read_bytes()  # page cache warm for both sides
        with multiprocessing.get_context("fork").Pool(args.workers) as pool:
            plain = best_of(lambda: pool.map(plain_hash, paths, chunksize=64), rounds=1)
        plain_cpu = time.process_time()
        for path in paths:
            plain_hash(path)
        plain_cpu = time.process_time() - plain_cpu
        started, cpu = time.perf_counter(), cpu_seconds()
        summary = scan_library(db, load_pack(None), list_roots(db), workers=args.workers)
        first = time.perf_counter() - started
        engine_cpu = cpu_seconds() - cpu
        db.close()
        figures["first_scan"] = {"engine_files_per_s": round(len(paths) / first),
                                 "plain_hash_loop_files_per_s": round(len(paths) / plain),
                                 "engine_cpu_s": round(engine_cpu, 2),
                                 "plain_hash_loop_cpu_s": round(plain_cpu, 2),
                                 "plain_over_engine_cpu": round(plain_cpu / engine_cpu, 3),
                                 "added": summary.added, "errors": len(summary.errors)}
    # Rounds of (bare walk, rescan with one process, rescan with workers), each ratio taken
    # within its round: on a shared machine the speed drifts between minutes, not within one.
    labels = (("rescan_1_process", 1), ("rescan_workers", args.workers))
    walks: list[float] = []
    runs: dict[str, list[dict[str, float]]] = {label: [] for label, _ in labels}
    for _ in range(args.rounds):
        walks.append(best_of(lambda: bare_walk(str(library)), rounds=1))
        for label, workers in labels:
            runs[label].append(child_json(_RESCAN_CHILD, str(db_path), str(workers)))
    figures["bare_scandir_stat_s_median"] = round(statistics.median(walks), 3)
    for label, workers in labels:
        rescans = runs[label]
        ratios = sorted(r["seconds"] / walk for r, walk in zip(rescans, walks, strict=True))
        figures[label] = {
            "workers": workers,
            "engine_rescan_s_median": statistics.median(r["seconds"] for r in rescans),
            "ratio_median": round(statistics.median(ratios), 2),
            "ratio_range": [round(ratios[0], 2), round(ratios[-1], 2)],
            "bytes_hashed": max(r["bytes_hashed"] for r in rescans),
            "unchanged": rescans[-1]["unchanged"],
            "peak_rss_mib": round(max(r["maxrss_kib"] for r in rescans) / 1024, 1),
            "worker_peak_rss_mib": round(max(r["worker_maxrss_kib"] for r in rescans) / 1024,
                                         1) if workers > 1 else None}
    figures["import_only_rss_mib"] = round(child_json(_IMPORT_CHILD)["maxrss_kib"] / 1024, 1)
    print(json.dumps(figures, indent=1))


if __name__ == "__main__":
    main()
