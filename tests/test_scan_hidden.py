"""Hidden files and folders (dot-names), macOS resource forks (``._*``) and ``.DS_Store``,
Windows' ``Thumbs.db`` and ``desktop.ini``, and empty files are not games: a scan skips
them and says how many; ``scan --include-hidden`` takes hidden files and folders in (but
never resource forks, system files or empty files)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from romrunner.library.roots import add_root
from romrunner.library.scan import scan_library
from romrunner.packs import load_pack
from romrunner.store import OpenMode, open_database

GAME = b"G" * 4096


def library(tmp_path: Path) -> Path:
    root = tmp_path / "roms"
    files = {
        "gba/Real (USA).gba": GAME,
        "gba/._Real (USA).gba": b"\x00\x05\x16\x07" + bytes(4092),  # AppleDouble fork
        "gba/.DS_Store": b"Bud1" * 100,
        "gba/Thumbs.db": b"\xd0\xcf\x11\xe0" * 100,
        "gba/desktop.ini": b"[.ShellClassInfo]\r\n",
        "gba/Thumbs.gba": GAME[:2048],                    # a game that only looks like one
        "gba/Empty (USA).gba": b"",
        "gba/.Hidden (USA).gba": GAME[:3000],
        "gba/.sync/Synced (USA).gba": GAME[:3001],        # a hidden folder, nested
        ".Trashes/501/Deleted (USA).gba": GAME[:3002],    # a hidden folder at the top
        "._Loose (USA).gba": bytes(4096),                 # a fork directly in the root
        "snes/Other (USA).sfc": b"S" * 4096,
    }
    for relpath, data in files.items():
        path = root / relpath
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
    return root


def stored(db: Any) -> set[str]:
    return {row["filepath"] for row in db.query("SELECT filepath FROM games")}


@pytest.mark.parametrize("workers", [1, 2])
def test_hidden_system_and_empty_files_are_skipped_and_counted(tmp_path: Path,
                                                               workers: int) -> None:
    db = open_database(tmp_path / "r.db", OpenMode.WRITE).db
    add_root(db, library(tmp_path))
    pack = load_pack(None)
    summary = scan_library(db, pack, workers=workers)
    assert stored(db) == {"gba/Real (USA).gba", "gba/Thumbs.gba", "snes/Other (USA).sfc"}
    assert summary.errors == []
    # ._Real, .DS_Store, .Hidden, .sync/, .Trashes/, ._Loose (dot-names, folders once)
    assert (summary.skipped_hidden, summary.skipped_empty) == (6, 1)
    assert (summary.added, summary.scanned) == (3, 3)

    again = scan_library(db, pack, workers=workers, include_hidden=True)
    assert stored(db) == {"gba/Real (USA).gba", "gba/Thumbs.gba", "snes/Other (USA).sfc",
                          "gba/.Hidden (USA).gba", "gba/.sync/Synced (USA).gba",
                          ".Trashes/501/Deleted (USA).gba"}
    assert (again.added, again.unchanged) == (3, 3)
    assert (again.skipped_hidden, again.skipped_empty) == (3, 1)  # forks and .DS_Store

    # Hidden games stored by an --include-hidden scan stay as they were afterwards: the
    # files are there, only skipped.
    third = scan_library(db, pack, workers=workers)
    assert (third.missing, third.unchanged, third.errors) == (0, 3, [])
    assert db.scalar("SELECT count(*) FROM games WHERE is_missing = 1") == 0


def test_the_scan_says_how_many_it_skipped(cli: Any, tmp_path: Path) -> None:
    assert cli("library", "add", str(library(tmp_path))).code == 0
    text = cli("scan", "--workers", "1")
    assert text.code == 0, text.err
    assert "skipped 6 hidden and 1 empty files (scan --include-hidden takes hidden ones)" \
        in " ".join(text.out.split())
    data = cli("--json", "scan", "--workers", "1", "--include-hidden").json()["data"]
    assert (data["added"], data["skipped_hidden"], data["skipped_empty"]) == (3, 3, 1)
