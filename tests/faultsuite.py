"""The fault suite: every writing command killed at random points, then checked and re-run.

Each workload prepares a database (and a library or input file) once, runs its command to
the end to get the reference end state, then for each seed: copies the prepared database,
starts the command as a real process, SIGKILLs it after a random delay within the command's
own duration, and checks that

- ``db check`` passes on what was left (no corruption, no broken foreign keys);
- re-running the command succeeds and ends in the same state as the uninterrupted run;
- no process of the killed command is left (no orphaned worker).

``tests/test_fault_suite.py`` runs a few seeds in CI; ``python -m tests.faultsuite --trials N``
runs more and rewrites ``docs/RELIABILITY.md`` with the figures.
"""

from __future__ import annotations

import argparse
import contextlib
import hashlib
import json
import os
import random
import re
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
import zipfile
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from romrunner.store import Database
from romrunner.store.migrate import migrate

Fingerprint = list[tuple[object, ...]]
EXTRA_DAT_GAMES = 30000
MIGRATE_ROWS = 100_000
CACHE_ROWS = 100_000
CACHE_SOURCE = "community-verified"
TEN_YEARS_S = 10 * 365 * 86400


@dataclass
class Workload:
    """A writing command, how to prepare for it, and what its end state is."""

    name: str
    argv: Callable[[Path], list[str]]           # workspace -> CLI arguments
    prepare: Callable[[Path, Path], None]       # (workspace, db) -> None
    fingerprint: str                            # SQL whose rows are the end state
    # Optional: the command's own way back after a kill (e.g. ``deploy resume``) and checks
    # beyond the fingerprint: (workspace, db, duration) -> (outcome, detail), "ok" when well.
    recover: Callable[[Path, Path, float], tuple[str, str]] | None = None
    reset: Callable[[Path], None] | None = None  # before each run: e.g. an empty card
    # Optional: wait for the kill's moment another way than a delay (e.g. files on the card):
    # (workspace, seed, the running process, the delay drawn) -> seconds waited.
    wait_for_kill: Callable[[Path, int, subprocess.Popen[bytes], float], float] | None = None
    # One transaction (or one rename): what a kill leaves must be the state before or after
    # the command, never a mix ("torn" otherwise).
    atomic: bool = False
    # Draw the kill's moment from when the command holds the writer lock, not from its start:
    # for commands whose work is a fraction of Python's start-up, which takes most kills else.
    kill_after_lock: bool = False
    # The state before is one `db check` finds problems in (what `db repair` mends): a kill
    # that leaves that state is no failed check.
    damaged_before: bool = False


FAILURES = ("check-failed", "rerun-failed", "differs", "orphan", "hang", "silent-loss",
            "wrong-message", "stray-files", "torn")


@dataclass
class Trial:
    """One kill: when, and what was found after it."""

    workload: str
    seed: int
    delay: float
    outcome: str = "ok"      # ok, missed/skipped (no verdict), or one of FAILURES
    detail: str = ""


@dataclass
class SuiteResult:
    """Every trial of a run, with the reference durations."""

    trials: list[Trial] = field(default_factory=list)
    durations: dict[str, float] = field(default_factory=dict)

    def failures(self) -> list[Trial]:
        """The trials that did not end well."""
        return [trial for trial in self.trials if trial.outcome in FAILURES]


def romrunner(db: Path, *args: str, timeout: float = 300) -> subprocess.CompletedProcess[str]:
    """Run the CLI as a child process against ``db``."""
    env = {**os.environ, "ROMRUNNER_DB": str(db)}
    env.pop("ROMRUNNER_PACK", None)
    return subprocess.run([sys.executable, "-m", "romrunner.cli.main", *args], env=env,
                          capture_output=True, text=True, timeout=timeout)


def build_library(root: Path, files_per_platform: int = 800) -> None:
    """A library of small files in three platform folders, a tenth of them zipped."""
    for platform, extension in (("gba", "gba"), ("nes", "nes"), ("snes", "sfc")):
        folder = root / platform
        folder.mkdir(parents=True, exist_ok=True)
        for number in range(files_per_platform):
            data = hashlib.sha256(f"{platform}{number}".encode()).digest() * (64 + number % 50)
            name = f"Game {number} ({'USA' if number % 2 else 'Europe'}).{extension}"
            if number % 10 == 0:
                with zipfile.ZipFile(folder / f"{name}.zip", "w", zipfile.ZIP_DEFLATED) as zf:
                    zf.writestr(name, data)
            else:
                (folder / name).write_bytes(data)


def write_dat(library: Path, dat: Path) -> None:
    """A clrmamepro DAT naming every plain GBA file of the library, and many absent games."""
    lines = ['clrmamepro (\n\tname "Nintendo - Game Boy Advance"\n\tversion "fault"\n)\n']
    for path in sorted((library / "gba").glob("*.gba")):
        data = path.read_bytes()
        lines.append(_dat_game(path.stem, path.name, data))
    for number in range(EXTRA_DAT_GAMES):  # games the library lacks: a DAT's usual shape
        data = number.to_bytes(4, "little") * 64
        lines.append(_dat_game(f"Absent {number} (Japan)", f"Absent {number} (Japan).gba", data))
    dat.write_text("".join(lines), encoding="utf-8")


def _dat_game(title: str, name: str, data: bytes) -> str:
    import zlib
    crc = f"{zlib.crc32(data):08x}"
    return (f'game (\n\tname "{title}"\n\trom ( name "{name}" size {len(data)} crc {crc} '
            f"md5 {hashlib.md5(data).hexdigest()} sha1 {hashlib.sha1(data).hexdigest()} )\n)\n")


def _prepare_scan(workspace: Path, db: Path) -> None:
    build_library(workspace / "roms")
    _must(romrunner(db, "library", "add", str(workspace / "roms")))


def _prepare_dat(workspace: Path, db: Path) -> None:
    _prepare_scan(workspace, db)
    _must(romrunner(db, "scan", "--workers", "1"))
    write_dat(workspace / "roms", workspace / "gba.dat")


def _prepare_migrate(workspace: Path, db: Path) -> None:
    old = Database(db)
    migrate(old, target=2)
    with old.atomic():
        old.executemany("INSERT INTO collections (name) VALUES (?)",
                        ((f"collection {number}",) for number in range(MIGRATE_ROWS)))
    old.close()


def write_observations(path: Path, rows: int = CACHE_ROWS) -> None:
    """A JSON Lines file of compatibility observations, one per game."""
    statuses = ("perfect", "playable", "ingame", "menu_intro", "boots_only", "broken")
    with path.open("w", encoding="utf-8") as handle:
        for number in range(rows):
            handle.write(json.dumps({"platform_id": "psx", "emulator_id": "duckstation",
                                     "definition_game_id": f"SLUS-{number:05d}",
                                     "status": statuses[number % len(statuses)]}) + "\n")


def _prepare_cache_import(workspace: Path, db: Path) -> None:
    _must(romrunner(db, "db", "init"))
    write_observations(workspace / "compat.jsonl")


def _prepare_cache_prune(workspace: Path, db: Path) -> None:
    """Observations imported, two thirds of them then aged ten years (due for pruning)."""
    _prepare_cache_import(workspace, db)
    _must(romrunner(db, "cache", "import", str(workspace / "compat.jsonl"),
                    "--source", CACHE_SOURCE))
    conn = sqlite3.connect(db)
    with conn:
        conn.execute("UPDATE compat_observations SET fetched_at = fetched_at - ?, "
                     "expires_at = expires_at - ? WHERE game_key % 3 != 0",
                     (TEN_YEARS_S, TEN_YEARS_S))
    conn.close()


def _prepare_verify(workspace: Path, db: Path) -> None:
    """The DAT imported before the first scan: its plain GBA files are hashed CRC32 first and
    identified by CRC32 + size, their MD5 and SHA1 left to ``scan --verify`` (which hashes
    every file in full: 100 MB here, so that kills land while it hashes and writes)."""
    build_library(workspace / "roms")
    for number in range(48):
        data = hashlib.sha256(f"large{number}".encode()).digest() * 65536  # 2 MiB
        (workspace / "roms" / "gba" / f"Large {number} (USA).gba").write_bytes(data)
    write_dat(workspace / "roms", workspace / "gba.dat")
    _must(romrunner(db, "library", "add", str(workspace / "roms")))
    _must(romrunner(db, "dat", "import", str(workspace / "gba.dat")))
    _must(romrunner(db, "scan", "--workers", "1"))


def _prepare_dat_rm(workspace: Path, db: Path) -> None:
    _prepare_dat(workspace, db)
    _must(romrunner(db, "dat", "import", str(workspace / "gba.dat")))


DAT_NAME = "Nintendo - Game Boy Advance"


def _recover_dat_rm(workspace: Path, db: Path, duration: float) -> tuple[str, str]:
    """``dat rm`` again; a kill after its commit leaves nothing to remove, which it must say
    (the end state is then compared like any re-run's)."""
    try:
        again = romrunner(db, "dat", "rm", DAT_NAME, timeout=max(120.0, duration * 20))
    except subprocess.TimeoutExpired:
        return "hang", "the re-run did not finish"
    if again.returncode == 0:
        return "ok", "removed by the re-run"
    if f"no imported DAT is named '{DAT_NAME}'" in again.stderr:
        return "ok", "the killed run had committed"
    return "rerun-failed", again.stderr.strip()[:300]


BIOS_FILES = 1500
# names the built-in pack knows (their bytes are not the dumps': wrong_hash, wrong_size)
BIOS_KNOWN_NAMES = ("gba_bios.bin", "scph1001.bin", "scph5501.bin", "bios7.bin", "bios9.bin",
                    "firmware.bin", "syscard3.pce", "disksys.rom", "sgb_bios.bin", "dc_boot.bin")


