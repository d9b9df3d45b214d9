"""qa201 F3: `destination paths --set` took a platform's folder inside the OS's saves folder
(`gb=MUOS/save/file`) and, once `gb` was moved there, the BIOS folder set to the platform's
own ROM folder (`bios=ROMS/gb`). The games a deploy put in the saves folder were then kept by
every prune for good, with a note blaming "a hand-edited record"."""

from __future__ import annotations

import hashlib
import json
import sqlite3
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import muos_profile


def _muos_card(cli: Any, tmp_path: Path) -> Path:
    """A Game Boy and a SNES game scanned, profile 1 an RG35XX Plus on muOS (the built-in
    pack: its ROM folder ROMS/, its saves MUOS/save/), and an empty card."""
    for n, game in enumerate(("gb/Alpha (USA).gb", "snes/Chrono (USA).sfc")):
        path = tmp_path / "lib" / game
        path.parent.mkdir(parents=True)
        path.write_bytes(bytes([n + 1]) * 8192)
    muos_profile(cli, tmp_path / "lib")
    card = tmp_path / "card"
    card.mkdir()
    return card


def _gb_row(cli: Any, card: Path) -> dict[str, Any]:
    shown = cli("--json", "destination", "paths", "1", "--to", card)
    assert shown.code == 0, shown.err
    (row,) = [row for row in shown.json()["data"]["folders"] if row["platform_id"] == "gb"]
    return dict(row)


def test_a_folder_in_the_saves_folder_and_bios_in_a_platforms_folder_are_refused(
        cli: Any, tmp_path: Path) -> None:
    card = _muos_card(cli, tmp_path)
    for value in ("gb=MUOS/save/file", "gb=muos/SAVE/state/gb", "roms=MUOS/save",
                  "bios=MUOS/save/file"):
        refused = cli("destination", "paths", "1", "--to", card, "--set", value)
        assert refused.code != 0, (value, refused.out)
        assert len(refused.err.strip().splitlines()) == 1, refused.err
        assert "saves and states" in refused.err and "nothing was changed" in refused.err
        # (review47e F6 c: the BIOS folder's refusal spoke of games)
        files = "BIOS files" if value.startswith("bios=") else "games"
        assert f"({files} put there could never be pruned)" in refused.err, refused.err
    assert _gb_row(cli, card)["path"] == "ROMS/gb"
    assert cli("destination", "paths", "1", "--to", card, "--set", "gb=Handheld/GB").code == 0
    # (ROMS/gb is no longer where ROM Runner puts gb's games, but muOS lists its files as
    # Game Boy games all the same)
    refused = cli("destination", "paths", "1", "--to", card, "--set", "bios=ROMS/gb")
    assert refused.code != 0, refused.out
    assert "gb's folder in muos's layout" in refused.err, refused.err
    assert len(refused.err.strip().splitlines()) == 1, refused.err
    assert _gb_row(cli, card)["path"] == "Handheld/GB"


def test_games_an_earlier_deploy_put_in_the_saves_folder_are_said_so_not_hand_edited(
        cli: Any, db_path: Path, tmp_path: Path) -> None:
    card = _muos_card(cli, tmp_path)
    assert cli("deploy", "1", "--to", card, "title:chrono").code == 0
    assert cli("destination", "paths", "1", "--to", card, "--set", "gba=Handheld/GBA"
               ).code == 0  # (a row of overrides for the card)
    with sqlite3.connect(db_path) as db:  # as `--set gb=MUOS/save/file` stored it before
        db.execute("UPDATE destination_path_overrides SET overrides_json = ?",
                   ('{"platforms": {"gb": "MUOS/save/file"}}',))
    db.close()
    # The copy a deploy then wrote there, and its record in the card's manifest
    copy = card / "MUOS" / "save" / "file" / "Alpha (USA).gb"
    copy.parent.mkdir(parents=True)
    copy.write_bytes((tmp_path / "lib" / "gb" / "Alpha (USA).gb").read_bytes())
    manifest = card / ".romrunner" / "manifest.json"
    document = json.loads(manifest.read_text())
    info = copy.stat()
    document["files"]["MUOS/save/file/Alpha (USA).gb"] = [
        info.st_size, info.st_mtime_ns, hashlib.sha1(copy.read_bytes()).hexdigest(),
        next(iter(document["writers"]))]
    manifest.write_text(json.dumps(document))
    record = card / ".romrunner" / "os.json"  # (and the card's record of gb's folder)
    recorded = json.loads(record.read_text())
    recorded["rom_folders"]["gb"] = "MUOS/save/file"
    record.write_text(json.dumps(recorded))
    planned = cli("--json", "deploy", "1", "--to", card, "platform:gb", "--dry-run")
    moved = [w["message"] for w in planned.json()["data"]["plan"]["warnings"]
             if w["code"] == "folder-moved"]  # (review47e F2: said `--prune` removes it)
    assert len(moved) == 1 and "a prune never removes a file in" in moved[0], moved
    assert "removes it" not in moved[0]
    pruned = cli("--json", "deploy", "1", "--to", card, "title:chrono", "--prune", "--force")
    assert pruned.code == 0, pruned.err
    assert copy.exists()  # (never removed from a saves folder)
    notes = " ".join(pruned.json()["data"]["notes"])
    assert "hand-edited" not in notes, notes
    assert "where handheld OSes keep the player's saves and states" in notes, notes
    assert "remove it yourself" in notes and "--unset gb" in notes, notes
    assert "MUOS/save/file/Alpha (USA).gb" in notes, notes
    # The stored folder is no longer used: the games go to muOS's own
    row = _gb_row(cli, card)
    assert row["path"] == "ROMS/gb" and "'MUOS/save/file' is not used" in row["reason"], row


