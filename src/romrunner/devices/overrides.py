"""Which emulator a profile runs a platform or a game with, which rule decided, and whether
a game is in or out.

Precedence (DECISIONS, overrides): profile game override > global game override > profile
platform override > global platform override > the OS profile's default (the device's own
entry, else the OS's: :func:`romrunner.devices.osprofile.resolve_os_profile`) > the pack's
fallback > none. :class:`EmulatorResolver` is the one place that applies it: ``resolve``,
``autolist``, the deploy's archive check and ``bios check`` all ask it, so they name the same
emulator and the same rule. Without a profile only the global overrides and the pack's fallback
apply. A page of games is resolved in one statement.
"""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from romrunner.devices.osprofile import (
    FALLBACK_LABEL,
    ORIGIN_NONE,
    RETROARCH,
    RETROARCH_FALLBACK_LABEL,
    ResolvedOsProfile,
    emulator_key,
    fallback_defaults,
    os_system,
    resolve_os_profile,
    retroarch_runs_everywhere,
    runs_retroarch,
)
from romrunner.devices.profiles import Profile, list_profiles, load_profile
from romrunner.errors import InputError, NotFoundError
from romrunner.packs.loader import DefinitionPack
from romrunner.search.index import catalog_title
from romrunner.store.database import Database
from romrunner.textnorm import has_control_characters
from romrunner.words import counted, shell_word

PROFILE_GAME, GAME = "profile game override", "game override"
PROFILE_PLATFORM, PLATFORM = "profile platform override", "platform override"
OVERRIDE_ORIGINS = frozenset({PROFILE_GAME, GAME, PROFILE_PLATFORM, PLATFORM})

_Rules = tuple[tuple[str, str], ...]  # (rule, emulator) of each rule naming one, winner first


@dataclass(frozen=True)
class Resolution:
    """The emulator a game (or, with ``game_id`` None, a platform) runs with on a profile,
    the rule that decided, its action, and every rule that names an emulator, the winner
    first (the others are outranked)."""

    game_id: int | None
    platform_id: str
    emulator_id: str | None
    origin: str  # the deciding rule: PROFILE_GAME … or "muos default", "pack fallback", "none"
    action: str | None  # 'include', 'exclude' or None (no game override says)
    action_origin: str | None = None  # PROFILE_GAME or GAME, when action is set
    rules: _Rules = ()


