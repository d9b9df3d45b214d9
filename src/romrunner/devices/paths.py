"""Where each file goes on a mounted card, and why.

The pack's OS paths are device-side (``/storage/roms``, ``/mnt/SDCARD/Roms``, ``~/Emulation``).
:data:`OS_MOUNTS` says, per OS, which device-side folder the card (or its data partition) is
mounted on; that prefix becomes the card root. An OS missing from the table uses the generic
prefixes, longest first. A path outside the prefix is read from the card root.

Some OSes keep their games on a partition of their own, mounted as their ROM folder: ArkOS's
EASYROMS is ``/roms``; AmberELEC's GAMES and EmuELEC's EEROMS are ``/storage/roms``
(:data:`GAMES_PARTITIONS`). On a computer that partition is what the user sees, its root
holding ``gb/``, ``psx/``, ``bios/``: the ROM folder is the card root, and ``/roms/bios`` is
``bios/``. Such a card is taken as that partition unless it shows the OS's system view (a
``roms`` folder and a folder only the system file system has, such as ArkOS's ``opt/system``:
the device's own root, reached over the network), where the mount table applies as for
any OS. A blank card is the games partition too: it is the only partition of the stock
card a computer writes to (the others are ext4 or the boot files), and a second card
(ArkOS's ``/roms2``) is laid out the same way.

Precedence of each folder (first that applies; DECISIONS-devices D6):
1. ``user_override``: the destination's path overrides (`destination paths --set`), then the
   profile's ``custom_roms_path`` / ``custom_bios_path``;
2. ``detected``: a folder already on the card that means it (another case of the expected name,
   or for a platform any folder name that names it: ``GB``, ``Nintendo - Game Boy``). The OS
   family's own name wins when it is there; a folder of another name that holds only files our
   deployments wrote (the card's manifest) is our own earlier choice, not the user's layout, and
   does not count (a card filled under an older, wrong folder name moves to the right one);
3. ``os_profile``: the resolved OS profile's layout (device entry, then OS) — for a platform
   folder: the OS family's own name for it;
4. ``os_catalog``: ``operating-systems.json``;
5. ``fallback``: a platform folder not named by the OS family: its EmulationStation name
   (none for a family whose frontend reads only the folders it names: ``closedFamilies``).
``__USER_SELECT__`` or null everywhere and no override: an error asking the user to choose.
Every produced path is legalised for the card's file system and stays inside the card root.
"""

from __future__ import annotations

import os
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path, PurePosixPath, PureWindowsPath

from romrunner.deploy.card import (
    CARD_DIR,
    Owned,
    other_os_own_folders,
    read_manifest,
    recorded_detected_folders,
)
from romrunner.deploy.layout import DETECTED
from romrunner.deploy.legal import (
    FileSystem,
    filesystem_named,
    inside_root,
    legal_component,
    legal_path,
)
from romrunner.devices.destination import (
    check_destination,
    destination_id,
    load_path_overrides,
    refuse_a_bios_folder,
    save_path_overrides,
    stored_platform_folders,
)
from romrunner.devices.mounts import filesystem_type
from romrunner.devices.osprofile import resolve_os_profile
from romrunner.devices.profiles import load_profile
from romrunner.errors import InputError
from romrunner.library.platforms import UNKNOWN
from romrunner.packs.loader import DefinitionPack
from romrunner.packs.model import PORTS_PLATFORM, FolderNames, Platform
from romrunner.store.database import Database
from romrunner.textnorm import has_control_characters
from romrunner.words import shell_word

USER_OVERRIDE, OS_PROFILE, OS_CATALOG, FALLBACK = (
    "user_override", "os_profile", "os_catalog", "fallback")

_SDCARD = ("/mnt/SDCARD",)
_ELEC = ("/storage",)
ANDROID_STORAGE = "/storage/emulated/0"
_ANDROID = (ANDROID_STORAGE,)
# Android's own paths are on the device's internal storage; a microSD card is
# /storage/XXXX-XXXX there, read by the frontend and each emulator only where pointed at.
INTERNAL_STORAGE = (f"{ANDROID_STORAGE} is the device's internal storage, taken here as the "
                    "folder deployed to: on a microSD card, point the frontend and each "
                    "emulator at this folder")
_HOME = ("~",)
_ROOT = ("/",)
OS_MOUNTS: dict[str, tuple[str, ...]] = {
    # Device-side folder(s) the card is mounted on, per OS (matched case-insensitively).
    "muos": ("/mnt/mmc", "/mnt/sdcard", "/mnt/union"),
    "onionos": _SDCARD, "garlicos": _SDCARD, "spruce": _SDCARD, "crossmix-os": _SDCARD,
    "minui": _SDCARD, "nextui": _SDCARD, "trimuios": _SDCARD, "miyoocfw": _SDCARD,
    "simple30": _SDCARD,
    "knulli": ("/userdata",), "batocera": ("/userdata",), "recalbox": ("/recalbox/share",),
    "rocknix": _ELEC, "jelos": _ELEC, "amberelec": _ELEC, "emuelec": _ELEC, "lakka": _ELEC,
    "libreelec": _ELEC, "unofficialos": _ELEC, "plumos": _ELEC, "nxhope": _ELEC,
    "melios": _ELEC, "351elec": _ELEC,
    "arkos": _ROOT, "darkos": _ROOT, "thera": _ROOT, "retrobat": _ROOT, "analogue-os": _ROOT,
    "m17-stock-handheld": _ROOT, "trimui-stock-trimuios-smart-pro": _ROOT,
    "retroid-stock-retroidos-legacy": _ROOT,
    "emudeck": _HOME, "steamos": _HOME, "bazzite": _HOME, "chimeraos": _HOME,
    "retrodeck": _HOME, "retropie": _HOME, "raspbian": _HOME,
    "android": _ANDROID, "android-stock": _ANDROID, "retroid-os": _ANDROID,
    "gammaos": _ANDROID, "gammaos-next": _ANDROID, "gammaos-core": _ANDROID,
    "351droid": _ANDROID,
    "opendingux": ("/media/data/local/home",), "retrofw": ("/home",),
    "clockworkos": ("/home/cpi",), "funkey-os": ("/mnt/FunKey",),
}
GENERIC_MOUNTS = (ANDROID_STORAGE, "/recalbox/share", "/mnt/SDCARD", "/mnt/mmc",
                  "/userdata", "/storage", "~")


@dataclass(frozen=True)
class GamesPartition:
    """An OS's games partition: the device-side folder it is mounted on, what a computer
    shows it as, and folders (card-relative) only the OS's system view has."""

    mount: str
    label: str
    system_view: tuple[str, ...]


_EASYROMS = GamesPartition("/roms", "EASYROMS", (".ArkOS", "opt/system", "roms2"))
_GAMES = GamesPartition("/storage/roms", "GAMES", (".config",))
GAMES_PARTITIONS: dict[str, GamesPartition] = {
    # ROCKNIX, JELOS and their forks are not here: their games are on the ext4 STORAGE
    # partition (``roms/`` at its root), or on a second card under ``roms/`` (mounted at
    # /storage/games-external), which the mount table already maps right.
    "arkos": _EASYROMS, "darkos": _EASYROMS,
    "amberelec": _GAMES, "351elec": _GAMES,
    "emuelec": GamesPartition("/storage/roms", "EEROMS", (".config",)),
}


class _NoFolderSaid(InputError):
    """The OS's layout names no folder of a kind (roms, bios) and none was chosen."""


@dataclass(frozen=True)
class FolderChoice:
    """One resolved folder and where it came from."""

    path: PurePosixPath
    source: str
    reason: str


def games_partition(os_id: str, card_root: Path) -> GamesPartition | None:
    """The OS's games partition when the card at ``card_root`` is taken as it (see the module
    docstring), else None: the OS has none, or the card shows its system view."""
    partition = GAMES_PARTITIONS.get(os_id)
    if partition is None:
        return None
    if _existing_case(card_root, PurePosixPath("roms")) is not None and any(
            _present(card_root, PurePosixPath(marker)) for marker in partition.system_view):
        return None
    return partition


