"""The device catalog: search, the three device-id namespaces, chip text → chipset class.

The pack names one device three ways: ``devices.json`` (``rg-35xx-plus``, the canonical id),
``osEmulatorProfiles.json`` device overrides (``anbernic-rg35xx-plus``) and the requirements
docs (``rg35xx-plus``). :data:`DEVICE_ALIASES` is the one explicit bridge: alias → catalog id.
Override keys with no catalog device map to ``None`` (kept so they are known, not guessed).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from romrunner.errors import NotFoundError
from romrunner.packs.loader import DefinitionPack
from romrunner.packs.model import Device
from romrunner.textnorm import closest_id, named_by

DEVICE_ALIASES: dict[str, str | None] = {
    # osEmulatorProfiles.json deviceOsProfiles.byDeviceId keys -> devices.json deviceId
    "anbernic-rg-cubexx": "rg-cube-xx",
    "anbernic-rg28xx": "rg-28xx",
    "anbernic-rg34xx": "rg-34xx",
    "anbernic-rg34xxsp": "rg-34xxsp",
    "anbernic-rg351m": "rg-351m",
    "anbernic-rg351p": "rg-351p",
    "anbernic-rg351v": "rg-351v",
    "anbernic-rg353m": "rg-353m",
    "anbernic-rg353p": "rg-353p",
    "anbernic-rg353v": "rg-353v",
    "anbernic-rg353vs": "rg-353vs",
    "anbernic-rg35xx": "rg-35xx",
    "anbernic-rg35xx-2024": "rg35xx2024",
    "anbernic-rg35xx-h": "rg-35xx-h",
    "anbernic-rg35xx-plus": "rg-35xx-plus",
    "anbernic-rg35xxsp": "rg-35xx-sp",
    "anbernic-rg40xx-h": "rg-40xxh",
    "anbernic-rg40xx-v": "rg-40xxv",
    "anbernic-rg503": "rg-503",
    "anbernic-rg552": "rg-552",
    "datafrog-sf2000": "data-frog-sf2000",
    "magicx-xu-mini-m": "xu-mini-m",
    "powkiddy-rgb10-max": "powkiddy-rgb10max",
    "powkiddy-v20": "v20",
    "powkiddy-v90s": "v90s",
    "retroid-pocket-flip-2": "retroid-pocket-flip2",
    "gameforce-chi": None,
    "retroid-pocket-2-plus": None,
    "trimui-brick": None,
    # the requirements docs' spelling
    "rg35xx-plus": "rg-35xx-plus",
    "rg35xx-h": "rg-35xx-h",
    "rg35xx-sp": "rg-35xx-sp",
}

# EmuReady/pack spellings of a SoC -> chipset class, beyond the pack's socToChipsetId.
_CHIP_RULES: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"\brk(\d{4}[a-z]?)\b"), "rk{0}"),
    (re.compile(r"allwinner\s+([a-z]\d+)\s+plus\b"), "{0}p"),
    (re.compile(r"allwinner\s+([a-z][a-z0-9]*\d[a-z0-9]*)\b"), "{0}"),
    (re.compile(r"snapdragon\s+(8\+?|g\dx?)\s+gen\s+(\d)"), "sd{0}gen{1}"),
    (re.compile(r"snapdragon\s+8\s+elite"), "sd8elite"),
    (re.compile(r"snapdragon\s+(\d{3}[a-z]?)\b"), "sd{0}"),
    (re.compile(r"\btiger\s+(t\d{3})\b|\bunisoc\s+(t\d{3})\b"), "{0}"),
    (re.compile(r"dimensity\s+(\d{3,4})"), "dimensity-{0}"),
    (re.compile(r"helio\s+([a-z]\d+[a-z]?)"), "helio-{0}"),
    (re.compile(r"ryzen\s+(?:ai\s+)?(?:\d\s+)?([a-z0-9]+(?:\s+extreme)?)"), "ryzen-{0}"),
    (re.compile(r"amlogic\s+([a-z]\d+[a-z]?)"), "{0}"),
    (re.compile(r"sigmastar\s+(ssd\d+[a-z]?)"), "{0}"),
    (re.compile(r"broadcom\s+(bcm\d+[a-z0-9]*)"), "{0}"),
    (re.compile(r"ingenic\s+([a-z]+\d+[a-z]?)"), "{0}"),
    (re.compile(r"tegra\s+x1\+?"), "tegra-x1"),
    # (QA161 F10: the Steam Deck's APU, by its code names: LCD "Aerith", OLED "Sephiroth", a
    # die shrink of it; performance sources call it "AMD Van Gogh (Steam Deck)")
    (re.compile(r"\b(?:aerith|sephiroth|van\s+gogh)\b"), "van-gogh"),
)


def canonical_device_id(pack: DefinitionPack, device_id: str) -> str:
    """The catalog id of ``device_id`` in any namespace; NotFoundError naming it when unknown."""
    if device_id in pack.devices:
        return device_id
    target = DEVICE_ALIASES.get(device_id)
    if target is not None and target in pack.devices:
        return target
    # (qa173 F9: `device add "Miyoo Mini Plus"`, the catalog's own name, was not found)
    spellings = {key: [device.name, f"{device.manufacturer or ''} {device.name}"]
                 for key, device in pack.devices.items()}
    named = named_by(device_id, spellings)
    if named is not None:
        return named
    close = closest_id(device_id, spellings)
    # (review51f F3: an OS typed, as `device catalog` says it; its very id or name before
    # a device's likeness, a device's likeness before a name without its "OS")
    called = os_called(pack, device_id, loosely=False)
    if called is None and close is None and not search_catalog(pack, device_id, 1)[1]:
        called = os_called(pack, device_id)  # ("retroid", a brand, is not Retroid OS)
    if called is not None:
        raise NotFoundError(f"device {device_id!r} is not in the device catalog: "
                            f"{called[1]} ({called[0]}) is an operating system, not a device "
                            "(`romrunner device catalog TEXT` finds your handheld by its "
                            "name; `romrunner profile create --device N --os "
                            f"{called[0]}` then says what it runs)")
    hint = "" if close is None else \
        f"; did you mean {close} ({pack.devices[close].name})?"
    raise NotFoundError(f"device {device_id!r} is not in the device catalog{hint} "
                        "(`romrunner device catalog TEXT` searches it)")


def profile_keys(device_id: str) -> list[str]:
    """Every key under which ``osEmulatorProfiles`` may hold overrides for a catalog device."""
    return [device_id, *(alias for alias, target in DEVICE_ALIASES.items()
                         if target == device_id)]


def score_chain(pack: DefinitionPack, device_id: str) -> list[str]:
    """``device_id`` then the devices it inherits scores from (``inheritsScoresFrom``)."""
    chain = [device_id]
    while True:
        device = pack.devices.get(chain[-1])
        parent = device.inherits_scores_from if device else None
        if not parent or parent in chain:
            return chain
        chain.append(parent)


def chipset_class(pack: DefinitionPack, chip: str | None) -> str | None:
    """The chipset class of a device's free-text ``chip`` (pack map first, then our rules)."""
    if not chip:
        return None
    text = " ".join(chip.splitlines()[0].split()).strip().strip('"')
    pack_map = _mapping(pack.compat_sources, "normalization", "emuready", "socToChipsetId")
    for key, value in pack_map.items():
        if isinstance(value, str) and not key.startswith("_") and key.lower() == text.lower():
            return value
    lowered = text.lower()
    for pattern, template in _CHIP_RULES:
        match = pattern.search(lowered)
        if match:
            groups = [g.replace(" ", "-") for g in match.groups() if g is not None]
            return template.format(*groups)
    return None


