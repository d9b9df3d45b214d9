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


def _copied_then_deleted(cli: Any, tmp_path: Path, db_path: Path) -> tuple[Path, int, int]:
    """Curated 'Game 0' of root a copied to root b (`cp -p`, the careful move) and scanned:
    a new game; then the original deleted. Returns root b, the game and its copy's ids."""
    first, second = _library(cli, tmp_path)
    game_id = _curate(cli, db_path)
    shutil.copy2(first / "GBA" / "Game 0 (USA).gba", second / "Game 0 (USA).gba")
    assert scan_json(cli)["added"] == 1
    copy_id = max(game for game, _ in _ids(db_path).values())
    assert copy_id > game_id
    (first / "GBA" / "Game 0 (USA).gba").unlink()
    return second, game_id, copy_id


def test_a_game_copied_to_another_disk_then_deleted_moves_to_its_copy(
        cli: Any, tmp_path: Path, db_path: Path) -> None:
    """QA11 N4: the copy carries nothing of its own, so the game takes its file over: its id,
    collection, override and hand-set platform kept; the copy's bare row goes."""
    _, game_id, copy_id = _copied_then_deleted(cli, tmp_path, db_path)
    result = cli("--json", "scan")
    assert result.code == 0, result.err
    data = result.json()["data"]
    assert (data["renamed"], data["missing"], data["added"]) == (1, 0, 0)
    assert data["unchanged"] + data["renamed"] + data["updated"] == data["scanned"]  # QA14
    assert data["moved_to_copies"] == [{"id": game_id, "copy": copy_id}]
    assert data["missing_with_copies"] == []
    assert _rows(db_path, "SELECT id, is_missing, root_id, filepath FROM games WHERE "
                          "filename = 'Game 0 (USA).gba'") == [
        (game_id, 0, 2, "Game 0 (USA).gba")]
    assert _curation_of(cli, db_path, game_id) == ([game_id], "gb", "user", 1)
    assert cli("games", "show", str(copy_id)).code != 0  # the copy's row is gone
    counts = {row["platform_id"]: (row["games"], row["missing"])
              for row in cli("--json", "platforms").json()["data"]}
    assert counts["gb"] == (1, 0)
    # said in the text summary; and a rescan is quiet
    assert scan_json(cli)["renamed"] == 0


@pytest.mark.parametrize("verified", [False, True])
def test_a_zip_copied_to_another_disk_then_deleted_moves_to_its_copy(
        cli: Any, tmp_path: Path, db_path: Path, verified: bool) -> None:
    """QA38 F1: a zip read from its directory has no hash of its own, so its copy (the same
    members) was no copy: the zip's collection stayed on a missing row, the copy unnamed.
    (``verified``: `scan --verify` hashed the original zip, not yet its copy.)"""
    first, second = _library(cli, tmp_path)
    if verified:
        assert cli("scan", "--verify").code == 0
    ((game_id,),) = _rows(db_path, "SELECT id FROM games WHERE filename = 'Zipped (USA).zip'")
    assert cli("collection", "create", "keep").code == 0
    assert cli("collection", "add", "keep", str(game_id)).code == 0
    shutil.copy(first / "GBA" / "Zipped (USA).zip", second / "Zipped (USA).zip")
    assert scan_json(cli)["added"] == 1
    (first / "GBA" / "Zipped (USA).zip").unlink()
    data = scan_json(cli)
    assert (data["renamed"], data["missing"]) == (1, 0)
    assert [item["id"] for item in data["moved_to_copies"]] == [game_id]
    assert _rows(db_path, "SELECT id, is_missing, root_id FROM games WHERE "
                          "filename = 'Zipped (USA).zip'") == [(game_id, 0, 2)]
    shown = cli("--json", "collection", "show", "keep").json()["data"]
    assert [g["id"] for g in shown["games"]] == [game_id]


def test_the_summary_says_a_move_to_a_copy(cli: Any, tmp_path: Path, db_path: Path) -> None:
    _, game_id, copy_id = _copied_then_deleted(cli, tmp_path, db_path)
    said = " ".join(cli("scan").out.split())
    assert (f"1 game not found where it was has a copy stored later: moved to it, ids, "
            f"collections and overrides kept, the copy's own row forgotten (id {game_id} "
            f"takes over id {copy_id})") in said, said