def _prepare_bios(workspace: Path, db: Path) -> None:
    """A BIOS folder of 1,500 files of 16–272 KiB, some under names the pack knows."""
    folder = workspace / "bios"
    for number in range(BIOS_FILES):
        sub = folder / f"set{number % 7}"
        if number % 5 == 0:  # a known name, in a folder of its own
            path = sub / f"{number:04d}" / BIOS_KNOWN_NAMES[number // 5 % len(BIOS_KNOWN_NAMES)]
        else:
            path = sub / f"firmware {number:04d}.bin"
        path.parent.mkdir(parents=True, exist_ok=True)
        data = hashlib.sha256(f"bios{number}".encode()).digest() * (512 + (number % 17) * 512)
        path.write_bytes(data)
    _must(romrunner(db, "db", "init"))


def _prepare_forget(workspace: Path, db: Path) -> None:
    """A scanned library a third of whose files were then deleted on purpose (missing)."""
    _prepare_scan(workspace, db)
    _must(romrunner(db, "scan", "--workers", "1"))
    for number, path in enumerate(sorted((workspace / "roms").rglob("*"))):
        if path.is_file() and number % 3 == 0:
            path.unlink()
    _must(romrunner(db, "scan", "--workers", "1", "--accept-missing"))


def _must(result: subprocess.CompletedProcess[str]) -> None:
    if result.returncode != 0:
        raise RuntimeError(f"preparing a workload failed: {result.stderr.strip()}")


CACHE_FINGERPRINT = (
    "SELECT 'observations', count(*), total(length(status)) FROM compat_observations "
    "UNION ALL SELECT 'best answers', count(*), total(length(status)) "
    "FROM emulator_compat_cache")


def deploy_command_exists() -> bool:
    """True once ``romrunner deploy PROFILE --to PATH`` (the writing deploy) is wired in."""
    from romrunner.cli.main import all_commands
    group = all_commands().get("deploy")
    if group is None:
        return False
    commands = [group, *getattr(group, "commands", {}).values()]
    return any("--to" in param.opts for command in commands for param in command.params)


DEPLOY_FILES_PER_PLATFORM = 150  # 450 small files (a tenth zipped) and 9 of 8 MiB
DEPLOY_QUERY = "platform:gba,nes,snes"
DEPLOY_EXPECTED_FILES = 3 * DEPLOY_FILES_PER_PLATFORM + 9  # the library's files, all deployed
# The end state: the files of the first deployment that completed (the killed one, resumed;
# or the re-run when the kill came before the deployment was recorded), all copied.
DEPLOY_FINGERPRINT = (
    "SELECT dest_path, file_size, file_sha1, status FROM deployment_items "
    "WHERE deployment_id = (SELECT min(id) FROM deployment_history WHERE status = 'completed') "
    "ORDER BY dest_path")


def _deploy_argv(workspace: Path) -> list[str]:
    return ["deploy", "1", "--to", str(workspace / "card"), DEPLOY_QUERY]


def _prepare_deploy(workspace: Path, db: Path) -> None:
    root = workspace / "roms"
    build_library(root, DEPLOY_FILES_PER_PLATFORM)
    for platform in ("gba", "nes", "snes"):  # 72 MiB in all: a batch closes mid-run (64 MiB)
        for number in range(3):
            data = hashlib.sha256(f"big{platform}{number}".encode()).digest() * 262144
            (root / platform / f"Big {number} (USA).{'sfc' if platform == 'snes' else platform}"
             ).write_bytes(data)
    _must(romrunner(db, "library", "add", str(root)))
    _must(romrunner(db, "scan", "--workers", "1"))
    _must(romrunner(db, "device", "add", "rg-35xx-plus"))
    _must(romrunner(db, "profile", "create", "--device", "1", "--os", "muos"))


def _wait_for_deploy_kill(workspace: Path, seed: int, proc: subprocess.Popen[bytes],
                          delay: float) -> float:
    """One seed in four kills after the drawn delay (start-up, planning, recording); the
    others when a seeded number of files more than the card held at the start is on it, so
    kills land across the copy whatever the machine's speed. Returns the seconds waited."""
    started = time.monotonic()
    if seed % 4 == 0:
        time.sleep(delay)
        return delay
    card = workspace / "card"
    already = _files_on_card(card)  # (a resume starts from an interrupted card)
    target = random.Random(seed).randint(min(already + 1, DEPLOY_EXPECTED_FILES),
                                         DEPLOY_EXPECTED_FILES)
    while proc.poll() is None and _files_on_card(card) < target:
        time.sleep(0.002)
    return time.monotonic() - started


def _files_on_card(card: Path) -> int:
    """Files on the card outside ``.romrunner/`` (our temporary files count: being written)."""
    return len(_names_on_card(card))


def _names_on_card(card: Path) -> list[str]:
    """The names of the files on the card outside ``.romrunner/``."""
    names: list[str] = []
    for folder, dirs, files in os.walk(card):
        if folder == str(card):
            dirs[:] = [d for d in dirs if d != ".romrunner"]
        names += files
    return names


def _reset_card(workspace: Path) -> None:
    card = workspace / "card"
    shutil.rmtree(card, ignore_errors=True)
    card.mkdir()


def _recover_deploy(workspace: Path, db: Path, duration: float) -> tuple[str, str]:
    """After the kill: ``deploy resume`` (or the deploy again when the kill came before the
    deployment was recorded, or after it completed), then the card is checked."""
    timeout = max(120.0, duration * 20)
    card = workspace / "card"
    on_card = _files_on_card(card)
    writing = sum(1 for _ in card.rglob(".rr-tmp-*"))  # our temporary files: mid-copy
    killed_at = on_card - writing
    try:
        done = romrunner(db, "deploy", "resume", timeout=timeout)
        if done.returncode != 0 and ("nothing to resume" in done.stderr
                                     or "no unfinished deployment" in done.stderr):
            done = romrunner(db, *_deploy_argv(workspace), timeout=timeout)
    except subprocess.TimeoutExpired:
        return "hang", "the resume did not finish"
    if done.returncode != 0:
        return "rerun-failed", done.stderr.strip()[:300]
    problem = card_problems(card, db)
    if problem:
        return "silent-loss", problem
    again = romrunner(db, "--json", *_deploy_argv(workspace), timeout=timeout)
    if again.returncode != 0:
        return "rerun-failed", f"a second deploy failed: {again.stderr.strip()[:250]}"
    data = json.loads(again.stdout)["data"]
    if data["copied"] or data["bytes_copied"]:
        return "differs", f"a second deploy wrote {data['copied']} files " \
                          f"({data['bytes_copied']} bytes)"
    return "ok", f"killed with {killed_at} of {data['skipped']} files on the card " \
                 f"and {writing} being written"


def card_problems(card: Path, db: Path) -> str:
    """What is wrong with a deployed card, or "": a file differing from its source or not
    deployed, a planned file missing, a temporary file of ours left, the card's manifest
    disagreeing with the card."""
    conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    try:
        rows = conn.execute(
            "SELECT dest_path, source_path FROM deployment_items WHERE deployment_id = "
            "(SELECT min(id) FROM deployment_history WHERE status = 'completed') "
            "AND action = 'copy'").fetchall()
    finally:
        conn.close()
    sources = {dest: source for dest, source in rows}
    on_card: dict[str, Path] = {}
    for path in card.rglob("*"):
        relative = path.relative_to(card).as_posix()
        if path.name.startswith(".rr-tmp-"):
            return f"temporary file left: {relative}"
        if path.is_file() and not relative.startswith(".romrunner/"):
            on_card[relative] = path
    if set(on_card) != set(sources):
        extra, missing = sorted(set(on_card) - set(sources)), sorted(set(sources) - set(on_card))
        return f"card has {len(on_card)} files, the deployment {len(sources)} " \
               f"(extra {extra[:2]}, missing {missing[:2]})"
    for dest, path in on_card.items():
        if path.read_bytes() != Path(sources[dest]).read_bytes():
            return f"{dest}: differs from its source"
    return _manifest_problem(card, on_card)


def _manifest_problem(card: Path, on_card: dict[str, Path]) -> str:
    try:
        files = json.loads((card / ".romrunner" / "manifest.json").read_bytes())["files"]
    except (OSError, ValueError, KeyError) as exc:
        return f"card manifest unreadable: {exc}"
    if set(files) != set(on_card):
        return f"card manifest names {len(files)} files, the card holds {len(on_card)}"
    for dest, (size, mtime_ns, sha1, *_) in files.items():  # (and its writer)
        info = on_card[dest].stat()
        if (info.st_size, info.st_mtime_ns) != (size, mtime_ns):
            return f"card manifest: {dest} has another size or time on the card"
        if sha1 is not None and hashlib.sha1(on_card[dest].read_bytes()).hexdigest() != sha1:
            return f"card manifest: {dest} has another SHA1 on the card"
    return ""


def _deploy_workloads() -> list[Workload]:
    """``romrunner deploy`` (issue 17 item 12): a scanned library of 450 small files and 9 of
    8 MiB onto an empty folder, killed at a seeded moment of its start-up or when a seeded
    number of files is on the card; after the kill ``deploy resume`` must finish it (every file
    byte-identical to its source, no temporary file, the card's manifest matching the card)
    and a second deploy must write nothing."""
    if not deploy_command_exists():
        return []
    return [Workload("deploy", _deploy_argv, _prepare_deploy, DEPLOY_FINGERPRINT,
                     recover=_recover_deploy, reset=_reset_card,
                     wait_for_kill=_wait_for_deploy_kill)]


# -- commands of one transaction over a large library --------------------------------------

BIG_FILES_PER_PLATFORM = 5000  # 15,000 games: the transaction is long enough to be hit
MOVED_ROOT = "moved"
COLLECTION = "Favourites"
COLLECTION_QUERY = "missing:false"


def _prepare_big(workspace: Path, db: Path) -> None:
    """A scanned library of 15,000 games in one root (``roms``)."""
    build_library(workspace / "roms", BIG_FILES_PER_PLATFORM)
    _must(romrunner(db, "library", "add", str(workspace / "roms")))
    _must(romrunner(db, "scan", "--workers", "2"))


def _prepare_move(workspace: Path, db: Path) -> None:
    """The big library, whose folder was then moved on disk (as a user does before
    ``library move``)."""
    _prepare_big(workspace, db)
    (workspace / "roms").rename(workspace / MOVED_ROOT)


def _prepare_rm(workspace: Path, db: Path) -> None:
    """The big library and a second, small root that stays."""
    _prepare_big(workspace, db)
    build_library(workspace / "other", 100)
    _must(romrunner(db, "library", "add", str(workspace / "other")))
    _must(romrunner(db, "scan", "--workers", "1"))


def _prepare_collection(workspace: Path, db: Path) -> None:
    """The big library and a manual collection already holding three games (whose places
    the added ones must follow)."""
    _prepare_big(workspace, db)
    _must(romrunner(db, "collection", "create", COLLECTION))
    _must(romrunner(db, "collection", "add", COLLECTION, "7", "3", "11"))


def _rerun_or(argv: Callable[[Path], list[str]], committed: str
              ) -> Callable[[Path, Path, float], tuple[str, str]]:
    """A recover step for a command that cannot run twice: the re-run, which after a kill
    that came after its commit must refuse saying ``committed`` (the end state is then
    compared like any re-run's)."""
    def recover(workspace: Path, db: Path, duration: float) -> tuple[str, str]:
        try:
            again = romrunner(db, *argv(workspace), timeout=max(120.0, duration * 20))
        except subprocess.TimeoutExpired:
            return "hang", "the re-run did not finish"
        if again.returncode == 0:
            return "ok", "done by the re-run"
        if committed in again.stderr:
            return "ok", "the killed run had committed"
        return "rerun-failed", again.stderr.strip()[:300]
    return recover


def _move_argv(workspace: Path) -> list[str]:
    return ["library", "move", str(workspace / "roms"), str(workspace / MOVED_ROOT)]


def _rm_argv(workspace: Path) -> list[str]:
    return ["library", "rm", str(workspace / "roms")]


ROOTS_FINGERPRINT = (
    "SELECT r.path, count(g.id), total(g.file_size), total(length(g.filepath)), "
    "(SELECT count(*) FROM games_fts), (SELECT count(*) FROM bios_files) "
    "FROM library_roots r LEFT JOIN games g ON g.root_id = r.id "
    "WHERE r.path <> '' GROUP BY r.id ORDER BY r.path")


BIOS_DAT_COPIES = 100  # libretro's System.dat (516 rows) a hundred times: 51,600 rows
SYSTEM_DAT = Path(__file__).resolve().parents[1].parent / "shared" / "dats" / "system" / \
    "System.dat"


def write_system_dat(dat: Path, copies: int = BIOS_DAT_COPIES) -> None:
    """A System.dat-style DAT: libretro's own (from shared/) with each section repeated
    ``copies`` times under other file names, or a generated one where it is absent."""
    lines = ['clrmamepro (\n\tname "System"\n\tversion "fault"\n)\n']
    sections = _system_dat_sections()
    for copy in range(copies):  # (a game per copy: the reader bounds a block's size)
        lines.append(f'\ngame (\n\tname "System {copy}"\n')
        for section, roms in sections:
            lines.append(f'\n\tcomment "{section}"\n')
            lines += [f'\trom ( name "{_renamed(name, copy)}" {rest} )\n' for name, rest in roms]
        lines.append(")\n")
    dat.write_text("".join(lines), encoding="utf-8")


def _renamed(name: str, copy: int) -> str:
    """``name`` (which may hold a subfolder) with its file name marked by ``copy``."""
    folder, _, base = name.rpartition("/")
    return f"{folder}/c{copy}_{base}" if folder else f"c{copy}_{base}"


def _system_dat_sections() -> list[tuple[str, list[tuple[str, str]]]]:
    """The sections of libretro's System.dat: (comment, [(rom name, "size … sha1 …")])."""
    if not SYSTEM_DAT.is_file():
        import zlib
        return [("Sony - PlayStation", [
            (f"scph{n:04d}.bin", f"size 524288 crc {zlib.crc32(bytes([n % 256])):08x} "
             f"md5 {hashlib.md5(str(n).encode()).hexdigest()} "
             f"sha1 {hashlib.sha1(str(n).encode()).hexdigest()}") for n in range(516)])]
    sections: list[tuple[str, list[tuple[str, str]]]] = []
    for line in SYSTEM_DAT.read_text(encoding="utf-8").splitlines():
        comment = re.match(r'\s*comment "(.*)"', line)
        rom = re.match(r'\s*rom \( name ("[^"]*"|\S+) (size .*) \)', line)
        if comment and comment[1] != "System":
            sections.append((comment[1], []))
        elif rom and sections:
            sections[-1][1].append((rom[1].strip('"'), rom[2]))
    return sections


def _prepare_bios_dat(workspace: Path, db: Path) -> None:
    """The DAT imported once small: the command replaces that import with the large one."""
    write_system_dat(workspace / "small.dat", copies=1)
    write_system_dat(workspace / "System.dat")
    _must(romrunner(db, "db", "init"))
    _must(romrunner(db, "bios", "import-dat", str(workspace / "small.dat")))


BIOS_DAT_FINGERPRINT = (
    "SELECT source, version, section, platform_id, name, size, crc32, md5, sha1 "
    "FROM bios_extra_hashes ORDER BY section, name, sha1")


def _prepare_restore(workspace: Path, db: Path) -> None:
    """The big library backed up, then changed: a DAT imported (30,000 catalog games, the
    GBA files matched), a collection made and a root added."""
    _prepare_big(workspace, db)
    _must(romrunner(db, "db", "backup", str(workspace / "backup.db")))
    write_dat(workspace / "roms", workspace / "gba.dat")
    _must(romrunner(db, "dat", "import", str(workspace / "gba.dat")))
    _must(romrunner(db, "collection", "create", COLLECTION))
    _must(romrunner(db, "collection", "add", COLLECTION, "--query", "platform:gba"))
    build_library(workspace / "other", 20)
    _must(romrunner(db, "library", "add", str(workspace / "other")))
    _must(romrunner(db, "scan", "--workers", "1"))


def _restore_argv(workspace: Path) -> list[str]:
    return ["db", "restore", str(workspace / "backup.db")]


def _recover_restore(workspace: Path, db: Path, duration: float) -> tuple[str, str]:
    """The restore again (after its swap it finds the database already restored), which
    removes what a killed restore left: no temporary copy may remain beside the database."""
    try:
        again = romrunner(db, *_restore_argv(workspace), timeout=max(120.0, duration * 20))
    except subprocess.TimeoutExpired:
        return "hang", "the re-run did not finish"
    if again.returncode != 0:
        return "rerun-failed", again.stderr.strip()[:300]
    left = sorted(path.name for path in db.parent.glob(".romrunner-restore.*"))
    if left:
        return "stray-files", ", ".join(left[:3])
    return "ok", "already restored" if "already is" in again.stdout else "restored by the re-run"


RESTORE_FINGERPRINT = (
    "SELECT g.filepath, g.matched_game_id, g.match_method, "
    "(SELECT count(*) FROM catalog_games), (SELECT count(*) FROM collection_games), "
    "(SELECT group_concat(path) FROM library_roots), (SELECT count(*) FROM games_fts) "
    "FROM games g ORDER BY g.filepath")


def _prepare_vacuum(workspace: Path, db: Path) -> None:
    """The big library with a DAT imported, and 100,000 observations imported then pruned:
    a database of some 30 MB with many free pages."""
    _prepare_big(workspace, db)
    write_dat(workspace / "roms", workspace / "gba.dat")
    _must(romrunner(db, "dat", "import", str(workspace / "gba.dat")))
    write_observations(workspace / "compat.jsonl")
    _must(romrunner(db, "cache", "import", str(workspace / "compat.jsonl"),
                    "--source", CACHE_SOURCE))
    _must(romrunner(db, "cache", "clear", "--source", CACHE_SOURCE))


VACUUM_FINGERPRINT = (
    "SELECT (SELECT freelist_count FROM pragma_freelist_count()), "
    "(SELECT count(*) FROM games), (SELECT total(file_size) FROM games), "
    "(SELECT count(*) FROM catalog_games), (SELECT count(*) FROM catalog_roms), "
    "(SELECT count(*) FROM compat_observations), (SELECT count(*) FROM games_fts), "
    "(SELECT group_concat(matched_game_id) FROM games)")


def _prepare_repair(workspace: Path, db: Path) -> None:
    """The big library with its search index emptied and its platform counters off, as by
    hand in the sqlite3 shell: what `db repair` mends."""
    _prepare_big(workspace, db)
    with sqlite3.connect(db) as conn:
        conn.execute("INSERT INTO games_fts (games_fts) VALUES ('delete-all')")
        conn.execute("UPDATE platform_counts SET games = games + 7")
    conn.close()


REPAIR_FINGERPRINT = (
    "SELECT (SELECT count(*) FROM games_fts_docsize), (SELECT count(*) FROM games), "
    "(SELECT group_concat(platform_id || ':' || games || ':' || missing) FROM platform_counts)")


def _transaction_workloads() -> list[Workload]:
    """Commands of one transaction (or, for ``db restore``, one rename) over a large library:
    killed from when they hold the writer lock, each kill must leave the state before or
    after."""
    return [
        Workload("library move", _move_argv, _prepare_move, ROOTS_FINGERPRINT,
                 recover=_rerun_or(_move_argv, "not a library root"), atomic=True,
                 kill_after_lock=True),
        Workload("library rm", _rm_argv, _prepare_rm, ROOTS_FINGERPRINT,
                 recover=_rerun_or(_rm_argv, "not a library root"), atomic=True,
                 kill_after_lock=True),
        Workload("collection add",
                 lambda ws: ["collection", "add", COLLECTION, "--query", COLLECTION_QUERY],
                 _prepare_collection,
                 "SELECT c.name, cg.game_id, cg.sort_order FROM collection_games cg "
                 "JOIN collections c ON c.id = cg.collection_id ORDER BY c.name, cg.sort_order",
                 atomic=True, kill_after_lock=True),
        Workload("bios import-dat", lambda ws: ["bios", "import-dat", str(ws / "System.dat")],
                 _prepare_bios_dat, BIOS_DAT_FINGERPRINT, atomic=True, kill_after_lock=True),
        Workload("db restore", _restore_argv, _prepare_restore, RESTORE_FINGERPRINT,
                 recover=_recover_restore, atomic=True, kill_after_lock=True),
        Workload("db vacuum", lambda ws: ["db", "vacuum"], _prepare_vacuum, VACUUM_FINGERPRINT,
                 atomic=True, kill_after_lock=True),
        Workload("db repair", lambda ws: ["db", "repair"], _prepare_repair, REPAIR_FINGERPRINT,
                 atomic=True, kill_after_lock=True, damaged_before=True),
    ]


# -- deploy resume ---------------------------------------------------------------------------

def _prepare_deploy_resume(workspace: Path, db: Path) -> None:
    """The deploy's library, and a deploy of it SIGKILLed once a batch of its files is
    committed (under their names on the card) and the next is being written (temporary
    files); that card is kept (``card-interrupted``) for each run to start from."""
    _prepare_deploy(workspace, db)
    _reset_card(workspace)
    env = {**os.environ, "ROMRUNNER_DB": str(db)}
    env.pop("ROMRUNNER_PACK", None)
    proc = subprocess.Popen([sys.executable, "-m", "romrunner.cli.main",
                             *_deploy_argv(workspace)], env=env, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL, start_new_session=True)
    card = workspace / "card"
    while proc.poll() is None:
        names = _names_on_card(card)  # (one look, so that both counts are of one moment)
        if any(n.startswith(".rr-tmp-") for n in names) and \
                any(not n.startswith(".rr-tmp-") for n in names):
            break
        time.sleep(0.002)
    if proc.poll() is not None:
        raise RuntimeError("preparing deploy resume: the deploy ended before it was killed")
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait(timeout=30)
    shutil.copytree(card, workspace / "card-interrupted", symlinks=True)


def _reset_interrupted_card(workspace: Path) -> None:
    """The card as the killed deploy left it (files, times, temporary file and manifest)."""
    card = workspace / "card"
    shutil.rmtree(card, ignore_errors=True)
    shutil.copytree(workspace / "card-interrupted", card, symlinks=True)


def _deploy_resume_workloads() -> list[Workload]:
    """``deploy resume`` of a deployment killed half-way, itself killed when a seeded number
    of the remaining files is on the card; then resumed again (or the deploy run again when
    the kill came after it completed) and checked as the deploy workload's card is."""
    if not deploy_command_exists():
        return []
    return [Workload("deploy resume", lambda ws: ["deploy", "resume"], _prepare_deploy_resume,
                     DEPLOY_FINGERPRINT, recover=_recover_deploy,
                     reset=_reset_interrupted_card, wait_for_kill=_wait_for_deploy_kill)]


WORKLOADS = {
    w.name: w for w in (
        # A zip's own SHA1 is left out: `scan --full` hashes it, a plain scan never does.
        Workload("scan", lambda ws: ["scan", "--workers", "2"], _prepare_scan,
                 "SELECT filepath, file_size, CASE WHEN is_archive = 0 THEN file_sha1 END, "
                 "platform_id, is_missing FROM games ORDER BY filepath"),
        Workload("dat import", lambda ws: ["dat", "import", str(ws / "gba.dat")], _prepare_dat,
                 "SELECT g.filepath, g.matched_game_id, g.match_method, "
                 "(SELECT count(*) FROM catalog_games) FROM games g ORDER BY g.filepath"),
        Workload("scan --verify", lambda ws: ["scan", "--workers", "2", "--verify"],
                 _prepare_verify,
                 "SELECT filepath, file_size, file_crc32, file_md5, file_sha1, match_method, "
                 "matched_game_id FROM games ORDER BY filepath"),
        Workload("dat rm", lambda ws: ["dat", "rm", DAT_NAME], _prepare_dat_rm,
                 "SELECT g.filepath, g.matched_game_id, g.match_method, g.platform_id, "
                 "(SELECT count(*) FROM catalog_games), (SELECT count(*) FROM catalog_roms) "
                 "FROM games g ORDER BY g.filepath", recover=_recover_dat_rm),
        Workload("bios scan", lambda ws: ["bios", "scan", str(ws / "bios")], _prepare_bios,
                 "SELECT f.filepath, f.file_size, f.file_sha1, f.is_missing, "
                 "v.bios_definition_id, v.status FROM bios_files f LEFT JOIN bios_verification "
                 "v ON v.bios_file_id = f.id ORDER BY f.filepath, v.bios_definition_id"),
        Workload("games forget", lambda ws: ["games", "forget", "--missing"], _prepare_forget,
                 "SELECT filepath, is_missing, (SELECT count(*) FROM games_fts) FROM games "
                 "ORDER BY filepath"),
        Workload("db migrate", lambda ws: ["db", "migrate"], _prepare_migrate,
                 "SELECT (SELECT max(schema_version) FROM schema_version), "
                 "(SELECT count(*) FROM collections)"),
        Workload("cache import", lambda ws: ["cache", "import", str(ws / "compat.jsonl"),
                                             "--source", CACHE_SOURCE],
                 _prepare_cache_import, CACHE_FINGERPRINT),
        Workload("cache prune", lambda ws: ["cache", "prune"], _prepare_cache_prune,
                 CACHE_FINGERPRINT),
        *_deploy_workloads(),
        *_transaction_workloads(),
        *_deploy_resume_workloads(),
    )
}


def fingerprint(db: Path, sql: str) -> Fingerprint:
    """The rows of ``sql`` in ``db`` (read with a plain connection)."""
    conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    try:
        return [tuple(row) for row in conn.execute(sql)]
    finally:
        conn.close()


def _copy_db(source: Path, dest: Path) -> None:
    for suffix in ("", "-wal", "-shm"):
        if Path(f"{source}{suffix}").exists():
            shutil.copyfile(f"{source}{suffix}", f"{dest}{suffix}")


def _wait_for_lock(db: Path, proc: subprocess.Popen[bytes], seed: int,
                   duration: float) -> float:
    """Wait until ``proc`` holds the writer lock of ``db`` (its pid in the lock file), then
    a seeded delay within what is left of the uninterrupted run; the seconds waited in all."""
    started = time.monotonic()
    lock = Path(f"{db}.lock")
    deadline = started + 60
    while proc.poll() is None and time.monotonic() < deadline:
        with contextlib.suppress(OSError, ValueError, AttributeError):
            if json.loads(lock.read_text()).get("pid") == proc.pid:
                break
        time.sleep(0.002)
    held_after = time.monotonic() - started
    time.sleep(random.Random(seed).uniform(0.0, max(0.02, duration - held_after)))
    return time.monotonic() - started


def _alive(pgid: int) -> bool:
    try:
        os.killpg(pgid, 0)
    except ProcessLookupError:
        return False
    return True


def run_workload(workload: Workload, base: Path, seeds: list[int],
                 result: SuiteResult) -> None:
    """Prepare ``workload`` under ``base`` and run one killed trial per seed."""
    workspace = base / workload.name.replace(" ", "-")
    workspace.mkdir(parents=True)
    prepared = workspace / "prepared.db"
    workload.prepare(workspace, prepared)
    Database(prepared).close()  # checkpoint what preparing left in the WAL
    reference = workspace / "reference.db"
    _copy_db(prepared, reference)
    if workload.reset is not None:
        workload.reset(workspace)
    started = time.perf_counter()
    _must(romrunner(reference, *workload.argv(workspace)))
    duration = time.perf_counter() - started
    result.durations[workload.name] = duration
    expected = fingerprint(reference, workload.fingerprint)
    for seed in seeds:
        result.trials.append(_trial(workload, workspace, prepared, expected, duration, seed))


def _trial(workload: Workload, workspace: Path, prepared: Path, expected: Fingerprint,
           duration: float, seed: int) -> Trial:
    delay = random.Random(seed).uniform(0.1, max(0.2, duration * 0.95))
    trial = Trial(workload.name, seed, round(delay, 3))
    db = workspace / f"trial-{seed}.db"
    _copy_db(prepared, db)
    if workload.reset is not None:
        workload.reset(workspace)
    env = {**os.environ, "ROMRUNNER_DB": str(db)}
    env.pop("ROMRUNNER_PACK", None)
    proc = subprocess.Popen([sys.executable, "-m", "romrunner.cli.main",
                             *workload.argv(workspace)], env=env, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL, start_new_session=True)
    if workload.wait_for_kill is not None:
        trial.delay = round(workload.wait_for_kill(workspace, seed, proc, delay), 3)
    elif workload.kill_after_lock:
        trial.delay = round(_wait_for_lock(db, proc, seed, duration), 3)
    else:
        time.sleep(delay)
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait(timeout=30)
    for _ in range(100):
        if not _alive(proc.pid):
            break
        time.sleep(0.05)
    else:
        trial.outcome, trial.detail = "orphan", "a process of the killed command is alive"
        os.killpg(proc.pid, signal.SIGKILL)
        return trial
    check = romrunner(db, "db", "check")
    if check.returncode != 0 and not (workload.damaged_before and check.returncode == 1 and (
            fingerprint(db, workload.fingerprint) == fingerprint(prepared,
                                                                 workload.fingerprint))):
        trial.outcome, trial.detail = "check-failed", (check.stdout + check.stderr).strip()[:300]
        return trial
    side = ""
    if workload.atomic:
        left = fingerprint(db, workload.fingerprint)
        side = "left the state after" if left == expected else "left the state before"
        if left != expected and left != fingerprint(prepared, workload.fingerprint):
            trial.outcome, trial.detail = "torn", "the kill left a state neither before nor " \
                                                  "after the command"
            return trial
        trial.detail = side
    if workload.recover is not None:
        trial.outcome, trial.detail = workload.recover(workspace, db, duration)
        trial.detail = f"{side}; {trial.detail}" if side else trial.detail
        if trial.outcome == "ok" and fingerprint(db, workload.fingerprint) != expected:
            trial.outcome, trial.detail = "differs", "end state differs from the " \
                                                     "uninterrupted run"
        return trial
    try:
        rerun = romrunner(db, *workload.argv(workspace), timeout=max(120.0, duration * 20))
    except subprocess.TimeoutExpired:
        trial.outcome, trial.detail = "hang", "the re-run did not finish"
        return trial
    if rerun.returncode != 0:
        trial.outcome, trial.detail = "rerun-failed", rerun.stderr.strip()[:300]
        return trial
    if fingerprint(db, workload.fingerprint) != expected:
        trial.outcome, trial.detail = "differs", "end state differs from the uninterrupted run"
    return trial


# -- trial kinds: hostile environments around the writing commands ------------------------

KIND_FILES_PER_PLATFORM = 2000   # a scan of a few seconds: wide enough windows to hit
READ_COMMANDS = (["games", "ls"], ["search", "game"], ["db", "status"], ["db", "check"],
                 ["library", "ls"], ["cache", "sources"], ["dat", "ls"], ["games", "show", "1"],
                 ["bios", "check"], ["pack", "status"], ["device", "ls"], ["profile", "ls"],
                 ["cache", "why", "psx", "duckstation", "x"], ["db", "stats"])


@dataclass
class Scene:
    """A library and its database before and after an uninterrupted scan, shared by kinds."""

    workspace: Path
    prepared: Path          # root registered, nothing scanned
    reference: Path         # the same, scanned to the end
    duration: float
    expected: Fingerprint

    @property
    def root(self) -> Path:
        """The library root."""
        return self.workspace / "roms"


SCAN_FINGERPRINT = WORKLOADS["scan"].fingerprint


def make_scene(base: Path, files_per_platform: int = KIND_FILES_PER_PLATFORM) -> Scene:
    """Build the library, register it, and scan a copy to the end for the reference."""
    workspace = base / "scene"
    workspace.mkdir(parents=True)
    prepared = workspace / "prepared.db"
    build_library(workspace / "roms", files_per_platform)
    _must(romrunner(prepared, "library", "add", str(workspace / "roms")))
    write_dat(workspace / "roms", workspace / "gba.dat")
    write_observations(workspace / "compat.jsonl", 2000)
    Database(prepared).close()
    reference = workspace / "reference.db"
    _copy_db(prepared, reference)
    started = time.perf_counter()
    _must(romrunner(reference, "scan", "--workers", "2"))
    duration = time.perf_counter() - started
    Database(reference).close()
    return Scene(workspace, prepared, reference, duration, fingerprint(reference,
                                                                       SCAN_FINGERPRINT))


def session_processes(session: int) -> list[int]:
    """Running (not zombie) processes of ``session``, from /proc."""
    return [pid for pid, _, sid, state in processes() if sid == session and state != "Z"]


def processes() -> list[tuple[int, int, int, str]]:
    """(pid, parent pid, session id, state) of every process, from /proc."""
    found = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat", encoding="ascii", errors="replace") as handle:
                stat = handle.read()
        except OSError:  # it ended while we looked
            continue
        fields = stat[stat.rindex(")") + 2:].split()
        found.append((int(entry), int(fields[1]), int(fields[3]), fields[0]))
    return found


def _children(pid: int) -> list[int]:
    try:
        with open(f"/proc/{pid}/task/{pid}/children", encoding="ascii") as handle:
            return [int(child) for child in handle.read().split()]
    except OSError:
        return []


def _start(db: Path, *args: str) -> subprocess.Popen[str]:
    env = {**os.environ, "ROMRUNNER_DB": str(db)}
    env.pop("ROMRUNNER_PACK", None)
    return subprocess.Popen([sys.executable, "-m", "romrunner.cli.main", *args], env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            start_new_session=True)


def _bad_output(err: str) -> str:
    """What is wrong with a failing command's stderr ('' when it is one clean line)."""
    if "Traceback" in err or "internal error" in err:
        return "internal error: " + err.strip().splitlines()[-1][:200]
    lines = [line for line in err.strip().splitlines() if not line.startswith("warning")]
    if len(lines) > 1:
        return f"{len(lines)} error lines: {lines[0][:120]}"
    return ""


def _after_interruption(trial: Trial, db: Path, scene: Scene, *args: str) -> Trial:
    """``db check`` passes and a re-run of the scan ends in the uninterrupted state."""
    check = romrunner(db, "db", "check")
    if check.returncode != 0:
        trial.outcome, trial.detail = "check-failed", (check.stdout + check.stderr)[:300]
        return trial
    try:
        rerun = romrunner(db, "scan", "--workers", "2", *args, timeout=300)
    except subprocess.TimeoutExpired:
        trial.outcome, trial.detail = "hang", "the re-run did not finish"
        return trial
    if rerun.returncode != 0:
        trial.outcome, trial.detail = "rerun-failed", rerun.stderr.strip()[:300]
    elif fingerprint(db, SCAN_FINGERPRINT) != scene.expected:
        trial.outcome, trial.detail = "silent-loss", "end state differs from the uninterrupted run"
    return trial


def kind_parent_killed(scene: Scene, seed: int) -> Trial:
    """SIGKILL of the scan process alone once its workers run: every worker must exit."""
    rng = random.Random(seed)
    db = scene.workspace / f"parent-{seed}.db"
    _copy_db(scene.prepared, db)
    scan = _start(db, "scan", "--workers", "2")
    deadline = time.monotonic() + 60
    while len(_children(scan.pid)) < 2 and scan.poll() is None and time.monotonic() < deadline:
        time.sleep(0.005)
    delay = rng.uniform(0.0, scene.duration * 0.6)
    time.sleep(delay)
    trial = Trial("parent killed", seed, round(delay, 3))
    if scan.poll() is not None:
        scan.communicate()
        trial.outcome, trial.detail = "missed", "the scan ended before the kill"
        return trial
    os.kill(scan.pid, signal.SIGKILL)
    scan.wait(timeout=60)
    deadline = time.monotonic() + 30
    while session_processes(scan.pid) and time.monotonic() < deadline:
        time.sleep(0.02)
    left = session_processes(scan.pid)
    for pid in left:
        os.kill(pid, signal.SIGKILL)
    if left:
        trial.outcome, trial.detail = "orphan", f"{len(left)} worker(s) alive 30 s after"
        return trial
    return _after_interruption(trial, db, scene)


def _frozen_scan(db: Path, rng: random.Random, scene: Scene,
                 *args: str) -> tuple[subprocess.Popen[str], float]:
    """A scan (``--json``) started on ``db`` and frozen (SIGSTOP of its process group) at a
    seeded random point after it took the writer lock; returns it and the delay."""
    scan = _start(db, "--json", "scan", "--workers", "2", *args)
    lock = Path(f"{db}.lock")
    deadline = time.monotonic() + 60
    while scan.poll() is None and time.monotonic() < deadline:
        with contextlib.suppress(OSError):
            if f"{scan.pid}" in lock.read_text():
                break
        time.sleep(0.005)
    delay = rng.uniform(0.0, scene.duration * 0.6)
    time.sleep(delay)
    with contextlib.suppress(ProcessLookupError):
        os.killpg(scan.pid, signal.SIGSTOP)
    return scan, delay


def _thaw(scan: subprocess.Popen[str]) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.killpg(scan.pid, signal.SIGCONT)


def _holds_file(pid: int, path: Path) -> bool:
    """True when process ``pid`` has ``path`` (or its -wal/-shm) open: a command frozen after
    it let go of its database (its work done, its result not yet printed) can no longer see
    the file replaced, and must not be blamed for it. True when it cannot be told."""
    names = {str(path), f"{path}-wal", f"{path}-shm"}
    fds = Path(f"/proc/{pid}/fd")
    try:
        links = [os.readlink(fds / fd) for fd in os.listdir(fds)]
    except OSError:
        return True
    return any(link.removesuffix(" (deleted)") in names for link in links)


def _holds_lock_named(proc: subprocess.Popen[str], db: Path) -> bool:
    """True when ``proc`` (frozen) holds the writer lock of ``db`` with its pid written in
    it: frozen inside its release (the description wiped, the lock not yet let go) or after
    it, the second writer is rightly told "pid unknown" or let in (a CI run's seed 2)."""
    import fcntl
    lock = Path(f"{db}.lock")
    try:
        fd = os.open(lock, os.O_RDONLY)
    except OSError:
        return False
    try:
        named = f'"pid": {proc.pid},' in os.pread(fd, 4096, 0).decode("utf-8", "replace")
        fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
    except BlockingIOError:
        return named
    finally:
        os.close(fd)
    return False


def _has_output(proc: subprocess.Popen[str]) -> bool:
    """True when ``proc`` has already written to its stdout (its result is out)."""
    import select
    assert proc.stdout is not None
    return bool(select.select([proc.stdout], [], [], 0)[0])


def kind_concurrent_writers(scene: Scene, seed: int) -> Trial:
    """A second writer while a scan holds the writer lock (the scan frozen at a random point
    so that they surely overlap): refused at once naming the scan's pid, or with --wait
    waiting, saying so, and succeeding once the scan ends; the scan's result is unchanged."""
    rng = random.Random(seed)
    db = scene.workspace / f"concurrent-{seed}.db"
    _copy_db(scene.prepared, db)
    other = scene.workspace / "other-roms"
    other.mkdir(exist_ok=True)
    second_args = rng.choice([
        ["dat", "import", str(scene.workspace / "gba.dat")], ["library", "add", str(other)],
        ["cache", "import", str(scene.workspace / "compat.jsonl"), "--source", CACHE_SOURCE],
        ["scan", "--workers", "1"], ["cache", "prune"], ["db", "vacuum"], ["db", "migrate"]])
    wait = seed % 3 == 0
    name = " ".join(second_args[:2]) + (" --wait" if wait else "")
    first, delay = _frozen_scan(db, rng, scene)
    trial = Trial("concurrent writers", seed, round(delay, 3), detail=name)
    if first.poll() is not None or _has_output(first) or not _holds_lock_named(first, db):
        _thaw(first)
        first.communicate(timeout=300)
        trial.outcome, trial.detail = "missed", f"{name}: the scan ended (or let go) first"
        return trial
    said = ""
    try:
        if wait:
            second = _start(db, "--wait", *second_args)
            assert second.stderr is not None
            said = second.stderr.readline()  # blocks until it says it waits (or ends)
            _thaw(first)
            err = said + second.communicate(timeout=300)[1]
            code = second.returncode
        else:
            done = romrunner(db, *second_args)
            err, code = done.stderr, done.returncode
    finally:
        _thaw(first)
    _, first_err = first.communicate(timeout=300)
    if wait:
        told = code == 0 and said.startswith("waiting") and f"(pid {first.pid}" in said
    else:
        told = code == 2 and f"(pid {first.pid}" in err and not _bad_output(err)
    if first.returncode != 0:
        trial.outcome, trial.detail = "rerun-failed", f"the scan: {first_err.strip()[:200]}"
    elif not told:
        trial.outcome, trial.detail = "wrong-message", f"{name}: exit {code}: {err[:200]}"
    elif not wait and fingerprint(db, SCAN_FINGERPRINT) != scene.expected:
        trial.outcome, trial.detail = "silent-loss", f"{name} changed the scan's end state"
    return trial


def _mount_tmpfs(where: Path, size: str) -> str:
    """Mount a tmpfs of ``size`` at ``where``; '' or the reason it could not be."""
    where.mkdir(parents=True, exist_ok=True)
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(where)],
                          capture_output=True, text=True)
    return "" if done.returncode == 0 else (done.stderr.strip() or f"exit {done.returncode}")


