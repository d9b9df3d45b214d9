"""Shared pieces of the deploy tests: a real library (scanned for real), a small real
implementation of the card-layout protocol, and a device profile row."""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from romrunner.deploy.execute import record_deployment
from romrunner.deploy.legal import FileSystem, legal_path
from romrunner.deploy.plan import DeployPlan, build_plan
from romrunner.library.roots import add_root
from romrunner.library.scan import scan_library
from romrunner.packs.loader import DefinitionPack, load_pack
from romrunner.packs.sync import sync_pack
from romrunner.store import Database, OpenMode, open_database

_PACK: list[DefinitionPack] = []


def builtin_pack() -> DefinitionPack:
    """The built-in pack, loaded once per test process."""
    if not _PACK:
        _PACK.append(load_pack(None))
    return _PACK[0]


@dataclass(frozen=True)
class Folder:
    """A FolderChoice."""

    path: PurePosixPath
    source: str = "test"
    reason: str = "test layout"


@dataclass
class Layout:
    """A small real CardLayout: ``Roms/<platform>``, ``BIOS``, .m3u for listed platforms."""

    root: Path
    fs: FileSystem = FileSystem.FAT32
    os_id: str = "muos"
    no_folder: set[str] = field(default_factory=set)
    m3u: set[str] = field(default_factory=lambda: {"psx"})
    disc_layout: str = "flat"  # where a set's discs go beside its .m3u (multi_disc_layout)

    def rom_folder(self, platform_id: str) -> Folder | None:
        if platform_id in self.no_folder:
            return None
        return Folder(legal_path(["Roms", platform_id], self.fs))

    def left_folders(self, platform_id: str) -> list[tuple[PurePosixPath, int]]:
        return []

    def renamed_folder(self, platform_id: str) -> tuple[str, int] | None:
        return None

    def bios_folder(self, platform_id: str) -> Folder:
        return Folder(PurePosixPath("BIOS"))

    def playlist_folder(self) -> Folder | None:
        return None

    def wants_m3u(self, platform_id: str) -> bool:
        return platform_id in self.m3u

    def multi_disc_layout(self, platform_id: str) -> str:
        return self.disc_layout if platform_id in self.m3u else "flat"


def payload(name: str, size: int) -> bytes:
    """Deterministic bytes for a test file."""
    block = hashlib.sha256(name.encode()).digest()
    return (block * (size // len(block) + 1))[:size]


DEFAULT_FILES = {
    "snes/Sky Pilot (USA).sfc": 70_000,
    "snes/Star Fox: Redux (USA).sfc": 50_000,
    "gba/Pocket Quest (Europe).gba": 131_072,
    "nes/Castle Run (USA).nes": 24_592,
}


@dataclass
class Library:
    """A scanned library in a real database."""

    db: Database
    root: Path
    profile_id: int

    def game_ids(self) -> list[int]:
        return [int(row[0]) for row in self.db.query("SELECT id FROM games ORDER BY id")]

    def plan(self, layout: Layout, ids: list[int] | None = None) -> DeployPlan:
        return build_plan(self.db, layout, self.game_ids() if ids is None else ids,
                          pack=builtin_pack(), profile_id=self.profile_id)


def write_files(root: Path, files: dict[str, int | bytes]) -> None:
    """Write each file (a size means deterministic payload bytes of that size)."""
    for relpath, spec in files.items():
        target = root / relpath
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(payload(relpath, spec) if isinstance(spec, int) else spec)


def make_library(tmp: Path, files: dict[str, int | bytes] | None = None,
                 db_path: Path | None = None) -> Library:
    """Write ``files`` under ``tmp/lib``, register it and scan it for real."""
    root = tmp / "lib"
    write_files(root, DEFAULT_FILES if files is None else files)
    db = open_database(db_path or tmp / "library.db", OpenMode.WRITE).db
    pack = builtin_pack()
    sync_pack(db, pack)
    add_root(db, root)
    scan_library(db, pack, workers=1)
    return Library(db, root, add_profile(db))


def add_profile(db: Database) -> int:
    """A device and one profile for it; the profile id."""
    with db.atomic():
        device = db.execute("INSERT INTO devices (device_id, connection_type) "
                            "VALUES ('test-device', 'sd_card')").lastrowid
        profile = db.execute("INSERT INTO device_profiles (device_row_id, os_id) "
                             "VALUES (?, 'muos')", (device,)).lastrowid
    return int(profile or 0)


def card_files(card: Path) -> dict[str, bytes]:
    """Every file on the card outside ``.romrunner/``, by relative path."""
    return {str(p.relative_to(card)): p.read_bytes() for p in sorted(card.rglob("*"))
            if p.is_file() and ".romrunner" not in p.relative_to(card).parts}


def temp_files(card: Path) -> list[Path]:
    """Our temporary files left anywhere on the card."""
    return [p for p in card.rglob(".rr-tmp-*")]


# Sixteen discs of 8 MB: a resume of them is far from done after its first files.
BIG_DISCS: dict[str, int | bytes] = {f"psx/Big {n} (USA).iso": 8_000_000 + n for n in range(16)}


@dataclass
class RunningResume:
    """A deployment recorded for a fresh card, being carried out by a real ``romrunner``."""

    library: Library
    card: Path
    deployment: int
    proc: subprocess.Popen[bytes]


def start_resume(tmp: Path, *options: str, output: int | None = subprocess.PIPE,
                 files: dict[str, int | bytes] | None = None) -> RunningResume:
    """Record a deployment of ``files`` (default :data:`BIG_DISCS`) to ``tmp/card`` and start
    ``romrunner [OPTIONS] deploy resume ID`` in a subprocess, its output to ``output``."""
    library = make_library(tmp, BIG_DISCS if files is None else files)
    card = tmp / "card"
    card.mkdir()
    deployment = record_deployment(library.db, library.plan(Layout(card)),
                                   profile_id=library.profile_id)
    env = {**os.environ, "ROMRUNNER_DB": str(library.db.path)}
    proc = subprocess.Popen([sys.executable, "-m", "romrunner.cli.main", *options, "deploy",
                             "resume", str(deployment)], env=env, stdout=output,
                            stderr=output)
    return RunningResume(library, card, deployment, proc)

