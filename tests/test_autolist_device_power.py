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

import pytest

from tests.conftest import real_pack_profile


def _ratings(tmp_path: Path, device: str, items: list[tuple[str, int]],
             emulator: str | None = None) -> Path:
    perf = tmp_path / f"perf-{device}-{len(items)}-{emulator}-{items[0]}.json"
    perf.write_text(json.dumps({
        "schemaVersion": "device-performance-v1", "source": "retrocatalog-api",
        "generatedAt": "2026-11-15T00:00:00Z", "items": [
            {"deviceId": device, "platformId": platform, "gameId": "*", "score": score,
             **({"emulatorId": emulator} if emulator else {})}
            for platform, score in items]}), encoding="utf-8")
    return perf


def _rate(cli: Any, pack: str, tmp_path: Path, device: str,
          *ratings: tuple[str, int, str | None]) -> None:
    """Each of ``ratings`` (platform, score, emulator or None) imported for ``device``, in
    order, one platform-wide rating a file."""
    for platform, score, emulator in ratings:
        assert cli("--pack", pack, "cache", "import", _ratings(
            tmp_path, device, [(platform, score)], emulator)).code == 0, (platform, emulator)


def _add_a_chipset_sibling(cli: Any, pack: str) -> None:
    """An RG35XX H (an RG35XX Plus's chipset), profile 2, under muOS."""
    for args in (("device", "add", "rg-35xx-h"),
                 ("profile", "create", "--device", "2", "--os", "muos")):
        assert cli("--pack", pack, *args).code == 0, args


# both orders of one emulator's two ratings of one source, a fork's and its origin's
# (AetherSX2's "excellent", PCSX2's "poor"), as (emulator, score)
_FORK_ORDERS = pytest.mark.parametrize("order", [(("pcsx2", 20), ("aethersx2", 90)),
                                                 (("aethersx2", 90), ("pcsx2", 20))])


def _fm_towns(cli: Any, pack: str, profile: str = "1",
              platform: str = "fm-towns") -> dict[str, Any]:
    listed = cli("--pack", pack, "--json", "autolist", profile)
    assert listed.code == 0, listed.err
    (game,) = listed.json()["data"]["games"]
    assert game["platform_id"] == platform
    return game


def test_a_device_rated_to_run_a_demanding_platform_gets_fm_towns(cli: Any,
                                                                   tmp_path: Path) -> None:
    pack = real_pack_profile(cli, tmp_path, "fmtowns/Zak McKracken (Japan).iso", b"\x07",
                             "steam-deck", "emudeck")
    # nothing rates the device: the rule holds, as on any handheld
    game = _fm_towns(cli, pack)
    assert (game["included"], game["reason"]) == (False, "NO_EMULATOR_AVAILABLE"), game
    said = " ".join(game["warnings"])
    assert "no performance record shows this device running it" in said, said
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


# review50b F1: one "playable" Saturn rating let PS Vita and FM Towns onto an RG-353V. The
# Saturn (Mednafen, Yabause: medium demand) is no proxy of power, nor is a tier2 platform's
# "playable"; a tier2 platform only demanding emulators run, rated good, is.
def test_a_mid_range_handhelds_saturn_or_playable_ps2_is_no_proof(cli: Any,
                                                                   tmp_path: Path) -> None:
    pack = real_pack_profile(cli, tmp_path, "fmtowns/Zak McKracken (Japan).iso", b"\x07",
                             "rg-353v", "recalbox")
    assert cli("--pack", pack, "cache", "import",
               _ratings(tmp_path, "rg-353v", [("saturn", 45)])).code == 0
    game = _fm_towns(cli, pack)
    assert (game["included"], game["reason"]) == (False, "NO_EMULATOR_AVAILABLE"), game
    assert cli("--pack", pack, "cache", "import",
               _ratings(tmp_path, "rg-353v", [("saturn", 90), ("ps2", 50)])).code == 0
    game = _fm_towns(cli, pack)
    assert (game["included"], game["reason"]) == (False, "NO_EMULATOR_AVAILABLE"), game
    said = " ".join(game["warnings"])
    assert "gamecube, ps2, wii, xbox rated good or better" in said, said
    assert game["power_rating"] is None
    # GameCube rated good: in, the rating said, in the warning and in --json
    assert cli("--pack", pack, "cache", "import",
               _ratings(tmp_path, "rg-353v", [("gamecube", 75)])).code == 0
    game = _fm_towns(cli, pack)
    assert (game["included"], game["reason"]) == (True, "INCLUDED"), game
    assert "gamecube: good (retrocatalog-api" in " ".join(game["warnings"]), game
    assert game["power_rating"] == {"platform_id": "gamecube", "tier": "good",
                                    "source": "retrocatalog-api"}, game