def _umount(where: Path) -> None:
    subprocess.run(["umount", "-l", str(where)], check=False, capture_output=True)


DB_FILES = {"library.db", "library.db-wal", "library.db-shm", "library.db.lock"}


def kind_full_disk(scene: Scene, seed: int) -> Trial:
    """The scan's database on a tmpfs too small for it: one clean line, no stray file, a
    sound database; after the disk grows, a re-run reaches the uninterrupted state."""
    rng = random.Random(seed)
    full = scene.reference.stat().st_size
    size_kib = int(rng.uniform(0.35, 0.85) * full / 1024)
    mount = scene.workspace / f"disk-{seed}"
    trial = Trial("full disk", seed, 0.0, detail=f"{size_kib} KiB for a {full >> 10} KiB db")
    reason = _mount_tmpfs(mount, f"{size_kib}k")
    if reason:
        trial.outcome, trial.detail = "skipped", f"cannot mount a tmpfs: {reason}"
        return trial
    try:
        db = mount / "library.db"
        _copy_db(scene.prepared, db)
        done = romrunner(db, "scan", "--workers", "2")
        stray = sorted(p.name for p in mount.iterdir() if p.name not in DB_FILES)
        if done.returncode == 0:
            trial.outcome, trial.detail = "missed", "the scan fitted"
        elif _bad_output(done.stderr) or "full" not in done.stderr:
            trial.outcome, trial.detail = "wrong-message", done.stderr.strip()[:300]
        elif stray:
            trial.outcome, trial.detail = "stray-files", ", ".join(stray)
        else:
            subprocess.run(["mount", "-o", "remount,size=256m", str(mount)], check=True)
            _after_interruption(trial, db, scene)
    finally:
        _umount(mount)
    return trial


