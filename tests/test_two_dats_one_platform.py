"""Two DATs of one platform listing one game name with different dumps (QA12 F3).

A catalog game is keyed ``platform:name`` across DATs, so a file matched by one DAT's hash
is matched to the game of the other DAT too. Per DAT, "have" is a file with that DAT's own
ROM data (members and tracks included), a fixdat lists every game the library lacks by the
DAT's hashes, ``games show`` names the DAT whose data the file has (and a DAT naming the game
only), and ``dat rm`` says how many games keep a hash match and how many only a name guess.
Real DAT files, real folders and zips, real scans.
"""

from __future__ import annotations

import hashlib
import zipfile
import zlib
from pathlib import Path
from typing import Any

import pytest

from romrunner.catalog.datfile import read_dat

BATMAN = "Batman Returns (USA, Europe)"
CHIPS = "Chip's Challenge (USA, Europe)"
ZARLOR = "Zarlor Mercenary (USA, Europe)"
DEMO = "Lynx Demo (World) (Aftermarket)"

THEIR_BATMAN = b"the No-Intro dump of Batman" * 700  # never on disk
MY_BATMAN = b"my own verified dump of Batman" * 650
CHIPS_DUMP = b"chips challenge" * 900
ZARLOR_DUMP = b"zarlor mercenary" * 800
DEMO_DUMP = b"a homebrew demo" * 500


def _rom(name: str, data: bytes) -> str:
    return (f'\trom ( name "{name}.lyx" size {len(data)} crc {zlib.crc32(data):08X} '
            f"md5 {hashlib.md5(data).hexdigest()} sha1 {hashlib.sha1(data).hexdigest()} )")


def _dat(path: Path, name: str, games: dict[str, bytes]) -> Path:
    blocks = [f'clrmamepro (\n\tname "{name}"\n\tversion "20260801"\n)\n']
    blocks += [f'game (\n\tname "{game}"\n{_rom(game, data)}\n)\n'
               for game, data in games.items()]
    path.write_text("\n".join(blocks), encoding="utf-8")
    return path


@pytest.fixture
def library(tmp_path: Path, cli: Any) -> Path:
    """The "No-Intro" DAT (imported first) and one's own DAT of verified dumps list Batman
    Returns with different dumps; the library has mine of Batman, the No-Intro dump of Chip's
    Challenge, a file bearing Zarlor's name (other bytes) and the demo inside a zip."""
    folder = tmp_path / "roms" / "lynx"
    folder.mkdir(parents=True)
    (folder / f"{BATMAN}.lyx").write_bytes(MY_BATMAN)
    (folder / f"{CHIPS}.lyx").write_bytes(CHIPS_DUMP)
    (folder / f"{ZARLOR}.lyx").write_bytes(b"some other dump" * 300)
    with zipfile.ZipFile(folder / "demos.zip", "w") as archive:
        archive.writestr(f"{DEMO}.lyx", DEMO_DUMP)
        archive.writestr("readme.lyx", b"not a game" * 40)
    theirs = _dat(tmp_path / "nointro.dat", "Atari - Lynx",
                  {BATMAN: THEIR_BATMAN, CHIPS: CHIPS_DUMP, ZARLOR: ZARLOR_DUMP})
    mine = _dat(tmp_path / "mine.dat", "Mine - Atari - Lynx",
                {BATMAN: MY_BATMAN, DEMO: DEMO_DUMP})
    assert cli("library", "add", str(tmp_path / "roms")).code == 0
    assert cli("dat", "import", "--platform", "atari-lynx", str(theirs)).code == 0
    assert cli("dat", "import", "--platform", "atari-lynx", str(mine)).code == 0
    assert cli("scan", "--workers", "1").code == 0
    return tmp_path


def _reports(cli: Any) -> dict[str, dict[str, Any]]:
    return {r["name"]: r for r in cli("--json", "dat", "report", "--missing").json()["data"]}


def _game_id(cli: Any, filename: str) -> int:
    games = cli("--json", "games", "ls", "--limit", "50").json()["data"]["games"]
    return int(next(g["id"] for g in games if g["filename"] == filename))


