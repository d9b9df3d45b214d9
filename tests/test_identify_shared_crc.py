"""A CRC32 and size that two catalog games list, with no SHA1 or MD5 in the DAT to tell them
apart (a CRC-only DAT), identifies neither by itself: a file hashed in full (its SHA1 the DAT
does not list) was one of them by the order of an UPDATE, stated as "identified by crc32".
Now the one of them it is named as is it (the data and the name agree, as an arcade set is
the one of its family named as its zip); otherwise it is unidentified, or a guess by its name,
and `games show` says which games share its CRC32. An arcade set whose every ROM a clone or
its parent shares is still the set (tests/test_arcade_clones.py)."""

from __future__ import annotations

import hashlib
import zipfile
import zlib
from pathlib import Path
from typing import Any

import pytest

DATA = hashlib.sha256(b"one dump, listed twice").digest() * 512  # 16 KiB
TITLES = ("Twin Quest (USA)", "Twin Quest (USA) (Virtual Console)")


def _dat(titles: tuple[str, ...] = TITLES, *, sha1: bool = False) -> str:
    """A Game Boy DAT listing ``DATA``'s CRC32 and size (and, ``sha1``, its SHA1) under each
    of ``titles``."""
    hashes = f"crc {zlib.crc32(DATA):08X}" + (
        f" sha1 {hashlib.sha1(DATA).hexdigest()}" if sha1 else "")
    return ('clrmamepro (\n\tname "Nintendo - Game Boy"\n\tversion "t"\n)\n' + "".join(
        f'game (\n\tname "{title}"\n\trom ( name "{title}.gb" size {len(DATA)} {hashes} )\n)\n'
        for title in titles))


def _library(cli: Any, tmp_path: Path, name: str, dat: str, *, dat_first: bool,
             zipped: bool = False) -> None:
    """``name`` holding ``DATA`` (``zipped``: the one member of ``name`` less its extension
    + ``.zip``) in roms/gb, and the DAT imported before or after the scan."""
    folder = tmp_path / "roms" / "gb"
    folder.mkdir(parents=True)
    if zipped:
        with zipfile.ZipFile(folder / f"{Path(name).stem}.zip", "w") as archive:
            archive.writestr(name, DATA)
    else:
        (folder / name).write_bytes(DATA)
    catalog = tmp_path / "gb.dat"
    catalog.write_text(dat)
    steps = [("library", "add", str(tmp_path / "roms")), ("scan", "--workers", "1")]
    steps.insert(0 if dat_first else 2, ("dat", "import", str(catalog)))
    for args in steps:
        assert cli(*args).code == 0, args


def _game(cli: Any) -> dict[str, Any]:
    (game,) = cli("--json", "games", "ls").json()["data"]["games"]
    return game  # type: ignore[no-any-return]


@pytest.mark.parametrize("dat_first", [True, False], ids=["dat-then-scan", "scan-then-dat"])
def test_a_crc32_two_catalog_games_list_identifies_neither(
        cli: Any, tmp_path: Path, dat_first: bool) -> None:
    _library(cli, tmp_path, "twin_dump.gb", _dat(), dat_first=dat_first)
    game = _game(cli)
    assert game["match_method"] is None and game["matched_game_id"] is None
    shown = cli("games", "show", str(game["id"]))
    assert shown.code == 0
    text = " ".join(shown.out.split())
    assert "not identified: its CRC32 and size are those of 2 catalog games" in text
    assert all(title in text for title in TITLES)
    assert "no catalog lists a SHA1 or MD5" in text


@pytest.mark.parametrize("zipped", [False, True], ids=["file", "zip"])
def test_of_the_games_sharing_its_crc32_the_one_it_is_named_as_is_it(
        cli: Any, tmp_path: Path, zipped: bool) -> None:
    """The data and the name agree, as an arcade set is the one of its family named as its
    zip (``tempest2.zip``, a split clone whose one ROM another clone shares)."""
    name = f"{TITLES[1]}.gb"
    _library(cli, tmp_path, name, _dat(), dat_first=True, zipped=zipped)
    game = _game(cli)
    assert (game["match_method"], game["matched_game_id"]) == ("crc32", f"gb:{TITLES[1]}")
    text = " ".join(cli("games", "show", str(game["id"])).out.split())
    assert "its CRC32 and size are those of 2 catalog games" in text
    assert "its name chose this one" in text