def _present(root: Path, relative: PurePosixPath) -> bool:
    """True when ``relative`` (a file or a folder) is on the card, matched case-insensitively."""
    folder = _existing_case(root, relative.parent)
    if folder is None:
        return False
    try:
        return any(entry.name.lower() == relative.name.lower()
                   for entry in os_scandir(root / folder))
    except OSError:
        return False


def card_relative(os_id: str, device_path: str, games: GamesPartition | None = None
                  ) -> tuple[PurePosixPath, str]:
    """A device-side path of ``os_id`` as a path relative to the card root, and why; with
    ``games``, on a card that is that games partition (a path under its mount)."""
    text = device_path.strip()
    if games is not None:
        rest = _strip_prefix(text, games.mount)
        if rest is not None:
            return PurePosixPath(rest or "."), (
                f"{os_id} mounts its games partition ({games.label}) at {games.mount}: the "
                "card root")
    prefixes = OS_MOUNTS.get(os_id)
    candidates = prefixes if prefixes is not None else GENERIC_MOUNTS
    for prefix in sorted(candidates, key=len, reverse=True):
        if prefix == "/":
            continue
        rest = _strip_prefix(text, prefix)
        if rest is not None:
            if prefix == ANDROID_STORAGE:  # (QA161 F1: "android mounts the card" there)
                how = INTERNAL_STORAGE
            elif prefixes is not None:
                how = f"{os_id} mounts the card at {prefix}"
            else:
                how = f"{prefix} taken as the card root ({os_id} is not in the mount table)"
            return PurePosixPath(rest or "."), how
    return PurePosixPath(text.lstrip("/~") or "."), \
        f"{os_id}: {text} read from the card root"


def _strip_prefix(text: str, prefix: str) -> str | None:
    parts, head = text.split("/"), prefix.split("/")
    if len(parts) < len(head) or [p.lower() for p in parts[:len(head)]] != \
            [h.lower() for h in head]:
        return None
    return "/".join(parts[len(head):]).strip("/")


def _legal(path: PurePosixPath | str, fs: FileSystem) -> PurePosixPath:
    parts = [part for part in str(path).replace("\\", "/").split("/") if part not in ("", ".")]
    if not parts:
        return PurePosixPath(".")
    return legal_path(parts, fs)


