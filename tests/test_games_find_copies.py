"""``find_copies``, the library's answer to `games find`, asked directly of a real database and
real files: the copies there now, and of the others why they hold the data no longer —
found damaged, marked missing by a scan, not at their place now as the last scan found them —
the games known by their CRC32 only when nothing holds a SHA1, and a library root not
reachable now."""

from __future__ import annotations

import hashlib
import os
import zipfile
import zlib
from pathlib import Path
from typing import Any

from romrunner.library.games import FoundCopies, find_copies
from romrunner.store import Database


def _payload(seed: str, size: int = 8192) -> bytes:
    block = hashlib.sha256(seed.encode()).digest()
    return (block * (size // 32 + 1))[:size]


def _found(db_path: Path, path: Path | None = None, **hashes: Any) -> FoundCopies:
    db = Database(db_path)
    try:
        return find_copies(db, path, **hashes)
    finally:
        db.close()


def _names(rows: list[dict[str, Any]]) -> list[str]:
    return sorted(str(row["filename"]) for row in rows)


def test_find_copies_sorts_the_copies_held_now_from_those_held_no_longer(
        cli: Any, db_path: Path, tmp_path: Path) -> None:
    home, away = tmp_path / "roms", tmp_path / "nas"
    for folder in (home / "gb", home / "gba", away / "gb"):
        folder.mkdir(parents=True)
    (home / "gb" / "Keep (USA).gb").write_bytes(_payload("keep"))
    (home / "gb" / "Keep (Copy).gb").write_bytes(_payload("keep"))
    (away / "gb" / "Far (USA).gb").write_bytes(_payload("far"))
    quest = home / "gba" / "Quest (USA).zip"
    member = bytes(range(256)) * 64
    with zipfile.ZipFile(quest, "w") as archive:
        archive.writestr("Quest (USA).gba", member)  # (stored: its bytes in the zip as they are)
    download = tmp_path / "download.gb"
    download.write_bytes(_payload("keep"))
    for args in (("library", "add", home), ("library", "add", away),
                 ("scan", "--workers", "1", "--full")):
        assert cli(*args).code == 0, args

    both = _found(db_path, download)
    assert _names(both.rows) == ["Keep (Copy).gb", "Keep (USA).gb"]
    assert (both.damaged, both.missing, both.gone, both.roots_away) == ([], [], [], [])
    assert not both.held_once and both.unverified == 0

    (home / "gb" / "Keep (Copy).gb").unlink()  # (no scan since: not marked missing)
    one = _found(db_path, download)
    assert _names(one.rows) == ["Keep (USA).gb"] and _names(one.gone) == ["Keep (Copy).gb"]
    assert one.missing == [] and not one.held_once

    (home / "gb" / "Keep (USA).gb").unlink()
    assert cli("scan", "--workers", "1", home).code == 0
    none = _found(db_path, sha1=hashlib.sha1(_payload("keep")).hexdigest())
    assert none.rows == [] and none.held_once
    assert _names(none.missing) == ["Keep (Copy).gb", "Keep (USA).gb"] and none.gone == []

    data = bytearray(quest.read_bytes())  # 4 bytes of the member rot, the zip's time kept
    start = data.index(member)
    data[start + 100:start + 104] = b"\xff\xff\xff\xff"
    times = os.stat(quest)
    quest.write_bytes(bytes(data))
    os.utime(quest, ns=(times.st_atime_ns, times.st_mtime_ns))
    scanned = cli("--json", "scan", "--workers", "1", "--full", home)
    assert scanned.json()["data"]["damaged"] == 1, scanned.out
    rotten = _found(db_path, crc32=f"{zlib.crc32(member):08x}", size=len(member))
    assert rotten.rows == [] and rotten.held_once
    assert _names(rotten.damaged) == ["Quest (USA).zip"]

    (away / "gb" / "Far (USA).gb").unlink()
    (away / "gb").rmdir()  # (an empty mount point: the share is not mounted)
    far = _found(db_path, sha1=hashlib.sha1(_payload("far")).hexdigest())
    assert _names(far.rows) == ["Far (USA).gb"] and far.roots_away == [str(away)]
    assert not far.held_once


def test_find_copies_counts_the_games_known_by_crc32_only_when_no_sha1_holds_the_data(
        cli: Any, db_path: Path, tmp_path: Path) -> None:
    root = tmp_path / "roms"
    (root / "gba").mkdir(parents=True)
    with zipfile.ZipFile(root / "gba" / "Quest (USA).zip", "w") as archive:
        archive.writestr("Quest (USA).gba", _payload("quest"))
    for args in (("library", "add", root), ("scan", "--workers", "1")):
        assert cli(*args).code == 0, args
    unknown = _found(db_path, sha1="0" * 40)
    assert unknown.rows == [] and not unknown.held_once and unknown.unverified == 1
    assert _found(db_path, crc32="00000000", size=1).unverified == 0  # (not by CRC32)

