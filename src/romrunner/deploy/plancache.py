"""Deploy plans kept between runs, reused only when nothing a plan read has changed.

A re-deploy of an unchanged selection to an unchanged card plans the same files again: read
every chosen game, legalise every name, claim every destination — several walks of the card
in time at 10,000 games. The plan made is kept beside the database (``<db>.plans/``, one file
per card folder) with what it was made from, and the next plan for that card is read back
instead of made, only when all of these are the same:

* the database's generation token (``plan_generation``, schema 23: drawn again by every row
  written to a table a plan reads — games and their files, roots, BIOS, overrides, devices and
  profiles, the synced pack's records, settings, collections);
* the chosen game ids in their order, the profile, the pack (its content hash), whether BIOS
  are planned and whether the deploy prunes;
* the engine (its version and the bytes of every module of the package: a plan is made by
  the legaliser's rules, the pack's and the library's readers and what they import, and a
  hand-kept list of those missed one);
* the card folder, its OS and file system, and every answer the card's layout gave the plan
  (each platform's folder, the folders an earlier deploy left, BIOS and playlist folders,
  ``.m3u`` and set layout), asked again — of a folder its path: whether the card had it
  (``detected_folders``, recorded on the card) is asked again and set on the plan read back;
* each library root's reachability (one ``stat`` of each root folder), the OS an earlier
  deploy recorded on the card and the names at the card's root (the ``card-root`` warnings
  read them).

Beside a kept plan, the deploy keeps its bulk check of the card (``.check``: for the card
manifest's bytes, each planned file's size and time as the manifest records them, once every
file was found so): the next re-deploy of that plan to a card whose manifest has the same bytes
(its SHA1) compares one ``stat`` per file with it and parses nothing (see
``execute._kept_unchanged``). The plans of the :data:`KEPT_PLANS` card folders last planned are
kept.

A plan that read anything else — a source's state (a disc's files, a set's disc), a sheet,
the card's files (a set's old flat copies, copies of one content, games missing from the
library) — is not kept (:attr:`romrunner.deploy.plan._Builder.volatile`). Any doubt (no
file, a file of another format, torn or not parsed, a database without the token) is a plan
made again; keeping one is best effort and never fails a deploy.
"""

from __future__ import annotations

import contextlib
import hashlib
import marshal
import os
import re
import zlib
from array import array
from dataclasses import astuple
from functools import lru_cache
from pathlib import Path
from typing import Any

from romrunner.deploy.archives import ArchiveSupport
from romrunner.deploy.card import recorded_card_os, recorded_rom_folders
from romrunner.deploy.layout import CardLayoutLike, FolderChoiceLike
from romrunner.deploy.legal import FileSystem
from romrunner.library.roots import root_is_there
from romrunner.packs.loader import DefinitionPack
from romrunner.store.database import Database
from romrunner.tempfiles import create, remove_abandoned, usual_mode

FORMAT = 4  # of a kept plan's file: another one is a plan made again
_ITEM_FIELDS = ("kind", "dest", "size", "platform_id", "game_id", "source", "source_mtime_ns",
                "sha1", "content", "checked")
# The modules whose queries make a plan: every table they read redraws the generation token
# (a test reads their SQL and checks the triggers).
PLAN_READERS = ("romrunner.deploy.plan", "romrunner.deploy.plancache",
                "romrunner.deploy.legal", "romrunner.deploy.archives",
                "romrunner.deploy.layout", "romrunner.deploy.card",
                "romrunner.deploy.saves", "romrunner.devices.paths",
                "romrunner.library.summary", "romrunner.library.containers",
                "romrunner.library.platforms", "romrunner.library.games",
                "romrunner.bios.check", "romrunner.bios.known",
                "romrunner.bios.verify", "romrunner.devices.overrides",
                "romrunner.devices.formats", "romrunner.devices.profiles",
                "romrunner.devices.osprofile",
                "romrunner.words", "romrunner.textnorm")


def engine_files() -> list[tuple[str, Path]]:
    """The files whose bytes make the engine's digest, each with its name in the package:
    every module — its source, or where an install keeps none, its compiled file (not the
    caches beside sources) — in a fixed order (whatever a process imported before). An
    editor's lock link or any other file that is not a regular one is no module."""
    import romrunner

    package = Path(romrunner.__file__).parent
    return sorted((path.relative_to(package).as_posix(), path)
                  for path in package.rglob("*.py*")
                  if path.suffix in (".py", ".pyc") and "__pycache__" not in path.parts
                  and path.is_file())


