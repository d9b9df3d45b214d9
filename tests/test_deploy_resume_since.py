"""A deploy killed (a real child process, SIGKILLed just before it renames a file into place),
then the user changes the profile before `deploy resume` (qa205 F7):

- a game override excluding a game the run still had to copy: the resume copied it anyway
  (a 700 MB game, unsaid), though "a game --exclude'd is never deployed". It leaves it out,
  with its disc set whole, in one note naming the game and `override ls`.
- the profile set to another OS: the resume finishes the layout planned for the old one,
  and says so.

Real directory trees, real SQLite, the CLI in-process; the killed deploy a real process."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from tests.conftest import muos_profile, writer_killed_before_rename

CUE = 'FILE "{0}.bin" BINARY\n  TRACK 01 MODE2/2352\n    INDEX 01 00:00:00\n'


def _killed_deploy(cli: Any, card: Path, query: str, before: str) -> int:
    code = ("import sys\nfrom romrunner.cli.main import main\n"
            f"sys.exit(main(['deploy', '1', '--to', {str(card)!r}, {query!r}]))\n")
    with writer_killed_before_rename(Path(before), code):
        pass
    return max(int(row["id"]) for row in cli("--json", "deploy", "history").json()["data"])


def _resumed_after(cli: Any, card: Path, query: str, *changes: tuple[str, ...]) -> Any:
    """Kill `deploy 1 --to card query` just before it renames `Alpha (USA).gba` into
    place, make each of ``changes`` (a command's words: an override set, a profile set),
    then `deploy resume` the deployment: its --json result (exit 0)."""
    deployment = _killed_deploy(cli, card, query, "Alpha (USA).gba")
    for change in changes:
        assert cli(*change).code == 0, change
    resumed = cli("--json", "deploy", "resume", str(deployment))
    assert resumed.code == 0, resumed.out
    return resumed


def _excluded(game: int) -> tuple[str, ...]:
    return ("override", "set", "--game", str(game), "--exclude", "--profile", "1")


def _game_id(cli: Any, filename: str) -> int:
    games = cli("--json", "games", "ls").json()["data"]
    rows = games["games"] if isinstance(games, dict) else games
    (game,) = [row for row in rows if row["filename"] == filename]
    return int(game["id"])


def _library(lib: Path) -> None:
    (lib / "gba").mkdir(parents=True)
    for n, name in enumerate(("Alpha (USA)", "Beta (USA)")):
        (lib / "gba" / f"{name}.gba").write_bytes(bytes([n + 1]) * 70_000)
    (lib / "psx").mkdir()
    for disc in (1, 2):
        name = f"Saga (USA) (Disc {disc})"
        (lib / "psx" / f"{name}.bin").write_bytes(bytes([disc]) * 2352 * 20)
        (lib / "psx" / f"{name}.cue").write_text(CUE.format(name))


def test_a_resume_leaves_out_a_game_excluded_since_the_kill(cli: Any, tmp_path: Path) -> None:
    lib, card = tmp_path / "lib", tmp_path / "card"
    _library(lib)
    card.mkdir()
    muos_profile(cli, lib)
    beta, disc2 = (_game_id(cli, "Beta (USA).gba"),
                   _game_id(cli, "Saga (USA) (Disc 2).cue"))
    # (a disc excluded: its set is left out whole)
    resumed = _resumed_after(cli, card, "platform:gba,psx", _excluded(beta), _excluded(disc2))
    on_card = sorted(path.name for path in card.rglob("*") if path.is_file()
                     and path.suffix in (".gba", ".bin", ".cue", ".m3u"))
    assert on_card == ["Alpha (USA).gba"], on_card
    notes = [n for n in resumed.json()["data"]["notes"] if "override excludes" in n]
    assert len(notes) == 1, resumed.json()["data"]["notes"]
    assert f"game {beta} " in notes[0] and f"game {disc2} " in notes[0], notes
    assert "`romrunner override ls`" in notes[0], notes
    # (a new deploy of the same selection agrees: nothing more to copy)
    again = cli("--json", "deploy", "1", "--to", str(card), "platform:gba,psx")
    assert again.json()["data"]["copied"] == 0, again.out


def test_a_resume_says_the_profile_is_another_oss_now(cli: Any, tmp_path: Path) -> None:
    lib, card = tmp_path / "lib", tmp_path / "card"
    _library(lib)
    card.mkdir()
    muos_profile(cli, lib)
    resumed = _resumed_after(cli, card, "platform:gba", ("profile", "set", "1", "--os", "knulli"))
    notes = [n for n in resumed.json()["data"]["notes"] if "set to OS knulli now" in n]
    assert len(notes) == 1 and "planned for muos" in notes[0], resumed.json()["data"]["notes"]
    assert (card / "ROMS" / "gba" / "Beta (USA).gba").is_file()  # (finished as planned)


def test_a_resume_leaves_out_a_library_playlist_naming_a_disc_excluded_since(
        cli: Any, tmp_path: Path) -> None:
    """review51g F1: `Mix.m3u` naming `Mix (Disc 1)`, a game of its own, and a hidden disc 2:
    with disc 1 excluded after the kill, the resume left it out and still wrote the playlist
    naming it (and disc 2): a game the frontend lists that cannot load its first disc."""
    from tests.test_deploy_playlist_mixed_discs import _mixed_set

    lib, card = tmp_path / "lib", tmp_path / "card"
    _mixed_set(lib)
    (lib / "gba").mkdir()
    (lib / "gba" / "Alpha (USA).gba").write_bytes(b"\x01" * 70_000)
    card.mkdir()
    muos_profile(cli, lib)
    disc1 = _game_id(cli, "Mix (Disc 1).cue")
    _resumed_after(cli, card, "platform:gba,psx", _excluded(disc1))
    on_card = sorted(path.name for path in card.rglob("*") if path.is_file()
                     and path.suffix in (".gba", ".bin", ".cue", ".m3u"))
    assert on_card == ["Alpha (USA).gba"], on_card


def test_a_resume_says_overrides_choosing_games_or_emulators_set_since(
        cli: Any, tmp_path: Path) -> None:
    """p51g's not done: an include override, or a platform's emulator, set after the kill
    was not looked at by the resume, unsaid. The resume finishes the run as planned, and
    says so in one line naming them; an exclusion is said by its own note only."""
    lib, card = tmp_path / "lib", tmp_path / "card"
    _library(lib)
    card.mkdir()
    muos_profile(cli, lib)
    alpha, beta = _game_id(cli, "Alpha (USA).gba"), _game_id(cli, "Beta (USA).gba")
    resumed = _resumed_after(
        cli, card, "platform:gba", _excluded(beta),
        ("override", "set", "--game", str(alpha), "--include", "--profile", "1"),
        ("override", "set", "--platform", "psx", "--emulator", "pcsx-rearmed"))
    notes = resumed.json()["data"]["notes"]
    said = [n for n in notes if "set or removed since this deployment was planned" in n]
    assert len(said) == 1, notes
    assert f"set game {alpha}: include on profile 1" in said[0], said
    assert "set platform psx: " in said[0] and "pcsx-rearmed on every profile" in said[0], said
    assert "exclude" not in said[0] and "a new `romrunner deploy` applies them" in said[0]
    # (nothing set since: nothing said)
    card2 = tmp_path / "card2"
    card2.mkdir()
    quiet = _resumed_after(cli, card2, "platform:gba")
    assert not [n for n in quiet.json()["data"]["notes"] if "set or removed since" in n]
