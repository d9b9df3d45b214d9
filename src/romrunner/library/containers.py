"""What is inside a file: zip and 7z members, CHD header hashes, cue/gdi/m3u references.

Nothing here extracts to disk: members are streamed into the hasher in bounded chunks
(a zip or 7z bomb costs time, not memory), and a member whose name would escape a folder
(``../``, an absolute path) is reported, never followed. Disc sheets are small text files:
one larger than any real sheet, or listing more files than any real disc, is refused.
"""

from __future__ import annotations

import bz2
import codecs
import functools
import importlib
import io
import lzma
import os
import re
import stat
import struct
import unicodedata
import zipfile
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from io import FileIO
from pathlib import Path
from typing import Any, BinaryIO

import py7zr
import py7zr.exceptions
from py7zr.io import Py7zIO, WriterFactory

from romrunner.library.hashing import CHUNK, Hashes, RomHasher, detect_header
from romrunner.library.tags import extension_of

# The extensions of a disc's sheets and playlists, any disc platform's (without the dot).
DISC_SHEET_EXTENSIONS = frozenset({"m3u", "cue", "gdi", "ccd", "toc"})
MAX_SHEET_BYTES = 1 << 20  # larger than any real .cue/.gdi/.m3u: refused unread
MAX_SHEET_FILES = 999      # FILE lines of a .cue, entries of an .m3u
MAX_GDI_TRACKS = 99        # a GD-ROM (like a CD) holds at most 99 tracks


class ContainerError(Exception):
    """A container could not be read; the message says why."""


class DamagedArchive(ContainerError):
    """An archive whose bytes contradict what it states (a member whose data is not its
    stated size and CRC, a directory or a local header that does not parse): its data is
    damaged or was altered — unlike a file that could not be read at all (an I/O error, a
    file gone), which says nothing of its data."""


@dataclass(frozen=True)
class Member:
    """A hashed file inside an archive, with its first bytes for platform sniffing.

    ``verified`` is False for a zip member taken from the archive's directory: its size and
    CRC32 are the ones the directory states, and its MD5 and SHA1 (empty here) are not
    known until ``scan --verify`` reads its data.
    """

    name: str
    hashes: Hashes
    head: bytes = b""
    verified: bool = True


def is_unsafe_member_name(name: str) -> bool:
    """True for names that are absolute or climb out of the archive (``..``)."""
    normalised = name.replace("\\", "/")
    if normalised.startswith("/") or re.match(r"^[A-Za-z]:", normalised):
        return True
    return ".." in normalised.split("/")  # a path component, as PurePosixPath.parts has it


def is_inside(path: str, root: str) -> bool:
    """True when the real path ``path`` is ``root`` or below it (both real paths)."""
    return path == root or path.startswith(root.rstrip(os.sep) + os.sep)


_OPEN_FLAGS = (os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOFOLLOW", 0)
               | getattr(os, "O_CLOEXEC", 0) | getattr(os, "O_BINARY", 0))


def open_regular(path: str | Path) -> FileIO:
    """Open a regular file for reading, never a link, FIFO or device.

    The open does not block (a FIFO with no writer would wait for ever) and does not follow
    a final symbolic link; what was opened is checked before a byte is read.
    """
    try:
        fd = os.open(path, _OPEN_FLAGS)
    except OSError as exc:
        if os.path.islink(path):
            raise ContainerError("is a symbolic link; not followed") from exc
        raise
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            raise ContainerError("is not a regular file; not read")
    except BaseException:
        os.close(fd)
        raise
    return FileIO(fd, "rb")


# --- zip --------------------------------------------------------------------------------

_ZIP_LOCAL_HEADER = struct.Struct("<4s22xHH")  # signature, …, name length, extra length
_INPUT_BLOCK = 64 << 10


# What an operating system adds to an archive it makes, never a game's data: macOS' Finder
# puts each file's resource fork in `__MACOSX/._NAME` and its folder file `.DS_Store`;
# Windows' Explorer its `Thumbs.db` and `desktop.ini` (QA88 F1-F3: a zip made on a Mac went
# unidentified, was not its loose ROM renamed, and "held several ROMs").
_OS_METADATA_NAMES = frozenset({".ds_store", "thumbs.db", "desktop.ini", "ehthumbs.db"})


def os_metadata_member(name: str) -> bool:
    """True for an archive member an operating system added (see above): skipped."""
    parts = name.replace("\\", "/").split("/")
    return parts[0] == "__MACOSX" or parts[-1].startswith("._") \
        or parts[-1].lower() in _OS_METADATA_NAMES


def hash_zip_members(path: str | Path) -> tuple[list[Member], list[str]]:
    """Hash every file member of a zip; returns members and per-member problems."""
    return _zip_members(path, None)


# Decides, from a member's stated CRC32 and size, whether its data must be hashed now.
MustHash = Callable[[int, int], bool]


