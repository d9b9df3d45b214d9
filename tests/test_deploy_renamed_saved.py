"""A game renamed in the library whose old copy on the card the player's saves are named
after (qa203 F6): every prune keeps that copy for its saves, so the `name-changed` warning
says so, not that `--prune` removes it."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from tests.conftest import muos_profile


def _renamed(cli: Any, tmp_path: Path) -> Path:
    roms = tmp_path / "roms" / "gb"
    roms.mkdir(parents=True)
    (roms / "Quest (USA).gb").write_bytes(b"q" * 8192)
    (roms / "Other (USA).gb").write_bytes(b"o" * 8192)
    muos_profile(cli, tmp_path / "roms")
    card = tmp_path / "card"
    card.mkdir()
    assert cli("deploy", "1", "--to", card, "platform:gb").code == 0
    (roms / "Quest (USA).gb").rename(roms / "Quest (USA) (Rev 1).gb")
    (roms / "Other (USA).gb").rename(roms / "Other (USA) (Rev 1).gb")
    assert cli("scan", "--workers", "1").code == 0
    return card


def _games(card: Path) -> list[str]:
    return sorted(path.name for path in card.rglob("*.gb"))


def _said(cli: Any, card: Path, *more: str) -> str:
    result = cli("--json", "deploy", "1", "--to", card, "platform:gb", *more)
    assert result.code == 0, result.out
    (said,) = [w["message"] for w in result.json()["data"]["plan"]["warnings"]
               if w["code"] == "name-changed"]
    return str(said)


def test_a_renamed_copy_kept_for_its_saves_is_said_so(cli: Any, tmp_path: Path) -> None:
    card = _renamed(cli, tmp_path)
    said = _said(cli, card, "--dry-run")  # (no save named after them: a prune removes them)
    assert "the old copies stay until `romrunner deploy --prune` removes them" in said, said
    assert "saves" not in said
    saves = card / "MUOS" / "save" / "file" / "Gambatte"
    saves.mkdir(parents=True)
    (saves / "Quest (USA).srm").write_bytes(b"s")
    (saves / "Other (USA).srm").write_bytes(b"s")
    said = _said(cli, card, "--dry-run")
    assert "removes" not in said, said
    assert "the player's saves or states on the card are named after 2 of the old " \
        "copies (MUOS/save/file/Gambatte/Other (USA).srm, MUOS/save/file/Gambatte/Quest " \
        "(USA).srm), so `--prune` keeps them for those saves" in said, said
    # a --prune run: the warning says what it does, the prune's note gives the advice, once
    # (review49e F8: both gave it)
    dry = cli("--json", "deploy", "1", "--to", card, "platform:gb", "--prune", "--dry-run")
    data = dry.json()["data"]
    (said,) = [w["message"] for w in data["plan"]["warnings"] if w["code"] == "name-changed"]
    assert "this --prune keeps the old copies for the player's saves named after them" in said
    everything = " ".join([*(w["message"] for w in data["plan"]["warnings"]), *data["notes"]])
    assert everything.count("rename the saves") == 1, everything
    pruned = cli("deploy", "1", "--to", card, "platform:gb", "--prune")
    assert pruned.code == 0 and "kept 2 files of games the player's saves" in pruned.err, \
        pruned.err
    assert "Quest (USA).gb" in _games(card) and "Other (USA).gb" in _games(card)
    # and the next deploy says it again, as it is
    assert "so `--prune` keeps them for those saves" in _said(cli, card, "--dry-run")
    # one save renamed after its new name: that copy is pruned, the other said kept
    (saves / "Other (USA).srm").rename(saves / "Other (USA) (Rev 1).srm")
    said = _said(cli, card, "--dry-run")
    assert "the old copies stay until `romrunner deploy --prune` removes them" in said, said
    assert "; but the player's saves or states on the card are named after that old copy " \
        "(MUOS/save/file/Gambatte/Quest (USA).srm), so `--prune` keeps it for those saves" in said
    said = _said(cli, card, "--dry-run", "--prune")
    assert "this --prune keeps 1 of the 2 old copies for the player's saves named after it " \
        "(its note says how to move on); it removes the others" in said, said
    assert cli("deploy", "1", "--to", card, "platform:gb", "--prune").code == 0
    assert _games(card) == ["Other (USA) (Rev 1).gb", "Quest (USA) (Rev 1).gb",
                            "Quest (USA).gb"]

