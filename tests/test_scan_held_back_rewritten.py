"""A file at the very path of one of an unmounted share's games (written, or moved there from
another root, into the empty mount point) holds content the share never had: it is not one
of the share's files found, so the share is held back as when the file has a fresh name, and
that game's row is left as it was (not rewritten with the stray file's content, nor parked
as overwritten elsewhere): the share mounted again finds every game as it was. A file of an
ordinary library re-dumped in place (the same path, other content) still counts as found:
the others deleted are marked missing."""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

from tests.conftest import run_subprocess
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


def _id_of(db_path: Path, root: Path, relpath: str) -> int:
    with sqlite3.connect(db_path) as db:
        return int(db.execute("SELECT g.id FROM games g JOIN library_roots r ON r.id = "
                              "g.root_id WHERE r.path = ? AND g.filepath = ?",
                              (str(root), relpath)).fetchone()[0])


def _missing(db_path: Path) -> set[int]:
    with sqlite3.connect(db_path) as db:
        return {int(row[0]) for row in db.execute("SELECT id FROM games WHERE is_missing = 1")}


def _library(cli: Any, tmp_path: Path) -> tuple[Path, Path]:
    """A downloads root of 3 games (Alpha first, in a collection) and a share of 13 SNES
    games, one of them an Alpha of its own (other content); returns the share and the
    downloads root."""
    share, downloads = tmp_path / "nas", tmp_path / "downloads"
    (share / "SNES").mkdir(parents=True)
    downloads.mkdir()
    for number, name in enumerate(("Alpha", "Beta", "Gamma")):
        (downloads / f"{name} (USA).sfc").write_bytes(rom_bytes(100 + number))
    for number in range(1, 13):
        (share / "SNES" / f"Game {number} (USA).sfc").write_bytes(rom_bytes(number))
    (share / _ALPHA).write_bytes(rom_bytes(200))
    for root in (downloads, share):
        assert cli("library", "add", root).code == 0
    assert cli("scan", "--workers", "1").code == 0
    assert cli("collection", "create", "favs").code == 0
    assert cli("collection", "add", "favs", "1").code == 0
    return share, downloads


def _unmount(share: Path) -> Path:
    """The share unmounted: its mount point empty but for the folder a tool made; returns
    where its files are while it is away."""
    away = share.with_name("nas.offline")
    share.rename(away)
    (share / "SNES").mkdir(parents=True)
    return away


def _held_back(share: Path) -> str:
    return (f"{share}: none of its 12 files was found (the library root holds only 1 file "
            "new to it, not stored either: if its disk is not mounted, that file was written "
            "to its mount point, not to the disk): nothing was marked missing; if the root is "
            "mounted and they were really removed, scan again with --accept-missing: "
            f"`romrunner scan --accept-missing {share}`")


def _mount_again(share: Path, away: Path) -> None:
    (share / _ALPHA).unlink()  # (hidden under the share once mounted)
    (share / "SNES").rmdir()
    share.rmdir()
    away.rename(share)


def test_a_file_written_at_a_share_games_path_holds_the_share_back(
        cli: Any, db_path: Path, tmp_path: Path) -> None:
    share, _ = _library(cli, tmp_path)
    before = _rows(db_path)
    away = _unmount(share)
    (share / _ALPHA).write_bytes(rom_bytes(300))  # a stray file, at the share's Alpha's path
    for _ in range(2):
        code, data, errors = _scan(cli)
        assert code == 2
        assert errors == [_held_back(share)]
        assert (data["missing"], data["missing_held_back"], data["updated"]) == (0, 12, 0)
        assert data["changed_in_place"] == []
        assert _rows(db_path) == before  # (the share's Alpha as it was, not the stray file)

    _mount_again(share, away)
    code, data, errors = _scan(cli)
    assert code == 0 and errors == []
    assert (data["missing"], data["updated"], data["unchanged"]) == (0, 0, 16)
    assert _missing(db_path) == set()


def test_the_same_by_a_real_scan_process(cli: Any, db_path: Path, tmp_path: Path) -> None:
    share, _ = _library(cli, tmp_path)
    before = _rows(db_path)
    _unmount(share)
    (share / _ALPHA).write_bytes(rom_bytes(300))
    env: dict[str, str | None] = {"ROMRUNNER_DB": str(db_path), "ROMRUNNER_PACK": None}
    result = run_subprocess("scan", "--workers", "1", env=env)
    assert result.code == 2
    assert _held_back(share) in result.err
    assert "0 updated" in result.out and "0 missing" in result.out
    assert _rows(db_path) == before


