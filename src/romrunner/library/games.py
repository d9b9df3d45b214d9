"""Reading games back: listing with filters, one game in full, setting a platform by hand
(or back to the one a scan decides)."""

from __future__ import annotations

import json
import os
import posixpath
from collections.abc import Callable, Collection, Iterable, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, BinaryIO

from romrunner.catalog.clones import any_rom_is_game
from romrunner.catalog.datfile import DISK, JUDGED_FROM_READER
from romrunner.catalog.identify import MatchCounts, identify, verify_counts
from romrunner.errors import InputError, NotFoundError
from romrunner.hashbin import to_blob
from romrunner.library.containers import (
    DISC_SHEET_EXTENSIONS,
    ContainerError,
    DamagedArchive,
    Member,
    MustHash,
    directory_zip_members,
    hash_7z_members,
    read_chd_sha1_and_parent,
    read_chd_v3_image_size,
)
from romrunner.library.examine import ARCHIVES
from romrunner.library.hashing import Hashes, hash_stream
from romrunner.library.platforms import UNKNOWN, decide_platform, folders_of, marked_sql
from romrunner.library.query import LIST_COLUMNS
from romrunner.library.roots import root_is_there
from romrunner.library.summary import OVERWRITTEN, as_listed, original_path, os_path
from romrunner.library.tags import extension_of
from romrunner.packs.index import PackIndex
from romrunner.packs.loader import DefinitionPack
from romrunner.packs.model import platform_hint
from romrunner.regularfile import open_regular
from romrunner.store.database import Database
from romrunner.textnorm import HEX_LENGTHS, escape_like, normalised_hex
from romrunner.words import examples


@dataclass(frozen=True)
class GameFilter:
    """Filters for ``games ls``; every one becomes a parameterised SQL condition."""

    platform: str | None = None
    missing: bool = False
    unidentified: bool = False
    limit: int = 100
    after_title: str | None = None
    after_id: int = 0
    identified: bool = False
    region: str | None = None
    present: bool = False
    guessed: bool = False          # matched by file name only (not counted as identified)


def _conditions(flt: GameFilter) -> tuple[list[str], list[object]]:
    conditions = ["1 = 1"]
    params: list[object] = []
    if flt.platform:
        conditions.append("g.platform_id = ?")
        params.append(flt.platform)
    if flt.missing:
        conditions.append("g.is_missing = 1")
    if flt.present:
        conditions.append("g.is_missing = 0")
    if flt.unidentified:
        conditions.append("g.matched_game_id IS NULL")
    if flt.identified:  # by a hash of the data (or by hand), not a name-only guess
        conditions.append("g.match_method IN ('sha1', 'md5', 'crc32', 'tracks', 'user')")
    if flt.guessed:
        conditions.append("g.match_method = 'name'")
    if flt.region:
        # Regions are stored as 'USA, Europe'; match one whole region name.
        conditions.append("(', ' || g.region || ', ') LIKE ('%, ' || ? || ', %') ESCAPE '\\'")
        params.append(escape_like(flt.region))
    return conditions, params


def list_games(db: Database, flt: GameFilter) -> list[dict[str, Any]]:
    """A page of games sorted by title (keyset paging: pass the last row's title and id).

    The sort key ``(title_norm, id)`` is what the title indexes hold, so a page at any depth
    costs the same as the first one.
    """
    conditions, params = _conditions(flt)
    if flt.after_title is not None:
        conditions.append("(g.title_norm, g.id) > (?, ?)")
        params += [flt.after_title, flt.after_id]
    rows = db.query(
        f"SELECT {LIST_COLUMNS}, g.title_norm FROM games g "
        f"JOIN library_roots r ON r.id = g.root_id "
        f"WHERE {' AND '.join(conditions)} ORDER BY g.title_norm, g.id LIMIT ?",
        (*params, flt.limit))
    return [_listed_row(row) for row in rows]


def count_games(db: Database, flt: GameFilter) -> int:
    """How many games ``flt`` selects (ignoring its paging)."""
    conditions, params = _conditions(flt)
    return int(db.scalar(f"SELECT count(*) FROM games g WHERE {' AND '.join(conditions)}",
                         params))


# Every hash identification matches on (catalog/identify.py) is a branch here: the file's,
# its header-less data's, and those of archive members and disc tracks.
# Hashes are looked up as stored (BLOBs in the ``*_bin`` columns, schema v1.3.0).
_FIND_SQL = {
    "sha1": ("SELECT id FROM games WHERE sha1_bin = :h UNION ALL "
             "SELECT id FROM games WHERE nh_sha1_bin = :h UNION ALL "
             "SELECT game_id FROM game_files WHERE sha1_bin = :h UNION ALL "
             "SELECT game_id FROM game_files WHERE nh_sha1_bin = :h"),
    "md5": ("SELECT id FROM games WHERE md5_bin = :h UNION ALL "
            "SELECT id FROM games WHERE nh_md5_bin = :h UNION ALL "
            "SELECT game_id FROM game_files WHERE md5_bin = :h UNION ALL "
            "SELECT game_id FROM game_files WHERE nh_md5_bin = :h"),
    "crc32": ("SELECT id FROM games WHERE crc32_bin = :h AND file_size = :s UNION ALL "
              "SELECT id FROM games WHERE nh_crc32_bin = :h AND file_size - header_size = :s "
              "UNION ALL "
              "SELECT game_id FROM game_files WHERE crc32_bin = :h AND file_size = :s "
              "UNION ALL "
              "SELECT game_id FROM game_files WHERE nh_crc32_bin = :h "
              "AND file_size - header_size = :s"),
}


def find_by_hash(db: Database, *, sha1: str | None = None, md5: str | None = None,
                 crc32: str | None = None, size: int | None = None) -> list[int]:
    """Ids of games whose file, header-less data, archive member or disc track (or that
    member's header-less data) has this hash: every hash identification matches on.

    Give ``sha1``, ``md5``, or ``crc32`` with ``size`` (a CRC alone is too weak to trust;
    for header-less data the size is that of the data without its header).
    Every branch is an index lookup. The branches are joined with UNION ALL and deduplicated
    here: UNION's temporary b-tree doubled the p99 at 1M games (docs/PERFORMANCE.md).
    """
    sha1, md5, crc32 = (_checked_hex(name, value) for name, value in
                        (("sha1", sha1), ("md5", md5), ("crc32", crc32)))
    params: dict[str, object]
    if sha1:
        sql, params = _FIND_SQL["sha1"], {"h": to_blob(sha1)}
    elif md5:
        sql, params = _FIND_SQL["md5"], {"h": to_blob(md5)}
    elif crc32 and size is not None:
        sql, params = _FIND_SQL["crc32"], {"h": to_blob(crc32), "s": size}
    else:
        raise InputError("give a sha1, an md5, or a crc32 with a size")
    return list(dict.fromkeys(int(row[0]) for row in db.query(sql, params)))


def _checked_hex(name: str, value: str | None) -> str | None:
    """``value`` in lowercase hex, or a one-line error saying what is wrong with it."""
    if not value:
        return None
    text = normalised_hex(name, value)
    if text is None:
        raise InputError(f"{name} {value!r}: expected {HEX_LENGTHS[name]} hex digits")
    return text


def find_file(db: Database, path: Path, archive: ReadArchive | None = None) -> list[int]:
    """Ids of library games holding the same data as the file at ``path`` (its SHA1, or its
    header-less SHA1 when it has a header), so "do I already have this ROM?" is one call.
    An archive is looked up whole: the very archive, or one of the same members (see
    :func:`members_held` for its members' data held in any form). ``archive``: the archive
    at ``path`` as :func:`read_archive` read it, when the caller has it already.

    Only a regular file is read (a FIFO or a device is refused at once, never waited on).
    """
    with open_regular(path) as handle:
        try:
            hashes = hash_stream(handle, path.name, os.fstat(handle.fileno()).st_size)
        except OSError as exc:
            raise InputError(f"{path}: cannot be read ({exc.strerror or exc})") from exc
    found = _holding(db, [hashes])[0]
    if extension_of(path.name) in ARCHIVES:
        read = archive or read_archive(path)
        # (an archive with a member not read — a name an earlier one has, an unsafe name —
        # is not the library's of the same read members: that member may be the only copy
        # of its data, review51h F1)
        same = _archives_of_members(db, read.members)
        if any(not is_a_note(name) for name in read.unread):
            same = _the_very_file(db, same, path, hashes.size)
        found += [i for i in same if i not in found]
    return found


def _the_very_file(db: Database, game_ids: list[int], path: Path, size: int) -> list[int]:
    """Those of ``game_ids`` (archives of the library) whose file is now byte for byte the
    one at ``path``, of ``size`` bytes: the library's very zip, though a member of it was not
    read (review51i F2: its scan keeps no hash of it nor of that member, and it was "held by
    none"). A file of another size is never read; one of that size is compared a chunk at a
    time and read no further than its first chunk that differs (review52b F3: it was hashed
    in full, three digests, on every find)."""
    very = []
    for game_id, root, filepath in db.query(
            "SELECT g.id, r.path, g.filepath FROM games g JOIN library_roots r "
            "ON r.id = g.root_id WHERE g.id IN (SELECT value FROM json_each(?)) "
            "AND g.is_missing = 0 ORDER BY g.id", (json.dumps(game_ids),)):
        try:
            with open_regular(Path(os_path(os.path.join(str(root), str(filepath))))) as handle:
                if os.fstat(handle.fileno()).st_size != size:
                    continue
                with open_regular(path) as download:
                    if same_bytes(handle, download):
                        very.append(int(game_id))
        except (OSError, InputError):
            continue  # (not there now, not a file, not read: no copy)
    return very


_COMPARED = 1 << 20  # the bytes of each file read at a time by same_bytes


def same_bytes(one: BinaryIO, other: BinaryIO) -> bool:
    """True when the streams ``one`` and ``other``, read from where they are to their ends,
    hold the same bytes: a chunk of each read at a time, no further than the first chunk
    that differs (no digest: nothing is hashed)."""
    while True:
        chunk = _read_up_to(one, _COMPARED)
        if chunk != _read_up_to(other, _COMPARED):
            return False
        if not chunk:
            return True