def test_have_is_by_the_dats_own_rom_data(library: Path, cli: Any) -> None:
    reports = _reports(cli)
    theirs, mine = reports["Atari - Lynx"], reports["Mine - Atari - Lynx"]
    # My Batman holds none of the No-Intro DAT's data: it bears the game's name only there.
    assert (theirs["games"], theirs["have"], theirs["name_guessed"], theirs["missing"]) == \
        (3, 1, 2, 0)
    # Mine: Batman by its SHA1, the demo as a member of a zip of two files.
    assert (mine["games"], mine["have"], mine["name_guessed"], mine["missing"]) == (2, 2, 0, 0)
    # (the zip holding the demo is no file unmatched on disk: qa192 F11, it was counted so)
    assert cli("dat", "report", "--csv").out.splitlines()[1:] == [
        "Atari - Lynx,atari-lynx,20260801,3,1,2,0,0,0",
        "Mine - Atari - Lynx,atari-lynx,20260801,2,2,0,0,0,0"]


def test_fixdat_lists_the_game_held_only_by_another_dats_dump(library: Path, cli: Any) -> None:
    out = library / "fix.dat"
    result = cli("--json", "dat", "fixdat", "Atari - Lynx", "-o", str(out))
    assert result.code == 0 and result.json()["data"]["games"] == 2
    games = {game.name: game for game in read_dat(out).games}
    assert set(games) == {BATMAN, ZARLOR}
    assert games[BATMAN].roms[0].sha1 == hashlib.sha1(THEIR_BATMAN).hexdigest()
    mine = library / "mine-fix.dat"
    assert cli("--json", "dat", "fixdat", "Mine - Atari - Lynx", "-o", str(mine)).json()[
        "data"]["games"] == 0


def test_games_show_names_the_dat_whose_data_the_file_has(library: Path, cli: Any) -> None:
    batman = _game_id(cli, f"{BATMAN}.lyx")
    shown = cli("--json", "games", "show", str(batman)).json()["data"]
    assert shown["match_method"] in ("sha1", "crc32")  # (a first scan hashes CRC32 first)
    assert shown["catalog"]["dat"] == "Mine - Atari - Lynx"
    assert [(c["dat"], c["by"]) for c in shown["catalogs"]] == [
        ("Mine - Atari - Lynx", "data"), ("Atari - Lynx", "name")]
    text = cli("games", "show", str(batman)).out
    lines = [line.strip() for line in text.splitlines() if line.strip().startswith("catalog")]
    assert lines[0].startswith("catalog    Mine - Atari - Lynx version 20260801")
    assert "Atari - Lynx version 20260801" in lines[1] and "name only" in lines[1]
    # A match by name: every DAT naming the game is a name only.
    zarlor = _game_id(cli, f"{ZARLOR}.lyx")
    guessed = cli("--json", "games", "show", str(zarlor)).json()["data"]
    assert guessed["match_method"] == "name"
    assert [(c["dat"], c["by"]) for c in guessed["catalogs"]] == [("Atari - Lynx", "name")]
    assert "name only" in cli("games", "show", str(zarlor)).out


def test_dat_rm_says_which_games_keep_a_hash_match_and_which_a_name_guess(
        library: Path, cli: Any) -> None:
    removed = cli("--json", "dat", "rm", "Mine - Atari - Lynx")
    assert removed.code == 0
    data = removed.json()["data"]
    # Batman now bears the No-Intro game's name only; the demo is no game of any catalog,
    # but its zip of two ROMs was no identified game before either (QA106 F2: counted "now
    # unidentified").
    assert (data["identified"], data["name_guessed"], data["unidentified"]) == (0, 1, 0)
    reports = _reports(cli)
    assert (reports["Atari - Lynx"]["have"], reports["Atari - Lynx"]["name_guessed"]) == (1, 2)


def test_dat_rm_text_counts(library: Path, cli: Any) -> None:
    text = " ".join(cli("dat", "rm", "Mine - Atari - Lynx").out.split())
    assert "0 games are now unidentified" in text
    assert "0 still identified by another catalog's data" in text
    assert "1 matched to another catalog's game by its name only" in text


