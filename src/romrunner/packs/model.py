"""Typed views of definition-pack entries."""

from __future__ import annotations

import difflib
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any


def asks_the_user(path: object) -> bool:
    """Whether a pack's path is a placeholder for the user's choice (``__USER_SELECT__``, or
    ``<user-selected>`` as some profiles write it), not a folder: QA61 F1, a card got a real
    ``<user-selected>/`` folder no frontend reads."""
    return isinstance(path, str) and (
        path == "__USER_SELECT__" or (path.startswith("<") and path.endswith(">")))


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
    kind: str | None = None  # the pack's "type": arcade, console, handheld, computer


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
    # the libretro cores of the two lists above that a core's ``.info`` file alone names:
    # those hold for that core only, never for a standalone emulator of the same name
    core_info_emulators: tuple[str, ...] = ()

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
    core_name: str | None = None  # a libretro core's file name ('pcsx2_libretro')
    demand: str | None = None  # `performance.demandTier`: low, medium, high, very-high
    status: str | None = None  # active, archived, … (lowercase)

    def runs_on(self, system: str) -> bool:
        """Whether the pack says it runs on ``system`` (android, linux…); True where its
        ``availableOnOS`` says nothing."""
        return not self.available_on_os or system.lower() in {
            name.lower() for name in self.available_on_os}


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
    # ``filesystem.supported``: the card file systems it reads, as filesystem_key spells
    # them (empty: the pack does not say); ``filesystem.recommended``
    filesystems: tuple[str, ...] = ()
    recommended_filesystem: str | None = None
    portmaster: bool | None = None  # ``supportsPortMaster`` (None: the pack does not say)
    frontend: str | None = None  # ``defaultFrontend`` (daijisho, retroarch, …)
    base_os: str | None = None  # ``baseOS`` (``android`` for GammaOS, …)
    kind: str | None = None  # ``type`` (android, cfw, stock, …)
    aliases: tuple[str, ...] = ()  # ``aliases``: other names it goes by (``Raspbian``)

    @property
    def on_android(self) -> bool:
        """True for Android and the OSes built on it: their emulators read BIOS files from
        the folder set in each, on the device's internal storage unless told otherwise."""
        return "android" in (self.id, self.base_os, self.kind)


# Other spellings of the file systems the pack names (fat32 exfat ntfs ext4 apfs hfs+ btrfs
# f2fs), the system's own among them (``vfat``, ``hfsplus``, ``ntfs3``); ext2 and ext3 are
# read by what reads ext4.
_FILESYSTEM_SPELLINGS = {
    "vfat": "fat32", "fat": "fat32", "msdos": "fat32", "fat16": "fat32", "fat12": "fat32",
    "ntfs3": "ntfs", "ntfs3g": "ntfs", "hfsplus": "hfs+", "ext2": "ext4",
    "ext3": "ext4", "ext4dev": "ext4"}


def filesystem_key(name: str) -> str:
    """A file system's name as the pack writes them: lowercase, ``vfat`` and ``FAT32`` as
    ``fat32``, ``hfsplus`` as ``hfs+`` (another name: lowercase, as given)."""
    key = "".join(name.split()).lower().replace("_", "").replace("-", "")
    return _FILESYSTEM_SPELLINGS.get(key, key)


# PortMaster's ports (their scripts): a platform only an OS with PortMaster runs.
PORTS_PLATFORM = "ports"


DEFAULT_FAMILY = "es"
# Where a multi-disc set's discs go beside the .m3u (see folder-names.json): in the platform
# folder; in ".<title>/"; in "<title>/" with the .m3u; in "<title>.m3u/" with the .m3u.
MULTI_DISC_LAYOUTS = ("flat", "hidden", "folder", "m3u-folder")


