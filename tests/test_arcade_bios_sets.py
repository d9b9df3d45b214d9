"""An arcade set that runs with a BIOS set (MAME's ``romof="neogeo"``) holds only its own ROMs:
the emulator reads the BIOS set's zip beside it. A deploy brings the BIOS set, or leaves the
game out naming it; the BIOS set is no game of an auto-list (QA39 F5: ``2020bb.zip`` went on
the card without ``neogeo.zip``, exit 0, and ``neogeo.zip`` alone was the card's "game")."""

from __future__ import annotations

import hashlib
import re
import sqlite3
import zipfile
import zlib
from pathlib import Path
from typing import Any

import pytest

from romrunner.catalog.datfile import read_dat
from romrunner.store import OpenMode, open_database
from tests.test_autolist import real

ROMS = {name: hashlib.sha256(name.encode()).digest() * 16
        for name in ("bios.1", "bios.2", "bb.1", "bb.2", "kof.1", "solo.1", "bbh.1")}
# neogeo: a BIOS set; 2020bb and kof: sets that run with it (they list its ROMs as merged);
# kofc: a clone of kof (its romof is its parent); solo: a set of its own.
SETS = {"neogeo": ("bios.1", "bios.2"), "2020bb": ("bb.1", "bb.2"), "kof": ("kof.1",),
        "solo": ("solo.1",)}


def _rom(name: str, merged: bool = False) -> str:
    merge = f' merge="{name}"' if merged else ""
    return (f'\t\t<rom name="{name}"{merge} size="{len(ROMS[name])}" '
            f'crc="{zlib.crc32(ROMS[name]):08x}"/>\n')


def _dat() -> str:
    bios = "".join(_rom(name, merged=True) for name in SETS["neogeo"])
    return ('<?xml version="1.0"?>\n<datafile>\n\t<header><name>MAME</name>'
            '<version>0.37b5</version></header>\n'
            '\t<game name="neogeo" isbios="yes">\n\t\t<description>Neo Geo BIOS</description>\n'
            + "".join(_rom(name) for name in SETS["neogeo"]) + "\t</game>\n"
            '\t<game name="2020bb" romof="neogeo">\n\t\t<description>2020 Baseball'
            '</description>\n' + "".join(_rom(n) for n in SETS["2020bb"]) + bios + "\t</game>\n"
            '\t<game name="kof" romof="neogeo">\n\t\t<description>KOF</description>\n'
            + _rom("kof.1") + bios + "\t</game>\n"
            '\t<game name="solo">\n\t\t<description>Solo</description>\n'
            + _rom("solo.1") + "\t</game>\n</datafile>\n")


def _library(cli: Any, tmp_path: Path, zips: dict[str, tuple[str, ...]],
             dat: str | None = None, folder: str = "arcade") -> dict[str, int]:
    arcade = tmp_path / "roms" / folder
    arcade.mkdir(parents=True)
    for name, members in zips.items():
        with zipfile.ZipFile(arcade / f"{name}.zip", "w") as archive:
            for member in members:
                archive.writestr(member, ROMS[member])
    (tmp_path / "mame.xml").write_text(_dat() if dat is None else dat)
    for args in (("dat", "import", str(tmp_path / "mame.xml"), "--platform", "arcade"),
                 ("library", "add", str(tmp_path / "roms")), ("scan", "--workers", "1"),
                 ("device", "add", "rg-35xx-plus"),
                 ("profile", "create", "--device", "1", "--os", "knulli")):
        result = real(cli, *args)
        assert result.code == 0, (args, result.err)
    games = real(cli, "--json", "games", "ls").json()["data"]["games"]
    return {g["filename"].removesuffix(".zip"): int(g["id"]) for g in games}


def _with_split_clone() -> str:
    """The DAT with 2020bbh, a clone of 2020bb (which runs with neogeo) whose own ROM is
    bbh.1: its split zip holds that one alone."""
    bios = "".join(_rom(name, merged=True) for name in SETS["neogeo"])
    clone = ('\t<game name="2020bbh" cloneof="2020bb" romof="2020bb">\n\t\t<description>'
             '2020 Baseball (set 2)</description>\n' + _rom("bb.1", merged=True)
             + _rom("bb.2", merged=True) + _rom("bbh.1") + bios + "\t</game>\n")
    return _dat().replace("</datafile>", clone + "</datafile>")


def _card(card: Path) -> list[str]:
    return sorted(p.name for p in card.rglob("*.zip"))


def test_the_dat_reader_keeps_romof_and_isbios(tmp_path: Path) -> None:
    (tmp_path / "mame.xml").write_text(_dat())
    games = {g.name: g for g in read_dat(tmp_path / "mame.xml").games}
    assert (games["neogeo"].is_bios, games["2020bb"].is_bios) == (True, False)
    assert (games["2020bb"].rom_of, games["solo"].rom_of) == ("neogeo", None)


def test_a_set_that_runs_with_a_bios_set_brings_it(cli: Any, tmp_path: Path) -> None:
    _library(cli, tmp_path, SETS)
    listed = {g["filename"]: g for g in
              real(cli, "--json", "autolist", "1").json()["data"]["games"]}
    assert listed["neogeo.zip"]["reason"] == "bios_set" and not listed["neogeo.zip"]["included"]
    assert all(listed[f"{name}.zip"]["included"] for name in ("2020bb", "kof", "solo"))
    card = tmp_path / "card"
    card.mkdir()
    plan = real(cli, "--json", "deploy", "1", "--to", str(card), "title:2020", "--dry-run")
    (added,) = [w for w in plan.json()["data"]["plan"]["warnings"]
                if w["code"] == "bios-set-added"]
    assert "1 BIOS set not chosen added for the set that needs it (neogeo.zip for " \
           "2020bb.zip)" in added["message"]
    assert real(cli, "deploy", "1", "--to", str(card), "title:2020").code == 0
    assert _card(card) == ["2020bb.zip", "neogeo.zip"]
    auto = tmp_path / "auto"
    auto.mkdir()
    assert real(cli, "deploy", "1", "--to", str(auto), "--auto").code == 0
    assert _card(auto) == ["2020bb.zip", "kof.zip", "neogeo.zip", "solo.zip"]


