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
import hashlib
import json
import os
import random
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from romrunner.store import Database
from romrunner.store.migrate import migrate

Fingerprint = list[tuple[object, ...]]
EXTRA_DAT_GAMES = 30000
MIGRATE_ROWS = 100_000


@dataclass
class Workload:
    """A writing command, how to prepare for it, and what its end state is."""

    name: str
    argv: Callable[[Path], list[str]]           # workspace -> CLI arguments
    prepare: Callable[[Path, Path], None]       # (workspace, db) -> None
    fingerprint: str                            # SQL whose rows are the end state


@dataclass
class Trial:
    """One kill: when, and what was found after it."""

    workload: str
    seed: int
    delay: float
    outcome: str = "ok"      # ok | check-failed | rerun-failed | differs | orphan | hang
    detail: str = ""


@dataclass
class SuiteResult:
    """Every trial of a run, with the reference durations."""

    trials: list[Trial] = field(default_factory=list)
    durations: dict[str, float] = field(default_factory=dict)

    def failures(self) -> list[Trial]:
        """The trials that did not end well."""
        return [trial for trial in self.trials if trial.outcome != "ok"]


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


def _must(result: subprocess.CompletedProcess[str]) -> None:
    if result.returncode != 0:
        raise RuntimeError(f"preparing a workload failed: {result.stderr.strip()}")


WORKLOADS = {
    w.name: w for w in (
        Workload("scan", lambda ws: ["scan", "--workers", "2"], _prepare_scan,
                 "SELECT filepath, file_size, file_sha1, platform_id, is_missing FROM games "
                 "ORDER BY filepath"),
        Workload("dat import", lambda ws: ["dat", "import", str(ws / "gba.dat")], _prepare_dat,
                 "SELECT g.filepath, g.matched_game_id, g.match_method, "
                 "(SELECT count(*) FROM catalog_games) FROM games g ORDER BY g.filepath"),
        Workload("db migrate", lambda ws: ["db", "migrate"], _prepare_migrate,
                 "SELECT (SELECT max(schema_version) FROM schema_version), "
                 "(SELECT count(*) FROM collections)"),
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
    env = {**os.environ, "ROMRUNNER_DB": str(db)}
    env.pop("ROMRUNNER_PACK", None)
    proc = subprocess.Popen([sys.executable, "-m", "romrunner.cli.main",
                             *workload.argv(workspace)], env=env, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL, start_new_session=True)
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
    if check.returncode != 0:
        trial.outcome, trial.detail = "check-failed", (check.stdout + check.stderr).strip()[:300]
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


def run_suite(base: Path, trials: int, names: list[str] | None = None,
              first_seed: int = 0) -> SuiteResult:
    """Run ``trials`` killed trials of each workload (all, or those named)."""
    result = SuiteResult()
    seeds = list(range(first_seed, first_seed + trials))
    for name in names or list(WORKLOADS):
        run_workload(WORKLOADS[name], base, seeds, result)
    return result


def render_markdown(result: SuiteResult, command: str) -> str:
    """The RELIABILITY.md section for a run of the suite."""
    lines = ["## SIGKILL at random points of every writing command", "",
             f"Produced by `{command}` on {time.strftime('%Y-%m-%d')}.", "",
             "| command | uninterrupted run (s) | trials | ok | failed | what failed |",
             "|---|---|---|---|---|---|"]
    for name, duration in result.durations.items():
        trials = [t for t in result.trials if t.workload == name]
        failed = [t for t in trials if t.outcome != "ok"]
        what = "; ".join(sorted({f"{t.outcome}: {t.detail}"[:80] for t in failed})) or "-"
        lines.append(f"| `{name}` | {duration:.2f} | {len(trials)} | {len(trials) - len(failed)} "
                     f"| {len(failed)} | {what} |")
    return "\n".join(lines) + "\n"


def main() -> int:
    """``python -m tests.faultsuite``: run the suite and print (or write) the figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--trials", type=int, default=10)
    parser.add_argument("--workload", action="append", choices=sorted(WORKLOADS))
    parser.add_argument("--json", type=Path, help="also write every trial as JSON here")
    args = parser.parse_args()
    import tempfile
    with tempfile.TemporaryDirectory(prefix="rr-faults-") as tmp:
        result = run_suite(Path(tmp), args.trials, args.workload)
    command = "python -m tests.faultsuite " + " ".join(sys.argv[1:])
    print(render_markdown(result, command.strip()))
    if args.json:
        args.json.write_text(json.dumps([t.__dict__ for t in result.trials], indent=1))
    return 1 if result.failures() else 0


if __name__ == "__main__":
    sys.exit(main())
