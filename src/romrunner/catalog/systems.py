"""DAT system names (No-Intro, Redump, libretro) mapped to pack platform ids."""

from __future__ import annotations

from collections.abc import Collection

SYSTEM_PLATFORMS: dict[str, str] = {
    "nintendo - game boy": "gb",
    "nintendo - game boy color": "gbc",
    "nintendo - game boy advance": "gba",
    "nintendo - nintendo entertainment system": "nes",
    "nintendo - family computer disk system": "famicom-disk-system",
    "nintendo - super nintendo entertainment system": "snes",
    "nintendo - nintendo 64": "n64",
    "nintendo - nintendo ds": "nds",
    "nintendo - virtual boy": "virtualboy",
    "sega - mega drive - genesis": "genesis",
    "sega - master system - mark iii": "sms",
    "sega - game gear": "gamegear",
    "sega - 32x": "sega-32x",
    "sega - mega-cd - sega cd": "sega-cd",
    "sega - saturn": "saturn",
    "sega - dreamcast": "dreamcast",
    "sega - sg-1000": "sg-1000",
    "sony - playstation": "psx",
    "sony - playstation 2": "ps2",
    "sony - playstation portable": "psp",
    "atari - lynx": "atari-lynx",
    "atari - 2600": "atari-2600",
    "atari - 5200": "atari-5200",
    "atari - 7800": "atari-7800",
    "atari - jaguar": "atari-jaguar",
    "nec - pc engine - turbografx 16": "tg16",
    "nec - pc engine cd - turbografx-cd": "tgcd",
    "snk - neo geo pocket": "neogeo-pocket",
    "snk - neo geo pocket color": "neogeo-pocket-color",
    "bandai - wonderswan": "wonderswan",
    "bandai - wonderswan color": "wonderswan-color",
    "coleco - colecovision": "colecovision",
    "mattel - intellivision": "intellivision",
    "gce - vectrex": "vectrex",
    "mame": "arcade",
    # libretro System.dat section names (BIOS and firmware)
    "3do company, the - 3do": "3do",
    "amstrad - cpc": "amstradcpc",
    "arcade": "arcade",
    "atari - st": "atari-st",
    "commodore - amiga": "amiga",
    "dos": "dos",
    "fairchild channel f": "channelf",
    "magnavox - odyssey2": "odyssey2",
    "microsoft - msx": "msx",
    "nec - pc engine - turbografx 16 - supergrafx": "tg16",
    "nec - pc-98": "pc-98",
    "nec - pc-fx": "pcfx",
    "nintendo - famicom disk system": "famicom-disk-system",
    "nintendo - gameboy": "gb",
    "nintendo - gameboy color": "gbc",
    "nintendo - gamecube": "gamecube",
    "nintendo - pokemon mini": "pokemini",
    "philips - cd-i": "cdi",
    "sega - mega cd - sega cd": "sega-cd",
    "sharp - x1": "sharp-x1",
    "sharp - x68000": "x68000",
    "sinclair - zx spectrum": "zxspectrum",
    "snk - neogeo cd": "neogeo-cd",
    "scummvm": "scummvm",
    # FBNeo's sets are FBNeo's romset (not MAME 0.78's, which most handhelds' "arcade"
    # folder runs): its own platform where the pack has one (QA56 F10), libretro's name and
    # FBNeo's own
    "fbneo - arcade games": "fbneo",
    "finalburn neo - arcade games": "fbneo",
}

# How a DAT's system name may qualify the platform's dumps (No-Intro's N64 and DS DATs).
FIXDAT_SUFFIX = " (fixdat)"
"""How the name of a DAT `dat fixdat` writes ends."""
_DUMP_QUALIFIERS = frozenset({"bigendian", "byteswapped", "decrypted", "encrypted",
                              "headered", "headerless"})

# A platform a pack may lack, and the one its DATs go to then.
_FALLBACK = {"fbneo": "arcade"}


def platform_for_system(name: str, known: Collection[str] | None = None) -> str | None:
    """The pack platform of a DAT system name, or None when unknown. ``known``: the pack's
    platforms (one it lacks falls back to the platform that stands for it)."""
    # (a fixdat `dat fixdat` wrote is of its DAT's platform: qa192 F13, "maps to no platform")
    text = name.strip().lower().removesuffix(FIXDAT_SUFFIX).rstrip()
    platform = SYSTEM_PLATFORMS.get(text)
    while platform is None and text.endswith(")") and " (" in text \
            and text.rpartition(" (")[2][:-1] in _DUMP_QUALIFIERS:
        # a qualifier of the system's dumps: "Nintendo - Nintendo 64 (BigEndian)", No-Intro's
        # own name for its N64 DAT (QA80 F2) — not another kind of content ("(UMD Video)",
        # "(e-Reader)": no game catalog of the platform, review 79)
        text = text.rpartition(" (")[0].rstrip()
        platform = SYSTEM_PLATFORMS.get(text)
    if platform is not None and known is not None and platform not in known:
        return _FALLBACK.get(platform, platform)
    return platform