class EmulatorResolver:
    """The one answer to "which emulator does this profile run this platform / game with, and
    which rule decided" (the precedence of this module's docstring). Built once per profile
    (its OS profile resolved, its platform overrides read: one statement); ``games`` resolves
    any number of games in one more statement."""

    def __init__(self, db: Database, pack: DefinitionPack, profile: Profile | int | None,
                 os_profile: ResolvedOsProfile | None = None) -> None:
        if isinstance(profile, int):
            profile = load_profile(db, profile)
        self.db = db
        self.profile = profile
        fallback = fallback_defaults(pack)
        defaults: dict[str, tuple[str | None, str]]
        if profile is None:
            self.os_profile = None
            defaults = {p: (e, FALLBACK_LABEL) for p, e in fallback.items()}
        else:
            self.os_profile = os_profile or resolve_os_profile(pack, profile.device_id,
                                                               profile.os_id)
            defaults = {p: self.os_profile.default_for(p) for p in self.os_profile.emulators}
        overrides: dict[str, list[tuple[str, str]]] = {}
        for row in db.query("SELECT platform_id, emulator_id, device_profile_id FROM "
                            "platform_overrides WHERE device_profile_id IS NULL OR "
                            "device_profile_id = ? ORDER BY device_profile_id IS NULL",
                            (profile.id if profile else None,)):
            if row["emulator_id"]:
                rule = PROFILE_PLATFORM if row["device_profile_id"] is not None else PLATFORM
                overrides.setdefault(row["platform_id"], []).append((rule, row["emulator_id"]))
        self._tails: dict[str, _Rules] = {}
        for platform in {*overrides, *defaults}:
            tail = list(overrides.get(platform, ()))
            emulator, rule = defaults.get(platform, (None, ORIGIN_NONE))
            if emulator:
                tail.append((rule, emulator))
                if rule != FALLBACK_LABEL and fallback.get(platform):
                    tail.append((FALLBACK_LABEL, fallback[platform]))  # outranked, shown
            self._tails[platform] = tuple(tail)

    @property
    def profile_id(self) -> int | None:
        """The profile's id (None: the global rules only)."""
        return self.profile.id if self.profile else None

    def platform(self, platform_id: str) -> Resolution:
        """A platform as a whole: platform overrides, then the OS's default (game overrides
        do not apply)."""
        return _resolution(None, platform_id, self._tails.get(platform_id, ()), None, None)

    def games(self, game_ids: Sequence[int]) -> dict[int, Resolution]:
        """Every game of ``game_ids`` that exists (its platform read in one statement)."""
        if not game_ids:
            return {}
        rows = self.db.query("SELECT g.id, g.platform_id FROM json_each(?) j "
                             "JOIN games g ON g.id = j.value", (json.dumps(list(game_ids)),))
        return self.games_on({int(row[0]): str(row[1]) for row in rows})

    def games_on(self, platforms: Mapping[int, str]) -> dict[int, Resolution]:
        """Each game of ``platforms`` (game id -> its platform, as the caller read it): the
        game overrides of the profile and the global ones are read whole (they are few: an
        auto-list of 100k games joined each to them, ~0.4 s)."""
        own: dict[int, tuple[str | None, str | None, str | None, str | None]] = {}
        for game_id, scoped, emulator, action in self.db.query(
                "SELECT game_id, device_profile_id IS NOT NULL, emulator_id, action "
                "FROM game_overrides WHERE is_enabled = 1 "
                "AND (device_profile_id IS NULL OR device_profile_id = ?)", (self.profile_id,)):
            if int(game_id) not in platforms:
                continue
            pg, pg_action, gg, gg_action = own.get(int(game_id), (None, None, None, None))
            if scoped:
                pg, pg_action = emulator, action
            else:
                gg, gg_action = emulator, action
            own[int(game_id)] = (pg, pg_action, gg, gg_action)
        resolved: dict[int, Resolution] = {}
        empty: _Rules = ()
        for game_id, platform in platforms.items():
            tail = self._tails.get(platform, empty)
            pg, pg_action, gg, gg_action = own.get(game_id, (None, None, None, None))
            if pg or gg:
                rules: _Rules = ((PROFILE_GAME, pg),) if pg else ()
                rules += ((GAME, gg),) if gg else ()
                tail = rules + tail
            action, action_origin = (pg_action, PROFILE_GAME) if pg_action \
                else (gg_action, GAME) if gg_action else (None, None)
            resolved[game_id] = _resolution(game_id, platform, tail, action, action_origin)
        return resolved


def profile_override_count(db: Database, profile_ids: Sequence[int]) -> int:
    """How many overrides (of platforms and of games) the profiles ``profile_ids`` have."""
    ids = json.dumps(list(profile_ids))
    return int(db.scalar(
        "SELECT (SELECT count(*) FROM platform_overrides WHERE device_profile_id IN "
        "(SELECT value FROM json_each(:ids))) + (SELECT count(*) FROM game_overrides "
        "WHERE device_profile_id IN (SELECT value FROM json_each(:ids)))", {"ids": ids}))


def excluded_games(db: Database, profile_id: int | None, game_ids: Iterable[int]) -> set[int]:
    """The games of ``game_ids`` a game override excludes on the profile (its own override,
    else the global one: the precedence of :meth:`EmulatorResolver.games`). Overrides are
    few: they are read whole, not probed per game."""
    return _games_whose_action(db, profile_id, game_ids, "exclude")


def included_games(db: Database, profile_id: int | None, game_ids: Iterable[int]) -> set[int]:
    """The games of ``game_ids`` a game override includes on the profile (as
    :func:`excluded_games` reads them)."""
    return _games_whose_action(db, profile_id, game_ids, "include")


def _games_whose_action(db: Database, profile_id: int | None, game_ids: Iterable[int],
                        wanted_action: str) -> set[int]:
    actions: dict[int, tuple[bool, str]] = {}
    for game_id, scoped, action in db.query(
            "SELECT game_id, device_profile_id IS NOT NULL, action FROM game_overrides "
            "WHERE action IS NOT NULL AND is_enabled = 1 "
            "AND (device_profile_id IS NULL OR device_profile_id = ?)", (profile_id,)):
        if int(game_id) not in actions or scoped:
            actions[int(game_id)] = (bool(scoped), str(action))
    wanted = set(game_ids)
    return {game_id for game_id, (_, action) in actions.items()
            if action == wanted_action and game_id in wanted}