# review50b F2: the device's own "poor" PS2 is what decides for it, not a same-chipset
# device's "good" (the performance gate's own order).
def test_the_devices_own_poor_rating_is_not_outweighed_by_its_chipsets(
        cli: Any, tmp_path: Path) -> None:
    pack = real_pack_profile(cli, tmp_path, "fmtowns/Zak McKracken (Japan).iso", b"\x07",
                             "rg-35xx-plus", "recalbox")
    _add_a_chipset_sibling(cli, pack)
    assert cli("--pack", pack, "cache", "import", _ratings(tmp_path, "rg-35xx-h", [
        ("ps2", 75)])).code == 0
    # with no rating of its own the chipset's counts
    game = _fm_towns(cli, pack)
    assert game["included"], game
    assert "measured on rg-35xx-h: same chipset" in " ".join(game["warnings"])
    assert cli("--pack", pack, "cache", "import", _ratings(tmp_path, "rg-35xx-plus", [
        ("ps2", 20)])).code == 0
    game = _fm_towns(cli, pack)
    assert (game["included"], game["reason"]) == (False, "NO_EMULATOR_AVAILABLE"), game


# review50b F3: the device's rating of the platform itself with an emulator (Tsugaru's of FM
# Towns) counts, for and against; the message no longer says no record exists.
def test_a_rating_of_the_platform_with_an_emulator_decides(cli: Any, tmp_path: Path) -> None:
    pack = real_pack_profile(cli, tmp_path, "fmtowns/Zak McKracken (Japan).iso", b"\x07",
                             "odin-2", "android")
    assert cli("--pack", pack, "cache", "import", _ratings(
        tmp_path, "odin-2", [("fm-towns", 70)], "tsugaru")).code == 0
    game = _fm_towns(cli, pack)
    assert (game["included"], game["reason"]) == (True, "INCLUDED"), game
    said = " ".join(game["warnings"])
    assert "show it running fm-towns: good (retrocatalog-api" in said, said
    assert "not in RetroCatalog" not in said, said
    assert (game["perf"], game["perf_tier"], game["perf_source"]) == (
        "PERF_OK", "good", "retrocatalog-api"), game
    # rated poor with it, the PS2 rated excellent does not outweigh it
    assert cli("--pack", pack, "cache", "import", _ratings(
        tmp_path, "odin-2", [("fm-towns", 20)], "tsugaru")).code == 0
    assert cli("--pack", pack, "cache", "import", _ratings(
        tmp_path, "odin-2", [("ps2", 95)])).code == 0
    game = _fm_towns(cli, pack)
    # (the performance gate, asked with no emulator, reads the emulators' ratings where none
    # without one exists: review50f F2)
    assert (game["included"], game["reason"]) == (False, "PERF_TIER_EXCLUDED"), game
    assert "Performance tier poor (retrocatalog-api" in " ".join(game["warnings"]), game


# review50b F4: a rating of tier "unknown" is no record of the device running the platform.
def test_an_unknown_tier_lets_nothing_in(cli: Any, tmp_path: Path) -> None:
    pack = real_pack_profile(cli, tmp_path, "fmtowns/Zak McKracken (Japan).iso", b"\x07",
                             "rg-35xx-plus", "recalbox")
    rows = tmp_path / "unknown.jsonl"
    rows.write_text(json.dumps({"device_profile_id": 1, "platform_id": "fm-towns",
                                "definition_game_id": "*", "performance_tier": "unknown"})
                    + "\n", encoding="utf-8")
    assert cli("--pack", pack, "cache", "import", str(rows), "--format", "rows", "--source",
               "my-notes", "--kind", "performance", "--new-source").code == 0
    game = _fm_towns(cli, pack)
    assert (game["included"], game["reason"]) == (False, "NO_EMULATOR_AVAILABLE"), game


