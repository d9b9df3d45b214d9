"""Library roots: game paths are stored relative to them, so a moved share is one update."""

from __future__ import annotations

import json
import os
import stat
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from romrunner.devices.mounts import MountTable, shown_at
from romrunner.errors import InputError, NotFoundError
from romrunner.library.platforms import EMPTIED, NO_LONGER_A_GAME
from romrunner.library.summary import OVERWRITTEN, original_path, os_path
from romrunner.store.database import Database
from romrunner.words import counted, examples, shell_word


@dataclass(frozen=True)
class Root:
    """A registered library folder."""

    id: int
    path: Path
    games: int
    last_scanned_at: str | None
    # the path it was added (or moved) by, when that reached it through a symbolic link (a
    # NAS's stable path): None when it is ``path`` itself (see :func:`link_leads_elsewhere`)
    given: Path | None = None
    missing: int = 0  # of its games, those missing since a scan (counted in ``games``)
    # where the file system it lay on was mounted at its last completed scan (see
    # :func:`mount_point_of`): None until a scan records it
    mount: str | None = None
    # its folders that were mount points at its last completed scan (see
    # :func:`mounted_folders`): None until a scan records them
    mounted: tuple[str, ...] | None = None


def refuse_writing_into_library(db: Database, dest: Path) -> None:
    """Refuse a file ROM Runner would write (a fixdat, a backup) at ``dest`` inside a library
    root, or over a BIOS file `bios scan` stored: the user's files are never written
    over, and a file put among them is taken for a game by the next scan (QA28 F12: a
    fixdat written over a ROM with --force)."""
    from romrunner.bios.scan import (  # (bios imports the library's modules)
        holds_stored_bios,
        is_stored_bios,
    )

    where = Path(os.path.realpath(dest))
    tables = {str(row[0]) for row in db.query(
        "SELECT name FROM sqlite_schema WHERE type = 'table' "
        "AND name IN ('library_roots', 'bios_files')")}  # (`db backup` of any schema version)
    roots = [Path(str(row[0])) for row in db.query("SELECT path FROM library_roots")] \
        if "library_roots" in tables else []
    for root in roots:
        if where == root or where.is_relative_to(root):
            place = "the" if where == root else "inside the"
            raise InputError(f"{dest}: is {place} library root {root}; ROM Runner "
                             "writes nothing into your library (give a path outside it)")
    if "bios_files" in tables and is_stored_bios(db, str(where)):
        raise InputError(f"{dest}: is a BIOS file of yours (`bios scan` stored it); give "
                         "another file")
    folder = where if where.is_dir() else where.parent
    if "bios_files" in tables and holds_stored_bios(db, str(folder)):
        raise InputError(f"{dest}: {'is' if folder == where else 'is in'} a BIOS folder of "
                         "yours (`bios scan` read it), where the next `bios scan` would take "
                         "it for an unknown BIOS file; give a path outside it")


def normalise_root(path: Path) -> Path:
    """The absolute, symlink-resolved form under which a root is stored."""
    try:
        return Path(path).expanduser().resolve()
    except (RuntimeError, OSError) as exc:  # RuntimeError: a symlink loop (Python < 3.13)
        raise InputError(f"{path}: cannot be resolved ({exc})") from exc


@dataclass(frozen=True)
class RootAdded:
    """``library add``: the root, the games recorded before v1.1.0 it adopted, and those
    still under no root (with the folder of one)."""

    root: Root
    adopted: int
    recorded_left: int
    recorded_folder: str | None
    # a root not there now whose files the new one holds (see remounted_root): said, as
    # the user may have meant `library move` (a backup disk of a share is added all the same)
    remounted_from: str | None = None
    already: bool = False  # a root already: nothing changed (QA138 F12: said as added)
    # a root there now whose files the new one holds too (see copied_root): a copy of it, or
    # its new place reached by the link it was added by (`library move` is meant then)
    copy_of: str | None = None
    respelt: bool = False  # a root already, now known by the path given this time
    others: int = 0  # the library's other roots (a plain `scan` scans them too)


def add_root(db: Database, path: Path) -> Root:
    """Register ``path`` (see :func:`register_root`); the root."""
    return register_root(db, path).root


# What a deploy keeps on its card (see romrunner.deploy.card): a folder holding it is a card.
_CARD_RECORDS = (".romrunner/destination-id", ".romrunner/manifest.json")


def _a_card_of_ours(folder: Path) -> Path | None:
    """The card ``folder`` is, or is inside, that a deploy wrote its records to; None."""
    for place in (folder, *folder.parents):
        try:
            if any((place / record).is_file() for record in _CARD_RECORDS):
                return place
        except OSError:
            continue
    return None


