"""A disc examined again because one of its tracks changed (emptied, restored, replaced) reads
only the tracks that changed: a track still of the size and time its stored row has (hashed
when stored) is not read again, its stored hashes are taken — a 600 MB data track on a NAS is
not read because a 200 KB audio track beside it was emptied and restored. The disc's
identification (by all its tracks' hashes) and its track rows come out as if every track had
been read; `scan --full` and `--verify` read every track.

Real folders, os.utime, real SQLite; bytes hashed as the scan reports them."""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path
from typing import Any

from tests.test_identify_data_track_dats import _dat, _data, _disc
from tests.test_scan import scan_json

DATA, AUDIO = 64 * 2352, 8 * 2352  # (track sizes)
STEM = "QA Tracks (USA)"


def _library(cli: Any, tmp_path: Path) -> tuple[Path, bytes, bytes]:
    """A disc of a data track and an audio track that a DAT identifies by both, scanned;
    returns its folder and the tracks' data."""
    data, audio = _data("data", DATA), _data("audio", AUDIO)
    folder = tmp_path / "roms" / "psx" / STEM
    _disc(folder, STEM, [data, audio])
    for n, path in enumerate(sorted(folder.iterdir())):
        at = 1_700_000_000_123_456_789 + n * 1_000_003
        os.utime(path, ns=(at, at))
    dat = _dat(tmp_path / "psx.dat", {STEM: [(f"{STEM} (Track 01).bin", data),
                                              (f"{STEM} (Track 02).bin", audio)]})
    for args in (("dat", "import", str(dat), "--platform", "psx"),
                 ("library", "add", str(tmp_path / "roms"))):
        assert cli(*args).code == 0, args
    first = scan_json(cli)
    assert first["added"] == 1
    return folder, data, audio


def _track(folder: Path, number: int) -> Path:
    return folder / f"{STEM} (Track {number:02}).bin"


def _sheet_size(folder: Path) -> int:
    return (folder / f"{STEM}.cue").stat().st_size


def _rows(db_path: Path) -> tuple[tuple[Any, ...], list[tuple[Any, ...]]]:
    """The disc's match and its track rows (every hash column, size and time)."""
    with sqlite3.connect(db_path) as conn:
        game = conn.execute("SELECT matched_game_id, match_method FROM games").fetchone()
        files = conn.execute(
            "SELECT name, file_size, crc32_bin, md5_bin, sha1_bin, header_size, "
            "nh_crc32_bin, nh_md5_bin, nh_sha1_bin, file_mtime_ns, matched_game_id, "
            "match_method FROM game_files WHERE kind = 'track' ORDER BY name").fetchall()
    return tuple(game), [tuple(row) for row in files]


def _put_back(path: Path, data: bytes, stat: os.stat_result) -> None:
    """Restore a file's bytes and times (as `cp -a` of a backup does)."""
    path.write_bytes(data)
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns))


def test_an_emptied_track_and_its_return_read_only_that_track(
        cli: Any, tmp_path: Path, db_path: Path) -> None:
    folder, _, audio = _library(cli, tmp_path)
    stored = _rows(db_path)
    assert stored[0] == (f"psx:{STEM}", "tracks")
    was = _track(folder, 2).stat()
    _track(folder, 2).write_bytes(b"")  # emptied: the data track is not read for it
    emptied = scan_json(cli)
    assert emptied["updated"] == 1
    assert emptied["bytes_hashed"] == _sheet_size(folder)
    _put_back(_track(folder, 2), audio, was)  # restored: only it is read
    restored = scan_json(cli)
    assert restored["updated"] == 1
    assert restored["bytes_hashed"] == _sheet_size(folder) + AUDIO
    assert _rows(db_path) == stored  # the same rows and match as when every track was read
    again = scan_json(cli)
    assert (again["bytes_hashed"], again["unchanged"]) == (0, 1)


def test_a_replaced_track_is_read_and_the_disc_no_longer_the_dat_game(
        cli: Any, tmp_path: Path, db_path: Path) -> None:
    folder, _, _ = _library(cli, tmp_path)
    before = _rows(db_path)
    _track(folder, 2).write_bytes(_data("other audio", AUDIO))  # same size, a new time
    result = scan_json(cli)
    assert result["bytes_hashed"] == _sheet_size(folder) + AUDIO
    game, files = _rows(db_path)
    assert game != (f"psx:{STEM}", "tracks")  # its tracks are no longer the DAT's
    assert files[0][:10] == before[1][0][:10]  # the data track's row, taken as stored
    assert files[1][4] != before[1][1][4]  # the audio track's SHA1: the new data's


def test_a_track_rewritten_at_its_size_with_another_time_is_read(
        cli: Any, tmp_path: Path, db_path: Path) -> None:
    """Only a track at the stored size *and* time is taken: one rewritten in place to the
    same size (a new time) is read, whatever else changed on the disc."""
    folder, data, _ = _library(cli, tmp_path)
    first = _track(folder, 1)
    changed = bytearray(data)
    changed[100] ^= 0xFF
    at = first.stat().st_mtime_ns + 1
    first.write_bytes(bytes(changed))
    os.utime(first, ns=(at, at))
    _track(folder, 2).write_bytes(b"")
    result = scan_json(cli)
    assert result["bytes_hashed"] == _sheet_size(folder) + DATA
    _, files = _rows(db_path)
    assert files[0][9] == at


def test_full_and_verify_read_every_track(cli: Any, tmp_path: Path) -> None:
    folder, _, audio = _library(cli, tmp_path)
    was = _track(folder, 2).stat()
    _track(folder, 2).write_bytes(b"")
    verified = scan_json(cli, "--verify")
    assert verified["bytes_hashed"] == _sheet_size(folder) + DATA
    _put_back(_track(folder, 2), audio, was)
    full = scan_json(cli, "--full")
    assert full["bytes_hashed"] == _sheet_size(folder) + DATA + AUDIO