def kind_read_only(scene: Scene, seed: int) -> Trial:
    """The scanned database on a read-only mount: reads work, writes say why, nothing
    changes."""
    rng = random.Random(seed)
    mount = scene.workspace / f"ro-{seed}"
    trial = Trial("read-only mount", seed, 0.0)
    reason = _mount_tmpfs(mount, "64m")
    if reason:
        trial.outcome, trial.detail = "skipped", f"cannot mount a tmpfs: {reason}"
        return trial
    try:
        db = mount / "library.db"
        _copy_db(scene.reference, db)
        Database(db).close()
        subprocess.run(["mount", "-o", "remount,ro", str(mount)], check=True)
        before = {p.name: p.read_bytes() for p in mount.iterdir()}
        writes = [["scan"], ["library", "add", str(scene.workspace)], ["db", "migrate"],
                  ["dat", "import", str(scene.workspace / "gba.dat")], ["cache", "prune"],
                  ["cache", "import", str(scene.workspace / "compat.jsonl"),
                   "--source", CACHE_SOURCE], ["db", "vacuum"]]
        reads = rng.sample(READ_COMMANDS, 4)
        for args in rng.sample(writes, 3) + reads:
            done = romrunner(db, *args)
            bad = _bad_output(done.stderr)
            if args in reads and (done.returncode != 0 or bad):
                trial.outcome = "rerun-failed"
            elif args not in reads and (done.returncode != 2 or bad
                                        or "read-only" not in done.stderr):
                trial.outcome = "wrong-message"
            else:
                continue
            trial.detail = f"{' '.join(args[:2])}: exit {done.returncode}: {done.stderr[:200]}"
            break
        after = {p.name: p.read_bytes() for p in mount.iterdir()}
        if trial.outcome == "ok" and after != before:
            trial.outcome, trial.detail = "silent-loss", "files on the read-only mount changed"
    finally:
        _umount(mount)
    return trial


