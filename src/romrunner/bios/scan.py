"""``bios scan``: walk BIOS folders, hash what changed, store one verdict per file and entry."""

from __future__ import annotations

import json
import os
import sqlite3
import stat
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from romrunner.bios.known import KnownBios, known_bios
from romrunner.bios.verify import Verdict, verify
from romrunner.errors import InconsistencyError, InputError
from romrunner.library.containers import ZIP_ERRORS
from romrunner.library.hashing import Hashes, hash_file
from romrunner.library.plan import SYSTEM_FILES, system_folder
from romrunner.library.summary import display_path, os_path
from romrunner.packs.index import PackIndex
from romrunner.packs.loader import DefinitionPack
from romrunner.store.database import Database
from romrunner.timeutil import now_text
from romrunner.words import counted

MIN_SIZE_BOUND = 64 * 2**20  # never skip a file below 64 MiB, whatever the pack says
# A folder of at least this many BIOS files none of which is found is held back even with new
# files beside them (one written into an unmounted share's mount point); fewer — one bad dump
# replaced by a good one under another name — it is held back only when nothing new there is
# a BIOS the pack knows (of any status but unknown).
FEW_TO_HOLD = 3


# A file's status is the best of its verdicts (a file shared by several entries has one each).
_RANK = ("exact_match", "alternate_hash", "presence_only", "wrong_size", "wrong_hash", "unknown")


@dataclass
class BiosScanSummary:
    """What a BIOS scan did (the ``--json`` summary).

    ``statuses`` counts files by their best verdict; ``files`` lists every file verified, in
    scan order, with its status and each entry it relates to. A symbolic link is never
    followed (like the library scan): it is a note, as is a file too large to be a BIOS.
    """

    scanned: int = 0
    hashed: int = 0
    unchanged: int = 0
    # of ``scanned``, those neither hashed nor unchanged (qa192 F10: the counts did not add
    # up): too large to be any BIOS, and those that could not be read (each in ``errors``)
    too_large: int = 0
    unread: int = 0
    statuses: dict[str, int] = field(default_factory=dict)
    files: list[dict[str, Any]] = field(default_factory=list)
    notes: list[dict[str, str]] = field(default_factory=list)
    errors: list[dict[str, str]] = field(default_factory=list)
    # hidden (dot-names: macOS `._*` forks, `.Trashes`) and system files and folders (NAS
    # recycle bins, thumbnail stores), as a library scan skips them: not walked
    skipped_hidden: int = 0
    # files an earlier scan stored that are gone from the folders scanned (QA55 F3: said
    # nowhere, while `bios check` and deploys stopped counting them)
    missing: list[str] = field(default_factory=list)
    # of those, the files found under another name in their folder: {"from", "to"}
    renamed: list[dict[str, str]] = field(default_factory=list)


def verified_at_scan(db: Database, paths: list[str]) -> set[str]:
    """The ``paths`` whose file `bios scan` verified as a good dump of some entry (by the
    pack of that day)."""
    return {str(row[0]) for row in db.query(
        "SELECT DISTINCT f.filepath FROM bios_files f JOIN bios_verification v "
        "ON v.bios_file_id = f.id WHERE v.is_match = 1 "
        "AND f.filepath IN (SELECT value FROM json_each(?))", (json.dumps(sorted(paths)),))}


def move_bios_files(db: Database, old: str, new: str) -> int:
    """Re-path the BIOS files recorded under the folder ``old`` to ``new`` (a library root
    moved with them); one already recorded at its new path keeps that row. Returns how
    many were moved."""
    before, after = old.rstrip(os.sep) + os.sep, new.rstrip(os.sep) + os.sep
    return db.execute(
        "UPDATE OR IGNORE bios_files SET filepath = ? || substr(filepath, ?) "
        "WHERE filepath >= ? AND filepath < ?",
        (after, len(before) + 1, before, before + "\U0010ffff")).rowcount


def is_stored_bios(db: Database, path: str) -> bool:
    """True when ``path`` (resolved) is a BIOS file a ``bios scan`` stored."""
    return db.scalar("SELECT 1 FROM bios_files WHERE filepath = ?", (path,)) is not None


