"""A catalog title is searched without its tags, as a file's title is (schema v1.3.23).

The search index held the catalog title whole, "Super Mario Bros. (World)", while a file's
title is its name before the tags: `games ls mario -world` found nothing once the game was
identified, `usa` found the identified USA games and not the others, and the answer changed
when a DAT was imported (qa196 F2, qa193 F5). Real scans of real files and a real DAT import,
through the CLI; and a version 36 database migrated, its index built again.
"""

from __future__ import annotations

import hashlib
import sqlite3
import zlib
from pathlib import Path
from typing import Any

import pytest

from romrunner.library.tags import parse_filename, parse_name
from romrunner.search.index import (
    READING_TABLE,
    reading_rows_sql,
    rebuild_search_index,
    search_index_problem,
)
from romrunner.store import Database
from romrunner.store.migrate import current_version, load_migrations, migrate
from romrunner.store.open import OpenMode, open_database
from tests.test_migrations import normalised_schema

NES_DAT = "Nintendo - Nintendo Entertainment System"
# file name -> the name of its data in the DAT (None: no catalog has it)
FILES = {
    "Super Mario Bros. (World).nes": "Super Mario Bros. (World)",
    "smb3.nes": "Super Mario Bros. 3 (USA) (Rev 1)",  # renamed: its title is the catalog's
    "zelda.nes": "Legend of Zelda, The (USA) (Rev 1)",
    "Kirby's Adventure (USA).nes": "Kirby's Adventure (USA)",
    "Tetris (USA).nes": None,
    "Mario World Tour (USA) (Beta).nes": None,
}


def _data(name: str) -> bytes:
    return (hashlib.sha256(name.encode()).digest() * 257)[:8192]


@pytest.fixture
def run(cli: Any, tmp_path: Path, db_path: Path) -> Any:
    """The files of :data:`FILES` scanned, with their DAT imported (the identified ones by
    their hashes); ``run.names(*query)`` lists the file names `games ls` finds."""
    root = tmp_path / "lib" / "nes"
    root.mkdir(parents=True)
    games = []
    for filename, listed in FILES.items():
        data = _data(filename)
        (root / filename).write_bytes(data)
        if listed is not None:
            games.append(f'game (\n\tname "{listed}"\n\trom ( name "{listed}.nes" size '
                         f'{len(data)} crc {zlib.crc32(data):08x} '
                         f'sha1 {hashlib.sha1(data).hexdigest()} )\n)\n')
    (tmp_path / "nes.dat").write_text(f'clrmamepro (\n\tname "{NES_DAT}"\n\tversion "t"\n)\n'
                                      + "".join(games))
    for args in (("dat", "import", tmp_path / "nes.dat", "--platform", "nes"),
                 ("library", "add", tmp_path / "lib"), ("scan", "--workers", "1")):
        result = cli(*args)
        assert result.code == 0, (args, result.err)

    def names(*query: str) -> list[str]:
        listed = cli("--json", "games", "ls", *query)
        assert listed.code == 0, (query, listed.err)
        return sorted(row["filename"] for row in listed.json()["data"]["games"])

    def searched(text: str) -> list[str]:
        found = cli("--json", "search", text)
        assert found.code == 0, (text, found.err)
        return sorted(row["filename"] for row in found.json()["data"])

    run.names = names  # type: ignore[attr-defined]
    run.searched = searched  # type: ignore[attr-defined]
    run.cli = cli  # type: ignore[attr-defined]
    run.tmp = tmp_path  # type: ignore[attr-defined]
    run.db_path = db_path  # type: ignore[attr-defined]
    return run


def _catalog_terms(path: Path) -> list[tuple[str, int]]:
    """The words of the search index's catalog column and the games holding each."""
    with sqlite3.connect(path) as conn:
        conn.execute("CREATE VIRTUAL TABLE temp.vocab USING fts5vocab(main, games_fts, 'col')")
        return [(str(term), int(count)) for term, count in conn.execute(
            "SELECT term, doc FROM temp.vocab WHERE col = 'catalog_title' ORDER BY term")]


def test_the_identified_games_are_the_ones_the_dat_lists(run: Any) -> None:
    listed = run.cli("--json", "games", "ls", "match:any").json()["data"]["games"]
    assert sorted((row["filename"], row["catalog_title"]) for row in listed) == sorted(
        (name, title) for name, title in FILES.items() if title is not None)


