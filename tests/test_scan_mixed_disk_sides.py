"""A set of TOSEC disks mixing sided and unsided ones is numbered by its discs' places.

review52e F1: disk N's sides were numbered 2N-1 and 2N and an unsided disk N as N, name by
name, so "(Disk 1 of 2 Side A)", "(Disk 1 of 2 Side B)", "(Disk 2 of 2)" were discs 1, 2 and
2: the auto-list took disk 2 for a version of Side B and left it off the card, and the
deploy warned that discs 3 and 4 (which do not exist) were not in the library. The reverse,
"(Disk 1 of 2)" then disk 2's two sides, was 1, 3, 4 and a false "disc 2 is not in the
library". The names follow TOSEC's convention; no TOSEC DAT is among the shared DATs.
"""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path
from typing import Any

import pytest

from romrunner.catalog import identify as identify_module
from romrunner.library import redecide, sets
from romrunner.library.tags import parse_filename
from tests.conftest import shared_path

ADF = 901120
MIX = [f"Mix (1990)(Psygnosis)({tag}).adf" for tag in
       ("Disk 1 of 2 Side A", "Disk 1 of 2 Side B", "Disk 2 of 2")]
REV = [f"Rev (1990)(X)({tag}).adf" for tag in
       ("Disk 1 of 2", "Disk 2 of 2 Side A", "Disk 2 of 2 Side B")]
PLAIN = [f"Plain (1990)(X)(Disk {n} of 2).adf" for n in (1, 2)]  # (no sides: as before)


def _run(cli: Any, *args: str) -> Any:
    result = cli("--pack", str(shared_path("definition-pack")), *args)
    assert result.code == 0, (args, result.out, result.err)
    return result


def _library(cli: Any, tmp_path: Path, names: list[str]) -> Path:
    amiga = tmp_path / "lib" / "amiga"
    amiga.mkdir(parents=True)
    for name in names:
        (amiga / name).write_bytes(os.urandom(ADF))
    _run(cli, "library", "add", str(tmp_path / "lib"))
    _run(cli, "scan", "--workers", "1")
    _run(cli, "device", "add", "rg-35xx-plus")
    _run(cli, "profile", "create", "--device", "1", "--os", "knulli")
    return amiga


def _numbers(db_path: Path) -> dict[str, int | None]:
    with sqlite3.connect(db_path) as conn:
        return {str(name): disc for name, disc in conn.execute(
            "SELECT filename, disc_number FROM games")}


def _keys(db_path: Path) -> dict[str, str | None]:
    with sqlite3.connect(db_path) as conn:
        return {str(name): key for name, key in conn.execute(
            "SELECT filename, set_key FROM games")}


WANTED = {**dict(zip(MIX, (1, 2, 3), strict=True)), **dict(zip(REV, (1, 2, 3), strict=True)),
          **dict(zip(PLAIN, (1, 2), strict=True))}


def test_a_set_mixing_sided_and_unsided_disks_is_numbered_by_place_and_goes_whole_on_the_card(
        cli: Any, tmp_path: Path, db_path: Path) -> None:
    _library(cli, tmp_path, [*MIX, *REV, *PLAIN])
    assert _numbers(db_path) == WANTED
    keys = _keys(db_path)
    assert {keys[name] for name in MIX} == {"amiga:mix::psygnosis"}
    assert {keys[name] for name in REV} == {"amiga:rev::x"}
    listed = _run(cli, "--json", "autolist", "1")
    assert {game["filename"]: (game["included"], game["dropped"])
            for game in listed.json()["data"]["games"]} == {
        name: (True, None) for name in WANTED}
    card = tmp_path / "card"
    card.mkdir()
    auto = _run(cli, "deploy", "1", "--to", str(card), "--auto")
    assert "not in the library" not in auto.out + auto.err
    folder = card / "roms" / "amiga500"
    assert (folder / "Mix (1990)(Psygnosis).m3u").read_text().splitlines() == MIX
    assert (folder / "Rev (1990)(X).m3u").read_text().splitlines() == REV
    assert sorted(path.name for path in folder.glob("*.adf")) == sorted(WANTED)


def test_a_half_set_of_sided_disks_still_says_a_disc_is_missing(
        cli: Any, tmp_path: Path, db_path: Path) -> None:
    half = [f"Half (1990)(Ocean)(Disk 1 of 2 Side {side}).adf" for side in "AB"]
    _library(cli, tmp_path, [*half, MIX[0], MIX[2]])  # (Mix without disk 1's Side B)
    assert _numbers(db_path) == {half[0]: 1, half[1]: 2, MIX[0]: 1, MIX[2]: 3}
    card = tmp_path / "card"
    card.mkdir()
    auto = _run(cli, "deploy", "1", "--to", str(card), "--auto")
    assert "Half (1990)(Ocean): disc 3 is not in the library" in auto.err
    assert "Mix (1990)(Psygnosis): disc 2 is not in the library" in auto.err


