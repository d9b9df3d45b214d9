"""OS profile resolution: which emulators an OS runs on a device, and where its folders are.

Follows ``osEmulatorProfiles.selectionHierarchy``: the device-specific entry (found under any
of the device's ids, then under the devices it inherits scores from) is merged onto the OS
profile, the device entry winning (DECISIONS-devices D2): its default emulators per platform
(the OS's stay for the platforms it does not name), its installed emulators added to the
OS's, any other top-level key whole; an entry that is only ``{profileRef: X}`` stands for
``profilesByOsId[X]``. A platform with no default in the merged profile takes
``fallbackDefaults`` (policy pseudo-ids expanded), with a warning — on Android, where the pack
says it does not run there, the platform's emulator that does, or none; then, on an OS that runs
RetroArch, a system every RetroArch has a core for (up to the SNES's generation, handhelds up
to the GBA's) that nothing names takes ``retroarch`` (the built-in fallback, also warned).
An arcade platform the OS's installed emulator runs as another system's (Flycast, a Dreamcast
emulator listing ``arcade`` for the Naomi boards) takes an arcade emulator (MAME, FBNeo) the
pack says runs on the OS's system (Android, else its ``baseOS``) where there is one; and on an
Android whose installed emulators the pack lists, a platform still without one takes an
emulator the pack says runs on Android (both said: they may need installing).
"""

from __future__ import annotations

import functools
from collections.abc import Collection
from dataclasses import dataclass, field
from typing import Any

from romrunner.devices.catalog import profile_keys, score_chain
from romrunner.errors import NotFoundError
from romrunner.packs.loader import DefinitionPack
from romrunner.packs.model import Emulator, Platform, asks_the_user
from romrunner.textnorm import closest_id
from romrunner.words import examples

ORIGIN_DEVICE = "device profile"
ORIGIN_OS = "os profile"
ORIGIN_FALLBACK = "fallback default"
ORIGIN_INSTALLED = "installed emulator"  # no default names one: the OS's installed one runs it
ORIGIN_BUILT_IN = "built-in emulator"  # the OS's own, for a system its frontend has a folder of
# none it lists as installed runs it (or runs it as its own system): one the pack says runs
# on the OS's system, said as not installed
ORIGIN_AVAILABLE = "available emulator"
ORIGIN_NONE = "none"
FALLBACK_LABEL = "pack fallback"
RETROARCH = "retroarch"
RETROARCH_FALLBACK_LABEL = "built-in fallback"  # `built-in fallback: spruce runs RetroArch`
# RetroArch for a platform the pack's fallback defaults do not name (below): not the pack's
# "fallback default" (qa188 F3: `profile show` said so of Android's GBA)
ORIGIN_RETROARCH_FALLBACK = RETROARCH_FALLBACK_LABEL
# RetroArch on any device that runs it at all carries cores for the systems up to the SNES's
# generation (the pack's `up_to_snes` fallback) and the handhelds up to the GBA's (GBA, Neo
# Geo Pocket, WonderSwan…), which the pack's fallback leaves out (QA152 F9: Spruce's A30 left
# every GBA game out as having no emulator).
RETROARCH_EVERYWHERE_GENERATION = 4
RETROARCH_EVERYWHERE_HANDHELD_GENERATION = 5
# What the pack's note on an OS's installed lists says when the lists are not the whole of what
# the OS has (muOS: "muOS includes additional cores beyond this list"; Batocera: "minimum set
# referenced by Batocera configgen"; FunKey OS: "not fully enumerated here"), lowercase.
PARTIAL_LIST_NOTES = ("beyond this list", "additional cores", "minimum set",
                      "not fully enumerated", "not enumerat", "vary", "varies", "partially",
                      "inferred", "may differ")
# (qa176 #1: the pack's notes on Anbernic's and TrimUI's stock Linux, GarlicOS, MagicX… say
# their lists "vary by firmware", are "partially derived" or "inferred": their Dreamcast and
# arcade games were said not to start there)


PLATFORM_SPELLINGS = {"ps1": "psx", "gc": "gamecube", "pce": "tg16"}
"""Other spellings of pack platform ids that the pack's own files write (its policies
``ps1``; some OS and device profiles ``gc``, ``pce``): read as the pack's ids."""


def by_pack_platform(pack: DefinitionPack, mapping: dict[str, str]) -> dict[str, str]:
    """``mapping`` (platform → emulator) keyed by the pack's platform ids: a key the pack lacks
    that is another spelling of one of them (PLATFORM_SPELLINGS) read as that one, unless the
    mapping names it too (the Retroid Pocket 2's legacy Retroid OS profile gave its PS1 and PC
    Engine emulators as ``ps1`` and ``pce``, and the Anbernic Android profiles their GameCube
    one as ``gc``: read as nothing, qa183 F3's pack warnings)."""
    keyed: dict[str, str] = {}
    for key, emulator in mapping.items():
        proper = PLATFORM_SPELLINGS.get(key) if key not in pack.platforms else None
        if proper is not None and proper in pack.platforms and proper not in mapping:
            key = proper
        keyed[key] = emulator
    return keyed


