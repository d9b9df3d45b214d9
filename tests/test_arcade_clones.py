"""A split arcade clone (its zip holds only its own ROMs: those it shares with its parent are in
the parent's zip) runs only with its parent's zip beside it. One game / one ROM keeps the
parent of a family, never a split clone alone; a deploy of a split clone brings its parent,
or leaves the clone out naming the parent (QA18 M4: ``600.zip`` deployed without
``turtles.zip``, which one game / one ROM had dropped: neither started, nothing was said)."""

from __future__ import annotations

import hashlib
import sqlite3
import struct
import xml.etree.ElementTree as ET
import zipfile
import zlib
from pathlib import Path, PurePosixPath
from typing import Any

import pytest

from tests.conftest import shared_path
from tests.test_autolist import real

ROMS = {name: hashlib.sha256(name.encode()).digest() * 16
        for name in ("t.1", "t.2", "t.3", "s.4", "n.5", "b.6", "b.7", "b.8", "o.9")}
# turtles: a parent; 600: a clone sharing two of its ROMs (split: its zip holds only s.4);
# turtlesb: a clone whose zip holds all its ROMs (non-merged); crbaloon and crbalon2: another
# family, split. The clones sort before their parents: the scan stores them first.
GAMES = {"turtles": (None, ("t.1", "t.2", "t.3")), "600": ("turtles", ("t.1", "t.2", "s.4")),
         "turtlesb": ("turtles", ("t.1", "t.3", "n.5")),
         "crbaloon": (None, ("b.6", "b.7")), "crbalon2": ("crbaloon", ("b.6", "b.8")),
         "other": (None, ("o.9",))}
SPLIT = {"turtles": GAMES["turtles"][1], "600": ("s.4",), "turtlesb": GAMES["turtlesb"][1],
         "crbaloon": GAMES["crbaloon"][1], "crbalon2": ("b.8",), "other": ("o.9",)}


def _dat(name: str = "MAME", version: str = "0.37b5",
         games: dict[str, tuple[str | None, tuple[str, ...]]] | None = None) -> str:
    out = [f'clrmamepro (\n\tname "{name}"\n\tversion "{version}"\n)\n']
    for game, (parent, roms) in (GAMES if games is None else games).items():
        clone = f'\tcloneof "{parent}"\n' if parent else ""
        out.append(f'game (\n\tname "{game}"\n{clone}' + "".join(
            f'\trom ( name {rom} size {len(ROMS[rom])} crc {zlib.crc32(ROMS[rom]):08x} )\n'
            for rom in roms) + ")\n")
    return "".join(out)


def _library(cli: Any, tmp_path: Path, zips: dict[str, tuple[str, ...]], *,
             identified: bool = True) -> dict[str, int]:
    """The zips (set name -> its members) in roms/arcade, the DAT imported, scanned, and
    profile 1 a Knulli device (a MAME core for arcade); returns each zip's game id
    (``identified``: every game is checked identified by its hashes)."""
    arcade = tmp_path / "roms" / "arcade"
    arcade.mkdir(parents=True, exist_ok=True)
    for name, members in zips.items():
        with zipfile.ZipFile(arcade / f"{name}.zip", "w") as archive:
            for member in members:
                archive.writestr(member, ROMS[member])
    (tmp_path / "mame.dat").write_text(_dat())
    for args in (("dat", "import", str(tmp_path / "mame.dat"), "--platform", "arcade"),
                 ("library", "add", str(tmp_path / "roms")), ("scan", "--workers", "1"),
                 ("device", "add", "rg-35xx-plus"),
                 ("profile", "create", "--device", "1", "--os", "knulli")):
        assert real(cli, *args).code == 0, args
    games = cli("--json", "games", "ls").json()["data"]["games"]
    assert not identified or all(g["match_method"] == "crc32" for g in games), games
    return {g["filename"].removesuffix(".zip"): int(g["id"])
            for g in games}


def _autolist(cli: Any) -> dict[str, dict[str, Any]]:
    result = real(cli, "--json", "autolist", "1")
    assert result.code == 0, result.err
    return {g["filename"].removesuffix(".zip"): g for g in result.json()["data"]["games"]}


def _card(card: Path) -> list[str]:
    return sorted(p.name for p in card.rglob("*.zip"))


def test_one_game_one_rom_keeps_the_parent_of_an_arcade_family(
        cli: Any, tmp_path: Path) -> None:
    ids = _library(cli, tmp_path, {name: SPLIT[name] for name in
                                   ("600", "turtles", "crbalon2", "crbaloon", "other")})
    assert ids["600"] < ids["turtles"] and ids["crbalon2"] < ids["crbaloon"]  # (scan order)
    games = _autolist(cli)
    assert {name: (g["included"], g["dropped"], g["kept_instead"]) for name, g in
            games.items()} == {
        "turtles": (True, None, None), "600": (False, "other_version", ids["turtles"]),
        "crbaloon": (True, None, None), "crbalon2": (False, "other_version", ids["crbaloon"]),
        "other": (True, None, None)}
    card = tmp_path / "card"
    card.mkdir()
    result = real(cli, "deploy", "1", "--to", str(card), "--auto")
    assert result.code == 0, result.err
    assert _card(card) == ["crbaloon.zip", "other.zip", "turtles.zip"]


def test_a_split_clone_chosen_brings_its_parent_and_says_so(cli: Any, tmp_path: Path) -> None:
    ids = _library(cli, tmp_path, {name: SPLIT[name] for name in
                                   ("600", "turtles", "turtlesb", "crbalon2", "crbaloon")})
    assert real(cli, "collection", "create", "picked").code == 0
    assert real(cli, "collection", "add", "picked", str(ids["600"]), str(ids["crbalon2"]),
                str(ids["turtlesb"])).code == 0
    card = tmp_path / "card"
    card.mkdir()
    plan = real(cli, "--json", "deploy", "1", "--to", str(card), "--collection", "picked",
                "--dry-run")
    assert plan.code == 0, plan.err
    (added,) = [w for w in plan.json()["data"]["plan"]["warnings"]
                if w["code"] == "parent-added"]
    assert "crbaloon.zip for crbalon2.zip; turtles.zip for 600.zip" in added["message"]
    result = real(cli, "deploy", "1", "--to", str(card), "--collection", "picked")
    assert result.code == 0, result.err
    assert "2 parent sets not chosen added for their split clones" in result.err
    assert _card(card) == ["600.zip", "crbalon2.zip", "crbaloon.zip", "turtles.zip",
                           "turtlesb.zip"]
    # the parent gone from the library since the last scan: the clone is left out, said, and
    # neither copy on the card is pruned (an unmounted share, a zip moved: the user's call)
    (tmp_path / "roms" / "arcade" / "turtles.zip").unlink()
    assert real(cli, "scan", "--workers", "1").code == 0
    again = real(cli, "deploy", "1", "--to", str(card), "--collection", "picked", "--prune")
    assert again.code == 1, again.err
    assert "600.zip: a split clone of turtles (only its own ROMs), it runs only with the ROMs " \
        "of its parent, turtles, beside it, and it is missing from the library since the last " \
        "scan: left out" in again.err
    assert _card(card) == ["600.zip", "crbalon2.zip", "crbaloon.zip", "turtles.zip",
                           "turtlesb.zip"]


