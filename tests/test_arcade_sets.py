"""An arcade set whose ROMs its parent and clones share is identified by its hashes: the zip
is the catalog game that has every one of its members, named as the zip (``1942.zip`` of
MAME's 1942), else the only one whose ROMs are exactly its members (QA16 F3: 234 of 400
complete MAME sets were "guessed by name", their members matched to clones)."""

from __future__ import annotations

import hashlib
import sqlite3
import zipfile
import zlib
from pathlib import Path
from typing import Any

import pytest

from romrunner.catalog.datfile import read_dat

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
    shown = cli("games", "show", str(game["id"])).out.splitlines()
    lines = [line.strip() for line in shown if line.strip().startswith("catalog ")]
    # (QA16: "catalog MAME version 0.37b5" three times, not saying which games; QA133 F7:
    # every set sharing one of its ROMs had a line — 127 for a neogeo.zip — now counted)
    assert lines == ["catalog    MAME version 0.37b5"], lines  # its match: 1942
    assert "shared     2 other sets of its catalogs list some of its ROMs too (its clones " \
        "or parent, a BIOS set, sets sharing a PROM)" in "\n".join(  # (QA140 F6's words)
        line.strip() for line in shown)
    data = cli("--json", "games", "show", str(game["id"])).json()["data"]
    assert data["sets_sharing_roms"] == 2 and data["catalog"]["parent"] is None

    _zip(arcade / "1942a.zip", ("d.4",))  # a split clone: its parent named
    assert cli("scan", "--workers", "1").code == 0
    clone = next(g for g in cli("--json", "games", "ls").json()["data"]["games"]
                 if g["filename"] == "1942a.zip")
    lines = [line.strip() for line in cli("games", "show", str(clone["id"])).out.splitlines()
             if line.strip().startswith("catalog ")]
    assert lines and "a clone of 1942" in lines[0], lines

    def chosen(query: str) -> list[str]:
        return sorted(g["filename"] for g in
                      cli("--json", "games", "ls", query).json()["data"]["games"])

    assert chosen("clone:true") == ["1942a.zip"] and chosen("clone:false") == ["1942.zip"]
    assert chosen("-clone:true") == ["1942.zip"]


def test_dat_report_has_a_set_of_several_roms_only_with_all_of_them(
        cli: Any, tmp_path: Path) -> None:
    """QA16 F3: a game of several ROMs was "have" in `dat report` with any one of them, and
    left out of the fixdat. A set is had with every ROM that can be had (a `nodump` ROM
    cannot); with some, it is incomplete, and the fixdat lists the ROMs it lacks."""
    arcade = tmp_path / "roms" / "arcade"
    arcade.mkdir(parents=True)
    _zip(arcade / "1942.zip", ("a.1", "b.2"))  # c.3 lost
    _zip(arcade / "1942a.zip", GAMES["1942a"])
    extra = hashlib.sha256(b"f.6").digest() * 16
    with zipfile.ZipFile(arcade / "1943.zip", "w") as archive:
        archive.writestr("f.6", extra)
    dat = _dat() + ('game (\n\tname "1943"\n'
                    f'\trom ( name f.6 size {len(extra)} crc {zlib.crc32(extra):08x} )\n'
                    '\trom ( name g.7 size 1024 flags nodump )\n)\n')
    (tmp_path / "mame.dat").write_text(dat)
    for args in (("dat", "import", str(tmp_path / "mame.dat"), "--platform", "arcade"),
                 ("library", "add", str(tmp_path / "roms")), ("scan", "--workers", "1")):
        assert cli(*args).code == 0, args
    (report,) = cli("--json", "dat", "report", "--missing").json()["data"]
    # 1942a and 1943 whole; 1942 in part (c.3 on no disk); 1942b, of which the library has
    # no file, missing though other sets' zips hold two of its ROMs (QA133 F5)
    assert (report["games"], report["have"], report["incomplete"], report["missing"]) == \
        (4, 2, 1, 1)
    assert {g["name"]: (g["roms"], g["missing_roms"]) for g in report["incomplete_games"]} == {
        "1942": (3, ["c.3"])}
    assert report["missing_games"] == ["1942b"]
    text = cli("dat", "report", "--missing").out
    assert "incomplete" in text and "1942: 1 of 3 ROMs missing: c.3" in text

    out = tmp_path / "fix.dat"
    made = cli("--json", "dat", "fixdat", "MAME", "-o", str(out)).json()["data"]
    # each game asks for the ROMs no file of the library holds (1942b's a.1 and b.2 are in
    # 1942.zip: QA136 F7), and says its parent
    assert (made["games"], made["incomplete"], made["roms"]) == (2, 1, 3)
    fixed = {game.name: game for game in read_dat(out).games}
    assert {name: sorted(rom.name for rom in game.roms) for name, game in fixed.items()} == {
        "1942": ["c.3"], "1942b": ["c.3", "e.5"]}
    assert (fixed["1942b"].clone_of, fixed["1942"].clone_of) == ("1942", None)
    # a clone's ROM of its parent's is written with its merge, as its DAT has it (QA140 F5)
    import xml.etree.ElementTree as ElementTree

    merges = {(game.get("name"), rom.get("name")): rom.get("merge")
              for game in ElementTree.parse(out).getroot().iter("game")
              for rom in game.iter("rom")}
    assert merges == {("1942", "c.3"): None, ("1942b", "c.3"): "c.3", ("1942b", "e.5"): None}
    assert next(r for g in read_dat(out).games for r in g.roms if r.name == "e.5").crc32 == \
        f"{zlib.crc32(ROMS['e.5']):08x}"


