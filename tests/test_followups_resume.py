"""`deploy resume` onto a blank card swapped in at the deployment's path is refused (QA #17):
kill -9 a deploy, put a card with no ``.romrunner/`` there, resume — one line, exit 2, nothing
written; the real card put back is finished."""

from __future__ import annotations

import signal
import subprocess
import time
from pathlib import Path

from romrunner.deploy.card import TEMP_PREFIX
from romrunner.deploy.execute import record_deployment
from tests.test_deploy_faults import expected_card, resume_cli
from tests.test_deploy_support import Layout, card_files, make_library, start_resume, temp_files


def _finished_files(card: Path) -> int:
    """Files under their final name (renamed only after their batch's record committed)."""
    return sum(1 for p in card.rglob("*") if p.is_file() and ".romrunner" not in p.parts
               and not p.name.startswith(TEMP_PREFIX))


def test_resume_refuses_a_blank_card_where_the_deployment_had_written(tmp_path: Path) -> None:
    run = start_resume(tmp_path, output=subprocess.DEVNULL)
    library, card, deployment, proc = run.library, run.card, run.deployment, run.proc
    while proc.poll() is None and _finished_files(card) < 1:
        time.sleep(0.002)
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=60)
    assert proc.returncode == -signal.SIGKILL  # killed mid-run, not finished
    status = library.db.scalar("SELECT status FROM deployment_history WHERE id = ?",
                               (deployment,))
    assert status == "started"
    card.rename(tmp_path / "real-card")
    card.mkdir()  # another card at the same path: no .romrunner/, a photo of the user's
    (card / "photo.jpg").write_bytes(b"\xff\xd8 a photo")
    code, out, err = resume_cli(library, str(deployment))
    assert code == 2, out
    lines = err.strip().splitlines()
    assert len(lines) == 1 and str(card) in lines[0] and "destination-id" in lines[0], err
    expected_id = (tmp_path / "real-card/.romrunner/destination-id").read_text().strip()
    assert expected_id in lines[0]
    assert sorted(p.name for p in card.rglob("*")) == ["photo.jpg"]  # nothing written
    card.rename(tmp_path / "blank-card")
    (tmp_path / "real-card").rename(card)  # the real card back: finished
    code, _, err = resume_cli(library, str(deployment))
    assert code == 0, err
    assert card_files(card) == expected_card(library, card) and not temp_files(card)


def test_a_folder_without_the_cards_id_is_refused_even_before_a_file_was_written(
        tmp_path: Path) -> None:
    """A deploy writes the card's id before it records the deployment, so a folder without
    it is not the card, even when no file was done yet (QA25 F5: the empty mount point a
    pulled card left was given the whole deployment, "completed"; that resume was allowed
    on purpose before). `--to` names the card where it is mounted now."""
    library = make_library(tmp_path)
    card = tmp_path / "card"
    card.mkdir()
    deployment = record_deployment(library.db, library.plan(Layout(card)),
                                   profile_id=library.profile_id)
    real = tmp_path / "media" / "CARD1"
    real.parent.mkdir()
    card.rename(real)  # mounted at another path now
    card.mkdir()  # the empty mount point left behind
    code, _, err = resume_cli(library, str(deployment))
    assert code == 2 and "destination-id" in err and "--to" in err, err
    assert list(card.iterdir()) == []
    card.rmdir()  # (QA162 F10: no folder at all there: "is the card mounted?" alone)
    code, _, err = resume_cli(library, str(deployment))
    assert code == 2 and f"deploy resume {deployment} --to ITS_PATH" in err, err
    card.mkdir()
    code, _, err = resume_cli(library, str(deployment), "--to", str(real))
    assert code == 0, err
    assert card_files(real) == expected_card(library, real) and list(card.iterdir()) == []
    shown = library.db.scalar("SELECT destination_path FROM deployment_history WHERE id = ?",
                              (deployment,))
    assert shown == str(real)
