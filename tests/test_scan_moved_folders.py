"""A folder renamed or moved within a root (`PSX` to `PlayStation`, `GB` to `gb`): a vanished
file and a new one of the same name, size and modification time, only their folders
differing, are one file moved — taken as renamed without reading it (a disc with its tracks
beside it), its game's id and curation kept, and said. Two candidates of one name, size and
time, a disc whose tracks stayed behind, or a folder that decides another platform are read as
before; `scan --full` reads every file.

Real folders (times kept by os.rename, set by os.utime for copies), real SQLite."""

from __future__ import annotations

import os
import shutil
import sqlite3
import zipfile
import zlib
from pathlib import Path
from typing import Any

from tests.test_scan import rom_bytes, scan_json

SIZE = 16 * 1024
SHEET = ('FILE "Disc (USA) (Track 1).bin" BINARY\n  TRACK 01 MODE2/2352\n    INDEX 01 00:00:00\n'
         'FILE "Disc (USA) (Track 2).wav" WAVE\n  TRACK 02 AUDIO\n    INDEX 01 00:00:00\n')


def _ids(db_path: Path) -> dict[str, tuple[int, str, int]]:
    """{file name: (id, path, is_missing)} of every game."""
    with sqlite3.connect(db_path) as conn:
        return {name: (game_id, path, missing) for name, game_id, path, missing in
                conn.execute("SELECT filename, id, filepath, is_missing FROM games")}


def _library(cli: Any, tmp_path: Path) -> tuple[Path, int]:
    """A root with `GB/` (five games and a zip of one) and `PSX/` (a disc: a sheet, a walked
    `.bin` track and an unwalked `.wav` one), scanned once; returns it and its size."""
    root = tmp_path / "roms"
    (root / "GB").mkdir(parents=True)
    for n in range(5):
        (root / "GB" / f"Game {n} (USA).gb").write_bytes(rom_bytes(n, SIZE))
    with zipfile.ZipFile(root / "GB" / "Zipped (USA).zip", "w") as archive:
        archive.writestr("Zipped (USA).gb", rom_bytes(50, SIZE))
    disc = root / "PSX" / "Disc (USA)"
    disc.mkdir(parents=True)
    (disc / "Disc (USA).cue").write_text(SHEET)
    (disc / "Disc (USA) (Track 1).bin").write_bytes(rom_bytes(60, 4 * SIZE))
    (disc / "Disc (USA) (Track 2).wav").write_bytes(rom_bytes(61, 2 * SIZE))
    files = sorted(path for path in root.rglob("*") if path.is_file())
    for n, path in enumerate(files):  # (each its own time: files written in one burst may
        at = 1_700_000_000_000_000_000 + n * 1_000_003  # share one, which is read)
        os.utime(path, ns=(at, at))
    total = sum(path.stat().st_size for path in files)
    assert cli("library", "add", str(root)).code == 0
    first = scan_json(cli)
    assert first["added"] == 7
    return root, total


def test_renamed_platform_folders_are_not_read_again(cli: Any, tmp_path: Path,
                                                     db_path: Path) -> None:
    root, _ = _library(cli, tmp_path)
    before = _ids(db_path)
    game = before["Game 0 (USA).gb"][0]
    assert cli("collection", "create", "keep").code == 0
    assert cli("collection", "add", "keep", str(game)).code == 0
    (root / "GB").rename(root / "gb")  # only its case
    (root / "PSX").rename(root / "PlayStation")
    result = scan_json(cli)
    assert result["bytes_hashed"] == 0
    assert (result["renamed"], result["renamed_unread"]) == (7, 7)
    assert (result["added"], result["missing"], result["scanned"]) == (0, 0, 7)
    after = _ids(db_path)
    assert {name: row[0] for name, row in after.items()} == \
        {name: row[0] for name, row in before.items()}
    assert after["Game 0 (USA).gb"][1:] == ("gb/Game 0 (USA).gb", 0)
    assert after["Disc (USA).cue"][1] == "PlayStation/Disc (USA)/Disc (USA).cue"
    shown = cli("--json", "collection", "show", "keep").json()["data"]
    assert [g["id"] for g in shown["games"]] == [game]
    again = scan_json(cli)
    assert (again["bytes_hashed"], again["renamed"], again["unchanged"]) == (0, 0, 7)
    text = cli("scan", "--workers", "1")
    assert text.code == 0, text.err
    (root / "gb").rename(root / "GB")
    said = cli("scan", "--workers", "1")
    assert said.code == 0, said.err
    assert ("6 renamed (6 not read: the same name, size and time in another folder; "
            "`romrunner scan --full` reads every file)") in " ".join(said.out.split())


