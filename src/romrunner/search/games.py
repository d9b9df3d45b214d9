"""Typeahead search over the library (DECISIONS Q3).

User text never reaches FTS5 raw: it is folded by the function that folded the indexed titles
(case, diacritics, punctuation; letters of every script kept) and every word becomes a quoted
FTS5 prefix string (a run of Chinese/Japanese characters, a quoted phrase). Operators
(``AND``, ``NEAR``, ``*``, quotes) are therefore plain words, and no input can raise a SQL
error. A word written ``-word`` leaves out the titles with it (as in ``games ls``).

A quoted ``"two words"`` must be in the title in that order, as it is written or as it
reads: ``"the legend"`` and ``"zelda a link"`` find No-Intro's "Legend of Zelda, The - A Link
to the Past" (which reads "The Legend of Zelda - A Link to the Past": the search index's
``games_fts_reading``, see :func:`romrunner.search.index.reading_sql`), and ``"the zelda"``
does not find "Zelda - The Legend Begins". A word typed without its apostrophe (``kirbys``)
finds the title that has it ("Kirby's", the words ``kirby s``) as a word, in a phrase and in a
word or phrase left out alike (:func:`phrase_forms`).

Ranking, with a cost that does not grow with the library:
1. titles that start with the typed text, alphabetical (an index range scan);
2. then titles with every typed word (word prefixes): ranked by BM25 when at most
   ``RANK_CAP`` games match, otherwise the most recently added first, because ranking a
   hundred thousand matches would take hundreds of milliseconds.
3. When at most ``RANK_CAP`` titles start with the typed text, releases come before the
   editions of their title (betas, prototypes, demos, hacks, bad dumps…) of either tier: 28
   betas of "Zelda no Densetsu" no longer push "Legend of Zelda, The" off the first page.
Without FTS5 in the linked SQLite only the first tier runs.
"""

from __future__ import annotations

import contextlib
import json
import re
import sqlite3
from collections.abc import Collection, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from romrunner.errors import DatabaseError, InputError, NotFoundError
from romrunner.library.tags import PRERELEASE_FLAGS
from romrunner.packs.model import platform_hint
from romrunner.search.index import (
    MARKED,
    READING_TABLE,
    catalog_title,
    has_reading_index,
    has_search_index,
    indexed_catalog_title,
    reading_rows_sql,
    reading_sql,
)
from romrunner.store.database import Database
from romrunner.textnorm import escape_like, fold, is_unspaced_character, storable

RANK_CAP = 500
UNKNOWN_PLATFORM = "unknown"  # the reserved id of files whose platform is undecided
_COLUMNS = (f"g.id, g.platform_id, g.detected_title, {catalog_title()} AS catalog_title, "
            "g.filename, "
            "g.matched_game_id, g.is_missing")
