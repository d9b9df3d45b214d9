"""Issue 12 item 15: folding keeps the letters of every script, search finds them, and an
old database's folded data (search index, title keys, catalog names) is rebuilt."""

from __future__ import annotations

import re
import unicodedata
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from romrunner.search.games import fts_query, search_games
from romrunner.search.index import index_games
from romrunner.store import Database
from romrunner.store.migrate import LATEST_VERSION, current_version, migrate
from romrunner.store.open import OpenMode, open_database
from romrunner.textnorm import fold

TITLES = ["Die Straße", "Æon Flux", "Ünïcødé Quest", "日本語のゲーム", "ゲームボーイ ギャラリー",
          "Супер Тетрис", "Ελληνικά Παιχνίδια", "スーパーマリオ・ワールド", "Tetris",
          "鬼武者3", "ＡＢＣ Ｇａｍｅ"]


def old_fold(text: str | None) -> str | None:
    """textnorm.fold as it was before migration 0008 (to build an old-shape database)."""
    if text is None:
        return None
    if not text.isascii():
        decomposed = unicodedata.normalize("NFKD", text)
        text = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return re.sub(r"[^0-9a-z]+", " ", text.lower()).strip()


@pytest.mark.parametrize(("text", "folded"), [
    ("Straße", "strasse"), ("Æon", "aeon"), ("Ünïcødé", "unicode"), ("ŒUVRE", "oeuvre"),
    ("Pokémon - Red Version", "pokemon red version"), ("Тетрис Ёлка", "тетрис елка"),
    ("Ελληνικά", "ελληνικα"), ("日本語", "日 本 語"), ("ゲーム", "ゲ ー ム"),
    ("ｹﾞｰﾑ", "ゲ ー ム"), ("ＡＢＣ１２", "abc12"), ("Final Fantasy Ⅶ", "final fantasy vii"),
    ("한국어 게임", "한국어 게임"), ("हिन्दी", "हिन्दी"), ("Zelda_2 [!]", "zelda 2"),
    ("・・・", ""), ("", ""),
])
def test_fold_keeps_letters_of_every_script(text: str, folded: str) -> None:
    assert fold(text) == folded


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=30))
def test_fold_is_stable_and_ascii_unchanged(text: str) -> None:
    folded = fold(text)
    assert folded is not None and fold(folded) == folded  # idempotent: a query folds the same
    assert folded == " ".join(folded.split())
    if text.isascii() and "\x1b" not in text:
        # every ASCII name keeps its stored key (one holding a terminal escape sequence is
        # folded otherwise since schema v1.3.17, whose migration folds its title again)
        assert folded == old_fold(text)


def make_db(path: Path, titles: list[str]) -> Database:
    db = open_database(path, OpenMode.WRITE).db
    with db.atomic():
        db.execute("INSERT INTO library_roots (path) VALUES ('/roms')")
        db.executemany(
            "INSERT INTO games (root_id, filepath, file_size, platform_id, "
            "detected_title, title_norm) VALUES (1, ?, 1, 'snes', ?, rr_fold(?))",
            [(f"{t}.sfc", t, t) for t in titles])
        index_games(db, 1)
    return db


def found(db: Database, text: str) -> list[str]:
    return [row["detected_title"] for row in search_games(db, text)]


SEARCHES = [
    ("strasse", ["Die Straße"]), ("STRAßE", ["Die Straße"]), ("aeon", ["Æon Flux"]),
    ("Æon", ["Æon Flux"]), ("unicode", ["Ünïcødé Quest"]), ("ünï", ["Ünïcødé Quest"]),
    ("日本", ["日本語のゲーム"]),                        # a prefix of the title
    ("ゲーム", ["ゲームボーイ ギャラリー", "日本語のゲーム"]),  # title prefix first, then inside
    ("ボーイ", ["ゲームボーイ ギャラリー"]),              # inside a word-less run
    ("ｹﾞｰﾑﾎﾞｰｲ", ["ゲームボーイ ギャラリー"]),            # half-width as typed on some keyboards
    ("マリオ ワールド", ["スーパーマリオ・ワールド"]), ("武者", ["鬼武者3"]),
    ("тетр", ["Супер Тетрис"]), ("СУПЕР", ["Супер Тетрис"]),
    ("παιχνιδια", ["Ελληνικά Παιχνίδια"]), ("abc game", ["ＡＢＣ Ｇａｍｅ"]),
]