def test_a_clone_holding_all_its_roms_or_a_merged_set_needs_nothing_more(
        cli: Any, tmp_path: Path) -> None:
    merged = (*GAMES["crbaloon"][1], "b.8")  # crbaloon and crbalon2's ROMs: the parent
    ids = _library(cli, tmp_path, {"turtles": SPLIT["turtles"], "turtlesb": SPLIT["turtlesb"],
                                   "crbaloon": merged})
    for game in ("turtlesb", "crbaloon"):
        card = tmp_path / f"card-{game}"
        card.mkdir()
        result = real(cli, "deploy", "1", "--to", str(card), f"id:{ids[game]}")
        assert result.code == 0, result.err
        assert "parent" not in result.err
        assert _card(card) == [f"{game}.zip"]
    games = _autolist(cli)
    # a non-merged clone runs alone: it competes as a version (the parent still wins)
    assert (games["turtlesb"]["dropped"], games["turtlesb"]["needs_parent"]) == \
        ("other_version", None)


def test_a_split_clone_whose_parent_is_not_in_the_library_is_left_out_naming_it(
        cli: Any, tmp_path: Path) -> None:
    ids = _library(cli, tmp_path, {"600": SPLIT["600"], "crbalon2": SPLIT["crbalon2"],
                                   "crbaloon": SPLIT["crbaloon"]})
    games = _autolist(cli)
    assert (games["600"]["included"], games["600"]["dropped"], games["600"]["needs_parent"]) \
        == (False, "needs_parent", "turtles")
    assert any("split clone of turtles" in w for w in games["600"]["warnings"])
    # (an entry's warnings are its own: not said of the games gated alike)
    assert not any("turtles" in w for w in games["crbaloon"]["warnings"])
    text = real(cli, "autolist", "1").out
    assert "needs_parent (A split clone of turtles: it holds only its own ROMs and runs only " \
        "with its parent's beside it, which the library does not have)" in text
    card = tmp_path / "card"
    card.mkdir()
    result = real(cli, "deploy", "1", "--to", str(card), f"id:{ids['600']}")
    assert result.code == 1, result.err  # as a chosen game left out: nothing written
    assert "600.zip: a split clone of turtles" in result.err
    assert "the library does not have it: left out" in result.err
    assert list(card.iterdir()) == []
    # with another game that goes: that one is written, the exit still says one is left out
    assert real(cli, "collection", "create", "two").code == 0
    assert real(cli, "collection", "add", "two", str(ids["600"]), str(ids["crbalon2"])).code == 0
    result = real(cli, "deploy", "1", "--to", str(card), "--collection", "two")
    assert result.code == 1, result.err
    assert _card(card) == ["crbalon2.zip", "crbaloon.zip"]


def test_a_split_clone_the_user_includes_keeps_its_parent_beside_it(
        cli: Any, tmp_path: Path) -> None:
    ids = _library(cli, tmp_path, {"600": SPLIT["600"], "turtles": SPLIT["turtles"]})
    assert real(cli, "override", "set", "--game", str(ids["600"]), "--profile", "1",
                "--include").code == 0
    games = _autolist(cli)
    assert (games["600"]["included"], games["600"]["needs_parent"]) == (True, "turtles")
    assert (games["turtles"]["included"], games["turtles"]["dropped"],
            games["turtles"]["kept_for"]) == (True, None, ids["600"])
    assert "INCLUDED (parent of" in real(cli, "autolist", "1").out


def test_a_split_clone_whose_parent_an_override_excludes_is_left_out(
        cli: Any, tmp_path: Path) -> None:
    ids = _library(cli, tmp_path, {"600": SPLIT["600"], "turtles": SPLIT["turtles"]})
    assert real(cli, "override", "set", "--game", str(ids["turtles"]), "--profile", "1",
                "--exclude").code == 0
    card = tmp_path / "card"
    card.mkdir()
    result = real(cli, "deploy", "1", "--to", str(card), f"id:{ids['600']}")
    assert result.code == 1
    assert "an override excludes turtles on this profile: left out" in result.err
    assert _card(card) == []
    games = _autolist(cli)  # the auto-list does not keep it either
    assert (games["600"]["dropped"], games["turtles"]["reason"]) == \
        ("needs_parent", "USER_OVERRIDE_EXCLUDE")
    assert games["600"]["warnings"][-1].endswith("which an override excludes on this profile")


@pytest.mark.parametrize("then", ["parent excluded", "clone missing"])
def test_a_prune_keeps_the_parent_of_a_clone_whose_copy_it_keeps(
        cli: Any, tmp_path: Path, then: str) -> None:
    """QA56 F5, F9: a split clone deployed with its parent, then left out (its parent
    excluded by an override) or missing since the scan (a share away): its copy was kept,
    but `--prune` removed the parent's, leaving a clone on the card that cannot start."""
    ids = _library(cli, tmp_path, {"600": SPLIT["600"], "turtles": SPLIT["turtles"],
                                   "other": SPLIT["other"]})
    card = tmp_path / "card"
    card.mkdir()
    chosen = f"id:{ids['600']},{ids['other']}"
    assert real(cli, "deploy", "1", "--to", str(card), chosen).code == 0
    assert _card(card) == ["600.zip", "other.zip", "turtles.zip"]
    if then == "parent excluded":
        assert real(cli, "override", "set", "--game", str(ids["turtles"]), "--profile", "1",
                    "--exclude").code == 0
    else:
        (tmp_path / "roms" / "arcade" / "600.zip").unlink()
        assert real(cli, "scan", "--workers", "1", "--accept-missing").code == 0
    result = real(cli, "deploy", "1", "--to", str(card), chosen, "--prune", "--force")
    assert result.code in (0, 1), result.err
    assert _card(card) == ["600.zip", "other.zip", "turtles.zip"]


def test_the_parent_brought_is_the_set_by_its_hashes_not_a_zip_of_its_name(
        cli: Any, tmp_path: Path) -> None:
    """QA56 F11: with the real parent renamed (identified by its hashes) and a `turtles.zip`
    of other data (another romset's: guessed by its name), the deploy brought the latter."""
    arcade = tmp_path / "roms" / "arcade"
    arcade.mkdir(parents=True)
    with zipfile.ZipFile(arcade / "turtles.zip", "w") as archive:
        archive.writestr("t.1", b"another romset's t.1" * 50)
    _library(cli, tmp_path, {"600": SPLIT["600"], "Turtles (World)": SPLIT["turtles"]},
             identified=False)
    games = {g["filename"]: g for g in cli("--json", "games", "ls").json()["data"]["games"]}
    assert games["turtles.zip"]["match_method"] == "name"  # (the zip that bears the name)
    card = tmp_path / "card"
    card.mkdir()
    done = real(cli, "deploy", "1", "--to", str(card), f"id:{games['600.zip']['id']}")
    assert done.code == 0, done.err
    [parent] = [p for p in card.rglob("turtles.zip")]
    with zipfile.ZipFile(parent) as archive:
        assert {m: archive.read(m) for m in archive.namelist()} == {
            m: ROMS[m] for m in SPLIT["turtles"]}