def test_a_name_of_another_game_is_a_guess_beside_a_crc32_two_games_share(
        cli: Any, tmp_path: Path) -> None:
    """Named as a game that does not list its data: a guess by the name, said with why no
    hash decides."""
    other = 'game (\n\tname "Other Quest (USA)"\n\trom ( name "o.gb" size 4 crc 0badf00d )\n)\n'
    _library(cli, tmp_path, "Other Quest (USA).gb", _dat() + other, dat_first=True)
    game = _game(cli)
    assert (game["match_method"], game["matched_game_id"]) == ("name", "gb:Other Quest (USA)")
    text = " ".join(cli("games", "show", str(game["id"])).out.split())
    assert "guessed from the file name only" in text
    assert "its CRC32 and size are those of 2 catalog games" in text
    assert "no catalog lists a SHA1 or MD5" in text


def test_one_game_of_that_crc32_still_identifies_it(cli: Any, tmp_path: Path) -> None:
    _library(cli, tmp_path, "twin_dump.gb", _dat(TITLES[:1]), dat_first=False)
    assert _game(cli)["match_method"] == "crc32"


def test_a_dat_with_sha1s_still_identifies_a_file_listed_twice_by_its_sha1(
        cli: Any, tmp_path: Path) -> None:
    """The same dump under two names, SHA1 given: the data is either game's, by SHA1 (the
    rule is about CRC32s, which two different dumps may share)."""
    _library(cli, tmp_path, "twin_dump.gb", _dat(sha1=True), dat_first=False)
    assert _game(cli)["match_method"] == "sha1"


def test_an_earlier_release_s_pick_between_two_games_is_withdrawn_at_the_next_scan(
        cli: Any, tmp_path: Path, db_path: Path) -> None:
    """Tag rules 8: a library an earlier release identified so is identified again, once."""
    from romrunner.store.open import OpenMode, open_database

    _library(cli, tmp_path, "twin_dump.gb", _dat(), dat_first=False)
    db = open_database(db_path, OpenMode.WRITE).db
    with db.atomic():  # as an earlier release left it
        db.execute("UPDATE games SET matched_game_id = ?, match_method = 'crc32'",
                   (f"gb:{TITLES[0]}",))
        db.execute("UPDATE user_settings SET value = '7' WHERE key = 'tag_rules_version'")
    db.close()
    rescan = cli("--json", "scan", "--workers", "1")
    assert rescan.code == 0 and rescan.json()["data"]["rematched"] == 1
    assert _game(cli)["match_method"] is None


def test_a_file_known_by_its_crc32_only_keeps_the_game_it_is_named_as(
        cli: Any, tmp_path: Path) -> None:
    """A second DAT listing its CRC32 and size in another game (another SHA1) leaves a file
    named as its game identified by CRC32 (not verified yet); `scan --verify` settles it by
    SHA1."""
    _library(cli, tmp_path, f"{TITLES[0]}.gb", _dat(TITLES[:1], sha1=True), dat_first=True)
    assert _game(cli)["match_method"] == "crc32"  # CRC32 first, its SHA1 deferred
    beta = tmp_path / "beta.dat"
    beta.write_text(_dat(("Beta Quest (USA)",)).replace(
        f"crc {zlib.crc32(DATA):08X}",
        f"crc {zlib.crc32(DATA):08X} sha1 {hashlib.sha1(b'another dump').hexdigest()}").replace(
        "Nintendo - Game Boy", "Other GB"))
    assert cli("dat", "import", str(beta), "--platform", "gb").code == 0
    game = _game(cli)
    assert (game["match_method"], game["matched_game_id"]) == ("crc32", f"gb:{TITLES[0]}")
    assert cli("scan", "--verify", "--workers", "1").code == 0
    assert _game(cli)["match_method"] == "sha1"
