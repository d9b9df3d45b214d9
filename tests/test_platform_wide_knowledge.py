"""Platform-wide answers (game key ``*``, issue 12): the `compat:` query field, auto-lists'
verdicts and `cache explain` agree on what applies to a game — per emulator, the answer
under its most specific key, else the platform-wide one."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from romrunner.cache.ingest import ingest_observations
from romrunner.cache.kinds import PERFORMANCE
from romrunner.store import OpenMode, open_database
from tests.conftest import shared_path
from tests.test_knowledge_linking import GAMEINDEX, library, real

__all__ = ["library"]  # the fixture: three PS2 images, a knulli profile (pcsx2 for ps2)

MIDNIGHT, NOBODY, DROPSHIP = ("Midnight Club (Europe).iso", "Nobody Knows (USA).iso",
                              "Dropship (Europe).iso")


def _import(cli: Any, tmp_path: Path, name: str, *items: dict[str, Any]) -> None:
    sheet = tmp_path / f"{name}.json"
    sheet.write_text(json.dumps({"schemaVersion": "compat-source-v1", "items": list(items)}))
    result = real(cli, "cache", "import", sheet, "--source", "community-verified")
    assert result.code == 0, result.err


def _listed(cli: Any, *query: str) -> set[str]:
    result = real(cli, "--json", "games", "ls", *query)
    assert result.code == 0, result.err
    return {game["filename"] for game in result.json()["data"]["games"]}


def _verdicts(cli: Any) -> dict[str, dict[str, Any]]:
    result = real(cli, "--json", "autolist", "1")
    assert result.code == 0, result.err
    return {game["filename"]: game for game in result.json()["data"]["games"]}


def _explained(cli: Any, game: int | str, kind: str = "compat") -> list[dict[str, Any]]:
    shown = real(cli, "--json", "cache", "explain", str(game))
    assert shown.code == 0, shown.err
    (item,) = shown.json()["data"]
    groups: list[dict[str, Any]] = item["kinds"][kind]
    return groups


def test_a_platform_wide_answer_reaches_games_without_their_own(
        cli: Any, tmp_path: Path, library: dict[str, int]) -> None:
    assert real(cli, "cache", "import", shared_path(*GAMEINDEX)).code in (0, 1)
    _import(cli, tmp_path, "wide", {"platformId": "ps2", "emulatorId": "pcsx2",
                                    "gameId": "*", "status": "playable"})
    # the query language: the game's own pcsx2 answer first, else the platform-wide one
    assert _listed(cli, "compat:playable") == {NOBODY}
    assert _listed(cli, "compat:menu_intro") == {MIDNIGHT, DROPSHIP}
    assert _listed(cli, "compat:unknown") == set()
    assert _listed(cli, "-compat:playable") == {MIDNIGHT, DROPSHIP}
    # the auto-list says the same of each game
    verdicts = _verdicts(cli)
    assert verdicts[NOBODY]["compat"] == "COMPAT_OK"
    assert any(w.startswith("Compatibility: menu_intro (")
               for w in verdicts[MIDNIGHT]["warnings"])
    # and cache explain shows the platform-wide answer, and whether it applies
    (wide,) = _explained(cli, library[NOBODY])
    assert (wide["game_key"], wide["applies"]) == ("*", True)
    assert wide["why"].startswith("platform-wide, applies (no answer of the game's own); ")
    own, shadowed = _explained(cli, library[MIDNIGHT])
    assert (own["game_key"], own["applies"]) == ("SLES-50071", True)
    assert (shadowed["game_key"], shadowed["applies"]) == ("*", False)
    assert shadowed["why"].startswith("not applied (SLES-50071 comes first); ")


def test_another_emulators_platform_wide_answer_is_that_emulators(
        cli: Any, tmp_path: Path, library: dict[str, int]) -> None:
    assert real(cli, "cache", "import", shared_path(*GAMEINDEX)).code in (0, 1)
    _import(cli, tmp_path, "other", {"platformId": "ps2", "emulatorId": "play",
                                     "gameId": "*", "status": "broken"})
    # every PS2 game has an answer from that emulator now (`compat:` is any emulator's)
    assert _listed(cli, "compat:broken") == set(library)
    assert _listed(cli, "compat:menu_intro") == {MIDNIGHT, DROPSHIP}
    # the profile's emulator (pcsx2) is not that one: the auto-list does not take it
    assert _verdicts(cli)[NOBODY]["compat"] == "COMPAT_MISSING_ASSUME_OK"


def test_the_most_specific_key_decides_per_emulator(cli: Any, tmp_path: Path,
                                                    library: dict[str, int]) -> None:
    """Dropship's DAT serial says menu_intro (PCSX2); an answer under its DAT game id (a
    less specific key) saying broken does not apply: not in `compat:broken`, not what the
    auto-list warns of, marked as not applied by `cache explain`."""
    assert real(cli, "cache", "import", shared_path(*GAMEINDEX)).code in (0, 1)
    explained = real(cli, "--json", "cache", "explain", str(library[DROPSHIP])).json()["data"]
    serial, catalog_id = explained[0]["keys"][:2]
    assert catalog_id.startswith("ps2:")
    _import(cli, tmp_path, "by-id", {"platformId": "ps2", "emulatorId": "pcsx2",
                                     "gameId": catalog_id, "status": "broken"})
    assert DROPSHIP not in _listed(cli, "compat:broken")
    assert DROPSHIP in _listed(cli, "compat:menu_intro")
    assert any(w.startswith("Compatibility: menu_intro (")
               for w in _verdicts(cli)[DROPSHIP]["warnings"])
    groups = {g["game_key"]: g for g in _explained(cli, library[DROPSHIP])}
    assert groups[serial]["applies"] and not groups[catalog_id]["applies"]


def test_explain_shows_platform_wide_performance_only_for_a_known_platform(
        cli: Any, db_path: Path, library: dict[str, int]) -> None:
    db = open_database(db_path, OpenMode.WRITE).db
    ingest_observations(db, PERFORMANCE, "retrocatalog-api", [
        {"device_profile_id": 1, "platform_id": "ps2", "emulator_id": None,
         "definition_game_id": "*", "performance_tier": "good"},
        {"device_profile_id": 1, "platform_id": "gba", "emulator_id": None,
         "definition_game_id": "*", "performance_tier": "excellent"}])
    db.close()
    # a serial no game has belongs to no platform: no platform's answer is its answer
    assert _explained(cli, "SLUS-00001", "performance") == []
    (group,) = _explained(cli, library[NOBODY], "performance")
    assert (group["game_key"], group["applies"]) == ("*", True)


def test_a_game_of_an_undecided_platform_is_shown_answers_none_applying(
        cli: Any, tmp_path: Path) -> None:
    """An image outside any platform's folder: its disc id is read, so `cache explain`
    finds PCSX2's answer under it, but its platform is `unknown`, so no answer applies to it
    (`compat:` and auto-lists key answers by platform) — and explain says so."""
    from tests.test_knowledge_linking import _ps2_iso

    root = tmp_path / "roms"
    _ps2_iso(root / "misc" / "Midnight Club (Europe).iso", "SLES_500.71")
    assert real(cli, "library", "add", root).code == 0
    assert real(cli, "scan", "--workers", "1").code == 0
    (game,) = real(cli, "--json", "games", "ls").json()["data"]["games"]
    assert game["platform_id"] == "unknown"
    assert real(cli, "cache", "import", shared_path(*GAMEINDEX)).code in (0, 1)
    _import(cli, tmp_path, "wide", {"platformId": "ps2", "emulatorId": "pcsx2",
                                    "gameId": "*", "status": "playable"})
    (group,) = _explained(cli, game["id"])
    assert group["game_key"] == "SLES-50071" and group["applies"] is False
    assert group["why"].startswith("not applied (the game's platform is unknown")
    assert _listed(cli, "compat:unknown") == {game["filename"]}