def directory_zip_members(path: str | Path, must_hash: MustHash,
                          skipped: list[str] | None = None) -> tuple[list[Member], list[str]]:
    """The members of a zip as its central directory states them (CRC32 and size), each
    with its first 512 bytes (decompressed: a few KiB of input) for header and platform
    sniffing. A member is hashed in full only when it has a header (its header-less hashes
    are what catalogs list) or when ``must_hash(crc32, size)`` says the stated CRC is not
    enough (the catalog has several games with it). ``skipped``: given, the names of the
    members not read (an unsafe name; a name an earlier member has) are added to it — but
    for a member of the name of the one before it read in full that holds its very data
    (see ``_a_copy_of``): a copy, neither listed nor skipped."""
    return _zip_members(path, must_hash, skipped)


# A zip up to this size is read whole, in one read, and parsed in memory: zipfile's seeks,
# small reads and member reader cost a small zip more than reading all of it (~100 µs
# against ~45 µs for a one-member zip of 20 KiB, measured; docs/PERFORMANCE.md, issue 18).
# A larger one is read where its directory and members' first bytes are (copying a
# cartridge-sized zip from the page cache would cost more than the seeks it saves).
SMALL_ZIP_BYTES = 64 << 10
# What zipfile raises for a damaged or unsupported archive, beyond BadZipFile: a member with
# an empty name fails `is_dir()` with IndexError (QA95 F1: a scan worker died on it), a wrong
# "version needed" field is NotImplementedError (F3).
ZIP_ERRORS = (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError, ValueError,
              NotImplementedError, RuntimeError, IndexError, KeyError)


def _zip_members(path: str | Path, must_hash: MustHash | None,
                 skipped: list[str] | None = None) -> tuple[list[Member], list[str]]:
    members: list[Member] = []
    copies_read = skipped is not None  # (see directory_zip_members)
    skipped = [] if skipped is None else skipped
    problems: list[str] = []
    try:  # a regular file only: a FIFO named .zip would block the read for ever
        with _zip_source(path) as raw, zipfile.ZipFile(raw) as archive:
            data = raw.getvalue() if isinstance(raw, io.BytesIO) else None
            seen: set[str] = set()
            first: dict[str, tuple[zipfile.ZipInfo, Member]] = {}
            for info in archive.infolist():
                if info.is_dir():
                    continue
                if is_unsafe_member_name(info.filename):
                    problems.append(f"member {info.filename!r} has an unsafe name; skipped")
                    skipped.append(info.filename)
                    continue
                if os_metadata_member(info.filename):
                    continue
                if copies_read and _a_copy_of(first.pop(info.filename, None), info,
                                              archive, path):
                    continue
                if _again(info.filename, seen, problems):
                    skipped.append(info.filename)
                    continue
                if info.flag_bits & 0x1:
                    raise ContainerError("zip is encrypted")
                member = None if must_hash is None else _stated_member(archive, path, info,
                                                                       must_hash, data)
                members.append(member or _hashed_member(archive, path, info))
                first[info.filename] = (info, members[-1])
    except ContainerError:
        raise
    except zipfile.BadZipFile as exc:
        if str(exc).startswith("Bad CRC-32"):
            raise DamagedArchive(_lying_crc(exc)) from exc
        _read_its_end(path)  # (zipfile says "not a zip file" of an end it could not read)
        raise DamagedArchive(f"corrupt or unsupported zip ({exc})") from exc
    except ZIP_ERRORS as exc:
        raise DamagedArchive(f"corrupt or unsupported zip ({exc or type(exc).__name__})") \
            from exc
    return members, problems


def _a_copy_of(earlier: tuple[zipfile.ZipInfo, Member] | None, info: zipfile.ZipInfo,
               archive: zipfile.ZipFile, path: str | Path) -> bool:
    """True when the member ``info``, of the name of the member ``earlier`` read in full,
    holds its very data: the same stated CRC32 and size, and, read in full too, the same
    CRC32, size and SHA1 (review51h F3: a zip of one member twice, byte for byte, was "held
    by none"). Read only then: a copy costs what a member of another name would, and one
    copy of a name is compared (``earlier`` is taken out); a zip damaged there is said so."""
    if earlier is None or info.flag_bits & 0x1:
        return False
    first_info, first = earlier
    if not first.verified or (info.CRC, info.file_size) != (first_info.CRC,
                                                             first_info.file_size):
        return False
    hashes = _hashed_member(archive, path, info).hashes
    return bool(first.hashes.sha1) and (hashes.crc32, hashes.size, hashes.sha1) == (
        first.hashes.crc32, first.hashes.size, first.hashes.sha1)


def _read_its_end(path: str | Path) -> None:
    """Read the end of a zip, where its directory is: raises the OSError a share's failing read
    gives (zipfile takes an end it could not seek to for no zip at all), so that an I/O error
    is never a verdict of damage on the data."""
    with open_regular(path) as raw:
        raw.seek(max(0, os.fstat(raw.fileno()).st_size - SMALL_ZIP_BYTES))
        raw.read()


def _again(name: str, seen: set[str], problems: list[str]) -> bool:
    """True (said in ``problems``) for a member whose name an earlier member of the archive
    has: only the first is read, and an emulator may read either (QA146 F2: the second was
    dropped without a word)."""
    if name not in seen:
        seen.add(name)
        return False
    problems.append(f"member {name!r} is in the archive twice; only the first is read")
    return True


