"""The library's query language: ``platform:snes region:usa,europe -flag:hack mario``.

In the spirit of beets' queries (STYLE.md). A query is a list of terms separated by spaces:

- ``field:value`` selects on one field of the registry below; ``field:a,b`` is a OR b;
- a leading ``-`` negates a term (``-flag:hack``, ``-zelda``);
- free words (no field) go to the search index (word prefixes, every word required);
- values with spaces, commas, colons or a leading ``-`` are quoted: ``dat:"Nintendo - Game
  Boy"``; inside quotes ``\\"`` and ``\\\\`` stand for ``"`` and ``\\``;
- numeric fields take ``a..b``, ``a..``, ``..b``, ``>a``, ``>=a``, ``<a``, ``<=a`` or a value;
  sizes take units (``K``, ``M``, ``G``: powers of 1024).

One registry (:data:`FIELDS`) defines each field: how its values parse, the SQL condition a
value compiles to, the column it sorts by and how its value is shown. Everything compiles to
parameterised SQL over ``games g``; nothing is filtered in Python. Text reaching LIKE is
escaped, text reaching FTS5 goes through :func:`romrunner.search.games.fts_query`.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import hashlib
import json
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from romrunner.errors import DatabaseError, InputError
from romrunner.knowledge.linking import STATUSES, compat_condition, platform_wide_compat
from romrunner.library.summary import as_listed
from romrunner.library.tags import FLAGS, language_code, parse_name, region_name
from romrunner.packs.model import Platform, platform_hint
from romrunner.search.games import (
    apostrophe_split,
    fts_query,
    fts_words,
    like_phrase_sql,
    phrase_sql,
    refused_when_too_long,
)
from romrunner.search.index import (
    MARKED,
    catalog_title,
    has_marked,
    has_reading_index,
    has_search_index,
)
from romrunner.store.database import Database
from romrunner.textnorm import escape_like, fold, storable
from romrunner.words import size_text

COUNT_CAP = 1_000
"""A total above this is shown as "at least COUNT_CAP" unless an exact count is asked for.
Measured at 100,000 games (the query benchmark): counting `platform:nes region:usa
-flag:hack` exactly (3,291 of 15,000 NES games) made its page 16 ms; stopping at 1,000
matches, 1.5 ms. An exact count grows with the matches; this one with the cap."""

COUNT_BUDGET = 200_000
"""SQLite VM steps a default count may take (a few ms); a count that needs more stops and
says "at least" what it reached. Steps, not time, so the same data gives the same answer."""
_STEP = 100

HASH_METHODS = ("sha1", "md5", "crc32", "tracks")
SIZE_COLUMN = "g.total_size"
"""A game's size wherever one is shown, filtered, sorted or summed: its file's size plus
its disc tracks' (a .cue's row is the sheet; its tracks are ``game_files`` rows, kept summed
by triggers, schema v1.3.4). An archive's members are not added: the archive is the file."""
_FIELD_NAME = re.compile(r"^[a-z][a-z_]*$")
_NEEDS_QUOTES = re.compile(r'[\s",:\\]')


class QueryError(InputError):
    """A query that cannot be parsed or compiled; the message names the term."""


# -- syntax ---------------------------------------------------------------------------------
@dataclass(frozen=True)
class Term:
    """One term: a field (None for free words), its values (OR-ed), and negation."""

    field: str | None
    values: tuple[str, ...]
    negated: bool = False

    def text(self) -> str:
        """The term written back as query text (parses to an equal term)."""
        sign = "-" if self.negated else ""
        prefix = f"{self.field}:" if self.field is not None else ""
        return sign + prefix + ",".join(quote_value(v) for v in self.values)


@dataclass(frozen=True)
class Query:
    """A parsed query: its terms in the order written."""

    terms: tuple[Term, ...] = ()

    def text(self) -> str:
        """The query as text: ``parse_query(q.text()) == q``."""
        return " ".join(term.text() for term in self.terms)


def quote_value(value: str) -> str:
    """``value`` as it must be written in a query (quoted when it needs it)."""
    if value and not _NEEDS_QUOTES.search(value) and not value.startswith("-"):
        return value
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


@dataclass
class _Token:
    start: int  # where it starts in the query text
    chars: list[tuple[str, bool]] = field(default_factory=list)  # (character, was quoted)
    quoted: bool = False  # the token had a quoted part (so it is never empty by accident)
    end: int = 0  # where it ends (past its last character)


_SHOWN_WORD = 60  # the most of a word an error repeats


def _tokens(text: str) -> list[_Token]:
    tokens: list[_Token] = []
    current: _Token | None = None
    in_quote, i, opened = False, 0, 0
    while i < len(text):
        ch = text[i]
        if in_quote:
            if ch == "\\" and i + 1 < len(text) and text[i + 1] in '"\\':
                i += 1
                current.chars.append((text[i], True))  # type: ignore[union-attr]
            elif ch == '"':
                in_quote = False
            else:
                current.chars.append((ch, True))  # type: ignore[union-attr]
        elif ch.isspace():
            if current is not None:
                current.end = i
                tokens.append(current)
                current = None
        else:
            if current is None:
                current = _Token(i)
            if ch == '"':
                in_quote, current.quoted, opened = True, True, i
            else:
                current.chars.append((ch, False))
        i += 1
    if in_quote:
        raise QueryError(f"query: unbalanced quote in {_open_quote_word(text, current, opened)!r}"
                         ": the quote it opens is never closed")
    if current is not None:
        current.end = len(text)
        tokens.append(current)
    return tokens


def _open_quote_word(text: str, token: _Token | None, opened: int) -> str:
    """The word of ``text`` in which a quote opens at ``opened`` and is never closed: from
    its term's start to the first blank after the quote, at most _SHOWN_WORD characters
    (QA180 F4: the whole query, 2,000 characters, was repeated)."""
    start = token.start if token is not None else opened
    blank = re.search(r"\s", text[opened:])
    word = text[start:opened + blank.start() if blank else len(text)]
    return word if len(word) <= _SHOWN_WORD else word[:_SHOWN_WORD - 1] + "…"


def query_words(text: str) -> list[str]:
    """The words of query ``text`` as written, as :func:`parse_query` splits them: a quoted
    part with its blanks stays in its word (``dat:"Nintendo - Game Boy"`` is one), its
    quotes kept; an unbalanced quote is the error parse_query gives."""
    return [text[token.start:token.end] for token in _tokens(text)]


def _split(chars: list[tuple[str, bool]], sep: str) -> list[list[tuple[str, bool]]]:
    parts: list[list[tuple[str, bool]]] = [[]]
    for ch, quoted in chars:
        if ch == sep and not quoted:
            parts.append([])
        else:
            parts[-1].append((ch, quoted))
    return parts


