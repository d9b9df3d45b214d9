"""Of identical copies (the same bytes) of a game, which one a card gets: the auto-list and a
deploy of a query choose alike — the copy the card already has, else the one named as its
catalog game — so an unchanged library and card are not written to."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.test_autolist import dat, real, rom
from tests.test_autolist_versions import _copies, _listed, _profile


def _catalog(cli: Any, tmp_path: Path) -> None:
    catalog = tmp_path / "gb.dat"
    catalog.write_text(dat("Nintendo - Game Boy", [
        ("Kirby's Pinball Land (USA, Europe)", "Kirby's Pinball Land (USA, Europe).gb",
         "kirby", None),
        ("Tetris (World)", "Tetris (World).gb", "tetris", None)]))
    assert real(cli, "dat", "import", str(catalog)).code == 0


def _files(card: Path) -> dict[str, int]:
    """The card's game files, by name, with their modification times."""
    return {path.name: path.stat().st_mtime_ns for path in (card / "Roms" / "GB").iterdir()
            if path.is_file()}


def _card_deployed_then_a_twin_added(cli: Any, tmp_path: Path, seed: str, first: str,
                                      added: str, *, catalog: bool = True
                                      ) -> tuple[Path, dict[str, int]]:
    """A card deployed `--auto` with ``first`` alone in the library (its ``catalog`` imported,
    or none: the copies known by their SHA1 alone); then ``added`` (the same bytes, of
    ``seed``) scanned beside it. The card, and its files as that deploy left them."""
    if catalog:
        _catalog(cli, tmp_path)
    library = tmp_path / "roms"
    _copies(library / "gb", {first: seed})
    _profile(cli, library)
    card = tmp_path / "card"
    card.mkdir()
    assert real(cli, "deploy", "1", "--to", str(card), "--auto").code == 0
    before = _files(card)
    assert list(before) == [first]
    _copies(library / "gb", {added: seed})
    assert real(cli, "scan", "--workers", "1").code == 0
    return card, before


def _card_unchanged_once_a_twin_is_added(cli: Any, tmp_path: Path, seed: str, first: str,
                                         added: str, *, catalog: bool = True) -> Path:
    """:func:`_card_deployed_then_a_twin_added`, then a `deploy --auto --prune` that writes
    and removes nothing. The card."""
    card, before = _card_deployed_then_a_twin_added(cli, tmp_path, seed, first, added,
                                                    catalog=catalog)
    run = real(cli, "--json", "deploy", "1", "--to", str(card), "--auto", "--prune")
    assert run.code == 0, run.err
    assert _files(card) == before, run.err  # nothing written, nothing pruned
    assert run.json()["data"]["copied"] == 0, run.out
    return card


def test_an_unchanged_card_keeps_its_copy_of_identical_ones_with_auto(
        cli: Any, tmp_path: Path) -> None:
    # review47e F1: a card deployed --auto before the catalog-named copy was preferred holds
    # "Kirby [h1C] (Hack).gb"; the next `deploy --auto` wrote "Kirby's Pinball Land (USA,
    # Europe).gb" beside it and its --prune removed the card's own, while `deploy QUERY`
    # kept the card's. Both keep the card's now; a card with neither gets the catalog's name.
    card = _card_unchanged_once_a_twin_is_added(cli, tmp_path, "kirby", "Kirby [h1C] (Hack).gb",
                                                "Kirby's Pinball Land (USA, Europe).gb")
    queried = real(cli, "deploy", "1", "--to", str(card), "platform:gb", "--dry-run")
    assert queried.code == 0, queried.err
    assert "Kirby [h1C] (Hack).gb goes, not Kirby's Pinball Land" in queried.err
    # the auto-list said of this card keeps its copy too; of none, the catalog's name
    with_card = real(cli, "--json", "autolist", "1", "--to", str(card))
    assert with_card.code == 0, with_card.err
    kept = {g["filename"] for g in with_card.json()["data"]["games"] if g["included"]}
    assert kept == {"Kirby [h1C] (Hack).gb"}, kept
    listed = _listed(cli)
    assert {name for name, game in listed.items() if game["included"]} == {
        "Kirby's Pinball Land (USA, Europe).gb"}
    fresh = tmp_path / "fresh"
    fresh.mkdir()
    assert real(cli, "deploy", "1", "--to", str(fresh), "--auto").code == 0
    assert list(_files(fresh)) == ["Kirby's Pinball Land (USA, Europe).gb"]


def test_identical_copies_in_two_roots_go_alike_by_query_and_auto(
        cli: Any, tmp_path: Path) -> None:
    # review47e F4: of "Tetris [h1C] (Hack).gb" in the library root added first and its
    # identical "Tetris (World).gb" in a second root, `deploy QUERY` took the first root's
    # (the root order outranked the catalog's name there only), `--auto` the catalog's name.
    _catalog(cli, tmp_path)
    library = tmp_path / "roms"
    _copies(library / "gb", {"Tetris [h1C] (Hack).gb": "tetris"})
    _profile(cli, library)
    second = tmp_path / "roms2"
    _copies(second / "gb", {"Tetris (World).gb": "tetris"})
    assert real(cli, "library", "add", str(second)).code == 0
    assert real(cli, "scan", "--workers", "1").code == 0
    by_query, by_auto = tmp_path / "q", tmp_path / "a"
    by_query.mkdir()
    by_auto.mkdir()
    queried = real(cli, "deploy", "1", "--to", str(by_query), "platform:gb")
    assert queried.code == 0, queried.err
    assert real(cli, "deploy", "1", "--to", str(by_auto), "--auto").code == 0
    assert list(_files(by_query)) == list(_files(by_auto)) == ["Tetris (World).gb"], \
        queried.err
    # review47e F6(e): the warning states that rule, not only "the copy already there, else a
    # loose file rather than an archive", which did not explain the choice
    assert "a loose file rather than an archive, the one named as its catalog game names " \
        "it, then one from the library root added first" in queried.err, queried.err


