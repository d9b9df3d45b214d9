"""The auto-list's "every emulator is demanding or an arcade emulator" rule (PS Vita, 3DS,
FM Towns on an OS whose installed emulators the pack does not list) takes the device's
power into account as the performance gate knows it: a device whose performance records (its
own, or its chipset's) show it running a demanding platform, or the game's own, is not a
weak handheld (review49e F3: FM Towns was left out in balanced mode on a Steam Deck under
EmuDeck, whose RetroArch has the current MAME core). A weak handheld, or a device nothing
rates, keeps the rule."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from tests.conftest import real_pack_profile


def _ratings(tmp_path: Path, device: str, items: list[tuple[str, int]]) -> Path:
    perf = tmp_path / f"perf-{device}-{len(items)}.json"
    perf.write_text(json.dumps({
        "schemaVersion": "device-performance-v1", "source": "retrocatalog-api",
        "generatedAt": "2026-11-15T00:00:00Z", "items": [
            {"deviceId": device, "platformId": platform, "gameId": "*", "score": score}
            for platform, score in items]}), encoding="utf-8")
    return perf


def _fm_towns(cli: Any, pack: str, profile: str = "1") -> dict[str, Any]:
    listed = cli("--pack", pack, "--json", "autolist", profile)
    assert listed.code == 0, listed.err
    (game,) = listed.json()["data"]["games"]
    assert game["platform_id"] == "fm-towns"
    return game


def test_a_device_rated_to_run_a_demanding_platform_gets_fm_towns(cli: Any,
                                                                   tmp_path: Path) -> None:
    pack = real_pack_profile(cli, tmp_path, "fmtowns/Zak McKracken (Japan).iso", b"\x07",
                             "steam-deck", "emudeck")
    # nothing rates the device: the rule holds, as on any handheld
    game = _fm_towns(cli, pack)
    assert (game["included"], game["reason"]) == (False, "NO_EMULATOR_AVAILABLE"), game
    said = " ".join(game["warnings"])
    assert "no performance record shows this device or its chipset" in said, said
    assert "permissive mode includes it" in said
    # the Deck rated good at PS2 (a demanding platform): FM Towns is in, said why
    assert cli("--pack", pack, "cache", "import",
               _ratings(tmp_path, "steam-deck", [("ps2", 75), ("gba", 100)])).code == 0
    game = _fm_towns(cli, pack)
    assert (game["included"], game["reason"]) == (True, "INCLUDED"), game
    said = " ".join(game["warnings"])
    assert "Emulator unknown" in said, said
    assert "ps2: good (retrocatalog-api" in said, said
    # strict mode still leaves an unknown emulator out
    assert cli("--pack", pack, "profile", "set", "1", "--mode", "strict").code == 0
    assert not _fm_towns(cli, pack)["included"]


def test_a_weak_handheld_keeps_the_rule(cli: Any, tmp_path: Path) -> None:
    pack = real_pack_profile(cli, tmp_path, "fmtowns/Zak McKracken (Japan).iso", b"\x07",
                             "rg-35xx-plus", "retropie")
    # rated at PS2, poorly, and well at the GBA (not a demanding platform): still out
    assert cli("--pack", pack, "cache", "import",
               _ratings(tmp_path, "rg-35xx-plus", [("ps2", 20), ("gba", 95)])).code == 0
    game = _fm_towns(cli, pack)
    assert (game["included"], game["reason"]) == (False, "NO_EMULATOR_AVAILABLE"), game
    assert "arcade emulator that runs it as one of its machines" in " ".join(game["warnings"])


def test_a_rating_of_the_platform_itself_counts(cli: Any, tmp_path: Path) -> None:
    pack = real_pack_profile(cli, tmp_path, "fmtowns/Zak McKracken (Japan).iso", b"\x07",
                             "odin-2", "android")
    assert not _fm_towns(cli, pack)["included"]
    assert cli("--pack", pack, "cache", "import",
               _ratings(tmp_path, "odin-2", [("fm-towns", 70)])).code == 0
    game = _fm_towns(cli, pack)
    assert (game["included"], game["reason"]) == (True, "INCLUDED"), game