def _resolution(game_id: int | None, platform_id: str, rules: _Rules, action: str | None,
                action_origin: str | None) -> Resolution:
    if not rules:
        return Resolution(game_id, platform_id, None, ORIGIN_NONE, action, action_origin)
    origin, emulator = rules[0]
    return Resolution(game_id, platform_id, emulator, origin, action, action_origin, rules)


def not_installed_warnings(pack: DefinitionPack, os_profile: ResolvedOsProfile,
                           runs: Mapping[tuple[str, str, str], int],
                           noun: str) -> list[tuple[str, str]]:
    """(platform, warning) per platform and emulator of ``runs`` ((platform, emulator, the
    rule that chose it) -> how many games, each a ``noun``) that the OS does not have by the
    definition pack's installed lists (see :func:`installed_for`): a game the card gets for
    an emulator it lacks does not start. An override's emulator on an OS whose ROM folder
    picks the emulator is said as ``resolve`` says it (:func:`folder_picks_sentence`): the
    games run there with the folder's emulator, never with the override's."""
    installed = os_profile.installed
    if installed is None or not lists_emulators(pack, installed):
        return []
    found = []
    for (platform_id, emulator, origin), count in sorted(runs.items()):
        if installed_for(pack, installed, emulator, platform_id) \
                or os_profile.chosen_as_the_oss_own(platform_id, emulator):
            continue
        folder_picks = folder_picks_sentence(pack, os_profile, emulator, platform_id,
                                             counted(count, noun)) \
            if origin in OVERRIDE_ORIGINS else None
        if folder_picks is not None:
            found.append((platform_id, folder_picks))
            continue
        found.append((platform_id,
            f"{platform_id}: {counted(count, noun)} run{'s' if count == 1 else ''} with "
            f"{emulator} ({origin}), which is not among the emulators the definition pack "
            f"lists as installed on {os_profile.name}: {'it' if count == 1 else 'they'} may "
            f"not start there (another: `romrunner override set --platform {platform_id} "
            "--emulator E`)"))
    return found


def lists_emulators(pack: DefinitionPack, installed: Collection[str]) -> bool:
    """True when an OS's installed list names an emulator the pack knows the platforms of:
    else it says nothing usable (MinUI's ``minui-native``, "its built-in emulators, not
    enumerated": QA14 saw every platform said not to start there)."""
    known = {emulator_key(entry_id) for entry_id, entry in pack.emulators.items()
             if entry.platforms}
    return any(emulator_key(i) in known for i in installed)


def installed_for(pack: DefinitionPack, installed: Collection[str], emulator_id: str,
                  platform_id: str) -> bool:
    """True when an OS whose installed emulators are ``installed`` runs ``platform_id`` games
    with ``emulator_id``: it is installed under any spelling, or one of its family is
    (`snes9x` for `snes9x2005`), or — the pack's generic ``retroarch`` fallback — an
    installed RetroArch core the pack lists for the platform (QA13: Onion's SNES games were
    said not to start with `retroarch`, its snes9x core installed), or the OS has RetroArch
    and the platform is one every RetroArch has a core for (QA152 F7: ROCKNIX's Genesis
    games, its list naming no Genesis core; not Onion's N64 games, no N64 core listed)."""
    key, family = emulator_key(emulator_id), emulator_family(emulator_id)
    if any(emulator_key(i) == key or emulator_family(i) == family for i in installed):
        return True
    if key != RETROARCH:
        return False
    cores = {emulator_key(i) for i in installed}
    if any(platform_id in entry.platforms for entry_id, entry in pack.emulators.items()
           if emulator_key(entry_id) in cores):
        return True
    return retroarch_runs_everywhere(pack, pack.platforms.get(platform_id)) \
        and runs_retroarch(pack, installed)


def resolve_emulators(db: Database, pack: DefinitionPack, profile_id: int | None,
                      game_ids: Sequence[int]) -> dict[int, Resolution]:
    """Resolve every game of ``game_ids`` for ``profile_id`` (None: global rules only)."""
    return EmulatorResolver(db, pack, profile_id).games(game_ids)


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


