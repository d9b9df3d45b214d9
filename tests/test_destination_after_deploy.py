"""A card we laid out is recognised by a destination scan as the OS we deployed for, though it
has none of the OS's own files yet (QA: `--expect-os muos` rejected our own muOS card)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.conftest import shared_path
from tests.test_deploy_cli import rom


@pytest.mark.parametrize("os_id", ["muos", "knulli", "onionos"])
def test_a_card_we_deployed_is_recognised(cli: Any, tmp_path: Path, os_id: str) -> None:
    pack = str(shared_path("definition-pack"))

    def run(*args: str) -> Any:
        return cli("--pack", pack, *args)

    root = tmp_path / "roms"
    rom(root / "gba/Pocket Quest (Europe).gba", "c")
    assert run("library", "add", str(root)).code == 0
    assert run("scan", "--workers", "1").code == 0
    assert run("device", "add", "rg-35xx-plus").code == 0
    assert run("profile", "create", "--device", "1", "--os", os_id).code == 0
    card = tmp_path / "card"
    card.mkdir()
    before = run("--json", "destination", "scan", str(card)).json()["data"]
    assert before["detected_os"] is None  # an empty folder
    assert run("deploy", "1", "--to", str(card), "platform:gba").code == 0

    scanned = run("--json", "destination", "scan", str(card))
    assert scanned.code == 0, scanned.err
    assert scanned.json()["data"]["detected_os"] == os_id
    expected = run("--json", "destination", "scan", str(card), "--expect-os", os_id)
    assert expected.code == 0, expected.err
    codes = {f["type"] for f in expected.json()["data"]["findings"]}
    assert "different_os" not in codes and "ambiguous" not in codes