def _read_up_to(stream: BinaryIO, count: int) -> bytes:
    """``count`` bytes of ``stream``, fewer only at its end (a raw read may return less)."""
    chunks, left = [], count
    while left:
        chunk = stream.read(left)
        if not chunk:
            break
        chunks.append(chunk)
        left -= len(chunk)
    return b"".join(chunks)


@dataclass(frozen=True)
class ReadArchive:
    """A zip's or a 7z's members as :func:`read_archive` read them, or why it could not."""

    members: list[Member]
    error: str | None = None  # why its members could not be read (then ``members`` is empty)
    # the members left unread: an unsafe name, or a name an earlier member has (only the
    # first of those is read) — their data is not known, so the archive is never held by
    # its members' data (review51c F4: "held" when the second's data was the only copy)
    unread: list[str] = field(default_factory=list)


def read_archive(path: Path) -> ReadArchive:
    """The members of the zip or 7z at ``path`` as `games find` first reads them, once: a
    zip from its directory, as the scan reads one (see ``directory_zip_members``: each
    member's stated CRC32 and size, one with a header hashed in full, its header-less data
    being what a catalog lists), unpacking nothing else — enough to find the library's
    archives of the same members; a 7z (which states no first bytes to find a header in)
    unpacked and hashed in full. See :func:`unpacked_where_held` for the members' data."""
    return _read_archive(path, lambda crc, size: False)


def _read_archive(path: Path, must_hash: MustHash) -> ReadArchive:
    """:func:`read_archive`, a zip's member hashed in full when ``must_hash`` says so."""
    unread: list[str] = []
    try:
        if extension_of(path.name) == ".zip":
            members, _ = directory_zip_members(path, must_hash, unread)
        else:  # (opened here, a regular file only: py7zr would wait on a FIFO for ever)
            with open_regular(path) as stream:
                members, _ = hash_7z_members(path, stream, unread)
    except ContainerError as exc:
        return ReadArchive([], str(exc))
    except OSError as exc:
        return ReadArchive([], str(exc.strerror or exc))
    return ReadArchive(members, None, unread)


def unpacked_where_held(db: Database, path: Path, archive: ReadArchive) -> ReadArchive:
    """``archive`` (see :func:`read_archive`) with those of its zip's members taken from its
    directory whose stated CRC32 and size are data the library holds in some form read and
    hashed in full (their SHA1 then says whether they are held, and a directory that lies
    is found damaged), and so is a member named as a raw image of the stated size of the
    image of a v3 CHD of the library, whose data is known by SHA1 only. Any other member
    cannot be held, whatever it unpacks to, and is left unread: a small zip that unpacks
    hugely costs no more than its directory."""
    stated = [member for member in archive.members
              if not member.verified and not is_a_note(member.name)]
    if archive.error is not None or not stated:
        return archive
    held = _held_pairs(db, [(int(member.hashes.crc32, 16), member.hashes.size)
                            for member in stated])
    images = {(int(member.hashes.crc32, 16), member.hashes.size) for member in stated
              if extension_of(member.name.rsplit("/", 1)[-1]) in _RAW_IMAGES} - held
    if images:
        sizes = _v3_chd_image_sizes(db)
        held |= {(crc, size) for crc, size in images if size in sizes}
    return _read_archive(path, _one_of(held)) if held else archive


# A raw disc or hard disk image, whose data a v3 CHD's header knows by its SHA1 alone (no
# CRC32: see ``read_chd_sha1``): the one data of the library a member's stated CRC32 and
# size cannot tell held (review51c F1: a zip of the image of a held CHD was "held by none").
_RAW_IMAGES = frozenset({".iso", ".img", ".bin", ".raw", ".hd", ".hdd"})


def _v3_chd_image_sizes(db: Database) -> set[int]:
    """The sizes of the raw images the library's v3 CHDs hold: a member named as a raw image
    is unpacked only when its stated size is one of them, the only data of that name the
    library may hold unknown by CRC32 — a v4 or v5 CHD's SHA1 is of its data and metadata,
    no file's (review51h F2: every such member was unpacked in full once the library had
    any CHD, a zip bomb named .iso ten seconds a GiB). The scan records a v3 CHD's image
    size with its SHA1 (its 'chd' row's size; a v4's or v5's none, its row's time set): one
    query, no CHD opened (review52b F2: every CHD's header was read on each find; F1: a v3
    CHD on a root not reachable now was no copy, unlike any other data there). A row of a
    scan that recorded neither (an older database) has its CHD's header read, when it can
    be now. Asked only of an archive with a member named as a raw image that no data of the
    library has by CRC32."""
    sizes: set[int] = set()
    for size, root, filepath in db.query(
            "SELECT f.file_size, r.path, g.filepath FROM game_files f "
            "JOIN games g ON g.id = f.game_id JOIN library_roots r ON r.id = g.root_id "
            "WHERE f.kind = 'chd' AND g.is_missing = 0 "
            "AND (f.file_size IS NOT NULL OR f.file_mtime_ns IS NULL)"):
        if size is not None:
            sizes.add(int(size))
            continue
        try:
            read = read_chd_v3_image_size(os_path(os.path.join(str(root), str(filepath))))
        except (OSError, ContainerError):
            continue
        if read is not None:
            sizes.add(read)
    return sizes


def _held_pairs(db: Database, stated: list[tuple[int, int]]) -> set[tuple[int, int]]:
    """Those of the (CRC32, size) pairs ``stated`` that some data of the library has: a
    game's file, an archive's member, a disc's track (any, missing or damaged too), or
    their data after a header. One query for them all."""
    held: set[tuple[int, int]] = set()
    unique = list(dict.fromkeys(stated))
    for start in range(0, len(unique), _KEYS_ASKED):
        chunk = unique[start:start + _KEYS_ASKED]
        values = ", ".join("(?, ?)" for _ in chunk)
        params = [value for crc, size in chunk for value in (to_blob(f"{crc:08x}"), size)]
        held.update((int.from_bytes(row[0], "big"), int(row[1])) for row in db.query(
            f"WITH k(crc, size) AS (VALUES {values}) "
            "SELECT k.crc, k.size FROM k WHERE "
            "EXISTS (SELECT 1 FROM games WHERE crc32_bin = k.crc AND file_size = k.size) "
            "OR EXISTS (SELECT 1 FROM game_files WHERE crc32_bin = k.crc "
            "AND file_size = k.size) "
            "OR EXISTS (SELECT 1 FROM games WHERE nh_crc32_bin = k.crc "
            "AND file_size - header_size = k.size) "
            "OR EXISTS (SELECT 1 FROM game_files WHERE nh_crc32_bin = k.crc "
            "AND file_size - header_size = k.size)", params))
    return held


def _one_of(pairs: set[tuple[int, int]]) -> MustHash:
    """A member is hashed in full when its stated (CRC32, size) is one of ``pairs``."""
    return lambda crc, size: (crc, size) in pairs


# The most keys (a stated CRC32 and size, or the hashes of a file or a member) one query
# asks of: a few parameters each, far below SQLite's bound on them.
_KEYS_ASKED = 400


def _holding(db: Database, each: list[Hashes]) -> list[list[int]]:
    """For each of ``each``, the ids of the library games holding data of these hashes: by
    its SHA1 or its header-less SHA1, and by its CRC32 and size where a game's SHA1 is not
    known. One query for them all (an arcade set has hundreds of members)."""
    keys: list[tuple[int, int, str, str, int]] = []  # (index, form, sha1, crc32, size)
    for index, hashes in enumerate(each):
        keys.append((index, 0, hashes.sha1, hashes.crc32, hashes.size))
        if hashes.nh_sha1 and hashes.nh_crc32:
            keys.append((index, 1, hashes.nh_sha1, hashes.nh_crc32,
                         hashes.size - hashes.header_size))
    found: list[dict[int, None]] = [{} for _ in each]
    for start in range(0, len(keys), _KEYS_ASKED):
        chunk = keys[start:start + _KEYS_ASKED]
        values = ", ".join("(?, ?, ?, ?, ?)" for _ in chunk)
        params = [value for index, form, sha1, crc32, size in chunk
                  for value in (index, form, to_blob(sha1) if sha1 else None,
                                to_blob(crc32), size)]
        for row in db.query(f"WITH k(i, form, sha1, crc, size) AS (VALUES {values}) "
                            f"{_HOLDING_SQL} ORDER BY 1, 2, 3, 4", params):
            found[int(row[0])][int(row[3])] = None
    return [list(ids) for ids in found]


# Every branch an index lookup per key (``k``): its SHA1 as a game's, its header-less data's,
# an archive member's or a track's (or theirs after a header); then, for data hashed CRC32
# first and zip members the scan took from their zip's directory, which have no SHA1 until
# scan --verify, its CRC32 and size. Those two look their rows up in a correlated subquery,
# the rest of their conditions in it: as a join's conditions, with the statistics PRAGMA
# optimize keeps (sqlite_stat1), SQLite put a Bloom filter before the lookup, built by
# reading the whole table on every call (review51c F2: 0.4 s at 300k games, one ROM too).
_HOLDING_SQL = (
    "SELECT k.i, k.form, 0, g.id FROM k CROSS JOIN games g ON g.sha1_bin = k.sha1 UNION ALL "
    "SELECT k.i, k.form, 1, g.id FROM k CROSS JOIN games g ON g.nh_sha1_bin = k.sha1 UNION ALL "
    "SELECT k.i, k.form, 2, f.game_id FROM k CROSS JOIN game_files f ON f.sha1_bin = k.sha1 "
    "UNION ALL "
    "SELECT k.i, k.form, 3, f.game_id FROM k CROSS JOIN game_files f ON f.nh_sha1_bin = k.sha1 "
    "UNION ALL "
    "SELECT k.i, 2, 4, g.id FROM k CROSS JOIN games g ON g.id IN (SELECT id FROM games "
    "WHERE crc32_bin = k.crc AND file_size = k.size AND sha1_bin IS NULL) UNION ALL "
    "SELECT k.i, 2, 5, f.game_id FROM k CROSS JOIN game_files f ON f.id IN (SELECT id "
    "FROM game_files WHERE crc32_bin = k.crc AND file_size = k.size AND sha1_bin IS NULL "
    "AND kind = 'member')")


