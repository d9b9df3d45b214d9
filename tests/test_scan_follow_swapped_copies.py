"""Games follow their content through a swap when one of the swapped contents also had a
copy that was deleted, or moved onto a third file, in the same scan (qa187 F1: neither
swapped game followed; the one in a collection held the other content, and the other's row
was forgotten as "the copy" of the deleted game, a content it never had)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.test_scan import rom_bytes, scan_json
from tests.test_scan_follow_content import _curate, _kept, _rows, _sha1_of, _swap, _where, _write

_TETRIS = "gb/Tetris (World).gb"
_CAFE = "gb/Cafe (France).gb"
_BACKUP = "GB/tetris back.gb"
_KIRBY = "GB/Kirby.gb"


def _library(cli: Any, tmp_path: Path, db_path: Path) -> tuple[Path, dict[str, int]]:
    """Tetris and Café in `gb/`; a copy of Tetris and Kirby in `GB/`; scanned: the root and
    the games by path."""
    root = tmp_path / "roms"
    (root / "gb").mkdir(parents=True)
    (root / "GB").mkdir()
    tetris = rom_bytes(1, 32768)
    for i, (path, data) in enumerate(((_TETRIS, tetris), (_CAFE, rom_bytes(2, 32768)),
                                      (_BACKUP, tetris), (_KIRBY, rom_bytes(3, 32768)))):
        _write(root / path, data, 1_700_000_000 + i * 100)
    assert cli("library", "add", root).code == 0
    assert scan_json(cli)["added"] == 4
    ids = {path: int(game_id) for game_id, path in _rows(db_path,
                                                         "SELECT id, filepath FROM games")}
    return root, ids


@pytest.mark.parametrize("curated", [True, False])
def test_files_that_swap_names_while_a_copy_of_one_is_deleted_keep_their_games(
        cli: Any, tmp_path: Path, db_path: Path, curated: bool) -> None:
    """Tetris and Café swap names and Tetris's copy is deleted: each swapped game follows its
    content (the Tetris game, of the copy's root, whose file was rewritten, before the deleted
    copy), the copy is missing with the Tetris game named as its copy, no row forgotten."""
    root, ids = _library(cli, tmp_path, db_path)
    tetris, cafe, backup = ids[_TETRIS], ids[_CAFE], ids[_BACKUP]
    tetris_sha1 = _sha1_of(db_path, tetris)
    if curated:
        _curate(cli, tetris)
    _swap(root / _TETRIS, root / _CAFE)
    (root / _BACKUP).unlink()
    summary = scan_json(cli)
    assert summary["moved_to_copies"] == []
    assert (summary["renamed"], summary["updated"], summary["added"], summary["missing"]) \
        == (2, 0, 0, 1)
    assert {item["id"]: item["to"] for item in summary["followed_content"]} == {
        tetris: _CAFE, cafe: _TETRIS}
    assert summary["missing_with_copies"] == [{"id": backup, "copies": [tetris]}]
    where = _where(db_path)
    assert (where[tetris], where[cafe], where[backup]) == (
        ("Cafe (France).gb", 0), ("Tetris (World).gb", 0), ("tetris back.gb", 1))
    assert _sha1_of(db_path, tetris) == tetris_sha1
    if curated:
        assert _kept(cli) == [(tetris, "Cafe (France).gb")]


def test_files_that_swap_names_while_a_copy_of_one_is_moved_onto_a_third_keep_their_games(
        cli: Any, tmp_path: Path, db_path: Path) -> None:
    """Tetris and Café swap names and Tetris's copy is moved onto Kirby (`mv`): each game
    follows its content, the copy's game of its folder to Kirby's file; Kirby's game, its
    content nowhere, is missing (overwritten), nothing "updated"."""
    root, ids = _library(cli, tmp_path, db_path)
    _swap(root / _TETRIS, root / _CAFE)
    (root / _BACKUP).replace(root / _KIRBY)
    summary = scan_json(cli)
    assert (summary["renamed"], summary["updated"], summary["added"], summary["missing"]) \
        == (3, 0, 0, 1)
    assert {item["id"]: item["to"] for item in summary["followed_content"]} == {
        ids[_TETRIS]: _CAFE, ids[_CAFE]: _TETRIS, ids[_BACKUP]: _KIRBY}
    assert summary["overwritten"] == [{"id": ids[_KIRBY], "by": ids[_BACKUP]}]
    assert summary["moved_to_copies"] == []
    where = _where(db_path)
    assert (where[ids[_TETRIS]], where[ids[_CAFE]], where[ids[_BACKUP]]) == (
        ("Cafe (France).gb", 0), ("Tetris (World).gb", 0), ("Kirby.gb", 0))
    assert where[ids[_KIRBY]][1] == 1


def test_of_two_games_of_one_content_the_curated_one_follows_it_through_a_swap(
        cli: Any, tmp_path: Path, db_path: Path) -> None:
    """The copy in a collection deleted, the plain Tetris swapped with Café: the curated game
    takes the file its content is in now (as of two vanished copies, the curated one takes
    a renamed file); the plain one, its file holding Café's content, is missing with its
    copy named; Café's game follows its content."""
    root, ids = _library(cli, tmp_path, db_path)
    tetris, cafe, backup = ids[_TETRIS], ids[_CAFE], ids[_BACKUP]
    _curate(cli, backup)
    _swap(root / _TETRIS, root / _CAFE)
    (root / _BACKUP).unlink()
    summary = scan_json(cli)
    assert summary["moved_to_copies"] == []
    assert summary["overwritten"] == [{"id": tetris, "by": cafe}]
    assert summary["missing_with_copies"] == [{"id": tetris, "copies": [backup]}]
    where = _where(db_path)
    assert (where[backup], where[cafe]) == (("Cafe (France).gb", 0), ("Tetris (World).gb", 0))
    assert where[tetris][1] == 1
    assert _kept(cli) == [(backup, "Cafe (France).gb")]


