"""What a deploy's plan says of a platform with no verified BIOS (qa196 F5: "for one of
scph5501.bin", one of a list of one, and no word of how to verify the BIOS one has)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from tests.conftest import muos_profile


def test_a_single_missing_bios_is_named_alone_with_the_way_to_verify_one(
        cli: Any, tmp_path: Path) -> None:
    root = tmp_path / "roms"
    (root / "psx").mkdir(parents=True)
    (root / "psx" / "Game (USA).cue").write_text(
        'FILE "Game (USA).bin" BINARY\n  TRACK 01 MODE2/2352\n    INDEX 01 00:00:00\n')
    (root / "psx" / "Game (USA).bin").write_bytes(b"\x07" * 2352 * 4)
    muos_profile(cli, root)
    card = tmp_path / "card"
    card.mkdir()
    dry = cli("--json", "deploy", "1", "--to", card, "--auto", "--dry-run")
    assert dry.code == 0, dry.err
    (said,) = [w["message"] for w in dry.json()["data"]["plan"]["warnings"]
               if w["code"] == "missing-bios" and w["platform_id"] == "psx"]
    # (the built-in pack knows one name of the PlayStation BIOS: `bios check` lists it)
    assert "psx: no verified BIOS in the library for scph5501.bin (will not run)" in said, said
    assert "`romrunner bios scan FOLDER` verifies the BIOS files you have" in said, said