def register_root(db: Database, path: Path, adopt_from: Path | None = None) -> RootAdded:
    """Register ``path``; rows an earlier release recorded with absolute paths under it are
    adopted (see :func:`_adopt_recorded`): under the folder as resolved, as spelt (a path
    through a symlink) and, when the files were recorded at another place (the share's old
    mount point), under ``adopt_from``.

    A folder inside a registered root, or around one, is refused: its files would be
    games twice.
    """
    root = normalise_root(path)
    if not root.is_dir():  # (qa173 F11: a folder that is not there was "not a folder")
        raise InputError(f"{path}: not a folder" if os.path.lexists(root)
                         else f"{path}: does not exist (a drive or share not mounted?)")
    card = _a_card_of_ours(root)
    if card is not None:  # (QA98 F5: its copies became games, and deploys to it refused)
        raise InputError(
            f"{path}: {'a card' if card == root else f'inside {card}, a card'} ROM Runner "
            f"deploys to ({card / '.romrunner'} holds its records): its files are copies of a "
            "library's; add the library's own folders (not a card? remove that .romrunner "
            "folder, left by a deploy there); nothing was added")
    given = given_spelling(path, root)
    spellings = [root, Path(os.path.abspath(Path(path).expanduser()))]
    if adopt_from is not None:
        old = Path(os.path.abspath(Path(adopt_from).expanduser()))
        spellings += [old, Path(os.path.realpath(old))]
    with db.atomic():
        _refuse_nesting(db, root, moving=None)
        remounted = remounted_root(db, root)
        already = db.scalar("SELECT EXISTS (SELECT 1 FROM library_roots WHERE path = ?)",
                            (str(root),))
        copy_of = None if already or remounted is not None else copied_root(db, root, path)
        db.execute("INSERT INTO library_roots (path) VALUES (?) ON CONFLICT(path) DO NOTHING",
                   (str(root),))
        root_id = int(db.scalar("SELECT id FROM library_roots WHERE path = ?", (str(root),)))
        # (a root added again by its real path is no longer followed by a link: see
        # link_leads_elsewhere; added again by a link, it is known by that link)
        respelt = db.execute("UPDATE library_roots SET given_path = ? WHERE id = ? "
                             "AND given_path IS NOT ?", (given, root_id, given)).rowcount > 0
        others = int(db.scalar("SELECT count(*) FROM library_roots WHERE path <> '' "
                               "AND id <> ?", (root_id,)))
        adopted = sum(_adopt_recorded(db, root_id, root, spelling)
                      for spelling in dict.fromkeys(spellings))
        if adopt_from is not None and not adopted:
            raise InputError(f"{adopt_from}: no game recorded before v1.1.0 under it is at "
                             f"its place under {root} (OLD is the folder {root} was); "
                             f"nothing was changed{_recorded_hint(db)}")
    return RootAdded(get_root(db, root), adopted, *recorded_elsewhere(db),
                     remounted_from=None if remounted is None else str(remounted),
                     already=bool(already) and not adopted, others=others,
                     copy_of=None if copy_of is None else str(copy_of),
                     respelt=bool(already) and respelt)


def given_spelling(path: Path, root: Path) -> str | None:
    """``path`` as the user gave it (absolute, symbolic links not followed), for the root
    ``root`` it resolves to; None when it is ``root`` itself."""
    given = Path(os.path.abspath(Path(path).expanduser()))
    return None if given == root else str(given)


def link_leads_elsewhere(root: Root) -> Path | None:
    """The folder the path ``root`` was added by leads to now, when that is another folder
    than the root (a NAS's stable path re-pointed to a new disk: the root stayed at the old
    target, scanned silently, qa182); None when it was added by its real path, or that path
    is gone, leads nowhere or to the root (by any spelling)."""
    if root.given is None:
        return None
    try:
        now = Path(os.path.realpath(root.given))
        if now == root.path or not now.is_dir():
            return None
        if os.path.isdir(root.path) and os.path.samefile(now, root.path):
            return None
    except OSError:
        return None
    return now


def relinked_hint(db: Database, root: Root, now: Path) -> str:
    """What moves ``root`` to where the path it was given by leads now (``now``): `library
    move` (after `library rm` of ``now`` when that was added as a root of its own), or
    `library add` of the old place to keep it there."""
    assert root.given is not None
    first = ""
    if db.scalar("SELECT EXISTS (SELECT 1 FROM library_roots WHERE path = ?)", (str(now),)):
        first = f"`romrunner library rm {shell_word(now)}` (a root of its own now) then "
    # (keeping it where it is only while it is there: qa185 F3)
    keep = f"; `romrunner library add {shell_word(root.path)}` keeps it where it is" \
        if root_is_there(str(root.path)) else ""
    return (f"{root.given}, the path the library root {root.path} was added by, now leads to "
            f"{now}: if the library is there now, {first}{move_hint(root.path, root.given)} "
            "moves the root, its ids, collections and overrides kept (files the same not "
            f"hashed again){keep}")


_COPY_SAMPLE = 20  # a root's present games looked for in a folder (one stat each)


def copied_root(db: Database, folder: Path, given: Path | None = None) -> Path | None:
    """The registered root, there now, whose files ``folder`` holds too (most of a sample of
    its present games, at their paths in it), or that was added by the path ``given`` (a
    link that led to it, leading to ``folder`` now); None otherwise. (qa182: a link
    re-pointed to a new disk was advised `library add`, every game then twice.)"""
    spelt = None if given is None else given_spelling(given, folder)
    for root_id, old, old_given in db.query(
            "SELECT id, path, given_path FROM library_roots WHERE path <> ''"):
        if Path(str(old)) == folder or not root_is_there(str(old)):
            continue
        if spelt is not None and old_given == spelt:
            return Path(str(old))
        sample = list(db.query(
            "SELECT filepath, file_size, file_mtime_ns FROM games WHERE root_id = ? "
            "AND is_missing = 0 ORDER BY id LIMIT ?", (root_id, _COPY_SAMPLE)))
        found = sum(_same_file_there(folder, str(path), size, mtime_ns)
                    for path, size, mtime_ns in sample)
        if sample and found * 2 >= len(sample):
            return Path(str(old))
    return None


def _same_file_there(folder: Path, relpath: str, size: object, mtime_ns: object) -> bool:
    """True when ``folder`` holds at ``relpath`` a file of the size and time a game of
    another root has there: a copy of that file (review39b F5: another library of the same
    file names was taken for a copy, and `library move` advised over curation)."""
    try:
        info = os.stat(os_path(os.path.join(folder, relpath)))
    except OSError:
        return False
    if info.st_size != size or not isinstance(mtime_ns, int):
        return False
    # (its time as a copy keeps it: to the second or two a FAT, exFAT or SMB copy keeps,
    # or shifted by whole hours of a time zone — review39c F3)
    apart = abs(info.st_mtime_ns - mtime_ns) % 3_600_000_000_000
    return min(apart, 3_600_000_000_000 - apart) <= 2_000_000_000