@dataclass(frozen=True)
class FolderNames:
    """Per-platform ROM folder names by OS family, and each platform's DAT/system names.

    ``names[platform][family]`` is a folder name, or None when that family has no folder for
    the platform. A family the entry does not list takes its base family's name
    (``family_bases``: CrossMix and Spruce start from Onion's names), then
    ``names[platform]["default"]``.
    """

    families: dict[str, str] = field(default_factory=dict)
    os_families: dict[str, str] = field(default_factory=dict)
    names: dict[str, dict[str, str | None]] = field(default_factory=dict)
    system_names: dict[str, tuple[str, ...]] = field(default_factory=dict)
    source: str = ""
    family_bases: dict[str, str] = field(default_factory=dict)
    # Family -> where a multi-disc set's discs go beside its .m3u (MULTI_DISC_LAYOUTS; a
    # family not listed takes its base's, else "flat").
    multi_disc_layouts: dict[str, str] = field(default_factory=dict)
    # Family -> the subfolder of the BIOS folder each platform's BIOS goes to, as a template
    # of BIOS_FOLDER_FIELDS (MinUI: ``{romFolderTag}``, ``Bios/PS/`` for ``Roms/… (PS)``).
    bios_folders: dict[str, str] = field(default_factory=dict)
    # Family -> the subfolder of each platform's folder its games go to (Analogue Pocket:
    # ``common``, ``Assets/gb/common``).
    rom_subfolders: dict[str, str] = field(default_factory=dict)
    # Families whose frontend reads only the folders it names (a MinUI pak's tag, an
    # openFPGA core's folder): a platform they name none for has no folder there, not the
    # EmulationStation name.
    closed_families: frozenset[str] = frozenset()
    # Families whose names beyond the ones they list themselves are their base's, taken
    # unchecked (Recalbox's from Batocera's): not its own (see :meth:`names_its_own`).
    borrowing_families: frozenset[str] = frozenset()
    # Families whose frontend reads a platform's games from whatever folder the user gave
    # it (muOS assigns a core to a folder): a folder of another of the platform's names on
    # the card is where its games go. Every other frontend reads the names it spells only.
    any_folder_families: frozenset[str] = frozenset()
    # Frontends that read a platform's games from whatever folder the user maps to it
    # (Daijisho's platform paths, RetroArch's scans by content, OpenEmu's import): an OS
    # whose default frontend is one takes a card's folder of another of the platform's names
    # too, whatever its family's names.
    any_folder_frontends: frozenset[str] = frozenset()
    # OS -> platform -> the subfolder of the OS's BIOS folder every BIOS of the platform goes
    # to, in place of the pack entry's own (``""``: the BIOS folder itself): where that OS
    # points the emulator it runs the platform with (Batocera's PCSX2 reads ``bios/ps2``,
    # EmuDeck's ``Emulation/bios``; the pack says LRPS2's ``pcsx2/bios``, which RetroBat's
    # reads: by OS, not family, review 149 F1).
    bios_subdirectories: dict[str, dict[str, str]] = field(default_factory=dict)
    # Platform -> frontend -> the folder names it gives the platform that a scan reads and a
    # deploy never writes: frontends no OS family stands for (MiSTer, TWiLight Menu++, RomM),
    # and a family's further systems (ES-DE's ``megadrivejp``). See :meth:`folder_claims`.
    frontend_names: dict[str, dict[str, tuple[str, ...]]] = field(default_factory=dict)

    def family_of(self, os_id: str) -> str:
        """The folder-name family of an OS (EmulationStation names when the OS is not listed)."""
        return self.os_families.get(os_id, DEFAULT_FAMILY)

    def names_its_own(self, os_id: str) -> bool:
        """Whether ``os_id`` is the OS its folder-name family is named after (``onionos`` of
        ``onion``, ``rocknix``, ``batocera``): the family's names are its own folders; the
        other members (GarlicOS of Onion's) borrow them, so a folder among them is no proof
        that member shows it; nor are the names of a family of ``borrowing_families`` (Recalbox's,
        which names its Amiga folders and borrows Batocera's for the rest) the OS's own."""
        family = self.family_of(os_id)
        return (os_id == family or os_id.startswith(family)) \
            and family not in self.borrowing_families

    def folder_for(self, platform_id: str, family: str) -> tuple[str | None, bool]:
        """(folder name or None, True when the family or one of its bases lists the platform).

        ``(None, True)``: the family has no folder for it; ``(None, False)``: no name known.
        """
        entry = self.names.get(platform_id)
        if entry is None:
            return None, False
        for key in self._lineage(family):
            if key in entry:
                return entry[key], True
        return entry.get("default"), False

    def target_name(self, platform_id: str, family: str) -> str | None:
        """The folder name ``family`` gives ``platform_id`` on a card (its own, else the
        EmulationStation name, else the platform's id); None where it has no folder for it
        (said so, or not named by a family that reads only the folders it names)."""
        name, explicit = self.folder_for(platform_id, family)
        if explicit:
            return name
        return None if self.is_closed(family) else name or platform_id

    def further_name_of(self, platform_id: str, family: str, folder: str) -> bool:
        """Whether ``folder`` (any case) is one of the further names ``family``'s frontend
        (or its base's) gives ``platform_id`` beside the one a deploy writes
        (``frontendNames``: Batocera's ``amiga1200``, ``megacd``, ``videopacplus``): a folder
        of the platform the OS reads, though the deploy writes to another. A family of
        ``borrowing_families`` has only the further names listed under itself: its base's
        are its base frontend's (review50b F5: Recalbox was said to list Batocera's
        ``megacd`` and ``videopacplus``; its systems are ``segacd`` and ``o2em``)."""
        folded = folder.casefold()
        named = self.frontend_names.get(platform_id, {})
        lineage = [family] if family in self.borrowing_families else self._lineage(family)
        return any(folded == name.casefold()
                   for key in lineage for name in named.get(key, ()))

    def named_by(self, platform_id: str, family: str) -> str | None:
        """The family of ``family``'s lineage whose name for ``platform_id`` it uses (itself
        or a base), or None where none names the platform."""
        entry = self.names.get(platform_id) or {}
        return next((key for key in self._lineage(family) if key in entry), None)

    def is_closed(self, family: str) -> bool:
        """Whether ``family`` (or its base) reads only the platform folders it names."""
        return any(key in self.closed_families for key in self._lineage(family))

    def entry_bios_folder(self, os_id: str, platform_id: str) -> str | None:
        """The subfolder ``os_id`` puts every BIOS of ``platform_id`` in, in place of the
        pack entry's own; None when it has no rule for the platform."""
        return self.bios_subdirectories.get(os_id, {}).get(platform_id)

    def reads_any_folder(self, family: str) -> bool:
        """Whether ``family`` (or its base) reads a platform's games from a folder of any of
        the platform's names, not only the one it spells."""
        return any(key in self.any_folder_families for key in self._lineage(family))

    def multi_disc_layout(self, family: str) -> str:
        """Where ``family`` wants a multi-disc set's discs (one of MULTI_DISC_LAYOUTS)."""
        for key in self._lineage(family):
            if key in self.multi_disc_layouts:
                return self.multi_disc_layouts[key]
        return "flat"

    def rom_subfolder(self, family: str) -> str | None:
        """The subfolder of a platform's folder the family's games go to (or its base's)."""
        return next((self.rom_subfolders[key] for key in self._lineage(family)
                     if key in self.rom_subfolders), None)

    def bios_subfolder(self, family: str, rom_folder: str | None) -> str | None:
        """The subfolder of the BIOS folder for a platform whose ROM folder is named
        ``rom_folder``, by the family's rule (or its base's); None: the BIOS folder itself.

        ``{romFolder}`` is the ROM folder's name; ``{romFolderTag}`` the text in its last
        parentheses, or the whole name when it has none (how MinUI names a system's
        emulator and BIOS folder: ``Sony PlayStation (PS)`` → ``PS``)."""
        template = next((self.bios_folders[key] for key in self._lineage(family)
                         if key in self.bios_folders), None)
        if template is None or not rom_folder:
            return None
        tag = rom_folder
        opening = rom_folder.rfind("(")
        if opening >= 0 and ")" in rom_folder[opening:]:
            tag = rom_folder[opening + 1:rom_folder.index(")", opening)].strip() or rom_folder
        return template.replace("{romFolderTag}", tag).replace("{romFolder}", rom_folder)

    def folder_claims(self) -> dict[str, tuple[str, ...]]:
        """Folder name (lowercase) -> the platforms a library folder of that name holds, by
        every family's names, the frontends' names and the DAT names (for folder detection).

        Each family, each other frontend and the DAT names are a source of names. A name the
        sources that give it to one platform give to the same one is that platform's, unless
        a source gives it to a set of platforms without it. A name they give to different
        platforms is none's, ``()`` (RomM's ``ngc`` is the GameCube, CrossMix's ``NGC`` the
        Neo Geo Pocket Color). A name given only to sets (Miyoo CFW's ``SMD`` holds Genesis
        and Sega CD games) is theirs: the file's extension decides among them."""
        return self._claims

    @cached_property
    def _claims(self) -> dict[str, tuple[str, ...]]:
        order = {platform_id: i for i, platform_id in enumerate(self.names)}
        uses: dict[str, list[set[str]]] = {}
        for source in self._name_sources():
            for name, platforms in source.items():
                uses.setdefault(name, []).append(platforms)
        claims: dict[str, tuple[str, ...]] = {}
        for name, sets in uses.items():
            singles = {platform for found in sets if len(found) == 1 for platform in found}
            if len(singles) > 1 or (singles and not all(singles <= found for found in sets)):
                claims[name] = ()
            else:
                claimed = singles or set().union(*sets)
                claims[name] = tuple(sorted(claimed, key=lambda p: order.get(p, len(order))))
        return claims

    def _name_sources(self) -> list[dict[str, set[str]]]:
        """Per family, per other frontend, and for the DAT names: name (lowercase) -> the
        platforms that source gives it."""
        sources: dict[str, dict[str, set[str]]] = {
            family: {name: set(found) for name, found in named.items()}
            for family, named in self._by_name.items()}
        for platform_id, frontends in self.frontend_names.items():
            for frontend, names in frontends.items():
                source = sources.setdefault(frontend, {})
                for name in names:
                    source.setdefault(name.lower(), set()).add(platform_id)
        systems: dict[str, set[str]] = {}
        for platform_id, names in self.system_names.items():
            for name in names:
                systems.setdefault(name.lower(), set()).add(platform_id)
        return [*sources.values(), systems]

    def _lineage(self, family: str) -> list[str]:
        """``family``, its base, its base's base… (a cycle ends the chain)."""
        chain: list[str] = []
        while family and family not in chain and family != "default":
            chain.append(family)
            family = self.family_bases.get(family, "")
        return chain

    def _every_family(self) -> list[str]:
        keys = {key for entry in self.names.values() for key in entry}
        return sorted(keys | set(self.family_bases) | set(self.os_families.values())
                      | {"default"})

    def platforms_named(self, family: str, folder_name: str) -> tuple[str, ...]:
        """The platforms ``family`` gives the folder ``folder_name`` (any case): two or more
        for a folder it shares (Onion's ``NGP`` holds Neo Geo Pocket and Pocket Color)."""
        return self._by_name.get(family, {}).get(folder_name.lower(), ())

    @cached_property
    def _by_name(self) -> dict[str, dict[str, tuple[str, ...]]]:
        """Per family: folder name (lowercase) -> the platforms it gives it to."""
        by_name: dict[str, dict[str, tuple[str, ...]]] = {}
        for family in self._every_family():
            named: dict[str, list[str]] = {}
            for platform_id in self.names:
                name = self.folder_for(platform_id, family)[0]
                if name:
                    named.setdefault(name.lower(), []).append(platform_id)
            by_name[family] = {name: tuple(found) for name, found in named.items()}
        return by_name


