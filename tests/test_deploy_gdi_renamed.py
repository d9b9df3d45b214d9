"""Dreamcast .gdi sets on a card (QA172 F1, qa176 N8): a set's tracks of generic names
(`track01.bin`…) are named after its sheet from its first deploy on, its .gdi rewritten to
name them, so that a second set never renames (copies again) the first's; the warning of
rewritten sheets is said of a sheet once, when the card gets it. Sheets whose tracks were put
there by their generic names (a .cue's `Track 01.bin`) and are renamed once another disc
has the same names: the note on the first set's old copies names each file's own new name,
not the first track's for every one."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import muos_profile


def _gdi_set(root: Path, title: str) -> None:
    disc = root / "dreamcast" / title
    disc.mkdir(parents=True)
    for name, size in (("track01.bin", 3), ("track02.raw", 5), ("track03.bin", 7)):
        (disc / name).write_bytes(os.urandom(2352 * size))
    (disc / f"{title}.gdi").write_bytes(
        b"3\r\n1 0 4 2352 track01.bin 0\r\n2 756 0 2352 track02.raw 0\r\n"
        b"3 45000 4 2352 track03.bin 0\r\n")


def _cue_set(root: Path, title: str) -> None:
    disc = root / "psx" / title
    disc.mkdir(parents=True)
    lines = []
    for number, size in ((1, 3), (2, 5)):
        (disc / f"Track {number:02}.bin").write_bytes(os.urandom(2352 * size))
        kind = "MODE2/2352" if number == 1 else "AUDIO"
        lines.append(f'FILE "Track {number:02}.bin" BINARY\r\n  TRACK {number:02} {kind}\r\n'
                     "    INDEX 01 00:00:00\r\n")
    (disc / f"{title}.cue").write_text("".join(lines), encoding="utf-8", newline="")


def _lone_gdi_library(cli: Any, tmp_path: Path) -> tuple[Path, Path, tuple[str, ...]]:
    """One GDI set, "Alpha (USA)", scanned with a muOS profile; the library root, an empty
    card folder and the deploy of its Dreamcast games there (--json)."""
    root = tmp_path / "roms"
    _gdi_set(root, "Alpha (USA)")
    muos_profile(cli, root)
    card = tmp_path / "card"
    card.mkdir()
    return root, card, ("--json", "deploy", "1", "--to", str(card), "platform:dreamcast")


def _rewritten(result: Any) -> list[str]:
    """The rewritten-sheets warning of a --json deploy, its dry run's or its run's."""
    data = result.json()["data"]
    warnings = data["plan"]["warnings"] if "plan" in data else data["plan_warnings"]
    return [w["message"] for w in warnings if w["code"] == "sheet-rewritten"]


def test_a_lone_gdi_set_gets_its_own_track_names_and_is_said_once(
        cli: Any, tmp_path: Path) -> None:
    """qa176 N8: a lone .gdi set went flat as bare `track01.bin`…, renamed (copied again) by
    the next set's deploy; the rewritten-sheets warning came at every deploy, one copying
    nothing too."""
    root, card, deploy = _lone_gdi_library(cli, tmp_path)
    dry = cli(*deploy, "--dry-run")
    assert dry.code == 0, dry.err
    (said,) = _rewritten(dry)
    assert said.startswith("1 disc sheet names tracks in a folder, with characters the card "
                           "cannot hold, with generic names (track01.bin) or names another "
                           "disc's tracks have"), said
    assert "Alpha (USA).gdi" in said
    first = cli(*deploy)
    assert first.code == 0, first.err
    assert len(_rewritten(first)) == 1
    folder = next(path.parent for path in card.rglob("Alpha (USA).gdi"))
    assert sorted(path.name for path in folder.iterdir()) == [
        "Alpha (USA) - track01.bin", "Alpha (USA) - track02.raw", "Alpha (USA) - track03.bin",
        "Alpha (USA).gdi"]
    assert '"Alpha (USA) - track02.raw"' in (folder / "Alpha (USA).gdi").read_text()
    for again in (cli(*deploy, "--dry-run"), cli(*deploy)):  # nothing new: not said again
        assert again.code == 0, again.err
        assert _rewritten(again) == [], _rewritten(again)
    _gdi_set(root, "Beta (USA)")
    assert cli("scan", "--workers", "1").code == 0
    second = cli(*deploy)
    assert second.code == 0, second.err
    warnings = second.json()["data"]["plan_warnings"]
    assert not [w for w in warnings if w["code"] == "name-changed"], warnings
    (said,) = _rewritten(second)
    assert "Beta (USA).gdi" in said and "Alpha (USA).gdi" not in said, said
    assert second.json()["data"]["copied"] == 4  # Beta's sheet and tracks; Alpha's kept
    assert sorted(path.name for path in folder.iterdir()) == [
        "Alpha (USA) - track01.bin", "Alpha (USA) - track02.raw", "Alpha (USA) - track03.bin",
        "Alpha (USA).gdi", "Beta (USA) - track01.bin", "Beta (USA) - track02.raw",
        "Beta (USA) - track03.bin", "Beta (USA).gdi"]


def test_a_second_set_says_each_renamed_track_by_its_own_new_name(
        cli: Any, tmp_path: Path) -> None:
    root = tmp_path / "roms"
    _cue_set(root, "Alpha (USA)")
    muos_profile(cli, root)
    card = tmp_path / "card"
    card.mkdir()
    first = cli("deploy", "1", "--to", str(card), "platform:psx")
    assert first.code == 0, first.err
    folder = next(path.parent for path in card.rglob("Alpha (USA).cue"))
    assert sorted(path.name for path in folder.iterdir()) == [
        "Alpha (USA).cue", "Track 01.bin", "Track 02.bin"]  # (no clash: as they are, the
    # sheet the library's)
    _cue_set(root, "Beta (USA)")
    assert cli("scan", "--workers", "1").code == 0
    second = cli("--json", "deploy", "1", "--to", str(card), "platform:psx", "--dry-run")
    assert second.code == 0, second.err
    [renamed] = [w["message"] for w in second.json()["data"]["plan"]["warnings"]
                 if w["code"] == "name-changed"]
    assert "(Track 01.bin → Alpha (USA) - Track 01.bin, Track 02.bin → Alpha (USA) - "\
        "Track 02.bin)" in renamed, renamed
    done = cli("deploy", "1", "--to", str(card), "platform:psx")
    assert done.code == 0, done.err
    for title in ("Alpha (USA)", "Beta (USA)"):
        sheet = (folder / f"{title}.cue").read_text()
        assert f'"{title} - Track 02.bin"' in sheet, sheet
        assert (folder / f"{title} - Track 02.bin").is_file()


def test_a_lone_gdi_an_earlier_release_put_on_the_card_by_its_bare_names_is_kept(
        cli: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """review38 F2: a card holding a lone GDI set that an earlier release deployed by its
    bare track names (`track01.bin`) had every track copied again under the game's name at
    the next deploy (~1 GB a disc), the old ones left behind without --prune. Its tracks
    stay as they are until another disc's collide."""
    from romrunner.deploy import plan as plan_module
    _, card, deploy = _lone_gdi_library(cli, tmp_path)
    with monkeypatch.context() as earlier:  # (the release before: generic names kept)
        earlier.setattr(plan_module, "_generic_gdi_tracks", lambda game, tracks: False)
        assert cli(*deploy).code == 0
    folder = next(path.parent for path in card.rglob("Alpha (USA).gdi"))
    bare = sorted(path.name for path in folder.iterdir())
    assert bare == ["Alpha (USA).gdi", "track01.bin", "track02.raw", "track03.bin"]
    again = cli(*deploy)
    assert again.code == 0, again.err
    assert again.json()["data"]["copied"] == 0, again.json()["data"]
    assert sorted(path.name for path in folder.iterdir()) == bare