def _scan_committed(db: Path, scene: Scene) -> bool:
    """True when the database (a copy of it and its WAL, read now) holds the frozen scan's
    last commit: every root's last scan time moved since the prepared database."""
    copy = db.with_name(db.name + ".seen")
    _copy_db(db, copy)
    try:
        query = "SELECT coalesce(min(last_scanned_at), '') FROM library_roots WHERE path <> ''"
        with contextlib.closing(sqlite3.connect(copy)) as now, \
                contextlib.closing(sqlite3.connect(scene.prepared)) as before:
            return bool(now.execute(query).fetchone()[0] != before.execute(query).fetchone()[0])
    except sqlite3.Error:
        return False
    finally:
        for suffix in ("", "-wal", "-shm"):
            Path(f"{copy}{suffix}").unlink(missing_ok=True)


def kind_db_replaced(scene: Scene, seed: int) -> Trial:
    """The database deleted or replaced while a scan writes (the scan frozen at a random
    point, the file removed, the scan resumed): the scan must fail loudly, and after a
    deletion the next read must not find a fresh database."""
    rng = random.Random(seed)
    db = scene.workspace / f"replaced-{seed}.db"
    _copy_db(scene.prepared, db)
    replace = seed % 2 == 1
    scan, delay = _frozen_scan(db, rng, scene)
    trial = Trial("db " + ("replaced" if replace else "deleted") + " mid-run", seed,
                  round(delay, 3))
    if scan.poll() is not None or _has_output(scan) or not _holds_file(scan.pid, db):
        _thaw(scan)
        scan.communicate(timeout=300)
        trial.outcome, trial.detail = "missed", "the scan had ended (or let go of the database)"
        return trial
    done = _scan_committed(db, scene)
    for suffix in ("", "-wal", "-shm"):
        Path(f"{db}{suffix}").unlink(missing_ok=True)
    if replace:
        _copy_db(scene.prepared, db)
    _thaw(scan)
    _, err = scan.communicate(timeout=300)
    if scan.returncode == 0 and done:
        # (frozen after its last commit and its last check of the file, its report not yet
        # out: its work was saved before the file went, and it says so truly)
        trial.outcome, trial.detail = "missed", "the scan had committed its work"
    elif scan.returncode == 0:
        trial.outcome, trial.detail = "silent-loss", "the scan reported success"
    elif _bad_output(err) or ("deleted" not in err and "replaced" not in err):
        trial.outcome, trial.detail = "wrong-message", err.strip()[:300]
    elif not replace:
        after = romrunner(db, "games", "ls")
        if after.returncode != 2 or "no database" not in after.stderr or db.exists():
            trial.outcome, trial.detail = "silent-loss", (
                f"games ls after the deletion: exit {after.returncode}, {after.stderr[:120]}")
    return trial


