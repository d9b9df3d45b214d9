"""Ctrl-C during a deploy: the run stops, says which deployment to resume (text and JSON),
exits 130, and `deploy resume` finishes the card (QA: the id was not given)."""

from __future__ import annotations

import json
import signal
from pathlib import Path

from tests.test_deploy_faults import _files_on, _wait_for_files, expected_card, resume_cli
from tests.test_deploy_support import BIG_DISCS, card_files, start_resume, temp_files


def test_ctrl_c_says_which_deployment_to_resume(tmp_path: Path) -> None:
    run = start_resume(tmp_path, "--json")
    library, card, deployment, proc = run.library, run.card, run.deployment, run.proc
    _wait_for_files(card, proc, 2)
    assert proc.poll() is None  # 2 of 16 files of 8 MB: far from done
    proc.send_signal(signal.SIGINT)
    out, err = proc.communicate(timeout=120)
    assert proc.returncode == 130, err
    envelope = json.loads(out)
    assert envelope["ok"] is False
    assert envelope["data"]["deployment_id"] == deployment
    assert envelope["data"]["status"] == "cancelled"
    assert f"romrunner deploy resume {deployment}" in envelope["errors"][0]
    assert b"Traceback" not in err
    # (on stderr too, as every command says it: QA116 F2, nothing was said there)
    assert err.decode().strip().endswith(
        f"interrupted: deployment {deployment}: `romrunner deploy resume {deployment}` finishes "
        "it without recopying what is done")
    assert _files_on(card) < len(BIG_DISCS)
    code, _, resume_err = resume_cli(library, str(deployment))
    assert code == 0, resume_err
    assert card_files(card) == expected_card(library, card)
    assert not temp_files(card)
