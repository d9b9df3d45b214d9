"""Typeahead search over the library (DECISIONS Q3).

User text never reaches FTS5 raw: it is folded by the function that folded the indexed titles
(case, diacritics, punctuation; letters of every script kept) and every word becomes a quoted
FTS5 prefix string (a run of Chinese/Japanese characters, a quoted phrase). Operators
(``AND``, ``NEAR``, ``*``, quotes) are therefore plain words, and no input can raise a SQL
error. A word written ``-word`` leaves out the titles with it (as in ``games ls``).

Ranking, with a cost that does not grow with the library:
1. titles that start with the typed text, alphabetical (an index range scan);
2. then titles with every typed word (word prefixes): ranked by BM25 when at most
   ``RANK_CAP`` games match, otherwise the most recently added first, because ranking a
   hundred thousand matches would take hundreds of milliseconds.
Without FTS5 in the linked SQLite only the first tier runs.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from typing import Any

from romrunner.errors import InputError, NotFoundError
from romrunner.packs.model import platform_hint
from romrunner.search.index import MARKED, catalog_title, has_search_index
from romrunner.store.database import Database
from romrunner.textnorm import fold, is_unspaced_character, storable

RANK_CAP = 500
UNKNOWN_PLATFORM = "unknown"  # the reserved id of files whose platform is undecided
_COLUMNS = (f"g.id, g.platform_id, g.detected_title, {catalog_title()} AS catalog_title, "
            "g.filename, "
            "g.matched_game_id, g.is_missing")
_PREFIX_END = "\U0010ffff"


@dataclass(frozen=True)
class FtsWord:
    """One required word of a search: its FTS5 term and the same test on ``title_norm``.

    The search index's title column holds ``title_norm`` (migration 0017), whose words are
    separated by single spaces, so ``instr(' ' || title_norm, needle) > 0`` (a word prefix)
    or, for a phrase, ``instr(' ' || title_norm || ' ', needle) > 0`` answers exactly what
    the term does on that column, except for the few marked games (:data:`MARKED`), which
    the title test must leave to :meth:`elsewhere`.
    """

    term: str
    needle: str
    phrase: bool

    def elsewhere(self, marked: bool) -> str:
        """The FTS5 query of the games the word matches that the title test misses: those
        whose catalog title alone has it and, when ``marked`` (:func:`has_marked`), those
        marked games it matches (their ``title_norm`` is not their folded title)."""
        catalog_only = f"(catalog_title : {self.term} NOT detected_title : {self.term})"
        if not marked:
            return catalog_only
        return f"{catalog_only} OR ({MARKED} AND {self.term})"

    def title_test(self, column: str) -> str:
        """SQL testing the word on ``column`` (a ``title_norm``); one parameter, the needle."""
        if self.phrase:
            return f"instr(' ' || {column} || ' ', ?) > 0"
        return f"instr(' ' || {column}, ?) > 0"


def fts_words(text: str) -> list[FtsWord]:
    """The required words of user ``text``: each a quoted FTS5 prefix string, and each run of
    Chinese/Japanese characters (words of their own in the index, see
    :func:`romrunner.textnorm.fold`) one phrase, so ``ゲーム`` finds the titles holding those
    characters in that order, at the start of a title or inside one. A run ends where the
    user's word does: ``ポケット 赤`` is two required runs, not one phrase (QA44 F11: the
    typed space was folded away, and the title's two words were never found together)."""
    words: list[FtsWord] = []
    for typed in text.split():
        run: list[str] = []
        for word in (fold(typed) or "").split():
            if is_unspaced_character(word):
                run.append(word)
                continue
            if run:
                words.append(FtsWord(_phrase(run), " " + " ".join(run) + " ", True))
                run = []
            words.append(FtsWord(_phrase([word]) + "*", " " + word, False))
        if run:
            words.append(FtsWord(_phrase(run), " " + " ".join(run) + " ", True))
    return words


def fts_query(text: str) -> str | None:
    """The FTS5 query for user ``text``: every word quoted, as a prefix, all required (see
    :func:`fts_words`); None when it has no word."""
    words = fts_words(text)
    return " ".join(word.term for word in words) if words else None


def _excluded_query(excluded: list[str]) -> str:
    """The FTS5 query of the titles holding one of the ``-word`` words (word prefixes) or
    ``-"two words"`` phrases (its last word a prefix)."""
    return " OR ".join(str(fts_phrase(words)) for words in excluded)


def fts_phrase(text: str) -> str | None:
    """The FTS5 query of the titles holding ``text``'s words in that order (the last one as
    a prefix), as a ``-"two words"`` term means; None when it has no word."""
    words = (fold(text) or "").split()
    return _phrase(words) + "*" if words else None


def _phrase(words: list[str]) -> str:
    return '"' + " ".join(words).replace('"', '""') + '"'