def test_a_cards_copy_outranks_an_identical_one_whose_name_says_more(
        cli: Any, tmp_path: Path) -> None:
    # review48a F1: the card's copy ranked after what the key reads from a file's own name,
    # so an added identical "Tetris (World) [!].gb" (a GoodTools name) was written by
    # `deploy --auto` beside the card's "Tetris (World).gb", whose --prune then removed it;
    # a deploy of a query kept the card's.
    _card_unchanged_once_a_twin_is_added(cli, tmp_path, "tetris", "Tetris (World).gb",
                                         "Tetris (World) [!].gb")
    # (of no card, the auto-list still ranks the verified dump's name first)
    listed = _listed(cli)
    assert {name for name, game in listed.items() if game["included"]} == {
        "Tetris (World) [!].gb"}, listed


def test_identical_copies_nothing_tells_apart_go_from_the_root_added_first(
        cli: Any, tmp_path: Path) -> None:
    # review48a F6: of identical copies in two roots alike but for their names, a query took
    # the first root's and `--auto` the lowest game id's (the second root's, scanned first)
    _catalog(cli, tmp_path)
    first, second = tmp_path / "roms", tmp_path / "roms2"
    (first / "gb").mkdir(parents=True)
    _profile(cli, first)  # (the root added first, empty at its first scan)
    _copies(second / "gb", {"Tetris (World) (Copy).gb": "tetris"})
    assert real(cli, "library", "add", str(second)).code == 0
    assert real(cli, "scan", "--workers", "1").code == 0  # (its game: the lowest id)
    _copies(first / "gb", {"Tetris (World) (Backup).gb": "tetris"})
    assert real(cli, "scan", "--workers", "1").code == 0
    by_query, by_auto = tmp_path / "q", tmp_path / "a"
    by_query.mkdir()
    by_auto.mkdir()
    assert real(cli, "deploy", "1", "--to", str(by_query), "platform:gb").code == 0
    assert real(cli, "deploy", "1", "--to", str(by_auto), "--auto").code == 0
    assert list(_files(by_query)) == list(_files(by_auto)) == [
        "Tetris (World) (Backup).gb"], (_files(by_query), _files(by_auto))


def test_a_cards_copy_its_emulator_does_not_open_gives_way_to_one_it_does(
        cli: Any, tmp_path: Path) -> None:
    # review48e F1: the card's copy ranked before an identical one whose extension the
    # platform lists: the card kept "Tetris (World).bin", which the frontend may not list,
    # over an added "Tetris (World).gb".
    card, _ = _card_deployed_then_a_twin_added(cli, tmp_path, "tetris", "Tetris (World).bin",
                                               "Tetris (World).gb")
    run = real(cli, "deploy", "1", "--to", str(card), "--auto", "--prune", "--force")
    assert run.code == 0, run.err
    assert list(_files(card)) == ["Tetris (World).gb"], run.err


@pytest.mark.parametrize(("first", "added"), [
    ("Tetris (World) [a].gb", "Tetris (World).gb"),
    ("Tetris (World).gb", "Tetris (World) (Rev 1).gb"),
    ("Tetris (World).gb", "Tetris (World) (v1.1).gb"),
    ("Tetris (World).gb", "Tetris (World) [!].gb"),
    ("Tetris (World) (Unl).gb", "Tetris (World).gb")])
def test_a_cards_copy_known_by_its_sha1_stays_whatever_the_names_say(
        cli: Any, tmp_path: Path, first: str, added: str) -> None:
    # review48f F3: with no catalog (copies of one SHA1), the card's copy ranked after the
    # tags read from each file's name ("[a]", "(Rev 1)", "(Unl)"): an unchanged card had an
    # added identical copy written and its own pruned
    _card_unchanged_once_a_twin_is_added(cli, tmp_path, "tetris", first, added, catalog=False)


def test_copies_of_one_catalog_game_with_other_headers_are_not_one_content(
        cli: Any, tmp_path: Path) -> None:
    # review48e F3: two NES files matched to one catalog game through their data after the
    # header (No-Intro's are header-less) were "one content" to the auto-list, so the card's
    # copy, whatever its header, was kept over an added "[!]" with another header (GoodNES's
    # fix of a header naming the wrong mapper): their bytes differ, the [!] goes
    catalog = tmp_path / "nes.dat"
    catalog.write_text(dat("Nintendo - Nintendo Entertainment System", [
        ("Metroid (USA)", "Metroid (USA).nes", "metroid", None)]))
    assert real(cli, "dat", "import", str(catalog)).code == 0
    library = tmp_path / "roms"
    (library / "nes").mkdir(parents=True)
    data = rom("metroid")
    (library / "nes" / "Metroid (USA).nes").write_bytes(b"NES\x1a\x08\x00\x00" + bytes(9) + data)
    _profile(cli, library)
    card = tmp_path / "card"
    card.mkdir()
    assert real(cli, "deploy", "1", "--to", str(card), "--auto").code == 0
    (library / "nes" / "Metroid (USA) [!].nes").write_bytes(
        b"NES\x1a\x08\x00\x10" + bytes(9) + data)
    assert real(cli, "scan", "--workers", "1").code == 0
    listed = real(cli, "--json", "autolist", "1", "--to", str(card))
    assert listed.code == 0, listed.err
    kept = {g["filename"] for g in listed.json()["data"]["games"] if g["included"]}
    assert kept == {"Metroid (USA) [!].nes"}, kept
