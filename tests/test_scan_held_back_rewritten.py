"""A file at the very path of one of an unmounted share's games (written into the empty
mount point: a download landing on a name the share has) is not one of the share's files
found when its content is no edit of that game's: the share is held back as when the file
has a fresh name, and that game's row is left as it was, so the share mounted again finds
every game as it was. A file rewritten in place as an edit of its own game — a zip rezipped
with the same members, a CHD recompressed (the same data SHA1), a header stripped — is still
found: files deleted beside such edits in a mounted root are marked missing, not held."""

from __future__ import annotations

import hashlib
import sqlite3
import zipfile
from pathlib import Path
from typing import Any

from romrunner.library import scan as scan_module
from romrunner.packs import load_pack
from romrunner.store import Database
from tests.test_scan import rom_bytes

_ALPHA = "SNES/Alpha (USA).sfc"


def _scan(cli: Any, *args: str) -> tuple[int, dict[str, Any], list[str]]:
    envelope = cli("--json", "scan", "--workers", "1", *args).json()
    return (0 if envelope["ok"] else 2), envelope["data"], envelope["errors"]


def _rows(db_path: Path) -> dict[int, tuple[object, ...]]:
    """Every game's whole row, with its file rows."""
    with sqlite3.connect(db_path) as db:
        files: dict[int, list[tuple[object, ...]]] = {}
        for row in db.execute("SELECT * FROM game_files ORDER BY game_id, kind, name"):
            files.setdefault(int(row[0]), []).append(tuple(row))
        return {int(row[0]): (*row, files.get(int(row[0]), []))
                for row in db.execute("SELECT * FROM games")}


def _missing(db_path: Path) -> set[int]:
    with sqlite3.connect(db_path) as db:
        return {int(row[0]) for row in db.execute("SELECT id FROM games WHERE is_missing = 1")}


def _share(cli: Any, tmp_path: Path) -> Path:
    """A share of 12 SNES games, Alpha among them (in a collection)."""
    share = tmp_path / "nas"
    (share / "SNES").mkdir(parents=True)
    for number in range(1, 12):
        (share / "SNES" / f"Game {number:02} (USA).sfc").write_bytes(rom_bytes(number))
    (share / _ALPHA).write_bytes(rom_bytes(200))
    assert cli("library", "add", share).code == 0
    assert cli("scan", "--workers", "1").code == 0
    assert cli("collection", "create", "favs").code == 0
    assert cli("collection", "add", "favs", "1").code == 0
    return share


def _unmount(share: Path) -> Path:
    """The share unmounted: its mount point empty but for the folder a tool made; returns
    where its files are while it is away."""
    away = share.with_name("nas.offline")
    share.rename(away)
    (share / "SNES").mkdir(parents=True)
    return away


def _held_back(share: Path, strays: int) -> str:
    one = strays == 1
    return (f"{share}: none of its 12 files was found (the library root holds only "
            f"{strays} file{'' if one else 's'} new to it, not stored either: if its disk is "
            f"not mounted, {'that file was' if one else 'those files were'} written to its "
            "mount point, not to the disk): nothing was marked missing; if the root is "
            "mounted and they were really removed, scan again with --accept-missing: "
            f"`romrunner scan --accept-missing {share}`")


def test_a_file_written_at_a_share_games_path_holds_the_share_back(
        cli: Any, db_path: Path, tmp_path: Path) -> None:
    share = _share(cli, tmp_path)
    before = _rows(db_path)
    away = _unmount(share)
    (share / _ALPHA).write_bytes(rom_bytes(300))  # a stray file, at the share's Alpha's path
    for _ in range(2):  # the same the next time: the share's Alpha was left as it was
        code, data, errors = _scan(cli)
        assert code == 2
        assert errors == [_held_back(share, 1)]
        assert (data["missing"], data["missing_held_back"], data["updated"]) == (0, 11, 0)
        assert data["changed_in_place"] == []
        assert _rows(db_path) == before  # (the share's Alpha as it was, not the stray file)

    (share / _ALPHA).unlink()  # (hidden under the share once mounted)
    (share / "SNES").rmdir()
    share.rmdir()
    away.rename(share)
    code, data, errors = _scan(cli)
    assert code == 0 and errors == []
    assert (data["missing"], data["updated"], data["unchanged"]) == (0, 0, 12)
    assert _missing(db_path) == set()
    assert _rows(db_path) == before
    favs = cli("--json", "collection", "show", "favs").json()["data"]["games"]
    assert [game["id"] for game in favs] == [1]