def has_a_core_of_its_own(pack: DefinitionPack, platform_id: str) -> bool:
    """Whether the pack lists a RetroArch core for ``platform_id`` that is not an arcade
    emulator (a core that also runs an arcade platform: the current MAME core, which runs
    FM Towns and CD-i as two of its thousands of machines): the kind of core a RetroArch
    carries for a system. A system whose only core is MAME's is not one every RetroArch
    has a core for: the handhelds carry FBNeo or a year-stamped MAME for arcade games,
    which run neither (qa203 F3: FM Towns games, which only MAME and the standalone
    Tsugaru run, were given RetroArch on Onion, muOS, ArkOS and ROCKNIX)."""
    runners = [entry for entry in pack.emulators.values() if platform_id in entry.platforms]
    if not runners:
        return True  # (the pack says nothing of what runs it: not ruled out)
    arcade = {platform.id for platform in pack.platforms.values() if platform.kind == "arcade"}
    return any(_retroarch_core(entry) and not arcade & set(entry.platforms)
               for entry in runners)


def _retroarch_core(entry: Emulator) -> bool:
    """Whether a pack's emulator is a RetroArch core: typed so, or named so where the pack
    gives no type (the built-in pack's ``retroarch-snes9x``; ``snes9x_libretro``)."""
    name = entry.id.lower()
    return entry.type in ("libretro-core", "libretro") \
        or name.startswith(("retroarch-", "retroarch:", "retroarch_")) \
        or name.endswith("_libretro")


def expand_policy_ids(pack: DefinitionPack, ids: list[str] | tuple[str, ...]) -> set[str]:
    """Pack platform ids meant by policy ids: ``ps1`` → ``psx``; ``up_to_snes`` → every
    platform of generation 1–4 that a RetroArch core of its own runs
    (:func:`has_a_core_of_its_own`: not FM Towns, which only MAME's core and a standalone
    emulator run); ``xbox360`` and other ids the pack lacks → nothing."""
    platforms: set[str] = set()
    for policy_id in ids:
        if policy_id == "ps1":
            platforms.add("psx")
        elif policy_id == "up_to_snes":
            platforms.update(p.id for p in pack.platforms.values()
                             if p.generation is not None and 1 <= p.generation <= 4
                             and has_a_core_of_its_own(pack, p.id))
        elif policy_id in pack.platforms:
            platforms.add(policy_id)
    return platforms


def policy_id_of(pack: DefinitionPack, platform_id: str, ids: list[str]) -> str | None:
    """The policy id in ``ids`` that covers ``platform_id`` (exact id first), or None."""
    if platform_id in ids:
        return platform_id
    for policy_id in ids:
        if platform_id in expand_policy_ids(pack, [policy_id]):
            return policy_id
    return None


@dataclass
class ResolvedOsProfile:
    """An OS profile for one device, merged, with where each part came from."""

    os_id: str
    device_id: str
    name: str
    layers: list[str]
    emulators: dict[str, tuple[str, str]]  # platform -> (emulator, origin)
    installed: frozenset[str] | None  # None: the pack does not say
    layout_paths: dict[str, str | None]
    asks_for_paths: bool  # its layout's paths say the user chooses (`<user-selected>`)
    warnings: list[str] = field(default_factory=list)
    fallback_platforms: list[str] = field(default_factory=list)
    # platforms no emulator the pack lists runs on the OS's system (Android: PS3, Wii U):
    # none is chosen, and their games go on no card (see _fallback_on)
    unrunnable: list[str] = field(default_factory=list)
    # platform -> the rule that named its default, as `resolve` and `autolist` show it:
    # "rg-35xx-plus on muos default", "muos default", "pack fallback"
    labels: dict[str, str] = field(default_factory=dict)
    # Whether the pack lists what the OS has installed, all of it (see partial_list): only
    # then does "no rule names an emulator for a platform" mean none runs it there; else it
    # is unknown (QA123 F1: every GBA game of a RetroPie, Recalbox or SteamOS profile, whose
    # pack entries are empty, was left out as unrunnable; QA172 F2: muOS's Dreamcast games
    # "will not start there", its list "additional cores beyond this list")
    lists_what_is_installed: bool = False
    # Why the installed lists the pack has for the OS are not the whole of what it has, as a
    # clause ("it lists RetroArch, not its cores"), or None: no lists, or complete ones
    partial_list: str | None = None

    def emulator_for(self, platform_id: str) -> tuple[str | None, str]:
        """(default emulator or None, its origin)."""
        return self.emulators.get(platform_id, (None, "none"))

    def chosen_as_the_oss_own(self, platform_id: str, emulator_id: str) -> bool:
        """Whether ``emulator_id`` is the platform's default because the OS has it (built
        in, or installed): never said to be missing from the OS (QA64 F5)."""
        return self.emulators.get(platform_id) in ((emulator_id, ORIGIN_BUILT_IN),
                                                   (emulator_id, ORIGIN_INSTALLED))

    def default_for(self, platform_id: str) -> tuple[str | None, str]:
        """(default emulator or None, the rule that named it, or ``none``)."""
        emulator = self.emulators.get(platform_id)
        if emulator is None:
            return None, ORIGIN_NONE
        return emulator[0], self.labels.get(platform_id, FALLBACK_LABEL)

    def is_installed(self, emulator_id: str) -> bool | None:
        """True/False per the profile's ``installed`` lists; None when they say nothing."""
        if self.installed is None:
            return None
        return _listed(self.installed, emulator_id)


