"""What is inside a file: zip and 7z members, CHD header hashes, cue/gdi/m3u references.

Nothing here extracts to disk: members are streamed into the hasher, and a member whose name
would escape a folder (``../``, an absolute path) is reported, never followed.
"""

from __future__ import annotations

import re
import struct
import zipfile
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

import py7zr
from py7zr.io import Py7zIO, WriterFactory

from romrunner.library.hashing import CHUNK, Hashes, RomHasher


class ContainerError(Exception):
    """A container could not be read; the message says why."""


@dataclass(frozen=True)
class Member:
    """A hashed file inside an archive, with its first bytes for platform sniffing."""

    name: str
    hashes: Hashes
    head: bytes = b""


def is_unsafe_member_name(name: str) -> bool:
    """True for names that are absolute or climb out of the archive (``..``)."""
    normalised = name.replace("\\", "/")
    if normalised.startswith("/") or re.match(r"^[A-Za-z]:", normalised):
        return True
    return ".." in PurePosixPath(normalised).parts


def hash_zip_members(path: Path) -> tuple[list[Member], list[str]]:
    """Hash every file member of a zip; returns members and per-member problems."""
    members: list[Member] = []
    problems: list[str] = []
    try:
        with zipfile.ZipFile(path) as archive:
            for info in archive.infolist():
                if info.is_dir():
                    continue
                if is_unsafe_member_name(info.filename):
                    problems.append(f"member {info.filename!r} has an unsafe name; skipped")
                    continue
                if info.flag_bits & 0x1:
                    raise ContainerError("zip is encrypted")
                hasher = RomHasher(info.filename, info.file_size)
                head = b""
                with archive.open(info) as stream:
                    while chunk := stream.read(CHUNK):
                        head = head or chunk[:512]
                        hasher.update(chunk)
                members.append(Member(info.filename, hasher.result(), head))
    except ContainerError:
        raise
    except (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError, ValueError,
            NotImplementedError, RuntimeError) as exc:
        raise ContainerError(f"corrupt or unsupported zip ({exc})") from exc
    return members, problems


class _HashWriter(Py7zIO):
    """Receives one decompressed 7z member and hashes it as it arrives."""

    def __init__(self, name: str, size: int | None) -> None:
        self.name = name
        self.hasher = RomHasher(name, size)
        self.head = b""

    def write(self, s: bytes | bytearray) -> int:
        if len(self.head) < 512:
            self.head += bytes(s[: 512 - len(self.head)])
        self.hasher.update(s)
        return len(s)

    def read(self, size: int | None = None) -> bytes:
        return b""

    def seek(self, offset: int, whence: int = 0) -> int:
        return 0

    def flush(self) -> None:
        return None

    def size(self) -> int:
        return self.hasher.full.size


class _HashFactory(WriterFactory):
    def __init__(self, sizes: dict[str, int]) -> None:
        self.sizes = sizes
        self.writers: dict[str, _HashWriter] = {}

    def create(self, filename: str) -> Py7zIO:
        writer = _HashWriter(filename, self.sizes.get(filename))
        self.writers[filename] = writer
        return writer


def hash_7z_members(path: Path) -> tuple[list[Member], list[str]]:
    """Hash every file member of a 7z archive by streaming its decompressed data."""
    problems: list[str] = []
    try:
        with py7zr.SevenZipFile(path, mode="r") as archive:
            if archive.needs_password():
                raise ContainerError("7z is encrypted")
            infos = [info for info in archive.list() if not info.is_directory]
            safe = []
            for info in infos:
                if is_unsafe_member_name(info.filename):
                    problems.append(f"member {info.filename!r} has an unsafe name; skipped")
                else:
                    safe.append(info.filename)
            factory = _HashFactory({info.filename: info.uncompressed for info in infos})
            if safe:
                archive.extract(targets=safe, factory=factory)
    except ContainerError:
        raise
    except Exception as exc:  # py7zr raises many kinds for damaged input
        raise ContainerError(f"corrupt or unsupported 7z ({type(exc).__name__}: {exc})") from exc
    members = [Member(name, writer.hasher.result(), writer.head)
               for name, writer in sorted(factory.writers.items()) if name in safe]
    return members, problems


_CHD_MAGIC = b"MComprHD"


def read_chd_sha1(path: Path) -> str:
    """The SHA1 recorded in a CHD v5 header (data plus metadata), without decompressing."""
    with path.open("rb") as stream:
        header = stream.read(124)
    if len(header) < 16 or not header.startswith(_CHD_MAGIC):
        raise ContainerError("not a CHD file (bad magic)")
    length, version = struct.unpack(">II", header[8:16])
    if version != 5:
        raise ContainerError(f"CHD version {version} is not supported (only v5)")
    if length < 124 or len(header) < 124:
        raise ContainerError("CHD v5 header is truncated")
    return header[84:104].hex()


_CUE_FILE = re.compile(r'^\s*FILE\s+(?:"([^"]+)"|(\S+))', re.IGNORECASE | re.MULTILINE)
_GDI_LINE = re.compile(r'^\s*\d+\s+\d+\s+\d+\s+\d+\s+(?:"([^"]+)"|(\S+))', re.MULTILINE)


def referenced_files(path: Path) -> list[str]:
    """File names a .cue, .gdi or .m3u refers to, relative to its folder, in order."""
    suffix = path.suffix.lower()
    try:
        text = path.read_bytes()[: 1 << 20].decode("utf-8", errors="replace")
    except OSError as exc:
        raise ContainerError(f"cannot read ({exc.strerror})") from exc
    if suffix == ".cue":
        names = [a or b for a, b in _CUE_FILE.findall(text)]
    elif suffix == ".gdi":
        names = [a or b for a, b in _GDI_LINE.findall(text)]
    elif suffix == ".m3u":
        names = [line.strip() for line in text.splitlines()
                 if line.strip() and not line.lstrip().startswith("#")]
    else:
        return []
    return [name.replace("\\", "/") for name in names if not is_unsafe_member_name(name)]