def members_held(db: Database, archive: ReadArchive) -> list[tuple[str, list[int]]]:
    """Each member of an archive (see :func:`unpacked_where_held`) with the ids of the library
    games holding its data in any form — a loose file, a member of another archive, a
    disc's track, a headered file or its header-less data — so that a download's archive
    is known held when its ROMs are (qa204 F6: only archives of the very same members were
    looked at). A member left unread (its stated CRC32 and size no data of the library
    has) is held by none, and so is a member not read at all (see ``ReadArchive.unread``),
    named as such. Notes, pages and checksum lists in it are no game's data: left out."""
    kept = [member for member in archive.members if not is_a_note(member.name)]
    read = [member for member in kept if member.verified]
    held = dict(zip((member.name for member in read),
                    _holding(db, [member.hashes for member in read]), strict=True))
    names = {member.name for member in archive.members}
    unread: list[tuple[str, list[int]]] = [
        (f"{name} ({'another member of that name' if name in names else 'its name unsafe'}, "
         "not read)", []) for name in archive.unread if not is_a_note(name)]
    return [*((member.name, held.get(member.name, [])) for member in kept), *unread]


def archive_members_held(db: Database, path: Path) -> list[tuple[str, list[int]]]:
    """:func:`members_held` of the zip or 7z at ``path``; empty when it is no archive or
    cannot be read as one."""
    if extension_of(path.name) not in ARCHIVES:
        return []
    return members_held(db, unpacked_where_held(db, path, read_archive(path)))


def _archives_of_members(db: Database, members: list[Member]) -> list[int]:
    """The archives of the library whose members are ``members`` (CRC32 and size, as the
    scan knows a zip's members before `scan --verify`): the very zip a scan stored is
    found, its container never hashed (QA34 F9)."""
    wanted = sorted((m.hashes.crc32, m.hashes.size) for m in members)
    if not wanted:
        return []
    crc, size = wanted[0]
    candidates = [int(row[0]) for row in db.query(
        "SELECT DISTINCT game_id FROM game_files WHERE crc32_bin = ? AND file_size = ? "
        "AND kind = 'member'", (to_blob(crc), size))]
    found = []
    for game_id in candidates:
        stored = sorted((row[0].hex() if row[0] is not None else None, row[1])
                        for row in db.query("SELECT crc32_bin, file_size FROM game_files "
                                            "WHERE game_id = ? AND kind = 'member'", (game_id,)))
        if stored == wanted:
            found.append(game_id)
    return found


# A disc's sheets and playlists: an archive holding one holds a disc of several files.
_DISC_SHEETS = (".cue", ".gdi", ".ccd", ".toc", ".mds", ".m3u")


def archives_of_discs(db: Database, game_ids: list[int]) -> set[int]:
    """The archives among ``game_ids`` that hold a disc's sheet (a cue/bin zipped whole):
    content of several files, which no frontend unpacks for an emulator that cannot read
    the archive itself, as it may a single ROM."""
    if not game_ids:
        return set()
    sheets = " OR ".join("lower(name) LIKE ?" for _ in _DISC_SHEETS)
    return {int(row[0]) for row in db.query(
        "SELECT DISTINCT game_id FROM game_files WHERE kind = 'member' AND game_id IN "
        f"(SELECT value FROM json_each(?)) AND ({sheets})",
        (json.dumps(game_ids), *(f"%{sheet}" for sheet in _DISC_SHEETS)))}


def games_with_a_file_over(db: Database, game_ids: list[int], limit: int) -> set[int]:
    """The games of ``game_ids`` whose file, or a track of whose sheet, is over ``limit``
    bytes (a card's file-size limit: FAT32's 4 GiB)."""
    ids = json.dumps(game_ids)
    return {int(row[0]) for row in db.query(
        "SELECT id FROM games WHERE id IN (SELECT value FROM json_each(?)) AND file_size > ? "
        "UNION SELECT game_id FROM game_files WHERE game_id IN (SELECT value FROM json_each(?)) "
        "AND kind = 'track' AND file_size > ?", (ids, limit, ids, limit))}


DAMAGED, NO_ROM = "damaged", "no_rom"
# Files that are never a game's data: notes, pages, links, checksums, pictures (a picture of a
# platform whose games are pictures, PICO-8's `.png`, is its platform's type, see below) —
# and sounds, MAME's samples zipped under a set's name (QA133 F2), but on a platform not of
# arcade machines, where a `.wav` may be a tape (see platform_extensions).
_NEVER_ROMS = frozenset({".txt", ".nfo", ".diz", ".url", ".htm", ".html", ".pdf", ".doc",
                         ".docx", ".rtf", ".md", ".jpg", ".jpeg", ".png", ".gif", ".bmp",
                         ".webp", ".sfv", ".md5", ".sha1", ".lnk", ".website", ".wav"})
_TAPES = frozenset({".wav"})
# Of those, the notes, pages, links and checksums a ROM manager or a site adds to a zip: no
# platform's data (not `.md`, a Mega Drive ROM; not pictures, PICO-8's).
_NOTES = frozenset({".txt", ".nfo", ".diz", ".url", ".htm", ".html", ".pdf", ".doc", ".docx",
                    ".rtf", ".sfv", ".md5", ".sha1", ".lnk", ".website"})


def is_a_note(name: str) -> bool:
    """True when a member named ``name`` is a note, a page, a link or a checksum list (see
    _NOTES): no game's data, whatever the platform."""
    return extension_of(name).lower() in _NOTES


# An archive no catalog identifies by its data (``g``: a games row): the only kind judged
# ``no_rom`` (an identified one holds ROMs).
GUESSED_ARCHIVE = "g.is_archive = 1 AND coalesce(g.match_method, 'name') = 'name'"


def platform_extensions(pack: DefinitionPack) -> dict[str, frozenset[str]]:
    """Each platform's file types as the pack lists them: lowercase, with their dots; and a
    tape's sound for every platform but arcade machines' (review 137 F7: the pack lists no
    `.wav` for the Spectrum or the CPC, whose tapes emulators load)."""
    return {platform_id: frozenset(ext.lower() for ext in platform.extensions)
            | (frozenset() if platform.kind == "arcade" else _TAPES)
            for platform_id, platform in pack.platforms.items()}


# A present game stored with a problem: a member whose data is not what its zip states, or an
# archive no longer readable (see damaged_games) — not a mark kept from its time missing (a
# file "no longer a game" back as one: review41b, a .gb said damaged until the next scan)
_DAMAGED = ("g.is_missing = 0 AND g.scan_error IS NOT NULL "
            f"AND NOT {marked_sql('g.scan_error')}")
# A present disc whose sheet names a track the scan could not read (see discs_lacking_tracks)
_LACKING = ("g.is_missing = 0 AND g.format IN ('cue', 'gdi') AND f.kind = 'track' "
            "AND f.file_size IS NULL")


def damaged_games(db: Database, game_ids: list[int]) -> dict[int, str]:
    """Those of ``game_ids`` present and stored with a problem — a scan found the archive's
    data not what it states (see ``DamagedArchive``) — each with it."""
    return {int(row[0]): str(row[1]) for row in db.query(
        "SELECT g.id, g.scan_error FROM games g WHERE g.id IN (SELECT value FROM json_each(?)) "
        f"AND {_DAMAGED}", (json.dumps(game_ids),))}


def damaged_files(db: Database) -> list[str]:
    """The paths of every present file of the library a scan found damaged (see
    :func:`damaged_games`), under its roots: ``db status`` says them apart from the files
    ``scan --verify`` would hash."""
    return [os.path.join(str(root), str(path)) for root, path in db.query(
        "SELECT r.path, g.filepath FROM games g JOIN library_roots r ON r.id = g.root_id "
        f"WHERE {_DAMAGED} AND r.path <> '' ORDER BY r.path, g.filepath")]


def unusable_games(db: Database) -> set[int]:
    """Every game of the library :func:`damaged_games` or :func:`discs_lacking_tracks` names:
    present, its copy unusable now. One pass over the games and the tracks."""
    return {int(row[0]) for row in db.query(
        f"SELECT g.id FROM games g WHERE {_DAMAGED} UNION SELECT g.id FROM game_files f "
        f"JOIN games g ON g.id = f.game_id WHERE {_LACKING}")}


def discs_lacking_tracks(db: Database, game_ids: list[int]) -> dict[int, list[str]]:
    """Those of ``game_ids`` whose disc sheet (a .cue, a .gdi) names a track the scan could
    not read — missing, unreadable, not a file — each with those tracks' names: no emulator
    starts the disc, and a deploy leaves it out (QA138 F3: auto-listed, every `deploy --auto`
    then left it out and ended in failure)."""
    lacking: dict[int, list[str]] = {}
    for game_id, name in db.query(
            "SELECT g.id, f.name FROM games g JOIN game_files f ON f.game_id = g.id "
            f"WHERE g.id IN (SELECT value FROM json_each(?)) AND {_LACKING} "
            "ORDER BY g.id, f.id", (json.dumps(game_ids),)):
        lacking.setdefault(int(game_id), []).append(str(name))
    return lacking


def holds_only_notes(names: Iterable[str], own: frozenset[str]) -> bool:
    """True when an archive of these members holds notes, pages, links, pictures or sounds only,
    none of its platform's types ``own`` (see :func:`platform_extensions`)."""
    kinds = {extension_of(name).lower() for name in names}
    return kinds <= _NEVER_ROMS and not kinds & own


def undecided_archives_of_notes(db: Database) -> list[str]:
    """The paths of present archives of undecided platform that hold notes, pages or
    pictures only (a zipped `readme.txt`): no platform's game, so neither is `games
    set-platform` the answer the scan gives the other undecided games (QA132 F3)."""
    members: dict[str, list[str]] = {}
    for filepath, name in db.query(
            "SELECT g.filepath, f.name FROM games g JOIN game_files f ON f.game_id = g.id "
            f"AND f.kind = 'member' WHERE g.platform_id = ? AND g.is_missing = 0 "
            f"AND {GUESSED_ARCHIVE}", (UNKNOWN,)):
        members.setdefault(str(filepath), []).append(str(name))
    return sorted(path for path, names in members.items()
                  if holds_only_notes(names, frozenset()))


