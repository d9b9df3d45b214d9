"""A root or platform folder none of whose recorded files is found is held back whatever
new files appear beside them (a download written into an unmounted share's empty mount
point): the rules weigh the files still gone against what the root or folder held before
the scan, not against it and the new files (qa192: one new file, and every game was marked
missing, its copies in another root taking over its id and collections). The new files of
what is held back are not stored either, so the next scan holds it back too, and the disk
mounted again finds every game with its id; a real removal is still confirmed by
``--accept-missing``."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from romrunner.library import scan as scan_module
from romrunner.packs import load_pack
from romrunner.store import Database
from tests.test_scan import rom_bytes


def _scan(cli: Any, *args: str) -> tuple[int, dict[str, Any], list[str]]:
    envelope = cli("--json", "scan", "--workers", "1", *args).json()
    return (0 if envelope["ok"] else 2), envelope["data"], envelope["errors"]


def _games(cli: Any) -> dict[int, tuple[str, str, int]]:
    """Every game: id -> (root, file name, missing)."""
    listed = cli("--json", "games", "ls", "--limit", "1000").json()["data"]["games"]
    return {game["id"]: (game["root"], game["filename"], game["is_missing"])
            for game in listed}


def _share(cli: Any, tmp_path: Path) -> tuple[Path, Path, dict[int, tuple[str, str, int]]]:
    """A share of 12 SNES games, a backup root holding copies of two of them (stored
    later), the first game in a collection; returns the share, where it goes when
    unmounted, and the games."""
    share, backup = tmp_path / "nas", tmp_path / "backup"
    (share / "SNES").mkdir(parents=True)
    (backup / "SNES").mkdir(parents=True)
    for number in range(1, 13):
        (share / "SNES" / f"Game {number} (USA).sfc").write_bytes(rom_bytes(number))
    assert cli("library", "add", share).code == 0
    assert cli("scan", "--workers", "1").code == 0
    for number in (1, 2):
        (backup / "SNES" / f"Game {number} (USA).sfc").write_bytes(rom_bytes(number))
    assert cli("library", "add", backup).code == 0
    assert cli("scan", "--workers", "1", backup).code == 0
    assert cli("collection", "create", "favs").code == 0
    assert cli("collection", "add", "favs", "1").code == 0
    return share, tmp_path / "nas.offline", _games(cli)


def test_one_new_file_in_an_unmounted_shares_mount_point_changes_nothing(
        cli: Any, tmp_path: Path) -> None:
    share, away, games = _share(cli, tmp_path)
    share.rename(away)
    (share / "SNES").mkdir(parents=True)  # the empty mount point
    assert _scan(cli)[0] == 2
    (share / "SNES" / "New (USA).sfc").write_bytes(rom_bytes(99))  # a download lands there
    for _ in range(2):  # the same the next time: the new file was not stored
        code, data, errors = _scan(cli)
        assert code == 2
        assert (data["missing"], data["missing_held_back"], data["added"]) == (0, 12, 0)
        assert data["moved_to_copies"] == []
        assert errors == [
            f"{share}: none of its 12 files was found (the library root holds only 1 file "
            "new to it, not stored either: if its disk is not mounted, that file was written "
            "to its mount point, not to the disk): nothing was marked missing; if the root "
            "is mounted and they were really removed, scan again with --accept-missing: "
        f"`romrunner scan --accept-missing {share}`"]
        assert _games(cli) == games
    favs = cli("--json", "collection", "show", "favs").json()["data"]["games"]
    assert [(game["id"], game["root"]) for game in favs] == [(1, str(share))]

    (share / "SNES" / "New (USA).sfc").unlink()
    (share / "SNES").rmdir()
    share.rmdir()
    away.rename(share)  # mounted again: every game where it was, with its id
    code, data, errors = _scan(cli)
    assert code == 0 and errors == []
    assert (data["unchanged"], data["added"], data["missing"]) == (14, 0, 0)
    assert _games(cli) == games


def test_all_removed_and_one_added_is_confirmed_by_accept_missing(
        cli: Any, tmp_path: Path) -> None:
    share, _, games = _share(cli, tmp_path)
    for path in (share / "SNES").iterdir():
        path.unlink()  # really removed
    (share / "SNES" / "New (USA).sfc").write_bytes(rom_bytes(99))
    code, data, _ = _scan(cli)
    assert code == 2 and (data["missing"], data["added"]) == (0, 0)
    code, data, errors = _scan(cli, "--accept-missing")
    assert code == 0 and errors == []
    assert (data["added"], data["missing"]) == (1, 10)  # two moved to their copies
    assert len(data["moved_to_copies"]) == 2
    now = _games(cli)
    assert sorted(name for root, name, missing in now.values()
                  if root == str(share) and not missing) == ["New (USA).sfc"]
    copied = {game_id for game_id, (_, name, _) in games.items()
              if name in {"Game 1 (USA).sfc", "Game 2 (USA).sfc"} and game_id <= 12}
    assert {now[game_id][0] for game_id in copied} == {str(tmp_path / "backup")}


def test_an_unmounted_platform_folder_with_one_new_file_is_held_back(
        cli: Any, tmp_path: Path) -> None:
    root = tmp_path / "lib"
    for folder, count, extension in (("SNES", 12, "sfc"), ("GBA", 3, "gba")):
        (root / folder).mkdir(parents=True)
        for number in range(count):
            (root / folder / f"{folder} {number} (USA).{extension}").write_bytes(
                rom_bytes(number * 31 + count))
    assert cli("library", "add", root).code == 0
    assert cli("scan", "--workers", "1").code == 0
    games = _games(cli)
    (root / "SNES").rename(tmp_path / "SNES-disk")
    (root / "SNES").mkdir()  # its disk not mounted
    (root / "SNES" / "New (USA).sfc").write_bytes(rom_bytes(-1))
    (root / "GBA" / "New (USA).gba").write_bytes(rom_bytes(-2))  # a new game elsewhere
    for _ in range(2):
        code, data, errors = _scan(cli)
        assert code == 2 and (data["missing"], data["missing_held_back"]) == (0, 12)
        assert errors == [
            f"{root / 'SNES'}: none of its 12 files was found (the folder holds only 1 file "
            "new to it, not stored either: if its disk is not mounted, that file was written "
            "to its mount point, not to the disk): nothing was marked missing; if the folder "
            "is mounted and they were really removed, scan again with --accept-missing: "
        f"`romrunner scan --accept-missing {root}`"]
        now = _games(cli)
        assert {key: now[key] for key in games} == games
        assert sorted(name for _, name, _ in now.values() if "New" in name) == ["New (USA).gba"]


def test_more_than_half_gone_is_weighed_against_the_files_held_before(
        cli: Any, tmp_path: Path) -> None:
    """120 files, 110 of them gone and 120 new ones: more than half of the root's files
    were not found, whatever the new ones (another disk mounted there?)."""
    root = tmp_path / "lib"
    root.mkdir()
    for number in range(120):
        (root / f"Game {number} (USA).gba").write_bytes(rom_bytes(number, 64))
    assert cli("library", "add", root).code == 0
    assert cli("scan", "--workers", "1").code == 0
    for number in range(110):
        (root / f"Game {number} (USA).gba").unlink()
    for number in range(120):
        (root / f"Other {number} (USA).gba").write_bytes(rom_bytes(-number - 1, 64))
    code, data, errors = _scan(cli)
    assert code == 2 and (data["missing"], data["missing_held_back"]) == (0, 110)
    assert data["added"] == 0
    assert errors == [
        f"{root}: 110 of 120 files were not found (more than half of the library root; the "
        "library root holds 120 files new to it, not stored either: if its disk is not "
        "mounted, those files were written to its mount point, not to the disk): nothing "
        "was marked missing; if the root is mounted and they were really removed, scan "
        f"again with --accept-missing: `romrunner scan --accept-missing {root}`"]
    code, data, _ = _scan(cli, "--accept-missing")
    assert code == 0 and (data["missing"], data["added"]) == (110, 120)


def test_a_root_of_a_few_games_all_replaced_by_new_ones_is_a_change_not_a_disk_away(
        cli: Any, tmp_path: Path) -> None:
    """Three ROMs swapped for other dumps in a root of three games: under 10 games, new files
    beside the gone ones are the library changed (the tests of saves on a card did so), not a
    disk away; an empty root of the same is still held back."""
    root = tmp_path / "lib"
    (root / "gb").mkdir(parents=True)
    for number in range(3):
        (root / "gb" / f"Old {number} (USA).gb").write_bytes(rom_bytes(number))
    assert cli("library", "add", root).code == 0
    assert cli("scan", "--workers", "1").code == 0
    for number in range(3):
        (root / "gb" / f"Old {number} (USA).gb").unlink()
    assert _scan(cli)[0] == 2  # empty: held back
    for number in (10, 11):
        (root / "gb" / f"New {number} (USA).gb").write_bytes(rom_bytes(number))
    code, data, _ = _scan(cli)
    assert code == 0
    assert (data["missing"], data["added"]) == (3, 2)


def _scan_interrupted(db_path: Path, monkeypatch: Any) -> None:
    """A scan (one file per committed batch) interrupted as its second file comes (Ctrl-C
    while another file is hashed, a kill): the first file's batch is committed, the scan's
    end — which takes back the new files of what it holds back — never runs."""
    def interrupt(done: int, *_: int) -> None:
        if done == 2:
            raise KeyboardInterrupt

    db = Database(db_path)
    with monkeypatch.context() as patched:
        patched.setattr(scan_module, "BATCH_SIZE", 1)
        try:
            scan_module.scan_library(db, load_pack(), workers=1, progress=interrupt)
        except KeyboardInterrupt:
            pass
        else:
            raise AssertionError("the scan was not interrupted")
        finally:
            db.close()


def _held_new(games: dict[int, tuple[str, str, int]]) -> list[str]:
    return sorted(name for _, name, _ in games.values() if name.startswith("New"))


def test_a_scan_interrupted_after_storing_a_new_file_in_the_mount_point_changes_nothing(
        cli: Any, tmp_path: Path, db_path: Path, monkeypatch: Any) -> None:
    """A scan interrupted after it committed the new file of an unmounted share's mount
    point ("`romrunner scan` again carries on"): the next scan counted that file among the
    share's recorded files, found it, and marked every other game missing, the backup's
    copies taking over two ids and the collection. Held back as without the interruption."""
    share, away, games = _share(cli, tmp_path)
    share.rename(away)
    (share / "SNES").mkdir(parents=True)
    for name, seed in (("New (USA).sfc", 99), ("New 2 (USA).sfc", 98)):
        (share / "SNES" / name).write_bytes(rom_bytes(seed))
    _scan_interrupted(db_path, monkeypatch)
    assert _held_new(_games(cli)) == ["New (USA).sfc"]  # committed
    for _ in range(2):
        code, data, errors = _scan(cli)
        assert code == 2
        assert (data["missing"], data["missing_held_back"], data["added"]) == (0, 12, 0)
        assert data["moved_to_copies"] == []
        assert errors == [
            f"{share}: none of its 12 files was found (the library root holds only 2 files "
            "new to it, not stored either: if its disk is not mounted, those files were "
            "written to its mount point, not to the disk): nothing was marked missing; if the "
            "root is mounted and they were really removed, scan again with --accept-missing: "
            f"`romrunner scan --accept-missing {share}`"]
        assert _games(cli) == games
    favs = cli("--json", "collection", "show", "favs").json()["data"]["games"]
    assert [(game["id"], game["root"]) for game in favs] == [(1, str(share))]
    code, data, _ = _scan(cli, "--accept-missing", str(share))  # really removed: confirmed
    assert code == 0 and (data["added"], data["missing"]) == (2, 10)
    assert _held_new(_games(cli)) == ["New (USA).sfc", "New 2 (USA).sfc"]


def test_an_interrupted_scans_new_file_in_an_unmounted_platform_folder_is_held_back(
        cli: Any, tmp_path: Path, db_path: Path, monkeypatch: Any) -> None:
    root = tmp_path / "lib"
    for folder, count, extension in (("SNES", 12, "sfc"), ("GBA", 3, "gba")):
        (root / folder).mkdir(parents=True)
        for number in range(count):
            (root / folder / f"{folder} {number} (USA).{extension}").write_bytes(
                rom_bytes(number * 31 + count))
    assert cli("library", "add", root).code == 0
    assert cli("scan", "--workers", "1").code == 0
    games = _games(cli)
    (root / "SNES").rename(tmp_path / "SNES-disk")
    (root / "SNES").mkdir()  # its disk not mounted
    (root / "SNES" / "New (USA).sfc").write_bytes(rom_bytes(-1))
    (root / "SNES" / "New 2 (USA).sfc").write_bytes(rom_bytes(-2))
    _scan_interrupted(db_path, monkeypatch)
    assert _held_new(_games(cli)) == ["New (USA).sfc"]
    for _ in range(2):
        code, data, errors = _scan(cli)
        assert code == 2 and (data["missing"], data["missing_held_back"]) == (0, 12)
        assert errors == [
            f"{root / 'SNES'}: none of its 12 files was found (the folder holds only 2 files "
            "new to it, not stored either: if its disk is not mounted, those files were "
            "written to its mount point, not to the disk): nothing was marked missing; if the "
            "folder is mounted and they were really removed, scan again with --accept-missing: "
            f"`romrunner scan --accept-missing {root}`"]
        assert _games(cli) == games


def test_an_interrupted_scans_new_file_curated_since_stays_while_held_back(
        cli: Any, tmp_path: Path, db_path: Path, monkeypatch: Any) -> None:
    """The game an interrupted scan stored in the mount point, put in a collection since: the
    hold-back does not forget it (the user's work), and counts it new all the same."""
    share, away, games = _share(cli, tmp_path)
    share.rename(away)
    (share / "SNES").mkdir(parents=True)
    for name, seed in (("New (USA).sfc", 99), ("New 2 (USA).sfc", 98)):
        (share / "SNES" / name).write_bytes(rom_bytes(seed))
    _scan_interrupted(db_path, monkeypatch)
    stored = [game_id for game_id, (_, name, _) in _games(cli).items() if name.startswith("New")]
    assert cli("collection", "add", "favs", str(stored[0])).code == 0
    for _ in range(2):
        code, data, _ = _scan(cli)
        assert code == 2 and (data["missing"], data["missing_held_back"]) == (0, 12)
        assert _games(cli) == {**games, stored[0]: (str(share), "New (USA).sfc", 0)}


def test_a_file_a_completed_scan_stored_is_one_of_the_roots_files(
        cli: Any, tmp_path: Path) -> None:
    """A file stored by the root's last completed scan, in its last second too, is one of its
    files, not a new one: found while the others were really removed, the root is not held
    back and they are marked missing (only an interrupted scan's are new)."""
    root = tmp_path / "lib"
    (root / "SNES").mkdir(parents=True)
    for number in range(12):
        (root / "SNES" / f"Game {number} (USA).sfc").write_bytes(rom_bytes(number))
    assert cli("library", "add", root).code == 0
    assert cli("scan", "--workers", "1").code == 0
    (root / "SNES" / "Kept (USA).sfc").write_bytes(rom_bytes(50))
    assert cli("scan", "--workers", "1").code == 0
    for number in range(12):
        (root / "SNES" / f"Game {number} (USA).sfc").unlink()
    code, data, errors = _scan(cli)
    assert code == 0 and errors == []
    assert (data["missing"], data["missing_held_back"], data["unchanged"]) == (12, 0, 1)
