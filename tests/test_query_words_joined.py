"""A query is its arguments joined by spaces, parsed by one parser, in every command (QA11 N6).

Before: `games ls "dec platform:gb"` was one phrase (0 games) and `games ls "platform:gb
dec"` the platform `gb dec` (an error), while `collection create q --query "platform:gb
dec"` and a deploy's words split it (1 game); a user testing a smart query with `games ls`
got another answer. A phrase, or a value with spaces, is quoted inside the query. And
`search zel -adv` was refused (`search` took one argument).
"""

from __future__ import annotations

import hashlib
import zlib
from pathlib import Path
from typing import Any

import pytest

from romrunner.library.query import Term, parse_query

GB_DAT = "Nintendo - Game Boy"


def _data(seed: str) -> bytes:
    return (hashlib.sha256(seed.encode()).digest() * 256)[:8192]


@pytest.fixture
def run(cli: Any, tmp_path: Path) -> Any:
    """Two Game Boy games and an NES one whose titles start with Dec; the GB DAT has
    Decathlon; profile 1 an RG35XX Plus on muOS."""
    root = tmp_path / "lib"
    (root / "GB").mkdir(parents=True)
    (root / "NES").mkdir()
    decathlon = _data("decathlon")
    (root / "GB" / "Decathlon (USA).gb").write_bytes(decathlon)
    (root / "GB" / "Decker Run (USA).gb").write_bytes(_data("decker"))
    (root / "GB" / "Other (USA).gb").write_bytes(_data("other"))
    (root / "NES" / "Decoy (USA).nes").write_bytes(_data("decoy"))
    (tmp_path / "gb.dat").write_text(
        f'clrmamepro (\n\tname "{GB_DAT}"\n\tversion "t"\n)\ngame (\n\tname '
        f'"Decathlon (USA)"\n\trom ( name "Decathlon (USA).gb" size {len(decathlon)} '
        f'crc {zlib.crc32(decathlon):08x} sha1 {hashlib.sha1(decathlon).hexdigest()} )\n)\n')
    for args in (("dat", "import", str(tmp_path / "gb.dat"), "--platform", "gb"),
                 ("library", "add", str(root)), ("scan", "--workers", "1"),
                 ("device", "add", "rg-35xx-plus"),
                 ("profile", "create", "--device", "1", "--os", "muos")):
        result = cli(*args)
        assert result.code == 0, (args, result.err)
    return cli


def _listed(run: Any, *words: str) -> list[str]:
    result = run("--json", "games", "ls", *words)
    assert result.code == 0, (words, result.err)
    return sorted(row["filename"] for row in result.json()["data"]["games"])


def _collected(run: Any, name: str, query: str) -> list[str]:
    assert run("collection", "create", name, "--query", query).code == 0
    shown = run("--json", "collection", "show", name).json()["data"]
    return sorted(row["filename"] for row in shown["games"])


def _deployed(run: Any, card: Path, *words: str) -> int:
    result = run("--json", "deploy", "1", "--to", str(card), "--dry-run", *words)
    assert result.code == 0, (words, result.err)
    return int(result.json()["data"]["chosen"]["games"])


def test_one_argument_and_several_are_one_query_everywhere(run: Any, tmp_path: Path) -> None:
    gb_dec = ["Decathlon (USA).gb", "Decker Run (USA).gb"]
    for words in (("dec platform:gb",), ("platform:gb dec",), ("dec", "platform:gb"),
                  ("platform:gb", "dec")):
        assert _listed(run, *words) == gb_dec, words
    assert _collected(run, "q1", "platform:gb dec") == gb_dec
    assert _collected(run, "q2", "dec platform:gb") == gb_dec
    card = tmp_path / "card"
    card.mkdir()
    assert _deployed(run, card, "dec platform:gb") == 2
    assert _deployed(run, card, "platform:gb", "dec") == 2
    # a negation inside one argument, and one given as its own word
    assert _listed(run, "dec -platform:gb") == _listed(run, "dec", "-platform:gb") == [
        "Decoy (USA).nes"]


def test_a_value_with_spaces_is_quoted_inside_the_query(run: Any) -> None:
    assert _listed(run, f'dat:"{GB_DAT}"') == ["Decathlon (USA).gb"]
    assert _listed(run, f'platform:gb "dat:{GB_DAT}"') == []  # a phrase: no title has it
    assert _listed(run, '"decker run"') == ["Decker Run (USA).gb"]
    assert _collected(run, "q3", f'dat:"{GB_DAT}"') == ["Decathlon (USA).gb"]
    # the shell took the quotes (`dat:"Nintendo - Game Boy"` typed): a dat:, collection: or
    # title: word holding a space is one value, quoted again (QA12 F7: it was split, and the
    # lone '-' refused); any other word with spaces is split as query text
    assert _listed(run, f"dat:{GB_DAT}") == ["Decathlon (USA).gb"]
    assert _listed(run, f"dat:{GB_DAT.lower()}") == ["Decathlon (USA).gb"]  # (QA117 F10)
    assert _listed(run, "title:decker run") == ["Decker Run (USA).gb"]
    assert parse_query(["dat:Sega Pico", "x"]) == parse_query('dat:"Sega Pico" x')
    assert parse_query(["-title:super mario"]).terms == (Term("title", ("super mario",), True),)
    assert parse_query(["platform:gb dec"]) == parse_query("platform:gb dec")
    assert parse_query(['-"Super Mario"', "platform:gb"]).terms == (
        Term(None, ("Super Mario",), True), Term("platform", ("gb",)))


