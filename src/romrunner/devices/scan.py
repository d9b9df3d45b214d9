"""Destination scan: which OS layout a card has, what is already on it, what is wrong.

Markers of ``layoutDetectionProfiles.json`` are device-side paths like every OS path: they are
mapped onto the card root with the same per-OS table as the deploy paths
(:func:`romrunner.devices.paths.card_relative`) and looked up case-insensitively, each by its own
path, so the scan reads only the folders the markers name (bounded by the deepest marker).
Confidence (DECISIONS-devices D7): any ``markersNone`` present → none; all ``markersAll`` and one
``markersAny`` (or no ``markersAny``) → high; all ``markersAll`` → medium; one ``markersAny``
→ low; then at least the profile's ``minimumConfidence``. Ranking: confidence, then the
expected OS, then the OS our deploys recorded on the card, then the number of distinct marker
paths found, then the stricter profile.

The OS recorded in ``.romrunner/os.json`` is a high candidate with one marker. It ranks above
guesses with more markers (a card we filled holds only the ROM and BIOS folders its OS's
layout names, which match many OSes' generic markers) unless the card contradicts it: a
``markersNone`` of that OS's own profile is present (the record then drops to low), or another
candidate found a marker that the recorded OS's layout does not explain (a folder or file
other than its ROM, BIOS and save folders, their parents and the platform folders: another
OS installed since); the markers then rank as they would without the record.

The markers describe each OS's system view. A card that is an OS's games partition
(:data:`romrunner.devices.paths.GAMES_PARTITIONS`: ArkOS's EASYROMS, AmberELEC's GAMES…)
holds none of them: its root holds ``bios/`` and the platform folders. Such a card is a
medium candidate for each of those OSes (nothing on the partition tells them apart; the
expected OS breaks the tie), and their ROM and BIOS folders are read from its root.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import os
import shutil
import time
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any

from romrunner.deploy.card import (
    CARD_DIR,
    OS_NAME,
    TEMP_PREFIX,
    other_layouts,
    other_os_own_folders,
    read_manifest_files,
    recorded_card_os,
    recorded_rom_folders,
)
from romrunner.devices.cardfs import card_filesystem_parts
from romrunner.devices.destination import (
    check_destination,
    destination_id,
    load_path_overrides,
)
from romrunner.devices.mounts import filesystem_type, not_a_folder_reason
from romrunner.devices.osprofile import known_os
from romrunner.devices.paths import (
    GAMES_PARTITIONS,
    card_relative,
    games_partition,
    ours_alone,
)
from romrunner.errors import NotFoundError
from romrunner.library.plan import SYSTEM_FILES
from romrunner.packs.loader import DefinitionPack
from romrunner.packs.model import asks_the_user
from romrunner.store.database import Database
from romrunner.timeutil import utc_now

CONFIDENCE_RANK = {"none": 0, "low": 1, "medium": 2, "high": 3}
CONTENT_DEPTH = 3  # levels below a platform folder whose files are counted
# The frontends' own notes in each platform folder (ES-DE's and EmuDeck's `systeminfo.txt`,
# Batocera's `_info.txt`): no game of the platform (QA91 F11: an empty folder showed 1 file).
FRONTEND_NOTES = frozenset({"systeminfo.txt", "_info.txt"})
# Card top folders many OSes share (a ROM, BIOS or saves folder of that name): no marker of one
# OS against another (QA27 N4: a bare `roms/`; QA152 F1: a MinUI, NextUI or Spruce card's
# `Saves/` with its `Roms/` and `BIOS/` was "miyoo-stock-family (high)" at every deploy).
GENERIC_TOPS = frozenset({"roms", "bios", "saves"})
# Marks an OS leaves on its card once installed, where the pack's markers are its
# installer's: MinUI and NextUI install from `MinUI.zip`, which the first boot consumes, and
# keep their system in `.system/` and the player's data in `.userdata/` (QA152 F1). Evaluated
# beside the pack's own layout profiles, for the OSes the pack knows.
INSTALLED_MARKS: tuple[dict[str, Any], ...] = tuple(
    {"id": f"{os_id}-installed", "osId": os_id,
     "detection": {"markersAll": ["/.system", "/.userdata"],
                   "markersAny": ["/Roms", "/Bios", "/Saves"], "minimumConfidence": "medium"}}
    for os_id in ("minui", "nextui"))


@dataclass(frozen=True)
class Candidate:
    """One layout profile's verdict on the card."""

    layout_id: str
    os_id: str
    confidence: str
    found: tuple[str, ...]
    missing: tuple[str, ...]
    minimum: str


@dataclass(frozen=True)
class Folder:
    """A folder found on the card: ROMs of one platform, or the BIOS folder."""

    path: str
    type: str  # "roms" | "bios" | "saves"
    platform_id: str | None
    file_count: int
    total_bytes: int
    # In a ROM folder the OS does not read: another OS's layout left it on the card (a card
    # that tells case apart holds muOS's `roms/gb` beside OnionOS's `Roms/GB`); ``left_by``:
    # that OS, when the card's record says
    other_layout: bool = False
    left_by: str | None = None


