"""Batocera and KNULLI have no ``amiga`` system: their Amiga games go in ``amiga500`` (the
OCS/ECS machines: A500, A600, A1000…), and ``amiga1200`` (AGA) is an Amiga folder too
(qa203 F5: KNULLI's Amiga games went to ``roms/amiga``, which its frontend never lists).
Batocera's own system list, es_systems.yml, has amiga500, amiga1200, amigacd32 and
amigacdtv; ../shared/reference names Batocera's CD32 and CDTV folders, none for the plain
Amiga."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from romrunner.packs import load_pack
from tests.conftest import real_pack_profile


def test_the_batocera_family_names_amiga500_and_reads_amiga1200_as_amiga() -> None:
    names = load_pack().folder_names  # the built-in pack's folder names
    for os_id in ("batocera", "knulli"):
        assert names.target_name("amiga", names.family_of(os_id)) == "amiga500", os_id
    assert names.folder_for("amiga", "batocera") == ("amiga500", True)
    assert names.platforms_named("batocera", "amiga500") == ("amiga",)
    assert "amiga1200" in names.frontend_names.get("amiga", {}).get("batocera", ())
    # the other families keep theirs
    assert names.target_name("amiga", "es") == "amiga"
    assert names.target_name("amiga", names.family_of("onionos")) == "AMIGA"
    assert names.target_name("amiga", names.family_of("rocknix")) == "amiga"


def test_knullis_amiga_games_go_to_amiga500(cli: Any, tmp_path: Path) -> None:
    pack = real_pack_profile(cli, tmp_path, "amiga/Speedball 2 (Europe).adf", b"\x0a",
                             "rg-35xx-plus", "knulli")
    card = tmp_path / "card"
    card.mkdir()
    shown = cli("--pack", pack, "--json", "destination", "paths", "1", "--to", str(card))
    assert shown.code == 0, shown.err
    (amiga,) = [folder for folder in shown.json()["data"]["folders"]
                if folder.get("platform_id") == "amiga"]
    assert amiga["path"] == "roms/amiga500", amiga
    assert cli("--pack", pack, "deploy", "1", "--to", str(card), "platform:amiga").code == 0
    assert (card / "roms" / "amiga500" / "Speedball 2 (Europe).adf").is_file()
    assert not (card / "roms" / "amiga").exists()


def test_a_library_folder_named_amiga1200_holds_amiga_games(cli: Any, tmp_path: Path) -> None:
    # (.ipf is an Amiga and an Atari ST extension: the folder decides)
    pack = real_pack_profile(cli, tmp_path, "amiga1200/Alien Breed (Europe).ipf", b"\x0b",
                             "rg-35xx-plus", "knulli")
    listed = cli("--pack", pack, "--json", "games", "ls")
    assert listed.code == 0, listed.err
    (game,) = listed.json()["data"]["games"]
    assert game["platform_id"] == "amiga", game
