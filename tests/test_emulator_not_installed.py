"""Games that go to a card for an emulator the OS does not have are said (QA12 F6: PSP and N64
games on an OnionOS card through the pack's fallbacks, said only in the auto-list's JSON):
by the auto-list's text and JSON, and by the deploy plan, per platform — never for an
emulator the pack lists as installed, nor when the pack lists nothing for the OS."""

from __future__ import annotations

import hashlib
import json
import shutil
from pathlib import Path
from typing import Any

from romrunner.packs import builtin_pack_path
from tests.conftest import shared_path

SNES_WORDS = ("snes: 1 included game runs with retroarch-snes9x (muos default), which is not "
              "among the emulators the definition pack lists as installed on muos: it may not "
              "start there (another: `romrunner override set --platform snes --emulator E`)")


def _pack(tmp_path: Path, cores: list[str] | None) -> Path:
    """The built-in pack, its muOS profile listing ``cores`` as installed (None: no list)."""
    pack = tmp_path / "pack"
    shutil.copytree(builtin_pack_path(), pack)
    if cores is not None:
        path = pack / "osEmulatorProfiles.json"
        profiles = json.loads(path.read_text(encoding="utf-8"))
        profiles["profilesByOsId"]["muos"]["installed"] = {"retroarchCores": cores}
        path.write_text(json.dumps(profiles), encoding="utf-8")
    return pack


def _real_library(cli: Any, tmp_path: Path, files: tuple[tuple[str, str], ...], device: str,
                  oses: list[str], *, permissive: bool = False) -> Path:
    """Files (folder, name) under roms/, scanned with the real pack, the device added and a
    profile per OS (1, 2…; ``permissive``: each in permissive mode); returns the pack."""
    pack = shared_path("definition-pack")
    root = tmp_path / "roms"
    for folder, name in files:
        (root / folder).mkdir(parents=True, exist_ok=True)
        (root / folder / name).write_bytes(hashlib.sha256(name.encode()).digest() * 512)
    steps = [("library", "add", str(root)), ("scan", "--workers", "1"),
             ("device", "add", device),
             *(("profile", "create", "--device", "1", "--os", os_id) for os_id in oses),
             *(("profile", "set", str(n), "--mode", "permissive")
               for n in range(1, len(oses) + 1) if permissive)]
    for args in steps:
        result = cli("--pack", str(pack), *args)
        assert result.code == 0, (args, result.err)
    return pack


def _library(cli: Any, tmp_path: Path, pack: Path) -> None:
    root = tmp_path / "roms"
    for folder, name in (("gb", "Alpha (USA).gb"), ("snes", "Beta (USA).sfc"),
                         ("snes", "Gamma (USA).sfc")):
        (root / folder).mkdir(parents=True, exist_ok=True)
        (root / folder / name).write_bytes(hashlib.sha256(name.encode()).digest() * 512)
    for args in (("library", "add", str(root)), ("scan", "--workers", "1"),
                 ("device", "add", "rg-35xx-plus"),
                 ("profile", "create", "--device", "1", "--os", "muos")):
        result = cli("--pack", str(pack), *args)
        assert result.code == 0, (args, result.err)


def test_the_autolist_and_the_plan_say_which_platforms_lack_their_emulator(
        cli: Any, tmp_path: Path) -> None:
    pack = _pack(tmp_path, ["gambatte", "mgba"])
    _library(cli, tmp_path, pack)
    listed = cli("--pack", str(pack), "--json", "autolist", "1")
    assert listed.code == 0, listed.err
    words = [w for w in listed.json()["warnings"] if "installed" in w]
    assert words == [SNES_WORDS.replace("1 included game runs", "2 included games run")
                     .replace("it may", "they may")]
    text = cli("--pack", str(pack), "autolist", "1")
    assert "warning: " + words[0] in text.err.splitlines(), text.err
    card = tmp_path / "card"
    card.mkdir()
    dry = cli("--pack", str(pack), "--json", "deploy", "1", "--to", str(card), "platform:gb",
              "--dry-run")
    assert dry.code == 0, dry.err
    assert [w for w in dry.json()["data"]["plan"]["warnings"]
            if w["code"] == "emulator-not-installed"] == []
    one = cli("--pack", str(pack), "--json", "deploy", "1", "--to", str(card), "Beta",
              "--dry-run")
    found = [w for w in one.json()["data"]["plan"]["warnings"]
             if w["code"] == "emulator-not-installed"]
    assert [(w["platform_id"], w["message"]) for w in found] == [
        ("snes", SNES_WORDS.replace("included ", ""))]