@dataclass(frozen=True)
class Finding:
    """Something to know or to do before deploying."""

    type: str  # different_os | recorded_os | missing_folder | ambiguous | no_layout | read_only
    # | filesystem
    severity: str  # error | warning | info
    message: str
    suggestion: str


@dataclass
class DestinationScan:
    """What ``destination scan`` found."""

    path: str
    destination_id: str
    fs_type: str | None
    free_bytes: int | None  # None: the file system reports no size (some FUSE/MTP mounts)
    total_bytes: int | None
    writable: bool
    expected_os: str | None
    detected_os: str | None
    detected_layout: str | None
    confidence: str
    reason: str  # why the first candidate: "laid out by ROM Runner for onionos", its markers
    candidates: list[Candidate] = field(default_factory=list)
    folders: list[Folder] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)
    scanned_at: str = ""
    duration_ms: int = 0

    @property
    def ok(self) -> bool:
        """False when a finding is an error."""
        return not any(finding.severity == "error" for finding in self.findings)

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready data."""
        data = asdict(self)
        data["ok"] = self.ok
        return data


class _CardIndex:
    """Case-insensitive existence of card paths, each folder listed at most once. A card that
    tells case apart may hold one name in several spellings (`Roms/` of OnionOS beside `roms/`
    of muOS): each is kept, and a path is found as it is spelt when the card has that spelling
    (qa201 F4: the last one listed hid the others)."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self._listings: dict[Path, dict[str, tuple[str, ...]]] = {}

    def _listing(self, folder: Path) -> dict[str, tuple[str, ...]]:
        if folder not in self._listings:
            spellings: dict[str, list[str]] = {}
            try:
                with os.scandir(folder) as entries:
                    for entry in entries:
                        spellings.setdefault(entry.name.casefold(), []).append(entry.name)
            except OSError:
                spellings = {}
            self._listings[folder] = {key: tuple(sorted(names))
                                      for key, names in spellings.items()}
        return self._listings[folder]

    def _name(self, folder: Path, part: str) -> str | None:
        """``part`` as ``folder`` on the card spells it: that very spelling when it has it,
        else its first other one; None when absent."""
        names = self._listing(folder).get(part.casefold())
        if not names:
            return None
        return part if part in names else names[0]

    def spellings(self, relative: PurePosixPath) -> list[PurePosixPath]:
        """Every spelling of ``relative`` on the card (several on a card that tells case
        apart): the one closest to ``relative``'s own first (see :meth:`find`)."""
        found = [PurePosixPath()]
        for part in relative.parts:
            found = [path / name for path in found
                     for name in sorted(self._listing(self.root / path).get(part.casefold(), ()),
                                        key=lambda name: name != part)]
        return found if relative.parts else []

    def _spelled(self, relative: PurePosixPath) -> Iterator[PurePosixPath | None]:
        """Each leading part of ``relative`` as the card spells it, in turn; None once a part
        is not on the card (and nothing after it)."""
        current, parts = self.root, []
        for part in relative.parts:
            name = self._name(current, part)
            if name is None:
                yield None
                return
            parts.append(name)
            current = current / name
            yield PurePosixPath(*parts)

    def not_a_folder(self, relative: PurePosixPath) -> PurePosixPath | None:
        """The first part of ``relative``, as the card spells it, that is on the card but is
        not a folder (a file where a folder should be), or None."""
        return next((found for found in self._spelled(relative)
                     if found is not None and not (self.root / found).is_dir()), None)

    def find(self, relative: PurePosixPath) -> PurePosixPath | None:
        """``relative`` as the card spells it, or None when absent."""
        found: PurePosixPath | None = None
        for found in self._spelled(relative):
            if found is None:
                return None
        return found

    def find_marker(self, marker: PurePosixPath) -> PurePosixPath | None:
        """A layout marker as the card spells it, or None when absent. A marker named with
        no dot (``ROMS``, ``Apps``) is a folder: a file of that name is not it (a FAT volume
        label shows as a file in the root; a user's own file may bear the name). One with a
        dot (``MinUI.zip``, ``.tmp_update``, ``batocera.conf``) may be either."""
        found = self.find(marker)
        if found is not None and "." not in found.name and not (self.root / found).is_dir():
            return None
        return found


def _detection(profile: dict[str, Any]) -> dict[str, Any]:
    detection = profile.get("detection")
    return detection if isinstance(detection, dict) else profile


def _markers(detection: dict[str, Any], key: str) -> list[str]:
    value = detection.get(key)
    return [m for m in value if isinstance(m, str) and m.strip()] if isinstance(value, list) \
        else []