def search_games(db: Database, text: str, *, limit: int = 20, platform: str | None = None,
                 known_platforms: Collection[str] = ()) -> list[dict[str, Any]]:
    """Up to ``limit`` games for the typed ``text``, best first (see the module docstring).

    ``platform`` must be one of ``known_platforms`` (the pack's), ``unknown``, or a platform
    of some game in the library; otherwise :class:`NotFoundError` names it (a filter on a
    mistyped id would silently match nothing).
    """
    if platform is not None:
        require_platform(db, platform, known_platforms)
    text, excluded = _without_excluded(text)
    prefix = " ".join((fold(text) or "").split())
    if not prefix:  # (QA26: "no game matches", as if the library had none)
        if excluded:
            raise InputError("search: only words to leave out (-word); give a word to look "
                             "for too (`romrunner games ls -WORD` lists every other game)")
        if not text.strip():
            raise InputError("search: no word to look for (`romrunner games ls QUERY` lists "
                             "games by platform and other terms alone)")
        raise InputError(f"search: {text.strip()!r} has no letters or digits to look for")
    if limit <= 0:
        return []
    results = _title_prefix_matches(db, prefix, limit, platform, excluded)
    if len(results) < limit and has_search_index(db):
        seen = {row["id"] for row in results}
        more = _word_matches(db, text, limit - len(results) + len(seen), platform, excluded)
        results += [row for row in more if row["id"] not in seen][: limit - len(results)]
    return results


_TOKEN = re.compile(r'-"[^"]*"?|\S+')


def _without_excluded(text: str) -> tuple[str, list[str]]:
    """``text`` without its ``-word`` terms, and those words folded: ``mario -kart`` leaves
    out the titles with a word starting ``kart`` (as a query's ``-`` term is a NOT); a
    ``-"two words"`` term leaves out the titles holding that phrase (QA37 F12: its first
    word alone was left out, the others made required), and so does a word that folds to
    several (``-o'brien``, ``-ポケット``). Each is a folded phrase."""
    kept: list[str] = []
    excluded: list[str] = []
    for token in _TOKEN.findall(text):
        if token.startswith('-"'):
            phrase = " ".join((fold(token[2:].rstrip('"')) or "").split())
            if phrase:
                excluded.append(phrase)
        elif token.startswith("-") and len(token) > 1:
            # (one typed word, one phrase: `-ポケット` left out every title holding one of its
            # characters, `-o'brien` every title with a word starting "o": QA44 F12, F13)
            phrase = " ".join((fold(token[1:]) or "").split())
            if phrase:
                excluded.append(phrase)
        else:
            kept.append(token)
    return " ".join(kept), excluded


def require_platform(db: Database, platform: str, known_platforms: Collection[str]) -> None:
    """Raise :class:`NotFoundError` unless ``platform`` is a platform id anyone knows."""
    if platform in known_platforms or platform == UNKNOWN_PLATFORM:
        return
    if storable(platform) and db.query_one(
            "SELECT 1 FROM games WHERE platform_id = ? LIMIT 1", (platform,)):
        return
    if isinstance(known_platforms, Mapping) and known_platforms:  # (the pack's entries: the
        # id meant, as `games ls platform:md` says it — QA166 F9, 70 ids listed here)
        raise NotFoundError(f"unknown platform {platform!r} "
                            f"({platform_hint(platform, known_platforms)})")
    listed = ", ".join(sorted({*known_platforms, UNKNOWN_PLATFORM}))  # (all: cut at 40, it
    # left out snes; and the undecided files' own id: QA44 F4)
    raise NotFoundError(f"unknown platform {platform!r}" + (f" (known: {listed})" if listed
                                                             else ""))


def _title_prefix_matches(db: Database, prefix: str, limit: int, platform: str | None,
                          excluded: list[str]) -> list[dict[str, Any]]:
    condition = "g.title_norm >= ? AND g.title_norm < ?"
    params: list[object] = [prefix, prefix + _PREFIX_END]
    if platform:
        condition = "g.platform_id = ? AND " + condition
        params.insert(0, platform)
    if excluded and has_search_index(db):
        # the words tier's test, so `tetris -japan` leaves "Tetris (Japan)" out whichever
        # tier finds it (QA28 F6: the catalog title's words counted in one tier only)
        condition += " AND g.id NOT IN (SELECT rowid FROM games_fts WHERE games_fts MATCH ?)"
        params.append(_excluded_query(excluded))
    else:
        for word in excluded:
            condition += " AND instr(' ' || g.title_norm, ?) = 0"
            params.append(" " + word)
    rows = db.query(f"SELECT {_COLUMNS} FROM games g WHERE {condition} "
                    f"ORDER BY g.title_norm, g.id LIMIT ?", (*params, limit))
    return [{**dict(row), "match": "title"} for row in rows]


def _word_matches(db: Database, text: str, limit: int, platform: str | None,
                  excluded: list[str]) -> list[dict[str, Any]]:
    query = fts_query(text)
    if query is None:
        return []
    if excluded:
        query = f"({query}) NOT ({_excluded_query(excluded)})"
    matches = int(db.scalar("SELECT count(*) FROM (SELECT rowid FROM games_fts "
                            "WHERE games_fts MATCH ? LIMIT ?)", (query, RANK_CAP + 1)))
    if matches == 0:
        return []
    order = "f.rank" if matches <= RANK_CAP else "f.rowid DESC"
    where = "games_fts MATCH ?"
    params: list[object] = [query]
    if platform:
        where += " AND g.platform_id = ?"
        params.append(platform)
    rows = db.query(f"SELECT {_COLUMNS} FROM games_fts f JOIN games g ON g.id = f.rowid "
                    f"WHERE {where} ORDER BY {order} LIMIT ?", (*params, limit))
    return [{**dict(row), "match": "words" if matches <= RANK_CAP else "words-recent"}
            for row in rows]