def test_a_merged_set_is_identified_as_the_parent_it_is_named_as(
        cli: Any, tmp_path: Path) -> None:
    """QA17: a merged arcade zip (the parent's ROMs and every clone's in one zip named as the
    parent) has no catalog game with all its members, and was taken for a guess by name. It
    is the parent when it holds every ROM of the parent and nothing but the family's ROMs."""
    arcade = tmp_path / "roms" / "arcade"
    arcade.mkdir(parents=True)
    _zip(arcade / "1942.zip", ("a.1", "b.2", "c.3", "d.4", "e.5"))  # merged: 1942 + clones
    stranger = tmp_path / "roms" / "arcade" / "1942a.zip"  # a clone's name, a merged content
    _zip(stranger, ("a.1", "b.2", "c.3", "d.4", "e.5"))
    (tmp_path / "mame.dat").write_text(_dat())
    for args in (("dat", "import", str(tmp_path / "mame.dat"), "--platform", "arcade"),
                 ("library", "add", str(tmp_path / "roms")), ("scan", "--workers", "1")):
        assert cli(*args).code == 0, args
    games = {g["filename"]: g for g in cli("--json", "games", "ls").json()["data"]["games"]}
    assert (games["1942.zip"]["matched_game_id"], games["1942.zip"]["match_method"]) == \
        ("arcade:1942", "crc32")
    # a clone is no merged set's name: its zip holds more than its family of one
    assert games["1942a.zip"]["match_method"] not in ("crc32", "sha1", "md5")
    shown = cli("--json", "games", "show", str(games["1942.zip"]["id"])).json()["data"]
    # each member keeps its own game: d.4 is 1942a's, e.5 1942b's; those the family shares,
    # which named no single game, name the set (QA133 F7: "no match" for 13 of 22)
    assert {f["name"]: f["matched_game_id"] for f in shown["files"]
            if f["kind"] == "member"} == {"a.1": "arcade:1942", "b.2": "arcade:1942",
                                           "c.3": "arcade:1942", "d.4": "arcade:1942a",
                                           "e.5": "arcade:1942b"}


