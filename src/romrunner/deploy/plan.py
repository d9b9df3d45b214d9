"""The deploy plan: every file that goes on the card, where, and what was left out and why.

A plan is built from a list of game ids and a card layout in a handful of queries whatever the
number of games (games, their disc tracks, set sizes, BIOS): never one query per game. Each
destination path goes through the one legaliser (:mod:`romrunner.deploy.legal`); two files
that would land on the same path (case-folded where the card's file system folds case) are an
error for the second one. Files are checked here as the plan is made: within FAT32's 4 GiB
limit, and — for a disc's files and a set's discs, all of a game's files or none — present and
unchanged since the scan (size and modification time). A game of one file and a BIOS file are
planned from what the scan recorded (their library root reachable): the deploy looks at such a
source only when it copies the file (see ``execute._check_sources``). A file that fails a check
is left out with a per-file error; the rest of the plan stands. A plan is kept between runs
and read back while nothing it read changed (:mod:`romrunner.deploy.plancache`).
"""

from __future__ import annotations

import contextlib
import dataclasses
import hashlib
import json
import marshal
import os
import posixpath
import re
import stat
import unicodedata
import zipfile
from collections import Counter, defaultdict
from collections.abc import Callable, Collection, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING, Any, NamedTuple

from romrunner.bios.check import BLOCKING, HLE, BiosGroup, check_bios, unverified_bios_sha1s
from romrunner.bios.known import library_bios_dumps
from romrunner.bios.scan import verified_at_scan
from romrunner.catalog.clones import (
    ARCADE_SET_NAME,
    bios_sets_needed,
    chd_copies,
    chd_set_folders,
    incomplete_sets,
    set_companions,
    sets_short_of_listed_discs,
    split_clones,
)
from romrunner.deploy.archives import (
    CANNOT,
    ArchiveSupport,
    archive_contents,
    archive_extension,
    archive_support,
)
from romrunner.deploy.card import (
    Owned,
    card_destination_id,
    other_layouts,
    read_manifest,
    read_manifest_files,
    recorded_card_os,
    recorded_rom_folders,
)
from romrunner.deploy.layout import (
    DETECTED,
    CardLayoutLike,
    playlist_replaced,
    set_folder_of,
    set_title,
)
from romrunner.deploy.legal import (
    FileSystem,
    collision_key,
    fold_case,
    legal_after,
    legal_component,
    legal_path,
)
from romrunner.deploy.plancache import (
    PlanKeeper,
    RecordingLayout,
    archives_form,
    archives_from,
    item_columns,
)
from romrunner.deploy.saves import (
    launched_name,
    listed_by_sheets,
    platform_names,
    save_folders,
    saves_named_after,
)
from romrunner.devices.autolist import NO_EMULATOR_AVAILABLE, catalog_name_of, copy_rank
from romrunner.devices.cardfs import card_filesystem_warning
from romrunner.devices.destination import destination_id
from romrunner.devices.formats import NOT_READ, SMALLER_IMAGES, format_rank
from romrunner.devices.osprofile import RETROARCH
from romrunner.devices.overrides import (
    EmulatorResolver,
    excluded_games,
    included_games,
    not_installed_warnings,
)
from romrunner.devices.paths import (
    USER_OVERRIDE,
    a_known_saves_folder,
    in_left_folder,
    same_card_folder,
    visible_files,
)
from romrunner.devices.scan import card_root_warnings
from romrunner.errors import InputError
from romrunner.gcpause import gc_paused
from romrunner.library.containers import (
    DISC_SHEET_EXTENSIONS,
    ContainerError,
    is_inside,
    is_unsafe_member_name,
    read_sheet,
    referenced_files,
    sheet_entries,
    sheet_file_names,
    without_current_folder,
)
from romrunner.library.games import (
    NO_ROM,
    damaged_games,
    is_a_note,
    platform_extensions,
    unusable_archives,
    unusable_games,
)
from romrunner.library.platforms import EMPTIED, NO_LONGER_A_GAME, UNKNOWN
from romrunner.library.record import release_of_set
from romrunner.library.roots import (
    link_leads_elsewhere,
    list_roots,
    relinked_hint,
    root_is_there,
)
from romrunner.library.summary import card_name, os_path
from romrunner.library.tags import (
    extension_of,
    parse_filename,
    revision_rank,
    strip_extension,
    tags_of_file,
    without_disc_tags,
)
from romrunner.packs.loader import DefinitionPack
from romrunner.packs.model import PORTS_PLATFORM
from romrunner.store.database import Database
from romrunner.textnorm import fold
from romrunner.words import counted, examples, joined, shell_word

ROM, BIOS, PLAYLIST = "rom", "bios", "playlist"



@dataclass(slots=True)  # not frozen: a frozen dataclass costs 5x to make (100k per plan)
class PlanItem:
    """One file to put on the card (not changed once planned).

    ``dest`` is relative to the card root and legal. ``source`` is absolute (empty for a
    generated file, whose bytes are ``content``). ``source_mtime_ns`` is what the scan saw.
    """

    kind: str
    dest: str
    size: int
    platform_id: str
    game_id: int | None = None
    source: str = ""
    source_mtime_ns: int | None = None
    sha1: str | None = None
    content: bytes | None = None
    # The source was stat'ed as the plan was made (a disc's files, all or none; a set's
    # disc): otherwise the deploy looks at it only if it copies it (see file_ok).
    checked: bool = False


@dataclass(frozen=True)
class PlanIssue:
    """A warning, or an error that left a file (or a game) out of the plan."""

    code: str
    message: str
    platform_id: str | None = None
    game_id: int | None = None
    path: str | None = None
    # The games an issue about several names (its game_id and path: the one, if one): each
    # game's id, its file in the library and its files on the card (``games`` in the JSON).
    games: tuple[tuple[int, str, tuple[str, ...]], ...] = ()

    def as_dict(self) -> dict[str, Any]:
        """The JSON form."""
        found: dict[str, Any] = {"code": self.code, "message": self.message,
                                 "platform_id": self.platform_id, "game_id": self.game_id,
                                 "path": self.path}
        if self.games:
            found["games"] = [{"game_id": game_id, "path": path, "on_card": list(on_card)}
                              for game_id, path, on_card in self.games]
        return found


@dataclass
class PlatformTotals:
    """Files and bytes a plan puts on the card for one platform."""

    files: int = 0
    bytes: int = 0


@dataclass
class DeployPlan:
    """What goes where on one card."""

    root: Path
    os_id: str
    fs: FileSystem
    items: list[PlanItem] = field(default_factory=list)
    errors: list[PlanIssue] = field(default_factory=list)
    warnings: list[PlanIssue] = field(default_factory=list)
    game_ids: list[int] = field(default_factory=list)
    archives: list[ArchiveSupport] = field(default_factory=list)
    # Destinations of selected files left out because their source is missing or changed
    # since the scan (an unmounted share, a touched file): still chosen, so a copy already
    # on the card is kept, never pruned.
    held: list[str] = field(default_factory=list)
    # The games whose copies are held (those above, and games the library has but cannot
    # deploy now: missing since the scan, on a root that is not reachable) wherever an
    # earlier deploy put them — a folder the platform no longer goes to too: by the records
    # of their files (game id), of their sets' playlists (``held_sets``: the set's games), and
    # by their files' SHA1s (a card whose records only its manifest has).
    held_games: set[int] = field(default_factory=set)
    held_sets: set[int] = field(default_factory=set)
    held_sha1s: set[str] = field(default_factory=set)
    # The games of the disc sets no longer chosen whose held discs (missing from the library,
    # on a root away) stay on the card alone: the set's other discs go, and its playlist with
    # them — it would name removed discs (not in ``held_sets``; set only by a plan that read
    # the card, never kept: see plancache).
    sets_let_go: set[int] = field(default_factory=set)
    # Of ``held``, the copies of games the selection chose (not of games missing from the
    # library or on a root not reachable, which no selection takes): the run records them as
    # the profile's still (see Claims.written_by_other_profiles).
    chosen_held: list[str] = field(default_factory=list)
    # The games of ``chosen_held``: their copies a --prune finds elsewhere on the card (a
    # folder or a name an earlier deploy gave them) are recorded the profile's too.
    chosen_held_games: set[int] = field(default_factory=set)
    # the OS is Android or built on it: its emulators read BIOS files from the folder set in
    # each, on the device's internal storage by default (see the deploy's BIOS note)
    android: bool = False
    # On Android: each folder BIOS files go to -> the emulators reading them there once
    # pointed at it ("RetroArch": its System directory; a standalone emulator by its name)
    bios_readers: dict[str, list[str]] = field(default_factory=dict)
    pack_hash: str | None = None  # the content hash of the pack it was made by
    pack_source: str | None = None  # and where that pack was: its folder, or "built-in"
    # Chosen games left out as copies of another chosen game: (left out, the one deployed).
    copies: list[tuple[int, int]] = field(default_factory=list)
    # Games not placed themselves — left out as copies, missing from the library since the
    # scan, on a root that is not reachable — whose content the card gets now from a game
    # placed (a copy in another root): a selection does not call such a game not deployed.
    reached: set[int] = field(default_factory=set)
    # Games (chosen, or added to complete a set) left out with their multi-disc set because
    # an override excludes one of its discs on the profile: game id -> file name.
    excluded_with_set: dict[int, str] = field(default_factory=dict)
    # The folders the layout names for what the plan puts on the card (each platform's ROM
    # and BIOS folder, the playlist folder): the OS expects them, a prune never removes them.
    layout_folders: set[str] = field(default_factory=set)
    # Platform -> its ROM folder where the card already had it (an empty ``lynx`` the user or
    # the OS made): recorded on the card, so that the next deploy, finding only our files
    # there, still takes it for the user's choice and not for an earlier deploy's own.
    detected_folders: dict[str, str] = field(default_factory=dict)
    # Read back from the plan kept for this card (nothing it read had changed: see
    # romrunner.deploy.plancache), not made afresh.
    kept: bool = field(default=False, compare=False)
    # A plan made from inputs a kept plan can be checked against (read back or kept): where
    # its bulk check of the card is kept and the plan's identity (see plancache.read_check).
    kept_as: tuple[str, str] | None = field(default=None, compare=False)
    # The folders a deploy for the layout writes in, for every platform the pack knows (ROM and
    # BIOS folders, the user's overrides): where a prune takes a file only the card's manifest
    # claims (review 87 F1).
    content_folders: set[str] = field(default_factory=set)
    # The card's folders where the OS keeps the player's saves and states (see deploy.saves):
    # a prune keeps a file saves are named after.
    save_folders: list[str] = field(default_factory=list)
    # The names a platform's folder has in any OS (case-folded) to the platforms they name
    # (see deploy.saves): a card folder's platform, a save in a saves folder named so.
    platform_names: dict[str, list[str]] = field(default_factory=dict)
    # Platform -> its ROM folder on the card (None: none), as the plan asked the layout.
    rom_folders: dict[str, str | None] = field(default_factory=dict, repr=False,
                                               compare=False)
    # The folders the plan's files are copied from, and the platforms of its ROMs, once
    # asked (see source_folders, rom_platforms).
    sources_in: set[str] | None = field(default=None, repr=False, compare=False)
    rom_platforms_in: set[str] | None = field(default=None, repr=False, compare=False)

    def source_folders(self) -> set[str]:
        """The folders the plan's files are copied from (asked of the plan once)."""
        if self.sources_in is None:
            self.sources_in = {item.source.rpartition("/")[0] for item in self.items
                               if item.source}
        return self.sources_in

    def rom_platforms(self) -> set[str]:
        """The platforms of the plan's ROMs (asked of the plan once)."""
        if self.rom_platforms_in is None:
            self.rom_platforms_in = {item.platform_id for item in self.items
                                     if item.kind == ROM}
        return self.rom_platforms_in

    def defer_items(self, columns: bytes | memoryview) -> None:
        """A kept plan's files, read back (see plan_from_kept) only when ``items`` is first
        asked for: an unchanged re-deploy settled by its kept bulk check never needs them."""
        del self.items
        self.__dict__["_kept_items"] = columns

    if not TYPE_CHECKING:
        def __getattr__(self, name: str) -> Any:
            # (only for an attribute not set: ``items`` deferred by defer_items)
            columns = self.__dict__.pop("_kept_items", None) if name == "items" else None
            if columns is None:
                raise AttributeError(f"{type(self).__name__!r} object has no attribute {name!r}")
            self.items = list(map(PlanItem, *marshal.loads(columns)))
            return self.items

    def protected_folders(self) -> set[str]:
        """The layout's folders and every folder above them (never removed by a prune)."""
        found: set[str] = set()
        for folder in self.layout_folders:
            while folder and folder != "." and folder not in found:
                found.add(folder)
                folder = folder.rpartition("/")[0]
        return found

    @property
    def total_bytes(self) -> int:
        """Bytes of every planned file."""
        return sum(item.size for item in self.items)

    def totals(self) -> dict[str, PlatformTotals]:
        """Files and bytes per platform (BIOS and playlists count with their platform)."""
        totals: dict[str, PlatformTotals] = defaultdict(PlatformTotals)
        for item in self.items:
            entry = totals[item.platform_id]
            entry.files += 1
            entry.bytes += item.size
        return dict(sorted(totals.items()))

    def summary(self) -> dict[str, Any]:
        """Counts, bytes per platform, errors and warnings (what ``--dry-run`` shows)."""
        return {"root": str(self.root), "os_id": self.os_id, "fs": self.fs.value,
                "games": len(self.game_ids), "files": len(self.items),
                "bytes": self.total_bytes,
                "kinds": {kind: sum(1 for i in self.items if i.kind == kind)
                          for kind in (ROM, BIOS, PLAYLIST)},
                "platforms": {p: {"files": t.files, "bytes": t.bytes}
                              for p, t in self.totals().items()},
                "archives": [support.as_dict() for support in self.archives],
                "errors": [issue.as_dict() for issue in self.errors],
                "warnings": [issue.as_dict() for issue in self.warnings],
                "copies": [{"game_id": left, "same_as": kept} for left, kept in self.copies]}


@dataclass(slots=True)  # not frozen: see PlanItem
class _Game:
    id: int
    platform_id: str
    source: str
    filename: str
    size: int
    mtime_ns: int | None
    sha1: str | None
    missing: bool
    set_key: str | None
    disc: int | None
    root: str
    crc32: bytes | None = None
    archive: bool = False
    root_id: int = 0
    sheet: bool = False  # a disc's sheet or a playlist: its content is more than this file
    catalog_name: str | None = None  # a disc's catalog game, where it has one
    renamed_from: str | None = None  # an arcade set's library name, where its card name differs
    by_data: bool = True  # identified by its hashes (or by hand), not by its name or not at all


@dataclass(frozen=True, slots=True)
class _Track:
    name: str
    size: int | None
    mtime_ns: int | None
    sha1: str | None
    crc32: bytes | None = None


def build_plan(db: Database, layout: CardLayoutLike, game_ids: Iterable[int], *,
               pack: DefinitionPack | None = None, profile_id: int | None = None,
               include_bios: bool = True, pruning: bool = False,
               keep: bool = True) -> DeployPlan:
    """Plan putting ``game_ids`` (and the verified BIOS their platforms need) on the card.

    ``pack`` is needed for BIOS (which files each platform needs); ``profile_id`` narrows the
    BIOS to the emulators the profile uses, and with ``pack`` says of archived games whether
    the emulator they run with reads them (a warning when it cannot or we cannot tell).
    ``pruning``: the plan of a deploy with ``--prune`` (its warnings say what it removes,
    not that a prune would). Nothing is written to the card or the library.

    ``keep``: the plan is read back from the one kept for this card when nothing it read has
    changed, and kept for the next run when it can be (:mod:`romrunner.deploy.plancache`;
    ``plan.kept`` says which); False: made afresh, nothing kept.
    """
    plan = _planned(db, layout, game_ids, pack, profile_id, include_bios, pruning, keep)
    plan.pack_hash = pack.content_hash if pack is not None else None
    if pack is not None:
        plan.pack_source = pack_source(pack)
        _warn_another_pack(db, plan, pack)
        _warn_unread_filesystem(plan, pack)
    return plan


def _warn_unread_filesystem(plan: DeployPlan, pack: DefinitionPack) -> None:
    """Say so when the card's file system is one the pack says the OS does not read
    (qa203 F4: an OnionOS card formatted exFAT, deployed without a word). Asked of the card
    at every plan, a kept one too: the same folder may hold another card since."""
    said = card_filesystem_warning(pack.operating_systems.get(plan.os_id), plan.root)
    if said is not None:
        plan.warnings.insert(0, PlanIssue("filesystem-unread", f"{plan.root}: {said}"))


def pack_source(pack: DefinitionPack) -> str:
    """Where ``pack`` was loaded from, as a deployment records it."""
    return "built-in" if pack.builtin else str(pack.path)


def _warn_another_pack(db: Database, plan: DeployPlan, pack: DefinitionPack) -> None:
    """Say so when the last deploy completed to this card was planned with a pack of a
    folder and this one with the built-in pack (QA98 F9: `--pack` forgotten in a new shell;
    the built-in pack's folders took the card's for copies left behind, every game was
    written again, and the advice was to prune the copies the user's own pack had laid out).
    A pack of another folder is named on purpose (review 100 F10)."""
    card = card_destination_id(plan.root, create=False)
    if not card:  # (a blank card where another was: nothing of it to compare, review 100)
        return
    row = db.query_one(
        "SELECT id, options_json FROM deployment_history WHERE status = 'completed' AND "
        "destination_id = ? ORDER BY id DESC LIMIT 1", (card,))
    if row is None:
        return
    try:
        options = json.loads(row[1] or "{}")
        used, source = options.get("pack"), options.get("pack_source")
    except (ValueError, AttributeError):
        return
    if not pack.builtin or not isinstance(source, str) or source == "built-in" \
            or used == pack.content_hash:
        return  # (another folder's pack named on purpose; the built-in one updated)
    plan.warnings.insert(0, PlanIssue(
        "pack-changed", f"the last deploy to this card (deployment {row[0]}) was planned "
        f"with the definition pack at {source}, this one with the built-in pack: name it "
        "again (`--pack DIR` or ROMRUNNER_PACK) — the folders the two lay out differently "
        "take the card's copies for copies left behind, and write them again"))


def _planned(db: Database, layout: CardLayoutLike, game_ids: Iterable[int],
             pack: DefinitionPack | None, profile_id: int | None, include_bios: bool,
             pruning: bool, keep: bool) -> DeployPlan:
    """:func:`build_plan`'s plan, read back or made."""
    with gc_paused():  # one object per game and file, no cycles
        ids = list(dict.fromkeys(map(int, game_ids)))
        keeper = PlanKeeper.open(db, layout, ids, pack, profile_id, include_bios,
                                 pruning) if keep else None
        if keeper is None:
            return _build_plan(db, layout, ids, pack, profile_id, include_bios, pruning,
                               recorded_card_os(layout.root),
                               recorded_rom_folders(layout.root))[0]
        kept = keeper.reuse(layout)
        if kept is not None:
            with contextlib.suppress(Exception):  # (a payload not read back: made again)
                plan = plan_from_kept(*kept)
                plan.kept_as = keeper.kept_as
                # (whether the card had each folder: asked again, see plancache._plain)
                plan.detected_folders = _detected_folders(layout, plan.rom_folders)
                return plan
        asking = RecordingLayout(layout)
        plan, builder = _build_plan(db, asking, ids, pack, profile_id, include_bios, pruning,
                                    keeper.card_os, keeper.rom_folders)
        if builder.volatile:
            keeper.forget()
        else:
            keeper.keep(kept_form(plan), marshal.dumps(item_columns(plan.items)), asking.asked,
                        builder.roots_ok)
            plan.kept_as = keeper.kept_as
        return plan


# The plan's fields a kept plan does not hold as they are: its files (kept apart, see
# plan_from_kept), what the card says (asked again when read back), and the kept plan's own
# marks. Every other field is in kept_form (a test holds them to this).
NOT_KEPT_AS_IS = frozenset({"items", "detected_folders", "kept", "kept_as", "sources_in",
                            "rom_platforms_in", "pack_hash", "pack_source"})


def kept_form(plan: DeployPlan) -> tuple[Any, ...]:
    """``plan`` as plain values but its files (kept apart: see plan_from_kept)."""
    def issues(found: list[PlanIssue]) -> list[tuple[Any, ...]]:
        return [(i.code, i.message, i.platform_id, i.game_id, i.path, i.games) for i in found]

    return (str(plan.root), plan.os_id, plan.fs.value,
            issues(plan.errors), issues(plan.warnings), plan.game_ids,
            archives_form(plan.archives), plan.held, plan.chosen_held,
            plan.chosen_held_games, plan.held_games,
            plan.held_sets, plan.held_sha1s, plan.copies, plan.reached, plan.layout_folders,
            plan.rom_folders, plan.source_folders(), plan.rom_platforms(),
            plan.excluded_with_set, plan.save_folders, plan.platform_names,
            plan.content_folders, plan.android, plan.bios_readers, plan.sets_let_go)


def plan_from_kept(payload: tuple[Any, ...], columns: bytes | memoryview) -> DeployPlan:
    """The plan :func:`kept_form` kept (``kept`` set), its files from ``columns`` (the
    marshalled :func:`item_columns`, read when first asked for: see defer_items)."""
    (root, os_id, fs, errors, warnings, game_ids, archives, held, chosen_held,
     chosen_held_games, held_games,
     held_sets, held_sha1s, copies, reached, layout_folders, rom_folders,
     sources_in, rom_platforms_in, excluded_with_set, save_folders, platform_names,
     content_folders, android, bios_readers, sets_let_go) = payload
    plan = DeployPlan(
        Path(root), os_id, FileSystem(fs),
        errors=[PlanIssue(*issue) for issue in errors],
        warnings=[PlanIssue(*issue) for issue in warnings], game_ids=game_ids,
        archives=archives_from(archives), held=held, chosen_held=chosen_held,
        chosen_held_games=chosen_held_games, held_games=held_games,
        held_sets=held_sets, held_sha1s=held_sha1s, copies=[tuple(c) for c in copies],
        reached=reached, layout_folders=layout_folders, rom_folders=rom_folders,
        kept=True, sources_in=sources_in, rom_platforms_in=rom_platforms_in,
        excluded_with_set=excluded_with_set, save_folders=save_folders,
        platform_names=platform_names, content_folders=content_folders, android=android,
        bios_readers=bios_readers, sets_let_go=sets_let_go)
    plan.defer_items(columns)
    return plan


def _build_plan(db: Database, layout: CardLayoutLike, ids: list[int],
                pack: DefinitionPack | None, profile_id: int | None,
                include_bios: bool, pruning: bool, card_os: str | None,
                recorded_folders: dict[str, str]) -> tuple[DeployPlan, _Builder]:
    catalog = pack.operating_systems.get(layout.os_id) if pack is not None else None
    plan = DeployPlan(layout.root, layout.os_id, layout.fs, game_ids=ids,
                      android=catalog is not None and catalog.on_android)
    builder = _Builder(plan, layout)
    games = _load_games(db, ids)
    for missing in (i for i in ids if i not in games):
        plan.errors.append(PlanIssue("unknown-game", f"game {missing} does not exist",
                                     game_id=missing))
    damaged = _leave_out_damaged(db, games, builder, profile_id)
    _take_touched_playlists(games, builder)
    _place_chds(db, builder, games)
    if pack is not None:
        _leave_out_bios_dumps(db, pack, games, builder)
        _leave_out_archives_of_no_rom(db, pack, games, builder)
    absent = _absent_games(db, builder, set(ids) - damaged)
    _leave_out_copies(db, games, builder, absent)
    sets = _complete_sets(db, games, builder)
    _one_revision_per_disc(db, games, builder)
    _leave_out_excluded_sets(db, games, builder, profile_id)
    _warn_completed_sets(builder, games)
    # (a CHD chosen brings its zip, which may need its parent and BIOS set, whose own CHDs
    # go with them: QA66 F3)
    _bring_set_companions(db, games, builder, profile_id)
    _bring_parents(db, games, builder, profile_id)
    _bring_set_companions(db, games, builder, profile_id)
    tracks = _load_tracks(db, [*games, *(g.id for missing in builder.missing_discs.values()
                                         for g in missing)])
    _leave_out_tracks(games, tracks, plan)
    placed: dict[str, list[tuple[_Game, str]]] = defaultdict(list)
    # the discs of the chosen sets, and those missing from the library (held: the set's own
    # .m3u still lists them), which the library's .m3u may name (a copy's too)
    disc_files = {game.source for game in games.values() if game.set_key} | {
        game.source for missing in builder.missing_discs.values() for game in missing}
    replaced = {game_id for game_id, found in tracks.items()  # (a game without tracks: no)
                if (game := games.get(game_id)) is not None
                and _replaced_playlist(game, found, disc_files, layout)}
    _follow_playlists_sheets(db, tracks, builder, [game for game in games.values()
                                                   if game.id not in replaced],
                             {*ids, *games}, profile_id, set(games))
    _warn_partial_playlists(builder, games, tracks, replaced)
    _leave_out_disc_copies(games, tracks, sets, replaced, builder)
    _leave_out_other_formats(db, games, builder, pack, profile_id, pruning)
    builder.note_sets([*games.values(), *(g for missing in builder.missing_discs.values()
                                          for g in missing)])
    builder.note_contested(games.values(), tracks)
    renamed: list[_Game] = []  # arcade sets placed under their set's name
    added: list[_Game] = []
    for game in builder.claim_order(db, games.values()):
        if game.id in replaced:
            continue
        dest = builder.add_game(game, tracks.get(game.id, []))
        if dest is not None:
            added.append(game)
        if dest is not None and game.set_key:
            placed[game.set_key].append((game, dest))
        if dest is not None and game.renamed_from:
            renamed.append(game)
    _say_renamed_sets(builder, renamed)
    _warn_playlists_discs_twice(builder, added, tracks)
    if pack is not None:
        _warn_unlisted_extensions(builder, added, pack)
    for set_key, discs in placed.items():
        builder.add_set(set_key, discs, sets.get(set_key, len(discs)))
    _warn_flat_sets(builder, placed, pruning)
    _warn_no_platform(builder)
    _hold_copies_of_unplaced(builder, tracks)
    _hold_playlists_collided(builder)
    _say_playlists_left_out(builder, games, tracks, pruning)
    if builder.flat_sheets:
        count = len(builder.flat_sheets)
        plan.warnings.append(PlanIssue(
            "sheet-rewritten", f"{count:,} disc {'sheet names' if count == 1 else 'sheets name'}"
            " tracks in a folder, with characters the card cannot hold, with generic names "
            "(track01.bin) or names another disc's tracks have, or other than their files are "
            "named (another case, Windows-1252 bytes): on the card the tracks go beside "
            f"{'it' if count == 1 else 'them'}"
            " under names of their own, and "
            f"{'its' if count == 1 else 'their'} FILE lines name them (the library's files "
            f"are unchanged; {examples(builder.flat_sheets)})"))
    absent_tracks = _load_tracks(db, list(absent)) if absent else {}
    _place_chds(db, builder, absent, chosen=False)
    _note_reached(db, builder, games, absent, {**tracks, **absent_tracks})
    _hold_absent(db, builder, absent, absent_tracks, _not_games(db, absent), pruning)
    _hold_undecided(db, builder)
    _hold_the_sets_held_sets_run_with(db, builder)
    held_copies(db, plan)
    builder.count_unreachable(_relinked_roots(db, builder.unreachable_games))
    _warn_left_folders(builder, {game.platform_id for game in games.values()}, pruning,
                       recorded_folders, db, profile_id)
    _warn_users_files_left(builder, {game.platform_id for game in games.values()})
    _warn_renamed_folders(builder, {game.platform_id for game in games.values()}, profile_id)
    _warn_dot_names(plan)
    _warn_other_os(layout, plan, card_os)
    if pack is not None:
        for text in card_root_warnings(pack, layout.root, layout.os_id,
                                       _rom_root(layout, games.values())):
            builder.volatile = True  # (reads the card's top folders)
            plan.warnings.append(PlanIssue("card-root", text))
    _warn_replatformed(db, builder, pruning, pack)
    if include_bios and pack is not None:
        # (and those of the games whose card copies are held: their BIOS stays with them,
        # never pruned while the library's root is away, QA67 F1)
        written = {item.platform_id for item in plan.items if item.kind == ROM}
        platforms = sorted(written | _platforms_of(db, plan.held_games - builder.held_off_card))
        if platforms:
            _add_bios(db, pack, profile_id, platforms, builder, said=written)
    if pack is not None and profile_id is not None:
        resolver = EmulatorResolver(db, pack, profile_id)  # (one for both checks)
        _check_archives(db, pack, resolver, plan)
        _check_emulators(db, pack, resolver, plan)
    plan.layout_folders |= {folder for folder in builder.folders.values() if folder}
    plan.rom_folders = dict(builder.folders)
    plan.save_folders = save_folders(pack, layout.os_id, layout.root)
    plan.platform_names = platform_names(pack)
    plan.detected_folders = _detected_folders(layout, plan.rom_folders)
    playlists = layout.playlist_folder()
    if playlists is not None:
        plan.layout_folders.add(str(playlists.path))
    if pack is not None:
        plan.content_folders = _content_folders(layout, pack)
    return plan, builder


def _content_folders(layout: CardLayoutLike, pack: DefinitionPack) -> set[str]:
    """See :attr:`DeployPlan.content_folders`."""
    found: set[str] = set()  # (not the card's os.json: hand-edited with the manifest, it
    # made any folder one of ours again, review 90 F1)
    for platform_id in pack.platforms:
        if (choice := layout.rom_folder(platform_id)) is not None:
            found.add(str(choice.path))
        found.add(str(layout.bios_folder(platform_id).path))
    return {folder for folder in found if folder not in ("", ".")}


def _detected_folders(layout: CardLayoutLike, folders: dict[str, str | None]
                      ) -> dict[str, str]:
    """Platform -> its ROM folder where the layout took the one the card had (see
    :attr:`DeployPlan.detected_folders`)."""
    return {platform_id: folder for platform_id, folder in folders.items()
            if folder and (choice := layout.rom_folder(platform_id)) is not None
            and choice.source == DETECTED}


def _hold_copies_of_unplaced(builder: _Builder, tracks: dict[int, list[_Track]]) -> None:
    """A game left out as a copy of another whose own file could not be placed (changed
    since the scan, a collision): the left-out copy's file on the card is kept, never pruned
    — the card has the content through it."""
    if not builder.plan.copies:
        return
    placed = {item.game_id for item in builder.plan.items}
    for left, kept in builder.plan.copies:
        if kept not in placed and left in builder.left_out_copies:
            game = builder.left_out_copies[left]
            paths = builder.card_paths(game, tracks.get(game.id, []))
            builder.plan.held.extend(paths)
            builder.plan.chosen_held.extend(paths)
            builder.plan.chosen_held_games.add(game.id)
            builder.plan.held_games.add(game.id)