def layout_profiles(pack: DefinitionPack) -> list[dict[str, Any]]:
    """The pack's layout profiles, then the engine's :data:`INSTALLED_MARKS` of the OSes the
    pack knows."""
    return [*pack.layout_profiles,
            *(marks for marks in INSTALLED_MARKS if _known(pack, str(marks["osId"])))]


def evaluate(profile: dict[str, Any], index: _CardIndex) -> Candidate | None:
    """One layout profile against the card (None when the entry is unusable)."""
    os_id, layout_id = profile.get("osId"), profile.get("id")
    if not isinstance(os_id, str) or not isinstance(layout_id, str):
        return None
    detection = _detection(profile)

    def present(marker: str) -> PurePosixPath | None:
        return index.find_marker(card_relative(os_id, marker)[0])

    all_markers = _markers(detection, "markersAll")
    any_markers = _markers(detection, "markersAny")
    found_all = {m: present(m) for m in all_markers}
    # A markersAny found where a markersAll was is no second piece of evidence: the real
    # pack lists `/roms` in one and `/ROMS` in the other, the same folder on a card looked
    # up case-insensitively (a bare `roms/` made four stock OSes "high").
    seen = {str(p).casefold() for p in found_all.values() if p}
    found_any = {m: p if p is not None and str(p).casefold() not in seen else None
                 for m in any_markers for p in [present(m)]}
    # (as the card spells them, each folder once)
    found_paths = {str(p).casefold(): str(p)
                   for p in [*found_all.values(), *found_any.values()] if p}
    minimum = detection.get("minimumConfidence")
    minimum = minimum if minimum in CONFIDENCE_RANK else "low"
    if any(present(m) for m in _markers(detection, "markersNone")):
        confidence = "none"
    elif all_markers and all(found_all.values()):
        # (one of them the OS's own, no generic ROM, BIOS or save folder — MinUI's
        # `MinUI.zip` — is evidence enough: QA158 N9, a card the MinUI installer prepared,
        # no `Saves/` yet, was no MinUI candidate at all)
        own = any(_top(str(p)) not in GENERIC_TOPS for p in found_all.values() if p)
        confidence = "high" if not any_markers or any(found_any.values()) or own \
            else "medium"
    elif any(found_any.values()):
        confidence = "low"
    else:
        confidence = "none"
    if CONFIDENCE_RANK[confidence] < CONFIDENCE_RANK[minimum]:
        confidence = "none"
    found = tuple(sorted(found_paths.values(), key=str.casefold))
    missing = tuple(m for m, p in found_all.items() if p is None)
    return Candidate(layout_id, os_id, confidence, found, missing, minimum)


def _rank(candidate: Candidate, expected: str | None, recorded: str | None
          ) -> tuple[int, int, int, int, int, int]:
    """``recorded``: the OS of ``.romrunner/os.json`` when nothing on the card contradicts it."""
    return (CONFIDENCE_RANK[candidate.confidence], int(candidate.os_id == expected),
            int(candidate.os_id == recorded), len(candidate.found),
            int(candidate.found == (RECORDED_MARKER,)), CONFIDENCE_RANK[candidate.minimum])


RECORDED_MARKER = f"{CARD_DIR}/{OS_NAME}"


def _recorded_by_deploy(pack: DefinitionPack, card_root: Path) -> Candidate | None:
    """The OS our own deploys laid the card out for: as good a marker as the OS's own (a
    card we filled may have none of them until the OS first boots from it)."""
    os_id = recorded_card_os(card_root)
    if os_id is None:
        return None
    layout_id = next((str(p["id"]) for p in pack.layout_profiles
                      if p.get("osId") == os_id and isinstance(p.get("id"), str)), os_id)
    return Candidate(layout_id, os_id, "high", (RECORDED_MARKER,), (), "low")


def _with_the_record(candidate: Candidate, recorded: Candidate) -> Candidate:
    """``candidate`` (of the OS our deploys recorded) as sure as the record makes it: a
    layout profile's medium candidate ranked below generic profiles' high ones (QA61 F5: a
    TrimUI card ROM Runner laid out was named a PowKiddy stock card)."""
    if CONFIDENCE_RANK[recorded.confidence] <= CONFIDENCE_RANK[candidate.confidence]:
        return candidate
    return dataclasses.replace(candidate, confidence=recorded.confidence,
                               found=tuple(sorted({*candidate.found, RECORDED_MARKER})))


def _contradicting_markers(pack: DefinitionPack, index: _CardIndex, os_id: str) -> list[str]:
    """The ``markersNone`` of ``os_id``'s own layout profiles present on the card."""
    return [marker for profile in layout_profiles(pack) if profile.get("osId") == os_id
            for marker in _markers(_detection(profile), "markersNone")
            if index.find_marker(card_relative(os_id, marker)[0]) is not None]


