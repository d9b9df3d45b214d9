"""One card two profiles share, muOS (a set's discs in a hidden `.Title/` folder) and KNULLI
(flat), each writing the set's playlist at the same path, `roms/psx/Title.m3u`, with other
lines (qa205 F5):

- `deploy resume` of muOS's completed run, which had one failed file, rewrote the playlist
  KNULLI had written since (copied fine in that run, not a failed file), "2 copied", unsaid.
  A resume of a completed run retries the files it did not finish only: the playlist is
  left as KNULLI wrote it, said.

The failed file: a file of the user's where the card's `roms/gba` folder goes (the run's gba
copy fails "not a folder"), removed before the resume. (A conflict alone — the user's file at
a game's own path — is no failure: a completed run is not resumed for it without
`--overwrite`.)

Real directory trees, real SQLite, the real definition pack (muOS's `roms/`, as KNULLI's),
the CLI in-process."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from tests.conftest import shared_path

CUE = 'FILE "{0}.bin" BINARY\n  TRACK 01 MODE2/2352\n    INDEX 01 00:00:00\n'
PLAYLIST = Path("roms") / "psx" / "Saga (USA).m3u"


def _shared_card(cli: Any, tmp_path: Path) -> tuple[tuple[str, str], Path]:
    """A gba game and a 2-disc cue/bin set scanned with the real pack; profile 1 an RG35XX
    Plus on muOS, profile 2 the same device on KNULLI; the pack option and the card."""
    lib, card = tmp_path / "lib", tmp_path / "card"
    (lib / "gba").mkdir(parents=True)
    (lib / "gba" / "Alpha (USA).gba").write_bytes(b"\x01" * 70_000)
    (lib / "psx").mkdir()
    for disc in (1, 2):
        name = f"Saga (USA) (Disc {disc})"
        (lib / "psx" / f"{name}.bin").write_bytes(bytes([disc]) * 2352 * 20)
        (lib / "psx" / f"{name}.cue").write_text(CUE.format(name))
    card.mkdir()
    pack = ("--pack", str(shared_path("definition-pack")))
    for args in (("library", "add", lib), ("scan", "--workers", "1"),
                 ("device", "add", "rg-35xx-plus"),
                 ("profile", "create", "--device", "1", "--os", "muos"),
                 ("profile", "create", "--device", "1", "--os", "knulli")):
        result = cli(*pack, *args)
        assert result.code == 0, (args, result.err)
    return pack, card


def test_a_resume_of_a_completed_run_leaves_another_profiles_playlist(
        cli: Any, tmp_path: Path) -> None:
    pack, card = _shared_card(cli, tmp_path)
    (card / "roms").mkdir()
    (card / "roms" / "gba").write_text("the user's\n")  # (where the gba folder goes)
    first = cli(*pack, "--json", "deploy", "1", "--to", card, "platform:gba,psx")
    assert first.json()["data"]["failed"] == 1, first.out
    deployment = first.json()["data"]["deployment_id"]
    muos_lines = (card / PLAYLIST).read_text()
    assert ".Saga (USA)/" in muos_lines, muos_lines
    (card / "roms" / "gba").unlink()
    knulli = cli(*pack, "--json", "deploy", "2", "--to", card, "platform:psx")
    assert knulli.code == 0, knulli.out
    knulli_lines = (card / PLAYLIST).read_text()
    assert knulli_lines != muos_lines and ".Saga" not in knulli_lines, knulli_lines
    resumed = cli(*pack, "--json", "deploy", "resume", str(deployment))
    assert resumed.code == 0, resumed.out
    data = resumed.json()["data"]
    assert data["copied"] == 1, data  # (the failed file only)
    assert (card / "roms" / "gba" / "Alpha (USA).gba").is_file()
    assert (card / PLAYLIST).read_text() == knulli_lines  # (KNULLI's, left as it is)
    said = [n for n in data["notes"] if "another version on the card" in n]
    assert len(said) == 1 and "profile 2 " in said[0] and str(PLAYLIST) in said[0], data["notes"]
    # (done: a second resume has nothing to do)
    again = cli(*pack, "deploy", "resume", str(deployment))
    assert again.code != 0 and "nothing to resume" in again.err, (again.out, again.err)


def test_a_deploy_says_it_replaces_the_playlist_another_profile_wrote(
        cli: Any, tmp_path: Path) -> None:
    """Each profile's deploy still writes its own playlist (the user asked for that
    profile's deploy), but says whose it replaces: the dry run, the run; a second deploy of
    the same profile, replacing nothing, says nothing."""
    pack, card = _shared_card(cli, tmp_path)
    assert cli(*pack, "deploy", "1", "--to", card, "platform:psx").code == 0
    muos_lines = (card / PLAYLIST).read_text()
    for args in (("--dry-run",), ()):
        knulli = cli(*pack, "--json", "deploy", "2", "--to", card, "platform:psx", *args)
        assert knulli.code == 0, knulli.out
        said = [n for n in knulli.json()["data"]["notes"] if "the playlist profile 1 " in n]
        assert len(said) == 1 and str(PLAYLIST) in said[0], knulli.json()["data"]["notes"]
        assert ("would replace" in said[0]) == bool(args), said
    assert (card / PLAYLIST).read_text() != muos_lines  # (written: KNULLI's now)
    again = cli(*pack, "--json", "deploy", "2", "--to", card, "platform:psx")
    assert again.json()["data"]["copied"] == 0, again.out
    assert not [n for n in again.json()["data"]["notes"] if "playlist profile" in n], again.out
    back = cli(*pack, "--json", "deploy", "1", "--to", card, "platform:psx")
    said = [n for n in back.json()["data"]["notes"] if "the playlist profile 2 " in n]
    assert len(said) == 1, back.json()["data"]["notes"]
    assert (card / PLAYLIST).read_text() == muos_lines
