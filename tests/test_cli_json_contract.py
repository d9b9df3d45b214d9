"""--json prints one document whatever happens: a group named without its command, a failure
whose stderr cannot be written (QA49 F7, F9)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest


@pytest.mark.parametrize("group", ["db", "deploy", "games"])
def test_a_group_without_its_command_is_a_usage_error_under_json(group: str,
                                                                 tmp_path: Path) -> None:
    done = subprocess.run([sys.executable, "-m", "romrunner.cli.main", "--db",
                           str(tmp_path / "rr.db"), "--json", group], capture_output=True,
                          text=True, timeout=300)
    assert done.returncode == 2
    assert json.loads(done.stdout)["errors"] == ["Missing command."]
    plain = subprocess.run([sys.executable, "-m", "romrunner.cli.main", group],
                           capture_output=True, text=True, timeout=300)
    assert plain.returncode == 0 and plain.stdout.startswith(f"Usage: romrunner {group}")


def test_a_failure_whose_stderr_cannot_be_written_still_prints_its_document(
        tmp_path: Path) -> None:
    env = {**os.environ, "ROMRUNNER_DB": str(tmp_path / "rr.db")}
    assert subprocess.run([sys.executable, "-m", "romrunner.cli.main", "db", "init"],
                          env=env, capture_output=True, timeout=300).returncode == 0
    with open(os.devnull, "rb") as nothing:
        done = subprocess.run([sys.executable, "-m", "romrunner.cli.main", "--json", "games",
                               "show", "9999"], env=env, stdout=subprocess.PIPE,
                              stdin=nothing, stderr=subprocess.DEVNULL, timeout=300,
                              close_fds=True, pass_fds=(),
                              preexec_fn=lambda: os.close(2))
    assert done.returncode == 2
    assert json.loads(done.stdout)["errors"] == ["game 9999 does not exist"]


@pytest.mark.parametrize("args", [
    ["resolve", "99999999999999999999"], ["deploy", "show", "99999999999999999999"],
    ["deploy", "history", "--profile", "99999999999999999999"],
    ["cache", "explain", "99999999999999999999"], ["cache", "explain", "²"],
    ["profile", "set", "1", "--include-collections", "99999999999999999999"],
    ["override", "set", "--game", "99999999999999999999", "x=1"]])
def test_an_id_beyond_sqlites_integers_is_the_users_error(tmp_path: Path,
                                                          args: list[str]) -> None:
    """QA49 F10: "internal error: OverflowError" for a number no id can be."""
    env = {**os.environ, "ROMRUNNER_DB": str(tmp_path / "rr.db")}
    for setup in (["device", "add", "rg-35xx-plus"],
                  ["profile", "create", "--device", "1", "--os", "muos"]):
        assert subprocess.run([sys.executable, "-m", "romrunner.cli.main", *setup], env=env,
                              capture_output=True, timeout=300).returncode == 0
    done = subprocess.run([sys.executable, "-m", "romrunner.cli.main", "--json", *args],
                          env=env, capture_output=True, text=True, timeout=300)
    assert done.returncode == 2, done.stderr
    assert "internal error" not in done.stderr
    assert any(said in done.stderr for said in (
        "too large", "no game with id or title", "no collection has this id")), done.stderr