def test_full_reads_a_renamed_folder(cli: Any, tmp_path: Path) -> None:
    root, total = _library(cli, tmp_path)
    (root / "PSX").rename(root / "PlayStation")
    (root / "GB").rename(root / "gb")
    result = scan_json(cli, "--full")
    assert result["bytes_hashed"] == total
    assert (result["renamed"], result["renamed_unread"]) == (7, 0)


def test_two_candidates_of_one_name_size_and_time_are_read(cli: Any, tmp_path: Path,
                                                           db_path: Path) -> None:
    root, _ = _library(cli, tmp_path)
    (root / "GB").rename(root / "gb")
    copy = root / "gb copy"  # a copy keeping the times: two new files for each vanished one
    shutil.copytree(root / "gb", copy, copy_function=shutil.copy2)
    result = scan_json(cli)
    assert result["renamed_unread"] == 0
    # both copies read, told apart by content (the zips from their directories: 0 bytes)
    assert result["bytes_hashed"] == 2 * 5 * SIZE
    assert (result["renamed"], result["added"], result["missing"]) == (6, 6, 0)


def test_a_copy_left_in_the_old_folder_is_no_move(cli: Any, tmp_path: Path) -> None:
    root, _ = _library(cli, tmp_path)
    shutil.copytree(root / "GB", root / "gb2", copy_function=shutil.copy2)
    result = scan_json(cli)  # (nothing vanished: the copies are new games, read)
    assert (result["renamed_unread"], result["added"]) == (0, 6)


def test_a_disc_whose_track_stayed_behind_is_read(cli: Any, tmp_path: Path) -> None:
    root, _ = _library(cli, tmp_path)
    old = root / "PSX" / "Disc (USA)"
    new = root / "PlayStation" / "Disc (USA)"
    shutil.copytree(old, new, copy_function=shutil.copy2)  # copied, then only the sheet
    (old / "Disc (USA).cue").unlink()                      # deleted: its tracks are there
    result = scan_json(cli)
    assert result["renamed_unread"] == 0 and result["renamed"] == 1
    assert result["bytes_hashed"] >= 6 * SIZE  # the disc's tracks read


def test_a_folder_that_decides_another_platform_is_read(cli: Any, tmp_path: Path,
                                                        db_path: Path) -> None:
    root, _ = _library(cli, tmp_path)
    (root / "GB").rename(root / "GBC")  # `.gb` files in GBC/ are Game Boy Color games
    result = scan_json(cli)
    assert result["renamed_unread"] == 0 and result["renamed"] == 6
    assert result["bytes_hashed"] == 5 * SIZE  # (the zip read from its directory)
    with sqlite3.connect(db_path) as conn:
        platforms = {row[0] for row in conn.execute(
            "SELECT platform_id FROM games WHERE filepath LIKE 'GBC/%'")}
    assert platforms == {"gbc"}


def test_a_file_of_another_time_in_the_new_folder_is_read(cli: Any, tmp_path: Path) -> None:
    root, _ = _library(cli, tmp_path)
    (root / "GB").rename(root / "gb")
    touched = root / "gb" / "Game 1 (USA).gb"
    later = touched.stat().st_mtime_ns + 10**9
    os.utime(touched, ns=(later, later))
    result = scan_json(cli)
    assert (result["renamed"], result["renamed_unread"]) == (6, 5)
    assert result["bytes_hashed"] == SIZE


def test_files_of_one_time_are_read(cli: Any, tmp_path: Path, db_path: Path) -> None:
    """review39b F3: every file unpacked from a TorrentZip archive has its fixed time; a set
    redumped under the same names and sizes, unpacked into a renamed folder, was taken as the
    old files moved — a changed file kept its old hashes and match. A time other files share
    is no fingerprint: they are read."""
    root, _ = _library(cli, tmp_path)
    torrentzip = 851_472_720_000_000_000  # (1996-12-24 23:32:00, TorrentZip's member time)
    for path in (root / "GB").iterdir():
        os.utime(path, ns=(torrentzip, torrentzip))
    scan_json(cli)  # (the new times stored: the same content)
    (root / "GB").rename(root / "gb")
    redumped = root / "gb" / "Game 2 (USA).gb"
    redumped.write_bytes(rom_bytes(99, SIZE))  # (the same name and size, other bytes)
    os.utime(redumped, ns=(torrentzip, torrentzip))
    result = scan_json(cli)
    assert (result["renamed"], result["renamed_unread"]) == (5, 0), result  # (read: content)
    assert result["bytes_hashed"] >= 5 * SIZE, result
    with sqlite3.connect(db_path) as conn:
        (crc,) = conn.execute("SELECT lower(hex(crc32_bin)) FROM games WHERE filename = ? "
                              "AND is_missing = 0",
                              ("Game 2 (USA).gb",)).fetchone()
    assert crc == f"{zlib.crc32(rom_bytes(99, SIZE)):08x}"
