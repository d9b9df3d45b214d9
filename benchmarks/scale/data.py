"""Deterministic synthetic libraries: titles from the real DATs, a real collection's mix.

Every figure of the scale benchmark is computed on data made here from a seed. Titles and
tags come from the No-Intro/Redump/MAME DATs in ``../shared/dats`` (a built-in word list when
they are absent); the first games of each platform carry a real DAT entry's hashes, so the
engine's identification has real work to do, the rest get random hashes.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from romrunner.catalog.datfile import read_dat
from romrunner.catalog.systems import SYSTEM_PLATFORMS

SHARED_DATS = Path(__file__).resolve().parents[2].parent / "shared" / "dats"

# Share of a typical collection per platform (percent), with its folder and extension.
PLATFORM_MIX: dict[str, tuple[int, str, str]] = {
    "nes": (15, "nes", ".nes"), "snes": (12, "snes", ".sfc"), "gb": (6, "gb", ".gb"),
    "gbc": (6, "gbc", ".gbc"), "gba": (11, "gba", ".gba"), "genesis": (11, "genesis", ".md"),
    "atari-lynx": (2, "lynx", ".lnx"), "psx": (7, "psx", ".chd"), "n64": (5, "n64", ".z64"),
    "arcade": (17, "arcade", ".zip"), "sms": (4, "sms", ".sms"), "tg16": (4, "tg16", ".pce"),
}
ARCHIVE_SHARE = 0.10
_WORDS = ("super", "mega", "ultra", "legend", "quest", "world", "star", "fighter", "racing",
          "dragon", "castle", "ninja", "soccer", "tennis", "golf", "puzzle", "kart", "hero")
_REGIONS = ("USA", "Europe", "Japan", "World", "USA, Europe", "France", "Germany")


@dataclass(frozen=True)
class CatalogEntry:
    """A real DAT game: its name and its (first) ROM's hashes."""

    platform: str
    name: str
    size: int
    crc32: str
    md5: str | None
    sha1: str | None


@dataclass
class SyntheticGame:
    """One file of a generated library."""

    platform: str
    relpath: str
    filename: str
    title: str
    size: int
    mtime_ns: int
    crc32: str
    md5: str
    sha1: str
    members: list[tuple[str, int, str, str, str]] = field(default_factory=list)


def dat_files() -> list[Path]:
    """The real DATs beside the repo (empty when ../shared is absent)."""
    if not SHARED_DATS.is_dir():
        return []
    return sorted(p for p in SHARED_DATS.rglob("*.dat") if p.parent.name != "system")


def load_catalog_pool(limit_per_platform: int) -> dict[str, list[CatalogEntry]]:
    """Real DAT entries per platform of the mix, at most ``limit_per_platform`` each."""
    pool: dict[str, list[CatalogEntry]] = {}
    for path in dat_files():
        result = read_dat(path)
        platform = SYSTEM_PLATFORMS.get(result.header.name.lower())
        if platform not in PLATFORM_MIX:
            continue
        entries = pool.setdefault(platform, [])
        for game in result.games:
            if len(entries) >= limit_per_platform:
                break
            rom = next((r for r in game.roms if r.crc32 and r.size), None)
            if rom is not None and rom.size is not None and rom.crc32 is not None:
                entries.append(CatalogEntry(platform, game.name, rom.size, rom.crc32.lower(),
                                            rom.md5, rom.sha1))
    return pool


class Generator:
    """Makes ``count`` games from ``seed``: same seed, same library, byte for byte."""

    def __init__(self, count: int, seed: int, pool: dict[str, list[CatalogEntry]]) -> None:
        self.count = count
        self.rng = random.Random(seed)
        self.pool = pool
        self.names = [entry.name for entries in pool.values() for entry in entries] or []
        platforms = list(PLATFORM_MIX)
        self.platform_draws = self.rng.choices(
            platforms, weights=[PLATFORM_MIX[p][0] for p in platforms], k=count)

    def _hex(self, bits: int) -> str:
        return f"{self.rng.getrandbits(bits):0{bits // 4}x}"

    def _title(self) -> str:
        if self.names:
            return self.rng.choice(self.names)
        words = " ".join(self.rng.choice(_WORDS).title() for _ in range(self.rng.randint(1, 4)))
        return f"{words} ({self.rng.choice(_REGIONS)})"

    def games(self) -> Iterator[SyntheticGame]:
        """The library, in a walk's order."""
        used: dict[str, int] = {}
        for number, platform in enumerate(self.platform_draws):
            folder, extension = PLATFORM_MIX[platform][1:]
            entries = self.pool.get(platform, [])
            position = used.get(platform, 0)
            if position < len(entries) and self.rng.random() < 0.6:
                used[platform] = position + 1
                entry = entries[position]
                title, size, crc = entry.name, entry.size, entry.crc32
                md5, sha1 = entry.md5 or self._hex(128), entry.sha1 or self._hex(160)
            else:
                title, size = self._title(), self.rng.randint(8_192, 8_388_608)
                crc, md5, sha1 = self._hex(32), self._hex(128), self._hex(160)
                if self.rng.random() < 0.3:
                    title = f"{title} (Rev {self.rng.randint(1, 3)})"
            filename = f"{title} [{number}]{extension}"
            game = SyntheticGame(platform, f"{folder}/{filename}", filename, title, size,
                                 1_700_000_000_000_000_000 + number * 1_000_000_000,
                                 crc, md5, sha1)
            if extension != ".zip" and self.rng.random() < ARCHIVE_SHARE:
                game.filename = f"{title} [{number}].zip"
                game.relpath = f"{folder}/{game.filename}"
                game.members = [(f"{title}{extension}", size, crc, md5, sha1)]
                game.crc32, game.md5, game.sha1 = self._hex(32), self._hex(128), self._hex(160)
            yield game
