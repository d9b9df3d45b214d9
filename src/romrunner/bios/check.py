"""Requirements as groups ("any one of these"), and what the user has for each.

The pack marks every PS1 BIOS as required, yet any one valid PS1 BIOS is enough; a Nintendo
DS needs its ARM7 BIOS *and* its ARM9 BIOS *and* its firmware. The pack does not say which
entries are alternatives, so entries are grouped by what they are for: same platform, same
size, and the same emulators requiring them. Regional variants of one BIOS share a size;
different parts of a system do not. A Kanji font ROM is a part of its own, and optional: it
only adds Japanese text to a system that boots without it (the cores' own info files mark every
one optional: Opera, QUASI88, fMSX), whatever the pack says. A group is satisfied by any member
present with a good status (exact, alternate or presence-only match) under an accepted name.
"""

from __future__ import annotations

import difflib
import os
import zipfile
from collections import defaultdict
from collections.abc import Collection, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from romrunner.bios.known import emulators_of_core, known_bios
from romrunner.bios.verify import GOOD_STATUSES, verify
from romrunner.devices.osprofile import resolve_os_profile
from romrunner.devices.paths import folder_name_for, platforms_with_stored_folders
from romrunner.devices.profiles import Profile, load_profile, platform_emulators
from romrunner.errors import NotFoundError, quoted
from romrunner.library.containers import ZIP_ERRORS
from romrunner.library.hashing import Hashes
from romrunner.library.summary import os_path
from romrunner.packs.index import PackIndex
from romrunner.packs.loader import DefinitionPack
from romrunner.packs.model import BiosEntry
from romrunner.store.database import Database
from romrunner.textnorm import storable

# A group's status. Only a required group can block (or fall back to HLE): the check's exit
# code and the summary count required groups alone, so a missing optional group is just that.
SATISFIED, HLE, BLOCKING = "satisfied", "missing-hle-fallback", "missing-blocking"
OPTIONAL_MISSING = "missing-optional"


@dataclass
class BiosGroup:
    """Entries of which any one is enough, for a platform or one emulator."""

    platform_id: str
    emulator_id: str | None
    required: bool
    entries: list[BiosEntry]
    status: str = BLOCKING
    origin: str | None = None  # with a profile: how the emulator was chosen
    # with a profile whose OS family reads each system's BIOS from a folder of its own
    # (MinUI: ``PS``): that folder, under the OS's BIOS folder
    os_folder: str | None = None
    # with a profile whose OS puts the platform's BIOS in a folder of its own, in place of
    # each entry's (see FolderNames.entry_bios_folder; "": the BIOS folder itself)
    entry_folder: str | None = None
    present: list[dict[str, Any]] = field(default_factory=list)
    problems: list[dict[str, Any]] = field(default_factory=list)
    # unmet: the members of the zips `bios scan` stored that its entries' CRC32 and size
    # name, each {"zip", "member", "entry"} (qa182: `bios scan` named them, a check did not)
    inside_zips: list[dict[str, str]] = field(default_factory=list)

    @property
    def hle_fallback(self) -> bool:
        """True when an emulator can run without any member (high-level emulation)."""
        return any(entry.hle_fallback for entry in self.entries)

    def folder_of(self, entry: BiosEntry) -> str | None:
        """The subfolder of the OS's BIOS folder ``entry`` goes to: the OS family's for the
        platform, else the entry's own (QA147 F2: EmuDeck's PCSX2-Qt reads Emulation/bios,
        Batocera's bios/ps2; the pack's pcsx2/bios is the LRPS2 core's)."""
        return self.entry_folder if self.entry_folder is not None else entry.bios_subdirectory

    def as_dict(self) -> dict[str, Any]:
        """The JSON form of the group, with where each file goes under the OS's BIOS folder
        (the OS family's folder for the platform, with a profile; then the entry's own)."""
        return {"platform_id": self.platform_id, "emulator_id": self.emulator_id,
                "emulator_origin": self.origin, "os_folder": self.os_folder,
                "required": self.required, "status": self.status,
                "hle_fallback": self.hle_fallback,
                "one_of": [{"id": e.id, "filename": e.filename, "file_size": e.file_size,
                            "known_hashes": [{"md5": k.md5, "sha1": k.sha1, "crc32": k.crc32,
                                              "preferred": k.preferred}
                                             for k in e.known_hashes],
                            # (a folder the pack writes in the file name, `np2/bios.rom`,
                            # is where it goes too: QA58 F3)
                            "destination": "/".join(
                                part for part in (self.os_folder, _entry_subfolder(self, e))
                                if part) or None,
                            "alternate_destinations": list(e.alternate_subdirectories)}
                           for e in self.entries],
                "present": [_shown(row) for row in self.present],
                "problems": [_shown(row) for row in self.problems],
                "inside_zips": self.inside_zips}