def test_a_tag_word_of_the_catalog_title_is_no_title_word(run: Any) -> None:
    # "Mario Bros. (World)" identified: its title does not say World
    assert run.names("mario", "-world") == ["Super Mario Bros. (World).nes", "smb3.nes"]
    assert run.names("bros", "-world") == ["Super Mario Bros. (World).nes", "smb3.nes"]
    assert run.names("world") == ["Mario World Tour (USA) (Beta).nes"]
    assert run.names("title:world") == ["Mario World Tour (USA) (Beta).nes"]
    # a tag is a field term, for every game alike: none by the word, all by region:
    assert run.names("usa") == []
    assert run.names("rev") == [] and run.names("beta") == []
    assert run.names("region:usa") == ["Kirby's Adventure (USA).nes",
                                       "Mario World Tour (USA) (Beta).nes",
                                       "Tetris (USA).nes", "smb3.nes", "zelda.nes"]
    assert run.names("flag:beta") == ["Mario World Tour (USA) (Beta).nes"]
    terms = dict(_catalog_terms(run.db_path))
    assert terms["bros"] == 2 and not {"usa", "world", "rev", "1"} & set(terms)
    assert run.searched("usa") == []
    assert run.searched("mario -world") == ["Super Mario Bros. (World).nes", "smb3.nes"]
    assert run.searched("world") == ["Mario World Tour (USA) (Beta).nes"]


def test_a_renamed_game_is_found_by_its_catalog_titles_words(run: Any) -> None:
    assert run.names("bros") == ["Super Mario Bros. (World).nes", "smb3.nes"]
    assert run.names("bros", "3") == ["smb3.nes"]
    assert run.names("title:bros", "title:3") == ["smb3.nes"]
    assert run.names('"mario bros 3"') == ["smb3.nes"]
    assert run.names("kirby") == ["Kirby's Adventure (USA).nes"]
    assert run.names("legend") == ["zelda.nes"]
    assert run.names('"the legend of zelda"') == ["zelda.nes"]  # (as it reads)
    assert run.names('"zelda usa"') == [] and run.names('"the usa"') == []
    assert run.searched("bros") == ["Super Mario Bros. (World).nes", "smb3.nes"]
    assert run.searched('"the legend"') == ["zelda.nes"]
    assert run.cli("db", "check").code == 0


def test_the_index_stays_whole_when_a_dat_is_removed_and_imported_again(run: Any) -> None:
    """The triggers delete a game's catalog words with the text they were added with (a
    delete of text never added damages a contentless index): `dat rm` leaves the file names'
    titles, and the import makes the catalog titles searchable again."""
    assert run.cli("dat", "rm", NES_DAT).code == 0
    assert run.cli("db", "check").code == 0
    assert _catalog_terms(run.db_path) == []  # (every catalog word deleted as it was added)
    assert run.names("bros") == ["Super Mario Bros. (World).nes"]
    assert run.names("legend") == []
    assert run.cli("dat", "import", run.tmp / "nes.dat", "--platform", "nes").code == 0
    assert run.cli("db", "check").code == 0
    assert run.names("bros") == ["Super Mario Bros. (World).nes", "smb3.nes"]
    assert run.names("mario", "-world") == ["Super Mario Bros. (World).nes", "smb3.nes"]
    assert run.names("usa") == []


@pytest.mark.parametrize("name", [
    "Super Mario Bros. (World)", "Legend of Zelda, The (USA) (Rev 1)", "PuckMan (Japan set 1)",
    "Final Fantasy VII (USA) (Disc 1)", "Game - Disc 2", "Tetris [b1]", "(Hack) Foo", "Plain",
    "Sonic (USA, Europe) (En,Fr,De) (Rev A) [!]"])
def test_a_names_title_is_the_one_its_tags_are_read_beside(name: str) -> None:
    from romrunner.library.tags import name_title  # (the search index's rr_title)
    assert name_title(name) == parse_name(name).title == parse_filename(f"{name}.nes").title


def _vocabulary(db: Database, table: str) -> list[tuple[object, ...]]:
    db.execute(f"CREATE VIRTUAL TABLE IF NOT EXISTS temp.vocab USING "
               f"fts5vocab(main, {table}, 'instance')")
    try:
        return [tuple(row) for row in db.query("SELECT * FROM temp.vocab ORDER BY 1, 2, 3, 4")]
    finally:
        db.execute("DROP TABLE temp.vocab")