def _zip_source(path: str | Path) -> BinaryIO:
    """A zip's bytes in memory when it is small (read whole), else a buffered reader."""
    raw = open_regular(path)
    try:
        if os.fstat(raw.fileno()).st_size > SMALL_ZIP_BYTES:
            return io.BufferedReader(raw)
        with raw:
            return io.BytesIO(raw.readall())
    except BaseException:
        raw.close()
        raise


def _lying_crc(exc: zipfile.BadZipFile) -> str:
    """zipfile's 'Bad CRC-32 for file NAME' said as what it means."""
    name = str(exc).removeprefix("Bad CRC-32 for file").strip()
    return (f"member {name} does not hold the data its zip directory states (its CRC32 "
            "differs): the zip is damaged or was altered")


def _hashed_member(archive: zipfile.ZipFile, path: str | Path, info: zipfile.ZipInfo) -> Member:
    """A member whose data is read and hashed in full (CRC32, MD5, SHA1)."""
    hasher = RomHasher(info.filename, info.file_size)
    head = b""
    for chunk in _zip_member_chunks(archive, path, info):
        head = head or chunk[:512]
        hasher.update(chunk)
    return Member(info.filename, hasher.result(), head)


def _stated_member(archive: zipfile.ZipFile, path: str | Path, info: zipfile.ZipInfo,
                   must_hash: MustHash, data: bytes | None = None) -> Member | None:
    """The member as the directory states it, or None when it must be hashed in full.
    ``data``: the whole zip, when it was read whole."""
    if must_hash(info.CRC, info.file_size):
        return None
    head = _head_in(data, info) if data is not None else None
    if head is None:
        head = _member_head(archive, path, info)
    extension = extension_of(info.filename.rsplit("/", 1)[-1])
    if detect_header(head, extension, info.file_size):
        return None
    hashes = Hashes(info.file_size, f"{info.CRC:08x}", "", "")
    return Member(info.filename, hashes, head, verified=False)


def _member_head(archive: zipfile.ZipFile, path: str | Path, info: zipfile.ZipInfo) -> bytes:
    """The first 512 bytes of a member (a stored or deflated one costs a few KiB of input;
    bzip2 and LZMA ones at most one bounded output block)."""
    if info.compress_type in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
        with archive.open(info) as stream:
            return stream.read(512)
    chunks = _zip_member_chunks(archive, path, info)
    try:
        return next(iter(chunks), b"")[:512]
    finally:
        close = getattr(chunks, "close", None)
        if close is not None:
            close()


_HEAD_INPUT = 4096  # compressed bytes enough for 512 decompressed ones


def _head_in(data: bytes, info: zipfile.ZipInfo) -> bytes | None:
    """The first 512 bytes of a stored or deflated member, straight from the zip's bytes:
    what ``zipfile`` reads, without its reader's set-up (~15 µs a member). None whenever
    anything is not as plain as that (zipfile then reads it, and says what is wrong)."""
    if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED) \
            or info.flag_bits & 0x1:
        return None
    offset = info.header_offset
    header = data[offset:offset + _ZIP_LOCAL_HEADER.size]
    if len(header) < _ZIP_LOCAL_HEADER.size:
        return None
    signature, name_length, extra_length = _ZIP_LOCAL_HEADER.unpack(header)
    name_start = offset + _ZIP_LOCAL_HEADER.size
    encoding = "utf-8" if info.flag_bits & 0x800 else "cp437"
    if signature != b"PK\x03\x04" or data[name_start:name_start + name_length] \
            != info.orig_filename.encode(encoding, "replace"):
        return None
    start = name_start + name_length + extra_length
    want = min(512, info.file_size)
    stored = data[start:start + min(info.compress_size, _HEAD_INPUT)]
    if info.compress_type == zipfile.ZIP_STORED:
        head = stored[:want]
    else:
        try:
            head = zlib.decompressobj(-zlib.MAX_WBITS).decompress(stored, want)
        except zlib.error:
            return None
    return head if len(head) == want else None


def _zip_member_chunks(archive: zipfile.ZipFile, path: str | Path,
                       info: zipfile.ZipInfo) -> Iterator[bytes]:
    """A member's data in chunks of at most :data:`CHUNK` bytes."""
    if info.compress_type in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
        # zipfile inflates at most the bytes asked for per read: bounded.
        with archive.open(info) as stream:
            while chunk := stream.read(CHUNK):
                yield chunk
    elif info.compress_type in (zipfile.ZIP_BZIP2, zipfile.ZIP_LZMA):
        # zipfile decompresses whatever one read of compressed data holds, all at once:
        # a few hundred bytes of bzip2 become a gigabyte. Decompress with an output bound.
        with open(path, "rb") as raw:
            yield from _bounded_member(raw, info)
    else:
        raise ContainerError(f"member {info.filename!r} uses compression method "
                             f"{info.compress_type}, which is not supported")


class _Decompressor:
    """What ``bz2.BZ2Decompressor`` and ``lzma.LZMADecompressor`` share."""

    eof: bool
    needs_input: bool

    def decompress(self, data: bytes, max_length: int = -1) -> bytes:
        raise NotImplementedError


