"""In-memory indexes over a loaded pack: platform by folder and extension, BIOS by hash/name."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, TypeVar

from romrunner.packs.model import BiosEntry

if TYPE_CHECKING:
    from romrunner.packs.loader import DefinitionPack

K = TypeVar("K")
V = TypeVar("V")


@dataclass(frozen=True)
class PackIndex:
    """Lookups built once per pack; keys are lowercase."""

    platforms_by_folder: dict[str, tuple[str, ...]]
    platforms_by_extension: dict[str, tuple[str, ...]]
    bios_by_md5: dict[str, tuple[BiosEntry, ...]]
    bios_by_sha1: dict[str, tuple[BiosEntry, ...]]
    bios_by_crc32: dict[str, tuple[BiosEntry, ...]]
    bios_by_filename: dict[str, tuple[BiosEntry, ...]]

    @classmethod
    def build(cls, pack: DefinitionPack) -> PackIndex:
        """Index ``pack``."""
        folders: dict[str, list[str]] = defaultdict(list)
        extensions: dict[str, list[str]] = defaultdict(list)
        for platform in pack.platforms.values():
            for name in platform.folder_names:
                _add_once(folders, name.lower(), platform.id)
            _add_once(folders, platform.id.lower(), platform.id)
            for ext in platform.extensions:
                _add_once(extensions, ext, platform.id)
        # the pack's own names decide as it says; the frontends' names where it says nothing
        # (a name frontends give to two platforms, RomM's `ngc` and CrossMix's `NGC`: none)
        undecided: set[str] = set()
        for name, claimed in pack.folder_names.folder_claims().items():
            if name in folders:
                continue
            known = [platform for platform in claimed if platform in pack.platforms]
            if known:
                folders[name] = known
            elif not claimed:
                undecided.add(name)
        _add_display_names(folders, pack, undecided)
        return cls(_freeze(folders), _freeze(extensions), *_bios_tables(pack.bios))

    def with_bios(self, entries: Iterable[BiosEntry]) -> PackIndex:
        """This index with its BIOS lookups rebuilt over ``entries`` (the pack's plus extras)."""
        md5, sha1, crc, names = _bios_tables(entries)
        return replace(self, bios_by_md5=md5, bios_by_sha1=sha1, bios_by_crc32=crc,
                       bios_by_filename=names)

    def platforms_for_folder(self, folder_name: str) -> tuple[str, ...]:
        """Platforms that claim a folder name (case-insensitive)."""
        return self.platforms_by_folder.get(folder_name.lower(), ())

    def platforms_for_extension(self, extension: str) -> tuple[str, ...]:
        """Platforms that list an extension (with its dot, case-insensitive)."""
        return self.platforms_by_extension.get(extension.lower(), ())


def display_spellings(name: str) -> list[str]:
    """The folder names a platform's display name stands for: itself, and each side of a
    name of two (``Sega Genesis / Mega Drive``: a folder name holds no slash)."""
    spellings = [name.strip()]
    if "/" in name:
        spellings += [part.strip() for part in name.split("/")]
    return [spelling for spelling in dict.fromkeys(spellings) if spelling and "/" not in spelling]


def _add_display_names(folders: dict[str, list[str]], pack: DefinitionPack,
                       undecided: set[str]) -> None:
    """A folder named as a platform's display name (``Nintendo Game Boy``, as `platforms`
    shows it) is that platform's (qa182: the DAT's ``Nintendo - Game Boy`` and the short
    ``Game Boy`` were, it was not). Only names no platform claims otherwise, and that no two
    platforms' display names share, nor frontends give to different platforms: a folder
    that decides now decides the same."""
    named: dict[str, set[str]] = defaultdict(set)
    for platform in pack.platforms.values():
        for spelling in display_spellings(platform.name):
            named[spelling.lower()].add(platform.id)
    for key, platforms in named.items():
        if len(platforms) == 1 and key not in folders and key not in undecided:
            folders[key] = [next(iter(platforms))]


_BiosTable = dict[str, tuple[BiosEntry, ...]]


def _bios_tables(entries: Iterable[BiosEntry]
                 ) -> tuple[_BiosTable, _BiosTable, _BiosTable, _BiosTable]:
    """By md5, by sha1, by crc32, by lowercase file name."""
    md5: dict[str, list[BiosEntry]] = defaultdict(list)
    sha1: dict[str, list[BiosEntry]] = defaultdict(list)
    crc: dict[str, list[BiosEntry]] = defaultdict(list)
    names: dict[str, list[BiosEntry]] = defaultdict(list)
    for entry in entries:
        for known in entry.known_hashes:
            for table, value in ((md5, known.md5), (sha1, known.sha1), (crc, known.crc32)):
                if value:
                    _add_once(table, value, entry)
        for filename in (entry.filename, *entry.alternate_filenames):
            _add_once(names, filename.rsplit("/", 1)[-1].lower(), entry)
    return _freeze(md5), _freeze(sha1), _freeze(crc), _freeze(names)


def _add_once(table: dict[K, list[V]], key: K, value: V) -> None:
    if value not in table[key]:
        table[key].append(value)


def _freeze(table: dict[K, list[V]]) -> dict[K, tuple[V, ...]]:
    return {key: tuple(values) for key, values in table.items()}
