"""A library on a FAT32 drive seen from another time zone (daylight saving starts or ends, the
drive moves to another computer): FAT keeps local times, so every file's time moves by the
same whole hours. A rescan takes those files as the same — their sizes unchanged, most of the
root moved by that offset — stores their new times and reads none of them again, says so, and
still reads a file that changed otherwise; `scan --verify` and `--full` read every file.

Runs on a real FAT32 image mounted with fusefat, which converts times with the zone of its
process (TZ), as the kernel's vfat does with the system's; skips where FUSE is missing."""

from __future__ import annotations

import contextlib
import hashlib
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from tests.test_deploy_fuse_card import fat32_image, fusefat_mounted

SIZE = 64 * 1024
SHEET = ('FILE "Disc (USA) (Track 1).bin" BINARY\n  TRACK 01 MODE2/2352\n    INDEX 01 00:00:00\n'
         'FILE "Disc (USA) (Track 2).wav" WAVE\n  TRACK 02 AUDIO\n    INDEX 01 00:00:00\n')


@contextlib.contextmanager
def mounted(image: Path, mount: Path, zone: str) -> Iterator[Path]:
    """``image`` mounted read-write at ``mount`` by fusefat running in the time zone
    ``zone`` (skips when that cannot be)."""
    with fusefat_mounted(image, mount, zone) as card:
        yield card


def content(seed: str) -> bytes:
    return hashlib.sha256(seed.encode()).digest() * (SIZE // 32)


def scanned(cli: Any, *args: str) -> dict[str, Any]:
    result = cli("--json", "scan", "--workers", "1", *args)
    assert result.code == 0, result.err
    data: dict[str, Any] = result.json()["data"]
    return data


def test_a_time_zone_shift_of_a_fat_library_reads_no_file_again(cli: Any,
                                                                 tmp_path: Path) -> None:
    image, mount = fat32_image(tmp_path)
    names = [f"Game {n} (USA).gba" for n in range(6)]
    with mounted(image, mount, "UTC") as lib:
        (lib / "GBA").mkdir()
        for name in names:
            (lib / "GBA" / name).write_bytes(content(name))
        disc = lib / "PSX" / "Disc (USA)"  # a disc: its tracks (one walked, one not) move too
        disc.mkdir(parents=True)
        (disc / "Disc (USA).cue").write_text(SHEET)
        for track in ("Disc (USA) (Track 1).bin", "Disc (USA) (Track 2).wav"):
            (disc / track).write_bytes(content(track))
        total = sum(path.stat().st_size for path in lib.rglob("*") if path.is_file())
        assert cli("library", "add", str(lib)).code == 0
        assert scanned(cli)["bytes_hashed"] == total
        # One file alone moved by an hour is not a zone shift: read again.
        one = lib / "GBA" / names[0]
        moved = one.stat().st_mtime_ns + 3600 * 10**9
        os.utime(one, ns=(moved, moved))
        alone = scanned(cli)
        assert alone["bytes_hashed"] == SIZE and not alone.get("times_shifted")
        # Edited in place to the same size, its time set off any whole quarter hour.
        edited = lib / "GBA" / names[1]
        edited.unlink()  # (fusefat refuses to rewrite a file in place)
        edited.write_bytes(content("edited"))
        before = edited.stat().st_mtime_ns - 1000 * 10**9
        os.utime(edited, ns=(before, before))
        assert scanned(cli)["bytes_hashed"] == SIZE
    with mounted(image, mount, "America/New_York"):  # (no daylight saving: Kolkata's +5:30
        shifted = scanned(cli)                          # would do; New York's -5 h or -4 h)
    assert shifted["bytes_hashed"] == 0
    assert shifted["unchanged"] == 7
    [root] = shifted["times_shifted"]
    assert root["files"] == 7 and root["offsets_seconds"][0] in (4 * 3600, 5 * 3600)
    with mounted(image, mount, "America/New_York"):
        again = scanned(cli)  # the new times were stored
        assert (again["bytes_hashed"], again["times_shifted"]) == (0, [])
        text = cli("scan", "--workers", "1").out
        assert "not read again" not in text
    with mounted(image, mount, "Asia/Kolkata"):
        said = cli("scan", "--workers", "1")
        assert said.code == 0, said.err
        line = ("7 not read again: on a FAT/exFAT drive, with the same size, their times "
                "all moved by {}, a time-zone or daylight-saving change")
        assert line.format("-10 h 30 min") in said.out \
            or line.format("-9 h 30 min") in said.out, said.out
    with mounted(image, mount, "Asia/Tokyo"):
        verified = scanned(cli, "--verify")  # reads them: no shift taken
        assert (verified["bytes_hashed"], verified["times_shifted"]) == (total, [])
    with mounted(image, mount, "UTC"):
        full = scanned(cli, "--full")
        assert (full["bytes_hashed"], full["times_shifted"]) == (total, [])


def test_a_changed_file_in_a_shifted_fat_library_is_still_read(cli: Any,
                                                                tmp_path: Path) -> None:
    image, mount = fat32_image(tmp_path)
    names = [f"Game {n} (USA).gba" for n in range(5)]
    with mounted(image, mount, "UTC") as lib:
        (lib / "GBA").mkdir()
        for name in names:
            (lib / "GBA" / name).write_bytes(content(name))
        assert cli("library", "add", str(lib)).code == 0
        assert scanned(cli)["bytes_hashed"] == 5 * SIZE
        edited = lib / "GBA" / names[2]
        old = edited.stat().st_mtime_ns
    with mounted(image, mount, "Asia/Tokyo") as lib:  # +9 h, no daylight saving
        edited = lib / "GBA" / names[2]
        edited.unlink()
        edited.write_bytes(content("edited"))  # the same size, another content
        later = old + 9 * 3600 * 10**9 + 7200 * 10**9 + 2 * 10**9  # not the drive's offset
        os.utime(edited, ns=(later, later))
        result = scanned(cli)
    assert result["bytes_hashed"] == SIZE  # that one, read: its new content stored
    assert result["updated"] == 1 and result["unchanged"] == 4
    assert [root["files"] for root in result["times_shifted"]] == [4]


def test_times_moved_by_whole_hours_on_another_file_system_are_read(cli: Any,
                                                                    tmp_path: Path) -> None:
    lib = tmp_path / "lib" / "GBA"
    lib.mkdir(parents=True)
    for n in range(3):
        (lib / f"Game {n} (USA).gba").write_bytes(content(str(n)))
    assert cli("library", "add", str(tmp_path / "lib")).code == 0
    assert scanned(cli)["bytes_hashed"] == 3 * SIZE
    for path in lib.iterdir():
        moved = path.stat().st_mtime_ns + 3600 * 10**9
        os.utime(path, ns=(moved, moved))
    result = scanned(cli)  # (not a FAT-family root: a whole-hours move is no zone shift)
    assert result["bytes_hashed"] == 3 * SIZE and not result.get("times_shifted")
