"""OnionOS and MinUI get no folder for a system their menus do not show (QA172 F3: Onion's
Roms/DC, N64, SATURN, PSP and CDI were Spruce's and CrossMix's names, Onion has none of
them; F4: MinUI's "Arcade (MAME)", Atari 2600, Lynx, WonderSwan and Pico-8 folders, for
which stock MinUI has no emulator pak), checked against the real frontends' folder names
(../shared/reference/console-folder-tokens.json)."""

from __future__ import annotations

import hashlib
import zipfile
from pathlib import Path
from typing import Any

from tests.conftest import shared_path
from tests.test_folder_names import _load_reference, reference_entries

MOVED = {"dreamcast": "DC", "n64": "N64", "saturn": "SATURN", "psp": "PSP"}
MINUI_DROPPED = ("arcade", "atari-2600", "atari-lynx", "wonderswan", "wonderswan-color",
                 "pico8")


def test_onion_names_no_folder_the_reference_gives_only_spruce_and_crossmix() -> None:
    pack, reference = _load_reference()
    names = pack.folder_names
    entries = reference_entries(pack, reference)
    for platform, token in MOVED.items():
        tokens = entries[platform]["tokens"]
        assert "onion" not in tokens and tokens["spruce"] == tokens["crossmix"] == token
        assert names.folder_for(platform, "onion") == (None, True), platform
        assert names.folder_for(platform, "spruce") == (token, True), platform
        assert names.folder_for(platform, "crossmix") == (token, True), platform
        assert names.folder_for(platform, "miyoocfw") == (None, True), platform  # (Onion's)
    # CD-i: no frontend of the Miyoo family has a folder for it in the reference
    assert not {"onion", "spruce", "crossmix"} & set(entries["cdi"]["tokens"])
    for family in ("onion", "spruce", "crossmix"):
        assert names.folder_for("cdi", family) == (None, True), family
    # every platform the reference knows, and Onion has no folder for there, has none here
    given = {platform: names.folder_for(platform, "onion")[0] for platform in entries
             if "onion" not in entries[platform]["tokens"]}
    assert {platform: folder for platform, folder in given.items() if folder} == {}


def test_minui_names_only_folders_the_reference_gives_it() -> None:
    pack, reference = _load_reference()
    names = pack.folder_names
    for platform in MINUI_DROPPED:
        assert names.folder_for(platform, "minui") == (None, True), platform
    named = {platform for platform in names.names
             if names.folder_for(platform, "minui")[0] is not None
             and names.folder_for(platform, "minui")[1]}
    entries = reference_entries(pack, reference)
    assert {platform for platform in named
            if "minui" not in entries.get(platform, {}).get("tokens", {})} == set()
    # its real folders stay (MinUI's own paks and its extras)
    assert {"gb", "gbc", "gba", "nes", "snes", "genesis", "psx", "tg16", "pokemini",
            "virtualboy", "neogeo-pocket-color", "gamegear", "sms"} <= named


def _library(cli: Any, tmp_path: Path, files: tuple[str, ...]) -> Path:
    pack = shared_path("definition-pack")
    root = tmp_path / "lib"
    for name in files:
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        data = hashlib.sha256(name.encode()).digest() * 512
        if path.suffix == ".zip":
            with zipfile.ZipFile(path, "w") as archive:
                archive.writestr(f"{path.stem}.6e", data)
        else:
            path.write_bytes(data)
    for args in (("library", "add", str(root)), ("scan", "--workers", "1"),
                 ("device", "add", "miyoo-mini-plus"),
                 ("profile", "create", "--device", "1", "--os", "onionos"),
                 ("profile", "create", "--device", "1", "--os", "minui"),
                 ("profile", "create", "--device", "1", "--os", "spruce")):
        result = cli("--pack", str(pack), *args)
        assert result.code == 0, (args, result.err)
    return pack


def test_onion_and_minui_leave_out_the_systems_they_do_not_show(cli: Any,
                                                                  tmp_path: Path) -> None:
    pack = _library(cli, tmp_path, ("dreamcast/Alpha (USA).cdi", "n64/Beta (USA).z64",
                                    "arcade/pacman.zip", "gb/Gamma (USA).gb"))
    onion = tmp_path / "onion"
    onion.mkdir()
    deployed = cli("--pack", str(pack), "deploy", "1", "--to", str(onion), "missing:false")
    assert deployed.code == 1, deployed.err  # (chosen games left out: said, exit 1)
    for platform in ("dreamcast", "n64"):
        assert f"onionos has no folder for {platform}" in deployed.out + deployed.err
    assert sorted(path.parent.name for path in onion.rglob("*.*")
                  if path.parent.parent.name == "Roms") == ["ARCADE", "GB"]
    minui = tmp_path / "minui"
    minui.mkdir()
    deployed = cli("--pack", str(pack), "deploy", "2", "--to", str(minui), "platform:arcade,gb")
    assert "minui has no folder for arcade" in deployed.out + deployed.err, deployed.err
    assert not list(minui.rglob("pacman.zip"))
    assert [path.parent.name for path in minui.rglob("*.gb")] == ["Game Boy (GB)"]
    spruce = tmp_path / "spruce"
    spruce.mkdir()
    deployed = cli("--pack", str(pack), "deploy", "3", "--to", str(spruce),
                   "platform:dreamcast,n64")
    assert deployed.code == 0, deployed.err
    assert sorted(path.parent.name for path in spruce.rglob("*.*")
                  if path.parent.parent.name == "Roms") == ["DC", "N64"]
