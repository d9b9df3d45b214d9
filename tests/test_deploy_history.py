"""`deploy history` / `deploy show`: a deployment killed mid-run is shown as interrupted with
the command that finishes it; one still running (its card's lock held) stays started."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from romrunner.deploy.card import TEMP_PREFIX, card_lock
from romrunner.deploy.execute import LARGE_FILE, Progress, deploy, record_deployment, resume
from romrunner.deploy.history import list_history, show_deployment
from romrunner.store.database import Database
from tests.conftest import run_subprocess
from tests.test_deploy_faults import _wait_for_files
from tests.test_deploy_support import (
    BIG_DISCS,
    Layout,
    make_library,
    start_resume,
    temp_files,
)


def test_a_killed_deploy_is_shown_as_interrupted_with_the_resume_hint(tmp_path: Path) -> None:
    run = start_resume(tmp_path)
    library, card, deployment, proc = run.library, run.card, run.deployment, run.proc
    _wait_for_files(card, proc, 2)
    assert proc.poll() is None  # 2 of 16 files of 8 MB: far from done
    proc.send_signal(signal.SIGKILL)
    proc.communicate(timeout=120)
    db_env = {"ROMRUNNER_DB": str(library.db.path)}
    history = run_subprocess("--json", "deploy", "history", env=db_env)
    assert history.code == 0, history.err
    (row,) = json.loads(history.out)["data"]
    assert (row["id"], row["status"]) == (deployment, "interrupted")
    assert row["resume_hint"] == f"romrunner deploy resume {deployment}"
    text = run_subprocess("deploy", "history", env=db_env)
    assert f"deployment {deployment} was interrupted; its counts are its records as of now" \
        in text.out
    assert f"`romrunner deploy resume {deployment}` finishes it" in text.out
    shown = run_subprocess("deploy", "show", str(deployment), env=db_env)
    assert f"deployment {deployment} (interrupted)" in shown.out
    assert f"`romrunner deploy resume {deployment}` finishes it" in shown.out
    # The database still says started: resume (with or without the id) picks it up.
    assert library.db.scalar("SELECT status FROM deployment_history WHERE id = ?",
                             (deployment,)) == "started"
    finished = run_subprocess("--json", "deploy", "resume", env=db_env)
    assert finished.code == 0, finished.err
    assert list_history(library.db)[0]["status"] == "completed"
    assert list_history(library.db)[0]["resume_hint"] is None


def test_a_killed_deploy_counts_what_its_records_say_now(tmp_path: Path) -> None:
    # QA5 #5: killed with files renamed into place, it showed copied 0 and no platform (its
    # totals are stored at a run's end). Its counts are now its rows as they are: every file
    # on the card under its name, and at most the files its kill left as temporary ones.
    # Files over LARGE_FILE: each one's start renames the one before, so the first file is in
    # place while the rest are still to copy.
    run = start_resume(tmp_path, files=dict(LARGE_DISCS))
    library, card, deployment, proc = run.library, run.card, run.deployment, run.proc
    while proc.poll() is None and not _placed(card):
        time.sleep(0.002)
    assert proc.poll() is None  # one or two of six files in place: far from done
    proc.send_signal(signal.SIGKILL)
    proc.communicate(timeout=120)
    placed, left = _placed(card), len(temp_files(card))
    copied = int(library.db.scalar("SELECT count(*) FROM deployment_items WHERE "
                                   "deployment_id = ? AND status = 'copied'", (deployment,)))
    assert placed and placed <= copied <= placed + left  # intents before renames
    db_env = {"ROMRUNNER_DB": str(library.db.path)}
    history = run_subprocess("--json", "deploy", "history", env=db_env)
    (row,) = json.loads(history.out)["data"]
    assert row["status"] == "interrupted"
    assert row["files"] == {"copied": copied, "skipped": 0, "pruned": 0, "failed": 0,
                            "conflicts": 0}
    assert row["totals_as_of_now"]
    shown = run_subprocess("--json", "deploy", "show", str(deployment), env=db_env)
    totals = json.loads(shown.out)["data"]["totals"]
    assert totals == {"psx": {"files": 6, "bytes": sum(LARGE_DISCS.values()),
                              "copied": copied, "pending": 6 - copied, "conflict": 0,
                              "failed": 0, "pruned": 0, "skipped": 0}}
    text = run_subprocess("deploy", "show", str(deployment), env=db_env).out
    assert "its counts are its records as of now" in text and "psx" in text
    # qa191 F8: the text said nothing of the files still to copy (the JSON did)
    done_bytes = int(library.db.scalar(
        "SELECT coalesce(sum(file_size), 0) FROM deployment_items WHERE deployment_id = ? "
        "AND status = 'copied'", (deployment,)))
    assert "pending" in text  # a column of the table
    assert f"{6 - copied} files ({sum(LARGE_DISCS.values()) - done_bytes:,} bytes) not done " \
        f"yet: `romrunner deploy resume {deployment}` does them" in " ".join(text.split())
    finished = run_subprocess("--json", "deploy", "resume", str(deployment), env=db_env)
    assert finished.code == 0, finished.err
    (row,) = list_history(library.db)
    assert (row["status"], row["totals_as_of_now"]) == ("completed", False)
    assert row["files"]["copied"] == _placed(card) == 6


LARGE_DISCS = {f"psx/Large {n} (USA).iso": LARGE_FILE + 8 * 1024**2 + n for n in range(6)}


def _placed(card: Path) -> int:
    """Files on the card under their final names (counted by name, not read: a running
    deploy renames its temporary files meanwhile)."""
    return sum(1 for p in card.rglob("*") if not p.name.startswith(TEMP_PREFIX)
               and ".romrunner" not in p.relative_to(card).parts and p.is_file())


def test_a_deploy_whose_card_lock_is_held_stays_started(tmp_path: Path) -> None:
    library = make_library(tmp_path)
    card = tmp_path / "card"
    card.mkdir()
    deployment = record_deployment(library.db, library.plan(Layout(card)),
                                   profile_id=library.profile_id)
    with card_lock(card):  # a real flock: what a running deploy holds
        assert list_history(library.db)[0]["status"] == "started"
        assert show_deployment(library.db, deployment)["resume_hint"] is None
    assert list_history(library.db)[0]["status"] == "interrupted"
    assert show_deployment(library.db, deployment)["status"] == "interrupted"


def test_history_of_a_card_without_a_lock_file_writes_nothing_there(tmp_path: Path) -> None:
    library = make_library(tmp_path)
    card = tmp_path / "card"
    card.mkdir()
    record_deployment(library.db, library.plan(Layout(card)), profile_id=library.profile_id)
    (card / ".romrunner" / "lock").unlink()
    before = sorted(p.name for p in (card / ".romrunner").iterdir())
    assert list_history(library.db)[0]["status"] == "interrupted"
    assert sorted(p.name for p in (card / ".romrunner").iterdir()) == before


def _manifest_reads(db: Database, read: Callable[[], object]) -> int:
    """How many statements ``read`` runs that read a deployment's record (its manifest:
    every item of its plan, megabytes for a large one)."""
    statements: list[str] = []
    db.conn.set_trace_callback(statements.append)
    try:
        read()
    finally:
        db.conn.set_trace_callback(None)
    return sum("manifest_json" in statement for statement in statements)


PAUSED_RESUME = """
import os, signal, sys
from romrunner.deploy.execute import resume
from romrunner.store.database import Database