def _forge(size: int, crc: int, seed: str) -> bytes:
    """``size`` bytes whose CRC32 is ``crc`` (the last four bytes chosen)."""
    data = seed.encode()[:size - 4].ljust(size - 4, b"\0")
    register, target = zlib.crc32(data) ^ 0xFFFFFFFF, crc ^ 0xFFFFFFFF
    for _ in range(32):
        target = (((target ^ 0xEDB88320) << 1) | 1) & 0xFFFFFFFF if target & 0x80000000 \
            else (target << 1) & 0xFFFFFFFF
    return data + struct.pack("<I", target ^ register)


def test_the_qa18_families_of_the_real_mame_dat(cli: Any, tmp_path: Path) -> None:
    """QA18 M4's repro: split sets of turtles / 600 and crbaloon / crbalon2 (forged to the
    CRCs of the real MAME 2000 DAT, CRC-only), a Knulli profile."""
    dat = shared_path("dats", "logiqx", "MAME 2000 XML.dat")
    games = {g.get("name"): g for g in ET.parse(dat).getroot().findall("game")}
    arcade = tmp_path / "lib" / "MAME"
    arcade.mkdir(parents=True)
    for name in ("turtles", "600", "crbaloon", "crbalon2"):
        with zipfile.ZipFile(arcade / f"{name}.zip", "w") as archive:
            for rom in games[name].findall("rom"):
                if rom.get("crc") and not rom.get("merge"):  # a split set: its own ROMs
                    archive.writestr(str(rom.get("name")), _forge(
                        int(str(rom.get("size"))), int(str(rom.get("crc")), 16),
                        str(rom.get("name"))))
    for args in (("library", "add", str(tmp_path / "lib")), ("dat", "import", str(dat)),
                 ("scan", "--workers", "1"), ("device", "add", "rg-40xxh"),
                 ("profile", "create", "--device", "1", "--os", "knulli")):
        assert real(cli, *args).code == 0, args
    listed = _autolist(cli)
    assert {name for name, g in listed.items() if g["included"]} == {"turtles", "crbaloon"}
    card = tmp_path / "card"
    card.mkdir()
    assert real(cli, "deploy", "1", "--to", str(card), "--auto").code == 0
    assert _card(card) == ["crbaloon.zip", "turtles.zip"]
    chosen = real(cli, "deploy", "1", "--to", str(card), "600")
    assert chosen.code == 0, chosen.err
    assert "turtles.zip for 600.zip" in chosen.err
    assert _card(card) == ["600.zip", "crbaloon.zip", "turtles.zip"]


def test_games_show_names_what_an_arcade_set_lacks(cli: Any, tmp_path: Path) -> None:
    """`games show` of an incomplete set names the ROMs it lacks, as `dat report` counts
    them; a split clone's ROMs that its parent's set holds are said as the parent's, not as
    missing; a whole set says neither (QA19 N3)."""
    ids = _library(cli, tmp_path, {"turtles": SPLIT["turtles"], "600": SPLIT["600"],
                                   "crbaloon": ("b.7",)})

    def shown(name: str) -> tuple[str, dict[str, Any]]:
        text = real(cli, "games", "show", str(ids[name]))
        data = real(cli, "--json", "games", "show", str(ids[name]))
        assert text.code == 0 and data.code == 0, text.err
        return text.out, data.json()["data"]["catalog"]

    text, catalog = shown("crbaloon")
    assert "incomplete: 1 of 2 ROMs missing: b.6" in text
    assert (catalog["missing_roms"], catalog["roms_in_parent"], catalog["set_roms"]) == \
        (["b.6"], [], 2)
    text, catalog = shown("600")
    assert "incomplete" not in text
    assert "2 ROMs of its parent's set" in text
    assert (catalog["missing_roms"], sorted(catalog["roms_in_parent"])) == ([], ["t.1", "t.2"])
    text, catalog = shown("turtles")
    assert "incomplete" not in text and "parent's set" not in text
    assert (catalog["missing_roms"], catalog["roms_in_parent"], catalog["set_roms"]) == \
        ([], [], 3)
    report = real(cli, "--json", "dat", "report", "MAME")
    assert report.code == 0
    # crbaloon; turtlesb, not in the library, is missing though two of its ROMs are, in
    # turtles.zip (QA133 F5: every Neo Geo game was "incomplete" for the user's neogeo.zip)
    assert report.json()["data"][0]["incomplete"] == 1


def test_an_arcade_set_named_otherwise_goes_to_the_card_under_its_set_name(
        cli: Any, tmp_path: Path) -> None:
    """MAME and FBNeo find a set, and a split clone its parent, by the zip's name: a set the
    library names by its title is written as ``turtles.zip``, said in one warning, and a
    second deploy writes nothing; the library's file keeps its name."""
    ids = _library(cli, tmp_path, {"Turtles (World)": SPLIT["turtles"],
                                   "600": SPLIT["600"], "other": SPLIT["other"]})
    card = tmp_path / "card"
    card.mkdir()
    result = real(cli, "deploy", "1", "--to", str(card), f"id:{ids['600']}")
    assert result.code == 0, result.err
    assert _card(card) == ["600.zip", "turtles.zip"]
    assert "1 arcade set written under its set name" in result.err
    assert "Turtles (World).zip as turtles.zip" in result.err
    assert (tmp_path / "roms" / "arcade" / "Turtles (World).zip").is_file()
    with zipfile.ZipFile(next(card.rglob("turtles.zip"))) as written:
        assert sorted(written.namelist()) == sorted(SPLIT["turtles"])
    again = real(cli, "--json", "deploy", "1", "--to", str(card), f"id:{ids['600']}")
    assert again.code == 0, again.err
    assert again.json()["data"]["copied"] == 0
    # a set already named as its set, and a game of one ROM, keep their names
    plain = real(cli, "deploy", "1", "--to", str(card), f"id:{ids['other']}")
    assert plain.code == 0 and "set name" not in plain.err
    assert "other.zip" in _card(card)


def test_a_second_copy_of_a_renamed_set_is_said_left_out_not_written(
        cli: Any, tmp_path: Path) -> None:
    """QA21: with two library copies of one set named otherwise, one takes the set's name and
    the other is left out — a copy of it (QA140 F4: a collision, which ended every deploy in
    failure); the set-renamed warning names only the one written."""
    ids = _library(cli, tmp_path, {"Turtles (World)": SPLIT["turtles"],
                                   "Turtles (copy)": SPLIT["turtles"]})
    card = tmp_path / "card"
    card.mkdir()
    both = ",".join(str(ids[name]) for name in ("Turtles (World)", "Turtles (copy)"))
    result = real(cli, "--json", "deploy", "1", "--to", str(card), f"id:{both}")
    assert _card(card) == ["turtles.zip"]
    warnings = [w for w in result.json()["warnings"] if "under its set name" in w
                or "under their set names" in w]
    assert len(warnings) == 1 and warnings[0].startswith("1 arcade set written"), warnings
    said = " ".join(result.json()["warnings"])
    assert "1 chosen game is a copy of another chosen game" in said and "would land on" \
        not in said
    assert result.code == 0