def holds_stored_bios(db: Database, folder: str) -> bool:
    """True when the folder ``folder`` (resolved), or a folder above it, holds a BIOS file a
    ``bios scan`` stored directly: a scan of it reads its subfolders, so a file written there
    would be an unknown file of the next one (review52h F2: `BIOS/old/` was let through)."""
    for place in (folder, *(str(parent) for parent in Path(folder).parents)):
        prefix = place.rstrip(os.sep) + os.sep
        if db.scalar("SELECT EXISTS (SELECT 1 FROM bios_files WHERE filepath >= ? "
                     "AND filepath < ? AND instr(substr(filepath, ?), ?) = 0)",
                     (prefix, prefix[:-1] + chr(ord(os.sep) + 1), len(prefix) + 1, os.sep)):
            return True
    return False


# Folders a library keeps BIOS in (ROCKNIX's roms/bios, RetroArch's system): their unknown
# files are listed, not counted among the games (QA151 F8).
_BIOS_FOLDER_NAMES = frozenset({"bios", "system", "firmware"})


def unknown_library_games(files: list[dict[str, Any]], roots: list[Path]) -> list[dict[str, Any]]:
    """The unknown files of a scan that are a library root's games: under one of ``roots``
    and in no BIOS folder of it (``bios/``, ``system/``, ``firmware/`` under the root:
    qa196 F3, a stray file of the root's own BIOS folder scanned alone was called a game)."""
    prefixes = [(f"{root}{os.sep}", root) for root in roots]
    games = []
    for item in files:
        if item["status"] != "unknown":
            continue
        root = next((root for prefix, root in prefixes if item["path"].startswith(prefix)),
                    None)
        if root is not None and not _in_a_bios_folder(Path(item["path"]).relative_to(root)):
            games.append(item)
    return games


def _in_a_bios_folder(relative: Path) -> bool:
    return any(part.casefold() in _BIOS_FOLDER_NAMES for part in relative.parent.parts)


def size_bound(known: KnownBios) -> int:
    """Files above this are not hashed: 4x the largest known BIOS, at least 64 MiB."""
    return max(MIN_SIZE_BOUND, 4 * known.largest_size)


def _walk(folder: Path, summary: BiosScanSummary) -> Iterator[tuple[Path, os.stat_result]]:
    for directory, dirnames, filenames in os.walk(folder, onerror=lambda e: summary.errors.append(
            {"path": str(e.filename), "error": e.strerror or str(e)})):
        dirnames.sort()
        for name in [name for name in dirnames if name.startswith(".")
                     or system_folder(name)]:
            dirnames.remove(name)  # (QA39 F8: a recycle bin's dumps counted as present)
            summary.skipped_hidden += 1
        for name in [name for name in dirnames if os.path.islink(os.path.join(directory, name))]:
            dirnames.remove(name)
            _not_followed(Path(directory, name), summary)
        for name in sorted(filenames):
            if name.startswith(".") or name.lower() in SYSTEM_FILES:
                summary.skipped_hidden += 1
                continue
            path = Path(directory, name)
            try:
                info = path.stat(follow_symlinks=False)
            except OSError as exc:
                summary.errors.append({"path": str(path), "error": exc.strerror or str(exc)})
                continue
            if stat.S_ISREG(info.st_mode):
                yield path, info
            elif stat.S_ISLNK(info.st_mode):
                _not_followed(path, summary)
            else:
                summary.notes.append({"path": str(path), "note": "not a regular file: skipped"})


def _not_followed(path: Path, summary: BiosScanSummary) -> None:
    try:
        target = f" (to {os.readlink(path)})"
    except OSError:
        target = ""
    summary.notes.append({"path": str(path), "note": f"symbolic link{target} not followed (nor "
                          "are they in library scans): put the file itself here, or scan the "
                          "folder it is in"})


def _outermost(folders: list[Path]) -> list[Path]:
    """``folders`` without repeats and without those inside another of them (each file is
    scanned, and counted, once: QA55 F10, `bios scan lib/bios lib/bios` counted 34 of 17)."""
    kept: list[Path] = []
    for folder in sorted({folder.resolve(): folder for folder in folders}.items(),
                         key=lambda pair: len(pair[0].parts)):
        if not any(folder[0] == other.resolve() or other.resolve() in folder[0].parents
                   for other in kept):
            kept.append(folder[1])
    return kept