_RECORDED = "(SELECT id FROM library_roots WHERE path = '')"  # rows of absolute paths


def _adopt_recorded(db: Database, root_id: int, root: Path, folder: Path) -> int:
    """Adopt into the root ``root_id`` (at ``root``) the rows a release before v1.1.0
    recorded by their absolute paths under ``folder`` (QA38 F8); returns how many. None
    when none of a sample of them is at its place under the root (review 21 R3: a game's
    own folder given as the old root adopted rows at paths no file has). The same file
    stored since by a scan of this root (a second row: the scan found it new) gives way to
    the recorded row, which holds the user's curation, when it carries nothing of its own
    (its deployments are the recorded game's then); the recorded row gives way when it
    carries nothing and the scan's does (review 21 R10); both curated: refused."""
    prefix = str(folder).rstrip("/") + "/"
    found = {"root": root_id, "n": len(prefix), "prefix": prefix}
    sample = [str(row[0]) for row in db.query(
        f"SELECT substr(filepath, :n + 1) FROM games WHERE root_id = {_RECORDED} "
        "AND substr(filepath, 1, :n) = :prefix ORDER BY id LIMIT 50", found)]
    if not sample or not any(os.path.lexists(root / path) for path in sample):
        return 0
    twins = db.query(
        f"SELECT r.id AS recorded, g.id AS stored, g.filepath FROM games r JOIN games g "
        "ON g.root_id = :root AND g.filepath = substr(r.filepath, :n + 1) "
        f"WHERE r.root_id = {_RECORDED} AND substr(r.filepath, 1, :n) = :prefix", found)
    for row in twins:
        recorded, stored = int(row["recorded"]), int(row["stored"])
        if not _carries_curation(db, stored):
            db.execute("UPDATE deployment_items SET game_id = ? WHERE game_id = ?",
                       (recorded, stored))
            db.execute("DELETE FROM games WHERE id = ?", (stored,))
        elif not _carries_curation(db, recorded):
            db.execute("DELETE FROM games WHERE id = ?", (recorded,))
        else:
            raise InputError(
                f"{root / str(row['filepath'])}: is both game {recorded}, recorded before "
                f"v1.1.0, and game {stored} of this root, each with collections, overrides "
                "or a platform set by hand; nothing was adopted (put the curation on one: "
                "`romrunner collection add`, `override set`, then take it off the other)")
    return db.execute(
        "UPDATE games SET root_id = :root, filepath = substr(filepath, :n + 1) "
        f"WHERE root_id = {_RECORDED} AND substr(filepath, 1, :n) = :prefix", found).rowcount


def _carries_curation(db: Database, game_id: int) -> bool:
    """A game in a collection, with an override, or its platform or match set by hand."""
    return bool(db.scalar(
        "SELECT EXISTS (SELECT 1 FROM collection_games WHERE game_id = :g) "
        "OR EXISTS (SELECT 1 FROM game_overrides WHERE game_id = :g) "
        "OR EXISTS (SELECT 1 FROM games WHERE id = :g AND (platform_source = 'user' "
        "OR match_method = 'user'))", {"g": game_id}))


def recorded_elsewhere(db: Database) -> tuple[int, str | None]:
    """Games an earlier release recorded by absolute path that no root has adopted: how many,
    and the folder that holds them all (the old root, where they came from one root; else
    the folder of one of them)."""
    row = db.query_one(f"SELECT count(*) AS n, min(filepath) AS first, max(filepath) AS last "
                       f"FROM games WHERE root_id = {_RECORDED}")
    if row is None or not row["n"]:
        return 0, None
    first, last = str(row["first"]), str(row["last"])
    try:  # (sorted paths: what the first and the last share, all share)
        common = os.path.commonpath([first, last]) if first != last else os.path.dirname(first)
    except ValueError:
        common = ""
    return int(row["n"]), common if common not in ("", "/") else os.path.dirname(first)


def _recorded_hint(db: Database) -> str:
    count, folder = recorded_elsewhere(db)
    verb = "is" if count == 1 else "are"
    return f" ({counted(count, 'game')} recorded before v1.1.0 {verb} under no root, as in " \
           f"{folder})" if count else ""


def remounted_root(db: Database, folder: Path) -> Path | None:
    """The registered root that is not there now (see :func:`root_is_there`) whose files
    ``folder`` holds (some of them, by their paths in it): that root remounted at
    ``folder`` (QA67 F3: `library add` of a share back at another mount point hashed the
    whole library again, beside the old root its collections stay on)."""
    for root_id, old in db.query("SELECT id, path FROM library_roots WHERE path <> ''"):
        if Path(str(old)) == folder or root_is_there(str(old)):
            continue
        paths = [str(row[0]) for row in db.query(
            "SELECT filepath FROM games WHERE root_id = ? ORDER BY id LIMIT 20", (root_id,))]
        if any(os.path.lexists(os_path(os.path.join(folder, relpath))) for relpath in paths):
            return Path(str(old))
    return None


def move_hint(old: Path, new: Path) -> str:
    """The command that moves the library root ``old`` to ``new`` (see :func:`move_root`)."""
    return f"`romrunner library move {shell_word(old)} {shell_word(new)}`"


