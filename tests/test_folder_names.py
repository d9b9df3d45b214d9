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
# Its entries are DAT-name regexes with a folder name ("token") per frontend key; its own lookup
# takes the last entry whose regex matches a DAT name (later entries are the more specific:
# "Game Boy Color" after "Game Boy"). Our family ids are the reference's keys where it has one.

# Where a DAT name names a platform twice and the reference's pick is not the entry we follow.
_FOLLOWS = {
    # "/MSX2+/i" is the MSX2+ entry, but its "+" is a regex quantifier: it matches "MSX2" too.
    "msx2": "/MSX2/i",
    # "Sega - Mega-CD - Sega CD": the pick, "/Mega[ -]CD/i", names the Japanese/European
    # systems (Batocera megacd, ES-DE megacdjp); every frontend's main Sega CD folder is here.
    "sega-cd": "/Sega CD/i",
    # "NEC - PC Engine - TurboGrafx 16": the two entries differ for ES-DE only, which has both
    # pcengine and tg16; we keep pcengine (RetroPie's and EmuDeck's too).
    "tg16": "/PC Engine/i",
}
# (family, platform): where we knowingly differ from the reference, and why.
_DEVIATIONS = {
    # The reference says "launcher"; ROCKNIX's own Vita3K scripts read /storage/roms/psvita.
    ("rocknix", "psvita"): "psvita",
}


def _regex(source: str) -> re.Pattern[str]:
    """A reference ``/pattern/flags`` string as a Python pattern."""
    pattern, _, flags = source[1:].rpartition("/")
    return re.compile(pattern, re.IGNORECASE if "i" in flags else 0)


def _dat_names(pack: Any, platform: str) -> list[str]:
    """The platform's DAT/system names (ours first, then dat import's), then its pack name."""
    names = list(pack.folder_names.system_names.get(platform, ()))
    names += [name for name, mapped in SYSTEM_PLATFORMS.items() if mapped == platform]
    if platform in pack.platforms:
        names.append(pack.platforms[platform].name)
    return names


