"""First scan of a library with zips, side by side with the reference loops of the peers.

    python -m benchmarks.firstscan [--files 2000] [--kib 256-2048] [--zipped 0.3]
                                   [--workers 2] [--workdir DIR] [--no-catalog]

Builds (once per ``--workdir``) ``--files`` distinct ROM-like files of ``--kib`` KiB (a
range is drawn per file; half random bytes, half a repeating pattern, so zips compress
about 2:1 as real cartridge sets do), a ``--zipped`` share of them each in a zip of its
own, in ten platform folders, and a DAT listing every one of them (imported first unless
``--no-catalog``, so identification runs and finds each file). Then, each with the same
number of processes and on page-cached files:

* ``reference_crc_loop``: what igir does by default — each zip member's CRC32 and size
  from the central directory (nothing decompressed), CRC32 of each plain file;
* ``reference_full_loop``: CRC32 + MD5 + SHA1 of each plain file and of each zip member's
  decompressed data (one pass, nothing else);
* ``engine_first_scan``: ``scan_library`` on an empty database (the default: zips read
  from their directory, members' MD5/SHA1 deferred where the catalog has one match);
* ``engine_verify``: ``scan --verify`` right after it (the deferred work, done);
* ``engine_full_first_scan``: ``scan --verify`` on an empty database (everything hashed,
  containers included: what a first scan did before).

Prints one JSON document; the ratios are reference time / engine time (≥ 1: the engine is
at least as fast). ``crc_reference_over_engine_cpu`` compares CPU time instead: the CRC
reference loop run in this one process against the first scan's process and workers
(on a loaded machine the wall-clock ratio moves with the neighbours; this one does not).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import multiprocessing
import os
import random
import resource
import tempfile
import time
import zipfile
import zlib
from collections.abc import Callable
from pathlib import Path

from romrunner.catalog.importer import import_dats
from romrunner.library.roots import add_root, list_roots
from romrunner.library.scan import scan_library
from romrunner.packs import load_pack
from romrunner.store.open import OpenMode, open_database

FOLDERS = {"nes": ".nes", "snes": ".sfc", "gb": ".gb", "gbc": ".gbc", "gba": ".gba",
           "genesis": ".md", "sms": ".sms", "gamegear": ".gg", "n64": ".z64", "lynx": ".lnx"}
_PATTERN = bytes(range(256)) * 16


def _rom(rng: random.Random, size: int) -> bytes:
    """Half random bytes, half a repeating pattern (deflates about 2:1)."""
    half = size // 2
    tail = size - half
    return rng.randbytes(half) + (_PATTERN * (tail // len(_PATTERN) + 1))[:tail]


def build(library: Path, dats: Path, files: int, kib: tuple[int, int], zipped: float,
          seed: int = 18) -> None:
    """The tree and one DAT per platform folder listing every ROM in it."""
    rng = random.Random(seed)
    platforms = list(FOLDERS.items())
    entries: dict[str, list[str]] = {platform: [] for platform in FOLDERS}
    for index in range(files):
        platform, extension = platforms[index % len(platforms)]
        folder = library / platform / f"{index // 500:04d}"
        folder.mkdir(parents=True, exist_ok=True)
        name = f"Game {index} (USA)"
        data = _rom(rng, rng.randint(kib[0], kib[1]) << 10)
        if rng.random() < zipped:
            with zipfile.ZipFile(folder / f"{name}.zip", "w", zipfile.ZIP_DEFLATED,
                                 compresslevel=1) as archive:
                archive.writestr(name + extension, data)
        else:
            (folder / (name + extension)).write_bytes(data)
        entries[platform].append(
            f'game (\n\tname "{name}"\n\trom ( name "{name}{extension}" size {len(data)} '
            f'crc {zlib.crc32(data):08x} md5 {hashlib.md5(data).hexdigest()} '
            f'sha1 {hashlib.sha1(data).hexdigest()} )\n)\n')
    dats.mkdir(parents=True, exist_ok=True)
    for platform, games in entries.items():
        (dats / f"{platform}.dat").write_text(
            f'clrmamepro (\n\tname "bench {platform}"\n)\n' + "".join(games))


def crc_reference(path: str) -> list[tuple[int, int]]:
    """igir's default: a zip's members from its central directory, CRC32 of a plain file."""
    if path.endswith(".zip"):
        with zipfile.ZipFile(path) as archive:
            return [(info.CRC, info.file_size) for info in archive.infolist()]
    crc = size = 0
    with open(path, "rb") as handle:
        while chunk := handle.read(1 << 20):
            crc = zlib.crc32(chunk, crc)
            size += len(chunk)
    return [(crc, size)]


def full_reference(path: str) -> list[str]:
    """CRC32 + MD5 + SHA1 of a plain file, or of each zip member's data, in one pass."""
    if path.endswith(".zip"):
        with zipfile.ZipFile(path) as archive:
            out = []
            for info in archive.infolist():
                with archive.open(info) as member:
                    out.append(_triple(member.read))
            return out
    with open(path, "rb") as handle:
        return [_triple(handle.read)]


