"""A folder renamed in the same go as a remount that cut every time to a coarser precision
(a migration to a new share that also tidies folders): the renamed files are taken as moved,
not read again, when the new file's time is the vanished one's cut to the precision the scan
found for the root — only when that rule applies to the root, and with the rename rule's
uniqueness: a cut time another file shares is no fingerprint.

Real folders, os.utime, real SQLite; bytes hashed and counts as the scan reports them."""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path
from typing import Any

from tests.test_scan import rom_bytes, scan_json

SIZE = 16 * 1024
SECOND = 10**9
START = 1_700_000_000 * SECOND
SHEET = ('FILE "Disc (USA) (Track 1).bin" BINARY\n  TRACK 01 MODE2/2352\n    INDEX 01 00:00:00\n'
         'FILE "Disc (USA) (Track 2).bin" BINARY\n  TRACK 02 AUDIO\n    INDEX 01 00:00:00\n')


def _library(cli: Any, tmp_path: Path) -> Path:
    """`GB/` (five games), `SNES/` (three) and `PSX/Disc (USA)/` (a sheet and two tracks),
    each file at its own second plus nanoseconds; scanned once."""
    root = tmp_path / "roms"
    (root / "GB").mkdir(parents=True)
    (root / "SNES").mkdir()
    for n in range(5):
        (root / "GB" / f"Game {n} (USA).gb").write_bytes(rom_bytes(n, SIZE))
    for n in range(3):
        (root / "SNES" / f"Super {n} (USA).sfc").write_bytes(rom_bytes(20 + n, SIZE))
    disc = root / "PSX" / "Disc (USA)"
    disc.mkdir(parents=True)
    (disc / "Disc (USA).cue").write_text(SHEET)
    (disc / "Disc (USA) (Track 1).bin").write_bytes(rom_bytes(60, 4 * SIZE))
    (disc / "Disc (USA) (Track 2).bin").write_bytes(rom_bytes(61, 2 * SIZE))
    for n, path in enumerate(_files(root)):
        at = START + n * 3 * SECOND + 123_456_789 + n
        os.utime(path, ns=(at, at))
    assert cli("library", "add", str(root)).code == 0
    assert scan_json(cli)["added"] == 9
    return root


def _files(root: Path) -> list[Path]:
    return sorted(path for path in root.rglob("*") if path.is_file())


def _cut_times(paths: list[Path], step: int = SECOND) -> None:
    for path in paths:
        at = path.stat().st_mtime_ns
        os.utime(path, ns=(at - at % step, at - at % step))


def _rename(root: Path) -> None:
    (root / "SNES").rename(root / "Super Nintendo")
    (root / "PSX").rename(root / "PlayStation")


def _ids(db_path: Path) -> dict[str, tuple[int, str, int]]:
    with sqlite3.connect(db_path) as conn:
        return {name: (game_id, path, mtime) for name, game_id, path, mtime in conn.execute(
            "SELECT filename, id, filepath, file_mtime_ns FROM games")}


def test_folders_renamed_as_times_were_cut_are_not_read_again(
        cli: Any, tmp_path: Path, db_path: Path) -> None:
    root = _library(cli, tmp_path)
    before = _ids(db_path)
    _rename(root)
    _cut_times(_files(root))
    result = scan_json(cli)
    assert result["bytes_hashed"] == 0
    assert (result["renamed"], result["renamed_unread"]) == (4, 4)
    assert (result["added"], result["missing"], result["updated"]) == (0, 0, 0)
    assert [(c["files"], c["precision_ns"]) for c in result["times_coarser"]] == [(5, SECOND)]
    after = _ids(db_path)
    assert {name: row[0] for name, row in after.items()} == \
        {name: row[0] for name, row in before.items()}
    assert after["Super 1 (USA).sfc"][1:] == (
        "Super Nintendo/Super 1 (USA).sfc",
        (root / "Super Nintendo/Super 1 (USA).sfc").stat().st_mtime_ns)
    with sqlite3.connect(db_path) as conn:
        tracks = dict(conn.execute("SELECT name, file_mtime_ns FROM game_files "
                                   "WHERE kind = 'track'").fetchall())
    assert all(mtime % SECOND == 0 for mtime in tracks.values())  # their new times stored
    again = scan_json(cli)
    assert (again["bytes_hashed"], again["renamed"], again["unchanged"]) == (0, 0, 9)
    assert again["times_coarser"] == []