def test_the_same_after_a_scan_interrupted_once_it_stored_the_stray_file(
        cli: Any, db_path: Path, tmp_path: Path, monkeypatch: Any) -> None:
    """The interrupted scan committed the stray file's content in the share's Alpha's row
    (its kept row waiting): the next scan, which finds that file unchanged, weighs it all
    the same, holds the share back and gives Alpha its row back."""
    share = _share(cli, tmp_path)
    before = _rows(db_path)
    _unmount(share)
    (share / _ALPHA).write_bytes(rom_bytes(300))
    for number in range(3):  # (examined after Alpha: the interruption comes at the first)
        (share / "SNES" / f"Zeta {number} (USA).sfc").write_bytes(rom_bytes(400 + number))

    def interrupt(done: int, *_: int) -> None:
        if done == 2:
            raise KeyboardInterrupt

    db = Database(db_path)
    with monkeypatch.context() as patched:
        patched.setattr(scan_module, "BATCH_SIZE", 1)
        try:
            scan_module.scan_library(db, load_pack(), workers=1, progress=interrupt)
        except KeyboardInterrupt:
            pass
        finally:
            db.close()
    with sqlite3.connect(db_path) as connection:
        [(alpha,)] = connection.execute("SELECT id FROM games WHERE filepath = ?", (_ALPHA,))
    assert _rows(db_path)[alpha] != before[alpha]  # (committed: it holds the stray content)
    for _ in range(2):
        code, data, errors = _scan(cli)
        assert code == 2
        assert len(errors) == 1 and errors[0].startswith(
            f"{share}: none of its 12 files was found (the library root holds only ")
        assert (data["missing"], data["missing_held_back"], data["updated"]) == (0, 11, 0)
        assert _rows(db_path) == before


def test_three_files_written_at_a_twelve_game_shares_paths_hold_it_back(
        cli: Any, db_path: Path, tmp_path: Path) -> None:
    """Not "a root of 9 whose every file was replaced" (under 10: a change): the share has
    12 games, none of which was found."""
    share = _share(cli, tmp_path)
    before = _rows(db_path)
    _unmount(share)
    for number in range(1, 4):
        (share / "SNES" / f"Game {number:02} (USA).sfc").write_bytes(rom_bytes(300 + number))
    code, data, errors = _scan(cli)
    assert code == 2
    assert errors == [_held_back(share, 3)]
    assert (data["missing"], data["missing_held_back"], data["updated"]) == (0, 9, 0)
    assert _rows(db_path) == before


def _platform_folder(cli: Any, tmp_path: Path) -> Path:
    """A root whose SNES folder (12 games) is on a disk of its own, and a GBA game."""
    root = tmp_path / "lib"
    (root / "SNES").mkdir(parents=True)
    (root / "GBA").mkdir()
    for number in range(1, 13):
        (root / "SNES" / f"Game {number:02} (USA).sfc").write_bytes(rom_bytes(number))
    (root / "GBA" / "Beta (USA).gba").write_bytes(rom_bytes(100))
    assert cli("library", "add", root).code == 0
    assert cli("scan", "--workers", "1").code == 0
    return root


def test_files_written_at_paths_of_an_unmounted_platform_folder_hold_it_back(
        cli: Any, db_path: Path, tmp_path: Path) -> None:
    root = _platform_folder(cli, tmp_path)
    before = _rows(db_path)
    (root / "SNES").rename(tmp_path / "SNES-disk")
    (root / "SNES").mkdir()
    for strays in (1, 3):
        for number in range(1, strays + 1):
            (root / "SNES" / f"Game {number:02} (USA).sfc").write_bytes(rom_bytes(300 + number))
        code, data, errors = _scan(cli)
        assert code == 2
        assert len(errors) == 1 and errors[0].startswith(
            f"{root / 'SNES'}: none of its 12 files was found (the folder holds only "
            f"{strays} file")
        assert (data["missing"], data["missing_held_back"], data["updated"]) == \
            (0, 12 - strays, 0)
        assert _rows(db_path) == before


def _zips(cli: Any, tmp_path: Path, count: int) -> Path:
    root = tmp_path / "lib"
    (root / "SNES").mkdir(parents=True)
    for number in range(1, count + 1):
        with zipfile.ZipFile(root / "SNES" / f"Game {number:02} (USA).zip", "w",
                             zipfile.ZIP_STORED) as archive:
            archive.writestr(f"Game {number:02} (USA).sfc", rom_bytes(number))
            archive.writestr("readme.txt", f"game {number}")
    assert cli("library", "add", root).code == 0
    assert cli("scan", "--workers", "1").code == 0
    return root


