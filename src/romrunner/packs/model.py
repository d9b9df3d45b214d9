"""Typed views of definition-pack entries."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Platform:
    """A platform: how its files are recognised and where its BIOS goes."""

    id: str
    name: str
    extensions: tuple[str, ...]
    folder_names: tuple[str, ...]
    generation: int | None = None
    requires_bios: bool = False
    supports_multi_disc: bool = False
    bios_subdirectory: str | None = None
    preferred_format: str | None = None


@dataclass(frozen=True)
class KnownHash:
    """One known dump of a BIOS file (lowercase hex; any may be missing)."""

    md5: str | None
    sha1: str | None
    crc32: str | None
    preferred: bool


@dataclass(frozen=True)
class BiosEntry:
    """A BIOS or firmware file the pack knows."""

    id: str
    name: str
    filename: str
    platform_id: str
    required: bool
    hle_fallback: bool
    known_hashes: tuple[KnownHash, ...]
    alternate_filenames: tuple[str, ...] = ()
    bios_subdirectory: str | None = None
    alternate_subdirectories: tuple[str, ...] = ()
    required_for_emulators: tuple[str, ...] = ()
    optional_for_emulators: tuple[str, ...] = ()
    file_size: int | None = None

    @property
    def presence_only(self) -> bool:
        """True when the pack gives no hash: the file is matched by name only."""
        return not self.known_hashes

    @property
    def has_preferred_hash(self) -> bool:
        """True when one known hash is marked preferred."""
        return any(known.preferred for known in self.known_hashes)


@dataclass(frozen=True)
class Emulator:
    """An emulator or libretro core."""

    id: str
    name: str
    platforms: tuple[str, ...]
    supported_bios: tuple[str, ...] = ()
    available_on_os: tuple[str, ...] = ()
    type: str | None = None
    formats: tuple[str, ...] = ()  # file extensions it reads, lowercase, no dot ('zip')


@dataclass(frozen=True)
class Device:
    """A handheld or other target device from the catalog."""

    id: str
    name: str
    manufacturer: str | None = None
    chip: str | None = None
    inherits_scores_from: str | None = None


@dataclass(frozen=True)
class OperatingSystem:
    """A device OS/CFW and its device-side paths (``None`` where the user must choose)."""

    id: str
    name: str
    paths: dict[str, str | None] = field(default_factory=dict)
    filesystems: tuple[str, ...] = ()


DEFAULT_FAMILY = "es"


@dataclass(frozen=True)
class FolderNames:
    """Per-platform ROM folder names by OS family, and each platform's DAT/system names.

    ``names[platform][family]`` is a folder name, or None when that family has no folder for
    the platform; ``names[platform]["default"]`` is used for a family the entry does not list.
    """

    families: dict[str, str] = field(default_factory=dict)
    os_families: dict[str, str] = field(default_factory=dict)
    names: dict[str, dict[str, str | None]] = field(default_factory=dict)
    system_names: dict[str, tuple[str, ...]] = field(default_factory=dict)
    source: str = ""

    def family_of(self, os_id: str) -> str:
        """The folder-name family of an OS (EmulationStation names when the OS is not listed)."""
        return self.os_families.get(os_id, DEFAULT_FAMILY)

    def folder_for(self, platform_id: str, family: str) -> tuple[str | None, bool]:
        """(folder name or None, True when the family lists the platform itself).

        ``(None, True)``: the family has no folder for it; ``(None, False)``: no name known.
        """
        entry = self.names.get(platform_id)
        if entry is None:
            return None, False
        if family in entry:
            return entry[family], True
        return entry.get("default"), False

    def every_name(self, platform_id: str) -> tuple[str, ...]:
        """Every folder and system name that means ``platform_id`` (for folder detection)."""
        entry = self.names.get(platform_id, {})
        found = [name for name in entry.values() if name]
        return tuple(dict.fromkeys([*found, *self.system_names.get(platform_id, ())]))


@dataclass(frozen=True)
class PackWarning:
    """Something the lenient loader skipped or repaired."""

    file: str
    entry: str
    reason: str

    def __str__(self) -> str:
        where = f"{self.file}: {self.entry}" if self.entry else self.file
        return f"{where}: {self.reason}"


RawJson = dict[str, Any]