def reference_entries(pack: Any, reference: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """Platform -> the reference entry that is its folder: for its first DAT name the reference
    knows, the last entry that matches (or the entry ``_FOLLOWS`` names)."""
    consoles = reference["consoles"]
    found: dict[str, dict[str, Any]] = {}
    for platform in pack.folder_names.names:
        for name in _dat_names(pack, platform):
            matching = [entry for entry in consoles if _regex(entry["datNameRegex"]).search(name)]
            if matching:
                chosen = next((entry for entry in matching
                               if entry["datNameRegex"] == _FOLLOWS.get(platform)), matching[-1])
                found[platform] = chosen
                break
    return found


def _load_reference() -> tuple[Any, dict[str, Any]]:
    reference = json.loads(shared_path("reference", "console-folder-tokens.json").read_text())
    return load_pack(shared_path("definition-pack")), reference


def test_each_platform_meets_its_own_reference_entry() -> None:
    # The matching is checked by a second signal: the entry also names the platform by its pack
    # name, short name or a common folder name (so "/X1/i" is Sharp X1, not some other X1).
    pack, reference = _load_reference()
    entries = reference_entries(pack, reference)
    assert {"gb", "gbc", "snes", "psx", "psp", "neogeo-pocket-color", "c64"} <= set(entries)
    unsure = {}
    for platform, entry in entries.items():
        info = pack.platforms.get(platform)
        names = [info.name, *info.folder_names] if info else []
        if not any(_regex(entry["datNameRegex"]).search(name) for name in names):
            unsure[platform] = entry["datNameRegex"]
    assert unsure == {}
    assert entries["gbc"]["datNameRegex"] == "/GBC|Game ?Boy Color/i"  # not the Game Boy's
    assert entries["psp"]["datNameRegex"].startswith("/PlayStation ?Portable")
    for platform, source in _FOLLOWS.items():  # each decision names an entry that matches
        assert any(_regex(source).search(name) for name in _dat_names(pack, platform))


def test_every_family_we_map_gets_the_reference_folder_of_every_platform_both_know() -> None:
    pack, reference = _load_reference()
    names = pack.folder_names
    keys = {key for entry in reference["consoles"] for key in entry["tokens"]}
    families = sorted(set(names.os_families.values()) & keys)
    assert {"onion", "crossmix", "spruce", "miyoocfw", "batocera", "rocknix", "minui",
            "es"} <= set(families)
    compared, wrong = 0, []
    for platform, entry in sorted(reference_entries(pack, reference).items()):
        for family in families:
            theirs = entry["tokens"].get(family)
            if theirs is None:
                continue
            ours = names.folder_for(platform, family)[0]
            if (family, platform) in _DEVIATIONS:  # still a deviation, and still ours
                assert theirs != ours == _DEVIATIONS[family, platform]
                continue
            compared += 1
            if ours != theirs:
                wrong.append(f"{family} {platform}: ours {ours!r}, reference {theirs!r}")
    assert compared > 300
    assert wrong == []


@pytest.mark.parametrize(("folder", "extension", "platform"), [
    ("Nintendo Game Boy", ".gb", "gb"),            # as `platforms --all` shows it
    ("nintendo game boy color", ".gb", "gbc"),
    ("Sony PlayStation", ".cue", "psx"),
    ("Sega Genesis", ".bin", "genesis"),           # a side of "Sega Genesis / Mega Drive"
    ("TurboGrafx-16", ".pce", "tg16"),
    ("Super Nintendo Entertainment System", ".sfc", "snes"),
])
def test_a_folder_named_as_the_platform_s_display_name_decides_it(
        folder: str, extension: str, platform: str) -> None:
    """qa182: `Nintendo Game Boy/` left 74 games undecided, while `Nintendo - Game Boy/`
    and `Game Boy/` decided them."""
    index = load_pack(shared_path("definition-pack")).index
    guess = detect_platform(index, [folder, "roms"], extension)
    assert (guess.platform_id, guess.source) == (platform, "folder")


def test_display_names_take_no_folder_name_another_platform_claims() -> None:
    """A display name (or a side of one) is a folder of its platform alone, and every folder
    name the pack or the frontends' tokens gave before decides as it did."""
    from romrunner.packs.index import display_spellings

    for path in (builtin_pack_path(), shared_path("definition-pack")):
        pack = load_pack(path)
        for platform in pack.platforms.values():
            for spelling in display_spellings(platform.name):
                assert pack.index.platforms_for_folder(spelling) == (platform.id,), spelling
            for name in (*platform.folder_names, *pack.folder_names.every_name(platform.id)):
                assert platform.id in pack.index.platforms_for_folder(name), name
    tokens = json.loads(shared_path("reference/console-folder-tokens.json").read_text())
    index = load_pack(shared_path("definition-pack")).index
    spelt = {spelling.lower(): platform.id
             for platform in load_pack(shared_path("definition-pack")).platforms.values()
             for spelling in display_spellings(platform.name)}
    for console in tokens["consoles"]:
        for token in console["tokens"].values():
            if token.lower() in spelt:  # (a token that is a display name: that platform's)
                assert index.platforms_for_folder(token) == (spelt[token.lower()],), token


def test_scan_puts_a_display_name_folder_on_its_platform(cli: Any, tmp_path: Path) -> None:
    pack = str(shared_path("definition-pack"))
    root = tmp_path / "roms"
    (root / "Nintendo Game Boy").mkdir(parents=True)
    (root / "Nintendo Game Boy" / "Some Game (USA).gb").write_bytes(b"\x07" * 32768)
    assert cli("--pack", pack, "library", "add", str(root)).code == 0
    result = cli("--pack", pack, "scan", "--workers", "1")
    assert result.code == 0 and "undecided platform" not in result.out, result.out
    rows = cli("--pack", pack, "--json", "games", "ls").json()["data"]["games"]
    assert [row["platform_id"] for row in rows] == ["gb"]
