"""The BIOS the engine knows: the pack's entries merged with imported extra hashes.

libretro's ``System.dat`` lists the BIOS and firmware its cores use, with all three hashes.
Its rows are kept as imported (``bios_extra_hashes``) and merged with the pack each time they
are used, so a pack update re-decides every conflict without a re-import. The pack wins:

* a DAT row sharing a hash with a pack entry fills the hashes that entry's dump lacks
  (a pack giving only an MD5 gains the SHA1 and CRC32) and gives the entry the DAT's file
  name as another name it accepts (System.dat's ``BIOS.col`` is the pack's ``coleco.rom``:
  a file under either name is checked against that dump), unless another of its hashes or
  its size disagrees with the pack: then it is a conflict and nothing changes;
* a DAT row with no shared hash but the name of a pack entry is another dump under the
  pack's name: a conflict, the pack's hashes stand (else a bad dump would turn good);
* any other row becomes an extra, optional entry, so a file matching it is recognised.

libretro cores' ``.info`` files (``core_firmware``) say which firmware each core needs or can
use, by path. Each is merged the same way: a core is added to the emulators of the entries
with that file name on its platform, or, when none is there, of the entries with that file
name on any platform, unless the entry already names it (the pack wins). A core's platform
is a guess (its first ``database``) and a multi-system core reads other systems' firmware:
VBA-M's first database is the Game Boy's, and its ``gba_bios.bin`` is the pack's GBA BIOS.
A file name no entry has becomes one presence-only entry (whichever cores name it), so
``bios check --emulator <core>`` knows every core with an ``.info`` file.

Every entry has an id of its own: a file's verdicts are stored one per entry id, and a name
shared by two entries with one id would give one file two verdicts for that id.
"""

from __future__ import annotations

import json
import re
from collections import defaultdict
from collections.abc import Collection, Iterable
from dataclasses import dataclass, field, replace
from functools import cached_property
from pathlib import Path
from typing import Any

from romrunner.catalog.datfile import DatHeader, DatRom, read_sectioned_roms
from romrunner.catalog.systems import platform_for_system
from romrunner.errors import InputError, quoted
from romrunner.packs.index import PackIndex
from romrunner.packs.loader import DefinitionPack
from romrunner.packs.model import BiosEntry, KnownHash
from romrunner.store.database import Database
from romrunner.words import counted, joined

_KINDS = ("sha1", "md5", "crc32")


@dataclass(frozen=True)
class ExtraRom:
    """One BIOS row of an imported DAT."""

    source: str
    section: str
    platform_id: str | None
    name: str
    size: int | None
    crc32: str | None
    md5: str | None
    sha1: str | None

    @property
    def basename(self) -> str:
        """The file name without the DAT's subfolder."""
        return self.name.rsplit("/", 1)[-1]


SAME_DUMP, OTHER_DUMP, NO_PACK_HASH = "same-dump", "other-dump", "no-pack-hash"


@dataclass(frozen=True)
class Conflict:
    """A DAT row the pack disagrees with (the pack's entry stands).

    ``kind`` is SAME_DUMP when the row shares a hash with a dump of the entry but another of
    its hashes (or its size) differs: one of the two sources is wrong about that dump.
    OTHER_DUMP: a row under the entry's name with none of its hashes (another version).
    NO_PACK_HASH: a row under the name of an entry that lists no hash at all (a file of that
    name is accepted unchecked, ``presence_only``): nothing to disagree with, and the row's
    hashes are not taken either (a zip's vary with its packer): no conflict, but said apart.
    """

    source: str
    name: str
    entry_id: str
    reason: str
    kind: str = SAME_DUMP

    def as_dict(self) -> dict[str, str]:
        """The JSON form."""
        return {"source": self.source, "name": self.name, "entry": self.entry_id,
                "reason": self.reason, "kind": self.kind}


@dataclass(frozen=True)
class CoreFirmware:
    """One firmware file a libretro core declares."""

    core_id: str
    path: str
    optional: bool
    platform_id: str | None

    @property
    def basename(self) -> str:
        """The file name without the BIOS subfolder."""
        return self.path.rsplit("/", 1)[-1]