@pytest.mark.parametrize(("text", "expected"), SEARCHES)
def test_every_script_is_findable(tmp_path: Path, text: str, expected: list[str]) -> None:
    db = make_db(tmp_path / "s.db", TITLES)
    assert found(db, text) == expected


def test_a_cjk_run_is_one_phrase_and_operators_stay_words() -> None:
    assert fts_query("ゲーム") == '"ゲ ー ム"'
    assert fts_query("ff7 ゲーム x") == '"ff7"* "ゲ ー ム" "x"*'
    assert fts_query('マ" OR *') == '"マ" "or"*'


def test_index_follows_title_changes_and_deletes(tmp_path: Path) -> None:
    db = make_db(tmp_path / "s.db", TITLES)
    with db.atomic():
        db.execute("UPDATE games SET matched_game_id = 'snes:ドラゴンクエスト' "  # its title
                   "WHERE detected_title = 'Tetris'")
        db.execute("DELETE FROM games WHERE detected_title = 'Die Straße'")
    assert found(db, "クエスト") == ["Tetris"]
    assert found(db, "strasse") == []
    db.execute("INSERT INTO games_fts (games_fts) VALUES ('integrity-check')")


def old_shape_database(path: Path) -> Database:
    """A database at the last schema before 0008, with rows folded the old way: the search
    index with the old unicode61 folding, title keys and catalog names by the old fold."""
    db = Database(path)
    migrate(db, target=7)
    assert current_version(db) == 7
    with db.atomic():
        db.execute("INSERT INTO library_roots (path) VALUES ('/roms')")
        db.executemany(
            "INSERT INTO games (root_id, filepath, filename, file_size, platform_id, "
            "detected_title, title_norm) VALUES (1, ?, ?, 1, 'snes', ?, ?)",
            [(f"{t}.sfc", f"{t}.sfc", t, old_fold(t)) for t in TITLES])
        if "games_fts" in db.table_names():  # the old scan writer's statement
            db.execute("INSERT INTO games_fts (rowid, detected_title, catalog_title) "
                       "SELECT id, detected_title, catalog_title FROM games")
        db.execute("INSERT INTO catalog_sources (name, platform_id, format, path, file_sha1) "
                   "VALUES ('Nintendo - Super Famicom', 'snes', 'clrmamepro', 'x.dat', 'ab')")
        db.executemany("INSERT INTO catalog_games (source_id, game_id, platform_id, name, "
                       "title_norm) VALUES (1, ?, 'snes', ?, ?)",
                       [(f"g{n}", name, old_fold(name)) for n, name in
                        enumerate(["Die Straße (Germany)", "Super Mario World (USA)",
                                   "ゼルダの伝説 (Japan)"])])
    return db


def test_migration_rebuilds_everything_folded(tmp_path: Path) -> None:
    path = tmp_path / "old.db"
    old = old_shape_database(path)
    assert old.scalar("SELECT title_norm FROM games WHERE detected_title = '日本語のゲーム'") == ""
    old.close()
    db = open_database(path, OpenMode.WRITE).db  # a writing command migrates
    assert current_version(db) == LATEST_VERSION
    keys = {row["detected_title"]: row["title_norm"]
            for row in db.query("SELECT detected_title, title_norm FROM games")}
    assert keys == {title: fold(title) for title in TITLES}
    names = {row["name"]: row["title_norm"]
             for row in db.query("SELECT name, title_norm FROM catalog_games")}
    assert names == {name: fold(name) for name in names}
    assert names["ゼルダの伝説 (Japan)"] == "ゼ ル ダ の 伝 説 japan"
    if "games_fts" not in db.table_names():
        pytest.skip("this SQLite has no FTS5: the title-prefix search is all there is")
    db.execute("INSERT INTO games_fts (games_fts) VALUES ('integrity-check')")
    for text, expected in SEARCHES:
        assert found(db, text) == expected, text
    # The new triggers keep the rebuilt index right.
    with db.atomic():
        db.execute("DELETE FROM games WHERE detected_title = 'Супер Тетрис'")
    assert found(db, "тетр") == []
    db.execute("INSERT INTO games_fts (games_fts) VALUES ('integrity-check')")


def test_cli_search_finds_cjk_by_a_prefix(cli: Any, db_path: Path) -> None:
    make_db(db_path, TITLES).close()
    result = cli("--json", "search", "ゲーム")
    assert result.code == 0
    assert [row["detected_title"] for row in result.json()["data"]] == [
        "ゲームボーイ ギャラリー", "日本語のゲーム"]
