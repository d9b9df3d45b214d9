"""A folder the scan cannot list (permission denied) is reported and its games are left as
they were: not marked missing, as an unreachable root already is.

Tests run as root here, where a mode-000 folder is listed anyway: the scan then runs in a
child process as the unprivileged ``nobody`` user, over a tree that user can read.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

NOBODY = 65534


SETPRIV = shutil.which("setpriv")


def _can_drop_to_nobody() -> bool:
    return hasattr(os, "geteuid") and os.geteuid() == 0


@pytest.fixture
def world(tmp_path: Path) -> Iterator[Path]:
    """A folder the scan's user can reach: pytest's own tmp folder is root's only (0700)."""
    if os.name != "posix":
        pytest.skip("folder permissions are POSIX here")
    if not _can_drop_to_nobody():
        yield tmp_path  # an ordinary user: mode 000 denies it already
        return
    if SETPRIV is None:
        pytest.skip("running as root, where mode 000 does not deny, and setpriv (util-linux) "
                    "is not installed to run the scan as another user")
    base = Path(tempfile.mkdtemp(prefix="romrunner-perm-"))
    base.chmod(0o755)
    try:
        yield base
    finally:
        for folder, dirs, _ in os.walk(base):
            for name in dirs:
                os.chmod(os.path.join(folder, name), 0o755)
        shutil.rmtree(base)


