"""A file moved from another root, or another folder, into a root or folder the scan holds
back (a download moved "to the NAS" while the share is not mounted: it lands in the empty
mount point) counts as new to it, as a new file there does: its move is not followed, so
the next scan holds it back too instead of finding one of its files there and marking every
other game of the share missing. The game stays where it was recorded, marked missing there
(its old place no longer has it); ``--accept-missing`` confirms the removal and follows the
move."""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import run_subprocess
from tests.test_scan import rom_bytes
from tests.test_scan_held_back_new_files import _scan_interrupted

_Games = dict[int, tuple[str, str, int]]


def _scan(cli: Any, *args: str) -> tuple[int, dict[str, Any], list[str]]:
    envelope = cli("--json", "scan", "--workers", "1", *args).json()
    return (0 if envelope["ok"] else 2), envelope["data"], envelope["errors"]


def _games(db_path: Path) -> _Games:
    """Every game: id -> (root, path in the root, missing)."""
    with sqlite3.connect(db_path) as db:
        return {int(row[0]): (str(row[1]), str(row[2]), int(row[3])) for row in db.execute(
            "SELECT g.id, r.path, g.filepath, g.is_missing FROM games g "
            "JOIN library_roots r ON r.id = g.root_id")}


def _held_back(where: Path, kind: str, root: Path) -> str:
    return (f"{where}: none of its 12 files was found (the {kind} holds only 1 file new to "
            "it, not stored either: if its disk is not mounted, that file was written to its "
            f"mount point, not to the disk): nothing was marked missing; if the "
            f"{kind.removeprefix('library ')} is mounted and they were really removed, scan "
            f"again with --accept-missing: `romrunner scan --accept-missing {root}`")


def _library(cli: Any, db_path: Path, tmp_path: Path, share_first: bool,
             downloads_name: str = "downloads") -> tuple[Path, Path, _Games]:
    """A share of 12 SNES games and a downloads root of 3 (Alpha, the first, in a
    collection), added in that order or the other; returns the share, the downloads root and
    the games as they should stay while the share is away: Alpha marked missing where it was.
    (The roots are written in the order of their paths: ``downloads_name`` puts the
    downloads root before the share or after it.)"""
    share, downloads = tmp_path / "nas", tmp_path / downloads_name
    (share / "SNES").mkdir(parents=True)
    downloads.mkdir()
    for number in range(1, 13):
        (share / "SNES" / f"Game {number} (USA).sfc").write_bytes(rom_bytes(number))
    for number, name in enumerate(("Alpha", "Beta", "Gamma")):
        (downloads / f"{name} (USA).sfc").write_bytes(rom_bytes(100 + number))
    for root in (share, downloads) if share_first else (downloads, share):
        assert cli("library", "add", root).code == 0
    assert cli("scan", "--workers", "1").code == 0
    games = {game_id: (root, path, int(path == "Alpha (USA).sfc"))
             for game_id, (root, path, _) in _games(db_path).items()}
    alpha = next(game_id for game_id, game in games.items() if game[2])
    assert cli("collection", "create", "favs").code == 0
    assert cli("collection", "add", "favs", str(alpha)).code == 0
    return share, downloads, games


def _unmount_and_move_alpha(share: Path, downloads: Path) -> Path:
    """The share unmounted (its mount point empty but for the folder a tool made), and
    Alpha moved from the downloads root to where the share's SNES games go; returns where
    the share's files are while it is away."""
    away = share.with_name("nas.offline")
    share.rename(away)
    (share / "SNES").mkdir(parents=True)
    (downloads / "Alpha (USA).sfc").rename(share / "SNES" / "Alpha (USA).sfc")
    return away


def _check_held_back_twice(cli: Any, db_path: Path, share: Path, downloads: Path,
                           games: _Games) -> None:
    """The share held back, and so the next scan: Alpha marked missing where it was."""
    for first in (True, False):
        code, data, errors = _scan(cli)
        assert code == 2
        assert errors == [_held_back(share, "library root", share)]
        assert (data["missing"], data["missing_held_back"], data["renamed"]) == \
            ((1, 12, 0) if first else (0, 12, 0))
        assert data["missing_files"] == ([str(downloads / "Alpha (USA).sfc")] if first else [])
        assert data["moved_to_copies"] == []
        assert _games(db_path) == games