def get_root(db: Database, path: Path, *, to_scan: bool = False) -> Root:
    """The registered root at ``path``; ``to_scan``: for ``scan PATH``, whose refusal gives
    the whole command that adds it (qa177 F6: "add it with `romrunner library add`" left
    out the path, unlike every other suggested command)."""
    row = db.query_one(
        "SELECT r.id, r.path, r.last_scanned_at, r.given_path, r.mount, r.mounted_folders, "
        "(SELECT count(*) FROM games g WHERE g.root_id = r.id) AS games, "
        "(SELECT count(*) FROM games g WHERE g.root_id = r.id AND g.is_missing = 1) "
        "AS missing FROM library_roots r WHERE r.path = ?", (str(normalise_root(path)),))
    if row is None:
        old = remounted_root(db, normalise_root(path)) if Path(path).is_dir() else None
        if old is not None:
            raise NotFoundError(
                f"{path}: not a library root; it holds the files of {old}, which is not there "
                f"now: {move_hint(old, Path(path))} (nothing hashed again)")
        copied = copied_root(db, normalise_root(path), Path(path)) \
            if Path(path).is_dir() else None
        if copied is not None:  # (qa182: `library add` advised, every game then twice)
            raise NotFoundError(
                f"{path}: not a library root; it holds the files of the library root "
                f"{copied} (or is the path that root was added by, leading here now): if the "
                f"library is here now, {move_hint(copied, Path(path))} moves that root, its "
                "ids, collections and overrides kept (nothing hashed again); `romrunner "
                "library add` would make each of its games a second game")
        if to_scan:
            raise NotFoundError(f"{path}: not a library root: `romrunner library add "
                                f"{shell_word(path)}` adds it, then `romrunner scan "
                                f"{shell_word(path)}` scans it")
        raise NotFoundError(f"{path}: not a library root (add it with `romrunner library add`)")
    return _root(row)


def _root(row: Any) -> Root:
    given = row["given_path"]
    mounted = row["mounted_folders"]
    return Root(row["id"], Path(row["path"]), row["games"], row["last_scanned_at"],
                None if given is None else Path(given), int(row["missing"]), row["mount"],
                None if mounted is None else tuple(json.loads(mounted)))


def root_to_scan(db: Database, path: Path) -> Root:
    """The registered root ``path`` names, for ``scan PATH``; a path that is no root is
    refused saying what it is (qa173 F2: a folder inside a root was told to `library add`
    it, which is then refused): one that does not exist, a folder or file inside a root
    (naming the scan of that root), a file elsewhere."""
    try:
        return get_root(db, path, to_scan=True)
    except NotFoundError:
        if not os.path.lexists(path):
            raise NotFoundError(f"{path}: does not exist") from None
        where = normalise_root(path)
        for root in list_roots(db):
            if where.is_relative_to(root.path):
                raise NotFoundError(
                    f"{path}: inside the library root {root.path}: `romrunner scan "
                    f"{shell_word(root.path)}` scans it (a scan takes whole roots)") from None
        if not where.is_dir():
            raise NotFoundError(f"{path}: a file, not a library root (a scan takes the folders "
                                "`romrunner library add` registered)") from None
        inside = [root.path for root in list_roots(db) if root.path.is_relative_to(where)]
        if inside:  # (qa176 #12: advised `library add`, which refuses a root around roots)
            raise NotFoundError(
                f"{path}: holds the library root{'s' if len(inside) > 1 else ''} "
                f"{', '.join(map(str, inside[:3]))}{' …' if len(inside) > 3 else ''}: "
                "`romrunner scan " + " ".join(shell_word(root) for root in inside[:3])
                + f"` scans {'them' if len(inside) > 1 else 'it'} (or `romrunner scan`, every "
                "root)") from None
        raise


def list_roots(db: Database) -> list[Root]:
    """Every registered root with its game count."""
    # (each count from an index alone: the missing ones by idx_games_missing — summing
    # is_missing read every game row, +8% CPU per rescan of 100,000 games: bench39)
    rows = db.query(
        "SELECT r.id, r.path, r.last_scanned_at, r.given_path, r.mount, r.mounted_folders, "
        "(SELECT count(*) FROM games g WHERE g.root_id = r.id) AS games, "
        "(SELECT count(*) FROM games m WHERE m.root_id = r.id AND m.is_missing = 1) "
        "AS missing FROM library_roots r WHERE r.path <> '' ORDER BY r.path")
    return [_root(row) for row in rows]


def unscanned_library(db: Database) -> str | None:
    """Why no game can be chosen when it is that the library holds none yet: it has no
    root (``library add``), or a root never scanned (``scan``); None when it holds a game,
    or every root was scanned and found none (qa173 F1: a deploy or an auto-list before the
    first scan said "no game chosen" and "0 of 0", with hints that did not say why)."""
    if db.scalar("SELECT EXISTS (SELECT 1 FROM games WHERE is_missing = 0)"):
        return None
    roots = list_roots(db)
    if not roots:
        return ("the library has no games: it has no root yet (`romrunner library add "
                "FOLDER` adds one, then `romrunner scan` finds its games)")
    never = [str(root.path) for root in roots if root.last_scanned_at is None]
    if not never:
        return None
    one = len(never) == 1
    return (f"the library has no games: {counted(len(never), 'library root')} never scanned "
            f"({examples(never)}); `romrunner scan` finds {'its' if one else 'their'} games")


@dataclass(frozen=True)
class Curation:
    """What the user has put on some games: what removing their rows would lose."""

    collections: list[str]  # manual collections that hold some of them
    in_collections: int  # of them in those collections
    overrides: int  # of them with a game override
    platforms_set: int  # of them whose platform was set by hand

    def losses(self) -> str:
        """In words ('' when nothing of the user's)."""
        parts = []
        if self.in_collections:
            shown = examples([repr(name) for name in self.collections], 5)
            parts.append(f"{self.in_collections:,} in collections ({shown})")
        if self.overrides:
            parts.append(f"{self.overrides:,} with overrides")
        if self.platforms_set:
            parts.append(f"{self.platforms_set:,} with a platform set by hand")
        return "; ".join(parts)

    def as_dict(self) -> dict[str, object]:
        """The JSON form."""
        return {"collections": self.collections, "in_collections": self.in_collections,
                "overrides": self.overrides, "platforms_set": self.platforms_set}