def _shown(row: dict[str, Any]) -> dict[str, Any]:
    """A file's row as the JSON gives it: ``gone`` when it is not there since its scan."""
    return {**{key: value for key, value in row.items() if key != "there"},
            "gone": not row.get("there", True)}


def platform_groups(entries: Iterable[BiosEntry]) -> list[BiosGroup]:
    """Groups per platform (any emulator): the regional variants of one BIOS share a size,
    and one of them is what the platform needs whichever emulator requires which — as one
    emulator's groups are made (QA50 F6: keyed by the emulators requiring each entry too,
    Sega CD's E/J entries (two emulators), its U v1.10 (PicoDrive) and U v2.00w (Genesis
    Plus GX) were three needs, a verified US BIOS "missing" the other two, and the US one
    asked for twice)."""
    grouped: dict[tuple[Any, ...], list[BiosEntry]] = defaultdict(list)
    for entry in entries:
        grouped[_group_key(entry, entry.required)].append(entry)
    return [BiosGroup(key[0], None, key[1], members) for key, members in grouped.items()]


def _group_key(entry: BiosEntry, required: bool) -> tuple[str, bool, int | str]:
    """(platform, required, what it is): its size, its name when it has neither size nor
    hash, or ``kanji`` for a Kanji font ROM, which
    is never required (QA107 F4: the pack marks 3DO's required; a 1 MiB one then satisfied
    the 3DO BIOS group, and without one a good BIOS was told "will not run")."""
    if is_kanji_rom(entry):
        return (entry.platform_id, False, "kanji")
    if entry.file_size is None and not entry.known_hashes:
        # (a file known by its name alone — a libretro core's firmware — is a need of its
        # own: QA129 F6, NP2kai's eight files one group, "satisfied" by three)
        return (entry.platform_id, required, f"name:{entry.filename.lower()}")
    return (entry.platform_id, required, entry.file_size or 0)


def is_kanji_rom(entry: BiosEntry) -> bool:
    """True for a Kanji font ROM (``panafz1j-kanji.bin``, ``n88knj1.rom``, ``KANJI.ROM``)."""
    name = entry.filename.rpartition("/")[2].lower()
    return "kanji" in name or "knj" in name


def names_emulator(named: Iterable[str], emulator_id: str, cores: Collection[str] = ()
                   ) -> bool:
    """True when a BIOS entry's emulators ``named`` hold ``emulator_id``, under its name with
    or without ``-standalone`` (QA107 F5: EmuDeck's ``flycast-standalone`` got none of
    ``flycast``'s BIOS). A libretro core is another emulator: its firmware is its own (QA84
    F2), so a name in ``cores`` (one only a core's ``.info`` gives the entry) holds that core
    alone (qa193 F1: ``ppsspp_libretro.info``'s ``ppge_atlas.zim`` made PPSSPP Standalone,
    which ships its own, "not run" without it)."""
    bare = emulator_id.removesuffix(_STANDALONE)
    return any(name == emulator_id or (name not in cores
                                       and name.removesuffix(_STANDALONE) == bare)
               for name in named)


def _names(entry: BiosEntry, emulator_id: str) -> bool:
    """True when ``entry`` names ``emulator_id`` as one needing or using it."""
    return names_emulator((*entry.required_for_emulators, *entry.optional_for_emulators),
                          emulator_id, entry.core_info_emulators)


def _pack_names_none(entry: BiosEntry) -> bool:
    """True when the pack names no emulator for ``entry`` (a core's ``.info`` may)."""
    return all(name in entry.core_info_emulators
               for name in (*entry.required_for_emulators, *entry.optional_for_emulators))