def test_a_file_moved_into_an_unmounted_share_is_not_followed_there(
        cli: Any, db_path: Path, tmp_path: Path) -> None:
    share, downloads, games = _library(cli, db_path, tmp_path, share_first=False)
    away = _unmount_and_move_alpha(share, downloads)
    _check_held_back_twice(cli, db_path, share, downloads, games)
    favs = cli("--json", "collection", "show", "favs").json()["data"]["games"]
    assert [(game["root"], game["is_missing"]) for game in favs] == [(str(downloads), 1)]

    (share / "SNES" / "Alpha (USA).sfc").unlink()  # (hidden under the share once mounted)
    (share / "SNES").rmdir()
    share.rmdir()
    away.rename(share)  # mounted again: every game of the share where it was
    code, data, errors = _scan(cli)
    assert code == 0 and errors == []
    assert (data["missing"], data["unchanged"]) == (0, 14)
    assert _games(db_path) == games


def test_the_same_whichever_root_is_scanned_first(cli: Any, db_path: Path,
                                                  tmp_path: Path) -> None:
    share, downloads, games = _library(cli, db_path, tmp_path, share_first=True)
    _unmount_and_move_alpha(share, downloads)
    _check_held_back_twice(cli, db_path, share, downloads, games)


def test_a_plain_scan_run_twice_as_a_process_marks_none_of_the_share_missing(
        cli: Any, db_path: Path, tmp_path: Path) -> None:
    """The review's steps, each scan a real ``romrunner scan`` process."""
    share, downloads, games = _library(cli, db_path, tmp_path, share_first=False)
    _unmount_and_move_alpha(share, downloads)
    env: dict[str, str | None] = {"ROMRUNNER_DB": str(db_path), "ROMRUNNER_PACK": None}
    first = run_subprocess("scan", "--workers", "1", env=env)
    again = run_subprocess("scan", "--workers", "1", env=env)
    assert (first.code, again.code) == (2, 2)
    for result in (first, again):
        assert "the library root holds only 1 file new to it" in result.err
        assert "library root is empty" not in result.err
    assert "12 missing" not in again.out and "0 missing" in again.out
    assert _games(db_path) == games


def test_a_real_removal_confirmed_follows_the_move(cli: Any, db_path: Path,
                                                   tmp_path: Path) -> None:
    share, downloads, games = _library(cli, db_path, tmp_path, share_first=False)
    for path in (share / "SNES").iterdir():
        path.unlink()  # really removed
    (downloads / "Alpha (USA).sfc").rename(share / "SNES" / "Alpha (USA).sfc")
    assert _scan(cli)[0] == 2
    code, data, errors = _scan(cli, "--accept-missing")
    assert code == 0 and errors == []
    assert (data["missing"], data["renamed"]) == (12, 1)
    alpha = next(game_id for game_id, game in games.items() if game[2])
    assert _games(db_path)[alpha] == (str(share), "SNES/Alpha (USA).sfc", 0)


def test_a_file_moved_into_an_unmounted_platform_folder_is_not_followed_there(
        cli: Any, db_path: Path, tmp_path: Path) -> None:
    """The same within one root: from its Downloads folder to its SNES folder, whose disk
    is not mounted."""
    root = tmp_path / "lib"
    (root / "SNES").mkdir(parents=True)
    (root / "Downloads").mkdir()
    for number in range(1, 13):
        (root / "SNES" / f"Game {number} (USA).sfc").write_bytes(rom_bytes(number))
    for number, name in enumerate(("Alpha", "Beta")):
        (root / "Downloads" / f"{name} (USA).sfc").write_bytes(rom_bytes(100 + number))
    assert cli("library", "add", root).code == 0
    assert cli("scan", "--workers", "1").code == 0
    games = {game_id: (where, path, int(path == "Downloads/Alpha (USA).sfc"))
             for game_id, (where, path, _) in _games(db_path).items()}
    (root / "SNES").rename(tmp_path / "SNES-disk")
    (root / "SNES").mkdir()  # its disk not mounted
    (root / "Downloads" / "Alpha (USA).sfc").rename(root / "SNES" / "Alpha (USA).sfc")
    for first in (True, False):
        code, data, errors = _scan(cli)
        assert code == 2
        assert errors == [_held_back(root / "SNES", "folder", root)]
        assert (data["missing"], data["missing_held_back"]) == ((1, 12) if first else (0, 12))
        assert _games(db_path) == games


