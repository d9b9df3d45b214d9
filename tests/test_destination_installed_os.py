"""A card of the MinUI line is its OS's, not a Miyoo stock card (QA152 F1): MinUI's and
NextUI's installer (`MinUI.zip`, the pack's marker) is gone after the first boot, which leaves
`.system/` and `.userdata/`; the `Roms/`, `Bios/`/`BIOS/` and `Saves/` many OSes have (one
of them made by our own deploy) say no other OS. Real pack, real folders, the CLI."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.conftest import shared_path
from tests.test_deploy_cli import rom


def _profile(cli: Any, tmp_path: Path, device: str, os_id: str) -> str:
    """A gb game scanned, and profile 1 a ``device`` on ``os_id``; the pack's path."""
    pack = str(shared_path("definition-pack"))
    rom(tmp_path / "lib" / "gb" / "Pocket Quest (USA).gb", "c")
    for args in (("library", "add", str(tmp_path / "lib")), ("scan", "--workers", "1"),
                 ("device", "add", device), ("profile", "create", "--device", "1", "--os",
                                             os_id)):
        assert cli("--pack", pack, *args).code == 0, args
    return pack


def _card_warnings(result: Any) -> list[str]:
    assert result.code == 0, result.err
    return [w["message"] for w in result.json()["data"]["plan"]["warnings"]
            if w["code"] == "card-root"]


def _scan(cli: Any, pack: str, card: Path, *extra: str) -> dict[str, Any]:
    result = cli("--pack", pack, "--json", "destination", "scan", str(card), *extra)
    assert result.code == 0, result.err
    data: dict[str, Any] = result.json()["data"]
    return data


def test_a_booted_minui_card_is_minui(cli: Any, tmp_path: Path) -> None:
    pack = _profile(cli, tmp_path, "miyoo-mini-plus", "minui")
    card = tmp_path / "card"
    for folder in (".system/miyoomini/paks", ".userdata/shared", "Bios", "Roms", "Saves/GB"):
        (card / folder).mkdir(parents=True)
    expected = _scan(cli, pack, card, "--expect-os", "minui")
    assert (expected["detected_os"], expected["confidence"]) == ("minui", "high")
    assert not [f for f in expected["findings"] if f["type"] == "different_os"]
    guessed = _scan(cli, pack, card)  # (NextUI leaves the same marks: a tie, said)
    assert guessed["detected_os"] in ("minui", "nextui")
    assert [c["os_id"] for c in guessed["candidates"][:2]] != ["miyoo-stock-family"]
    dry = cli("--pack", pack, "--json", "deploy", "1", "--to", card, "platform:gb", "--dry-run")
    assert _card_warnings(dry) == []


@pytest.mark.parametrize(("device", "os_id"), [("trimui-brick-hammer", "nextui"),
                                               ("miyoo-a30", "spruce")])
def test_a_card_we_laid_out_with_generic_folders_stays_its_oss(
        cli: Any, tmp_path: Path, device: str, os_id: str) -> None:
    """`Roms/`, `BIOS/` (as our deploy makes it when it copies BIOS) and the player's
    `Saves/`: no warning to switch to a Miyoo stock profile, before or after our deploy, and
    the scan names the OS the card was laid out for."""
    pack = _profile(cli, tmp_path, device, os_id)
    card = tmp_path / "card"
    for folder in ("Roms", "BIOS", "Saves/GB"):
        (card / folder).mkdir(parents=True)
    (card / "Saves" / "GB" / "Pocket Quest (USA).gb.sav").write_bytes(b"progress")
    first = cli("--pack", pack, "--json", "deploy", "1", "--to", card, "platform:gb",
                "--dry-run")
    assert _card_warnings(first) == []
    assert cli("--pack", pack, "deploy", "1", "--to", card, "platform:gb").code == 0
    again = cli("--pack", pack, "--json", "deploy", "1", "--to", card, "platform:gb",
                "--dry-run")
    assert _card_warnings(again) == []
    scanned = _scan(cli, pack, card)
    assert scanned["detected_os"] == os_id, scanned["candidates"]
    assert "laid out by ROM Runner for " + os_id in scanned["reason"]
    assert not [f for f in scanned["findings"] if f["type"] in ("recorded_os", "different_os")]


def test_a_card_the_minui_installer_prepared_is_minui(cli: Any, tmp_path: Path) -> None:
    """QA158 N9: `Bios/`, `Roms/` and `MinUI.zip` (no `Saves/` yet) — every marker MinUI's
    profile must have, one of them its own — was no MinUI candidate: a PowKiddy stock card."""
    pack = _profile(cli, tmp_path, "miyoo-mini-plus", "minui")
    card = tmp_path / "card"
    for folder in ("Bios", "Roms"):
        (card / folder).mkdir(parents=True)
    (card / "MinUI.zip").write_bytes(b"PK\x05\x06" + bytes(18))
    scanned = _scan(cli, pack, card)
    assert (scanned["detected_os"], scanned["confidence"]) == ("minui", "high"), scanned
