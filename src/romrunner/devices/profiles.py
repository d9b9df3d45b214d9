"""Devices the user owns, their profiles (device + OS + auto-list choices), and per-platform
emulators of a profile.

The emulator of a platform on a profile is :class:`romrunner.devices.overrides.EmulatorResolver`'s
answer for the platform as a whole (per-game overrides do not apply here).
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, NamedTuple

from romrunner.cache.clear import hand_over_performance, performance_answers
from romrunner.collections.store import (
    broken_smart_collections,
    collection_names,
    edit_hint,
    resolve_collection_ids,
)
from romrunner.deploy.card import (
    CARD_DIR,
    MANIFEST_NAME,
    card_destination_id,
    parse_manifest_files,
    read_manifest_bytes,
)
from romrunner.devices.catalog import canonical_device_id, device_chipset
from romrunner.devices.mounts import volume_uuid
from romrunner.devices.osprofile import known_os, resolve_os_profile
from romrunner.errors import InputError, NotFoundError
from romrunner.library.tags import REGION_LANGUAGES, language_code, region_name
from romrunner.packs.loader import DefinitionPack
from romrunner.packs.model import platform_hint
from romrunner.store.database import Database
from romrunner.textnorm import has_control_characters
from romrunner.words import counted

PERFORMANCE_MODES = ("strict", "balanced", "permissive")
_LIST_FIELDS = ("include_platforms", "exclude_platforms", "include_collections",
                "exclude_collections", "region_preference", "language_preference")
_FLAG_FIELDS = ("allow_prerelease", "allow_hacks", "allow_translations", "one_game_one_rom")


@dataclass(frozen=True)
class Profile:
    """A device profile as the database has it."""

    id: int
    device_id: str
    os_id: str
    name: str | None
    device_row_id: int = 0
    performance_mode: str = "balanced"
    include_platforms: tuple[str, ...] = ()
    exclude_platforms: tuple[str, ...] = ()
    include_collections: tuple[int, ...] = ()
    exclude_collections: tuple[int, ...] = ()
    max_games_per_platform: int | None = None
    region_preference: tuple[str, ...] = ()
    language_preference: tuple[str, ...] = ()
    allow_prerelease: bool = False
    allow_hacks: bool = False
    allow_translations: bool = False  # fan translations that are no hacks (hacks allow them)
    one_game_one_rom: bool = True
    custom_roms_path: str | None = None
    custom_bios_path: str | None = None
    destination_id: str | None = None

    def as_dict(self) -> dict[str, Any]:
        """The profile as JSON-ready data."""
        return {key: list(value) if isinstance(value, tuple) else value
                for key, value in self.__dict__.items()}


@dataclass(frozen=True)
class OwnedDevice:
    """A device the user added."""

    id: int
    device_id: str
    name: str
    nickname: str | None
    chipset: str | None
    profiles: int
    in_pack: bool = True  # False: the pack in use has no such device (renamed or dropped)


_PROFILE_SQL = (
    "SELECT p.*, d.device_id FROM device_profiles p JOIN devices d ON d.id = p.device_row_id")


def _profile(row: sqlite3.Row) -> Profile:
    def items(key: str) -> tuple[Any, ...]:
        try:
            value = json.loads(row[key] or "[]")
        except json.JSONDecodeError:
            return ()
        return tuple(value) if isinstance(value, list) else ()

    return Profile(
        id=int(row["id"]), device_id=str(row["device_id"]), os_id=str(row["os_id"]),
        name=row["profile_name"], device_row_id=int(row["device_row_id"]),
        performance_mode=row["performance_mode"],
        include_platforms=items("include_platforms"), exclude_platforms=items("exclude_platforms"),
        include_collections=items("include_collections"),
        exclude_collections=items("exclude_collections"),
        max_games_per_platform=row["max_games_per_platform"],
        region_preference=items("region_preference"),
        language_preference=items("language_preference"),
        allow_prerelease=bool(row["allow_prerelease"]), allow_hacks=bool(row["allow_hacks"]),
        # (hacks allow translations: said so in JSON as in text — qa185 F8)
        allow_translations=bool(row["allow_translations"]) or bool(row["allow_hacks"]),
        one_game_one_rom=bool(row["one_game_one_rom"]),
        custom_roms_path=row["custom_roms_path"], custom_bios_path=row["custom_bios_path"],
        destination_id=row["destination_id"])


def load_profile(db: Database, profile_id: int) -> Profile:
    """The profile ``profile_id``; NotFoundError naming it when there is none."""
    row = db.query_one(_PROFILE_SQL + " WHERE p.id = ?", (profile_id,))
    if row is None:
        raise NotFoundError(f"device profile {profile_id}: no such profile "
                            "(`romrunner profile ls` lists them)")
    return _profile(row)


def list_profiles(db: Database) -> list[Profile]:
    """Every profile, by id."""
    return [_profile(row) for row in db.query(_PROFILE_SQL + " ORDER BY p.id")]


def checked_name(name: str, what: str) -> str:
    """A device's or profile's name as the user typed it, trimmed; one that is empty or
    holds control characters is refused, as a collection's is (QA98 F6)."""
    clean = name.strip()
    if not clean or has_control_characters(clean):
        raise InputError(f"{what} {name!r}: empty or has control or invisible characters")
    return clean