def test_a_file_taken_as_moved_by_its_name_size_and_time_is_put_back_too(
        cli: Any, db_path: Path, tmp_path: Path) -> None:
    """From one SNES folder to another, whose disk is not mounted: the walk takes it as
    moved without reading it (the same name, size and time), before anything is weighed —
    the folder held back all the same, at the first scan and the next."""
    root = tmp_path / "lib"
    (root / "SNES").mkdir(parents=True)
    (root / "sfc").mkdir()
    for number in range(1, 13):
        (root / "SNES" / f"Game {number} (USA).sfc").write_bytes(rom_bytes(number))
    for number, name in enumerate(("Alpha", "Beta")):
        (root / "sfc" / f"{name} (USA).sfc").write_bytes(rom_bytes(100 + number))
    assert cli("library", "add", root).code == 0
    assert cli("scan", "--workers", "1").code == 0
    games = {game_id: (where, path, int(path == "sfc/Alpha (USA).sfc"))
             for game_id, (where, path, _) in _games(db_path).items()}
    (root / "SNES").rename(tmp_path / "SNES-disk")
    (root / "SNES").mkdir()  # its disk not mounted
    (root / "sfc" / "Alpha (USA).sfc").rename(root / "SNES" / "Alpha (USA).sfc")
    for first in (True, False):
        code, data, errors = _scan(cli)
        assert code == 2
        assert errors == [_held_back(root / "SNES", "folder", root)]
        assert (data["missing"], data["missing_held_back"]) == ((1, 12) if first else (0, 12))
        assert (data["renamed"], data["renamed_unread"]) == (0, 0)
        if first:
            assert data["bytes_hashed"] == 0  # (taken as moved unread)
        assert _games(db_path) == games


@pytest.mark.parametrize("share_first", [False, True])
def test_a_file_moved_in_and_followed_by_its_content_holds_the_share_back(
        cli: Any, db_path: Path, tmp_path: Path, share_first: bool) -> None:
    """Alpha moved into the unmounted share, then Beta renamed to Alpha's old name: the scan
    follows the games by their content (Alpha to the share, Beta to Alpha's path), and Alpha
    cannot be put back where Beta is now. The share still counts it as new to it, at this
    scan and the next — which marked every game of the share missing."""
    share, downloads, games = _library(cli, db_path, tmp_path, share_first)
    _unmount_and_move_alpha(share, downloads)
    (downloads / "Beta (USA).sfc").rename(downloads / "Alpha (USA).sfc")
    of_share = {game_id: game for game_id, game in games.items() if game[0] == str(share)}
    for first in (True, False):
        code, data, errors = _scan(cli)
        assert code == 2
        assert errors == [_held_back(share, "library root", share)]
        assert (data["missing"], data["missing_held_back"]) == (0, 12)
        assert data["renamed"] == (2 if first else 0)
        now = _games(db_path)
        assert {game_id: now[game_id] for game_id in of_share} == of_share
    alpha = next(game_id for game_id, game in games.items() if game[2])
    assert _games(db_path)[alpha] == (str(share), "SNES/Alpha (USA).sfc", 0)
    favs = cli("--json", "collection", "show", "favs").json()["data"]["games"]
    assert [game["id"] for game in favs] == [alpha]