def test_the_summary_says_the_renamed_times_were_cut(cli: Any, tmp_path: Path) -> None:
    root = _library(cli, tmp_path)
    _rename(root)
    _cut_times(_files(root))
    out = cli("scan", "--workers", "1").out
    assert ("4 renamed (4 not read: the same name, size and time (or that time cut as the "
            "others') in another folder; `romrunner scan --full` reads every file)") in out, out


def test_a_cut_time_another_stored_file_shares_is_read(
        cli: Any, tmp_path: Path, db_path: Path) -> None:
    """Two files whose times differ only below the second are told apart by their times
    until those are cut: then a renamed one of them is read (its cut time no fingerprint)."""
    root = _library(cli, tmp_path)
    game = root / "GB" / "Game 0 (USA).gb"  # unchanged, in the same second as Super 0
    super0 = root / "SNES" / "Super 0 (USA).sfc"
    at = super0.stat().st_mtime_ns + 400_000_000
    os.utime(game, ns=(at, at))
    assert scan_json(cli)["bytes_hashed"] == SIZE  # (its new time: read, stored)
    _rename(root)
    _cut_times(_files(root))
    result = scan_json(cli)
    assert result["bytes_hashed"] == SIZE  # Super 0 alone
    assert (result["renamed"], result["renamed_unread"]) == (4, 3)


def test_two_renamed_files_cut_to_one_time_are_read(cli: Any, tmp_path: Path) -> None:
    root = _library(cli, tmp_path)
    one, two = (root / "SNES" / f"Super {n} (USA).sfc" for n in (1, 2))
    at = one.stat().st_mtime_ns + 500_000_000  # (one second, nanoseconds apart)
    os.utime(two, ns=(at, at))
    assert scan_json(cli)["bytes_hashed"] == SIZE
    _rename(root)
    _cut_times(_files(root))
    result = scan_json(cli)
    assert result["bytes_hashed"] == 2 * SIZE
    assert (result["renamed"], result["renamed_unread"]) == (4, 2)


def test_times_cut_only_under_the_renamed_folder_are_read(cli: Any, tmp_path: Path) -> None:
    """The rule is the root's: when the rest of the root keeps its nanoseconds, no precision
    applies, and renamed files with other times than stored are read."""
    root = _library(cli, tmp_path)
    _rename(root)
    _cut_times(_files(root / "Super Nintendo"))
    result = scan_json(cli)
    assert result["times_coarser"] == []
    assert result["bytes_hashed"] == 3 * SIZE
    assert (result["renamed"], result["renamed_unread"]) == (4, 1)  # the disc: its times kept


def test_a_renamed_file_not_at_its_cut_time_is_read(cli: Any, tmp_path: Path) -> None:
    """Only truncation: a renamed file one second past its cut time (an edit after the
    scan, a copy rounding up) is read."""
    root = _library(cli, tmp_path)
    _rename(root)
    _cut_times(_files(root))
    moved = root / "Super Nintendo" / "Super 2 (USA).sfc"
    at = moved.stat().st_mtime_ns + SECOND
    os.utime(moved, ns=(at, at))
    result = scan_json(cli)
    assert result["bytes_hashed"] == SIZE
    assert (result["renamed"], result["renamed_unread"]) == (4, 3)


def test_full_reads_the_renamed_files(cli: Any, tmp_path: Path) -> None:
    root = _library(cli, tmp_path)
    _rename(root)
    _cut_times(_files(root))
    result = scan_json(cli, "--full")
    assert result["bytes_hashed"] == sum(path.stat().st_size for path in _files(root))
    assert result["renamed_unread"] == 0