def scan_bios(db: Database, pack: DefinitionPack, folders: list[Path], *,
              full: bool = False, accept_missing: bool = False) -> BiosScanSummary:
    """Verify every file under ``folders``; rescans reuse the hashes of files whose size and
    time are as stored, unless ``full`` (a file rewritten at the same size and time: QA39
    F4, a bad dump kept its "exact_match" and went on the card). A folder none of whose
    recorded files is found is held back (see ``_held_back``) unless ``accept_missing``."""
    summary = BiosScanSummary()
    known = known_bios(db, pack)
    bound = size_bound(known)
    scanned: set[str] = set()
    for folder in folders:  # all of them before anything is stored (QA39 F7)
        try:
            is_folder = folder.is_dir()
        except OSError as exc:  # (a dead FUSE or network mount: QA42 F11)
            raise InputError(f"{folder}: cannot be reached ({exc.strerror or exc}); nothing "
                             "was scanned") from exc
        if not is_folder:
            absent = not folder.exists() and not folder.is_symlink()
            raise InputError(f"{folder}: " + (
                "does not exist (a drive or share not mounted?)" if absent else "not a folder")
                + "; nothing was scanned")
    for folder in _outermost(folders):
        root = folder.resolve()
        seen: set[str] = set()
        with db.atomic():
            stored = _load_stored(db, root)
            errors_before = len(summary.errors)
            for path, info in _walk(root, summary):
                summary.scanned += 1
                key = display_path(str(path))  # undecodable bytes stored as \xNN escapes
                seen.add(key)
                verdicts = _scan_one(db, known.index, path, info, bound, summary,
                                     None if full else stored.get(key))
                if verdicts is not None:
                    _report(summary, root, path, info, verdicts)
                    if verdicts[0].entry is None:
                        _look_inside(known.index, path, summary)
                    elif summary.files[-1]["status"] in ("wrong_size", "wrong_hash"):
                        _another_romset_version(db, path, summary)
            # (a folder or file that could not be read — a share that dropped mid-walk — is
            # not "gone": its rows stay as they were, QA42 F3)
            unread = tuple(display_path(str(e["path"])) for e in summary.errors[errors_before:])
            gone = {key: row["id"] for key, row in stored.items()
                    if key not in seen and not _under_a_dot_name(key, root)
                    and not any(key == u or key.startswith(u.rstrip(os.sep) + os.sep)
                                for u in unread)}
            renamed = _renamed(db, [row_id for key, row_id in gone.items()
                                    if not stored[key]["is_missing"]], seen)
            if not accept_missing and _held_back(db, folder, stored, gone, seen, renamed,
                                                 summary):
                continue
            scanned |= seen
            db.executemany("UPDATE bios_files SET is_missing = 1 WHERE id = ?",
                           [(row_id,) for row_id in gone.values()])
            summary.renamed.extend(renamed)
            taken = {item["from"] for item in renamed}
            summary.missing.extend(sorted(key for key in gone if not stored[key]["is_missing"]
                                          and key not in taken))
    if scanned:
        with db.atomic():
            _moved_here(db, scanned, summary)
    return summary


def _renamed(db: Database, gone: list[int], seen: set[str]) -> list[dict[str, str]]:
    """Of the rows of files ``gone`` from a folder, those whose content this scan found under
    another name there (``seen``): renamed, not gone (QA147 F8: `Scph1001.BIN` renamed
    `SCPH1001.BIN` was "gone")."""
    if not gone:
        return []
    return [{"from": str(row[0]), "to": str(row[1])} for row in db.query(
        "SELECT o.filepath, min(n.filepath) FROM bios_files o JOIN bios_files n "
        "ON n.file_sha1 = o.file_sha1 AND n.is_missing = 0 AND n.id <> o.id "
        "AND n.filepath IN (SELECT value FROM json_each(?)) "
        "WHERE o.id IN (SELECT value FROM json_each(?)) AND o.file_sha1 IS NOT NULL "
        "GROUP BY o.id ORDER BY o.filepath", (json.dumps(sorted(seen)), json.dumps(gone)))]


def _moved_here(db: Database, scanned: set[str], summary: BiosScanSummary) -> None:
    """Mark missing the files recorded in another folder whose content this scan found and
    that are no longer where they were: a BIOS folder moved or renamed, then scanned (QA38
    F5: the old rows stayed present, `bios check` counted each dump twice and every deploy
    took the gone file and failed it). Only those are looked for: a few ``stat`` calls."""
    rows = db.query(
        "SELECT o.id, o.filepath, min(n.filepath) AS found FROM bios_files o "
        "JOIN bios_files n ON n.file_sha1 = o.file_sha1 AND n.is_missing = 0 "
        "AND n.filepath IN (SELECT value FROM json_each(?)) "
        "WHERE o.is_missing = 0 AND o.file_sha1 IS NOT NULL "
        "AND o.filepath NOT IN (SELECT value FROM json_each(?)) GROUP BY o.id",
        (json.dumps(sorted(scanned)),) * 2)
    for row in rows:
        if not _gone_from_a_folder_there(os_path(str(row["filepath"]))):
            continue
        db.execute("UPDATE bios_files SET is_missing = 1 WHERE id = ?", (row["id"],))
        summary.notes.append({"path": str(row["filepath"]), "note": (
            f"no longer there; its content was found at {row['found']}: marked missing")})


