"""A definition pack that changes under a user's library (QA29): a platform id renamed or
dropped by a pack update is said where it changes what a command does, never silently.
Real pack copies, real scans, the real CLI."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import shared_path


@pytest.fixture
def pack(tmp_path: Path) -> Path:
    copy = tmp_path / "pack"
    shutil.copytree(shared_path("definition-pack"), copy)
    return copy


def _rename_platform(pack: Path, old: str, new: str) -> None:
    path = pack / "platforms.json"
    data = json.loads(path.read_text(encoding="utf-8-sig"))
    for platform in data["platforms"]:
        if platform["id"] == old:
            platform["id"] = new
    path.write_text(json.dumps(data), encoding="utf-8")


@pytest.fixture
def library(cli: Any, tmp_path: Path, pack: Path) -> Path:
    lib = tmp_path / "lib"
    for folder, name, size in (("SNES", "Epsilon (USA).sfc", 131072),
                               ("SNES", "Zeta (USA).sfc", 131072),
                               ("GB", "Alpha (USA).gb", 32768)):
        (lib / folder).mkdir(parents=True, exist_ok=True)
        (lib / folder / name).write_bytes(name.encode() * (size // len(name)))
    for args in (("library", "add", lib), ("scan", "--workers", "1"),
                 ("device", "add", "rg-35xx-plus"),
                 ("profile", "create", "--device", "1", "--os", "muos"),
                 ("profile", "set", "1", "--include-platforms", "gb,snes")):
        assert cli("--pack", pack, *args).code == 0, args
    return lib


def test_a_rescan_that_files_games_under_a_renamed_platform_says_so(
        cli: Any, library: Path, pack: Path) -> None:
    """QA29 F1: the pack renamed `snes`; `scan --full` moved the games to the new id with
    "3 unchanged" and `platform_changed: []`, and the profile's `--include-platforms snes`
    silently took none of them."""
    _rename_platform(pack, "snes", "super-nintendo")
    scanned = cli("--pack", pack, "--json", "scan", "--full", "--workers", "1")
    assert scanned.code == 0, scanned.err
    refiled = scanned.json()["data"]["refiled"]
    assert sorted(Path(str(item["path"])).name for item in refiled) == [
        "Epsilon (USA).sfc", "Zeta (USA).sfc"]
    assert {(item["from"], item["to"]) for item in refiled} == {("snes", "super-nintendo")}
    assert any("now filed under another platform" in w for w in scanned.json()["warnings"])
    text = cli("--pack", pack, "scan", "--full", "--workers", "1")  # settled: said no more
    assert "another platform" not in text.err
    listed = cli("--pack", pack, "--json", "autolist", "1")
    assert listed.code == 0, listed.err
    assert any("snes" in w and "does not know" in w for w in listed.json()["warnings"]), \
        listed.json()["warnings"]
    shown = cli("--pack", pack, "profile", "show", "1")
    assert shown.code == 0 and "names platform snes, which the definition pack" in shown.err
    card = library.parent / "card"
    card.mkdir()
    deployed = cli("--pack", pack, "--json", "deploy", "1", "--to", card, "--auto",
                   "--dry-run")  # (QA30 N2: said by autolist and profile show, not deploy)
    assert any("names platform snes, which the definition pack" in w
               for w in deployed.json()["warnings"]), deployed.json()["warnings"]


def _drop_platform(pack: Path, platform_id: str) -> None:
    path = pack / "platforms.json"
    data = json.loads(path.read_text(encoding="utf-8-sig"))
    data["platforms"] = [p for p in data["platforms"] if p["id"] != platform_id]
    path.write_text(json.dumps(data), encoding="utf-8")


def test_a_path_override_of_a_dropped_platform_is_shown_and_can_be_removed(
        cli: Any, library: Path, pack: Path, tmp_path: Path) -> None:
    """QA29 F9: with `snes` dropped from the pack, `destination paths` no longer listed the
    stored `snes=SUPERNES`, and `--unset snes` was refused, while a deploy still used it."""
    card = tmp_path / "card"
    card.mkdir()
    assert cli("--pack", pack, "destination", "paths", "1", "--to", card,
               "--set", "snes=SUPERNES").code == 0
    _drop_platform(pack, "snes")
    shown = cli("--pack", pack, "--json", "destination", "paths", "1", "--to", card)
    assert shown.code == 0, shown.err
    rows = {row["platform_id"]: row for row in shown.json()["data"]["folders"]
            if row["platform_id"]}
    assert rows["snes"]["path"] == "SUPERNES" and "does not know" in rows["snes"]["reason"]
    unset = cli("--pack", pack, "--json", "destination", "paths", "1", "--to", card,
                "--unset", "snes")
    assert unset.code == 0, unset.err
    assert "snes" not in {row["platform_id"] for row in unset.json()["data"]["folders"]}
    refused = cli("--pack", pack, "destination", "paths", "1", "--to", card, "--set",
                  "snes=AGAIN")
    assert refused.code == 2 and "use roms, bios or a platform id" in refused.err
    twice = cli("--pack", pack, "destination", "paths", "1", "--to", card, "--set",
                "gb=A", "--set", "gb=B")  # (QA98: the last one kept without a word)
    assert twice.code == 2 and "gb is given twice (gb=A, gb=B)" in twice.err, twice.err


def test_a_query_naming_a_platform_the_pack_dropped_still_takes_its_stored_games(
        cli: Any, library: Path, pack: Path) -> None:
    """QA29 F2: with `gb` dropped, the smart collection `platform:gb` was "broken" for
    `collection show`, profiles took none of it silently, and it could not be made again
    ("not a platform of the definition pack"). The games are still stored as gb."""
    assert cli("--pack", pack, "collection", "create", "gbq", "--query", "platform:gb").code == 0
    _drop_platform(pack, "gb")
    shown = cli("--pack", pack, "--json", "collection", "show", "gbq")
    assert shown.code == 0, shown.err
    assert [g["filename"] for g in shown.json()["data"]["games"]] == ["Alpha (USA).gb"]
    again = cli("--pack", pack, "collection", "create", "gbq2", "--query", "platform:gb")
    assert again.code == 0, again.err
    unknown = cli("--pack", pack, "games", "ls", "platform:nosuch")
    assert unknown.code == 2 and "not a platform of the definition pack" in unknown.err


def test_a_profile_whose_os_the_pack_dropped_is_shown_and_can_be_pointed_at_another(
        cli: Any, library: Path, pack: Path) -> None:
    """QA29 F4: with `muos` gone from the pack, `profile show` refused to show the profile's
    settings, and no command could point it at another OS: a new profile lost its overrides
    and history."""
    assert cli("--pack", pack, "override", "set", "--game", "1", "--exclude",
               "--profile", "1").code == 0
    for name, key in (("operating-systems.json", "operatingSystems"),
                      ("osEmulatorProfiles.json", "profilesByOsId")):
        path = pack / name
        data = json.loads(path.read_text(encoding="utf-8-sig"))
        if isinstance(data[key], list):
            data[key] = [entry for entry in data[key] if entry.get("id") != "muos"]
        else:
            data[key].pop("muos", None)
        path.write_text(json.dumps(data), encoding="utf-8")
    shown = cli("--pack", pack, "--json", "profile", "show", "1")
    assert shown.code == 0, shown.err
    assert shown.json()["data"]["include_platforms"] == ["gb", "snes"]
    assert any("muos" in w and "--os" in w for w in shown.json()["warnings"])
    moved = cli("--pack", pack, "--json", "profile", "set", "1", "--os", "knulli")
    assert moved.code == 0, moved.err
    assert moved.json()["data"]["os_id"] == "knulli"
    again = cli("--pack", pack, "--json", "profile", "show", "1")
    assert not any("--os" in w for w in again.json()["warnings"])
    assert len(cli("--pack", pack, "--json", "override", "ls").json()["data"]) == 1
    bad = cli("--pack", pack, "profile", "set", "1", "--os", "nosuch-os")
    assert bad.code == 2 and "nosuch-os" in bad.err


def test_an_override_naming_an_emulator_the_pack_dropped_is_said(
        cli: Any, library: Path, pack: Path) -> None:
    """QA29 F3: with `gearboy` gone from the pack, the platform override naming it still
    decided, and `resolve` and `override ls` said nothing."""
    assert cli("--pack", pack, "override", "set", "--platform", "gb", "--emulator",
               "gearboy").code == 0
    path = pack / "emulators.json"
    data = json.loads(path.read_text(encoding="utf-8-sig"))
    data["emulators"] = [e for e in data["emulators"] if e["id"] != "gearboy"]
    path.write_text(json.dumps(data), encoding="utf-8")
    gb_game = next(g["id"] for g in cli("--pack", pack, "--json", "games", "ls", "platform:gb")
                   .json()["data"]["games"])
    resolved = cli("--pack", pack, "--json", "resolve", str(gb_game))
    assert resolved.code == 0, resolved.err
    assert any("emulator gearboy (named by an override) is not in the definition pack" in w
               for w in resolved.json()["data"]["warnings"]), resolved.json()
    listed = cli("--pack", pack, "--json", "override", "ls")
    assert any("emulator gearboy" in w and "does not know" in w
               for w in listed.json()["warnings"])


def test_a_stored_game_of_a_type_the_pack_no_longer_lists_is_kept_and_said(
        cli: Any, library: Path, pack: Path) -> None:
    """QA29 F11: with `snes` dropped, a rescan said "skipped 1 file of unknown type: .sfc"
    and "files the walk did not find were found again after it" — a wrong reason."""
    _drop_platform(pack, "snes")
    scanned = cli("--pack", pack, "--json", "scan", "--workers", "1")
    assert scanned.code == 0, scanned.err
    data = scanned.json()["data"]
    assert data["kept_unlisted_types"] == {".sfc": 2} and data["missing"] == 0
    assert ".sfc" not in data["skipped_unknown_types"]
    assert data["identified"] + data["guessed"] + data["unidentified"] == 3
    assert any("lists for no platform (.sfc 2): left as they were" in w
               for w in scanned.json()["warnings"])
    assert not [e for e in data["errors"] if "found again" in e["error"]]


def test_a_deploy_for_an_os_the_pack_dropped_from_its_os_list_names_the_pack(
        cli: Any, library: Path, pack: Path) -> None:
    """QA31 F5: with `muos` gone from operating-systems.json only, a deploy said "muos does
    not say where its roms folder is", blaming a folder, not the pack."""
    path = pack / "operating-systems.json"
    data = json.loads(path.read_text(encoding="utf-8-sig"))
    data["operatingSystems"] = [e for e in data["operatingSystems"] if e.get("id") != "muos"]
    path.write_text(json.dumps(data), encoding="utf-8")
    card = library.parent / "card"
    card.mkdir()
    run = cli("--pack", pack, "deploy", "1", "--to", card, "platform:gb", "--dry-run")
    assert run.code == 2 and "has no entry in the pack's operating systems" in run.err, run.err
    assert "--os OS" in run.err
