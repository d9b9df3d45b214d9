"""CHD files for the tests of `games find` and the scan, built as chd.h lays them out (no
chdman here), and the downloads a user asks about: a CHD's image loose and zipped."""

from __future__ import annotations

import hashlib
import struct
import zipfile
import zlib
from pathlib import Path

# Each version's header length, and where it keeps its SHA1, its logical (image) size, its
# hunk size and its parent's SHA1
_LAYOUT = {3: (120, 80, 28, 76, 100), 5: (124, 84, 32, 56, 104)}


def _header(version: int, image: bytes, hunk: int, *, parent: bytes = b"") -> bytearray:
    """A v3 or v5 header for ``image`` in hunks of ``hunk`` bytes: its SHA1 (v3: the
    image's; v5: a SHA1 of data and metadata, here of ``b"meta" + image``), its logical
    and hunk sizes, its parent's SHA1 when ``parent`` (v3: with the has-parent flag); v3:
    its hunk count; v5: its map at the header's end, 2048 bytes a unit."""
    length, sha1_at, logical_at, hunk_at, parent_at = _LAYOUT[version]
    header = bytearray(length)
    header[0:16] = b"MComprHD" + length.to_bytes(4, "big") + version.to_bytes(4, "big")
    header[logical_at:logical_at + 8] = len(image).to_bytes(8, "big")
    header[hunk_at:hunk_at + 4] = hunk.to_bytes(4, "big")
    header[sha1_at:sha1_at + 20] = hashlib.sha1(
        image if version == 3 else b"meta" + image).digest()
    if version == 3:
        header[24:28] = (-(-len(image) // hunk)).to_bytes(4, "big")
    else:
        header[40:48] = length.to_bytes(8, "big")
        header[60:64] = (2048).to_bytes(4, "big")
    if parent:
        header[parent_at:parent_at + 20] = parent
        if version == 3:
            header[16:20] = (1).to_bytes(4, "big")  # has a parent
    return header


def chd(version: int, image: bytes) -> bytes:
    """A CHD of ``version`` (3 or 5) holding ``image`` as one uncompressed hunk: its header
    (see ``_header``), then its map (v3: one entry of 16 bytes, the hunk's offset, CRC32,
    length and type 2, raw; v5: its offset in the header, 4 bytes here), then the hunk."""
    header = _header(version, image, len(image))
    if version == 3:
        entry = struct.pack(">QIHBB", len(header) + 16, zlib.crc32(image),
                            len(image) & 0xFFFF, len(image) >> 16, 2)
    else:
        header[60:64] = bytes(4)
        entry = bytes(4)
    return bytes(header) + entry + image


def v3_child(image: bytes, parent_sha1: bytes) -> bytes:
    """A v3 child CHD of ``image`` (4 hunks, each its parent's: map entries of type 5): the
    has-parent flag, the parent's SHA1 at 100, its map, no data."""
    return bytes(_header(3, image, len(image) // 4, parent=parent_sha1)) \
        + struct.pack(">QIHBB", 0, 0, 0, 0, 5) * 4


def v5_child(image: bytes, parent_sha1: bytes) -> bytes:
    """A v5 child CHD of ``image`` (compressed, hunks of 4 KiB), its parent's SHA1 at 104,
    its map at 124 (some bytes of it here)."""
    header = _header(5, image, 4096, parent=parent_sha1)
    header[16:20] = b"zlib"
    return bytes(header) + bytes(16)


def v5_uncompressed(image: bytes) -> bytes:
    """An uncompressed v5 CHD of ``image`` (no compressor, hunks of 4 KiB): its map at 124,
    before its data, 4 bytes a hunk (its offset in the file in hunks), each hunk at a
    multiple of the hunk size."""
    hunk, hunks = 4096, -(-len(image) // 4096)
    first = -(-(124 + hunks * 4) // hunk)  # (the first hunk's place, in hunks)
    head = bytes(_header(5, image, hunk)) + struct.pack(f">{hunks}I",
                                                        *range(first, first + hunks))
    return head + bytes(first * hunk - len(head)) + image.ljust(hunks * hunk, b"\0")


def ps2_folder(tmp_path: Path, files: dict[str, bytes]) -> Path:
    """The platform folder ``roms/ps2`` under ``tmp_path``, holding ``files`` (name: bytes)."""
    root = tmp_path / "roms" / "ps2"
    root.mkdir(parents=True)
    for name, data in files.items():
        (root / name).write_bytes(data)
    return root


def image_downloads(tmp_path: Path, name: str, image: bytes) -> tuple[Path, Path]:
    """``image`` as a user downloads it, in ``tmp_path``: loose as ``{name}.iso``, and
    zipped (deflated) as ``{name}.zip`` holding that .iso."""
    loose, zipped = tmp_path / f"{name}.iso", tmp_path / f"{name}.zip"
    loose.write_bytes(image)
    with zipfile.ZipFile(zipped, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(loose.name, image)
    return loose, zipped
