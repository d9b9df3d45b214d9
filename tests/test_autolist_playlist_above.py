"""review51d F2 (low): a library .m3u naming a file through a folder above its own
(``../saturn/…``) is refused whole by a deploy; the auto-list listed it (its line's game, of
another platform and left out, did not take it), so every `deploy --auto` chose it and
failed ("1 chosen game was left out", exit 1). It is left out, saying which line."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.test_autolist_library_playlists import _card_files, _disc, _profile


def _listed(cli: Any) -> dict[str, dict[str, Any]]:
    listed = cli("--json", "autolist", "1")
    assert listed.code == 0, listed.err
    return {game["filename"]: game for game in listed.json()["data"]["games"]}


@pytest.mark.parametrize("os_id", ["knulli", "muos"])
def test_a_playlist_naming_a_file_above_its_folder_is_left_out_and_auto_deploys(
        cli: Any, tmp_path: Path, os_id: str) -> None:
    lib, card = tmp_path / "lib", tmp_path / "card"
    _disc(lib / "psx", "Alpha (USA)")
    _disc(lib / "saturn", "Panzer Dragoon (USA)")
    (lib / "psx" / "Mix.m3u").write_text("Alpha (USA).cue\n../saturn/Panzer Dragoon (USA).cue\n")
    _profile(cli, lib, os_id)
    games = _listed(cli)
    mix = games["Mix.m3u"]
    assert (mix["included"], mix["dropped"]) == (False, "track_missing"), mix
    assert any("../saturn/Panzer Dragoon (USA).cue through a folder above its own" in warning
               for warning in mix["warnings"]), mix["warnings"]
    assert (games["Alpha (USA).cue"]["included"], games["Alpha (USA).cue"]["dropped"]) == \
        (True, None)
    card.mkdir()
    auto = cli("deploy", "1", "--to", str(card), "--auto")
    assert auto.code == 0, auto.out + auto.err
    assert "roms/psx/Mix.m3u" not in _card_files(card) and \
        not any(name.endswith("Mix.m3u") for name in _card_files(card))
    assert any(name.endswith("Alpha (USA).cue") for name in _card_files(card))


def test_a_playlist_of_its_own_folder_and_below_stays_listed(cli: Any, tmp_path: Path) -> None:
    lib = tmp_path / "lib"
    _disc(lib / "psx", "Alpha (USA)")
    _disc(lib / "psx" / "more", "Beta (USA)")
    (lib / "psx" / "Mix.m3u").write_text("./Alpha (USA).cue\nmore/Beta (USA).cue\n")
    _profile(cli, lib, "knulli")
    mix = _listed(cli)["Mix.m3u"]
    assert (mix["included"], mix["dropped"]) == (True, None), mix
