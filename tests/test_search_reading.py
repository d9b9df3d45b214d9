"""The search index of the titles as they read (schema v1.3.18, ``games_fts_reading``): which
titles read otherwise than they are written, the catalog title's reading, the triggers that
keep it true, the migration that builds it for the games there are, and `db check`'s count
(review37 F6, qa176 N3)."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from romrunner.errors import CorruptDatabaseError
from romrunner.library.query import query_games
from romrunner.search.games import search_games
from romrunner.search.index import (
    READING_TABLE,
    index_games,
    reading_rows_sql,
    reading_sql,
    rebuild_search_index,
    search_index_problem,
)
from romrunner.store import Database
from romrunner.store.migrate import LATEST_VERSION, load_migrations, migrate
from romrunner.store.open import OpenMode, open_database
from romrunner.textnorm import ARTICLES, fold
from tests.conftest import SHARED

_ARTICLE = "|".join(ARTICLES)
_READS = re.compile(rf"^((?:(?! - | \(| \[)[^,])+), ({_ARTICLE})((?: - | \(| \[).*)?$",
                    re.IGNORECASE)


def reads(title: str) -> str | None:
    """The oracle: ``title`` folded as it reads where a catalog put the article that begins
    its main title (before the first " - " or tag) after it, else None."""
    moved = _READS.match(title)
    return fold(f"{moved[2]} {moved[1]}{moved[3] or ''}") if moved else None


TITLES = [
    "Legend of Zelda, The - A Link to the Past (USA)", "Legend of Zelda, The",
    "Legend of Zelda, THE [b1]", "Hunt for Red October, The (Europe)", "Bug's Life, A",
    "American Tail, An - Fievel Goes West", "Aventures de Jackie Chan, Les - La Legende",
    "Kileak, The Blood", "Pachi-Slot Teiou - Golgo 13, Las Vegas", "The Light, The Fire",
    "Quaddle Family Mysteries, The 1 - The Case of the Scarce Scarab", ", The", "A, The",
    "Zelda - The Legend Begins", "Classic NES Series - Legend of Zelda, The", "Theme, Thea",
    "Pokémon Édition, La - Émeraude", "Super Mario World", "",
]


def sql_reading(db: Database, title: str | None) -> str | None:
    value = db.scalar(f"SELECT {reading_sql('t')} FROM (SELECT ? AS t)", (title,))
    return None if value is None else str(value)


def test_a_title_reads_otherwise_only_where_an_article_ends_its_main_title(
        tmp_path: Path) -> None:
    db = open_database(tmp_path / "r.db", OpenMode.WRITE).db
    for title in TITLES:
        assert sql_reading(db, title) == reads(title), title
    assert sql_reading(db, "Legend of Zelda, The - A Link to the Past (USA)") \
        == "the legend of zelda a link to the past usa"
    assert sql_reading(db, "Kileak, The Blood") is None
    assert sql_reading(db, None) is None


def test_every_real_catalog_title_reads_as_the_oracle_says(tmp_path: Path) -> None:
    """Every game name of the real DATs (~3% of them "X, The …")."""
    dats = sorted((SHARED / "dats").glob("*/*.dat"))
    if not dats:
        pytest.skip("real data not available: ../shared/dats is absent")
    names = sorted({name for path in dats for name in re.findall(
        r'^\tname "(.*)"$', path.read_text(encoding="utf-8", errors="replace"), re.MULTILINE)})
    db = open_database(tmp_path / "r.db", OpenMode.WRITE).db
    got = {row[0]: row[1] for row in db.query(
        f"SELECT value, {reading_sql('value')} FROM json_each(?)", (json.dumps(names),))}
    wrong = [name for name in names if got[name] != reads(name)]
    assert wrong == []
    assert sum(got[name] is not None for name in names) > 100


def make_db(path: Path, fts: bool = True) -> Database:
    db = open_database(path, OpenMode.WRITE).db
    if "games_fts" not in db.table_names():
        pytest.skip("this SQLite has no FTS5")
    with db.atomic():
        db.execute("INSERT INTO library_roots (path) VALUES ('/roms')")
        db.executemany(
            "INSERT INTO games (id, root_id, filepath, file_size, platform_id, detected_title, "
            "title_norm, matched_game_id) VALUES (?, 1, ?, 1, 'snes', ?, rr_fold(?), ?)",
            [(n, f"{n}.sfc", title, title, match) for n, title, match in (
                (1, "Legend of Zelda, The - A Link to the Past", None),
                # a hand-named file matched to its catalog game
                (2, "zelda3", "snes:Legend of Zelda, The - A Link to the Past (USA)"),
                (3, "Zelda - The Legend Begins", None),
                (4, "Hunt for Red October, The", None),
                (5, "Super Mario World", None))])
        index_games(db, 1)
    if not fts:
        db.execute("DROP TABLE games_fts")
        db.execute(f"DROP TABLE {READING_TABLE}")
    return db


def found(db: Database, text: str, *, search: bool = True) -> list[int]:
    listed = sorted(int(r["id"]) for r in query_games(db, text, limit=100).rows)
    if search:
        assert sorted(int(r["id"]) for r in search_games(db, text, limit=100)) == listed, text
    return listed


def test_a_catalog_title_is_found_as_it_reads(tmp_path: Path) -> None:
    db = make_db(tmp_path / "r.db")
    assert found(db, '"the legend"') == [1, 2, 3]
    assert found(db, '"zelda a link"') == [1, 2]
    assert found(db, '"the legend" -"a link to"') == [3]
    assert found(db, 'zelda -"the legend of"') == [3]
    assert found(db, '"the hunt for"') == [4]


def test_without_fts5_the_title_is_found_as_it_reads(tmp_path: Path) -> None:
    """Without the search index `games ls` reads the file's title alone (its catalog title is
    not searched), as written or as it reads."""
    db = make_db(tmp_path / "r.db", fts=False)
    assert found(db, '"the legend"', search=False) == [1, 3]
    assert found(db, '"zelda a link"', search=False) == [1]
    assert found(db, 'zelda -"the legend of"', search=False) == [2, 3]
    assert found(db, '"the hunt"', search=False) == [4]
    assert found(db, '"the zelda"', search=False) == []


def vocabulary(db: Database) -> list[tuple[object, ...]]:
    """Every entry of the index of titles as they read (term, game, column, offset)."""
    db.execute(f"CREATE VIRTUAL TABLE IF NOT EXISTS temp.reading_vocab USING "
               f"fts5vocab(main, {READING_TABLE}, 'instance')")
    try:
        return [tuple(row) for row in db.query("SELECT * FROM temp.reading_vocab "
                                               "ORDER BY 1, 2, 3, 4")]
    finally:
        db.execute("DROP TABLE temp.reading_vocab")


def test_the_triggers_keep_the_index_of_titles_as_they_read_true(tmp_path: Path) -> None:
    db = make_db(tmp_path / "r.db")
    db.execute("UPDATE games SET detected_title = 'Hunt, The', title_norm = 'hunt the' "
               "WHERE id = 5")
    db.execute("UPDATE games SET detected_title = 'Hunt for Red October', "
               "title_norm = 'hunt for red october' WHERE id = 4")
    db.execute("UPDATE games SET catalog_name = 'Zelda, The' WHERE id = 3")
    db.execute("UPDATE games SET matched_game_id = NULL WHERE id = 2")
    db.execute("DELETE FROM games WHERE id = 1")
    assert found(db, '"the hunt"') == [5]
    assert found(db, '"the zelda"') == [3]
    assert found(db, '"the legend"') == [3]  # (as written: "Zelda - The Legend Begins")
    assert search_index_problem(db) is None
    kept = vocabulary(db)
    assert {row[1] for row in kept} == {3, 5}
    rebuild_search_index(db)
    assert vocabulary(db) == kept  # (a delete of values never indexed would have left some)
    db.execute("INSERT INTO games_fts_reading (games_fts_reading) VALUES ('integrity-check')")


def test_db_check_finds_a_title_missing_from_the_index_of_titles_as_they_read(
        tmp_path: Path) -> None:
    db = make_db(tmp_path / "r.db")
    db.execute(f"INSERT INTO {READING_TABLE} ({READING_TABLE}, rowid, detected_title, "
               "catalog_title) VALUES ('delete', 4, 'the hunt for red october', NULL)")
    assert search_index_problem(db) == "search index holds 2 titles as they read of 3"
    assert found(db, '"the hunt"') == []
    rebuild_search_index(db)
    assert search_index_problem(db) is None
    assert found(db, '"the hunt"') == [4]


def test_the_migration_indexes_the_games_there_are_as_they_read(tmp_path: Path) -> None:
    path = tmp_path / "v31.db"
    old = Database(path)
    migrate(old, target=31)
    if "games_fts" not in old.table_names():
        pytest.skip("this SQLite has no FTS5")
    old.execute("INSERT INTO library_roots (path) VALUES ('/roms')")
    old.executemany(
        "INSERT INTO games (id, root_id, filepath, file_size, platform_id, detected_title, "
        "title_norm, matched_game_id, catalog_name) VALUES (?, 1, ?, 1, 'snes', ?, rr_fold(?), "
        "?, ?)",
        [(1, "1.sfc", "Legend of Zelda, The", "Legend of Zelda, The", None, None),
         (2, "2.sfc", "puckman", "puckman", "mame:puckman", "PuckMan, The (Japan set 1)"),
         (3, "3.sfc", "Super Mario World", "Super Mario World", None, None)])
    index_games(old, 1)
    old.close()
    db = open_database(path, OpenMode.WRITE).db
    assert db.scalar("SELECT schema_version FROM schema_version") == LATEST_VERSION
    assert found(db, '"the legend"') == [1]
    assert found(db, '"the puckman"') == [2]  # (its tags are no words: schema 37)
    migrated = vocabulary(db)
    assert {row[1] for row in migrated} == {1, 2}
    assert search_index_problem(db) is None
    rebuild_search_index(db)
    assert vocabulary(db) == migrated


def test_db_check_finds_a_damaged_index_of_titles_as_they_read_and_a_rebuild_mends_it(
        tmp_path: Path) -> None:
    db = make_db(tmp_path / "r.db")
    for row, size in db.query(f"SELECT id, length(block) FROM {READING_TABLE}_data "
                              "WHERE id > 10"):  # (its segments' blocks)
        db.execute(f"UPDATE {READING_TABLE}_data SET block = ? WHERE id = ?",
                   (b"\xff" * size, row))
    problem = search_index_problem(db)
    assert problem is not None and problem.startswith("search index damaged"), problem
    with pytest.raises(CorruptDatabaseError, match="`romrunner db repair` rebuilds it"):
        found(db, '"the hunt"')  # (not "restore a backup": it is rebuilt losing nothing)
    rebuild_search_index(db)
    assert search_index_problem(db) is None
    assert found(db, '"the hunt"') == [4]


def test_the_migration_computes_the_reading_as_the_index_writer_does() -> None:
    """Migration 0032's SQL is :func:`reading_rows_sql`'s, for the games there are, a deleted
    or updated game's old values and an updated game's new ones (a trigger that computed
    another reading than the writer's would delete values never indexed: a damaged index)."""
    migration = next(m for m in load_migrations() if m.version == 32)
    text = " ".join(migration.sql.split())

    def catalog(row: str) -> str:
        return f"coalesce({row}.catalog_name, {row}.catalog_title)"
    for sql in (reading_rows_sql("id", "detected_title", "coalesce(catalog_name, catalog_title)",
                                 "FROM games"),
                reading_rows_sql("old.id", "old.detected_title", catalog("old"),
                                 lead="'delete', "),
                reading_rows_sql("new.id", "new.detected_title", catalog("new"))):
        assert " ".join(sql.split()) in text
    assert text.count("'delete', k, a, b") == 2


@pytest.mark.parametrize("dropped", [
    [READING_TABLE],
    # (migration 32 run by an SQLite without FTS5 on a file that had the search index)
    [READING_TABLE, "games_fts_reading_delete", "games_fts_reading_update"],
    ["games_fts", READING_TABLE],
], ids=["reading-table", "reading-table-and-triggers", "both-tables"])
def test_a_missing_search_table_is_named_by_check_and_made_again_by_repair(
        tmp_path: Path, dropped: list[str]) -> None:
    """review38b F2: a schema-32 database without its index of titles as they read (dropped
    by hand, or never made): `db check` said ok, `db repair` did not make it, a quoted phrase
    failed "no such table" and so did every write of a title (its triggers are on games)."""
    from romrunner.store.integrity import check_database
    from romrunner.store.maintenance import repair_derived

    whole = vocabulary(make_db(tmp_path / "whole.db"))
    db = make_db(tmp_path / "r.db")
    for name in dropped:
        db.execute(f"DROP {'TRIGGER' if name.endswith(('_delete', '_update')) else 'TABLE'} "
                   f"{name}")
    if "games_fts" not in dropped:  # (searches read the titles as they read from the rows)
        assert found(db, '"the legend"') == [1, 2, 3]
        assert found(db, '"zelda a link"') == [1, 2]
        assert found(db, '"the legend" -"a link to"') == [3]
        assert found(db, 'zelda -"the legend of"') == [3]
    tables = " and ".join(name for name in ("games_fts", READING_TABLE) if name in dropped)
    problem = search_index_problem(db)
    assert problem == f"search index table {tables} {'are' if ' and ' in tables else 'is'} " \
        "missing", problem
    assert not check_database(db).ok
    if not any(name.endswith("_delete") for name in dropped):  # (its triggers left on games)
        said = r"the search index of titles is missing \(.*\); `romrunner db repair` makes"
        with pytest.raises(CorruptDatabaseError, match=said), db.atomic():
            db.execute("UPDATE games SET detected_title = 'Hunt, The' WHERE id = 5")
    result = repair_derived(db)
    assert {f"table {name}" for name in dropped if not name.endswith(("_delete", "_update"))} \
        <= set(result.objects_made), result.objects_made
    assert search_index_problem(db) is None and check_database(db).ok
    assert vocabulary(db) == whole
    db.execute("UPDATE games SET detected_title = 'Hunt, The', title_norm = 'hunt the' "
               "WHERE id = 5")  # (a write of a title: its triggers have their table again)
    assert found(db, '"the hunt"') == [4, 5]


def test_db_check_and_repair_of_a_database_without_its_reading_index(tmp_path: Path) -> None:
    """review38b F2, by the command line: the missing table named, made again, and a phrase
    search works before and after."""
    from tests.conftest import run_subprocess

    path = tmp_path / "r.db"
    make_db(path).execute(f"DROP TABLE {READING_TABLE}")
    searched = run_subprocess("--db", str(path), "--json", "search", '"the legend"')
    assert searched.code == 0, searched.err
    assert sorted(g["id"] for g in json.loads(searched.out)["data"]) == [1, 2, 3]
    check = run_subprocess("--db", str(path), "db", "check")
    said = " ".join(check.out.split())
    assert check.code == 1 and f"search index table {READING_TABLE} is missing" in said, said
    repair = run_subprocess("--db", str(path), "db", "repair")
    assert repair.code == 0 and f"made again: table {READING_TABLE}" in repair.out, repair.err
    assert run_subprocess("--db", str(path), "db", "check").code == 0