def _term(token: _Token) -> Term:
    chars = token.chars
    negated = bool(chars) and chars[0] == ("-", False) and (len(chars) > 1 or token.quoted)
    if negated:
        chars = chars[1:]
    colon = next((i for i, (ch, quoted) in enumerate(chars) if ch == ":" and not quoted), None)
    name = "".join(ch for ch, _ in chars[:colon]) if colon is not None else ""
    # A field's name in any case is that field (QA44 F3: `Region:USA` found nothing); a word
    # ending in a colon that names none is a title's word ("Star Wars: Rogue"), as one
    # written with a capital is ("Re:Zero"); a lower-case one before a value is a field
    # mistyped ("regoin:usa").
    if colon is not None and name.lower() in FIELDS and not any(q for _, q in chars[:colon]):
        name = name.lower()
    elif colon is None or any(q for _, q in chars[:colon]) or not _FIELD_NAME.match(name) \
            or colon == len(chars) - 1:
        return Term(None, ("".join(ch for ch, _ in chars),), negated)
    if name not in FIELDS:
        raise QueryError(f"query: unknown field {name!r} (known: {', '.join(sorted(FIELDS))}"
                         f"; a title's word with a colon is quoted: \"{name}:…\")")
    # (a value given twice is one: qa180 F6, `region:usa,usa,…` 280 times spent the count's
    # time on a 280-way test and said "at least 84" of 646)
    values = tuple(dict.fromkeys(
        "".join(ch for ch, _ in part) for part in _split(chars[colon + 1:], ",")))
    if any(v == "" for v in values):
        raise QueryError(f"query: {name}: a value is empty")
    return Term(name, values, negated)


# Fields whose values are names with spaces (a DAT's, a collection's, a title's words).
_NAMED_FIELDS = re.compile(r"^(-?(?:dat|collection|title|region):)([^\"]*\s[^\"]*)$",
                           re.DOTALL | re.IGNORECASE)  # (a field's name in any case: review 22 R2)


def _shell_quoted(word: str) -> str:
    """One of a command's QUERY words as query text: a ``dat:``, ``collection:``, ``title:``
    or ``region:`` word holding a space without quotes is a value the user quoted for the shell
    (``dat:"Nintendo - Game Boy"`` reaches us as ``dat:Nintendo - Game Boy``): quoted again,
    so it stays one value (QA12 F7; other words with spaces are split as query text). A
    word whose rest holds a term of a known field (``'title:sky region:usa'``) is a whole
    query the shell got as one word: split as query text (QA20 C1)."""
    match = _NAMED_FIELDS.match(word)
    title = match is not None and match.group(1).lower().endswith("title:")
    if match is None or any(_names_a_field(token) or (title and _negates(token))
                            for token in match.group(2).split()):
        return word
    if match.group(1).lower().endswith("region:"):  # (`"Hong Kong",usa`: QA44 F15)
        parts = match.group(2).split(",")
        if not all(_is_region(part) for part in parts):
            return word  # (`region:usa mario`: a query the shell got as one word)
        return match.group(1) + ",".join(quote_value(part) for part in parts)
    return f'{match.group(1)}{quote_value(match.group(2))}'


def _is_region(text: str) -> bool:
    """True when ``text`` is a region file names use (``Hong Kong``)."""
    try:
        region_name(text)
    except InputError:
        return False
    return True


def _negates(token: str) -> bool:
    """True for a ``-word`` (a term left out), never a name's own dash (``Nintendo - Game
    Boy``): ``'title:mario -land'`` is a query the shell got as one word (QA117 F1: quoted
    again as ``title:"mario -land"``, it chose only the game left out). Asked of a title's
    words only: a collection's or a DAT's name may hold one (review 118 F6:
    ``collection:"best -of"``)."""
    return len(token) > 1 and token[0] == "-" and token[1] != "-"


def _names_a_field(token: str) -> bool:
    name, colon, _ = token.removeprefix("-").partition(":")
    return bool(colon) and name.lower() in FIELDS


def query_text(words: Sequence[str]) -> str:
    """A command's QUERY words as one query text (words joined by spaces; a ``dat:``,
    ``collection:`` or ``title:`` value the shell quoted stays one value: see
    _shell_quoted). Every command that takes QUERY words reads them so."""
    return " ".join(_shell_quoted(word) for word in words)


MAX_QUERY_VALUES = 500
"""The most terms and values (``id:1,2,3`` is 3; a free word or ``title:`` value counts its
words) a query may hold, and the most words a search may (those left out and those of its
phrases counted): SQLite refuses an expression deeper than 1,000, a list of about that many
failed in its words, and each word left out without FTS5, or each phrase, is one level."""
LONGEST_PHRASE = 5_000
"""The most characters (folded) of one word or phrase of a search or a query: SQLite
refuses a LIKE pattern of more than 50,000 bytes (a character folded is 4 at most), and no
title is this long."""


def refuse_too_long(command: str, count: int, counted: str,
                    phrases: Iterable[tuple[str, str]], *, hint: str = "",
                    error: type[InputError] = QueryError) -> None:
    """The one check of a query's or a search's length: raise ``error`` saying so when
    ``command``'s text holds more than :data:`MAX_QUERY_VALUES` (``count`` of them, said as
    ``counted``, ``hint`` after), or when one of ``phrases`` (what the message names it by,
    and the word or phrase folded) is longer than :data:`LONGEST_PHRASE` characters."""
    if count > MAX_QUERY_VALUES:
        raise error(f"{command}: {count:,} {counted}; at most {MAX_QUERY_VALUES:,}{hint}")
    for shown, folded in phrases:
        if len(folded) > LONGEST_PHRASE:
            raise error(f"{command}: {shown}a word or phrase of {len(folded):,} characters; "
                        f"at most {LONGEST_PHRASE:,}")


def _tests_of(term: Term, value: str) -> int:
    """How many SQL tests a value compiles to: one, or one per word of a free word or a
    ``title:`` value (QA44 F8: a quoted value of 1,000 words passed the limit and failed
    inside SQLite, in words that named the database)."""
    if term.field is None or term.field == "title":
        return max(1, len((fold(value) or "").split()))
    return 1


