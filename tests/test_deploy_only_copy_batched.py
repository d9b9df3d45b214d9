"""A prune keeping many files of ours as maybe the only copy left — zips of games forgotten
— asks the library about the ROMs their zips hold in a batch, not one query per zip, and
reads each zip's directory once; the zips of games the library has, no longer chosen, are
pruned without reading their library files (review44c F4, F5). Real library, scan, card."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

from romrunner.deploy.execute import DeployOptions, deploy, preview
from romrunner.library.roots import forget_missing
from romrunner.library.scan import scan_library
from tests.test_deploy_support import Layout, builtin_pack, make_library, payload


def _zipped(name: str) -> bytes:
    """A zip of one Game Boy ROM of its own bytes."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(f"{name}.gb", payload(name, 32_768))
    return out.getvalue()


def _loose_lookups(tmp_path: Path, games: int) -> tuple[int, list[str]]:
    """The statements asking the library for loose files by CRC32 in a dry-run prune of a
    card holding ``games`` zips of games since forgotten, and what it keeps."""
    names = [f"Game {n:03d} (USA)" for n in range(games)]
    library = make_library(tmp_path, {
        "gb/Kirby (USA).gb": 40_000, **{f"gb/{name}.zip": _zipped(name) for name in names}})
    card = tmp_path / "card"
    card.mkdir()
    deploy(library.db, library.plan(Layout(card)), profile_id=library.profile_id)
    for name in names:
        (library.root / "gb" / f"{name}.zip").unlink()
    scan_library(library.db, builtin_pack(), workers=1)
    assert forget_missing(library.db, None).games == games
    kirby = library.game_ids()
    with library.db.count_statements() as seen:
        data = preview(library.db, library.plan(Layout(card), kirby),
                       DeployOptions(prune=True), profile_id=library.profile_id)
    return sum("crc32_bin" in s and "is_archive = 0" in s for s in seen), \
        data["prune_only_copy"]


def test_kept_zips_are_asked_of_the_library_in_one_batch(tmp_path: Path) -> None:
    few, kept_few = _loose_lookups(tmp_path / "few", 2)
    many, kept_many = _loose_lookups(tmp_path / "many", 12)
    assert len(kept_few) == 2 and len(kept_many) == 12, (kept_few, kept_many)
    assert few == many == 1, (few, many)  # (0: the library never asked, review45b F3)


def test_zips_of_present_games_no_longer_chosen_are_pruned_unread(tmp_path: Path) -> None:
    """review44c F4: the library's zips of games no longer chosen — known by their members'
    hashes, none of their own — were read in full to look for the card copies' bytes, an
    answer then thrown away (their games are there): twice the bytes a prune reads."""
    names = [f"Game {n:03d} (USA)" for n in range(4)]
    library = make_library(tmp_path, {
        "gb/Kirby (USA).gb": 40_000, **{f"gb/{name}.zip": _zipped(name) for name in names}})
    card = tmp_path / "card"
    card.mkdir()
    deploy(library.db, library.plan(Layout(card)), profile_id=library.profile_id)
    kirby = [game for game, name in library.db.query("SELECT id, filename FROM games")
             if "Kirby" in name]
    with library.db.count_statements() as seen:
        data = preview(library.db, library.plan(Layout(card), kirby),
                       DeployOptions(prune=True), profile_id=library.profile_id)
    assert len(data["prune"]) == 4 and data["prune_only_copy"] == [], data
    assert not [s for s in seen if "is_archive = 1" in s and "sha1_bin IS NULL" in s], seen