def kind_root_vanishes(scene: Scene, seed: int) -> Trial:
    """The root renamed away during a full rescan's walk (back at once, a little later, or
    only after the scan): no present game is ever marked missing, and a failing scan says so
    in one line."""
    rng = random.Random(seed)
    db = scene.workspace / f"vanish-{seed}.db"
    _copy_db(scene.reference, db)
    away = scene.workspace / f"away-{seed}"
    delay = rng.uniform(0.3, max(0.4, scene.duration * 0.8))
    gone_for = rng.choice([0.0, 0.05, 0.5, None])  # None: back only after the scan
    trial = Trial("root vanishes mid-walk", seed, round(delay, 3),
                  detail="back after the scan" if gone_for is None else f"gone {gone_for} s")
    scan = _start(db, "scan", "--workers", "2", "--full")
    time.sleep(delay)
    try:
        scene.root.rename(away)
        if gone_for is not None:
            time.sleep(gone_for)
            away.rename(scene.root)
        _, err = scan.communicate(timeout=300)
    finally:
        if away.exists():
            away.rename(scene.root)
    missing = romrunner(db, "--json", "games", "ls", "--missing", "--limit", "1")
    marked = json.loads(missing.stdout)["data"]["games"] if missing.returncode == 0 else None
    # 1: a root or folder could not be scanned; 2: most of the root vanished (nothing marked)
    if scan.returncode not in (0, 1, 2) or (scan.returncode != 0 and _bad_output(err)):
        trial.outcome, trial.detail = "wrong-message", f"exit {scan.returncode}: {err[:200]}"
    elif marked is None or marked:
        trial.outcome, trial.detail = "silent-loss", "present games were marked missing"
    else:
        _after_interruption(trial, db, scene)
    return trial