def test_a_rom_folder_stored_in_the_saves_folder_before_is_not_used(
        cli: Any, db_path: Path, tmp_path: Path) -> None:
    """review47e F3: a `roms=` stored in a saves folder before `--set` refused one was still
    used: every game went where no prune removes a file, with no word."""
    card = _muos_card(cli, tmp_path)
    assert cli("destination", "paths", "1", "--to", card, "--set", "gba=Handheld/GBA"
               ).code == 0  # (a row of overrides for the card)
    with sqlite3.connect(db_path) as db:  # as `--set roms=MUOS/save/roms` stored it before
        db.execute("UPDATE destination_path_overrides SET overrides_json = ?",
                   ('{"roms": "MUOS/save/roms"}',))
    db.close()
    shown = cli("--json", "destination", "paths", "1", "--to", card)
    assert shown.code == 0, shown.err
    assert "'MUOS/save/roms' is not used" in shown.out and "--unset roms" in shown.out
    # (review47e F6 b: the command to run, not one with PROFILE and CARD to fill in)
    assert f"`romrunner destination paths 1 --to {card} --unset roms` removes it" in shown.out
    assert _gb_row(cli, card)["path"] == "ROMS/gb"
    assert cli("deploy", "1", "--to", card, "title:chrono").code == 0
    assert not (card / "MUOS" / "save" / "roms").exists()


def test_a_bios_folder_inside_a_platforms_folder_is_refused(cli: Any, tmp_path: Path) -> None:
    """review47e F6 d: `bios=ROMS/gb/x` was taken, and the BIOS files then went inside the
    Game Boy folder, which muOS lists; only the folder itself was refused."""
    card = _muos_card(cli, tmp_path)
    refused = cli("destination", "paths", "1", "--to", card, "--set", "bios=ROMS/gb/x")
    assert refused.code != 0, refused.out
    assert "is inside gb's folder (ROMS/gb) in muos's layout" in refused.err, refused.err
    assert "nothing was changed" in refused.err and not (card / ".romrunner").exists()
    assert cli("destination", "paths", "1", "--to", card, "--set", "gb=Handheld/GB").code == 0
    for value, folder in (("bios=Handheld/GB/bios", "Handheld/GB"),  # (where gb's go now)
                          ("bios=roms/GB/x", "ROMS/gb")):  # (muOS still lists ROMS/gb)
        refused = cli("destination", "paths", "1", "--to", card, "--set", value)
        assert refused.code != 0, (value, refused.out)
        assert f"is inside gb's folder ({folder})" in refused.err, refused.err
    shown = cli("--json", "destination", "paths", "1", "--to", card)
    (bios,) = [row for row in shown.json()["data"]["folders"] if row["kind"] == "bios"]
    assert bios["path"] == "MUOS/bios"


def test_a_bios_folder_inside_a_platforms_folder_is_refused_whatever_the_order(
        cli: Any, tmp_path: Path) -> None:
    """review48c F1: the refusal was bypassed by setting the platform's folder in the same
    command (`--set gb=Handheld/GB --set bios=Handheld/GB/bios`), or after the BIOS folder."""
    card = _muos_card(cli, tmp_path)
    together = cli("destination", "paths", "1", "--to", card, "--set", "gb=Handheld/GB",
                   "--set", "bios=Handheld/GB/bios")
    assert together.code != 0, together.out
    assert "gb=Handheld/GB: holds the card's BIOS folder" in together.err \
        or "is inside gb's folder (Handheld/GB)" in together.err, together.err
    assert _gb_row(cli, card)["path"] == "ROMS/gb"  # (nothing was changed)
    assert cli("destination", "paths", "1", "--to", card, "--set", "bios=Handheld/bios"
               ).code == 0
    after = cli("destination", "paths", "1", "--to", card, "--set", "gb=Handheld")
    assert after.code != 0, after.out
    assert "gb=Handheld: holds the card's BIOS folder" in after.err, after.err
    assert _gb_row(cli, card)["path"] == "ROMS/gb"


@pytest.mark.parametrize("steps", [
    [["roms=R2", "bios=R2/gb/bios"]],
    [["bios=R2/gb/bios", "roms=R2"]],
    [["bios=R2/gb/bios"], ["roms=R2"]],
    [["roms=R2"], ["bios=R2/gb/bios"]]])
def test_a_rom_folder_moved_around_the_bios_folder_is_refused(
        cli: Any, tmp_path: Path, steps: list[list[str]]) -> None:
    """review48f F5: `--set roms=R2 --set bios=R2/gb/bios` (or one after the other, the BIOS
    folder first) left the BIOS folder inside gb's folder (R2/gb), which muOS lists."""
    card = _muos_card(cli, tmp_path)
    *first, last = [[word for value in step for word in ("--set", value)] for step in steps]
    for step in first:
        assert cli("destination", "paths", "1", "--to", card, *step).code == 0
    before = cli("--json", "destination", "paths", "1", "--to", card).json()["data"]
    refused = cli("destination", "paths", "1", "--to", card, *last)
    assert refused.code == 2, refused.out
    assert "inside gb's folder (R2/gb)" in refused.err and "nothing was changed" in \
        refused.err, refused.err
    assert cli("--json", "destination", "paths", "1", "--to", card).json()["data"] == before