def _bounded_member(raw: BinaryIO, info: zipfile.ZipInfo) -> Iterator[bytes]:
    """Decompress a bzip2 or LZMA member, at most :data:`CHUNK` bytes at a time, checking
    its size and CRC as zipfile would."""
    name = info.filename
    raw.seek(info.header_offset)
    header = raw.read(_ZIP_LOCAL_HEADER.size)
    if len(header) < _ZIP_LOCAL_HEADER.size:
        raise DamagedArchive(f"corrupt zip: member {name!r} is truncated")
    signature, name_length, extra_length = _ZIP_LOCAL_HEADER.unpack(header)
    if signature != b"PK\x03\x04":
        raise DamagedArchive(f"corrupt zip: member {name!r} has a bad local header")
    raw.seek(info.header_offset + _ZIP_LOCAL_HEADER.size + name_length + extra_length)
    left = info.compress_size

    def take(size: int) -> bytes:
        nonlocal left
        data = raw.read(min(size, left))
        left -= len(data)
        return data

    size = crc = 0
    try:
        decompressor = _zip_decompressor(info, take)
        while not decompressor.eof:
            data = b""
            if decompressor.needs_input:
                data = take(_INPUT_BLOCK)
                if not data:
                    break
            out = decompressor.decompress(data, CHUNK)
            size += len(out)
            if size > info.file_size:
                break
            crc = zlib.crc32(out, crc)
            yield out
    except (OSError, EOFError, lzma.LZMAError) as exc:  # bz2 says OSError("Invalid data…")
        if isinstance(exc, OSError) and exc.errno is not None:
            raise  # (an I/O error reading it: nothing known of its data)
        raise DamagedArchive(f"corrupt zip: member {name!r} ({exc})") from exc
    if size != info.file_size or crc != info.CRC:
        raise DamagedArchive(f"corrupt zip: member {name!r} does not match its size and CRC")


def _zip_decompressor(info: zipfile.ZipInfo, take: Callable[[int], bytes]) -> _Decompressor:
    if info.compress_type == zipfile.ZIP_BZIP2:
        return bz2.BZ2Decompressor()  # type: ignore[return-value]
    # APPNOTE 5.8.8: version (2 bytes), properties size (2 bytes), LZMA1 properties.
    prefix = take(4)
    if len(prefix) < 4:
        raise EOFError("truncated LZMA header")
    properties = take(int.from_bytes(prefix[2:], "little"))
    return lzma.LZMADecompressor(  # type: ignore[return-value]
        lzma.FORMAT_RAW, filters=[_lzma1_filter(properties)])


