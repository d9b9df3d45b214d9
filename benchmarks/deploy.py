"""Deploy against its three limits, side by side in one run.

    python -m benchmarks.deploy [--large 8] [--large-mib 64] [--small 5000] [--small-kib 16]
                                [--redeploy 10000] [--plan-games 100000] [--rounds 3]
                                [--workdir DIR] [--dest-tmpfs SIZE] [--json FILE]
                                [--crc-only]

* copy throughput of the engine's deploy (plan + run, and the run alone) next to a plain
  ``shutil.copyfile`` loop over the same files to the same kind of destination (and that
  loop with an fsync per file, the durability the engine pays for), for large files and for
  many small files; ``--rounds`` rounds, alternating, fresh destination folders each time;
  the median ratio is reported, in wall time and in this process's CPU time;
* re-deploy of an unchanged ``--redeploy``-file selection (plan + run, no process start-up)
  next to a bare ``os.scandir`` + ``stat`` walk of the destination; bytes written must be 0;
* plan + validate (the dry run: sources and destinations stat'ed, space checked) for
  ``--plan-games`` games, in a fresh process, with its peak memory (VmHWM) next to a
  process that only imports the engine.

``--dest-tmpfs SIZE`` mounts a tmpfs of that size as the destination (root only): the
kind of destination where the copy itself, not the disk, is measured. ``--crc-only``
records the copied files as a scan with a DAT leaves most games, by their CRC32 alone (no
SHA1): the engine then reads each file through a buffer, hashing it and checking its CRC32,
instead of ``sendfile``.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import zlib
from pathlib import Path, PurePosixPath
from typing import Any

from benchmarks.peak import PEAK_RSS_SOURCE
from romrunner.deploy.execute import DeployOptions, deploy, preview
from romrunner.deploy.legal import FileSystem, legal_path
from romrunner.deploy.plan import build_plan
from romrunner.hashbin import to_blob
from romrunner.library.roots import add_root
from romrunner.store import Database
from romrunner.store.open import OpenMode, open_database


class Folder:
    """A FolderChoice."""

    def __init__(self, path: PurePosixPath) -> None:
        self.path, self.source, self.reason = path, "benchmark", "benchmark layout"


class Layout:
    """``Roms/<platform>`` on a FAT32-named card."""

    def __init__(self, root: Path) -> None:
        self.root, self.os_id, self.fs = root, "benchmark", FileSystem.FAT32

    def rom_folder(self, platform_id: str) -> Folder | None:
        return Folder(legal_path(["Roms", platform_id], self.fs))

    def left_folders(self, platform_id: str) -> list[tuple[PurePosixPath, int]]:
        return []

    def renamed_folder(self, platform_id: str) -> tuple[str, int] | None:
        return None

    def bios_folder(self, platform_id: str) -> Folder:
        return Folder(PurePosixPath("BIOS"))

    def playlist_folder(self) -> Folder | None:
        return None

    def wants_m3u(self, platform_id: str) -> bool:
        return False

    def multi_disc_layout(self, platform_id: str) -> str:
        return "flat"


def write_library(root: Path, name: str, count: int, size: int) -> list[Path]:
    """``count`` files of ``size`` bytes (distinct content) under ``root/name``."""
    folder = root / name
    folder.mkdir(parents=True, exist_ok=True)
    block = os.urandom(1 << 20)
    paths = []
    for n in range(count):
        path = folder / f"Game {n:06d} (USA).bin"
        with path.open("wb") as handle:
            left = size
            prefix = n.to_bytes(8, "little")
            handle.write(prefix[: min(8, left)])
            left -= min(8, left)
            while left > 0:
                chunk = block[: min(left, len(block))]
                handle.write(chunk)
                left -= len(chunk)
        paths.append(path)
    return paths


def register(db: Database, root: Path, files: list[Path], platform: str, *,
             sha1: bool = True, crc: bool = False) -> list[int]:
    """Record ``files`` as the scan would: size, mtime and SHA1 (``sha1=False``: none, which
    makes the engine hash while copying; ``crc``: their CRC32, checked as they are copied)."""
    root_id = add_root(db, root).id
    rows = []
    for path in files:
        info = path.stat()
        digest = crc32 = None
        if sha1 or crc:
            data = path.read_bytes()
            digest = hashlib.sha1(data).hexdigest() if sha1 else None
            crc32 = zlib.crc32(data).to_bytes(4, "big") if crc else None
        rows.append((root_id, str(path.relative_to(root)), info.st_size,
                     info.st_mtime_ns, platform, to_blob(digest), crc32))
    with db.atomic():
        first = int(db.scalar("SELECT coalesce(max(id), 0) FROM games")) + 1
        db.executemany("INSERT INTO games (root_id, filepath, file_size, "
                       "file_mtime_ns, platform_id, sha1_bin, crc32_bin) "
                       "VALUES (?, ?, ?, ?, ?, ?, ?)", rows)
    return list(range(first, first + len(rows)))


def profile(db: Database) -> int:
    with db.atomic():
        device = db.execute("INSERT INTO devices (device_id, connection_type) "
                            "VALUES ('bench', 'folder')").lastrowid
        return int(db.execute("INSERT INTO device_profiles (device_row_id, os_id) "
                              "VALUES (?, 'benchmark')", (device,)).lastrowid or 0)


def plain_copy(files: list[Path], dest: Path, fsync: bool) -> tuple[float, float]:
    """Seconds of the loop, and of this process's CPU time in it."""
    dest.mkdir(parents=True)
    cpu = time.process_time()
    started = time.perf_counter()
    for path in files:
        target = dest / path.name
        shutil.copyfile(path, target)
        if fsync:
            fd = os.open(target, os.O_RDONLY)
            os.fsync(fd)
            os.close(fd)
    return time.perf_counter() - started, time.process_time() - cpu


