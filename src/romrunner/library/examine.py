"""Examining one file (runs in worker processes): hashes, members, tracks, CHD header."""

from __future__ import annotations

import contextlib
import os
import stat
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import NamedTuple

from romrunner.library.containers import (
    ContainerError,
    DamagedArchive,
    Member,
    MustHash,
    directory_zip_members,
    hash_7z_members,
    hash_zip_members,
    is_inside,
    is_unsafe_member_name,
    open_regular,
    read_chd_sha1,
    read_chd_v3_image_size,
    referenced_files,
)
from romrunner.library.hashing import CrcRules, Hashes, RomHasher, crc_first, read_buffer
from romrunner.library.summary import card_name, os_path
from romrunner.library.tags import ParsedName, extension_of, parse_filename
from romrunner.textnorm import fold

ARCHIVES = {".zip", ".7z"}
CHANGED = ("changed during the scan (its size or modification time moved while it was "
           "read); not recorded: the next scan examines it again")
SHEETS = {".cue", ".gdi", ".m3u"}
HASHED_SHEETS = {".cue", ".gdi"}
# The error of a disc sheet that names no track (QA95 F7): a property of the file, not of
# one reading of it — a row an earlier release stored for it is no game (review 97 F1).
NO_TRACK = ("names no track file: not a disc sheet this reader can read (saved as UTF-16? "
            "empty?); not a game")
# The error of a .cue or .gdi that names itself as one of its tracks (a sheet edited by
# hand): taken for its own track it vanished without a word (QA154 F16). A property of
# the file too.
SELF_TRACK = "names itself as its track; skipped: not a disc sheet, not a game"
# The errors that say a sheet is no disc whatever reads it: a row an earlier release stored
# for it is no game.
NOT_A_DISC = frozenset({NO_TRACK, SELF_TRACK})


class FileChanged(Exception):
    """A file is not the one the walk saw, or changed while it was read: its hashes would
    not belong to the size and time stored with them."""


class KnownTrack(NamedTuple):
    """A disc sheet's track as its stored row has it: hashed when stored, at this size and
    time (see ``Job.known_tracks``)."""

    name: str
    size: int
    mtime_ns: int
    hashes: Hashes


class Job(NamedTuple):
    """A file to examine: where it is and what its stat said (a tuple: sent to workers).

    ``known_tracks``: for a stored disc sheet examined again by a plain rescan, its tracks'
    stored rows; a track whose file still has that size and time is not read again, its
    stored hashes taken (a 600 MB data track is not read because an audio track beside it
    changed). Empty for ``scan --full`` and ``--verify``, which read every track.

    ``whole``: read and hash it in full whatever the scan's plan (a game stored damaged: its
    zip's directory would state the CRCs its data contradicts)."""

    path: str
    relpath: str
    size: int
    mtime_ns: int
    known_tracks: tuple[KnownTrack, ...] = ()
    whole: bool = False


class Track(NamedTuple):
    """A file a disc sheet refers to: its name relative to the sheet, and what was read.

    ``hashes`` and ``mtime_ns`` are None when the track is missing, unreadable, or not hashed
    (the discs of an .m3u are games of their own).
    """

    name: str
    hashes: Hashes | None = None
    mtime_ns: int | None = None
    reused: bool = False  # its stored hashes taken, not read (see ``Job.known_tracks``)


@dataclass
class Examined:
    """Everything learnt from one file; ``error`` set when it could not be read."""

    job: Job
    hashes: Hashes | None = None
    head: bytes = b""
    members: list[Member] = field(default_factory=list)
    tracks: list[Track] = field(default_factory=list)
    chd_sha1: str | None = None
    chd_image_size: int | None = None  # a v3 CHD's: its image's, whose SHA1 ``chd_sha1`` is
    verified: bool = True  # False: ``hashes`` holds the CRC32 only (see examine_crc_first)
    problems: list[str] = field(default_factory=list)
    error: str | None = None
    # True with ``error``: the file, read whole at the size and time the walk saw, is an
    # archive whose bytes contradict what it states (see DamagedArchive) — a verdict on its
    # data, which an error of reading (gone, refused, a dead share or worker) is not
    damaged: bool = False
    # What the file name says, worked out by the hashing worker so the one writer does not
    # (the writer parses names itself when these are missing).
    parsed: ParsedName | None = None
    title_norm: str | None = None

    def parse_name(self) -> None:
        """Fill ``parsed`` and ``title_norm`` from the file name: one that is not UTF-8 read
        as a card name is (``Caf\\xe9`` is "Café", found by `search café`: QA23 P1)."""
        self.parsed = parse_filename(card_name(self.job.relpath.rsplit("/", 1)[-1]))
        self.title_norm = fold(self.parsed.title)


