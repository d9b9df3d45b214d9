"""A multi-disc set whose generated .m3u's place on the card holds the user's own file: that
file is a conflict, kept, and the set's discs not yet on the card are held with it — by the
first run, by a resume of a killed run, and by every later deploy alike, the dry run saying
the same, on an OS whose frontend lists the discs beside the .m3u (KNULLI) as on one whose
discs are hidden (muOS) (qa205 F1: a later deploy, the set's first disc already on the card
from the killed run, copied its other discs beside the user's file). ``--overwrite`` puts
the whole set on the card.

Real directory trees, real SQLite, the CLI in-process; the killed deploy a real process."""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import writer_killed_before_rename
from tests.test_deploy_multidisc_layout import CUE, playable

SET = "Saga (USA)"
DISCS = [f"{SET} (Disc {disc})" for disc in (1, 2, 3)]
USERS = b"#my own playlist\n"
# each OS: its PlayStation folder, and where the set's discs go in it
LAYOUTS = {"knulli": ("roms/psx", ""), "muos": ("ROMS/psx", f".{SET}/")}


def _library(cli: Any, tmp_path: Path, os_id: str) -> list[bytes]:
    """A three-disc set (no playlist of its own: the run writes one) scanned, and profile 1
    an RG35XX Plus on ``os_id``: the discs' tracks."""
    psx = tmp_path / "lib" / "psx"
    psx.mkdir(parents=True)
    tracks = []
    for name in DISCS:
        data = hashlib.sha256(name.encode()).digest() * 4000
        (psx / f"{name}.bin").write_bytes(data)
        (psx / f"{name}.cue").write_text(CUE.format(f"{name}.bin"))
        tracks.append(data)
    for args in (("library", "add", str(tmp_path / "lib")), ("scan", "--workers", "1"),
                 ("device", "add", "rg-35xx-plus"),
                 ("profile", "create", "--device", "1", "--os", os_id)):
        assert cli(*args).code == 0, args
    return tracks


def _deploy(cli: Any, card: Path, *extra: str) -> dict[str, Any]:
    data: dict[str, Any] = cli("--json", "deploy", "1", "--to", str(card), "saga",
                               *extra).json()["data"]
    return data


def _said(data: dict[str, Any]) -> dict[str, str]:
    """What ``data`` (a run's, or a dry run's) says of each file it does not write."""
    if "errors" in data:  # (a run)
        return {error["path"]: error["error"] for error in data["errors"]}
    return {**{line.partition(": ")[0]: line for line in data["failures"]},
            **data["conflict_notes"]}


def _held(card: Path, os_id: str, data: dict[str, Any], discs: list[str]) -> None:
    """``data`` (a run's, or a dry run's) holds ``discs`` for the user's playlist, a conflict
    kept; the card has none of them."""
    psx, hidden = LAYOUTS[os_id]
    said = _said(data)
    for name in discs:
        for suffix in (".bin", ".cue"):
            dest = f"{psx}/{hidden}{name}{suffix}"
            assert f"not written: another file of its game was not ({psx}/{SET}.m3u)" \
                in said.get(dest, ""), (dest, said)
            assert not (card / dest).exists(), sorted(card.rglob("*"))
    assert "kept (use --overwrite to replace it)" in said[f"{psx}/{SET}.m3u"], said
    assert (card / psx / f"{SET}.m3u").read_bytes() == USERS


@pytest.mark.parametrize("os_id", LAYOUTS)
def test_a_first_deploy_holds_the_set(cli: Any, tmp_path: Path, os_id: str) -> None:
    _library(cli, tmp_path, os_id)
    card = tmp_path / "card"
    psx, _ = LAYOUTS[os_id]
    (card / psx).mkdir(parents=True)
    (card / psx / f"{SET}.m3u").write_bytes(USERS)
    _held(card, os_id, _deploy(cli, card, "--dry-run"), DISCS)
    _held(card, os_id, _deploy(cli, card), DISCS)


@pytest.mark.parametrize("os_id", LAYOUTS)
@pytest.mark.parametrize("resumed", [True, False], ids=["resumed", "not-resumed"])
def test_a_later_deploy_holds_the_set_as_the_resume_does(cli: Any, tmp_path: Path,
                                                         resumed: bool, os_id: str) -> None:
    tracks = _library(cli, tmp_path, os_id)
    psx, hidden = LAYOUTS[os_id]
    card = tmp_path / "card"
    card.mkdir()
    code = ("import sys\nfrom romrunner.cli.main import main\n"
            f"sys.exit(main(['--quiet', 'deploy', '1', '--to', {str(card)!r}, 'saga']))\n")
    with writer_killed_before_rename(Path(f"{DISCS[1]}.bin"), code):
        pass  # (disc 1 on the card; discs 2 and 3, and the playlist, not)
    assert (card / psx / f"{hidden}{DISCS[0]}.cue").is_file()
    (card / psx / f"{SET}.m3u").write_bytes(USERS)
    if resumed:
        result = cli("--json", "deploy", "resume")
        assert result.code != 0, result.out
        _held(card, os_id, result.json()["data"], DISCS[1:])
    _held(card, os_id, _deploy(cli, card, "--dry-run"), DISCS[1:])
    _held(card, os_id, _deploy(cli, card), DISCS[1:])  # (copied beside the user's file before)
    _held(card, os_id, _deploy(cli, card), DISCS[1:])
    whole = _deploy(cli, card, "--overwrite")
    assert not whole["errors"], whole["errors"]
    assert playable(card, f"{psx}/{SET}.m3u") == tracks
    # (discs 2 and 3 never got on the card: not said deleted from it by the player)
    assert not [note for note in whole["notes"] if "deleted from it since" in note], whole


@pytest.mark.parametrize("verify", [False, True], ids=["plain", "verify"])
def test_a_playlist_of_ours_edited_on_the_card_holds_a_deleted_disc_as_verify_does(
        cli: Any, tmp_path: Path, verify: bool) -> None:
    # (the same rule for our playlist edited on the card, a conflict kept too: a plain deploy
    # copied the deleted disc beside it, finding the set's other discs unchanged in bulk;
    # --verify, which looks at each file, held it)
    _library(cli, tmp_path, "knulli")
    psx, _ = LAYOUTS["knulli"]
    card = tmp_path / "card"
    card.mkdir()
    assert not _deploy(cli, card)["errors"]
    playlist = card / psx / f"{SET}.m3u"
    edited = playlist.read_bytes() + USERS
    playlist.write_bytes(edited)
    for suffix in (".bin", ".cue"):
        (card / psx / f"{DISCS[2]}{suffix}").unlink()
    said = _said(_deploy(cli, card, *(["--verify"] if verify else [])))
    for suffix in (".bin", ".cue"):
        dest = f"{psx}/{DISCS[2]}{suffix}"
        assert f"another file of its game was not ({psx}/{SET}.m3u)" in said.get(dest, ""), said
        assert not (card / dest).exists()
    assert "changed on the card since ROM Runner wrote it" in said[f"{psx}/{SET}.m3u"], said
    assert playlist.read_bytes() == edited
