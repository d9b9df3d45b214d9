"""What the one writer stores for an examined file, worked out where the file was examined.

The hashing workers turn their ``Examined`` result into a ``Record`` of plain values: the
row of ``games`` (platform decided, name parsed, JSON encoded) and the rows of
``game_files``. The writer is the scan's one serial stage, so everything that does not need
the database runs in the workers, and what crosses the process boundary is a flat tuple:
measured, unpickling an ``Examined`` (nested dataclasses) cost the writer ~35 µs per file,
a ``Record`` ~5 µs.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import NamedTuple

from romrunner.library.examine import ARCHIVES, Examined, Job, examine
from romrunner.library.hashing import CrcRules, Hashes
from romrunner.library.platforms import UNKNOWN, PlatformGuess, decide_platform, folders_of
from romrunner.library.serials import DISC_ID_PLATFORMS, read_disc_id
from romrunner.library.tags import (
    EDITION_WORDS,
    PRERELEASE_FLAGS,
    ParsedName,
    extension_of,
    translation_language,
)
from romrunner.packs.index import PackIndex

# The columns of ``Record.row``, in order. The writer adds the game id, the root and the
# scan times.
# Hashes are stored as bytes (``*_bin``, schema v1.3.0), converted here in the workers; the
# file name is derived from ``filepath`` by the schema.
ROW_COLUMNS = (
    "filepath", "file_size", "file_mtime_ns", "crc32_bin", "md5_bin",
    "sha1_bin", "header_size", "nh_crc32_bin", "nh_md5_bin", "nh_sha1_bin", "platform_id",
    "platform_source", "platform_candidates", "detected_title", "title_norm", "format",
    "is_archive", "is_missing", "region", "languages", "revision", "version", "disc_number",
    "set_key", "flags", "is_hack", "hack_type", "scan_error", "disc_id", "disc_id_source")
PLATFORM_COLUMNS = ("platform_id", "platform_source", "platform_candidates")
# The columns a game's name decides beyond its title (see :func:`tag_values`): its file
# name's, or the catalog game's once a hash identifies it (catalog/identify.py retags); and
# its disc number and multi-disc set (see :func:`disc_set`), which follow the same name.
TAG_COLUMNS = ("region", "languages", "revision", "version", "flags", "is_hack", "hack_type")
DISC_COLUMNS = ("disc_number", "set_key")
# The columns of each ``Record.files`` row; the writer adds the game id in front.
FILE_COLUMNS = ("kind", "name", "file_size", "crc32_bin", "md5_bin", "sha1_bin",
                "header_size", "nh_crc32_bin", "nh_md5_bin", "nh_sha1_bin", "file_mtime_ns")

FileRow = tuple[str, str, "int | None", "bytes | None", "bytes | None", "bytes | None", int,
                "bytes | None", "bytes | None", "bytes | None", "int | None"]


class Record(NamedTuple):
    """One examined file, ready to store. ``row`` is None when it could not be read."""

    job: Job
    row: tuple[object, ...] | None
    files: list[FileRow]
    sha1: str | None       # whole-file SHA1: a moved file is recognised by it and its size
    bytes_hashed: int      # the file's bytes and its tracks' bytes
    problems: list[str]
    error: str | None
    undecided: str | None = None  # of ``problems``: the note that its platform is undecided
    damaged: bool = False  # with ``error``: its data contradicts itself (Examined.damaged)


def record_of(examined: Examined, index: PackIndex, root_name: str) -> Record:
    """The row and file rows of an examined file of a root named ``root_name``."""
    job, hashes = examined.job, examined.hashes
    if examined.error is not None or (hashes is None and not examined.members):
        return Record(job, None, [], None, job.size if examined.damaged else 0,
                      examined.problems, examined.error or "not hashed",
                      damaged=examined.damaged)  # (a damaged one was read: its cost said)
    if examined.parsed is None or examined.title_norm is None:
        examined.parse_name()
    parsed, title_norm = examined.parsed, examined.title_norm
    assert parsed is not None and title_norm is not None
    folders, filename = folders_of(job.relpath, root_name)
    extension = extension_of(filename)
    guess, detect_ext = decide_platform(index, folders, filename,
                                        [member.name for member in examined.members],
                                        examined.head)
    problems, undecided = examined.problems, None
    if guess.overruled:
        note = _overruled(guess, detect_ext)
        problems = [*problems, note]
        undecided = note if guess.platform_id == UNKNOWN else None
    region, languages, revision, version, flags, is_hack, hack_type = tag_values(parsed)
    row = (
        job.relpath, job.size, job.mtime_ns,
        *_container_hashes(hashes if examined.verified else None, hashes),
        guess.platform_id, guess.source,
        json.dumps(list(guess.candidates)) if guess.candidates else None,
        parsed.title, title_norm, extension.lstrip(".") or None,
        int(extension in ARCHIVES), 0, region, languages, revision, version,
        *disc_set(guess.platform_id, parsed, title_norm), flags, is_hack, hack_type, None,
        *_disc_id(examined, guess.platform_id))
    return Record(job, row, _file_rows(examined),
                  hashes.sha1 if hashes and examined.verified else None,
                  _bytes_hashed(examined), problems, None, undecided)


def tag_values(parsed: ParsedName) -> tuple[object, ...]:
    """The stored values of :data:`TAG_COLUMNS` for a parsed name (lists as JSON, empty as
    NULL): what a scan writes for a file's name, and identification for a catalog game's."""
    languages = list(parsed.languages)
    translated = translation_language(parsed.translation)
    if translated is not None and translated not in languages:
        languages.append(translated)  # (`lang:en` finds "[T+Eng]": QA117 F3)
    return (parsed.region,
            json.dumps(languages) if languages else None,
            parsed.revision, parsed.version,
            json.dumps(list(parsed.flags)) if parsed.flags else None,
            int(parsed.is_hack), parsed.hack_type)


def disc_set(platform_id: str, parsed: ParsedName,
             title_norm: str) -> tuple[int | None, str | None]:
    """The stored values of :data:`DISC_COLUMNS` for a game of ``platform_id`` whose name
    parsed as ``parsed`` (``title_norm``: its title folded): the discs of one set share the
    key of their platform, title, region and edition (see :func:`edition_of`); a game of one
    disc has none."""
    if parsed.disc_number is None:
        return None, None
    edition = edition_of(parsed)
    return parsed.disc_number, (f"{platform_id}:{title_norm}:{parsed.region or ''}"
                                + (f":{edition}" if edition else ""))


def release_of_set(set_key: str) -> str:
    """The platform, title and region of a set's key (see :func:`disc_set`) without its
    edition: the sets of one title's releases (retail, PSone Books) share it."""
    return ":".join(set_key.split(":", 3)[:3])


