"""Which of a device's performance ratings of a platform decides, with no emulator chosen
(an OS whose installed emulators the pack does not list): the rule said in
``autolist._device_rating``'s docstring and in the README's auto-list block."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.conftest import real_pack_profile
from tests.test_autolist_device_power import _fm_towns, _ratings


# review52h F5: a rating of an emulator the pack does not list for the platform (an id it does
# not know, or Play!, which it does not list for the PS2) outweighs nothing — its "poor" beside
# an emulator-less "good" left FM Towns off a Steam Deck, and its "excellent" beside an
# emulator-less "playable" made the device strong; alone, it counts.
@pytest.mark.parametrize("unlisted", ["notanemulator", "play"])
def test_an_unlisted_emulators_rating_outweighs_nothing(cli: Any, tmp_path: Path,
                                                        unlisted: str) -> None:
    pack = real_pack_profile(cli, tmp_path, "fmtowns/Zak McKracken (Japan).iso", b"\x07",
                             "steam-deck", "emudeck")
    assert cli("--pack", pack, "cache", "import",
               _ratings(tmp_path, "steam-deck", [("ps2", 20)], unlisted)).code == 0
    game = _fm_towns(cli, pack)
    assert (game["included"], game["reason"]) == (False, "NO_EMULATOR_AVAILABLE"), game
    assert "its record of ps2 says poor (retrocatalog-api" in " ".join(game["warnings"])
    assert cli("--pack", pack, "cache", "import",
               _ratings(tmp_path, "steam-deck", [("ps2", 75)])).code == 0
    game = _fm_towns(cli, pack)
    assert (game["included"], game["reason"]) == (True, "INCLUDED"), game
    assert game["power_rating"]["tier"] == "good", game
    # an emulator-less "playable" (below the floor) with the unlisted one's "excellent"
    for items, emulator in (([("ps2", 45)], None), ([("ps2", 95)], unlisted)):
        assert cli("--pack", pack, "cache", "import",
                   _ratings(tmp_path, "steam-deck", items, emulator)).code == 0
    game = _fm_towns(cli, pack)
    assert (game["included"], game["reason"]) == (False, "NO_EMULATOR_AVAILABLE"), game
