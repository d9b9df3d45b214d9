"""Putting a plan on the card: safe, resumable, and writing only what changed.

Every run works from the deployment's items in SQLite, so a run that was interrupted —
Ctrl-C, SIGKILL, a crash, an unplugged or full card — is finished by :func:`resume` without
recopying what was done. The items are recorded once with the deployment (compactly, in its
history row); an item gets its row in ``deployment_items`` when it gets a state, so each file
costs one write; an item without a row is pending. Files already on the card as we wrote them
are found in bulk (:func:`fast_skips`) and only counted. Each file to copy is:

1. copied to ``.rr-tmp-<deployment>-<seq>`` in its target folder (large buffered copies:
   ``os.sendfile`` when the source's SHA1 is known from the scan, else read + hash + write,
   the bytes read checked against the CRC32 the scan has of them, if any),
   created, renamed and looked at relative to the folder's descriptor, opened once per run
   (:meth:`_Runner.folder_of`; a card unmounted meanwhile is seen before a batch commits);
2. flushed and fsynced (and with ``verify`` re-read from the card and compared by SHA1);
3. recorded, in one transaction per batch (512 files, 64 MiB or half a second old): copied,
   with its size and modification time on the card — *before* the rename, so after a crash a
   file found under its final name with exactly that size and time is known to be ours and
   finished, and one that is missing is copied again (``resume`` re-checks every copied
   file). A file renamed whose record was lost (a power cut before the database reached the
   disk) is not taken for ours: a conflict, or with ``verify`` compared by SHA1;
4. renamed into place; its folder is fsynced at the next flush (within a second) and at the
   end, once per folder, not per file. A rename the card refuses fails that file alone (see
   :meth:`_Runner.commit_batch`). A card whose file system sets the time at the rename
   (fusefat, some FUSE, MTP and network mounts) gets the time the renamed file shows
   recorded again, at that flush; until then (a crash between) the record holds the time
   before the rename, and the file's bytes prove it ours (:meth:`Claims.find`).

A file at a path we want that no deployment of ours wrote (by the card's manifest copy and the
database, checked against its size and modification time — or, when only the time differs,
against the SHA1 of its bytes read from the card) is the user's: never overwritten without
``overwrite``, reported as a conflict. ``prune`` removes only files of ours that are
unchanged since we wrote them and no longer selected; it keeps, wherever they are, the copies
of games it cannot deploy now, and says in a note each file it keeps.
"""

from __future__ import annotations

import base64
import contextlib
import dataclasses
import errno
import functools
import hashlib
import json
import os
import re
import signal
import socket
import sqlite3
import stat
import threading
import time
import unicodedata
import zipfile
import zlib
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import asdict, dataclass, field
from itertools import chain
from pathlib import Path, PurePosixPath
from types import MappingProxyType
from typing import Any, NamedTuple

from romrunner.catalog.clones import catalog_dump_named, identified_by_hashes
from romrunner.catalog.identify import verify_counts
from romrunner.deploy.card import (
    CARD_DIR,
    ID_NAME,
    MANIFEST_NAME,
    TEMP_PREFIX,
    DeployError,
    Owned,
    card_busy,
    card_destination_id,
    card_lock,
    cards_inside,
    check_destination,
    clean_stale_temps,
    clear_writing,
    default_margin,
    describe_os_error,
    enclosing_card,
    fsync_folder,
    leads_off_the_card,
    lock_held,
    made_by_an_unfinished_run,
    manifest_writers,
    note_writing,
    on_the_card,
    other_os_own_folders,
    owned_from_files,
    parse_manifest,
    read_manifest_bytes,
    record_card_os,
    recorded_card_os,
    space,
    stale_temp_bytes,
    stale_temps,
    write_manifest,
    writing_folders,
)
from romrunner.deploy.legal import FileSystem, collision_key, inside_root
from romrunner.deploy.plan import (
    BIOS,
    KEYS_READER,
    PLAYLIST,
    ROM,
    TRACKED_SHEETS,
    DeployPlan,
    PlanItem,
    a_present_game_has,
    beyond_a_rescan,
    changed_since_the_scan,
    held_copies,
    m3u_line,
    missing_sha1s,
    present_games,
    present_games_have,
    set_mates,
    source_problem,
    touched_playlist,
)
from romrunner.deploy.plancache import keep_check, read_check
from romrunner.deploy.saves import (
    KNOWN_SAVE_FOLDERS,
    launched_name,
    listed_by_sheets,
    named_like_a_save,
    saves_named_after,
    title_of,
)
from romrunner.deploy.syncer import FileSyncer
from romrunner.devices.mounts import not_a_folder_reason, place_on_device, volume_uuid
from romrunner.devices.overrides import excluded_games
from romrunner.devices.paths import in_left_folder, stored_folders_in_saves
from romrunner.errors import DatabaseError, InputError, NotFoundError, RomRunnerError
from romrunner.gcpause import gc_paused
from romrunner.library.containers import ContainerError, referenced_files
from romrunner.library.roots import list_roots, root_is_there
from romrunner.library.summary import os_path
from romrunner.library.tags import strip_extension, without_disc_tags
from romrunner.store.backup import first_id_after_restores, writer_identity
from romrunner.store.database import Database
from romrunner.timeutil import now_text
from romrunner.words import counted, examples, joined, shell_word, size_text

PRUNE_TOTALS = "(prune)"  # the totals of a run's prune items, beside its platforms'
# The counts of each platform's totals: its files and bytes, and its files by status (every
# one, 0 too, so that a reader of the JSON need not default any)
TOTALS_COUNTS = ("bytes", "conflict", "copied", "failed", "files", "pending", "pruned",
                 "skipped")
SENDFILE_CHUNK = 64 * 1024**2
READ_BUFFER = 4 * 1024**2
BATCH_FILES = 512           # temporary files written before their intents commit and they
BATCH_BYTES = 64 * 1024**2  # are renamed (one transaction per batch, not per file), and at
BATCH_SECONDS = 0.5         # most this old: a crash costs at most a batch's copying again
LARGE_FILE = 16 * 1024**2   # the batch before such a file is committed before it starts
FOLDER_FDS = 64             # card folders a run holds open at once (see _Runner.folder_of)
FLUSH_FILES = 256           # commit per-file states at least every 256 files…
FLUSH_SECONDS = 1.0         # …or every second
MANIFEST_SECONDS = 10.0     # refresh the card's manifest copy during long runs
RENAME_PROBES = 32          # renames checked for a time the card moved before it is trusted
# Errors on the card's side that end the run: it is full, read-only or gone. Any other error
# fails only the file at hand.
STOP_ERRNOS = frozenset({errno.ENOSPC, errno.EDQUOT, errno.EROFS, errno.EIO, errno.ENODEV,
                         errno.ENXIO, errno.ENOTCONN, errno.ESHUTDOWN, errno.ESTALE})
RESUMABLE = ("started", "failed", "cancelled")
# Copies failing in a row with one error that end the run on a card of unknown free space.
FAILING_IN_A_ROW = 3
# How a full card is freed for a resume (QA18 C3: removing this deploy's own copies only had
# the resume write them again, and fill the card at the same file).
FREE_OTHERS = "files this deployment did not write: it would write its own again"
# The error of a file skipped because the same bytes, not written by us, are already there.
IDENTICAL_KEPT = "an identical file of yours is kept"

COPY, SKIP, DONE, CONFLICT, FAIL, PRUNE, KEEP, NOOP = (
    "copy", "skip", "done", "conflict", "fail", "prune", "keep", "noop")
# With ``overwrite``, a copy over a file that is not ours: why it is replaced (said as
# "would replace (yours) PATH" by the dry run, "replaced (yours) PATH" by the run; counted
# apart as REPLACE in the dry run's actions).
REPLACE = "replace"
REPLACES_YOURS, REPLACES_EDITED = "yours", "edited on the card"
# (another computer's ROM Runner put another version of the game there: replaced as an older
# version of ours is, said as a replacement by the dry run and the run, qa176 N11)
REPLACES_OTHER = "another computer's version"


@dataclass
class DeployOptions:
    """How a deployment runs (stored with it, so ``resume`` runs it the same way)."""

    verify: bool = False
    overwrite: bool = False
    prune: bool = False
    margin_bytes: int | None = None
    force_prune: bool = False  # a prune the brake would hold back goes ahead (see _prune_brake)
    # with force_prune: the files kept as maybe the only copy left are kept all the same
    # (qa200 F4: --force was the only way past the brake, and removed them too)
    keep_only_copies: bool = False
    prune_others: bool = False  # also the files another database's deploys wrote or chose
    # the folder, once a card's mount point, is a plain folder on purpose (recorded where it
    # is no mount: see refuse_an_unmounted_card)
    plain_folder: bool = False

    @classmethod
    def from_json(cls, text: str | None) -> DeployOptions:
        """Options as stored in ``deployment_history.options_json`` (none that are not a
        JSON object: a v1.0.0 row's, review 115 F7)."""
        data = stored_options(text)
        known = {key: data[key] for key in ("verify", "overwrite", "prune", "margin_bytes",
                                            "prune_others") if key in data}
        return cls(**known)


def stored_options(text: str | None) -> dict[str, Any]:
    """A deployment's ``options_json`` as a dict ({} when it is not a JSON object)."""
    try:
        data = json.loads(text) if text else {}
    except ValueError:
        return {}
    return data if isinstance(data, dict) else {}


@dataclass(frozen=True)
class Progress:
    """Where a run is, for a progress bar."""

    files_done: int
    files_total: int
    bytes_done: int
    bytes_total: int
    rate: float            # bytes per second so far
    eta: float | None      # seconds left at that rate
    current: str           # the file being written (relative to the card)


ProgressCallback = Callable[[Progress], None]


@dataclass
class DeploySummary:
    """What a run did."""

    deployment_id: int
    destination: str
    status: str = "started"
    planned: int = 0
    copied: int = 0
    skipped: int = 0
    failed: int = 0
    conflicts: int = 0
    pruned: int = 0
    bytes_copied: int = 0
    seconds: float = 0.0
    errors: list[dict[str, Any]] = field(default_factory=list)
    stopped: str | None = None
    cleaned_temps: int = 0
    notes: list[str] = field(default_factory=list)
    pruned_folders: list[str] = field(default_factory=list)  # emptied by the prune: removed
    # The files the prune removed (QA145 F2: only a count, and only the dry run named them).
    pruned_paths: list[str] = field(default_factory=list)
    # Files a prune kept, each kind said in one note: ROM Runner's once, but changed on the
    # card since (not provably ours now); copies of games it cannot deploy now, found where
    # an earlier deploy put them (another folder than the one they go to now).
    prune_kept: list[str] = field(default_factory=list)
    prune_held: list[str] = field(default_factory=list)
    # the files a prune put off until their game's new copy was written, kept as it was not
    prune_unreplaced: list[str] = field(default_factory=list)
    prune_linked: list[str] = field(default_factory=list)  # reached through a link: kept
    prune_library: list[str] = field(default_factory=list)  # the library's own files: kept
    # Files of the user's (or of ours, edited on the card) replaced with ``overwrite``, and
    # another computer's versions of games: {"path", "reason"} (REPLACES_YOURS,
    # REPLACES_EDITED or REPLACES_OTHER).
    replaced: list[dict[str, str]] = field(default_factory=list)
    # Files a prune kept because the player's saves are named after them: {"path", "saves"}.
    prune_saves: list[dict[str, Any]] = field(default_factory=list)
    # Files a prune kept because another computer's ROM Runner wrote or chose them last:
    # {"path", "computer"}.
    prune_other_computer: list[dict[str, str]] = field(default_factory=list)
    # Files a prune kept because another profile's deploys to this card chose them last:
    # {"path", "profile"} (QA94 F6).
    prune_other_profile: list[dict[str, Any]] = field(default_factory=list)
    # Files a prune kept because a playlist or sheet it kept for another profile or computer
    # names them as it is on the card now: {"path", "named_by"}
    prune_named: list[dict[str, str]] = field(default_factory=list)
    # Files a prune kept as maybe the only copy left: content no file of the library is known
    # to have (qa176 #6: said in a note only)
    prune_only_copy: list[str] = field(default_factory=list)
    # Of those, the files `--force` removes: ours, their game no longer in the library, and
    # the playlists kept only with them (review44c F6: not told from another computer's)
    prune_only_copy_force: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        """The JSON form."""
        return asdict(self)


@dataclass(slots=True)
class _Item:
    seq: int
    kind: str
    action: str
    platform_id: str | None
    source: str
    source_mtime_ns: int | None
    content: bytes | None
    dest: str
    size: int
    sha1: str | None
    dest_mtime_ns: int | None
    status: str
    game_id: int | None = None
    key: str = ""
    replacing: str | None = None  # why a file there that is not ours goes (see REPLACES_*)


@dataclass(slots=True)
class _Written:
    """A temporary file written and fsynced, waiting for its batch's rename: ``temp_name``
    and ``name`` in the folder open as ``folder`` (see :meth:`_Runner.folder_of`), whose
    path is ``target``'s."""

    item: _Item
    folder: int
    temp_name: str
    name: str
    target: str
    owned: Owned
    replaces: os.stat_result | None

    @property
    def temp(self) -> str:
        """The temporary file's path (for messages and checks off the common path)."""
        return f"{self.target.rpartition('/')[0]}/{self.temp_name}"


@dataclass(slots=True)
class _Decision:
    item: _Item
    action: str
    existing: os.stat_result | None = None
    claim: Owned | None = None
    note: str | None = None
    proven: bool = False  # the claim was proven by the file's bytes: its time to be recorded
    later: bool = False  # a prune of a moved file: after its new copy is written (see _apply)
    # a prune's: the run's files that replace its file, and whether it waits for all of them
    # or any one (see _moved_prunes)
    replaced_by: list[_Item] | None = None
    needs_all: bool = False
    loose: bool = False  # those files are only of its title (see _moved_prunes): on a card
    # without room for both copies, it is the first to go before them (see _space_plan)
    # a prune's: the game placed now whose copy replaces its game's, left out as a copy of it
    # (another format of the game, another copy: the plan's ``copies``; see _moved_prunes)
    copy_of: int | None = None
    shared: bool = False  # on a card other profiles deploy to: recorded even unchanged
    reread: bool = False  # its source read again (see _decide_copy): recorded, its time now


# -- starting ------------------------------------------------------------------------------
def deploy(db: Database, plan: DeployPlan, *, profile_id: int,
           options: DeployOptions | None = None, destination_id: str | None = None,
           name: str | None = None, progress: ProgressCallback | None = None) -> DeploySummary:
    """Check the card, record the deployment and run it (holding the card's lock).

    Refused before anything is recorded or written when the card is missing, read-only, busy
    with another deploy, or clearly too small for what must be written.
    """
    options = options or DeployOptions()
    _full_card_path(plan)
    with gc_paused():  # one object per file, no cycles: collections would find nothing
        refuse_library_overlap(db, plan.root, plan=plan)
        check_destination(plan.root)
        with card_lock(plan.root):
            before = int(db.scalar("SELECT coalesce(max(id), 0) FROM deployment_history"))
            try:
                ready = _prepare(db, plan, profile_id, options, destination_id, name)
            except KeyboardInterrupt:
                cancelled = _cancel_recorded_after(db, before, plan.root)
                if cancelled is None:
                    raise
                return cancelled
            summary = _run(db, ready.deployment_id, plan.root, plan.fs, ready.dest_id,
                           ready.decisions, ready.claims, options, progress, fresh=True,
                           unchanged=ready.unchanged, recorded=ready.recorded,
                           cleaned=ready.cleaned, naming=ready.naming)
            _recount_bios_note(plan, ready.decisions, ready.claims.notes, summary)
            summary.notes[:0] = ready.claims.notes
            if ready.decisions and summary.status == "completed" and plan.kept_as is not None \
                    and plan.items and not options.verify:
                # The card as this run left it (its manifest as written): the next re-deploy
                # of this plan is settled by the check (see _kept_unchanged).
                _keep_check(plan, Claims(db, plan.root, ready.dest_id, plan.fs).adopt(
                    ready.claims.written))
            return summary


def _full_card_path(plan: DeployPlan) -> None:
    """``plan``'s card by its full path, as the deployment records it: the card's earlier
    deploys are found by that path (see Claims._ids). A relative one, given to the Python
    API, found none after a lost ``.romrunner/`` and pruned nothing (bench37 #4; the CLI
    passes full paths)."""
    if not plan.root.is_absolute():
        plan.root = Path(os.path.abspath(plan.root))


def _cancel_recorded_after(db: Database, before: int, root: Path) -> DeploySummary | None:
    """After a Ctrl-C that landed as the deployment's record was committed (its plan kept,
    nothing written on the card yet): that deployment, ended as cancelled and said with how
    to carry it out — "nothing was changed" was said, and a later plain `deploy resume` ran
    the --force prune the user had cancelled (QA32 F9). None when none was recorded."""
    made = db.scalar("SELECT max(id) FROM deployment_history WHERE id > ?", (before,))
    if made is None:
        return None
    with db.atomic():
        db.execute("UPDATE deployment_history SET status = 'cancelled' WHERE id = ? "
                   "AND status = 'started'", (int(made),))
    return DeploySummary(int(made), str(root), status="cancelled", stopped=(
        f"interrupted before anything was written on the card; `romrunner deploy resume "
        f"{int(made)}` carries it out"))


def record_deployment(db: Database, plan: DeployPlan, *, profile_id: int,
                      options: DeployOptions | None = None, destination_id: str | None = None,
                      name: str | None = None) -> int:
    """Check the card and record the deployment without copying anything yet (run it with
    :func:`resume`); the same refusals as :func:`deploy`."""
    refuse_library_overlap(db, plan.root, plan=plan)
    check_destination(plan.root)
    with card_lock(plan.root):
        return _prepare(db, plan, profile_id, options or DeployOptions(), destination_id,
                        name).deployment_id


@dataclass
class _Prepared:
    deployment_id: int
    dest_id: str
    decisions: list[_Decision]
    claims: Claims
    unchanged: int  # files found unchanged in bulk (no decision of their own)
    recorded: DeploymentRecord  # what was recorded (not read back from the database)
    cleaned: int  # stale temporary files removed (see _clean_temps)
    naming: _Naming  # its library playlists' names, read once (see _Naming)


def _folders_to_record(plan: DeployPlan, platforms: set[str], *, pruning: bool
                       ) -> dict[str, str]:
    """Platform -> the ROM folder the card's record names for it: the one this run writes
    to, or, while a run without ``--prune`` leaves an earlier folder's copies behind, that
    earlier folder (so each deploy says so until a prune removes them)."""
    # (an earlier folder of this OS's own: another OS's layout is kept as that OS's, never
    # recorded as this one's, QA69 F4)
    same_os = recorded_card_os(plan.root) in (None, plan.os_id)
    # (nor one another OS's layout chose, left behind by a switch of OS: qa205 F4, the
    # second deploy after muOS -> KNULLI recorded muOS's roms/md as KNULLI's genesis folder)
    theirs = other_os_own_folders(plan.root, plan.os_id) if same_os and not pruning else {}
    left = {} if pruning or not same_os else {
        issue.platform_id: issue.path for issue in plan.warnings
        if issue.code == "folder-moved" and issue.platform_id and issue.path
        and issue.path.lower() not in theirs.get(issue.platform_id, ())}
    return {platform: left.get(platform) or folder
            for platform, folder in plan.rom_folders.items()
            if folder and platform in platforms}


def _on_card(root: Path, dests: list[str]) -> list[str]:
    """Those of ``dests`` on the card, once each, in order (what a run records of the files
    its plan held: review 99 F2, paths not on the card made each record of a card whose
    share was away hundreds of KB)."""
    return sorted(dest for dest in set(dests) if os.path.lexists(root / dest))


def _twin_cards(db: Database, root: Path, dest_id: str) -> list[str]:
    """A note for each other folder deployed to under this card's id that holds that id now
    too: a copy of the card (QA102 F5: a card cloned to a bigger one, both used, had each
    one's records taken for the other's). A volume's UUID is its own."""
    if not dest_id or dest_id.startswith("uuid:"):
        return []
    notes: list[str] = []
    for row in db.query("SELECT DISTINCT destination_path FROM deployment_history "
                        "WHERE destination_id = ? AND destination_path <> ? "
                        "ORDER BY destination_path", (dest_id, str(root))):
        other = Path(str(row[0]))
        try:
            if os.path.samefile(other, root):
                continue
        except OSError:
            continue  # (not there now: the same card mounted elsewhere before)
        if card_destination_id(other, create=False) == dest_id:
            notes.append(f"{other}: holds this card's id too ({CARD_DIR}/{ID_NAME}; a copy "
                         "of the card?): ROM Runner takes the two for one card, the records "
                         f"of either for the other's; remove {CARD_DIR}/{ID_NAME} on one of "
                         "them to give it an id of its own (its record of ROM Runner's files "
                         "stays)")
    return notes


def _clean_record_temps(root: Path) -> None:
    """Remove the temporary files of the card's own records (``os.json``, the manifest, the
    id) a killed run left in ``.romrunner/`` (QA73 F1: never removed): the card's lock is
    held, so no other run is writing them."""
    with contextlib.suppress(OSError):
        clean_stale_temps(root, ())


def _prepare(db: Database, plan: DeployPlan, profile_id: int, options: DeployOptions,
             destination_id: str | None, name: str | None) -> _Prepared:
    root = plan.root
    _clean_record_temps(root)
    dest_id = destination_id or card_destination_id(root) or ""
    claims = Claims(db, root, dest_id, plan.fs)
    claims.held_sha1s = plan.held_sha1s
    claims.profile_id = profile_id
    claims.prune_others = options.prune_others
    claims.force_prune = options.force_prune and not options.keep_only_copies
    claims.keep_only_copies = options.keep_only_copies
    claims.notes.extend(_twin_cards(db, root, dest_id))
    rest, unchanged = _split(root, plan, claims, options, keep=True)
    if not claims.settled_by_a_kept_check:  # (said by a run whose selection or card changed;
        # not by a re-deploy its kept check settled, which reads no record: the same plan,
        # the same card, said by the run that kept it. A card other profiles or computers
        # deploy to reads its records later: said all the same, qa175 Fc)
        claims.notes.extend(_unchosen_note(db, plan, claims, options))
    # (the sources are checked as they are copied, unless a prune needs them all first)
    decisions, naming = _decide_with_prune(db, plan, rest, claims, options,
                                           check_sources=options.prune)
    _prune_brake(plan, decisions, unchanged, options, claims.kept_by_the_prune(),
                 len(only_copies_force(claims)))
    cleaned = _clean_temps(root, decisions, plan, True, claims)
    _check_space(root, decisions, options, claims.notes,
                 lambda: _room_a_prune_makes(db, plan, claims, options))
    # (once the checks pass: a refused run does not say it laid the card out)
    platforms = plan.rom_platforms()
    if platforms or recorded_card_os(root) in (None, plan.os_id):
        # (a run that places no game lays nothing out: the card stays the other OS's, QA69
        # F7 — a --prune choosing nothing relabelled an ArkOS card "onionos")
        record_card_os(root, plan.os_id, plan.detected_folders, platforms,
                       _folders_to_record(plan, platforms, pruning=options.prune))
    deployment_id, recorded = _record(
        db, plan, decisions, profile_id, options, dest_id, name, unchanged,
        _on_card(plan.root, [*plan.chosen_held, *claims.chosen_held_elsewhere]),
        _on_card(plan.root, [*plan.held, *claims.held_elsewhere]) if options.prune else [],
        claims.carried)
    return _Prepared(deployment_id, dest_id, decisions, claims,
                     sum(files for files, _ in unchanged.values()), recorded, cleaned, naming)


def _split(root: Path, plan: DeployPlan, claims: Claims, options: DeployOptions, *,
           keep: bool = False) -> tuple[list[int], dict[str, list[int]]]:
    """The plan's files found in bulk to be on the card as we wrote them (counted per
    platform: files, bytes), and the indexes of the rest (decided one by one).

    A kept plan (see :mod:`romrunner.deploy.plancache`) whose every file was found so, on a
    card whose manifest has the same bytes, is checked by its kept bulk check (see
    _kept_unchanged); ``keep``: such a check is kept when every file is found unchanged."""
    if options.verify or claims.shared():
        # (--verify: every file is compared by hash; a card another profile deploys to too:
        # each file this one chooses gets its row, which its prunes respect: review 21 R2)
        return list(range(len(plan.items))), {}
    if plan.kept_as is not None and claims.manifest is not None:
        # (a check is kept only where no other database wrote: see below)
        found = _kept_unchanged(root, plan.kept_as, claims)
        if found is not None:
            claims.settled_by_a_kept_check = True
            return [], found
    if claims.others_wrote():  # (each file chosen becomes this database's: QA52 F2)
        return list(range(len(plan.items))), {}
    rest, unchanged = fast_skips(root, plan.items, claims.files)
    if keep and not rest and plan.kept_as is not None and plan.items \
            and claims.manifest is not None:
        _keep_check(plan, claims)
    return rest, unchanged


def _kept_unchanged(root: Path, kept_as: tuple[str, str], claims: Claims
                    ) -> dict[str, list[int]] | None:
    """Every file of a kept plan on the card as the card's manifest records it, by the bulk
    check kept for this plan and these very manifest bytes (their SHA1): one ``stat`` per
    file compared with the size and time of its record — the records themselves, and that
    each holds the planned file (its size and SHA1), were checked when it was kept, and
    neither the plan nor the manifest has changed since. The counts per platform as
    :func:`fast_skips` gives them; None when there is no such check or a file differs (then
    :func:`fast_skips` decides, as for any plan)."""
    check = read_check(kept_as, claims.manifest_digest())
    if check is None:
        return None
    folders, groups, unchanged = check
    base, stat_at, file_type, regular = str(root), os.stat, 0o170000, stat.S_IFREG
    off = _OffCard(root)
    for folder, names, sizes, times in groups:
        if off.why(folder) is not None:
            return None  # (a folder linked off the card since: review 113 F4)
        try:
            fd = os.open(f"{base}/{folder}" if folder else base,
                         os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC)
        except OSError:
            return None
        try:
            infos = [stat_at(name, dir_fd=fd, follow_symlinks=False) for name in names]
        except OSError:
            return None
        finally:
            os.close(fd)
        if not all(info.st_size == size and info.st_mtime_ns == mtime_ns
                   and info.st_mode & file_type == regular
                   for info, size, mtime_ns in zip(infos, sizes, times, strict=True)):
            return None
    claims.knows_folders(folders)
    return {platform: list(counts) for platform, counts in unchanged.items()}


def _keep_check(plan: DeployPlan, claims: Claims) -> None:
    """Keep the bulk check of a kept plan for the card manifest ``claims`` read (see
    _kept_unchanged), when its every file has a well-formed record holding it — the size
    planned, and the SHA1 where both are known: what :func:`fast_skips` asks of a record,
    the card's ``stat`` aside — else keep none."""
    assert plan.kept_as is not None
    files = claims.files
    groups: dict[str, tuple[list[str], list[int], list[int]]] = {}
    counts: dict[str, list[int]] = {}
    for item in plan.items:
        record = files.get(item.dest)
        if item.content is not None or type(record) is not list or len(record) not in (3, 4):
            return  # (a playlist is decided one by one; a file without a record: no check)
        size, mtime_ns, sha1 = record[:3]
        if type(size) is not int or type(mtime_ns) is not int or size != item.size or not (
                sha1 is None or item.sha1 is None or sha1 == item.sha1):
            return
        folder, _, name = item.dest.rpartition("/")
        group = groups.get(folder)
        if group is None:
            group = groups[folder] = ([], [], [])
        group[0].append(name)
        group[1].append(size)
        group[2].append(mtime_ns)
        entry = counts.setdefault(item.platform_id or "", [0, 0])
        entry[0] += 1
        entry[1] += size
    keep_check(plan.kept_as, claims.manifest_digest(), sorted(claims.folders),
               [(folder, *group) for folder, group in groups.items()], counts)


def _decide_with_prune(db: Database, plan: DeployPlan, rest: list[int], claims: Claims,
                       options: DeployOptions, *, check_sources: bool = True
                       ) -> tuple[list[_Decision], _Naming]:
    """The decisions for the plan's files at ``rest`` (those not found unchanged in bulk),
    their copies' sources checked (see :func:`_check_sources`), then — with ``--prune`` —
    for the files of ours no longer chosen, first in the run.

    ``check_sources`` False: the sources are not looked at here. A run that does not prune
    needs no answer before it starts: each copy opens its source and checks it (size, time,
    a regular file) in :func:`_open_source`, which fails the file in the same words — one
    ``stat`` per copied file fewer. The dry run (what would fail) and a prune (a failing
    source holds its game's copies on the card: see :func:`_check_sources`) look first."""
    decisions = _decide(plan.root, plan.fs, _plan_items(plan, rest), claims, options)
    if check_sources or options.prune:
        _check_sources(db, plan, decisions)
    naming = _carry_failures(decisions)
    if options.prune:
        prune = _decide(plan.root, plan.fs, _prune_items(plan.root, plan, claims), claims,
                        options)
        _note_copies_of_placed(plan, prune)
        _keep_linked_prunes(plan.root, prune, [i.dest for i in plan.items], claims)
        _sheets_last(plan.root, prune, claims)
        decisions = prune + decisions
        for seq, decision in enumerate(decisions):
            decision.item.seq = seq
    _note_saves_behind_new_playlists(plan, decisions, claims)
    _note_bios_folders(plan, decisions, claims)
    _note_moved_by_hand(plan, decisions, claims)
    _note_another_computers_copies(decisions, claims)
    _note_other_profiles_playlists(decisions, claims)
    if claims.shared():  # (each file this profile chooses gets its row: review 21 R2)
        for decision in decisions:
            decision.shared = True
    return decisions, naming


def _note_copies_of_placed(plan: DeployPlan, prune: list[_Decision]) -> None:
    """Give each prune of a copy of a game the plan left out as a copy of another it places
    (``plan.copies``: the game in another format, ``.iso`` beside the ``.cso`` chosen) that
    game (``copy_of``): the prune waits for its copy (see _moved_prunes) — a copy that
    fails, a folder in its way, the card full, its source changed, leaves the game the old
    one (review41c F5: the card's only copy of the game was pruned first)."""
    if not plan.copies:
        return
    kept = dict(plan.copies)
    for decision in prune:
        game_id = decision.item.game_id
        if decision.action == PRUNE and game_id is not None and game_id in kept:
            decision.copy_of = kept[game_id]


def _platforms_of(plan: DeployPlan) -> Callable[[str], set[str]]:
    """The platforms a card folder is a ROM folder of: the plan's own folders, else what the
    pack names so (``md``: Genesis, in muOS's layout), by the folder's last name."""
    by_folder: dict[str, set[str]] = defaultdict(set)
    for platform, folder in plan.rom_folders.items():
        if folder:
            by_folder[folder.casefold()].add(platform)

    def platforms_of(folder: str) -> set[str]:
        own = by_folder.get(folder.casefold())
        return set(own) if own else set(
            plan.platform_names.get(folder.rpartition("/")[2].casefold(), ()))
    return platforms_of


def _launched_names(plan: DeployPlan) -> set[tuple[str | None, str]]:
    """(platform, name: see ``saves.launched_name``) of the files a frontend launches once
    the plan is on the card: its files but the discs a set's playlist lists (and their
    tracks), and the playlists."""
    listed = {dest for item in plan.items if item.kind == PLAYLIST and item.content is not None
              for dest in _listed(item)}
    in_sets = {item.game_id for item in plan.items if item.dest in listed}
    return {(item.platform_id, launched_name(item.dest)) for item in plan.items
            if item.kind == PLAYLIST or item.game_id not in in_sets}


def _launched_at(plan: DeployPlan) -> set[tuple[str, str]]:
    """(folder, name) of every file of the plan (see :func:`_launched_names`): where a save
    kept beside its game finds it."""
    return {(item.dest.rpartition("/")[0], launched_name(item.dest)) for item in plan.items}


def _note_bios_folders(plan: DeployPlan, decisions: list[_Decision], claims: Claims) -> None:
    """Say where the BIOS files the run writes go (QA161 F6: only a dry run's --verbose
    list said it), and on Android that its emulators read them there only once pointed at
    that folder (QA161 F1: BIOS written to the card, "present", and read by no emulator)."""
    said = _bios_folders_note(plan, decisions)
    if said is not None:
        claims.notes.append(said)


def _bios_folders_note(plan: DeployPlan, decisions: list[_Decision],
                       failed: Iterable[str] = ()) -> str | None:
    """The words of :func:`_note_bios_folders`, None when no BIOS file goes; ``failed``:
    the card paths of the files the run failed, not counted (said apart)."""
    left_out = set(failed)
    copies = [d.item.dest for d in decisions if d.item.kind == BIOS and d.action == COPY]
    folders = Counter(dest.rpartition("/")[0] or "." for dest in copies
                      if dest not in left_out)
    if not folders:
        return None
    total = sum(folders.values())
    # (each folder's count only where there are several: "2 go to X/ (2)", qa176 #14)
    said = (f"{counted(total, 'BIOS file')} {'goes' if total == 1 else 'go'} to " + ", ".join(
        f"{folder}/" + (f" ({count:,})" if len(folders) > 1 else "")
        for folder, count in sorted(folders.items())))
    if len(copies) > total:
        said += f" ({len(copies) - total:,} more failed)"
    if plan.android:
        pointed = _pointing(plan.bios_readers)
        if pointed:
            said += ("; on Android each emulator reads BIOS files only from the folder set in "
                     "it (a microSD card is /storage/XXXX-XXXX on the device): point " + pointed)
        said += _keys_installed(plan.bios_readers)
    return said


def _recount_bios_note(plan: DeployPlan, decisions: list[_Decision], notes: list[str],
                       summary: DeploySummary) -> None:
    """The run's note of the BIOS files that go to the card counted again without those it
    failed to copy (QA178 F3: "2 BIOS files go to bios/" of a run one of them failed in;
    "1 goes" of one that wrote none), dropped when none went."""
    failed = {str(error["path"]) for error in summary.errors if error["status"] == "failed"}
    if not failed:
        return
    before = _bios_folders_note(plan, decisions)
    if before is None or before not in notes:
        return
    at = notes.index(before)
    after = _bios_folders_note(plan, decisions, failed)
    if after is None:
        del notes[at]
    else:
        notes[at] = after


def _keys_installed(readers: dict[str, list[str]]) -> str:
    """``; Eden installs the Switch keys from its own menu …``: the Switch emulators of
    ``readers`` (see ``plan.KEYS_READER``), which read no folder: each installs the keys the
    user picks in the app (QA165: the note said to point it at a BIOS folder)."""
    said = [f"{name.removesuffix(KEYS_READER)} installs the Switch keys from its own menu "
            f"(Install keys: pick prod.keys in {folder}/)"
            for folder, names in sorted(readers.items()) for name in names
            if name.endswith(KEYS_READER)]
    return "".join(f"; {line}" for line in said)


MOVED_READS = 64
"""The most files of the player's a run reads to find a copy of ours moved by hand, or a copy
of the player's own of a game it copies (review37b F3: every same-size file of a card filled
partly by hand, at every dry run)."""

# platform folder -> size -> SHA1 -> the plan's path of the file of that size and content
_Sought = dict[str, dict[int, dict[str, str]]]


def _note_moved_by_hand(plan: DeployPlan, decisions: list[_Decision], claims: Claims) -> None:
    """Say which files the run copies while their very bytes are on the card under another
    name in the same platform folder: copies of ours moved or renamed by hand, copied again
    at the path of ours the card no longer has (qa171 F5), and the player's own copies of a
    game the run copies for the first time (`Chrono Trigger.sfc` of theirs beside our
    `Chrono Trigger (USA).sfc`, qa191 F7). Either way the frontend lists the game twice.
    Only such paths' platform folders are listed, and only files there of such a copy's
    size, no record's and none the run writes, are read — of the player's own copies only
    those of the game's title — at most :data:`MOVED_READS`, the names closest first."""
    moved, first = _copies_sought(plan, decisions, claims)
    if not moved and not first:
        return
    pairs, complete = _found_under_other_names(plan, decisions, claims, moved, first)
    found = {players: [f"{copy} (as {dest})" for copy, dest in pairs[players]]
             for players in (False, True)}
    would = "would copy" if claims.dry_run else "copies"
    if complete:
        _note_deleted_on_the_card(decisions, claims, moved,
                                  {copy for copy, _ in [*pairs[False], *pairs[None]]})
    if pairs[None]:
        _note_stopped_runs_copies(claims, pairs[None])
    if found[False]:
        # (which copy to remove: the one under the other name — ROM Runner's own is put back
        # by every deploy, so removing it loops, qa177 F2; "would" in a dry run, qa177 F7)
        one = len(found[False]) == 1
        claims.notes.append(
            f"{counted(len(found[False]), 'file')} this deploy {would} again "
            f"{'is' if one else 'are'} on the card already under another name (moved or "
            f"renamed by hand?): {_examples(found[False])}; the frontend lists "
            f"{'it' if one else 'them'} twice: remove the {'copy' if one else 'copies'} under "
            f"the other name (in brackets), as each deploy puts {'this one' if one else 'these'}"
            " back")
    if found[True]:
        one = len(found[True]) == 1
        claims.notes.append(
            f"{counted(len(found[True]), 'file')} this deploy {would} "
            f"{'is' if one else 'are'} on the card already under another name, as "
            f"{'a file' if one else 'files'} of yours: {_examples(found[True])}; the frontend "
            f"lists {'it' if one else 'them'} twice: remove yours (in brackets), as each deploy "
            f"puts {'this one' if one else 'these'} back, or leave "
            f"{'the game' if one else 'the games'} out of the selection")


def _note_stopped_runs_copies(claims: Claims, pairs: list[tuple[str, str]]) -> None:
    """Say which files the run copies that a stopped deployment copied, killed before it
    renamed them into place (``pairs``: the path, its temporary file): the run removes those
    temporary files itself — no copy of the player's, nothing to remove by hand (review49b
    F6: they were said "moved or renamed by hand", to remove). The deployment is not named:
    the number in a temporary file's name is its database's, which may be another computer's
    (review51b F2: `deploy resume 2` named a deployment this database does not have)."""
    one = len(pairs) == 1
    dry = claims.dry_run
    claims.notes.append(
        f"{counted(len(pairs), 'file')} this deploy {'would copy' if dry else 'copies'} "
        f"{'was' if one else 'were'} copied by a deploy stopped before "
        f"{'it was' if one else 'they were'} put in place: "
        f"{_examples([copy for copy, _ in pairs])}; "
        f"{'its temporary file' if one else 'their temporary files'} on the card "
        f"({TEMP_PREFIX}…) {'would be' if dry else 'was' if one else 'were'} removed first"
        + (" (`romrunner deploy history` says whether that deploy, if this database's, can "
           "be resumed instead)" if dry else ""))


def _copies_sought(plan: DeployPlan, decisions: list[_Decision], claims: Claims
                   ) -> tuple[_Sought, _Sought]:
    """The run's copies to a path of a platform folder the card has no file at: those of
    ours the card no longer has there (by our record's size and SHA1), and the ROMs the card
    never had from us (by the plan's)."""
    moved: _Sought = defaultdict(lambda: defaultdict(dict))
    first: _Sought = defaultdict(lambda: defaultdict(dict))
    for decision in decisions:
        item = decision.item
        if decision.action != COPY or decision.existing is not None or item.kind == PLAYLIST:
            continue
        folder = plan.rom_folders.get(item.platform_id or "")
        if not folder or not item.dest.startswith(folder + "/"):
            continue
        record = claims.card.get(item.key) or next(iter(claims.stored().get(item.key, ())),
                                                     None)
        if record is not None:
            if record.sha1:
                moved[folder][record.size][record.sha1] = item.dest
        elif item.kind == ROM and item.sha1:
            first[folder][item.size][item.sha1] = item.dest
    return moved, first


def _note_deleted_on_the_card(decisions: list[_Decision], claims: Claims, moved: _Sought,
                              found: set[str]) -> None:
    """Say which copies of ours the run copies again because they were deleted from the card
    since (not found under another name: ``found``), with the way to keep a game off the
    card for good (qa194 F12: put back without a word, to a player who deleted it).

    Only a copy the card's manifest lists was on the card: the manifest lists a file once it
    is renamed into place, while the database records a batch's copies before their renames
    — a killed run's copies never put in place, and those its resume then held back (a file
    of their set not written), are recorded copied, and were said deleted by the player
    (p51a F1). A card whose manifest lists nothing (gone, unreadable) is known by the
    database's records alone, as before."""
    sought = {dest for sizes in moved.values() for by_sha1 in sizes.values()
              for dest in by_sha1.values()}
    listed = claims.card
    deleted = sorted({(d.item.dest, d.item.game_id) for d in decisions
                      if d.item.dest in sought and d.item.dest not in found
                      and d.item.game_id is not None and d.action == COPY
                      and (not listed or d.item.key in listed)})
    if not deleted:
        return
    one = len(deleted) == 1
    ids = sorted({g for _, g in deleted})
    # (one game a command: `--game` takes one id — review49g F7, `--game 1 2` was refused)
    game = str(ids[0]) if len(ids) == 1 else "ID"
    which = "" if len(ids) == 1 else f" for each of games {_examples([str(i) for i in ids])}"
    profile = f" --profile {claims.profile_id}" if claims.profile_id is not None else ""
    # (qa207 F4: a blank card swapped in at the same mount point was told our files "were
    # deleted from it since": with no .romrunner/ and none of the recorded files there, it
    # may as well be another card)
    where = (f"{'was' if one else 'were'} deleted from it since" if _ours_on_the_card(claims)
             else f"{'is' if one else 'are'} not on this card (deleted from it, or this is "
             "another card)")
    claims.notes.append(
        f"{counted(len(deleted), 'file')} ROM Runner put on the card {where}: "
        f"{'would be ' if claims.dry_run else ''}copied again, "
        f"{'its game' if one else 'their games'} still chosen "
        f"({_examples([dest for dest, _ in deleted])}); to keep a game off this card, "
        f"`romrunner override set --game {game} --exclude{profile}`{which}")


def _ours_on_the_card(claims: Claims) -> bool:
    """Whether the card shows it is one we deployed to: it had its manifest (in
    ``.romrunner/``, read before this run wrote there) when the run began, or a file is at
    a path the database's records say we wrote (a blank card at the same mount point has
    neither)."""
    if claims.had_manifest():
        return True
    return any(os.path.lexists(claims.root / record.dest)
               for records in claims.stored().values() for record in records[:1])


def _found_under_other_names(plan: DeployPlan, decisions: list[_Decision], claims: Claims,
                             moved: _Sought, first: _Sought
                             ) -> tuple[dict[bool | None, list[tuple[str, str]]], bool]:
    """(the plan's path, the other path) of each sought copy found on the card under another
    name: under False those of ``moved``, under True those of ``first`` (the player's
    files), under None those of ``moved`` in a temporary file of a stopped run's that this
    one removes (see :func:`_clean_temps`); and whether every file that could be one was
    read (not cut at MOVED_READS)."""
    written = {d.item.key for d in decisions}
    candidates: list[tuple[bool, str, dict[str, str], bool | None]] = []
    stale: set[str] | None = None  # (the stopped runs' temporary files: once, if any)
    for folder in sorted(moved.keys() | first.keys()):
        ours, theirs = moved.get(folder, {}), first.get(folder, {})
        stems = {launched_name(dest) for by_sha1 in ours.values() for dest in by_sha1.values()}
        titles = {title_of(launched_name(dest))
                  for by_sha1 in theirs.values() for dest in by_sha1.values()}
        for path, size in _files_under(plan.root / folder):
            dest = f"{folder}/{path}"
            key = dest.casefold() if plan.fs.case_insensitive and dest.isascii() \
                else collision_key(dest, plan.fs)
            if key in written or key in claims.card:
                continue
            if path.rpartition("/")[2].startswith(TEMP_PREFIX):
                if stale is None:
                    stale = {str(temp) for temp in stale_temps(plan.root, _temp_folders(
                        plan.root, decisions, plan, True, claims))}
                if str(plan.root / dest) in stale:  # (removed by this run: only those;
                    # another is said as any other file, review51b F4)
                    if size in ours:
                        candidates.append((False, dest, ours[size], None))
                    continue
            name = launched_name(dest)
            if size in ours:
                candidates.append((name not in stems, dest, ours[size], False))
            if size in theirs and title_of(name) in titles and not any(
                    record.size == size for record in claims.stored().get(key, ())):
                # (a file of that size the database's records say we wrote there is ours,
                # the card's manifest gone: not "yours", review42b F5)
                candidates.append((False, dest, theirs[size], True))
    found: dict[bool | None, list[tuple[str, str]]] = {False: [], True: [], None: []}
    read: dict[str, str] = {}
    for _, dest, by_sha1, players in sorted(candidates, key=lambda c: c[:2])[:MOVED_READS]:
        if dest not in read:
            read[dest] = _sha1_of(str(plan.root / dest)) or ""
        copy = by_sha1.get(read[dest])
        if copy is not None:
            found[players].append((copy, dest))
    return found, len(candidates) <= MOVED_READS


def _note_another_computers_copies(decisions: list[_Decision], claims: Claims) -> None:
    """Say which files the run copies over another computer's other version of their game
    (see :func:`_decide_copy`), and which copy a game of one file whose very content
    another computer's ROM Runner put on the card under another name (its library names the
    game otherwise: `Game (USA).gb` there, `Game (U) [!].gb` here): the frontend lists the
    game twice, and each computer's prunes keep the other's copy (qa175 F2, F4). By the
    card's records: no file read."""
    if claims.replaced_other_computers:
        replaced = claims.replaced_other_computers
        one = len(replaced) == 1
        replaces = "would replace" if claims.dry_run else \
            f"this deploy copies {'replaces' if one else 'replace'}"
        claims.notes.append(
            f"{counted(len(replaced), 'file')} {replaces} "
            f"another version of {'its game' if one else 'their games'} that the ROM Runner "
            f"of another computer or database ({', '.join(sorted(set(replaced.values())))}) "
            f"put on the card and this library does not have: {_examples(sorted(replaced))}; "
            "that computer's next deploy puts its own back (a save made with one version may "
            "not suit the other): keep one dump of the game in both libraries")
    if not claims.others_wrote():
        return
    me = claims.writer
    theirs: dict[str, Owned] = {}
    for owned in claims.card.values():
        if owned.sha1 and owned.writer is not None and owned.writer != me:
            theirs.setdefault(owned.sha1, owned)
    # (a game of one file only: a disc's track, the same silence in two releases, or one BIOS
    # in two folders is no second copy of a game — review37b F2)
    files_of = Counter(decision.item.game_id for decision in decisions)
    found = [f"{decision.item.dest} (as {theirs[decision.item.sha1].dest})"
             for decision in decisions
             if decision.action == COPY and decision.item.kind == ROM
             and decision.item.game_id is not None and files_of[decision.item.game_id] == 1
             and decision.item.sha1 in theirs
             and theirs[decision.item.sha1].dest != decision.item.dest
             # (still as that computer wrote it: not edited on the card since, qa177 F1)
             and (info := _lstat(claims.root / theirs[decision.item.sha1].dest)) is not None
             and theirs[decision.item.sha1].matches(info)]
    if found:
        one = len(found) == 1
        claims.notes.append(
            f"{counted(len(found), 'file')} this deploy "
            f"{'would copy' if claims.dry_run else 'copies'} {'is' if one else 'are'} on "
            "the card "
            f"already under another name, put there by the ROM Runner of another computer "
            f"or database: {_examples(found)}; the frontend lists "
            f"{'it' if one else 'them'} twice (each computer's prunes keep the other's copy: "
            "remove one by hand, or name the game alike in both libraries)")


def _note_other_profiles_playlists(decisions: list[_Decision], claims: Claims) -> None:
    """Say which playlists (.m3u) the run writes over the one another profile's deploy to
    this card wrote there and still chooses (see :meth:`Claims.other_profile_wrote`): two
    profiles whose OSes lay a set out otherwise (muOS in a hidden `.Title/` folder, KNULLI
    flat) share the set's playlist path on one card, and each one's deploy puts its own
    back (qa205 F5: replaced silently). Written still — the user asked for this profile's
    deploy, and a card two profiles share keeps each one's games, not their playlists
    apart — but said, one line per profile, as a prune says the files it keeps for
    another profile (by the records and the card's manifest: no file read)."""
    by: dict[int, list[str]] = defaultdict(list)
    for decision in decisions:
        if decision.action == COPY and decision.claim is not None \
                and decision.item.dest.lower().endswith(".m3u") \
                and (profile := claims.other_profile_wrote(
                    decision.item.key or collision_key(decision.item.dest, claims.fs),
                    decision.claim)) is not None:
            by[profile].append(decision.item.dest)
    for profile, dests in sorted(by.items()):
        one = len(dests) == 1
        verb = "would replace" if claims.dry_run else "replaces"
        claims.notes.append(
            f"this deploy {verb} the {'playlist' if one else 'playlists'} "
            f"{_profile_named(claims.db, profile)} wrote on this card, which its deploys still "
            f"choose ({_examples(dests)}): the two profiles lay "
            f"{'its set' if one else 'these sets'} out otherwise at the same path, and each "
            "one's deploy writes its own back")


def _files_under(folder: Path) -> Iterator[tuple[str, int]]:
    """(path under ``folder``, size) of each regular file below it, hidden folders too
    (where playlists keep their discs); nothing when it cannot be listed."""
    for base, _, names in os.walk(folder):
        for name in names:
            path = os.path.join(base, name)
            with contextlib.suppress(OSError):
                info = os.stat(path, follow_symlinks=False)
                if stat.S_ISREG(info.st_mode):
                    yield os.path.relpath(path, folder).replace(os.sep, "/"), info.st_size


def _profile_named(db: Database, profile_id: int) -> str:
    """``profile 1 'kids'``: a profile by its id and, when it has one, its name (qa175 F7:
    by its id alone)."""
    from romrunner.devices.profiles import load_profile  # (it imports the card's module)
    try:
        name = load_profile(db, profile_id).name
    except NotFoundError:
        name = None
    return f"profile {profile_id}" + (f" {name!r}" if name else "")


def _pointing(readers: dict[str, list[str]]) -> str:
    """``RetroArch's System directory (Settings > Directory) at RetroArch/system/ (its cores
    find their own subfolders there), NetherSX2's BIOS folder at …``: each emulator of
    ``readers`` (folder -> emulators) at its folder."""
    said: list[str] = []
    for folder, names in sorted(readers.items()):
        for name in names:
            if name.endswith(KEYS_READER):  # (read from no folder: see _keys_installed)
                continue
            said.append(f"RetroArch's System directory (Settings > Directory) at {folder}/ "
                        "(its cores find their own subfolders there)" if name == "RetroArch"
                        else f"{name}'s BIOS folder at {folder}/")
    return ", ".join(said) if said or any(
        name.endswith(KEYS_READER) for names in readers.values() for name in names) \
        else "each emulator's BIOS folder at these folders"


def _note_saves_behind_new_playlists(plan: DeployPlan, decisions: list[_Decision],
                                     claims: Claims) -> None:
    """Say which of the player's saves are named after a disc already on the card that a
    playlist new on the card now lists where it was (QA50 F2: a frontend that hides the
    discs a playlist lists launches the playlist, under another name, and the save of the
    disc played alone is not found)."""
    playlists = {d.item.dest: _listed(d.item) for d in decisions
                 if d.item.kind == PLAYLIST and d.action == COPY and d.existing is None}
    if not playlists:
        return
    disc_of = {disc: playlist for playlist, discs in playlists.items() for disc in discs
               if (plan.root / disc).is_file()}
    lists = {(d.item.platform_id, launched_name(d.item.dest)) for d in decisions
             if d.item.dest in playlists}
    saves = saves_named_after(plan.root, plan.save_folders, disc_of, lists,
                              _platforms_of(plan)) if disc_of else {}
    if saves:
        named = sorted({path for paths in saves.values() for path in paths})
        listing = sorted({disc_of[disc] for disc in saves})
        puts = "would put" if claims.dry_run else "puts"
        claims.notes.append(
            f"{counted(len(named), 'file')} of the player's saves or states on the card "
            f"{'is' if len(named) == 1 else 'are'} named after a disc "
            f"that a playlist this deploy {puts} on the card lists ({_examples(named)}): a "
            "frontend "
            f"launching the playlist ({_examples(listing)}) will not find "
            f"{'it' if len(named) == 1 else 'them'}; rename {'it' if len(named) == 1 else 'them'}"
            " after the playlist to keep the player's progress")


FORGOTTEN = ("its game was forgotten since this deployment was planned (`games forget`, "
             "`library rm`): not copied; a new `romrunner deploy` plans the card anew")


def _leave_out_forgotten(db: Database, decisions: list[_Decision]) -> set[int]:
    """A resumed run's files of games the library forgot since it was planned: those still
    to copy fail, said so — those whose rows name no game now too (see
    :func:`_stand_in_for_forgotten`). Returns the ids no row may name now: the games
    forgotten (QA98 F2: every resume failed on the database's foreign key, an internal
    error) and the stand-ins, each :func:`_carry_failures` ties to its set first."""
    ids = {d.item.game_id for d in decisions if d.item.game_id is not None}
    discs, stand_ins = _stand_in_for_forgotten(decisions)
    gone = _games_gone(db, ids) | discs
    for index, decision in enumerate(decisions):
        if decision.item.game_id in gone and decision.action == COPY:
            decisions[index] = _Decision(decision.item, FAIL, decision.existing,
                                         decision.claim, note=FORGOTTEN)
    return gone | stand_ins


EXCLUDED_SINCE = ("an override excludes its game since this deployment was planned: "
                  "left out")


def _leave_out_excluded(db: Database, decisions: list[_Decision], profile_id: int,
                        notes: list[str]) -> None:
    """A resumed run's files still to copy of games a game override excludes on its profile
    now (set since the run was planned), and of their disc sets whole with their playlists,
    as a new plan leaves them out: skipped, said in one note naming the games (qa205 F7: the
    resume copied a 700 MB game excluded after a kill, unsaid). Copies already on the card
    stay (``--prune`` removes them, as for any game a deploy leaves out)."""
    ids = {d.item.game_id for d in decisions if d.action == COPY and d.item.game_id is not None
           and d.item.game_id >= 0}
    excluded = excluded_games(db, profile_id, ids) if ids else set()
    if not excluded:
        return
    left = excluded | (set_mates(db, excluded) & ids)
    # (and each library playlist naming a file of one, and so on: a set the scan did not
    # group, held by its .m3u — review51g F1: the playlist went on naming the disc left out)
    named_by = _library_playlists_naming(decisions)
    reach = list(left)
    while reach:
        for playlist in named_by.get(reach.pop(), ()):
            if playlist not in left:
                left.add(playlist)
                reach.append(playlist)
    out = [d for d in decisions if d.action == COPY and d.item.game_id in left]
    if not out:
        return
    for decision in out:
        decision.action, decision.note = SKIP, EXCLUDED_SINCE
    titles = {int(r[0]): str(r[1]) for r in db.query(
        "SELECT id, filename FROM games WHERE id IN "
        "(SELECT value FROM json_each(?))", (json.dumps(sorted(excluded)),))}
    named = [f"game {game_id} {titles[game_id]!r}" if game_id in titles else f"game {game_id}"
             for game_id in sorted(excluded)]
    notes.append(f"{counted(len(out), 'file')} left out: an override excludes "
                 f"{examples(named)} since this deployment was planned (`romrunner override "
                 "ls` lists the overrides); copies of them already on the card are not "
                 "removed by this resume (a deploy with `--prune` removes them)")


def _say_another_os(db: Database, row: Any, notes: list[str]) -> None:
    """Say that the run's profile is set to another OS now than the one its plan laid the
    card out for (qa205 F7): the resume finishes the run as planned."""
    planned = stored_options(row["options_json"]).get("os")
    now = db.scalar("SELECT os_id FROM device_profiles WHERE id = ?",
                    (row["device_profile_id"],))
    if isinstance(planned, str) and now is not None and now != planned:
        notes.append(f"{_profile_named(db, int(row['device_profile_id']))} is set to OS "
                     f"{now} now, this deployment was planned for {planned}: the resume "
                     f"finishes it as planned, {planned}'s layout; a new `romrunner deploy` "
                     f"lays the card out for {now}")


def _leave_copies_done(decisions: list[_Decision], claims: Claims) -> None:
    """A resume of a completed deployment retries the files it did not finish (failed,
    never tried, in conflict with ``--overwrite``) only: a file it copied that the card
    holds another version of now — another profile's deploy to a card they share wrote its
    own since, as a set's playlist both lay out at one path — is left as it is, said in one
    note (qa205 F5: the resume of a run with one failed file rewrote another profile's
    playlist too, "2 copied", unsaid). A new deploy of the profile writes its version.
    A copy ``--overwrite`` replaces as a file of the user's — ours edited on the card since,
    or not ours — is replaced as asked (review52d F3: left, and called another version)."""
    left = [d for d in decisions if d.item.status == "copied" and d.action == COPY
            and d.existing is not None
            and d.item.replacing not in (REPLACES_EDITED, REPLACES_YOURS)]
    if not left:
        return
    by: dict[int, list[str]] = defaultdict(list)
    for decision in left:
        profile = claims.other_profile_wrote(decision.item.key, decision.claim)
        if profile is not None:
            by[profile].append(decision.item.dest)
        decision.action, decision.existing, decision.claim = NOOP, None, None  # (its row
        # stays "copied": done by its run)
    said = [f"written since by a deploy of {_profile_named(claims.db, p)} ({examples(dests)})"
            for p, dests in sorted(by.items())]
    rest = [d.item.dest for d in left if not any(d.item.dest in v for v in by.values())]
    if rest:
        said.append(f"{'others ' if said else ''}({_examples(rest)})")
    one = len(left) == 1
    claims.notes.append(
        f"{counted(len(left), 'file')} this deployment copied {'holds' if one else 'hold'} "
        f"another version on the card now{', ' if by else ' '}{'; '.join(said)}: left as "
        f"{'it is' if one else 'they are'} — a resume of a completed deployment retries only "
        "the files it did not finish; a new `romrunner deploy` of this profile writes its own "
        "version")


def overrides_choosing(db: Database, profile_id: int | None) -> list[str]:
    """The overrides that apply to ``profile_id``'s deploys and choose games or emulators,
    each in words (``game 12: include on profile 1``, ``platform gba: mgba on every
    profile``), sorted: an include, a platform's or a game's emulator. (An exclusion a
    resume applies: see :func:`_leave_out_excluded`.)"""
    def scope(profile: Any) -> str:
        return "every profile" if profile is None else f"profile {profile}"
    said = [f"platform {platform}: {emulator} on {scope(profile)}"
            for profile, platform, emulator in db.query(
                "SELECT device_profile_id, platform_id, emulator_id FROM platform_overrides "
                "WHERE device_profile_id IS NULL OR device_profile_id = ?", (profile_id,))]
    for profile, game, emulator, action in db.query(
            "SELECT device_profile_id, game_id, emulator_id, action FROM game_overrides "
            "WHERE is_enabled = 1 AND (device_profile_id IS NULL OR device_profile_id = ?) "
            "AND (emulator_id IS NOT NULL OR action = 'include')", (profile_id,)):
        said += [f"game {game}: {what} on {scope(profile)}" for what in (
            emulator, "include" if action == "include" else None) if what]
    return sorted(said)


def _say_overrides_changed(db: Database, row: Any, notes: list[str]) -> None:
    """Say that overrides choosing games or emulators for the run's profile (an include, a
    platform's or a game's emulator: :func:`overrides_choosing`) were set or removed since
    the run was planned: the resume finishes it as planned, without them (p51g's not done:
    unsaid). A deployment recorded by an earlier release, which stored none: nothing said."""
    planned = stored_options(row["options_json"]).get("overrides")
    if not isinstance(planned, list) or row["device_profile_id"] is None:
        return
    now = overrides_choosing(db, int(row["device_profile_id"]))
    changed = [*(f"set {o}" for o in now if o not in planned),
               *(f"removed {o}" for o in planned if o not in now)]
    if not changed:
        return
    notes.append(f"{counted(len(changed), 'override')} choosing games or emulators for "
                 f"{_profile_named(db, int(row['device_profile_id']))} "
                 f"{'was' if len(changed) == 1 else 'were'} set or removed since this "
                 f"deployment was planned ({examples(sorted(changed))}): the resume finishes "
                 "it as planned, without them; a new `romrunner deploy` applies them")


def _games_gone(db: Database, ids: set[int]) -> set[int]:
    """The games of ``ids`` the library no longer has."""
    if not ids:
        return set()
    return ids - {int(row[0]) for row in db.query(
        "SELECT id FROM games WHERE id IN (SELECT value FROM json_each(?))",
        (json.dumps(sorted(ids)),))}


def _stand_in_for_forgotten(decisions: list[_Decision]) -> tuple[set[int], set[int]]:
    """Give each file of the run (not a prune) whose row names no game now a stand-in id (below
    0): a disc's file, or a set's playlist, is planned with its game (the playlist with its
    first disc's), and `games forget` (`library rm`) sets the rows naming a game it deletes
    to none — so a resume of a run whose discs failed tied the forgotten disc to no set,
    copied its set's other discs and wrote its playlist whole, naming a disc not on the card,
    the disc said "missing since the scan" (QA196 F1). Returns the discs' stand-ins (their
    files fail as forgotten) and every stand-in given (a playlist's only ties it to its
    discs): the ids no row may name."""
    discs: set[int] = set()
    stand_ins: set[int] = set()
    for decision in decisions:
        item = decision.item
        if item.game_id is None and item.action != PRUNE and item.kind in (ROM, PLAYLIST):
            item.game_id = -1 - item.seq
            stand_ins.add(item.game_id)
            if item.kind == ROM:
                discs.add(item.game_id)
    return discs, stand_ins


def _carry_failures(decisions: list[_Decision]) -> _Naming:
    """A game a file of which is not written (it fails, or is a conflict) gets none of its
    files written, and a multi-disc set one of whose discs is not written gets none of its
    discs nor its playlist — decided before anything is written, so that the dry run says
    what the run does whatever the order and batches of the files (QA36 F2, F3: the dry run
    copied a disc's other tracks, its sheet and its set's .m3u, which the run then failed;
    the run left the set's other disc alone on the card, a game of its own there).

    Returns the run's :class:`_Naming` of ``decisions``, for the run to hold its library
    playlists by (see :func:`_apply`): read here at most, at the first failure."""
    naming = _Naming(decisions)
    broken = _Broken(naming)
    for decision in decisions:
        if decision.action in (FAIL, CONFLICT) and decision.item.game_id is not None \
                and decision.item.action != PRUNE:
            broken.mark(decision.item.game_id, decision.item.dest)
    if not broken:
        return naming
    games_at = {d.item.dest: d.item.game_id for d in decisions if d.item.game_id is not None}
    sets = [(index, _listed(d.item)) for index, d in enumerate(decisions)
            if d.item.kind == PLAYLIST and d.item.content is not None]
    spread = True
    while spread:  # (a set's failed disc fails the set: its other discs, their tracks)
        spread = False
        for index, named in sets:
            playlist = decisions[index].item
            # (the playlist's own file too, planned with its first disc's game: that disc
            # found unchanged on the card is not among the decisions, qa205 F1)
            files = [playlist.dest, *named]
            failed = next((broken[game] for dest in files
                           if (game := games_at.get(dest)) is not None and game in broken),
                          None)
            if failed is None:
                continue
            for dest in files:
                game = games_at.get(dest)
                if game is not None and game not in broken:
                    broken.mark(game, failed)
                    spread = True
    for index, decision in enumerate(decisions):
        item = decision.item
        if decision.action == COPY and item.game_id in broken:
            decisions[index] = _Decision(item, FAIL, decision.existing, decision.claim,
                                         note=broken.why(item))
    return naming


class _Naming:
    """Each game of a run a library playlist it copies names a file of, to the games of those
    playlists (see :func:`_library_playlists_naming`): read from the library once per run,
    when first asked — by :func:`_carry_failures` at the first failure before anything is
    written (none, most runs), else by :func:`_apply` — the one object handed from the one
    to the other (each read them again: its own playlists and sheets, twice a run). Read
    from ``decisions`` as they are then."""

    def __init__(self, decisions: list[_Decision]) -> None:
        self._decisions = decisions
        self._named_by: dict[int, set[int]] | None = None

    def __call__(self) -> dict[int, set[int]]:
        if self._named_by is None:
            self._named_by = _library_playlists_naming(self._decisions)
        return self._named_by


class _Broken(dict[int, str]):
    """Games a file of which is not written (id -> that file), and with each the library's
    playlists copied as they are that name a file of it (a disc of the library beside the
    playlist, placed as its own game: see the plan's ``_Builder.claim``; a hidden disc of
    another such playlist), whose files are then not written either: a playlist naming a
    disc the card does not have is a game the frontend lists and that does not load
    (review49b F2: it was written, unsaid)."""

    def __init__(self, naming: _Naming) -> None:
        super().__init__()
        self.named_by = naming  # (read once a run, when first asked: see _Naming)
        self._sets: set[int] = set()  # playlists broken by a disc they name

    def mark(self, game: int, dest: str) -> None:
        """``game`` is broken by its file ``dest``, and so is each playlist naming a file of
        it, and each naming a file of such a playlist (review50a F1: a second playlist
        naming the first one's hidden disc went on the card)."""
        self.setdefault(game, dest)
        named_by = self.named_by()  # (read at the first failure: none, most runs)
        waiting = [game]
        while waiting:
            for playlist in named_by.get(waiting.pop(), ()):
                if playlist not in self:
                    self[playlist] = dest
                    self._sets.add(playlist)
                    waiting.append(playlist)

    def why(self, item: _Item) -> str:
        """Why ``item``, a file of a broken game, is not written."""
        assert item.game_id is not None
        whose = "a disc of its set" if item.game_id in self._sets else "another file of its game"
        return f"{item.dest}: not written: {whose} was not ({self[item.game_id]})"


def _any_library_playlist(decisions: list[_Decision]) -> bool:
    return any(_a_library_playlist(decision.item) for decision in decisions)


def _library_playlists_naming(decisions: list[_Decision]) -> dict[int, set[int]]:
    """Each game of ``decisions`` with a file a playlist of the library that the run copies as
    it is names — its sheet, or a track of a sheet it names whose copy on the card is
    unchanged, not in the run (review50a F2) — to the games of those playlists (each read
    from the library: a few bytes; a sheet only where its card copy is not in the run)."""
    games_at = {d.item.dest: d.item.game_id for d in decisions if d.item.game_id is not None}
    named_by: dict[int, set[int]] = defaultdict(set)
    for decision in decisions:
        playlist = decision.item
        if playlist.game_id is None or decision.action != COPY \
                or not _a_library_playlist(playlist):
            continue
        for dest in _named_on_card(playlist, games_at):
            game = games_at.get(dest)
            if game is not None and game != playlist.game_id:
                named_by[game].add(playlist.game_id)
    return named_by


def _named_on_card(playlist: _Item, games_at: Mapping[str, int | None]) -> Iterator[str]:
    """The card paths of the files ``playlist`` (a library .m3u copied as it is) names: each
    line's, and where that is a sheet the run does not copy, the tracks it names."""
    try:
        names = referenced_files(Path(os_path(playlist.source)))
    except (OSError, ContainerError):  # (its own copy fails on that)
        return
    folder = PurePosixPath(playlist.dest).parent
    library = PurePosixPath(playlist.source).parent
    for name in names:
        dest = os.path.normpath(str(folder / name))
        yield dest
        if dest in games_at or not name.lower().endswith(TRACKED_SHEETS):
            continue
        try:
            tracks = referenced_files(Path(os_path(str(library / name))))
        except (OSError, ContainerError):
            continue
        yield from (os.path.normpath(str(PurePosixPath(dest).parent / track))
                    for track in tracks)


def _a_library_playlist(item: _Item) -> bool:
    """True for a playlist of the library the run copies as it is (not one it writes)."""
    return item.content is None and item.action != PRUNE \
        and item.source.lower().endswith(".m3u")


def _listed(playlist: _Item | PlanItem) -> list[str]:
    """The card paths a set's playlist names."""
    folder = PurePosixPath(playlist.dest).parent
    return [str(folder / line) for line in (playlist.content or b"").decode(
        "utf-8", "replace").splitlines() if line]


LINKED = "reached through a symbolic link on the card, or a chosen file too: kept"
LIBRARY_FILE = "the library's own file (a link joins the library and the card here): kept"
UNREADABLE = "cannot be read on the card, so not provably ROM Runner's unchanged file: kept"


def _keep_linked_prunes(root: Path, decisions: list[_Decision], chosen: list[str],
                        claims: Claims) -> None:
    """Keep each file a prune would remove that is reached through a symbolic link (a folder
    of the card's path, under ``root``, that is a link: it may lead into the library — QA25
    F13, a prune deleted the library's discs — or to another folder), or that is the very
    file a chosen one is under another name (``chosen``: the paths of the run's files;
    a folder linked to another, `megadrive -> md`: QA25 F14 pruned the games it kept)."""
    pruning = [d for d in decisions if d.action == PRUNE]
    if not pruning:
        return
    chosen_files = {found for dest in chosen if (found := _identity_of(root / dest))}
    links: dict[str, bool] = {}
    for decision in pruning:
        dest = decision.item.dest
        # (a link to another folder of the card — EmuDeck's own `roms/gc -> gamecube` — is
        # the card's: what a deploy wrote through it a prune removes, but for a chosen
        # file's other name, whatever is known of its content: QA91 F2, every GameCube game
        # stayed for good; review 92 F1, F2, a CRC-only game's chosen file was pruned under
        # the folder alias's other name)
        if _through_a_link(root, dest, links, off_the_card=True) \
                or _identity_of(root / dest) in chosen_files:
            decision.action, decision.note = KEEP, LINKED
            claims.prune_linked.append(dest)


def _identity_of(path: Path) -> tuple[int, int] | None:
    """The file at ``path`` (links followed) as (device, inode); None when it is not there
    or its file system numbers no inodes."""
    try:
        info = os.stat(path)
    except OSError:
        return None
    return (info.st_dev, info.st_ino) if info.st_ino else None


def _through_a_link(root: Path, dest: str, links: dict[str, bool], *,
                    off_the_card: bool = False) -> bool:
    """True when a folder of ``dest`` under ``root`` is a symbolic link (or cannot be
    looked at: kept rather than guessed); with ``off_the_card``, only a link that leads off
    the card. ``links``: the folders asked already (with the same ``off_the_card``)."""
    parts = dest.split("/")[:-1]
    for depth in range(1, len(parts) + 1):
        folder = "/".join(parts[:depth])
        if folder not in links:
            try:
                links[folder] = stat.S_ISLNK(os.lstat(root / folder).st_mode) and (
                    not off_the_card or leads_off_the_card(root, folder))
            except OSError:
                links[folder] = True
        if links[folder]:
            return True
    return False


def _is_its_source(root: Path, dest: str, claims: Claims) -> bool:
    """True when the card's file at ``dest`` is the very library file we copied there (a
    library folder linked to the card's: review 17, a prune deleted the library's file), as
    the copy recorded it or where the library has that game now (review 113 F1: after a
    `library move` the recorded path was gone, and the prune deleted the library's files)."""
    game = claims.game_copied_to(dest)
    for source in dict.fromkeys((claims.copied_source(dest),
                                 None if game is None else claims.game_path(game))):
        if source is None:
            continue
        try:
            if os.path.samefile(os_path(source), root / dest):
                return True
        except OSError:
            continue
    return False


def game_path(db: Database, game_id: int) -> str | None:
    """Where the library has the game ``game_id`` now (None: no such game)."""
    row = db.query_one(_GAME_PATHS, (json.dumps([game_id]),))
    return None if row is None else f"{str(row[1]).rstrip('/')}/{row[2]}"


# The games of a JSON list of ids, with their roots' paths and their paths in them.
_GAME_PATHS = ("SELECT g.id, r.path, g.filepath FROM games g JOIN library_roots r "
               "ON r.id = g.root_id WHERE g.id IN (SELECT value FROM json_each(?))")


def _check_sources(db: Database, plan: DeployPlan, decisions: list[_Decision]) -> None:
    """Look at the source of each file the run copies that the plan did not check (a game of
    one file, a BIOS file: see :meth:`romrunner.deploy.plan._Builder.file_ok`) — only those:
    a file the card already holds as the library records it is never looked for in the
    library (a re-deploy touches the card and the database, not a network share). A source
    missing or changed since the scan fails its file, said in the plan's words, and holds its
    game as the plan would have: ``--prune`` keeps its copies wherever they are on the card.
    An item's ``seq`` is its index in the plan here (see _plan_items)."""
    failed = False
    for index, decision in enumerate(decisions):
        item = decision.item
        if decision.action != COPY or not item.source:
            continue
        planned = plan.items[item.seq]
        if planned.checked:
            continue
        problem = source_problem(planned)
        if problem is None:
            continue
        decisions[index] = _Decision(item, FAIL, decision.existing, decision.claim,
                                     note=problem[1])
        plan.held.append(item.dest)
        plan.chosen_held.append(item.dest)
        if item.game_id is not None:
            plan.held_games.add(item.game_id)
            plan.chosen_held_games.add(item.game_id)
        failed = True
    if failed:
        held_copies(db, plan)


def preview(db: Database, plan: DeployPlan, options: DeployOptions | None = None,
            *, destination_id: str | None = None, profile_id: int | None = None
            ) -> dict[str, Any]:
    """What a deploy of ``plan`` would do (``--dry-run``): nothing is written anywhere.
    ``profile_id``: the profile deploying (a prune keeps another profile's files)."""
    _full_card_path(plan)
    with gc_paused():
        return _preview(db, plan, options, destination_id, profile_id)


def _preview(db: Database, plan: DeployPlan, options: DeployOptions | None,
             destination_id: str | None, profile_id: int | None) -> dict[str, Any]:
    options = options or DeployOptions()
    root = plan.root
    refuse_library_overlap(db, root, plan=plan)
    check_destination(root, create=False)  # refused as the real run would be
    if lock_held(root):  # (QA75 F4: the plan of a card half written, exit 0)
        raise card_busy(root)
    dest_id = destination_id or card_destination_id(root, create=False) or ""
    claims = Claims(db, root, dest_id, plan.fs)
    claims.held_sha1s = plan.held_sha1s
    claims.profile_id = profile_id
    claims.prune_others = options.prune_others
    claims.force_prune = options.force_prune and not options.keep_only_copies
    claims.keep_only_copies = options.keep_only_copies
    claims.dry_run = True
    notes = claims.notes
    notes.extend(_twin_cards(db, root, dest_id))
    notes.extend(_unchosen_note(db, plan, claims, options))
    rest, unchanged = _split(root, plan, claims, options)
    decisions, _ = _decide_with_prune(db, plan, rest, claims, options)
    _prune_brake(plan, decisions, unchanged, options,  # refused in the real run's words
                 claims.kept_by_the_prune(), len(only_copies_force(claims)))
    unreadable = _unreadable_sources(decisions)
    counts: dict[str, int] = defaultdict(int)
    if unchanged:
        counts[SKIP] = sum(files for files, _ in unchanged.values())
    for decision in decisions:
        counts[FAIL if id(decision) in unreadable else REPLACE
               if decision.action == COPY and decision.item.replacing
               else decision.action] += 1
    for decision in decisions:  # (a prune item kept: only when the card changed meanwhile)
        if decision.action == KEEP and decision.existing is not None \
                and not stat.S_ISDIR(decision.existing.st_mode) \
                and decision.note not in _SAID_KEEPS:
            claims.prune_kept.append(decision.item.dest)
    # (the run removes a killed run's temporary files first: their space is free to it)
    freed = stale_temp_bytes(root, _temp_folders(root, decisions, plan, True, claims))
    space_notes: list[str] = []
    free, need, margin = _space_plan(root, decisions, options, space_notes, freed)
    copying = {id(d.item) for d in decisions if d.action == COPY}
    kept = [d for d in decisions if d.later and d.claim is not None
            and not _replaced(d, lambda new: id(new) in copying)]  # their new copies are
    # refused: the run keeps them — named in the prune's notes, as the run names them (qa191
    # F5: counted "1 keep", not named)
    claims.kept_unreplaced.extend(d.item.dest for d in kept)
    held = {id(d) for d in kept}
    notes.extend(prune_notes(claims, dry_run=True))
    notes.extend(space_notes)
    pruned = [d.item.dest for d in decisions if d.action == PRUNE and id(d) not in held]
    if (said := let_go_playlists_note(claims, pruned, dry_run=True)) is not None:
        notes.append(said)
    # every file the prune keeps, as the notes name them (QA25 F8: "1 keep" beside a note
    # naming 2 — files not provably ours are kept before they are decided)
    keeps = {d.item.dest for d in decisions if d.action == KEEP} | set(claims.prune_kept) \
        | set(claims.held_elsewhere) | set(claims.kept_unreplaced) | set(claims.prune_linked) \
        | set(claims.prune_library) \
        | set(claims.prune_saves) | set(claims.prune_other_computer) \
        | set(claims.prune_not_a_file) | set(claims.prune_unrecorded) \
        | set(claims.prune_unreadable) | set(claims.prune_unheld) \
        | set(claims.prune_unproven) | set(claims.prune_only_copy)  # (review44c F6: a set's
    # playlist kept with its discs as maybe the only copy left, listed, was not counted)
    counts.pop(KEEP, None)
    counts.pop(PRUNE, None)
    stuck = _prunes_refused(root, pruned)  # (the run fails them: review 115 F5)
    if stuck:
        pruned = [dest for dest in pruned if dest not in stuck]
        counts[FAIL] = counts.get(FAIL, 0) + len(stuck)
    if keeps:
        counts[KEEP] = len(keeps)
    if pruned:
        counts[PRUNE] = len(pruned)
    removed = _folders_a_prune_empties(root, pruned, claims.folders, plan.protected_folders())
    left = _folders_a_prune_leaves_empty(
        root, pruned, removed, [d.item.dest for d in decisions if d.action == COPY])
    if left:  # (as the run says it: QA186, the dry run did not)
        notes.append(_emptied_folders_kept_note(left, dry_run=True))
    return {"plan": plan.summary(), "actions": dict(counts), "bytes_to_write": sum(
        d.item.size for d in decisions if d.action == COPY and id(d) not in unreadable),
        "bytes_needed": need,
        "free_bytes": free, "margin_bytes": margin,
        "enough_space": free is None or has_room(need, free, margin),  # None: not reported
        # (refused for want of space: what `--prune` would free, said with the refusal)
        "prunable_bytes": 0 if free is None or has_room(need, free, margin)
        else _room_a_prune_makes(db, plan, claims, options),
        # what it would write where (QA85 F5: a first deploy's dry run named no file)
        "copy": [{"path": d.item.dest, "from": d.item.source or None, "bytes": d.item.size}
                 for d in decisions if d.action == COPY and id(d) not in unreadable],
        "prune": pruned,
        "prune_folders": removed,
        "conflicts": [d.item.dest for d in decisions if d.action == CONFLICT],
        "conflict_notes": {d.item.dest: d.note for d in decisions if d.action == CONFLICT},
        # the files of yours it would keep as identical, as the run names them (QA138 F7:
        # counted "1 skip", never named)
        "identical": [{"path": d.item.dest, "source": d.item.source or None,
                       "status": "skipped", "error": d.note} for d in decisions
                      if d.action == SKIP and d.note == IDENTICAL_KEPT],
        "failures": [d.note or d.item.dest for d in decisions if d.action == FAIL]
        + list(unreadable.values()) + list(stuck.values()),
        "replace": [{"path": d.item.dest, "reason": d.item.replacing} for d in decisions
                    if d.action == COPY and d.item.replacing],
        "prune_kept": sorted(set(claims.prune_kept) | set(claims.prune_unrecorded)
                             | set(claims.prune_unreadable)),
        "prune_held": sorted(set(claims.held_elsewhere)),
        "prune_unreplaced": sorted(set(claims.kept_unreplaced)),
        "prune_linked": sorted(set(claims.prune_linked)),
        "prune_library": sorted(set(claims.prune_library)),
        "prune_saves": saved_list(claims.prune_saves),
        "prune_never_ours": sorted(set(claims.prune_never_ours)),
        "prune_elsewhere": sorted(set(claims.prune_elsewhere)),
        "prune_other_computer": computers_list(claims.prune_other_computer),
        "prune_other_profile": profiles_list(claims.prune_other_profile),
        "prune_named": named_list(claims.prune_named),
        "prune_only_copy": sorted(set(claims.prune_only_copy)),
        "prune_only_copy_force": only_copies_force(claims), "notes": notes}


def only_copies_force(claims: Claims) -> list[str]:
    """The files a prune keeps as maybe the only copy left that ``--force`` removes (see
    :func:`_only_copies_of_ours`), as the JSON lists them."""
    return sorted(set(claims.prune_unheld) | set(claims.playlists_of_unheld))


def named_list(kept: dict[str, str]) -> list[dict[str, str]]:
    """The files a prune keeps as a list it keeps for others names them, as the JSON
    lists them."""
    return [{"path": dest, "named_by": by} for dest, by in sorted(kept.items())]


def computers_list(kept: dict[str, str]) -> list[dict[str, str]]:
    """The files a prune keeps for another computer, as the JSON lists them."""
    return [{"path": dest, "computer": computer} for dest, computer in sorted(kept.items())]


def _other_profiles_note(claims: Claims, keeps: str) -> str:
    """The note of the files a prune keeps as other profiles' (``keeps``: "keeps" or "would
    keep"), naming every profile whose deploys chose them and the `profile rm` of each
    (one was named, and removing it freed nothing another still chose)."""
    count = len(claims.prune_other_profile)
    ids = sorted({p for chosen in claims.prune_other_profile.values() for p in chosen})
    profiles = ", ".join(_profile_named(claims.db, p) for p in ids)
    remove = joined([f"`romrunner profile rm {p}`" for p in ids])
    one = len(ids) == 1
    whose = "another profile's" if one else "other profiles'"
    return (f"--prune {keeps} {counted(count, 'file')} {whose} deploys chose on this card "
            f"({profiles}): a card two profiles share keeps each one's games; a prune by "
            f"{'that profile' if one else 'each'} removes those it no longer chooses, and "
            "those of a profile deleted are pruned by any (a device moved to another OS: "
            f"{remove} {'lets' if one else 'let'} this prune remove "
            f"{'its' if one else 'their'} old copies) "
            f"({_examples(list(claims.prune_other_profile))})")


def _named_by_kept_lists_note(claims: Claims, keeps: str) -> str:
    """The note of the files a prune keeps because a playlist or sheet it keeps for
    another profile or computer names them (see :func:`_without_files_of_kept_lists`)."""
    lists = sorted(set(claims.prune_named.values()))
    whose: list[str] = []
    for dest in lists:
        if dest in claims.prune_other_profile:
            who = ", ".join(_profile_named(claims.db, p)
                            for p in claims.prune_other_profile[dest])
        else:
            who = claims.prune_other_computer.get(dest, "another computer")
        whose.append(f"{dest}, kept for {who}")
    count = len(claims.prune_named)
    one = count == 1
    kept = "a file" if one else f"{count:,} files"
    these = "it" if one else "them"
    one_list = len(lists) == 1
    # (a few lists named, the rest counted: 5,000 sets made one line of 355 KB — review53a F2)
    return (f"--prune {keeps} {kept} of ours that "
            f"{'a playlist or sheet' if one_list else 'playlists or sheets'} it {keeps} for "
            f"another profile or computer ({examples(whose, sep='; ')}) "
            f"{'names' if one_list else 'name'} as {'it is' if one_list else 'they are'} on "
            "the card now: removed, that profile's game would be listed and not start; once "
            f"a deploy of that profile writes its own playlist there, a prune removes {these} "
            f"({_examples(list(claims.prune_named))})")


def profiles_list(kept: dict[str, tuple[int, ...]]) -> list[dict[str, Any]]:
    """The files a prune keeps for other profiles of a shared card, as the JSON lists them:
    ``profile`` the first of ``profiles``, every profile whose deploys chose the file."""
    return [{"path": dest, "profile": profiles[0], "profiles": list(profiles)}
            for dest, profiles in sorted(kept.items())]


def saved_list(kept: dict[str, list[str]]) -> list[dict[str, Any]]:
    """The files a prune keeps for the player's saves, as the JSON lists them (QA51 F2)."""
    return [{"path": dest, "saves": saves} for dest, saves in sorted(kept.items())]


def _unreadable_sources(decisions: list[_Decision]) -> dict[int, str]:
    """The copies whose source the run could not open (permissions changed since the scan, a
    link or a pipe put in its place), by their decision's id, each in the run's words: the
    dry run opens each as the run does, and says they would fail."""
    found: dict[int, str] = {}
    for decision in decisions:
        if decision.action == COPY and decision.item.source:
            try:
                fd, _ = _open_source(decision.item)
            except _FileFailed as exc:
                found[id(decision)] = str(exc)
            else:
                os.close(fd)
    return found


# A deployment that tells what its folder was: a card's mount point (a volume UUID for its
# id, or recorded as mounted), or a folder deployed to as a plain folder on purpose
# (``--plain-folder``); the newest of them at a folder decides (see refuse_an_unmounted_card)
_SAYS_WHAT_FOLDER = ("(destination_id LIKE 'uuid:%' OR (json_valid(options_json) AND "
                     "(json_extract(options_json, '$.mounted') = 1 "
                     "OR json_extract(options_json, '$.plain_folder') = 1)))")
_SAID_ROW = "id, started_at, destination_path, destination_id, options_json"


def refuse_an_unmounted_card(db: Database, card: Path, *, plain_folder: bool = False) -> None:
    """Refuse a deploy to a folder a card was mounted on when deployed to, now no mount and
    holding no card of ours: the card is not mounted, and its games would fill the
    computer's own disk (QA162 F1: 1,500 files written there, "completed"). Known by the
    newest deployment at this path that says what the folder was: one to a mounted volume
    (a volume UUID for its id, or recorded as mounted) refuses; one made with
    ``--plain-folder`` (``plain_folder``: this deploy is one), the folder a plain folder of
    the computer on purpose, does not."""
    if plain_folder or not card.is_dir() or os.path.ismount(card.resolve()):
        return  # (no folder: said as ever; a link to a mount: the card — review 36 F3)
    real = os.path.realpath(card)
    rows = _deployments_at(db, card, real)
    if not rows or _plain_folder_row(rows[0]):
        return
    mounted = [row for row in rows if not _plain_folder_row(row)]
    # (a card id here that is not the mounted card's: the folder an earlier deploy to the
    # unmounted card filled — QA165 F2, its `.romrunner/` turned the refusal off)
    here = card_destination_id(card, create=False) if (card / CARD_DIR).exists() else None
    if here is not None and (here in {str(r["destination_id"]) for r in mounted} or any(
            (recorded if isinstance(recorded, str) else os.path.realpath(str(path))) == real
            for path, recorded in db.query(
                "SELECT DISTINCT destination_path, CASE WHEN json_valid(options_json) THEN "
                "json_extract(options_json, '$.real_path') END FROM deployment_history "
                f"WHERE {_SAYS_WHAT_FOLDER} AND destination_id = ? AND NOT (json_valid("
                "options_json) AND json_extract(options_json, '$.plain_folder') = 1)",
                (here,)))):
        return
    row = rows[0]
    mounted_here = (f"{card}: no card is mounted here: deployment {row['id']} "
                    f"({str(row['started_at'])[:10]}) wrote to a card mounted at this folder")
    # (the folder holds the files of a deploy made here with --plain-folder before that card
    # was mounted: the refusal said nothing of them, as if it held nothing of ours, qa176 #10)
    plain = next((r for r in rows if _plain_folder_row(r) and here is not None
                  and str(r["destination_id"]) == here), None)
    if plain is not None:
        raise DeployError(
            f"{mounted_here}; the folder holds what deployment {plain['id']} "
            f"({str(plain['started_at'])[:10]}) wrote to it with --plain-folder: deploy with "
            "--plain-folder to go on with that folder, or mount the card; nothing was changed")
    raise DeployError(
        f"{mounted_here}, which is now a folder of the computer's own disk; mount the card (or "
        "deploy to another folder), or, to use this folder as a plain folder on purpose, "
        "deploy with --plain-folder (the next deploys here then need it no more); nothing was "
        "changed")


def _deployments_at(db: Database, card: Path, real: str) -> list[sqlite3.Row]:
    """The deployments at the folder ``card`` (its real path ``real``) that say what it was
    (see _SAYS_WHAT_FOLDER), newest first, found by path without looking at any folder: the
    path a deploy recorded (this one's, or its real one), or the real path it recorded
    (``real_path``: a link an earlier deploy went through, QA165 F4). Only a deployment an
    earlier release recorded, without its real path, at another path and since the newest
    found so, has its folder resolved — each such folder once."""
    names = json.dumps(sorted({str(card), os.path.abspath(card), real}))
    rows = list(db.query(
        f"SELECT {_SAID_ROW} FROM deployment_history WHERE (destination_path IN "
        "(SELECT value FROM json_each(:names)) OR (json_valid(options_json) AND "
        "json_extract(options_json, '$.real_path') = :real)) AND "
        f"{_SAYS_WHAT_FOLDER} ORDER BY id DESC", {"names": names, "real": real}))
    since = int(rows[0]["id"]) if rows else 0
    linked = [str(path) for (path,) in db.query(
        "SELECT DISTINCT destination_path FROM deployment_history WHERE id > ? AND "
        "destination_path NOT IN (SELECT value FROM json_each(?)) AND NOT (json_valid("
        "options_json) AND json_type(options_json, '$.real_path') = 'text') AND "
        f"{_SAYS_WHAT_FOLDER}", (since, names)) if os.path.realpath(str(path)) == real]
    if linked:
        rows += db.query(
            f"SELECT {_SAID_ROW} FROM deployment_history WHERE id > ? AND destination_path "
            f"IN (SELECT value FROM json_each(?)) AND {_SAYS_WHAT_FOLDER}",
            (since, json.dumps(linked)))
        rows.sort(key=lambda row: -int(row["id"]))
    return rows


def _plain_folder_row(row: sqlite3.Row) -> bool:
    """Whether a deployment was made with ``--plain-folder`` (its folder no mount then)."""
    return stored_options(row["options_json"]).get("plain_folder") is True


def refuse_library_overlap(db: Database, card: Path, items: Iterable[PlanItem] = (), *,
                           plan: DeployPlan | None = None) -> None:
    """Refuse a card that is, lies inside or holds a library root, or holds a file the plan
    copies from: with ``--overwrite`` or ``--prune`` a deploy there could replace or remove
    the user's own ROMs and BIOS, and a scan would take the card's copies for games.

    Folders are compared by identity (device and inode) and by their place in their file
    system (the system's mount table) as well as by path, so a second path to the same
    folder (a bind mount of a root or of a folder in it, a share mounted twice, a root whose
    path became a link) is caught too. ``plan``: the files to copy are the plan's (its
    sources' folders asked of it: see :meth:`DeployPlan.source_folders`)."""
    target = _resolved(card)
    card_chain = _identities(target)  # the card (when it exists) and every folder above it
    card_id = _identity(target)
    card_place = place_on_device(target) if card_id is not None else None
    for root in list_roots(db):
        other = root.path  # stored resolved; resolving again could hang on an offline share
        root_id = _identity(other)
        root_place = place_on_device(other) if root_id is not None else None
        if target == other or target.is_relative_to(other) or root_id in card_chain \
                or _placed_inside(card_place, root_place):
            raise DeployError(f"{card}: is inside the library root {root.path}; deploy to "
                              "a folder outside the library")
        if other.is_relative_to(target) or (card_id is not None and root_id is not None and (
                card_id in _identities(other) or card_id in _identities(_resolved(other)))) \
                or _placed_inside(root_place, card_place):
            raise DeployError(f"{card}: holds the library root {root.path}; deploy to a "
                              "folder outside the library")
    inside = f"{str(target).rstrip('/')}/"
    above: dict[str, bool] = {}  # source folder -> the card is that folder or above it
    folders = plan.source_folders() if plan is not None else {
        item.source.rpartition("/")[0] for item in items if item.source}
    for folder in folders:  # each folder once
        if f"{folder}/".startswith(inside) or (
                card_id is not None and _below(folder, card_id, above)):
            source = next(item.source for item in (plan.items if plan is not None else items)
                          if item.source and item.source.rpartition("/")[0] == folder)
            raise DeployError(f"{card}: holds {source}, a file this deploy copies "
                              "from; deploy to a folder outside your library and BIOS")
    outer = enclosing_card(target)
    # (a folder above that holds several cards is no card: its record is a mistaken deploy
    # to it, and never the reason to refuse a real card — review 160 F3)
    if outer is not None and len(cards_inside(outer)) < 2:
        raise DeployError(f"{card}: is a folder of the card {outer}, which ROM Runner deploys "
                          f"to ({CARD_DIR}/ there): give the card's own folder, --to {outer}")
    # (two or more: one is a card's folder deployed to by mistake, the card given now)
    if card_id is not None and not (target / CARD_DIR).exists() \
            and len(inner := cards_inside(target)) > 1:
        raise DeployError(f"{card}: holds cards ROM Runner deploys to "
                          f"({examples([str(path) for path in inner])}): "
                          "give one card's own folder (copies of cards kept on this one: "
                          "move them out of it first)")


def _resolved(path: Path) -> Path:
    """``path`` made absolute with links resolved as far as they exist (never raises)."""
    try:
        return Path(os.path.realpath(path))
    except OSError:
        return Path(os.path.abspath(path))


_Identity = tuple[int, int]
_Place = tuple[str, PurePosixPath] | None


def _placed_inside(inner: _Place, outer: _Place) -> bool:
    """True when ``inner`` is ``outer`` or inside it on the same file system."""
    return inner is not None and outer is not None and inner[0] == outer[0] \
        and inner[1].is_relative_to(outer[1])


def _identity(path: Path | str) -> _Identity | None:
    """A folder's (device, inode), following links; None when it cannot be reached."""
    try:
        info = os.stat(path)
    except OSError:
        return None
    return (info.st_dev, info.st_ino)


def _identities(path: Path) -> set[_Identity]:
    """The identities of ``path`` and of every folder above it that can be reached."""
    found = (_identity(folder) for folder in (path, *path.parents))
    return {identity for identity in found if identity is not None}


def _below(folder: str, card_id: _Identity, memo: dict[str, bool]) -> bool:
    """True when the card is ``folder`` or a folder above it (each folder stat'ed once)."""
    if folder in memo:
        return memo[folder]
    parent = folder.rpartition("/")[0]
    memo[folder] = _identity(folder or "/") == card_id or (
        bool(folder) and _below(parent, card_id, memo))
    return memo[folder]


def _plan_items(plan: DeployPlan, indexes: Iterable[int] | None = None) -> list[_Item]:
    """The plan's files (those at ``indexes``) as items; an item's seq is its index."""
    if indexes is not None and not indexes:
        return []  # (a kept plan's files are not even read back: see DeployPlan.items)
    items = plan.items
    chosen = range(len(items)) if indexes is None else indexes
    return [_Item(seq, item.kind, "copy", item.platform_id, item.source, item.source_mtime_ns,
                  item.content, item.dest, item.size, item.sha1 or _content_sha1(item), None,
                  "pending", item.game_id)
            for seq in chosen for item in (items[seq],)]


def _content_sha1(item: PlanItem) -> str | None:
    """The SHA1 of a generated file's bytes (a playlist), so a playlist whose text changed
    but not its length is written again."""
    return None if item.content is None else hashlib.sha1(item.content).hexdigest()


def fast_skips(root: Path, items: list[PlanItem], files: dict[str, Any]
               ) -> tuple[list[int], dict[str, list[int]]]:
    """Split ``items`` into the files on the card exactly as the card's manifest copy
    (``files``, as parsed) records them — a regular file of that size and modification time,
    whose record's size and SHA1 are the planned file's — and the rest (their indexes).

    The common case of a re-deploy, done in bulk: one ``stat`` per file relative to its
    folder's descriptor, compared in one pass per folder, with no per-file decision. It
    decides nothing the one-by-one rules would not (see :func:`_decide_copy`); whatever it
    does not settle goes to them. The sources are not looked at: an unchanged file of ours
    holding the planned content needs none. Returns the indexes of the rest and, per
    platform, [files, bytes] found unchanged.
    """
    groups: dict[tuple[str, str], list[int]] = defaultdict(list)  # (folder, platform)
    rest: list[int] = []
    for index, item in enumerate(items):
        if item.content is None:
            groups[(item.dest.rpartition("/")[0], item.platform_id or "")].append(index)
        else:
            rest.append(index)  # a playlist: few, decided one by one
    unchanged: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    base, get, file_type, regular = str(root), files.get, 0o170000, stat.S_IFREG
    off = _OffCard(root)
    for (folder, platform), indexes in groups.items():
        group = [items[index] for index in indexes]
        if off.why(folder) is not None:
            rest.extend(indexes)  # (off the card: see _decide; review 113 F4)
            continue
        try:
            fd = os.open(f"{base}/{folder}" if folder else base,
                         os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC)
        except OSError:
            rest.extend(indexes)
            continue
        try:
            infos = _stats_at(fd, group)
        finally:
            os.close(fd)
        try:
            same = [info is not None and (record := get(item.dest)) is not None
                    and record[0] == item.size == info.st_size
                    and record[1] == info.st_mtime_ns
                    and info.st_mode & file_type == regular
                    # (a source known by its CRC32 only is decided one by one: QA53 F4)
                    and item.sha1 is not None and (record[2] is None or record[2] == item.sha1)
                    for item, info in zip(group, infos, strict=True)]
        except (TypeError, LookupError):  # a malformed record: decided one by one
            rest.extend(indexes)
            continue
        found = sum(same)
        if found:
            entry = unchanged[platform]
            entry[0] += found
            entry[1] += sum(item.size for item, ok in zip(group, same, strict=True) if ok)
        if found < len(group):
            rest.extend(index for index, ok in zip(indexes, same, strict=True) if not ok)
    rest.sort()
    return rest, dict(unchanged)


def _stats_at(fd: int, group: list[PlanItem]) -> list[os.stat_result | None]:
    """``lstat`` of each item's name in the folder open as ``fd`` (None: not there)."""
    stat_at = os.stat
    try:
        return [stat_at(item.dest.rpartition("/")[2], dir_fd=fd, follow_symlinks=False)
                for item in group]
    except OSError:
        pass
    found: list[os.stat_result | None] = []
    for item in group:
        try:
            found.append(stat_at(item.dest.rpartition("/")[2], dir_fd=fd,
                                 follow_symlinks=False))
        except OSError:
            found.append(None)
    return found


def _empty_folder(path: str) -> bool:
    """True when ``path`` is a folder with nothing in it (False when it is gone)."""
    try:
        with os.scandir(path) as entries:
            return next(entries, None) is None
    except OSError:
        return False


def _prune_items(root: Path, plan: DeployPlan, claims: Claims) -> list[_Item]:
    """Files of ours, unchanged since we wrote them, that the plan no longer selects.

    Held, wherever our records put them: the copies of games chosen but not deployable now
    and of games the library has but cannot deploy now (``plan.held_games``: missing since
    the scan, on a root that is not reachable), also in a folder their platform no longer
    goes to (noted in ``claims.held_elsewhere``). Kept, and noted in ``claims.prune_kept``:
    a file at a path we wrote that is not provably ours now (changed since)."""
    wanted = {collision_key(dest, plan.fs)
              for dest in (*(item.dest for item in plan.items), *plan.held)}
    candidates = claims.keys() - wanted
    held = claims.held_keys(plan.held_games, plan.held_sets, plan.held_sha1s) \
        if candidates and (plan.held_games or plan.held_sha1s) else set()
    chosen = claims.held_keys(plan.chosen_held_games,  # (their sets' playlists: review 105 F4)
                              set_mates(claims.db, plan.chosen_held_games), set()) \
        if held and plan.chosen_held_games else set()
    claims.let_go_playlists = claims.held_keys((), plan.sets_let_go, set()) \
        if candidates and plan.sets_let_go else set()
    others = claims.written_by_other_profiles() if candidates else {}
    claims.save_folders = tuple(plan.save_folders)
    roots = _content_roots(plan)
    composed: dict[str, dict[str, list[str]]] = {}  # (see _unicode_twin)
    found: list[_Item] = []
    sheets: dict[str, _Item] = {}  # the sheets kept as maybe the only copy: see below
    ours: dict[str, Owned] = {}  # the files of ours it prunes, by path (see below)
    for key in sorted(candidates):
        dest = claims.first(key).dest
        if claims.never_ours(dest):  # (a place ROM Runner never writes: QA82, review 86)
            claims.prune_never_ours.append(dest)
            continue
        if key not in claims.stored() and not dest.casefold().startswith(roots):
            # (a file only the card's manifest claims, out of the folders the layout puts
            # games, BIOS and playlists in: review 86 R1)
            claims.prune_elsewhere.append(dest)
            continue
        info = _lstat(root / dest)
        if info is None and not dest.isascii() \
                and (twin := _unicode_twin(root, dest, composed)):
            dest, info = twin  # (QA88 F4: a card copied back by a Mac: kept, unsaid)
        if info is None:
            continue  # gone (pruned before, deleted): nothing to keep or remove
        if not stat.S_ISREG(info.st_mode):
            # a folder or a link the user put in its place (QA74 F4: called "changed (other
            # size or bytes)", or, a folder, not said); never one of the plan's own folders
            if not stat.S_ISDIR(info.st_mode) or not _a_folder_of(plan, dest):
                claims.prune_not_a_file.append(dest)
            continue
        claim = claims.find(key, info, dest)
        if key in held and not claims.holds_a_present_games_copy(claim, plan.held_sha1s):
            claims.held_elsewhere.append(dest)
            if key in chosen:  # (review 103 F1: another profile's prune removed it)
                claims.chosen_held_elsewhere.append(dest)
            continue
        if claim is not None and key in others:
            claims.prune_other_profile[dest] = others[key]
            continue
        if claim is not None and (elsewhere := claims.written_elsewhere(key)) is not None:
            if not claims.prune_others:
                claims.prune_other_computer[dest] = elsewhere
                continue
            if not dest.lower().endswith(_WRITTEN_BY_US) and not claims.library_has(claim):
                # (--prune-others lets another computer's copies go, but not one of content
                # this library does not hold: on a card from a computer no longer used, maybe
                # the only copy left — qa175 F1, removed unsaid)
                claims.prune_only_copy.append(dest)
                claims.prune_unproven.append(dest)
                claims.only_copy_elsewhere[dest] = elsewhere  # (said as that computer's:
                # qa177 F3, "earlier deploys to this folder … no longer has" of a file
                # this library never had)
                _a_sheet_kept(sheets, claims, claim, dest)
                continue
        if claim is not None and key in claims.borrowed and key not in claims.card \
                and not dest.lower().endswith(_WRITTEN_BY_US) \
                and not claims.library_has(claim):
            # (written to this folder, maybe to another card: the only copy? Not a playlist
            # a deploy made: QA158 N1, kept for sets whose discs the prune removed)
            _a_sheet_kept(sheets, claims, claim, dest)
            claim = None
            claims.prune_only_copy.append(dest)
        elif claim is not None and key not in claims.stored() \
                and claim.writer is not None and claim.writer == claims.writer \
                and not dest.lower().endswith(_WRITTEN_BY_US) \
                and not claims.library_has(claim):
            # (this database wrote it, and has no record of it: restored from a backup older
            # than the copy; and the library no longer has its content: the only copy?
            # review 90 F2)
            claims.prune_only_copy.append(dest)
            claims.prune_unproven.append(dest)
            _a_sheet_kept(sheets, claims, claim, dest)
            continue
        if claim is None and not _through_a_link(root, dest, {}) \
                and _is_its_source(root, dest, claims):
            claims.prune_library.append(dest)  # (QA30 N4: "remove it yourself", said of it)
        elif claim is None and key in claims.borrowed and key not in claims.card:
            claims.prune_unproven.append(dest)  # (not "changed since": QA47 F2)
        elif claim is None and claims.went_unrecorded(key, info):
            claims.prune_unrecorded.append(dest)
        elif claim is None:
            claims.prune_kept.append(dest)
        else:
            found.append(_pruned(claims, claim, dest))
            ours[dest] = claim
    if ours and not claims.force_prune:
        unheld = _only_copies_of_ours(plan, claims, ours)
        for dest in unheld:
            claims.prune_only_copy.append(dest)
            claims.prune_unheld.append(dest)
            _a_sheet_kept(sheets, claims, ours[dest], dest)
        if unheld:
            found = [item for item in found if item.dest not in unheld]
    found = _without_saved_games(root, plan, claims, found)
    found += _sheets_of_pruned_tracks(root, claims, sheets, found)
    found = _without_playlists_of_kept_discs(root, claims, found)
    found = _without_files_of_kept_lists(root, claims, found)
    found.sort(key=_sheets_first)
    return found


def _without_files_of_kept_lists(root: Path, claims: Claims, found: list[_Item]
                                 ) -> list[_Item]:
    """``found`` but the files that a playlist or disc sheet the prune keeps for another
    profile or computer names as it is on the card now, and the files its sheets name in
    turn: noted in ``claims.prune_named`` (path -> that list). Two profiles sharing a card
    write one set's playlist at one path, each with its own lines: the one on the card may
    name the pruning profile's files, which the other profile's game now starts from
    (review52d F1: muOS's set listed by KNULLI's playlist, whose flat discs KNULLI's prune
    removed — a game listed that does not start). Once the other profile's deploy writes
    its own lines there, nothing names them and the next prune removes them."""
    lists = sorted(dest for dest in (*claims.prune_other_profile, *claims.prune_other_computer)
                   if dest.lower().endswith(_NAMING_LISTS))
    if not lists or not found:
        return found
    named: dict[str, str] = {}
    for dest in lists:
        for path in listed_by_sheets(root, [dest]):
            named.setdefault(collision_key(path, claims.fs), dest)
    out: list[_Item] = []
    for item in found:
        by = named.get(collision_key(item.dest, claims.fs))
        if by is None:
            out.append(item)
        else:
            claims.prune_named[item.dest] = by
    return out


# The files that name others on the card: playlists and disc sheets (see listed_by_sheets)
_NAMING_LISTS = (".m3u", ".cue", ".gdi")


def _only_copies_of_ours(plan: DeployPlan, claims: Claims, ours: dict[str, Owned]
                         ) -> set[str]:
    """Those of ``ours`` (files of ours a prune would remove: path -> its record) whose game
    the library no longer has (forgotten, its root removed: see :func:`present_games`),
    whose content no file of the library holds now (by the record's SHA1: see
    :meth:`Claims.library_has`) and that no file of the plan replaces (see
    :func:`_replaced_by_the_plan`): maybe the only copy left — its library's drive lost, the
    game forgotten — kept unless ``--force``. A game the library has, no longer chosen, has
    its copy pruned as ever, whatever its file's hashes say now (review44c F1: a zip
    re-zipped, a file rewritten, had its copy kept). Not a playlist a deploy wrote, nor a
    record without a SHA1 (nothing to tell). The library is asked once for them all (see
    :meth:`Claims.know_held`), its present games first: their files are not read."""
    asked = {dest: claim for dest, claim in ours.items()
             if claim.sha1 and not dest.lower().endswith(_WRITTEN_BY_US)}
    games = {dest: game for dest in asked
             if (game := claims.game_copied_to(dest)) is not None}
    present = present_games(claims.db, games.values())
    asked = {dest: claim for dest, claim in asked.items() if games.get(dest) not in present}
    if not asked:
        return set()
    claims.know_held(asked.values())
    claims.know_members(asked.values())
    lacking = {dest: claim for dest, claim in asked.items() if not claims.library_has(claim)}
    if not lacking:
        return set()
    replaced = _replaced_by_the_plan(plan, claims)
    return {dest for dest, claim in lacking.items()
            if not replaced(dest, claim) and not _source_still_there(claims, dest, claim)}


def _source_still_there(claims: Claims, dest: str, claim: Owned) -> bool:
    """True when the library file the card's copy at ``dest`` was made from is still where
    it was, of its size: not the only copy left, whatever the library's rows say now
    (review44c F3: a root removed by `library rm` while its files are there had every copy
    of its games kept as the only one)."""
    source = claims.copied_source(dest)
    if source is None:
        return False
    try:
        return os.stat(os_path(source)).st_size == claim.size
    except OSError:
        return False


def _replaced_by_the_plan(plan: DeployPlan, claims: Claims
                          ) -> Callable[[str, Owned], bool]:
    """Whether a file of ours no longer chosen (its path and record) has a file of the plan
    that replaces it, as :func:`_replacing` pairs a prune with the run's copies: its very
    bytes, a file of its game, of the game it was left out for (``plan.copies``), or, its
    game forgotten, a file of its platform of its name (see :func:`_titled_if_gone`: a game
    switched to another format, its old files forgotten)."""
    sha1s = {item.sha1 for item in plan.items if item.sha1 and item.kind != PLAYLIST}
    games = {item.game_id for item in plan.items if item.game_id is not None}
    titles = {_title_key(item.platform_id, item.dest) for item in plan.items
              if item.kind == ROM and item.platform_id}
    copy_of = dict(plan.copies)

    def replaced(dest: str, claim: Owned) -> bool:
        game = claims.game_copied_to(dest)
        platform = claims.platform_copied_to(dest)
        if claim.sha1 in sha1s:
            return True
        if game is not None:  # (by its name only when its game is forgotten: _titled_if_gone)
            return game in games or copy_of.get(game) in games
        return platform is not None and _title_key(platform, dest) in titles
    return replaced


def _pruned(claims: Claims, claim: Owned, dest: str) -> _Item:
    """The prune of ``dest``, a file of ours ``claim`` proves: with the platform its copy was
    made for (`deploy show` counts its prune there, QA178 F9, not under a row of its own)."""
    return _Item(0, "other", "prune", claims.platform_copied_to(claim.dest), "", None, None,
                 dest, claim.size, claim.sha1, claim.mtime_ns, "pending",
                 claims.game_copied_to(claim.dest))


# The CRC32s of zip members asked of the library per query (see Claims.know_members)
_CRCS_ASKED = 3000


# The disc sheets whose tracks a prune reads (see _sheets_of_pruned_tracks)
_TRACK_SHEETS = (".cue", ".gdi")


def _a_sheet_kept(sheets: dict[str, _Item], claims: Claims, claim: Owned, dest: str) -> None:
    """Note ``dest``, a file of ours a prune keeps as maybe the only copy left, in
    ``sheets`` when it is a disc's sheet (see :func:`_sheets_of_pruned_tracks`)."""
    if dest.lower().endswith(_TRACK_SHEETS):
        sheets[dest] = _pruned(claims, claim, dest)


def _sheets_of_pruned_tracks(root: Path, claims: Claims, sheets: dict[str, _Item],
                             found: list[_Item]) -> list[_Item]:
    """The prunes of those of ``sheets`` (disc sheets of ours kept as maybe the only copy
    left: their bytes are in no file of the library — an older sheet of a disc whose track
    was renamed since) every file of which this prune removes (``found``) or the card no
    longer has, one at least removed: a sheet without its tracks starts nothing, and kept it
    kept its set's playlist, a game the frontend lists that does not start (qa191: the
    `.cue` and `.m3u` stayed, named as maybe the only copy, their tracks removed). Taken
    off the notes' only copies."""
    if not sheets:
        return []
    pruned = {collision_key(item.dest, claims.fs) for item in found}
    out: list[_Item] = []
    for dest, item in sorted(sheets.items()):
        listed = {collision_key(path, claims.fs): path
                  for path in listed_by_sheets(root, [dest])}
        if not listed.keys() & pruned or any(key not in pruned and _lstat(root / path)
                                             for key, path in listed.items()):
            continue
        for kept in (claims.prune_only_copy, claims.prune_unproven, claims.prune_unheld):
            while dest in kept:
                kept.remove(dest)
        claims.only_copy_sheets[dest] = claims.only_copy_elsewhere.pop(dest, None)
        out.append(item)
    return out


def _without_playlists_of_kept_discs(root: Path, claims: Claims,
                                     found: list[_Item]) -> list[_Item]:
    """``found`` but the playlists (``.m3u``) naming a file the prune keeps as maybe the
    only copy left: with their discs kept, the game stays listed (review 160 F7: the
    playlist went, its discs were kept in a hidden folder nothing pointed at). Those whose
    kept files are all ones ``--force`` removes (``prune_unheld``) are noted as such."""
    kept = {dest.casefold() for dest in claims.prune_only_copy}
    if not kept:
        return found
    unheld = {dest.casefold() for dest in claims.prune_unheld}
    out: list[_Item] = []
    for item in found:
        if item.dest.lower().endswith(_WRITTEN_BY_US):
            folder = item.dest.rpartition("/")[0]
            try:
                lines = (root / item.dest).read_text(encoding="utf-8",
                                                     errors="replace").splitlines()
            except OSError:
                lines = []
            # (a line `./NAME` is NAME: see m3u_line — review40b F8)
            listed = {str(PurePosixPath(folder) / line.strip()).casefold()
                      for line in lines if line.strip() and not line.startswith("#")}
            if listed & kept:
                claims.prune_only_copy.append(item.dest)
                claims.prune_unproven.append(item.dest)
                claims.playlists_of_kept.append(item.dest)  # (said as such: see prune_notes)
                if listed & kept <= unheld:  # (its discs go with --force, and it with them)
                    claims.playlists_of_unheld.append(item.dest)
                continue
        out.append(item)
    return out


def _sheets_last(root: Path, decisions: list[_Decision], claims: Claims,
                 done: Iterable[str] = ()) -> None:
    """Note in ``claims`` the prunes of disc sheets whose content the library does not have
    (maybe the only copy left: see :func:`_sheets_of_pruned_tracks`) that list a file the
    run prunes too, and the prunes of the playlists listing them: the run removes them after
    every other file, each only once the files it lists are gone from the card (see
    :func:`_apply`) — a track the run keeps (changed on the card since, a held copy, an I/O
    error) keeps its sheet, and the set's playlist with it (review41b: the sheet and the
    .m3u went, the track stayed with nothing naming it). Those whose track is kept already
    by its decision are kept now, as the dry run says. Read again by a resume (its plan's
    notes are not kept): any such sheet of the run, by the library, its tracks those of the
    run's prunes, ``done`` the paths of those not to do again (removed or kept already)."""
    prunes = {collision_key(d.item.dest, claims.fs): d for d in decisions
              if d.item.action == "prune"}
    pruned = prunes.keys() | {collision_key(dest, claims.fs) for dest in done}
    sheets: dict[str, _Decision] = {}
    for key, decision in prunes.items():
        dest = decision.item.dest
        if decision.action != PRUNE or not dest.lower().endswith(_TRACK_SHEETS) \
                or (dest not in claims.only_copy_sheets and (
                    decision.claim is None or claims.library_has(decision.claim))):
            continue
        tracks = {collision_key(path, claims.fs)
                  for path in listed_by_sheets(root, [dest])} & pruned
        if not tracks:
            continue
        claims.sheets_last[dest] = tracks
        sheets[key] = decision
        if any(track in prunes and prunes[track].action != PRUNE for track in tracks):
            decision.action, decision.note = KEEP, SHEET_OF_A_KEPT_TRACK
            _sheet_kept(claims, dest)
    if not sheets:
        return
    for decision in prunes.values():
        dest = decision.item.dest
        if decision.action != PRUNE or not dest.lower().endswith(_WRITTEN_BY_US):
            continue
        named = {collision_key(path, claims.fs)
                 for path in listed_by_sheets(root, [dest])} & sheets.keys()
        if not named:
            continue
        claims.playlists_last[dest] = named
        if any(sheets[key].action != PRUNE for key in named):
            decision.action, decision.note = KEEP, PLAYLIST_OF_A_KEPT_SHEET
            _playlist_kept(claims, dest)


def _sheet_kept(claims: Claims, dest: str) -> None:
    """Say ``dest``, a disc's sheet the prune meant to remove with its tracks, kept as maybe
    the only copy left after all (see :func:`_sheets_last`), as it was said before."""
    claims.prune_only_copy.append(dest)
    claims.prune_unproven.append(dest)
    elsewhere = claims.only_copy_sheets.get(dest)
    if elsewhere is not None:
        claims.only_copy_elsewhere[dest] = elsewhere


def _playlist_kept(claims: Claims, dest: str) -> None:
    """Say ``dest``, a set's playlist, kept with a disc's sheet kept (see
    :func:`_sheets_last`), as :func:`_without_playlists_of_kept_discs` says it."""
    claims.prune_only_copy.append(dest)
    claims.prune_unproven.append(dest)
    claims.playlists_of_kept.append(dest)


def _prune_last(runner: _Runner, decision: _Decision) -> None:
    """Carry out ``decision``, the prune of a sheet or playlist :func:`_sheets_last` put
    last: removed only when none of the files it lists that are to go is on the card now."""
    claims, dest = runner.claims, decision.item.dest
    tracks = claims.sheets_last.get(dest)
    if decision.action == PRUNE and tracks is not None:
        if any(_lstat(runner.root / path) is not None
               for path in listed_by_sheets(runner.root, [dest])
               if collision_key(path, claims.fs) in tracks):
            decision.action, decision.note = KEEP, SHEET_OF_A_KEPT_TRACK
            _sheet_kept(claims, dest)
    elif decision.action == PRUNE:
        sheets = claims.playlists_last.get(dest, set())
        if any(collision_key(path, claims.fs) in sheets and _lstat(runner.root / path)
               for path in listed_by_sheets(runner.root, [dest])
               if path.lower().endswith(_TRACK_SHEETS)):
            decision.action, decision.note = KEEP, PLAYLIST_OF_A_KEPT_SHEET
            _playlist_kept(claims, dest)
    runner.prune(decision)


def _unicode_twin(root: Path, dest: str, composed: dict[str, dict[str, list[str]]]
                  ) -> tuple[str, os.stat_result] | None:
    """The card's file that is ``dest`` in another Unicode form (a card copied by a Mac
    holds decomposed names), with its ``lstat``; None when there is none. ``composed``: the
    folders listed already (folder -> its non-ASCII names composed -> as the card has them)."""
    folder, _, name = dest.rpartition("/")
    names = composed.get(folder)
    if names is None:
        try:
            listed = os.listdir(root / folder)
        except OSError:
            listed = []
        names = composed[folder] = defaultdict(list)
        for listed_name in listed:
            if not listed_name.isascii():
                names[unicodedata.normalize("NFC", listed_name)].append(listed_name)
    twin = next((e for e in names.get(unicodedata.normalize("NFC", name), ()) if e != name),
                None)  # (the first other spelling, as listed)
    if twin is None:
        return None
    info = _lstat(root / folder / twin)
    return (f"{folder}/{twin}" if folder else twin, info) if info else None


# macOS writes a file's metadata on a FAT or exFAT card beside it as `._NAME` (AppleDouble),
# which some frontends list as a game that does not start (QA88 F9).
_APPLE_DOUBLE = b"\x00\x05\x16\x07"
_APPLE_DOUBLE_MOST = 1 << 20


def _remove_its_apple_double(target: Path) -> None:
    """Remove the `._NAME` macOS wrote beside ``target`` (a file of ours just pruned): its
    metadata, nothing of anyone's own; only a regular file that is AppleDouble by its magic."""
    companion = target.with_name(f"._{target.name}")
    info = _lstat(companion)
    if info is None or not stat.S_ISREG(info.st_mode) or info.st_size > _APPLE_DOUBLE_MOST:
        return
    with contextlib.suppress(OSError):
        with open(companion, "rb", opener=lambda path, flags: os.open(
                path, flags | os.O_NOFOLLOW)) as handle:
            if handle.read(4) != _APPLE_DOUBLE:
                return
        os.unlink(companion)


# Files whose bytes a deploy makes (a set's playlist): never the library's content, so never an
# only copy of it. (Not a sheet: the library's own, copied as it is, may be the only one left
# with its tracks: review 92 F3.)
_WRITTEN_BY_US = (".m3u",)


def _content_roots(plan: DeployPlan) -> tuple[str, ...]:
    """The folders (case-folded, ``/``-ended) the plan's layout puts games, BIOS files and
    playlists under, for any platform (see ``DeployPlan.content_folders``), and above each of
    the plan's ROM folders the folder holding them all."""
    folders = {*plan.layout_folders, *plan.content_folders,
               *(f for f in plan.rom_folders.values() if f)}
    folders |= {parent for f in plan.rom_folders.values() if f
                if (parent := f.rpartition("/")[0])}
    return tuple(f"{folder.casefold()}/" for folder in folders if folder not in ("", "."))


class _NeverOurs:
    """The places on a card ROM Runner never writes to, whatever a record says: outside the
    card, its own ``.romrunner/``, the OS's saves folders, a file named as a save is — by
    spelling, and by the folder a path reaches: a FAT card finds `MUOS/save.` and `ROMRUN~1`
    as those folders (review 86 R4)."""

    def __init__(self, root: Path, save_folders: Iterable[str]) -> None:
        self.root = root
        self.folders = (CARD_DIR, *dict.fromkeys((*save_folders, *KNOWN_SAVE_FOLDERS)))
        self.spelled = tuple(f"{folder.casefold()}/" for folder in self.folders)
        self._identities: set[tuple[int, int]] | None = None

    def place(self, dest: str) -> bool:
        """True where ``dest`` is such a place."""
        if not on_the_card(dest) or named_like_a_save(dest.rpartition("/")[2]) \
                or dest.casefold().startswith(self.spelled):
            return True
        if self._identities is None:  # (not where the file system gives no inode numbers:
            # every folder 0 there, review 87 F2)
            self._identities = {(info.st_dev, info.st_ino) for folder in self.folders
                                if (info := _lstat(self.root / folder)) is not None
                                and stat.S_ISDIR(info.st_mode) and info.st_ino}
        parts = dest.split("/")[:-1]
        return any((info := _lstat(self.root.joinpath(*parts[:depth]))) is not None
                   and (info.st_dev, info.st_ino) in self._identities
                   for depth in range(1, len(parts) + 1))


def _a_folder_of(plan: DeployPlan, path: str) -> bool:
    """True when ``path`` is a folder the plan puts files in (its own, or above them)."""
    inside = f"{path}/".casefold() if plan.fs.case_insensitive else f"{path}/"
    return any((item.dest.casefold() if plan.fs.case_insensitive else item.dest)
               .startswith(inside) for item in plan.items)


def _written_sha1s(plan: DeployPlan) -> set[str]:
    """The SHA1s of the files the plan writes: a file of ours elsewhere on the card with one
    is a copy of what it writes (moved), no loss."""
    return {item.sha1 for item in plan.items if item.sha1}


def _without_saved_games(root: Path, plan: DeployPlan, claims: Claims,
                         found: list[_Item]) -> list[_Item]:
    """``found`` but the files the player's saves or states on the card are named after
    (and the tracks and discs their sheets list), noted in ``claims.prune_saves``: removed,
    the game that replaces them would not find the player's progress (QA50 F1, F2)."""
    if not found:
        return found
    writing = _written_sha1s(plan)
    games = {item.game_id for item in plan.items if item.game_id is not None}
    # (moved: its content written elsewhere, or its game's file: a game known by its CRC32
    # only has no SHA1 to tell it by, review 28 R4)
    moved = {item.dest for item in found if item.sha1 in writing
             or claims.game_copied_to(item.dest) in games}
    dests, launched = [item.dest for item in found], _launched_names(plan)
    launched_at = _launched_at(plan)
    same_name = _moved_under_its_name(claims, plan, found)
    # First every save named after a pruned file: most prunes find none, and are done.
    named = saves_named_after(root, plan.save_folders, dests, launched, _platforms_of(plan),
                              dests, launched_at, same_name)
    if not named:
        return found
    moved |= _replaced_by_its_family(claims, plan, set(named) - moved)
    saves = saves_named_after(root, plan.save_folders, dests, launched, _platforms_of(plan),
                              moved, launched_at, same_name)
    if not saves:
        return found
    keep = set(saves) | listed_by_sheets(root, saves)
    kept = [item for item in found if item.dest in keep]
    for item in kept:
        claims.prune_saves[item.dest] = saves.get(item.dest, [])
    return [item for item in found if item.dest not in keep]


def _moved_under_its_name(claims: Claims, plan: DeployPlan, found: list[_Item]) -> set[str]:
    """The paths of those of ``found`` (a prune's files) whose content, or game by this
    destination's records, the plan writes under the same name (see ``launched_name``) in
    another folder: a game filed under another platform since (`roms/gb/X.gb` now
    `roms/gbc/X.gb`), whose saves the new copy finds where they are not kept per platform
    (see ``saves_named_after``)."""
    by_sha1: dict[str, set[str]] = defaultdict(set)
    by_game: dict[int, set[str]] = defaultdict(set)
    for planned in plan.items:
        name = launched_name(planned.dest)
        if planned.sha1:
            by_sha1[planned.sha1].add(name)
        if planned.game_id is not None:
            by_game[planned.game_id].add(name)
    out: set[str] = set()
    for item in found:
        name = launched_name(item.dest)
        game = claims.game_copied_to(item.dest)
        if name in by_sha1.get(item.sha1 or "", ()) \
                or (game is not None and name in by_game.get(game, ())):
            out.add(item.dest)
    return out


def _replaced_by_its_family(claims: Claims, plan: DeployPlan, dests: set[str]) -> set[str]:
    """Those of ``dests`` whose game (by this destination's records) is of the family of a
    game the plan writes: a DAT's clone of another title, a title written with its article
    moved — versions the auto-list chose between, whose titles differ (QA53 F1: the clone
    the player saved was pruned without a word)."""
    from romrunner.devices.autolist import family_keys  # (it imports the deploy planner)

    recorded = {dest: game for dest in dests
                if (game := claims.game_copied_to(dest)) is not None}
    if not recorded:
        return set()
    theirs = family_keys(claims.db, recorded.values())
    platforms = {key.partition("|")[0] for key in theirs.values()}
    planned = [item.game_id for item in plan.items
               if item.game_id is not None and item.platform_id in platforms]
    chosen = set(family_keys(claims.db, planned).values())
    return {dest for dest, game in recorded.items() if theirs.get(game) in chosen}


# Playlists and disc sheets: what a frontend lists of a disc game
_LISTED_SUFFIXES = (".m3u", ".cue", ".gdi", ".ccd", ".toc")


def _sheets_first(item: _Item) -> bool:
    """The sort key that puts a prune's playlists and sheets before the rest: a run killed
    midway leaves the tracks of a game no longer listed, not a listed game that cannot
    start (a sheet whose track is gone)."""
    return not item.dest.lower().endswith(_LISTED_SUFFIXES)


def prune_notes(claims: Claims, *, dry_run: bool = False) -> list[str]:
    """The files a prune keeps, each kind counted in one note (none: no note)."""
    notes: list[str] = []
    keeps = "would keep" if dry_run else "kept"
    if claims.held_elsewhere:
        notes.append(
            f"--prune {keeps} {counted(len(claims.held_elsewhere), 'file')} an earlier deploy "
            "put on the card for games it cannot deploy now (missing from the library or "
            "changed since the scan, or on a library root that is not reachable), or good "
            "dumps of BIOS files the chosen platforms need (the library's copy gone or bad?), "
            "where they are now: such copies are never pruned "
            f"({_examples(claims.held_elsewhere)})")
    if claims.kept_unreplaced:  # (not "games it cannot deploy now": review42b F4)
        count = len(claims.kept_unreplaced)
        notes.append(
            f"--prune {keeps} {counted(count, 'file')} whose game's new copy (another name, "
            "folder or format of it) was not written: the next --prune removes "
            f"{'it' if count == 1 else 'them'} once it is ({_examples(claims.kept_unreplaced)})")
    if claims.prune_linked:
        count = len(claims.prune_linked)
        notes.append(
            f"--prune {keeps} {counted(count, 'file')} of ours reached through a symbolic "
            "link that leads off the card, or that a chosen file is too under another name "
            "(a linked folder): a prune never removes through such a link, where the file may "
            f"be the library's or one the card still needs ({_examples(claims.prune_linked)})")
    if claims.prune_library:
        count = len(claims.prune_library)
        notes.append(
            f"--prune {keeps} {counted(count, 'file')} on the card that "
            + ("is the library's own file" if count == 1 else "are the library's own files")
            + " (a link joins the library and the card there): never pruned "
            f"({_examples(claims.prune_library)})")
    only = set(claims.prune_only_copy)
    theirs = claims.only_copy_elsewhere
    if unproven := [dest for dest in claims.prune_unproven if dest not in only]:
        count = len(unproven)
        notes.append(
            f"--prune {keeps} {counted(count, 'file')} at paths earlier deploys to this folder "
            "wrote, with another time than they were written with (the card's files copied, "
            "or another card at this folder): not provably ROM Runner's "
            f"({_examples(unproven)})")
    playlists = set(claims.playlists_of_kept)
    only_copies = [dest for dest in claims.prune_unproven
                   if dest in only and dest not in theirs and dest not in playlists]
    if only_copies or theirs:
        # (QA145 F9: said of games the library has, known by their CRC32 only: their SHA1,
        # which proves a card's copy, is not computed yet)
        unverified = verify_counts(claims.db).unverified
        verify = (f"; {counted(unverified, 'file')} of the library "
                  f"{'is' if unverified == 1 else 'are'} known by CRC32 only: `romrunner scan "
                  "--verify` hashes them, and a prune then knows its copies") if unverified else ""
    if only_copies:
        count = len(only_copies)
        lacks = "whose content no file of the library is known to have (by its SHA1)" \
            if unverified else "whose content the library no longer has"
        notes.append(
            f"--prune {keeps} {counted(count, 'file')} at paths earlier deploys to this folder "
            f"wrote {lacks} (maybe the only copy left): "
            f"remove {'it' if count == 1 else 'them'} yourself if unwanted "
            f"({_examples(only_copies)}){verify}")
    if claims.prune_unheld:
        # (its library's drive lost and its root removed, the game forgotten: the card's
        # copy may be the last one anywhere)
        count = len(claims.prune_unheld)
        one = count == 1
        way = "kept as --keep-only-copies asks" if claims.keep_only_copies \
            else f"`--force` removes {'it' if one else 'them'}"
        notes.append(
            f"--prune {keeps} {counted(count, 'file')} of ours no longer chosen whose game "
            "the library no longer has (forgotten, or its library folder removed) as maybe "
            f"the only copy left: no library file holds {'its' if one else 'their'} content "
            f"now; {way} ({_examples(claims.prune_unheld)})")
    if theirs:
        # (another computer's files, which this library may never have had: qa177 F3)
        count = len(theirs)
        lacks = "no file of this library is known to have (by its SHA1)" if unverified \
            else "this library does not have"
        notes.append(
            f"--prune {keeps} {counted(count, 'file')} the ROM Runner of another computer or "
            f"database ({', '.join(sorted(set(theirs.values())))}) put on this card, whose "
            f"content {lacks} (maybe the only copy left): --prune-others removes only what "
            f"this library holds; remove {'it' if count == 1 else 'them'} yourself if "
            f"unwanted ({_examples(list(theirs))}){verify}")
    if playlists:
        # (a playlist a deploy wrote is no one's only copy: qa191, said as one)
        count = len(playlists)
        one = count == 1
        notes.append(
            f"--prune {keeps} {counted(count, 'playlist')} ROM Runner wrote for "
            f"{'a set' if one else 'sets'} a disc of which it "
            f"{'would keep' if dry_run else 'keeps'} as maybe the only copy left: kept with "
            f"{'that disc' if one else 'their discs'}, so the frontend still lists "
            f"{'the game' if one else 'the games'} ({_examples(sorted(playlists))})")
    if claims.prune_other_profile:
        notes.append(_other_profiles_note(claims, keeps))
    if claims.prune_named:
        notes.append(_named_by_kept_lists_note(claims, keeps))
    restored = [dest for dest, by in claims.prune_other_computer.items()
                if by == BEFORE_A_RESTORE]
    if restored:  # (review 115 F9: said as another computer's, which would prune them)
        count = len(restored)
        notes.append(
            f"--prune {keeps} {counted(count, 'file')} this database wrote or chose on this "
            f"card before a `db restore`, and has no record of now: no other prune removes "
            f"{'it' if count == 1 else 'them'}; `--prune-others` lets this one prune "
            f"{'it' if count == 1 else 'them'} ({_examples(restored)})")
    elsewhere = {dest: by for dest, by in claims.prune_other_computer.items()
                 if by != BEFORE_A_RESTORE}
    if elsewhere:
        count = len(elsewhere)
        computers = ", ".join(sorted(set(elsewhere.values())))
        notes.append(
            f"--prune {keeps} {counted(count, 'file')} the ROM Runner of another computer or "
            f"database ({computers}) put on this card or chose there last: a card used from "
            "two computers keeps each one's games, which that computer's prunes remove; "
            "`--prune-others` lets this one prune them too (a computer no longer used, a "
            "database restored from an older backup) "
            f"({_examples(list(elsewhere))})")
    if claims.prune_saves:
        count = len(claims.prune_saves)
        saves = sorted({path for paths in claims.prune_saves.values() for path in paths})
        named_first = sorted(claims.prune_saves,  # (the files the saves are named after)
                             key=lambda dest: (not claims.prune_saves[dest], dest))
        notes.append(
            f"--prune {keeps} {counted(count, 'file')} of games the player's saves or states "
            f"on the card are named after ({_examples(saves)}): the file chosen instead "
            "(another version or name, a set's playlist, a copy in another platform's folder) "
            "does not find those saves, so the old copy stays with them. To move on, rename "
            "the saves after the file chosen now, or move them where it finds them (its "
            "platform's saves folder, or beside it if they were beside the old copy), and prune "
            f"again; or remove the old copy yourself ({examples(named_first, 3)})")
    if claims.prune_not_a_file:
        count = len(claims.prune_not_a_file)
        notes.append(
            f"--prune {keeps} {counted(count, 'path')} where ROM Runner wrote a file no longer "
            f"chosen that {'holds' if count == 1 else 'hold'} a folder or a link now, not that "
            f"file: left as {'it is' if count == 1 else 'they are'} "
            f"({_examples(claims.prune_not_a_file)})")
    if claims.prune_unrecorded:
        count = len(claims.prune_unrecorded)
        notes.append(
            f"--prune {keeps} {counted(count, 'file')} at paths a run of ROM Runner's stopped "
            f"among its prunes meant to remove, not as it left {'it' if count == 1 else 'them'} "
            "(a file put there since, or its copy with another time): taken as yours from now "
            f"on; remove {'it' if count == 1 else 'them'} yourself if unwanted "
            f"({_examples(claims.prune_unrecorded)})")
    # (qa201 F3: the games a deploy put in a platform's folder set in the OS's saves folder
    # were said to be "a hand-edited record")
    in_saves = [dest for dest in claims.prune_never_ours if on_the_card(dest)
                and not dest.casefold().startswith(f"{CARD_DIR}/")
                and not named_like_a_save(dest.rpartition("/")[2])]
    never = [dest for dest in claims.prune_never_ours if dest not in in_saves]
    if in_saves:
        count, one = len(in_saves), len(in_saves) == 1
        stored = stored_folders_in_saves(claims.db, claims.root)
        unset = (f"; `romrunner destination paths {claims.profile_id or 'PROFILE'} --to "
                 f"{shell_word(str(claims.root))} "
                 f"{' '.join(f'--unset {platform}' for platform in stored)}` forgets the "
                 f"{'folder' if len(stored) == 1 else 'folders'} set there") if stored else ""
        notes.append(
            f"--prune {keeps} {counted(count, 'file')} ROM Runner's records name in a folder "
            "where handheld OSes keep the player's saves and states (an earlier deploy's, to "
            "a platform's folder set there with `destination paths --set`, which now refuses "
            "such a folder): a prune never removes a file there; remove "
            f"{'it' if one else 'them'} yourself if unwanted, not the saves beside "
            f"{'it' if one else 'them'}{unset} ({_examples(in_saves)})")
    if never:
        count = len(never)
        notes.append(
            f"--prune {keeps} {counted(count, 'path')} that records name as ROM Runner's "
            "where it never writes (outside the card, in its own .romrunner folder, or named "
            f"as a save): a hand-edited record is never acted on ({_examples(never)})")
    if claims.prune_elsewhere:
        count = len(claims.prune_elsewhere)
        notes.append(
            f"--prune {keeps} {counted(count, 'file')} only the card's record names as ROM "
            "Runner's, outside the folders this layout puts games, BIOS files and playlists "
            "in (this database has no record of them: an earlier layout's BIOS, another "
            "computer's, a hand-edited record): remove "
            f"{'it' if count == 1 else 'them'} yourself if unwanted "
            f"({_examples(claims.prune_elsewhere)})")
    if claims.prune_unreadable:
        count = len(claims.prune_unreadable)
        notes.append(
            f"--prune {keeps} {counted(count, 'file')} ROM Runner wrote that "
            f"{'is' if count == 1 else 'are'} no longer chosen but cannot be read on the card "
            f"({', '.join(sorted(set(claims.prune_unreadable.values())))}: a permission, or a "
            "failing card?), so not provably unchanged: check "
            f"{'it' if count == 1 else 'them'} ({_examples(list(claims.prune_unreadable))})")
    if claims.prune_kept:
        notes.append(
            f"--prune {keeps} {counted(len(claims.prune_kept), 'file')} ROM Runner wrote that "
            f"{'is' if len(claims.prune_kept) == 1 else 'are'} no longer chosen but changed on "
            "the card since (other size or bytes), so not provably ROM Runner's: remove "
            f"{'it' if len(claims.prune_kept) == 1 else 'them'} yourself if not yours "
            f"({_examples(claims.prune_kept)})")
    return notes


def let_go_playlists_note(claims: Claims, pruned: Iterable[str], *,
                          dry_run: bool = False) -> str | None:
    """Say the playlists of ours the prune removes (``pruned``: the paths it removes) of
    sets no longer chosen a disc of which it keeps (missing from the library, on a root not
    reachable: the plan's ``sets_let_go``) — what the missing-held warning no longer says
    before the run: the prune may keep them, and the discs they name (another profile's,
    another computer's, changed on the card since: review41c F4). None: no such playlist."""
    if not claims.let_go_playlists:
        return None
    removed = sorted({dest for dest in pruned
                      if collision_key(dest, claims.fs) in claims.let_go_playlists})
    if not removed:
        return None
    one = len(removed) == 1
    return (f"--prune {'would remove' if dry_run else 'removed'} "
            f"{counted(len(removed), 'playlist')} ROM Runner wrote for "
            f"{'a set' if one else 'sets'} no longer chosen of which it keeps a disc missing "
            "from the library (or on a library root not reachable): "
            f"{'it lists the set' if one else 'they list the sets'}'s other discs, no longer "
            "chosen; what the prune keeps of "
            f"{'the set' if one else 'the sets'} stays on the card without "
            f"{'it' if one else 'them'} ({_examples(removed)})")


def _examples(paths: list[str], shown: int = 3) -> str:
    """The first ``shown`` of ``paths``, and how many more."""
    return examples(sorted(set(paths)), shown)


PRUNE_BRAKE_FILES = 10  # a prune of fewer files is not held back for its share of the card


def _prune_brake(plan: DeployPlan, decisions: list[_Decision], found: dict[str, list[int]],
                 options: DeployOptions, kept_by_the_prune: int = 0,
                 only_copies: int = 0) -> None:
    """Refuse a prune that looks like a mistake (a mistyped query, one platform's query on a
    card holding several): one that chose no game at all, or that would remove more than half
    of the files of ours on the card it chooses or may remove (and at least
    :data:`PRUNE_BRAKE_FILES`). ``options.force_prune`` lets it go ahead. ``found``: the
    plan's files found unchanged in bulk, per platform (ours on the card, kept).
    ``kept_by_the_prune``: the files of ours no longer chosen that the prune keeps whatever
    it is told (see :meth:`Claims.kept_by_the_prune`): said, not counted among the files the
    half is of — another profile's games on a shared card would let a mistyped query remove
    every game of this one (qa171 F4: "65 of the 125 files ROM Runner put on this card" of a
    card holding 158, its 33 kept files not said). ``only_copies``: those of them kept as
    maybe the only copy left, which --force would remove too: said with it (review44c F2:
    the advice to add --force removed them without a word)."""
    if not options.prune or options.force_prune:
        return
    prunes = [decision for decision in decisions if decision.action == PRUNE]
    pruned = len(prunes)
    if not pruned:
        return
    kept = sum(files for files, _ in found.values()) + sum(
        1 for decision in decisions if decision.item.action == "copy" and decision.claim)
    ours = pruned + kept
    where = (f"{plan.root}: --prune would remove {pruned:,} of the {counted(ours, 'file')} ROM "
             "Runner put on this card")
    besides = (f" (not counting {kept_by_the_prune:,} more of ours no longer chosen, which "
               "it would keep)") if kept_by_the_prune else ""
    force = "add --force to prune anyway" + (
        f", which removes too the {counted(only_copies, 'file')} kept as maybe the only copy "
        "left (with --keep-only-copies too, it keeps them)" if only_copies else "")
    if not plan.game_ids:
        raise DeployError(f"{where}, as no game is chosen{besides}; nothing was changed "
                          f"(check the query, or {force})")
    # (copies of what the plan writes elsewhere on the card are no loss: a platform moved to
    # the OS's folder, QA151 F4, was refused as "more than half" though nothing goes away)
    writing = _written_sha1s(plan)
    lost = sum(1 for decision in prunes if decision.item.sha1 not in writing)
    if lost >= PRUNE_BRAKE_FILES and 2 * lost > ours:
        raise DeployError(f"{where}, more than half{besides}; nothing was changed (check "
                          f"what is chosen, or {force})")


def _recorded_every_file(options_json: str | None, *, pruning: bool = False) -> bool:
    """True for a deployment that recorded every file it chose (a shared card's); with
    ``pruning``, one that pruned too (``--prune``)."""
    options = stored_options(options_json)
    return options.get("shared") is True and (not pruning or options.get("prune") is True)


def _unchanged(decision: _Decision) -> bool:
    """A file of ours already on the card as planned: counted, not recorded per file (its
    record is the item of the deployment that wrote it, and the card's manifest). One whose
    record only its bytes proved is recorded, with the time the card shows."""
    return decision.action == SKIP and decision.claim is not None and not decision.proven \
        and not decision.shared and not decision.reread


def _record(db: Database, plan: DeployPlan, decisions: list[_Decision], profile_id: int,
            options: DeployOptions, dest_id: str, name: str | None,
            found: dict[str, list[int]], held: list[str], kept: list[str],
            carries: Iterable[str] = ()) -> tuple[int, DeploymentRecord]:
    """Record the deployment: its id, and what :func:`deployment_record` would read back.
    ``held``, ``kept``: see :class:`DeploymentRecord`; ``carries``: the other destinations
    whose records claimed a file on the card (see :meth:`Claims._carried_ids`)."""
    carries = sorted(set(carries) - {dest_id, ""})
    unchanged: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for platform, (files, size) in found.items():
        unchanged[platform] = [files, size]
    recorded: list[_Item] = []
    for decision in decisions:
        if _unchanged(decision):
            entry = unchanged[decision.item.platform_id or ""]
            entry[0] += 1
            entry[1] += decision.item.size
        else:
            recorded.append(decision.item)
    # (_item_record's lists, built in one comprehension: one call fewer per file)
    records = [[i.seq, i.kind, i.action, i.game_id, i.platform_id, i.source, i.source_mtime_ns,
                None, i.dest, i.size, i.sha1, i.dest_mtime_ns] if i.content is None
               else _item_record(i) for i in recorded]
    protected = sorted(plan.protected_folders())
    record = DeploymentRecord(dict(unchanged), records, set(protected), tuple(held),
                              tuple(kept), _copies_waited_for(decisions))
    mounted = os.path.ismount(plan.root.resolve())
    with db.atomic():  # the items once, compactly: a row is written for one as it gets a state
        cursor = db.execute(
            "INSERT INTO deployment_history (id, device_profile_id, deployment_name, "
            "destination_path, destination_id, options_json, manifest_json, status, "
            "started_at) VALUES (?, ?, ?, ?, ?, ?, ?, 'started', ?)",
            (first_id_after_restores(db.conn, "deployment_history"),
             profile_id, name, os.path.abspath(plan.root), dest_id,
             json.dumps({**asdict(options), "fs": plan.fs.value, "pack": plan.pack_hash,
                         "os": plan.os_id,  # (its resume says a profile's OS changed since)
                         # (and the overrides choosing games or emulators changed since)
                         "overrides": overrides_choosing(db, profile_id),
                         "pack_source": plan.pack_source,
                         # (a card mounted there: see refuse_an_unmounted_card)
                         **({"mounted": True} if mounted else {}),
                         "plain_folder": options.plain_folder and not mounted,
                         "real_path": str(plan.root.resolve()),  # (found by it, unresolved)
                         # (every file it chose has its row: see Claims.shared)
                         **({"shared": True} if any(d.shared for d in decisions) else {}),
                         # (the card's earlier ids whose records it goes on reading: see
                         # Claims._carried_ids)
                         **({"carries": carries} if carries else {})}),
             _manifest_document(record), now_text()))
        deployment_id = int(cursor.lastrowid or 0)
    return deployment_id, record


def _manifest_document(record: DeploymentRecord) -> str:
    """The history row's ``manifest_json`` of a deployment recorded as ``record`` (read back
    by :func:`deployment_record`)."""
    copy_of = _copies_json(record.copy_of)
    return json.dumps({"unchanged": record.unchanged, "items": record.items,
                       "protected": sorted(record.protected or ()),
                       **({"held": list(record.held)} if record.held else {}),
                       **({"kept": list(record.kept)} if record.kept else {}),
                       **({"copy_of": copy_of} if copy_of else {})},
                      ensure_ascii=False, separators=(",", ":"))


def _copies_json(copy_of: Mapping[int, int]) -> dict[str, int]:
    """:attr:`DeploymentRecord.copy_of` as its record holds it (JSON: keys are text)."""
    return {str(seq): game_id for seq, game_id in sorted(copy_of.items())}


def _copies_waited_for(decisions: list[_Decision]) -> dict[int, int]:
    """The prunes' seq -> the game placed whose copy each waits for (``copy_of``: see
    :func:`_note_copies_of_placed`): recorded, so that a resume, which has no plan, waits
    for the same copy as the run (see :func:`_wait_as_recorded`)."""
    return {d.item.seq: d.copy_of for d in decisions if d.copy_of is not None}


def _wait_as_recorded(decisions: list[_Decision], recorded: DeploymentRecord) -> None:
    """Give a resumed run's prunes the games their run waited for (see
    :func:`_copies_waited_for`), as that run's plan had them."""
    if not recorded.copy_of:
        return
    for decision in decisions:
        if decision.item.action == "prune":
            decision.copy_of = recorded.copy_of.get(decision.item.seq)


# A deployment's items are recorded once, when it is recorded, in its history row
# (``manifest_json``: ``items``, one list per item in this order); an item gets its row in
# ``deployment_items`` when it gets a state (its batch's intent: copied; or failed, skipped,
# conflict, pruned). An item with no row is pending. (Deployments recorded before this have
# every item as a row and no ``items``; so does one completed with a row for each item: its
# end removes its ``items``, see _without_items.)
_UPSERT = ("INSERT OR REPLACE INTO deployment_items (deployment_id, seq, kind, action, game_id, "
           "platform_id, source_path, source_mtime_ns, content, dest_path, file_size, "
           "file_sha1, dest_mtime_ns, status, error) VALUES ")
_ROW_VALUES = "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
_ROW_WIDTH = 15
UPSERT_ROWS = 512  # rows per statement (15 values each: well under SQLite's 32,766)


def _upsert(db: Database, rows: list[tuple[Any, ...]]) -> None:
    """Write ``rows`` (see :func:`_row`) into ``deployment_items``, up to
    :data:`UPSERT_ROWS` per statement: one statement of many rows costs about half as much
    as one per row (an ``executemany``)."""
    for start in range(0, len(rows), UPSERT_ROWS):
        _upsert_values(db, list(chain.from_iterable(rows[start:start + UPSERT_ROWS])))


def _upsert_values(db: Database, values: list[Any]) -> None:
    """:func:`_upsert` of rows given one after another in ``values`` (at most
    :data:`UPSERT_ROWS` of them)."""
    db.execute(_UPSERT + ", ".join([_ROW_VALUES] * (len(values) // _ROW_WIDTH)), values)


def _intents(deployment_id: int, batch: list[_Written]) -> list[Any]:
    """The batch's rows, copied (see :meth:`_Runner.commit_batch`), one after another: what
    :func:`_row` gives for each, without a tuple per file."""
    values: list[Any] = []
    extend = values.extend
    for written in batch:
        item, owned = written.item, written.owned
        extend((deployment_id, item.seq, item.kind, item.action, item.game_id,
                item.platform_id, item.source, item.source_mtime_ns, item.content, item.dest,
                item.size, owned.sha1 or item.sha1, owned.mtime_ns, "copied",
                replaced_note(item.replacing) if item.replacing else None))
    return values



def _item_record(item: _Item) -> list[Any]:
    content = None if item.content is None else base64.b64encode(item.content).decode("ascii")
    return [item.seq, item.kind, item.action, item.game_id, item.platform_id, item.source,
            item.source_mtime_ns, content, item.dest, item.size, item.sha1, item.dest_mtime_ns]


def _item_from_record(record: list[Any]) -> _Item:
    (seq, kind, action, game_id, platform_id, source, source_mtime_ns, content, dest, size,
     sha1, dest_mtime_ns) = record
    return _Item(int(seq), kind, action, platform_id, source, source_mtime_ns,
                 None if content is None else base64.b64decode(content), dest, int(size), sha1,
                 dest_mtime_ns, "pending", game_id)


def _row(deployment_id: int, item: _Item, status: str, error: str | None,
         mtime_ns: int | None, sha1: str | None) -> tuple[Any, ...]:
    if error is None and item.replacing and status == "copied":
        error = replaced_note(item.replacing)  # (its row says what it replaced)
    return (deployment_id, item.seq, item.kind, item.action, item.game_id, item.platform_id,
            item.source, item.source_mtime_ns, item.content, item.dest, item.size, sha1,
            mtime_ns, status, error)


def replaced_note(reason: str) -> str:
    """What a copied file's row says when it replaced a file not ours (``reason``)."""
    return f"replaced ({reason})"


def replaced_reason(note: str | None) -> str | None:
    """The reason in a row's :func:`replaced_note` (None: it replaced nothing)."""
    if note and note.startswith("replaced (") and note.endswith(")"):
        return note[len("replaced ("):-1]
    return None


class DeploymentRecord(NamedTuple):
    """What a deployment recorded about itself in its history row."""

    unchanged: dict[str, list[int]]  # files found unchanged, per platform: [files, bytes]
    items: list[list[Any]] | None  # None: each item has its row (recorded before items
    # were, or completed: see _without_items)
    protected: set[str] | None  # folders a prune never removes (None: not recorded)
    # The card's files the run kept without an item of its own for games it chose: the
    # copies its plan held (left out: changed since the scan, a track refused…) — still this
    # profile's, never let go to another profile's prune (QA94 F1).
    held: tuple[str, ...] = ()
    # Every file of the card a --prune run's plan held (those above, and the copies of games
    # missing from the library or on a root not reachable), while it is unfinished: what its
    # resume says it keeps (QA94 F5). A completed run's record drops it.
    kept: tuple[str, ...] = ()
    # A --prune run's prunes of the copies of games it left out for another game it places
    # (another format of it, another copy): their seq -> that game, whose copy each waits for
    # (see _moved_prunes) — kept when it completes: a resume retries its failed copies.
    copy_of: Mapping[int, int] = MappingProxyType({})


def deployment_record(db: Database, deployment_id: int) -> DeploymentRecord:
    """What the deployment recorded about itself (see :class:`DeploymentRecord`): its items,
    every file of its plan, read once for :func:`deployment_totals` and :func:`unrecorded`."""
    text = db.scalar("SELECT manifest_json FROM deployment_history WHERE id = ?",
                     (deployment_id,))
    try:
        data = json.loads(text) if text else {}
    except ValueError:  # (a v1.0.0 row's, of no fixed shape: QA114 F4)
        data = {}
    if not isinstance(data, dict):
        return DeploymentRecord({}, None, None)
    found, items, protected = data.get("unchanged", {}), data.get("items"), data.get("protected")
    held, kept, copy_of = data.get("held"), data.get("kept"), data.get("copy_of")
    return DeploymentRecord(found if isinstance(found, dict) else {},
                     items if isinstance(items, list) else None,
                     {str(f) for f in protected} if isinstance(protected, list) else None,
                     tuple(str(f) for f in held) if isinstance(held, list) else (),
                     tuple(str(f) for f in kept) if isinstance(kept, list) else (),
                     _links(copy_of))


def _links(copy_of: Any) -> dict[int, int]:
    """A record's ``copy_of`` (seq -> game id): an entry with a damaged seq left out, one
    with a damaged game waiting for none (review43b F5: an internal error)."""
    if not isinstance(copy_of, dict):
        return {}
    links = {}
    for seq, game in copy_of.items():
        try:
            number = int(seq)
        except (TypeError, ValueError):
            continue
        try:
            links[number] = int(game)
        except (TypeError, ValueError):
            links[number] = _NO_GAME  # (it waits for a copy no run writes: kept, review43c F5)
    return links


_NO_GAME = 0  # no game has it (nor a stand-in, below 0): a damaged link's


def unrecorded(db: Database, deployment_id: int, recorded: DeploymentRecord | None = None
               ) -> list[_Item]:
    """The deployment's items that have no row yet: pending (``recorded``: what
    :func:`deployment_record` returns, when already read)."""
    items = (recorded or deployment_record(db, deployment_id))[1]
    if not items or int(db.scalar("SELECT count(*) FROM deployment_items WHERE "
                                  "deployment_id = ?", (deployment_id,))) >= len(items):
        return []  # (every row is one of the items: as many rows, every item has its row)
    have = {int(row[0]) for row in db.query(
        "SELECT seq FROM deployment_items WHERE deployment_id = ?", (deployment_id,))}
    return [_item_from_record(record) for record in items if int(record[0]) not in have]


# -- resuming ------------------------------------------------------------------------------
def resume(db: Database, deployment_id: int | None = None, *, verify: bool | None = None,
           overwrite: bool | None = None, progress: ProgressCallback | None = None,
           fs: FileSystem | None = None, to: Path | None = None,
           pack_hash: str | None = None) -> DeploySummary:
    """Finish an interrupted deployment (the latest unfinished one when no id is given).

    Files already under their final name are not copied again; our stale temporary files are
    removed; failed and conflicting files are tried again (``overwrite`` to replace the
    user's own files). ``to``: the card's path now (mounted elsewhere; one an earlier release
    recorded as a relative path must be named so). ``pack_hash``: the content hash of the
    pack in use, said when it is not the one the deployment was planned by (QA29 F6).
    """
    row, passed = _unfinished(db, deployment_id, bool(overwrite))
    latest = deployment_id is None  # (any card's: say which)
    deployment_id = int(row["id"])
    options = DeployOptions.from_json(row["options_json"])
    if verify is not None:
        options.verify = verify
    if overwrite is not None:
        options.overwrite = overwrite
    root = Path(row["destination_path"])
    placed = to is not None or not root.is_absolute()
    if placed:
        root = _place_the_card(row, to)
    refuse_library_overlap(db, root, ())
    if not placed and _not_there(root):  # (QA162 F10: the card remounted elsewhere)
        raise DeployError(f"{root}: destination does not exist: is the card mounted, or "
                          f"mounted elsewhere now? `romrunner deploy resume {deployment_id} "
                          "--to ITS_PATH` finishes it there")
    check_destination(root, create=False)
    dest_id = row["destination_id"] or ""
    recorded = deployment_record(db, deployment_id)  # its items and counts, read once
    _refuse_another_card(db, deployment_id, root, dest_id, recorded,  # before .romrunner/
                         named=placed)
    check_destination(root)
    stored_fs = stored_options(row["options_json"]).get("fs")
    fs = fs or (FileSystem(stored_fs) if stored_fs in {f.value for f in FileSystem}
                else FileSystem.FAT32)
    with card_lock(root):
        if placed:  # (its full path from now on)
            with db.atomic():
                db.execute("UPDATE deployment_history SET destination_path = ? WHERE id = ?",
                           (str(root), deployment_id))
        items = _load_items(db, deployment_id, recorded)
        claims = Claims(db, root, dest_id, fs)
        claims.held_sha1s = missing_sha1s(db)  # (QA30 N1: as the deploy holds them)
        claims.profile_id = row["device_profile_id"]  # (its prunes: as the deploy's keep)
        claims.prune_others = options.prune_others
        notes = claims.notes
        decisions = _decide(root, fs, items, claims, options)
        _wait_as_recorded(decisions, recorded)
        forgotten = _leave_out_forgotten(db, decisions)
        _leave_out_excluded(db, decisions, int(row["device_profile_id"]), notes)
        _say_another_os(db, row, notes)
        _say_overrides_changed(db, row, notes)
        if row["status"] == "completed":
            _leave_copies_done(decisions, claims)
        _note_other_profiles_playlists(decisions, claims)
        # (a set one disc of which was forgotten: by the ids)
        naming = _carry_failures(decisions)
        for decision in decisions:  # (ids no row may name now)
            if decision.item.game_id in forgotten:
                decision.item.game_id = None
        copies = _Copies(decisions)  # (read once: their decisions are settled)
        _keep_prunes_nothing_replaces(decisions, claims, copies)
        _keep_linked_prunes(root, decisions, [i.dest for i in items if i.action != "prune"],
                            claims)
        _keep_what_a_new_prune_keeps(db, decisions, claims)
        _sheets_last(root, decisions, claims, _prunes_done(db, deployment_id))
        cleaned = _clean_temps(root, decisions, None, False, claims)
        _check_space(root, decisions, options, notes, resuming=True, copies=copies)
        summary = _run(db, deployment_id, root, fs, dest_id, decisions, claims, options,
                       progress, recorded=recorded, cleaned=cleaned, naming=naming)
        summary.notes[:0] = notes
        if options.prune:
            _say_held_kept(root, recorded, summary)
        planned_by = stored_options(row["options_json"]).get("pack")
        if pack_hash is not None and planned_by is not None and planned_by != pack_hash:
            summary.notes.insert(0, "the definition pack changed since this deployment was "
                                 "planned: it finished as planned (the folders and files of "
                                 "that pack); the next `romrunner deploy` lays the card out "
                                 "by the pack in use (its warnings say what moves)")
        if latest:
            summary.notes.insert(0, f"resumed deployment {deployment_id}, to {root}: the latest "
                                 "unfinished one (`romrunner deploy resume ID` names another)")
            summary.notes[1:1] = passed
        return summary


def _keep_prunes_nothing_replaces(decisions: list[_Decision], claims: Claims,
                                  copies: _Copies) -> None:
    """Keep a resumed run's prune that its run put off for another copy (its recorded
    ``copy_of``, given it by :func:`_wait_as_recorded`, or kept as that copy was not
    written: :data:`UNREPLACED`) unless that copy is on the card or written by this run
    first (see :func:`_moved_prunes`; ``copies``: the run's, see :class:`_Copies`): a
    resume never turns a prune that waited into one done at once (review43b: the copy's
    game forgotten since, or a record with no link, removed the card's only copy of the
    game). One kept as unreplaced whose file is gone since was removed by someone else: not
    counted pruned."""
    waiting = [d for d in decisions if d.action == PRUNE and (
        d.copy_of is not None or d.item.status == "skipped")]
    if not waiting:
        return
    moved = {id(d) for d in _moved_prunes(decisions, copies)}
    for d in waiting:
        if d.existing is None and d.item.status == "skipped":
            d.action, d.note = KEEP, GONE_SINCE_KEPT
        elif d.existing is None:
            continue  # (gone already, the killed run's doing: pruned, review 115 F4)
        elif id(d) not in moved and not _replaced_on_the_card(d, copies):
            d.action, d.note = KEEP, UNREPLACED
            claims.kept_unreplaced.append(d.item.dest)


# A copy's decisions that find it on the card as written: unchanged since (an earlier run's,
# its row "copied": NOOP; review43c F1: a kill between the copy and the prune kept the old
# file for good, said "not written")
_ON_THE_CARD = (SKIP, DONE, NOOP)


def _replaced_on_the_card(decision: _Decision, copies: _Copies) -> bool:
    """True when the files that replace a waiting prune's are on the card already, as
    :func:`_moved_prunes` pairs them: its bytes elsewhere (a set's playlist left out), its
    own game's new copy, the copy of the game it was left out for, or those of its title
    (``copies``: the run's, see :class:`_Copies`)."""
    sha1 = decision.claim.sha1 if decision.claim is not None else decision.item.sha1
    by_game, titled = copies.by_game, _titled_if_gone(decision)
    for found in ([d for d in copies.by_sha1.get(sha1 or "", ()) if d.item.kind != PLAYLIST],
                  by_game.get(decision.item.game_id or 0),
                  by_game.get(decision.copy_of) if decision.copy_of is not None else None,
                  copies.by_title.get(titled) if titled is not None else None):
        if found:
            return all(d.action in _ON_THE_CARD for d in found)
    return False


def _prunes_done(db: Database, deployment_id: int) -> list[str]:
    """The paths of the deployment's prunes that its run carried out (removed, or kept):
    those its resume does not decide again (see :func:`_load_items`; an item without a row
    is pending)."""
    return [str(row[0]) for row in db.query(
        "SELECT dest_path FROM deployment_items WHERE deployment_id = ? AND action = 'prune' "
        "AND status NOT IN ('pending', 'failed', 'conflict') "
        "AND NOT (status = 'skipped' AND coalesce(error, '') = ?)",
        (deployment_id, UNREPLACED))]


def _keep_what_a_new_prune_keeps(db: Database, decisions: list[_Decision],
                                 claims: Claims) -> None:
    """Keep each file a resumed run's plan would prune that a new ``--prune`` would keep now
    (review 113 F2: taken up after a drive was unplugged, another profile or computer chose
    the game, the game went missing, a resume removed what the plan of that day did not
    hold): the copy of a game the library cannot deploy now (missing since the scan, on a
    root not reachable), a file another profile's or database's deploys chose there since,
    and a file such a kept playlist or sheet names (see :func:`_without_files_of_kept_lists`)."""
    pruning = [d for d in decisions if d.action == PRUNE]
    if not pruning:
        return
    away = _games_away(db, {d.item.game_id for d in pruning if d.item.game_id is not None})
    others = claims.written_by_other_profiles()
    for decision in pruning:
        if decision.existing is None:
            continue  # (gone already, the killed run's doing: pruned, review 115 F4)
        dest = decision.item.dest
        key = collision_key(dest, claims.fs)
        if decision.item.game_id in away or decision.item.sha1 in claims.held_sha1s:
            claims.held_elsewhere.append(dest)
        elif key in others:
            claims.prune_other_profile[dest] = others[key]
        elif not claims.prune_others and (elsewhere := claims.written_elsewhere(key)):
            claims.prune_other_computer[dest] = elsewhere
        else:
            continue
        decision.action, decision.note = KEEP, KEPT_SINCE
    pruned = [d for d in pruning if d.action == PRUNE and d.existing is not None]
    left = {id(item) for item in _without_files_of_kept_lists(
        claims.root, claims, [d.item for d in pruned])}
    for decision in pruned:  # (and the files such a kept list names: review52d F1)
        if id(decision.item) not in left:
            decision.action, decision.note = KEEP, KEPT_SINCE


# The rows of prunes kept as the card's file is not ours as we wrote it (said in the run's
# notes: see prune_notes)
KEPT_CHANGED = "changed on the card since ROM Runner wrote it (other size or bytes): kept"
KEPT_UNRECORDED = ("at a path a stopped run of ROM Runner's meant to prune, not as it left "
                   "it (put there since): taken as yours, kept")
BEFORE_A_RESTORE = "this database before a `db restore`"
# The note of a prune put off until its game's new copy was written, kept as it was not: not
# final — a resume that writes that copy carries the prune out (see _load_items)
UNREPLACED = "kept: the copy that replaces it was not written"
GONE_SINCE_KEPT = "gone from the card since it was kept: not removed by this deployment"
KEPT_SINCE = ("the copy of a game the library cannot deploy now, or chosen by another profile "
              "or database since the run was planned: kept")
# Notes of the prunes kept for a reason a note of their own says (not "changed since")
SHEET_OF_A_KEPT_TRACK = ("a disc's sheet whose content the library does not have (maybe "
                         "the only copy left), a file it names kept on the card: kept")
PLAYLIST_OF_A_KEPT_SHEET = ("a set's playlist naming a disc's sheet kept as maybe the only "
                            "copy left: kept with it")
_SAID_KEEPS = (LINKED, LIBRARY_FILE, KEPT_SINCE, UNREADABLE, SHEET_OF_A_KEPT_TRACK,
               PLAYLIST_OF_A_KEPT_SHEET, UNREPLACED, GONE_SINCE_KEPT)


def _games_away(db: Database, ids: set[int]) -> set[int]:
    """Those of the games ``ids`` the library cannot deploy now: missing since the scan, or
    on a library root that is not reachable."""
    if not ids:
        return set()
    away: set[int] = set()
    reachable: dict[str, bool] = {}
    for game_id, missing, root in db.query(
            "SELECT g.id, g.is_missing, r.path FROM games g JOIN library_roots r "
            "ON r.id = g.root_id WHERE g.id IN (SELECT value FROM json_each(?))",
            (json.dumps(sorted(ids)),)):
        if root not in reachable:
            reachable[root] = root_is_there(str(root))
        if missing or not reachable[root]:
            away.add(int(game_id))
    return away


def _say_held_kept(root: Path, recorded: DeploymentRecord, summary: DeploySummary) -> None:
    """A resumed ``--prune`` run's note of the card's files its plan held (the copies of
    games it left out), as the run it finishes would have said them (QA94 F5: kept unsaid,
    the killed run's warnings gone with its terminal)."""
    kept = [dest for dest in recorded.kept or recorded.held if os.path.lexists(root / dest)]
    if not kept:
        return
    summary.prune_held = sorted({*summary.prune_held, *kept})
    summary.notes.append(
        f"--prune kept {counted(len(kept), 'file')} of games this deployment left out "
        "(missing from the library or changed since the scan, as its plan's warnings said): "
        f"such copies are never pruned ({_examples(kept)})")


def _place_the_card(row: Any, to: Path | None) -> Path:
    """The card a resume names with ``--to``: the deployment's card mounted at another path
    now (its id decides: QA25 F5), or a card an earlier release recorded by a relative path
    (``--to card2``), which resumed as it was was finished in whatever folder the shell was
    in (QA22 C2: 240 MB written there, "completed"): then a folder of that name. The run
    records its full path."""
    recorded = Path(row["destination_path"])
    deployment = int(row["id"])
    if to is None:
        raise DeployError(
            f"deployment {deployment}: an earlier release recorded its card as the relative "
            f"path {str(recorded)!r}, which cannot be found again from here; `romrunner deploy "
            f"resume {deployment} --to FULL_PATH` names it")
    card = to.expanduser().absolute()
    if recorded.is_absolute():
        return card  # the card mounted elsewhere now: its id decides (_refuse_another_card)
    if card.name != recorded.name:
        raise DeployError(f"deployment {deployment} was writing to a card folder named "
                          f"{recorded.name!r}, not {card.name!r}: nothing was changed")
    return card


def _not_there(path: Path) -> bool:
    """True when nothing is at ``path`` (not a folder that cannot be read: a dead mount)."""
    try:
        os.lstat(path)
    except FileNotFoundError:
        return True
    except OSError:
        return False
    return False


def _refuse_another_card(db: Database, deployment_id: int, root: Path, dest_id: str,
                         recorded: DeploymentRecord, *, named: bool = False) -> None:
    """Refuse to resume onto another card at the deployment's path: one with another id, or
    one with no id at all (a blank card swapped in, the empty folder a card was mounted on)
    — it would be finished on the wrong card and the real one left half done. The card's
    id: its volume UUID or its id file. ``named``: the card was named by ``--to``; a
    deployment an earlier release recorded without an id must then carry its id file."""
    if not dest_id and not named:
        return  # (recorded before destinations had ids: nothing to compare)
    on_card = card_destination_id(root, create=False)
    found = volume_uuid(root)
    ids = {on_card} if on_card else set()
    if found:
        ids.add(f"uuid:{found}")
    if dest_id in ids:
        return
    other = on_card or (f"uuid:{found}" if found and dest_id.startswith("uuid:") else None)
    if other:
        raise DeployError(f"{root}: this is not the card deployment {deployment_id} was "
                          f"writing to (its id is {other}, expected {dest_id})")
    if named:  # (QA24 N2: an empty folder of the card's name took the whole deployment)
        raise DeployError(
            f"{root}: not the card deployment {deployment_id} was writing to (its "
            f"{CARD_DIR}/{ID_NAME} should say {dest_id or 'the id an earlier release gave it'}); "
            "nothing was changed — or start a new deploy to this folder")
    # The card always has it: a deploy writes it before it records the deployment. A folder
    # without it is not the card, even before any file was done (QA25 F5: the empty mount
    # point a pulled card left took the whole deployment, "completed").
    done = int(db.scalar("SELECT count(*) FROM deployment_items WHERE deployment_id = ? "
                         "AND status IN ('copied', 'pruned')", (deployment_id,)))
    done += sum(int(files) for files, _ in recorded.unchanged.values())
    holds = f", which already holds {done:,} of its files" if done else ""
    raise DeployError(
        f"{root}: not the card deployment {deployment_id} was writing to: it has no "
        f"{CARD_DIR}/{ID_NAME} (expected the card with id {dest_id}{holds}); nothing was "
        f"changed — mounted elsewhere now? `romrunner deploy resume {deployment_id} --to "
        "ITS_PATH`; or start a new deploy to this folder")


# A later deployment to the card of ``h``: at its path, or by its id wherever it is mounted
# now (QA69 F2: a card remounted elsewhere had its superseded run taken up again).
def _unfinished(db: Database, deployment_id: int | None, overwrite: bool = False
                ) -> tuple[Any, list[str]]:
    """The deployment to resume, and what is said of those passed by to find it."""
    if deployment_id is None:  # the latest unfinished one no later deploy superseded
        # (one cancelled before it did anything on the card is not taken up unnamed: its
        # Ctrl-C cancelled a --force prune, QA35 F6; `deploy resume ID` still runs it)
        passed: list[str] = []
        for candidate in list(db.query(
            "SELECT * FROM deployment_history h WHERE (status IN ('started', 'failed') "
            "OR (status = 'cancelled' AND EXISTS (SELECT 1 FROM deployment_items i "
            "WHERE i.deployment_id = h.id AND i.status IN ('copied', 'pruned')))) "
            # (one that recorded nothing to finish, a v1.0.0 row: QA114 F8)
            "AND ((CASE WHEN json_valid(h.manifest_json) THEN json_type(h.manifest_json, "
            "'$.items') END) = 'array' OR EXISTS (SELECT 1 FROM deployment_items i "
            "WHERE i.deployment_id = h.id)) "
            # (the rows `deploy history` offers to resume: not one a later deploy of its
            # profile to its card superseded; a later deploy of another profile to a card
            # they share is no reason — history said `deploy resume ID` finishes it while
            # this said there was nothing to resume, qa181 N4)
            f"AND {_NOT_SUPERSEDED} ORDER BY id DESC")):
            # (QA186: one whose folder a later deploy of its profile filled as another card
            # — its own wiped or reformatted — was taken every time and refused as "not the
            # card"; it is passed by, said, and taken up by its ID where its card is)
            replaced = card_replaced_by(db, candidate)
            if replaced is None:
                return candidate, passed
            passed.append(card_replaced_words(
                int(candidate["id"]), str(candidate["destination_path"]), replaced))
        if passed:
            raise NotFoundError("no unfinished deployment to resume: " + "; ".join(passed))
        raise NotFoundError("no unfinished deployment to resume" + (
            _cancelled_unstarted_hint(db) or _failed_files_hint(db)
            or " (one a later deploy of its profile to its card superseded is not taken "
            "up again; `romrunner deploy history` says which can still be)"))
    row = db.query_one("SELECT * FROM deployment_history WHERE id = ?", (deployment_id,))
    if row is None:
        raise NotFoundError(f"deployment {deployment_id} does not exist")
    if row["status"] not in RESUMABLE and not unrecorded(db, deployment_id):
        _refuse_finished(db, deployment_id, row["status"], overwrite)
    later = superseded_by(db, deployment_id)
    if later is not None:  # (QA178 F10: it put back the games the later deploy dropped)
        raise DeployError(superseded_words(deployment_id, later)
                          + ": nothing to resume; nothing was changed")
    return row, []


def card_replaced_by(db: Database, row: Any) -> int | None:
    """The later deployment of ``row``'s profile that completed at ``row``'s folder to
    another card, when the card there now is that one (``row``'s own card wiped or
    reformatted and deployed to anew, or another card in its slot), else None. ``row`` is
    not superseded by it (its card may be mounted elsewhere: two cards are two cards), but
    a resume of it at its folder cannot be."""
    dest_id = row["destination_id"] or ""
    if not dest_id:
        return None
    later = db.query_one(
        "SELECT id, destination_id FROM deployment_history WHERE id > ? "
        "AND destination_path = ? AND status = 'completed' AND device_profile_id IS ? "
        "AND destination_id <> '' AND destination_id <> ? ORDER BY id DESC LIMIT 1",
        (row["id"], row["destination_path"], row["device_profile_id"], dest_id))
    if later is None:
        return None
    root = Path(row["destination_path"])
    try:
        found = volume_uuid(root)
        here = {card_destination_id(root, create=False), f"uuid:{found}" if found else None}
    except (InputError, OSError):
        return None
    return int(later[0]) if later[1] in here and dest_id not in here else None


def card_replaced_words(deployment_id: int, path: str, later: int) -> str:
    """What is said of ``deployment_id``, whose folder ``path`` holds the card ``later``
    deployed to now (:func:`card_replaced_by`)."""
    return (f"deployment {deployment_id} (to {path}) is not taken up without its ID: that "
            f"folder holds another card now, the one deployment {later} of its profile "
            f"completed on; `romrunner deploy resume {deployment_id} --to ITS_PATH` finishes "
            "it where its own card is mounted (its card wiped or reformatted: nothing of it is "
            "left to finish)")


# The same card, by its id where both runs recorded one (two cards mounted in turn at one
# path are two cards: review38b F1, a run on the other card was said to supersede this one);
# by the path for a run of a release that recorded none.
_THE_SAME_CARD = ("(CASE WHEN h.destination_id <> '' AND later.destination_id <> '' "
                  "THEN later.destination_id = h.destination_id "
                  "ELSE later.destination_path = h.destination_path END)")
# The deployment ``h`` is superseded (see :func:`superseded_by`) by no later one.
_NOT_SUPERSEDED = ("NOT EXISTS (SELECT 1 FROM deployment_history later WHERE later.id > h.id "
                   f"AND {_THE_SAME_CARD} AND later.status = 'completed' "
                   "AND later.device_profile_id IS h.device_profile_id)")


def superseded_by(db: Database, deployment_id: int) -> int | None:
    """The first deployment to the same card by the same profile that started after
    ``deployment_id`` and completed, None if none: it chose that card's games again, and
    laid them out anew, so ``deployment_id`` is not finished any more (its plan would put
    back the files the later one left out). A later deploy of another profile to a card they
    share does not supersede it (its own games are another choice): `deploy resume ID`
    takes it up."""
    found = db.scalar(
        "SELECT min(later.id) FROM deployment_history h JOIN deployment_history later "
        f"ON later.id > h.id AND {_THE_SAME_CARD} AND later.status = 'completed' "
        "AND later.device_profile_id IS h.device_profile_id WHERE h.id = ?",
        (deployment_id,))
    return None if found is None else int(found)


def superseded_words(deployment_id: int, later: int) -> str:
    """What is said of ``deployment_id``, superseded by ``later`` (:func:`superseded_by`)."""
    return (f"deployment {deployment_id} was superseded by deployment {later}, a later deploy "
            f"of its profile to its card that completed: resuming {deployment_id} would put "
            f"back what {later} left out")


def _cancelled_unstarted_hint(db: Database) -> str:
    """The latest deployment cancelled before it recorded a copy or a removal, superseded
    by no later deploy (:func:`superseded_by`), and how to run it ("" if none): its Ctrl-C named
    ``deploy resume ID``, and a resume without the id said only that nothing was unfinished."""
    row = db.query_one(
        "SELECT h.id, h.destination_path FROM deployment_history h "
        f"WHERE h.status = 'cancelled' AND {_NOT_SUPERSEDED} ORDER BY h.id DESC LIMIT 1")
    if row is None:
        return ""
    deployment_id = int(row[0])
    return (f": deployment {deployment_id} (to {row[1]}) was cancelled before it recorded a "
            "copy or a removal, and is taken up only by its id: `romrunner deploy resume "
            f"{deployment_id}`")


def _failed_files_hint(db: Database) -> str:
    """When there is no unfinished deployment: the latest one that completed with files
    failed (superseded by no later deploy), and how to try them again ("" if none).
    A resume without an id finishes interrupted runs only; with the id it retries those."""
    row = db.query_one(
        "SELECT h.id, count(*), h.destination_path FROM deployment_history h "
        "JOIN deployment_items i "
        "ON i.deployment_id = h.id WHERE h.status = 'completed' AND i.status = 'failed' "
        f"AND {_NOT_SUPERSEDED} GROUP BY h.id ORDER BY h.id DESC LIMIT 1")
    if row is None:
        return ""
    deployment_id, failed = int(row[0]), int(row[1])
    return (f"; deployment {deployment_id} (to {row[2]}) completed with "
            f"{counted(failed, 'file')} failed: `romrunner deploy show "
            f"{deployment_id}` says why, `romrunner deploy resume {deployment_id}` tries "
            f"{'it' if failed == 1 else 'them'} again")


def _refuse_finished(db: Database, deployment_id: int, status: str, overwrite: bool) -> None:
    """A finished deployment is resumed only for what a resume can change: files that
    failed (or were never tried), and conflicts with ``overwrite``. Conflicts alone, without
    it, are the user's files kept as they are: nothing to resume, whatever else it did."""
    left = {row[0]: int(row[1]) for row in db.query(
        "SELECT status, count(*) FROM deployment_items WHERE deployment_id = ? "
        "AND status IN ('pending', 'failed', 'conflict') GROUP BY status", (deployment_id,))}
    if left.get("pending") or left.get("failed") or (overwrite and left.get("conflict")):
        return
    hint = ""
    if left.get("conflict"):
        one = left["conflict"] == 1
        hint = (f"; it kept files of yours where it would write "
                f"({counted(left['conflict'], 'conflict')}): `romrunner deploy resume "
                f"{deployment_id} --overwrite` replaces {'it' if one else 'them'}")
    raise DeployError(f"deployment {deployment_id} is {status}: nothing to resume{hint}")


def _load_items(db: Database, deployment_id: int, recorded: DeploymentRecord) -> list[_Item]:
    """The deployment's items its resume decides: those not done (pending, failed, in
    conflict), those copied (still on the card?), and the prunes kept as their game's new
    copy was not written (:data:`UNREPLACED`: done once it is, as the run would have)."""
    rows = db.query(
        "SELECT seq, kind, action, platform_id, source_path, source_mtime_ns, content, "
        "dest_path, file_size, file_sha1, dest_mtime_ns, status, game_id, error "
        "FROM deployment_items WHERE deployment_id = ? AND (status IN "
        "('pending', 'failed', 'conflict') OR (status = 'copied' AND action = 'copy') "
        "OR (status = 'skipped' AND action = 'prune' AND error = ?)) "
        "ORDER BY seq", (deployment_id, UNREPLACED))
    items = [_Item(int(r["seq"]), r["kind"], r["action"], r["platform_id"], r["source_path"],
                   r["source_mtime_ns"], r["content"], r["dest_path"], int(r["file_size"]),
                   r["file_sha1"], r["dest_mtime_ns"], r["status"], r["game_id"],
                   replacing=replaced_reason(r["error"]) if r["status"] == "copied" else None)
             for r in rows]
    items += unrecorded(db, deployment_id, recorded)
    items.sort(key=lambda item: item.seq)
    _follow_moved_roots(db, items)
    following = _sources_to_follow(items)
    _follow_rescans(db, following)
    _follow_touched_playlists(following)
    return items


def _scan_records(db: Database, ids: Iterable[int]) -> dict[str, tuple[int, int | None,
                                                                        str | None]]:
    """The library's scan records now of the games ``ids``' files (their own, and their
    tracks): size, modification time and SHA1, by path."""
    ids = sorted(set(ids))
    records: dict[str, tuple[int, int | None, str | None]] = {}
    if not ids:
        return records
    games: dict[int, str] = {}
    for game_id, root, filepath, size, mtime_ns, sha1 in db.query(
            "SELECT g.id, r.path, g.filepath, g.file_size, g.file_mtime_ns, g.sha1_bin "
            "FROM games g JOIN library_roots r ON r.id = g.root_id "
            "WHERE g.id IN (SELECT value FROM json_each(?)) AND g.is_missing = 0",
            (json.dumps(ids),)):
        source = f"{str(root).rstrip('/')}/{filepath}"
        games[int(game_id)] = source
        records[source] = (int(size), mtime_ns, None if sha1 is None else bytes(sha1).hex())
    for game_id, name, size, mtime_ns, sha1 in db.query(
            "SELECT game_id, name, file_size, file_mtime_ns, file_sha1 FROM game_files "
            "WHERE kind = 'track' AND file_size IS NOT NULL "
            "AND game_id IN (SELECT value FROM json_each(?))", (json.dumps(ids),)):
        if int(game_id) in games:
            parent = games[int(game_id)].rpartition("/")[0]
            records.setdefault(f"{parent}/{name}", (int(size), mtime_ns, sha1))
    return records


def _follow_rescans(db: Database, waiting: list[_Item]) -> None:
    """Take for each file a resume copies the time the library's scan records now, when a
    rescan since the deployment was planned found it of the same size and SHA1: a source
    only touched (a new time, the same content) is copied as planned, not failed "changed
    since the scan" by every resume after a rescan as before. A source the library has no
    SHA1 of (known by its CRC32 only) is not: the deployment recorded no other hash of it
    to tell its content the same. A file recorded copied is taken too: one the run killed
    had not yet put in place (its batch is recorded before its renames) is copied again
    (review48b F4 follow-up: the first resume after the rescan failed it "changed since this
    deployment was planned" — a second one copied it); one on the card is recorded with
    the time of a source of its very bytes. A BIOS file: by `bios scan`'s record of it, as
    a new plan takes it. ``waiting``: the items :func:`_sources_to_follow` gives."""
    if not waiting:
        return
    records = _scan_records(db, (item.game_id for item in waiting
                                 if item.game_id is not None))
    bios = _bios_records(db, (item.source for item in waiting if item.game_id is None))
    for item in waiting:
        record = (records if item.game_id is not None else bios).get(item.source)
        if record is not None and record[1] is not None and record[0] == item.size \
                and record[2] == item.sha1 and record[1] != item.source_mtime_ns:
            item.source_mtime_ns = record[1]


def _sources_to_follow(items: list[_Item]) -> list[_Item]:
    """The items copied from a library file (a game's, or a BIOS file `bios scan` verified)
    whose size, time and SHA1 the deployment recorded: those a resume may take at another
    time than the plan's, their content the same."""
    return [item for item in items if item.action == COPY
            and (item.game_id is not None or item.kind == BIOS)
            and item.source and item.content is None and item.sha1 is not None
            and item.source_mtime_ns is not None]


def _bios_records(db: Database, paths: Iterable[str]) -> dict[str, tuple[int, int | None,
                                                                         str | None]]:
    """`bios scan`'s records now of the BIOS files at ``paths``: size, modification time
    and SHA1, by path (those it found missing left out)."""
    wanted = sorted(set(paths))
    if not wanted:
        return {}
    return {str(path): (int(size), mtime_ns, sha1) for path, size, mtime_ns, sha1 in db.query(
        "SELECT filepath, file_size, file_mtime_ns, file_sha1 FROM bios_files "
        "WHERE is_missing = 0 AND filepath IN (SELECT value FROM json_each(?))",
        (json.dumps(wanted),))}


def _follow_touched_playlists(waiting: list[_Item]) -> None:
    """Take each playlist (.m3u) a resume copies, only touched since the deployment was
    planned (its size and bytes the plan's, read again now), at its time now — the plan's
    rule (:func:`romrunner.deploy.plan.touched_playlist`): a new deploy took it, and a
    resume failed it "changed since the scan" until a rescan (review48b F4). One whose
    bytes changed is left at the plan's time: the copy says it changed. ``waiting``: the
    items :func:`_sources_to_follow` gives."""
    for item in waiting:
        now = touched_playlist(item.source, item.size, item.source_mtime_ns, item.sha1)
        if now is not None:
            item.source_mtime_ns = now


def _follow_moved_roots(db: Database, items: list[_Item]) -> None:
    """Point the sources of a deployment's items at their library roots' folders now: a root
    moved since the deployment was recorded (`library move`: a share remounted, the database
    restored on another computer) left every file to copy "missing since the scan" at the
    old folder, whatever the scans said (QA52 F1). A root's old folder is told by a game's
    own file: its source is the old folder and the game's path in it, and no folder is
    there now."""
    ids = sorted({item.game_id for item in items if item.game_id is not None and item.source})
    if not ids:
        return
    now = {int(row[0]): (str(row[1]), str(row[2])) for row in db.query(
        "SELECT g.id, r.path, g.filepath FROM games g JOIN library_roots r ON r.id = g.root_id "
        "WHERE g.id IN (SELECT value FROM json_each(?)) AND r.path <> ''", (json.dumps(ids),))}
    moved: dict[str, str] = {}
    for item in items:
        root, filepath = now.get(item.game_id, ("", "")) if item.game_id is not None \
            else ("", "")
        # (a root moved leaves no folder at its old path; a game the user moved to another
        # root or folder does: not a root moved, review 28 R3)
        if root and item.source.endswith("/" + filepath) \
                and (old := item.source[:-len(filepath) - 1]) != root \
                and old not in moved and not os.path.isdir(os_path(old)):
            moved[old] = root
    if not moved:
        return
    for item in items:
        for old, new in moved.items():
            if item.source.startswith(old + "/"):
                item.source = new + item.source[len(old):]
                break


# -- deciding ------------------------------------------------------------------------------
class Claims:
    """Every record of a file we wrote on this card: its manifest copy first, then (read only
    when the copy does not settle a question) the database's items for this destination. A
    record claims a file while the card shows exactly its size and time; or, when only the
    time differs, once the file's bytes read from the card have the record's SHA1 (see
    :meth:`find`).

    ``prune_kept`` and ``held_elsewhere`` collect, for the run's notes, the files a prune
    keeps: ours once but not provably now, and copies of games it cannot deploy now."""

    def __init__(self, db: Database, root: Path, dest_id: str, fs: FileSystem) -> None:
        self.db, self.root, self.dest_id, self.fs = db, root, dest_id, fs
        # The card manifest's bytes, parsed when first needed (see files): a re-deploy whose
        # kept bulk check holds for these bytes never parses them (see _kept_unchanged).
        self.manifest, self._unreadable = read_manifest_bytes(root)
        self._files: dict[str, Any] | None = None
        self._folders: set[str] | None = None
        # the folders a run that did not complete made (see made_by_an_unfinished_run)
        self.unfinished_made: set[str] = set()
        self._let_go: dict[str, Owned] | None = None  # see let_go
        self._unfinished: set[str] | None = None  # see _prunes_unfinished
        self.notes: list[str] = []
        self.dry_run = False  # a dry run's: its notes say what it would do (qa177 F7)
        # Files of ours where a folder of the plan goes (see in_the_way): path -> its record
        # (None: not ours, or changed).
        self.replaced_by_folder: dict[str, Owned | None] = {}
        self._card: dict[str, Owned] | None = None
        self.card_more: dict[str, list[Owned]] = defaultdict(list)
        self._stored: dict[str, list[Owned]] | None = None
        # Collision key -> (size, time) read and the record the bytes proved (None: none).
        self.proven: dict[str, tuple[int, int, Owned | None]] = {}
        self.prune_kept: list[str] = []
        self.prune_unreadable: dict[str, str] = {}  # dest -> why it cannot be read
        self.prune_not_a_file: list[str] = []  # a folder or a link where our file was
        self.held_elsewhere: list[str] = []
        self.kept_unreplaced: list[str] = []  # prunes put off whose new copy failed
        self.chosen_held_elsewhere: list[str] = []  # of those, a chosen game's copies
        self.prune_linked: list[str] = []  # reached through a link: see _keep_linked_prunes
        self.prune_library: list[str] = []  # the library's own files: see _is_its_source
        self._sources: dict[str, str] | None = None  # see copied_source
        # SHA1 -> the library holds it (see library_has); the library's files never hashed
        # in full, by size, and the SHA1s of those read (see _unhashed_of_size)
        self._library_has: dict[str, bool] = {}
        self._in_no_game: set[str] = set()  # SHA1s no present game holds (see know_held)
        self._unhashed: dict[int, list[str]] | None = None
        self._library_sha1s: dict[str, str | None] = {}
        # the card's zips' members (None: unreadable) and the library's loose files by CRC32
        # and size, asked for many at once (see know_members)
        self._zip_members: dict[str, list[zipfile.ZipInfo] | None] = {}
        self._loose: dict[tuple[bytes, int], list[tuple[str, bytes | None, int | None]]] = {}
        self._crcs_asked: set[bytes] = set()
        self._game_paths: dict[int, str] | None = None  # see game_path
        # SHA1s of the games the library has but cannot deploy now (the plan's held_sha1s):
        # a copy of ours holding one is never replaced without --overwrite (QA30 N1)
        self.held_sha1s: set[str] = set()
        # Paths claimed only by the records of other destinations at this folder (a card
        # whose manifest is gone: see _ids): pruned only where the library has the content.
        self.borrowed: set[str] = set()
        self._known_ids: list[str] | None = None  # see _ids
        self.settled_by_a_kept_check = False  # the plan's files found by it (see _split)
        # card path -> the computer whose other version of the game there a copy replaces
        # (see _decide_copy, _note_another_computers_copies)
        self.replaced_other_computers: dict[str, str] = {}
        # The other destinations whose records claimed a file on the card in this run (its
        # very path, size and time: see find), and the destinations of each record of
        # another destination stored() read, by (key, size, time). A run that gives the card
        # a new id records the first (``carries``: see _ids, qa171 F2, F3).
        self.carried: set[str] = set()
        self._record_ids: dict[tuple[str, int, int], set[str]] = {}
        # The profile deploying (None: not known), and the files a prune keeps because
        # another profile's deploys wrote them last (see written_by_other_profiles).
        self.profile_id: int | None = None
        self.prune_other_profile: dict[str, tuple[int, ...]] = {}
        self._shared: bool | None = None  # see shared
        # This database as the card's writer, and the files a prune keeps because another
        # database's deploys wrote or chose them last: path -> its computer (see
        # written_elsewhere); prune_others: a --prune-others run prunes those too.
        self._identity: tuple[str, str] | None = None  # (writer, database id)
        self._labels: dict[str, str] | None = None
        self.prune_other_computer: dict[str, str] = {}
        self.prune_others = False
        # (see _last_copies)
        self._copied_from: dict[str, tuple[int | None, int | None, str | None]] | None = None
        # (see other_profile_wrote)
        self._profile_copies: dict[str, tuple[int, str | None]] | None = None
        self._others_chosen: dict[str, tuple[int, ...]] | None = None
        # Files of ours a prune keeps because the player's saves are named after them (or
        # listed by such a sheet): path -> those saves (see _without_saved_games).
        self.prune_saves: dict[str, list[str]] = {}
        # Files at paths only other destinations' records name (a card without its manifest)
        # that no record claims: a prune keeps them, not knowing they are ROM Runner's.
        self.prune_unproven: list[str] = []
        self.prune_only_copy: list[str] = []  # of prune_unproven: content the library lacks
        # Files of ours (proven) no longer chosen whose content no file of the library holds
        # now and no copy of the run replaces: kept as maybe the only copy left (in
        # prune_only_copy too) unless force_prune (``--force``: see _only_copies_of_ours)
        self.prune_unheld: list[str] = []
        # the playlists kept only with such files (see _without_playlists_of_kept_discs):
        # ``--force`` removes them too, with their discs
        self.playlists_of_unheld: list[str] = []
        self.force_prune = False
        self.keep_only_copies = False  # (--force --keep-only-copies: said, not `--force`)
        # of those, another computer's files --prune-others keeps: path -> its computer
        self.only_copy_elsewhere: dict[str, str] = {}
        # of those, the playlists of ours kept with a disc they list: no copy of anything, a
        # deploy makes them (see _without_playlists_of_kept_discs)
        self.playlists_of_kept: list[str] = []
        # Files of ours a prune keeps because a playlist or sheet it keeps for another
        # profile or computer names them: path -> that list (see
        # _without_files_of_kept_lists)
        self.prune_named: dict[str, str] = {}
        # Sheets of ours kept as maybe the only copy left that the prune removes with their
        # tracks (path -> the computer said of it, if another's: see
        # _sheets_of_pruned_tracks); and the sheets of that kind the run removes after their
        # tracks, once these are gone (path -> the keys of the files they list), with the
        # playlists that list them (path -> those sheets' keys): see _sheets_last
        self.only_copy_sheets: dict[str, str | None] = {}
        self.sheets_last: dict[str, set[str]] = {}
        self.playlists_last: dict[str, set[str]] = {}
        # The paths of the playlists of the sets a held disc of which stays on the card alone
        # (the plan's sets_let_go), by key: see let_go_playlists_note
        self.let_go_playlists: set[str] = set()
        # Files of ours a run killed among its prunes removed, by key (see went_unrecorded)
        self.gone_unrecorded: dict[str, Owned] = {}
        self.prune_unrecorded: list[str] = []  # their paths, said in a note
        # Paths records name as ours where ROM Runner never writes: outside the card, in its
        # own folder there, in the OS's saves folders (a hand-edited manifest: QA82 F1, F4)
        self.prune_never_ours: list[str] = []
        # Files only the card's manifest claims, outside the folders the layout writes in
        self.prune_elsewhere: list[str] = []
        self.save_folders: tuple[str, ...] = ()  # the plan's (see never_ours)
        self._never: _NeverOurs | None = None
        # The manifest a run wrote, its bytes and files (see write_manifest): a Claims read
        # after it takes its records from there when the card holds these very bytes.
        self.written: tuple[bytes, dict[str, Any], set[str]] | None = None

    def adopt(self, written: tuple[bytes, dict[str, Any], set[str]] | None) -> Claims:
        """The records of ``written`` (see :attr:`written`), when the manifest read is those
        very bytes: what parsing them gives, without parsing them."""
        if written is not None and self.manifest is not None and self._files is None \
                and written[0] == self.manifest:
            self._files, self._folders = written[1], written[2]
        return self

    @property
    def files(self) -> dict[str, Any]:
        """The card manifest's records as parsed (see card and fast_skips)."""
        if self._files is None:
            self._parse()
        assert self._files is not None
        return self._files

    @property
    def parsed(self) -> bool:
        """True once the card's manifest was parsed (see :meth:`_parse`)."""
        return self._files is not None

    @property
    def folders(self) -> set[str]:
        """The folders our deployments created, as the card's manifest says."""
        if self._folders is None:
            self._parse()
        assert self._folders is not None
        return self._folders

    def _parse(self) -> None:
        files, folders, let_go, note = parse_manifest(self.root, self.manifest,
                                                      self._unreadable)
        self._files = files
        if self._folders is None:
            self.unfinished_made = made_by_an_unfinished_run(self.root)
            self._folders = folders | self.unfinished_made
        if self._let_go is None:
            self._let_go = self._keyed(let_go)
        if note:
            self.notes.insert(0, note)

    def never_ours(self, dest: str) -> bool:
        """True for a path on the card ROM Runner never writes to (see :class:`_NeverOurs`)."""
        if self._never is None:
            self._never = _NeverOurs(self.root, self.save_folders)
        return self._never.place(dest)

    def manifest_digest(self) -> str:
        """The SHA1 of the card manifest's bytes ("" when there is none)."""
        return "" if self.manifest is None else hashlib.sha1(self.manifest).hexdigest()

    def knows_folders(self, folders: Iterable[str]) -> None:
        """The folders the manifest's bytes list, known without parsing them (a kept bulk
        check of these very bytes: see _kept_unchanged)."""
        self._folders = set(folders)

    @property
    def card(self) -> dict[str, Owned]:
        """The card's records by collision key: the first record per key (and, rarely: two
        paths the card folds to one, the rest in ``card_more``). Built when first needed."""
        if self._card is None:
            mine: dict[str, Owned] = {}
            folds = self.fs.case_insensitive
            for owned in owned_from_files(self.files).values():
                dest = owned.dest
                key = dest.casefold() if folds and dest.isascii() else collision_key(dest,
                                                                                     self.fs)
                if key in mine:
                    self.card_more[key].append(owned)
                else:
                    mine[key] = owned
            for key, pruned in self._pruned_unwritten().items():
                if key in mine and (mine[key].size, mine[key].mtime_ns) in pruned:
                    del mine[key]  # (the card_more of a key are of other spellings: kept)
            self._card = mine
        return self._card

    def _pruned_unwritten(self) -> dict[str, set[tuple[int, int]]]:
        """The files this database's runs that did not complete pruned (key -> their sizes and
        times): where the card's manifest still lists that very file, the run was killed
        before it wrote the manifest after the prune, and its record is none — a file there
        now, someone else put there (review 77: the same bytes put back were taken for ours
        and pruned). A copy written there since has another time: its record holds."""
        found: dict[str, set[tuple[int, int]]] = defaultdict(set)
        if self.dest_id:
            for dest, size, mtime in self.db.query(
                    "SELECT i.dest_path, i.file_size, i.dest_mtime_ns FROM deployment_history h "
                    "JOIN deployment_items i ON i.deployment_id = h.id "
                    "WHERE h.destination_id = ? AND h.status <> 'completed' "
                    "AND i.action = 'prune' AND i.status = 'pruned' "
                    "AND i.dest_mtime_ns IS NOT NULL", (self.dest_id,)):
                found[collision_key(dest, self.fs)].add((int(size or 0), int(mtime)))
        return found

    def _prunes_unfinished(self) -> set[str]:
        """The paths a run of this database that did not complete meant to prune: a file
        there is ours only at the very size and time recorded, never by its bytes alone — a
        run killed among its prunes has recorded none of them, and the same bytes put back
        since are the user's (review 79 F4)."""
        if self._unfinished is None:
            self._unfinished = set()
            if self.dest_id:
                for (deployment,) in self.db.query(
                        "SELECT id FROM deployment_history WHERE destination_id = ? "
                        "AND status <> 'completed'", (self.dest_id,)):
                    items = deployment_record(self.db, int(deployment)).items or []
                    self._unfinished.update(collision_key(entry[8], self.fs)
                                            for entry in items if entry[2] == PRUNE)
        return self._unfinished

    def went_unrecorded(self, key: str, info: os.stat_result,
                        record: Owned | None = None) -> bool:
        """Note that the file of ours at ``key`` went, when a run of this database that did
        not complete meant to prune it and another file of its size is there now (``info``:
        not the time recorded): the kill came after the removal and before its record
        (review 80 F1: the manifest still listed it, and once the run was resumed the next
        prune took the file the user had put back for ours by its bytes). The manifest then
        lets it go (see let_go); True when so. (Our copy with its time moved since is let go
        too, taken as the user's from then on: the run's records cannot tell the two apart.)"""
        record = record or self.card.get(key)
        if record is not None and key in self._prunes_unfinished() \
                and info.st_size == record.size and not record.matches(info):
            # (of another size it is no copy of ours its bytes could prove: changed, kept)
            self.gone_unrecorded[key] = record
            return True
        return False

    @property
    def let_go(self) -> dict[str, Owned]:
        """The files our runs pruned at paths the card's manifest no longer lists, by
        collision key (see :func:`parse_manifest`)."""
        if self._let_go is None:  # (a manifest adopted unparsed: see adopt)
            self._let_go = self._keyed(parse_manifest(self.root, self.manifest,
                                                      self._unreadable)[2])
        return self._let_go

    def _keyed(self, by_path: dict[str, Owned]) -> dict[str, Owned]:
        return {collision_key(dest, self.fs): owned for dest, owned in by_path.items()}

    def stored(self) -> dict[str, list[Owned]]:
        """The database's records for this destination, newest deployment first. A record
        older than our prune of its path is none: what is there now, someone else put there
        (the same bytes the user put back are theirs) — and so is a record of the very file
        the card's manifest says a run pruned (``let_go``: a prune by another database, or by
        this one before a restore: review 77 R2, reviews 78 and 79). A card without its
        manifest (its ``.romrunner/`` deleted, or its files copied to a new card without it)
        is known by the destinations deployed to at this very folder too (see :meth:`_ids`)."""
        if self._stored is None:
            self._stored = defaultdict(list)
            known = self._ids()
            ids = json.dumps(known)
            if known:
                pruned: dict[str, int] = {}
                for dest, deployment in self.db.query(
                        "SELECT i.dest_path, max(h.id) FROM deployment_history h JOIN "
                        "deployment_items i ON i.deployment_id = h.id WHERE h.destination_id "
                        "IN (SELECT value FROM json_each(?)) AND i.action = 'prune' "
                        "AND i.status = 'pruned' GROUP BY 1", (ids,)):
                    key = collision_key(dest, self.fs)
                    pruned[key] = max(pruned.get(key, 0), int(deployment))
                rows = self.db.query(
                    "SELECT i.dest_path, i.file_size, i.dest_mtime_ns, i.file_sha1, h.id, "
                    "h.destination_id FROM deployment_history h JOIN deployment_items i "
                    "ON i.deployment_id = h.id WHERE h.destination_id "
                    "IN (SELECT value FROM json_each(?)) "
                    "AND i.action = 'copy' AND i.dest_mtime_ns IS NOT NULL "
                    "AND i.status IN ('pending', 'copied', 'skipped', 'failed') "
                    "ORDER BY h.id DESC, i.seq", (ids,))
                own: set[str] = set()
                let_go, card = self.let_go, self.card
                for row in rows:
                    key = collision_key(row[0], self.fs)
                    gone = let_go.get(key) if key not in card else None
                    if int(row[4]) > pruned.get(key, 0) and (
                            gone is None or not _the_file_let_go(gone, row)):
                        self._stored[key].append(Owned(row[0], int(row[1]), int(row[2]),
                                                       row[3]))
                        (own if row[5] == self.dest_id else self.borrowed).add(key)
                        if row[5] != self.dest_id:
                            self._record_ids.setdefault(
                                (key, int(row[1]), int(row[2])), set()).add(str(row[5]))
                self.borrowed -= own
        return self._stored

    def written_by_other_profiles(self) -> dict[str, tuple[int, ...]]:
        """Collision key -> every other existing profile whose deploys put the file there or
        found it there as chosen (or chose it and kept the card's copy: a conflict, a failed
        copy, a copy its plan held or its prune kept — QA94 F1), and that has not let it go
        since: no prune of it by that profile, no completed ``--prune`` deploy of that
        profile that did not choose it (QA43 F4: one card shared by two devices, the
        second's prune removed every game the first had put there; review 21 R2, the other
        order: a deploy to a shared card records each file it chooses, even found
        unchanged — see :meth:`shared`; review 27 R3, R4: a deploy without --prune, or
        interrupted, lets nothing go)."""
        if self.profile_id is None or not self._ids():
            return {}
        ids = json.dumps(self._ids())
        profiles = {int(row[0]) for row in self.db.query("SELECT id FROM device_profiles")}
        released: dict[int, int] = {}  # profile -> its last completed prune of a shared card
        for deployment, profile, options, status in self.db.query(
                "SELECT id, device_profile_id, options_json, status FROM deployment_history "
                "WHERE destination_id IN (SELECT value FROM json_each(?)) "
                "AND device_profile_id IS NOT NULL AND device_profile_id <> ? ORDER BY id",
                (ids, self.profile_id)):
            if status == "completed" and _recorded_every_file(options, pruning=True):
                released[int(profile)] = int(deployment)
        # key -> profile -> (its last deploy that chose the file, its last prune of it)
        acts: dict[str, dict[int, list[int]]] = defaultdict(dict)
        for dest, profile, action, status, deployment in self.db.query(
                "SELECT i.dest_path, h.device_profile_id, i.action, i.status, h.id FROM "
                "deployment_history h JOIN deployment_items i ON i.deployment_id = h.id "
                "WHERE h.destination_id IN (SELECT value FROM json_each(?)) "
                "AND h.device_profile_id IS NOT NULL AND h.device_profile_id <> ? "
                "AND ((i.action = 'copy' AND i.status IN ('copied', 'skipped', 'conflict', "
                "'failed')) OR (i.action = 'prune' AND i.status IN ('pruned', 'skipped'))) "
                "UNION ALL SELECT held.value, h.device_profile_id, 'held', '', h.id FROM "
                "deployment_history h, json_each(CASE WHEN json_valid(h.manifest_json) THEN "
                "h.manifest_json ELSE '{}' END, '$.held') held "
                "WHERE h.destination_id IN (SELECT value FROM json_each(?)) "
                "AND h.device_profile_id IS NOT NULL AND h.device_profile_id <> ?",
                (ids, self.profile_id, ids, self.profile_id)):
            if int(profile) not in profiles or not isinstance(dest, str):
                continue
            last = acts[collision_key(dest, self.fs)].setdefault(int(profile), [0, 0])
            # (a prune that kept the file — its new copy not written — chose it again)
            index = 1 if action == "prune" and status == "pruned" else 0
            last[index] = max(last[index], int(deployment))
        found: dict[str, tuple[int, ...]] = {}
        for key, by_profile in acts.items():
            keeping = tuple(sorted(profile for profile, (chose, pruned) in by_profile.items()
                                   if chose > pruned and chose >= released.get(profile, 0)))
            if keeping:  # (each of them: with one named, its `profile rm` freed nothing
                found[key] = keeping  # the other still chose)
        return found

    def catalog_dump_replaced(self, item: _Item, claim: Owned) -> str | None:
        """The catalog game whose dump ``claim`` (our copy at ``item.dest``) is, when the
        game ``item`` copies is no longer identified by its data and its file is smaller: cut
        short on the library's storage since (QA67 F4: the card's good copy replaced by the
        broken file without a word); None otherwise."""
        if item.kind != ROM or item.game_id is None or claim.sha1 is None \
                or len(claim.sha1) != 40 or item.size >= claim.size:
            return None  # (a file as large or larger: a patch in place, review 34 R1)
        if identified_by_hashes(self.db, item.game_id):
            return None
        return catalog_dump_named(self.db, claim.sha1)

    def copied_from_another_source(self, item: _Item, claim: Owned) -> bool:
        """True when the card's copy at ``item.dest`` (``claim``: the manifest's record of
        it) was written, as this destination's records say, from its source at another
        modification time than the plan's, or when they do not say, or when another
        database wrote it last: a source known by its CRC32 only (no SHA1 to compare with
        the card's) may have changed since at the same size — a redump in place, a
        renamer's swap (QA53 F4: the card kept the old ROM, "skipped"); this database before
        a restore (QA114 F1: the card's newer dump "skipped" for the older one put back)."""
        written = self._last_copies().get(collision_key(item.dest, self.fs),
                                           (None, None, None))[0]
        # (no record of it: the copy another computer's database wrote, review 28 R1)
        return item.source_mtime_ns is not None and (
            written is None or int(written) != item.source_mtime_ns
            or self._unrecorded_other_write(claim))

    def _unrecorded_other_write(self, claim: Owned) -> bool:
        """True when another database (another computer's, or this one before a ``db
        restore``) wrote or chose the card's file ``claim`` last and this database's records
        do not hold this very copy (size, time): its bytes may be another dump (QA114 F1;
        review 118 F1: another computer's dump "skipped"). Not a copy this database's records
        hold, which another computer only chose since (review 115 F3: every CRC32-only
        source read again at each turn of two computers)."""
        me = self.writer
        if claim.writer is None or me is None or claim.writer == me:
            return False
        return not self._records_hold(collision_key(claim.dest, self.fs), claim)

    def _records_hold(self, key: str, copy: Owned) -> bool:
        """True when this database's records of the file at ``key`` hold this very copy
        (its size and time)."""
        return any((own.size, own.mtime_ns) == (copy.size, copy.mtime_ns)
                   for own in self.stored().get(key, ()))

    def game_path(self, game_id: int) -> str | None:
        """Where the library has now the game of one of this destination's copies (read
        for all of them at once, by the first prune that asks: see :func:`game_path`)."""
        if self._game_paths is None:
            ids = sorted({game for _, game, _ in self._last_copies().values() if game is not None})
            self._game_paths = {int(row[0]): f"{str(row[1]).rstrip('/')}/{row[2]}"
                                for row in self.db.query(_GAME_PATHS, (json.dumps(ids),))}
        return self._game_paths.get(game_id)

    def earlier_spelling_of(self, item: _Item, claim: Owned) -> bool:
        """True when ``claim`` (our copy where the card folds ``item.dest``, under another
        spelling) is this destination's last copy there of ``item``'s very game: the same
        file written before its name changed in case only (a set's .m3u and sheets after the
        library's discs were renamed so), not another game's file the card ignores the case
        of."""
        return item.game_id is not None and self.game_copied_to(claim.dest) == item.game_id

    def game_copied_to(self, dest: str) -> int | None:
        """The game whose file this destination's last copy to ``dest`` was, if recorded."""
        return self._last_copies().get(collision_key(dest, self.fs), (None, None, None))[1]

    def platform_copied_to(self, dest: str) -> str | None:
        """The platform this destination's last copy to ``dest`` was made for, if recorded."""
        return self._last_copies().get(collision_key(dest, self.fs), (None, None, None))[2]

    def _last_copies(self) -> dict[str, tuple[int | None, int | None, str | None]]:
        """Collision key -> (source time, game, platform) of this destination's last copy
        there."""
        if self._copied_from is None:
            self._copied_from = {}
            if self._ids():
                for dest, mtime, game, platform in self.db.query(
                        "SELECT i.dest_path, i.source_mtime_ns, i.game_id, i.platform_id "
                        "FROM deployment_history h "
                        "JOIN deployment_items i ON i.deployment_id = h.id "
                        "WHERE h.destination_id IN (SELECT value FROM json_each(?)) "
                        "AND i.action = 'copy' AND (i.status = 'copied' OR (i.status = "
                        "'skipped' AND i.source_mtime_ns IS NOT NULL)) ORDER BY h.id, i.seq",
                        (json.dumps(self._ids()),)):
                    self._copied_from[collision_key(dest, self.fs)] = (mtime, game, platform)
        return self._copied_from

    def other_profile_wrote(self, key: str, claim: Owned | None) -> int | None:
        """The other existing profile whose deploy to this card wrote the very file the
        card holds at ``key`` (``claim``: its record; the SHA1 that deploy recorded), and
        which still chooses it (see :meth:`written_by_other_profiles`); None otherwise — a
        file of this profile's, or one no deploy of another profile wrote last (qa205 F5:
        two profiles laying out one set's playlist at one path rewrote each other's,
        unsaid)."""
        if claim is None or self.profile_id is None or not self._ids():
            return None
        if self._profile_copies is None:
            self._profile_copies = {}
            for dest, profile, sha1 in self.db.query(
                    "SELECT i.dest_path, h.device_profile_id, i.file_sha1 "
                    "FROM deployment_history h JOIN deployment_items i "
                    "ON i.deployment_id = h.id "
                    "WHERE h.destination_id IN (SELECT value FROM json_each(?)) "
                    "AND h.device_profile_id IS NOT NULL AND i.action = 'copy' "
                    "AND i.status = 'copied' ORDER BY h.id, i.seq",
                    (json.dumps(self._ids()),)):
                self._profile_copies[collision_key(dest, self.fs)] = (int(profile), sha1)
        found = self._profile_copies.get(key)
        if found is None or found[0] == self.profile_id:
            return None
        profile, sha1 = found
        if claim.sha1 is not None and sha1 is not None and claim.sha1 != sha1:
            return None  # (rewritten since by someone else)
        if self._others_chosen is None:
            self._others_chosen = self.written_by_other_profiles()
        return profile if profile in self._others_chosen.get(key, ()) else None

    @property
    def writer(self) -> str | None:
        """This database as the writer the card's manifest records (None: not known)."""
        if self._identity is None:
            database_id, lineage = writer_identity(self.db.conn)
            # (and where the file is: two copies of one database, a backup used as the
            # second computer's, are two writers: review 29 R4)
            place = hashlib.sha1(f"{socket.gethostname()}\0{os.path.realpath(self.db.path)}"
                                 .encode(errors="surrogateescape")).hexdigest()[:12]
            self._identity = (f"{database_id}/{lineage or '-'}/{place}" if database_id
                              else "", database_id)
        return self._identity[0] or None

    def others_wrote(self) -> bool:
        """True when the card's manifest says another database's deploys wrote or chose a
        file of it last (one card used from two computers: QA52 F2)."""
        me = self.writer
        return me is not None and any(type(entry) is list and len(entry) == 4
                                      and entry[3] != me for entry in self.files.values())

    def written_elsewhere(self, key: str) -> str | None:
        """The computer whose ROM Runner wrote or chose the card's file at ``key`` last, when
        that is another database's (another computer's, or this one's before a ``db restore``
        whose records lack this very copy): its own prunes decide about the file, this
        database's keep it (QA52 F2: a prune from a second computer removed every game the
        first had put on a card both use). None when it is this database's, or not said."""
        record = self.card.get(key)
        me = self.writer
        if record is None or me is None or record.writer == me:
            return None
        assert self._identity is not None
        # Not said (a manifest of an earlier release: review 29 R1), or this database file's
        # before a restore of it (its id and place, another line): this database's where its
        # records hold this very copy. Not a copy of this database elsewhere, whose records
        # it shares up to the copy (review 30 R5).
        database_id, _, rest = (record.writer or "").partition("/")
        before_a_restore = database_id == self._identity[1] \
            and rest.rpartition("/")[2] == me.rpartition("/")[2]
        if (record.writer is None or before_a_restore) and self._records_hold(key, record):
            return None
        if before_a_restore:  # (QA114 F2: said to be "another database on" this computer)
            return BEFORE_A_RESTORE
        if record.writer is None:
            return "a computer this database has no record of (an earlier release's deploy)"
        host = self.writer_labels().get(record.writer)
        if host is None:
            return "another computer"
        return f"another database on {host}" if host == socket.gethostname() else host

    def writer_labels(self) -> dict[str, str]:
        """Each writer's computer name: the card manifest's, and this computer's."""
        if self._labels is None:
            self._labels = manifest_writers(self.manifest)
            if self.writer is not None:
                self._labels[self.writer] = socket.gethostname() or "a computer"
        return self._labels

    def shared(self) -> bool:
        """True when another existing profile has deployed to this card (two devices sharing
        one card: see :meth:`written_by_other_profiles`)."""
        if self._shared is None:
            self._shared = self.profile_id is not None and bool(self._ids()) and \
                self.db.scalar(
                    "SELECT 1 FROM deployment_history h JOIN device_profiles p "
                    "ON p.id = h.device_profile_id WHERE h.destination_id IN (SELECT value "
                    "FROM json_each(?)) AND h.device_profile_id <> ? LIMIT 1",
                    (json.dumps(self._ids()), self.profile_id)) is not None
        return self._shared

    def had_manifest(self) -> bool:
        """Whether the card had its manifest (readable or not) when this run began."""
        return self.manifest is not None or self._unreadable is not None

    def _ids(self) -> list[str]:
        """This destination's id, and, when the card has no manifest at all (QA43 F3: its
        ``.romrunner/`` lost, so our copies were "files of yours" and no prune could remove
        them), the ids of the deployments to this same folder (the dry run too, which makes no
        id): their records claim a file only with the very size and time it was written with
        (see :meth:`prove`: not by its bytes alone — another card at the same mount point,
        with a copy the user made of the same ROM, is not ours: review 21 R6)."""
        if self._known_ids is not None:
            return self._known_ids
        own = [self.dest_id] if self.dest_id else []
        carried = self._carried_ids()
        if self.manifest is not None or self._unreadable is not None:
            self._known_ids = [*own, *carried]
            return self._known_ids
        earlier = [str(row[0]) for row in self.db.query(
            "SELECT DISTINCT destination_id FROM deployment_history WHERE destination_path = ? "
            "AND destination_id IS NOT NULL AND destination_id <> ?",
            (str(self.root), self.dest_id)) if str(row[0]) not in carried]
        # (a card known by its volume UUID keeps its id without .romrunner/: its own
        # records claim its files, said as well, QA69 F5 — where a deploy to it completed,
        # so wrote its manifest: not a first deploy killed before it did, resumed)
        recorded = bool(own) and bool(self.db.scalar(
            "SELECT EXISTS (SELECT 1 FROM deployment_history WHERE destination_id = ? "
            "AND status = 'completed')", (self.dest_id,)))
        if earlier or recorded:
            # (QA102 F6: ".romrunner/ gone" said of a card whose first deploy was killed
            # before it wrote the record, its id there: that of the deploys before; a card
            # that lost .romrunner/, or another one, has another id, or none yet)
            why = (f"{CARD_DIR}/ gone, or another card at this folder" if earlier
                   else f"{CARD_DIR}/{MANIFEST_NAME} missing: deleted, or a deploy stopped "
                   "before it wrote it")
            self.notes.append(
                f"{self.root}: no record of ROM Runner's files on the card ({why}): a file "
                "there is ROM Runner's where its path, size and time are those an earlier "
                "deploy to this card or folder wrote")
        self._known_ids = [*own, *carried, *earlier]
        return self._known_ids

    def _carried_ids(self) -> list[str]:
        """The ids whose records this destination's deploys carried over (``carries`` in
        their options, and in those ids' own, and so on): the card's earlier ids, before it
        lost its ``.romrunner/`` and a deploy gave it a new one (qa171 F2, F3: from then on
        a file an earlier run kept as "maybe the only copy left" was never named again, and
        a copy of ours the user edited was "a file we did not write"). A deploy carries an
        id over only where one of that id's records claimed a file on the card by its very
        path, size and time (see find): another card at the same mount point, whose files
        no record claims, inherits nothing. Their records keep claiming a file as they did
        in that run: by its size and time, never by its bytes alone, and pruned only where
        the library holds its content (see borrowed)."""
        if not self.dest_id:
            return []
        found: list[str] = []
        seen, todo = {self.dest_id}, [self.dest_id]
        while todo:
            rows = self.db.query(
                "SELECT DISTINCT c.value FROM deployment_history h, json_each(CASE WHEN "
                "json_valid(h.options_json) AND json_type(h.options_json, '$.carries') = "
                "'array' THEN h.options_json ELSE '{\"carries\":[]}' END, '$.carries') c "
                "WHERE h.destination_id IN (SELECT value FROM json_each(?))",
                (json.dumps(todo),))
            todo = [str(row[0]) for row in rows if isinstance(row[0], str) and row[0]
                    and row[0] not in seen]
            seen.update(todo)
            found += todo
        return found

    def find(self, key: str, info: os.stat_result | None,
             read_at: str | None = None) -> Owned | None:
        """The record that claims the file now at ``key`` (``info``: its stat), if any.

        A record of the file's size whose time is not the card's claims it too when the
        file's bytes, read from the card at ``read_at`` (the path ``info`` is of; None: never
        read), have the record's SHA1: returned with the card's time, as the record to keep.
        A card whose file system sets a file's time when it is renamed (fusefat, some FUSE,
        MTP and network mounts) shows a later time than the one recorded by a run that
        stopped between the rename and the record of the time after it (or by a release that
        recorded the time before the rename only); the bytes prove the file is the one we
        wrote, unchanged. Read once per file and run, and only for such a mismatch."""
        if info is None:
            return None
        first = self.card.get(key)
        if first is not None:
            if first.matches(info):
                return first
            for owned in self.card_more.get(key, ()):
                if owned.matches(info):
                    return owned
        for owned in self.stored().get(key, ()):
            if owned.matches(info):
                self.carried |= self._record_ids.get((key, owned.size, owned.mtime_ns), set())
                return owned
        return None if read_at is None else self.prove(key, info, read_at)

    def prove(self, key: str, info: os.stat_result, read_at: str) -> Owned | None:
        """The record of ``key`` whose size and SHA1 the card's file has, read at
        ``read_at``, with the card's time (see :meth:`find`)."""
        if not _is_file(info) or key in self._prunes_unfinished():
            return None
        size, mtime = info.st_size, info.st_mtime_ns
        known = self.proven.get(key)
        if known is not None and known[:2] == (size, mtime):
            return known[2]
        records = [owned for owned in (*((self.card[key],) if key in self.card else ()),
                                       *self.card_more.get(key, ()),
                                       *(() if key in self.borrowed else
                                         self.stored().get(key, ())))
                   if owned.size == size and owned.sha1]
        found: Owned | None = None
        if records:
            digest = _sha1_of(str(self.root / read_at))
            match = next((owned for owned in records if owned.sha1 == digest), None)
            if match is not None:
                found = Owned(match.dest, size, mtime, match.sha1)
        self.proven[key] = (size, mtime, found)
        return found

    def in_the_way(self, part: str) -> bool:
        """True when the file at ``part`` (a path on the card where a folder of the plan
        goes) is ROM Runner's, unchanged — its size, time and bytes as recorded: the run
        replaces it with the folder (an earlier layout's file where the new one puts a
        folder: ES-DE's ``Game.m3u/``, once a flat ``Game.m3u``), said in a note."""
        if part not in self.replaced_by_folder:
            info = _lstat(self.root / part)
            claim = None if info is None or not _is_file(info) else \
                self.find(collision_key(part, self.fs), info, read_at=part)
            ours = claim is not None and _still_our_bytes(self.root / part, claim)
            self.replaced_by_folder[part] = claim if ours else None
            if ours:
                self.notes.append(f"{part}: ROM Runner's own file from an earlier deploy, "
                                  f"unchanged, {'would be' if self.dry_run else 'is'} "
                                  "replaced by a folder of the new layout")
        return self.replaced_by_folder[part] is not None

    def was_proven(self, key: str, claim: Owned | None) -> bool:
        """True when ``claim`` is a record :meth:`find` proved by the file's bytes (its time
        on the card is not yet recorded)."""
        known = self.proven.get(key)
        return claim is not None and known is not None and known[2] is claim

    def last_copy_replaced_by_a_copy(self, old_sha1: str | None, new_sha1: str | None,
                                     game_id: int | None) -> bool:
        """True when replacing a copy of ours holding ``old_sha1`` by ``new_sha1`` (game
        ``game_id``'s content now) would destroy the last copy of that content: no game of
        the library holds it any more, and the new content is another present game's (a
        file copied over it, `cp D E`: QA31 F1), not a ROM upgraded in place. Asked only when
        a copy of ours is about to be replaced."""
        if not old_sha1 or not new_sha1 or old_sha1 == new_sha1:
            return False
        try:
            old, new = bytes.fromhex(old_sha1), bytes.fromhex(new_sha1)
        except ValueError:
            return False
        if self.db.scalar("SELECT EXISTS (SELECT 1 FROM games WHERE sha1_bin = ?) OR EXISTS "
                          "(SELECT 1 FROM game_files WHERE sha1_bin = ?)", (old, old)):
            return False
        return bool(self.db.scalar(
            "SELECT EXISTS (SELECT 1 FROM games WHERE sha1_bin = ? AND is_missing = 0 "
            "AND id IS NOT ?)", (new, game_id)))

    def holds_a_present_games_copy(self, claim: Owned | None, held_sha1s: set[str]) -> bool:
        """True when ``claim`` (a record of ours proved for the file on the card) says the
        file holds a game's content the library has present, none of the held games': a path
        an earlier deploy gave a held game, taken since by another game's copy (``deploy
        --overwrite``: QA31 F6), is that game's copy, not the held game's."""
        if claim is None or not claim.sha1 or claim.sha1 in held_sha1s:
            return False
        return a_present_game_has(self.db, claim.sha1)

    def kept_by_the_prune(self) -> int:
        """The files of ours on the card no longer chosen that the prune keeps (held, changed,
        another profile's or computer's, named by saves, maybe the only copy left…): what a
        prune refused for its share of the card says beside it (see :func:`_prune_brake`).
        Not the library's own files, paths holding a folder or a link, nor paths records
        name where ROM Runner never writes."""
        return len({*self.held_elsewhere, *self.prune_linked, *self.prune_unproven,
                    *self.prune_unheld,
                    *self.prune_other_profile, *self.prune_other_computer,
                    *self.prune_named,
                    *self.prune_saves, *self.prune_unrecorded, *self.prune_elsewhere,
                    *self.prune_unreadable, *self.prune_kept})

    def library_has(self, claim: Owned) -> bool:
        """True when the library provably holds the bytes ``claim`` (a record of a copy of
        ours) records: a present game, track, zip member or BIOS file of its SHA1 (see
        :func:`a_present_game_has`), or a present archive never hashed in full (a zip read
        from its directory: one the user made of a deployed ROM takes over the ROM's row with
        the ROM's hashes, none of its own — qa171 F1) of the record's size whose file in the
        library, read now, has that SHA1. Size first: only files of that very size are read,
        each once per run; a file that cannot be read holds nothing. (A loose file known by
        its CRC32 only is not read: the note on the only copies says `scan --verify`, QA145
        F9.)"""
        if not claim.sha1:
            return False
        known = self._library_has.get(claim.sha1)
        if known is None:
            known = (claim.sha1 not in self._in_no_game
                     and a_present_game_has(self.db, claim.sha1)) or any(
                self._library_sha1(path) == claim.sha1
                for path in self._unhashed_of_size(claim.size)) or self._members_held(claim)
            self._library_has[claim.sha1] = known
        return known

    def know_held(self, claims: Iterable[Owned]) -> None:
        """Ask the library at once which of ``claims``' SHA1s a present game or BIOS file
        holds (see :func:`present_games_have`: one query per batch, not one per file — a
        prune of thousands of files), for :meth:`library_has` to answer from."""
        asked = {claim.sha1 for claim in claims
                 if claim.sha1 and claim.sha1 not in self._library_has}
        if not asked:
            return
        present = present_games_have(self.db, asked)
        for sha1 in asked:
            if sha1 in present:
                self._library_has[sha1] = True
            else:
                self._in_no_game.add(sha1)

    def same_rom_zipped_apart(self, claim: Owned, game_id: int | None) -> bool:
        """True when ``claim``, a zip on the card, holds by its directory the very ROMs
        (CRC32 and size) that the library's zip of game ``game_id`` held when scanned: the
        same dump zipped apart (another computer's zip tool, other member times), no other
        version of the game (review38 F3: said "replaces another version" at every deploy
        of either computer): present, skipped (qa181 N5: rewritten by each computer in
        turn). Only the card's zip directory is read."""
        if game_id is None or not claim.dest.lower().endswith(".zip"):
            return False
        ours = sorted((bytes(crc), int(size)) for crc, size in self.db.query(
            "SELECT crc32_bin, file_size FROM game_files WHERE game_id = ? AND kind = 'member' "
            "AND crc32_bin IS NOT NULL", (game_id,)))
        if not ours:
            return False
        try:
            with zipfile.ZipFile(self.root / claim.dest) as archive:
                theirs = sorted((member.CRC.to_bytes(4, "big"), member.file_size)
                                for member in archive.infolist() if not member.is_dir())
        except (OSError, zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, EOFError):
            return False
        return theirs == ours

    def know_members(self, claims: Iterable[Owned]) -> None:
        """Read the directories of those of ``claims`` that are zips on the card whose SHA1
        no present game holds (see :meth:`know_held`), once each, and ask the library at
        once for the loose files of the CRC32 and size of their members (one query per
        :data:`_CRCS_ASKED`, not one per zip: a prune keeping thousands of a forgotten zip
        collection — review44c F5), for :meth:`_members_held` to answer from."""
        crcs: set[bytes] = set()
        for claim in claims:
            if claim.dest in self._zip_members or not claim.dest.lower().endswith(".zip") \
                    or self._library_has.get(claim.sha1 or "") is True:
                continue
            members = self._zip_members[claim.dest] = self._zip_directory(claim)
            crcs.update(member.CRC.to_bytes(4, "big") for member in members or ())
        asked = sorted(crcs - self._crcs_asked)
        self._crcs_asked.update(asked)
        for start in range(0, len(asked), _CRCS_ASKED):
            chunk = asked[start:start + _CRCS_ASKED]
            for crc, size, root, filepath, sha1, mtime in self.db.query(
                    "SELECT g.crc32_bin, g.file_size, r.path, g.filepath, g.sha1_bin, "
                    "g.file_mtime_ns FROM games g JOIN library_roots r ON r.id = g.root_id "
                    f"WHERE g.crc32_bin IN ({', '.join('?' * len(chunk))}) "
                    "AND g.is_archive = 0 AND g.is_missing = 0", chunk):
                self._loose.setdefault((bytes(crc), int(size)), []).append(
                    (f"{str(root).rstrip('/')}/{filepath}", sha1, mtime))

    def _zip_directory(self, claim: Owned) -> list[zipfile.ZipInfo] | None:
        """The members (not folders) of the card's zip ``claim`` names, by its directory;
        None when it is not the file the record proves (another size), or unreadable."""
        path = self.root / claim.dest
        info = _lstat(path)
        if info is None or not _is_file(info) or info.st_size != claim.size:
            return None
        try:
            with zipfile.ZipFile(path) as archive:
                return [m for m in archive.infolist() if not m.is_dir()]
        except (OSError, zipfile.BadZipFile, zipfile.LargeZipFile, NotImplementedError,
                RuntimeError, ValueError, EOFError):
            return None

    def _members_held(self, claim: Owned) -> bool:
        """True when ``claim`` is a zip on the card (another computer's copy of a game) whose
        every member's bytes are a loose file of the library, there as the scan found it
        (review37b F8: its zip kept as "maybe the only copy left" while this library held
        the very ROM loose). The zip's own directory first (read once: see
        :meth:`know_members`): a member whose CRC32 and size no loose file of the library
        has ends the look; only then are the members read, in full (as much as a prune
        reads of the file it removes). Not the library's own zips: a zip's row holds its
        member's hashes as last scanned, not proof that the file holds them now (see
        :meth:`_unhashed_of_size`, which reads them)."""
        if not claim.dest.lower().endswith(".zip"):
            return False
        if claim.dest not in self._zip_members:
            self.know_members([claim])
        members = self._zip_members[claim.dest]
        if not members:
            return False
        loose = [self._loose.get((m.CRC.to_bytes(4, "big"), m.file_size), [])
                 for m in members]
        if not all(loose):
            return False
        try:
            with zipfile.ZipFile(self.root / claim.dest) as archive:
                for member, files in zip(members, loose, strict=True):
                    digest = hashlib.sha1()
                    with archive.open(member) as stream:
                        while chunk := stream.read(1 << 20):
                            digest.update(chunk)
                    if not any(self._holds(file, digest.hexdigest()) for file in files):
                        return False
        except (OSError, zipfile.BadZipFile, zipfile.LargeZipFile, NotImplementedError,
                RuntimeError, ValueError, EOFError):
            return False  # (unreadable, encrypted, a method zipfile lacks: not proven)
        return True

    def _holds(self, file: tuple[str, bytes | None, int | None], sha1: str) -> bool:
        """True when the library's loose ``file`` (see :meth:`know_members`) has ``sha1``:
        by its recorded SHA1 where it is as the scan found it (its time), else read now."""
        path, recorded, mtime = file
        if recorded is not None:
            info = _lstat(os_path(path))
            if info is not None and info.st_mtime_ns == mtime:
                return recorded.hex() == sha1
        return self._library_sha1(path) == sha1

    def _unhashed_of_size(self, size: int) -> list[str]:
        """The paths of the library's present archives of ``size`` bytes without a SHA1 of
        their own file. Read in one pass the first time one is asked — only a claim whose
        content is in no game asks: a prune's rare case — and only those of a size some
        record of the card's files has (review37 F4: every unverified zip of a library of
        a million, each prune of a card keeping a file as maybe the only copy)."""
        if self._unhashed is None:
            sizes = {owned.size for owned in self.card.values()} | {
                owned.size for records in self.stored().values() for owned in records}
            self._unhashed = defaultdict(list)
            for root, filepath, file_size in self.db.query(
                    "SELECT r.path, g.filepath, g.file_size FROM games g JOIN library_roots r "
                    "ON r.id = g.root_id WHERE g.sha1_bin IS NULL AND g.is_archive = 1 "
                    "AND g.is_missing = 0 AND g.file_size IN (SELECT value FROM json_each(?))",
                    (json.dumps(sorted(sizes)),)):
                self._unhashed[int(file_size)].append(f"{str(root).rstrip('/')}/{filepath}")
        return self._unhashed.get(size, [])

    def _library_sha1(self, path: str) -> str | None:
        """The SHA1 of the library's file at ``path`` (stored form), read once per run."""
        if path not in self._library_sha1s:
            self._library_sha1s[path] = _sha1_of(os_path(path))
        return self._library_sha1s[path]

    def copied_source(self, dest: str) -> str | None:
        """The library file the last deployment of ours to this card copied to ``dest``
        (None for none, or a file it wrote from the database: a playlist); the card's
        records are read once, by the first prune that asks."""
        if self._sources is None:
            self._sources = {}
            if self.dest_id:
                for dest_path, source in self.db.query(
                        "SELECT i.dest_path, i.source_path FROM deployment_history h "
                        "JOIN deployment_items i ON i.deployment_id = h.id "
                        "WHERE h.destination_id = ? AND i.action = 'copy' AND i.content IS NULL "
                        "AND i.status IN ('copied', 'skipped') ORDER BY h.id",
                        (self.dest_id,)):
                    if source:
                        self._sources[str(dest_path)] = str(source)  # (the last one wins)
        return self._sources.get(dest)

    def wrote(self, key: str) -> bool:
        """True when a deployment of ours once wrote a file at ``key`` (whatever is there now)."""
        return key in self.card or key in self.stored()

    def keys(self) -> set[str]:
        """Every path any record names."""
        return set(self.card) | set(self.stored())

    def first(self, key: str) -> Owned:
        """One record for ``key`` (its path on the card)."""
        return self.card.get(key) or self.stored()[key][0]

    def held_keys(self, games: Iterable[int], sets: Iterable[int],
                  sha1s: set[str]) -> set[str]:
        """The paths our records give the copies of ``games`` (their files and tracks, by the
        deployments that wrote them), the playlists of the disc sets of ``sets``, and any
        file whose record has one of ``sha1s`` (a card whose records only its manifest has):
        wherever they are on the card, in a folder the games no longer go to too."""
        held: set[str] = set()
        if sha1s:
            for key, first in self.card.items():
                if any(o.sha1 in sha1s for o in (first, *self.card_more.get(key, ()))):
                    held.add(key)
            for key, records in self.stored().items():
                if any(o.sha1 in sha1s for o in records):
                    held.add(key)
        games, sets = sorted(set(games)), sorted(set(sets))
        if self.dest_id and (games or sets):
            rows = self.db.query(
                "SELECT DISTINCT i.dest_path FROM deployment_history h JOIN deployment_items i "
                "ON i.deployment_id = h.id WHERE h.destination_id = ? AND i.action = 'copy' "
                "AND (i.game_id IN (SELECT value FROM json_each(?)) OR (i.kind = 'playlist' "
                "AND i.game_id IN (SELECT value FROM json_each(?))))",
                (self.dest_id, json.dumps(games), json.dumps(sets)))
            held.update(collision_key(row[0], self.fs) for row in rows)
        return held


def _lstat(path: Path | str) -> os.stat_result | None:
    try:
        return os.lstat(path)
    except OSError:
        return None


def _lstat_at(folder: int, name: str) -> os.stat_result | None:
    """:func:`_lstat` of ``name`` in the folder open as ``folder``."""
    try:
        return os.stat(name, dir_fd=folder, follow_symlinks=False)
    except OSError:
        return None


class _CardStat:
    """``lstat`` of paths on the card through one open descriptor per folder: a short lookup
    per file instead of the whole path, and nothing at all for a folder that is not there."""

    def __init__(self, root: Path) -> None:
        self.base = str(root)
        self.root = root
        self.folders: dict[str, int | None] = {}
        self.blocks: dict[str, str | None] = {}
        self.off = _OffCard(root)
        self.refusing: dict[str, str | None] = {}
        self.composed: dict[str, dict[str, str]] = {}  # folder -> its names, composed

    def twin(self, folder: str, fd: int, name: str) -> str | None:
        """The entry of ``folder`` that is ``name`` in another Unicode form (a card filled on
        a Mac holds decomposed names: QA57 F4, a second copy of each accented game was
        written beside the player's), or None; the folder is listed once."""
        names = self.composed.get(folder)
        if names is None:
            try:
                listed = os.listdir(fd)
            except OSError:
                listed = []
            names = self.composed[folder] = {
                unicodedata.normalize("NFC", entry): entry for entry in listed
                if not entry.isascii()}
        found = names.get(unicodedata.normalize("NFC", name))
        return found if found is not None and found != name else None

    def unwritable(self, folder: str) -> str | None:
        """Why the card's existing ``folder`` cannot be written (read-only, no permission),
        or None (a folder not there yet is made by the run; each asked once)."""
        if folder not in self.refusing:
            there = folder  # (a folder the run makes: its nearest folder there, review 115 F5)
            while there and not os.path.isdir(f"{self.base}/{there}"):
                there = there.rpartition("/")[0]
            path = f"{self.base}/{there}" if there else self.base
            why = None
            if os.path.isdir(path) and not os.access(path, os.W_OK):
                read_only = _read_only(path)
                why = f"{there or 'the card'} is read-only" if read_only else \
                    f"{there or 'the card'} is not writable (permission denied)"
            self.refusing[folder] = why
        return self.refusing[folder]

    def outside(self, folder: str) -> str | None:
        """Why ``folder`` leads outside the card (a link to another folder of the computer),
        or None (each folder looked at once)."""
        return self.off.why(folder)

    def open(self, folder: str) -> int | None:
        """The descriptor of ``folder`` (relative to the card), opened once; None when it is
        not there."""
        try:
            fd: int | None = os.open(f"{self.base}/{folder}" if folder else self.base,
                                     os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC)
        except OSError:
            fd = None
        self.folders[folder] = fd
        return fd

    def blocked(self, folder: str) -> str | None:
        """The part of ``folder``'s path on the card that is a file, not a folder (a file
        named ``Roms``), if any (each folder looked at once)."""
        if folder not in self.blocks:
            self.blocks[folder] = blocking_part(self.base, folder)
        return self.blocks[folder]

    def close(self) -> None:
        """Close the folders' descriptors."""
        for fd in self.folders.values():
            if fd is not None:
                os.close(fd)
        self.folders.clear()


def _prunes_refused(root: Path, pruned: list[str]) -> dict[str, str]:
    """Of the files a dry run's prune would remove, those in a card folder that cannot be
    written (a removal needs it), each with the failure the run would give it."""
    card = _CardStat(root)
    found = {dest: f"{dest}: cannot remove: {why}" for dest in pruned
             if (why := card.unwritable(dest.rpartition("/")[0])) is not None}
    card.close()
    return found


def _read_only(path: str) -> bool:
    """True when ``path`` is on a read-only mount."""
    try:
        return bool(os.statvfs(path).f_flag & os.ST_RDONLY)
    except OSError:
        return False


def blocking_part(base: str, folder: str) -> str | None:
    """The first part of ``folder`` (relative to the card at ``base``) that is there but is
    not a folder, as a path on the card (None: every part there is a folder)."""
    path = ""
    for part in folder.split("/"):
        path = f"{path}/{part}" if path else part
        try:
            info = os.stat(f"{base}/{path}")
        except OSError:
            return None  # not there (made by the run) or not readable: not known to block
        if not stat.S_ISDIR(info.st_mode):
            return path
    return None


def not_a_folder(dest: str, part: str, base: str) -> str:
    """``ROMS/snes/X.sfc: not written: ROMS is a file, not a folder``."""
    reason = not_a_folder_reason(f"{base}/{part}", at_root="/" not in part)
    return f"{dest}: not written: {part} is {reason}"


def _decide(root: Path, fs: FileSystem, items: list[_Item], claims: Claims,
            options: DeployOptions) -> list[_Decision]:
    if not items:
        return []  # (nothing to read: the card's records are not even indexed)
    card = _CardStat(root)
    known = claims.card.get
    folders, open_folder, stat_at = card.folders, card.open, os.stat
    fast, folds = not options.verify, fs.case_insensitive
    decisions: list[_Decision] = []
    try:
        for item in items:
            dest = item.dest
            folder, _, name = dest.rpartition("/")
            fd = folders[folder] if folder in folders else open_folder(folder)
            try:
                info: os.stat_result | None = None if fd is None else \
                    stat_at(name, dir_fd=fd, follow_symlinks=False)
            except OSError:
                info = None
            if info is None and fd is not None and not name.isascii() \
                    and item.action == "copy" and (twin := card.twin(folder, fd, name)):
                # (the player's file at our path in another Unicode form: decided as one at
                # our path is — the same bytes kept as theirs, others a conflict)
                item.dest = dest = f"{folder}/{twin}" if folder else twin
                with contextlib.suppress(OSError):
                    info = stat_at(twin, dir_fd=fd, follow_symlinks=False)
            item.key = key = dest.casefold() if folds and dest.isascii() \
                else collision_key(dest, fs)  # collision_key's ASCII case, inlined
            if fd is None and folder and item.action == "copy" \
                    and (part := card.blocked(folder)) is not None \
                    and not claims.in_the_way(part):
                decisions.append(_Decision(item, FAIL, note=not_a_folder(dest, part,
                                                                         card.base)))
                continue
            if item.action == "copy" and fd is not None \
                    and (outside := card.outside(folder)) is not None:
                # said by the dry run too (QA28 F3: "1 copy", then the run failed); a file
                # recorded there is no file on the card either (review 113 F4: "skipped")
                decisions.append(_Decision(item, FAIL, info, note=f"{dest}: not written: "
                                           f"{outside}"))
                continue
            if info is None and item.action == "copy":
                decisions.append(_Decision(item, COPY))  # nothing there (_decide_copy)
                continue
            if info is not None and fast and item.status == "pending" and item.action == "copy":
                # The common case of a re-deploy, inlined: a file of ours, as the card's
                # manifest copy records it, unchanged (what _decide_copy decides too).
                owned = known(key)
                if owned is not None and owned.size == info.st_size == item.size \
                        and owned.mtime_ns == info.st_mtime_ns and _is_file(info) \
                        and item.sha1 is not None \
                        and (owned.sha1 is None or owned.sha1 == item.sha1):
                    decisions.append(_Decision(
                        item, DONE if item.dest_mtime_ns == owned.mtime_ns else SKIP, info,
                        owned))
                    continue
            decisions.append(_decide_one(root, item, info, claims, options))
    finally:
        card.close()
    for decision in decisions:
        if decision.action == COPY and (why := card.unwritable(
                decision.item.dest.rpartition("/")[0])) is not None:
            # (the dry run says it: QA111 F5, "would copy", then the run failed)
            decision.action, decision.note = FAIL, f"{decision.item.dest}: not written: {why}"
    return decisions


def _decide_one(root: Path, item: _Item, info: os.stat_result | None, claims: Claims,
                options: DeployOptions) -> _Decision:
    claim = claims.find(item.key, info) if info is not None else None
    copied = item.status == "copied"  # finished by an earlier run: still on the card?
    if copied and info is not None and item.dest_mtime_ns == info.st_mtime_ns \
            and info.st_size == item.size:
        return _Decision(item, NOOP, info)
    if claim is None and info is not None:  # only a record whose time is not the card's?
        claim = claims.prove(item.key, info, item.dest)
    if item.action == "prune" and info is None:  # gone already (a killed run's): see prune
        decision = _Decision(item, PRUNE, None, None)
    elif item.action == "prune" and not _through_a_link(root, item.dest, {}) \
            and _is_its_source(root, item.dest, claims):
        # the library's own file (a library folder linked to the card's): never pruned,
        # edited or not (review 17), and never called "not ours: remove it yourself" (QA30 N4)
        claims.prune_library.append(item.dest)
        decision = _Decision(item, KEEP, info, claim, note=LIBRARY_FILE)
    elif item.action == "prune":
        ours = claim is not None and (claims.was_proven(item.key, claim)
                                      or _still_our_bytes(root / item.dest, claim)
                                      or _source_bytes(root, item.dest, claims))
        why = None if ours or claim is None else _unreadable(root / item.dest)
        if why is not None:  # (QA111 F2: said "changed on the card since", as an edit)
            claims.prune_unreadable[item.dest] = why
            decision = _Decision(item, KEEP, info, claim, note=UNREADABLE)
        else:
            decision = _Decision(item, PRUNE if ours else KEEP, info, claim)
    else:
        wrote = claim is None and info is not None and claims.wrote(item.key)
        decision = _decide_copy(root, item, info, claim, options, wrote, claims)
        if copied and decision.action in (DONE, SKIP) and decision.claim is not None:
            # Written by an earlier run, there with its time moved (see Claims.find): done;
            # the time the card shows is recorded. (Gone, an older version of ours or a file
            # not ours: copied again, or kept as the user's, as any file.)
            decision = _Decision(item, NOOP, info, decision.claim)
    decision.proven = claims.was_proven(item.key, decision.claim)
    return decision


def _decide_copy(root: Path, item: _Item, info: os.stat_result | None, claim: Owned | None,
                 options: DeployOptions, wrote: bool = False,
                 claims: Claims | None = None) -> _Decision:
    if info is None:
        return _Decision(item, COPY)
    if not _is_file(info):
        what = "a symbolic link" if stat.S_ISLNK(info.st_mode) else "something other than a file"
        return _Decision(item, FAIL, info, note=f"{item.dest}: {what} is in the way on the card")
    same_size = info.st_size == item.size
    if claim is not None:
        same = same_size and (claim.sha1 is None or item.sha1 is None or claim.sha1 == item.sha1)
        reread = False
        if same and item.sha1 is None and claims is not None \
                and claims.copied_from_another_source(item, claim):
            # (its source, known by CRC32 only, read at another time since the copy: its bytes
            # tell whether it changed — a redump in place, QA53 F4 — or was only touched,
            # review 28 R2; the skip is recorded with the source's time now)
            reread = bool(item.source and claim.sha1
                          and _sha1_of(os_path(item.source)) == claim.sha1)
            same = reread
        if same and options.verify and not _card_hash_matches(root, item):
            # We wrote these very bytes, and the card holds others at the size and time we
            # recorded: edited in place, or the card is failing. Said, and kept as any
            # edited copy of ours is (QA18 L2: rewritten without a word).
            if item.source and item.content is None and item.sha1 is not None \
                    and _sha1_of(os_path(item.source)) == _sha1_of(str(root / item.dest)):
                # the card holds the source's bytes: the source changed since the scan at
                # its size and time, not the card (QA25 F4: the card was blamed)
                return _Decision(item, FAIL, info, note=(
                    f"{item.dest}: its source {item.source} no longer has the SHA1 the scan "
                    "recorded, at the same size and time (changed in place since the scan, "
                    "or failing storage), and the card holds those bytes: rescan it "
                    f"({_full_rescan(item)})"))
            if options.overwrite:
                item.replacing = REPLACES_EDITED
                return _Decision(item, COPY, info, claim)
            return _Decision(item, CONFLICT, info, note=_edited_in_place(item.dest, "--verify"))
        if same:
            return _Decision(item, DONE if item.dest_mtime_ns == claim.mtime_ns else SKIP,
                             info, claim, reread=reread)
        if claim.dest != item.dest and not options.overwrite \
                and not (claims is not None and claims.earlier_spelling_of(item, claim)):
            # one file on a card that ignores case, written by us under another spelling for
            # another file (`Track 01.bin` of one game, `track 01.bin` of another): not ours
            # to replace (the same file's own earlier spelling — a set's .m3u after its
            # discs were renamed only in case in the library — is replaced as any older
            # version of ours: review40b, a conflict at every deploy until --overwrite)
            # (--prune removes no file whose place a chosen file takes: said, QA111 F3)
            pruned = "; --prune does not remove a file whose place a chosen file takes" \
                if options.prune else ""
            return _Decision(item, CONFLICT, info, note=f"{item.dest}: ROM Runner wrote "
                             f"{claim.dest} there for another file (the card ignores case); "
                             f"kept{pruned} (use --overwrite to replace it)")
        if claims is not None and item.content is None and not options.overwrite \
                and claims.same_rom_zipped_apart(claim, item.game_id) \
                and (not options.verify or _zip_data_as_stated(root / item.dest)):
            # (the card's zip holds by its directory the very ROMs, CRC32 and size, the
            # library's zip holds: the same dump zipped apart — another computer's zip tool,
            # other member times — is present as an identical file is, not rewritten at
            # every deploy of either computer, qa181 N5; with --verify its members' data is
            # read and checked against its directory first. Recorded as this run's skip:
            # the card's manifest names this database its writer, as it does for any file a
            # run finds there as planned)
            return _Decision(item, SKIP, info, claim)
        if claims is not None and not options.overwrite \
                and (dump := claims.catalog_dump_replaced(item, claim)) is not None:
            return _Decision(item, CONFLICT, info, note=(
                f"{item.dest}: holds {dump} as its catalog lists it, and the library's file "
                f"{item.source} is now smaller and no longer that dump (cut short since? "
                "`romrunner games show` says what it is now); kept (use --overwrite to replace "
                "it)"))
        if claims is not None and claim.sha1 in claims.held_sha1s and not options.overwrite:
            # ours, but the copy of a game the library has lost (`mv a b` over b: its
            # content nowhere else, maybe): never replaced without a word (QA30 N1)
            return _Decision(item, CONFLICT, info, note=(
                f"{item.dest}: holds the copy ROM Runner put there of a game missing from "
                "the library now, or on a library root not there now (maybe the last copy "
                "of its content); kept (use --overwrite to replace it)"))
        if claims is not None and not options.overwrite and item.content is None \
                and item.kind == "rom" and not item.dest.lower().endswith(_LISTED_SUFFIXES) \
                and claims.last_copy_replaced_by_a_copy(claim.sha1, item.sha1, item.game_id):
            # (not a sheet: lines naming tracks, which we rewrite ourselves when their names
            # clash on the card, and which two games' sheets often share: QA33 F20)
            return _Decision(item, CONFLICT, info, note=(
                f"{item.dest}: its library file now holds another game's content (a copy "
                "over it?), and this card file holds its former content, which no file of "
                "the library has now: kept, maybe the last copy (use --overwrite to "
                "replace it)"))
        if not (claims is not None and claims.was_proven(item.key, claim)) \
                and not _still_our_bytes(root / item.dest, claim):
            # Our size and time, other bytes: edited in place on a card whose file system
            # keeps a file's time when it is rewritten (fusefat, MTP), or the time put back
            # by the user's tool — read, as a prune reads it, before a rename over it that
            # cannot be taken back (review 77 R1: replaced without a word)
            if options.overwrite:
                item.replacing = REPLACES_EDITED
                return _Decision(item, COPY, info, claim)
            return _Decision(item, CONFLICT, info, note=_edited_in_place(item.dest))
        if claims is not None \
                and (elsewhere := claims.written_elsewhere(item.key)) is not None \
                and elsewhere != BEFORE_A_RESTORE and not claims.library_has(claim):
            # (another computer's ROM Runner put another version there, which this library
            # does not have: replaced as any older version of a game is — the other library
            # may be this one's NAS, changed since, review37b F1 — but said: that computer's
            # next deploy puts its own back, under the player's save, qa175 F2. Not this
            # database's own line before a restore, QA114 F1. A source known here by its
            # CRC32 only (a zip scanned without --verify) too: its bytes were read above
            # where the sizes are the same, so this is another version — qa176 N2, replaced
            # unsaid, the two computers taking turns)
            claims.replaced_other_computers[item.dest] = elsewhere
            item.replacing = REPLACES_OTHER
        return _Decision(item, COPY, info, claim)  # ours, but an older version: replace it
    if (outside := _leads_outside(root, item.dest)) is not None:
        # not on the card, whatever is there (same bytes: the library's own file, review
        # 17); no --overwrite to advise: a write there is refused (QA27 N7)
        return _Decision(item, FAIL, info, note=f"{item.dest}: not written: {outside}")
    if same_size and _card_hash_matches(root, item):
        # The same bytes are already there (a card filled by hand, a lost .romrunner/): nothing
        # to write, whatever --overwrite says. Still the user's file: --prune never removes it.
        # Reached through a link on the card (`megadrive -> md`, ours there), it is no file
        # "of yours" to say so of: a skip (QA27 N6).
        linked = _through_a_link(root, item.dest, {})
        return _Decision(item, SKIP, info, note=None if linked else IDENTICAL_KEPT)
    if options.overwrite:  # said, file by file, by the dry run and the run
        item.replacing = REPLACES_EDITED if wrote else REPLACES_YOURS
        return _Decision(item, COPY, info)
    if wrote:
        return _Decision(item, CONFLICT, info, note=f"{item.dest}: changed on the card since "
                         "ROM Runner wrote it; kept (use --overwrite to replace it)")
    if item.kind == BIOS and item.sha1 is not None:
        # (the card's own BIOS under the name an emulator reads, not the library's verified
        # dump: said so, for the device's games may not start with it: QA129 F7)
        return _Decision(item, CONFLICT, info, note=(
            f"{item.dest}: a file we did not write is already there, and it is not the "
            f"verified dump the library has ({item.source}): the emulator may not start "
            "games with it; kept (use --overwrite to replace it)"))
    return _Decision(item, CONFLICT, info, note=f"{item.dest}: a file we did not write is "
                     "already there; kept (use --overwrite to replace it)")


def _edited_in_place(dest: str, found_by: str = "") -> str:
    """The conflict of a file of ours whose bytes changed at the size and time we wrote;
    ``found_by``: the option that read them, which a replacing run needs too (QA138 F1: a
    deploy with --overwrite alone does not read a file of our size and time, and kept it)."""
    options = f"--overwrite {found_by}".strip()
    return (f"{dest}: not the bytes ROM Runner wrote, at the size and time it wrote them "
            f"(edited in place, or the card is failing); kept (use {options} to replace it)")


# The files a card's manifest keeps as let go (see parse_manifest): the latest this many.
LET_GO_KEPT = 20_000


def _the_file_let_go(gone: Owned, row: Any) -> bool:
    """True when the database's record ``row`` (path, size, time…) is of the file ``gone``
    that a run pruned there: the same size and time. (Not the same bytes: a copy of them
    written there again since, whose manifest write failed, is ours: review 80 F2.)"""
    return gone.size == int(row[1]) and gone.mtime_ns == int(row[2])


def _unreadable(path: Path) -> str | None:
    """Why the card's file at ``path`` cannot be read through (a permission, a failing
    card), or None when it can (asked only of a file whose bytes are not ours: rare)."""
    try:  # (read through: a bad sector far in fails there only, review 115 F6)
        with open(path, "rb", buffering=0) as handle:
            while handle.read(1 << 20):
                pass
    except OSError as exc:
        return describe_os_error(exc)
    return None


def _full_rescan(item: _Item) -> str:
    """The command that reads ``item``'s source again whatever its size and time."""
    return "`romrunner bios scan --full` of its folder" if item.kind == BIOS \
        else "`romrunner scan --full`"


def _no_longer_matches(item: _Item, digest: str) -> str:
    """The failure of a source whose bytes, read as they were copied, are not those the
    scan hashed (``digest``: SHA1 or CRC32) though its size and time are."""
    return (f"{item.source}: its content no longer matches the scan's {digest} (changed in "
            f"place? {_full_rescan(item)} reads it again)")


def _check_zip_members(item: _Item, temp: str, folder: int,
                       members: list[tuple[int | None, int]]) -> None:
    """Raise :class:`_FileFailed` unless the zip copied to ``temp`` (in the folder open as
    ``folder``) still holds the members the scan read from its directory (``members``: their
    CRC32 and size) and each member's data has the CRC32 its directory states: a zip read
    from its directory only has no other hash to check its copy against. Every member is
    read, decompressed, once (see _member_not_as_stated)."""
    fd = os.open(temp, os.O_RDONLY | os.O_CLOEXEC, dir_fd=folder)
    try:
        with os.fdopen(fd, "rb", closefd=False) as raw:
            try:
                archive = zipfile.ZipFile(raw)
            except _ZIP_ERRORS as exc:
                raise _FileFailed(f"{item.source}: no longer a zip the scan could read "
                                  f"({exc or type(exc).__name__}; changed in place? "
                                  f"{_full_rescan(item)} reads it again)") from exc
            with archive:
                stated = Counter((info.CRC, info.file_size) for info in archive.infolist()
                                 if not info.is_dir())
                for crc, size in members:
                    if crc is None:
                        continue
                    if stated[(crc, size)] <= 0:  # (its directory changed: another zip)
                        raise _FileFailed(_no_longer_matches(item, "CRC32 of its members"))
                    stated[(crc, size)] -= 1
                # (its directory as scanned, its data not: damaged — review39 F3, "changed
                # in place? scan --full" went in circles once a scan had found it damaged)
                try:
                    bad = _member_not_as_stated(archive)
                    what = None if bad is None else f"the data of its member {bad} is not " \
                        "what the zip states"
                except _ZIP_ERRORS as exc:
                    what = f"a member's data cannot be read ({exc or type(exc).__name__})"
                if what is not None:
                    raise _FileFailed(f"{item.source}: {what}: damaged (`romrunner scan "
                                      "--verify` marks it so; restore the zip from a backup)")
    finally:
        os.close(fd)


# What reading a zip that is not one zipfile reads whole raises
_ZIP_ERRORS = (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError, ValueError, zlib.error,
               RuntimeError, IndexError, KeyError)


def _member_not_as_stated(archive: zipfile.ZipFile) -> str | None:
    """The name of the first member of ``archive`` whose data is not the CRC32 its directory
    states, or None; each member read, decompressed, once (zipfile checks the CRC32 at its
    end; one of a compression method zipfile cannot read is taken as it is). Any other
    failure to read the zip is raised."""
    for info in archive.infolist():
        if info.is_dir():
            continue
        try:
            with archive.open(info) as member:
                while member.read(READ_BUFFER):
                    pass
        except NotImplementedError:
            continue
        except zipfile.BadZipFile as exc:
            if str(exc).startswith("Bad CRC-32"):
                return info.filename
            raise
    return None


def _zip_data_as_stated(path: Path) -> bool:
    """True when every member of the zip at ``path`` reads whole with the CRC32 its directory
    states."""
    try:
        with zipfile.ZipFile(path) as archive:
            return _member_not_as_stated(archive) is None
    except (OSError, *_ZIP_ERRORS):
        return False


def _still_our_bytes(path: Path, claim: Owned) -> bool:
    """True when the file at ``path`` still has the SHA1 ``claim`` recorded (or none is
    recorded). Before a prune removes a file: size and time alone do not prove it unchanged —
    some card file systems (fusefat, MTP) keep a file's time when it is rewritten, and a user's
    tool may put the time back — and a removal cannot be taken back."""
    return not claim.sha1 or _sha1_of(str(path)) == claim.sha1


class _OffCard:
    """Which of the card's folders lead off it (see :func:`_leads_outside`), each part of a
    path looked at once (an ``lstat``): only a folder a link is on the way to is resolved
    (bench 119: resolving every folder cost a re-deploy of 1,000 folders 2x)."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.links: dict[str, bool] = {}
        self.found: dict[str, str | None] = {}

    def why(self, folder: str) -> str | None:
        """Why ``folder`` (relative to the card) leads off the card, or None."""
        if not folder:
            return None
        if folder not in self.found:
            self.found[folder] = _leads_outside(self.root, f"{folder}/-") \
                if self._through_a_link(folder) or any(  # (`..` too: review 121 F2)
                    part in ("", ".", "..") for part in folder.split("/")) else None
        return self.found[folder]

    def _through_a_link(self, folder: str) -> bool:
        path = ""
        for part in folder.split("/"):
            path = f"{path}/{part}" if path else part
            link = self.links.get(path)
            if link is None:
                try:
                    link = stat.S_ISLNK(os.lstat(f"{self.root}/{path}").st_mode)
                except OSError:
                    link = False  # (not there: nothing of it is off the card)
                self.links[path] = link
            if link:
                return True
        return False


def _leads_outside(root: Path, dest: str) -> str | None:
    """Why ``dest``'s folder on the card leads outside it (a link to another folder of the
    computer), or None."""
    folder = PurePosixPath(dest).parent
    if not folder.parts:
        return None
    try:
        inside_root(root, folder)
    except InputError as exc:
        return str(exc)
    return None


def _source_bytes(root: Path, dest: str, claims: Claims) -> bool:
    """True when the card's file at ``dest`` has the bytes of the library file our last
    deployment copied there: the source changed in place at its size and time before that
    copy, which recorded the scan's SHA1, and the card was blamed for the difference (QA25
    F4, QA27 N3: never pruned, "changed on the card since"). Read only in that case."""
    source = claims.copied_source(dest)
    if source is None or _is_its_source(root, dest, claims):
        return False
    card = _sha1_of(str(root / dest))
    return card is not None and _sha1_of(os_path(source)) == card


def _is_file(info: os.stat_result) -> bool:
    return stat.S_ISREG(info.st_mode)


def _card_hash_matches(root: Path, item: _Item) -> bool:
    expected = item.sha1 or (hashlib.sha1(item.content).hexdigest() if item.content is not None
                             else _sha1_of(os_path(item.source)))
    return expected is not None and _sha1_of(str(root / item.dest)) == expected


def _sha1_of(path: str, folder: int | None = None) -> str | None:
    """The SHA1 of the file at ``path`` (relative to the folder open as ``folder``, if
    given); None when it cannot be read."""
    try:
        with open(path, "rb", buffering=0, opener=None if folder is None else
                  lambda name, flags: os.open(name, flags, dir_fd=folder)) as handle:
            _drop_cache(handle.fileno())
            digest = hashlib.file_digest(handle, "sha1")
            return digest.hexdigest()
    except OSError:
        return None


def _drop_cache(fd: int) -> None:
    with contextlib.suppress(OSError, AttributeError):
        os.posix_fadvise(fd, 0, 0, os.POSIX_FADV_DONTNEED)


def _round_up(size: int, block: int) -> int:
    return -(-size // block) * block


def _bytes_needed(decisions: Iterable[_Decision], block: int) -> int:
    """Bytes the run needs free on the card before it starts (a prune put off until after
    the copies frees nothing before them). A file rewritten is written beside the old one and
    renamed over it: the largest such old copy is needed on top, until its rename (review 25
    R3: counted as 0 B to write, the run then stopped "card full")."""
    need = 0
    rewritten = 0
    for decision in decisions:
        if decision.action == COPY:
            need += _round_up(decision.item.size, block)
            if decision.existing is not None:
                old = _round_up(decision.existing.st_size, block)
                need -= old
                rewritten = max(rewritten, old)
        elif decision.action == PRUNE and decision.existing is not None and not decision.later:
            need -= _round_up(decision.existing.st_size, block)
    return need + rewritten


class _Copies:
    """A run's copies (their items' action "copy"), each as its decision, by what pairs a
    prune's file with the files that replace it (see :func:`_moved_prunes`,
    :func:`_replaced_on_the_card`): game, SHA1, platform and title; each index read once
    per run, when first used (a run that prunes nothing reads none); the copies' actions
    are read where they are used."""

    def __init__(self, decisions: list[_Decision]) -> None:
        self._decisions = decisions

    @functools.cached_property
    def by_game(self) -> dict[int, list[_Decision]]:
        """The copies by game (a set's playlist left out)."""
        found: dict[int, list[_Decision]] = defaultdict(list)
        for d in self._decisions:
            if d.item.action == "copy" and d.item.game_id is not None \
                    and d.item.kind != PLAYLIST:
                found[d.item.game_id].append(d)
        return found

    @functools.cached_property
    def by_sha1(self) -> dict[str, list[_Decision]]:
        """The copies by SHA1."""
        found: dict[str, list[_Decision]] = defaultdict(list)
        for d in self._decisions:
            if d.item.action == "copy" and d.item.sha1:
                found[d.item.sha1].append(d)
        return found

    @functools.cached_property
    def by_title(self) -> dict[tuple[str, str], list[_Decision]]:
        """The copies of games' files (not a set's playlist, not a BIOS file) by platform
        and title (see :func:`_titled`)."""
        found: dict[tuple[str, str], list[_Decision]] = defaultdict(list)
        for d in self._decisions:
            if d.item.action == "copy" and d.item.kind == ROM \
                    and (titled := _titled(d.item)) is not None:
                found[titled].append(d)
        return found


def _titled(item: _Item) -> tuple[str, str] | None:
    """The platform and name of ``item``'s file, its extension and its disc and track tags
    left out, case folded: one for a game's files in any format (``Game (USA) (Disc 2).cue``,
    ``Game (USA) (Track 2).bin``, ``Game (USA) (Disc 1).chd``), another for its other
    regions and revisions (review44b F1/F2: paired by title alone, `Tetris (Japan)` waited
    for `Tetris (USA)`); None when its platform is not known."""
    if item.platform_id is None:
        return None
    return _title_key(item.platform_id, item.dest)


def _title_key(platform_id: str, dest: str) -> tuple[str, str]:
    """(platform, name of the file at ``dest`` without its extension, disc and track tags,
    case folded): see :func:`_titled`."""
    name = without_disc_tags(_TRACK_TAG.sub("", strip_extension(dest.rpartition("/")[2])))
    return platform_id, " ".join(name.split()).casefold()


_TRACK_TAG = re.compile(r"\s*\(track\s*\d+\)", re.IGNORECASE)  # a disc's track: `(Track 02)`


def _titled_if_gone(prune: _Decision) -> tuple[str, str] | None:
    """:func:`_titled` of a prune whose game the library forgot and that names no copy it
    was left out for (``copy_of``): the one prune paired with copies by its file's name
    (review43c F6: a format switched by `games forget --missing`); None for any other (a
    game still in the library, no longer chosen, is pruned as such: review44b F1; a linked
    one waits for its own link: review44b F3)."""
    if prune.copy_of is not None or (prune.item.game_id or 0) > 0:
        return None
    return _titled(prune.item)


# A copy's decisions that write it (or would but for a failure, a conflict): the files a
# prune of ours waits for (see _moved_prunes)
_TO_WRITE = (COPY, FAIL, CONFLICT)


def _to_write(copies: Iterable[_Decision]) -> list[_Item]:
    """The items of ``copies`` the run writes (or would: see :data:`_TO_WRITE`)."""
    return [d.item for d in copies if d.action in _TO_WRITE]


def _moved_prunes(decisions: list[_Decision], copies: _Copies | None = None
                  ) -> list[_Decision]:
    """The prunes of files of ours the run writes anew elsewhere: done after the copies, so
    that a copy that fails leaves the game its old copy on the card. Each gets the files
    that replace it (``replaced_by``): its very bytes written elsewhere (a game moved to a
    new folder or layout: any one of them will do), else the files of the game it was the
    copy of (``needs_all``: every one) — a game the library knows by its CRC32 only, whose
    SHA1 the plan does not have, or a new version of it (review 77 R5, QA76 F2: its old copy
    went first, and a stop left the card none), else those of the game it was left out for
    (``copy_of``: another format of the game, another copy; a resumed run's as its run
    recorded it, see :func:`_wait_as_recorded`), else — only a prune whose game the library
    forgot and that names no ``copy_of`` (see :func:`_titled_if_gone`) — those of the
    platform's games of its file's name, region and revision kept (see :func:`_titled`;
    every one): the same game in another format whose old one the library forgot (deleted
    from the library for the new one, `scan --accept-missing`, `games forget --missing`:
    review43c F6, no link to the new one, the old copy went first and a stop left the card
    none). A game still in the library, no longer chosen, is not paired by name (since
    review44b F1: it waited for another of its title). ``copies``: the run's (see
    :class:`_Copies`), when read already."""
    prunes = [d for d in decisions if d.action == PRUNE and d.claim is not None]
    if not prunes:
        return prunes
    if copies is None:
        copies = _Copies(decisions)
    moved = []
    for d in prunes:
        if (replacing := _replacing(d, copies)) is not None:
            d.replaced_by, d.needs_all, d.loose = replacing
            moved.append(d)
    return moved


def _replacing(prune: _Decision, copies: _Copies
               ) -> tuple[list[_Item], bool, bool] | None:
    """The files the run writes that replace ``prune``'s, whether it waits for all of them,
    and whether they are only of its title (see :func:`_moved_prunes`); None when none
    does."""
    sha1 = prune.claim.sha1 if prune.claim is not None else None
    if sha1 and (new := _to_write(copies.by_sha1.get(sha1, ()))):
        return new, False, False
    for game in (prune.item.game_id, prune.copy_of):
        if game is not None and (new := _to_write(copies.by_game.get(game, ()))):
            return new, True, False
    titled = _titled_if_gone(prune)
    if titled is not None and (new := _to_write(copies.by_title.get(titled, ()))):
        return new, True, True
    return None


def _replaced(decision: _Decision, written: Callable[[_Item], bool]) -> bool:
    """True when the files that replace ``decision``'s (see :func:`_moved_prunes`) are
    written, as ``written`` tells of each."""
    new = decision.replaced_by or []
    return all(map(written, new)) if decision.needs_all else any(map(written, new))


def _space_plan(root: Path, decisions: list[_Decision], options: DeployOptions,
                notes: list[str], freed: int = 0, copies: _Copies | None = None
                ) -> tuple[int | None, int, int]:
    """(free bytes or None, bytes needed, margin), the moved files' prunes put off until
    after their copies when the card has room for both copies at once; else done first,
    said in a note (a card too full for a move otherwise never finishes it) — those paired
    with their copies by title only first, when that makes room. ``copies``: the run's (see
    :class:`_Copies`), when read already."""
    free, total, block = space(root)
    if free is not None:
        free += freed  # (see preview)
    margin = options.margin_bytes if options.margin_bytes is not None else default_margin(total)
    moved = _moved_prunes(decisions, copies)
    for decision in moved:
        decision.later = True
    need = _bytes_needed(decisions, block)
    if free is not None and moved and need + margin > free:
        loose = [d for d in moved if d.loose]
        # (the prunes paired by title only first, when some are and some are not; then all)
        tries = [loose, moved] if 0 < len(loose) < len(moved) else [moved]
        for first in tries:
            for decision in first:
                decision.later = False
            need = _bytes_needed(decisions, block)
            if need + margin <= free:
                notes.append(f"{root}: no room for the old and new copies of {len(first):,} "
                             f"moved {'file' if len(first) == 1 else 'files'} at once: the "
                             "old copies are removed before the new ones are written")
                break
    return free, need, margin


def _check_space(root: Path, decisions: list[_Decision], options: DeployOptions,
                 notes: list[str], prunable: Callable[[], int] | None = None, *,
                 resuming: bool = False, copies: _Copies | None = None) -> None:
    """Refuse the run when the card is short of space, saying how much more is needed and
    (``prunable``: the bytes a ``--prune`` would free) what would make room. ``copies``:
    the run's (see :class:`_Copies`), when read already."""
    free, need, margin = _space_plan(root, decisions, options, notes, copies=copies)
    if free is None:  # the file system does not say: a full card stops the run as it fills
        notes.append(f"{root}: its file system does not report its free space: not checked "
                     "before copying (a full card stops the run; it resumes once freed)")
        return
    if not has_room(need, free, margin):
        raise DeployError(f"{root}: not enough space: " + short_of_space(
            need, free, margin, prunable=prunable() if prunable else 0, resuming=resuming))


def _room_a_prune_makes(db: Database, plan: DeployPlan, claims: Claims,
                        options: DeployOptions) -> int:
    """About the bytes a ``--prune`` of ``plan`` would free first: its files of ours no
    longer chosen (QA76 F4: a user told to "free 3.4 MiB" deletes files by hand, while 12
    MiB of games ROM Runner put there were no longer chosen). 0 when pruning already. Read
    with records of its own: the run's own notes stay those of a run that does not prune."""
    return 0 if options.prune else sum(item.size for item in _unchosen(db, plan, claims))


def _unchosen(db: Database, plan: DeployPlan, claims: Claims) -> list[_Item]:
    """The files of ours a ``--prune`` of ``plan`` would remove first, read with records of
    their own (see :func:`_room_a_prune_makes`); none when the card cannot be read."""
    other = Claims(db, plan.root, claims.dest_id, plan.fs)
    other.held_sha1s, other.profile_id = claims.held_sha1s, claims.profile_id
    other.prune_others = claims.prune_others
    try:
        return _prune_items(plan.root, plan, other)
    except OSError:
        return []


def _unchosen_note(db: Database, plan: DeployPlan, claims: Claims,
                   options: DeployOptions) -> list[str]:
    """Of a run without ``--prune``: the files of ours on the card no longer chosen, which
    stay (QA145 F6: a game taken out of the collection stayed on the card without a word,
    only a prune's dry run named it)."""
    if options.prune:
        return []
    writing = _written_sha1s(plan)
    # (not the copies of what the plan writes elsewhere: a platform moved, said by its
    # folder-moved warning, QA151 F6)
    items = [item for item in _unchosen(db, plan, claims) if item.sha1 not in writing]
    # (nor the files of a folder a folder-moved warning counts already: QA178 F2, 17 files
    # left behind there, then 3 of them again here)
    moved = [(issue.path, plan.rom_folders.get(issue.platform_id or "") or "")
             for issue in plan.warnings if issue.code == "folder-moved" and issue.path]
    if moved:
        items = [item for item in items if not any(
            in_left_folder(item.dest, folder, chosen) for folder, chosen in moved)]
    if not items:
        return []
    one = len(items) == 1
    # (a chosen game left out as a copy of another is chosen still: not "no longer chosen")
    left_out = {game_id for game_id, _ in plan.copies}
    copies = " or left out as copies of another chosen game" if any(
        item.game_id in left_out for item in items) else ""
    return [f"{counted(len(items), 'file')} of ROM Runner's on the card "
            f"({size_text(sum(item.size for item in items))}) {'is' if one else 'are'} no "
            f"longer chosen{copies} and {'stays' if one else 'stay'} there "
            f"({examples(sorted(item.dest for item in items))}): `--prune` removes "
            f"{'it' if one else 'them'}"]


def has_room(need: int, free: int, margin: int) -> bool:
    """True when ``need`` bytes fit on the card leaving ``margin`` free; a run that needs
    none (it writes nothing, or frees more first than it writes) fits whatever the card's
    free space (QA48 F5: a re-sync of a card the handheld had filled with saves failed "not
    enough space")."""
    return need <= 0 or need + margin <= free


def short_of_space(need: int, free: int, margin: int, *, prunable: int = 0,
                   resuming: bool = False) -> str:
    """How much a card lacks, in the words a run and its dry run both say: ``need`` the
    bytes to write in the card's blocks, ``margin`` what is kept free; ``prunable``: what
    ``--prune`` would free; ``resuming``: a resume (it cannot select less)."""
    instead = "" if resuming else \
        f" (or select less; --prune would free {size_text(prunable)} of ROM Runner's files " \
        "no longer chosen)" if prunable else " (or select less)"
    return (f"{size_text(need)} to write, {size_text(free)} free, {size_text(margin)} kept "
            f"as margin; free {size_text(need + margin - free)} more{instead}")


# -- running -------------------------------------------------------------------------------
# What a run stopped by a full card advises besides a resume (QA76 F3: "deploy fewer games"
# alone left what this run had written of a game no longer chosen — half a disc set, hidden
# — on the card, unsaid: a --prune removes it).
FEWER_GAMES = "or deploy fewer games with --prune (it removes what this run wrote of the others)"


class _Stop(Exception):
    """The card is full, read-only or gone: end the run, keep what is done."""


class _FileFailed(Exception):
    """This file cannot be copied; the run goes on."""


class _SourceGone(_FileFailed):
    """The file's source is not where the scan saw it."""


class _SourceChanged(_FileFailed):
    """The file's source is not of the size or time the scan saw."""


class _Runner:
    """One run over a deployment's decided items."""

    def __init__(self, db: Database, deployment_id: int, root: Path, dest_id: str,
                 claims: Claims, options: DeployOptions, fs: FileSystem,
                 progress: ProgressCallback | None, total_bytes: int, total_files: int) -> None:
        self.db, self.deployment_id, self.root, self.dest_id = db, deployment_id, root, dest_id
        self.claims, self.options, self.fs, self.progress = claims, options, fs, progress
        self.summary = DeploySummary(deployment_id, str(root))
        self.pending_states: list[tuple[Any, ...]] = []  # rows to write at the next flush
        self.dirty_folders: set[str] = set()
        self.base = str(root)
        self.checked_folders: set[str] = set()
        self.folder_fds: dict[str, int] = {}  # folder on the card -> its descriptor
        self.pruned_now: dict[str, Owned] = {}  # key -> the file of ours this run pruned
        self.results: dict[str, Owned | None] = {}  # collision key -> ours now (None: gone)
        self.started = time.monotonic()
        self.last_flush = self.started
        # (the first flush writes the card's manifest: a run killed in its first seconds left
        # its copies "files of yours" to another computer's database, QA52 F3)
        self.last_manifest = self.started - MANIFEST_SECONDS
        self.total_bytes, self.total_files = total_bytes, total_files
        self.files_done = 0
        self.handled: set[int] = set()
        self.batch: list[_Written] = []
        self.fresh = False  # True: a first run, whose unchanged files were not recorded
        self.planned_sources: dict[int, set[str]] | None = None  # see _planned_sources
        # Games a file of which failed (id -> that file): their other files are not written
        # (a disc's sheet comes after its tracks: see _apply and commit_batch)
        self.naming = _Naming([])  # (the run's, given by _run)
        self.broken = _Broken(self.naming)  # (made anew by _apply)
        self.failing: tuple[int | None, int] = (None, 0)  # copies failing in a row: errno, count
        self.space_unknown: bool | None = None  # (asked at the first failed copy: see _full)
        self.root_identity = _folder_identity(os.stat(root))
        self.batch_bytes = 0
        self.changed = False  # True once a result differs from the card's manifest copy
        # Folders a prune never removes (None: unknown, so no folder is taken for ours); the
        # folders our deployments created; the folders of files pruned by this run.
        self.protected: set[str] | None = None
        self._library_roots: list[str] | None = None  # (see library_roots)
        self.created: set[str] = set(claims.folders)
        self.pruned_from: set[str] = set()
        self.unfinished: set[str] = set()  # a killed run's folders (see _run): not a prune's
        self.batch_started = self.started
        self.syncer = FileSyncer()  # small files' fsyncs, issued together
        # Renames whose time on the card is checked before it is trusted to keep times
        # (see _rename); once one moved, every rename is checked.
        self.rename_probes = RENAME_PROBES
        self.rename_moves_time = False
        self.fine_times = False  # a time with a fraction of a second seen on this card
        # What the library knows of the sources the plan has no SHA1 for (see library_hashes)
        self.unhashed: dict[int, tuple[str, str | None, int | None]] = {}
        # The zips among them known by their members' CRC32s only (see library_hashes)
        self.zip_members: dict[int, tuple[str, list[tuple[int | None, int]]]] = {}

    # state -------------------------------------------------------------------------------
    def state(self, item: _Item, status: str, error: str | None = None,
              owned: Owned | None = None, *, record: bool = True, said: bool = False) -> None:
        # (``said``: ``error`` is the row's only, a note of the run says the file)
        if record:
            self.pending_states.append(_row(
                self.deployment_id, item, status, error,
                owned.mtime_ns if owned else item.dest_mtime_ns,
                owned.sha1 if owned and owned.sha1 else item.sha1))
        self.handled.add(item.seq)
        key = item.key or collision_key(item.dest, self.fs)
        if owned is not None:
            self.keep(key, owned)
        elif status == "pruned":
            self.results[key] = None
            self.changed = True
        if error and not said:
            self.summary.errors.append({"path": item.dest, "source": item.source or None,
                                        "status": status, "error": error})
        if len(self.pending_states) >= FLUSH_FILES or \
                time.monotonic() - self.last_flush >= FLUSH_SECONDS:
            self.flush()

    def keep(self, key: str, owned: Owned) -> None:
        """``owned`` is the file of ours at ``key`` now, chosen by this run (for the card's
        manifest copy, which names this database its writer)."""
        if owned.writer != self.claims.writer:
            owned = owned._replace(writer=self.claims.writer)
        self.results[key] = owned
        if not self.changed:
            self.changed = self.claims.card.get(key) is not owned

    def flush(self) -> None:
        """Make the batch's renames durable, then commit the batch's states. A folder whose
        renames the card cannot make durable (its fsync fails: an I/O error) ends the run
        (:class:`_Stop`) once the states are committed: they say what was done (a file recorded
        copied there is re-checked by ``resume``, like every file recorded copied)."""
        failed: tuple[str, OSError] | None = None
        for folder in self.dirty_folders:
            try:
                fsync_folder(folder)
            except OSError as exc:
                failed = failed or (folder, exc)
        self.dirty_folders.clear()
        if self.pending_states:
            with self.db.atomic():
                _upsert(self.db, self.pending_states)
            self.pending_states.clear()
        if failed is not None:
            raise _Stop(self._unsynced_folder_message(*failed))
        now = time.monotonic()
        self.last_flush = now
        if now - self.last_manifest >= MANIFEST_SECONDS:
            self.write_card_manifest()

    def _unsynced_folder_message(self, folder: str, exc: OSError) -> str:
        resume = f"`romrunner deploy resume {self.deployment_id}`"
        where = folder[len(self.base) + 1:] or "the card's top folder"
        if self.gone():
            return f"{self.root}: the card went away while writing {where}; " \
                   f"reconnect it and run {resume}"
        return f"{self.root}: cannot make the renames in {where} durable " \
               f"({describe_os_error(exc)}); check the card and run {resume}"

    def write_card_manifest(self) -> bool:
        """The card's copy: what it held when the run began, updated with the run's results
        (and records only this database had, when they were read and still hold). Nothing is
        written when that is what the card already holds. False when the card refused it
        (full) or is gone."""
        self.last_manifest = time.monotonic()
        if self.gone():  # (QA48 F1: written into the bare mount point, on the computer's
            return False  # disk, a FUSE card could no longer be mounted there)
        path = self.root / CARD_DIR / MANIFEST_NAME
        there = _lstat(path) is not None  # (never raises)
        if not self.changed and self.claims._stored is None and there \
                and not self.claims.gone_unrecorded:
            return True  # every result is the record the card's copy already holds
        before = dict(self.claims.card)
        merged = dict(before)
        if self.claims._stored is not None:
            for key, owned in self.claims.stored().items():
                # (not the records of other destinations at this folder: not provably ours,
                # a prune kept such a file; listed, the next would blame "another computer"
                # and `--prune-others` remove it: review 77 R4)
                if key not in merged and key not in self.claims.borrowed:
                    match = self.claims.find(key, _lstat(self.root / owned[0].dest))
                    if match is not None:
                        merged[key] = match
        for key, result in self.results.items():
            if result is None:
                merged.pop(key, None)
            else:
                merged[key] = result
        for key in self.claims.gone_unrecorded:
            if key not in self.results:
                merged.pop(key, None)
        if merged == before and self.created == self.claims.folders and there:
            return True
        try:
            self.claims.written = write_manifest(self.root, self.dest_id, merged.values(),
                                                 self.created, self.claims.writer_labels(),
                                                 self._let_go_now(merged))
        except OSError:
            return False
        return self.claims.written is not None

    def _let_go_now(self, merged: dict[str, Owned]) -> dict[str, list[Any]]:
        """The manifest's ``let_go`` (see :func:`parse_manifest`): the card's, then this run's
        prunes, but for the paths a file of ours holds now; the latest :data:`LET_GO_KEPT`."""
        gone = {**self.claims.let_go, **self.claims.gone_unrecorded, **self.pruned_now}
        kept = [(key, owned) for key, owned in gone.items() if key not in merged]
        return {owned.dest: [owned.size, owned.mtime_ns, owned.sha1]
                for _, owned in kept[-LET_GO_KEPT:]}

    def tick(self, current: str, extra: int = 0) -> None:
        if self.progress is None:
            return
        done = self.summary.bytes_copied + extra
        elapsed = max(time.monotonic() - self.started, 1e-6)
        rate = done / elapsed
        eta = (self.total_bytes - done) / rate if rate > 0 else None
        self.progress(Progress(self.files_done, self.total_files, done, self.total_bytes,
                               rate, eta, current))

    # files -------------------------------------------------------------------------------
    def prune(self, decision: _Decision) -> None:
        item = decision.item
        target = self.root / item.dest
        if decision.note in _SAID_KEEPS:
            self.state(item, "skipped", decision.note)
            return
        if self.claims.never_ours(item.dest):  # (a resumed run's, decided before QA82's fix)
            self.state(item, "skipped", "where ROM Runner never writes: kept")
            return
        info = decision.existing if decision.action == KEEP else _lstat(target)
        if decision.action != KEEP and info is None:
            # gone already: the run this one resumes removed it before it was killed (QA32
            # F4: "kept" and counted skipped), or someone did since the plan: pruned either way.
            # Said once, as gone, not as removed by this run too; its folder is one the prune
            # may have left empty, removed as the run would have (qa205 F6)
            self.summary.pruned += 1
            self.pruned_from.add(item.dest.rpartition("/")[0])
            self.state(item, "pruned", "already gone from the card")
            return
        if decision.action == KEEP or info is None or decision.claim is None \
                or not decision.claim.matches(info) \
                or (decision.later and not _still_our_bytes(target, decision.claim)):
            # (a moved file's prune comes after the run's copies: read again, as when it was
            # decided, lest an edit that kept its time meanwhile go: review 77 R3)
            if info is not None and not stat.S_ISDIR(info.st_mode):
                gone = item.dest_mtime_ns is not None and self.claims.went_unrecorded(
                    item.key or collision_key(item.dest, self.fs), info,
                    Owned(item.dest, item.size, item.dest_mtime_ns, item.sha1))
                # (said in the run's note, once: not again as a skipped file, qa205 N4; its
                # row says which, as the run knows it)
                (self.claims.prune_unrecorded if gone else self.claims.prune_kept).append(
                    item.dest)
                self.state(item, "skipped", KEPT_UNRECORDED if gone else KEPT_CHANGED,
                           said=True)
                return
            self.state(item, "skipped", "a folder now, not the file ROM Runner wrote: kept"
                       if info is not None else "gone from the card since the plan: kept")
            return
        try:
            os.unlink(target)
        except OSError as exc:
            self._card_error(exc, item.dest)
            why = f"{item.dest.rpartition('/')[0] or 'the card'} is read-only" \
                if exc.errno == errno.EROFS else describe_os_error(exc)
            self.state(item, "failed", f"cannot remove: {why}")
            self.summary.failed += 1
            return
        _remove_its_apple_double(target)
        self.dirty_folders.add(str(target.parent))
        self.pruned_from.add(item.dest.rpartition("/")[0])
        self.summary.pruned += 1
        self.summary.pruned_paths.append(item.dest)
        self.pruned_now[item.key or collision_key(item.dest, self.fs)] = decision.claim
        self.state(item, "pruned")

    def remove_emptied_folders(self) -> None:
        """Remove the folders this run's prune left empty, deepest first — only folders our
        deployments created (by the card's manifest), never one the layout names or one
        above it, and never one with anything in it (``rmdir`` removes only empty ones)."""
        if self.protected is None:
            return
        for folder in _emptied_candidates(self.pruned_from, self.created, self.protected):
            try:
                os.rmdir(f"{self.base}/{folder}")
            except OSError:
                continue  # something else is in it (or it is gone): kept
            self.created.discard(folder)
            self.changed = True
            self.dirty_folders.add(f"{self.base}/{folder}".rpartition("/")[0])
            self.summary.pruned_folders.append(folder)
        self._say_emptied_folders_kept()

    def _say_emptied_folders_kept(self) -> None:
        """Name the folders this run's prune emptied and left (a platform's folder the OS
        shows, empty: QA85 F16), so that the user can remove them; not called "the OS's own"
        where they are another OS's the card was laid out for (QA123 F4)."""
        emptied = (self.pruned_from - self.unfinished) | {
            folder.rpartition("/")[0] for folder in self.summary.pruned_folders
            if folder not in self.unfinished}  # (review 149 F4: "the prune emptied" them)
        kept = sorted(folder for folder in emptied
                      if folder and _empty_folder(f"{self.base}/{folder}"))
        if kept:
            self.summary.notes.append(_emptied_folders_kept_note(kept, dry_run=False))

    def copy_or_fail(self, item: _Item, replaces: os.stat_result | None,
                     record_as: _Item | None = None) -> bool:
        """:meth:`copy`, a failure recorded (as ``record_as``'s when given) and counted, its
        game marked broken; True when the file was written (its rename comes with its
        batch). A card error may end the run (:meth:`_card_error`)."""
        refused: OSError | None = None
        try:
            self.copy(item, replaces)
            return True
        except _SourceGone as exc:
            self._library_error(item, exc)
            error = self._moved_since(item) or self._gone_unscanned(item) or str(exc)
        except _SourceChanged as exc:
            error = self._changed_since(item) or str(exc)
        except _FileFailed as exc:
            error = str(exc)
        except OSError as exc:
            self._library_error(item, exc)
            self._card_error(exc, item.dest)
            refused, error = exc, f"{item.dest}: {describe_os_error(exc)}{self._full(exc)}"
        self.summary.failed += 1
        self.state(record_as or item, "failed", error)
        if item.game_id is not None:
            self.broken.mark(item.game_id, item.dest)
        if refused is not None:  # (recorded first: it may end the run)
            self.note_failed_copy(refused)
        return False

    def _library_error(self, item: _Item, exc: BaseException) -> None:
        """End the run when the library root ``item``'s source is in went away (a share
        unmounted or dropped mid-deploy), said of the library, not of the card, once — not
        every file after it "missing since the scan" (QA162 F7)."""
        root = next((path for path in self.library_roots()
                     if item.source.startswith(path.rstrip("/") + "/")), None)
        if root is None or root_is_there(root):
            return
        raise _Stop(f"{root}: the library root went away while deploying (not mounted?): "
                    f"mount it again and run `romrunner deploy resume {self.deployment_id}`"
                    ) from exc

    def library_roots(self) -> list[str]:
        """The library roots' folders, read once."""
        if self._library_roots is None:
            self._library_roots = [str(root.path) for root in list_roots(self.db)]
        return self._library_roots

    def _gone_unscanned(self, item: _Item) -> str | None:
        """The words of a source gone that no scan records as its game's — read by the plan
        only, as a playlist's disc in a hidden folder, its tracks (review47b F6: "missing
        since the scan", which never read it) — or None."""
        if item.game_id is None or item.source in _scan_records(self.db, [item.game_id]):
            return None
        return f"{item.source}: missing since this deployment was planned"

    def _moved_since(self, item: _Item) -> str | None:
        """The words of a source a rescan found moved or renamed since the deployment was
        planned (QA111 F6: a resume said such a file "missing since the scan"), or None."""
        now = None if item.game_id is None else game_path(self.db, item.game_id)
        if now is None or now == item.source or not os.path.exists(os_path(now)):
            return None
        suffix = PurePosixPath(now).suffix.lower()
        if suffix == PurePosixPath(item.source).suffix.lower():
            return (f"{item.source}: moved or renamed since this deployment was planned (now "
                    f"{now}): a new `romrunner deploy` takes it from there")
        # A track, a disc's CHD: moved with its game's own file (review 122 F3), missing
        # beside it where that file is as planned (review 118 F5).
        assert item.game_id is not None
        planned = self._planned_sources().get(item.game_id, set())
        if now in planned or not any(PurePosixPath(path).suffix.lower() == suffix
                                     for path in planned):
            return None
        return (f"{item.source}: moved or renamed since this deployment was planned (its game "
                f"is now {now}): a new `romrunner deploy` takes it from there")

    def _changed_since(self, item: _Item) -> str | None:
        """The words a resume says of a source of the planned size at another time than the
        deployment's plan took from the scan, with the way on; None for the plan's words (a
        first run, as its dry run says; a source of another size, or one no rescan can
        store). A rescan since that recorded it as it is now leaves it to a new deploy (a
        resume copies a source a rescan found the same, see :func:`_follow_rescans`); before
        one, a source the library knows the SHA1 of is copied by a resume after it, if its
        content is the same. A BIOS file's rescan is `bios scan` of its folder. A file no scan
        records (read by the plan only) is left to a new deploy."""
        bios = item.game_id is None and item.kind == BIOS
        if self.fresh or (item.game_id is None and not bios) or item.content is not None \
                or beyond_a_rescan(item.source) is not None:
            return None
        try:
            info = os.stat(os_path(item.source))
        except OSError:
            return None
        if info.st_size != item.size:  # (its content is not the same)
            return None
        record = (_bios_records(self.db, [item.source]) if item.game_id is None
                  else _scan_records(self.db, [item.game_id])).get(item.source)
        if record is None and not bios:
            # read by the plan only (a playlist's disc in a hidden folder, its tracks): no
            # rescan records it for this deployment — a new plan reads it again (review48b
            # F4 follow-up: "`romrunner scan` reads it again, then … resume copies it", and
            # every resume after that scan failed it the same)
            return (f"{item.source}: changed since this deployment was planned: a new "
                    "`romrunner deploy` takes it as it is now")
        if record is not None and (record[0], record[1]) == (info.st_size, info.st_mtime_ns):
            return (f"{item.source}: changed since this deployment was planned, as the last "
                    f"{'`bios scan`' if bios else 'scan'} read it: a new `romrunner deploy` "
                    f"takes it as it is now{' if it is a verified dump' if bios else ''}")
        if item.sha1 is None:
            return None
        rescan = (f"`romrunner bios scan {shell_word(item.source.rpartition('/')[0])}`"
                  if bios else "`romrunner scan`")
        return (f"{item.source}: changed since the scan: {rescan} reads it again, "
                f"then `romrunner deploy resume {self.deployment_id}` copies it if its "
                "content is the same (else a new `romrunner deploy`)")

    def _planned_sources(self) -> dict[int, set[str]]:
        """The library files the deployment planned to copy, per game (read once, on the
        first failure that asks)."""
        if self.planned_sources is None:
            self.planned_sources = {}
            rows = [(row[0], str(row[1])) for row in self.db.query(
                "SELECT game_id, source_path FROM deployment_items WHERE deployment_id = ? "
                "AND game_id IS NOT NULL", (self.deployment_id,))]
            rows += [(item.game_id, item.source)
                     for item in unrecorded(self.db, self.deployment_id)]
            for game_id, source in rows:
                if game_id is not None:
                    self.planned_sources.setdefault(int(game_id), set()).add(source)
        return self.planned_sources

    def library_hashes(self, copies: list[_Decision]) -> None:
        """Read, in one query, the SHA1 or CRC32 the library has of each game file to copy
        that the plan has no SHA1 for (a file a scan with a DAT identified by its CRC32 and
        size, the usual state): its bytes, hashed as they are copied, are checked against it
        (QA178 F7: one changed in place, its time kept, went on the card unsaid)."""
        ids = sorted({d.item.game_id for d in copies if d.item.sha1 is None
                      and d.item.content is None and d.item.game_id is not None})
        if not ids:
            return
        for game_id, root, filepath, sha1, crc32 in self.db.query(
                "SELECT g.id, r.path, g.filepath, g.sha1_bin, g.crc32_bin FROM games g "
                "JOIN library_roots r ON r.id = g.root_id "
                "WHERE g.id IN (SELECT value FROM json_each(?))", (json.dumps(ids),)):
            if sha1 is not None or crc32 is not None:
                self.unhashed[int(game_id)] = (
                    f"{str(root).rstrip('/')}/{filepath}", None if sha1 is None else sha1.hex(),
                    None if crc32 is None else int.from_bytes(crc32, "big"))
        # A zip the scan read from its directory has no hash of its own: the CRC32 and size
        # of each member, as the directory stated them then, are what its copy is checked
        # against (qa181 N3: one whose member's data was changed in place, its time kept,
        # went on the card unsaid, as a loose file in that state no longer does)
        for game_id, root, filepath, crc32, size in self.db.query(
                "SELECT g.id, r.path, g.filepath, f.crc32_bin, f.file_size FROM games g "
                "JOIN library_roots r ON r.id = g.root_id "
                "JOIN game_files f ON f.game_id = g.id AND f.kind = 'member' "
                "WHERE g.id IN (SELECT value FROM json_each(?)) AND g.sha1_bin IS NULL "
                "AND lower(g.filepath) LIKE '%.zip' ORDER BY g.id, f.id", (json.dumps(ids),)):
            _, members = self.zip_members.setdefault(
                int(game_id), (f"{str(root).rstrip('/')}/{filepath}", []))
            members.append((None if crc32 is None else int.from_bytes(crc32, "big"),
                            int(size)))

    def members_to_check(self, item: _Item) -> list[tuple[int | None, int]] | None:
        """The (CRC32, size) of each member the scan read from the directory of the zip
        ``item`` copies, when its copy is to be checked against them (see
        :meth:`library_hashes`); None when not (a file the library has a hash of, no zip)."""
        if item.sha1 is not None or item.game_id is None or item.content is not None:
            return None
        known = self.zip_members.get(item.game_id)
        if known is None or known[0] != item.source:
            return None
        return known[1]

    def known_hashes(self, item: _Item) -> tuple[str | None, int | None]:
        """The SHA1 the copy of ``item`` must have (the plan's, else the library's), and,
        when there is none, its CRC32 (the library's); None where unknown."""
        if item.sha1 is not None or item.game_id is None:
            return item.sha1, None
        known = self.unhashed.get(item.game_id)
        if known is None or known[0] != item.source:  # (a disc's track: not its game's file)
            return None, None
        return known[1], None if known[1] is not None else known[2]

    def copy(self, item: _Item, replaces: os.stat_result | None) -> None:
        """Write the item's temporary file; it is renamed into place with its batch."""
        if self.batch and item.size >= LARGE_FILE:
            self.commit_batch()  # a long copy does not keep finished files waiting under it
        folder = self.folder_of(item)
        temp = f"{TEMP_PREFIX}{self.deployment_id}-{item.seq}"
        try:
            if item.content is None and item.sha1 is not None and not self.options.verify \
                    and item.size <= SENDFILE_CHUNK and item.kind != BIOS:
                info, sha1 = self._write_small(item, folder, temp), None
            else:
                info, sha1 = self._write_temp(item, folder, temp)
        except BaseException:
            with contextlib.suppress(OSError):
                os.unlink(temp, dir_fd=folder)
            raise
        owned = Owned(item.dest, info.st_size, info.st_mtime_ns, sha1 or item.sha1)
        self.batch.append(_Written(item, folder, temp, item.dest.rpartition("/")[2],
                                   f"{self.base}/{item.dest}", owned, replaces))
        self.batch_bytes += item.size
        if len(self.batch) == 1:
            self.batch_started = time.monotonic()
        if len(self.batch) >= BATCH_FILES or self.batch_bytes >= BATCH_BYTES or \
                time.monotonic() - self.batch_started >= BATCH_SECONDS:
            self.commit_batch()

    def commit_batch(self) -> None:
        """Record the batch as copied in one transaction, with each file's size and time on
        the card, then rename. After a crash a file found under its final name with exactly
        that size and time is ours and done; one that is not there (the rename did not
        happen, or did not reach the card) is copied again by ``resume``, which re-checks
        every copied file.

        A rename the card refuses with an error that does not end the run (a name its file
        system rejects: FUSE, SMB, MTP, a vfat whose character set cannot encode it) is the
        failure of that file alone: recorded failed at once, its temporary file removed, the
        rest of the batch renamed as usual. When the run ends among the renames (the card
        full, read-only or gone; Ctrl-C) the files not renamed go back to pending, so that
        no file is recorded copied that is not on the card under its name."""
        batch, self.batch, self.batch_bytes = self.batch, [], 0
        if not batch:
            return
        commits = self.db.commits
        try:
            try:
                self.syncer.wait()  # every file of the batch on the card before its intent
            except OSError as exc:
                self._unsynced(batch, exc)
                return
            if self.gone():  # unmounted (lazily): its folders' descriptors outlive the mount
                raise _Stop(self._stop_message(OSError(errno.ENODEV, os.strerror(
                    errno.ENODEV)), batch[0].item.dest, True))
            self._stop_if_a_folder_moved(batch)
            with self.db.atomic():  # the batch's intents
                for start in range(0, len(batch), UPSERT_ROWS):
                    _upsert_values(self.db, _intents(self.deployment_id,
                                                     batch[start:start + UPSERT_ROWS]))
        except BaseException:
            if self.db.commits > commits:  # (a Ctrl-C as the intents committed: review 18 R13,
                self._take_back(batch)  # recorded copied, the files removed): back to pending
            else:
                for written in batch:
                    _remove_temp(written)
            raise
        failed = False
        for n, written in enumerate(batch):
            item = written.item
            if item.game_id is not None and item.game_id in self.broken:
                # (a track of its game the card refused: its sheet, after it, is not put in
                # place to name a file that is not there: QA35 F11)
                _remove_temp(written)
                failed = True
                self.summary.failed += 1
                self.state(item, "failed", self.broken.why(item))
                continue
            try:
                try:
                    self._rename(written)
                except OSError as exc:
                    self._card_error(exc, item.dest)  # the card full, read-only or gone
                    raise _FileFailed(f"{item.dest}: not written: the card refused to rename "
                                      f"it into place ({describe_os_error(exc)})") from exc
            except _FileFailed as exc:
                failed = True
                self.summary.failed += 1
                self.state(item, "failed", str(exc))
                if item.game_id is not None:
                    self.broken.mark(item.game_id, item.dest)
            except BaseException:
                self._take_back(batch[n:])
                raise
        if failed or len(self.pending_states) >= FLUSH_FILES or \
                time.monotonic() - self.last_flush >= FLUSH_SECONDS:
            self.flush()  # (failures replace their intents now, not at the next flush)

    def _stop_if_a_folder_moved(self, batch: list[_Written]) -> None:
        """Stop the run when a folder of the batch is no longer at its path on the card
        (moved or renamed by someone meanwhile: the files written through its descriptor went
        with it, and would have been recorded where they are not, "0 failed": QA75 F3)."""
        used = {written.folder for written in batch}
        for parent, fd in self.folder_fds.items():
            if fd not in used:
                continue
            try:
                there = os.path.samestat(os.fstat(fd), os.stat(
                    f"{self.base}/{parent}" if parent else self.base))
            except OSError:
                there = False
            if not there:
                raise _Stop(f"{self.root}: {parent or 'the top folder'} was moved, renamed or "
                            "removed on the card during the deploy (what was written to it "
                            "went with it); stopped: run `romrunner deploy resume "
                            f"{self.deployment_id}` to write its files again")

    def _unsynced(self, batch: list[_Written], exc: OSError) -> None:
        """The batch's fsyncs failed (on threads: which file's is not known), so none of its
        files is taken for written: their temporary files are removed, and each file fails
        (its intent was not recorded), unless the error ends the run."""
        for written in batch:
            _remove_temp(written)
        first = batch[0].item.dest
        self._card_error(exc, first if len(batch) == 1 else
                         f"{first} and {counted(len(batch) - 1, 'other file')}")
        others = "" if len(batch) == 1 else ", or that of the file written with it" \
            if len(batch) == 2 else f", or that of one of the {len(batch) - 1:,} files " \
            "written with it"
        for written in batch:
            self.summary.failed += 1
            self.state(written.item, "failed", f"{written.item.dest}: not written: the card did "
                       f"not confirm its data{others} ({describe_os_error(exc)})")

    def _take_back(self, rest: list[_Written]) -> None:
        """The run ends before these files of the batch are renamed: their temporary files
        are removed and their intents taken back (pending: what ``resume`` copies), except
        for a file renamed after all (there under its name exactly as written)."""
        for written in rest:
            _remove_temp(written)
            placed = _lstat_at(written.folder, written.name)
            item = written.item
            if placed is not None and _is_file(placed) and written.owned.matches(placed):
                continue
            if placed is not None and _is_file(placed) and placed.st_size == written.owned.size \
                    and written.owned.sha1 is not None \
                    and _sha1_of(written.name, written.folder) == written.owned.sha1:
                # Renamed after all, and the card moved its time as it did (Claims.find):
                # copied, with the time the card shows.
                owned = written.owned._replace(mtime_ns=placed.st_mtime_ns)
                self.pending_states.append(_row(self.deployment_id, item, "copied", None,
                                                owned.mtime_ns, owned.sha1))
                self.keep(item.key or collision_key(item.dest, self.fs), owned)
                continue
            self.pending_states.append(_row(self.deployment_id, item, "pending", None,
                                            item.dest_mtime_ns, item.sha1))

    def _rename(self, written: _Written) -> None:
        item, target, replaces = written.item, written.target, written.replaces
        folder, name = written.folder, written.name
        try:
            if not self.options.overwrite:
                now = _lstat_at(folder, name)  # as the run found it when it decided?
                if replaces is None and now is not None:
                    # (written there since by someone else: never renamed over, review 77 R3)
                    raise _FileFailed(f"{item.dest}: not written: a file was put there on the "
                                      "card during the deploy; kept (use --overwrite to "
                                      "replace it)")
                if replaces is not None and (now is None or (now.st_size, now.st_mtime_ns) != (
                        replaces.st_size, replaces.st_mtime_ns)):
                    raise _FileFailed(f"{item.dest}: changed on the card during the deploy")
            os.replace(written.temp_name, name, src_dir_fd=folder, dst_dir_fd=folder)
        except BaseException:
            _remove_temp(written)
            raise
        self.dirty_folders.add(target.rpartition("/")[0])
        self.summary.copied += 1
        self.summary.bytes_copied += item.size
        if item.replacing and replaces is not None:  # (a file not ours was there)
            self.summary.replaced.append({"path": item.dest, "reason": item.replacing})
        # Some cards' file systems set a file's time when it is renamed (fusefat, some FUSE,
        # MTP and network mounts): the file under its name is what is ours, so its time is
        # recorded again (at the next flush, after its folder's fsync). Until then its intent
        # holds the time before the rename, and the bytes prove it ours (Claims.find). A card
        # whose first renames all kept their times, kept to the nanosecond, is not asked
        # again (a stat per file, a sixth of a small file's cost). Not one whose times are
        # whole seconds (FAT's are 2 s apart: fusefat moves a time only when the rename falls
        # in a later step than the write). Were a time to move after all, the next run finds
        # the file's bytes unchanged and records the card's time (Claims.prove).
        owned = written.owned
        placed = None
        if self.rename_moves_time or self.rename_probes > 0 or not self.fine_times:
            self.rename_probes -= 1
            placed = _lstat_at(folder, name)
            if placed is not None and placed.st_mtime_ns % 1_000_000_000:
                self.fine_times = True
        if placed is not None and placed.st_mtime_ns != owned.mtime_ns \
                and placed.st_size == owned.size and _is_file(placed):  # moved: recorded
            self.rename_moves_time = True
            written.owned = owned._replace(mtime_ns=placed.st_mtime_ns)
            self.state(item, "copied", owned=written.owned)
        else:  # its intent is its record (a flush is looked for once the batch is renamed)
            self.handled.add(item.seq)
            self.keep(item.key or collision_key(item.dest, self.fs), owned)

    def folder_of(self, item: _Item) -> int:
        """The descriptor of the item's folder on the card, made if missing, opened once per
        run: its temporary file is written, renamed and looked at relative to it (a short
        lookup per call instead of the whole path). At most :data:`FOLDER_FDS` are open; to
        open one more, the batch is committed first (no temporary file waits in a folder
        whose descriptor is closed) and those open are closed."""
        parent = item.dest.rpartition("/")[0]
        fd = self.folder_fds.get(parent)
        if fd is not None:
            return fd
        self._ensure_folder(item)
        if len(self.folder_fds) >= FOLDER_FDS:
            self.commit_batch()
            self.close_folders()
        fd = os.open(f"{self.base}/{parent}" if parent else self.base,
                     os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC)
        self.folder_fds[parent] = fd
        return fd

    def close_folders(self) -> None:
        """Close the folders' descriptors (at the end of the run, on every way out)."""
        fds = list(self.folder_fds.values())
        self.folder_fds.clear()
        for fd in fds:
            with contextlib.suppress(OSError):
                os.close(fd)

    def _ensure_folder(self, item: _Item) -> None:
        parent = item.dest.rpartition("/")[0]
        if parent in self.checked_folders or not parent:
            return
        try:
            folder = inside_root(self.root, PurePosixPath(parent))
        except RomRunnerError as exc:
            raise _FileFailed(f"{item.dest}: not written: {exc}") from exc
        missing = self._missing_folders(parent)
        try:
            folder.mkdir(parents=True, exist_ok=True)
        except (FileExistsError, NotADirectoryError) as exc:  # a file where a folder must be
            part = blocking_part(self.base, parent) or parent
            if not self._remove_ours_in_the_way(part):
                raise _FileFailed(not_a_folder(item.dest, part, self.base)) from exc
            folder.mkdir(parents=True, exist_ok=True)
        self.checked_folders.add(parent)
        if self.protected is not None:
            ours = {folder for folder in missing if folder not in self.protected}
            if ours - self.created:
                self.created |= ours
                self.changed = True

    def _remove_ours_in_the_way(self, part: str) -> bool:
        """Remove the file of ours at ``part`` where a folder goes, if the plan found it
        ours and it still is (:meth:`Claims.in_the_way`); False when it is not."""
        claim = self.claims.replaced_by_folder.get(part)
        target = self.root / part
        info = _lstat(target)
        if claim is None or info is None or not claim.matches(info):
            return False
        os.unlink(target)
        self.dirty_folders.add(str(target.parent))
        self.results[collision_key(part, self.fs)] = None
        self.changed = True
        return True

    def _missing_folders(self, parent: str) -> list[str]:
        """``parent`` and the folders above it that are not on the card yet."""
        missing: list[str] = []
        while parent and parent not in self.checked_folders \
                and not os.path.isdir(f"{self.base}/{parent}"):
            missing.append(parent)
            parent = parent.rpartition("/")[0]
        return missing

    def _write_temp(self, item: _Item, folder: int, temp: str
                    ) -> tuple[os.stat_result, str | None]:
        """Copy into ``temp`` (in the folder open as ``folder``) and fsync it; its stat and the
        SHA1 when one was computed."""
        # (a BIOS goes on the card because its bytes are a known dump: read as they are
        # copied, as they are small — QA129 F1: one changed in place at its size and time
        # went on the card recorded under the good SHA1, and was never mended)
        want_hash = item.sha1 is None or self.options.verify or item.kind == BIOS
        out = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_CLOEXEC, 0o644,
                      dir_fd=folder)
        try:
            if item.content is not None:
                os.write(out, item.content)
                sha1: str | None = hashlib.sha1(item.content).hexdigest()
            else:
                sha1 = self._copy_source(item, out, want_hash)
            os.fsync(out)
            info = os.fstat(out)
        finally:
            os.close(out)
        if info.st_size != item.size:
            raise _FileFailed(f"{item.source}: changed while it was copied")
        members = self.members_to_check(item)
        if members is not None:  # (read back from the copy just written: the page cache)
            _check_zip_members(item, temp, folder, members)
        if self.options.verify:
            expected = item.sha1 or sha1
            written = _sha1_of(temp, folder)
            if written != expected:
                raise _FileFailed(f"{item.dest}: verify failed: the card returned different "
                                  "data (a failing card?)")
        return info, sha1

    def _write_small(self, item: _Item, folder: int, temp: str) -> os.stat_result:
        """:meth:`_write_temp` for the common case, in one function: a file whose SHA1 the
        scan knows, no more than one ``sendfile`` chunk, without ``verify``. The same checks:
        the source unchanged since the scan and during the copy, the temporary file fsynced
        and of the planned size."""
        src, before = _open_source(item)
        try:
            out = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_CLOEXEC, 0o644,
                          dir_fd=folder)
            try:
                offset = 0
                while offset < item.size:
                    sent = os.sendfile(out, src, offset, item.size - offset)
                    if sent == 0:
                        raise _FileFailed(f"{item.source}: shorter than at the scan")
                    offset += sent
                after = os.fstat(src)
                if after.st_size != before.st_size or after.st_mtime_ns != before.st_mtime_ns:
                    raise _FileFailed(f"{item.source}: changed while it was copied")
                info = os.fstat(out)
                if self.syncer.in_line:
                    os.fsync(out)
            except BaseException:
                os.close(out)
                raise
            if self.syncer.in_line:
                os.close(out)
            else:
                self.syncer.submit(out)  # fsynced with others, all before the batch's intent
        finally:
            os.close(src)
        if info.st_size != item.size:
            raise _FileFailed(f"{item.source}: changed while it was copied")
        return info

    def _copy_source(self, item: _Item, out: int, want_hash: bool) -> str | None:
        src, before = _open_source(item)
        try:
            sha1: str | None = None
            expected, crc = self.known_hashes(item) if want_hash else (item.sha1, None)
            if want_hash:
                sha1, crc32 = self._stream(src, out, item, crc is not None)
            else:
                self._sendfile(src, out, item)
            after = os.fstat(src)
            if (after.st_size, after.st_mtime_ns) != (before.st_size, before.st_mtime_ns):
                raise _FileFailed(f"{item.source}: changed while it was copied")
            # (a plain scan skips a file of its size and time: review 131 F3; the bytes
            # copied are checked against the hash the library has of them, the SHA1 where
            # known, else the CRC32: QA178 F7)
            if want_hash and expected and sha1 != expected:
                raise _FileFailed(_no_longer_matches(item, "SHA1"))
            if want_hash and not expected and crc is not None and crc32 != crc:
                raise _FileFailed(_no_longer_matches(item, "CRC32"))
            return sha1
        finally:
            os.close(src)

    def _sendfile(self, src: int, out: int, item: _Item) -> None:
        offset = 0
        while offset < item.size:
            sent = os.sendfile(out, src, offset, min(SENDFILE_CHUNK, item.size - offset))
            if sent == 0:
                raise _FileFailed(f"{item.source}: shorter than at the scan")
            offset += sent
            if item.size > SENDFILE_CHUNK:
                self.tick(item.dest, offset)

    def _stream(self, src: int, out: int, item: _Item, crc: bool = False
                ) -> tuple[str, int | None]:
        """Copy ``src`` to ``out`` through a buffer: the bytes' SHA1, and with ``crc`` their
        CRC32 (else None)."""
        hasher = hashlib.sha1()
        crc32 = 0
        buffer = bytearray(min(READ_BUFFER, max(item.size, 1)))
        view = memoryview(buffer)
        done = 0
        with os.fdopen(src, "rb", buffering=0, closefd=False) as reader:
            while True:
                count = reader.readinto(view)
                if not count:
                    break
                chunk = view[:count]
                hasher.update(chunk)
                if crc:
                    crc32 = zlib.crc32(chunk, crc32)
                written = 0
                while written < count:
                    written += os.write(out, chunk[written:])
                done += count
                if item.size > SENDFILE_CHUNK:
                    self.tick(item.dest, done)
        return hasher.hexdigest(), crc32 if crc else None

    def gone(self) -> bool:
        """True when the card is no longer there: its root vanished or another folder is
        there now — another file system, or the empty mount point (another folder of the
        same file system too: a bind mount's, QA42 F6)."""
        try:
            return _folder_identity(os.stat(self.root)) != self.root_identity
        except OSError:
            return True

    def _card_error(self, exc: OSError, what: str) -> None:
        """Turn a card-side error that ends the run into :class:`_Stop` (``what``: the file,
        on the card, being written)."""
        gone = self.gone()
        if exc.errno == errno.EROFS and not gone and self.card_still_writable():
            return  # (a folder mounted read-only on its own, not the card: that file fails,
            # the run goes on, as its dry run says — qa203 F2)
        if exc.errno in STOP_ERRNOS or gone:
            raise _Stop(self._stop_message(exc, what, gone)) from exc

    def _full(self, exc: OSError) -> str:
        """What a copy's failure adds to its error when the card may be full though the
        error does not say so: fusefat, which reports no free space, refuses every file
        with EPERM once full (QA111 F4: "Operation not permitted" for each file, after a
        note promising a full card stops the run)."""
        if exc.errno not in (errno.EPERM, errno.EIO):
            return ""
        if self.space_unknown is None:
            try:
                self.space_unknown = space(self.root)[0] is None
            except OSError:
                self.space_unknown = False
        return " (the card's file system does not report its free space: full?)" \
            if self.space_unknown else ""

    def note_failed_copy(self, exc: OSError) -> None:
        """Count a copy the card refused with an error that does not end the run by itself:
        on a card whose file system reports no free space (fusefat), a full card refuses
        every file alike (EPERM, not ENOSPC: QA18 C2), so :data:`FAILING_IN_A_ROW` copies
        failing in a row with one error end the run as a full card does."""
        errno_, count = self.failing
        self.failing = (exc.errno, count + 1 if exc.errno == errno_ else 1)
        if self.failing[1] < FAILING_IN_A_ROW:
            return
        try:
            unknown = space(self.root)[0] is None
        except OSError:
            unknown = False
        if unknown:
            raise _Stop(
                f"{self.root}: {FAILING_IN_A_ROW} files in a row could not be written "
                f"({describe_os_error(exc)}) and the card's file system does not report its "
                f"free space: it is most likely full; free space ({FREE_OTHERS}) and run "
                f"`romrunner deploy resume {self.deployment_id}`, {FEWER_GAMES}"
                ) from exc

    def card_still_writable(self) -> bool:
        """True when a file can be made (and removed) in the card's ``.romrunner/`` now: a
        card the kernel remounted read-only after an error refuses it, whatever ``statvfs``
        says (review49d F1: ext4's errors=remount-ro kept reporting the card writable, and
        the run went on failing every file instead of stopping)."""
        probe = f"{self.base}/{CARD_DIR}/{TEMP_PREFIX}probe-{os.getpid()}"
        try:
            os.close(os.open(probe, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_CLOEXEC, 0o644))
            os.unlink(probe)
        except OSError as exc:  # (only a read-only card says so: a full one, no inode left,
            return exc.errno != errno.EROFS  # tells nothing of it — review49f F3)
        return True

    def _stop_message(self, exc: OSError, what: str, gone: bool) -> str:
        resume = f"`romrunner deploy resume {self.deployment_id}`"
        if gone:
            return f"{self.root}: the card went away while writing {what}; " \
                   f"reconnect it and run {resume}"
        if exc.errno in (errno.ENOSPC, errno.EDQUOT):
            return f"{self.root}: card full while writing {what}; " \
                   f"{{more}} more needed to finish; free space ({FREE_OTHERS}) and run " \
                   f"{resume}, {FEWER_GAMES}"
        if exc.errno == errno.EROFS:
            return f"{self.root}: the card became read-only while writing {what}; " \
                   f"check it and run {resume}"
        return f"{self.root}: cannot write {what} ({describe_os_error(exc)}); " \
               f"check the card and run {resume}"


def _folder_identity(info: os.stat_result) -> tuple[int, int]:
    """A folder's device and inode: the card's root, as the run found it."""
    return info.st_dev, info.st_ino


def _run(db: Database, deployment_id: int, root: Path, fs: FileSystem, dest_id: str,
         decisions: list[_Decision], claims: Claims, options: DeployOptions,
         progress: ProgressCallback | None, *, fresh: bool = False, unchanged: int = 0,
         recorded: DeploymentRecord | None = None, cleaned: int = 0,
         naming: _Naming | None = None) -> DeploySummary:
    """Apply the decisions (``unchanged``: files already found unchanged in bulk, counted as
    skipped; ``recorded``: the deployment's record, when already read; ``cleaned``: the stale
    temporary files removed before; ``naming``: what :func:`_carry_failures` gave of them)."""
    copies = [d for d in decisions if d.action == COPY]
    runner = _Runner(db, deployment_id, root, dest_id, claims, options, fs, progress,
                     sum(d.item.size for d in copies), len(decisions) + unchanged)
    runner.fresh = fresh
    runner.naming = naming or _Naming(decisions)
    runner.library_hashes(copies)
    summary = runner.summary
    summary.skipped = runner.files_done = unchanged
    summary.cleaned_temps = cleaned
    if recorded is None:
        recorded = deployment_record(db, deployment_id)
    summary.planned = _planned(db, deployment_id, recorded)
    runner.protected = recorded.protected
    # (a killed run's empty set folder, `Game.m3u/`, is a game ES-DE lists: removed once
    # empty like a folder a prune emptied, QA145 F7)
    runner.unfinished = claims.folders & claims.unfinished_made
    runner.pruned_from |= runner.unfinished
    if not fresh:  # a resume of an ended run: running again (killed: interrupted)
        with db.atomic():
            db.execute("UPDATE deployment_history SET status = 'started', completed_at = NULL, "
                       "error_message = NULL WHERE id = ? AND status != 'started'",
                       (deployment_id,))
    known = [_row(deployment_id, d.item, "conflict", d.note, d.item.dest_mtime_ns, d.item.sha1)
             for d in decisions if d.action == CONFLICT]
    if known:  # (the conflicts the plan knew, recorded before any file is written: a run
        # killed before their turn counted them pending, qa205 N2; their turn records them
        # again, as they are, and says them)
        with db.atomic():
            _upsert(db, known)
    try:
        return _apply_and_end(runner, decisions, copies, recorded, claims)
    except DatabaseError as exc:  # (QA83 F5: the database's disk full mid-run, unsaid how
        # to finish the deployment whose files are on the card)
        raise type(exc)(f"{exc} (or `romrunner deploy resume {deployment_id}`, which "
                        "finishes this deployment without recopying what is on the card)"
                        ) from exc


def _apply_and_end(runner: _Runner, decisions: list[_Decision], copies: list[_Decision],
                   recorded: DeploymentRecord, claims: Claims) -> DeploySummary:
    """Apply the decisions, then end the run (its files settled, its row finished)."""
    summary, deployment_id = runner.summary, runner.deployment_id
    status = "failed"
    try:
        _apply(runner, decisions, copies)
        runner.close_folders()  # (every file renamed: none held open where a folder goes)
        runner.remove_emptied_folders()
        status = "completed"
    except _Stop as stop:
        _settle(runner)
        summary.stopped = _with_space_needed(str(stop), runner.root, decisions, runner)
    except KeyboardInterrupt:
        # Returned, not raised: the caller learns which deployment to resume.
        status = "cancelled"
        summary.stopped = (f"interrupted; `romrunner deploy resume {deployment_id}` "
                           "finishes it without recopying what is done")
    finally:
        with _ending(status == "cancelled"):
            _end_run(runner.db, runner, deployment_id, status, recorded, claims, summary)
    return summary


@contextlib.contextmanager
def _ending(cancelled: bool) -> Iterator[None]:
    """A cancelled run's end (its files settled, the card's manifest, its row) deaf to a
    second Ctrl-C: it is ending already (QA42 F9: one pressed twice cut it short — no card
    manifest, no resume hint). In the main thread only, where Python runs the handler."""
    if not cancelled or threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)


def _end_run(db: Database, runner: _Runner, deployment_id: int, status: str,
             recorded: DeploymentRecord, claims: Claims, summary: DeploySummary) -> None:
    """Settle the run's files, write the card's manifest and finish its row."""
    try:
        _settle(runner)
    finally:
        runner.close_folders()  # (every temporary file is renamed or removed by now)
    runner.syncer.close()
    try:
        runner.flush()
    except _Stop as stop:  # (the run ends as failed all the same, its row finished)
        if status == "completed":
            status = "failed"
        if summary.stopped is None:
            summary.stopped = str(stop)
    if not runner.write_card_manifest() and not runner.gone():
        there = _lstat(runner.root / CARD_DIR / MANIFEST_NAME)
        again = "run the deploy again once the card has room"
        if there is not None and stat.S_ISDIR(there.st_mode):
            why = "a folder is at its name: remove it"
        elif not runner.card_still_writable():  # (review49f F5: said "the card full?")
            why = "the card is read-only now"
            # (the stop line's way on, not another: review50c F6)
            again = ("check the card, and run the deploy again once it can be written"
                     if status == "completed" else "check the card, and `romrunner deploy "
                     f"resume {deployment_id}` once it can be written")
        else:
            why = "the card full?"  # (QA82 F6)
        summary.notes.append(
            f"{runner.root}: the card's record of ROM Runner's files ({CARD_DIR}/"
            f"{MANIFEST_NAME}) could not be written ({why}): this database knows "
            "them, but another computer, or this one without this database, takes them for "
            f"yours and never prunes them; {again}")
    if status == "completed":
        clear_writing(runner.root)
    summary.prune_kept = sorted(set(claims.prune_kept) | set(claims.prune_unrecorded)
                                | set(claims.prune_unreadable))
    summary.prune_held = sorted(set(claims.held_elsewhere))
    summary.prune_unreplaced = sorted(set(claims.kept_unreplaced))
    summary.prune_linked = sorted(set(claims.prune_linked))
    summary.prune_library = sorted(set(claims.prune_library))
    summary.prune_saves = saved_list(claims.prune_saves)
    summary.prune_other_computer = computers_list(claims.prune_other_computer)
    summary.prune_other_profile = profiles_list(claims.prune_other_profile)
    summary.prune_named = named_list(claims.prune_named)
    summary.prune_only_copy = sorted(set(claims.prune_only_copy))
    summary.prune_only_copy_force = only_copies_force(claims)
    summary.notes.extend(prune_notes(claims))
    if (said := let_go_playlists_note(claims, summary.pruned_paths)) is not None:
        summary.notes.append(said)
    summary.status = status
    summary.seconds = round(time.monotonic() - runner.started, 3)
    _finish(db, deployment_id, status, summary.stopped, recorded)


def _planned(db: Database, deployment_id: int, recorded: DeploymentRecord) -> int:
    """Files the deployment puts on the card: its items to copy and those found unchanged."""
    found, items = recorded.unchanged, recorded.items
    if items is None:
        copies = int(db.scalar("SELECT count(*) FROM deployment_items WHERE "
                               "deployment_id = ? AND action = 'copy'", (deployment_id,)))
    else:
        copies = sum(1 for record in items if record[2] == "copy")
    return copies + sum(files for files, _ in found.values())


def _emptied_candidates(pruned_from: set[str], created: set[str],
                        protected: set[str]) -> list[str]:
    """The folders holding pruned files and those above them that our deployments created
    and the layout does not name, deepest first."""
    found: set[str] = set()
    for folder in pruned_from:
        while folder and folder not in found:
            found.add(folder)
            folder = folder.rpartition("/")[0]
    # (a folder named `unknown`: only a release before this one made it, for the games of
    # no platform, before manifests listed the folders made: QA46 F6)
    return sorted((f for f in found if (f in created or f.rpartition("/")[2].lower() ==
                                        "unknown") and f not in protected),
                  key=lambda f: (-f.count("/"), f))


def _folders_a_prune_empties(root: Path, pruned: list[str], created: set[str],
                             protected: set[str]) -> list[str]:
    """The folders a prune of ``pruned`` (paths on the card) would leave empty and remove
    (for the dry run): nothing else in them but those files and such folders."""
    going: dict[str, set[str]] = defaultdict(set)
    for dest in pruned:
        folder, _, name = dest.rpartition("/")
        going[folder].add(name)
    removed: list[str] = []
    for folder in _emptied_candidates(set(going), created, protected):
        try:
            names = set(os.listdir(root / folder))
        except OSError:
            continue
        if names <= going[folder]:
            removed.append(folder)
            parent, _, name = folder.rpartition("/")
            going[parent].add(name)
    return removed


def _folders_a_prune_leaves_empty(root: Path, pruned: list[str], removed: list[str],
                                  copies: list[str]) -> list[str]:
    """The folders a prune of ``pruned`` (paths on the card) would leave empty and keep (for
    the dry run, as :meth:`_Runner._say_emptied_folders_kept` names them after the run): each
    holding a pruned file or a folder the prune removes (``removed``), nothing else in it,
    no copy (``copies``) going into it, and not removed itself."""
    going: dict[str, set[str]] = defaultdict(set)
    for path in (*pruned, *removed):
        folder, _, name = path.rpartition("/")
        going[folder].add(name)
    gone = set(removed)
    filled = {dest.rpartition("/")[0] for dest in copies}
    kept: list[str] = []
    for folder, names in going.items():
        if not folder or folder in gone or any(
                into == folder or into.startswith(f"{folder}/") for into in filled):
            continue
        try:
            here = set(os.listdir(root / folder))
        except OSError:
            continue
        if here <= names:
            kept.append(folder)
    return sorted(kept)


def _emptied_folders_kept_note(kept: list[str], *, dry_run: bool) -> str:
    """The note naming the folders a prune empties and leaves (``dry_run``: would)."""
    them = "it" if len(kept) == 1 else "them"
    did = (f"would empty {counted(len(kept), 'folder')} and leave {them}" if dry_run
           else f"emptied {counted(len(kept), 'folder')} and left {them}")
    return (f"the prune {did} ({examples(kept)}): a folder an OS's layout names (this OS's, "
            "or that of an OS the card was laid out for before) or one ROM Runner did not "
            f"make is never removed; remove {them} by hand if the OS lists {them} empty")


def _remove_temp(written: _Written) -> None:
    """Remove a file's temporary copy (gone already: nothing to do)."""
    with contextlib.suppress(OSError):
        os.unlink(written.temp_name, dir_fd=written.folder)


def _note_writing(runner: _Runner, copies: list[_Decision]) -> None:
    folders = {d.item.dest.rpartition("/")[0] for d in copies}
    # (an earlier unfinished run's too, kept until a manifest holds them: review 149 F4)
    made: set[str] = set(runner.claims.unfinished_made)
    if runner.protected is not None:  # (the folders of ours the copies will create)
        for folder in folders:
            while folder and folder not in made and folder not in runner.protected \
                    and not os.path.isdir(f"{runner.base}/{folder}"):
                made.add(folder)
                folder = folder.rpartition("/")[0]
    try:
        note_writing(runner.root, folders, made)
    except OSError as exc:
        raise _Stop(runner._stop_message(exc, copies[0].item.dest, runner.gone())) from exc


def _temp_folders(root: Path, decisions: list[_Decision], planned: DeployPlan | None,
                  fresh: bool, claims: Claims) -> set[str]:
    """Where stale temporary files of ours may be: on resume every folder of the
    deployment; on any run the folders an earlier run noted it was writing to and did not
    complete (a first run on a card whose runs all completed lists none), and every folder
    of the plan when that note is unreadable or the card has no manifest (its ``.romrunner/``
    deleted after a killed run: QA74 F2, its temporary files were left for good)."""
    noted = writing_folders(root)
    lost = claims.manifest is None and claims._unreadable is None
    if fresh and noted is None and not lost:
        return set()
    where = set(noted or ())
    if not fresh or noted == set() or lost:
        where |= {d.item.dest.rpartition("/")[0] for d in decisions}
        where |= {item.dest.rpartition("/")[0] for item in
                  (planned.items if planned is not None else ())}
    return where


def _clean_temps(root: Path, decisions: list[_Decision], planned: DeployPlan | None,
                 fresh: bool, claims: Claims) -> int:
    """Remove the stale temporary files of ours (see :func:`_temp_folders`), before the
    space is checked: a killed run's count as used space, and were the run refused for want
    of it they would never go (QA76 F1: a resume refused "not enough space" for its own)."""
    where = _temp_folders(root, decisions, planned, fresh, claims)
    return clean_stale_temps(root, where) if where else 0


_SOURCE_FLAGS = os.O_RDONLY | os.O_CLOEXEC | os.O_NOFOLLOW | os.O_NONBLOCK


def _open_source(item: _Item) -> tuple[int, os.stat_result]:
    """The item's source, open, and its stat: refused when it cannot be read, is no longer
    a regular file (a link, a device, a pipe put in its place: the open neither follows a
    link nor waits for a pipe's writer), or is not as the scan saw it (size, time)."""
    try:
        src = os.open(os_path(item.source), _SOURCE_FLAGS)
    except OSError as exc:
        if exc.errno in (errno.ENOENT, errno.ENOTDIR):  # (the plan's words: source_problem)
            raise _SourceGone(f"{item.source}: missing since the scan") from exc
        if exc.errno == errno.ELOOP:
            raise _FileFailed(f"{item.source}: is a symbolic link now; not followed "
                              "(rescan it)") from exc
        raise _FileFailed(f"{item.source}: cannot be read ({describe_os_error(exc)})") from exc
    try:
        before = os.fstat(src)
        if not stat.S_ISREG(before.st_mode):
            raise _FileFailed(f"{item.source}: is not a regular file (a device, a pipe); not "
                              "read")
        os.set_blocking(src, True)  # (a file system that heeds the flag on reads: FUSE)
        if before.st_size != item.size or (item.source_mtime_ns is not None
                                           and before.st_mtime_ns != item.source_mtime_ns):
            raise _SourceChanged(changed_since_the_scan(item.source))
    except BaseException:
        os.close(src)
        raise
    return src, before


def _settle(runner: _Runner) -> None:
    """Rename the temporary files already complete (what cannot be is cleaned on resume)."""
    with contextlib.suppress(Exception):
        runner.commit_batch()


def _apply(runner: _Runner, decisions: list[_Decision], copies: list[_Decision]) -> None:
    """Carry the decisions out in their order (the prunes first: a full card gets their
    room before anything is written on it, QA42 F5), the folders being written noted before
    the first temporary file (see :func:`_note_writing`)."""
    summary = runner.summary
    noted = not copies
    progress = runner.progress is not None
    # A file of ours a prune removes that this run writes anew elsewhere (a game moved to a
    # new folder or layout) is removed after that copy is in place, not before: a run that
    # stops or fails that copy leaves the game its old copy on the card (see _moved_prunes).
    # The sheets of ours kept as maybe the only copy whose tracks the run prunes, and their
    # sets' playlists, go last, once their tracks are gone (see _sheets_last)
    claims = runner.claims
    last = sorted((d for d in decisions if d.action in (PRUNE, KEEP)
                   and (d.item.dest in claims.sheets_last
                        or d.item.dest in claims.playlists_last)),
                  key=lambda d: d.item.dest in claims.playlists_last)
    if last:
        ids = {id(d) for d in last}
        decisions = [d for d in decisions if id(d) not in ids]
    later = sorted((d for d in decisions if d.later), key=lambda d: _sheets_first(d.item))
    # A game whose file failed: its later files (a disc's sheet comes after its tracks) are
    # not written either — a sheet on the card naming a track that is not there is a game
    # the frontend lists and that does not start.
    broken = runner.broken = _Broken(runner.naming)  # (read already, or once: see _Naming)
    # A set's playlist is written after every other file of the run, naming the discs on
    # the card then: a disc that fails as it is copied (unreadable, gone since the plan) is
    # named by the copy an earlier deploy left where this run moved the set, else left out —
    # never a disc the card does not have (QA67 F5), as a set planned without one of its
    # discs is. A playlist of the library copied as it is comes after the discs it names
    # too, and is not written when one of them is not (see _Broken).
    playlists = {id(d) for d in decisions if not d.later and d.action == COPY
                 and d.item.kind == PLAYLIST and d.item.content is not None}
    # (not every library playlist: a run that stops then leaves complete sets unlisted,
    # review50a F3)
    needing = set().union(*broken.named_by().values()) if _any_library_playlist(decisions) \
        else set()
    last_ones = playlists | {id(d) for d in decisions if not d.later and d.action == COPY
                             and _a_library_playlist(d.item) and d.item.game_id in needing}
    for decision in _tracks_before_sheets([*(d for d in decisions if id(d) not in last_ones),
                                           *(d for d in decisions if id(d) in last_ones)]):
        if decision.later:
            continue
        item = decision.item
        if id(decision) in playlists and broken:
            whole = item
            item = _playlist_of_the_discs_written(item, decisions, later, broken,
                                                  runner.claims.notes)
            if item.content == b"":
                summary.failed += 1
                runner.state(whole, "failed", f"{item.dest}: not written: none of its set's "
                             "discs was")
                runner.files_done += 1
                continue
            if item is not whole:
                _write_shortened_playlist(runner, whole, item, decision)
                continue
        action = decision.action
        if action == COPY and not noted:  # before the first temporary file, after the prunes
            if summary.pruned:  # (recorded, here and in the card's manifest, before a copy:
                runner.flush()  # a kill then took a file put back there for ours, review 77)
            _note_writing(runner, copies)
            noted = True
        if progress:
            runner.tick(item.dest)
        if action == COPY and item.game_id in broken:
            summary.failed += 1
            runner.state(item, "failed", broken.why(item))
        elif action == COPY:  # (most of a first deploy's files)
            if runner.copy_or_fail(item, decision.existing):
                runner.failing = (None, 0)
        elif runner.fresh and decision.claim is not None and _unchanged(decision):
            summary.skipped += 1  # unchanged: counted, not recorded per file
            runner.keep(item.key, decision.claim)
        elif action == NOOP:
            if decision.claim is not None:  # done, its time moved: the card's is recorded
                runner.state(item, "copied", owned=decision.claim)
            elif decision.existing is not None:  # copied by the run this one resumes:
                # ours, this database its writer (QA138 F6: a killed run's copies went into
                # the card's manifest with none, as an earlier release's)
                runner.keep(item.key or collision_key(item.dest, runner.fs), Owned(
                    item.dest, decision.existing.st_size, decision.existing.st_mtime_ns,
                    item.sha1))
        elif action in (PRUNE, KEEP):
            runner.prune(decision)
        elif action == DONE:
            runner.state(item, "copied", owned=decision.claim)
            summary.copied += 1
        elif action == SKIP:
            summary.skipped += 1
            runner.state(item, "skipped", None if decision.claim else decision.note,
                         owned=decision.claim, record=not runner.fresh or not _unchanged(
                             decision))
        elif action == CONFLICT:
            summary.conflicts += 1
            runner.state(item, "conflict", decision.note)
            if item.game_id is not None:
                broken.mark(item.game_id, item.dest)
        else:
            summary.failed += 1
            runner.state(item, "failed", decision.note)
            if item.game_id is not None:
                broken.mark(item.game_id, item.dest)
        runner.files_done += 1
    runner.commit_batch()
    if later:
        runner.flush()  # the new copies' renames durable before any old copy goes
    for decision in later:
        if progress:
            runner.tick(decision.item.dest)
        if not _kept_unreplaced(runner, decision):
            runner.prune(decision)
        runner.files_done += 1
    for decision in last:
        if progress:
            runner.tick(decision.item.dest)
        if not _kept_unreplaced(runner, decision):
            _prune_last(runner, decision)
        runner.files_done += 1


def _tracks_before_sheets(decisions: list[_Decision]) -> list[_Decision]:
    """``decisions`` with each disc sheet the run copies (.cue, .gdi, .ccd, .toc) moved to
    right after the last track of its game it copies (a file of it neither a sheet nor a
    playlist, the library's .m3u a file of the game too): renamed into place after its
    tracks, so that a run stopped between them (killed, the card pulled or full) never leaves
    a sheet the frontend lists without the tracks it names. The plan orders a game's own
    files so; not the discs of a library playlist copied as it is, which are its game's too,
    each sheet before its tracks (review50a P1: a kill left a listed `.cue` alone on the
    card, its set in a hidden folder too)."""
    last: dict[int, int] = {}
    for index, decision in enumerate(decisions):
        item = decision.item
        if decision.action == COPY and item.game_id is not None and item.kind == ROM \
                and not item.dest.lower().endswith(_LISTED_SUFFIXES):  # (a track)
            last[item.game_id] = index
    if not last:
        return decisions
    moved: dict[int, list[_Decision]] = defaultdict(list)
    ordered: list[_Decision] = []
    for index, decision in enumerate(decisions):
        item = decision.item
        after = last.get(item.game_id, -1) if item.game_id is not None else -1
        if after > index and decision.action == COPY and _a_disc_sheet(item):
            moved[after].append(decision)
            continue
        ordered.append(decision)
        ordered.extend(moved.pop(index, ()))
    return ordered


def _a_disc_sheet(item: _Item) -> bool:
    """True for a file of a disc game the frontend lists (its sheet), not a playlist."""
    name = item.dest.lower()
    return item.kind == ROM and name.endswith(_LISTED_SUFFIXES) and not name.endswith(".m3u")


def _kept_unreplaced(runner: _Runner, decision: _Decision) -> bool:
    """Keep ``decision``'s file, a prune put off until the files that replace it are
    written (``later``: see :func:`_moved_prunes`), when they were not, and say so: True;
    False when it is to be carried out. Its row's note (:data:`UNREPLACED`) has a resume of
    the deployment take it up again (see :func:`_load_items`)."""
    if not decision.later or _replaced(
            decision, lambda new: bool(runner.results.get(new.key or ""))):
        return False
    runner.claims.kept_unreplaced.append(decision.item.dest)
    runner.state(decision.item, "skipped", UNREPLACED)
    return True


def _write_shortened_playlist(runner: _Runner, whole: _Item, short: _Item,
                              decision: _Decision) -> None:
    """Write ``short`` (``whole`` naming only the discs on the card: see
    :func:`_playlist_of_the_discs_written`) and record ``whole`` failed, its file on the card
    ours: the run that copies the discs (`deploy resume`, or a new deploy where a disc's
    source changed since the plan) writes it whole (review 34 R2: the resume copied the disc
    and left the playlist short, "0 failed")."""
    summary = runner.summary
    # (its first disc's game is the playlist's: a failed first disc would make the batch skip
    # the shortened playlist as "broken" and count it failed twice, review 35 R1)
    short = dataclasses.replace(short, game_id=None)
    runner.files_done += 1
    if not runner.copy_or_fail(short, decision.existing, record_as=whole):
        return
    runner.commit_batch()
    if runner.results.get(short.key or collision_key(short.dest, runner.fs)) is None:
        return  # (its rename failed: counted and recorded so by the batch)
    summary.copied -= 1  # (counted by its rename: it is the set's playlist, not whole)
    summary.bytes_copied -= short.size
    summary.failed += 1
    # (the way on is the failed discs' own — a resume, or a new deploy for a source changed
    # since the plan: review47b F8, a resume was promised what only a new deploy does)
    runner.state(whole, "failed", f"{whole.dest}: names only the discs of its set on the "
                 "card (the others failed as they were copied); the run that copies them "
                 "writes it whole: `romrunner deploy resume`, or a new `romrunner deploy` "
                 "where their lines say so")


def _playlist_of_the_discs_written(playlist: _Item, decisions: list[_Decision],
                                   later: list[_Decision], broken: dict[int, str],
                                   notes: list[str]) -> _Item:
    """``playlist`` naming the discs the card has after the run (see :func:`_apply`): a
    disc whose game failed is named by its earlier copy that the run keeps (the same bytes
    at another path), else left out; content b"" when none is left."""
    games_at = {d.item.dest: d.item.game_id for d in decisions if d.item.game_id is not None}
    kept_at = {new.dest: d.item.dest for d in later for new in d.replaced_by or ()
               if not d.needs_all or PurePosixPath(new.dest).suffix.lower()
               == PurePosixPath(d.item.dest).suffix.lower()}
    folder = PurePosixPath(playlist.dest).parent
    lines = [line for line in (playlist.content or b"").decode("utf-8", "replace").splitlines()
             if line]
    written: list[str] = []
    for line, dest in zip(lines, _listed(playlist), strict=True):
        game = games_at.get(dest)
        if game not in broken:
            written.append(line)
        elif dest in kept_at:
            written.append(m3u_line(os.path.relpath(kept_at[dest], folder)))
    if written == lines:
        return playlist
    content = "".join(f"{line}\n" for line in written).encode()
    if written:  # (none: the playlist is said not written, QA73 F4)
        notes.append(
            f"{playlist.dest} names the discs of its set on the card "
            f"({len(written)} of {len(lines)}): "
            f"{counted(len(lines) - len(written), 'disc')} failed as "
            f"{'it was' if len(lines) - len(written) == 1 else 'they were'} copied"
            if len(written) < len(lines) else
            f"{playlist.dest} names the earlier copies the card keeps of the discs "
            "that failed as they were copied")
    return dataclasses.replace(playlist, content=content, size=len(content),
                               sha1=hashlib.sha1(content).hexdigest() if content else None)


def _with_space_needed(message: str, root: Path, decisions: list[_Decision],
                       runner: _Runner) -> str:
    if "{more}" not in message:
        return message
    left = [d for d in decisions if d.action == COPY and d.item.seq not in runner.handled]
    try:
        free, total, block = space(root)
        entries = os.statvfs(root)
    except OSError:
        return message.replace("{more}", "more space")
    if free is None:
        return message.replace("{more}", "more space")
    if entries.f_files and not entries.f_favail:  # out of inodes, not of bytes
        return message.replace(
            "{more} more needed to finish; free space",
            f"its file system can hold no more files ({size_text(free)} free, but no file entry "
            "left); remove files")
    margin = runner.options.margin_bytes if runner.options.margin_bytes is not None \
        else default_margin(total)
    more = max(_bytes_needed(left, block) + margin - free, block)
    return message.replace("{more}", size_text(more))


def _finish(db: Database, deployment_id: int, status: str, error: str | None,
            recorded: DeploymentRecord) -> None:
    totals = deployment_totals(db, deployment_id, recorded)
    record = None  # the record as it is
    if status == "completed" and recorded.items is not None and not any(
            entry.get("pending") for entry in totals.values()):
        record = _without_items(recorded)
    with db.atomic():
        db.execute("UPDATE deployment_history SET status = ?, completed_at = ?, "
                   "error_message = ?, totals_json = ?, "
                   "manifest_json = coalesce(?, manifest_json) WHERE id = ?",
                   (status, now_text() if status == "completed" else None, error,
                    json.dumps(totals, sort_keys=True), record, deployment_id))


def _without_items(recorded: DeploymentRecord) -> str:
    """The record of a deployment completed with a row for each of its items (none pending):
    what its rows do not say, so that it reads as one recorded with a row per item (``items``
    None). The items were most of it (~190 bytes a file), and SQLite writes a row whole again
    on every update: this one, and every later one, writes a small row."""
    document: dict[str, Any] = {"unchanged": recorded.unchanged}
    if recorded.protected is not None:
        document["protected"] = sorted(recorded.protected)
    if recorded.held:
        document["held"] = list(recorded.held)
    if recorded.copy_of:  # (its resume retries its failed copies: their prunes wait still)
        document["copy_of"] = _copies_json(recorded.copy_of)
    return json.dumps(document, ensure_ascii=False, separators=(",", ":"))


def deployment_totals(db: Database, deployment_id: int, recorded: DeploymentRecord | None = None
                      ) -> dict[str, dict[str, int]]:
    """Per platform, the deployment's files and bytes and its files by status, as its rows
    say now (its files found unchanged in bulk: skipped; its items without a row: pending).
    A run's end stores them in its history row; ``recorded``: see :func:`deployment_record`."""
    recorded = recorded or deployment_record(db, deployment_id)
    rows = db.query("SELECT coalesce(platform_id, '') AS platform, action, status, "
                    "count(*) AS files, sum(file_size) AS bytes FROM deployment_items "
                    "WHERE deployment_id = ? GROUP BY 1, 2, 3", (deployment_id,))
    totals: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for platform, (files, size) in recorded[0].items():
        entry = totals[platform or "(other)"]
        entry["files"] += files
        entry["bytes"] += size
        entry["skipped"] += files
    for row in rows:
        if row["action"] == PRUNE and row["status"] == "pruned" and row["platform"]:
            # (the files a prune removed, counted with the platform their copy was made
            # for, not among its files on the card: QA178 F9; those it kept or could not
            # remove, and of a platform not recorded, stay in the prune's own row)
            totals[row["platform"]]["pruned"] += int(row["files"])
            continue
        entry = totals[PRUNE_TOTALS if row["action"] == PRUNE or not row["platform"]
                       else row["platform"]]
        entry["files"] += int(row["files"])
        entry["bytes"] += int(row["bytes"] or 0)
        entry[row["status"]] += int(row["files"])
    for item in unrecorded(db, deployment_id, recorded):
        entry = totals[PRUNE_TOTALS if item.action == PRUNE else item.platform_id
                       or PRUNE_TOTALS]
        entry["files"] += 1
        entry["bytes"] += item.size
        entry["pending"] += 1
    return {platform: every_count(entry) for platform, entry in sorted(totals.items())}


def every_count(entry: dict[str, int]) -> dict[str, int]:
    """A platform's totals with each of :data:`TOTALS_COUNTS`, 0 when it counted none (an
    earlier engine's run stored only those it counted), sorted by name."""
    return dict(sorted({**dict.fromkeys(TOTALS_COUNTS, 0), **entry}.items()))
