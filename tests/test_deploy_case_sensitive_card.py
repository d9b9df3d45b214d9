"""A card whose file system tells case apart (ext4 or btrfs: Batocera's share, a Steam Deck's
drive; QA91 F3): `roms/SNES` is not the `roms/snes` the OS reads, so the games go to the
OS's own spelling and the user's folder in another is left as it is."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.conftest import shared_path


def _knulli_card_with_users_snes_folder(cli: Any, tmp_path: Path
                                        ) -> tuple[Path, Path, Path, Path]:
    """A KNULLI profile, one SNES game scanned, a card holding the user's `roms/SNES/mine.sfc`
    (skipped where the file system ignores case): (pack, card, the user's file, the game)."""
    pack = shared_path("definition-pack")
    card = tmp_path / "card"
    (card / "roms" / "SNES").mkdir(parents=True)
    if (card / "roms" / "snes").is_dir():
        pytest.skip("tmp_path is case-insensitive: the two spellings cannot both be tried")
    mine = card / "roms" / "SNES" / "mine.sfc"
    mine.write_bytes(b"the user's own" * 100)
    game = tmp_path / "lib" / "snes" / "C (USA).sfc"
    game.parent.mkdir(parents=True)
    game.write_bytes(b"\x07" * 4096)
    for args in (("library", "add", tmp_path / "lib"), ("scan", "--workers", "1"),
                 ("device", "add", "rg-353v"),
                 ("profile", "create", "--device", "1", "--os", "knulli")):
        assert cli("--pack", pack, *args).code == 0, args
    return pack, card, mine, game


def test_games_go_to_the_os_spelling_and_the_users_folder_in_another_is_kept(
        cli: Any, tmp_path: Path) -> None:
    pack, card, mine, game = _knulli_card_with_users_snes_folder(cli, tmp_path)
    before = cli("--pack", pack, "--json", "destination", "paths", "1", "--to", card)
    (snes,) = [row for row in before.json()["data"]["folders"] if row["platform_id"] == "snes"]
    assert snes["path"] == "roms/snes"
    assert "'SNES' on the card is another folder" in snes["reason"]
    assert cli("--pack", pack, "deploy", "1", "--to", card, "platform:snes").code == 0
    assert (card / "roms" / "snes" / "C (USA).sfc").read_bytes() == game.read_bytes()
    assert sorted(p.name for p in (card / "roms" / "SNES").iterdir()) == ["mine.sfc"]
    assert mine.read_bytes() == b"the user's own" * 100
    # (review 96 F1: once the OS's folder is there, it stays the choice)
    game.with_name("D (USA).sfc").write_bytes(b"\x08" * 4096)
    assert cli("--pack", pack, "scan", "--workers", "1").code == 0
    assert cli("--pack", pack, "deploy", "1", "--to", card, "platform:snes").code == 0
    assert sorted(p.name for p in (card / "roms" / "snes").iterdir()) == [
        "C (USA).sfc", "D (USA).sfc"]
    assert sorted(p.name for p in (card / "roms" / "SNES").iterdir()) == ["mine.sfc"]
    for also in ("sfc", "Nintendo - Super Nintendo Entertainment System"):
        (card / "roms" / also).mkdir()  # (review 96 F3: the OS's own still wins)
        shown = cli("--pack", pack, "--json", "destination", "paths", "1", "--to", card)
        (snes,) = [row for row in shown.json()["data"]["folders"]
                   if row["platform_id"] == "snes"]
        assert snes["path"] == "roms/snes", also


def test_our_copies_in_the_folder_of_another_case_are_said_and_pruned(
        cli: Any, tmp_path: Path) -> None:
    """Review 96 F2: a card an earlier release filled in `roms/SNES` (now not the OS's
    folder) got the games again in `roms/snes` without the `folder-moved` word."""
    pack, card, mine, game = _knulli_card_with_users_snes_folder(cli, tmp_path)
    # (as releases before the rule chose: the folder in the other case)
    for args in (("destination", "paths", "1", "--to", card, "--set", "snes=roms/SNES"),
                 ("deploy", "1", "--to", card, "platform:snes"),
                 ("destination", "paths", "1", "--to", card, "--unset", "snes")):
        assert cli("--pack", pack, *args).code == 0, args
    assert (card / "roms" / "SNES" / "C (USA).sfc").is_file()
    dry = cli("--pack", pack, "--json", "deploy", "1", "--to", card, "platform:snes",
              "--dry-run")
    (moved,) = [w for w in dry.json()["data"]["plan"]["warnings"]
                if w["code"] == "folder-moved"]
    assert moved["path"] == "roms/SNES" and "1 file an earlier deploy" in moved["message"]
    assert cli("--pack", pack, "deploy", "1", "--to", card, "platform:snes",
               "--prune").code == 0
    assert sorted(p.name for p in (card / "roms" / "SNES").iterdir()) == ["mine.sfc"]
    assert (card / "roms" / "snes" / "C (USA).sfc").read_bytes() == game.read_bytes()
    assert mine.read_bytes() == b"the user's own" * 100
