"""A card that is an OS's games partition (ArkOS's EASYROMS, AmberELEC's GAMES, EmuELEC's
EEROMS, each mounted as the OS's ROM folder): its root is the ROM folder (QA7 F3)."""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

import pytest

from romrunner.devices.paths import card_layout
from romrunner.packs import load_pack
from romrunner.store import OpenMode, open_database
from tests.conftest import shared_path
from tests.test_card_paths import make_profile

STOCK_EASYROMS = ("gb", "gba", "nes", "snes", "psx", "genesis", "bios", "ports", "themes",
                  "tools")


def pack_cli(cli: Any, *args: str) -> Any:
    return cli("--pack", str(shared_path("definition-pack")), "--json", *args)


def easyroms(root: Path) -> Path:
    for name in STOCK_EASYROMS:
        (root / name).mkdir(parents=True)
    return root


def rom(path: Path, seed: str, size: int = 4096) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(hashlib.sha256(seed.encode()).digest() * (size // 32))


def paths_of(cli: Any, profile: int, card: Path) -> dict[str, str | None]:
    result = pack_cli(cli, "destination", "paths", str(profile), "--to", str(card))
    assert result.code == 0, result.err
    return {row["platform_id"] or row["kind"]: row["path"]
            for row in result.json()["data"]["folders"]}


def test_an_easyroms_card_root_is_arkos_rom_folder_and_a_deploy_writes_there(
        cli: Any, tmp_path: Path) -> None:
    library = tmp_path / "library"
    rom(library / "gb/Tiny Quest (USA).gb", "gb")
    assert cli("library", "add", str(library)).code == 0
    assert cli("scan", "--workers", "1").code == 0
    profile = make_profile(cli, "arkos")
    card = easyroms(tmp_path / "EASYROMS")
    paths = paths_of(cli, profile, card)
    assert (paths["roms"], paths["bios"], paths["gb"], paths["psx"]) == (".", "bios", "gb", "psx")
    done = pack_cli(cli, "deploy", str(profile), "--to", str(card), "platform:gb")
    assert done.code == 0, done.err
    assert (card / "gb/Tiny Quest (USA).gb").is_file()
    assert not (card / "roms").exists()  # /roms/roms/gb on the device: ArkOS would see nothing


def test_scan_recognises_an_easyroms_card_and_the_expected_os_names_it(
        cli: Any, db_path: Path, tmp_path: Path) -> None:
    open_database(db_path, OpenMode.WRITE).db.close()
    card = easyroms(tmp_path / "EASYROMS")
    expected = pack_cli(cli, "destination", "scan", str(card), "--expect-os", "arkos")
    assert expected.code == 0, expected.out
    data = expected.json()["data"]
    assert (data["detected_os"], data["confidence"]) == ("arkos", "medium")
    assert not [f for f in data["findings"] if f["type"] in ("different_os", "missing_folder")]
    assert {f["path"]: f["platform_id"] for f in data["folders"] if f["type"] == "roms"} == {
        "gb": "gb", "gba": "gba", "genesis": "genesis", "nes": "nes", "ports": "ports",
        "psx": "psx", "snes": "snes"}
    assert [f["path"] for f in data["folders"] if f["type"] == "bios"] == ["bios"]
    # without --expect-os: nothing on the partition tells ArkOS's from AmberELEC's apart
    plain = pack_cli(cli, "destination", "scan", str(card)).json()["data"]
    medium = {c["os_id"] for c in plain["candidates"] if c["confidence"] == "medium"}
    assert {"arkos", "amberelec", "emuelec"} <= medium
    assert [f["type"] for f in plain["findings"]] == ["ambiguous"]


@pytest.mark.parametrize(("os_id", "folders", "roms", "bios"), [
    # the device's own root (reached over the network): the mount table, as for any OS
    ("arkos", ("roms/gb", "roms/bios", "opt/system"), "roms", "roms/bios"),
    ("amberelec", STOCK_EASYROMS, ".", "bios"),             # its GAMES partition
    ("amberelec", ("roms", ".config"), "roms", "roms/bios"),  # its STORAGE partition
    ("emuelec", (), ".", "bios"),                             # blank: EEROMS
    # ROCKNIX has no games partition: its second card holds roms/ (games-external)
    ("rocknix", STOCK_EASYROMS, "roms", "roms/bios"),
])
def test_the_card_view_decides_the_rom_folder(cli: Any, db_path: Path, tmp_path: Path,
                                              os_id: str, folders: tuple[str, ...],
                                              roms: str, bios: str) -> None:
    profile = make_profile(cli, os_id)
    card = tmp_path / "card"
    card.mkdir()
    for name in folders:
        (card / name).mkdir(parents=True)
    db = open_database(db_path, OpenMode.READ).db
    layout = card_layout(db, load_pack(shared_path("definition-pack")), profile, card)
    assert (str(layout.roms.path), str(layout.bios.path)) == (roms, bios)


def test_a_card_filled_under_roms_by_an_earlier_release_moves_to_the_root(
        cli: Any, tmp_path: Path) -> None:
    library = tmp_path / "library"
    rom(library / "gb/Tiny Quest (USA).gb", "gb")
    rom(library / "snes/Big Quest (USA).sfc", "snes", 8192)
    assert cli("library", "add", str(library)).code == 0
    assert cli("scan", "--workers", "1").code == 0
    profile = make_profile(cli, "arkos")
    card = easyroms(tmp_path / "EASYROMS")
    # what an earlier release wrote: /roms/roms/gb on the device
    assert pack_cli(cli, "destination", "paths", str(profile), "--to", str(card), "--set",
                    "roms=roms", "--set", "bios=roms/bios").code == 0
    assert pack_cli(cli, "deploy", str(profile), "--to", str(card), "platform:gb,snes").code == 0
    assert (card / "roms/gb/Tiny Quest (USA).gb").is_file()
    assert pack_cli(cli, "destination", "paths", str(profile), "--to", str(card), "--unset",
                    "roms", "--unset", "bios").code == 0
    dry = pack_cli(cli, "deploy", str(profile), "--to", str(card), "platform:gb,snes",
                   "--dry-run")
    assert dry.code == 0, dry.err
    moved = {w["path"]: w["message"] for w in dry.json()["data"]["plan"]["warnings"]
             if w["code"] == "folder-moved"}
    assert set(moved) == {"roms/gb", "roms/snes"}
    assert "its games now go to gb, the folder arkos reads for it" in moved["roms/gb"]
    pruned = pack_cli(cli, "deploy", str(profile), "--to", str(card), "platform:gb,snes",
                      "--prune")
    assert pruned.code == 0, pruned.err
    assert pruned.json()["data"]["pruned"] == 2
    on_card = sorted(str(p.relative_to(card)) for p in card.rglob("*")
                     if p.is_file() and ".romrunner" not in p.parts)
    assert on_card == ["gb/Tiny Quest (USA).gb", "snes/Big Quest (USA).sfc"]