def _under_a_dot_name(path: str, root: Path) -> bool:
    """True for a stored file under ``root`` that the walk skips as hidden (a dot-name in
    its path below the root: RetroArch's ``.config/retroarch/system``): not looked at, so
    not missing (QA40 F6: a scan of a parent folder marked its dumps missing). A recycle
    bin's (a system folder) are missing: deleted, whatever was stored before."""
    below = os.path.relpath(path, display_path(str(root)))
    return any(part.startswith(".") and part not in (".", "..")
               for part in below.split(os.sep))


def _gone_from_a_folder_there(path: str) -> bool:
    """True when the file at ``path`` is not there and the nearest folder of its path that
    is there holds something: its folder renamed or emptied, not a share or card that is not
    mounted (its mount point empty, or not there at all: review 19 R4, a card's dumps said
    "no longer there")."""
    if os.path.lexists(path):
        return False
    folder = os.path.dirname(path)
    while not os.path.isdir(folder):
        parent = os.path.dirname(folder)
        if parent == folder:
            return False
        folder = parent
    try:
        with os.scandir(folder) as entries:
            return any(True for _ in entries)
    except OSError:
        return False


def _held_back(db: Database, folder: Path, stored: dict[str, Any], gone: dict[str, int],
               seen: set[str], renamed: list[dict[str, str]],
               summary: BiosScanSummary) -> bool:
    """True when none of the files recorded in ``folder`` was found (those present at the
    last scan gone), neither where it was nor under another name, whatever else is there now
    (a share not mounted, a card not inserted: its mount point empty, or holding a
    `.DS_Store`, an empty folder, a file written there since): nothing of it is marked
    missing, as a library scan holds back such a root (QA23 F8: every BIOS verified there
    dropped out of `bios check` without a word), and the files new to it are not stored
    either — stored, they would be found by the next scan, which would then mark every BIOS
    missing. Said as an error (exit 1)."""
    recorded = [key for key in gone if not stored[key]["is_missing"]]
    if renamed or not recorded or any(key in stored for key in seen):
        return False  # (one found, or one marked missing before found again: it is there)
    new = sorted(seen)  # (stored by this scan, in the folder's transaction: taken back)
    if len(recorded) < FEW_TO_HOLD and any(
            item["status"] != "unknown" for item in summary.files if item["path"] in seen):
        # (a few dumps replaced by others under new names — a bad scph1001.bin for a good
        # scph5501.bin — is a change, not a share away, as a library scan judges a root of
        # a few games; an emptied folder is still held back, as is one whose new files are
        # no BIOS the pack knows: a `notes.txt`, a `Thumbs.db`, review42 F2)
        return False
    db.executemany("DELETE FROM bios_files WHERE filepath = ?", [(key,) for key in new])
    count, these = len(recorded), "that file was" if len(new) == 1 else "those files were"
    also = (f" (it holds {counted(len(new), 'file')} new to it, verified but not stored "
            f"either: if the share is not mounted, {these} written to its mount point)"
            ) if new else ""
    summary.errors.append({
        "path": str(folder),
        "error": ("the BIOS file found there before is not there" if count == 1 else
                  f"none of the {count:,} BIOS files found there before is there")
                 + f"{also}: not marked missing (is a "
                 "share not mounted?); scan it again when it is back, or with "
                 "--accept-missing if they were really removed"})
    return True


def _load_stored(db: Database, root: Path) -> dict[str, Any]:
    """Every file recorded under ``root``, by path: one query per folder, not per file."""
    prefix = display_path(str(root)).rstrip(os.sep) + os.sep
    rows = db.query("SELECT id, filepath, file_size, file_mtime_ns, file_md5, file_sha1, "
                    "file_crc32, is_missing FROM bios_files "
                    "WHERE filepath >= ? AND filepath < ?",
                    (prefix, prefix + "\U0010ffff"))
    return {row["filepath"]: row for row in rows}


