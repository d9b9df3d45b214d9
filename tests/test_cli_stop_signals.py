"""SIGTERM (systemd stopping a job, `timeout`, `kill`) and SIGHUP (the terminal or SSH session
gone) stop a command as Ctrl-C does: what it committed is kept, a deploy ends cancelled and
resumable, the workers of a scan do not die under the signal first, and the exit code is
128 + the signal's number. Each test runs the real CLI in a child process that sends the
signal, from inside the named function, to itself or to its whole process group."""

from __future__ import annotations

import hashlib
import json
import os
import signal
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from romrunner.deploy.card import TEMP_PREFIX

# The child wraps ``module:Class.method`` so that its Nth call sends RR_SIGNAL to the process
# (or, with RR_GROUP, to its process group, as `timeout` and systemd do), then runs main().
_DRIVER = """
import os, signal, sys, importlib
module_name, _, rest = os.environ["RR_AT"].partition(":")
class_name, _, attribute = rest.rpartition(".")
owner = getattr(importlib.import_module(module_name), class_name)
original = getattr(owner, attribute)
calls = [0]
def wrapped(*args, **kwargs):
    calls[0] += 1
    if calls[0] == int(os.environ["RR_AT_CALL"]):
        number = getattr(signal, os.environ["RR_SIGNAL"])
        if os.environ.get("RR_GROUP"):
            os.killpg(0, number)
        else:
            os.kill(os.getpid(), number)
    return original(*args, **kwargs)
setattr(owner, attribute, wrapped)
from romrunner.cli.main import main
sys.exit(main(sys.argv[1:]))
"""


def _cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "romrunner.cli.main", *args],
                          capture_output=True, text=True, timeout=300)


def _stopped_at(tmp_path: Path, at: str, call: int, name: str, *args: str,
                group: bool = False) -> subprocess.CompletedProcess[str]:
    """Run the CLI with ``args`` in its own session, sent the signal ``name`` at ``at``'s
    ``call``-th call."""
    driver = tmp_path / "driver.py"
    driver.write_text(_DRIVER)
    env = {**os.environ, "RR_AT": at, "RR_AT_CALL": str(call), "RR_SIGNAL": name,
           **({"RR_GROUP": "1"} if group else {})}
    return subprocess.run([sys.executable, str(driver), *args], capture_output=True,
                          text=True, env=env, timeout=300, start_new_session=True)


def _library(tmp_path: Path, files: int) -> Path:
    root = tmp_path / "lib" / "gb"
    root.mkdir(parents=True)
    for number in range(files):
        (root / f"Game {number} (USA).gb").write_bytes(os.urandom(4096) + bytes([number]))
    return tmp_path / "lib"


def _sha1s(folder: Path) -> dict[str, str]:
    return {path.name: hashlib.sha1(path.read_bytes()).hexdigest()
            for path in folder.rglob("*") if path.is_file() and path.suffix == ".gb"}


@pytest.mark.parametrize("name", ["SIGTERM", "SIGHUP"])
def test_a_deploy_stopped_by_a_signal_ends_cancelled_and_resumes_to_an_identical_card(
        tmp_path: Path, name: str) -> None:
    library = _library(tmp_path, 30)
    db, card = tmp_path / "library.db", tmp_path / "card"
    card.mkdir()
    for args in (("library", "add", str(library)), ("scan", "--workers", "1"),
                 ("device", "add", "rg-35xx-plus"),
                 ("profile", "create", "--device", "1", "--os", "muos")):
        assert _cli("--db", str(db), *args).returncode == 0, args
    stopped = _stopped_at(tmp_path, "romrunner.deploy.execute:_Runner.copy", 12, name,
                          "--db", str(db), "deploy", "1", "--to", str(card), "platform:gb")
    assert stopped.returncode == 128 + getattr(signal, name), stopped.stderr
    assert "Traceback" not in stopped.stderr
    assert "`romrunner deploy resume 1`" in stopped.stdout + stopped.stderr
    with sqlite3.connect(db) as conn:
        assert conn.execute("SELECT status FROM deployment_history WHERE id = 1").fetchone() \
            == ("cancelled",)
    assert (card / ".romrunner").is_dir()  # the card's manifest, as after a Ctrl-C
    assert len(_sha1s(card)) < 30
    resumed = _cli("--db", str(db), "deploy", "resume", "1")
    assert resumed.returncode == 0, resumed.stderr
    assert _sha1s(card) == _sha1s(library)
    assert not [p for p in card.rglob("*") if p.name.startswith(TEMP_PREFIX)]