def known_os(pack: DefinitionPack, os_id: str) -> None:
    """Raise NotFoundError naming ``os_id`` unless the pack knows it."""
    if os_id not in pack.operating_systems and os_id not in _dict(pack.os_profiles,
                                                                   "profilesByOsId"):
        systems = {key: [system.name] for key, system in pack.operating_systems.items()}
        close = closest_id(os_id, systems)  # (qa173 F9: `--os onion` for onionos)
        hint = "" if close is None else \
            f"; did you mean {close} ({pack.operating_systems[close].name})?"
        raise NotFoundError(f"OS {os_id!r} is not in the pack's operating systems{hint} "
                            "(`romrunner profile os` lists them)")


def resolve_os_profile(pack: DefinitionPack, device_id: str, os_id: str) -> ResolvedOsProfile:
    """Resolve ``os_id`` on ``device_id`` (a catalog id) through the selection hierarchy."""
    known_os(pack, os_id)
    by_os = _dict(pack.os_profiles, "profilesByOsId")
    base = _dict(by_os, os_id)
    layers: list[str] = [f"profilesByOsId.{os_id}"] if base else []
    device_entry, device_key, device_member = _device_entry(pack, device_id, os_id)
    merged: dict[str, Any] = dict(base)
    defaults_of = os_id  # whose profile the OS's `defaults` are
    installed = _installed(base)
    if device_entry:
        ref = device_entry.get("profileRef")
        if isinstance(ref, str) and isinstance(by_os.get(ref), dict):
            merged.update(by_os[ref])
            installed = _installed(by_os[ref])
            layers.append(f"profilesByOsId.{ref} (profileRef)")
            if "defaults" in by_os[ref]:
                defaults_of = ref
        os_defaults = by_pack_platform(
            pack, _text_map(_dict(merged, "defaults", "platformToEmulator")))
        merged.update({k: v for k, v in device_entry.items() if k not in ("profileRef", "notes")})
        device_installed = _installed(device_entry)
        if device_installed is not None:
            installed = device_installed | (installed or frozenset())
        layers.insert(0, f"deviceOsProfiles.byDeviceId.{device_key}.{os_id}")
    else:
        os_defaults = by_pack_platform(
            pack, _text_map(_dict(merged, "defaults", "platformToEmulator")))
    warnings: list[str] = []
    device_map = by_pack_platform(
        pack, _text_map(_dict(device_entry or {}, "defaults", "platformToEmulator")))
    emulators: dict[str, tuple[str, str]] = {}
    labels: dict[str, str] = {}
    for platform, emulator in os_defaults.items():
        emulators[platform] = (emulator, ORIGIN_OS)
        labels[platform] = f"{defaults_of} default"
    for platform, emulator in device_map.items():  # the device's, per platform
        emulators[platform] = (emulator, ORIGIN_DEVICE)
        labels[platform] = f"{device_member} on {os_id} default"
    # (an OS whose frontend reads only the folders it names runs those with its own
    # emulators, before the pack's generic fallback: no RetroArch on the Pocket, QA64 F5)
    closed = pack.folder_names.is_closed(pack.folder_names.family_of(os_id))
    if closed:
        _take_the_oss_own(pack, os_id, installed, emulators, labels)
    fallback = fallback_defaults(pack)
    missing = sorted(p for p in fallback if p not in emulators)
    system = os_system(pack, os_id)
    unrunnable: list[str] = []
    for platform in missing:
        runs, label = _fallback_on(pack, platform, fallback[platform], system)
        if runs is None:
            unrunnable.append(platform)
            continue
        emulators[platform] = (runs, ORIGIN_FALLBACK)
        labels[platform] = label
    missing = [platform for platform in missing if platform not in unrunnable]
    if not closed:
        _take_the_oss_own(pack, os_id, installed, emulators, labels)
    assumed = _retroarch_assumed(pack, system, emulators)
    by_retroarch = _retroarch_fallback(pack, os_id, installed, emulators, labels,
                                       assumed=assumed)
    listing = [layer for layer in (base, by_os.get(str((device_entry or {}).get("profileRef"))),
                                   device_entry) if isinstance(layer, dict)]
    partial = None if installed is None else _partial_list(
        pack, os_id, installed, listing, emulators, unrunnable)
    with_retroarch = assumed or runs_retroarch(pack, installed)
    arcade_system = system or _base_system_of(pack, os_id)
    arcade_swapped = _arcade_by_its_own(pack, arcade_system, emulators, labels,
                                        retroarch=with_retroarch)
    arcade_alike = _arcade_alike(pack, arcade_system, emulators, labels,
                                 retroarch=with_retroarch) if arcade_swapped else []
    by_system = _available_on_system(pack, system, emulators, labels,
                                     retroarch=with_retroarch) \
        if installed is not None and partial is None and not closed else []
    if pack.devices and device_id not in pack.devices:  # (review 118 F10: `device ls` only)
        warnings.append(f"device {device_id} is not in the definition pack in use (a pack "
                        "update renamed or dropped it?): its own emulator settings and its "
                        "chipset's performance answers are unknown")
    unknown = _unknown_emulators(pack, os_id, emulators)
    if unknown:  # (QA114 F5: a pack that dropped mgba still named it for gba, unsaid)
        warnings.append(
            f"{os_id} on {device_id}: its profile names "
            + "; ".join(f"{emulator} for {examples(platforms, 4)}"
                        for emulator, platforms in unknown.items())
            + ", which the pack's emulators do not have (a pack update dropped or renamed "
            "them?): those platforms' games are not checked against an emulator")
    if not base and not device_entry:
        warnings.append(f"the pack has no emulator profile for {os_id} (device {device_id}): "
                        "using its fallback defaults")
    elif missing:
        shown = examples(missing, 6)
        warnings.append(f"{os_id} on {device_id}: its profile names no default emulator for "
                        f"{shown}; the pack's fallback defaults are used for them")
    if unrunnable:
        warnings.append(f"{os_id} on {device_id}: the pack's fallback emulators for "
                        f"{examples(unrunnable, 6)} do not run on {system}, nor does any "
                        "other the pack lists for them: no emulator is chosen")
    if by_retroarch:
        warnings.append(f"{os_id} on {device_id}: neither its profile nor the pack's fallback "
                        f"defaults name an emulator for {examples(by_retroarch, 6)}; "
                        f"{os_id} runs RetroArch, which is used for them")
    if arcade_swapped:
        warnings.append(f"{os_id} on {device_id}: "
                        + "; ".join(f"{runner}, which it lists as installed, runs {platform} "
                                    f"as {_a(own)} emulator (that system's boards, not the "
                                    f"sets an {platform} folder holds): {emulators[platform][0]}"
                                    " is used for them"
                                    for platform, (runner, own) in arcade_swapped.items())
                        + "".join(f"; nothing it lists runs {platform}'s sets either: "
                                  f"{emulators[platform][0]} is used for them"
                                  for platform in arcade_alike))
    if by_system:
        warnings.append(f"{os_id} on {device_id}: nothing it lists as installed runs "
                        f"{examples(by_system, 6)}; emulators the pack says run on {system} "
                        "are named for them (they may need installing)")
    return ResolvedOsProfile(
        os_id=os_id, device_id=device_id, name=str(merged.get("name") or os_id), layers=layers,
        emulators=emulators, installed=installed,
        lists_what_is_installed=installed is not None and partial is None, partial_list=partial,
        layout_paths=_layout_paths(merged),
        asks_for_paths=any(asks_the_user(path) for path in _dict(merged, "layout", "paths")
                           .values()),
        warnings=warnings, fallback_platforms=[*missing, *by_retroarch], labels=labels,
        unrunnable=unrunnable)