def test_search_takes_its_words_as_one_text(run: Any) -> None:
    def found(*words: str) -> list[str]:
        result = run("--json", "search", *words)
        assert result.code == 0, (words, result.err)
        return sorted(row["filename"] for row in result.json()["data"])

    assert found("dec", "-decoy") == found("dec -decoy") == [
        "Decathlon (USA).gb", "Decker Run (USA).gb"]
    assert found("dec", "run") == found("dec run") == ["Decker Run (USA).gb"]


def test_a_whole_query_the_shell_got_as_one_word_reads_the_same_everywhere(
        run: Any, tmp_path: Path) -> None:
    """QA20 C1: `games ls 'title:dec platform:gb'` took the whole word for one title (0
    games) while a deploy split it (2 games); a deploy given `dat:"Nintendo - Game Boy"` as
    the shell leaves it (one word with spaces) split it where `games ls` did not."""
    gb_dec = ["Decathlon (USA).gb", "Decker Run (USA).gb"]
    assert _listed(run, "title:dec platform:gb") == _listed(run, "title:dec", "platform:gb") \
        == gb_dec
    assert _listed(run, "platform:gb title:dec") == gb_dec
    assert _listed(run, "title:dec -platform:gb") == ["Decoy (USA).nes"]
    assert parse_query(["title:dec region:usa"]) == parse_query("title:dec region:usa")
    # words of a title that merely hold a colon stay the title's
    assert parse_query(["title:zelda: link"]).terms == (Term("title", ("zelda: link",)),)
    # a word left out is a term of its own (QA117 F1: `title:"dec -decker"` chose only it)
    assert _listed(run, "title:dec -decker") == _listed(run, "title:dec", "-decker") == [
        "Decathlon (USA).gb", "Decoy (USA).nes"]
    assert _collected(run, "q4", "title:dec -decker") == [
        "Decathlon (USA).gb", "Decoy (USA).nes"]
    # (a collection's name the shell quoted stays one value: review 118 F6)
    assert parse_query(["collection:best -of"]).terms == (Term("collection", ("best -of",)),)
    card = tmp_path / "card"
    card.mkdir()
    assert _deployed(run, card, "title:dec platform:gb") == 2
    assert _deployed(run, card, f"dat:{GB_DAT}") == 1  # one value, as games ls reads it


def test_search_takes_platform_as_its_option_and_refuses_other_terms(run: Any) -> None:
    """QA20: `search dec platform:gb` searched for the words "platform gb" and said "no game
    matches"; `platform:ID` is --platform ID, any other query term is an error naming
    `games ls`."""
    result = run("--json", "search", "dec", "platform:gb")
    assert result.code == 0, result.err
    assert sorted(row["filename"] for row in result.json()["data"]) == [
        "Decathlon (USA).gb", "Decker Run (USA).gb"]
    refused = run("search", "dec", "region:usa")
    assert refused.code == 2
    assert "region:usa is a query term" in refused.err and "games ls" in refused.err
    # a field's name in any case, as games ls reads it (QA63 F7: title words, no match)
    capital = run("--json", "search", "dec", "Platform:gb")
    assert [row["filename"] for row in capital.json()["data"]] == [
        row["filename"] for row in result.json()["data"]]
    assert run("search", "dec", "Region:usa").code == 2
    assert run("search", "dec", "platform:gb", "--platform", "nes").code == 2
    several = run("search", "platform:gb", "platform:nes", "dec")  # (QA26: "a query term")
    assert several.code == 2 and "search takes one platform" in several.err
    suggested = several.err.split("`romrunner ")[1].split("`")[0].split()
    listed = run("--json", *suggested)  # the command it names lists each platform's finds
    each = [row["filename"] for platform in ("gb", "nes") for row in run(
        "--json", "search", "dec", "--platform", platform).json()["data"]]
    assert sorted(row["filename"] for row in listed.json()["data"]["games"]) == sorted(each)
    assert len(each) == 3


def test_search_reads_a_quoted_platform_word_and_any_case_of_an_id(run: Any) -> None:
    """QA23 F5: `search "platform:gb dec"` (its help: the words are one text) said "unknown
    platform 'gb dec'"; `--platform GB` was refused where `games ls platform:GB` works; the
    unknown-platform error listed the first 40 ids only."""
    expected = ["Decathlon (USA).gb", "Decker Run (USA).gb"]
    for args in (("platform:gb dec",), ("dec", "--platform", "GB"), ("platform:Gb", "dec")):
        result = run("--json", "search", *args)
        assert result.code == 0, (args, result.err)
        assert sorted(row["filename"] for row in result.json()["data"]) == expected, args
    unknown = run("search", "dec", "--platform", "zzz")  # (where every id is listed, since
    # an id meant is named: QA166 F9)
    assert unknown.code == 2 and "`romrunner platforms --all` lists" in unknown.err
    meant = run("search", "dec", "--platform", "snse")
    assert meant.code == 2 and "did you mean snes" in meant.err, meant.err


def test_search_splits_its_words_as_games_ls_reads_a_query(run: Any) -> None:
    """QA180 F5: search split its words on blanks before reading quotes: `"dec` (a quote
    never closed) was searched where `games ls` refuses it, and a quoted DAT name was named
    cut up in the refusal (`dat:"Nintendo`) and in the command it suggested."""
    for command in ("search", "games ls"):
        refused = run(*command.split(), '"dec')
        assert refused.code == 2 and "unbalanced quote in '\"dec'" in refused.err, refused.err
    term = f'dat:"{GB_DAT}"'
    named = run("search", term, "dec")
    assert named.code == 2 and f"search: {term} is a query term" in named.err, named.err
    assert f"`romrunner games ls '{term}' dec`" in named.err
    phrase = run("--json", "search", '"decker run"')
    assert [row["filename"] for row in phrase.json()["data"]] == ["Decker Run (USA).gb"]
    quoted = run("--json", "search", 'platform:"gb"', "dec")
    assert len(quoted.json()["data"]) == 2, quoted.err