@dataclass(frozen=True)
class CardLayout:
    """Where an OS wants each file on one mounted card."""

    root: Path
    os_id: str
    fs: FileSystem
    roms: FolderChoice
    bios: FolderChoice
    family: str = "es"
    folder_names: FolderNames = field(default_factory=FolderNames)
    platforms: Mapping[str, Platform] = field(default_factory=dict)
    platform_overrides: Mapping[str, str] = field(default_factory=dict)
    existing: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    on_card: Mapping[str, str] = field(default_factory=dict)  # lowercase -> the card's spelling
    # Platform -> every folder under the ROM root whose name means it (``existing`` before
    # our own earlier folders were left out), and the card manifest's paths, read when needed.
    found: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    portmaster: bool | None = None  # the OS runs PortMaster's ports (None: not said)
    # its frontend reads a platform's games from a folder of any of its names (see
    # FolderNames.any_folder_families, any_folder_frontends): such a folder on the card is used
    reads_any_folder: bool = False
    profile_id: int | None = None  # the profile resolved (None: a layout of no profile)
    _ours: dict[str, list[str]] = field(default_factory=dict, compare=False, repr=False)
    # the card manifest's files by folder (case-folded), read when first needed
    _written: dict[str, dict[str, Owned]] = field(default_factory=dict, compare=False,
                                                  repr=False)
    # a folder's entries on the card, case-folded where the card ignores case (see holds)
    _entries: dict[str, frozenset[str]] = field(default_factory=dict, compare=False,
                                                repr=False)

    def rom_folder(self, platform_id: str) -> FolderChoice | None:
        """The platform's ROM folder; None when the OS has no folder for it (never one for
        the undecided platform, ``unknown``, whatever an override says). A family that
        reads games from a subfolder of the platform's folder (Analogue Pocket's ``common``)
        gets that subfolder."""
        override = self.platform_overrides.get(platform_id)
        refused = self._refused_override(override) if override else None
        if override and platform_id != UNKNOWN and refused is None:
            return FolderChoice(_inside(self.root, _legal(override, self.fs)), USER_OVERRIDE,
                                "destination path override")
        choice = self._platform_folder(platform_id)
        if choice is not None and refused is not None:
            choice = FolderChoice(choice.path, choice.source, f"{choice.reason} (the stored "
                                  f"override {override!r} is not used: {refused}; "
                                  f"{self.paths_command(f'--unset {platform_id}')} "
                                  "removes it)")
        sub = self.folder_names.rom_subfolder(self.family)
        if choice is None or not sub:
            return choice
        return FolderChoice(choice.path / _legal(sub, self.fs), choice.source,
                            f"{choice.reason}; {self.family} reads games from its {sub!r} "
                            "subfolder")

    def _refused_override(self, override: str) -> str | None:
        """Why a platform's stored folder override cannot be its folder (an earlier release
        stored what `destination paths --set` now refuses: QA60 F4, games written into
        ``.romrunner/`` and the BIOS folder), or None when it can."""
        refused = no_platform_folder(override, root_allowed=False)
        if refused is not None:
            return refused
        folded = str(PurePosixPath(override.replace("\\", "/"))).casefold()
        if folded == str(self.roms.path).casefold():
            return "it is the card's ROM folder itself"
        if folded == str(self.bios.path).casefold():
            return "it is the card's BIOS folder itself"
        return None

    def _platform_folder(self, platform_id: str) -> FolderChoice | None:
        if platform_id == UNKNOWN:  # a game the scan could not place: no card has its folder
            return None
        if platform_id == PORTS_PLATFORM and self.portmaster is False:
            return None  # (QA61 F7: ports went silently to MinUI, FunKey, GarlicOS cards)
        name, explicit = self.folder_names.folder_for(platform_id, self.family)
        if explicit and name is None:
            return None
        if not explicit and self.folder_names.is_closed(self.family):
            # (its frontend reads the folders it names only, whatever folder of the
            # platform's other names the card holds: QA61 F2, QA64 F12)
            return None
        own = self.on_card.get(name.lower()) if name else None  # also a name shared by two
        other_case = own if own and self._another_case_of(own, name) \
            and not self.reads_any_folder else None  # (QA151 F5: a frontend that reads
        # any folder reads `PSX` as it reads `PS1`)
        if other_case is not None:
            # (the OS's own spelling wins when it is there too, whatever else: review 96 F3)
            own = name if name and os.path.isdir(self.root / self.roms.path / name) else None
        # (QA91 F3: on ext4 or btrfs, Batocera and ES-DE read `snes`, never `SNES`)
        also = f" ({_another_folder_here(other_case)})" if other_case else ""
        others = tuple(folder for folder in self.existing.get(platform_id, ())
                       if not self._another_case_of(folder, name))
        # (QA145 F4: Batocera's `roms/PS1`, Onion's `Roms/PSX`, even empty, took the games
        # where the frontend never looks: only a frontend that reads any of a platform's
        # names, or a platform we know no name for, takes the card's folder of another name)
        found = (own,) if own else others if name is None or self.reads_any_folder else ()
        if found:
            chosen = found[0]
            return FolderChoice(self.roms.path / _legal(chosen, self.fs), DETECTED,
                                f"folder {chosen!r} is already on the card")
        if others and not also:
            # (review49e F4: Batocera's and KNULLI's `amiga1200`, a further name their
            # frontend gives Amiga, was called "not read by knulli")
            read = [folder for folder in others
                    if self.folder_names.further_name_of(platform_id, self.family, folder)]
            unread = [folder for folder in others if folder not in read]
            said: list[str] = []
            if read:
                folder = self.roms.path / read[0]
                said.append(f"the card's {str(folder)!r} is another of {self.os_id}'s folders "
                            f"for {platform_id}: its games stay there and are listed; the "
                            "deploy's go to this one")
            if unread:
                folder = self.roms.path / unread[0]
                set_it = self.paths_command('--set ' + shell_word(f'{platform_id}={folder}'))
                said.append(f"the card's {str(folder)!r} is not read by {self.os_id}: what "
                            f"it holds stays there; {set_it} if it does")
            also = f" ({'; '.join(said)})"
        if name is None:
            name = platform_id
            return FolderChoice(self.roms.path / _legal(name, self.fs), FALLBACK,
                                "no folder name known for this platform: its id")
        if explicit:
            named_by = self.folder_names.named_by(platform_id, self.family) or self.family
            if named_by != self.family and self.family in self.folder_names.borrowing_families:
                # (review50b F7: Batocera's names, which Recalbox borrows unchecked, were
                # said to be "recalbox folder name")
                return FolderChoice(self.roms.path / _legal(name, self.fs), OS_PROFILE,
                                    f"{named_by} folder name, which {self.family} borrows "
                                    f"(it names none of its own for {platform_id}){also}")
            return FolderChoice(self.roms.path / _legal(name, self.fs), OS_PROFILE,
                                f"{self.family} folder name{also}")
        return FolderChoice(self.roms.path / _legal(name, self.fs), FALLBACK,
                            f"EmulationStation folder name ({self.family} names none){also}")

    def paths_command(self, options: str) -> str:
        """The `destination paths` command, in backquotes, that gives this layout's card
        ``options`` (`--unset gb`): its profile and card as they are, not placeholders."""
        return paths_command(self.profile_id, self.root, options)

    def _another_case_of(self, folder: str, name: str | None) -> bool:
        """True when ``folder`` is ``name`` spelt in another case, on a file system where
        that makes it another folder: one that tells case apart, or whose lookup of ``name``
        does not find ``folder`` (a share of an ext4 drive, whatever its type says)."""
        if name is None or folder == name or folder.lower() != name.lower():
            return False
        return not self.same_folder(str(self.roms.path / folder), str(self.roms.path / name))

    def same_folder(self, one: str, other: str) -> bool:
        """:func:`same_card_folder` on this card."""
        return same_card_folder(self.root, self.fs, one, other)

    def renamed_folder(self, platform_id: str) -> tuple[str, int] | None:
        """Where the files an earlier deploy put in the platform's folder are now, when that
        folder is gone from the card: the folder beside it holding the most of them at
        their names, sizes and times (renamed on the card, as muOS users do to name a
        system: QA152 F3), with how many; None otherwise. Reads the card's manifest only
        when a platform's folder is gone."""
        chosen = self.rom_folder(platform_id)
        if chosen is None or os.path.lexists(self.root / chosen.path):
            return None
        if not self._written:
            for dest, owned in read_manifest(self.root)[0].items():
                parent, _, name = dest.rpartition("/")
                self._written.setdefault(parent.casefold(), {})[name] = owned
            self._written.setdefault("", {})  # (read once, even when empty)
        written = self._written.get(str(chosen.path).casefold())
        return _folder_holding(self.root, chosen.path, written) if written else None

    def holds(self, folder: str, filename: str) -> bool:
        """True when the card has an entry where a game's file named ``filename`` goes in
        ``folder`` (its name made legal on the card, as a deploy writes it), the folder listed
        once: of copies of one content, the one already there stays the card's."""
        try:
            name = legal_component(filename, self.fs)
        except InputError:
            return False  # (no legal name: it cannot be on the card)
        if folder not in self._entries:
            try:
                found = [entry.name for entry in os.scandir(self.root / folder)]
            except OSError:
                found = []
            self._entries[folder] = frozenset(
                n.casefold() if self.fs.case_insensitive else n for n in found)
        return (name.casefold() if self.fs.case_insensitive else name) in self._entries[folder]

    def left_folders(self, platform_id: str) -> list[tuple[PurePosixPath, int]]:
        """The platform's folders on the card other than :meth:`rom_folder` that hold files
        an earlier deploy put there (the card manifest), with how many: a card filled under
        an older folder name, or before the OS's own folder was made, or an override. A
        deploy leaves those copies where they are; ``--prune`` removes them."""
        chosen = self.rom_folder(platform_id)
        if chosen is None:
            return []
        left = [PurePosixPath(self.roms.path, name) for name in self.found.get(platform_id, ())]
        left = [folder for folder in left if not self.same_folder(str(folder),
                                                                  str(chosen.path))]
        if not left:
            return []
        if "paths" not in self._ours:  # read once, and only for a platform that moved
            self._ours["paths"] = list(read_manifest(self.root)[0])
        counted = [(folder, sum(1 for dest in self._ours["paths"]
                                if in_left_folder(dest, str(folder), str(chosen.path))))
                   for folder in left]
        return [(folder, files) for folder, files in counted if files]

    def bios_folder(self, platform_id: str) -> FolderChoice:
        """The BIOS folder for the platform: the BIOS root, or the OS family's folder for it
        there (MinUI: the tag of its ROM folder, ``Bios/PS``). A BIOS entry's own subfolder
        (``xmil``, ``dc``) goes beneath, added by the deploy: the platform's
        ``biosSubdirectory`` is not added here too (``bios/xmil/xmil`` for the Sharp X1)."""
        rom = self._platform_folder(platform_id)
        rom_name = rom.path.name if rom is not None else ""
        sub = self.folder_names.bios_subfolder(self.family, rom_name)
        if not sub:
            return self.bios
        return FolderChoice(self.bios.path / _legal(sub, self.fs), self.bios.source,
                            f"{self.bios.reason}; {self.family} reads it from {sub!r}, after "
                            f"its ROM folder {rom_name!r}")

    def playlist_folder(self) -> FolderChoice | None:
        """Where ``.m3u`` playlists go when the OS wants them apart; None: beside the discs
        (every OS family in the table reads them from the platform folder)."""
        return None

    def wants_m3u(self, platform_id: str) -> bool:
        """True when multi-disc games of the platform get an ``.m3u`` playlist."""
        platform = self.platforms.get(platform_id)
        return bool(platform and platform.supports_multi_disc)

    def multi_disc_layout(self, platform_id: str) -> str:
        """Where a multi-disc set's discs go beside the ``.m3u`` the deploy writes for it
        (``flat``, ``hidden``, ``folder`` or ``m3u-folder``: see folder-names.json): most
        frontends would otherwise list each disc's sheet as a game of its own."""
        if not self.wants_m3u(platform_id):
            return "flat"
        return self.folder_names.multi_disc_layout(self.family)


def paths_command(profile_id: int | None, card_root: Path, options: str) -> str:
    """`romrunner destination paths 1 --to /media/card OPTIONS`, in backquotes (``PROFILE``
    only when no profile is known)."""
    profile = "PROFILE" if profile_id is None else str(profile_id)
    return f"`romrunner destination paths {profile} --to {shell_word(str(card_root))} {options}`"


def _inside(root: Path, relative: PurePosixPath) -> PurePosixPath:
    if relative != PurePosixPath("."):
        inside_root(root, relative)
    return relative