# -- devices ---------------------------------------------------------------------------
def add_device(db: Database, pack: DefinitionPack, catalog_id: str,
               nickname: str | None = None) -> OwnedDevice:
    """Add a device from the catalog (any of its ids); returns it."""
    device_id = canonical_device_id(pack, catalog_id)
    if nickname is not None:
        nickname = checked_name(nickname, "device name")
    with db.atomic():
        cursor = db.execute("INSERT INTO devices (device_id, nickname, connection_type) "
                            "VALUES (?, ?, 'sd_card')", (device_id, nickname))
    assert cursor.lastrowid is not None
    return _owned(db, pack, cursor.lastrowid)


def list_devices(db: Database, pack: DefinitionPack) -> list[OwnedDevice]:
    """The user's devices, by id."""
    return [_owned(db, pack, int(row["id"]))
            for row in db.query("SELECT id FROM devices ORDER BY id")]


class Removed(NamedTuple):
    """What went with a removed device or profile."""

    profiles: int
    deployments: int
    overrides: int
    performance: int = 0  # imported performance answers no profile of the device keeps
    # Deployments of theirs that never finished (killed) with copies the card's record of
    # ROM Runner's files lacks: (id, card folder, how many: None when the card is not there
    # to tell). Once their history is gone, no prune knows those copies for ours.
    unfinished: tuple[tuple[int, str, int | None], ...] = ()


def unfinished_words(unfinished: tuple[tuple[int, str, int | None], ...], *,
                     removed: bool = False) -> str:
    """The unfinished deployments a removal leaves behind (``removed``: it did), in words."""
    runs = "; ".join(
        f"deployment {run} to {folder} never finished: "
        + (f"{counted(lacking, 'file')} it copied" if lacking is not None else
           "the files it copied after it last saved the card's record (the card is not "
           "there to tell how many)")
        for run, folder, lacking in unfinished)
    then = "no prune removes them; remove them by hand if unwanted" if removed else \
        "once its history is gone no prune removes them (finish it first: `romrunner " \
        f"deploy resume {unfinished[0][0]}`)"
    return f"{runs}: in no card's record of ROM Runner's files ({CARD_DIR}/{MANIFEST_NAME}), {then}"