def test_a_set_whose_bios_set_the_library_lacks_is_left_out_naming_it(
        cli: Any, tmp_path: Path) -> None:
    _library(cli, tmp_path, {"2020bb": SETS["2020bb"], "solo": SETS["solo"],
                             "kof": (*SETS["kof"], *SETS["neogeo"])})  # kof: non-merged
    card = tmp_path / "card"
    card.mkdir()
    plan = real(cli, "--json", "deploy", "1", "--to", str(card), "platform:arcade",
                "--dry-run")
    errors = [e for e in plan.json()["data"]["plan"]["errors"]
              if e["code"] == "bios-set-missing"]
    assert len(errors) == 1 and "2020bb.zip: an arcade set whose zip does not hold the ROMs of " \
        "its BIOS set, neogeo" in errors[0]["message"] \
        and "the library does not have it: left out" in errors[0]["message"]
    result = real(cli, "deploy", "1", "--to", str(card), "platform:arcade")
    assert result.code == 1, result.err  # a chosen game left out
    assert "runs only with that set's zip beside it" in result.err
    assert _card(card) == ["kof.zip", "solo.zip"]  # (kof holds the BIOS ROMs itself)


def test_a_split_clone_left_out_for_its_bios_set_brings_no_parent(
        cli: Any, tmp_path: Path) -> None:
    """QA40 F2: a split clone (only its own ROMs) of a set that runs with a BIOS set the
    library lacks was left out, yet its parent went on the card "for its split clone",
    itself unable to start without the BIOS set."""
    ids = _library(cli, tmp_path, {"2020bb": SETS["2020bb"], "2020bbh": ("bbh.1",)},
                   _with_split_clone())
    card = tmp_path / "card"
    card.mkdir()
    result = real(cli, "--json", "deploy", "1", "--to", str(card), f"id:{ids['2020bbh']}")
    assert result.code == 1
    assert any("2020bbh.zip: an arcade set whose zip does not hold the ROMs of its BIOS set, "
               "neogeo" in w
               for w in result.json()["warnings"])
    assert not any("parent set" in w for w in result.json()["warnings"])
    assert _card(card) == []


def test_the_auto_list_leaves_out_a_set_whose_bios_set_the_library_lacks(
        cli: Any, tmp_path: Path) -> None:
    """Review 20 R6: without neogeo.zip the auto-list included the Neo Geo sets, and every
    `deploy --auto` left them out and exited 1."""
    _library(cli, tmp_path, {"2020bb": SETS["2020bb"], "solo": SETS["solo"]})
    listed = {g["filename"]: g for g in
              real(cli, "--json", "autolist", "1").json()["data"]["games"]}
    assert (listed["2020bb.zip"]["included"], listed["2020bb.zip"]["reason"]) == (
        False, "needs_bios_set")
    assert any("BIOS set neogeo" in w for w in listed["2020bb.zip"]["warnings"])
    card = tmp_path / "card"
    card.mkdir()
    assert real(cli, "deploy", "1", "--to", str(card), "--auto").code == 0
    assert _card(card) == ["solo.zip"]


def test_a_split_clone_left_out_for_its_parent_brings_no_bios_set(
        cli: Any, tmp_path: Path) -> None:
    """QA41 F2: a split clone left out for want of its parent brought its BIOS set onto the
    card "for" it, the clone not written."""
    ids = _library(cli, tmp_path, {"neogeo": SETS["neogeo"], "2020bbh": ("bbh.1",)},
                   _with_split_clone())
    card = tmp_path / "card"
    card.mkdir()
    result = real(cli, "--json", "deploy", "1", "--to", str(card), f"id:{ids['2020bbh']}")
    assert result.code == 1
    assert any("a split clone of 2020bb" in w for w in result.json()["warnings"])
    assert not any("BIOS set not chosen added" in w for w in result.json()["warnings"])
    assert _card(card) == []


def test_a_bios_set_kept_in_the_bios_folder_goes_beside_the_sets_that_need_it(
        cli: Any, tmp_path: Path) -> None:
    """QA56 F8: `neogeo.zip` kept in the BIOS folder (as guides say; `bios scan` found it):
    every Neo Geo set was left out, "the library does not have it"."""
    _library(cli, tmp_path, {"2020bb": SETS["2020bb"], "solo": SETS["solo"]})
    folder = tmp_path / "zbios"  # (sorted after the card's path: review 30 R3)
    folder.mkdir()
    with zipfile.ZipFile(folder / "neogeo.zip", "w") as archive:
        for member in SETS["neogeo"]:
            archive.writestr(member, ROMS[member])
    assert real(cli, "bios", "scan", str(folder)).code in (0, 1)
    listed = {g["filename"]: g for g in
              real(cli, "--json", "autolist", "1").json()["data"]["games"]}
    assert listed["2020bb.zip"]["included"], listed["2020bb.zip"]
    card = tmp_path / "card"
    card.mkdir()
    done = real(cli, "--json", "deploy", "1", "--to", str(card), "--auto")
    assert done.code == 0, done.err
    assert _card(card) == ["2020bb.zip", "neogeo.zip", "solo.zip"]
    [beside] = list(card.rglob("neogeo.zip"))
    assert beside.parent == next(card.rglob("2020bb.zip")).parent
    assert beside.read_bytes() == (folder / "neogeo.zip").read_bytes()
    again = real(cli, "--json", "deploy", "1", "--to", str(card), "--auto", "--prune")
    assert again.code == 0 and again.json()["data"]["copied"] == 0
    assert again.json()["data"]["pruned"] == 0
    # the card's copy verified by `bios scan` is no source of its deploys (review 30 R3)
    assert real(cli, "bios", "scan", str(beside.parent)).code in (0, 1)
    third = real(cli, "--json", "deploy", "1", "--to", str(card), "--auto")
    assert third.code == 0, third.out