def test_a_scan_interrupted_once_it_stored_the_move_holds_the_share_back_next_time(
        cli: Any, db_path: Path, tmp_path: Path, monkeypatch: Any) -> None:
    """Ctrl-C once the share's batch, Alpha's move into its mount point, is committed (the
    share written first, the downloads root's new files next, as their paths sort): the
    scan's end, which puts
    Alpha back, never runs. The next scan found Alpha among the share's files, and marked
    the 12 others missing; it holds the share back, as the scan not interrupted would have,
    and so does the one after. The removal confirmed, the move is followed."""
    share, downloads, games = _library(cli, db_path, tmp_path, share_first=True,
                                       downloads_name="zdownloads")
    _unmount_and_move_alpha(share, downloads)
    for number in (1, 2):
        (downloads / f"New {number} (USA).sfc").write_bytes(rom_bytes(200 + number))
    _scan_interrupted(db_path, monkeypatch)
    alpha = next(game_id for game_id, game in games.items() if game[2])
    assert _games(db_path)[alpha] == (str(share), "SNES/Alpha (USA).sfc", 0)  # committed
    of_share = {game_id: game for game_id, game in games.items() if game[0] == str(share)}
    for _ in range(2):
        code, data, errors = _scan(cli)
        assert code == 2
        assert errors == [_held_back(share, "library root", share)]
        assert (data["missing"], data["missing_held_back"]) == (0, 12)
        now = _games(db_path)
        assert {game_id: now[game_id] for game_id in of_share} == of_share
    code, data, errors = _scan(cli, "--accept-missing")
    assert code == 0 and errors == [] and data["missing"] == 12
    assert _games(db_path)[alpha] == (str(share), "SNES/Alpha (USA).sfc", 0)
    favs = cli("--json", "collection", "show", "favs").json()["data"]["games"]
    assert [game["id"] for game in favs] == [alpha]


def test_an_interrupted_scans_move_into_an_unmounted_platform_folder_is_held_back(
        cli: Any, db_path: Path, tmp_path: Path, monkeypatch: Any) -> None:
    """The same within one root: Alpha moved from ``sfc`` to the SNES folder, whose disk is
    not mounted, taken as moved by its name, size and time (stored as the walk ends), and
    the scan interrupted while it stores new files. The next scan found Alpha among the
    folder's files and marked its 12 others missing; it holds the folder back."""
    root = tmp_path / "lib"
    for folder in ("SNES", "sfc", "zz"):
        (root / folder).mkdir(parents=True)
    for number in range(1, 13):
        (root / "SNES" / f"Game {number} (USA).sfc").write_bytes(rom_bytes(number))
    for number, name in enumerate(("Alpha", "Beta")):
        (root / "sfc" / f"{name} (USA).sfc").write_bytes(rom_bytes(100 + number))
    assert cli("library", "add", root).code == 0
    assert cli("scan", "--workers", "1").code == 0
    games = _games(db_path)
    (root / "SNES").rename(tmp_path / "SNES-disk")
    (root / "SNES").mkdir()  # its disk not mounted
    (root / "sfc" / "Alpha (USA).sfc").rename(root / "SNES" / "Alpha (USA).sfc")
    for number in (1, 2):
        (root / "zz" / f"New {number} (USA).sfc").write_bytes(rom_bytes(200 + number))
    _scan_interrupted(db_path, monkeypatch)
    alpha = next(game_id for game_id, game in games.items() if "Alpha" in game[1])
    assert _games(db_path)[alpha][1] == "SNES/Alpha (USA).sfc"  # (its move stored)
    of_folder = {game_id: game for game_id, game in games.items()
                 if game[1].startswith("SNES/")}
    for _ in range(2):
        code, data, errors = _scan(cli)
        assert code == 2
        assert errors == [_held_back(root / "SNES", "folder", root)]
        assert (data["missing"], data["missing_held_back"]) == (0, 12)
        now = _games(db_path)
        assert {game_id: now[game_id] for game_id in of_folder} == of_folder


