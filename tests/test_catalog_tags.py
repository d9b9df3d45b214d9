"""A game identified by its hashes has the tags of the catalog game it is (QA12 F1): region,
languages, revision, version, flags and hack from the catalog game's name, parsed as a file
name is; a game guessed by its name, or unmatched, has its file name's. Its title, disc
number and multi-disc set stay its file's. Every transition keeps it so: a first scan's
writer, `dat import`, `dat rm`, a changed file, `scan --verify` (a zip whose directory lies
loses its match and its catalog tags), and a library an earlier release stored, retagged
once by its next scan. Real scans, real DATs, real zips."""

from __future__ import annotations

import hashlib
import os
import re
import sqlite3
import zipfile
import zlib
from pathlib import Path
from typing import Any

import pytest

from romrunner.catalog import identify as identify_module
from romrunner.catalog.importer import import_dats
from romrunner.library import redecide
from romrunner.library.roots import add_root
from romrunner.library.scan import scan_library
from romrunner.packs import load_pack
from romrunner.store.open import OpenMode, open_database
from tests.test_autolist import real, rom
from tests.test_scan_deferred import _patch_stated_crc

GB = "Nintendo - Game Boy"
# file name -> (the catalog game whose bytes it holds, content seed)
IDENTIFIED = {
    "ast.gb": ("Asteroids (USA, Europe) (Beta)", "ast"),
    "hackme.gb": ("Tetris (World) (Hack)", "tetris-hack"),
    "rm_us.gb": ("Real Monsters (USA)", "rm-us"),
    "Real Monsters (Europe).gb": ("Real Monsters (Europe)", "rm-eu"),
    "dr_mario.gb": ("Dr. Mario (Japan) (En,Ja) (Rev 1)", "drmario"),
}
OTHERS = {  # bytes no catalog has: a name-guessed file, and an unmatched one
    "pinball - (usa).gb": "pinball-other-dump",  # named as the catalog game, folded
    "Mystery Game (Germany) (Demo).gb": "mystery",
}
CATALOG = [*IDENTIFIED.values(), ("Pinball (USA)", "pinball-u")]


def _dat(games: list[tuple[str, str]], version: str = "1") -> str:
    out = [f'clrmamepro (\n\tname "{GB}"\n\tversion "{version}"\n)\n']
    for name, seed in games:
        data = rom(seed)
        out.append(f'game (\n\tname "{name}"\n\trom ( name "{name}.gb" size {len(data)} '
                   f'crc {zlib.crc32(data):08X} md5 {hashlib.md5(data).hexdigest()} '
                   f'sha1 {hashlib.sha1(data).hexdigest()} )\n)\n')
    return "".join(out)


def _ok(cli: Any, *args: str) -> Any:
    result = real(cli, *args)
    assert result.code == 0, (args, result.err)
    return result


def _tags(db_path: Path) -> dict[str, tuple[Any, ...]]:
    """file name -> (region, languages, revision, flags, is_hack, hack_type, title)."""
    with sqlite3.connect(db_path) as conn:
        return {row[0]: tuple(row[1:]) for row in conn.execute(
            "SELECT filename, region, languages, revision, flags, is_hack, hack_type, "
            "detected_title FROM games")}


def _ls(cli: Any, *query: str) -> set[str]:
    rows = _ok(cli, "--json", "games", "ls", *query).json()["data"]["games"]
    return {row["filename"] for row in rows}


def _verdicts(cli: Any) -> dict[str, tuple[bool, str | None, str | None]]:
    games = _ok(cli, "--json", "autolist", "1").json()["data"]["games"]
    names = {game["game_id"]: game["filename"] for game in games}
    return {game["filename"]: (game["included"], game["dropped"],
                               names.get(game["kept_instead"])) for game in games}


@pytest.fixture(params=["dat first", "scan first"])
def library(request: pytest.FixtureRequest, cli: Any, tmp_path: Path) -> Path:
    """The F1 files in `gb/`, identified by the first scan's writer (the DAT imported
    first) or by the DAT import (the library scanned first); a device and a profile."""
    root = tmp_path / "lib" / "gb"
    root.mkdir(parents=True)
    for name, (_, seed) in IDENTIFIED.items():
        (root / name).write_bytes(rom(seed))
    for name, seed in OTHERS.items():
        (root / name).write_bytes(rom(seed))
    (tmp_path / "gb.dat").write_text(_dat(CATALOG))
    steps = [("dat", "import", str(tmp_path / "gb.dat")), ("library", "add", str(root.parent)),
             ("scan", "--workers", "1")]
    if request.param == "scan first":
        steps = steps[1:] + steps[:1]
    for step in (*steps, ("device", "add", "rg-35xx-plus"),
                 ("profile", "create", "--device", "1", "--os", "muos")):
        _ok(cli, *step)
    return root


