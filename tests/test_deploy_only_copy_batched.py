"""A prune keeping many files of ours as maybe the only copy left — zips of games forgotten
— asks the library about the ROMs their zips hold in a batch, not one query per zip, and
reads each zip's directory once; the zips of games the library has, no longer chosen, are
pruned without reading their library files (review44c F4, F5). Real library, scan, card."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

from romrunner.deploy.execute import DeployOptions, deploy, preview
from tests.test_deploy_support import Layout, make_library, payload


def _zipped(name: str) -> bytes:
    """A zip of one Game Boy ROM of its own bytes."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(f"{name}.gb", payload(name, 32_768))
    return out.getvalue()


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