def _unfinished(db: Database, profile_ids: list[int]
                ) -> tuple[tuple[int, str, int | None], ...]:
    """The deployments of ``profile_ids`` that never finished whose copies the card's record
    lacks, some or all (see :attr:`Removed.unfinished`; a run saves that record as it goes:
    review 105 F1, said of files the next prune removed)."""
    found: list[tuple[int, str, int | None]] = []
    for row in db.query(
            "SELECT h.id, h.destination_path, h.destination_id FROM deployment_history h "
            "WHERE h.status = 'started' AND h.device_profile_id IN (SELECT value FROM "
            "json_each(?)) ORDER BY h.id", (json.dumps(profile_ids),)):
        copied = {str(r[0]) for r in db.query(
            "SELECT dest_path FROM deployment_items WHERE deployment_id = ? "
            "AND status = 'copied'", (row[0],))}
        if not copied:
            continue
        card = Path(row[1])
        data, note = read_manifest_bytes(card)
        lacking: int | None = None
        if _the_card(card, row[2]) and (
                data is not None or (note is None and (card / CARD_DIR).is_dir())):
            listed = parse_manifest_files(card, data, note)[0]
            lacking = len(copied - set(listed))
        if lacking != 0:
            found.append((int(row[0]), str(row[1]), lacking))
    return tuple(found)


def _the_card(folder: Path, dest_id: str | None) -> bool:
    """True when the card at ``folder`` is the one of id ``dest_id`` (review 108 F4:
    another card there told of none of the first one's copies)."""
    if not dest_id:
        return True  # (an earlier release's deployment, of no id: the folder's card)
    if dest_id.startswith("uuid:"):
        return f"uuid:{volume_uuid(folder)}" == dest_id
    return card_destination_id(folder, create=False) == dest_id


def remove_device(db: Database, device_row_id: int, *, force: bool = False) -> Removed:
    """Remove a device and its profiles (their overrides and deploy history go with them);
    returns what went with it.

    A device that has profiles is refused unless ``force``: they would go with it."""
    from romrunner.devices.overrides import profile_override_count  # (it imports this)

    with db.atomic():
        if db.scalar("SELECT 1 FROM devices WHERE id = ?", (device_row_id,)) is None:
            raise NotFoundError(f"device {device_row_id}: no such device "
                                "(`romrunner device ls` lists them)")
        profiles = [int(row[0]) for row in db.query(
            "SELECT id FROM device_profiles WHERE device_row_id = ?", (device_row_id,))]
        deployments = int(db.scalar(
            "SELECT count(*) FROM deployment_history WHERE device_profile_id IN "
            "(SELECT id FROM device_profiles WHERE device_row_id = ?)", (device_row_id,)))
        overrides = profile_override_count(db, profiles)
        performance = _keep_device_knowledge(db, profiles)
        unfinished = _unfinished(db, profiles)
        if profiles and not force:
            history = f" and the history of their {counted(deployments, 'deployment')}" \
                if deployments else ""
            also = f", their {counted(overrides, 'override')}" if overrides else ""
            if performance:
                also += f", {counted(performance, 'performance answer')} imported for it"
            them = "it" if len(profiles) == 1 else "them"
            raise InputError(f"device {device_row_id} has {counted(len(profiles), 'profile')}, "
                             f"which would be removed with it{also}{history}; nothing was "
                             f"removed (use --force to remove {them} too)"
                             + (f"; {unfinished_words(unfinished)}" if unfinished else ""))
        db.execute("DELETE FROM devices WHERE id = ?", (device_row_id,))
    return Removed(len(profiles), deployments, overrides, performance, unfinished)


def _owned(db: Database, pack: DefinitionPack, row_id: int) -> OwnedDevice:
    row = db.query_one("SELECT d.id, d.device_id, d.nickname, (SELECT count(*) FROM "
                       "device_profiles p WHERE p.device_row_id = d.id) AS profiles "
                       "FROM devices d WHERE d.id = ?", (row_id,))
    if row is None:
        raise NotFoundError(f"device {row_id}: no such device")
    catalog = pack.devices.get(row["device_id"])
    name = " ".join(catalog.name.split()) if catalog else row["device_id"]
    return OwnedDevice(int(row["id"]), row["device_id"], name, row["nickname"],
                       device_chipset(pack, row["device_id"]), int(row["profiles"]),
                       catalog is not None or not pack.devices)


# -- profiles --------------------------------------------------------------------------
@dataclass
class ProfileResult:
    """A profile and the warnings its OS resolution gave."""

    profile: Profile
    warnings: list[str] = field(default_factory=list)