def unusable_archives(db: Database, game_ids: list[int],
                      extensions: dict[str, frozenset[str]]) -> dict[int, tuple[str, str]]:
    """The games of ``game_ids`` no emulator can load, each with (kind, why): ``damaged`` —
    a scan found its data not what the archive states (QA124 F3: still
    auto-listed and deployed) — and ``no_rom``: an archive the library's catalogs do not
    identify whose files are all notes, pages, pictures or sounds, none of its platform's types
    (``extensions``: see :func:`platform_extensions`), such as a `readme.txt` zipped under
    a game's name (QA124 F2: it displaced the real ROM). Not judged by the platform's types
    alone: the pack's lists lack formats emulators load (review 126 F1: a C64 `.d81`, a
    Spectrum `.trd`, a DOS game's CUE/BIN, a WHDLoad folder were "no ROM")."""
    found: dict[int, tuple[str, str]] = {
        game_id: (DAMAGED, f"Damaged: {problem}")
        for game_id, problem in damaged_games(db, game_ids).items()}
    members: dict[int, tuple[str, list[str]]] = {}
    for game_id, platform_id, name in db.query(
            "SELECT g.id, g.platform_id, f.name FROM games g JOIN game_files f "
            f"ON f.game_id = g.id AND f.kind = 'member' WHERE {GUESSED_ARCHIVE} "
            "AND g.id IN (SELECT value FROM json_each(?))", (json.dumps(game_ids),)):
        members.setdefault(int(game_id), (str(platform_id), []))[1].append(str(name))
    for game_id, (platform_id, names) in members.items():
        if game_id not in found and holds_only_notes(
                names, extensions.get(platform_id, frozenset())):
            found[game_id] = (NO_ROM, f"Holds no {platform_id} ROM ({examples(names, 3)}): "
                              "no emulator loads it")
    return found