def test_a_zip_with_a_rom_from_outside_the_family_is_no_merged_set(
        cli: Any, tmp_path: Path) -> None:
    arcade = tmp_path / "roms" / "arcade"
    arcade.mkdir(parents=True)
    other = hashlib.sha256(b"other").digest() * 32
    with zipfile.ZipFile(arcade / "1942.zip", "w") as archive:
        for rom in ("a.1", "b.2", "c.3", "d.4"):
            archive.writestr(rom, ROMS[rom])
        archive.writestr("x.9", other)
    dat = _dat() + ('game (\n\tname "other"\n'
                    f'\trom ( name x.9 size {len(other)} crc {zlib.crc32(other):08x} )\n)\n')
    (tmp_path / "mame.dat").write_text(dat)
    for args in (("dat", "import", str(tmp_path / "mame.dat"), "--platform", "arcade"),
                 ("library", "add", str(tmp_path / "roms")), ("scan", "--workers", "1")):
        assert cli(*args).code == 0, args
    (game,) = cli("--json", "games", "ls").json()["data"]["games"]
    assert game["match_method"] not in ("crc32", "sha1", "md5")


def test_a_merged_set_an_earlier_release_guessed_is_identified_at_the_next_scan(
        cli: Any, tmp_path: Path, db_path: Path) -> None:
    arcade = tmp_path / "roms" / "arcade"
    arcade.mkdir(parents=True)
    _zip(arcade / "1942.zip", ("a.1", "b.2", "c.3", "d.4", "e.5"))
    (tmp_path / "mame.dat").write_text(_dat())
    for args in (("dat", "import", str(tmp_path / "mame.dat"), "--platform", "arcade"),
                 ("library", "add", str(tmp_path / "roms")), ("scan", "--workers", "1")):
        assert cli(*args).code == 0, args
    with sqlite3.connect(db_path) as conn:  # as tag rules before 5 left it: a name guess
        conn.execute("UPDATE games SET match_method = 'name'")
        conn.execute("UPDATE user_settings SET value = '4' WHERE key = 'tag_rules_version'")
    assert cli("scan", "--workers", "1").code == 0  # nothing changed on disk
    (game,) = cli("--json", "games", "ls").json()["data"]["games"]
    assert (game["matched_game_id"], game["match_method"]) == ("arcade:1942", "crc32")


def test_a_set_with_one_rom_of_wrong_data_is_that_set_lacking_it(cli: Any,
                                                                tmp_path: Path) -> None:
    """QA133 F4: a zip of a set's ROMs, one of them of other data under its name (another
    version's dump, a damaged one), was "guessed from the file name only" and never judged:
    the auto-list took it. It is the set, identified by the rest, lacking that ROM; a zip
    whose other file has a name of no ROM of the set stays a guess (as before)."""
    arcade = tmp_path / "roms" / "arcade"
    arcade.mkdir(parents=True)
    with zipfile.ZipFile(arcade / "1942.zip", "w") as archive:
        for rom in GAMES["1942"]:
            archive.writestr(rom, ROMS[rom] if rom != "c.3" else b"bad" + ROMS[rom][3:])
    with zipfile.ZipFile(arcade / "odd.zip", "w") as archive:
        for rom in ("a.1", "b.2"):  # (in every set: a set lacking the rest, if any)
            archive.writestr(rom, ROMS[rom])
        archive.writestr("z.9", b"not a ROM of the set")
    (tmp_path / "mame.dat").write_text(_dat())
    for args in (("dat", "import", str(tmp_path / "mame.dat"), "--platform", "arcade"),
                 ("library", "add", str(tmp_path / "roms")), ("scan", "--workers", "1"),
                 ("device", "add", "rg-35xx-plus"),
                 ("profile", "create", "--device", "1", "--os", "muos")):
        assert cli(*args).code == 0, args
    games = {g["filename"]: g for g in cli("--json", "games", "ls").json()["data"]["games"]}
    assert (games["1942.zip"]["matched_game_id"], games["1942.zip"]["match_method"]) == (
        "arcade:1942", "crc32")
    assert games["odd.zip"]["match_method"] not in ("crc32", "sha1", "md5")
    listed = {g["filename"]: g for g in
              cli("--json", "autolist", "1").json()["data"]["games"]}
    assert not listed["1942.zip"]["included"]
    assert listed["1942.zip"]["dropped"] == "incomplete_set"
    assert any("(c.3 (held with other data))" in w for w in listed["1942.zip"]["warnings"])