def _explained(pack: DefinitionPack, card_root: Path, os_id: str,
               candidates: list[Candidate]) -> set[str]:
    """Card paths (casefolded) that a card laid out for ``os_id`` holds whatever OS runs it:
    the layout's folders and their parents, the platform folders in its ROM folder, and the
    markers ``os_id``'s own profiles found."""
    games = games_partition(os_id, card_root)
    explained: set[str] = set(GENERIC_TOPS)  # (a `Saves/` of the player's: QA152 F1)
    for key, device_path in _layout_paths(pack, os_id).items():
        relative = card_relative(os_id, device_path, games)[0]
        explained.update(str(p).casefold() for p in (relative, *relative.parents))
        if key == "roms":
            explained.update(str(relative / name).casefold()
                             for name in _root_folders(card_root / relative)
                             if pack.index.platforms_for_folder(name))
    for candidate in candidates:
        if candidate.os_id == os_id:
            explained.update(path.casefold() for path in candidate.found)
    return explained


def _unexplained(candidate: Candidate, explained: set[str]) -> list[str]:
    return [path for path in candidate.found if path.casefold() not in explained]


def _games_partition_candidates(pack: DefinitionPack, card_root: Path,
                                index: _CardIndex) -> list[Candidate]:
    """A card whose root holds ``bios/`` and at least one platform folder (no system view):
    a medium candidate for each OS the pack knows whose games partition it may be."""
    bios = index.find_marker(PurePosixPath("bios"))
    if bios is None:
        return []
    platforms = sorted(name for name in _root_folders(card_root)
                       if len(pack.index.platforms_for_folder(name)) == 1)
    if not platforms:
        return []
    return [Candidate(f"{os_id}-{partition.label.lower()}", os_id, "medium",
                      (str(bios), *platforms), (), "medium")
            for os_id, partition in GAMES_PARTITIONS.items()
            if _known(pack, os_id) and games_partition(os_id, card_root) is not None]


def _known(pack: DefinitionPack, os_id: str) -> bool:
    try:
        known_os(pack, os_id)
    except NotFoundError:
        return False
    return True


def _root_folders(card_root: Path) -> list[str]:
    try:
        with os.scandir(card_root) as entries:
            return [e.name for e in entries if e.is_dir(follow_symlinks=False)]
    except OSError:
        return []


def scan_destination(db: Database, pack: DefinitionPack, card_root: Path,
                     expect_os: str | None = None) -> DestinationScan:
    """Scan the card at ``card_root``; the result is stored in ``destination_scan_history``
    when ``db`` is open for writing (the CLI's read-only scan records nothing)."""
    started = time.perf_counter()
    check_destination(card_root)
    if expect_os is not None:
        known_os(pack, expect_os)
    index = _CardIndex(card_root)
    candidates = [c for c in (evaluate(p, index) for p in layout_profiles(pack))
                  if c is not None and c.confidence != "none"]
    candidates += _games_partition_candidates(pack, card_root, index)
    recorded = _recorded_by_deploy(pack, card_root)
    preferred, contradiction = None, ""
    if recorded is not None:
        excluding = _contradicting_markers(pack, index, recorded.os_id)
        explained = _explained(pack, card_root, recorded.os_id, candidates)
        others = [c for c in candidates if _unexplained(c, explained)]
        if excluding:
            recorded = dataclasses.replace(recorded, confidence="low")
        elif not others:
            preferred = recorded.os_id
        if any(c.os_id == recorded.os_id for c in candidates):  # its own markers say it too
            candidates = [_with_the_record(c, recorded) if c.os_id == recorded.os_id else c
                          for c in candidates]
        else:
            candidates.append(recorded)
    candidates.sort(key=lambda c: (_rank(c, expect_os, preferred), c.os_id), reverse=True)
    if recorded is not None and preferred is None:
        if excluding:
            contradiction = f"{', '.join(excluding)}, which a {recorded.os_id} card does not"
        else:  # the first candidate's own markers, else the best other's
            other = candidates[0] if candidates[0] in others else others[0]
            contradiction = f"{other.os_id}'s " + ", ".join(_unexplained(other, explained))
    usage = shutil.disk_usage(card_root)
    best = candidates[0] if candidates else None
    dest_id = destination_id(card_root, create=False) or \
        "path:" + hashlib.sha1(str(card_root.resolve()).encode(), usedforsecurity=False
                               ).hexdigest()[:16]
    result = DestinationScan(
        path=str(card_root), destination_id=dest_id, fs_type=filesystem_type(card_root),
        free_bytes=usage.free if usage.total else None,
        total_bytes=usage.total if usage.total else None,
        writable=os.access(card_root, os.W_OK), expected_os=expect_os,
        detected_os=best.os_id if best else None,
        detected_layout=best.layout_id if best else None,
        confidence=best.confidence if best else "none",
        reason=_reason(best, recorded.os_id if recorded else None), candidates=candidates,
        scanned_at=utc_now().strftime("%Y-%m-%d %H:%M:%S"))
    layout_os = expect_os or result.detected_os
    chosen = _chosen_roots(db, card_root)
    result.folders = _discover(pack, card_root, index, layout_os, chosen)
    result.findings = _findings(pack, result, index, card_root, preferred, chosen)
    if recorded is not None and contradiction and result.detected_os != recorded.os_id:
        result.findings.append(Finding(
            "recorded_os", "warning",
            f"ROM Runner laid this card out for {recorded.os_id}, but it holds "
            f"{contradiction}",
            f"deploy with a profile for {result.detected_os}, or pass --expect-os "
            f"{recorded.os_id} if the card still runs it"))
    result.duration_ms = int((time.perf_counter() - started) * 1000)
    if db.read_only:
        return result
    with db.atomic():
        db.execute("INSERT INTO destination_scan_history (destination_id, os_id, "
                   "detected_layout_profile, scan_result_json, scanned_at) VALUES (?, ?, ?, ?, ?)",
                   (dest_id, result.detected_os, result.detected_layout,
                    json.dumps(result.as_dict(), default=str), result.scanned_at))
    return result