def _scan_one(db: Database, index: PackIndex, path: Path, info: os.stat_result,
              bound: int, summary: BiosScanSummary, stored: Any) -> list[Verdict] | None:
    """Hash (or reuse the hashes of) one file and store its verdicts; None when not verified."""
    if info.st_size > bound:
        summary.notes.append({"path": str(path), "note": f"skipped: {info.st_size:,} bytes is "
                              f"larger than any BIOS (bound {bound:,})"})
        summary.too_large += 1
        return None
    if info.st_size == 0:
        summary.notes.append({"path": str(path), "note": "empty file: not a BIOS"})
    hashes = _unchanged_hashes(stored, info)
    if hashes is None:
        try:
            hashes = hash_file(path)
        except OSError as exc:
            summary.errors.append({"path": str(path), "error": exc.strerror or str(exc)})
            summary.unread += 1
            return None
        summary.hashed += 1
    else:
        summary.unchanged += 1
    verdicts = verify(index, hashes, path.name)
    try:
        _store(db, path, info, hashes, verdicts)
    except sqlite3.IntegrityError as exc:  # named, never an "internal error" of no file
        raise InconsistencyError(
            f"{display_path(str(path))}: its verdicts could not be stored ({exc}); nothing "
            "was recorded for the folder it is in") from exc
    return verdicts


def _report(summary: BiosScanSummary, root: Path, path: Path, info: os.stat_result,
            verdicts: list[Verdict]) -> None:
    """The file's line of ``files``, its count, and a note per pack hash that looks wrong."""
    status = min((v.status for v in verdicts), key=_RANK.index)
    summary.statuses[status] = summary.statuses.get(status, 0) + 1
    summary.files.append({
        "path": display_path(str(path)), "relative": display_path(str(path.relative_to(root))),
        "size": info.st_size, "status": status,
        "entries": [{"entry": v.entry.id, "platform_id": v.entry.platform_id,
                     "filename": v.entry.filename, "file_size": v.entry.file_size,
                     "status": v.status, "matched_hash": v.matched_hash,
                     "expected_filename": v.expected_filename, "note": v.note}
                    for v in verdicts if v.entry is not None]})
    for verdict in verdicts:
        if verdict.note and verdict.entry is not None:
            summary.notes.append({"path": str(path), "note": f"{verdict.entry.id}: "
                                  f"{verdict.status} by {verdict.matched_hash}; {verdict.note}"})


def _look_inside(index: PackIndex, path: Path, summary: BiosScanSummary) -> None:
    """A zip no entry knows (BIOS are downloaded zipped): the members its directory says
    have a known BIOS's CRC32 and size, named in the file's line and a note — extracted,
    they are verified and deployed (QA55 F5: "unknown", and Saturn said to have none).
    Nothing is decompressed."""
    try:
        with zipfile.ZipFile(path) as archive:
            members = [(m.filename, m.CRC, m.file_size) for m in archive.infolist()
                       if not m.is_dir()]
    except (OSError, *ZIP_ERRORS) as exc:  # (QA95 F3: a damaged zip ended the whole scan)
        if path.suffix.lower() == ".zip":  # (qa204 F5: a download cut short was "unknown",
            # as if an unrelated file)
            summary.files[-1]["damaged"] = str(exc) or type(exc).__name__
        return
    found = [{"member": name, "entry": entry.id}
             for name, crc, size in members[:_MEMBERS_LOOKED_AT]
             for entry in index.bios_by_crc32.get(f"{crc:08x}", ())
             if entry.file_size in (None, size)]
    if not found:
        return
    summary.files[-1]["inside"] = found
    named = ", ".join(f"{item['member']} ({item['entry']})" for item in found[:3])
    more = " …" if len(found) > 3 else ""
    summary.notes.append({"path": str(path), "note": f"holds {named}{more} by the CRC32 and "
                          "size its directory gives: extract it, then `bios scan` again (BIOS "
                          "are verified and deployed as loose files)"})


_MEMBERS_LOOKED_AT = 256  # (a zip of a whole romset is no BIOS download)


