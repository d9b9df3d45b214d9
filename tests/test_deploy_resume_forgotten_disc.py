"""A deploy whose set's disc failed, that disc then deleted and forgotten (`scan`, `games
forget --missing`), resumed (QA196 F1): `games forget` leaves the run's rows of the disc
naming no game, and the resume wrote the set's playlist whole, naming the disc the card does
not have, counted copied, the disc said "missing since the scan" — it says the disc's game
was forgotten, and writes no playlist naming a disc not on the card."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.conftest import muos_profile

CUE = 'FILE "{0}.bin" BINARY\n  TRACK 01 MODE2/2352\n    INDEX 01 00:00:00\n'
NAMES = [f"Big Saga (USA) (Disc {disc})" for disc in (1, 2, 3)]


def _three_discs(folder: Path) -> None:
    folder.mkdir(parents=True)
    for disc, name in enumerate(NAMES, 1):
        (folder / f"{name}.bin").write_bytes(bytes([disc]) * (3000 + disc))
        (folder / f"{name}.cue").write_text(CUE.format(name))


def _playlists_name_only_what_is_there(card: Path) -> list[str]:
    """Every line of the card's playlists, each asserted to be a file on the card."""
    lines = []
    for playlist in card.rglob("*.m3u"):
        for line in playlist.read_text().splitlines():
            assert (playlist.parent / line).is_file(), (playlist, line)
            lines.append(line)
    return lines


def _forget_a_disc(cli: Any, library: Path, name: str) -> None:
    for path in library.glob(f"{name}.*"):
        path.unlink()  # deleted on purpose
    assert cli("scan", "--workers", "1").code == 0
    assert cli("games", "forget", "--missing").code == 0


@pytest.mark.parametrize("gone", [NAMES[2], NAMES[0]])  # (the first: the playlist's game)
def test_a_resume_after_a_failed_discs_game_was_forgotten_writes_no_playlist_naming_it(
        cli: Any, tmp_path: Path, gone: str) -> None:
    library = tmp_path / "roms" / "psx"
    _three_discs(library)
    muos_profile(cli, tmp_path / "roms")
    card = tmp_path / "card"
    track = card / "ROMS" / "psx" / ".Big Saga (USA)" / f"{NAMES[2]}.bin"
    track.mkdir(parents=True)  # a folder where the track goes: every file fails
    run = cli("--json", "deploy", "1", "--to", str(card), "big saga")
    assert run.code == 1 and run.json()["data"]["copied"] == 0, run.out
    track.rmdir()
    _forget_a_disc(cli, library, gone)
    resumed = cli("--json", "deploy", "resume", str(run.json()["data"]["deployment_id"]))
    data = resumed.json()["data"]
    _playlists_name_only_what_is_there(card)
    errors = {error["path"]: error["error"] for error in data["errors"]}
    said = [error for dest, error in errors.items() if gone in dest]
    assert len(said) == 2 and all("its game was forgotten" in error for error in said), errors
    assert not any("missing since the scan" in error for error in errors.values()), errors
    assert data["copied"] == 0 and data["failed"] == 7, data


def test_a_resume_after_a_failed_discs_game_was_forgotten_keeps_the_short_playlist(
        tmp_path: Path) -> None:
    """The disc gone after the plan (its other discs and a playlist naming them written):
    the resume after it was forgotten wrote the playlist whole."""
    from romrunner.deploy.execute import FORGOTTEN, deploy, resume
    from romrunner.library.roots import forget_missing
    from romrunner.library.scan import scan_library
    from tests.test_deploy_support import Layout, builtin_pack, make_library

    library = make_library(tmp_path, {
        **{f"psx/{name}.bin": bytes([disc]) * (3000 + disc)
           for disc, name in enumerate(NAMES, 1)},
        **{f"psx/{name}.cue": CUE.format(name).encode() for name in NAMES}})
    card = tmp_path / "card"
    card.mkdir()
    plan = library.plan(Layout(card))
    third = library.root / "psx" / f"{NAMES[2]}.bin"
    third.rename(tmp_path / "away.bin")  # the share drops it after the plan
    first = deploy(library.db, plan, profile_id=library.profile_id)
    assert first.failed == 3
    assert len(_playlists_name_only_what_is_there(card)) == 2
    (library.root / "psx" / f"{NAMES[2]}.cue").unlink()  # the disc deleted on purpose
    scan_library(library.db, builtin_pack(), workers=1)
    assert forget_missing(library.db, None).games == 1
    resumed = resume(library.db, first.deployment_id)
    assert len(_playlists_name_only_what_is_there(card)) == 2
    errors = {error["path"]: error["error"] for error in resumed.errors}
    assert [errors[dest] for dest in errors if NAMES[2] in dest] == [FORGOTTEN, FORGOTTEN]
    assert resumed.copied == 0, resumed
