"""File names whose bytes are not UTF-8 (Latin-1 names on an old share): scanned, shown with
``\\xNN`` escapes, and still found again to be copied, verified and re-deployed."""

from __future__ import annotations

import hashlib
import os
import zlib
from pathlib import Path
from typing import Any

import pytest

LATIN1 = b"Caf\xe9 (Europe).sfc"
LITERAL = "Back\\xe9slash (USA).sfc"  # a real backslash in the name: taken as it is
SHIFT_JIS = "ゲーム (Japan).sfc".encode("cp932")  # an old Japanese set's name


@pytest.fixture
def library(tmp_path: Path) -> Path:
    if os.uname().sysname != "Linux":
        pytest.skip("needs a file system that stores names as bytes")
    snes = tmp_path / "lib" / "snes"
    snes.mkdir(parents=True)
    with open(os.fsencode(snes) + b"/" + LATIN1, "wb") as handle:
        handle.write(b"\x01" * 4096)
    (snes / LITERAL).write_bytes(b"\x02" * 4096)
    (snes / "Plain (USA).sfc").write_bytes(b"\x03" * 4096)
    with open(os.fsencode(snes) + b"/" + SHIFT_JIS, "wb") as handle:
        handle.write(b"\x04" * 4096)
    return tmp_path / "lib"


def test_an_undecodable_name_is_deployed_not_reported_missing(
        cli: Any, library: Path, tmp_path: Path) -> None:
    assert cli("library", "add", str(library)).code == 0
    assert cli("scan").code == 0
    games = cli("--json", "games", "ls").json()["data"]["games"]
    assert sorted(g["filename"] for g in games) == sorted([
        LITERAL, "Caf\\xe9 (Europe).sfc", "Plain (USA).sfc",
        SHIFT_JIS.decode("utf-8", errors="backslashreplace")])
    assert cli("device", "add", "rg-35xx-plus").code == 0
    assert cli("profile", "create", "--device", "1", "--os", "muos").code == 0
    card = tmp_path / "card"
    card.mkdir()
    first = cli("--json", "deploy", "1", "--to", str(card), "platform:snes")
    assert first.code == 0, first.err
    data = first.json()["data"]
    assert (data["copied"], data["failed"], data["errors"]) == (4, 0, [])
    assert first.json()["warnings"] == []
    roms = card / "ROMS" / "snes"
    # The card gets valid text: the bytes read as Windows-1252, what such names mostly are,
    # or as Shift-JIS where that gives kana.
    assert (roms / "Café (Europe).sfc").read_bytes() == b"\x01" * 4096
    assert (roms / "ゲーム (Japan).sfc").read_bytes() == b"\x04" * 4096
    literal = {p.name for p in roms.iterdir()} - {"Café (Europe).sfc", "Plain (USA).sfc",
                                                   "ゲーム (Japan).sfc"}
    # kept as it is ("\\" is legal on this card's file system) or made legal for FAT32
    assert literal <= {LITERAL, "Back_xe9slash (USA).sfc"} and len(literal) == 1
    assert (roms / literal.pop()).read_bytes() == b"\x02" * 4096
    again = cli("--json", "deploy", "1", "--to", str(card), "platform:snes", "--verify")
    assert again.code == 0, again.err
    assert (again.json()["data"]["copied"], again.json()["data"]["skipped"]) == (0, 4)
    # A rescan finds the same files where they were: nothing missing, nothing new.
    rescan = cli("--json", "scan").json()["data"]
    assert (rescan["missing"], rescan["added"], rescan["unchanged"]) == (0, 0, 4)


def test_scan_verify_hashes_an_undecodable_name_known_by_crc_only(
        cli: Any, library: Path, tmp_path: Path) -> None:
    data = b"\x01" * 4096
    dat = tmp_path / "snes.dat"
    dat.write_text(
        'clrmamepro (\n\tname "Nintendo - Super Nintendo Entertainment System"\n'
        '\tversion "test"\n)\ngame (\n\tname "Cafe (Europe)"\n\trom ( name "Cafe (Europe).sfc" '
        f'size {len(data)} crc {zlib.crc32(data):08x} md5 {hashlib.md5(data).hexdigest()} '
        f'sha1 {hashlib.sha1(data).hexdigest()} )\n)\n')
    assert cli("dat", "import", str(dat)).code == 0
    assert cli("library", "add", str(library)).code == 0
    first = cli("--json", "scan").json()["data"]
    assert first["identified_by_crc_only"] == 1  # MD5/SHA1 deferred
    verified = cli("--json", "scan", "--verify")
    assert verified.code == 0, verified.err
    assert verified.json()["data"]["errors"] == []
    assert verified.json()["data"]["unverified"] == 0
    found = cli("--json", "games", "find", "--sha1", hashlib.sha1(data).hexdigest())
    assert found.code == 0 and found.json()["data"][0]["match_method"] == "sha1"