def parse_query(text: str | Sequence[str]) -> Query:
    """Parse query text, or a command's QUERY words joined by spaces (``games ls "dec
    platform:gb"`` is ``games ls dec platform:gb``, as ``--query "dec platform:gb"`` and a
    deploy's words are: a phrase or a value with spaces is quoted inside the query,
    ``'dat:"Nintendo - Game Boy"'``); every value is checked by its field's parser, so a
    query that parses only fails later on ids the database lacks."""
    if not isinstance(text, str):
        text = query_text(text)
    # (a term given twice is one: the terms all hold, and repeats counted toward the limit,
    # qa184: `kid` 600 times was refused)
    query = _without_lone_punctuation(Query(tuple(dict.fromkeys(
        _term(token) for token in _tokens(text)))))
    # (SQLite's expression depth: QA26 F6 named the database; a LIKE pattern of over 50,000
    # bytes: SQLite refuses it. A word as typed, its sign too: review49c F3)
    refuse_too_long("query", sum(_tests_of(term, value) for term in query.terms
                                 for value in term.values), "terms, values and words",
                    ((f"{'-' if term.negated else ''}{quote_value(value)[:_SHOWN_WORD]}…: ",
                      " ".join((fold(value) or "").split()))
                     for term in query.terms if term.field in (None, "title")
                     for value in term.values),
                    hint=" (to pick many games by hand, add them to a collection)")
    for term in query.terms:
        if term.field is not None:
            spec = FIELDS[term.field]
            for value in term.values:
                spec.parse(value)
        else:  # a free word of punctuation only searches for nothing: never "every game"
            for value in term.values:
                if not (fold(value) or "").split():
                    # (a tag of no letters, `[!]`: its field named — review46d F6, left out
                    # as typed: review46e F3)
                    sign = "-" if term.negated else ""
                    tag = [sign + field for field in tag_fields(value)]
                    raise QueryError(f"query: {sign}{quote_value(value)}: no letters or "
                                     "digits to search for"
                                     + (f" (a tag of file names: ask {' '.join(tag)})"
                                        if tag else ""))
    return query


def _searches_nothing(term: Term) -> bool:
    """True for a free word of punctuation only (``-``, ``&``, ``(``): no letters or digits."""
    return term.field is None and not any((fold(value) or "").split() for value in term.values)


def _without_lone_punctuation(query: Query) -> Query:
    """``query`` less its free words of punctuation only when it has a free word to look for:
    the `` - `` and ``&`` of a title pasted unquoted (``Pokemon - Yellow Version``, ``Mick &
    Mack``) are skipped, as `search` skips them and as a title's words are matched (QA180 F9:
    refused). One alone, or beside field terms only, or left out (``-&``), is still an error
    (:func:`parse_query`): it would search for nothing — but for a dash left out (``--``:
    the ASCII em dash of ``Rock -- Roll`` pasted, qa195 F6), a dash as the others."""
    if not any(term.field is None and not term.negated and not _searches_nothing(term)
               for term in query.terms):
        return query
    return Query(tuple(term for term in query.terms if not _searches_nothing(term)
                       or (term.negated and not _only_dashes(term))))


def _only_dashes(term: Term) -> bool:
    """True for a free word of dashes only (``-`` left out: ``--``)."""
    return term.field is None and all(set(value) <= {"-"} for value in term.values)


_OPERATOR_WORDS = frozenset({"OR", "AND", "NOT"})


def empty_result_hint(query: Query) -> str | None:
    """Why a query that found nothing may not say what its writer meant: an ``OR``, ``AND``
    or ``NOT`` (in any case) written as in other search syntaxes (here a title word), or a
    field given twice (both must hold); None when nothing of the kind (QA144 F3: `mario OR
    zelda` and `platform:gb platform:nes` gave "0 of 0" without a word). Every command that
    reads a query says it of an empty result (QA180 F1: `games ls` alone did, and not of a
    lower-case `or`); :func:`nothing_found_hint` asks the database."""
    operators = sorted({value for term in query.terms if term.field is None
                        for value in term.values if value.upper() in _OPERATOR_WORDS})
    if operators:
        what = "is a title word" if len(operators) == 1 else "are title words"
        return (f"{' and '.join(operators)} {what} here: every word must be in the "
                "title; for either of two values write platform:gb,nes, and to leave games "
                "out, -word or -field:value")
    seen: dict[str, int] = {}
    for term in query.terms:
        if term.field is not None and not term.negated:
            seen[term.field] = seen.get(term.field, 0) + 1
    twice = sorted(name for name, count in seen.items() if count > 1)
    if twice:
        name = twice[0]
        return (f"{name}: given twice, and a game must match both; for either value write "
                f"{name}:A,B")
    tagged = _typed_tag(query)
    if tagged is not None:  # (qa200 F6: `[T+Eng]` was said read as the phrase "t eng")
        value, fields = tagged
        return (f"{value} is a tag of file names, not a title word (a title is the name "
                f"before its tags): ask {' '.join(fields)}")
    # (of free words alone: another term may be what found nothing, review45e F2)
    fielded = any(term.field is not None for term in query.terms)
    joined = None if fielded else next(
        (value for term in query.terms if term.field is None and not term.negated
         for value in term.values if _joined_by_punctuation(value)), None)
    if joined is not None:  # (qa199 F5: `zelda,link` found nothing, without a word)
        words = " ".join((fold(joined) or "").split())
        return (f"{joined} is read as the phrase \"{words}\", its words in that order; for "
                f"the words anywhere in the title, write them apart: {words}")
    return None


def _typed_tag(query: Query) -> tuple[str, list[str]] | None:
    """The first tag of file names typed among ``query``'s free words, with the field terms
    that ask it: one word (``[T+Eng]``) or several (``'(USA, Europe)'``, split at its space:
    review46e F4)."""
    typed = " ".join(value for term in query.terms if term.field is None and not term.negated
                     for value in term.values)
    for found in re.finditer(r"[(\[][^()\[\]]+[)\]]", typed):
        fields = tag_fields(found.group())
        if fields:
            return found.group(), fields
    return None


def tag_fields(value: str) -> list[str]:
    """The field terms that ask what a typed word in brackets says as a file name's tag
    (``[T+Eng]``: flag:translation; ``(USA)``: region:usa), or none: not such a tag."""
    if not value.startswith(("(", "[")) or not value.endswith((")", "]")):
        return []
    tags = parse_name(f"x {value}")
    # (quoted as a query writes them: `region:"hong kong"`, review46d F5)
    return [*(f"region:{quote_value(region.lower())}" for region in tags.regions),
            *(f"lang:{quote_value(language.lower())}" for language in tags.languages),
            *(["flag:translation"] if tags.translation is not None else []),
            *(f"flag:{flag}" for flag in tags.flags if flag in _QUERY_FLAGS)]


def _joined_by_punctuation(value: str) -> bool:
    """True for a typed word of several words joined by punctuation (``zelda,link``,
    ``f-zero``), not by an apostrophe or a point alone (``link's``, ``x1.5``, review45e F3)."""
    if any(c.isspace() for c in value) or len((fold(value) or "").split()) < 2:
        return False
    return bool(set(re.sub(r"\w", "", value)) - set("'’."))


def tag_word_hint(query: Query, leave_out: str = "{}") -> str | None:
    """What to say of a ``-word`` that is a tag's name (``sonic -beta``), or None: tags are
    no title words, so it leaves nothing out while the titles shown still read "(Beta)"
    (qa197 F7); ``leave_out`` spells where the terms that do go (``{}``: the terms)."""
    tags = sorted({value.lower() for term in query.terms if term.field is None and term.negated
                   for value in term.values if value.lower() in _QUERY_FLAGS})
    if not tags:
        return None
    what = "is a tag, not a title word" if len(tags) == 1 else "are tags, not title words"
    terms = leave_out.format(" ".join(f"-flag:{tag}" for tag in tags))
    return (f"{', '.join(tags)} {what}: -{tags[0]} leaves out only titles with that word; "
            f"{terms} leaves out the games tagged so")


