"""A copy of ours the user moved or renamed on the card by hand is copied again at its place
(the plan's name), and the run says the same bytes are on the card already under the other
name: the frontend would list the game twice, and neither copy would be pruned later
(qa171 F5). A copy the user deleted is copied again without that note."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from tests.conftest import knulli_card_deployed

MOVED = "on the card already under another name"


def _deployed(cli: Any, tmp_path: Path) -> tuple[Path, Path]:
    """Library gb/A..C deployed to a knulli card; the card and its folder of gb games."""
    _, card = knulli_card_deployed(cli, tmp_path, ("A (USA).gb", "B (USA).gb", "C (USA).gb"))
    (copy,) = card.rglob("A (USA).gb")
    return card, copy.parent


def _moved_notes(cli: Any, *args: Any) -> list[str]:
    result = cli("--json", "deploy", *args)
    assert result.code == 0, result.err
    return [note for note in result.json()["data"]["notes"] if MOVED in note]


def test_a_copy_moved_or_renamed_by_hand_is_said_when_copied_again(
        cli: Any, tmp_path: Path) -> None:
    card, folder = _deployed(cli, tmp_path)
    (folder / "Favs").mkdir()
    (folder / "A (USA).gb").rename(folder / "Favs" / "A (USA).gb")  # moved into a folder
    (folder / "B (USA).gb").rename(folder / "B mine.gb")  # renamed
    (folder / "C (USA).gb").unlink()  # deleted: copied again, nothing to say
    for args in (("1", "--to", card, "--auto", "--dry-run"), ("1", "--to", card, "--auto")):
        (note,) = _moved_notes(cli, *args)
        # (what a dry run would do, qa177 F7)
        assert note.startswith("2 files this deploy "
                               f"{'would copy' if '--dry-run' in args else 'copies'} again")
        # (which copy to remove: the one under the other name, qa177 F2)
        assert note.endswith("remove the copies under the other name (in brackets), as each "
                             "deploy puts these back"), note
        assert "A (USA).gb (as " in note and "Favs/A (USA).gb)" in note
        assert "B (USA).gb (as " in note and "B mine.gb)" in note
        assert "C (USA).gb" not in note
    # copied again all the same: the user chooses which copy goes
    assert (folder / "A (USA).gb").read_bytes() == (folder / "Favs" / "A (USA).gb").read_bytes()
    assert (folder / "C (USA).gb").is_file()
    assert _moved_notes(cli, "1", "--to", card, "--auto") == []  # (nothing copied again)
    # the advice followed: the copies under the other names removed, nothing comes back
    (folder / "Favs" / "A (USA).gb").unlink()
    (folder / "B mine.gb").unlink()
    after = cli("--json", "deploy", "1", "--to", card, "--auto")
    assert after.code == 0 and after.json()["data"]["copied"] == 0, after.out
    assert (folder / "A (USA).gb").is_file() and (folder / "B (USA).gb").is_file()


def test_a_file_of_the_same_size_and_other_bytes_is_no_moved_copy(
        cli: Any, tmp_path: Path) -> None:
    card, folder = _deployed(cli, tmp_path)
    size = (folder / "A (USA).gb").stat().st_size
    (folder / "A (USA).gb").unlink()
    (folder / "Mine.gb").write_bytes(b"\xff" * size)  # the player's own file, same size
    assert _moved_notes(cli, "1", "--to", card, "--auto") == []


def test_among_many_files_of_the_players_a_copy_moved_under_its_name_is_found(
        cli: Any, tmp_path: Path) -> None:
    """review37b F3: every file of the player's of a missing copy's size was read, at every
    dry run; now at most a few dozen, those named as the missing copies first."""
    card, folder = _deployed(cli, tmp_path)
    size = (folder / "A (USA).gb").stat().st_size
    for number in range(100):  # (the player's own files, of that size)
        (folder / f"Homebrew {number:03}.gb").write_bytes(bytes([number]) * size)
    (folder / "Favs").mkdir()
    (folder / "A (USA).gb").rename(folder / "Favs" / "A (USA).gb")
    (note,) = _moved_notes(cli, "1", "--to", card, "--auto", "--dry-run")
    assert note.startswith("1 file this deploy would copy again is") \
        and "Favs/A (USA).gb)" in note


THEIRS = "as a file of yours"


def test_the_players_own_copy_of_a_game_under_another_name_is_said_when_the_game_is_copied(
        cli: Any, tmp_path: Path) -> None:
    """qa191 F7: the player's own copy of a game the run copies first (same bytes, their
    name) made the frontend list it twice, unsaid; only its title's files are read."""
    lib, card = knulli_card_deployed(cli, tmp_path, ("A (USA).gb",))
    (folder,) = {path.parent for path in card.rglob("A (USA).gb")}
    game = bytes(range(256)) * 64
    (lib / "Chrono Trigger (USA).gb").write_bytes(game)
    (lib / "Dragon (USA).gb").write_bytes(game[::-1])
    assert cli("scan", "--workers", "1").code == 0
    (folder / "chrono trigger.gb").write_bytes(game)  # theirs, by hand, before ROM Runner's
    (folder / "Chrono Trigger (Beta).gb").write_bytes(b"\x00" * len(game))  # theirs, other bytes
    (folder / "My Dragon.gb").write_bytes(game[::-1])  # the same bytes under another title
    for args in (("1", "--to", card, "--auto", "--dry-run"), ("1", "--to", card, "--auto")):
        result = cli("--json", "deploy", *args)
        assert result.code == 0, result.err
        notes = [note for note in result.json()["data"]["notes"] if THEIRS in note]
        assert len(notes) == 1, result.json()["data"]["notes"]
        (note,) = notes
        verb = "would copy" if "--dry-run" in args else "copies"
        assert note.startswith(f"1 file this deploy {verb} is on the card already under "
                               "another name, as a file of yours: "), note
        assert "Chrono Trigger (USA).gb (as " in note and "/chrono trigger.gb)" in note, note
        assert "Beta" not in note and "Dragon" not in note and "again" not in note, note
        assert not [n for n in result.json()["data"]["notes"] if MOVED in n and n != note]
    # copied beside it, the player's files as they were
    assert (folder / "Chrono Trigger (USA).gb").read_bytes() == game
    assert (folder / "chrono trigger.gb").read_bytes() == game
    assert (folder / "My Dragon.gb").read_bytes() == game[::-1]
    again = cli("--json", "deploy", "1", "--to", card, "--auto")
    assert again.code == 0 and again.json()["data"]["copied"] == 0, again.out
    assert not [n for n in again.json()["data"]["notes"] if THEIRS in n]