@pytest.mark.parametrize("why", ["curated copy", "two copies", "deployed copy"])
def test_a_copy_with_a_life_of_its_own_is_named_not_merged(
        cli: Any, tmp_path: Path, db_path: Path, why: str) -> None:
    """Where taking the copy over could lose something (its own collection, deploy records),
    or pick one of several, the game stays missing and the summary names its copies."""
    second, game_id, copy_id = _copied_then_deleted(cli, tmp_path, db_path)
    copies = [copy_id]
    if why == "curated copy":
        assert cli("collection", "create", "mine").code == 0
        assert cli("collection", "add", "mine", str(copy_id)).code == 0
    elif why == "two copies":
        shutil.copy2(second / "Game 0 (USA).gba", second / "Game 0 again.gba")
        with sqlite3.connect(db_path) as conn:  # (stored by a scan that missed the delete)
            conn.execute("INSERT INTO games (root_id, filepath, file_size, file_mtime_ns, "
                         "crc32_bin, md5_bin, sha1_bin, platform_id, platform_source) SELECT "
                         "root_id, 'Game 0 again.gba', file_size, file_mtime_ns, crc32_bin, "
                         "md5_bin, sha1_bin, platform_id, platform_source FROM games "
                         "WHERE id = ?", (copy_id,))
        copies.append(max(game for game, _ in _ids(db_path).values()))
    else:
        with sqlite3.connect(db_path) as conn:
            conn.execute("PRAGMA foreign_keys = OFF")
            conn.execute("INSERT INTO deployment_items (deployment_id, seq, kind, game_id, "
                         "source_path, dest_path, file_size, status) VALUES (1, 1, 'rom', ?, "
                         "'x.gba', 'roms/gba/x.gba', 8192, 'copied')", (copy_id,))
    data = cli("--json", "scan").json()["data"]
    assert (data["renamed"], data["missing"]) == (0, 1)
    assert data["moved_to_copies"] == []
    assert data["missing_with_copies"] == [{"id": game_id, "copies": copies}]
    assert _ids(db_path)["Game 0 (USA).gba"] in {(game_id, 1), (copy_id, 0)}
    assert _rows(db_path, "SELECT is_missing FROM games WHERE id = ?", (game_id,)) == [(1,)]
    assert _curation_of(cli, db_path, game_id) == ([game_id], "gb", "user", 1)


def test_the_copies_of_a_vanished_game_are_found_through_the_hash_indexes(
        tmp_path: Path) -> None:
    """One query per vanished game: a scan of the whole games table each (a mass deletion
    at 1M games) would take minutes; the candidates come from the SHA1 and CRC32 + size
    indexes."""
    from romrunner.library import scan as scan_module
    from romrunner.store.open import OpenMode, open_database

    db = open_database(tmp_path / "plan.db", OpenMode.WRITE).db
    plan = [str(row[3]) for row in db.query("EXPLAIN QUERY PLAN " + scan_module._COPIES, (1,))]
    assert not [step for step in plan if step.startswith("SCAN g")], plan
    assert any("idx_games_sha1" in step for step in plan), plan
    assert any("idx_games_crc32_size" in step for step in plan), plan


def test_of_two_vanished_copies_the_curated_one_takes_a_copy_of_another_name(
        cli: Any, tmp_path: Path, db_path: Path) -> None:
    """review52f F4 (across roots): two identical files gone from root a, their content back
    in root b under a third name: the copy the user curated (here the later one) takes it,
    not the first stored; the bare one is missing."""
    first, second = _library(cli, tmp_path)
    bare = _ids(db_path)["Game 0 (USA).gba"][0]
    shutil.copy(first / "GBA" / "Game 0 (USA).gba", first / "GBA" / "Twin.gba")
    scan_json(cli)
    twin = _ids(db_path)["Twin.gba"][0]
    assert twin > bare
    assert cli("collection", "create", "keep").code == 0
    assert cli("collection", "add", "keep", str(twin)).code == 0
    (first / "GBA" / "Game 0 (USA).gba").unlink()
    (first / "GBA" / "Twin.gba").unlink()
    alone = scan_json(cli, str(first))
    assert alone["missing"] == 2
    (second / "Spare.gba").write_bytes(rom_bytes(0, 8192))
    later = scan_json(cli, str(second))
    assert (later["renamed"], later["added"]) == (1, 0), later
    ids = _ids(db_path)
    assert ids["Spare.gba"] == (twin, 0) and ids["Game 0 (USA).gba"] == (bare, 1), ids