CATALOG_TAGS = {
    "ast.gb": ("USA, Europe", None, None, '["beta"]', 0, None, "ast"),
    "hackme.gb": ("World", None, None, '["hack"]', 1, "hack", "hackme"),
    "rm_us.gb": ("USA", None, None, None, 0, None, "rm_us"),
    "Real Monsters (Europe).gb": ("Europe", None, None, None, 0, None, "Real Monsters"),
    "dr_mario.gb": ("Japan", '["En", "Ja"]', "1", None, 0, None, "dr_mario"),
    "pinball - (usa).gb": ("USA", None, None, None, 0, None, "pinball"),
    "Mystery Game (Germany) (Demo).gb": ("Germany", None, None, '["demo"]', 0, None,
                                         "Mystery Game"),
}
FILE_TAGS = {**CATALOG_TAGS, **{name: (None, None, None, None, 0, None, name[:-3])
                                for name in ("ast.gb", "hackme.gb", "rm_us.gb", "dr_mario.gb")}}


def test_an_identified_game_has_its_catalog_games_tags(cli: Any, library: Path,
                                                       db_path: Path) -> None:
    methods = {row["filename"]: row["match_method"] for row in
               _ok(cli, "--json", "games", "ls").json()["data"]["games"]}
    assert methods["ast.gb"] in ("sha1", "crc32")
    assert methods["pinball - (usa).gb"] == "name"  # a guess: its own tags
    assert methods["Mystery Game (Germany) (Demo).gb"] is None
    assert _tags(db_path) == CATALOG_TAGS  # titles stay the files'


def test_the_auto_list_gates_and_ranks_an_identified_game_by_its_catalog_game(
        cli: Any, library: Path) -> None:
    verdicts = _verdicts(cli)
    assert verdicts["ast.gb"] == (False, "prerelease", None)  # a Beta: betas left out
    assert verdicts["hackme.gb"] == (False, "hack", None)  # a Hack: hacks left out
    # one game, one ROM: the USA dump is preferred to the Europe one (USA, World, Europe…)
    assert verdicts["rm_us.gb"] == (True, None, None)
    assert verdicts["Real Monsters (Europe).gb"] == (False, "other_version", "rm_us.gb")


def test_queries_find_an_identified_game_by_its_catalog_games_tags(
        cli: Any, library: Path) -> None:
    assert _ls(cli, "region:usa") == {"ast.gb", "rm_us.gb", "pinball - (usa).gb"}
    assert _ls(cli, "flag:beta") == {"ast.gb"}
    assert _ls(cli, "flag:hack") == {"hackme.gb"}
    assert _ls(cli, "lang:ja") == {"dr_mario.gb"}
    assert _ls(cli, "region:japan") == {"dr_mario.gb"}
    assert _ls(cli, "flag:demo") == {"Mystery Game (Germany) (Demo).gb"}  # unmatched: its name


def test_dat_rm_gives_the_games_their_file_names_tags_again(
        cli: Any, library: Path, db_path: Path, tmp_path: Path) -> None:
    _ok(cli, "dat", "rm", GB)
    assert _tags(db_path) == FILE_TAGS
    assert _ls(cli, "region:usa") == {"pinball - (usa).gb"}
    verdicts = _verdicts(cli)
    assert verdicts["ast.gb"][0] and verdicts["hackme.gb"][0]
    _ok(cli, "dat", "import", str(tmp_path / "gb.dat"))  # and back
    assert _tags(db_path) == CATALOG_TAGS


def test_a_new_version_of_the_catalog_retags_the_games_it_renames(
        cli: Any, library: Path, db_path: Path, tmp_path: Path) -> None:
    renamed = [("Asteroids (USA, Europe)" if name.startswith("Asteroids") else name, seed)
               for name, seed in CATALOG]
    (tmp_path / "gb2.dat").write_text(_dat(renamed, version="2"))
    _ok(cli, "dat", "import", "--force", str(tmp_path / "gb2.dat"))
    assert _tags(db_path) == {**CATALOG_TAGS,
                              "ast.gb": ("USA, Europe", None, None, None, 0, None, "ast")}
    assert _verdicts(cli)["ast.gb"][0]  # no longer a Beta


def test_a_changed_file_takes_the_tags_of_what_it_now_is(
        cli: Any, library: Path, db_path: Path) -> None:
    stat = (library / "ast.gb").stat()
    (library / "ast.gb").write_bytes(rom("rm-us"))  # now the USA Real Monsters
    os.utime(library / "ast.gb", ns=(stat.st_atime_ns, stat.st_mtime_ns + 10**9))
    (library / "hackme.gb").write_bytes(rom("no catalog has this"))
    os.utime(library / "hackme.gb", ns=(stat.st_atime_ns, stat.st_mtime_ns + 10**9))
    # touched only: examined again, its row rewritten from its file, the same game
    os.utime(library / "dr_mario.gb", ns=(stat.st_atime_ns, stat.st_mtime_ns + 10**9))
    result = _ok(cli, "--json", "scan", "--workers", "1").json()["data"]
    assert (result["updated"], result["touched"]) == (2, 1)  # touched: the same content
    tags = _tags(db_path)
    assert tags["ast.gb"] == ("USA", None, None, None, 0, None, "ast")
    assert tags["hackme.gb"] == FILE_TAGS["hackme.gb"]  # unmatched: its file name's
    assert {name: tag for name, tag in tags.items()
            if name not in ("ast.gb", "hackme.gb")} == {
        name: tag for name, tag in CATALOG_TAGS.items() if name not in ("ast.gb", "hackme.gb")}


