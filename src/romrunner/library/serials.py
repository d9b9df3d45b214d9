"""Game ids read from disc images themselves, for knowledge keyed by serial or game id.

Emulator databases key their knowledge by the id printed on the disc (PCSX2 and DuckStation by
serial, PPSSPP by PSP title id, Dolphin by the six-character game id), and many images match no
DAT. Each reader here looks at a few sectors, never the whole image:

- PS1/PS2: ``SYSTEM.CNF``'s ``BOOT``/``BOOT2`` line in the ISO 9660 file system, in a 2048-byte
  ``.iso`` or a raw 2352-byte ``.bin`` (Mode 1 or Mode 2 sectors);
- PSP: ``UMD_DATA.BIN`` in the ISO 9660 root;
- GameCube/Wii: the disc header's game id (plain, WBFS, CISO and RVZ/WIA containers).

Serials are normalised to one spelling, ``SLUS-20312``: DATs and discs write ``SLUS 20312``,
``SLUS_203.12`` or ``SLUS20312`` for the same disc.
"""

from __future__ import annotations

import re
import struct
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

SECTOR = 2048
RAW_SECTOR = 2352
_RAW_SYNC = b"\x00" + b"\xff" * 10 + b"\x00"
_PVD_LBA = 16
_MAX_DIRECTORY = 64 * 1024
_MAX_SMALL_FILE = 16 * 1024
_GAMECUBE_MAGIC = 0xC2339F3D
_WII_MAGIC = 0x5D1C9EA3

_SERIAL = re.compile(r"^\s*([A-Za-z]{4})[\s_-]*(\d{3})[\s.]*(\d{2})\s*$")
_PSP_ID = re.compile(r"^\s*([A-Za-z]{4})[\s_-]*(\d{5})\s*$")
_GAME_ID = re.compile(r"^[A-Z0-9]{6}$")
_BOOT = re.compile(rb"^\s*BOOT2?\s*=\s*cdrom0?:\\?\\?([^;\r\n]+)", re.IGNORECASE | re.MULTILINE)


def normalise_serial(text: str) -> str | None:
    """``SLUS_203.12``, ``SLUS 20312``, ``slus-20312`` → ``SLUS-20312``; None if not a serial."""
    match = _SERIAL.match(text) or _PSP_ID.match(text)
    if match is None:
        return None
    digits = "".join(match.groups()[1:])
    return f"{match.group(1).upper()}-{digits}"


_SEPARATORS = str.maketrans("", "", " _-.\t")
_SQUEEZED_SERIAL = re.compile(r"^[A-Z]{4}\d{5}(?!\d)")


def leading_serial(text: str) -> str | None:
    """The serial a DAT's serial field starts with, in the one spelling (as
    ``knowledge.linking.serial_sql`` reads it: four letters, then five digits, separators
    anywhere). Redump follows many with a release's suffix (``SLUS-01272GH``,
    ``SLES-03134-T``, ``SLES-01324/P``) or a second serial (``SLUS-00594, SLUS-00594GH``);
    the disc boots the serial alone."""
    trimmed = text.strip()
    match = _SQUEEZED_SERIAL.match(trimmed[:11].upper().translate(_SEPARATORS))
    if match is None or not trimmed[:4].isascii() or not trimmed[:4].isalpha():
        return None
    return f"{match.group()[:4]}-{match.group()[4:]}"


@dataclass(frozen=True)
class DiscId:
    """An id read from an image: a serial (``SLUS-20312``) or a disc game id (``GALE01``)."""

    value: str
    kind: str        # "serial" (PS1/PS2/PSP) or "game-id" (GameCube/Wii)
    source: str      # where it was read: "SYSTEM.CNF", "UMD_DATA.BIN", "disc header"


class _SectorReader:
    """Reads 2048-byte logical sectors from an .iso or a raw 2352-byte-sector image."""

    def __init__(self, handle: BinaryIO) -> None:
        self.handle = handle
        handle.seek(0)
        head = handle.read(16)
        self.raw = head[:12] == _RAW_SYNC
        self.data_offset = 0
        if self.raw:
            self.data_offset = 24 if len(head) == 16 and head[15] == 2 else 16

    def read(self, lba: int, length: int) -> bytes:
        """``length`` bytes of user data from logical sector ``lba`` on."""
        if not self.raw:
            self.handle.seek(lba * SECTOR)
            return self.handle.read(length)
        parts: list[bytes] = []
        remaining = length
        while remaining > 0:
            self.handle.seek(lba * RAW_SECTOR + self.data_offset)
            chunk = self.handle.read(min(SECTOR, remaining))
            if not chunk:
                break
            parts.append(chunk)
            remaining -= len(chunk)
            lba += 1
        return b"".join(parts)