@dataclass
class KnownBios:
    """Every BIOS entry in use, and what merging the extra sources decided."""

    pack_index: PackIndex
    entries: list[BiosEntry]
    added: int = 0
    enriched: int = 0
    conflicts: list[Conflict] = field(default_factory=list)

    @cached_property
    def index(self) -> PackIndex:
        """The pack's index with BIOS lookups over the merged entries."""
        return self.pack_index.with_bios(self.entries)

    @property
    def largest_size(self) -> int:
        """The largest known BIOS size (0 when none is given)."""
        return max((entry.file_size or 0 for entry in self.entries), default=0)


def _known_hash_of(rom: ExtraRom) -> KnownHash:
    return KnownHash(md5=rom.md5, sha1=rom.sha1, crc32=rom.crc32, preferred=False)


def _shares_hash(known: KnownHash, rom: ExtraRom, entry: BiosEntry) -> bool:
    if (rom.sha1 and known.sha1 == rom.sha1) or (rom.md5 and known.md5 == rom.md5):
        return True
    same_size = not entry.file_size or not rom.size or entry.file_size == rom.size
    return bool(rom.crc32 and known.crc32 == rom.crc32 and same_size)


def _disagreement(known: KnownHash, entry: BiosEntry, rom: ExtraRom) -> str | None:
    agree = [kind for kind in _KINDS
             if getattr(known, kind) and getattr(known, kind) == getattr(rom, kind)]
    differ = [kind for kind in _KINDS if getattr(known, kind) and getattr(rom, kind)
              and getattr(known, kind) != getattr(rom, kind)]
    sizes = (entry.file_size, rom.size)
    if entry.file_size and rom.size:
        (agree if entry.file_size == rom.size else differ).append("size")
    if not differ:
        return None
    theirs = " and ".join(f"{kind} {sizes[1] if kind == 'size' else getattr(rom, kind)}"
                          for kind in differ)
    ours = " and ".join(f"{sizes[0] if kind == 'size' else getattr(known, kind)}"
                        for kind in differ)
    strong = "sha1" in agree or "md5" in agree
    head = (f"{'same dump by' if strong else 'same'} {joined(agree)}, but {theirs} where "
            f"the pack has {ours}")
    if "sha1" in agree or ("md5" in agree and "size" not in differ):
        proof = "sha1" if "sha1" in agree else "md5 and size"
        return (f"{head}: one of the two is wrong; a file with this {proof} verifies "
                "either way")
    return f"{head}: another dump, or a wrong hash (a file needs the pack's md5 or sha1)"


def _another_file_of_that_name(entry: BiosEntry, rom: ExtraRom,
                               section_names: Collection[str]) -> bool:
    """True when a DAT row named as one of ``entry``'s other names is another file, not
    another dump of it: under a name that is not the entry's own, of another size than the
    entry's, or in a DAT section that lists the entry's own name too (``section_names``,
    lowercase: the section's files). QA129 F2: the real pack lists NP2kai's font.bmp,
    itf.rom and sound.rom as other names of its bios.rom; System.dat's rows for them were
    dropped "the pack's stand", and any file of those names then went on the card; review
    131 F2: keropi's iplrom30.dat, the X68030's IPL, has the size of the pack's iplrom.dat."""
    own = entry.filename.rsplit("/", 1)[-1].lower()
    if rom.basename.lower() == own:
        return False
    return own in section_names or (entry.file_size is not None and rom.size is not None
                                    and rom.size != entry.file_size)


def _under_the_pack_name(rom: ExtraRom, entry: BiosEntry) -> Conflict:
    """What a DAT row under ``entry``'s name sharing none of its hashes is: another dump —
    or, for an entry the pack gives no hash (qa206 F5: "not a hash the pack lists; the pack's
    stand" of CD-i's cdimono1.zip, of which the pack lists none), a file accepted by its
    name alone, which the row's hashes do not change."""
    kind = next(kind for kind in ("md5", "sha1", "crc32") if getattr(rom, kind))
    theirs = f"{kind} {getattr(rom, kind)}"
    if not entry.known_hashes:
        return Conflict(rom.source, rom.name, entry.id,
                        "the pack lists no hash for it: a file of this name is accepted "
                        f"unchecked (the DAT's {theirs} is not used)",
                        NO_PACK_HASH)
    return Conflict(rom.source, rom.name, entry.id,
                    f"another dump under the pack's name: its {theirs} is none of the pack's "
                    "hashes (the pack's hashes stand: a file needs one of them)", OTHER_DUMP)