@functools.lru_cache(maxsize=4096)
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
    """The emulators the OS profile lists as installed on the device, resolved as its
    default emulators are (the device's entry under any of its ids merged onto the OS's:
    DECISIONS-devices D2, D5); None when the pack lists none or does not know the OS (nothing
    can be said)."""
    try:
        installed = resolve_os_profile(pack, device_id, os_id).installed
    except NotFoundError:
        return None
    return sorted(installed) if installed is not None else None


def emulator_warnings(pack: DefinitionPack, emulator_id: str, platform_id: str,
                      profile: Profile | None) -> list[str]:
    """What is doubtful about running ``platform_id`` games with ``emulator_id`` (on
    ``profile``): a platform the pack does not list for it, an emulator its OS lacks."""
    warnings: list[str] = []
    emulator = pack.emulators.get(emulator_id)
    if (unlisted := platform_unlisted(pack, emulator_id, platform_id)) is not None:
        warnings.append(unlisted)
    if profile is None:
        return warnings
    system = os_system(pack, profile.os_id)
    if emulator is not None and system is not None and not emulator.runs_on(system):
        built = "" if profile.os_id == system else f"; {profile.os_id} is built on it"
        warnings.append(f"emulator {emulator_id} does not run on {system} (the definition "
                        f"pack says{built})")
        return warnings  # (qa188 F11: taken without a word)
    installed = installed_emulators(pack, profile.os_id, profile.device_id)
    if installed is None:
        return warnings
    if any(emulator_key(i) == emulator_key(emulator_id) for i in installed) or (
            emulator_key(emulator_id) == RETROARCH
            and installed_for(pack, installed, emulator_id, platform_id)):
        return warnings  # (RetroArch where the OS lists its cores: QA152 F7)
    relatives = [i for i in installed if emulator_family(i) == emulator_family(emulator_id)]
    if relatives:
        warnings.append(f"emulator {emulator_id} is not installed on {profile.os_id}; "
                        f"the same family is: {', '.join(relatives)}")
    else:
        warnings.append(f"emulator {emulator_id} is not installed on {profile.os_id} "
                        f"(profile {profile.id})")
    return warnings


def platform_unlisted(pack: DefinitionPack, emulator_id: str, platform_id: str) -> str | None:
    """Why ``emulator_id`` cannot run ``platform_id`` games where the pack says so: it lists
    the platforms it runs, and not that one; None otherwise (no list, every platform, or a
    platform the pack does not know: a game's undecided one)."""
    emulator = pack.emulators.get(emulator_id)
    if emulator is None or not emulator.platforms or "*" in emulator.platforms \
            or platform_id in emulator.platforms or platform_id not in pack.platforms:
        return None
    return (f"emulator {emulator_id} does not list platform {platform_id} "
            f"(it lists {', '.join(emulator.platforms)})")


def refuse_unlisted_platform(pack: DefinitionPack, emulator_id: str, platform_id: str,
                             force: bool) -> None:
    """An InputError when the pack says ``emulator_id`` does not run ``platform_id`` (see
    :func:`platform_unlisted`) and not ``force`` (qa193 F9: pcsx2 for the Game Boy was set,
    and the auto-list then kept its games "compatibility assumed")."""
    if not force and (unlisted := platform_unlisted(pack, emulator_id, platform_id)):
        raise InputError(f"{unlisted}: not set; --force sets it anyway")


def os_warnings_of_profiles(db: Database, pack: DefinitionPack, emulator_id: str,
                            target: tuple[str, str]) -> list[str]:
    """For an override of every profile: the systems of profiles ``emulator_id`` does not
    run on, as the pack says, with those profiles — less those with an override of their
    own for ``target`` (``("platform", "gb")``, ``("game", "12")``), which this one does not
    reach (qa193 F9: pcsx2 set for every profile, an Android one among them, without a
    word)."""
    emulator = pack.emulators.get(emulator_id)
    if emulator is None:
        return []
    table, column = ("platform_overrides", "platform_id") if target[0] == "platform" \
        else ("game_overrides", "game_id")
    own = {int(row[0]) for row in db.query(
        f"SELECT device_profile_id FROM {table} WHERE {column} = ? AND "
        "device_profile_id IS NOT NULL AND emulator_id IS NOT NULL",
        (target[1] if target[0] == "platform" else int(target[1]),))}
    where: dict[str, list[str]] = {}
    for profile in list_profiles(db):
        system = os_system(pack, profile.os_id)
        if profile.id not in own and system is not None and not emulator.runs_on(system):
            where.setdefault(system, []).append(f"{profile.id} ({profile.os_id})")
    return [f"emulator {emulator_id} does not run on {system} (the definition pack says), "
            f"the system of profile{'s' if len(ids) > 1 else ''} {', '.join(ids)}, which "
            "this override reaches too (`override set --profile ID` sets another for one "
            "profile)"
            for system, ids in sorted(where.items())]