def test_a_game_set_to_an_installed_emulator_is_not_said(cli: Any, tmp_path: Path) -> None:
    pack = _pack(tmp_path, ["gambatte", "mgba"])
    _library(cli, tmp_path, pack)
    games = cli("--pack", str(pack), "--json", "games", "ls", "platform:snes").json()["data"]
    beta = next(g["id"] for g in games["games"] if g["filename"] == "Beta (USA).sfc")
    assert cli("--pack", str(pack), "override", "set", "--game", str(beta), "--emulator",
               "retroarch-mgba", "--force").code == 0  # (mgba lists no snes; a test's choice)
    card = tmp_path / "card"
    card.mkdir()
    dry = cli("--pack", str(pack), "--json", "deploy", "1", "--to", str(card), "platform:snes",
              "--dry-run")
    found = [w["message"] for w in dry.json()["data"]["plan"]["warnings"]
             if w["code"] == "emulator-not-installed"]
    assert len(found) == 1 and found[0].startswith("snes: 1 game runs with retroarch-snes9x "
                                                   "(muos default)"), found


def test_nothing_is_said_when_the_pack_lists_no_installed_emulators(cli: Any,
                                                                   tmp_path: Path) -> None:
    pack = _pack(tmp_path, None)
    _library(cli, tmp_path, pack)
    listed = cli("--pack", str(pack), "--json", "autolist", "1")
    assert not [w for w in listed.json()["warnings"] if "installed" in w]
    card = tmp_path / "card"
    card.mkdir()
    dry = cli("--pack", str(pack), "--json", "deploy", "1", "--to", str(card), "platform:snes",
              "--dry-run")
    assert not [w for w in dry.json()["data"]["plan"]["warnings"]
                if w["code"] == "emulator-not-installed"]


def test_onion_runs_snes_with_its_installed_core_and_not_n64(cli: Any, tmp_path: Path) -> None:
    # QA13: with the real pack, OnionOS's SNES, Mega Drive and PS1 games were said not to start
    # with the pack's generic `retroarch` fallback, though Onion's installed RetroArch cores
    # (snes9x, genesis-plus-gx, pcsx-rearmed) run them; N64 it has no core for.
    pack = _real_library(cli, tmp_path, (
        ("snes", "Beta (USA).sfc"), ("n64", "Delta (USA).z64"), ("gb", "Alpha (USA).gb")),
        "miyoo-mini-plus", ["onionos"], permissive=True)
    listed = cli("--pack", str(pack), "--json", "autolist", "1").json()
    said = [w.split(":")[0] for w in listed["warnings"] if "installed on" in w]
    assert said == [], listed["warnings"]
    # (Onion has no N64 folder, nor a core for it: the N64 game is left out for the folder,
    # QA172 F3; before, it went to Roms/N64, said not to start with the fallback's core)
    reasons = {g["platform_id"]: g["reason"] for g in listed["data"]["games"]}
    assert reasons["n64"] == "no_folder", reasons
    per_game = {g["platform_id"]: g["warnings"] for g in listed["data"]["games"]}
    assert not [w for w in per_game["snes"] if "installed" in w]
    assert [w for w in per_game["n64"] if "installed" in w]