def _hold_playlists_collided(builder: _Builder) -> None:
    """Keep on the card the playlists left out because a file they name lands where
    another game's file goes (see :meth:`_Builder._playlist_collides`), as the card has them:
    the card's ``.m3u`` at the playlist's place and the files it names there, and the files
    its sheets name in turn — never pruned (review51i F1, medium: another dump of disc 1 under
    the same names in another root, and `--auto --prune` removed the card's playlist and its
    hidden disc 2 a query had put there). Decided once every game and set has claimed its
    paths, and only for paths none claimed: a playlist or set placed at that ``.m3u``'s place
    replaces it, and a file another game writes is that game's (review52a F1, F3: holding
    the paths before those claims refused a later playlist's write as "a game missing from
    the library"); a file the card's list does not name is not kept (review52a F2: a track
    the other dump's sheet no longer names was kept). Paths only: the playlist's game is not
    made a held game, whose copies would be kept wherever they are."""
    if not builder.playlists_collided:
        return
    plan = builder.plan
    for dest in builder.playlists_collided:
        if collision_key(dest, builder.fs) in builder.taken:
            continue
        builder.volatile = True  # (reads the card: see _Builder.__init__)
        if not os.path.lexists(plan.root / dest):
            continue
        paths = [dest, *sorted(path for path in listed_by_sheets(plan.root, [dest])
                               if collision_key(path, builder.fs) not in builder.taken)]
        plan.held.extend(paths)
        plan.chosen_held.extend(paths)


def _say_playlists_left_out(builder: _Builder, games: dict[int, _Game],
                            tracks: dict[int, list[_Track]], pruning: bool) -> None:
    """Name each chosen playlist left out because a file of the disc it names changed since
    the scan (that refusal names the file alone: a .bin the user never chose), and, under
    --prune, say that its copies on the card were kept, not pruned (review49h F2: "0
    pruned", the three files kept unsaid)."""
    plan = builder.plan
    issues: dict[int, list[PlanIssue]] = defaultdict(list)
    for issue in plan.errors:
        if issue.game_id is not None:
            issues[issue.game_id].append(issue)
    held = set(plan.held) if pruning else set()
    # (a root away is said once for all its games, their copies kept: review50c F1)
    away = set().union(*builder.unreachable_games.values()) if held else set()
    playlists: list[_Game] = []
    kept: list[str] = []
    for game_id, said in issues.items():
        game = games.get(game_id)
        if game is None or not _a_playlist(game):
            continue
        changed = next((issue.path for issue in said if issue.code == "source-changed"
                        and issue.path and issue.path != game.source), None)
        if changed is not None:
            plan.errors.append(PlanIssue(
                "track-refused", f"{game.source}: it names a disc whose file {changed} "
                "changed since the scan; the playlist is not deployed",
                game.platform_id, game.id, game.source))
        if not held or game.id in away:
            continue
        builder.volatile = True  # (reads the card: see _Builder.__init__)
        its = sorted({dest for dest in builder.card_paths(game, tracks.get(game.id, []))
                      if dest in held and os.path.lexists(plan.root / dest)})
        if its:
            playlists.append(game)
            kept += its
    if playlists:  # (one warning for them all, as a root's: review50c F1)
        one = playlists[0] if len(playlists) == 1 else None
        plan.warnings.append(PlanIssue(
            "playlist-kept", f"{examples([game.source for game in playlists])}: "
            f"{'not deployed' if one else f'{len(playlists):,} playlists not deployed'}, "
            f"{'its' if one else 'their'} {counted(len(kept), 'file')} on the card kept, not "
            f"pruned ({examples(kept)})", one.platform_id if one else None,
            one.id if one else None, one.source if one else None))


NO_PLATFORM_NAMED = 5  # games named in the undecided-platform warning; more are counted


def _warn_playlists_discs_twice(builder: _Builder, added: list[_Game],
                                tracks: dict[int, list[_Track]]) -> None:
    """Say where a library playlist placed as it is (see _follow_playlists_sheets) makes the
    frontend list a game twice or puts a disc on the card twice: a disc of the library it
    names that goes as a game of its own at that very place, on a layout that hides a set's
    discs from the list (muOS: the disc's sheet is listed beside the playlist; an OS that puts
    a set's discs flat hides what a playlist names), and one it names elsewhere (``discs/…``),
    copied there as well as where the disc goes as a game, or beside it where the disc goes in
    its set's folder (review49b F3: both unsaid)."""
    playlists = [game for game in added if game.filename.lower().endswith(".m3u")]
    if not playlists or not builder.library_files:
        return
    placed = {item.game_id for item in builder.plan.items}
    copies = dict(builder.plan.copies)  # (a disc left out -> its copy that goes)
    listed: list[tuple[_Game, str]] = []
    copied: list[tuple[_Game, str]] = []
    extra = 0
    for game in playlists:
        parent = game.source.rpartition("/")[0]
        own = {item.source: item for item in builder.plan.items if item.game_id == game.id}
        for entry in tracks.get(game.id, []):
            source = os.path.join(parent, entry.name)
            disc = builder.library_files.get(source)
            if disc is not None and disc not in placed:
                disc = copies.get(disc)
            if disc is None or disc not in placed:
                continue
            if source in own:
                extra += own[source].size
                if entry.name.lower().endswith(TRACKED_SHEETS):
                    copied.append((game, entry.name))
            elif entry.name.lower().endswith(TRACKED_SHEETS) \
                    and builder.layout.multi_disc_layout(game.platform_id) != "flat":
                listed.append((game, entry.name))
    _warn_playlists_discs(builder, "playlist-disc-listed", listed, lambda one, named: (
        f"beside it as {'a game' if one else 'games'} of {'its' if one else 'their'} own "
        f"({named}): this OS lists the disc's sheet and the playlist, the game twice (it "
        "lists no disc of a set the deploy writes, kept in a hidden folder); to list it once, "
        "keep such a disc in a hidden folder beside the playlist in the library (`.Title/`) "
        "and name it there"))
    _warn_playlists_discs(builder, "playlist-disc-copied-twice", copied, lambda one, named: (
        f"on the card twice: where the deploy puts {'it' if one else 'each'} as a game (a "
        "set's disc in its set's folder) and again where the playlist names "
        f"{'it' if one else 'them'} ({named}): {extra:,} bytes more"))


def _warn_playlists_discs(builder: _Builder, code: str, discs: list[tuple[_Game, str]],
                          says: Callable[[bool, str], str]) -> None:
    """One warning ``code`` for the discs (a playlist, its entry) of library playlists
    ``discs``: "N discs a playlist of the library names go" and ``says``'s words (given
    whether there is one disc, and the discs named); with the platform and the playlist where
    all are of one (review51e F7: neither in --json)."""
    if not discs:
        return
    one = len(discs) == 1
    platforms = {game.platform_id for game, _ in discs}
    games = {game.id for game, _ in discs}
    named = examples([f"{game.filename}: {entry}" for game, entry in discs], sep="; ")
    builder.plan.warnings.append(PlanIssue(
        code, f"{counted(len(discs), 'disc')} a playlist of the library names "
        f"{'goes' if one else 'go'} {says(one, named)}",
        next(iter(platforms)) if len(platforms) == 1 else None,
        next(iter(games)) if len(games) == 1 else None))


def _warn_no_platform(builder: _Builder) -> None:
    """One warning for the chosen games of undecided platform, left out (a frontend finds
    nothing in a folder named ``unknown``), naming the first few and the fix."""
    games = builder.no_platform
    if not games:
        return
    names = examples([f"{game.id} {game.filename}" for game in games], NO_PLATFORM_NAMED)
    builder.plan.warnings.append(PlanIssue(
        "no-platform", f"{len(games):,} chosen {'game is' if len(games) == 1 else 'games are'}"
        f" of undecided platform: left out ({names}); set it with `romrunner games "
        "set-platform PLATFORM ID…`", UNKNOWN))


def _warn_flat_sets(builder: _Builder, placed: dict[str, list[tuple[_Game, str]]],
                    pruning: bool) -> None:
    """Say which sets now in a folder of their own an earlier deploy (a release that laid
    sets out flat) left beside their .m3u: the frontend lists those copies as games of their
    own until ``--prune`` removes them (``pruning``: this deploy's does)."""
    moved: list[tuple[str, str]] = []  # (title, a flat copy on the card)
    if placed:
        builder.volatile = True  # (reads the card's files: see _Builder.volatile)
    for set_key, discs in placed.items():
        for game, dest in discs:
            folder = builder.folder(game.platform_id)
            flat = f"{folder}/{PurePosixPath(dest).name}"
            if folder and flat != dest and os.path.lexists(builder.plan.root / flat):
                moved.append((_set_title(builder.set_firsts.get(set_key, game), set_key), flat))
                break
    if not moved:
        return
    ours = read_manifest_files(builder.plan.root)[0]
    titles = sorted({title for title, flat in moved if flat in ours})
    if titles:
        count = len(titles)
        shown = examples(titles)
        builder.plan.warnings.append(PlanIssue(
            "set-layout-moved", f"{count:,} multi-disc {'set' if count == 1 else 'sets'} "
            f"whose discs an earlier deploy put flat in the platform's folder (beside "
            f"{'its' if count == 1 else 'their'} .m3u, or a disc deployed alone before the "
            f"set was complete) ({shown}) now go{'es' if count == 1 else ''} in a folder of "
            f"{'its' if count == 1 else 'their'} own: " + (
                "this --prune removes the old copies once the new ones are in place (but any "
                "its notes say it keeps)"
                if pruning else "the old copies stay until --prune removes them (until then "
                "the frontend may list such a game more than once)")))


def _warn_other_os(layout: CardLayoutLike, plan: DeployPlan,
                   recorded: str | None) -> None:
    """Say when an earlier deploy laid the card out for another OS (a profile of another
    device, or the card moved to another handheld; ``recorded``: the OS the card's record
    names): the games go to this OS's folders."""
    if recorded is not None and recorded != layout.os_id \
            and any(item.kind == ROM for item in plan.items):  # (placing none: QA69 F7)
        plan.warnings.append(PlanIssue(
            "card-os-changed", f"{layout.root}: an earlier deploy laid this card out for "
            f"{recorded}; this one lays it out for {layout.os_id}, in its folders"))


def _warn_left_folders(builder: _Builder, platforms: set[str], pruning: bool,
                       recorded: dict[str, str], db: Database | None = None,
                       profile_id: int | None = None) -> None:
    """Say, per chosen platform whose games now go to another folder than the one an earlier
    deploy filled (an older folder name; the OS's own folder made since; another ROM root,
    the pack's path for the OS changed: ``recorded``, the folders the card's record names),
    that the old copies stay until ``--prune``: silent, the card would hold both and need
    room for both. Copies there of games held (see :attr:`DeployPlan.held_games`; by their
    SHA1 in the card's manifest) are said to be kept: a prune never removes them. So are
    those another profile's deploys to the card chose (qa201 F8: a card deployed for muOS,
    then for OnionOS by another profile, was told `--prune` removes the old copies; its
    prune keeps them, naming `profile rm`)."""
    layout, plan = builder.layout, builder.plan
    held: list[str] | None = None
    theirs: dict[str, tuple[int, ...]] | None = None  # our files -> the profiles keeping them
    for platform_id in sorted(platforms):
        choice = layout.rom_folder(platform_id)
        if choice is None:
            continue
        left = layout.left_folders(platform_id)
        left += _left_root(builder, str(choice.path), recorded.get(platform_id),
                           [str(folder) for folder, _ in left])
        seen: list[str] = []
        for old, files in left:
            builder.volatile = True  # (reads the card's manifest: see _Builder.volatile)
            if _one_folder(layout.root, str(old), str(choice.path)) \
                    or any(same_card_folder(layout.root, layout.fs, str(old), other)
                           for other in (str(choice.path), *seen)):
                continue  # linked by the user (`megadrive -> md`), or one folder spelt
                # otherwise on a card that ignores case (QA123 F2): the games are there
            seen.append(str(old))
            if held is None:
                held = [dest for dest, owned in read_manifest(layout.root)[0].items()
                        if owned.sha1 in plan.held_sha1s] if plan.held_sha1s else []
            old_text, chosen = str(old), str(choice.path)
            # (the files the plan still puts there are another platform's, the folder the
            # OS reads for it: GarlicOS's NGP, KNULLI's Pocket folder — review 23 R3)
            files -= sum(1 for item in plan.items
                         if in_left_folder(item.dest, old_text, chosen))
            if files <= 0:
                continue
            kept_here = {dest for dest in held if in_left_folder(dest, old_text, chosen)}
            kept = min(len(kept_here), files)
            if theirs is None:
                theirs = _chosen_by_other_profiles(db, layout, profile_id)
            others = {dest: by for dest, by in theirs.items() if dest not in kept_here
                      and in_left_folder(dest, old_text, chosen)}
            plan.warnings.append(PlanIssue(
                "folder-moved", _left_behind(layout, platform_id, str(old), str(choice.path),
                                             files, kept, pruning,
                                             set_by_user=choice.source == USER_OVERRIDE,
                                             theirs=min(len(others), files - kept),
                                             profiles=_profiles_named(
                                                 db, {p for by in others.values()
                                                      for p in by}),
                                             saves=a_known_saves_folder(old_text)),
                platform_id, path=str(old)))


def _chosen_by_other_profiles(db: Database | None, layout: CardLayoutLike,
                              profile_id: int | None) -> dict[str, tuple[int, ...]]:
    """The files of ours on the card (as its manifest spells them) that other profiles'
    deploys to it chose and have not let go, which a prune by ``profile_id`` keeps (see
    Claims.written_by_other_profiles) -> each of those profiles; nothing without a
    profile."""
    if db is None or profile_id is None:
        return {}
    from romrunner.deploy.execute import Claims  # (it imports this module)
    claims = Claims(db, layout.root, card_destination_id(layout.root, create=False) or "",
                    layout.fs)
    claims.profile_id = profile_id
    by_key = claims.written_by_other_profiles()
    if not by_key:
        return {}
    return {dest: by_key[key] for dest in read_manifest(layout.root)[0]
            if (key := collision_key(dest, layout.fs)) in by_key}


def _profiles_named(db: Database | None, profiles: set[int]) -> list[tuple[int, str]]:
    """Each of ``profiles`` by id, with its words (``profile 1 'kids'``)."""
    if db is None or not profiles:
        return []
    from romrunner.deploy.execute import _profile_named  # (it imports this module)
    return [(profile, _profile_named(db, profile)) for profile in sorted(profiles)]


def chosen_left_out(db: Database, plan: DeployPlan, chosen: list[int]) -> int:
    """How many games the plan could not place (each error said as a warning) of those
    chosen and those it added for them — a split clone's parent, a BIOS set: the run does
    not do all it was asked, so it does not exit 0 (QA8). Not a disc added to complete a
    chosen disc's set, whose absence the set's warning says (QA117 F4: "1 chosen game was
    left out" of a deploy that placed the one disc chosen; review 118 F4: a clone placed
    without its parent, exit 0)."""
    failed = {issue.game_id for issue in plan.errors if issue.game_id is not None}
    added = sorted(failed - set(chosen))
    if not added:
        return len(failed)
    completing = {int(row[0]) for row in db.query(
        "SELECT g.id FROM games g WHERE g.id IN (SELECT value FROM json_each(?)) "
        "AND g.set_key IS NOT NULL AND g.set_key IN (SELECT c.set_key FROM games c "
        "WHERE c.id IN (SELECT value FROM json_each(?)))",
        (json.dumps(added), json.dumps(sorted(set(chosen)))))}
    return len(failed - completing)


def _last_copied_games(db: Database, root: Path, dests: list[str]
                       ) -> dict[str, tuple[int, int | None, int | None]]:
    """Of ``dests`` on the card at ``root``, each one's game as this card's last copy
    there (written or found unchanged) recorded it, with that copy's size and time."""
    card = card_destination_id(root, create=False)
    if not card:
        return {}
    found: dict[str, tuple[int, int | None, int | None]] = {}
    for dest, game_id, size, mtime_ns in db.query(
            "SELECT i.dest_path, i.game_id, i.file_size, i.dest_mtime_ns "
            "FROM deployment_items i JOIN deployment_history h ON h.id = i.deployment_id "
            "WHERE h.destination_id = ? AND i.action = 'copy' "
            "AND i.status IN ('copied', 'skipped') AND i.game_id IS NOT NULL "
            "AND i.dest_path IN (SELECT value FROM json_each(?)) ORDER BY h.id, i.seq",
            (card, json.dumps(dests))):
        found[str(dest)] = (int(game_id), size, mtime_ns)  # (the last one wins)
    return found


# The copies earlier deploys to a card put of games, under the platform they had then.
_EARLIER_COPIES = (
    "SELECT DISTINCT i.game_id, i.platform_id, i.dest_path FROM deployment_items i "
    "JOIN deployment_history h ON h.id = i.deployment_id WHERE h.destination_id = ? "
    "AND i.kind = 'rom' AND i.action = 'copy' AND i.status IN ('copied', 'skipped') "
    "AND i.game_id IN (SELECT value FROM json_each(?))")


def _warn_replatformed(db: Database, builder: _Builder, pruning: bool,
                       pack: DefinitionPack | None = None) -> None:
    """Say which chosen games an earlier deploy put on this card under another platform
    (a catalog's match or `games set-platform` changed it since) whose old copies, still
    ours on the card, stay until ``--prune``: silent, the frontend lists such a game twice
    (QA22 C3). Say too the discs an earlier deploy put in another set's folder of the same
    platform (two editions once taken for one set, told apart since: review 99 F7)."""
    plan = builder.plan
    now: dict[int, tuple[str, set[str]]] = {}  # game -> (platform, its files on the card)
    for item in plan.items:
        if item.kind == ROM and item.game_id is not None:
            now.setdefault(item.game_id, (item.platform_id, set()))[1].add(item.dest)
    try:  # (the id deployments record: the volume's UUID, else the card's id file)
        card = destination_id(plan.root, create=False) if now else None
    except (InputError, OSError):
        return
    if card is None:
        return
    # (on a card that ignores case, an earlier copy whose path differs from a planned one
    # only in case is that very file: no copy left under another name, QA186 F1 — the
    # warning asked for a prune that would never act, at every deploy)
    planned = {collision_key(item.dest, plan.fs) for item in plan.items}
    left: dict[int, list[str]] = defaultdict(list)
    regrouped: dict[int, list[str]] = defaultdict(list)
    unfolded: dict[int, list[str]] = defaultdict(list)  # (a set's folder, now flat)
    renamed: dict[int, list[str]] = defaultdict(list)  # (the same folder, another name)
    for game_id, platform_id, dest in db.query(_EARLIER_COPIES, (card, json.dumps(list(now)))):
        if not platform_id or collision_key(dest, plan.fs) in planned:
            continue
        folder = builder.folder(platform_id)
        if platform_id != now[game_id][0]:
            left[game_id].append(dest)
        elif _in_another_set_folder(dest, now[game_id][1], folder):
            flat = all(PurePosixPath(new).parent.as_posix() == folder
                       for new in now[game_id][1])
            (unfolded if flat else regrouped)[game_id].append(dest)
        elif dest.rpartition("/")[0] in {new.rpartition("/")[0] for new in now[game_id][1]}:
            renamed[game_id].append(dest)
    if not left and not regrouped and not unfolded and not renamed:
        return
    builder.volatile = True  # (reads the card's manifest: see _Builder.volatile)
    ours = read_manifest_files(plan.root)[0]
    for code, earlier in (("platform-moved", left), ("set-folder-moved", regrouped),
                          ("set-layout-moved", unfolded)):
        moved = sorted((PurePosixPath(dest).parent.as_posix(),
                        PurePosixPath(min(now[game_id][1])).parent.as_posix(),
                        PurePosixPath(dest).name, game_id)
                       for game_id, dests in earlier.items() for dest in dests
                       if dest in ours and os.path.lexists(plan.root / dest))
        moved = [entry for entry in moved if not _one_folder(plan.root, entry[0], entry[1])]
        if moved:
            plan.warnings.append(PlanIssue(code, _moved_copies(code, moved, pruning)))
    _warn_renamed_copies(plan, now, renamed, ours, pruning, pack, builder.folders)


def _warn_renamed_copies(plan: DeployPlan, now: dict[int, tuple[str, set[str]]],
                         renamed: dict[int, list[str]], ours: Mapping[str, object],
                         pruning: bool, pack: DefinitionPack | None = None,
                         folders: Mapping[str, str | None] | None = None) -> None:
    """Say the chosen games an earlier deploy put on the card under another name in the same
    folder (the library's file renamed, or the card's naming rules changed: review 36b F2,
    Mac stand-in characters made real ones), whose old copies stay until ``--prune``: the
    frontend lists such a game twice. Each old copy is said with its own new name (QA172 F1:
    a GDI set's three tracks were each said to be renamed to its first)."""
    sha1s = {item.dest: item.sha1 for item in plan.items if item.sha1}
    left = sorted((dest.rpartition("/")[2], _renamed_to(dest, now[game_id][1], ours, sha1s),
                   game_id)
                  for game_id, dests in renamed.items() for dest in dests
                  if dest in ours and os.path.lexists(plan.root / dest))
    if not left:
        return
    shown = [(old, new) for old, new, _ in left]
    games = len({game_id for *_, game_id in left})
    one = games == 1
    # (twice only where an old copy is one the frontend lists: not a disc's track, nor in a
    # set's hidden folder — qa191 F9, said of a track renamed in a set one .m3u lists)
    twice = any(_listed_as_a_game(dest, now[game_id][1])
                for game_id, dests in renamed.items() for dest in dests
                if dest in ours and os.path.lexists(plan.root / dest))
    olds = [dest for game_id, dests in renamed.items() for dest in dests
            if dest in ours and os.path.lexists(plan.root / dest)]
    saves = _saves_of_renamed(plan, olds, pack, folders or {})
    kept = " (until then the frontend lists such a game twice)" if twice else ""
    if saves and pruning:  # (the prune's note gives the advice: review49e F8, said twice)
        which = ("the old copy" if len(olds) == 1 else "the old copies"
                 if len(saves) == len(olds) else f"{len(saves):,} of the {len(olds):,} old copies")
        said = (f"this --prune keeps {which} for the player's saves named after "
                f"{'it' if len(saves) == 1 else 'them'} (its note says how to move on)")
        if len(saves) < len(olds):
            said += "; it removes the others once the new ones are in place"
    elif saves and len(saves) == len(olds):  # (qa203 F6: each prune kept them for their
        # saves, while this said at every deploy that a prune removes them)
        said = _kept_for_saves(saves, kept.replace("until then", "meanwhile"))
    else:
        said = ("this --prune removes the old copies once the new ones are in place (but any "
                "its notes say it keeps)" if pruning
                else "the old copies stay until `romrunner deploy --prune` removes them" + kept)
        if saves:
            said += f"; but {_kept_for_saves(saves, '')}"
    plan.warnings.append(PlanIssue(
        "name-changed", f"{counted(games, 'game')} an earlier deploy put on this card "
        f"go{'es' if one else ''} there under another name now "
        f"({examples([f'{old} → {new}' for old, new in shown])}): {said}"))


def _saves_of_renamed(plan: DeployPlan, olds: list[str], pack: DefinitionPack | None,
                      folders: Mapping[str, str | None]) -> dict[str, list[str]]:
    """Old copy -> the player's saves and states on the card named after it, of ``olds``
    (earlier copies of chosen games renamed since): what a prune keeps them for, as
    :func:`romrunner.deploy.execute._without_saved_games` finds them."""
    if not olds:
        return {}
    names = platform_names(pack)
    by_folder: dict[str, set[str]] = defaultdict(set)
    for platform, folder in folders.items():
        if folder:
            by_folder[folder.casefold()].add(platform)

    def platforms_of(folder: str) -> set[str]:
        own = by_folder.get(folder.casefold())
        return set(own) if own else set(names.get(folder.rpartition("/")[2].casefold(), ()))

    launched: set[tuple[str | None, str]] = {
        (item.platform_id, launched_name(item.dest)) for item in plan.items}
    return saves_named_after(plan.root, save_folders(pack, plan.os_id, plan.root), olds,
                             launched, platforms_of, set(olds))


def _kept_for_saves(saves: Mapping[str, list[str]], twice: str) -> str:
    """What is said of renamed copies a prune keeps for the saves named after them
    (``twice``: what the frontend does meanwhile, or "")."""
    found = sorted({path for paths in saves.values() for path in paths})
    one = len(saves) == 1
    return (f"the player's saves or states on the card are named after "
            f"{'that old copy' if one else f'{len(saves):,} of the old copies'} "
            f"({examples(found)}), so `--prune` keeps {'it' if one else 'them'} for those "
            f"saves{twice}: "
            "rename the saves after the new name (or move them where the new copy finds "
            f"them) and prune again, or remove the old cop{'y' if one else 'ies'} yourself "
            f"({examples(sorted(saves))})")


# A disc's sheets and a set's playlist: what a frontend lists of a disc game (the tracks not)
_GAME_SHEETS = (".cue", ".gdi", ".ccd", ".toc", ".m3u")


def _listed_as_a_game(old: str, now: set[str]) -> bool:
    """True when ``old``, an earlier copy of a game whose files go to the card as ``now``,
    is a file a frontend lists as a game: not in a hidden folder (a set's discs behind its
    .m3u), nor a disc's track (a file not a sheet of a game that has one)."""
    if any(part.startswith(".") for part in PurePosixPath(old).parts[:-1]):
        return False
    return old.lower().endswith(_GAME_SHEETS) \
        or not any(new.lower().endswith(_GAME_SHEETS) for new in now)


def _renamed_to(old: str, now: set[str], ours: Mapping[str, object],
                sha1s: Mapping[str, str | None]) -> str:
    """The name on the card of the copy that takes the place of ``old`` (an earlier copy of
    a game whose files go to the card as ``now``, in ``old``'s folder): the one of the same
    content by the card manifest's record (``ours``) and the plan's (``sha1s``), else the one
    whose name ends with the other's (``track01.bin`` and ``Alpha (USA) - track01.bin``, a
    disc's track named after its sheet or no longer), else the one of the same extension,
    else the first."""
    folder, _, name = old.rpartition("/")
    candidates = sorted(new for new in now if new.rpartition("/")[0] == folder) or sorted(now)
    record = ours.get(old)
    sha1 = record[2] if isinstance(record, list) and len(record) > 2 else None
    same = [new for new in candidates if sha1 and sha1s.get(new) == sha1]
    lowered = name.casefold()
    ends = [new for new in candidates
            if (other := new.rpartition("/")[2].casefold()).endswith(lowered)
            or lowered.endswith(other)]
    kind = PurePosixPath(lowered).suffix
    typed = [new for new in candidates if PurePosixPath(new.casefold()).suffix == kind]
    chosen = next((found[0] for found in (same, ends, typed) if len(found) == 1), candidates[0])
    return chosen.rpartition("/")[2]


def _in_another_set_folder(dest: str, now: set[str], folder: str | None) -> bool:
    """True when ``dest``, an earlier copy of a game, is in a set's folder inside the
    platform's ``folder`` other than the one the game goes to ``now`` (a copy flat in the
    platform's folder is said by :func:`_warn_flat_sets`)."""
    parent = PurePosixPath(dest).parent
    return folder is not None and parent.parent.as_posix() == folder \
        and all(PurePosixPath(new).parent != parent for new in now)


def _moved_copies(code: str, moved: list[tuple[str, str, str, int]], pruning: bool) -> str:
    """The warning for the chosen games whose earlier copies, ``(old folder, new folder,
    file name, game)``, are elsewhere on the card (a disc's sheet and its tracks: one
    game)."""
    games = len({game_id for *_, game_id in moved})
    shown = examples([f"{name}: {old} → {new}" for old, new, name, _ in moved])
    one = games == 1
    if code == "platform-moved":
        what = (f"{'is' if one else 'are'} now of another platform and go{'es' if one else ''}"
                " to that platform's folder")
    elif code == "set-layout-moved":  # (QA123 F3: said "the set renamed" of an OS switch)
        what = (f"in {'its' if one else 'their'} multi-disc set's folder now go"
                f"{'es' if one else ''} flat in the platform's folder, beside "
                f"{'its' if one else 'their'} .m3u, as this OS lays sets out")
    else:
        what = (f"in another multi-disc set's folder now go{'es' if one else ''} to "
                f"{'its' if one else 'their'} set's folder (the set renamed, or two editions "
                "told apart since)")
    return (f"{counted(games, 'game')} an earlier deploy put on this card {what} ({shown}): "
            + ("this --prune removes the old copies once the new ones are in place (but any "
               "its notes say it keeps)" if pruning
               else "the old copies stay until `romrunner deploy --prune` removes them (until "
               "then the frontend lists such a game twice)"))


def _rom_root(layout: CardLayoutLike, games: Iterable[_Game]) -> PurePosixPath | None:
    """The card's ROM folder as this plan resolves it: the parent of a chosen platform's
    folder (``.``: the platforms' folders at the card's root, a ``roms=.`` override); None
    when no chosen platform has a folder."""
    for platform_id in sorted({game.platform_id for game in games}):
        choice = layout.rom_folder(platform_id)
        if choice is not None:
            return choice.path.parent
    return None


def missing_sha1s(db: Database) -> set[str]:
    """The SHA1s of the games missing from the library (a resume's held copies: it has no
    plan to ask)."""
    return {str(row[0]) for row in db.query(
        "SELECT lower(hex(sha1_bin)) FROM games WHERE is_missing = 1 AND sha1_bin IS NOT NULL")}


def _one_folder(root: Path, old: str, new: str) -> bool:
    """True when the card's folders ``old`` and ``new`` are one folder (one a symbolic
    link to the other: QA27 N6, the games said to be left behind were the chosen ones)."""
    try:
        return os.path.samefile(root / old, root / new)
    except OSError:
        return False


def _left_root(builder: _Builder, chosen: str, old: str | None, said: list[str]
               ) -> list[tuple[Any, int]]:
    """The folder an earlier deploy put a platform's games in, as the card's record names
    it, when it is not ``chosen`` nor a folder :meth:`left_folders` finds (one under another
    ROM root: QA20 P4, a pack whose OS reads games from another folder), with how many of
    our files it holds; else nothing."""
    root, fs = builder.plan.root, builder.layout.fs
    if not old or any(same_card_folder(root, fs, old, folder) for folder in (chosen, *said)):
        return []
    builder.volatile = True  # (reads the card's manifest: see _Builder.volatile)
    if not os.path.isdir(root / old):
        return []  # renamed or removed by the user since: nothing left there (QA25 F11)
    files = sum(1 for dest in read_manifest_files(root)[0]
                if in_left_folder(dest, old, chosen))
    return [(PurePosixPath(old), files)] if files else []


def _warn_users_files_left(builder: _Builder, platforms: set[str]) -> None:
    """Say, per chosen platform, the files of the user's left in the folder our deploys
    filled for another OS the card was laid out for before (review 21 R11: muOS's `roms/md`
    holding a ROM copied there by hand, which KNULLI does not read; our own copies there are
    said by ``folder-moved`` and pruned)."""
    layout, plan = builder.layout, builder.plan
    layouts = other_layouts(layout.root, layout.os_id)
    if not layouts:
        return
    builder.volatile = True  # (reads the card's record and folders)
    ours = {dest.lower() for dest in read_manifest_files(layout.root)[0]}
    # (a folder this OS reads for some platform is no folder it does not read: GarlicOS's
    # `Roms/NGP`, shared by the Pocket and the Pocket Color, is KNULLI's Pocket folder too:
    # review 23 R2)
    read_now = {str(choice.path).lower() for folders in layouts.values() for platform_id
                in folders if (choice := layout.rom_folder(platform_id)) is not None}
    said: set[str] = set(read_now)
    for other, folders in sorted(layouts.items()):
        for platform_id, folder in sorted(folders.items()):
            choice = layout.rom_folder(platform_id)
            if platform_id not in platforms or choice is None or folder.lower() in said \
                    or folder.lower() == str(choice.path).lower():
                continue
            said.add(folder.lower())
            yours = sum(1 for path in visible_files(layout.root, PurePosixPath(folder))
                        if path not in ours)
            if yours:
                plan.warnings.append(PlanIssue(
                    "files-left-for-another-os",
                    f"{folder}: {counted(yours, 'file')} of yours for {platform_id} "
                    f"{'stays' if yours == 1 else 'stay'} in the folder a deploy filled for "
                    f"{other}, which {layout.os_id} does not read: its games go to "
                    f"{choice.path} (move {'it' if yours == 1 else 'them'} there yourself)",
                    platform_id, path=folder))


