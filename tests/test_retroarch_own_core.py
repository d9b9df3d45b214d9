"""RetroArch "for a system every RetroArch has a core for" (the pack's ``up_to_snes``
fallback and the built-in one) is not given to a system only an arcade emulator's core
runs (qa203 F3: FM Towns games, which the pack runs with the current MAME core and the
standalone Tsugaru only, went on Onion, muOS, ArkOS and ROCKNIX cards as "retroarch (pack
fallback)", on Onion into a folder it never lists)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest

from romrunner.devices.osprofile import expand_policy_ids, resolve_os_profile
from romrunner.packs import load_pack
from romrunner.packs.loader import DefinitionPack, builtin_pack_path
from tests.conftest import real_pack_profile, shared_path

HANDHELDS = (("miyoo-mini-plus", "onionos"), ("rg-35xx-plus", "muos"), ("rg-353v", "arkos"),
             ("rg-353v", "rocknix"))


@pytest.fixture(scope="module")
def real_pack() -> DefinitionPack:
    return load_pack(shared_path("definition-pack"))


def _runners(platform_id: str) -> list[dict[str, Any]]:
    emulators = json.loads((shared_path("definition-pack") / "emulators.json")
                           .read_text(encoding="utf-8"))["emulators"]
    return [entry for entry in emulators if platform_id in entry.get("supportedPlatforms", [])]


def test_up_to_snes_leaves_out_a_system_only_mames_core_runs(real_pack: DefinitionPack) -> None:
    # the premise, from the pack's own file: FM Towns is of generation 4, and what runs it
    # is the MAME core (an arcade emulator) and a standalone emulator, nothing else
    assert real_pack.platforms["fm-towns"].generation == 4
    runners = _runners("fm-towns")
    assert runners and all("arcade" in entry["supportedPlatforms"]
                           or entry["type"] == "standalone" for entry in runners), runners
    up_to_snes = expand_policy_ids(real_pack, ["up_to_snes"])
    assert "fm-towns" not in up_to_snes
    from romrunner.devices.osprofile import has_a_core_of_its_own
    assert not has_a_core_of_its_own(real_pack, "fm-towns")
    # the other computers and CD systems of that era have a core of their own: kept
    assert {"amiga", "pc-98", "x68000", "sharp-x1", "cdi", "atari-st", "msx", "dos",
            "neogeo", "snes", "genesis"} <= up_to_snes
    # and every platform the expansion keeps has one
    assert all(has_a_core_of_its_own(real_pack, platform) for platform in up_to_snes)


@pytest.mark.parametrize(("device", "os_id"), HANDHELDS)
def test_no_handheld_os_runs_fm_towns_with_retroarch(real_pack: DefinitionPack, device: str,
                                                     os_id: str) -> None:
    resolved = resolve_os_profile(real_pack, device, os_id)
    assert resolved.emulators.get("fm-towns", (None, ""))[0] != "retroarch", resolved.labels
    assert "fm-towns" not in resolved.fallback_platforms
    # a system of the same era with a core of its own keeps the fallback
    assert resolved.emulators["x68000"][0] == "retroarch"


def test_an_fm_towns_game_is_not_in_a_handhelds_auto_list(cli: Any, tmp_path: Path) -> None:
    # (on muOS, which has a folder for it; Onion has none: left out as no_folder, qa205 F3)
    pack = real_pack_profile(cli, tmp_path, "fmtowns/Zak McKracken (Japan).iso", b"\x07",
                             "rg-35xx-plus", "muos")
    listed = cli("--pack", pack, "--json", "autolist", "1")
    assert listed.code == 0, listed.err
    (game,) = listed.json()["data"]["games"]
    assert game["platform_id"] == "fm-towns"
    assert (game["included"], game["reason"]) == (False, "NO_EMULATOR_AVAILABLE"), game
    assert game["emulator_id"] != "retroarch"
    said = " ".join(game["warnings"])
    assert "arcade emulator that runs it as one of its machines" in said, said
    assert "permissive mode includes it" in said
    assert cli("--pack", pack, "profile", "set", "1", "--mode", "permissive").code == 0
    (game,) = cli("--pack", pack, "--json", "autolist", "1").json()["data"]["games"]
    assert game["included"], game
    assert cli("--pack", pack, "device", "add", "miyoo-mini-plus").code == 0
    assert cli("--pack", pack, "profile", "create", "--device", "2", "--os",
               "onionos").code == 0
    (game,) = cli("--pack", pack, "--json", "autolist", "2").json()["data"]["games"]
    assert (game["included"], game["reason"]) == (False, "no_folder"), game


def _pack_with(tmp_path: Path, platforms: list[dict[str, Any]],
               emulators: list[dict[str, Any]]) -> DefinitionPack:
    """The built-in pack with ``platforms`` and ``emulators`` added, and the pack's
    ``up_to_snes`` fallback to RetroArch."""
    root = tmp_path / "pack"
    shutil.copytree(builtin_pack_path(), root)
    for name, key, extra in (("platforms.json", "platforms", platforms),
                             ("emulators.json", "emulators", emulators)):
        data = json.loads((root / name).read_text(encoding="utf-8"))
        data[key] += extra
        (root / name).write_text(json.dumps(data), encoding="utf-8")
    profiles = json.loads((root / "osEmulatorProfiles.json").read_text(encoding="utf-8"))
    profiles["fallbackDefaults"]["platformDefaults"]["up_to_snes"] = ["retroarch"]
    (root / "osEmulatorProfiles.json").write_text(json.dumps(profiles), encoding="utf-8")
    return load_pack(root)


def test_the_rule_reads_the_packs_emulators_not_a_list_of_systems(tmp_path: Path) -> None:
    """With the built-in pack (whose emulators carry no type: ``retroarch-…`` names them
    cores): a generation-4 computer only an arcade core runs is left out; one with a core of
    its own, and the consoles the built-in pack runs with its ``retroarch-…`` cores, are
    in."""
    computer = {"generation": 4, "type": "computer", "fileExtensions": [".iso"]}
    pack = _pack_with(tmp_path, [
        {"id": "fm-towns", "name": "FM Towns", **computer},
        {"id": "x68000", "name": "X68000", **computer}], [
        {"id": "mame", "name": "MAME", "type": "libretro-core",
         "supportedPlatforms": ["arcade", "fm-towns"]},
        {"id": "px68k", "name": "PX68K", "type": "libretro-core",
         "supportedPlatforms": ["x68000"]}])
    up_to_snes = expand_policy_ids(pack, ["up_to_snes"])
    assert "fm-towns" not in up_to_snes
    assert {"x68000", "snes", "genesis", "tg16", "atari-2600"} <= up_to_snes
    assert "arcade" not in up_to_snes  # (generation 0)