# review50b F6: PS Vita, which no arcade emulator runs, is not said to be "demanding or an
# arcade emulator" when a rating lets it in.
def test_the_reason_says_demanding_only_for_ps_vita(cli: Any, tmp_path: Path) -> None:
    pack = real_pack_profile(cli, tmp_path, "psvita/Persona 4 Golden (USA).vpk", b"\x07",
                             "odin-2", "android")
    game = _fm_towns(cli, pack, platform="psvita")
    assert not game["included"], game
    assert cli("--pack", pack, "cache", "import", _ratings(
        tmp_path, "odin-2", [("ps2", 85)])).code == 0
    game = _fm_towns(cli, pack, platform="psvita")
    assert (game["included"], game["reason"]) == (True, "INCLUDED"), game
    said = " ".join(game["warnings"])
    assert "every emulator the pack knows for it is demanding, and" in said, said
    assert "arcade" not in said, said


def test_an_emulators_poor_rating_is_not_outweighed_by_one_without_an_emulator(
        cli: Any, tmp_path: Path) -> None:
    # review50f F1: PCSX2 rated poor (the list leaves PS2 out so) beside an emulator-less
    # "good" let FM Towns in as if the device ran PS2; Tsugaru's "poor" beside an
    # emulator-less "playable" let FM Towns itself in
    pack = real_pack_profile(cli, tmp_path, "fmtowns/Zak McKracken (Japan).iso", b"\x07",
                             "steam-deck", "emudeck")
    _rate(cli, pack, tmp_path, "steam-deck", ("ps2", 20, "pcsx2"), ("ps2", 75, None))
    game = _fm_towns(cli, pack)
    assert (game["included"], game["reason"]) == (False, "NO_EMULATOR_AVAILABLE"), game
    _rate(cli, pack, tmp_path, "steam-deck", ("fm-towns", 20, "tsugaru"),
          ("fm-towns", 50, None))
    game = _fm_towns(cli, pack)
    assert (game["included"], game["reason"]) == (False, "NO_EMULATOR_AVAILABLE"), game


# review50f F2: the "unknown" rating the rule ignored in leaving the game out was still given
# as the rating its verdict went by (perf_tier "unknown", perf_source "my-notes").
def test_an_ignored_unknown_tier_is_not_the_rating_a_verdict_went_by(
        cli: Any, tmp_path: Path) -> None:
    pack = real_pack_profile(cli, tmp_path, "fmtowns/Zak McKracken (Japan).iso", b"\x07",
                             "rg-35xx-plus", "recalbox")
    rows = tmp_path / "unknown.jsonl"
    rows.write_text(json.dumps({"device_profile_id": 1, "platform_id": "fm-towns",
                                "definition_game_id": "*", "performance_tier": "unknown"})
                    + "\n", encoding="utf-8")
    assert cli("--pack", pack, "cache", "import", str(rows), "--format", "rows", "--source",
               "my-notes", "--kind", "performance", "--new-source").code == 0
    game = _fm_towns(cli, pack)
    assert (game["included"], game["reason"]) == (False, "NO_EMULATOR_AVAILABLE"), game
    assert (game["perf_tier"], game["perf_source"]) == (None, None), game
    assert "no performance record shows this device running it" in " ".join(game["warnings"])


# review52c F2: the running rating of an emulator the pack does not list for the platform
# (Play!, for the PS2) does not outweigh one that leaves the platform out; the reason names the
# record that left it out, not that none exists. review52f F1: a listed emulator's running
# rating (PCSX2's) outweighs such an emulator's "poor" — FM Towns was left off a Steam Deck.
def test_one_emulators_poor_rating_is_not_outweighed_by_anothers_running_one(
        cli: Any, tmp_path: Path) -> None:
    pack = real_pack_profile(cli, tmp_path, "fmtowns/Zak McKracken (Japan).iso", b"\x07",
                             "steam-deck", "emudeck")
    _rate(cli, pack, tmp_path, "steam-deck", ("ps2", 20, "pcsx2"), ("ps2", 90, "play"))
    game = _fm_towns(cli, pack)
    assert (game["included"], game["reason"]) == (False, "NO_EMULATOR_AVAILABLE"), game
    said = " ".join(game["warnings"])
    assert "its record of ps2 says poor (retrocatalog-api" in said, said
    _rate(cli, pack, tmp_path, "steam-deck", ("ps2", 95, "pcsx2"), ("ps2", 20, "play"))
    game = _fm_towns(cli, pack)
    assert (game["included"], game["reason"]) == (True, "INCLUDED"), game
    assert "ps2: excellent (retrocatalog-api" in " ".join(game["warnings"]), game