def gone_since_the_scan(db: Database, rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Of ``games ls`` ``rows``, those not marked missing whose file — or a track of its
    sheet — is not at its place now as the last scan found it (its size and time) while
    their library root is there: deleted, moved or rewritten since; no copy, whatever the
    last scan found (review42 F5, review42b F2: `games find new.gb && rm new.gb` deleted the
    last copy). One look per file: a few rows, a game's copies. A root not there now (a
    share not mounted) is not judged: its files are as the last scan found them."""
    present = [int(row["id"]) for row in rows if not row["is_missing"]]
    if not present:
        return []
    ids = json.dumps(present)
    files: dict[int, list[tuple[str, int, int | None]]] = {}
    for game_id, root, filepath, size, mtime in db.query(
            "SELECT g.id, r.path, g.filepath, g.file_size, g.file_mtime_ns FROM games g "
            "JOIN library_roots r ON r.id = g.root_id "
            "WHERE g.id IN (SELECT value FROM json_each(?))", (ids,)):
        files[int(game_id)] = [(os.path.join(str(root), str(filepath)), size, mtime)]
    for game_id, name, size, mtime in db.query(
            "SELECT game_id, name, file_size, file_mtime_ns FROM game_files "
            "WHERE kind = 'track' AND game_id IN (SELECT value FROM json_each(?))", (ids,)):
        sheet = files[int(game_id)][0][0]
        files[int(game_id)].append((os.path.join(os.path.dirname(sheet), str(name)), size,
                                    mtime))
    there: dict[str, bool] = {}
    gone = []
    for row in rows:
        if int(row["id"]) not in files:
            continue
        root = str(row["root"])
        if root not in there:
            there[root] = root_is_there(root)
        if there[root] and not all(_as_scanned(path, size, mtime)
                                   for path, size, mtime in files[int(row["id"])]):
            gone.append(row)
    return gone


@dataclass(frozen=True)
class FoundCopies:
    """What the library holds of some data (``games find``): the copies that hold it now,
    and of those that held it, why they hold it no longer. Rows are ``games ls`` rows."""

    # the copies there now (a copy marked missing listed beside them); empty: none holds it
    rows: list[dict[str, Any]]
    damaged: list[dict[str, Any]]  # a scan found its data not what the archive states
    missing: list[dict[str, Any]]  # marked missing: a scan no longer found it
    gone: list[dict[str, Any]]  # not at its place now as the last scan found it
    # none holds it, asked by SHA1 or MD5: the games known by their CRC32 only (which may)
    unverified: int = 0
    # the library roots of the copies there now, when none of those roots is reachable now
    # (they are as the last scan found them)
    roots_away: list[str] = field(default_factory=list)
    # an archive no game holds whole, looked up member by member: each member (notes left
    # out) with the ids of the games holding its data now, and those members whose data no
    # game holds now (the archive is then not held: ``rows`` is empty)
    members: list[tuple[str, list[int]]] = field(default_factory=list)
    members_not_held: list[str] = field(default_factory=list)
    # of those, each member whose data copies held once (damaged, missing, gone since the
    # scan) with what is said of them (its ``FoundCopies``: no rows, ``held_once``)
    members_held_once: list[tuple[str, FoundCopies]] = field(default_factory=list)
    # child CHDs whose parent CHD is not in the library, each row with ``parent_sha1`` (the
    # SHA1 its header names, None when it names none): a child holds only what differs
    # from its parent, so without it no copy (review52g F5; it was said "found damaged")
    orphans: list[dict[str, Any]] = field(default_factory=list)
    # the games whose file (or a track of whose sheet) is the very file asked about, reached
    # by this path or another (a second mount, a folder's link): no copy of itself
    # (review52b P2: the library's file asked about was "held", by itself)
    itself: list[dict[str, Any]] = field(default_factory=list)
    # when each copy there now needs a library root not reachable now — its own or, a child
    # CHD, its parent's (or a parent's of that) — the roots of those parents (review53c F5)
    parents_away: list[str] = field(default_factory=list)

    @property
    def held_once(self) -> bool:
        """True when none holds the data now but the library had copies of it."""
        return not self.rows and bool(self.damaged or self.missing or self.gone
                                      or self.orphans or self.itself)


def find_copies(db: Database, path: Path | None = None, *, sha1: str | None = None,
                md5: str | None = None, crc32: str | None = None,
                size: int | None = None) -> FoundCopies:
    """The games holding the data of the file at ``path`` (see :func:`find_file`), else of
    a hash (see :func:`find_by_hash`), as a user can take them now: a copy a scan found
    damaged (qa190 F2), marked missing (qa192 F3: "have it" had a script delete the download,
    the last copy of the game) or not at its place now as the last scan found it (review42
    F5) is no copy; one marked missing is listed beside a copy there now.

    An archive no game holds whole is held when the data of each of its members is (see
    :func:`archive_members_held`): the games holding them are its copies; when some member's
    data is held by none, none is, and ``members_not_held`` names those members."""
    archive = read_archive(path) if path is not None \
        and extension_of(path.name) in ARCHIVES else None
    ids = find_file(db, path, archive) if path is not None else \
        find_by_hash(db, sha1=sha1, md5=md5, crc32=crc32, size=size)
    whole = _copies_of(db, ids, unverified_asked=bool(sha1 or md5), asked=path)
    if whole.rows or path is None or archive is None:
        return whole
    archive = unpacked_where_held(db, path, archive)
    if archive.error is not None and not whole.held_once:
        raise InputError(f"{path}: {archive.error}; its members' data could not be looked "
                         "up, and no game in the library holds the file as a whole")
    held_by = members_held(db, archive)
    members = list(zip((name for name, _ in held_by),
                       _copies_of_each(db, [held for _, held in held_by], path),
                       strict=True))
    if not members:
        return whole
    every = [whole, *(copies for _, copies in members)]
    not_held = [name for name, copies in members if not copies.rows]
    rows = [] if not_held else \
        list({row["id"]: row for _, copies in members for row in copies.rows}.values())
    present = sorted({str(row["root"]) for row in rows if not row["is_missing"]})
    away = present if rows and not any(map(root_is_there, present)) else []
    damaged, missing, gone, orphans, itself = (_each_once(every, name) for name in (
        "damaged", "missing", "gone", "orphans", "itself"))
    held = [(name, [int(row["id"]) for row in copies.rows]) for name, copies in members]
    once = [(name, copies) for name, copies in members if copies.held_once]
    parents_away = sorted({root for _, copies in members for root in copies.parents_away})
    return FoundCopies(rows, damaged, missing, gone, 0, away, held, not_held, once,
                       orphans=orphans, itself=itself,
                       parents_away=parents_away if rows else [])


def _each_once(found: list[FoundCopies], name: str) -> list[dict[str, Any]]:
    """The rows of the field ``name`` of each of ``found``, each game once."""
    return list({row["id"]: row for copies in found for row in getattr(copies, name)}.values())


def _copies_of(db: Database, ids: list[int], *, unverified_asked: bool,
               asked: Path | None = None) -> FoundCopies:
    """What :func:`find_copies` says of the games ``ids`` holding some data (that of the
    file at ``asked``, when a file was asked about)."""
    copies = _copies_of_each(db, [ids], asked)[0]
    if copies.rows or not unverified_asked:
        return copies
    return replace(copies, unverified=verify_counts(db).unverified)


def _copies_of_each(db: Database, each: list[list[int]],
                    asked: Path | None = None) -> list[FoundCopies]:
    """:func:`_copies_of` of each list of ``each`` (an archive's members' holders), their
    games asked of the database and looked for on disk once for them all; a game whose file
    is the very file at ``asked`` is none of its copies (see :func:`_the_file_asked`)."""
    every = list(dict.fromkeys(i for ids in each for i in ids))
    damaged = damaged_games(db, every)
    cut, parents, away_parents = _truncated_chds(db, [i for i in every if i not in damaged])
    damaged.update(cut)
    by_id = {int(row["id"]): row for row in games_by_id(db, every)}
    for i, (parent, why) in parents.items():
        if i in by_id:
            by_id[i] = {**by_id[i], "parent_sha1": parent, "parent_why": why}
    held_no = damaged.keys() | parents.keys()
    itself = _the_file_asked(db, [row for i, row in by_id.items() if i not in held_no],
                             asked) if asked is not None else set()
    held_no |= itself
    gone_ids = {int(row["id"]) for row in gone_since_the_scan(
        db, [row for i, row in by_id.items() if i not in held_no])}
    there: dict[str, bool] = {}
    found = []
    for ids in each:
        rows = [by_id[i] for i in ids if i in by_id and i not in held_no]
        missing = [row for row in rows if row["is_missing"]]
        gone = [row for row in rows if int(row["id"]) in gone_ids]
        rows = [row for row in rows if int(row["id"]) not in gone_ids]
        if len(missing) == len(rows):
            rows = []
        present = sorted({str(row["root"]) for row in rows if not row["is_missing"]})
        for root in present:
            if root not in there:
                there[root] = root_is_there(root)
        away = present if rows and not any(there[root] for root in present) else []
        # (a child whose parent is on a root not reachable now: half its data is there)
        parents_away = sorted({root for row in rows for root in away_parents.get(
            int(row["id"]), [])}) if rows and all(
                int(row["id"]) in away_parents or not there.get(str(row["root"]), True)
                for row in rows if not row["is_missing"]) else []
        found.append(FoundCopies(rows, [by_id[i] for i in ids if i in by_id and i in damaged],
                                 missing, gone, 0, away,
                                 orphans=[by_id[i] for i in ids if i in by_id
                                          and i in parents],
                                 itself=[by_id[i] for i in ids if i in itself],
                                 parents_away=parents_away))
    return found


def _the_file_asked(db: Database, rows: list[dict[str, Any]], asked: Path) -> set[int]:
    """The ids of those of ``rows`` (present games) whose file, or a track of whose sheet, is
    the very file at ``asked``: one device and inode, reached by the same path once links
    are resolved, or the file's one name, or the same name in the same folder (a folder
    mounted twice, a share's second path: see :func:`_identity`).
    The library's file asked about is no copy of itself: deleting it deletes the library's
    (review52b P2: it was "held", by itself). A hard link of it elsewhere is a copy:
    deleting that one loses nothing (as ``games dupes`` says of one)."""
    try:
        info = os.stat(asked)
    except OSError:
        return set()
    real = os.path.realpath(asked)
    present = [row for row in rows if not row["is_missing"] and not row.get("overwritten")]
    files = [(int(row["id"]), os.path.join(str(row["root"]), str(row["filepath"])))
             for row in present]
    sheets = dict(files)
    if present:
        files += [(int(game_id), os.path.join(os.path.dirname(sheets[int(game_id)]), str(name)))
                  for game_id, name in db.query(
                      "SELECT game_id, name FROM game_files WHERE kind = 'track' "
                      "AND game_id IN (SELECT value FROM json_each(?))",
                      (json.dumps(list(sheets)),))]
    folder = _identity(os.path.dirname(real))
    very: set[int] = set()
    for game_id, path in files:
        try:
            there = os.stat(os_path(path))
        except OSError:
            continue
        if (there.st_dev, there.st_ino) == (info.st_dev, info.st_ino) and (
                there.st_nlink == 1 or os.path.realpath(os_path(path)) == real
                or (os.path.basename(os_path(path)) == os.path.basename(real)
                    and folder is not None
                    and _identity(os.path.dirname(os_path(path))) == folder)):
            very.add(game_id)
    return very


def _identity(folder: str) -> tuple[int, int] | None:
    """The device and inode of ``folder``, None when it cannot be looked at. One file by
    the same name in one folder is the same entry, whatever the path that reached them (a
    folder bind-mounted, linked or mounted twice); a hard link is another entry — another
    folder or another name (review53c F3: through a bind mount, the library's file with a
    hard link elsewhere was "held", by itself)."""
    try:
        info = os.stat(folder)
    except OSError:
        return None
    return info.st_dev, info.st_ino


def _truncated_chds(db: Database, game_ids: list[int]
                    ) -> tuple[dict[int, str], dict[int, tuple[str | None, str]],
                               dict[int, list[str]]]:
    """Those of ``game_ids`` that are CHDs whose file is now plainly too short for the data
    its header states (see ``chd_truncation``), each with why: its header alone is no copy of
    that data (review52b P1: a CHD cut after its header "held" its image, and the download,
    the only copy, was deleted). The scan finds such a CHD damaged; one scanned before it did
    (or cut since) is read here — only the CHDs holding the data asked. One not reachable
    now is left as the last scan found it. Second, the child CHDs whose parent no CHD
    present in the library is, each with its parent's SHA1 and why (see
    ``_parents_of``): no copy either, but not damaged; third, the other children whose
    parent is held only on library roots not reachable now, with those roots."""
    cut: dict[int, str] = {}
    children: dict[int, str] = {}
    for game_id, root, filepath in db.query(
            "SELECT g.id, r.path, g.filepath FROM games g JOIN library_roots r "
            "ON r.id = g.root_id WHERE g.id IN (SELECT value FROM json_each(?)) "
            "AND g.is_missing = 0 AND EXISTS (SELECT 1 FROM game_files f "
            "WHERE f.game_id = g.id AND f.kind = 'chd')", (json.dumps(game_ids),)):
        try:
            _, parent = read_chd_sha1_and_parent(
                Path(os_path(os.path.join(str(root), str(filepath)))))
        except DamagedArchive as exc:
            cut[int(game_id)] = str(exc)
            continue
        except (OSError, ContainerError):
            continue
        if parent is not None:
            children[int(game_id)] = parent
    return cut, *_parents_of(db, children)


# How many generations of parents a child CHD's chain is followed (real chains are one or
# two deep): a parent farther than that, or a chain that comes back on itself, is none
_PARENT_DEPTH = 8


@dataclass(frozen=True)
class _ParentCopy:
    """A CHD of the library whose SHA1 a child names as its parent, as it is now."""

    game_id: int
    filename: str
    root: str
    # why it holds no data now (missing, damaged, cut, gone since the scan), or None
    why: str | None
    # the SHA1 of its own parent CHD when it is a child too ("" when its header names none:
    # all zeros), None when it is no child (or was not read: its root is not there now)
    parent: str | None


def _children_without_parent(db: Database, children: dict[int, str]
                             ) -> dict[int, tuple[str | None, str]]:
    """Those of ``children`` (child CHDs' game ids, each with the SHA1 of the parent CHD its
    header names) whose parent no CHD of the library is now, each with that SHA1 (None
    when the header names none: all zeros) and why (see :func:`_parents_of`): a child holds
    only what differs from its parent, the rest of its data is in the parent (review52g F5:
    a child CHD of 200 bytes "held" its 64 KiB image without its parent, exit 0)."""
    return _parents_of(db, children)[0]


def _parents_of(db: Database, children: dict[int, str]
                ) -> tuple[dict[int, tuple[str | None, str]], dict[int, list[str]]]:
    """:func:`_children_without_parent`, and of the other children those whose parent (or a
    parent of it) is held only on library roots not reachable now, each with those roots.

    A parent is a copy by the test every copy passes: not marked missing, not found damaged,
    at its place now as the last scan found it and not cut short (review53c F1: a child whose
    parent was deleted since the scan "held" its image, exit 0) — and, itself a child, its
    own parent such a copy (review53c F4), followed up to ``_PARENT_DEPTH`` generations; a
    chain that comes back on itself is no parent. One query a generation."""
    copies: dict[str, list[_ParentCopy]] = {}
    wanted = {parent for parent in children.values() if any(bytes.fromhex(parent))}
    there: dict[str, bool] = {}
    for _ in range(_PARENT_DEPTH):
        todo = sorted(wanted - copies.keys())
        if not todo:
            break
        copies.update({sha1: [] for sha1 in todo})
        for sha1, copy in _parent_copies(db, todo, there):
            copies[sha1].append(copy)
            if copy.why is None and copy.parent:
                wanted.add(copy.parent)
    # least fixed points: a SHA1 is held when a copy of it is, with no parent or a held one
    # (anywhere; then on a root reachable now), so that a cycle holds nothing
    held = _held_sha1s(copies, lambda copy: True)
    here = _held_sha1s(copies, lambda copy: there.get(copy.root, True))
    orphans: dict[int, tuple[str | None, str]] = {}
    away: dict[int, list[str]] = {}
    for game_id, parent in children.items():
        if not any(bytes.fromhex(parent)):
            orphans[game_id] = (None, "is not in the library")
        elif parent not in held:
            orphans[game_id] = (parent, _why_no_parent(copies.get(parent, [])))
        elif parent not in here:
            away[game_id] = sorted(_roots_away(copies, parent, there))
    return orphans, away


def _parent_copies(db: Database, sha1s: list[str], there: dict[str, bool]
                   ) -> list[tuple[str, _ParentCopy]]:
    """The CHDs of the library of these SHA1s, each as it is now (see :class:`_ParentCopy`):
    one query for them all (each SHA1 an index lookup), a look at each file, a read of each
    one's header — a few files, the parents of the children holding the data asked."""
    found = []
    for sha1, game_id, filename, root, filepath, size, mtime, missing, damaged in db.query(
            "SELECT p.value, g.id, g.filename, r.path, g.filepath, g.file_size, "
            f"g.file_mtime_ns, g.is_missing, {_DAMAGED} FROM json_each(?) p "
            "JOIN game_files f ON f.sha1_bin = rr_unhex(p.value) AND f.kind = 'chd' "
            "JOIN games g ON g.id = f.game_id JOIN library_roots r ON r.id = g.root_id "
            "ORDER BY g.id", (json.dumps(sha1s),)):
        root = str(root)
        if root not in there:
            there[root] = root_is_there(root)
        path = os.path.join(root, str(filepath))
        why: str | None = None
        parent: str | None = None
        if missing:
            why = "is missing (a scan no longer found it)"
        elif damaged:
            why = "was found damaged"
        elif there[root] and not _as_scanned(path, size, mtime):
            why = ("is not at its place now as the last scan found it (deleted, moved or "
                   "changed since?)")
        elif there[root]:
            try:
                _, parent = read_chd_sha1_and_parent(Path(os_path(path)))
            except DamagedArchive as exc:
                why = f"is damaged now ({exc})"
            except (OSError, ContainerError):
                pass
        found.append((str(sha1), _ParentCopy(int(game_id), str(filename), root, why,
                                              None if parent is None else
                                              parent if any(bytes.fromhex(parent)) else "")))
    return found