def test_a_disk_added_later_renumbers_its_set_on_the_next_scan(
        cli: Any, tmp_path: Path, db_path: Path) -> None:
    amiga = _library(cli, tmp_path, REV[:2])  # (disk 1, and disk 2's Side A)
    assert _numbers(db_path) == {REV[0]: 1, REV[1]: 2}
    (amiga / REV[2]).write_bytes(os.urandom(ADF))
    (amiga / MIX[2]).write_bytes(os.urandom(ADF))
    _run(cli, "scan", "--workers", "1")
    assert _numbers(db_path) == {REV[0]: 1, REV[1]: 2, REV[2]: 3, MIX[2]: 2}
    for name in MIX[:2]:
        (amiga / name).write_bytes(os.urandom(ADF))
    _run(cli, "scan", "--workers", "1")
    assert _numbers(db_path) == {**dict(zip(REV, (1, 2, 3), strict=True)),
                                 **dict(zip(MIX, (1, 2, 3), strict=True))}


def test_a_library_numbered_by_earlier_tag_rules_is_numbered_again_on_the_next_scan(
        cli: Any, tmp_path: Path, db_path: Path) -> None:
    """A user's database scanned by tag rules 24 (each name numbered alone): the next
    scan, every file unchanged, numbers the set by place."""
    _library(cli, tmp_path, MIX)
    with sqlite3.connect(db_path) as conn:
        conn.execute("UPDATE games SET disc_number = 2 WHERE filename = ?", (MIX[2],))
        conn.execute("UPDATE user_settings SET value = '24' WHERE key = ?",
                     (redecide.TAGS_KEY,))
    scanned = _run(cli, "--json", "scan", "--workers", "1")
    assert scanned.json()["data"]["unchanged"] == len(MIX)
    assert _numbers(db_path) == dict(zip(MIX, (1, 2, 3), strict=True))
    with sqlite3.connect(db_path) as conn:
        assert conn.execute("SELECT value FROM user_settings WHERE key = ?",
                            (redecide.TAGS_KEY,)).fetchone() == (
            str(identify_module.TAG_RULES_VERSION),)
    assert identify_module.TAG_RULES_VERSION >= 25


@pytest.mark.parametrize(("names", "places"), [
    (MIX, [1, 2, 3]),
    (REV, [1, 2, 3]),
    ([REV[0], REV[2], REV[1]], [1, 3, 2]),  # (in the order given)
    (PLAIN, None),  # (no sides: the names' numbers stand)
    (["Gone (1990)(X)(Disk 1 of 3 Side A).adf", "Gone (1990)(X)(Disk 1 of 3 Side B).adf",
      "Gone (1990)(X)(Disk 3 of 3 Side A).adf", "Gone (1990)(X)(Disk 3 of 3 Side B).adf"],
     [1, 2, 5, 6]),  # (disk 2 missing: two places, as every disk there is has sides)
    (["Gap (1990)(X)(Disk 1 of 3 Side A).adf", "Gap (1990)(X)(Disk 1 of 3 Side B).adf",
      "Gap (1990)(X)(Disk 3 of 3).adf"], [1, 2, 4]),  # (disk 2 missing: one place)
    (["Crk (1988)(Z)(Side A)[cr Ikari].d64", "Crk (1988)(Z)(Side B)[cr Fairlight].d64",
      "Crk (1988)(Z)(Side A)[a].d64"], [1, 2, 1]),
    (["amiga/Mix (1990)(X)(Disk 1 of 2 Side A).adf", "amiga/mix_2.adf"], None),  # (renamed)
])
def test_the_places_of_a_set_of_sided_disks(names: list[str], places: list[int] | None
                                             ) -> None:
    assert sets.set_places(names) == places


@pytest.mark.parametrize(("name", "disc"), [
    ("Ord (1990)(X)(Side A)(Disk 2).adf", 3),  # (a side named before its disk: disk 2's)
    ("Ord (1990)(X)(Side B)(Disk 2).adf", 4),
    ("Ord (1990)(X)(Disk 2)(Side A).adf", 3),  # (as before)
    ("Ord (1990)(X)(Side B).adf", 2),  # (as before)
])
def test_a_side_named_before_its_disk_is_that_disks_side(name: str, disc: int) -> None:
    """review52e F1 (low case): "(Side A)(Disk 2)" and "(Side B)(Disk 2)" were both disc 2,
    Side A left off the card as another version of Side B."""
    assert parse_filename(name).disc_number == disc


def test_two_dumps_of_a_set_are_numbered_each_by_its_own_disks(
        cli: Any, tmp_path: Path, db_path: Path) -> None:
    """review53b F3: of two cracks of one set, one mixing sided and unsided disks, the other
    unsided, the unsided one was numbered 1, 3 (its disk 1 counted sided by the other's)."""
    ikari = [f"Cr (1990)(X)({tag})[cr Ikari].adf" for tag in
             ("Disk 1 of 2 Side A", "Disk 1 of 2 Side B", "Disk 2 of 2")]
    fairlight = [f"Cr (1990)(X)(Disk {n} of 2)[cr Fairlight].adf" for n in (1, 2)]
    _library(cli, tmp_path, [*ikari, *fairlight])
    assert _numbers(db_path) == {**dict(zip(ikari, (1, 2, 3), strict=True)),
                                 **dict(zip(fairlight, (1, 2), strict=True))}