def test_games_show_names_the_bios_sets_roms_as_that_sets_not_missing(
        cli: Any, tmp_path: Path) -> None:
    """QA56 F4: a complete split Neo Geo set was "incomplete: … neo-geo.rom … missing" (the
    BIOS set's ROMs, which MAME reads from `neogeo.zip` beside it); and its split clone,
    whose BIOS ROMs come through its parent, is no incomplete set of the auto-list."""
    ids = _library(cli, tmp_path, {"neogeo": SETS["neogeo"], "2020bb": SETS["2020bb"],
                                   "2020bbh": ("bbh.1",)}, dat=_with_split_clone())
    shown = real(cli, "games", "show", str(ids["2020bb"])).out
    assert "incomplete" not in shown, shown
    assert "2 ROMs of its BIOS set, neogeo" in " ".join(shown.split())
    listed = {g["filename"]: g for g in
              real(cli, "--json", "autolist", "1").json()["data"]["games"]}
    assert listed["2020bbh.zip"]["reason"] != "incomplete_set", listed["2020bbh.zip"]


def test_the_bios_folders_set_wins_over_a_zip_only_named_so(cli: Any, tmp_path: Path) -> None:
    """QA59 F7: a `neogeo.zip` in the ROM folder holding other data (named so only) went on
    the card, while the one in the BIOS folder `bios scan` found stayed unused."""
    arcade = tmp_path / "roms" / "arcade"
    arcade.mkdir(parents=True)
    with zipfile.ZipFile(arcade / "neogeo.zip", "w") as archive:
        archive.writestr("bios.1", b"another romset's BIOS" * 40)
    (tmp_path / "mame.xml").write_text(_dat())
    with zipfile.ZipFile(arcade / "2020bb.zip", "w") as archive:
        for member in SETS["2020bb"]:
            archive.writestr(member, ROMS[member])
    folder = tmp_path / "zbios"
    folder.mkdir()
    with zipfile.ZipFile(folder / "neogeo.zip", "w") as archive:
        for member in SETS["neogeo"]:
            archive.writestr(member, ROMS[member])
    for args in (("dat", "import", str(tmp_path / "mame.xml"), "--platform", "arcade"),
                 ("library", "add", str(tmp_path / "roms")), ("scan", "--workers", "1"),
                 ("bios", "scan", str(folder)), ("device", "add", "rg-35xx-plus"),
                 ("profile", "create", "--device", "1", "--os", "knulli")):
        assert real(cli, *args).code in (0, 1), args
    card = tmp_path / "card"
    card.mkdir()
    assert real(cli, "deploy", "1", "--to", str(card), "title:2020").code == 0
    [bios] = list(card.rglob("neogeo.zip"))
    assert bios.read_bytes() == (folder / "neogeo.zip").read_bytes()


def test_a_catalog_an_earlier_release_read_is_read_again_and_not_judged_meanwhile(
        cli: Any, db_path: Path, tmp_path: Path) -> None:
    """QA60 F1/F2: a catalog imported before the reader kept `romof` (no clones: migration
    25 did not mark it) said "unchanged" at every import, `--force` too, and meanwhile its
    sets were "incomplete" for their BIOS set's ROMs: a prune removed them from the card."""
    _library(cli, tmp_path, SETS)
    with sqlite3.connect(db_path) as db:  # as an earlier release's reader left it
        db.execute("UPDATE catalog_games SET rom_of = NULL, is_bios = 0")
        db.execute("UPDATE catalog_sources SET reader = 1")
    db.close()
    listed = {g["filename"]: g for g in
              real(cli, "--json", "autolist", "1").json()["data"]["games"]}
    assert listed["2020bb.zip"]["included"], listed["2020bb.zip"]  # not judged incomplete
    game = real(cli, "--json", "games", "ls", "title:2020").json()["data"]["games"][0]["id"]
    assert "incomplete" not in real(cli, "games", "show", str(game)).out  # (QA64 F1)
    [catalog] = real(cli, "--json", "dat", "ls").json()["data"]
    assert catalog["read_again"] is True
    assert "read by an earlier release" in real(cli, "dat", "ls").out
    again = real(cli, "--json", "dat", "import", str(tmp_path / "mame.xml"), "--platform",
                 "arcade")
    assert again.code == 0 and not again.json()["data"]["imports"][0]["unchanged"]
    listed = {g["filename"]: g for g in
              real(cli, "--json", "autolist", "1").json()["data"]["games"]}
    assert listed["neogeo.zip"]["reason"] == "bios_set" and listed["2020bb.zip"]["included"]
    assert real(cli, "--json", "dat", "ls").json()["data"][0]["read_again"] is False
    unchanged = real(cli, "--json", "dat", "import", str(tmp_path / "mame.xml"),
                     "--platform", "arcade")
    assert unchanged.json()["data"]["imports"][0]["unchanged"]
    forced = real(cli, "--json", "dat", "import", str(tmp_path / "mame.xml"), "--platform",
                  "arcade", "--force")  # (the user asks for it to be read)
    assert forced.code == 0 and not forced.json()["data"]["imports"][0]["unchanged"]