def _filled(known: KnownHash, rom: ExtraRom) -> KnownHash:
    return replace(known, md5=known.md5 or rom.md5, sha1=known.sha1 or rom.sha1,
                   crc32=known.crc32 or rom.crc32)


class _Merger:
    """Folds extra rows into a copy of the pack's entries (see the module docstring)."""

    def __init__(self, pack: DefinitionPack, extras: Iterable[ExtraRom]) -> None:
        self.pack = pack
        self.section_names: dict[tuple[str, str], set[str]] = defaultdict(set)
        for rom in extras:
            self.section_names[(rom.source, rom.section)].add(rom.basename.lower())
        self.hashes: dict[str, list[KnownHash]] = {e.id: list(e.known_hashes) for e in pack.bios}
        self.by_name: dict[str, list[BiosEntry]] = defaultdict(list)
        for entry in pack.bios:
            for filename in (entry.filename, *entry.alternate_filenames):
                self.by_name[filename.rsplit("/", 1)[-1].lower()].append(entry)
        self.extra: dict[tuple[str, str], BiosEntry] = {}
        self.extra_ids = {entry.id for entry in pack.bios}
        self.conflicts: list[Conflict] = []
        self.enriched: set[str] = set()
        self.names: dict[str, list[str]] = defaultdict(list)  # the DAT's names per entry

    def add(self, rom: ExtraRom) -> None:
        if not (rom.sha1 or rom.md5 or rom.crc32):
            return  # a DAT row without a hash says nothing the name does not
        if self._merge_into_pack(rom):
            return
        for entry in self.by_name.get(rom.basename.lower(), ()):
            if rom.platform_id in (None, entry.platform_id) and not _another_file_of_that_name(
                    entry, rom, self.section_names.get((rom.source, rom.section), ())):
                self.conflicts.append(_under_the_pack_name(rom, entry))
                return
        self._add_extra(rom)

    def _merge_into_pack(self, rom: ExtraRom) -> bool:
        matched = False
        for entry in self.pack.bios:
            for position, known in enumerate(self.hashes[entry.id]):
                if not _shares_hash(known, rom, entry):
                    continue
                matched = True
                problem = _disagreement(known, entry, rom)
                if problem:
                    self.conflicts.append(Conflict(rom.source, rom.name, entry.id, problem))
                    continue
                if _filled(known, rom) != known:
                    self.hashes[entry.id][position] = _filled(known, rom)
                    self.enriched.add(entry.id)
                self._add_name(entry, rom.basename)
        return matched

    def _add_name(self, entry: BiosEntry, name: str) -> None:
        taken = {n.rsplit("/", 1)[-1].lower()
                 for n in (entry.filename, *entry.alternate_filenames, *self.names[entry.id])}
        if name.lower() not in taken:
            self.names[entry.id].append(name)

    def _add_extra(self, rom: ExtraRom) -> None:
        platform = rom.platform_id or rom.section
        key = (platform, rom.sha1 or rom.md5 or rom.crc32 or "")
        folder = rom.name.rsplit("/", 1)[0] if "/" in rom.name else None
        existing = self.extra.get(key)
        if existing is None:
            entry_id = f"{rom.source}:{rom.section}:{rom.name}"
            if entry_id in self.extra_ids:  # another dump under the same name in the section
                entry_id += f" [{key[1]}]"
            self.extra_ids.add(entry_id)
            self.extra[key] = BiosEntry(
                id=entry_id, name=f"{rom.basename} ({rom.section})",
                filename=rom.basename, platform_id=platform, required=False,
                hle_fallback=False, known_hashes=(_known_hash_of(rom),), file_size=rom.size,
                bios_subdirectory=folder)
        elif rom.basename not in (existing.filename, *existing.alternate_filenames):
            self.extra[key] = replace(
                existing, alternate_filenames=(*existing.alternate_filenames, rom.basename))
        elif folder and folder != existing.bios_subdirectory and \
                folder not in existing.alternate_subdirectories:
            self.extra[key] = replace(existing, alternate_subdirectories=(
                *existing.alternate_subdirectories, folder))

    def result(self) -> KnownBios:
        entries = [replace(e, known_hashes=tuple(self.hashes[e.id]),
                           alternate_filenames=(*e.alternate_filenames, *self.names[e.id]))
                   if e.id in self.enriched or self.names.get(e.id) else e
                   for e in self.pack.bios]
        return KnownBios(self.pack.index, entries + list(self.extra.values()),
                         added=len(self.extra), enriched=len(self.enriched),
                         conflicts=self.conflicts)