def nothing_found_hint(db: Database, query: Query | str, *,
                       known_platforms: Iterable[str] | None = None) -> str | None:
    """Why ``query`` selects no game (a smart collection stored, games added by a query), or
    None when it selects some: its :func:`empty_result_hint`, else that it matches no game of
    the library now (qa193 F7: a mistyped word, `marioo`, saved a smart collection without a
    word, where `games ls` says "no game matches")."""
    parsed = parse_query(query) if isinstance(query, str) else query
    chosen = select(db, parsed, known_platforms=known_platforms)
    # (not in an EXISTS: one level more of SQL, and a deep chain of collections naming
    # collections overflows SQLite's parser, as `games ls` of it does not)
    if db.query_one(f"SELECT 1 FROM {chosen.from_sql} WHERE {chosen.where} LIMIT 1",
                    chosen.all_params) is not None:
        return None
    return empty_result_hint(parsed) or (
        "nothing in the library matches it now (a mistyped word? `romrunner games ls "
        "QUERY` shows what a query finds)")


# -- value parsers --------------------------------------------------------------------------
def _bad(field_name: str, value: str, why: str) -> QueryError:
    return QueryError(f"query: {field_name}:{value}: {why}")


_UNITS = {"": 1, "b": 1, "k": 1024, "kb": 1024, "kib": 1024, "m": 1024**2, "mb": 1024**2,
          "mib": 1024**2, "g": 1024**3, "gb": 1024**3, "gib": 1024**3, "t": 1024**4,
          "tb": 1024**4, "tib": 1024**4}
_SIZE = re.compile(r"^(\d+(?:\.\d+)?)\s*([a-z]*)$")
_COMPARE = re.compile(r"^(>=|<=|>|<|=)?(.*)$", re.DOTALL)


_SIZE_MAX = 1024**5 * 1024  # 1 EiB: any size a file has, and inside SQLite's integers


def _size(name: str, value: str, text: str) -> int:
    match = _SIZE.match(text.strip().lower())
    if not match or match.group(2) not in _UNITS:
        raise _bad(name, value, "expected a size such as 700K, 4M, 1.5G or 1048576")
    size = float(match.group(1)) * _UNITS[match.group(2)]
    if size > _SIZE_MAX:  # (QA26 F4: an internal OverflowError, and a smart collection
        raise _bad(name, value, "too large (at most 1 EiB)")  # that broke `collection ls`)
    return int(size)


def _integer(name: str, value: str, text: str) -> int:
    if re.fullmatch(r"\d{13,}", text.strip(), re.ASCII):  # (QA95 F9: "expected a whole number")
        raise _bad(name, value, "too large (at most 12 digits)")
    if not re.fullmatch(r"\d{1,12}", text.strip(), re.ASCII):
        raise _bad(name, value, "expected a whole number")
    return int(text)


NumberParser = Callable[[str, str, str], int]


def _number_range(name: str, value: str, number: NumberParser) -> tuple[int | None, int | None]:
    """``(low, high)`` inclusive bounds, None for an open end."""
    if ".." in value:
        low_text, _, high_text = value.partition("..")
        low = number(name, value, low_text) if low_text else None
        high = number(name, value, high_text) if high_text else None
        if low is None and high is None:
            raise _bad(name, value, "a range needs at least one end")
        if low is not None and high is not None and low > high:
            raise _bad(name, value, "the range's start is after its end")
        return low, high
    op, rest = _COMPARE.match(value).groups()  # type: ignore[union-attr]
    amount = number(name, value, rest)
    if op == ">":
        return amount + 1, None
    if op == ">=":
        return amount, None
    if op == "<":
        if amount == 0:
            raise _bad(name, value, "nothing is below zero")
        return None, amount - 1
    if op == "<=":
        return None, amount
    return amount, amount


def _range_sql(column: str, bounds: tuple[int | None, int | None]) -> tuple[str, list[object]]:
    low, high = bounds
    parts: list[str] = []
    params: list[object] = []
    if low is not None:
        parts.append(f"{column} >= ?")
        params.append(low)
    if high is not None:
        parts.append(f"{column} <= ?")
        params.append(high)
    return " AND ".join(parts), params


_TRUE, _FALSE = {"true", "yes", "1", "y"}, {"false", "no", "0", "n"}


def _boolean(name: str, value: str) -> bool:
    lowered = value.lower()
    if lowered in _TRUE | _FALSE:
        return lowered in _TRUE
    raise _bad(name, value, "expected true or false")


# -- compiling ------------------------------------------------------------------------------
@dataclass
class Context:
    """What compiling needs besides the text: the database and the ids it may name."""

    db: Database
    known_platforms: frozenset[str] | None = None
    collections_seen: tuple[str, ...] = ()
    platform_entries: Mapping[str, Platform] | None = None  # (to name the one meant)
    _fts: bool | None = None
    _marked: bool | None = None
    _reading: bool | None = None
    _platform_wide: frozenset[str] | None = None

    @property
    def fts(self) -> bool:
        """True when the database has the FTS5 search index."""
        if self._fts is None:
            self._fts = has_search_index(self.db)
        return self._fts

    @property
    def reading(self) -> bool:
        """True when the search index has its titles as they read (``games_fts_reading``)."""
        if self._reading is None:
            self._reading = has_reading_index(self.db)
        return self._reading

    @property
    def platform_wide(self) -> frozenset[str]:
        """The platforms with a platform-wide compatibility answer (``compat:``)."""
        if self._platform_wide is None:
            self._platform_wide = platform_wide_compat(self.db)
        return self._platform_wide

    @property
    def marked(self) -> bool:
        """True when some game's ``title_norm`` is not its folded title (search index)."""
        if self._marked is None:
            self._marked = has_marked(self.db)
        return self._marked


Sql = tuple[str, list[object]]


@dataclass(frozen=True)
class Field:
    """One queryable field: its parser, its SQL, its sort column and how it is shown."""

    name: str
    help: str
    parse: Callable[[str], object]
    sql: Callable[[Any, Context], Sql]
    sort_column: str | None = None
    show: Callable[[Any], str] = str


def _platform_sql(value: str, ctx: Context) -> Sql:
    platform = value.lower()
    if ctx.known_platforms is not None and platform not in ctx.known_platforms \
            and ctx.db.query_one("SELECT 1 FROM games WHERE platform_id = ? LIMIT 1",
                                 (platform,)) is None:
        # (a platform a pack update dropped still names the games stored under it: QA29
        # F2, a smart collection of it was "broken" and could not be made again)
        raise QueryError(f"query: platform:{value}: not a platform of the definition pack"
                         f" ({platform_hint(value, ctx.platform_entries)})")
    return "g.platform_id = ?", [platform]