def test_a_set_stays_identified_whatever_order_its_dats_come_in(
        cli: Any, tmp_path: Path) -> None:
    """QA20 M1: a member known by its CRC32 only (unique in the first DAT, so its SHA1 was
    deferred) matches no single game once a second DAT lists that ROM in a clone too; the set
    it is in is still the one catalog game with all its members, in either order of import,
    and the member says so."""
    arcade = tmp_path / "roms" / "arcade"
    arcade.mkdir(parents=True)
    for name, members in {"turtles": ("t.1", "t.2", "t.3"), "600": ("s.4", "n.5")}.items():
        with zipfile.ZipFile(arcade / f"{name}.zip", "w") as archive:
            for member in members:
                archive.writestr(member, ROMS[member])
    first = tmp_path / "first.dat"
    first.write_text(_dat("First", "1", {"turtles": (None, ("t.1", "t.2", "t.3")),
                                          "600": (None, ("s.4", "n.5"))}))
    second = tmp_path / "second.dat"
    second.write_text(_dat("Second", "1", {"turtles": (None, ("t.1", "t.2", "t.3")),
                                            "600": ("turtles", ("t.3", "s.4", "n.5"))}))
    assert real(cli, "library", "add", str(tmp_path / "roms")).code == 0
    assert real(cli, "dat", "import", str(first), "--platform", "arcade").code == 0
    assert real(cli, "scan", "--workers", "1").code == 0
    assert real(cli, "dat", "import", str(second), "--platform", "arcade").code == 0

    def matches() -> dict[str, tuple[str, str]]:
        games = cli("--json", "games", "ls").json()["data"]["games"]
        return {g["filename"]: (g["matched_game_id"], g["match_method"]) for g in games}

    assert matches() == {"turtles.zip": ("arcade:turtles", "crc32"),
                         "600.zip": ("arcade:600", "crc32")}
    turtles = next(g for g in cli("--json", "games", "ls").json()["data"]["games"]
                   if g["filename"] == "turtles.zip")
    shown = cli("--json", "games", "show", str(turtles["id"])).json()["data"]
    assert {f["name"]: (f["matched_game_id"], f["match_method"]) for f in shown["files"]} == \
        {name: ("arcade:turtles", "crc32") for name in ("t.1", "t.2", "t.3")}
    # the other order: the same
    assert real(cli, "dat", "rm", "First").code == 0
    assert real(cli, "dat", "import", str(first), "--platform", "arcade").code == 0
    assert matches() == {"turtles.zip": ("arcade:turtles", "crc32"),
                         "600.zip": ("arcade:600", "crc32")}


def test_a_set_missing_a_rom_is_left_out_of_the_auto_list_and_said_at_a_deploy(
        cli: Any, tmp_path: Path) -> None:
    """QA56 F2: a set whose zip lacks one of its ROMs was included and deployed without a
    word (its emulator refuses it), and kept over a complete copy of it."""
    ids = _library(cli, tmp_path, {"crbaloon": ("b.6",), "other": SPLIT["other"]})
    games = _autolist(cli)
    assert (games["crbaloon"]["included"], games["crbaloon"]["reason"]) == (
        False, "incomplete_set")
    assert games["crbaloon"]["warnings"][-1] == "Lacks 1 ROM of its set (b.7): its emulator " \
        "refuses it"
    assert "incomplete_set (Lacks 1 ROM of its set (b.7)" in real(cli, "autolist", "1").out
    card = tmp_path / "card"
    card.mkdir()
    chosen = real(cli, "--json", "deploy", "1", "--to", str(card), f"id:{ids['crbaloon']}")
    assert chosen.code == 0, chosen.err
    assert any("crbaloon.zip: lacks b.7" in w for w in chosen.json()["warnings"])
    # a complete copy of the set beside it is the one the auto-list keeps
    complete = tmp_path / "roms" / "arcade" / "full"
    complete.mkdir()
    with zipfile.ZipFile(complete / "crbaloon.zip", "w") as archive:
        for member in SPLIT["crbaloon"]:
            archive.writestr(member, ROMS[member])
    assert real(cli, "scan", "--workers", "1").code == 0
    kept = [g for g in real(cli, "--json", "autolist", "1").json()["data"]["games"]
            if g["filename"] == "crbaloon.zip" and g["included"]]
    assert len(kept) == 1 and kept[0]["game_id"] != ids["crbaloon"]


def _chd(data: bytes) -> bytes:
    """A CHD v5 header (its data's SHA1 is how a DAT knows it) and some bytes."""
    header = bytearray(124)
    header[0:8] = b"MComprHD"
    header[8:16] = (124).to_bytes(4, "big") + (5).to_bytes(4, "big")
    header[84:104] = hashlib.sha1(data).digest()
    return bytes(header) + bytes(400)


def test_a_sets_chd_goes_in_its_sets_folder_and_is_no_other_version_of_its_zip(
        cli: Any, tmp_path: Path) -> None:
    """QA56 F1: `other/other.chd` beside `other.zip` (MAME's layout for a set's disk) was
    left out of the auto-list as another version of the zip, and a query put it flat in the
    platform folder, where MAME does not look for it."""
    _library(cli, tmp_path, {"other": SPLIT["other"]})
    _with_disks(cli, tmp_path, {"other": ("other", b"a disk")})
    games = _autolist(cli)
    assert games["other"]["included"]
    zipped = next(g for g in real(cli, "--json", "games", "ls").json()["data"]["games"]
                  if g["filename"] == "other.zip")
    shown = real(cli, "games", "show", str(zipped["id"])).out
    assert "incomplete" not in shown, shown  # (its CHD is a file of its own: QA59 F1)
    chd = [g for g in real(cli, "--json", "autolist", "1").json()["data"]["games"]
           if g["filename"] == "other.chd"]
    assert len(chd) == 1 and chd[0]["included"], chd
    # a per-platform limit of one keeps the set whole: its zip and its CHD (QA59 F5)
    assert real(cli, "profile", "set", "1", "--max-per-platform", "1").code == 0
    limited = {g["filename"]: g["included"] for g in
               real(cli, "--json", "autolist", "1").json()["data"]["games"]}
    assert limited["other.zip"] == limited["other.chd"], limited
    assert real(cli, "profile", "set", "1", "--max-per-platform", "0").code == 0
    card = tmp_path / "card"
    card.mkdir()
    assert real(cli, "deploy", "1", "--to", str(card), "--auto").code == 0
    placed = sorted(str(p.relative_to(card)) for p in card.rglob("other*") if p.is_file())
    assert sorted(PurePosixPath(p).parts[-2:] for p in placed) == [
        ("mame", "other.zip"), ("other", "other.chd")], placed