# Flags that make another release of a title (a Beta's discs are no set with the retail ones'),
# unlike a dump's own marks ([!], [b], [a]…), which may differ between the discs of one set.
_EDITION_FLAGS = (*PRERELEASE_FLAGS, "hack", "unlicensed", "pirate", "aftermarket", "homebrew")


def edition_of(parsed: ParsedName) -> str:
    """What tells one release of a title and region from another beyond its disc number:
    its edition flags, languages, translation and the name's other tags (``Limited
    Edition``, ``Shokai Genteiban``), lowercase; '' for a plain release (QA16: a retail set
    and its Beta were one set, their discs interleaved in one playlist). Revisions and
    versions are left out: Redump revises one disc of a set at times. So is a disc's own
    name after its disc tag (``parsed.disc_label``: ``(Disc 1) (Leon-hen)``, ``(Disc 2)
    (Claire-hen)``), which differs from disc to disc of one set (QA18 M1)."""
    parts = [flag for flag in _EDITION_FLAGS if flag in parsed.flags]
    parts += parsed.languages
    if parsed.translation:
        parts.append(f"t+{parsed.translation}")
    parts += [tag for tag in parsed.other_tags
              if not tag.startswith("[") and not _named_by_title(tag, parsed.title)]
    return "|".join(parts).lower()


def _named_by_title(tag: str, title: str) -> bool:
    """True for a tag whose edition words the title has already: no other edition, but a
    disc's own label (``Super Robot Taisen - Complete Box (Japan) (Disc 1) (Super Robot Wars
    Complete Box)``: QA104 F3, its disc 1 taken for another release's)."""
    words = {word.lower() for word in EDITION_WORDS.findall(tag)}
    return bool(words) and all(re.search(rf"\b{re.escape(word)}\b", title, re.IGNORECASE)
                               for word in words)


UNDECIDED = "platform undecided"  # in the note of such a file (the scan holds it back)


def _overruled(guess: PlatformGuess, extension: str) -> str:
    """The note for a file in a folder whose platform does not list its extension."""
    folder = ", ".join(guess.overruled)
    if guess.platform_id == UNKNOWN:
        return (f"in a folder of {folder}, which does not list {extension}: {UNDECIDED} "
                f"(could be {', '.join(guess.candidates)}; `romrunner games "
                "set-platform` settles it)")
    how = "header" if guess.source == "header" else "extension"
    return (f"in a folder of {folder}, which does not list {extension}: taken for "
            f"{guess.platform_id} (from its {how})")