# Finding 1 of QA5: a file whose name is the escaped form of another's (a real backslash in
# it) shared that file's stored path, and every later scan failed (UNIQUE constraint).
CAFE_BYTES = b"Caf\xe9 (Europe).sfc"
CAFE_TEXT = "Caf\\xe9 (Europe).sfc"  # its escaped form, as a real name
CLASH = "its name is not UTF-8 (read as “Café (Europe).sfc”) and, escaped, is the " \
        "name of another file or folder here: rename it; skipped"


def _write(folder: Path, name: bytes | str, data: bytes) -> None:
    raw = name if isinstance(name, bytes) else name.encode()
    folder.mkdir(parents=True, exist_ok=True)
    with open(os.fsencode(folder) + b"/" + raw, "wb") as handle:
        handle.write(data)


def _clash_errors(result: Any) -> list[dict[str, str]]:
    return [e for e in result.json()["data"]["errors"] if "not UTF-8" in e["error"]]


@pytest.mark.parametrize("literal_first", [True, False])
def test_a_name_that_escaped_is_another_files_name_is_skipped_not_fatal(
        cli: Any, tmp_path: Path, literal_first: bool) -> None:
    if os.uname().sysname != "Linux":
        pytest.skip("needs a file system that stores names as bytes")
    lib = tmp_path / "lib"
    snes = lib / "snes"
    first, second = (CAFE_TEXT, CAFE_BYTES) if literal_first else (CAFE_BYTES, CAFE_TEXT)
    _write(snes, first, b"\x01" * 4096)
    _write(lib / "gba", "Old (USA).gba", b"\x03" * 4096)
    assert cli("library", "add", str(lib)).code == 0
    assert cli("scan").code == 0
    _write(snes, second, b"\x02" * 2048)
    _write(lib / "gba", "Brand New (USA).gba", b"\x04" * 4096)
    scan = cli("--json", "scan")
    assert scan.code == 0, scan.out + scan.err
    data = scan.json()["data"]
    assert scan.json()["ok"] is True
    # The file whose name is not UTF-8 is the one left out, and named (its stored form).
    assert _clash_errors(scan) == [{"path": str(snes / CAFE_TEXT), "error": CLASH}]
    # The literal name is the game on that path: re-examined if it was the other's row.
    assert (data["added"], data["updated"], data["missing"]) == \
        (1, 0 if literal_first else 1, 0)
    games = {g["filename"]: g for g in cli("--json", "games", "ls").json()["data"]["games"]}
    assert sorted(games) == ["Brand New (USA).gba", CAFE_TEXT, "Old (USA).gba"]
    assert games[CAFE_TEXT]["file_size"] == (4096 if literal_first else 2048)
    # Every later scan: the same warning, nothing changed, nothing missing, exit 0.
    again = cli("--json", "scan")
    assert again.code == 0
    assert _clash_errors(again) == [{"path": str(snes / CAFE_TEXT), "error": CLASH}]
    assert (again.json()["data"]["unchanged"], again.json()["data"]["missing"]) == (3, 0)
    text = cli("scan")
    assert text.code == 0 and "rename it; skipped" in text.err
    # Renamed as the warning asks, the file is a game of its own.
    os.rename(os.fsencode(snes) + b"/" + CAFE_BYTES, snes / "Cafe (Europe).sfc")
    renamed = cli("--json", "scan")
    assert renamed.code == 0 and _clash_errors(renamed) == []
    assert cli("--json", "games", "ls").json()["data"]["total"] == 4


def test_two_names_not_utf8_with_one_escaped_form_keep_one(cli: Any, tmp_path: Path) -> None:
    if os.uname().sysname != "Linux":
        pytest.skip("needs a file system that stores names as bytes")
    lib = tmp_path / "lib"
    # b"A\\xe9\xff" and b"A\xe9\\xff" both escape to "A\\xe9\\xff": the first by bytes is kept.
    _write(lib / "snes", b"A\xe9\\xff (USA).sfc", b"\x01" * 4096)
    _write(lib / "snes", b"A\\xe9\xff (USA).sfc", b"\x02" * 2048)
    assert cli("library", "add", str(lib)).code == 0
    for _ in range(2):
        scan = cli("--json", "scan")
        assert scan.code == 0, scan.err
        errors = _clash_errors(scan)
        assert [e["path"] for e in errors] == [str(lib / "snes" / "A\\xe9\\xff (USA).sfc")]
    games = cli("--json", "games", "ls").json()["data"]["games"]
    assert [(g["filename"], g["file_size"]) for g in games] == [("A\\xe9\\xff (USA).sfc", 2048)]