def _region_sql(value: str, ctx: Context) -> Sql:
    # Regions are stored as 'USA, Europe'; match one whole region name, any case. A region
    # the file names never use (region:mars) is refused, as `profile set --regions` does.
    try:
        region = region_name(value)
    except InputError as exc:
        raise QueryError(f"query: region:{value}: {exc}") from exc
    return ("(', ' || g.region || ', ') LIKE ? ESCAPE '\\'",
            [f"%, {escape_like(region)}, %"])


def _language_sql(value: str, ctx: Context) -> Sql:
    try:
        code = language_code(value)
    except InputError as exc:
        raise QueryError(f"query: lang:{value}: {exc}") from exc
    if "-" in code:  # a language of one country: only it
        return _json_list_sql("g.languages")(code, ctx)
    # "En" is English of any country too ("En-US", "En-GB": QA31 F4)
    return ("(g.languages IS NOT NULL AND EXISTS (SELECT 1 FROM json_each(CASE WHEN "
            "json_valid(g.languages) THEN g.languages ELSE '[]' END) "
            "WHERE lower(value) = lower(?) OR lower(value) LIKE lower(?) || '-%'))",
            [code, code])


def _json_list_sql(column: str) -> Callable[[str, Context], Sql]:
    def sql(value: str, ctx: Context) -> Sql:
        # Most games have no list: the IS NOT NULL test spares them the json_each call.
        return (f"({column} IS NOT NULL AND EXISTS (SELECT 1 FROM json_each(CASE WHEN "
                f"json_valid({column}) THEN {column} ELSE '[]' END) "
                f"WHERE lower(value) = lower(?)))", [value])
    return sql


def _flag_parse(value: str) -> str:
    """A flag names' tags give (QA26 F7: `flag:nonsense` found nothing, `region:mars` is an
    error); ``bad`` is ``bad_dump``; ``hack`` takes fan translations too, ``translation``
    only them (a name's ``[T+Eng]``)."""
    flag = _text(value).lower()
    flag = {"bad": "bad_dump"}.get(flag, flag)
    if flag not in _QUERY_FLAGS:
        raise _bad("flag", value, f"not a flag (known: {', '.join(sorted(_QUERY_FLAGS))})")
    return flag


_QUERY_FLAGS = FLAGS | {"translation"}


def _flag_sql(value: str, ctx: Context) -> Sql:
    if value.lower() == "hack":  # the scan sets is_hack for a 'hack' flag (and translations)
        return "g.is_hack = 1", []
    if value.lower() == "translation":
        return "g.hack_type = 'translation'", []
    condition, params = _json_list_sql("g.flags")(value, ctx)
    if value.lower() == "bios":  # (a name's "[BIOS]", or a catalog's BIOS set: QA133 F7)
        return f"({condition} OR {_CATALOG_BIOS})", params
    return condition, params


_CATALOG_BIOS = "g.matched_game_id IN (SELECT game_id FROM catalog_games WHERE is_bios = 1)"
_CATALOG_CLONE = ("g.matched_game_id IN (SELECT game_id FROM catalog_games "
                  "WHERE coalesce(clone_of, '') <> '')")  # (a DAT's cloneof="": none)


_MATCH_SQL: dict[str, Sql] = {
    "hash": (f"g.match_method IN ({', '.join(repr(m) for m in HASH_METHODS)})", []),
    "name": ("g.match_method = 'name'", []),
    "user": ("g.match_method = 'user'", []),
    # match_method first: it is in the platform index, so most rows need no table lookup. A
    # library's own .m3u is a playlist, no game to identify (as db status and platforms count)
    "none": ("g.match_method IS NULL AND g.matched_game_id IS NULL AND g.format IS NOT 'm3u'",
             []),
    "any": ("(g.match_method IS NOT NULL OR g.matched_game_id IS NOT NULL)", []),
    # each way a hash match was made, as `games ls` shows it (QA18: `match:crc32` refused)
    **{method: ("g.match_method = ?", [method]) for method in HASH_METHODS},
}


def _match_parse(value: str) -> str:
    if value.lower() not in _MATCH_SQL:
        raise _bad("match", value, f"expected one of {', '.join(_MATCH_SQL)}")
    return value.lower()


_FTS_IDS = "SELECT rowid FROM games_fts WHERE games_fts MATCH ?"


def _words_sql(value: str, ctx: Context) -> Sql:
    """Every word of ``value`` as a title word prefix: the search index, or LIKE without it.

    With the index, each word is tested on ``title_norm`` (which the index's title column
    holds, and the facet index too: ~60 ns an entry where a probe of the word's matches cost
    ~230 ns plus building their list), or the game is one of the few the title test cannot
    answer for (:meth:`FtsWord.elsewhere`): exactly the games the index matches.
    """
    if ctx.fts:
        terms = fts_words(value)
        if not terms:
            return "1 = 1", []
        pieces: list[str] = []
        params: list[object] = []
        for word in terms:
            # `+g.id`: never drive the scan from these lists (select() does that itself when
            # the words match few games); with a list first, SQLite looked up every row.
            title = word.title_test("g.title_norm")
            params.extend(word.needles)
            if ctx.marked:
                title += f" AND +g.id NOT IN ({_FTS_IDS})"
                params.append(MARKED)
            pieces.append(f"(({title}) OR +g.id IN ({_FTS_IDS}))")
            params.append(word.elsewhere(ctx.marked))
        return " AND ".join(pieces), params
    return _like_words_sql(value)


def _like_words_sql(value: str) -> Sql:
    """Without the search index: every word of ``value`` in ``title_norm`` (LIKE), or, for a
    word typed without its apostrophe, its words as the title holds them (``kirbys``:
    ``kirby s``, see :func:`romrunner.search.games.apostrophe_split`)."""
    words = (fold(value) or "").split()
    if not words:
        return "1 = 1", []
    likes: list[str] = []
    values: list[object] = []
    for typed in words:
        likes.append("g.title_norm LIKE ? ESCAPE '\\'")
        values.append(f"%{escape_like(typed)}%")
        split = apostrophe_split(typed)
        if split is not None:  # (`kirbys`: "Kirby's" too, as the index finds it)
            likes[-1] = f"({likes[-1]} OR instr(' ' || g.title_norm || ' ', ?) > 0)"
            values.append(f" {' '.join(split)} ")
    return " AND ".join(likes), values


def _phrase_sql(value: str, ctx: Context) -> Sql:
    """The titles holding a quoted free word's words in that order, the last as a prefix
    (``-"castlevania sorrow"`` leaves out only the titles holding that phrase, as `search`
    does: QA63 F1, every title with both words was left out)."""
    words = (fold(value) or "").split()
    if len(words) < 2:
        return _words_sql(value, ctx)
    if ctx.fts:  # (in the title as written or as it reads, "Legend of Zelda, The" reading
        # "The Legend of Zelda": QA166 F8, review37 F6, qa176 N3)
        return phrase_sql("+g.id", value, reading_index=ctx.reading)
    return like_phrase_sql(value)


