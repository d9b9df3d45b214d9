"""qa204 F6: `games find GAME.zip` said "no game in the library holds this data" (exit 1,
"keep the file") when the library held the zip's ROM loose: an archive was looked up only
among the library's archives of the very same members. Its members' data is now looked up
in any form the library holds it — loose, in another archive, headered or header-less — and
an archive of several members is held only when each member's data is."""

from __future__ import annotations

import hashlib
import zipfile
from pathlib import Path
from typing import Any

import py7zr

NES_HEADER = b"NES\x1a" + bytes([2, 1, 0, 0]) + bytes(8)


def _payload(seed: str, size: int = 32768) -> bytes:
    block = hashlib.sha256(seed.encode()).digest()
    return (block * (size // 32 + 1))[:size]


def _zip(path: Path, members: dict[str, bytes]) -> Path:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return path


def _ids(cli: Any) -> dict[str, int]:
    return {row["filename"]: int(row["id"])
            for row in cli("--json", "games", "ls").json()["data"]["games"]}


def _library(cli: Any, tmp_path: Path) -> dict[str, int]:
    root = tmp_path / "roms"
    for folder in ("gb", "nes", "gba"):
        (root / folder).mkdir(parents=True)
    (root / "gb" / "Quest (USA).gb").write_bytes(_payload("quest"))
    (root / "nes" / "Castle (USA).nes").write_bytes(NES_HEADER + _payload("castle"))
    (root / "nes" / "Bare (USA).nes").write_bytes(_payload("bare"))  # no header: its body
    _zip(root / "gba" / "Pair (USA).zip", {"Pair (USA).gba": _payload("pair"),
                                           "Extra (USA).gba": _payload("extra")})
    for args in (("library", "add", root), ("scan", "--workers", "1")):
        assert cli(*args).code == 0, args
    return _ids(cli)


def test_an_archive_whose_rom_the_library_holds_loose_is_found_held(
        cli: Any, tmp_path: Path) -> None:
    ids = _library(cli, tmp_path)
    down = tmp_path / "downloads"
    down.mkdir()
    zipped = _zip(down / "Quest.zip", {"Quest (USA).gb": _payload("quest")})
    result = cli("games", "find", zipped)
    assert result.code == 0, result.out + result.err
    assert "Quest (USA).gb" in result.out
    assert f"Quest (USA).gb by game {ids['Quest (USA).gb']}" in result.out
    found = cli("--json", "games", "find", zipped)
    assert found.code == 0 and [row["id"] for row in found.json()["data"]] == [
        ids["Quest (USA).gb"]]
    seven = down / "Quest.7z"
    with py7zr.SevenZipFile(seven, "w") as archive:
        archive.writestr(_payload("quest"), "Quest (USA).gb")
    assert cli("games", "find", seven).code == 0
    # a download's notes are no game's data
    readme = _zip(down / "Notes.zip", {"Quest (USA).gb": _payload("quest"),
                                       "readme.txt": b"downloaded from somewhere\n"})
    assert cli("games", "find", readme).code == 0


def test_a_zip_of_a_headered_rom_is_found_by_its_data_with_or_without_header(
        cli: Any, tmp_path: Path) -> None:
    ids = _library(cli, tmp_path)
    # the library holds it headered; the zip holds it headered, then its body alone
    for members in ({"Castle (USA).nes": NES_HEADER + _payload("castle")},
                    {"Castle (USA).nes": _payload("castle")}):
        found = cli("--json", "games", "find", _zip(tmp_path / "c.zip", members))
        assert found.code == 0, found.out
        assert [row["id"] for row in found.json()["data"]] == [ids["Castle (USA).nes"]]
    # the library holds its body alone (a header-less file); the zip holds it headered
    found = cli("--json", "games", "find",
                _zip(tmp_path / "b.zip", {"Bare (USA).nes": NES_HEADER + _payload("bare")}))
    assert found.code == 0, found.out
    assert [row["id"] for row in found.json()["data"]] == [ids["Bare (USA).nes"]]


def test_an_archive_is_held_only_when_each_member_is_and_says_which_are_not(
        cli: Any, tmp_path: Path) -> None:
    ids = _library(cli, tmp_path)
    # each member held: one loose, one a member of a library zip of other members (known
    # there by its zip's stated CRC32 and size until scan --verify)
    both = _zip(tmp_path / "both.zip", {"a.gb": _payload("quest"), "b.gba": _payload("pair")})
    found = cli("--json", "games", "find", both)
    assert found.code == 0, found.out
    assert sorted(row["id"] for row in found.json()["data"]) == sorted(
        [ids["Quest (USA).gb"], ids["Pair (USA).zip"]])
    half = _zip(tmp_path / "half.zip", {"a.gb": _payload("quest"), "new.gb": _payload("new")})
    result = cli("games", "find", half)
    assert result.code == 1
    assert ("1 of its 2 members (new.gb) is held by none; the other is held: a.gb by game "
            f"{ids['Quest (USA).gb']}") in result.out, result.out
    assert "keep this file" in result.out
    failed = cli("--json", "games", "find", half)
    assert failed.code == 1 and failed.json()["data"] == []
    nothing = _zip(tmp_path / "none.zip", {"new.gb": _payload("new")})
    result = cli("games", "find", nothing)
    assert result.code == 1 and "no game in the library holds this data" in result.out


def test_an_archive_of_members_held_only_by_a_missing_copy_is_not_held(
        cli: Any, tmp_path: Path) -> None:
    _library(cli, tmp_path)
    (tmp_path / "roms" / "gb" / "Quest (USA).gb").unlink()
    assert cli("scan", "--workers", "1").code == 0
    result = cli("games", "find", _zip(tmp_path / "q.zip", {"q.gb": _payload("quest")}))
    assert result.code == 1
    assert "Quest (USA).gb held it and is missing" in result.out, result.out