def test_a_split_clone_whose_parents_zip_lacks_a_rom_it_reads_is_incomplete_too(
        cli: Any, tmp_path: Path) -> None:
    """QA133 F3: 1942a's split zip holds its own ROM; it reads the others from its parent's
    1942.zip. With that zip lacking one of them, the parent was left out as incomplete and
    the clone included (it cannot run either); a clone whose parent's zip is complete runs."""
    arcade = tmp_path / "roms" / "arcade"
    arcade.mkdir(parents=True)
    _zip(arcade / "1942.zip", ("a.1", "c.3"))  # lacks b.2, which 1942a reads from it
    _zip(arcade / "1942a.zip", ("d.4",))
    (tmp_path / "mame.dat").write_text(_dat())
    for args in (("dat", "import", str(tmp_path / "mame.dat"), "--platform", "arcade"),
                 ("library", "add", str(tmp_path / "roms")), ("scan", "--workers", "1"),
                 ("device", "add", "rg-35xx-plus"),
                 ("profile", "create", "--device", "1", "--os", "muos"),
                 ("profile", "set", "1", "--all-versions")):
        assert cli(*args).code == 0, args
    games = {g["filename"]: g for g in cli("--json", "games", "ls").json()["data"]["games"]}
    assert {name: games[name]["matched_game_id"] for name in ("1942.zip", "1942a.zip")} == {
        "1942.zip": "arcade:1942", "1942a.zip": "arcade:1942a"}
    result = cli("--json", "autolist", "1")
    assert result.code == 0, result.err
    listed = {g["filename"]: g for g in result.json()["data"]["games"]}
    assert listed["1942.zip"]["dropped"] == "incomplete_set"
    assert listed["1942a.zip"]["dropped"] == "incomplete_set", listed["1942a.zip"]
    assert any("b.2 (its parent's zip lacks it)" in w
               for w in listed["1942a.zip"]["warnings"])
    _zip(arcade / "1942.zip", GAMES["1942"])  # complete now: both run
    assert cli("scan", "--workers", "1").code == 0
    listed = {g["filename"]: g for g in
              cli("--json", "autolist", "1").json()["data"]["games"]}
    assert listed["1942a.zip"]["included"] and listed["1942.zip"]["included"], listed


def test_a_rom_an_unrelated_sets_zip_holds_is_not_the_sets(cli: Any, tmp_path: Path) -> None:
    """Review 137 F2: the fixdat left out of a missing set a ROM some unrelated set's zip
    held (a PROM two boards share), and once the user added the set with what it asked for,
    `dat report` called it had while the auto-list left it out as incomplete — and no fixdat
    would ever ask for that ROM. A set's ROM is held where its emulator reads it: its own zip,
    its parent's, its BIOS set's."""
    x1, p9, y2 = (hashlib.sha256(n).digest() * 8 for n in (b"x.1", b"p.9", b"y.2"))
    roms = {"x.1": x1, "p.9": p9, "y.2": y2}
    dat = ['clrmamepro (\n\tname "Boards"\n\tversion "1"\n)\n']
    for game, names in (("alpha", ("x.1", "p.9")), ("beta", ("y.2", "p.9"))):
        dat.append(f'game (\n\tname "{game}"\n' + "".join(
            f'\trom ( name {n} size {len(roms[n])} crc {zlib.crc32(roms[n]):08x} )\n'
            for n in names) + ")\n")
    (tmp_path / "boards.dat").write_text("".join(dat))
    arcade = tmp_path / "roms" / "arcade"
    arcade.mkdir(parents=True)
    with zipfile.ZipFile(arcade / "alpha.zip", "w") as archive:
        for name in ("x.1", "p.9"):
            archive.writestr(name, roms[name])
    for args in (("dat", "import", str(tmp_path / "boards.dat"), "--platform", "arcade"),
                 ("library", "add", str(tmp_path / "roms")), ("scan", "--workers", "1")):
        assert cli(*args).code == 0, args

    def fixdat() -> dict[str, list[str]]:
        out = tmp_path / "fix.dat"
        assert cli("dat", "fixdat", "Boards", "-o", str(out), "--force").code == 0
        return {game.name: sorted(rom.name for rom in game.roms) for game in read_dat(out).games}

    assert fixdat() == {"beta": ["p.9", "y.2"]}
    with zipfile.ZipFile(arcade / "beta.zip", "w") as archive:  # what the fixdat asked, less
        archive.writestr("y.2", y2)
    assert cli("scan", "--workers", "1").code == 0
    (report,) = cli("--json", "dat", "report", "--missing").json()["data"]
    assert (report["have"], report["incomplete"]) == (1, 1)
    assert {g["name"]: g["missing_roms"] for g in report["incomplete_games"]} == {
        "beta": ["p.9"]}
    assert fixdat() == {"beta": ["p.9"]}