def kind_ctrl_c(scene: Scene, seed: int) -> Trial:
    """SIGINT at a random moment of a command's start-up and run: exit 130 (or the command's
    own code when it ended first) with at most one line, never a traceback."""
    rng = random.Random(seed)
    args = rng.choice([["games", "ls"], ["db", "status"], ["search", "game"],
                       ["scan", "--workers", "2", "--full"], ["dat", "import", str(
                           scene.workspace / "gba.dat")]])
    db = scene.workspace / f"ctrl-c-{seed}.db"
    _copy_db(scene.reference, db)
    proc = _start(db, *args)
    delay = rng.uniform(0.0, 0.25 if args[0] in ("games", "db", "search") else 0.8)
    time.sleep(delay)
    trial = Trial("ctrl-c", seed, round(delay, 3), detail=" ".join(args[:2]))
    if proc.poll() is None:
        proc.send_signal(signal.SIGINT)
    _, err = proc.communicate(timeout=120)
    if proc.returncode == 0:
        trial.outcome, trial.detail = "missed", f"{trial.detail}: ended before the signal"
    elif "Traceback" in err and "/romrunner/" not in err:
        # Landed in Python's own start-up (runpy, site), before the first line of ours can
        # install a handler: the traceback holds no frame of the package (the rule of
        # tests/test_cli_foundation.py). Counted apart, never as a pass.
        trial.outcome = "before-our-code"
        trial.detail = f"{trial.detail}: KeyboardInterrupt in Python's start-up"
    elif proc.returncode not in (130, -signal.SIGINT) or _bad_output(err) \
            or "Traceback" in err:
        trial.outcome = "wrong-message"
        trial.detail = f"{trial.detail}: exit {proc.returncode}: {err.strip()[-200:]}"
    elif romrunner(db, "db", "check").returncode != 0:
        trial.outcome, trial.detail = "check-failed", f"{trial.detail}: db check failed after"
    return trial


KINDS: dict[str, Callable[[Scene, int], Trial]] = {
    "parent killed": kind_parent_killed,
    "concurrent writers": kind_concurrent_writers,
    "full disk": kind_full_disk,
    "read-only mount": kind_read_only,
    "db replaced mid-run": kind_db_replaced,
    "root vanishes mid-walk": kind_root_vanishes,
    "ctrl-c": kind_ctrl_c,
}


def run_kinds(base: Path, seeds: list[int], result: SuiteResult,
              names: list[str] | None = None, scene: Scene | None = None) -> Scene:
    """One trial of each kind (all, or those named) per seed, on one shared scene."""
    scene = scene or make_scene(base)
    result.durations.setdefault("scan (scene)", scene.duration)
    for name in names or list(KINDS):
        for seed in seeds:
            result.trials.append(KINDS[name](scene, seed))
    return scene


def run_suite(base: Path, trials: int, names: list[str] | None = None,
              first_seed: int = 0, kinds: list[str] | None = None) -> SuiteResult:
    """``trials`` killed trials of each workload and trials of each kind (all, or named)."""
    result = SuiteResult()
    seeds = list(range(first_seed, first_seed + trials))
    for name in names if names is not None else list(WORKLOADS):
        run_workload(WORKLOADS[name], base, seeds, result)
    if kinds is None or kinds:
        run_kinds(base, seeds, result, kinds)
    return result


KIND_WHAT = {
    "parent killed": "SIGKILL of the scan process alone while its workers run; every worker "
                     "must exit, then `db check` passes and a re-run ends as an uninterrupted "
                     "scan",
    "concurrent writers": "a second writer (dat import, library add, cache import, scan, cache "
                          "prune, db vacuum, db migrate) while a scan, frozen at a random "
                          "point, holds the lock: refused at once naming the scan's pid, or "
                          "with `--wait` says it waits and succeeds; the scan's result is "
                          "unchanged",
    "full disk": "the scan's database on a tmpfs of 35-85% of the size it needs: one line "
                 "saying the disk is full, no stray journal/temporary file, `db check` passes, "
                 "and after the disk grows a re-run ends as an uninterrupted scan",
    "read-only mount": "the database on a read-only tmpfs: read commands work, writing "
                       "commands exit 2 saying the volume is read-only, no file changes",
    "db replaced mid-run": "the database replaced by another file while a scan (frozen at a "
                           "random point) writes: the scan fails loudly, never reporting "
                           "success into the old file",
    "db deleted mid-run": "the database deleted while a scan (frozen at a random point) writes: "
                          "the scan fails loudly and the next read says there is no database "
                          "(never a fresh empty one)",
    "ctrl-c": "SIGINT at a random moment of the start-up of games ls, db status or search "
              "(0-0.25 s) or of a full rescan or a DAT import (0-0.8 s): exit 130 with one "
              "line, never a traceback; `db check` passes after",
    "root vanishes mid-walk": "the root renamed away during a full rescan (back at once, after "
                              "50 ms, 500 ms, or after the scan): no present game is marked "
                              "missing; a scan that fails says so in one line",
}


def _kill_points(trials: list[Trial]) -> str:
    """Where the deploy kills landed, from the trials' details (``killed with A of B``)."""
    places: Counter[str] = Counter()
    for trial in trials:
        found = re.match(r"killed with (\d+) of (\d+) files on the card and (\d+) being",
                         trial.detail)
        if found is None:
            places["unknown (trial failed)"] += 1
            continue
        done, total, writing = int(found[1]), int(found[2]), int(found[3])
        places["before the first file" if done == 0 and writing == 0 else
               "after the last file" if done >= total else "mid-copy"] += 1
    return ", ".join(f"{count} {place}" for place, count in sorted(places.items()))


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def _what_failed(trials: list[Trial]) -> str:
    failed = [t for t in trials if t.outcome in FAILURES]
    return _cell("; ".join(sorted({f"{t.outcome}: {t.detail}"[:100] for t in failed})) or "-")


def render_markdown(result: SuiteResult, command: str) -> str:
    """The fault-suite sections of RELIABILITY.md for a run of the suite."""
    lines = ["## SIGKILL at random points of every writing command", "",
             f"Produced by `{command}` on {time.strftime('%Y-%m-%d')}. Each trial copies the "
             "prepared database, SIGKILLs the command's whole process group after a seeded "
             "random delay within its own duration, runs `db check`, re-runs the command and "
             "compares the end state with an uninterrupted run.", "",
             "| command | uninterrupted run (s) | trials | ok | failed | what failed |",
             "|---|---|---|---|---|---|"]
    for name in (n for n in result.durations if n in WORKLOADS):
        trials = [t for t in result.trials if t.workload == name]
        failed = [t for t in trials if t.outcome in FAILURES]
        lines.append(f"| `{name}` | {result.durations[name]:.2f} | {len(trials)} | "
                     f"{len(trials) - len(failed)} | {len(failed)} | {_what_failed(trials)} |")
    deploys = [t for t in result.trials if t.workload == "deploy"]
    if deploys:
        lines += ["", "`deploy` is killed after a seeded delay for one seed in four (start-up, "
                  "planning, recording) and, for the others, once a seeded number of files is "
                  f"on the card. After the kill, `deploy resume` (or the deploy again when the "
                  "kill came before the deployment was recorded); then every file on the card "
                  "must be byte-identical to its source, no `.rr-tmp-*` file left, the card's "
                  "manifest must match the card, and a second deploy must write 0 bytes. "
                  f"Kill points: {_kill_points(deploys)}."]
    atomic = [f"`{name}`" for name in result.durations
              if name in WORKLOADS and WORKLOADS[name].atomic]
    if atomic:
        lines += ["", f"{', '.join(atomic)}: one transaction (or one rename) each, killed at a "
                  "seeded moment after the command took the writer lock (its work is a "
                  "fraction of Python's start-up); the state each kill leaves must be the "
                  "state before or after the command (`torn` otherwise)."]
    if "deploy" not in WORKLOADS:
        state = ("exists but has no workload yet" if deploy_command_exists()
                 else "does not exist on this branch")
        lines += ["", f"`deploy` is not in the suite yet: `romrunner deploy PROFILE --to PATH` "
                  f"{state} (hook: `_deploy_workloads` in `tests/faultsuite.py`)."]
    kinds = [t for t in result.trials if t.workload not in WORKLOADS]
    if kinds:
        scene = result.durations.get("scan (scene)", 0.0)
        lines += ["", "## Hostile environments", "",
                  f"One shared library of {3 * KIND_FILES_PER_PLATFORM:,} files (an "
                  f"uninterrupted scan: {scene:.2f} s). \"no verdict\" counts trials whose "
                  "window was missed (the command ended before the fault), that could not "
                  "run (no tmpfs), or whose Ctrl-C landed in Python's own start-up before any "
                  "line of ours (a traceback without a frame of the package): neither passes "
                  "nor failures.", "",
                  "| trial | what is checked | trials | ok | no verdict (why) | failed "
                  "| what failed |", "|---|---|---|---|---|---|---|"]
        for name in dict.fromkeys(t.workload for t in kinds):
            trials = [t for t in kinds if t.workload == name]
            failed = [t for t in trials if t.outcome in FAILURES]
            ok = [t for t in trials if t.outcome == "ok"]
            why = Counter(t.outcome for t in trials if t.outcome != "ok" and t not in failed)
            apart = ", ".join(f"{outcome} {count}" for outcome, count in sorted(why.items()))
            lines.append(f"| {name} | {_cell(KIND_WHAT.get(name, ''))} | {len(trials)} | "
                         f"{len(ok)} | {sum(why.values())}{f' ({apart})' if apart else ''} | "
                         f"{len(failed)} | {_what_failed(trials)} |")
    return "\n".join(lines) + "\n"