def _another_romset_version(db: Database, path: Path, summary: BiosScanSummary) -> None:
    """A zip the pack's entry of its name does not take (MAME 0.37b5's neogeo.zip, where
    the pack knows a later romset's) that holds every ROM of an arcade BIOS set of that
    name an imported DAT lists: said so in a note, for the emulator of that romset version
    reads it, and a deploy puts it beside the sets of that DAT that need it (QA133 F8: only
    "wrong_size"). Its directory is read; nothing is decompressed."""
    if path.suffix.lower() != ".zip":
        return
    try:
        with zipfile.ZipFile(path) as archive:
            members = {(m.CRC, m.file_size) for m in archive.infolist() if not m.is_dir()}
    except (OSError, *ZIP_ERRORS):
        return
    for source, version, roms in db.query(
            "SELECT cs.name, cs.version, json_group_array(json_array(hex(r.crc32_bin), "
            "r.size)) FROM catalog_games cg JOIN catalog_sources cs ON cs.id = cg.source_id "
            "JOIN catalog_roms r ON r.catalog_game_id = cg.id WHERE cg.is_bios = 1 "
            "AND cg.name = ? COLLATE NOCASE AND r.crc32_bin IS NOT NULL "
            "AND coalesce(r.status, '') <> 'nodump' GROUP BY cg.id", (path.stem,)):
        needed = {(int(crc, 16), int(size)) for crc, size in json.loads(roms) if size}
        if needed and needed <= members:
            summary.notes.append({"path": str(path), "note": (
                f"the complete BIOS set {path.stem} of {source}"
                f"{f' {version}' if version else ''} (an imported DAT): another romset "
                "version than the pack's; an emulator of that version reads it, and a deploy "
                "puts it beside that DAT's sets that need it")})
            return


def _unchanged_hashes(row: Any, info: os.stat_result) -> Hashes | None:
    """The stored hashes when the file still has its recorded size and mtime."""
    if row is None or row["file_size"] != info.st_size or row["file_mtime_ns"] != info.st_mtime_ns \
            or not row["file_sha1"]:
        return None
    return Hashes(info.st_size, row["file_crc32"], row["file_md5"], row["file_sha1"])


def _store(db: Database, path: Path, info: os.stat_result, hashes: Hashes,
           verdicts: list[Verdict]) -> None:
    ids = [verdict.entry_id for verdict in verdicts]
    twice = sorted({entry_id for entry_id in ids if ids.count(entry_id) > 1})
    if twice:
        raise InconsistencyError(
            f"{display_path(str(path))}: two verdicts for BIOS entry "
            f"{', '.join(map(repr, twice))} (two known entries share that id, a bug); "
            "nothing was recorded for the folder it is in")
    now = now_text()
    platform = next((v.entry.platform_id for v in verdicts if v.entry), None)
    db.execute(
        "INSERT INTO bios_files (filepath, filename, file_size, file_md5, file_sha1, "
        "file_crc32, platform_id, detected_name, last_scanned_at, file_mtime_ns, is_missing) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 0) ON CONFLICT(filepath) DO UPDATE SET "
        "file_size = excluded.file_size, file_md5 = excluded.file_md5, "
        "file_sha1 = excluded.file_sha1, file_crc32 = excluded.file_crc32, "
        "platform_id = excluded.platform_id, detected_name = excluded.detected_name, "
        "last_scanned_at = excluded.last_scanned_at, file_mtime_ns = excluded.file_mtime_ns, "
        "is_missing = 0",
        (display_path(str(path)), display_path(path.name), info.st_size, hashes.md5,
         hashes.sha1, hashes.crc32, platform,
         next((v.entry.name for v in verdicts if v.entry), None), now, info.st_mtime_ns))
    file_id = db.scalar("SELECT id FROM bios_files WHERE filepath = ?",
                        (display_path(str(path)),))
    db.execute("DELETE FROM bios_verification WHERE bios_file_id = ?", (file_id,))
    actual = json.dumps({"md5": hashes.md5, "sha1": hashes.sha1, "crc32": hashes.crc32,
                         "size": hashes.size})
    db.executemany(
        "INSERT INTO bios_verification (bios_file_id, bios_definition_id, is_match, "
        "matched_hash_type, expected_hashes_json, file_hashes_json, required, verified_at, "
        "status, expected_filename) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [(file_id, v.entry_id, int(v.status in ("exact_match", "alternate_hash")),
          v.matched_hash, _expected(v), actual, int(bool(v.entry and v.entry.required)), now,
          v.status, v.expected_filename) for v in verdicts])


def _expected(verdict: Verdict) -> str | None:
    if verdict.entry is None:
        return None
    return json.dumps([{"md5": k.md5, "sha1": k.sha1, "crc32": k.crc32,
                        "preferred": k.preferred} for k in verdict.entry.known_hashes])