def test_an_installed_list_naming_no_known_emulator_says_nothing(cli: Any,
                                                                 tmp_path: Path) -> None:
    # QA14: MinUI's installed list is `minui-native` ("its built-in emulators, not
    # enumerated"): every platform was said not to start there.
    pack = _real_library(cli, tmp_path, (
        ("snes", "Beta (USA).sfc"), ("gb", "Alpha (USA).gb")),
        "miyoo-mini-plus", ["minui"], permissive=True)
    listed = cli("--pack", str(pack), "--json", "autolist", "1").json()
    assert not [w for w in listed["warnings"] if "installed on" in w], listed["warnings"]
    assert not [w for g in listed["data"]["games"] for w in g["warnings"] if "installed" in w]


def test_games_of_a_platform_no_emulator_of_the_os_runs_are_said_by_the_plan(
        cli: Any, tmp_path: Path) -> None:
    # QA36 F1: Dreamcast games on an OnionOS card (no emulator for it at all), chosen by a
    # query, went on the card without a word, while the auto-list leaves them out. (Onion
    # has no Dreamcast folder, and its list is partial: QA172 F2, F3; TheRA's list is whole
    # and runs no 3DO game.)
    pack = _real_library(cli, tmp_path, (
        ("3do", "Alpha (USA).iso"), ("3do", "Beta (USA).iso"),
        ("gb", "Gamma (USA).gb")), "rg-353m", ["thera"])
    listed = cli("--pack", str(pack), "--json", "autolist", "1").json()["data"]["games"]
    assert {g["filename"]: g["reason"] for g in listed if g["platform_id"] == "3do"} == {
        "Alpha (USA).iso": "NO_EMULATOR_AVAILABLE", "Beta (USA).iso": "NO_EMULATOR_AVAILABLE"}
    card = tmp_path / "card"
    card.mkdir()
    dry = cli("--pack", str(pack), "--json", "deploy", "1", "--to", str(card),
              "platform:3do,gb", "--dry-run")  # (ports: see the test below)
    assert dry.code == 0, dry.err
    found = [(w["platform_id"], w["message"]) for w in dry.json()["data"]["plan"]["warnings"]
             if w["code"] == "no-emulator"]
    assert found == [("3do", "3do: 2 games go on the card, but no emulator the "
                      "definition pack knows runs 3do on ArkOS: they will not start "
                      "there (the auto-list leaves such games out, NO_EMULATOR_AVAILABLE, "
                      "but those a game override includes; `romrunner override set --platform "
                      "3do --emulator ID` names one)")]
    text = cli("--pack", str(pack), "deploy", "1", "--to", str(card), "platform:3do",
               "--dry-run")
    assert "no emulator the definition pack knows runs 3do" in text.out + text.err


def test_a_platform_no_default_names_runs_with_the_oss_installed_emulator(
        cli: Any, tmp_path: Path) -> None:
    # QA61 F6: FunKey OS lists mednafen as installed, and the pack's mednafen runs the
    # WonderSwan; with no default and no fallback for it, the deploy said "no emulator the
    # definition pack knows runs wonderswan on FunKey-OS" and the auto-list left its games out.
    pack = _real_library(cli, tmp_path, (
        ("WS", "Gunpey (Japan).ws"), ("gb", "Alpha (USA).gb")),
        "rg-35xx-plus", ["funkey-os"])
    games = {g["platform_id"]: g for g in
             cli("--pack", str(pack), "--json", "autolist", "1").json()["data"]["games"]}
    assert games["wonderswan"]["included"], games["wonderswan"]
    # of several installed emulators of a platform, its own: EmuDeck's MAME for arcade, not
    # the flycast that runs Naomi boards too (QA64 F13)
    from romrunner.devices.osprofile import resolve_os_profile
    from romrunner.packs import load_pack
    emudeck = resolve_os_profile(load_pack(pack), "steam-deck-oled", "emudeck")
    assert emudeck.emulators["arcade"][0] == "mame-standalone", emudeck.emulators["arcade"]
    resolved = cli("--pack", str(pack), "resolve", str(games["wonderswan"]["game_id"]),
                   "--profile", "1")
    assert "mednafen" in resolved.out and "installed on funkey-os" in resolved.out, resolved.out
    card = tmp_path / "card"
    card.mkdir()
    dry = cli("--pack", str(pack), "--json", "deploy", "1", "--to", str(card),
              "platform:wonderswan", "--dry-run")
    assert dry.code == 0, dry.err
    assert not [w for w in dry.json()["data"]["plan"]["warnings"] if w["code"] == "no-emulator"]


