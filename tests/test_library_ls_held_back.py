"""`library ls` after a scan that was refused: a root held back whole (its mount point empty,
exit 2) keeps its last scan time (it was said scanned just now), a root a scan went through
(one platform folder held back) gets it; and the missing games in a root's count are said."""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

OLD_TIME = "2000-01-01 00:00:00"


def _library(cli: Any, tmp_path: Path, folders: dict[str, int]) -> Path:
    root = tmp_path / "lib"
    for folder, count in folders.items():
        (root / folder).mkdir(parents=True)
        for number in range(count):
            (root / folder / f"{folder} game {number} (USA).gba").write_bytes(
                bytes([number % 256, len(folder)]) * 2048)
    assert cli("library", "add", root).code == 0
    assert cli("scan", "--workers", "1").code == 0
    return root


def _age_last_scan(db_path: Path) -> None:
    """The last scan put far back (a scan that sets it says another time, whenever it runs),
    and the games it stored with it (stored later, they are an interrupted scan's since: new
    to the root, whose hold-back does not count them)."""
    with sqlite3.connect(db_path) as db:
        db.execute("UPDATE library_roots SET last_scanned_at = ?", (OLD_TIME,))
        db.execute("UPDATE games SET added_unix = CAST(strftime('%s', ?) AS INTEGER)",
                   (OLD_TIME,))


def _ls(cli: Any) -> dict[str, Any]:
    result = cli("--json", "library", "ls")
    assert result.code == 0, result.err
    [root] = result.json()["data"]
    return dict(root)


def test_a_root_held_back_whole_keeps_its_last_scan_time(cli: Any, db_path: Path,
                                                        tmp_path: Path) -> None:
    root = _library(cli, tmp_path, {"gba": 12})
    _age_last_scan(db_path)
    root.rename(tmp_path / "away")
    root.mkdir()  # the mount point, empty
    result = cli("--json", "scan", "--workers", "1")
    assert result.code == 2
    assert result.json()["data"]["root_held_back"] == 1
    assert _ls(cli)["last_scanned_at"] == OLD_TIME
    # accepted: it was scanned
    assert cli("scan", "--workers", "1", "--accept-missing").code == 0
    listed = _ls(cli)
    assert listed["last_scanned_at"] != OLD_TIME
    assert (listed["games"], listed["missing"]) == (12, 12)
    text = cli("library", "ls").out
    assert "12 games (12 missing)" in text, text


def test_a_root_with_one_folder_held_back_was_scanned(cli: Any, db_path: Path,
                                                      tmp_path: Path) -> None:
    root = _library(cli, tmp_path, {"gba": 12, "snes": 20})
    _age_last_scan(db_path)
    for path in (root / "gba").iterdir():
        path.unlink()
    result = cli("--json", "scan", "--workers", "1")
    assert result.code == 2  # (the folder's 12 files held back)
    assert result.json()["data"]["root_held_back"] == 0
    assert _ls(cli)["last_scanned_at"] != OLD_TIME
    assert "missing" not in cli("library", "ls").out