def card_root_warnings(pack: DefinitionPack, card_root: Path, os_id: str,
                       rom_root: PurePosixPath | None = None) -> list[str]:
    """What a deploy to ``card_root`` for ``os_id`` should hear about the folder itself: it
    is laid out for another OS by that OS's own markers, and nothing there says ``os_id``
    (QA25 F10: a KNULLI profile filled an OnionOS card's `Roms/megadrive`, a folder Onion
    does not read); or it looks like a card's ROM folder rather than its root (F12: `--to
    CARD/roms` wrote `roms/roms/gb`). Said at every deploy while it holds (QA27 N1: a card
    our first deploy recorded went silent). Another OS counts with two of its own markers or
    more, all found (QA27 N4: a bare `roms/` was "anbernic-stock (high)"). ``rom_root``: the
    card's ROM folder as the deploy resolves it (a user's ``roms=`` override), when known;
    the card's root itself (``.``) asks nothing of ROM folders."""
    if rom_root is None:
        default = _layout_paths(pack, os_id).get("roms", "")
        rom_root = card_relative(os_id, default)[0] if default else PurePosixPath(".")
    if (inside := _the_os_top_folder_itself(card_root, os_id, rom_root)) is not None:
        return [inside]  # (what the card "looks like" inside it is that folder's own)
    index = _CardIndex(card_root)
    candidates = [c for c in (evaluate(p, index) for p in layout_profiles(pack))
                  if c is not None and c.confidence != "none"]
    warnings: list[str] = []
    if candidates and not any(c.os_id == os_id for c in candidates):
        best = max(candidates, key=lambda c: _rank(c, None, None))
        # Two markers or more, one of them the other OS's own: not a generic `roms/` or
        # `bios/` (QA27 N4: a bare `roms/` was "anbernic-stock (high)"), nor a folder a
        # deploy for os_id writes itself (QA29 F10: Onion's `BIOS/` and `Roms/`, written by
        # us, made every later deploy "look like garlicos").
        generic = _top_folders(pack, os_id) | GENERIC_TOPS
        theirs = [marker for marker in best.found if _top(marker) not in generic]
        # (a folder our deploys made, `roms/` for muOS, is no marker of theirs: with the
        # user's `saves/` it made "miyoo-stock-family (high)" at every deploy, QA42 F10)
        ours = {_top(folder) for folder in recorded_rom_folders(card_root).values()}.union(
            *({_top(f) for f in folders}
              for folders in other_os_own_folders(card_root, os_id).values()))
        counted_markers = [marker for marker in best.found if _top(marker) not in ours]
        if best.confidence == "high" and len(counted_markers) >= 2 and theirs:
            warnings.append(
                f"{card_root}: the card looks like {best.os_id} ({best.confidence}: "
                f"{', '.join(best.found)}), not {os_id}: the games go to {os_id}'s folders, "
                f"which {best.os_id} may not read (a profile for {best.os_id}? `romrunner "
                "destination scan` says more)")
    rom_top = rom_root.parts[:1]
    if rom_top:  # (its own roms/ too, once a first deploy wrote `roms/roms/gb`: QA27 N1)
        family = pack.folder_names.family_of(os_id)
        names = {name.casefold() for platform in pack.platforms
                 if (name := pack.folder_names.folder_for(platform, family)[0])}
        top = rom_top[0].casefold()
        names.discard(top)
        folders = [name for name in _root_folders(card_root) if name.casefold() in names]
        if folders:  # (not the folders of ours alone: an earlier layout's, emptied by a
            # prune or not: QA43 F1, said at every deploy after a switch of OS)
            files, made, _ = read_manifest_files(card_root)
            ours = {dest.lower() for dest in files}
            made = {folder.lower() for folder in made}.union(
                *other_os_own_folders(card_root, os_id).values())
            folders = [name for name in folders if not ours_alone(
                card_root, PurePosixPath(name), ours, made)]
        # Three platform folders, or two in a folder named as the OS's ROM folder (QA27 N2:
        # MinUI's `Roms/Game Boy (GB)`, `Roms/Sega Genesis (MD)`); a card labelled ROMS holds
        # none at its root, or one stray (a PSP/ of its own).
        if len(folders) >= 3 or (len(folders) >= 2 and card_root.name.casefold() == top):
            shown = ", ".join(sorted(folders)[:3]) + ("…" if len(folders) > 3 else "")
            warnings.append(
                f"{card_root}: holds platform folders ({shown}) beside where the OS's ROM "
                "folder goes: the card's ROM folder rather than its root? The games go "
                f"to {card_root}/{rom_top[0]}/…, which {os_id} does not read there (--to the "
                "card's root)")
        elif card_root.name.casefold() in names and card_root.parent.name.casefold() == top:
            warnings.append(  # (QA27 N2: `--to CARD/roms/gb` wrote `roms/gb/roms/gb`)
                f"{card_root}: a platform folder of a card's ROM folder rather than the "
                f"card's root? The games go to {card_root}/{rom_top[0]}/…, which {os_id} "
                "does not read there (--to the card's root)")
    return warnings


