"""A file the run will not write fails its whole game, and a set's disc the whole set, before
anything is written: the dry run says what the run does (QA36 F2, F3: the dry run copied a
disc's other tracks, its sheet and the set's .m3u, which the run then failed, leaving the
set's other disc alone on the card as a game of its own)."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

CUE2 = ('FILE "{0} (Track 1).bin" BINARY\n  TRACK 01 MODE2/2352\n    INDEX 01 00:00:00\n'
        'FILE "{0} (Track 2).bin" BINARY\n  TRACK 02 AUDIO\n    INDEX 01 00:00:00\n')
CUE1 = 'FILE "{0}.bin" BINARY\n  TRACK 01 MODE2/2352\n    INDEX 01 00:00:00\n'


def _set(cli: Any, tmp_path: Path) -> None:
    psx = tmp_path / "roms" / "psx"
    psx.mkdir(parents=True)
    one, two = "Saga (USA) (Disc 1)", "Saga (USA) (Disc 2)"
    for track in (1, 2):
        (psx / f"{one} (Track {track}).bin").write_bytes(bytes([track]) * 3000 * track)
    (psx / f"{one}.cue").write_text(CUE2.format(one))
    (psx / f"{two}.bin").write_bytes(b"\x07" * 5000)
    (psx / f"{two}.cue").write_text(CUE1.format(two))
    (psx / "Solo (USA).bin").write_bytes(b"\x09" * 4000)
    (psx / "Solo (USA).cue").write_text(CUE1.format("Solo (USA)"))
    for args in (("library", "add", str(tmp_path / "roms")), ("scan", "--workers", "1"),
                 ("device", "add", "rg-35xx-plus"),
                 ("profile", "create", "--device", "1", "--os", "muos")):
        result = cli(*args)
        assert result.code == 0, (args, result.err)


def _files(card: Path) -> set[str]:
    return {p.relative_to(card).as_posix() for p in card.rglob("*")
            if p.is_file() and ".romrunner" not in p.parts}


def test_a_track_in_the_way_fails_its_set_in_the_dry_run_as_in_the_run(
        cli: Any, tmp_path: Path) -> None:
    _set(cli, tmp_path)
    clean = tmp_path / "clean"
    clean.mkdir()
    assert cli("deploy", "1", "--to", str(clean), "platform:psx").code == 0
    written = _files(clean)
    track = next(path for path in written if path.endswith("(Disc 1) (Track 2).bin"))
    solo = {path for path in written if "Solo" in path}
    assert len(solo) == 2 and any(path.endswith(".m3u") for path in written)
    card = tmp_path / "card"
    (card / track).mkdir(parents=True)  # a folder where the track goes
    dry = cli("--json", "deploy", "1", "--to", str(card), "platform:psx", "--dry-run")
    assert dry.code == 1, dry.err
    actions = dry.json()["data"]["actions"]
    assert (actions.get("copy"), actions.get("fail")) == (len(solo), len(written) - len(solo))
    run = cli("--json", "deploy", "1", "--to", str(card), "platform:psx")
    assert run.code == 1
    data = run.json()["data"]
    assert (data["copied"], data["failed"]) == (actions["copy"], actions["fail"])
    assert data["bytes_copied"] == dry.json()["data"]["bytes_to_write"]
    assert _files(card) == solo  # no disc alone, no playlist naming what is not there


def _planned_set(tmp_path: Path, title: str, size: int) -> tuple[Any, Path, Any, list[str]]:
    """A scanned library of a three-disc set (one-track cue/bin discs of ``size`` bytes), a
    card folder and its plan: (library, card, plan, the discs' names)."""
    from tests.test_deploy_support import Layout, make_library
    names = [f"{title} (USA) (Disc {n})" for n in (1, 2, 3)]
    files: dict[str, int | bytes] = {}
    for name in names:
        files[f"psx/{name}.bin"] = size
        files[f"psx/{name}.cue"] = CUE1.format(name).encode()
    library = make_library(tmp_path, files)
    card = tmp_path / "card"
    card.mkdir()
    return library, card, library.plan(Layout(card)), names


def test_a_disc_that_fails_as_it_is_copied_is_not_named_by_its_sets_playlist(
        tmp_path: Path) -> None:
    """QA67 F5: a disc's track gone (or unreadable) after the plan failed as it was copied,
    and the set's .m3u was written all the same, naming a disc the card did not have: it
    names the discs on the card, as a set planned without one of its discs does."""
    from romrunner.deploy.execute import deploy
    from tests.test_deploy_support import card_files
    library, card, plan, names = _planned_set(tmp_path, "Epic", 6000)
    assert sum(1 for item in plan.items if item.dest.endswith(".m3u")) == 1
    disc = library.root / "psx" / f"{names[1]}.bin"
    disc.rename(tmp_path / "away.bin")  # the share drops it after the plan
    summary = deploy(library.db, plan, profile_id=library.profile_id)
    assert summary.failed == 3  # (the disc's track, so its sheet, and the set's playlist)
    written = card_files(card)
    (playlist,) = [path for path in written if path.endswith(".m3u")]
    listed = written[playlist].decode().splitlines()
    assert listed == [f"{names[0]}.cue", f"{names[2]}.cue"], listed
    assert all(f"Roms/psx/{line}" in written for line in listed)
    # (review 34 R2: the resume copied the disc back and left the playlist short)
    from romrunner.deploy.execute import resume
    (tmp_path / "away.bin").rename(disc)  # the share is back
    resumed = resume(library.db, summary.deployment_id)
    assert resumed.failed == 0, resumed
    written = card_files(card)
    assert written[playlist].decode().splitlines() == [f"{name}.cue" for name in names]


def test_a_set_none_of_whose_discs_was_copied_has_no_playlist_nor_a_note_of_one(
        tmp_path: Path) -> None:
    """QA73 F4: every disc gone after the plan, the run said the playlist "names the discs
    of its set on the card (0 of 3)" while it said too that it was not written."""
    from romrunner.deploy.execute import deploy
    from tests.test_deploy_support import card_files
    library, card, plan, names = _planned_set(tmp_path, "Void", 5000)
    for name in names:
        (library.root / "psx" / f"{name}.bin").unlink()
    summary = deploy(library.db, plan, profile_id=library.profile_id)
    assert not any(path.endswith(".m3u") for path in card_files(card))
    assert not any("names the discs" in note for note in summary.notes), summary.notes
    assert any("none of its set's discs" in e["error"] for e in summary.errors), summary.errors


def test_a_first_disc_that_fails_leaves_the_playlist_of_the_others(tmp_path: Path) -> None:
    """Review 35 R1: the playlist is its first disc's game's: with that disc failing as it
    was copied, the shortened playlist was never written (skipped as "broken"), counted
    failed twice, while a note said it named the discs on the card."""
    from romrunner.deploy.execute import deploy
    from tests.test_deploy_support import card_files
    library, card, plan, names = _planned_set(tmp_path, "Lead", 6000)
    (library.root / "psx" / f"{names[0]}.bin").unlink()
    summary = deploy(library.db, plan, profile_id=library.profile_id)
    assert summary.failed == 3, summary.errors  # (the track, its sheet, the playlist)
    written = card_files(card)
    (playlist,) = [path for path in written if path.endswith(".m3u")]
    assert written[playlist].decode().splitlines() == [f"{names[1]}.cue", f"{names[2]}.cue"]


def test_a_playlist_short_of_a_disc_changed_since_the_plan_does_not_promise_a_resume(
        tmp_path: Path) -> None:
    """review47b F8: a disc whose source changed since the plan is left to a new deploy (its
    line says so), while the set's playlist, written short, said a resume writes it whole —
    which no resume does: its line names the run of its discs' lines."""
    from romrunner.deploy.execute import deploy
    library, _, plan, names = _planned_set(tmp_path, "Turn", 6000)
    disc = library.root / "psx" / f"{names[1]}.bin"
    disc.write_bytes(os.urandom(6000))  # (rewritten at its size after the plan)
    os.utime(disc, ns=(disc.stat().st_mtime_ns + 10**9,) * 2)
    summary = deploy(library.db, plan, profile_id=library.profile_id)
    said = {e["path"].rpartition("/")[2]: e["error"] for e in summary.errors}
    assert "a new `romrunner deploy`" in said[f"{names[1]}.bin"], said
    (playlist,) = [error for path, error in said.items() if path.endswith(".m3u")]
    assert "a new `romrunner deploy`" in playlist, playlist


def test_a_hidden_discs_track_gone_after_the_plan_is_not_said_missing_since_the_scan(
        tmp_path: Path) -> None:
    """review47b F6: a track of a playlist's disc in a hidden folder, which no scan reads
    (the plan read it), gone before it was copied, was said "missing since the scan"."""
    from romrunner.deploy.execute import deploy
    from tests.test_deploy_support import Layout, make_library
    name = "Veil (USA) (Disc 1)"
    library = make_library(tmp_path, {f"psx/.Veil/{name}.bin": 4704,
                                      f"psx/.Veil/{name}.cue": CUE1.format(name).encode(),
                                      "psx/Veil (USA).m3u": f".Veil/{name}.cue\n".encode()})
    card = tmp_path / "card"
    card.mkdir()
    plan = library.plan(Layout(card))
    track = library.root / "psx" / ".Veil" / f"{name}.bin"
    track.unlink()
    summary = deploy(library.db, plan, profile_id=library.profile_id)
    said = [e["error"] for e in summary.errors if e["path"].endswith(".bin")]
    assert said == [f"{track}: missing since this deployment was planned"], summary.errors
