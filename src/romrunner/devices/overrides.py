"""Which emulator a game uses on a device profile, and whether it is in or out.

Precedence (DECISIONS, overrides): profile game override > global game override > profile
platform override > global platform override > the OS profile's default > none (the caller
falls back to the pack and warns). Resolved for a whole page of games in one statement.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from romrunner.devices.profiles import Profile, load_profile
from romrunner.errors import InputError, NotFoundError
from romrunner.packs.loader import DefinitionPack
from romrunner.store.database import Database

_LEVELS = (("pg", "profile game override"), ("gg", "game override"),
           ("pp", "profile platform override"), ("gp", "platform override"))


@dataclass(frozen=True)
class Resolution:
    """The emulator a game runs with on a profile, where that came from, and its action."""

    game_id: int
    platform_id: str
    emulator_id: str | None
    origin: str
    action: str | None  # 'include', 'exclude' or None (no game override says)


def resolve_emulators(db: Database, profile_id: int | None, game_ids: Sequence[int],
                      os_defaults: Mapping[str, str]) -> dict[int, Resolution]:
    """Resolve every game of ``game_ids`` for ``profile_id`` (None: global overrides only)."""
    if not game_ids:
        return {}
    rows = db.query(
        "SELECT g.id, g.platform_id, pg.emulator_id AS pg, pg.action AS pg_action, "
        "gg.emulator_id AS gg, gg.action AS gg_action, pp.emulator_id AS pp, "
        "gp.emulator_id AS gp "
        "FROM json_each(?) j JOIN games g ON g.id = j.value "
        "LEFT JOIN game_overrides pg ON pg.game_id = g.id AND pg.device_profile_id = ? "
        " AND pg.is_enabled = 1 "
        "LEFT JOIN game_overrides gg ON gg.game_id = g.id AND gg.device_profile_id IS NULL "
        " AND gg.is_enabled = 1 "
        "LEFT JOIN platform_overrides pp ON pp.platform_id = g.platform_id "
        " AND pp.device_profile_id = ? "
        "LEFT JOIN platform_overrides gp ON gp.platform_id = g.platform_id "
        " AND gp.device_profile_id IS NULL",
        (json.dumps(list(game_ids)), profile_id, profile_id))
    resolved: dict[int, Resolution] = {}
    for row in rows:
        emulator, origin = None, "none"
        for column, label in _LEVELS:
            if row[column]:
                emulator, origin = row[column], label
                break
        else:
            default = os_defaults.get(row["platform_id"])
            if default:
                emulator, origin = default, "os default"
        action = row["pg_action"] or row["gg_action"]
        resolved[int(row["id"])] = Resolution(int(row["id"]), row["platform_id"], emulator,
                                              origin, action)
    return resolved


# -- emulator identity -----------------------------------------------------------------------
# One explicit map of emulator families: the ids the pack, the OS profiles' installed lists
# and compatibility sources use for the same emulator (DATA.md: `dolphin` in compatibility
# data, `dolphin-standalone` in OS defaults). Beyond it, libretro cores are one emulator under
# every spelling: `snes9x`, `snes9x_libretro`, `retroarch-snes9x`, `retroarch:snes9x`.
EMULATOR_FAMILIES: dict[str, tuple[str, ...]] = {
    "dolphin": ("dolphin", "dolphin-standalone"),
    "duckstation": ("duckstation", "duckstation-standalone"),
    "ppsspp": ("ppsspp", "ppsspp-standalone"),
    "flycast": ("flycast", "flycast-standalone", "flycast2021"),
    "mupen64plus": ("mupen64plus-next", "mupen64plus-standalone", "mupen64plus"),
    "pcsx2": ("pcsx2", "pcsx2-standalone", "lrps2"),
    "melonds": ("melonds", "melonds-ds", "melonds-standalone"),
    "mame": ("mame", "mame-standalone"),
    "retroarch": ("retroarch",),
}
_FAMILY_OF = {member: family for family, members in EMULATOR_FAMILIES.items()
              for member in members}


def emulator_key(emulator_id: str) -> str:
    """One spelling of an emulator id: lowercase, no ``retroarch-`` prefix, no ``_libretro``
    suffix, ``-`` for ``_`` (``retroarch-snes9x`` and ``snes9x_libretro`` give ``snes9x``)."""
    key = emulator_id.strip().lower()
    for prefix in ("retroarch-", "retroarch:", "retroarch_"):
        if key.startswith(prefix) and len(key) > len(prefix):
            key = key[len(prefix):]
    key = key.removesuffix("_libretro").removesuffix("-libretro")
    return key.replace("_", "-")


def emulator_family(emulator_id: str) -> str:
    """The family of an emulator (``dolphin-standalone`` → ``dolphin``); itself otherwise."""
    key = emulator_key(emulator_id)
    return _FAMILY_OF.get(key, key)


def resolve_emulator_id(pack: DefinitionPack, text: str) -> str:
    """The pack's id for the emulator the user named, under any spelling of the family map;
    an error naming it when the pack has no such emulator or the name is ambiguous."""
    if text in pack.emulators:
        return text
    key = emulator_key(text)
    same = sorted(e for e in pack.emulators if emulator_key(e) == key)
    if len(same) == 1:
        return same[0]
    if len(same) > 1 and any(e == key for e in same):
        return key
    if len(same) > 1:
        raise InputError(f"emulator {text!r} is ambiguous: {', '.join(same)}")
    raise InputError(f"emulator {text!r} is not in the definition pack")


def installed_emulators(pack: DefinitionPack, os_id: str, device_id: str) -> list[str] | None:
    """The emulators the OS profile lists as installed (device-specific lists included);
    None when the pack lists none for it (nothing can be said)."""
    found: list[str] = []
    profiles = pack.os_profiles if isinstance(pack.os_profiles, dict) else {}
    layers = [_dig(profiles, "profilesByOsId", os_id, "installed"),
              _dig(profiles, "deviceOsProfiles", "byDeviceId", device_id, os_id, "installed")]
    for layer in layers:
        for key in ("retroarchCores", "standaloneEmulators"):
            values = layer.get(key)
            if isinstance(values, list):
                found += [str(v) for v in values if isinstance(v, str)]
    return found or None


def _dig(value: Any, *path: str) -> dict[str, Any]:
    for key in path:
        value = value.get(key) if isinstance(value, dict) else None
    return value if isinstance(value, dict) else {}


def emulator_warnings(pack: DefinitionPack, emulator_id: str, platform_id: str,
                      profile: Profile | None) -> list[str]:
    """What is doubtful about running ``platform_id`` games with ``emulator_id`` (on
    ``profile``): a platform the pack does not list for it, an emulator its OS lacks."""
    warnings: list[str] = []
    emulator = pack.emulators.get(emulator_id)
    if emulator is not None and emulator.platforms and "*" not in emulator.platforms \
            and platform_id not in emulator.platforms:
        warnings.append(f"emulator {emulator_id} does not list platform {platform_id} "
                        f"(it lists {', '.join(emulator.platforms)})")
    if profile is None:
        return warnings
    installed = installed_emulators(pack, profile.os_id, profile.device_id)
    if installed is None:
        return warnings
    if any(emulator_key(i) == emulator_key(emulator_id) for i in installed):
        return warnings
    relatives = [i for i in installed if emulator_family(i) == emulator_family(emulator_id)]
    if relatives:
        warnings.append(f"emulator {emulator_id} is not installed on {profile.os_id}; "
                        f"the same family is: {', '.join(relatives)}")
    else:
        warnings.append(f"emulator {emulator_id} is not installed on {profile.os_id} "
                        f"(profile {profile.id})")
    return warnings


# -- setting and listing overrides -----------------------------------------------------------
@dataclass(frozen=True)
class OverrideChange:
    """What ``override set`` stored, and what is doubtful about it."""

    scope: str  # 'platform' or 'game'
    target: str
    profile_id: int | None
    emulator_id: str | None
    action: str | None
    settings: dict[str, Any]
    warnings: list[str]


def _profile(db: Database, profile_id: int | None) -> Profile | None:
    return load_profile(db, profile_id) if profile_id is not None else None


def _scope(profile_id: int | None) -> tuple[str, tuple[object, ...]]:
    if profile_id is None:
        return "device_profile_id IS NULL", ()
    return "device_profile_id = ?", (profile_id,)


def set_platform_override(db: Database, pack: DefinitionPack, platform_id: str,
                          emulator: str, profile_id: int | None = None) -> OverrideChange:
    """Use ``emulator`` for every game of ``platform_id`` (on one profile, or everywhere)."""
    if platform_id not in pack.platforms:
        raise InputError(f"platform {platform_id!r} is not in the definition pack")
    emulator_id = resolve_emulator_id(pack, emulator)
    profile = _profile(db, profile_id)
    where, params = _scope(profile_id)
    with db.atomic():
        db.execute(f"DELETE FROM platform_overrides WHERE platform_id = ? AND {where}",
                   (platform_id, *params))
        db.execute("INSERT INTO platform_overrides (device_profile_id, platform_id, "
                   "emulator_id) VALUES (?, ?, ?)", (profile_id, platform_id, emulator_id))
    return OverrideChange("platform", platform_id, profile_id, emulator_id, None, {},
                          emulator_warnings(pack, emulator_id, platform_id, profile))


_PLAIN_INT = re.compile(r"^-?(0|[1-9][0-9]*)$")
_NOT_FINITE = re.compile(r"^[+-]?(nan|inf|infinity)$", re.IGNORECASE)
_WORDS: dict[str, Any] = {"true": True, "false": False, "null": None}


def parse_setting(text: str) -> tuple[str, Any]:
    """``key=value``: the value is kept as the user typed it, as text, except a plain whole
    number (``3``, ``-1``; not ``007``), ``true``, ``false`` and ``null``. So ``1.10`` stays
    ``1.10`` and ``1e3`` stays ``1e3``; NaN and infinities are refused (JSON cannot hold them).
    """
    key, sep, value = text.partition("=")
    if not sep or not key.strip():
        raise InputError(f"setting {text!r}: expected key=value")
    if _NOT_FINITE.match(value.strip()):
        raise InputError(f"setting {text!r}: {value.strip()} is not a finite number; give a "
                         "number, true/false, or text")
    if _PLAIN_INT.match(value):
        return key.strip(), int(value)
    if value in _WORDS:
        return key.strip(), _WORDS[value]
    return key.strip(), value


def format_setting(value: Any) -> str:
    """A stored setting value as the user would type it (``true``, ``3``, ``1.10``)."""
    if isinstance(value, str):
        return value
    return json.dumps(value, ensure_ascii=False)


def set_game_override(db: Database, pack: DefinitionPack, game_id: int, *,
                      profile_id: int | None = None, emulator: str | None = None,
                      action: str | None = None, settings: Mapping[str, Any] | None = None
                      ) -> OverrideChange:
    """Set a game's emulator, include/exclude action and/or settings (merged into the ones
    already set at the same scope)."""
    if action not in (None, "include", "exclude"):
        raise InputError(f"action {action!r}: expected include or exclude")
    row = db.query_one("SELECT platform_id FROM games WHERE id = ?", (game_id,))
    if row is None:
        raise NotFoundError(f"game {game_id} does not exist")
    emulator_id = resolve_emulator_id(pack, emulator) if emulator is not None else None
    profile = _profile(db, profile_id)
    where, params = _scope(profile_id)
    with db.atomic():
        current = db.query_one(f"SELECT id, emulator_id, action, custom_settings FROM "
                               f"game_overrides WHERE game_id = ? AND {where}",
                               (game_id, *params))
        merged = dict(_settings(current["custom_settings"])) if current else {}
        merged.update(settings or {})
        values = (emulator_id or (current["emulator_id"] if current else None),
                  action or (current["action"] if current else None),
                  json.dumps(merged, sort_keys=True) if merged else None)
        if current is None:
            db.execute("INSERT INTO game_overrides (device_profile_id, game_id, emulator_id, "
                       "action, custom_settings) VALUES (?, ?, ?, ?, ?)",
                       (profile_id, game_id, *values))
        else:
            db.execute("UPDATE game_overrides SET emulator_id = ?, action = ?, "
                       "custom_settings = ?, is_enabled = 1, updated_at = CURRENT_TIMESTAMP "
                       "WHERE id = ?", (*values, current["id"]))
    warnings = emulator_warnings(pack, values[0], row["platform_id"], profile) \
        if values[0] else []
    return OverrideChange("game", str(game_id), profile_id, values[0], values[1], merged,
                          warnings)


def _settings(text: str | None) -> dict[str, Any]:
    """Stored settings; a NaN or infinity stored before they were refused reads as its text
    (so --json output stays valid JSON)."""
    try:
        value = json.loads(text, parse_constant=str) if text else {}
    except ValueError:
        return {}
    return value if isinstance(value, dict) else {}


def remove_override(db: Database, *, platform_id: str | None = None,
                    game_id: int | None = None, profile_id: int | None = None) -> int:
    """Delete the platform or game override at this scope; NotFoundError when there is none."""
    where, params = _scope(profile_id)
    if (platform_id is None) == (game_id is None):
        raise InputError("give a platform or a game")
    table, column = ("platform_overrides", "platform_id") if platform_id is not None \
        else ("game_overrides", "game_id")
    target = platform_id if platform_id is not None else game_id
    with db.atomic():
        removed = db.execute(f"DELETE FROM {table} WHERE {column} = ? AND {where}",
                             (target, *params)).rowcount
    if not removed:
        scope = f"profile {profile_id}" if profile_id is not None else "all profiles"
        raise NotFoundError(f"no override for {column.removesuffix('_id')} {target} "
                            f"({scope})")
    return int(removed)


def list_overrides(db: Database, profile_id: int | None = None) -> list[dict[str, Any]]:
    """Every override (of one profile and the global ones, when ``profile_id`` is given)."""
    condition = "1 = 1" if profile_id is None else \
        "(o.device_profile_id IS NULL OR o.device_profile_id = :p)"
    rows = db.query(
        "SELECT 'platform' AS scope, o.platform_id AS target, NULL AS title, "
        "o.device_profile_id AS profile_id, o.emulator_id, NULL AS action, "
        "NULL AS settings FROM platform_overrides o "
        f"WHERE {condition} UNION ALL "
        "SELECT 'game', CAST(o.game_id AS TEXT), coalesce(g.catalog_title, g.detected_title), "
        "o.device_profile_id, o.emulator_id, o.action, o.custom_settings "
        f"FROM game_overrides o JOIN games g ON g.id = o.game_id WHERE {condition} "
        "ORDER BY 1 DESC, 2, 4", {"p": profile_id})
    result = []
    for row in rows:
        item = dict(row)
        item["settings"] = _settings(item["settings"])
        result.append(item)
    return result


# -- the explainer -----------------------------------------------------------------------------
@dataclass(frozen=True)
class Rule:
    """One rule that could decide: its level, what it says, and whether it decided."""

    level: str
    value: Any
    decided: bool


@dataclass(frozen=True)
class Explanation:
    """The effective emulator, action and settings of a game, and the rules behind each."""

    game_id: int
    title: str | None
    platform_id: str
    profile_id: int | None
    emulator_id: str | None
    emulator_origin: str
    emulator_rules: list[Rule]
    action: str
    action_origin: str
    settings: dict[str, tuple[Any, str]]
    warnings: list[str]


def _os_layers(pack: DefinitionPack, profile: Profile | None) -> list[tuple[str, dict[str, Any]]]:
    profiles = pack.os_profiles if isinstance(pack.os_profiles, dict) else {}
    layers: list[tuple[str, dict[str, Any]]] = []
    if profile is not None:
        layers.append((f"{profile.device_id} on {profile.os_id} default",
                       _dig(profiles, "deviceOsProfiles", "byDeviceId", profile.device_id,
                            profile.os_id, "defaults", "platformToEmulator")))
        layers.append((f"{profile.os_id} default",
                       _dig(profiles, "profilesByOsId", profile.os_id, "defaults",
                            "platformToEmulator")))
    fallback = _dig(profiles, "fallbackDefaults", "platformDefaults")
    layers.append(("pack fallback", {p: e[0] for p, e in fallback.items()
                                     if isinstance(e, list) and e}))
    return layers


def explain(db: Database, pack: DefinitionPack, game_id: int,
            profile_id: int | None = None) -> Explanation:
    """Why a game runs with its emulator, is in or out, and has its settings, on a profile
    (or with the global rules only). Precedence as in this module's docstring."""
    profile = _profile(db, profile_id)
    game = db.query_one("SELECT id, platform_id, coalesce(catalog_title, detected_title) "
                        "AS title FROM games WHERE id = ?", (game_id,))
    if game is None:
        raise NotFoundError(f"game {game_id} does not exist")
    platform = str(game["platform_id"])
    rules: list[tuple[str, Any]] = []
    game_rows = db.query("SELECT device_profile_id, emulator_id, action, custom_settings "
                         "FROM game_overrides WHERE game_id = ? AND is_enabled = 1 AND "
                         "(device_profile_id IS NULL OR device_profile_id = ?) "
                         "ORDER BY device_profile_id IS NULL", (game_id, profile_id))
    platform_rows = db.query("SELECT device_profile_id, emulator_id FROM platform_overrides "
                             "WHERE platform_id = ? AND (device_profile_id IS NULL OR "
                             "device_profile_id = ?) ORDER BY device_profile_id IS NULL",
                             (platform, profile_id))
    for row in game_rows:
        level = "profile game override" if row["device_profile_id"] is not None \
            else "game override"
        rules.append((level, row["emulator_id"]))
    for row in platform_rows:
        level = "profile platform override" if row["device_profile_id"] is not None \
            else "platform override"
        rules.append((level, row["emulator_id"]))
    for label, mapping in _os_layers(pack, profile):
        value = mapping.get(platform)
        rules.append((label, value if isinstance(value, str) and value else None))
    winner = next(((level, value) for level, value in rules if value), ("none", None))
    explained = [Rule(level, value, (level, value) == winner) for level, value in rules
                 if value]
    warnings: list[str] = []
    if winner[0] == "pack fallback":
        warnings.append(f"no override or OS default names an emulator for {platform}: "
                        "the pack's fallback is used")
    elif winner[1] is None:
        warnings.append(f"no emulator known for {platform}")
    if winner[1]:
        warnings += emulator_warnings(pack, str(winner[1]), platform, profile)
    action, action_origin = "include", "default"
    for row in game_rows:
        if row["action"]:
            action = str(row["action"])
            action_origin = "profile game override" if row["device_profile_id"] is not None \
                else "game override"
            break
    settings: dict[str, tuple[Any, str]] = {}
    for row in reversed(game_rows):  # global first, the profile's keys win
        origin = "profile game override" if row["device_profile_id"] is not None \
            else "game override"
        for key, value in _settings(row["custom_settings"]).items():
            settings[key] = (value, origin)
    return Explanation(game_id, game["title"], platform, profile_id, winner[1], winner[0],
                       explained, action, action_origin, settings, warnings)