_STANDALONE = "-standalone"


def emulator_groups(entries: Iterable[BiosEntry], emulator_id: str) -> list[BiosGroup]:
    """Groups for one emulator: entries it requires, and entries it can use.

    An entry the pack marks required without naming any emulator is the platform's own need
    (whatever runs its games), so it stays required for ``emulator_id`` on the platforms an
    entry names the emulator for. One that is optional and names none (the extras of a BIOS
    DAT, most of them) is left out: the emulator's own entries say what it can use.
    """
    entries = list(entries)
    runs = {e.platform_id for e in entries if _names(e, emulator_id)}
    grouped: dict[tuple[Any, ...], list[BiosEntry]] = defaultdict(list)
    for entry in entries:
        cores = entry.core_info_emulators
        if names_emulator(entry.required_for_emulators, emulator_id, cores) or (
                entry.required and entry.platform_id in runs and _pack_names_none(entry)
                and not names_emulator(entry.optional_for_emulators, emulator_id, cores)):
            grouped[_group_key(entry, True)].append(entry)
        elif names_emulator(entry.optional_for_emulators, emulator_id, cores):
            grouped[_group_key(entry, False)].append(entry)
    return [BiosGroup(key[0], emulator_id, key[1], members) for key, members in grouped.items()]


def _verdicts_by_entry(db: Database, index: PackIndex) -> dict[str, list[dict[str, Any]]]:
    """Each entry's verdicts on present files, judged now by ``index`` (the pack in use and
    the imported hashes) from the hashes the last `bios scan` stored — not the verdicts it
    stored, which were the pack of that day's (QA25 F3: a dump a newer pack no longer knows
    stayed "verified", and was deployed). ``name_serves`` tells whether the file's name is
    one a good verdict of the file accepts (then renaming it would break that entry),
    ``name_taken`` whether it is the name of another entry it is not (then renaming it frees
    that name: QA23 F4)."""
    found: dict[str, list[dict[str, Any]]] = defaultdict(list)
    there: dict[str, bool] = {}  # (a file gone since its scan: another copy first, QA40 F1)
    for row in db.query("SELECT filepath, filename, file_md5, file_sha1, file_crc32, "
                        "file_size FROM bios_files WHERE is_missing = 0 "
                        "AND file_sha1 IS NOT NULL ORDER BY filepath"):
        verdicts = verify(index, Hashes(int(row["file_size"]), row["file_crc32"],
                                        row["file_md5"], row["file_sha1"]), row["filename"])
        own_name = [v for v in verdicts if v.expected_filename is None]
        serves = any(v.status in GOOD_STATUSES for v in own_name)
        taken = any(v.entry_id and v.status not in GOOD_STATUSES for v in own_name)
        for verdict in verdicts:
            found[verdict.entry_id].append({
                "bios_definition_id": verdict.entry_id, "status": verdict.status,
                "expected_filename": verdict.expected_filename,
                "matched_hash_type": verdict.matched_hash, "filepath": row["filepath"],
                "file_md5": row["file_md5"], "file_sha1": row["file_sha1"],
                "file_crc32": row["file_crc32"], "file_size": row["file_size"],
                "name_serves": serves, "name_taken": taken,
                "there": there.setdefault(row["filepath"], os.path.exists(
                    os_path(str(row["filepath"]))))})
    return found


def unverified_bios_sha1s(db: Database, pack: DefinitionPack) -> set[str]:
    """The SHA1s of the user's stored BIOS files that no entry of the pack in use takes for
    a good dump (its hash changed or its entry dropped since `bios scan`): a copy an earlier
    deploy put on a card is kept by ``--prune`` (QA29 F5: removed, the user's file blamed)."""
    index = known_bios(db, pack).index
    good: set[str] = set()
    every: set[str] = set()
    for entry_id, verdicts in _verdicts_by_entry(db, index).items():
        for row in verdicts:
            if entry_id:  # (a file no entry relates to is nobody's BIOS)
                every.add(str(row["file_sha1"]))
            if row["status"] in GOOD_STATUSES:
                good.add(str(row["file_sha1"]))
    # (verified at its scan: a game file `bios scan` of a ROM folder found is no BIOS of
    # anyone's, never held for one: QA55 F4, every such game kept by every prune)
    stored = {str(row[0]) for row in db.query(
        "SELECT f.file_sha1 FROM bios_files f WHERE f.is_missing = 0 "
        "AND f.file_sha1 IS NOT NULL AND EXISTS (SELECT 1 FROM bios_verification v "
        "WHERE v.bios_file_id = f.id AND v.is_match = 1)")}
    return {sha1.lower() for sha1 in (stored | every) - good}


