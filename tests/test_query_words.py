"""Free words of a query against a brute-force fold of every title, on a real small database.

The query's free words go to the search index (word prefixes, every word required, in either
title); whichever way a page is computed (the index driving, the sort's index driving, the
matches read once per page), the pages must list exactly the games a plain Python fold of the
titles selects, in the sort's order.
"""

from __future__ import annotations

import random
from pathlib import Path
from typing import Any

import pytest

from romrunner.library.query import query_games
from romrunner.search.index import has_marked, index_games
from romrunner.store import Database
from romrunner.store.open import OpenMode, open_database
from romrunner.textnorm import fold, is_unspaced_character

WORDS = ("super", "superman", "supersonic", "supe", "sup", "suplex", "mario", "marios",
         "kart", "zelda", "legend", "world", "star", "starfox", "fighter", "fight", "2",
         "64", "iii", "pokémon", "straße", "ゲーム", "ボーイ", "ゲームボーイ", "Ünïcødé",
         "o'brien", "x-men", "100%", "_under_", "tetris", "тетрис")
PLATFORMS = ("nes", "snes", "gba")
REGIONS = ("USA", "Europe", "Japan", "USA, Europe")


def _title(rng: random.Random) -> str:
    return " ".join(rng.choice(WORDS) for _ in range(rng.randint(1, 4))).title()


def make_games(path: Path, count: int = 600, seed: int = 7, *,
               writers: bool = False) -> Database:
    """A real database of ``count`` games with titles built from :data:`WORDS`; their
    ``title_norm`` folds the catalog title when there is one, or, as the scan writer stores
    it (``writers``), always the detected title, and then none is marked in the search index
    (the query tests words on ``title_norm`` for all but the marked ones)."""
    rng = random.Random(seed)
    db = open_database(path, OpenMode.WRITE).db
    rows = []
    for n in range(1, count + 1):
        detected = _title(rng)
        catalog = _title(rng) if rng.random() < 0.3 else None
        platform = rng.choice(PLATFORMS)
        matched = f"{platform}:{catalog}" if catalog else None  # catalog_title derives from it
        rows.append((n, f"g{n}.x", rng.randint(1, 10**6), platform,
                     detected, matched, detected if writers else catalog or detected,
                     rng.choice(REGIONS),
                     int(rng.random() < 0.1)))
    with db.atomic():
        db.execute("INSERT INTO library_roots (path) VALUES ('/roms')")
        db.executemany(
            "INSERT INTO games (id, root_id, filepath, file_size, platform_id, "
            "detected_title, matched_game_id, title_norm, region, is_hack) "
            "VALUES (?, 1, ?, ?, ?, ?, ?, rr_fold(?), ?, ?)", rows)
        index_games(db, 1)
    return db


def _matches(words: list[str], titles: list[str | None]) -> bool:
    """Brute force: every typed word is a prefix of a word of either folded title; a run of
    Chinese/Japanese characters is those characters in that order in one title."""
    token_lists = [(fold(t) or "").split() for t in titles if t]
    typed = (fold(" ".join(words)) or "").split()
    groups: list[tuple[list[str], bool]] = []  # (tokens, is a prefix)
    for word in typed:
        if is_unspaced_character(word):
            if groups and not groups[-1][1]:
                groups[-1][0].append(word)
            else:
                groups.append(([word], False))
        else:
            groups.append(([word], True))
    for tokens, prefix in groups:
        if prefix:
            found = any(t.startswith(tokens[0]) for ts in token_lists for t in ts)
        else:
            found = any(ts[i:i + len(tokens)] == tokens for ts in token_lists
                        for i in range(len(ts)))
        if not found:
            return False
    return True


def brute_force(db: Database, words: list[str], negated: list[str],
                condition: Any = None) -> list[int]:
    """The ids the query selects, by title order, computed in Python over every row."""
    rows = [dict(r) for r in db.query(
        "SELECT id, detected_title, catalog_title, title_norm, platform_id, region, is_hack "
        "FROM games")]
    chosen = [r for r in rows
              if (not words or _matches(words, [r["detected_title"], r["catalog_title"]]))
              and not any(_matches([w], [r["detected_title"], r["catalog_title"]])
                          for w in negated)
              and (condition is None or condition(r))]
    return [r["id"] for r in sorted(chosen, key=lambda r: (r["title_norm"] or "", r["id"]))]


def walk(db: Database, text: str, page: int, **kwargs: Any) -> list[int]:
    """Every id of the query, page after page through the cursors."""
    seen: list[int] = []
    after = None
    while True:
        result = query_games(db, text, limit=page, after=after, **kwargs)
        seen += [row["id"] for row in result.rows]
        assert result.total >= len(seen) or not result.total_exact
        after = result.next_cursor
        if after is None:
            return seen


