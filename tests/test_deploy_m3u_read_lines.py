"""The prune reads the playlists it writes: a line ``./NAME`` (how a disc whose name starts with
`#` is written, to be no comment to the players) names NAME, so a playlist whose disc the prune
keeps as maybe the only copy left is kept with it (review40b F8: the `./` line matched no kept
disc, and the playlist went while its disc stayed). A real card folder and database."""

from __future__ import annotations

from pathlib import Path

from romrunner.deploy.execute import (
    Claims,
    _Item,
    _without_playlists_of_kept_discs,
    prune_notes,
)
from romrunner.deploy.legal import FileSystem
from romrunner.deploy.plan import m3u_line
from tests.test_query import make_library

PLAYLIST = "roms/psx/#1 Racer (USA).m3u"
DISCS = ["#1 Racer (USA) (Disc 1).cue", "#1 Racer (USA) (Disc 2).cue"]


def _item(dest: str) -> _Item:
    return _Item(1, "playlist", "prune", "psx", "", None, None, dest, 0, None, None, "planned")


def test_a_playlist_of_dot_slash_lines_is_kept_with_its_kept_disc(tmp_path: Path) -> None:
    card = tmp_path / "card"
    (card / "roms" / "psx").mkdir(parents=True)
    lines = [m3u_line(name) for name in DISCS]
    assert lines == [f"./{name}" for name in DISCS]  # (what a deploy writes for such names)
    (card / PLAYLIST).write_text("".join(f"{line}\n" for line in lines), encoding="utf-8")
    claims = Claims(make_library(tmp_path / "lib.db"), card, "card-id", FileSystem.POSIX)
    claims.prune_only_copy.append(f"roms/psx/{DISCS[0]}")
    left = _without_playlists_of_kept_discs(card, claims, [_item(PLAYLIST)])
    assert left == [] and PLAYLIST in claims.prune_only_copy


def test_a_playlist_kept_with_its_disc_is_not_said_to_be_an_only_copy(tmp_path: Path) -> None:
    """qa191 F3: the playlist kept with a disc kept as maybe the only copy left was named as
    one more file "whose content the library no longer has (maybe the only copy left)": a
    deploy writes it, it is no copy of anything. Said apart, as kept with its disc."""
    card = tmp_path / "card"
    (card / "roms" / "psx").mkdir(parents=True)
    (card / PLAYLIST).write_text("".join(f"{m3u_line(name)}\n" for name in DISCS),
                                 encoding="utf-8")
    claims = Claims(make_library(tmp_path / "lib.db"), card, "card-id", FileSystem.POSIX)
    disc = f"roms/psx/{DISCS[0]}"
    claims.prune_only_copy.append(disc)
    claims.prune_unproven.append(disc)
    assert _without_playlists_of_kept_discs(card, claims, [_item(PLAYLIST)]) == []
    notes = prune_notes(claims, dry_run=True)
    (only,) = [note for note in notes if "only copy left" in note and disc in note]
    assert PLAYLIST not in only and "1 file " in only, notes
    (kept,) = [note for note in notes if PLAYLIST in note]
    assert kept.startswith("--prune would keep 1 playlist ROM Runner wrote for a set"), kept
    assert "kept with that disc" in kept and "content" not in kept, kept