def engine_copy(db: Database, ids: list[int], card: Path,
                profile_id: int) -> tuple[float, float, float, float]:
    """Seconds of plan + run and of the run alone; then the same in CPU time."""
    card.mkdir(parents=True)
    cpu = time.process_time()
    started = time.perf_counter()
    plan = build_plan(db, Layout(card), ids)
    planned = time.perf_counter()
    planned_cpu = time.process_time()
    summary = deploy(db, plan, profile_id=profile_id, options=DeployOptions(margin_bytes=0))
    done = time.perf_counter()
    done_cpu = time.process_time()
    assert summary.copied == len(ids) and summary.failed == 0, summary
    return done - started, done - planned, done_cpu - cpu, done_cpu - planned_cpu


def throughput(db: Database, files: list[Path], ids: list[int], dest: Path, profile_id: int,
               rounds: int) -> dict[str, Any]:
    total = sum(p.stat().st_size for p in files)
    ours: list[float] = []
    ours_run: list[float] = []
    plain: list[float] = []
    plain_sync: list[float] = []
    cpu: dict[str, list[float]] = {"ours": [], "ours_run": [], "plain": []}
    for n in range(rounds):
        order = ["plain", "plain_fsync", "ours"]
        if n % 2:
            order.reverse()
        for name in order:
            target = dest / f"{name}-{n}"
            if name == "ours":
                with_plan, run_only, cpu_plan, cpu_run = engine_copy(db, ids, target,
                                                                     profile_id)
                ours.append(with_plan)
                ours_run.append(run_only)
                cpu["ours"].append(cpu_plan)
                cpu["ours_run"].append(cpu_run)
            else:
                seconds, cpu_seconds = plain_copy(files, target, name == "plain_fsync")
                (plain if name == "plain" else plain_sync).append(seconds)
                if name == "plain":
                    cpu["plain"].append(cpu_seconds)
        for sub in dest.iterdir():
            shutil.rmtree(sub)
    mib = total / 1024**2
    ratios = [p / o for p, o in zip(plain, ours, strict=True)]
    return {"files": len(files), "mib": round(mib, 1),
            "ours_mib_s": round(mib / statistics.median(ours), 1),
            "plain_mib_s": round(mib / statistics.median(plain), 1),
            "plain_fsync_mib_s": round(mib / statistics.median(plain_sync), 1),
            "ratio_vs_plain_median": round(statistics.median(ratios), 3),
            "ratio_vs_plain_range": [round(min(ratios), 3), round(max(ratios), 3)],
            "run_only_ratio_vs_plain_median": round(statistics.median(
                [p / o for p, o in zip(plain, ours_run, strict=True)]), 3),
            "ratio_vs_plain_fsync_median": round(statistics.median(
                [p / o for p, o in zip(plain_sync, ours, strict=True)]), 3),
            # The same ratios in this process's CPU time: less moved by a busy machine.
            "cpu_ratio_vs_plain_median": round(statistics.median(
                [p / o for p, o in zip(cpu["plain"], cpu["ours"], strict=True)]), 3),
            "run_only_cpu_ratio_vs_plain_median": round(statistics.median(
                [p / o for p, o in zip(cpu["plain"], cpu["ours_run"], strict=True)]), 3)}