# Folder-name families whose frontend runs each ROM folder with the emulator set for that
# folder on the device (Onion's and its heirs' `Emu/<FOLDER>` launchers, MinUI's paks by the
# folder's tag): ROM Runner writes no emulator choice there (QA152 F4).
FOLDER_PICKS_THE_EMULATOR = frozenset({"onion", "minui"})


def folder_picks_warnings(pack: DefinitionPack, emulator_id: str, platform_id: str,
                          profile: Profile | None) -> list[str]:
    """An override's emulator other than the OS's own default, on an OS where the ROM
    folder picks the emulator (:data:`FOLDER_PICKS_THE_EMULATOR`, a family or the one it
    starts from): the card's games still run with that folder's emulator; the override
    decides only what the auto-list checks (QA152 F4: FBNeo for Spruce's arcade, a no-op)."""
    if profile is None or not folder_picks_the_emulator(pack, profile.os_id):
        return []
    try:
        os_profile = resolve_os_profile(pack, profile.device_id, profile.os_id)
    except NotFoundError:
        return []
    sentence = folder_picks_sentence(pack, os_profile, emulator_id, platform_id)
    return [] if sentence is None else [sentence]


def folder_picks_the_emulator(pack: DefinitionPack, os_id: str) -> bool:
    """True when the ROM folder picks the emulator on ``os_id`` (its folder-name family, or
    the one it starts from, is one of :data:`FOLDER_PICKS_THE_EMULATOR`)."""
    names = pack.folder_names
    family = names.family_of(os_id)
    return family in FOLDER_PICKS_THE_EMULATOR \
        or names.family_bases.get(family) in FOLDER_PICKS_THE_EMULATOR


def folder_picks_sentence(pack: DefinitionPack, os_profile: ResolvedOsProfile,
                          emulator_id: str, platform_id: str,
                          how_many: str | None = None) -> str | None:
    """What an override naming ``emulator_id`` for ``platform_id`` does on an OS whose ROM
    folder picks the emulator: the games run with the folder's, the override decides only
    what the auto-list checks; ``how_many`` (``20 games``) is said beside the platform's
    games. None on another OS, or for the OS's own default emulator. One sentence for
    ``resolve``, ``override set``, the auto-list and the deploy (QA158 N6: the deploy said
    the games "run with" the override's emulator)."""
    if not folder_picks_the_emulator(pack, os_profile.os_id):
        return None
    default = os_profile.emulator_for(platform_id)[0]
    if default is not None and emulator_key(default) == emulator_key(emulator_id):
        return None
    names = pack.folder_names
    folder = names.target_name(platform_id, names.family_of(os_profile.os_id))
    where = f"the {folder} folder" if folder else "their folder"
    games = f"{platform_id} games" + (f" ({how_many})" if how_many else "")
    return (f"on {os_profile.os_id} the ROM folder picks the emulator: {games} go to {where}, "
            f"run there with the emulator {os_profile.os_id} sets for it, whatever the "
            f"override names; {emulator_id} decides only what the auto-list checks (choose "
            "the emulator on the device)")


def unknown_emulator_warnings(pack: DefinitionPack, emulator_id: str) -> list[str]:
    """An override's emulator the pack in use does not know (QA29 F3: a pack update renamed
    or dropped it, and the override went on deciding without a word)."""
    if emulator_id in pack.emulators:
        return []
    return [f"emulator {emulator_id} (named by an override) is not in the definition pack in "
            "use (a pack update renamed or dropped it?): `romrunner override set` names "
            "another"]


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
                          emulator: str, profile_id: int | None = None, *,
                          force: bool = False) -> OverrideChange:
    """Use ``emulator`` for every game of ``platform_id`` (on one profile, or everywhere);
    an emulator the pack says does not run the platform is refused unless ``force``."""
    if platform_id not in pack.platforms:
        raise InputError(f"platform {platform_id!r} is not in the definition pack")
    emulator_id = resolve_emulator_id(pack, emulator)
    refuse_unlisted_platform(pack, emulator_id, platform_id, force)
    profile = _profile(db, profile_id)
    where, params = _scope(profile_id)
    with db.atomic():
        db.execute(f"DELETE FROM platform_overrides WHERE platform_id = ? AND {where}",
                   (platform_id, *params))
        db.execute("INSERT INTO platform_overrides (device_profile_id, platform_id, "
                   "emulator_id) VALUES (?, ?, ?)", (profile_id, platform_id, emulator_id))
    return OverrideChange("platform", platform_id, profile_id, emulator_id, None, {},
                          [*emulator_warnings(pack, emulator_id, platform_id, profile),
                           *folder_picks_warnings(pack, emulator_id, platform_id, profile),
                           *(os_warnings_of_profiles(db, pack, emulator_id,
                                                     ("platform", platform_id))
                             if profile is None else [])])


