"""A word typed without its apostrophe (`kirbys`: "Kirby's", indexed as the words "kirby s")
finds the title inside a quoted phrase and in a `-word` or `-"phrase"` left out too, in
`search` and `games ls`, with the search index, without its index of titles as they read,
and without FTS5 (review47d F6: bare words only, and the LIKE fallback not at all)."""

from __future__ import annotations

from pathlib import Path

import pytest

from romrunner.library.query import query_games
from romrunner.search.games import fts_phrase, phrase_forms, search_games
from romrunner.search.index import READING_TABLE
from romrunner.store import Database
from tests.test_search import make_db, titles

TITLES = ["Kirby's Dream Land", "Kirby's Pinball Land", "Kirby Super Star",
          "Legend of Zelda, The - Link's Awakening", "Link's Awakening, The",
          "Links Awakening DX", "Don't Pull"]

# (typed, the titles games ls lists)
LISTED = [
    ('"kirbys dream"', ["Kirby's Dream Land"]),
    ('"kirbys dream land"', ["Kirby's Dream Land"]),
    ('"KIRBYS pinball"', ["Kirby's Pinball Land"]),
    ('"dont pull"', ["Don't Pull"]),
    ('"kirbys super"', []),  # (the "s" of "Kirby Super" is no word of its own)
    ("kirbys", ["Kirby's Dream Land", "Kirby's Pinball Land"]),
    ("kirby -kirbys", ["Kirby Super Star"]),
    ('kirby -"kirbys dream"', ["Kirby Super Star", "Kirby's Pinball Land"]),
    # (as it reads: "The Link's Awakening"; "Legend of Zelda, The - Link's" as written)
    ('"the links awakening"', ["Legend of Zelda, The - Link's Awakening",
                               "Link's Awakening, The"]),
    ('awakening -"the links awakening"', ["Links Awakening DX"]),
    ("awakening -links", []),
]


def _db(tmp_path: Path, mode: str) -> Database:
    db = make_db(tmp_path / "a.db", TITLES)
    if mode == "no-fts":
        db.execute("DROP TABLE games_fts")  # (SQLite without FTS5: the LIKE tests)
    elif mode == "no-reading-index":
        db.execute(f"DROP TABLE {READING_TABLE}")
    return db


@pytest.mark.parametrize("mode", ["fts", "no-reading-index", "no-fts"])
@pytest.mark.parametrize(("typed", "expected"), LISTED)
def test_games_ls_finds_a_word_without_its_apostrophe_in_phrases_and_left_out_words(
        tmp_path: Path, mode: str, typed: str, expected: list[str]) -> None:
    db = _db(tmp_path, mode)
    listed = query_games(db, typed, limit=50, known_platforms={"snes"})
    assert sorted(row["detected_title"] for row in listed.rows) == sorted(expected), typed


@pytest.mark.parametrize("mode", ["fts", "no-reading-index"])
@pytest.mark.parametrize(("typed", "expected"), LISTED)
def test_search_finds_a_word_without_its_apostrophe_in_phrases_and_left_out_words(
        tmp_path: Path, mode: str, typed: str, expected: list[str]) -> None:
    db = _db(tmp_path, mode)
    assert sorted(titles(search_games(db, typed, limit=50))) == sorted(expected), typed


@pytest.mark.parametrize(("typed", "expected"), [
    ("kirby -kirbys", ["Kirby Super Star"]),
    ('kirby -"kirbys dream"', ["Kirby Super Star", "Kirby's Pinball Land"])])
def test_search_without_fts5_leaves_out_a_word_without_its_apostrophe(
        tmp_path: Path, typed: str, expected: list[str]) -> None:
    """Without FTS5 search runs its first tier alone (titles starting with the words): the
    left-out words are its LIKE tests."""
    db = _db(tmp_path, "no-fts")
    assert sorted(titles(search_games(db, typed, limit=50))) == sorted(expected), typed


def test_a_phrase_has_a_form_for_each_word_without_its_apostrophe_up_to_four() -> None:
    """Each such word doubles the forms of a phrase: the first four are split, the rest
    taken as typed (16 FTS5 phrases at most); a split last word is no prefix."""
    assert fts_phrase("kirbys dream") == '("kirbys dream"* OR "kirby s dream"*)'
    assert fts_phrase("dream kirbys") == '("dream kirbys"* OR "dream kirby s")'
    assert fts_phrase("zelda link") == '"zelda link"*'
    forms = phrase_forms("aas bbs ccs dds ees")
    assert len(forms) == 16 and all(form.words[-1] == "ees" for form in forms)
    assert phrase_forms("") == [] and fts_phrase("") is None


@pytest.mark.parametrize(("typed", "left"), [
    ('-"kirbys dream"', "Kirby's Dream Land"),  # (two forms: one JSON list of patterns)
    ('-"kirby super"', "Kirby Super Star"),  # (one form)
    ('-"the links awakening"', "Link's Awakening, The"),  # (as it reads only)
])
def test_a_left_out_phrase_without_fts5_reads_only_the_titles_with_its_words(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, typed: str, left: str) -> None:
    """review49c F1: in a left-out phrase's `NOT coalesce(…, 0)` SQLite evaluated both sides
    of the phrase's AND and OR, so every title was read as it reads (its row looked up, its
    reading computed, the patterns' JSON parsed), its words test gating nothing: about 45%
    slower at 12,000 rows. Only a title holding each word is read now."""
    from romrunner.search import games

    reading_sql = games.reading_sql
    monkeypatch.setattr(games, "reading_sql", lambda title: f"p50d_read({reading_sql(title)})")
    db = _db(tmp_path, "no-fts")
    read: list[object] = []
    db.conn.create_function("p50d_read", 1, lambda reading: read.append(reading) or reading)
    listed = query_games(db, typed, limit=50, known_platforms={"snes"})
    assert left not in [row["detected_title"] for row in listed.rows]
    assert len(listed.rows) == len(TITLES) - (2 if "links" in typed else 1), listed.rows
    assert len(read) <= 2, read  # (not the 7 titles)
    db.close()