_PREFIX_END = "\U0010ffff"
# A name's tags that make a game another edition of its title, listed after its releases
# (QA166 F2); the flags as romrunner.library.tags gives them, constants, not user text.
_EDITION_FLAGS = (*PRERELEASE_FLAGS, "hack", "pirate", "bad_dump", "overdump")
_IS_EDITION = ("(g.is_hack = 1 OR (g.flags IS NOT NULL AND ("  # (a JSON list of these words)
               + " OR ".join(f"instr(g.flags, '\"{flag}\"') > 0" for flag in _EDITION_FLAGS)
               + ")))")


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
    # the word split where an apostrophe was left out (``kirbys``: " kirby s "), tested as a
    # phrase on ``title_norm`` too ("" for none: see :func:`apostrophe_split`)
    split: str = ""

    @property
    def needles(self) -> tuple[str, ...]:
        """The parameters of :meth:`title_test`, in order."""
        return (self.needle, self.split) if self.split else (self.needle,)

    def elsewhere(self, marked: bool) -> str:
        """The FTS5 query of the games the word matches that the title test misses: those
        whose catalog title alone has it and, when ``marked`` (:func:`has_marked`), those
        marked games it matches (their ``title_norm`` is not their folded title)."""
        catalog_only = f"(catalog_title : {self.term} NOT detected_title : {self.term})"
        if not marked:
            return catalog_only
        return f"{catalog_only} OR ({MARKED} AND {self.term})"

    def title_test(self, column: str) -> str:
        """SQL testing the word on ``column`` (a ``title_norm``); its parameters are
        :attr:`needles`."""
        if self.phrase:
            return f"instr(' ' || {column} || ' ', ?) > 0"
        if self.split:
            return (f"(instr(' ' || {column}, ?) > 0 "
                    f"OR instr(' ' || {column} || ' ', ?) > 0)")
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
            split = apostrophe_split(word)
            if split is None:
                words.append(FtsWord(_phrase([word]) + "*", " " + word, False))
            else:  # (either form: an FTS5 group, so the words are joined by AND)
                words.append(FtsWord(f"({_phrase([word])}* OR {_phrase(split)})", " " + word,
                                     False, " " + " ".join(split) + " "))
        if run:
            words.append(FtsWord(_phrase(run), " " + " ".join(run) + " ", True))
    return words


def fts_query(text: str) -> str | None:
    """The FTS5 query for user ``text``: every word quoted, as a prefix, all required (see
    :func:`fts_words`); None when it has no word."""
    words = fts_words(text)
    if not words:
        return None
    # (FTS5 joins phrases by a space, a group in parentheses only by an explicit AND)
    return (" AND " if any(word.split for word in words) else " ").join(
        word.term for word in words)


# What follows an apostrophe at the end of an English word ("Kirby's", "Don't", "We'll")
# ("d" and "m" left out: "and" is no "an d", and "I'd", "I'm" have a word of one letter)
_CLITICS = ("s", "t", "ll", "re", "ve")


def apostrophe_split(word: str) -> list[str] | None:
    """``word`` (folded) as the index holds it where it is a word typed without its
    apostrophe: ``kirbys`` is ``kirby s``, as "Kirby's" is folded (an apostrophe separates
    words), ``dont`` ``don t``; None for a word that ends in no such ending after two
    letters or more, or holds a digit or a letter of another script."""
    if not (word.isascii() and word.isalpha()):
        return None
    for clitic in _CLITICS:
        head = word[:-len(clitic)]
        if word.endswith(clitic) and len(head) >= 2:
            return [head, clitic]
    return None


# The words of one phrase taken in both forms (as typed, and split where an apostrophe was
# left out): a phrase has 2**n forms, so a phrase's later such words are taken as typed only
_MOST_SPLIT_WORDS = 4


@dataclass(frozen=True)
class PhraseForm:
    """One form of a phrase's folded words the index may hold: ``words`` in that order, the
    last one a word prefix unless ``exact`` (a word split where an apostrophe was left out:
    ``kirbys`` is the words ``kirby s``, and ``s`` is no prefix of ``super``)."""

    words: tuple[str, ...]
    exact: bool = False

    @property
    def fts(self) -> str:
        """The FTS5 phrase of this form."""
        return _phrase(list(self.words)) + ("" if self.exact else "*")

    def like_pattern(self) -> str:
        """The LIKE pattern (``ESCAPE '\\'``) of this form in ``' ' || title || ' '``."""
        end = " %" if self.exact else "%"
        return "% " + " ".join(escape_like(word) for word in self.words) + end

    def needles(self) -> list[str]:
        """Each word as ``instr`` finds it in ``' ' || title || ' '``: a whole word, the
        last a word prefix unless :attr:`exact`."""
        *head, last = self.words
        return [*(f" {word} " for word in head), f" {last} " if self.exact else f" {last}"]