def test_a_file_given_a_deleted_copys_content_is_that_copy_moved_not_a_copy_of_it(
        cli: Any, tmp_path: Path, db_path: Path) -> None:
    """Tetris upgraded in place (new content), its copy deleted, Café's file rewritten with
    Tetris's old content: the copy's game follows to Café's file (as `mv` onto it), Café's
    game, its content nowhere, is missing, its row kept; not Café's row forgotten as a
    copy of the deleted game (its game never had that content)."""
    root, ids = _library(cli, tmp_path, db_path)
    tetris, cafe, backup = ids[_TETRIS], ids[_CAFE], ids[_BACKUP]
    old_tetris = (root / _TETRIS).read_bytes()
    (root / _BACKUP).unlink()
    _write(root / _CAFE, old_tetris, 1_800_000_000)
    _write(root / _TETRIS, rom_bytes(9, 32768), 1_800_000_100)
    summary = scan_json(cli)
    assert summary["moved_to_copies"] == []
    assert summary["followed_content"] == [{"id": backup, "from": _BACKUP, "to": _CAFE,
                                             "overwritten_before": False}]
    assert summary["overwritten"] == [{"id": cafe, "by": backup}]
    where = _where(db_path)
    assert (where[tetris], where[backup]) == (("Tetris (World).gb", 0), ("Cafe (France).gb", 0))
    assert where[cafe][1] == 1
    assert (summary["renamed"], summary["updated"], summary["missing"]) == (1, 1, 1)


def test_a_game_overwritten_by_an_earlier_scan_takes_no_file_a_swap_only_renamed(
        cli: Any, tmp_path: Path, db_path: Path) -> None:
    """review40 F3: a curated game an earlier scan found overwritten (missing, its content in
    a copy elsewhere) took the file of that copy when the copy was swapped with another file,
    and the copy's game — its file only renamed — was said "overwritten" and marked missing.
    The games of this scan's swap follow their content; the old row stays missing."""
    root = tmp_path / "roms"
    (root / "gb" / "x").mkdir(parents=True)
    tetris = rom_bytes(1, 32768)
    _write(root / "gb/x/tetris back.gb", tetris, 1_700_000_300)
    assert cli("library", "add", root).code == 0
    scan_json(cli)
    for path, data, mtime in (("gb/Tetris.gb", tetris, 1_700_000_000),
                              ("gb/Cafe.gb", rom_bytes(2, 32768), 1_700_000_100),
                              ("gb/Other.gb", rom_bytes(3, 32768), 1_700_000_200)):
        _write(root / path, data, mtime)
    scan_json(cli)
    ids = {path: int(game_id) for game_id, path in _rows(db_path,
                                                         "SELECT id, filepath FROM games")}
    _curate(cli, ids["gb/Tetris.gb"])
    (root / "gb/Other.gb").rename(root / "gb/Tetris.gb")  # (Tetris's game: overwritten)
    scan_json(cli)
    assert _where(db_path)[ids["gb/Tetris.gb"]][1] == 1
    _swap(root / "gb/x/tetris back.gb", root / "gb/Cafe.gb")
    summary = scan_json(cli)
    assert summary["overwritten"] == [], summary["overwritten"]
    assert {item["id"]: item["to"] for item in summary["followed_content"]} == {
        ids["gb/x/tetris back.gb"]: "gb/Cafe.gb", ids["gb/Cafe.gb"]: "gb/x/tetris back.gb"}
    where = _where(db_path)
    assert where[ids["gb/x/tetris back.gb"]] == ("Cafe.gb", 0)
    assert where[ids["gb/Tetris.gb"]][1] == 1
