"""`deploy history` / `deploy show`: a deployment killed mid-run is shown as interrupted with
the command that finishes it; one still running (its card's lock held) stays started."""

from __future__ import annotations

import json
import signal
from pathlib import Path

from romrunner.deploy.card import card_lock
from romrunner.deploy.execute import record_deployment
from romrunner.deploy.history import list_history, show_deployment
from tests.conftest import run_subprocess
from tests.test_deploy_faults import _wait_for_files
from tests.test_deploy_support import Layout, make_library, start_resume


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
    assert f"deployment {deployment} was interrupted; `romrunner deploy resume " \
           f"{deployment}` finishes it" in text.out
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