def _warn_dot_names(plan: DeployPlan) -> None:
    """Say the games whose file (or playlist) name begins with a dot (``.hack - Infection
    (USA).iso``): on the card a hidden file, which muOS, Onion and EmulationStation's
    frontends do not list (QA162 F11). Said, not renamed: a disc's sheet names its tracks."""
    hidden = sorted({name for item in plan.items if item.kind in (ROM, PLAYLIST)
                     # (a string's split, not a path object per file: bench36, +18% at 100k)
                     and (name := item.dest.rpartition("/")[2]).startswith(".")})
    if hidden:
        one = len(hidden) == 1
        plan.warnings.append(PlanIssue(
            "hidden-name", f"{counted(len(hidden), 'file')} whose name begins with a dot "
            f"{'goes' if one else 'go'} on the card as {'a hidden file' if one else 'hidden files'}"
            f", which most frontends do not list ({examples(hidden)}): rename "
            f"{'it' if one else 'them'} in the library without the leading dot to see "
            f"{'it' if one else 'them'} on the device"))


def _warn_renamed_folders(builder: _Builder, platforms: set[str],
                          profile_id: int | None) -> None:
    """Say, per chosen platform whose folder an earlier deploy filled and that is gone from
    the card, the folder beside it that holds those files now (see
    CardLayoutLike.renamed_folder): the games are copied again to the platform's folder and
    the frontend lists both (QA152 F3: unsaid)."""
    layout, plan = builder.layout, builder.plan
    for platform_id in sorted(platforms):
        renamed = layout.renamed_folder(platform_id)
        choice = layout.rom_folder(platform_id)
        if renamed is None or choice is None:
            continue
        folder, count = renamed
        plan.warnings.append(PlanIssue(
            "folder-renamed", f"{folder}: {counted(count, 'file')} an earlier deploy put in "
            f"{choice.path} for {platform_id} {'is' if count == 1 else 'are'} there now (the "
            f"folder renamed on the card?): {platform_id}'s games are copied to {choice.path} "
            "again, and the frontend may list them twice; rename the folder back (ROM Runner "
            "knows its files there), or make it "
            f"{platform_id}'s with `romrunner destination paths {profile_id or 'PROFILE'} "
            f"--to {shell_word(layout.root)} --set {shell_word(f'{platform_id}={folder}')}` "
            "(its files there are then "
            "taken for yours: kept, never pruned)", platform_id, path=folder))


def _left_behind(layout: CardLayoutLike, platform_id: str, old: str, new: str, files: int,
                 kept: int, pruning: bool, *, set_by_user: bool = False, theirs: int = 0,
                 profiles: list[tuple[int, str]] | None = None,
                 saves: str | None = None) -> str:
    """The words of a ``folder-moved`` warning: ``files`` of ours left in ``old``, ``kept``
    of them copies of held games, ``theirs`` of the others chosen by the deploys of another
    profile (``profiles``: id, words), which a prune keeps too, as it keeps all of them in a
    saves or states folder (``saves``); ``pruning``: said by a
    deploy with ``--prune``, which removes the rest; ``set_by_user``: ``new`` is the folder
    `destination paths --set` stored for the platform (not one the OS is known to read:
    QA178 F2, F8)."""
    these = "1 file" if files == 1 else f"{files:,} files"
    whose = ("the folder you set for it with `romrunner destination paths`" if set_by_user
             else f"the folder {layout.os_id} reads for it")
    text = (f"{old}: {these} an earlier deploy put here for {platform_id} "
            f"{'is' if files == 1 else 'are'} left behind: its games now go to {new}, "
            f"{whose}; ")
    if saves is not None:  # (a folder set in a saves folder before `--set` refused one: a
        # prune never removes a file there — review47e F2 was told `--prune` removes them)
        return text + (f"a prune never removes a file in {saves}, where handheld OSes keep "
                       f"the player's saves and states: remove {'it' if files == 1 else 'them'}"
                       " yourself (not the saves beside them)")
    pruned = files - kept - theirs
    if pruned:
        which = ("it" if files == 1 else "them") if not kept and not theirs \
            else f"{pruned:,} of them"
        text += (f"this --prune removes {which} once the new copies are in place (but any "
                 "its notes say it keeps)" if pruning
                 else f"`romrunner deploy --prune` removes {which} (until then both copies "
                 "take space on the card)")
    if theirs:
        lead = ("it is" if files == 1 else "they are") if theirs == files \
            else f"{theirs:,} of them {'is' if theirs == 1 else 'are'}"
        them = "it" if theirs == 1 else "them"
        named = profiles or [(0, "another profile")]
        one = len(named) == 1
        remove = joined([f"`romrunner profile rm {profile}`" for profile, _ in named if profile])
        text += (f"{'; ' if pruned else ''}{lead} chosen on this card by the deploys of "
                 f"{joined([words for _, words in named])}, so a prune of this profile "
                 f"keeps {them} (a card two profiles share keeps each one's games)"
                 + (f": if {'that profile is' if one else 'those profiles are'} no longer "
                    f"used (the device moved to another OS), {remove} "
                    f"{'lets' if one else 'let'} a prune remove {them}" if remove else ""))
    why = ("it cannot deploy now (missing from the library or changed since the scan, or on "
           "a library root that is not reachable)")
    if kept and (pruned or theirs):
        other = "one, a copy of a game" if kept == 1 else f"{kept:,}, copies of games"
        text += f"; the other {other} {why}, {'is' if kept == 1 else 'are'} kept"
    elif kept:
        text += (f"{'it is a copy of a game' if kept == 1 else 'they are copies of games'} "
                 f"{why}: kept, never pruned")
    return text


def _replaced_playlist(game: _Game, tracks: list[_Track], discs: set[str],
                       layout: CardLayoutLike) -> bool:
    """True for the library's own .m3u of a disc set whose discs are all chosen too, where
    the OS wants a playlist: the planner writes the set's .m3u itself (as an auto-list leaves
    the user's out), rather than reporting each disc as colliding with itself."""
    return game.filename.lower().endswith(".m3u") and playlist_replaced(
        game.source, [track.name for track in tracks], discs,
        bool(tracks) and layout.wants_m3u(game.platform_id))


def _warn_partial_playlists(builder: _Builder, games: dict[int, _Game],
                            tracks: dict[int, list[_Track]], replaced: set[int]) -> None:
    """Say which library playlists the deploy replaces (see _replaced_playlist) that name
    only some discs of their set — a playlist of its own, `Hack.m3u` naming disc 1: the
    card gets the set's own .m3u, listing every disc, and the user's is not copied
    (review49g F8: left out without a word). One naming every disc is not said: the card's
    lists the same discs."""
    if not replaced:
        return
    numbers: dict[str, set[object]] = defaultdict(set)  # a set's discs chosen, by number
    disc_of: dict[str, tuple[str, object]] = {}  # a disc's source -> its set, its number
    for game in games.values():
        if game.set_key and not game.filename.lower().endswith(".m3u"):
            number = _disc_key_of(game.disc, game.id)
            numbers[game.set_key].add(number)
            disc_of[game.source] = (game.set_key, number)
    partial = []
    for game_id in sorted(replaced):
        game = games[game_id]
        parent = game.source.rpartition("/")[0]
        named = [disc_of[source] for track in tracks.get(game_id, [])
                 if (source := os.path.join(parent, track.name)) in disc_of]
        if any(numbers[key] - {number for named_key, number in named if named_key == key}
               for key in {key for key, _ in named}):
            partial.append(game)
    if partial:
        one = partial[0] if len(partial) == 1 else None
        builder.plan.warnings.append(PlanIssue(
            "playlist-replaced", f"{counted(len(partial), 'playlist')} of the library "
            f"naming only some discs of {'its set is' if one else 'their sets are'} not "
            "copied: the card gets the set's own .m3u, which lists every disc "
            f"({examples([game.filename for game in partial])})",
            one.platform_id if one else None, one.id if one else None))


def _note_reached(db: Database, builder: _Builder, games: dict[int, _Game],
                  absent: dict[int, _Game], tracks: dict[int, list[_Track]]) -> None:
    """Fill :attr:`DeployPlan.reached`: the games left out as copies of a game placed, and
    the ``absent`` games (see _absent_games) whose content a game placed has — by the tests
    copies are left out by: a file's CRC32, size and SHA1 (see _leave_out_copies), a disc's
    sheet and tracks (see _leave_out_disc_copies) — and the absent playlists whose discs all
    reach the card."""
    plan = builder.plan
    placed = {item.game_id for item in plan.items
              if item.kind == ROM and item.game_id is not None}
    plan.reached.update(left for left, kept in plan.copies if kept in placed)
    rest = {i: game for i, game in absent.items() if i not in plan.reached}
    if not rest:
        return
    here = [game for game in games.values() if game.id in placed]
    members = _single_members(db, [g.id for g in [*here, *rest.values()] if g.archive])

    files: dict[tuple[str, bytes, int], list[_Game]] = defaultdict(list)
    discs: dict[tuple[Any, ...], list[_Game]] = defaultdict(list)
    for game in here:
        if (found := _file_key(game, members)) is not None:
            files[found].append(game)
        elif (game.set_key or game.sheet) and not game.filename.lower().endswith(".m3u"):
            discs[_disc_key(game, tracks.get(game.id, []))].append(game)
    playlists: list[_Game] = []
    for game in rest.values():
        if game.filename.lower().endswith(".m3u"):
            playlists.append(game)
        elif (found := _file_key(game, members)) is not None:
            sha1 = _content_sha1(game, members)
            if any(sha1 is None or _content_sha1(other, members) in (None, sha1)
                   for other in files.get(found, ())):
                plan.reached.add(game.id)
        elif (game.set_key or game.sheet) and any(
                _same_disc(other, game, tracks)
                for other in discs.get(_disc_key(game, tracks.get(game.id, [])), ())):
            plan.reached.add(game.id)
    if playlists:  # an .m3u: the discs it lists
        sources = {game.source: game.id for game in [*games.values(), *absent.values()]}
        for game in playlists:
            parent = game.source.rpartition("/")[0]
            listed = [sources.get(posixpath.join(parent, track.name))
                      for track in tracks.get(game.id, [])]
            if listed and all(i is not None and (i in placed or i in plan.reached)
                              for i in listed):
                plan.reached.add(game.id)


def _absent_games(db: Database, builder: _Builder, chosen: set[int]) -> dict[int, _Game]:
    """The games the library has but cannot deploy now, not chosen: missing since the scan
    (an unmounted share whose empty mount folder was rescanned), on a root that is not
    reachable, or whose library copy cannot be used now (see _unusable_now): see
    _hold_absent."""
    roots = {row[0]: row[1] for row in db.query("SELECT id, path FROM library_roots")}
    away = [root_id for root_id, path in roots.items() if not builder.root_reachable(path)]
    ids = {int(row[0]) for row in db.query(
        "SELECT id FROM games WHERE is_missing = 1 UNION SELECT id FROM games "
        "WHERE root_id IN (SELECT value FROM json_each(?))", (json.dumps(away),))}
    emptied = {int(row[0]) for row in db.query(  # (missing: their files there, empty)
        "SELECT id FROM games WHERE is_missing = 1 AND substr(scan_error, 1, ?) = ?",
        (len(EMPTIED), EMPTIED))}
    builder.unusable = ((_unusable_now(db) - ids) | emptied) - chosen
    absent = sorted(i for i in ids | builder.unusable if i not in chosen)
    return _load_games(db, absent) if absent else {}


def _relinked_roots(db: Database, paths: Collection[str]) -> dict[str, str]:
    """Of the roots at ``paths``, those added by a link that leads elsewhere now: the way on
    (see relinked_hint)."""
    if not paths:
        return {}
    relinked = {}
    for root in list_roots(db):
        if str(root.path) in paths and (now := link_leads_elsewhere(root)) is not None:
            relinked[str(root.path)] = relinked_hint(db, root, now)
    return relinked


def _unusable_now(db: Database) -> set[int]:
    """The games present whose library copy no emulator can use now — a zip `scan --verify`
    found damaged, a disc whose sheet names a track the scan could not read (missing,
    emptied) — with the other discs of such a disc's set: left out by the auto-list, their
    card copies may be the only good ones left (qa184 F7: `--prune` removed a set's three
    discs, the only copy of a track among them, and the intact zip of a game rotted in the
    library)."""
    ids = unusable_games(db)
    return ids | set_mates(db, ids) if ids else ids


def _hold_the_sets_held_sets_run_with(db: Database, builder: _Builder) -> None:
    """An arcade set whose card copy is held (left out for its parent, missing since the
    scan, on a root away) keeps beside it the parent and the BIOS set it runs with: a prune
    removed them and left a set on the card that cannot start (QA56 F5, F9)."""
    plan = builder.plan
    held = sorted(plan.held_games)
    if not held:
        return
    names: dict[int, list[str]] = defaultdict(list)
    for clone in split_clones(db, held).values():
        names[clone.game_id].append(clone.parent_name)
    for need in bios_sets_needed(db, held).values():
        names[need.game_id].append(need.bios_name)
    if not names:
        return
    for game in _load_games(db, sorted(names)).values():
        for dest in builder.card_paths(game, []):
            folder, _, filename = dest.rpartition("/")
            for name in names[game.id]:
                try:
                    plan.held.append(f"{folder}/"
                                     + legal_component(name + PurePosixPath(filename).suffix,
                                                       builder.fs))
                except InputError:
                    continue


def _hold_undecided(db: Database, builder: _Builder) -> None:
    """Hold the card's copies of the games the library has whose platform is undecided now
    (a ROM manager moved the file to its ``ToSort/``, a rename dropped the name that said
    it), where this card's deploys put them: no selection can take such a game, but it is
    not "no longer chosen" either, and ``--prune`` must not remove its copy before the user
    files it back (QA53 F2). Its own copies only: not a twin's, which a game the user
    dropped may be (review 29 R3)."""
    plan = builder.plan
    ids = [int(row[0]) for row in db.query(
        "SELECT id FROM games WHERE platform_id = ? AND is_missing = 0", (UNKNOWN,))]
    if not ids:
        return
    if not db.scalar("SELECT EXISTS (SELECT 1 FROM deployment_items WHERE action = 'copy' "
                     "AND game_id IN (SELECT value FROM json_each(?)))", (json.dumps(ids),)):
        return  # (never deployed anywhere: nothing to read of the card)
    builder.volatile = True  # (reads the card's files: see _Builder.volatile)
    # (this card by its id, wherever it is mounted now; by its path where it has none:
    # review 30 R4, a card mounted elsewhere since lost the copy)
    dests = [str(row[0]) for row in db.query(
        "SELECT DISTINCT i.dest_path FROM deployment_history h JOIN deployment_items i "
        "ON i.deployment_id = h.id WHERE (h.destination_id = ? OR h.destination_path = ?) "
        "AND i.action = 'copy' AND i.game_id IN (SELECT value FROM json_each(?)) ORDER BY 1",
        (card_destination_id(plan.root, create=False) or "", str(plan.root),
         json.dumps(ids)))]
    if not dests:
        return
    on_card = [dest for dest in dests if os.path.lexists(plan.root / dest)]
    plan.held.extend(dests)
    if on_card:
        plan.warnings.append(PlanIssue(
            "undecided-held", f"{counted(len(on_card), 'file')} on the card "
            f"{'is a copy' if len(on_card) == 1 else 'are copies'} of games whose platform "
            f"is undecided now ({examples(on_card, HELD_NAMED)}): moved out of their "
            "platform folder (a ROM manager's `ToSort/`)? kept, never pruned "
            "(`romrunner games ls platform:unknown`; `games set-platform` files them back)"))


def _not_games(db: Database, absent: dict[int, _Game]) -> set[int]:
    """Those of the ``absent`` games whose rows are kept for files no longer taken for games
    (covers an earlier release stored: see ``NO_LONGER_A_GAME``), not for files gone."""
    if not absent:
        return set()
    return {int(row[0]) for row in db.query(
        "SELECT id FROM games WHERE id IN (SELECT value FROM json_each(?)) "
        "AND substr(scan_error, 1, ?) = ?",
        (json.dumps(sorted(absent)), len(NO_LONGER_A_GAME), NO_LONGER_A_GAME))}


def _hold_absent(db: Database, builder: _Builder, absent: dict[int, _Game],
                 tracks: dict[int, list[_Track]], not_games: set[int], pruning: bool) -> None:
    """Hold the card's copies of the ``absent`` games (see _absent_games): such a game is
    not chosen (a selection never takes a missing game), but it is not "no longer chosen"
    either: ``--prune`` must never remove its copy. (Not those left out as copies of a game
    placed now.) A disc's set playlist is held with it but where the set's other discs go
    (see _sets_going)."""
    games = {i: game for i, game in absent.items() if i not in builder.left_out_copies}
    for game_id in _playlists_renamed_away(db, builder, games):
        del games[game_id]
    if not games:
        return
    builder.volatile = True  # (reads the card's files: see _Builder.volatile)
    # (held with them: their twins, as held_copies holds them — review42b F1, the warning
    # said 0 games' copies kept of one the prune kept)
    content = _content_sha1s(db, games, tracks, {*absent, *_twins_of_held(db, absent)})
    # Its own files: where they go now, held; and where the card's records put them (held
    # there by its game and content when a --prune runs, and named in its note)
    paths = {game_id: builder.card_paths(game, tracks.get(game_id, []), playlist=False)
             for game_id, game in games.items()}
    recorded = _recorded_copies(db, builder, games, content)
    files = {game_id: list(dict.fromkeys([*dests, *recorded.get(game_id, ())]))
             for game_id, dests in paths.items()}
    going = _sets_going(db, builder, games, files)
    builder.plan.sets_let_go.update(i for ids in going.values() for i in ids)
    missing: dict[int, list[str]] = {}
    for game in games.values():
        playlist = game.set_key not in going
        dests = [*paths[game.id], *(builder.set_playlists(game) if playlist else ())]
        if builder.unreachable_root(game) is not None:
            for dest in dests:
                builder.hold(dest, game, chosen=False, playlist=playlist)
            builder.plan.held_games.add(game.id)
            if not any(os.path.lexists(builder.plan.root / dest) for dest in files[game.id]):
                # (no copy on this card: neither counted as kept nor its platform's BIOS
                # taken, QA152 F10: an excluded platform's BIOS planned, "298 games" kept)
                builder.held_off_card.add(game.id)
        else:
            missing[game.id] = dests
    other_content = _written_with_other_content(
        db, builder, content, {game_id: files[game_id] for game_id in missing})
    for game_id, dests in missing.items():
        builder.plan.held.extend(dest for dest in dests if (game_id, dest) not in other_content)
        builder.plan.held_games.add(game_id)
    placed = {collision_key(item.dest, builder.fs) for item in builder.plan.items}
    on_card = {game_id: tuple(dest for dest in dict.fromkeys([*files[game_id], *dests])
                              if collision_key(dest, builder.fs) not in placed  # (not a
                              # copy of it placed now)
                              and (game_id, dest) not in other_content
                              and os.path.lexists(builder.plan.root / dest))
               for game_id, dests in sorted(missing.items())}
    # (its own files: its set's playlist is not one of them, qa191 F2)
    own = {game_id: tuple(dest for dest in dests if dest in files[game_id])
           for game_id, dests in on_card.items()}
    builder.held_off_card.update(game_id for game_id, dests in own.items() if not dests)
    _warn_not_games_held(builder, [games[game_id] for game_id, dests in on_card.items()
                                   if dests and game_id in not_games])
    _warn_unusable_held(builder, [(games[game_id], dests) for game_id, dests
                                  in on_card.items() if dests and game_id in builder.unusable])
    # Said where it matters (qa191 F6): to a --prune, which would remove them otherwise, or
    # of a chosen set's disc; a card's state, not said at every deploy whatever it chose.
    of_chosen_sets = {game.id for discs in builder.missing_discs.values() for game in discs}
    named = [(game_id, dests) for game_id, dests in own.items()
             if dests and game_id not in not_games and game_id not in builder.unusable
             and (pruning or game_id in of_chosen_sets)]
    if named:
        _warn_missing_held(builder, [(games[game_id], dests) for game_id, dests in named])


def _warn_missing_held(builder: _Builder, held: list[tuple[_Game, tuple[str, ...]]]) -> None:
    """Say the card's copies held of the games missing from the library since the last scan
    (``held``: each with its own files on the card). Not what becomes of their sets'
    playlists not held (see _sets_going): the plan cannot tell whether the prune removes
    them — another profile's, another computer's, changed on the card since, it keeps them,
    and the discs they name (review41c F4: "the set's other discs go, and its playlist"
    said of a set the prune kept whole); the prune's notes say it (see
    execute.let_go_playlists_note)."""
    count, files = len(held), sum(len(dests) for _, dests in held)
    shown = [game for game, _ in held]
    listed = examples([game.filename for game in shown], HELD_NAMED)
    one = count == 1
    builder.plan.warnings.append(PlanIssue(
        "missing-held", f"{counted(count, 'game')} missing from the "
        "library since the last scan (an unmounted share? rescan when it is back) "
        f"{'has' if one else 'have'} {counted(files, 'file')} on the card ({listed}): "
        f"{'its copy there is' if one else 'their copies there are'} held, never pruned "
        "(deleted on purpose? `romrunner games forget --missing` lets --prune --force remove "
        f"{'it' if one else 'them'})",
        shown[0].platform_id if len({g.platform_id for g in shown}) == 1 else None,
        shown[0].id if one else None, shown[0].source if one else None,
        tuple((game.id, game.source, dests) for game, dests in held)))


def _sets_going(db: Database, builder: _Builder, games: dict[int, _Game],
                files: dict[int, list[str]]) -> dict[str, list[int]]:
    """The disc sets of the absent ``games`` (``files``: their own card paths, see
    _hold_absent) that no game placed or held now is of, of which a disc the library has
    present has a copy on the card not held: it goes with its set no longer chosen, and so
    does the set's playlist, which names it — the held discs stay on the card alone (qa191
    F2: a playlist left naming removed discs, a game listed that boots into a missing disc).
    Set key -> the ids of the set's games."""
    plan = builder.plan
    keys = sorted({game.set_key for game in games.values() if game.set_key})
    if not keys:
        return {}
    mates: dict[str, list[int]] = defaultdict(list)
    for game_id, set_key in db.query(
            "SELECT id, set_key FROM games WHERE set_key IN (SELECT value FROM json_each(?))",
            (json.dumps(keys),)):
        mates[str(set_key)].append(int(game_id))
    kept = {*plan.game_ids, *plan.held_games, *(item.game_id for item in plan.items)}
    others = sorted({game_id for ids in mates.values() if not kept.intersection(ids)
                     for game_id in ids if game_id not in games})
    if not others:
        return {}
    present = _load_games(db, others)
    present_tracks = _load_tracks(db, others)
    recorded = _recorded_copies(db, builder, present,
                                _content_sha1s(db, present, present_tracks))
    held = {collision_key(dest, builder.fs) for dest in (
        *plan.held, *(item.dest for item in plan.items),
        *(dest for dests in files.values() for dest in dests))}
    going: dict[str, list[int]] = {}
    for game in present.values():
        if game.set_key is None or game.set_key in going or game.missing:
            continue
        paths = [*builder.card_paths(game, present_tracks.get(game.id, []), playlist=False),
                 *recorded.get(game.id, ())]
        if any(collision_key(path, builder.fs) not in held
               and os.path.lexists(plan.root / path) for path in paths):
            going[game.set_key] = mates[game.set_key]
    return going


HELD_NAMED = 5  # games a missing-held warning names; more are counted


def _warn_unusable_held(builder: _Builder, held: list[tuple[_Game, tuple[str, ...]]]) -> None:
    """Say the card's copies kept of the games whose library copy cannot be used now (see
    _unusable_now): the card's may be the only good copy left."""
    if not held:
        return
    count = len(held)
    files = len({dest for _, dests in held for dest in dests})  # (a set's .m3u once)
    shown = [game for game, _ in held]
    builder.plan.warnings.append(PlanIssue(
        "unusable-held", f"{counted(count, 'game')} whose library copy cannot be used now "
        "(emptied, an archive a scan found damaged, a disc whose sheet names a track the "
        f"scan could not read, or another disc of its set) {'has' if count == 1 else 'have'} "
        f"{counted(files, 'file')} on the card "
        f"({examples([game.filename for game in shown], HELD_NAMED)}): left out, and their "
        "copies on the card kept, never pruned — the card's may be the only good copy left "
        "(copy it back to the library, or mend the library's copy and rescan; dropped on "
        "purpose — a disc converted to a CHD? remove the library's files, rescan, and "
        "`romrunner games forget --missing` lets --prune --force remove them)",
        shown[0].platform_id if len({g.platform_id for g in shown}) == 1 else None,
        shown[0].id if count == 1 else None, shown[0].source if count == 1 else None,
        tuple((game.id, game.source, dests) for game, dests in held)))


def _playlists_renamed_away(db: Database, builder: _Builder, games: dict[int, _Game]
                            ) -> list[int]:
    """Of the absent ``games``, the library's playlists (.m3u) of which the library has not
    one listed disc under the name it lists, in a root the scan read: a renamer rewrote the
    set, its discs and the playlist, and the scan followed the discs to their new names
    (QA94 F4: the old playlist's copy was held as a missing game's while the discs it names
    were pruned — the handheld listed the game twice, once broken). Its copy is not held,
    and said so."""
    playlists = [game for game in games.values() if game.filename.lower().endswith(".m3u")
                 and builder.unreachable_root(game) is None]
    if not playlists:
        return []
    listed: dict[int, list[tuple[int, str]]] = defaultdict(list)
    untold: set[int] = set()  # playlists naming a disc out of their root: not told
    for game_id, root_id, filepath, name in db.query(
            "SELECT g.id, g.root_id, g.filepath, f.name FROM games g JOIN game_files f "
            "ON f.game_id = g.id AND f.kind = 'track' "
            "WHERE g.id IN (SELECT value FROM json_each(?))",
            (json.dumps([game.id for game in playlists]),)):
        folder = posixpath.dirname(str(filepath))
        path = posixpath.normpath(posixpath.join(folder, str(name)))
        if posixpath.isabs(str(name)) or path.startswith("../") or "\\" in str(name):
            untold.add(int(game_id))  # (held as before: review 100 F7)
        listed[int(game_id)].append((int(root_id), path))
    wanted = sorted({entry for entries in listed.values() for entry in entries})
    if not wanted:
        return []
    found = {(int(row[0]), str(row[1])) for row in db.query(
        "SELECT root_id, filepath FROM games WHERE (root_id, filepath) IN "
        "(SELECT json_extract(value, '$[0]'), json_extract(value, '$[1]') FROM json_each(?))",
        (json.dumps(wanted),))}
    gone = [game_id for game_id, entries in listed.items()
            if game_id not in untold and not any(entry in found for entry in entries)]
    # (said of a copy this card has or records only: qa201 F2, said on every deploy to any
    # card, a blank one too)
    said = [game_id for game_id in gone if _recorded_on_the_card(builder, builder.card_paths(
        games[game_id], [], playlist=False))]
    if said:
        names = [games[game_id].filename for game_id in said]
        one = len(said) == 1
        # (of the copies our records hold only: a user's own file there is never pruned;
        # and one that may be the only copy left is kept by a prune: review47b F4)
        builder.plan.warnings.append(PlanIssue(
            "playlist-renamed-away", f"{counted(len(said), 'playlist')} missing from the "
            f"library {'lists' if one else 'list'} no disc the library still has under the "
            "names listed (the set renamed since, with a new playlist?): "
            f"{'its copy' if one else 'their copies'} on the card "
            f"{'is' if one else 'are'} not held as a missing game's; `--prune` removes "
            f"{'it' if one else 'them'} unless {'it' if one else 'they'} may be the only "
            f"copy left ({examples(names, HELD_NAMED)})",
            games[said[0]].platform_id))
    return gone


def _recorded_on_the_card(builder: _Builder, dests: list[str]) -> bool:
    """True when the card's records name a copy of ours at one of ``dests``."""
    builder.volatile = True  # (reads the card's manifest: see _Builder.volatile)
    records = builder.card_records()
    return any(dest in records for dest in dests)


def _written_with_other_content(db: Database, builder: _Builder,
                                content: dict[int, set[str]], dests: dict[int, list[str]]
                                ) -> set[tuple[int, str]]:
    """The (game id, card path) pairs of ``dests`` where our manifest says we last wrote a
    present game's content, none of this game's (``content``: see _content_sha1s), still on
    the card as we wrote it: that file is the other game's copy, not this one's (a
    ``--overwrite`` gave the path to another game: QA31 F6), so neither held for it nor said
    to be its copy."""
    if not dests:
        return set()
    root, owned = builder.plan.root, builder.card_records()
    others: dict[tuple[int, str], str] = {}
    for game_id, paths in dests.items():
        own = content.get(game_id, set())
        for dest in paths:
            entry = owned.get(dest)
            if entry is None or entry.sha1 is None or entry.sha1 in own:
                continue
            try:
                if entry.matches(os.lstat(root / dest)):
                    others[game_id, dest] = entry.sha1
            except OSError:
                continue
    present = {sha1 for sha1 in set(others.values()) if a_present_game_has(db, sha1)}
    return {pair for pair, sha1 in others.items() if sha1 in present}


def _content_sha1s(db: Database, games: dict[int, _Game], tracks: dict[int, list[_Track]],
                   held: Collection[int] = ()) -> dict[int, set[str]]:
    """Per game of ``games``, the SHA1s a card copy of it may have: its file's, its tracks'
    and, of an archive, its members' (the loose file it was made of) — those no present
    game but ``games`` and ``held`` (games held too) has as its own file or track: a card
    file of that content is that game's copy (see _members_of)."""
    content = {game_id: {sha1 for sha1 in (game.sha1, *(track.sha1 for track
                                                         in tracks.get(game_id, ())))
                         if sha1}
               for game_id, game in games.items()}
    archives = [game_id for game_id, game in games.items() if game.archive]
    for game_id, sha1 in _members_of(db, archives, {*games, *held}):
        content[game_id].add(sha1)
    return content