def create_profile(db: Database, pack: DefinitionPack, device_row_id: int, os_id: str,
                   name: str | None = None) -> ProfileResult:
    """A new profile for one of the user's devices running ``os_id``."""
    row = db.query_one("SELECT device_id, nickname FROM devices WHERE id = ?", (device_row_id,))
    if row is None:
        raise NotFoundError(f"device {device_row_id}: no such device "
                            "(`romrunner device add` adds one, `device ls` lists them)")
    known_os(pack, os_id)
    resolved = resolve_os_profile(pack, row["device_id"], os_id)
    if name is None:
        name = _default_name(pack, row, os_id)
    name = checked_name(name, "profile name")
    with db.atomic():
        same = db.scalar("SELECT min(id) FROM device_profiles WHERE device_row_id = ? AND "
                         "os_id = ? AND profile_name = ?", (device_row_id, os_id, name))
        cursor = db.execute("INSERT INTO device_profiles (device_row_id, os_id, profile_name, "
                            "updated_at) VALUES (?, ?, ?, CURRENT_TIMESTAMP)",
                            (device_row_id, os_id, name))
    assert cursor.lastrowid is not None
    warnings = list(resolved.warnings)
    if same is not None:  # (QA98 F6: three identical profiles, without a word)
        warnings.append(f"profile {same} has this device, OS and name too: `profile ls` "
                        "shows both alike (--name tells them apart; `profile rm "
                        f"{cursor.lastrowid}` removes this one)")
    return ProfileResult(load_profile(db, cursor.lastrowid), warnings)


def remove_profile(db: Database, profile_id: int, *, force: bool = False) -> Removed:
    """Remove a profile (its overrides go with it); returns what went with it. A profile
    that has deployed, or has overrides, is refused unless ``force``: its history (what was
    put on which card, and what a prune of that card may remove) or its overrides (curation:
    QA26 F3, removed without a word) would go too."""
    from romrunner.devices.overrides import profile_override_count  # (it imports this)

    with db.atomic():
        load_profile(db, profile_id)
        count = int(db.scalar("SELECT count(*) FROM deployment_history "
                              "WHERE device_profile_id = ?", (profile_id,)))
        overrides = profile_override_count(db, [profile_id])
        performance = _keep_device_knowledge(db, [profile_id])
        unfinished = _unfinished(db, [profile_id])
        if (count or overrides or performance) and not force:
            what = " and ".join(part for part in (
                f"the history of {counted(count, 'deployment')}" if count else "",
                counted(overrides, "override") if overrides else "",
                f"{counted(performance, 'performance answer')} imported for its device (no "
                "other profile of that device keeps them)" if performance else "") if part)
            raise InputError(f"device profile {profile_id} has {what}, which would be removed "
                             "with it; nothing was removed (use --force to remove them too)"
                             + (f"; {unfinished_words(unfinished)}" if unfinished else ""))
        db.execute("DELETE FROM device_profiles WHERE id = ?", (profile_id,))
    return Removed(1, count, overrides, performance, unfinished)


def _keep_device_knowledge(db: Database, removed: list[int]) -> int:
    """Hand the performance answers imported for the ``removed`` profiles to a profile of
    the same device that stays (an answer imported for a device reaches each profile of it:
    QA54 F11, `profile rm` took them from the others); returns how many go with them (no
    profile of their device stays)."""
    lost = 0
    for profile_id in removed:
        heir = db.scalar(
            "SELECT min(o.id) FROM device_profiles p JOIN devices d ON d.id = p.device_row_id "
            "JOIN devices od ON od.device_id = d.device_id "
            "JOIN device_profiles o ON o.device_row_id = od.id WHERE p.id = ? "
            "AND o.id NOT IN (SELECT value FROM json_each(?))",
            (profile_id, json.dumps(removed)))
        if heir is None:
            lost += performance_answers(db, profile_id)
        else:
            hand_over_performance(db, profile_id, int(heir))
    return lost