def _root_directory(reader: _SectorReader) -> tuple[int, int] | None:
    pvd = reader.read(_PVD_LBA, SECTOR)
    if len(pvd) < 190 or pvd[0] != 1 or pvd[1:6] != b"CD001":
        return None
    record = pvd[156:190]
    extent, size = struct.unpack_from("<I", record, 2)[0], struct.unpack_from("<I", record, 10)[0]
    return extent, min(size, _MAX_DIRECTORY)


def _find_in_root(reader: _SectorReader, name: str) -> tuple[int, int] | None:
    """(extent, size) of file ``name`` in the image's root directory, or None."""
    root = _root_directory(reader)
    if root is None:
        return None
    extent, size = root
    data = reader.read(extent, size)
    wanted = name.upper()
    offset = 0
    while offset < len(data):
        length = data[offset]
        if length == 0:  # records never cross a sector: skip to the next one
            offset = (offset // SECTOR + 1) * SECTOR
            continue
        record = data[offset:offset + length]
        if len(record) < 34:
            break
        name_length = record[32]
        entry = record[33:33 + name_length].decode("ascii", "replace").upper()
        if entry.split(";")[0] == wanted:
            return struct.unpack_from("<I", record, 2)[0], struct.unpack_from("<I", record, 10)[0]
        offset += length
    return None


def _read_root_file(reader: _SectorReader, name: str) -> bytes | None:
    found = _find_in_root(reader, name)
    if found is None:
        return None
    extent, size = found
    return reader.read(extent, min(size, _MAX_SMALL_FILE))


def playstation_serial(handle: BinaryIO) -> DiscId | None:
    """The PS1/PS2 serial from ``SYSTEM.CNF``'s boot line, or None."""
    text = _read_root_file(_SectorReader(handle), "SYSTEM.CNF")
    if text is None:
        return None
    match = _BOOT.search(text)
    if match is None:
        return None
    boot = match.group(1).decode("ascii", "replace").strip().replace("\\", "/").split("/")[-1]
    serial = normalise_serial(boot)
    return DiscId(serial, "serial", "SYSTEM.CNF") if serial else None


def psp_serial(handle: BinaryIO) -> DiscId | None:
    """The PSP title id from ``UMD_DATA.BIN`` (``ULUS-10041|…``), or None."""
    data = _read_root_file(_SectorReader(handle), "UMD_DATA.BIN")
    if not data:
        return None
    serial = normalise_serial(data.split(b"|", 1)[0].decode("ascii", "replace"))
    return DiscId(serial, "serial", "UMD_DATA.BIN") if serial else None


def _disc_header_offset(head: bytes) -> int | None:
    if head[:4] == b"WBFS":
        return 0x200
    if head[:4] in (b"RVZ\x01", b"WIA\x01"):
        return 0x58
    if head[:4] == b"CISO":
        return 0x8000
    return 0


def nintendo_game_id(handle: BinaryIO) -> DiscId | None:
    """The six-character GameCube/Wii game id from the disc header, or None."""
    handle.seek(0)
    head = handle.read(16)
    offset = _disc_header_offset(head)
    if offset is None:
        return None
    handle.seek(offset)
    header = handle.read(0x20)
    if len(header) < 0x20:
        return None
    wii = struct.unpack_from(">I", header, 0x18)[0] == _WII_MAGIC
    gamecube = struct.unpack_from(">I", header, 0x1C)[0] == _GAMECUBE_MAGIC
    game_id = header[:6].decode("ascii", "replace")
    if not (wii or gamecube) or not _GAME_ID.match(game_id):
        return None
    return DiscId(game_id, "game-id", "disc header")


_READERS = {
    "psx": (playstation_serial,), "ps2": (playstation_serial,), "psp": (psp_serial,),
    "gamecube": (nintendo_game_id,), "gc": (nintendo_game_id,), "wii": (nintendo_game_id,),
}
_EXTENSIONS = {".iso", ".bin", ".img", ".gcm", ".wbfs", ".rvz", ".wia", ".ciso"}
DISC_ID_PLATFORMS = frozenset(_READERS)


def read_disc_id(path: Path, platform_id: str | None = None) -> DiscId | None:
    """The id printed on the disc image at ``path``, or None (not a disc, or no id found).

    With a platform the matching reader runs; without one each reader is tried in turn.
    Reads a few sectors; an unreadable or too-short image gives None, never an error.
    """
    if path.suffix.lower() not in _EXTENSIONS:
        return None
    readers = _READERS.get(platform_id or "", (playstation_serial, psp_serial, nintendo_game_id))
    try:
        with path.open("rb") as handle:
            for reader in readers:
                found = reader(handle)
                if found is not None:
                    return found
    except (OSError, struct.error):
        return None
    return None
