"""CRC32, MD5 and SHA1 in one streaming pass, with header-less hashes for headered ROMs.

Headers (No-Intro conventions): iNES/NES 2.0 and fwNES FDS (16 bytes), Atari Lynx (64),
Atari 7800 (128), SNES copier headers (512, recognised by size modulo 1024). A headered file
gets both its full-file hashes and the hashes of the data after the header.
"""

from __future__ import annotations

import hashlib
import zlib
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO, NamedTuple

from romrunner.library.tags import extension_of

CHUNK = 1 << 20
_SNIFF = 512
_SNES_EXTENSIONS = {".smc", ".sfc", ".swc", ".fig"}


@dataclass(frozen=True)
class Hashes:
    """Lowercase hex digests of one stream, and of its data after a header when present."""

    size: int
    crc32: str
    md5: str
    sha1: str
    header_size: int = 0
    nh_crc32: str | None = None
    nh_md5: str | None = None
    nh_sha1: str | None = None


def detect_header(head: bytes, extension: str, total_size: int) -> int:
    """The size of a copier/emulator header at the start of a ROM, or 0."""
    if head.startswith(b"NES\x1a") or head.startswith(b"FDS\x1a"):
        return 16
    if head.startswith(b"LYNX"):
        return 64
    if head[1:10] == b"ATARI7800":
        return 128
    if extension in _SNES_EXTENSIONS and total_size % 1024 == 512 and total_size > 512:
        return 512
    return 0


class _Digest:
    """CRC32 + MD5 + SHA1 fed together."""

    def __init__(self) -> None:
        self.crc = 0
        self.md5 = hashlib.md5(usedforsecurity=False)
        self.sha1 = hashlib.sha1(usedforsecurity=False)
        self.size = 0

    def update(self, data: bytes | bytearray | memoryview) -> None:
        self.crc = zlib.crc32(data, self.crc)
        self.md5.update(data)
        self.sha1.update(data)
        self.size += len(data)

    def hex(self) -> tuple[str, str, str]:
        return f"{self.crc & 0xFFFFFFFF:08x}", self.md5.hexdigest(), self.sha1.hexdigest()


def read_buffer(size: int | None) -> memoryview:
    """A buffer for reading a file of ``size`` bytes: at most :data:`CHUNK`, and no larger
    than the file (zeroing 1 MiB per file cost more than hashing a small ROM)."""
    length = CHUNK if size is None else min(CHUNK, max(size, 0) + 1)
    return memoryview(bytearray(length))


class RomHasher:
    """Streaming hasher: feed chunks with :meth:`update`, then call :meth:`result`.

    It holds back the first 512 bytes to decide whether a header is present, so memory
    stays bounded whatever the stream's size.
    """

    def __init__(self, name: str, total_size: int | None = None, *,
                 detect_headers: bool = True) -> None:
        self.extension = extension_of(name.rsplit("/", 1)[-1])
        self.total_size = total_size
        self.detect_headers = detect_headers
        self.full = _Digest()
        self.headerless: _Digest | None = None
        self.header_size = 0
        self._head = bytearray()
        self._decided = not detect_headers

    def update(self, data: bytes | bytearray | memoryview) -> None:
        """Feed the next chunk of the stream."""
        self.full.update(data)
        if self._decided:
            if self.headerless is not None:
                self.headerless.update(data)
            return
        if not self._head and len(data) >= _SNIFF:
            # The usual case, a first chunk of 512 bytes or more: decide on its start
            # without copying it (a small ROM is one chunk: a copy was ~5% of its hashing).
            self._decide(bytes(data[:_SNIFF]), data)
            return
        self._head += data
        if len(self._head) >= _SNIFF:
            self._decide(bytes(self._head[:_SNIFF]), self._head)

    def _decide(self, head: bytes, held: bytes | bytearray | memoryview) -> None:
        """Decide on the header from ``head``; ``held`` is what was fed but not yet given
        to a header-less digest."""
        self._decided = True
        size = self.total_size if self.total_size is not None else len(held)
        self.header_size = detect_header(head, self.extension, size)
        if self.header_size:
            self.headerless = _Digest()
            self.headerless.update(memoryview(held)[self.header_size:])
        self._head = bytearray()

    def result(self) -> Hashes:
        """The digests of everything fed so far (the stream must be complete)."""
        if not self._decided:
            if self.total_size is None:
                self.total_size = len(self._head)
            self._decide(bytes(self._head[:_SNIFF]), self._head)
        crc, md5, sha1 = self.full.hex()
        if self.headerless is None or self.headerless.size == 0:
            return Hashes(self.full.size, crc, md5, sha1)
        nh_crc, nh_md5, nh_sha1 = self.headerless.hex()
        return Hashes(self.full.size, crc, md5, sha1, self.header_size, nh_crc, nh_md5, nh_sha1)


def hash_stream(stream: BinaryIO, name: str, total_size: int | None = None) -> Hashes:
    """Hash a binary stream in 1 MiB chunks."""
    hasher = RomHasher(name, total_size)
    view = read_buffer(total_size)
    while True:
        read = stream.readinto(view)  # type: ignore[attr-defined]
        if not read:
            break
        hasher.update(view[:read])
    return hasher.result()


def hash_file(path: Path) -> Hashes:
    """Hash a file on disk (bounded memory, any size)."""
    with path.open("rb", buffering=0) as stream:
        return hash_stream(stream, path.name, path.stat().st_size)


class CrcRules(NamedTuple):
    """What a scan needs to decide, from a CRC32 and a size, how much of a file to hash.

    ``unique``: (CRC32, size) pairs exactly one catalog game has; a plain file with one of
    them is identified by its CRC32 alone and its MD5/SHA1 wait for ``scan --verify``.
    ``ambiguous``: pairs several catalog games have; a zip member stating one is hashed in
    full (any other member is taken from its zip's directory).
    """

    unique: frozenset[tuple[int, int]] = frozenset()
    ambiguous: frozenset[tuple[int, int]] = frozenset()

    def crc_decides(self, crc: int, size: int) -> bool:
        """True when the catalog has exactly one game with this CRC32 and size."""
        return (crc, size) in self.unique

    def member_must_hash(self, crc: int, size: int) -> bool:
        """True when a zip member stating this CRC32 and size must be hashed now."""
        return (crc, size) in self.ambiguous


def crc_first(data: bytes, name: str, rules: CrcRules) -> tuple[Hashes, bool]:
    """The hashes of a file read whole: CRC32 alone (and False: not verified) when it has
    no header and its CRC32 and size name exactly one catalog game, else all three."""
    crc = zlib.crc32(data)
    extension = extension_of(name.rsplit("/", 1)[-1])
    if rules.crc_decides(crc, len(data)) and not detect_header(data[:_SNIFF], extension,
                                                               len(data)):
        return Hashes(len(data), f"{crc:08x}", "", ""), False
    hasher = RomHasher(name, len(data))
    hasher.update(data)
    return hasher.result(), True