def test_an_empty_cloneof_is_no_parent(cli: Any, tmp_path: Path) -> None:
    """Review 137 F9: a converted DAT's `cloneof=""` made its every game `clone:true`."""
    data = ROMS["a.1"]
    (tmp_path / "solo.dat").write_text(
        '<?xml version="1.0"?>\n<datafile><header><name>Solo</name></header>'
        '<game name="solo" cloneof="" romof=""><description>Solo</description>'
        f'<rom name="a.1" size="{len(data)}" crc="{zlib.crc32(data):08x}"/></game></datafile>\n')
    arcade = tmp_path / "roms" / "arcade"
    arcade.mkdir(parents=True)
    _zip(arcade / "solo.zip", ("a.1",))
    for args in (("dat", "import", str(tmp_path / "solo.dat"), "--platform", "arcade"),
                 ("library", "add", str(tmp_path / "roms")), ("scan", "--workers", "1")):
        assert cli(*args).code == 0, args

    def chosen(query: str) -> list[str]:
        return [g["filename"] for g in cli("--json", "games", "ls", query).json()["data"]["games"]]

    assert (chosen("clone:true"), chosen("clone:false")) == ([], ["solo.zip"])


@pytest.mark.parametrize("lesser", ["lacking a ROM", "guessed by its name"])
def test_of_two_sets_of_one_card_name_the_whole_identified_one_goes(
        cli: Any, tmp_path: Path, lesser: str) -> None:
    """Review 137 F3 (QA133 F2, QA136 F1): two zips of one set in two folders of the library
    go to one name on the card; the one a catalog identifies and that lacks no ROM of its
    set goes, whichever the scan found first."""
    from tests.conftest import muos_profile

    arcade = tmp_path / "roms" / "arcade"
    (arcade / "a").mkdir(parents=True)
    (arcade / "b").mkdir()
    if lesser == "lacking a ROM":
        _zip(arcade / "a" / "1942.zip", ("a.1", "b.2"))
    else:
        with zipfile.ZipFile(arcade / "a" / "1942.zip", "w") as archive:
            archive.writestr("srd-01.bin", b"\x5a" * 4096)  # no catalog has it: a name guess
    _zip(arcade / "b" / "1942.zip", GAMES["1942"])
    (tmp_path / "mame.dat").write_text(_dat())
    assert cli("dat", "import", str(tmp_path / "mame.dat"), "--platform", "arcade").code == 0
    muos_profile(cli, tmp_path / "roms")
    found = sorted(g["id"] for g in cli("--json", "games", "ls").json()["data"]["games"])
    first = cli("--json", "games", "show", str(found[0])).json()["data"]
    assert "/a/1942.zip" in first["filepath"], first  # the lesser one, found first
    card = tmp_path / "card"
    card.mkdir()
    cli("deploy", "1", "--to", str(card), "platform:arcade")
    (placed,) = [p for p in card.rglob("1942.zip")]
    assert placed.read_bytes() == (arcade / "b" / "1942.zip").read_bytes()


