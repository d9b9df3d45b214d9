"""A search or query too long for SQLite: answered up to its caps, in every mode (the search
index, without its index of titles as they read, without FTS5), and beyond them one line
that says what is too long, never SQLite's own error naming the database (review48c F2, F4:
the forms of a word typed without its apostrophe made the SQL of each phrase 16 times
larger, and 32 left-out phrases of four such words reached SQLite's depth of 1,000)."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path
from typing import Any

import pytest

from romrunner.errors import InputError
from romrunner.library import query
from romrunner.search import games
from romrunner.search.games import like_phrase_sql, search_games
from romrunner.search.index import READING_TABLE
from romrunner.store import Database
from tests.test_search import make_db, titles

TITLES = ["Kirby's Dream Land", "Kirby Super Star"]
MODES = ("fts", "no-reading-index", "no-fts")


def _db(path: Path, mode: str) -> Database:
    db = make_db(path, TITLES)
    if mode == "no-fts":
        db.execute("DROP TABLE games_fts")  # (SQLite without FTS5: the LIKE tests)
    elif mode == "no-reading-index":
        db.execute(f"DROP TABLE {READING_TABLE}")  # (what `db check` names, `db repair` mends)
    return db


def _left_out(phrases: int) -> str:
    """``kirby`` and ``phrases`` left-out phrases of four words without their apostrophe
    (16 forms each)."""
    return "kirby " + " ".join(f'-"a{i}s bbs ccs dds"' for i in range(phrases))


def _one_line_error(result: Any) -> str:
    assert result.code != 0 and result.out == ""
    lines = result.err.strip().splitlines()
    assert len(lines) == 1, result.err
    assert "Traceback" not in result.err and ".db" not in result.err, result.err
    return lines[0]


def test_search_without_the_reading_index_answers_many_left_out_phrases(
        cli: Any, db_path: Path) -> None:
    """review48c F2: `error: …/library.db: Expression tree is too large (maximum depth
    1000)` where the parent of ebf1185e listed both games."""
    _db(db_path, "no-reading-index").close()
    result = cli("--json", "search", _left_out(32))
    assert result.code == 0, result.err
    assert sorted(row["detected_title"] for row in result.json()["data"]) == sorted(TITLES)


def test_search_and_games_ls_answer_up_to_their_caps_in_every_mode(tmp_path: Path) -> None:
    """497 words (124 left-out phrases of four such words) and a left-out word of 5,000
    characters: each mode answers (the reading index's absence failed at 32 phrases)."""
    from romrunner.library.query import query_games

    for mode in MODES:
        db = _db(tmp_path / f"{mode}.db", mode)
        for typed in (_left_out(124), "kirby -" + "x" * 4_999):
            assert sorted(titles(search_games(db, typed, limit=50))) == sorted(TITLES), mode
            listed = query_games(db, typed, limit=50, known_platforms={"snes"})
            assert sorted(row["detected_title"] for row in listed.rows) == sorted(TITLES), mode
        db.close()


@pytest.mark.parametrize(("mode", "typed", "said"), [
    # (SQLite's own errors at origin/main: an expression too deep; a LIKE pattern too long)
    ("fts", "kirby " + " ".join(f'"a{i}s bbs ccs dds"' for i in range(1_000)),
     "search: 4,001 words; at most 500"),
    ("no-reading-index", _left_out(200), "search: 801 words; at most 500"),
    ("no-fts", "kirby " + " ".join(f"-w{i}s" for i in range(1_000)),
     "search: 1,001 words; at most 500"),
    ("no-fts", "kirby -" + "x" * 60_000,
     "search: a word or phrase of 60,000 characters; at most 5,000"),
])
def test_a_search_too_long_is_one_line_that_says_so(cli: Any, db_path: Path, mode: str,
                                                     typed: str, said: str) -> None:
    _db(db_path, mode).close()
    assert _one_line_error(cli("search", typed)) == f"error: {said}"


def test_a_query_word_too_long_for_a_like_pattern_is_one_line(cli: Any, db_path: Path) -> None:
    """Without FTS5 a free word is a LIKE pattern, which SQLite refuses past 50,000 bytes:
    `games ls` said "…/library.db: LIKE or GLOB pattern too complex"."""
    _db(db_path, "no-fts").close()
    line = _one_line_error(cli("games", "ls", "kirby" + "s" * 60_000))
    assert line.startswith("error: query: kirbysss") and line.endswith(
        ": a word or phrase of 60,005 characters; at most 5,000"), line


def test_sqlite_refusing_a_statement_too_large_is_one_line_that_says_so(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Past the cap (raised here), what SQLite refuses is said as the query's length, not as
    an error of the database file."""
    monkeypatch.setattr(query, "MAX_QUERY_VALUES", 100_000)
    db = _db(tmp_path / "a.db", "no-fts")
    with pytest.raises(InputError, match=r"^search: the query is too long for SQLite "
                       r"\(Expression tree is too large"):
        search_games(db, "kirby " + " ".join(f"-w{i}s" for i in range(3_000)))


def test_the_sql_of_a_phrase_without_fts5_grows_with_its_words_not_its_forms() -> None:
    """review48c F4: each of a phrase's 16 forms repeated the reading's SQL (29,790
    characters and 128 parameters for four such words, 1,768 and 6 before the forms)."""
    two, two_params = like_phrase_sql("kings knights")  # (4 forms)
    four, four_params = like_phrase_sql("kings knights dragons demons")  # (16 forms)
    assert len(four) < len(two) + 2 * 200 and len(four) < 3_000, len(four)
    # (each word's needles, as typed and split, then the forms' patterns, one JSON list)
    assert len(two_params) == 3 * 2 + 2 and len(four_params) == 3 * 4 + 2, four_params
    sql, params = games._read_ids(["kirbys dream"], False)
    many, many_params = games._read_ids([f"a{i}s bbs ccs dds" for i in range(32)], False)
    assert many == sql and len(many_params) == len(params)


def test_a_left_out_word_too_long_is_said_as_typed_and_a_stored_one_shortened(
        cli: Any, db_path: Path) -> None:
    """review49c F3: a left-out word over the cap was said without its `-`; F2: `collection
    show` of a smart collection storing one quoted its whole query (6,255 characters)."""
    _db(db_path, "no-fts").close()
    line = _one_line_error(cli("games", "ls", "kirby -" + "x" * 6_000))
    assert line.startswith("error: query: -xxx"), line[:40]
    with sqlite3.connect(db_path) as conn:  # (stored before the cap existed)
        conn.execute("INSERT INTO collections (name, collection_type, rules_json) VALUES "
                     "('longw', 'auto', ?)", (json.dumps({"query": "kirby -" + "x" * 6_000}),))
    shown = _one_line_error(cli("collection", "show", "longw"))
    assert "its stored query `kirby -xxx" in shown and len(shown) < 1_000, len(shown)


def test_search_and_a_query_are_held_to_the_same_caps(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """p50d: the caps were stated twice (search's 500 words and 5,000 characters, the query's
    500 values): one place defines them, so a change to one moves both."""
    monkeypatch.setattr(query, "MAX_QUERY_VALUES", 3)
    monkeypatch.setattr(query, "LONGEST_PHRASE", 10)
    db = _db(tmp_path / "a.db", "fts")
    long = "kirby -" + "x" * 11
    for typed, searched, queried in (
            ("kirby a b c", "4 words; at most 3", "4 terms, values and words; at most 3 "),
            (long, "a word or phrase of 11 characters", "-xxxxxxxxxxx…: a word or phrase of 11 "
             "characters")):
        with pytest.raises(InputError, match=f"^search: {searched}"):
            search_games(db, typed)
        with pytest.raises(query.QueryError, match=f"^query: {queried}"):
            query.parse_query(typed)
    assert sorted(titles(search_games(db, "kirby -" + "x" * 10))) == sorted(TITLES)  # (at both)
    db.close()