@pytest.mark.parametrize("depth", ["top", "nested"])
def test_a_folder_whose_escaped_name_is_another_folders_is_skipped(
        cli: Any, tmp_path: Path, depth: str) -> None:
    if os.uname().sysname != "Linux":
        pytest.skip("needs a file system that stores names as bytes")
    lib = tmp_path / "lib"
    parent = lib if depth == "top" else lib / "snes"
    literal, odd = parent / "Caf\\xe9", Path(os.fsdecode(os.fsencode(parent) + b"/Caf\xe9"))
    _write(literal, "Same (USA).sfc", b"\x01" * 4096)
    _write(odd, "Same (USA).sfc", b"\x02" * 4096)  # the same path, stored
    _write(odd, "Only Here (USA).sfc", b"\x03" * 4096)
    _write(lib / "gba", "Other (USA).gba", b"\x04" * 4096)  # a second top-level folder
    assert cli("library", "add", str(lib)).code == 0
    for _ in range(2):
        scan = cli("--json", "scan")
        assert scan.code == 0, scan.err
        assert [e["path"] for e in _clash_errors(scan)] == [str(literal)]
        assert scan.json()["data"]["missing"] == 0
    games = {g["filename"]: g for g in cli("--json", "games", "ls").json()["data"]["games"]}
    assert sorted(games) == ["Other (USA).gba", "Same (USA).sfc"]
    assert games["Same (USA).sfc"]["file_size"] == 4096


def test_a_path_walked_twice_is_one_game_whatever_the_cause(
        cli: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The writer never sees a path twice, even if the walk yielded one twice (here: the
    walk's own rule against clashing names switched off)."""
    if os.uname().sysname != "Linux":
        pytest.skip("needs a file system that stores names as bytes")
    from romrunner.library import plan

    monkeypatch.setattr(plan, "_clashing", lambda listing: set())
    lib = tmp_path / "lib"
    _write(lib / "snes", CAFE_TEXT, b"\x01" * 4096)
    _write(lib / "snes", CAFE_BYTES, b"\x02" * 2048)
    assert cli("library", "add", str(lib)).code == 0
    scan = cli("--json", "scan", "--workers", "1")
    assert scan.code == 0, scan.err
    errors = scan.json()["data"]["errors"]
    assert len(errors) == 1 and "found twice by the walk" in errors[0]["error"]
    assert cli("--json", "games", "ls").json()["data"]["total"] == 1


def test_an_undecodable_name_has_a_readable_title_that_search_finds(
        cli: Any, library: Path) -> None:
    """The title of a name that is not UTF-8 is read as its card name is (Windows-1252, or
    Shift-JIS where that gives kana): `search café` finds `Caf\\xe9 (Europe).sfc` (QA23 P1:
    its title was "Caf\\xe9", found by `caf` only); the file name stays as stored."""
    assert cli("library", "add", str(library)).code == 0
    assert cli("scan").code == 0
    games = cli("--json", "games", "ls").json()["data"]["games"]
    titles = {g["filename"]: g["detected_title"] for g in games}
    assert titles["Caf\\xe9 (Europe).sfc"] == "Café"
    assert titles[SHIFT_JIS.decode("utf-8", errors="backslashreplace")] == "ゲーム"
    found = cli("--json", "search", "café").json()["data"]
    assert [row["filename"] for row in found] == ["Caf\\xe9 (Europe).sfc"]
    assert [row["filename"] for row in cli("--json", "search", "ゲーム").json()["data"]] \
        == [SHIFT_JIS.decode("utf-8", errors="backslashreplace")]


def test_an_undecodable_name_is_guessed_by_name_as_its_title_reads(
        cli: Any, library: Path, tmp_path: Path) -> None:
    """QA57 F3: `Caf\\xe9 (Europe).sfc` (Latin-1) was not guessed by name against a DAT's
    `Café (Europe)`, though its title reads "Café" (renamed to UTF-8, it was)."""
    dat = tmp_path / "snes.dat"
    dat.write_text('clrmamepro (\n\tname "Nintendo - Super Nintendo Entertainment System"\n)\n'
                   'game (\n\tname "Café (Europe)"\n\trom ( name "Café (Europe).sfc" size 9 '
                   'crc 01020304 )\n)\n', encoding="utf-8")
    assert cli("dat", "import", str(dat)).code == 0
    assert cli("library", "add", str(library)).code == 0
    assert cli("scan").code == 0
    games = {g["filename"]: g for g in cli("--json", "games", "ls").json()["data"]["games"]}
    assert games["Caf\\xe9 (Europe).sfc"]["match_method"] == "name"
