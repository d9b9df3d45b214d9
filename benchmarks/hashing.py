"""Engine hashing vs a plain one-pass CRC32+MD5+SHA1 loop, side by side on page-cached files.

    python -m benchmarks.hashing [--mib 256] [--files 8]
"""

from __future__ import annotations

import argparse
import hashlib
import os
import tempfile
import time
import zlib
from pathlib import Path

from romrunner.library.hashing import hash_file


def plain_loop(path: Path) -> str:
    """The reference: one pass, 1 MiB reads, the three stdlib hashes."""
    crc, md5, sha1 = 0, hashlib.md5(), hashlib.sha1()
    with path.open("rb") as handle:
        while chunk := handle.read(1 << 20):
            crc = zlib.crc32(chunk, crc)
            md5.update(chunk)
            sha1.update(chunk)
    return sha1.hexdigest()


def best_of(fn: object, files: list[Path], rounds: int = 3) -> float:
    """Best wall time of ``rounds`` passes over ``files``."""
    times = []
    for _ in range(rounds):
        started = time.perf_counter()
        for file in files:
            fn(file)  # type: ignore[operator]
        times.append(time.perf_counter() - started)
    return min(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--mib", type=int, default=256, help="total data size")
    parser.add_argument("--files", type=int, default=8)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        size = args.mib * (1 << 20) // args.files
        files = []
        for index in range(args.files):
            path = Path(folder) / f"rom{index}.bin"
            path.write_bytes(os.urandom(size))
            files.append(path)
        for file in files:
            plain_loop(file)  # warm the page cache
        plain = best_of(plain_loop, files)
        engine = best_of(hash_file, files)
        total = args.mib
        print(f"plain loop   {total / plain:8.1f} MiB/s")
        print(f"engine       {total / engine:8.1f} MiB/s")
        print(f"ratio        {plain / engine:8.3f} (engine throughput / plain; target >= 0.90)")


if __name__ == "__main__":
    main()
