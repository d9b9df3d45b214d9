"""Of identical copies of a multi-disc set (renamed with a "[!]" whose sheets name the renamed
tracks; with `--auto`, also in a second library root under another title), the card keeps the
set it already has: nothing is written, nothing pruned, whatever the OS lays a set's discs out
as (muOS: a hidden folder; Knulli: beside the playlist)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.test_autolist import dat, real, rom

CUE = 'FILE "{}" BINARY\n  TRACK 01 MODE2/2352\n    INDEX 01 00:00:00\n'
TITLE = "Game (USA)"
DEVICES = {"muos": "rg-35xx-plus", "knulli": "rg-35xx-plus"}


def _cue_set(folder: Path, names: dict[int, str]) -> None:
    """A two-disc cue/bin set in ``folder``: disc N's sheet ``names[N].cue`` naming its track
    ``names[N].bin``, whose bytes are disc N's whatever the name."""
    folder.mkdir(parents=True, exist_ok=True)
    for disc, stem in names.items():
        (folder / f"{stem}.bin").write_bytes(rom(f"game disc {disc}"))
        (folder / f"{stem}.cue").write_text(CUE.format(f"{stem}.bin"))


def _iso_set(folder: Path, names: dict[int, str]) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    for disc, stem in names.items():
        (folder / f"{stem}.iso").write_bytes(rom(f"game disc {disc}"))


def _files(card: Path) -> dict[str, int]:
    """Every file on the card but ours in .romrunner, with its modification time."""
    return {str(path.relative_to(card)): path.stat().st_mtime_ns for path in card.rglob("*")
            if path.is_file() and ".romrunner" not in path.parts}


def _card_then_a_twin(cli: Any, tmp_path: Path, os_id: str, first: Any, twin: Any,
                      extension: str) -> tuple[Path, dict[str, int]]:
    """A card deployed `--auto` with the set ``first`` wrote in root A; then root B, where
    ``twin`` wrote the same discs, added and scanned. The card and its files then."""
    catalog = tmp_path / "psx.dat"
    catalog.write_text(dat("Sony - PlayStation", [
        (f"{TITLE} (Disc {disc})", f"{TITLE} (Disc {disc}).{extension}", f"game disc {disc}",
         None) for disc in (1, 2)]))
    first(tmp_path / "A" / "psx")
    for args in (("dat", "import", str(catalog)), ("library", "add", str(tmp_path / "A")),
                 ("scan", "--workers", "1"), ("device", "add", DEVICES[os_id]),
                 ("profile", "create", "--device", "1", "--os", os_id)):
        assert real(cli, *args).code == 0, args
    card = tmp_path / "card"
    card.mkdir()
    done = real(cli, "deploy", "1", "--to", str(card), "--auto")
    assert done.code == 0, done.err
    before = _files(card)
    assert any(name.endswith(".m3u") for name in before), before
    twin(tmp_path / "B" / "psx")
    for args in (("library", "add", str(tmp_path / "B")), ("scan", "--workers", "1")):
        assert real(cli, *args).code == 0, args
    return card, before


def _nothing_written_nor_pruned(cli: Any, card: Path, before: dict[str, int],
                                *selection: str) -> None:
    run = real(cli, "--json", "deploy", "1", "--to", str(card), *selection, "--prune")
    assert run.code == 0, run.err
    data = run.json()["data"]
    assert (data["copied"], data["pruned"]) == (0, 0), run.err
    assert _files(card) == before, run.err


SAME_NAMES = {disc: f"{TITLE} (Disc {disc})" for disc in (1, 2)}
VERIFIED_NAMES = {disc: f"{TITLE} (Disc {disc}) [!]" for disc in (1, 2)}


@pytest.mark.parametrize("os_id", ["muos", "knulli"])
@pytest.mark.parametrize("selection", [("--auto",), ("game",)])
def test_a_cards_cue_set_stays_when_a_verified_renamed_copy_is_added(
        cli: Any, tmp_path: Path, os_id: str, selection: tuple[str, ...]) -> None:
    # review48e F4: a "[!]" copy of the card's cue/bin set (its sheets name the renamed bins,
    # the bins the same bytes) replaced the card's whole set with --auto --prune and a query
    card, before = _card_then_a_twin(
        cli, tmp_path, os_id, lambda folder: _cue_set(folder, SAME_NAMES),
        lambda folder: _cue_set(folder, VERIFIED_NAMES), "bin")
    _nothing_written_nor_pruned(cli, card, before, *selection)


def test_a_cards_iso_set_stays_when_its_copy_in_another_root_is_added_with_auto(
        cli: Any, tmp_path: Path) -> None:
    # review48a F2: on muOS (the discs in the set's hidden folder) `--auto` swapped the whole
    # set for its identical copy, named as the catalog names it, in a second root. (A query
    # takes such a set, of another title, as another set: both go — left, see README.)
    card, before = _card_then_a_twin(
        cli, tmp_path, "muos", lambda folder: _iso_set(folder, {1: "Game (Disc 1)",
                                                                2: "Game (Disc 2)"}),
        lambda folder: _iso_set(folder, SAME_NAMES), "iso")
    _nothing_written_nor_pruned(cli, card, before, "--auto")