def phrase_forms(text: str) -> list[PhraseForm]:
    """The forms of the phrase ``text`` (folded) the index may hold: its words as typed, and
    with each word typed without its apostrophe split as the index holds it (``"kirbys
    dream"`` is also ``kirby s dream``, see :func:`apostrophe_split`), the first
    :data:`_MOST_SPLIT_WORDS` such words of it; none when it has no word."""
    forms = [PhraseForm(())]
    for alternatives in _word_alternatives(text):
        # (``exact`` is the last word's: each word's alternative sets it again)
        forms = [PhraseForm((*form.words, *words), exact) for form in forms
                 for words, exact in alternatives]
    return [form for form in forms if form.words]


def _word_alternatives(text: str) -> list[list[tuple[list[str], bool]]]:
    """Each word of the phrase ``text`` (folded) as the forms of :func:`phrase_forms` hold
    it: as typed, and split (its words, exact) for the first :data:`_MOST_SPLIT_WORDS`
    words typed without their apostrophe."""
    words: list[list[tuple[list[str], bool]]] = []
    split_words = 0
    for word in (fold(text) or "").split():
        split = apostrophe_split(word) if split_words < _MOST_SPLIT_WORDS else None
        split_words += split is not None
        words.append([([word], False), *([(split, True)] if split else [])])
    return words


def _excluded_query(excluded: list[str]) -> str:
    """The FTS5 query of the titles holding one of the ``-word`` words (word prefixes) or
    ``-"two words"`` phrases (its last word a prefix), as written (see
    :func:`phrase_sql` for the titles as they read)."""
    return " OR ".join(str(fts_phrase(words)) for words in excluded)


def fts_phrase(text: str) -> str | None:
    """The FTS5 query of the titles holding ``text``'s words in that order (the last one
    typed as a prefix), in any of its forms (:func:`phrase_forms`), as a ``"two words"``
    term means; None when it has no word. Either index: ``games_fts`` holds the titles as
    written, ``games_fts_reading`` as they read."""
    forms = phrase_forms(text)
    if len(forms) < 2:
        return forms[0].fts if forms else None
    return "(" + " OR ".join(form.fts for form in forms) + ")"


def _reads_otherwise(text: str) -> bool:
    """True when ``text`` (a phrase) may be in a title as it reads and not as it is written:
    a phrase of several words (a single word is in both or neither)."""
    return len((fold(text) or "").split()) > 1


_FTS_IDS = "SELECT rowid FROM games_fts WHERE games_fts MATCH ?"
_READING_IDS = f"SELECT rowid FROM {READING_TABLE} WHERE {READING_TABLE} MATCH ?"


def phrase_sql(column: str, text: str, *, reading_index: bool = True
               ) -> tuple[str, list[object]]:
    """SQL true for the games (ids in ``column``, ``+`` before it to keep it from driving a
    scan) whose title or catalog title holds the
    phrase ``text`` (:func:`fts_phrase`) as written or as it reads, with its parameters.
    ``reading_index``: the database has :data:`READING_TABLE` (see :func:`_read_ids`)."""
    query = fts_phrase(text)
    if query is None:
        return "1 = 1", []
    if not _reads_otherwise(text):
        return f"{column} IN ({_FTS_IDS})", [query]
    read, params = _read_ids([text], reading_index)
    # (one IN of both: an OR of two made SQLite's OR plan lose the words' MATCH)
    return f"{column} IN ({_FTS_IDS} UNION ALL {read})", [query, *params]