# review50h F2 (the case as found): AetherSX2 is a fork of PCSX2, whose ratings it reads; its
# "excellent" beside PCSX2's "poor" of one source is one emulator rated twice — the rating that
# leaves PS2 out decides, in whichever order they were imported, and the reason says that record
# rather than that none exists.
@_FORK_ORDERS
def test_a_forks_running_rating_beside_its_origins_poor_one_is_said(
        cli: Any, tmp_path: Path, order: tuple[tuple[str, int], ...]) -> None:
    pack = real_pack_profile(cli, tmp_path, "fmtowns/Zak McKracken (Japan).iso", b"\x07",
                             "steam-deck", "emudeck")
    _rate(cli, pack, tmp_path, "steam-deck",
          *(("ps2", score, emulator) for emulator, score in order))
    game = _fm_towns(cli, pack)
    assert (game["included"], game["reason"]) == (False, "NO_EMULATOR_AVAILABLE"), game
    said = " ".join(game["warnings"])
    assert "its record of ps2 says poor (retrocatalog-api" in said, said


# review50f F2: a device rated for the 3DS only with an emulator (Citra), on an OS whose
# emulators the pack does not list, was "performance unknown" on a demanding platform and left
# out (the performance gate, asked with no emulator, read only ratings without one).
def test_a_platform_rated_only_with_an_emulator_is_rated(cli: Any, tmp_path: Path) -> None:
    pack = real_pack_profile(cli, tmp_path, "3ds/Pilotwings Resort (USA).3ds", b"\x07",
                             "odin-2", "android")
    game = _fm_towns(cli, pack, platform="3ds")
    assert (game["included"], game["reason"]) == (False, "PERF_MISSING_STRICT"), game
    assert cli("--pack", pack, "cache", "import",
               _ratings(tmp_path, "odin-2", [("3ds", 90)], "citra")).code == 0
    game = _fm_towns(cli, pack, platform="3ds")
    assert (game["included"], game["reason"], game["perf"]) == (True, "INCLUDED", "PERF_OK"), game
    assert "show it running 3ds: excellent (retrocatalog-api" in " ".join(game["warnings"])


# review52c F5: with an emulator chosen (PCSX2 for a PS2 game), its fork's "excellent" and its
# own "poor" of one source decided by their import order: the one leaving it out decides.
@_FORK_ORDERS
def test_an_emulators_two_ratings_decide_whatever_their_order(
        cli: Any, tmp_path: Path, order: tuple[tuple[str, int], ...]) -> None:
    pack = real_pack_profile(cli, tmp_path, "ps2/Ico (USA).iso", b"\x07", "steam-deck",
                             "emudeck")
    game = _fm_towns(cli, pack, platform="ps2")
    assert game["emulator_id"] and "pcsx2" in game["emulator_id"], game
    _rate(cli, pack, tmp_path, "steam-deck",
          *(("ps2", score, emulator) for emulator, score in order))
    game = _fm_towns(cli, pack, platform="ps2")
    assert (game["included"], game["reason"]) == (False, "PERF_TIER_EXCLUDED"), game


# review52h F1: Azahar and Lime3DS are forks of Citra, rated as it: Azahar's "good" beside
# Citra's "poor" is one emulator rated twice, not another emulator running the 3DS — a weak
# handheld (an RG35XX Plus under muOS) got FM Towns as if it ran the 3DS well.
def test_a_forks_rating_does_not_outweigh_its_origins_poor_one(
        cli: Any, tmp_path: Path) -> None:
    pack = real_pack_profile(cli, tmp_path, "fmtowns/Zak McKracken (Japan).iso", b"\x07",
                             "rg-35xx-plus", "muos")
    _rate(cli, pack, tmp_path, "rg-35xx-plus", ("3ds", 20, "citra"), ("3ds", 80, "azahar"))
    game = _fm_towns(cli, pack)
    assert (game["included"], game["reason"]) == (False, "NO_EMULATOR_AVAILABLE"), game