def romrunner(world: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """Run the CLI as a child process, as ``nobody`` when the tests run as root."""
    command = [sys.executable, "-m", "romrunner.cli.main", "--db", str(world / "state" / "r.db"),
               *args]
    env = {**os.environ, "HOME": str(world / "state")}
    if _can_drop_to_nobody():
        assert SETPRIV is not None
        command = [SETPRIV, f"--reuid={NOBODY}", f"--regid={NOBODY}", "--clear-groups",
                   *command]
    return subprocess.run(command, capture_output=True, text=True, timeout=300, env=env,
                          cwd=world)


def scan(world: Path, *args: str, code: int = 0) -> dict[str, Any]:
    """The scan's JSON data; ``code`` 1 when a folder or root could not be scanned (then
    listed in the envelope's errors, ok false)."""
    done = romrunner(world, "--json", "scan", *args)
    assert done.returncode == code, done.stderr
    envelope = json.loads(done.stdout)
    assert envelope["ok"] is (code == 0)
    data: dict[str, Any] = envelope["data"]
    assert envelope["errors"] == data["unscanned"]
    return data


def missing(world: Path) -> list[str]:
    done = romrunner(world, "--json", "games", "ls", "--missing")
    assert done.returncode == 0, done.stderr
    return [row["filename"] for row in json.loads(done.stdout)["data"]["games"]]


def build(world: Path) -> Path:
    root = world / "roms"
    for relpath in ("snes/Kept (USA).sfc", "snes/sub/Deep One (USA).sfc",
                    "snes/sub/Deep Two (USA).sfc", "gba/Top (USA).gba", "Loose (USA).gba"):
        path = root / relpath
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(relpath.encode() * 64)
    state = world / "state"
    state.mkdir()
    if _can_drop_to_nobody():
        os.chown(state, NOBODY, NOBODY)
    assert romrunner(world, "library", "add", str(root)).returncode == 0
    return root


@pytest.mark.parametrize("workers", ["1", "2"])
def test_an_unlistable_folder_is_reported_and_its_games_kept(world: Path, workers: str) -> None:
    root = build(world)
    assert scan(world, "--workers", workers)["added"] == 5
    (root / "snes" / "sub").chmod(0)  # a nested folder
    (root / "gba").chmod(0)           # a top-level folder (walked by a worker when pooled)
    result = scan(world, "--workers", workers, code=1)
    assert result["missing"] == 0 and missing(world) == []
    assert sorted(Path(u.split(": ", 1)[0]).name for u in result["unscanned"]) == ["gba", "sub"]
    denied = {Path(e["path"]).name: e["error"] for e in result["errors"]}
    assert denied == {"sub": "cannot list folder (Permission denied); its games were left "
                             "as they were",
                      "gba": "cannot list folder (Permission denied); its games were left "
                             "as they were"}
    assert result["unchanged"] == 2  # what could be listed was compared as usual

    (root / "snes" / "sub").chmod(0o755)
    (root / "gba").chmod(0o755)
    (root / "snes" / "sub" / "Deep Two (USA).sfc").unlink()  # really gone: now it is missing
    again = scan(world, "--workers", workers)
    assert (again["missing"], again["unchanged"], again["errors"]) == (1, 4, [])
    assert missing(world) == ["Deep Two (USA).sfc"]


def test_an_unlistable_root_marks_nothing_missing(world: Path) -> None:
    root = build(world)
    assert scan(world, "--workers", "1")["added"] == 5
    root.chmod(0o311)  # can be entered (and stat'ed), not listed
    result = scan(world, "--workers", "1", code=1)
    assert result["missing"] == 0 and missing(world) == []
    assert [e["error"] for e in result["errors"]] == [
        "library root cannot be listed (Permission denied); nothing was marked missing"]


def _deployed(world: Path, query: str) -> Path:
    """The library built, scanned and deployed (``query``) to a card folder the command's
    user owns, by profile 1 (muOS); the card."""
    build(world)
    assert scan(world, "--workers", "1")["added"] == 5
    card = world / "card"
    card.mkdir()
    if _can_drop_to_nobody():
        os.chown(card, NOBODY, NOBODY)
    for args in (("device", "add", "rg-35xx-plus"),
                 ("profile", "create", "--device", "1", "--os", "muos"),
                 ("deploy", "1", "--to", str(card), query)):
        done = romrunner(world, *args)
        assert done.returncode == 0, (args, done.stderr)
    return card


def test_a_card_file_of_ours_that_cannot_be_read_is_kept_and_said_so(world: Path) -> None:
    """QA111 F2: a prune said a copy it could not read "changed on the card since (other
    size or bytes)", as if the user had edited it."""
    card = _deployed(world, "platform:snes,gba")
    (copy,) = card.rglob("Top (USA).gba")
    copy.chmod(0)
    done = romrunner(world, "--json", "deploy", "1", "--to", str(card), "platform:snes",
                     "--prune", "--force")
    assert done.returncode == 0, done.stderr
    data = json.loads(done.stdout)["data"]
    assert data["pruned"] == 1 and data["prune_kept"] == [copy.relative_to(card).as_posix()]
    (note,) = [n for n in data["notes"] if copy.name in n]
    assert "cannot be read on the card (Permission denied" in note
    assert "changed on the card" not in note


def test_a_dry_run_says_a_card_folder_that_cannot_be_written(world: Path) -> None:
    """QA111 F5: a platform folder the user cannot write: the dry run said "would copy"
    (exit 0), the run failed each file."""
    card = _deployed(world, "platform:snes")
    (kept,) = card.rglob("Kept (USA).sfc")
    folder = kept.parent
    kept.unlink()
    folder.chmod(0o555)
    said = f"{folder.relative_to(card).as_posix()} is not writable (permission denied)"
    dry = romrunner(world, "--json", "deploy", "1", "--to", str(card), "platform:snes",
                    "--dry-run")
    assert dry.returncode == 1, dry.stdout
    (failure,) = json.loads(dry.stdout)["data"]["failures"]
    assert failure.endswith(said)
    run = romrunner(world, "--json", "deploy", "1", "--to", str(card), "platform:snes")
    assert run.returncode == 1
    (error,) = [e["error"] for e in json.loads(run.stdout)["data"]["errors"]]
    assert error == failure
    folder.chmod(0o755)
    # (review 115 F5: a prune there, and a copy into a folder the run makes under it)
    folder.chmod(0o555)
    dry = romrunner(world, "--json", "deploy", "1", "--to", str(card), "platform:gba",
                    "--prune", "--force", "--dry-run")
    data = json.loads(dry.stdout)["data"]
    assert dry.returncode == 1 and data["prune"] == [], dry.stdout
    assert len(data["failures"]) == 2 and all(  # (the two snes files left on the card)
        f.endswith(f"cannot remove: {said}") for f in data["failures"])
    folder.parent.chmod(0o555)  # (ROMS/gba is made by the run)
    copying = romrunner(world, "--json", "deploy", "1", "--to", str(card), "platform:gba",
                        "--dry-run")
    failures = json.loads(copying.stdout)["data"]["failures"]
    roms = folder.parent.relative_to(card).as_posix()
    assert copying.returncode == 1 and len(failures) == 2  # (Top and Loose: gba)
    assert all(f.endswith(f"not written: {roms} is not writable (permission denied)")
               for f in failures)
    folder.parent.chmod(0o755)
    run = romrunner(world, "--json", "deploy", "1", "--to", str(card), "platform:gba",
                    "--prune", "--force")
    assert run.returncode == 1 and json.loads(run.stdout)["data"]["failed"] == 2, run.stdout
    folder.chmod(0o755)
    (card / ".romrunner").chmod(0o555)  # (QA111 F8: "destination is not writable")
    refused = romrunner(world, "deploy", "1", "--to", str(card), "platform:snes")
    assert refused.returncode == 2
    assert f"{card / '.romrunner'}: not writable (permission denied)" in refused.stderr
    (card / ".romrunner").chmod(0o755)


def test_a_folder_deeper_than_path_max_is_one_readable_line(cli: Any, tmp_path: Path) -> None:
    """A chain of folders longer than PATH_MAX (made over SMB by Windows long-path tools) is
    a folder the scan cannot list, said in one line of readable length; --json keeps its
    whole path (QA124 F5: a 4,300-character line)."""
    root = tmp_path / "lib"
    (root / "gb").mkdir(parents=True)
    (root / "gb" / "Game (USA).gb").write_bytes(b"\x01" * 32768)
    fd = os.open(root / "gb", os.O_RDONLY)
    try:
        for level in range(40):
            name = f"{level:02d}" + "x" * 120
            os.mkdir(name, dir_fd=fd)
            inner = os.open(name, os.O_RDONLY, dir_fd=fd)
            os.close(fd)
            fd = inner
    finally:
        os.close(fd)
    assert cli("library", "add", str(root)).code == 0
    text = cli("scan", "--workers", "1")
    assert text.code == 1
    lines = [line for line in text.err.splitlines() if "cannot list folder" in line]
    assert lines and all(len(line) < 400 for line in lines), lines
    assert "…" in lines[0]
    data = cli("--json", "scan", "--workers", "1").json()["data"]
    deep = [error["path"] for error in data["errors"]]
    assert any(len(path) > 4096 for path in deep), [len(path) for path in deep]
    assert data["added"] == 0 and cli("--json", "games", "ls").json()["data"]["games"]