def bare_walk(folder: Path) -> int:
    count = 0
    stack = [str(folder)]
    while stack:
        with os.scandir(stack.pop()) as entries:
            for entry in entries:
                if entry.is_dir(follow_symlinks=False):
                    stack.append(entry.path)
                else:
                    entry.stat(follow_symlinks=False)
                    count += 1
    return count


def redeploy(db: Database, ids: list[int], card: Path, profile_id: int,
             rounds: int) -> dict[str, Any]:
    card.mkdir(parents=True)
    first = deploy(db, build_plan(db, Layout(card), ids), profile_id=profile_id)
    assert first.copied == len(ids)
    ours: list[float] = []
    run_only: list[float] = []
    walk: list[float] = []
    written: list[int] = []
    for _ in range(rounds):
        started = time.perf_counter()
        plan = build_plan(db, Layout(card), ids)
        planned = time.perf_counter()
        summary = deploy(db, plan, profile_id=profile_id)
        ours.append(time.perf_counter() - started)
        run_only.append(time.perf_counter() - planned)
        written.append(summary.bytes_copied)
        started = time.perf_counter()
        bare_walk(card)
        walk.append(time.perf_counter() - started)
    ratios = [o / w for o, w in zip(ours, walk, strict=True)]
    return {"files": len(ids), "ours_s": round(statistics.median(ours), 3),
            "ours_run_only_s": round(statistics.median(run_only), 3),
            "run_only_ratio_median": round(statistics.median(
                [o / w for o, w in zip(run_only, walk, strict=True)]), 2),
            "bare_walk_s": round(statistics.median(walk), 3),
            "ratio_median": round(statistics.median(ratios), 2),
            "ratio_range": [round(min(ratios), 2), round(max(ratios), 2)],
            # each round's ratio: the first re-deploy after a deploy that wrote files makes
            # its checks afresh (and keeps them); the later ones read them back
            "ratio_rounds": [round(r, 2) for r in ratios],
            "run_only_ratio_rounds": [round(o / w, 2)
                                      for o, w in zip(run_only, walk, strict=True)],
            "bytes_written": max(written)}


def plan_child(db_path: str, card: str) -> None:
    """In a fresh process: plan + validate every game of the database; time and peak."""
    exec(PEAK_RSS_SOURCE, globals())
    db = Database(db_path)
    ids = [int(row[0]) for row in db.query("SELECT id FROM games ORDER BY id")]
    started = time.perf_counter()
    plan = build_plan(db, Layout(Path(card)), ids)
    planned = time.perf_counter()
    checked = preview(db, plan)
    done = time.perf_counter()
    print(json.dumps({"games": len(ids), "files": len(plan.items),
                      "plan_s": round(planned - started, 3),
                      "validate_s": round(done - planned, 3),
                      "total_s": round(done - started, 3),
                      "enough_space": checked["enough_space"],
                      "peak_kib": globals()["peak_rss_kib"]()}))


