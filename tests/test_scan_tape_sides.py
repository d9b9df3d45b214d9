"""TOSEC's tapes of one game, "(Tape 1 of 2 Side A)", "(Tape 2 of 2)", are tapes of one set.

p52e left them out: the side of a tape was read as no disc tag, so "(Tape 1 of 2 Side A)"
and "(Side B)" of one tape were each a game of their own, one taken for another version of
the other and left off the card, as the sides of a disk were before (review51d F1). The
names follow TOSEC's convention; no TOSEC DAT is among the shared DATs, and none of theirs
has a "(Tape" tag.
"""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path
from typing import Any

import pytest

from romrunner.catalog import identify as identify_module
from romrunner.library import redecide
from romrunner.library.tags import parse_filename, without_disc_tags
from tests.conftest import shared_path

TAPES = [f"Saboteur (1985)(Durell)({tag}).tzx" for tag in
         ("Tape 1 of 2 Side A", "Tape 1 of 2 Side B", "Tape 2 of 2")]


@pytest.mark.parametrize(("name", "disc", "total"), [
    ("Saboteur (1985)(Durell)(Tape 1 of 2 Side A).tzx", 1, 3),
    ("Saboteur (1985)(Durell)(Tape 1 of 2 Side B).tzx", 2, 3),
    ("Saboteur (1985)(Durell)(Tape 2 of 2).tzx", 2, 2),  # (a set's place: library/sets.py)
    ("Game (1985)(X)(Tape 2)(Side B).tzx", 4, None),
    ("Game (1985)(X)(Tape Loader).tzx", None, None),  # (no tape's number: a label)
    ("Tape Master (1985)(X).tzx", None, None),
])
def test_a_tape_or_its_side_is_a_disc_of_its_set(name: str, disc: int | None,
                                                  total: int | None) -> None:
    parsed = parse_filename(name)
    assert (parsed.disc_number, parsed.disc_total) == (disc, total)
    if disc is not None:
        assert not [tag for tag in parsed.other_tags if tag.startswith("Tape ")]


def test_the_tapes_of_a_set_share_its_title() -> None:
    assert {without_disc_tags(name[:-4]) for name in TAPES} == {"Saboteur (1985)(Durell)"}
    assert without_disc_tags("Game (1985)(X)(Tape Loader)") == "Game (1985)(X)(Tape Loader)"


def _tapes(db_path: Path) -> dict[str, tuple[int | None, str | None]]:
    with sqlite3.connect(db_path) as conn:
        return {str(name): (disc, key) for name, disc, key in conn.execute(
            "SELECT filename, disc_number, set_key FROM games")}


def _run(cli: Any, *args: str) -> Any:
    result = cli("--pack", str(shared_path("definition-pack")), *args)
    assert result.code == 0, (args, result.out, result.err)
    return result


WANTED = {name: (place, "zxspectrum:saboteur::durell")
          for name, place in zip(TAPES, (1, 2, 3), strict=True)}


def test_the_tapes_of_a_set_all_go_on_the_card(cli: Any, tmp_path: Path,
                                               db_path: Path) -> None:
    zx, card = tmp_path / "lib" / "zxspectrum", tmp_path / "card"
    zx.mkdir(parents=True)
    card.mkdir()
    for name in TAPES:
        (zx / name).write_bytes(os.urandom(48 * 1024))
    for step in (("library", "add", str(tmp_path / "lib")), ("scan", "--workers", "1"),
                 ("device", "add", "rg-35xx-plus"),
                 ("profile", "create", "--device", "1", "--os", "knulli")):
        _run(cli, *step)
    assert _tapes(db_path) == WANTED
    listed = _run(cli, "--json", "autolist", "1")
    assert {game["filename"]: (game["included"], game["dropped"])
            for game in listed.json()["data"]["games"]} == {name: (True, None)
                                                            for name in TAPES}
    auto = _run(cli, "deploy", "1", "--to", str(card), "--auto")
    assert "not in the library" not in auto.err
    assert sorted(path.name for path in card.rglob("*.tzx")) == sorted(TAPES)

    # a library scanned by tag rules 24 (the tapes no set): the next scan makes them one
    with sqlite3.connect(db_path) as conn:
        conn.execute("UPDATE games SET disc_number = NULL, set_key = NULL")
        conn.execute("UPDATE user_settings SET value = '24' WHERE key = ?",
                     (redecide.TAGS_KEY,))
    scanned = _run(cli, "--json", "scan", "--workers", "1")
    assert scanned.json()["data"]["unchanged"] == len(TAPES)
    assert _tapes(db_path) == WANTED
    with sqlite3.connect(db_path) as conn:
        assert conn.execute("SELECT value FROM user_settings WHERE key = ?",
                            (redecide.TAGS_KEY,)).fetchone() == (
            str(identify_module.TAG_RULES_VERSION),)