@lru_cache(maxsize=1)
def engine_digest() -> str | None:
    """The engine's version and the bytes of its modules (None when one cannot be read, or
    none is found: then no plan is kept). Any change of code makes every kept plan stale:
    the package's ~3 MB are read once per process (a few tens of milliseconds)."""
    import romrunner

    return digest_of(romrunner.__version__, engine_files())


def digest_of(version: str, files: list[tuple[str, Path]]) -> str | None:
    """The digest of ``version`` and ``files`` (name, path), None when there are none or one
    cannot be read."""
    if not files:
        return None
    digest = hashlib.sha1(version.encode())
    try:
        for name, path in files:
            digest.update(name.encode() + b"\0")
            digest.update(path.read_bytes())
    except OSError:
        return None
    return digest.hexdigest()


def _plain(answer: Any) -> Any:
    """A layout's answer as plain values (compared, and kept with the plan): of a folder,
    its path — all a plan takes from it but whether the card had it (``source``: the plan's
    ``detected_folders``, asked of the layout again each time a kept plan is read back)."""
    if answer is None or isinstance(answer, (bool, int, str)):
        return answer
    if isinstance(answer, list):
        return tuple((str(path), int(files)) for path, files in answer)
    if isinstance(answer, tuple):  # (renamed_folder: a folder and a count)
        return tuple(answer)
    return ("folder", str(answer.path))


class RecordingLayout:
    """A card layout that notes each answer it gives the planner (each question asked once)."""

    def __init__(self, layout: CardLayoutLike) -> None:
        self._layout = layout
        self._answers: dict[tuple[str, tuple[str, ...]], Any] = {}
        self.asked: dict[tuple[str, tuple[str, ...]], Any] = {}  # the answers, plain

    @property
    def root(self) -> Path:
        """The card's folder."""
        return self._layout.root

    @property
    def os_id(self) -> str:
        """The card's OS."""
        return self._layout.os_id

    @property
    def fs(self) -> FileSystem:
        """The card's file system."""
        return self._layout.fs

    def _ask(self, name: str, *args: str) -> Any:
        key = (name, args)
        if key not in self._answers:
            answer = self._answers[key] = getattr(self._layout, name)(*args)
            self.asked[key] = _plain(answer)
        return self._answers[key]

    def rom_folder(self, platform_id: str) -> FolderChoiceLike | None:
        """See :class:`CardLayoutLike`."""
        found: FolderChoiceLike | None = self._ask("rom_folder", platform_id)
        return found

    def left_folders(self, platform_id: str) -> list[tuple[Any, int]]:
        """See :class:`CardLayoutLike`."""
        found: list[tuple[Any, int]] = self._ask("left_folders", platform_id)
        return found

    def renamed_folder(self, platform_id: str) -> tuple[str, int] | None:
        """See :class:`CardLayoutLike`."""
        found = self._ask("renamed_folder", platform_id)
        return None if found is None else (str(found[0]), int(found[1]))

    def bios_folder(self, platform_id: str) -> FolderChoiceLike:
        """See :class:`CardLayoutLike`."""
        found: FolderChoiceLike = self._ask("bios_folder", platform_id)
        return found

    def playlist_folder(self) -> FolderChoiceLike | None:
        """See :class:`CardLayoutLike`."""
        found: FolderChoiceLike | None = self._ask("playlist_folder")
        return found

    def wants_m3u(self, platform_id: str) -> bool:
        """See :class:`CardLayoutLike`."""
        return bool(self._ask("wants_m3u", platform_id))

    def multi_disc_layout(self, platform_id: str) -> str:
        """See :class:`CardLayoutLike`."""
        return str(self._ask("multi_disc_layout", platform_id))


def _token(db: Database) -> int | None:
    """The database's generation token (None: a database without one, or not readable)."""
    try:
        value = db.scalar("SELECT token FROM plan_generation WHERE id = 1")
    except Exception:  # (an older schema opened read-only: no table) — never fails a deploy
        return None
    return int(value) if value is not None else None


