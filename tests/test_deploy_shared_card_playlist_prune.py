"""One card two profiles share, muOS (a set's discs in a hidden `.Title/` folder) and KNULLI
(flat), each writing the set's playlist at the same path, `roms/psx/Title.m3u` (review52d
F1): muOS deploys the set, KNULLI deploys it (its playlist, naming its flat discs, replaces
muOS's), then KNULLI's `--prune` of a deploy no longer choosing it removed the flat discs
and kept the playlist for muOS (muOS's deploys chose that path): the card's only playlist
of the set named files gone, muOS's game listed but unable to start, unsaid.

A prune keeps the files a playlist or sheet it keeps for another profile names as it is on
the card now, said; once that profile's deploy writes its own playlist back, the next
prune removes them.

Real directory trees, real SQLite, the real definition pack, the CLI in-process."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from romrunner.deploy.saves import listed_by_sheets
from tests.test_deploy_shared_card_playlist import PLAYLIST, _shared_card


def _dangling(card: Path) -> list[str]:
    """The files the card's playlists (and the sheets they name) name that are not there."""
    lists = [str(path.relative_to(card)) for path in card.rglob("*.m3u")]
    return sorted(name for name in listed_by_sheets(card, lists) if not (card / name).is_file())


def test_a_prune_keeps_the_discs_another_profiles_kept_playlist_names(
        cli: Any, tmp_path: Path) -> None:
    pack, card = _shared_card(cli, tmp_path)
    assert cli(*pack, "deploy", "1", "--to", card, "platform:psx").code == 0  # (muOS)
    muos_lines = (card / PLAYLIST).read_text()
    assert cli(*pack, "deploy", "2", "--to", card, "platform:psx").code == 0  # (KNULLI)
    knulli_lines = (card / PLAYLIST).read_text()
    assert knulli_lines != muos_lines and ".Saga" not in knulli_lines, knulli_lines
    assert (card / "roms" / "psx" / "Saga (USA) (Disc 1).bin").is_file()
    for args in (("--dry-run",), ()):
        pruned = cli(*pack, "--json", "deploy", "2", "--to", card, "platform:gba",
                     "--prune", "--force", *args)
        assert pruned.code == 0, (pruned.out, pruned.err)
        said = [n for n in pruned.json()["data"]["notes"] if str(PLAYLIST) in n
                and "names" in n]
        assert len(said) == 1 and "profile 1 " in said[0], pruned.json()["data"]["notes"]
    assert (card / PLAYLIST).read_text() == knulli_lines
    assert _dangling(card) == [], _dangling(card)
    for disc in (1, 2):  # (muOS's own copies: kept for it, as ever)
        assert (card / "roms" / "psx" / ".Saga (USA)" / f"Saga (USA) (Disc {disc}).bin").is_file()
    # muOS's deploy writes its playlist back; the flat discs, named by nothing now, go with
    # the next prune of KNULLI's
    back = cli(*pack, "deploy", "1", "--to", card, "platform:psx")
    assert back.code == 0, back.out
    assert (card / PLAYLIST).read_text() == muos_lines
    again = cli(*pack, "--json", "deploy", "2", "--to", card, "platform:gba", "--prune",
                "--force")
    assert again.code == 0, again.out
    assert not (card / "roms" / "psx" / "Saga (USA) (Disc 1).bin").exists(), again.out
    assert not (card / "roms" / "psx" / "Saga (USA) (Disc 2).cue").exists(), again.out
    assert _dangling(card) == [], _dangling(card)
    assert (card / PLAYLIST).read_text() == muos_lines


def test_the_other_order_keeps_the_hidden_discs_knullis_kept_playlist_names(
        cli: Any, tmp_path: Path) -> None:
    """KNULLI first, then muOS (its playlist names its hidden discs), then muOS's prune of a
    deploy no longer choosing the set: KNULLI's flat discs are KNULLI's (kept), and the
    playlist, kept for KNULLI, names muOS's hidden discs — kept with it."""
    pack, card = _shared_card(cli, tmp_path)
    assert cli(*pack, "deploy", "2", "--to", card, "platform:psx").code == 0  # (KNULLI)
    assert cli(*pack, "deploy", "1", "--to", card, "platform:psx").code == 0  # (muOS)
    assert ".Saga (USA)/" in (card / PLAYLIST).read_text()
    pruned = cli(*pack, "--json", "deploy", "1", "--to", card, "platform:gba", "--prune",
                 "--force")
    assert pruned.code == 0, pruned.out
    assert _dangling(card) == [], _dangling(card)
    named = pruned.json()["data"]["prune_named"]
    assert len(named) == 4 and {n["named_by"] for n in named} == {str(PLAYLIST)}, named
    assert ".Saga (USA)/" in (card / PLAYLIST).read_text()