def test_a_consoles_chd_in_a_folder_of_its_games_name_is_no_arcade_sets(
        cli: Any, tmp_path: Path) -> None:
    """Review 30 R1: `psx/Crash (USA)/Crash (USA).chd` was taken for an arcade set's CHD:
    put in a subfolder on the card, and not weighed against its other versions."""
    folder = tmp_path / "roms" / "psx" / "Crash (USA)"
    folder.mkdir(parents=True)
    (folder / "Crash (USA).chd").write_bytes(_chd(b"crash"))
    (tmp_path / "psx.dat").write_text(
        'clrmamepro (\n\tname "Sony - PlayStation"\n)\ngame (\n\tname "Crash (USA)"\n'
        '\trom ( name "Crash (USA).cue" size 80 crc 01020304 )\n)\n')
    for args in (("dat", "import", str(tmp_path / "psx.dat")),
                 ("library", "add", str(tmp_path / "roms")), ("scan", "--workers", "1"),
                 ("device", "add", "rg-35xx-plus"),
                 ("profile", "create", "--device", "1", "--os", "muos")):
        assert real(cli, *args).code == 0, args
    card = tmp_path / "card"
    card.mkdir()
    assert real(cli, "deploy", "1", "--to", str(card), "platform:psx").code in (0, 1)
    [placed] = list(card.rglob("Crash (USA).chd"))
    assert placed.parent.name != "Crash (USA)", placed


def test_a_nodump_rom_is_never_missing_from_an_incomplete_set(cli: Any,
                                                               tmp_path: Path) -> None:
    """QA59 F3: `dat report --missing` said "2 of 3 ROMs missing: b.7, nd.bin" of a set
    whose `nd.bin` nobody has (`nodump`), and fixdat asked for it."""
    _library(cli, tmp_path, {"crbaloon": ("b.6",)}, identified=False)
    dat = _dat().replace('\tname "crbaloon"\n',
                         '\tname "crbaloon"\n\trom ( name nd.bin size 4096 flags nodump )\n')
    (tmp_path / "mame.dat").write_text(dat.replace('version "0.37b5"', 'version "0.37b6"'))
    assert real(cli, "dat", "import", str(tmp_path / "mame.dat"), "--platform",
                "arcade").code == 0
    report = real(cli, "--json", "dat", "report", "--missing").json()["data"]
    [incomplete] = [game for dat_report in report
                    for game in dat_report["incomplete_games"] if game["name"] == "crbaloon"]
    assert (incomplete["roms"], incomplete["missing_roms"]) == (2, ["b.7"])
    fixdat = tmp_path / "fix.dat"
    assert real(cli, "dat", "fixdat", "MAME", "-o", str(fixdat)).code == 0
    assert "nd.bin" not in fixdat.read_text() and "b.7" in fixdat.read_text()


def test_a_chd_is_identified_by_its_header_and_goes_under_its_sets_and_disks_names(
        cli: Any, tmp_path: Path) -> None:
    """QA59 F2/F8: a CHD was only guessed by its name; one renamed (or in a folder of
    another name) kept that name on the card, where MAME looks for `set/disk.chd` only."""
    _library(cli, tmp_path, {"other": SPLIT["other"], "turtles": SPLIT["turtles"]})
    _with_disks(cli, tmp_path, {"other": ("other", b"other disk"),
                                "turtles": ("turtles", b"turtles disk")}, place=False)
    renamed = tmp_path / "roms" / "arcade" / "Other (disk)" / "other disk v2.chd"
    renamed.parent.mkdir(parents=True)
    renamed.write_bytes(_chd(b"other disk"))
    assert real(cli, "scan", "--workers", "1").code == 0
    [chd] = [g for g in real(cli, "--json", "games", "ls").json()["data"]["games"]
             if g["filename"].endswith(".chd")]
    assert (chd["match_method"], chd["matched_game_id"]) == ("sha1", "arcade:other"), chd
    shown = real(cli, "games", "show", str(chd["id"])).out
    assert "the name only" not in shown and "catalog    MAME" in shown  # (QA64 F7)
    assert _autolist(cli)["other"]["included"]
    card = tmp_path / "card"
    card.mkdir()
    result = real(cli, "deploy", "1", "--to", str(card), "--auto")
    assert result.code == 0, result.err
    placed = sorted(p.relative_to(card).parts[-2:] for p in card.rglob("*") if p.is_file()
                    and p.suffix in (".chd", ".zip"))
    assert placed == [("mame", "other.zip"), ("other", "other.chd")], placed
    assert "other disk v2.chd as other.chd" in result.out + result.err
    assert renamed.read_bytes() == _chd(b"other disk")  # the library's file is unchanged
    # turtles lists a disk the library has no CHD of: the set cannot start (QA59 F8)
    listed = _autolist(cli)
    assert not listed["turtles"]["included"], listed["turtles"]
    assert listed["turtles"]["reason"] == "incomplete_set", listed["turtles"]


def test_a_disk_name_that_is_no_file_name_is_not_the_chds_name_on_the_card(
        cli: Any, tmp_path: Path) -> None:
    """QA112 F6: a DAT's disk named `../../tmp/pwnchd`: the deploy said the CHD went there,
    and wrote it as `.._.._tmp_pwnchd.chd`."""
    _library(cli, tmp_path, {"other": SPLIT["other"]})
    _with_disks(cli, tmp_path, {"other": ("../../tmp/pwnchd", b"other disk")}, place=False)
    chd = tmp_path / "roms" / "arcade" / "other" / "mydisk.chd"
    chd.parent.mkdir(parents=True)
    chd.write_bytes(_chd(b"other disk"))
    assert real(cli, "scan", "--workers", "1").code == 0
    card = tmp_path / "card"
    card.mkdir()
    result = real(cli, "deploy", "1", "--to", str(card), "title:other")
    assert "pwnchd" not in result.out + result.err
    assert not [p for p in card.rglob("*") if "pwnchd" in p.name]


def test_a_chd_of_its_disks_name_completes_a_set_whatever_its_sha1(
        cli: Any, tmp_path: Path) -> None:
    """A CHD of another MAME release (another SHA1) named as the set's disk is had: the set
    is not left out for it (MAME may still run it); without it the set is."""
    _library(cli, tmp_path, {"turtles": SPLIT["turtles"]})
    _with_disks(cli, tmp_path, {"turtles": ("turtles", b"turtles disk")}, place=False)
    assert not _autolist(cli)["turtles"]["included"]
    disk = tmp_path / "roms" / "arcade" / "turtles" / "turtles.chd"
    disk.parent.mkdir(parents=True)
    disk.write_bytes(_chd(b"an older release of the disk"))
    assert real(cli, "scan", "--workers", "1").code == 0
    assert _autolist(cli)["turtles"]["included"]