BIOS_FOLDER_FIELDS = ("{romFolder}", "{romFolderTag}")


@dataclass(frozen=True)
class PackWarning:
    """Something the lenient loader skipped or repaired."""

    file: str
    entry: str
    reason: str
    # True for an optional file present but unreadable or malformed: every command says so
    # (QA114 F3: counted among the repaired entries, once, the broken file's features were
    # blamed on the OS or the emulators)
    broken_file: bool = False

    def __str__(self) -> str:
        where = f"{self.file}: {self.entry}" if self.entry else self.file
        return f"{where}: {self.reason}"


RawJson = dict[str, Any]


def platform_named(platforms: Mapping[str, Platform], word: str) -> Platform | None:
    """The platform ``word`` names though it is not an id: one of its folder names or its
    name (``megadrive``, ``md``, ``Mega Drive`` for ``genesis``), else the id it is a slip of
    (QA85 F4: ``platform:megadrive`` was refused without a word of ``genesis``)."""
    wanted = _squashed(word)
    for platform in platforms.values():
        if wanted in {_squashed(name) for name in (platform.name, *platform.folder_names)}:
            return platform
    close = difflib.get_close_matches(word.lower(), list(platforms), n=1, cutoff=0.75)
    return platforms[close[0]] if close else None


def platform_hint(word: str, platforms: Mapping[str, Platform] | None) -> str:
    """The id ``word`` may mean, or where the ids are listed."""
    meant = platform_named(platforms, word) if platforms else None
    return f"did you mean {meant.id}: {meant.name}?" if meant is not None else \
        "`romrunner platforms --all` lists the pack's platform ids"


def _squashed(name: str) -> str:
    return "".join(ch for ch in name.casefold() if ch.isalnum())