def _container_hashes(hashes: Hashes | None, crc_only: Hashes | None) -> tuple[object, ...]:
    """The row's seven hash columns: a zip read from its directory has none of its own, a
    file hashed CRC32 first (``crc_only``) only its CRC32."""
    if hashes is None:
        return (_blob(crc_only.crc32) if crc_only else None, None, None, 0, None, None, None)
    return _hash_blobs(hashes)


def _hash_blobs(h: Hashes) -> tuple[bytes | None, bytes | None, bytes | None, int,
                                    bytes | None, bytes | None, bytes | None]:
    """The seven stored hash columns of a fully hashed stream."""
    return (_blob(h.crc32), _blob(h.md5), _blob(h.sha1), h.header_size, _blob(h.nh_crc32),
            _blob(h.nh_md5), _blob(h.nh_sha1))


def _blob(value: str | None) -> bytes | None:
    """A hex digest as stored; an empty one (not computed) as NULL."""
    return bytes.fromhex(value) if value else None


def _bytes_hashed(examined: Examined) -> int:
    """The bytes read through the hasher: the file's, its tracks', and (for a zip read
    from its directory) its members' that were hashed."""
    if examined.hashes is None:
        return sum(m.hashes.size for m in examined.members if m.verified)
    return examined.job.size + sum(t.hashes.size for t in examined.tracks
                                   if t.hashes and not t.reused)


def _disc_id(examined: Examined, platform_id: str) -> tuple[str | None, str | None]:
    """The id printed on a disc image (a .cue's first track), read from a few sectors, for
    the platforms whose emulator databases key by it (or an undecided platform)."""
    if platform_id not in DISC_ID_PLATFORMS and platform_id != UNKNOWN:
        return None, None
    path = Path(examined.job.path)
    if path.suffix.lower() == ".cue":
        tracks = [t.name for t in examined.tracks if t.hashes is not None]
        if not tracks:
            return None, None
        path = path.parent / tracks[0]
    found = read_disc_id(path, None if platform_id == UNKNOWN else platform_id)
    return (found.value, found.source) if found else (None, None)


def _file_rows(examined: Examined) -> list[FileRow]:
    rows: list[FileRow] = []
    for member in examined.members:
        h = member.hashes
        if member.verified:
            rows.append(("member", member.name, h.size, *_hash_blobs(h), None))
        else:  # the directory's CRC32 and size; MD5 and SHA1 wait for scan --verify
            rows.append(("member", member.name, h.size, _blob(h.crc32), None, None, 0, None,
                         None, None, None))
    for name, track, mtime_ns, _ in examined.tracks:
        if track is None:
            rows.append(("track", name, None, None, None, None, 0, None, None, None, None))
        else:
            rows.append(("track", name, track.size, *_hash_blobs(track), mtime_ns))
    if examined.chd_sha1:  # (its size: a v3's image's, the data of its SHA1, else none —
        # a v4's or v5's SHA1 is of data and metadata, no file's; its time: the CHD's, which
        # tells a row of this scan from one of a scan that recorded no size)
        rows.append(("chd", "", examined.chd_image_size, None, None,
                     _blob(examined.chd_sha1), 0, None, None, None, examined.job.mtime_ns))
    return rows


class HashPlan(NamedTuple):
    """How much of each file a scan hashes now.

    ``deferred`` (a scan): zip members are taken from the archive's directory (CRC32 and
    size) and the zip itself is not hashed; a plain file whose CRC32 and size name exactly
    one catalog game keeps only its CRC32 (``rules``: see ``CrcRules``). Otherwise
    (``scan --verify``) every file and member gets CRC32, MD5 and SHA1.
    """

    deferred: bool = True
    rules: CrcRules = CrcRules()

    def examine_rules(self) -> CrcRules | None:
        """What ``examine`` takes: None to hash everything in full."""
        return self.rules if self.deferred else None


FULL_HASHING = HashPlan(deferred=False)

# A worker process's pack index, root name and hash rules, set once by ``start_worker``
# (passing them with every task would pickle the pack index each time).
_worker_context: tuple[PackIndex, str, CrcRules | None] | None = None


def start_worker(index: PackIndex, root_name: str, plan: HashPlan = FULL_HASHING) -> None:
    """Pool initializer: what ``examine_to_record`` needs in this worker process."""
    global _worker_context
    _worker_context = (index, root_name, plan.examine_rules())


def examine_to_record(job: Job) -> Record:
    """Examine a file and make its record (the function the hashing pool runs)."""
    assert _worker_context is not None, "start_worker() was not called in this process"
    index, root_name, rules = _worker_context
    return record_of(examine(job, None if job.whole else rules), index, root_name)