@dataclass(frozen=True)
class RootRemoval:
    """``library rm``: the root forgotten, and the curation that went with its games."""

    path: Path
    games: int
    curation: Curation
    reachable: bool = True  # (False: its games' card copies were held, and are no longer)
    missing: int = 0  # its games missing since the scan a deploy wrote: their copies were held


@dataclass(frozen=True)
class GamesForgotten:
    """``games forget``: how many missing games were forgotten, and their curation."""

    games: int
    curation: Curation


def root_is_there(path: str) -> bool:
    """True when a library root is a folder holding something now: an unmounted share, an
    unplugged disk, or the empty folder either leaves behind (its mount point) is not
    (QA67 F7: a deploy called every file of an unmounted share "missing since the scan")."""
    try:
        with os.scandir(path) as entries:
            return next(entries, None) is not None
    except OSError:
        return False


def roots_away(db: Database) -> frozenset[int]:
    """The ids of the library roots that are not there now (see :func:`root_is_there`):
    their games cannot be read."""
    return frozenset(int(row[0]) for row in db.query("SELECT id, path FROM library_roots")
                     if not root_is_there(str(row[1])))


def remove_root(db: Database, path: Path, *, force: bool = False) -> RootRemoval:
    """Forget a root and its games' rows (files on disk are never touched).

    When some of its games are in manual collections, have overrides or a platform set by
    hand, that curation would go with them: refused unless ``force``."""
    with db.atomic():
        root = get_root(db, path)
        curation = _curation(db, _OF_ROOT, {"r": root.id})
        if curation.losses() and not force:
            raise InputError(
                f"{root.path}: of its {counted(root.games, 'game')}, {curation.losses()}; "
                "forgetting it loses that, so nothing was removed (a folder that moved keeps "
                "everything with `romrunner library move OLD NEW`; --force forgets it anyway)")
        # (QA124 F4: said of a database that never deployed anything)
        missing = int(db.scalar("SELECT count(*) FROM games g WHERE root_id = ? "
                                "AND is_missing = 1 AND EXISTS (SELECT 1 FROM deployment_items "
                                "d WHERE d.game_id = g.id)", (root.id,)) or 0)
        db.execute("DELETE FROM games WHERE root_id = ?", (root.id,))
        db.execute("DELETE FROM library_roots WHERE id = ?", (root.id,))
    return RootRemoval(root.path, root.games, curation, root_is_there(str(root.path)),
                       missing)


# Which games a removal takes: a condition on ``games g`` (one of these two, with its
# parameters), never user text.
_OF_ROOT, _OF_IDS = "g.root_id = :r", "g.id IN (SELECT value FROM json_each(:ids))"


def _curation(db: Database, which: str, params: dict[str, object]) -> Curation:
    """The curation on the games ``which`` selects."""
    assert which in (_OF_ROOT, _OF_IDS)
    collections = [str(row["name"]) for row in db.query(
        "SELECT c.name FROM collections c WHERE EXISTS (SELECT 1 FROM collection_games cg "
        f"JOIN games g ON g.id = cg.game_id WHERE cg.collection_id = c.id AND {which}) "
        "ORDER BY c.name COLLATE NOCASE", params)]
    row = db.query_one(
        "SELECT (SELECT count(DISTINCT cg.game_id) FROM collection_games cg JOIN games g "
        f"        ON g.id = cg.game_id WHERE {which}) AS in_collections, "
        "(SELECT count(DISTINCT o.game_id) FROM game_overrides o JOIN games g "
        f" ON g.id = o.game_id WHERE {which}) AS overrides, "
        f"(SELECT count(*) FROM games g WHERE {which} AND g.platform_source = 'user') "
        " AS platforms_set", params)
    assert row is not None
    return Curation(collections, int(row["in_collections"]), int(row["overrides"]),
                    int(row["platforms_set"]))


def _curated_named(db: Database, ids: list[int]) -> str:
    """Which of ``ids`` hold curation (up to three, with their files), and the command that
    forgets the others (QA141 F6: neither was said, and --force dropped the favourite)."""
    curated = [(int(row[0]), original_path(str(row[1]))) for row in db.query(
        "SELECT g.id, g.filepath FROM games g WHERE g.id IN (SELECT value FROM json_each(?)) "
        "AND (EXISTS (SELECT 1 FROM collection_games c WHERE c.game_id = g.id) "
        "OR EXISTS (SELECT 1 FROM game_overrides o WHERE o.game_id = g.id) "
        "OR g.platform_source = 'user') ORDER BY g.id", (json.dumps(ids),))]
    if not curated:
        return ""
    named = ", ".join(f"game {game_id} ({path})" for game_id, path in curated[:3]) \
        + (f" and {len(curated) - 3:,} more" if len(curated) > 3 else "")
    held = {game_id for game_id, _ in curated}
    rest = [game_id for game_id in ids if game_id not in held]
    others = (f"; `romrunner games forget {' '.join(map(str, rest))}` forgets the others"
              if rest and len(rest) <= 20 else "")
    return f": curated: {named}{others}"