def merge_known_bios(pack: DefinitionPack, extras: list[ExtraRom],
                     firmware: list[CoreFirmware] | None = None) -> KnownBios:
    """The pack's BIOS entries with ``extras`` and the cores' ``firmware`` merged in; the
    pack wins every conflict."""
    merger = _Merger(pack, extras)
    for rom in extras:
        merger.add(rom)
    known = merger.result()
    if firmware:
        known.entries = merge_core_firmware(known.entries, [
            replace(item, core_id=emulator) for item in firmware
            for emulator in emulators_of_core(pack, item.core_id)])
    return known


def emulators_of_core(pack: DefinitionPack, core_id: str) -> list[str]:
    """The emulators a libretro core's firmware is filed under: the core's id (an ``.info``
    file's, ``pcsx2`` of ``pcsx2_libretro.info``) — unless the pack's emulator of that id is a
    standalone one: then the pack's emulators whose ``coreName`` is the core's file (QA84 F2:
    the core's firmware went to the standalone PCSX2, DuckStation, ScummVM of its id)."""
    own = pack.emulators.get(core_id)
    if own is None or (own.type or "").lower() != "standalone":
        return [core_id]
    wanted = f"{core_id}_libretro".lower()
    return sorted(emulator.id for emulator in pack.emulators.values()
                  if (emulator.core_name or "").lower() == wanted) or [f"{core_id}_libretro"]


def _with_core(entry: BiosEntry, item: CoreFirmware, own: bool) -> BiosEntry:
    """``entry`` naming the core ``item`` is of; ``own``: the pack names that core for the
    entry (then the core's .info places it: see _where_the_core_reads_it)."""
    if item.core_id in (*entry.required_for_emulators, *entry.optional_for_emulators):
        return _where_the_core_reads_it(entry, item) if own else entry  # (its needs stand)
    if own:
        entry = _where_the_core_reads_it(entry, item)
    entry = replace(entry, core_info_emulators=(*entry.core_info_emulators, item.core_id))
    if item.optional:
        return replace(entry, optional_for_emulators=(*entry.optional_for_emulators,
                                                      item.core_id))
    return replace(entry, required_for_emulators=(*entry.required_for_emulators, item.core_id))


def _where_the_core_reads_it(entry: BiosEntry, item: CoreFirmware) -> BiosEntry:
    """``entry`` placed where the core the pack names for it reads it, by the core's own
    ``.info`` (its folder, its spelling), when the pack places it otherwise: QA55 F1, the
    pack's ``np2/bios.rom`` for NP2kai, which reads ``np2kai/bios.rom``; F8, X Millennium's
    ``xmil/IPLROM.X1`` written ``iplrom.x1``, which a case-sensitive card does not find.
    The pack's name stays a name the entry accepts."""
    folder = item.path.rsplit("/", 1)[0] if "/" in item.path else None
    placed = "/".join(part for part in (entry.bios_subdirectory, entry.filename) if part)
    if placed == item.path or entry.filename.rsplit("/", 1)[-1].lower() != \
            item.basename.lower():
        return entry
    names = tuple(dict.fromkeys((*entry.alternate_filenames,
                                 entry.filename.rsplit("/", 1)[-1])))
    return replace(entry, filename=item.basename, bios_subdirectory=folder,
                   alternate_filenames=tuple(n for n in names if n != item.basename))