def _the_os_top_folder_itself(card_root: Path, os_id: str,
                              rom_root: PurePosixPath) -> str | None:
    """Said when ``card_root`` is the folder the OS's ROM folder is in rather than the card
    (QA91 F7: `--to ~/Emulation`, EmuDeck's `Emulation/roms` there, looked like a Miyoo card
    and the games would have gone to `Emulation/Emulation/roms`); else None."""
    if len(rom_root.parts) < 2 or card_root.name.casefold() != rom_root.parts[0].casefold():
        return None
    inner = PurePosixPath(*rom_root.parts[1:])
    if not (card_root / inner).is_dir() or (card_root / rom_root).exists():
        return None
    return (f"{card_root}: {os_id}'s {rom_root.parts[0]} folder itself rather than the folder "
            f"that holds it? It holds {inner}, and the games go to {card_root}/{rom_root}/…, "
            f"which {os_id} does not read (--to {card_root.parent})")


def _another_os(pack: DefinitionPack, scan: DestinationScan, index: _CardIndex,
                expected: str, detected: str) -> Finding:
    """The finding of a card that looks like ``detected``, not the ``expected`` OS: an error
    only when a marker of the other OS's own says so (not a `roms/` or `bios/` many OSes have,
    nor a folder a deploy for ``expected`` writes) and none of the expected OS's own is there
    (QA85 F2: a muOS card with `MUOS/` but no `retroarch.cfg` yet was "powkiddy-stock (high)"
    by its `ROMS/` alone, and `--expect-os muos` failed, advising the PowKiddy profile)."""
    best = next(c for c in scan.candidates if c.os_id == detected)
    generic = GENERIC_TOPS
    theirs = [m for m in best.found if _top(m) not in generic | _top_folders(pack, expected)]
    own = sorted({m for profile in layout_profiles(pack) if profile.get("osId") == expected
                  if (c := evaluate(profile, index)) is not None for m in c.found
                  if _top(m) not in generic | {_top(f) for f in best.found}})
    matched = any(c.os_id == expected for c in scan.candidates)
    said = f"the card looks like {detected} ({scan.confidence}), not {expected}"
    if own:
        markers = f"marker{'s' if len(own) > 1 else ''} {', '.join(own)}"
        return Finding("different_os", "warning", f"{said}; yet it holds {expected}'s own "
                       f"{markers}", f"a deploy for {expected} uses {expected}'s folders; use "
                       f"a profile for {detected} if the card runs {detected}")
    if not theirs:
        return Finding("different_os", "warning", f"{said}, by {', '.join(best.found)} alone, "
                       "which many OSes have", f"a deploy for {expected} uses {expected}'s "
                       f"folders; use a profile for {detected} if the card runs {detected}")
    return Finding("different_os", "warning" if matched else "error",
                   said + ("" if not matched else f"; {expected} also matches, less well"),
                   f"use a profile for {detected}, or deploy anyway if you know the card is "
                   f"{expected}")


def _top(path: str) -> str:
    """The first folder of a path on the card, case-folded ('' for none)."""
    parts = PurePosixPath(path.strip("/")).parts
    return parts[0].casefold() if parts else ""


def _top_folders(pack: DefinitionPack, os_id: str) -> set[str]:
    """The card's top folders (case-folded) a deploy for ``os_id`` writes: its ROM and BIOS
    folders' first parts."""
    return {_top(str(card_relative(os_id, path)[0]))
            for path in _layout_paths(pack, os_id).values()} - {""}


def _reason(best: Candidate | None, recorded: str | None) -> str:
    """Why ``best`` heads the candidates, in words."""
    if best is None:
        return "no OS's markers on the card"
    if best.found == (RECORDED_MARKER,):
        return f"laid out by ROM Runner for {best.os_id}"
    markers = f"markers found: {', '.join(best.found)}"
    return f"{markers}; laid out by ROM Runner for {recorded}" if recorded == best.os_id \
        else markers