def _held_sha1s(copies: dict[str, list[_ParentCopy]],
                counts: Callable[[_ParentCopy], bool]) -> set[str]:
    """The SHA1s of ``copies`` a copy holds now, that ``counts``, its parent (if a child)
    one of them too: grown from the copies that are no child until nothing changes."""
    held: set[str] = set()
    grown = True
    while grown:
        grown = False
        for sha1, each in copies.items():
            if sha1 not in held and any(
                    copy.why is None and counts(copy)
                    and (copy.parent is None or copy.parent in held) for copy in each):
                held.add(sha1)
                grown = True
    return held


def _why_no_parent(copies: list[_ParentCopy]) -> str:
    """Why the parent CHD of a child, of which the library has ``copies``, holds no data
    now: ``is not in the library``, or what the first of them is."""
    if not copies:
        return "is not in the library"
    copy = copies[0]
    if copy.why is not None:
        return f"{copy.filename} {copy.why}"
    return f"{copy.filename} is a child CHD whose own parent CHD holds no data now either"


def _roots_away(copies: dict[str, list[_ParentCopy]], sha1: str,
                there: dict[str, bool]) -> set[str]:
    """The library roots not reachable now of the copies of ``sha1`` and of their parents,
    as a child's data lies on them (its parent's data, as the last scan found it)."""
    roots: set[str] = set()
    seen: set[str] = set()
    todo = [sha1]
    while todo:
        current = todo.pop()
        if current in seen:
            continue
        seen.add(current)
        for copy in copies.get(current, []):
            if copy.why is None and not there.get(copy.root, True):
                roots.add(copy.root)
            if copy.why is None and copy.parent:
                todo.append(copy.parent)
    return roots


def _as_scanned(path: str, size: int | None, mtime_ns: int | None) -> bool:
    """True when the file stored as ``path`` is there, of the size and time a scan saw."""
    try:
        info = os.stat(os_path(path))
    except OSError:
        return False
    return (size is None or info.st_size == size) \
        and (mtime_ns is None or info.st_mtime_ns == mtime_ns)


def games_by_id(db: Database, game_ids: list[int]) -> list[dict[str, Any]]:
    """The ``games ls`` rows of these games, in the order given."""
    if not game_ids:
        return []
    rows = db.query(f"SELECT {LIST_COLUMNS} FROM games g "
                    f"JOIN library_roots r ON r.id = g.root_id "
                    f"WHERE g.id IN (SELECT value FROM json_each(?))", (json.dumps(game_ids),))
    by_id = {int(row["id"]): _listed_row(row) for row in rows}
    return [by_id[i] for i in game_ids if i in by_id]


def show_game(db: Database, game_id: int) -> dict[str, Any]:
    """Everything about one game: hashes, members/tracks, tags, and how it was matched.

    ``match_headerless`` (on the game and on each file) says whether the hash that matched
    was that of the data after a header. ``damaged``: a scan found the archive's data not
    what it states (see :func:`damaged_games`): its size and hashes, its members' too, are
    those stored before — kept so, not its data now — and ``root_last_scanned_at`` when its
    root was last scanned (every scan reads it whole until it reads good).
    """
    row = db.query_one("SELECT g.*, r.path AS root, r.last_scanned_at AS root_last_scanned_at "
                       "FROM games g "
                       "JOIN library_roots r ON r.id = g.root_id WHERE g.id = ?", (game_id,))
    if row is None:
        raise NotFoundError(f"game {game_id} does not exist")
    game = _row_dict(row)
    # a game whose file another was moved onto: its old path, and said (QA30 N6: the stored
    # mark leaked into --json)
    game["overwritten"] = str(game["filepath"]).startswith(OVERWRITTEN)
    # (qa190: its kept hashes were shown as its data's now)
    game["damaged"] = bool(damaged_games(db, [game_id]))
    game["filepath"] = original_path(str(game["filepath"]))
    game["catalog_title"] = game.pop("catalog_name", None) or game["catalog_title"]
    for key in ("languages", "flags", "platform_candidates"):
        game[key] = json.loads(game[key]) if game.get(key) else []
    files = db.query("SELECT kind, name, file_size, file_crc32, file_md5, file_sha1, "
                     "header_size, nh_crc32, nh_md5, nh_sha1, matched_game_id, match_method "
                     "FROM game_files WHERE game_id = ? ORDER BY kind, name", (game_id,))
    game["files"] = [_row_dict(item) for item in files]
    for item in (game, *game["files"]):
        item["match_headerless"] = _matched_headerless(db, item)
    if str(row["filepath"]).lower().endswith(".m3u"):
        _describe_playlist_discs(db, int(row["root_id"]), str(row["filepath"]), game["files"])
    game["catalogs"], game["sets_sharing_roms"] = _matched_catalogs(db, row)
    game["catalog"] = game["catalogs"][0] if game["catalogs"] else None
    # (a game guessed or unmatched; or matched by a CRC32 other catalog games may share, but
    # not an archive of several members, an arcade set, which its members decide: QA24 N1)
    game["several_members"] = sum(1 for item in game["files"] if item["kind"] == "member") > 1
    asked = not row["matched_game_id"] or row["match_method"] == "name" or (
        row["match_method"] == "crc32" and not game["several_members"])
    game["catalogs_with_data"] = _catalogs_with_data(db, row) if asked else []
    return game


_Key = tuple[bytes | None, bytes | None, bytes | None, int | None]


def _matched_catalogs(db: Database, game: Any) -> tuple[list[dict[str, Any]], int]:
    """The DATs' games of a matched game: those of its platform whose ROM data it has
    (``by: "data"``; the game its match names first), then those that only bear the name
    its match is by (``by: "name"``): two DATs of one platform may list one game name with
    different dumps, or one dump under two names, and a match may be by name only. Of an
    archive of several members (an arcade set), a game that is not the same set as its
    match (the same ROMs, no more) is not listed but counted (the second value): clones,
    sets sharing a PROM or a BIOS set's ROMs (QA133 F7: 127 lines for a neogeo.zip)."""
    if not game["matched_game_id"]:
        return [], 0
    keys, tracks = _data_keys(db, game)
    ids = {int(row[0]) for row in db.query("SELECT id FROM catalog_games WHERE game_id = ?",
                                           (game["matched_game_id"],))}
    ids |= _catalog_games_with(db, keys)
    rows = db.query(
        "SELECT cg.id, cg.game_id, cg.name, cg.region, cg.serial, cg.clone_of, "
        "cg.is_bios, cg.alternatives, cg.source_id, cs.name AS dat, cs.version AS dat_version "
        "FROM catalog_games cg "
        "JOIN catalog_sources cs ON cs.id = cg.source_id "
        "WHERE cg.id IN (SELECT value FROM json_each(?)) AND cg.platform_id = ? "
        "ORDER BY cs.name, cs.headered", (json.dumps(sorted(ids)), game["platform_id"]))
    roms = _roms_of(db, [int(r["id"]) for r in rows])

    def covered(row: Any) -> set[int]:  # the keys of the game a catalog game has
        own = roms.get(int(row["id"]), [])
        return {i for i, key in enumerate(keys) if any(_same_data(rom, key) for rom in own)}

    several = game["is_archive"] and len(keys) > 2  # (the zip's own key and its members')
    named_rows = [row for row in rows if row["game_id"] == game["matched_game_id"]]
    matched = set().union(*(covered(row) for row in named_rows))
    set_size = max((len(roms.get(int(row["id"]), [])) for row in named_rows), default=0)
    found = []
    sharing = set()
    for row in rows:
        own = roms.get(int(row["id"]), [])
        has = bool(covered(row)) and (
            all(any(_same_data(rom, track) for rom in own) for track in tracks)
            or _tracks_hold_every_rom(own, tracks))
        named = row["game_id"] == game["matched_game_id"]
        if has and not named and several and (covered(row) != matched or len(own) != set_size):
            # (another set with some of its ROMs, or more: no other listing of this set)
            sharing.add(str(row["game_id"]))
            continue
        if has or named:
            entry = {key: row[key] for key in ("name", "region", "serial", "dat",
                                               "dat_version")}
            entry["parent"] = row["clone_of"]
            entry["is_bios"] = bool(row["is_bios"])
            if has and named and game["is_archive"]:  # (not a clone sharing its ROMs)
                entry.update(_set_completeness(db, row, own, keys))
            found.append(({**entry, "by": "data" if has else "name"}, (not has, not named)))
    return [entry for entry, _ in sorted(found, key=lambda pair: pair[1])], len(sharing)


