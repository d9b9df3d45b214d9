"""A TOSEC media label after a side, "(Side A)(Boot)", does not name the set's playlist.

review52e F7: a set's title is its first disc's name without its disc tag, so "Bards Tale
(1985)(EA)(Side A)(Boot)" and "(Side B)(Character Disk)" went on the card as "Bards Tale
(1985)(EA)(Boot).m3u" (and, on muOS, its hidden folder). A Redump disc's own name, "(Disc 1)
(Leon-hen)", names its set's playlist as it always has (tests/test_disc_set_labels.py).
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest

from romrunner.library.tags import without_disc_tags
from tests.conftest import shared_path


@pytest.mark.parametrize(("stem", "title"), [
    ("Ultima V (1988)(Origin)(Disk 1 of 4 Side A)(Program)", "Ultima V (1988)(Origin)"),
    ("Bards Tale (1985)(EA)(Side A)(Boot)", "Bards Tale (1985)(EA)"),
    ("Bards Tale (1985)(EA)(Side B)(Character Disk)[cr X]", "Bards Tale (1985)(EA)[cr X]"),
    ("Game (1990)(X)(Disk 2)(Side A)(Program)", "Game (1990)(X)"),
    # (what is no disc's label stays: an edition, a year, a region; and a title's "Side")
    ("Game (1990)(X)(Side A)(Dungeon Set)", "Game (1990)(X)(Dungeon Set)"),
    ("Game (1990)(X)(Side A)(US)", "Game (1990)(X)(US)"),
    ("Side Arms (1988)(Capcom)(Boot)", "Side Arms (1988)(Capcom)(Boot)"),
    ("Biohazard 2 (Japan) (Disc 1) (Leon-hen)", "Biohazard 2 (Japan) (Leon-hen)"),
])
def test_a_sides_media_label_is_no_part_of_its_sets_title(stem: str, title: str) -> None:
    assert without_disc_tags(stem) == title


@pytest.mark.parametrize(("os_id", "playlist", "discs"), [
    ("knulli", "roms/amiga500/Bards Tale (1985)(EA).m3u", "roms/amiga500"),
    ("muos", "roms/amiga/Bards Tale (1985)(EA).m3u", "roms/amiga/.Bards Tale (1985)(EA)"),
])
def test_the_playlist_of_a_set_of_labelled_sides_is_named_by_the_sets_title(
        cli: Any, tmp_path: Path, os_id: str, playlist: str, discs: str) -> None:
    pack = str(shared_path("definition-pack"))
    amiga, card = tmp_path / "lib" / "amiga", tmp_path / "card"
    amiga.mkdir(parents=True)
    card.mkdir()
    sides = ["Bards Tale (1985)(EA)(Side A)(Boot).adf",
             "Bards Tale (1985)(EA)(Side B)(Character Disk).adf"]
    for side in sides:
        (amiga / side).write_bytes(os.urandom(901120))
    for step in (("library", "add", str(tmp_path / "lib")), ("scan", "--workers", "1"),
                 ("device", "add", "rg-35xx-plus"),
                 ("profile", "create", "--device", "1", "--os", os_id),
                 ("deploy", "1", "--to", str(card), "--auto")):
        result = cli("--pack", pack, *step)
        assert result.code == 0, (step, result.out, result.err)
    lines = (card / playlist).read_text().splitlines()
    assert [line.rsplit("/", 1)[-1] for line in lines] == sides
    assert sorted(path.name for path in (card / discs).glob("*.adf")) == sides
    assert not list(card.rglob("*(Boot)*.m3u"))