def forget_missing(db: Database, game_ids: list[int] | None, *,
                   force: bool = False, not_games: bool = False) -> GamesForgotten:
    """Forget the rows of games whose files are gone (``is_missing``): those ``game_ids``, or
    every missing game when None — a deletion the user confirms, so that a deploy's
    ``--prune`` may take their copies off the card; with ``not_games``, every row kept for a
    file that is no longer taken for a game (a cover an earlier release stored: see
    :data:`~romrunner.library.platforms.NO_LONGER_A_GAME`), and no other. A game whose file
    is present, or that does not exist, is refused; curation that would go with them needs
    ``force``. One transaction; files are never touched."""
    with db.atomic():
        if not_games:
            ids = [int(row[0]) for row in db.query(
                "SELECT id FROM games WHERE is_missing = 1 AND substr(scan_error, 1, ?) = ?",
                (len(NO_LONGER_A_GAME), NO_LONGER_A_GAME))]
        elif game_ids is None:
            ids = [int(row[0]) for row in db.query("SELECT id FROM games WHERE is_missing = 1")]
        else:
            ids = sorted(set(game_ids))
            found = {int(row[0]): int(row[1]) for row in db.query(
                "SELECT id, is_missing FROM games WHERE id IN (SELECT value FROM json_each(?))",
                (json.dumps(ids),))}
            unknown = [i for i in ids if i not in found]
            if unknown:
                raise NotFoundError(f"game {unknown[0]} does not exist; nothing was forgotten")
            present = [i for i in ids if not found[i]]
            if present:
                raise InputError(f"game {present[0]}: its file is present (only games whose "
                                 "files are missing since a scan are forgotten); nothing was "
                                 "forgotten")
        params: dict[str, object] = {"ids": json.dumps(ids)}
        curation = _curation(db, _OF_IDS, params)
        if curation.losses() and not force:
            what = counted(len(ids), "row") + " of files that are no longer games" \
                if not_games else counted(len(ids), "missing game")
            raise InputError(f"of the {what}, {curation.losses()}; "
                             "forgetting them loses that, so nothing was forgotten (--force "
                             f"forgets them anyway){_curated_named(db, ids)}")
        overwritten = int(db.scalar(
            "SELECT count(*) FROM games WHERE id IN (SELECT value FROM json_each(:ids)) "
            "AND substr(filepath, 1, :n) = :mark", {**params, "n": len(OVERWRITTEN),
                                                    "mark": OVERWRITTEN}) or 0)
        emptied = sum(_still_empty(str(root), str(path)) for root, path in db.query(
            "SELECT r.path, g.filepath FROM games g JOIN library_roots r ON r.id = g.root_id "
            "WHERE g.id IN (SELECT value FROM json_each(:ids)) "
            "AND substr(g.scan_error, 1, :n) = :mark", {**params, "n": len(EMPTIED),
                                                        "mark": EMPTIED}))
        if emptied and not force:  # (qa184 F2: a deploy's --prune then removed the card's
            # copy, the last good one)
            one = emptied == 1
            raise InputError(
                f"{counted(emptied, 'missing game')} {'is' if one else 'are'} missing because "
                f"{'its file is' if one else 'their files are'} there but empty (emptied "
                "since a scan): the content may be only on a card now, where a deploy keeps "
                "it while the library remembers the game — copy it back; nothing was "
                "forgotten (--force forgets them anyway)")
        if overwritten and not force:  # (QA31 F2: its card copy then had no protection)
            one = overwritten == 1
            raise InputError(
                f"{counted(overwritten, 'missing game')} had another game's file moved onto "
                f"{'its' if one else 'theirs'}: {'its' if one else 'their'} content may be only "
                "on a card now, where a deploy keeps it while the library remembers the game; "
                "nothing was forgotten (--force forgets them anyway)")
        db.execute("DELETE FROM games WHERE id IN (SELECT value FROM json_each(:ids))", params)
    return GamesForgotten(len(ids), curation)


def _still_empty(root: str, relpath: str) -> bool:
    """True when the file of a game marked emptied is still there, empty (review39b F2: one
    deleted since was still said "there but empty")."""
    try:
        return os.stat(os_path(os.path.join(root, relpath))).st_size == 0
    except FileNotFoundError:  # (deleted — unless its root is away: review39c F5, an
        return not root_is_there(root)  # unmounted share made every emptied game "deleted")
    except OSError:
        return True


@dataclass(frozen=True)
class MovedRoot:
    """A root at its new place, and how many BIOS files recorded under it followed it."""

    root: Root
    bios_files: int


def mount_point_of(path: Path, points: MountTable | None = None) -> str | None:
    """Where the file system holding ``path`` is mounted: the mount point of the system's
    list (``points``) that its real path shows (a bind mount of a
    folder of the same disk too; not one another mount hides: see
    :func:`~romrunner.devices.mounts.shown_at`), or where the system lists none, the topmost
    folder above it on the same device (``/`` for the system disk, ``/mnt/nas`` for a share
    mounted there); None when it cannot be looked at. A path, not a device number: a network
    share's device number can change at each mount, its mount point does not."""
    here = os.path.realpath(path)
    if points is not None:
        shown = shown_at(here, points)
        if shown is not None:
            return shown
    try:
        device = os.stat(here).st_dev
    except OSError:
        return None
    while True:
        parent = os.path.dirname(here)
        if parent == here:
            return here
        try:
            if os.stat(parent).st_dev != device:
                return here
        except OSError:
            return here
        here = parent


def mounted_folders(path: Path, points: MountTable | None) -> list[str]:
    """The folders inside ``path`` that are mount points shown there, relative to it: those
    of the system's mount ``points`` at any depth, or where it lists none, its top-level
    folders on another device than it."""
    here = os.path.realpath(path)
    inside = here.rstrip("/") + "/"
    if points is not None:
        return sorted({point[len(inside):].rstrip("/") for point in points.points
                       if point.startswith(inside) and len(point) > len(inside)
                       and shown_at(point, points) == point})
    try:
        device = os.stat(here).st_dev
        with os.scandir(here) as entries:
            folders = [entry for entry in entries if entry.is_dir(follow_symlinks=False)]
        return sorted(entry.name for entry in folders if entry.stat().st_dev != device)
    except OSError:
        return []