def _v36_with_games(path: Path) -> None:
    """A version 36 database whose identified games the index holds as that version's scan
    writer added them: the catalog title whole, with its tags."""
    db = Database(path)
    migrate(db, target=36)
    if "games_fts" not in db.table_names():
        db.close()
        pytest.skip("this SQLite has no FTS5")
    db.execute("INSERT INTO library_roots (id, path) VALUES (1, '/roms')")
    db.executemany(
        "INSERT INTO games (id, root_id, filepath, file_size, platform_id, detected_title, "
        "title_norm, matched_game_id, catalog_name) VALUES (?, 1, ?, 1, 'nes', ?, rr_fold(?), "
        "?, ?)",
        [(1, "nes/Super Mario Bros. (World).nes", "Super Mario Bros.", "Super Mario Bros.",
          "nes:Super Mario Bros. (World)", None),
         (2, "nes/smb3.nes", "smb3", "smb3", "nes:Super Mario Bros. 3 (USA) (Rev 1)", None),
         (3, "nes/zelda.nes", "zelda", "zelda", "nes:Legend of Zelda, The (USA)", None),
         (4, "nes/Tetris (USA).nes", "Tetris", "Tetris", None, None),
         (5, "arcade/puckman.zip", "puckman", "puckman", "mame:puckman",
          "PuckMan (Japan set 1)")])
    whole = "coalesce(catalog_name, catalog_title)"
    db.execute("INSERT INTO games_fts (rowid, detected_title, catalog_title) "
               f"SELECT id, title_norm, rr_fold({whole}) FROM games")
    db.execute(f"INSERT INTO {READING_TABLE} (rowid, detected_title, catalog_title) "
               + reading_rows_sql("id", "detected_title", whole, "FROM games"))
    assert db.query("SELECT rowid FROM games_fts WHERE games_fts MATCH 'usa'")
    db.close()


def _matching(db: Database, query: str, table: str = "games_fts") -> list[int]:
    return sorted(int(row[0]) for row in db.query(
        f"SELECT rowid FROM {table} WHERE {table} MATCH ?", (query,)))


def test_a_version_36_database_has_its_index_built_again_without_the_tags(
        tmp_path: Path) -> None:
    _v36_with_games(tmp_path / "v36.db")
    result = open_database(tmp_path / "v36.db", OpenMode.WRITE)
    db = result.db
    assert current_version(db) >= 37
    assert result.notices and "backup at" in result.notices[0]
    assert _matching(db, "usa") == [] and _matching(db, "world") == []
    assert _matching(db, "japan") == [] and _matching(db, "rev") == []
    assert _matching(db, "catalog_title : bros") == [1, 2]
    assert _matching(db, "catalog_title : puckman") == [5]
    assert _matching(db, '"the legend of zelda"', READING_TABLE) == [3]
    assert _matching(db, '"the legend of zelda usa"', READING_TABLE) == []
    assert search_index_problem(db) is None
    migrated = {table: _vocabulary(db, table) for table in ("games_fts", READING_TABLE)}
    rebuild_search_index(db)
    assert {table: _vocabulary(db, table) for table in migrated} == migrated
    # the triggers delete what the migration added: nothing is left of a deleted game
    db.execute("UPDATE games SET matched_game_id = NULL, catalog_name = NULL WHERE id = 5")
    db.execute("DELETE FROM games WHERE id IN (2, 3)")
    assert {row[1] for row in _vocabulary(db, "games_fts")} == {1, 4, 5}
    assert _vocabulary(db, READING_TABLE) == []
    for table in ("games_fts", READING_TABLE):
        db.execute(f"INSERT INTO {table} ({table}) VALUES ('integrity-check')")
    kept = _vocabulary(db, "games_fts")
    rebuild_search_index(db)
    assert _vocabulary(db, "games_fts") == kept
    fresh = open_database(tmp_path / "fresh.db", OpenMode.WRITE).db
    assert normalised_schema(db) == normalised_schema(fresh)


def test_the_migration_computes_the_index_text_as_the_index_writer_does() -> None:
    """Migration 0037's SQL is the writer's (:func:`reading_rows_sql` of the catalog title
    without its tags), for the games there are, a deleted or updated game's old values and an
    updated game's new ones."""
    migration = next(m for m in load_migrations() if m.version == 37)
    text = " ".join(migration.sql.split())

    def catalog(row: str) -> str:
        return f"rr_title(coalesce({row}catalog_name, {row}catalog_title))"
    for sql in (reading_rows_sql("old.id", "old.detected_title", catalog("old."),
                                 lead="'delete', "),
                reading_rows_sql("new.id", "new.detected_title", catalog("new."))):
        assert " ".join(sql.split()) in text
    assert text.count("'delete', k, a, b") == 2
    assert text.count(f"rr_fold({catalog('old.')})") == 2
    assert text.count(f"rr_fold({catalog('new.')})") == 1
