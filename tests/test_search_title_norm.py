"""Migration 17: the search index's title column holds ``title_norm`` (or the folded title
and a mark, when ``title_norm`` is something else), so queries test common words on
``title_norm``; from versions 16 and 13 with rows, the same words find the same games, and
the triggers keep the index exact through updates and deletes."""

from __future__ import annotations

from pathlib import Path

import pytest

from romrunner.library.query import query_games
from romrunner.search.games import search_games
from romrunner.search.index import MARKED, has_marked
from romrunner.store import Database, OpenMode, open_database
from romrunner.store.integrity import check_database
from romrunner.store.migrate import LATEST_VERSION, current_version, migrate
from tests.test_migrations import normalised_schema

# id, filepath, detected_title, title_norm (as that version's writers stored it)
ROWS = [
    (1, "nes/Super Mario Bros (USA).nes", "Super Mario Bros", "super mario bros"),
    (2, "nes/Superman (USA).nes", "Superman", "superman"),
    # No title parsed: migrations 4 and 8 fold the file name into title_norm, which the
    # search index never held: the word "zapper" must still find nothing.
    (3, "nes/zapper.nes", None, "zapper"),
    (4, "nes/Tetris.nes", "Tetris", "tetris"),
]


def _insert_rows(db: Database, version: int) -> None:
    db.execute("INSERT INTO library_roots (id, path) VALUES (1, '/roms')")
    for game_id, path, title, norm in ROWS:
        # Tetris is identified: its catalog title has a word its own title lacks.
        matched = "nes:Tetris Classic" if game_id == 4 else None
        if version < 14:
            db.execute("INSERT INTO games (id, root_id, filepath, filename, file_size, "
                       "platform_id, detected_title, title_norm, matched_game_id, "
                       "catalog_title) VALUES (?, 1, ?, ?, 1, 'nes', ?, ?, ?, ?)",
                       (game_id, path, path.rsplit("/", 1)[-1], title, norm, matched,
                        matched and matched.split(":", 1)[1]))
        else:
            db.execute("INSERT INTO games (id, root_id, filepath, file_size, platform_id, "
                       "detected_title, title_norm, matched_game_id) "
                       "VALUES (?, 1, ?, 1, 'nes', ?, ?, ?)",
                       (game_id, path, title, norm, matched))
    # As that version's scan writer filled the index.
    db.execute("INSERT INTO games_fts (rowid, detected_title, catalog_title) "
               "SELECT id, rr_fold(detected_title), rr_fold(catalog_title) FROM games")


def _old_database(path: Path, version: int) -> Database:
    db = Database(path)
    migrate(db, target=version)
    _insert_rows(db, version)
    db.close()
    db = open_database(path, OpenMode.WRITE).db
    assert current_version(db) == LATEST_VERSION >= 17
    return db


def _ids(db: Database, text: str) -> list[int]:
    return sorted(row["id"] for row in query_games(db, text, limit=100,
                                                   fts_drive_limit=0).rows)


@pytest.mark.parametrize("version", [13, 16])
def test_old_database_answers_the_same_words(tmp_path: Path, version: int) -> None:
    db = _old_database(tmp_path / "old.db", version)
    assert _ids(db, "super") == [1, 2]
    assert _ids(db, "platform:nes mario") == [1]
    assert _ids(db, "classic") == [4]  # the catalog title only
    assert _ids(db, "zapper") == []  # a file name's words were never searchable
    assert _ids(db, "-super") == [3, 4]
    assert [g["id"] for g in search_games(db, "classic")] == [4]
    # The game whose title_norm is not its folded title is marked, and only that one.
    assert [r["rowid"] for r in db.query("SELECT rowid FROM games_fts WHERE games_fts "
                                         "MATCH ?", (MARKED,))] == [3]
    assert check_database(db).integrity == ["ok"]
    fresh = open_database(tmp_path / "fresh.db", OpenMode.WRITE).db
    assert normalised_schema(db) == normalised_schema(fresh)


def test_triggers_keep_the_index_exact(tmp_path: Path) -> None:
    db = _old_database(tmp_path / "old.db", 16)
    with db.atomic():
        db.execute("UPDATE games SET detected_title = 'Zapper Fun', title_norm = 'zapper fun' "
                   "WHERE id = 3")  # now as the writers store it: no longer marked
    assert not has_marked(db)
    assert _ids(db, "zapper") == [3]
    with db.atomic():
        db.execute("UPDATE games SET title_norm = 'tetris' WHERE id = 1")  # not its title
    assert has_marked(db)
    assert _ids(db, "tetris") == [4] and _ids(db, "mario") == [1]
    with db.atomic():
        db.execute("UPDATE games SET matched_game_id = NULL WHERE id = 4")
        db.execute("DELETE FROM games WHERE id = 2")
    assert _ids(db, "classic") == [] and _ids(db, "super") == [1]
    # Nothing stale: every removal used the text it was added with.
    assert db.query("SELECT rowid FROM games_fts WHERE games_fts MATCH 'superman OR "
                    "classic'") == []
    db.execute("INSERT INTO games_fts (games_fts, rank) VALUES ('integrity-check', 0)")