# The SHA1s of the members of the archives of :archives that no present game out of :held
# has as its file or one of its tracks.
_MEMBERS_OF_NO_OTHER = (
    "WITH held(id) AS (SELECT value FROM json_each(:held)) "
    "SELECT DISTINCT m.game_id, lower(hex(m.sha1_bin)) FROM game_files m "
    "WHERE m.kind = 'member' AND m.sha1_bin IS NOT NULL "
    "AND m.game_id IN (SELECT value FROM json_each(:archives)) "
    "AND NOT EXISTS (SELECT 1 FROM games g WHERE g.sha1_bin = m.sha1_bin "
    "  AND g.is_missing = 0 AND g.id NOT IN (SELECT id FROM held)) "
    "AND NOT EXISTS (SELECT 1 FROM game_files t JOIN games g ON g.id = t.game_id "
    "  WHERE t.sha1_bin = m.sha1_bin AND t.kind = 'track' AND g.is_missing = 0 "
    "  AND g.id NOT IN (SELECT id FROM held))")


def _members_of(db: Database, archives: Collection[int], held: Collection[int]
                ) -> list[tuple[int, str]]:
    """(archive id, member SHA1) of the members of ``archives`` (games held: missing, on a
    root away) whose content no present game but those of ``held`` has as its own file or
    track. A member of the content of a present game held by nothing — a pack zip the user
    extracted since and deleted, a pack on a share beside the loose ROMs — is that game's:
    its card copy the card's records give that game, pruned when it is no longer chosen, not
    held as the archive's (review41c F3: deselected games kept and named the zip's)."""
    if not archives:
        return []
    return [(int(game_id), str(sha1)) for game_id, sha1 in db.query(
        _MEMBERS_OF_NO_OTHER, {"archives": json.dumps(sorted(archives)),
                               "held": json.dumps(sorted(held))})]


def _recorded_copies(db: Database, builder: _Builder, games: dict[int, _Game],
                     content: dict[int, set[str]]) -> dict[int, list[str]]:
    """Per game of ``games``, the card paths earlier deploys to this card put its copy at,
    by this card's records of its files (not its set's playlist) and by the card manifest's
    of its content (``content``: see _content_sha1s; a card whose records only its manifest
    has) — where it is, whatever name it would get now (qa191 F1: a ROM zipped since, on a
    root away, was counted as having no copy on the card). Not a path the manifest says
    holds other content now (QA31 F6: the copy of another game)."""
    plan = builder.plan
    owned = builder.card_records()
    found: dict[int, dict[str, None]] = defaultdict(dict)
    for game_id, dest in db.query(
            "SELECT DISTINCT i.game_id, i.dest_path FROM deployment_history h "
            "JOIN deployment_items i ON i.deployment_id = h.id "
            "WHERE (h.destination_id = ? OR h.destination_path = ?) AND i.action = 'copy' "
            "AND i.kind <> 'playlist' AND i.game_id IN (SELECT value FROM json_each(?)) "
            "ORDER BY 1, 2",
            (card_destination_id(plan.root, create=False) or "", str(plan.root),
             json.dumps(sorted(games)))):
        record = owned.get(str(dest))
        if record is None or record.sha1 is None \
                or record.sha1 in content.get(int(game_id), ()):
            found[int(game_id)][str(dest)] = None
    owners: dict[str, list[int]] = defaultdict(list)
    for game_id, sha1s in content.items():
        for sha1 in sha1s:
            owners[sha1].append(game_id)
    if owners:
        for dest, record in owned.items():
            for game_id in owners.get(record.sha1 or "", ()):
                found[game_id][dest] = None
    return {game_id: list(dests) for game_id, dests in found.items()}


def a_present_game_has(db: Database, sha1: str) -> bool:
    """True when a game the library has now (not missing) is a file of this SHA1, or holds
    one (a disc's track, an archive's member), or a BIOS file the library has is (see
    :func:`present_games_have`, which asks it of many at once)."""
    return bool(present_games_have(db, [sha1]))


def present_games_have(db: Database, sha1s: Iterable[str]) -> set[str]:
    """Those of ``sha1s`` a game the library has now (not missing) is a file of, or holds
    (a disc's track, an archive's member), or a BIOS file the library has is: what
    :func:`a_present_game_has` answers of each, in one query per :data:`_SHA1S_ASKED`."""
    keys: list[bytes] = []
    for sha1 in sorted(set(sha1s)):
        with contextlib.suppress(ValueError):
            keys.append(bytes.fromhex(sha1))
    found: set[str] = set()
    for start in range(0, len(keys), _SHA1S_ASKED):
        chunk = keys[start:start + _SHA1S_ASKED]
        marks = ", ".join("?" * len(chunk))
        hexes = [key.hex() for key in chunk]
        found.update(bytes(row[0]).hex() if isinstance(row[0], bytes) else str(row[0])
                     for row in db.query(
            f"SELECT sha1_bin FROM games WHERE is_missing = 0 AND sha1_bin IN ({marks}) "
            f"UNION SELECT f.sha1_bin FROM game_files f JOIN games g ON g.id = f.game_id "
            f"WHERE g.is_missing = 0 AND f.sha1_bin IN ({marks}) UNION SELECT file_sha1 "
            f"FROM bios_files WHERE is_missing = 0 AND file_sha1 IN ({marks})",
            (*chunk, *chunk, *hexes)))
    return found


def present_games(db: Database, game_ids: Iterable[int]) -> set[int]:
    """Those of ``game_ids`` the library has now (their rows there, not missing): a card's
    copy of one is a copy of a game the library holds, whatever its file's hashes say now
    (re-zipped, rewritten, or known by its CRC32 only until `scan --verify`)."""
    ids = sorted(set(game_ids))
    if not ids:
        return set()
    return {int(row[0]) for row in db.query(
        "SELECT id FROM games WHERE id IN (SELECT value FROM json_each(?)) "
        "AND is_missing = 0", (json.dumps(ids),))}


_SHA1S_ASKED = 3000  # SHA1s asked of the library per query (3 parameters each: see
# present_games_have)


def _warn_not_games_held(builder: _Builder, games: list[_Game]) -> None:
    """One warning for the copies on the card of files no longer taken for games (covers an
    earlier release deployed as games), kept with their rows: not "missing" — their files
    are still in the library."""
    if not games:
        return
    count = len(games)
    builder.plan.warnings.append(PlanIssue(
        "not-a-game-held", f"{counted(count, 'file')} an earlier release deployed as "
        f"{'a game is' if count == 1 else 'games are'} no longer taken for "
        f"{'one' if count == 1 else 'games'} (covers, notes: "
        f"{examples([game.filename for game in games], HELD_NAMED)}): "
        f"{'its copy stays' if count == 1 else 'their copies stay'} on the card, never pruned "
        f"while {'its row is' if count == 1 else 'their rows are'} kept for collections or "
        "overrides (`romrunner games forget --not-games --force` lets --prune --force remove "
        "them)"))


# The games with the content of a held game of one file (see _file_key: its CRC32 and size,
# of an archive its one member's): loose files, and archives of that one member.
_ONE_MEMBER = ("NOT EXISTS (SELECT 1 FROM game_files o WHERE o.game_id = {f}.game_id "
               "AND o.kind = 'member' AND o.id <> {f}.id)")
_TWINS_OF_HELD = (
    "WITH held(id) AS (SELECT value FROM json_each(:ids)), "
    "keys(platform_id, crc32_bin, file_size) AS ("
    "  SELECT g.platform_id, g.crc32_bin, g.file_size FROM games g JOIN held ON held.id = g.id "
    "  WHERE g.is_archive = 0 AND g.set_key IS NULL AND g.crc32_bin IS NOT NULL "
    "  UNION SELECT g.platform_id, f.crc32_bin, f.file_size FROM games g "
    "  JOIN held ON held.id = g.id JOIN game_files f ON f.game_id = g.id AND f.kind = 'member' "
    f"  WHERE g.is_archive = 1 AND f.crc32_bin IS NOT NULL AND {_ONE_MEMBER.format(f='f')}) "
    "SELECT g.id FROM keys k JOIN games g ON g.crc32_bin = k.crc32_bin "
    "  AND g.file_size = k.file_size AND g.platform_id = k.platform_id AND g.is_archive = 0 "
    "UNION SELECT f.game_id FROM keys k JOIN game_files f ON f.crc32_bin = k.crc32_bin "
    "  AND f.file_size = k.file_size AND f.kind = 'member' JOIN games g ON g.id = f.game_id "
    f"  AND g.platform_id = k.platform_id WHERE {_ONE_MEMBER.format(f='f')}")


def _twins_of_held(db: Database, held: Collection[int]) -> set[int]:
    """The games of the content of the ``held`` games (see :func:`held_copies`): a loose
    file of a held one-file game's CRC32 and size, or a one-member archive of it."""
    return {int(row[0]) for row in db.query(_TWINS_OF_HELD,
                                            {"ids": json.dumps(sorted(held))})}


def held_copies(db: Database, plan: DeployPlan) -> None:
    """The SHA1s of the held games' files and tracks, and the games of their disc sets
    (whose playlist is held with them): see :attr:`DeployPlan.held_games`. The games of a
    held game's content are held with it: the card may hold the game as another of its
    library copies an earlier deploy chose (a loose file then, its zip now), and ``--prune``
    must not remove that one while nothing can replace it (QA18 L1). What has the same CRC32
    and size is held whatever its SHA1: holding keeps a file, it never writes one. An
    archive's members are its content too: the card may hold the loose file it was made of
    (qa191 F1: a ROM zipped since its deploy, on a root away, lost its only card copy) — a
    member no present game not held has as its own file or track (see _members_of)."""
    if not plan.held_games:
        return
    plan.held_games.update(_twins_of_held(db, plan.held_games))
    ids = json.dumps(sorted(plan.held_games))
    plan.held_sha1s.update(row[0] for row in db.query(
        "SELECT lower(hex(sha1_bin)) FROM games WHERE id IN (SELECT value FROM json_each(?)) "
        "AND sha1_bin IS NOT NULL UNION SELECT lower(hex(sha1_bin)) FROM game_files "
        "WHERE kind = 'track' AND sha1_bin IS NOT NULL "
        "AND game_id IN (SELECT value FROM json_each(?))", (ids, ids)))
    plan.held_sha1s.update(sha1 for _, sha1 in _members_of(db, plan.held_games,
                                                            plan.held_games))
    plan.held_sets.update(set_mates(db, plan.held_games) - plan.sets_let_go)


def set_mates(db: Database, game_ids: Iterable[int]) -> set[int]:
    """The games of the disc sets of ``game_ids`` (a set's playlist is recorded under one
    of them)."""
    return {int(row[0]) for row in db.query(
        "SELECT id FROM games WHERE set_key IS NOT NULL AND set_key IN (SELECT set_key "
        "FROM games WHERE id IN (SELECT value FROM json_each(?)) AND set_key IS NOT NULL)",
        (json.dumps(sorted(game_ids)),))}


def _check_emulators(db: Database, pack: DefinitionPack, resolver: EmulatorResolver,
                     plan: DeployPlan) -> None:
    """Warn per platform whose games go to the card for an emulator the definition pack says
    the OS does not have (QA12 F6: PSP and N64 games on an OnionOS card through the pack's
    fallbacks, said only by the auto-list's JSON), and per platform for which no emulator is
    known on the OS at all (QA36 F1: Dreamcast games on an OnionOS card, by a query, without
    a word; the auto-list leaves them out as NO_EMULATOR_AVAILABLE)."""
    if resolver.os_profile is None:
        return
    games = {item.game_id: item.platform_id for item in plan.items
             if item.kind == ROM and item.game_id is not None}
    # the games with an emulator of their own (few: read whole, not probed per game)
    own = resolver.games(sorted({int(row[0]) for row in db.query(
        "SELECT DISTINCT game_id FROM game_overrides WHERE emulator_id IS NOT NULL")}
        & games.keys()))
    runs: dict[tuple[str, str, str], int] = defaultdict(int)
    for game_id, resolution in own.items():
        if resolution.emulator_id:
            runs[(games[game_id], resolution.emulator_id, resolution.origin)] += 1
    unrunnable: dict[str, int] = defaultdict(int)
    for game_id, resolution in own.items():
        if not resolution.emulator_id:
            unrunnable[games[game_id]] += 1
    for platform_id, count in Counter(platform for game_id, platform in games.items()
                                      if game_id not in own).items():
        resolution = resolver.platform(platform_id)
        if resolution.emulator_id:
            runs[(platform_id, resolution.emulator_id, resolution.origin)] += count
        else:
            unrunnable[platform_id] += count
    ports = sum(1 for platform in games.values() if platform == PORTS_PLATFORM)
    if ports:  # (QA64 F4: `Doom.sh` went alone, its `doom/` folder left behind)
        plan.warnings.append(PlanIssue(
            "port-script-only", f"{counted(ports, 'PortMaster port')} go"
            f"{'es' if ports == 1 else ''} on the card as {'its' if ports == 1 else 'their'}"
            " script only: a port also needs its own folder beside it (the script's GAMEDIR),"
            " which ROM Runner does not copy; PortMaster installs ports whole",
            PORTS_PLATFORM))
    for platform_id, count in sorted(unrunnable.items()):
        if platform_id in _LAUNCHED_BY_THE_OS:
            continue
        if not resolver.os_profile.lists_what_is_installed:  # (unknown, not none: QA123 F1;
            # nor from a list the pack does not have whole: QA172 F2)
            partial = resolver.os_profile.partial_list
            lists = "does not list what it has installed" if partial is None else \
                f"lists only part of what it has installed ({partial})"
            plan.warnings.append(PlanIssue(
                "emulator-unknown", f"{platform_id}: {counted(count, 'game')} go"
                f"{'es' if count == 1 else ''} on the card; the definition pack names no "
                f"emulator for {platform_id} on {resolver.os_profile.name} and {lists}, so "
                "whether it runs them is not checked "
                f"(`romrunner override set --platform {platform_id} --emulator ID` names one)",
                platform_id))
            continue
        plan.warnings.append(PlanIssue(
            "no-emulator", f"{platform_id}: {counted(count, 'game')} go{'es' if count == 1 else ''}"
            f" on the card, but no emulator the definition pack knows runs {platform_id} on "
            f"{resolver.os_profile.name}: {'it' if count == 1 else 'they'} will not start there "
            f"(the auto-list leaves such games out, {NO_EMULATOR_AVAILABLE}, but those a game "
            f"override includes; `romrunner override set --platform {platform_id} --emulator "
            "ID` names one)", platform_id))
    for platform_id, message in not_installed_warnings(pack, resolver.os_profile, runs,
                                                       "game"):
        plan.warnings.append(PlanIssue("emulator-not-installed", message, platform_id))


# Platforms whose games the OS launches itself, no emulator between (PortMaster's scripts):
# no "no emulator" warning (review 19 R7).
_LAUNCHED_BY_THE_OS = frozenset({PORTS_PLATFORM})


def _check_archives(db: Database, pack: DefinitionPack, resolver: EmulatorResolver,
                    plan: DeployPlan) -> None:
    """Archives are copied as they are: warn per platform and emulator that cannot read them
    (or of which we cannot tell), and of archives that hold several ROMs or an archive."""
    archived = [(item, extension) for item in plan.items
                if item.kind == ROM and item.game_id is not None
                and (extension := archive_extension(item.dest)) is not None]
    plan.archives = archive_support(db, resolver, pack, [
        (int(item.game_id or 0), item.platform_id, extension) for item, extension in archived])
    for support in plan.archives:
        message = support.warning()
        if message is not None:
            code = "archive-unreadable" if support.readable == CANNOT else "archive-unknown"
            plan.warnings.append(PlanIssue(code, message, support.platform_id))
    for contents in archive_contents(db, pack, [
            (int(item.game_id or 0), item.platform_id, item.dest.rpartition("/")[2])
            for item, _ in archived]):
        plan.warnings.extend(PlanIssue(code, message, contents.platform_id)
                             for code, message in contents.warnings())


def _load_games(db: Database, ids: list[int]) -> dict[int, _Game]:
    # The stored columns, not the generated ones (`filename`, `file_sha1`): deriving them here
    # costs a third of what SQLite's expressions do per row (a re-deploy plans every game).
    roots = {int(row[0]): str(row[1]) for row in db.query(
        "SELECT id, path FROM library_roots")}
    prefixes = {root_id: path.rstrip("/") for root_id, path in roots.items()}
    rows = db.query(
        "SELECT id, platform_id, filepath, file_size, file_mtime_ns, sha1_bin, is_missing, "
        "set_key, disc_number, root_id, crc32_bin, is_archive, format, "
        "CASE WHEN set_key IS NOT NULL THEN catalog_title END, "
        f"CASE WHEN is_archive = 1 AND match_method IN {_IDENTIFIED} THEN matched_game_id END, "
        f"coalesce(match_method IN {_IDENTIFIED}, 0) "
        "FROM games WHERE id IN (SELECT value FROM json_each(?))", (json.dumps(ids),))
    games: dict[int, _Game] = {}
    for (game_id, platform_id, filepath, size, mtime_ns, sha1, missing, set_key, disc,
         root_id, crc32, archive, fmt, catalog, matched, by_data) in rows:  # by position
        source, name = f"{prefixes[root_id]}/{filepath}", filepath.rpartition("/")[2]
        renamed_from = None
        if matched is not None and (set_name := _arcade_set_name(matched, name)) is not None:
            renamed_from, name = name, set_name
        elif "\\x" in name and os_path(source) != source:  # bytes that were not UTF-8
            name = card_name(name)
        games[game_id] = _Game(game_id, platform_id, source, name, int(size), mtime_ns,
                               sha1.hex() if sha1 is not None else None, bool(missing),
                               set_key, disc, roots[root_id], crc32, bool(archive),
                               root_id, fmt in _SHEETS, catalog, renamed_from,
                               bool(by_data))
    return {i: games[i] for i in ids if i in games}


_IDENTIFIED = "('sha1', 'md5', 'crc32', 'user')"


def _arcade_set_name(matched_game_id: str, filename: str) -> str | None:
    """The card name of an archive identified as an arcade set whose library name is not
    the set's (``Donkey Kong 3 (US).zip`` -> ``dkong3.zip``), else None. (The emulator finds
    a set, and a clone its parent's, by the zip's name alone; No-Intro's and Redump's game
    names have spaces and tags, never a set's form: see ARCADE_SET_NAME.)"""
    set_name = matched_game_id.partition(":")[2]
    stem, dot, extension = filename.rpartition(".")
    if not dot or stem == set_name or not ARCADE_SET_NAME.fullmatch(set_name):
        return None
    return f"{set_name}.{extension.lower()}"


_SHEETS = DISC_SHEET_EXTENSIONS


def _leave_out_copies(db: Database, games: dict[int, _Game], builder: _Builder,
                      absent: dict[int, _Game]) -> None:
    """Take out of ``games`` each chosen game whose content another chosen game of its
    platform has (``Game.gb`` and ``Game.zip`` holding it, a copy in a second library root):
    the card gets it once, in the auto-list's order (see :func:`copy_rank`: the copy already
    on the card, else one from a library root that is there now and unchanged since the
    scan, a loose file rather than an archive, the one named as its catalog game, a name
    with tags — `Game (France).gb`, not `copy.gb`, QA132 F4), then from the library root
    added first, the lowest id — and one warning names the copies. A game
    of ``absent`` (the library has it but cannot deploy it now: missing since the scan, on a
    root not reachable) whose copy is on the card is that copy too: its chosen twin is not
    written beside it (said in a warning of its own). The same content: the same CRC32 and
    size (an archive's: its only member's), and the same SHA1 — or, where either SHA1 is not
    known yet, the same catalog game by their hashes or the same title (see _same_content);
    an archive of several files (an arcade set), the same members (see _single_members).
    Disc sets and sheets are not compared here."""
    members = _single_members(db, [g.id for g in [*games.values(), *absent.values()]
                                   if g.archive])

    first: dict[tuple[str, bytes, int], _Game] = {}
    shared: dict[tuple[str, bytes, int], list[_Game]] = {}  # only keys seen twice: few
    for game in games.values():
        if (found := _file_key(game, members)) is not None:
            other = first.setdefault(found, game)
            if other is not game:
                shared.setdefault(found, [other]).append(game)
    for game in absent.values():  # a twin of a chosen game, held on the card
        if (found := _file_key(game, members)) is not None and found in first \
                and builder.on_card(game):
            shared.setdefault(found, [first[found]]).append(game)
    copies: list[tuple[_Game, _Game]] = []
    grouped = [game.id for group in shared.values() for game in group]
    known = _matches_and_titles(db, grouped)
    names = _catalog_names(db, grouped)
    for group in shared.values():
        builder.volatile = True  # (the card's files and the sources decide: not kept)
        kept: list[_Game] = []
        # (the auto-list's order of copies alike: the root added first outranked the
        # catalog's name here only, and the card's copy there only, so the two differed)
        for game in sorted(group, key=lambda g: (*copy_rank(
                builder.on_card(g), builder.root_reachable(g.root) and _source_as_scanned(g),
                g.archive, g.filename, names.get(g.id)), g.root_id, g.id)):
            same = next((k for k in kept if _same_content(game, k, members, known)), None)
            if same is None:
                kept.append(game)
            elif game.id not in absent:  # (an absent one is not chosen: nothing to leave out)
                copies.append((games.pop(game.id), same))
                builder.left_out_copies[game.id] = game
    if not copies:
        return
    copies.sort(key=lambda pair: pair[0].filename)
    builder.plan.copies.extend((left.id, kept_one.id) for left, kept_one in copies)
    chosen = [(left, kept_one) for left, kept_one in copies if kept_one.id not in absent]
    if chosen:
        builder.plan.warnings.append(PlanIssue(
            "same-content", f"{len(chosen):,} chosen "
            f"{'game is a copy' if len(chosen) == 1 else 'games are copies'} of another chosen "
            f"game (the same content): each goes on the card once — {_COPY_RULE} "
            f"({_pairs(chosen)})"))
    held = [(left, kept_one) for left, kept_one in copies if kept_one.id in absent]
    if held:
        builder.plan.warnings.append(PlanIssue(
            "same-content-held", f"{len(held):,} chosen "
            f"{'game has' if len(held) == 1 else 'games have'} the content of a game whose "
            "copy on the card is kept (missing from the library since the last scan, or on a "
            "library root that is not reachable): not written beside it, the card has the "
            f"game once ({_pairs(held, 'is kept')})"))


# The order of copies of one content (see copy_rank), as the same-content warning says it.
_COPY_RULE = ("the copy already there, else one from a library root that is there now and "
              "unchanged since the scan, a loose file rather than an archive, the one named "
              "as its catalog game names it, then one from the library root added first "
              "(the auto-list's choice too)")


def _catalog_names(db: Database, ids: list[int]) -> dict[int, str]:
    """The name of the catalog game each of ``ids`` matched (by its hashes or its name),
    where it matched one — the very name the auto-list compares a file's against (see
    :func:`catalog_name_of`), not the least of two catalog rows' names."""
    if not ids:
        return {}
    return {int(row[0]): name for row in db.query(
        "SELECT id, matched_game_id FROM games WHERE id IN (SELECT value FROM json_each(?))",
        (json.dumps(ids),)) if (name := catalog_name_of(row[1])) is not None}


def _pairs(copies: list[tuple[_Game, _Game]], kept_as: str = "goes") -> str:
    """``kept goes, not left`` for the first three copies, the rest counted (qa201 F7: `left
    = kept` did not say which one the card gets)."""
    return examples([f"{kept.filename} {kept_as}, not {left.filename}"
                     for left, kept in copies], sep="; ")


def _leave_out_disc_copies(games: dict[int, _Game], tracks: dict[int, list[_Track]],
                           sets: dict[str, int], replaced: set[int], builder: _Builder) -> None:
    """Take out of ``games`` each disc (a sheet: a set's disc or a game of one disc) whose
    content another one has — a set in two library roots (a backup copy), both chosen: the
    card gets each disc once, from the copy already there, else one on a root that is there
    now and unchanged since the scan, else from the library root added first, and one warning
    names the copies. A disc of a chosen set missing from the library since the scan whose
    copy is there is one of them (not said to be missing). The same content: the same sheet
    (size; CRC32 and SHA1 where both are known) naming tracks of the same names and sizes
    (SHA1s where both are known); a disc of the same number and other content is not a copy:
    both stay, and the claims report the conflict. ``sets`` (discs per set) is counted down
    for each disc taken out; ``replaced``: the library's playlists the plan writes itself."""
    missing = {game.id: game for discs in builder.missing_discs.values() for game in discs}
    groups: dict[tuple[Any, ...], list[_Game]] = defaultdict(list)
    for game in [*games.values(), *missing.values()]:
        if (game.set_key or game.sheet) and game.id not in replaced:
            groups[_disc_key(game, tracks.get(game.id, []))].append(game)
    copies: list[tuple[_Game, _Game]] = []
    for group in groups.values():
        if len(group) < 2:
            continue
        kept: list[_Game] = []
        for game in sorted(group, key=lambda g: (not builder.on_card(g),
                                                 not builder.root_reachable(g.root),
                                                 not _source_as_scanned(g), g.root_id, g.id)):
            same = next((k for k in kept if _same_disc(k, game, tracks)), None)
            if same is None:
                kept.append(game)
                continue
            copies.append((game, same))
            builder.left_out_copies[game.id] = game
            if game.id in missing:
                builder.missing_discs[game.set_key or ""].remove(game)
            else:
                del games[game.id]
                if game.set_key in sets:
                    sets[game.set_key] -= 1
    if copies:
        copies.sort(key=lambda pair: pair[0].source)
        builder.plan.copies.extend((left.id, kept_one.id) for left, kept_one in copies)
        count = len(copies)
        shown = examples([f"{left.source} = {kept_one.source}" for left, kept_one in copies],
                         sep="; ")
        builder.plan.warnings.append(PlanIssue(
            "same-content", f"{count:,} {'disc is a copy' if count == 1 else 'discs are copies'}"
            " of another disc in the library (the same sheet and tracks: a set in two library "
            "roots?): each disc goes on the card once — the copy already there, else one from "
            f"a root that is there now, unchanged since the scan ({shown})"))


def _leave_out_other_formats(db: Database, games: dict[int, _Game], builder: _Builder,
                             pack: DefinitionPack | None, profile_id: int | None,
                             pruning: bool = False) -> None:
    """Take out of ``games`` each chosen disc image (one of _ONE_GAME_FORMATS) that is the
    same game as another chosen one in another format (``Game (USA).iso`` beside ``Game
    (USA).rvz``, a cue/bin beside a ``.chd``): a frontend lists each file as a game, so the
    card gets one — as of copies of one content (see _leave_out_copies), one on a library
    root that is there now and unchanged since the scan, then one of a format the emulator
    the profile runs it with reads, then the one already on the card; then the format that
    emulator reads best (see
    :func:`format_rank`), then one identified by its hashes, of the root added first, the
    lowest id — and one warning names the others. The same game (see _same_game): one
    platform, and the one catalog game their hashes identify, else the same name (the
    file's, its extension left aside) in the same folder of their library roots; never two
    disc ids read from the images that differ. Discs of multi-disc sets are compared set by
    set (see _one_revision_per_disc); archives by their content (see _leave_out_copies)."""
    extensions = {game.id: extension for game in games.values() if game.set_key is None
                  and not game.archive and game.platform_id != UNKNOWN  # (none goes)
                  and (extension := extension_of(game.filename)) in _ONE_GAME_FORMATS}
    if len(extensions) < 2:
        return
    candidates = [games[game_id] for game_id in extensions]
    # (grouped first by a key cheap to make, the names parsed only of files sharing one: a
    # 100k-disc library's plan spent 10 s parsing every name; the catalog asked only of those
    # sharing one, and of those their hashes or tracks may identify)
    by_stem: dict[tuple[str, str, str], list[_Game]] = defaultdict(list)
    for game in candidates:
        by_stem[(game.platform_id, _folder_in_root(game).casefold(),
                 fold(strip_extension(game.filename)) or "")].append(game)
    paired = [group for group in by_stem.values()
              if len({extensions[game.id] for game in group}) > 1]
    named = _names_and_disc_ids(db, sorted(
        {game.id for group in paired for game in group}
        | {game.id for game in candidates if game.by_data or game.sheet}))
    names: dict[int, tuple[Any, ...]] = {}  # (of the games sharing a key: see _same_game)
    by_name: dict[tuple[Any, ...], list[_Game]] = defaultdict(list)
    for number, group in enumerate(paired):
        alike = len({strip_extension(game.filename) for game in group}) == 1
        for game in group:  # (names spelled alike: parsed alike, not parsed)
            names[game.id] = (number, None if alike else _game_name_key(game))
            by_name[names[game.id]].append(game)
    by_match: dict[tuple[str, str], list[_Game]] = defaultdict(list)
    for game in candidates:
        if (match := named.get(game.id, (None,))[0]) is not None:
            by_match[(game.platform_id, match)].append(game)
    groups = _joined([*by_name.values(), *by_match.values()], extensions)
    if not groups:
        return
    emulators = EmulatorResolver(db, pack, profile_id).games(
        [game.id for group in groups for game in group]) if pack is not None else {}
    left: list[tuple[_Game, _Game]] = []
    builder.volatile = True  # (the card's files and the sources decide: not kept)
    on_card: dict[int, bool] = {}  # (asked once a game: the warning asks again)
    for group in groups:
        on_card.update((g.id, builder.on_card(g)) for g in group)
        rank = {g.id: format_rank(pack, (found.emulator_id if (found := emulators.get(g.id))
                                         else None), g.platform_id, extensions[g.id])
                for g in group}
        # (a format the emulator does not read is no copy that can go, whatever the card
        # holds: review42 F4, a .chd kept for ppsspp-sdl, the .iso it reads left out)
        ranked = _usable_first(group, lambda g: builder.root_reachable(g.root), {g.id: (
            rank[g.id] == NOT_READ, not on_card[g.id], rank[g.id],
            named.get(g.id, (None,))[0] is None, g.root_id, g.id) for g in group})
        kept: list[_Game] = []
        for game in ranked:
            same = next((k for k in kept if extensions[k.id] != extensions[game.id]
                         and _same_game(k, game, named, names)), None)
            if same is None:
                kept.append(game)
            else:
                left.append((games.pop(game.id), same))
                builder.left_out_copies[game.id] = game
    if not left:
        return
    left.sort(key=lambda pair: pair[0].filename)
    # (a copy of the same content as one left out here is a copy of the one kept)
    moved = {game.id: kept_one.id for game, kept_one in left}
    builder.plan.copies[:] = [(game_id, moved.get(kept_id, kept_id))
                              for game_id, kept_id in builder.plan.copies]
    builder.plan.copies.extend((game.id, kept_one.id) for game, kept_one in left)
    one = len(left) == 1
    shown = examples([f"{game.filename}: {kept_one.filename} goes" for game, kept_one in left],
                     sep="; ")
    # (one left out that an earlier deploy wrote stays there without --prune: review41 F7, the
    # warning said the card had the game once, the frontend listed it twice)
    there = 0 if pruning else sum(1 for game, _ in left if on_card[game.id])
    stays = "" if not there else (
        f"; {'the one' if there == 1 else f'{there:,} of those'} left out that an earlier "
        f"deploy put on the card {'stays' if there == 1 else 'stay'} there beside the one "
        "that goes until a deploy with --prune removes "
        f"{'it' if there == 1 else 'them'}")
    builder.plan.warnings.append(PlanIssue(
        "same-game-other-format", f"{counted(len(left), 'chosen game')} "
        f"{'is' if one else 'are'} the same game as another chosen one in another format "
        "(the same platform and name, or catalog game): one of them goes on the card — "
        "one that can go, then one its emulator reads, then the one there already, then the "
        "format its emulator reads best: the platform's preferred one, else a compressed image "
        f"({shown}){stays}"))