def _default_name(pack: DefinitionPack, device: sqlite3.Row, os_id: str) -> str:
    """A profile's name when the user gives none: the device's (its nickname, else the
    catalog's) and the OS's, "RG-35XX Plus - muOS"."""
    known = pack.devices.get(device["device_id"])
    os_name = pack.operating_systems[os_id].name if os_id in pack.operating_systems \
        else resolve_os_profile(pack, device["device_id"], os_id).name
    own = device["nickname"] or (known.name if known else device["device_id"])
    return f"{' '.join(own.split())} - {os_name}"


def update_profile(db: Database, pack: DefinitionPack, profile_id: int,
                   changes: dict[str, Any]) -> Profile:
    """Change a profile's settings; every value is checked first, then one UPDATE. A profile
    moved to another OS whose name was the one made for it takes the new OS's (QA109 F7:
    "RG-35XX Plus - OnionOS … os minui")."""
    with db.atomic():
        profile = load_profile(db, profile_id)
        columns: dict[str, Any] = {}
        for key, value in changes.items():
            columns[key] = _checked(db, pack, key, value)
        if "os_id" in columns and "profile_name" not in columns \
                and columns["os_id"] != profile.os_id:
            device = db.query_one("SELECT device_id, nickname FROM devices WHERE id = ?",
                                  (profile.device_row_id,))
            if device is not None and profile.os_id in pack.operating_systems \
                    and profile.name == _default_name(pack, device, profile.os_id):
                renamed = _default_name(pack, device, columns["os_id"])
                if db.scalar("SELECT 1 FROM device_profiles WHERE device_row_id = ? AND "
                             "os_id = ? AND profile_name = ? AND id <> ?",
                             (profile.device_row_id, columns["os_id"], renamed,
                              profile_id)) is None:  # (not another's: review 110 F1)
                    columns["profile_name"] = renamed
        _refuse_included_and_excluded(db, profile, columns)
        if columns.get("allow_translations") == 0 \
                and columns.get("allow_hacks", int(profile.allow_hacks)):
            # (review39 F5: taken, and nothing changed — hacks allow translations)
            raise InputError("--no-translations: the profile allows hacks, which allow "
                             "translations too (`--no-hacks` leaves both out; `--no-hacks "
                             "--translations` keeps translations alone); nothing was changed")
        if columns:
            assignments = ", ".join(f"{column} = ?" for column in columns)
            db.execute(f"UPDATE device_profiles SET {assignments}, updated_at = "
                       "CURRENT_TIMESTAMP WHERE id = ?", (*columns.values(), profile_id))
    return load_profile(db, profile_id)


def _refuse_included_and_excluded(db: Database, profile: Profile,
                                  columns: dict[str, Any]) -> None:
    """A collection (or platform: QA98 F6) both included and excluded leaves the auto-list
    nothing of it: refused (QA26 F2, taken without a word). Only where this change touches
    the lists: a profile an earlier release let hold both is changed otherwise as ever, and
    the fix is one of the options (review 103 F6: not even a rename went through)."""
    both = _in_both(profile, columns, "collections")
    if both:
        names = collection_names(db, both)
        shown = ", ".join(f"{names.get(i, i)!r}" for i in both)
        raise InputError(f"collection {shown} would be both included and excluded; nothing "
                         "was changed")
    twice = _in_both(profile, columns, "platforms")
    if twice:
        raise InputError(f"platform {', '.join(map(str, twice))} would be both included and "
                         "excluded; nothing was changed")


def _in_both(profile: Profile, columns: dict[str, Any], what: str) -> list[Any]:
    """The entries the profile's include and exclude lists of ``what`` would both hold after
    ``columns`` (none when the change touches neither list)."""
    include, exclude = f"include_{what}", f"exclude_{what}"
    if include not in columns and exclude not in columns:
        return []
    included = json.loads(columns[include]) if include in columns \
        else list(getattr(profile, include))
    excluded = set(json.loads(columns[exclude]) if exclude in columns
                   else getattr(profile, exclude))
    return [entry for entry in included if entry in excluded]