_PLAIN_INT = re.compile(r"^-?(0|[1-9][0-9]*)$")
_NOT_FINITE = re.compile(r"^[+-]?(nan|inf|infinity)$", re.IGNORECASE)
_WORDS: dict[str, Any] = {"true": True, "false": False, "null": None}


def parse_setting(text: str) -> tuple[str, Any]:
    """``key=value``: the value is kept as the user typed it, as text, except a plain whole
    number of 64 bits (``3``, ``-1``; not ``007``), ``true``, ``false`` and ``null``. So
    ``1.10`` stays ``1.10`` and ``1e3`` stays ``1e3``; NaN and infinities are refused (JSON
    cannot hold them)."""
    key, sep, value = text.partition("=")
    if not sep or not key.strip():
        raise InputError(f"setting {text!r}: expected key=value")
    if has_control_characters(text):  # (QA26: an ESC in a key, stored)
        raise InputError(f"setting {text!r}: has control or invisible characters")
    if _NOT_FINITE.match(value.strip()):
        raise InputError(f"setting {text!r}: {value.strip()} is not a finite number; give a "
                         "number, true/false, or text")
    if _PLAIN_INT.match(value) and len(value) <= 20 and -2**63 <= int(value) < 2**63:
        return key.strip(), int(value)  # (longer: text, as 1e999 is — qa195 F7, a traceback)
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
                      action: str | None = None, settings: Mapping[str, Any] | None = None,
                      force: bool = False) -> OverrideChange:
    """Set a game's emulator, include/exclude action and/or settings (merged into the ones
    already set at the same scope); an emulator the pack says does not run the game's
    platform is refused unless ``force``."""
    if action not in (None, "include", "exclude"):
        raise InputError(f"action {action!r}: expected include or exclude")
    row = db.query_one("SELECT platform_id FROM games WHERE id = ?", (game_id,))
    if row is None:
        raise NotFoundError(f"game {game_id} does not exist")
    emulator_id = resolve_emulator_id(pack, emulator) if emulator is not None else None
    if emulator_id is not None:
        refuse_unlisted_platform(pack, emulator_id, row["platform_id"], force)
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
    warnings = [*emulator_warnings(pack, values[0], row["platform_id"], profile),
                *folder_picks_warnings(pack, values[0], row["platform_id"], profile),
                *(os_warnings_of_profiles(db, pack, values[0], ("game", str(game_id)))
                  if profile is None else [])] if values[0] else []
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
                    game_id: int | None = None, profile_id: int | None = None,
                    known_platforms: Collection[str] | None = None) -> int:
    """Delete the platform or game override at this scope; NotFoundError when there is none
    (saying so of a game that does not exist, or a platform neither ``known_platforms`` nor
    any override names)."""
    where, params = _scope(profile_id)
    if (platform_id is None) == (game_id is None):
        raise InputError("give a platform or a game")
    target: str | int
    if platform_id is not None:
        table, column, target = "platform_overrides", "platform_id", platform_id
    else:
        assert game_id is not None
        table, column, target = "game_overrides", "game_id", game_id
    with db.atomic():
        removed = db.execute(f"DELETE FROM {table} WHERE {column} = ? AND {where}",
                             (target, *params)).rowcount
    if not removed:
        raise _no_override(db, table, column, target, profile_id, known_platforms)
    return int(removed)


