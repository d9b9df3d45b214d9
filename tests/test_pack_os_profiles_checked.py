"""`pack validate` names what the OS profile resolver would read as nothing (qa183): a section
of osEmulatorProfiles.json of another type (`"profilesByOsId": "oops"` took every OS's base
profile away unsaid), and the platforms and emulators an OS's or device's defaults name that the
pack does not have."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

from romrunner.packs.loader import builtin_pack_path, load_pack
from tests.conftest import shared_path


def pack_copy(tmp_path: Path) -> tuple[Path, dict[str, Any]]:
    pack = tmp_path / "pack"
    shutil.copytree(shared_path("definition-pack"), pack)
    profiles = json.loads((pack / "osEmulatorProfiles.json").read_text(encoding="utf-8-sig"))
    return pack, profiles


def write(pack: Path, profiles: dict[str, Any]) -> None:
    (pack / "osEmulatorProfiles.json").write_text(json.dumps(profiles), encoding="utf-8")


def os_profile_warnings(pack: Path) -> list[str]:
    return [str(w) for w in load_pack(pack).warnings if w.file == "osEmulatorProfiles.json"]


def test_a_wrong_typed_section_is_named(tmp_path: Path, cli: Any) -> None:
    pack, profiles = pack_copy(tmp_path)
    before = os_profile_warnings(pack)
    profiles["profilesByOsId"] = "oops"
    write(pack, profiles)
    added = [w for w in os_profile_warnings(pack) if w not in before]
    assert any(w.startswith("osEmulatorProfiles.json: profilesByOsId: is a string, not an "
                            "object") for w in added), added
    result = cli("pack", "validate", pack)
    assert result.code == 1 and "profilesByOsId: is a string" in result.out, result.out


def test_unknown_platforms_and_emulators_of_a_devices_defaults_are_named(
        tmp_path: Path, cli: Any) -> None:
    pack, profiles = pack_copy(tmp_path)
    entry = profiles["deviceOsProfiles"]["byDeviceId"]["anbernic-rg35xx-plus"]["muos"]
    entry["defaults"]["platformToEmulator"].update({"gb": "no-such-emulator",
                                                    "nosuchplat": "gambatte"})
    write(pack, profiles)
    label = ("osEmulatorProfiles.json: deviceOsProfiles.byDeviceId.anbernic-rg35xx-plus.muos"
             ".defaults.platformToEmulator: names")
    found = os_profile_warnings(pack)
    assert f"{label} platforms this pack does not have: nosuchplat" in found, found
    assert f"{label} emulators this pack does not have: no-such-emulator" in found, found
    result = cli("pack", "validate", pack)
    assert result.code == 1 and "no-such-emulator" in result.out and "nosuchplat" in result.out


def test_the_builtin_packs_os_profiles_name_only_what_it_has() -> None:
    assert os_profile_warnings(builtin_pack_path()) == []
