"""A library first scanned over a mount that keeps nanoseconds, seen again through one that
keeps less (an SMB mount in whole seconds, a copy onto FAT's 2 s, NTFS's 100 ns, a file system
of microseconds): every file's time comes back cut down to that precision. A rescan takes
those files as the same without reading them — their sizes unchanged, most of the root cut
alike, no time finer than the precision anywhere in the root — stores their new times and
says so, and still reads a file that changed otherwise; `scan --verify` and `--full` read
every file.

Real folders, times set with os.utime (cut as such a mount shows them), real SQLite."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest

from tests.test_scan import scan_json as scanned
from tests.test_scan_fat_time_shift import SIZE, content

BASE = 1_700_000_000 * 10**9
SHEET = ('FILE "Disc (USA) (Track 1).bin" BINARY\n  TRACK 01 MODE2/2352\n    INDEX 01 00:00:00\n'
         'FILE "Disc (USA) (Track 2).wav" WAVE\n  TRACK 02 AUDIO\n    INDEX 01 00:00:00\n')


def library(tmp_path: Path, games: int = 6, disc: bool = True) -> tuple[Path, list[Path]]:
    """A library of ``games`` GBA files (and a disc: a sheet, a walked `.bin` track and an
    unwalked `.wav` one), every time set to nanoseconds none of the precisions divides."""
    root = tmp_path / "lib"
    (root / "GBA").mkdir(parents=True)
    files = []
    for n in range(games):
        path = root / "GBA" / f"Game {n} (USA).gba"
        path.write_bytes(content(str(n)))
        files.append(path)
    if disc:
        folder = root / "PSX" / "Disc (USA)"
        folder.mkdir(parents=True)
        (folder / "Disc (USA).cue").write_text(SHEET)
        files.append(folder / "Disc (USA).cue")
        for track in ("Disc (USA) (Track 1).bin", "Disc (USA) (Track 2).wav"):
            (folder / track).write_bytes(content(track))
            files.append(folder / track)
    for n, path in enumerate(files):
        fine = BASE + n * 7_345_678_901 + 123_456_789  # odd seconds and even ones
        os.utime(path, ns=(fine, fine))
    return root, files


def cut(path: Path, precision: int) -> None:
    """Set ``path``'s time to its time cut down to ``precision`` (ns), as a mount keeping
    that precision shows it."""
    mtime = path.stat().st_mtime_ns
    os.utime(path, ns=(mtime, mtime - mtime % precision))


def cut_all(paths: list[Path], precision: int) -> None:
    for path in paths:
        cut(path, precision)


def total_size(root: Path) -> int:
    return sum(path.stat().st_size for path in root.rglob("*") if path.is_file())


def scanned_once(cli: Any, root: Path) -> None:
    """Add ``root`` and scan it: every file read."""
    assert cli("library", "add", str(root)).code == 0
    assert scanned(cli)["bytes_hashed"] == total_size(root)


@pytest.mark.parametrize("precision", [10**9, 2 * 10**9, 1000, 100])
def test_times_cut_to_a_coarser_precision_read_no_file_again(cli: Any, tmp_path: Path,
                                                             precision: int) -> None:
    root, files = library(tmp_path)
    scanned_once(cli, root)
    cut_all(files, precision)
    result = scanned(cli)
    assert result["bytes_hashed"] == 0
    assert result["unchanged"] == 7 and result["updated"] == 0
    assert result["times_coarser"] == [{"root": str(root), "files": 7,
                                        "precision_ns": precision}]
    again = scanned(cli)  # the new times were stored: a plain rescan
    assert (again["bytes_hashed"], again["times_coarser"], again["touched"]) == (0, [], 0)


def test_the_summary_says_it_and_full_and_verify_read_every_file(cli: Any,
                                                                 tmp_path: Path) -> None:
    root, files = library(tmp_path)
    total = total_size(root)
    scanned_once(cli, root)
    cut_all(files, 10**9)
    said = cli("scan", "--workers", "1")
    assert said.code == 0, said.err
    assert ("7 not read again: with the same size, their times came back cut to whole "
            "seconds (a remount or copy that keeps coarser times); `romrunner scan --full` "
            "reads every file") in " ".join(said.out.split()), said.out
    for path in files:  # (back to times finer than any precision, then cut again)
        fine = path.stat().st_mtime_ns + 987_654_321
        os.utime(path, ns=(fine, fine))
    assert scanned(cli, "--full")["bytes_hashed"] == total
    cut_all(files, 10**9)
    verified = scanned(cli, "--verify")
    assert (verified["bytes_hashed"], verified["times_coarser"]) == (total, [])
    for path in files:
        fine = path.stat().st_mtime_ns + 987_654_321
        os.utime(path, ns=(fine, fine))
    assert scanned(cli)["bytes_hashed"] == total
    cut_all(files, 10**9)
    full = scanned(cli, "--full")
    assert (full["bytes_hashed"], full["times_coarser"]) == (total, [])


def test_a_changed_file_among_cut_times_is_still_read(cli: Any, tmp_path: Path) -> None:
    root, files = library(tmp_path, disc=False)
    scanned_once(cli, root)
    cut_all(files, 10**9)
    edited = files[2]  # the same size, another content, at a whole second after its old time
    old = edited.stat().st_mtime_ns
    edited.write_bytes(content("edited"))
    os.utime(edited, ns=(old + 60 * 10**9, old + 60 * 10**9))
    result = scanned(cli)
    assert result["bytes_hashed"] == SIZE  # that one, read: its new content stored
    assert result["updated"] == 1 and result["unchanged"] == 5
    assert [root["files"] for root in result["times_coarser"]] == [5]


def test_a_single_finer_time_in_the_root_keeps_the_rule_off(cli: Any, tmp_path: Path) -> None:
    root, files = library(tmp_path, disc=False)
    scanned_once(cli, root)
    for path in files[:5]:  # five cut, one left with its nanoseconds: the mount keeps them
        cut(path, 10**9)
    result = scanned(cli)
    assert result["bytes_hashed"] == 5 * SIZE and result["times_coarser"] == []
    assert result["touched"] == 5


def test_a_new_file_of_finer_time_keeps_the_rule_off(cli: Any, tmp_path: Path) -> None:
    root, files = library(tmp_path, disc=False)
    scanned_once(cli, root)
    cut_all(files, 10**9)
    new = root / "GBA" / "New (USA).gba"
    new.write_bytes(content("new"))
    os.utime(new, ns=(BASE + 5, BASE + 5))
    result = scanned(cli)
    assert result["bytes_hashed"] == 7 * SIZE and result["times_coarser"] == []


def test_cut_times_of_half_the_root_or_less_are_read(cli: Any, tmp_path: Path) -> None:
    root, files = library(tmp_path, disc=False)
    for path in files[3:]:  # three files whose times were whole seconds from the start
        cut(path, 10**9)
    scanned_once(cli, root)
    for path in files[:3]:  # three of six cut: not most of the root
        cut(path, 10**9)
    result = scanned(cli)
    assert result["bytes_hashed"] == 3 * SIZE and result["times_coarser"] == []


def test_times_rounded_up_or_moved_are_read(cli: Any, tmp_path: Path) -> None:
    root, files = library(tmp_path, disc=False)
    scanned_once(cli, root)
    for path in files:  # the next whole second: not a cut (an edit comes after the scan)
        mtime = path.stat().st_mtime_ns
        os.utime(path, ns=(mtime, mtime - mtime % 10**9 + 10**9))
    result = scanned(cli)
    assert result["bytes_hashed"] == 6 * SIZE and result["times_coarser"] == []