_RANK = {"exact_match": 0, "alternate_hash": 1, "presence_only": 2}


def _decide(group: BiosGroup, found: dict[str, list[dict[str, Any]]]) -> None:
    """Present: every good file under a name its entry accepts, then each good file under
    another name (the card gets it under the entry's name) that the group does not have yet:
    once per file, and only for an entry no file serves under its own name. Best first
    (exact before alternate, a file that is there before one gone since its scan, then by
    path), so a deploy keeps the first of two for one name.
    """
    order = {entry.id: position for position, entry in enumerate(group.entries)}
    named: list[dict[str, Any]] = []
    renamed: list[dict[str, Any]] = []
    for entry in group.entries:
        for item in found.get(entry.id, []):
            row = {"entry": entry.id, **item, "card_name": entry.filename}
            if item["status"] not in GOOD_STATUSES:
                group.problems.append(row)
            else:
                (renamed if item["expected_filename"] else named).append(row)
    # (a copy gone since its scan serves no entry another copy that is there serves, under
    # its name or not: QA41 F1, the gone one under the entry's name won every deploy)
    there = {row["entry"] for row in (*named, *renamed) if row["there"]}
    named = [row for row in named if row["there"] or row["entry"] not in there]
    renamed = [row for row in renamed if row["there"] or row["entry"] not in there]
    named.sort(key=lambda r: (_RANK[r["status"]], not r["there"], r["filepath"],
                              order[r["entry"]]))
    renamed.sort(key=lambda r: (_RANK[r["status"]], not r["there"], r["filepath"],
                                order[r["entry"]]))
    served = {row["entry"] for row in named}
    used = {row["filepath"] for row in named}
    group.present = _once_per_file_and_name(named)
    for row in renamed:
        if row["entry"] not in served and row["filepath"] not in used:
            served.add(row["entry"])  # later copies for the same name would never be used
            used.add(row["filepath"])
            group.present.append(row)
    # (a file gone since its scan satisfies nothing: QA129 F5, a deleted BIOS folder's
    # neogeo.zip was "satisfied"; it stays listed, said gone, and a deploy says it missing)
    if any(row["there"] for row in group.present):
        group.status = SATISFIED
    elif not group.required:
        group.status = OPTIONAL_MISSING
    else:
        group.status = HLE if group.hle_fallback else BLOCKING


_ZIP_MEMBERS_LOOKED_AT = 256  # (as `bios scan`: a zip of a whole romset is no BIOS download)


def _look_in_stored_zips(db: Database, unmet: list[BiosGroup]) -> None:
    """For each group of ``unmet``, the members of the zips `bios scan` stored (there now)
    that its entries' CRC32 and size name, by the zips' directories (nothing decompressed):
    extracted, they would meet it."""
    wanted: dict[tuple[str, int | None], list[tuple[BiosGroup, BiosEntry]]] = defaultdict(list)
    for group in unmet:
        for entry in group.entries:
            for known in entry.known_hashes:
                if known.crc32:
                    wanted[(known.crc32.lower(), entry.file_size)].append((group, entry))
    if not wanted:
        return
    for (filepath,) in db.query("SELECT filepath FROM bios_files WHERE is_missing = 0 "
                                "AND lower(filename) LIKE '%.zip' ORDER BY filepath"):
        try:
            with zipfile.ZipFile(os_path(str(filepath))) as archive:
                members = [(m.filename, m.CRC, m.file_size) for m in archive.infolist()
                           if not m.is_dir()][:_ZIP_MEMBERS_LOOKED_AT]
        except (OSError, *ZIP_ERRORS):
            continue
        for name, crc, size in members:
            for key in ((f"{crc:08x}", size), (f"{crc:08x}", None)):
                for group, entry in wanted.get(key, ()):
                    item = {"zip": str(filepath), "member": name, "entry": entry.id}
                    if item not in group.inside_zips:
                        group.inside_zips.append(item)


