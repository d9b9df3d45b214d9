"""`deploy --overwrite` names each file it replaces that is not ROM Runner's — the user's own
file, or one of ours edited on the card — in the dry run and in the run, in the same words, and
`deploy show` names them afterwards (QA7 F1: both were "copy", with no word of the user's files).
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

from romrunner.cli.deploy_cmd import _replacing
from tests.conftest import muos_profile


def _rom(path: Path, seed: str, size: int = 4096) -> bytes:
    data = hashlib.sha256(seed.encode()).digest() * (size // 32)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return data


def test_overwrite_names_each_file_it_replaces_in_the_dry_run_and_the_run(
        cli: Any, tmp_path: Path) -> None:
    root = tmp_path / "roms"
    alpha = _rom(root / "snes" / "Alpha (USA).sfc", "alpha")
    beta = _rom(root / "snes" / "Beta (USA).sfc", "beta")
    gamma = _rom(root / "snes" / "Gamma (USA).sfc", "gamma")
    muos_profile(cli, root)
    card = tmp_path / "card"
    card.mkdir()
    first = cli("deploy", "1", "--to", str(card), "title:alpha")
    assert first.code == 0, first.err
    [on_card] = [p for p in card.rglob("*.sfc")]
    folder = on_card.parent.relative_to(card).as_posix()
    edited, yours = f"{folder}/Alpha (USA).sfc", f"{folder}/Beta (USA).sfc"
    (card / edited).write_bytes(alpha + b"my save patch")  # ours, edited on the card
    (card / yours).write_bytes(b"the user's own file")  # not ours at all

    kept = cli("--json", "deploy", "1", "--to", str(card), "platform:snes", "--dry-run")
    assert kept.code == 1  # without --overwrite: two conflicts, as before
    assert sorted(kept.json()["data"]["conflicts"]) == [edited, yours]
    assert kept.json()["data"]["replace"] == []

    dry = cli("--json", "deploy", "1", "--to", str(card), "platform:snes", "--overwrite",
              "--dry-run")
    assert dry.code == 0, dry.err
    data = dry.json()["data"]
    assert data["actions"] == {"copy": 1, "replace": 2}
    expected = [{"path": edited, "reason": "edited on the card"},
                {"path": yours, "reason": "yours"}]
    assert sorted(data["replace"], key=lambda e: e["path"]) == expected
    text = cli("deploy", "1", "--to", str(card), "platform:snes", "--overwrite", "--dry-run")
    assert "would do: 1 copy, 2 replace" in text.out
    assert f"  would replace (edited on the card) {edited}\n" in text.out
    assert f"  would replace (yours) {yours}\n" in text.out
    assert (card / yours).read_bytes() == b"the user's own file"  # a dry run writes nothing

    run = cli("--json", "deploy", "1", "--to", str(card), "platform:snes", "--overwrite")
    assert run.code == 0, run.err
    summary = run.json()["data"]
    assert summary["copied"] == 3
    assert sorted(summary["replaced"], key=lambda e: e["path"]) == expected
    assert ((card / edited).read_bytes(), (card / yours).read_bytes()) == (alpha, beta)
    assert (card / folder / "Gamma (USA).sfc").read_bytes() == gamma

    (card / edited).write_bytes(alpha + b"patched again")
    (card / yours).write_bytes(b"the user's own file again")
    again = cli("deploy", "1", "--to", str(card), "platform:snes", "--overwrite")
    assert "2 copied (replacing 2 of ours edited on the card)" in again.out
    assert _replacing(expected) == " (replacing 1 of yours and 1 of ours edited on the card)"

    shown = cli("--json", "deploy", "show", str(summary["deployment_id"]))
    assert sorted(shown.json()["data"]["replaced"], key=lambda e: e["path"]) == expected
    assert shown.json()["data"]["problems"] == []
    text = cli("deploy", "show", str(summary["deployment_id"]))
    assert f"  replaced (edited on the card) {edited}\n" in text.out
    assert f"  replaced (yours) {yours}\n" in text.out


def _deployed_then_edited(cli: Any, tmp_path: Path) -> tuple[Path, str, bytes]:
    """A card given `Delta (USA).gba` by a deploy, whose copy the user then edited: the
    card, the edited file's path on it, and the library's bytes."""
    root = tmp_path / "roms"
    delta = _rom(root / "gba" / "Delta (USA).gba", "delta")
    muos_profile(cli, root)
    card = tmp_path / "card"
    card.mkdir()
    assert cli("deploy", "1", "--to", str(card), "platform:gba").code == 0
    [placed] = list(card.rglob("*.gba"))
    placed.write_bytes(b"mine")
    return card, placed.relative_to(card).as_posix(), delta


def test_the_run_says_what_it_replaced_in_its_text(cli: Any, tmp_path: Path) -> None:
    card, path, _ = _deployed_then_edited(cli, tmp_path)
    run = cli("deploy", "1", "--to", str(card), "platform:gba", "--overwrite")
    assert run.code == 0, run.err
    # (QA138 F2: "replacing files not ROM Runner's", of a copy of ours edited on the card)
    assert "1 copied (replacing 1 of ours edited on the card)" in run.out
    assert f"  replaced (edited on the card) {path}\n" in run.out


def test_resume_overwrite_of_a_runs_conflicts_names_what_it_replaced(
        cli: Any, tmp_path: Path) -> None:
    card, path, delta = _deployed_then_edited(cli, tmp_path)
    kept = cli("--json", "deploy", "1", "--to", str(card), "platform:gba")
    assert kept.code == 1 and kept.json()["data"]["replaced"] == []
    resumed = cli("--json", "deploy", "resume", str(kept.json()["data"]["deployment_id"]),
                  "--overwrite")
    assert resumed.code == 0, resumed.err
    assert resumed.json()["data"]["replaced"] == [{"path": path, "reason": "edited on the card"}]
    assert (card / path).read_bytes() == delta