def _no_override(db: Database, table: str, column: str, target: str | int,
                 profile_id: int | None, known_platforms: Collection[str] | None,
                 also: str = "") -> NotFoundError:
    """The error for a platform or game (``column`` of ``table``) with no override at the
    scope of ``profile_id``, naming the scopes that have one (the command that removes it
    there ends with ``also``: the settings asked, not the whole override)."""
    game_id = target if column == "game_id" else None
    platform_id = target if column == "platform_id" else None
    what = f"{column.removesuffix('_id')} {target}"
    # (qa193 F10: "no override for every profile" read as "not every profile has one")
    scope = f"of profile {profile_id}" if profile_id is not None else \
        "set for every profile (without --profile)"
    elsewhere = [int(row[0]) if row[0] is not None else None for row in db.query(
        f"SELECT DISTINCT device_profile_id FROM {table} WHERE {column} = ? "
        "ORDER BY device_profile_id IS NOT NULL, device_profile_id", (target,))]
    if game_id is not None and not elsewhere and db.scalar(
            "SELECT count(*) FROM games WHERE id = ?", (game_id,)) == 0:
        return NotFoundError(f"no override for game {game_id}: no game has that id")
    if platform_id is not None and not elsewhere and known_platforms is not None \
            and platform_id not in known_platforms:
        return NotFoundError(f"no override for platform {platform_id}: it is not a "
                             "platform of the definition pack (`romrunner platforms "
                             "--all` lists them)")
    # (QA63 F5: "no override … (all profiles)" read as "no profile has one")
    hint = "; ".join(
        f"{'every profile' if other is None else f'profile {other}'} has one "
        f"(`romrunner override rm --{column.removesuffix('_id')} {target}"
        f"{'' if other is None else f' --profile {other}'}{also}`)" for other in elsewhere)
    return NotFoundError(f"no override for {what} {scope}" + (f"; {hint}" if hint else ""))


def remove_game_settings(db: Database, game_id: int, keys: Sequence[str],
                         profile_id: int | None = None) -> OverrideChange | None:
    """Drop the settings ``keys`` of the game's override at this scope, keeping the rest of
    it (its emulator, include/exclude and other settings): the override as it is left, or
    None when nothing was left of it, and it went (qa202: a key could only be set to "" or
    null, or the whole override removed). A key it does not set is refused, naming those
    it does; nothing is changed then."""
    where, params = _scope(profile_id)
    with db.atomic():
        current = db.query_one(f"SELECT id, emulator_id, action, custom_settings FROM "
                               f"game_overrides WHERE game_id = ? AND {where}",
                               (game_id, *params))
        if current is None:
            raise _no_override(db, "game_overrides", "game_id", game_id, profile_id, None,
                               "".join(f" --setting {shell_word(key)}" for key in keys))
        settings = _settings(current["custom_settings"])
        unset = [key for key in keys if key not in settings]
        if unset:
            scope = f"of profile {profile_id}" if profile_id is not None else \
                "set for every profile (without --profile)"
            # (keys quoted as the commands write them: "no setting my key (it sets b)", and
            # a key holding ", " read as two)
            sets = (f"it sets {_keys_said(sorted(settings))}" if settings else "it sets none")
            where_set = _set_elsewhere(db, game_id, profile_id, unset)
            raise NotFoundError(f"the override for game {game_id} {scope} has no setting "
                                f"{_keys_said(unset)} ({sets}){where_set}; nothing was changed")
        left = {key: value for key, value in settings.items() if key not in keys}
        if not left and current["emulator_id"] is None and current["action"] is None:
            db.execute("DELETE FROM game_overrides WHERE id = ?", (current["id"],))
            return None
        db.execute("UPDATE game_overrides SET custom_settings = ?, updated_at = "
                   "CURRENT_TIMESTAMP WHERE id = ?",
                   (json.dumps(left, sort_keys=True) if left else None, current["id"]))
    return OverrideChange("game", str(game_id), profile_id, current["emulator_id"],
                          current["action"], left, [])


def _keys_said(keys: Sequence[str]) -> str:
    """Setting keys as a message names them: each as a command would write it."""
    return ", ".join(shell_word(key) for key in keys)