def _set_completeness(db: Database, catalog_game: Any, roms: list[Any],
                      keys: list[_Key]) -> dict[str, Any]:
    """An archive holding a catalog game of several ROMs (an arcade set; not a disc game,
    which any of its files stands for): the ROMs of it the archive lacks, as ``dat report``
    counts them (``missing_roms``), apart from those a clone shares with its parent and
    finds in the parent's set (``roms_in_parent``, a split set's); ``set_roms``: how many
    it has that can be had. Nothing for a game of one ROM or a disc."""
    if len(roms) < 2 or any(str(rom["name"]).lower().endswith((".cue", ".gdi"))
                            for rom in roms) \
            or any_rom_is_game((str(rom["name"]) for rom in roms),
                               bool(catalog_game["alternatives"])):
        return {}
    if (db.scalar("SELECT reader FROM catalog_sources WHERE id = ?",
                  (catalog_game["source_id"],)) or 0) < JUDGED_FROM_READER:
        return {}  # (an earlier release's reader may not have kept its BIOS set: QA64 F1)
    disks = [rom["sha1_bin"] for rom in roms if rom["status"] == DISK and rom["sha1_bin"]]
    held_disks = {bytes(row[0]) for row in db.query(
        "SELECT f.sha1_bin FROM game_files f JOIN games g ON g.id = f.game_id "
        f"WHERE f.kind = 'chd' AND g.is_missing = 0 AND f.sha1_bin IN "
        f"({', '.join('?' for _ in disks)})", disks)} if disks else set()
    lacking = [rom for rom in roms if _can_be_had(rom)
               and not any(_same_data(rom, key) for key in keys)
               and not (rom["status"] == DISK and rom["sha1_bin"] in held_disks)]
    shared: set[tuple[bytes, int | None]] = set()
    if lacking and catalog_game["clone_of"]:
        shared = {(rom["crc32_bin"], rom["size"]) for rom in db.query(
            "SELECT r.crc32_bin, r.size FROM catalog_roms r JOIN catalog_games p "
            "ON p.id = r.catalog_game_id WHERE p.source_id = ? AND p.name = ?",
            (catalog_game["source_id"], catalog_game["clone_of"]))}
    in_parent = [rom for rom in lacking if (rom["crc32_bin"], rom["size"]) in shared]
    # (the ROMs of the BIOS set it runs with — its own `romof`, or its parent's — are that
    # set's zip's, beside it: QA56 F4, "incomplete: neo-geo.rom… missing")
    bios: dict[tuple[bytes, int | None], str] = {}
    if len(in_parent) < len(lacking):
        for crc, size, name in db.query(
                "SELECT r.crc32_bin, r.size, b.name FROM catalog_games c "
                "LEFT JOIN catalog_games p ON p.source_id = c.source_id AND p.name = c.rom_of "
                "JOIN catalog_games b ON b.source_id = c.source_id AND b.is_bios = 1 "
                "AND b.name IN (c.rom_of, p.rom_of) "
                "JOIN catalog_roms r ON r.catalog_game_id = b.id WHERE c.id = ?",
                (catalog_game["id"],)):
            bios[(crc, size)] = str(name)
    in_bios = [rom for rom in lacking if rom not in in_parent
               and (rom["crc32_bin"], rom["size"]) in bios]
    return {"set_roms": sum(1 for rom in roms if _can_be_had(rom)),
            "missing_roms": [str(rom["name"]) for rom in lacking
                             if rom not in in_parent and rom not in in_bios],
            "roms_in_parent": [str(rom["name"]) for rom in in_parent],
            "roms_in_bios_set": [str(rom["name"]) for rom in in_bios],
            "bios_set": sorted({bios[(rom["crc32_bin"], rom["size"])] for rom in in_bios})}


def _can_be_had(rom: Any) -> bool:
    """A ROM a set can hold: dumped, with a hash to know it by (as ``dat report`` asks)."""
    return (rom["status"] or "") != "nodump" and (
        rom["sha1_bin"] is not None or rom["md5_bin"] is not None
        or (rom["crc32_bin"] is not None and rom["size"] is not None))


def _catalogs_with_data(db: Database, game: Any) -> list[dict[str, Any]]:
    """The catalog games, of any platform, whose ROM data an unidentified (or only guessed)
    game has (its platform set by hand to another, a hash several platforms' catalogs list,
    a CRC32 and size several games list…): what ``games show`` says instead of "no catalog
    has this data". ``by``: the strongest hash compared; ``dat_has_sha1``: its DAT lists a
    SHA1 of that game (a file known by its CRC32 only is then settled by ``scan --verify``)."""
    keys, _ = _data_keys(db, game)
    ids = _catalog_games_with(db, keys)
    if not ids:
        return []
    rows = db.query("SELECT cg.id, cs.name AS dat, cg.platform_id, cg.name FROM catalog_games cg "
                    "JOIN catalog_sources cs ON cs.id = cg.source_id "
                    "WHERE cg.id IN (SELECT value FROM json_each(?))", (json.dumps(sorted(ids)),))
    roms = _roms_of(db, [int(row["id"]) for row in rows])
    found: dict[tuple[str, str, str], dict[str, Any]] = {}
    for row in rows:
        by = [_compared_by(rom, key) for rom in roms.get(int(row["id"]), []) for key in keys
              if _same_data(rom, key)]
        if by:
            found[(row["platform_id"], row["dat"], row["name"])] = {
                "dat": row["dat"], "platform_id": row["platform_id"], "name": row["name"],
                "by": min(by, key=_STRENGTH.index),
                "dat_has_sha1": any(rom["sha1_bin"] is not None
                                    for rom in roms.get(int(row["id"]), []))}
    return [found[key] for key in sorted(found)]


_STRENGTH = ("sha1", "md5", "crc32")


def _compared_by(rom: Any, key: _Key) -> str:
    """The hash :func:`_same_data` compares a catalog ROM and ``key`` by."""
    if rom["sha1_bin"] is not None and key[0] is not None:
        return "sha1"
    if rom["md5_bin"] is not None and key[1] is not None:
        return "md5"
    return "crc32"


def _catalog_games_with(db: Database, keys: list[_Key]) -> set[int]:
    """The catalog games a ROM of which may hold one of ``keys`` (by any of its hashes, to be
    checked with :func:`_same_data`)."""
    ids: set[int] = set()
    for sha1, md5, crc32, size in keys:  # (a few: the file's, its members', its tracks')
        ids.update(int(row[0]) for row in db.query(
            "SELECT catalog_game_id FROM catalog_roms WHERE sha1_bin = ? UNION "
            "SELECT catalog_game_id FROM catalog_roms WHERE md5_bin = ? UNION "
            "SELECT catalog_game_id FROM catalog_roms WHERE crc32_bin = ? AND size = ?",
            (sha1, md5, crc32, size)))
    return ids


def _tracks_hold_every_rom(roms: list[Any], tracks: list[_Key]) -> bool:
    """True when disc ``tracks`` hold every ROM of ``roms`` but a sheet and an undumped one:
    a DAT listing a disc's data track alone (libretro's PlayStation DAT), as identification
    judges it (QA158 N3: identified by its tracks, and "none of its ROMs is this data")."""
    return bool(tracks) and all(
        any(_same_data(rom, track) for track in tracks) for rom in roms
        if (rom["status"] or "") != "nodump"
        and str(rom["name"]).rpartition(".")[2].lower() not in DISC_SHEET_EXTENSIONS)


def _roms_of(db: Database, catalog_game_ids: list[int]) -> dict[int, list[Any]]:
    """Each catalog game's ROMs: their names, hashes and status."""
    roms: dict[int, list[Any]] = {}
    for rom in db.query("SELECT catalog_game_id, name, status, sha1_bin, md5_bin, crc32_bin, "
                        "size FROM catalog_roms WHERE catalog_game_id IN "
                        "(SELECT value FROM json_each(?))", (json.dumps(catalog_game_ids),)):
        roms.setdefault(int(rom["catalog_game_id"]), []).append(rom)
    return roms


def _data_keys(db: Database, game: Any) -> tuple[list[_Key], list[_Key]]:
    """The game's data as catalogs list it (its file's, its header-less data's, its members'
    and tracks'), and its disc tracks' (each must be the catalog game's)."""
    keys: list[_Key] = []
    tracks: list[_Key] = []
    items = [(game, "file"), *((item, str(item["kind"])) for item in db.query(
        "SELECT kind, sha1_bin, md5_bin, crc32_bin, file_size, header_size, nh_sha1_bin, "
        "nh_md5_bin, nh_crc32_bin FROM game_files WHERE game_id = ? "
        "AND kind IN ('member', 'track', 'chd')", (game["id"],)))]  # (a CHD: its header's
    # SHA1, which a DAT's <disk> lists: QA64 F7, "the name only" for a CHD matched by it)
    for item, kind in items:
        key = (item["sha1_bin"], item["md5_bin"], item["crc32_bin"], item["file_size"])
        keys.append(key)
        if kind == "track":
            tracks.append(key)
        if item["header_size"] and item["file_size"] is not None:
            keys.append((item["nh_sha1_bin"], item["nh_md5_bin"], item["nh_crc32_bin"],
                         item["file_size"] - item["header_size"]))
    return keys, tracks


def _same_data(rom: Any, key: _Key) -> bool:
    """A catalog ROM has this data by the strongest hash both know (as identification
    compares): SHA1, else MD5, else CRC32 and size."""
    sha1, md5, crc32, size = key
    by = _compared_by(rom, key)
    if by == "sha1":
        return bool(rom["sha1_bin"] == sha1)
    if by == "md5":
        return bool(rom["md5_bin"] == md5)
    return crc32 is not None and rom["crc32_bin"] == crc32 and rom["size"] == size


def _describe_playlist_discs(db: Database, root_id: int, filepath: str,
                             entries: list[dict[str, Any]]) -> None:
    """A library .m3u's entries are disc games of their own (its rows hold only their names):
    each gets that game's id, size (sheet and tracks) and match."""
    from romrunner.library.plan import system_folder  # (the scan's modules import this one)

    folder = posixpath.dirname(filepath)
    root = str(db.scalar("SELECT path FROM library_roots WHERE id = ?", (root_id,)) or "")
    for entry in entries:
        path = posixpath.normpath(posixpath.join(folder, str(entry["name"])))
        disc = db.query_one(
            "SELECT id, total_size, matched_game_id, match_method FROM games "
            "WHERE root_id = ? AND filepath = ?", (root_id, path))
        entry["disc_game_id"] = None if disc is None else int(disc["id"])
        # (a disc there in a hidden folder, muOS's `.Game/`: skipped by a scan, not missing
        # — qa201 F1 said "missing or unreadable"; not a system folder --include-hidden
        # skips too, nor a dot-named file the scan takes, review47c F6)
        entry["hidden"] = disc is None and any(
            part.startswith(".") and part != ".." and not system_folder(part)
            for part in path.split("/")[:-1]) and os.path.isfile(os_path(f"{root}/{path}"))
        if disc is not None:
            entry.update(file_size=disc["total_size"], matched_game_id=disc["matched_game_id"],
                         match_method=disc["match_method"])


_CATALOG_COLUMN = {"sha1": "sha1_bin", "md5": "md5_bin", "crc32": "crc32_bin"}


