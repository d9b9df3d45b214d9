"""What ``games find`` pays for a zip whose member is named as a disc image, in a library of
CHDs: a member is unpacked only when its stated size is the image size a v3 CHD of the
library records (session 52, review51h F2: before, every such member was unpacked in full
once the library held any CHD — a 1 MiB zip of 1 GiB of zeros named ``.iso``: 18.9 s).

    python -m benchmarks.findbomb [--chds 1000] [--bomb-mib 1024] [--rounds 3] [--workdir DIR]

Builds a library of ``--chds`` v5 CHDs and one v3 CHD (64 KiB images, with the tests' CHD
builder, tests/chdbuild.py: run from a checkout), scans it, then times
:func:`romrunner.library.games.find_copies` (median of ``--rounds``, wall) for: the bomb (a
zip of ``--bomb-mib`` MiB of zeros named "Bomb (USA).iso"), and the v3 CHD's image zipped
(unpacked and held). Beside them, in the same run, the two reference loops the answer is
bounded by: the zip's central directory read (``zipfile``), and the bomb's member unpacked
and SHA1-hashed in full (what the old check did). Prints one JSON document.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import statistics
import tempfile
import time
import zipfile
from collections.abc import Callable
from pathlib import Path

from tests.chdbuild import chd

from romrunner.library.games import find_copies
from romrunner.library.roots import add_root
from romrunner.library.scan import scan_library
from romrunner.packs import load_pack
from romrunner.store.open import OpenMode, open_database

IMAGE = 65536


def _image(seed: int) -> bytes:
    block = hashlib.sha256(str(seed).encode()).digest()
    return (block * (IMAGE // 32))[:IMAGE]


def _median_seconds(operation: Callable[[], object], rounds: int) -> float:
    seconds = []
    for _ in range(rounds):
        started = time.perf_counter()
        operation()
        seconds.append(time.perf_counter() - started)
    return round(statistics.median(seconds), 4)


def _bomb(path: Path, mib: int) -> Path:
    zeros = bytes(1 << 20)
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive, \
            archive.open("Bomb (USA).iso", "w", force_zip64=True) as member:
        for _ in range(mib):
            member.write(zeros)
    return path


def _unpacked_and_hashed(path: Path) -> str:
    digest = hashlib.sha1()
    with zipfile.ZipFile(path) as archive, archive.open("Bomb (USA).iso") as member:
        while chunk := member.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


def run(chds: int, bomb_mib: int, rounds: int, workdir: Path) -> dict[str, object]:
    """Build the library and the downloads under ``workdir``, and time the answers."""
    folder = workdir / "roms" / "ps2"
    folder.mkdir(parents=True)
    for n in range(chds):
        (folder / f"Disc {n} (USA).chd").write_bytes(chd(5, _image(n)))
    held_image = _image(-1)
    (folder / "Old (USA).chd").write_bytes(chd(3, held_image))
    bomb = _bomb(workdir / "bomb.zip", bomb_mib)
    held = workdir / "held.zip"
    with zipfile.ZipFile(held, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("Old (USA).iso", held_image)
    db = open_database(workdir / "bench.db", OpenMode.WRITE).db
    try:
        scan_library(db, load_pack(None), [add_root(db, workdir / "roms")], workers=1)
        bomb_found = find_copies(db, bomb)
        held_found = find_copies(db, held)
        figures = {
            "find_bomb_s": _median_seconds(lambda: find_copies(db, bomb), rounds),
            "find_held_v3_image_s": _median_seconds(lambda: find_copies(db, held), rounds),
        }
    finally:
        db.close()
    figures["reference_directory_read_s"] = _median_seconds(
        lambda: zipfile.ZipFile(bomb).infolist(), rounds)
    figures["reference_bomb_unpacked_and_hashed_s"] = _median_seconds(
        lambda: _unpacked_and_hashed(bomb), 1)
    return {"chds": chds + 1, "bomb_mib": bomb_mib, "bomb_zip_bytes": bomb.stat().st_size,
            "bomb_held": bool(bomb_found.rows), "v3_image_zip_held": bool(held_found.rows),
            **figures}


def main() -> None:
    """The command line."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--chds", type=int, default=1000)
    parser.add_argument("--bomb-mib", type=int, default=1024)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--workdir", type=Path, default=None)
    args = parser.parse_args()
    if args.workdir is None:
        with tempfile.TemporaryDirectory() as folder:
            print(json.dumps(run(args.chds, args.bomb_mib, args.rounds, Path(folder))))
    else:
        args.workdir.mkdir(parents=True, exist_ok=False)
        print(json.dumps(run(args.chds, args.bomb_mib, args.rounds, args.workdir)))


if __name__ == "__main__":
    main()