def _checked(db: Database, pack: DefinitionPack, key: str, value: Any) -> Any:
    if key == "os_id":  # (QA29 F4: an OS a pack update dropped left a profile no way out)
        known_os(pack, str(value))
        return str(value)
    if key == "performance_mode":
        if value not in PERFORMANCE_MODES:
            raise InputError(f"performance mode {value!r}: use one of "
                             f"{', '.join(PERFORMANCE_MODES)}")
        return value
    if key == "profile_name":
        return checked_name(str(value), "profile name")
    if key == "max_games_per_platform":
        if value is not None and (not isinstance(value, int) or value < 0):
            raise InputError(f"max games per platform {value!r}: a whole number >= 0")
        return value or None
    if key in ("include_platforms", "exclude_platforms"):
        unknown = [p for p in value if p not in pack.platforms]
        if unknown:
            raise NotFoundError(f"unknown platform(s): {', '.join(unknown)} ("
                                f"{platform_hint(unknown[0], pack.platforms)})")
        return json.dumps(list(dict.fromkeys(value)))
    if key in ("include_collections", "exclude_collections"):
        return json.dumps(resolve_collection_ids(db, value))
    if key == "region_preference":
        return json.dumps(list(dict.fromkeys(region_name(str(v)) for v in value if str(v).strip())))
    if key == "language_preference":
        return json.dumps(list(dict.fromkeys(language_code(str(v)) for v in value
                                             if str(v).strip())))
    if key in _FLAG_FIELDS:
        return int(bool(value))
    raise InputError(f"profile setting {key!r} does not exist")


# -- emulators per platform ------------------------------------------------------------
def platform_emulators(db: Database, pack: DefinitionPack, profile: Profile,
                       platforms: list[str]) -> dict[str, tuple[str | None, str]]:
    """Per platform: (emulator or None, the rule that chose it), as
    :class:`romrunner.devices.overrides.EmulatorResolver` has it for the platform as a whole
    (``no emulator known`` when nothing names one)."""
    from romrunner.devices.overrides import EmulatorResolver  # it builds on this module

    resolver = EmulatorResolver(db, pack, profile)
    chosen: dict[str, tuple[str | None, str]] = {}
    for platform in platforms:
        found = resolver.platform(platform)
        chosen[platform] = (found.emulator_id, found.origin) if found.emulator_id \
            else (None, "no emulator known")
    return chosen


def broken_collection_warnings(db: Database, profile: Profile,
                               lists: Iterable[str] = ("include_collections",
                                                       "exclude_collections")) -> list[str]:
    """One line for each smart collection the profile's collection ``lists`` name whose
    stored query no longer works (a DAT its ``dat:`` names removed: its auto-list and
    ``deploy --auto`` then fail). Kept, not refused: the profile names the collection, which
    can be mended on its own (its query replaced, the DAT imported again)."""
    warnings = []
    for column in lists:
        option = f"--{column.replace('_', '-')}"
        for broken in broken_smart_collections(db, getattr(profile, column)):
            warnings.append(
                f"profile {profile.id}: smart collection {broken.name!r} ({option}) no longer "
                f"works ({broken.problem}): kept, but its auto-list and `deploy --auto` fail "
                f"until {edit_hint(broken.name)} mends its query (or `romrunner profile set "
                f"{profile.id} {option} …` leaves it out)")
    return warnings


def languages_no_game_has(db: Database, codes: Iterable[str]) -> list[str]:
    """Those of the language ``codes`` (as :func:`language_code` spells them) no game of the
    library is in — by its name's tags or its region's language — nor any region's language:
    most likely a typo (QA138 F9: ``--languages xx`` was kept without a word, and preferred
    nothing)."""
    wanted = [code for code in codes
              if code.partition("-")[0] not in set(REGION_LANGUAGES.values())]
    if not wanted:
        return []
    had = {str(row[0]).partition("-")[0].lower() for row in db.query(
        "SELECT DISTINCT j.value FROM games g, json_each(CASE WHEN json_valid(g.languages) "
        "THEN g.languages ELSE '[]' END) j WHERE g.languages IS NOT NULL")}
    return [code for code in wanted if code.partition("-")[0].lower() not in had]