def examine(job: Job, rules: CrcRules | None = None) -> Examined:
    """Hash a file and look inside it; never raises for a bad file.

    With ``rules``, a zip is read from its directory (see ``examine_zip``) and a plain file
    is hashed CRC32 first (see ``examine_crc_first``)."""
    suffix = extension_of(os.path.basename(job.path))
    if rules is not None and suffix == ".zip":
        return examine_zip(job, rules.member_must_hash)
    if rules is not None and rules.unique and suffix not in _NOT_PLAIN \
            and job.size <= CRC_FIRST_MAX_BYTES:
        return examine_crc_first(job, rules)
    result = Examined(job)
    with _reading(result):
        names = referenced_files(Path(job.path)) if suffix in SHEETS else []  # before hashing:
        # a refused sheet is not read
        if suffix in HASHED_SHEETS:
            _check_disc_sheet(job.relpath, names)
        result.hashes, result.head, _ = _hash_with_stat(job.path, job)
        if suffix == ".zip":
            result.members, result.problems = hash_zip_members(Path(job.path))
        elif suffix == ".7z":
            result.members, result.problems = hash_7z_members(Path(job.path))
        elif suffix == ".chd":
            result.chd_sha1 = read_chd_sha1(Path(job.path))
            result.chd_image_size = read_chd_v3_image_size(job.path)
        elif suffix in SHEETS:
            result.tracks = _tracks(job, names, hash_them=suffix in HASHED_SHEETS,
                                    problems=result.problems)
        if suffix in ARCHIVES and not result.members:
            raise ContainerError(_empty_archive(result))
        if len(result.members) == 1:
            result.head = result.members[0].head
        result.parse_name()
    return result


def _check_disc_sheet(relpath: str, names: list[str]) -> None:
    """Raise ContainerError unless the .cue/.gdi at ``relpath``, naming ``names``, is a disc:
    one naming no track (QA95 F7: a disc of no track, its .bin a second game beside it on
    the card), or itself as one, is none."""
    if not names:
        raise ContainerError(NO_TRACK)
    if any(track_relpath(relpath, name) == relpath for name in names):
        raise ContainerError(SELF_TRACK)


def track_relpath(sheet: str, name: str) -> str:
    """The path, relative to its library root, of the file ``name`` that the sheet at the
    relative path ``sheet`` names (as the walk spells a path)."""
    return str(PurePosixPath(sheet).parent / name)


# Plain files up to this size are read whole for a CRC32-first pass (larger ones, rare
# among cartridges, are hashed in full in one streaming pass).
CRC_FIRST_MAX_BYTES = 64 << 20
_NOT_PLAIN = ARCHIVES | SHEETS | {".chd"}


def examine_zip(job: Job, must_hash: MustHash) -> Examined:
    """A zip read from its central directory: the container itself is not hashed (nothing
    needs its hashes) and its members carry the CRC32 and size the directory states, but
    for those ``must_hash`` (or a header) sends through the hasher; never raises."""
    result = Examined(job)
    with _reading(result):
        result.members, result.problems = directory_zip_members(job.path, must_hash)
        if not result.members:
            raise ContainerError(_empty_archive(result))
        _check_unchanged(job, os.stat(job.path))  # read by its path: its stat, after
        if len(result.members) == 1:
            result.head = result.members[0].head
        result.parse_name()
    return result


def examine_crc_first(job: Job, rules: CrcRules) -> Examined:
    """A plain file read whole and hashed CRC32 first: when its CRC32 and size name exactly
    one catalog game (and it has no header) MD5 and SHA1 wait for ``scan --verify``
    (``verified`` False); otherwise the same buffer gets them at once. Never raises."""
    result = Examined(job)
    with _reading(result), open_regular(job.path) as stream:
        before = os.fstat(stream.fileno())
        _check_unchanged(job, before)
        data = stream.readall()
        _check_read(before, os.fstat(stream.fileno()), len(data))
        result.hashes, result.verified = crc_first(data, job.relpath, rules)
        result.head = data[:512]
        result.parse_name()
    return result


VANISHED, DENIED, UNREADABLE = ("file vanished during the scan", "permission denied",
                                "cannot be read (")
NOT_EXAMINED = "not examined: "  # (the start of a hashing worker's death: workers.py)


def not_read(error: str | None) -> bool:
    """True when ``error`` says the file could not be read (gone, changed while read,
    refused, a dead share, its hashing worker stopped): nothing is known of its data now,
    unlike a container whose data contradicts what it states."""
    return error is not None and (error in (CHANGED, VANISHED, DENIED)
                                  or error.startswith((UNREADABLE, NOT_EXAMINED)))


@contextlib.contextmanager
def _reading(result: Examined) -> Iterator[None]:
    """Set ``result.error`` from what reading a file raised, as ``examine`` does."""
    try:
        yield
    except DamagedArchive as exc:
        try:  # (a zip read from its directory was not checked yet: one caught mid-copy
            _check_unchanged(result.job, os.stat(result.job.path))  # is no verdict)
        except (FileChanged, OSError):
            result.error = CHANGED
        else:
            result.error, result.damaged = str(exc), True
    except ContainerError as exc:
        result.error = str(exc)
    except FileChanged:
        result.error = CHANGED
    except FileNotFoundError:
        result.error = VANISHED
    except PermissionError:
        result.error = DENIED
    except OSError as exc:
        result.error = f"{UNREADABLE}{exc.strerror or exc})"


