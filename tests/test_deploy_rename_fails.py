"""A rename the card refuses for one file (QA5 #2) is that file's failure alone, named by its
own path; the rest of its batch goes in, the run goes on, and no file is recorded copied that
is not on the card under its name — so `deploy history`/`show` count what the card holds.

The refusal is real: a Latin-1 name (one byte per letter in the library) becomes UTF-8 on the
card (two bytes per ``é``): legal for FAT32's 255 UTF-16 units, but too long for this card's
file system (255 bytes), so the rename of its temporary file fails with ENAMETOOLONG — an error
that is not the card's (not full, read-only or gone), like a name FUSE, SMB or MTP refuse.
"""

from __future__ import annotations

import errno
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from romrunner.deploy import execute
from romrunner.deploy.execute import deploy, record_deployment, resume
from romrunner.library.summary import os_path
from romrunner.store.database import Database
from tests.conftest import run_subprocess
from tests.test_deploy_support import Layout, Library, card_files, make_library, temp_files

BAD = b"B " + b"\xe9" * 200 + b" (USA).sfc"  # 210 bytes in the library
BAD_DEST = "Roms/snes/B " + "\u00e9" * 200 + " (USA).sfc"  # 410 bytes on the card
SMALL = {f"snes/{letter} (USA).sfc": 4096 + n for n, letter in enumerate("ACE")}
LARGE = "snes/D (USA).sfc"  # after the refused one: its batch is committed before it


def _library(tmp_path: Path, large: bool) -> Library:
    if os.uname().sysname != "Linux":
        pytest.skip("needs a file system that stores names as bytes")
    snes = tmp_path / "lib" / "snes"
    snes.mkdir(parents=True)
    with open(os.fsencode(snes) + b"/" + BAD, "wb") as handle:
        handle.write(b"\x01" * 4096)
    if large:
        with open(tmp_path / "lib" / LARGE, "wb") as handle:  # sparse, over LARGE_FILE
            handle.write(b"\x02" * 4096)
            handle.truncate(execute.LARGE_FILE + 1024 * 1024)
    probe = tmp_path / "card"
    probe.mkdir()
    try:
        (probe / BAD_DEST.rpartition("/")[2]).touch()
    except OSError as exc:
        if exc.errno != errno.ENAMETOOLONG:
            raise
    else:
        pytest.skip("this file system takes names over 255 bytes")
    return make_library(tmp_path, dict(SMALL))


def _good(library: Library, card: Path) -> dict[str, bytes]:
    """What the card must hold: every planned file but the refused one, byte for byte."""
    return {item.dest: Path(os_path(item.source)).read_bytes()
            for item in library.plan(Layout(card)).items if item.dest != BAD_DEST}


def _copied_rows_are_on_the_card(db: Database, deployment: int, card: Path) -> None:
    """Every row that says copied names a file on the card under its name, as written."""
    for dest, size, mtime_ns in db.query(
            "SELECT dest_path, file_size, dest_mtime_ns FROM deployment_items "
            "WHERE deployment_id = ? AND status = 'copied'", (deployment,)):
        info = (card / dest).stat()
        assert (info.st_size, info.st_mtime_ns) == (size, mtime_ns), dest


def _only_the_refused_one_failed(errors: list[dict[str, Any]]) -> None:
    (error,) = errors
    assert error["path"] == BAD_DEST and error["status"] == "failed"
    assert error["error"].startswith(f"{BAD_DEST}: not written")
    assert os.strerror(errno.ENAMETOOLONG) in error["error"]


def _history_matches(library: Library, card: Path, deployment: int, good: int,
                     copied: int) -> None:
    """`deploy history` and `deploy show` (real subprocesses) count what the card holds."""
    env = {"ROMRUNNER_DB": str(library.db.path)}
    history = run_subprocess("--json", "deploy", "history", env=env)
    assert history.code == 0, history.err
    (row,) = [r for r in json.loads(history.out)["data"] if r["id"] == deployment]
    assert row["files"] == {"copied": copied, "skipped": good - copied, "pruned": 0,
                            "failed": 1, "conflicts": 0}
    shown = run_subprocess("--json", "deploy", "show", str(deployment), env=env)
    assert shown.code == 0, shown.err
    snes = json.loads(shown.out)["data"]["totals"]["snes"]
    assert (snes["files"], snes.get("copied", 0), snes["failed"]) == (good + 1, copied, 1)
    assert len(card_files(card)) == good