def _drop_problems_of_good_dumps(groups: list[BiosGroup],
                                 found: dict[str, list[dict[str, Any]]],
                                 names: dict[str, str]) -> None:
    """No group calls a bad dump a file that is a good dump of another entry of the same
    card name — another version of one BIOS (the pack's Sega CD USA BIOS, four versions
    named bios_CD_U.bin: QA129 F4, the v2.00W the user has was "wrong hash" of v1.10, "not
    copied", and copied) — and each file is said once per group. (A file holding another
    BIOS's dump under this one's name stays a problem: QA23 F4.) ``names``: entry ->
    its card name."""
    good = {(str(item["filepath"]), names.get(entry, "").casefold())
            for entry, items in found.items() for item in items
            if item["status"] in GOOD_STATUSES}
    good_files = {path for path, _ in good}
    for group in groups:
        seen: set[str] = set()
        kept = []
        for row in group.problems:
            path = str(row["filepath"])
            # (nor of an entry the file's name is only another name of: review 131 F1,
            # System.dat's font.bmp verified, and "no good dump" of the PC-98 bios.rom)
            by_other_name = Path(path).name.casefold() != \
                str(row["card_name"]).rsplit("/", 1)[-1].casefold()
            if (path, str(row["card_name"]).casefold()) not in good and path not in seen \
                    and not (by_other_name and path in good_files):
                seen.add(path)
                kept.append(row)
        group.problems = kept


