"""A file moved to another library root keeps its game (QA10 F5): its id, collections,
overrides and hand-set platform follow it, whichever root a scan reaches first, and when
the root it left was scanned alone before the one it went to."""

from __future__ import annotations

import shutil
import sqlite3
import zipfile
from pathlib import Path
from typing import Any

import pytest

from tests.test_scan import rom_bytes, scan_json


def _rows(db_path: Path, sql: str, args: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    with sqlite3.connect(db_path) as conn:
        return conn.execute(sql, args).fetchall()


def _ids(db_path: Path) -> dict[str, tuple[int, int]]:
    """{file name: (id, is_missing)} of every game."""
    return {name: (game_id, missing) for name, game_id, missing in
            _rows(db_path, "SELECT filename, id, is_missing FROM games")}


def _library(cli: Any, tmp_path: Path) -> tuple[Path, Path]:
    """Two roots, ``a`` (a GBA folder of 12 games, a zip and a disc sheet with its
    track) and an empty ``b``, scanned once."""
    first, second = tmp_path / "a", tmp_path / "b"
    folder = first / "GBA"
    folder.mkdir(parents=True)
    second.mkdir()
    for i in range(12):
        (folder / f"Game {i} (USA).gba").write_bytes(rom_bytes(i, 8192))
    with zipfile.ZipFile(folder / "Zipped (USA).zip", "w") as archive:
        archive.writestr("Zipped (USA).gba", rom_bytes(50, 8192))
    (folder / "Disc (USA).bin").write_bytes(rom_bytes(60, 2352 * 4))
    (folder / "Disc (USA).cue").write_text(
        'FILE "Disc (USA).bin" BINARY\n  TRACK 01 MODE1/2352\n    INDEX 01 00:00:00\n')
    for path in (first, second):
        assert cli("library", "add", path).code == 0
    assert scan_json(cli)["added"] == 14
    return first, second


def _curate(cli: Any, db_path: Path) -> int:
    """Curate 'Game 0': a collection, an override, its platform set by hand."""
    ((game_id,),) = _rows(db_path, "SELECT id FROM games WHERE filename = 'Game 0 (USA).gba'")
    assert cli("collection", "create", "keep").code == 0
    assert cli("collection", "add", "keep", str(game_id)).code == 0
    assert cli("override", "set", "--game", str(game_id), "--setting", "k=1").code == 0
    assert cli("games", "set-platform", "gb", str(game_id)).code == 0
    return game_id


def _curation_of(cli: Any, db_path: Path, game_id: int) -> tuple[Any, ...]:
    shown = cli("--json", "collection", "show", "keep").json()["data"]
    ((platform, source),) = _rows(db_path, "SELECT platform_id, platform_source FROM games "
                                           "WHERE id = ?", (game_id,))
    overrides = _rows(db_path, "SELECT count(*) FROM game_overrides WHERE game_id = ?", (game_id,))
    return [game["id"] for game in shown["games"]], platform, source, overrides[0][0]


@pytest.mark.parametrize("direction", ["a to b", "b to a"])
def test_a_folder_moved_to_another_root_keeps_its_games_in_one_scan(
        cli: Any, tmp_path: Path, db_path: Path, direction: str) -> None:
    """A whole platform folder (12 games, a zip read from its directory, a disc) moved
    across disks: renamed, none added, none missing, nothing held back; the ids stay (the
    disc's too, with its track), and the curation with them. Both directions: the roots
    are scanned in path order."""
    first, second = _library(cli, tmp_path)
    game_id = _curate(cli, db_path)
    before = _ids(db_path)
    source, target = first, second
    if direction == "b to a":  # the files start in b: move them there, scan, then back
        shutil.move(first / "GBA", second / "GBA")
        assert scan_json(cli)["renamed"] == 14
        source, target = second, first
    shutil.move(source / "GBA", target / "GBA")
    result = scan_json(cli)
    assert (result["renamed"], result["added"], result["missing"]) == (14, 0, 0)
    assert result["missing_held_back"] == 0
    assert _ids(db_path) == before
    assert _rows(db_path, "SELECT f.name, f.file_size FROM game_files f JOIN games g "
                          "ON g.id = f.game_id WHERE g.filename = 'Disc (USA).cue' "
                          "AND f.kind = 'track'") == [("Disc (USA).bin", 2352 * 4)]
    ((root_path,),) = _rows(db_path, "SELECT r.path FROM games g JOIN library_roots r "
                                     "ON r.id = g.root_id WHERE g.id = ?", (game_id,))
    assert Path(root_path) == target
    assert _curation_of(cli, db_path, game_id) == ([game_id], "gb", "user", 1)
    assert scan_json(cli)["unchanged"] == 14  # and the next scan finds nothing to do


def test_a_move_is_found_when_the_root_it_left_was_scanned_first(
        cli: Any, tmp_path: Path, db_path: Path) -> None:
    """`scan a` alone marks the file missing; a later `scan b` finds it there: moved."""
    first, second = _library(cli, tmp_path)
    game_id = _curate(cli, db_path)
    (second / "GBA").mkdir()
    shutil.move(first / "GBA" / "Game 0 (USA).gba", second / "GBA" / "Game 0 (USA).gba")
    alone = scan_json(cli, str(first))
    assert (alone["renamed"], alone["missing"]) == (0, 1)
    later = scan_json(cli, str(second))
    assert (later["renamed"], later["added"], later["missing"]) == (1, 0, 0)
    assert _ids(db_path)["Game 0 (USA).gba"] == (game_id, 0)
    assert _curation_of(cli, db_path, game_id) == ([game_id], "gb", "user", 1)


def test_a_copy_in_another_root_takes_nothing_from_a_file_still_there(
        cli: Any, tmp_path: Path, db_path: Path) -> None:
    """Identical copies: a copy added to another root while the original stays is a new
    game; of two identical files that vanished, the one moved under its own name keeps
    its game (not the other copy's), and the other is missing."""
    first, second = _library(cli, tmp_path)
    game_id = _curate(cli, db_path)
    shutil.copy(first / "GBA" / "Game 0 (USA).gba", second / "Copy.gba")
    copied = scan_json(cli)
    assert (copied["added"], copied["renamed"]) == (1, 0)
    assert _ids(db_path)["Game 0 (USA).gba"] == (game_id, 0)
    (second / "Copy.gba").unlink()
    shutil.copy(first / "GBA" / "Game 0 (USA).gba", first / "GBA" / "Twin.gba")
    scan_json(cli)
    twin = _ids(db_path)["Twin.gba"][0]
    (first / "GBA" / "Game 0 (USA).gba").unlink()  # both copies leave a; the twin to b
    shutil.move(first / "GBA" / "Twin.gba", second / "Twin.gba")
    moved = scan_json(cli)
    assert (moved["renamed"], moved["added"], moved["missing"]) == (1, 0, 1)
    ids = _ids(db_path)
    assert ids["Twin.gba"] == (twin, 0) and ids["Game 0 (USA).gba"] == (game_id, 1)
    assert _curation_of(cli, db_path, game_id) == ([game_id], "gb", "user", 1)
    assert _rows(db_path, "SELECT count(*) FROM collection_games WHERE game_id = ?",
                 (twin,)) == [(0,)]
