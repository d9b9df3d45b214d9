"""qa201 F8: a card deployed for muOS by one profile, then for OnionOS by another: the Onion
deploy's folder-moved warning said `romrunner deploy --prune` removes the copies left in
muOS's folder, but the prune keeps them (another profile's deploys chose them) and names
`profile rm`. The warning now says what the prune does."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from tests.conftest import knulli_card_deployed

GAMES = ("Tetris (World).gb", "Mario (USA).gb")


def _moved(result: Any) -> list[str]:
    return [w["message"] for w in result.json()["data"]["plan"]["warnings"]
            if w["code"] == "folder-moved" and w["platform_id"] == "gb"]


def _muos_card(cli: Any, tmp_path: Path) -> Path:
    """Two Game Boy games scanned, an RG35XX Plus, profile 1 on muOS, and a card profile 1
    deployed its auto-list to (muOS's `ROMS/gb`)."""
    return knulli_card_deployed(cli, tmp_path, GAMES, os_id="muos")[1]


def test_copies_another_profile_chose_are_said_to_be_kept_by_the_prune(
        cli: Any, tmp_path: Path) -> None:
    card = _muos_card(cli, tmp_path)
    assert cli("profile", "create", "--device", "1", "--os", "onionos").code == 0
    for extra in (("--dry-run",), ("--prune", "--dry-run")):
        planned = cli("--json", "deploy", "2", "--to", card, "--auto", *extra)
        assert planned.code == 0, planned.err
        (message,) = _moved(planned)
        assert "removes" not in message, message  # (neither `deploy --prune` nor this one)
        assert "chosen on this card by the deploys of profile 1" in message, message
        assert "`romrunner profile rm 1`" in message, message
    pruned = cli("--json", "deploy", "2", "--to", card, "--auto", "--prune")
    assert pruned.code == 0, pruned.err
    assert len(list((card / "ROMS" / "gb").glob("*.gb"))) == 2  # (as the warning said)
    assert any("profile rm 1" in note for note in pruned.json()["data"]["notes"])


def test_the_same_profile_moved_to_another_os_is_still_told_the_prune_removes_them(
        cli: Any, tmp_path: Path) -> None:
    card = _muos_card(cli, tmp_path)
    assert cli("profile", "set", "1", "--os", "onionos").code == 0
    planned = cli("--json", "deploy", "1", "--to", card, "--auto", "--dry-run")
    (message,) = _moved(planned)
    assert "`romrunner deploy --prune` removes them" in message, message
    assert "profile rm" not in message, message
