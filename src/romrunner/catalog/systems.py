"""DAT system names (No-Intro, Redump, libretro) mapped to pack platform ids."""

from __future__ import annotations

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
    "fbneo - arcade games": "arcade",
}


def platform_for_system(name: str) -> str | None:
    """The pack platform of a DAT system name, or None when unknown."""
    return SYSTEM_PLATFORMS.get(name.strip().lower())