def merge_core_firmware(entries: list[BiosEntry], firmware: list[CoreFirmware]
                        ) -> list[BiosEntry]:
    """``entries`` with each core named where its firmware is (see the module docstring)."""
    merged = list(entries)
    taken = {entry.id for entry in merged}
    by_name: dict[str, list[int]] = defaultdict(list)
    for position, entry in enumerate(merged):
        for filename in (entry.filename, *entry.alternate_filenames):
            by_name[filename.rsplit("/", 1)[-1].lower()].append(position)
    declared: dict[str, set[str]] = defaultdict(set)  # core -> the file names it declares
    for item in firmware:
        declared[item.core_id].add(item.basename.lower())
    # the cores each pack entry names itself (before any .info joins it), spelt as .info ids
    # are (the pack writes `pcsx-rearmed`, the .info `pcsx_rearmed`)
    own_cores = {entry.id: {_core_key(core) for core in (*entry.required_for_emulators,
                                                         *entry.optional_for_emulators)}
                 for entry in entries}
    for item in firmware:
        named = [p for p in by_name.get(item.basename.lower(), [])
                 if not (_core_key(item.core_id) in own_cores.get(merged[p].id, ()) and
                         _another_file_of_the_core(merged[p], item, declared[item.core_id]))]
        found = [p for p in named if item.platform_id in (None, merged[p].platform_id)] \
            or list(named)
        if not found:
            folder = item.path.rsplit("/", 1)[0] if "/" in item.path else None
            entry_id = f"libretro-info:{item.path}"
            if entry_id in taken:  # a pack entry of that id (a new entry has a new name)
                entry_id += f" [{item.core_id}]"
            taken.add(entry_id)
            merged.append(BiosEntry(
                id=entry_id, name=f"{item.basename} (libretro core info)",
                filename=item.basename, platform_id=item.platform_id or "unknown",
                required=False, hle_fallback=False, known_hashes=(),
                bios_subdirectory=folder))
            found = [len(merged) - 1]
            by_name[item.basename.lower()].append(found[0])
        for position in dict.fromkeys(found):  # (once: two names of one entry fold alike)
            # (placed by the core's .info only when it is the one core the pack names for
            # the entry: of several — neogeo.zip's fbneo and fbalpha2012 — the others read
            # it where the pack puts it: QA58 F1)
            merged[position] = _with_core(
                merged[position], item,
                own_cores.get(merged[position].id) == {_core_key(item.core_id)}
                or _spelt_in_its_cores_folder(merged[position], item))
    return [_without_the_cores_other_files(entry, declared, own_cores.get(entry.id, set()))
            for entry in merged]


def _without_the_cores_other_files(entry: BiosEntry, declared: dict[str, set[str]],
                                   cores: set[str]) -> BiosEntry:
    """``entry`` without the other names that a core the pack names for it (``cores``)
    declares as files of their own (see _another_file_of_the_core): a file under such a
    name is that file, not a copy of this one."""
    own = entry.filename.rsplit("/", 1)[-1].lower()
    declared_by = {_core_key(core): names for core, names in declared.items()}
    others = {name for core in cores if own in declared_by.get(core, ())
              for name in declared_by[core]} - {own}
    if not others:
        return entry
    kept = tuple(name for name in entry.alternate_filenames
                 if name.rsplit("/", 1)[-1].lower() not in others)
    return entry if kept == entry.alternate_filenames else replace(
        entry, alternate_filenames=kept)


def _spelt_in_its_cores_folder(entry: BiosEntry, item: CoreFirmware) -> bool:
    """True when ``item`` is ``entry`` where the pack places it but for the case of its name,
    in a folder of its own (`xmil/IPLROM.X1`, the pack's `xmil/iplrom.x1`): a core's
    subfolder is read by that core, whatever id the pack gives it (X Millennium is `xmil` in
    the pack, `x1` in its .info), and a case-sensitive card finds the .info's spelling only.
    A file at the BIOS folder's root, which several cores read, keeps the pack's name."""
    placed = "/".join(part for part in (entry.bios_subdirectory, entry.filename) if part)
    return "/" in item.path and item.path != placed and item.path.lower() == placed.lower()


def _core_key(core: str) -> str:
    """A core's id as compared between the pack and .info files."""
    return core.lower().replace("-", "_").removesuffix("_libretro")


def _another_file_of_the_core(entry: BiosEntry, item: CoreFirmware,
                              declared: set[str]) -> bool:
    """True when ``item`` has only another name of ``entry`` while its core — one the pack
    names for the entry — declares the entry's own file too: two files of the core, not two
    names of one (a core that is no entry's own may list two names of one file, as SkyEmu
    does ``cgb_boot.bin`` and ``gbc_bios.bin``). (QA55 F11: the pack
    lists NP2kai's ``font.bmp`` and ``itf.rom`` as other names of ``bios.rom``, so the
    player's font was judged a bad copy of the BIOS and never deployed)."""
    own = entry.filename.rsplit("/", 1)[-1].lower()
    return item.basename.lower() != own and own in declared


