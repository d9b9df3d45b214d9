"""Device profiles: which OS a profile runs, and which emulator it uses for each platform.

The emulator of a platform on a profile, in order: the profile's platform override, the
global platform override, the pack's defaults for the profile's device and OS
(``osEmulatorProfiles.json``: device+OS profile, then OS profile, then fallback defaults).
Per-game overrides do not apply here: this answers for a platform as a whole.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from romrunner.errors import InputError
from romrunner.packs.loader import DefinitionPack
from romrunner.store.database import Database


@dataclass(frozen=True)
class Profile:
    """A device profile as the database has it."""

    id: int
    device_id: str
    os_id: str
    name: str | None


def load_profile(db: Database, profile_id: int) -> Profile:
    """The profile ``profile_id``; InputError when there is none."""
    row = db.query_one(
        "SELECT p.id, d.device_id, p.os_id, p.profile_name FROM device_profiles p "
        "JOIN devices d ON d.id = p.device_row_id WHERE p.id = ?", (profile_id,))
    if row is None:
        raise InputError(f"device profile {profile_id}: no such profile")
    return Profile(int(row["id"]), str(row["device_id"]), str(row["os_id"]),
                   row["profile_name"])


def _mapping(value: Any, *path: str) -> dict[str, Any]:
    """``value[path[0]][path[1]]…`` when each step is an object, else {} (the pack is
    loaded leniently: a missing or malformed level means no defaults from it)."""
    for key in path:
        value = value.get(key) if isinstance(value, dict) else None
    return value if isinstance(value, dict) else {}


def default_emulators(pack: DefinitionPack, device_id: str, os_id: str) -> dict[str, str]:
    """The pack's default emulator per platform for a device running an OS."""
    profiles = pack.os_profiles
    chosen: dict[str, str] = {}
    for platform, emulators in _mapping(profiles, "fallbackDefaults",
                                        "platformDefaults").items():
        if platform in pack.platforms and isinstance(emulators, list) and emulators:
            chosen[platform] = str(emulators[0])
    for layer in (_mapping(profiles, "profilesByOsId", os_id, "defaults", "platformToEmulator"),
                  _mapping(profiles, "deviceOsProfiles", "byDeviceId", device_id, os_id,
                           "defaults", "platformToEmulator")):
        chosen.update({str(p): str(e) for p, e in layer.items() if isinstance(e, str) and e})
    return chosen


def platform_emulators(db: Database, pack: DefinitionPack, profile: Profile,
                       platforms: list[str]) -> dict[str, tuple[str | None, str]]:
    """Per platform: (emulator or None, where that choice came from)."""
    overrides: dict[str, tuple[str, str]] = {}
    for row in db.query("SELECT platform_id, emulator_id, device_profile_id "
                        "FROM platform_overrides WHERE device_profile_id = ? "
                        "OR device_profile_id IS NULL ORDER BY device_profile_id IS NULL DESC",
                        (profile.id,)):
        origin = "profile platform override" if row["device_profile_id"] is not None \
            else "platform override"
        overrides[row["platform_id"]] = (row["emulator_id"], origin)
    defaults = default_emulators(pack, profile.device_id, profile.os_id)
    chosen: dict[str, tuple[str | None, str]] = {}
    for platform in platforms:
        if platform in overrides:
            chosen[platform] = overrides[platform]
        elif platform in defaults:
            chosen[platform] = (defaults[platform], f"{profile.os_id} default")
        else:
            chosen[platform] = (None, "no emulator known")
    return chosen