def card_layout(db: Database, pack: DefinitionPack, profile_id: int, card_root: Path,
                *, fs: FileSystem | None = None) -> CardLayout:
    """Resolve every folder of ``profile_id``'s OS on the card mounted at ``card_root``."""
    check_destination(card_root)
    profile = load_profile(db, profile_id)
    fs = fs or filesystem_named(filesystem_type(card_root))
    overrides = load_path_overrides(db, destination_id(card_root, create=False))
    resolved = resolve_os_profile(pack, profile.device_id, profile.os_id)
    catalog = pack.operating_systems.get(profile.os_id)
    catalog_paths = catalog.paths if catalog else {}
    games = games_partition(profile.os_id, card_root)
    roots: dict[str, FolderChoice] = {}
    unsaid: list[str] = []
    for key, custom in (("roms", profile.custom_roms_path), ("bios", profile.custom_bios_path)):
        choice = _root_choice(card_root, profile.os_id, key, fs, overrides.get(key), custom,
                              resolved.layout_paths.get(key), catalog_paths.get(key), games,
                              profile_id=profile.id)
        if choice is None:
            unsaid.append(key)
        else:
            roots[key] = choice
    if unsaid:
        raise _no_folder_said(pack, profile.os_id, card_root, unsaid,
                              pack_asks=profile.os_id in pack.operating_systems
                              or resolved.asks_for_paths, profile_id=profile.id)
    platform_overrides = overrides.get("platforms")
    family = pack.folder_names.family_of(profile.os_id)
    on_card = _subfolders(card_root / roots["roms"].path)
    existing = _existing_platform_folders(pack, on_card)
    found = dict(existing)
    expected = {platform: pack.folder_names.folder_for(platform, family)[0]
                for platform in existing}
    existing = _without_another_os_folders(existing, roots["roms"].path, expected,
                                           other_os_own_folders(card_root, profile.os_id))
    if games is not None and roots["roms"].path == PurePosixPath("."):
        for platform, names in _system_view_folders(
                pack, card_root, profile.os_id,
                resolved.layout_paths.get("roms") or catalog_paths.get("roms")).items():
            found[platform] = (*found.get(platform, ()), *names)
    return CardLayout(
        root=card_root, os_id=profile.os_id, fs=fs, roms=roots["roms"], bios=roots["bios"],
        family=family, folder_names=pack.folder_names, platforms=pack.platforms,
        platform_overrides={str(k): str(v) for k, v in platform_overrides.items()}
        if isinstance(platform_overrides, dict) else {},
        existing=_without_our_old_folders(card_root, roots["roms"].path, existing, expected,
                                          on_card,
                                          recorded_detected_folders(card_root, profile.os_id)),
        on_card=on_card, found=found, portmaster=catalog.portmaster if catalog else None,
        profile_id=profile.id,
        reads_any_folder=pack.folder_names.reads_any_folder(family) or (
            catalog is not None and catalog.frontend in pack.folder_names.any_folder_frontends
            and not pack.folder_names.is_closed(family)))


def _system_view_folders(pack: DefinitionPack, card_root: Path, os_id: str,
                         device_path: str | None) -> dict[str, tuple[str, ...]]:
    """On a card that is the OS's games partition (its root the ROM folder): platform -> the
    platform folders under the system view's ROM folder (``roms/gb`` for ArkOS's
    ``/roms/gb``), where an earlier release put games. Files an earlier deploy wrote there
    are invisible to the OS: the warning ``folder-moved`` names them, ``--prune`` removes
    them."""
    old = _existing_case(card_root, card_relative(os_id, device_path)[0]) if device_path \
        else None
    if old is None or old == PurePosixPath("."):
        return {}
    return {platform: tuple(str(old / name) for name in names)
            for platform, names in _existing_platform_folders(
                pack, _subfolders(card_root / old)).items()}


def _root_choice(card_root: Path, os_id: str, key: str, fs: FileSystem, override: object,
                 custom: str | None, profile_path: str | None,
                 catalog_path: str | None, games: GamesPartition | None = None,
                 *, profile_id: int | None = None) -> FolderChoice | None:
    """A root folder (``key``: roms or bios) of the card and why; None when nothing names
    it: no override, no custom path, and the OS's paths do not say. An override stored in a
    saves or states folder (before `--set` refused one: review47e F3) is not used, and said."""
    if isinstance(override, str) and override.strip():
        saves = a_known_saves_folder(str(PurePosixPath(override.replace("\\", "/"))))
        if saves is None:
            return FolderChoice(_inside(card_root, _legal(override, fs)), USER_OVERRIDE,
                                "destination path override")
        chosen = _root_choice(card_root, os_id, key, fs, None, custom, profile_path,
                              catalog_path, games)
        if chosen is not None:
            chosen = replace(chosen, reason=(
                f"{chosen.reason} (the stored override {override!r} is not used: it is in "
                f"{saves}, where handheld OSes keep the player's saves and states; "
                f"{paths_command(profile_id, card_root, f'--unset {key}')} removes it)"))
        return chosen
    if custom:
        return FolderChoice(_inside(card_root, _legal(custom, fs)), USER_OVERRIDE,
                            "the profile's custom path")
    for source, device_path in ((OS_PROFILE, profile_path), (OS_CATALOG, catalog_path)):
        if device_path:
            relative, how = card_relative(os_id, device_path, games)
            legal = _inside(card_root, _legal(relative, fs))
            actual = _existing_case(card_root, legal)
            if actual is not None and actual != legal:
                # (the card has it in another case only where its names are told apart by
                # case — a case-insensitive lookup finds the folder by the OS's spelling —
                # and there the OS reads its own spelling: QA91 F3)
                return FolderChoice(legal, source, f"{device_path} ({how}); "
                                    f"{_another_folder_here(str(actual))}")
            return FolderChoice(legal, source, f"{device_path} ({how})")
    return None


def _no_folder_said(pack: DefinitionPack, os_id: str, card_root: Path, keys: list[str], *,
                    pack_asks: bool, profile_id: int) -> InputError:
    """The error of a layout whose OS names none of ``keys`` (roms, bios) and for which
    none was chosen: every missing one in one line (QA161 F5: each refused alone for lacking
    the other), with the folders the OS's base OS names, as an example."""
    folders = " and ".join(f"{key} folder" for key in keys)
    # (the folders the pack's layout check knows the OS's cards by, as this card spells
    # them where it has them: the command to run, not one with FOLDER to fill in — Miyoo's
    # and Anbernic's stock firmware could not deploy at all without it, qa176 #4)
    marked = _marked_folders(pack, os_id, card_root, keys)
    on_card = [marked[key][0] for key in keys if key in marked and marked[key][1]]
    named = {key: marked[key][0] for key in keys} if all(key in marked for key in keys) \
        else {}
    sets = " ".join(f"--set {key}={shell_word(named.get(key, 'FOLDER'))}" for key in keys)
    one = len(keys) == 1
    said = (f"{os_id} does not say where its {folders} {'is' if one else 'are'}: "
            f"choose {'a folder' if one else 'both'} with `romrunner destination paths "
            f"{profile_id} --to {shell_word(card_root)} {sets}`")
    if named and len(on_card) == len(keys):
        said += (f" (this card's {' and '.join(on_card)} "
                 f"{'folder, which the pack knows' if one else 'folders, which the pack knows'}"
                 " its cards by)")
    elif named:
        lacking = [marked[key][0] for key in keys if not marked[key][1]]
        has = f"{' and '.join(on_card)}, not {' and '.join(lacking)}" if on_card \
            else "none" if one else "neither"
        said += (f" if yours {'is that' if one else 'are those'} (the "
                 f"{'folder' if one else 'folders'} the pack knows its cards by; this card has "
                 f"{has})")
    example = _base_os_folders(pack, os_id, keys) if not named else ""
    if example:
        said += f" ({example})"
    if pack_asks:
        return _NoFolderSaid(said)  # (the pack asks the user: nothing was dropped)
    # (QA31 F5: the OS a pack update dropped from operating-systems.json: the folder was
    # blamed, not the pack)
    return InputError(f"{said} ({os_id} has no entry in the pack's operating systems, which "
                      f"would say where; `romrunner profile set {profile_id} --os OS` points "
                      "the profile at another)")


