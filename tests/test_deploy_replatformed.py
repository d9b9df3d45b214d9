"""A game whose platform changed since an earlier deploy (`games set-platform`, a catalog's
match) goes to the new platform's folder; its old copy stays until `--prune`, and the deploy
says so (QA22 C3: the card held the game twice, silently)."""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

from tests.conftest import shared_path


def _warnings(result: Any, code: str) -> list[str]:
    """The plan's warnings of ``code`` (a dry run), else the deploy's that say the same."""
    data = result.json()
    if "plan" in data["data"]:
        return [w["message"] for w in data["data"]["plan"]["warnings"] if w["code"] == code]
    return [w for w in data["warnings"] if "now of another platform" in w]


def test_a_game_moved_to_another_platform_is_said_until_a_prune_takes_its_old_copy(
        cli: Any, tmp_path: Path) -> None:
    roms, card = tmp_path / "roms" / "GB", tmp_path / "card"
    roms.mkdir(parents=True)
    card.mkdir()
    for name in ("Color Game (USA).gb", "Mono Game (USA).gb"):
        (roms / name).write_bytes(hashlib.sha256(name.encode()).digest() * 1024)
    for args in (("library", "add", tmp_path / "roms"), ("scan", "--workers", "1"),
                 ("device", "add", "rg-35xx-plus"),
                 ("profile", "create", "--device", "1", "--os", "muos")):
        assert cli(*args).code == 0, args
    deploy = ("--json", "deploy", "1", "--to", card, "platform:gb,gbc")
    first = cli(*deploy)
    assert first.code == 0, first.err
    old = next(card.rglob("Color Game (USA).gb"))
    ((game_id,),) = [(g["id"],) for g in cli("--json", "games", "ls").json()["data"]["games"]
                     if g["filename"] == "Color Game (USA).gb"]
    assert cli("games", "set-platform", "gbc", str(game_id)).code == 0
    second = cli(*deploy)
    assert second.code == 0, second.err
    moved = _warnings(second, "platform-moved")
    assert len(moved) == 1 and "1 game an earlier deploy put on this card is now of another "\
        "platform" in moved[0] and "Color Game (USA).gb" in moved[0], moved
    assert "stay until `romrunner deploy --prune`" in moved[0]
    new = [p for p in card.rglob("Color Game (USA).gb") if p != old]
    assert old.exists() and len(new) == 1 and new[0].parent != old.parent
    again = cli(*deploy, "--dry-run")  # still there: still said; a game left alone is not
    assert len(_warnings(again, "platform-moved")) == 1
    pruned = cli(*deploy, "--prune")
    assert pruned.code == 0, pruned.err
    assert "this --prune removes the old copies" in _warnings(pruned, "platform-moved")[0]
    assert not old.exists() and new[0].exists()
    last = cli(*deploy, "--dry-run")
    assert _warnings(last, "platform-moved") == []


def test_a_platform_folder_the_user_renamed_is_not_said_to_hold_files_left_behind(
        cli: Any, tmp_path: Path) -> None:
    """The user renames the card's `roms/gb` to `roms/Game Boy` (muOS reads any name): the
    next deploy finds the games there, and says nothing of files "left behind" in `roms/gb`,
    which is no longer there (QA25 F11: named from the card's record, not the card)."""
    pack = shared_path("definition-pack")
    roms, card = tmp_path / "roms" / "GB", tmp_path / "card"
    roms.mkdir(parents=True)
    card.mkdir()
    for name in ("A (USA).gb", "B (USA).gb"):
        (roms / name).write_bytes(hashlib.sha256(name.encode()).digest() * 1024)
    for args in (("library", "add", tmp_path / "roms"), ("scan", "--workers", "1"),
                 ("device", "add", "rg-35xx-plus"),
                 ("profile", "create", "--device", "1", "--os", "muos"),
                 ("deploy", "1", "--to", card, "platform:gb")):
        assert cli("--pack", pack, *args).code == 0, args
    gb = next(card.rglob("A (USA).gb")).parent
    gb.rename(gb.with_name("Game Boy"))
    dry = cli("--pack", pack, "--json", "deploy", "1", "--to", card, "platform:gb", "--prune",
              "--dry-run")
    assert dry.code == 0, dry.err
    assert [w for w in dry.json()["data"]["plan"]["warnings"] if w["code"] == "folder-moved"] \
        == []
    assert dry.json()["data"]["prune"] == []


def test_a_game_moved_to_a_platform_folder_the_user_linked_to_its_old_one_is_not_said(
        cli: Any, tmp_path: Path) -> None:
    """`roms/gbc -> gb`, linked by the user: a game now of gbc is found where it was, one
    file; no "the old copies stay until --prune" (QA27 N6: said, then kept by the prune)."""
    roms, card = tmp_path / "roms" / "GB", tmp_path / "card"
    roms.mkdir(parents=True)
    card.mkdir()
    (roms / "Color Game (USA).gb").write_bytes(b"\x5a" * 4096)
    for args in (("library", "add", tmp_path / "roms"), ("scan", "--workers", "1"),
                 ("device", "add", "rg-35xx-plus"),
                 ("profile", "create", "--device", "1", "--os", "muos"),
                 ("deploy", "1", "--to", card, "platform:gb,gbc"),
                 ("games", "set-platform", "gbc", "1")):
        assert cli(*args).code == 0, args
    gb = next(card.rglob("Color Game (USA).gb")).parent
    gb.with_name("gbc").symlink_to(gb.name, target_is_directory=True)
    assert cli("destination", "paths", "1", "--to", card, "--set",
               f"gbc={gb.with_name('gbc').relative_to(card).as_posix()}").code == 0
    for extra in (("--dry-run",), ("--prune", "--force")):
        run = cli("--json", "deploy", "1", "--to", card, "platform:gb,gbc", *extra)
        assert run.code == 0, run.err
        assert _warnings(run, "platform-moved") == []
    assert [p.name for p in gb.iterdir()] == ["Color Game (USA).gb"]
