"""Nothing outlives a scan, whatever kills it: its hashing and walk workers exit when the scan
process dies (SIGTERM or SIGKILL of that process alone), and a walk worker killed on its own
costs its folder, reported, not a scan that waits for ever.

Real processes throughout: the scan runs as ``python -m romrunner.cli.main`` in a session
of its own, and these tests look at that session's processes in /proc.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.faultsuite import processes, session_processes

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"),
                                reason="reads processes from /proc (Linux)")
BOUND = 60.0  # seconds a test waits for something that must happen; a hang fails here


def children_of(pid: int, name: str | None = None) -> list[int]:
    """Running children of ``pid`` (named ``name``: workers name themselves)."""
    return [child for child, parent, _, state in processes()
            if parent == pid and state != "Z" and (name is None or comm(child) == name)]


def comm(pid: int) -> str | None:
    try:
        with open(f"/proc/{pid}/comm", encoding="utf-8", errors="replace") as handle:
            return handle.read().strip()
    except OSError:
        return None


def wait_for(condition: str, check: object) -> None:
    deadline = time.monotonic() + BOUND
    while not check():  # type: ignore[operator]
        assert time.monotonic() < deadline, f"still not true after {BOUND:.0f} s: {condition}"
        time.sleep(0.01)


def start_scan(tmp_path: Path, root: Path, *args: str) -> subprocess.Popen[str]:
    db = tmp_path / "r.db"
    command = [sys.executable, "-m", "romrunner.cli.main", "--db", str(db)]
    subprocess.run([*command, "--quiet", "library", "add", str(root)], check=True)
    return subprocess.Popen([*command, "--json", "scan", *args], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, start_new_session=True)


def discs(tmp_path: Path) -> Path:
    """Two large sparse discs in one folder: seconds of hashing each, no disk used, and one
    top-level folder, so that every child of the scan is a hashing worker."""
    root = tmp_path / "roms"
    (root / "psp").mkdir(parents=True)
    for name in ("Big One (USA).iso", "Big Two (USA).iso"):
        with (root / "psp" / name).open("wb") as handle:
            handle.truncate(16 << 30)
    return root


def many_folders(tmp_path: Path, folders: int = 8, files: int = 4000) -> Path:
    """Top-level folders of many small files: the walk is worth the pool's workers."""
    root = tmp_path / "roms"
    for number in range(folders):
        folder = root / f"gba{number}"
        folder.mkdir(parents=True)
        for index in range(files):
            (folder / f"Game {index} (USA).gba").write_bytes(b"x")
    return root


def kill_the_scan_alone(scan: subprocess.Popen[str], signum: int, workers_name: str) -> None:
    """Once the scan has two workers named ``workers_name``, send ``signum`` to the scan
    process only, then check that every process of its session ends."""
    wait_for(f"the scan has started its {workers_name} workers",
             lambda: len(children_of(scan.pid, workers_name)) >= 2 or scan.poll() is not None)
    assert scan.poll() is None, "the scan ended before it could be killed"
    workers = children_of(scan.pid)
    os.kill(scan.pid, signum)
    # (not communicate(): orphans hold its pipes; SIGTERM stops a scan as Ctrl-C does: 143)
    assert scan.wait(timeout=BOUND) == (128 + signum if signum == signal.SIGTERM else -signum)
    wait_for(f"workers {workers} of the killed scan have exited",
             lambda: session_processes(scan.pid) == [])


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGKILL], ids=["TERM", "KILL"])
def test_hashing_workers_exit_when_the_scan_is_killed(tmp_path: Path, signum: int) -> None:
    scan = start_scan(tmp_path, discs(tmp_path), "--workers", "2")
    try:
        kill_the_scan_alone(scan, signum, "romrunner-hash")
    finally:
        for pid in session_processes(scan.pid):  # what the test found left: don't leak it
            os.kill(pid, signal.SIGKILL)


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGKILL], ids=["TERM", "KILL"])
def test_walk_workers_exit_when_the_scan_is_killed(tmp_path: Path, signum: int) -> None:
    scan = start_scan(tmp_path, many_folders(tmp_path), "--workers", "2")
    try:
        kill_the_scan_alone(scan, signum, "romrunner-walk")
    finally:
        for pid in session_processes(scan.pid):
            os.kill(pid, signal.SIGKILL)


def test_killed_walk_workers_cost_their_folders_not_the_scan(tmp_path: Path) -> None:
    """Every walk worker of an unchanged rescan is killed as soon as it appears (as the OOM
    killer would): the scan ends, says which folders it could not walk, and marks none of
    their games missing. (multiprocessing.Pool waited for ever on a killed worker's task.)"""
    root = many_folders(tmp_path)
    db = tmp_path / "r.db"
    command = [sys.executable, "-m", "romrunner.cli.main", "--db", str(db), "--json"]
    subprocess.run([*command, "library", "add", str(root)], check=True, capture_output=True)
    first = subprocess.run([*command, "scan", "--workers", "1"], capture_output=True,
                           text=True, timeout=600)
    assert first.returncode == 0, first.stderr
    scan = subprocess.Popen([*command, "scan", "--workers", "2"], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, start_new_session=True)
    killed: set[int] = set()
    try:
        deadline = time.monotonic() + BOUND
        while scan.poll() is None and time.monotonic() < deadline:
            for pid in set(children_of(scan.pid, "romrunner-walk")) - killed:
                os.kill(pid, signal.SIGKILL)
                killed.add(pid)
        assert scan.poll() is not None, f"the scan hangs after {len(killed)} workers died"
        out, err = scan.communicate(timeout=BOUND)
    finally:
        if scan.poll() is None:
            os.killpg(scan.pid, signal.SIGKILL)
    assert killed, "the rescan ended before a worker could be killed"
    assert scan.returncode == 1, err  # folders left unwalked: the scan found problems
    envelope = json.loads(out)
    data = envelope["data"]
    lost = [e for e in data["errors"] if e["error"].startswith("not walked: ")]
    assert lost, "no folder was held by a killed worker"
    assert envelope["ok"] is False
    assert envelope["errors"] == [f"{e['path']}: {e['error']}" for e in lost]
    assert all(e["error"].endswith("; its games were left as they were") for e in lost)
    assert len(lost) == len({e["path"] for e in lost})  # each folder reported once
    assert data["missing"] == 0
    assert data["unchanged"] == 4000 * (8 - len(lost))
    wait_for("no worker is left", lambda: session_processes(scan.pid) == [])