def _partial_list(pack: DefinitionPack, os_id: str, installed: frozenset[str],
                  layers: list[dict[str, Any]], emulators: dict[str, tuple[str, str]],
                  unrunnable: list[str]) -> str | None:
    """Why the installed lists of an OS's profile ``layers`` (``installed``, merged) are not
    the whole of what it has, or None: the one rule by which "no emulator the pack knows runs
    the platform there" is a fact or is unknown. Not the whole: they name RetroArch and none
    of its cores; a layer's note says so (:data:`PARTIAL_LIST_NOTES`); or the OS's frontend
    has a folder of its own for a platform (an explicit name in ``folder-names.json``, of
    the OS its family is named after: :meth:`FolderNames.names_its_own`) that an emulator
    of the pack runs but none the lists name — the OS shows that system, so it
    has something that runs it (QA172 F2: OnionOS, its 7 cores "from OnionOS docs", shows
    ARCADE and FBNEO, which it runs with FBNeo and MAME cores). An OS whose frontend reads
    only the folders it names (MinUI's paks) runs what its folders are: whole, whatever a
    note says of its cores."""
    if pack.folder_names.is_closed(pack.folder_names.family_of(os_id)):
        return None
    if _listed(installed, RETROARCH) and not any(
            _installed(layer, "retroarchCores") for layer in layers):
        return "it lists RetroArch, not its cores"
    for layer in layers:
        note = _dict(layer, "installed").get("notes")
        if isinstance(note, str) and any(words in note.lower() for words in PARTIAL_LIST_NOTES):
            return "its note says the OS has more than it lists"
    names = pack.folder_names
    if not names.names_its_own(os_id):  # (review37 F2: TrimUI stock, Recalbox, PlumOS took
        # their family's folders for their own and included 3DO, Jaguar, PC-FX games)
        return None
    family = names.family_of(os_id)
    run_anywhere = {platform for entry in pack.emulators.values() for platform in entry.platforms}
    shown = sorted(platform for platform in names.names
                   if platform not in emulators and platform not in unrunnable
                   and platform in run_anywhere
                   and names.folder_for(platform, family)[0] is not None
                   and names.folder_for(platform, family)[1])
    if shown:
        return (f"{os_id} has a folder of its own for {examples(shown, 4)}, which none of the "
                "emulators it lists runs")
    return None


