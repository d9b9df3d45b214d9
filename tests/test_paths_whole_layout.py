"""`destination paths --set/--unset` check the whole layout they leave (qa207 F2): a
setting stored earlier that the change makes refusable (the BIOS folder on a platform's game
folder, two platforms in one folder) refuses the change, as the one-step `--set` refuses it."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.conftest import shared_path
from tests.test_card_paths import make_profile

PACK = str(shared_path("definition-pack"))


def _paths(cli: Any, profile: int, card: Path, *options: str) -> Any:
    return cli("--pack", PACK, "--json", "destination", "paths", str(profile), "--to", str(card),
               *options)


def _folders(cli: Any, profile: int, card: Path) -> dict[str, str]:
    shown = _paths(cli, profile, card)
    assert shown.code == 0, shown.err
    return {row["platform_id"] or row["kind"]: row["path"]
            for row in shown.json()["data"]["folders"]}


@pytest.mark.parametrize("second", [("--set", "bios=roms/gb"), ("--set", "gb=roms/snes")])
@pytest.mark.parametrize("change", [("--unset", "roms"), ("--set", "roms=roms")])
def test_a_change_that_leaves_a_refused_layout_is_refused(
        cli: Any, tmp_path: Path, second: tuple[str, str], change: tuple[str, str]) -> None:
    profile = make_profile(cli, "muos")
    card = tmp_path / "card"
    card.mkdir()
    assert _paths(cli, profile, card, "--set", "roms=.").code == 0
    accepted = _paths(cli, profile, card, *second)  # (not gb's / snes's folder *now*)
    assert accepted.code == 0, accepted.err
    before = _folders(cli, profile, card)
    result = _paths(cli, profile, card, *change)
    assert result.code == 2, result.out
    assert "Traceback" not in result.err
    assert f"would leave the stored path override {second[1]}" in result.err
    assert "nothing was changed" in result.err
    assert _folders(cli, profile, card) == before  # (rolled back)
    # the one-step --set refuses the same layout
    assert _paths(cli, profile, card, "--unset", second[1].split("=")[0]).code == 0
    assert _paths(cli, profile, card, *change).code == 0
    assert _paths(cli, profile, card, *second).code == 2


def test_a_stored_override_refused_already_does_not_block_other_changes(
        cli: Any, tmp_path: Path) -> None:
    profile = make_profile(cli, "muos")
    card = tmp_path / "card"
    card.mkdir()
    assert _paths(cli, profile, card, "--set", "roms=.").code == 0
    assert _paths(cli, profile, card, "--set", "gb=roms/snes").code == 0
    assert _paths(cli, profile, card, "--unset", "roms").code == 2
    # an unrelated change, with the layout as it is, is not this command's to answer for
    assert _paths(cli, profile, card, "--set", "gba=roms/gba2").code == 0
