"""`deploy resume ID --overwrite` of a completed deployment left a file it had copied that the
user edited on the card since, called it "another version on the card now", and said a new
deploy would write its own version — which then kept it as a conflict (review52d F3). With
--overwrite it is replaced, as it was before resumes of completed runs left their copies;
without it, the edited copy is kept.

Real directory trees, real SQLite, the CLI in-process."""

from __future__ import annotations

from pathlib import Path
from typing import Any

NAMES = ("Alpha (USA).gb", "Beta (USA).gb", "Gamma (USA).gb")


def _completed_with_a_conflict(cli: Any, tmp_path: Path) -> tuple[Path, int, Path]:
    """Three games, the user's own file at Gamma's path: deployed, completed with 2 copied
    and 1 conflict; then Alpha's copy edited on the card. The card, the run, Alpha's copy."""
    lib, card = tmp_path / "lib" / "gb", tmp_path / "card"
    lib.mkdir(parents=True)
    for i, name in enumerate(NAMES):
        (lib / name).write_bytes(bytes([i + 1]) * 4096 + bytes(range(256)) * (i + 1))
    card.mkdir()
    for args in (("library", "add", tmp_path / "lib"), ("scan", "--workers", "1"),
                 ("device", "add", "rg-35xx-plus"),
                 ("profile", "create", "--device", "1", "--os", "knulli")):
        assert cli(*args).code == 0, args
    gamma = "roms/gb/Gamma (USA).gb"  # (KNULLI's Game Boy folder)
    (card / gamma).parent.mkdir(parents=True, exist_ok=True)
    (card / gamma).write_bytes(b"the user's own\n")
    first = cli("--json", "deploy", "1", "--to", card, "--auto")
    data = first.json()["data"]
    assert (data["copied"], data["conflicts"]) == (2, 1), first.out
    assert (card / gamma).read_bytes() == b"the user's own\n"
    (alpha,) = card.rglob("Alpha (USA).gb")
    with alpha.open("ab") as handle:
        handle.write(b"my edit")
    return card, int(data["deployment_id"]), alpha


def test_a_resume_with_overwrite_replaces_a_copy_edited_on_the_card(
        cli: Any, tmp_path: Path) -> None:
    card, deployment, alpha = _completed_with_a_conflict(cli, tmp_path)
    library = tmp_path / "lib" / "gb" / "Alpha (USA).gb"
    resumed = cli("deploy", "resume", str(deployment), "--overwrite")
    assert resumed.code == 0, resumed.err
    assert "another version on the card now" not in resumed.out + resumed.err, resumed.err
    assert alpha.read_bytes() == library.read_bytes()
    again = cli("--json", "deploy", "1", "--to", card, "--auto")
    assert again.code == 0 and again.json()["data"]["conflicts"] == 0, again.out