def load_core_firmware(db: Database) -> list[CoreFirmware]:
    """Every imported core firmware row but a folder's (``pcsx2/bios``: an earlier release
    stored them as files; no BIOS file satisfies one, QA89 F3)."""
    return [CoreFirmware(r["core_id"], r["path"], bool(r["optional"]), r["platform_id"])
            for r in db.query("SELECT core_id, path, optional, platform_id FROM core_firmware "
                              "ORDER BY core_id, path")
            if "." in str(r["path"]).rsplit("/", 1)[-1]]


def load_extras(db: Database) -> list[ExtraRom]:
    """Every imported extra BIOS row, in import order."""
    return [ExtraRom(r["source"], r["section"], r["platform_id"], r["name"], r["size"],
                     r["crc32"], r["md5"], r["sha1"])
            for r in db.query("SELECT source, section, platform_id, name, size, crc32, md5, "
                              "sha1 FROM bios_extra_hashes ORDER BY id")]


def known_bios(db: Database, pack: DefinitionPack) -> KnownBios:
    """The pack's BIOS entries merged with every imported extra source and core's firmware."""
    return merge_known_bios(pack, load_extras(db), load_core_firmware(db))


@dataclass
class BiosDatImport:
    """What ``bios import-dat`` stored and what the merge with the pack decided."""

    source: str
    version: str | None
    rows: int
    unmapped_sections: list[str]
    problems: list[str]
    known: KnownBios
    unchanged: bool = False  # the same rows as the source's last import: nothing written

    def as_dict(self) -> dict[str, Any]:
        """The JSON form."""
        return {"source": self.source, "version": self.version, "rows": self.rows,
                "unchanged": self.unchanged,
                "added_entries": self.known.added, "enriched_entries": self.known.enriched,
                "conflicts": [c.as_dict() for c in self.known.conflicts
                              if c.kind != NO_PACK_HASH],
                "no_pack_hash": [c.as_dict() for c in self.known.conflicts
                                 if c.kind == NO_PACK_HASH],
                "unmapped_sections": self.unmapped_sections, "problems": self.problems}


def _extra_rom(source: str, section: str, rom: DatRom, known_platforms: set[str]) -> ExtraRom:
    platform = platform_for_system(section, known_platforms)
    return ExtraRom(source, section, platform if platform in known_platforms else None,
                    rom.name, rom.size, rom.crc32, rom.md5, rom.sha1)


_BIOS_WORDS = re.compile(r"\b(bios|firmware)\b", re.IGNORECASE)


# Firmware files are dumps of chips (.bin, .rom), packed sets (.zip) or a core's data files;
# a game in a catalog DAT carries its region in its name: "Tetris (World).gb", "X (USA).bin".
_FIRMWARE_SUFFIXES = frozenset((
    ".bin", ".rom", ".zip", ".7z", ".img", ".bios", ".dat", ".key", ".sys", ".fw", ".mem",
    ".hex", ".srm", ".szx", ".jar", ".cfg", ".txt", ".ic1", ".u1", ".pal", ".ini", ".ovl",
    ".nvm", ".eeprom", ".raw", ".chr", ".prg", ".irx", ".elf", ".keys", ".cer", ".der"))
_CATALOG_TAG = re.compile(
    r"\((?:USA|Europe|Japan|World|Korea|China|Asia|Brazil|Australia|Canada|France|Germany|"
    r"Spain|Italy|Netherlands|Sweden|Taiwan|Hong Kong|Russia|Unknown|Rev [0-9A-Z.]+|Proto|"
    r"Beta|Demo|Sample|Unl)(?:[,)]| [^)]*\))")


def bios_like_entries(names: list[str]) -> tuple[int, str]:
    """How many of ``names`` look like firmware files, and one name that does not ('' when
    all do). A No-Intro BIOS name (``[BIOS] …``) counts as firmware; otherwise a name counts
    when its suffix is a firmware file's and it carries no catalog region/release tag."""
    like, example = 0, ""
    for name in names:
        base = name.replace("\\", "/").rsplit("/", 1)[-1]
        suffix = base[base.rfind("."):].lower() if "." in base else ""
        if base.startswith("[BIOS]") or (suffix in _FIRMWARE_SUFFIXES
                                         and not _CATALOG_TAG.search(base)):
            like += 1
        elif not example:
            example = name
    return like, example