def _triple(read: Callable[[int], bytes]) -> str:
    crc, md5, sha1 = 0, hashlib.md5(), hashlib.sha1()
    while chunk := read(1 << 20):
        crc = zlib.crc32(chunk, crc)
        md5.update(chunk)
        sha1.update(chunk)
    return f"{crc:08x}{md5.hexdigest()}{sha1.hexdigest()}"


def cpu_seconds() -> float:
    """CPU time of this process and of its children that have ended (the scan's workers):
    on a shared machine, what a change costs shows in it when wall time does not."""
    return sum(usage.ru_utime + usage.ru_stime for usage in (
        resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)))


def _timed(operation: Callable[[], object]) -> float:
    started = time.perf_counter()
    operation()
    return time.perf_counter() - started


def _engine(db_path: Path, library: Path, dats: Path | None, workers: int,
            verify_after: bool, full: bool) -> dict[str, object]:
    """A first scan on a fresh database (catalog imported first, not timed)."""
    db_path.unlink(missing_ok=True)
    db = open_database(db_path, OpenMode.WRITE).db
    add_root(db, library)
    pack = load_pack(None)
    if dats is not None:
        for dat in sorted(dats.glob("*.dat")):
            platform = next(p.id for p in pack.platforms.values()
                            if dat.stem in p.folder_names)
            import_dats(db, [dat], platform_id=platform)
    started, cpu = time.perf_counter(), cpu_seconds()
    summary = scan_library(db, pack, list_roots(db), workers=workers, verify=full)
    result: dict[str, object] = {
        "seconds": round(time.perf_counter() - started, 2),
        "cpu_s": round(cpu_seconds() - cpu, 2), "added": summary.added,
        "identified": summary.identified,
        "identified_by_crc_only": summary.identified_by_crc_only,
        "unverified": summary.unverified, "bytes_hashed": summary.bytes_hashed,
        "errors": len(summary.errors)}
    if verify_after:
        started = time.perf_counter()
        verified = scan_library(db, pack, list_roots(db), workers=workers, verify=True)
        result["verify_seconds"] = round(time.perf_counter() - started, 2)
        result["verify_identified"] = verified.identified
        result["verify_unverified"] = verified.unverified
    db.close()
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--files", type=int, default=2000)
    parser.add_argument("--kib", default="256-2048", help="file size range in KiB, e.g. 16-64")
    parser.add_argument("--zipped", type=float, default=0.3)
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--workdir", type=Path, default=None)
    parser.add_argument("--no-catalog", action="store_true")
    args = parser.parse_args()
    low, _, high = args.kib.partition("-")
    kib = (int(low), int(high or low))
    workdir = args.workdir or Path(tempfile.mkdtemp(prefix="romrunner-firstscan-"))
    library, dats, db_path = workdir / "library", workdir / "dats", workdir / "romrunner.db"
    figures: dict[str, object] = {"files": args.files, "kib": args.kib,
                                  "zipped": args.zipped, "workers": args.workers}
    if not library.exists():
        figures["build_s"] = round(_timed(lambda: build(library, dats, args.files, kib,
                                                        args.zipped)), 1)
    paths = sorted(os.path.join(d, n) for d, _, names in os.walk(library) for n in names)
    figures["bytes_on_disk"] = sum(os.path.getsize(p) for p in paths)
    for path in paths:
        Path(path).read_bytes()  # page cache warm for every side
    catalog = None if args.no_catalog else dats
    with multiprocessing.get_context("fork").Pool(args.workers) as pool:
        crc_s = _timed(lambda: pool.map(crc_reference, paths, chunksize=16))
        full_s = _timed(lambda: pool.map(full_reference, paths, chunksize=16))
    started = time.process_time()
    for path in paths:
        crc_reference(path)
    crc_cpu = time.process_time() - started
    figures["reference_crc_loop_s"] = round(crc_s, 2)
    figures["reference_crc_loop_cpu_s"] = round(crc_cpu, 2)
    figures["reference_full_loop_s"] = round(full_s, 2)
    ours = _engine(db_path, library, catalog, args.workers, verify_after=True, full=False)
    before = _engine(db_path, library, catalog, args.workers, verify_after=False, full=True)
    figures["engine_first_scan"] = ours
    figures["engine_full_first_scan"] = before
    seconds = float(ours["seconds"])  # type: ignore[arg-type]
    figures["crc_reference_over_engine"] = round(crc_s / seconds, 2)
    figures["full_reference_over_engine"] = round(full_s / seconds, 2)
    figures["crc_reference_over_engine_cpu"] = round(
        crc_cpu / float(ours["cpu_s"]), 3)  # type: ignore[arg-type]
    figures["full_reference_over_engine_full"] = round(
        full_s / float(before["seconds"]), 2)  # type: ignore[arg-type]
    print(json.dumps(figures, indent=1))


if __name__ == "__main__":
    main()