def _title_parse(value: str) -> str:
    if not (fold(value) or "").split():
        raise _bad("title", value, "no letters or digits to search for")
    words = value.split()
    left_out = [word for word in words if word.startswith("-") and len(word) > 1]
    # (a word to leave out written inside the value: matched as a word to find, the opposite
    # of what was meant — QA166 F1; not a subtitle set off by dashes, "-Narikiri Dungeon-")
    if left_out and not any(word.endswith("-") for word in words):
        word = left_out[0][1:]
        raise _bad("title", quote_value(value), f"'-{word}' would be a word to find, not "
                   f"one to leave out: write it apart, -title:{quote_value(word)} "
                   f"(or -{quote_value(word)})")
    return value


def _dat_sql(value: str, ctx: Context) -> Sql:
    # (a DAT's name in any case, as every other field's value: QA117 F10; or one of a
    # headered and header-less pair as `dat report` and `dat rm` name them: QA155 F4)
    ids = [int(row[0]) for row in ctx.db.query(
        "SELECT id FROM catalog_sources WHERE name = ? COLLATE NOCASE", (value,))]
    base, _, which = value.rpartition(" (")
    if not ids and which.lower() in ("headered)", "headerless)"):
        ids = [int(row[0]) for row in ctx.db.query(
            "SELECT id FROM catalog_sources WHERE name = ? COLLATE NOCASE AND headered = ?",
            (base, int(which.lower() == "headered)")))]
    if not ids:
        raise QueryError(f"query: dat:{quote_value(value)}: no imported DAT has this name "
                         "(`romrunner dat ls` lists them)")
    return ("g.matched_game_id IN (SELECT cg.game_id FROM catalog_games cg "
            "WHERE cg.source_id IN (SELECT value FROM json_each(?)))", [json.dumps(ids)])


def _year_sql(bounds: tuple[int | None, int | None], ctx: Context) -> Sql:
    condition, params = _range_sql("CAST(substr(cg.year, 1, 4) AS INTEGER)", bounds)
    return ("g.matched_game_id IN (SELECT cg.game_id FROM catalog_games cg WHERE "
            f"cg.year GLOB '[0-9][0-9][0-9][0-9]*' AND {condition})", params)


_RELATIVE = re.compile(r"^(\d{1,5})([dw])$")
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def _added_parse(value: str) -> tuple[str | None, str | None]:
    """``Nd``/``Nw`` (within the last N days/weeks) or a date range ``YYYY-MM-DD..``."""
    relative = _RELATIVE.match(value)
    if relative:
        days = int(relative.group(1)) * (7 if relative.group(2) == "w" else 1)
        return f"-{days} days", None
    low, sep, high = value.partition("..")
    if not sep:
        high = low
    for part in (low, high):
        if part and not _DATE.match(part):
            raise _bad("added", value, "expected 30d, 4w or a date range like 2026-01-01..")
        if part:
            try:
                dt.date.fromisoformat(part)
            except ValueError as exc:
                raise _bad("added", value, f"{part} is not a date") from exc
    if not low and not high:
        raise _bad("added", value, "a range needs at least one end")
    if low and high and low > high:
        raise _bad("added", value, "the range's start is after its end")
    return low or None, high or None


def _added_sql(bounds: tuple[str | None, str | None], ctx: Context) -> Sql:
    low, high = bounds
    if low is not None and low.startswith("-"):
        return "g.added_at >= datetime('now', ?)", [low]
    # (a date is the user's local day, as they read a calendar: QA63 F6, a game added "today"
    # west of UTC was not `added:TODAY`)
    parts: list[str] = []
    params: list[object] = []
    if low is not None:
        parts.append("g.added_unix >= ?")
        params.append(_local_midnight(dt.date.fromisoformat(low)))
    if high is not None and dt.date.fromisoformat(high) < dt.date.max:
        parts.append("g.added_unix < ?")  # (any time of that day)
        params.append(_local_midnight(dt.date.fromisoformat(high) + dt.timedelta(days=1)))
    return " AND ".join(parts) or "1 = 1", params


def _local_midnight(day: dt.date) -> int:
    """The Unix time at which ``day`` begins where the user is (the local time zone)."""
    try:
        return int(dt.datetime.combine(day, dt.time.min).astimezone().timestamp())
    except (OverflowError, OSError, ValueError):  # (year 1 or 9999 beyond the zone's reach)
        return int(dt.datetime.combine(day, dt.time.min, dt.UTC).timestamp())


def _compat_parse(value: str) -> str:
    if value.lower() not in STATUSES:
        raise _bad("compat", value, f"expected one of {', '.join(STATUSES)} (unknown: no "
                   "status is known)")
    return value.lower()


def _collection_sql(value: str, ctx: Context) -> Sql:
    from romrunner.collections.store import collection_condition

    return collection_condition(ctx, value)


_MISSING = "g.id IN (SELECT id FROM games INDEXED BY idx_games_missing WHERE is_missing = 1)"


def _field(name: str, help_text: str, parse: Callable[[str], object],
           sql: Callable[[Any, Context], Sql], sort_column: str | None = None,
           show: Callable[[Any], str] = str) -> Field:
    return Field(name, help_text, parse, sql, sort_column, show)


def _text(value: str) -> str:
    return value


FIELDS: dict[str, Field] = {f.name: f for f in (
    _field("platform", "platform id of the pack (platform:snes,gba)", _text, _platform_sql,
           "g.platform_id"),
    _field("region", "one region of the file name's tags (region:usa,europe)", _text,
           _region_sql),
    _field("lang", "one language of the file name's tags (lang:en)", _text, _language_sql),
    _field("flag", "a tag such as hack, beta, proto, bad_dump (flag:hack)", _flag_parse,
           _flag_sql),
    _field("title", "words of the title, as word prefixes (title:mario)", _title_parse,
           _words_sql, "g.title_norm"),
    _field("clone", "matched a clone in its DAT: an arcade clone, another region's release "
           "(clone:true; clone:false: a parent, or a game of no family)",
           lambda v: _boolean("clone", v),
           lambda v, ctx: (_CATALOG_CLONE if v else f"NOT coalesce({_CATALOG_CLONE}, 0)", [])),
    _field("missing", "the file has vanished from disk (missing:true)",
           lambda v: _boolean("missing", v),
           # (the missing games from their partial index: the planner scanned the facets
           # index for `is_missing = ?`, and a count of missing:true ran out of its budget
           # at 100k, QA134 F5)
           lambda v, ctx: (_MISSING if v else "g.is_missing = 0", [])),
    _field("match", "how the file was identified: hash, name, user, none, any", _match_parse,
           lambda v, ctx: _MATCH_SQL[v]),
    _field("size", "the game's size, a disc's tracks included: size:>4M, size:1M..8M, "
           "size:<=700K", lambda v: _number_range("size", v, _size),
           lambda b, ctx: _range_sql(SIZE_COLUMN, b), SIZE_COLUMN, size_text),
    _field("year", "release year from the matched DAT entry (year:1990..1995)",
           lambda v: _number_range("year", v, _integer), _year_sql),
    _field("added", "added within 30d / 4w, or a date range (added:2026-01-01..)",
           _added_parse, _added_sql, "g.id"),
    _field("id", "game id (id:10..20)", lambda v: _number_range("id", v, _integer),
           lambda b, ctx: _range_sql("g.id", b), "g.id"),
    _field("dat", "matched a game of this DAT (dat:\"Nintendo - Game Boy\")", _text, _dat_sql),
    _field("collection", "in this collection (collection:favorites)", _text,
           _collection_sql),
    _field("compat", "the compatibility answer of some emulator: the game's own, else its "
           "platform-wide one (compat:perfect,playable; compat:unknown: none known)",
           _compat_parse,
           lambda v, ctx: compat_condition(v, platform_wide=ctx.platform_wide)),
)}