def is_bios_dat(header: DatHeader) -> bool:
    """True when a DAT says it lists BIOS or firmware: libretro's ``System`` DAT, or a DAT
    whose name, description or comment says BIOS or firmware. A game DAT (No-Intro, Redump)
    says neither, and its games are not BIOS rows."""
    if header.name.strip().lower() == "system":
        return True
    text = " ".join(filter(None, (header.name, header.description, header.comment)))
    return _BIOS_WORDS.search(text) is not None


def read_bios_dat(path: Path, pack: DefinitionPack
                  ) -> tuple[DatHeader, list[ExtraRom], list[str]]:
    """A System.dat-style DAT's header, rows and parse problems; a game DAT is refused."""
    header, roms, problems = read_sectioned_roms(path)
    if not is_bios_dat(header):
        raise InputError(f"{path}: {quoted(header.name)} is a game DAT, not a BIOS/system DAT like "
                         "libretro's System.dat; import game catalogs with `romrunner dat import`")
    if not roms:
        raise InputError(f"{path}: no ROM rows; not a BIOS DAT")
    like, example = bios_like_entries([rom.name for _, rom in roms])
    if like * 2 < len(roms):
        raise InputError(f"{path}: {quoted(header.name)} does not list BIOS files: {like:,} "
                         f"of {counted(len(roms), 'entry', 'entries')} "
                         f"{'looks' if like == 1 else 'look'} like firmware (e.g. "
                         f"{quoted(example)} does not); import game catalogs with `romrunner "
                         "dat import`")
    known = set(pack.platforms)
    return header, [_extra_rom(header.name, section, rom, known) for section, rom in roms], \
        problems


def import_bios_dat(db: Database, path: Path, pack: DefinitionPack) -> BiosDatImport:
    """Store a System.dat-style DAT's rows (replacing an earlier import of the same DAT);
    the same rows as its last import (the same file again, or a copy of it) are left as they
    are, and said unchanged (qa206 F5: a re-import printed every line again, unlike `dat
    import`)."""
    header, rows, problems = read_bios_dat(path, pack)
    source = header.name
    fresh = [(header.version, r.section, r.platform_id, r.name, r.size, r.crc32, r.md5, r.sha1)
             for r in rows]
    stored = [tuple(row) for row in db.query(
        "SELECT version, section, platform_id, name, size, crc32, md5, sha1 "
        "FROM bios_extra_hashes WHERE source = ? ORDER BY id", (source,))]
    unchanged = bool(stored) and stored == fresh
    if not unchanged:
        with db.atomic():
            db.execute("DELETE FROM bios_extra_hashes WHERE source = ?", (source,))
            db.executemany(
                "INSERT INTO bios_extra_hashes (source, version, source_path, section, "
                "platform_id, name, size, crc32, md5, sha1) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [(r.source, header.version, str(path.resolve()), r.section, r.platform_id,
                  r.name, r.size, r.crc32, r.md5, r.sha1) for r in rows])
    unmapped = sorted({r.section for r in rows if r.platform_id is None})
    return BiosDatImport(source, header.version, len(rows), unmapped, problems,
                         known_bios(db, pack), unchanged)


def dat_disagreements(path: Path, pack: DefinitionPack) -> list[Conflict]:
    """The rows of a BIOS DAT that give a pack dump's hash and disagree on another of its
    hashes or its size (nothing is stored: ``pack validate --bios-dat``)."""
    _, rows, _ = read_bios_dat(path, pack)
    return [c for c in merge_known_bios(pack, rows).conflicts if c.kind == SAME_DUMP]


def imported_disagreements(db: Database, pack: DefinitionPack) -> list[Conflict]:
    """The same, against every BIOS DAT imported into the database."""
    return [c for c in merge_known_bios(pack, load_extras(db)).conflicts
            if c.kind == SAME_DUMP]


