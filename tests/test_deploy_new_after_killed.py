"""A new deploy after a killed one (not `deploy resume`) finds the killed run's temporary
files on the card, its complete copies not yet renamed into place: it removes them itself,
and never tells the player to remove them by hand as copies "moved or renamed by hand"
(review49b F6: the note named `.rr-tmp-1-1` as the copy under the other name).

Real directory trees, real SQLite, the CLI in-process; the killed deploy a real process."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from tests.conftest import muos_profile, writer_killed_before_rename


def _killed(card: Path, before: str) -> None:
    code = ("import sys\nfrom romrunner.cli.main import main\n"
            f"sys.exit(main(['--quiet', 'deploy', '1', '--to', {str(card)!r}, "
            "'platform:gba']))\n")
    with writer_killed_before_rename(Path(before), code):
        pass


def test_a_new_deploy_after_a_killed_one_does_not_take_its_temporary_files_for_yours(
        cli: Any, tmp_path: Path) -> None:
    lib, card = tmp_path / "lib", tmp_path / "card"
    (lib / "gba").mkdir(parents=True)
    for title in ("Alpha", "Beta", "Gamma"):
        (lib / "gba" / f"{title} (USA).gba").write_bytes(os.urandom(70000))
    muos_profile(cli, lib)
    card.mkdir()
    _killed(card, "Beta (USA).gba")
    folder = next(card.rglob("Alpha (USA).gba")).parent
    temps = sorted(path.name for path in folder.iterdir() if path.name.startswith(".rr-tmp-"))
    assert temps, sorted(folder.iterdir())
    dry = cli("--json", "deploy", "1", "--to", str(card), "platform:gba", "--dry-run")
    run = cli("--json", "deploy", "1", "--to", str(card), "platform:gba")
    assert run.code == 0, run.out
    assert sorted(path.name for path in folder.iterdir()) == [
        "Alpha (USA).gba", "Beta (USA).gba", "Gamma (USA).gba"]
    for said in (dry, run):
        notes = " ".join(said.json()["data"]["notes"])
        assert "by hand" not in notes and "deleted from it" not in notes, notes
        assert f"{len(temps)} files this deploy" in notes and "copied by a deploy " \
            "stopped before they were put in place" in notes, notes
    # (not "deployment 1": a temporary file's number is its database's, maybe another's)
    assert "`romrunner deploy history` says whether that deploy" in \
        " ".join(dry.json()["data"]["notes"])


def _one_temp_left(cli: Any, tmp_path: Path) -> tuple[Path, Path]:
    """A card deployed whole, Gamma deleted from it, and a deploy killed before it renamed
    Gamma's copy into place: the card holds one temporary file, Gamma's."""
    lib, card = tmp_path / "lib", tmp_path / "card"
    (lib / "gba").mkdir(parents=True)
    for title in ("Alpha", "Beta", "Gamma"):
        (lib / "gba" / f"{title} (USA).gba").write_bytes(os.urandom(70000))
    muos_profile(cli, lib)
    card.mkdir()
    assert cli("deploy", "1", "--to", str(card), "platform:gba").code == 0
    gamma = next(card.rglob("Gamma (USA).gba"))
    gamma.unlink()
    _killed(card, "Gamma (USA).gba")
    (temp,) = [p for p in gamma.parent.iterdir() if p.name.startswith(".rr-tmp-")]
    return card, temp


def test_one_stopped_runs_temporary_file_is_said_in_the_singular(
        cli: Any, tmp_path: Path) -> None:
    """review51b F1: "its temporary file … were removed first"."""
    card, temp = _one_temp_left(cli, tmp_path)
    run = cli("--json", "deploy", "1", "--to", str(card), "platform:gba")
    assert run.code == 0, run.out
    notes = " ".join(run.json()["data"]["notes"])
    assert "1 file this deploy copies was copied by a deploy stopped before it was put in " \
        "place" in notes and "its temporary file on the card (.rr-tmp-…) was removed " \
        "first" in notes, notes
    assert not temp.exists()


def test_a_temporary_file_the_run_does_not_remove_is_still_said(
        cli: Any, tmp_path: Path) -> None:
    """review51b F4: a `.rr-tmp-` file of ours the run does not remove (the note of the killed
    run's folders gone) was dropped from the notes, and stayed on the card unsaid."""
    card, temp = _one_temp_left(cli, tmp_path)
    (card / ".romrunner" / "writing").unlink()
    run = cli("--json", "deploy", "1", "--to", str(card), "platform:gba")
    assert run.code == 0, run.out
    notes = " ".join(run.json()["data"]["notes"])
    assert temp.exists() and temp.name in notes, notes


def test_a_stopped_runs_temporary_files_in_a_hidden_set_folder_are_not_yours_either(
        cli: Any, tmp_path: Path) -> None:
    from tests.test_deploy_playlist_hidden_discs import TITLE, _hidden_set

    lib, card = tmp_path / "lib", tmp_path / "card"
    _hidden_set(lib)
    muos_profile(cli, lib)
    card.mkdir()
    code = ("import sys\nfrom romrunner.cli.main import main\n"
            f"sys.exit(main(['--quiet', 'deploy', '1', '--to', {str(card)!r}, "
            "'platform:psx']))\n")
    with writer_killed_before_rename(Path(f"{TITLE} (Disc 2).bin"), code):
        pass
    assert list(card.rglob(".rr-tmp-*")), sorted(card.rglob("*"))
    run = cli("--json", "deploy", "1", "--to", str(card), "platform:psx")
    assert run.code == 0, run.out
    notes = " ".join(run.json()["data"]["notes"])
    assert "by hand" not in notes and "deleted from it" not in notes, notes
    assert "stopped before" in notes, notes
    assert not list(card.rglob(".rr-tmp-*")), sorted(card.rglob("*"))