def test_a_match_set_by_hand_gives_its_catalog_games_tags_through_rescans_and_a_move(
        cli: Any, library: Path, db_path: Path) -> None:
    db = open_database(db_path, OpenMode.WRITE).db  # (no command sets one yet)
    db.execute("UPDATE games SET matched_game_id = 'gb:Tetris (World) (Hack)', "
               "match_method = 'user' WHERE filename = 'ast.gb'")
    db.close()
    stat = (library / "ast.gb").stat()
    os.utime(library / "ast.gb", ns=(stat.st_atime_ns, stat.st_mtime_ns + 10**9))
    assert _ok(cli, "--json", "scan", "--workers", "1").json()["data"]["touched"] == 1
    hack = ("World", None, None, '["hack"]', 1, "hack", "ast")
    assert _tags(db_path)["ast.gb"] == hack
    # a copy made, then the original deleted: the game takes its copy's file over, and
    # keeps its match set by hand (and so that match's tags, not the copy's)
    (library / "ast copy.gb").write_bytes((library / "ast.gb").read_bytes())
    _ok(cli, "scan", "--workers", "1")
    assert _tags(db_path)["ast copy.gb"][:4] == ("USA, Europe", None, None, '["beta"]')
    (library / "ast.gb").unlink()
    assert _ok(cli, "--json", "scan", "--workers", "1").json()["data"]["renamed"] == 1
    assert _tags(db_path)["ast copy.gb"] == (*hack[:6], "ast copy")


def test_scan_verify_keeps_the_catalog_tags_of_the_files_it_hashes_in_full(
        cli: Any, library: Path, db_path: Path) -> None:
    verified = _ok(cli, "--json", "scan", "--workers", "1", "--verify").json()["data"]
    assert verified["unverified"] == 0
    methods = {row["filename"]: row["match_method"] for row in
               _ok(cli, "--json", "games", "ls").json()["data"]["games"]}
    assert methods["ast.gb"] == "sha1"
    assert _tags(db_path) == CATALOG_TAGS