def test_a_frontend_that_reads_only_its_own_folders_runs_those_and_has_none_else(
        cli: Any, tmp_path: Path) -> None:
    # QA61 F2/F3: on MinUI (and the Analogue Pocket) a GBA game "will not start there" (the
    # pack enumerates none of MinUI's emulators) and was left out of the auto-list, while
    # N64 and PSP games, which neither runs, went silently to EmulationStation-named
    # folders no pak or core reads.
    pack = _real_library(cli, tmp_path, (
        ("gba", "Golden Sun (USA).gba"), ("n64", "Mario 64 (USA).z64"), ("gb", "Alpha (USA).gb")),
        "rg-35xx-plus", ["minui", "analogue-os"], permissive=True)
    for profile, gba_folder in (("1", "Roms/Game Boy Advance (GBA)"),
                                ("2", "Assets/gba/common")):
        games = {g["platform_id"]: g for g in cli(
            "--pack", str(pack), "--json", "autolist", profile).json()["data"]["games"]}
        assert games["gba"]["included"], games["gba"]
        assert (games["n64"]["included"], games["n64"]["reason"]) == (False, "no_folder")
        # (the OS's own, not the pack's generic RetroArch fallback, which neither runs:
        # QA64 F5)
        assert games["gb"]["emulator_id"] == games["gba"]["emulator_id"] != "retroarch"
        card = tmp_path / f"card{profile}"
        card.mkdir()
        dry = cli("--pack", str(pack), "--json", "deploy", profile, "--to", str(card),
                  "--auto", "--dry-run")
        warnings = dry.json()["data"]["plan"]["warnings"]
        assert not [w for w in warnings if w["code"] == "no-emulator"], warnings
        deployed = cli("--pack", str(pack), "deploy", profile, "--to", str(card), "--auto")
        assert deployed.code == 0, deployed.err
        placed = sorted(str(p.relative_to(card)) for p in card.rglob("*.gba")
                        if ".romrunner" not in p.parts)
        assert placed == [f"{gba_folder}/Golden Sun (USA).gba"], placed
        (card / gba_folder.split("/")[0] / "n64").mkdir()  # (a folder it does not read:
        # one an earlier release made, or by hand — QA64 F12: it took the N64 games)
        chosen = cli("--pack", str(pack), "deploy", profile, "--to", str(card),
                     "platform:n64")
        assert chosen.code == 1 and "has no folder for platform n64" in chosen.err, chosen.err
        assert not list(card.rglob("*.z64"))