def _set_elsewhere(db: Database, game_id: int, profile_id: int | None,
                   keys: Sequence[str]) -> str:
    """Where the game's overrides at other scopes set any of ``keys``, each with the command
    that removes them there (review49d F4: a key set for profile 1 alone was refused for
    every profile without a word of where it is set), as "; … set …" parts of a message."""
    said = []
    for row in db.query("SELECT device_profile_id, custom_settings FROM game_overrides "
                        "WHERE game_id = ? AND device_profile_id IS NOT ? "
                        "ORDER BY device_profile_id IS NOT NULL, device_profile_id",
                        (game_id, profile_id)):
        other = row["device_profile_id"]
        there = [key for key in keys if key in _settings(row["custom_settings"])]
        if not there:
            continue
        scope = "for every profile (without --profile)" if other is None else \
            f"of profile {other}"
        option = "" if other is None else f" --profile {other}"
        said.append(f"{_keys_said(there)} {'is' if len(there) == 1 else 'are'} set in its "
                    f"override {scope}: `romrunner override rm --game {game_id}{option}"
                    f"{''.join(f' --setting {shell_word(key)}' for key in there)}` removes "
                    f"{'it' if len(there) == 1 else 'them'} there")
    return "".join(f"; {part}" for part in said)


def list_overrides(db: Database, profile_id: int | None = None) -> list[dict[str, Any]]:
    """Every override (of one profile and the global ones, when ``profile_id`` is given: a
    profile that does not exist is an error, not "no overrides": QA34 F1)."""
    if profile_id is not None:
        load_profile(db, profile_id)
    condition = "1 = 1" if profile_id is None else \
        "(o.device_profile_id IS NULL OR o.device_profile_id = :p)"
    rows = db.query(
        "SELECT 'platform' AS scope, o.platform_id AS target, NULL AS title, "
        "o.device_profile_id AS profile_id, o.emulator_id, NULL AS action, "
        "NULL AS settings FROM platform_overrides o "
        f"WHERE {condition} UNION ALL "
        f"SELECT 'game', CAST(o.game_id AS TEXT), coalesce({catalog_title()}, g.detected_title), "
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


def explain(db: Database, pack: DefinitionPack, game_id: int,
            profile_id: int | None = None) -> Explanation:
    """Why a game runs with its emulator, is in or out, and has its settings, on a profile
    (or with the global rules only). The emulator and its rule are :class:`EmulatorResolver`'s,
    as the auto-list and the deploy have them."""
    profile = _profile(db, profile_id)
    game = db.query_one(f"SELECT g.id, g.platform_id, coalesce({catalog_title()}, "
                        "g.detected_title) AS title FROM games g WHERE g.id = ?", (game_id,))
    if game is None:
        raise NotFoundError(f"game {game_id} does not exist")
    platform = str(game["platform_id"])
    resolution = EmulatorResolver(db, pack, profile).games([game_id])[game_id]
    explained = [Rule(level, value, index == 0)
                 for index, (level, value) in enumerate(resolution.rules)]
    warnings: list[str] = []
    if resolution.origin.startswith(FALLBACK_LABEL):
        why = resolution.origin.removeprefix(FALLBACK_LABEL).removeprefix("; ")
        warnings.append(f"no override or OS default names an emulator for {platform}: "
                        "the pack's fallback is used" + (f" ({why})" if why else ""))
    elif resolution.origin.startswith(RETROARCH_FALLBACK_LABEL):  # (QA152 F9)
        warnings.append(f"no override, OS default or pack fallback names an emulator for "
                        f"{platform}: RetroArch, which the OS runs, is used")
    elif resolution.emulator_id is None:
        warnings.append(f"no emulator known for {platform}")
    if resolution.emulator_id:
        warnings += emulator_warnings(pack, resolution.emulator_id, platform, profile)
        if resolution.origin in OVERRIDE_ORIGINS:
            warnings += unknown_emulator_warnings(pack, resolution.emulator_id)
            warnings += folder_picks_warnings(pack, resolution.emulator_id, platform, profile)
    game_rows = db.query("SELECT device_profile_id, custom_settings FROM game_overrides "
                         "WHERE game_id = ? AND is_enabled = 1 AND "
                         "(device_profile_id IS NULL OR device_profile_id = ?) "
                         "ORDER BY device_profile_id IS NULL", (game_id, profile_id))
    settings: dict[str, tuple[Any, str]] = {}
    for row in reversed(game_rows):  # global first, the profile's keys win
        origin = PROFILE_GAME if row["device_profile_id"] is not None else GAME
        for key, value in _settings(row["custom_settings"]).items():
            settings[key] = (value, origin)
    return Explanation(game_id, game["title"], platform, profile_id, resolution.emulator_id,
                       resolution.origin, explained, resolution.action or "include",
                       resolution.action_origin or "default", settings, warnings)
