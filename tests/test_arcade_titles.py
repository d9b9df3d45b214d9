"""An arcade DAT names a game by its set (`turtles`) and describes it by its title: a set
identified by it shows that title in `games ls`, `games show` and `search`, and is found by
its words (it showed the set name, and a search for its title found nothing). A DAT that
describes games by their names (No-Intro) changes nothing; a match lost takes the title
with it."""

from __future__ import annotations

import zipfile
from pathlib import Path
from typing import Any

from tests.test_arcade_clones import ROMS, _dat

TITLE = "Teenage Mutant Ninja Turtles (World 4 Players)"


def _library(cli: Any, tmp_path: Path) -> None:
    arcade = tmp_path / "roms" / "arcade"
    arcade.mkdir(parents=True)
    with zipfile.ZipFile(arcade / "turtles.zip", "w") as archive:
        for member in ("t.1", "t.2", "t.3"):
            archive.writestr(member, ROMS[member])
    described = _dat().replace('game (\n\tname "turtles"\n',
                               f'game (\n\tname "turtles"\n\tdescription "{TITLE}"\n')
    assert described != _dat()
    (tmp_path / "mame.dat").write_text(described)
    for args in (("dat", "import", str(tmp_path / "mame.dat"), "--platform", "arcade"),
                 ("library", "add", str(tmp_path / "roms")), ("scan", "--workers", "1")):
        assert cli(*args).code == 0, args


def test_an_arcade_set_shows_and_is_found_by_its_dat_description(
        cli: Any, tmp_path: Path) -> None:
    _library(cli, tmp_path)
    (game,) = cli("--json", "games", "ls").json()["data"]["games"]
    assert (game["matched_game_id"], game["catalog_title"]) == ("arcade:turtles", TITLE)
    assert "Ninja" in cli("games", "ls").out  # (the table wraps the title)
    shown = cli("--json", "games", "show", str(game["id"])).json()["data"]
    assert shown["catalog_title"] == TITLE
    # a set is decided by its members: no word of a CRC32 other games share (QA24 N1)
    text = " ".join(cli("games", "show", str(game["id"])).out.split())
    assert "by crc32 of its contents" in text and "catalog games (" not in text
    found = cli("--json", "search", "ninja turtles").json()["data"]
    assert [(row["id"], row["catalog_title"]) for row in found] == [(game["id"], TITLE)]


def test_the_title_goes_with_the_match(cli: Any, tmp_path: Path) -> None:
    _library(cli, tmp_path)
    assert cli("dat", "rm", "MAME").code == 0
    (game,) = cli("--json", "games", "ls").json()["data"]["games"]
    assert game["matched_game_id"] is None and game["catalog_title"] is None
    assert cli("--json", "search", "ninja").json()["data"] == []
    assert [g["id"] for g in cli("--json", "search", "turtles").json()["data"]] == \
        [game["id"]]  # (its file's name)


def test_migration_24_gives_an_identified_arcade_set_its_title(tmp_path: Path) -> None:
    """A schema-23 database's arcade set gets its description at the upgrade, searchable,
    and the search index follows it when the match goes."""
    from romrunner.store import OpenMode, open_database
    from tests.test_migrations import build_old, index_games_before_v24

    old = build_old(tmp_path / "v23.db", 23)
    sql = old.execute
    sql("INSERT INTO library_roots (id, path) VALUES (1, '/roms')")
    sql("INSERT INTO catalog_sources (id, name, platform_id, format, path, file_sha1) "
        "VALUES (1, 'MAME', 'arcade', 'logiqx', '/dats/mame.dat', 'x')")
    sql("INSERT INTO catalog_games (source_id, game_id, platform_id, name, description) VALUES "
        "(1, 'arcade:turtles', 'arcade', 'turtles', ?), "
        "(1, 'arcade:other', 'arcade', 'other', 'other')", (TITLE,))
    sql("INSERT INTO games (id, root_id, filepath, file_size, platform_id, detected_title, "
        "title_norm, matched_game_id, match_method) VALUES "
        "(1, 1, 'arcade/turtles.zip', 10, 'arcade', 'turtles', 'turtles', 'arcade:turtles', "
        "'crc32'), (2, 1, 'arcade/other.zip', 10, 'arcade', 'other', 'other', "
        "'arcade:other', 'crc32')")
    index_games_before_v24(old)
    old.close()
    db = open_database(tmp_path / "v23.db", OpenMode.WRITE).db
    rows = db.query("SELECT id, catalog_name FROM games ORDER BY id")
    assert [tuple(row) for row in rows] == [(1, TITLE), (2, None)]  # (described by its name)
    if "games_fts" not in db.table_names():
        return

    def hits(words: str) -> list[int]:
        return [int(row[0]) for row in db.query(
            "SELECT rowid FROM games_fts WHERE games_fts MATCH ?", (words,))]
    assert hits("ninja") == [1]
    with db.atomic():
        db.execute("UPDATE games SET matched_game_id = NULL, catalog_name = NULL WHERE id = 1")
    assert hits("ninja") == [] and hits("turtles") == [1]
    db.execute("INSERT INTO games_fts (games_fts) VALUES ('integrity-check')")


def test_the_auto_list_overrides_and_resolve_show_an_arcade_set_by_its_title(
        cli: Any, tmp_path: Path) -> None:
    """Where a game is shown by its catalog title, an arcade set is its DAT description: the
    auto-list, `override ls` and `resolve` showed the set name ("turtles")."""
    _library(cli, tmp_path)
    (game,) = cli("--json", "games", "ls").json()["data"]["games"]
    for args in (("device", "add", "rg-35xx-plus"),
                 ("profile", "create", "--device", "1", "--os", "muos"),
                 ("override", "set", "--game", str(game["id"]), "--exclude")):
        assert cli(*args).code == 0, args
    listed = cli("--json", "override", "ls").json()["data"]
    assert [row["title"] for row in listed if row["scope"] == "game"] == [TITLE]
    resolved = cli("--json", "resolve", str(game["id"]), "--profile", "1")
    assert resolved.code == 0, resolved.err
    assert TITLE in resolved.out and '"turtles"' not in resolved.out
    assert cli("override", "rm", "--game", str(game["id"])).code == 0
    auto = cli("--json", "autolist", "1")
    assert auto.code == 0, auto.err
    assert TITLE in auto.out and '"title": "turtles"' not in auto.out