def _term_sql(term: Term, ctx: Context) -> Sql:
    spec = FIELDS[term.field] if term.field is not None else None
    pieces: list[str] = []
    params: list[object] = []
    for value in term.values:
        if spec is None:
            condition, more = _phrase_sql(value, ctx)
        else:
            condition, more = spec.sql(spec.parse(value), ctx)
        pieces.append(condition)
        params += more
    # (one value's condition is not parenthesised twice: a `compat:` term's SQL alone takes
    # most of SQLite's parser stack, and each level a term or a collection nesting it adds
    # counts: qa188 F1)
    joined = pieces[0] if len(pieces) == 1 else " OR ".join(f"({p})" for p in pieces)
    if term.negated:
        return f"NOT coalesce({joined}, 0)", params
    return f"({joined})", params


def compile_where(query: Query, ctx: Context, *, include_words: bool = True) -> Sql:
    """The query as one SQL condition over ``games g`` with its parameters (without its
    positive free words when the caller joins their matches itself)."""
    parts: list[str] = []
    params: list[object] = []
    for term in query.terms:
        if term.field is None and not term.negated:
            continue
        condition, more = _term_sql(term, ctx)
        parts.append(condition)
        params += more
    words = [v for t in query.terms if t.field is None and not t.negated for v in t.values]
    if words and include_words:  # last: the cheap column tests run first
        condition, more = _words_sql(" ".join(words), ctx)
        parts.append(condition)
        params += more
    for phrase in (word for word in words if len((fold(word) or "").split()) > 1):
        condition, more = _phrase_sql(phrase, ctx)  # (its words in that order)
        parts.append(condition)
        params += more
    return (" AND ".join(parts) if parts else "1 = 1"), params


# -- sorting and keyset pages ----------------------------------------------------------------
@dataclass(frozen=True)
class SortKey:
    """One sort key: its field, SQL column, and direction."""

    name: str
    column: str
    descending: bool = False


SORT_ALIASES = {"title": "title", "added": "added", "size": "size", "platform": "platform",
                "id": "id"}


def parse_sort(text: str) -> tuple[SortKey, ...]:
    """``title,-added`` as sort keys; the game id is always the last (unique) key."""
    keys: list[SortKey] = []
    for part in (p.strip() for p in text.split(",")):
        descending = part.startswith("-")
        name = part.lstrip("-+")
        spec = FIELDS.get(SORT_ALIASES.get(name, ""))
        if spec is None or spec.sort_column is None:
            sortable = ", ".join(sorted(SORT_ALIASES))
            raise QueryError(f"--sort: cannot sort by {part!r} (sortable: {sortable})")
        keys.append(SortKey(name, spec.sort_column, descending))
    if not any(key.column == "g.id" for key in keys):
        keys.append(SortKey("id", "g.id", keys[-1].descending if keys else False))
    return tuple(keys[: next(i for i, k in enumerate(keys) if k.column == "g.id") + 1])


def _order_by(keys: Sequence[SortKey]) -> str:
    return ", ".join(f"{k.column}{' DESC' if k.descending else ''}" for k in keys)


def _after_sql(keys: Sequence[SortKey], values: Sequence[object]) -> Sql:
    if all(k.descending == keys[0].descending for k in keys):
        op = "<" if keys[0].descending else ">"
        columns = ", ".join(k.column for k in keys)
        marks = ", ".join("?" for _ in keys)
        return f"({columns}) {op} ({marks})", list(values)
    ors: list[str] = []
    params: list[object] = []
    for i, key in enumerate(keys):
        equal = [f"{k.column} = ?" for k in keys[:i]]
        op = "<" if key.descending else ">"
        ors.append("(" + " AND ".join([*equal, f"{key.column} {op} ?"]) + ")")
        params += [*values[:i], values[i]]
    return "(" + " OR ".join(ors) + ")", params


def query_mark(query: Query) -> str:
    """A short mark of what ``query`` selects, carried in its pages' cursors."""
    terms = json.dumps([[t.field, list(t.values), t.negated] for t in query.terms],
                       ensure_ascii=False)
    return hashlib.sha1(terms.encode()).hexdigest()[:10]