def pause(progress):  # before the last file: the ones before the one before it in place
    if progress.files_done == progress.files_total - 1:
        print("paused", flush=True)
        os.kill(os.getpid(), signal.SIGSTOP)

resume(Database(sys.argv[1]), int(sys.argv[2]), progress=pause)
"""


def test_an_ended_run_shows_its_stored_totals_and_a_killed_resume_of_it_its_rows_now(
        tmp_path: Path) -> None:
    # Review #4: history and show counted every run not completed again from its record (a
    # JSON of every item: 24 MB and 0.4 s for 100k files), once per history row. A run that
    # ended (failed, cancelled) stored exactly those totals; only one still recorded as
    # started (killed, or running) is counted now, its record read once.
    library = make_library(tmp_path, dict(LARGE_DISCS))  # each one's start renames the last
    card = tmp_path / "card"
    card.mkdir()

    def interrupt(progress: Progress) -> None:
        if progress.files_done == 2:
            raise KeyboardInterrupt  # Ctrl-C: the run ends as cancelled

    first = deploy(library.db, library.plan(Layout(card)), profile_id=library.profile_id,
                   progress=interrupt)
    assert (first.status, first.copied) == ("cancelled", 2)
    deployment = first.deployment_id
    stored = json.loads(library.db.scalar(
        "SELECT totals_json FROM deployment_history WHERE id = ?", (deployment,)))
    assert stored["psx"]["pending"] == len(LARGE_DISCS) - first.copied
    assert _manifest_reads(library.db, lambda: list_history(library.db)) == 0
    (row,) = list_history(library.db)
    assert (row["status"], row["totals_as_of_now"], row["totals"]) == (
        "cancelled", False, stored)
    assert row["files"]["copied"] == first.copied
    assert row["resume_hint"] == f"romrunner deploy resume {deployment}"
    # show reads the record once, for its pending items' actions.
    assert _manifest_reads(library.db, lambda: show_deployment(library.db, deployment)) == 1
    counts = show_deployment(library.db, deployment)["counts"]
    assert {(c["action"], c["status"]): c["files"] for c in counts} == {
        ("copy", "copied"): first.copied, ("copy", "pending"): len(LARGE_DISCS) - first.copied}
    # A resume of it, killed: running again, so interrupted, and counted from its rows now.
    # The resume (a real process) stops itself before its last file (the one before it
    # copied, waiting for its batch to be renamed as the last one starts), until it is
    # killed there.
    proc = subprocess.Popen([sys.executable, "-c", PAUSED_RESUME, str(library.db.path),
                             str(deployment)],
                            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    assert proc.stdout is not None and proc.stdout.readline().strip() == "paused"
    proc.send_signal(signal.SIGKILL)
    proc.communicate(timeout=120)
    copied = int(library.db.scalar("SELECT count(*) FROM deployment_items WHERE "
                                   "deployment_id = ? AND status = 'copied'", (deployment,)))
    (row,) = list_history(library.db)
    assert (row["status"], row["totals_as_of_now"]) == ("interrupted", True)
    assert copied == _placed(card) == len(LARGE_DISCS) - 2
    assert row["files"]["copied"] == copied
    assert row["resume_hint"] == f"romrunner deploy resume {deployment}"
    assert _manifest_reads(library.db, lambda: show_deployment(library.db, deployment)) == 1
    shown = show_deployment(library.db, deployment)
    assert shown["status"] == "interrupted" and shown["error_message"] is None
    assert shown["totals"]["psx"]["pending"] == len(LARGE_DISCS) - copied
    # Finished: its stored totals, and nothing pending to read the record for.
    again = resume(library.db, deployment)
    assert again.status == "completed"
    assert _manifest_reads(library.db, lambda: show_deployment(library.db, deployment)) == 0
    (row,) = list_history(library.db)
    assert (row["status"], row["totals_as_of_now"]) == ("completed", False)
    assert row["files"]["copied"] == len(LARGE_DISCS)


def test_a_card_given_by_a_relative_path_is_recorded_by_its_full_path(
        cli: Any, tmp_path: Path, db_path: Path) -> None:
    """QA18 C4: `--to card` was stored as typed, so `deploy resume` run from another folder
    said the card was not mounted (or took another folder of that name for a wrong card)."""
    from tests.conftest import muos_profile, run_subprocess
    from tests.test_deploy_cli import rom

    root = tmp_path / "lib"
    rom(root / "gb/Alpha (USA).gb", "alpha", 4096)
    muos_profile(cli, root)
    (tmp_path / "card").mkdir()
    done = run_subprocess("--db", str(db_path), "deploy", "1", "--to", "card", "platform:gb",
                          cwd=tmp_path)
    assert done.code == 0, done.err
    (row,) = run_subprocess("--db", str(db_path), "--json", "deploy", "history",
                            cwd=Path("/")).json()["data"]
    assert row["destination_path"] == str(tmp_path / "card")


def test_a_resume_says_its_own_files_and_the_deployments_in_all(
        cli: Any, tmp_path: Path, db_path: Path) -> None:
    """QA18 M7: `deploy resume` said "completed: 1 copied" under the words of a whole run,
    while `deploy history` counted 2 for the deployment."""
    from tests.conftest import muos_profile
    from tests.test_deploy_cli import rom

    root = tmp_path / "lib"
    rom(root / "snes/Sky Pilot (USA).sfc", "sky", 4096)
    rom(root / "gb/Alpha (USA).gb", "alpha", 4096)
    muos_profile(cli, root)
    for as_json in (True, False):
        card = tmp_path / f"card{as_json}"
        (card / "ROMS").mkdir(parents=True)
        (card / "ROMS" / "gb").write_bytes(b"in the way")
        first = cli("--json", "deploy", "1", "--to", str(card), "platform:snes,gb")
        assert first.code == 1 and first.json()["data"]["copied"] == 1, first.out
        deployment = first.json()["data"]["deployment_id"]
        (card / "ROMS" / "gb").unlink()
        if as_json:
            resumed = cli("--json", "deploy", "resume", str(deployment))
            assert resumed.code == 0, resumed.err
            data = resumed.json()["data"]
            assert data["copied"] == 1 and data["in_all"]["copied"] == 2
        else:
            said = cli("deploy", "resume", str(deployment))
            assert said.code == 0, said.err
            assert "completed: 1 copied" in said.out
            assert "(this run; the deployment in all: 2 copied" in " ".join(said.out.split())
        row = next(r for r in cli("--json", "deploy", "history").json()["data"]
                   if r["id"] == deployment)
        assert row["files"]["copied"] == 2


def test_a_killed_deploy_a_later_one_to_its_card_superseded_says_so_and_is_not_resumed(
        tmp_path: Path) -> None:
    """QA178 F10: a deploy killed mid-run, then a deploy of its profile to the same card with
    fewer games completed: history and show still said "`deploy resume ID` finishes it"
    (while `deploy resume` said there was nothing to resume), and resuming it by its id
    copied the games the later deploy left out."""
    run = start_resume(tmp_path)
    library, card, deployment, proc = run.library, run.card, run.deployment, run.proc
    _wait_for_files(card, proc, 2)
    proc.send_signal(signal.SIGKILL)
    proc.communicate(timeout=120)
    kept = library.game_ids()[:1]
    later = deploy(library.db, library.plan(Layout(card), kept), profile_id=library.profile_id)
    assert later.status == "completed"
    on_card = sorted(p.name for p in card.rglob("*.iso"))
    db_env = {"ROMRUNNER_DB": str(library.db.path)}
    words = (f"deployment {deployment} was superseded by deployment {later.deployment_id}, a "
             "later deploy of its profile to its card that completed: resuming "
             f"{deployment} would put back what {later.deployment_id} left out")
    rows = json.loads(run_subprocess("--json", "deploy", "history", env=db_env).out)["data"]
    row = next(row for row in rows if row["id"] == deployment)
    assert (row["status"], row["resume_hint"], row["superseded_by"]) == (
        "interrupted", None, later.deployment_id)
    for args in (("deploy", "history"), ("deploy", "show", str(deployment))):
        text = run_subprocess(*args, env=db_env)
        assert text.code == 0, text.err
        assert words in text.out and "finishes it" not in text.out, text.out
    unnamed = run_subprocess("deploy", "resume", env=db_env)
    assert unnamed.code != 0 and "no unfinished deployment to resume" in unnamed.err
    named = run_subprocess("deploy", "resume", str(deployment), env=db_env)
    assert named.code != 0
    assert f"{words}: nothing to resume; nothing was changed" in named.err, named.err
    assert sorted(p.name for p in card.rglob("*.iso")) == on_card



def test_a_run_on_another_card_mounted_at_the_same_path_supersedes_nothing(
        tmp_path: Path) -> None:
    """review38b F1: a run killed on card A, then card B mounted at the same path and
    deployed to in full: A's run was said superseded by B's, and `deploy resume ID` refused
    it once A was back. Two cards (their ids) are two cards."""
    run = start_resume(tmp_path)
    library, card, deployment, proc = run.library, run.card, run.deployment, run.proc
    _wait_for_files(card, proc, 2)
    proc.send_signal(signal.SIGKILL)
    proc.communicate(timeout=120)
    card.rename(tmp_path / "card-a")  # (card A out, card B in at the same path)
    card.mkdir()
    later = deploy(library.db, library.plan(Layout(card), library.game_ids()[:1]),
                   profile_id=library.profile_id)
    assert later.status == "completed"
    card.rename(tmp_path / "card-b")
    (tmp_path / "card-a").rename(card)
    db_env = {"ROMRUNNER_DB": str(library.db.path)}
    rows = json.loads(run_subprocess("--json", "deploy", "history", env=db_env).out)["data"]
    row = next(row for row in rows if row["id"] == deployment)
    assert (row["status"], row["superseded_by"]) == ("interrupted", None), row
    assert row["resume_hint"] == f"romrunner deploy resume {deployment}"
    resumed = run_subprocess("deploy", "resume", str(deployment), env=db_env)
    assert resumed.code == 0, resumed.err


def test_a_killed_deploy_another_profiles_deploy_to_its_card_followed_is_resumed_unnamed(
        tmp_path: Path) -> None:
    """qa181 N4: a deploy killed mid-run, then another profile's deploy to the same card
    completed: history and show said "`deploy resume ID` finishes it" (another profile's
    games supersede nothing), while `deploy resume` without the id said there was nothing
    to resume. It takes up the run history offers."""
    run = start_resume(tmp_path)
    library, card, deployment, proc = run.library, run.card, run.deployment, run.proc
    _wait_for_files(card, proc, 2)
    proc.send_signal(signal.SIGKILL)
    proc.communicate(timeout=120)
    with library.db.atomic():
        other = int(library.db.execute(
            "INSERT INTO device_profiles (device_row_id, os_id) SELECT device_row_id, "
            "'knulli' FROM device_profiles WHERE id = ?", (library.profile_id,)).lastrowid or 0)
    later = deploy(library.db, library.plan(Layout(card), library.game_ids()[:1]),
                   profile_id=other)
    assert later.status == "completed"
    db_env = {"ROMRUNNER_DB": str(library.db.path)}
    rows = json.loads(run_subprocess("--json", "deploy", "history", env=db_env).out)["data"]
    row = next(row for row in rows if row["id"] == deployment)
    assert (row["status"], row["resume_hint"]) == (
        "interrupted", f"romrunner deploy resume {deployment}"), row
    resumed = run_subprocess("--json", "deploy", "resume", env=db_env)
    assert resumed.code == 0, resumed.err
    assert json.loads(resumed.out)["data"]["deployment_id"] == deployment
    assert library.db.scalar("SELECT status FROM deployment_history WHERE id = ?",
                             (deployment,)) == "completed"
    assert len(list(card.rglob("*.iso"))) == len(BIG_DISCS)