def _usable_first(group: list[_Game], reachable: Callable[[_Game], bool],
                  rest: Mapping[int, tuple[Any, ...]]) -> list[_Game]:
    """``group`` ranked by its games' roots being ``reachable``, then their files there and
    unchanged since the scan (see :func:`_source_as_scanned`), then ``rest`` (by game id,
    unique to each) — a file looked at only where the order asks: of two games, the first by
    the other keys goes first when its file is as scanned, whatever the other's (one ``stat``
    a pair, not two: a 100k-disc library of pairs, the whole library's)."""
    if len(group) != 2:
        return sorted(group, key=lambda g: (not reachable(g), not _source_as_scanned(g),
                                            rest[g.id]))
    first, second = sorted(group, key=lambda g: (not reachable(g), rest[g.id]))
    if reachable(first) != reachable(second) or _source_as_scanned(first) \
            or not _source_as_scanned(second):
        return [first, second]
    return [second, first]


# The disc formats a copy of one game in two of which goes once: an image holding its own data
# and a sheet the deploy carries with its tracks (.cue, .gdi). Not a sheet whose data files
# the deploy does not read (.ccd, .mds, .toc: only the sheet went, and the game could not run),
# nor a raw track or image of many uses (.bin, .img: a DOS floppy beside a CD's .iso), nor .nrg.
_ONE_GAME_FORMATS = frozenset({".cue", ".gdi", ".iso", ".cdi", ".gcm", *SMALLER_IMAGES})


def _names_and_disc_ids(db: Database, ids: list[int]
                        ) -> dict[int, tuple[str | None, str | None, str | None]]:
    """Each of ``ids``'s catalog game as its hashes (or the user) identify it (None: by its
    name, or not identified), that game's name, and the disc id read from its image."""
    return {int(row[0]): (row[1], row[2], row[3]) for row in db.query(
        f"SELECT id, CASE WHEN match_method IN {_BY_DATA} THEN matched_game_id END, "
        f"CASE WHEN match_method IN {_BY_DATA} THEN catalog_title END, disc_id "
        "FROM games WHERE id IN (SELECT value FROM json_each(?))", (json.dumps(ids),))}


# (a disc its tracks identify too: catalog.identify's)
_BY_DATA = "('sha1', 'md5', 'crc32', 'tracks', 'user')"


def _game_name_key(game: _Game) -> tuple[Any, ...]:
    """What two copies of one game in two formats that their hashes do not identify share,
    of two files whose platform, folder in their library roots (``A/Disc.iso`` and
    ``B/Disc.chd`` are two games) and folded name without its extension are the same: the
    title and the tags of that name."""
    parsed = parse_filename(game.filename)
    return (fold(parsed.title), dataclasses.replace(parsed, title=""))


def _folder_in_root(game: _Game) -> str:
    """The folder of the game's file, relative to its library root (``psx/A``)."""
    return game.source[len(game.root.rstrip("/")) + 1:].rpartition("/")[0]


def _joined(groups: Iterable[list[_Game]], extensions: Mapping[int, str]
            ) -> list[list[_Game]]:
    """``groups`` of two or more games, those sharing a game joined into one, each kept
    only where its games' files have two ``extensions`` or more."""
    parent: dict[int, int] = {}
    members: dict[int, _Game] = {}
    for group in groups:
        if len(group) < 2:
            continue
        top = _top(parent, group[0].id)
        for game in group:
            members[game.id] = game
            parent[_top(parent, game.id)] = top
            top = _top(parent, top)
    joined: dict[int, list[_Game]] = defaultdict(list)
    for game_id, game in members.items():
        joined[_top(parent, game_id)].append(game)
    return [group for group in joined.values()
            if len({extensions[game.id] for game in group}) > 1]


def _top(parent: dict[int, int], game_id: int) -> int:
    """The game standing for ``game_id``'s group in :func:`_joined`'s ``parent``."""
    while (up := parent.get(game_id, game_id)) != game_id:
        game_id = up
    return game_id


def _same_game(kept: _Game, other: _Game,
               named: Mapping[int, tuple[str | None, str | None, str | None]],
               names: dict[int, tuple[Any, ...]]) -> bool:
    """True when ``other`` (of another extension) is a copy of ``kept`` in another format:
    the disc ids read from their images do not differ (where both are known), and either their
    hashes identify both as one catalog game, or — one of them not so identified — their
    names and folders are the same: ``names``, of the games sharing a platform, a folder and
    a folded name, their group's and their names' key (see _game_name_key)."""
    kept_match, _, kept_id = named.get(kept.id, (None, None, None))
    match, _, disc_id = named.get(other.id, (None, None, None))
    if kept_id and disc_id and kept_id != disc_id:
        return False
    if kept_match and match:
        return kept_match == match and kept.platform_id == other.platform_id
    return (key := names.get(kept.id)) is not None and key == names.get(other.id)


def _file_key(game: _Game, members: dict[int, Any]) -> tuple[str, bytes, int] | None:
    """What makes two single-file games copies of one content: the platform, and the CRC32
    and size of the file (of an archive, its one member's); None for a disc or unknown."""
    if game.set_key or game.sheet:
        return None
    crc32, size = (members.get(game.id, (None, 0, None))[:2] if game.archive
                   else (game.crc32, game.size))
    return None if crc32 is None else (game.platform_id, crc32, size)


def _disc_key(game: _Game, its: list[_Track]) -> tuple[Any, ...]:
    """What two discs that are copies of one content share: the platform, the set and disc
    number, the sheet's size and the tracks' names and sizes (``_same_disc`` then compares
    the hashes known)."""
    return (game.platform_id, game.set_key, game.disc if game.set_key else None, game.size,
            tuple((t.name, t.size) for t in its))


def _same_disc(one: _Game, other: _Game, tracks: dict[int, list[_Track]]) -> bool:
    """True when two sheets whose sizes and tracks' names and sizes are the same have the
    same CRC32 and SHA1, and their tracks the same CRC32s and SHA1s, wherever both are known
    (a first scan with a catalog may know a track by its CRC32 only)."""
    if one.sha1 is not None and other.sha1 is not None and one.sha1 != other.sha1:
        return False
    if one.crc32 is not None and other.crc32 is not None and one.crc32 != other.crc32:
        return False
    return all((a.sha1 is None or b.sha1 is None or a.sha1 == b.sha1)
               and (a.crc32 is None or b.crc32 is None or a.crc32 == b.crc32) for a, b in
               zip(tracks.get(one.id, []), tracks.get(other.id, []), strict=True))


# The names looked up one by one in a card folder before it is listed instead (see
# _Builder.card_has): listing 50,000 names costs what 5,000-8,000 lookups cost; 500 cost
# milliseconds, and no listing of a full folder is paid for a few.
_LISTED_AFTER = 500


class _Listing(NamedTuple):
    """A card folder's entries: their names, and their names as :func:`_loose_name` makes
    them."""

    exact: frozenset[str]
    loose: frozenset[str]


def _listing(path: str) -> _Listing | None:
    """The entries of the card's folder ``path`` (none where it is not there); None where
    it cannot be listed (its entries asked one by one then)."""
    try:
        with os.scandir(path) as entries:
            names = frozenset(entry.name for entry in entries)
    except (FileNotFoundError, NotADirectoryError):
        names = frozenset()
    except OSError:
        return None
    return _Listing(names, frozenset(map(_loose_name, names)))


def _loose_name(name: str) -> str:
    """``name`` with every difference of case and Unicode form a card's file system may
    ignore taken away (more than any ignores: two names of one loose name are the same
    file only where the card says so)."""
    if name.isascii():
        return name.lower()
    return fold_case(unicodedata.normalize("NFC", name)).casefold()


def _source_as_scanned(game: _Game) -> bool:
    """True when the game's file is there with the size and time the scan saw."""
    try:
        info = os.stat(os_path(game.source))
    except OSError:
        return False
    return info.st_size == game.size and (game.mtime_ns is None
                                          or info.st_mtime_ns == game.mtime_ns)


def _leave_out_tracks(games: dict[int, _Game], tracks: dict[int, list[_Track]],
                      plan: DeployPlan) -> None:
    """Take out of ``games`` each chosen game whose file is a track of a chosen disc's sheet
    (a library scanned before the scan read that sheet's FILE line — Windows-1252 bytes,
    another case — has the track as a game of its own): it goes on the card as the disc's
    track, not also as a game (a playlist listing it as a disc), said in one warning."""
    # (the games with tracks, few: not every chosen game looked at)
    parts = {posixpath.join(game.source.rpartition("/")[0], track.name)
             for game_id, found in tracks.items()
             if (game := games.get(game_id)) is not None
             and not game.filename.lower().endswith(".m3u")
             for track in found}
    if not parts:
        return
    stray = sorted((game for game in games.values() if game.source in parts),
                   key=lambda game: game.filename)
    for game in stray:
        del games[game.id]
    if stray:
        shown = examples([game.filename for game in stray])
        plan.warnings.append(PlanIssue(
            "track-as-game", f"{len(stray):,} chosen "
            f"{'file is' if len(stray) == 1 else 'files are'} a track of a chosen disc's sheet "
            f"({shown}): deployed as the disc's track, not as "
            "a game of its own (an entry of the library from a scan that could not yet read "
            "the sheet's name for it)"))


def _follow_playlists_sheets(db: Database, tracks: dict[int, list[_Track]],
                             builder: _Builder, games: Iterable[_Game],
                             deployed: Collection[int], profile_id: int | None,
                             kept: Collection[int]) -> None:
    """Make each chosen playlist's disc go with the tracks its sheet names: the sheet is read
    now and each file it names becomes a file of the playlist, checked and copied as its
    other files — a disc that is no game of the library (its sheet in a folder the scan
    skips, as muOS's hidden ``.Game/`` beside ``Game.m3u`` copied back from a card: qa201
    F1, the sheets went to the card without their tracks, and the deploy said "completed"),
    and one that is (review47b F2: in a subfolder, where the playlist names it, its sheet
    went without its track). A disc of the library is placed as a game of its own besides
    (taking it into the playlist instead lost it where the playlist was then left out:
    review48b F1); where the playlist names it at the very path it goes to, the playlist's
    files there are the game's, and where the plan does not place that game (left out:
    excluded, changed since the scan, the other revision), the playlist is left out with it
    (see :meth:`_Builder.claim`: review49b F1, the disc went on the card as the playlist's
    file). ``deployed``: the games chosen or brought (a disc no selection took, and no
    override of ``profile_id`` excludes, is the playlist's file, as a hidden one: review49f
    F1, a playlist chosen alone was refused) with the scan's record of its sheet and tracks,
    so one changed since the scan is said so (review49g F1); ``kept``: the games the plan
    still places (a playlist left out for one of them that then fails keeps its copies on the
    card: see :meth:`_Builder._with_its_library_discs`). A sheet that cannot be read, or names no
    track, leaves the playlist out (see :meth:`_Builder._track_item`). Not of a playlist the
    plan writes itself (see _replaced_playlist)."""
    for game in games:
        entries = tracks.get(game.id)
        if not entries or not _a_playlist(game):
            continue
        parent = game.source.rpartition("/")[0]
        sheets = [entry for entry in entries if entry.name.lower().endswith(TRACKED_SHEETS)]
        if not sheets:
            continue
        builder.volatile = True  # (reads the library: see _Builder.__init__)
        known = _library_files(db, game, [posixpath.join(parent, entry.name)
                                          for entry in sheets])
        kept_out = excluded_games(db, profile_id, known.values()) if known else set()
        followed: list[_Track] = []
        for entry in entries:
            if entry not in sheets:
                followed.append(entry)
                continue
            its = _sheets_tracks(game, entry, parent, builder)
            disc = known.get(posixpath.join(parent, entry.name))
            if disc is not None and (disc in deployed or disc in kept_out):
                builder.library_files.update(
                    (os.path.join(parent, track.name), disc) for track in [entry, *its])
                if disc in kept:
                    builder.library_kept.add(disc)
                if disc in kept_out:
                    builder.library_excluded.add(disc)
            elif disc is not None:
                entry, its = _as_the_scan_recorded(db, disc, entry, its)
            followed += [entry, *its]
        tracks[game.id] = list(dict.fromkeys(followed))


def _as_the_scan_recorded(db: Database, disc: int, entry: _Track, its: list[_Track]
                          ) -> tuple[_Track, list[_Track]]:
    """The library disc ``disc`` a playlist names (its sheet ``entry``, the tracks read now
    ``its``, named from the playlist's folder) with the scan's size, time and SHA1 of each:
    copied as the playlist's file, it is checked as the disc is (review49g F1: shortened
    since the scan, it went on the card, unsaid). As read now where the scan has no record."""
    row = db.query_one("SELECT file_size, file_mtime_ns, lower(hex(sha1_bin)) AS sha1 "
                       "FROM games WHERE id = ?", (disc,))
    if row is None or row["file_size"] is None:
        return entry, its
    # (the sheet always as recorded: one edited since names other tracks — review49h F1)
    sheet = _Track(entry.name, int(row["file_size"]), row["file_mtime_ns"], row["sha1"] or None)
    recorded = _load_tracks(db, [disc]).get(disc, [])
    if its and len(recorded) != len(its):  # (none read: the sheet gone or unreadable — its
        return sheet, its  # tracks as recorded, held with it on the card: review50c F3)
    folder = entry.name.rpartition("/")[0]
    return sheet, [_Track(f"{folder}/{track.name}" if folder else track.name, track.size,
                          track.mtime_ns, track.sha1, track.crc32) for track in recorded]


def _sheets_tracks(game: _Game, entry: _Track, parent: str, builder: _Builder
                   ) -> list[_Track]:
    """The files the sheet ``entry`` of the playlist ``game`` names, as entries of the
    playlist (relative to its folder, ``parent``); none, with why in
    :attr:`_Builder.unread_sheets`, when it cannot be read or names no track (an empty or
    binary sheet: no disc, review47b F5)."""
    path = os_path(posixpath.join(parent, entry.name))
    if not os.path.lexists(path):
        return []  # (the sheet itself is said missing: see _Builder._track_item)
    try:
        names = referenced_files(Path(path))
    except (ContainerError, OSError) as exc:
        why = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
        builder.unread_sheets[(game.id, entry.name)] = why
        return []
    if not names:
        builder.unread_sheets[(game.id, entry.name)] = "it names no track"
        return []
    folder = entry.name.rpartition("/")[0]  # (an absolute name kept: refused as such)
    return [_Track(f"{folder}/{name}" if folder and not _absolute(name) else name,
                   None, None, None) for name in names]


def _absolute(name: str) -> bool:
    """True for a sheet's name of a file by an absolute path (``/x``, ``C:/x``)."""
    return name.startswith("/") or re.match(r"[A-Za-z]:", name) is not None


TRACKED_SHEETS = (".cue", ".gdi")  # (the sheets that name tracks: see referenced_files)


def _library_files(db: Database, game: _Game, sources: list[str]) -> dict[str, int]:
    """Of ``sources`` (paths in ``game``'s library root), those a game of the library is,
    with its id."""
    prefix = len(game.root.rstrip("/")) + 1
    return {sources[0][:prefix] + str(row[0]): int(row[1]) for row in db.query(
        "SELECT filepath, id FROM games WHERE root_id = ? AND filepath IN "
        "(SELECT value FROM json_each(?))",
        (game.root_id, json.dumps([source[prefix:] for source in sources])))}


def _content_sha1(game: _Game, members: dict[int, tuple[bytes | None, int, str | None]]
                  ) -> str | None:
    return members[game.id][2] if game.archive else game.sha1


def _same_content(one: _Game, other: _Game,
                  members: dict[int, tuple[bytes | None, int, str | None]],
                  known: dict[int, tuple[str | None, str | None]]) -> bool:
    """True when two games of one CRC32 and size (see _file_key) hold the same data: their
    SHA1s are the same; or, where either is not known yet (a zip's member is read from its
    directory; a first scan with a catalog hashes CRC32 first), both are identified by their
    hashes as one catalog game (whose data the catalog states), or they bear one title
    (``Game.gb`` and ``Game.zip``). A CRC32 and size alone are no proof (QA18 M6: a homebrew
    with another game's CRC32 and size was left out as its copy). ``known``: each game's
    hash match and folded title (see _matches_and_titles)."""
    sha1, other_sha1 = _content_sha1(one, members), _content_sha1(other, members)
    if sha1 is not None and other_sha1 is not None:
        return sha1 == other_sha1
    (match, title), (other_match, other_title) = (known.get(one.id, (None, None)),
                                                  known.get(other.id, (None, None)))
    return (match is not None and match == other_match) or (
        title is not None and title == other_title)


def _matches_and_titles(db: Database, ids: list[int]
                        ) -> dict[int, tuple[str | None, str | None]]:
    """The catalog game each of ``ids`` is identified as by its hashes (None: by name, or
    not identified), and its folded title."""
    if not ids:
        return {}
    return {int(row[0]): (row[1], row[2]) for row in db.query(
        "SELECT id, CASE WHEN match_method IN ('sha1', 'md5', 'crc32') "
        "THEN matched_game_id END, title_norm FROM games "
        "WHERE id IN (SELECT value FROM json_each(?))", (json.dumps(ids),))}


def _single_members(db: Database, archive_ids: list[int]
                    ) -> dict[int, tuple[bytes | None, int, str | None]]:
    """The CRC32, size and SHA1 of the only member of each archive of ``archive_ids`` that
    holds exactly one file; of an archive of several (an arcade set), the same made of all
    its members' names, CRC32s and sizes, and of their SHA1s when each is known (QA140 F4:
    copies of one set in two folders were two games of one name on the card, the second
    "left out", and every deploy of them ended in failure)."""
    if not archive_ids:
        return {}
    found: dict[int, list[tuple[str, bytes | None, int, bytes | None]]] = defaultdict(list)
    for game_id, name, crc32, size, sha1 in db.query(
            "SELECT game_id, name, crc32_bin, file_size, sha1_bin FROM game_files "
            "WHERE kind = 'member' AND game_id IN (SELECT value FROM json_each(?))",
            (json.dumps(archive_ids),)):
        found[int(game_id)].append((str(name), crc32, int(size or 0), sha1))
    return {game_id: _members_key(rows) for game_id, rows in found.items()}


def _members_key(rows: list[tuple[str, bytes | None, int, bytes | None]]
                 ) -> tuple[bytes | None, int, str | None]:
    """An archive's members as one file's CRC32, size and SHA1 (see _single_members), its
    notes left aside (review 142 F3: a copy of a set with a readme added was another set)."""
    rows = [row for row in rows if not is_a_note(row[0])] or rows
    if len(rows) == 1:
        _, crc32, size, sha1 = rows[0]
        return crc32, size, sha1.hex() if sha1 is not None else None
    if any(crc32 is None for _, crc32, _, _ in rows):
        return None, 0, None
    rows.sort(key=lambda row: row[0])
    listed = hashlib.sha256()
    for name, crc32, size, _ in rows:
        listed.update(f"{name}\0{size}\0".encode() + (crc32 or b"") + b"\0")
    sha1s = None
    if all(sha1 is not None for *_, sha1 in rows):
        hashed = hashlib.sha256()
        for name, _, _, sha1 in rows:
            hashed.update(name.encode() + b"\0" + (sha1 or b""))
        sha1s = "members:" + hashed.hexdigest()
    return b"members:" + listed.digest(), sum(size for _, _, size, _ in rows), sha1s


def _load_tracks(db: Database, ids: list[int]) -> dict[int, list[_Track]]:
    rows = db.query(
        "SELECT game_id, name, file_size, file_mtime_ns, file_sha1, crc32_bin FROM game_files "
        "WHERE kind = 'track' AND game_id IN (SELECT value FROM json_each(?)) "
        "ORDER BY game_id, id", (json.dumps(ids),))
    tracks: dict[int, list[_Track]] = defaultdict(list)
    for row in rows:  # (a name a scan before review48b F5 stored with its `./`: as now)
        tracks[int(row["game_id"])].append(
            _Track(without_current_folder(row["name"]), row["file_size"],
                   row["file_mtime_ns"], row["file_sha1"], row["crc32_bin"]))
    return tracks


def _complete_sets(db: Database, games: dict[int, _Game], builder: _Builder
                   ) -> dict[str, int]:
    """Add to ``games`` the present discs of each chosen disc's set that were not chosen (a
    set is one game: a collection holding disc 1 deploys the set, and ``--prune`` never
    breaks it on the card), said in one warning; return each set's count of present discs."""
    keys = sorted({g.set_key for g in games.values() if g.set_key}
                  | _playlists_sets(db, [g for g in games.values()
                                         if g.filename.lower().endswith(".m3u")]))
    if not keys:
        return {}
    members: dict[str, list[int]] = defaultdict(list)
    numbers: dict[str, set[object]] = defaultdict(set)
    missing: list[int] = []
    for set_key, game_id, is_missing, disc in db.query(
            "SELECT set_key, id, is_missing, disc_number FROM games WHERE set_key IN "
            "(SELECT value FROM json_each(?)) ORDER BY id", (json.dumps(keys),)):
        (missing if is_missing else members[set_key]).append(int(game_id))
        if not is_missing:
            numbers[set_key].add(_disc_key_of(disc, int(game_id)))
    for game in _load_games(db, missing).values() if missing else ():
        builder.missing_discs[game.set_key or ""].append(game)
    added = [i for ids in members.values() for i in ids if i not in games]
    if added:
        found = _discs_completing(games, _load_games(db, added))
        games.update(found)
        builder.plan.game_ids.extend(found)
        builder.completed = list(found.values())
    builder.short_sets = _short_sets(db, games, builder.missing_discs)
    return {set_key: len(numbers[set_key]) for set_key in members}


def _short_sets(db: Database, games: dict[int, _Game],
                missing: Mapping[str, list[_Game]]) -> set[str]:
    """The sets of ``games`` whose catalog lists a disc after the last the library has,
    present or missing since the scan (QA161 F7: a set short of its last disc, that disc
    forgotten, went on the card without a word: only the names' "Disc 1 of 3" told)."""
    tops: dict[str, _Game] = {}
    for game in [*games.values(), *(g for discs in missing.values() for g in discs)]:
        if game.set_key and game.disc is not None and (
                game.set_key not in tops or game.disc > (tops[game.set_key].disc or 0)):
            tops[game.set_key] = game
    return sets_short_of_listed_discs(db, {
        key: (game.platform_id, game.disc or 0,
              [name for name in (game.catalog_name, strip_extension(game.filename)) if name])
        for key, game in tops.items()})


def _disc_key_of(disc: int | None, game_id: int) -> object:
    """A disc's place in its set: its number, or its id where its name gives none (a disc of
    its own)."""
    return disc if disc is not None else f"id:{game_id}"


def _discs_completing(games: dict[int, _Game], candidates: dict[int, _Game]
                      ) -> dict[int, _Game]:
    """Of the discs not chosen of the chosen discs' sets (``candidates``), those of a disc
    number none of the set's chosen discs has, one per number, from the chosen discs' own
    library root first: a copy of the set on another root (a backup disk, the set as CHD on
    another share) completes nothing (QA33 F7: "2 discs not chosen added", F29: the card's
    playlist listing discs 1, 1, 2, 2, F4: two dumps of one set colliding on every deploy)."""
    covered: dict[str, set[object]] = defaultdict(set)
    roots: dict[str, set[int]] = defaultdict(set)
    for game in games.values():
        if game.set_key:
            covered[game.set_key].add(_disc_key_of(game.disc, game.id))
            roots[game.set_key].add(game.root_id)
    found: dict[int, _Game] = {}
    for game in sorted(candidates.values(), key=lambda g: (
            g.root_id not in roots[g.set_key or ""], g.root_id, g.id)):
        number = _disc_key_of(game.disc, game.id)
        if game.set_key and number in covered[game.set_key]:
            continue
        covered[game.set_key or ""].add(number)
        found[game.id] = game
    return found


def _warn_completed_sets(builder: _Builder, games: dict[int, _Game]) -> None:
    """Say which discs not chosen were added to complete their sets (those of sets left out
    after all, by an override, are not: QA17)."""
    found = [game for game in builder.completed if game.id in games]
    if not found:
        return
    # Each set titled once, by its first disc, as its folder and playlist are (review49h F3:
    # "Duo (USA), Duo (USA) (Rev 1)", two sets said for one whose disc 2 is a Rev 1)
    keys = {game.set_key for game in found if game.set_key}
    firsts: dict[str, _Game] = {}
    for game in games.values():
        if game.set_key in keys and (game.set_key not in firsts or (game.disc or 0, game.id)
                                     < (firsts[game.set_key].disc or 0,
                                        firsts[game.set_key].id)):
            firsts[game.set_key] = game
    titles = sorted({_set_title(firsts.get(game.set_key or "", game), game.set_key or "")
                     for game in found})
    builder.plan.warnings.append(PlanIssue(
        "set-completed", f"{counted(len(found), 'disc')} not "
        f"chosen added to complete {'its set' if len(titles) == 1 else 'their sets'} "
        f"({examples(titles)}): a multi-disc game goes on the card whole"))


def _leave_out_excluded_sets(db: Database, games: dict[int, _Game], builder: _Builder,
                             profile_id: int | None) -> None:
    """Take out of ``games`` each multi-disc set an override excludes a disc of on the
    profile, whole, with the library's playlists of it: a set is one game on the card, and
    completing it must not bring back the disc the user excluded (review), said in one
    warning."""
    discs = {game.id: game.set_key for game in games.values() if game.set_key}
    if profile_id is None or not discs:
        return
    keys = {discs[game_id] for game_id in excluded_games(db, profile_id, discs)}
    if not keys:
        return
    gone = [game for game in games.values() if game.set_key in keys or (
        game.filename.lower().endswith(".m3u") and _playlists_sets(db, [game]) & keys)]
    titles = sorted({_set_title(game, game.set_key) for game in gone if game.set_key})
    for game in gone:
        del games[game.id]
    for key in keys:
        builder.missing_discs.pop(key, None)
    left = {game.id for game in gone}
    builder.plan.excluded_with_set.update((game.id, game.filename) for game in gone)
    builder.plan.game_ids[:] = [i for i in builder.plan.game_ids if i not in left]
    builder.plan.warnings.append(PlanIssue(
        "set-excluded", f"{counted(len(titles), 'multi-disc game')} left out whole: an "
        f"override excludes one of {'its' if len(titles) == 1 else 'their'} discs "
        f"({examples(titles)}); a set is one game on the card"))


def _generic_gdi_tracks(game: _Game, tracks: list[_Track]) -> bool:
    """True when ``game`` is a .gdi whose tracks have names of no game's own (``track01.bin``
    of every GDI dump): they get the sheet's name before theirs always, not only once
    another disc's have the same names — a lone set went on the card as bare
    ``track01.bin``, and the next set's deploy renamed (copied again) its tracks (qa176 #8)."""
    if not game.filename.lower().endswith(".gdi"):
        return False
    stem = PurePosixPath(game.filename).stem.casefold()
    return any(not track.name.rpartition("/")[2].casefold().startswith(stem)
               for track in tracks)


def _needs_flat_sheet(tracks: list[_Track], fs: FileSystem) -> bool:
    """True when a track is in a folder of its sheet's, or its name is not legal on ``fs``."""
    for track in tracks:
        if "/" in track.name:
            return True
        try:
            if legal_component(track.name, fs) != track.name:
                return True
        except InputError:
            return True
    return False


# The sheets whose tracks get the sheet's name before theirs where another disc's tracks
# have their names (`track01.bin` of every Dreamcast GDI dump: QA33 F35, one game per card)
_RENAMING_SHEETS = (".cue", ".gdi")
# FILE "name" TYPE, or FILE name TYPE (the name all but the last word), as the scan reads it
_CUE_FILE_LINE = re.compile(r'(\s*FILE\s+)(?:"([^"]*)"(.*)|(\S.*?)((?:\s+\S+)?\s*))$',
                            re.IGNORECASE)


def _cue_with_names(text: str, names: dict[str, str]) -> str:
    """``text`` (a .cue) with each ``FILE`` line naming its track's name on the card
    (``names``: the track's path as the scan read it — a backslash as a folder — to the name);
    every other line as it is."""
    lines = text.splitlines(keepends=True)
    for number, line in enumerate(lines):
        body = line.rstrip("\r\n")
        match = _CUE_FILE_LINE.match(body)
        if match is None:
            continue
        lead, quoted, after, bare, kind = match.groups()
        name = names.get((quoted if quoted is not None else bare).replace("\\", "/"))
        if name is not None:
            tail = after if quoted is not None else kind
            lines[number] = f'{lead}"{name}"{tail}{line[len(body):]}'
    return "".join(lines)


# A .gdi's track line, as the scan reads it: TRACK LBA TYPE SECTOR_SIZE FILE OFFSET
_GDI_FILE_LINE = re.compile(r'(\s*\d+\s+\d+\s+\d+\s+\d+\s+)(?:"([^"]+)"|([^"\s][^"]*?))'
                            r'(\s+-?\d+\s*)$')


def _gdi_with_names(text: str, names: dict[str, str]) -> str:
    """``text`` (a .gdi) with each track line naming its track's name on the card, quoted
    (see :func:`_cue_with_names`); every other line as it is."""
    lines = text.splitlines(keepends=True)
    for number, line in enumerate(lines):
        body = line.rstrip("\r\n")
        match = _GDI_FILE_LINE.match(body)
        if match is None:
            continue
        lead, quoted, bare, tail = match.groups()
        name = names.get((quoted if quoted is not None else bare).replace("\\", "/"))
        if name is not None:
            lines[number] = f'{lead}"{name}"{tail}{line[len(body):]}'
    return "".join(lines)


_START_BYTES = 1 << 16  # of a card file and its source: enough to tell two tracks apart


def _same_start(card_file: Path, source: str | None) -> bool:
    """True when the card file begins as ``source`` does (or either cannot be read)."""
    if source is None:
        return True
    try:
        with open(card_file, "rb") as mine, open(os_path(source), "rb") as theirs:
            return mine.read(_START_BYTES) == theirs.read(_START_BYTES)
    except OSError:
        return True


def _playlists_sets(db: Database, playlists: list[_Game]) -> set[str]:
    """The sets of the discs the library's own ``playlists`` name (a chosen .m3u brings its
    discs: alone, its sheets would reach the card without their tracks)."""
    if not playlists:
        return set()
    by_id = {game.id: game for game in playlists}
    wanted = []
    for game_id, name in db.query(
            "SELECT game_id, name FROM game_files WHERE kind = 'track' "
            "AND game_id IN (SELECT value FROM json_each(?))", (json.dumps(list(by_id)),)):
        game = by_id[game_id]
        folder = game.source[len(game.root.rstrip("/")) + 1:].rpartition("/")[0]
        wanted.append([game.root_id, posixpath.normpath(posixpath.join(folder, name))])
    return {str(row[0]) for row in db.query(
        "SELECT g.set_key FROM json_each(?) AS w JOIN games g "
        "ON g.root_id = json_extract(w.value, '$[0]') "
        "AND g.filepath = json_extract(w.value, '$[1]') WHERE g.set_key IS NOT NULL",
        (json.dumps(wanted),))}


