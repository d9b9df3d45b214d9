"""TOSEC's sides of one disk are discs of one set, as "(Disc N)" discs are.

review51d F1 (root cause): the scan's disc tag knew "(Disc|Disk|CD N [of M])" alone, so the
sides of a disk set named in TOSEC's convention, "(Side A)", "(Side B)", "(Disk 1 of 2 Side
A)", were no set: each side a game of its own, Side B another version of Side A to the
auto-list, which left it off the card. The names below are written in TOSEC's convention
(title, year, publisher, then the media tag); no TOSEC DAT is among the shared DATs.
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

CUE = 'FILE "{}.bin" BINARY\n  TRACK 01 MODE2/2352\n    INDEX 01 00:00:00\n'


@pytest.mark.parametrize(("name", "disc", "total"), [
    ("Last Ninja 2 (1988)(System 3)(Side A).d64", 1, None),
    ("Last Ninja 2 (1988)(System 3)(Side B).d64", 2, None),
    ("Maniac Mansion (1987)(Lucasfilm)(Disk 1 of 2 Side A).d64", 1, 3),
    ("Maniac Mansion (1987)(Lucasfilm)(Disk 1 of 2 Side B).d64", 2, 3),
    ("Maniac Mansion (1987)(Lucasfilm)(Disk 2 of 2 Side A).d64", 3, 3),
    ("Maniac Mansion (1987)(Lucasfilm)(Disk 2 of 2 Side B)[cr].d64", 4, 3),
    ("Pirates! (1987)(MicroProse)(Disk 1 of 2).d64", 1, 2),  # (as before)
    ("Pirates! (1987)(MicroProse)(Disk 2).d64", 2, None),
    ("Game (USA) (Disc 2) (Side B).iso", 4, None),  # (disk 2's second side)
    ("Game (USA) (Disc B).cue", 2, None),  # (as before)
])
# (the total of a side of one of M disks: the least its set may have, M + 1, since one of
# its disks may have one side: review52e F1)
def test_a_side_of_a_disk_is_a_disc_of_its_set(name: str, disc: int, total: int | None) -> None:
    parsed = parse_filename(name)
    assert (parsed.disc_number, parsed.disc_total) == (disc, total)
    assert parsed.disc_label is None
    assert not [tag for tag in parsed.other_tags if "Side" in tag]


@pytest.mark.parametrize("name", ["Side B (USA).cue", "Game (USA) (Sideways).cue",
                                  "Game (USA) (Side C).cue", "B-Side (1990)(X).d64"])
def test_a_name_that_names_no_side_of_a_disk_is_no_disc(name: str) -> None:
    assert parse_filename(name).disc_number is None


def test_the_sides_of_a_set_share_its_title_and_playlist_name() -> None:
    stems = ["Last Ninja 2 (1988)(System 3)(Side A)", "Last Ninja 2 (1988)(System 3)(Side B)"]
    assert {without_disc_tags(stem) for stem in stems} == {"Last Ninja 2 (1988)(System 3)"}
    assert without_disc_tags("Maniac Mansion (1987)(Lucasfilm)(Disk 1 of 2 Side B)[cr]") == \
        "Maniac Mansion (1987)(Lucasfilm)[cr]"


def _disc(folder: Path, stem: str) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / f"{stem}.bin").write_bytes(os.urandom(2352 * 8))
    (folder / f"{stem}.cue").write_text(CUE.format(stem))


def _discs(db_path: Path) -> dict[str, tuple[int | None, str | None]]:
    with sqlite3.connect(db_path) as conn:
        return {str(name): (disc, key) for name, disc, key in conn.execute(
            "SELECT filename, disc_number, set_key FROM games WHERE filename NOT LIKE '%.m3u'")}


def _verdicts(cli: Any) -> dict[str, tuple[bool, str | None]]:
    listed = cli("--json", "autolist", "1")
    assert listed.code == 0, listed.err
    return {game["filename"]: (game["included"], game["dropped"])
            for game in listed.json()["data"]["games"]}


def _library(cli: Any, tmp_path: Path) -> Path:
    psx = tmp_path / "lib" / "psx"
    for side in "AB":
        _disc(psx, f"Saga (USA) (Side {side})")
        _disc(psx, f"Epic (USA) (Disk 1 of 2 Side {side})")
    _disc(psx, "Epic (USA) (Disk 2 of 2 Side A)")
    _disc(psx, "Epic (USA) (Disk 2 of 2 Side B)")
    for step in (("library", "add", str(tmp_path / "lib")), ("scan", "--workers", "1"),
                 ("device", "add", "rg-35xx-plus"),
                 ("profile", "create", "--device", "1", "--os", "knulli")):
        result = cli(*step)
        assert result.code == 0, (step, result.err)
    return psx


SETS = {"Saga (USA) (Side A).cue": (1, "psx:saga:USA"),
        "Saga (USA) (Side B).cue": (2, "psx:saga:USA"),
        "Epic (USA) (Disk 1 of 2 Side A).cue": (1, "psx:epic:USA"),
        "Epic (USA) (Disk 1 of 2 Side B).cue": (2, "psx:epic:USA"),
        "Epic (USA) (Disk 2 of 2 Side A).cue": (3, "psx:epic:USA"),
        "Epic (USA) (Disk 2 of 2 Side B).cue": (4, "psx:epic:USA")}


def test_the_scan_groups_the_sides_of_a_disk_as_one_set_and_the_card_gets_them_all(
        cli: Any, tmp_path: Path, db_path: Path) -> None:
    _library(cli, tmp_path)
    assert _discs(db_path) == SETS
    assert _verdicts(cli) == {name: (True, None) for name in SETS}
    card = tmp_path / "card"
    card.mkdir()
    auto = cli("deploy", "1", "--to", str(card), "--auto")
    assert auto.code == 0, auto.out + auto.err
    on_card = sorted(path.name for path in card.rglob("*.cue"))
    assert on_card == sorted(SETS), auto.out


def test_a_library_scanned_by_earlier_tag_rules_groups_its_sides_on_the_next_scan(
        cli: Any, tmp_path: Path, db_path: Path) -> None:
    """A user's database: its sides were stored as games of no set (tag rules 23); the next
    scan, every file unchanged, keys them as one set (no migration, no rescan by hand)."""
    _library(cli, tmp_path)
    with sqlite3.connect(db_path) as conn:
        conn.execute("UPDATE games SET disc_number = NULL, set_key = NULL "
                     "WHERE filename LIKE '%Side %'")
        conn.execute("UPDATE user_settings SET value = '23' WHERE key = ?",
                     (redecide.TAGS_KEY,))
    assert set(_discs(db_path).values()) == {(None, None)}
    verdicts = _verdicts(cli)
    assert verdicts["Saga (USA) (Side B).cue"] == (False, "other_version")  # (as before)
    scanned = cli("--json", "scan", "--workers", "1")
    assert scanned.code == 0, scanned.err
    assert scanned.json()["data"]["unchanged"] == len(SETS)
    assert _discs(db_path) == SETS
    assert _verdicts(cli) == {name: (True, None) for name in SETS}
    with sqlite3.connect(db_path) as conn:
        assert conn.execute("SELECT value FROM user_settings WHERE key = ?",
                            (redecide.TAGS_KEY,)).fetchone() == (
            str(identify_module.TAG_RULES_VERSION),)


def test_a_c64_set_of_two_sides_and_its_playlist_go_on_the_card_together(
        cli: Any, tmp_path: Path) -> None:
    """The review's own set (VICE reads the .m3u to swap the sides), with the real pack."""
    pack = str(shared_path("definition-pack"))
    c64, card = tmp_path / "lib" / "c64", tmp_path / "card"
    c64.mkdir(parents=True)
    card.mkdir()
    sides = [f"Last Ninja 2 (1988)(System 3)(Side {side}).d64" for side in "AB"]
    for side in sides:
        (c64 / side).write_bytes(os.urandom(174848))
    (c64 / "Last Ninja 2 (1988)(System 3).m3u").write_text("\n".join(sides) + "\n")
    for step in (("library", "add", str(tmp_path / "lib")), ("scan", "--workers", "1"),
                 ("device", "add", "rg-35xx-plus"),
                 ("profile", "create", "--device", "1", "--os", "knulli")):
        result = cli("--pack", pack, *step)
        assert result.code == 0, (step, result.err)
    listed = cli("--pack", pack, "--json", "autolist", "1")
    assert listed.code == 0, listed.err
    verdicts = {game["filename"]: (game["included"], game["dropped"])
                for game in listed.json()["data"]["games"]}
    assert verdicts == {name: (True, None) for name in
                        [*sides, "Last Ninja 2 (1988)(System 3).m3u"]}
    auto = cli("--pack", pack, "deploy", "1", "--to", str(card), "--auto")
    assert auto.code == 0, auto.out + auto.err
    assert sorted(path.name for path in card.rglob("*") if path.suffix in (".d64", ".m3u")
                  ) == sorted([*sides, "Last Ninja 2 (1988)(System 3).m3u"])