def test_a_file_followed_by_its_content_into_an_unmounted_platform_folder_is_held_back(
        cli: Any, db_path: Path, tmp_path: Path) -> None:
    """Within one root, Alpha moved into the SNES folder, whose disk is not mounted, and
    Beta renamed to Alpha's old name: the folder is held back, its root's scan completes,
    and the scans after hold the folder back too (Alpha stays new to it until the folder is
    found again or its removal confirmed)."""
    root = tmp_path / "lib"
    for folder in ("SNES", "sfc"):
        (root / folder).mkdir(parents=True)
    for number in range(1, 13):
        (root / "SNES" / f"Game {number} (USA).sfc").write_bytes(rom_bytes(number))
    for number, name in enumerate(("Alpha", "Beta")):
        (root / "sfc" / f"{name} (USA).sfc").write_bytes(rom_bytes(100 + number))
    assert cli("library", "add", root).code == 0
    assert cli("scan", "--workers", "1").code == 0
    games = _games(db_path)
    (root / "SNES").rename(tmp_path / "SNES-disk")
    (root / "SNES").mkdir()  # its disk not mounted
    (root / "sfc" / "Alpha (USA).sfc").rename(root / "SNES" / "Alpha (USA).sfc")
    (root / "sfc" / "Beta (USA).sfc").rename(root / "sfc" / "Alpha (USA).sfc")
    of_folder = {game_id: game for game_id, game in games.items()
                 if game[1].startswith("SNES/")}
    for scan in range(3):
        code, data, errors = _scan(cli)
        assert code == 2
        assert errors == [_held_back(root / "SNES", "folder", root)]
        assert (data["missing"], data["missing_held_back"]) == (0, 12)
        assert data["renamed"] == (2 if scan == 0 else 0)
        now = _games(db_path)
        assert {game_id: now[game_id] for game_id in of_folder} == of_folder
    code, data, errors = _scan(cli, "--accept-missing")
    assert code == 0 and errors == [] and data["missing"] == 12


@pytest.mark.parametrize("share_first", [False, True])
def test_the_file_moved_out_of_the_unmounted_share_again_leaves_it_held_back(
        cli: Any, db_path: Path, tmp_path: Path, share_first: bool) -> None:
    """review43a F1: once the share was held back with Alpha in it (followed by its content,
    Beta now at Alpha's old path), the user moved the file out of the mount point again, as
    the hold-back says: the next scan counted Alpha among the share's own files (12 gone of
    13) and marked the share's 12 games missing."""
    share, downloads, games = _library(cli, db_path, tmp_path, share_first)
    _unmount_and_move_alpha(share, downloads)
    (downloads / "Beta (USA).sfc").rename(downloads / "Alpha (USA).sfc")
    assert _scan(cli)[0] == 2
    (downloads / "back").mkdir()
    (share / "SNES" / "Alpha (USA).sfc").rename(downloads / "back" / "Alpha (USA).sfc")
    of_share = {game_id: game for game_id, game in games.items() if game[0] == str(share)}
    for _ in range(2):
        code, data, _errors = _scan(cli)
        assert code == 2, data
        assert (data["missing"], data["missing_held_back"]) == (0, 12)
        now = _games(db_path)
        assert {game_id: now[game_id] for game_id in of_share} == of_share


def test_a_copy_stored_by_an_interrupted_scan_and_taken_over_stays_new_to_the_share(
        cli: Any, db_path: Path, tmp_path: Path, monkeypatch: Any) -> None:
    """review43a F2: Alpha copied into the unmounted share's mount point, a scan
    interrupted once it stored the copy, then the original deleted: the next scan has Alpha
    take its copy over (the careful way to move a game), held back — and the scan after
    counted Alpha, unstamped, among the share's own files and marked the 12 others
    missing."""
    from tests.test_scan_follow_content import _scan_interrupted_after

    share, downloads, games = _library(cli, db_path, tmp_path, share_first=False)
    later = tmp_path / "zzz"  # (a root written after the share: the scan stops in it)
    later.mkdir()
    for number in (1, 2):
        (later / f"New {number} (USA).sfc").write_bytes(rom_bytes(200 + number))
    assert cli("library", "add", later).code == 0
    share.rename(share.with_name("nas.offline"))
    (share / "SNES").mkdir(parents=True)
    (share / "SNES" / "Alpha (USA).sfc").write_bytes(
        (downloads / "Alpha (USA).sfc").read_bytes())
    _scan_interrupted_after(db_path, 2, monkeypatch)
    assert any(game[:2] == (str(share), "SNES/Alpha (USA).sfc")
               for game in _games(db_path).values())  # (the copy stored)
    (downloads / "Alpha (USA).sfc").unlink()
    of_share = {game_id: game for game_id, game in games.items() if game[0] == str(share)}
    alpha = next(game_id for game_id, game in games.items() if game[2])
    for _ in range(3):
        code, data, _errors = _scan(cli)
        assert code == 2, data
        assert (data["missing"], data["missing_held_back"]) == (0, 12)
        now = _games(db_path)
        assert {game_id: now[game_id] for game_id in of_share} == of_share
    assert _games(db_path)[alpha][:2] == (str(share), "SNES/Alpha (USA).sfc")


