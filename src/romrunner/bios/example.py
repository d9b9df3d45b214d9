"""Example BIOS files for the demo, and a copy of the pack that knows them.

No real BIOS is shipped or downloaded: the files are bytes the project makes, and the pack
copy gains test-only entries whose hashes are those of the made files. One is present and
good, one is a good dump under another name (it counts, and a deploy writes it under the
pack's name), one is a bad dump of a BIOS with no fallback.
"""

from __future__ import annotations

import hashlib
import json
import shutil
import zlib
from pathlib import Path
from typing import Any

# (entry id, platform, file name the pack expects, size, HLE fallback, name the demo writes,
#  True when the written bytes are the known dump)
_EXAMPLES = (
    ("example-nes-boot", "nes", "example-nes-boot.bin", 4096, False,
     "example-nes-boot.bin", True),
    ("example-gba-boot", "gba", "example-gba-boot.bin", 8192, True,
     "gba boot (copy).bin", True),
    ("example-snes-dsp", "snes", "example-snes-dsp.bin", 2048, False,
     "example-snes-dsp.bin", False),
)


def _dump(entry_id: str, size: int) -> bytes:
    block = hashlib.sha256(f"romrunner example bios {entry_id}".encode()).digest()
    return (block * (size // len(block) + 1))[:size]


def _entry(entry_id: str, platform: str, filename: str, size: int, hle: bool) -> dict[str, Any]:
    data = _dump(entry_id, size)
    return {"id": entry_id, "name": f"Example BIOS {entry_id} (demo only, not a real BIOS)",
            "filename": filename, "platformId": platform, "required": True,
            "hleFallback": hle, "fileSize": size,
            "knownHashes": [{"md5": hashlib.md5(data).hexdigest(),
                             "sha1": hashlib.sha1(data).hexdigest(),
                             "crc32": f"{zlib.crc32(data) & 0xFFFFFFFF:08x}",
                             "isPreferred": True}]}


def build_example_bios(root: Path, base_pack: Path) -> tuple[Path, Path, list[str]]:
    """Write the example BIOS folder and a pack copy knowing it under ``root``.

    Returns (BIOS folder, pack folder, the platforms the examples are for).
    """
    folder = root / "bios"
    folder.mkdir(parents=True, exist_ok=True)
    pack = root / "pack"
    if pack.exists():
        shutil.rmtree(pack)
    shutil.copytree(base_pack, pack)
    hashes_file = pack / "bios-hashes.json"
    data = json.loads(hashes_file.read_text(encoding="utf-8"))
    entries = data.setdefault("biosFiles", [])
    for entry_id, platform, filename, size, hle, written_as, good in _EXAMPLES:
        entries.append(_entry(entry_id, platform, filename, size, hle))
        payload = _dump(entry_id, size) if good else _dump(entry_id + " bad dump", size)
        (folder / written_as).write_bytes(payload)
    hashes_file.write_text(json.dumps(data, indent=1), encoding="utf-8")
    return folder, pack, sorted({example[1] for example in _EXAMPLES})