def fell_off_its_mount(was: str, now: str) -> bool:
    """True when a folder whose file system was mounted at ``was`` lies on one mounted
    above it now (``/mnt/nas`` then, ``/`` now): that disk is not mounted there any more.
    A disk mounted at or below its old place since (``/`` then, ``/mnt/nas`` now) is not."""
    return was != now and Path(was).is_relative_to(now)


@dataclass(frozen=True)
class DiskState:
    """Where a root's files lie now, against its last completed scan (``library ls``):
    ``state`` says which of these holds, the first that does."""

    # "not_answering": its file system did not answer in time (not looked at); "unreadable":
    # its folder cannot be listed (``why``); "not_found": no folder at its path; "unmounted":
    # its disk at that scan is not mounted now; "empty": a folder holding nothing, of a root
    # that had games; "folders_unmounted": folders of it whose own disks are not mounted
    # now; "ok"
    state: str
    # the mount its disk had at that scan, when a file system mounted above it holds the
    # root's path now (see :func:`fell_off_its_mount`): None when it is where it was
    unmounted: str | None = None
    # its folders that were mount points at that scan and are folders, but none, now
    folders_unmounted: tuple[str, ...] = ()
    why: str | None = None  # why its folder cannot be listed (the system's words)

    @property
    def there(self) -> bool | None:
        """True when its files can be looked at; None when it did not answer."""
        if self.state == "not_answering":
            return None
        return self.state in ("ok", "folders_unmounted")


def disk_state(root: Root, points: MountTable | None) -> DiskState:
    """Whether ``root`` is there now and whether the disk it lay on, or a disk one of its
    folders lay on, at its last completed scan is mounted now (the system's mount
    ``points``, see :func:`romrunner.devices.mounts.mount_points`): what a scan holds back
    (review46c F8: `library ls` showed such a root as any other). Nothing is read but the
    root's first entry and a ``stat`` of it and of its recorded mounted folders."""
    try:
        with os.scandir(root.path) as entries:
            empty = next(entries, None) is None
    except (FileNotFoundError, NotADirectoryError):
        return DiskState("not_found")
    except OSError as exc:  # (a folder it may not list, a dead mount: review47c F2)
        return DiskState("unreadable", why=exc.strerror or str(exc))
    now = mount_point_of(root.path, points)
    unmounted = root.mount if (root.mount is not None and now is not None
                               and fell_off_its_mount(root.mount, now)) else None
    if unmounted is not None:
        return DiskState("unmounted", unmounted=unmounted)
    if empty and root.games:  # (an empty folder of no games yet is as it should be)
        return DiskState("empty")
    shown = set(mounted_folders(root.path, points)) if root.mounted else set()
    away = tuple(folder for folder in root.mounted or ()
                 if folder not in shown and os.path.isdir(os.path.join(root.path, folder)))
    return DiskState("folders_unmounted", folders_unmounted=away) if away else DiskState("ok")


def disk_states(roots: list[Root], points: MountTable | None,
                wait: float = 3.0) -> dict[int, DiskState]:
    """Each root's :func:`disk_state` by its id, each asked in a thread of its own: a root
    whose file system does not answer within ``wait`` seconds altogether (a network share
    that stopped responding, a dead FUSE mount) is said not answering, not waited for
    (review47a F2: `library ls` hung on one, where it had read only the database)."""
    found: dict[int, DiskState] = {}

    def ask(root: Root) -> None:
        found[root.id] = disk_state(root, points)

    threads = [threading.Thread(target=ask, args=(root,), daemon=True) for root in roots]
    for thread in threads:
        thread.start()
    deadline = time.monotonic() + wait
    for thread in threads:
        thread.join(max(0.0, deadline - time.monotonic()))
    return {root.id: found.get(root.id, DiskState("not_answering")) for root in roots}


def move_root(db: Database, old: Path, new: Path, *, force: bool = False) -> MovedRoot:
    """Point a root at its new location: one row update, nothing rehashed; the BIOS files
    `bios scan` recorded under it follow it (QA52: a mount point changed, they were missing
    until the new place was scanned). A location that holds none of the root's files (of a
    sample of its games) is refused unless ``force``."""
    from romrunner.bios.scan import move_bios_files  # (bios imports the library's modules)

    root = get_root(db, old)
    target = normalise_root(new)
    if not target.is_dir():
        raise InputError(f"{new}: not a folder" if os.path.lexists(target)
                         else f"{new}: does not exist (a drive or share not mounted?)")
    if db.scalar("SELECT 1 FROM library_roots WHERE path = ?", (str(target),)):
        raise InputError(f"{new}: already a library root")
    if not force:
        _refuse_a_place_without_its_files(db, root.id, new, target)
    with db.atomic():
        _refuse_nesting(db, target, moving=root.id)
        # (its new place's file system is recorded by its next completed scan: the one it
        # lay on before says nothing of whether the new place is mounted)
        db.execute("UPDATE library_roots SET path = ?, given_path = ?, mount = NULL, "
                   "mounted_folders = NULL WHERE id = ?",
                   (str(target), given_spelling(new, target), root.id))
        moved = move_bios_files(db, str(root.path), str(target))
    return MovedRoot(get_root(db, target), moved)


_MOVE_SAMPLE = 50  # the root's games looked for at its new place (one stat each)


def _refuse_a_place_without_its_files(db: Database, root_id: int, new: Path,
                                      target: Path) -> None:
    """QA23 P2: a mistyped NEW (an empty folder) was accepted ("2 games kept"), and the next
    scan held the whole root back. Where none of a sample of the root's present games is at
    NEW, nothing is changed."""
    sample = [str(row[0]) for row in db.query(
        "SELECT filepath FROM games WHERE root_id = ? AND is_missing = 0 ORDER BY id LIMIT ?",
        (root_id, _MOVE_SAMPLE))]
    if sample and not any(os.path.lexists(target / path) for path in sample):
        raise InputError(f"{new}: holds none of the root's files ({sample[0]} and "
                         f"{len(sample) - 1} more looked for); nothing was changed (check the "
                         "path; --force moves the root there anyway)")