class PlanKeeper:
    """The kept plan of one card folder for one database: read back, or kept."""

    def __init__(self, path: Path, key: tuple[Any, ...], token: int, card_os: str | None,
                 rom_folders: dict[str, str] | None = None) -> None:
        self.path, self.key, self.token, self.card_os = path, key, token, card_os
        self.rom_folders = rom_folders or {}  # (as the card's record names them)
        self.identity = ""  # of the plan read back or kept (see kept_as)

    @property
    def kept_as(self) -> tuple[str, str]:
        """Where the bulk check of this plan is kept, and the plan's identity (a digest of
        everything it was made from): see :func:`read_check`."""
        return str(self.path.with_suffix(".check")), self.identity

    @classmethod
    def open(cls, db: Database, layout: CardLayoutLike, ids: list[int],
             pack: DefinitionPack | None, profile_id: int | None, include_bios: bool,
             pruning: bool) -> PlanKeeper | None:
        """The keeper for this plan's inputs; None when no plan can be kept (a database in
        memory or without a generation token, an engine whose code cannot be read)."""
        if str(db.path) == ":memory:":
            return None
        engine = engine_digest()
        token = _token(db)
        if engine is None or token is None:
            return None
        root = str(layout.root)
        card_os = recorded_card_os(layout.root)
        folders = recorded_rom_folders(layout.root)
        key = (FORMAT, engine, root, layout.os_id, layout.fs.value,
               # (what the plan says of it: only another OS than this one is said)
               None if card_os in (None, layout.os_id) else card_os,
               tuple(sorted(folders.items())),
               None if pack is None else (str(pack.path), pack.content_hash),
               profile_id, include_bios, pruning, len(ids),
               hashlib.sha1(array("q", ids).tobytes()).hexdigest(), _card_top(layout.root))
        name = hashlib.sha1(os.fsencode(root)).hexdigest()[:24]
        path = db.path.parent / f"{db.path.name}.plans" / f"{name}.plan"
        return cls(path, key, token, card_os, folders)

    def reuse(self, layout: CardLayoutLike) -> tuple[Any, memoryview] | None:
        """The kept plan when nothing it read has changed (see the module's docstring), as
        the payload and files :func:`romrunner.deploy.plan.plan_from_kept` reads; else
        None."""
        found = _read(self.path)
        if found is None:
            return None
        head, columns = found
        try:
            key, token, asked, roots, identity, payload = head
        except (TypeError, ValueError):  # another format: made again
            return None
        if key != self.key or token != self.token:
            return None
        for root, reachable in roots:
            if root_is_there(root) != reachable:  # (the planner's question)
                return None
        for (name, args), answer in asked:
            if _plain(getattr(layout, name)(*args)) != answer:
                return None
        self.identity = str(identity)
        return payload, columns

    def keep(self, payload: Any, columns: bytes, asked: dict[tuple[str, tuple[str, ...]], Any],
             roots: dict[str, bool]) -> None:
        """Keep ``payload`` and the plan's files (``columns``: see
        :func:`romrunner.deploy.plan.kept_form`) with what it was made from; best effort: a
        folder that cannot be written keeps nothing."""
        made_from = (self.key, self.token, tuple(asked.items()), tuple(sorted(roots.items())))
        self.identity = hashlib.sha1(marshal.dumps(made_from)).hexdigest()
        _write(self.path, marshal.dumps((*made_from, self.identity, payload)), columns)
        _limit(self.path.parent)

    def forget(self) -> None:
        """Remove the kept plan (a plan made that cannot be kept: the old one is stale)."""
        for path in (self.path, self.path.with_suffix(".check")):
            with contextlib.suppress(OSError):
                path.unlink()


def _card_top(root: Path) -> tuple[str, ...]:
    """The names at the card's root (its ``.romrunner`` aside): what a plan's ``card-root``
    warnings read (another OS's markers, platform folders at the root), so a card whose top
    changed is planned again (a warning made, or no longer true, is said)."""
    try:
        with os.scandir(root) as entries:
            return tuple(sorted(entry.name for entry in entries if entry.name != ".romrunner"))
    except OSError:
        return ()


KEPT_PLANS = 16  # card folders whose plans are kept; the least recently made go first


def _limit(folder: Path) -> None:
    """Keep the plans of at most :data:`KEPT_PLANS` card folders (the latest made)."""
    with contextlib.suppress(OSError):
        plans = [entry for entry in os.scandir(folder) if entry.name.endswith(".plan")]
        if len(plans) <= KEPT_PLANS:
            return
        plans.sort(key=lambda entry: entry.stat().st_mtime_ns)
        for entry in plans[:len(plans) - KEPT_PLANS]:
            for path in (Path(entry.path), Path(entry.path).with_suffix(".check")):
                with contextlib.suppress(OSError):
                    path.unlink()