def pack_disagreements(entries: list[BiosEntry]) -> list[str]:
    """Pack dumps that give one MD5 or SHA1 and disagree on another hash or the size: one of
    the two records is wrong (each pair once)."""
    problems: list[str] = []
    reported: set[frozenset[tuple[str, int]]] = set()
    for kind in ("md5", "sha1"):
        by_value: dict[str, list[tuple[BiosEntry, int]]] = defaultdict(list)
        for entry in entries:
            for position, known in enumerate(entry.known_hashes):
                if getattr(known, kind):
                    by_value[getattr(known, kind)].append((entry, position))
        for value, records in by_value.items():
            first, first_at = records[0]
            for other, other_at in records[1:]:
                pair = frozenset({(first.id, first_at), (other.id, other_at)})
                differ = _record_difference(first, first.known_hashes[first_at],
                                            other, other.known_hashes[other_at])
                if differ and pair not in reported:
                    reported.add(pair)
                    problems.append(f"{first.id!r} and {other.id!r} both give {kind} {value} "
                                    f"but another {differ}: one of them is wrong")
    return problems


def _record_difference(first: BiosEntry, ours: KnownHash, other: BiosEntry,
                       theirs: KnownHash) -> str:
    differ = [f"{kind} ({getattr(ours, kind)} vs {getattr(theirs, kind)})" for kind in _KINDS
              if getattr(ours, kind) and getattr(theirs, kind)
              and getattr(ours, kind) != getattr(theirs, kind)]
    if first.file_size and other.file_size and first.file_size != other.file_size:
        differ.append(f"size ({first.file_size} vs {other.file_size})")
    return " and ".join(differ)


def library_bios_dumps(db: Database, pack: DefinitionPack,
                       game_ids: Iterable[int] | None = None) -> dict[int, str]:
    """The library's present games (of ``game_ids``, else all) whose bytes are a BIOS dump
    the definition pack knows — its SHA1, or, for a file known by its CRC32 only, that CRC32
    and size — with the BIOS's file name: a BIOS kept among the games (``psx/scph5500.bin``)
    is no game of an auto-list nor of a ROM folder on a card (QA39 F1: included, and deployed
    as a game beside the games). Only the pack's own entries: libretro's System.dat lists
    whole cartridges as firmware (``sk.bin``, the Super Game Boy), and a game a catalog
    identifies by its hashes stays a game unless that catalog calls it a BIOS (review 20
    R1: Sonic & Knuckles left off the card)."""
    index = pack.index
    by_sha1 = {bytes.fromhex(key): entries[0].filename.rsplit("/", 1)[-1]
               for key, entries in index.bios_by_sha1.items() if _is_hex(key, 40)}
    by_crc = {(bytes.fromhex(key), entry.file_size): entry.filename.rsplit("/", 1)[-1]
              for key, entries in index.bios_by_crc32.items() if _is_hex(key, 8)
              for entry in entries if entry.file_size}
    wanted = None if game_ids is None else set(game_ids)
    found: dict[int, str] = {}
    sha1s, crcs = sorted(by_sha1), sorted({crc for crc, _ in by_crc})
    for start in range(0, len(sha1s), 400):
        chunk = sha1s[start:start + 400]
        for game_id, sha1 in db.query(
                f"SELECT id, sha1_bin FROM games WHERE is_missing = 0 "
                f"AND sha1_bin IN ({', '.join('?' * len(chunk))})", chunk):
            found[int(game_id)] = by_sha1[bytes(sha1)]
    for start in range(0, len(crcs), 400):
        chunk = crcs[start:start + 400]
        for game_id, crc, size in db.query(
                f"SELECT id, crc32_bin, file_size FROM games WHERE is_missing = 0 "
                f"AND sha1_bin IS NULL AND crc32_bin IN ({', '.join('?' * len(chunk))})",
                chunk):
            name = by_crc.get((bytes(crc), size))
            if name is not None:
                found[int(game_id)] = name
    if found:
        games = {int(row[0]) for row in db.query(
            "SELECT id FROM games WHERE id IN (SELECT value FROM json_each(?)) "
            "AND match_method IN ('sha1', 'md5', 'crc32', 'tracks', 'user') "
            "AND matched_game_id NOT LIKE '%:[BIOS]%'", (json.dumps(sorted(found)),))}
        found = {k: v for k, v in found.items() if k not in games}
    return found if wanted is None else {k: v for k, v in found.items() if k in wanted}


def _is_hex(text: str, length: int) -> bool:
    return len(text) == length and all(c in "0123456789abcdefABCDEF" for c in text)