def test_a_zip_whose_directory_lies_loses_its_catalog_games_tags_at_verify(
        cli: Any, tmp_path: Path, db_path: Path) -> None:
    catalog_rom = rom("catalog beta")
    root = tmp_path / "lib" / "gb"
    root.mkdir(parents=True)
    (tmp_path / "gb.dat").write_text(_dat([("Catalog Game (USA) (Beta)", "catalog beta")]))
    lying = root / "cg.zip"
    with zipfile.ZipFile(lying, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("cg.gb", rom("other data, the same size"))
    _patch_stated_crc(lying, zlib.crc32(catalog_rom))
    for step in (("dat", "import", str(tmp_path / "gb.dat")), ("library", "add", str(root)),
                 ("scan", "--workers", "1")):
        _ok(cli, *step)
    assert _tags(db_path)["cg.zip"] == ("USA", None, None, '["beta"]', 0, None, "cg")
    result = real(cli, "--json", "scan", "--workers", "1", "--verify")
    assert result.json()["data"]["identified"] == 0, result.err
    assert _tags(db_path)["cg.zip"] == (None, None, None, None, 0, None, "cg")


def test_a_library_an_earlier_release_stored_is_retagged_once_by_its_next_scan(
        cli: Any, tmp_path: Path, db_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    with monkeypatch.context() as earlier:  # identification that left the file's tags
        earlier.setattr(identify_module, "_write_tags", lambda *args: 0)
        earlier.setattr(redecide, "TAG_RULES_VERSION", 1)
        _earlier_library(cli, tmp_path)
    assert _tags(db_path) == FILE_TAGS
    with sqlite3.connect(db_path) as conn:
        assert conn.execute("SELECT count(*) FROM user_settings WHERE key = ?",
                            (redecide.TAGS_KEY,)).fetchone() == (0,)
    scanned = _ok(cli, "--json", "scan", "--workers", "1").json()["data"]
    assert (scanned["unchanged"], scanned["bytes_hashed"]) == (len(IDENTIFIED) + 2, 0)
    assert _tags(db_path) == CATALOG_TAGS
    assert _verdicts(cli)["ast.gb"] == (False, "prerelease", None)
    with sqlite3.connect(db_path) as conn:
        assert conn.execute("SELECT value FROM user_settings WHERE key = ?",
                            (redecide.TAGS_KEY,)).fetchone() == (
            str(identify_module.TAG_RULES_VERSION),)
    # once: a rescan at the current version reads one value and retags nothing
    monkeypatch.setattr(redecide, "retag", _must_not_run)
    assert _ok(cli, "--json", "scan", "--workers", "1").json()["data"]["unchanged"] == \
        len(IDENTIFIED) + 2


def _earlier_library(cli: Any, tmp_path: Path) -> Path:
    root = tmp_path / "lib" / "gb"
    root.mkdir(parents=True)
    for name, (_, seed) in IDENTIFIED.items():
        (root / name).write_bytes(rom(seed))
    for name, seed in OTHERS.items():
        (root / name).write_bytes(rom(seed))
    (tmp_path / "gb.dat").write_text(_dat(CATALOG))
    for step in (("dat", "import", str(tmp_path / "gb.dat")), ("library", "add", str(root)),
                 ("scan", "--workers", "1"), ("device", "add", "rg-35xx-plus"),
                 ("profile", "create", "--device", "1", "--os", "muos")):
        _ok(cli, *step)
    return root


def test_a_new_library_starts_at_the_current_tag_rules_version(
        cli: Any, tmp_path: Path, db_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _earlier_library(cli, tmp_path)
    with sqlite3.connect(db_path) as conn:
        assert conn.execute("SELECT value FROM user_settings WHERE key = ?",
                            (redecide.TAGS_KEY,)).fetchone() == (
            str(identify_module.TAG_RULES_VERSION),)
    monkeypatch.setattr(redecide, "retag", _must_not_run)
    _ok(cli, "scan", "--workers", "1")


def _must_not_run(*args: object) -> int:
    raise AssertionError("the library was retagged at the current tag rules version")


def test_only_games_whose_tags_differ_are_written_and_well_named_ones_are_not_parsed(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The writer's cost: a file named as its catalog game is needs no parse and no write;
    a renamed one is parsed, and written only when the catalog game's tags differ."""
    root = tmp_path / "lib"
    (root / "gb").mkdir(parents=True)
    well_named = {f"Game {n} (USA) (Beta).gb": f"well {n}" for n in range(30)}
    well_named["Dr. Mario (World) (Rev 1).gb"] = "dr"
    renamed_same = {"pong.gb": "pong"}  # "Pong": no tags, as the file name
    # "Tennis (USA).gb" begins with its catalog game's name "Tennis", but is not it
    renamed_other = {"ast.gb": "ast", "tet.gb": "tet", "Tennis (USA).gb": "tennis"}
    catalog = [(name[:-3], seed) for name, seed in well_named.items()] + [
        ("Pong", "pong"), ("Asteroids (USA, Europe) (Beta)", "ast"), ("Tetris (World)", "tet"),
        ("Tennis", "tennis")]
    for name, seed in {**well_named, **renamed_same, **renamed_other}.items():
        (root / "gb" / name).write_bytes(rom(seed))
    (tmp_path / "gb.dat").write_text(_dat(catalog))
    db = open_database(tmp_path / "w.db", OpenMode.WRITE).db
    pack = load_pack(None)
    import_dats(db, [tmp_path / "gb.dat"], platform_id="gb")
    add_root(db, root)
    parsed: list[str] = []
    real_parse = identify_module.parse_name
    monkeypatch.setattr(identify_module, "parse_name",
                        lambda name: parsed.append(name) or real_parse(name))
    identify_module._catalog_tags.cache_clear()
    with db.count_statements() as seen:
        summary = scan_library(db, pack, workers=1)
    assert summary.identified == len(well_named) + 4
    assert sorted(parsed) == ["Asteroids (USA, Europe) (Beta)", "Pong", "Tennis",
                              "Tetris (World)"]
    # (Python's trace names a statement again for each trigger program it runs — the plan
    # generation's, schema 23 — so a repeat right after itself is that statement's trigger)
    written = [sql for n, sql in enumerate(seen) if sql.startswith("UPDATE games SET region")
               and (n == 0 or seen[n - 1] != sql)]
    assert len(written) == 3
    tags = {row[0]: (row[1], row[2]) for row in db.query(
        "SELECT filename, region, flags FROM games")}
    assert tags["ast.gb"] == ("USA, Europe", '["beta"]')
    assert tags["tet.gb"] == ("World", None)
    assert tags["pong.gb"] == (None, None)
    assert tags["Tennis (USA).gb"] == (None, None)
    assert tags["Dr. Mario (World) (Rev 1).gb"] == ("World", None)
    assert tags["Game 7 (USA) (Beta).gb"] == ("USA", '["beta"]')
    db.close()


def test_one_game_one_rom_ranks_an_identified_copy_by_its_catalog_games_revision(
        cli: Any, tmp_path: Path) -> None:
    # a file named "(Rev 1)" whose data is the first release, and a renamed Rev 1
    root = tmp_path / "lib" / "gb"
    root.mkdir(parents=True)
    (root / "Tetris (World) (Rev 1).gb").write_bytes(rom("tetris-rev0"))
    (root / "tet.gb").write_bytes(rom("tetris-rev1"))
    (tmp_path / "gb.dat").write_text(_dat([("Tetris (World)", "tetris-rev0"),
                                           ("Tetris (World) (Rev 1)", "tetris-rev1")]))
    for step in (("dat", "import", str(tmp_path / "gb.dat")), ("library", "add", str(root)),
                 ("scan", "--workers", "1"), ("device", "add", "rg-35xx-plus"),
                 ("profile", "create", "--device", "1", "--os", "muos")):
        _ok(cli, *step)
    verdicts = _verdicts(cli)
    assert verdicts["tet.gb"] == (True, None, None)
    assert verdicts["Tetris (World) (Rev 1).gb"] == (False, "other_version", "tet.gb")


def test_a_dat_imported_after_the_scan_parses_no_well_named_game(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A first `dat import` over a scanned library identifies it whole: the games named as
    their catalog games hold those tags already and are neither parsed nor written (a large
    library would pay a name parse per game); a renamed one is."""
    root = tmp_path / "lib"
    (root / "gb").mkdir(parents=True)
    well_named = {f"Game {n} (USA) (Beta).gb": f"well {n}" for n in range(30)}
    for name, seed in {**well_named, "ast.gb": "ast"}.items():
        (root / "gb" / name).write_bytes(rom(seed))
    catalog = [(name[:-3], seed) for name, seed in well_named.items()] + [
        ("Asteroids (USA, Europe) (Beta)", "ast")]
    (tmp_path / "gb.dat").write_text(_dat(catalog))
    db = open_database(tmp_path / "w.db", OpenMode.WRITE).db
    add_root(db, root)
    scan_library(db, load_pack(None), workers=1)
    parsed: list[str] = []
    real_parse = identify_module.parse_name
    monkeypatch.setattr(identify_module, "parse_name",
                        lambda name: parsed.append(name) or real_parse(name))
    identify_module._catalog_tags.cache_clear()
    import_dats(db, [tmp_path / "gb.dat"], platform_id="gb")
    assert parsed == ["Asteroids (USA, Europe) (Beta)"]
    assert db.scalar("SELECT region FROM games WHERE filepath = 'gb/ast.gb'") == "USA, Europe"
    db.close()


# Real No-Intro names whose tags say what the release is in longer words (QA27 N5: none
# was a flag, so `-flag:demo` kept them and the auto-list took them for retail games).
LONGER_TAGS = {
    "Time for The Chickens to Go to Sleep (World) (Auto Demo) (GBA Jam 2021).gb": "demo",
    "Yoshi Sample (Japan) (En) (SDK 3.0) (Tech Demo).gb": "demo",
    "Donkey Kong Land (USA, Europe) (Trade Demo).gb": "demo",
    "Dragon Quest Monsters - Terry no Wonderland (Japan) (Rev 1) (Possible Proto).gb": "proto",
    "Pokemon - Red Version (USA) (Debug).gb": "debug",
}


def test_no_intros_longer_edition_tags_are_flags_once_an_earlier_library_is_rescanned(
        cli: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from romrunner.library import tags
    earlier_flags = {word: flag for word, flag in tags._PAREN_FLAGS.items()
                     if word not in ("auto demo", "tech demo", "trade demo", "possible proto",
                                     "debug", "debug version")}
    root = tmp_path / "lib" / "gb"
    root.mkdir(parents=True)
    for n, name in enumerate([*LONGER_TAGS, "Mother 3 (Japan) [T+Eng].gb"]):
        (root / name).write_bytes(rom(f"longer-{n}"))
    with monkeypatch.context() as earlier:  # the release before these were flags
        earlier.setattr(tags, "_PAREN_FLAGS", earlier_flags)
        earlier.setattr(tags, "_DEMO_WORDS", re.compile("(?!)"))  # (tag rules 14's)
        earlier.setattr(redecide, "TAG_RULES_VERSION", identify_module.TAG_RULES_VERSION - 1)
        for step in (("library", "add", str(root)), ("scan", "--workers", "1"),
                     ("device", "add", "rg-35xx-plus"),
                     ("profile", "create", "--device", "1", "--os", "muos")):
            _ok(cli, *step)
        assert _ok(cli, "--json", "games", "ls", "flag:demo").json()["data"]["games"] == []
    _ok(cli, "scan", "--workers", "1")
    for flag in ("demo", "proto", "debug"):
        found = _ok(cli, "--json", "games", "ls", f"flag:{flag}").json()["data"]["games"]
        assert sorted(game["filename"] for game in found) == sorted(
            name for name, expected in LONGER_TAGS.items() if expected == flag)
    assert [game["filename"] for game in _ok(cli, "--json", "games", "ls", "flag:translation")
            .json()["data"]["games"]] == ["Mother 3 (Japan) [T+Eng].gb"]
    verdicts = _verdicts(cli)
    assert all(verdicts[name][:2] == (False, "prerelease") for name in LONGER_TAGS)


def test_no_intros_single_language_tags_are_languages_once_an_earlier_library_is_rescanned(
        cli: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """QA28 F2: "(De)", "(Fr)", "(Es)", "(It)" — No-Intro's languages — were read as the
    regions Germany, France, Spain, Italy: `lang:de` found none, and the auto-list's
    language preference kept the German one for a French player."""
    from romrunner.library import tags
    root = tmp_path / "lib" / "gb"
    root.mkdir(parents=True)
    names = {"Art School Pocket (World) (De).gb": "De", "Art School Pocket (World) (Fr).gb":
             "Fr", "Art School Pocket (World) (Es).gb": "Es"}
    for n, name in enumerate(names):
        (root / name).write_bytes(rom(f"art-{n}"))

    def earlier(parts: list[str]) -> bool:
        return False  # the release before: every such tag a region

    with monkeypatch.context() as before:
        before.setattr(tags, "_languages_only", earlier)
        before.setattr(redecide, "TAG_RULES_VERSION", identify_module.TAG_RULES_VERSION - 1)
        for step in (("library", "add", str(root)), ("scan", "--workers", "1"),
                     ("device", "add", "rg-35xx-plus"),
                     ("profile", "create", "--device", "1", "--os", "muos")):
            _ok(cli, *step)
        assert _ok(cli, "--json", "games", "ls", "lang:fr").json()["data"]["games"] == []
    _ok(cli, "scan", "--workers", "1")
    for name, code in names.items():
        found = _ok(cli, "--json", "games", "ls", f"lang:{code.lower()}").json()["data"]
        assert [g["filename"] for g in found["games"]] == [name]
        assert found["games"][0]["region"] == "World"
    _ok(cli, "profile", "set", "1", "--languages", "Fr")
    kept = [name for name, (included, _, _) in _verdicts(cli).items() if included]
    assert kept == ["Art School Pocket (World) (Fr).gb"]


def test_a_fan_translations_language_is_one_lang_finds(cli: Any, tmp_path: Path) -> None:
    """QA117 F3: the README says `lang:` reads a translation's "[T+Eng]"; it found none,
    while the auto-list counted them English."""
    root = tmp_path / "lib" / "snes"
    root.mkdir(parents=True)
    names = ["Seiken Densetsu 3 (Japan) [T+Eng].sfc", "Bahamut Lagoon (Japan) [T+Eng1.3_DeJap]"
             ".sfc", "Foo (Japan) [T-Fre by X].sfc", "Bar (USA).sfc"]
    for n, name in enumerate(names):
        (root / name).write_bytes(rom(f"translated-{n}"))
    for step in (("library", "add", str(root)), ("scan", "--workers", "1")):
        _ok(cli, *step)

    def found(query: str) -> list[str]:
        games = _ok(cli, "--json", "games", "ls", query).json()["data"]["games"]
        return sorted(game["filename"] for game in games)

    assert found("lang:en") == sorted(names[:2])
    assert found("lang:fr") == [names[2]]
    assert found("lang:ja") == []  # (a name's languages are its tags', as "(USA)" has none)


def test_a_fan_translations_language_is_read_once_an_earlier_library_is_rescanned(
        cli: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Review 118 F3: tag rules 20 re-tagged nothing of a library scanned before them: its
    "[T+Eng]" files stayed of no language until `scan --full`."""
    from romrunner.library import record
    root = tmp_path / "lib" / "snes"
    root.mkdir(parents=True)
    name = "Seiken Densetsu 3 (Japan) [T+Eng].sfc"
    (root / name).write_bytes(rom("translated"))
    with monkeypatch.context() as before:
        before.setattr(record, "translation_language", lambda text: None)  # (rules 19)
        before.setattr(redecide, "TAG_RULES_VERSION", identify_module.TAG_RULES_VERSION - 1)
        for step in (("library", "add", str(root)), ("scan", "--workers", "1")):
            _ok(cli, *step)
        assert _ok(cli, "--json", "games", "ls", "lang:en").json()["data"]["games"] == []
    _ok(cli, "scan", "--workers", "1")
    found = _ok(cli, "--json", "games", "ls", "lang:en").json()["data"]["games"]
    assert [g["filename"] for g in found] == [name]


def test_a_language_of_one_country_counts_as_its_language(
        cli: Any, tmp_path: Path) -> None:
    """QA31 F4: `lang:en` missed "(En-US,En-GB)", and a preference of En kept the (Ja)
    version over the (Pt-BR,En-US) one."""
    root = tmp_path / "lib" / "gb"
    root.mkdir(parents=True)
    names = ["Quest (World) (Ja).gb", "Quest (World) (Pt-BR,En-US).gb", "Power (Europe) "
             "(En-GB,Fr).gb"]
    for n, name in enumerate(names):
        (root / name).write_bytes(rom(f"country-{n}"))
    for step in (("library", "add", str(root)), ("scan", "--workers", "1"),
                 ("device", "add", "rg-35xx-plus"),
                 ("profile", "create", "--device", "1", "--os", "muos")):
        _ok(cli, *step)

    def found(query: str) -> list[str]:
        games = _ok(cli, "--json", "games", "ls", query).json()["data"]["games"]
        return sorted(game["filename"] for game in games)

    assert found("lang:en") == sorted(names[1:])
    assert found("lang:pt") == [names[1]] == found("lang:pt-br")
    assert found("lang:en-gb") == [names[2]]
    _ok(cli, "profile", "set", "1", "--languages", "En", "--one-game-one-rom")
    kept = [name for name, (included, _, _) in _verdicts(cli).items()
            if included and name.startswith("Quest")]
    assert kept == [names[1]]


def test_discs_named_after_the_title_are_a_set_once_an_earlier_library_is_rescanned(
        cli: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """QA33 F33 (tag rules 13): a library scanned when "Saga (USA) - Disc 2" was no disc gets
    its discs' numbers and one set on the next scan, without re-reading a file."""
    from romrunner.library import tags
    root = tmp_path / "lib" / "psx"
    root.mkdir(parents=True)
    for number in (1, 2):
        name = f"Saga (USA) - Disc {number}"
        (root / f"{name}.bin").write_bytes(rom(f"saga-{number}"))
        (root / f"{name}.cue").write_text(f'FILE "{name}.bin" BINARY\n  TRACK 01 MODE2/2352\n'
                                          "    INDEX 01 00:00:00\n")

    def earlier(stem: str) -> None:
        return None  # the release before: no disc after the title

    with monkeypatch.context() as before:
        before.setattr(tags, "_trailing_disc", earlier)
        before.setattr(redecide, "TAG_RULES_VERSION", identify_module.TAG_RULES_VERSION - 1)
        for step in (("library", "add", str(root.parent)), ("scan", "--workers", "1")):
            _ok(cli, *step)
        assert {g["disc_number"] for g in _shown(cli)} == {None}
    again = _ok(cli, "--json", "scan", "--workers", "1").json()["data"]
    assert again["bytes_hashed"] == 0
    games = _shown(cli)
    assert sorted(g["disc_number"] for g in games) == [1, 2]
    assert len({g["set_key"] for g in games}) == 1 and None not in {g["set_key"] for g in games}


def _shown(cli: Any) -> list[dict[str, Any]]:
    """`games show` of every game of the library."""
    return [_ok(cli, "--json", "games", "show", str(g["id"])).json()["data"]
            for g in _ok(cli, "--json", "games", "ls").json()["data"]["games"]]


def test_tag_rules_14_reads_trial_discs_and_goodtools_regions_of_a_stored_library(
        cli: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A library scanned before tag rules 14 gets Redump's trial words as demos and
    GoodTools' "(JU)" as regions at its next scan, nothing hashed again."""
    from romrunner.library import tags
    root = tmp_path / "roms" / "nes"
    root.mkdir(parents=True)
    for name in ("Brave (Japan) (Taikenban).nes", "Mario (JU) [!].nes", "Plain (USA).nes"):
        (root / name).write_bytes(rom(name))

    def earlier(tag: str) -> str | None:
        return tags._PAREN_FLAGS.get(re.sub(r"\s*\d+$", "", tag).lower())

    with monkeypatch.context() as before:
        before.setattr(tags, "paren_flag", earlier)
        before.setattr(tags, "_GOODTOOLS_REGIONS", re.compile("^$"))
        before.setattr(redecide, "TAG_RULES_VERSION", identify_module.TAG_RULES_VERSION - 1)
        for step in (("library", "add", str(root.parent)), ("scan", "--workers", "1")):
            _ok(cli, *step)
        shown = {g["filename"]: g for g in _shown(cli)}
        assert shown["Brave (Japan) (Taikenban).nes"]["flags"] in (None, [], "[]")
        assert shown["Mario (JU) [!].nes"]["region"] is None
    again = _ok(cli, "--json", "scan", "--workers", "1").json()["data"]
    assert again["bytes_hashed"] == 0
    shown = {g["filename"]: g for g in _shown(cli)}
    assert "demo" in str(shown["Brave (Japan) (Taikenban).nes"]["flags"])
    assert shown["Mario (JU) [!].nes"]["region"] == "Japan, USA"
    assert shown["Plain (USA).nes"]["region"] == "USA"


def _zany_dat() -> str:
    """No-Intro as ../shared's DATs write it: "(Unl)" in the ROM's name only."""
    out = [f'clrmamepro (\n\tname "{GB}"\n\tversion "1"\n)\n']
    for name, rom_name, seed in (("Zany Golf (USA)", "Zany Golf (USA) (Unl).gb", "zany-unl"),
                                 ("Zany Golf (USA, Europe)", "Zany Golf (USA, Europe).gb",
                                  "zany")):
        data = rom(seed)
        other = rom(f"{seed} headerless")  # (NES games list a .nes and a .unh ROM: review
        out.append(f'game (\n\tname "{name}"\n\trom ( name "{rom_name}" size {len(data)} '
                   f'crc {zlib.crc32(data):08X} sha1 {hashlib.sha1(data).hexdigest()} )\n'
                   f'\trom ( name "{rom_name[:-3]}.unh" size {len(other)} '  # 33 R3)
                   f'crc {zlib.crc32(other):08X} sha1 {hashlib.sha1(other).hexdigest()} )\n)\n')
    return "".join(out)


@pytest.mark.parametrize("named", ["Zany Golf (USA).gb", "Zany Golf (USA) (Unl).gb", "zg.gb"])
@pytest.mark.parametrize("earlier", [False, True])
def test_an_identified_game_has_the_flags_its_catalog_roms_name_adds(
        cli: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, named: str,
        earlier: bool) -> None:
    """QA68 F4: No-Intro DATs write "(Unl)" and "(Aftermarket)" in the ROM's name only
    (game "Zany Golf (USA)", ROM "Zany Golf (USA) (Unl).md"): identified by its hashes, the
    unlicensed dump lost its flag — `flag:unlicensed` missed it and the auto-list kept it over
    the licensed cartridge. Whatever the file's name; and a library an earlier release
    tagged gets it at its next scan, nothing hashed again."""
    root = tmp_path / "lib" / "gb"
    root.mkdir(parents=True)
    (root / named).write_bytes(rom("zany-unl"))  # (first: the lower id)
    (root / "Zany Golf (USA, Europe).gb").write_bytes(rom("zany"))
    (tmp_path / "gb.dat").write_text(_zany_dat())
    steps = [("dat", "import", str(tmp_path / "gb.dat")), ("library", "add", str(root.parent)),
             ("scan", "--workers", "1"), ("device", "add", "rg-35xx-plus"),
             ("profile", "create", "--device", "1", "--os", "muos")]
    with monkeypatch.context() as before:
        if earlier:
            unflagged = identify_module._catalog_tags.__wrapped__
            before.setattr(identify_module, "_catalog_tags",
                           lambda platform, name, rom_name=None: unflagged(platform, name))
            before.setattr(redecide, "TAG_RULES_VERSION", identify_module.TAG_RULES_VERSION - 1)
        for step in steps:
            _ok(cli, *step)
        if earlier:
            assert _ls(cli, "flag:unlicensed") == set()  # (as QA68 saw it)
            assert _ok(cli, "--json", "scan", "--workers", "1").json()["data"][
                "bytes_hashed"] == 0
    if earlier:
        assert _ok(cli, "--json", "scan", "--workers", "1").json()["data"]["bytes_hashed"] == 0
    methods = {row["filename"]: row["match_method"] for row in
               _ok(cli, "--json", "games", "ls").json()["data"]["games"]}
    assert methods[named] in ("sha1", "crc32"), methods
    assert _ls(cli, "flag:unlicensed") == {named}
    verdicts = _verdicts(cli)
    assert verdicts["Zany Golf (USA, Europe).gb"] == (True, None, None)
    assert verdicts[named] == (False, "other_version", "Zany Golf (USA, Europe).gb")


def test_tag_rules_17_reads_store_discs_and_rarer_countries_of_a_stored_library(
        cli: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A library scanned before tag rules 17 gets Redump's in-store discs as demos and its
    rarer countries as regions at its next scan, nothing hashed again (QA71 F2, F5)."""
    from romrunner.library import tags
    root = tmp_path / "roms" / "psx"
    root.mkdir(parents=True)
    for name in ("Gran Turismo (Japan) (Test Drive Disc).bin", "Nemesis (Ireland).bin",
                 "Plain (USA).bin"):
        (root / name).write_bytes(rom(name))
    with monkeypatch.context() as before:
        before.setattr(tags, "_DEMO_WORDS", re.compile(r"\bdemo\b", re.IGNORECASE))
        before.setattr(tags, "REGIONS", {k: v for k, v in tags.REGIONS.items()
                                         if v not in ("Ireland",)})
        before.setattr(redecide, "TAG_RULES_VERSION", identify_module.TAG_RULES_VERSION - 1)
        for step in (("library", "add", str(root.parent)), ("scan", "--workers", "1")):
            _ok(cli, *step)
        shown = {g["filename"]: g for g in _shown(cli)}
        assert "demo" not in str(shown["Gran Turismo (Japan) (Test Drive Disc).bin"]["flags"])
        assert shown["Nemesis (Ireland).bin"]["region"] is None
    again = _ok(cli, "--json", "scan", "--workers", "1").json()["data"]
    assert again["bytes_hashed"] == 0
    shown = {g["filename"]: g for g in _shown(cli)}
    assert "demo" in str(shown["Gran Turismo (Japan) (Test Drive Disc).bin"]["flags"])
    assert shown["Nemesis (Ireland).bin"]["region"] == "Ireland"
    assert shown["Plain (USA).bin"]["region"] == "USA"


def test_goodtools_country_codes_are_read_once_an_earlier_library_is_rescanned(
        cli: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """QA round 37: "(F)", "(G)", "(PD)" were no region, no flag; a library an earlier
    release scanned reads them at its first scan by this one (tag rules 22), unchanged files
    not examined again."""
    from romrunner.library import tags
    root = tmp_path / "lib" / "snes"
    root.mkdir(parents=True)
    names = ["Goodie Fr (F).smc", "Spiel (G) [!].smc", "Goodie PD (PD).smc"]
    for n, name in enumerate(names):
        (root / name).write_bytes(rom(f"goodtools-{n}"))
    with monkeypatch.context() as earlier:  # the release before tag rules 22
        earlier.setattr(tags, "_GOODTOOLS_COUNTRIES", {})
        earlier.setattr(tags, "_PAREN_FLAGS", {word: flag for word, flag
                                               in tags._PAREN_FLAGS.items() if word != "pd"})
        earlier.setattr(redecide, "TAG_RULES_VERSION", identify_module.TAG_RULES_VERSION - 1)
        tags.tags_of.cache_clear()
        _ok(cli, "library", "add", str(root))
        _ok(cli, "scan", "--workers", "1")
        assert _ok(cli, "--json", "games", "ls", "region:france").json()["data"]["games"] == []
    tags.tags_of.cache_clear()
    _ok(cli, "scan", "--workers", "1")
    for query, expected in (("region:france", "Goodie Fr (F).smc"),
                            ("region:germany", "Spiel (G) [!].smc"),
                            ("flag:homebrew", "Goodie PD (PD).smc")):
        found = _ok(cli, "--json", "games", "ls", query).json()["data"]["games"]
        assert [game["filename"] for game in found] == [expected], query
