"""A new root's scan while some stored game may have moved: the renamed-zip lookup's cost.

    python -m benchmarks.zipmoves [--zips 3000] [--workdir DIR]

A zip read from its directory has no hash of its own: a new zip is looked for among the
stored games whose members hold its data (a ROM manager's rename, TorrentZip). The lookup
runs for every new zip once a stored game may have moved (one missing in another root). It
was keyed by the zip's smallest member: when zips share one (a pack's ``readme.txt``, every
Neo Geo set's ``ng-sfix.rom``), every new zip read every zip holding it (review 20 R2: 3,000
zips 18 s). Builds root ``a`` of ``--zips`` zips (its own ROM and the same readme each), root
``c`` with one game missing, then times the scan of a new root ``b`` of as many such zips.
Prints one JSON document.
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time
import zipfile
from pathlib import Path

from romrunner.library.roots import add_root
from romrunner.library.scan import scan_library
from romrunner.packs import load_pack
from romrunner.store.open import OpenMode, open_database

README = b"Downloaded from somewhere. Enjoy!\n"


def _zips(folder: Path, prefix: str, count: int) -> None:
    folder.mkdir(parents=True)
    for n in range(count):
        with zipfile.ZipFile(folder / f"Game {prefix} {n}.zip", "w") as archive:
            archive.writestr(f"Game {prefix} {n}.gb", f"{prefix}{n}-".encode() * (100 + n))
            archive.writestr("readme.txt", README)


def run(zips: int, workdir: Path) -> dict[str, float | int]:
    """Build the roots under ``workdir`` and time the new root's scan."""
    pack = load_pack(None)
    _zips(workdir / "a" / "gb", "a", zips)
    _zips(workdir / "b" / "gb", "b", zips)
    (workdir / "c" / "gb").mkdir(parents=True)
    for name in ("x.gb", "y.gb"):
        (workdir / "c" / "gb" / name).write_bytes(name.encode() * 100)
    db = open_database(workdir / "bench.db", OpenMode.WRITE).db
    try:
        roots = [add_root(db, workdir / name) for name in ("a", "c")]
        scan_library(db, pack, roots, workers=1)
        (workdir / "c" / "gb" / "x.gb").unlink()
        scan_library(db, pack, roots[1:], workers=1)  # one game missing in root c
        new = add_root(db, workdir / "b")
        started = time.perf_counter()
        summary = scan_library(db, pack, [new], workers=1)
        seconds = time.perf_counter() - started
    finally:
        db.close()
    return {"zips": zips, "added": summary.added, "new_root_scan_seconds": round(seconds, 3)}


def main() -> None:
    """The command line."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--zips", type=int, default=3000)
    parser.add_argument("--workdir", type=Path, default=None)
    args = parser.parse_args()
    if args.workdir is None:
        with tempfile.TemporaryDirectory() as folder:
            print(json.dumps(run(args.zips, Path(folder))))
    else:
        args.workdir.mkdir(parents=True, exist_ok=False)
        print(json.dumps(run(args.zips, args.workdir)))


if __name__ == "__main__":
    main()
