"""Output that cannot be written (a full disk, a closed pipe) is one line, not a traceback."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import run_subprocess

pytestmark = pytest.mark.skipif(not Path("/dev/full").exists(), reason="needs /dev/full")


def _library_db(tmp_path: Path) -> dict[str, str]:
    env = {"ROMRUNNER_DB": str(tmp_path / "rr.db")}
    folder = tmp_path / "lib" / "nes"
    folder.mkdir(parents=True)
    for number in range(200):  # more text than a pipe's buffer holds
        (folder / f"Game {number} (USA).nes").write_bytes(os.urandom(64))
    assert run_subprocess("library", "add", str(tmp_path / "lib"), env=env).code == 0
    assert run_subprocess("--quiet", "scan", env=env).code == 0
    return env


def _run_to_full_disk(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    with open("/dev/full", "w", encoding="utf-8") as full:
        return subprocess.run([sys.executable, "-m", "romrunner.cli.main", *args],
                              stdout=full, stderr=subprocess.PIPE, text=True,
                              env={**os.environ, **env}, timeout=120)


@pytest.mark.parametrize("args", [("--json", "games", "ls"), ("games", "ls", "--limit", "200"),
                                  ("--json", "games", "show", "99999")])
def test_a_full_disk_for_the_output_is_one_line_and_a_failure(tmp_path: Path,
                                                               args: tuple[str, ...]) -> None:
    env = _library_db(tmp_path)
    proc = _run_to_full_disk(*args, env=env)
    assert proc.returncode != 0
    assert "Traceback" not in proc.stderr
    assert "internal error" not in proc.stderr
    assert "cannot write the output (No space left on device)" in proc.stderr


def test_a_reader_that_stops_early_gets_no_error_text(tmp_path: Path) -> None:
    env = _library_db(tmp_path)
    proc = subprocess.run(f"'{sys.executable}' -m romrunner.cli.main games ls --limit 200 "
                          "| head -c 1 > /dev/null", shell=True, stderr=subprocess.PIPE,
                          text=True, env={**os.environ, **env}, timeout=120)
    assert "Traceback" not in proc.stderr
    assert "internal error" not in proc.stderr