def _unknown_emulators(pack: DefinitionPack, os_id: str,
                       emulators: dict[str, tuple[str, str]]) -> dict[str, list[str]]:
    """The emulators ``emulators`` names (platform -> (emulator, origin)) that the pack's
    emulators have under no spelling, with their platforms; not the OS's own built-in
    (named as the OS: MinUI's ``minui``), nor any when the pack lists no emulators."""
    if not pack.emulators:
        return {}
    known = {emulator_key(emulator) for emulator in pack.emulators}
    found: dict[str, list[str]] = {}
    for platform, (emulator, _) in sorted(emulators.items()):
        if emulator != os_id and emulator_key(emulator) not in known:
            found.setdefault(emulator, []).append(platform)
    return found


def _device_entry(pack: DefinitionPack, device_id: str, os_id: str
                  ) -> tuple[dict[str, Any] | None, str | None, str | None]:
    """The device-specific entry, the key it is under, and the catalog device it is for
    (``device_id`` or one it inherits scores from)."""
    by_device = _dict(pack.os_profiles, "deviceOsProfiles", "byDeviceId")
    for member in score_chain(pack, device_id):
        for key in profile_keys(member):
            entry = _dict(by_device, key, os_id)
            if entry:
                return entry, key, member
    return None, None, None


@functools.lru_cache(maxsize=4096)  # (asked per game by an auto-list's gate: QA45 F4)
def emulator_key(emulator_id: str) -> str:
    """One spelling of an emulator id: lowercase, no ``retroarch-`` prefix, no ``_libretro``
    suffix, ``-`` for ``_`` (``retroarch-snes9x`` and ``snes9x_libretro`` give ``snes9x``)."""
    key = emulator_id.strip().lower()
    for prefix in ("retroarch-", "retroarch:", "retroarch_"):
        if key.startswith(prefix) and len(key) > len(prefix):
            key = key[len(prefix):]
    key = key.removesuffix("_libretro").removesuffix("-libretro")
    return key.replace("_", "-")


def fallback_defaults(pack: DefinitionPack) -> dict[str, str]:
    """``fallbackDefaults.platformDefaults``: the first emulator per platform, policy ids
    expanded (``ps1`` → ``psx``, ``up_to_snes`` → generations 1–4)."""
    chosen: dict[str, str] = {}
    for policy_id, emulators in _dict(pack.os_profiles, "fallbackDefaults",
                                      "platformDefaults").items():
        if not isinstance(emulators, list) or not emulators or not isinstance(emulators[0], str):
            continue
        for platform in sorted(expand_policy_ids(pack, [policy_id])):
            chosen.setdefault(platform, emulators[0])
    return chosen


def os_system(pack: DefinitionPack, os_id: str) -> str | None:
    """The system an OS is, as emulators' ``availableOnOS`` names it: ``android`` for
    Android and the OSes built on it; None where the pack does not say (no emulator is then
    judged by where it runs)."""
    catalog = pack.operating_systems.get(os_id)
    return "android" if catalog is not None and catalog.on_android else None


def _fallback_on(pack: DefinitionPack, platform_id: str, emulator_id: str,
                 system: str | None) -> tuple[str | None, str]:
    """The pack's fallback emulator for a platform on ``system``, and its label: the
    fallback itself where it runs there (or where that is not known), else the emulator of
    the platform the pack says runs there — active before archived, of the fallback's kind
    (standalone, core) first — or None (QA161 F3: Android got PCSX2, which the pack says
    does not run there, not NetherSX2)."""
    chosen = pack.emulators.get(emulator_id)
    if system is None or chosen is None or chosen.runs_on(system):
        return emulator_id, FALLBACK_LABEL
    others = sorted((emulator.status not in (None, "active"), emulator.type != chosen.type,
                     emulator.id) for emulator in pack.emulators.values()
                    if platform_id in emulator.platforms and emulator.id != emulator_id
                    and emulator.available_on_os and emulator.runs_on(system))
    if not others:
        return None, FALLBACK_LABEL
    return others[0][2], f"{FALLBACK_LABEL}; {emulator_id} does not run on {system}"


