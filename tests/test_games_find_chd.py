"""`games find` of a CHD's image, and the scan of a CHD: a CHD's header states the SHA1 of
its data, but a file cut short after its header (an interrupted copy keeps a perfect one)
holds none of it — it is no copy of that data."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from romrunner.library import games
from romrunner.store.database import Database
from tests.chdbuild import chd, image_downloads, ps2_folder
from tests.test_games_find_archive_reading import _payload, _scanned, _zip


def test_a_v3_chd_cut_short_holds_no_image(cli: Any, tmp_path: Path) -> None:
    # review52b P1 (medium): a v3 CHD "held" an image on its header alone: a CHD of 184
    # bytes, or one cut after its header, held a 64 KiB image (exit 0) — the download, the
    # only copy, deleted
    whole, bare, cut = (_payload(seed, 65536) for seed in ("whole", "bare", "cut"))
    root = ps2_folder(tmp_path, {
        "Whole (USA).chd": chd(3, whole),
        "Bare (USA).chd": chd(3, bare)[:120] + bytes(64),  # a header alone
        "Cut (USA).chd": chd(3, cut)[:120 + 16 + 1000]})  # cut in its data
    _scanned(cli, root)
    scan = cli("scan", "--workers", "1", "--full")
    said = scan.out + scan.err
    for name in ("Bare (USA).chd", "Cut (USA).chd"):
        assert name in said and "the CHD is truncated or damaged" in said, said
    assert "Whole (USA).chd" not in said, said
    for name, image, held in (("Whole", whole, True), ("Bare", bare, False),
                              ("Cut", cut, False)):
        for download in image_downloads(tmp_path, f"{name} (USA)", image):
            result = cli("games", "find", download)
            assert result.code == (0 if held else 1), (download, result.out, result.err)


def test_a_chd_cut_short_since_the_scan_holds_no_image(cli: Any, tmp_path: Path,
                                                       db_path: Path) -> None:
    # review52b P1: a database scanned before the scan refused such a CHD (or a CHD cut
    # after the scan) keeps its header's SHA1; `games find` reads the CHD asked about
    image = _payload("later cut", 65536)
    root = ps2_folder(tmp_path, {"Later (USA).chd": chd(3, image)})
    later = root / "Later (USA).chd"
    _scanned(cli, root)
    loose, zipped = image_downloads(tmp_path, "Later (USA)", image)
    assert cli("games", "find", loose).code == 0
    assert cli("games", "find", zipped).code == 0
    with later.open("r+b") as stream:
        stream.truncate(120 + 16 + 4096)
    db = Database(db_path)  # (stored as a scan before this one stored it: at its size now)
    try:
        db.execute("UPDATE games SET file_size = ?, file_mtime_ns = ?",
                   (later.stat().st_size, later.stat().st_mtime_ns))
    finally:
        db.close()
    for download in (loose, zipped):
        result = cli("games", "find", download)
        assert result.code == 1 and "found damaged" in result.out \
            and "keep this file" in result.out, (download, result.out)


def _headers_read(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The CHDs whose header `games find` reads for its image's size, as it reads them."""
    read: list[str] = []
    real = games.read_chd_v3_image_size

    def spy(path: Any) -> int | None:
        read.append(Path(path).name)
        return real(path)

    monkeypatch.setattr(games, "read_chd_v3_image_size", spy)
    return read


def test_a_v3_chds_image_size_is_the_scans_not_read_again_by_find(
        cli: Any, tmp_path: Path, db_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # review52b F2: each find of a disc zip not held read the header of every CHD of the
    # library (a seek each, cold: seconds at thousands of CHDs); F1: so a v3 CHD on a library
    # root not reachable now held its image no longer ("held by none", exit 1), unlike any
    # other data on that root ("as the last scan found it", exit 0)
    old, new = _payload("v3 image", 65536), _payload("v5 image", 131072)
    root = ps2_folder(tmp_path, {"Old (USA).chd": chd(3, old), "New (USA).chd": chd(5, new)})
    _scanned(cli, root)
    read = _headers_read(monkeypatch)
    held = _zip(tmp_path / "Old (USA).zip", {"Old (USA).iso": old})
    other = _zip(tmp_path / "Other (USA).zip", {"Other (USA).cue": b'FILE "Other (USA).bin"',
                                                "Other (USA).bin": _payload("other", 65536)})
    assert cli("games", "find", held).code == 0
    assert cli("games", "find", other).code == 1
    assert read == []
    away = tmp_path / "roms.away"  # (the drive unplugged)
    (tmp_path / "roms").rename(away)
    result = cli("games", "find", held)
    assert result.code == 0 and "not reachable now" in result.err \
        and "Old (USA).iso by game" in result.out, (result.out, result.err)
    (away).rename(tmp_path / "roms")
    # a database of a scan that recorded no image size: the CHDs' headers read, as before
    db = Database(db_path)
    try:
        db.execute("UPDATE game_files SET file_size = NULL, file_mtime_ns = NULL "
                   "WHERE kind = 'chd'")
    finally:
        db.close()
    assert cli("games", "find", held).code == 0
    assert sorted(read) == ["New (USA).chd", "Old (USA).chd"]