def _layout_paths(pack: DefinitionPack, os_id: str | None) -> dict[str, str]:
    """The layout profile's expected roms/bios of ``os_id`` (device-side)."""
    for profile in pack.layout_profiles:
        if profile.get("osId") == os_id and isinstance(profile.get("expectedLayout"), dict):
            return {k: v for k, v in profile["expectedLayout"].items()
                    if isinstance(v, str) and not asks_the_user(v)}
    catalog = pack.operating_systems.get(os_id or "")
    return {k: v for k, v in (catalog.paths if catalog else {}).items() if v}


def _chosen_roots(db: Database, card_root: Path) -> dict[str, PurePosixPath]:
    """The card's ROM and BIOS folders the user chose (`destination paths --set roms=…`),
    card-relative: the scan looks there, not in the OS's own (QA65 F3: a card laid out in
    `Games/` listed no folder, and `roms/` was "not on the card (deploy creates it)")."""
    overrides = load_path_overrides(db, destination_id(card_root, create=False))
    return {key: PurePosixPath(str(overrides[key])) for key in ("roms", "bios")
            if isinstance(overrides.get(key), str) and overrides[key]}


def _discover(pack: DefinitionPack, root: Path, index: _CardIndex,
              os_id: str | None, chosen: dict[str, PurePosixPath]) -> list[Folder]:
    expected = _layout_paths(pack, os_id)
    games = games_partition(os_id or "", root)
    rom_roots: list[PurePosixPath] = []
    os_roms: PurePosixPath | None = None  # the OS's ROM folder (the user's where chosen)
    if "roms" in chosen and (found := _find(index, chosen["roms"])):
        os_roms = chosen["roms"]
        rom_roots.append(found)
    elif "roms" in expected:
        os_roms = card_relative(os_id or "", expected["roms"], games)[0]
        if found := _find(index, os_roms):
            rom_roots.append(found)
    own_found = rom_roots[0] if rom_roots else None  # (as the card spells it)
    # Then every other spelling of it and of `roms/` a card that tells case apart holds: the
    # ROM folder of another OS's layout (qa201 F4: OnionOS's `Roms/GB` beside muOS's
    # `roms/gb` was not listed, and after a prune the card showed 0 games).
    spelt = [os_roms] if os_roms is not None and os_roms != PurePosixPath(".") else []
    for relative in (*spelt, PurePosixPath("roms")):
        rom_roots += [path for path in index.spellings(relative) if path not in rom_roots]
    left_by = _other_layouts_folders(root, os_id, os_roms)
    # The OS's BIOS and saves folders are listed as such, never as ROM folders of no platform
    # (ROCKNIX keeps its BIOS in roms/bios).
    others = {str(found).casefold() for kind in ("bios", "saves") if kind in expected
              and (found := _find(index, card_relative(os_id or "", expected[kind], games)[0]))}
    if "bios" in chosen and (found := _find(index, chosen["bios"])):
        others.add(str(found).casefold())
    folders: list[Folder] = []
    for rom_root in rom_roots:
        try:
            with os.scandir(root / rom_root) as entries:
                subdirs = sorted(e.name for e in entries if e.is_dir(follow_symlinks=False))
        except OSError:
            continue
        for name in subdirs:
            if str(rom_root / name).casefold() in others:
                continue
            claimed, own = _platforms_of_folder(pack, os_id, name)
            if rom_root == PurePosixPath(".") and not (len(claimed) == 1 or own):
                continue  # the card root also holds bios/, themes/, tools/…
            count, size = _count(root / rom_root / name, CONTENT_DEPTH)
            other = _left_by(left_by, own_found, rom_root, name)
            folders.append(Folder(str(rom_root / name), "roms",
                                  claimed[0] if len(claimed) == 1 else None, count, size,
                                  other is not None, other or None))
    seen: set[str] = set()
    for kind in ("bios", "saves"):
        if kind not in expected and kind not in chosen:
            continue
        found = _find(index, chosen[kind]) if kind in chosen else \
            _find(index, card_relative(os_id or "", expected[kind], games)[0])
        if found and str(found).casefold() not in seen:
            seen.add(str(found).casefold())
            count, size = _count(root / found, CONTENT_DEPTH)
            folders.append(Folder(str(found), kind, None, count, size))
    return folders


def _other_layouts_folders(root: Path, os_id: str | None,
                           own: PurePosixPath | None) -> dict[str, str]:
    """The ROM folders the card's record keeps of the other OSes' layouts it was laid out
    for (as spelt, and lowercase: see other_layouts) -> that OS; nothing without the card's
    OS or its ROM folder."""
    if not os_id or own is None:
        return {}
    found: dict[str, str] = {}
    for other, folders in other_layouts(root, os_id).items():
        for folder in folders.values():
            found.setdefault(folder, other)
            found.setdefault(folder.lower(), other)
    return found