def test_a_merged_set_that_runs_with_a_bios_set_is_identified_by_its_hashes(
        cli: Any, tmp_path: Path) -> None:
    """QA56 F3: a merged 2020bb.zip (its ROMs and its clone's, never its BIOS set's, which
    are neogeo.zip's) was "guessed from the file name only": the merged-parent rule wanted
    every ROM the DAT lists for 2020bb, its BIOS set's too."""
    # (its clone replaces bb.2 with bbh.1, as 2020bbh replaces 2020_p1.rom in MAME's DAT)
    dat = _with_split_clone().replace(_rom("bb.2", merged=True) + _rom("bbh.1"),
                                      _rom("bbh.1"))
    ids = _library(cli, tmp_path, {"neogeo": SETS["neogeo"],
                                   "2020bb": (*SETS["2020bb"], "bbh.1")}, dat=dat)
    games = {g["id"]: g for g in real(cli, "--json", "games", "ls").json()["data"]["games"]}
    merged = games[ids["2020bb"]]
    assert (merged["match_method"], merged["matched_game_id"]) == ("crc32", "arcade:2020bb"), \
        merged
    shown = real(cli, "games", "show", str(ids["2020bb"])).out
    assert "guessed" not in shown and "incomplete" not in shown, shown


@pytest.mark.parametrize("folder", ["fbneo", "neogeo"])
def test_a_bios_set_whose_every_rom_is_shared_is_identified_outside_an_arcade_folder(
        cli: Any, tmp_path: Path, folder: str) -> None:
    """QA133 F1: neogeo.zip, whose ROMs every set that runs with it lists too, was never
    identified in `fbneo/` (arcade or fbneo: undecided) or `neogeo/` (the Neo Geo console's
    folder), so the sets beside it were left out, "the library does not have it"."""
    ids = _library(cli, tmp_path, {"neogeo": SETS["neogeo"], "2020bb": SETS["2020bb"]},
                   folder=folder)
    shown = real(cli, "--json", "games", "show", str(ids["neogeo"])).json()["data"]
    assert shown["matched_game_id"] == "arcade:neogeo", shown["matched_game_id"]
    listed = {g["filename"]: g for g in
              real(cli, "--json", "autolist", "1").json()["data"]["games"]}
    assert listed["neogeo.zip"]["reason"] == "bios_set"
    assert listed["2020bb.zip"]["included"], listed["2020bb.zip"]
    card = tmp_path / "card"
    card.mkdir()
    assert real(cli, "deploy", "1", "--to", str(card), "--auto").code == 0
    assert _card(card) == ["2020bb.zip", "neogeo.zip"]


def test_a_samples_zip_named_as_a_set_never_takes_the_sets_place_on_the_card(
        cli: Any, tmp_path: Path) -> None:
    """QA133 F2: MAME's samples of a set are a zip of the set's name holding `.wav` files; in
    a folder below the ROMs it was guessed by its name as the set, and a deploy by query
    wrote it to the card in the identified set's place (the first by id won the name)."""
    samples = tmp_path / "roms" / "arcade" / "samples"
    samples.mkdir(parents=True)
    with zipfile.ZipFile(samples / "solo.zip", "w") as archive:  # scanned first: lower id
        archive.writestr("1.wav", b"RIFF" + bytes(4000))
    zipped = tmp_path / "solo.zip"
    with zipfile.ZipFile(zipped, "w") as archive:
        archive.writestr("solo.1", ROMS["solo.1"])
    (tmp_path / "mame.xml").write_text(_dat())
    for args in (("dat", "import", str(tmp_path / "mame.xml"), "--platform", "arcade"),
                 ("library", "add", str(tmp_path / "roms")), ("scan", "--workers", "1")):
        assert real(cli, *args).code == 0, args
    zipped.rename(tmp_path / "roms" / "arcade" / "solo.zip")
    for args in (("scan", "--workers", "1"), ("device", "add", "rg-35xx-plus"),
                 ("profile", "create", "--device", "1", "--os", "knulli")):
        assert real(cli, *args).code == 0, args
    card = tmp_path / "card"
    card.mkdir()
    real(cli, "deploy", "1", "--to", str(card), "platform:arcade")
    (placed,) = card.rglob("solo.zip")
    with zipfile.ZipFile(placed) as archive:
        assert archive.namelist() == ["solo.1"]
    listed = [g for g in real(cli, "--json", "autolist", "1").json()["data"]["games"]
              if g["filename"] == "solo.zip"]
    assert sorted((g["included"], g["dropped"] or g["reason"]) for g in listed) == [
        (False, "no_rom"), (True, "INCLUDED")], listed


def test_games_show_says_a_bios_set_is_one(cli: Any, tmp_path: Path) -> None:
    """QA133 F7: `games show` of neogeo.zip listed every set that runs with it (they list its
    ROMs), and nothing said it is a BIOS set."""
    ids = _library(cli, tmp_path, SETS)
    shown = real(cli, "games", "show", str(ids["neogeo"])).out
    catalog = [line for line in shown.splitlines() if line.strip().startswith("catalog ")]
    assert len(catalog) == 1 and "a BIOS set" in catalog[0], shown
    assert "2 other sets of its catalogs list some of its ROMs too" in shown
    found = real(cli, "--json", "games", "ls", "flag:bios").json()["data"]["games"]
    assert [g["filename"] for g in found] == ["neogeo.zip"]


