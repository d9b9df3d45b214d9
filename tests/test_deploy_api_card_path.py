"""The Python API given the card by a relative path: the deployment is recorded by the card's
full path, and its earlier deploys are found by it too — a prune after the card lost its
``.romrunner/`` pruned nothing when the path was relative (bench37 #4; the CLI passes full
paths). Real database, library and card folder."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from romrunner.deploy.execute import DeployOptions, deploy, preview
from tests.test_deploy_support import Layout, card_files, make_library


def test_a_prune_through_a_relative_card_path_after_a_lost_romrunner_folder(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    library = make_library(tmp_path)
    (tmp_path / "card").mkdir()
    monkeypatch.chdir(tmp_path)
    card = Path("card")  # (relative: as a script calling the API may give it)
    first = deploy(library.db, library.plan(Layout(card)), profile_id=library.profile_id)
    assert first.status == "completed" and first.copied == 4
    shutil.rmtree(tmp_path / "card" / ".romrunner")
    kept = library.game_ids()[:1]
    dry = preview(library.db, library.plan(Layout(card), kept), DeployOptions(prune=True),
                  profile_id=library.profile_id)
    assert len(dry["prune"]) == 3, dry
    summary = deploy(library.db, library.plan(Layout(card), kept),
                     profile_id=library.profile_id, options=DeployOptions(prune=True))
    assert summary.status == "completed" and summary.pruned == 3, summary
    assert len(card_files(tmp_path / "card")) == 1
    assert summary.destination == str(tmp_path / "card")