def _read_ids(phrases: list[str], reading_index: bool) -> tuple[str, list[object]]:
    """The SELECT of the ids of the games whose title or catalog title holds one of
    ``phrases`` (each of several words, the last a prefix) as it reads, with its parameters:
    from :data:`READING_TABLE`, or where the database lacks it (dropped, or its migration run
    by an SQLite without FTS5: `db check` names it, `db repair` makes it again — review38b
    F2, a raw "no such table") from the games' rows, each read as the index would hold it
    (:func:`reading_rows_sql`): the same games, every row read."""
    if reading_index:
        return _READING_IDS, [" OR ".join(str(fts_phrase(phrase)) for phrase in phrases)]
    # (every form of every phrase one JSON list, tested on each row's reading: the SQL is the
    # same for any number of forms — an OR of two LIKEs a form reached SQLite's limit of
    # 1,000 levels at about 31 phrases of four words without their apostrophe, review48c F2)
    patterns = [form.like_pattern() for phrase in phrases for form in phrase_forms(phrase)]
    rows = reading_rows_sql("id", "detected_title", indexed_catalog_title("games"),
                            "FROM games")
    title, catalog = _any_pattern("' ' || a || ' '"), _any_pattern("' ' || b || ' '")
    return f"SELECT k FROM ({rows}) WHERE {title} OR {catalog}", [json.dumps(patterns)] * 2


def _any_pattern(text: str) -> str:
    """SQL true when ``text`` (an SQL expression) is LIKE one of the patterns of its
    parameter (a JSON list, ``ESCAPE '\\'``); NULL for a NULL ``text``."""
    return f"(SELECT max(({text}) LIKE value ESCAPE '\\') FROM json_each(?))"


def like_phrase_sql(text: str, alias: str = "g") -> tuple[str, list[object]]:
    """Without FTS5: SQL true for the games (table alias ``alias``) whose title holds the
    phrase ``text`` as written (``title_norm``) or as it reads (:func:`reading_sql`), the
    last word a prefix; NULL or false, never true, for a title that reads as written and
    lacks it (callers take NULL as false).
    A title is read only when ``title_norm`` holds each of the words (the reading holds the
    same ones), and then from its row: ``detected_title`` in the scan's condition made it
    read every row of the table, not the title index (a scan of 100k games, 8 ms more at
    its 99th percentile)."""
    forms = phrase_forms(text)
    if not forms:
        return "1 = 1", []
    if len(forms) == 1:
        return _like_form(forms[0], alias)
    # (several forms: their patterns one JSON list, tested on the title and on its reading
    # once each, only when the title holds each word in one of its forms (most titles lack
    # the first: one instr) — SQL that grows with the words, not the forms; each form's own
    # tests, the reading among them, made a phrase of four words without their apostrophe
    # 29,790 characters of SQL, review48c F4)
    column = f"' ' || {alias}.title_norm || ' '"
    patterns = json.dumps([form.like_pattern() for form in forms])
    has_words, needles = _has_words_sql(text, column)
    reading = (f"' ' || (SELECT {reading_sql('r.detected_title')} FROM games r "
               f"WHERE r.id = {alias}.id) || ' '")
    # (CASE, not AND and OR: SQLite evaluates both sides of an AND or OR that is a value,
    # as a left-out phrase's `NOT coalesce(…, 0)` is, so every row read its title and both
    # JSON lists, the words test gating nothing — review49c F1; a CASE's WHEN decides first)
    return (f"(CASE WHEN {has_words} THEN CASE WHEN {_any_pattern(column)} THEN 1 "
            f"ELSE {_any_pattern(reading)} END ELSE 0 END)", [*needles, patterns, patterns])


def _has_words_sql(text: str, column: str) -> tuple[str, list[object]]:
    """SQL true when ``column`` (``' ' || title || ' '``) holds each word of one of the
    forms of the phrase ``text`` (:func:`phrase_forms`), as :meth:`PhraseForm.needles`
    finds them, with its parameters: word by word, each as typed or split, so its size
    grows with the words, not with the forms."""
    words = _word_alternatives(text)
    tests: list[str] = []
    params: list[object] = []
    for position, alternatives in enumerate(words, 1):
        ways: list[str] = []
        for split, exact in alternatives:
            prefix = position == len(words) and not exact  # (the last word typed: a prefix)
            ways.append(" AND ".join([f"instr({column}, ?) > 0"] * len(split)))
            params += [f" {word}" if prefix else f" {word} " for word in split]
        tests.append(" OR ".join(f"({way})" for way in ways))
    return "(" + " AND ".join(f"({test})" for test in tests) + ")", params


