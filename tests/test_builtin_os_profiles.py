"""With no external pack, the built-in pack's OS profiles cover the common systems of the
three OSes it knows (QA: Game Boy and Mega Drive had no emulator on muOS and KNULLI, and Onion
OS had no profile at all)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.test_deploy_cli import rom

LIBRARY = {"gb/A (USA).gb": "gb", "genesis/B (USA).md": "genesis", "nes/C (USA).nes": "nes",
           "psx/D (USA).bin": "psx", "psp/E (USA).iso": "psp"}


@pytest.mark.parametrize(("device", "os_id", "left_out"), [
    ("rg-35xx-plus", "muos", set()),
    ("rg-35xx-plus", "knulli", set()),
    ("miyoo-mini-plus", "onionos", {"psp"}),  # no PSP emulator on the Miyoo Mini
])
def test_common_systems_have_an_emulator(cli: Any, tmp_path: Path, device: str, os_id: str,
                                         left_out: set[str]) -> None:
    root = tmp_path / "roms"
    for relative, seed in LIBRARY.items():
        rom(root / relative, seed)
    (root / "psx/D (USA).cue").write_text(
        'FILE "D (USA).bin" BINARY\n  TRACK 01 MODE2/2352\n    INDEX 01 00:00:00\n')
    assert cli("library", "add", str(root)).code == 0
    assert cli("scan", "--workers", "1").code == 0
    assert cli("device", "add", device).code == 0
    assert cli("profile", "create", "--device", "1", "--os", os_id).code == 0
    result = cli("--json", "autolist", "1")
    assert result.code == 0, result.err
    assert not any("no emulator profile" in w for w in result.json()["warnings"])
    games = result.json()["data"]["games"]
    assert {g["platform_id"] for g in games} == set(LIBRARY.values())
    dropped = {g["platform_id"] for g in games if not g["included"]}
    assert dropped == left_out