def test_zips_rezipped_with_the_same_rom_while_others_are_deleted_are_found(
        cli: Any, db_path: Path, tmp_path: Path) -> None:
    """A ROM manager's pass: 20 of 30 zips rezipped (stored -> deflated; 10 of them without
    their readme), the other 10 deleted: the 10 marked missing, nothing held back."""
    root = _zips(cli, tmp_path, 30)
    for number in range(1, 21):
        with zipfile.ZipFile(root / "SNES" / f"Game {number:02} (USA).zip", "w",
                             zipfile.ZIP_DEFLATED) as archive:
            archive.writestr(f"Game {number:02} (USA).sfc", rom_bytes(number))
            if number > 10:
                archive.writestr("readme.txt", f"game {number}")
    for number in range(21, 31):
        (root / "SNES" / f"Game {number:02} (USA).zip").unlink()
    code, data, errors = _scan(cli)
    assert code == 0 and errors == []
    assert (data["missing"], data["missing_held_back"], data["updated"]) == (10, 0, 20)
    assert len(_missing(db_path)) == 10


def _chd(data: bytes, padding: bytes) -> bytes:
    """A CHD v5 header (its data's SHA1) and some bytes (another compression: others)."""
    header = bytearray(124)
    header[0:8] = b"MComprHD"
    header[8:16] = (124).to_bytes(4, "big") + (5).to_bytes(4, "big")
    header[84:104] = hashlib.sha1(data).digest()
    return bytes(header) + padding


def test_chds_recompressed_while_others_are_deleted_are_found(
        cli: Any, db_path: Path, tmp_path: Path) -> None:
    root = tmp_path / "lib"
    (root / "psx").mkdir(parents=True)
    for number in range(1, 13):
        (root / "psx" / f"Disc {number:02} (USA).chd").write_bytes(
            _chd(rom_bytes(number), bytes(400)))
    assert cli("library", "add", root).code == 0
    assert cli("scan", "--workers", "1").code == 0
    for number in (1, 2):
        (root / "psx" / f"Disc {number:02} (USA).chd").write_bytes(
            _chd(rom_bytes(number), b"\x01" * 300))
    for number in range(3, 13):
        (root / "psx" / f"Disc {number:02} (USA).chd").unlink()
    code, data, errors = _scan(cli)
    assert code == 0 and errors == []
    assert (data["missing"], data["missing_held_back"], data["updated"]) == (10, 0, 2)


def test_headers_stripped_while_others_are_deleted_are_found(
        cli: Any, db_path: Path, tmp_path: Path) -> None:
    root = tmp_path / "lib"
    (root / "nes").mkdir(parents=True)
    for number in range(1, 13):
        (root / "nes" / f"Game {number:02} (USA).nes").write_bytes(
            b"NES\x1a" + bytes(12) + rom_bytes(number))
    assert cli("library", "add", root).code == 0
    assert cli("scan", "--workers", "1").code == 0
    for number in (1, 2):
        (root / "nes" / f"Game {number:02} (USA).nes").write_bytes(rom_bytes(number))
    for number in range(3, 13):
        (root / "nes" / f"Game {number:02} (USA).nes").unlink()
    code, data, errors = _scan(cli)
    assert code == 0 and errors == []
    assert (data["missing"], data["missing_held_back"], data["updated"]) == (10, 0, 2)


def test_a_file_re_dumped_in_place_still_counts_as_found(cli: Any, db_path: Path,
                                                          tmp_path: Path) -> None:
    """An ordinary library: 1 of its 30 files re-dumped in place (the same path, other
    content), 10 others deleted: the 10 marked missing, nothing held back."""
    root = tmp_path / "lib"
    (root / "SNES").mkdir(parents=True)
    for number in range(1, 31):
        (root / "SNES" / f"Game {number:02} (USA).sfc").write_bytes(rom_bytes(number))
    assert cli("library", "add", root).code == 0
    assert cli("scan", "--workers", "1").code == 0
    (root / "SNES" / "Game 01 (USA).sfc").write_bytes(rom_bytes(301))
    for number in range(21, 31):
        (root / "SNES" / f"Game {number} (USA).sfc").unlink()
    code, data, errors = _scan(cli)
    assert code == 0 and errors == []
    assert (data["missing"], data["missing_held_back"], data["updated"]) == (10, 0, 1)
    assert len(_missing(db_path)) == 10


def test_a_small_root_re_dumped_and_emptied_is_a_change(cli: Any, db_path: Path,
                                                        tmp_path: Path) -> None:
    """A root of 3 games: one re-dumped in place, the two others deleted: not a disk away
    (as three ROMs swapped for their Rev 1): the two marked missing."""
    root = tmp_path / "lib"
    root.mkdir()
    for number in range(1, 4):
        (root / f"Game {number} (USA).sfc").write_bytes(rom_bytes(number))
    assert cli("library", "add", root).code == 0
    assert cli("scan", "--workers", "1").code == 0
    (root / "Game 1 (USA).sfc").write_bytes(rom_bytes(301))
    for number in (2, 3):
        (root / f"Game {number} (USA).sfc").unlink()
    code, data, errors = _scan(cli)
    assert code == 0 and errors == []
    assert (data["missing"], data["updated"]) == (2, 1)