def _like_form(form: PhraseForm, alias: str) -> tuple[str, list[object]]:
    """:func:`like_phrase_sql` of one form of a phrase."""
    column = f"' ' || {alias}.title_norm || ' '"
    pattern = form.like_pattern()
    if len(form.words) == 1:
        return f"({column}) LIKE ? ESCAPE '\\'", [pattern]
    has_words = " AND ".join([f"instr({column}, ?) > 0"] * len(form.words))
    reading = (f"(SELECT {reading_sql('r.detected_title')} FROM games r "
               f"WHERE r.id = {alias}.id)")
    # (the reading behind a CASE, as in like_phrase_sql: an AND in a value read every row's)
    return (f"(({column}) LIKE ? ESCAPE '\\' OR CASE WHEN {has_words} THEN "
            f"(' ' || {reading} || ' ') LIKE ? ESCAPE '\\' ELSE 0 END)",
            [pattern, *form.needles(), pattern])


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
    text, phrases, excluded = _split_terms(text)
    _refuse_too_long(text, excluded)
    with refused_when_too_long("search"):
        return _search(db, text, phrases, excluded, limit, platform)


def _refuse_too_long(text: str, excluded: list[str]) -> None:
    """Raise :class:`InputError` for a search longer than a query may be
    (:func:`romrunner.library.query.refuse_too_long`, the caps of both): words as typed, a
    phrase's forms (:func:`phrase_forms`) not counted, their SQL bounded."""
    from romrunner.library.query import refuse_too_long  # (the query module imports this one)

    kept = [" ".join((fold(token) or "").split()) for token in _TOKEN.findall(text)]
    words = sum(len(phrase.split()) for phrase in (*kept, *excluded))
    refuse_too_long("search", words, "words", [("", max((*kept, *excluded), key=len,
                                                        default=""))], error=InputError)


# What SQLite says of a statement beyond its limits (the statement, not the database)
_TOO_LONG = ("expression tree is too large", "too many sql variables",
             "like or glob pattern too complex", "string or blob too big",
             "parser stack overflow", "too many terms in compound select")


@contextlib.contextmanager
def refused_when_too_long(command: str) -> Iterator[None]:
    """SQLite's refusal of a statement too large for it (an expression too deep, too many
    parameters, a LIKE pattern too long…), which only user text too long makes, raised as
    ``command``'s one-line :class:`InputError` saying so, not as an error of the database
    file (:class:`DatabaseError`, which names the file)."""
    try:
        yield
    except DatabaseError as exc:
        cause = exc.__cause__
        if not (isinstance(cause, sqlite3.Error)
                and any(words in str(cause).lower() for words in _TOO_LONG)):
            raise
        raise InputError(f"{command}: the query is too long for SQLite ({cause}); ask with "
                         "fewer or shorter words") from exc


def _search(db: Database, text: str, phrases: list[str], excluded: list[str], limit: int,
            platform: str | None) -> list[dict[str, Any]]:
    """:func:`search_games` of the words ``text``, ``phrases`` and ``excluded`` as
    :func:`_split_terms` gives them."""
    prefix = " ".join((fold(text) or "").split())
    if not prefix:  # (QA26: "no game matches", as if the library had none)
        if excluded:
            raise InputError("search: only words to leave out (-word); give a word to look "
                             "for too (`romrunner games ls -WORD` lists every other game)")
        if not text.strip():
            raise InputError("search: no word to look for (`romrunner games ls QUERY` lists "
                             "games by platform and other terms alone)")
        from romrunner.library.query import tag_fields  # (the query module imports this one)

        tag = tag_fields(text.strip())  # (`[!]`: review46d F6)
        raise InputError(f"search: {text.strip()!r} has no letters or digits to look for"
                         + (f" (a tag of file names: `romrunner games ls {' '.join(tag)}`)"
                            if tag else ""))
    if limit <= 0:
        return []
    results, all_seen = _title_prefix_matches(db, prefix, limit, platform, excluded)
    releases = sum(not found.edition for found in results)
    if releases < limit and (all_seen or len(results) < limit) and has_search_index(db):
        results += _word_matches(db, text, phrases, limit, platform, excluded, prefix)
        results.sort(key=lambda found: found.edition)  # (stable: each tier's order kept)
    return _games(db, results[:limit])