def test_a_curated_new_file_an_interrupted_scan_stored_in_an_unmounted_folder_stays_new(
        cli: Any, db_path: Path, tmp_path: Path, monkeypatch: Any) -> None:
    """review43a F3: a new file in the SNES folder, whose disk is not mounted, stored by an
    interrupted scan and put in a collection: the next scan held the folder back (the file
    kept: curated), its root's scan completed, and the scan after counted the file among the
    folder's own and marked the folder's 12 games missing."""
    root = tmp_path / "lib"
    for folder in ("GBA", "SNES", "zz"):
        (root / folder).mkdir(parents=True)
    for number in range(1, 13):
        (root / "SNES" / f"Game {number} (USA).sfc").write_bytes(rom_bytes(number))
    for number in range(1, 4):  # (found: the root's scan completes, its SNES folder held)
        (root / "GBA" / f"Pocket {number} (USA).gba").write_bytes(rom_bytes(400 + number))
    assert cli("library", "add", root).code == 0
    assert cli("scan", "--workers", "1").code == 0
    games = _games(db_path)
    (root / "SNES").rename(tmp_path / "SNES-disk")
    (root / "SNES").mkdir()  # its disk not mounted
    (root / "SNES" / "Stray (USA).sfc").write_bytes(rom_bytes(300))
    for number in (1, 2):
        (root / "zz" / f"New {number} (USA).sfc").write_bytes(rom_bytes(200 + number))
    _scan_interrupted(db_path, monkeypatch)
    (stray,) = [game_id for game_id, game in _games(db_path).items() if "Stray" in game[1]]
    assert cli("collection", "create", "keep").code == 0
    assert cli("collection", "add", "keep", str(stray)).code == 0
    for _ in range(3):
        code, data, _errors = _scan(cli)
        assert code == 2, data
        assert (data["missing"], data["missing_held_back"]) == (0, 12)
        assert _errors[0].startswith(f"{root / 'SNES'}: none of its 12 files"), _errors
        now = _games(db_path)
        assert {game_id: now[game_id] for game_id in games} == games


def test_new_files_an_interrupted_scan_stored_then_deleted_hold_nothing_back(
        cli: Any, db_path: Path, tmp_path: Path, monkeypatch: Any) -> None:
    """review43d F2: more new files than the root had, stored by an interrupted scan and
    deleted since, were left out of the root's count yet weighed as gone: "none of its 12
    files was found" at every scan, though all 12 were there, and new files turned away."""
    from tests.test_scan_follow_content import _scan_interrupted_after

    root = tmp_path / "lib"
    (root / "SNES").mkdir(parents=True)
    for number in range(1, 13):
        (root / "SNES" / f"Game {number} (USA).sfc").write_bytes(rom_bytes(number))
    assert cli("library", "add", root).code == 0
    assert cli("scan", "--workers", "1").code == 0
    (root / "new").mkdir()
    for number in range(1, 21):
        (root / "new" / f"New {number} (USA).sfc").write_bytes(rom_bytes(600 + number))
    _scan_interrupted_after(db_path, 18, monkeypatch)
    stored = sum(1 for _, path, _ in _games(db_path).values() if path.startswith("new/"))
    assert stored > 12
    for path in (root / "new").iterdir():
        path.unlink()
    code, data, errors = _scan(cli)
    assert code == 0 and errors == [], errors
    assert data["missing"] == stored and data["missing_held_back"] == 0
    assert sum(missing for _, path, missing in _games(db_path).values()
               if path.startswith("SNES/")) == 0