def _left_by(left_by: dict[str, str], own: PurePosixPath | None, rom_root: PurePosixPath,
             name: str) -> str | None:
    """Of a platform folder ``name`` in ``rom_root``: the OS whose layout left it there, ''
    when the card's record does not say; None when it is in ``own`` (the OS's ROM folder as
    the card spells it), or not known to be another layout's. Another layout's: in another
    spelling of the OS's ROM folder (only a card that tells case apart holds two, and the OS
    reads its own), or named by the card's record as another OS's."""
    if rom_root == own or own == PurePosixPath("."):
        return None
    folder = str(rom_root / name)
    by = left_by.get(folder) or left_by.get(folder.lower())
    if by:
        return by
    return "" if own is not None and str(rom_root).casefold() == str(own).casefold() else None


def _platforms_of_folder(pack: DefinitionPack, os_id: str | None,
                         name: str) -> tuple[tuple[str, ...], bool]:
    """The platforms a card's ROM folder ``name`` holds, and whether the card's OS names it:
    as the card's OS names its folders where it names this one (a folder it shares holds
    several: Onion's ``NGP``, QA61 F8), else as any OS does."""
    if os_id:
        own = pack.folder_names.platforms_named(pack.folder_names.family_of(os_id), name)
        if own:
            return own, True
    return pack.index.platforms_for_folder(name), False


def _find(index: _CardIndex, relative: PurePosixPath) -> PurePosixPath | None:
    """``relative`` as the card spells it; the card root itself is always there."""
    return relative if relative == PurePosixPath(".") else index.find(relative)


def _count(folder: Path, depth: int) -> tuple[int, int]:
    files = size = 0
    try:
        with os.scandir(folder) as entries:
            for entry in entries:
                if entry.name.startswith(TEMP_PREFIX):
                    continue  # a stopped deploy's unfinished copy: no game (QA25 F2)
                if entry.name.startswith("._") or entry.name == ".DS_Store" \
                        or entry.name.lower() in SYSTEM_FILES:
                    continue  # a Mac's or Windows' files beside the games (QA33 F24)
                if entry.name.lower() in FRONTEND_NOTES:
                    continue
                if entry.is_file(follow_symlinks=False):
                    files += 1
                    size += entry.stat(follow_symlinks=False).st_size
                elif depth > 0 and entry.is_dir(follow_symlinks=False):
                    sub_files, sub_size = _count(Path(entry.path), depth - 1)
                    files, size = files + sub_files, size + sub_size
    except OSError:
        pass
    return files, size


def _findings(pack: DefinitionPack, scan: DestinationScan, index: _CardIndex,
              card_root: Path, preferred: str | None,
              chosen: dict[str, PurePosixPath]) -> list[Finding]:
    findings: list[Finding] = []
    if not scan.writable:
        findings.append(Finding("read_only", "error", f"{scan.path} cannot be written",
                                "check the card's lock switch and mount options"))
    expected, detected = scan.expected_os, scan.detected_os
    if expected and detected and detected != expected:
        findings.append(_another_os(pack, scan, index, expected, detected))
    if len(scan.candidates) > 1 and not expected:
        first, second = scan.candidates[0], scan.candidates[1]
        if _rank(first, None, preferred) == _rank(second, None, preferred):
            findings.append(Finding(
                "ambiguous", "warning",
                f"{first.os_id} and {second.os_id} match the card equally",
                "pass --expect-os to say which OS the card runs"))
    if not detected:
        findings.append(Finding(
            "no_layout", "info", "no known OS layout on the card (empty or custom)",
            "pass --expect-os; deploy creates the OS's folders, or set your own with "
            "`destination paths --set`"))
    layout_os = expected or detected
    unread = card_filesystem_parts(pack.operating_systems.get(layout_os or ""), card_root)
    if unread is not None:  # (qa203 F4)
        findings.append(Finding("filesystem", "warning", *unread))
    games = games_partition(layout_os or "", card_root)
    paths = {key: path for key, path in _layout_paths(pack, layout_os).items()
             if key in ("roms", "bios")}
    for key, device_path in sorted({**paths, **chosen}.items()):
        relative = chosen[key] if key in chosen else \
            card_relative(layout_os or "", str(device_path), games)[0]
        blocked = index.not_a_folder(relative) if relative != PurePosixPath(".") else None
        if blocked is not None:
            reason = not_a_folder_reason(card_root / blocked, at_root=len(blocked.parts) == 1)
            findings.append(Finding(
                "not_a_folder", "error",
                f"{layout_os}'s {key} folder {relative} cannot be made: {blocked} is {reason}",
                "deploy writes nothing there until it is a folder"))
        elif _find(index, relative) is None:
            whose = f"your {key} folder" if key in chosen else f"{layout_os}'s {key} folder"
            findings.append(Finding(
                "missing_folder", "info" if not detected else "warning",
                f"{whose} {relative} is not on the card",
                "deploy creates it" if key == "roms" else
                "deploy creates it when it has BIOS files to put there"))
    return findings