def test_copies_of_one_set_in_two_folders_go_on_the_card_once(cli: Any, tmp_path: Path) -> None:
    """QA140 F4: two copies of one arcade set (a non-merged romset in `arcade/` and the same
    zips in a second folder) were two games of one name on the card: the second "left out",
    and every deploy of them ended in failure (exit 1), though the set was on the card. A
    copy of one set is a copy, as a console game's is."""
    from tests.conftest import muos_profile

    arcade = tmp_path / "roms" / "arcade"
    (arcade / "a").mkdir(parents=True)
    (arcade / "b").mkdir()
    _zip(arcade / "a" / "1942.zip", GAMES["1942"])
    _zip(arcade / "b" / "1942.zip", GAMES["1942"])
    with zipfile.ZipFile(arcade / "b" / "1942.zip", "a") as archive:  # (review 142 F3: a
        archive.writestr("readme.txt", "from a site")  # readme added made it another set)
    _zip(arcade / "b" / "1942a.zip", GAMES["1942a"])  # another set: never its copy
    (tmp_path / "mame.dat").write_text(_dat())
    assert cli("dat", "import", str(tmp_path / "mame.dat"), "--platform", "arcade").code == 0
    muos_profile(cli, tmp_path / "roms")
    card = tmp_path / "card"
    card.mkdir()
    run = cli("deploy", "1", "--to", str(card), "platform:arcade")
    assert run.code == 0, run.out + run.err
    assert "1 chosen game is a copy of another chosen game" in run.err, run.err
    assert sorted(p.name for p in card.rglob("*.zip")) == ["1942.zip", "1942a.zip"]
    again = cli("--json", "deploy", "1", "--to", str(card), "platform:arcade")
    assert again.code == 0 and again.json()["data"]["copied"] == 0


def test_a_set_is_had_in_one_zip_not_across_two(cli: Any, tmp_path: Path) -> None:
    """QA140 F1: the ROMs a fixdat asked for, zipped apart, made `dat report` say the set was
    had (and the next fixdat dropped it), while `games show` and the auto-list said each zip
    incomplete: the emulator reads one zip. Had in one; else incomplete, asking for what the
    fullest zip lacks."""
    data = {name: hashlib.sha256(name.encode()).digest() * 8 for name in ("g.1", "g.2", "g.3")}
    (tmp_path / "gamma.dat").write_text(
        'clrmamepro (\n\tname "Gamma"\n\tversion "1"\n)\ngame (\n\tname "gamma"\n' + "".join(
            f'\trom ( name {n} size {len(d)} crc {zlib.crc32(d):08x} )\n'
            for n, d in data.items()) + ")\n")
    arcade = tmp_path / "roms" / "arcade"
    (arcade / "fixes").mkdir(parents=True)
    for path, names in ((arcade / "gamma.zip", ("g.1", "g.2")),
                        (arcade / "fixes" / "gamma.zip", ("g.3",))):
        with zipfile.ZipFile(path, "w") as archive:
            for name in names:
                archive.writestr(name, data[name])
    for args in (("dat", "import", str(tmp_path / "gamma.dat"), "--platform", "arcade"),
                 ("library", "add", str(tmp_path / "roms")), ("scan", "--workers", "1")):
        assert cli(*args).code == 0, args
    (report,) = cli("--json", "dat", "report", "--missing").json()["data"]
    assert (report["have"], report["incomplete"]) == (0, 1), report
    assert [(g["name"], g["missing_roms"]) for g in report["incomplete_games"]] == [
        ("gamma", ["g.3"])]
    out = tmp_path / "fix.dat"
    assert cli("dat", "fixdat", "Gamma", "-o", str(out)).code == 0
    assert [(g.name, [r.name for r in g.roms]) for g in read_dat(out).games] == [
        ("gamma", ["g.3"])]
