"""An arcade set whose ROMs its parent and clones share is identified by its hashes: the zip
is the catalog game that has every one of its members, named as the zip (``1942.zip`` of
MAME's 1942), else the only one whose ROMs are exactly its members (QA16 F3: 234 of 400
complete MAME sets were "guessed by name", their members matched to clones)."""

from __future__ import annotations

import hashlib
import zipfile
import zlib
from pathlib import Path
from typing import Any

ROMS = {name: hashlib.sha256(name.encode()).digest() * 32
        for name in ("a.1", "b.2", "c.3", "d.4", "e.5")}
GAMES = {"1942": ("a.1", "b.2", "c.3"), "1942a": ("a.1", "b.2", "d.4"),
         "1942b": ("a.1", "b.2", "c.3", "e.5")}


def _dat() -> str:
    out = ['clrmamepro (\n\tname "MAME"\n\tversion "0.37b5"\n)\n']
    for game, roms in GAMES.items():
        clone = '' if game == "1942" else '\tcloneof "1942"\n'
        out.append(f'game (\n\tname "{game}"\n{clone}' + "".join(
            f'\trom ( name {rom} size {len(ROMS[rom])} crc {zlib.crc32(ROMS[rom]):08x} )\n'
            for rom in roms) + ")\n")
    return "".join(out)


def _zip(path: Path, roms: tuple[str, ...]) -> None:
    with zipfile.ZipFile(path, "w") as archive:
        for rom in roms:
            archive.writestr(rom, ROMS[rom])


def test_arcade_zips_are_the_sets_they_hold(cli: Any, tmp_path: Path) -> None:
    arcade = tmp_path / "roms" / "arcade"
    arcade.mkdir(parents=True)
    _zip(arcade / "1942.zip", GAMES["1942"])
    _zip(arcade / "1942a.zip", GAMES["1942a"])
    _zip(arcade / "renamed.zip", GAMES["1942b"])  # not named as it: its ROMs are exactly 1942b's
    _zip(arcade / "common.zip", ("a.1", "b.2"))  # in every game, exactly none's: undecided
    (tmp_path / "mame.dat").write_text(_dat())
    for args in (("dat", "import", str(tmp_path / "mame.dat"), "--platform", "arcade"),
                 ("library", "add", str(tmp_path / "roms")), ("scan", "--workers", "1")):
        assert cli(*args).code == 0, args
    games = {g["filename"]: g for g in cli("--json", "games", "ls").json()["data"]["games"]}
    assert {name: (games[name]["matched_game_id"], games[name]["match_method"])
            for name in ("1942.zip", "1942a.zip", "renamed.zip")} == {
        "1942.zip": ("arcade:1942", "crc32"), "1942a.zip": ("arcade:1942a", "crc32"),
        "renamed.zip": ("arcade:1942b", "crc32")}
    assert games["common.zip"]["match_method"] not in ("crc32", "sha1", "md5")
    shown = cli("--json", "games", "show", str(games["1942.zip"]["id"])).json()["data"]
    assert {f["matched_game_id"] for f in shown["files"]} == {"arcade:1942"}


def test_games_show_names_each_catalog_game_that_has_its_data(cli: Any, tmp_path: Path) -> None:
    arcade = tmp_path / "roms" / "arcade"
    arcade.mkdir(parents=True)
    _zip(arcade / "1942.zip", GAMES["1942"])
    (tmp_path / "mame.dat").write_text(_dat())
    for args in (("dat", "import", str(tmp_path / "mame.dat"), "--platform", "arcade"),
                 ("library", "add", str(tmp_path / "roms")), ("scan", "--workers", "1")):
        assert cli(*args).code == 0, args
    (game,) = cli("--json", "games", "ls").json()["data"]["games"]
    lines = [line.strip() for line in cli("games", "show", str(game["id"])).out.splitlines()
             if line.strip().startswith("catalog ")]
    # (QA16: "catalog MAME version 0.37b5" three times, not saying which games)
    assert lines == ["catalog    MAME version 0.37b5",  # its match: 1942
                     "catalog    MAME version 0.37b5: 1942a",  # clones with some of its ROMs
                     "catalog    MAME version 0.37b5: 1942b"], lines