def _matched_headerless(db: Database, item: dict[str, Any]) -> bool:
    """True when ``item`` (a game or one of its files) was matched by a header-less hash."""
    method = item.get("match_method")
    if not item.get("header_size") or method not in _CATALOG_COLUMN \
            or not item.get(f"nh_{method}") or not item.get("matched_game_id"):
        return False
    column = _CATALOG_COLUMN[method]  # a fixed column name, never user text
    return bool(db.scalar(
        f"SELECT EXISTS (SELECT 1 FROM catalog_roms r JOIN catalog_games g "
        f"ON g.id = r.catalog_game_id WHERE g.game_id = ? AND r.{column} = ?)",
        (item["matched_game_id"], to_blob(item[f"nh_{method}"]))))


@dataclass(frozen=True)
class SetPlatformResult:
    """What ``games set-platform`` changed, and how those games are matched afterwards."""

    platform_id: str
    changed: int
    matches: MatchCounts
    # the file names of those games whose type the platform does not list (set all the same:
    # the user's call, said)
    unlisted: list[str] = field(default_factory=list)
    already: int = 0  # of the games given, those set to the platform by hand before


def set_platform(db: Database, game_ids: list[int], platform_id: str,
                 known_platforms: Collection[str], index: PackIndex | None = None
                 ) -> SetPlatformResult:
    """Assign a platform by hand (rescans keep it: ``platform_source = 'user'``) and identify
    those games again, in one transaction; an unknown id changes nothing and is named. With
    the pack's ``index``, the games whose file type the platform does not list are named
    (an archive, a playlist: not judged by their own type)."""
    if platform_id not in known_platforms:
        raise InputError(f"{platform_id!r} is not a platform of the definition pack ("
                         + (f"{platform_hint(platform_id, known_platforms)}; "
                            if isinstance(known_platforms, Mapping) else "")
                         + "`auto` gives games back the platform a scan decides)")
    ids = json.dumps(list(dict.fromkeys(game_ids)))
    with db.atomic():
        unknown = [int(row[0]) for row in db.query(
            "SELECT value FROM json_each(?) WHERE value NOT IN (SELECT id FROM games) "
            "ORDER BY key", (ids,))]
        if unknown:
            raise NotFoundError(f"no game with id {', '.join(map(str, unknown))}; "
                                "nothing was changed")
        # (one set so already is not changed, counted, identified again nor warned about:
        # QA26 F7; qa183 F7: "0 games set" and "set all the same", and its match rewritten)
        to_set = {int(row[0]) for row in db.query(
            "SELECT id FROM games WHERE id IN (SELECT value FROM json_each(?)) "
            "AND (platform_id IS NOT ? OR platform_source IS NOT 'user')", (ids, platform_id))}
        given = list(dict.fromkeys(game_ids))
        changing = json.dumps([game_id for game_id in given if game_id in to_set])
        changed = db.execute(
            "UPDATE games SET platform_id = ?, platform_source = 'user', "
            "platform_candidates = NULL WHERE id IN (SELECT value FROM json_each(?))",
            (platform_id, changing)).rowcount if to_set else 0
        matches = identify(db, json.loads(changing)) if to_set else MatchCounts(0, 0, 0)
        names = [str(row[0]) for row in db.query(
            "SELECT filename FROM games WHERE id IN (SELECT value FROM json_each(?)) "
            "AND is_archive = 0 AND format IS NOT 'm3u' ORDER BY filename", (changing,))]
    unlisted = [] if index is None else [
        name for name in names
        if platform_id not in index.platforms_for_extension(os.path.splitext(name)[1])]
    return SetPlatformResult(platform_id, changed, matches, unlisted,
                             already=len(given) - len(to_set))


AUTO = "auto"  # ``games set-platform auto ID…``: the platform the scan decides, again


@dataclass(frozen=True)
class AutoPlatform:
    """One game's platform decided again by the scan's rules (and its catalog match)."""

    game_id: int
    was: str
    platform_id: str
    source: str
    candidates: tuple[str, ...]
    changed: bool = True  # False: the same platform, and it was not set by hand

    def as_dict(self) -> dict[str, Any]:
        """The JSON form."""
        return {"id": self.game_id, "was": self.was, "platform_id": self.platform_id,
                "source": self.source, "candidates": list(self.candidates),
                "changed": self.changed}


@dataclass(frozen=True)
class AutoPlatformResult:
    """What ``games set-platform auto`` decided, and how those games are matched after."""

    games: list[AutoPlatform]
    matches: MatchCounts


def auto_platform(db: Database, game_ids: list[int], index: PackIndex) -> AutoPlatformResult:
    """Give games back the platform a scan decides (folder, extension, header: see
    ``decide_platform``) instead of one set by hand, and identify them again (a catalog
    match may then move them, as in a scan), in one transaction. The file is read for its
    first bytes; a missing or unreadable one, or an unknown id, changes nothing."""
    ids = list(dict.fromkeys(game_ids))
    with db.atomic():
        rows = {int(row["id"]): row for row in db.query(_TO_DECIDE, (json.dumps(ids),))}
        unknown = [game_id for game_id in ids if game_id not in rows]
        if unknown:
            raise NotFoundError(f"no game with id {', '.join(map(str, unknown))}; "
                                "nothing was changed")
        for game_id in ids:
            _write_scan_decision(db, index, rows[game_id], strict=True)
        matches = identify(db, ids)
        after = {int(row["id"]): row for row in db.query(
            "SELECT id, platform_id, platform_source, platform_candidates FROM games "
            "WHERE id IN (SELECT value FROM json_each(?))", (json.dumps(ids),))}
    return AutoPlatformResult(
        [AutoPlatform(game_id, str(rows[game_id]["platform_id"]),
                      str(after[game_id]["platform_id"]),
                      str(after[game_id]["platform_source"]),
                      tuple(json.loads(after[game_id]["platform_candidates"] or "[]")),
                      rows[game_id]["platform_source"] == "user"
                      or rows[game_id]["platform_id"] != after[game_id]["platform_id"])
         for game_id in ids], matches)


_TO_DECIDE = ("SELECT g.id, g.filepath, g.platform_id, g.platform_source, g.is_missing, "
              "r.path AS root FROM games g JOIN library_roots r ON r.id = g.root_id "
              "WHERE g.id IN (SELECT value FROM json_each(?))")


def settled_by_catalogs(db: Database) -> list[int]:
    """The present games whose platform a catalog's match settled (``platform_source``
    ``catalog``: not the one their folder, extension or header gave)."""
    return [int(row[0]) for row in db.query(
        "SELECT id FROM games WHERE platform_source = 'catalog' AND is_missing = 0 "
        "ORDER BY id")]


def decide_settled_again(db: Database, game_ids: Iterable[int], index: PackIndex) -> None:
    """Give those of ``game_ids`` whose platform a catalog's match settled the platform a
    scan decides from their files, as ``games set-platform auto`` does: the catalogs
    changed (a DAT imported or removed that lists their data), and the identification the
    caller runs next settles it again only where the catalogs still do — so the platform
    hangs on the files and the DATs, not on the order they came in (`dat rm` then the same
    DAT imported back left games under the other platform). A file that is missing or
    cannot be read keeps its platform."""
    ids = sorted(set(game_ids))
    if not ids:
        return
    for row in db.query(_TO_DECIDE + " AND g.platform_source = 'catalog'", (json.dumps(ids),)):
        # (not a 7z's member's first bytes: only unpacking the whole member gives them, in
        # the import's transaction — review 36 F1; its path and member names decide)
        _write_scan_decision(db, index, row, strict=False, unpack=False)


def _write_scan_decision(db: Database, index: PackIndex, row: Any, *, strict: bool,
                         unpack: bool = True) -> None:
    """Write on a stored game (a row of ``_TO_DECIDE``) the platform a scan decides from its
    path, its members' names and its first bytes (a 7z's one member's only when
    ``unpack``). A missing or unreadable file raises :class:`InputError` when ``strict``,
    else keeps its stored platform."""
    path = Path(row["root"], row["filepath"])
    if row["is_missing"]:
        if not strict:
            return
        raise InputError(f"{path}: missing since the last scan (game {row['id']}); its "
                         "platform is decided from the file: nothing was changed")
    members = [str(r["name"]) for r in db.query(
        "SELECT name FROM game_files WHERE game_id = ? AND kind = 'member' "
        "ORDER BY name", (row["id"],))]
    folders, filename = folders_of(str(row["filepath"]), Path(row["root"]).name)
    try:
        head = _head(path, members, unpack=unpack)
    except InputError:
        if strict:
            raise
        return
    guess, _ = decide_platform(index, folders, filename, members, head)
    db.execute(
        "UPDATE games SET platform_id = ?, platform_source = ?, "
        "platform_candidates = ?, set_key = CASE WHEN set_key IS NULL THEN NULL "
        "ELSE ? || substr(set_key, instr(set_key, ':')) END WHERE id = ?",
        (guess.platform_id, guess.source,
         json.dumps(list(guess.candidates)) if guess.candidates else None,
         guess.platform_id, row["id"]))


def _head(path: Path, members: list[str], *, unpack: bool = True) -> bytes:
    """The bytes the scan sniffs: an archive's one member's first 512, else the file's (a
    7z's member's: none unless ``unpack``, which reads the whole member)."""
    try:
        extension = extension_of(path.name)
        if extension in ARCHIVES and len(members) == 1:
            if extension != ".zip" and not unpack:
                return b""
            found, _ = (directory_zip_members(path, lambda crc, size: False)
                        if extension == ".zip" else hash_7z_members(path))
            if len(found) == 1:
                return found[0].head
        with open_regular(path) as stream:
            return stream.read(512)
    except (OSError, ContainerError) as exc:
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
        raise InputError(f"{path}: cannot be read ({reason}); nothing was changed") from exc


def _listed_row(row: Any) -> dict[str, Any]:
    """A ``games ls`` row as shown (see ``summary.as_listed``)."""
    game = _row_dict(row)
    return as_listed(game) if "filepath" in game else game


def _row_dict(row: Any) -> dict[str, Any]:
    """A row as shown: hashes as hex and times as text (the columns of those names); the
    stored forms (``*_bin`` bytes, ``*_unix`` seconds) are left out."""
    return {key: value for key, value in dict(row).items()
            if not key.endswith(("_bin", "_unix"))}