@pytest.fixture(scope="module", params=["catalog-norm", "writers-norm"])
def games_db(tmp_path_factory: pytest.TempPathFactory, request: pytest.FixtureRequest) -> Database:
    writers = request.param == "writers-norm"
    db = make_games(tmp_path_factory.mktemp("words") / "lib.db", writers=writers)
    assert has_marked(db) is not writers  # both ways of testing a word are exercised
    return db


QUERIES: list[tuple[str, list[str], list[str], Any]] = [
    ("super", ["super"], [], None),
    ("supe", ["supe"], [], None),
    ("superm", ["superm"], [], None),
    ("SUPER mario", ["super", "mario"], [], None),
    ("fight -fighter", ["fight"], ["fighter"], None),
    ("pokemon", ["pokemon"], [], None),
    ("strasse", ["strasse"], [], None),
    ("ゲーム", ["ゲーム"], [], None),
    ("ーム", ["ーム"], [], None),
    ("unicode", ["unicode"], [], None),
    ("тетр", ["тетр"], [], None),
    ("x men", ["x", "men"], [], None),
    ("o brien", ["o", "brien"], [], None),
    ("super platform:nes region:usa -flag:hack", ["super"], [],
     lambda r: r["platform_id"] == "nes" and "USA" in r["region"].split(", ")
     and not r["is_hack"]),
    ("legend platform:snes,gba", ["legend"], [],
     lambda r: r["platform_id"] in ("snes", "gba")),
    ("starfox", ["starfox"], [], None),
    ("nothingatall", ["nothingatall"], [], None),
]


@pytest.mark.parametrize(("text", "words", "negated", "condition"), QUERIES,
                         ids=[q[0] for q in QUERIES])
@pytest.mark.parametrize("drive_limit", [0, 40, 5_000])
def test_free_words_select_what_a_brute_force_fold_selects(
        games_db: Database, text: str, words: list[str], negated: list[str],
        condition: Any, drive_limit: int) -> None:
    expected = brute_force(games_db, words, negated, condition)
    assert walk(games_db, text, 7, fts_drive_limit=drive_limit) == expected
    first = query_games(games_db, text, limit=7, fts_drive_limit=drive_limit,
                        exact_count=True)
    assert (first.total, first.total_exact) == (len(expected), True)


def test_the_brute_force_itself_finds_common_and_rare_words(games_db: Database) -> None:
    """The comparison above means something: common words match many games, and a word
    prefix is not a substring (``uper`` is inside ``super`` but starts no word)."""
    assert len(brute_force(games_db, ["super"], [])) > 100
    assert brute_force(games_db, ["uper"], []) == []
    assert walk(games_db, "uper", 50) == []


def _holds_phrase(phrase: str, titles: list[str | None]) -> bool:
    """Brute force: the folded words of ``phrase`` in that order in one folded title, the
    last one as a prefix."""
    wanted = (fold(phrase) or "").split()
    for title in titles:
        tokens = (fold(title) or "").split() if title else []
        for i in range(len(tokens) - len(wanted) + 1):
            window = tokens[i:i + len(wanted)]
            if window[:-1] == wanted[:-1] and window[-1].startswith(wanted[-1]):
                return True
    return False


@pytest.mark.parametrize(("text", "words", "phrase", "negated"), [
    ('super -"super mario"', ["super"], "super mario", True),
    ('mario -"mario kart"', ["mario"], "mario kart", True),
    ('"legend star"', [], "legend star", False),
    ('"super mar"', [], "super mar", False),
])
def test_a_quoted_free_word_is_a_phrase_as_in_search(
        games_db: Database, text: str, words: list[str], phrase: str, negated: bool) -> None:
    """QA63 F1: `games ls castlevania -"castlevania sorrow"` left out "Castlevania - Aria of
    Sorrow" (every title holding both words), where `search` leaves out only the titles
    holding the phrase; a quoted free word is that phrase in both."""
    rows = [dict(r) for r in games_db.query(
        "SELECT id, detected_title, catalog_title, title_norm FROM games")]

    def ids(keep: Any) -> list[int]:
        chosen = [r for r in rows if keep([r["detected_title"], r["catalog_title"]])]
        return [r["id"] for r in sorted(chosen, key=lambda r: (r["title_norm"] or "", r["id"]))]

    def as_phrase(titles: list[str | None]) -> bool:
        return _holds_phrase(phrase, titles)

    def as_words(titles: list[str | None]) -> bool:  # (every word anywhere: the old reading)
        return _matches(phrase.split(), titles)

    def selected(held: Any) -> list[int]:
        return ids(lambda t: (not words or _matches(words, t)) and held(t) != negated)

    expected = selected(as_phrase)
    assert expected and expected != selected(as_words)  # (the cases tell the two apart)
    for drive_limit in (0, 5_000):
        assert walk(games_db, text, 7, fts_drive_limit=drive_limit) == expected
