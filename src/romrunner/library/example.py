"""A small example library the project makes itself (for the demo): ROMs, a zip, a disc,
and a DAT of our own that knows most of them. No real game or BIOS data is involved."""

from __future__ import annotations

import hashlib
import zipfile
import zlib
from pathlib import Path

_GAMES = {
    "snes/Sky Pilot (USA).sfc": ("snes", "Sky Pilot (USA)", 65536),
    "snes/Sky Pilot (Japan) (Rev 1).sfc": ("snes", "Sky Pilot (Japan) (Rev 1)", 65536),
    "gba/Pocket Quest (Europe) (En,Fr,De).gba": ("gba", "Pocket Quest (Europe) (En,Fr,De)",
                                                 131072),
    "nes/Castle Run (USA).nes": ("nes", "Castle Run (USA)", 32768),
    "gba/homebrew-untitled.gba": ("gba", None, 16384),
}
_DAT_SYSTEMS = {"snes": "Nintendo - Super Nintendo Entertainment System",
                "gba": "Nintendo - Game Boy Advance",
                "nes": "Nintendo - Nintendo Entertainment System"}


def _payload(name: str, size: int) -> bytes:
    block = hashlib.sha256(name.encode()).digest()
    return (block * (size // len(block) + 1))[:size]


def build_example(root: Path) -> tuple[Path, list[Path]]:
    """Write the example library under ``root``; returns the library folder and its DATs."""
    library = root / "roms"
    dats: dict[str, list[tuple[str, bytes]]] = {}
    for relpath, (platform, dat_name, size) in _GAMES.items():
        data = _payload(relpath, size)
        target = library / relpath
        target.parent.mkdir(parents=True, exist_ok=True)
        if relpath.endswith(".nes"):
            target.write_bytes(b"NES\x1a" + bytes(12) + data)  # headered; the DAT is not
        elif "Pocket Quest" in relpath:
            with zipfile.ZipFile(target.with_suffix(".zip"), "w") as archive:
                archive.writestr(target.name, data)
        else:
            target.write_bytes(data)
        if dat_name:
            dats.setdefault(platform, []).append((dat_name, data))
    dat_paths = []
    for platform, entries in dats.items():
        path = root / f"example-{platform}.dat"
        path.write_text(_dat_text(_DAT_SYSTEMS[platform], entries), encoding="utf-8")
        dat_paths.append(path)
    return library, dat_paths


def _dat_text(system: str, entries: list[tuple[str, bytes]]) -> str:
    parts = [f'clrmamepro (\n\tname "{system}"\n\tversion "example"\n)\n']
    for name, data in entries:
        parts.append(
            f'game (\n\tname "{name}"\n\trom ( name "{name}" size {len(data)} '
            f'crc {zlib.crc32(data) & 0xFFFFFFFF:08X} md5 {hashlib.md5(data).hexdigest()} '
            f'sha1 {hashlib.sha1(data).hexdigest()} )\n)\n')
    return "".join(parts)