def test_one_dump_two_names_is_had_in_both_dats(tmp_path: Path, cli: Any) -> None:
    """The same data under two names (one DAT's "(USA)", another's "(USA, Europe)"): the
    file is matched to one of them, and it is had in both DATs."""
    folder = tmp_path / "roms" / "lynx"
    folder.mkdir(parents=True)
    (folder / "chips.lyx").write_bytes(CHIPS_DUMP)
    one = _dat(tmp_path / "a.dat", "Lynx A", {"Chip's Challenge (USA)": CHIPS_DUMP})
    two = _dat(tmp_path / "b.dat", "Lynx B", {CHIPS: CHIPS_DUMP, ZARLOR: ZARLOR_DUMP})
    assert cli("library", "add", str(tmp_path / "roms")).code == 0
    assert cli("dat", "import", "--platform", "atari-lynx", str(one), str(two)).code == 0
    assert cli("scan", "--workers", "1").code == 0
    reports = _reports(cli)
    assert (reports["Lynx A"]["have"], reports["Lynx A"]["missing"]) == (1, 0)
    assert (reports["Lynx B"]["have"], reports["Lynx B"]["missing_games"]) == (1, [ZARLOR])
    shown = cli("--json", "games", "show", str(_game_id(cli, "chips.lyx"))).json()["data"]
    assert sorted(c["dat"] for c in shown["catalogs"] if c["by"] == "data") == [
        "Lynx A", "Lynx B"]


def test_a_disc_with_a_bad_track_is_not_had(tmp_path: Path, cli: Any) -> None:
    """A disc whose sheet is the DAT's but one of whose tracks is not: not identified (the
    sheet never vouches for a bad track), name-guessed in the report, listed in the
    fixdat; with the good track it is had."""
    disc = tmp_path / "roms" / "psx" / "Disc (USA)"
    disc.mkdir(parents=True)
    sheet = (b'FILE "Disc (USA) (Track 1).bin" BINARY\n  TRACK 01 MODE2/2352\n'
             b'FILE "Disc (USA) (Track 2).bin" BINARY\n  TRACK 02 AUDIO\n')
    one, two = b"\x01" * 4704, b"\x02" * 2352
    (disc / "Disc (USA).cue").write_bytes(sheet)
    (disc / "Disc (USA) (Track 1).bin").write_bytes(one)
    (disc / "Disc (USA) (Track 2).bin").write_bytes(b"\x09" * 2352)  # a bad dump
    roms = "\n".join(
        f'\trom ( name "{name}" size {len(data)} crc {zlib.crc32(data):08X} '
        f"md5 {hashlib.md5(data).hexdigest()} sha1 {hashlib.sha1(data).hexdigest()} )"
        for name, data in (("Disc (USA).cue", sheet), ("Disc (USA) (Track 1).bin", one),
                           ("Disc (USA) (Track 2).bin", two)))
    dat = tmp_path / "psx.dat"
    dat.write_text(f'clrmamepro (\n\tname "Sony - PlayStation"\n)\n\ngame (\n'
                   f'\tname "Disc (USA)"\n{roms}\n)\n', encoding="utf-8")
    assert cli("library", "add", str(tmp_path / "roms")).code == 0
    assert cli("dat", "import", str(dat)).code == 0
    assert cli("scan", "--workers", "1").code == 0
    report = _reports(cli)["Sony - PlayStation"]
    assert (report["have"], report["name_guessed"]) == (0, 1)
    (disc / "Disc (USA) (Track 2).bin").write_bytes(two)
    assert cli("scan", "--workers", "1").code == 0
    report = _reports(cli)["Sony - PlayStation"]
    assert (report["have"], report["name_guessed"]) == (1, 0)


def test_a_headered_file_and_a_zipped_one_are_had_by_their_data(
        tmp_path: Path, cli: Any) -> None:
    """A `.lnx` whose data after its 64-byte header is the DAT's, and a zip member with the
    header: had, through the header-less hashes; the same bytes as a plain file with other
    data after the header are not."""
    folder = tmp_path / "roms" / "lynx"
    folder.mkdir(parents=True)
    header = b"LYNX" + bytes(60)
    (folder / "chips.lnx").write_bytes(header + CHIPS_DUMP)
    with zipfile.ZipFile(folder / "zarlor.zip", "w") as archive:
        archive.writestr("zarlor.lnx", header + ZARLOR_DUMP)
    (folder / f"{BATMAN}.lnx").write_bytes(header + MY_BATMAN)
    dat = _dat(tmp_path / "nointro.dat", "Atari - Lynx",
               {BATMAN: THEIR_BATMAN, CHIPS: CHIPS_DUMP, ZARLOR: ZARLOR_DUMP})
    assert cli("library", "add", str(tmp_path / "roms")).code == 0
    assert cli("dat", "import", "--platform", "atari-lynx", str(dat)).code == 0
    for verify in ((), ("--verify",)):  # CRC32 first, then every hash
        assert cli("scan", "--workers", "1", *verify).code == 0
        report = _reports(cli)["Atari - Lynx"]
        assert (report["have"], report["name_guessed"], report["missing"]) == (2, 1, 0)