def _base_system_of(pack: DefinitionPack, os_id: str) -> str | None:
    """The system an OS is built on (its catalog's ``baseOS``: ``linux`` for ROCKNIX), as
    emulators' ``availableOnOS`` names it; None where the catalog does not say."""
    catalog = pack.operating_systems.get(os_id)
    return catalog.base_os.strip().lower() if catalog is not None and catalog.base_os \
        and catalog.base_os.strip() else None


_DEMAND_ORDER = {"low": 0, "medium": 1, "high": 2, "very-high": 3}
_CORE_TYPES = frozenset({"libretro-core", "libretro", "retroarch-core"})


def _available_runner(pack: DefinitionPack, platform_id: str, system: str | None, *,
                      retroarch: bool, arcade_only: bool = False) -> str | None:
    """The emulator the pack says runs ``platform_id`` on ``system`` (its ``availableOnOS``
    names it: one that says nothing is not counted), a RetroArch core only where the OS
    runs RetroArch (``retroarch``): active before archived or deprecated, then the one
    named as the platform (``fbneo`` for FBNeo's), then the one whose own (first listed)
    platform it is, of fewest platforms, least demanding, by id; ``arcade_only``: only an
    arcade emulator (its own platform is an arcade one). ``system`` None (an OS the pack's
    catalog does not have): a RetroArch core only, RetroArch's cores being built for every
    system it runs on. None when there is none."""
    ranked: list[tuple[bool, bool, int, int, int, str]] = []
    for emulator in pack.emulators.values():
        if platform_id not in emulator.platforms or not emulator.available_on_os \
                or (system is not None and not emulator.runs_on(system)):
            continue
        core = emulator.type in _CORE_TYPES
        if (core and not retroarch) or (system is None and not core):
            continue
        if arcade_only and not _an_arcade_emulator(pack, emulator.platforms):
            continue
        ranked.append((emulator.status not in (None, "active"),
                       emulator_key(emulator.id) != platform_id,
                       emulator.platforms.index(platform_id), len(emulator.platforms),
                       _DEMAND_ORDER.get(emulator.demand or "", 4), emulator.id))
    return min(ranked)[-1] if ranked else None


def _an_arcade_emulator(pack: DefinitionPack, platforms: tuple[str, ...]) -> bool:
    """Whether an emulator of ``platforms`` is an arcade one: its own (first listed)
    platform is of the arcade kind (MAME, FBNeo; not Flycast, whose own is the Dreamcast)."""
    own = pack.platforms.get(platforms[0]) if platforms else None
    return own is not None and own.kind == "arcade"


def _a(word: str) -> str:
    """``word`` after its indefinite article: "a dreamcast", "an atari-jaguar"."""
    return f"{'an' if word[:1].lower() in 'aeiou' else 'a'} {word}"


def _arcade_by_its_own(pack: DefinitionPack, system: str | None,
                       emulators: dict[str, tuple[str, str]], labels: dict[str, str], *,
                       retroarch: bool) -> dict[str, tuple[str, str]]:
    """Give an arcade platform that the OS's installed emulator runs as another system's
    (Flycast, a Dreamcast emulator, lists ``arcade`` for the Naomi and Atomiswave boards: it
    starts no MAME or FBNeo set) an arcade emulator the pack says runs on ``system`` (MAME,
    FBNeo: a RetroArch core where the OS runs RetroArch, or standalone); the installed one
    stays where there is none. An arcade emulator installed keeps the arcade platforms it
    lists (FBNeo lists ``fbneo`` after ``arcade``). Where ``system`` is not known (an OS with
    an emulator profile only: dArkOS, 351ELEC), a RetroArch arcade core where the OS runs
    RetroArch (qa205 F2: their MAME sets went to Flycast, unsaid). Per platform changed: (the
    installed emulator, the platform it is its own)."""
    swapped: dict[str, tuple[str, str]] = {}
    if system is None and not retroarch:
        return swapped
    where = f"available on {system}" if system is not None else "a RetroArch core"
    for platform_id, (runner, origin) in sorted(emulators.items()):
        platform = pack.platforms.get(platform_id)
        entry = pack.emulators.get(runner)
        if origin != ORIGIN_INSTALLED or platform is None or platform.kind != "arcade" \
                or entry is None or not entry.platforms \
                or _an_arcade_emulator(pack, entry.platforms):
            continue
        if _give_an_arcade_runner(pack, platform_id, system, emulators, labels, (
                f"{where}; the installed {runner} is {_a(entry.platforms[0])} emulator"),
                retroarch=retroarch):
            swapped[platform_id] = (runner, entry.platforms[0])
    return swapped


