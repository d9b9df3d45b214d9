"""An OS that runs RetroArch runs a platform the pack's entry forgets (QA152 F9: Spruce left
out every GBA game as having no emulator; F7: ROCKNIX's Genesis games, given the pack's
generic `retroarch`, "may not start" though ROCKNIX is RetroArch-based), and an emulator
override on an OS whose ROM folder picks the emulator says it changes nothing on the card
(F4). Real pack, real folders, the CLI."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from tests.conftest import shared_path
from tests.test_deploy_cli import rom


def _profile(cli: Any, tmp_path: Path, game: str, device: str, os_id: str) -> str:
    """One game (``game``: its path under the library) scanned, and profile 1 a ``device``
    on ``os_id``; the pack's path."""
    pack = str(shared_path("definition-pack"))
    rom(tmp_path / "lib" / game, "g")
    for args in (("library", "add", str(tmp_path / "lib")), ("scan", "--workers", "1"),
                 ("device", "add", device), ("profile", "create", "--device", "1", "--os",
                                             os_id)):
        assert cli("--pack", pack, *args).code == 0, args
    return pack


def test_spruce_runs_its_gba_games_with_retroarch(cli: Any, tmp_path: Path) -> None:
    pack = _profile(cli, tmp_path, "gba/Hero Quest (USA).gba", "miyoo-a30", "spruce")
    resolved = cli("--pack", pack, "--json", "resolve", "1", "--profile", "1")
    assert resolved.code == 0, resolved.err
    data = resolved.json()["data"]
    assert data["emulator_id"] == "retroarch"
    assert data["emulator_origin"] == "built-in fallback: spruce runs RetroArch"
    assert data["autolist"]["reason"] == "INCLUDED"
    card = tmp_path / "card"
    card.mkdir()
    deployed = cli("--pack", pack, "deploy", "1", "--to", card, "--auto")
    assert deployed.code == 0, deployed.err
    assert (card / "Roms" / "GBA" / "Hero Quest (USA).gba").is_file()


def test_rocknix_runs_the_packs_retroarch_fallback(cli: Any, tmp_path: Path) -> None:
    pack = _profile(cli, tmp_path, "genesis/Blue Hedgehog (USA).md", "rg-353v", "rocknix")
    card = tmp_path / "card"
    card.mkdir()
    dry = cli("--pack", pack, "--json", "deploy", "1", "--to", card, "platform:genesis",
              "--dry-run")
    assert dry.code == 0, dry.err
    assert dry.json()["data"]["plan"]["platforms"] == {"genesis": {"files": 1, "bytes": 4096}}
    assert [w for w in dry.json()["data"]["plan"]["warnings"]
            if w["code"] == "emulator-not-installed"] == []
    resolved = cli("--pack", pack, "--json", "resolve", "1", "--profile", "1").json()["data"]
    assert not [w for w in resolved["warnings"] if "not installed" in w]


def test_an_override_where_the_folder_picks_the_emulator_says_so(cli: Any,
                                                                 tmp_path: Path) -> None:
    pack = _profile(cli, tmp_path, "gba/Hero Quest (USA).gba", "miyoo-a30", "spruce")
    said = cli("--pack", pack, "override", "set", "--platform", "gba", "--emulator", "gpsp",
               "--profile", "1")
    assert said.code == 0, said.err
    assert "on spruce the ROM folder picks the emulator: gba games go to the GBA folder" \
        in said.err
    resolved = cli("--pack", pack, "--json", "resolve", "1", "--profile", "1").json()["data"]
    assert any("the ROM folder picks the emulator" in w for w in resolved["warnings"])
    assert cli("--pack", pack, "device", "add", "rg-353v").code == 0
    assert cli("--pack", pack, "profile", "create", "--device", "2", "--os", "rocknix").code == 0
    other = cli("--pack", pack, "override", "set", "--platform", "gba", "--emulator", "gpsp",
                "--profile", "2")  # (ES-based: the emulator is chosen per system)
    assert other.code == 0 and "folder picks" not in other.err


def test_a_deploy_and_an_auto_list_say_the_folder_picks_the_emulator_as_resolve_does(
        cli: Any, tmp_path: Path) -> None:
    """An override naming an emulator Spruce lacks: the deploy said the games "run with" it
    and "may not start" (advising another override, which changes nothing on the card either),
    while `resolve` said the ROM folder picks the emulator. Both now say resolve's sentence."""
    pack = _profile(cli, tmp_path, "gba/Hero Quest (USA).gba", "miyoo-a30", "spruce")
    assert cli("--pack", pack, "override", "set", "--platform", "gba", "--emulator", "gpsp",
               "--profile", "1").code == 0
    resolved = cli("--pack", pack, "--json", "resolve", "1", "--profile", "1").json()["data"]
    [sentence] = [w for w in resolved["warnings"] if "the ROM folder picks the emulator" in w]
    card = tmp_path / "card"
    card.mkdir()
    dry = cli("--pack", pack, "--json", "deploy", "1", "--to", card, "--auto", "--dry-run")
    assert dry.code == 0, dry.err
    said = [w["message"] for w in dry.json()["data"]["plan"]["warnings"]
            if w.get("platform") == "gba" or "gba" in w["message"]]
    assert said == [sentence.replace("gba games", "gba games (1 game)", 1)], said
    listed = cli("--pack", pack, "--json", "autolist", "1")
    assert listed.code == 0, listed.err
    about_gba = [w for w in listed.json()["warnings"] + listed.json()["data"].get("warnings", [])
                 if "gpsp" in w]
    assert about_gba and all("may not start" not in w and "run with" not in w
                             for w in about_gba), about_gba
    assert sentence.replace("gba games", "gba games (1 included game)", 1) in about_gba
