"""Library roots: a root never lies inside another (each file would be a game twice)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest


@pytest.fixture
def tree(tmp_path: Path) -> dict[str, Path]:
    """Folders: roms/, roms/snes/, roms2/ (a sibling sharing a name prefix), elsewhere/."""
    paths = {name: tmp_path / name for name in ("roms", "roms/snes", "roms2", "elsewhere")}
    for path in paths.values():
        path.mkdir(parents=True, exist_ok=True)
    (paths["roms/snes"] / "Game (USA).sfc").write_bytes(b"\x01" * 4096)
    return paths


def roots(cli: Any) -> list[str]:
    result = cli("--json", "library", "ls")
    assert result.code == 0, result.err
    return [row["path"] for row in result.json()["data"]]


def refused(result: Any, *names: Path) -> None:
    """A one-line error naming every path in ``names``."""
    assert result.code == 2, result.out
    lines = result.err.strip().splitlines()
    assert len(lines) == 1, result.err
    for name in names:
        assert str(name) in lines[0], (name, lines[0])


def test_a_root_inside_a_root_is_refused_naming_both(cli: Any, tree: dict[str, Path]) -> None:
    assert cli("library", "add", tree["roms"]).code == 0
    refused(cli("library", "add", tree["roms/snes"]), tree["roms/snes"], tree["roms"])
    assert roots(cli) == [str(tree["roms"])]


def test_a_root_around_a_root_is_refused_naming_both(cli: Any, tree: dict[str, Path]) -> None:
    assert cli("library", "add", tree["roms/snes"]).code == 0
    refused(cli("library", "add", tree["roms"]), tree["roms"], tree["roms/snes"])
    assert roots(cli) == [str(tree["roms/snes"])]


def test_nesting_is_seen_through_symlinks(cli: Any, tree: dict[str, Path],
                                          tmp_path: Path) -> None:
    assert cli("library", "add", tree["roms"]).code == 0
    link = tmp_path / "shortcut"
    link.symlink_to(tree["roms/snes"])
    refused(cli("library", "add", link), tree["roms/snes"], tree["roms"])
    around = tmp_path / "around"
    around.symlink_to(tmp_path)
    refused(cli("library", "add", around), tmp_path, tree["roms"])
    assert roots(cli) == [str(tree["roms"])]


def test_the_same_folders_by_another_path_are_refused(cli: Any, tree: dict[str, Path],
                                                     tmp_path: Path) -> None:
    """QA33 F27: one folder reached by two paths (a bind mount, a share mounted twice)
    became two roots: every file two games, and `games dupes` called the only copy
    "reclaimable". Here the root's stored path became a link to where the folder went (its
    resolved path shares no text with the stored one), as a bind mount would look."""
    assert cli("library", "add", tree["roms"]).code == 0
    moved = tmp_path / "disk" / "roms"
    moved.parent.mkdir()
    tree["roms"].rename(moved)
    tree["roms"].symlink_to(moved, target_is_directory=True)
    for path, says in ((moved, "is the library root"), (moved / "snes", "inside the library root"),
                       (tmp_path / "disk", "holds the library root")):
        result = cli("library", "add", path)
        refused(result, path, tree["roms"])
        assert says in result.err and "by another path" in result.err, result.err
    assert roots(cli) == [str(tree["roms"])]


def test_siblings_and_the_same_root_again_are_fine(cli: Any, tree: dict[str, Path]) -> None:
    assert cli("library", "add", tree["roms"]).code == 0
    assert cli("library", "add", tree["roms2"]).code == 0  # "roms" is a prefix of the name
    assert cli("library", "add", tree["roms"]).code == 0   # already there: nothing new
    assert roots(cli) == [str(tree["roms"]), str(tree["roms2"])]


def test_a_scan_of_refused_nesting_counts_each_file_once(cli: Any,
                                                         tree: dict[str, Path]) -> None:
    cli("library", "add", tree["roms"])
    cli("library", "add", tree["roms/snes"])
    scanned = cli("--json", "scan", "--workers", "1")
    assert scanned.code == 0, scanned.err
    assert len(cli("--json", "games", "ls").json()["data"]["games"]) == 1


def test_move_into_or_around_another_root_is_refused(cli: Any, tree: dict[str, Path],
                                                     tmp_path: Path) -> None:
    cli("library", "add", tree["roms"])
    cli("library", "add", tree["elsewhere"])
    inside = tree["roms/snes"]
    refused(cli("library", "move", tree["elsewhere"], inside), inside, tree["roms"])
    refused(cli("library", "move", tree["elsewhere"], tmp_path), tmp_path, tree["roms"])
    assert roots(cli) == [str(tree["elsewhere"]), str(tree["roms"])]
    # A root may move below its own old place: the old place is no longer a root.
    below = tree["elsewhere"] / "moved"
    below.mkdir()
    assert cli("library", "move", tree["elsewhere"], below).code == 0
    assert roots(cli) == [str(below), str(tree["roms"])]


def test_a_symlink_loop_is_a_one_line_error(cli: Any, tmp_path: Path) -> None:
    loop = tmp_path / "loop"
    loop.symlink_to(loop)
    result = cli("library", "add", loop)
    refused(result, loop)
    assert "internal error" not in result.err


def test_rm_of_a_root_with_curation_says_what_would_be_lost(cli: Any, tree: dict[str, Path],
                                                            tmp_path: Path) -> None:
    (tree["roms/snes"] / "Other (USA).sfc").write_bytes(b"\x02" * 4096)
    assert cli("library", "add", tree["roms"]).code == 0
    assert cli("scan", "--workers", "1").code == 0
    games = {g["filename"]: g["id"] for g in
             cli("--json", "games", "ls").json()["data"]["games"]}
    assert cli("collection", "add", "favorites", str(games["Game (USA).sfc"])).code == 0
    assert cli("override", "set", "--game", str(games["Other (USA).sfc"]), "--exclude").code == 0
    refused(cli("library", "rm", tree["roms"]), tree["roms"])
    err = cli("library", "rm", tree["roms"]).err
    assert "1 in collections ('favorites'); 1 with overrides" in err
    assert "library move" in err and "--force" in err
    assert roots(cli) == [str(tree["roms"])]
    assert cli("--json", "collection", "show", "favorites").json()["data"]["total"] == 1
    forced = cli("--json", "library", "rm", tree["roms"], "--force")
    assert forced.code == 0, forced.err
    data = forced.json()["data"]
    assert (data["games_forgotten"], data["in_collections"], data["overrides"]) == (2, 1, 1)
    assert roots(cli) == []


def test_rm_of_a_root_nothing_curated_needs_no_force(cli: Any, tree: dict[str, Path]) -> None:
    assert cli("library", "add", tree["roms"]).code == 0
    assert cli("scan", "--workers", "1").code == 0
    result = cli("library", "rm", tree["roms"])
    assert result.code == 0 and "forgot" in result.out
    assert roots(cli) == []


def test_a_move_to_a_place_without_the_root_s_files_is_refused(
        cli: Any, tree: dict[str, Path], tmp_path: Path) -> None:
    """QA23 P2: `library move roms empty` (a mistyped NEW) said "1 game kept", and the next
    scan held the root back; NEW must hold some of its files, unless --force."""
    assert cli("library", "add", tree["roms"]).code == 0
    assert cli("scan", "--workers", "1").code == 0
    empty = tmp_path / "empty"
    empty.mkdir()
    result = cli("library", "move", tree["roms"], empty)
    refused(result, empty)
    assert "snes/Game (USA).sfc" in result.err and "--force" in result.err
    assert roots(cli) == [str(tree["roms"])]
    moved = tmp_path / "moved"
    tree["roms"].rename(moved)
    assert cli("library", "move", tree["roms"], moved).code == 0
    assert roots(cli) == [str(moved)]
    assert cli("library", "move", moved, empty, "--force").code == 0
    assert roots(cli) == [str(empty)]


def test_the_bios_files_under_a_moved_root_follow_it(cli: Any, tree: dict[str, Path],
                                                     tmp_path: Path) -> None:
    """QA52 note: after `library move` (a share mounted elsewhere), the BIOS files `bios
    scan` recorded under the old place were missing until the new one was scanned."""
    from romrunner.bios.example import build_example_bios
    from romrunner.packs.loader import builtin_pack_path
    made, pack, _ = build_example_bios(tmp_path / "example", builtin_pack_path())
    bios = made.rename(tree["roms"] / "bios")  # (the BIOS folder inside the library's)
    assert cli("--pack", pack, "library", "add", tree["roms"]).code == 0
    assert cli("--pack", pack, "scan", "--workers", "1").code == 0
    assert cli("--pack", pack, "bios", "scan", bios).code == 0

    def present() -> list[str]:
        check = cli("--pack", pack, "--json", "bios", "check", "--platform", "nes")
        return [row["filepath"] for group in check.json()["data"]["groups"]
                for row in group["present"]]

    assert present() == [str(bios / "example-nes-boot.bin")]
    moved = tmp_path / "moved"
    tree["roms"].rename(moved)
    result = cli("--pack", pack, "--json", "library", "move", tree["roms"], moved)
    assert result.code == 0 and result.json()["data"]["bios_files"] == 3, result.out
    assert present() == [str(moved / "bios" / "example-nes-boot.bin")]


def test_a_card_a_deploy_wrote_to_is_no_library_root(cli: Any, tree: dict[str, Path],
                                                     tmp_path: Path) -> None:
    """QA98 F5: `library add CARD` took the card's copies for games (each a second copy of
    the library's), and every later deploy to that card was refused as a library root."""
    for args in (("library", "add", tree["roms"]), ("scan", "--workers", "1"),
                 ("device", "add", "rg-35xx-plus"),
                 ("profile", "create", "--device", "1", "--os", "knulli")):
        assert cli(*args).code == 0, args
    card = tmp_path / "card"
    card.mkdir()
    assert cli("deploy", "1", "--to", card, "platform:snes").code == 0
    for folder in (card, card / "roms" / "snes"):
        refused = cli("library", "add", folder)
        assert refused.code == 2 and "ROM Runner deploys to" in refused.err, refused.err
    assert roots(cli) == [str(tree["roms"])]
    assert cli("deploy", "1", "--to", card, "platform:snes").code == 0


def test_a_card_inside_a_library_root_is_not_scanned(cli: Any, tree: dict[str, Path],
                                                     tmp_path: Path) -> None:
    """Review 100 F9: a root above a card a deploy wrote to (a NAS share holding the
    handheld's folder) took the card's copies for games."""
    for args in (("library", "add", tree["roms"]), ("scan", "--workers", "1"),
                 ("device", "add", "rg-35xx-plus"),
                 ("profile", "create", "--device", "1", "--os", "knulli")):
        assert cli(*args).code == 0, args
    card = tree["elsewhere"] / "handheld"
    card.mkdir()
    assert cli("deploy", "1", "--to", card, "platform:snes").code == 0
    assert list(card.rglob("*.sfc"))
    assert cli("library", "add", tree["elsewhere"]).code == 0
    scanned = cli("--json", "scan", "--workers", "1")
    assert scanned.code == 0, scanned.err
    errors = scanned.json()["data"]["errors"]
    assert [e["path"] for e in errors if "a card ROM Runner deploys to" in e["error"]] == [
        str(card)]
    files = [g["filename"] for g in cli("--json", "games", "ls").json()["data"]["games"]]
    assert files == ["Game (USA).sfc"]