def plan_at_scale(work: Path, games: int) -> dict[str, Any]:
    db_path = work / "plan.db"
    db = open_database(db_path, OpenMode.WRITE).db
    files = []
    folder = work / "plan-lib" / "gba"
    folder.mkdir(parents=True)
    for n in range(games):
        path = folder / f"Game {n:06d} (USA).gba"
        path.touch()
        files.append(path)
    register(db, work / "plan-lib", files, "gba", sha1=False)
    db.close()
    card = work / "plan-card"
    card.mkdir()
    code = ("import sys; from benchmarks.deploy import plan_child; "
            "plan_child(sys.argv[1], sys.argv[2])")
    out = subprocess.run([sys.executable, "-c", code, str(db_path), str(card)],
                         capture_output=True, text=True, check=True).stdout
    figures: dict[str, Any] = json.loads(out)
    base = subprocess.run([sys.executable, "-c", PEAK_RSS_SOURCE
                           + "import romrunner.deploy.execute; print(peak_rss_kib())"],
                          capture_output=True, text=True, check=True)
    figures["import_only_peak_kib"] = int(base.stdout)
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--large", type=int, default=8)
    parser.add_argument("--large-mib", type=int, default=64)
    parser.add_argument("--small", type=int, default=5000)
    parser.add_argument("--small-kib", type=int, default=16)
    parser.add_argument("--redeploy", type=int, default=10_000)
    parser.add_argument("--plan-games", type=int, default=100_000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--workdir", type=Path, default=None)
    parser.add_argument("--dest-tmpfs", default=None, help="e.g. 2g (root only)")
    parser.add_argument("--json", type=Path, default=None)
    parser.add_argument("--crc-only", action="store_true",
                        help="the copied files known by their CRC32 alone, not their SHA1")
    args = parser.parse_args()
    if args.workdir is not None:
        args.workdir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=args.workdir) as tmp:
        work = Path(tmp)
        dest = work / "dest"
        dest.mkdir()
        if args.dest_tmpfs:
            subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={args.dest_tmpfs}", "tmpfs",
                            str(dest)], check=True)
        try:
            figures = run_all(work, dest, args)
        finally:
            if args.dest_tmpfs:
                subprocess.run(["umount", "-l", str(dest)], check=False)
    text = json.dumps(figures, indent=2)
    print(text)
    if args.json:
        args.json.write_text(text + "\n")


def run_all(work: Path, dest: Path, args: argparse.Namespace) -> dict[str, Any]:
    db = open_database(work / "library.db", OpenMode.WRITE).db
    profile_id = profile(db)
    lib = work / "lib"
    large = write_library(lib, "psx", args.large, args.large_mib * 1024**2)
    small = write_library(lib, "gba", args.small, args.small_kib * 1024)
    many = write_library(lib, "gb", args.redeploy, 1024)
    known = {"sha1": not args.crc_only, "crc": args.crc_only}
    ids_large = register(db, lib / "psx", large, "psx", **known)
    ids_small = register(db, lib / "gba", small, "gba", **known)
    ids_many = register(db, lib / "gb", many, "gb")
    figures: dict[str, Any] = {"destination": "tmpfs" if args.dest_tmpfs else "workdir fs"}
    figures["copy_large"] = throughput(db, large, ids_large, dest, profile_id, args.rounds)
    figures["copy_small"] = throughput(db, small, ids_small, dest, profile_id, args.rounds)
    figures["redeploy_unchanged"] = redeploy(db, ids_many, dest / "card", profile_id,
                                             args.rounds)
    db.close()
    figures["plan_validate"] = plan_at_scale(work, args.plan_games)
    return figures


if __name__ == "__main__":
    main()
