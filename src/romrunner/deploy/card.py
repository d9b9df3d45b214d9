"""The card side of a deploy: its ``.romrunner/`` folder, lock, manifest copy and checks.

``.romrunner/`` on the card holds:

- ``destination-id``: the card's identity when the devices package has no volume UUID;
- ``manifest.json``: the files our deployments wrote there (path, size, modification time on
  the card, SHA1), written atomically, so a card moved to another computer still deploys
  incrementally and its ``--prune`` still knows what is ours; and (``folders``) the folders
  our deployments created below the layout's own, which a prune removes once it left one
  empty;
- ``lock``: held (``flock``) by the one deploy writing to the card;
- ``writing``: the folders a run is writing temporary files into, written before its first
  temporary file and removed once the run completed; while it is there, the next run looks
  for stale temporary files of ours in those folders (a run that finds no such note and
  writes nothing does not list the card's folders).

Temporary files of ours are named ``.rr-tmp-…`` and live beside their final name until the
rename; a file named as we name them is ours by construction and is removed by ``resume``
and by the next run after one that did not complete (see ``writing``).
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import json
import os
import re
import stat
import time
import uuid
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path
from typing import Any, NamedTuple

from romrunner.deploy.legal import FileSystem, collision_key
from romrunner.errors import GONE_ERRNOS, InputError, RomRunnerError
from romrunner.store.lock import flock_is_held

CARD_DIR = ".romrunner"
TEMP_PREFIX = ".rr-tmp-"
# Exactly the names we give temporary files: ``.rr-tmp-<deployment>-<seq>`` beside a final
# name, ``.rr-tmp-<file>-<pid>`` in ``.romrunner/`` (so a user's ``.rr-tmp-notes`` is safe).
_OUR_TEMP = re.compile(r"^\.rr-tmp-\d+-\d+$")
_OUR_CARD_TEMP = re.compile(r"^\.rr-tmp-[\w.-]+-\d+$")
MANIFEST_NAME = "manifest.json"
OS_NAME = "os.json"  # the OS whose layout our deploys wrote
LOCK_NAME = "lock"
ID_NAME = "destination-id"
WRITING_NAME = "writing"  # the folders where a run may have left temporary files
MANIFEST_VERSION = 1


class DeployError(RomRunnerError):
    """A deploy cannot start or go on (destination missing, read-only, busy, full)."""


class Owned(NamedTuple):
    """A file one of our deployments wrote: ours as long as the card still shows exactly this
    size and modification time (or, when only the time differs, its bytes have this SHA1:
    see ``execute.Claims.find``). (A tuple: a card's manifest makes one per file it lists.)"""

    dest: str
    size: int
    mtime_ns: int
    sha1: str | None
    # The database whose deploys last wrote or chose the file (see
    # ``store.backup.writer_identity``; None: not recorded, a manifest before they were)
    writer: str | None = None

    def matches(self, info: os.stat_result) -> bool:
        """True when the file on the card is still the one we wrote."""
        return info.st_size == self.size and info.st_mtime_ns == self.mtime_ns


def write_hint(exc: OSError) -> str:
    """What a refused write on the card most likely means (review 78 R3), or ""."""
    return "; is the card read-only?" if exc.errno in (errno.EROFS, errno.EACCES,
                                                       errno.EPERM) else \
        "; the card is full" if exc.errno in (errno.ENOSPC, errno.EDQUOT) else ""


def describe_os_error(exc: OSError) -> str:
    """The short reason of an OS error (``No space left on device``)."""
    return exc.strerror or str(exc)




def unreadable_card(root: Path | str, exc: OSError) -> str:
    """One line for a card that cannot be read at all: ``cannot read CARD (Transport endpoint
    is not connected): reconnect the card`` (the advice only when the card looks gone)."""
    advice = ": reconnect the card" if exc.errno in GONE_ERRNOS else ""
    return f"cannot read {root} ({describe_os_error(exc)}){advice}"


def check_destination(root: Path, *, create: bool = True) -> None:
    """Refuse a destination that is missing, not a folder, or not writable (one line).

    ``create`` makes the card's ``.romrunner/`` folder; without it (a dry run) nothing is
    written and the folder, or the card when it has none yet, is checked instead."""
    try:
        info = root.stat()
    except FileNotFoundError:
        raise DeployError(f"{root}: destination does not exist (is the card mounted?)") from None
    except OSError as exc:
        raise DeployError(unreadable_card(root, exc)) from exc
    if not os.path.isdir(root) or not info:
        raise DeployError(f"{root}: destination is not a folder")
    folder = root / CARD_DIR
    if stat.S_ISLNK(_lstat_mode(folder)):  # (QA82 F3: our records written through it, outside)
        raise DeployError(f"{folder}: a link, not a folder: ROM Runner keeps its records of "
                          "the card in a folder of its own there (remove the link)")
    try:
        if create:
            folder.mkdir(exist_ok=True)
        elif not folder.is_dir():
            folder = root
        writable = os.access(folder, os.W_OK)  # a check that writes nothing (EROFS says no)
    except OSError as exc:
        if exc.errno == errno.EROFS:
            raise DeployError(f"{root}: destination is read-only (write-protect switch or a "
                              "read-only mount)") from exc
        if exc.errno in (errno.EACCES, errno.EPERM):
            raise DeployError(f"{root}: destination is not writable (permission denied)") \
                from exc
        raise DeployError(f"{root}: destination cannot be written "
                          f"({describe_os_error(exc)})") from exc
    if not writable:
        read_only = os.statvfs(root).f_flag & os.ST_RDONLY
        raise DeployError(f"{root}: destination is read-only (write-protect switch or a "
                          "read-only mount)" if read_only else
                          f"{root}: destination is not writable (permission denied)"
                          if folder == root else
                          f"{folder}: not writable (permission denied): ROM Runner keeps its "
                          "records of the card there")  # (QA111 F8: the card was named)


_LONGEST_ID = 200


def read_id_file(id_file: Path) -> str:
    """The id a card's id file holds ('' for none). A file that is no id ROM Runner wrote
    (bytes that are no UTF-8 text, NULs: a card pulled while it was written) is refused:
    taken as an id, every card so damaged would share one (QA69 F8: an internal error)."""
    try:
        text = id_file.read_text(encoding="utf-8").strip()
    except FileNotFoundError:
        return ""
    except NotADirectoryError:  # (qa205 N1: the id file was named, not the file in its way)
        raise InputError(f"{id_file.parent}: a file, not a folder: ROM Runner keeps its "
                         "records of the card in a folder of that name; move the file "
                         "away to deploy to this card") from None
    except OSError as exc:
        raise InputError(f"{id_file}: cannot be read ({exc.strerror})") from exc
    except UnicodeDecodeError:
        text = "\0"
    if not text.isprintable() or len(text) > _LONGEST_ID:
        raise InputError(f"{id_file}: damaged (not a card id ROM Runner wrote); remove it to "
                         "give the card a new id (the card's manifest beside it still names the "
                         "files ROM Runner put there: a --prune removes those no longer chosen)")
    return text


def enclosing_card(folder: Path) -> Path | None:
    """The nearest folder above ``folder`` (resolved) that is a card ROM Runner wrote to (its
    ``.romrunner/`` holds a manifest), or None. Deploying into a folder of a card makes a
    card inside a card (QA152 F6: `--to card/roms` planned a second `.romrunner/` there)."""
    for parent in folder.parents:
        with contextlib.suppress(OSError):
            if (parent / CARD_DIR / MANIFEST_NAME).is_file():
                return parent
    return None


def cards_inside(folder: Path, depth: int = 2) -> list[Path]:
    """The cards ROM Runner wrote to (see :func:`enclosing_card`) among the folders below
    ``folder``, ``depth`` levels down, sorted: a folder of cards given as one (QA158 N7: a
    parent of five cards was taken for a card, exit 0)."""
    found: list[Path] = []
    level = [folder]
    for _ in range(depth):
        below: list[Path] = []
        for parent in level:
            with contextlib.suppress(OSError):
                for entry in os.scandir(parent):
                    if entry.is_dir(follow_symlinks=False) and entry.name != CARD_DIR:
                        child = Path(entry.path)
                        if (child / CARD_DIR / MANIFEST_NAME).is_file():
                            found.append(child)
                        else:
                            below.append(child)
        level = below
    return sorted(found)


def card_destination_id(root: Path, *, create: bool = True) -> str | None:
    """The id in ``.romrunner/destination-id``, written (atomically) on first use (a damaged
    one is refused: see :func:`read_id_file`, never replaced by a new id)."""
    path = root / CARD_DIR / ID_NAME
    try:
        text = read_id_file(path)
    except InputError:
        if create:
            raise
        return None  # (a check that only asks: no id it can trust)
    if text:
        return text
    if not create:
        return None
    return write_id_once(root, f"rr-{uuid.uuid4()}", locked=True)


def write_id_once(root: Path, new_id: str, *, locked: bool = False) -> str:
    """The id in the card's id file, ``new_id`` written there (atomically) when it has
    none. Under the card's deploy lock (``locked``: already held by this process), so that
    two first deploys to a blank card from two databases at once agree on one id (QA75 F3:
    each wrote its own, and the one that lost could no longer resume there)."""
    path = root / CARD_DIR / ID_NAME
    with contextlib.nullcontext() if locked else card_lock(root, wait=_ID_LOCK_WAIT):
        text = read_id_file(path)
        if text:
            return text
        write_atomic(path, (new_id + "\n").encode())
    return new_id


_ID_LOCK_WAIT = 10.0  # seconds: another process writing the id holds the lock for an instant


def write_atomic(path: Path, data: bytes) -> None:
    """Write ``path`` through a temporary file in its folder: fsync, rename, fsync folder."""
    path.parent.mkdir(parents=True, exist_ok=True)
    temp = path.parent / f"{TEMP_PREFIX}{path.name}-{os.getpid()}"
    fd = _create_new(temp)
    try:
        with os.fdopen(fd, "wb", closefd=True) as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            temp.unlink()
        raise
    fsync_folder(path.parent)


def _create_new(temp: Path) -> int:
    """Open ``temp`` as a new file, never through what is there: a link or a file left at
    the name (a killed run's; one put there to have us write through it: QA82 F2) is
    removed first (the link itself, never what it points to)."""
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW
    try:
        return os.open(temp, flags, 0o644)
    except FileExistsError:
        os.unlink(temp)
        return os.open(temp, flags, 0o644)


def fsync_folder(folder: Path | str) -> None:
    """Make renames in ``folder`` durable (a no-op where folders cannot be opened)."""
    try:
        fd = os.open(folder, os.O_RDONLY | os.O_DIRECTORY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError as exc:
        if exc.errno not in (errno.EINVAL, errno.EBADF):  # file systems without dir fsync
            raise
    finally:
        os.close(fd)


def _open_lock(path: Path) -> int:
    """The card's lock file, never opened through a link put at its name (review 86 R5: one
    made a file outside the card): such a link is removed, the file made anew."""
    flags = os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW
    try:
        return os.open(path, flags, 0o644)
    except OSError as exc:
        if exc.errno != errno.ELOOP:
            raise
        os.unlink(path)
        return os.open(path, flags | os.O_EXCL, 0o644)


@contextlib.contextmanager
def card_lock(root: Path, wait: float = 0.0) -> Iterator[None]:
    """Hold the card's deploy lock for the block; a second deploy refuses in one line
    (after trying for ``wait`` seconds)."""
    folder = root / CARD_DIR
    try:
        folder.mkdir(exist_ok=True)
        fd = _open_lock(folder / LOCK_NAME)
    except OSError as exc:
        raise DeployError(f"{root}: cannot create the deploy lock "
                          f"({describe_os_error(exc)}){write_hint(exc)}") from exc
    try:
        deadline = time.monotonic() + wait
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    raise card_busy(root) from None
                time.sleep(0.05)
        yield
    finally:
        # Closing releases the lock, even when it fails: on a card gone away (ENOTCONN, EIO)
        # it does, and must not hide the block's own outcome (the run's stored message).
        with contextlib.suppress(OSError):
            os.close(fd)


def card_busy(root: Path) -> DeployError:
    """The refusal of a deploy (or its dry run) while another is writing to the card."""
    return DeployError(f"{root}: another deploy is writing to this card; wait for it to "
                       "finish (lock: .romrunner/lock)")


def lock_held(root: Path) -> bool:
    """True when a live process holds the card's deploy lock (a deploy is running on it).
    Writes nothing: the lock file is opened read-only, and a card without one (or not
    mounted) has no deploy running."""
    return flock_is_held(root / CARD_DIR / LOCK_NAME)


def read_manifest(root: Path) -> tuple[dict[str, Owned], str | None]:
    """The card's copy of our manifest, by destination path; a problem with it is a note
    (an unreadable manifest only means fewer files are known to be ours)."""
    files, _, note = read_manifest_files(root)
    return owned_from_files(files), note


def read_manifest_files(root: Path) -> tuple[dict[str, Any], set[str], str | None]:
    """The card manifest's ``files`` object as parsed (destination path -> ``[size,
    mtime_ns, sha1]``, entries not yet checked: see :func:`owned_from_files`), the folders
    our deployments created (``folders``), and a note when it cannot be used."""
    return parse_manifest_files(root, *read_manifest_bytes(root))


# What a deploy goes by when the card's manifest cannot be used (QA69 F1: "files on the card
# are treated as not ours" while the run pruned them by the database's records).
_WITHOUT_THE_MANIFEST = ("the database's records of what ROM Runner wrote to this card are "
                         "used instead: a file at a path, size and time they record is taken "
                         "as ours (a --prune may remove it), any other as yours")


def read_manifest_bytes(root: Path) -> tuple[bytes | None, str | None]:
    """The card manifest's bytes (None: there is none, or it cannot be read: then a note)."""
    path = root / CARD_DIR / MANIFEST_NAME
    try:
        return path.read_bytes(), None
    except FileNotFoundError:
        return None, None
    except OSError as exc:
        return None, f"{path}: unreadable ({exc}); {_WITHOUT_THE_MANIFEST}"


def parse_manifest_files(root: Path, data: bytes | None, note: str | None
                         ) -> tuple[dict[str, Any], set[str], str | None]:
    """:func:`read_manifest_files` of the bytes :func:`read_manifest_bytes` read."""
    files, folders, _, said = parse_manifest(root, data, note)
    return files, folders, said


def parse_manifest(root: Path, data: bytes | None, note: str | None
                   ) -> tuple[dict[str, Any], set[str], dict[str, Owned], str | None]:
    """:func:`parse_manifest_files`, and the files our runs let go (pruned) at paths the
    manifest no longer lists, as they were when pruned (``let_go``: path -> ``[size,
    mtime_ns, sha1]``): a database's older record of such a file is none, whichever database
    it is (one restored from a backup older than the prune, another computer's) — the file
    there now is someone else's (review 77 R2)."""
    if data is None:
        return {}, set(), {}, note
    path = root / CARD_DIR / MANIFEST_NAME
    try:
        parsed = card_json(data)
    except ValueError as exc:
        return {}, set(), {}, f"{path}: unreadable ({exc}); {_WITHOUT_THE_MANIFEST}"
    files = parsed.get("files") if isinstance(parsed, dict) else None
    if not isinstance(files, dict):
        return {}, set(), {}, f"{path}: not a ROM Runner manifest; {_WITHOUT_THE_MANIFEST}"
    folders, let_go = parsed.get("folders"), parsed.get("let_go")
    named = [dest for dest in files if not on_the_card(dest)]
    if named:
        files = {dest: entry for dest, entry in files.items() if on_the_card(dest)}
    pruned = {dest: entry for dest, entry in let_go.items() if on_the_card(dest)} \
        if isinstance(let_go, dict) else {}
    return (files, {folder for folder in folders if on_the_card(folder)}
            if isinstance(folders, list) else set(), owned_from_files(pruned),
            _not_on_the_card(path, named) if named else None)


def card_json(data: bytes) -> Any:
    """One of the card's JSON files parsed; ValueError for any it cannot be, one nested past
    the parser's depth too (QA82 F5: an internal error that blocked every deploy)."""
    try:
        return json.loads(data)
    except RecursionError:
        raise ValueError("nested too deep") from None


def _not_on_the_card(path: Path, named: list[str]) -> str:
    """The note on a manifest's entries that name no file of ours on the card."""
    return (f"{path}: {len(named):,} of its entries name no file ROM Runner puts on the card "
            f"(a path outside it, or in {CARD_DIR}/), e.g. {named[0]!r}; ignored: such a file "
            "is never taken as ours")


def on_the_card(path: object) -> bool:
    """True for a path a card's record may name: relative to the card, of plain parts (no
    empty one, no ``.`` or ``..``, no NUL), not in ROM Runner's own folder there. What a
    hand-edited manifest says beyond that is never acted on (QA82 F1: ``../`` entries made
    a prune remove files outside the card, F4: its own id)."""
    if not isinstance(path, str) or not path or "\0" in path or path.startswith("/"):
        return False
    parts = path.split("/")
    return parts[0].casefold() != CARD_DIR and all(part not in ("", ".", "..")
                                                   for part in parts)


def owned_from_files(files: dict[str, Any]) -> dict[str, Owned]:
    """The well-formed entries of a parsed manifest as records (the others are ignored)."""
    owned: dict[str, Owned] = {}
    for dest, entry in files.items():  # keys of a JSON object are text
        if type(entry) is list and len(entry) in (3, 4):
            size, mtime_ns, sha1 = entry[:3]
            writer = entry[3] if len(entry) == 4 and type(entry[3]) is str else None
            if type(size) is int and type(mtime_ns) is int:
                owned[dest] = Owned(dest, size, mtime_ns, sha1 if type(sha1) is str else None,
                                    writer)
    return owned


def manifest_writers(data: bytes | None) -> dict[str, str]:
    """The card manifest's writers: identity -> the computer's name (see write_manifest)."""
    try:
        writers = card_json(data).get("writers") if data else None
    except (ValueError, AttributeError):
        return {}
    return {str(key): str(value) for key, value in writers.items()} \
        if isinstance(writers, dict) else {}


def write_manifest(root: Path, destination_id: str, owned: Iterable[Owned],
                   folders: Iterable[str] = (), writers: Mapping[str, str] | None = None,
                   let_go: Mapping[str, list[Any]] | None = None
                   ) -> tuple[bytes, dict[str, Any], set[str]] | None:
    """Replace the card's manifest copy atomically, unless it already says the same (a
    deploy that changed nothing writes nothing). ``folders``: the folders our deployments
    created (a prune may remove them once empty); ``writers``: each writer's computer name,
    kept for the writers the files name; ``let_go``: the files our runs pruned at paths no
    file of ours holds now (see :func:`parse_manifest`). Returns the manifest's bytes and its
    ``files`` as :func:`parse_manifest_files` would parse them once they are on the card
    (written now, or there already), else None (the card refused them)."""
    owned_list = sorted(owned, key=lambda o: o.dest)
    files = {o.dest: [o.size, o.mtime_ns, o.sha1] + ([o.writer] if o.writer else [])
             for o in owned_list}
    document: dict[str, Any] = {"version": MANIFEST_VERSION, "destination_id": destination_id,
                                "files": files}
    created = sorted(set(folders))
    if created:
        document["folders"] = created
    named = {o.writer for o in owned_list if o.writer}
    if named and writers:
        document["writers"] = {key: writers[key] for key in sorted(named) if key in writers}
    if let_go:
        document["let_go"] = dict(let_go)
    data = json.dumps(document, ensure_ascii=False, separators=(",", ":")).encode()
    path = root / CARD_DIR / MANIFEST_NAME
    with contextlib.suppress(OSError):
        if path.stat().st_size == len(data) and path.read_bytes() == data:
            return data, files, {folder for folder in created if on_the_card(folder)}
    try:
        write_atomic(path, data)
    except OSError:
        return None
    return data, files, {folder for folder in created if on_the_card(folder)}


def record_card_os(root: Path, os_id: str, detected: Mapping[str, str] | None = None,
                   platforms: Iterable[str] = (),
                   folders: Mapping[str, str] | None = None) -> None:
    """Note on the card which OS's layout we deploy (a destination scan reads it: a card
    laid out by us may carry none of the OS's own markers yet), and per platform the ROM
    folder taken because the card had it (``detected``) and the ROM folder its games went to
    (``folders``), kept from earlier deploys for the platforms this one did not place
    (``platforms``: those it did). The ROM folders of the other OSes the card was laid out
    for before are kept too (``other_layouts``: OS -> its platforms' folders of its own
    choice, see :func:`other_os_own_folders`)."""
    placed = set(platforms)
    document: dict[str, Any] = {"os_id": os_id}
    others = other_layouts(root, os_id)
    if others:
        document["other_layouts"] = others
    earlier = _recorded(root, os_id, "rom_folders")
    was_detected = _recorded(root, os_id, "detected_folders")
    if recorded_card_os(root) not in (None, os_id):
        # (back to an OS the card was laid out for before: its own folders are in the other
        # layouts, never "taken because the card had them": QA69 F4, muOS -> KNULLI -> muOS
        # recorded muOS's roms/md as detected, and the next KNULLI deploy forgot it)
        earlier = _other_layout(root, os_id)
    # (a folder an earlier deploy of ours made is on the card now, but was not "taken because
    # the card had it": not recorded as such, so a second deploy writes nothing: QA33 F2)
    detected = {platform: folder for platform, folder in (detected or {}).items()
                if platform in was_detected or earlier.get(platform) != folder}
    for key, new in (("detected_folders", detected), ("rom_folders", folders)):
        before = earlier if key == "rom_folders" else _recorded(root, os_id, key)
        kept = {platform: folder for platform, folder in before.items()
                if platform not in placed}
        kept.update(new or {})
        if kept:
            document[key] = dict(sorted(kept.items()))
    data = json.dumps(document, ensure_ascii=False).encode()
    path = root / CARD_DIR / OS_NAME
    with contextlib.suppress(OSError):
        if path.read_bytes() == data:
            return
    write_atomic(path, data)


def other_layouts(root: Path, os_id: str) -> dict[str, dict[str, str]]:
    """The other OSes' layouts the card's record keeps (see :func:`record_card_os`), with the
    one it names now when that is another OS than ``os_id``: OS -> platform -> the ROM folder
    our deploys for it chose by its own names, as the record spells it."""
    data = _card_os_record(root)
    found = data.get("other_layouts")
    layouts: dict[str, dict[str, str]] = {}
    if isinstance(found, dict):
        for other, folders in found.items():
            if isinstance(other, str) and other != os_id and isinstance(folders, dict):
                layouts[other] = {platform: folder for platform, folder in folders.items()
                                  if isinstance(platform, str) and on_the_card(folder)}
    current = data.get("os_id")
    if isinstance(current, str) and current and current != os_id:
        taken = _recorded(root, current, "detected_folders")
        own = {platform: folder for platform, folder in
               _recorded(root, current, "rom_folders").items()
               if taken.get(platform, "").lower() != folder.lower()}
        layouts[current] = {**layouts.get(current, {}), **own}
    return {other: dict(sorted(folders.items()))
            for other, folders in sorted(layouts.items()) if folders}


def _other_layout(root: Path, os_id: str) -> dict[str, str]:
    """``os_id``'s ROM folders as the card's record keeps them among its other layouts."""
    found = _card_os_record(root).get("other_layouts")
    folders = found.get(os_id) if isinstance(found, dict) else None
    if not isinstance(folders, dict):
        return {}
    return {platform: folder for platform, folder in folders.items()
            if isinstance(platform, str) and on_the_card(folder)}


def _card_os_record(root: Path) -> dict[str, Any]:
    try:
        data = card_json((root / CARD_DIR / OS_NAME).read_bytes())
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def recorded_card_os(root: Path) -> str | None:
    """The OS our last deploy to this card laid it out for, if it says (never raises)."""
    os_id = _card_os_record(root).get("os_id")
    return os_id if isinstance(os_id, str) and os_id else None


def recorded_detected_folders(root: Path, os_id: str) -> dict[str, str]:
    """Platform -> the ROM folder our deploys for ``os_id`` took because the card had it
    (see :func:`record_card_os`); nothing for a card laid out for another OS."""
    return _recorded(root, os_id, "detected_folders")


def recorded_rom_folders(root: Path) -> dict[str, str]:
    """Platform -> the ROM folder our last deploy of it wrote to (see :func:`record_card_os`),
    for the OS the card was last laid out for, whichever it is: after a switch of OS, the
    folders the copies of the other OS's layout are in (QA43 F1: ArkOS's `gb/` left at the
    root, unsaid, when a ROCKNIX deploy filled `roms/gb`)."""
    recorded = recorded_card_os(root)
    return _recorded(root, recorded, "rom_folders") if recorded else {}


def other_os_own_folders(root: Path, os_id: str) -> dict[str, set[str]]:
    """Platform -> the ROM folders our deploys for other OSes than ``os_id`` chose by those
    OSes' own folder names (not taken because the card had them), lowercase: their layouts,
    not the user's (QA43 F2: after muOS -> Knulli, muOS's `roms/md` holding one ROM copied by
    hand kept every Genesis game in a folder Knulli does not read; F1: ArkOS's `gb/` left at
    a ROCKNIX card's root, emptied by a prune, was taken for a sign of a wrong --to)."""
    found: dict[str, set[str]] = {}
    for folders in other_layouts(root, os_id).values():
        for platform, folder in folders.items():
            found.setdefault(platform, set()).add(folder.lower())
    return found


def _recorded(root: Path, os_id: str, key: str) -> dict[str, str]:
    data = _card_os_record(root)
    found = data.get(key) if data.get("os_id") == os_id else None
    if not isinstance(found, dict):
        return {}
    return {platform: folder for platform, folder in found.items()
            if isinstance(platform, str) and on_the_card(folder)}


def owned_by_key(owned: Iterable[Owned], fs: FileSystem) -> dict[str, Owned]:
    """Claims keyed by collision key (the last one for a path wins)."""
    return {collision_key(o.dest, fs): o for o in owned}


def stale_temps(root: Path, folders: Iterable[str]) -> list[Path]:
    """Our temporary files (``.rr-tmp-…``) in ``folders`` (relative to the card) and in
    ``.romrunner/``. Nothing not named as we name them, nor anything but a file, is one."""
    found: list[Path] = []
    for folder in {*folders, CARD_DIR}:
        ours = _OUR_CARD_TEMP if folder == CARD_DIR else _OUR_TEMP
        if (folder != CARD_DIR and not on_the_card(folder)) or leads_off_the_card(root, folder):
            continue  # (review 86 R3: a folder linked off the card holds no file of the card's;
            # one linked to another folder of the card does: QA91 F1, a resume failed there)
        path = root / folder
        try:  # names only: a card folder may hold thousands of files, none of them ours
            names = [name for name in os.listdir(path) if name.startswith(TEMP_PREFIX)]
        except OSError:
            continue
        found += [path / name for name in names
                  if ours.match(name) and stat.S_ISREG(_lstat_mode(path / name))]
    return found


def leads_off_the_card(root: Path, folder: str) -> bool:
    """True when ``folder`` (relative to the card) is not a folder of the card: not one, or
    reached through a link to a folder elsewhere (a link to another folder of the card, as
    EmuDeck's `roms/gc -> gamecube`, is the card's)."""
    base = os.path.realpath(root)
    real = os.path.realpath(root / folder)
    return not os.path.isdir(real) or not (real == base or real.startswith(base + os.sep))


def clean_stale_temps(root: Path, folders: Iterable[str]) -> int:
    """Remove :func:`stale_temps`; return how many."""
    removed = 0
    for target in stale_temps(root, folders):
        with contextlib.suppress(FileNotFoundError):
            os.unlink(target)
            removed += 1
    return removed


def stale_temp_bytes(root: Path, folders: Iterable[str]) -> int:
    """The bytes :func:`clean_stale_temps` would free."""
    total = 0
    for target in stale_temps(root, folders):
        with contextlib.suppress(OSError):
            total += target.lstat().st_blocks * 512  # (what removing it frees)
    return total


def writing_folders(root: Path) -> set[str] | None:
    """The folders noted by a run that did not complete (None: no such note, every earlier
    run completed). An unreadable note names no folder but is still there."""
    try:
        data = card_json((root / CARD_DIR / WRITING_NAME).read_bytes())
    except FileNotFoundError:
        return None
    except (OSError, ValueError):
        return set()
    folders = data.get("folders") if isinstance(data, dict) else None
    if not isinstance(folders, list):
        return set()
    return {folder for folder in folders if on_the_card(folder)}


def note_writing(root: Path, folders: Iterable[str], made: Iterable[str] = ()) -> None:
    """Note (durably, before any temporary file is written) the folders a run writes to, and
    ``made``: those it is about to create, ours even if it is killed before its manifest
    says so (QA145 F7: a killed run's `Game.m3u/` folders were "not made by ROM Runner" to
    the prune that emptied them, and stayed, games ES-DE lists that cannot start)."""
    data = json.dumps({"folders": sorted(set(folders)), "made": sorted(set(made))},
                      ensure_ascii=False).encode()
    write_atomic(root / CARD_DIR / WRITING_NAME, data)


def made_by_an_unfinished_run(root: Path) -> set[str]:
    """The folders a run that did not complete noted it would create (see
    :func:`note_writing`) that are folders on the card now."""
    try:
        data = card_json((root / CARD_DIR / WRITING_NAME).read_bytes())
    except (OSError, ValueError):
        return set()
    made = data.get("made") if isinstance(data, dict) else None
    if not isinstance(made, list):
        return set()
    return {folder for folder in made if isinstance(folder, str) and on_the_card(folder)
            and stat.S_ISDIR(_lstat_mode(root / folder))}


def clear_writing(root: Path) -> None:
    """Remove the note: the run completed, no temporary file of ours is left. A card that
    refuses it now (read-only since) keeps it: the next run reads it as a run that stopped,
    and looks for our temporary files — not an error that hides the run's summary
    (review49d F1)."""
    with contextlib.suppress(OSError):
        os.unlink(root / CARD_DIR / WRITING_NAME)


def _lstat_mode(path: Path) -> int:
    try:
        return os.lstat(path).st_mode
    except OSError:
        return 0


def space(root: Path) -> tuple[int | None, int, int]:
    """Free bytes, total bytes, and the block size of the card's file system. Free is None
    when the file system reports no size at all (some FUSE and MTP mounts say 0 blocks): it
    is unknown, not zero, and a full card then stops the run as it fills."""
    info = os.statvfs(root)
    free = info.f_bavail * info.f_frsize if info.f_blocks else None
    return free, info.f_blocks * info.f_frsize, info.f_frsize or 4096


def default_margin(total: int) -> int:
    """Space kept free on the card: 2% of it, at most 64 MiB (the OS writes saves there)."""
    return min(64 * 1024**2, total // 50)