def device_chipset(pack: DefinitionPack, device_id: str) -> str | None:
    """The chipset class of a device, following ``inheritsScoresFrom`` when its chip is unknown."""
    for member in score_chain(pack, device_id):
        device = pack.devices.get(member)
        found = chipset_class(pack, device.chip if device else None)
        if found:
            return found
    return None


@dataclass(frozen=True)
class CatalogDevice:
    """A catalog device as ``device catalog`` shows it."""

    id: str
    name: str
    manufacturer: str | None
    chip: str | None
    chipset: str | None


def search_catalog(pack: DefinitionPack, text: str | None, limit: int = 50
                   ) -> tuple[list[CatalogDevice], int]:
    """Devices whose id, name, brand or chip contain every word of ``text``; (page, total).

    A word is matched literally (``%`` or ``_`` are characters, not wildcards), or with its
    punctuation and spaces dropped (``rg-35xx`` finds ``RG35XX``) when letters or digits
    are left; a word of punctuation only is never a match-all.
    """
    words = [(word, _compact(word)) for word in (text or "").lower().split()]
    found = []
    for device in pack.devices.values():
        haystack = _haystack(device)
        compact = _compact(haystack)
        if all(word in haystack or (packed and packed in compact) for word, packed in words):
            found.append(device)
    found.sort(key=lambda d: (d.name.lower(), d.id))
    page = [CatalogDevice(d.id, " ".join(d.name.split()), d.manufacturer, d.chip,
                          chipset_class(pack, d.chip)) for d in found[:limit]]
    return page, len(found)


def os_called(pack: DefinitionPack, text: str, *, loosely: bool = True
              ) -> tuple[str, str] | None:
    """The id and name of the OS a profile can use (the pack's OS catalog, then the OSes it
    has an emulator profile alone for, such as dArkOS) that ``text`` names, whatever its
    case, spaces and punctuation: by its id, its name or an alias the pack gives it; else,
    ``loosely``, by its id or one of those names without the "OS" it ends in ("onion" for
    OnionOS, "garlic" for GarlicOS: review51f F3). None when it names none."""
    said = _compact(text)
    if not said:
        return None
    known = _os_spellings(pack)
    for os_id, name, spellings in known:
        if said in spellings:
            return os_id, name
    if loosely:
        for os_id, name, spellings in known:
            if any(spelt.endswith("os") and spelt[:-2] == said for spelt in spellings):
                return os_id, name
    return None


def _os_spellings(pack: DefinitionPack) -> list[tuple[str, str, set[str]]]:
    """Each OS a profile can use: its id, its name, and its id, name and aliases compacted."""
    known = [(os_id, " ".join(system.name.split()) or os_id,
              {_compact(spelt) for spelt in (os_id, system.name, *system.aliases)})
             for os_id, system in pack.operating_systems.items()]
    profiles = pack.os_profiles.get("profilesByOsId")
    for os_id, profile in (profiles.items() if isinstance(profiles, dict) else ()):
        if os_id in pack.operating_systems:
            continue
        name = profile.get("name") if isinstance(profile, dict) else None
        name = " ".join(name.split()) if isinstance(name, str) and name.strip() else os_id
        known.append((os_id, name, {_compact(os_id), _compact(name)}))
    for _, _, spellings in known:
        spellings.discard("")
    return known


def _haystack(device: Device) -> str:
    return " ".join(part for part in (device.id, device.name, device.manufacturer or "",
                                      device.chip or "") if part).lower()


def _compact(text: str) -> str:
    return re.sub(r"[^0-9a-z]", "", text.lower())


def _mapping(value: object, *path: str) -> dict[str, object]:
    for key in path:
        value = value.get(key) if isinstance(value, dict) else None
    return value if isinstance(value, dict) else {}
