"""A game chosen twice — the same content in two files (``Game.gb`` and ``Game.zip`` holding it,
a copy in a second library root) — goes on the card once: a frontend would list it twice."""

from __future__ import annotations

import hashlib
import shutil
import zipfile
import zlib
from pathlib import Path
from typing import Any

import pytest


def rom_bytes(seed: str, size: int = 4096) -> bytes:
    return (hashlib.sha256(seed.encode()).digest() * (size // 32 + 1))[:size]


def same_crc(data: bytes, other: bytes) -> bytes:
    """``other`` with its last 4 bytes chosen so that its CRC32 is ``data``'s (same size,
    different bytes): CRC32 is affine in the message bits, so the 32 unknown bits are solved
    by Gaussian elimination over GF(2)."""
    assert len(data) == len(other)
    target = zlib.crc32(data)
    head = other[:-4]
    base = zlib.crc32(head + b"\0\0\0\0")
    # column j: the change in the CRC when bit j of the last 4 bytes is set
    columns = [zlib.crc32(head + (1 << j).to_bytes(4, "little")) ^ base for j in range(32)]
    want = target ^ base
    # solve xor of columns[j] for the set bits j == want
    basis: list[tuple[int, int]] = []  # (vector, combination of unknowns)
    for j in range(32):
        vector, combo = columns[j], 1 << j
        for b_vector, b_combo in basis:
            if vector ^ b_vector < vector:
                vector, combo = vector ^ b_vector, combo ^ b_combo
        if vector:
            basis.append((vector, combo))
            basis.sort(reverse=True)
    rest, combo = want, 0
    for b_vector, b_combo in basis:
        if rest ^ b_vector < rest:
            rest, combo = rest ^ b_vector, combo ^ b_combo
    assert rest == 0
    forged = head + combo.to_bytes(4, "little")
    assert zlib.crc32(forged) == target and forged != data
    return forged


def gb_dat_of_one_game(path: Path, game: str, data: bytes) -> Path:
    """A Game Boy DAT of one game, ``data`` its one ROM with every hash."""
    path.write_text(
        'clrmamepro (\n\tname "Nintendo - Game Boy"\n)\n'
        f'game (\n\tname "{game}"\n'
        f'\trom ( name "{game}.gb" size {len(data)} crc {zlib.crc32(data):08x} '
        f'md5 {hashlib.md5(data).hexdigest()} sha1 {hashlib.sha1(data).hexdigest()} )\n)\n')
    return path


@pytest.fixture
def library(cli: Any, tmp_path: Path) -> dict[str, Path]:
    main, second = tmp_path / "roms", tmp_path / "more"
    tetris = rom_bytes("tetris")
    (main / "gb").mkdir(parents=True)
    (second / "gb").mkdir(parents=True)
    (main / "gb" / "Tetris (World).gb").write_bytes(tetris)
    with zipfile.ZipFile(main / "gb" / "Tetris (World).zip", "w") as archive:
        archive.writestr("Tetris (World).gb", tetris)
    (second / "gb" / "Tetris (World) [copy].gb").write_bytes(tetris)
    (main / "gb" / "Other (USA).gb").write_bytes(rom_bytes("other"))
    (main / "gbc").mkdir()
    (main / "gbc" / "Tetris (World).gbc").write_bytes(tetris)  # another platform: not a copy
    for args in (("library", "add", str(main)), ("library", "add", str(second)),
                 ("scan", "--workers", "1"), ("device", "add", "rg-35xx-plus"),
                 ("profile", "create", "--device", "1", "--os", "muos")):
        assert cli(*args).code == 0, args
    return {"main": main, "second": second}


def card_files(card: Path) -> dict[str, bytes]:
    return {str(p.relative_to(card)): p.read_bytes() for p in card.rglob("*")
            if p.is_file() and ".romrunner" not in p.parts}


def test_a_query_choosing_one_game_three_times_puts_it_on_the_card_once(
        cli: Any, library: dict[str, Path], tmp_path: Path) -> None:
    card = tmp_path / "card"
    card.mkdir()
    dry = cli("--json", "deploy", "1", "--to", str(card), "platform:gb", "--dry-run")
    assert dry.code == 0, dry.err
    data = dry.json()
    assert len(data["data"]["plan"]["copies"]) == 2
    assert any("2 chosen games are copies" in w and "Tetris (World).zip" in w
               for w in data["warnings"])
    result = cli("deploy", "1", "--to", str(card), "platform:gb,gbc")
    assert result.code == 0, result.err
    assert "2 chosen games are copies of another chosen game" in result.err
    assert "the copy already there, else one from a library root that is there now" in \
        result.err
    files = card_files(card)
    tetris = (library["main"] / "gb" / "Tetris (World).gb").read_bytes()
    gb = {name: body for name, body in files.items() if "/gb/" in f"/{name}"}
    assert sorted(name.rpartition("/")[2] for name in gb) == ["Other (USA).gb",
                                                              "Tetris (World).gb"]
    assert gb[next(n for n in gb if n.endswith("Tetris (World).gb"))] == tetris
    assert any(name.endswith("Tetris (World).gbc") for name in files)  # gbc: its own platform


def test_the_copy_on_a_library_root_that_is_there_now_is_the_one_deployed(
        cli: Any, library: dict[str, Path], tmp_path: Path) -> None:
    (library["main"] / "gb" / "Tetris (World).zip").unlink()
    assert cli("scan", "--workers", "1").code == 0
    shutil.rmtree(library["main"])  # the share is not mounted: its games are not missing yet
    card = tmp_path / "card"
    card.mkdir()
    dry = cli("--json", "deploy", "1", "--to", str(card), "platform:gb", "--dry-run")
    assert dry.code == 1  # Other (USA).gb cannot go: its root is not there
    assert dry.json()["data"]["chosen"]["left_out"] == 1
    assert "1 chosen game would be left out (the warnings say why)" in dry.json()["errors"]
    result = cli("deploy", "1", "--to", str(card), "platform:gb")
    assert result.code == 1 and "1 chosen game was left out" in result.out
    names = sorted(name.rpartition("/")[2] for name in card_files(card))
    assert names == ["Tetris (World) [copy].gb"], (names, result.err)
    assert "1 chosen game is a copy" in result.err
    # the unreachable root's own game (not a copy) is the only one said not to deploy (in
    # the root's warning: qa194 F6; named in the plan's errors)
    assert "1 chosen game of it left out" in result.err \
        and "Tetris (World).gb: " not in result.err, result.err
    errors = dry.json()["data"]["plan"]["errors"]
    assert [e["path"].rpartition("/")[2] for e in errors] == ["Other (USA).gb"], errors


def test_files_of_one_crc32_and_size_but_another_sha1_are_both_deployed(
        cli: Any, tmp_path: Path) -> None:
    root = tmp_path / "roms" / "gb"
    root.mkdir(parents=True)
    one = rom_bytes("one")
    two = same_crc(one, rom_bytes("two"))
    (root / "One (USA).gb").write_bytes(one)
    (root / "Two (USA).gb").write_bytes(two)
    for args in (("library", "add", str(tmp_path / "roms")), ("scan", "--workers", "1"),
                 ("device", "add", "rg-35xx-plus"),
                 ("profile", "create", "--device", "1", "--os", "muos")):
        assert cli(*args).code == 0, args
    card = tmp_path / "card"
    card.mkdir()
    assert cli("deploy", "1", "--to", str(card), "platform:gb").code == 0
    assert sorted(card_files(card).values()) == sorted([one, two])


def test_the_copy_already_on_the_card_stays_the_cards(cli: Any, library: dict[str, Path],
                                                      tmp_path: Path) -> None:
    """Review: a second copy in the library (the loose file beside a zip the card has) made
    the deploy write it and --prune remove the zip — the game renamed on the card, its saves
    (named after the file) left behind — and when that loose file had changed since the scan,
    neither copy stayed on the card."""
    gb = library["main"] / "gb"
    (library["second"] / "gb" / "Tetris (World) [copy].gb").unlink()
    (gb / "Tetris (World).gb").rename(tmp_path / "aside.gb")
    assert cli("scan", "--workers", "1", "--accept-missing").code == 0
    card = tmp_path / "card"
    card.mkdir()
    assert cli("deploy", "1", "--to", str(card), "platform:gb").code == 0
    before = card_files(card)
    assert any(name.endswith("Tetris (World).zip") for name in before)
    (tmp_path / "aside.gb").rename(gb / "Tetris (World).gb")  # the loose copy is back
    assert cli("scan", "--workers", "1").code == 0
    again = cli("--json", "deploy", "1", "--to", str(card), "platform:gb", "--prune",
                "--force")
    assert again.code == 0, again.err
    assert (again.json()["data"]["copied"], again.json()["data"]["pruned"]) == (0, 0)
    assert card_files(card) == before


def _deploy_without(cli: Any, gone: Path, tmp_path: Path) -> tuple[Path, dict[str, bytes]]:
    """Delete the library's ``gone``, forget it, deploy the GB games to a new card: the card
    and what is on it."""
    gone.unlink()
    assert cli("scan", "--workers", "1", "--accept-missing").code == 0
    assert cli("games", "forget", "--missing").code == 0
    card = tmp_path / "card"
    card.mkdir()
    assert cli("deploy", "1", "--to", str(card), "platform:gb").code == 0
    return card, card_files(card)


def test_a_held_copy_on_the_card_is_the_copy_already_there(cli: Any, library: dict[str, Path],
                                                           tmp_path: Path) -> None:
    """QA9 F6: while the card's copy of a game could not be deployed (its file missing since
    the scan, or on a root not reachable), its twin in an archive was written beside it: the
    frontend listed the game twice. The held copy is the copy already there."""
    gb = library["main"] / "gb"
    card, before = _deploy_without(cli, library["second"] / "gb" / "Tetris (World) [copy].gb",
                                   tmp_path)
    assert sorted(name.rpartition("/")[2] for name in before) == ["Other (USA).gb",
                                                                  "Tetris (World).gb"]
    # the zip has a collection of its own: no longer there, the .gb's game stays missing (a
    # zip with nothing of its own would take it over, the careful zipping of QA23 F2:
    # tests/test_scan_follow_content.py)
    games = cli("--json", "games", "ls").json()["data"]["games"]
    (zipped,) = [g["id"] for g in games if g["filename"] == "Tetris (World).zip"]
    assert cli("collection", "create", "zips").code == 0
    assert cli("collection", "add", "zips", str(zipped)).code == 0
    (gb / "Tetris (World).gb").rename(tmp_path / "aside.gb")  # the share lost it
    assert cli("scan", "--workers", "1", "--accept-missing").code == 0
    held = cli("--json", "deploy", "1", "--to", str(card), "platform:gb", "--prune", "--force")
    assert held.code == 0, held.json()["errors"]
    assert (held.json()["data"]["copied"], held.json()["data"]["pruned"]) == (0, 0)
    assert card_files(card) == before  # no Tetris (World).zip beside it
    assert any("Tetris (World).zip" in w and "kept" in w for w in held.json()["warnings"])
    (tmp_path / "aside.gb").rename(gb / "Tetris (World).gb")
    assert cli("scan", "--workers", "1").code == 0
    back = cli("--json", "deploy", "1", "--to", str(card), "platform:gb", "--prune", "--force")
    assert (back.json()["data"]["copied"], back.json()["data"]["pruned"]) == (0, 0)
    assert card_files(card) == before


def test_a_copy_on_the_card_from_a_root_not_mounted_is_not_written_twice(
        cli: Any, library: dict[str, Path], tmp_path: Path) -> None:
    """QA9 F6, the same with the card's copy on a library root not reachable now (a share
    unmounted, not rescanned): its twin on the root that is there is not written beside it,
    and the card's copy is kept (the game on the card, under the name its saves have)."""
    # left: main's zip, second's .gb
    card, before = _deploy_without(cli, library["main"] / "gb" / "Tetris (World).gb", tmp_path)
    assert any(name.endswith("Tetris (World) [copy].gb") for name in before)
    library["second"].rename(tmp_path / "more-away")
    held = cli("--json", "deploy", "1", "--to", str(card), "platform:gb", "--prune", "--force")
    assert held.json()["data"]["copied"] == 0, held.json()["warnings"]
    assert held.json()["data"]["pruned"] == 0
    assert card_files(card) == before


def test_another_file_of_the_same_crc32_and_size_is_no_copy(cli: Any, tmp_path: Path) -> None:
    """QA18 M6: a game known by its CRC32 only (a first scan with a catalog) and a homebrew
    with the same CRC32 and size but other bytes (its SHA1 known) were taken for one content,
    and one was left off the card. Neither a SHA1 nor one catalog game nor a title says they
    are the same: both go on the card."""
    bowling = rom_bytes("bowling", 8192)
    homebrew = same_crc(bowling, rom_bytes("homebrew", 8192))
    gb = tmp_path / "roms" / "gb"
    gb.mkdir(parents=True)
    dat = gb_dat_of_one_game(tmp_path / "gb.dat", "10-Pin Bowling (USA) (Proto)", bowling)
    (gb / "My Homebrew (World).gb").write_bytes(homebrew)
    for args in (("library", "add", str(tmp_path / "roms")), ("dat", "import", str(dat)),
                 ("scan", "--workers", "1", "--verify"),  # the homebrew: every hash, no match
                 ("device", "add", "rg-35xx-plus"),
                 ("profile", "create", "--device", "1", "--os", "muos")):
        assert cli(*args).code == 0, args
    (gb / "10-Pin Bowling (USA) (Proto).gb").write_bytes(bowling)
    assert cli("scan", "--workers", "1").code == 0  # known by its CRC32 + size only
    games = {g["filename"]: g for g in cli("--json", "games", "ls").json()["data"]["games"]}
    # (a file of the CRC32 and size of one proven not the catalog's dump is not that dump by
    # its CRC32 alone: QA166 F13; --verify decides)
    assert games["10-Pin Bowling (USA) (Proto).gb"]["match_method"] != "crc32"
    card = tmp_path / "card"
    card.mkdir()
    result = cli("deploy", "1", "--to", str(card), "platform:gb")
    assert result.code == 0, result.err
    assert "copy of another" not in result.err
    assert {name.rpartition("/")[2]: data for name, data in card_files(card).items()} == {
        "My Homebrew (World).gb": homebrew, "10-Pin Bowling (USA) (Proto).gb": bowling}
    assert cli("scan", "--workers", "1", "--verify").code == 0
    games = {g["filename"]: g for g in cli("--json", "games", "ls").json()["data"]["games"]}
    assert games["10-Pin Bowling (USA) (Proto).gb"]["match_method"] == "sha1"


def test_of_two_names_of_one_file_the_card_gets_the_tagged_one(cli: Any,
                                                              tmp_path: Path) -> None:
    """A hard link under a plain name beside the file's catalog-styled name, both chosen: the
    card gets the name the frontend should show, whatever the scan's order (it kept the
    lowest id, here the plain name: QA132 F4)."""
    root = tmp_path / "roms"
    (root / "gb").mkdir(parents=True)
    named = root / "gb" / "Pokemon - Edition Rouge (France).gb"
    named.write_bytes(rom_bytes("pokemon"))
    (root / "gb" / "0copy.gb").hardlink_to(named)
    for args in (("library", "add", str(root)), ("scan", "--workers", "1"),
                 ("device", "add", "rg-35xx-plus"),
                 ("profile", "create", "--device", "1", "--os", "muos")):
        assert cli(*args).code == 0, args
    ids = {row["filename"]: row["id"] for row in
           cli("--json", "games", "ls").json()["data"]["games"]}
    assert ids["0copy.gb"] < ids[named.name]  # (the plain name first: the id decided before)
    card = tmp_path / "card"
    card.mkdir()
    result = cli("--json", "deploy", "1", "--to", str(card), "platform:gb")
    assert result.code == 0, result.err
    assert [Path(name).name for name in card_files(card)] == [named.name]