def test_ports_go_only_to_an_os_with_portmaster(cli: Any, tmp_path: Path) -> None:
    # QA61 F7: a PortMaster port went, without a word and exit 0, to OSes the pack says have
    # no PortMaster (`supportsPortMaster: false`: MinUI, GarlicOS, FunKey, Analogue OS). On
    # one with PortMaster, a port goes as its script only, said (QA64 F4: its folder stays
    # behind; no auto-list takes one).
    pack = shared_path("definition-pack")
    root = tmp_path / "roms" / "ports"
    root.mkdir(parents=True)
    (root / "Doom.sh").write_text("#!/bin/bash\necho doom\n")
    for args in (("library", "add", str(tmp_path / "roms")), ("scan", "--workers", "1"),
                 ("device", "add", "rg-35xx-plus"),
                 ("profile", "create", "--device", "1", "--os", "garlicos"),
                 ("profile", "create", "--device", "1", "--os", "knulli")):
        result = cli("--pack", str(pack), *args)
        assert result.code == 0, (args, result.err)
    [port] = cli("--pack", str(pack), "--json", "autolist", "1").json()["data"]["games"]
    assert (port["platform_id"], port["included"]) == ("ports", False), port
    [port] = cli("--pack", str(pack), "--json", "autolist", "2").json()["data"]["games"]
    assert not port["included"], port
    garlic = tmp_path / "garlic"
    garlic.mkdir()
    refused = cli("--pack", str(pack), "deploy", "1", "--to", str(garlic), "platform:ports")
    assert refused.code == 1 and "has no folder for platform ports" in refused.err
    assert not [p for p in garlic.rglob("*.sh")]
    knulli = tmp_path / "knulli"
    knulli.mkdir()
    deployed = cli("--pack", str(pack), "deploy", "2", "--to", str(knulli), "platform:ports")
    assert deployed.code == 0, deployed.err
    assert "1 PortMaster port goes on the card as its script only" in deployed.err
    # (the OS launches ports: never said not to start, nor unchecked, review 19 R7)
    assert "will not start" not in deployed.err and "not checked" not in deployed.err, \
        deployed.err
    assert [p.name for p in knulli.rglob("*.sh")] == ["Doom.sh"]


def test_a_platform_no_rule_names_an_emulator_for_on_an_unlisted_os_is_not_left_out(
        cli: Any, tmp_path: Path) -> None:
    """QA123 F1: the real pack lists nothing installed for RetroPie, Recalbox, SteamOS… (nor
    RetroArch's cores where RetroArch alone is listed: TrimUI OS), and its fallback has no
    GBA: every GBA game was NO_EMULATOR_AVAILABLE, left out of the auto-list, and "will not
    start there" by a query. What runs GBA there is unknown, not none. Spruce's profile lists
    RetroArch and its cores, none of them for GBA: RetroArch runs it (QA152 F9; before, none);
    the strict Recalbox profile still leaves it out."""
    pack = _real_library(cli, tmp_path, (("gba", "Alpha (USA).gba"),
                                         ("xbox", "Omega (USA).iso"),
                                         ("psvita", "Sigma (USA).vpk")), "rg-35xx-plus",
                         ["recalbox", "trimuios", "spruce", "recalbox"])
    assert cli("--pack", str(pack), "profile", "set", "4", "--mode", "strict").code == 0
    reasons = {}
    for profile in (1, 2, 3, 4):
        listed = cli("--pack", str(pack), "--json", "autolist", str(profile)).json()["data"]
        (game,) = [g for g in listed["games"] if g["platform_id"] == "gba"]
        reasons[profile] = game["reason"]
        (xbox,) = [g for g in listed["games"] if g["platform_id"] == "xbox"]
        assert not xbox["included"], xbox  # (a strict platform: still needs a rating)
        if profile == 1:
            assert xbox["reason"] == "COMPAT_MISSING_STRICT", xbox
            # (review 128 F3: every Vita emulator the pack knows is demanding)
            (vita,) = [g for g in listed["games"] if g["platform_id"] == "psvita"]
            assert (vita["included"], vita["reason"]) == (False, "NO_EMULATOR_AVAILABLE")
        if profile == 1:  # (and not "No default emulator" beside it: review 126 F6)
            assert any("Emulator unknown" in w for w in game["warnings"]), game
            assert not any("No default emulator" in w for w in game["warnings"]), game
    assert reasons == {1: "INCLUDED", 2: "INCLUDED", 3: "INCLUDED",
                       4: "NO_EMULATOR_AVAILABLE"}
    card = tmp_path / "card"
    card.mkdir()
    codes = {}
    for profile in (1, 3):
        dry = cli("--pack", str(pack), "--json", "deploy", str(profile), "--to", str(card),
                  "platform:gba", "--dry-run")
        assert dry.code == 0, dry.err
        codes[profile] = [w["code"] for w in dry.json()["data"]["plan"]["warnings"]
                          if w["platform_id"] == "gba"]
    assert codes == {1: ["emulator-unknown"], 3: []}  # (Spruce's RetroArch runs GBA)
