"""The README's device flow as a user runs it: real processes, a scanned library, a real card."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.conftest import run_subprocess, shared_path
from tests.test_destination_scan import REAL_ROMS, SEVEN, build_card

DEVICE = {"onionos": "miyoo-mini-plus", "emudeck": "steam-deck"}


@pytest.mark.parametrize("os_id", SEVEN)
def test_scan_paths_and_autolist_for_each_os(tmp_path: Path, os_id: str) -> None:
    env = {"ROMRUNNER_DB": str(tmp_path / "rr.db"),
           "ROMRUNNER_PACK": str(shared_path("definition-pack"))}

    def run(*args: str) -> dict[str, object]:
        result = run_subprocess("--json", *args, env=env)
        assert result.code == 0, result.err
        data: dict[str, object] = json.loads(result.out)["data"]
        return data

    roms = tmp_path / "roms"
    for name in ("gba/Golden Sun (USA).gba", "snes/Chrono Trigger (USA).sfc",
                 "ps2/Gran Turismo 4 (USA).iso"):
        (roms / name).parent.mkdir(parents=True, exist_ok=True)
        (roms / name).write_bytes(name.encode() * 64)
    run("library", "add", str(roms))
    run("scan", "--workers", "1")
    card = build_card(tmp_path / "card", os_id)
    assert run("destination", "scan", str(card))["detected_os"] == os_id
    device = run("device", "add", DEVICE.get(os_id, "rg-35xx-plus"))
    profile = run("profile", "create", "--device", str(device["id"]), "--os", os_id)
    folders = run("destination", "paths", str(profile["id"]), "--to", str(card))["folders"]
    assert folders[0]["path"] == REAL_ROMS[os_id]  # type: ignore[index]
    listed = run("autolist", str(profile["id"]), "--to", str(card))
    games = {g["filename"]: g for g in listed["games"]}  # type: ignore[attr-defined]
    ps2 = games["Gran Turismo 4 (USA).iso"]  # (an OS with no PS2 folder: no_folder, QA107 F2)
    assert ps2["reason"] == ("no_folder" if ps2["target_folder"] is None
                             else "PERF_MISSING_STRICT"), ps2
    assert games["Golden Sun (USA).gba"]["target_folder"].startswith(REAL_ROMS[os_id] + "/")
    assert {g["reason"] for g in games.values()} <= {
        "INCLUDED", "PERF_MISSING_STRICT", "NO_EMULATOR_AVAILABLE", "COMPAT_MISSING_STRICT",
        "no_folder"}