class _Builder:
    """Adds items to a plan, checking each file and each destination as it goes."""

    def __init__(self, plan: DeployPlan, layout: CardLayoutLike) -> None:
        self.plan, self.layout, self.fs = plan, layout, layout.fs
        self._real: dict[str, str] = {}  # folders resolved (see real_path)
        self.completed: list[_Game] = []  # discs not chosen, added to complete their sets
        self.limit = layout.fs.max_file_size
        self.taken: dict[str, str] = {}  # collision key -> what claimed it
        # the .m3u places of the library playlists left out for another game's file at a
        # place they name (see _playlist_collides, _hold_playlists_collided)
        self.playlists_collided: list[str] = []
        self.chd_folders: dict[int, str] = {}  # an arcade set's CHD -> its set's folder
        # (see _place_chds)
        self.folders: dict[str, str | None] = {}
        self.no_folder: dict[str, int] = defaultdict(int)
        self.no_platform: list[_Game] = []  # chosen games whose platform is undecided
        self.roots_ok: dict[str, bool] = {}
        self.card_folders: dict[str, bool] = {}  # a platform's folder -> on the card (see on_card)
        self.card_listings: dict[str, _Listing | None] = {}  # see card_has
        self.card_asked: Counter[str] = Counter()  # (lookups a card folder, see card_has)
        self.unreachable: set[str] = set()
        self.unreachable_games: dict[str, set[int]] = {}  # root -> its games held (see hold)
        # Per multi-disc set with two or more chosen discs: its first disc (by disc number),
        # whose title names the set's folder and playlist (see set_folder).
        self.set_firsts: dict[str, _Game] = {}
        self.contested: set[int] = set()  # .cue games whose tracks get their sheet's name
        self.first_names: dict[int, tuple[str, str]] = {}  # game -> dest, key (claim_order)
        self.left_out_copies: dict[int, _Game] = {}  # chosen games left out as copies
        # games missing from the library held with no file on this card: their BIOS is not
        # the card's concern (QA94 F2: every deploy wrote a BIOS no game of it needs)
        self.held_off_card: set[int] = set()
        # games present whose library copy cannot be used now (see _unusable_now): held
        self.unusable: set[int] = set()
        # Per set: its chosen discs held (not placed now), whose copies the .m3u still names
        self.held_set_discs: dict[str, list[_Game]] = defaultdict(list)
        self.flat_sheets: list[str] = []  # .cue sheets the card gets with their tracks beside
        # Per chosen set: its discs missing from the library since the last scan
        self.missing_discs: dict[str, list[_Game]] = defaultdict(list)
        # The chosen sets whose catalog lists a disc after the last the library has
        self.short_sets: set[str] = set()
        self.sheet_texts: dict[int, str] = {}  # see sheet_text
        # The chosen discs of each title and region, whatever release (see note_sets)
        self.releases: dict[str, list[_Game]] = defaultdict(list)
        # True once the plan read something no key of a kept plan covers (a source's state, a
        # sheet, the card's files): such a plan is not kept between runs (see plancache).
        self.volatile = False
        # A chosen playlist's disc sheet read for its tracks, and why it could not be (see
        # _follow_playlists_sheets): (game id, its entry) -> why
        self.unread_sheets: dict[tuple[int, str], str] = {}
        # the files of the library's discs (sheets, tracks) a chosen playlist names, and the
        # games the plan places (read once the games are placed): see claim
        self.library_files: dict[str, int] = {}  # (-> the disc's game id)
        self.library_kept: set[int] = set()  # (those discs the plan still places)
        self.library_excluded: set[int] = set()  # (those an override excludes)
        self.placed_games: set[int | None] | None = None
        self._card_records: dict[str, Owned] | None = None  # see card_records

    def folder(self, platform_id: str) -> str | None:
        """The platform's folder as text (paths are joined as text: 100k games); None where
        the card has none for it (an undecided platform among them)."""
        if platform_id not in self.folders:
            choice = self.layout.rom_folder(platform_id)
            self.folders[platform_id] = None if choice is None else str(choice.path)
        return self.folders[platform_id]

    def error(self, code: str, message: str, game: _Game | None = None,
              path: str | None = None, platform_id: str | None = None) -> None:
        self.plan.errors.append(PlanIssue(
            code, message, platform_id or (game.platform_id if game else None),
            game.id if game else None, path))

    def add_game(self, game: _Game, tracks: list[_Track]) -> str | None:
        """Add a game's file and its disc tracks (all or none); return its destination."""
        folder = self.folder(game.platform_id)
        if folder is None:
            self._no_folder(game)
            return None
        named = self.first_names.pop(game.id, None)
        if named is not None:  # (see claim_order)
            dest, known_key = named
            folder = dest.rpartition("/")[0]
        else:
            try:
                name = legal_component(game.filename, self.fs)
            except InputError as exc:
                self.error("bad-name", str(exc), game, game.source)
                return None
            folder = self.set_folder(game, folder)
            dest, known_key = f"{folder}/{name}", None
        sheet = PlanItem(ROM, dest, game.size, game.platform_id, game.id,
                         game.source, game.mtime_ns, game.sha1)
        items = [sheet]
        if game.missing:
            self.error("source-missing", f"{game.source}: missing since the last scan", game,
                       game.source)
            self.hold(items[0].dest, game)
            return None
        parent = game.source.rpartition("/")[0]
        cue = bool(tracks) and game.filename.lower().endswith(".cue")
        flatten = cue and _needs_flat_sheet(tracks, self.fs)
        renamed = self._renamed_tracks(game) if cue and (
            flatten or not self.fs.case_insensitive
            or not all(track.name.isascii() for track in tracks)) else {}
        if cue and (flatten or renamed):
            flat = self._flat_sheet(game, folder, parent, tracks, sheet, renamed)
            if flat is None:
                self._hold_disc(game, tracks)
                return None
            items = flat
        else:
            if tracks and self._windows_paths(game, tracks):
                self._hold_disc(game, tracks)
                return None
            for track in tracks:
                item = self._track_item(game, folder, parent, track)
                if item is None:
                    self._hold_disc(game, tracks)
                    return None
                items.append(item)
        if len(items) == 1:  # the common case: one file, checked and claimed without loops
            item = items[0]
            if not self.file_ok(item, game, stat_source=bool(game.set_key) or game.sheet):
                self.hold(item.dest, game)
                return None
            key = known_key if known_key is not None and item.dest == dest else \
                collision_key(item.dest, self.fs)
            if key in self.taken:
                self._collides(item, self.taken[key], game)
                return None
            self.taken[key] = item.source or item.dest
            self.plan.items.append(item)
            return item.dest
        if not all(self.file_ok(item, game, stat_source=True) for item in items):
            for item in items:
                self.hold(item.dest, game)
            return None
        if game.filename.lower().endswith(_RENAMING_SHEETS) and (
                game.id in self.contested
                or (_generic_gdi_tracks(game, tracks) and not self._on_card_so(items[1:]))
                or self._tracks_collide(items[1:], game)):
            # generic track names (`Track 01.bin`) another disc or game has there too: this
            # sheet's tracks get its own name before theirs, and the card its sheet naming them
            apart = self._flat_sheet(game, folder, parent, tracks, sheet,
                                     renamed or self._renamed_tracks(game), unique=True)
            # (its FILE lines as written, another case too: on a card that ignores case the
            # names were not read above, QA35 F10)
            if apart is None:
                self._hold_disc(game, tracks)
                return None
            items = apart
        if not self.claim(items, game):
            return None
        if items[0].content is not None and game.source not in self.flat_sheets \
                and not self._written_before(items[0]):
            # (said only of the sheets placed, and not again of one an earlier deploy wrote
            # as it is now: the warning came at every deploy, one copying nothing too — qa176
            # #8)
            self.flat_sheets.append(game.source)
        # The sheet after the tracks it names: a run stopped between them (a full card)
        # never leaves a sheet on the card without its tracks.
        self.plan.items.extend([*items[1:], items[0]])
        return items[0].dest

    def hold(self, dest: str, game: _Game, *, chosen: bool = True,
             playlist: bool = True) -> None:
        """Keep the card's copy of a chosen file that cannot be written now (and of a disc's
        set playlist, which is written only with discs that can be; ``playlist``: False where
        the set's other discs go); ``chosen``: False for a game no selection took (on a root
        not reachable)."""
        playlists = self.set_playlists(game) if playlist else []
        self.plan.held.append(dest)
        self.plan.held_games.add(game.id)
        self.plan.held.extend(playlists)
        if chosen:
            self.plan.chosen_held.extend((dest, *playlists))
            self.plan.chosen_held_games.add(game.id)
        if game.set_key and game not in self.held_set_discs[game.set_key]:
            self.held_set_discs[game.set_key].append(game)
        root = self.unreachable_root(game)
        if root is not None:
            self.unreachable_games.setdefault(root, set()).add(game.id)
        if root is not None and root not in self.unreachable:
            self.unreachable.add(root)
            self.plan.warnings.append(PlanIssue(
                "root-unreachable", f"{root}: library root is not reachable (not mounted?): "
                "its games are left out and their copies on the card kept",
                game.platform_id, game.id, root))

    def count_unreachable(self, relinked: Mapping[str, str] | None = None) -> None:
        """Say in each unreachable root's warning how many of its games' card copies are
        kept (QA138 F8: a --prune said "1 kept" while 218 files were kept for it), and, for
        a root whose link leads elsewhere now, ``relinked``'s way on (qa185 F3)."""
        for index, issue in enumerate(self.plan.warnings):
            if issue.code == "root-unreachable" and issue.path in self.unreachable_games:
                count = len(self.unreachable_games[issue.path] - self.held_off_card)
                why = f" ({relinked[issue.path]})" if relinked and issue.path in relinked \
                    else " (not mounted?)"
                self.plan.warnings[index] = dataclasses.replace(issue, message=(
                    f"{issue.path}: library root is not reachable{why}: its games are left "
                    f"out, and the card's copies of {counted(count, 'game')} of it kept "
                    "(never pruned while it is away)"))

    def _hold_disc(self, game: _Game, tracks: list[_Track]) -> None:
        """Keep the card's copy of a chosen disc refused for a track of its sheet (a
        backslash, a name the card cannot hold, a playlist entry missing): its sheet and the
        tracks an earlier deploy put there, under the names it gave them. Still chosen, so
        ``--prune`` never removes them (a copy that works on the card or not: the user's
        call, as the error says what to fix)."""
        folder = self.folder(game.platform_id)
        if folder is None:
            return
        for place in dict.fromkeys((folder, self.set_folder(game, folder))):
            self.hold(f"{place}/{legal_component(game.filename, self.fs)}", game)
            self.plan.held.extend(f"{place}/{name}"
                                  for name in self._track_places(game, tracks))

    def unreachable_root(self, game: _Game) -> str | None:
        """The game's library root when that root is not reachable now, else None."""
        return None if self.root_reachable(game.root) else game.root

    def root_reachable(self, root: str) -> bool:
        """True when the library root ``root`` is there now (see
        :func:`~romrunner.library.roots.root_is_there`; asked once per root)."""
        if root not in self.roots_ok:
            self.roots_ok[root] = root_is_there(root)
        return self.roots_ok[root]

    def card_paths(self, game: _Game, tracks: list[_Track], *,
                   playlist: bool = True) -> list[str]:
        """Where a deploy puts ``game`` on the card: its file, its tracks and (``playlist``)
        its set's .m3u — for a disc, in the platform folder and in its set's folder (an
        earlier deploy may have put it in either) — nothing when the card's OS has no folder
        for it or a name cannot be made legal."""
        folder = self.folder(game.platform_id)
        if folder is None:
            return []
        dests: list[str] = []
        try:
            for place in dict.fromkeys((folder, self.set_folder(game, folder, chosen=False))):
                dests.append(f"{place}/{legal_component(game.filename, self.fs)}")
                dests.extend(f"{place}/{name}" for name in self._track_places(game, tracks))
        except InputError:
            return []
        return [*dests, *self.set_playlists(game)] if playlist else dests

    def _track_places(self, game: _Game, tracks: list[_Track]) -> list[str]:
        """The names ``tracks`` may have on the card, relative to their sheet: as the sheet
        names them, beside it, and beside it after the sheet's name (see _flat_sheet); none
        for a name that cannot be legal."""
        names: list[str] = []
        stem = PurePosixPath(game.filename).stem
        for track in tracks:
            own = track.name.rpartition("/")[2]
            for parts in (track.name.split("/"), [own]):
                try:
                    names.append(str(legal_path(parts, self.fs)))
                except InputError:
                    continue  # no legal name: it cannot be on the card
            with contextlib.suppress(InputError):  # (none: it cannot be on the card)
                names.append(legal_after(stem, own, self.fs))
        return list(dict.fromkeys(names))

    def on_card(self, game: _Game) -> bool:
        """True when the card has a file where this game's file goes — for a disc, in the
        platform folder or its set's (an earlier deploy's copy: of two copies of one content,
        the one already there stays the card's)."""
        self.volatile = True  # (reads the card or the library: see __init__)
        folder = self.folder(game.platform_id)
        if folder is None:
            return False
        if folder not in self.card_folders:  # (none there, none of its games: asked once)
            self.card_folders[folder] = os.path.isdir(self.plan.root / folder)
        if not self.card_folders[folder] or (
                (listed := self.card_listings.get(folder)) is not None and not listed.exact):
            return False  # (an empty folder: nothing in it, nor in a folder of it)
        try:
            name = legal_component(game.filename, self.fs)
            places = dict.fromkeys((folder, self.set_folder(game, folder, chosen=False)))
        except InputError:
            return False
        return any(self.card_has(place, name) for place in places)

    def card_has(self, folder: str, name: str) -> bool:
        """True when the card's ``folder`` holds an entry ``name`` — as ``os.path.lexists``
        says, the card's own rules of case and Unicode form deciding — the folder listed once
        when it is asked of more than :data:`_LISTED_AFTER` names (a lookup of every paired
        game of a 100k-disc library cost seconds: one ``lstat`` each; a few asked of a folder
        of 50,000 games cost less than its listing)."""
        self.card_asked[folder] += 1
        if folder not in self.card_listings and self.card_asked[folder] > _LISTED_AFTER:
            self.card_listings[folder] = _listing(os.path.join(str(self.plan.root), folder))
        listing = self.card_listings.get(folder)
        if listing is not None:
            if name in listing.exact:
                return True
            if _loose_name(name) not in listing.loose:
                return False
        # (another spelling there — whether the card takes it for this name, FAT ignoring
        # case and a Linux folder not, is the card's to say — or a folder not listed)
        return os.path.lexists(os.path.join(str(self.plan.root), folder, name))

    def claim_order(self, db: Database, games: Iterable[_Game]) -> list[_Game]:
        """``games`` in the order they claim their names on the card: of two that would land
        on one name (two roots' files of one name; names made one by the card's rules or its
        indifference to case), the one whose content the card holds there already, then one
        whose name is its own, then one its hashes identified (QA133 F2: a samples zip
        guessed by its name took a verified arcade set's), then an arcade set that lacks no
        ROM of its set (QA136 F1), then the first by id; the others after every game. Not by id
        alone, which a root removed and added back turns around (QA111 F1: the card's copy
        was replaced by the other dump, said as "1 copied"; ``Pokemon: Emerald (USA).gba``
        took the name of the file named ``Pokemon - Emerald (USA).gba``)."""
        # (the library's playlists after the games: a disc of the library a playlist names
        # at the very path it goes to is the game's own file, not a rival — see claim)
        games = sorted(games, key=_a_playlist)
        rivals: dict[str, list[tuple[_Game, str]]] = defaultdict(list)
        for game in games:
            folder = self.folder(game.platform_id)
            if folder is None:
                continue
            try:
                name = legal_component(game.filename, self.fs)
            except InputError:
                continue
            dest = f"{self.set_folder(game, folder)}/{name}"
            key = collision_key(dest, self.fs)
            self.first_names[game.id] = (dest, key)  # (add_game's own: not made twice)
            rivals[key].append((game, dest))
        contested = [found for found in rivals.values() if len(found) > 1]
        if not contested:
            return games
        copied = _last_copied_games(db, self.plan.root,
                                    [dest for found in contested for _, dest in found])
        lacking = incomplete_sets(db, [game.id for found in contested for game, _ in found
                                       if game.archive], bios_sets=True)
        later: set[int] = set()
        for found in contested:
            first = min(found, key=lambda rival: self._claim_rank(rival, copied,
                                                                  lacking))[0]
            later.update(game.id for game, _ in found if game is not first)
        return sorted(games, key=lambda game: (_a_playlist(game), game.id in later))

    def _claim_rank(self, rival: tuple[_Game, str],
                    copied: dict[str, tuple[int, int | None, int | None]],
                    lacking: Collection[int] = ()) -> tuple[bool, bool, bool, bool, int]:
        """How ``rival`` (a game, its destination) ranks among games of one name: see
        :meth:`claim_order`. Its content is there when the card's record of the file has its
        SHA1, or, a game known by its CRC32 only (no SHA1 to compare: review 115 F2), when
        this card's last copy there was of it and the card's record is still of that copy
        (``copied``: destination -> game, size, time; review 118 F2: another computer's
        write since)."""
        game, dest = rival
        record = self.card_records().get(dest)
        last = copied.get(dest)
        there = record is not None and (
            record.sha1 == game.sha1 if game.sha1 is not None else
            last is not None and last == (game.id, record.size, record.mtime_ns))
        return (not there, dest.rpartition("/")[2] != game.filename, not game.by_data,
                game.id in lacking, game.id)

    def note_contested(self, games: Iterable[_Game], tracks: dict[int, list[_Track]]) -> None:
        """Remember the .cue games whose tracks would land where another game's do (generic
        names: ``Disc 1/Track 01.bin`` and ``Disc 2/Track 01.bin`` in one set's folder, two
        games' ``Track 01.bin`` in the platform's): each of them gets its tracks named after
        its sheet (see _flat_sheet). Decided for all of them at once, not by who comes first:
        a disc left out (changed since the scan) must not free the name for another disc,
        which would be written over the first one's copy kept on the card."""
        owners: dict[str, set[int]] = defaultdict(set)
        for game in games:
            found = tracks.get(game.id)
            if not found:  # (most games: no tracks)
                continue
            folder = self.folder(game.platform_id)
            if folder is None or not game.filename.lower().endswith(_RENAMING_SHEETS):
                continue
            place = self.set_folder(game, folder)
            flat = _needs_flat_sheet(found, self.fs)
            for track in found:
                name = track.name.rpartition("/")[2] if flat else track.name
                try:
                    key = collision_key(f"{place}/{legal_path(name.split('/'), self.fs)}",
                                        self.fs)
                except InputError:
                    continue
                owners[key].add(game.id)
        self.contested = {game_id for ids in owners.values() if len(ids) > 1 for game_id in ids}

    def note_sets(self, games: Iterable[_Game]) -> None:
        """Remember each multi-disc set with two or more discs (chosen, or missing from the
        library: their copies are kept in the set's folder), by its first disc."""
        discs: dict[str, list[_Game]] = defaultdict(list)
        for game in games:
            if game.set_key:
                discs[game.set_key].append(game)
        self.set_firsts = {key: min(members, key=lambda g: (g.disc or 0, g.id))
                           for key, members in discs.items() if len(members) > 1}
        self.releases = defaultdict(list)
        for key, members in discs.items():
            self.releases[release_of_set(key)] += [g for g in members if not g.missing]

    def set_folder(self, game: _Game, folder: str, *, chosen: bool = True) -> str:
        """The folder of ``game``'s discs: the platform's ``folder``, or the set's own folder
        in it where the OS wants a set's discs apart (see ``multi_disc_layout``) and two or
        more of the set's discs are chosen (``chosen=False``: whatever was chosen, as an
        earlier deploy may have placed it)."""
        chd = self.chd_folders.get(game.id)
        if chd is not None:  # (an arcade set's CHD, in its set's folder: see chd_set_folders)
            try:
                return f"{folder}/{legal_component(chd, self.fs)}"
            except InputError:
                return folder
        if not game.set_key or (chosen and game.set_key not in self.set_firsts):
            return folder
        kind = self.layout.multi_disc_layout(game.platform_id)
        first = self.set_firsts.get(game.set_key, game)
        return set_folder_of(kind, folder, _set_title(first, game.set_key), game.set_key,
                             self.fs)

    def set_playlists(self, game: _Game) -> list[str]:
        """Where the planner may have put the .m3u of ``game``'s disc set: beside the discs or
        in the set's folder (none: not in a set, the OS wants none, or no folder or legal
        name for it)."""
        if not game.set_key or not self.layout.wants_m3u(game.platform_id):
            return []
        folder = self.folder(game.platform_id)
        if folder is None:
            return []
        try:
            name = self.m3u_name(self.set_firsts.get(game.set_key, game), game.set_key)
        except InputError:
            return []
        places = dict.fromkeys((folder, self.set_folder(game, folder, chosen=False)))
        return [f"{place}/{name}" for place in places]

    def m3u_name(self, first: _Game, set_key: str) -> str:
        """The legal name of a disc set's playlist: its title made legal as the set's own
        folder's name is, then `.m3u` (MinUI opens `FOLDER/FOLDER.m3u`: `Ys Vol.` on FAT32
        was the folder `Ys Vol/` holding `Ys Vol..m3u`, QA25 F1)."""
        try:
            stem = legal_component(_set_title(first, set_key), self.fs)
            return legal_component(f"{stem}.m3u", self.fs)
        except InputError:
            return legal_component(f"{set_key}.m3u", self.fs)

    def _no_folder(self, game: _Game) -> None:
        if game.platform_id == UNKNOWN:
            self.no_platform.append(game)
            self.error("no-platform", f"{game.source}: its platform is undecided (set it "
                       f"with `romrunner games set-platform PLATFORM {game.id}`)", game,
                       game.source)
            return
        self.no_folder[game.platform_id] += 1
        if self.no_folder[game.platform_id] == 1:
            self.plan.warnings.append(PlanIssue(
                "no-folder", f"{self.layout.os_id} has no folder for platform "
                f"{game.platform_id}: its games are left out", game.platform_id))
        self.error("no-folder", f"{game.source}: {self.layout.os_id} has no folder for "
                   f"{game.platform_id}", game, game.source)

    def _windows_paths(self, game: _Game, tracks: list[_Track]) -> bool:
        """True (and the error recorded) when the game's sheet names a track in a folder
        with a Windows backslash (``FILE "tr\\Zeta.bin"``). The scan reads it as the folder
        Windows would, but the sheet is copied as it is, and no emulator on a card's OS
        (Linux, Android) reads a backslash as a folder: PCSX ReARMed opens the name after
        it beside the sheet, Mednafen (Beetle) the whole name, backslash and all (a name
        FAT cannot hold). No place on the card works for every one: refused, and said."""
        self.volatile = True  # (reads the card or the library: see __init__)
        if not any("/" in track.name for track in tracks):  # read the sheet only then
            return False
        try:
            written = sheet_entries(Path(os_path(game.source)))
        except ContainerError:
            return False  # the sheet's own check (present, unchanged) says what is wrong
        named = {entry.replace("\\", "/"): entry for entry in written if "\\" in entry}
        bad = [named[track.name] for track in tracks if track.name in named]
        if not bad:
            return False
        self.error("windows-path", f'{game.source}: track "{bad[0]}" is named with a Windows '
                   "backslash, which emulators on the card do not read as a folder; not "
                   "deployed (edit the sheet: the track beside it, named without a folder)",
                   game, game.source)
        return True

    def sheet_text(self, game: _Game) -> str:
        """The text of the game's sheet, read once per plan (a sheet renamed, laid out flat
        and checked for its tracks' names would be read three times)."""
        self.volatile = True  # (reads the card or the library: see __init__)
        text = self.sheet_texts.get(game.id)
        if text is None:
            text = self.sheet_texts[game.id] = read_sheet(Path(os_path(game.source)))
        return text

    def _tracks_collide(self, items: list[PlanItem], game: _Game) -> bool:
        """True when a track's destination is taken (by this plan, or on the card by a file
        of other content: another game's track an earlier deploy put there, QA35 F2), or two
        of them are one. The card is asked only of tracks with a name of no game's own
        (``track01.bin``, not ``Alpha (USA) (Track 1).bin``): a Redump library's plans read
        nothing of the card here, and stay kept between runs (see plancache)."""
        keys = [collision_key(item.dest, self.fs) for item in items]
        if len(set(keys)) < len(keys) or any(key in self.taken for key in keys):
            return True
        stem = PurePosixPath(game.filename).stem.casefold()
        return any(self._other_content_on_card(item) for item in items
                   if not PurePosixPath(item.dest).name.casefold().startswith(stem))

    def _on_card_so(self, tracks: list[PlanItem]) -> bool:
        """True when an earlier deploy of ours wrote ``tracks`` to the card under these very
        names, with this content, and they are there as written: a lone GDI deployed before
        generic track names got the game's name keeps its tracks as they are until another
        disc's collide (review38 F2: every such card copied ~1 GB a disc again)."""
        return bool(tracks) and all(self._ours_as_written(track, track.sha1) for track in tracks)

    def _written_before(self, sheet: PlanItem) -> bool:
        """True when the card holds, as one of our deploys wrote it, the rewritten sheet
        ``sheet`` (its content) at its place: nothing new to say of it."""
        return sheet.content is not None and self._ours_as_written(
            sheet, hashlib.sha1(sheet.content).hexdigest(), strict=True)

    def _ours_as_written(self, item: PlanItem, sha1: str | None, *,
                         strict: bool = False) -> bool:
        """True when the card's manifest records a file of ours at ``item.dest`` of its size
        and of ``sha1`` (where both are known; ``strict``: the record's must be it), and the
        file there is still as written (its size and time)."""
        record = self.card_records().get(item.dest)
        if record is None or record.size != item.size:
            return False
        if strict and record.sha1 != sha1:
            return False
        if sha1 is not None and record.sha1 not in (None, sha1):
            return False
        try:
            return record.matches(os.lstat(self.plan.root / item.dest))
        except OSError:
            return False

    def card_records(self) -> dict[str, Owned]:
        """The card manifest's records by destination path, read once per plan."""
        self.volatile = True  # (reads the card's manifest: see __init__)
        if self._card_records is None:
            self._card_records = read_manifest(self.plan.root)[0]
        return self._card_records

    def _other_content_on_card(self, item: PlanItem) -> bool:
        """True when the card has a file at ``item.dest`` that is not ``item``'s content:
        one our records say holds other bytes, or one of the user's."""
        self.volatile = True  # (reads the card's files: see __init__)
        try:
            info = os.lstat(self.plan.root / item.dest)
        except OSError:
            return False
        record = self.card_records().get(item.dest)
        if record is None or record.sha1 is None:  # (the same size and first bytes: maybe
            # the same file, which the run keeps as it is: QA35 F15, the user's own GDI game)
            return info.st_size != item.size or not _same_start(
                self.plan.root / item.dest, item.source)
        return record.sha1 != item.sha1

    def _renamed_tracks(self, game: _Game) -> dict[str, str]:
        """The sheet's FILE names (as _cue_with_names reads them) that the scan found under
        another name (another case, Windows-1252 bytes), to the name it recorded. Read only
        where it can matter — a sheet rewritten anyway, a card that tells case apart, a track
        name beyond ASCII — not for every sheet of a plan (a library on a share)."""
        self.volatile = True  # (reads the card or the library: see __init__)
        try:
            written = sheet_file_names(Path(os_path(game.source)), self.sheet_text(game))
        except (ContainerError, OSError):
            return {}
        return {name: real for name, real in written.items() if name != real}

    def _flat_sheet(self, game: _Game, folder: str, parent: str, tracks: list[_Track],
                    sheet: PlanItem, renamed: dict[str, str] | None = None, *,
                    unique: bool = False) -> list[PlanItem] | None:
        """A .cue whose tracks are in a folder (``FILE "sub/x.bin"``, or ``tr\\x.bin`` with a
        Windows backslash) or named with characters the card cannot hold: its tracks go
        beside it under legal names, and the card gets the sheet with its ``FILE`` lines
        naming them (the library's sheet is never changed). Emulators on the card read a
        track beside its sheet; PCSX ReARMed looks nowhere else. None (the error recorded)
        when the sheet changed since the scan or two tracks would get one name.

        ``unique``: each track's name on the card starts with the sheet's (``Epic Set (USA)
        (Disc 2) - Track 01.bin``), for tracks whose own names another disc's have."""
        if not self.file_ok(sheet, game, stat_source=True):
            return None
        try:
            text = self.sheet_text(game)
        except ContainerError as exc:
            self.error("source-missing", f"{game.source}: {exc}", game, game.source)
            return None
        names: dict[str, str] = {}  # the track's path as the scan has it -> its name on the card
        taken: dict[str, str] = {}
        stem = PurePosixPath(game.filename).stem
        for track in tracks:
            own = track.name.rpartition("/")[2]
            source = f"{game.source.rpartition('/')[0]}/{track.name}"
            if "\\x" in own and os_path(source) != source:  # bytes that were not UTF-8
                own = card_name(own)  # (QA33 F17: `Pok\xe9.bin` on the card, as stored)
            try:
                name = legal_after(stem, own, self.fs) if unique else \
                    legal_component(own, self.fs)
            except InputError as exc:
                self.error("bad-name", f"{game.source}: track {track.name!r}: {exc}", game,
                           game.source)
                return None
            # (a quote: no FILE line names it, written quoted; QA112 F1 wrote `"Tr"ack.bin"`)
            name = name.replace('"', "'")
            key = collision_key(name, self.fs)
            if key in taken:
                self.error("bad-name", f"{game.source}: tracks {taken[key]!r} and "
                           f"{track.name!r} would both be {name!r} beside the sheet on the "
                           "card; not deployed", game, game.source)
                return None
            taken[key] = track.name
            names[track.name] = name
        names.update({name: names[real] for name, real in (renamed or {}).items()
                      if real in names})  # as the sheet writes them: another case, cp1252
        # (without a byte-order mark, which read_sheet drops: PCSX ReARMed would not see a
        # FILE line behind one)
        rewrite = _gdi_with_names if game.filename.lower().endswith(".gdi") else \
            _cue_with_names
        content = rewrite(text, names).encode("utf-8", "surrogateescape")
        items = [PlanItem(ROM, sheet.dest, len(content), game.platform_id, game.id,
                          content=content)]
        for track in tracks:
            item = self._track_item(game, folder, parent, track, names[track.name])
            if item is None:
                return None
            items.append(item)
        return items

    def real_path(self, path: str) -> str:
        """``path`` resolved, each folder once per plan (a library of discs on a network
        share: every track's folder and root would be resolved again)."""
        self.volatile = True  # (reads the card or the library: see __init__)
        found = self._real.get(path)
        if found is None:
            found = self._real[path] = os.path.realpath(os_path(path))
        return found

    def _track_item(self, game: _Game, folder: str, parent: str,
                    track: _Track, flat_name: str | None = None) -> PlanItem | None:
        self.volatile = True  # (reads the library: see __init__)
        source = os.path.join(parent, track.name)
        unread = self.unread_sheets.get((game.id, track.name))
        if unread is not None:
            self.error("track-refused", f"{game.source}: its disc {track.name!r} cannot be "
                       f"read for the tracks it names ({unread}); the game is not deployed",
                       game, game.source)
            return None
        refused = _track_refusal(game, track, source, self.real_path)
        if refused:
            self.error("track-refused", f"{game.source}: track {track.name!r} {refused}; the "
                       "game is not deployed", game, game.source)
            return None
        try:
            dest = flat_name or legal_path(track.name.split("/"), self.fs)
        except InputError as exc:
            self.error("bad-name", f"{game.source}: track {track.name!r}: {exc}", game, source)
            return None
        if flat_name is None and str(dest) != track.name:
            self.error("bad-name", f"{game.source}: track {track.name!r} is not a legal name "
                       f"on {self.fs.value} and renaming it would break the sheet", game, source)
            return None
        size, mtime_ns = track.size, track.mtime_ns
        if size is None:  # a playlist's entry: never hashed, so sized now
            try:
                info = os.lstat(os_path(source))
            except OSError:
                self.error("source-missing", f"{source}: missing (listed by {game.source})",
                           game, source)
                return None
            if not stat.S_ISREG(info.st_mode):
                self.error("track-refused", f"{game.source}: {track.name!r} is not a regular "
                           "file (a link, a device, a pipe); the game is not deployed", game,
                           game.source)
                return None
            # (and its time taken: a copy on the card is then compared with it, not by its
            # size alone — review47b F1: a hidden disc's track changed at its size stayed)
            size, mtime_ns = info.st_size, mtime_ns or info.st_mtime_ns
        return PlanItem(ROM, f"{folder}/{dest}", size, game.platform_id, game.id, source,
                        mtime_ns, track.sha1)

    def file_ok(self, item: PlanItem, game: _Game | None, *, stat_source: bool = False
                ) -> bool:
        """True when ``item`` fits the card's file system and, with ``stat_source``, its
        source is as the scan saw it; otherwise the error is recorded.

        Without ``stat_source`` (a game of one file, a BIOS file) the source is not looked at
        here, only whether its library root is reachable (once per root): the deploy checks
        it only when it copies the file (a card already holding the library's content needs
        no source: a re-deploy does not read the library's files). The
        files of a disc and of a set are checked now, so that one changed file leaves the
        whole game out (a sheet, a playlist never names a file left off the card)."""
        limit = self.limit
        if limit is not None and item.size > limit:
            self.error("too-large", f"{item.source or item.dest}: {item.size:,} bytes is over "
                       f"{self.fs.value}'s 4 GiB file limit ({_too_large_remedy(item.dest)})",
                       game, item.source, item.platform_id)
            return False
        if not item.source:
            return True
        if game is not None and not self.root_reachable(game.root):
            # (an unmounted share: left out, its copies on the card held — see hold; not
            # "missing since the scan": its root is away, QA22 P3, a disc's too, QA25)
            self.error("source-missing", f"{item.source}: not reachable (its library "
                       f"root {game.root} is not mounted?)", game, item.source,
                       item.platform_id)
            return False
        if not stat_source:
            return True
        self.volatile = True  # the plan depends on the source's state: not kept
        item.checked = True
        problem = source_problem(item)
        if problem is not None:
            code, message = problem
            self.error(code, message, game, item.source, item.platform_id)
            return False
        return True

    def claim(self, items: list[PlanItem], game: _Game | None) -> bool:
        """Take the destinations of ``items`` (all or none); False, with the collision
        recorded, when one is already taken. A file of a game's (not its first) that the
        plan copies there already, as it is, is that file: taken out of ``items``, not a
        collision (review47b F3: a playlist naming the library's disc beside it was left
        out, "already taken by" the very same file)."""
        if game is not None and self.library_files and _a_playlist(game) \
                and not self._with_its_library_discs(items, game):
            return False
        keys = [collision_key(item.dest, self.fs) for item in items]
        shared: set[int] = set()
        for index, (item, key) in enumerate(zip(items, keys, strict=True)):
            other = self.taken.get(key)
            if other is None:
                continue
            if index and (self._planned_as_it_is(item, other) or (
                    game is not None and _a_playlist(game)
                    and self._same_file_placed_at(item))):
                shared.add(index)
                continue
            if index and game is not None and _a_playlist(game):
                self._playlist_collides(items, index, other, game)
            else:
                self._collides(item, other, game)
            return False
        if shared:
            items[:] = [item for index, item in enumerate(items) if index not in shared]
            keys = [key for index, key in enumerate(keys) if index not in shared]
        for item, key in zip(items, keys, strict=True):
            self.taken[key] = self._origin(item, game)
        return True

    def _with_its_library_discs(self, items: list[PlanItem], game: _Game) -> bool:
        """True when every file of the playlist ``game`` that is a disc of the library (its
        sheet, its tracks) is placed by that disc's own game; False, said, where the plan
        left that game out — the playlist goes with it (review49b F1: an excluded disc, or
        one changed since the scan, went on the card as the playlist's file). A disc left
        out as a copy of another (the same sheet and tracks: see _leave_out_disc_copies)
        whose kept copy the plan puts at the very place the playlist names is that disc:
        its files are taken out of ``items`` (review49b F4: an identical copy of the disc in
        another library root left the playlist out)."""
        if self.placed_games is None:  # (the games claim before the playlists)
            self.placed_games = {item.game_id for item in self.plan.items}
        copies = dict(self.plan.copies)  # (a disc left out -> the copy that goes)
        at_copies = {index for index, item in enumerate(items) if index and (
            disc := self.library_files.get(item.source)) is not None
            and disc not in self.placed_games and copies.get(disc) in self.placed_games
            and self._copy_placed_at(item, copies[disc])}
        if at_copies:
            items[:] = [item for index, item in enumerate(items) if index not in at_copies]
        apart = next((item.source for item in items[1:] if item.source in self.library_files
                      and self.library_files[item.source] not in self.placed_games), None)
        if apart is None:
            return True
        # (an override of a disc no selection took has no warning of its own: review49g F5)
        why = (f"an override excludes that game, id {self.library_files[apart]}: "
               "`romrunner override ls` shows it"
               if self.library_files[apart] in self.library_excluded else "the warnings say why")
        self.error("track-refused", f"{game.source}: it names {apart}, a file of a game of the "
                   f"library this deploy leaves out ({why}); the playlist is not deployed",
                   game, game.source)
        if self.library_files[apart] in self.library_kept:
            # (a disc the plan places but could not now — changed since the scan: the card's
            # copies kept, none pruned, review49f F2; not one an override or another revision
            # leaves out for good, which a prune then removes: review49g F2)
            for item in items:
                self.hold(item.dest, game)
        return False

    def _same_file_placed_at(self, item: PlanItem) -> bool:
        """True when another game the plan places copies a file of ``item``'s name, size and
        SHA1 to ``item``'s destination: the card gets that very file there (the auto-list
        kept an identical copy of the disc from another library root, leaving this one out
        as another version: review51f F1, the playlist was left out, and --prune removed it
        and its hidden disc 2 from the card)."""
        if item.sha1 is None:
            return False
        name = item.source.rpartition("/")[2]
        return any(planned.dest == item.dest and planned.content is None
                   and planned.sha1 == item.sha1 and planned.size == item.size
                   and planned.game_id is not None
                   and planned.source.rpartition("/")[2] == name
                   for planned in self.plan.items)

    def _copy_placed_at(self, item: PlanItem, copy: int) -> bool:
        """True when the game ``copy`` has a file the plan copies, as it is, to ``item``'s
        destination, of ``item``'s name (a copy's sheet and tracks are of the same names and
        content as its disc's)."""
        name = item.source.rpartition("/")[2]
        return any(planned.game_id == copy and planned.dest == item.dest
                   and planned.content is None and bool(planned.source)
                   and planned.source.rpartition("/")[2] == name
                   for planned in self.plan.items)

    def _planned_as_it_is(self, item: PlanItem, other: str) -> bool:
        """True when the plan copies ``item``'s source, as it is, to its destination already
        (``other``: what took it)."""
        return bool(item.source) and item.content is None and other == item.source and any(
            planned.dest == item.dest and planned.source == item.source
            and planned.content is None for planned in self.plan.items)

    @staticmethod
    def _origin(item: PlanItem, game: _Game | None) -> str:
        """What ``item`` is said to be in a collision: its source, or for a sheet the deploy
        rewrites, the library's sheet (the card path would name neither side)."""
        if item.source:
            return item.source
        return game.source if game is not None and item.kind == ROM else item.dest

    def _collides(self, item: PlanItem, other: str, game: _Game | None) -> None:
        """Leave ``item`` out: its destination is taken by ``other``."""
        self.error("collision", f"{self._origin(item, game)}: would land on {item.dest}, "
                   f"already taken by {other}{_why_one_name(self._origin(item, game), other)}"
                   "; left out", game, item.source, item.platform_id)

    def _playlist_collides(self, items: list[PlanItem], index: int, other: str,
                           game: _Game) -> None:
        """Leave the library playlist ``game`` out: the destination of a file it names,
        ``items[index]``, is taken by ``other`` (another game's file: another dump of its
        disc under the same names, from another root), said of the playlist, not of that
        file alone (review51i F1). What becomes of its copies on the card is decided once
        every game and set has claimed its paths (see :func:`_hold_playlists_collided`)."""
        item = items[index]
        origin = self._origin(item, game)
        self.error("collision", f"{game.source}: it names {origin}, which would land on "
                   f"{item.dest}, already taken by {other}{_why_one_name(origin, other)}; the "
                   "playlist is not deployed", game, game.source, item.platform_id)
        self.playlists_collided.append(items[0].dest)

    def add_set(self, set_key: str, discs: list[tuple[_Game, str]], known: int) -> None:
        """A multi-disc set: warn when discs are missing; write its .m3u where the OS wants.
        Its title is its first disc's, as its .m3u's name (not the first placed: the discs
        come in the order of their ids, which a scan gives in any order: QA20 P3)."""
        first = min((game for game, _ in discs), key=lambda g: (g.disc or 0, g.id))
        title = _set_title(self.set_firsts.get(set_key, first), set_key)
        if len(discs) < known:
            self.plan.warnings.append(PlanIssue(
                "incomplete-set", f"{title}: {len(discs)} of {known} discs could be placed "
                "(the other warnings and errors say why)", first.platform_id, first.id))
        held = self._held_discs(set_key, discs[0][1])
        self._warn_disc_gaps(title, first, [game for game, _ in discs], held)
        if not self.layout.wants_m3u(first.platform_id):
            return
        kind = self.layout.multi_disc_layout(first.platform_id)
        apart = kind != "flat" and set_key in self.set_firsts
        if len(discs) < 2 and not apart:  # (apart: the discs are in a folder the frontend
            return  # does not list; even one disc placed needs the .m3u to be seen)
        folder = PurePosixPath(discs[0][1]).parent
        if kind == "hidden" and apart:
            folder = folder.parent  # the .m3u beside the hidden folder
        placed_discs = {game.disc for game, _ in discs if game.disc}
        placed_dests = {dest for _, dest in discs}
        listed = [*_one_per_disc(discs),  # a disc once, placed first
                  *((game, dest) for game, dest in held
                    if PurePosixPath(dest).is_relative_to(folder)
                    and dest not in placed_dests and game.disc not in placed_discs)]
        ordered = sorted(listed, key=lambda pair: (pair[0].disc or 0, pair[1]))
        lines = [m3u_line(PurePosixPath(dest).relative_to(folder).as_posix())
                 for _, dest in ordered]
        content = "".join(f"{line}\n" for line in lines).encode()
        name = self.m3u_name(self.set_firsts.get(set_key, first), set_key)
        if any("|" in line for line in lines):
            self.plan.warnings.append(PlanIssue(
                "playlist-label-mark", f"{title}: a disc's name holds '|', which RetroArch's "
                "playlist reader takes for the end of the file's name (what follows it: a "
                f"label), so its {name} may name a file that is not there: rename the set's "
                "files in the library without '|' (a card formatted FAT32 or exFAT gets them "
                "with '_')", first.platform_id, first.id))
        item = PlanItem(PLAYLIST, str(folder / name), len(content), first.platform_id,
                        first.id, content=content)
        if self.claim([item], first):
            self.plan.items.append(item)


    def _held_discs(self, set_key: str, placed: str) -> list[tuple[_Game, str]]:
        """The set's discs missing from the library whose copy an earlier deploy left on the
        card (its sheet beside the placed discs, or in the platform folder), with where: the
        copy is kept (held), so the set's .m3u still lists it."""
        self.volatile = True  # (reads the card or the library: see __init__)
        found: list[tuple[_Game, str]] = []
        candidates = {g.id: g for g in [*self.missing_discs.get(set_key, []),
                                        *self.held_set_discs.get(set_key, [])]}
        for game in candidates.values():
            try:
                name = legal_component(game.filename, self.fs)
            except InputError:
                continue
            folder = self.folder(game.platform_id) or ""
            places = dict.fromkeys((PurePosixPath(placed).parent.as_posix(), folder))
            dest = next((f"{place}/{name}" for place in places
                         if os.path.lexists(self.plan.root / place / name)), None)
            if dest is not None:
                found.append((game, dest))
        return found

    def _warn_disc_gaps(self, title: str, first: _Game, placed: list[_Game],
                        held: list[tuple[_Game, str]]) -> None:
        """Say which discs of a set the card will not have: missing from the library since
        the last scan (kept on the card if a copy is there), or never in it (a gap in the
        disc numbers: discs 1 and 3; or fewer than the names' "Disc 1 of 3" say)."""
        missing = self.missing_discs.get(first.set_key or "", [])
        kept = {game.id for game, _ in held}
        for game in missing:
            where = "its copy on the card is kept and the .m3u still lists it" \
                if game.id in kept else "the card will not have it"
            self.plan.warnings.append(PlanIssue(
                "set-disc-missing", f"{title}: disc {game.disc or '?'} ({game.filename}) is "
                f"missing from the library since the last scan: {where}", first.platform_id,
                game.id))
        numbers = {g.disc for g in [*placed, *missing, *self.held_set_discs.get(
            first.set_key or "", [])] if g.disc}
        # (up to the total the names give, "Disc 1 of 2": QA40 F3, a set short of its last
        # disc went on the card without a word)
        total = max((parse_filename(g.filename).disc_total or 0 for g in placed), default=0)
        if first.set_key in self.short_sets:  # (a catalog lists the next disc: QA161 F7)
            total = max(total, max(numbers, default=0) + 1)
        gaps = sorted(set(range(1, max(*numbers, total, 0) + 1)) - numbers)
        apart = sorted((g for g in self.releases.get(release_of_set(first.set_key or ""), [])
                        if g.set_key != first.set_key and g.disc in gaps),
                       key=lambda g: (g.disc or 0, g.filename))
        for game in apart:  # (QA18 M1: "disc 1 is not in the library", deployed that run)
            self.plan.warnings.append(PlanIssue(
                "set-disc-gap", f"{title}: disc {game.disc} goes on the card apart, as "
                f"another release's ({game.filename}: its name tells another edition), not "
                "with this set's discs: the game may not be finished on the device",
                first.platform_id, first.id))
        gaps = [n for n in gaps if n not in {g.disc for g in apart}]
        if gaps:
            shown = ", ".join(str(n) for n in gaps)
            self.plan.warnings.append(PlanIssue(
                "set-disc-gap", f"{title}: disc{'s' if len(gaps) > 1 else ''} {shown} "
                f"{'are' if len(gaps) > 1 else 'is'} not in the library, or not known as "
                f"{'its discs' if len(gaps) > 1 else 'its disc'} (disc"
                f"{'s' if len(numbers) > 1 else ''} "
                f"{', '.join(str(n) for n in sorted(numbers))} "
                f"{'are' if len(numbers) > 1 else 'is'}): the game may not be "
                "finished on the device", first.platform_id, first.id))