def _marked_folders(pack: DefinitionPack, os_id: str, card_root: Path, keys: list[str]
                    ) -> dict[str, tuple[str, bool]]:
    """key (roms, bios) -> (a folder of that name the pack's layout check for ``os_id``
    knows its cards by — ``/Roms`` of Miyoo's stock firmware —, as the card at ``card_root``
    spells it when it has one; whether it has): the keys the markers name."""
    found: dict[str, tuple[str, bool]] = {}
    for profile in pack.layout_profiles:
        if profile.get("osId") != os_id or not isinstance(profile.get("detection"), dict):
            continue
        detection = profile["detection"]
        for marker in [*_strings(detection.get("markersAll")),
                       *_strings(detection.get("markersAny"))]:
            relative = card_relative(os_id, marker)[0]
            key = relative.name.casefold()
            if key not in keys or relative == PurePosixPath(".") \
                    or (key in found and found[key][1]):
                continue
            actual = _existing_case(card_root, relative)
            if actual is not None:
                found[key] = (str(actual), True)
            elif key not in found:
                found[key] = (str(relative), False)
    return found


def _strings(value: object) -> list[str]:
    return [item for item in value if isinstance(item, str)] if isinstance(value, list) else []


def _base_os_folders(pack: DefinitionPack, os_id: str, keys: list[str]) -> str:
    """``android, its base OS, uses roms=Roms bios=RetroArch/system``: where the OS's base
    OS (for a stock Android firmware) puts ``keys``; "" when it names not all of them."""
    catalog = pack.operating_systems.get(os_id)
    base = pack.operating_systems.get(catalog.base_os or "") if catalog else None
    if base is None or base.id == os_id:
        return ""
    paths = [base.paths.get(key) for key in keys]
    if not all(paths):
        return ""
    return f"{base.id}, its base OS, uses " + " ".join(
        f"{key}={card_relative(base.id, str(path))[0]}"
        for key, path in zip(keys, paths, strict=True))


def same_card_folder(root: Path, fs: FileSystem, one: str, other: str) -> bool:
    """True when the card paths ``one`` and ``other`` (spelt alike but for case) name one
    folder on the card at ``root``: asked of the card (a share of an ext4 drive tells case
    apart whatever its type says: review 96 F1), else by ``fs``'s rules."""
    if one == other:
        return True
    if one.lower() != other.lower():
        return False
    try:
        return os.path.samefile(root / one, root / other) or _listed_once(root, one, other)
    except OSError:  # (one is not there: no lookup found it by the other's spelling)
        return fs.case_insensitive and not (os.path.isdir(root / one)
                                            or os.path.isdir(root / other))


def _listed_once(root: Path, one: str, other: str) -> bool:
    """True when no folder on the way lists both spellings of a part where ``one`` and
    ``other`` (both there) differ by case: one entry found by either (a FAT card through
    fusefat gives each spelling its own inode number: QA123 F2, `Roms/GB` said left behind
    beside `roms/gb`, its games "both copies")."""
    parent = root
    for mine, theirs in zip(one.split("/"), other.split("/"), strict=True):
        if mine != theirs:
            names = set(os.listdir(parent))
            if mine in names and theirs in names:
                return False
        parent = parent / mine
    return True


def in_left_folder(path: str, folder: str, chosen: str) -> bool:
    """True when the card path ``path`` is in ``folder``, a platform's folder left beside
    the ``chosen`` one: by the letter where the two differ only by case (a card that tells
    them apart: review 96 F2), else whatever the case, as the card's names compare."""
    if folder.lower() == chosen.lower():
        return path.startswith(f"{folder}/")
    return path.lower().startswith(f"{folder.lower()}/")


def _another_folder_here(folder: str) -> str:
    """Why a folder on the card spelt in another case is not the OS's folder."""
    return (f"{folder!r} on the card is another folder: this file system tells case apart, "
            "and the OS reads the name as it spells it")


def _existing_case(root: Path, relative: PurePosixPath) -> PurePosixPath | None:
    """``relative`` as the card spells it (matched case-insensitively), or None if absent."""
    current = root
    parts: list[str] = []
    for part in relative.parts:
        try:
            names = {entry.name.lower(): entry.name for entry in os_scandir(current)
                     if entry.is_dir()}
        except OSError:
            return None
        found = part if (current / part).is_dir() else names.get(part.lower())
        if found is None:
            return None
        parts.append(found)
        current = current / found
    return PurePosixPath(*parts) if parts else relative


def os_scandir(path: Path) -> list[os.DirEntry[str]]:
    """The entries of ``path`` (a list, so the handle is closed at once)."""
    with os.scandir(path) as entries:
        return list(entries)


def _subfolders(roms: Path) -> dict[str, str]:
    """The folders directly under the ROM root: lowercase name -> the card's spelling."""
    try:
        entries = os_scandir(roms)
    except OSError:
        return {}
    found: dict[str, str] = {}
    for entry in sorted(entries, key=lambda e: e.name):
        if entry.is_dir():
            found.setdefault(entry.name.lower(), entry.name)  # GB before gb, as ever
    return found


def _existing_platform_folders(pack: DefinitionPack,
                               on_card: Mapping[str, str]) -> dict[str, tuple[str, ...]]:
    """Platform -> the folders directly under the ROM root whose name means it."""
    found: dict[str, list[str]] = {}
    for name in sorted(on_card.values()):
        claimed = pack.index.platforms_for_folder(name)
        if len(claimed) == 1:
            found.setdefault(claimed[0], []).append(name)
    return {platform: tuple(names) for platform, names in found.items()}


def _without_another_os_folders(existing: Mapping[str, tuple[str, ...]], roms: PurePosixPath,
                                expected: Mapping[str, str | None],
                                theirs: Mapping[str, set[str]]) -> dict[str, tuple[str, ...]]:
    """``existing`` without the folder our deploys for the OS the card was laid out for
    before chose by that OS's names (``theirs``, see
    :func:`~romrunner.deploy.card.other_os_own_folders`) where this OS's family names the
    platform otherwise: the games go to this OS's folder, and the copies there are said to
    be left behind (``folder-moved``), whatever else the folder holds."""
    kept: dict[str, tuple[str, ...]] = {}
    for platform, names in existing.items():
        old = theirs.get(platform, set())
        want = (expected.get(platform) or "").lower()
        left = tuple(name for name in names if name.lower() == want
                     or str(roms / name).lower() not in old)
        if left:
            kept[platform] = left
    return kept


def _without_our_old_folders(card_root: Path, roms: PurePosixPath,
                             existing: Mapping[str, tuple[str, ...]],
                             expected: Mapping[str, str | None],
                             on_card: Mapping[str, str],
                             detected: Mapping[str, str]) -> dict[str, tuple[str, ...]]:
    """``existing`` without the folders that are not the OS family's name for their platform
    and hold only files our deployments wrote (the card manifest): an earlier deploy's choice,
    not the user's layout. An empty folder still counts (the user made it, or the OS did),
    and so does one an earlier deploy took because the card had it (``detected``: see
    :func:`~romrunner.deploy.card.record_card_os`), filled since with our files only: the
    choice stays what it was. Nothing is read when the family's own folder is on the card
    (it wins anyway)."""
    kept: dict[str, tuple[str, ...]] = {}
    ours: set[str] | None = None
    for platform, names in existing.items():
        want = (expected.get(platform) or "").lower()
        if want in on_card or all(name.lower() == want for name in names):
            kept[platform] = names
            continue
        if ours is None:
            ours = {dest.lower() for dest in read_manifest(card_root)[0]}
        taken = detected.get(platform, "").lower()
        left = tuple(name for name in names
                     if _same_or_above(taken, str(roms / name).lower())
                     or not _holds_only(card_root, roms / name, ours))
        if left:
            kept[platform] = left
    return kept


def _same_or_above(folder: str, other: str) -> bool:
    """True when ``other`` is ``folder`` or a folder above it (paths as text)."""
    return folder == other or folder.startswith(f"{other}/")


def _holds_only(card_root: Path, folder: PurePosixPath, ours: set[str]) -> bool:
    """True when ``folder`` holds files and every one not hidden is in ``ours`` (lowercase
    card-relative paths)."""
    seen = False
    for path in visible_files(card_root, folder):
        if path not in ours:
            return False
        seen = True
    return seen


