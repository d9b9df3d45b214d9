"""Ctrl-C during a deploy: the run stops, says which deployment to resume (text and JSON),
exits 130, and `deploy resume` finishes the card (QA: the id was not given)."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from pathlib import Path

from romrunner.deploy.execute import DeployOptions, record_deployment
from tests.test_deploy_faults import _files_on, _wait_for_files, expected_card, resume_cli
from tests.test_deploy_support import Layout, card_files, make_library, temp_files


def test_ctrl_c_says_which_deployment_to_resume(tmp_path: Path) -> None:
    files: dict[str, int | bytes] = {f"psx/Big {n} (USA).iso": 8_000_000 + n for n in range(16)}
    library = make_library(tmp_path, files)
    card = tmp_path / "card"
    card.mkdir()
    deployment = record_deployment(library.db, library.plan(Layout(card)),
                                   profile_id=library.profile_id, options=DeployOptions())
    env = {**os.environ, "ROMRUNNER_DB": str(library.db.path)}
    proc = subprocess.Popen([sys.executable, "-m", "romrunner.cli.main", "--json", "deploy",
                             "resume", str(deployment)], env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
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
    assert _files_on(card) < len(files)
    code, _, resume_err = resume_cli(library, str(deployment))
    assert code == 0, resume_err
    assert card_files(card) == expected_card(library, card)
    assert not temp_files(card)