def _one_revision_per_disc(db: Database, games: dict[int, _Game], builder: _Builder) -> None:
    """Of two chosen revisions of one disc of one set, the latest goes on the card, the
    other left out, said in one warning: a set's playlist lists each disc once, and the
    other, in the set's folder, was reached by nothing (QA40 F5). So for one revision in
    two formats in one root (a .chd beside the cue/bin: QA41 F3), the set's most common
    format kept. Of two copies of a set whose names' tags are alike, in one root or two, one
    goes (see _other_copy_of); the same file names in two roots are the copies' rules' (see
    _leave_out_disc_copies). Of two dumps of one revision, the better goes (see
    :func:`_dump_rank`: QA104 F1, a ``[b]`` disc 1 went and named the playlist, a
    ``[fixed]`` disc 2 added later was never listed). Of copies of one content, the card's
    stays whatever the names say (see :func:`_the_cards_copy`)."""
    by_disc: dict[tuple[str, int], list[_Game]] = defaultdict(list)
    formats: dict[str, Counter[str]] = defaultdict(Counter)
    for game in games.values():
        if game.set_key and game.disc is not None:
            by_disc[(game.set_key, game.disc)].append(game)
            formats[game.set_key][_format(game)] += 1
    left: list[str] = []
    sets_left: set[str] = set()
    copy_of = _fullest_copies(by_disc, builder)  # a set -> its copy with the most discs
    for (set_key, _), discs in sorted(by_disc.items()):
        if len(discs) < 2:
            continue
        kept = discs[0]
        for game in discs[1:]:
            if _preferred_disc(game, kept):
                kept = game
        latest, best = _revision(kept), _dump_rank(kept)
        same = [game for game in discs if _revision(game) == latest
                and _dump_rank(game) == best and game.root_id == kept.root_id]
        if len({_format(game) for game in same}) > 1:
            kept = min(same, key=lambda g: (-formats[set_key][_format(g)], g.id))
        # (of two dumps whose names' tags are alike, one goes: QA162 F6, "Game Inc." and
        # "Game Inc", one set, the second's discs invisible beside the first's in the set's
        # folder, unsaid — on every layout: QA186, where the discs go flat beside the .m3u
        # the second copy's were each listed as a game of its own, in no playlist — each
        # disc from the copy with the most discs: QA165 F1, review 36b F1, one playlist of
        # both copies' discs)
        # — in one library root or two (review40b F3: a copy in each of two scanned folders
        # both went on the card, the flat layout listing the second's discs as games of
        # their own; a disc of the very name in another root is the copies' rules', the same
        # path on the card: see _leave_out_disc_copies)
        alike = [game for game in discs if _revision(game) == latest
                 and _dump_rank(game) == best and _other_copy_of(game, kept)]
        roots = {kept.root_id}  # (where the set's format was chosen, and the copy kept)
        kept = next((game for game in [kept, *alike] if _copy_name(game) == copy_of.get(set_key)),
                    kept)
        kept, twins = _the_cards_copy(db, kept, discs, builder)
        roots.add(kept.root_id)
        for game in discs:
            if game is not kept and (_revision(game) != latest or _dump_rank(game) != best or (
                    game.root_id in roots and _format(game) != _format(kept))
                    or _other_copy_of(game, kept) or game in twins):
                del games[game.id]
                left.append(f"{game.filename} (disc {game.disc}: {kept.filename} goes)")
                sets_left.add(set_key)
    if left:
        of = "a set" if len(sets_left) == 1 else counted(len(sets_left), "set")
        builder.plan.warnings.append(PlanIssue(
            "disc-revision-left-out", f"{counted(len(left), 'disc')} of {of} chosen twice "
            f"left out ({examples(sorted(left), sep='; ')}): a set's playlist lists each disc "
            "once, its latest revision and best dump (verified, fixed, plain, alternate, "
            "altered, bad) in the set's format"))


# Disc images stored compressed already: no smaller form of one is to be made (QA186: a
# .chd over FAT32's limit was advised "a CHD of it").
_COMPRESSED_IMAGES = frozenset({".chd", ".rvz", ".wia", ".gcz", ".cso", ".zso", ".pbp"})
# Archives (the scan's, and those a library may hold as they are).
_ARCHIVE_FILES = frozenset({".zip", ".7z", ".rar"})


def _too_large_remedy(dest: str) -> str:
    """What to do with a file over FAT32's 4 GiB limit, by its type: a card formatted exFAT
    holds any; a raw disc image may go as a CHD or a split image; a compressed image or an
    archive has no smaller form (the archive's content unpacked is larger still)."""
    suffix = PurePosixPath(dest.casefold()).suffix
    if suffix in _COMPRESSED_IMAGES:
        return "exFAT holds it; it is a compressed image already, so no smaller form of it fits"
    if suffix in _ARCHIVE_FILES:
        return ("exFAT holds it; or the game unpacked from it, where each of its files is "
                "under 4 GiB")
    return "exFAT holds it; or a CHD of it, or a split image, where its emulator reads one"


def m3u_line(path: str) -> str:
    """A .m3u's line naming the disc at ``path`` (relative to the .m3u), read as a path by
    every player: one starting with ``#`` is a comment to them, leading spaces are trimmed
    (RetroArch's reader, the cores'), so such a name is written ``./#1 Racer (USA) (Disc
    1).cue`` — a relative path each of them joins to the .m3u's folder as any other."""
    return f"./{path}" if path[:1] == "#" or path[:1].isspace() else path


def _fullest_copies(by_disc: Mapping[tuple[str, int], list[_Game]],
                    builder: _Builder) -> dict[str, str]:
    """Per set, the copy (see _copy_name) that has the most of its discs that can go — on a
    library root that is there now, unchanged since the scan, or already on the card — then
    the most of them already on the card, then the most discs; of two as full, the one
    holding the lower id (a copy on a root that is away went, nothing did, and --prune
    removed the card's copy)."""
    discs: dict[str, dict[str, set[int]]] = defaultdict(lambda: defaultdict(set))
    usable: dict[str, dict[str, set[int]]] = defaultdict(lambda: defaultdict(set))
    on_card: dict[str, dict[str, set[int]]] = defaultdict(lambda: defaultdict(set))
    first: dict[tuple[str, str], int] = {}
    for (set_key, disc), games in by_disc.items():
        for game in games:
            name = _copy_name(game)
            discs[set_key][name].add(disc)
            first[(set_key, name)] = min(first.get((set_key, name), game.id), game.id)
    for (set_key, disc), games in by_disc.items():
        if len(discs[set_key]) < 2:  # (one copy: nothing to weigh, nothing read)
            continue
        builder.volatile = True  # (the card's files and the sources decide: not kept)
        for game in games:
            if builder.root_reachable(game.root) and _source_as_scanned(game):
                usable[set_key][_copy_name(game)].add(disc)
            if builder.on_card(game):
                on_card[set_key][_copy_name(game)].add(disc)
    # (a disc on the card stays there, held while its root is away: it counts as one that
    # can go — review41c F1, a lesser copy in a root there replaced the card's whole set)
    return {set_key: max(copies, key=lambda name: (
        len(usable[set_key][name] | on_card[set_key][name]), len(on_card[set_key][name]),
        len(copies[name]), -first[(set_key, name)])) for set_key, copies in discs.items()}


def _the_cards_copy(db: Database, kept: _Game, discs: list[_Game], builder: _Builder
                    ) -> tuple[_Game, list[_Game]]:
    """Of ``discs`` (one disc of one set, chosen twice), the one to keep instead of ``kept``
    where the card holds a copy of ``kept``'s content (the same bytes; of a sheet, the same
    tracks' SHA1s, whatever their names) and ``kept`` is not there, and the copies of that
    content besides it (review48e F4: an added "[!]" copy of the card's cue/bin set, its
    sheets naming renamed tracks, replaced the card's whole set)."""
    if builder.on_card(kept):
        return kept, []
    held = [game for game in discs if game is not kept and builder.on_card(game)]
    if not held:
        return kept, []
    contents = _contents(db, discs)
    content = contents.get(kept.id)
    card_copy = next((game for game in held if content is not None
                      and contents.get(game.id) == content), None)
    if card_copy is None:
        return kept, []
    return card_copy, [game for game in discs
                       if game is not card_copy and contents.get(game.id) == content]


def _contents(db: Database, games: list[_Game]) -> dict[int, tuple[str, ...]]:
    """What copies of one disc share, by game id, as the auto-list compares them (see
    ``_GAMES_SQL`` there): the catalog game its hashes (a sheet's, its tracks') matched —
    a first scan with a catalog may know a file by its CRC32 alone —, else a sheet's
    tracks' SHA1s in its order where every one is known, else the file's SHA1; none where
    nothing is known."""
    matched = {int(row[0]): str(row[1]) for row in db.query(
        "SELECT id, matched_game_id FROM games WHERE id IN (SELECT value FROM json_each(?)) "
        "AND match_method IN ('sha1', 'md5', 'crc32', 'tracks') "
        "AND matched_game_id IS NOT NULL", (json.dumps([game.id for game in games]),))}
    sheets = [game.id for game in games if game.sheet and game.id not in matched]
    tracks = _load_tracks(db, sheets) if sheets else {}
    found: dict[int, tuple[str, ...]] = {}
    for game in games:
        if game.id in matched:
            found[game.id] = ("catalog", matched[game.id])
        elif not game.sheet:
            if game.sha1:
                found[game.id] = ("sha1", game.sha1)
        elif all(hashes := tuple(track.sha1 or "" for track in tracks.get(game.id, []))) \
                and hashes:
            found[game.id] = ("tracks", *hashes)
    return found


def _other_copy_of(game: _Game, kept: _Game) -> bool:
    """True when ``game`` is a disc of another copy of ``kept``'s set, as
    :func:`_one_revision_per_disc` leaves one out: the same format, names whose tags are
    alike (`Game Inc.` and `Game Inc`), in ``kept``'s library root or, under another name,
    in another."""
    return game is not kept and _format(game) == _format(kept) \
        and (game.root_id == kept.root_id or game.filename != kept.filename) \
        and tags_of_file(game.filename) == tags_of_file(kept.filename)


def _copy_name(game: _Game) -> str:
    """The name a disc shares with the other discs of its copy of a set: its file's, without
    its extension and disc tags (``Game Inc.`` of ``Game Inc. (Disc 2).cue``)."""
    return without_disc_tags(game.filename.rpartition(".")[0] or game.filename)


def _format(game: _Game) -> str:
    """A disc's format: its file's lowercase extension."""
    return game.filename.rpartition(".")[2].lower()


def _one_per_disc(discs: list[tuple[_Game, str]]) -> list[tuple[_Game, str]]:
    """The discs a set's playlist lists: one per disc number, the latest revision of two
    chosen (a query choosing both revisions of disc 2: the .m3u listed disc 2 twice, the
    frontend's "next disc" loading the same disc: review 19 R8)."""
    best: dict[object, tuple[_Game, str]] = {}
    for game, dest in discs:
        number: object = game.disc if game.disc is not None else f"id:{game.id}"
        if number not in best or _preferred_disc(game, best[number][0]):
            best[number] = (game, dest)
    return list(best.values())


def _preferred_disc(game: _Game, other: _Game) -> bool:
    """True when ``game``'s name says a later revision than ``other``'s (as the auto-list
    ranks them: :func:`revision_rank`), then a better dump (:func:`_dump_rank`), then by
    the lower id."""
    return (revision_rank(_revision(game)), _dump_rank(game), -game.id) > (
        revision_rank(_revision(other)), _dump_rank(other), -other.id)


_LESSER_DUMPS = frozenset({"overdump", "trainer", "pirate", "cracked", "hack"})


def _dump_rank(game: _Game) -> int:
    """How good a dump a disc's name says it is, the better the higher: verified ``[!]``,
    fixed (``[f]``, ``[fixed]``), a plain name, an alternate (``[a]``, ``(Alt)``), one
    altered (``[o]``, ``[t]``, ``[p]``, ``[cr]``, ``[h]``), a bad dump ``[b]``."""
    parsed = tags_of_file(game.filename)  # (read once per distinct tags: a set's discs)
    flags = set(parsed.flags)
    if "bad_dump" in flags:
        return 0
    if flags & _LESSER_DUMPS:
        return 1
    if "alternate" in flags:
        return 2
    if "verified" in flags:
        return 5
    if "fixed" in flags or any(tag.lower() == "[fixed]" for tag in parsed.other_tags):
        return 4
    return 3


def _revision(game: _Game) -> str | None:
    """The revision a game's file name gives."""
    return parse_filename(game.filename).revision


def source_problem(item: PlanItem) -> tuple[str, str] | None:
    """Why ``item``'s source cannot be copied as the scan saw it — ``("source-missing",
    message)`` or ``("source-changed", message)`` — or None when it is there with the size
    and modification time the scan recorded."""
    try:
        info = os.stat(os_path(item.source))
    except OSError:
        return "source-missing", f"{item.source}: missing since the scan"
    if info.st_size != item.size or (item.source_mtime_ns is not None
                                     and info.st_mtime_ns != item.source_mtime_ns):
        return "source-changed", changed_since_the_scan(item.source)
    return None


def changed_since_the_scan(source: str) -> str:
    """The words of a source no longer as the scan saw it, by the plan and the run alike: in
    a resume the scan is the one the deployment was planned from (QA42 F8: "rescan it" was
    said again after each rescan). A resume takes a rescan's record of a source of the same
    content, and the run says so of a source of the planned size (see ``_changed_since`` in
    :mod:`romrunner.deploy.execute`)."""
    now = beyond_a_rescan(source)
    if now is not None:  # (qa184 F3: "rescan it" again after every rescan that could not)
        return f"{source}: changed since the scan, {now}"
    return (f"{source}: changed since the scan (rescan it; a deployment planned before "
            "takes it as it is now only in a new `romrunner deploy`)")


def beyond_a_rescan(source: str) -> str | None:
    """What a source changed since the scan is now when no rescan can store it — empty, or a
    zip no longer readable (corrupt, cut short) — with the way on; None otherwise. Asked of
    changed sources only."""
    path = os_path(source)
    try:
        if not os.stat(path).st_size:
            return "and empty now (emptied by accident? restore it from a backup)"
        if source.lower().endswith(".zip") and not zipfile.is_zipfile(path):
            return ("and no longer a zip that can be read (still being copied? corrupt or cut "
                    "short: restore it from a backup; a rescan cannot store it)")
    except OSError:
        return None
    return None


def _why_one_name(one: str, other: str) -> str:
    """Why two files' names are one on the card, when they do not look it (QA13: two names
    shown alike, one in another Unicode form): " (…)", or "" when it shows."""
    a, b = one.rpartition("/")[2], other.rpartition("/")[2]
    if a == b:
        return ""
    if unicodedata.normalize("NFC", a) == unicodedata.normalize("NFC", b):
        return " (the same name in another Unicode form: é written as one character or two)"
    if fold_case(a) == fold_case(b):
        return " (the same name but for letter case, which the card does not tell apart)"
    return " (the card's naming rules make both names this one)"


def _track_refusal(game: _Game, track: _Track, source: str,
                   real_path: Callable[[str], str]) -> str | None:
    """Why a file a disc sheet or playlist names may not go on the card, or None: only what
    the scan would read — a file inside the game's library root, and for a sheet's track one
    the scan read (not a link, a device, a pipe; the scan said why it did not). A name
    through ``..`` or an absolute one that stays in the root is refused as such, not said to
    be outside it (review47b F6)."""
    if not is_inside(real_path(os.path.dirname(source)), real_path(game.root)):
        return "is outside the library root"
    if is_unsafe_member_name(track.name):
        return ("is named through a folder above its sheet's (`..`) or by an absolute path, "
                "which a deploy does not follow: put the file in the sheet's folder or below "
                "it, and name it from there")
    if track.size is None and not game.filename.lower().endswith(".m3u"):
        return f"was not read by the scan: {_why_unread(source)}"
    return None


