"""Folder names: our per-OS-family mapping, DAT system names and frontend folders in detection."""

from __future__ import annotations

import json
import re
import shutil
import zipfile
from pathlib import Path
from typing import Any

import pytest

from romrunner.catalog.systems import SYSTEM_PLATFORMS
from romrunner.library.platforms import detect_platform
from romrunner.packs import builtin_pack_path, load_pack
from tests.conftest import shared_path


@pytest.mark.parametrize(("folder", "extension", "platform"), [
    ("Nintendo - Game Boy", ".zip", "gb"),              # No-Intro / libretro system name
    ("nintendo - game boy color", ".7z", "gbc"),        # case-insensitive
    ("Sony - PlayStation", ".bin", "psx"),              # Redump
    ("FC", ".zip", "nes"),                              # Onion OS
    ("SFC", ".zip", "snes"),
    ("megadrive", ".bin", "genesis"),                   # Batocera / KNULLI
    ("pcengine", ".zip", "tg16"),                       # EmulationStation
    ("tg16cd", ".cue", "tgcd"),                         # ROCKNIX
    ("Game Boy Advance (GBA)", ".zip", "gba"),          # MinUI
    ("mastersystem", ".zip", "sms"),
])
def test_dat_and_frontend_folder_names_decide_the_platform(folder: str, extension: str,
                                                           platform: str) -> None:
    index = load_pack(shared_path("definition-pack")).index
    guess = detect_platform(index, [folder, "roms"], extension)
    assert (guess.platform_id, guess.source) == (platform, "folder")


def test_every_dat_system_name_that_dat_import_maps_is_a_folder_of_the_same_platform() -> None:
    index = load_pack(shared_path("definition-pack")).index
    wrong = {name: index.platforms_for_folder(name) for name, platform in SYSTEM_PLATFORMS.items()
             if index.platforms_for_folder(name) != (platform,)}
    assert wrong == {}


def _zip_holding(path: Path, member: str) -> None:
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr(member, member.encode() * 64)


def test_scan_puts_a_no_intro_folder_and_a_frontend_folder_on_their_platforms(
        cli: Any, tmp_path: Path) -> None:
    root = tmp_path / "roms"
    (root / "Nintendo - Game Boy").mkdir(parents=True)
    _zip_holding(root / "Nintendo - Game Boy" / "Tetris (World).zip", "Tetris (World).gb")
    (root / "FC").mkdir()
    _zip_holding(root / "FC" / "Some Game (USA).zip", "Some Game (USA).nes")
    assert cli("library", "add", str(root)).code == 0
    assert cli("scan", "--workers", "1").code == 0
    listed = cli("--json", "games", "ls").json()["data"]
    rows = listed["games"] if isinstance(listed, dict) else listed
    platforms = {row["filename"]: row["platform_id"] for row in rows}
    assert platforms == {"Tetris (World).zip": "gb", "Some Game (USA).zip": "nes"}


def test_the_builtin_mapping_covers_every_real_platform_and_the_real_pack_uses_it() -> None:
    pack = load_pack(shared_path("definition-pack"))
    assert pack.folder_names.source.startswith(str(builtin_pack_path()))
    assert set(pack.platforms) <= set(pack.folder_names.names)
    assert pack.folder_names.family_of("knulli") == "batocera"
    assert pack.folder_names.folder_for("genesis", "batocera") == ("megadrive", True)
    assert pack.folder_names.folder_for("genesis", "rocknix") == ("genesis", False)
    assert pack.folder_names.folder_for("ps2", "onion") == (None, True)


def test_a_pack_with_its_own_folder_names_file_is_used(tmp_path: Path) -> None:
    pack_dir = tmp_path / "pack"
    shutil.copytree(builtin_pack_path(), pack_dir)
    (pack_dir / "folder-names.json").write_text(json.dumps({"platforms": {
        "gb": {"default": "gameboy-own", "systemNames": ["My Game Boy"]},
        "nes": {"systemNames": []}}}))
    pack = load_pack(pack_dir)
    assert pack.index.platforms_for_folder("my game boy") == ("gb",)
    assert pack.index.platforms_for_folder("Nintendo - Game Boy") == ()
    assert any("'nes'" in str(w) and "default" in str(w) for w in pack.warnings)


# Our names agree with the real frontends' folder names in the reference (read, never copied).
_REFERENCE_CHECKS = {  # platform: (reference datNameRegex, {our family: reference key})
    "gb": ("/GB|Game ?Boy/i", {"batocera": "batocera", "rocknix": "rocknix", "onion": "onion"}),
    "snes": ("/(\\W|^)SNES(\\W|$)|Super Nintendo Entertainment System/i",
             {"batocera": "batocera", "rocknix": "rocknix", "onion": "onion", "es": "es"}),
    "psx": ("/PlayStation|psx/i", {"batocera": "batocera", "onion": "onion", "minui": "minui"}),
    "genesis": ("/Genesis/i", {"batocera": "batocera", "rocknix": "rocknix", "onion": "onion"}),
    "tg16": ("/PC Engine/i", {"batocera": "batocera", "rocknix": "rocknix", "onion": "onion"}),
    "sms": ("/Master System/i", {"batocera": "batocera", "onion": "onion", "es": "es"}),
    "atari-lynx": ("/Lynx/i", {"batocera": "batocera", "rocknix": "rocknix", "onion": "onion"}),
    "nes": ("/(\\W|^)NES(\\W|$)|Nintendo Entertainment System/i",
            {"batocera": "batocera", "onion": "onion", "minui": "minui"}),
}


def test_our_folder_names_agree_with_the_reference_frontend_names() -> None:
    reference = json.loads(shared_path("reference", "console-folder-tokens.json").read_text())
    by_regex = {entry["datNameRegex"]: entry["tokens"] for entry in reference["consoles"]}
    pack = load_pack(shared_path("definition-pack"))
    mismatches = []
    for platform, (regex, families) in _REFERENCE_CHECKS.items():
        tokens = by_regex[regex]
        assert re.search(regex.strip("/i"), pack.folder_names.system_names[platform][0], re.I)
        for ours, theirs in families.items():
            name = pack.folder_names.folder_for(platform, ours)[0]
            if name != tokens[theirs]:
                mismatches.append((platform, ours, name, tokens[theirs]))
    assert mismatches == []