@dataclass(frozen=True)
class _Found:
    """A game a tier found: its id, whether it is an edition of its title, the tier's word."""

    id: int
    edition: bool
    match: str


_TOKEN = re.compile(r'-?"[^"]*"?|\S+')


def _split_terms(text: str) -> tuple[str, list[str], list[str]]:
    """``text``'s words to find, its quoted phrases of several words, and
    its ``-word`` terms folded: ``mario -kart`` leaves out the titles with a word starting
    ``kart`` (as a query's ``-`` term is a NOT); a ``-"two words"`` term leaves out the
    titles holding that phrase (QA37 F12: its first word alone was left out, the others made
    required), and so does a word that folds to several (``-o'brien``, ``-ポケット``). Each
    left-out term is a folded phrase. A word to find that folds to several (``f-zero``) is a
    phrase too, as a quoted one is, and as games ls reads it."""
    kept: list[str] = []
    phrases: list[str] = []
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
            # (a quoted phrase, and a typed word that folds to several, `f-zero`, `zelda,link`:
            # its words in that order, as in games ls: QA166 F8, qa197)
            kept.append(token)  # (its quotes fold away)
            if len((fold(token) or "").split()) > 1:
                phrases.append(token.strip('"'))
    return " ".join(kept), phrases, excluded


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
                          excluded: list[str]) -> tuple[list[_Found], bool]:
    """Up to ``limit`` games whose title starts with ``prefix``: of the first ``RANK_CAP``
    + 1 such titles (A-Z), the releases, then their editions; and whether those were all
    the games whose title starts with it."""
    condition = "g.title_norm >= ? AND g.title_norm < ?"
    params: list[object] = [prefix, prefix + _PREFIX_END]
    if platform:
        condition = "g.platform_id = ? AND " + condition
        params.insert(0, platform)
    if excluded and has_search_index(db):
        # the words tier's test, so `tetris -japan` leaves "Tetris (Japan)" out whichever
        # tier finds it (QA28 F6: the catalog title's words counted in one tier only)
        condition += f" AND g.id NOT IN ({_FTS_IDS})"
        params.append(_excluded_query(excluded))
        more, more_params = _not_reading("+g.id", excluded, has_reading_index(db))
        condition += more
        params += more_params
    else:
        for phrase in excluded:
            like, like_params = like_phrase_sql(phrase)
            condition += f" AND NOT coalesce({like}, 0)"
            params += like_params
    read = db.execute(f"SELECT g.id, {_IS_EDITION} FROM games g WHERE {condition} "
                      "ORDER BY g.title_norm, g.id LIMIT ?", (*params, RANK_CAP + 1))
    chosen, read_all = _releases_first(read, limit, "title")
    return chosen, read_all is not None and read_all <= RANK_CAP