# The temporary file :func:`_write` writes a plan or its check through (``.<file>.`` and
# mkstemp's 8 letters; ``.<file>.<pid>`` before review45c F2, still removed when left).
_TEMPORARY = re.compile(r"\.[0-9a-f]{24}\.(?:plan|check)\.(?:[0-9]+|[a-z0-9_]{8})")


def _write(path: Path, head: bytes, tail: bytes = b"") -> None:
    """``head`` and ``tail`` in ``path`` (see _read), replaced at once; best effort (a cache).
    Written in parts, never joined: a plan of 100,000 files is ~15 MB. The temporary files
    of deploys killed while they wrote one (no running deploy holds them) are removed first
    (qa198 F3: each kill left one for good)."""
    crc = zlib.crc32(tail, zlib.crc32(head))
    with contextlib.suppress(OSError):
        path.parent.mkdir(exist_ok=True)
        remove_abandoned(path.parent, _TEMPORARY)
        handle, temp = create(path.parent, f".{path.name}.", "")  # (held until it is in place)
        try:
            with os.fdopen(handle, "wb") as out:
                os.fchmod(out.fileno(), usual_mode())  # (as before: not mkstemp's 0600)
                out.write(crc.to_bytes(4, "little") + len(head).to_bytes(8, "little"))
                out.write(head)
                out.write(tail)
                out.flush()
                os.replace(temp, path)
        finally:
            with contextlib.suppress(OSError):
                temp.unlink()


def _read(path: Path) -> tuple[Any, memoryview] | None:
    """What :func:`_write` wrote: ``head`` read back, and ``tail`` as it is (None: no file,
    torn, not parsed)."""
    try:
        data = path.read_bytes()
    except OSError:
        return None
    if len(data) < 12:
        return None
    view = memoryview(data)
    size = int.from_bytes(view[4:12], "little")
    if zlib.crc32(view[12:]) != int.from_bytes(view[:4], "little") or size > len(data) - 12:
        return None
    try:
        return marshal.loads(view[12:12 + size]), view[12 + size:]
    except Exception:  # (another format)
        return None


# The bulk check of a kept plan (see execute._kept_unchanged): for the card manifest's bytes
# it was made with, each folder's files of the plan with the size and modification time the
# manifest records for them (each record holding the planned file: its size and SHA1).
def keep_check(kept_as: tuple[str, str], manifest: str, folders: list[str],
               groups: list[tuple[str, list[str], list[int], list[int]]],
               unchanged: dict[str, list[int]]) -> None:
    """Keep the bulk check of the plan ``kept_as`` names, for the manifest of SHA1
    ``manifest``: ``groups`` (folder, names, sizes, times), ``folders`` the manifest lists and
    the counts it settles (``unchanged``: platform -> [files, bytes])."""
    path, identity = kept_as
    _write(Path(path), marshal.dumps((FORMAT, identity, manifest, folders, groups, unchanged)))


def read_check(kept_as: tuple[str, str], manifest: str
               ) -> tuple[list[str], list[tuple[str, list[str], list[int], list[int]]],
                          dict[str, list[int]]] | None:
    """The bulk check :func:`keep_check` kept for this plan and this card manifest (its
    SHA1), as (folders, groups, unchanged); None when there is none for both."""
    path, identity = kept_as
    found = _read(Path(path))
    if found is None:
        return None
    try:
        version, kept_identity, kept_manifest, folders, groups, unchanged = found[0]
    except (TypeError, ValueError):
        return None
    if version != FORMAT or kept_identity != identity or kept_manifest != manifest \
            or not identity:
        return None
    return folders, groups, unchanged


def item_columns(items: list[Any]) -> tuple[list[Any], ...]:
    """The plan's items as one list per field (what marshal reads back fastest)."""
    return tuple([getattr(item, name) for item in items] for name in _ITEM_FIELDS)


def archives_form(archives: list[ArchiveSupport]) -> list[tuple[Any, ...]]:
    """The archive checks as plain tuples."""
    return [astuple(support) for support in archives]


def archives_from(rows: list[tuple[Any, ...]]) -> list[ArchiveSupport]:
    """:func:`archives_form` read back."""
    return [ArchiveSupport(*row) for row in rows]
