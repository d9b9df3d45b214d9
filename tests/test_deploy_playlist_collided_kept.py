"""A library playlist left out because a file it names lands where another game's file goes
(another dump of its disc under the same names, in a root added first: review51i F1,
medium): `--auto --prune` removed the card's playlist and its hidden disc 2 a query had put
there, the warning naming only the other dump's file. Its card copies are kept now, as the
card's playlist names them — but only where no other game or set claims the path (review52a
F1, F3: a first fix held them before the later claims, refusing a second library playlist of
that name, "a game missing from the library"), and only the files the card's list names
(review52a F2: an old track the other dump's sheet does not name was kept).

Real directory trees, real SQLite, the CLI in-process (the test pack's muOS)."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from romrunner.deploy.saves import listed_by_sheets
from tests.test_deploy_multidisc_layout import playable
from tests.test_deploy_playlist_mixed_discs import CUE, _card_files, _card_for, _mix, _mixed_set


def _dangling(card: Path) -> list[str]:
    """The files the card's playlists (and the sheets they name) name that are not there."""
    lists = [str(path.relative_to(card)) for path in card.rglob("*.m3u")]
    return sorted(name for name in listed_by_sheets(card, lists) if not (card / name).is_file())


def _said(run: Any, code: str) -> list[str]:
    return [issue["message"] for issue in run.json().get("issues", [])
            if issue.get("code") == code] or [line for line in run.json()["warnings"]
                                             if code in line]


def test_auto_prune_keeps_a_playlist_left_out_for_another_dump_at_its_disc_place(
        cli: Any, tmp_path: Path) -> None:
    lib, card, tracks = _mix(cli, tmp_path, first="other")
    cli("deploy", "1", "--to", str(card), "platform:psx")  # (exit 1: the other dump's .bin)
    psx = card / "ROMS" / "psx"
    ours = {name: (psx / name).read_bytes()
            for name in ("Mix.m3u", ".Mix/Mix (Disc 2).cue", ".Mix/Mix (Disc 2).bin")}
    for _ in range(2):
        auto = cli("--json", "deploy", "1", "--to", str(card), "--auto", "--prune", "--force")
        assert auto.code == 1, auto.out
        assert {name: (psx / name).read_bytes() for name in ours
                if (psx / name).exists()} == ours, auto.out
        assert _dangling(card) == []
        assert playable(card, "ROMS/psx/Mix.m3u")[1:] == tracks[1:]
        playlist = str(lib / "psx" / "Mix.m3u")
        said = auto.json()["warnings"]
        assert [line for line in said if line.startswith(f"{playlist}: it names ")
                and "the playlist is not deployed" in line], said
    assert auto.json()["data"]["pruned"] == 0, auto.out  # (the second: nothing more)


def test_a_later_playlist_of_that_name_still_takes_its_place(cli: Any, tmp_path: Path) -> None:
    """review52a F1: a library playlist of the same name in a root added last, naming its own
    dump of both discs in the hidden folder, goes whole over the kept one: no conflict."""
    _, card, _ = _mix(cli, tmp_path, first="other")
    cli("deploy", "1", "--to", str(card), "platform:psx")
    cli("deploy", "1", "--to", str(card), "--auto", "--prune", "--force")
    third = tmp_path / "third" / "psx"
    (third / ".Mix").mkdir(parents=True)
    theirs = []
    for disc in (1, 2):
        stem = f"Mix (Disc {disc})"
        theirs.append(os.urandom(2352 * 8))
        (third / ".Mix" / f"{stem}.bin").write_bytes(theirs[-1])
        (third / ".Mix" / f"{stem}.cue").write_text(CUE.format(stem))
    (third / "Mix.m3u").write_text(".Mix/Mix (Disc 1).cue\n.Mix/Mix (Disc 2).cue\n")
    for args in (("library", "add", str(third.parent)), ("scan", "--workers", "1")):
        assert cli(*args).code == 0, args
    auto = cli("--json", "deploy", "1", "--to", str(card), "--auto", "--prune", "--force")
    data = auto.json()["data"]
    assert data["conflicts"] == 0 and data["failed"] == 0, auto.out
    assert playable(card, "ROMS/psx/Mix.m3u") == theirs
    assert _dangling(card) == []


def test_a_collision_at_its_sheet_keeps_no_track_the_card_does_not_name(
        cli: Any, tmp_path: Path) -> None:
    """review52a F2: the other dump's sheet is of the same name but names another track
    (`Mix (Disc 1) (Track 1).bin`): the card's sheet is that dump's, and the library
    playlist's old track, which nothing on the card names, goes with the prune."""
    lib = tmp_path / "lib"
    tracks = _mixed_set(lib)
    other = tmp_path / "other" / "psx"
    other.mkdir(parents=True)
    (other / "Mix (Disc 1) (Track 1).bin").write_bytes(os.urandom(2352 * 8))
    (other / "Mix (Disc 1).cue").write_text(CUE.format("Mix (Disc 1) (Track 1)"))
    card = _card_for(cli, lib, "muos", other.parent)
    cli("deploy", "1", "--to", str(card), "platform:psx")  # (exit 1: the other dump's .cue)
    for _ in range(2):
        cli("deploy", "1", "--to", str(card), "--auto", "--prune", "--force")
    psx = card / "ROMS" / "psx"
    assert not (psx / "Mix (Disc 1).bin").exists(), _card_files(card)
    assert _dangling(card) == [], _card_files(card)
    assert (psx / ".Mix" / "Mix (Disc 2).bin").read_bytes() == tracks[1]
    assert "Mix (Disc 1) (Track 1).bin" in (psx / "Mix (Disc 1).cue").read_text()


def test_another_dump_of_the_whole_set_still_takes_its_place(cli: Any, tmp_path: Path) -> None:
    """review52a F1, its second repro: a root added later holds another dump of the whole
    set, its discs visible: the auto-list picks that set, whose discs go to `.Mix/` and whose
    own `.m3u` takes the playlist's place — written whole, no conflict, no mixed dumps."""
    _, card, _ = _mix(cli, tmp_path)
    assert cli("deploy", "1", "--to", str(card), "platform:psx").code == 0
    second = tmp_path / "second" / "psx"
    second.mkdir(parents=True)
    theirs = []
    for disc in (1, 2):
        stem = f"Mix (Disc {disc})"
        theirs.append(os.urandom(2352 * 8))
        (second / f"{stem}.bin").write_bytes(theirs[-1])
        (second / f"{stem}.cue").write_text(CUE.format(stem))
    for args in (("library", "add", str(second.parent)), ("scan", "--workers", "1")):
        assert cli(*args).code == 0, args
    auto = cli("--json", "deploy", "1", "--to", str(card), "--auto", "--prune", "--force")
    data = auto.json()["data"]
    assert data["conflicts"] == 0 and data["failed"] == 0, auto.out
    assert playable(card, "ROMS/psx/Mix.m3u") == theirs, _card_files(card)
    assert _dangling(card) == []
