"""The engine side: the same functions the CLI calls, on a v1.1.0 database."""

from __future__ import annotations

import time
from collections.abc import Iterable, Iterator, Mapping, Sequence
from pathlib import Path

from benchmarks.scale.data import SyntheticGame, dat_files
from romrunner.cache.ingest import ingest_observations
from romrunner.cache.kinds import COMPAT
from romrunner.catalog.importer import import_dat
from romrunner.errors import RomRunnerError
from romrunner.library.containers import Member
from romrunner.library.examine import Examined, Job
from romrunner.library.hashing import Hashes
from romrunner.library.plan import load_stored, needs_examining
from romrunner.library.roots import Root, add_root, get_root
from romrunner.library.scan import ingest_examined
from romrunner.packs import load_pack
from romrunner.packs.loader import DefinitionPack
from romrunner.packs.sync import sync_pack
from romrunner.store.database import Database
from romrunner.store.open import OpenMode, open_database


def create(path: Path, library: Path) -> tuple[Database, DefinitionPack, Root]:
    """A new engine database with the built-in pack and one library root."""
    db = open_database(path, OpenMode.WRITE).db
    pack = load_pack(None)
    sync_pack(db, pack)
    library.mkdir(parents=True, exist_ok=True)
    return db, pack, add_root(db, library)


def reopen(path: Path, library: Path) -> tuple[Database, DefinitionPack, Root]:
    """An engine database built by an earlier run, with its pack and library root."""
    db = open_database(path, OpenMode.WRITE).db
    return db, load_pack(None), get_root(db, library)


def import_catalogs(db: Database, known: set[str]) -> tuple[int, float]:
    """Import every real DAT the engine knows a platform for: (ROM entries, seconds)."""
    started = time.perf_counter()
    roms = 0
    for path in dat_files():
        try:
            roms += import_dat(db, path, known_platforms=known).roms
        except RomRunnerError:
            continue  # a DAT of a platform the built-in pack lacks
    return roms, time.perf_counter() - started


def examined(root: Root, games: Iterable[SyntheticGame]) -> Iterator[Examined]:
    """What the hashing workers hand the writer for these files (hashes, members, names)."""
    for game in games:
        item = Examined(Job(str(root.path / game.relpath), game.relpath, game.size,
                            game.mtime_ns),
                        Hashes(game.size, game.crc32, game.md5, game.sha1))
        item.members = [Member(name, Hashes(size, crc, md5, sha1))
                        for name, size, crc, md5, sha1 in game.members]
        item.parse_name()
        yield item


def ingest(db: Database, pack: DefinitionPack, root: Root, prepared: Sequence[Examined]) -> int:
    """The scan's writer stage (with identification) over the workers' output."""
    summary = ingest_examined(db, pack, root, prepared)
    return summary.added + summary.updated


def rescan_bookkeeping(db: Database, root: Root, walk: Sequence[tuple[str, int, int]]) -> int:
    """Load the stored rows and decide, per walked file, whether it must be examined."""
    stored = load_stored(db, root.id)
    return sum(needs_examining(stored.get(relpath), size, mtime, False)
               for relpath, size, mtime in walk)


def ingest_compat(db: Database, rows_by_source: Mapping[str, Sequence[Mapping[str, object]]],
                  fetched: dict[str, str]) -> int:
    """Each source's observations through the cache module, best answers maintained."""
    count = 0
    for source, rows in rows_by_source.items():
        count += ingest_observations(db, COMPAT, source, rows,
                                     fetched_at=fetched.get(source),
                                     new_source=True).observations
    return count