def test_renamed_tracks_alone_are_not_said_to_list_the_game_twice(
        cli: Any, tmp_path: Path) -> None:
    """qa191 F9: "until then the frontend lists such a game twice" was said of a disc's
    tracks renamed (their sheet keeps its name): a track is no game a frontend lists. Said
    of a game's own file renamed, as before."""
    root = tmp_path / "roms"
    _cue_set(root, "Alpha (USA)")
    (root / "gb").mkdir()
    (root / "gb" / "Kirby (USA).gb").write_bytes(os.urandom(4096))
    muos_profile(cli, root)
    card = tmp_path / "card"
    card.mkdir()
    assert cli("deploy", "1", "--to", str(card), "platform:psx,gb").code == 0
    _cue_set(root, "Beta (USA)")  # (Alpha's tracks renamed after its sheet on the card)
    assert cli("scan", "--workers", "1").code == 0
    tracks = cli("--json", "deploy", "1", "--to", str(card), "platform:psx", "--dry-run")
    assert tracks.code == 0, tracks.err
    [renamed] = [w["message"] for w in tracks.json()["data"]["plan"]["warnings"]
                 if w["code"] == "name-changed"]
    assert "Track 01.bin → Alpha (USA) - Track 01.bin" in renamed, renamed
    assert "the old copies stay until" in renamed and "twice" not in renamed, renamed
    (root / "gb" / "Kirby (USA).gb").rename(root / "gb" / "Kirby (USA) (SGB).gb")
    assert cli("scan", "--workers", "1").code == 0
    rom = cli("--json", "deploy", "1", "--to", str(card), "platform:gb", "--dry-run")
    [renamed] = [w["message"] for w in rom.json()["data"]["plan"]["warnings"]
                 if w["code"] == "name-changed"]
    assert "(until then the frontend lists such a game twice)" in renamed, renamed