# -- the whole RELIABILITY.md ---------------------------------------------------------------

ITEM_TESTS = [  # (issue 17 item, what, test file) — run by the report, figures from JUnit XML
    ("2", "roots vanishing mid-walk, unlistable folders", "tests/test_scan_vanish.py"),
    ("1, 3, 11", "deleted database not recreated, migration backup kept, read-only volume, "
     "FIFO and corrupt databases", "tests/test_store_open.py"),
    ("1, 4", "database deleted or replaced at a commit, full disk, failed COMMIT (issue 12 "
     "item 7), no stray journal", "tests/test_store_atomic.py"),
    ("5, 9", "cue tracks (FIFOs, /dev/zero links, 10,000 FILE lines), archive bombs",
     "tests/test_containers.py"),
    ("6, 7, 9", "FIFOs, huge tokens and attributes, bounded DAT memory",
     "tests/test_catalog_dat_safety.py"),
    ("8", "orphaned workers (parent killed alone)", "tests/test_scan_orphans.py"),
    ("12", "the fault suite's own CI run and its read-command checks",
     "tests/test_fault_suite.py"),
    ("10", "terminal escaping", "tests/test_terminal_output.py"),
    ("11", "concurrent writers, the writer lock", "tests/test_lock.py"),
    ("11", "cache rows: NaN, huge ints, nesting, surrogates", "tests/test_cache_import.py"),
    ("11", "Ctrl-C at start-up, one-line errors", "tests/test_cli_foundation.py"),
]
FUZZ_EXAMPLES = {False: 300, True: 3000}


@dataclass
class PytestRun:
    """Outcome of one pytest run, from its JUnit XML."""

    tests: int = 0
    failures: list[str] = field(default_factory=list)
    skipped: int = 0
    seconds: float = 0.0


def run_pytest(paths: list[str], env: dict[str, str] | None = None,
               select: str | None = None) -> PytestRun:
    """Run pytest on ``paths`` in a child process and read its JUnit XML."""
    import tempfile
    import xml.etree.ElementTree as ElementTree
    with tempfile.TemporaryDirectory(prefix="rr-report-") as tmp:
        xml = Path(tmp) / "junit.xml"
        command = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider",
                   f"--junitxml={xml}", *paths, *(["-k", select] if select else [])]
        subprocess.run(command, env={**os.environ, **(env or {})}, capture_output=True,
                       text=True, cwd=Path(__file__).resolve().parents[1])
        run = PytestRun()
        if not xml.exists():
            run.failures.append(f"{' '.join(paths)}: pytest did not run")
            return run
        for case in ElementTree.parse(xml).getroot().iter("testcase"):
            run.tests += 1
            run.seconds += float(case.get("time", 0))
            failed = case.find("failure")
            if failed is None:
                failed = case.find("error")
            if case.find("skipped") is not None:
                run.skipped += 1
            elif failed is not None:
                message = (failed.get("message") or "").strip().splitlines()
                run.failures.append(f"{case.get('name')}: {message[0][:160] if message else ''}")
        return run


def render_report(fault_section: str, command: str, *, long: bool) -> str:
    """RELIABILITY.md: the fault suite's tables, the fuzzing, the terminal and internal-error
    audits and the issue's item tests, each run here, with a summary of what failed."""
    import tempfile
    examples = FUZZ_EXAMPLES[long]
    fuzz = {}
    for test in ("dat_readers", "pack_loader", "cache_importers", "knowledge_readers"):
        fuzz[test] = run_pytest(["tests/test_fuzz_inputs.py"], {
            "ROMRUNNER_FUZZ_EXAMPLES": str(examples)}, select=test)
    with tempfile.TemporaryDirectory(prefix="rr-audit-") as tmp:
        figures_path = Path(tmp) / "figures.json"
        audit = run_pytest(["tests/test_terminal_audit.py"],
                           {"ROMRUNNER_AUDIT_FIGURES": str(figures_path)})
        figures = json.loads(figures_path.read_text()) if figures_path.exists() else {}
    items = [(item, what, path, run_pytest([path])) for item, what, path in ITEM_TESTS]
    lines = [
        "# Reliability", "",
        "What was tried against the engine as a hostile environment would, and what happened. "
        "Regenerated, never edited by hand:", "",
        f"    {command}", "",
        f"({time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}, {os.cpu_count()} cores, Python "
        f"{sys.version.split()[0]}; `python -m tests.faultsuite --long --report "
        "docs/RELIABILITY.md` is the release run.) CI runs the same code with fewer seeds and "
        "examples: `tests/test_fault_suite.py`, `tests/test_fuzz_inputs.py`, "
        "`tests/test_terminal_audit.py`.", "",
        *_summary(fault_section, fuzz, audit, figures, items), "",
        fault_section.rstrip(), "",
        "## Fuzzing (hypothesis)", "",
        f"{examples} generated examples per reader plus explicit bombs (billion laughs, "
        "YAML aliases, 100,000-deep nesting, 200 KB tokens, 40-digit sizes). Properties: only "
        "`RomRunnerError` escapes (one line); a reader busy for 60 s is a hang; the heap peak "
        "(tracemalloc) stays under 48 MiB + 40x the input; no file but the target database "
        "changes.", "",
        "| reader | examples | failed | what failed |", "|---|---|---|---|"]
    for test, run in fuzz.items():
        lines.append(f"| {test.replace('_', ' ')} | {examples * run.tests if run.tests else 0} "
                     f"| {len(run.failures)} | {_cell('; '.join(run.failures)) or '-'} |")
    lines += ["", "## Terminal injection and internal-error audits", "",
              f"Every command group ({figures.get('groups', '?')} groups, "
              f"{figures.get('commands', '?')} invocations, {figures.get('outputs', '?')} "
              "outputs) run on a library whose file names, root, DAT titles and version, cache "
              "source, device nickname, profile and collection names and pack entries hold "
              "ESC/OSC/BEL/C1 sequences, a bidi override and rich markup: "
              f"**{figures.get('leaks', '?')} outputs with a raw control character**, "
              f"{figures.get('internal_errors', '?')} internal errors. The internal-error audit "
              "feeds the issue's inputs (symbolic-link loops, FIFOs, a 10^29 ROM size, ids "
              "beyond 64 bits, NaN, cache rows with unhashable values, huge integers, empty "
              "ids, lone surrogates, 100,000-deep nesting, undecodable BIOS names).", "",
              f"Audit tests: {audit.tests}, failed: {len(audit.failures)}"
              + (f" ({_cell('; '.join(audit.failures))})" if audit.failures else "") + ".", "",
              "## The issue's items, each with its tests", "",
              "| item | what | tests | passed | skipped | failed |", "|---|---|---|---|---|---|"]
    for item, what, path, run in items:
        passed = run.tests - run.skipped - len(run.failures)
        lines.append(f"| {item} | {what} (`{path}`) | {run.tests} | {passed} | {run.skipped} | "
                     f"{len(run.failures)} |")
    return "\n".join(lines) + "\n"


def _summary(fault_section: str, fuzz: dict[str, PytestRun], audit: PytestRun,
             figures: dict[str, int], items: list[tuple[str, str, str, PytestRun]]) -> list[str]:
    rows = [line for line in fault_section.splitlines() if line.startswith("| ")
            and not line.startswith(("| command", "| trial", "|---"))]
    text = "\n".join(rows)
    hangs = text.count("hang:") + sum("Hang" in f for r in fuzz.values() for f in r.failures)
    internal = (text.count("internal error") + figures.get("internal_errors", 0)
                + sum(1 for r in fuzz.values() for f in r.failures if "Hang" not in f))
    losses = text.count("silent-loss") + text.count("differs:") + text.count("torn:")
    failed_items = sum(len(run.failures) for *_, run in items)
    return ["## Summary", "",
            f"- hangs: **{hangs}**",
            f"- internal errors (tracebacks, errors that are not the project's): **{internal}**",
            f"- raw control characters reaching the terminal: "
            f"**{figures.get('leaks', 'not measured')}**",
            f"- silent losses (a command reporting success with data lost, an end state "
            f"unlike an uninterrupted run, or a kill leaving a mix of before and after): "
            f"**{losses}**",
            f"- failed item tests: **{failed_items}**; failed audit tests: "
            f"**{len(audit.failures)}**"]


def main() -> int:
    """``python -m tests.faultsuite``: run the suite and print the figures (or write the
    whole RELIABILITY.md with ``--report``)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--trials", type=int, default=None,
                        help="seeds per workload and kind (default 3; 20 with --long)")
    parser.add_argument("--long", action="store_true",
                        help="the release run: 20 seeds each, and long fuzzing with --report")
    parser.add_argument("--workload", action="append", choices=sorted(WORKLOADS))
    parser.add_argument("--kind", action="append", choices=sorted(KINDS))
    parser.add_argument("--report", type=Path, help="write RELIABILITY.md here (this runs "
                                                    "the fuzz and terminal tests too)")
    parser.add_argument("--json", type=Path, help="also write every trial as JSON here")
    args = parser.parse_args()
    trials = args.trials or (20 if args.long else 3)
    only = args.workload is not None or args.kind is not None
    import tempfile
    with tempfile.TemporaryDirectory(prefix="rr-faults-") as tmp:
        result = run_suite(Path(tmp), trials, args.workload or ([] if only else None),
                           kinds=args.kind or ([] if only else None))
    command = ("python -m tests.faultsuite " + " ".join(sys.argv[1:])).strip()
    text = render_markdown(result, command)
    if args.report:
        text = render_report(text, command, long=args.long)
        args.report.write_text(text, encoding="utf-8")
    print(text)
    if args.json:
        args.json.write_text(json.dumps([t.__dict__ for t in result.trials], indent=1))
    return 1 if result.failures() else 0


if __name__ == "__main__":
    sys.exit(main())
