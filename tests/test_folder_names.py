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
            for name in platform.folder_names:
                assert platform.id in pack.index.platforms_for_folder(name), name
        for name, claimed in pack.folder_names.folder_claims().items():
            if pack.platforms.keys() & claimed and name not in pack_names(pack):
                assert pack.index.platforms_for_folder(name) == tuple(
                    p for p in claimed if p in pack.platforms), name
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


def pack_names(pack: Any) -> set[str]:
    """The folder names the pack itself gives (ids and ``commonFolderNames``), lowercase."""
    return {name.lower() for platform in pack.platforms.values()
            for name in (platform.id, *platform.folder_names)}


def _write(root: Path, relative: str, data: bytes) -> None:
    path = root / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    if path.suffix == ".zip":
        with zipfile.ZipFile(path, "w") as archive:
            archive.writestr(path.stem + ".bin", data * 64)
    else:
        path.write_bytes(data * 2048)


def _scan_platforms(cli: Any, root: Path, files: list[str],
                    *pack: str) -> tuple[str, dict[str, tuple[str, list[str]]]]:
    """Scan ``files`` (each of its own bytes) under ``root``: the scan's output, and each
    file's platform and candidates, by its path under ``root``."""
    for i, relative in enumerate(files):
        _write(root, relative, bytes([i + 1, 0x5A, i * 7 % 256]))
    assert cli(*pack, "library", "add", str(root)).code == 0
    scanned = cli(*pack, "scan", "--workers", "1")
    assert scanned.code == 0, scanned.err
    found = {}
    for row in cli(*pack, "--json", "games", "ls").json()["data"]["games"]:
        shown = cli(*pack, "--json", "games", "show", str(row["id"])).json()["data"]
        relative = Path(shown["path"]).relative_to(root).as_posix() if "path" in shown else \
            next(f for f in files if f.endswith(row["filename"]))
        found[relative] = (row["platform_id"], shown.get("platform_candidates") or [])
    return scanned.out + scanned.err, found


def test_scan_decides_the_platform_of_folders_other_frontends_name(
        cli: Any, tmp_path: Path) -> None:
    """qa187: MiSTer's `TGFX16`, TWiLight Menu++'s `gen`, Adam's `A7800`, RomM's `sfam`,
    ES-DE's `megadrivejp`, Batocera's `videopacplus` left their games undecided; Miyoo CFW's
    `SMD` (Genesis and Sega CD games) left a disc image undecided among every disc platform;
    RomM's `ngc` (GameCube) was taken for CrossMix's `NGC` (Neo Geo Pocket Color)."""
    pack = ("--pack", str(shared_path("definition-pack")))
    out, found = _scan_platforms(cli, tmp_path / "roms", [
        "TGFX16/A (USA).pce", "gen/B (USA).bin", "a26/C (USA).bin", "A7800/D (USA).bin",
        "INTELLI/E (USA).bin", "sfam/F (Japan).zip", "megadrivejp/G (Japan).bin",
        "megacdjp/H (Japan).iso", "videopacplus/I (Europe).bin", "TGFX16-CD/J (Japan).iso",
        "SMD/K (USA).iso", "SMD/L (USA).bin", "ngc/M (USA).rvz", "ngc/N (USA).iso",
        "Genesis/SMD/O (USA).bin"], *pack)
    assert {path: platform for path, (platform, _) in found.items()} == {
        "TGFX16/A (USA).pce": "tg16", "gen/B (USA).bin": "genesis",
        "a26/C (USA).bin": "atari-2600", "A7800/D (USA).bin": "atari-7800",
        "INTELLI/E (USA).bin": "intellivision", "sfam/F (Japan).zip": "snes",
        "megadrivejp/G (Japan).bin": "genesis", "megacdjp/H (Japan).iso": "sega-cd",
        "videopacplus/I (Europe).bin": "odyssey2", "TGFX16-CD/J (Japan).iso": "tgcd",
        "SMD/K (USA).iso": "sega-cd", "SMD/L (USA).bin": "unknown",
        "ngc/M (USA).rvz": "unknown", "ngc/N (USA).iso": "unknown",
        "Genesis/SMD/O (USA).bin": "genesis"}  # (the outer folder decides: review40b F1)
    assert sorted(found["SMD/L (USA).bin"][1]) == ["genesis", "sega-cd"]
    assert sorted(found["ngc/M (USA).rvz"][1]) == ["gamecube", "wii"]
    assert "neogeo-pocket-color" not in out and "neogeo-pocket-color" not in str(found)
    assert "3 games are of undecided platform" in out, out


def test_the_builtin_pack_decides_other_frontends_folders_and_keeps_its_own_names(
        cli: Any, tmp_path: Path) -> None:
    """Without the real pack: the built-in pack's platforms get the frontends' names too, and
    a name the pack gives itself (`ngc`: its GameCube) decides as the pack says."""
    _, found = _scan_platforms(cli, tmp_path / "roms", [
        "TGFX16/A (USA).pce", "gen/B (USA).bin", "a78/C (USA).bin", "SMD/D (USA).iso",
        "megadrivejp/E (Japan).bin", "ngc/F (USA).iso"])
    assert {path: platform for path, (platform, _) in found.items()} == {
        "TGFX16/A (USA).pce": "tg16", "gen/B (USA).bin": "genesis",
        "a78/C (USA).bin": "atari-7800", "SMD/D (USA).iso": "sega-cd",
        "megadrivejp/E (Japan).bin": "genesis", "ngc/F (USA).iso": "gamecube"}