def _word_matches(db: Database, text: str, phrases: list[str], limit: int,
                  platform: str | None, excluded: list[str],
                  prefix: str) -> list[_Found]:
    """Up to ``limit`` games holding every word of ``text`` (and each of ``phrases``) whose
    title does not start with ``prefix`` (the first tier's): ranked by BM25, releases first,
    when at most ``RANK_CAP`` match, else the most recently added."""
    query = fts_query(text)
    if query is None:
        return []
    if excluded:
        query = f"({query}) NOT ({_excluded_query(excluded)})"
    reading = has_reading_index(db)
    also, also_params = _phrases_sql("+rowid", phrases, excluded, reading)
    matches = int(db.scalar("SELECT count(*) FROM (SELECT rowid FROM games_fts "
                            f"WHERE games_fts MATCH ?{also} LIMIT ?)",
                            (query, *also_params, RANK_CAP + 1)))
    if matches == 0:
        return []
    ranked = matches <= RANK_CAP
    also, also_params = _phrases_sql("+f.rowid", phrases, excluded, reading)
    where = (f"games_fts MATCH ?{also} "
             "AND NOT coalesce(g.title_norm >= ? AND g.title_norm < ?, 0)")
    params: list[object] = [query, *also_params, prefix, prefix + _PREFIX_END]
    if platform:
        where += " AND g.platform_id = ?"
        params.append(platform)
    match = "words" if ranked else "words-recent"
    read = db.execute(f"SELECT g.id, {_IS_EDITION} FROM games_fts f "
                      f"JOIN games g ON g.id = f.rowid WHERE {where} "
                      f"ORDER BY {'f.rank' if ranked else 'f.rowid DESC'} LIMIT ?",
                      (*params, RANK_CAP if ranked else limit))
    return _releases_first(read, limit, match)[0]


def _phrases_sql(column: str, phrases: list[str], excluded: list[str],
                 reading_index: bool) -> tuple[str, list[object]]:
    """`` AND`` SQL keeping the games (ids in ``column``) holding each of ``phrases`` (as
    written or as they read) and leaving out those holding one of the ``excluded`` phrases as
    they read; the words' one MATCH of games_fts, which ranks the games, does the rest."""
    sql, params = "", []
    for phrase in phrases:
        condition, more = phrase_sql(column, phrase, reading_index=reading_index)
        sql += f" AND {condition}"
        params += more
    condition, more = _not_reading(column, excluded, reading_index)
    return sql + condition, params + more


def _not_reading(column: str, excluded: list[str], reading_index: bool = True
                 ) -> tuple[str, list[object]]:
    """`` AND`` SQL leaving out the games (ids in ``column``) whose title holds one of the
    ``excluded`` phrases as it reads (as written: :func:`_excluded_query`); "" when none is a
    phrase of several words. ``reading_index``: see :func:`_read_ids`."""
    phrases = [phrase for phrase in excluded if _reads_otherwise(phrase)]
    if not phrases:
        return "", []
    read, params = _read_ids(phrases, reading_index)
    return f" AND {column} NOT IN ({read})", params


def _releases_first(read: sqlite3.Cursor, limit: int, match: str
                    ) -> tuple[list[_Found], int | None]:
    """Up to ``limit`` of the games ``read`` gives (id, whether an edition), found by the tier
    ``match``: its releases in its order, then its editions; read only until ``limit``
    releases (most pages hold no edition). And how many games it gave, or None when it was
    not read to its end."""
    releases: list[_Found] = []
    editions: list[_Found] = []
    try:
        for game_id, edition in read:
            (editions if edition else releases).append(_Found(int(game_id), bool(edition),
                                                              match))
            if len(releases) == limit:
                return releases, None
    finally:
        read.close()
    return releases + editions[: limit - len(releases)], len(releases) + len(editions)


def _games(db: Database, found: list[_Found]) -> list[dict[str, Any]]:
    """The games ``found`` as the caller gets them, in that order, each with its ``match``:
    their columns read once, for these few only (the file's name is computed)."""
    if not found:
        return []
    rows = {int(row["id"]): row for row in db.query(
        f"SELECT {_COLUMNS} FROM games g WHERE g.id IN (SELECT value FROM json_each(?))",
        (json.dumps([game.id for game in found]),))}
    return [{**dict(rows[game.id]), "match": game.match} for game in found if game.id in rows]
