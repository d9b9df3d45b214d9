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


def test_every_profile_that_chose_the_copies_is_named_with_its_profile_rm(
        cli: Any, tmp_path: Path) -> None:
    # review47e F5: profiles 1 and 2 (muOS both) chose Mario in muOS's folder; a third
    # profile's folder-moved warning and prune note named profile 1 only, and after `profile
    # rm 1` the prune still kept Mario for profile 2.
    card = _muos_card(cli, tmp_path)
    for os_id in ("muos", "onionos"):
        assert cli("profile", "create", "--device", "1", "--os", os_id).code == 0
    assert cli("deploy", "2", "--to", card, "mario").code == 0
    planned = cli("--json", "deploy", "3", "--to", card, "--auto", "--prune", "--dry-run")
    assert planned.code == 0, planned.err
    (message,) = _moved(planned)
    assert "chosen on this card by the deploys of profile 1" in message, message
    assert "and profile 2" in message, message
    assert "`romrunner profile rm 1` and `romrunner profile rm 2` let a prune remove" in \
        message, message
    (note,) = [note for note in planned.json()["data"]["notes"] if "profile rm" in note]
    assert "other profiles' deploys chose on this card" in note, note
    assert "`romrunner profile rm 1` and `romrunner profile rm 2` let this prune" in note, note
    kept = {entry["path"].rpartition("/")[2]: entry["profiles"]
            for entry in planned.json()["data"]["prune_other_profile"]}
    assert kept == {"Mario (USA).gb": [1, 2], "Tetris (World).gb": [1]}, kept