def test_a_sets_zip_with_a_stray_file_is_the_set_its_roms_make(
        cli: Any, tmp_path: Path) -> None:
    """QA56 F6: a zip of every ROM of a set and a file no catalog lists (a ROM manager's
    leftover, a ROM of a newer set) was only guessed by its name, and a renamed copy not
    identified at all. A zip of a one-ROM game and another file stays a guess (a hack
    beside a clean ROM is no clean copy)."""
    arcade = tmp_path / "roms" / "arcade"
    arcade.mkdir(parents=True)
    for name, members in (("crbaloon", GAMES["crbaloon"][1]),
                          ("Crazy Balloon (World)", GAMES["crbaloon"][1]),
                          ("other", GAMES["other"][1])):
        with zipfile.ZipFile(arcade / f"{name}.zip", "w") as archive:
            for member in members:
                archive.writestr(member, ROMS[member])
            archive.writestr("readme.bin", hashlib.sha256(b"stray").digest() * 40)
    (tmp_path / "mame.dat").write_text(_dat())
    for args in (("dat", "import", str(tmp_path / "mame.dat"), "--platform", "arcade"),
                 ("library", "add", str(tmp_path / "roms")), ("scan", "--workers", "1")):
        assert real(cli, *args).code == 0, args
    games = {g["filename"]: g for g in real(cli, "--json", "games", "ls").json()["data"]["games"]}
    for name in ("crbaloon.zip", "Crazy Balloon (World).zip"):
        assert games[name]["matched_game_id"] == "arcade:crbaloon", games[name]
        assert games[name]["match_method"] in ("crc32", "md5", "sha1"), games[name]
    assert games["other.zip"]["match_method"] != "crc32", games["other.zip"]
    shown = real(cli, "--json", "games", "show", str(games["crbaloon.zip"]["id"])).json()
    matched = {f["name"]: f["matched_game_id"] for f in shown["data"]["files"]}
    assert matched == {"b.6": "arcade:crbaloon", "b.7": "arcade:crbaloon",
                       "readme.bin": None}, matched


@pytest.mark.parametrize("verify", [False, True])
def test_a_zip_of_a_rom_two_sets_list_is_the_set_named_as_it(
        cli: Any, tmp_path: Path, verify: bool) -> None:
    """QA59 F6: `pgame.zip` left holding only a ROM `dgame` lists too was identified as
    dgame (by SHA1: the catalog ROM stored last), said to lack dgame's other ROM, and a
    deploy warned about the library's complete dgame.zip."""
    games = {"pgame": (None, ("b.6", "n.5")), "dgame": (None, ("s.4", "n.5"))}
    text = _dat(games=games)
    for rom in ("b.6", "n.5", "s.4"):  # (with SHA1s: the member matches by its own SHA1)
        crc = f"crc {zlib.crc32(ROMS[rom]):08x}"
        text = text.replace(crc, f"{crc} sha1 {hashlib.sha1(ROMS[rom]).hexdigest()}")
    (tmp_path / "mame.dat").write_text(text)
    arcade = tmp_path / "roms" / "arcade"
    arcade.mkdir(parents=True)
    for name, members in (("pgame", ("n.5",)), ("dgame", ("s.4", "n.5"))):
        with zipfile.ZipFile(arcade / f"{name}.zip", "w") as archive:
            for member in members:
                archive.writestr(member, ROMS[member])
    scan = ("scan", "--workers", "1", *(("--verify",) if verify else ()))
    for args in (("dat", "import", str(tmp_path / "mame.dat"), "--platform", "arcade"),
                 ("library", "add", str(tmp_path / "roms")), scan):
        assert real(cli, *args).code == 0, args
    found = {g["filename"]: g["matched_game_id"]
             for g in real(cli, "--json", "games", "ls").json()["data"]["games"]}
    assert found == {"pgame.zip": "arcade:pgame", "dgame.zip": "arcade:dgame"}, found


def test_a_sets_chd_without_its_zip_is_left_out_as_incomplete(
        cli: Any, tmp_path: Path) -> None:
    """QA64 F6: `lone/lone.chd` (identified by its header) without `lone.zip` was included
    and deployed alone: MAME cannot start a set from its CHD. A set of a disk only, or whose
    zip the library holds under another name, is not left out."""
    arcade = tmp_path / "roms" / "arcade"
    for name in ("turtles", "other", "solo"):
        (arcade / name).mkdir(parents=True)
        (arcade / name / f"{name}.chd").write_bytes(_chd(f"{name} disk".encode()))
    with zipfile.ZipFile(arcade / "Other (World).zip", "w") as archive:  # renamed, identified
        archive.writestr("o.9", ROMS["o.9"])
    text = _dat(games={**GAMES, "solo": (None, ())})
    for name in ("turtles", "other", "solo"):
        sha1 = hashlib.sha1(f"{name} disk".encode()).hexdigest()
        text = text.replace(f'\tname "{name}"\n',
                            f'\tname "{name}"\n\tdisk ( name {name} sha1 {sha1} )\n')
    (tmp_path / "mame.dat").write_text(text)
    for args in (("dat", "import", str(tmp_path / "mame.dat"), "--platform", "arcade"),
                 ("library", "add", str(tmp_path / "roms")), ("scan", "--workers", "1"),
                 ("device", "add", "rg-35xx-plus"),
                 ("profile", "create", "--device", "1", "--os", "knulli")):
        assert real(cli, *args).code == 0, args
    listed = {g["filename"]: g for g in
              real(cli, "--json", "autolist", "1").json()["data"]["games"]}
    assert (listed["turtles.chd"]["included"], listed["turtles.chd"]["reason"]) == (
        False, "incomplete_set")
    assert "turtles.zip" in listed["turtles.chd"]["warnings"][-1]
    assert listed["other.chd"]["included"] and listed["solo.chd"]["included"], listed
    # the fixdat asks for the zip's ROMs, not for the CHD the library has (nor as a <rom>)
    fixdat = tmp_path / "fix.xml"
    assert real(cli, "dat", "fixdat", "MAME", "-o", str(fixdat)).code == 0
    turtles = ET.parse(fixdat).getroot().find("game[@name='turtles']")
    assert turtles is not None
    assert [rom.get("name") for rom in turtles.iter("rom")] == list(GAMES["turtles"][1])
    assert turtles.find("disk") is None
    (arcade / "turtles" / "turtles.chd").unlink()
    assert real(cli, "scan", "--workers", "1").code == 0
    assert real(cli, "dat", "fixdat", "MAME", "-o", str(fixdat), "--force").code == 0
    turtles = ET.parse(fixdat).getroot().find("game[@name='turtles']")
    assert turtles is not None
    assert [(d.get("name"), d.get("sha1")) for d in turtles.iter("disk")] == [
        ("turtles", hashlib.sha1(b"turtles disk").hexdigest())]
    # a set's zip there, its disk not: the disk is said as one (QA140 F6: "a ROM")
    (arcade / "other" / "other.chd").unlink()
    assert real(cli, "scan", "--workers", "1").code == 0
    said = real(cli, "dat", "report", "--missing").out
    assert "other: 1 of 2 ROMs and disks missing: other (disk)" in said, said


def _with_disks(cli: Any, tmp_path: Path, disks: dict[str, tuple[str, bytes]], *,
                place: bool = True) -> None:
    """GAMES' DAT with a `<disk>` per set of ``disks`` (set -> its disk's name and data),
    imported; each disk's CHD written at `arcade/set/disk.chd` (unless not ``place``), and
    the library scanned."""
    text = _dat()
    for set_name, (disk, data) in disks.items():
        text = text.replace(f'\tname "{set_name}"\n', f'\tname "{set_name}"\n\tdisk ( name '
                            f'{disk} sha1 {hashlib.sha1(data).hexdigest()} )\n')
    (tmp_path / "mame.dat").write_text(text)
    assert real(cli, "dat", "import", str(tmp_path / "mame.dat"), "--platform",
                "arcade").code == 0
    for set_name, (disk, data) in disks.items() if place else ():
        folder = tmp_path / "roms" / "arcade" / set_name
        folder.mkdir(exist_ok=True)
        (folder / f"{disk}.chd").write_bytes(_chd(data))
    assert real(cli, "scan", "--workers", "1").code == 0