def test_a_library_an_earlier_release_scanned_has_its_bios_set_identified_at_the_next_scan(
        cli: Any, tmp_path: Path, db_path: Path) -> None:
    """The rules that identify a neogeo.zip in `fbneo/` (QA133 F1) reach a library an
    earlier release scanned: its unchanged files are not examined again, so the first scan
    under the new rules identifies again what an earlier release left unidentified."""
    ids = _library(cli, tmp_path, {"neogeo": SETS["neogeo"], "2020bb": SETS["2020bb"]},
                   folder="fbneo")
    db = open_database(db_path, OpenMode.WRITE).db
    with db.atomic():  # as the earlier release left it
        db.execute("UPDATE games SET matched_game_id = NULL, match_method = NULL, "
                   "platform_id = 'unknown' WHERE id = ?", (ids["neogeo"],))
        db.execute("UPDATE game_files SET matched_game_id = NULL, match_method = NULL "
                   "WHERE game_id = ?", (ids["neogeo"],))
        db.execute("UPDATE user_settings SET value = '20' WHERE key = 'tag_rules_version'")
    db.close()
    scanned = real(cli, "--json", "scan", "--workers", "1")
    assert scanned.code == 0, scanned.err
    assert scanned.json()["data"]["rematched"] >= 1
    shown = real(cli, "--json", "games", "show", str(ids["neogeo"])).json()["data"]
    assert shown["matched_game_id"] == "arcade:neogeo"


def test_bios_scan_says_a_zip_is_an_imported_dats_bios_set_of_another_version(
        cli: Any, tmp_path: Path) -> None:
    """QA133 F8: MAME 0.37b5's neogeo.zip in a BIOS folder was only "wrong_size" against the
    pack's later neogeo.zip, while the deploy put it beside the sets that need it: a note
    says it is that DAT's complete BIOS set; a zip lacking one of its ROMs gets none."""
    (tmp_path / "mame.xml").write_text(_dat())
    assert real(cli, "dat", "import", str(tmp_path / "mame.xml"), "--platform",
                "arcade").code == 0
    for name, members in (("whole", SETS["neogeo"]), ("short", SETS["neogeo"][:1])):
        folder = tmp_path / name
        folder.mkdir()
        with zipfile.ZipFile(folder / "neogeo.zip", "w") as archive:
            for member in members:
                archive.writestr(member, ROMS[member])
        result = real(cli, "--json", "bios", "scan", str(folder))
        assert result.code == 0, result.err
        data = result.json()["data"]
        (item,) = data["files"]
        assert item["status"] in ("wrong_size", "wrong_hash"), item
        said = [n["note"] for n in data["notes"] if "BIOS set neogeo of MAME 0.37b5" in n["note"]]
        assert len(said) == (1 if name == "whole" else 0), data["notes"]


def test_of_two_copies_of_a_bios_set_the_whole_one_goes_beside_the_game(
        cli: Any, tmp_path: Path) -> None:
    """QA136 F1: the first copy by id of a BIOS set went on the card, one lacking a ROM,
    while a whole copy sat in another folder (the auto-list judged the game against the
    whole one, and the deploy said nothing)."""
    roms = tmp_path / "roms"
    for folder, members in (("arcade", SETS["neogeo"][:1]), ("fbneo", SETS["neogeo"])):
        (roms / folder).mkdir(parents=True)
        with zipfile.ZipFile(roms / folder / "neogeo.zip", "w") as archive:
            for member in members:
                archive.writestr(member, ROMS[member])
    with zipfile.ZipFile(roms / "arcade" / "2020bb.zip", "w") as archive:
        for member in SETS["2020bb"]:
            archive.writestr(member, ROMS[member])
    (tmp_path / "mame.xml").write_text(_dat())
    for args in (("dat", "import", str(tmp_path / "mame.xml"), "--platform", "arcade"),
                 ("library", "add", str(roms)), ("scan", "--workers", "1"),
                 ("device", "add", "rg-35xx-plus"),
                 ("profile", "create", "--device", "1", "--os", "knulli")):
        assert real(cli, *args).code == 0, args
    games = {(Path(g["filename"]).stem, g["platform_id"], g["id"]) for g in
             real(cli, "--json", "games", "ls").json()["data"]["games"]}
    bad = min(i for stem, _, i in games if stem == "neogeo")  # the first by id: the short one
    shown = real(cli, "--json", "games", "show", str(bad)).json()["data"]
    assert shown["filepath"].startswith("arcade/"), shown["filepath"]
    assert shown["matched_game_id"] == "arcade:neogeo"
    for args in (("--auto",), ("title:2020",)):
        card = tmp_path / f"card{len(args[0])}"
        card.mkdir()
        assert real(cli, "deploy", "1", "--to", str(card), *args).code == 0, args
        (placed,) = card.rglob("neogeo.zip")
        assert placed.read_bytes() == (roms / "fbneo" / "neogeo.zip").read_bytes(), args


def test_a_query_deploy_never_writes_a_samples_zip_over_the_set_on_the_card(
        cli: Any, tmp_path: Path) -> None:
    """QA136 F4: a deploy of a query choosing only a set's samples zip (`.wav` files under the
    set's name) wrote it over the verified set an earlier deploy put on the card, "1 copied",
    though it had just said the archive holds no ROM. It is no game: not copied."""
    samples = tmp_path / "roms" / "arcade" / "samples"
    samples.mkdir(parents=True)
    with zipfile.ZipFile(samples / "solo.zip", "w") as archive:
        archive.writestr("1.wav", b"RIFF" + bytes(4000))
    with zipfile.ZipFile(tmp_path / "roms" / "arcade" / "solo.zip", "w") as archive:
        archive.writestr("solo.1", ROMS["solo.1"])
    (tmp_path / "mame.xml").write_text(_dat())
    for args in (("dat", "import", str(tmp_path / "mame.xml"), "--platform", "arcade"),
                 ("library", "add", str(tmp_path / "roms")), ("scan", "--workers", "1"),
                 ("device", "add", "rg-35xx-plus"),
                 ("profile", "create", "--device", "1", "--os", "knulli")):
        assert real(cli, *args).code == 0, args
    ids = {real(cli, "--json", "games", "show", str(g["id"])).json()["data"]["filepath"]:
           g["id"] for g in real(cli, "--json", "games", "ls").json()["data"]["games"]}
    card = tmp_path / "card"
    card.mkdir()
    assert real(cli, "deploy", "1", "--to", str(card), f"id:{ids['arcade/solo.zip']}").code == 0
    (placed,) = card.rglob("solo.zip")
    before = placed.read_bytes()
    again = real(cli, "--json", "deploy", "1", "--to", str(card),
                 f"id:{ids['arcade/samples/solo.zip']}")
    assert placed.read_bytes() == before
    assert again.json()["data"]["copied"] == 0
    assert any("solo.zip" in w and "not copied" in w for w in again.json()["warnings"])