def test_sigterm_to_a_scans_process_group_stops_the_scan_not_its_workers_first(
        tmp_path: Path) -> None:
    """`timeout` and systemd signal every process of the group: the workers ignore it and the
    scan itself stops, one line, exit 143; a rescan finishes the work."""
    library = _library(tmp_path, 60)
    db = tmp_path / "library.db"
    assert _cli("--db", str(db), "library", "add", str(library)).returncode == 0
    stopped = _stopped_at(tmp_path, "romrunner.library.scan:_Writer._write_one", 20,
                          "SIGTERM", "--db", str(db), "scan", "--workers", "2", group=True)
    assert stopped.returncode == 128 + signal.SIGTERM, stopped.stderr
    assert stopped.stderr.strip().startswith("interrupted"), stopped.stderr
    assert len(stopped.stderr.strip().splitlines()) == 1, stopped.stderr
    rescan = _cli("--db", str(db), "--json", "scan", "--workers", "2")
    assert rescan.returncode == 0, rescan.stderr
    with sqlite3.connect(db) as conn:
        assert conn.execute("SELECT COUNT(*) FROM games").fetchone() == (60,)


def test_sigterm_with_json_gives_one_failed_envelope(tmp_path: Path) -> None:
    library = _library(tmp_path, 30)
    db = tmp_path / "library.db"
    assert _cli("--db", str(db), "library", "add", str(library)).returncode == 0
    stopped = _stopped_at(tmp_path, "romrunner.library.scan:_Writer._write_one", 5,
                          "SIGTERM", "--db", str(db), "--json", "scan", "--workers", "1")
    assert stopped.returncode == 128 + signal.SIGTERM, stopped.stderr
    document = json.loads(stopped.stdout)
    assert document["ok"] is False and document["errors"][0].startswith("interrupted")


def test_a_command_run_under_nohup_goes_on_after_sighup(tmp_path: Path) -> None:
    """`nohup romrunner scan &`: the user asked for the scan to outlive the terminal."""
    library = _library(tmp_path, 30)
    db = tmp_path / "library.db"
    assert _cli("--db", str(db), "library", "add", str(library)).returncode == 0
    driver = tmp_path / "driver.py"
    driver.write_text(_DRIVER)
    env = {**os.environ, "RR_AT": "romrunner.library.scan:_Writer._write_one",
           "RR_AT_CALL": "5", "RR_SIGNAL": "SIGHUP"}
    done = subprocess.run(
        [sys.executable, str(driver), "--db", str(db), "scan", "--workers", "1"],
        capture_output=True, text=True, env=env, timeout=300,
        preexec_fn=lambda: signal.signal(signal.SIGHUP, signal.SIG_IGN))
    assert done.returncode == 0, done.stderr
    with sqlite3.connect(db) as conn:
        assert conn.execute("SELECT COUNT(*) FROM games").fetchone() == (30,)


_WORKER_DRIVER = """
import os, signal, sys
from romrunner.cli.main import _stop_as_interrupt
from romrunner.library.workers import WorkerPool
signal.signal(signal.SIGTERM, _stop_as_interrupt)  # (as main() has it while a command runs)
def serve(conn):
    while conn.recv() is not None:
        conn.send_bytes(b"done")
with WorkerPool("rr-test", serve, (), 1, 0) as pool:
    worker = pool.workers[0]
    os.kill(worker.process.pid, signal.SIGTERM)
    worker.process.join(20)
    print(worker.process.exitcode)
"""


def test_a_scan_worker_dies_of_sigterm_whatever_its_parent_makes_of_it(
        tmp_path: Path) -> None:
    """Review 29 R2: a forked worker inherited the parent's handler, which turns SIGTERM into
    an interrupt the worker ignores: it outlived every stop, and Python's exit (which stops
    workers by SIGTERM) waited for it for ever."""
    driver = tmp_path / "workers.py"
    driver.write_text(_WORKER_DRIVER)
    done = subprocess.run([sys.executable, str(driver)], capture_output=True, text=True,
                          timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == str(-signal.SIGTERM), done.stdout
