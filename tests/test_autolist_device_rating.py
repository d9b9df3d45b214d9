"""Which of a device's performance ratings of a platform decides, with no emulator chosen
(an OS whose installed emulators the pack does not list): the rule said in
``autolist._device_rating``'s docstring and in the README's auto-list block."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.conftest import real_pack_profile
from tests.test_autolist_device_power import _add_a_chipset_sibling, _fm_towns, _rate


# review52h F5: a rating of an emulator the pack does not list for the platform (an id it does
# not know, or Play!, which it does not list for the PS2) outweighs nothing — its "poor" beside
# an emulator-less "good" left FM Towns off a Steam Deck, and its "excellent" beside an
# emulator-less "playable" made the device strong; alone, it counts.
@pytest.mark.parametrize("unlisted", ["notanemulator", "play"])
def test_an_unlisted_emulators_rating_outweighs_nothing(cli: Any, tmp_path: Path,
                                                        unlisted: str) -> None:
    pack = real_pack_profile(cli, tmp_path, "fmtowns/Zak McKracken (Japan).iso", b"\x07",
                             "steam-deck", "emudeck")
    _rate(cli, pack, tmp_path, "steam-deck", ("ps2", 20, unlisted))
    game = _fm_towns(cli, pack)
    assert (game["included"], game["reason"]) == (False, "NO_EMULATOR_AVAILABLE"), game
    assert "its record of ps2 says poor (retrocatalog-api" in " ".join(game["warnings"])
    _rate(cli, pack, tmp_path, "steam-deck", ("ps2", 75, None))
    game = _fm_towns(cli, pack)
    assert (game["included"], game["reason"]) == (True, "INCLUDED"), game
    assert game["power_rating"]["tier"] == "good", game
    # an emulator-less "playable" (below the floor) with the unlisted one's "excellent"
    _rate(cli, pack, tmp_path, "steam-deck", ("ps2", 45, None), ("ps2", 95, unlisted))
    game = _fm_towns(cli, pack)
    assert (game["included"], game["reason"]) == (False, "NO_EMULATOR_AVAILABLE"), game


# review52c F6: with no emulator chosen, a same-chipset device's emulator-less "poor" outweighed
# the device's own rating with an emulator (Azahar's "excellent" of the 3DS): the device's own
# comes first, as everywhere else.
def test_the_devices_own_emulator_rating_outweighs_its_chipsets(cli: Any,
                                                                tmp_path: Path) -> None:
    pack = real_pack_profile(cli, tmp_path, "3ds/Pilotwings Resort (USA).3ds", b"\x07",
                             "rg-35xx-plus", "muos")
    _add_a_chipset_sibling(cli, pack)
    _rate(cli, pack, tmp_path, "rg-35xx-h", ("3ds", 20, None))
    game = _fm_towns(cli, pack, platform="3ds")
    assert (game["included"], game["reason"]) == (False, "PERF_TIER_EXCLUDED"), game
    _rate(cli, pack, tmp_path, "rg-35xx-plus", ("3ds", 90, "azahar"))
    game = _fm_towns(cli, pack, platform="3ds")
    assert (game["included"], game["reason"], game["perf"]) == (True, "INCLUDED", "PERF_OK"), game
    assert (game["perf_tier"], game["perf_source"]) == ("excellent", "retrocatalog-api"), game
    assert "same chipset" not in " ".join(game["warnings"]), game


# review52c F8: on an OS whose installed emulators the pack lists (MinUI), a game no emulator of
# it runs was left out as "Performance tier poor" of Citra, which MinUI does not have, and the
# "no folder" note went: an emulator's rating says nothing there.
def test_an_emulator_the_os_lacks_is_not_the_reason(cli: Any, tmp_path: Path) -> None:
    pack = real_pack_profile(cli, tmp_path, "3ds/Pilotwings Resort (USA).3ds", b"\x07",
                             "rg-35xx-plus", "minui")
    before = _fm_towns(cli, pack, platform="3ds")
    assert (before["included"], before["reason"]) == (False, "no_folder"), before
    _rate(cli, pack, tmp_path, "rg-35xx-plus", ("3ds", 20, "citra"))
    game = _fm_towns(cli, pack, platform="3ds")
    assert (game["included"], game["reason"], game["perf_tier"]) == (
        False, "no_folder", None), game
    said = " ".join(game["warnings"])
    assert "MinUI has no folder for 3ds" in said, said
    assert "Performance tier poor" not in said, said


# review53d F1: an unlisted emulator's rating outweighs nothing at any level — the device's
# own "excellent" by an id the pack does not know beat its chipset sibling's emulator-less
# "poor" (since ff615d31 the device's own level comes first), and a weak handheld got 3DS games
def test_an_unlisted_emulators_own_rating_does_not_outweigh_a_chipsets(cli: Any,
                                                                       tmp_path: Path) -> None:
    pack = real_pack_profile(cli, tmp_path, "3ds/Pilotwings Resort (USA).3ds", b"\x07",
                             "rg-35xx-plus", "muos")
    _add_a_chipset_sibling(cli, pack)
    _rate(cli, pack, tmp_path, "rg-35xx-h", ("3ds", 20, None))
    _rate(cli, pack, tmp_path, "rg-35xx-plus", ("3ds", 95, "notanemulator"))
    game = _fm_towns(cli, pack, platform="3ds")
    assert (game["included"], game["reason"]) == (False, "PERF_TIER_EXCLUDED"), game
    assert game["perf_tier"] == "poor", game


# review53d F2: two running ratings of one emulator (a fork's and its origin's) from one source
# decided by their import order: PCSX2 "playable" then AetherSX2 "good" left FM Towns off a
# Steam Deck, the other order put it on. The worse counts, whatever the order.
@pytest.mark.parametrize("order", [(("pcsx2", 45), ("aethersx2", 75)),
                                   (("aethersx2", 75), ("pcsx2", 45))])
def test_one_emulators_two_running_ratings_decide_alike_in_either_order(
        cli: Any, tmp_path: Path, order: tuple[tuple[str, int], ...]) -> None:
    pack = real_pack_profile(cli, tmp_path, "fmtowns/Zak McKracken (Japan).iso", b"\x07",
                             "steam-deck", "emudeck")
    _rate(cli, pack, tmp_path, "steam-deck", *(("ps2", score, emulator)
                                               for emulator, score in order))
    game = _fm_towns(cli, pack)
    assert (game["included"], game["reason"]) == (False, "NO_EMULATOR_AVAILABLE"), game