def _once_per_file_and_name(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The first row of each file under each card name: entries sharing a name and a dump
    (the pack's four Sega CD USA versions) are one file on the card (QA55 F6: it was listed
    once per entry)."""
    seen: set[tuple[str, str]] = set()
    kept: list[dict[str, Any]] = []
    for row in rows:
        key = (row["filepath"], row["card_name"])
        if key not in seen:
            seen.add(key)
            kept.append(row)
    return kept


@dataclass
class BiosReport:
    """The check's result: every group, and whether any selected requirement is unmet.

    A required group missing with an HLE fallback (the emulator's built-in replacement BIOS)
    does not fail the check, since its games still start; it fails with ``strict``. Either
    way the summary says it is missing: the summary line always agrees with the rows.
    """

    groups: list[BiosGroup]
    strict: bool = False
    selection: str = "the selection"
    scope: ProfileScope | None = None

    @property
    def ok(self) -> bool:
        """No required group blocking (nor, with ``strict``, relying on HLE)."""
        failing = {BLOCKING, HLE} if self.strict else {BLOCKING}
        return not any(g.required and g.status in failing for g in self.groups)

    @property
    def summary(self) -> str:
        """One line that agrees with the rows: what is present, missing, on HLE fallback."""
        if not self.groups:
            return f"nothing to check: no BIOS requirement for {self.selection}"
        required = [g for g in self.groups if g.required]
        blocking = sum(g.status == BLOCKING for g in required)
        hle = sum(g.status == HLE for g in required)
        optional_missing = sum(g.status != SATISFIED for g in self.groups if not g.required)
        if not required:
            head = f"no required BIOS for {self.selection}"
        elif not blocking and not hle:
            head = f"all required BIOS present ({len(required)} of {len(required)})"
        else:
            missing = [f"{blocking} with no fallback"] if blocking else []
            if hle:
                missing.append(f"{hle} with an HLE fallback"
                               + ("; passes unless --strict" if not self.strict else ""))
            head = (f"required BIOS missing: {blocking + hle} of {len(required)} "
                    f"({', '.join(missing)})")
        tail = f"; {optional_missing} optional missing" if optional_missing else ""
        return head + tail


def check_bios(db: Database, pack: DefinitionPack, *, platforms: list[str] | None = None,
               emulator: str | None = None, profile: int | None = None,
               strict: bool = False, outside: str | None = None) -> BiosReport:
    """Group the requirements of the selected platforms (or emulator) and judge each group.

    With no selection: the platforms of the scanned library, or, for an empty library, every
    platform with a BIOS entry. With ``profile`` and no platforms: the platforms that profile
    can use (see :func:`profile_scope`). With ``profile``, each platform's groups are those of
    the emulator the profile uses for it (see :mod:`romrunner.devices.profiles`); a platform
    with no known emulator, or one no BIOS entry names, is checked for any emulator.
    A platform or emulator id that neither the pack, the BIOS entries nor the library
    knows is a :class:`NotFoundError` naming it (a check never passes on nothing).
    ``outside``: a folder whose files are not the user's BIOS for this check (a deploy's
    card: its own copies, once `bios scan` verified them, are no source: QA55 F7).
    """
    known = known_bios(db, pack)
    emulator = _core_name(pack, known.entries, emulator)
    _require_known(db, pack, known.entries, platforms or [], emulator)
    selected = set(platforms or [])
    scope: ProfileScope | None = None
    if not selected and profile is not None:
        scope = profile_scope(db, pack, load_profile(db, profile))
        selected = set(scope.platforms)
    elif not selected and emulator is None:
        selected = _library_platforms(db) or {entry.platform_id for entry in pack.bios}
    entries = [e for e in known.entries if e.platform_id in selected] \
        if selected or scope is not None else list(known.entries)
    if profile is not None:
        groups = _profile_groups(db, pack, profile, entries)
    elif emulator:
        groups = _emulator_check_groups(db, pack, entries, emulator, set(platforms or []))
    else:
        groups = platform_groups(entries)
    found = _verdicts_by_entry(db, known.index)
    if outside is not None:
        under = outside.rstrip("/") + "/"
        found = {entry: [item for item in items if not str(item["filepath"]).startswith(under)]
                 for entry, items in found.items()}
    for group in groups:
        _decide(group, found)
    _drop_problems_of_good_dumps(groups, found, {e.id: e.filename for e in known.entries})
    _look_in_stored_zips(db, [group for group in groups if group.status != SATISFIED])
    groups.sort(key=lambda g: (g.platform_id, g.emulator_id or "", not g.required,
                               g.entries[0].filename))
    return BiosReport(groups, strict, _selection(platforms or [], emulator, profile), scope)


def _emulator_check_groups(db: Database, pack: DefinitionPack, entries: list[BiosEntry],
                           emulator: str, selected: set[str]) -> list[BiosGroup]:
    """The groups ``bios check --emulator`` judges: on a platform a BIOS entry names the
    emulator for, its own (:func:`emulator_groups`); on another platform the pack says it
    runs (``selected``, or the library's, for one that runs every platform), any emulator's
    needs, as ``--profile`` and a deploy judge a platform whose emulator no entry names
    (qa178 F6: `--emulator yabasanshiro_libretro` found nothing to check, `--profile` of an
    OS running Saturn games with it the BIOS required and missing)."""
    by_platform: dict[str, list[BiosEntry]] = defaultdict(list)
    for entry in entries:
        by_platform[entry.platform_id].append(entry)
    known = pack.emulators.get(emulator)
    runs = set(known.platforms) if known is not None else set()
    if "*" in runs:  # (RetroArch: every platform, of which those asked or the library's)
        runs = selected or _library_platforms(db)
    groups: list[BiosGroup] = []
    for platform, members in by_platform.items():
        if any(_names(e, emulator) for e in members):
            groups += emulator_groups(members, emulator)
        elif platform in runs:
            for group in platform_groups(_any_emulators(pack, members, emulator)):
                group.origin = f"{emulator} is named by no BIOS entry, any emulator's needs apply"
                groups.append(group)
    return groups


def _any_emulators(pack: DefinitionPack, members: list[BiosEntry], emulator: str | None
                   ) -> list[BiosEntry]:
    """A platform's entries ``members`` as any emulator of it needs them, for ``emulator``,
    which none names: less, for a standalone emulator, the firmware only libretro cores'
    ``.info`` files name, which is those cores' own (qa193 F1: PPSSPP Standalone was
    given the core's ``ppge_atlas.zim``)."""
    known = pack.emulators.get(emulator) if emulator is not None else None
    if known is None or (known.type or "").lower() != "standalone":
        return members
    return [entry for entry in members if entry.required or not entry.core_info_emulators
            or not _pack_names_none(entry)]


def bios_subfolders(db: Database, pack: DefinitionPack, profile_id: int) -> dict[str, list[str]]:
    """Platform -> the folders, relative to the platform's BIOS folder on the card ("" for
    that folder itself), a deploy with the profile puts the platform's BIOS files in, as
    ``bios check --profile`` groups them: `destination paths` shows them (QA161 F6: the
    pack's ``pcsx2/bios`` and ``dc`` were shown nowhere before a deploy)."""
    entries = list(known_bios(db, pack).entries)
    found: dict[str, set[str]] = defaultdict(set)
    for group in _profile_groups(db, pack, profile_id, entries):
        for entry in group.entries:
            found[group.platform_id].add(_entry_subfolder(group, entry))
    return {platform: sorted(folders) for platform, folders in found.items()}


def _entry_subfolder(group: BiosGroup, entry: BiosEntry) -> str:
    """Where ``entry`` goes under its platform's BIOS folder ("" for that folder): its
    group's folder for it, then a folder the pack writes in its file name (``np2/bios.rom``:
    QA58 F3)."""
    return "/".join(part for part in (group.folder_of(entry), entry.filename.rpartition("/")[0])
                    if part)


def _library_platforms(db: Database) -> set[str]:
    return {row[0] for row in db.query("SELECT DISTINCT platform_id FROM games "
                                       "WHERE is_missing = 0 AND platform_id != 'unknown'")}


@dataclass
class ProfileScope:
    """The platforms ``bios check --profile`` covers, and why.

    With games in the library: the library's platforms the profile keeps (its include and
    exclude lists) and has an emulator for (an override, the OS's default on the device, or
    the pack's fallback default, as the auto-list and a deploy use them); those it keeps but
    has no emulator for are ``left_out``: the auto-list never includes their games. With no
    games: the
    platforms the OS profile names for the device and the profile's own overrides, not the
    pack's fallback defaults (those name an emulator for nearly every platform the pack knows,
    PS3 and Switch included, whatever the device).
    """

    platforms: list[str]
    left_out: list[str]
    basis: str
    no_folder: list[str] = field(default_factory=list)  # the OS has no folder for them

    def as_dict(self) -> dict[str, Any]:
        """The JSON form."""
        return {"platforms": self.platforms, "left_out": self.left_out,
                "no_folder": self.no_folder, "basis": self.basis}


def profile_scope(db: Database, pack: DefinitionPack, profile: Profile) -> ProfileScope:
    """The platforms a profile can use (see :class:`ProfileScope`)."""
    resolved = resolve_os_profile(pack, profile.device_id, profile.os_id)
    library = _library_platforms(db)
    candidates = sorted(library or set(pack.platforms) | set(resolved.emulators))
    chosen = platform_emulators(db, pack, profile, candidates)
    kept = [p for p in candidates if (not profile.include_platforms
                                      or p in profile.include_platforms)
            and p not in profile.exclude_platforms]
    # (none the OS has no folder for: no deploy puts its games or BIOS there, QA65 F2;
    # unless the user stored a folder for it on a card of that OS: review 32 R3)
    stored = platforms_with_stored_folders(db, profile.os_id)
    placed = {p for p in kept if p in stored or folder_name_for(pack, profile.os_id, p)
              is not None}
    fallback = set(resolved.fallback_platforms)
    if library:
        # (an OS whose installed lists the pack does not have whole — muOS's "additional
        # cores beyond this list" — may run a platform no rule names an emulator for: the
        # auto-list includes its games and a deploy puts them and their BIOS on the card;
        # qa178 F4: said "no emulator" and not checked)
        unknown = [] if resolved.lists_what_is_installed else [
            p for p in kept if chosen[p][0] is None and p in placed
            and p not in resolved.unrunnable]
        usable = [p for p in kept if (chosen[p][0] is not None or p in unknown)
                  and p in placed]
        basis = "the library's platforms this profile has an emulator for" + (
            f", or may have ({', '.join(unknown)}: the pack does not list all that "
            f"{resolved.name} has installed)" if unknown else "")
        return ProfileScope(usable, sorted(set(kept) & placed - set(usable)), basis,
                            sorted(set(kept) - placed))
    declared = [p for p in kept if chosen[p][0] is not None and p in placed and (
        p not in fallback or chosen[p][1] == "profile platform override")]
    return ProfileScope(declared, [], f"no games in the library: the platforms {profile.os_id}"
                        f"'s profile for {profile.device_id} names")


def _require_known(db: Database, pack: DefinitionPack, entries: list[BiosEntry],
                   platforms: list[str], emulator: str | None) -> None:
    known_platforms = set(pack.platforms) | {e.platform_id for e in entries}
    unknown = [p for p in dict.fromkeys(platforms) if p not in known_platforms and not (
        storable(p) and db.scalar("SELECT count(*) FROM games WHERE platform_id = ? LIMIT 1",
                                  (p,)))]
    if unknown:
        hint = _like(unknown[0], set(pack.platforms), "`romrunner platforms --all` lists them")
        raise NotFoundError(f"unknown platform {', '.join(map(quoted, unknown))} ({hint})")
    known_emulators = set(pack.emulators) | {
        name for e in entries for name in (*e.required_for_emulators,
                                           *e.optional_for_emulators)}
    if emulator is not None and emulator not in known_emulators:
        hint = _like(emulator, known_emulators,
                     f"none of the pack's {len(pack.emulators):,} emulators is named like it")
        raise NotFoundError(f"unknown emulator {quoted(emulator)} ({hint})")


def _like(word: str, known: set[str], otherwise: str) -> str:
    """The known ids closest to ``word``, or ``otherwise`` (QA147 F9: every one of the
    pack's ~280 emulator ids on one line)."""
    close = difflib.get_close_matches(word.lower(), sorted(known), n=3, cutoff=0.6)
    return f"did you mean {', '.join(close)}?" if close else otherwise


def _core_name(pack: DefinitionPack, entries: list[BiosEntry], emulator: str | None
               ) -> str | None:
    """A libretro core named by its file (``emuscv_libretro``) as its ``.info`` id."""
    if emulator is None or not emulator.endswith("_libretro") or emulator in pack.emulators:
        return emulator
    core = emulator.removesuffix("_libretro")
    if (emulators := emulators_of_core(pack, core)) != [core]:
        return emulators[0]  # (the pack's emulator of that core: pcsx2_libretro, pcsx2-libretro)
    named = any(core in (*e.required_for_emulators, *e.optional_for_emulators)
                for e in entries)
    return core if named else emulator


def _selection(platforms: list[str], emulator: str | None, profile: int | None) -> str:
    parts = [", ".join(platforms)] if platforms else []
    if emulator is not None:
        parts.append(f"emulator {emulator}")
    if profile is not None:
        parts.append(f"device profile {profile}")
    return " on ".join(parts) if parts else "the library's platforms"


def _profile_groups(db: Database, pack: DefinitionPack, profile_id: int,
                    entries: list[BiosEntry]) -> list[BiosGroup]:
    by_platform: dict[str, list[BiosEntry]] = defaultdict(list)
    for entry in entries:
        by_platform[entry.platform_id].append(entry)
    profile = load_profile(db, profile_id)
    chosen = platform_emulators(db, pack, profile, sorted(by_platform))
    family = pack.folder_names.family_of(profile.os_id)
    groups: list[BiosGroup] = []
    for platform, members in by_platform.items():
        emulator, origin = chosen[platform]
        named = emulator is not None and any(_names(e, emulator) for e in members)
        if emulator is not None and named:
            found = emulator_groups(members, emulator)
        else:
            found = platform_groups(_any_emulators(pack, members, emulator))
            if emulator is not None:
                origin += f"; {emulator} is named by no BIOS entry, any emulator's needs apply"
        os_folder = pack.folder_names.bios_subfolder(
            family, pack.folder_names.folder_for(platform, family)[0] or platform)
        entry_folder = pack.folder_names.entry_bios_folder(profile.os_id, platform)
        runs_with = pack.emulators.get(emulator) if emulator is not None else None
        if runs_with is not None and (runs_with.type or "").lower() != "standalone":
            entry_folder = None  # (the OS points its standalone emulator there; a libretro
            # core reads the pack's folder: QA151 F3, LRPS2 chosen on Batocera)
        for group in found:
            group.origin = origin
            group.os_folder = os_folder
            group.entry_folder = entry_folder
        groups += found
    return groups