def _why_unread(path: str) -> str:
    """Why the scan did not read the file at ``path`` as it is now (QA50 F8: the warning
    sent the user to `games show`, which did not say)."""
    try:
        info = os.lstat(path)
    except FileNotFoundError:
        return "it is missing (put it back beside its sheet, then rescan)"
    except OSError as exc:
        return f"it cannot be read ({exc.strerror or exc})"
    if stat.S_ISLNK(info.st_mode):
        return "it is a symbolic link (a scan reads no link: put the file itself there)"
    if not stat.S_ISREG(info.st_mode):
        return "it is not a regular file (a folder, a device or a pipe)"
    if not info.st_size:
        return "it is empty (emptied by accident? put the file back, then rescan)"
    return "it is there now (rescan)"


def _a_playlist(game: _Game) -> bool:
    """True for a playlist of the library (an ``.m3u``)."""
    return game.filename.lower().endswith(".m3u")


def _set_title(first: _Game, set_key: str) -> str:
    """A disc set's title, from its first disc (see :func:`set_title`)."""
    return set_title(first.filename, first.catalog_name, set_key)


def _warn_unlisted_extensions(builder: _Builder, added: list[_Game],
                              pack: DefinitionPack) -> None:
    """Say, per platform, the chosen files whose extension the platform does not list and
    another does (an SNES game's copy named ``.nes``, a ``.gg`` file a catalog identified as
    a GBA game: its emulator does not open it, and the frontend may not list it: QA80 F1,
    deployed without a word). An extension no platform lists is not said (a pack's lists are
    not complete); archives are left to the archive checks."""
    unlisted: dict[str, list[str]] = defaultdict(list)
    accepted: dict[str, frozenset[str]] = {}
    others: set[str] | None = None
    for game in added:
        name = game.filename.lower()
        if "." not in name or name.endswith((".zip", ".7z")) \
                or name.rpartition(".")[2] in _SHEETS:  # (any disc platform's: review 79 F3)
            continue
        if game.platform_id not in accepted:
            platform = pack.platforms.get(game.platform_id)
            accepted[game.platform_id] = frozenset(
                ext.lower() for ext in (platform.extensions if platform else ()))
        known, extension = accepted[game.platform_id], f".{name.rpartition('.')[2]}"
        if not known or extension in known:
            continue
        if others is None:
            others = {ext.lower() for platform in pack.platforms.values()
                      for ext in platform.extensions}
        if extension in others:
            unlisted[game.platform_id].append(game.filename)
    for platform_id, names in sorted(unlisted.items()):
        one = len(names) == 1
        builder.plan.warnings.append(PlanIssue(
            "unlisted-extension", f"{platform_id}: {counted(len(names), 'chosen file')} with "
            f"an extension its emulators do not list ({examples(sorted(names))}): deployed as "
            f"{'it is' if one else 'they are'}, the frontend may not list "
            f"{'it' if one else 'them'} (a copy misnamed, or filed under the wrong platform? "
            "`romrunner games set-platform` moves a game)", platform_id))


def _platforms_of(db: Database, game_ids: set[int]) -> set[str]:
    if not game_ids:
        return set()
    return {str(row[0]) for row in db.query(
        "SELECT DISTINCT platform_id FROM games WHERE id IN (SELECT value FROM json_each(?))",
        (json.dumps(sorted(game_ids)),))} - {UNKNOWN}


def _add_bios(db: Database, pack: DefinitionPack, profile_id: int | None,
              platforms: list[str], builder: _Builder, said: set[str] | None = None) -> None:
    """The verified BIOS files the platforms need, to each platform's BIOS folder; what is
    missing or unverified is said of the platforms ``said`` (default: all) — those of the
    games this deploy writes, not of those whose card copies it only keeps (QA141 F11: a
    GBC deploy warned of the Lynx BIOS of a library root away)."""
    report = check_bios(db, pack, platforms=platforms, profile=profile_id,
                        outside=os.path.realpath(builder.plan.root))
    wanted: list[tuple[str, str, dict[str, Any]]] = []
    on_card: dict[str, str] | None = None  # SHA1 -> a file of ours on the card (read once)
    for group in report.groups:
        entries = {entry.id: entry for entry in group.entries}
        yours = _unverified_dumps(group.problems, verified_at_scan(db, [
            str(row["filepath"]) for row in group.problems])) if not group.present and \
            group.problems else ""
        shown = said is None or group.platform_id in said  # (see above)
        if shown and group.required and group.status in (BLOCKING, HLE) and not group.present:
            known = sorted({e.filename for e in group.entries})
            names = ", ".join(known[:3]) + ("" if len(known) <= 3 else
                                            f"… ({len(known):,} names the pack knows)")
            how = "runs with HLE, less accurately" if group.status == HLE else "will not run"
            if on_card is None:
                on_card = {owned.sha1: dest for dest, owned in
                           read_manifest(builder.plan.root)[0].items() if owned.sha1}
            kept = sorted({on_card[known.sha1] for entry in group.entries
                           for known in entry.known_hashes if known.sha1 in on_card})
            if kept:  # (QA147 F5: "will not run" beside the note that kept the card's copy)
                # (a plan that says so is the card's: not kept. One that finds none stays
                # true until a deploy of a library copy, which a BIOS scan made first)
                builder.volatile = True
                read_from = _bios_folders_of(builder, group)
                there = [dest for dest in kept
                         if str(PurePosixPath(dest).parent).casefold() in read_from]
                how = (f"the card's {examples(kept)}, a good dump when ROM Runner wrote it, "
                       "is kept: the games run as long as it stays there") if there else (
                       f"the card keeps a good dump ROM Runner wrote, {examples(kept)}, but "
                       f"in a folder {builder.layout.os_id} does not read it from now: move "
                       f"it to {' or '.join(sorted(read_from))}")
            which = names if len(known) == 1 else f"one of {names}"  # (qa196 F5)
            after = f"; {yours}" if yours else "" if kept else (
                "; `romrunner bios scan FOLDER` verifies the BIOS files you have")
            builder.plan.warnings.append(PlanIssue(
                "missing-bios", f"{group.platform_id}: no verified BIOS in the library for "
                f"{which} ({how}){after}", group.platform_id))
        elif shown and yours:
            builder.plan.warnings.append(PlanIssue(
                "unverified-bios", f"{group.platform_id}: {yours}", group.platform_id))
        for present in group.present:
            entry = entries[present["entry"]]
            parts = [*(group.folder_of(entry) or "").split("/"), *entry.filename.split("/")]
            folder = builder.layout.bios_folder(group.platform_id).path
            builder.plan.layout_folders.add(str(folder))
            try:
                dest = folder / legal_path([p for p in parts if p], builder.fs)
            except InputError as exc:
                builder.error("bad-name", f"{present['filepath']}: {exc}",
                              platform_id=group.platform_id)
                continue
            wanted.append((group.platform_id, str(dest), present))
            if builder.plan.android:
                _note_bios_reader(builder.plan, pack, group, str(folder), str(dest.parent))
    mtimes = _bios_mtimes(db, [present["filepath"] for _, _, present in wanted])
    seen: set[str] = set()
    for platform_id, dest_path, present in wanted:
        key = collision_key(dest_path, builder.fs)
        if key in seen:
            continue  # the same file satisfies several groups
        seen.add(key)
        item = PlanItem(BIOS, dest_path, int(present["file_size"]), platform_id, None,
                        present["filepath"], mtimes.get(present["filepath"]),
                        present["file_sha1"])
        if builder.file_ok(item, None) and builder.claim([item], None):
            builder.plan.items.append(item)
    builder.plan.held_sha1s.update(unverified_bios_sha1s(db, pack))
    # The card's copies of good dumps of the BIOS these platforms need where the library has
    # none now: held, so a library copy deleted or gone bad since costs the player no more
    # than the library's (QA55 F2: --prune removed the card's good copy, the last one). (Not
    # where the library has one: that one replaces the card's as ever.)
    # (entry by entry: another region's BIOS in the library does not replace this one, which
    # an emulator loading the disc's region's BIOS needs: QA58 F6)
    for group in report.groups:
        served = {str(row["entry"]) for row in group.present}
        builder.plan.held_sha1s.update(known.sha1 for entry in group.entries
                                       if entry.id not in served
                                       for known in entry.known_hashes if known.sha1)


SWITCH = "switch"
KEYS_READER = " (keys)"
"""Marks an Android Switch emulator among a plan's BIOS readers: it reads no BIOS folder,
its keys are installed from a file picker in the app."""
NO_SWITCH_EMULATOR = "a Switch emulator, if the device has one,"
"""The Switch emulator of the keys note where the pack names none for the OS."""


def _note_bios_reader(plan: DeployPlan, pack: DefinitionPack, group: BiosGroup, root: str,
                      folder: str) -> None:
    """Note which emulator reads the group's BIOS in ``folder`` once pointed at it (on
    Android, where each is pointed by hand: QA163 F1): RetroArch, for a core or where none
    is named, through its System directory ``root`` (its cores find their own subfolders
    there); a standalone emulator at the folder itself; a Switch emulator installs its keys
    from the folder's files (:data:`KEYS_READER`)."""
    entry = pack.emulators.get(group.emulator_id or "")
    if group.platform_id == SWITCH:  # (keys installed from the app's menu: QA165's note)
        readers = plan.bios_readers.setdefault(folder, [])
        # (none the pack names there: not "the Switch emulator" after a warning that no
        # emulator runs switch on that OS, qa176 #14)
        name = (entry.name if entry is not None else NO_SWITCH_EMULATOR) + KEYS_READER
    elif entry is None or group.emulator_id == RETROARCH \
            or (entry.type or "").lower() != "standalone":
        readers = plan.bios_readers.setdefault(root, [])
        name = "RetroArch"
    else:
        readers = plan.bios_readers.setdefault(folder, [])
        name = entry.name
    if name not in readers:
        readers.append(name)
        readers.sort()


def _bios_folders_of(builder: _Builder, group: BiosGroup) -> set[str]:
    """The card folders (case-folded) the OS reads the group's BIOS from now (QA151 F2: a
    copy kept in the LRPS2 core's `bios/pcsx2/bios/` was said to run Batocera's PCSX2)."""
    base = builder.layout.bios_folder(group.platform_id).path
    return {str(PurePosixPath(base, group.folder_of(entry) or "",
                              entry.filename.rpartition("/")[0])).casefold()
            for entry in group.entries}


def _unverified_dumps(problems: list[dict[str, Any]], verified: set[str]) -> str:
    """The user's BIOS files a group has that are not known good dumps, said for a plan
    warning ("" for none): they are not copied, and ``bios check`` says why. Those `bios
    scan` verified (``verified``: their paths) are no good dumps by the pack in use since:
    said so, and a copy on the card is never pruned (QA29 F5)."""
    files = sorted({(Path(row["filepath"]).name, str(row["status"]).replace("_", " "),
                     str(row["filepath"]) in verified) for row in problems})
    if not files:
        return ""
    bad = [f"{name} ({status})" for name, status, was_good in files if not was_good]
    since = [f"{name} ({status})" for name, status, was_good in files if was_good]
    said = []
    if bad:
        verb = "is not a known good dump" if len(bad) == 1 else "are not known good dumps"
        said.append(f"your {examples(bad)} {verb}: not copied")
    if since:
        one = len(since) == 1
        said.append(f"your {examples(since)}, verified by `bios scan`, "
                    f"{'is' if one else 'are'} no good dump{'' if one else 's'} by the pack in "
                    "use (a pack update changed its hashes?): not copied, nor pruned from the "
                    "card")
    return "; ".join(said) + " (`romrunner bios check` says more)"


def _bios_mtimes(db: Database, paths: list[str]) -> dict[str, int | None]:
    if not paths:
        return {}
    rows = db.query("SELECT filepath, file_mtime_ns FROM bios_files WHERE filepath IN "
                    "(SELECT value FROM json_each(?))", (json.dumps(sorted(set(paths))),))
    return {row["filepath"]: row["file_mtime_ns"] for row in rows}


def _place_chds(db: Database, builder: _Builder, games: dict[int, _Game], *,
                chosen: bool = True) -> None:
    """Put each arcade set's CHD among ``games`` in its set's folder under its disk's name
    (see chd_set_folders). Of two CHDs of one disk (``chosen``), the one the library already
    keeps there, else the first, goes; the other is left out, said (review 31 R4: the copy
    renamed took the place, "the card's naming rules make both names this one")."""
    places = chd_set_folders(db, games)
    for other, kept in (chd_copies(db, places) if chosen else {}).items():
        builder.plan.warnings.append(PlanIssue(
            "chd-duplicate", f"{games[other].source}: another CHD of the disk "
            f"{places[other].filename} (of {places[other].folder}), left out: "
            f"{games[kept].source} goes", games[other].platform_id, other))
        del games[other]
        del places[other]
    for game_id, place in places.items():
        builder.chd_folders[game_id] = place.folder
        game = games[game_id]
        if game.filename != place.filename:
            game.renamed_from, game.filename = game.filename, place.filename


def _say_renamed_sets(builder: _Builder, placed: list[_Game]) -> None:
    """One warning naming the arcade sets placed on the card under their set's name (not
    those left out: a second copy of a set whose name the first took, QA21)."""
    renamed = sorted(placed, key=lambda g: g.filename)
    if renamed:
        builder.plan.warnings.append(PlanIssue(
            "set-renamed", f"{counted(len(renamed), 'arcade set')} written under "
            f"{'its set name' if len(renamed) == 1 else 'their set names'} (MAME and FBNeo "
            "find a set, and a clone its parent, by the zip's name, and a set's disk by its "
            "name in the set's folder): "
            + examples([f"{g.renamed_from} as {g.filename}" for g in renamed], sep="; ")))


def _leave_out_bios_dumps(db: Database, pack: DefinitionPack, games: dict[int, _Game],
                          builder: _Builder) -> None:
    """A BIOS dump among the chosen games (``psx/scph5500.bin``, chosen by ``platform:psx``)
    is not copied into a ROM folder, where the frontend lists it as a game: a BIOS goes to
    the BIOS folder, verified by ``bios scan`` (QA39 F1). Said in one warning."""
    dumps = library_bios_dumps(db, pack, list(games))
    if not dumps:
        return
    shown = [games[game_id].filename + ("" if games[game_id].filename == name else f" ({name})")
             for game_id, name in sorted(dumps.items())]
    for game_id in dumps:
        del games[game_id]
    builder.plan.warnings.append(PlanIssue(
        "bios-dump-not-game", f"{counted(len(shown), 'BIOS dump')} among the chosen games "
        f"{'is' if len(shown) == 1 else 'are'} not copied to a ROM folder "
        f"({examples(shown, sep='; ')}): a BIOS goes to the card's BIOS folder once `romrunner "
        "bios scan` of its folder has verified it"))


def _leave_out_damaged(db: Database, games: dict[int, _Game], builder: _Builder,
                       profile_id: int | None) -> set[int]:
    """Take out of ``games`` each chosen archive a scan found damaged (see
    ``damaged_games``), and the chosen discs of a set one of whose discs is, each with an
    error naming the damaged file and the ways on; return their ids. Not chosen now, their
    copies on the card are held (see _absent_games: unusable now). (qa190: a query chose one;
    copied as it was, or "changed since the scan (rescan it)" at every deploy once its time
    had changed — a rescan keeps it damaged, and its stored time with it.) One an override
    includes on the profile goes as it is, as the auto-list lists it, said by the
    ``archive-damaged`` warning (review41b: damage is judged per member, a zip whose readme
    rotted was refused everywhere, the user's include too)."""
    in_sets = [game.id for game in games.values() if game.set_key]
    found = damaged_games(db, sorted(set(games) | (set_mates(db, in_sets) if in_sets
                                                   else set())))
    for game_id in included_games(db, profile_id, found) if found else ():
        del found[game_id]
        if game_id in games:
            _as_it_is_now(games[game_id])
    if not found:
        return set()
    others = _load_games(db, sorted(set(found) - set(games)))  # (a disc of a chosen set)
    broken: dict[str, list[_Game]] = defaultdict(list)  # set -> its damaged discs
    for game_id in sorted(found):
        game = games.get(game_id) or others.get(game_id)
        if game is not None and game.set_key:
            broken[game.set_key].append(game)
    kept = "(a copy of it the card holds is kept)"
    left = {game_id for game_id, game in games.items()
            if game_id in found or (game.set_key and game.set_key in broken)}
    for game_id in sorted(left):
        game = games.pop(game_id)
        if game_id in found:
            builder.error("damaged", f"{game.source}: found damaged by a scan "
                          f"({found[game_id]}): left out; replace it with a good copy and "
                          f"rescan, or `romrunner override set --game {game_id} --include` "
                          f"deploys it as it is {kept}", game, game.source)
        else:
            damaged = broken[game.set_key or ""]
            one = len(damaged) == 1
            builder.error("damaged", f"{game.source}: left out with its set, whose "
                          f"{examples([disc.filename for disc in damaged])} a scan found "
                          f"damaged; replace {'that' if one else 'those'} with a good copy "
                          "and rescan, or "
                          + " and ".join(f"`romrunner override set --game {disc.id} "
                                         "--include`" for disc in damaged)
                          + f" deploys the set as it is {kept}", game, game.source)
    return left


def _as_it_is_now(game: _Game) -> None:
    """``game``, a damaged archive an override includes, copied as it is now: its size and
    time read now, not those stored before it was found damaged (kept so by every scan), by
    which each deploy failed it as "changed since the scan (rescan it)" once its time had
    changed — a loop no rescan ends. Gone or unreadable: left as stored (the copy says so)."""
    try:
        info = os.stat(os_path(game.source))
    except OSError:
        return
    game.size, game.mtime_ns = info.st_size, info.st_mtime_ns


def _take_touched_playlists(games: dict[int, _Game], builder: _Builder) -> None:
    """Take each chosen playlist (.m3u) only touched since the scan at its time now (see
    :func:`touched_playlist`): it is the file the scan read, not "changed since the scan"
    (review47e: a `touch` of a playlist left its whole set out, exit 1, until a rescan).
    One whose bytes changed is left as stored: the plan says it changed."""
    for game in games.values():
        now = touched_playlist(game.source, game.size, game.mtime_ns, game.sha1)
        if now is not None:  # (one placed as it is is read again by the plan anyway)
            builder.volatile = True  # (the plan took the library's state: see __init__)
            game.mtime_ns = now


_PLAYLIST_READ_LIMIT = 1 << 20  # (bytes: a playlist larger is no list of a set's discs)


def touched_playlist(source: str, size: int, mtime_ns: int | None,
                     sha1: str | None) -> int | None:
    """The time now of the playlist (.m3u) ``source`` when it is only touched since the scan
    that recorded it at ``size``, ``mtime_ns`` and ``sha1``: another time, but its size and
    its bytes, read again now (a small text file), the scan's. None otherwise — unchanged,
    changed, gone or unreadable, no playlist, or one the scan has no SHA1 of. The one rule
    of the plan and of a resume (review48b F4: a resume failed a touched playlist "changed
    since the scan" that a new plan took)."""
    if sha1 is None or mtime_ns is None or size > _PLAYLIST_READ_LIMIT \
            or not source.lower().endswith(".m3u"):
        return None
    path = os_path(source)
    try:
        info = os.stat(path)
        if info.st_mtime_ns == mtime_ns or info.st_size != size \
                or not stat.S_ISREG(info.st_mode):
            return None
        with open(path, "rb") as file:
            data = file.read(_PLAYLIST_READ_LIMIT + 1)
    except OSError:
        return None
    return info.st_mtime_ns if hashlib.sha1(data).hexdigest() == sha1 else None


def _leave_out_archives_of_no_rom(db: Database, pack: DefinitionPack,
                                  games: dict[int, _Game], builder: _Builder) -> None:
    """An archive no catalog identifies that holds notes, pictures or sounds only (a zipped
    readme, MAME's samples of a set zipped under its name) is no game: not copied, as the
    auto-list leaves it out (QA136 F4: a query deploy of a samples zip replaced the
    verified set of that name the card held). Said in one warning."""
    guessed = [game.id for game in games.values() if game.archive and not game.by_data]
    if not guessed:
        return
    found = {game_id: why for game_id, (kind, why) in unusable_archives(
        db, guessed, platform_extensions(pack)).items() if kind == NO_ROM}
    if not found:
        return
    shown = [games[game_id].filename for game_id in sorted(found)]
    for game_id in found:
        del games[game_id]
    builder.plan.warnings.append(PlanIssue(
        "archive-no-rom", f"{counted(len(shown), 'chosen archive')} "
        f"{'holds' if len(shown) == 1 else 'hold'} notes, pictures or sounds only, no ROM of "
        f"{'its' if len(shown) == 1 else 'their'} platform ({examples(shown)}): not copied "
        "(no emulator loads it as a game; the auto-list leaves such archives out too)"))


def _bring_parents(db: Database, games: dict[int, _Game], builder: _Builder,
                   profile_id: int | None) -> None:
    """A split arcade clone chosen (``600.zip``: only its own ROMs) runs only with its
    parent's zip beside it (``turtles.zip``): add to ``games`` the library's parent of each
    one whose parent is not chosen (as a set's discs not chosen are: see _complete_sets),
    said in one warning; leave out each one whose parent the library does not have, or an
    override excludes on the profile, with an error naming the parent, its copy on the card
    kept (QA18 M4: deployed alone, it did not start, and nothing was said). A clone holding
    all its ROMs, or a merged set (its parent), needs nothing more. Likewise a set that runs
    with a BIOS set whose ROMs its zip does not hold (``2020bb.zip`` with ``neogeo.zip``:
    QA39 F5, deployed alone, exit 0)."""
    # Every game's needs are decided before any set is added: a set added for a game that
    # the other need then leaves out is not added (QA40 F2, QA41 F2: a parent, or a BIOS
    # set, went on the card "for" a clone left out). The BIOS sets first: a parent brought
    # for a clone needs the BIOS set the clone did.
    bios = _sets_needed(db, games, builder, profile_id, [
        _Needed(n.game_id, n.bios_name, n.sets, n.missing_sets, n.bios_file, n.elsewhere)
        for n in bios_sets_needed(db, [g.id for g in games.values() if g.archive],
                                  outside=os.path.realpath(builder.plan.root)).values()],
        _BIOS_SET_WORDS)
    parents = _sets_needed(db, games, builder, profile_id, [
        _Needed(c.game_id, c.parent_name, c.parents, c.missing_parents,
                elsewhere=c.elsewhere)
        for c in split_clones(db, [g.id for g in games.values() if g.archive]).values()],
        _PARENT_WORDS)
    for added, words in ((bios, _BIOS_SET_WORDS), (parents, _PARENT_WORDS)):
        _add_sets(db, games, builder, {
            found: kept for found, fors in added.items()
            if (kept := [game for game in fors if game.id in games])}, words)
    _warn_incomplete_sets(db, games, builder)


def _bring_set_companions(db: Database, games: dict[int, _Game], builder: _Builder,
                          profile_id: int | None) -> None:
    """An arcade set of a zip and CHDs goes whole: a chosen zip brings the library's CHDs of
    its set's disks (its parent's, for a clone whose disk is merged with it), a chosen CHD
    its set's zip, said in one warning (see clones.set_companions)."""
    for _ in range(3):  # (a CHD brings its zip, which brings the set's other disks: QA66 F3)
        chosen = [g.id for g in games.values()
                  if g.archive or g.filename.lower().endswith(".chd")]
        needed = [_Needed(game_id, name, tuple(others), 0)
                  for game_id, name, others in set_companions(db, chosen)]
        added = _sets_needed(db, games, builder, profile_id, needed, _SET_FILE_WORDS)
        _add_sets(db, games, builder, {
            found: kept for found, fors in added.items()
            if (kept := [game for game in fors if game.id in games])}, _SET_FILE_WORDS)
        if not added:
            return
        _place_chds(db, builder, games)


def _warn_incomplete_sets(db: Database, games: dict[int, _Game], builder: _Builder) -> None:
    """One warning for the chosen arcade sets whose zip lacks ROMs of their set: written as
    chosen, but their emulator refuses them (QA56 F2: deployed without a word; the
    auto-list leaves them out, `incomplete_set`)."""
    # (a BIOS set chosen by a query too: QA140 F3, a neogeo.zip lacking a ROM went unsaid)
    lacking = incomplete_sets(db, [game.id for game in games.values() if game.archive],
                              bios_sets=True)
    # (a copy that loses its card name to a whole copy of the set is left out, not written:
    # QA159 F6, "kaitei.zip lacks kaitei_7.1k" said of the complete copy written)
    whole = {(game.platform_id, game.filename.casefold()) for game in games.values()
             if game.archive and game.id not in lacking}
    lacking = {game_id: roms for game_id, roms in lacking.items()
               if (games[game_id].platform_id, games[game_id].filename.casefold()) not in whole}
    if not lacking:
        return
    named = [f"{games[game_id].filename}: lacks {', '.join(roms[:3])}"
             + (f" and {len(roms) - 3} more" if len(roms) > 3 else "")
             for game_id, roms in sorted(lacking.items())]
    one = len(lacking) == 1
    builder.plan.warnings.append(PlanIssue(
        "incomplete-set", f"{counted(len(lacking), 'arcade set')} chosen "
        f"{'lacks' if one else 'lack'} ROMs of {'its' if one else 'their'} set "
        f"({examples(named, sep='; ')}): written, but the emulator refuses a set "
        "missing a ROM (`romrunner dat fixdat` lists what to find)"))


class _Needed(NamedTuple):
    """A chosen set that runs only with another set's zip beside it (see _sets_needed)."""

    game_id: int
    name: str                 # the set it needs, as its DAT names it
    sets: tuple[int, ...]     # the library's present games that are that set, best first
    missing: int              # how many games that are that set are missing since the scan
    # none a game: the BIOS file of that set's name `bios scan` found (path, size, time, SHA1)
    file: tuple[str, int, int | None, str | None] | None = None
    elsewhere: tuple[int, ...] = ()  # none of its platform: the games of others that are it


class _SetWords(NamedTuple):
    missing_code: str
    added_code: str
    what: str       # "a split clone of {name} (only its own ROMs)"
    needs: str      # "the ROMs of its parent, {name},"
    added: str      # "parent set"
    reason: str     # why it needs it, in the added warning
    # a game whose set the profile excludes is left out (a set's other file excluded: the
    # rest goes as chosen, QA66 F6 — left out, then brought back for another file)
    leave_out: bool = True


_PARENT_WORDS = _SetWords(
    "parent-missing", "parent-added", "a split clone of {name} (only its own ROMs)",
    "the ROMs of its parent, {name},", "parent set",
    "a split clone holds only its own ROMs and runs only with its parent's beside it")
_BIOS_SET_WORDS = _SetWords(
    "bios-set-missing", "bios-set-added",
    "an arcade set whose zip does not hold the ROMs of its BIOS set, {name}",
    "that set's zip", "BIOS set",
    "an arcade set whose zip does not hold its BIOS set's ROMs runs only with that set's zip "
    "beside it")


_SET_FILE_WORDS = _SetWords(
    "set-file-missing", "set-file-added", "a file of an arcade set ({name} is another)",
    "{name}", "arcade set file",
    "MAME runs a set of a zip and a CHD only with both, the CHD in the set's folder",
    leave_out=False)


def _sets_needed(db: Database, games: dict[int, _Game], builder: _Builder,
                 profile_id: int | None, needed: list[_Needed], words: _SetWords
                 ) -> dict[int, list[_Game]]:
    """The sets to add (a set -> the chosen games of ``needed`` it is for) for the games that
    run with a set none chosen is; leave out, with an error, each one whose set the library
    does not have (or an override excludes on the profile), its copies on the card kept."""
    added: dict[int, list[_Game]] = defaultdict(list)
    if not needed:
        return added
    excluded = excluded_games(db, profile_id, {i for n in needed for i in n.sets}) \
        if profile_id is not None else set()
    for need in needed:
        if need.game_id not in games or any(i in games for i in need.sets):
            continue
        game = games[need.game_id]
        chosen = next((i for i in need.sets if i not in excluded), None)
        if chosen is not None:
            added[chosen].append(game)
            continue
        if not need.sets and need.file is not None:
            _beside(builder, game, need.name, need.file)
            continue
        if not words.leave_out:
            continue
        del games[game.id]
        why = (f"an override excludes {need.name} on this profile" if need.sets else
               "it is missing from the library since the last scan" if need.missing
               else _of_another_platform(db, need.elsewhere) if need.elsewhere
               else "the library does not have it")
        builder.error(words.missing_code, f"{game.source}: "
                      f"{words.what.format(name=need.name)}, it runs only with "
                      f"{words.needs.format(name=need.name)} beside it, and {why}: left out",
                      game, game.source)
        for dest in builder.card_paths(game, []):
            builder.hold(dest, game)
    return added


def _of_another_platform(db: Database, ids: tuple[int, ...]) -> str:
    """Why a set the library has as games of another platform is not used: where they are,
    and the command that files them by their catalog match (QA136 F5)."""
    found = [f"{row[1].rpartition('/')[2]} ({row[2]}, id {row[0]})" for row in db.query(
        "SELECT id, filepath, platform_id FROM games WHERE id IN "
        "(SELECT value FROM json_each(?)) ORDER BY id", (json.dumps(list(ids)),))]
    return (f"the library has it only as a game of another platform, {examples(found)}, "
            "whose folder it would go to (a platform set by hand?): `romrunner games "
            f"set-platform auto {' '.join(str(i) for i in ids[:3])}` files it by its "
            "catalog match")


def _beside(builder: _Builder, game: _Game, name: str,
            file: tuple[str, int, int | None, str | None]) -> None:
    """Put the BIOS set's file found by `bios scan` (``bios/neogeo.zip``) beside ``game`` on
    the card, under the set's name, said once per file (QA56 F8: every Neo Geo set was left
    out, "the library does not have it")."""
    source, size, mtime, sha1 = file
    folders = {dest.rpartition("/")[0] for dest in builder.card_paths(game, [])}
    for folder in sorted(folders):
        dest = f"{folder}/{legal_component(f'{name}.zip', builder.fs)}"
        if collision_key(dest, builder.fs) in builder.taken:
            continue  # (already beside another set of this folder)
        item = PlanItem(BIOS, dest, size, game.platform_id, None, source, mtime, sha1)
        if builder.file_ok(item, None) and builder.claim([item], None):
            builder.plan.items.append(item)
            builder.plan.warnings.append(PlanIssue(
                "bios-set-added", f"the BIOS set {name} put beside {game.filename} from "
                f"{source} (your BIOS files: an arcade set runs only with that set's zip "
                "beside it)", game.platform_id))


def _add_sets(db: Database, games: dict[int, _Game], builder: _Builder,
              added: dict[int, list[_Game]], words: _SetWords) -> None:
    """Add to ``games`` the sets of ``added`` (a set -> the games it is for), said in one
    warning."""
    if not added:
        return
    sets = _load_games(db, sorted(added))
    games.update(sets)
    builder.plan.game_ids.extend(sets)
    # (the sets a BIOS set is for counted past three too: 120 names on one line, QA134 F4)
    pairs = [f"{found.filename} for {examples([g.filename for g in added[found.id]])}"
             for found in sets.values()]
    builder.plan.warnings.append(PlanIssue(
        words.added_code, f"{counted(len(sets), words.added)} not chosen added for "
        f"{_their(words.added_code, len(pairs))} ({examples(pairs, sep='; ')}): "
        f"{words.reason}"))


def _their(code: str, count: int) -> str:
    """Whom a set added is for, in the added warning."""
    if code == "parent-added":
        return "its split clone" if count == 1 else "their split clones"
    return "the set that needs it" if count == 1 else "the sets that need them"