def test_a_file_moved_onto_a_share_games_path_is_not_followed_there(
        cli: Any, db_path: Path, tmp_path: Path) -> None:
    """As a file moved into the share under a fresh name: the share held back, its own Alpha
    left as it was (not parked as overwritten under the downloads root and marked missing
    there); the downloads Alpha marked missing where it was (its file is in the mount
    point, not on the share)."""
    share, downloads = _library(cli, tmp_path)
    share_alpha = _id_of(db_path, share, _ALPHA)
    before = _rows(db_path)
    away = _unmount(share)
    (downloads / "Alpha (USA).sfc").rename(share / _ALPHA)
    for first in (True, False):
        code, data, errors = _scan(cli)
        assert code == 2
        assert errors == [_held_back(share)]
        assert (data["missing"], data["missing_held_back"], data["renamed"]) == \
            ((1, 12, 0) if first else (0, 12, 0))
        assert data["missing_files"] == ([str(downloads / "Alpha (USA).sfc")] if first else [])
        assert (data["followed_content"], data["overwritten"]) == ([], [])
        assert _missing(db_path) == {1}
        rows = _rows(db_path)
        assert rows[share_alpha] == before[share_alpha]
        assert {game_id: row for game_id, row in rows.items() if game_id != 1} == \
            {game_id: row for game_id, row in before.items() if game_id != 1}

    _mount_again(share, away)
    code, data, errors = _scan(cli)
    assert code == 0 and errors == []
    assert (data["missing"], data["unchanged"]) == (0, 15)
    assert _missing(db_path) == {1}  # (its file hidden under the share)
    assert _rows(db_path)[share_alpha] == before[share_alpha]


def test_a_file_written_at_a_path_of_an_unmounted_platform_folder_holds_it_back(
        cli: Any, db_path: Path, tmp_path: Path) -> None:
    """The same within one root: its SNES folder on a disk of its own, not mounted."""
    root = tmp_path / "lib"
    (root / "SNES").mkdir(parents=True)
    (root / "GBA").mkdir()
    for number in range(1, 13):
        (root / "SNES" / f"Game {number} (USA).sfc").write_bytes(rom_bytes(number))
    (root / "GBA" / "Beta (USA).gba").write_bytes(rom_bytes(100))
    assert cli("library", "add", root).code == 0
    assert cli("scan", "--workers", "1").code == 0
    before = _rows(db_path)
    (root / "SNES").rename(tmp_path / "SNES-disk")
    (root / "SNES").mkdir()
    (root / "SNES" / "Game 3 (USA).sfc").write_bytes(rom_bytes(300))
    code, data, errors = _scan(cli)
    assert code == 2
    assert len(errors) == 1 and errors[0].startswith(
        f"{root / 'SNES'}: none of its 11 files was found (the folder holds only 1 file new "
        "to it, not stored either")
    assert (data["missing"], data["missing_held_back"], data["updated"]) == (0, 11, 0)
    assert _rows(db_path) == before


def _thirty(cli: Any, tmp_path: Path) -> Path:
    root = tmp_path / "lib"
    (root / "SNES").mkdir(parents=True)
    for number in range(1, 31):
        (root / "SNES" / f"Game {number:02} (USA).sfc").write_bytes(rom_bytes(number))
    assert cli("library", "add", root).code == 0
    assert cli("scan", "--workers", "1").code == 0
    return root


def test_a_file_re_dumped_in_place_still_counts_as_found(cli: Any, db_path: Path,
                                                          tmp_path: Path) -> None:
    """An ordinary library: 1 of its 30 files re-dumped in place (the same path, other
    content), 10 others deleted: the 10 marked missing, nothing held back."""
    root = _thirty(cli, tmp_path)
    (root / "SNES" / "Game 01 (USA).sfc").write_bytes(rom_bytes(301))
    for number in range(21, 31):
        (root / "SNES" / f"Game {number} (USA).sfc").unlink()
    code, data, errors = _scan(cli)
    assert code == 0 and errors == []
    assert (data["missing"], data["missing_held_back"], data["updated"]) == (10, 0, 1)
    assert len(_missing(db_path)) == 10


def test_files_moved_onto_others_of_their_folder_still_count_as_found(
        cli: Any, db_path: Path, tmp_path: Path) -> None:
    """10 of 30 files each moved onto another of the same folder (``mv a b``), the other 10
    deleted: their content the folder's own, found; no hold, the games follow their files
    and the 20 whose content is gone are marked missing."""
    root = _thirty(cli, tmp_path)
    folder = root / "SNES"
    for number in range(1, 11):
        (folder / f"Game {number:02} (USA).sfc").rename(folder / f"Game {number + 10} (USA).sfc")
    for number in range(21, 31):
        (folder / f"Game {number} (USA).sfc").unlink()
    code, data, errors = _scan(cli)
    assert code == 0 and errors == []
    assert (data["missing"], data["missing_held_back"], data["renamed"]) == (20, 0, 10)


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