def test_a_bios_set_whose_platform_was_set_by_hand_is_named_where_it_is(
        cli: Any, tmp_path: Path) -> None:
    """QA136 F5: a user who set a neogeo.zip of `fbneo/` to fbneo by hand, as an earlier
    release advised, had the arcade sets needing it left out, "the library does not have
    it". It is identified (its platform kept), and the error says where it is and the
    command that files it by its catalog match."""
    roms = tmp_path / "roms"
    for folder, name, members in (("fbneo", "neogeo", SETS["neogeo"]),
                                  ("arcade", "2020bb", SETS["2020bb"])):
        (roms / folder).mkdir(parents=True, exist_ok=True)
        with zipfile.ZipFile(roms / folder / f"{name}.zip", "w") as archive:
            for member in members:
                archive.writestr(member, ROMS[member])
    (tmp_path / "mame.xml").write_text(_dat())
    for args in (("library", "add", str(roms)), ("scan", "--workers", "1")):
        assert real(cli, *args).code == 0, args
    ids = {g["filename"]: g["id"] for g in
           real(cli, "--json", "games", "ls").json()["data"]["games"]}
    for args in (("games", "set-platform", "fbneo", str(ids["neogeo.zip"])),
                 ("dat", "import", str(tmp_path / "mame.xml"), "--platform", "arcade"),
                 ("device", "add", "rg-35xx-plus"),
                 ("profile", "create", "--device", "1", "--os", "knulli")):
        assert real(cli, *args).code == 0, args
    shown = real(cli, "--json", "games", "show", str(ids["neogeo.zip"])).json()["data"]
    assert (shown["platform_id"], shown["matched_game_id"]) == ("fbneo", "arcade:neogeo")
    card = tmp_path / "card"
    card.mkdir()
    result = real(cli, "deploy", "1", "--to", str(card), "title:2020")
    assert result.code == 1
    assert "the library does not have it" not in result.err
    assert f"neogeo.zip (fbneo, id {ids['neogeo.zip']})" in result.err, result.err
    assert f"games set-platform auto {ids['neogeo.zip']}" in result.err
    assert real(cli, "games", "set-platform", "auto", str(ids["neogeo.zip"])).code == 0
    assert real(cli, "deploy", "1", "--to", str(card), "title:2020").code == 0
    assert _card(card) == ["2020bb.zip", "neogeo.zip"]


def test_copies_of_a_bios_set_are_ranked_once_whatever_the_games_needing_it(
        cli: Any, tmp_path: Path, db_path: Path) -> None:
    """Review 137 F4: the copies of a BIOS set were ranked again for every game needing it
    (three statements a game: 600 for 200 Neo Geo games beside two neogeo.zip)."""
    from romrunner.catalog.clones import bios_sets_needed

    ids = _library(cli, tmp_path, {"neogeo": SETS["neogeo"], "2020bb": SETS["2020bb"],
                                   "kof": SETS["kof"]})
    again = tmp_path / "roms" / "arcade" / "more"
    again.mkdir()
    with zipfile.ZipFile(again / "neogeo.zip", "w") as archive:
        for member in SETS["neogeo"]:
            archive.writestr(member, ROMS[member])
    assert real(cli, "scan", "--workers", "1").code == 0
    db = open_database(db_path, OpenMode.READ).db
    statements: list[str] = []
    db.conn.set_trace_callback(statements.append)
    one = bios_sets_needed(db, [ids["2020bb"]])
    for_one, statements[:] = len(statements), []
    both = bios_sets_needed(db, [ids["2020bb"], ids["kof"]])
    assert len(one[ids["2020bb"]].sets) == 2 and both[ids["kof"]].sets == one[ids["2020bb"]].sets
    assert len(statements) == for_one, statements
    db.close()


def test_a_bios_set_chosen_lacking_a_rom_is_said_at_the_deploy(cli: Any, tmp_path: Path) -> None:
    """QA140 F3: a neogeo.zip lacking a ROM, chosen by a query (`flag:bios`), was deployed
    without the warning every other set lacking a ROM gets."""
    _library(cli, tmp_path, {"neogeo": ("bios.1",), "2020bb": SETS["2020bb"]})
    card = tmp_path / "card"
    card.mkdir()
    plan = real(cli, "--json", "deploy", "1", "--to", str(card), "flag:bios", "--dry-run")
    said = [w["message"] for w in plan.json()["data"]["plan"]["warnings"]
            if w["code"] == "incomplete-set"]
    assert said and "neogeo.zip: lacks bios.2" in said[0], plan.out


