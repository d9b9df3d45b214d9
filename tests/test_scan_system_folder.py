"""RetroArch's BIOS folder `system/` at the top of a library root holds BIOS files, never
games, as `bios/` does (qa182: verified BIOS dumps there became games of undecided platform,
and the scan advised `games set-platform` for them); deeper, `system` is a folder like any."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

BIOS = bytes(range(256)) * 2048  # 512 KiB, a PSX BIOS's size


def _library(tmp_path: Path) -> Path:
    root = tmp_path / "lib"
    for relpath, data in {"system/scph5501.bin": BIOS, "System/gba_bios.bin": BIOS[:16384],
                          "gb/Keep (USA).gb": b"\x01" * 32768,
                          "gb/system/Deep (USA).gb": b"\x02" * 32768}.items():
        (root / relpath).parent.mkdir(parents=True, exist_ok=True)
        (root / relpath).write_bytes(data)
    return root


def _present(cli: Any) -> set[str]:
    rows = cli("--json", "games", "ls").json()["data"]["games"]
    return {row["filename"] for row in rows if not row["is_missing"]}


def test_a_top_level_system_folder_is_a_bios_folder(cli: Any, tmp_path: Path) -> None:
    root = _library(tmp_path)
    assert cli("library", "add", root).code == 0
    result = cli("--json", "scan", "--workers", "1")
    assert result.code == 0, result.err
    data = result.json()["data"]
    assert sorted(data["bios_folders"]) == [str(root / "System"), str(root / "system")]
    assert data["undecided_platform"] == 0
    assert _present(cli) == {"Keep (USA).gb", "Deep (USA).gb"}
    said = " ".join(cli("scan", "--workers", "1").out.split())
    assert "skipped 2 BIOS folders, never games" in said and "set-platform" not in said, said


def test_bios_in_system_an_earlier_scan_stored_are_no_longer_games(
        cli: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from romrunner.library import plan
    root = _library(tmp_path)
    assert cli("library", "add", root).code == 0
    with monkeypatch.context() as earlier:  # the release before: `system/` walked
        earlier.setattr(plan, "TOP_BIOS_FOLDERS", frozenset())
        assert cli("scan", "--workers", "1").code == 0
    assert "scph5501.bin" in _present(cli)
    scanned = cli("--json", "scan", "--workers", "1").json()["data"]
    assert (scanned["not_games"], scanned["missing"]) == (2, 0), scanned
    assert _present(cli) == {"Keep (USA).gb", "Deep (USA).gb"}
