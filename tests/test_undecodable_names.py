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
    return tmp_path / "lib"


def test_an_undecodable_name_is_deployed_not_reported_missing(
        cli: Any, library: Path, tmp_path: Path) -> None:
    assert cli("library", "add", str(library)).code == 0
    assert cli("scan").code == 0
    games = cli("--json", "games", "ls").json()["data"]["games"]
    assert sorted(g["filename"] for g in games) == [
        LITERAL, "Caf\\xe9 (Europe).sfc", "Plain (USA).sfc"]
    assert cli("device", "add", "rg-35xx-plus").code == 0
    assert cli("profile", "create", "--device", "1", "--os", "muos").code == 0
    card = tmp_path / "card"
    card.mkdir()
    first = cli("--json", "deploy", "1", "--to", str(card), "platform:snes")
    assert first.code == 0, first.err
    data = first.json()["data"]
    assert (data["copied"], data["failed"], data["errors"]) == (3, 0, [])
    assert first.json()["warnings"] == []
    roms = card / "ROMS" / "snes"
    # The card gets valid text: the byte read as Windows-1252, what such names mostly are.
    assert (roms / "Café (Europe).sfc").read_bytes() == b"\x01" * 4096
    literal = {p.name for p in roms.iterdir()} - {"Café (Europe).sfc", "Plain (USA).sfc"}
    # kept as it is ("\\" is legal on this card's file system) or made legal for FAT32
    assert literal <= {LITERAL, "Back_xe9slash (USA).sfc"} and len(literal) == 1
    assert (roms / literal.pop()).read_bytes() == b"\x02" * 4096
    again = cli("--json", "deploy", "1", "--to", str(card), "platform:snes", "--verify")
    assert again.code == 0, again.err
    assert (again.json()["data"]["copied"], again.json()["data"]["skipped"]) == (0, 3)
    # A rescan finds the same files where they were: nothing missing, nothing new.
    rescan = cli("--json", "scan").json()["data"]
    assert (rescan["missing"], rescan["added"], rescan["unchanged"]) == (0, 0, 3)


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