def _give_an_arcade_runner(pack: DefinitionPack, platform_id: str, system: str | None,
                           emulators: dict[str, tuple[str, str]], labels: dict[str, str],
                           label: str, *, retroarch: bool) -> bool:
    """Give ``platform_id`` the arcade emulator the pack says runs on ``system`` (see
    :func:`_available_runner`), labelled ``label``; False where there is none."""
    chosen = _available_runner(pack, platform_id, system, retroarch=retroarch,
                               arcade_only=True)
    if chosen is None:
        return False
    emulators[platform_id] = (chosen, ORIGIN_AVAILABLE)
    labels[platform_id] = label
    return True


def _arcade_alike(pack: DefinitionPack, system: str | None,
                  emulators: dict[str, tuple[str, str]], labels: dict[str, str], *,
                  retroarch: bool) -> list[str]:
    """Where :func:`_arcade_by_its_own` gave arcade sets an arcade emulator the OS does not
    list, give the other arcade platforms no rule named one for (FBNeo's ``fbneo``) one the
    same way, rather than call them run by nothing there (review51a F4: on dArkOS the arcade
    folder's sets got a RetroArch core, the fbneo folder's none). Those platforms, sorted."""
    where = f"available on {system}" if system is not None else "a RetroArch core"
    alike: list[str] = []
    for platform_id in sorted(pack.platforms):
        if platform_id in emulators or pack.platforms[platform_id].kind != "arcade":
            continue
        if _give_an_arcade_runner(pack, platform_id, system, emulators, labels,
                                  f"{where}, as for the other arcade sets",
                                  retroarch=retroarch):
            alike.append(platform_id)
    return alike


def _available_on_system(pack: DefinitionPack, system: str | None,
                         emulators: dict[str, tuple[str, str]], labels: dict[str, str], *,
                         retroarch: bool) -> list[str]:
    """Give each pack platform no rule named an emulator for, on an OS whose installed
    emulators the pack lists (none of which runs it), the emulator the pack says runs on
    ``system`` (:func:`_available_runner`): the OS may lack it (said as not installed),
    but it is no platform nothing runs there (Anbernic's stock Android: its 3DS games were
    "no emulator the pack knows runs 3ds", the pack listing Azahar and Lime3DS for Android).
    Those platforms, sorted."""
    if system is None:
        return []
    chosen: list[str] = []
    for platform_id in sorted(pack.platforms):
        if platform_id in emulators:
            continue
        runner = _available_runner(pack, platform_id, system, retroarch=retroarch)
        if runner is None:
            continue
        emulators[platform_id] = (runner, ORIGIN_AVAILABLE)
        labels[platform_id] = f"available on {system}"
        chosen.append(platform_id)
    return chosen


def _take_the_oss_own(pack: DefinitionPack, os_id: str, installed: frozenset[str] | None,
                      emulators: dict[str, tuple[str, str]], labels: dict[str, str]) -> None:
    """Give each platform no rule named an emulator for the OS's own: one it lists as
    installed that runs it, else the one built into it (see the two functions below)."""
    for platform, emulator in _installed_runners(pack, installed).items():
        if platform not in emulators:
            emulators[platform] = (emulator, ORIGIN_INSTALLED)
            labels[platform] = f"installed on {os_id}"
    for platform, emulator in _built_in_runners(pack, os_id, installed).items():
        if platform not in emulators:
            emulators[platform] = (emulator, ORIGIN_BUILT_IN)
            labels[platform] = f"built into {os_id}"


def runs_retroarch(pack: DefinitionPack, installed: Collection[str] | None) -> bool:
    """Whether an OS whose installed emulators are ``installed`` has RetroArch: it lists it,
    or a RetroArch core (ROCKNIX lists its cores, not RetroArch itself: QA152 F7 said its
    Genesis games, given the pack's generic ``retroarch``, "may not start there")."""
    for name in installed or ():
        entry = pack.emulators.get(name) or pack.emulators.get(emulator_key(name))
        if emulator_key(name) == RETROARCH or name.lower().endswith("_libretro") \
                or (entry is not None and entry.type == "libretro-core"):
            return True
    return False


def retroarch_runs_everywhere(pack: DefinitionPack, platform: Platform | None) -> bool:
    """Whether every RetroArch build carries a core for ``platform`` (see
    :data:`RETROARCH_EVERYWHERE_GENERATION`, and a core of its own the pack lists:
    :func:`has_a_core_of_its_own`): an OS that runs RetroArch runs its games with it,
    whether or not the pack lists that core as installed there."""
    if platform is None or platform.generation is None or platform.generation < 1:
        return False
    limit = RETROARCH_EVERYWHERE_HANDHELD_GENERATION if platform.kind == "handheld" \
        else RETROARCH_EVERYWHERE_GENERATION
    return platform.generation <= limit and has_a_core_of_its_own(pack, platform.id)


def _retroarch_assumed(pack: DefinitionPack, system: str | None,
                       emulators: dict[str, tuple[str, str]]) -> bool:
    """Whether RetroArch is taken to be on an OS whose lists of installed emulators do not
    say so: an Android (``system``), where the pack's fallback already runs the older
    systems' games with RetroArch and says RetroArch runs there (QA161 F8: the GBA had no
    emulator on Android while the SNES had RetroArch)."""
    entry = pack.emulators.get(RETROARCH)
    return system is not None and (entry is None or entry.runs_on(system)) and any(
        emulator == RETROARCH and origin == ORIGIN_FALLBACK
        for emulator, origin in emulators.values())