def test_a_folder_named_as_one_of_the_platforms_it_names_is_that_ones(
        cli: Any, tmp_path: Path, db_path: Path) -> None:
    """QA140 F7: sets in `fbneo/` (a folder the pack lists for arcade and for fbneo) that no
    catalog identifies were of undecided platform — never auto-listed nor deployed — and the
    scan said they lay "outside a folder that names one". Named by its id, it is fbneo's;
    a database an earlier release scanned is decided again at the next scan."""
    from romrunner.library import redecide

    root = tmp_path / "roms" / "fbneo"
    root.mkdir(parents=True)
    with zipfile.ZipFile(root / "pbobble.zip", "w") as archive:
        archive.writestr("d96-07.18", b"\x61" * 4096)
    assert real(cli, "library", "add", str(tmp_path / "roms")).code == 0
    assert real(cli, "scan", "--workers", "1").code == 0
    (game,) = real(cli, "--json", "games", "ls").json()["data"]["games"]
    assert game["platform_id"] == "fbneo"
    db = open_database(db_path, OpenMode.WRITE).db
    with db.atomic():  # as an earlier release left it
        db.execute("UPDATE games SET platform_id = 'unknown', platform_source = 'unknown'")
        db.execute("UPDATE user_settings SET value = '3' WHERE key = ?", (redecide.RULES_KEY,))
    db.close()
    assert real(cli, "scan", "--workers", "1").code == 0
    (game,) = real(cli, "--json", "games", "ls").json()["data"]["games"]
    assert game["platform_id"] == "fbneo"


def test_a_split_clone_whose_bios_set_is_in_the_bios_folder_is_complete(
        cli: Any, tmp_path: Path) -> None:
    """QA159 F2: a split clone of a Neo Geo game, its parent complete and neogeo.zip kept in
    the BIOS folder (`bios scan`), was "incomplete_set: lacks the BIOS set's ROMs", while the
    deploy put that neogeo.zip beside it and its parent was included."""
    ids = _library(cli, tmp_path, {"2020bb": SETS["2020bb"], "2020bbh": ("bbh.1",)},
                   dat=_with_split_clone())
    bios = tmp_path / "bios"
    bios.mkdir()
    with zipfile.ZipFile(bios / "neogeo.zip", "w") as archive:
        for member in SETS["neogeo"]:
            archive.writestr(member, ROMS[member])
    assert real(cli, "bios", "scan", str(bios)).code in (0, 1)
    games = {g["filename"]: g for g in
             real(cli, "--json", "autolist", "1").json()["data"]["games"]}
    assert games["2020bbh.zip"]["reason"] != "incomplete_set", games["2020bbh.zip"]
    card = tmp_path / "card"
    card.mkdir()
    result = real(cli, "--json", "deploy", "1", "--to", str(card), f"id:{ids['2020bbh']}")
    assert result.code == 0, result.err
    assert not [w for w in result.json()["warnings"] if "lack" in w], result.json()["warnings"]
    assert _card(card) == ["2020bb.zip", "2020bbh.zip", "neogeo.zip"]


def test_a_copy_left_out_for_a_whole_one_is_not_said_to_lack_roms(
        cli: Any, tmp_path: Path) -> None:
    """QA159 F6: two copies of a set chosen, the whole one written under the set's name and
    the other left out: "1 arcade set chosen lacks ROMs (duo.zip: lacks bb.2)" was said."""
    dat = ('<?xml version="1.0"?>\n<datafile>\n\t<header><name>MAME</name>'
           '<version>0.37b5</version></header>\n\t<game name="duo">\n\t\t<description>Duo'
           '</description>\n' + _rom("bb.1") + _rom("bb.2") + "\t</game>\n</datafile>\n")
    ids = _library(cli, tmp_path, {"duo": ("bb.1", "bb.2"), "duo alt": ("bb.1",)}, dat=dat)
    card = tmp_path / "card"
    card.mkdir()
    result = real(cli, "--json", "deploy", "1", "--to", str(card),
                  f"id:{ids['duo']},{ids['duo alt']}")
    warnings = result.json()["warnings"]
    assert not [w for w in warnings if "lacks" in w and "chosen" in w], warnings
    with zipfile.ZipFile(card / "roms" / "mame" / "duo.zip") as written:
        assert sorted(written.namelist()) == ["bb.1", "bb.2"]


def _bios_folder(tmp_path: Path, cli: Any) -> Path:
    """``neogeo.zip`` of the BIOS set's ROMs kept in a BIOS folder, found by `bios scan`."""
    folder = tmp_path / "zbios"
    folder.mkdir()
    with zipfile.ZipFile(folder / "neogeo.zip", "w") as archive:
        for member in SETS["neogeo"]:
            archive.writestr(member, ROMS[member])
    assert real(cli, "bios", "scan", str(folder)).code in (0, 1)
    return folder / "neogeo.zip"


def test_the_report_and_its_fixdat_count_the_bios_folders_set_as_the_auto_list_does(
        cli: Any, tmp_path: Path) -> None:
    """QA159 F1: with neogeo.zip kept in the BIOS folder (`bios scan`), the auto-list
    included a Neo Geo set whose zip holds its own ROMs and the deploy put that neogeo.zip
    beside it, while `dat report` called it incomplete and its fixdat asked for the BIOS
    set's ROMs (for the missing Neo Geo sets, and the BIOS set itself, too)."""
    _library(cli, tmp_path, {"2020bb": SETS["2020bb"], "solo": SETS["solo"]})
    _bios_folder(tmp_path, cli)
    listed = {g["filename"]: g for g in
              real(cli, "--json", "autolist", "1").json()["data"]["games"]}
    assert listed["2020bb.zip"]["included"], listed["2020bb.zip"]
    (report,) = real(cli, "--json", "dat", "report", "--missing").json()["data"]
    assert report["incomplete_games"] == [], report
    assert report["missing_games"] == ["kof"], report  # (neither 2020bb nor neogeo)
    assert (report["have"], report["incomplete"]) == (3, 0), report  # 2020bb, neogeo, solo
    fixdat = tmp_path / "fix.dat"
    assert real(cli, "dat", "fixdat", "MAME", "-o", str(fixdat)).code == 0
    asked = {game.name: [rom.name for rom in game.roms] for game in read_dat(fixdat).games}
    assert asked == {"kof": list(SETS["kof"])}, asked