@pytest.mark.parametrize("zipped", ["turtlesb", "Turtles B (World)"])
def test_a_clones_chd_goes_with_its_zip_when_the_zip_is_left_out(
        cli: Any, tmp_path: Path, zipped: str) -> None:
    """QA64 F10: a clone's own CHD stayed included when the auto-list left its zip out as
    another version of its family: a CHD nothing runs went on the card (review 31 R6: its
    zip under another name was not its zip)."""
    _library(cli, tmp_path, {"turtles": SPLIT["turtles"], zipped: SPLIT["turtlesb"]})
    _with_disks(cli, tmp_path, {"turtlesb": ("tbdisk", b"tb disk")})
    listed = {g["filename"]: g for g in
              real(cli, "--json", "autolist", "1").json()["data"]["games"]}
    assert listed["turtles.zip"]["included"], listed["turtles.zip"]
    assert listed[f"{zipped}.zip"]["reason"] == "other_version", listed[f"{zipped}.zip"]
    assert (listed["tbdisk.chd"]["included"], listed["tbdisk.chd"]["reason"]) == (
        False, "set_left_out"), listed["tbdisk.chd"]


def test_a_set_of_a_zip_and_a_chd_goes_whole_whichever_file_is_chosen(
        cli: Any, tmp_path: Path) -> None:
    """QA64 F8, F9: `id:` of a set's zip wrote it without its CHD (the library had it), of
    its CHD without its zip; a split clone whose disk is its parent's (`merge`) brought the
    parent's zip but not the parent's CHD."""
    ids = _library(cli, tmp_path, {"turtles": SPLIT["turtles"], "600": SPLIT["600"]})
    sha1 = hashlib.sha1(b"t disk").hexdigest()
    text = _dat()
    for name in ("turtles", "600"):  # (the clone's disk merged with its parent's: one SHA1)
        text = text.replace(f'\tname "{name}"\n',
                            f'\tname "{name}"\n\tdisk ( name tdisk sha1 {sha1} )\n')
    second = hashlib.sha1(b"t disk 2").hexdigest()  # (a set of two disks: QA66 F3)
    text = text.replace('\tname "turtles"\n',
                        f'\tname "turtles"\n\tdisk ( name tdisk2 sha1 {second} )\n')
    own = hashlib.sha1(b"600 disk").hexdigest()  # (the clone's own disk besides)
    text = text.replace('\tname "600"\n', f'\tname "600"\n\tdisk ( name cdisk sha1 {own} )\n')
    (tmp_path / "mame.dat").write_text(text)
    assert real(cli, "dat", "import", str(tmp_path / "mame.dat"), "--platform",
                "arcade").code == 0
    disk = tmp_path / "roms" / "arcade" / "turtles" / "tdisk.chd"
    disk.parent.mkdir()
    disk.write_bytes(_chd(b"t disk"))
    (disk.parent / "tdisk2.chd").write_bytes(_chd(b"t disk 2"))
    (disk.parent.parent / "600").mkdir()
    (disk.parent.parent / "600" / "cdisk.chd").write_bytes(_chd(b"600 disk"))
    assert real(cli, "scan", "--workers", "1").code == 0
    named = {g["filename"]: g["id"]
             for g in real(cli, "--json", "games", "ls").json()["data"]["games"]}
    for n, chosen in enumerate((ids["turtles"], named["tdisk.chd"], ids["600"],
                                named["cdisk.chd"])):
        card = tmp_path / f"card{n}"
        card.mkdir()
        result = real(cli, "deploy", "1", "--to", str(card), f"id:{chosen}")
        assert result.code == 0, result.err
        placed = sorted("/".join(p.relative_to(card).parts[-2:]) for p in card.rglob("*")
                        if p.suffix in (".zip", ".chd"))
        expected = ["mame/turtles.zip", "turtles/tdisk.chd", "turtles/tdisk2.chd"]
        clone = ["mame/600.zip", "600/cdisk.chd"] if n >= 2 else []  # (a clone's CHD
        # chosen brings its zip, which brings its parent, which brings its disks)
        assert placed == sorted([*expected, *clone]), placed
        assert "set-file-added" not in result.err  # (said in words, not codes)
        assert "arcade set files not chosen added" in result.err \
            or "arcade set file not chosen added" in result.err, result.err


def test_of_two_chds_of_one_disk_the_one_in_its_place_goes(cli: Any, tmp_path: Path) -> None:
    """Review 31 R4: a second CHD of a set's disk elsewhere in the library (`backup/tdisk
    copy.chd`) took the card's `turtles/tdisk.chd` place from the one kept there, said as
    "the card's naming rules make both names this one"."""
    _library(cli, tmp_path, {"turtles": SPLIT["turtles"]})
    _with_disks(cli, tmp_path, {"turtles": ("tdisk", b"t disk")}, place=False)
    arcade = tmp_path / "roms" / "arcade"
    (arcade / "backup").mkdir()
    (arcade / "backup" / "tdisk copy.chd").write_bytes(_chd(b"t disk") + b"another")
    (arcade / "turtles").mkdir()
    (arcade / "turtles" / "tdisk.chd").write_bytes(_chd(b"t disk"))
    assert real(cli, "scan", "--workers", "1").code == 0
    card = tmp_path / "card"
    card.mkdir()
    result = real(cli, "deploy", "1", "--to", str(card), "platform:arcade")
    assert result.code == 0, result.err
    [placed] = card.rglob("tdisk.chd")
    assert placed.read_bytes() == _chd(b"t disk")
    assert "another CHD of the disk tdisk.chd (of turtles), left out" in result.err
    assert "naming rules" not in result.err
    listed = {g["filename"]: (g["included"], g["reason"]) for g in
              real(cli, "--json", "autolist", "1").json()["data"]["games"]}
    assert (listed["tdisk.chd"], listed["tdisk copy.chd"]) == (
        (True, "INCLUDED"), (False, "other_version")), listed  # (QA66 F4: both included)