# Reference tokens of a platform's entry that do not decide it, and why: given to another
# platform by another frontend, or not written in our data.
_TOKENS_DECIDING_NONE = {
    "ngc": "RomM's GameCube, CrossMix's Neo Geo Pocket Color",
    "launcher": "the reference's ROCKNIX PS Vita token (see _DEVIATIONS): not a platform folder",
}

# A folder a frontend keeps two platforms' games in that another frontend gives one of them
# alone: that one's (the other's own extension still decides it: `.sgx`, `.wsc`, a CD image).
_SHARED_TAKEN = {("mister", "TGFX16"): "tg16", ("pocket", "pce"): "tg16",
                 ("miyoocfw", "PCE"): "tg16", ("miyoocfw", "WSWAN"): "wonderswan"}


def test_every_reference_token_decides_its_platform_or_none() -> None:
    """Every folder name the reference gives a platform of the real pack (its own entry's
    tokens, every frontend) decides that platform, is a name the pack itself gives (another
    platform's: a frontend's `NES` holds FDS games too), or is a known ambiguity."""
    pack, reference = _load_reference()
    index = pack.index
    wrong, undecided, checked = [], set(), 0
    own = pack_names(pack)  # (a frontend's NES holds FDS games too: the pack says nes)
    for platform, entry in sorted(reference_entries(pack, reference).items()):
        if platform not in pack.platforms:
            continue
        for frontend, token in sorted(entry["tokens"].items()):
            checked += 1
            claimed = index.platforms_for_folder(token)
            if not claimed:
                undecided.add(token.lower())
            elif platform not in claimed and token.lower() not in own \
                    and claimed != (_SHARED_TAKEN.get((frontend, token)),):
                wrong.append(f"{frontend} {token!r} of {platform}: {claimed}")
    assert checked > 600
    assert wrong == []
    assert undecided == set(_TOKENS_DECIDING_NONE), undecided


def test_frontend_names_change_no_deploy_folder() -> None:
    """The frontends' names are read by scans only: every OS family's folder for every
    platform is what it is without them."""
    from dataclasses import replace

    names = load_pack(None).folder_names
    bare = replace(names, frontend_names={})
    assert names.frontend_names["genesis"]["es-de"] == ("megadrivejp",)
    for family in {*names.os_families.values(), "es", "default"}:
        for platform in names.names:
            assert names.target_name(platform, family) == bare.target_name(platform, family)
            assert names.folder_for(platform, family) == bare.folder_for(platform, family)


def test_a_bad_frontend_names_entry_is_skipped_with_a_warning(tmp_path: Path) -> None:
    pack_dir = tmp_path / "pack"
    shutil.copytree(builtin_pack_path(), pack_dir)
    (pack_dir / "folder-names.json").write_text(json.dumps({"platforms": {
        "gb": {"default": "gb", "frontendNames": {"mister": "Gameboy", "romm": 3,
                                                  "twmenu": ["../up", "gbx"]}},
        "nes": {"default": "nes", "frontendNames": "NES"}}}))
    pack = load_pack(pack_dir)
    assert pack.index.platforms_for_folder("Gameboy") == ("gb",)
    assert pack.index.platforms_for_folder("gbx") == ("gb",)
    assert pack.index.platforms_for_folder("../up") == ()
    said = " ".join(str(w) for w in pack.warnings)
    assert "gb.frontendNames.romm" in said and "gb.frontendNames.twmenu" in said
    assert "nes.frontendNames" in said


def test_onion_spells_every_platform_its_frontend_reads_or_has_none() -> None:
    """qa205 F3: Onion reads only the folder names it spells; FM Towns alone had no Onion
    entry, so its games went to the EmulationStation name `Roms/fmtowns`, a folder Onion (and
    CrossMix, Spruce, MiyooCFW and stock, built on its names) never reads, said deployed."""
    names = json.loads((builtin_pack_path() / "folder-names.json").read_text(encoding="utf-8"))
    unspelt = sorted(platform for platform, entry in names["platforms"].items()
                     if "onion" not in entry)
    assert unspelt == [], unspelt


def test_onion_has_no_folder_for_fm_towns(cli: Any, tmp_path: Path) -> None:
    pack = shared_path("definition-pack")
    game = tmp_path / "lib" / "fmtowns" / "Towns Game (Japan).iso"
    game.parent.mkdir(parents=True)
    game.write_bytes(b"t" * 50_000)
    for args in (("library", "add", str(tmp_path / "lib")), ("scan", "--workers", "1"),
                 ("device", "add", "miyoo-mini-plus"),
                 ("profile", "create", "--device", "1", "--os", "onionos")):
        assert cli("--pack", str(pack), *args).code == 0, args
    card = tmp_path / "card"
    card.mkdir()
    deployed = cli("--pack", str(pack), "deploy", "1", "--to", str(card), "platform:fm-towns")
    assert deployed.code == 1 and "has no folder for platform fm-towns" in deployed.err, \
        (deployed.code, deployed.err)
    assert not list(card.rglob("*.iso"))
