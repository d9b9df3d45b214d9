"""A card that tells case apart holding one ROM folder in two spellings (qa201 F4): muOS's
`ROMS/gb` (KNULLI's `roms/gb`) beside OnionOS's `Roms/GB`. The destination scan lists both,
the OS's own first, the other said to be another layout's: it showed only one of them, and
after a prune of the old copies the card's games as 0."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.conftest import knulli_card_deployed


def _two_games_two_oses(cli: Any, tmp_path: Path) -> Path:
    """Two Game Boy games scanned, an RG35XX Plus, profile 1 on muOS, profile 2 on OnionOS,
    and a card each profile deployed its auto-list to (muOS first): the card."""
    card = tmp_path / "card"
    card.mkdir()
    (card / "probe").mkdir()
    if (card / "PROBE").exists():
        pytest.skip("tmp_path is case-insensitive: the two spellings cannot both be tried")
    (card / "probe").rmdir()
    return knulli_card_deployed(cli, tmp_path, ("Tetris (World).gb", "Mario (USA).gb"),
                                card, os_id="muos")[1]


def _rom_folders(cli: Any, card: Path) -> list[dict[str, Any]]:
    result = cli("--json", "destination", "scan", card)
    assert result.json()["data"]["detected_os"] == "onionos"
    return [f for f in result.json()["data"]["folders"] if f["type"] == "roms"]


def test_both_spellings_are_listed_the_os_own_first(cli: Any, tmp_path: Path) -> None:
    card = _two_games_two_oses(cli, tmp_path)
    for args in (("profile", "create", "--device", "1", "--os", "onionos"),
                 ("deploy", "2", "--to", card, "--auto")):
        assert cli(*args).code == 0, args
    assert (card / "ROMS" / "gb").is_dir() and (card / "Roms" / "GB").is_dir()
    own, other = _rom_folders(cli, card)
    assert (own["path"], own["file_count"], own["other_layout"]) == ("Roms/GB", 2, False)
    assert (other["path"], other["file_count"]) == ("ROMS/gb", 2)
    assert other["other_layout"] and other["left_by"] == "muos"
    text = cli("destination", "scan", card).out
    assert "roms Roms/GB: gb 2 files\n" in text
    assert "roms ROMS/gb: gb 2 files (left by muos's layout, not onionos's ROM folder)" in text
    assert text.index("Roms/GB") < text.index("ROMS/gb")


def test_after_a_prune_the_os_folder_still_shows_its_games(cli: Any, tmp_path: Path) -> None:
    """The profile moved to OnionOS and its deploy pruned muOS's copies: `Roms/GB` holds
    the games (it showed `ROMS/gb: 0 files` alone)."""
    card = _two_games_two_oses(cli, tmp_path)
    for args in (("profile", "set", "1", "--os", "onionos"),
                 ("deploy", "1", "--to", card, "--auto", "--prune")):
        assert cli(*args).code == 0, args
    own, *others = _rom_folders(cli, card)
    assert (own["path"], own["file_count"]) == ("Roms/GB", 2)
    assert not own["other_layout"]
    assert all(f["other_layout"] and f["file_count"] == 0 for f in others)


def test_a_folder_the_user_made_in_another_spelling_is_not_said_to_be_a_layouts(
        cli: Any, tmp_path: Path) -> None:
    """review47e F6 (a): `roms/GB` made by hand beside muOS's `ROMS/gb` was "left by another
    layout", though no layout the card's record knows left it."""
    card = _two_games_two_oses(cli, tmp_path)
    mine = card / "roms" / "GB" / "Mine (USA).gb"
    mine.parent.mkdir(parents=True)
    mine.write_bytes(b"\x07" * 4096)
    scan = cli("--json", "destination", "scan", card)
    (other,) = [f for f in scan.json()["data"]["folders"] if f["path"] == "roms/GB"]
    assert other["other_layout"] and other["left_by"] is None
    text = cli("destination", "scan", card).out
    assert ("roms roms/GB: gb 1 file (in another spelling of muos's ROM folder, which muos "
            "does not read)") in text, text
    assert "another layout" not in text