def ours_alone(card_root: Path, folder: PurePosixPath, ours: set[str],
               made: set[str]) -> bool:
    """True when every file not hidden in ``folder`` is in ``ours`` (lowercase card-relative
    paths) and it holds some, or none and our deployments made it (``made``, lowercase): a
    folder an OS made, or the user, is theirs even empty."""
    seen = False
    for path in visible_files(card_root, folder):
        if path not in ours:
            return False
        seen = True
    return seen or str(folder).lower() in made


def _folder_holding(root: Path, gone: PurePosixPath, written: Mapping[str, Owned]
                    ) -> tuple[str, int] | None:
    """The folder beside ``gone`` (card-relative) holding the most of the files ``written``
    (name -> what a deploy wrote there) at their sizes and times, and how many; None: none."""
    best: tuple[str, int] | None = None
    try:
        siblings = [entry for entry in os_scandir(root / gone.parent)
                    if entry.is_dir(follow_symlinks=False)]
    except OSError:
        return None
    for sibling in siblings:
        try:
            count = sum(1 for entry in os_scandir(Path(sibling.path))
                        if entry.name in written and entry.is_file(follow_symlinks=False)
                        and written[entry.name].matches(entry.stat(follow_symlinks=False)))
        except OSError:
            continue
        if count and (best is None or count > best[1]):
            best = (str(gone.parent / sibling.name), count)
    return best


def visible_files(card_root: Path, folder: PurePosixPath) -> Iterator[str]:
    """The files not hidden under ``folder`` (a folder on the card), as lowercase
    card-relative paths."""
    for top, dirs, files in os.walk(card_root / folder):
        dirs[:] = [d for d in dirs if not d.startswith(".")]
        where = PurePosixPath(folder, Path(top).relative_to(card_root / folder).as_posix())
        yield from (str(where / file).lower() for file in files if not file.startswith("."))


@dataclass(frozen=True)
class PathRow:
    """One line of ``destination paths``: a folder, where it came from and why."""

    kind: str  # "roms", "bios", "platform"
    platform_id: str | None
    path: str | None  # relative to the card root; None: the OS has no folder for it
    source: str | None
    reason: str
    # where the platform's BIOS files go, when not the BIOS folder itself (the OS family's
    # folder for the platform, an entry's own subfolder: every such folder in ``bios_paths``)
    bios_path: str | None = None
    bios_paths: tuple[str, ...] = ()


def no_platform_folder(folder: str, *, root_allowed: bool) -> str | None:
    """Why ``folder`` (card-relative) can hold no games: inside ROM Runner's own folder (in
    any case: FAT's), or the card's root where that is not allowed (a platform's folder);
    None when it can. What `destination paths --set` refuses, and what a stored override of
    an earlier release is then not used for (QA60 F4, QA64 F11)."""
    path = PurePosixPath(folder.replace("\\", "/"))
    if path.parts and path.parts[0].casefold() == CARD_DIR:
        return f"{CARD_DIR} is ROM Runner's own folder on the card (its records)"
    saves = a_known_saves_folder(str(path))
    if saves is not None:  # (qa201 F3: games put in `MUOS/save/file` could never be pruned)
        return (f"{saves} is where handheld OSes keep the player's saves and states: ROM "
                "Runner never writes a file there nor removes one")
    if str(path) == "." and not root_allowed:
        return "the card's root is no platform's folder (roms=. puts every platform's folder there)"
    return None


def a_known_saves_folder(folder: str) -> str | None:
    """The handheld OSes' usual saves or states folder (see
    romrunner.deploy.saves.KNOWN_SAVE_FOLDERS) that ``folder`` (card-relative, ``/``) is or
    is inside, by name whatever the case; None when none."""
    # (imported here: the deploy package imports this module)
    from romrunner.deploy.saves import KNOWN_SAVE_FOLDERS
    folded = folder.casefold()
    return next((saves for saves in KNOWN_SAVE_FOLDERS
                 if _same_or_above(folded, saves.casefold())), None)


def stored_folders_in_saves(db: Database, card_root: Path) -> dict[str, str]:
    """Platform -> the folder `destination paths --set` stored for it on this card that is in
    a saves or states folder (before such a folder was refused: qa201 F3): what a prune's
    note of the files kept there names to unset."""
    overrides = load_path_overrides(db, destination_id(card_root, create=False))
    platforms = overrides.get("platforms")
    if not isinstance(platforms, dict):
        return {}
    return {str(platform): str(folder) for platform, folder in sorted(platforms.items())
            if isinstance(folder, str) and a_known_saves_folder(
                str(PurePosixPath(folder.replace("\\", "/")))) is not None}


def platforms_with_stored_folders(db: Database, os_id: str) -> set[str]:
    """The platforms a card of ``os_id`` has a folder for that the user stored (`destination
    paths --set`) and that can be used as one: a deploy to that card places their games
    whether or not the OS names a folder for them."""
    return {platform for platform, folder in stored_platform_folders(db, os_id)
            if no_platform_folder(folder, root_allowed=False) is None}


def folder_name_for(pack: DefinitionPack, os_id: str, platform_id: str) -> str | None:
    """The folder name ``os_id`` gives ``platform_id`` with no card at hand (see
    FolderNames.target_name), or None where it has none: a family that names none for it
    reads only its own, and PortMaster's ports go only to an OS that runs PortMaster."""
    catalog = pack.operating_systems.get(os_id)
    if platform_id == PORTS_PLATFORM and catalog is not None and catalog.portmaster is False:
        return None
    return pack.folder_names.target_name(platform_id, pack.folder_names.family_of(os_id))


def layout_rows(layout: CardLayout, bios_subfolders: Mapping[str, Sequence[str]] | None = None
                ) -> list[PathRow]:
    """The ROM and BIOS roots, then every platform's ROM folder, and its BIOS folders where
    they are not the BIOS root: the OS family's folder for the platform, and beneath it
    ``bios_subfolders[platform]`` (see romrunner.bios.check.bios_subfolders)."""
    rows = [PathRow("roms", None, str(layout.roms.path), layout.roms.source, layout.roms.reason),
            PathRow("bios", None, str(layout.bios.path), layout.bios.source, layout.bios.reason)]
    stale = {p for p in layout.platform_overrides if p not in layout.platforms}
    for platform_id in sorted({*layout.platforms, *stale}):
        if platform_id in stale:  # (QA29 F9: applied by a deploy, shown nowhere, kept)
            rows.append(PathRow("platform", platform_id,
                                layout.platform_overrides[platform_id], USER_OVERRIDE,
                                "destination path override of a platform the pack in use "
                                "does not know (`--unset` removes it)"))
            continue
        choice = layout.rom_folder(platform_id)
        base = layout.bios_folder(platform_id).path
        folders = tuple(sorted({str(base / sub) for sub in
                                (bios_subfolders or {}).get(platform_id) or [""]}))
        # (none for a platform the OS has no folder for: a deploy writes none of its BIOS)
        bios_paths = () if choice is None or folders == (str(layout.bios.path),) else folders
        bios_path = ", ".join(bios_paths) or None
        if choice is None:
            rows.append(PathRow("platform", platform_id, None, None,
                                f"{layout.family} has no folder for it", bios_path,
                                bios_paths))
        else:
            rows.append(PathRow("platform", platform_id, str(choice.path), choice.source,
                                choice.reason, bios_path, bios_paths))
    return rows


def destination_paths(db: Database, pack: DefinitionPack, profile_id: int, card_root: Path,
                      sets: Mapping[str, str] | None = None,
                      unsets: list[str] | None = None) -> CardLayout:
    """``destination paths``: store the overrides given, then resolve the layout — in one
    transaction, so a layout that still cannot be resolved stores nothing."""
    with db.atomic():
        if sets or unsets:
            update_path_overrides(db, pack, profile_id, card_root, sets or {}, unsets or [])
        return card_layout(db, pack, profile_id, card_root)