def _lzma1_filter(properties: bytes) -> dict[str, int]:
    """The LZMA1 filter its 5 property bytes describe (lc/lp/pb packed, dictionary size)."""
    if len(properties) != 5 or properties[0] >= 9 * 5 * 5:
        raise EOFError("bad LZMA properties")
    packed = properties[0]
    return {"id": lzma.FILTER_LZMA1, "lc": packed % 9, "lp": packed // 9 % 5,
            "pb": packed // 45, "dict_size": int.from_bytes(properties[1:], "little")}


# --- 7z ---------------------------------------------------------------------------------

_7Z_OUTPUT_BLOCK = 4 << 20
_7Z_INPUT_BLOCK = 64 << 10


def _bound_7z_blocks() -> None:
    """Make py7zr decompress a member in small blocks.

    py7zr (1.x) asks its decompressor for up to 128 MB at a time and copies each block
    twice (a 1 GiB member of zeros peaked at ~440 MB) and has no parameter for it, so its
    two module-level size functions are replaced. Output comes in 4 MiB blocks; input is
    read in 64 KiB blocks, since the decompressor reads one input block per output block
    and keeps what it could not use: below a 64:1 ratio nothing piles up, and above it
    what piles up is a small part of the (tiny) compressed data.
    """
    extraction: Any = importlib.import_module("py7zr.py7zr")
    extraction.get_memory_limit = lambda: _7Z_OUTPUT_BLOCK
    decompressors: Any = importlib.import_module("py7zr.compressor")
    decompressors.get_default_blocksize = lambda: _7Z_INPUT_BLOCK


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


def _first_line(exc: BaseException, limit: int = 200) -> str:
    """An exception's message as a user reads it: its first line, cut at ``limit``."""
    text = (str(exc).splitlines() or [""])[0]
    return text if len(text) <= limit else text[:limit - 1] + "…"


def hash_7z_members(path: Path, stream: BinaryIO | None = None,
                    skipped: list[str] | None = None) -> tuple[list[Member], list[str]]:
    """Hash every file member of a 7z archive by streaming its decompressed data.
    ``stream``: the archive at ``path`` opened already (py7zr opens a path itself, blocking
    on a FIFO for ever: a caller reading a user-named file gives it opened as a regular
    file); it is left open. ``skipped``: see :func:`directory_zip_members`."""
    problems: list[str] = []
    skipped = [] if skipped is None else skipped
    _bound_7z_blocks()
    try:
        with py7zr.SevenZipFile(path if stream is None else stream, mode="r") as archive:
            if archive.needs_password():
                raise ContainerError("7z is encrypted")
            infos = [info for info in archive.list() if not info.is_directory]
            safe = []
            seen: set[str] = set()
            for info in infos:
                if is_unsafe_member_name(info.filename):
                    problems.append(f"member {info.filename!r} has an unsafe name; skipped")
                    skipped.append(info.filename)
                elif os_metadata_member(info.filename):
                    continue
                elif _again(info.filename, seen, problems):
                    skipped.append(info.filename)
                else:
                    safe.append(info.filename)
            factory = _HashFactory({info.filename: info.uncompressed for info in infos})
            if safe:
                archive.extract(targets=safe, factory=factory)
    except ContainerError:
        raise
    except py7zr.exceptions.PasswordRequired as exc:  # (its headers encrypted too: raised
        # opening it, its internals in the message, QA146 F1)
        raise ContainerError("7z is encrypted") from exc
    except (MemoryError, py7zr.exceptions.UnsupportedCompressionMethodError) as exc:
        raise ContainerError(f"unsupported 7z ({type(exc).__name__}: {_first_line(exc)})") \
            from exc  # (no verdict on its data)
    except Exception as exc:  # py7zr raises many kinds for damaged input
        if isinstance(exc, OSError) and exc.errno is not None:
            raise  # (an I/O error reading it: nothing known of its data)
        raise DamagedArchive(f"corrupt or unsupported 7z ({type(exc).__name__}: "
                             f"{_first_line(exc)})") from exc
    members = [Member(name, writer.hasher.result(), writer.head)
               for name, writer in sorted(factory.writers.items()) if name in safe]
    return members, problems


# --- CHD --------------------------------------------------------------------------------

_CHD_MAGIC = b"MComprHD"
# Per CHD header version: its length and where the SHA1 a DAT's <disk> lists lies (v3: of
# the data; v4 and v5: of the data and metadata). v1 and v2 record an MD5 only.
_CHD_SHA1_AT = {3: (120, 80), 4: (108, 48), 5: (124, 84)}


def read_chd_sha1(path: Path) -> str:
    """The SHA1 a CHD's header records (v3 to v5: what a DAT's ``<disk>`` lists), without
    decompressing anything. A CHD plainly too short for the data its header states (see
    :func:`chd_truncation`) raises DamagedArchive: its header alone holds nothing."""
    return read_chd_sha1_and_parent(path)[0]


# Where each version's header keeps the SHA1 of its parent (the parent's header SHA1)
_CHD_PARENT_SHA1_AT = {3: 100, 4: 68, 5: 104}
_CHD_HAS_PARENT = 1  # v3/v4 header flags: the CHD is a child, some of its hunks its parent's


def read_chd_sha1_and_parent(path: Path) -> tuple[str, str | None]:
    """:func:`read_chd_sha1` of the CHD at ``path``, and the SHA1 of the parent CHD its header
    names (see :func:`chd_parent_sha1`), None for a CHD that is no child."""
    with open_regular(path) as stream:
        header = stream.read(124)
        if len(header) < 16 or not header.startswith(_CHD_MAGIC):
            raise ContainerError("not a CHD file (bad magic)")
        length, version = struct.unpack(">II", header[8:16])
        if version not in _CHD_SHA1_AT:
            raise ContainerError(f"CHD version {version} is not supported (only v3 to v5)")
        size, at = _CHD_SHA1_AT[version]
        if length < size or len(header) < size:
            raise ContainerError(f"CHD v{version} header is truncated")
        truncated = chd_truncation(stream, header)
    if truncated is not None:
        raise DamagedArchive(truncated)
    return header[at:at + 20].hex(), chd_parent_sha1(header)


def chd_parent_sha1(header: bytes) -> str | None:
    """The SHA1 of the parent CHD the header (v3 to v5, read whole) of a child CHD names —
    a child holds only what differs from its parent, the rest of its data is the parent's —
    or None for a CHD that is no child. v3/v4: the has-parent flag or a parent SHA1 set
    (all zeros when only the flag is: a parent known by no SHA1); v5: a parent SHA1 set."""
    version = int(struct.unpack(">I", header[12:16])[0])
    at = _CHD_PARENT_SHA1_AT[version]
    parent = header[at:at + 20]
    flagged = version != 5 and bool(struct.unpack(">I", header[16:20])[0] & _CHD_HAS_PARENT)
    return parent.hex() if flagged or any(parent) else None


# Where each version's header keeps its logical (image) size and its hunk size; v3 and v4
# keep their count of hunks at 24, v5 its map's offset at 40.
_CHD_LAYOUT = {3: (28, 76), 4: (28, 44), 5: (32, 56)}
_V34_MAP_ENTRY = 16
# a v3/v4 map entry's types (chd.h): compressed, raw, mini, a copy of another hunk, the
# parent's; 0 and others are none (an entry of zeros: a map never written)
_V34_KINDS = (1, 2, 3, 4, 5)
_V34_IN_FILE = (1, 2)  # those whose data lies in the file (at its offset, of its length)
_MAP_READ = 1 << 16


def chd_truncation(stream: BinaryIO, header: bytes) -> str | None:
    """Why the CHD open as ``stream``, whose header (v3 to v5, read whole) is ``header``,
    plainly cannot hold the data its header states — cut short after its header (an
    interrupted copy keeps a perfect header and SHA1), or a header whose hunks cannot make up
    its logical size — or None. v3/v4: its hunks times their size at least its logical size,
    the file long enough for its header and map (16 bytes a hunk) and each map entry's data
    within the file; v5: its map's offset past the header and within the file. Reads the
    header's map only (a CD's v3 map: some hundreds of KiB), decompresses nothing."""
    length, version = struct.unpack(">II", header[8:16])
    logical_at, hunk_bytes_at = _CHD_LAYOUT[version]
    logical = int(struct.unpack(">Q", header[logical_at:logical_at + 8])[0])
    hunk_bytes = int(struct.unpack(">I", header[hunk_bytes_at:hunk_bytes_at + 4])[0])
    file_size = os.fstat(stream.fileno()).st_size
    if logical == 0:
        return None
    said = f"the CHD is truncated or damaged: its header states {logical} bytes of data"
    if hunk_bytes == 0:
        return f"{said} in hunks of 0 bytes"
    if version == 5:
        map_offset = int(struct.unpack(">Q", header[40:48])[0])
        if not length <= map_offset < file_size:
            return f"{said}, its map at byte {map_offset} of a file of {file_size} bytes"
        if any(header[16:20]):
            return None
        return _v5_uncompressed_truncation(stream, said, logical, hunk_bytes, map_offset,
                                           file_size)
    hunks = int(struct.unpack(">I", header[24:28])[0])
    if hunks * hunk_bytes < logical:
        return f"{said}, more than its {hunks} hunks of {hunk_bytes} bytes"
    if length + hunks * _V34_MAP_ENTRY > file_size:
        return f"{said}, and the file of {file_size} bytes ends within its map of {hunks} hunks"
    stream.seek(length)
    left = hunks
    while left:
        count = min(left, _MAP_READ // _V34_MAP_ENTRY)
        block = stream.read(count * _V34_MAP_ENTRY)
        if len(block) < count * _V34_MAP_ENTRY:
            return f"{said}, and the file ends within its map of {hunks} hunks"
        for offset, _, low, high, flags in struct.iter_unpack(">QIHBB", block):
            kind = flags & 0x0F
            if kind not in _V34_KINDS:
                return f"{said}, and its map has no data for its hunk {hunks - left + 1} of {hunks}"
            if kind in _V34_IN_FILE and offset + (low | high << 16) > file_size:
                return (f"{said}, and the file of {file_size} bytes ends before the data of "
                        f"its hunk {hunks - left + 1} of {hunks}")
            left -= 1
    return None


def _v5_uncompressed_truncation(stream: BinaryIO, said: str, logical: int, hunk_bytes: int,
                                map_offset: int, file_size: int) -> str | None:
    """:func:`chd_truncation` of an uncompressed v5 CHD (its first compressor none): its map,
    at ``map_offset`` before its data, 4 bytes a hunk, each entry the hunk's offset in the
    file in hunks (0: a hunk of zeros, or its parent's) — the file long enough for its map
    and for each hunk its map places in it (a copy cut after its map holds none of them)."""
    hunks = -(-logical // hunk_bytes)
    if map_offset + hunks * 4 > file_size:
        return f"{said}, and the file of {file_size} bytes ends within its map of {hunks} hunks"
    stream.seek(map_offset)
    left = hunks
    while left:
        count = min(left, _MAP_READ // 4)
        block = stream.read(count * 4)
        if len(block) < count * 4:
            return f"{said}, and the file ends within its map of {hunks} hunks"
        last = max(struct.unpack(f">{count}I", block))
        if last and (last + 1) * hunk_bytes > file_size:
            return (f"{said}, and the file of {file_size} bytes ends before the data of "
                    f"its hunks (one at byte {last * hunk_bytes}, of {hunk_bytes} bytes)")
        left -= count
    return None


def read_chd_v3_image_size(path: str | Path) -> int | None:
    """The size of the raw image a v3 CHD holds (its header's logical size), read from its
    header alone; None for any other file (another version, whose header's SHA1 is not the
    image's, or no CHD)."""
    with open_regular(path) as stream:
        header = stream.read(36)
    if len(header) < 36 or not header.startswith(_CHD_MAGIC):
        return None
    length, version = struct.unpack(">II", header[8:16])
    if version != 3 or length < _CHD_SHA1_AT[3][0]:
        return None
    return int(struct.unpack(">Q", header[28:36])[0])


# --- disc sheets ------------------------------------------------------------------------

_CUE_FILE = re.compile(r'\s*FILE\s+(?:"([^"]+)"|(.+))', re.IGNORECASE)
# N LBA TYPE SECTOR_SIZE FILENAME OFFSET; the name quoted, or bare (then it may not start
# with a quote, and may hold spaces: some tools write them so).
_GDI_TRACK = re.compile(r'\d+\s+\d+\s+\d+\s+\d+\s+(?:"([^"]+)"|([^"\s][^"]*?))\s+-?\d+')


def referenced_files(path: Path) -> list[str]:
    """File names a .cue, .gdi or .m3u refers to, relative to its folder, in order (names
    that climb out of the folder included: the caller refuses them). A Windows path
    (``tr\\Track 1.bin``) is read as the folder it names on Windows (``tr/Track 1.bin``).

    A name not found as written is the file the sheet means when one is found (see
    :func:`sheet_file_names`): each name is the file's own, as the folder spells it."""
    return [name for _, name in _resolved_entries(path)]


def sheet_file_names(path: Path, text: str | None = None) -> dict[str, str]:
    """Each file a .cue, .gdi or .m3u lists, as written (its bytes read as UTF-8, a byte
    that is not kept as a lone surrogate, as ``surrogateescape`` reads it; a backslash as
    ``/``), to its name relative to the sheet's folder as the file system spells it.

    A name that is not there as written is looked for (QA8 N7), and a file found is named
    as it is: read as Windows-1252 when its bytes are not UTF-8 (a sheet written on Windows:
    ``Pok\\xe9.bin`` is ``Poké.bin``), then case-insensitively, each part of it matching
    exactly one entry of its folder (``Track 01.BIN`` for ``track 01.bin``). Not found, it
    stays as written, a byte that is not UTF-8 shown as U+FFFD (so it is never stored with a
    surrogate). The deploy reads a sheet's ``FILE`` lines the same way (UTF-8 with
    ``surrogateescape``), so the keys are the names its lines give. ``text``: the sheet as
    :func:`read_sheet` gave it, when the caller has read it already."""
    return dict(_resolved_entries(path, text))


def _resolved_entries(path: Path, text: str | None = None) -> list[tuple[str, str]]:
    """Each entry of the sheet, in order: as written (``/`` for a backslash), and resolved."""
    resolved: dict[str, str] = {}
    entries = []
    for written in _raw_entries(path, text):
        if written not in resolved:
            resolved[written] = without_current_folder(_resolved(path.parent, written))
        entries.append((written.replace("\\", "/"), resolved[written]))
    return entries


def without_current_folder(name: str) -> str:
    """``name`` (relative, ``/`` between folders) without its ``.`` parts: a playlist's
    ``./Game (Disc 1).cue`` (hand-made playlists have it, and so does one ROM Runner writes
    for a disc whose name starts with ``#``) is the file ``Game (Disc 1).cue`` of its folder
    (review48b F5: the deploy refused the ``.`` as a folder of the card). An absolute name
    is kept as written: the caller refuses it."""
    if name.startswith("/"):
        return name
    return "/".join(part for part in name.split("/") if part not in ("", ".")) or name


def sheet_entries(path: Path) -> list[str]:
    """The file names a .cue, .gdi or .m3u lists, as written (a backslash kept, a byte that
    is not UTF-8 shown as U+FFFD)."""
    return [_shown(name) for name in _raw_entries(path)]


def _raw_entries(path: Path, text: str | None = None) -> list[str]:
    """The names a sheet lists, its bytes read as UTF-8 with ``surrogateescape`` (``text``:
    the sheet as :func:`read_sheet` gave it, when the caller has it already)."""
    suffix = path.suffix.lower()
    if suffix not in (".cue", ".gdi", ".m3u"):
        return []
    lines = (read_sheet(path) if text is None else text).splitlines()
    if suffix == ".cue":
        names = _cue_files(lines)
    elif suffix == ".gdi":
        names = _gdi_files(lines)
    else:
        names = [line.strip() for line in lines
                 if line.strip() and not line.lstrip().startswith("#")]
    if len(names) > MAX_SHEET_FILES:
        raise ContainerError(f"lists more than {MAX_SHEET_FILES} files (no disc has that "
                             "many); not read")
    return names


def _shown(name: str) -> str:
    """``name`` (read with ``surrogateescape``) with each byte that is not UTF-8 as U+FFFD."""
    return name.encode("utf-8", "surrogateescape").decode("utf-8", "replace")


def _windows_1252(name: str) -> str:
    """``name``'s bytes read as Windows-1252 (Latin-1 when a byte is undefined there)."""
    data = name.encode("utf-8", "surrogateescape")
    try:
        return data.decode("cp1252")
    except UnicodeDecodeError:
        return data.decode("latin-1")


def _resolved(folder: Path, written: str) -> str:
    """The file ``written`` names in ``folder``, as the folder spells it (see
    :func:`sheet_file_names`)."""
    shown = _shown(written).replace("\\", "/")
    readings = [shown]
    raw = written.replace("\\", "/")
    if shown != raw:  # bytes that are not UTF-8: first as the very bytes (a set copied byte
        # for byte from an old share: QA33 F17), stored as the library stores such names
        if _spelled_so(folder, raw):
            return os.fsencode(raw).decode("utf-8", errors="backslashreplace")
        readings.append(_windows_1252(written).replace("\\", "/"))
    for reading in readings:
        if _spelled_so(folder, reading):
            return reading
    for reading in readings:
        found = find_ignoring_case(folder, reading)
        if found is not None:
            return found
    return shown


def _spelled_so(folder: Path, name: str) -> bool:
    """True when ``name`` is in ``folder`` as written: there, and (on a file system that
    ignores case, where a name in another case is there too: FAT, exFAT, an SMB share) its
    folder lists it so (QA33 F26: a track was recorded, and its file taken for a game of its
    own, under the sheet's spelling)."""
    if not os.path.lexists(folder / name):
        return False
    parent = folder
    for part in name.split("/"):  # each folder of the name too (review 18 R3)
        if part not in ("", ".", "..") and part not in _listing(str(parent)):
            return False
        parent = parent / part
    return True


@functools.lru_cache(maxsize=64)
def _listing(folder: str) -> frozenset[str]:
    """The names in ``folder`` (a sheet's tracks are asked of one folder in a row; a name
    found there that a stale listing lacks is still found, by its case-insensitive look)."""
    try:
        return frozenset(os.listdir(folder))
    except OSError:
        return frozenset()


# A character a byte of Windows-1252 (or Latin-1) from 0x80 up reads as: what U+FFFD
# stands for in a name read as UTF-8 from a Windows-1252 sheet.
_HIGH_BYTE_CHARACTER = "[" + re.escape("".join(dict.fromkeys(
    bytes(range(0x80, 0x100)).decode("cp1252", "ignore")
    + bytes(range(0x80, 0x100)).decode("latin-1")))) + "]"


def find_ignoring_case(folder: Path, name: str, *, unknown_bytes: bool = False) -> str | None:
    """``name`` (relative, ``/`` between folders) as ``folder`` spells it, each part matching
    exactly one entry of its folder case-insensitively; None when a part matches none or
    several, or ``name`` climbs out of ``folder``. ``unknown_bytes``: a U+FFFD in ``name``
    matches a character a Windows-1252 byte reads as (a name stored from a sheet read as
    UTF-8, before that reading was tried)."""
    parts = name.split("/")
    if name.startswith("/") or any(part in ("", ".", "..") for part in parts):
        return None
    spelled: list[str] = []
    current = folder
    for part in parts:
        try:
            entries = os.listdir(current)
        except OSError:
            return None
        if unknown_bytes and "\ufffd" in part:
            pattern = re.compile("".join(_HIGH_BYTE_CHARACTER if c == "\ufffd" else re.escape(c)
                                         for c in part), re.IGNORECASE)
            matches = [entry for entry in entries if pattern.fullmatch(entry)]
        else:  # (another case, or another Unicode form: a library copied through a Mac,
            # whose names are decomposed where the sheet's are not, QA57 F1)
            key = _folded(part)
            matches = [entry for entry in entries if _folded(entry) == key]
        if len(matches) != 1:
            return None
        spelled.append(matches[0])
        current = current / matches[0]
    return "/".join(spelled)


def _folded(name: str) -> str:
    """``name`` as :func:`find_ignoring_case` compares names: composed, case-folded."""
    return unicodedata.normalize("NFC", name).casefold()


def read_sheet(path: Path) -> str:
    """The text of a disc sheet (UTF-8, a byte that is not kept with ``surrogateescape``),
    refused unread when it is larger than any real one."""
    try:
        with open_regular(path) as stream:
            size = os.fstat(stream.fileno()).st_size
            data = b"" if size > MAX_SHEET_BYTES else stream.read(MAX_SHEET_BYTES + 1)
    except OSError as exc:
        raise ContainerError(f"cannot read ({exc.strerror or exc})") from exc
    if max(size, len(data)) > MAX_SHEET_BYTES:
        raise ContainerError(f"disc sheet is larger than 1 MiB ({max(size, len(data)):,} "
                             "bytes; no real one is); not read")
    return data.removeprefix(codecs.BOM_UTF8).decode("utf-8", "surrogateescape")


def _cue_files(lines: list[str]) -> list[str]:
    names = []
    for line in lines:
        match = _CUE_FILE.match(line)
        if match is None:
            continue
        quoted, bare = match.groups()
        if quoted is None:  # FILE name TYPE: the name is all but the last word
            words = bare.strip().rsplit(None, 1)
            quoted = words[0] if len(words) == 2 else bare.strip()
        names.append(quoted)
        if len(names) > MAX_SHEET_FILES:
            break  # enough to refuse the sheet
    return names


def _gdi_files(lines: list[str]) -> list[str]:
    """A .gdi: the track count on the first line, then one line per track."""
    numbered = [(number, line.strip()) for number, line in enumerate(lines, 1)
                if line.strip()]
    if not numbered or not numbered[0][1].isdigit():
        first = numbered[0][1][:40] if numbered else ""
        raise ContainerError(f".gdi: the first line must be the track count, not {first!r}")
    count = int(numbered[0][1])
    if not 1 <= count <= MAX_GDI_TRACKS:
        raise ContainerError(f".gdi declares {count} tracks (a GD-ROM holds 1 to "
                             f"{MAX_GDI_TRACKS}); not read")
    tracks = numbered[1:]
    if len(tracks) != count:
        raise ContainerError(f".gdi declares {count} tracks but lists {len(tracks)}")
    names = []
    for number, line in tracks:
        match = _GDI_TRACK.fullmatch(line)
        if match is None:
            raise ContainerError(f".gdi line {number} is not 'TRACK LBA TYPE SECTOR_SIZE "
                                 f"FILE OFFSET': {line[:80]!r}")
        names.append(match.group(1) or match.group(2))
    return names