@pytest.mark.parametrize("name", ["Final Fantasy VII (USA) (Disc 1)", "ff7u"])
def test_a_consoles_chd_a_dat_lists_as_a_disk_is_laid_out_as_its_platforms(
        cli: Any, tmp_path: Path, name: str) -> None:
    """Review 31 R5, review 32 R1: a PlayStation CHD matched through a `<disk>` (MAME
    software lists describe discs so, named `ff7u` as arcade sets are) was renamed and put
    in a folder of its game's name, as an arcade set's CHD, and called an "arcade set"."""
    sha1 = hashlib.sha1(b"ff7 disc 1").hexdigest()
    (tmp_path / "psx.dat").write_text(
        'clrmamepro (\n\tname "Sony - PlayStation"\n)\ngame (\n'
        f'\tname "{name}"\n'
        f'\tdisk ( name "final fantasy vii (usa) (disc 1)" sha1 {sha1} )\n)\n')
    folder = tmp_path / "roms" / "psx"
    folder.mkdir(parents=True)
    (folder / "FF7 D1.chd").write_bytes(_chd(b"ff7 disc 1"))
    for args in (("dat", "import", str(tmp_path / "psx.dat")),
                 ("library", "add", str(tmp_path / "roms")), ("scan", "--workers", "1"),
                 ("device", "add", "rg-35xx-plus"),
                 ("profile", "create", "--device", "1", "--os", "muos")):
        assert real(cli, *args).code == 0, args
    [game] = real(cli, "--json", "games", "ls").json()["data"]["games"]
    assert game["match_method"] == "sha1", game  # (identified by its header all the same)
    card = tmp_path / "card"
    card.mkdir()
    result = real(cli, "deploy", "1", "--to", str(card), "platform:psx")
    assert result.code == 0, result.err
    [placed] = card.rglob("*.chd")
    assert (placed.name, placed.parent.name) == ("FF7 D1.chd", "psx"), placed
    assert "arcade set" not in result.err


def test_a_set_without_its_chd_is_incomplete_in_every_view(cli: Any, db_path: Path,
                                                           tmp_path: Path) -> None:
    """Review 31 R7: a set whose disk no CHD of the library holds was left out of the
    auto-list as incomplete, while `games show`, `dat report` and `dat fixdat` called it
    complete; with its CHD every view says it is had."""
    ids = _library(cli, tmp_path, {"turtles": SPLIT["turtles"]})
    sha1 = hashlib.sha1(b"t disk").hexdigest()
    (tmp_path / "mame.dat").write_text(_dat().replace(
        '\tname "turtles"\n', f'\tname "turtles"\n\tdisk ( name tdisk sha1 {sha1} )\n'))
    assert real(cli, "dat", "import", str(tmp_path / "mame.dat"), "--platform",
                "arcade").code == 0

    def views() -> tuple[bool, bool, bool, bool]:
        listed = {g["filename"]: g for g in
                  real(cli, "--json", "autolist", "1").json()["data"]["games"]}
        [report] = real(cli, "--json", "dat", "report", "--missing").json()["data"]
        shown = real(cli, "games", "show", str(ids["turtles"])).out
        fixdat = tmp_path / "fix.xml"
        assert real(cli, "dat", "fixdat", "MAME", "-o", str(fixdat), "--force").code == 0
        asked = ET.parse(fixdat).getroot().find("game[@name='turtles']/disk") is not None
        return (listed["turtles.zip"]["included"],
                "turtles" in {game["name"] for game in report["incomplete_games"]},
                "incomplete" in shown, asked)

    assert views() == (False, True, True, True)
    # a catalog an earlier reader read that kept the sets' BIOS sets is still judged, whatever
    # the reader's version now (review 32 R4: raising it silenced every catalog)
    with sqlite3.connect(db_path) as db:
        db.execute("UPDATE catalog_sources SET reader = 2")
    db.close()
    assert views() == (False, True, True, True)
    disk = tmp_path / "roms" / "arcade" / "turtles" / "tdisk.chd"
    disk.parent.mkdir()
    disk.write_bytes(_chd(b"t disk"))
    assert real(cli, "scan", "--workers", "1").code == 0
    assert views() == (True, False, False, False)


def test_a_parents_chd_is_no_parent_set_for_its_split_clone(cli: Any, tmp_path: Path) -> None:
    """QA66 F5: with the parent's zip absent, the parent's CHD (matched to the parent) was
    taken for the parent set: the split clone was auto-listed and deployed with the CHD
    beside it, "parent set added"."""
    _library(cli, tmp_path, {"600": SPLIT["600"]})
    _with_disks(cli, tmp_path, {"turtles": ("tdisk", b"t disk")})
    listed = {g["filename"]: g for g in
              real(cli, "--json", "autolist", "1").json()["data"]["games"]}
    assert not listed["600.zip"]["included"], listed["600.zip"]
    card = tmp_path / "card"
    card.mkdir()
    result = real(cli, "deploy", "1", "--to", str(card), "title:600")
    assert result.code == 1 and "parent set not chosen added" not in result.err, result.err
    assert not list(card.rglob("600.zip"))


def test_a_sets_disk_excluded_by_an_override_stays_off_and_the_rest_goes(
        cli: Any, tmp_path: Path) -> None:
    """QA66 F6: with one CHD of a two-disk set excluded (`override set --exclude`), the
    deploy said the zip was left out for it, then brought the zip back for the other CHD
    (exit 1); the auto-list included the zip. The excluded disk stays off; the rest goes."""
    _library(cli, tmp_path, {"turtles": SPLIT["turtles"]})
    text = _dat()
    for disk in ("tdisk2", "tdisk1"):
        sha1 = hashlib.sha1(disk.encode()).hexdigest()
        text = text.replace('\tname "turtles"\n',
                            f'\tname "turtles"\n\tdisk ( name {disk} sha1 {sha1} )\n')
    (tmp_path / "mame.dat").write_text(text)
    folder = tmp_path / "roms" / "arcade" / "turtles"
    folder.mkdir()
    for disk in ("tdisk1", "tdisk2"):
        (folder / f"{disk}.chd").write_bytes(_chd(disk.encode()))
    for args in (("dat", "import", str(tmp_path / "mame.dat"), "--platform", "arcade"),
                 ("scan", "--workers", "1")):
        assert real(cli, *args).code == 0, args
    excluded = next(g["id"] for g in real(cli, "--json", "games", "ls").json()["data"]["games"]
                    if g["filename"] == "tdisk1.chd")
    assert real(cli, "override", "set", "--game", str(excluded), "--exclude").code == 0
    card = tmp_path / "card"
    card.mkdir()
    result = real(cli, "deploy", "1", "--to", str(card), "--auto")
    assert result.code == 0 and "left out" not in result.err, result.err
    placed = sorted(p.name for p in card.rglob("*") if p.suffix in (".zip", ".chd"))
    assert placed == ["tdisk2.chd", "turtles.zip"], placed


def test_a_clone_whose_parent_is_on_a_root_not_reachable_is_not_done(
        cli: Any, tmp_path: Path) -> None:
    """Review 118 F4: a split clone chosen, its parent set on a root unplugged: the clone
    went alone (it cannot run) with exit 0, where a parent missing since the scan exits 1."""
    import zipfile
    ids = _library(cli, tmp_path, {"600": SPLIT["600"]})
    other = tmp_path / "ext" / "arcade"
    other.mkdir(parents=True)
    with zipfile.ZipFile(other / "turtles.zip", "w") as archive:
        for member in SPLIT["turtles"]:
            archive.writestr(member, ROMS[member])
    assert real(cli, "library", "add", str(tmp_path / "ext")).code == 0
    assert real(cli, "scan", "--workers", "1").code == 0
    (tmp_path / "ext").rename(tmp_path / "ext-unplugged")
    card = tmp_path / "card"
    card.mkdir()
    result = real(cli, "--json", "deploy", "1", "--to", str(card), f"id:{ids['600']}")
    assert result.code == 1 and result.json()["data"]["left_out"] == 1, result.out
