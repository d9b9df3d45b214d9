"""``romrunner search``: typeahead search of the library."""

from __future__ import annotations

import click
from rich.console import Console
from rich.table import Table

from romrunner.cli.context import app_context
from romrunner.cli.querycmd import QueryCommand
from romrunner.cli.terminal import literal
from romrunner.errors import InputError
from romrunner.library.platforms import UNKNOWN
from romrunner.library.query import (
    FIELDS,
    QueryError,
    empty_result_hint,
    parse_query,
    query_words,
    tag_word_hint,
)
from romrunner.search.games import search_games
from romrunner.store import OpenMode
from romrunner.words import shell_word

SEARCH_MAX = 1000  # the most a search lists (--limit's bound)


@click.command(cls=QueryCommand)
@click.argument("words", nargs=-1, required=True)
@click.option("--platform", default=None,
              help="Only this platform id (an unknown id is an error).")
@click.option("--limit", type=click.IntRange(1, SEARCH_MAX), default=20, show_default=True)
def search(words: tuple[str, ...], platform: str | None, limit: int) -> int:
    """Find games by title as you type: the title in the file's name (its tags in brackets
    and parentheses aside) or its catalog game's (word prefixes, diacritics folded).

    The WORDS are one text, joined by spaces (`search zel adv` is `search "zel adv"`); a
    word starting with - leaves titles with it out; words in double quotes are a phrase
    (`'"the legend of zelda"'` finds "Legend of Zelda, The" too); `platform:ID` is
    --platform ID (other query terms: `games ls`). Titles starting with the words come
    first, and a title's releases before its betas, demos and hacks. A game whose file the
    last scan did not find is marked "(missing)"."""
    # (one text: a quoted "platform:snes sky" is the same words, QA23 F5; split as games ls
    # splits a query, a quoted part one word: QA180 F5)
    platform, words = _platform_word(platform, tuple(_words(" ".join(words))))
    text = " ".join(words)
    app = app_context()
    known = app.pack().platforms if platform is not None else ()
    if platform is not None and platform not in known:  # (`games ls platform:SNES` works)
        platform = next((p for p in (*known, UNKNOWN) if p.casefold() == platform.casefold()),
                        platform)
    rows = search_games(app.open_db(OpenMode.READ), text, limit=limit + 1, platform=platform,
                        known_platforms=known)
    more, rows = len(rows) > limit, rows[:limit]
    # (the platform a term too: the words may not be what found nothing, review45e F2)
    asked = text if platform is None else f'{text} platform:"{platform}"'
    if not rows and (hint := _operator_hint(asked)) is not None:
        app.warn(hint)  # (as games ls says it: qa193 F6)
    if (tags := _tag_hint(text)) is not None:
        app.warn(tags)
    said_more = (f"the first {limit:,} matches; more match ("
                 + ("--limit N shows more, " if limit < SEARCH_MAX else "")
                 + "`romrunner games ls WORDS` pages through all)")
    if more and app.json_output:  # (QA17: the list alone could not say it was cut)
        app.warn(said_more)

    def render(console: Console) -> None:
        table = Table("id", "platform", "title", "file")
        for row in rows:
            table.add_row(str(row["id"]), row["platform_id"],
                          literal(row["catalog_title"] or row["detected_title"] or ""),
                          literal(row["filename"]) + (" (missing)" if row["is_missing"]
                                                      else ""))
        console.print(table if rows else "no game matches")
        if more:  # (QA16: 20 shown, and no word of the others)
            console.print(said_more)

    app.finish(rows, render)
    return 0


def _words(text: str) -> list[str]:
    """The words of ``text`` as `games ls` reads a query: a quoted part with its blanks one
    word (``dat:"Nintendo - Game Boy"``), and an unbalanced quote the same error (QA180 F5:
    search split on blanks first, took ``"super mario``, and named a term cut up)."""
    try:
        return query_words(text)
    except QueryError as exc:
        raise InputError(f"search: {str(exc).removeprefix('query: ')}") from exc


def _operator_hint(text: str) -> str | None:
    """What `games ls` says of an empty result whose words hold ``OR``, ``AND`` or ``NOT``
    (title words here, as in every query); None otherwise."""
    try:
        return empty_result_hint(parse_query(text))
    except QueryError:  # (words search takes, a query refuses: nothing to say of them)
        return None


def _platform_word(platform: str | None, words: tuple[str, ...]
                   ) -> tuple[str | None, tuple[str, ...]]:
    """A ``platform:ID`` word is ``--platform ID``; any other query term is refused, naming
    `games ls`, which takes a whole query (QA20: `search boulder platform:gb` searched for the
    title words "platform gb" and said "no game matches")."""
    kept = []
    for word in words:
        name, colon, value = word.removeprefix("-").partition(":")
        value = value.replace('"', "")  # (platform:"gb" is platform:gb)
        name = name.lower()  # (a field's name in any case, as games ls reads it: QA63 F7)
        if not colon or name not in FIELDS:
            kept.append(word)
        elif name == "platform" and not word.startswith("-") and platform in (None, value) \
                and value and "," not in value:
            platform = value
        elif name == "platform" and not word.startswith("-") and value:
            # several platforms: one query of games ls takes them (QA26: it was called "a
            # query term", and the command it suggested listed nothing)
            several = [p for w in words if w.lower().startswith("platform:")
                       for p in w.partition(":")[2].split(",") if p]
            several = list(dict.fromkeys([*([platform] if platform else []), *several]))
            rest = [w for w in words if not w.lower().startswith("platform:")]
            raise InputError(f"search: {word}: search takes one platform; `romrunner games "
                             f"ls {shell_word('platform:' + ','.join(several))} "
                             f"{' '.join(map(shell_word, rest))}` searches "
                             "several")
        else:
            raise InputError(f"search: {word} is a query term; search takes title words and "
                             f"--platform (`romrunner games ls {' '.join(map(shell_word, words))}` "
                             "takes a "
                             "whole query)")
    return platform, tuple(kept)


def register(group: click.Group) -> None:
    """Add the search command to ``group``."""
    group.add_command(search)


def _tag_hint(text: str) -> str | None:
    """What `games ls` says of a ``-word`` that is a tag's name, with the `games ls` term
    that leaves such games out (search takes title words only)."""
    try:
        return tag_word_hint(parse_query(text), "`romrunner games ls 'WORDS {}'`")
    except QueryError:
        return None