def _refuse_a_root_as_a_platform(db: Database, pack: DefinitionPack, profile_id: int,
                                 card_root: Path, checked: Mapping[str, str]) -> None:
    """A platform's folder set to the card's ROM or BIOS folder itself (`gb=roms`,
    `gb=MUOS/bios`: QA30 N5), or through a link on the card to one of them (QA31 F6), would
    mix its games with every platform's folders or the BIOS files; a BIOS folder that is the
    ROM folder, the BIOS files with the platforms' folders: refused before anything is
    written (the card's id file too)."""
    try:
        layout = card_layout(db, pack, profile_id, card_root)
        roms = _on_card(card_root, str(checked.get("roms", layout.roms.path)))
        bios = _on_card(card_root, str(checked.get("bios", layout.bios.path)))
    except InputError:  # a layout that needs these very overrides: nothing to compare
        return
    # (each platform's folder checked against the layout this command leaves, its other
    # settings applied: review38b F4, a swap in one command was refused, a clash in one
    # command let through)
    planned = replace(layout, platform_overrides={
        **layout.platform_overrides,
        **{key: value for key, value in checked.items() if key not in ("roms", "bios")}})
    if "roms" in checked:  # (review48f F5: `roms=R2` and `bios=R2/gb/bios`, in any order)
        planned = replace(planned, roms=replace(layout.roms, path=PurePosixPath(
            str(checked["roms"]).replace("\\", "/"))))
    for key, value in checked.items():
        here = _on_card(card_root, value)
        if key == "roms":
            what = "the card's BIOS folder" if here == bios else None
            if what is None and "bios" not in checked:
                _refuse_bios_inside_a_platform(pack, planned, card_root,
                                               str(layout.bios.path), bios, moved=key)
        elif key == "bios":
            what = "the card's ROM folder" if here == roms else _platform_folder_at(
                pack, layout, card_root, here)
            # (qa201 F3: `bios=roms/gb` once `gb=…` was set elsewhere: the frontend still
            # lists the files of `roms/gb` as Game Boy games)
            named = None if what is not None else _platform_folder_at(
                pack, replace(layout, platform_overrides={}), card_root, here)
            if named is not None:
                raise InputError(
                    f"path override {key}={value}: is {named} in {layout.os_id}'s layout"
                    f"{_through_a_link(card_root, value)} (its games set to go elsewhere on "
                    "this card), where the frontend lists the files as that platform's "
                    "games; nothing was changed")
            _refuse_bios_inside_a_platform(pack, planned, card_root, value, here)
        else:
            what = {roms: "the card's ROM folder", bios: "the card's BIOS folder"}.get(here)
            other = None if what is not None else _another_platforms_folder(
                pack, planned, card_root, here, key)
            if other is not None:  # (QA178 F8: `psx=gb` put PS1 discs among Game Boy games)
                raise InputError(
                    f"path override {key}={value}: is {other}'s folder"
                    f"{_through_a_link(card_root, value)}, where {layout.os_id} lists its "
                    f"games as {other}'s: {key}'s games would mix with them; nothing was "
                    "changed")
            nested = None if what is not None or other is not None \
                or here == _on_card(card_root, ".") else _platform_folder_nested_with(
                pack, planned, card_root, here, key)
            if nested is not None:  # (qa181 N2: `psx=gb/psx`, a frontend lists it as gb's)
                relation, other, folder = nested
                outer, inner = (other, key) if relation == "is inside" else (key, other)
                raise InputError(
                    f"path override {key}={value}: {relation} {other}'s folder ({folder})"
                    f"{_through_a_link(card_root, value)}, where a frontend that lists "
                    f"{outer}'s games from its subfolders would list {inner}'s among them; "
                    "nothing was changed")
            if bios.startswith(here + os.sep) and here != _on_card(card_root, "."):
                # (review48c F1: `gb=Handheld/GB` once `bios=Handheld/GB/bios` was set)
                raise InputError(
                    f"path override {key}={value}: holds the card's BIOS folder"
                    f"{_through_a_link(card_root, value)}, where the frontend would list the "
                    f"BIOS files as {key}'s games; nothing was changed")
            if here.startswith(bios + os.sep) and not roms.startswith(bios + os.sep) \
                    and bios != _on_card(card_root, "."):  # (qa181 N2: `psx=bios/psx`)
                raise InputError(
                    f"path override {key}={value}: is inside the card's BIOS folder"
                    f"{_through_a_link(card_root, value)}, where games would mix with the BIOS "
                    "files; nothing was changed")
        if what is not None:
            why = {"roms": "where the platforms' folders would mix with the BIOS files",
                   "bios": "where the BIOS files would mix with games"}.get(
                key, "no platform's folder")
            raise InputError(f"path override {key}={value}: is {what} itself"
                             f"{_through_a_link(card_root, value)}, {why}; nothing was changed")


def _refuse_bios_inside_a_platform(pack: DefinitionPack, planned: CardLayout,
                                   card_root: Path, value: str, here: str, *,
                                   moved: str = "") -> None:
    """A BIOS folder (``value``, at ``here``) inside a platform's folder (`bios=roms/gb/x`:
    review47e F6 d), of the layout this command leaves (``planned``: its ROM folder and its
    platforms' folders set in the same command too, review48c F1, review48f F5) or of the
    OS's own under that ROM folder, is refused as the folder itself is: the frontend lists
    what that folder holds, its subfolders too, as the platform's games. ``moved``: the
    setting that would put it there (`roms`), when not the BIOS folder's own."""
    for each in (planned, replace(planned, platform_overrides={})):
        nested = _platform_folder_nested_with(pack, each, card_root, here, "")
        if nested is not None and nested[0] == "is inside":
            _, platform_id, folder = nested
            setting = f"{moved}={each.roms.path}: puts the card's BIOS folder ({value})" \
                if moved else f"bios={value}: is"
            raise InputError(
                f"path override {setting} inside {platform_id}'s folder ({folder}) in "
                f"{planned.os_id}'s layout{_through_a_link(card_root, value)}, where the "
                "frontend lists the files, in its subfolders too, as that platform's games; "
                "nothing was changed")


def in_a_saves_folder(pack: DefinitionPack | None, os_id: str, card_root: Path,
                      folder: str) -> str | None:
    """The OS's saves or states folder (see romrunner.deploy.saves.save_folders) that
    ``folder`` (card-relative) is or is inside, by its name or through the card's links, as
    that list spells it; None when none."""
    # (imported here: the deploy package imports this module)
    from romrunner.deploy.saves import save_folders
    path = str(PurePosixPath(folder.replace("\\", "/")))
    here = _on_card(card_root, path)
    listed = save_folders(pack, os_id, card_root)
    for saves in sorted(listed, key=lambda saves: not _same_or_above(path, saves)):
        there = _on_card(card_root, saves)
        if _same_or_above(path.casefold(), saves.casefold()) \
                or here == there or here.startswith(there + os.sep):
            return saves  # (as spelt where the path spells it so: `saves`, not `Saves`)
    return None


def _refuse_a_saves_folder(pack: DefinitionPack, os_id: str, card_root: Path,
                           checked: Mapping[str, str], sets: Mapping[str, str]) -> None:
    """A folder set inside the OS's saves or states folder (`gb=MUOS/save/file`: qa201 F3)
    is refused: ROM Runner never writes a game nor a BIOS file there, nor removes one (the
    player's saves and states live there), so the games a deploy put there could never be
    pruned."""
    for key, value in checked.items():
        saves = in_a_saves_folder(pack, os_id, card_root, value)
        if saves is not None:
            files = "BIOS files" if key == "bios" else "games"  # (review47e F6 c)
            raise InputError(
                f"path override {key}={sets[key]}: is in {saves}"
                f"{_through_a_link(card_root, value)}, a folder where handheld OSes keep the "
                "player's saves and states: ROM Runner never writes a file there nor removes "
                f"one ({files} put there could never be pruned); nothing was changed")