@pytest.mark.parametrize("large", [True, False], ids=["mid-run", "end-of-run"])
def test_a_rename_the_card_refuses_fails_that_file_alone_run_after_run(
        tmp_path: Path, large: bool) -> None:
    library = _library(tmp_path, large)
    card = tmp_path / "card"
    good = _good(library, card)
    assert len(good) == (4 if large else 3)
    # The first run: `romrunner deploy resume` of a deployment recorded for this card.
    first = record_deployment(library.db, library.plan(Layout(card)),
                              profile_id=library.profile_id)
    ran = run_subprocess("--json", "deploy", "resume", str(first),
                         env={"ROMRUNNER_DB": str(library.db.path)})
    assert ran.code == 1, ran.err  # files failed; the run was not stopped
    data = json.loads(ran.out)["data"]
    assert (data["status"], data["copied"], data["failed"], data["stopped"]) == (
        "completed", len(good), 1, None)
    _only_the_refused_one_failed(data["errors"])
    assert card_files(card) == good and not temp_files(card)
    _copied_rows_are_on_the_card(library.db, first, card)
    assert library.db.scalar("SELECT status FROM deployment_items WHERE deployment_id = ? "
                             "AND dest_path = ?", (first, BAD_DEST)) == "failed"
    _history_matches(library, card, first, len(good), len(good))
    # A second deploy: the good files are there already; the refused one fails again.
    second = deploy(library.db, library.plan(Layout(card)), profile_id=library.profile_id)
    assert (second.status, second.copied, second.skipped, second.failed) == (
        "completed", 0, len(good), 1)
    _only_the_refused_one_failed(second.errors)
    # And a resume of it: the refused one is tried again, by its own name, and nothing else.
    again = resume(library.db, second.deployment_id)
    assert (again.status, again.copied, again.failed, again.stopped) == ("completed", 0, 1, None)
    _only_the_refused_one_failed(again.errors)
    assert card_files(card) == good and not temp_files(card)
    _copied_rows_are_on_the_card(library.db, second.deployment_id, card)
    _history_matches(library, card, second.deployment_id, len(good), 0)


# The child process of the test below: `romrunner` whose card answers an fsync of the folder
# Roms/snes with EIO (a card failing under the renames). The kernel gives no way to make a
# folder's fsync fail alone here (no device mapper, no FUSE binding), so that one call is
# made to fail; the rename refused before it is real (ENAMETOOLONG).
_FOLDER_FSYNC_EIO = """
import errno, os, stat, sys
real_fsync = os.fsync
def fsync(fd):
    if stat.S_ISDIR(os.fstat(fd).st_mode) and \\
            os.readlink(f"/proc/self/fd/{fd}").endswith("/card/Roms/snes"):
        raise OSError(errno.EIO, os.strerror(errno.EIO))
    real_fsync(fd)
os.fsync = fsync
from romrunner.cli.main import main
sys.exit(main())
"""


@pytest.mark.parametrize("large", [True, False], ids=["mid-run", "end-of-run"])
def test_a_folder_the_card_cannot_sync_after_a_refused_rename_stops_the_run_cleanly(
        tmp_path: Path, large: bool) -> None:
    # Review #7: after a refused rename the batch's folder is fsynced at once; an EIO there
    # left the run as `internal error: OSError` (exit 2) with its row still 'started'.
    library = _library(tmp_path, large)
    card = tmp_path / "card"
    good = _good(library, card)
    first = record_deployment(library.db, library.plan(Layout(card)),
                              profile_id=library.profile_id)
    env = {**os.environ, "ROMRUNNER_DB": str(library.db.path)}
    ran = subprocess.run([sys.executable, "-c", _FOLDER_FSYNC_EIO, "deploy", "resume",
                          str(first)], capture_output=True, text=True, env=env, timeout=300)
    assert ran.returncode == 2, ran.stderr  # stopped early
    assert "internal error" not in ran.stderr and "Traceback" not in ran.stderr
    message = f"error: {card}: cannot make the renames in Roms/snes durable " \
              f"({os.strerror(errno.EIO)}); check the card and run `romrunner deploy " \
              f"resume {first}`"
    assert ran.stderr.splitlines()[-1] == message
    row = library.db.query_one("SELECT status, error_message FROM deployment_history "
                               "WHERE id = ?", (first,))
    assert (row["status"], f"error: {row['error_message']}") == ("failed", message)
    assert not temp_files(card)
    _copied_rows_are_on_the_card(library.db, first, card)
    # The card answers again: the resume finishes it; the refused file fails as before.
    again = resume(library.db, first)
    assert (again.status, again.stopped) == ("completed", None)
    _only_the_refused_one_failed(again.errors)
    assert card_files(card) == good and not temp_files(card)
    _copied_rows_are_on_the_card(library.db, first, card)
