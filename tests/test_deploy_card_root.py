"""A deploy says when the folder it writes to is not what the profile expects (QA25 F10: a
KNULLI profile onto an OnionOS card, no word; F12: `--to CARD/roms`, the games written to
`roms/roms/gb` without a word). Built-in pack, real folders."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.conftest import shared_path


@pytest.fixture
def library(cli: Any, tmp_path: Path) -> Path:
    roms = tmp_path / "lib" / "gb"
    roms.mkdir(parents=True)
    (roms / "Game (USA).gb").write_bytes(b"\x01" * 4096)
    for args in (("library", "add", tmp_path / "lib"), ("scan", "--workers", "1"),
                 ("device", "add", "rg-35xx-plus"),
                 ("profile", "create", "--device", "1", "--os", "muos")):
        assert cli(*args).code == 0, args
    return roms


def _card_warnings(result: Any) -> list[str]:
    return [w["message"] for w in result.json()["data"]["plan"]["warnings"]
            if w["code"] == "card-root"]


def test_a_card_another_os_laid_out_is_said(cli: Any, library: Path, tmp_path: Path) -> None:
    card = tmp_path / "onion"
    for folder in ("Roms", "BIOS", ".tmp_update"):
        (card / folder).mkdir(parents=True)
    dry = cli("--json", "deploy", "1", "--to", card, "platform:gb", "--dry-run")
    assert dry.code == 0, dry.err
    (said,) = _card_warnings(dry)
    assert "looks like onionos (high" in said and "not muos" in said
    assert cli("deploy", "1", "--to", card, "platform:gb").code == 0
    again = cli("--json", "deploy", "1", "--to", card, "platform:gb", "--dry-run")
    assert len(_card_warnings(again)) == 1  # while it holds (QA27 N1: the first deploy only)
    bare = tmp_path / "bare"  # a bare roms/ is no other OS's card (QA27 N4)
    for folder in ("roms/gb", "roms/psx"):
        (bare / folder).mkdir(parents=True)
    assert _card_warnings(cli("--json", "deploy", "1", "--to", bare, "platform:gb",
                              "--dry-run")) == []
    plain = tmp_path / "blank"
    plain.mkdir()
    assert _card_warnings(cli("--json", "deploy", "1", "--to", plain, "platform:gb",
                              "--dry-run")) == []
    assert cli("deploy", "1", "--to", plain, "platform:gb").code == 0
    again = cli("--json", "deploy", "1", "--to", plain, "platform:gb", "--dry-run")
    assert _card_warnings(again) == []  # our own card, recorded: not warned


def test_the_cards_rom_folder_given_as_its_root_is_said(cli: Any, library: Path,
                                                       tmp_path: Path) -> None:
    roms = tmp_path / "card" / "ROMS"
    for folder in ("gb", "snes", "psx"):
        (roms / folder).mkdir(parents=True)
    dry = cli("--json", "deploy", "1", "--to", roms, "platform:gb", "--dry-run")
    assert dry.code == 0, dry.err
    (said,) = _card_warnings(dry)
    assert "the card's ROM folder rather than its root" in said and "gb, psx, snes" in said
    assert cli("deploy", "1", "--to", roms, "platform:gb").code == 0  # (ROMS/ROMS/gb now)
    again = cli("--json", "deploy", "1", "--to", roms, "platform:gb", "--dry-run")
    assert len(_card_warnings(again)) == 1  # still said (QA27 N1)
    right = cli("--json", "deploy", "1", "--to", tmp_path / "card", "platform:gb", "--dry-run")
    assert _card_warnings(right) == []


def test_a_rom_folder_with_one_platform_folder_and_a_platform_folder_are_said(
        cli: Any, library: Path, tmp_path: Path) -> None:
    """QA27 N2: MinUI's `--to CARD/Roms` (two platform folders there) and `--to
    CARD/roms/gb` wrote `Roms/Roms/…` and `roms/gb/roms/gb/…` without a word. A card whose
    volume is labelled ROMS, laid out as the OS lays it out, is no ROM folder."""
    card = tmp_path / "card"
    (card / "roms" / "gb").mkdir(parents=True)
    (card / "roms" / "psx").mkdir(parents=True)
    in_roms = _card_warnings(cli("--json", "deploy", "1", "--to", card / "roms",
                                 "platform:gb", "--dry-run"))
    assert len(in_roms) == 1 and "holds platform folders (gb, psx)" in in_roms[0]
    in_gb = _card_warnings(cli("--json", "deploy", "1", "--to", card / "roms" / "gb",
                               "platform:gb", "--dry-run"))
    assert len(in_gb) == 1 and "a platform folder of a card's ROM folder" in in_gb[0]
    labelled = tmp_path / "ROMS"
    (labelled / "roms" / "gb").mkdir(parents=True)
    (labelled / "psx").mkdir()  # one stray folder named as a platform's (review)
    assert _card_warnings(cli("--json", "deploy", "1", "--to", labelled, "platform:gb",
                              "--dry-run")) == []
    # the card's platform folders at its root by the user's choice (`roms=.`): a card named
    # ROMS holding them is the card (review: "the games go to ROMS/ROMS/…", untrue)
    flat = tmp_path / "flat" / "ROMS"
    for folder in ("gb", "psx", "snes"):
        (flat / folder).mkdir(parents=True)
    assert cli("destination", "paths", "1", "--to", flat, "--set", "roms=.").code == 0
    assert _card_warnings(cli("--json", "deploy", "1", "--to", flat, "platform:gb",
                              "--dry-run")) == []
    assert _card_warnings(cli("--json", "deploy", "1", "--to", card, "platform:gb",
                              "--dry-run")) == []


def test_the_folders_a_deploy_for_the_os_writes_are_no_other_oss_markers(
        cli: Any, library: Path, tmp_path: Path) -> None:
    """QA29 F10: once our deploy for OnionOS wrote `Roms/` and `BIOS/`, every later deploy
    warned "the card looks like garlicos (high: bios, roms)", GarlicOS naming those folders
    too. A card with GarlicOS's own `CFW/` as well is still said."""
    pack = str(shared_path("definition-pack"))
    assert cli("--pack", pack, "profile", "create", "--device", "1", "--os", "onionos").code == 0
    card = tmp_path / "card"
    for folder in ("Roms", "BIOS"):
        (card / folder).mkdir(parents=True)
    ours = cli("--pack", pack, "--json", "deploy", "2", "--to", card, "platform:gb", "--dry-run")
    assert ours.code == 0, ours.err
    assert _card_warnings(ours) == []
    (card / "CFW").mkdir()
    garlic = cli("--pack", pack, "--json", "deploy", "2", "--to", card, "platform:gb",
                 "--dry-run")
    (said,) = _card_warnings(garlic)
    assert "looks like garlicos" in said and "cfw" in said.lower()


def test_our_own_rom_folder_is_no_marker_of_another_os(cli: Any, library: Path,
                                                      tmp_path: Path) -> None:
    """QA42 F10: a card holding the user's `saves/`: after the first deploy, the `roms/` our
    deploy made for muOS was the second marker of another OS, warned at every deploy."""
    pack = shared_path("definition-pack")  # (its layout profiles know miyoo-stock-family)
    card = tmp_path / "card"
    (card / "saves").mkdir(parents=True)
    (card / "saves" / "x.srm").write_bytes(b"save")
    assert cli("--pack", pack, "deploy", "1", "--to", card, "platform:gb").code == 0
    again = cli("--pack", pack, "--json", "deploy", "1", "--to", card, "platform:gb",
                "--dry-run")
    assert again.code == 0 and _card_warnings(again) == []


def test_the_folder_the_os_rom_folder_is_in_given_as_the_card_is_said(
        cli: Any, library: Path, tmp_path: Path) -> None:
    """QA91 F7: `--to ~/Emulation` (EmuDeck's `Emulation/roms` in it) was "a miyoo card" and
    the games would have gone to `Emulation/Emulation/roms`, which ES-DE never reads."""
    pack = shared_path("definition-pack")
    emulation = tmp_path / "home" / "deck" / "Emulation"
    for folder in ("roms/gb", "bios", "saves", "tools"):
        (emulation / folder).mkdir(parents=True)
    for args in (("device", "add", "steam-deck"),
                 ("profile", "create", "--device", "2", "--os", "emudeck")):
        assert cli("--pack", pack, *args).code == 0, args
    dry = cli("--pack", pack, "--json", "deploy", "2", "--to", emulation, "platform:gb",
              "--dry-run")
    assert dry.code == 0, dry.err
    assert _card_warnings(dry) == [
        f"{emulation}: emudeck's Emulation folder itself rather than the folder that holds "
        f"it? It holds roms, and the games go to {emulation}/Emulation/roms/…, which emudeck "
        f"does not read (--to {emulation.parent})"]
    right = cli("--pack", pack, "--json", "deploy", "2", "--to", emulation.parent,
                "platform:gb", "--dry-run")
    assert right.code == 0 and _card_warnings(right) == []