def _refuse_nesting(db: Database, root: Path, moving: int | None) -> None:
    """Raise when ``root`` lies inside a registered root or holds one (the root being
    moved, ``moving``, does not count: its old place stops being a root).

    Registered roots are compared as stored (resolved when they were added), then by the
    folders themselves (device and inode, see _refuse_the_same_folders): that stats each
    registered root once, as a deploy does; a root not reachable now is compared by path
    only. (A share that hangs rather than answering would hold `library add` as it holds
    any command that reads it.)
    """
    for row in db.query("SELECT id, path FROM library_roots WHERE path <> ''"):
        other = Path(row["path"])
        if row["id"] == moving or other == root:  # the same root: adding it again is a no-op
            continue
        if root.is_relative_to(other):
            raise InputError(f"{root}: inside the library root {other}; a root inside "
                             "another would make each of its files a game twice")
        if other.is_relative_to(root):
            raise InputError(f"{root}: holds the library root {other}; a root around "
                             "another would make each of its files a game twice")
        _refuse_the_same_folders(root, other)
        _refuse_a_folder_of_the_root(db, root, int(row["id"]), other)


_FOLDERS_COMPARED = 5000  # the folders of a root's stored games stat'ed at `library add`


def _refuse_a_folder_of_the_root(db: Database, root: Path, root_id: int, other: Path) -> None:
    """Raise when ``root`` is, by device and inode, a folder of the registered root ``other``
    that holds its stored games (or a folder above one), reached by another path — a bind
    mount of a root's subfolder (qa206 F3: added, its files then games twice until the scan
    said so). Only folders the database knows are looked at (one stat each, at most
    ``_FOLDERS_COMPARED``): a folder never scanned is left to the scan, which says so."""
    mine = _folder_ids(root)[:1]
    if not mine or not _folder_ids(other)[:1]:
        return  # (the root not reachable now: one failed stat, not one per folder)
    folders: set[str] = set()
    for (folder,) in db.query(
            "SELECT DISTINCT rtrim(filepath, replace(filepath, '/', '')) FROM games "
            "WHERE root_id = ? LIMIT ?", (root_id, _FOLDERS_COMPARED)):
        parts = str(folder).strip("/").split("/")
        folders.update("/".join(parts[:depth]) for depth in range(1, len(parts) + 1)
                       if parts[0])
    links: list[str] = []
    for folder in sorted(folders)[:_FOLDERS_COMPARED]:  # (a folder before those inside it)
        if any(folder.startswith(link + "/") for link in links):
            continue
        try:  # (the folder itself, not followed: a link is no folder of the root's — the
            # scan never reads through one and tells the user to add its target: review52g F2)
            info = os.stat(other / folder, follow_symlinks=False)
        except OSError:
            continue
        if stat.S_ISLNK(info.st_mode):
            links.append(folder)
        elif (info.st_dev, info.st_ino) == mine[0] and info.st_ino != 0:
            raise InputError(f"{root}: is the folder {other / folder} of the library root "
                             f"{other} {_ANOTHER_PATH}; its files would be games twice")


_ANOTHER_PATH = "by another path (a bind mount, a share mounted twice)"


def _refuse_the_same_folders(root: Path, other: Path) -> None:
    """Raise when ``root`` is the registered root ``other``, lies inside it or holds it by
    the folders themselves (device and inode), whatever paths reach them (QA33 F27: a bind
    mount of a root was a second root: every file two games, `games dupes` calling the only
    copy "reclaimable")."""
    mine = _folder_ids(root)
    theirs = _folder_ids(Path(os.path.realpath(other)))
    if not mine or not theirs:
        return  # (a registered root not reachable now: compared by path only)
    if mine[0] == theirs[0]:
        raise InputError(f"{root}: is the library root {other} {_ANOTHER_PATH}; its files "
                         "would be games twice")
    if theirs[0] in mine:
        raise InputError(f"{root}: inside the library root {other} {_ANOTHER_PATH}; its "
                         "files would be games twice")
    if mine[0] in theirs:
        raise InputError(f"{root}: holds the library root {other} {_ANOTHER_PATH}; its "
                         "files would be games twice")


def folders_of(roots: list[Root]) -> dict[tuple[int, int], str]:
    """The roots' folders by device and inode (those reachable, with inode numbers): a
    folder met under another root by these is that root by another path (QA124 F1: a
    subfolder of a root mounted elsewhere, and added, passes `library add`'s checks)."""
    found: dict[tuple[int, int], str] = {}
    for root in roots:
        ids = _folder_ids(root.path)[:1]
        if ids:
            found[ids[0]] = str(root.path)
    return found


def root_holding(folder: str, roots: dict[tuple[int, int], str]) -> str | None:
    """The root of ``roots`` (see :func:`folders_of`) that ``folder`` is or is inside, by
    the device and inode of it and of each folder above it (a root reached through a link,
    a bind mount or another spelling is found so); None when it is in none."""
    for ids in _folder_ids(Path(folder)):
        if ids in roots:
            return roots[ids]
    return None


def _folder_ids(folder: Path) -> list[tuple[int, int]]:
    """The (device, inode) of ``folder`` and of each folder above it, nearest first (none
    when it cannot be read, or its file system gives no inode numbers: some SMB and FUSE
    mounts say 0 for every file, which would make every folder the same)."""
    ids: list[tuple[int, int]] = []
    for path in (folder, *folder.parents):
        try:
            info = os.stat(path)
        except OSError:
            break
        if info.st_ino == 0:
            break
        ids.append((info.st_dev, info.st_ino))
    return ids