def _fbneo_dat() -> str:
    """A DAT of FBNeo's naming whose BIOS set ``neogeo`` has the same ROMs as MAME's."""
    return ('<?xml version="1.0"?>\n<datafile>\n\t<header><name>FinalBurn Neo - Arcade '
            'Games</name><version>1.0.0.03</version></header>\n'
            '\t<game name="neogeo" isbios="yes">\n\t\t<description>Neo Geo</description>\n'
            + "".join(_rom(name) for name in SETS["neogeo"]) + "\t</game>\n</datafile>\n")


def test_a_bios_sets_zip_another_catalog_identifies_goes_beside_the_sets_needing_it(
        cli: Any, tmp_path: Path) -> None:
    """QA159 F8: a MAME Neo Geo set was left out, needs_bios_set "the library does not have
    it", while the library held neogeo.zip with exactly that BIOS set's ROMs, identified as
    the BIOS set of an FBNeo DAT (its folder fbneo/): copied beside the set as its zip."""
    ids = _library(cli, tmp_path, {"2020bb": SETS["2020bb"]})
    fbneo = tmp_path / "roms" / "fbneo"
    fbneo.mkdir()
    with zipfile.ZipFile(fbneo / "neogeo.zip", "w") as archive:
        for member in SETS["neogeo"]:
            archive.writestr(member, ROMS[member])
    (tmp_path / "fbneo.xml").write_text(_fbneo_dat())
    for args in (("dat", "import", str(tmp_path / "fbneo.xml"), "--platform", "fbneo"),
                 ("scan", "--workers", "1")):
        assert real(cli, *args).code == 0, args
    games = real(cli, "--json", "games", "ls").json()["data"]["games"]
    (bios,) = [g for g in games if g["filename"] == "neogeo.zip"]
    shown = real(cli, "--json", "games", "show", str(bios["id"])).json()["data"]
    assert shown["matched_game_id"] == "fbneo:neogeo", shown  # (not MAME's: another catalog's)
    listed = {(g["platform_id"], g["filename"]): g for g in
              real(cli, "--json", "autolist", "1").json()["data"]["games"]}
    assert listed[("arcade", "2020bb.zip")]["included"], listed[("arcade", "2020bb.zip")]
    card = tmp_path / "card"
    card.mkdir()
    result = real(cli, "deploy", "1", "--to", str(card), f"id:{ids['2020bb']}")
    assert result.code == 0, result.err
    [beside] = list(card.rglob("neogeo.zip"))
    assert beside.parent == next(card.rglob("2020bb.zip")).parent
    assert beside.read_bytes() == (fbneo / "neogeo.zip").read_bytes()
    (report,) = [r for r in real(cli, "--json", "dat", "report", "--missing").json()["data"]
                 if r["name"] == "MAME"]
    assert "2020bb" not in [g["name"] for g in report["incomplete_games"]], report


@pytest.mark.parametrize(("folder", "fbneo_has_kof"),
                         [("neogeo", True), ("fbneo", True), ("neogeo", False)])
def test_sets_two_arcade_catalogs_list_alike_are_identified_in_a_folder_of_neither(
        cli: Any, tmp_path: Path, folder: str, fbneo_has_kof: bool) -> None:
    """QA159 F3: with MAME's and FBNeo's DATs both imported (the same sets, the same ROMs),
    the sets in `neogeo/` were identified by neither — the BIOS set went to the card as a
    game, a set of no Neo Geo kept the Neo Geo folder — while MAME's DAT alone identified
    them. Now as with one catalog alone; in `fbneo/`, one of the catalogs' own folder, by
    its catalog (review38 F1: the first fix made them guesses there). The BIOS set too where
    the catalogs list other sets running with it (qa181 N1: MAME's 130, another DAT's
    fewer: neogeo.zip was still no set)."""
    fbneo = _dat().replace("<name>MAME</name><version>0.37b5</version>",
                           "<name>FinalBurn Neo - Arcade Games</name><version>1.0.0.03</version>")
    if not fbneo_has_kof:
        fbneo = re.sub(r'\t<game name="kof".*?</game>\n', "", fbneo, flags=re.DOTALL)
        assert "kof" not in fbneo
    (tmp_path / "fbneo.xml").write_text(fbneo)
    assert real(cli, "dat", "import", str(tmp_path / "fbneo.xml"), "--platform",
                "fbneo").code == 0
    ids = _library(cli, tmp_path, {name: SETS[name] for name in ("neogeo", "2020bb", "solo")},
                   folder=folder)
    shown = {name: real(cli, "--json", "games", "show", str(game)).json()["data"]
             for name, game in ids.items()}
    catalog = "arcade" if folder == "neogeo" else "fbneo"
    assert {name: game["matched_game_id"] for name, game in shown.items()} == {
        name: f"{catalog}:{name}" for name in ("neogeo", "2020bb", "solo")}, shown
    assert {game["match_method"] for game in shown.values()} == {"crc32"}, shown
    listed = {g["filename"]: g for g in
              real(cli, "--json", "autolist", "1").json()["data"]["games"]}
    assert listed["neogeo.zip"]["reason"] == "bios_set", listed["neogeo.zip"]
    assert listed["solo.zip"]["platform_id"] == catalog, listed["solo.zip"]
    card = tmp_path / "card"
    card.mkdir()
    assert real(cli, "deploy", "1", "--to", str(card), "--auto").code == 0
    assert _card(card) == ["2020bb.zip", "neogeo.zip", "solo.zip"]
    assert not list(card.rglob("neogeo/*.zip")), sorted(card.rglob("*.zip"))