def _retroarch_fallback(pack: DefinitionPack, os_id: str, installed: frozenset[str] | None,
                        emulators: dict[str, tuple[str, str]], labels: dict[str, str], *,
                        assumed: bool = False) -> list[str]:
    """Give ``retroarch`` to each platform :func:`retroarch_runs_everywhere` that no rule
    named an emulator for and a RetroArch core of the pack runs, where the OS runs RetroArch
    (:func:`runs_retroarch`, or ``assumed``: see _retroarch_assumed); those platforms,
    sorted. An OS whose frontend reads only its own folders (MinUI) named its own already,
    or runs none there."""
    if pack.folder_names.is_closed(pack.folder_names.family_of(os_id)) \
            or not (assumed or runs_retroarch(pack, installed)):
        return []
    cores = {platform for entry in pack.emulators.values() if entry.type == "libretro-core"
             for platform in entry.platforms}
    chosen = sorted(platform.id for platform in pack.platforms.values()
                    if retroarch_runs_everywhere(pack, platform)
                    and platform.id in cores and platform.id not in emulators)
    for platform_id in chosen:
        emulators[platform_id] = (RETROARCH, ORIGIN_RETROARCH_FALLBACK)
        labels[platform_id] = f"{RETROARCH_FALLBACK_LABEL}: {os_id} runs RetroArch"
    return chosen


def _installed_runners(pack: DefinitionPack, installed: frozenset[str] | None
                       ) -> dict[str, str]:
    """Per platform, the emulator the OS profile lists as installed that runs the platform
    (see below which of several): where no default and no fallback names an
    emulator, that one does (QA61 F6: FunKey OS's mednafen runs WonderSwan, EmuDeck's
    mGBA the GBA — both were said to have none, and the auto-list left their games out)."""
    # (of several, the one whose own platform it is — listed first, else nearer the start
    # of its list — then the one of fewest platforms: EmuDeck's MAME for arcade, not the
    # flycast that also runs Naomi boards, QA64 F13)
    ranked: dict[str, tuple[tuple[int, int], str]] = {}
    for emulator in pack.emulators.values():
        if installed is not None and _listed(installed, emulator.id):
            for index, platform in enumerate(emulator.platforms):
                rank = (index, len(emulator.platforms))
                if platform not in ranked or rank < ranked[platform][0]:
                    ranked[platform] = (rank, emulator.id)
    return {platform: emulator for platform, (_, emulator) in ranked.items()}


def _built_in_runners(pack: DefinitionPack, os_id: str, installed: frozenset[str] | None
                      ) -> dict[str, str]:
    """Per platform, the OS's own emulator, where its frontend reads only the folders it
    names (``closedFamilies``: MinUI's paks, the Pocket's cores) and names one for the
    platform: the OS runs those systems with emulators the pack does not enumerate (QA61 F3:
    MinUI's GBA games "will not start there", left out of its auto-list). The emulator is
    the installed list's wrapper the pack knows no platforms of (``minui-native``), else the
    OS's id."""
    names = pack.folder_names
    family = names.family_of(os_id)
    if not names.is_closed(family):
        return {}
    wrapper = next((name for name in sorted(installed or ())
                    if name in pack.emulators and not pack.emulators[name].platforms), os_id)
    named = {platform: names.folder_for(platform, family) for platform in names.names}
    return {platform: wrapper for platform, (folder, explicit) in named.items()
            if folder is not None and explicit}


def _listed(installed: frozenset[str], emulator_id: str) -> bool:
    """Whether ``installed`` names ``emulator_id`` (a core bare or as RetroArch's)."""
    bare = emulator_id.removeprefix("retroarch-").removesuffix("_libretro")
    return emulator_id in installed or bare in installed


def _installed(profile: dict[str, Any],
               *keys: str) -> frozenset[str] | None:
    """The emulators a profile's ``installed`` lists (``keys``: of those lists only)."""
    installed = _dict(profile, "installed")
    names = [name for key in keys or ("standaloneEmulators", "retroarchCores")
             for name in (installed.get(key) or []) if isinstance(name, str)]
    return frozenset(names) if names else None


def _layout_paths(profile: dict[str, Any]) -> dict[str, str | None]:
    paths = _dict(profile, "layout", "paths")
    return {key: (value if isinstance(value, str) and not asks_the_user(value) else None)
            for key, value in paths.items()}


def _dict(value: Any, *path: str) -> dict[str, Any]:
    for key in path:
        value = value.get(key) if isinstance(value, dict) else None
    return value if isinstance(value, dict) else {}


def _text_map(value: dict[str, Any]) -> dict[str, str]:
    return {str(k): v for k, v in value.items() if isinstance(v, str) and v}