def _platform_folder_at(pack: DefinitionPack, layout: CardLayout, card_root: Path,
                        here: str) -> str | None:
    """``gb's folder`` when ``here`` (see _on_card) is the folder a platform's games go to."""
    for platform_id in sorted(pack.platforms):
        choice = layout.rom_folder(platform_id)
        if choice is not None and _on_card(card_root, str(choice.path)) == here:
            return f"{platform_id}'s folder"
    return None


def _another_platforms_folder(pack: DefinitionPack, layout: CardLayout, card_root: Path,
                              here: str, platform_id: str) -> str | None:
    """The other platform whose folder in ``layout`` is ``here`` (see _on_card), None if
    none — or if ``here`` is also ``platform_id``'s own folder without an override (an OS
    that reads two platforms from one folder)."""
    others = {key: value for key, value in layout.platform_overrides.items()
              if key != platform_id}
    own = replace(layout, platform_overrides=others).rom_folder(platform_id)
    if own is not None and _on_card(card_root, str(own.path)) == here:
        return None
    for other in sorted(pack.platforms):
        if other == platform_id:
            continue
        choice = layout.rom_folder(other)
        if choice is not None and _on_card(card_root, str(choice.path)) == here:
            return other
    return None


def _platform_folder_nested_with(pack: DefinitionPack, layout: CardLayout, card_root: Path,
                                 here: str, platform_id: str) -> tuple[str, str, str] | None:
    """``("is inside", "gb", "roms/gb")`` when ``here`` (see _on_card) is a folder beneath
    another platform's folder in ``layout``, ``("holds", …)`` when another platform's folder
    is beneath ``here``; None when neither."""
    for other in sorted(pack.platforms):
        choice = layout.rom_folder(other) if other != platform_id else None
        if choice is None:
            continue
        there = _on_card(card_root, str(choice.path))
        if here.startswith(there + os.sep):
            return "is inside", other, str(choice.path)
        if there.startswith(here + os.sep):
            return "holds", other, str(choice.path)
    return None


def _on_card(card_root: Path, folder: str) -> str:
    """A folder of the card (relative to its root) as one text to compare: through the
    card's links where it exists, case-folded."""
    return os.path.realpath(card_root / folder).casefold()


def _through_a_link(card_root: Path, folder: str) -> str:
    """`` (through a link on the card)`` where ``folder`` reaches its place by a link."""
    real_root = os.path.realpath(card_root)
    plain = os.path.normpath(os.path.join(real_root, folder))
    return "" if os.path.realpath(plain) == plain else " (through a link on the card)"


def update_path_overrides(db: Database, pack: DefinitionPack, profile_id: int, card_root: Path,
                          sets: Mapping[str, str], unsets: list[str]) -> str:
    """Set or clear the destination's path overrides (``roms``, ``bios`` or a platform id →
    a folder relative to the card root); returns the destination id (created if needed)."""
    check_destination(card_root)
    # (a card a deploy refuses gets no id file nor overrides either: QA70 F5 wrote
    # .romrunner/ into a library root; imported here: the deploy package imports this one)
    from romrunner.deploy.execute import refuse_library_overlap
    refuse_library_overlap(db, card_root)
    refuse_a_bios_folder(db, card_root)
    profile = load_profile(db, profile_id)
    fs = filesystem_named(filesystem_type(card_root))
    existing = load_path_overrides(db, destination_id(card_root, create=False))
    kept = existing.get("platforms")
    stored = set(kept) if isinstance(kept, dict) else set()
    for key in [*sets, *unsets]:
        if key not in ("roms", "bios") and key not in pack.platforms \
                and not (key in unsets and key in stored):  # (a dropped platform's: removable)
            raise InputError(f"path override {key!r}: use roms, bios or a platform id")
    both = sorted(set(sets) & set(unsets))
    if both:  # (QA70 F10: the --set was dropped without a word)
        raise InputError(f"path override {', '.join(both)}: given to --set and to --unset; "
                         "nothing was changed")
    absent = [key for key in unsets if key not in stored and key not in existing]
    if absent:  # (QA70 F10: "unset" wrote the card's id file and an empty row)
        raise InputError(f"path override {', '.join(absent)}: none is stored for this card; "
                         "nothing was changed")
    for key, value in sets.items():  # (QA25: an absolute one was taken under the card root)
        if has_control_characters(value):
            raise InputError(f"path override {key}={value!r}: has control or invisible characters; "
                             "nothing was changed")
        if value.startswith(("/", "~")) or PureWindowsPath(value).is_absolute():
            what = "a home folder" if value.startswith("~") else "an absolute path"
            raise InputError(f"path override {key}={value}: a folder relative to the card "
                             f"root ({card_root}), not {what}; nothing was changed")
    checked: dict[str, str] = {}
    for key, value in sets.items():
        try:
            checked[key] = str(_inside(card_root, _legal(value, fs)))
        except InputError as exc:  # (qa203 F8: `gb=../x` named neither the override nor
            # that nothing was changed, as its siblings do)
            raise InputError(f"path override {key}={value}: {exc}; nothing was "
                             "changed") from None
    _refuse_a_saves_folder(pack, profile.os_id, card_root, checked, sets)
    _refuse_a_root_as_a_platform(db, pack, profile_id, card_root, checked)
    for key, value in checked.items():  # (QA27 N7: `gb=.` put a platform's games at the root)
        refused = no_platform_folder(value, root_allowed=key in ("roms", "bios"))
        if refused is not None:
            raise InputError(f"path override {key}={sets[key]}: {refused}; nothing was changed")
    # (qa207 F2: `--unset roms` moved gb back to `roms/gb` under a stored `bios=roms/gb`,
    # a state the one-step `--set` refuses) the stored overrides this command leaves as
    # they are, checked against the layout it leaves; one a check refuses already (stored
    # by an earlier release) is the stored layout's, not this command's, to answer for
    others = {key: str(value) for key, value in [
        *((key, existing.get(key)) for key in ("roms", "bios")),
        *(kept.items() if isinstance(kept, dict) else ())]
        if isinstance(value, str) and value.strip() and key not in checked
        and key not in unsets}
    recheck = {key: value for key, value in others.items()
               if _passes_root_checks(db, pack, profile_id, card_root, key, value)}
    with db.atomic():
        dest_id = destination_id(card_root, create=True)
        assert dest_id is not None
        overrides = load_path_overrides(db, dest_id)
        platforms = overrides.get("platforms")
        platforms = dict(platforms) if isinstance(platforms, dict) else {}
        for key, value in checked.items():
            if key in ("roms", "bios"):
                overrides[key] = value
            else:
                platforms[key] = value
        for key in unsets:
            overrides.pop(key, None)
            platforms.pop(key, None)
        overrides["platforms"] = platforms
        save_path_overrides(db, dest_id, profile.os_id, overrides)
        for key, value in recheck.items():  # (rolled back with the write when refused)
            try:
                _refuse_a_root_as_a_platform(db, pack, profile_id, card_root, {key: value})
            except InputError as exc:
                change = " ".join([*(f"--set {name}={sets[name]}" for name in sets),
                                   *(f"--unset {name}" for name in unsets)])
                said = str(exc).removesuffix("; nothing was changed")
                raise InputError(f"{change}: would leave the stored {said}; nothing was "
                                 f"changed (unset or move {key}'s override first)") from None
    return dest_id


def _passes_root_checks(db: Database, pack: DefinitionPack, profile_id: int,
                        card_root: Path, key: str, value: str) -> bool:
    """Whether the stored override ``key`` = ``value`` passes the checks of
    _refuse_a_root_as_a_platform in the layout stored now."""
    try:
        _refuse_a_root_as_a_platform(db, pack, profile_id, card_root, {key: value})
    except InputError:
        return False
    return True