def _empty_archive(result: Examined) -> str:
    """Why an archive with no member to hash is not a game: its members' problems, said in
    this one error (and no longer each on its own)."""
    problems, result.problems = result.problems, []
    if not problems:
        return "archive holds no files; not recorded as a game"
    return f"archive holds no files that can be read ({'; '.join(problems)})"


def _hash_with_stat(path: str | Path, job: Job | None = None) -> tuple[Hashes, bytes, int]:
    """Hashes, the first 512 bytes, and the modification time of the file as it was read
    (a regular file: a link, FIFO or device is refused before a byte is read).

    Raises FileChanged when the open file is not the one ``job`` describes (the walk's
    size and time) or when its size or time moved while it was read (a copy still being
    written): its stat is read on the open file before and after, one ``fstat`` each."""
    with open_regular(path) as stream:
        info = os.fstat(stream.fileno())
        if job is not None:
            _check_unchanged(job, info)
        hasher = RomHasher(os.path.basename(path), info.st_size)
        view = read_buffer(info.st_size)
        head = b""
        while read := stream.readinto(view):
            if not head:
                head = bytes(view[: min(read, 512)])
            hasher.update(view[:read])
        hashes = hasher.result()
        _check_read(info, os.fstat(stream.fileno()), hashes.size)
    return hashes, head, info.st_mtime_ns


def _still(path: Path, known: KnownTrack) -> bool:
    """True when the track file at ``path`` is a regular, non-empty file of the size and
    time its stored row has (the rescan's rule for a file not read again)."""
    try:
        info = os.lstat(path)
    except OSError:
        return False
    return stat.S_ISREG(info.st_mode) and known.size > 0 \
        and (info.st_size, info.st_mtime_ns) == (known.size, known.mtime_ns)


def _check_unchanged(job: Job, info: os.stat_result) -> None:
    """Raise FileChanged unless the file has the size and time the walk saw."""
    if (info.st_size, info.st_mtime_ns) != (job.size, job.mtime_ns):
        raise FileChanged


def _check_read(before: os.stat_result, after: os.stat_result, read: int) -> None:
    """Raise FileChanged unless the file kept its size and time while ``read`` bytes, its
    size, were read."""
    if not (before.st_size == after.st_size == read
            and before.st_mtime_ns == after.st_mtime_ns):
        raise FileChanged


def _tracks(job: Job, names: list[str], *, hash_them: bool,
            problems: list[str]) -> list[Track]:
    """The files a sheet names, each distinct one once; a .cue/.gdi's are hashed when they
    are regular files inside the library root (never through a link)."""
    sheet = Path(job.path)
    root = os.path.realpath(sheet.parents[job.relpath.count("/")])
    tracks: list[Track] = []
    playlist = sheet.suffix.lower() == ".m3u"
    known = {track.name: track for track in job.known_tracks}
    for name in dict.fromkeys(names):
        if playlist and name.lower().endswith(".m3u"):  # (itself, or another: QA146 F12,
            # taken as a disc, then "collides with itself" at a deploy)
            problems.append(f"{name!r} is a playlist, not a disc; left out")
            continue
        try:
            tracks.append(_track(sheet.parent, name, root, hash_it=hash_them,
                                 known=known.get(name)))
        except ContainerError as exc:
            problems.append(f"track {name!r} {exc}")
            tracks.append(Track(name))
        except OSError:
            problems.append(f"track {name!r} is missing or unreadable")
            tracks.append(Track(name))
    return tracks


def _track(folder: Path, name: str, root: str, *, hash_it: bool,
           known: KnownTrack | None = None) -> Track:
    """A file named by a sheet in ``folder``, refused unless it lies inside ``root`` (a
    real path); hashed when ``hash_it``, and then only a regular file, not a link — unless
    it is ``known`` (its stored row) and still has the stored size and time: its stored
    hashes are taken then, the file not read."""
    if "\x00" in name:  # (QA95 F1: a sheet saved as UTF-16; realpath raised, the worker died)
        raise ContainerError("names a file with a NUL character; not read")
    path = Path(os_path(str(folder / name)))  # (a name of bytes that are not UTF-8: escaped)
    if not is_inside(os.path.realpath(path.parent), root):
        raise ContainerError("is outside the library root; not read")
    if is_unsafe_member_name(name):  # (qa205 N8: one inside the root was said outside it)
        raise ContainerError("is named through a folder above its sheet's (`..`) or by an "
                             "absolute path; not read (name it from the sheet's folder or "
                             "below)")
    if not hash_it:
        if not path.is_file():  # an .m3u's disc: not read, but it must be there
            raise FileNotFoundError(path)
        return Track(name)
    if path.is_symlink():
        raise ContainerError("is a symbolic link; not followed")
    if known is not None and _still(path, known):
        return Track(name, known.hashes, known.mtime_ns, reused=True)
    hashes, _, mtime_ns = _hash_with_stat(path)
    if not hashes.size:  # (qa184 F1: an emptied track was stored as the disc's, and every
        # deploy then put the empty file over the card's good one)
        raise ContainerError("is empty (emptied by accident? put it back and rescan); not "
                             "read as the disc's track")
    return Track(name, hashes, mtime_ns)