DELETED = "ROM Runner put on the card was deleted from it since"


def test_a_copy_deleted_on_the_card_is_said_when_copied_again_with_the_way_to_keep_it_off(
        cli: Any, tmp_path: Path) -> None:
    """qa194 F12: a copy the player deleted on the card came back at the next deploy without
    a word; said now, with the override that keeps the game off this card — and followed,
    the game stays off. A copy moved by hand is not called deleted."""
    card, folder = _deployed(cli, tmp_path)
    (folder / "C (USA).gb").unlink()
    (folder / "B (USA).gb").rename(folder / "B mine.gb")
    games = {game["filename"]: game["id"] for game in
             cli("--json", "games", "ls").json()["data"]["games"]}
    for args in (("1", "--to", card, "--auto", "--dry-run"), ("1", "--to", card, "--auto")):
        result = cli("--json", "deploy", *args)
        assert result.code == 0, result.err
        (note,) = [n for n in result.json()["data"]["notes"] if DELETED in n]
        would = "would be " if "--dry-run" in args else ""
        assert note == (f"1 file {DELETED}: {would}copied again, its game still chosen "
                        f"({folder.relative_to(card).as_posix()}/C (USA).gb); to keep a game "
                        f"off this card, `romrunner override set --game {games['C (USA).gb']} "
                        "--exclude --profile 1`"), note
    assert (folder / "C (USA).gb").is_file()
    (folder / "C (USA).gb").unlink()
    assert cli("override", "set", "--game", games["C (USA).gb"], "--exclude",
               "--profile", "1").code == 0
    after = cli("--json", "deploy", "1", "--to", card, "--auto")
    assert after.code == 0, after.err
    assert not [n for n in after.json()["data"]["notes"] if DELETED in n]
    assert not (folder / "C (USA).gb").exists()


def test_copies_of_two_games_deleted_on_the_card_get_a_command_that_runs(
        cli: Any, tmp_path: Path) -> None:
    """review49g F7: two games' copies deleted, the note said `override set --game 1 2
    --exclude`, which the CLI refuses (`--game` takes one id)."""
    card, folder = _deployed(cli, tmp_path)
    games = {game["filename"]: game["id"] for game in
             cli("--json", "games", "ls").json()["data"]["games"]}
    for name in ("C (USA).gb", "A (USA).gb"):
        (folder / name).unlink()
    (folder / "B (USA).gb").rename(folder / "B mine.gb")  # (as the test above: one moved)
    result = cli("--json", "deploy", "1", "--to", card, "--auto", "--dry-run")
    (note,) = [n for n in result.json()["data"]["notes"] if "were deleted from it since" in n]
    ids = sorted([games["A (USA).gb"], games["C (USA).gb"]])
    assert note.endswith("`romrunner override set --game ID --exclude --profile 1` for each "
                         f"of games {ids[0]}, {ids[1]}"), note


def test_a_copy_the_databases_records_say_is_ours_is_not_called_the_players(
        cli: Any, tmp_path: Path) -> None:
    """review42b F5: the card's .romrunner/ gone, ROM Runner's own copy under the game's
    old name (renamed in the library since) was called "a file of yours"; the database's
    records say it is ours, and --prune removes it as ours."""
    import shutil
    lib, card = knulli_card_deployed(cli, tmp_path, ("Chrono.gb",))
    (lib / "Chrono.gb").rename(lib / "Chrono (USA).gb")
    assert cli("scan", "--workers", "1").code == 0
    shutil.rmtree(card / ".romrunner")
    result = cli("--json", "deploy", "1", "--to", card, "--auto", "--dry-run")
    assert result.code == 0, result.err
    assert not [n for n in result.json()["data"]["notes"] if THEIRS in n], \
        result.json()["data"]["notes"]