def encode_cursor(keys: Sequence[SortKey], row: dict[str, Any], mark: str | None = None) -> str:
    """An opaque cursor for the page after ``row`` (of the query ``mark`` names)."""
    payload = {"s": [k.name + ("-" if k.descending else "") for k in keys],
               "v": [row[f"_sort{i}"] for i in range(len(keys))],
               **({"q": mark} if mark is not None else {})}
    raw = json.dumps(payload, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(keys: Sequence[SortKey], cursor: str, mark: str | None = None
                  ) -> list[object]:
    """The sort values a cursor holds; an error when it is not a cursor of this sort, or of
    another query than ``mark``'s (QA166 F3: a page of `mario` taken up by `zelda` skipped
    games, unsaid; a cursor printed before cursors carried their query is taken)."""
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        payload = json.loads(raw)
        names, values = payload["s"], payload["v"]
    except (binascii.Error, ValueError, TypeError, KeyError) as exc:
        raise QueryError(f"--after {cursor!r}: not a cursor printed by this listing") from exc
    if mark is not None and isinstance(payload, dict) and payload.get("q", mark) != mark:
        raise QueryError(f"--after {cursor!r}: a cursor of another query (page through one "
                         "query with the cursors it prints)")
    expected = [k.name + ("-" if k.descending else "") for k in keys]
    if names != expected or not isinstance(values, list) or len(values) != len(keys) \
            or not all(isinstance(v, str | int) and not isinstance(v, bool) for v in values):
        raise QueryError(f"--after {cursor!r}: a cursor of another sort or listing")
    if not all(_SQLITE_INTEGERS[0] <= v <= _SQLITE_INTEGERS[1] if isinstance(v, int)
               else storable(v) for v in values):  # (QA44 F1: an internal error)
        raise QueryError(f"--after {cursor!r}: not a cursor printed by this listing")
    return list(values)


_SQLITE_INTEGERS = (-(2 ** 63), 2 ** 63 - 1)


# -- listing ----------------------------------------------------------------------------------
LIST_COLUMNS = ("g.id, g.platform_id, g.filename, g.filepath, g.detected_title, "
                f"{catalog_title()} AS catalog_title, "
                "g.region, g.file_size, g.total_size, g.matched_game_id, g.match_method, "
                "g.is_missing, r.path AS root")


@dataclass(frozen=True)
class GamePage:
    """One page of a query: its rows, the total, and the cursor of the next page."""

    rows: list[dict[str, Any]]
    total: int
    total_exact: bool
    next_cursor: str | None
    query: str
    sort: str


FTS_DRIVE_LIMIT = 5_000
"""Free words matching at most this many games drive the query from the search index (then
sort those few); more, and the sort's index drives it, testing each row against the words."""


@dataclass(frozen=True)
class Selection:
    """A compiled query over ``games g``: the FROM clause (with its parameters) and the
    WHERE condition; together they select the games."""

    from_sql: str
    from_params: list[object]
    where: str
    params: list[object]
    costly_count: bool = False  # common free words: each statement re-reads their matches

    @property
    def all_params(self) -> list[object]:
        """The parameters of ``FROM {from_sql} WHERE {where}``, in order."""
        return [*self.from_params, *self.params]


def select(db: Database, query: Query | str, *,
           known_platforms: Iterable[str] | None = None,
           fts_drive_limit: int = FTS_DRIVE_LIMIT) -> Selection:
    """Compile a query (text or parsed) against ``db``; ids it names are checked (against
    ``known_platforms``: the pack's platforms, by id, or their ids alone)."""
    parsed = parse_query(query) if isinstance(query, str) else query
    known = frozenset(known_platforms) | {"unknown"} if known_platforms is not None else None
    ctx = Context(db, known, platform_entries=known_platforms
                  if isinstance(known_platforms, Mapping) else None)
    words = " ".join(v for t in parsed.terms if t.field is None and not t.negated
                     for v in t.values)
    fts = fts_query(words) if words and ctx.fts else None
    if fts is not None:
        # One read of the search index says whether the words match few games and, if so,
        # which (a JSON list made in SQL); page and count then join those ids.
        found = db.query_one(
            "SELECT count(*) AS n, '[' || coalesce(group_concat(rowid), '') || ']' AS ids "
            "FROM (SELECT rowid FROM games_fts WHERE games_fts MATCH ? LIMIT ?)",
            (fts, fts_drive_limit + 1))
        if found is not None and int(found["n"]) <= fts_drive_limit:
            where, params = compile_where(parsed, ctx, include_words=False)
            return Selection("json_each(?) AS f CROSS JOIN games g ON g.id = f.value",
                             [str(found["ids"])], where, params)
    where, params = compile_where(parsed, ctx)
    return Selection("games g", [], where, params, costly_count=fts is not None)


@refused_when_too_long("query")  # (any statement still too large for SQLite: one line)
def query_games(db: Database, query: Query | str, *, sort: str = "title", limit: int = 100,
                after: str | None = None, exact_count: bool = False,
                known_platforms: Iterable[str] | None = None,
                count_cap: int = COUNT_CAP, fts_drive_limit: int = FTS_DRIVE_LIMIT,
                count_budget: int = COUNT_BUDGET) -> GamePage:
    """A keyset page of the games ``query`` selects, sorted by ``sort``, with the total.

    The total is exact up to :data:`COUNT_CAP` matches and :data:`COUNT_BUDGET` steps;
    beyond, or for common free words, it is "at least" (``total_exact`` False) unless
    ``exact_count`` is set. A page at any depth costs about what the first one does when an
    index serves the sort.
    """
    parsed = parse_query(query) if isinstance(query, str) else query
    keys = parse_sort(sort)
    chosen = select(db, parsed, known_platforms=known_platforms,
                    fts_drive_limit=fts_drive_limit)
    where, params = chosen.where, chosen.all_params
    if after:
        condition, more = _after_sql(keys, decode_cursor(keys, after, query_mark(parsed)))
        where, params = f"({where}) AND {condition}", [*params, *more]
    sort_columns = ", ".join(f"{k.column} AS _sort{i}" for i, k in enumerate(keys))
    rows = [dict(row) for row in db.query(
        f"SELECT {LIST_COLUMNS}, {sort_columns} FROM {chosen.from_sql} "
        f"JOIN library_roots r ON r.id = g.root_id WHERE {where} "
        f"ORDER BY {_order_by(keys)} LIMIT ?", (*params, limit + 1))]
    more_rows = len(rows) > limit
    rows = rows[:limit]
    if after is None and not more_rows:  # the first page holds them all
        total, exact = len(rows), True
    else:
        total, exact = _total(db, chosen, len(rows) + int(more_rows), exact_count,
                              count_cap, count_budget)
    cursor = encode_cursor(keys, rows[-1], query_mark(parsed)) if more_rows and rows else None
    for row in rows:
        for i in range(len(keys)):
            row.pop(f"_sort{i}")
        if "filepath" in row:
            as_listed(row)
    return GamePage(rows, total, exact, cursor, parsed.text(),
                    ",".join(("-" if k.descending else "") + k.name for k in keys))


def _total(db: Database, chosen: Selection, proven: int, exact_count: bool, cap: int,
           budget: int) -> tuple[int, bool]:
    """The total beside a page; ``proven`` is what the page itself shows exists."""
    if chosen.costly_count and not exact_count:
        return proven, False  # measured: counting cost more than the page itself
    total, exact = count_selection(db, chosen, exact=exact_count, cap=cap, budget=budget)
    return (total, True) if exact else (max(total, proven), False)


def count_selection(db: Database, chosen: Selection, *, exact: bool = False,
                    cap: int = COUNT_CAP, budget: int = COUNT_BUDGET) -> tuple[int, bool]:
    """How many games a selection holds: ``(count, True)``; or, unless ``exact``,
    ``(n, False)`` meaning "at least n" when there are more than ``cap`` or counting them
    would take more than ``budget`` SQLite steps (sparse matches among many candidates)."""
    if exact:
        return int(db.scalar(f"SELECT count(*) FROM {chosen.from_sql} WHERE {chosen.where}",
                             chosen.all_params)), True
    left = [budget // _STEP]

    def tick() -> int:
        left[0] -= 1
        return 1 if left[0] < 0 else 0

    counted = 0
    db.conn.set_progress_handler(tick, _STEP)
    try:
        with db.translate_errors():
            for _ in db.conn.execute(f"SELECT 1 FROM {chosen.from_sql} WHERE {chosen.where} "
                                     f"LIMIT ?", (*chosen.all_params, cap + 1)):
                counted += 1
    except DatabaseError:
        if left[0] >= 0:
            raise
        return counted, False  # stopped by the budget: at least this many
    finally:
        db.conn.set_progress_handler(None, 0)
    return (counted, True) if counted <= cap else (cap, False)


def describe_total(shown: int, total: int, exact: bool) -> str:
    """``"50 of 30,020"`` or ``"50 of at least 10,000"``."""
    return f"{shown:,} of {total:,}" if exact else f"{shown:,} of at least {total:,}"
